// Spare parts (R4.13): the catalogue, depots with stock and reorder points, and requests for a work order that are
// issued from stock (refused while short, never below zero even when two keepers race for the last unit) and
// settled unit by unit (consumed on the job with serials, or returned to stock). Every stock change is a movement.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { api, adminToken, userWithToken, expectError, expectStatus, uniq, LABEL } from './lib.mjs';

async function part(token, extra = {}) {
  const r = await api('POST', '/parts', { token, body: { code: uniq('DC-MOD-'), name: '充电模块 30kW', category: 'module', unit: '个', fits: '许继 XJZC-60', ...extra } });
  expectStatus(r, 201);
  return r.json;
}

async function depot(token) {
  const r = await api('POST', '/part-depots', { token, body: { name: uniq('充电运维备件库-'), location: '临澜市东区运维站' } });
  expectStatus(r, 201);
  return r.json;
}

async function repairOrder(token) {
  const r = await api('POST', '/work-orders', { token, body: { kind: 'charger_repair', customer_name: '临澜东区公共充电站', site_address: '临澜市滨江路 88 号' } });
  expectStatus(r, 201);
  return r.json;
}

const receive = (token, depotId, partId, qty) => api('POST', `/part-depots/${depotId}/receipts`, { token, body: { part_id: partId, qty, note: '采购入库' } });
const stockOf = async (token, depotId, partId) => (await api('GET', `/part-depots/${depotId}/stock`, { token })).json.items.find((s) => s.part_id === partId);

async function people() {
  const [keeper, eng, eng2, disp] = await Promise.all([userWithToken(['tool_keeper']), userWithToken(['om_engineer']),
    userWithToken(['om_engineer']), userWithToken(['dispatcher'])]);
  return { keeper, eng, eng2, disp };
}

test(`${LABEL} parts catalogue: codes unique whatever their case, categories checked, edits versioned and audited`, async () => {
  const admin = await adminToken();
  const p = await part(admin);
  expectError(await api('POST', '/parts', { token: admin, body: { code: p.code.toLowerCase(), name: 'x', category: 'module', unit: '个' } }), 409, 'part_code_taken', 'code');
  expectError(await api('POST', '/parts', { token: admin, body: { code: uniq('X'), name: 'x', category: 'engine', unit: '个' } }), 400, 'invalid_field', 'category');
  expectError(await api('POST', '/parts', { token: admin, body: { code: uniq('X'), name: '', category: 'fuse', unit: '个' } }), 400, 'invalid_field', 'name');
  expectError(await api('PATCH', `/parts/${p.id}`, { token: admin, body: { version: p.version + 1, name: 'y' } }), 409, 'version_conflict');
  const u = await api('PATCH', `/parts/${p.id}`, { token: admin, body: { version: p.version, name: '充电模块 40kW', fits: null } });
  expectStatus(u, 200);
  assert.equal(u.json.name, '充电模块 40kW');
  assert.equal(u.json.fits, null);
  assert.equal(u.json.unit, '个');
  const audit = await api('GET', `/audit?entity=part&entity_id=${p.id}`, { token: admin });
  assert.deepEqual(audit.json.items.map((x) => x.action).sort(), ['create', 'update']);
  const list = await api('GET', `/parts?q=${encodeURIComponent(p.code.slice(-6))}`, { token: admin });
  assert.deepEqual(list.json.items.map((x) => x.id), [p.id]);
  assert.equal(list.json.items[0].on_hand, 0);
});

test(`${LABEL} parts stock: receipts, levels, a stocktake; at the reorder point the keepers are told and it is on the reorder list`, async () => {
  const { keeper, eng } = await people();
  const p = await part(keeper.token);
  const d = await depot(keeper.token);
  expectError(await receive(keeper.token, d.id, p.id, 0), 400, 'invalid_field', 'qty');
  expectError(await receive(eng.token, d.id, p.id, 5), 403, 'forbidden');
  expectError(await receive(keeper.token, d.id, '00000000-0000-7000-8000-000000000000', 5), 400, 'invalid_field', 'part_id');
  expectStatus(await receive(keeper.token, d.id, p.id, 5), 200);
  const lv = await api('PUT', `/part-depots/${d.id}/stock/${p.id}`, { token: keeper.token, body: { reorder_point: 4, reorder_qty: 10 } });
  expectStatus(lv, 200);
  assert.equal(lv.json.low, false);
  // the count finds 3: the difference is a movement, and the stock is now low
  expectError(await api('POST', `/part-depots/${d.id}/adjustments`, { token: keeper.token, body: { part_id: p.id, counted: 3 } }), 400, 'missing_field', 'note');
  const adj = await api('POST', `/part-depots/${d.id}/adjustments`, { token: keeper.token, body: { part_id: p.id, counted: 3, note: '月度盘点：2 个外借未还' } });
  expectStatus(adj, 200);
  assert.equal(adj.json.on_hand, 3);
  assert.equal(adj.json.low, true);
  const mv = await api('GET', `/part-depots/${d.id}/movements?part_id=${p.id}`, { token: keeper.token });
  assert.deepEqual(mv.json.items.map((m) => [m.kind, m.qty, m.on_hand]), [['adjust', -2, 3], ['receive', 5, 5]]);
  const reorder = await api('GET', '/parts/reorder', { token: eng.token });
  const row = reorder.json.items.find((x) => x.part_id === p.id && x.depot_id === d.id);
  assert.ok(row, 'low stock is on the reorder list');
  assert.equal(row.suggested, 10);
  const notes = await api('GET', '/notifications', { token: keeper.token });
  const mine = notes.json.items.filter((n) => n.kind === 'part_low' && n.entity_id === p.id);
  assert.equal(mine.length, 1, 'told once');
  assert.ok(mine[0].title.includes(p.code));
  const depots = await api('GET', '/part-depots', { token: eng.token });
  assert.equal(depots.json.items.find((x) => x.id === d.id).low, 1);
});

test(`${LABEL} part request: refused while short (naming the line), issued, then settled unit by unit with serials`, async () => {
  const { keeper, eng, eng2, disp } = await people();
  const [mod, fuse] = [await part(keeper.token), await part(keeper.token, { name: '直流熔断器 250A', category: 'fuse' })];
  const d = await depot(keeper.token);
  const wo = await repairOrder(disp.token);
  expectStatus(await receive(keeper.token, d.id, mod.id, 1), 200);
  expectStatus(await receive(keeper.token, d.id, fuse.id, 10), 200);
  // malformed lines are named
  expectError(await api('POST', '/part-requests', { token: eng.token, body: { work_order_id: wo.id, depot_id: d.id, lines: [] } }), 400, 'invalid_field', 'lines');
  expectError(await api('POST', '/part-requests', { token: eng.token, body: { work_order_id: wo.id, depot_id: d.id, lines: [{ part_id: mod.id, qty: 0 }] } }), 400, 'invalid_field', 'lines');
  expectError(await api('POST', '/part-requests', { token: eng.token, body: { work_order_id: wo.id, depot_id: d.id, lines: [{ part_id: mod.id, qty: 1 }, { part_id: mod.id, qty: 1 }] } }), 400, 'invalid_field', 'lines');
  expectError(await api('POST', '/part-requests', { token: keeper.token, body: { work_order_id: wo.id, depot_id: d.id, lines: [{ part_id: mod.id, qty: 1 }] } }), 403, 'forbidden');
  const req = await api('POST', '/part-requests', { token: eng.token, body: { work_order_id: wo.id, depot_id: d.id, note: '2 号桩模块故障', lines: [{ part_id: mod.id, qty: 2 }, { part_id: fuse.id, qty: 2 }] } });
  expectStatus(req, 201);
  assert.equal(req.json.status, 'requested');
  assert.match(req.json.number, /^BJ\d{8}-\d{4}$/);
  // one module in stock, two asked: refused, naming the module and what is there
  const short = await api('POST', `/part-requests/${req.json.id}/actions/issue`, { token: keeper.token });
  expectError(short, 409, 'gate_part_stock_short');
  assert.deepEqual(short.json.error.details.gates[0].lines.map((l) => [l.part_id, l.qty, l.on_hand]), [[mod.id, 2, 1]]);
  assert.equal((await stockOf(keeper.token, d.id, fuse.id)).on_hand, 10, 'nothing was taken');
  expectError(await api('POST', `/part-requests/${req.json.id}/actions/issue`, { token: eng.token }), 403, 'forbidden');
  expectStatus(await receive(keeper.token, d.id, mod.id, 1), 200);
  const issued = await api('POST', `/part-requests/${req.json.id}/actions/issue`, { token: keeper.token });
  expectStatus(issued, 200);
  assert.equal(issued.json.status, 'issued');
  assert.equal((await stockOf(keeper.token, d.id, mod.id)).on_hand, 0);
  assert.equal((await stockOf(keeper.token, d.id, fuse.id)).on_hand, 8);
  // settle: unbalanced refused; someone else's request refused; balanced accepted
  const rid = req.json.id;
  const bad = await api('POST', `/part-requests/${rid}/actions/settle`, { token: eng.token, body: { lines: [{ part_id: mod.id, consumed: 1, returned: 0 }, { part_id: fuse.id, consumed: 1, returned: 1 }] } });
  expectError(bad, 409, 'part_settlement_unbalanced');
  assert.deepEqual(bad.json.error.details.gates[0].lines.map((l) => l.part_id), [mod.id]);
  const good = { lines: [
    { part_id: mod.id, consumed: 2, returned: 0, removed_serial: 'XJ-M-2023-0117', installed_serial: 'XJ-M-2026-0431' },
    { part_id: fuse.id, consumed: 1, returned: 1 },
  ] };
  expectError(await api('POST', `/part-requests/${rid}/actions/settle`, { token: eng2.token, body: good }), 403, 'part_not_requester');
  const settled = await api('POST', `/part-requests/${rid}/actions/settle`, { token: eng.token, body: good });
  expectStatus(settled, 200);
  assert.equal(settled.json.status, 'settled');
  const ml = settled.json.lines.find((l) => l.part_id === mod.id);
  assert.deepEqual([ml.consumed, ml.returned, ml.removed_serial, ml.installed_serial], [2, 0, 'XJ-M-2023-0117', 'XJ-M-2026-0431']);
  assert.equal((await stockOf(keeper.token, d.id, fuse.id)).on_hand, 9, 'the unused fuse went back');
  const mv = await api('GET', `/part-depots/${d.id}/movements?part_id=${fuse.id}`, { token: keeper.token });
  assert.deepEqual(mv.json.items.map((m) => [m.kind, m.qty, m.request_number]), [['return', 1, req.json.number], ['issue', -2, req.json.number], ['receive', 10, null]]);
  const list = await api('GET', `/part-requests?work_order_id=${wo.id}`, { token: disp.token });
  assert.deepEqual(list.json.items.map((x) => x.id), [rid]);
  const audit = await api('GET', `/audit?entity=part_request&entity_id=${rid}`, { token: await adminToken() });
  assert.deepEqual(audit.json.items.map((x) => x.action).sort(), ['create', 'issue', 'settle']);
});

test(`${LABEL} part request: rejecting needs a reason, the requester may withdraw, a closed work order takes none`, async () => {
  const { keeper, eng, eng2, disp } = await people();
  const p = await part(keeper.token);
  const d = await depot(keeper.token);
  const wo = await repairOrder(disp.token);
  const mk = async () => (await api('POST', '/part-requests', { token: eng.token, body: { work_order_id: wo.id, depot_id: d.id, lines: [{ part_id: p.id, qty: 1 }] } })).json;
  const a = await mk();
  const r0 = await api('POST', `/part-requests/${a.id}/actions/reject`, { token: keeper.token });
  expectError(r0, 400, 'missing_field', 'reason');
  const r1 = await api('POST', `/part-requests/${a.id}/actions/reject`, { token: keeper.token, body: { reason: '该型号已停产，请改用 40kW 模块' } });
  expectStatus(r1, 200);
  assert.equal(r1.json.reject_reason, '该型号已停产，请改用 40kW 模块');
  expectError(await api('POST', `/part-requests/${a.id}/actions/issue`, { token: keeper.token }), 409, 'invalid_transition');
  const b = await mk();
  expectError(await api('POST', `/part-requests/${b.id}/actions/cancel`, { token: eng2.token }), 403, 'part_not_requester');
  expectStatus(await api('POST', `/part-requests/${b.id}/actions/cancel`, { token: eng.token }), 200);
  expectStatus(await api('POST', `/work-orders/${wo.id}/actions/cancel`, { token: disp.token }), 200);
  expectError(await api('POST', '/part-requests', { token: eng.token, body: { work_order_id: wo.id, depot_id: d.id, lines: [{ part_id: p.id, qty: 1 }] } }), 409, 'work_order_closed', 'work_order_id');
});

test(`${LABEL} part request: two keepers issuing the last unit at once — one wins, stock never goes below zero`, async () => {
  const { keeper, eng, disp } = await people();
  const keeper2 = await userWithToken(['tool_keeper']);
  const p = await part(keeper.token);
  const d = await depot(keeper.token);
  const wo = await repairOrder(disp.token);
  expectStatus(await receive(keeper.token, d.id, p.id, 1), 200);
  const mk = async () => (await api('POST', '/part-requests', { token: eng.token, body: { work_order_id: wo.id, depot_id: d.id, lines: [{ part_id: p.id, qty: 1 }] } })).json;
  const [a, b] = [await mk(), await mk()];
  const [ra, rb] = await Promise.all([
    api('POST', `/part-requests/${a.id}/actions/issue`, { token: keeper.token }),
    api('POST', `/part-requests/${b.id}/actions/issue`, { token: keeper2.token }),
  ]);
  assert.deepEqual([ra.status, rb.status].sort(), [200, 409], `${ra.status} ${JSON.stringify(ra.json)} / ${rb.status} ${JSON.stringify(rb.json)}`);
  const loser = ra.status === 409 ? ra : rb;
  assert.equal(loser.json.error.code, 'gate_part_stock_short');
  assert.equal((await stockOf(keeper.token, d.id, p.id)).on_hand, 0);
});

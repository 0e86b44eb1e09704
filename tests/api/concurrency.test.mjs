// No lost update (issue 9, finding 3): two identical writes sent at the same moment must never both succeed.
// A versioned PATCH carries the version it read; a flow action fires from the state it was allowed in. Whatever
// the engine (SQLite serialises writers; PostgreSQL runs them in parallel under READ COMMITTED), exactly one of
// the pair wins, its effect (stock taken, state changed) happens once, it is audited once, and the other gets 409.
//
// Each round fires the two requests with Promise.all over fetch: undici opens a second connection for the
// second request while the first is in flight, so the server runs them on two of its threads. A round where
// the server happened to serialise them proves nothing by itself, hence 50 rounds of each.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { api, adminToken, userWithToken, expectStatus, collectAll, uniq, show, LABEL } from './lib.mjs';

const ROUNDS = 50;

/**
 * Fires two requests at once. Records the round in the tally instead of failing at once, so a broken server
 * reports how many of the 50 rounds went wrong (the figure the issue asks for); check() asserts at the end.
 * Returns the winner (the first 200) or null.
 */
async function race(send, conflictCodes, tally, round) {
  const [a, b] = await Promise.all([send(), send()]);
  const ok = [a, b].filter((r) => r.status === 200);
  const lost = [a, b].filter((r) => r.status === 409 && conflictCodes.includes(r.json?.error?.code));
  if (ok.length === 2) tally.both += 1;
  else if (ok.length !== 1 || lost.length !== 1) tally.bad.push(`round ${round}: ${show(a)} / ${show(b)}`);
  return ok[0] ?? null;
}

function check(what, tally) {
  // the figure the issue asks for: how often both requests of a pair succeeded (must be 0)
  console.log(`${LABEL} ${what}: double successes ${tally.both}/${ROUNDS}`);
  assert.equal(tally.both, 0, `${what}: both requests succeeded in ${tally.both} of ${ROUNDS} rounds`);
  assert.deepEqual(tally.bad, [], `${what}: rounds without exactly one 200 and one 409`);
}

async function auditActions(token, entity, id) {
  const items = await collectAll(`/audit?entity=${entity}&entity_id=${id}&limit=200`, token, 100);
  const n = {};
  for (const it of items) n[it.action] = (n[it.action] ?? 0) + 1;
  return n;
}

test(`${LABEL} concurrency: two PATCH /work-orders with one version at once, ${ROUNDS} rounds: one 200, one 409 version_conflict`, async () => {
  const d = await userWithToken(['dispatcher']);
  const admin = await adminToken();
  const created = await api('POST', '/work-orders', { token: d.token, body: { kind: 'meter_rotation', customer_name: '并发测试', priority: 'normal' } });
  expectStatus(created, 201);
  const id = created.json.id;
  const tally = { both: 0, bad: [] };
  for (let i = 0; i < ROUNDS; i++) {
    const v = (await api('GET', `/work-orders/${id}`, { token: d.token })).json.version;
    await race(() => api('PATCH', `/work-orders/${id}`, { token: d.token, body: { version: v, customer_name: `并发测试 ${i}` } }),
      ['version_conflict'], tally, i);
  }
  check('PATCH /work-orders', tally);
  const cur = await api('GET', `/work-orders/${id}`, { token: d.token });
  assert.equal(cur.json.version, created.json.version + ROUNDS, 'the version moved once per round');
  assert.equal((await auditActions(admin, 'work_order', id)).update, ROUNDS, 'one audit record per success');
});

test(`${LABEL} concurrency: two PATCH /chargers with one version at once, ${ROUNDS} rounds: one 200, one 409 version_conflict`, async () => {
  const eng = await userWithToken(['om_engineer']);
  const admin = await adminToken();
  const st = await api('POST', '/stations', { token: eng.token, body: { code: uniq('CC'), name: uniq('并发测试站-') } });
  expectStatus(st, 201);
  const ch = await api('POST', '/chargers', { token: eng.token, body: { charge_point_id: uniq('CC'), station_id: st.json.id, kind: 'dc', payment: 'qr' } });
  expectStatus(ch, 201);
  const id = ch.json.id;
  const tally = { both: 0, bad: [] };
  for (let i = 0; i < ROUNDS; i++) {
    const v = (await api('GET', `/chargers/${id}`, { token: eng.token })).json.version;
    await race(() => api('PATCH', `/chargers/${id}`, { token: eng.token, body: { version: v, name: `${i} 号直流桩` } }), ['version_conflict'], tally, i);
  }
  check('PATCH /chargers', tally);
  const cur = await api('GET', `/chargers/${id}`, { token: eng.token });
  assert.equal(cur.json.version, ch.json.version + ROUNDS, 'the version moved once per round');
  assert.equal((await auditActions(admin, 'charger', id)).update, ROUNDS, 'one audit record per success');
});

test(`${LABEL} concurrency: the same spare-part issue twice at once, ${ROUNDS} rounds: issued once, stock moved once`, async () => {
  const [keeper, eng, disp] = await Promise.all([userWithToken(['tool_keeper']), userWithToken(['om_engineer']), userWithToken(['dispatcher'])]);
  const admin = await adminToken();
  const p = await api('POST', '/parts', { token: keeper.token, body: { code: uniq('CC-MOD-'), name: '并发测试模块', category: 'module', unit: '个' } });
  expectStatus(p, 201);
  const d = await api('POST', '/part-depots', { token: keeper.token, body: { name: uniq('并发测试库-') } });
  expectStatus(d, 201);
  const wo = await api('POST', '/work-orders', { token: disp.token, body: { kind: 'charger_repair', customer_name: '并发测试站' } });
  expectStatus(wo, 201);
  // twice what the requests need: a doubled issue finds the stock and takes it
  const STOCK = 2 * ROUNDS;
  expectStatus(await api('POST', `/part-depots/${d.json.id}/receipts`, { token: keeper.token, body: { part_id: p.json.id, qty: STOCK } }), 200);
  const reqs = [];
  for (let i = 0; i < ROUNDS; i++) {
    const r = await api('POST', '/part-requests', { token: eng.token, body: { work_order_id: wo.json.id, depot_id: d.json.id, lines: [{ part_id: p.json.id, qty: 1 }] } });
    expectStatus(r, 201);
    reqs.push(r.json.id);
  }
  const tally = { both: 0, bad: [] };
  for (let i = 0; i < ROUNDS; i++)
    await race(() => api('POST', `/part-requests/${reqs[i]}/actions/issue`, { token: keeper.token }), ['invalid_transition'], tally, i);
  const stock = (await api('GET', `/part-depots/${d.json.id}/stock`, { token: keeper.token })).json.items.find((s) => s.part_id === p.json.id);
  console.log(`${LABEL} part request issue: ${STOCK - stock.on_hand} units left stock for ${ROUNDS} requests of 1`);
  check('part request issue', tally);
  assert.equal(stock.on_hand, STOCK - ROUNDS, 'one unit left stock per request');
  const moves = (await api('GET', `/part-depots/${d.json.id}/movements?part_id=${p.json.id}`, { token: keeper.token })).json.items;
  assert.equal(moves.filter((m) => m.kind === 'issue').length, ROUNDS, 'one issue movement per request');
  for (const id of reqs.slice(0, 10)) assert.equal((await auditActions(admin, 'part_request', id)).issue, 1, 'one audit record per success');
});

test(`${LABEL} concurrency: the same work-order cancel (then reopen) twice at once, ${ROUNDS} rounds: one 200, one 409 invalid_transition`, async () => {
  const d = await userWithToken(['dispatcher']);
  const admin = await adminToken();
  const o = await api('POST', '/work-orders', { token: d.token, body: { kind: 'meter_rotation', customer_name: '并发测试' } });
  expectStatus(o, 201);
  const id = o.json.id;
  const cancels = { both: 0, bad: [] }, reopens = { both: 0, bad: [] };
  for (let i = 0; i < ROUNDS; i++) {
    await race(() => api('POST', `/work-orders/${id}/actions/cancel`, { token: d.token }), ['invalid_transition'], cancels, i);
    await race(() => api('POST', `/work-orders/${id}/actions/reopen`, { token: d.token }), ['invalid_transition'], reopens, i);
  }
  check('work-order cancel', cancels);
  check('work-order reopen', reopens);
  const n = await auditActions(admin, 'work_order', id);
  assert.equal(n.cancel, ROUNDS, 'one cancel audited per round');
  assert.equal(n.reopen, ROUNDS, 'one reopen audited per round');
  const cur = await api('GET', `/work-orders/${id}`, { token: d.token });
  assert.equal(cur.json.status, 'new');
  assert.equal(cur.json.version, o.json.version + 2 * ROUNDS);
});

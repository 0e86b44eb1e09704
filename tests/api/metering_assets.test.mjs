// Metering assets (issue 12 items 1, 6, 8; docs/api.md "Metering: assets"): meters, CTs/PTs, terminals
// and seals received into stock, issued to a crew for a job, installed at a metering point, removed, sent for
// verification and back — every move refused by its own code when illegal; a point's complete history; a day's batch
// issue all or nothing; two keepers issuing one meter at once; and a finished job's SOP records applied to the ledger
// with the returns due and the discrepancies it leaves.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { api, userWithToken, createOrgUnit, expectError, expectStatus, LABEL, PASSWORD, BASE_URL } from './lib.mjs';
import { today, people, qualify, equip, act as post, newTicket, issuedReceivedPermitted, briefed, risksConfirmed, upload, JPEG, runJob } from './fieldwork_lib.mjs';

const RUN = `${Date.now().toString(36).toUpperCase()}${Math.floor(Math.random() * 1e4)}`;
let serial = 0;
const no = (p = 'MA') => `${p}-${RUN}-${String(++serial).padStart(3, '0')}`;
const point = () => `MP${RUN}${String(++serial).padStart(3, '0')}`;

let staffMade;
const staff = () => (staffMade ??= (async () => {
  const [keeper, metering, dispatcher, crew, crew2, viewer] = await Promise.all([
    userWithToken(['tool_keeper']), userWithToken(['metering']), userWithToken(['dispatcher']), userWithToken(['crew']),
    userWithToken(['crew']), userWithToken(['viewer'])]);
  return { keeper, metering, dispatcher, crew, crew2, viewer };
})());

const METER = { kind: 'meter', subtype: 'single_phase', accuracy_class: '2.0', rated: '220V 5(60)A', model: 'DDZY102', manufacturer: '林洋', batch: 'B2024-07', produced_on: '2024-05-10', verified_on: '2024-06-01' };
const CT = { kind: 'ct', ratio: '200/5', accuracy_class: '0.2S', model: 'LMZ1-0.5' };
const SEAL = { kind: 'seal', subtype: 'meter_cover', batch: 'S-ROLL-9' };

async function receive(token, fields) {
  const r = await api('POST', '/metering-assets', { token, body: { asset_no: no(), ...fields } });
  expectStatus(r, 201);
  return r.json;
}
const move = (token, id, action, body = {}) => api('POST', `/metering-assets/${id}/actions/${action}`, { token, body });
async function moved(token, id, action, body) {
  const r = await move(token, id, action, body);
  expectStatus(r, 200);
  return r.json;
}
async function order(s, pointNo, kind = 'lv_meter_install') {
  const o = await api('POST', '/work-orders', { token: s.dispatcher.token,
    body: { kind, customer_name: '王秀英', site_address: '临澜市和平街 7 号', metering_point_no: pointNo } });
  expectStatus(o, 201);
  return o.json;
}
const history = async (token, p) => {
  const r = await api('GET', `/metering-points/${p}/history`, { token });
  expectStatus(r, 200);
  return r.json;
};

test(`${LABEL} metering assets: receipt is validated per kind, the asset number is unique, a scan finds it by number`, async () => {
  const s = await staff();
  // each kind asks for what identifies it
  expectError(await api('POST', '/metering-assets', { token: s.keeper.token, body: { asset_no: no(), kind: 'meter', subtype: 'single_phase', rated: '220V 5(60)A' } }), 400, 'missing_field', 'accuracy_class');
  expectError(await api('POST', '/metering-assets', { token: s.keeper.token, body: { asset_no: no(), kind: 'meter', subtype: 'two_phase', accuracy_class: '2.0', rated: 'x' } }), 400, 'invalid_field', 'subtype');
  expectError(await api('POST', '/metering-assets', { token: s.keeper.token, body: { asset_no: no(), kind: 'ct', accuracy_class: '0.2S' } }), 400, 'missing_field', 'ratio');
  expectError(await api('POST', '/metering-assets', { token: s.keeper.token, body: { asset_no: no(), kind: 'pt', ratio: '10kV', accuracy_class: '0.2' } }), 400, 'invalid_field', 'ratio');
  expectError(await api('POST', '/metering-assets', { token: s.keeper.token, body: { asset_no: no(), kind: 'seal' } }), 400, 'missing_field', 'subtype');
  expectError(await api('POST', '/metering-assets', { token: s.keeper.token, body: { asset_no: no(), kind: 'terminal', subtype: 'router' } }), 400, 'invalid_field', 'subtype');
  expectError(await api('POST', '/metering-assets', { token: s.keeper.token, body: { asset_no: 'a b', ...SEAL } }), 400, 'invalid_field', 'asset_no');
  // the viewer reads, never receives
  expectError(await api('POST', '/metering-assets', { token: s.viewer.token, body: { asset_no: no(), ...SEAL } }), 403, 'forbidden');

  const m = await receive(s.keeper.token, METER);
  assert.equal(m.status, 'in_stock');
  assert.equal(m.kind, 'meter');
  assert.equal(m.rated, '220V 5(60)A');
  assert.deepEqual(m.moves.map((x) => [x.move, x.from_status, x.to_status, x.actor_id]), [['received', null, 'in_stock', s.keeper.user.id]]);
  const dup = await api('POST', '/metering-assets', { token: s.metering.token, body: { ...METER, asset_no: m.asset_no } });
  expectError(dup, 409, 'metering_asset_no_taken');
  assert.equal(dup.json.error.details.asset_no, m.asset_no);

  const scan = await api('GET', `/metering-assets/by-no/${m.asset_no}`, { token: s.crew.token });
  expectStatus(scan, 200);
  assert.equal(scan.json.id, m.id);
  expectError(await api('GET', `/metering-assets/by-no/NOPE-${RUN}`, { token: s.crew.token }), 404, 'not_found');
});

test(`${LABEL} metering assets: the ledger pages by asset number with filters and a number prefix`, async () => {
  const s = await staff();
  const batch = `LB-${RUN}`;
  const made = [];
  for (let i = 0; i < 5; i++) made.push(await receive(s.keeper.token, { ...METER, batch, model: i < 3 ? 'DDZY102' : 'DTZY341' }));
  await receive(s.keeper.token, { ...CT, batch });
  const seen = [];
  let cursor = null;
  do {
    const r = await api('GET', `/metering-assets?batch=${batch}&kind=meter&limit=2${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`, { token: s.viewer.token });
    expectStatus(r, 200);
    assert.equal(r.json.total, 5);
    assert.ok(r.json.items.length <= 2);
    seen.push(...r.json.items.map((x) => x.asset_no));
    cursor = r.json.next_cursor;
  } while (cursor);
  assert.deepEqual(seen, made.map((x) => x.asset_no).sort(), 'every meter once, in number order');
  const models = await api('GET', `/metering-assets?batch=${batch}&model=DTZY341`, { token: s.viewer.token });
  assert.deepEqual(models.json.items.map((x) => x.asset_no), made.slice(3).map((x) => x.asset_no));
  const prefix = made[4].asset_no.slice(0, -1);
  const byQ = await api('GET', `/metering-assets?q=${encodeURIComponent(prefix)}`, { token: s.viewer.token });
  assert.ok(byQ.json.items.length >= 1 && byQ.json.items.every((x) => x.asset_no.startsWith(prefix)));
  assert.ok(byQ.json.items.some((x) => x.asset_no === made[4].asset_no));
  const none = await api('GET', `/metering-assets?q=ZZZ${RUN}`, { token: s.viewer.token });
  assert.deepEqual([none.json.items, none.json.total, none.json.next_cursor], [[], 0, null]);
});

test(`${LABEL} metering assets: a point's complete history after install → remove → verify → reinstall elsewhere`, async () => {
  const s = await staff();
  const [p1, p2] = [point(), point()];
  const o1 = await order(s, p1), o2 = await order(s, p1), o3 = await order(s, p2);
  const m = await receive(s.keeper.token, METER);
  const m2 = await receive(s.keeper.token, METER);
  const ct = await receive(s.keeper.token, CT);
  const seal = await receive(s.keeper.token, SEAL);

  // issued to the crew for the first job, installed at p1 with its start reading; a CT on phase A; a seal applied
  let a = await moved(s.keeper.token, m.id, 'issue', { holder_id: s.crew.user.id, work_order_id: o1.id });
  assert.deepEqual([a.status, a.holder_id, a.holder_name, a.work_order_id], ['issued', s.crew.user.id, s.crew.user.display_name, o1.id]);
  for (const x of [ct, seal]) await moved(s.keeper.token, x.id, 'issue', { holder_id: s.crew.user.id, work_order_id: o1.id });
  a = await moved(s.metering.token, m.id, 'install', { point_no: p1, reading: '0.00', work_order_id: o1.id, transformer_area: '和平街1号台区' });
  assert.deepEqual([a.status, a.point_no, a.transformer_area, a.holder_id, a.installed_on], ['installed', p1, '和平街1号台区', null, today()]);
  assert.equal(a.install.point_no, p1);
  await moved(s.dispatcher.token, ct.id, 'install', { point_no: p1, position: 'A', work_order_id: o1.id });
  await moved(s.metering.token, seal.id, 'apply', { point_no: p1, position: 'meter_cover', work_order_id: o1.id });

  // the second job replaces the meter: out at 1523.4 (rotation), the seal broken, the new meter in
  a = await moved(s.metering.token, m.id, 'remove', { reading: '1523.4', reason: 'rotation', work_order_id: o2.id });
  assert.deepEqual([a.status, a.point_no, a.install], ['removed', null, null]);
  const broken = await moved(s.metering.token, seal.id, 'break', { work_order_id: o2.id });
  assert.equal(broken.status, 'removed');
  await moved(s.keeper.token, m2.id, 'issue', { holder_id: s.crew2.user.id, work_order_id: o2.id });
  await moved(s.metering.token, m2.id, 'install', { point_no: p1, reading: '7.5', work_order_id: o2.id });

  // the old meter to the lab, passed, back in stock with its new verification date, issued again, installed at p2
  await moved(s.keeper.token, m.id, 'send');
  a = await moved(s.keeper.token, m.id, 'verify', { result: 'passed', verified_on: '2026-01-15' });
  assert.deepEqual([a.status, a.verified_on], ['in_stock', '2026-01-15']);
  await moved(s.keeper.token, m.id, 'issue', { holder_id: s.crew.user.id, work_order_id: o3.id });
  a = await moved(s.metering.token, m.id, 'install', { point_no: p2, reading: '1523.4', work_order_id: o3.id });
  assert.deepEqual(a.moves.map((x) => x.move), ['received', 'issued', 'installed', 'removed', 'sent', 'verified', 'issued', 'installed']);
  assert.deepEqual(a.moves.map((x) => x.to_status), ['in_stock', 'issued', 'installed', 'removed', 'verifying', 'in_stock', 'issued', 'installed']);
  assert.equal(a.moves[3].reading, '1523.4');
  assert.equal(a.moves[3].result, 'rotation');
  assert.equal(a.moves[5].result, 'passed');

  const h1 = await history(s.crew.token, p1);
  assert.equal(h1.point_no, p1);
  assert.equal(h1.point, null, 'no customer-side row for a point fieldgrid did not create');
  const rows = h1.history.map((r) => [r.asset_no, r.kind, r.position, r.install_reading, r.install_order_id, r.installed_by,
    r.removal_reading, r.removal_reason, r.remove_order_id, r.removed_by, r.removed_at === null]);
  assert.deepEqual(rows, [
    [m.asset_no, 'meter', null, '0.00', o1.id, s.metering.user.id, '1523.4', 'rotation', o2.id, s.metering.user.id, false],
    [ct.asset_no, 'ct', 'A', null, o1.id, s.dispatcher.user.id, null, null, null, null, true],
    [seal.asset_no, 'seal', 'meter_cover', null, o1.id, s.metering.user.id, null, null, o2.id, s.metering.user.id, false],
    [m2.asset_no, 'meter', null, '7.5', o2.id, s.metering.user.id, null, null, null, null, true],
  ]);
  assert.equal(h1.history[0].install_order_number, o1.number);
  assert.equal(h1.history[0].installed_by_name, s.metering.user.display_name);
  for (let i = 1; i < h1.history.length; i++) assert.ok(h1.history[i].installed_at >= h1.history[i - 1].installed_at, 'time order');
  assert.deepEqual(h1.current.map((r) => r.asset_no).sort(), [ct.asset_no, m2.asset_no].sort(), 'the CT and the new meter are there now');
  const h2 = await history(s.crew.token, p2);
  assert.deepEqual(h2.history.map((r) => [r.asset_no, r.install_reading, r.install_order_id, r.removed_at]), [[m.asset_no, '1523.4', o3.id, null]]);
  assert.deepEqual(h2.current.map((r) => r.asset_no), [m.asset_no]);
});

test(`${LABEL} metering assets: every illegal move is refused with its own code`, async () => {
  const s = await staff();
  const p = point();
  const o = await order(s, p);
  const m = await receive(s.keeper.token, METER);
  const seal = await receive(s.keeper.token, SEAL);
  const other = await receive(s.keeper.token, METER);
  const code = async (id, action, body, want, status = 409) => {
    const r = await move(s.metering.token, id, action, body);
    expectError(r, status, want);
    return r.json.error.details;
  };
  // in stock: not installable, removable or verifiable; not returnable
  let d = await code(m.id, 'install', { point_no: p, reading: '1' }, 'metering_asset_not_issued');
  assert.deepEqual([d.asset_no, d.status, d.action], [m.asset_no, 'in_stock', 'install']);
  await code(m.id, 'return', {}, 'metering_asset_not_issued');
  await code(m.id, 'remove', { reading: '1' }, 'metering_asset_not_installed');
  await code(m.id, 'verify', { result: 'passed' }, 'metering_asset_not_verifying');
  await code(m.id, 'apply', { point_no: p }, 'metering_move_wrong_kind');
  d = await code(seal.id, 'install', { point_no: p }, 'metering_move_wrong_kind');
  assert.equal(d.use, 'apply');
  await code(seal.id, 'send', {}, 'metering_move_wrong_kind');
  await code(m.id, 'fly', {}, 'invalid_field', 400);
  // issue needs a holder and an order; then it cannot be issued twice, nor sent or scrapped from the field
  await code(m.id, 'issue', { work_order_id: o.id }, 'missing_field', 400);
  await code(m.id, 'issue', { holder_id: s.crew.user.id, work_order_id: '00000000-0000-7000-8000-000000000000' }, 'invalid_field', 400);
  await moved(s.metering.token, m.id, 'issue', { holder_id: s.crew.user.id, work_order_id: o.id });
  await code(m.id, 'issue', { holder_id: s.crew.user.id, work_order_id: o.id }, 'metering_asset_not_in_stock');
  await code(m.id, 'send', {}, 'metering_asset_not_sendable');
  await code(m.id, 'scrap', {}, 'metering_asset_not_scrappable');
  // a meter goes in with its reading; a second meter cannot go where one is
  await code(m.id, 'install', { point_no: p }, 'missing_field', 400);
  await code(m.id, 'install', { point_no: p, reading: '12,5' }, 'invalid_field', 400);
  await moved(s.metering.token, m.id, 'install', { point_no: p, reading: '12.5' });
  await moved(s.keeper.token, other.id, 'issue', { holder_id: s.crew.user.id, work_order_id: o.id });
  d = await code(other.id, 'install', { point_no: p, reading: '0' }, 'metering_point_occupied');
  assert.equal(d.installed_asset_no, m.asset_no);
  await code(m.id, 'scrap', {}, 'metering_asset_not_scrappable');
  await code(m.id, 'remove', {}, 'missing_field', 400);
  // a stale version is refused
  const cur = (await api('GET', `/metering-assets/${m.id}`, { token: s.metering.token })).json;
  expectError(await move(s.metering.token, m.id, 'remove', { reading: '20', version: cur.version - 1 }), 409, 'version_conflict');
  // failed verification scraps it; a scrapped meter makes no move
  await moved(s.metering.token, m.id, 'remove', { reading: '20', version: cur.version });
  await moved(s.keeper.token, m.id, 'send');
  const failed = await moved(s.keeper.token, m.id, 'verify', { result: 'failed' });
  assert.equal(failed.status, 'scrapped');
  await code(m.id, 'issue', { holder_id: s.crew.user.id, work_order_id: o.id }, 'metering_asset_scrapped');
  // a broken seal is never a seal again, not even returned to stock
  await moved(s.keeper.token, seal.id, 'issue', { holder_id: s.crew.user.id, work_order_id: o.id });
  await moved(s.metering.token, seal.id, 'apply', { point_no: p });
  await moved(s.metering.token, seal.id, 'break', { reason: 'meter replaced' });
  for (const action of ['apply', 'issue', 'return', 'scrap']) await code(seal.id, action, { point_no: p, holder_id: s.crew.user.id, work_order_id: o.id }, 'metering_seal_broken');
  // who may move: the keeper issues, the dispatcher may not; the dispatcher may install; the crew reads only
  expectError(await move(s.dispatcher.token, other.id, 'return'), 403, 'forbidden');
  expectError(await move(s.crew.token, other.id, 'install', { point_no: point(), reading: '1' }), 403, 'forbidden');
  // a failed verification kept for repair goes back to removed, and can be sent again
  const r = await receive(s.keeper.token, METER);
  await moved(s.keeper.token, r.id, 'send');
  const kept = await moved(s.keeper.token, r.id, 'verify', { result: 'failed', repair: true });
  assert.equal(kept.status, 'removed');
  assert.equal((await moved(s.keeper.token, r.id, 'send')).status, 'verifying');
});

test(`${LABEL} metering assets: issue and return unused; a day's batch issue is all or nothing; the day's issued stock`, async () => {
  const s = await staff();
  const o1 = await order(s, point()), o2 = await order(s, point());
  const m = await receive(s.keeper.token, METER);
  await moved(s.keeper.token, m.id, 'issue', { holder_id: s.crew.user.id, work_order_id: o1.id });
  const back = await moved(s.keeper.token, m.id, 'return', { note: '客户改约' });
  assert.deepEqual([back.status, back.holder_id, back.work_order_id], ['in_stock', null, null]);
  assert.deepEqual(back.moves.slice(-1).map((x) => [x.move, x.from_status, x.to_status, x.holder_id, x.note]), [['returned', 'issued', 'in_stock', s.crew.user.id, '客户改约']]);

  const meters = [m, await receive(s.keeper.token, METER)];
  const seals = [await receive(s.keeper.token, SEAL), await receive(s.keeper.token, SEAL)];
  const ct = await receive(s.keeper.token, CT);
  const taken = await receive(s.keeper.token, METER);
  await moved(s.keeper.token, taken.id, 'issue', { holder_id: s.crew2.user.id, work_order_id: o2.id });
  const nos = [...meters, ...seals, ct].map((x) => x.asset_no);
  // one asset already out and one unknown: nothing goes, and the answer names both
  const refused = await api('POST', '/metering-assets/batch-issue', { token: s.keeper.token,
    body: { holder_id: s.crew.user.id, work_order_ids: [o1.id, o2.id], asset_nos: [...nos, taken.asset_no, `NOPE-${RUN}`] } });
  expectError(refused, 409, 'metering_batch_refused');
  assert.deepEqual(refused.json.error.details.items.map((x) => [x.asset_no, x.code]),
    [[taken.asset_no, 'metering_asset_not_in_stock'], [`NOPE-${RUN}`, 'not_found']]);
  for (const x of [...meters, ...seals, ct]) assert.equal((await api('GET', `/metering-assets/${x.id}`, { token: s.keeper.token })).json.status, 'in_stock', 'all or nothing');
  // the same list without them goes out together; the CT for the second order
  const ok = await api('POST', '/metering-assets/batch-issue', { token: s.keeper.token,
    body: { holder_id: s.crew.user.id, work_order_ids: [o1.id, o2.id], asset_nos: nos.slice(0, 4), items: [{ asset_no: ct.asset_no, work_order_id: o2.id }] } });
  expectStatus(ok, 200);
  assert.equal(ok.json.count, 5);
  assert.ok(ok.json.items.every((x) => x.status === 'issued' && x.holder_id === s.crew.user.id));
  assert.equal(ok.json.items.find((x) => x.asset_no === ct.asset_no).work_order_id, o2.id);
  expectError(await api('POST', '/metering-assets/batch-issue', { token: s.dispatcher.token,
    body: { holder_id: s.crew.user.id, work_order_ids: [o1.id], asset_nos: [no()] } }), 403, 'forbidden');

  const day = await api('GET', `/metering-assets/issued?work_order_ids=${o1.id},${o2.id}&day=${today()}`, { token: s.crew.token });
  expectStatus(day, 200);
  assert.deepEqual(day.json.items.map((x) => x.asset_no).sort(), [...nos, taken.asset_no].sort());
  const mine = day.json.by_holder.find((b) => b.holder_id === s.crew.user.id);
  assert.deepEqual([mine.count, mine.by_kind], [5, { meter: 2, seal: 2, ct: 1 }]);
  const yesterday = await api('GET', `/metering-assets/issued?work_order_ids=${o1.id}&day=2020-01-01`, { token: s.crew.token });
  assert.deepEqual(yesterday.json.items, []);
});

test(`${LABEL} metering assets: two keepers issuing one meter at once — exactly one wins`, async () => {
  const s = await staff();
  const o = await order(s, point());
  for (let round = 0; round < 3; round++) {
    const m = await receive(s.keeper.token, METER);
    const [a, b] = await Promise.all([
      move(s.keeper.token, m.id, 'issue', { holder_id: s.crew.user.id, work_order_id: o.id }),
      move(s.metering.token, m.id, 'issue', { holder_id: s.crew2.user.id, work_order_id: o.id })]);
    const codes = [a, b].map((r) => (r.status === 200 ? 'ok' : r.json.error.code)).sort();
    assert.deepEqual(codes, ['metering_asset_not_in_stock', 'ok']);
    const after = (await api('GET', `/metering-assets/${m.id}`, { token: s.keeper.token })).json;
    assert.equal(after.moves.filter((x) => x.move === 'issued').length, 1, 'one issue move');
    assert.equal(after.holder_id, (a.status === 200 ? s.crew : s.crew2).user.id);
  }
});

test(`${LABEL} metering assets: a finished job's SOP records move the assets; unknown numbers become discrepancies; what was issued and not installed is due back`, async () => {
  const s = await staff();
  const p = await people();
  await qualify(p.leader, p.crew);
  const pt = point();
  // on site today: an old meter with its seal, installed by an earlier job
  const old = await receive(s.keeper.token, METER);
  const oldSeal = await receive(s.keeper.token, SEAL);
  const before = await order(s, pt);
  for (const x of [old, oldSeal]) await moved(s.keeper.token, x.id, 'issue', { holder_id: p.crew.user.id, work_order_id: before.id });
  await moved(s.metering.token, old.id, 'install', { point_no: pt, reading: '100' });
  await moved(s.metering.token, oldSeal.id, 'apply', { point_no: pt, position: 'meter_cover' });

  // the day's preparation: the new meter, two seals and a spare meter issued for the replacement job
  const o = await order(s, pt);
  const fresh = await receive(s.keeper.token, METER);
  const spare = await receive(s.keeper.token, METER);
  const seals = [await receive(s.keeper.token, SEAL), await receive(s.keeper.token, SEAL)];
  expectStatus(await api('POST', '/metering-assets/batch-issue', { token: s.keeper.token,
    body: { holder_id: p.crew.user.id, work_order_ids: [o.id], asset_nos: [fresh, spare, ...seals].map((x) => x.asset_no) } }), 200);
  expectStatus(await api('GET', `/metering-assets/returns-due?work_order_id=${o.id}`, { token: s.keeper.token }), 200);

  const unknownSeal = `SX-${RUN}`;
  await runJob(p, o.id, {
    old_meter_asset_no: old.asset_no, old_reading_total: 2345.67, old_seal_nos: oldSeal.asset_no,
    new_meter_asset_no: fresh.asset_no, new_reading_total: 0.5,
    new_seal_nos: `${seals[0].asset_no}，${seals[1].asset_no} ${unknownSeal}`,
  });

  const h = await history(s.metering.token, pt);
  const row = (no_) => h.history.find((r) => r.asset_no === no_);
  assert.deepEqual([row(old.asset_no).removal_reading, row(old.asset_no).remove_order_id, row(old.asset_no).removed_by],
    ['2345.67', o.id, p.leader.user.id], 'the old meter out with its final reading, by the job, as its finisher');
  assert.equal(row(old.asset_no).removal_reason, 'lv_meter_install');
  assert.equal(row(oldSeal.asset_no).remove_order_id, o.id, 'the old seal broken');
  assert.deepEqual([row(fresh.asset_no).install_reading, row(fresh.asset_no).install_order_id, row(fresh.asset_no).removed_at], ['0.5', o.id, null]);
  assert.deepEqual(h.current.map((r) => r.asset_no).sort(), [fresh.asset_no, ...seals.map((x) => x.asset_no)].sort());
  const st = async (x) => (await api('GET', `/metering-assets/${x.id}`, { token: s.keeper.token })).json.status;
  assert.deepEqual([await st(old), await st(oldSeal), await st(fresh), await st(seals[0]), await st(seals[1]), await st(spare)],
    ['removed', 'removed', 'installed', 'installed', 'installed', 'issued']);

  // the unknown seal number and the random asset numbers the other SOP records carry are not in the ledger
  const disc = await api('GET', `/metering-discrepancies?work_order_id=${o.id}`, { token: s.metering.token });
  expectStatus(disc, 200);
  const d = disc.json.items.find((x) => x.asset_no === unknownSeal);
  assert.deepEqual([d.record_key, d.move, d.problem, d.point_no, d.work_order_number], ['new_seal_nos', 'install', 'unknown_asset', pt, o.number]);
  const res = await api('POST', `/metering-discrepancies/${d.id}/actions/resolve`, { token: s.metering.token, body: { resolution: '封印号抄错，已核对为正确编号' } });
  expectStatus(res, 200);
  assert.equal(res.json.resolved_by, s.metering.user.id);
  expectError(await api('POST', `/metering-discrepancies/${d.id}/actions/resolve`, { token: s.metering.token, body: { resolution: 'again' } }), 409, 'metering_discrepancy_resolved');
  const open = await api('GET', `/metering-discrepancies?work_order_id=${o.id}`, { token: s.metering.token });
  assert.ok(!open.json.items.some((x) => x.id === d.id), 'resolved ones leave the open list');

  // the spare meter was issued to the job and not installed: due back, and its holder and the keepers were told
  const due = await api('GET', `/metering-assets/returns-due?work_order_id=${o.id}`, { token: s.keeper.token });
  expectStatus(due, 200);
  assert.deepEqual(due.json.items.map((x) => [x.asset_no, x.holder_id, x.work_order_status]), [[spare.asset_no, p.crew.user.id, 'done']]);
  for (const who of [p.crew, s.keeper]) {
    const n = await api('GET', '/notifications', { token: who.token });
    expectStatus(n, 200);
    const note = n.json.items.find((x) => x.kind === 'metering_returns_due' && x.entity_id === o.id);
    assert.ok(note, `told ${who.user.username}`);
    assert.ok(note.body.includes(spare.asset_no));
  }
  // returning it clears the list
  await moved(s.keeper.token, spare.id, 'return');
  assert.deepEqual((await api('GET', `/metering-assets/returns-due?work_order_id=${o.id}`, { token: s.keeper.token })).json.items, []);
});

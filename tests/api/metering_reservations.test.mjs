// A day's reservation of metering assets (issue 12 item 6, R1.2 preparation; docs/api.md "A day's reservation"):
// specific in-stock meters, seals and CTs held for one crew member's work orders of one day, refused to anyone else
// (issue, a second reservation, send, scrap) with its own code, cancelled back to plain stock, issued together all or
// nothing; two reservations racing for one meter (exactly one wins); stale reservations released.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { api, userWithToken, expectError, expectStatus, LABEL } from './lib.mjs';
import { today } from './fieldwork_lib.mjs';

const RUN = `${Date.now().toString(36).toUpperCase()}${Math.floor(Math.random() * 1e4)}`;
let serial = 0;
const no = (p = 'RV') => `${p}-${RUN}-${String(++serial).padStart(3, '0')}`;
const point = () => `RP${RUN}${String(++serial).padStart(3, '0')}`;
const dayAfter = (d, n) => new Date(Date.parse(`${d}T00:00:00Z`) + n * 86400e3).toISOString().slice(0, 10);
// the tests' days are tomorrow and later, except the stale test's, which runs on today
const TOMORROW = dayAfter(today(), 1);

let staffMade;
const staff = () => (staffMade ??= (async () => {
  const [keeper, metering, dispatcher, crew, crew2, viewer, manager] = await Promise.all([
    userWithToken(['tool_keeper']), userWithToken(['metering']), userWithToken(['dispatcher']), userWithToken(['crew']),
    userWithToken(['crew']), userWithToken(['viewer']), userWithToken(['manager'])]);
  return { keeper, metering, dispatcher, crew, crew2, viewer, manager };
})());

const METER = { kind: 'meter', subtype: 'single_phase', accuracy_class: '2.0', rated: '220V 5(60)A', model: 'DDZY102', batch: 'RB-1' };
const CT = { kind: 'ct', ratio: '200/5', accuracy_class: '0.2S', model: 'LMZ1-0.5' };
const SEAL = { kind: 'seal', subtype: 'meter_cover', batch: 'S-ROLL-R' };

async function receive(token, fields) {
  const r = await api('POST', '/metering-assets', { token, body: { asset_no: no(), ...fields } });
  expectStatus(r, 201);
  return r.json;
}
async function order(s) {
  const o = await api('POST', '/work-orders', { token: s.dispatcher.token,
    body: { kind: 'lv_meter_install', customer_name: '李桂兰', site_address: '临澜市解放路 12 号', metering_point_no: point() } });
  expectStatus(o, 201);
  return o.json;
}
const reserve = (token, body) => api('POST', '/metering-reservations', { token, body });
async function reserved(token, body) {
  const r = await reserve(token, body);
  expectStatus(r, 201);
  return r.json;
}
const act = (token, id, action, body = {}) => api('POST', `/metering-reservations/${id}/actions/${action}`, { token, body });
const asset = async (s, id) => (await api('GET', `/metering-assets/${id}`, { token: s.keeper.token })).json;
const move = (token, id, action, body = {}) => api('POST', `/metering-assets/${id}/actions/${action}`, { token, body });

test(`${LABEL} metering reservations: a day's reservation holds the assets; everyone else is refused with its own code`, async () => {
  const s = await staff();
  const o1 = await order(s), o2 = await order(s);
  const m1 = await receive(s.keeper.token, METER), m2 = await receive(s.keeper.token, METER);
  const seal = await receive(s.keeper.token, SEAL), ct = await receive(s.keeper.token, CT);

  const r = await reserved(s.keeper.token, { day: TOMORROW, holder_id: s.crew.user.id, work_order_ids: [o1.id, o2.id],
    asset_nos: [m1.asset_no, seal.asset_no], items: [{ asset_no: m2.asset_no, work_order_id: o2.id }, { asset_no: ct.asset_no, work_order_id: o2.id }],
    note: '明日解放路换表' });
  assert.deepEqual([r.status, r.day, r.holder_id, r.holder_name, r.stale, r.stale_reason], ['open', TOMORROW, s.crew.user.id, s.crew.user.display_name, false, null]);
  assert.deepEqual(r.counts, { held: 4, issued: 0, released: 0 });
  assert.deepEqual(r.by_kind, { meter: 2, seal: 1, ct: 1 });
  assert.deepEqual(Object.fromEntries(r.items.map((i) => [i.asset_no, i.work_order_id])),
    { [m1.asset_no]: o1.id, [seal.asset_no]: o1.id, [m2.asset_no]: o2.id, [ct.asset_no]: o2.id });
  assert.deepEqual(r.work_orders.map((w) => w.id).sort(), [o1.id, o2.id].sort());
  // still on the shelf: in stock, with the hold named on the asset
  const a = await asset(s, m1.id);
  assert.equal(a.status, 'in_stock');
  assert.deepEqual([a.reservation.reservation_id, a.reservation.day, a.reservation.holder_id, a.reservation.work_order_id], [r.id, TOMORROW, s.crew.user.id, o1.id]);
  // audited in the same transaction
  const audit = (await api('GET', `/audit?entity=metering_reservation&entity_id=${r.id}`, { token: (await userWithToken(['supervisor'])).token })).json;
  assert.deepEqual(audit.items.map((x) => x.action), ['reserve']);

  // a second reservation of one of them: nothing of it is reserved, and the answer names the holder's reservation
  const m3 = await receive(s.keeper.token, METER);
  const twice = await reserve(s.metering.token, { day: TOMORROW, holder_id: s.crew2.user.id, work_order_ids: [o1.id], asset_nos: [m3.asset_no, m1.asset_no] });
  expectError(twice, 409, 'metering_reservation_refused');
  assert.deepEqual(twice.json.error.details.items.map((x) => [x.asset_no, x.code, x.reservation_id, x.reserved_for]),
    [[m1.asset_no, 'metering_asset_reserved', r.id, TOMORROW]]);
  assert.equal((await asset(s, m3.id)).reservation, null, 'all or nothing');

  // issued to someone else, sent for verification, scrapped: refused by the hold
  for (const [action, body] of [['issue', { holder_id: s.crew2.user.id, work_order_id: o1.id }], ['send', {}], ['scrap', { reason: '外观破损' }]]) {
    const e = expectError(await move(s.keeper.token, m1.id, action, body), 409, 'metering_asset_reserved');
    assert.deepEqual([e.details.asset_no, e.details.action, e.details.reservation_id, e.details.reserved_for, e.details.holder_id, e.details.holder_name],
      [m1.asset_no, action, r.id, TOMORROW, s.crew.user.id, s.crew.user.display_name]);
  }
  // the other moves keep their own refusal and say it is reserved too
  const ret = expectError(await move(s.keeper.token, m1.id, 'return'), 409, 'metering_asset_not_issued');
  assert.equal(ret.details.reservation_id, r.id);
  // the batch issue to someone else names it
  const batch = await api('POST', '/metering-assets/batch-issue', { token: s.keeper.token,
    body: { holder_id: s.crew2.user.id, work_order_ids: [o1.id], asset_nos: [m3.asset_no, seal.asset_no] } });
  expectError(batch, 409, 'metering_batch_refused');
  assert.deepEqual(batch.json.error.details.items.map((x) => [x.asset_no, x.code, x.reservation_id]), [[seal.asset_no, 'metering_asset_reserved', r.id]]);
  assert.equal((await asset(s, m3.id)).status, 'in_stock');

  // the list by day and holder; reading is metering.read, reserving metering.stock
  const day = await api('GET', `/metering-reservations?day=${TOMORROW}&holder_id=${s.crew.user.id}`, { token: s.viewer.token });
  expectStatus(day, 200);
  assert.deepEqual(day.json.items.map((x) => x.id), [r.id]);
  expectStatus(await api('GET', `/metering-reservations/${r.id}`, { token: s.crew.token }), 200);
  expectError(await api('GET', '/metering-reservations?day=tomorrow', { token: s.viewer.token }), 400, 'invalid_query', 'day');
  expectError(await api('GET', '/metering-reservations?status=held', { token: s.viewer.token }), 400, 'invalid_query', 'status');
  expectError(await reserve(s.dispatcher.token, { day: TOMORROW, holder_id: s.crew.user.id, work_order_ids: [o1.id], asset_nos: [m3.asset_no] }), 403, 'forbidden');
  expectError(await act(s.manager.token, r.id, 'issue'), 403, 'forbidden');
  expectError(await act(s.viewer.token, r.id, 'cancel'), 403, 'forbidden');
  expectError(await api('GET', '/metering-reservations/00000000-0000-7000-8000-000000000000', { token: s.viewer.token }), 404, 'not_found');

  // what the keeper picks from: the open metering orders and who may hold stock
  const ch = await api('GET', `/metering-reservations/choices?q=${encodeURIComponent(o1.number)}`, { token: s.keeper.token });
  expectStatus(ch, 200);
  assert.deepEqual(ch.json.work_orders.map((w) => w.id), [o1.id]);
  assert.ok(ch.json.holders.some((u) => u.id === s.crew.user.id && u.display_name === s.crew.user.display_name));
  assert.ok(!ch.json.holders.some((u) => u.id === s.viewer.user.id), 'crew and leaders only');
  expectError(await api('GET', '/metering-reservations/choices', { token: s.viewer.token }), 403, 'forbidden');
});

test(`${LABEL} metering reservations: what cannot be reserved is refused, all or nothing`, async () => {
  const s = await staff();
  const o = await order(s), closed = await order(s);
  expectStatus(await api('POST', `/work-orders/${closed.id}/actions/cancel`, { token: s.dispatcher.token, body: {} }), 200);
  const m = await receive(s.keeper.token, METER), out = await receive(s.keeper.token, METER), scrapped = await receive(s.keeper.token, METER);
  expectStatus(await move(s.keeper.token, out.id, 'issue', { holder_id: s.crew2.user.id, work_order_id: o.id }), 200);
  expectStatus(await move(s.keeper.token, scrapped.id, 'scrap', { reason: '进水' }), 200);
  const base = { day: TOMORROW, holder_id: s.crew.user.id, work_order_ids: [o.id] };

  expectError(await reserve(s.keeper.token, { ...base, day: dayAfter(today(), -1), asset_nos: [m.asset_no] }), 400, 'invalid_field', 'day');
  expectError(await reserve(s.keeper.token, { ...base, day: '2026-13-01', asset_nos: [m.asset_no] }), 400, 'invalid_field', 'day');
  expectError(await reserve(s.keeper.token, { ...base, holder_id: 'nobody', asset_nos: [m.asset_no] }), 400, 'invalid_field', 'holder_id');
  expectError(await reserve(s.keeper.token, { ...base, work_order_ids: [] }), 400, 'missing_field', 'work_order_ids');
  expectError(await reserve(s.keeper.token, { ...base, work_order_ids: ['no-such-order'], asset_nos: [m.asset_no] }), 400, 'invalid_field', 'work_order_ids');
  expectError(await reserve(s.keeper.token, base), 400, 'missing_field', 'asset_nos');
  const cl = expectError(await reserve(s.keeper.token, { ...base, work_order_ids: [o.id, closed.id], asset_nos: [m.asset_no] }), 409, 'metering_work_order_closed');
  assert.deepEqual([cl.details.work_order_id, cl.details.status], [closed.id, 'cancelled']);

  const refused = await reserve(s.keeper.token, { ...base, asset_nos: [m.asset_no, out.asset_no, scrapped.asset_no, `NOPE-${RUN}`],
    items: [{ asset_no: m.asset_no, work_order_id: 'not-listed' }] });
  expectError(refused, 409, 'metering_reservation_refused');
  const codes = Object.fromEntries(refused.json.error.details.items.map((x) => [`${x.asset_no}:${x.code}`, x.status ?? x.field ?? null]));
  assert.deepEqual(codes, {
    [`${m.asset_no}:invalid_field`]: 'work_order_id',
    [`${out.asset_no}:metering_asset_not_in_stock`]: 'issued',
    [`${scrapped.asset_no}:metering_asset_scrapped`]: 'scrapped',
    [`NOPE-${RUN}:not_found`]: null,
  });
  assert.equal((await asset(s, m.id)).reservation, null, 'nothing was held');
  // the same asset twice in one request: the second one is the first one's hold
  const dup = await reserve(s.keeper.token, { ...base, asset_nos: [m.asset_no, m.asset_no] });
  expectError(dup, 409, 'metering_reservation_refused');
  assert.deepEqual(dup.json.error.details.items.map((x) => x.code), ['metering_asset_reserved']);
});

test(`${LABEL} metering reservations: cancel lets the assets go back to plain stock; a closed reservation refuses every action`, async () => {
  const s = await staff();
  const o = await order(s);
  const m = await receive(s.keeper.token, METER), seal = await receive(s.keeper.token, SEAL);
  const r = await reserved(s.keeper.token, { day: TOMORROW, holder_id: s.crew.user.id, work_order_ids: [o.id], asset_nos: [m.asset_no, seal.asset_no] });
  expectError(await act(s.keeper.token, r.id, 'cancel', { version: r.version + 5 }), 409, 'version_conflict');
  const c = await act(s.keeper.token, r.id, 'cancel', { version: r.version, reason: '客户改约' });
  expectStatus(c, 200);
  assert.deepEqual([c.json.status, c.json.close_reason, c.json.closed_by, c.json.counts], ['cancelled', '客户改约', s.keeper.user.id, { held: 0, issued: 0, released: 2 }]);
  assert.ok(c.json.items.every((i) => i.state === 'released' && i.end_reason === 'cancelled'));
  assert.equal((await asset(s, m.id)).reservation, null);
  // plain stock: anyone may have it now
  expectStatus(await move(s.keeper.token, m.id, 'issue', { holder_id: s.crew2.user.id, work_order_id: o.id }), 200);
  expectStatus(await reserve(s.metering.token, { day: TOMORROW, holder_id: s.crew2.user.id, work_order_ids: [o.id], asset_nos: [seal.asset_no] }), 201);
  for (const action of ['cancel', 'issue']) {
    const e = expectError(await act(s.keeper.token, r.id, action), 409, 'metering_reservation_closed');
    assert.deepEqual([e.details.reservation_id, e.details.status], [r.id, 'cancelled']);
  }
  const audit = (await api('GET', `/audit?entity=metering_reservation&entity_id=${r.id}`, { token: (await userWithToken(['supervisor'])).token })).json;
  assert.deepEqual(audit.items.map((x) => x.action).sort(), ['cancel', 'reserve']);
});

test(`${LABEL} metering reservations: the day's issue sends every held asset to the holder for its order, together`, async () => {
  const s = await staff();
  const o1 = await order(s), o2 = await order(s);
  const meters = [await receive(s.keeper.token, METER), await receive(s.keeper.token, METER)];
  const seals = [await receive(s.keeper.token, SEAL), await receive(s.keeper.token, SEAL)];
  const r = await reserved(s.keeper.token, { day: TOMORROW, holder_id: s.crew.user.id, work_order_ids: [o1.id, o2.id],
    items: [{ asset_no: meters[0].asset_no, work_order_id: o1.id }, { asset_no: seals[0].asset_no, work_order_id: o1.id },
      { asset_no: meters[1].asset_no, work_order_id: o2.id }, { asset_no: seals[1].asset_no, work_order_id: o2.id }] });
  const out = await act(s.keeper.token, r.id, 'issue', { note: '早班领用' });
  expectStatus(out, 200);
  assert.equal(out.json.count, 4);
  assert.deepEqual(out.json.released, []);
  assert.deepEqual([out.json.reservation.status, out.json.reservation.counts], ['issued', { held: 0, issued: 4, released: 0 }]);
  for (const [x, wo] of [[meters[0], o1], [seals[0], o1], [meters[1], o2], [seals[1], o2]]) {
    const a = await asset(s, x.id);
    assert.deepEqual([a.status, a.holder_id, a.work_order_id, a.reservation], ['issued', s.crew.user.id, wo.id, null]);
    assert.equal(a.moves.at(-1).note, '早班领用');
  }
  // the day's issued stock shows them under the holder
  const issued = await api('GET', `/metering-assets/issued?work_order_ids=${o1.id},${o2.id}`, { token: s.crew.token });
  assert.deepEqual(issued.json.by_holder.map((b) => [b.holder_id, b.count]), [[s.crew.user.id, 4]]);
  expectError(await act(s.keeper.token, r.id, 'issue'), 409, 'metering_reservation_closed');
  const audit = (await api('GET', `/audit?entity=metering_reservation&entity_id=${r.id}`, { token: (await userWithToken(['supervisor'])).token })).json;
  assert.deepEqual(audit.items.map((x) => x.action).sort(), ['issue', 'reserve']);

  // one asset issued on its own to the holder ends its hold; the last one closes the reservation as issued
  const m = await receive(s.keeper.token, METER), ct = await receive(s.keeper.token, CT);
  const r2 = await reserved(s.keeper.token, { day: TOMORROW, holder_id: s.crew2.user.id, work_order_ids: [o1.id], asset_nos: [m.asset_no, ct.asset_no] });
  expectStatus(await move(s.keeper.token, m.id, 'issue', { holder_id: s.crew2.user.id, work_order_id: o1.id }), 200);
  let again = (await api('GET', `/metering-reservations/${r2.id}`, { token: s.keeper.token })).json;
  assert.deepEqual([again.status, again.counts], ['open', { held: 1, issued: 1, released: 0 }]);
  expectStatus(await api('POST', '/metering-assets/batch-issue', { token: s.keeper.token,
    body: { holder_id: s.crew2.user.id, work_order_ids: [o1.id], asset_nos: [ct.asset_no] } }), 200);
  again = (await api('GET', `/metering-reservations/${r2.id}`, { token: s.keeper.token })).json;
  assert.deepEqual([again.status, again.counts], ['issued', { held: 0, issued: 2, released: 0 }]);
});

test(`${LABEL} metering reservations: two reservations of one meter at once — exactly one wins`, async () => {
  const s = await staff();
  const o = await order(s);
  for (let round = 0; round < 3; round++) {
    const m = await receive(s.keeper.token, METER);
    const [a, b] = await Promise.all([
      reserve(s.keeper.token, { day: TOMORROW, holder_id: s.crew.user.id, work_order_ids: [o.id], asset_nos: [m.asset_no] }),
      reserve(s.metering.token, { day: dayAfter(TOMORROW, 1), holder_id: s.crew2.user.id, work_order_ids: [o.id], asset_nos: [m.asset_no] })]);
    const codes = [a, b].map((r) => (r.status === 201 ? 'ok' : r.json.error.code)).sort();
    assert.deepEqual(codes, ['metering_reservation_refused', 'ok']);
    const loser = a.status === 201 ? b : a, winner = a.status === 201 ? a : b;
    assert.deepEqual(loser.json.error.details.items.map((x) => [x.code, x.reservation_id]), [['metering_asset_reserved', winner.json.id]]);
    assert.equal((await asset(s, m.id)).reservation.reservation_id, winner.json.id);
  }
});

test(`${LABEL} metering reservations: stale ones are shown, released, and never issued`, async () => {
  const s = await staff();
  const o1 = await order(s), o2 = await order(s), o3 = await order(s);
  const [m1, m2, m3, m4] = [await receive(s.keeper.token, METER), await receive(s.keeper.token, METER), await receive(s.keeper.token, METER), await receive(s.keeper.token, METER)];
  // r1: one of its two orders cancelled — the issue lets that hold go and issues the rest
  const r1 = await reserved(s.keeper.token, { day: TOMORROW, holder_id: s.crew.user.id, work_order_ids: [o1.id, o2.id],
    items: [{ asset_no: m1.asset_no, work_order_id: o1.id }, { asset_no: m2.asset_no, work_order_id: o2.id }] });
  // r2: its only order cancelled — stale, and the issue refuses it
  const r2 = await reserved(s.keeper.token, { day: TOMORROW, holder_id: s.crew2.user.id, work_order_ids: [o3.id], asset_nos: [m3.asset_no] });
  // r3: today's, untouched until its day has passed
  const r3 = await reserved(s.keeper.token, { day: today(), holder_id: s.crew2.user.id, work_order_ids: [o1.id], asset_nos: [m4.asset_no] });
  for (const o of [o2, o3]) expectStatus(await api('POST', `/work-orders/${o.id}/actions/cancel`, { token: s.dispatcher.token, body: {} }), 200);

  const shown = (await api('GET', `/metering-reservations/${r2.id}`, { token: s.viewer.token })).json;
  assert.deepEqual([shown.status, shown.stale, shown.stale_reason], ['open', true, 'orders_closed']);
  const st = expectError(await act(s.keeper.token, r2.id, 'issue'), 409, 'metering_reservation_stale');
  assert.deepEqual([st.details.reason, st.details.reservation_id], ['orders_closed', r2.id]);
  assert.equal((await asset(s, m3.id)).status, 'in_stock');

  const out = await act(s.keeper.token, r1.id, 'issue');
  expectStatus(out, 200);
  assert.deepEqual(out.json.items.map((x) => x.asset_no), [m1.asset_no]);
  assert.deepEqual(out.json.released.map((x) => [x.asset_no, x.work_order_id, x.reason]), [[m2.asset_no, o2.id, 'order_closed']]);
  assert.deepEqual([out.json.reservation.status, out.json.reservation.counts], ['issued', { held: 0, issued: 1, released: 1 }]);
  assert.deepEqual([(await asset(s, m2.id)).status, (await asset(s, m2.id)).reservation], ['in_stock', null]);

  // the release (the hourly job, here by hand): r2 let go; r3 kept today, let go as of tomorrow
  expectError(await api('POST', '/metering-reservations/release-stale', { token: s.keeper.token, body: { as_of: dayAfter(today(), -1) } }), 400, 'invalid_field', 'as_of');
  expectError(await api('POST', '/metering-reservations/release-stale', { token: s.dispatcher.token, body: {} }), 403, 'forbidden');
  const rel = await api('POST', '/metering-reservations/release-stale', { token: s.keeper.token, body: {} });
  expectStatus(rel, 200);
  assert.deepEqual(rel.json.items.filter((x) => [r1.id, r2.id, r3.id].includes(x.id)).map((x) => [x.id, x.status, x.reason]), [[r2.id, 'released', 'orders_closed']]);
  const r2after = (await api('GET', `/metering-reservations/${r2.id}`, { token: s.viewer.token })).json;
  assert.deepEqual([r2after.status, r2after.close_reason, r2after.stale, r2after.items[0].end_reason], ['released', 'orders_closed', false, 'order_closed']);
  assert.equal((await asset(s, m3.id)).reservation, null);
  assert.equal((await api('GET', `/metering-reservations/${r3.id}`, { token: s.viewer.token })).json.status, 'open');

  const next = await api('POST', '/metering-reservations/release-stale', { token: s.keeper.token, body: { as_of: TOMORROW } });
  expectStatus(next, 200);
  assert.deepEqual(next.json.items.filter((x) => x.id === r3.id).map((x) => [x.status, x.reason]), [['released', 'past_day']]);
  assert.equal((await asset(s, m4.id)).reservation, null);
  const audit = (await api('GET', `/audit?entity=metering_reservation&entity_id=${r2.id}`, { token: (await userWithToken(['supervisor'])).token })).json;
  assert.deepEqual(audit.items.map((x) => x.action).sort(), ['release', 'reserve']);
});

test(`${LABEL} metering reservations: reserve by need proposes in-stock, unheld assets, oldest verification first, and says what is short`, async () => {
  const s = await staff();
  const o1 = await order(s), o2 = await order(s);
  const model = `NEED-${RUN}`, sealModel = `SNEED-${RUN}`;
  const old = await receive(s.keeper.token, { ...METER, model, verified_on: '2024-01-10' });
  const older = await receive(s.keeper.token, { ...METER, model, verified_on: '2023-11-02' });
  const newest = await receive(s.keeper.token, { ...METER, model, verified_on: '2025-03-01' });
  const held = await receive(s.keeper.token, { ...METER, model, verified_on: '2022-01-01' });
  const seals = [await receive(s.keeper.token, { ...SEAL, model: sealModel }), await receive(s.keeper.token, { ...SEAL, model: sealModel })];
  await reserved(s.keeper.token, { day: TOMORROW, holder_id: s.crew2.user.id, work_order_ids: [o1.id], asset_nos: [held.asset_no] });
  const p = await api('POST', '/metering-reservations/propose', { token: s.keeper.token, body: { work_order_ids: [o1.id, o2.id],
    needs: [{ kind: 'meter', subtype: 'single_phase', model, count: 1 }, { kind: 'meter', subtype: 'single_phase', model, count: 1, work_order_id: o2.id },
      { kind: 'seal', subtype: 'meter_cover', model: sealModel, count: 3, work_order_id: o2.id }] } });
  expectStatus(p, 200);
  // the held one is not offered; the oldest verification goes first, each asset once, to the order its need names
  assert.deepEqual(p.json.items.map((x) => [x.asset_no, x.work_order_id]),
    [[older.asset_no, o1.id], [old.asset_no, o2.id], [seals[0].asset_no, o2.id], [seals[1].asset_no, o2.id]]);
  assert.ok(!p.json.items.some((x) => x.asset_no === newest.asset_no || x.asset_no === held.asset_no));
  assert.deepEqual(p.json.short.map((x) => [x.work_order_id, x.kind, x.count, x.found]), [[o2.id, 'seal', 3, 2]]);
  // nothing is held by a proposal; reserving it is the keeper's next step
  assert.equal((await asset(s, older.id)).reservation, null);
  const r = await reserved(s.keeper.token, { day: TOMORROW, holder_id: s.crew.user.id, work_order_ids: [o1.id, o2.id],
    items: p.json.items.map((x) => ({ asset_no: x.asset_no, work_order_id: x.work_order_id })) });
  assert.equal(r.counts.held, 4);

  // without needs: each order's work kind's (data/metering/reservation_needs.json)
  const ct = await api('POST', '/work-orders', { token: s.dispatcher.token, body: { kind: 'ct_meter_install', customer_name: '周强', site_address: '临澜市建设路 1 号', metering_point_no: point() } });
  expectStatus(ct, 201);
  const d = await api('POST', '/metering-reservations/propose', { token: s.keeper.token, body: { work_order_ids: [ct.json.id] } });
  expectStatus(d, 200);
  assert.deepEqual(d.json.needs.map((x) => [x.kind, x.subtype, x.count]),
    [['meter', 'three_phase_ct', 1], ['ct', null, 3], ['seal', 'meter_cover', 2], ['seal', 'ct_box', 1]]);
  assert.ok(d.json.items.every((x) => x.work_order_id === ct.json.id));
  expectError(await api('POST', '/metering-reservations/propose', { token: s.keeper.token, body: { work_order_ids: [o1.id], needs: [{ kind: 'cable', count: 1 }] } }), 400, 'invalid_field', 'needs');
  expectError(await api('POST', '/metering-reservations/propose', { token: s.keeper.token, body: { work_order_ids: [o1.id], needs: [{ kind: 'seal', count: 0 }] } }), 400, 'invalid_field', 'needs');
  expectError(await api('POST', '/metering-reservations/propose', { token: s.keeper.token, body: { work_order_ids: ['nope'] } }), 400, 'invalid_field', 'work_order_ids');
  expectError(await api('POST', '/metering-reservations/propose', { token: s.viewer.token, body: { work_order_ids: [o1.id] } }), 403, 'forbidden');
});

test(`${LABEL} metering reservations: every reservation error code is documented in docs/api.md with its status`, async () => {
  const { readFileSync } = await import('node:fs');
  const src = readFileSync(new URL('../../src/metering/assets/assets_module.c', import.meta.url), 'utf8');
  const codes = [...src.matchAll(/\{"([a-z0-9_]+)", (\d{3}),/g)].map((m) => [m[1], m[2]])
    .filter(([c]) => /reserv|work_order_closed/.test(c));
  assert.equal(codes.length, 5);
  const doc = readFileSync(new URL('../../docs/api.md', import.meta.url), 'utf8');
  for (const [code, status] of codes) assert.match(doc, new RegExp(`${status}[^\\n]*\`${code}\``), `${code} (${status}) in docs/api.md`);
});

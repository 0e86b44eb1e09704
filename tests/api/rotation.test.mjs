// Rotation campaigns (issue 12 item 4; docs/api.md "Rotation campaigns"): the preview counts what the criteria
// select without creating anything; generate makes one meter_rotation work order per transformer area and working
// day within the crews' capacity (the calendar's holidays and make-up Saturdays respected) and the items; a finished
// work order marks its meters done; cancel ends the campaign with its open work orders.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { api, userWithToken, createOrgUnit, expectError, expectStatus, uniq, LABEL, PASSWORD, BASE_URL } from './lib.mjs';
import { today, people, qualify, equip, act as post, newTicket, issuedReceivedPermitted, briefed, risksConfirmed, upload, runJob } from './fieldwork_lib.mjs';
import { imported } from './lib_meters.mjs';

const HEAD = 'asset_no,batch,model,accuracy_class,subtype,sampling,status,point_no,transformer_area,installed_on,produced_on\n';

/** A small ledger, hand-countable: area A 5 meters (4 installed in 2015, 1 in 2022), area B 3 (2016), area C 2
 * (2023, batch failed its sampling), plus one meter in stock (never selected). */
async function ledger(token) {
  const p = uniq('RT');
  const rows = [];
  const add = (n, area, year, extra = {}) => {
    const i = rows.length + 1;
    const v = { asset_no: `${p}-${String(i).padStart(3, '0')}`, batch: `${p}-B1`, model: 'DDZY102', accuracy_class: '2.0',
      subtype: 'single_phase', sampling: '', status: 'installed', point_no: `${p}-P${i}`, transformer_area: `${p}-${area}`,
      installed_on: `${year}-06-01`, produced_on: `${year}-01-01`, ...extra };
    rows.push(Object.values(v).join(','));
  };
  for (let i = 0; i < 4; i++) add(1, 'A', 2015);
  add(1, 'A', 2022);
  for (let i = 0; i < 3; i++) add(1, 'B', 2016, { batch: `${p}-B2` });
  for (let i = 0; i < 2; i++) add(1, 'C', 2023, { batch: `${p}-B3`, sampling: 'failed' });
  add(1, 'A', 2010, { status: 'in_stock', point_no: '', transformer_area: '', installed_on: '' });
  const imp = await imported(token, HEAD + rows.join('\n') + '\n');
  assert.equal(imp.state, 'done', JSON.stringify(imp.report));
  return { p, batches: [`${p}-B1`, `${p}-B2`, `${p}-B3`], areas: ['A', 'B', 'C'].map((a) => `${p}-${a}`) };
}

async function staff() {
  const [m, d] = await Promise.all([userWithToken(['metering']), userWithToken(['dispatcher'])]);
  return { m, d };
}

test(`${LABEL} rotation: preview counts by area and batch, creating nothing`, async () => {
  const { m } = await staff();
  const L = await ledger(m.token);
  const areas = L.areas;
  const prev = (criteria) => api('POST', '/rotation/preview', { token: m.token, body: { criteria: { areas, ...criteria } } });
  // smart meters are due after 8 years (REFERENCE.md §4.3): on 2025-06-01, those installed on or before 2017-06-01
  let r = await prev({ older_than_years: 8, as_of: '2025-06-01' });
  expectStatus(r, 200);
  assert.equal(r.json.total, 7);
  assert.equal(r.json.cutoff, '2017-06-01');
  assert.deepEqual(r.json.by_area, [{ area: areas[0], count: 4 }, { area: areas[1], count: 3 }]);
  assert.deepEqual(r.json.by_batch, [{ batch: L.batches[0], count: 4 }, { batch: L.batches[1], count: 3 }]);
  // or a failed sampling (状态更换)
  r = await prev({ older_than_years: 8, as_of: '2025-06-01', sampling_failed: true });
  assert.equal(r.json.total, 9);
  r = await prev({ sampling_failed: true });
  assert.deepEqual(r.json.by_area, [{ area: areas[2], count: 2 }]);
  // by production date, by batch, by one area
  r = await prev({ older_than_years: 8, age_basis: 'produced_on', as_of: '2024-12-31' });
  assert.equal(r.json.total, 7);
  r = await prev({ batch: L.batches[1] });
  assert.equal(r.json.total, 3);
  r = await prev({ areas: [areas[0]] });
  assert.equal(r.json.total, 5, 'the meter in stock is never selected');
  expectError(await prev({ older_than_years: -1 }), 400, 'invalid_field', 'criteria.older_than_years');
  expectError(await prev({ age_basis: 'verified_on' }), 400, 'invalid_field', 'criteria.age_basis');
  const list = await api('GET', '/rotation/campaigns', { token: m.token });
  expectStatus(list, 200);
  assert.ok(!list.json.items.some((c) => JSON.stringify(c.criteria).includes(L.p)), 'a preview creates nothing');
});

test(`${LABEL} rotation: generate within capacity on working days, progress when a work order finishes; complete waits for every meter`, async () => {
  const { m, d } = await staff();
  const L = await ledger(m.token);
  // 7 meters (A: 4, B: 3), one crew of 2 meters a day from Wednesday 2026-09-30: the National Day holiday
  // (10-01..10-07) is skipped and Saturday 10-10 is a make-up working day (国办发明电 2026)
  const c = await api('POST', '/rotation/campaigns', { token: m.token, body: { name: `轮换 ${L.p}`, crews: 1, per_crew_day: 2,
    start_on: '2026-09-30', criteria: { areas: L.areas, older_than_years: 8, as_of: '2025-06-01' } } });
  expectStatus(c, 201);
  assert.equal(c.json.status, 'draft');
  assert.equal(c.json.total, 0);
  const crew = await userWithToken(['crew']);
  expectError(await api('POST', `/rotation/campaigns/${c.json.id}/actions/generate`, { token: crew.token, body: {} }), 403, 'forbidden');
  const g = await api('POST', `/rotation/campaigns/${c.json.id}/actions/generate`, { token: m.token, body: {} });
  expectStatus(g, 200);
  assert.equal(g.json.status, 'running');
  const got = await api('GET', `/rotation/campaigns/${c.json.id}`, { token: m.token });
  expectStatus(got, 200);
  assert.equal(got.json.total, 7);
  assert.equal(got.json.orders, 4);
  assert.equal(got.json.first_day, '2026-09-30');
  assert.equal(got.json.last_day, '2026-10-10');
  assert.deepEqual(got.json.progress.by_day.map((d) => [d.day, d.total]),
    [['2026-09-30', 2], ['2026-10-08', 2], ['2026-10-09', 2], ['2026-10-10', 1]]);
  const orders = await api('GET', `/rotation/campaigns/${c.json.id}/orders`, { token: m.token });
  expectStatus(orders, 200);
  const A = L.areas[0], B = L.areas[1];
  assert.deepEqual(orders.json.items.map((o) => [o.day, o.area, o.meters]),
    [['2026-09-30', A, 2], ['2026-10-08', A, 2], ['2026-10-09', B, 2], ['2026-10-10', B, 1]]);
  // each order takes its area's meters in asset-number order: A's four of 2015 split 2 + 2 across the holiday
  const no = (i) => `${L.p}-${String(i).padStart(3, '0')}`;
  assert.deepEqual(orders.json.items.map((o) => [o.asset_from, o.asset_to]),
    [[no(1), no(2)], [no(3), no(4)], [no(6), no(7)], [no(8), no(8)]]);
  for (const o of orders.json.items) {
    const wo = await api('GET', `/work-orders/${o.work_order_id}`, { token: d.token });
    expectStatus(wo, 200);
    assert.equal(wo.json.kind, 'meter_rotation');
    // due at the end of its day, Asia/Shanghai
    assert.equal(wo.json.due_at, Date.parse(`${o.day}T23:59:59.999+08:00`));
  }
  // the same meters are not selected again while the campaign holds them
  const again = await api('POST', '/rotation/preview', { token: m.token, body: { criteria: { areas: L.areas, older_than_years: 8, as_of: '2025-06-01' } } });
  assert.equal(again.json.total, 0);
  expectError(await api('POST', `/rotation/campaigns/${c.json.id}/actions/complete`, { token: m.token, body: {} }), 409, 'rotation_items_open');

  // field work finishes the first order: its two meters are done
  const p = await people();
  await qualify(p.leader, p.crew);
  await runJob(p, orders.json.items[0].work_order_id, null);
  const after = await api('GET', `/rotation/campaigns/${c.json.id}`, { token: m.token });
  assert.equal(after.json.progress.done, 2);
  assert.equal(after.json.progress.percent, 28);
  assert.deepEqual(after.json.progress.by_area.map((a) => [a.area, a.total, a.done]), [[A, 4, 2], [B, 3, 0]]);
  const screen = await api('GET', '/rotation/summary', { token: crew.token });
  expectStatus(screen, 200);
  const mine = screen.json.campaigns.find((x) => x.id === c.json.id);
  assert.deepEqual([mine.total, mine.done, mine.percent], [7, 2, 28]);
  assert.deepEqual(screen.json.by_area.find((a) => a.area === A), { area: A, total: 4, done: 2 });
});

test(`${LABEL} rotation: cancel ends the campaign and its open work orders; a campaign selecting nothing cannot generate`, async () => {
  const { m, d } = await staff();
  const L = await ledger(m.token);
  const c = await api('POST', '/rotation/campaigns', { token: d.token, body: { name: `状态更换 ${L.p}`, crews: 2, per_crew_day: 10,
    start_on: '2026-09-30', criteria: { areas: L.areas, sampling_failed: true } } });
  expectStatus(c, 201);
  expectStatus(await api('POST', `/rotation/campaigns/${c.json.id}/actions/generate`, { token: d.token, body: {} }), 200);
  const orders = await api('GET', `/rotation/campaigns/${c.json.id}/orders`, { token: m.token });
  assert.deepEqual(orders.json.items.map((o) => [o.day, o.meters]), [['2026-09-30', 2]]);
  expectError(await api('POST', `/rotation/campaigns/${c.json.id}/actions/cancel`, { token: m.token, body: {} }), 409, 'reason_required');
  const x = await api('POST', `/rotation/campaigns/${c.json.id}/actions/cancel`, { token: m.token, body: { reason: '批次复检合格' } });
  expectStatus(x, 200);
  assert.equal(x.json.status, 'cancelled');
  const wo = await api('GET', `/work-orders/${orders.json.items[0].work_order_id}`, { token: d.token });
  assert.equal(wo.json.status, 'cancelled');
  const got = await api('GET', `/rotation/campaigns/${c.json.id}`, { token: m.token });
  assert.deepEqual([got.json.progress.cancelled, got.json.progress.open], [2, 0]);
  assert.equal(got.json.cancel_reason, '批次复检合格');
  // the meters are free for another campaign
  const pv = await api('POST', '/rotation/preview', { token: m.token, body: { criteria: { areas: L.areas, sampling_failed: true } } });
  assert.equal(pv.json.total, 2);
  const none = await api('POST', '/rotation/campaigns', { token: m.token, body: { name: 'empty', crews: 1, per_crew_day: 1,
    start_on: '2026-09-30', criteria: { batch: uniq('nobatch') } } });
  expectStatus(none, 201);
  expectError(await api('POST', `/rotation/campaigns/${none.json.id}/actions/generate`, { token: m.token, body: {} }), 409, 'rotation_no_meters');
  expectError(await api('POST', '/rotation/campaigns', { token: m.token, body: { name: 'x', crews: 0, per_crew_day: 1, start_on: '2026-09-30' } }),
    400, 'invalid_field', 'crews');
});

test(`${LABEL} rotation: meters installed without a transformer area are one area, split across days by asset number`, async () => {
  const [keeper, m, d, crew] = await Promise.all([userWithToken(['tool_keeper']), userWithToken(['metering']),
    userWithToken(['dispatcher']), userWithToken(['crew'])]);
  const p = uniq('RN');
  const batch = `${p}-B`;
  for (let i = 1; i <= 3; i++) {
    const r = await api('POST', '/metering-assets', { token: keeper.token, body: { asset_no: `${p}-${i}`, kind: 'meter',
      subtype: 'single_phase', accuracy_class: '2.0', rated: '220V 5(60)A', model: 'DDZY102', batch } });
    expectStatus(r, 201);
    const pointNo = `${p}P${i}`;
    const o = await api('POST', '/work-orders', { token: d.token, body: { kind: 'lv_meter_install', customer_name: '王秀英',
      site_address: '临澜市和平街 7 号', metering_point_no: pointNo } });
    expectStatus(o, 201);
    expectStatus(await api('POST', `/metering-assets/${r.json.id}/actions/issue`, { token: keeper.token,
      body: { holder_id: crew.user.id, work_order_id: o.json.id } }), 200);
    // no transformer_area: the meter's area is unknown
    expectStatus(await api('POST', `/metering-assets/${r.json.id}/actions/install`, { token: m.token,
      body: { point_no: pointNo, reading: '0.00', work_order_id: o.json.id } }), 200);
  }
  const c = await api('POST', '/rotation/campaigns', { token: m.token, body: { name: `轮换 ${p}`, crews: 1, per_crew_day: 2,
    start_on: '2026-09-30', criteria: { batch } } });
  expectStatus(c, 201);
  expectStatus(await api('POST', `/rotation/campaigns/${c.json.id}/actions/generate`, { token: m.token, body: {} }), 200);
  const orders = await api('GET', `/rotation/campaigns/${c.json.id}/orders`, { token: m.token });
  expectStatus(orders, 200);
  assert.deepEqual(orders.json.items.map((o) => [o.day, o.area, o.meters, o.asset_from, o.asset_to]),
    [['2026-09-30', '', 2, `${p}-1`, `${p}-2`], ['2026-10-08', '', 1, `${p}-3`, `${p}-3`]]);
  const got = await api('GET', `/rotation/campaigns/${c.json.id}`, { token: m.token });
  assert.equal(got.json.total, 3);
  assert.deepEqual(got.json.progress.by_area.map((a) => [a.area, a.total]), [['', 3]]);
});

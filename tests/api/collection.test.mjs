// Collection anomalies (issue 12 item 5, R0.7; docs/api.md "Metering: collection anomalies"): the collection system posts
// events and daily figures with its own key; anomalies are deduplicated per point and kind, debounced with a flap
// window, each opens one collection_fault work order due in working days, and closes on the restored signal or when
// field work finishes its order. Communication failures behind one terminal make one anomaly.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { api, userWithToken, createOrgUnit, expectError, expectStatus, LABEL, PASSWORD, BASE_URL } from './lib.mjs';
import { today, people, qualify, equip, act as post, newTicket, issuedReceivedPermitted, briefed, risksConfirmed, upload } from './fieldwork_lib.mjs';

const MIN = 60e3;
const at = (day, time = '10:00:00') => Date.parse(`${day}T${time}+08:00`);
const endOf = (day) => Date.parse(`${day}T23:59:59.999+08:00`);
let n = Math.floor(Math.random() * 1e6);
const uid = (p) => `${p}${Date.now() % 1e8}${n++}`;

let staffMade;
const staff = () => (staffMade ??= (async () => {
  const [metering, crew, dispatcher] = await Promise.all([userWithToken(['metering']), userWithToken(['crew']), userWithToken(['dispatcher'])]);
  const k = await api('POST', '/metering/collection/keys', { token: metering.token, body: { name: '用电信息采集系统' } });
  expectStatus(k, 201);
  return { metering, crew, dispatcher, key: k.json.key, keyRow: k.json };
})());

const send = (key, events) => api('POST', '/metering/collection/events', { rawBody: JSON.stringify(events),
  headers: key ? { authorization: `Bearer ${key}` } : {} });
const ev = (fields) => ({ event_id: uid('E'), occurred_at: Date.now() - 10 * MIN, ...fields });
const anomalies = async (token, q) => {
  const r = await api('GET', `/metering/collection/anomalies?${new URLSearchParams(q)}`, { token });
  expectStatus(r, 200);
  return r.json.items;
};
const order = async (token, id) => {
  const r = await api('GET', `/work-orders/${id}`, { token });
  expectStatus(r, 200);
  return r.json;
};

test(`${LABEL} collection: the system key — none, a user's token, a wrong one, a revoked one; only metering.admin makes keys`, async () => {
  const s = await staff();
  assert.match(s.key, /^fgc\.[0-9a-f-]{36}\.[0-9a-f]{40}$/);
  assert.equal(s.keyRow.secret_hash, undefined, 'the hash never leaves the server');
  const list = await api('GET', '/metering/collection/keys', { token: s.metering.token });
  expectStatus(list, 200);
  const row = list.json.items.find((x) => x.id === s.keyRow.id);
  assert.ok(row && row.key === undefined && row.secret_hash === undefined, 'the list shows no secret');
  const one = [ev({ kind: 'cover_opened', point_no: uid('P') })];
  expectError(await send(null, one), 401, 'collection_key_required');
  expectError(await send(s.metering.token, one), 401, 'collection_key_required'); // a user session is not the system
  expectError(await send(s.key.slice(0, -1) + (s.key.endsWith('0') ? '1' : '0'), one), 401, 'collection_key_invalid');
  expectError(await api('POST', '/metering/collection/keys', { token: s.crew.token, body: { name: 'x' } }), 403, 'forbidden');
  const k2 = await api('POST', '/metering/collection/keys', { token: s.metering.token, body: { name: '备用' } });
  expectStatus(k2, 201);
  expectStatus(await send(k2.json.key, []), 200);
  const used = await api('GET', '/metering/collection/keys', { token: s.metering.token });
  assert.ok(used.json.items.find((x) => x.id === k2.json.id).last_used_at > 0, 'the key shows when it was last used');
  const rev = await post(s.metering.token, `/metering/collection/keys/${k2.json.id}/actions/revoke`);
  expectStatus(rev, 200);
  assert.ok(rev.json.revoked_at > 0);
  expectError(await send(k2.json.key, one), 403, 'collection_key_revoked');
  expectError(await api('POST', '/metering/collection/daily', { rawBody: '{"items":[]}', headers: { authorization: `Bearer ${k2.json.key}` } }),
    403, 'collection_key_revoked');
  // nothing of the refused calls was stored
  assert.equal((await anomalies(s.metering.token, { point_no: one[0].point_no })).length, 0);
});

test(`${LABEL} collection: a batch with one bad event keeps the good ones; a replay changes nothing and answers the same`, async () => {
  const s = await staff();
  const p1 = uid('P'), p2 = uid('P');
  const batch = [ev({ kind: 'reverse_energy', point_no: p1, transformer_area: '城东1号台区' }),
    ev({ kind: 'meter_on_fire', point_no: p1 }),
    ev({ kind: 'clock_error', point_no: p2, detail: '时钟偏差 12 分钟' })];
  const r1 = await send(s.key, batch);
  expectStatus(r1, 200);
  assert.equal(r1.json.received, 3);
  assert.equal(r1.json.accepted, 2);
  assert.equal(r1.json.rejected, 1);
  assert.equal(r1.json.errors.length, 1);
  assert.equal(r1.json.errors[0].index, 1);
  assert.equal(r1.json.errors[0].field, 'kind');
  assert.equal(r1.json.errors[0].event_id, batch[1].event_id);
  const a1 = await anomalies(s.metering.token, { point_no: p1 });
  assert.equal(a1.length, 1);
  assert.equal(a1[0].occurrences, 1);
  const r2 = await send(s.key, batch);
  expectStatus(r2, 200);
  assert.deepEqual(r2.json, r1.json, 'a replay answers what the first call answered');
  const again = await anomalies(s.metering.token, { point_no: p1 });
  assert.deepEqual(again, a1, 'a replay changes nothing');
  assert.equal((await anomalies(s.metering.token, { point_no: p2 })).length, 1);
  // not a JSON array; too many events
  expectError(await api('POST', '/metering/collection/events', { rawBody: '{"events":[]}', headers: { authorization: `Bearer ${s.key}` } }),
    400, 'invalid_json');
  const big = Array.from({ length: 1001 }, (_, i) => ({ event_id: `X${i}`, kind: 'cover_opened', point_no: 'P', occurred_at: 1 }));
  const tooMany = await send(s.key, big);
  expectError(tooMany, 413, 'collection_batch_too_large');
  assert.equal(tooMany.json.error.details.limit, 1000);
});

test(`${LABEL} collection: dedup and debounce — alarm, alarm, restored, alarm within the flap window is one anomaly with one work order`, async () => {
  const s = await staff();
  const point = uid('P');
  const t0 = Date.now() - 10 * MIN;
  const r = await send(s.key, [ev({ kind: 'voltage_loss', point_no: point, occurred_at: t0 }),
    ev({ kind: 'voltage_loss', point_no: point, occurred_at: t0 + MIN })]);
  expectStatus(r, 200);
  let list = await anomalies(s.metering.token, { point_no: point });
  assert.equal(list.length, 1);
  assert.equal(list[0].occurrences, 2);
  const orderId = list[0].work_order_id;
  assert.ok(orderId);
  expectStatus(await send(s.key, [ev({ kind: 'voltage_loss', point_no: point, occurred_at: t0 + 2 * MIN, signal: 'restored' })]), 200);
  list = await anomalies(s.metering.token, { point_no: point });
  assert.equal(list[0].state, 'closed');
  assert.equal(list[0].closed_reason, 'restored');
  assert.equal(list[0].order_settled, false, 'within the flap window the order waits');
  assert.equal((await order(s.dispatcher.token, orderId)).status, 'new');
  // the condition is back 1 minute later: the same anomaly reopens, the same order goes on
  expectStatus(await send(s.key, [ev({ kind: 'voltage_loss', point_no: point, occurred_at: t0 + 3 * MIN })]), 200);
  list = await anomalies(s.metering.token, { point_no: point });
  assert.equal(list.length, 1, 'no second anomaly');
  assert.equal(list[0].state, 'open');
  assert.equal(list[0].occurrences, 3);
  assert.equal(list[0].work_order_id, orderId, 'no second work order');
  // an old event arriving late changes nothing
  expectStatus(await send(s.key, [ev({ kind: 'voltage_loss', point_no: point, occurred_at: t0 - MIN, signal: 'restored' })]), 200);
  assert.equal((await anomalies(s.metering.token, { point_no: point }))[0].state, 'open');
  // another kind on the same point is another anomaly
  expectStatus(await send(s.key, [ev({ kind: 'current_loss', point_no: point, occurred_at: t0 })]), 200);
  assert.equal((await anomalies(s.metering.token, { point_no: point })).length, 2);
  assert.equal((await anomalies(s.metering.token, { point_no: point, kind: 'current_loss' })).length, 1);
});

test(`${LABEL} collection: the work order is a collection_fault due in the kind's working days (4 for a meter fault, 6 for readings)`, async () => {
  const s = await staff();
  const p1 = uid('P'), p2 = uid('P');
  // raised Fri 2026-12-04 10:00: 4 working days → Mon 07, Tue 08, Wed 09, Thu 10; 6 → … Fri 11, Mon 14
  expectStatus(await send(s.key, [ev({ kind: 'cover_opened', point_no: p1, occurred_at: at('2026-12-04') }),
    ev({ kind: 'abnormal_consumption', point_no: p2, occurred_at: at('2026-12-04') })]), 200);
  const [a1] = await anomalies(s.metering.token, { point_no: p1 });
  const [a2] = await anomalies(s.metering.token, { point_no: p2 });
  assert.equal(a1.due_at, endOf('2026-12-10'));
  assert.equal(a2.due_at, endOf('2026-12-14'));
  const o1 = await order(s.dispatcher.token, a1.work_order_id);
  assert.equal(o1.kind, 'collection_fault');
  assert.equal(o1.due_at, endOf('2026-12-10'));
  assert.equal(o1.metering_point_no, p1);
  assert.equal(o1.source, 'alarm');
  assert.equal(a1.work_order_number, o1.number);
  const one = await api('GET', `/metering/collection/anomalies/${a1.id}`, { token: s.crew.token });
  expectStatus(one, 200);
  assert.equal(one.json.work_order_status, 'new');
});

test(`${LABEL} collection: restored closes the anomaly; past the flap window its order is cancelled if no crew has it, kept if planned`, async () => {
  const s = await staff();
  const p = await people();
  const free = uid('P'), planned = uid('P');
  const t0 = Date.now() - 3 * 3600e3;
  expectStatus(await send(s.key, [ev({ kind: 'clock_error', point_no: free, occurred_at: t0 }),
    ev({ kind: 'clock_error', point_no: planned, occurred_at: t0 })]), 200);
  const [af] = await anomalies(s.metering.token, { point_no: free });
  const [ap] = await anomalies(s.metering.token, { point_no: planned });
  const team = await createOrgUnit('team');
  const plan = await post(p.dispatcher.token, '/plans', { date: today(), team_id: team.id, leader_id: p.leader.user.id,
    crew_ids: [p.crew.user.id], work_order_ids: [ap.work_order_id] });
  expectStatus(plan, 201);
  expectStatus(await post(p.dispatcher.token, `/plans/${plan.json.id}/actions/publish`), 200);
  assert.equal((await order(s.dispatcher.token, ap.work_order_id)).status, 'planned');
  // restored an hour ago: the 15-minute flap window has passed, the orders settle at once
  expectStatus(await send(s.key, [ev({ kind: 'clock_error', point_no: free, occurred_at: t0 + 2 * 3600e3, signal: 'restored' }),
    ev({ kind: 'clock_error', point_no: planned, occurred_at: t0 + 2 * 3600e3, signal: 'restored' })]), 200);
  const [cf] = await anomalies(s.metering.token, { point_no: free });
  const [cp] = await anomalies(s.metering.token, { point_no: planned });
  for (const c of [cf, cp]) {
    assert.equal(c.state, 'closed');
    assert.equal(c.closed_reason, 'restored');
    assert.equal(c.closed_at, t0 + 2 * 3600e3);
    assert.equal(c.order_settled, true);
  }
  assert.equal((await order(s.dispatcher.token, af.work_order_id)).status, 'cancelled');
  assert.equal((await order(s.dispatcher.token, ap.work_order_id)).status, 'planned', 'the crew has it: it stays');
  // a restore inside the window settles when the scheduler's step runs past it
  const late = uid('P');
  expectStatus(await send(s.key, [ev({ kind: 'cover_opened', point_no: late, occurred_at: Date.now() - 2 * MIN }),
    ev({ kind: 'cover_opened', point_no: late, occurred_at: Date.now() - MIN, signal: 'restored' })]), 200);
  const [al] = await anomalies(s.metering.token, { point_no: late });
  assert.equal(al.order_settled, false);
  expectError(await post(s.crew.token, '/metering/collection/actions/settle', {}), 403, 'forbidden');
  const run = await post(s.metering.token, '/metering/collection/actions/settle', { at: Date.now() + 20 * MIN });
  expectStatus(run, 200);
  assert.ok(run.json.settled >= 1);
  assert.equal((await order(s.dispatcher.token, al.work_order_id)).status, 'cancelled');
});

test(`${LABEL} collection: finishing the work order in the field closes its anomaly`, async () => {
  const s = await staff();
  const p = await people();
  await qualify(p.leader, p.crew);
  const point = uid('P');
  expectStatus(await send(s.key, [ev({ kind: 'current_loss', point_no: point })]), 200);
  const [a] = await anomalies(s.metering.token, { point_no: point });
  assert.equal(a.state, 'open');
  const team = await createOrgUnit('team');
  const plan = await post(p.dispatcher.token, '/plans', { date: today(), team_id: team.id, leader_id: p.leader.user.id,
    crew_ids: [p.crew.user.id], work_order_ids: [a.work_order_id] });
  expectStatus(plan, 201);
  const pub = await post(p.dispatcher.token, `/plans/${plan.json.id}/actions/publish`);
  expectStatus(pub, 200);
  await equip(pub.json, p.leader);
  const t = await issuedReceivedPermitted(p, await newTicket(p, pub.json));
  await briefed(p, pub.json, [p.leader, p.crew]);
  await risksConfirmed(p, t);
  expectStatus(await post(p.leader.token, `/plans/${plan.json.id}/actions/start`), 200);
  const site = await upload(p.leader.token, t.id);
  expectStatus(await post(p.leader.token, `/tickets/${t.id}/actions/end`, { password: PASSWORD, photo_ids: [site.id] }), 200);
  expectStatus(await post(p.leader.token, `/plans/${plan.json.id}/actions/finish`), 200);
  assert.equal((await order(s.dispatcher.token, a.work_order_id)).status, 'done');
  const [c] = await anomalies(s.metering.token, { point_no: point });
  assert.equal(c.state, 'closed');
  assert.equal(c.closed_reason, 'work_finished');
  // the condition again later is a new anomaly (the crew's fix is not flapping)
  expectStatus(await send(s.key, [ev({ kind: 'current_loss', point_no: point, occurred_at: Date.now() })]), 200);
  const after = await anomalies(s.metering.token, { point_no: point });
  assert.equal(after.length, 2);
  assert.notEqual(after[0].work_order_id, a.work_order_id);
});

test(`${LABEL} collection: points behind one concentrator failing together are one anomaly and one order for the terminal`, async () => {
  const s = await staff();
  const term = uid('T'), area = uid('台区');
  const pts = [uid('P'), uid('P'), uid('P')];
  const t0 = Date.now() - 5 * MIN;
  expectStatus(await send(s.key, pts.map((p, i) => ev({ kind: 'communication_failure', point_no: p, terminal_no: term,
    transformer_area: area, occurred_at: t0 + i }))), 200);
  const list = await anomalies(s.metering.token, { area, kind: 'communication_failure' });
  assert.equal(list.length, 1);
  assert.equal(list[0].subject, `terminal:${term}`);
  assert.equal(list[0].terminal_no, term);
  assert.equal(list[0].points, 3);
  assert.equal(list[0].occurrences, 3);
  const o = await order(s.dispatcher.token, list[0].work_order_id);
  assert.match(o.title, new RegExp(term));
  // the terminal is back: the anomaly closes
  expectStatus(await send(s.key, [ev({ kind: 'communication_failure', point_no: pts[0], terminal_no: term, signal: 'restored', occurred_at: t0 + MIN })]), 200);
  const [c] = await anomalies(s.metering.token, { area });
  assert.equal(c.state, 'closed');
  assert.deepEqual(await anomalies(s.metering.token, { area, state: 'open' }), []);
});

test(`${LABEL} collection: daily figures give the success rate by area and day, and the screen's summary`, async () => {
  const s = await staff();
  const a1 = uid('城东台区'), a2 = uid('城西台区');
  const daily = (items, key = s.key) => api('POST', '/metering/collection/daily', { rawBody: JSON.stringify({ items }),
    headers: { authorization: `Bearer ${key}` } });
  expectStatus(await daily([{ date: '2099-01-01', transformer_area: a1, expected: 1200, collected: 1100 },
    { date: '2099-01-01', transformer_area: a2, expected: 7, collected: 3 },
    { date: '2098-12-31', transformer_area: a1, expected: 1200, collected: 1200 }]), 200);
  // the system recounts: a later post of the same day and area replaces it
  const re = await daily([{ date: '2099-01-01', transformer_area: a1, expected: 1200, collected: 1187 }]);
  expectStatus(re, 200);
  assert.equal(re.json.accepted, 1);
  expectError(await daily([{ date: '2099-01-01', transformer_area: a1, expected: 5, collected: 6 }]), 400, 'invalid_field', 'items[0].collected');
  expectError(await daily([{ date: '2099-02-30', transformer_area: a1, expected: 5, collected: 1 }]), 400, 'invalid_field', 'items[0].date');
  expectError(await api('POST', '/metering/collection/daily', { rawBody: '{"items":[]}', headers: { authorization: `Bearer ${s.crew.token}` } }),
    401, 'collection_key_required');
  const r = await api('GET', `/metering/collection/rates?from=2098-12-31&to=2099-01-01&area=${encodeURIComponent(a1)}`, { token: s.crew.token });
  expectStatus(r, 200);
  // 1187 / 1200 = 98.9166…% → 98.92; 1200 / 1200 → 100
  assert.deepEqual(r.json.items, [
    { date: '2099-01-01', transformer_area: a1, expected: 1200, collected: 1187, success_rate: 98.92 },
    { date: '2098-12-31', transformer_area: a1, expected: 1200, collected: 1200, success_rate: 100 }]);
  // an open anomaly in a2 shows on the screen's summary for the latest day; 3 / 7 = 42.857…% → 42.86
  expectStatus(await send(s.key, [ev({ kind: 'abnormal_consumption', point_no: uid('P'), transformer_area: a2 })]), 200);
  const sum = await api('GET', '/metering/collection/summary', { token: s.crew.token });
  expectStatus(sum, 200);
  assert.equal(sum.json.day, '2099-01-01');
  assert.deepEqual(sum.json.by_area.find((x) => x.area === a2), { area: a2, expected: 7, collected: 3, success_rate: 42.86, open_anomalies: 1 });
  assert.ok(sum.json.open_by_kind.find((x) => x.kind === 'abnormal_consumption').count >= 1);
  expectError(await api('GET', '/metering/collection/rates?from=2099-1-1', { token: s.crew.token }), 400, 'invalid_query', 'from');
});

test(`${LABEL} collection: staff import the same events from a CSV file, errors by row`, async () => {
  const s = await staff();
  const p1 = uid('P'), p2 = uid('P');
  const csv = 'event_id,kind,point_no,occurred_at,signal,transformer_area\n' +
    `${uid('F')},cover_opened,${p1},2026-12-04 09:30,alarm,城南台区\n` +
    `${uid('F')},no_such_kind,${p2},2026-12-04 09:30,,\n` +
    `${uid('F')},clock_error,${p2},${Date.now() - MIN},,\n`;
  const imp = (token, body) => fetch(`${BASE_URL}/api/v1/metering/collection/imports`, { method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'text/csv' }, body });
  assert.equal((await imp(s.crew.token, csv)).status, 403);
  const r = await imp(s.metering.token, csv);
  const j = await r.json();
  assert.equal(r.status, 200, JSON.stringify(j));
  assert.equal(j.accepted, 2);
  assert.equal(j.rejected, 1);
  assert.equal(j.errors[0].row, 3);
  assert.equal(j.errors[0].field, 'kind');
  const [a] = await anomalies(s.metering.token, { point_no: p1 });
  assert.equal(a.raised_at, at('2026-12-04', '09:30:00'));
  assert.equal(a.transformer_area, '城南台区');
  const bad = await imp(s.metering.token, 'id,kind\n1,cover_opened\n');
  assert.equal(bad.status, 400);
  assert.equal((await bad.json()).error.code, 'collection_file_columns');
});

test(`${LABEL} collection: every error code of the module is documented in docs/api.md`, async () => {
  const { readFileSync } = await import('node:fs');
  const src = readFileSync(new URL('../../src/metering/collection/collection_module.c', import.meta.url), 'utf8');
  const codes = [...src.matchAll(/\{"([a-z0-9_]+)", (\d{3}),/g)].map((m) => [m[1], m[2]]);
  assert.ok(codes.length >= 5);
  const doc = readFileSync(new URL('../../docs/api.md', import.meta.url), 'utf8');
  for (const [code, status] of codes) assert.match(doc, new RegExp(`${status}[^\\n]*\`${code}\``), `${code} (${status}) in docs/api.md`);
});

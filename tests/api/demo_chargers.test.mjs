// The demo's living chargers (issue 14 item 6; src/cli/demo_chargers.c, loaded by `fieldgrid demo` as the test
// harness does): three stations, ten chargers and a month of their life — sessions with meter values, faults with
// their alarms, repairs and work orders, last month's inspections — seen from the API as a manager sees them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { api, collectAll, expectStatus, userWithToken, LABEL } from './lib.mjs';

const DAY = 86400000;
const STATIONS = { 'CS-LL01': 4, 'CS-BJ02': 4, 'CS-KJ03': 2 };
// the Asia/Shanghai day of an instant
const beijingDay = (ms) => new Date(ms + 8 * 3600000).toISOString().slice(0, 10);

// every page of a cursor list that has no total (faults, alarms)
async function pages(path, token) {
  const out = [];
  let cursor = '';
  for (let i = 0; i < 50; i++) {
    const res = await api('GET', `${path}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`, { token });
    expectStatus(res, 200);
    out.push(...res.json.items);
    if (!res.json.next_cursor) return out;
    cursor = res.json.next_cursor;
  }
  return out;
}

let ctx;
async function demo() {
  if (ctx) return ctx;
  const { token } = await userWithToken(['manager']);
  const stations = {};
  for (const code of Object.keys(STATIONS)) {
    const res = await api('GET', `/stations?q=${code}`, { token });
    expectStatus(res, 200);
    const s = res.json.items.find((x) => x.code === code);
    assert.ok(s, `the demo station ${code} is listed`);
    stations[code] = s;
  }
  const chargers = [];
  for (const s of Object.values(stations)) {
    const res = await api('GET', `/chargers?station_id=${s.id}&limit=100`, { token });
    expectStatus(res, 200);
    chargers.push(...res.json.items.map((c) => ({ ...c, station_code: s.code })));
  }
  const sessions = [];
  for (const c of chargers) {
    const items = await collectAll(`/chargers/${c.id}/transactions?limit=200`, token);
    sessions.push(...items.map((t) => ({ ...t, charger: c })));
  }
  ctx = { token, stations, chargers, sessions };
  return ctx;
}

test(`${LABEL} demo chargers: three stations, ten chargers that booted a month ago and said who they are`, async () => {
  const { stations, chargers } = await demo();
  for (const [code, n] of Object.entries(STATIONS)) {
    assert.ok(stations[code].name.length > 0);
    assert.equal(chargers.filter((c) => c.station_code === code).length, n, `${code} has ${n} chargers`);
  }
  assert.equal(chargers.length, 10);
  assert.deepEqual([...new Set(chargers.map((c) => c.kind))].sort(), ['ac', 'dc']);
  for (const c of chargers) {
    assert.ok(c.vendor && c.model && c.firmware && c.serial, `${c.charge_point_id}: its BootNotification filled the ledger`);
    assert.ok(c.boot_at < Date.now() - 25 * DAY || c.charge_point_id === 'BJ02-AC02', `${c.charge_point_id} booted weeks ago`);
    assert.ok(c.rated_power_kw > 0);
    assert.ok(c.connectors.length >= c.connector_count, 'every connector reported');
  }
});

test(`${LABEL} demo chargers: a month of sessions with their energy and meter values`, async () => {
  const { token, chargers, sessions } = await demo();
  assert.ok(sessions.length >= 500, `a month of sessions (${sessions.length})`);
  const first = Math.min(...sessions.map((t) => t.start_at));
  assert.ok(first < Date.now() - 28 * DAY && first > Date.now() - 32 * DAY, 'the first session is a month old');
  for (const c of chargers) {
    assert.ok(sessions.filter((t) => t.charger.id === c.id).length >= 15, `${c.charge_point_id} was used through the month`);
  }
  const stopped = sessions.filter((t) => t.stop_at);
  assert.ok(stopped.length >= sessions.length - 20, 'all but the ones charging now are stopped');
  for (const t of stopped) {
    assert.ok(t.stop_at >= t.start_at);
    assert.equal(t.energy_wh, t.meter_stop - t.meter_start, 'energy is the register difference');
    assert.equal(t.id_tag_status, 'Accepted');
  }
  assert.ok(stopped.filter((t) => t.energy_wh > 0).length > stopped.length * 0.9, 'nearly every session delivered energy');
  assert.ok(stopped.some((t) => t.energy_wh === 0), 'a few cars would not take charge');
  assert.ok(new Set(stopped.map((t) => t.stop_reason)).size >= 3, 'stopped for various reasons');
  // a session's detail: the periodic sample the charger sent
  const one = stopped.find((t) => t.energy_wh > 0);
  const res = await api('GET', `/chargers/${one.charger.id}/transactions/${one.id}`, { token });
  expectStatus(res, 200);
  const energy = res.json.meter_values.find((m) => m.measurand === 'Energy.Active.Import.Register');
  assert.ok(energy, 'the session has its energy samples');
  assert.ok(energy.at > one.start_at && energy.at < one.stop_at, 'sampled during the session');
  assert.ok(Number(energy.value) > one.meter_start && Number(energy.value) < one.meter_stop);
});

test(`${LABEL} demo chargers: the KPIs agree with the sessions the API lists`, async () => {
  const { token, stations, sessions } = await demo();
  const from = beijingDay(Math.min(...sessions.map((t) => t.start_at)));
  const to = beijingDay(Date.now());
  const res = await api('GET', `/kpis/chargers?from=${from}&to=${to}&group_by=station`, { token });
  expectStatus(res, 200);
  for (const [code, s] of Object.entries(stations)) {
    const row = res.json.rows.find((r) => r.station_id === s.id);
    assert.ok(row, `a KPI row for ${code}`);
    const mine = sessions.filter((t) => t.charger.station_id === s.id && t.start_at >= res.json.window.from_ms);
    assert.equal(row.sessions, mine.length, `${code}: sessions as listed`);
    const wh = mine.reduce((a, t) => a + (t.energy_wh ?? 0), 0);
    assert.ok(Math.abs(row.energy_kwh - wh / 1000) < 0.002, `${code}: the month's energy ${row.energy_kwh} kWh is the sessions' ${wh} Wh`);
    assert.ok(row.energy_kwh > 100);
    assert.ok(row.availability_pct > 90 && row.availability_pct <= 100, `${code} availability ${row.availability_pct}`);
    assert.ok(row.online_pct > 50, `${code} was online (${row.online_pct} %)`);
    assert.ok(row.success_pct > 80 && row.success_pct < 100, `${code} success rate ${row.success_pct}`);
    assert.ok(row.time_util_pct > 0 && row.energy_util_pct > 0);
    assert.ok(row.faults >= 1, `${code} had a fault`);
  }
  const ll = res.json.rows.find((r) => r.station_id === stations['CS-LL01'].id);
  assert.ok(ll.mttr_h > 0 && ll.mtbf_h > 0, 'repairs give an MTTR and an MTBF');
  // the trend's daily energy adds up to the same month
  const tr = await api('GET', `/kpis/trend?metric=energy&from=${from}&to=${to}&interval=day&group_by=station`, { token });
  expectStatus(tr, 200);
  const series = tr.json.series.find((x) => x.key === stations['CS-LL01'].id || x.station_id === stations['CS-LL01'].id);
  assert.ok(series, 'the trend draws the bus depot');
  assert.ok(series.values.filter((v) => v > 0).length >= 25, 'energy on nearly every day');
  const sum = series.values.reduce((a, v) => a + (v ?? 0), 0);
  assert.ok(Math.abs(sum - ll.energy_kwh) < 0.05, `the daily energy adds up (${sum} vs ${ll.energy_kwh})`);
});

test(`${LABEL} demo chargers: faults in every stage, with their alarms and work orders`, async () => {
  const { token, chargers } = await demo();
  const ids = new Set(chargers.map((c) => c.id));
  const faults = (await pages('/faults?limit=100', token)).filter((f) => ids.has(f.charger_id) && f.source === 'alarm' &&
    f.opened_at < Date.now() - 3600000);
  const byStatus = (s) => faults.filter((f) => f.status === s);
  assert.ok(byStatus('closed').length >= 3, 'repaired and closed');
  for (const s of ['resolved', 'repairing', 'dispatched', 'triage']) assert.ok(byStatus(s).length >= 1, `one in ${s}`);
  for (const f of byStatus('closed')) {
    assert.ok(f.opened_at < Date.now() - 7 * DAY, 'closed ones are from earlier in the month');
    assert.ok(f.dispatched_at > f.opened_at && f.resolved_at > f.dispatched_at && f.closed_at > f.resolved_at,
      'each step in its time, back then');
    assert.ok(f.closed_at < Date.now() - 5 * DAY);
    const full = await api('GET', `/faults/${f.id}`, { token });
    expectStatus(full, 200);
    assert.ok(full.json.report && full.json.report.cause, 'the repair report');
    const kinds = full.json.notes.map((n) => n.kind);
    for (const k of ['opened', 'dispatch', 'start', 'recovery', 'resolved', 'closed']) assert.ok(kinds.includes(k), `note ${k}`);
    const wo = await api('GET', `/work-orders/${f.work_order_id}`, { token });
    expectStatus(wo, 200);
    assert.equal(wo.json.kind, 'charger_repair');
    assert.equal(wo.json.status, 'done', 'the work order of a closed fault is done');
  }
  const rep = byStatus('repairing')[0];
  const wo = await api('GET', `/work-orders/${rep.work_order_id}`, { token });
  expectStatus(wo, 200);
  assert.equal(wo.json.status, 'in_progress');
  assert.ok(rep.assignee_id, 'someone is on it');
  // the alarms behind them: cleared where the charger recovered, open where it is still faulted
  const alarms = (await pages('/alarms?limit=100', token)).filter((a) => ids.has(a.charger_id) && a.fault_id);
  assert.ok(alarms.filter((a) => a.state === 'cleared').length >= 4);
  assert.ok(alarms.filter((a) => a.state !== 'cleared').length >= 3);
  assert.ok(alarms.some((a) => a.kind === 'vendor_code'), "a vendor's own error code");
  // the live board shows the chargers still faulted
  const live = await api('GET', '/chargers/live', { token });
  expectStatus(live, 200);
  const faulted = live.json.items.filter((c) => ids.has(c.id) && c.connectors.some((k) => k.status === 'Faulted'));
  assert.ok(faulted.length >= 3, 'faulted connectors on the live board');
});

test(`${LABEL} demo chargers: last month's inspections done at their time, this month's to do`, async () => {
  const { token, stations } = await demo();
  const sids = new Set(Object.values(stations).map((s) => s.id));
  const res = await api('GET', '/inspections', { token });
  expectStatus(res, 200);
  const mine = res.json.items.filter((i) => sids.has(i.station_id));
  const done = mine.filter((i) => i.status === 'done');
  assert.ok(done.length >= 4, 'every plan has a visit done');
  for (const i of done) {
    assert.equal(i.counts.recorded, i.counts.total);
    assert.ok(i.finished_at < Date.now() - 7 * DAY, 'done weeks ago, when the visit was');
  }
  assert.ok(mine.some((i) => i.status !== 'done'), "this period's visits are waiting");
  assert.ok(done.some((i) => i.counts.failed > 0), 'a visit found something');
  const defects = await api('GET', `/defects?station_id=${stations['CS-LL01'].id}`, { token });
  expectStatus(defects, 200);
  assert.ok(defects.json.items.length >= 1, 'the failed item is a defect');
});

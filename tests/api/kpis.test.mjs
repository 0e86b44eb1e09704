// Charger KPIs (R4.4): known histories built by driving a real charger with ocpp-rpc (StatusNotification and
// Start/StopTransaction with timestamps two days back make a controlled timeline), then exact KPI values worked
// out by hand; the trend; the XLSX export opened as a zip; the refusals.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { LABEL, BASE_URL, expectError } from './lib.mjs';
import { newCharger, newTag, connect, close, api, adminToken, expectStatus, uniq, sleep, until } from '../ocpp/lib.mjs';

const H = 3600e3;
const shanghaiDay = (ms) => new Date(ms + 8 * H).toISOString().slice(0, 10);
const TODAY = shanghaiDay(Date.now());
const D = shanghaiDay(Date.now() - 2 * 24 * H); // the day before yesterday: wholly in the past
const D1 = shanghaiDay(Date.now() - 24 * H);
const at = (day, hours) => new Date(Date.parse(day + 'T00:00:00+08:00') + hours * H).toISOString();

const vendor = uniq('KV');
let token;
let charger;

async function kpis(query) {
  const res = await api('GET', '/kpis/chargers?' + new URLSearchParams(query), { token });
  expectStatus(res, 200);
  return res.json;
}

// Charger A, day D (2 connectors, 60 kW):
//   connector 1: Available 00:00, Faulted 06:00, Available 12:00            → 6 h down, one fault repaired in 6 h
//   connector 2: Available 00:00, Faulted 20:00 … Available D+1 02:00       → 4 h down on D, open at D's end
//   connector 0 (the whole charger): Faulted D+1 10:00–11:00                 → both connectors down 1 h on D+1
//   sessions: #2 08:00–10:00 30 kWh Local (success); #1 13:00–13:00:30 0 Wh EVDisconnected (failed);
//             #2 15:00–15:01 an unknown tag (Invalid: failed, not a session)
test(`${LABEL} kpis: a controlled day through OCPP gives the hand-worked figures`, async () => {
  token = await adminToken();
  const st = await api('POST', '/stations', { token, body: { code: uniq('KS'), name: uniq('KPI站') } });
  expectStatus(st, 201);
  const ch = await newCharger({ connector_count: 2, station_id: st.json.id, rated_power_kw: 60 });
  charger = ch.charger;
  assert.equal(ch.charger.rated_power_kw, 60);
  const tag = await newTag('Accepted');
  const cli = await connect(ch);
  await cli.call('BootNotification', { chargePointVendor: vendor, chargePointModel: 'KPI-DC60' });
  const sn = (connectorId, status, when, errorCode = 'NoError') => cli.call('StatusNotification', { connectorId, status, errorCode, timestamp: when });
  await sn(0, 'Available', at(D, 0));
  await sn(1, 'Available', at(D, 0));
  await sn(2, 'Available', at(D, 0));
  await sn(1, 'Faulted', at(D, 6), 'GroundFailure');
  await sn(1, 'Available', at(D, 12));
  await sn(2, 'Faulted', at(D, 20), 'PowerMeterFailure');
  await sn(2, 'Available', at(D1, 2));
  await sn(0, 'Faulted', at(D1, 10), 'OtherError'); // the whole charger: both connectors down for 1 h
  await sn(0, 'Available', at(D1, 11));
  const s1 = await cli.call('StartTransaction', { connectorId: 2, idTag: tag, meterStart: 1000, timestamp: at(D, 8) });
  await cli.call('StopTransaction', { transactionId: s1.transactionId, meterStop: 31000, timestamp: at(D, 10), reason: 'Local' });
  const s2 = await cli.call('StartTransaction', { connectorId: 1, idTag: tag, meterStart: 500, timestamp: at(D, 13) });
  await cli.call('StopTransaction', { transactionId: s2.transactionId, meterStop: 500, timestamp: at(D, 13 + 30 / 3600), reason: 'EVDisconnected' });
  const s3 = await cli.call('StartTransaction', { connectorId: 2, idTag: 'NOSUCHTAG' + Date.now() % 1e6, meterStart: 2000, timestamp: at(D, 15) });
  assert.equal(s3.idTagInfo.status, 'Invalid');
  await cli.call('StopTransaction', { transactionId: s3.transactionId, meterStop: 2000, timestamp: at(D, 15 + 1 / 60), reason: 'DeAuthorized' });
  await close(cli);
  await until(`/chargers/${charger.id}/transactions`, (j) => j.items.filter((t) => t.stop_at).length === 3);

  const byConn = await kpis({ from: D, to: D, group_by: 'connector', vendor });
  assert.equal(byConn.rows.length, 2);
  const [c1, c2] = byConn.rows;
  assert.equal(c1.connector_id, 1);
  assert.equal(c1.availability_pct, 75);
  assert.equal(c1.status_known_s, 86400);
  assert.equal(c1.fault_s, 6 * 3600);
  assert.equal(c1.faults, 1);
  assert.equal(c1.repairs, 1);
  assert.equal(c1.mttr_h, 6);
  assert.equal(c1.mtbf_h, 18); // 18 h up / 1 fault
  assert.equal(c2.connector_id, 2);
  assert.equal(c2.availability_pct, 83.33); // 20 h of 24
  assert.equal(c2.faults, 1);
  assert.equal(c2.repairs, 0, 'a spell open at the end is no repair yet');
  assert.equal(c2.mttr_h, null);
  assert.equal(c2.charging_s, 7200, 'the refused tag charges nothing');
  assert.equal(c2.energy_kwh, 30);
  assert.equal(c2.time_util_pct, 8.33); // 2 h of 24

  const [row] = (await kpis({ from: D, to: D, group_by: 'charger', vendor })).rows;
  assert.equal(row.charger_id, charger.id);
  assert.equal(row.chargers, 1);
  assert.equal(row.connectors, 2);
  assert.equal(row.status_known_s, 172800);
  assert.equal(row.fault_s, 36000);
  assert.equal(row.availability_pct, 79.17); // (172800 − 36000) / 172800
  assert.equal(row.faults, 2);
  assert.equal(row.faults_per_gun, 1);
  assert.equal(row.charger_window_s, 86400);
  assert.equal(row.charger_months, 0.0333);
  assert.equal(row.fault_rate, 60); // 2 faults / (1 day / 30 days)
  assert.equal(row.repair_s, 21600);
  assert.equal(row.mttr_h, 6);
  assert.equal(row.mtbf_h, 19); // 136800 s up / 2 faults
  assert.equal(row.online_s, 0, 'the charger was not connected to us on that day');
  assert.equal(row.online_pct, 0);
  assert.equal(row.attempts, 3);
  assert.equal(row.successes, 1);
  assert.equal(row.open_sessions, 0);
  assert.equal(row.success_pct, 33.33);
  assert.equal(row.sessions, 2, 'accepted starts');
  assert.equal(row.energy_wh, 30000);
  assert.equal(row.charging_s, 7230);
  assert.equal(row.time_util_pct, 4.18); // 7230 / 172800
  assert.equal(row.rated_capacity_wh, 1440000); // 60 kW × 24 h
  assert.equal(row.energy_util_pct, 2.08); // 30 kWh / 1440 kWh

  // by station and by vendor the one charger gives the same figures; the total agrees
  const bySt = await kpis({ from: D, to: D, group_by: 'station', station_id: st.json.id });
  assert.equal(bySt.rows.length, 1);
  assert.equal(bySt.rows[0].station_name, st.json.name);
  assert.equal(bySt.rows[0].availability_pct, 79.17);
  assert.equal(bySt.total.availability_pct, 79.17);
  const byV = await kpis({ from: D, to: D, group_by: 'vendor', vendor });
  assert.equal(byV.rows[0].label, vendor);
  assert.equal(byV.rows[0].fault_s, 36000);
  const byM = await kpis({ from: D, to: D, group_by: 'model', model: 'KPI-DC60', vendor });
  assert.equal(byM.rows[0].model, 'KPI-DC60');

  // over two days: connector 2's spell ends on D+1 after 6 h (counted from its start on D); the charger-wide
  // hour is a fault on each connector
  const two = (await kpis({ from: D, to: D1, group_by: 'charger', vendor })).rows[0];
  assert.equal(two.fault_s, 36000 + 7200 + 2 * 3600);
  assert.equal(two.faults, 4);
  assert.equal(two.repairs, 4);
  assert.equal(two.repair_s, 21600 + 21600 + 2 * 3600);
  // D+1 alone: connector 2's spell was open at its start, so it is no new fault there, but its repair is (from
  // D+1 00:00); connector 0's hour is one new fault on each connector
  const d1 = (await kpis({ from: D1, to: D1, group_by: 'charger', vendor })).rows[0];
  assert.equal(d1.faults, 2);
  assert.equal(d1.repairs, 3);
  assert.equal(d1.repair_s, 7200 + 3600 + 3600);
  assert.equal(d1.fault_s, 14400);
  assert.equal(d1.availability_pct, 91.67); // 4 h of 48 connector-hours
  assert.equal(d1.mtbf_h, 22); // 44 h up / 2 faults
  const d1c = (await kpis({ from: D1, to: D1, group_by: 'connector', vendor })).rows;
  assert.deepEqual(d1c.map((r) => r.fault_s), [3600, 3 * 3600]);
});

test(`${LABEL} kpis: the trend gives one value per day and its numerator and denominator`, async () => {
  const res = await api('GET', '/kpis/trend?' + new URLSearchParams({ metric: 'availability', from: D, to: D1, interval: 'day', group_by: 'charger', vendor }), { token });
  expectStatus(res, 200);
  assert.deepEqual(res.json.buckets, [D, D1]);
  assert.equal(res.json.series.length, 1);
  assert.deepEqual(res.json.series[0].values, [79.17, 91.67]);
  assert.deepEqual(res.json.series[0].den, [172800, 172800]);
  const f = await api('GET', '/kpis/trend?' + new URLSearchParams({ metric: 'fault_rate', from: D, to: D1, interval: 'week', vendor }), { token });
  expectStatus(f, 200);
  assert.equal(f.json.series[0].key, 'all');
  assert.ok(f.json.buckets.length >= 1 && f.json.buckets[0] === D);
  const s = await api('GET', '/kpis/trend?' + new URLSearchParams({ metric: 'sessions', from: D, to: D1, interval: 'month', vendor }), { token });
  expectStatus(s, 200);
  assert.equal(s.json.series[0].values.reduce((a, b) => a + (b || 0), 0), 2);
});

test(`${LABEL} kpis: a charger that never reported; online time from its connection`, async () => {
  const v2 = uniq('KO');
  const ch = await newCharger({ connector_count: 1 });
  const cli = await connect(ch);
  await cli.call('BootNotification', { chargePointVendor: v2, chargePointModel: 'AC7' });
  await sleep(1500);
  await close(cli);
  await sleep(2000);
  const row = (await kpis({ from: TODAY, to: TODAY, group_by: 'charger', vendor: v2 })).rows[0];
  assert.equal(row.charger_id, ch.charger.id);
  assert.equal(row.status_known_s, 0);
  assert.equal(row.availability_pct, null, 'no status ever: availability unknown, not 100 %');
  assert.ok(row.online_s >= 1 && row.online_s <= 3, JSON.stringify(row));
  assert.ok(row.charger_window_s >= row.online_s + 1, 'its window runs from its registration to now');
  assert.ok(row.online_pct > 10 && row.online_pct < 90, JSON.stringify(row));
  assert.equal(row.energy_util_pct, null, 'no rated power');
});

test(`${LABEL} kpis: XLSX export opens and holds the figures`, async () => {
  const q = new URLSearchParams({ from: D, to: D, group_by: 'connector', vendor });
  const res = await fetch(`${BASE_URL}/api/v1/kpis/chargers.xlsx?${q}`, { headers: { authorization: `Bearer ${token}` } });
  assert.equal(res.status, 200);
  assert.equal(res.headers.get('content-type'), 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
  assert.match(res.headers.get('content-disposition'), new RegExp(`attachment; filename="charger-kpis-${D}-${D}\\.xlsx"`));
  const buf = Buffer.from(await res.arrayBuffer());
  assert.deepEqual([...buf.subarray(0, 4)], [0x50, 0x4b, 0x03, 0x04], 'a zip');
  const py = `import sys, zipfile, io, json
z = zipfile.ZipFile(io.BytesIO(sys.stdin.buffer.read()))
print(json.dumps({n: z.read(n).decode() for n in ['xl/worksheets/sheet1.xml', 'xl/worksheets/sheet2.xml', 'xl/sharedStrings.xml', 'xl/workbook.xml']}))`;
  const parts = JSON.parse(execFileSync('python3', ['-c', py], { input: buf }).toString());
  assert.match(parts['xl/worksheets/sheet1.xml'], /<v>75<\/v>/, 'connector 1 availability 75');
  assert.match(parts['xl/worksheets/sheet1.xml'], /<v>83\.33<\/v>/);
  assert.match(parts['xl/sharedStrings.xml'], /可用率\(%\)/);
  assert.match(parts['xl/sharedStrings.xml'], /合计/);
  assert.match(parts['xl/workbook.xml'], /指标定义/, 'the definitions sheet');
  assert.match(parts['xl/sharedStrings.xml'], /状态已知时长 − 故障时长/);
});

test(`${LABEL} kpis: refusals name the parameter`, async () => {
  const get = (q) => api('GET', '/kpis/chargers?' + new URLSearchParams(q), { token });
  expectError(await get({ to: D }), 400, 'invalid_query', 'from');
  expectError(await get({ from: D }), 400, 'invalid_query', 'to');
  expectError(await get({ from: '2025-02-30', to: D }), 400, 'invalid_query', 'from');
  expectError(await get({ from: D1, to: D }), 400, 'invalid_query', 'to');
  expectError(await get({ from: '2024-01-01', to: '2025-06-01' }), 400, 'invalid_query', 'to');
  expectError(await get({ from: D, to: D, group_by: 'planet' }), 400, 'invalid_query', 'group_by');
  expectError(await get({ from: '2999-01-01', to: '2999-01-02' }), 400, 'invalid_query', 'from');
  const t = (q) => api('GET', '/kpis/trend?' + new URLSearchParams(q), { token });
  expectError(await t({ from: D, to: D, metric: 'happiness' }), 400, 'invalid_query', 'metric');
  expectError(await t({ from: D, to: D, metric: 'availability', interval: 'hour' }), 400, 'invalid_query', 'interval');
  const anon = await api('GET', '/kpis/chargers?' + new URLSearchParams({ from: D, to: D }));
  expectError(anon, 401, 'unauthenticated');
  const bad = await api('PATCH', `/chargers/${charger.id}`, { token, body: { version: 1, rated_power_kw: 0 } });
  expectError(bad, 400, 'invalid_field', 'rated_power_kw');
  // the rated power is PATCH-able (and may be cleared)
  const cur = (await api('GET', `/chargers/${charger.id}`, { token })).json;
  const up = await api('PATCH', `/chargers/${charger.id}`, { token, body: { version: cur.version, rated_power_kw: 120 } });
  expectStatus(up, 200);
  assert.equal(up.json.rated_power_kw, 120);
  const cleared = await api('PATCH', `/chargers/${charger.id}`, { token, body: { version: up.json.version, rated_power_kw: null } });
  expectStatus(cleared, 200);
  assert.equal(cleared.json.rated_power_kw, null);
  const noRated = (await kpis({ from: D, to: D, group_by: 'charger', vendor })).rows[0];
  assert.equal(noRated.energy_util_pct, null, 'without a rated power energy utilisation has no denominator');
});

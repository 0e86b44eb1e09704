// Alarms → fault work orders → remote-first triage → recovery, driven by a real ocpp-rpc charger in strict mode;
// offline too long; SLA escalation; the report a serious fault needs; the callback; the service desk.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LABEL, userWithToken, expectError } from '../api/lib.mjs';
import { newCharger, connect, close, now, api, adminToken, until, expectStatus, sleep } from './lib.mjs';

const H = 3600e3;

async function faultsOf(chargerId, token) {
  const res = await api('GET', `/faults?charger_id=${chargerId}`, { token });
  expectStatus(res, 200);
  return res.json.items;
}

async function alarmsOf(chargerId, token) {
  const res = await api('GET', `/alarms?charger_id=${chargerId}`, { token });
  expectStatus(res, 200);
  return res.json.items;
}

async function act(token, id, action, body = {}) {
  return api('POST', `/faults/${id}/actions/${action}`, { token, body });
}

test(`${LABEL} faults: Faulted → one alarm → one work order; flapping adds none; remote Reset; recovery clears and notes`, async () => {
  const ch = await newCharger({ connector_count: 2 });
  const om = await userWithToken(['om_engineer']);
  const disp = await userWithToken(['dispatcher']);
  const cli = await connect(ch);
  const resets = [];
  cli.handle('Reset', ({ params }) => { resets.push(params); return { status: 'Accepted' }; });
  await cli.call('BootNotification', { chargePointVendor: 'XJ', chargePointModel: 'DC-120' });
  await cli.call('StatusNotification', { connectorId: 1, errorCode: 'NoError', status: 'Available' });
  assert.equal((await alarmsOf(ch.charger.id, om.token)).length, 0, 'a healthy connector raises nothing');

  await cli.call('StatusNotification', { connectorId: 1, errorCode: 'GroundFailure', status: 'Faulted', timestamp: now() });
  const [alarm] = (await until(`/alarms?charger_id=${ch.charger.id}`, (j) => j.items.length === 1)).items;
  assert.equal(alarm.state, 'open');
  assert.equal(alarm.kind, 'faulted');
  assert.equal(alarm.fault_key, 'ocpp:GroundFailure');
  assert.equal(alarm.severity, 'serious');
  assert.match(alarm.meaning, /接地/);
  assert.ok(alarm.fault_id, 'the alarm opened a fault');
  const viewer0 = await userWithToken(['viewer']);
  expectError(await api('POST', `/alarms/${alarm.id}/actions/acknowledge`, { token: viewer0.token, body: {} }), 403, 'forbidden');
  const ack = await api('POST', `/alarms/${alarm.id}/actions/acknowledge`, { token: om.token, body: { version: alarm.version } });
  expectStatus(ack, 200);
  assert.equal(ack.json.state, 'acknowledged');
  assert.ok(ack.json.acknowledged_at > 0);
  expectError(await api('POST', `/alarms/${alarm.id}/actions/acknowledge`, { token: om.token, body: {} }), 409, 'invalid_transition');

  // the same fault again, a recovery and a relapse within the flap window: still one alarm, one fault
  await cli.call('StatusNotification', { connectorId: 1, errorCode: 'GroundFailure', status: 'Faulted', timestamp: now() });
  await sleep(5);
  await cli.call('StatusNotification', { connectorId: 1, errorCode: 'NoError', status: 'Available', timestamp: now() });
  await sleep(5);
  await cli.call('StatusNotification', { connectorId: 1, errorCode: 'GroundFailure', status: 'Faulted', timestamp: now() });
  const flapped = await until(`/alarms?charger_id=${ch.charger.id}`, (j) => j.items[0]?.occurrences === 3 && j.items[0].state === 'open');
  assert.equal(flapped.items.length, 1, 'a flapping connector raises one alarm');
  assert.equal(flapped.items[0].id, alarm.id);
  const trail = (await api('GET', `/audit?entity=alarm&entity_id=${alarm.id}&limit=50`, { token: await adminToken() })).json.items.map((x) => x.action);
  for (const act of ['raise', 'acknowledge', 'repeat', 'clear', 'reopen']) assert.ok(trail.includes(act), `audited: ${act} (${trail})`);
  const faults = await faultsOf(ch.charger.id, om.token);
  assert.equal(faults.length, 1, 'exactly one fault work order');
  const f = faults[0];
  assert.equal(f.status, 'triage');
  assert.equal(f.severity, 'serious');
  assert.equal(f.urgency, 'urgent');
  assert.equal(f.source, 'alarm');
  assert.equal(f.level, 0);
  assert.equal(f.level_code, 'engineer');
  assert.equal(f.response_due_at - f.opened_at, 2 * H, 'urgent: respond within 2 h');
  assert.equal(f.repair_due_at - f.opened_at, 24 * H);
  assert.equal(f.connector_id, 1);
  const wo = (await api('GET', `/work-orders/${f.work_order_id}`, { token: await adminToken() })).json;
  assert.equal(wo.kind, 'charger_repair');
  assert.equal(wo.priority, 'urgent');
  assert.equal(wo.source, 'alarm');
  assert.equal(wo.number, f.work_order_number);

  // the dispatcher's notification
  const notes = (await api('GET', '/notifications', { token: disp.token })).json.items;
  assert.ok(notes.some((n) => n.entity_id === f.id && n.kind === 'fault_opened'), 'the desk is told');

  // remote first: a Reset through the API reaches the charger, its answer is recorded
  const viewer = await userWithToken(['viewer']);
  expectError(await api('POST', `/faults/${f.id}/actions/remote-command`, { token: viewer.token, body: { action: 'Reset', payload: { type: 'Soft' } } }), 403, 'forbidden');
  expectError(await api('POST', `/faults/${f.id}/actions/remote-command`, { token: om.token, body: { action: 'ClearCache' } }), 400, 'invalid_field', 'action');
  const cmd = await api('POST', `/faults/${f.id}/actions/remote-command`, { token: om.token, body: { action: 'Reset', payload: { type: 'Soft' } } });
  expectStatus(cmd, 202);
  const done = (await api('GET', `/chargers/${ch.charger.id}/commands/${cmd.json.id}?wait=5000`, { token: om.token })).json;
  assert.equal(done.status, 'accepted');
  assert.deepEqual(resets, [{ type: 'Soft' }]);

  // a remote fix must name an accepted command of this charger
  const bogus = await act(om.token, f.id, 'resolve_remote', { command_id: '00000000-0000-7000-8000-000000000000' });
  expectError(bogus, 409, 'fault_remote_command_invalid');
  expectError(await act(om.token, f.id, 'resolve_remote', {}), 400, 'missing_field', 'command_id');

  // the charger recovers: the alarm clears and the order notes it
  await cli.call('StatusNotification', { connectorId: 1, errorCode: 'NoError', status: 'Available', timestamp: now() });
  await until(`/alarms/${alarm.id}`, (a) => a.state === 'cleared' && a.cleared_at > 0);
  const noted = await until(`/faults/${f.id}`, (x) => x.notes.filter((n) => n.kind === 'recovery').length >= 2);
  assert.ok(noted.recovered_at > 0);
  assert.ok(noted.notes.some((n) => n.kind === 'remote_command' && n.command_id === cmd.json.id));
  assert.ok(noted.responded_at > 0, 'the remote attempt is the response');

  const fixed = await act(om.token, f.id, 'resolve_remote', { command_id: cmd.json.id, note: '软复位后恢复' });
  expectStatus(fixed, 200);
  assert.equal(fixed.json.status, 'resolved');
  assert.equal(fixed.json.resolution, 'remote');
  assert.equal(fixed.json.remote_command_id, cmd.json.id);
  assert.equal(fixed.json.dispatched_at, null, 'resolved without dispatch');
  assert.equal(fixed.json.sla, 'met');

  // a serious fault closes only with its report
  const refused = await act(disp.token, f.id, 'close');
  expectError(refused, 409, 'fault_report_missing');
  expectError(await act(om.token, f.id, 'report', { cause: '漏电保护误动作' }), 400, 'missing_field', 'actions');
  const rep = await act(om.token, f.id, 'report', { cause: '漏电保护误动作', actions: '远程软复位', parts: [], prevention: '下次巡视测试漏保' });
  expectStatus(rep, 200);
  assert.equal(rep.json.report.cause, '漏电保护误动作');
  const closed = await act(disp.token, f.id, 'close');
  expectStatus(closed, 200);
  assert.equal(closed.json.status, 'closed');
  assert.equal((await api('GET', `/work-orders/${f.work_order_id}`, { token: await adminToken() })).json.status, 'done');

  // a new fault after the case closed opens a new case (the old one is not reused)
  await cli.call('StatusNotification', { connectorId: 2, errorCode: 'HighTemperature', status: 'SuspendedEVSE', timestamp: now() });
  await until(`/faults?charger_id=${ch.charger.id}`, (j) => j.items.length === 2);
  const warn = (await alarmsOf(ch.charger.id, om.token)).find((a) => a.connector_id === 2);
  assert.equal(warn.kind, 'error_code', 'a chosen error code alarms even when not Faulted');
  await close(cli);
});

test(`${LABEL} faults: a vendor error code from the edited dictionary raises its alarm; stale replays raise nothing`, async () => {
  const admin = await adminToken();
  const put = await api('PUT', '/alarm-codes/ZX/E55', { token: admin, body: { meaning_zh: '直流母线过压', severity: 'serious', urgency: 'normal', alarm: true, remote_action: 'Reset' } });
  expectStatus(put, 200);
  const ch = await newCharger();
  const cli = await connect(ch);
  await cli.call('BootNotification', { chargePointVendor: 'ZX', chargePointModel: 'DC-60' });
  const t0 = now();
  await cli.call('StatusNotification', { connectorId: 1, errorCode: 'OtherError', vendorErrorCode: 'E55', status: 'Available', timestamp: now() });
  const [a] = (await until(`/alarms?charger_id=${ch.charger.id}`, (j) => j.items.length === 1)).items;
  assert.equal(a.kind, 'vendor_code');
  assert.equal(a.fault_key, 'vendor:ZX:E55');
  assert.equal(a.meaning, '直流母线过压');
  const [f] = await faultsOf(ch.charger.id, admin);
  assert.equal(f.severity, 'serious');
  assert.equal(f.urgency, 'normal');
  // an old Faulted report replayed after a newer status changes nothing
  await cli.call('StatusNotification', { connectorId: 1, errorCode: 'NoError', status: 'Available', timestamp: now() });
  await until(`/alarms/${a.id}`, (x) => x.state === 'cleared');
  await cli.call('StatusNotification', { connectorId: 1, errorCode: 'GroundFailure', status: 'Faulted', timestamp: t0 });
  await cli.call('Heartbeat', {});
  await sleep(300);
  assert.equal((await alarmsOf(ch.charger.id, admin)).length, 1, 'a stale replay raises no alarm');
  await close(cli);
  expectStatus(await api('DELETE', '/alarm-codes/ZX/E55', { token: admin }), 204);
});

test(`${LABEL} faults: offline too long raises an alarm and a fault; reconnecting clears it`, async () => {
  const admin = await adminToken();
  const ch = await newCharger();
  let cli = await connect(ch);
  await cli.call('BootNotification', { chargePointVendor: 'XJ', chargePointModel: 'AC-7' });
  await close(cli);
  await until(`/chargers/${ch.charger.id}`, (c) => !c.online);
  const settings = (await api('GET', '/faults/settings', { token: admin })).json;
  assert.equal(settings.offline_alarm_s, 1800, 'default: 30 minutes');
  // not yet too long
  const early = await api('POST', '/faults/actions/run', { token: admin, body: { charger_id: ch.charger.id } });
  expectStatus(early, 200);
  assert.equal(early.json.offline_raised, 0);
  const late = await api('POST', '/faults/actions/run', { token: admin, body: { charger_id: ch.charger.id, at: Date.now() + 31 * 60e3 } });
  assert.equal(late.json.offline_raised, 1);
  const again = await api('POST', '/faults/actions/run', { token: admin, body: { charger_id: ch.charger.id, at: Date.now() + 40 * 60e3 } });
  assert.equal(again.json.offline_raised, 0, 'one alarm while it stays offline');
  const [a] = await alarmsOf(ch.charger.id, admin);
  assert.equal(a.kind, 'offline');
  assert.equal(a.connector_id, 0);
  const [f] = await faultsOf(ch.charger.id, admin);
  assert.equal(f.fault_key, 'ocpp:Offline');
  assert.equal(f.severity, 'common');
  assert.equal(f.response_due_at - f.opened_at, 24 * H, 'R4.16: respond within 24 h');
  const viewer = await userWithToken(['viewer']);
  expectError(await api('POST', '/faults/actions/run', { token: viewer.token, body: {} }), 403, 'forbidden');
  expectError(await api('POST', '/faults/actions/run', { token: admin, body: { at: 1000 } }), 400, 'invalid_field', 'at');

  cli = await connect(ch);
  await cli.call('Heartbeat', {});
  await until(`/alarms/${a.id}`, (x) => x.state === 'cleared');
  const noted = await until(`/faults/${f.id}`, (x) => x.notes.some((n) => n.kind === 'recovery'));
  assert.match(noted.notes.find((n) => n.kind === 'recovery').text, /在线/);
  await close(cli);
});

test(`${LABEL} faults: service desk dispatch, SLA escalation engineer → technical → vendor, dispatch to the phone, callback`, async () => {
  const admin = await adminToken();
  const disp = await userWithToken(['dispatcher']);
  const om = await userWithToken(['om_engineer']);
  const om2 = await userWithToken(['om_engineer']);
  const mgr = await userWithToken(['manager']);
  const ch = await newCharger();

  // the desk records a user's report and guides the user: no fault
  const body = { channel: 'phone', reporter_name: '王先生', contact: '13800000000', charger_id: ch.charger.id, connector_id: 1, category: 'cannot_charge', description: '扫码后无法启动充电' };
  expectError(await api('POST', '/service-desk/reports', { token: om.token, body }), 403, 'forbidden');
  expectError(await api('POST', '/service-desk/reports', { token: disp.token, body: { ...body, channel: 'fax' } }), 400, 'invalid_field', 'channel');
  const g = await api('POST', '/service-desk/reports', { token: disp.token, body });
  expectStatus(g, 201);
  assert.equal(g.json.status, 'new');
  expectError(await api('POST', `/service-desk/reports/${g.json.id}/actions/classify`, { token: disp.token, body: { classification: 'guide' } }), 400, 'missing_field', 'resolution');
  const guided = await api('POST', `/service-desk/reports/${g.json.id}/actions/classify`, { token: disp.token, body: { classification: 'guide', resolution: '指导用户先插枪再扫码' } });
  expectStatus(guided, 200);
  assert.equal(guided.json.fault_id, null);
  expectError(await api('POST', `/service-desk/reports/${g.json.id}/actions/classify`, { token: disp.token, body: { classification: 'dispatch' } }), 409, 'invalid_transition');

  // a report without a charger cannot be dispatched
  expectError(await api('POST', '/service-desk/reports', { token: disp.token, body: { ...body, charger_id: null } }), 400, 'missing_field', 'charger_id');
  const st = await api('POST', '/stations', { token: admin, body: { code: `ST-${Date.now()}`, name: '城东充电站' } });
  expectStatus(st, 201);
  const noCharger = await api('POST', '/service-desk/reports', { token: disp.token, body: { ...body, charger_id: null, station_id: st.json.id } });
  expectStatus(noCharger, 201);
  assert.equal(noCharger.json.station_name, '城东充电站');
  expectError(await api('POST', `/service-desk/reports/${noCharger.json.id}/actions/classify`, { token: disp.token, body: { classification: 'dispatch' } }), 409, 'desk_charger_required');

  // dispatch: a fault through the same path as an alarm, the reporter kept for the callback
  const r = (await api('POST', '/service-desk/reports', { token: disp.token, body: { ...body, channel: 'wechat' } })).json;
  const d = await api('POST', `/service-desk/reports/${r.id}/actions/classify`, { token: disp.token, body: { classification: 'dispatch' } });
  expectStatus(d, 200);
  assert.ok(d.json.fault_id);
  const r2 = (await api('POST', '/service-desk/reports', { token: disp.token, body: { ...body, channel: 'app', reporter_name: '李女士' } })).json;
  const d2 = await api('POST', `/service-desk/reports/${r2.id}/actions/classify`, { token: disp.token, body: { classification: 'dispatch' } });
  assert.equal(d2.json.fault_id, d.json.fault_id, 'a second report of the same problem joins the open fault');
  let f = (await api('GET', `/faults/${d.json.fault_id}`, { token: disp.token })).json;
  assert.equal(f.source, 'service_desk');
  assert.equal(f.reporter_contact, '13800000000');
  assert.equal(f.severity, 'common');
  assert.equal(f.response_due_at - f.opened_at, 24 * H);
  assert.ok(f.actions.includes('dispatch'));

  // SLA: nobody responded within 24 h → technical department; then the vendor
  const s1 = await api('POST', '/faults/actions/run', { token: admin, body: { fault_id: f.id, at: Date.now() + 23 * H } });
  assert.equal(s1.json.escalated, 0, 'still within the response time');
  const s2 = await api('POST', '/faults/actions/run', { token: admin, body: { fault_id: f.id, at: Date.now() + 25 * H } });
  assert.equal(s2.json.escalated, 1);
  f = (await api('GET', `/faults/${f.id}`, { token: disp.token })).json;
  assert.equal(f.level, 1);
  assert.equal(f.level_code, 'technical');
  assert.equal(f.level_name_zh, '技术部');
  assert.ok(f.notes.some((n) => n.kind === 'escalation' && /响应/.test(n.text)));
  const mn = (await api('GET', '/notifications', { token: mgr.token })).json.items;
  assert.ok(mn.some((n) => n.entity_id === f.id && n.kind === 'fault_escalated'), 'the technical department is told');
  const s3 = await api('POST', '/faults/actions/run', { token: admin, body: { fault_id: f.id, at: f.escalate_at + 1000 } });
  assert.equal(s3.json.escalated, 1);
  f = (await api('GET', `/faults/${f.id}`, { token: disp.token })).json;
  assert.equal(f.level_code, 'vendor');
  assert.equal(f.escalate_at, null, 'the vendor is the last level');
  const s4 = await api('POST', '/faults/actions/run', { token: admin, body: { fault_id: f.id, at: Date.now() + 500 * H } });
  assert.equal(s4.json.escalated, 0);

  // dispatch to an O&M engineer: their phone list shows it; only they start it
  expectError(await act(disp.token, f.id, 'dispatch', { assignee_id: mgr.user.id }), 400, 'invalid_field', 'assignee_id');
  expectError(await act(om.token, f.id, 'dispatch', { assignee_id: om.user.id }), 403, 'forbidden');
  const dd = await act(disp.token, f.id, 'dispatch', { assignee_id: om.user.id, note: '请今日处理' });
  expectStatus(dd, 200);
  assert.equal(dd.json.status, 'dispatched');
  assert.equal(dd.json.work_order_status, 'planned');
  const mine = (await api('GET', '/faults?assignee=me&open=true', { token: om.token })).json.items;
  assert.deepEqual(mine.map((x) => x.id), [f.id]);
  assert.equal((await api('GET', '/faults?assignee=me', { token: om2.token })).json.items.length, 0);
  const on = (await api('GET', '/notifications', { token: om.token })).json.items;
  assert.ok(on.some((n) => n.entity_id === f.id && n.kind === 'fault_assigned'));
  expectError(await act(om2.token, f.id, 'start'), 403, 'fault_not_assignee');
  expectStatus(await act(om.token, f.id, 'start'), 200);
  const res = await act(om.token, f.id, 'resolve', { note: '更换扫码模块' });
  expectStatus(res, 200);
  assert.equal(res.json.resolution, 'onsite');

  // the user reported it: it closes only after a satisfied callback; unsatisfied reopens
  expectError(await act(disp.token, f.id, 'close'), 409, 'fault_callback_missing');
  const bad = await act(disp.token, f.id, 'callback_unsatisfied', { note: '仍无法扫码' });
  expectStatus(bad, 200);
  assert.equal(bad.json.status, 'triage');
  assert.equal(bad.json.reopen_count, 1);
  assert.equal(bad.json.callback_result, 'unsatisfied');
  await act(disp.token, f.id, 'dispatch', { assignee_id: om.user.id });
  await act(om.token, f.id, 'start');
  await act(om.token, f.id, 'resolve', { note: '更换主板' });
  const ok = await act(disp.token, f.id, 'callback_satisfied', { note: '用户确认可正常充电' });
  expectStatus(ok, 200);
  assert.equal(ok.json.callback_result, 'satisfied');
  const closed = await act(disp.token, f.id, 'close');
  expectStatus(closed, 200);
  assert.equal(closed.json.status, 'closed');
  assert.equal(closed.json.work_order_status, 'done');
  assert.equal((await api('GET', '/faults?assignee=me&open=true', { token: om.token })).json.items.length, 0);
});

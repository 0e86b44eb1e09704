// The alarm error-code dictionary (built-in OCPP and vendor codes + admins' audited edits) and the fault SLA
// settings: edits, versions and refusals.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LABEL, api, adminToken, userWithToken, expectStatus, expectError, CJK } from './lib.mjs';

test(`${LABEL} alarm codes: the built-in dictionary lists every OCPP error code with its meaning and severity`, async () => {
  const om = await userWithToken(['om_engineer']);
  const res = await api('GET', '/alarm-codes?vendor=ocpp', { token: om.token });
  expectStatus(res, 200);
  const codes = Object.fromEntries(res.json.items.map((i) => [i.code, i]));
  for (const c of ['ConnectorLockFailure', 'EVCommunicationError', 'GroundFailure', 'HighTemperature', 'InternalError',
    'LocalListConflict', 'OtherError', 'OverCurrentFailure', 'PowerMeterFailure', 'PowerSwitchFailure', 'ReaderFailure',
    'ResetFailure', 'UnderVoltage', 'OverVoltage', 'WeakSignal', 'Faulted', 'Offline'])
    assert.ok(codes[c], c);
  assert.equal(codes.GroundFailure.severity, 'serious');
  assert.equal(codes.GroundFailure.alarm, true, 'a chosen code alarms even when not Faulted');
  assert.equal(codes.WeakSignal.alarm, false);
  assert.match(codes.HighTemperature.meaning_zh, CJK);
  assert.ok(['Reset', 'ChangeAvailability', 'none'].includes(codes.GroundFailure.remote_action));
  assert.ok(res.json.items.every((i) => i.edited === false && i.builtin === true));
  const crew = await userWithToken(['crew']);
  expectError(await api('GET', '/alarm-codes', { token: crew.token }), 403, 'forbidden');
});

test(`${LABEL} alarm codes: admins add, edit and undo vendor codes (audited, versioned); refusals`, async () => {
  const admin = await adminToken();
  const om = await userWithToken(['om_engineer']);
  const body = { meaning_zh: '充电模块过温', severity: 'serious', alarm: true, remote_action: 'ChangeAvailability', advice_zh: '置为不可用，派单检查风扇' };
  expectError(await api('PUT', '/alarm-codes/TQ/E88', { token: om.token, body }), 403, 'forbidden');
  expectError(await api('PUT', '/alarm-codes/TQ/E88', { token: admin, body: { ...body, severity: 'major' } }), 400, 'invalid_field', 'severity');
  expectError(await api('PUT', '/alarm-codes/TQ/E88', { token: admin, body: { ...body, remote_action: 'Explode' } }), 400, 'invalid_field', 'remote_action');
  expectError(await api('PUT', '/alarm-codes/TQ/E88', { token: admin, body: { ...body, meaning_zh: undefined } }), 400, 'missing_field', 'meaning_zh');
  expectError(await api('PUT', '/alarm-codes/TQ/E88', { token: admin, body: { ...body, colour: 'red' } }), 400, 'unknown_field');
  const made = await api('PUT', '/alarm-codes/TQ/E88', { token: admin, body });
  expectStatus(made, 200);
  assert.equal(made.json.vendor, 'TQ');
  assert.equal(made.json.urgency, 'urgent', 'serious defaults to urgent');
  assert.equal(made.json.version, 1);
  assert.equal(made.json.edited, true);
  const got = await api('GET', '/alarm-codes/TQ/E88', { token: om.token });
  assert.equal(got.json.meaning_zh, '充电模块过温');
  // a second edit needs the version it was based on
  expectError(await api('PUT', '/alarm-codes/TQ/E88', { token: admin, body: { ...body, severity: 'common' } }), 409, 'version_conflict');
  const ed = await api('PUT', '/alarm-codes/TQ/E88', { token: admin, body: { ...body, severity: 'common', urgency: 'normal', version: 1 } });
  expectStatus(ed, 200);
  assert.equal(ed.json.severity, 'common');
  assert.equal(ed.json.version, 2);
  const list = (await api('GET', '/alarm-codes?vendor=TQ', { token: om.token })).json.items;
  assert.deepEqual(list.map((i) => [i.code, i.builtin]), [['E88', false]]);
  // the audit log has both edits
  const audit = await api('GET', `/audit?entity=alarm_code&entity_id=${encodeURIComponent('TQ/E88')}`, { token: admin });
  expectStatus(audit, 200);
  assert.deepEqual(audit.json.items.map((a) => a.action).sort(), ['create', 'update'], 'both edits audited');

  // editing a built-in entry; deleting the edit brings it back; a built-in entry itself cannot be deleted
  const gf = (await api('GET', '/alarm-codes/ocpp/WeakSignal', { token: admin })).json;
  expectError(await api('DELETE', '/alarm-codes/ocpp/WeakSignal', { token: admin }), 409, 'alarm_code_not_edited');
  const over = await api('PUT', '/alarm-codes/ocpp/WeakSignal', { token: admin, body: { meaning_zh: '4G 信号弱', severity: 'common', alarm: true } });
  expectStatus(over, 200);
  assert.equal((await api('GET', '/alarm-codes/ocpp/WeakSignal', { token: admin })).json.alarm, true);
  expectStatus(await api('DELETE', '/alarm-codes/ocpp/WeakSignal', { token: admin }), 204);
  const back = (await api('GET', '/alarm-codes/ocpp/WeakSignal', { token: admin })).json;
  assert.equal(back.meaning_zh, gf.meaning_zh);
  assert.equal(back.alarm, false);
  expectStatus(await api('DELETE', '/alarm-codes/TQ/E88', { token: admin }), 204);
  expectError(await api('GET', '/alarm-codes/TQ/E88', { token: admin }), 404, 'not_found');
  expectError(await api('DELETE', '/alarm-codes/TQ/E88', { token: admin }), 404, 'not_found');
});

test(`${LABEL} fault settings: SLA defaults (24 h response, R4.16) and audited edits`, async () => {
  const admin = await adminToken();
  const disp = await userWithToken(['dispatcher']);
  const s = (await api('GET', '/faults/settings', { token: disp.token })).json;
  assert.deepEqual(s.response_h, { urgent: 2, normal: 24 });
  assert.deepEqual(s.escalation.map((l) => l.code), ['engineer', 'technical', 'vendor']);
  expectError(await api('PUT', '/faults/settings', { token: disp.token, body: { version: s.version } }), 403, 'forbidden');
  expectError(await api('PUT', '/faults/settings', { token: admin, body: { response_h: { urgent: 1, normal: 12 } } }), 400, 'missing_field', 'version');
  expectError(await api('PUT', '/faults/settings', { token: admin, body: { version: s.version, response_h: { urgent: 0, normal: 12 } } }), 400, 'invalid_field', 'response_h');
  expectError(await api('PUT', '/faults/settings', { token: admin, body: { version: s.version, offline_alarm_s: 5 } }), 400, 'invalid_field', 'offline_alarm_s');
  expectError(await api('PUT', '/faults/settings', { token: admin, body: { version: s.version + 7, flap_window_s: 60 } }), 409, 'version_conflict');
  const ok = await api('PUT', '/faults/settings', { token: admin, body: { version: s.version, repair_h: { urgent: 12, normal: 48 } } });
  expectStatus(ok, 200);
  assert.deepEqual(ok.json.repair_h, { urgent: 12, normal: 48 });
  assert.equal(ok.json.version, s.version + 1);
  assert.equal(ok.json.edited, true);
  // put the defaults back for the other tests
  const back = await api('PUT', '/faults/settings', { token: admin, body: { version: ok.json.version, repair_h: s.repair_h } });
  expectStatus(back, 200);
  assert.deepEqual(back.json.repair_h, s.repair_h);
});

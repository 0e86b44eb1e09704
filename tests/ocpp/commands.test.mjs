// Operator commands: the API sends a CALL to the connected charger, records the command and its result.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRPCError } from 'ocpp-rpc';
import { LABEL, userWithToken, expectError } from '../api/lib.mjs';
import { newCharger, connect, close, api, adminToken, expectStatus, sleep } from './lib.mjs';

// each command with a payload the schema accepts and the answer our test charger gives
const CASES = [
  ['RemoteStartTransaction', { connectorId: 1, idTag: 'APP-USER-1' }, { status: 'Accepted' }, 'accepted'],
  ['RemoteStopTransaction', { transactionId: 7 }, { status: 'Rejected' }, 'rejected'],
  ['Reset', { type: 'Soft' }, { status: 'Accepted' }, 'accepted'],
  ['UnlockConnector', { connectorId: 1 }, { status: 'Unlocked' }, 'accepted'],
  ['ChangeAvailability', { connectorId: 0, type: 'Inoperative' }, { status: 'Scheduled' }, 'accepted'],
  ['GetConfiguration', { key: ['HeartbeatInterval', 'NoSuchKey'] },
    { configurationKey: [{ key: 'HeartbeatInterval', readonly: false, value: '300' }], unknownKey: ['NoSuchKey'] }, 'accepted'],
  ['ChangeConfiguration', { key: 'HeartbeatInterval', value: '120' }, { status: 'RebootRequired' }, 'accepted'],
  ['ClearCache', {}, { status: 'Accepted' }, 'accepted'],
  ['TriggerMessage', { requestedMessage: 'StatusNotification', connectorId: 1 }, { status: 'Accepted' }, 'accepted'],
  ['ReserveNow', { connectorId: 1, expiryDate: new Date(Date.now() + 3600e3).toISOString(), idTag: 'RES-1', reservationId: 42 },
    { status: 'Occupied' }, 'rejected'],
  ['CancelReservation', { reservationId: 42 }, { status: 'Accepted' }, 'accepted'],
  ['UpdateFirmware', { location: 'https://fw.example.cn/dc120-2.5.0.bin', retrieveDate: new Date().toISOString() }, {}, 'accepted'],
  ['GetDiagnostics', { location: 'ftp://diag.example.cn/upload/' }, { fileName: 'diag-20261201.tar.gz' }, 'accepted'],
];

async function send(token, ch, action, payload, extra = {}) {
  return api('POST', `/chargers/${ch.charger.id}/commands/${action}`, { token, body: { payload, ...extra } });
}

test(`${LABEL} ocpp commands: each one reaches the charger, and the API shows its answer`, async () => {
  const ch = await newCharger();
  const om = await userWithToken(['om_engineer']);
  const got = {};
  const cli = await connect(ch);
  for (const [action, , answer] of CASES) {
    cli.handle(action, ({ params }) => { got[action] = params; return answer; });
  }
  await cli.call('BootNotification', { chargePointVendor: 'V', chargePointModel: 'M' });
  for (const [action, payload, answer, status] of CASES) {
    const res = await send(om.token, ch, action, payload);
    expectStatus(res, 202);
    assert.equal(res.json.action, action);
    assert.equal(res.json.status, 'pending');
    const done = await api('GET', `/chargers/${ch.charger.id}/commands/${res.json.id}?wait=5000`, { token: om.token });
    expectStatus(done, 200);
    assert.equal(done.json.status, status, `${action}: ${done.text}`);
    assert.deepEqual(done.json.result, answer, action);
    assert.deepEqual(got[action], payload, `${action} arrived as sent`);
    assert.ok(done.json.finished_at >= done.json.requested_at);
  }
  const list = (await api('GET', `/chargers/${ch.charger.id}/commands`, { token: om.token })).json;
  assert.equal(list.total, CASES.length);
  await close(cli);
});

test(`${LABEL} ocpp commands: CALLERROR, timeout, queueing, offline, bad payloads, roles`, async () => {
  const ch = await newCharger();
  const token = await adminToken();
  const cli = await connect(ch);
  cli.handle('Reset', () => { throw createRPCError('NotSupported', 'no soft reset here'); });
  cli.handle('ClearCache', () => new Promise(() => {})); // never answers
  const err = await send(token, ch, 'Reset', { type: 'Soft' });
  expectStatus(err, 202);
  const e = (await api('GET', `/chargers/${ch.charger.id}/commands/${err.json.id}?wait=5000`, { token })).json;
  assert.equal(e.status, 'failed');
  assert.equal(e.error_code, 'NotSupported');
  assert.equal(e.error_description, 'no soft reset here');

  // one CALL at a time: the second waits behind the first, which times out
  const slow = await send(token, ch, 'ClearCache', {}, { timeout_s: 1 });
  cli.handle('UnlockConnector', () => ({ status: 'Unlocked' }));
  const next = await send(token, ch, 'UnlockConnector', { connectorId: 2 });
  const s = (await api('GET', `/chargers/${ch.charger.id}/commands/${slow.json.id}?wait=5000`, { token })).json;
  assert.equal(s.status, 'timeout');
  const n = (await api('GET', `/chargers/${ch.charger.id}/commands/${next.json.id}?wait=5000`, { token })).json;
  assert.equal(n.status, 'accepted', 'the queued command goes out once the first has ended');

  // the server validates the payload against the same schema the charger uses
  const bad = await send(token, ch, 'Reset', { type: 'Warm' });
  expectError(bad, 400, 'invalid_field', 'payload');
  assert.equal(bad.json.error.details.ocpp_error, 'PropertyConstraintViolation');
  expectError(await send(token, ch, 'Reset', {}), 400, 'invalid_field', 'payload');
  expectError(await send(token, ch, 'FlyToTheMoon', {}), 400, 'command_not_supported');
  expectError(await send(token, ch, 'Reset', { type: 'Soft' }, { timeout_s: 0 }), 400, 'invalid_field', 'timeout_s');

  // a viewer may look, not command; a dispatcher may command
  const viewer = await userWithToken(['viewer']);
  expectError(await send(viewer.token, ch, 'Reset', { type: 'Hard' }), 403, 'forbidden');
  expectStatus(await api('GET', `/chargers/${ch.charger.id}/commands`, { token: viewer.token }), 200);
  const disp = await userWithToken(['dispatcher']);
  cli.handle('ChangeAvailability', () => ({ status: 'Accepted' }));
  expectStatus(await send(disp.token, ch, 'ChangeAvailability', { connectorId: 1, type: 'Operative' }), 202);
  await sleep(200);

  // a command in flight when the charger leaves ends as disconnected
  cli.handle('GetConfiguration', () => new Promise(() => {}));
  const pend = await send(token, ch, 'GetConfiguration', {});
  await sleep(200);
  await close(cli);
  const d = (await api('GET', `/chargers/${ch.charger.id}/commands/${pend.json.id}?wait=5000`, { token })).json;
  assert.equal(d.status, 'disconnected');
  // offline: refused with its own code, nothing recorded
  const before = (await api('GET', `/chargers/${ch.charger.id}/commands`, { token })).json.total;
  const off = await send(token, ch, 'Reset', { type: 'Hard' });
  expectError(off, 409, 'charger_offline');
  assert.equal((await api('GET', `/chargers/${ch.charger.id}/commands`, { token })).json.total, before);
  expectError(await api('GET', `/chargers/${ch.charger.id}/commands/00000000-0000-7000-8000-000000000000`, { token }), 404, 'not_found');
});

test(`${LABEL} ocpp commands: a keyed command leaves once, after its write commits; the replay answers from the key`, async () => {
  // A keyed write runs inside the router's transaction: the CALL must wait for that commit (the charger's answer
  // settles a row the gateway's writer must see) and a replay must not send it again.
  const ch = await newCharger();
  const om = await userWithToken(['om_engineer']);
  const cli = await connect(ch);
  let calls = 0;
  cli.handle('TriggerMessage', () => { calls += 1; return { status: 'Accepted' }; });
  await cli.call('BootNotification', { chargePointVendor: 'V', chargePointModel: 'M' });
  const key = `cmd-${Date.now()}-${process.pid}`;
  const payload = { requestedMessage: 'Heartbeat' };
  const first = await api('POST', `/chargers/${ch.charger.id}/commands/TriggerMessage`, { token: om.token, body: { payload }, headers: { 'idempotency-key': key } });
  expectStatus(first, 202);
  const done = await api('GET', `/chargers/${ch.charger.id}/commands/${first.json.id}?wait=5000`, { token: om.token });
  assert.equal(done.json.status, 'accepted', done.text);
  const again = await api('POST', `/chargers/${ch.charger.id}/commands/TriggerMessage`, { token: om.token, body: { payload }, headers: { 'idempotency-key': key } });
  expectStatus(again, 202);
  assert.equal(again.headers.get('idempotent-replayed'), 'true');
  assert.equal(again.json.id, first.json.id);
  const list = (await api('GET', `/chargers/${ch.charger.id}/commands`, { token: om.token })).json;
  assert.equal(list.total, 1, 'recorded once');
  assert.equal(calls, 1, 'sent once');
  await close(cli);
});

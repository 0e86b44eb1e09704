// The WebSocket handshake: unknown chargers, Basic auth (security profiles 0 and 1), subprotocol negotiation.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import crypto from 'node:crypto';
import { LABEL, BASE_URL } from '../api/lib.mjs';
import { newCharger, connect, close, raw, until, api, adminToken } from './lib.mjs';

function upgrade(path, headers) {
  return new Promise((resolve, reject) => {
    const key = crypto.randomBytes(16).toString('base64');
    const req = http.request(BASE_URL + path, {
      headers: { Connection: 'Upgrade', Upgrade: 'websocket', 'Sec-WebSocket-Version': '13', 'Sec-WebSocket-Key': key, ...headers },
    });
    req.on('upgrade', (res, socket) => { socket.destroy(); resolve({ status: 101, headers: res.headers, key }); });
    req.on('response', (res) => { res.resume(); resolve({ status: res.statusCode, headers: res.headers }); });
    req.on('error', reject);
    req.end();
  });
}

test(`${LABEL} ocpp handshake: unknown charger 404, wrong or missing password 401, Sec-WebSocket-Accept`, async () => {
  await assert.rejects(raw({ cpid: 'NO-SUCH-CHARGER', key: 'x' }), (e) => e.status === 404);
  const ch = await newCharger();
  await assert.rejects(raw(ch, { password: 'wrong-password-000000' }), (e) => e.status === 401);
  const noauth = await upgrade(`/ocpp/${ch.cpid}`, { 'Sec-WebSocket-Protocol': 'ocpp1.6' });
  assert.equal(noauth.status, 401);
  assert.match(noauth.headers['www-authenticate'], /^Basic/);
  // the username must be the charge point id
  const other = await upgrade(`/ocpp/${ch.cpid}`, { authorization: 'Basic ' + Buffer.from(`SOMEONE:${ch.key}`).toString('base64') });
  assert.equal(other.status, 401);
  const ok = await upgrade(`/ocpp/${ch.cpid}`, {
    authorization: 'Basic ' + Buffer.from(`${ch.cpid}:${ch.key}`).toString('base64'), 'Sec-WebSocket-Protocol': 'ocpp2.0.1, ocpp1.6',
  });
  assert.equal(ok.status, 101);
  const want = crypto.createHash('sha1').update(ok.key + '258EAFA5-E914-47DA-95CA-C5AB0DC85B11').digest('base64');
  assert.equal(ok.headers['sec-websocket-accept'], want);
  assert.equal(ok.headers['sec-websocket-protocol'], 'ocpp1.6');
  assert.equal((await upgrade(`/ocpp/${ch.cpid}`, { 'Sec-WebSocket-Version': '8' })).status, 426);
  assert.equal((await upgrade('/ocpp/', {})).status, 404);
  // a rotated key locks the old one out
  const rot = await api('POST', `/chargers/${ch.charger.id}/actions/rotate-key`, { token: await adminToken() });
  await assert.rejects(raw(ch), (e) => e.status === 401);
  const ws = await raw({ ...ch, key: rot.json.authorization_key });
  ws.close();
});

test(`${LABEL} ocpp handshake: security profile 0 needs no password; subprotocol negotiation`, async () => {
  const bench = await newCharger({ security_profile: 0 });
  assert.equal(bench.key, null);
  const cli = await connect({ cpid: bench.cpid, key: undefined });
  assert.equal(cli.protocol, 'ocpp1.6');
  assert.equal((await cli.call('Heartbeat', {})).currentTime.length > 0, true);
  await close(cli);

  // offering several subprotocols: ocpp1.6 is chosen
  const ch = await newCharger();
  const multi = await raw(ch, { protocols: ['ocpp2.0.1', 'ocpp1.6'] });
  assert.equal(multi.protocol, 'ocpp1.6');
  multi.close();
  // offering none we speak: the handshake completes without the header, then the server closes (OCPP-J §3.2)
  const none = await raw(ch, { protocols: ['ocpp2.0.1'] }).catch((e) => e);
  if (none instanceof Error) {
    assert.match(none.message, /protocol/i, 'ws refuses a 101 without the subprotocol it asked for');
  } else {
    assert.equal(none.protocol, '');
    const closed = await none.closed;
    assert.equal(closed.code, 1002);
  }
  const bare = await raw(ch, { protocols: [] });
  assert.equal(bare.protocol, '');
  assert.equal((await bare.closed).code, 1002);
  // the charger was never reported online by the refused connections
  const c = await until(`/chargers/${ch.charger.id}`, (j) => j.online === false);
  assert.equal(c.online, false);
});

test(`${LABEL} ocpp AuthorizationKey pushed to the charger: in force once accepted, never stored in clear`, async () => {
  const ch = await newCharger();
  const token = await adminToken();
  let cli = await connect(ch);
  // the 101 reaches the charger a moment before the gateway has taken the connection (the REST command would
  // meet 409 charger_offline in that moment): wait until the charger shows online, as an operator would see it
  await until(`/chargers/${ch.charger.id}`, (c) => c.online === true);
  let got;
  cli.handle('ChangeConfiguration', ({ params }) => { got = params; return { status: 'Rejected' }; });
  // refused first: the old key stays
  const r1 = await api('POST', `/chargers/${ch.charger.id}/actions/rotate-key`, { token, body: { push: true } });
  assert.equal(r1.status, 202, r1.text);
  const c1 = (await api('GET', `/chargers/${ch.charger.id}/commands/${r1.json.command.id}?wait=5000`, { token })).json;
  assert.equal(c1.status, 'rejected');
  assert.equal(got.key, 'AuthorizationKey');
  assert.equal(got.value, r1.json.authorization_key);
  assert.equal(c1.payload.value, '(redacted)');
  await close(cli);
  await assert.rejects(raw({ ...ch, key: r1.json.authorization_key }), (e) => e.status === 401);
  // accepted (the old key still connects): the new key replaces the old one
  cli = await connect(ch);
  await until(`/chargers/${ch.charger.id}`, (c) => c.online === true);
  cli.handle('ChangeConfiguration', ({ params }) => { got = params; return { status: 'Accepted' }; });
  const r2 = await api('POST', `/chargers/${ch.charger.id}/actions/rotate-key`, { token, body: { push: true } });
  const c2 = (await api('GET', `/chargers/${ch.charger.id}/commands/${r2.json.command.id}?wait=5000`, { token })).json;
  assert.equal(c2.status, 'accepted');
  await assert.rejects(raw(ch), (e) => e.status === 401);
  const audit = JSON.stringify((await api('GET', `/audit?limit=200`, { token })).json);
  assert.ok(!audit.includes(r2.json.authorization_key) && !audit.includes(r1.json.authorization_key), 'no key in the audit');
  // setting the key by a raw ChangeConfiguration is refused (it would be stored in clear and our hash would not follow)
  const raw1 = await api('POST', `/chargers/${ch.charger.id}/commands/ChangeConfiguration`, { token, body: { payload: { key: 'AuthorizationKey', value: 'ab'.repeat(20) } } });
  assert.equal(raw1.status, 400);
  assert.equal(raw1.json.error.details.field, 'payload');
  await close(cli);
  (await raw({ ...ch, key: r2.json.authorization_key })).close();
  // the gateway has let go of the charger once that connection's disconnect is recorded (the third: two clients
  // before it); `online: false` alone can be the state between the previous close and this connect
  await until(`/chargers/${ch.charger.id}/events?limit=50`, (j) => j.items.filter((e) => e.kind === 'disconnected').length >= 3);
  await until(`/chargers/${ch.charger.id}`, (j) => j.online === false);
  // offline: nothing to push to
  const off = await api('POST', `/chargers/${ch.charger.id}/actions/rotate-key`, { token, body: { push: true } });
  assert.equal(off.status, 409);
  assert.equal(off.json.error.code, 'charger_offline');
});

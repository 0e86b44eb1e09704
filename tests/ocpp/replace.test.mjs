// A second connection with the same chargePointId replaces the first (issue 9 finding 7): the first gets a
// WebSocket Close frame with a code and a reason before its socket closes (not 1006, an abnormal closure), the
// second works, and the charger stays online.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LABEL } from '../api/lib.mjs';
import { newCharger, raw, until, api, adminToken, expectStatus } from './lib.mjs';

test(`${LABEL} ocpp: a replaced connection gets a Close frame with a reason`, async () => {
  const ch = await newCharger();
  const first = await raw(ch);
  assert.equal((await first.call([2, 'b1', 'BootNotification', { chargePointVendor: 'XJ', chargePointModel: 'M' }]))[0], 3);
  // an operator command reaches the first connection, which never answers it
  const token = await adminToken();
  const cmd = await api('POST', `/chargers/${ch.charger.id}/commands/GetConfiguration`, { token, body: { payload: {} } });
  expectStatus(cmd, 202);
  const call = await first.next();
  assert.deepEqual([call[0], call[2]], [2, 'GetConfiguration']);
  const second = await raw(ch);
  const closed = await Promise.race([first.closed, new Promise((res) => setTimeout(() => res(null), 10000))]);
  assert.ok(closed, 'the first connection was closed within 10 s');
  assert.equal(closed.code, 1008, `close code ${closed.code} (1006 means no Close frame came)`);
  assert.equal(closed.reason, 'replaced by a new connection');
  // the command in flight on the replaced connection ends, it does not hang until its timeout
  const done = (await api('GET', `/chargers/${ch.charger.id}/commands/${cmd.json.id}?wait=5000`, { token })).json;
  assert.equal(done.status, 'disconnected');
  // the new connection is the charger's connection now
  const hb = await second.call([2, 'h1', 'Heartbeat', {}]);
  assert.equal(hb[0], 3);
  assert.equal(hb[1], 'h1');
  await until(`/chargers/${ch.charger.id}`, (j) => j.online === true);
  const ev = await until(`/chargers/${ch.charger.id}/events?limit=50`, (j) => j.items.filter((e) => e.kind === 'connected').length >= 2);
  assert.equal(ev.items.filter((e) => e.kind === 'disconnected').length, 1, 'the replaced connection is recorded once');
  second.close();
  await second.closed;
  await until(`/chargers/${ch.charger.id}`, (j) => j.online === false);
});

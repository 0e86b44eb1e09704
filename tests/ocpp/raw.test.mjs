// Raw frames a strict client would never send: each gets the CALLERROR OCPP.md names, and nothing the charger
// sends takes the gateway down.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LABEL } from '../api/lib.mjs';
import { newCharger, newTag, raw, api, adminToken, now, sleep } from './lib.mjs';

const err = (m, id, code) => {
  assert.ok(Array.isArray(m) && m[0] === 4, `a CALLERROR: ${JSON.stringify(m)}`);
  assert.equal(m[1], id);
  assert.equal(m[2], code, JSON.stringify(m));
  assert.equal(typeof m[3], 'string');
  assert.deepEqual(m[4], {});
};

test(`${LABEL} ocpp raw frames: malformed JSON, wrong shapes, unknown actions, schema violations`, async () => {
  const ch = await newCharger();
  const ws = await raw(ch);
  err(await ws.call('[2, "a1", "Heartbeat", {'), '-1', 'FormationViolation');
  err(await ws.call('{"not":"an array"}'), '-1', 'FormationViolation');
  err(await ws.call('[2, "a2"]'), 'a2', 'FormationViolation');
  err(await ws.call('[2, "a3", "Heartbeat", []]'), 'a3', 'FormationViolation');
  err(await ws.call('[2, "a4", "Heartbeat", {}, 1]'), 'a4', 'FormationViolation');
  err(await ws.call('["2", "a5", "Heartbeat", {}]'), '-1', 'FormationViolation');
  err(await ws.call([2, 'x'.repeat(37), 'Heartbeat', {}]), '-1', 'FormationViolation');
  err(await ws.call('[2, "a6", "Heartbeat", {"a":1, "a":2}]'), '-1', 'FormationViolation');
  err(await ws.call([2, 'b1', 'FlyToTheMoon', {}]), 'b1', 'NotImplemented');
  err(await ws.call([2, 'b2', 'Reset', { type: 'Soft' }]), 'b2', 'NotSupported');
  err(await ws.call([2, 'c1', 'StatusNotification', { connectorId: '1', errorCode: 'NoError', status: 'Available' }]), 'c1', 'TypeConstraintViolation');
  err(await ws.call([2, 'c2', 'StartTransaction', { connectorId: 1, idTag: 'T', meterStart: 1.5, timestamp: now() }]), 'c2', 'TypeConstraintViolation');
  err(await ws.call([2, 'c3', 'StatusNotification', { connectorId: 1, status: 'Available' }]), 'c3', 'OccurenceConstraintViolation');
  err(await ws.call([2, 'c4', 'StatusNotification', { connectorId: 1, errorCode: 'NoError', status: 'Sleeping' }]), 'c4', 'PropertyConstraintViolation');
  err(await ws.call([2, 'c5', 'Authorize', { idTag: 'X'.repeat(21) }]), 'c5', 'PropertyConstraintViolation');
  err(await ws.call([2, 'c6', 'StartTransaction', { connectorId: 1, idTag: 'T', meterStart: 1, timestamp: 'yesterday' }]), 'c6', 'PropertyConstraintViolation');
  err(await ws.call([2, 'c7', 'Heartbeat', { extra: true }]), 'c7', 'FormationViolation');
  err(await ws.call([2, 'c8', 'MeterValues', { connectorId: 1, meterValue: [{ timestamp: now(), sampledValue: [{ value: 5 }] }] }]), 'c8', 'TypeConstraintViolation');
  // an unknown MessageTypeNumber is ignored (OCPP-J §4.1.3); an answer to nothing is dropped; the socket still works
  ws.send('[7, "d1", {}]');
  ws.send('[3, "never-asked", {}]');
  ws.send('[4, "never-asked", "GenericError", "", {}]');
  const hb = await ws.call([2, 'd2', 'Heartbeat', {}]);
  assert.equal(hb[0], 3);
  assert.equal(hb[1], 'd2');
  assert.ok(Date.parse(hb[2].currentTime) > 0);
  ws.close();
});

test(`${LABEL} ocpp raw frames: a repeated message id`, async () => {
  const ch = await newCharger();
  const tag = await newTag();
  const ws = await raw(ch);
  const start = [2, 'm-1', 'StartTransaction', { connectorId: 1, idTag: tag, meterStart: 10, timestamp: now() }];
  const a = await ws.call(start);
  assert.equal(a[0], 3);
  // the same id and bytes: our answer was lost, the same answer again, processed once
  const b = await ws.call(start);
  assert.deepEqual(b, a);
  // the same id with other content: a ProtocolError
  err(await ws.call([2, 'm-1', 'Heartbeat', {}]), 'm-1', 'ProtocolError');
  ws.close();
  const txs = (await api('GET', `/chargers/${ch.charger.id}/transactions`, { token: await adminToken() })).json;
  assert.equal(txs.total, 1);
});

test(`${LABEL} ocpp raw frames: a charger that does not wait for answers gets each one, or a ProtocolError`, async () => {
  const ch = await newCharger();
  const ws = await raw(ch);
  const ids = Array.from({ length: 10 }, (_, i) => `flood-${i}`);
  for (const id of ids) ws.send(JSON.stringify([2, id, 'StatusNotification', { connectorId: 1, errorCode: 'NoError', status: 'Available' }]));
  const got = new Map();
  for (let i = 0; i < ids.length; i++) {
    const m = await ws.next();
    got.set(m[1], m);
  }
  assert.deepEqual([...got.keys()].sort(), [...ids].sort(), 'every CALL answered once');
  for (const m of got.values()) assert.ok(m[0] === 3 || (m[0] === 4 && m[2] === 'ProtocolError'), JSON.stringify(m));
  assert.ok([...got.values()].some((m) => m[0] === 3));
  ws.close();
});

test(`${LABEL} ocpp raw frames: oversize and binary frames close that connection only`, async () => {
  const ch = await newCharger();
  const other = await newCharger();
  const bystander = await raw(other);
  const ws = await raw(ch);
  ws.send(JSON.stringify([2, 'big', 'DataTransfer', { vendorId: 'V', data: 'x'.repeat(70 * 1024) }]));
  assert.equal((await ws.closed).code, 1009, 'message too big');
  const bin = await raw(ch);
  bin.send(Buffer.from([2, 0, 1]), { binary: true });
  assert.equal((await bin.closed).code, 1003);
  // invalid UTF-8 in a text frame
  const bad = await raw(ch);
  bad._sender.sendFrame(bad._sender.constructor.frame(Buffer.from([0x5b, 0xff, 0xfe, 0x5d]), { fin: true, opcode: 1, mask: true, readOnly: false }), () => {});
  assert.equal((await bad.closed).code, 1007);
  // the gateway keeps serving the others
  const hb = await bystander.call([2, 'still-here', 'Heartbeat', {}]);
  assert.equal(hb[1], 'still-here');
  bystander.close();
  const again = await raw(ch);
  assert.equal((await again.call([2, 'back', 'Heartbeat', {}]))[0], 3);
  again.close();
  await sleep(10);
});

// Device binding (R3.1): register, device tokens, listing, revocation, device-bound login.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  api, adminToken, userWithToken, expectError, expectStatus, expectMillis, findSecrets,
  uniq, show, PASSWORD, UUID_V7, MISSING_ID, LABEL,
} from './lib.mjs';

function expectDevice(d) {
  assert.ok(d && typeof d === 'object', `device object: ${JSON.stringify(d)}`);
  assert.match(d.id, UUID_V7, 'device.id is a UUIDv7');
  assert.match(d.user_id, UUID_V7, 'device.user_id');
  assert.equal(typeof d.name, 'string');
  assert.equal(typeof d.platform, 'string');
  expectMillis(d.created_at, 'device.created_at');
  assert.ok('last_seen_at' in d, 'device.last_seen_at present');
  if (d.last_seen_at !== null) expectMillis(d.last_seen_at, 'device.last_seen_at');
  assert.ok('revoked_at' in d, 'device.revoked_at present');
  if (d.revoked_at !== null) expectMillis(d.revoked_at, 'device.revoked_at');
  assert.ok(Number.isInteger(d.version) && d.version >= 1, 'device.version');
  assert.deepEqual(findSecrets(d), [], 'no secrets in a device');
}

async function register(token, name = uniq('phone-'), platform = 'android') {
  const res = await api('POST', '/me/devices', { token, body: { name, platform } });
  expectStatus(res, 201);
  return res.json;
}

test(`${LABEL} crew registers a device: 201 {device, token}; the device token works on /me`, async () => {
  const { user, token } = await userWithToken(['crew']);
  const name = uniq('phone-');
  const res = await api('POST', '/me/devices', { token, body: { name, platform: 'android' } });
  expectStatus(res, 201);
  const { device, token: dtoken } = res.json;
  expectDevice(device);
  assert.equal(device.user_id, user.id);
  assert.equal(device.name, name);
  assert.equal(device.platform, 'android');
  assert.equal(device.revoked_at, null);
  assert.equal(typeof dtoken, 'string');
  assert.ok(dtoken.length >= 16);
  assert.notEqual(dtoken, token, 'the device gets its own session token');

  const me = await api('GET', '/me', { token: dtoken });
  expectStatus(me, 200);
  assert.equal(me.json.id, user.id);
  assert.equal(me.json.username, user.username);
});

test(`${LABEL} GET /me/devices lists own devices only; admin GET /devices?user_id= lists them`, async () => {
  const admin = await adminToken();
  const a = await userWithToken(['crew']);
  const b = await userWithToken(['crew']);
  const { device } = await register(a.token);
  const { device: bdev } = await register(b.token);

  const mine = await api('GET', '/me/devices', { token: a.token });
  expectStatus(mine, 200);
  assert.ok(Array.isArray(mine.json.items));
  assert.deepEqual(mine.json.items.map((d) => d.id), [device.id], 'exactly the one device of user a');
  mine.json.items.forEach(expectDevice);

  const theirs = await api('GET', '/me/devices', { token: b.token });
  expectStatus(theirs, 200);
  assert.deepEqual(theirs.json.items.map((d) => d.id), [bdev.id]);

  const byAdmin = await api('GET', `/devices?user_id=${a.user.id}`, { token: admin });
  expectStatus(byAdmin, 200);
  assert.ok(Array.isArray(byAdmin.json.items));
  assert.deepEqual(byAdmin.json.items.map((d) => d.id), [device.id]);
  assert.ok(byAdmin.json.items.every((d) => d.user_id === a.user.id));
});

test(`${LABEL} crew cannot list all devices (GET /devices → 403 forbidden)`, async () => {
  const a = await userWithToken(['crew']);
  expectError(await api('GET', `/devices?user_id=${a.user.id}`, { token: a.token }), 403, 'forbidden');
});

test(`${LABEL} admin revokes a device: revoked_at set, device token → 401 device_revoked, normal session still works`, async () => {
  const admin = await adminToken();
  const { user, token } = await userWithToken(['crew']);
  const { device, token: dtoken } = await register(token);
  expectStatus(await api('GET', '/me', { token: dtoken }), 200);

  const res = await api('POST', `/devices/${device.id}/actions/revoke`, { token: admin });
  expectStatus(res, 200);
  expectDevice(res.json);
  assert.equal(res.json.id, device.id);
  expectMillis(res.json.revoked_at, 'revoked_at');

  const denied = await api('GET', '/me', { token: dtoken });
  const err = expectError(denied, 401, 'device_revoked');
  assert.equal(err.details.device_id, device.id, `details.device_id: ${show(denied)}`);

  const me = await api('GET', '/me', { token });
  expectStatus(me, 200);
  assert.equal(me.json.id, user.id);

  const list = await api('GET', `/devices?user_id=${user.id}`, { token: admin });
  expectStatus(list, 200);
  const d = list.json.items.find((x) => x.id === device.id);
  assert.ok(d, 'revoked device still listed');
  assert.equal(d.revoked_at, res.json.revoked_at);
});

test(`${LABEL} the owner may revoke their own device`, async () => {
  const { token } = await userWithToken(['crew']);
  const { device, token: dtoken } = await register(token);
  const res = await api('POST', `/devices/${device.id}/actions/revoke`, { token });
  expectStatus(res, 200);
  expectMillis(res.json.revoked_at, 'revoked_at');
  expectError(await api('GET', '/me', { token: dtoken }), 401, 'device_revoked');
});

test(`${LABEL} another non-admin user cannot revoke someone else's device`, async () => {
  const admin = await adminToken();
  const owner = await userWithToken(['crew']);
  const other = await userWithToken(['crew']);
  const { device, token: dtoken } = await register(owner.token);

  const res = await api('POST', `/devices/${device.id}/actions/revoke`, { token: other.token });
  assert.ok(res.status === 403 || res.status === 404, `403 or 404 expected: ${show(res)}`);
  expectError(res, res.status, res.status === 403 ? 'forbidden' : 'not_found');

  const list = await api('GET', `/devices?user_id=${owner.user.id}`, { token: admin });
  expectStatus(list, 200);
  const d = list.json.items.find((x) => x.id === device.id);
  assert.ok(d);
  assert.equal(d.revoked_at, null, 'the device stays unrevoked');
  expectStatus(await api('GET', '/me', { token: dtoken }), 200);
});

test(`${LABEL} revoking an unknown device → 404 not_found`, async () => {
  const res = await api('POST', `/devices/${MISSING_ID}/actions/revoke`, { token: await adminToken() });
  expectError(res, 404, 'not_found');
});

test(`${LABEL} POST /me/devices validation: missing name, unknown field`, async () => {
  const { token } = await userWithToken(['crew']);
  expectError(await api('POST', '/me/devices', { token, body: { platform: 'android' } }), 400, 'missing_field', 'name');
  expectError(await api('POST', '/me/devices', { token, body: { name: 'x', platform: 'ios', imei: '1' } }), 400, 'unknown_field', 'imei');
  expectError(await api('POST', '/me/devices', { body: { name: 'x', platform: 'ios' } }), 401, 'unauthenticated');
});

test(`${LABEL} login with device_id binds the session; revoked device → 401 device_revoked; foreign device → 403`, async () => {
  const admin = await adminToken();
  const a = await userWithToken(['crew']);
  const b = await userWithToken(['crew']);
  const { device } = await register(a.token);
  const { device: bdev } = await register(b.token);

  const bound = await api('POST', '/auth/login', { body: { username: a.user.username, password: PASSWORD, device_id: device.id } });
  expectStatus(bound, 200);
  const btoken = bound.json.token;
  expectStatus(await api('GET', '/me', { token: btoken }), 200);

  const foreign = await api('POST', '/auth/login', { body: { username: a.user.username, password: PASSWORD, device_id: bdev.id } });
  expectError(foreign, 403, 'forbidden');

  expectStatus(await api('POST', `/devices/${device.id}/actions/revoke`, { token: admin }), 200);
  const after = await api('GET', '/me', { token: btoken });
  assert.equal(after.status, 401, `a session bound to a revoked device ends: ${show(after)}`);
  assert.ok(['device_revoked', 'unauthenticated'].includes(after.json?.error?.code), show(after));

  const again = await api('POST', '/auth/login', { body: { username: a.user.username, password: PASSWORD, device_id: device.id } });
  const err = expectError(again, 401, 'device_revoked');
  assert.equal(err.details.device_id, device.id);
  // The plain session of a is unaffected.
  expectStatus(await api('GET', '/me', { token: a.token }), 200);
});

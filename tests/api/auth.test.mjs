// Login, sessions, cookie, logout, lockout, disable/enable (docs/api.md "Authentication", "Auth").
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  api, adminToken, createUser, createOrgUnit, login, expectError, expectStatus, expectUser, expectMillis,
  findSecrets, setCookies, uniq, show, PASSWORD, LABEL,
} from './lib.mjs';

const HOUR = 3600 * 1000;

async function loginRes(username, password, extra = {}) {
  return api('POST', '/auth/login', { body: { username, password, ...extra } });
}

function sessionCookie(res) {
  const c = setCookies(res).find((s) => /^\s*fg_session=/i.test(s));
  return c;
}

test(`${LABEL} login returns token, expires_at and the user without secrets; sets fg_session cookie`, async () => {
  const user = await createUser({ roles: ['crew'] });
  const before = Date.now();
  const res = await loginRes(user.username, PASSWORD);
  expectStatus(res, 200);
  const { token, expires_at, user: u } = res.json;
  assert.equal(typeof token, 'string');
  assert.ok(token.length >= 16, 'token is long enough to be unguessable');
  expectMillis(expires_at, 'expires_at');
  assert.ok(expires_at > before + 11 * HOUR && expires_at <= Date.now() + 12 * HOUR + 5 * 60 * 1000,
    `session lasts 12 hours: expires_at=${expires_at} now=${before}`);
  expectUser(u, PASSWORD);
  assert.equal(u.id, user.id);
  assert.equal(u.username, user.username);
  assert.deepEqual(findSecrets(res.json.user, [PASSWORD]), [], 'no password/hash in the login answer');
  assert.ok(!res.text.includes(PASSWORD), 'the plain password is not echoed');
  assert.ok(u.last_login_at !== null, 'last_login_at is set by the login');

  const cookie = sessionCookie(res);
  assert.ok(cookie, `Set-Cookie fg_session present: ${JSON.stringify(setCookies(res))}`);
  const attrs = cookie.split(';').map((s) => s.trim().toLowerCase());
  assert.ok(attrs.includes('httponly'), `cookie is HttpOnly: ${cookie}`);
  assert.ok(attrs.includes('samesite=strict'), `cookie is SameSite=Strict: ${cookie}`);
  assert.ok(attrs.includes('path=/'), `cookie has Path=/: ${cookie}`);
  const value = cookie.split(';')[0].split('=').slice(1).join('=');
  assert.ok(value.length > 0, 'cookie has a value');
});

test(`${LABEL} the fg_session cookie alone authenticates GET /me`, async () => {
  const user = await createUser({ roles: ['crew'] });
  const res = await loginRes(user.username, PASSWORD);
  expectStatus(res, 200);
  const cookie = sessionCookie(res);
  assert.ok(cookie, 'Set-Cookie fg_session present');
  const me = await api('GET', '/me', { cookie: cookie.split(';')[0].trim() });
  expectStatus(me, 200);
  assert.equal(me.json.username, user.username);
  assert.equal(me.json.id, user.id);

  const bad = await api('GET', '/me', { cookie: 'fg_session=forged-value-0123456789' });
  expectError(bad, 401, 'unauthenticated');
});

test(`${LABEL} bearer token authenticates GET /me, which lists permissions`, async () => {
  const user = await createUser({ roles: ['crew'] });
  const token = await login(user.username);
  const me = await api('GET', '/me', { token });
  expectStatus(me, 200);
  expectUser(me.json, PASSWORD);
  assert.equal(me.json.id, user.id);
  assert.equal(me.json.username, user.username);
  assert.deepEqual(me.json.roles, ['crew']);
  assert.ok(Array.isArray(me.json.permissions), `permissions[] present: ${show(me)}`);
  assert.ok(me.json.permissions.every((p) => typeof p === 'string' && p.length > 0), 'permissions are strings');
});

test(`${LABEL} admin and crew have different permissions`, async () => {
  const crew = await createUser({ roles: ['crew'] });
  const crewMe = await api('GET', '/me', { token: await login(crew.username) });
  const adminMe = await api('GET', '/me', { token: await adminToken() });
  expectStatus(crewMe, 200);
  expectStatus(adminMe, 200);
  assert.ok(adminMe.json.roles.includes('admin'), 'the init user has role admin');
  const a = new Set(adminMe.json.permissions);
  assert.ok(a.size > 0, 'admin has permissions');
  assert.ok(adminMe.json.permissions.some((p) => !crewMe.json.permissions.includes(p)),
    'admin has a permission crew lacks');
});

test(`${LABEL} GET /me without a session → 401 unauthenticated`, async () => {
  expectError(await api('GET', '/me'), 401, 'unauthenticated');
  expectError(await api('GET', '/me', { token: 'garbage-token-value' }), 401, 'unauthenticated');
  expectError(await api('GET', '/me', { headers: { authorization: 'Basic YWRtaW46eA==' } }), 401, 'unauthenticated');
});

test(`${LABEL} admin endpoints without a session → 401 unauthenticated`, async () => {
  expectError(await api('GET', '/users'), 401, 'unauthenticated');
  expectError(await api('GET', '/org-units'), 401, 'unauthenticated');
  expectError(await api('GET', '/audit'), 401, 'unauthenticated');
});

test(`${LABEL} wrong password → 401 invalid_credentials`, async () => {
  const user = await createUser();
  const res = await loginRes(user.username, 'Wrong-pass-999');
  expectError(res, 401, 'invalid_credentials');
  assert.equal(sessionCookie(res), undefined, 'no session cookie on a failed login');
});

test(`${LABEL} unknown user → 401 invalid_credentials`, async () => {
  const res = await loginRes(uniq('nobody'), PASSWORD);
  expectError(res, 401, 'invalid_credentials');
});

test(`${LABEL} login without password → 400 missing_field password`, async () => {
  const res = await api('POST', '/auth/login', { body: { username: uniq('nobody') } });
  expectError(res, 400, 'missing_field', 'password');
});

test(`${LABEL} 5 failed logins lock the account (429 account_locked even for the right password); enable clears it`, async () => {
  const user = await createUser();
  for (let i = 1; i <= 5; i++) {
    const res = await loginRes(user.username, `Wrong-pass-${i}xx`);
    expectError(res, 401, 'invalid_credentials');
  }
  const locked = await loginRes(user.username, PASSWORD);
  const err = expectError(locked, 429, 'account_locked');
  const ra = locked.headers.get('retry-after');
  assert.ok(ra !== null, 'Retry-After header present');
  assert.match(ra.trim(), /^\d+$/, `Retry-After is in seconds: ${ra}`);
  assert.ok(Number(ra) > 0 && Number(ra) <= 15 * 60, `Retry-After within the 15-minute lock: ${ra}`);
  assert.ok(Number.isInteger(err.details.retry_after), `details.retry_after integer: ${show(locked)}`);
  assert.ok(err.details.retry_after > 0 && err.details.retry_after <= 15 * 60, `details.retry_after: ${show(locked)}`);
  assert.ok(Math.abs(err.details.retry_after - Number(ra)) <= 1, 'Retry-After and details.retry_after agree');
  assert.equal(sessionCookie(locked), undefined, 'no session cookie while locked');

  // Still locked on the next try.
  expectError(await loginRes(user.username, PASSWORD), 429, 'account_locked');

  const en = await api('POST', `/users/${user.id}/actions/enable`, { token: await adminToken() });
  expectStatus(en, 200);
  assert.equal(en.json.disabled, false);
  const token = await login(user.username);
  expectStatus(await api('GET', '/me', { token }), 200);
});

test(`${LABEL} failures must be in a row: a successful login resets the count`, async () => {
  const user = await createUser();
  for (let i = 0; i < 4; i++) expectError(await loginRes(user.username, 'Wrong-pass-123'), 401, 'invalid_credentials');
  await login(user.username);
  for (let i = 0; i < 4; i++) expectError(await loginRes(user.username, 'Wrong-pass-123'), 401, 'invalid_credentials');
  await login(user.username); // 8 failures in total, never 5 in a row → not locked
});

test(`${LABEL} logout → 204 and the token stops working`, async () => {
  const user = await createUser();
  const token = await login(user.username);
  const other = await login(user.username);
  expectStatus(await api('GET', '/me', { token }), 200);
  const out = await api('POST', '/auth/logout', { token });
  expectStatus(out, 204);
  assert.equal(out.text, '', '204 has no body');
  expectError(await api('GET', '/me', { token }), 401, 'unauthenticated');
  // Only the current session ends.
  expectStatus(await api('GET', '/me', { token: other }), 200);
});

test(`${LABEL} logout without a session → 401 unauthenticated`, async () => {
  expectError(await api('POST', '/auth/logout'), 401, 'unauthenticated');
});

test(`${LABEL} disable ends sessions and blocks login (403 account_disabled); enable allows login again`, async () => {
  const admin = await adminToken();
  const user = await createUser();
  const token = await login(user.username);
  expectStatus(await api('GET', '/me', { token }), 200);

  const dis = await api('POST', `/users/${user.id}/actions/disable`, { token: admin });
  expectStatus(dis, 200);
  expectUser(dis.json);
  assert.equal(dis.json.id, user.id);
  assert.equal(dis.json.disabled, true);

  expectError(await api('GET', '/me', { token }), 401, 'unauthenticated');
  expectError(await loginRes(user.username, PASSWORD), 403, 'account_disabled');
  const got = await api('GET', `/users/${user.id}`, { token: admin });
  expectStatus(got, 200);
  assert.equal(got.json.disabled, true);

  const en = await api('POST', `/users/${user.id}/actions/enable`, { token: admin });
  expectStatus(en, 200);
  assert.equal(en.json.disabled, false);
  const token2 = await login(user.username);
  expectStatus(await api('GET', '/me', { token: token2 }), 200);
  // Sessions ended by the disable stay ended.
  expectError(await api('GET', '/me', { token }), 401, 'unauthenticated');
});

test(`${LABEL} a new password (PATCH by admin) ends the user's sessions; old password stops working`, async () => {
  const admin = await adminToken();
  const user = await createUser();
  const token = await login(user.username);
  const newPassword = 'New-Pass-word-77';
  const res = await api('PATCH', `/users/${user.id}`, {
    token: admin, body: { version: user.version, password: newPassword },
  });
  expectStatus(res, 200);
  expectUser(res.json, newPassword);
  expectError(await api('GET', '/me', { token }), 401, 'unauthenticated');
  expectError(await loginRes(user.username, PASSWORD), 401, 'invalid_credentials');
  const t2 = await login(user.username, newPassword);
  expectStatus(await api('GET', '/me', { token: t2 }), 200);
  // The admin's own session is not the user's: it keeps working.
  expectStatus(await api('GET', '/me', { token: admin }), 200);
});

test(`${LABEL} an admin cannot disable their own account (409 cannot_disable_self)`, async () => {
  // A throwaway admin, so a server that wrongly allows it does not lock out the real admin.
  const other = await createUser({ roles: ['admin'] });
  const token = await login(other.username);
  const res = await api('POST', `/users/${other.id}/actions/disable`, { token });
  expectError(res, 409, 'cannot_disable_self');
  const me = await api('GET', '/me', { token });
  expectStatus(me, 200);
  assert.equal(me.json.disabled, false, 'still enabled');
});

test(`${LABEL} action endpoints take no body or {}; other bodies are refused`, async () => {
  const admin = await adminToken();
  const user = await createUser();
  const dis = await api('POST', `/users/${user.id}/actions/disable`, { token: admin, body: {} });
  expectStatus(dis, 200);
  assert.equal(dis.json.disabled, true);
  const bad = await api('POST', `/users/${user.id}/actions/enable`, { token: admin, body: { reason: 'x' } });
  expectError(bad, 400, 'unknown_field', 'reason');
  const got = await api('GET', `/users/${user.id}`, { token: admin });
  assert.equal(got.json.disabled, true, 'the refused enable changed nothing');
  const en = await api('POST', `/users/${user.id}/actions/enable`, { token: admin });
  expectStatus(en, 200);
  assert.equal(en.json.disabled, false);
});

test(`${LABEL} GET /me has org_unit_name and device_id (null for a plain session)`, async () => {
  const team = await createOrgUnit('team');
  const user = await createUser({ org_unit_id: team.id });
  const token = await login(user.username);
  const me = await api('GET', '/me', { token });
  expectStatus(me, 200);
  assert.equal(me.json.org_unit_id, team.id);
  assert.equal(me.json.org_unit_name, team.name);
  assert.ok('device_id' in me.json, `device_id present: ${show(me)}`);
  assert.equal(me.json.device_id, null);

  const reg = await api('POST', '/me/devices', { token, body: { name: uniq('phone-'), platform: 'android' } });
  expectStatus(reg, 201);
  const dme = await api('GET', '/me', { token: reg.json.token });
  expectStatus(dme, 200);
  assert.equal(dme.json.device_id, reg.json.device.id, 'a device token is bound to its device');

  const loose = await createUser();
  const lme = await api('GET', '/me', { token: await login(loose.username) });
  expectStatus(lme, 200);
  assert.equal(lme.json.org_unit_id, null);
  assert.equal(lme.json.org_unit_name ?? null, null, 'no org unit, no name');
});

// The server keeps resolved sessions a moment in memory (src/core/auth/session.c, bench/README.md "HTTP"). Whatever
// ends or changes a session must still take effect on the very next request: each test warms the cache with requests
// made back to back (well inside its 2 s bound), makes the change, and asks again at once.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { api, adminToken, userWithToken, createOrgUnit, expectError, expectStatus, login, LABEL } from './lib.mjs';

async function warm(token, n = 3) {
  for (let i = 0; i < n; i++) expectStatus(await api('GET', '/me', { token }), 200);
}

test(`${LABEL} session cache: a logout ends the session at once; the user's other session stays`, async () => {
  const { user, token } = await userWithToken(['crew']);
  const other = await login(user.username);
  await warm(token);
  await warm(other);
  expectStatus(await api('POST', '/auth/logout', { token }), 204);
  expectError(await api('GET', '/me', { token }), 401, 'unauthenticated');
  expectStatus(await api('GET', '/me', { token: other }), 200);
});

test(`${LABEL} session cache: disabling a user ends their sessions at once`, async () => {
  const admin = await adminToken();
  const { user, token } = await userWithToken(['crew']);
  await warm(token);
  expectStatus(await api('POST', `/users/${user.id}/actions/disable`, { token: admin }), 200);
  expectError(await api('GET', '/me', { token }), 401, 'unauthenticated');
  expectError(await api('GET', '/me/jobs', { token }), 401, 'unauthenticated');
});

test(`${LABEL} session cache: a roles change applies to the next request's permissions`, async () => {
  const admin = await adminToken();
  const { user, token } = await userWithToken(['viewer']);
  await warm(token);
  expectStatus(await api('GET', '/board', { token }), 200);
  const cur = await api('GET', `/users/${user.id}`, { token: admin });
  expectStatus(cur, 200);
  expectStatus(await api('PATCH', `/users/${user.id}`, { token: admin, body: { version: cur.json.version, roles: ['crew'] } }), 200);
  const me = await api('GET', '/me', { token });
  expectStatus(me, 200);
  assert.deepEqual(me.json.roles, ['crew']);
  assert.ok(!me.json.permissions.includes('supervision.read'), `permissions follow the new roles: ${me.json.permissions}`);
  expectError(await api('GET', '/board', { token }), 403, 'forbidden');
});

test(`${LABEL} session cache: an org unit change shows in the next /me`, async () => {
  const admin = await adminToken();
  const a = await createOrgUnit('company');
  const b = await createOrgUnit('company');
  const { user, token } = await userWithToken(['crew'], { org_unit_id: a.id });
  await warm(token);
  assert.equal((await api('GET', '/me', { token })).json.org_unit_name, a.name);
  const cur = await api('GET', `/users/${user.id}`, { token: admin });
  expectStatus(await api('PATCH', `/users/${user.id}`, { token: admin, body: { version: cur.json.version, org_unit_id: b.id } }), 200);
  assert.equal((await api('GET', '/me', { token })).json.org_unit_name, b.name);
});

test(`${LABEL} session cache: a password change ends the user's other sessions at once`, async () => {
  const { user, token, password } = await userWithToken(['crew']);
  const other = await login(user.username, password);
  await warm(token);
  await warm(other);
  const cur = await api('GET', '/me', { token });
  const res = await api('PATCH', `/users/${user.id}`, {
    token: await adminToken(), body: { version: cur.json.version, password: 'Fg-test-Pass-2025-new' },
  });
  expectStatus(res, 200);
  expectError(await api('GET', '/me', { token: other }), 401, 'unauthenticated');
});

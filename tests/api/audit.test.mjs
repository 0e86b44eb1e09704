// Audit log: records for writes, before/after without secrets, newest first, access control.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  api, adminToken, adminUser, createUser, createOrgUnit, userWithToken, expectError, expectStatus,
  expectList, expectMillis, findSecrets, show, PASSWORD, LABEL,
} from './lib.mjs';

function expectRecord(r) {
  assert.ok(Number.isInteger(r.seq) && r.seq > 0, `seq: ${JSON.stringify(r)}`);
  expectMillis(r.at, 'audit.at');
  assert.equal(typeof r.action, 'string');
  assert.equal(typeof r.entity, 'string');
  assert.equal(typeof r.entity_id, 'string');
  assert.ok('before' in r && 'after' in r, 'before/after present');
  assert.equal(typeof r.hash, 'string');
  assert.ok(r.hash.length > 0, 'hash non-empty');
}

// The list envelope minus `total` (checked on its own below, so a missing total does not hide the rest).
function auditList(res) {
  expectStatus(res, 200);
  const b = res.json;
  assert.ok(b && Array.isArray(b.items), `list must have items[]: ${show(res)}`);
  assert.ok('next_cursor' in b, `list must have next_cursor: ${show(res)}`);
  assert.ok(b.next_cursor === null || (typeof b.next_cursor === 'string' && b.next_cursor.length > 0));
  return b;
}

async function auditFor(entity, id, token) {
  const res = await api('GET', `/audit?entity=${entity}&entity_id=${id}`, { token: token ?? await adminToken() });
  const body = auditList(res);
  body.items.forEach(expectRecord);
  return body.items;
}

function assertNewestFirst(items) {
  for (let i = 1; i < items.length; i++) {
    assert.ok(items[i - 1].seq > items[i].seq, `newest first by seq: ${items.map((x) => x.seq)}`);
    assert.ok(items[i - 1].at >= items[i].at, 'newest first by time');
  }
}

test(`${LABEL} audit: creating a user is recorded, by the admin, without the password`, async () => {
  const admin = await adminUser();
  const user = await createUser({ roles: ['crew'] });
  const items = await auditFor('user', user.id);
  assert.ok(items.length >= 1, 'at least one record');
  assert.ok(items.every((r) => r.entity === 'user' && r.entity_id === user.id), 'filter by entity/entity_id');
  const create = items.find((r) => /create/i.test(r.action));
  assert.ok(create, `a create record: ${JSON.stringify(items.map((r) => r.action))}`);
  assert.equal(create.actor_id, admin.id);
  assert.ok(create.before === null || create.before === undefined, `before of a create is null: ${JSON.stringify(create.before)}`);
  assert.equal(create.after.username, user.username);
  assert.equal(create.after.id, user.id);
  assert.deepEqual(findSecrets(create.before, [PASSWORD]), [], 'no secret in before');
  assert.deepEqual(findSecrets(create.after, [PASSWORD]), [], 'no secret in after');
});

test(`${LABEL} audit: a PATCH adds a newer record with before/after display_name`, async () => {
  const token = await adminToken();
  const user = await createUser({ display_name: '王芳' });
  const res = await api('PATCH', `/users/${user.id}`, { token, body: { version: user.version, display_name: '王芳芳' } });
  expectStatus(res, 200);
  const items = await auditFor('user', user.id);
  assert.ok(items.length >= 2, `create + update: ${items.length}`);
  assertNewestFirst(items);
  const create = items.find((r) => /create/i.test(r.action));
  const upd = items[0];
  assert.ok(create && upd.seq > create.seq, 'the update is newer than the create');
  assert.equal(upd.before.display_name, '王芳');
  assert.equal(upd.after.display_name, '王芳芳');
  assert.equal(upd.after.version, user.version + 1);
  assert.deepEqual(findSecrets(upd.before), []);
  assert.deepEqual(findSecrets(upd.after), []);
});

test(`${LABEL} audit: a password change is recorded without the password or its hash`, async () => {
  const token = await adminToken();
  const user = await createUser();
  const newPassword = 'Changed-Pass-42';
  expectStatus(await api('PATCH', `/users/${user.id}`, { token, body: { version: user.version, password: newPassword } }), 200);
  const items = await auditFor('user', user.id);
  assert.ok(items.length >= 2, 'the password change is audited');
  for (const r of items) {
    assert.deepEqual(findSecrets(r.before, [PASSWORD, newPassword]), [], `seq ${r.seq} before`);
    assert.deepEqual(findSecrets(r.after, [PASSWORD, newPassword]), [], `seq ${r.seq} after`);
  }
});

test(`${LABEL} audit: a rejected write (version conflict) adds no record`, async () => {
  const token = await adminToken();
  const user = await createUser();
  expectStatus(await api('PATCH', `/users/${user.id}`, { token, body: { version: user.version, display_name: 'v2' } }), 200);
  const before = await auditFor('user', user.id);
  expectError(await api('PATCH', `/users/${user.id}`, { token, body: { version: user.version, display_name: 'v3' } }), 409, 'version_conflict');
  const after = await auditFor('user', user.id);
  assert.deepEqual(after.map((r) => r.seq), before.map((r) => r.seq));
});

test(`${LABEL} audit: org unit create/update are recorded under entity org_unit`, async () => {
  const token = await adminToken();
  const admin = await adminUser();
  const ou = await createOrgUnit('company');
  expectStatus(await api('PATCH', `/org-units/${ou.id}`, { token, body: { version: ou.version, name: `${ou.name}-2` } }), 200);
  const items = await auditFor('org_unit', ou.id);
  assert.equal(items.length, 2, `create + update: ${JSON.stringify(items.map((r) => r.action))}`);
  assertNewestFirst(items);
  assert.ok(items.every((r) => r.actor_id === admin.id));
  assert.equal(items[1].after.name, ou.name);
  assert.equal(items[0].before.name, ou.name);
  assert.equal(items[0].after.name, `${ou.name}-2`);
});

test(`${LABEL} audit: device registration and revocation are recorded under entity device, by their actors`, async () => {
  const admin = await adminUser();
  const crew = await userWithToken(['crew']);
  const reg = await api('POST', '/me/devices', { token: crew.token, body: { name: 'audit-phone', platform: 'ios' } });
  expectStatus(reg, 201);
  const device = reg.json.device;
  expectStatus(await api('POST', `/devices/${device.id}/actions/revoke`, { token: await adminToken() }), 200);
  const items = await auditFor('device', device.id);
  assert.ok(items.length >= 2, `register + revoke: ${JSON.stringify(items.map((r) => r.action))}`);
  assertNewestFirst(items);
  assert.equal(items[0].actor_id, admin.id, 'the revoke was done by the admin');
  assert.ok(items[0].after.revoked_at !== null && items[0].after.revoked_at !== undefined, 'after shows revoked_at');
  const reg1 = items[items.length - 1];
  assert.equal(reg1.actor_id, crew.user.id, 'the registration was done by the crew member');
  assert.equal(reg1.after.name, 'audit-phone');
  for (const r of items) assert.deepEqual(findSecrets(r.after, [reg.json.token]), [], 'no device token in the audit');
});

test(`${LABEL} audit: actor_id filter returns only that actor's records`, async () => {
  const crew = await userWithToken(['crew']);
  const reg = await api('POST', '/me/devices', { token: crew.token, body: { name: 'actor-phone', platform: 'android' } });
  expectStatus(reg, 201);
  const res = await api('GET', `/audit?actor_id=${crew.user.id}`, { token: await adminToken() });
  const body = auditList(res);
  assert.ok(body.items.length >= 1);
  assert.ok(body.items.every((r) => r.actor_id === crew.user.id), 'only this actor');
  assert.ok(body.items.some((r) => r.entity === 'device' && r.entity_id === reg.json.device.id));
});

test(`${LABEL} audit: paging with limit=1 follows newest-first order`, async () => {
  const token = await adminToken();
  const user = await createUser();
  expectStatus(await api('PATCH', `/users/${user.id}`, { token, body: { version: user.version, display_name: 'p2' } }), 200);
  const all = await auditFor('user', user.id);
  assert.ok(all.length >= 2);
  const p1 = auditList(await api('GET', `/audit?entity=user&entity_id=${user.id}&limit=1`, { token }));
  assert.equal(p1.items.length, 1);
  assert.equal(p1.items[0].seq, all[0].seq);
  assert.equal(typeof p1.next_cursor, 'string');
  const p2 = auditList(await api('GET', `/audit?entity=user&entity_id=${user.id}&limit=1&cursor=${encodeURIComponent(p1.next_cursor)}`, { token }));
  assert.equal(p2.items.length, 1);
  assert.equal(p2.items[0].seq, all[1].seq);
});

test(`${LABEL} audit: crew → 403 forbidden; supervisor → 200`, async () => {
  const crew = await userWithToken(['crew']);
  const res = await api('GET', '/audit', { token: crew.token });
  expectError(res, 403, 'forbidden');

  const sup = await userWithToken(['supervisor']);
  const user = await createUser();
  const ok = await api('GET', `/audit?entity=user&entity_id=${user.id}`, { token: sup.token });
  const body = auditList(ok);
  assert.ok(body.items.some((r) => r.entity_id === user.id && /create/i.test(r.action)), show(ok));
});

test(`${LABEL} audit: GET /audit is a list with items, next_cursor and total`, async () => {
  const user = await createUser();
  const res = await api('GET', `/audit?entity=user&entity_id=${user.id}`, { token: await adminToken() });
  const body = expectList(res);
  assert.equal(body.total, body.items.length, 'one page holds all records of a new user');
  assert.ok(body.total >= 1);
});

test(`${LABEL} audit: login and logout are recorded under entity session, without the token`, async () => {
  const admin = await adminToken();
  const user = await createUser();
  const res = await api('POST', '/auth/login', { body: { username: user.username, password: PASSWORD } });
  expectStatus(res, 200);
  const token = res.json.token;
  const path = `/audit?entity=session&actor_id=${user.id}`;
  const afterLogin = auditList(await api('GET', path, { token: admin }));
  assert.equal(afterLogin.items.length, 1, `one session record after one login: ${JSON.stringify(afterLogin.items)}`);
  const rec = afterLogin.items[0];
  expectRecord(rec);
  assert.equal(rec.entity, 'session');
  assert.equal(rec.actor_id, user.id);
  assert.equal(rec.after?.user_id, user.id, 'after names the user');
  assert.ok(!JSON.stringify(rec).includes(token), 'the session token is not in the audit');
  assert.deepEqual(findSecrets(rec.after, [token, PASSWORD]), []);

  expectStatus(await api('POST', '/auth/logout', { token }), 204);
  const afterLogout = auditList(await api('GET', path, { token: admin }));
  assert.equal(afterLogout.items.length, 2, 'logout adds a session record');
  assert.equal(afterLogout.items[0].entity_id, rec.entity_id, 'the same session ends');
  assert.ok(afterLogout.items[0].seq > rec.seq, 'newest first');
  assert.ok(!JSON.stringify(afterLogout.items[0]).includes(token), 'the session token is not in the audit');
});

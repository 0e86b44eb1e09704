// Org units and users (admin only): CRUD, validation, versions, cycles, lists, paging, unused.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  api, adminToken, createUser, createOrgUnit, userWithToken, login, expectError, expectStatus,
  expectList, expectUser, expectMillis, collectAll, uniq, show, sleep, PASSWORD, UUID_V7, MISSING_ID, LABEL,
} from './lib.mjs';

const sorted = (a) => [...a].sort();

function expectOrgUnit(o) {
  assert.match(o.id, UUID_V7, 'org unit id is a UUIDv7');
  assert.equal(typeof o.name, 'string');
  assert.ok(['company', 'department', 'team'].includes(o.kind), `kind: ${o.kind}`);
  assert.ok(o.parent_id === null || typeof o.parent_id === 'string', 'parent_id string|null');
  expectMillis(o.created_at, 'created_at');
  expectMillis(o.updated_at, 'updated_at');
  assert.ok(Number.isInteger(o.version) && o.version >= 1, 'version');
}

// ---------------------------------------------------------------- org units

test(`${LABEL} org units: create company → department → team, GET by id`, async () => {
  const token = await adminToken();
  const cname = uniq('co-');
  const res = await api('POST', '/org-units', { token, body: { name: cname, kind: 'company' } });
  expectStatus(res, 201);
  const company = res.json;
  expectOrgUnit(company);
  assert.equal(company.name, cname);
  assert.equal(company.kind, 'company');
  assert.equal(company.parent_id, null);
  assert.equal(company.version, 1);

  const dept = await createOrgUnit('department', company.id);
  expectOrgUnit(dept);
  assert.equal(dept.kind, 'department');
  assert.equal(dept.parent_id, company.id);
  const team = await createOrgUnit('team', dept.id);
  assert.equal(team.kind, 'team');
  assert.equal(team.parent_id, dept.id);
  assert.notEqual(team.id, dept.id);

  const got = await api('GET', `/org-units/${team.id}`, { token });
  expectStatus(got, 200);
  assert.deepEqual(got.json, team, 'GET returns what POST returned');
});

test(`${LABEL} org units: GET unknown id → 404 not_found`, async () => {
  const res = await api('GET', `/org-units/${MISSING_ID}`, { token: await adminToken() });
  const err = expectError(res, 404, 'not_found');
  assert.equal(err.details.entity, 'org_unit', `details.entity: ${show(res)}`);
  assert.equal(err.details.id, MISSING_ID, `details.id: ${show(res)}`);
});

test(`${LABEL} org units: list with kind and parent_id filters`, async () => {
  const token = await adminToken();
  const company = await createOrgUnit('company');
  const dept = await createOrgUnit('department', company.id);
  const team = await createOrgUnit('team', dept.id);

  const teams = expectList(await api('GET', '/org-units?kind=team', { token }));
  assert.ok(teams.items.length >= 1, 'at least our team');
  assert.ok(teams.items.every((o) => o.kind === 'team'), 'kind=team returns only teams');
  assert.ok(teams.total >= 1);

  const children = expectList(await api('GET', `/org-units?parent_id=${dept.id}`, { token }));
  assert.deepEqual(children.items.map((o) => o.id), [team.id], 'the department has exactly our team');
  assert.equal(children.total, 1);
  assert.equal(children.next_cursor, null);

  const both = expectList(await api('GET', `/org-units?kind=team&parent_id=${company.id}`, { token }));
  assert.deepEqual(both.items, [], 'no team directly under the company');
  assert.equal(both.total, 0);

  const depts = expectList(await api('GET', `/org-units?kind=department&parent_id=${company.id}`, { token }));
  assert.deepEqual(depts.items.map((o) => o.id), [dept.id]);
});

test(`${LABEL} org units: PATCH name with the right version → version+1; stale version → 409`, async () => {
  const token = await adminToken();
  const ou = await createOrgUnit('company');
  const newName = uniq('renamed-');
  const res = await api('PATCH', `/org-units/${ou.id}`, { token, body: { version: ou.version, name: newName } });
  expectStatus(res, 200);
  assert.equal(res.json.name, newName);
  assert.equal(res.json.version, ou.version + 1);
  assert.equal(res.json.kind, 'company', 'unmentioned fields stay');
  assert.ok(res.json.updated_at >= ou.updated_at);
  assert.equal(res.json.created_at, ou.created_at);

  const stale = await api('PATCH', `/org-units/${ou.id}`, { token, body: { version: ou.version, name: 'lost-update' } });
  const err = expectError(stale, 409, 'version_conflict');
  assert.equal(err.details.current_version, ou.version + 1, `details.current_version: ${show(stale)}`);

  const got = await api('GET', `/org-units/${ou.id}`, { token });
  expectStatus(got, 200);
  assert.equal(got.json.name, newName, 'the stale PATCH changed nothing');
  assert.equal(got.json.version, ou.version + 1);
});

test(`${LABEL} org units: PATCH without version → 400 missing_field version`, async () => {
  const token = await adminToken();
  const ou = await createOrgUnit('company');
  const res = await api('PATCH', `/org-units/${ou.id}`, { token, body: { name: uniq() } });
  expectError(res, 400, 'missing_field', 'version');
});

test(`${LABEL} org units: PATCH parent to a descendant (or itself) → 409 org_unit_cycle`, async () => {
  const token = await adminToken();
  const company = await createOrgUnit('company');
  const dept = await createOrgUnit('department', company.id);
  const team = await createOrgUnit('team', dept.id);

  const res = await api('PATCH', `/org-units/${company.id}`, { token, body: { version: company.version, parent_id: team.id } });
  expectError(res, 409, 'org_unit_cycle', 'parent_id');

  const self = await api('PATCH', `/org-units/${dept.id}`, { token, body: { version: dept.version, parent_id: dept.id } });
  expectError(self, 409, 'org_unit_cycle', 'parent_id');

  const got = await api('GET', `/org-units/${company.id}`, { token });
  expectStatus(got, 200);
  assert.equal(got.json.parent_id, null, 'the company is still a root');
  assert.equal(got.json.version, company.version, 'version unchanged');

  // A legal move still works: the team moves up to the company.
  const mv = await api('PATCH', `/org-units/${team.id}`, { token, body: { version: team.version, parent_id: company.id } });
  expectStatus(mv, 200);
  assert.equal(mv.json.parent_id, company.id);
  assert.equal(mv.json.version, team.version + 1);
});

test(`${LABEL} org units: bad kind → 400 invalid_field kind`, async () => {
  const res = await api('POST', '/org-units', { token: await adminToken(), body: { name: uniq(), kind: 'division' } });
  expectError(res, 400, 'invalid_field', 'kind');
});

test(`${LABEL} org units: unknown parent_id → 400 invalid_field parent_id (or 404 not_found)`, async () => {
  const res = await api('POST', '/org-units', {
    token: await adminToken(), body: { name: uniq(), kind: 'team', parent_id: MISSING_ID },
  });
  assert.ok(res.status === 400 || res.status === 404, `400 or 404 expected: ${show(res)}`);
  if (res.status === 400) {
    expectError(res, 400, 'invalid_field', 'parent_id');
  } else {
    const err = expectError(res, 404, 'not_found');
    if (err.details.id !== undefined) assert.equal(err.details.id, MISSING_ID);
  }
});

// ---------------------------------------------------------------- users

test(`${LABEL} users: create with roles and org unit → 201 User; GET by id`, async () => {
  const token = await adminToken();
  const team = await createOrgUnit('team');
  const username = uniq('u');
  const body = {
    username, password: PASSWORD, display_name: `张伟 ${username}`, roles: ['leader', 'crew'],
    org_unit_id: team.id, phone: '13800138000',
  };
  const res = await api('POST', '/users', { token, body });
  expectStatus(res, 201);
  const u = res.json;
  expectUser(u, PASSWORD);
  assert.equal(u.username, username);
  assert.equal(u.display_name, body.display_name);
  assert.deepEqual(sorted(u.roles), ['crew', 'leader']);
  assert.equal(u.org_unit_id, team.id);
  assert.equal(u.phone, '13800138000');
  assert.equal(u.disabled, false);
  assert.equal(u.last_login_at, null);
  assert.equal(u.version, 1);

  const got = await api('GET', `/users/${u.id}`, { token });
  expectStatus(got, 200);
  expectUser(got.json, PASSWORD);
  assert.deepEqual({ ...got.json, roles: sorted(got.json.roles) }, { ...u, roles: sorted(u.roles) });
});

test(`${LABEL} users: optional fields default to null`, async () => {
  const u = await createUser({ roles: ['viewer'] });
  assert.equal(u.org_unit_id, null);
  assert.equal(u.phone, null);
});

test(`${LABEL} users: GET unknown id → 404 not_found`, async () => {
  const res = await api('GET', `/users/${MISSING_ID}`, { token: await adminToken() });
  const err = expectError(res, 404, 'not_found');
  assert.equal(err.details.entity, 'user', `details.entity: ${show(res)}`);
  assert.equal(err.details.id, MISSING_ID, `details.id: ${show(res)}`);
});

test(`${LABEL} users: duplicate username → 409 username_taken`, async () => {
  const u = await createUser();
  const res = await api('POST', '/users', {
    token: await adminToken(),
    body: { username: u.username, password: PASSWORD, display_name: 'dup', roles: ['crew'] },
  });
  expectError(res, 409, 'username_taken', 'username');
});

test(`${LABEL} users: unknown role → 400 invalid_field roles`, async () => {
  const res = await api('POST', '/users', {
    token: await adminToken(),
    body: { username: uniq('u'), password: PASSWORD, display_name: 'x', roles: ['crew', 'wizard'] },
  });
  expectError(res, 400, 'invalid_field', 'roles');
});

test(`${LABEL} users: empty roles → 400 invalid_field roles`, async () => {
  const res = await api('POST', '/users', {
    token: await adminToken(),
    body: { username: uniq('u'), password: PASSWORD, display_name: 'x', roles: [] },
  });
  expectError(res, 400, 'invalid_field', 'roles');
});

for (const [label, username] of [['too short', 'a'], ['with a space', 'bad name'], ['with a slash', 'a/b'], ['too long', 'x'.repeat(65)]]) {
  test(`${LABEL} users: username ${label} → 400 invalid_field username`, async () => {
    const res = await api('POST', '/users', {
      token: await adminToken(),
      body: { username, password: PASSWORD, display_name: 'x', roles: ['crew'] },
    });
    expectError(res, 400, 'invalid_field', 'username');
  });
}

for (const [label, password] of [['shorter than 10', 'Ab-1xyz'], ['all digits', '12345678901234'], ['all lowercase letters', 'abcdefghijklmno']]) {
  test(`${LABEL} users: weak password (${label}) → 400 weak_password`, async () => {
    const res = await api('POST', '/users', {
      token: await adminToken(),
      body: { username: uniq('u'), password, display_name: 'x', roles: ['crew'] },
    });
    expectError(res, 400, 'weak_password', 'password');
  });
}

test(`${LABEL} users: list with q finds by username and by display name`, async () => {
  const token = await adminToken();
  const tag = uniq('q');
  const u = await createUser({ username: `${tag}x`, display_name: `巡检员 ${uniq('dn')}` });
  const byName = expectList(await api('GET', `/users?q=${encodeURIComponent(tag)}`, { token }));
  assert.deepEqual(byName.items.map((x) => x.id), [u.id], 'q matches the username substring');
  assert.equal(byName.total, 1);
  byName.items.forEach((x) => expectUser(x, PASSWORD));

  const dn = u.display_name.split(' ')[1];
  const byDisplay = expectList(await api('GET', `/users?q=${encodeURIComponent(dn)}`, { token }));
  assert.deepEqual(byDisplay.items.map((x) => x.id), [u.id], 'q matches the display name');

  const none = expectList(await api('GET', `/users?q=${encodeURIComponent(uniq('zz-none'))}`, { token }));
  assert.deepEqual(none.items, []);
  assert.equal(none.total, 0);
  assert.equal(none.next_cursor, null);
});

test(`${LABEL} users: filters role, org_unit_id, disabled`, async () => {
  const token = await adminToken();
  const tag = uniq('f');
  const team = await createOrgUnit('team');
  const a = await createUser({ username: `${tag}a`, roles: ['guardian'], org_unit_id: team.id });
  const b = await createUser({ username: `${tag}b`, roles: ['crew'] });
  expectStatus(await api('POST', `/users/${b.id}/actions/disable`, { token }), 200);

  const byRole = expectList(await api('GET', `/users?q=${tag}&role=guardian`, { token }));
  assert.deepEqual(byRole.items.map((x) => x.id), [a.id]);
  const byOrg = expectList(await api('GET', `/users?org_unit_id=${team.id}`, { token }));
  assert.deepEqual(byOrg.items.map((x) => x.id), [a.id]);
  const dis = expectList(await api('GET', `/users?q=${tag}&disabled=true`, { token }));
  assert.deepEqual(dis.items.map((x) => x.id), [b.id]);
  assert.equal(dis.items[0].disabled, true);
  const en = expectList(await api('GET', `/users?q=${tag}&disabled=false`, { token }));
  assert.deepEqual(en.items.map((x) => x.id), [a.id]);
});

test(`${LABEL} users: PATCH roles and display name with version; stale version → 409`, async () => {
  const token = await adminToken();
  const u = await createUser({ roles: ['crew'] });
  const res = await api('PATCH', `/users/${u.id}`, {
    token, body: { version: u.version, roles: ['leader', 'guardian'], display_name: '李娜' },
  });
  expectStatus(res, 200);
  expectUser(res.json, PASSWORD);
  assert.deepEqual(sorted(res.json.roles), ['guardian', 'leader']);
  assert.equal(res.json.display_name, '李娜');
  assert.equal(res.json.version, u.version + 1);
  assert.equal(res.json.username, u.username, 'username unchanged');

  const stale = await api('PATCH', `/users/${u.id}`, { token, body: { version: u.version, roles: ['viewer'] } });
  const err = expectError(stale, 409, 'version_conflict');
  assert.equal(err.details.current_version, u.version + 1);
  const got = await api('GET', `/users/${u.id}`, { token });
  assert.deepEqual(sorted(got.json.roles), ['guardian', 'leader'], 'stale PATCH changed nothing');

  const badRole = await api('PATCH', `/users/${u.id}`, { token, body: { version: u.version + 1, roles: ['wizard'] } });
  expectError(badRole, 400, 'invalid_field', 'roles');
  const unknown = await api('PATCH', `/users/${u.id}`, { token, body: { version: u.version + 1, username: 'renamed' } });
  expectError(unknown, 400, 'unknown_field', 'username');
});

test(`${LABEL} users: PATCH org_unit_id and phone`, async () => {
  const token = await adminToken();
  const t1 = await createOrgUnit('team');
  const t2 = await createOrgUnit('team');
  const u = await createUser({ org_unit_id: t1.id, phone: '13900000001' });
  assert.equal(u.org_unit_id, t1.id);
  const res = await api('PATCH', `/users/${u.id}`, { token, body: { version: u.version, org_unit_id: t2.id, phone: '13900000002' } });
  expectStatus(res, 200);
  assert.equal(res.json.org_unit_id, t2.id);
  assert.equal(res.json.phone, '13900000002');
  assert.equal(res.json.version, u.version + 1);
  const byOrg = expectList(await api('GET', `/users?org_unit_id=${t2.id}`, { token }));
  assert.deepEqual(byOrg.items.map((x) => x.id), [u.id]);
  const old = expectList(await api('GET', `/users?org_unit_id=${t1.id}`, { token }));
  assert.deepEqual(old.items, []);
});

test(`${LABEL} users: paging with limit=1 walks every item once, then next_cursor null`, async () => {
  const token = await adminToken();
  const tag = uniq('p');
  const created = [];
  for (const s of ['a', 'b', 'c']) created.push((await createUser({ username: `${tag}${s}` })).id);

  const first = expectList(await api('GET', `/users?q=${tag}&limit=1`, { token }));
  assert.equal(first.items.length, 1);
  assert.equal(first.total, 3, 'total counts all matches, not the page');
  assert.equal(typeof first.next_cursor, 'string');

  const seen = [];
  let page = first;
  for (let i = 0; i < 10; i++) {
    assert.equal(page.items.length, 1, 'limit=1 gives one item per page');
    seen.push(page.items[0].id);
    if (page.next_cursor === null) break;
    page = expectList(await api('GET', `/users?q=${tag}&limit=1&cursor=${encodeURIComponent(page.next_cursor)}`, { token }));
  }
  assert.equal(page.next_cursor, null, 'the last page has next_cursor null');
  assert.equal(new Set(seen).size, seen.length, `pages return different items: ${seen}`);
  assert.deepEqual(sorted(seen), sorted(created));

  const all = await collectAll(`/users?q=${tag}&limit=2`, token);
  assert.deepEqual(sorted(all.map((x) => x.id)), sorted(created));
});

test(`${LABEL} users: malformed limit → 400 invalid_query`, async () => {
  const res = await api('GET', '/users?limit=abc', { token: await adminToken() });
  expectError(res, 400, 'invalid_query', 'limit');
});

test(`${LABEL} users: malformed cursor → 400 invalid_query (not a silently empty page)`, async () => {
  const token = await adminToken();
  await createUser(); // the list is not empty
  const res = await api('GET', '/users?cursor=garbage', { token });
  expectError(res, 400, 'invalid_query', 'cursor');
});

test(`${LABEL} users: default page size is 50`, async () => {
  const token = await adminToken();
  await createUser();
  const b = expectList(await api('GET', '/users', { token }));
  assert.equal(b.items.length, Math.min(50, b.total), `items on the first page (total ${b.total})`);
  assert.equal(b.next_cursor === null, b.total <= 50, 'next_cursor only when there is more');
});

test(`${LABEL} a crew user gets 403 forbidden on org units and users`, async () => {
  const { token } = await userWithToken(['crew']);
  const checks = [
    ['GET', '/org-units'],
    ['POST', '/org-units', { name: uniq(), kind: 'company' }],
    ['GET', '/users'],
    ['POST', '/users', { username: uniq('u'), password: PASSWORD, display_name: 'x', roles: ['admin'] }],
  ];
  for (const [method, path, body] of checks) {
    const res = await api(method, path, { token, body });
    const err = expectError(res, 403, 'forbidden');
    assert.equal(typeof err.details.permission, 'string', `${method} ${path}: details.permission: ${show(res)}`);
  }
});

test(`${LABEL} a crew user cannot PATCH itself into admin`, async () => {
  const { user, token } = await userWithToken(['crew']);
  const res = await api('PATCH', `/users/${user.id}`, { token, body: { version: user.version, roles: ['admin'] } });
  expectError(res, 403, 'forbidden');
  const got = await api('GET', `/users/${user.id}`, { token: await adminToken() });
  assert.deepEqual(got.json.roles, ['crew']);
});

test(`${LABEL} users/unused: never-logged-in user is listed for days=0, logged-in or disabled users are not`, async () => {
  const token = await adminToken();
  const u = await createUser();
  const d = await createUser();
  expectStatus(await api('POST', `/users/${d.id}/actions/disable`, { token }), 200);
  // "created more than 0 days ago" needs the clock to have moved past created_at.
  await sleep(5);

  const r0 = await api('GET', '/users/unused?days=0', { token });
  expectStatus(r0, 200);
  assert.equal(r0.json.days, 0);
  assert.ok(Array.isArray(r0.json.items));
  const ids0 = r0.json.items.map((x) => x.id);
  assert.ok(ids0.includes(u.id), 'a never-logged-in user created before now is unused for days=0');
  assert.ok(!ids0.includes(d.id), 'disabled accounts are not listed');
  r0.json.items.forEach((x) => assert.equal(x.disabled, false));
  const mine = r0.json.items.find((x) => x.id === u.id);
  expectUser(mine, PASSWORD);

  const r1 = await api('GET', '/users/unused?days=1', { token });
  expectStatus(r1, 200);
  assert.equal(r1.json.days, 1);
  assert.ok(!r1.json.items.some((x) => x.id === u.id), 'created just now: not unused for 1 day');

  await login(u.username);
  const got = await api('GET', `/users/${u.id}`, { token });
  expectMillis(got.json.last_login_at, 'last_login_at after login');
  const after1 = await api('GET', '/users/unused?days=1', { token });
  expectStatus(after1, 200);
  assert.ok(!after1.json.items.some((x) => x.id === u.id), 'logged in just now: not unused for 1 day');
});

test(`${LABEL} users/unused default days is 90; bad days → 400 invalid_query`, async () => {
  const token = await adminToken();
  const u = await createUser();
  const res = await api('GET', '/users/unused', { token });
  expectStatus(res, 200);
  assert.equal(res.json.days, 90);
  assert.ok(!res.json.items.some((x) => x.id === u.id), 'a user created now is not unused for 90 days');
  expectError(await api('GET', '/users/unused?days=abc', { token }), 400, 'invalid_query', 'days');
});

test(`${LABEL} users: an empty or blank display_name is refused with the field named`, async () => {
  const token = await adminToken();
  for (const display_name of ['', '   ']) {
    const res = await api('POST', '/api/v1/users', {
      token, body: { username: uniq('blank'), password: 'Good-pass-123', display_name, roles: ['crew'] },
    });
    expectError(res, 400, 'invalid_field', 'display_name');
  }
});

// The response cache (src/core/http/rcache.c, bench/README.md "HTTP"): a `.cache` GET answered again from memory
// (X-Cache: hit) must never show what a write has since changed, nor one caller's answer to another. Each test
// first makes sure the answer is kept (asks until a hit, with a bound: a background job's write may invalidate it
// in between), then writes and asks again at once.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { api, adminToken, userWithToken, expectStatus, expectError, uniq, LABEL } from './lib.mjs';

/** Asks until the answer comes from the cache; returns it. */
async function cached(path, token, headers = {}) {
  for (let i = 0; i < 20; i++) {
    const res = await api('GET', path, { token, headers });
    expectStatus(res, 200);
    if (res.headers.get('x-cache') === 'hit') return res;
  }
  assert.fail(`${path} never came from the cache`);
}

async function newOrder(token, title) {
  const res = await api('POST', '/work-orders', { token, body: { kind: 'lv_meter_install', title, priority: 'normal' } });
  expectStatus(res, 201);
  return res.json;
}

test(`${LABEL} response cache: a kept answer is the same bytes with the same ETag, and If-None-Match gives 304`, async () => {
  const { token } = await userWithToken(['dispatcher']);
  const title = uniq('缓存-');
  await newOrder(token, title);
  const path = `/work-orders?q=${encodeURIComponent(title)}`;
  const first = await api('GET', path, { token });
  expectStatus(first, 200);
  const etag = first.headers.get('etag');
  assert.match(etag, /^"[0-9a-f]{32}"$/);
  const hit = await cached(path, token);
  assert.equal(hit.text, first.text);
  assert.equal(hit.headers.get('etag'), etag);
  assert.equal(hit.headers.get('cache-control'), 'private, no-cache');
  assert.equal(hit.headers.get('content-type'), 'application/json; charset=utf-8');
  // the ETag is the answer's content: unchanged, it is 304 whether or not the answer was kept
  const nm = await api('GET', path, { token, headers: { 'if-none-match': etag } });
  assert.equal(nm.status, 304);
  assert.equal(nm.text, '');
  assert.equal(nm.headers.get('etag'), etag);
});

test(`${LABEL} response cache: a created work order shows in the very next list`, async () => {
  const { token } = await userWithToken(['dispatcher']);
  const title = uniq('缓存测试-');
  const path = `/work-orders?q=${encodeURIComponent(title)}`;
  const before = await cached(path, token);
  assert.equal(before.json.items.length, 0);
  const o = await newOrder(token, title);
  const after = await api('GET', path, { token });
  expectStatus(after, 200);
  assert.notEqual(after.headers.get('x-cache'), 'hit');
  assert.deepEqual(after.json.items.map((x) => x.id), [o.id]);
  assert.notEqual(after.headers.get('etag'), before.headers.get('etag'));
  // and a changed title shows too (an update, not an insert)
  await cached(path, token);
  const t2 = `${title}-改`;
  expectStatus(await api('PATCH', `/work-orders/${o.id}`, { token, body: { version: o.version, title: t2 } }), 200);
  const changed = await api('GET', path, { token });
  assert.equal(changed.json.items[0].title, t2);
});

test(`${LABEL} response cache: each caller gets their own answer, and permissions are checked before the cache`, async () => {
  const a = await userWithToken(['dispatcher']);
  const b = await userWithToken(['crew']);
  const meA = await cached('/me', a.token);
  const meB = await api('GET', '/me', { token: b.token });
  expectStatus(meB, 200);
  assert.equal(meA.json.username, a.user.username);
  assert.equal(meB.json.username, b.user.username);
  assert.notEqual(meB.headers.get('x-cache'), 'hit');
  // a caller without the permission is refused even though another caller's answer is kept
  const tools = await userWithToken(['tool_keeper']);
  await cached('/tools?limit=5', tools.token);
  const issuer = await userWithToken(['issuer']);
  expectError(await api('GET', '/tools?limit=5', { token: issuer.token }), 403, 'forbidden');
});

test(`${LABEL} response cache: a user's new display name shows in the next /me`, async () => {
  const admin = await adminToken();
  const { user, token } = await userWithToken(['crew']);
  const before = await cached('/me', token);
  const cur = await api('GET', `/users/${user.id}`, { token: admin });
  const name = uniq('新名字');
  expectStatus(await api('PATCH', `/users/${user.id}`, { token: admin, body: { version: cur.json.version, display_name: name } }), 200);
  const after = await api('GET', '/me', { token });
  assert.equal(after.json.display_name, name);
  assert.notEqual(after.json.display_name, before.json.display_name);
});

// Reads answered with an ETag and revalidated with If-None-Match (docs/api.md "Reads: ETag and 304", issue 14
// item 2): a phone opening a job again asks each read with the tag it holds and gets a bodiless 304 while the
// answer is unchanged. What a user of the API would check: the tag is the answer's content (plain or gzip), a
// change gives a new answer and a new tag, refusals and writes are never kept, and signing out drops the copies.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { api, userWithToken, expectStatus, expectError, uniq, LABEL, MISSING_ID } from './lib.mjs';

const TAG = /^"[0-9a-f]{32}"$/;

async function newOrder(token) {
  const res = await api('POST', '/work-orders', { token, body: { kind: 'lv_meter_install', title: uniq('验证-'), priority: 'normal' } });
  expectStatus(res, 201);
  assert.equal(res.headers.get('cache-control'), 'no-store', 'a write answer is never kept');
  assert.equal(res.headers.get('etag'), null);
  return res.json;
}

test(`${LABEL} read ETag: a read carries its tag; If-None-Match naming it gets 304 with no body; a change gives 200 and a new tag`, async () => {
  const { token } = await userWithToken(['dispatcher']);
  const o = await newOrder(token);
  const path = `/work-orders/${o.id}`;
  const first = await api('GET', path, { token });
  expectStatus(first, 200);
  const etag = first.headers.get('etag');
  assert.match(etag, TAG);
  assert.equal(first.headers.get('cache-control'), 'private, no-cache');
  const again = await api('GET', path, { token, headers: { 'if-none-match': etag } });
  assert.equal(again.status, 304);
  assert.equal(again.text, '');
  assert.equal(again.headers.get('etag'), etag);
  assert.equal(again.headers.get('cache-control'), 'private, no-cache');
  // a list of tags, one of them current (what a browser holding several copies may send), and a weak form
  const listed = await api('GET', path, { token, headers: { 'if-none-match': `"0123", W/${etag}` } });
  assert.equal(listed.status, 304);
  // an old tag: the whole answer
  const stale = await api('GET', path, { token, headers: { 'if-none-match': '"00000000000000000000000000000000"' } });
  expectStatus(stale, 200);
  assert.equal(stale.text, first.text);
  // changed: the held tag no longer matches, the new answer comes with its new tag
  const p = await api('PATCH', path, { token, body: { version: o.version, priority: 'urgent' } });
  expectStatus(p, 200);
  const after = await api('GET', path, { token, headers: { 'if-none-match': etag } });
  expectStatus(after, 200);
  assert.equal(after.json.priority, 'urgent');
  assert.match(after.headers.get('etag'), TAG);
  assert.notEqual(after.headers.get('etag'), etag);
});

test(`${LABEL} read ETag: the tag names the content, whether it travels gzip-compressed or plain`, async () => {
  const { token } = await userWithToken(['dispatcher']);
  for (let i = 0; i < 3; i++) await newOrder(token);
  const gz = await api('GET', '/work-orders?limit=50', { token, headers: { 'accept-encoding': 'gzip' } });
  expectStatus(gz, 200);
  const plain = await api('GET', '/work-orders?limit=50', { token, headers: { 'accept-encoding': 'identity' } });
  expectStatus(plain, 200);
  assert.equal(plain.text, gz.text);
  assert.equal(gz.headers.get('etag'), plain.headers.get('etag'));
  const nm = await api('GET', '/work-orders?limit=50', { token, headers: { 'accept-encoding': 'gzip', 'if-none-match': plain.headers.get('etag') } });
  assert.equal(nm.status, 304);
});

test(`${LABEL} read ETag: refusals are never 304 and never kept, whatever If-None-Match says`, async () => {
  const { token } = await userWithToken(['dispatcher']);
  const nf = await api('GET', `/work-orders/${MISSING_ID}`, { token, headers: { 'if-none-match': '*' } });
  expectError(nf, 404, 'not_found');
  assert.equal(nf.headers.get('cache-control'), 'no-store');
  assert.equal(nf.headers.get('etag'), null);
  const anon = await api('GET', '/work-orders', { headers: { 'if-none-match': '*' } });
  expectError(anon, 401, 'unauthenticated');
  const crew = await userWithToken(['crew']);
  const denied = await api('GET', '/audit', { token: crew.token, headers: { 'if-none-match': '*' } });
  expectError(denied, 403, 'forbidden');
});

test(`${LABEL} read ETag: signing out tells the browser to drop the reads it kept (Clear-Site-Data)`, async () => {
  const { token } = await userWithToken(['crew']);
  const out = await api('POST', '/auth/logout', { token });
  assert.equal(out.status, 204);
  assert.equal(out.headers.get('clear-site-data'), '"cache"');
});

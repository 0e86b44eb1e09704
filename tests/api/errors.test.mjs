// Error envelope, JSON parsing, routing and i18n of messages (docs/api.md "Errors").
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  api, sendRaw, adminToken, expectError, expectStatus, uniq, show, CJK, BODY_LIMIT, LABEL,
} from './lib.mjs';

const post = async (opts) => api('POST', '/org-units', { token: await adminToken(), ...opts });

test(`${LABEL} malformed JSON → 400 invalid_json with reason and position`, async () => {
  // The syntax error ("oops") is on line 2.
  const res = await post({ rawBody: '{\n  "name": oops,\n  "kind": "team"\n}' });
  const err = expectError(res, 400, 'invalid_json');
  assert.equal(typeof err.details.reason, 'string', `details.reason: ${show(res)}`);
  assert.ok(err.details.reason.length > 0, 'details.reason non-empty');
  assert.equal(err.details.line, 2, `details.line (1-based) of the error: ${show(res)}`);
  assert.ok(Number.isInteger(err.details.column), `details.column integer: ${show(res)}`);
  assert.ok(Number.isInteger(err.details.position), `details.position integer: ${show(res)}`);
  assert.ok(err.details.position >= 10 && err.details.position <= 16,
    `details.position points at the bad token (byte 12): ${show(res)}`);
});

test(`${LABEL} truncated JSON → 400 invalid_json`, async () => {
  const res = await post({ rawBody: '{"name":"x","kind":"team"' });
  const err = expectError(res, 400, 'invalid_json');
  assert.ok(typeof err.details.reason === 'string' && err.details.reason.length > 0);
});

test(`${LABEL} trailing garbage after the object → 400 invalid_json`, async () => {
  const res = await post({ rawBody: `{"name":"${uniq()}","kind":"team"} x` });
  expectError(res, 400, 'invalid_json');
});

test(`${LABEL} whitespace-only body → 400 invalid_json`, async () => {
  const res = await post({ rawBody: ' \n ' });
  expectError(res, 400, 'invalid_json');
});

for (const [label, raw] of [['an array', '[1]'], ['a string', '"x"'], ['a number', '5'], ['null', 'null']]) {
  test(`${LABEL} JSON that is ${label}, not an object → 400 invalid_json`, async () => {
    const res = await post({ rawBody: raw });
    const err = expectError(res, 400, 'invalid_json');
    assert.ok(typeof err.details.reason === 'string' && err.details.reason.length > 0, `reason: ${show(res)}`);
  });
}

const utf8Cases = [
  ['a 0xff byte', Buffer.from([0xff])],
  ['an overlong encoding (0xc0 0xaf)', Buffer.from([0xc0, 0xaf])],
  ['a truncated sequence (0xe4 0xb8)', Buffer.from([0xe4, 0xb8])],
  ['an encoded surrogate (0xed 0xa0 0x80)', Buffer.from([0xed, 0xa0, 0x80])],
];
for (const [label, bad] of utf8Cases) {
  test(`${LABEL} invalid UTF-8 in a string (${label}) → 400 invalid_json`, async () => {
    const raw = Buffer.concat([Buffer.from(`{"name":"${uniq()}`), bad, Buffer.from('","kind":"team"}')]);
    const res = await post({ rawBody: raw });
    expectError(res, 400, 'invalid_json');
  });
}

test(`${LABEL} valid UTF-8 (Chinese, emoji) is accepted`, async () => {
  const name = `班组 ⚡ 🔧 ${uniq()}`;
  const res = await post({ rawBody: Buffer.from(JSON.stringify({ name, kind: 'company' }), 'utf8') });
  expectStatus(res, 201);
  assert.equal(res.json.name, name, 'name round-trips byte for byte');
});

test(`${LABEL} unknown field → 400 unknown_field naming it`, async () => {
  const res = await post({ body: { name: uniq(), kind: 'team', colour: 'red' } });
  expectError(res, 400, 'unknown_field', 'colour');
});

test(`${LABEL} missing required field → 400 missing_field naming it`, async () => {
  const res = await post({ body: { kind: 'team' } });
  expectError(res, 400, 'missing_field', 'name');
});

test(`${LABEL} null required field → 400 missing_field naming it`, async () => {
  const res = await post({ body: { name: null, kind: 'team' } });
  expectError(res, 400, 'missing_field', 'name');
});

test(`${LABEL} wrong type (name: 5) → 400 invalid_field naming it`, async () => {
  const res = await post({ body: { name: 5, kind: 'team' } });
  const err = expectError(res, 400, 'invalid_field', 'name');
  assert.ok(typeof err.details.reason === 'string' && err.details.reason.length > 0, `details.reason: ${show(res)}`);
});

test(`${LABEL} wrong type in a nested position (roles: "crew") → 400 invalid_field roles`, async () => {
  const res = await api('POST', '/users', {
    token: await adminToken(),
    body: { username: uniq(), password: 'Fg-test-Pass-2024', display_name: 'x', roles: 'crew' },
  });
  expectError(res, 400, 'invalid_field', 'roles');
});

test(`${LABEL} body over 1 MiB → 413 body_too_large`, async () => {
  const filler = 'a'.repeat(BODY_LIMIT + 16);
  const res = await sendRaw('POST', '/org-units', { token: await adminToken(), body: `{"zzz":"${filler}"}` });
  const err = expectError(res, 413, 'body_too_large');
  assert.equal(Number(err.details.limit), BODY_LIMIT, `details.limit is 1 MiB in bytes: ${show(res)}`);
});

test(`${LABEL} every oversized body (4 MiB) gets its 413 answer, not a connection reset`, async () => {
  // A server that answers 413 and closes the socket without reading the rest of the body makes the
  // kernel reset the connection, and the client loses the answer (EPIPE/ECONNRESET).
  const token = await adminToken();
  const body = `{"zzz":"${'a'.repeat(4 * BODY_LIMIT)}"}`;
  const outcomes = [];
  for (let i = 0; i < 5; i++) {
    try {
      const res = await sendRaw('POST', '/org-units', { token, body });
      outcomes.push(res.status === 413 && res.json?.error?.code === 'body_too_large' ? 'ok' : `HTTP ${res.status}`);
    } catch (e) {
      outcomes.push(e.code || e.message);
    }
  }
  assert.deepEqual(outcomes, ['ok', 'ok', 'ok', 'ok', 'ok'], `answers to 5 oversized requests: ${outcomes}`);
});

test(`${LABEL} body of exactly 1 MiB is not rejected as too large`, async () => {
  const overhead = '{"zzz":""}'.length;
  const raw = `{"zzz":"${'a'.repeat(BODY_LIMIT - overhead)}"}`;
  assert.equal(Buffer.byteLength(raw), BODY_LIMIT);
  const res = await post({ rawBody: raw });
  // It reaches the field check (the field is unknown), so nothing is written.
  expectError(res, 400, 'unknown_field', 'zzz');
});

test(`${LABEL} Content-Type application/json; charset=utf-8 is accepted`, async () => {
  const name = uniq('cs-');
  const res = await post({
    rawBody: JSON.stringify({ name, kind: 'company' }),
    headers: { 'content-type': 'application/json; charset=utf-8' },
  });
  expectStatus(res, 201);
  assert.equal(res.json.name, name);
});

test(`${LABEL} body with a non-JSON Content-Type → 415 unsupported_media_type`, async () => {
  const res = await post({
    rawBody: JSON.stringify({ name: uniq(), kind: 'company' }),
    headers: { 'content-type': 'text/plain' },
  });
  expectError(res, 415, 'unsupported_media_type');
});

test(`${LABEL} unknown route → 404 not_found as JSON`, async () => {
  const res = await api('GET', '/api/v1/nope');
  expectError(res, 404, 'not_found');
  assert.match(res.headers.get('content-type') || '', /^application\/json/i);
});

test(`${LABEL} unknown entity id → 404 not_found`, async () => {
  const res = await api('GET', '/org-units/00000000-0000-7000-8000-000000000000', { token: await adminToken() });
  expectError(res, 404, 'not_found');
});

function allowList(res) {
  return (res.headers.get('allow') || '').split(',').map((s) => s.trim().toUpperCase()).filter(Boolean);
}

test(`${LABEL} DELETE /health → 405 method_not_allowed with Allow`, async () => {
  const res = await api('DELETE', '/api/v1/health');
  const err = expectError(res, 405, 'method_not_allowed');
  const allow = allowList(res);
  assert.ok(allow.includes('GET'), `Allow header lists GET: ${JSON.stringify(res.headers.get('allow'))}`);
  assert.ok(!allow.includes('DELETE'), 'Allow does not list DELETE');
  assert.ok(err.details.allow !== undefined, `details.allow present: ${show(res)}`);
  const detailAllow = Array.isArray(err.details.allow) ? err.details.allow.join(',') : String(err.details.allow);
  assert.match(detailAllow.toUpperCase(), /GET/, 'details.allow lists GET');
});

test(`${LABEL} PUT /me → 405 method_not_allowed with Allow`, async () => {
  const res = await api('PUT', '/me', { token: await adminToken(), body: { display_name: 'x' } });
  expectError(res, 405, 'method_not_allowed');
  const allow = allowList(res);
  assert.ok(allow.includes('GET'), `Allow header lists GET: ${JSON.stringify(res.headers.get('allow'))}`);
  assert.ok(!allow.includes('PUT'), 'Allow does not list PUT');
});

test(`${LABEL} DELETE /users/{id} → 405 with Allow: GET, PATCH`, async () => {
  const res = await api('DELETE', '/users/00000000-0000-7000-8000-000000000000', { token: await adminToken() });
  expectError(res, 405, 'method_not_allowed');
  assert.deepEqual(allowList(res).sort(), ['GET', 'PATCH'], `Allow: ${JSON.stringify(res.headers.get('allow'))}`);
});

test(`${LABEL} GET /auth/login → 405 with Allow: POST`, async () => {
  const res = await api('GET', '/auth/login');
  expectError(res, 405, 'method_not_allowed');
  assert.ok(allowList(res).includes('POST'), `Allow header lists POST: ${JSON.stringify(res.headers.get('allow'))}`);
});

test(`${LABEL} Accept-Language selects the message language (en vs zh-CN, zh default)`, async () => {
  const en = await api('GET', '/api/v1/nope', { headers: { 'accept-language': 'en' } });
  const zh = await api('GET', '/api/v1/nope', { headers: { 'accept-language': 'zh-CN' } });
  const enUS = await api('GET', '/api/v1/nope', { headers: { 'accept-language': 'en-US,en;q=0.9' } });
  const def = await api('GET', '/api/v1/nope');
  const mEn = expectError(en, 404, 'not_found').message;
  const mZh = expectError(zh, 404, 'not_found').message;
  const mEnUS = expectError(enUS, 404, 'not_found').message;
  const mDef = expectError(def, 404, 'not_found').message;
  assert.notEqual(mEn, mZh, 'en and zh messages differ');
  assert.match(mZh, CJK, `zh message is Chinese: ${mZh}`);
  assert.doesNotMatch(mEn, CJK, `en message is not Chinese: ${mEn}`);
  assert.match(mEn, /[A-Za-z]/, `en message is English: ${mEn}`);
  assert.equal(mEnUS, mEn, 'en-US,en;q=0.9 gives the English message');
  assert.match(mDef, CJK, `without Accept-Language the message is Chinese (the default): ${mDef}`);
});

test(`${LABEL} validation errors are localised too`, async () => {
  const token = await adminToken();
  const en = await api('POST', '/org-units', { token, body: { kind: 'team' }, headers: { 'accept-language': 'en' } });
  const zh = await api('POST', '/org-units', { token, body: { kind: 'team' }, headers: { 'accept-language': 'zh-CN,zh;q=0.9,en;q=0.8' } });
  const mEn = expectError(en, 400, 'missing_field', 'name').message;
  const mZh = expectError(zh, 400, 'missing_field', 'name').message;
  assert.doesNotMatch(mEn, CJK, `en: ${mEn}`);
  assert.match(mZh, CJK, `zh: ${mZh}`);
});

test(`${LABEL} the server still answers /health after all of the above`, async () => {
  const res = await api('GET', '/health');
  expectStatus(res, 200);
  assert.equal(res.json.status, 'ok');
});

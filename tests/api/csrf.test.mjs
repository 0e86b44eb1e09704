// CSRF and cookies (issue 9, deliverable 7; docs/api.md "Authentication"): a write authenticated by the
// session cookie must come from our own origin; bearer-token clients are unaffected; Referrer-Policy on every
// answer; Secure only when the server is told it is behind TLS (not from a header anyone can send).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  api, userWithToken, expectStatus, expectError, setCookies, show, LABEL, BASE_URL, PASSWORD, MISSING_ID,
} from './lib.mjs';

const ORIGIN = new URL(BASE_URL).origin;
const EVIL = 'http://evil.example';

async function dispatcherWithCookie() {
  const d = await userWithToken(['dispatcher']);
  const res = await api('POST', '/auth/login', { body: { username: d.user.username, password: PASSWORD } });
  expectStatus(res, 200);
  const c = setCookies(res).find((x) => x.startsWith('fg_session='));
  assert.ok(c, 'login sets fg_session');
  return { ...d, cookie: c.split(';')[0] };
}

async function newOrder(token) {
  const res = await api('POST', '/work-orders', {
    token,
    body: { kind: 'lv_meter_install', customer_name: '李建国', customer_no: '3100' + Date.now() % 1e6,
      site_address: '临澜市滨江路 18 号', meter_asset_no: '33' + Date.now() % 1e8, priority: 'high' },
  });
  expectStatus(res, 201);
  return res.json;
}

// what a page on another site can send without a CORS preflight: a text/plain POST, the browser adding the
// cookie (SameSite aside: an old browser, or a same-site subdomain) and its own Origin
function crossSite(path, cookie, origin = EVIL, body = '') {
  return api('POST', path, { cookie, rawBody: body, headers: { 'content-type': 'text/plain', origin } });
}

test(`${LABEL} a cross-origin text/plain POST with the session cookie does not cancel a work order`, async () => {
  const d = await dispatcherWithCookie();
  const o = await newOrder(d.token);
  const res = await crossSite(`/work-orders/${o.id}/actions/cancel`, d.cookie);
  const err = expectError(res, 403, 'csrf_origin_mismatch');
  assert.equal(err.details.origin, EVIL);
  const after = await api('GET', `/work-orders/${o.id}`, { token: d.token });
  expectStatus(after, 200);
  assert.equal(after.json.status, 'new', 'the order was not cancelled');
  assert.equal(after.json.version, o.version);
  // a same-site but other origin (another port) is not ours either; nor is "null" (sandboxed frame)
  expectError(await crossSite(`/work-orders/${o.id}/actions/cancel`, d.cookie, `${ORIGIN.replace(/:\d+$/, '')}:1`), 403, 'csrf_origin_mismatch');
  expectError(await crossSite(`/work-orders/${o.id}/actions/cancel`, d.cookie, 'null'), 403, 'csrf_origin_mismatch');
  // neither Origin nor Sec-Fetch-Site: no browser sends a cookie write like that; refused
  expectError(await api('POST', `/work-orders/${o.id}/actions/cancel`, { cookie: d.cookie }), 403, 'csrf_origin_mismatch');
  // Sec-Fetch-Site alone decides when there is no Origin
  expectError(await api('POST', `/work-orders/${o.id}/actions/cancel`, { cookie: d.cookie, headers: { 'sec-fetch-site': 'cross-site' } }),
    403, 'csrf_origin_mismatch');
  expectError(await api('PATCH', `/work-orders/${o.id}`, { cookie: d.cookie, body: { version: o.version, priority: 'low' }, headers: { origin: EVIL } }),
    403, 'csrf_origin_mismatch');
  assert.equal((await api('GET', `/work-orders/${o.id}`, { token: d.token })).json.version, o.version, 'nothing changed');
});

test(`${LABEL} same-origin cookie writes work; reads need no Origin`, async () => {
  const d = await dispatcherWithCookie();
  const o = await newOrder(d.token);
  const me = await api('GET', '/me', { cookie: d.cookie });
  expectStatus(me, 200);
  const p = await api('PATCH', `/work-orders/${o.id}`, { cookie: d.cookie, body: { version: o.version, priority: 'low' },
    headers: { 'sec-fetch-site': 'same-origin' } });
  expectStatus(p, 200);
  const c = await api('POST', `/work-orders/${o.id}/actions/cancel`, { cookie: d.cookie, headers: { origin: ORIGIN } });
  expectStatus(c, 200);
  assert.equal(c.json.status, 'cancelled');
  // the host compares case-insensitively
  const host = new URL(BASE_URL).host.toUpperCase();
  const r = await api('POST', `/work-orders/${o.id}/actions/reopen`, { cookie: d.cookie, headers: { origin: `http://${host}` } });
  assert.notEqual(r.status, 403, show(r));
});

test(`${LABEL} bearer-token clients are unaffected by Origin`, async () => {
  const d = await userWithToken(['dispatcher']);
  const o = await newOrder(d.token);
  const p = await api('PATCH', `/work-orders/${o.id}`, { token: d.token, body: { version: o.version, priority: 'low' } });
  expectStatus(p, 200);
  // even with a cookie and a foreign Origin beside it: the token is what authenticates
  const c = await api('POST', `/work-orders/${o.id}/actions/cancel`, { token: d.token, cookie: 'fg_session=whatever', headers: { origin: EVIL } });
  expectStatus(c, 200);
});

test(`${LABEL} login: refused from a foreign origin (login CSRF), allowed same-origin and without Origin`, async () => {
  const d = await userWithToken(['crew']);
  const body = { username: d.user.username, password: PASSWORD };
  const evil = await api('POST', '/auth/login', { body, headers: { origin: EVIL } });
  expectError(evil, 403, 'csrf_origin_mismatch');
  assert.equal(setCookies(evil).length, 0, 'no cookie for a cross-site login');
  expectError(await api('POST', '/auth/login', { body, headers: { 'sec-fetch-site': 'cross-site' } }), 403, 'csrf_origin_mismatch');
  expectStatus(await api('POST', '/auth/login', { body, headers: { origin: ORIGIN } }), 200);
  expectStatus(await api('POST', '/auth/login', { body, headers: { 'sec-fetch-site': 'same-origin' } }), 200);
  expectStatus(await api('POST', '/auth/login', { body }), 200); // phones, curl
});

test(`${LABEL} Referrer-Policy on an API answer, an error, a static file and a stored file`, async () => {
  const health = await fetch(`${BASE_URL}/api/v1/health`);
  assert.equal(health.headers.get('referrer-policy'), 'same-origin');
  const err = await fetch(`${BASE_URL}/api/v1/no-such-thing`);
  assert.equal(err.status, 404);
  assert.equal(err.headers.get('referrer-policy'), 'same-origin');
  const unauth = await fetch(`${BASE_URL}/api/v1/work-orders/${MISSING_ID}`);
  assert.equal(unauth.status, 401);
  assert.equal(unauth.headers.get('referrer-policy'), 'same-origin');
  for (const path of ['/', '/index.html', '/some/app/route']) {
    const page = await fetch(`${BASE_URL}${path}`);
    assert.equal(page.status, 200, path);
    assert.equal(page.headers.get('referrer-policy'), 'same-origin', path);
  }
  const missing = await fetch(`${BASE_URL}/no-such-file.js`);
  assert.equal(missing.status, 404);
  assert.equal(missing.headers.get('referrer-policy'), 'same-origin');
  const d = await userWithToken(['dispatcher']);
  const put = await fetch(`${BASE_URL}/api/v1/auth/login`, { method: 'PUT' });
  assert.equal(put.status, 405);
  assert.equal(put.headers.get('referrer-policy'), 'same-origin');
  const up = await fetch(`${BASE_URL}/api/v1/attachments?filename=p.png`, {
    method: 'POST', headers: { authorization: `Bearer ${d.token}`, 'content-type': 'image/png' },
    body: Buffer.concat([Buffer.from('\x89PNG\r\n\x1a\n', 'latin1'), Buffer.from('referrer policy test')]) });
  assert.equal(up.status, 201);
  const a = await up.json();
  const content = await fetch(`${BASE_URL}/api/v1/attachments/${a.id}/content`, { headers: { authorization: `Bearer ${d.token}` } });
  assert.equal(content.status, 200);
  assert.equal(content.headers.get('referrer-policy'), 'same-origin');
});

test(`${LABEL} the session cookie has no Secure on plain HTTP, and X-Forwarded-Proto alone does not add it`, async () => {
  // this suite's server has neither FIELDGRID_COOKIE_SECURE nor FIELDGRID_TRUSTED_PROXY (tests/edge checks both)
  const d = await userWithToken(['crew']);
  const res = await api('POST', '/auth/login', { body: { username: d.user.username, password: PASSWORD }, headers: { 'x-forwarded-proto': 'https' } });
  expectStatus(res, 200);
  const c = setCookies(res).find((x) => x.startsWith('fg_session='));
  assert.ok(c);
  assert.ok(!c.split(';').map((s) => s.trim().toLowerCase()).includes('secure'), c);
});

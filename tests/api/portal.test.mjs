// The customer portal (issue 11 item 7; docs/api.md "Customer portal"): one-time codes sent by SMS through a REAL
// local HTTP receiver standing in for the gateway (tests/lib/receiver.mjs), read back from what it received; codes
// single use, expiring, locked after wrong tries, rate-limited per phone (or number) and per client address;
// customer sessions by bearer token and cookie, signed out; and nothing telling whether a number exists.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { api, adminToken, expectError, expectStatus, setCookies, uniq, LABEL, BASE_URL } from './lib.mjs';
import { tamper } from './fieldwork_lib.mjs';
import { startReceiver } from '../lib/receiver.mjs';

let rx;
let admin;
// phones unique to this run (a second run on the same database must not meet this one's rate limits)
let seq = Math.floor(Math.random() * 1e6);
const newPhone = () => `137${String(seq++ % 1e8).padStart(8, '0')}`;

async function channel(name) {
  const res = await api('GET', '/notify/channels', { token: admin });
  expectStatus(res, 200);
  return res.json.items.find((c) => c.channel === name);
}

/** The code the gateway received for phone after `from` requests had arrived; runs the delivery job meanwhile. */
async function codeSent(phone, from) {
  const got = await rx.waitFor((r) => r.n > from && r.json?.to === phone && r.json?.kind === 'verification_code', 30000,
    () => api('POST', '/notify/outbox/actions/run', { token: admin }));
  const m = /验证码是(\d{6})/.exec(got[got.length - 1].json.text);
  assert.ok(m, `a 6-digit code in ${got[got.length - 1].json.text}`);
  return m[1];
}

/** Asks for a code for body ({phone} or {number, phone?}) and returns what the gateway got for `to`. */
async function askCode(body, to = body.phone) {
  const from = rx.requests.length ? rx.requests[rx.requests.length - 1].n : 0;
  const res = await api('POST', '/portal/codes', { body });
  expectStatus(res, 202);
  return codeSent(to, from);
}

async function signIn(phone) {
  const code = await askCode({ phone });
  const res = await api('POST', '/portal/sessions', { body: { phone, code } });
  expectStatus(res, 201);
  return res.json.token;
}

// codes ask for this test file's client address; earlier requests are moved out of the hour's window so a long
// suite (or a run before this one) never meets the address limit by accident
const forgetAddress = () => tamper("UPDATE portal_codes SET created_at = created_at - 7200000 WHERE client_addr = '127.0.0.1'");

before(async () => {
  admin = await adminToken();
  rx = await startReceiver();
  const cur = await channel('sms');
  expectStatus(await api('PUT', '/notify/channels/sms', {
    token: admin,
    body: {
      version: cur.version, enabled: true, url: `${rx.url}/sms/send`, max_attempts: 3, backoff_s: 1, backoff_max_s: 2,
      templates: { ...cur.templates, verification_code: '【fieldgrid】您的验证码是{{code}}，{{minutes}}分钟内有效，请勿告诉他人。' },
    },
  }), 200);
  forgetAddress();
});

after(async () => {
  forgetAddress();
  await rx?.close();
});

test(`${LABEL} portal: a code by SMS makes a customer session (bearer and cookie), signed out with DELETE`, async () => {
  const phone = newPhone();
  const code = await askCode({ phone });
  const res = await api('POST', '/portal/sessions', { body: { phone, code } });
  expectStatus(res, 201);
  assert.match(res.json.token, /^[A-Za-z0-9_-]{43}$/);
  assert.equal(res.json.phone, `${phone.slice(0, 3)}****${phone.slice(-4)}`, 'the phone shown masked');
  assert.ok(res.json.expires_at > Date.now());
  const cookie = res.headers.get('set-cookie');
  assert.match(cookie, /^fg_portal=[A-Za-z0-9_-]{43}; Path=\/api\/v1\/portal; HttpOnly; SameSite=Strict; Max-Age=\d+/);
  const token = res.json.token;
  const me = await api('GET', '/portal/session', { token });
  expectStatus(me, 200);
  assert.equal(me.json.phone, res.json.phone);
  // the cookie alone works for a read; a cookie write needs this server's Origin
  const jar = setCookies(res)[0].split(';')[0];
  const byCookie = await fetch(`${BASE_URL}/api/v1/portal/session`, { headers: { cookie: jar } });
  assert.equal(byCookie.status, 200);
  const foreign = await fetch(`${BASE_URL}/api/v1/portal/session`, {
    method: 'DELETE', headers: { cookie: jar, origin: 'https://evil.example' } });
  assert.equal(foreign.status, 403);
  assert.equal((await foreign.json()).error.code, 'csrf_origin_mismatch');
  const bare = await fetch(`${BASE_URL}/api/v1/portal/session`, { method: 'DELETE', headers: { cookie: jar } });
  assert.equal(bare.status, 403, 'a cookie write with neither Origin nor Sec-Fetch-Site is refused');
  // a staff token is not a customer session
  expectError(await api('GET', '/portal/session', { token: admin }), 401, 'portal_session_required');
  expectError(await api('GET', '/portal/session'), 401, 'portal_session_required');
  const out = await api('DELETE', '/portal/session', { token });
  expectStatus(out, 204);
  assert.match(out.headers.get('set-cookie'), /^fg_portal=; .*Max-Age=0/);
  expectError(await api('GET', '/portal/session', { token }), 401, 'portal_session_required');
});

test(`${LABEL} portal: a code is used once; asking again replaces the one before`, async () => {
  const phone = newPhone();
  const first = await askCode({ phone });
  tamper(`UPDATE portal_codes SET created_at = created_at - 61000 WHERE target = 'p:${phone}'`); // past the 60 s gap
  const second = await askCode({ phone });
  if (first !== second) expectError(await api('POST', '/portal/sessions', { body: { phone, code: first } }), 401, 'portal_code_invalid');
  expectStatus(await api('POST', '/portal/sessions', { body: { phone, code: second } }), 201);
  expectError(await api('POST', '/portal/sessions', { body: { phone, code: second } }), 401, 'portal_code_invalid');
});

test(`${LABEL} portal: an expired code is refused`, async () => {
  const phone = newPhone();
  const code = await askCode({ phone });
  // the clock: the code's expiry moved to its creation (what FG_PORTAL_CODE_TTL_S minutes later would find)
  tamper(`UPDATE portal_codes SET expires_at = created_at WHERE target = 'p:${phone}'`);
  expectError(await api('POST', '/portal/sessions', { body: { phone, code } }), 401, 'portal_code_invalid');
});

test(`${LABEL} portal: five wrong codes lock the code, the right one included`, async () => {
  const phone = newPhone();
  const code = await askCode({ phone });
  const wrong = String((Number(code) + 1) % 1e6).padStart(6, '0');
  for (let left = 4; left >= 1; left--) {
    const res = await api('POST', '/portal/sessions', { body: { phone, code: wrong } });
    expectError(res, 401, 'portal_code_invalid');
    assert.equal(res.json.error.details.attempts_left, left);
  }
  expectError(await api('POST', '/portal/sessions', { body: { phone, code: wrong } }), 429, 'portal_code_locked');
  expectError(await api('POST', '/portal/sessions', { body: { phone, code } }), 429, 'portal_code_locked');
  expectError(await api('POST', '/portal/sessions', { body: { phone, code: '12345' } }), 400, 'invalid_field', 'code');
  expectError(await api('POST', '/portal/sessions', { body: { phone: '12345', code } }), 400, 'invalid_field', 'phone');
  expectError(await api('POST', '/portal/codes', { body: {} }), 400, 'missing_field', 'phone');
  expectError(await api('POST', '/portal/codes', { body: { number: 'a b' } }), 400, 'invalid_field', 'number');
});

test(`${LABEL} portal: codes are rate-limited per phone (1 a minute, 5 an hour) with Retry-After`, async () => {
  const phone = newPhone();
  await askCode({ phone });
  const again = await api('POST', '/portal/codes', { body: { phone } });
  expectError(again, 429, 'portal_rate_limited');
  assert.equal(again.json.error.details.scope, 'target');
  const ra = Number(again.headers.get('retry-after'));
  assert.ok(ra >= 1 && ra <= 60, `Retry-After ${ra}`);
  assert.equal(again.json.error.details.retry_after_s, ra);
  for (let i = 2; i <= 5; i++) {
    tamper(`UPDATE portal_codes SET created_at = created_at - 61000 WHERE target = 'p:${phone}'`);
    expectStatus(await api('POST', '/portal/codes', { body: { phone: `+86 ${phone.slice(0, 3)} ${phone.slice(3)}` } }), 202);
  }
  tamper(`UPDATE portal_codes SET created_at = created_at - 61000 WHERE target = 'p:${phone}'`);
  const sixth = await api('POST', '/portal/codes', { body: { phone } });
  expectError(sixth, 429, 'portal_rate_limited');
  assert.ok(Number(sixth.headers.get('retry-after')) > 60, 'the hour limit waits for the oldest code to leave the hour');
});

test(`${LABEL} portal: codes are rate-limited per client address (20 an hour)`, async () => {
  forgetAddress();
  for (let i = 0; i < 20; i++) expectStatus(await api('POST', '/portal/codes', { body: { phone: newPhone() } }), 202);
  const res = await api('POST', '/portal/codes', { body: { phone: newPhone() } });
  expectError(res, 429, 'portal_rate_limited');
  assert.equal(res.json.error.details.scope, 'address');
  assert.ok(Number(res.headers.get('retry-after')) > 3000);
  forgetAddress();
});

test(`${LABEL} portal: neither the code nor the session token is in the audit log`, async () => {
  const phone = newPhone();
  const code = await askCode({ phone });
  const res = await api('POST', '/portal/sessions', { body: { phone, code } });
  expectStatus(res, 201);
  for (const entity of ['portal_code', 'portal_session']) {
    const log = await api('GET', `/audit?entity=${entity}&limit=50`, { token: admin });
    expectStatus(log, 200);
    const text = JSON.stringify(log.json);
    assert.ok(log.json.items.length > 0);
    assert.ok(!text.includes(code), `${entity}: no code`);
    assert.ok(!text.includes(res.json.token), `${entity}: no token`);
    assert.ok(!text.includes(phone), `${entity}: no full phone`);
  }
});

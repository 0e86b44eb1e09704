// The customer portal (issue 11 item 7; docs/api.md "Customer portal"): one-time codes sent by SMS through a REAL
// local HTTP receiver standing in for the gateway (tests/lib/receiver.mjs), read back from what it received; codes
// single use, expiring, locked after wrong tries, rate-limited per phone (or number) and per client address;
// customer sessions by bearer token and cookie, signed out; and nothing telling whether a number exists.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { api, adminToken, expectError, expectStatus, setCookies, uniq, LABEL, BASE_URL } from './lib.mjs';
import { tamper, JPEG } from './fieldwork_lib.mjs';
import { startReceiver } from '../lib/receiver.mjs';
import { METER, cancelFieldJobs } from './lib_applications.mjs';

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
// A gateway may be sent a message twice (an attempt that timed out under load is retried): a code already read for
// the phone is not taken for the new one.
const seenCodes = new Map();
const codeOf = (r) => /验证码是(\d{6})/.exec(r.json?.text || '')?.[1];
async function codeSent(phone, from) {
  const seen = seenCodes.get(phone) || new Set();
  const got = await rx.waitFor((r) => r.n > from && r.json?.to === phone && r.json?.kind === 'verification_code' &&
    codeOf(r) && !seen.has(codeOf(r)), 30000, () => api('POST', '/notify/outbox/actions/run', { token: admin }));
  const code = codeOf(got[got.length - 1]);
  assert.ok(code, `a 6-digit code in ${got[got.length - 1].json.text}`);
  seen.add(code);
  seenCodes.set(phone, seen);
  return code;
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

// ---- the customer's applications ----

/** An application taken at the counter by staff for phone (no documents handed in). */
async function counterApplication(phone, extra = {}) {
  const res = await api('POST', '/applications', { token: admin, body: {
    kind: 'lv_residential', channel: 'counter', applicant_name: '王小明', applicant_phone: phone,
    id_type: 'id_card', id_number: '11010519491231002X', supply_address: '测试路 1 号', voltage_level: '220V', capacity_kva: 8, ...extra,
  } });
  expectStatus(res, 201);
  return res.json;
}

// the desk's side: a stage's open field work order (issue 11 item 4) is cancelled first, as a dispatcher may, and an
// installation is completed with the meter given at the desk
const staff = async (id, action, body = {}) => {
  if (action === 'complete_survey' || action === 'complete_installation') await cancelFieldJobs(id, admin);
  return api('POST', `/applications/${id}/actions/${action}`, { token: admin, body: action === 'complete_installation' ? { ...METER, ...body } : body });
};

async function uploadDoc(token, number, type, body = JPEG, ctype = 'image/jpeg') {
  const res = await fetch(`${BASE_URL}/api/v1/portal/applications/${number}/documents/${type}`, {
    method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': ctype }, body });
  const text = await res.text();
  return { status: res.status, json: text ? JSON.parse(text) : undefined };
}

async function signInByNumber(number, phone) {
  const code = await askCode({ number }, phone);
  const res = await api('POST', '/portal/sessions', { body: { number: number.toLowerCase(), code } });
  expectStatus(res, 201);
  return res.json.token;
}

test(`${LABEL} portal: asking for a code by number answers the same whether the number exists or not`, async () => {
  const phone = newPhone();
  const app = await counterApplication(phone);
  const unknown = `YK20991231-${String(Math.floor(Math.random() * 9000) + 1000)}`;
  const from = rx.requests.length ? rx.requests[rx.requests.length - 1].n : 0;
  const real = await api('POST', '/portal/codes', { body: { number: app.number } });
  const none = await api('POST', '/portal/codes', { body: { number: unknown } });
  expectStatus(real, 202);
  expectStatus(none, 202);
  assert.equal(real.text, none.text, 'the same body');
  const names = (r) => [...r.headers.keys()].filter((k) => k !== 'date').sort();
  assert.deepEqual(names(real), names(none), 'the same headers');
  // the code went to the phone registered on the application, and to no one for the unknown number
  const code = await codeSent(phone, from);
  // the limits and the wrong tries look alike too
  const again = [await api('POST', '/portal/codes', { body: { number: app.number } }), await api('POST', '/portal/codes', { body: { number: unknown } })];
  for (const r of again) expectError(r, 429, 'portal_rate_limited');
  assert.deepEqual(again.map((r) => r.json.error.details.scope), ['target', 'target']);
  const wrong = String((Number(code) + 1) % 1e6).padStart(6, '0');
  const w = [await api('POST', '/portal/sessions', { body: { number: app.number, code: wrong } }),
    await api('POST', '/portal/sessions', { body: { number: unknown, code: wrong } })];
  for (const r of w) expectError(r, 401, 'portal_code_invalid');
  assert.equal(w[0].text, w[1].text);
  // a phone typed beside the number gets nothing unless it is the registered one
  const stranger = newPhone();
  const other = await counterApplication(newPhone());
  expectStatus(await api('POST', '/portal/codes', { body: { number: other.number, phone: stranger } }), 202);
  expectStatus(await api('POST', '/notify/outbox/actions/run', { token: admin }), 200);
  assert.equal(rx.requests.filter((r) => r.json?.to === stranger).length, 0, 'no code to a phone the caller typed');
  // and the right code for the real number makes a session that sees it
  const ok = await api('POST', '/portal/sessions', { body: { number: app.number, code } });
  expectStatus(ok, 201);
  expectStatus(await api('GET', `/portal/applications/${app.number}`, { token: ok.json.token }), 200);
});

test(`${LABEL} portal: a customer sees their application's stages, owners, deadlines and what is needed; masked; never another's`, async () => {
  const phone = newPhone();
  const app = await counterApplication(phone);
  const token = await signInByNumber(app.number, phone);
  const res = await api('GET', `/portal/applications/${app.number}`, { token });
  expectStatus(res, 200);
  const v = res.json;
  assert.equal(v.number, app.number);
  assert.equal(v.status, 'accepted');
  assert.deepEqual(v.stages.map((s) => s.code), ['accepted', 'survey', 'installation', 'powered', 'archived'], 'the residential track');
  assert.deepEqual(v.stages.map((s) => s.state), ['current', 'next', 'next', 'next', 'next']);
  assert.equal(v.stages[0].owner_role, 'customer_service');
  assert.ok(v.stages[0].due_at > Date.now(), 'the stage deadline');
  assert.ok(v.process.due_at >= v.stages[0].due_at, 'the whole-process promise');
  assert.deepEqual(v.needed.map((d) => d.type).sort(), ['identity', 'property_proof']);
  // masked: the applicant's name and phone, no ID number, no staff ids
  assert.equal(v.applicant_phone, `${phone.slice(0, 3)}****${phone.slice(-4)}`);
  assert.notEqual(v.applicant_name, '王小明');
  const text = JSON.stringify(v);
  for (const leak of ['11010519491231002X', phone, 'id_number', 'attachment_id', 'created_by', 'customer_manager_id', 'org_unit_id'])
    assert.ok(!text.includes(leak), `no ${leak}`);
  const list = await api('GET', '/portal/applications', { token });
  expectStatus(list, 200);
  assert.deepEqual(list.json.items.map((a) => a.number), [app.number]);
  // customer B: A's application does not exist for them
  const b = await signIn(newPhone());
  expectError(await api('GET', `/portal/applications/${app.number}`, { token: b }), 404, 'not_found');
  assert.deepEqual((await api('GET', '/portal/applications', { token: b })).json.items, []);
  const up = await uploadDoc(b, app.number, 'identity');
  assert.equal(up.status, 404);
  expectError(await api('POST', `/portal/applications/${app.number}/rating`, { token: b, body: { stars: 5 } }), 404, 'not_found');
  expectError(await api('POST', '/portal/feedback', { token: b, body: { kind: 'complaint', subject: 'x', application_no: app.number } }), 400, 'invalid_field', 'application_no');
  expectError(await api('GET', `/portal/applications/${app.number}`), 401, 'portal_session_required');
  expectError(await api('GET', `/portal/applications/${app.number}`, { token: admin }), 401, 'portal_session_required');
});

test(`${LABEL} portal: the customer sees why the clock stopped, uploads what is missing, and rates after power-on`, async () => {
  const phone = newPhone();
  const app = await counterApplication(phone);
  const token = await signInByNumber(app.number, phone);
  expectStatus(await staff(app.id, 'request_documents', { reason: '请补充房产证复印件' }), 200);
  let v = (await api('GET', `/portal/applications/${app.number}`, { token })).json;
  assert.equal(v.stage.customer_turn, true);
  assert.equal(v.waiting.kind, 'customer_turn');
  assert.equal(v.waiting.detail, '请补充房产证复印件');
  assert.deepEqual(v.stages.map((s) => s.code), ['accepted', 'documents_missing', 'survey', 'installation', 'powered', 'archived']);
  assert.deepEqual(v.stages.slice(0, 2).map((s) => s.state), ['done', 'current']);
  // uploads: a file that is not what it says is refused, the real ones are received
  const bad = await uploadDoc(token, app.number, 'identity', Buffer.from('not an image'), 'image/jpeg');
  assert.equal(bad.status, 415);
  const notListed = await uploadDoc(token, app.number, 'drawings');
  assert.equal(notListed.status, 404);
  for (const type of ['identity', 'property_proof']) {
    const up = await uploadDoc(token, app.number, type);
    assert.equal(up.status, 200, JSON.stringify(up.json));
    assert.equal(up.json.documents.find((d) => d.type === type).status, 'received');
  }
  v = (await api('GET', `/portal/applications/${app.number}`, { token })).json;
  assert.deepEqual(v.needed, []);
  const desk = await api('GET', `/applications/${app.id}`, { token: admin });
  assert.equal(desk.json.documents.find((d) => d.type === 'identity').by_customer, true);
  // not yet powered: no rating
  expectError(await api('POST', `/portal/applications/${app.number}/rating`, { token, body: { stars: 5 } }), 409, 'application_not_powered');
  expectStatus(await staff(app.id, 'documents_complete'), 200);
  expectStatus(await staff(app.id, 'accept'), 200);
  expectStatus(await staff(app.id, 'complete_survey', { scheme: '单相 220V 表计接入' }), 200);
  expectStatus(await staff(app.id, 'complete_installation'), 200);
  v = (await api('GET', `/portal/applications/${app.number}`, { token })).json;
  assert.equal(v.status, 'powered');
  assert.equal(v.can_rate, true);
  assert.deepEqual(v.stages.filter((s) => s.state === 'done').map((s) => s.code), ['accepted', 'documents_missing', 'survey', 'installation']);
  expectError(await api('POST', `/portal/applications/${app.number}/rating`, { token, body: { stars: 6 } }), 400, 'invalid_field', 'stars');
  const rated = await api('POST', `/portal/applications/${app.number}/rating`, { token, body: { stars: 5, comment: '很快' } });
  expectStatus(rated, 200);
  assert.equal(rated.json.rating, 5);
  assert.equal(rated.json.can_rate, false);
  expectError(await api('POST', `/portal/applications/${app.number}/rating`, { token, body: { stars: 4 } }), 409, 'application_already_rated');
});

test(`${LABEL} portal: applying online with the customer's own uploads; feedback from the portal`, async () => {
  const phone = newPhone();
  const token = await signIn(phone);
  const up = await fetch(`${BASE_URL}/api/v1/portal/attachments?filename=id.jpg`, {
    method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'image/jpeg' }, body: JPEG });
  assert.equal(up.status, 201);
  const att = await up.json();
  assert.equal(att.content_type, 'image/jpeg');
  const body = { kind: 'lv_residential', applicant_name: '李四', supply_address: '网上路 2 号', voltage_level: '220V', capacity_kva: 8,
    documents: [{ type: 'identity', attachment_id: att.id }] };
  // another customer cannot hand in this file
  const other = await signIn(newPhone());
  expectError(await api('POST', '/portal/applications', { token: other, body }), 400, 'invalid_field', 'documents');
  const res = await api('POST', '/portal/applications', { token, body });
  expectStatus(res, 201);
  assert.equal(res.json.channel, 'portal');
  assert.equal(res.json.applicant_phone, `${phone.slice(0, 3)}****${phone.slice(-4)}`);
  assert.equal(res.json.documents.find((d) => d.type === 'identity').status, 'received');
  assert.deepEqual(res.json.needed.map((d) => d.type), ['property_proof']);
  const desk = await api('GET', `/applications?q=${res.json.number}`, { token: admin });
  expectStatus(desk, 200);
  expectError(await api('POST', '/portal/applications', { token, body: { ...body, documents: [], kind: 'nuclear' } }), 400, 'invalid_field', 'kind');
  // feedback about it, on the feedback desk's clock
  const fb = await api('POST', '/portal/feedback', { token, body: { kind: 'inquiry', subject: '何时勘查', text: '请尽快安排', application_no: res.json.number.toLowerCase() } });
  expectStatus(fb, 201);
  assert.match(fb.json.number, /^KF/);
  const item = (await api('GET', `/feedback?application_no=${res.json.number}`, { token: admin })).json.items[0];
  assert.equal(item.channel, 'questionnaire');
  assert.equal(item.subject, '何时勘查');
});

test(`${LABEL} portal: the tracking read is cached per customer session — never another's, never after sign-out`, async () => {
  const phone = newPhone();
  const app = await counterApplication(phone);
  // both customers signed in first: a sign-in writes what the kept answer read, and would drop it
  const b = await signIn(newPhone());
  const a = await signInByNumber(app.number, phone);
  const first = await api('GET', `/portal/applications/${app.number}`, { token: a });
  expectStatus(first, 200);
  const etag = first.headers.get('etag');
  assert.ok(etag, 'a cached route answers with an ETag');
  // A's answer is kept (bounded: a read that slid the session's expiry wrote, and is not kept)
  let hit = false;
  for (let i = 0; i < 20 && !hit; i++) hit = (await api('GET', `/portal/applications/${app.number}`, { token: a })).headers.get('x-cache') === 'hit';
  assert.ok(hit, "A's answer is answered again from the cache");
  const same = await api('GET', `/portal/applications/${app.number}`, { token: a, headers: { 'if-none-match': etag } });
  assert.equal(same.status, 304);
  // another customer asking the same path with their own session, or with none, gets nothing of it
  expectError(await api('GET', `/portal/applications/${app.number}`, { token: b }), 404, 'not_found');
  expectError(await api('GET', `/portal/applications/${app.number}`, { headers: { 'if-none-match': etag } }), 401, 'portal_session_required');
  const bList = await api('GET', '/portal/applications', { token: b });
  assert.deepEqual(bList.json.items, []);
  // a change the customer should see is seen at once
  expectStatus(await staff(app.id, 'request_documents', { reason: '请补充' }), 200);
  assert.equal((await api('GET', `/portal/applications/${app.number}`, { token: a })).json.status, 'documents_missing');
  // signed out: the kept answer is not sent again
  expectStatus(await api('DELETE', '/portal/session', { token: a }), 204);
  expectError(await api('GET', `/portal/applications/${app.number}`, { token: a }), 401, 'portal_session_required');
  expectError(await api('GET', '/portal/applications', { token: a }), 401, 'portal_session_required');
});

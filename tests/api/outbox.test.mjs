// Notification outbox (issue 11 item 8; docs/api.md "Notification outbox"): messages queued in the writer's
// transaction and delivered by the job notify.deliver through a REAL local HTTP receiver standing in for the SMS
// gateway and the WeChat-style API (tests/lib/receiver.mjs): templates filled, a 500 retried with backoff, parking
// after the channel's last attempt and the admin's retry, signed delivery receipts (idempotent), secrets never in a
// response, the audit log or the server's log.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { readFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import { api, adminToken, adminUser, userWithToken, expectError, expectStatus, expectList, findSecrets, uniq, LABEL } from './lib.mjs';
import { startReceiver } from '../lib/receiver.mjs';

// long, unique secrets: any leak of them is found by a plain substring search
const SMS_CREDENTIAL = `smsCred-${uniq('x')}-${Math.random().toString(36).slice(2)}`;
const RECEIPT_KEY = `rcptKey-${uniq('x')}-${Math.random().toString(36).slice(2)}`;
const WECHAT_CREDENTIAL = `wxCred-${uniq('x')}-${Math.random().toString(36).slice(2)}`;
const SECRETS = [SMS_CREDENTIAL, RECEIPT_KEY, WECHAT_CREDENTIAL];

let rx;
let admin;
const phone = () => `139${String(Math.floor(Math.random() * 1e8)).padStart(8, '0')}`;

/** Runs the delivery job now (besides the scheduler's own runs) until cond(message) holds; bounded. */
async function until(id, cond, ms = 40000) {
  const end = Date.now() + ms;
  for (;;) {
    const res = await api('GET', `/notify/outbox/${id}`, { token: admin });
    expectStatus(res, 200);
    if (cond(res.json)) return res.json;
    if (Date.now() > end) assert.fail(`message ${id} never reached the state wanted: ${JSON.stringify(res.json)}`);
    expectStatus(await api('POST', '/notify/outbox/actions/run', { token: admin }), 200);
    await new Promise((r) => setTimeout(r, 150));
  }
}

async function channel(name) {
  const res = await api('GET', '/notify/channels', { token: admin });
  expectStatus(res, 200);
  return res.json.items.find((c) => c.channel === name);
}

async function put(name, body) {
  const cur = await channel(name);
  return api('PUT', `/notify/channels/${name}`, { token: admin, body: { version: cur.version, ...body } });
}

function sign(key, body, ts = String(Math.floor(Date.now() / 1000))) {
  return { ts, sig: createHmac('sha256', key).update(`${ts}.${body}`).digest('hex') };
}

async function receipt(body, { key = RECEIPT_KEY, ts } = {}) {
  const text = JSON.stringify(body);
  const s = sign(key, text, ts);
  return api('POST', '/notify/receipts/sms', {
    rawBody: text, headers: { 'x-fieldgrid-timestamp': s.ts, 'x-fieldgrid-signature': s.sig },
  });
}

const send = (body) => api('POST', '/notify/messages', { token: admin, body });

before(async () => {
  admin = await adminToken();
  rx = await startReceiver();
  // the gateway's answer by recipient: a test sets the plan of a phone before it sends
  rx.plans = new Map();
  rx.answer((req) => {
    const to = req.json?.to ?? req.json?.touser;
    const plan = rx.plans.get(to);
    if (plan) return plan(req);
    if (req.path.startsWith('/wechat')) return { status: 200, body: { errcode: 0, errmsg: 'ok', msgid: 7000 + req.n } };
    return undefined;
  });
  const sms = await put('sms', {
    enabled: true, url: `${rx.url}/sms/send`, username: 'fg-account', credential: SMS_CREDENTIAL, receipt_key: RECEIPT_KEY,
    max_attempts: 3, backoff_s: 1, backoff_max_s: 2, timeout_ms: 5000,
    templates: {
      verification_code: '【fieldgrid】您的验证码是{{code}}，{{minutes}}分钟内有效，请勿告诉他人。',
      outbox_test: 'Application {{number}} is at stage {{stage}}.',
    },
  });
  expectStatus(sms, 200);
  const wx = await put('wechat', {
    enabled: true, url: `${rx.url}/wechat/template/send`, credential: WECHAT_CREDENTIAL, backoff_s: 1, backoff_max_s: 1,
    templates: { outbox_test: { template_id: 'TPL-STAGE', url: 'https://example.test/a/{{number}}', data: { first: '申请 {{number}}', keyword1: '{{stage}}' } } },
  });
  expectStatus(wx, 200);
});

after(async () => { await rx?.close(); });

test(`${LABEL} outbox: channel configuration shows secrets masked, never in full`, async () => {
  const res = await api('GET', '/notify/channels', { token: admin });
  expectStatus(res, 200);
  assert.deepEqual(res.json.items.map((c) => c.channel), ['inapp', 'sms', 'wechat']);
  const sms = res.json.items.find((c) => c.channel === 'sms');
  assert.equal(sms.enabled, true);
  assert.equal(sms.credential_source, 'config');
  assert.equal(sms.credential_masked, `****${SMS_CREDENTIAL.slice(-2)}`);
  assert.equal(sms.receipt_key_masked, `****${RECEIPT_KEY.slice(-2)}`);
  assert.ok(!('credential' in sms) && !('receipt_key' in sms));
  assert.deepEqual(findSecrets(res.json, SECRETS), []);
  for (const s of SECRETS) assert.ok(!res.text.includes(s), 'a secret in GET /notify/channels');
  // nor in the audit log of the change
  const audit = await api('GET', '/audit?entity=notify_channel&limit=50', { token: admin });
  expectStatus(audit, 200);
  assert.ok(audit.json.items.length >= 2);
  for (const s of SECRETS) assert.ok(!audit.text.includes(s), 'a secret in the audit log');
  // a channel is enabled only with a gateway to send to; an unknown one is not found; versions are checked
  const off = await put('wechat', { enabled: true, url: null });
  expectError(off, 409, 'notify_channel_incomplete');
  assert.equal(off.json.error.details.field, 'url');
  expectError(await api('PUT', '/notify/channels/fax', { token: admin, body: { version: 1 } }), 404, 'not_found');
  expectError(await api('PUT', '/notify/channels/sms', { token: admin, body: { version: 1, enabled: true } }), 409, 'version_conflict');
  expectError(await put('sms', { templates: { verification_code: 5 } }), 400, 'invalid_field', 'templates.verification_code');
  expectError(await put('wechat', { templates: { x: { data: {} } } }), 400, 'invalid_field', 'templates.x');
  expectError(await put('inapp', { url: 'http://127.0.0.1:1/' }), 400, 'invalid_field', 'url');
  // only admins
  const crew = await userWithToken(['manager']);
  expectError(await api('GET', '/notify/channels', { token: crew.token }), 403, 'forbidden');
});

test(`${LABEL} outbox: a verification code reaches the SMS gateway with its template filled; the code is not kept`, async () => {
  const to = phone();
  const res = await send({ kind: 'verification_code', recipient: { phone: to }, params: { code: '482913', minutes: 5 } });
  expectStatus(res, 201);
  assert.equal(res.json.items.length, 1);
  const m = res.json.items[0];
  assert.equal(m.channel, 'sms');
  assert.equal(m.state, 'queued');
  assert.equal(m.recipient, `${to.slice(0, 3)}****${to.slice(-4)}`, 'the phone is masked in the log');
  assert.equal(m.params.code, '***', 'the code is not shown');
  assert.equal(m.params.minutes, 5);
  const got = await rx.waitFor((r) => r.json?.to === to, 40000, () => api('POST', '/notify/outbox/actions/run', { token: admin }));
  assert.equal(got.length, 1, 'sent once');
  const req = got[0];
  assert.equal(req.method, 'POST');
  assert.equal(req.path, '/sms/send');
  assert.equal(req.json.text, '【fieldgrid】您的验证码是482913，5分钟内有效，请勿告诉他人。');
  assert.equal(req.json.kind, 'verification_code');
  assert.equal(req.json.reference, m.id);
  assert.equal(req.headers.authorization, `Basic ${Buffer.from(`fg-account:${SMS_CREDENTIAL}`).toString('base64')}`);
  assert.ok(!req.text.includes(SMS_CREDENTIAL), 'the credential travels in the header only');
  const done = await until(m.id, (x) => x.state === 'sent');
  assert.equal(done.provider_id, `gw-${req.n}`, "the gateway's message id is kept for receipts");
  assert.equal(done.attempts, 1);
  assert.equal(done.log.length, 1);
  assert.equal(done.log[0].ok, true);
  assert.equal(done.log[0].http_status, 200);
  assert.equal(done.params.code, '***');
  assert.equal(done.next_attempt_at, null);
  // the log finds it by the full phone number, filtered by channel, kind and state
  const list = expectList(await api('GET', `/notify/outbox?recipient=${to}&channel=sms&kind=verification_code&state=sent`, { token: admin }));
  assert.deepEqual(list.items.map((x) => x.id), [m.id]);
  assert.equal(list.total, 1);
  assert.ok(!JSON.stringify(list).includes('482913'), 'the code is not in the log');
});

test(`${LABEL} outbox: the gateway answering 500 is retried with backoff, then delivered`, async () => {
  const to = phone();
  let calls = 0;
  rx.plans.set(to, (req) => {
    calls += 1;
    // a broken gateway that echoes the password it was given: it must not reach last_error
    const pw = Buffer.from(String(req.headers.authorization).slice(6), 'base64').toString().split(':')[1];
    return calls === 1 ? { status: 500, body: { error: `backend down for ${pw}` } } : undefined;
  });
  const res = await send({ kind: 'outbox_test', recipient: { phone: to }, params: { number: 'A-100', stage: 'survey' } });
  expectStatus(res, 201);
  const id = res.json.items[0].id;
  const failed = await until(id, (x) => x.attempts >= 1 && x.state !== 'sending' && x.state !== 'queued');
  if (failed.state === 'failed') {
    assert.match(failed.last_error, /^HTTP 500/);
    assert.ok(failed.next_attempt_at > failed.updated_at, 'the next attempt waits its backoff');
  }
  const done = await until(id, (x) => x.state === 'sent');
  assert.equal(done.attempts, 2);
  assert.deepEqual(done.log.map((a) => [a.n, a.ok, a.http_status]), [[1, false, 500], [2, true, 200]]);
  assert.match(done.log[0].error, /^HTTP 500: .*backend down for \*+/);
  for (const s of SECRETS) assert.ok(!JSON.stringify(done).includes(s), 'a secret in the delivery log');
  const arrived = rx.requests.filter((r) => r.json?.to === to);
  assert.equal(arrived.length, 2);
  assert.equal(arrived[1].json.text, 'Application A-100 is at stage survey.');
});

test(`${LABEL} outbox: after the channel's last attempt a message is parked, listed, and retried by an admin`, async () => {
  const to = phone();
  let refuse = true;
  rx.plans.set(to, () => (refuse ? { status: 503, body: { error: 'overloaded' } } : undefined));
  const res = await send({ kind: 'outbox_test', recipient: { phone: to }, params: { number: 'A-200', stage: 'acceptance' } });
  const id = res.json.items[0].id;
  const dead = await until(id, (x) => x.state === 'dead');
  assert.equal(dead.attempts, 3, 'max_attempts of the channel');
  assert.equal(dead.log.length, 3);
  assert.ok(dead.log.every((a) => a.ok === false && a.http_status === 503));
  assert.equal(rx.requests.filter((r) => r.json?.to === to).length, 3);
  const parked = expectList(await api('GET', `/notify/outbox?state=dead&channel=sms&recipient=${to}`, { token: admin }));
  assert.deepEqual(parked.items.map((x) => x.id), [id]);
  const sms = await channel('sms');
  assert.ok(sms.pending.dead >= 1, 'the channel shows what is parked');
  const told = (await api('GET', '/notifications', { token: admin })).json.items.filter((x) => x.entity_id === id);
  assert.equal(told.length, 1, 'admins are told in-app of a parked message');
  assert.equal(told[0].kind, 'outbox_parked');
  assert.equal(told[0].entity, 'outbox_message');
  // the job leaves it alone
  expectStatus(await api('POST', '/notify/outbox/actions/run', { token: admin }), 200);
  assert.equal(rx.requests.filter((r) => r.json?.to === to).length, 3);
  refuse = false;
  const retry = await api('POST', `/notify/outbox/${id}/actions/retry`, { token: admin });
  expectStatus(retry, 200);
  assert.equal(retry.json.state, 'queued');
  assert.equal(retry.json.attempts, 0);
  const done = await until(id, (x) => x.state === 'sent');
  assert.equal(done.log.length, 4);
  const again = await api('POST', `/notify/outbox/${id}/actions/retry`, { token: admin });
  expectError(again, 409, 'invalid_transition');
  assert.equal(again.json.error.details.state, 'sent');
  expectError(await api('POST', '/notify/outbox/00000000-0000-7000-8000-000000000000/actions/retry', { token: admin }), 404, 'not_found');
});

test(`${LABEL} outbox: a gateway refusing the request (4xx) parks the message at once`, async () => {
  const to = phone();
  rx.plans.set(to, () => ({ status: 400, body: { error: 'bad sign name' } }));
  const res = await send({ kind: 'outbox_test', recipient: { phone: to }, params: { number: 'A-300', stage: 'x' } });
  const dead = await until(res.json.items[0].id, (x) => x.state === 'dead');
  assert.equal(dead.attempts, 1);
  assert.match(dead.last_error, /^HTTP 400/);
});

test(`${LABEL} outbox: signed delivery receipts mark the message, idempotently; bad signatures are refused`, async () => {
  const to = phone();
  const res = await send({ kind: 'outbox_test', recipient: { phone: to }, params: { number: 'A-400', stage: 'power-on' } });
  const id = res.json.items[0].id;
  const sent = await until(id, (x) => x.state === 'sent');
  const body = { message_id: sent.provider_id, status: 'delivered', at: Date.now() - 1000 };
  const ok = await receipt(body);
  expectStatus(ok, 200);
  assert.deepEqual(ok.json, { accepted: 1, duplicate: 0, unknown: 0 });
  const twice = await receipt(body);
  expectStatus(twice, 200);
  assert.deepEqual(twice.json, { accepted: 0, duplicate: 1, unknown: 0 });
  const m = (await api('GET', `/notify/outbox/${id}`, { token: admin })).json;
  assert.equal(m.receipt_status, 'delivered');
  assert.equal(m.receipt_at, body.at);
  // a batch: one by our reference, one unknown
  const other = await send({ kind: 'outbox_test', recipient: { phone: phone() }, params: { number: 'A-401', stage: 's' } });
  const batch = await receipt({ receipts: [{ message_id: other.json.items[0].id, status: 'failed', error: 'UNDELIV' }, { message_id: 'no-such', status: 'delivered' }] });
  expectStatus(batch, 200);
  assert.deepEqual(batch.json, { accepted: 1, duplicate: 0, unknown: 1 });
  // refused: a wrong key, a stale timestamp, no signature, an altered body; nothing changes
  expectError(await receipt({ message_id: sent.provider_id, status: 'failed' }, { key: 'not-the-key' }), 401, 'notify_signature_invalid');
  expectError(await receipt({ message_id: sent.provider_id, status: 'failed' }, { ts: String(Math.floor(Date.now() / 1000) - 3600) }), 401, 'notify_signature_invalid');
  expectError(await api('POST', '/notify/receipts/sms', { rawBody: JSON.stringify(body) }), 401, 'notify_signature_invalid');
  const s = sign(RECEIPT_KEY, JSON.stringify(body));
  const altered = await api('POST', '/notify/receipts/sms', {
    rawBody: JSON.stringify({ ...body, status: 'failed' }), headers: { 'x-fieldgrid-timestamp': s.ts, 'x-fieldgrid-signature': s.sig },
  });
  expectError(altered, 401, 'notify_signature_invalid');
  assert.equal((await api('GET', `/notify/outbox/${id}`, { token: admin })).json.receipt_status, 'delivered');
  // a signed body that is not a receipt
  expectError(await receipt({ message_id: 'x', status: 'read' }), 400, 'invalid_field', 'receipt.status');
  expectError(await receipt({ message_id: 'x', status: 'delivered', extra: 1 }), 400, 'unknown_field', 'receipt.extra');
  // without a receipt key, receipts are not taken at all
  expectStatus(await put('sms', { receipt_key: null }), 200);
  expectError(await receipt(body), 503, 'notify_receipts_disabled');
  expectStatus(await put('sms', { receipt_key: RECEIPT_KEY }), 200);
  expectStatus(await receipt(body), 200);
});

test(`${LABEL} outbox: a WeChat-style template message and an in-app one, chosen by configuration`, async () => {
  const me = await adminUser();
  const openid = uniq('o-');
  const to = phone();
  // one kind, three addresses: every enabled channel with a template for the kind
  const res = await send({ kind: 'outbox_test', recipient: { phone: to, openid }, params: { number: 'A-500', stage: 'design review' }, entity: 'application', entity_id: 'A-500' });
  expectStatus(res, 201);
  assert.deepEqual(res.json.items.map((x) => x.channel).sort(), ['sms', 'wechat']);
  const wx = res.json.items.find((x) => x.channel === 'wechat');
  const got = (await rx.waitFor((r) => r.json?.touser === openid, 40000, () => api('POST', '/notify/outbox/actions/run', { token: admin })))[0];
  assert.equal(got.path, '/wechat/template/send');
  assert.equal(got.headers.authorization, `Bearer ${WECHAT_CREDENTIAL}`);
  assert.deepEqual(got.json, {
    touser: openid, template_id: 'TPL-STAGE', url: 'https://example.test/a/A-500', reference: wx.id,
    data: { first: { value: '申请 A-500' }, keyword1: { value: 'design review' } },
  });
  const done = await until(wx.id, (x) => x.state === 'sent');
  assert.equal(done.provider_id, String(7000 + got.n));
  // WeChat's refusal comes as 200 with errcode ≠ 0: a failure
  const openid2 = uniq('o-');
  rx.plans.set(openid2, () => ({ status: 200, body: { errcode: 40003, errmsg: 'invalid openid' } }));
  const bad = await send({ kind: 'outbox_test', recipient: { openid: openid2 }, params: { number: 'A-501', stage: 's' } });
  const f = await until(bad.json.items[0].id, (x) => x.attempts >= 1 && x.state !== 'sending' && x.state !== 'queued');
  assert.match(f.last_error, /40003/);
  // in-app: delivered in the writer's transaction, recorded as sent
  const title = uniq('hello-');
  const inapp = await send({ kind: 'outbox_note', recipient: { user_id: me.id }, params: { title, body: 'from the outbox' } });
  expectStatus(inapp, 201);
  assert.equal(inapp.json.items[0].channel, 'inapp');
  assert.equal(inapp.json.items[0].state, 'sent');
  const mine = await api('GET', '/notifications', { token: admin });
  const n = mine.json.items.find((x) => x.title === title);
  assert.ok(n, 'the notification is there at once');
  assert.equal(n.kind, 'outbox_note');
  assert.equal(n.body, 'from the outbox');
  // channels narrows the choice
  const only = await send({ kind: 'outbox_test', recipient: { phone: phone(), openid: uniq('o-') }, params: { number: 'A-502', stage: 's' }, channels: ['wechat'] });
  assert.deepEqual(only.json.items.map((x) => x.channel), ['wechat']);
});

test(`${LABEL} outbox: refusals name what is missing, and queue nothing`, async () => {
  const to = phone();
  const none = await send({ kind: 'no_such_kind', recipient: { phone: to }, params: {} });
  expectError(none, 409, 'notify_no_channel');
  assert.equal(none.json.error.details.kind, 'no_such_kind');
  const miss = await send({ kind: 'verification_code', recipient: { phone: to }, params: { code: '1234' } });
  expectError(miss, 409, 'notify_template_param_missing');
  assert.deepEqual(miss.json.error.details, { channel: 'sms', kind: 'verification_code', param: 'minutes' });
  expectError(await send({ kind: 'verification_code', recipient: { phone: 'abc' }, params: {} }), 400, 'invalid_field', 'recipient.phone');
  expectError(await send({ kind: 'verification_code', recipient: { email: 'a@b' }, params: {} }), 400, 'unknown_field', 'recipient.email');
  const list = expectList(await api('GET', `/notify/outbox?recipient=${to}`, { token: admin }));
  assert.equal(list.total, 0);
  expectError(await api('GET', '/notify/outbox?state=lost', { token: admin }), 400, 'invalid_query', 'state');
});

test(`${LABEL} outbox: no secret reached the server's log`, async () => {
  // run-suite.sh writes the server's stderr next to its data directory
  const log = process.env.FG_DATA_DIR ? path.join(process.env.FG_DATA_DIR, '..', 'server.log') : '';
  if (!log) return; // a server started by hand: its log is not ours to read
  assert.ok(existsSync(log), `the server's log at ${log}`);
  const text = readFileSync(log, 'utf8');
  assert.ok(text.length > 0);
  for (const s of SECRETS) assert.ok(!text.includes(s), 'a secret in the server log');
});

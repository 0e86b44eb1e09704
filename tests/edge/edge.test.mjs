// The HTTP edge (issue 9, deliverable 1; docs/architecture.md "HTTP server", docs/api.md "Uploads"): what an
// anonymous or slow client can cost. Heavy: run by `tests/run-suite.sh BIN sqlite|pg edge` against a fresh
// server started with FIELDGRID_HEADER_TIMEOUT_S=3 and FIELDGRID_TRUSTED_PROXY=1 (run-suite sets both for the
// edge suite). FG_SERVER_PID names the server, whose memory is read from /proc.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import net from 'node:net';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { execFile } from 'node:child_process';
import {
  api, adminToken, userWithToken, expectStatus, expectError, setCookies, BASE_URL, PASSWORD, LABEL,
} from '../api/lib.mjs';

const MiB = 1024 * 1024;
const PID = Number(process.env.FG_SERVER_PID);
const base = new URL(BASE_URL);
const JPEG_HEAD = Buffer.from([0xff, 0xd8, 0xff, 0xe0]);

function vm(field) {
  const m = fs.readFileSync(`/proc/${PID}/status`, 'utf8').match(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm'));
  return m ? Number(m[1]) * 1024 : NaN;
}

const figures = {};
test.after(() => console.log(`edge figures ${LABEL}: ${JSON.stringify(figures)}`));

/* A raw upload through node:http, so the test controls what is sent when: Expect: 100-continue, a declared
 * length, chunked, or a body held back. Resolves {status, headers, json, continued} on the answer. */
function upload(path, { token, headers = {}, length, chunks, expectContinue = false, onContinue } = {}) {
  const h = { ...headers };
  if (token) h.authorization = `Bearer ${token}`;
  if (length !== undefined) h['content-length'] = String(length);
  if (expectContinue) h.expect = '100-continue';
  const req = http.request(new URL(path, BASE_URL), { method: 'POST', headers: h, agent: false });
  const state = { req, continued: false };
  state.done = new Promise((resolve, reject) => {
    req.on('continue', () => { state.continued = true; onContinue?.(req); });
    req.on('response', (res) => {
      const parts = [];
      res.on('data', (c) => parts.push(c));
      res.on('end', () => {
        const text = Buffer.concat(parts).toString('utf8');
        let json;
        try { json = JSON.parse(text); } catch { json = undefined; }
        resolve({ status: res.statusCode, headers: res.headers, json, text, continued: state.continued });
      });
    });
    req.on('error', reject);
  });
  state.done.catch(() => {});
  if (chunks) {
    (async () => {
      for (const c of chunks) if (!req.write(c)) await new Promise((r) => req.once('drain', r));
      req.end();
    })().catch(() => {});
  }
  return state;
}

async function pollUntil(what, fn, { tries = 100, everyMs = 100 } = {}) {
  for (let i = 0; i < tries; i++) {
    const v = await fn();
    if (v) return v;
    await new Promise((r) => setTimeout(r, everyMs));
  }
  assert.fail(`gave up waiting for ${what}`);
}

/* Health asked by curl in its own process: the test's own event loop is busy pushing the uploads, and must not
 * be what makes health look slow. Resolves {code, ms}. */
function healthByCurl() {
  return new Promise((resolve) => {
    execFile('curl', ['-s', '-o', '/dev/null', '-w', '%{http_code} %{time_total}', '--max-time', '20', `${BASE_URL}/api/v1/health`],
      (e, out) => {
        const [code, secs] = String(out).trim().split(' ');
        resolve({ code: Number(code), ms: Math.round(Number(secs) * 1000) });
      });
  });
}

/* Health every 250 ms until stop(); the answers' codes and latencies. */
function watchHealth() {
  const seen = [];
  let running = true;
  const loop = (async () => {
    while (running) {
      seen.push(await healthByCurl());
      await new Promise((r) => setTimeout(r, 250));
    }
  })();
  return { seen, stop: async () => { running = false; await loop; return seen; } };
}

test(`${LABEL} 200 concurrent anonymous 20 MiB uploads: each gets its 401, the server's RSS stays under 200 MB, health answers`, async () => {
  assert.ok(PID > 0, 'FG_SERVER_PID is set (run through tests/run-suite.sh)');
  const body = Buffer.alloc(20 * MiB, 0x61);
  const rssBefore = vm('VmRSS');
  let peakRss = rssBefore;
  const sampler = setInterval(() => { peakRss = Math.max(peakRss, vm('VmRSS')); }, 50);
  const health = watchHealth();
  const t0 = performance.now();
  // node:http clients, all at once; each sends its whole body (a fetch-based client is checked below)
  const outcomes = await Promise.all(Array.from({ length: 200 }, (_, i) => new Promise((resolve) => {
    const req = http.request(new URL(`/api/v1/${i % 2 ? 'attachments' : 'tools/imports'}`, BASE_URL), {
      method: 'POST', agent: false, headers: { 'content-type': 'image/jpeg', 'content-length': String(body.length) },
    }, (res) => {
      const parts = [];
      res.on('data', (c) => parts.push(c));
      res.on('end', () => {
        let code;
        try { code = JSON.parse(Buffer.concat(parts).toString()).error.code; } catch { code = 'not JSON'; }
        resolve(`${res.statusCode} ${code}`);
      });
    });
    req.on('error', (e) => resolve(e.code ?? e.message));
    req.end(body);
  })));
  const seconds = (performance.now() - t0) / 1000;
  clearInterval(sampler);
  const seen = await health.stop();
  const tally = {};
  for (const o of outcomes) tally[o] = (tally[o] ?? 0) + 1;
  const hwm = vm('VmHWM');
  Object.assign(figures, { anon_uploads_s: Number(seconds.toFixed(1)), rss_before_mb: Number((rssBefore / MiB).toFixed(1)),
    rss_peak_sampled_mb: Number((peakRss / MiB).toFixed(1)), vm_hwm_mb: Number((hwm / MiB).toFixed(1)),
    health_answers: seen.length, health_worst_ms: Math.max(...seen.map((h) => h.ms)) });
  assert.deepEqual(tally, { '401 unauthenticated': 200 }, `every client gets its 401 JSON: ${JSON.stringify(tally)}`);
  assert.ok(seen.length >= 1 && seen.every((h) => h.code === 200), `health answers during the uploads: ${JSON.stringify(seen)}`);
  assert.ok(hwm < 200 * 1e6, `peak RSS (VmHWM) ${(hwm / MiB).toFixed(1)} MiB stays under 200 MB`);
});

test(`${LABEL} node's fetch (undici) and curl get the 401 JSON for an anonymous 20 MiB upload, not a reset`, async () => {
  const body = Buffer.alloc(20 * MiB, 0x62);
  for (let i = 0; i < 5; i++) {
    const r = await fetch(`${BASE_URL}/api/v1/attachments`, { method: 'POST', headers: { 'content-type': 'image/jpeg' }, body });
    assert.equal(r.status, 401);
    assert.equal((await r.json()).error.code, 'unauthenticated');
  }
  const file = `${path.dirname(process.env.FG_DATA_DIR ?? '/tmp/x')}/edge-20mib.bin`; // beside the data directory, which need not exist (PostgreSQL)
  fs.writeFileSync(file, body);
  try {
    for (let i = 0; i < 3; i++) {
      // -H 'Expect:' makes curl send the body at once, as a browser does
      const out = await new Promise((resolve) => execFile('curl', ['-s', '-H', 'Expect:', '-H', 'content-type: image/jpeg',
        '--data-binary', `@${file}`, `${BASE_URL}/api/v1/attachments`], (e, o) => resolve(e ? `curl exit ${e.code}` : o)));
      assert.match(out, /"code":"unauthenticated"/);
    }
  } finally {
    fs.rmSync(file, { force: true });
  }
});

test(`${LABEL} 1,000 connections that never finish their headers are closed; health answers meanwhile`, async () => {
  const N = 1000;
  let closed = 0;
  const socks = [];
  await Promise.all(Array.from({ length: N }, () => new Promise((resolve) => {
    const s = net.connect({ host: base.hostname, port: Number(base.port) }, () => {
      s.write('GET /api/v1/health HTTP/1.1\r\nHost: x\r\n'); // and never the blank line
      resolve();
    });
    s.on('error', () => {});
    s.on('close', () => { closed++; resolve(); });
    socks.push(s);
  })));
  // a drip keeps each one busy, so an idle timeout alone would never close it
  const drip = setInterval(() => { for (const s of socks) if (!s.destroyed) s.write('X-Drip: 1\r\n'); }, 1000);
  try {
    const h = await healthByCurl();
    assert.equal(h.code, 200, 'health answers with 1,000 slow connections open');
    figures.health_with_1000_slow_ms = h.ms;
    const t1 = performance.now();
    await pollUntil(`the server to close all ${N} slow connections`, () => closed === N, { tries: 300, everyMs: 100 });
    figures.slow_headers_closed_after_s = Number(((performance.now() - t1) / 1000).toFixed(1));
  } finally {
    clearInterval(drip);
    for (const s of socks) s.destroy();
  }
});

test(`${LABEL} a signed-in 19 MiB attachment streams to disk and its sha256 is right`, async () => {
  const crew = await userWithToken(['crew']);
  const file = Buffer.concat([JPEG_HEAD, crypto.randomBytes(19 * MiB)]);
  const sha = crypto.createHash('sha256').update(file).digest('hex');
  const res = await fetch(`${BASE_URL}/api/v1/attachments?filename=big.jpg`, {
    method: 'POST', headers: { authorization: `Bearer ${crew.token}`, 'content-type': 'image/jpeg' }, body: file });
  const a = await res.json();
  assert.equal(res.status, 201, JSON.stringify(a));
  assert.equal(a.sha256, sha);
  assert.equal(a.size, file.length);
  const back = await fetch(`${BASE_URL}/api/v1/attachments/${a.id}/content`, { headers: { authorization: `Bearer ${crew.token}` } });
  assert.equal(back.status, 200);
  assert.equal(crypto.createHash('sha256').update(Buffer.from(await back.arrayBuffer())).digest('hex'), sha);
  // chunked (no Content-Length) works the same
  const small = Buffer.concat([JPEG_HEAD, crypto.randomBytes(300 * 1024)]);
  const up = upload('/api/v1/attachments', { token: crew.token, headers: { 'content-type': 'image/jpeg' },
    chunks: [small.subarray(0, 1000), small.subarray(1000)] });
  const r = await up.done;
  assert.equal(r.status, 201, r.text);
  assert.equal(r.json.sha256, crypto.createHash('sha256').update(small).digest('hex'));
  // the spooled bodies leave nothing behind in <data>/tmp (unlinked temp files)
  if (process.env.FG_DATA_DIR) assert.deepEqual(fs.readdirSync(`${process.env.FG_DATA_DIR}/tmp`), []);
});

test(`${LABEL} 401 and 403 are answered from the headers, before any body is sent`, async () => {
  // Expect: 100-continue lets the test see the order: the server answers without asking for the body
  const anon = await upload('/api/v1/attachments', { length: 20 * MiB, expectContinue: true,
    headers: { 'content-type': 'image/jpeg' }, onContinue: (req) => req.destroy(new Error('server asked for the body')) }).done;
  assert.equal(anon.continued, false);
  assert.equal(anon.status, 401);
  assert.equal(anon.json.error.code, 'unauthenticated');
  const crew = await userWithToken(['crew']); // may not import tools
  const forb = await upload('/api/v1/tools/imports', { token: crew.token, length: 20 * MiB, expectContinue: true,
    headers: { 'content-type': 'text/csv' }, onContinue: (req) => req.destroy(new Error('server asked for the body')) }).done;
  assert.equal(forb.status, 403);
  assert.equal(forb.json.error.code, 'forbidden');
  assert.equal(forb.json.error.details.permission, 'tools.write');
  // without Expect, the refused body is read and dropped and the JSON answer still arrives (no reset)
  const drained = await fetch(`${BASE_URL}/api/v1/tools/imports`, { method: 'POST',
    headers: { authorization: `Bearer ${crew.token}`, 'content-type': 'text/csv' }, body: Buffer.alloc(5 * MiB, 0x61) });
  assert.equal(drained.status, 403);
  assert.equal((await drained.json()).error.code, 'forbidden');
});

test(`${LABEL} per-route body limits, from Content-Length and while streaming; 413 names the route's limit`, async () => {
  const crew = await userWithToken(['crew']);
  const keeper = await userWithToken(['tool_keeper']);
  const admin = await adminToken();
  // declared: answered at once
  const declared = await upload('/api/v1/attachments', { token: crew.token, length: 21 * MiB, expectContinue: true,
    headers: { 'content-type': 'image/jpeg' }, onContinue: (req) => req.destroy(new Error('asked for the body')) }).done;
  assert.equal(declared.status, 413);
  assert.equal(declared.json.error.code, 'body_too_large');
  assert.equal(declared.json.error.details.limit, 20 * MiB);
  // streamed (chunked, no Content-Length): the attachment route's 20 MiB, not the JSON limit
  const piece = Buffer.alloc(MiB, 0x61);
  const chunked = await upload('/api/v1/attachments', { token: crew.token, headers: { 'content-type': 'image/jpeg' },
    chunks: [JPEG_HEAD, ...Array(21).fill(piece)] }).done;
  assert.equal(chunked.status, 413, chunked.text);
  assert.equal(chunked.json.error.details.limit, 20 * MiB);
  const imp = await upload('/api/v1/tools/imports', { token: keeper.token, headers: { 'content-type': 'text/csv' },
    chunks: Array(21).fill(piece) }).done;
  assert.equal(imp.status, 413, imp.text);
  assert.equal(imp.json.error.details.limit, 20 * MiB);
  // a JSON route: 1 MiB, declared and streamed
  const json = await upload('/api/v1/org-units', { token: admin, headers: { 'content-type': 'application/json' },
    chunks: [Buffer.from('{"name":"'), piece, piece, Buffer.from('"}')] }).done;
  assert.equal(json.status, 413, json.text);
  assert.equal(json.json.error.details.limit, MiB);
  // the public login: what an unknown client may make us hold is small
  const login = await api('POST', '/auth/login', { rawBody: JSON.stringify({ username: 'x', password: 'y'.repeat(20000) }) });
  const err = expectError(login, 413, 'body_too_large');
  assert.equal(err.details.limit, 16 * 1024);
});

test(`${LABEL} concurrent uploads per user are capped: 429 too_many_uploads with Retry-After; an aborted upload frees its slot`, async () => {
  const crew = await userWithToken(['crew']);
  const other = await userWithToken(['crew']);
  const hold = [];
  try {
    // four uploads whose headers the server accepted (it asked for their bodies), bodies held back
    for (let i = 0; i < 4; i++) {
      let asked;
      const p = new Promise((r) => { asked = r; });
      const u = upload('/api/v1/attachments', { token: crew.token, length: MiB, expectContinue: true,
        headers: { 'content-type': 'image/jpeg' }, onContinue: () => asked() });
      hold.push(u);
      await Promise.race([p, u.done.then((r) => assert.fail(`upload ${i} answered early: ${r.status} ${r.text}`))]);
    }
    const fifth = await upload('/api/v1/attachments', { token: crew.token, length: MiB, expectContinue: true,
      headers: { 'content-type': 'image/jpeg' }, onContinue: (req) => req.destroy(new Error('asked for the body')) }).done;
    assert.equal(fifth.status, 429, fifth.text);
    assert.equal(fifth.json.error.code, 'too_many_uploads');
    assert.equal(fifth.json.error.details.scope, 'user');
    assert.equal(fifth.json.error.details.limit, 4);
    assert.equal(fifth.headers['retry-after'], '10');
    // another user is not held up by them
    const theirs = await fetch(`${BASE_URL}/api/v1/attachments`, { method: 'POST',
      headers: { authorization: `Bearer ${other.token}`, 'content-type': 'image/jpeg' }, body: Buffer.concat([JPEG_HEAD, Buffer.from('x')]) });
    assert.equal(theirs.status, 201);
    // a client that goes away gives its slot back
    hold[0].req.destroy();
    await pollUntil('a slot freed by the aborted upload', async () => {
      const r = await fetch(`${BASE_URL}/api/v1/attachments`, { method: 'POST',
        headers: { authorization: `Bearer ${crew.token}`, 'content-type': 'image/jpeg' }, body: Buffer.concat([JPEG_HEAD, Buffer.from('y')]) });
      await r.text();
      return r.status === 201;
    });
  } finally {
    for (const u of hold) u.req.destroy();
  }
});

test(`${LABEL} behind a trusted proxy: Secure cookie on https, and the forwarded origin is the one compared`, async () => {
  const u = await userWithToken(['dispatcher']);
  const body = { username: u.user.username, password: PASSWORD };
  const tls = await api('POST', '/auth/login', { body, headers: { 'x-forwarded-proto': 'https', 'x-forwarded-host': 'fg.example.cn' } });
  expectStatus(tls, 200);
  const c = setCookies(tls).find((x) => x.startsWith('fg_session='));
  assert.ok(c.split(';').map((s) => s.trim().toLowerCase()).includes('secure'), c);
  const plain = await api('POST', '/auth/login', { body });
  assert.ok(!setCookies(plain).find((x) => x.startsWith('fg_session=')).toLowerCase().includes('secure'));
  const cookie = c.split(';')[0];
  const fwd = { 'x-forwarded-proto': 'https', 'x-forwarded-host': 'fg.example.cn' };
  const ok = await api('POST', '/auth/logout', { cookie, headers: { ...fwd, origin: 'https://fg.example.cn' } });
  expectStatus(ok, 204);
  const lo = setCookies(ok).find((x) => x.startsWith('fg_session='));
  assert.ok(lo.toLowerCase().includes('secure'), lo);
  // the same host over http is another origin
  const tls2 = await api('POST', '/auth/login', { body, headers: fwd });
  const cookie2 = setCookies(tls2).find((x) => x.startsWith('fg_session=')).split(';')[0];
  expectError(await api('POST', '/auth/logout', { cookie: cookie2, headers: { ...fwd, origin: 'http://fg.example.cn' } }), 403, 'csrf_origin_mismatch');
  expectError(await api('POST', '/auth/logout', { cookie: cookie2, headers: { ...fwd, origin: BASE_URL } }), 403, 'csrf_origin_mismatch');
});

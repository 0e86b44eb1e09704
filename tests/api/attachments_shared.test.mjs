// Shared attachments (issue 15 item 3; docs/architecture.md "Attachments", docs/operations.md "Attachments on
// PostgreSQL"): what is uploaded reads back byte for byte on both engines, a notice PDF that embeds a stored
// signature still shows it, and on PostgreSQL a second fieldgrid server on the same database (its own data
// directory, as another machine would have) reads what the first took and the other way round; a file stored before
// the database held them is read by the node that has it and, after `fieldgrid attachments migrate`, by every node.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { api, BASE_URL, DB_NAME, LABEL, adminToken, expectStatus, userWithToken } from './lib.mjs';
import { customer, signaturePng } from './lib_hazards.mjs';
import { startServer } from '../lib/server.mjs';

const PG = DB_NAME === 'postgresql';
const sha256 = (b) => createHash('sha256').update(b).digest('hex');
/** PNG-signed random bytes (the store sniffs the type from the first bytes): n of them. */
const pngBytes = (n) => Buffer.concat([Buffer.from('89504e470d0a1a0a', 'hex'), randomBytes(n - 8)]);

async function upload(base, token, bytes, type = 'image/png', name = 'shared.png') {
  const res = await fetch(`${base}/api/v1/attachments?filename=${name}`, {
    method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': type }, body: bytes });
  const text = await res.text();
  assert.equal(res.status, 201, text);
  return JSON.parse(text);
}

async function content(base, token, id) {
  const res = await fetch(`${base}/api/v1/attachments/${id}/content`, { headers: { authorization: `Bearer ${token}` } });
  return { status: res.status, type: res.headers.get('content-type'), bytes: Buffer.from(await res.arrayBuffer()) };
}

/** The images a PDF holds, as pdfimages -list reports them: [{width, height}]. */
function pdfImages(pdf) {
  const dir = mkdtempSync(join(tmpdir(), 'fg-pdf-'));
  try {
    writeFileSync(join(dir, 'n.pdf'), pdf);
    const out = execFileSync('pdfimages', ['-list', join(dir, 'n.pdf')], { stdio: ['ignore', 'pipe', 'ignore'] }).toString().trim().split('\n').slice(2);
    return out.map((l) => l.trim().split(/\s+/)).map((c) => ({ width: Number(c[3]), height: Number(c[4]) }));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** A customer-side hazard whose notice is issued and signed with a PNG signature: {hazard, token}. */
async function signedNotice(base = BASE_URL) {
  const [cs, crew] = await Promise.all([userWithToken(['customer_service']), userWithToken(['crew'])]);
  const cust = await customer(cs.token);
  const photo = await upload(base, crew.token, Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), randomBytes(64)]), 'image/jpeg', 'site.jpg');
  let r = await api('POST', '/hazards', { token: crew.token, body: { customer_id: cust.id, kind: 'interlock', side: 'customer',
    severity: 'major', description: '自备发电机未装防倒送电闭锁装置', location: '1号配电室', photo_ids: [photo.id] } });
  expectStatus(r, 201);
  const h = r.json;
  expectStatus(await api('POST', `/hazards/${h.id}/actions/issue_notice`, { token: crew.token, body: { requirement: '加装闭锁装置' } }), 200);
  const sig = await upload(base, crew.token, signaturePng(), 'image/png', 'signature.png');
  const hold = await upload(base, crew.token, Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), randomBytes(64)]), 'image/jpeg', 'holding.jpg');
  r = await api('POST', `/hazards/${h.id}/actions/sign`, { token: crew.token, body: { signer_name: '林建国', signature_id: sig.id,
    holding_photo_id: hold.id, place: '福州市鼓楼区和平街 7 号', lat: 26.08, lng: 119.3 } });
  expectStatus(r, 200);
  return { hazard: r.json, token: crew.token };
}

async function noticePdf(base, token, id) {
  const res = await fetch(`${base}/api/v1/hazards/${id}/notice.pdf`, { headers: { authorization: `Bearer ${token}` } });
  assert.equal(res.status, 200);
  assert.equal(res.headers.get('content-type'), 'application/pdf');
  return Buffer.from(await res.arrayBuffer());
}

test(`${LABEL} an upload reads back byte for byte, a large one too; the same bytes twice are two attachments of one content`, async () => {
  const token = await adminToken();
  // 2.5 MiB: more than one of PostgreSQL's 1 MiB parts, the last one partial
  const big = pngBytes(2 * 1024 * 1024 + 512 * 1024 + 7), small = pngBytes(300);
  const a = await upload(BASE_URL, token, big), b = await upload(BASE_URL, token, small), c = await upload(BASE_URL, token, big, 'image/png', 'again.png');
  assert.equal(a.sha256, sha256(big));
  assert.equal(a.size, big.length);
  assert.notEqual(c.id, a.id, 'each upload is its own attachment');
  assert.equal(c.sha256, a.sha256, 'of the same content');
  for (const [att, bytes] of [[a, big], [b, small], [c, big]]) {
    const got = await content(BASE_URL, token, att.id);
    assert.equal(got.status, 200);
    assert.equal(got.type, 'image/png');
    assert.equal(got.bytes.length, bytes.length);
    assert.ok(got.bytes.equals(bytes), `attachment ${att.filename}: the bytes uploaded`);
  }
  // where the bytes are: SQLite's files in the data directory; on PostgreSQL the database, no file on the node
  if (process.env.FG_DATA_DIR) {
    const file = join(process.env.FG_DATA_DIR, 'attachments', a.sha256.slice(0, 2), a.sha256);
    assert.equal(existsSync(file), !PG, PG ? 'PostgreSQL keeps the bytes in the database' : 'SQLite keeps a file');
  }
});

test(`${LABEL} racing: the same bytes uploaded four times at once are four attachments of one stored content`, async () => {
  const token = await adminToken();
  const bytes = pngBytes(1024 * 1024 + 4096); // two parts on PostgreSQL
  const all = await Promise.all([1, 2, 3, 4].map((i) => upload(BASE_URL, token, bytes, 'image/png', `race${i}.png`)));
  assert.equal(new Set(all.map((a) => a.id)).size, 4);
  assert.deepEqual([...new Set(all.map((a) => a.sha256))], [sha256(bytes)]);
  for (const a of all) assert.ok((await content(BASE_URL, token, a.id)).bytes.equals(bytes), `${a.filename} reads back whole`);
  if (PG) { // stored once: its two parts, not four copies of them
    const n = execFileSync('psql', ['-qtAX', process.env.FG_DB_URL, '-c',
      `SELECT count(*) FROM attachment_blobs WHERE sha256 = '${sha256(bytes)}'`]).toString().trim();
    assert.equal(n, '2');
  }
});

test(`${LABEL} a notice PDF embeds the signature stored as an attachment`, async () => {
  const { hazard, token } = await signedNotice();
  const imgs = pdfImages(await noticePdf(BASE_URL, token, hazard.id));
  assert.ok(imgs.some((i) => i.width === 40 && i.height === 16), `the 40×16 signature is drawn: ${JSON.stringify(imgs)}`);
});

test(`${LABEL} two servers on one PostgreSQL: an upload through one downloads through the other`, { skip: !PG && 'PostgreSQL only (SQLite is one node)' }, async () => {
  const bin = process.env.FG_BIN || readlinkSync(`/proc/${process.env.FG_SERVER_PID}/exe`);
  const url = process.env.FG_DB_URL;
  assert.ok(url && url.startsWith('postgres'), 'FG_DB_URL names the suite database');
  const dir = mkdtempSync(join(tmpdir(), 'fg-node-b-'));
  let b;
  try {
    // node B: the same database, a data directory of its own (another machine's disk), another port
    b = await startServer({ bin, dir, dbargs: ['--db', url], env: process.env, password: process.env.FG_ADMIN_PASSWORD });
    const token = await adminToken(); // a session is in the database: good on every node
    const one = pngBytes(1024 * 1024 + 3), two = pngBytes(5000);
    const a1 = await upload(BASE_URL, token, one), b1 = await upload(b.url, token, two);
    let got = await content(b.url, token, a1.id);
    assert.equal(got.status, 200, 'taken by node A, read through node B');
    assert.ok(got.bytes.equals(one));
    got = await content(BASE_URL, token, b1.id);
    assert.equal(got.status, 200, 'taken by node B, read through node A');
    assert.ok(got.bytes.equals(two));

    // a signature uploaded through node A is drawn into the notice node B makes
    const { hazard, token: crew } = await signedNotice(BASE_URL);
    const imgs = pdfImages(await noticePdf(b.url, crew, hazard.id));
    assert.ok(imgs.some((i) => i.width === 40 && i.height === 16), `node B draws the signature: ${JSON.stringify(imgs)}`);

    // a file from before the database held them: its row, no bytes in the database, the file on node B's disk only
    const old = pngBytes(70000);
    const legacy = await upload(BASE_URL, token, old);
    execFileSync('psql', ['-q', '-X', url, '-c', `DELETE FROM attachment_blobs WHERE sha256 = '${legacy.sha256}'`]);
    mkdirSync(join(dir, 'attachments', legacy.sha256.slice(0, 2)), { recursive: true });
    writeFileSync(join(dir, 'attachments', legacy.sha256.slice(0, 2), legacy.sha256), old);
    assert.equal((await content(BASE_URL, token, legacy.id)).status, 404, 'node A has neither the file nor a copy in the database');
    got = await content(b.url, token, legacy.id);
    assert.equal(got.status, 200, 'node B reads its own file');
    assert.ok(got.bytes.equals(old));
    // the one-time copy on node B; a second run finds nothing left to copy
    let m = spawnSync(bin, ['attachments', 'migrate', '--data', dir, '--db', url], { env: process.env, encoding: 'utf8' });
    assert.equal(m.status, 0, m.stdout + m.stderr);
    assert.match(m.stdout, /copied into the database: 1 \(70000 bytes\); not on this node: 0; damaged: 0/);
    got = await content(BASE_URL, token, legacy.id);
    assert.equal(got.status, 200, 'copied: node A reads it from the database');
    assert.ok(got.bytes.equals(old));
    m = spawnSync(bin, ['attachments', 'migrate', '--data', dir, '--db', url], { env: process.env, encoding: 'utf8' });
    assert.equal(m.status, 0, m.stdout + m.stderr);
    assert.match(m.stdout, /copied into the database: 0 /);
  } finally {
    if (b && b.srv.exitCode === null) {
      b.srv.kill('SIGTERM');
      const end = await b.exited;
      assert.equal(end.code, 0, `node B stops cleanly: ${b.state.log.slice(-2000)}`);
    }
    rmSync(dir, { recursive: true, force: true });
  }
});

// Issue 9, finding 6 (safety and records): measures added late still gate the job; a finished job's record is
// history that later events never rewrite; ticket signatures can be checked by an outsider from an export or the
// printed paper, without fieldgrid's database.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash, createPublicKey, verify as cryptoVerify } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import jsQR from 'jsqr';
import { api, adminToken, expectError, expectStatus, LABEL, BASE_URL, PASSWORD } from './lib.mjs';
import {
  people, publishedPlan, act, newTicket, issuedReceivedPermitted, briefed, risksConfirmed, upload, tamper,
} from './fieldwork_lib.mjs';

/** A permitted ticket, the meeting held and signed, every risk point confirmed: ready to start. */
async function readyToStart(p, plan) {
  const t = await issuedReceivedPermitted(p, await newTicket(p, plan));
  await briefed(p, plan, [p.leader, p.crew]);
  await risksConfirmed(p, t);
  return t;
}

test(`${LABEL} gate_measure_unconfirmed: a measure supplemented after the permit must be ticked before start`, async () => {
  const p = await people();
  const { plan } = await publishedPlan(p);
  const t = await readyToStart(p, plan);
  const sup = await act(p.permitter.token, `/tickets/${t.id}/measures`, { text: '许可后补充：加挂“止步，高压危险”标示牌' });
  expectStatus(sup, 201);
  const added = sup.json.measures.find((m) => m.text.startsWith('许可后补充'));
  assert.equal(added.supplement, true);
  const r = await act(p.leader.token, `/plans/${plan.id}/actions/start`);
  expectError(r, 409, 'gate_measure_unconfirmed');
  const gate = r.json.error.details.gates.find((g) => g.code === 'gate_measure_unconfirmed');
  assert.deepEqual(gate.open.map((m) => m.id), [added.id], 'the open measure is named');
  assert.equal(gate.open[0].supplement, true);
  expectStatus(await act(p.crew.token, `/tickets/${t.id}/measures/${added.id}/actions/confirm`), 200);
  expectStatus(await act(p.leader.token, `/plans/${plan.id}/actions/start`), 200);
});

test(`${LABEL} gate_measure_unconfirmed: a measure added during a pause must be ticked before resume`, async () => {
  const p = await people();
  const { plan } = await publishedPlan(p);
  const t = await readyToStart(p, plan);
  expectStatus(await act(p.leader.token, `/plans/${plan.id}/actions/start`), 200);
  expectStatus(await act(p.leader.token, `/plans/${plan.id}/actions/pause`), 200);
  const sup = await act(p.leader.token, `/tickets/${t.id}/measures`, { text: '暂停期间补充：复工前重新验电' });
  expectStatus(sup, 201);
  const added = sup.json.measures.find((m) => m.text.startsWith('暂停期间补充'));
  const r = await act(p.leader.token, `/plans/${plan.id}/actions/resume`);
  expectError(r, 409, 'gate_measure_unconfirmed');
  assert.deepEqual(r.json.error.details.gates.find((g) => g.code === 'gate_measure_unconfirmed').open.map((m) => m.id), [added.id]);
  expectStatus(await act(p.crew.token, `/tickets/${t.id}/measures/${added.id}/actions/confirm`), 200);
  expectStatus(await act(p.leader.token, `/plans/${plan.id}/actions/resume`), 200);
});

// ---------------------------------------------------------------- verifying signatures outside fieldgrid

/** The fieldgrid binary the suite's server runs (for the CLI), and how to reach its database. */
function cli() {
  const bin = process.env.FG_BIN || readlinkSync(`/proc/${process.env.FG_SERVER_PID}/exe`);
  const url = process.env.FG_DB_URL;
  const db = url && url.startsWith('postgres') ? ['--db', url] : [];
  return { bin, dbArgs: ['--data', process.env.FG_DATA_DIR, ...db] };
}

function run(bin, args, opts = {}) {
  const r = spawnSync(bin, args, { encoding: 'utf8', ...opts });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

/** The signed text an outsider rebuilds from the published form (docs/api.md). */
const signedText = (ticketId, s, hash) => `fieldgrid-signature-v1\nticket\n${ticketId}\n${s.role}\n${s.signer.id}\n${s.signed_at}\n${hash}`;

/** The canonical content exactly as docs/api.md defines it: sorted keys, no spaces, UTF-8, integers. */
function canonical(v) {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (v && typeof v === 'object') return `{${Object.keys(v).sort().map((k) => `${JSON.stringify(k)}:${canonical(v[k])}`).join(',')}}`;
  return JSON.stringify(v);
}

async function permittedTicket() {
  const p = await people();
  const { plan } = await publishedPlan(p);
  const t = await issuedReceivedPermitted(p, await newTicket(p, plan));
  return { p, plan, t };
}

test(`${LABEL} GET /tickets/{id}/verify publishes, per signature, signer, algorithm, key, signature and signed bytes`, async () => {
  const { p, t } = await permittedTicket();
  const v = await api('GET', `/tickets/${t.id}/verify`, { token: p.crew.token });
  expectStatus(v, 200);
  assert.equal(v.json.valid, true);
  assert.equal(v.json.algorithm, 'Ed25519');
  // the canonical content is published and hashes to content_hash; it rebuilds from its own parse
  assert.equal(createHash('sha256').update(v.json.canonical, 'utf8').digest('hex'), v.json.content_hash);
  assert.equal(canonical(JSON.parse(v.json.canonical)), v.json.canonical);
  assert.deepEqual(v.json.signatures.map((s) => s.role), ['issuer', 'leader', 'permitter']);
  for (const s of v.json.signatures) {
    assert.equal(s.algorithm, 'Ed25519');
    assert.equal(s.signer.role, s.role);
    assert.ok(s.signer.id && s.signer.name, 'signer id and name');
    assert.equal(Buffer.from(s.public_key, 'base64').length, 32);
    assert.equal(Buffer.from(s.signature, 'base64').length, 64);
    const bytes = Buffer.from(s.signed_bytes, 'base64');
    assert.equal(bytes.toString('utf8'), s.signed_text);
    assert.equal(s.signed_text, signedText(t.id, s, v.json.content_hash), 'the bytes rebuild from the documented form');
    // any standard Ed25519 implementation accepts it: node's (OpenSSL) crypto with the published PEM
    assert.ok(cryptoVerify(null, bytes, createPublicKey(s.public_key_pem), Buffer.from(s.signature, 'base64')));
    assert.ok(!cryptoVerify(null, Buffer.from(s.signed_text + ' '), createPublicKey(s.public_key_pem), Buffer.from(s.signature, 'base64')));
  }
  const [iss] = v.json.signatures;
  assert.equal(iss.signer.id, p.issuer.user.id);
  assert.equal(iss.signer.name, p.issuer.user.display_name);
});

test(`${LABEL} fieldgrid ticket export / verify: offline, no database; a tampered field fails naming the signature`, async (tc) => {
  const { p, t } = await permittedTicket();
  const { bin, dbArgs } = cli();
  const dir = mkdtempSync(join(tmpdir(), 'fg-ticket-'));
  const exp = run(bin, ['ticket', 'export', t.id, ...dbArgs]);
  assert.equal(exp.code, 0, exp.err);
  const file = join(dir, 't.json');
  writeFileSync(file, exp.out);
  const doc = JSON.parse(exp.out);
  assert.equal(doc.format, 'fieldgrid-ticket-export-v1');
  assert.equal(doc.ticket.id, t.id);
  assert.equal(doc.signatures.length, 3);
  // verify needs nothing but the file: run it with no data dir, no database, an empty environment
  const ok = run(bin, ['ticket', 'verify', file], { env: {}, cwd: dir });
  assert.equal(ok.code, 0, ok.out + ok.err);
  assert.match(ok.out, /VALID/);
  // a field of the signed content edited → every signature fails as content changed
  const edited = JSON.parse(exp.out);
  edited.ticket.place = '另一地点';
  delete edited.canonical; delete edited.content_hash; delete edited.record; // a careful forger rewrites these too
  writeFileSync(join(dir, 'place.json'), JSON.stringify(edited));
  const bad = run(bin, ['ticket', 'verify', join(dir, 'place.json')], { env: {} });
  assert.equal(bad.code, 1, bad.out);
  assert.match(bad.out, /BAD signature 1: issuer .*content_changed/);
  assert.match(bad.out, /INVALID/);
  // the readable copy edited → refused as well
  const rec = JSON.parse(exp.out);
  rec.record.place = '另一地点';
  writeFileSync(join(dir, 'record.json'), JSON.stringify(rec));
  const badRec = run(bin, ['ticket', 'verify', join(dir, 'record.json')], { env: {} });
  assert.equal(badRec.code, 1);
  assert.match(badRec.out, /record\.place differs/);
  // one signature's time moved → that signature alone is named
  const when = JSON.parse(exp.out);
  when.signatures[2].signed_at += 1;
  writeFileSync(join(dir, 'when.json'), JSON.stringify(when));
  const badWhen = run(bin, ['ticket', 'verify', join(dir, 'when.json')], { env: {} });
  assert.equal(badWhen.code, 1);
  assert.match(badWhen.out, /ok  signature 1: issuer/);
  assert.match(badWhen.out, /BAD signature 3: permitter .*: (signature_invalid|content_changed)/);
  // outside fieldgrid, as docs/api.md shows: openssl with the PEM key and the signed bytes
  const s = doc.signatures[0];
  writeFileSync(join(dir, 'pk.pem'), s.public_key_pem);
  writeFileSync(join(dir, 'msg.bin'), Buffer.from(s.signed_bytes, 'base64'));
  writeFileSync(join(dir, 'sig.bin'), Buffer.from(s.signature, 'base64'));
  const ossl = (msg) => run('openssl', ['pkeyutl', '-verify', '-pubin', '-inkey', join(dir, 'pk.pem'), '-rawin', '-in', msg, '-sigfile', join(dir, 'sig.bin')]);
  const good = ossl(join(dir, 'msg.bin'));
  assert.equal(good.code, 0, good.out + good.err);
  assert.match(good.out, /Signature Verified Successfully/);
  // the content hash in the signed bytes is the SHA-256 of the canonical content (sha256sum of `canonical`)
  assert.equal(s.signed_text.split('\n')[6], createHash('sha256').update(canonical(doc.ticket)).digest('hex'));
  writeFileSync(join(dir, 'msg2.bin'), Buffer.from(s.signed_text.replace(/\n[0-9a-f]{64}$/, '\n' + '0'.repeat(64))));
  assert.notEqual(ossl(join(dir, 'msg2.bin')).code, 0, 'openssl refuses other bytes');
  // the shell recipe of docs/api.md, run as written (openssl, jq, base64, sha256sum)
  const md = readFileSync(new URL('../../docs/api.md', import.meta.url), 'utf8');
  const recipe = /\*\*With standard tools, outside fieldgrid\.\*\*[\s\S]*?```sh\n([\s\S]*?)```/.exec(md)[1];
  // jq and python3-cryptography are in debian-packages.txt: a machine without them fails here, not silently
  assert.equal(spawnSync('jq', ['--version']).status, 0, 'jq is needed (debian-packages.txt)');
  const sh = run('bash', ['-e', '-c', recipe], { cwd: dir });
  assert.equal(sh.code, 0, sh.out + sh.err);
  assert.match(sh.out, /Signature Verified Successfully/);
  const lines = sh.out.trim().split('\n');
  assert.equal(lines.at(-1).split(/\s+/)[0], lines.at(-2).trim(), 'the signed hash is the SHA-256 of the canonical text');
  assert.equal(lines.at(-2).trim(), doc.content_hash);
  // and with Python's cryptography, the docs' other recipe
  const py = spawnSync('python3', ['-c', 'import cryptography'], { encoding: 'utf8' });
  assert.equal(py.status, 0, 'python3-cryptography is needed (debian-packages.txt)');
  const script = readFileSync(new URL('../../docs/verify_ticket.py', import.meta.url), 'utf8');
  const pyok = spawnSync('python3', ['-', file], { input: script, encoding: 'utf8' });
  assert.equal(pyok.status, 0, pyok.stdout + pyok.stderr);
  const pybad = spawnSync('python3', ['-', join(dir, 'place.json')], { input: script, encoding: 'utf8' });
  assert.notEqual(pybad.status, 0, pybad.stdout);
  rmSync(dir, { recursive: true, force: true });
});

/** Every QR code text in the PDF's images. pdfimages (poppler-utils) gives the exact module matrix the PDF
 * carries (one pixel per module), enlarged 4× for the decoder. Rendering the page instead (pdftoppm) resamples
 * the image at a non-integer scale, which jsQR reads only now and then: a test that must not be flaky reads the
 * matrix itself. */
function qrTexts(pdf) {
  const dir = mkdtempSync(join(tmpdir(), 'fg-pdf-'));
  writeFileSync(join(dir, 't.pdf'), pdf);
  execFileSync('pdfimages', [join(dir, 't.pdf'), join(dir, 'i')], { stdio: ['ignore', 'ignore', 'pipe'] });
  const found = [];
  for (const f of readdirSync(dir).filter((x) => /\.p[gpb]m$/.test(x)).sort()) {
    const buf = readFileSync(join(dir, f));
    // binary PGM (P5, one byte per pixel) or PPM (P6, three)
    const m = /^P([56])\s+(\d+)\s+(\d+)\s+(\d+)\s/.exec(buf.subarray(0, 64).toString('latin1'));
    if (!m) continue;
    const [w, h, ch, scale] = [Number(m[2]), Number(m[3]), m[1] === '6' ? 3 : 1, 4];
    const px = buf.subarray(m[0].length);
    const W = w * scale, H = h * scale;
    const rgba = new Uint8ClampedArray(W * H * 4);
    for (let y = 0; y < H; y++) {
      for (let x = 0; x < W; x++) {
        const g = px[(Math.floor(y / scale) * w + Math.floor(x / scale)) * ch];
        rgba.set([g, g, g, 255], (y * W + x) * 4);
      }
    }
    const code = jsQR(rgba, W, H);
    if (code) found.push(code.data);
  }
  rmSync(dir, { recursive: true, force: true });
  return found;
}

test(`${LABEL} the printed ticket carries a QR code from which its signatures verify`, async () => {
  const { p, t } = await permittedTicket();
  const v = await api('GET', `/tickets/${t.id}/verify`, { token: p.crew.token });
  expectStatus(v, 200);
  const pdf = await fetch(`${BASE_URL}/api/v1/tickets/${t.id}/pdf`, { headers: { authorization: `Bearer ${p.crew.token}` } });
  assert.equal(pdf.status, 200);
  const pdfBytes = Buffer.from(await pdf.arrayBuffer());
  const codes = qrTexts(pdfBytes);
  assert.equal(codes.length, 1, 'one QR code on the paper');
  assert.equal(codes[0], v.json.qr_payload, 'the QR holds what /verify calls qr_payload');
  // from the paper alone: FGT1|id|number|hash|role,signer,signed_at,key,signature|…
  const [magic, id, number, hash, ...sigs] = codes[0].split('|');
  assert.deepEqual([magic, id, number, hash], ['FGT1', t.id, t.number, v.json.content_hash]);
  assert.equal(sigs.length, 3);
  const spki = Buffer.from('302a300506032b6570032100', 'hex');
  for (const s of sigs) {
    const [role, signer, at, key, sig] = s.split(',');
    const text = `fieldgrid-signature-v1\nticket\n${id}\n${role}\n${signer}\n${at}\n${hash}`;
    const pk = createPublicKey({ key: Buffer.concat([spki, Buffer.from(key, 'base64')]), format: 'der', type: 'spki' });
    assert.ok(cryptoVerify(null, Buffer.from(text), pk, Buffer.from(sig, 'base64')), `${role}'s signature verifies from the QR`);
  }
  // the hash on paper is the hash of the signed content: an export (or /verify's canonical) ties it to the text
  assert.equal(createHash('sha256').update(v.json.canonical).digest('hex'), hash);
  // a draft has no signatures and no QR
  const { plan: plan2 } = await publishedPlan(p);
  const draft = await newTicket(p, plan2);
  const dpdf = await fetch(`${BASE_URL}/api/v1/tickets/${draft.id}/pdf`, { headers: { authorization: `Bearer ${p.crew.token}` } });
  assert.deepEqual(qrTexts(Buffer.from(await dpdf.arrayBuffer())), []);
});

// ---------------------------------------------------------------- a finished job's record is history

test(`${LABEL} a finished job keeps who held which tool after the tool is returned; its readiness stays as it was`, async () => {
  const p = await people();
  const { plan } = await publishedPlan(p);
  const t = await readyToStart(p, plan);
  expectStatus(await act(p.leader.token, `/plans/${plan.id}/actions/start`), 200);
  const during = await api('GET', `/plans/${plan.id}/tools`, { token: p.leader.token });
  expectStatus(during, 200);
  assert.ok(during.json.checked_out.length > 0 && during.json.needed.every((n) => n.in_hand));
  const held = during.json.checked_out.map((x) => ({ id: x.id, asset_no: x.asset_no, holder_id: x.holder_id }));
  assert.ok(held.every((x) => x.holder_id === p.leader.user.id));
  const readyBefore = await api('GET', `/plans/${plan.id}/readiness`, { token: p.leader.token });
  assert.ok(readyBefore.json.items.every((x) => x.ready));
  // end the ticket, finish the job with the tools still out
  const site = await upload(p.leader.token, t.id);
  expectStatus(await act(p.leader.token, `/tickets/${t.id}/actions/end`, { password: PASSWORD, photo_ids: [site.id] }), 200);
  expectStatus(await act(p.leader.token, `/plans/${plan.id}/actions/finish`), 200);
  const atFinish = await api('GET', `/plans/${plan.id}/tools`, { token: p.leader.token });
  // afterwards every tool goes back to the store, and the leader's certificate turns out expired
  for (const x of held) expectStatus(await act(p.leader.token, `/tools/${x.id}/actions/return`, { condition: 'good' }), 200);
  for (const x of held) assert.equal((await api('GET', `/tools/${x.id}`, { token: p.leader.token })).json.custody, 'in_store');
  expectStatus(await act(await adminToken(), `/users/${p.leader.user.id}/qualifications`,
    { kind: 'certificate', name: '低压电工作业证', issued_on: '2019-01-01', expires_on: '2020-12-31' }), 201);
  // the finished job still shows who held which tool, every needed kind in hand, and the people as they were
  const after = await api('GET', `/plans/${plan.id}/tools`, { token: p.crew.token });
  expectStatus(after, 200);
  assert.deepEqual(after.json.checked_out.map((x) => ({ id: x.id, asset_no: x.asset_no, holder_id: x.holder_id })), held);
  assert.ok(after.json.checked_out.every((x) => x.holder_name === p.leader.user.display_name && x.custody === 'checked_out'));
  assert.ok(after.json.needed.every((n) => n.in_hand), 'the tools step does not fall back to 未领用');
  assert.deepEqual(after.json, atFinish.json, 'the record does not move');
  assert.ok(after.json.recorded_at > 0);
  const readyAfter = await api('GET', `/plans/${plan.id}/readiness`, { token: p.leader.token });
  assert.ok(readyAfter.json.items.every((x) => x.ready), 'readiness as it was when the job finished');
  // while the live ledger knows better: a new job of the same leader would be refused
  const live = await api('GET', `/users/${p.leader.user.id}/qualifications`, { token: p.leader.token });
  assert.equal(live.json.readiness.ready, false);
});

test(`${LABEL} a job finished before its record existed answers from the tool movements up to its finish`, async () => {
  const p = await people();
  const { plan } = await publishedPlan(p);
  const t = await readyToStart(p, plan);
  expectStatus(await act(p.leader.token, `/plans/${plan.id}/actions/start`), 200);
  const held = (await api('GET', `/plans/${plan.id}/tools`, { token: p.leader.token })).json.checked_out.map((x) => x.id).sort();
  const site = await upload(p.leader.token, t.id);
  expectStatus(await act(p.leader.token, `/tickets/${t.id}/actions/end`, { password: PASSWORD, photo_ids: [site.id] }), 200);
  expectStatus(await act(p.leader.token, `/plans/${plan.id}/actions/finish`), 200);
  tamper(`DELETE FROM job_records WHERE plan_id = '${plan.id}'`); // as a job finished by an older fieldgrid
  for (const id of held) expectStatus(await act(p.leader.token, `/tools/${id}/actions/return`, { condition: 'good' }), 200);
  const after = await api('GET', `/plans/${plan.id}/tools`, { token: p.leader.token });
  expectStatus(after, 200);
  assert.deepEqual(after.json.checked_out.map((x) => x.id).sort(), held);
  assert.ok(after.json.checked_out.every((x) => x.holder_id === p.leader.user.id));
  assert.ok(after.json.needed.every((n) => n.in_hand));
  assert.deepEqual(after.json.proposed, [], 'nothing to propose to a finished job');
});

// Database failover (issue 15 item 5): a PostgreSQL primary and a streaming standby made by pg_basebackup
// (tests/failover/pgpair.sh, synchronous replication); fieldgrid's URL names both hosts with
// target_session_attrs=read-write. While three writers create work orders (each with an Idempotency-Key, retried
// with the same key on 503 or a cut connection, as docs/api.md tells clients), the primary is stopped at once (as in
// a crash) and the standby promoted. Writes resume on the new primary; every acknowledged write is there, each
// keyed write is there once; the server's threads reconnected by themselves (no restart). Before that, a KPI report
// is answered from the standby (FIELDGRID_READ_DB): the standby shows the reports' session.
//   env FG_BIN (default build/fieldgrid); runs only where the PostgreSQL server binaries are installed
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, openSync, closeSync, readFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../lib/server.mjs';
import { req, until } from '../lib/http.mjs';

const BIN = process.env.FG_BIN || 'build/fieldgrid';
const PASSWORD = 'Failover-pass-123';
const WRITERS = 3;
const pause = (ms) => new Promise((r) => setTimeout(r, ms));
const pair = (cmd) => spawnSync('bash', ['tests/failover/pgpair.sh', cmd], { encoding: 'utf8' });
const havePg = spawnSync('bash', ['-c', 'ls -d /usr/lib/postgresql/*/bin']).status === 0;

const work = mkdtempSync(join(tmpdir(), 'fg-failover-'));
let srv;
after(async () => {
  if (srv && srv.exitCode === null) { srv.kill('SIGTERM'); await new Promise((r) => srv.once('exit', r)); }
  pair('stop');
  rmSync(work, { recursive: true, force: true });
});

test('[postgresql] the standby promoted while clients write: writes resume, no acknowledged write lost, none doubled', { skip: !havePg && 'no PostgreSQL server binaries', timeout: 240000 }, async () => {
  const started = pair('start');
  assert.equal(started.status, 0, started.stderr);
  const url = started.stdout.trim();
  const env = { ...process.env, FIELDGRID_ADMIN_PASSWORD: PASSWORD };
  const init = spawnSync(BIN, ['init', '--data', work, '--db', url], { env, encoding: 'utf8' });
  assert.equal(init.status, 0, init.stderr);
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const log = openSync(join(work, 'server.log'), 'w');
  // reports read the standby (docs/operations.md): its connections carry a name the standby's pg_stat_activity shows
  const standbyUrl = 'postgresql://postgres@127.0.0.1:54372/fieldgrid?application_name=fieldgrid-reports';
  srv = spawn(BIN, ['serve', '--data', work, '--db', url, '--listen', `127.0.0.1:${port}`],
    { env: { ...env, FIELDGRID_READ_DB: standbyUrl }, stdio: ['ignore', 'ignore', log] });
  closeSync(log);
  const serverLog = () => (existsSync(join(work, 'server.log')) ? readFileSync(join(work, 'server.log'), 'utf8').slice(-4000) : '');
  await until('the server up', async () => (await req(base, 'GET', '/health')).status === 200, 30000);
  const token = (await req(base, 'POST', '/auth/login', { body: { username: 'admin', password: PASSWORD } })).json.token;
  assert.ok(token);
  // a KPI report is answered from the standby: the standby (read-only) has a session of fieldgrid's reports
  const day = new Date().toISOString().slice(0, 10);
  const kpi = await req(base, 'GET', `/kpis/chargers?from=${day}&to=${day}`, { token });
  assert.equal(kpi.status, 200, kpi.text);
  const onStandby = spawnSync('psql', ['-X', '-At', 'postgresql://postgres@127.0.0.1:54372/postgres', '-c',
    "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'fieldgrid-reports'"], { encoding: 'utf8' });
  assert.equal(onStandby.status, 0, onStandby.stderr);
  assert.ok(Number(onStandby.stdout.trim()) >= 1, 'the report read the standby');

  const acked = [];       // {id, marker}
  const stats = { unavailable: 0, cut: 0, retries: 0, other: [] };
  let n = 0;
  const state = { stop: false };
  async function writer(w) {
    while (!state.stop) {
      const marker = `fo-${process.pid}-${w}-${++n}z`;
      const key = `key-${marker}`;
      const body = { kind: 'meter_rotation', customer_name: marker };
      // the same key until it is answered: a cut write is either done once or not at all
      for (;;) {
        const sent = Date.now();
        const r = await req(base, 'POST', '/work-orders', { token, body, key });
        if (r.status === 201) { acked.push({ id: r.json.id, marker, sent, at: Date.now() }); break; }
        if (r.status === 503) { stats.unavailable += 1; assert.equal(r.headers.get('retry-after'), '1'); assert.equal(r.json.error.code, 'unavailable'); }
        else if (r.status === 0) stats.cut += 1;
        else { stats.other.push(`${r.status} ${r.text}`); break; }
        stats.retries += 1;
        await pause(100);
      }
    }
  }
  const running = Array.from({ length: WRITERS }, (_, w) => writer(w));
  await until('writes before the failover', () => acked.length >= 30);
  const before = acked.length;
  const tInit = Date.now();
  const killed = pair('kill-primary');
  const t0 = Date.now();
  assert.equal(killed.status, 0, killed.stderr);
  await pause(500); // the primary is gone for a while before the promotion, as with a real failure detector
  const promoted = pair('promote');
  assert.equal(promoted.status, 0, promoted.stderr);
  const tp = Date.now();
  // a write sent after the primary died is acknowledged by the new one
  await until('writes acknowledged again after the promotion', () => acked.some((a) => a.sent > t0), 60000);
  const resumed = (Math.min(...acked.filter((a) => a.sent > t0).map((a) => a.at)) - tp) / 1000;
  await until('more writes on the new primary', () => acked.filter((a) => a.sent > t0).length >= 30, 60000);
  state.stop = true;
  await Promise.all(running);
  assert.deepEqual(stats.other, [], serverLog());
  console.log(`# ${before} writes acknowledged before the primary died (the kill took ${((t0 - tInit) / 1000).toFixed(1)} s), ` +
    `${acked.length - before} after; the first write sent after the kill was acknowledged ${resumed.toFixed(1)} s after ` +
    `the promotion; ${stats.unavailable} answers were 503, ${stats.cut} connections cut, all retried with their key`);

  // every acknowledged write is on the new primary, once
  let lost = 0;
  for (const a of acked) {
    const r = await req(base, 'GET', `/work-orders/${a.id}`, { token });
    if (r.status !== 200 || r.json.customer_name !== a.marker) lost += 1;
  }
  console.log(`# acknowledged writes lost: ${lost} of ${acked.length}`);
  assert.equal(lost, 0);
  for (const a of acked) {
    const r = await req(base, 'GET', `/work-orders?q=${encodeURIComponent(a.marker)}&limit=5`, { token });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.total, 1, `${a.marker} once`);
  }
  // the same process serves on: no restart was needed
  assert.equal(srv.exitCode, null);
  const audit = spawnSync(BIN, ['audit', 'verify', '--data', work, '--db', url], { env, encoding: 'utf8' });
  assert.equal(audit.status, 0, audit.stdout + audit.stderr);
});

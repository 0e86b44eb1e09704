// SIGTERM while a tool import runs (R3.6): the server still exits 0 within a few seconds, and the ledger holds
// all of the file or none of it. The import thread stops between rows and rolls back; its job then reads
// import_interrupted. Runs its own server (it has to kill it and start it again).
//   env FG_BIN (default build/fieldgrid), FG_PG_URL (optional: run on that PostgreSQL database)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer } from '../lib/server.mjs';

const BIN = process.env.FG_BIN || 'build/fieldgrid';
const DBARGS = process.env.FG_PG_URL ? ['--db', process.env.FG_PG_URL] : [];
const LABEL = process.env.FG_PG_URL ? '[postgresql]' : '[sqlite]';
const PASSWORD = 'Shutdown-pass-123';
const ROWS = 20000;

const serve = (dir, env) => startServer({ bin: BIN, dir, dbargs: DBARGS, env, password: PASSWORD });

test(`${LABEL} SIGTERM during a tool import: a clean exit, and all rows or none`, { timeout: 120000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'fg-import-stop-'));
  const env = { ...process.env, FIELDGRID_ADMIN_PASSWORD: PASSWORD };
  const init = spawnSync(BIN, ['init', '--data', dir, ...DBARGS], { env, encoding: 'utf8' });
  assert.equal(init.status, 0, init.stderr);
  const tag = Date.now().toString(36).toUpperCase();
  let csv = 'asset_no,kind,last_test_date,last_test_result\n';
  for (let i = 0; i < ROWS; i++) csv += `STOP-${tag}-${i},insulating_gloves,2025-09-01,pass\n`;
  let a = await serve(dir, env);
  let b;
  try {
    const res = await fetch(a.url + '/api/v1/tools/imports', { method: 'POST',
      headers: { authorization: `Bearer ${a.token}`, 'content-type': 'text/csv' }, body: csv });
    assert.equal(res.status, 202);
    const job = await res.json();
    const t0 = Date.now();
    a.srv.kill('SIGTERM');
    const { code, signal } = await a.exited;
    const stopSeconds = (Date.now() - t0) / 1000;
    assert.equal(signal, null, 'exited by itself, not killed');
    assert.equal(code, 0, 'exit code 0 after SIGTERM\n' + a.state.log.slice(-2000));
    assert.ok(stopSeconds < 10, `stopped in ${stopSeconds} s`);

    b = await serve(dir, env);
    const got = await (await fetch(`${b.url}/api/v1/tools/imports/${job.id}`, { headers: { authorization: `Bearer ${b.token}` } })).json();
    const tools = await (await fetch(`${b.url}/api/v1/tools?q=STOP-${tag}&limit=1`, { headers: { authorization: `Bearer ${b.token}` } })).json();
    if (got.state === 'done') {
      assert.equal(tools.total, ROWS, 'finished before the stop: every row');
    } else {
      assert.equal(got.state, 'failed', JSON.stringify(got));
      assert.equal(got.error.code, 'import_interrupted');
      assert.equal(tools.total, 0, 'interrupted: no row at all');
    }
    console.log(`import at SIGTERM: ${got.state} (${got.progress.phase}), server stopped in ${stopSeconds.toFixed(2)} s`);
  } finally {
    for (const s of [a, b]) if (s && s.srv.exitCode === null) { s.srv.kill('SIGTERM'); await s.exited; }
    rmSync(dir, { recursive: true, force: true });
  }
});

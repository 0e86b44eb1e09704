// Runtime data stays out of the source tree (issue 9 finding 8): the repository's data/ is reference data compiled
// into the binary; `make run` and the default --data use the git-ignored var/, and a data directory that is the
// reference data is refused before anything is written into it.
//   env FG_BIN (default build/fieldgrid). SQLite only: the data directory is what is checked.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const BIN = resolve(process.env.FG_BIN || 'build/fieldgrid');
const ROOT = resolve(new URL('../..', import.meta.url).pathname);
const env = { ...process.env, FIELDGRID_ADMIN_PASSWORD: 'Datadir-pass-123' };
delete env.FIELDGRID_DATA;

const listing = (dir) => readdirSync(dir, { recursive: true }).sort().join('\n');

test('the reference data directory is refused as a data directory, and nothing is written into it', () => {
  const before = listing(join(ROOT, 'data'));
  for (const args of [['init'], ['serve', '--listen', '127.0.0.1:0'], ['demo'], ['migrate']]) {
    const r = spawnSync(BIN, [...args, '--data', join(ROOT, 'data')], { env, encoding: 'utf8', timeout: 20000 });
    assert.notEqual(r.status, 0, `${args[0]} --data data/ must fail`);
    assert.match(r.stderr, /reference data/);
  }
  assert.equal(listing(join(ROOT, 'data')), before, 'data/ unchanged');
});

test('without --data the data directory is ./var, and make run uses var/ (git-ignored)', () => {
  const cwd = mkdtempSync(join(tmpdir(), 'fg-datadir-'));
  try {
    const r = spawnSync(BIN, ['init'], { env, cwd, encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    assert.ok(existsSync(join(cwd, 'var', 'fieldgrid.db')), 'the database went to ./var');
    assert.ok(!existsSync(join(cwd, 'data')), 'nothing under ./data');
  } finally {
    rmSync(cwd, { recursive: true, force: true });
  }
  assert.match(readFileSync(join(ROOT, 'scripts/run-demo.sh'), 'utf8'), /DATA=\$\{FIELDGRID_DATA:-\.\/var\}/);
  const ignored = spawnSync('git', ['check-ignore', '-q', 'var/fieldgrid.db'], { cwd: ROOT });
  assert.equal(ignored.status, 0, 'var/ is git-ignored');
});

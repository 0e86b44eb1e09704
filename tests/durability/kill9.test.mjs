// Durability under kill -9 (issue 9, deliverables 4 and 5). Runs its own server (it has to kill it).
//   env FG_BIN (default build/fieldgrid), FG_PG_URL (optional: run on that PostgreSQL database),
//       FG_SEED (the kill moments and the mix of writes; printed, so a failure can be replayed),
//       FG_KILL_CYCLES (default 12, at least 10)
//
// A client writes at a steady rate (three writers, one request in flight each): work orders created (half with an
// Idempotency-Key), PATCHed and cancelled / reopened (both keyed), and records every acknowledged write. The server
// is killed with SIGKILL at a random moment. After each kill: `fieldgrid audit verify` passes; after the restart
// every acknowledged write is there with the content acknowledged; every keyed write that got no answer is
// replayed and yields either its stored answer or exactly one new write, never two.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, openSync, closeSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../lib/server.mjs';
import { req } from '../lib/http.mjs'; // a connection cut by the kill answers {status: 0} (not acknowledged)

const BIN = process.env.FG_BIN || 'build/fieldgrid';
const PG = process.env.FG_PG_URL || '';
const DBARGS = PG ? ['--db', PG] : [];
const LABEL = PG ? '[postgresql]' : '[sqlite]';
const PASSWORD = 'Durable-pass-123';
const SEED = Number(process.env.FG_SEED || (Date.now() % 2147483647));
const CYCLES = Math.max(10, Number(process.env.FG_KILL_CYCLES || 12));
const WRITERS = 3;

// mulberry32: a small seeded PRNG, so FG_SEED reproduces the kill moments and the mix of writes
function prng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const pause = (ms) => new Promise((r) => setTimeout(r, ms));

/** One server process on dir; start() waits for health, kill() is SIGKILL. */
class Server {
  constructor(dir, port, env) { Object.assign(this, { dir, port, env, base: `http://127.0.0.1:${port}`, runs: 0 }); }

  async start() {
    this.runs += 1;
    const log = openSync(join(this.dir, `server-${this.runs}.log`), 'w');
    this.proc = spawn(BIN, ['serve', '--data', this.dir, ...DBARGS, '--listen', `127.0.0.1:${this.port}`],
      { env: this.env, stdio: ['ignore', 'ignore', log] });
    closeSync(log);
    this.exited = new Promise((resolve) => this.proc.on('exit', (code, signal) => resolve({ code, signal })));
    for (let i = 0; i < 300; i++) {
      if (this.proc.exitCode !== null) break;
      const h = await req(this.base, 'GET', '/health');
      if (h.status === 200) return;
      await pause(50);
    }
    throw new Error('server did not come up:\n' + this.log());
  }

  async kill() {
    this.proc.kill('SIGKILL');
    return this.exited;
  }

  async stop() {
    if (this.proc && this.proc.exitCode === null && this.proc.signalCode === null) {
      this.proc.kill('SIGTERM');
      return this.exited;
    }
    return null;
  }

  log() {
    try { return readFileSync(join(this.dir, `server-${this.runs}.log`), 'utf8').slice(-3000); } catch { return ''; }
  }
}

function cli(args, env) {
  return spawnSync(BIN, [...args, '--data', env.FG_DIR, ...DBARGS], { env, encoding: 'utf8' });
}

test(`${LABEL} kill -9 at random moments: no acknowledged write lost, no keyed write doubled, audit intact`, { timeout: 170000 }, async () => {
  console.log(`# ${LABEL} seed ${SEED} (FG_SEED=${SEED} reproduces the kill moments), ${CYCLES} cycles`);
  const rnd = prng(SEED);
  const dir = mkdtempSync(join(tmpdir(), 'fg-kill9-'));
  const env = { ...process.env, FIELDGRID_ADMIN_PASSWORD: PASSWORD, FG_DIR: dir };
  const init = cli(['init'], env);
  assert.equal(init.status, 0, init.stderr);
  const srv = new Server(dir, await freePort(), env);
  const stats = { cycles: 0, acked: 0, inFlightAtKill: 0, lost: 0, duplicates: 0, replayedStored: 0, replayedPerformed: 0 };
  try {
    await srv.start();
    const admin = await req(srv.base, 'POST', '/auth/login', { body: { username: 'admin', password: PASSWORD } });
    assert.equal(admin.status, 200, admin.text);
    const username = `disp${SEED.toString(36)}`;
    const u = await req(srv.base, 'POST', '/users', { token: admin.json.token,
      body: { username, password: PASSWORD, display_name: '调度 kill9', roles: ['dispatcher'] } });
    assert.equal(u.status, 201, u.text);
    const login = await req(srv.base, 'POST', '/auth/login', { body: { username, password: PASSWORD } });
    const token = login.json.token; // sessions are rows: the same token works after every restart

    let n = 0;
    const uniq = (p) => `${p}-${SEED.toString(36)}-${++n}z`; // the z: no marker is a prefix of another (q= matches substrings)
    const created = [];          // acknowledged creates: {id, marker}
    const orders = [];           // orders the writers PATCH / cancel: {id, version, description, status, owner, pending}
    const unackedCreates = [];   // {marker, key?, body}: may or may not exist, never twice

    // the writers: each owns its orders, so an order has at most one write in flight
    async function writer(w, state) {
      while (!state.stop) {
        const mine = orders.filter((o) => o.owner === w && !o.pending);
        const pick = rnd();
        if (mine.length < 2 || pick < 0.4) {
          const marker = uniq('kill9');
          const keyed = rnd() < 0.5;
          const key = keyed ? uniq('key') : undefined;
          const body = { kind: 'meter_rotation', customer_name: marker };
          const r = await req(srv.base, 'POST', '/work-orders', { token, body, key });
          if (r.status === 201) {
            stats.acked += 1;
            created.push({ id: r.json.id, marker });
            orders.push({ id: r.json.id, version: r.json.version, description: r.json.description ?? null, status: r.json.status, owner: w, pending: null });
          } else if (r.status === 0) {
            unackedCreates.push({ marker, key, body });
          } else {
            state.errors.push(`create: ${r.status} ${r.text}`);
          }
        } else {
          const o = mine[Math.floor(rnd() * mine.length)];
          const key = uniq('key');
          let path, body, expect;
          if (pick < 0.75 && o.status !== 'cancelled') { // a cancelled order takes no PATCH: it is reopened
            const description = uniq('desc');
            path = `/work-orders/${o.id}`;
            body = { version: o.version, description };
            expect = { version: o.version + 1, description, status: o.status };
          } else {
            const action = o.status === 'cancelled' ? 'reopen' : 'cancel';
            path = `/work-orders/${o.id}/actions/${action}`;
            body = { version: o.version };
            expect = { version: o.version + 1, description: o.description, status: action === 'cancel' ? 'cancelled' : 'new' };
          }
          const method = path.includes('/actions/') ? 'POST' : 'PATCH';
          const r = await req(srv.base, method, path, { token, body, key });
          if (r.status === 200) {
            stats.acked += 1;
            Object.assign(o, { version: r.json.version, description: r.json.description ?? null, status: r.json.status });
            if (r.json.version !== expect.version || r.json.status !== expect.status || (r.json.description ?? null) !== expect.description)
              state.errors.push(`${method} ${path}: answer ${r.text} is not ${JSON.stringify(expect)}`);
          } else if (r.status === 0) {
            o.pending = { method, path, body, key, expect };
          } else {
            state.errors.push(`${method} ${path}: ${r.status} ${r.text}`);
          }
        }
      }
    }

    const count = async (marker) => {
      const r = await req(srv.base, 'GET', `/work-orders?q=${encodeURIComponent(marker)}&limit=10`, { token });
      assert.equal(r.status, 200, r.text);
      return r.json.total;
    };

    for (let cycle = 1; cycle <= CYCLES; cycle++) {
      const state = { stop: false, errors: [] };
      const running = Array.from({ length: WRITERS }, (_, w) => writer(w, state));
      const delay = 80 + Math.floor(rnd() * 520);
      await pause(delay); // the random kill moment (not a wait for anything: the writers run meanwhile)
      state.stop = true; // no new request starts; those in flight are cut by the kill in this same tick
      await srv.kill();
      await Promise.all(running);
      assert.deepEqual(state.errors, [], `cycle ${cycle}: writes refused while the server ran`);
      stats.cycles += 1;
      const pend = orders.filter((o) => o.pending).length + unackedCreates.length;
      stats.inFlightAtKill += pend;
      console.log(`# ${LABEL} cycle ${cycle}: killed after ${delay} ms, ${stats.acked} acknowledged so far, ${pend} in flight`);

      const verify = cli(['audit', 'verify'], env);
      assert.equal(verify.status, 0, `cycle ${cycle}: audit verify after kill -9\n${verify.stdout}${verify.stderr}`);

      await srv.start();
      // every acknowledged create is there with what was acknowledged
      for (let i = 0; i < created.length; i += 16) {
        const got = await Promise.all(created.slice(i, i + 16).map((c) => req(srv.base, 'GET', `/work-orders/${c.id}`, { token })));
        got.forEach((g, k) => {
          const c = created[i + k];
          if (g.status !== 200 || g.json.customer_name !== c.marker) {
            stats.lost += 1;
            assert.fail(`cycle ${cycle}: acknowledged order ${c.id} (${c.marker}) is ${g.status} ${g.text}`);
          }
        });
      }
      // orders: the acknowledged state, or the one write in flight applied once; its keyed replay never applies twice
      for (const o of orders) {
        const g = await req(srv.base, 'GET', `/work-orders/${o.id}`, { token });
        assert.equal(g.status, 200, g.text);
        const now = { version: g.json.version, description: g.json.description ?? null, status: g.json.status };
        const acked = { version: o.version, description: o.description, status: o.status };
        if (!o.pending) {
          if (JSON.stringify(now) !== JSON.stringify(acked)) stats.lost += 1;
          assert.deepEqual(now, acked, `cycle ${cycle}: order ${o.id} as acknowledged`);
          continue;
        }
        const p = o.pending;
        const applied = JSON.stringify(now) === JSON.stringify(p.expect);
        if (!applied) {
          if (JSON.stringify(now) !== JSON.stringify(acked)) stats.lost += 1;
          assert.deepEqual(now, acked, `cycle ${cycle}: order ${o.id}: neither acknowledged nor the write in flight`);
        }
        const r = await req(srv.base, p.method, p.path, { token, body: p.body, key: p.key });
        assert.equal(r.status, 200, `cycle ${cycle}: replay of ${p.method} ${p.path}: ${r.text}`);
        assert.equal(r.replayed, applied, `cycle ${cycle}: the replay returns the stored answer exactly when the write had committed`);
        if (r.replayed) stats.replayedStored += 1; else stats.replayedPerformed += 1;
        const after = await req(srv.base, 'GET', `/work-orders/${o.id}`, { token });
        const then = { version: after.json.version, description: after.json.description ?? null, status: after.json.status };
        if (then.version > p.expect.version) stats.duplicates += 1;
        assert.deepEqual(then, p.expect, `cycle ${cycle}: order ${o.id} after the replay: the write once`);
        Object.assign(o, p.expect, { pending: null });
      }
      // creates that got no answer: keyed ones are replayed (stored answer or one new order); none exists twice
      for (const c of unackedCreates.splice(0)) {
        const before = await count(c.marker);
        if (before > 1) stats.duplicates += 1;
        assert.ok(before <= 1, `cycle ${cycle}: ${c.marker} created ${before} times`);
        if (!c.key) continue;
        const r = await req(srv.base, 'POST', '/work-orders', { token, body: c.body, key: c.key });
        assert.equal(r.status, 201, `cycle ${cycle}: replay of a keyed create: ${r.text}`);
        assert.equal(r.replayed, before === 1, `cycle ${cycle}: stored answer exactly when the create had committed`);
        if (r.replayed) stats.replayedStored += 1; else stats.replayedPerformed += 1;
        const total = await count(c.marker);
        if (total !== 1) stats.duplicates += 1;
        assert.equal(total, 1, `cycle ${cycle}: ${c.marker} exists once after its replay`);
        created.push({ id: r.json.id, marker: c.marker });
      }
    }
    console.log(`# ${LABEL} figures: ${stats.cycles} kill -9 cycles, ${stats.acked} writes acknowledged, ` +
      `${stats.inFlightAtKill} in flight at the kills (${stats.replayedStored} keyed replays answered from the key, ` +
      `${stats.replayedPerformed} performed once), ${stats.lost} acknowledged writes lost, ${stats.duplicates} duplicates`);
    assert.equal(stats.lost, 0);
    assert.equal(stats.duplicates, 0);
    assert.ok(stats.cycles >= 10);
    assert.ok(stats.acked >= stats.cycles, 'the writers wrote between the kills');

    // the sweep: expired keys (here: every key, --keys-older-than 0) and revoked sessions go; a swept key is free
    const gone = await req(srv.base, 'POST', '/auth/logout', { token: (await req(srv.base, 'POST', '/auth/login',
      { body: { username, password: PASSWORD } })).json.token });
    assert.ok(gone.status === 200 || gone.status === 204, gone.text);
    const body = { kind: 'meter_rotation', customer_name: uniq('swept') };
    const first = await req(srv.base, 'POST', '/work-orders', { token, body, key: 'swept-key' });
    assert.equal(first.status, 201, first.text);
    const m = cli(['maintenance', '--keys-older-than', '0'], env);
    assert.equal(m.status, 0, m.stderr);
    const swept = JSON.parse(m.stdout);
    console.log(`# ${LABEL} maintenance: ${m.stdout.trim()}`);
    assert.ok(swept.idempotency_keys_deleted >= 1, m.stdout);
    assert.ok(swept.sessions_deleted >= 1, m.stdout);
    const again = await req(srv.base, 'POST', '/work-orders', { token, body, key: 'swept-key' });
    assert.equal(again.status, 201, again.text);
    assert.equal(again.replayed, false, 'the swept key no longer answers');
    assert.notEqual(again.json.id, first.json.id);
    assert.equal((await req(srv.base, 'GET', '/me', { token })).status, 200, 'a live session survives the sweep');
    const verify = cli(['audit', 'verify'], env);
    assert.equal(verify.status, 0, verify.stdout + verify.stderr);
  } catch (e) {
    console.log(`# ${LABEL} seed ${SEED}; last server log:\n${srv.log()}`);
    throw e;
  } finally {
    await srv.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});

// Deliverable 4's own test, made deterministic on PostgreSQL: another session holds the audit chain's head row, so
// a keyed PATCH stops inside its write (after the key's claim and the order's UPDATE, at its audit record); the
// server is killed there. The replay must perform the write once — the old two-step scheme had committed the claim
// alone and answered 409 idempotency_in_progress for 24 h. (SQLite has no such point to stop at from outside: its
// writers are serialised whole by BEGIN IMMEDIATE; the random kills above cover it.)
function psql(args, input) {
  return spawnSync('psql', [PG, '-X', '-At', ...args], { input, encoding: 'utf8' });
}

test(`${LABEL} kill -9 in the middle of a keyed write: the replay performs it once`, { skip: !PG && 'needs PostgreSQL (FG_PG_URL)', timeout: 60000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'fg-kill9-mid-'));
  const env = { ...process.env, FIELDGRID_ADMIN_PASSWORD: PASSWORD, FG_DIR: dir };
  assert.equal(cli(['init'], env).status, 0);
  const srv = new Server(dir, await freePort(), env);
  let holder;
  try {
    await srv.start();
    const token = (await req(srv.base, 'POST', '/auth/login', { body: { username: 'admin', password: PASSWORD } })).json.token;
    const o = await req(srv.base, 'POST', '/work-orders', { token, body: { kind: 'meter_rotation' } });
    assert.equal(o.status, 201, o.text);

    holder = spawn('psql', [PG, '-X', '-At', '-v', 'ON_ERROR_STOP=1'], { stdio: ['pipe', 'pipe', 'inherit'] });
    let out = '';
    holder.stdout.on('data', (d) => { out += d; });
    holder.stdin.write("BEGIN;\nSELECT 'held' FROM audit_head FOR UPDATE;\n");
    for (let i = 0; i < 200 && !out.includes('held'); i++) await pause(25);
    assert.ok(out.includes('held'), 'the audit head is held');

    const key = `mid-write-${SEED}`;
    const body = { version: o.json.version, description: 'written once' };
    const first = req(srv.base, 'PATCH', `/work-orders/${o.json.id}`, { token, body, key });
    let waiting = 0;
    for (let i = 0; i < 400 && waiting < 1; i++) {
      waiting = Number(psql(['-c', "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'"]).stdout.trim());
      if (waiting < 1) await pause(25);
    }
    assert.equal(waiting, 1, 'the keyed PATCH waits inside its write');
    await srv.kill();
    assert.equal((await first).status, 0, 'the first attempt got no answer');
    holder.stdin.end('ROLLBACK;\n');
    await new Promise((r) => holder.on('exit', r));

    await srv.start();
    const replay = await req(srv.base, 'PATCH', `/work-orders/${o.json.id}`, { token, body, key });
    assert.equal(replay.status, 200, `the replay is not stuck: ${replay.text}`);
    assert.equal(replay.replayed, false, 'nothing of the first attempt was kept');
    assert.equal(replay.json.version, o.json.version + 1);
    assert.equal(replay.json.description, 'written once');
    const again = await req(srv.base, 'PATCH', `/work-orders/${o.json.id}`, { token, body, key });
    assert.equal(again.status, 200, again.text);
    assert.equal(again.replayed, true);
    assert.equal(again.json.version, o.json.version + 1, 'applied once');
    const verify = cli(['audit', 'verify'], env);
    assert.equal(verify.status, 0, verify.stdout + verify.stderr);
  } catch (e) {
    console.log(`# ${LABEL} last server log:\n${srv.log()}`);
    throw e;
  } finally {
    if (holder && holder.exitCode === null) holder.kill('SIGKILL');
    await srv.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});

// A cluster (issue 15 item 6): three fieldgrid nodes on one PostgreSQL behind a real nginx running the shipped
// configuration (docs/nginx/fieldgrid-cluster.conf, with only its "# node" and "# tls" lines replaced). Chargers
// (ocpp-rpc) connect through nginx and spread over the nodes; a command sent through each node reaches chargers held
// by the others; a notification is delivered once although three schedulers run; a file uploaded through one node
// downloads through the others; a session ended on one node is refused by the others; a knowledge-base edit made
// through one node is read by the others; a node that stalls past its lease gives its chargers up when it wakes; one node is killed with -9: its chargers come back through nginx to the others, its command
// in flight ends NodeLost, its scheduled jobs move.
//   env FG_BIN (default build/fieldgrid), FG_PG_URL (required: an empty database; skipped without it)
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, readFileSync, openSync, closeSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RPCClient } from 'ocpp-rpc';
import { freePort } from '../lib/server.mjs';
import { req, until } from '../lib/http.mjs';
import { writeNginx } from '../lib/nginx_cluster.mjs';
import { startReceiver } from '../lib/receiver.mjs';

const BIN = process.env.FG_BIN || 'build/fieldgrid';
const PG = process.env.FG_PG_URL || '';
const PASSWORD = 'Cluster-pass-123';
const NODES = 3;
const CHARGERS = 12;
const NGINX = process.env.FG_NGINX || '/usr/sbin/nginx';

function expect(res, status) {
  assert.equal(res.status, status, `${status} expected, got ${res.status}: ${res.text.slice(0, 400)}`);
  return res.json;
}

const work = mkdtempSync(join(tmpdir(), 'fg-cluster-'));
const env = {
  ...process.env,
  FIELDGRID_ADMIN_PASSWORD: PASSWORD,
  // a lost node is found within seconds here (production: 2 s beats, a 10 s lease)
  FG_CLUSTER_BEAT_MS: '300',
  FG_CLUSTER_LEASE_MS: '2500',
  FG_NOTIFY_DELIVER_S: '1',
};
const nodes = [];   // {port, base, proc, exited, id}
let nginx;          // {proc, port, base}
let token;          // admin, through nginx
const clients = []; // {cli, charger, cpid}

function startNode(i) {
  const dir = join(work, `node${i}`);
  mkdirSync(dir, { recursive: true });
  const n = nodes[i];
  const log = openSync(join(dir, 'server.log'), 'a');
  n.proc = spawn(BIN, ['serve', '--data', dir, '--db', PG, '--listen', `127.0.0.1:${n.port}`],
    { env, stdio: ['ignore', 'ignore', log] });
  closeSync(log);
  n.exited = new Promise((resolve) => n.proc.on('exit', (code, signal) => resolve({ code, signal })));
}

function nodeLog(i) {
  try { return readFileSync(join(work, `node${i}`, 'server.log'), 'utf8').slice(-3000); } catch { return ''; }
}

before(async () => {
  if (!PG) return;
  const init = spawnSync(BIN, ['init', '--data', join(work, 'init'), '--db', PG], { env, encoding: 'utf8' });
  assert.equal(init.status, 0, init.stderr);
  for (let i = 0; i < NODES; i++) {
    const port = await freePort();
    nodes.push({ port, base: `http://127.0.0.1:${port}` });
    startNode(i);
  }
  for (let i = 0; i < NODES; i++) {
    const h = await until(`node ${i} healthy\n${nodeLog(i)}`, async () => {
      try { const r = await req(nodes[i].base, 'GET', '/health'); return r.status === 200 && r.json; } catch { return null; }
    });
    nodes[i].id = h.node;
  }
  const port = await freePort();
  writeNginx(join(work, 'nginx'), nodes.map((n) => n.port), port);
  const proc = spawn(NGINX, ['-p', join(work, 'nginx'), '-c', join(work, 'nginx', 'nginx.conf'), '-e', join(work, 'nginx', 'error.log')],
    { stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  proc.stderr.on('data', (d) => { err += d; });
  nginx = { proc, port, base: `http://127.0.0.1:${port}` };
  await until(`nginx up: ${err}`, async () => {
    try { return (await req(nginx.base, 'GET', '/health')).status === 200; } catch { return false; }
  });
  const login = expect(await req(nginx.base, 'POST', '/auth/login', { body: { username: 'admin', password: PASSWORD } }), 200);
  token = login.token;
});

after(async () => {
  for (const c of clients) await c.cli.close({ force: true }).catch(() => {});
  if (nginx) { nginx.proc.kill('SIGTERM'); await new Promise((r) => nginx.proc.once('exit', r)); }
  for (const n of nodes) {
    if (n.proc && n.proc.exitCode === null && n.proc.signalCode === null) { n.proc.kill('SIGTERM'); await n.exited; }
  }
  rmSync(work, { recursive: true, force: true });
});

const skip = !PG && 'a cluster needs PostgreSQL (FG_PG_URL)';

test('[postgresql] three nodes register, nginx balances the API over them', { skip }, async () => {
  const c = expect(await req(nginx.base, 'GET', '/cluster', { token }), 200);
  const live = c.nodes.filter((n) => n.live).map((n) => n.id).sort();
  assert.deepEqual(live, nodes.map((n) => n.id).sort());
  const seen = new Set();
  for (let i = 0; i < 12; i++) seen.add(expect(await req(nginx.base, 'GET', '/health'), 200).node);
  assert.ok(seen.size >= 2, `requests through nginx reached ${seen.size} node(s)`);
  // only admins read the cluster
  const u = expect(await req(nginx.base, 'POST', '/users', { token,
    body: { username: 'clusterviewer', password: PASSWORD, display_name: 'viewer', roles: ['viewer'] } }), 201);
  assert.ok(u.id);
  const v = expect(await req(nginx.base, 'POST', '/auth/login', { body: { username: 'clusterviewer', password: PASSWORD } }), 200);
  assert.equal((await req(nginx.base, 'GET', '/cluster', { token: v.token })).status, 403);
});

/** Where each charger is held now: {cpid: node id}. */
async function holders() {
  const out = {};
  for (const c of clients) {
    const ch = expect(await req(nginx.base, 'GET', `/chargers/${c.charger.id}`, { token }), 200);
    out[c.cpid] = ch.connection ? ch.connection.node_id : null;
  }
  return out;
}

test('[postgresql] chargers spread over the nodes; a command sent through any node reaches the charger wherever it is held', { skip }, async () => {
  for (let i = 0; i < CHARGERS; i++) {
    const cpid = `CL-${process.pid}-${i}`;
    const charger = expect(await req(nginx.base, 'POST', '/chargers', { token, body: { charge_point_id: cpid, kind: 'dc', payment: 'qr' } }), 201);
    const cli = new RPCClient({
      endpoint: `ws://127.0.0.1:${nginx.port}/ocpp`, identity: cpid, password: charger.authorization_key,
      protocols: ['ocpp1.6'], strictMode: true, reconnect: true, callTimeoutMs: 10000,
      backoff: { initialDelay: 100, maxDelay: 500, factor: 2, randomisationFactor: 0.25 },
    });
    cli.handle('GetConfiguration', () => ({ configurationKey: [{ key: 'HeartbeatInterval', readonly: false, value: '300' }] }));
    cli.handle('ClearCache', () => new Promise(() => {})); // never answers: a command in flight when its node dies
    cli.closes = [];
    cli.on('disconnect', ({ code }) => cli.closes.push(code)); // then it reconnects (through nginx)
    await cli.connect();
    await cli.call('BootNotification', { chargePointVendor: 'fieldgrid-test', chargePointModel: 'cluster' });
    clients.push({ cli, charger, cpid });
  }
  const where = await until('every charger held by a node', async () => {
    const h = await holders();
    return Object.values(h).every(Boolean) && h;
  });
  const spread = new Set(Object.values(where));
  assert.ok(spread.size >= 2, `${CHARGERS} chargers on ${spread.size} node(s): nginx's hash should spread them`);
  for (const id of spread) assert.ok(nodes.some((n) => n.id === id), 'held by one of our nodes');

  let crossed = 0;
  for (const n of nodes) {
    for (const c of clients) {
      const cmd = expect(await req(n.base, 'POST', `/chargers/${c.charger.id}/commands/GetConfiguration`,
        { token, body: { payload: { key: ['HeartbeatInterval'] } } }), 202);
      // the answer is read back through yet another node
      const other = nodes[(nodes.indexOf(n) + 1) % NODES];
      const done = expect(await req(other.base, 'GET', `/chargers/${c.charger.id}/commands/${cmd.id}?wait=10000`, { token }), 200);
      assert.equal(done.status, 'accepted', `through ${n.id} to a charger on ${where[c.cpid]}: ${JSON.stringify(done)}`);
      assert.equal(done.result.configurationKey[0].value, '300');
      if (where[c.cpid] !== n.id) crossed += 1;
    }
  }
  assert.ok(crossed >= CHARGERS, `commands that crossed nodes: ${crossed}`);
});

test('[postgresql] a notification is delivered once although every node runs the scheduler', { skip }, async () => {
  const rx = await startReceiver();
  try {
    const chans = expect(await req(nginx.base, 'GET', '/notify/channels', { token }), 200);
    const sms = chans.items.find((c) => c.channel === 'sms');
    expect(await req(nginx.base, 'PUT', '/notify/channels/sms', { token, body: {
      version: sms.version, enabled: true, url: `${rx.url}/sms/send`, username: 'fg', credential: 'cluster-credential-1',
      templates: { outbox_test: 'Application {{number}} is at stage {{stage}}.' } } }), 200);
    const phones = [];
    for (let i = 0; i < 8; i++) {
      const phone = `1390000${String(1000 + i)}`;
      phones.push(phone);
      expect(await req(nodes[i % NODES].base, 'POST', '/notify/messages', { token,
        body: { kind: 'outbox_test', recipient: { phone }, params: { number: `C-${i}`, stage: 'survey' } } }), 201);
    }
    await until('every message delivered', () => phones.every((p) => rx.requests.some((r) => r.json?.to === p)));
    // more turns of the delivery job pass (on whichever nodes win them): none sends a message again
    const runs = async () => expect(await req(nginx.base, 'GET', '/cluster', { token }), 200).jobs.find((j) => j.name === 'notify.deliver');
    const before = await runs();
    await until('three more turns of notify.deliver', async () => (await runs()).runs >= before.runs + 3);
    for (const p of phones) assert.equal(rx.requests.filter((r) => r.json?.to === p).length, 1, `${p} got one message`);
    const j = await runs();
    assert.ok(nodes.some((n) => n.id === j.node_id), 'the last turn was taken by one of the nodes');
  } finally {
    await rx.close();
  }
});

test('[postgresql] a file uploaded through one node downloads, byte for byte, through every other', { skip }, async () => {
  // a real PDF of a few hundred KiB, made here (the sniffer checks the bytes): a header, filler in a comment, a trailer
  const filler = Buffer.alloc(300 * 1024);
  for (let i = 0; i < filler.length; i++) filler[i] = 0x41 + ((i * 7919) % 26);
  const pdf = Buffer.concat([Buffer.from('%PDF-1.4\n%'), filler, Buffer.from('\n%%EOF\n')]);
  for (const [i, n] of nodes.entries()) {
    const res = await fetch(`${n.base}/api/v1/attachments?filename=cluster-${i}.pdf`, {
      method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/pdf' }, body: pdf });
    assert.equal(res.status, 201, await res.clone().text());
    const a = await res.json();
    for (const m of nodes.filter((x) => x !== n)) {
      const got = await fetch(`${m.base}/api/v1/attachments/${a.id}/content`, { headers: { authorization: `Bearer ${token}` } });
      assert.equal(got.status, 200);
      assert.ok(Buffer.from(await got.arrayBuffer()).equals(pdf), `uploaded through ${n.id}, read through ${m.id}`);
    }
  }
});

test('[postgresql] a session ended on one node is refused on every node', { skip }, async () => {
  const s = expect(await req(nodes[1].base, 'POST', '/auth/login', { body: { username: 'admin', password: PASSWORD } }), 200);
  for (const n of nodes) expect(await req(n.base, 'GET', '/me', { token: s.token }), 200); // resolved and kept by each
  expect(await req(nodes[1].base, 'POST', '/auth/logout', { token: s.token }), 204);
  for (const n of nodes) {
    await until(`node ${n.id} refuses the ended session`, async () => (await req(n.base, 'GET', '/me', { token: s.token })).status === 401, 1000);
  }
});

test('[postgresql] a knowledge-base edit made through one node is what every node reads next', { skip }, async () => {
  const risks = expect(await req(nodes[0].base, 'GET', '/kb/risks', { token }), 200).items;
  const r = risks[0];
  const edited = { ...r, source: `${r.source}; cluster test ${process.pid}` };
  expect(await req(nodes[1].base, 'PUT', `/kb/risks/${r.id}`, { token, body: edited }), 200);
  for (const n of nodes) assert.equal(expect(await req(n.base, 'GET', `/kb/risks/${r.id}`, { token }), 200).source, edited.source);
  expect(await req(nodes[2].base, 'DELETE', `/kb/risks/${r.id}`, { token }), 204);
  for (const n of nodes) assert.equal(expect(await req(n.base, 'GET', `/kb/risks/${r.id}`, { token }), 200).source, r.source);
});

test('[postgresql] a node that stalls past its lease is taken for lost; awake again, it closes its chargers (1001) and they are held again', { skip }, async () => {
  const where = await holders();
  const count = (id) => Object.values(where).filter((x) => x === id).length;
  const sleeper = nodes.reduce((a, b) => (count(b.id) > count(a.id) ? b : a));
  const theirs = clients.filter((c) => where[c.cpid] === sleeper.id);
  assert.ok(theirs.length >= 1, 'the sleeper holds chargers');
  const awake = nodes.find((n) => n !== sleeper);
  for (const c of theirs) c.cli.closes = [];
  // stopped, not killed: its sockets stay open, its lease runs out (2.5 s here)
  sleeper.proc.kill('SIGSTOP');
  try {
    await until('the others take the sleeper for lost', async () => {
      const c = expect(await req(awake.base, 'GET', '/cluster', { token }), 200);
      const v = c.nodes.find((n) => n.id === sleeper.id);
      return v && v.lost_at && !v.live;
    }, 30000);
    // what it held is settled by them: its chargers are offline in the ledger though their sockets are still open
    const ch = expect(await req(awake.base, 'GET', `/chargers/${theirs[0].charger.id}`, { token }), 200);
    assert.equal(ch.online, false);
  } finally {
    sleeper.proc.kill('SIGCONT');
  }
  // awake, it finds it was taken for lost, registers again and gives its chargers up: a Close frame each
  for (const c of theirs) {
    await until(`${c.cpid} told by a Close frame`, () => c.cli.closes.length > 0, 20000);
    assert.deepEqual(c.cli.closes, [1001], `${c.cpid} closed with ${c.cli.closes}`);
  }
  // they connect again through nginx, and every charger is held by a live node
  await until('every charger held by a live node again', async () => {
    const h = await holders();
    return Object.values(h).every(Boolean) && h;
  }, 60000);
  const c = expect(await req(awake.base, 'GET', '/cluster', { token }), 200);
  assert.ok(c.nodes.find((n) => n.id === sleeper.id).live, 'the sleeper is live again');
  assert.equal(c.nodes.filter((n) => n.live).length, NODES);
});

test('[postgresql] a node killed with -9: its chargers come back through nginx to the others, its command in flight ends NodeLost, its jobs move', { skip }, async () => {
  const where = await holders();
  const count = (id) => Object.values(where).filter((x) => x === id).length;
  const victim = nodes.reduce((a, b) => (count(b.id) > count(a.id) ? b : a));
  const theirs = clients.filter((c) => where[c.cpid] === victim.id);
  assert.ok(theirs.length >= 1, 'the victim holds chargers');
  const survivor = nodes.find((n) => n !== victim);
  // a command in flight on the victim: the charger never answers ClearCache
  const pending = expect(await req(survivor.base, 'POST', `/chargers/${theirs[0].charger.id}/commands/ClearCache`,
    { token, body: { payload: {}, timeout_s: 600 } }), 202);
  await until('the victim sent it', async () => {
    const c = expect(await req(survivor.base, 'GET', `/chargers/${theirs[0].charger.id}/commands/${pending.id}`, { token }), 200);
    return c.status === 'pending';
  });

  const t0 = Date.now();
  victim.proc.kill('SIGKILL');
  assert.equal((await victim.exited).signal, 'SIGKILL');
  const back = await until('every charger held by a live node again', async () => {
    const h = await holders();
    return Object.values(h).every((id) => id && id !== victim.id) && h;
  }, 60000);
  const seconds = (Date.now() - t0) / 1000;
  console.log(`# ${theirs.length} chargers of the killed node back on the others in ${seconds.toFixed(1)} s`);
  for (const c of theirs) assert.notEqual(back[c.cpid], victim.id);

  const lost = await until('the command ends NodeLost', async () => {
    const c = expect(await req(survivor.base, 'GET', `/chargers/${theirs[0].charger.id}/commands/${pending.id}`, { token }), 200);
    return c.status !== 'pending' && c;
  });
  assert.equal(lost.status, 'failed');
  assert.equal(lost.error_code, 'NodeLost');

  const cl = await until('the victim is seen lost', async () => {
    const c = expect(await req(nginx.base, 'GET', '/cluster', { token }), 200);
    const v = c.nodes.find((n) => n.id === victim.id);
    return v && !v.live && v.lost_at && c;
  });
  assert.equal(cl.nodes.filter((n) => n.live).length, NODES - 1);
  // the delivery job, every second, is taken by the living nodes
  await until('notify.deliver taken by a living node', async () => {
    const j = expect(await req(nginx.base, 'GET', '/cluster', { token }), 200).jobs.find((x) => x.name === 'notify.deliver');
    return j.node_id !== victim.id && j.finished_at && j.started_at > t0;
  });
  // commands reach the moved chargers through any remaining node
  for (const n of nodes.filter((x) => x !== victim)) {
    const cmd = expect(await req(n.base, 'POST', `/chargers/${theirs[0].charger.id}/commands/GetConfiguration`,
      { token, body: { payload: {} } }), 202);
    const done = expect(await req(n.base, 'GET', `/chargers/${theirs[0].charger.id}/commands/${cmd.id}?wait=10000`, { token }), 200);
    assert.equal(done.status, 'accepted');
  }
  // and the API through nginx goes on (the dead node is passed over)
  for (let i = 0; i < 6; i++) expect(await req(nginx.base, 'GET', '/health'), 200);
});

test('[postgresql] a node taken out with SIGTERM drains: its chargers get a Close frame (1001) and reconnect to the node left', { skip }, async () => {
  const live = nodes.filter((n) => n.proc.exitCode === null && n.proc.signalCode === null);
  assert.equal(live.length, 2);
  const where = await holders();
  const [out, left] = Object.values(where).filter((id) => id === live[0].id).length ? live : [live[1], live[0]];
  const theirs = clients.filter((c) => where[c.cpid] === out.id);
  assert.ok(theirs.length >= 1, 'the node taken out holds chargers');
  for (const c of theirs) c.cli.closes = [];
  out.proc.kill('SIGTERM');
  assert.equal((await out.exited).code, 0, nodeLog(nodes.indexOf(out)));
  // nginx passes the node's Close frame on to the charger
  for (const c of theirs) {
    await until(`${c.cpid} told by a Close frame`, () => c.cli.closes.length > 0, 10000);
    assert.deepEqual(c.cli.closes, [1001], `${c.cpid} closed with ${c.cli.closes}`);
  }
  const back = await until('every charger on the node left', async () => {
    const h = await holders();
    return Object.values(h).every((id) => id === left.id) && h;
  }, 60000);
  assert.equal(Object.keys(back).length, CHARGERS);
  // the node left says so: one live node, the other stopped (not lost)
  const c = expect(await req(nginx.base, 'GET', '/cluster', { token }), 200);
  const o = c.nodes.find((n) => n.id === out.id);
  assert.ok(o.stopped_at && !o.lost_at && !o.live, JSON.stringify(o));
  for (let i = 0; i < 6; i++) assert.equal(expect(await req(nginx.base, 'GET', '/health'), 200).node, left.id);
});

// bench/cluster: a command's round trip, with the charger on the node that takes the request ("same") or on
// another node ("other"). A measurement, not a test: it prints what it saw and never fails because of a number.
//
//   node bench/cluster/commands.mjs --bases http://127.0.0.1:A[,http://127.0.0.1:B,…] --ocpp ws://HOST:PORT/ocpp
//        --password PW --out R.json [--count 200] [--chargers 6] [--prefix CMD] [--poll-ms 5]
//
// --bases are the nodes themselves (not nginx): the bench chooses which node takes each request. --ocpp is where the
// chargers connect (nginx in a cluster: its hash of the charge point id picks their node; the single node itself).
// Registers --chargers chargers (POST /api/v1/chargers), connects them as raw `ws` OCPP 1.6J clients (Basic auth,
// BootNotification) that answer every GetConfiguration at once, reads which node holds each (GET
// /api/v1/chargers/{id} → connection.node_id) and which node each base is (GET /api/v1/health → node). Then, one
// command at a time, alternating same and other, --count of each:
//   POST /api/v1/chargers/{id}/commands/GetConfiguration through the chosen node, then GET …/commands/{cmdId}
//   (no wait) through the same node every --poll-ms until the row is settled.
// Three figures per command, from the moment the POST is sent:
//   call    the charger has the CALL (the holding node sent it: directly, or after the database's notification)
//   202     the POST's answer is back
//   settled a GET sees the command settled (the charger's answer recorded on its row)
// Why not GET …?wait=: the server polls the row every 100 ms while it waits (chargers_api.c), so every round trip
// read that way is rounded up to the next 100 ms and same and other would look alike. Polling from here every
// --poll-ms costs a few extra reads but shows where the time goes.
// One command at a time, so the figures are latency, not throughput; the chargers answer from memory.
import { writeFileSync } from 'node:fs';
import WebSocket from 'ws';

const a = {};
for (let i = 2; i < process.argv.length; i++) if (process.argv[i].startsWith('--')) a[process.argv[i].slice(2)] = process.argv[++i];
const bases = (a.bases ?? '').split(',').filter(Boolean);
const COUNT = Number(a.count ?? 200);
const K = Number(a.chargers ?? 6);
const POLL = Number(a['poll-ms'] ?? 5);
const prefix = a.prefix ?? 'CMD';
if (!bases.length || !a.ocpp || !a.password || !a.out) {
  console.error('commands: need --bases, --ocpp, --password and --out');
  process.exit(2);
}
const note = (s) => console.error(`commands: ${s}`);
const pause = (ms) => new Promise((r) => setTimeout(r, ms));
const now = () => performance.now();

async function api(base, method, path, { token, body } = {}) {
  const headers = {};
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (token) headers.authorization = `Bearer ${token}`;
  const res = await fetch(base + '/api/v1' + path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  let json;
  try { json = text ? JSON.parse(text) : undefined; } catch { json = undefined; }
  return { status: res.status, json, text };
}
function must(r, status, what) {
  if (r.status !== status) throw new Error(`${what}: ${status} expected, got ${r.status}: ${r.text.slice(0, 300)}`);
  return r.json;
}

// percentiles over the sorted samples (exact: a few hundred values)
function summary(xs) {
  const s = [...xs].sort((x, y) => x - y);
  const p = (q) => (s.length ? s[Math.min(s.length - 1, Math.max(0, Math.ceil(s.length * q) - 1))] : null);
  const r3 = (v) => (v == null ? null : +v.toFixed(3));
  return { n: s.length, p50_ms: r3(p(0.5)), p90_ms: r3(p(0.9)), p99_ms: r3(p(0.99)), max_ms: r3(s.length ? s[s.length - 1] : null) };
}

const result = { bases, count: COUNT, chargers: K, poll_ms: POLL, complete: false };
const save = () => writeFileSync(a.out, JSON.stringify(result, null, 1));

// ---- the nodes: which id answers at each base ----
const nodeOf = {}; // node id → base
for (const b of bases) nodeOf[must(await api(b, 'GET', '/health'), 200, `GET ${b}/api/v1/health`).node] = b;
const login = must(await api(bases[0], 'POST', '/auth/login', { body: { username: 'admin', password: a.password } }), 200, 'login');
const token = login.token;

// ---- the chargers ----
const received = new Map(); // message id (= the command's id) → time the charger had the CALL
const chargers = [];
for (let i = 0; i < K; i++) {
  const cpid = `${prefix}-${process.pid}-${i}`;
  const c = must(await api(bases[i % bases.length], 'POST', '/chargers', { token,
    body: { charge_point_id: cpid, kind: 'dc', payment: 'qr', security_profile: 1, heartbeat_interval: 300 } }), 201, 'POST /chargers');
  chargers.push({ cpid, id: c.id, key: c.authorization_key });
}
let unexpected = 0;
async function connect(ch) {
  const headers = { authorization: 'Basic ' + Buffer.from(`${ch.cpid}:${ch.key}`).toString('base64') };
  const ws = new WebSocket(`${a.ocpp}/${encodeURIComponent(ch.cpid)}`, ['ocpp1.6'], { headers, perMessageDeflate: false });
  await new Promise((res, rej) => { ws.once('open', res); ws.once('error', rej); ws.once('unexpected-response', (_q, r) => rej(new Error(`handshake ${r.statusCode}`))); });
  const booted = new Promise((res) => { ch.onBoot = res; });
  ws.on('message', (data) => {
    const t = now();
    let m;
    try { m = JSON.parse(String(data)); } catch { return; }
    if (m[0] === 3 && m[1] === 'boot') { ch.onBoot(m[2]); return; }
    if (m[0] !== 2) return;
    if (m[2] === 'GetConfiguration') {
      received.set(m[1], t);
      ws.send(JSON.stringify([3, m[1], { configurationKey: [{ key: 'HeartbeatInterval', readonly: false, value: '300' }] }]));
    } else {
      unexpected++; // e.g. a TriggerMessage: answered as not implemented, counted
      ws.send(JSON.stringify([4, m[1], 'NotImplemented', '', {}]));
    }
  });
  ws.on('close', () => { ch.closed = true; });
  ws.send(JSON.stringify([2, 'boot', 'BootNotification', { chargePointVendor: 'Bench', chargePointModel: 'Cmd-1' }]));
  const boot = await booted;
  if (boot.status !== 'Accepted') throw new Error(`${ch.cpid}: BootNotification ${JSON.stringify(boot)}`);
  ch.ws = ws;
}
for (const ch of chargers) await connect(ch);

// where each charger is held (the presence record may follow the handshake by a moment)
const deadline = Date.now() + 30000;
for (const ch of chargers) {
  for (;;) {
    const g = must(await api(bases[0], 'GET', `/chargers/${ch.id}`, { token }), 200, 'GET /chargers/{id}');
    ch.node = g.connection?.node_id ?? null;
    if (ch.node) break;
    if (Date.now() > deadline) throw new Error(`${ch.cpid}: no connection.node_id after 30 s`);
    await pause(50);
  }
  if (!nodeOf[ch.node]) throw new Error(`${ch.cpid} is held by ${ch.node}, none of --bases`);
}
const spread = {};
for (const ch of chargers) spread[ch.node] = (spread[ch.node] ?? 0) + 1;
result.spread = spread;
note(`${K} chargers held: ${Object.entries(spread).map(([n, c]) => `${c} on …${n.slice(-6)}`).join(', ')}`);
const ids = Object.keys(nodeOf);
const kinds = ids.length > 1 ? ['same', 'other'] : ['same'];

// ---- the commands ----
const samples = {};
const failures = {};
for (const k of kinds) samples[k] = { call: [], accepted202: [], settled: [], status: {} };
let rot = 0;
async function one(kind, ch) {
  let node = ch.node;
  if (kind === 'other') { const others = ids.filter((x) => x !== ch.node); node = others[rot++ % others.length]; }
  const base = nodeOf[node];
  const t0 = now();
  const r = await api(base, 'POST', `/chargers/${ch.id}/commands/GetConfiguration`, { token, body: { payload: { key: ['HeartbeatInterval'] }, timeout_s: 30 } });
  const t202 = now();
  if (r.status !== 202) {
    const key = `${kind}: POST ${r.status} ${r.json?.error?.code ?? ''}`.trim();
    failures[key] = (failures[key] ?? 0) + 1;
    return;
  }
  const cmd = r.json;
  let g;
  const end = t0 + 30000;
  for (;;) {
    g = await api(base, 'GET', `/chargers/${ch.id}/commands/${cmd.id}`, { token });
    if (g.status !== 200 || g.json.status !== 'pending' || now() > end) break;
    await pause(POLL);
  }
  const tSettled = now();
  const s = samples[kind];
  const st = g.status === 200 ? g.json.status : `HTTP ${g.status}`;
  s.status[st] = (s.status[st] ?? 0) + 1;
  s.accepted202.push(t202 - t0);
  if (st === 'accepted') s.settled.push(tSettled - t0);
  const tc = received.get(cmd.id);
  if (tc != null) { s.call.push(tc - t0); received.delete(cmd.id); }
}
const t0 = now();
for (let i = 0; i < COUNT; i++) {
  for (const k of kinds) {
    const ch = chargers[(i * kinds.length + kinds.indexOf(k)) % K];
    if (ch.closed) { failures['charger closed'] = (failures['charger closed'] ?? 0) + 1; continue; }
    await one(k, ch);
  }
}
result.seconds = +((now() - t0) / 1000).toFixed(2);
result.kinds = {};
for (const k of kinds) {
  const s = samples[k];
  result.kinds[k] = { call: summary(s.call), accepted202: summary(s.accepted202), settled: summary(s.settled), status: s.status };
  note(`${k}: call p50 ${result.kinds[k].call.p50_ms} ms, settled p50 ${result.kinds[k].settled.p50_ms} ms / p99 ${result.kinds[k].settled.p99_ms} ms, ${JSON.stringify(s.status)}`);
}
result.failures = failures;
result.unexpected_calls = unexpected;
result.complete = true;
save();
for (const ch of chargers) ch.ws.close(1000);
await pause(200);
process.exit(0);

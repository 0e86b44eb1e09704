// bench/ocpp load generator: N simulated OCPP 1.6J chargers against one central system, then a reconnect storm.
// A measurement, not a test: it prints what it saw and never fails because of a number (bench/README.md).
//
//   node bench/ocpp/load.mjs --url ws://127.0.0.1:18490/ocpp --chargers FILE --name fieldgrid --pid PID[,PID…] --out R.json
//        [--count N] [--workers 2] [--ramp 500] [--duration 30] [--heartbeat 30] [--meter 10] [--connectors 2]
//        [--call-timeout 30] [--storm-spread 0] [--storm-timeout 180] [--storms 1] [--ramp-timeout S]
//
// FILE has one charger per line: "<charge point id> <Basic password or ->" (bench/ocpp/register.mjs writes it).
//
// Why raw `ws` and not ocpp-rpc's RPCClient: a charger here needs a handful of CALLs and their answers, nothing
// else. RPCClient adds per client an AJV-backed validator lookup, a call queue, an event buffer, its own ping
// timer and reconnect/backoff machinery; 15,000 of them on the same 2 cores as the server would take CPU and
// memory from the system being measured and add their own latency to every figure. A charger here is one `ws`
// socket (permessage-deflate off, as in ocpp-rpc) plus a small object; OCPP-J framing is three JSON arrays.
//
// Phases (each bounded in time; a global deadline ends everything):
//   ramp    connect at --ramp per second (all workers together); each charger: BootNotification, then one
//           StatusNotification per connector (1..C), then Heartbeat every H s and MeterValues every M s, each
//           with a random first offset. One CALL in flight per connection (OCPP-J synchronicity): a CALL due
//           while another waits is queued. A failed connect is retried after 1-2 s. Ends when all N are booted
//           and have reported status, or at the ramp timeout (N/ramp + 60 s).
//   steady  --duration seconds of heartbeats and meter values from every held charger: answered CALLs per
//           second, reply latency (send to answer, per CALL), timeouts, errors, drops.
//   storm   every worker terminates all its sockets at the same moment (TCP FIN, no close frame: the charger's
//           link dropped) and at once opens them again (--storm-spread ms spreads the reconnects, 0 = all at
//           once); each charger boots and reports status again. Recovery time = from the drop until the last
//           charger has its StatusNotifications answered. Ends at recovery or at --storm-timeout. --storms N
//           repeats it (server RSS and fds after each: a leak grows with every round, fragmentation levels off).
// Server figures come from /proc/PID: VmRSS idle (before the first connection), held (end of steady), after the
// storm; open fds at the same moments; CPU time during steady and storm.
//
// The coordinator forks --workers processes (node:child_process), gives each every K-th charger and drives the
// phases over IPC; workers report histograms that the coordinator merges. Output: a JSON file (--out) that
// bench/ocpp/report.mjs prints as a table; progress goes to stderr.
import { fork } from 'node:child_process';
import { readFileSync, writeFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const now = () => performance.timeOrigin + performance.now(); // wall-clock ms, sub-ms, comparable across processes

// ---------- a log-bucket histogram: 1 % resolution, values in microseconds ----------
const HB = 2100; // 1.01^2100 µs ≈ 1.3e9 µs: beyond any timeout here
const LOGB = Math.log(1.01);
function histNew() { return new Array(HB).fill(0); }
function histAdd(h, ms) {
  const us = Math.max(0, ms * 1000);
  h[Math.min(HB - 1, Math.floor(Math.log(us + 1) / LOGB))]++;
}
function histMerge(a, b) { for (let i = 0; i < HB; i++) a[i] += b[i]; return a; }
function histCount(h) { let n = 0; for (const v of h) n += v; return n; }
function histPct(h, p) { // ms, or null when empty
  const n = histCount(h);
  if (!n) return null;
  const want = Math.max(1, Math.ceil(n * p));
  let c = 0;
  for (let i = 0; i < HB; i++) {
    c += h[i];
    if (c >= want) return (Math.pow(1.01, i + 0.5) - 1) / 1000;
  }
  return null;
}
function histMax(h) { for (let i = HB - 1; i >= 0; i--) if (h[i]) return (Math.pow(1.01, i + 1) - 1) / 1000; return null; }
function histSummary(h) {
  return { n: histCount(h), p50_ms: histPct(h, 0.5), p90_ms: histPct(h, 0.9), p99_ms: histPct(h, 0.99), max_ms: histMax(h) };
}

function parseArgs(argv) {
  const o = {};
  for (let i = 0; i < argv.length; i++) {
    if (!argv[i].startsWith('--')) continue;
    o[argv[i].slice(2)] = argv[i + 1] === undefined || argv[i + 1].startsWith('--') ? '1' : argv[++i];
  }
  return o;
}

// =====================================================================================================
// worker: a share of the chargers
// =====================================================================================================
async function worker() {
  const { default: WebSocket } = await import('ws');
  let cfg, list = [];
  const chargers = [];
  let phase = 'idle';
  let seq = 0;
  const counters = () => ({
    sent: 0, answered: 0, errors: 0, timeouts: 0, queued: 0, skipped: 0, drops: 0, connectFail: {}, byAction: {},
    hist: histNew(), connectHist: histNew(),
  });
  let c = counters();
  const total = { drops: 0, reconnects: 0 };
  let rampStart = 0, rampLaunched = 0, rampTimer = null, readyCount = 0;
  let stormStart = 0, stormPending = 0, stormLastReady = 0, stormTimer = null;
  let stopping = false;

  const send = (m) => process.send?.(m);
  const countFail = (why) => { c.connectFail[why] = (c.connectFail[why] ?? 0) + 1; };

  function frame(id, action, payload) { return JSON.stringify([2, id, action, payload]); }
  function ts() { return new Date().toISOString(); }

  function call(ch, action, payload, done) {
    if (!ch.ws || ch.ws.readyState !== WebSocket.OPEN) return;
    if (ch.pending) {
      if (ch.queue.length >= 8) { c.skipped++; return; }
      c.queued++;
      ch.queue.push([action, payload, done]);
      return;
    }
    const id = String(++seq);
    ch.pending = { id, action, t: performance.now(), done };
    c.sent++;
    ch.ws.send(frame(id, action, payload));
  }
  function next(ch) {
    if (ch.pending || !ch.queue.length) return;
    const [a, p, d] = ch.queue.shift();
    call(ch, a, p, d);
  }

  function onMessage(ch, data) {
    let m;
    try { m = JSON.parse(data); } catch { c.errors++; return; }
    if (!Array.isArray(m)) { c.errors++; return; }
    if (m[0] === 2) { // a CALL from the central system: none is expected here
      ch.ws.send(JSON.stringify([4, m[1], 'NotImplemented', 'bench charger', {}]));
      return;
    }
    const p = ch.pending;
    if (!p || m[1] !== p.id) { c.errors++; return; }
    ch.pending = null;
    const ms = performance.now() - p.t;
    histAdd(c.hist, ms);
    c.answered++;
    const a = (c.byAction[p.action] ??= { n: 0, err: 0, hist: histNew() });
    a.n++;
    histAdd(a.hist, ms);
    if (m[0] !== 3) { c.errors++; a.err++; }
    if (p.done) p.done(m[0] === 3 ? m[2] : null);
    next(ch);
  }

  function stopTimers(ch) {
    clearTimeout(ch.hbT); clearInterval(ch.hbT); clearTimeout(ch.mvT); clearInterval(ch.mvT);
    ch.hbT = ch.mvT = null;
  }
  function heartbeat(ch) { call(ch, 'Heartbeat', {}); }
  function meter(ch) {
    ch.wh += 1 + Math.floor(Math.random() * 50);
    call(ch, 'MeterValues', {
      connectorId: 1,
      meterValue: [{
        timestamp: ts(),
        sampledValue: [
          { value: String(ch.wh), context: 'Sample.Clock', measurand: 'Energy.Active.Import.Register', unit: 'Wh' },
          { value: String(7000 + Math.floor(Math.random() * 400)), context: 'Sample.Clock', measurand: 'Power.Active.Import', unit: 'W' },
        ],
      }],
    });
  }
  function startTimers(ch) {
    stopTimers(ch);
    const H = cfg.heartbeat * 1000, M = cfg.meter * 1000;
    ch.hbT = setTimeout(() => { heartbeat(ch); ch.hbT = setInterval(() => heartbeat(ch), H); }, Math.random() * H);
    ch.mvT = setTimeout(() => { meter(ch); ch.mvT = setInterval(() => meter(ch), M); }, Math.random() * M);
  }

  function ready(ch) {
    if (ch.ready) return;
    ch.ready = true;
    readyCount++;
    startTimers(ch);
    if (phase === 'ramp' && readyCount === chargers.length) send({ ev: 'ramped', at: now() });
    if (phase === 'storm' && ch.stormWait) {
      ch.stormWait = false;
      stormLastReady = now();
      if (--stormPending === 0) stormDone();
    }
  }

  function boot(ch) {
    call(ch, 'BootNotification', {
      chargePointVendor: 'Bench', chargePointModel: 'Load-1', chargePointSerialNumber: ch.cpid.slice(-25),
      firmwareVersion: '1.0.0',
    }, (res) => {
      if (!res || res.status !== 'Accepted') { c.errors++; retryLater(ch, 'boot_not_accepted'); return; }
      let left = cfg.connectors;
      for (let k = 1; k <= cfg.connectors; k++) {
        call(ch, 'StatusNotification', { connectorId: k, errorCode: 'NoError', status: 'Available', timestamp: ts() }, () => {
          if (--left === 0) ready(ch);
        });
      }
    });
  }

  function retryLater(ch, why) {
    countFail(why);
    dropSocket(ch);
    if (stopping) return;
    setTimeout(() => { if (!ch.ws && !stopping) connect(ch); }, 1000 + Math.random() * 1000);
  }

  function dropSocket(ch) {
    stopTimers(ch);
    if (ch.ready) { ch.ready = false; readyCount--; }
    ch.pending = null;
    ch.queue.length = 0;
    const ws = ch.ws;
    ch.ws = null;
    if (ws) { try { ws.terminate(); } catch { /* already gone */ } }
  }

  function connect(ch) {
    if (stopping || now() > cfg.deadline) return;
    const headers = {};
    if (ch.key && ch.key !== '-') headers.authorization = 'Basic ' + Buffer.from(`${ch.cpid}:${ch.key}`).toString('base64');
    const t = performance.now();
    let ws;
    try {
      ws = new WebSocket(`${cfg.url}/${encodeURIComponent(ch.cpid)}`, ['ocpp1.6'], {
        headers, perMessageDeflate: false, handshakeTimeout: 30000, maxPayload: 1 << 20,
      });
    } catch (e) { retryLater(ch, 'exception'); return; }
    ch.ws = ws;
    let opened = false;
    ws.on('open', () => {
      if (ch.ws !== ws) return;
      opened = true;
      histAdd(c.connectHist, performance.now() - t);
      if (ws.protocol !== 'ocpp1.6') countFail('no_subprotocol');
      boot(ch);
    });
    ws.on('message', (data) => { if (ch.ws === ws) onMessage(ch, data); });
    ws.on('unexpected-response', (req, res) => {
      if (ch.ws !== ws) return;
      res.resume();
      retryLater(ch, `http_${res.statusCode}`);
    });
    ws.on('error', (e) => {
      if (ch.ws !== ws) return;
      if (!opened) retryLater(ch, e.code ?? 'error');
    });
    ws.on('close', () => {
      if (ch.ws !== ws) return; // we dropped it ourselves (storm, stop, retry)
      if (!opened) { retryLater(ch, 'closed_before_open'); return; }
      c.drops++; total.drops++; total.reconnects++;
      retryLater(ch, 'dropped');
    });
  }

  // ramp: launch at cfg.rate per second
  function ramp() {
    phase = 'ramp';
    rampStart = performance.now();
    rampTimer = setInterval(() => {
      const due = Math.min(chargers.length, Math.ceil(((performance.now() - rampStart) / 1000) * cfg.rate));
      while (rampLaunched < due) connect(chargers[rampLaunched++]);
      if (rampLaunched >= chargers.length) { clearInterval(rampTimer); rampTimer = null; }
    }, 10);
  }

  function storm() {
    phase = 'storm';
    stormStart = now();
    stormPending = chargers.length;
    for (const ch of chargers) { dropSocket(ch); ch.stormWait = true; }
    const spread = cfg.stormSpread;
    for (const ch of chargers) {
      if (spread > 0) setTimeout(() => connect(ch), Math.random() * spread);
      else connect(ch);
    }
    stormTimer = setTimeout(stormDone, cfg.stormTimeout * 1000);
    if (stormPending === 0) stormDone();
  }
  function stormDone() {
    if (phase !== 'storm') return;
    phase = 'after';
    clearTimeout(stormTimer);
    send({ ev: 'storm', start: stormStart, lastReady: stormLastReady, recovered: chargers.length - stormPending, of: chargers.length });
  }

  // call timeouts: one sweep a second rather than a timer per call
  setInterval(() => {
    const lim = cfg ? cfg.callTimeout * 1000 : 30000, t = performance.now();
    for (const ch of chargers) {
      if (ch.pending && t - ch.pending.t > lim) {
        c.timeouts++;
        const p = ch.pending;
        ch.pending = null;
        if (p.action === 'BootNotification' || p.action === 'StatusNotification') retryLater(ch, 'boot_timeout');
        else next(ch);
      }
    }
  }, 1000).unref();

  // progress to the coordinator
  setInterval(() => send({ ev: 'progress', ready: readyCount, phase }), 1000).unref();

  process.on('message', (m) => {
    if (m.cmd === 'init') {
      cfg = m.cfg;
      list = m.list;
      for (const [cpid, key] of list) chargers.push({ cpid, key, ws: null, pending: null, queue: [], ready: false, hbT: null, mvT: null, wh: 1000 });
      send({ ev: 'ready' });
    } else if (m.cmd === 'ramp') {
      c = counters();
      ramp();
    } else if (m.cmd === 'collect') { // stats since the last collect, then reset
      const cpu = process.cpuUsage();
      send({ ev: 'stats', tag: m.tag, ready: readyCount, of: chargers.length, total, cpu_ms: (cpu.user + cpu.system) / 1000, ...c });
      c = counters();
    } else if (m.cmd === 'storm') {
      storm();
    } else if (m.cmd === 'stop') {
      stopping = true;
      for (const ch of chargers) dropSocket(ch);
      setTimeout(() => process.exit(0), 200);
    }
  });
  process.on('disconnect', () => process.exit(0));
}

// =====================================================================================================
// coordinator
// =====================================================================================================
// pid: one process, or several (an array: the nodes of a cluster, bench/cluster), whose figures are summed
function procStatus(pid) {
  if (Array.isArray(pid)) {
    const all = pid.map(procStatus);
    const sum = (k) => (all.some((x) => x[k] == null) ? null : all.reduce((t, x) => t + x[k], 0));
    return { rss_kb: sum('rss_kb'), fds: sum('fds'), cpu_s: sum('cpu_s') };
  }
  const r = { rss_kb: null, fds: null, cpu_s: null };
  if (!pid) return r;
  try {
    const s = readFileSync(`/proc/${pid}/status`, 'utf8');
    const m = s.match(/^VmRSS:\s+(\d+)\s+kB/m);
    if (m) r.rss_kb = Number(m[1]);
  } catch { return r; }
  try { r.fds = readdirSync(`/proc/${pid}/fd`).length; } catch { /* not ours */ }
  try {
    const st = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = st.slice(st.lastIndexOf(')') + 2).split(' ');
    r.cpu_s = (Number(f[11]) + Number(f[12])) / 100; // utime + stime in clock ticks (USER_HZ is 100 on Linux)
  } catch { /* gone */ }
  return r;
}

async function coordinator(a) {
  const url = a.url, name = a.name ?? 'server', pids = String(a.pid ?? '').split(',').map(Number).filter((x) => x > 0);
  const pid = pids.length > 1 ? pids : pids[0] ?? 0;
  const lines = readFileSync(a.chargers, 'utf8').split('\n').map((l) => l.trim()).filter(Boolean).map((l) => l.split(/\s+/));
  const count = Math.min(Number(a.count ?? lines.length), lines.length);
  const K = Math.max(1, Math.min(Number(a.workers ?? 2), count));
  const rate = Number(a.ramp ?? 500);
  const cfg = {
    url,
    rate: rate / K,
    heartbeat: Number(a.heartbeat ?? 30),
    meter: Number(a.meter ?? 10),
    connectors: Number(a.connectors ?? 2),
    callTimeout: Number(a['call-timeout'] ?? 30),
    stormSpread: Number(a['storm-spread'] ?? 0),
    stormTimeout: Number(a['storm-timeout'] ?? 180),
  };
  const duration = Number(a.duration ?? 30);
  const storms = Math.max(1, Number(a.storms ?? 1));
  const rampTimeout = Number(a['ramp-timeout'] ?? Math.ceil(count / rate) + 60);
  cfg.deadline = now() + (rampTimeout + duration + storms * (cfg.stormTimeout + 5) + 60) * 1000;
  const note = (s) => console.error(`load[${name}]: ${s}`);
  const result = {
    name, url, count, workers: K, ramp_rate: rate, duration_s: duration, heartbeat_s: cfg.heartbeat, meter_s: cfg.meter,
    connectors: cfg.connectors, storm_spread_ms: cfg.stormSpread, storm_rounds: storms, complete: false,
  };
  const out = a.out;
  const save = () => { if (out) writeFileSync(out, JSON.stringify(result, null, 1)); };

  const idle = procStatus(pid);
  result.server = { pid, idle };

  const self = fileURLToPath(import.meta.url);
  const workers = [];
  const progress = new Array(K).fill(0);
  for (let k = 0; k < K; k++) {
    const w = fork(self, ['--worker'], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    w.on('exit', (code) => { if (!w.stopping) note(`worker ${k} exited (${code})`); });
    workers.push(w);
  }
  const waitAll = (ev, filter = () => true) => Promise.all(workers.map((w, k) => new Promise((res) => {
    const h = (m) => { if (m.ev === ev && filter(m)) { w.off('message', h); res(m); } };
    w.on('message', h);
  })));
  const rampedAt = new Array(K).fill(0);
  workers.forEach((w, k) => w.on('message', (m) => {
    if (m.ev === 'progress') progress[k] = m.ready;
    if (m.ev === 'ramped') rampedAt[k] = m.at;
  }));
  const held = () => progress.reduce((x, y) => x + y, 0);
  const collect = async (tag) => {
    const p = waitAll('stats', (m) => m.tag === tag);
    workers.forEach((w) => w.send({ cmd: 'collect', tag }));
    const all = await p;
    const s = { ready: 0, sent: 0, answered: 0, errors: 0, timeouts: 0, queued: 0, skipped: 0, drops: 0, connectFail: {}, byAction: {}, cpu_ms: 0 };
    let hist = histNew(), chist = histNew();
    for (const m of all) {
      for (const k of ['ready', 'sent', 'answered', 'errors', 'timeouts', 'queued', 'skipped', 'drops', 'cpu_ms']) s[k] += m[k];
      for (const [k, v] of Object.entries(m.connectFail)) s.connectFail[k] = (s.connectFail[k] ?? 0) + v;
      for (const [k, v] of Object.entries(m.byAction)) {
        const t = (s.byAction[k] ??= { n: 0, err: 0, hist: histNew() });
        t.n += v.n; t.err += v.err;
        histMerge(t.hist, v.hist);
      }
      histMerge(hist, m.hist);
      histMerge(chist, m.connectHist);
    }
    for (const v of Object.values(s.byAction)) { Object.assign(v, histSummary(v.hist)); delete v.hist; }
    s.latency = histSummary(hist);
    s.connect = histSummary(chist);
    return s;
  };
  const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

  // global deadline: whatever happened, write what we have and stop
  const killer = setTimeout(() => {
    note('global deadline reached: stopping');
    result.deadline_hit = true;
    save();
    for (const w of workers) { w.stopping = true; w.kill('SIGKILL'); }
    process.exit(0);
  }, cfg.deadline - now() + 5000);

  for (let k = 0; k < K; k++) workers[k].send({ cmd: 'init', cfg, list: lines.slice(0, count).filter((_, i) => i % K === k) });
  await waitAll('ready');

  // ---- ramp ----
  note(`ramp: ${count} chargers at ${rate}/s over ${K} worker(s)`);
  const t0 = now();
  workers.forEach((w) => w.send({ cmd: 'ramp' }));
  let lastNote = now();
  while (!rampedAt.every(Boolean) && now() - t0 < rampTimeout * 1000) {
    await sleep(50);
    if (now() - lastNote > 5000) { lastNote = now(); note(`ramp: ${held()}/${count} booted`); }
  }
  const rampS = ((rampedAt.every(Boolean) ? Math.max(...rampedAt) : now()) - t0) / 1000;
  const rampStats = await collect('ramp');
  result.ramp = { seconds: +rampS.toFixed(2), held: rampStats.ready, ...rampStats };
  note(`ramp: ${rampStats.ready}/${count} held after ${rampS.toFixed(1)} s`);
  save();

  // ---- steady ----
  await collect('pre-steady'); // reset counters: the window starts now
  const s0 = now(), cpu0 = procStatus(pid).cpu_s;
  note(`steady: ${duration} s`);
  while (now() - s0 < duration * 1000) { await sleep(Math.min(1000, duration * 1000 - (now() - s0))); }
  const heldNow = procStatus(pid);
  const steady = await collect('steady');
  const sS = (now() - s0) / 1000;
  result.steady = {
    seconds: +sS.toFixed(2), held_end: steady.ready, msgs_per_s: +(steady.answered / sS).toFixed(1),
    offered_per_s: +((steady.ready || count) * (1 / cfg.heartbeat + 1 / cfg.meter)).toFixed(1),
    server_cpu_pct: heldNow.cpu_s != null && cpu0 != null ? +(((heldNow.cpu_s - cpu0) / sS) * 100).toFixed(1) : null,
    ...steady,
  };
  result.server.held = heldNow;
  const n = steady.ready || 1;
  result.server.rss_per_conn_bytes = heldNow.rss_kb != null && idle.rss_kb != null ? Math.round(((heldNow.rss_kb - idle.rss_kb) * 1024) / n) : null;
  note(`steady: ${steady.answered} answered (${result.steady.msgs_per_s}/s), p50 ${steady.latency.p50_ms?.toFixed(2)} ms, p99 ${steady.latency.p99_ms?.toFixed(2)} ms, held ${steady.ready}`);
  save();

  // ---- storm(s) ----
  result.storms = [];
  for (let round = 1; round <= storms; round++) {
    note(`storm${storms > 1 ? ` ${round}/${storms}` : ''}: dropping all ${count} connections at once`);
    const cpuS0 = procStatus(pid).cpu_s;
    const stormWait = waitAll('storm');
    const stormAt = now();
    workers.forEach((w) => w.send({ cmd: 'storm' }));
    const tick = setInterval(() => note(`storm: ${held()}/${count} back`), 5000);
    const st = await stormWait;
    clearInterval(tick);
    const recovered = st.reduce((x, m) => x + m.recovered, 0);
    const lastReady = Math.max(...st.map((m) => m.lastReady || 0));
    const dropAt = Math.min(...st.map((m) => m.start));
    const stormStats = await collect(`storm${round}`);
    await sleep(2000); // let the server free what the old connections held
    const after = procStatus(pid);
    const one = {
      recovered, of: count, complete: recovered === count,
      recovery_s: recovered ? +((lastReady - stormAt) / 1000).toFixed(2) : null,
      drop_skew_ms: +(Math.max(...st.map((m) => m.start)) - dropAt).toFixed(1),
      server_cpu_s: after.cpu_s != null && cpuS0 != null ? +(after.cpu_s - cpuS0).toFixed(2) : null,
      ...stormStats,
    };
    result.storms.push({ recovery_s: one.recovery_s, recovered, rss_kb: after.rss_kb, fds: after.fds });
    if (round === 1) { result.storm = one; result.server.after_storm = after; }
    result.server.after_last_storm = after;
    note(`storm: ${recovered}/${count} back in ${one.recovery_s} s`);
    save();
  }

  workers.forEach((w) => { w.stopping = true; w.send({ cmd: 'stop' }); });
  await Promise.all(workers.map((w) => new Promise((r) => (w.exitCode != null ? r() : w.once('exit', r)))));
  result.complete = true;
  clearTimeout(killer);
  save();
}

const a = parseArgs(process.argv.slice(2));
if (a.worker) {
  worker();
} else {
  if (!a.url || !a.chargers) { console.error('load: need --url and --chargers'); process.exit(2); }
  coordinator(a).catch((e) => { console.error('load:', e); process.exit(1); });
}

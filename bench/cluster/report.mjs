// Prints bench/cluster's side-by-side table from each configuration's directory (run.sh writes them):
//   node bench/cluster/report.mjs CORES DIR_SINGLE DIR_CLUSTER
// load.json (bench/ocpp/load.mjs), commands.json (commands.mjs), register.json, rest.txt, rest_nodes.txt, spread.txt,
// nodes, front, warnings.txt.
import { readFileSync, existsSync } from 'node:fs';
import { join, basename } from 'node:path';

const [cores, ...dirs] = process.argv.slice(2);
const read = (d, f) => (existsSync(join(d, f)) ? readFileSync(join(d, f), 'utf8') : null);
const readJson = (d, f) => { try { return JSON.parse(read(d, f)); } catch { return null; } };
const runs = dirs.map((d) => {
  const restOf = (f) => {
    const rest = {};
    for (const l of (read(d, f) ?? '').split('\n').filter(Boolean)) {
      const [name, rps, p50, p99, bad] = l.split(/\s+/);
      rest[name] = { rps, p50, p99, bad };
    }
    return rest;
  };
  const rest = restOf('rest.txt'), restDirect = restOf('rest_direct.txt');
  const nodes = (read(d, 'nodes') ?? '').trim().split(/\s+/).filter(Boolean);
  const spread = (read(d, 'spread.txt') ?? '').split('\n').filter((l) => l.includes('|')).map((l) => l.split('|'));
  return {
    name: basename(d), load: readJson(d, 'load.json'), cmd: readJson(d, 'commands.json'), reg: readJson(d, 'register.json'),
    rest, restDirect, nodes, spread, front: (read(d, 'front') ?? '?').trim(),
    restNodes: (read(d, 'rest_nodes.txt') ?? '').split('\n').filter(Boolean).map((l) => l.split(' ')[1]),
    warnings: (read(d, 'warnings.txt') ?? '').split('\n').filter(Boolean),
  };
});
const g = (o, path) => path.split('.').reduce((x, k) => (x == null ? undefined : x[k]), o);
const ms = (v) => (v == null ? '?' : v < 1 ? v.toFixed(2) : v < 100 ? v.toFixed(1) : Math.round(v).toString());
const num = (v) => (v == null ? '?' : String(v));
const pp = (r, a, b) => `${ms(g(r, a))} / ${ms(g(r, b))}`;
const cmdRow = (kind, what) => (r) => {
  const k = g(r, `cmd.kinds.${kind}`);
  if (!k) return r.nodes.length > 1 || kind === 'same' ? '?' : '-';
  return `${ms(k[what].p50_ms)} / ${ms(k[what].p99_ms)}`;
};
const restRow = (name, direct) => (r) => {
  const x = (direct ? r.restDirect : r.rest)[name];
  return x ? `${x.rps} (${x.p50} / ${x.p99})${x.bad && x.bad !== '0' ? ` ${x.bad} bad` : ''}` : '-';
};

const rows = [
  ['nodes (front)', (r) => `${r.nodes.length} (${r.nodes.length > 1 ? 'nginx' : 'direct'})`],
  ['registration: chargers/s through the front', (r) => num(g(r, 'reg.per_s'))],
  ['OCPP: chargers held end of ramp / steady', (r) => `${num(g(r, 'load.ramp.held'))} / ${num(g(r, 'load.steady.held_end'))}`],
  ['OCPP: chargers per node (presence records)', (r) => (r.spread.length ? r.spread.map((s) => s[1]).join(' + ') : '?')],
  ['OCPP: ramp s to all booted', (r) => num(g(r, 'load.ramp.seconds'))],
  ['OCPP: WS handshake p50 / p99 ms (ramp)', (r) => pp(r, 'load.ramp.connect.p50_ms', 'load.ramp.connect.p99_ms')],
  ['OCPP: BootNotification p50 / p99 ms (ramp)', (r) => pp(r, 'load.ramp.byAction.BootNotification.p50_ms', 'load.ramp.byAction.BootNotification.p99_ms')],
  ['OCPP steady: messages/s answered (offered)', (r) => `${num(g(r, 'load.steady.msgs_per_s'))} (${num(g(r, 'load.steady.offered_per_s'))})`],
  ['OCPP steady: reply p50 / p99 ms', (r) => pp(r, 'load.steady.latency.p50_ms', 'load.steady.latency.p99_ms')],
  ['OCPP steady: Heartbeat p50 / p99 ms', (r) => pp(r, 'load.steady.byAction.Heartbeat.p50_ms', 'load.steady.byAction.Heartbeat.p99_ms')],
  ['OCPP steady: MeterValues p50 / p99 ms', (r) => pp(r, 'load.steady.byAction.MeterValues.p50_ms', 'load.steady.byAction.MeterValues.p99_ms')],
  ['OCPP steady: timeouts / errors / drops', (r) => `${num(g(r, 'load.steady.timeouts'))} / ${num(g(r, 'load.steady.errors'))} / ${num(g(r, 'load.steady.drops'))}`],
  ['OCPP steady: CPU % of one core, all nodes', (r) => num(g(r, 'load.steady.server_cpu_pct'))],
  ['OCPP: RSS of all nodes, held MiB', (r) => (g(r, 'load.server.held.rss_kb') == null ? '?' : (g(r, 'load.server.held.rss_kb') / 1024).toFixed(1))],
  ['OCPP storm: all dropped, back in s', (r) => `${num(g(r, 'load.storm.recovery_s'))} (${num(g(r, 'load.storm.recovered'))}/${num(g(r, 'load.storm.of'))})`],
  ['command, same node: CALL at charger p50 / p99 ms', cmdRow('same', 'call')],
  ['command, same node: settled p50 / p99 ms', cmdRow('same', 'settled')],
  ['command, other node: CALL at charger p50 / p99 ms', cmdRow('other', 'call')],
  ['command, other node: settled p50 / p99 ms', cmdRow('other', 'settled')],
  ['command: POST 202 p50 same / other ms', (r) => `${ms(g(r, 'cmd.kinds.same.accepted202.p50_ms'))} / ${g(r, 'cmd.kinds.other') ? ms(g(r, 'cmd.kinds.other.accepted202.p50_ms')) : '-'}`],
  ['command: statuses', (r) => Object.entries(g(r, 'cmd.kinds') ?? {}).map(([k, v]) => `${k} ${Object.entries(v.status).map(([s, n]) => `${s} ${n}`).join(' ')}`).join('; ') || '?'],
  ['REST GET /me req/s (p50 / p99)', restRow('me')],
  ['REST GET /chargers?limit=50 req/s (p50 / p99)', restRow('chargers')],
  ['REST GET /me straight to node 1 req/s (p50 / p99)', restRow('me', true)],
  ['REST GET /chargers straight to node 1 req/s', restRow('chargers', true)],
  ['REST: requests per node (access log)', (r) => (r.restNodes.length ? r.restNodes.join(' + ') : '?')],
];
const names = runs.map((r) => (r.name === 'single' ? 'one node' : r.name === 'cluster' ? `${r.nodes.length} nodes + nginx` : r.name));
const w0 = Math.max(...rows.map((r) => r[0].length));
const cols = runs.map((r, i) => Math.max(names[i].length, ...rows.map(([, f]) => f(r).length)));
const line = (cells) => cells.map((c, i) => (i === 0 ? c.padEnd(w0) : c.padStart(cols[i - 1]))).join('   ');
console.log(line([`(${cores} cores)`, ...names]));
for (const [label, f] of rows) console.log(line([label, ...runs.map(f)]));
const notes = [];
for (const r of runs) {
  for (const ph of ['ramp', 'steady', 'storm']) {
    const cf = g(r, `load.${ph}.connectFail`);
    if (cf && Object.keys(cf).length) notes.push(`${r.name} ${ph}: connect failures/retries: ${Object.entries(cf).map(([k, v]) => `${k} ${v}`).join(', ')}`);
  }
  if (r.load && !r.load.complete) notes.push(`${r.name}: the OCPP load did not complete`);
  if (!r.cmd?.complete) notes.push(`${r.name}: the command round trips did not complete`);
  for (const [k, v] of Object.entries(r.cmd?.failures ?? {})) notes.push(`${r.name}: commands: ${k} x${v}`);
  if (r.reg?.failed) notes.push(`${r.name}: ${r.reg.failed} chargers failed to register`);
  for (const w of r.warnings) notes.push(`${r.name}: ${w}`);
}
console.log('');
console.log('CALL at charger: from sending the POST until the charger has the CALL; settled: until a GET (polled every');
console.log(`${runs[0]?.cmd?.poll_ms ?? 5} ms through the same node) shows the answer recorded. Same node: the POST goes to the node holding`);
console.log('the charger; other node: to another node, which hands it over through PostgreSQL (LISTEN/NOTIFY).');
if (Number(cores) <= 4) console.log(`On ${cores} cores the cluster shares the cores of one node: correctness and the cost of routing, not speed-up.`);
if (notes.length) {
  console.log('');
  console.log('notes:');
  for (const n of notes) console.log('  ' + n);
}

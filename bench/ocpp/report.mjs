// Prints bench/ocpp's side-by-side table from the JSON files load.mjs wrote: node bench/ocpp/report.mjs A.json B.json
import { readFileSync, existsSync } from 'node:fs';

const runs = process.argv.slice(2).map((f) => (existsSync(f) ? JSON.parse(readFileSync(f, 'utf8')) : { name: f, missing: true }));
const g = (o, path) => path.split('.').reduce((x, k) => (x == null ? undefined : x[k]), o);
const ms = (v) => (v == null ? '?' : v < 1 ? v.toFixed(2) : v < 100 ? v.toFixed(1) : Math.round(v).toString());
const num = (v) => (v == null ? '?' : String(v));
const mb = (kb) => (kb == null ? '?' : (kb / 1024).toFixed(1));
const fails = (o) => {
  const e = Object.entries(o ?? {}).sort((a, b) => b[1] - a[1]);
  return e.length ? e.map(([k, v]) => `${k} ${v}`).join(', ') : '0';
};

const rows = [
  ['chargers', (r) => num(r.count)],
  ['ramp: seconds to all booted (target rate/s)', (r) => `${num(g(r, 'ramp.seconds'))} (${num(r.ramp_rate)}/s)`],
  ['connections held: end of ramp', (r) => num(g(r, 'ramp.held'))],
  ['connections held: end of steady phase', (r) => num(g(r, 'steady.held_end'))],
  ['connections held: after the storm', (r) => `${num(g(r, 'storm.recovered'))}`],
  ['ramp: WS handshake p50 / p99 ms', (r) => `${ms(g(r, 'ramp.connect.p50_ms'))} / ${ms(g(r, 'ramp.connect.p99_ms'))}`],
  ['ramp: BootNotification p50 / p99 ms', (r) => `${ms(g(r, 'ramp.byAction.BootNotification.p50_ms'))} / ${ms(g(r, 'ramp.byAction.BootNotification.p99_ms'))}`],
  ['ramp: StatusNotification p50 / p99 ms', (r) => `${ms(g(r, 'ramp.byAction.StatusNotification.p50_ms'))} / ${ms(g(r, 'ramp.byAction.StatusNotification.p99_ms'))}`],
  ['steady: messages/s answered (offered)', (r) => `${num(g(r, 'steady.msgs_per_s'))} (${num(g(r, 'steady.offered_per_s'))})`],
  ['steady: reply latency p50 ms', (r) => ms(g(r, 'steady.latency.p50_ms'))],
  ['steady: reply latency p99 ms', (r) => ms(g(r, 'steady.latency.p99_ms'))],
  ['steady: reply latency max ms', (r) => ms(g(r, 'steady.latency.max_ms'))],
  ['steady: Heartbeat p50 / p99 ms', (r) => `${ms(g(r, 'steady.byAction.Heartbeat.p50_ms'))} / ${ms(g(r, 'steady.byAction.Heartbeat.p99_ms'))}`],
  ['steady: MeterValues p50 / p99 ms', (r) => `${ms(g(r, 'steady.byAction.MeterValues.p50_ms'))} / ${ms(g(r, 'steady.byAction.MeterValues.p99_ms'))}`],
  ['steady: timeouts / error replies / drops', (r) => `${num(g(r, 'steady.timeouts'))} / ${num(g(r, 'steady.errors'))} / ${num(g(r, 'steady.drops'))}`],
  ['steady: server CPU % (of one core)', (r) => num(g(r, 'steady.server_cpu_pct'))],
  ['server RSS idle / held MiB', (r) => `${mb(g(r, 'server.idle.rss_kb'))} / ${mb(g(r, 'server.held.rss_kb'))}`],
  ['server RSS per connection KiB', (r) => (g(r, 'server.rss_per_conn_bytes') == null ? '?' : (g(r, 'server.rss_per_conn_bytes') / 1024).toFixed(1))],
  ['server open fds idle / held / after storm', (r) => `${num(g(r, 'server.idle.fds'))} / ${num(g(r, 'server.held.fds'))} / ${num(g(r, 'server.after_storm.fds'))}`],
  ['storm: recovery time s', (r) => num(g(r, 'storm.recovery_s'))],
  ['storm: recovered / chargers', (r) => `${num(g(r, 'storm.recovered'))} / ${num(g(r, 'storm.of'))}`],
  ['storm: WS handshake p50 / p99 ms', (r) => `${ms(g(r, 'storm.connect.p50_ms'))} / ${ms(g(r, 'storm.connect.p99_ms'))}`],
  ['storm: BootNotification p50 / p99 ms', (r) => `${ms(g(r, 'storm.byAction.BootNotification.p50_ms'))} / ${ms(g(r, 'storm.byAction.BootNotification.p99_ms'))}`],
  ['storm: StatusNotification p50 / p99 ms', (r) => `${ms(g(r, 'storm.byAction.StatusNotification.p50_ms'))} / ${ms(g(r, 'storm.byAction.StatusNotification.p99_ms'))}`],
  ['storm: server CPU s', (r) => num(g(r, 'storm.server_cpu_s'))],
  ['server RSS after storm MiB', (r) => mb(g(r, 'server.after_storm.rss_kb'))],
  ...(Math.max(...runs.map((r) => r.storm_rounds ?? 1)) > 1 ? [
    ['storms: recovery s, each round', (r) => (g(r, 'storms') ?? []).map((x) => num(x.recovery_s)).join(', ')],
    ['storms: RSS MiB / fds after each', (r) => (g(r, 'storms') ?? []).map((x) => `${mb(x.rss_kb)}/${num(x.fds)}`).join(', ')],
  ] : []),
  ['load generator CPU s (all phases)', (r) => (g(r, 'storm.cpu_ms') == null ? '?' : (g(r, 'storm.cpu_ms') / 1000).toFixed(1))],
];
const names = runs.map((r) => r.name + (r.missing ? ' (no result)' : r.complete ? '' : ' (incomplete)'));
const w0 = Math.max(...rows.map((r) => r[0].length));
const cols = runs.map((r, i) => Math.max(names[i].length, ...rows.map(([, f]) => (r.missing ? 1 : f(r).length))));
const line = (cells) => cells.map((c, i) => (i === 0 ? c.padEnd(w0) : c.padStart(cols[i - 1]))).join('   ');
console.log(line(['', ...names]));
for (const [label, f] of rows) console.log(line([label, ...runs.map((r) => (r.missing ? '-' : f(r)))]));
const notes = [];
for (const r of runs) {
  if (r.missing) continue;
  for (const ph of ['ramp', 'steady', 'storm']) {
    const cf = g(r, `${ph}.connectFail`);
    if (cf && Object.keys(cf).length) notes.push(`${r.name} ${ph}: connect failures/retries: ${fails(cf)}`);
    const sk = g(r, `${ph}.skipped`);
    if (sk) notes.push(`${r.name} ${ph}: ${sk} CALLs skipped (8 already queued behind an unanswered one)`);
  }
  if (r.deadline_hit) notes.push(`${r.name}: the global deadline ended the run`);
}
if (notes.length) {
  console.log('');
  console.log('notes:');
  for (const n of notes) console.log('  ' + n);
}

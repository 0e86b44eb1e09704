// Registers N chargers in a fresh fieldgrid through the REST API (POST /api/v1/chargers), C requests in flight.
// There is no bulk endpoint and no CLI for chargers, and bench/ocpp does not write SQL behind the server's back:
// each charger is one ordinary create (its own transaction and audit row), as an operator's import would be.
//
//   node bench/ocpp/register.mjs --base http://127.0.0.1:18490 --password PW --count 15000 --out FILE
//        [--concurrency 16] [--connectors 2] [--heartbeat 30] [--security 1] [--prefix BENCH]
//
// Writes one line per charger to FILE: "<charge_point_id> <authorization_key or ->"; prints on stdout a JSON line
// {"registered":N,"failed":F,"seconds":S,"per_s":R}. Exits non-zero when login fails or nothing was registered.
import { writeFileSync } from 'node:fs';

const args = Object.fromEntries(
  process.argv.slice(2).reduce((acc, a, i, all) => (a.startsWith('--') ? [...acc, [a.slice(2), all[i + 1]]] : acc), []),
);
const base = args.base;
const count = Number(args.count ?? 1000);
const concurrency = Number(args.concurrency ?? 16);
const connectors = Number(args.connectors ?? 2);
const heartbeat = Number(args.heartbeat ?? 30);
const security = Number(args.security ?? 1);
const prefix = args.prefix ?? 'BENCH';
if (!base || !args.out || !args.password) {
  console.error('register: need --base, --password and --out');
  process.exit(2);
}

const login = await fetch(`${base}/api/v1/auth/login`, {
  method: 'POST',
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify({ username: 'admin', password: args.password }),
});
if (login.status !== 200) {
  console.error('register: login answered', login.status, await login.text());
  process.exit(1);
}
const { token } = await login.json();

const width = String(count).length;
const lines = new Array(count);
let next = 0, ok = 0, failed = 0, firstError = null;
const t0 = performance.now();
let lastNote = t0;

async function one(i) {
  const cpid = `${prefix}-${String(i + 1).padStart(width, '0')}`;
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const res = await fetch(`${base}/api/v1/chargers`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: JSON.stringify({
          charge_point_id: cpid, kind: 'ac', payment: 'card', vendor: 'Bench', model: 'Load-1',
          connector_count: connectors, heartbeat_interval: heartbeat, security_profile: security,
        }),
      });
      const body = await res.json().catch(() => ({}));
      if (res.status === 201) {
        lines[i] = `${cpid} ${body.authorization_key ?? '-'}`;
        ok++;
        return;
      }
      firstError ??= `HTTP ${res.status} ${JSON.stringify(body).slice(0, 200)}`;
      if (res.status < 500 && res.status !== 429) break;
    } catch (e) {
      firstError ??= String(e?.message ?? e);
    }
  }
  failed++;
}

async function lane() {
  while (next < count) {
    const i = next++;
    await one(i);
    const t = performance.now();
    if (t - lastNote > 5000) {
      lastNote = t;
      console.error(`register: ${ok}/${count} (${Math.round(ok / ((t - t0) / 1000))}/s)`);
    }
  }
}
await Promise.all(Array.from({ length: Math.min(concurrency, count) }, lane));
const seconds = (performance.now() - t0) / 1000;
writeFileSync(args.out, lines.filter(Boolean).join('\n') + '\n');
if (failed) console.error(`register: ${failed} failed; first error: ${firstError}`);
console.log(JSON.stringify({ registered: ok, failed, seconds: +seconds.toFixed(2), per_s: Math.round(ok / seconds), concurrency }));
process.exit(ok > 0 ? 0 : 1);

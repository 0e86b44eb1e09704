#!/usr/bin/env node
// Keeps N chargers of the ledger connected over OCPP 1.6J so the live board moves (issue 14 item 6).
//
//   node tools/ocpp-sim.mjs --url http://127.0.0.1:8080 --user yuanzhigang --password '…' [--chargers 4]
//        [--ids LL01-DC01,BJ02-AC01] [--tick 5] [--start 0.15] [--stop 0.1] [--fault 0.01] [--duration 0]
//
// Each charger boots (BootNotification with its ledger vendor and model), reports every connector Available,
// heartbeats at the interval the server answers, and each tick, per connector: an idle one starts a session with
// probability --start (StatusNotification Charging, StartTransaction with one of the demo's id tags), a charging
// one sends MeterValues and stops with probability --stop (StopTransaction, Available); now and then (--fault) a
// connector reports Faulted, which the server turns into an alarm and a fault case, and recovers a few ticks later.
// The person signing in needs chargers.read and chargers.write (a manager): the simulator gives each charger a new
// AuthorizationKey (POST /chargers/{id}/actions/rotate-key, in force at once, audited) because the demo's keys were
// shown once and not kept. Commands sent from the desk (Reset, ChangeAvailability, TriggerMessage, …) are answered
// Accepted. SIGINT/SIGTERM (or --duration seconds) stops the open sessions and disconnects.
// The password may come from FG_SIM_PASSWORD instead of the command line; the URL from FG_URL.
import { RPCClient } from 'ocpp-rpc';

function args(argv) {
  const o = { url: process.env.FG_URL || 'http://127.0.0.1:8080', user: process.env.FG_SIM_USER || 'yuanzhigang',
    password: process.env.FG_SIM_PASSWORD || '', chargers: 4, ids: '', tick: 5, start: 0.15, stop: 0.1, fault: 0.01,
    duration: 0, seed: 0 };
  for (let i = 2; i < argv.length; i += 2) {
    const k = argv[i].replace(/^--/, '');
    if (!(k in o)) throw new Error(`unknown option --${k}`);
    o[k] = typeof o[k] === 'number' ? Number(argv[i + 1]) : argv[i + 1];
  }
  return o;
}

const opt = args(process.argv);
const base = opt.url.replace(/\/+$/, '');
const log = (...a) => console.log(new Date().toISOString(), ...a);
const TAGS = Array.from({ length: 24 }, (_, i) => `LL${String(i + 1).padStart(6, '0')}`);
const FAULTS = ['InternalError', 'OtherError', 'PowerMeterFailure'];
// a seeded generator when --seed is given (reproducible runs), else Math.random
let s = opt.seed >>> 0;
const rnd = s ? () => { s ^= s << 13; s >>>= 0; s ^= s >>> 17; s ^= s << 5; s >>>= 0; return s / 4294967296; } : Math.random;

async function call(method, path, token, body) {
  const res = await fetch(base + '/api/v1' + path, {
    method, headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const json = await res.json().catch(() => undefined);
  if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${json?.error?.code ?? ''}`);
  return json;
}

async function pickChargers(token) {
  const all = [];
  let cursor = '';
  for (let page = 0; page < 20; page++) {
    const r = await call('GET', `/chargers?limit=200${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`, token);
    all.push(...r.items);
    if (!r.next_cursor) break;
    cursor = r.next_cursor;
  }
  if (opt.ids) {
    const want = opt.ids.split(',').map((x) => x.trim()).filter(Boolean);
    const got = want.map((cp) => all.find((c) => c.charge_point_id === cp || c.id === cp));
    const missing = want.filter((_, i) => !got[i]);
    if (missing.length) throw new Error(`no such chargers: ${missing.join(', ')}`);
    return got;
  }
  return all.sort((a, b) => a.charge_point_id.localeCompare(b.charge_point_id)).slice(0, opt.chargers);
}

const ts = () => new Date().toISOString();

class Sim {
  constructor(charger, key) {
    this.c = charger;
    this.key = key;
    this.meter = 1000000 + Math.floor(rnd() * 500000);
    this.conns = Array.from({ length: charger.connector_count || 1 }, () => ({ state: 'Available', tx: null, faultTicks: 0 }));
    this.power = charger.kind === 'dc' ? (charger.rated_power_kw || 60) * 1000 / this.conns.length : 6600;
  }

  async start() {
    this.cli = new RPCClient({ endpoint: base.replace(/^http/, 'ws') + '/ocpp', identity: this.c.charge_point_id,
      password: this.key, protocols: ['ocpp1.6'], strictMode: true, reconnect: true });
    // commands from the desk: accepted (a simulator has nothing to reset)
    this.cli.handle(({ method }) => {
      log(this.c.charge_point_id, '←', method);
      if (method === 'GetConfiguration') return { configurationKey: [], unknownKey: [] };
      if (method === 'DataTransfer') return { status: 'UnknownVendorId' };
      if (method === 'TriggerMessage' || method === 'ChangeAvailability' || method === 'ChangeConfiguration' ||
          method === 'RemoteStartTransaction' || method === 'RemoteStopTransaction' || method === 'Reset' ||
          method === 'ClearCache' || method === 'UnlockConnector') return method === 'UnlockConnector' ? { status: 'Unlocked' } : { status: 'Accepted' };
      return { status: 'Rejected' };
    });
    await this.cli.connect();
    const boot = await this.cli.call('BootNotification', { chargePointVendor: this.c.vendor || 'SIM',
      chargePointModel: this.c.model || 'SIM-1', firmwareVersion: this.c.firmware || 'sim-1.0' });
    const every = Math.max(10, Math.min(boot.interval || 300, 300)) * 1000;
    this.hb = setInterval(() => this.cli.call('Heartbeat', {}).catch(() => {}), every);
    for (let i = 0; i <= this.conns.length; i++) await this.status(i, 'Available');
    log(this.c.charge_point_id, 'online');
  }

  status(conn, status, errorCode = 'NoError') {
    if (conn > 0) this.conns[conn - 1].state = status;
    return this.cli.call('StatusNotification', { connectorId: conn, status, errorCode, timestamp: ts() });
  }

  async tick() {
    for (let i = 1; i <= this.conns.length; i++) {
      const k = this.conns[i - 1];
      if (k.state === 'Faulted') {
        if (--k.faultTicks <= 0) { await this.status(i, 'Available'); log(this.c.charge_point_id, `#${i} recovered`); }
      } else if (k.state === 'Available') {
        if (rnd() < opt.fault) {
          k.faultTicks = 3 + Math.floor(rnd() * 10);
          const code = FAULTS[Math.floor(rnd() * FAULTS.length)];
          await this.status(i, 'Faulted', code);
          log(this.c.charge_point_id, `#${i} Faulted ${code}`);
        } else if (rnd() < opt.start) {
          const idTag = TAGS[Math.floor(rnd() * TAGS.length)];
          await this.status(i, 'Charging');
          const r = await this.cli.call('StartTransaction', { connectorId: i, idTag, meterStart: this.meter, timestamp: ts() });
          k.tx = { id: r.transactionId, idTag, start: this.meter };
          log(this.c.charge_point_id, `#${i} start tx ${r.transactionId} (${idTag}, ${r.idTagInfo.status})`);
        }
      } else if (k.state === 'Charging' && k.tx) {
        this.meter += Math.round(this.power * (0.6 + 0.3 * rnd()) * opt.tick / 3600);
        await this.cli.call('MeterValues', { connectorId: i, transactionId: k.tx.id, meterValue: [{ timestamp: ts(),
          sampledValue: [{ value: String(this.meter), measurand: 'Energy.Active.Import.Register', unit: 'Wh' }] }] });
        if (rnd() < opt.stop) await this.stopTx(i, 'EVDisconnected');
      }
    }
  }

  async stopTx(i, reason) {
    const k = this.conns[i - 1];
    if (!k.tx) return;
    await this.cli.call('StopTransaction', { transactionId: k.tx.id, idTag: k.tx.idTag, meterStop: this.meter,
      timestamp: ts(), reason });
    log(this.c.charge_point_id, `#${i} stop tx ${k.tx.id}, ${this.meter - k.tx.start} Wh`);
    k.tx = null;
    await this.status(i, 'Available');
  }

  async stop() {
    clearInterval(this.hb);
    for (let i = 1; i <= this.conns.length; i++) await this.stopTx(i, 'Local').catch(() => {});
    await this.cli.close({ code: 1000 }).catch(() => {});
  }
}

async function main() {
  if (!opt.password) throw new Error('--password (or FG_SIM_PASSWORD) is required');
  const { token } = await call('POST', '/auth/login', undefined, { username: opt.user, password: opt.password });
  const chosen = await pickChargers(token);
  if (!chosen.length) throw new Error('no chargers in the ledger (run fieldgrid demo first)');
  const sims = [];
  for (const c of chosen) {
    const r = await call('POST', `/chargers/${c.id}/actions/rotate-key`, token, { push: false });
    sims.push(new Sim(c, r.authorization_key));
  }
  for (const s of sims) await s.start();
  log(`${sims.length} chargers connected; Ctrl-C stops them`);
  let busy = false, done = false;
  const timer = setInterval(async () => {
    if (busy || done) return;
    busy = true;
    for (const s of sims) await s.tick().catch((e) => log(s.c.charge_point_id, 'tick failed:', e.message));
    busy = false;
  }, opt.tick * 1000);
  const finish = async () => {
    if (done) return;
    done = true;
    clearInterval(timer);
    while (busy) await new Promise((r) => setTimeout(r, 50));
    for (const s of sims) await s.stop();
    log('stopped');
    process.exit(0);
  };
  process.on('SIGINT', finish);
  process.on('SIGTERM', finish);
  if (opt.duration > 0) setTimeout(finish, opt.duration * 1000);
}

main().catch((e) => { console.error('ocpp-sim:', e.message); process.exit(1); });

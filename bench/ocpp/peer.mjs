// The Node peer of bench/ocpp: a small OCPP 1.6J central system on ocpp-rpc's RPCServer, answering from memory.
// A protocol-stack baseline (Node + ws + ocpp-rpc), not a product: it accepts any identity and any password,
// stores nothing on disk, and keeps only each charger's last boot, connector status and meter reading in a Map.
//
//   node bench/ocpp/peer.mjs --port 18491 [--host 127.0.0.1] [--interval 30]
//
// Prints "peer listening on HOST:PORT" on stdout once it accepts connections; stops on SIGTERM/SIGINT.
import { createServer } from 'node:http';
import { RPCServer } from 'ocpp-rpc';

const args = Object.fromEntries(
  process.argv.slice(2).reduce((acc, a, i, all) => (a.startsWith('--') ? [...acc, [a.slice(2), all[i + 1]]] : acc), []),
);
const host = args.host ?? '127.0.0.1';
const port = Number(args.port ?? 18491);
const interval = Number(args.interval ?? 30); // BootNotification.conf interval (the heartbeat the chargers use)

// Like fieldgrid: ping only after a minute of silence (fieldgrid: GW_PING_MS 60 s), no strict mode (fieldgrid
// checks the schema of what chargers send itself, but its answers are built by hand: no AJV on the way out).
const server = new RPCServer({
  protocols: ['ocpp1.6'],
  strictMode: false,
  pingIntervalMs: 60000,
  deferPingsOnActivity: true,
  callTimeoutMs: 30000,
});
server.auth((accept) => accept({}));

const chargers = new Map(); // identity -> {boot, status: {connectorId: status}, meter, seen}
let nextTx = 1;
const now = () => new Date().toISOString();

server.on('client', (client) => {
  const id = client.identity;
  let st = chargers.get(id);
  if (!st) chargers.set(id, (st = { boot: null, status: {}, meter: null, seen: 0, online: false }));
  st.online = true;
  st.seen = Date.now();
  client.on('close', () => { st.online = false; });
  client.handle('BootNotification', ({ params }) => {
    st.boot = { vendor: params.chargePointVendor, model: params.chargePointModel, at: Date.now() };
    return { status: 'Accepted', currentTime: now(), interval };
  });
  client.handle('Heartbeat', () => { st.seen = Date.now(); return { currentTime: now() }; });
  client.handle('StatusNotification', ({ params }) => { st.status[params.connectorId] = params.status; return {}; });
  client.handle('MeterValues', ({ params }) => { st.meter = params.meterValue?.[0] ?? null; return {}; });
  client.handle('Authorize', () => ({ idTagInfo: { status: 'Accepted' } }));
  client.handle('StartTransaction', () => ({ transactionId: nextTx++, idTagInfo: { status: 'Accepted' } }));
  client.handle('StopTransaction', () => ({ idTagInfo: { status: 'Accepted' } }));
  client.handle('DataTransfer', () => ({ status: 'UnknownVendorId' }));
  client.handle('DiagnosticsStatusNotification', () => ({}));
  client.handle('FirmwareStatusNotification', () => ({}));
});
server.on('error', (e) => console.error('peer: server error:', e?.message ?? e));

// Our own HTTP server rather than server.listen(), only to pass the listen backlog: Node's default is 511, and
// libmicrohttpd's (fieldgrid) is SOMAXCONN (4096 here); a reconnect storm would otherwise measure the backlogs.
const http = createServer({ noDelay: true }, (req, res) => { res.statusCode = 404; res.end(); });
http.on('upgrade', server.handleUpgrade);
http.on('error', (e) => console.error('peer: http error:', e?.message ?? e));
await new Promise((resolve, reject) => http.listen({ port, host, backlog: 4096 }, (e) => (e ? reject(e) : resolve())));
console.log(`peer listening on ${host}:${port}`);

let stopping = false;
async function stop() {
  if (stopping) process.exit(0);
  stopping = true;
  const t = setTimeout(() => process.exit(0), 3000);
  t.unref();
  try { http.close(); await server.close({ force: true, awaitPending: false }); } catch { /* exiting anyway */ }
  process.exit(0);
}
process.on('SIGTERM', stop);
process.on('SIGINT', stop);

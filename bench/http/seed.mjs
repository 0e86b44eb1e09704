// Tops up the demo company (`fieldgrid demo`) through the REST API so that the lists bench/http reads have a full
// 50-row page: work orders, plans (dated today, so they are also on the supervision board) and chargers with their
// connectors (the live board). Tools need nothing: the demo store already holds two of every kind (60+).
// Every row is an ordinary create with its audit record, as a dispatcher or an operator would make it; no SQL
// behind the server's back.
//
//   node bench/http/seed.mjs --base http://127.0.0.1:18480 --token TOKEN [--orders 80] [--plans 60] [--chargers 60]
//
// Prints one JSON line: the counts afterwards and the date the plans are on.
const args = Object.fromEntries(
  process.argv.slice(2).reduce((acc, a, i, all) => (a.startsWith('--') ? [...acc, [a.slice(2), all[i + 1]]] : acc), []),
);
const base = args.base;
const want = { orders: Number(args.orders ?? 80), plans: Number(args.plans ?? 60), chargers: Number(args.chargers ?? 60) };
if (!base || !args.token) {
  console.error('seed: need --base and --token');
  process.exit(2);
}
const headers = { 'content-type': 'application/json', authorization: `Bearer ${args.token}` };

async function call(method, path, body) {
  const res = await fetch(`${base}/api/v1${path}`, { method, headers, body: body ? JSON.stringify(body) : undefined });
  const data = await res.json().catch(() => ({}));
  if (res.status >= 300) throw new Error(`${method} ${path} answered ${res.status}: ${JSON.stringify(data).slice(0, 300)}`);
  return data;
}
const total = async (path) => (await call('GET', `${path}${path.includes('?') ? '&' : '?'}limit=1`)).total;

// Asia/Shanghai's today, as the board computes it
const today = new Date(Date.now() + 8 * 3600e3).toISOString().slice(0, 10);

// A team with a leader and a crew, taken from a demo plan: new plans reuse them (a leader may lead several jobs).
const demo = (await call('GET', '/plans?limit=50')).items.find((p) => p.crew_ids?.length && p.leader_id);
if (!demo) throw new Error('no demo plan with a crew: run `fieldgrid demo` first');

const kinds = ['lv_meter_install', 'meter_rotation', 'ct_meter_install', 'collection_fault', 'disputed_meter_check'];
async function order(i) {
  return call('POST', '/work-orders', {
    kind: kinds[i % kinds.length], priority: 'normal', source: 'schedule', team_id: demo.team_id,
    customer_name: `压测客户 ${i}`, customer_no: `39000${String(i).padStart(5, '0')}`,
    site_address: `临澜市压测路 ${i} 号表箱`, meter_asset_no: `11009${String(i).padStart(8, '0')}`,
  });
}

// work orders: each new plan takes one of its own; the rest stay unplanned
let nOrders = await total('/work-orders');
let nPlans = await total('/plans');
let seq = 0;
while (nPlans < want.plans) {
  const o = await order(seq++);
  nOrders++;
  await call('POST', '/plans', {
    date: today, team_id: demo.team_id, leader_id: demo.leader_id, crew_ids: demo.crew_ids, work_order_ids: [o.id],
  });
  nPlans++;
}
while (nOrders < want.orders) {
  await order(seq++);
  nOrders++;
}

// chargers on one station, two connectors each (their status rows exist from the create)
let nChargers = await total('/chargers');
if (nChargers < want.chargers) {
  const st = await call('POST', '/stations', { code: `BENCH-${Date.now()}`, name: '压测充电站' });
  for (let i = nChargers; i < want.chargers; i++) {
    await call('POST', '/chargers', {
      charge_point_id: `BENCH-HTTP-${String(i + 1).padStart(4, '0')}`, station_id: st.id, kind: i % 3 ? 'dc' : 'ac',
      payment: 'qr', vendor: 'Bench', model: 'Load-1', connector_count: 2, heartbeat_interval: 60,
    });
  }
}
console.log(JSON.stringify({
  date: today, work_orders: await total('/work-orders'), plans: await total('/plans'), tools: await total('/tools'),
  chargers: await total('/chargers'),
}));

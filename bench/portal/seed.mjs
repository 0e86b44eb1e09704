// Prepares bench/portal: applications taken at the counter through the REST API (ordinary audited creates), then a
// verified customer session the way a customer gets one: a code asked for by the application's number, sent through
// the SMS channel to a real local HTTP receiver (tests/lib/receiver.mjs, the tests' stand-in for the gateway), read
// back from what it received, and traded for a session.
//
//   node bench/portal/seed.mjs --base http://127.0.0.1:18490 --token ADMIN_TOKEN [--apps 60]
//
// Prints one JSON line: {number, customer_token, apps}.
import { startReceiver } from '../../tests/lib/receiver.mjs';

const args = Object.fromEntries(
  process.argv.slice(2).reduce((acc, a, i, all) => (a.startsWith('--') ? [...acc, [a.slice(2), all[i + 1]]] : acc), []),
);
const base = args.base;
const apps = Number(args.apps ?? 60);
if (!base || !args.token) {
  console.error('seed: need --base and --token');
  process.exit(2);
}
const admin = { 'content-type': 'application/json', authorization: `Bearer ${args.token}` };

async function call(method, path, body, headers = admin) {
  const res = await fetch(`${base}/api/v1${path}`, { method, headers, body: body ? JSON.stringify(body) : undefined });
  const data = await res.json().catch(() => ({}));
  if (res.status >= 300) throw new Error(`${method} ${path} answered ${res.status}: ${JSON.stringify(data).slice(0, 300)}`);
  return data;
}

const rx = await startReceiver();
try {
  const sms = (await call('GET', '/notify/channels')).items.find((c) => c.channel === 'sms');
  await call('PUT', '/notify/channels/sms', { version: sms.version, enabled: true, url: `${rx.url}/sms/send` });
  // one customer's residential application, the one the customer follows; the rest fill the desk's list
  const phone = '13912345678';
  let first;
  for (let i = 0; i < apps; i++) {
    const a = await call('POST', '/applications', {
      kind: i % 3 ? 'lv_non_residential' : 'lv_residential', channel: 'counter', applicant_name: `压测客户 ${i}`,
      applicant_phone: i === 0 ? phone : `1380000${String(i).padStart(4, '0')}`, supply_address: `压测路 ${i} 号`,
      voltage_level: i % 3 ? '380V' : '220V', capacity_kva: 8 + i,
    });
    first ??= a;
  }
  const from = rx.requests.length;
  const pub = { 'content-type': 'application/json' };
  await call('POST', '/portal/codes', { number: first.number }, pub);
  const got = await rx.waitFor((r) => rx.requests.indexOf(r) >= from && r.json?.to === phone && r.json?.kind === 'verification_code',
    30000, () => call('POST', '/notify/outbox/actions/run'));
  const code = /(\d{6})/.exec(got[got.length - 1].json.text)[1];
  const s = await call('POST', '/portal/sessions', { number: first.number, code }, pub);
  console.log(JSON.stringify({ number: first.number, customer_token: s.token, apps }));
} finally {
  await rx.close();
}

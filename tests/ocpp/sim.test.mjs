// The charger simulator (tools/ocpp-sim.mjs, issue 14 item 6): started for two chargers of the ledger, they come
// online on the live board and start charging; stopped, it ends their sessions and they go offline.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { api, adminToken, expectStatus, ADMIN_PASSWORD, BASE_URL, LABEL } from '../api/lib.mjs';
import { newCharger, until } from './lib.mjs';

const SIM = fileURLToPath(new URL('../../tools/ocpp-sim.mjs', import.meta.url));

const PATIENCE = 20000; // the simulator works at its own pace (ticks of a second)

test(`${LABEL} ocpp simulator: two chargers online and charging while it runs, sessions stopped and offline after`, async () => {
  const token = await adminToken();
  const a = await newCharger({ kind: 'ac', connector_count: 1 });
  const b = await newCharger({ kind: 'dc', connector_count: 2, rated_power_kw: 60 });
  const sim = spawn(process.execPath, [SIM, '--url', BASE_URL, '--user', 'admin', '--password', ADMIN_PASSWORD, '--ids',
    `${a.cpid},${b.cpid}`, '--tick', '1', '--start', '1', '--stop', '0', '--fault', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  sim.stdout.on('data', (d) => { out += d; });
  sim.stderr.on('data', (d) => { out += d; });
  const exited = new Promise((res) => sim.on('exit', (code) => res(code)));
  try {
    const ids = [a.charger.id, b.charger.id];
    await until('/chargers/live', (j) => {
      const mine = j.items.filter((c) => ids.includes(c.id));
      return mine.length === 2 && mine.every((c) => c.online);
    }, PATIENCE);
    // every connector starts a session on the first tick
    for (const [ch, n] of [[a, 1], [b, 2]]) {
      await until(`/chargers/${ch.charger.id}/transactions`, (j) => j.items.filter((t) => !t.stop_at).length === n, PATIENCE);
      const c = await api('GET', `/chargers/${ch.charger.id}`, { token });
      expectStatus(c, 200);
      assert.ok(c.json.boot_at, 'it booted');
      assert.ok(c.json.connectors.filter((k) => k.connector_id > 0).every((k) => k.status === 'Charging'));
    }
  } finally {
    sim.kill('SIGTERM');
  }
  assert.equal(await exited, 0, `the simulator stops cleanly: ${out}`);
  for (const ch of [a, b]) {
    const res = await api('GET', `/chargers/${ch.charger.id}/transactions`, { token });
    expectStatus(res, 200);
    assert.ok(res.json.items.length >= 1);
    for (const t of res.json.items) {
      assert.ok(t.stop_at, 'its sessions were stopped on the way out');
      assert.equal(t.stop_reason, 'Local');
      assert.ok(t.energy_wh >= 0);
    }
    await until(`/chargers/${ch.charger.id}`, (j) => j.online === false, PATIENCE);
  }
});

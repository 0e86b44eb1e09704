// Firmware campaigns (R4.10): UpdateFirmware goes out charger by charger in batches (never more in flight than
// batch_size), each charger's FirmwareStatusNotification moves its row, and the next BootNotification records the
// version it came back with. Real ocpp-rpc chargers in strict mode.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LABEL, userWithToken, expectError } from '../api/lib.mjs';
import { newCharger, connect, close, api, adminToken, expectStatus, uniq, sleep, now, until } from './lib.mjs';

const FW = 'https://fw.example.cn/dc120-2.5.0.bin';

async function bootedCharger(vendor, model) {
  const ch = await newCharger();
  const cli = await connect(ch);
  ch.cli = cli;
  ch.updates = [];
  cli.handle('UpdateFirmware', ({ params }) => { ch.updates.push(params); return {}; });
  const boot = await cli.call('BootNotification', { chargePointVendor: vendor, chargePointModel: model, firmwareVersion: '2.4.0' });
  assert.equal(boot.status, 'Accepted');
  return ch;
}

const fsn = (ch, status) => ch.cli.call('FirmwareStatusNotification', { status });

async function waitFor(pred, ms = 8000, what = 'condition') {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (pred()) return;
    await sleep(25);
  }
  assert.fail(`timed out waiting for ${what}`);
}

test(`${LABEL} firmware campaign: 3 chargers in batches of 2, statuses tracked, versions from the next boot`, async () => {
  const om = await userWithToken(['om_engineer']);
  const vendor = uniq('XJ');
  const chs = await Promise.all([0, 1, 2].map(() => bootedCharger(vendor, 'DC120')));
  const byId = Object.fromEntries(chs.map((c) => [c.charger.id, c]));
  const outsider = await bootedCharger(uniq('OTHER'), 'AC7');

  // refusals first
  const body = { location: FW, retrieve_at: Date.now(), vendor, batch_size: 2, name: 'DC120 2.5.0' };
  expectError(await api('POST', '/firmware-campaigns', { token: om.token, body: { ...body, location: 'file:///etc/passwd' } }), 400, 'invalid_field', 'location');
  expectError(await api('POST', '/firmware-campaigns', { token: om.token, body: { ...body, batch_size: 0 } }), 400, 'invalid_field', 'batch_size');
  expectError(await api('POST', '/firmware-campaigns', { token: om.token, body: { location: FW, retrieve_at: Date.now() } }), 400, 'missing_field', 'charger_ids');
  expectError(await api('POST', '/firmware-campaigns', { token: om.token, body: { ...body, vendor: uniq('NOBODY') } }), 409, 'firmware_no_chargers');
  expectError(await api('POST', '/firmware-campaigns', { token: (await userWithToken(['viewer'])).token, body }), 403, 'forbidden');

  const made = await api('POST', '/firmware-campaigns', { token: om.token, body });
  expectStatus(made, 201);
  const camp = made.json;
  assert.equal(camp.status, 'running');
  assert.equal(camp.batch_size, 2);
  assert.equal(camp.totals.total, 3);
  assert.deepEqual(camp.chargers.map((c) => c.charger_id).sort(), chs.map((c) => c.charger.id).sort());
  assert.ok(camp.chargers.every((c) => c.firmware_before === '2.4.0'));

  // the first batch: two chargers get UpdateFirmware, the third waits
  await waitFor(() => chs.filter((c) => c.updates.length).length === 2, 8000, 'the first batch');
  await sleep(2500); // a scheduler tick passes: still only two in flight
  const first = chs.filter((c) => c.updates.length === 1);
  const third = chs.find((c) => c.updates.length === 0);
  assert.equal(first.length, 2, 'batch of 2: the third charger is not sent yet');
  assert.ok(third, 'one charger waits for a free slot');
  for (const c of first) {
    assert.equal(c.updates[0].location, FW);
    assert.ok(Date.parse(c.updates[0].retrieveDate) > 0);
  }
  expectError(await api('POST', '/firmware-campaigns', { token: om.token, body: { location: FW, retrieve_at: Date.now(), charger_ids: [third.charger.id] } }),
    409, 'firmware_campaign_overlap');
  assert.equal(outsider.updates.length, 0, 'the filter chose only that vendor');
  const [ok1, bad] = first;

  // the first charger installs; the next one in the queue is sent
  for (const s of ['Downloading', 'Downloaded', 'Installing']) await fsn(ok1, s);
  let got = await until(`/firmware-campaigns/${camp.id}`, (c) => c.chargers.find((x) => x.charger_id === ok1.charger.id).state === 'Installing');
  assert.equal(got.totals.in_flight, 2);
  assert.equal(third.updates.length, 0, 'still no free slot while two are installing');
  await fsn(ok1, 'Installed');
  await waitFor(() => third.updates.length === 1, 8000, 'the third charger to be sent once a slot is free');
  await ok1.cli.call('BootNotification', { chargePointVendor: vendor, chargePointModel: 'DC120', firmwareVersion: '2.5.0' });

  // the second fails to install and comes back on its old version
  for (const s of ['Downloading', 'Downloaded', 'Installing', 'InstallationFailed']) await fsn(bad, s);
  await bad.cli.call('BootNotification', { chargePointVendor: vendor, chargePointModel: 'DC120', firmwareVersion: '2.4.0' });

  // the third installs
  for (const s of ['Downloading', 'Downloaded', 'Installing', 'Installed']) await fsn(third, s);
  await third.cli.call('BootNotification', { chargePointVendor: vendor, chargePointModel: 'DC120', firmwareVersion: '2.5.0' });
  await fsn(outsider, 'Idle'); // not in any campaign: recorded as an event, nothing else

  got = await until(`/firmware-campaigns/${camp.id}`, (c) => c.status === 'done' && c.totals.booted === 3);
  assert.deepEqual({ ...got.totals, by_state: undefined }, { total: 3, queued: 0, in_flight: 0, installed: 2, failed: 1, cancelled: 0, booted: 3, percent: 100, by_state: undefined });
  assert.deepEqual(got.totals.by_state, { Installed: 2, InstallationFailed: 1 });
  const row = (c) => got.chargers.find((x) => x.charger_id === c.charger.id);
  assert.equal(row(ok1).outcome, 'installed');
  assert.equal(row(ok1).firmware_after, '2.5.0');
  assert.equal(row(third).firmware_after, '2.5.0');
  assert.equal(row(bad).outcome, 'failed');
  assert.equal(row(bad).error, 'InstallationFailed');
  assert.equal(row(bad).firmware_after, '2.4.0');
  assert.ok(got.chargers.every((c) => c.command_id && c.sent_at && c.status_at && c.booted_at));
  assert.ok(got.finished_at >= got.created_at);
  assert.equal(row(ok1).firmware, '2.5.0', 'the ledger shows the new version');
  // each charger's UpdateFirmware is a recorded command
  const cmds = (await api('GET', `/chargers/${ok1.charger.id}/commands`, { token: om.token })).json.items;
  assert.ok(cmds.some((c) => c.action === 'UpdateFirmware' && c.status === 'accepted'));
  // the list shows it with its totals; a finished campaign cannot be cancelled
  const list = (await api('GET', '/firmware-campaigns', { token: om.token })).json.items;
  const mine = list.find((c) => c.id === camp.id);
  assert.equal(mine.installed, 2);
  assert.equal(mine.failed, 1);
  expectError(await api('POST', `/firmware-campaigns/${camp.id}/actions/cancel`, { token: om.token, body: {} }), 409, 'invalid_transition');
  const audit = await api('GET', `/audit?entity=firmware_campaign&entity_id=${camp.id}`, { token: await adminToken() });
  assert.deepEqual(audit.json.items.map((a) => a.action).sort(), ['create', 'done']);
  for (const c of [...chs, outsider]) await close(c.cli);
  assert.equal(byId[ok1.charger.id], ok1);
});

test(`${LABEL} firmware campaign: an offline charger fails to send, the rest go on; cancel stops the queue`, async () => {
  const om = await userWithToken(['om_engineer']);
  const vendor = uniq('XJ');
  const online = await bootedCharger(vendor, 'AC7');
  const offline = await newCharger();
  const queued = await bootedCharger(vendor, 'AC7');
  const made = await api('POST', '/firmware-campaigns', { token: om.token, body: {
    location: FW, retrieve_at: Date.now() + 3600e3, charger_ids: [offline.charger.id, online.charger.id, queued.charger.id], batch_size: 1 } });
  expectStatus(made, 201);
  const c = made.json;
  const row = (x, ch) => x.chargers.find((r) => r.charger_id === ch.charger.id);
  assert.equal(row(c, offline).outcome, 'failed');
  assert.equal(row(c, offline).error, 'charger_offline');
  assert.equal(row(c, offline).state, 'send_failed');
  await until(`/chargers/${online.charger.id}/commands`, (l) => l.items.some((x) => x.action === 'UpdateFirmware'));
  assert.equal(online.updates.length, 1);
  assert.ok(Math.abs(Date.parse(online.updates[0].retrieveDate) - c.retrieve_at) < 1000, 'retrieveDate is the campaign\'s retrieve_at');
  const cancelled = await api('POST', `/firmware-campaigns/${c.id}/actions/cancel`, { token: om.token, body: {} });
  expectStatus(cancelled, 200);
  assert.equal(cancelled.json.status, 'cancelled');
  assert.equal(row(cancelled.json, queued).outcome, 'cancelled');
  await sleep(2500);
  assert.equal(queued.updates.length, 0, 'a cancelled campaign sends nothing more');
  // the charger already sent keeps reporting to its row
  await fsn(online, 'Downloading');
  await until(`/firmware-campaigns/${c.id}`, (x) => row(x, online).state === 'Downloading');
  await close(online.cli);
  await close(queued.cli);
});

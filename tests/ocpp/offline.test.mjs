// Offline queues: a charger that lost its connection replays Start, MeterValues and Stop later and in order,
// sometimes twice; a Stop whose Start never arrived is kept; a late StatusNotification does not overwrite a newer one.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LABEL } from '../api/lib.mjs';
import { newCharger, newTag, connect, close, api, adminToken, until, sleep } from './lib.mjs';

test(`${LABEL} ocpp offline replay: a repeated StartTransaction gets the same id and makes one transaction`, async () => {
  const ch = await newCharger();
  const token = await adminToken();
  const tag = await newTag();
  const t0 = new Date(Date.now() - 3 * 3600e3); // hours old: the charger queued it while offline
  const startReq = { connectorId: 1, idTag: tag, meterStart: 52000, timestamp: t0.toISOString() };
  let cli = await connect(ch);
  const first = await cli.call('StartTransaction', startReq);
  await close(cli); // the answer "got lost": the charger retries after reconnecting
  cli = await connect(ch);
  const again = await cli.call('StartTransaction', startReq);
  assert.equal(again.transactionId, first.transactionId);
  // the rest of the queue, in order
  const mv = (min, wh) => ({ connectorId: 1, transactionId: first.transactionId,
    meterValue: [{ timestamp: new Date(t0.getTime() + min * 60e3).toISOString(), sampledValue: [{ value: String(wh) }] }] });
  await cli.call('MeterValues', mv(15, 55000));
  await cli.call('MeterValues', mv(30, 58000));
  await cli.call('MeterValues', mv(30, 58000)); // resent after a lost answer: stored once
  const stopReq = { transactionId: first.transactionId, meterStop: 60500, timestamp: new Date(t0.getTime() + 40 * 60e3).toISOString(), reason: 'Local' };
  await cli.call('StopTransaction', stopReq);
  await cli.call('StopTransaction', { ...stopReq, meterStop: 99999 }); // a replayed Stop changes nothing
  await close(cli);
  const txs = (await api('GET', `/chargers/${ch.charger.id}/transactions`, { token })).json;
  assert.equal(txs.total, 1, 'one transaction row');
  const tx = txs.items[0];
  assert.equal(tx.start_at, t0.getTime());
  assert.equal(tx.meter_stop, 60500);
  assert.equal(tx.energy_wh, 8500);
  assert.equal(tx.meter_value_count, 2);
});

test(`${LABEL} ocpp offline replay: a Stop without its Start is kept as an orphan`, async () => {
  const ch = await newCharger();
  const token = await adminToken();
  const cli = await connect(ch);
  const ghost = 900000 + Math.floor(Math.random() * 90000);
  const r = await cli.call('StopTransaction', { transactionId: ghost, meterStop: 12345, timestamp: new Date(Date.now() - 600e3).toISOString(),
    transactionData: [{ timestamp: new Date(Date.now() - 900e3).toISOString(), sampledValue: [{ value: '12000' }] }] });
  assert.deepEqual(r, {});
  await close(cli);
  const txs = (await api('GET', `/chargers/${ch.charger.id}/transactions`, { token })).json;
  assert.equal(txs.total, 1);
  const o = txs.items[0];
  assert.equal(o.orphan, true);
  assert.equal(o.reported_transaction_id, ghost);
  assert.equal(o.meter_stop, 12345);
  assert.equal(o.start_at, null);
  assert.equal(o.meter_value_count, 1, 'its transactionData is kept too');
});

test(`${LABEL} ocpp offline replay: a late StatusNotification does not overwrite a newer state`, async () => {
  const ch = await newCharger();
  const cli = await connect(ch);
  const t = Date.now();
  await cli.call('StatusNotification', { connectorId: 1, errorCode: 'NoError', status: 'Available', timestamp: new Date(t).toISOString() });
  await cli.call('StatusNotification', { connectorId: 1, errorCode: 'GroundFailure', status: 'Faulted', timestamp: new Date(t - 60e3).toISOString() });
  await close(cli);
  const c = await until(`/chargers/${ch.charger.id}`, (j) => j.connectors.length === 1);
  assert.equal(c.connectors[0].status, 'Available');
  assert.equal(c.connectors[0].error_code, 'NoError');
  await sleep(10);
});

test(`${LABEL} ocpp: a charger cannot stop another charger's transaction`, async () => {
  const a = await newCharger();
  const b = await newCharger();
  const token = await adminToken();
  const tag = await newTag();
  const ca = await connect(a);
  const s = await ca.call('StartTransaction', { connectorId: 1, idTag: tag, meterStart: 0, timestamp: new Date().toISOString() });
  await close(ca);
  const cb = await connect(b);
  await cb.call('StopTransaction', { transactionId: s.transactionId, meterStop: 999999, timestamp: new Date().toISOString() });
  await close(cb);
  const ta = (await api('GET', `/chargers/${a.charger.id}/transactions`, { token })).json.items[0];
  assert.equal(ta.stop_at, null, "A's transaction is still open");
  const tb = (await api('GET', `/chargers/${b.charger.id}/transactions`, { token })).json.items[0];
  assert.equal(tb.orphan, true);
  assert.equal(tb.transaction_id, null, 'the id belongs to A, so B keeps only what it reported');
  assert.equal(tb.reported_transaction_id, s.transactionId);
});

test(`${LABEL} ocpp history: status log and events`, async () => {
  const ch = await newCharger();
  const token = await adminToken();
  const cli = await connect(ch);
  await cli.call('BootNotification', { chargePointVendor: 'V', chargePointModel: 'M' });
  await cli.call('StatusNotification', { connectorId: 1, errorCode: 'NoError', status: 'Available' });
  await cli.call('StatusNotification', { connectorId: 1, errorCode: 'HighTemperature', status: 'Faulted', info: '枪头过温', vendorErrorCode: 'E42' });
  await cli.call('FirmwareStatusNotification', { status: 'Downloading' });
  await close(cli);
  const log = (await api('GET', `/chargers/${ch.charger.id}/status-log`, { token })).json;
  assert.equal(log.total, 2);
  const f = log.items.find((x) => x.status === 'Faulted'); // ids sort by creation time (to the millisecond)
  assert.equal(f.error_code, 'HighTemperature');
  assert.equal(f.vendor_error_code, 'E42');
  assert.equal(f.info, '枪头过温');
  assert.ok(log.items[0].at >= log.items[1].at, 'newest first');
  const ev = await until(`/chargers/${ch.charger.id}/events`, (j) => j.items.some((e) => e.kind === 'disconnected'));
  const kinds = ev.items.map((e) => e.kind);
  assert.deepEqual(kinds.slice().sort(), ['boot', 'connected', 'disconnected', 'firmware_status']);
  assert.ok(ev.items.every((e, i) => i === 0 || ev.items[i - 1].at >= e.at), 'newest first');
  assert.equal(ev.items.find((e) => e.kind === 'boot').payload.chargePointVendor, 'V');
});

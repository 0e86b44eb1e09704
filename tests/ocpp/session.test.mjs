// A charger's day through ocpp-rpc in strict mode: boot → status → authorize → start → meter values → stop,
// checked through the REST API (ledger, connectors, live board, transaction, meter values).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LABEL, userWithToken } from '../api/lib.mjs';
import { newCharger, newTag, connect, close, now, api, adminToken, until, expectStatus } from './lib.mjs';

test(`${LABEL} ocpp: boot, status, authorize, start, meter values, stop — seen through REST`, async () => {
  const ch = await newCharger({ connector_count: 2, heartbeat_interval: 120 });
  const token = await adminToken();
  const tag = await newTag('Accepted');
  const cli = await connect(ch);
  assert.equal(cli.protocol, 'ocpp1.6');

  const boot = await cli.call('BootNotification', {
    chargePointVendor: 'XJ-Power', chargePointModel: 'DC-120', chargePointSerialNumber: 'SN-0042', firmwareVersion: '2.4.1',
  });
  assert.equal(boot.status, 'Accepted');
  assert.equal(boot.interval, 120, 'the interval is the charger row\'s heartbeat interval');
  assert.ok(Math.abs(Date.parse(boot.currentTime) - Date.now()) < 60000);
  const hb = await cli.call('Heartbeat', {});
  assert.ok(Date.parse(hb.currentTime) > 0);

  assert.deepEqual(await cli.call('StatusNotification', { connectorId: 0, errorCode: 'NoError', status: 'Available' }), {});
  assert.deepEqual(await cli.call('StatusNotification', { connectorId: 1, errorCode: 'NoError', status: 'Preparing', timestamp: now() }), {});
  const auth = await cli.call('Authorize', { idTag: tag });
  assert.equal(auth.idTagInfo.status, 'Accepted');

  const start = await cli.call('StartTransaction', { connectorId: 1, idTag: tag, meterStart: 1000, timestamp: now() });
  assert.equal(start.idTagInfo.status, 'Accepted');
  assert.ok(Number.isInteger(start.transactionId) && start.transactionId > 0);
  await cli.call('StatusNotification', { connectorId: 1, errorCode: 'NoError', status: 'Charging', timestamp: now() });
  for (const [i, wh] of [1500, 2200, 3100].entries()) {
    assert.deepEqual(await cli.call('MeterValues', {
      connectorId: 1, transactionId: start.transactionId,
      meterValue: [{ timestamp: new Date(Date.now() + i).toISOString(), sampledValue: [
        { value: String(wh), measurand: 'Energy.Active.Import.Register', unit: 'Wh', context: 'Sample.Periodic' },
        { value: '31.5', measurand: 'Current.Import', unit: 'A', phase: 'L1' },
      ] }],
    }), {});
  }
  // the live board while it charges
  const live = await until('/chargers/live', (j) => j.items.some((c) => c.id === ch.charger.id && c.online));
  const me = live.items.find((c) => c.id === ch.charger.id);
  assert.equal(me.connectors.find((c) => c.connector_id === 1).status, 'Charging');
  assert.ok(me.last_seen_at > Date.now() - 60000);
  assert.ok(live.online >= 1 && live.total >= live.online);

  const stop = await cli.call('StopTransaction', {
    transactionId: start.transactionId, meterStop: 4000, timestamp: now(), idTag: tag, reason: 'EVDisconnected',
    transactionData: [{ timestamp: now(), sampledValue: [{ value: '4000', context: 'Transaction.End' }] }],
  });
  assert.equal(stop.idTagInfo.status, 'Accepted');
  await cli.call('StatusNotification', { connectorId: 1, errorCode: 'NoError', status: 'Finishing' });

  // the ledger learned vendor, model, serial and firmware from the boot
  const c = (await api('GET', `/chargers/${ch.charger.id}`, { token })).json;
  assert.equal(c.vendor, 'XJ-Power');
  assert.equal(c.model, 'DC-120');
  assert.equal(c.serial, 'SN-0042');
  assert.equal(c.firmware, '2.4.1');
  assert.equal(c.online, true);
  assert.ok(c.boot_at > 0);
  assert.equal(c.connectors.find((x) => x.connector_id === 0).status, 'Available');
  assert.equal(c.connectors.find((x) => x.connector_id === 1).status, 'Finishing');
  assert.ok(!('auth_hash' in c) && !('authorization_key' in c), 'the key never comes back');
  const conns = (await api('GET', `/chargers/${ch.charger.id}/connectors`, { token })).json.items;
  assert.equal(conns.length, 2);

  const txs = (await api('GET', `/chargers/${ch.charger.id}/transactions`, { token })).json;
  assert.equal(txs.total, 1);
  const tx = txs.items[0];
  assert.equal(tx.transaction_id, start.transactionId);
  assert.equal(tx.meter_start, 1000);
  assert.equal(tx.meter_stop, 4000);
  assert.equal(tx.energy_wh, 3000);
  assert.equal(tx.stop_reason, 'EVDisconnected');
  assert.equal(tx.orphan, false);
  assert.equal(tx.meter_value_count, 7, '3 × 2 sampled values + 1 in transactionData');
  const full = (await api('GET', `/chargers/${ch.charger.id}/transactions/${tx.id}`, { token })).json;
  const energy = full.meter_values.filter((m) => m.measurand === 'Energy.Active.Import.Register').map((m) => m.value);
  assert.deepEqual(energy, ['1500', '2200', '3100', '4000']);
  assert.equal(full.meter_values.find((m) => m.measurand === 'Current.Import').unit, 'A');

  // other charger messages of the Core profile
  assert.deepEqual(await cli.call('DataTransfer', { vendorId: 'XJ-Power', messageId: 'diag', data: 'x' }), { status: 'UnknownVendorId' });
  assert.deepEqual(await cli.call('DiagnosticsStatusNotification', { status: 'Uploaded' }), {});
  assert.deepEqual(await cli.call('FirmwareStatusNotification', { status: 'Installed' }), {});
  await close(cli);
  await until(`/chargers/${ch.charger.id}`, (j) => j.online === false);
});

test(`${LABEL} ocpp: id tag statuses are business answers, never errors`, async () => {
  const ch = await newCharger();
  const blocked = await newTag('Blocked');
  const expired = await newTag('Accepted', { expiry_at: Date.now() - 86400e3 });
  const fresh = await newTag('Accepted', { expiry_at: Date.now() + 86400e3 });
  const cli = await connect(ch);
  assert.equal((await cli.call('Authorize', { idTag: blocked })).idTagInfo.status, 'Blocked');
  assert.equal((await cli.call('Authorize', { idTag: expired })).idTagInfo.status, 'Expired');
  const ok = (await cli.call('Authorize', { idTag: fresh })).idTagInfo;
  assert.equal(ok.status, 'Accepted');
  assert.ok(Date.parse(ok.expiryDate) > Date.now());
  assert.equal((await cli.call('Authorize', { idTag: 'NO-SUCH-CARD' })).idTagInfo.status, 'Invalid');
  // a start with a bad tag is still answered with an id (the spec: always answer StartTransaction)
  const s = await cli.call('StartTransaction', { connectorId: 1, idTag: 'NO-SUCH-CARD', meterStart: 0, timestamp: now() });
  assert.equal(s.idTagInfo.status, 'Invalid');
  assert.ok(Number.isInteger(s.transactionId));
  await close(cli);
  const txs = (await api('GET', `/chargers/${ch.charger.id}/transactions`, { token: await adminToken() })).json;
  assert.equal(txs.items[0].id_tag_status, 'Invalid');
});

test(`${LABEL} chargers REST: ledger fields, filters, versions, roles`, async () => {
  const token = await adminToken();
  const st = await api('POST', '/stations', { token, body: { code: 'ST' + Date.now(), name: '高新区充电站', address: '科技路 1 号' } });
  expectStatus(st, 201);
  const ch = await newCharger({ station_id: st.json.id, kind: 'ac', payment: 'card', warranty: 'external', vendor: 'V', model: 'M' });
  assert.equal(ch.charger.station_id, st.json.id);
  assert.match(ch.key, /^[0-9a-f]{40}$/);
  const list = (await api('GET', `/chargers?station_id=${st.json.id}`, { token })).json;
  assert.equal(list.total, 1);
  assert.equal((await api('GET', `/chargers?station_id=${st.json.id}&online=true`, { token })).json.total, 0);
  assert.equal((await api('GET', `/chargers?station_id=${st.json.id}&online=false`, { token })).json.total, 1);
  assert.equal((await api('GET', `/stations/${st.json.id}`, { token })).json.charger_count, 1);
  const bad = await api('POST', '/chargers', { token, body: { charge_point_id: 'X1', kind: 'hv', payment: 'qr' } });
  assert.equal(bad.status, 400);
  assert.equal(bad.json.error.details.field, 'kind');
  const dup = await api('POST', '/chargers', { token, body: { charge_point_id: ch.cpid, kind: 'ac', payment: 'qr' } });
  assert.equal(dup.status, 409);
  assert.equal(dup.json.error.code, 'charge_point_id_taken');
  const up = await api('PATCH', `/chargers/${ch.charger.id}`, { token, body: { version: 1, name: '1 号桩', heartbeat_interval: 60 } });
  expectStatus(up, 200);
  assert.equal(up.json.version, 2);
  const stale = await api('PATCH', `/chargers/${ch.charger.id}`, { token, body: { version: 1, name: 'x' } });
  assert.equal(stale.json.error.code, 'version_conflict');
  const rot = await api('POST', `/chargers/${ch.charger.id}/actions/rotate-key`, { token });
  expectStatus(rot, 200);
  assert.notEqual(rot.json.authorization_key, ch.key);
  const audit = (await api('GET', `/audit?entity=charger&entity_id=${ch.charger.id}`, { token })).json;
  assert.ok(audit.items.length >= 3, 'create, update and key rotation are audited');
  assert.ok(!JSON.stringify(audit).includes(rot.json.authorization_key) && !JSON.stringify(audit).includes('b2$'), 'no key or hash in the audit');
});

test(`${LABEL} chargers REST: delete only what never spoke, with If-Match`, async () => {
  const token = await adminToken();
  const st = (await api('POST', '/stations', { token, body: { code: 'DEL' + Date.now(), name: '待删除站' } })).json;
  const quiet = await newCharger({ station_id: st.id });
  const used = await newCharger({ station_id: st.id });
  const cli = await connect(used);
  await cli.call('StatusNotification', { connectorId: 1, errorCode: 'NoError', status: 'Available' });
  await close(cli);
  const noIf = await api('DELETE', `/chargers/${quiet.charger.id}`, { token });
  assert.equal(noIf.status, 400);
  assert.equal(noIf.json.error.details.field, 'If-Match');
  const stale = await api('DELETE', `/chargers/${quiet.charger.id}`, { token, headers: { 'if-match': '7' } });
  assert.equal(stale.json.error.code, 'version_conflict');
  const hist = await api('DELETE', `/chargers/${used.charger.id}`, { token, headers: { 'if-match': '1' } });
  assert.equal(hist.status, 409);
  assert.equal(hist.json.error.code, 'charger_has_history');
  const stBusy = await api('DELETE', `/stations/${st.id}`, { token, headers: { 'if-match': String(st.version) } });
  assert.equal(stBusy.json.error.code, 'station_has_chargers');
  assert.equal((await api('DELETE', `/chargers/${quiet.charger.id}`, { token, headers: { 'if-match': '"1"' } })).status, 204);
  assert.equal((await api('GET', `/chargers/${quiet.charger.id}`, { token })).status, 404);
  const viewer = await userWithToken(['viewer']);
  assert.equal((await api('DELETE', `/stations/${st.id}`, { token: viewer.token, headers: { 'if-match': '1' } })).status, 403);
});

test(`${LABEL} chargers REST: a page of the list carries each charger's connectors as its own read does`, async () => {
  const token = await adminToken();
  const st = await api('POST', '/stations', { token, body: { code: 'SL' + Date.now(), name: '列表站', address: '列表路 2 号' } });
  expectStatus(st, 201);
  const a = await newCharger({ station_id: st.json.id, connector_count: 2 });
  const b = await newCharger({ station_id: st.json.id });
  const c = await newCharger({ station_id: st.json.id }); // never spoke: no connectors
  for (const [ch, reports] of [[a, [[1, 'Available'], [2, 'Charging']]], [b, [[1, 'Faulted']]]]) {
    const cli = await connect(ch);
    await cli.call('BootNotification', { chargePointVendor: 'XJ', chargePointModel: 'AC-7' });
    for (const [id, status] of reports)
      await cli.call('StatusNotification', { connectorId: id, errorCode: status === 'Faulted' ? 'GroundFailure' : 'NoError', status, timestamp: now() });
    await close(cli);
    // recorded by the charger's writer: its own read shows every report
    assert.ok(await until(`/chargers/${ch.charger.id}`, (j) => reports.every(([id, status]) => j.connectors.some((k) => k.connector_id === id && k.status === status))));
  }
  const list = await api('GET', `/chargers?station_id=${st.json.id}&limit=50`, { token });
  expectStatus(list, 200);
  assert.equal(list.json.items.length, 3);
  for (const item of list.json.items) {
    const one = (await api('GET', `/chargers/${item.id}`, { token })).json;
    assert.deepEqual(item.connectors, one.connectors, `the list's connectors of ${item.charge_point_id} are its own`);
  }
  const by = Object.fromEntries(list.json.items.map((x) => [x.id, x.connectors.map((k) => `${k.connector_id}:${k.status}`)]));
  assert.deepEqual(by[a.charger.id], ['1:Available', '2:Charging']);
  assert.deepEqual(by[b.charger.id], ['1:Faulted']);
  assert.deepEqual(by[c.charger.id], []);
});

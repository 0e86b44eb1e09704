// Charging users (R4.7): reservations sent as ReserveNow to a real charger (ocpp-rpc, strict mode) and followed to
// accepted / occupied / used / cancelled / no-show; and the credit rating: a car left on a connector long after its
// session stopped costs its tag credit (counted once), the desk deducts and restores, and below the line the tag is
// blocked — the charger's Authorize answers Blocked — until the score recovers.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { LABEL, userWithToken, expectError } from '../api/lib.mjs';
import { tamper } from '../api/fieldwork_lib.mjs';
import { newCharger, newTag, connect, close, now, api, adminToken, until, expectStatus } from './lib.mjs';

const ago = (min) => new Date(Date.now() - min * 60000).toISOString();

const open = []; // every client, closed at the end even when a test fails (an open socket keeps node running)
after(() => Promise.all(open.map((c) => c.close({ force: true }).catch(() => {}))));

async function bootedCharger(handlers = {}) {
  const ch = await newCharger({ connector_count: 2 });
  const cli = await connect(ch);
  open.push(cli);
  cli.seen = [];
  for (const [action, fn] of Object.entries(handlers)) cli.handle(action, ({ params }) => { cli.seen.push([action, params]); return fn(params); });
  await cli.call('BootNotification', { chargePointVendor: 'XJ-Power', chargePointModel: 'DC-120' });
  // free since well before the sessions these tests date into the past
  for (const c of [1, 2]) await cli.call('StatusNotification', { connectorId: c, errorCode: 'NoError', status: 'Available', timestamp: ago(240) });
  return { ch, cli };
}

test(`${LABEL} reservations: ReserveNow to the charger, accepted, then used by a session with its id; refusals`, async () => {
  const desk = await userWithToken(['dispatcher']);
  const { ch, cli } = await bootedCharger({ ReserveNow: () => ({ status: 'Accepted' }), CancelReservation: () => ({ status: 'Accepted' }) });
  const tag = await newTag('Accepted');
  expectError(await api('POST', '/reservations', { token: desk.token, body: { charger_id: ch.charger.id, connector_id: 3, id_tag: tag, minutes: 30 } }), 400, 'invalid_field', 'connector_id');
  expectError(await api('POST', '/reservations', { token: desk.token, body: { charger_id: ch.charger.id, connector_id: 1, id_tag: tag, minutes: 1 } }), 400, 'invalid_field', 'minutes');
  expectError(await api('POST', '/reservations', { token: desk.token, body: { charger_id: ch.charger.id, connector_id: 1, id_tag: 'NO-SUCH-TAG', minutes: 30 } }), 400, 'invalid_field', 'id_tag');
  const blocked = await newTag('Blocked');
  expectError(await api('POST', '/reservations', { token: desk.token, body: { charger_id: ch.charger.id, connector_id: 1, id_tag: blocked, minutes: 30 } }), 409, 'id_tag_blocked', 'id_tag');

  const made = await api('POST', '/reservations', { token: desk.token, body: { charger_id: ch.charger.id, connector_id: 1, id_tag: tag, minutes: 30 } });
  expectStatus(made, 201);
  const r = await until(`/reservations/${made.json.id}`, (j) => j.status === 'accepted');
  const [action, sent] = cli.seen.find((x) => x[0] === 'ReserveNow');
  assert.equal(action, 'ReserveNow');
  assert.deepEqual([sent.connectorId, sent.idTag, sent.reservationId], [1, tag, r.reservation_id]);
  assert.ok(Math.abs(Date.parse(sent.expiryDate) - r.expiry_at) < 1000);
  // the connector is taken
  expectError(await api('POST', '/reservations', { token: desk.token, body: { charger_id: ch.charger.id, connector_id: 1, id_tag: tag, minutes: 30 } }), 409, 'reservation_overlap');
  // the user arrives: a session with the reservation's id uses it
  const start = await cli.call('StartTransaction', { connectorId: 1, idTag: tag, meterStart: 0, timestamp: now(), reservationId: r.reservation_id });
  const used = await until(`/reservations/${r.id}`, (j) => j.status === 'used');
  assert.equal(used.transaction_id, start.transactionId);
  expectError(await api('POST', `/reservations/${r.id}/actions/cancel`, { token: desk.token }), 409, 'reservation_not_active');

  // another on connector 2, cancelled: CancelReservation goes out with its id
  const b = await api('POST', '/reservations', { token: desk.token, body: { charger_id: ch.charger.id, connector_id: 2, id_tag: tag, minutes: 20 } });
  await until(`/reservations/${b.json.id}`, (j) => j.status === 'accepted');
  const c = await api('POST', `/reservations/${b.json.id}/actions/cancel`, { token: desk.token });
  expectStatus(c, 200);
  assert.equal(c.json.status, 'cancelled');
  await until(`/chargers/${ch.charger.id}/commands`, (j) => j.items.some((x) => x.action === 'CancelReservation' && x.status === 'accepted'));
  assert.equal(cli.seen.find((x) => x[0] === 'CancelReservation')[1].reservationId, b.json.reservation_id);
  const audit = await api('GET', `/audit?entity=reservation&entity_id=${b.json.id}`, { token: await adminToken() });
  assert.ok(audit.json.items.length >= 2);
  await close(cli);
});

test(`${LABEL} reservations: the charger says Occupied; an offline charger's reservation is recorded as failed`, async () => {
  const desk = await userWithToken(['dispatcher']);
  const { ch, cli } = await bootedCharger({ ReserveNow: () => ({ status: 'Occupied' }) });
  const tag = await newTag('Accepted');
  const made = await api('POST', '/reservations', { token: desk.token, body: { charger_id: ch.charger.id, connector_id: 1, id_tag: tag, minutes: 30 } });
  expectStatus(made, 201);
  const r = await until(`/reservations/${made.json.id}`, (j) => j.status === 'occupied');
  assert.equal(r.charger_answer, 'Occupied');
  assert.equal(r.active, false);
  await close(cli);
  const off = await newCharger({ connector_count: 1 });
  const failed = await api('POST', '/reservations', { token: desk.token, body: { charger_id: off.charger.id, connector_id: 1, id_tag: tag, minutes: 30 } });
  expectError(failed, 409, 'charger_offline');
  const rec = await api('GET', `/reservations/${failed.json.error.details.reservation}`, { token: desk.token });
  assert.equal(rec.json.status, 'failed');
  assert.equal(rec.json.failed_reason, 'charger_offline');
});

test(`${LABEL} credit: a car left 90 minutes after its session costs credit once; the desk deducts to a block and restores`, async () => {
  const desk = await userWithToken(['dispatcher']);
  const { ch, cli } = await bootedCharger();
  const tag = await newTag('Accepted');
  // a session that stopped 90 minutes ago; the car stays (Finishing) and leaves now
  const start = await cli.call('StartTransaction', { connectorId: 1, idTag: tag, meterStart: 0, timestamp: ago(150) });
  await cli.call('StatusNotification', { connectorId: 1, errorCode: 'NoError', status: 'Charging', timestamp: ago(150) });
  await cli.call('StopTransaction', { transactionId: start.transactionId, meterStop: 20000, timestamp: ago(90), reason: 'Local' });
  await cli.call('StatusNotification', { connectorId: 1, errorCode: 'NoError', status: 'Finishing', timestamp: ago(90) });
  const left = now();
  await cli.call('StatusNotification', { connectorId: 1, errorCode: 'NoError', status: 'Available', timestamp: left });
  let credit = await until(`/id-tags/${tag}/credit`, (j) => j.events.length === 1);
  assert.equal(credit.events[0].kind, 'occupancy');
  assert.equal(credit.events[0].points, -10);
  assert.ok(credit.events[0].minutes >= 89 && credit.events[0].minutes <= 91, `${credit.events[0].minutes} minutes`);
  assert.equal(credit.score, 90);
  assert.equal(credit.level, 'good');
  // the same status again (a replayed queue) counts nothing more
  await cli.call('StatusNotification', { connectorId: 1, errorCode: 'NoError', status: 'Available', timestamp: left });
  // a short stay (10 minutes) costs nothing
  const s2 = await cli.call('StartTransaction', { connectorId: 2, idTag: tag, meterStart: 0, timestamp: ago(40) });
  await cli.call('StopTransaction', { transactionId: s2.transactionId, meterStop: 5000, timestamp: ago(10), reason: 'Local' });
  await cli.call('StatusNotification', { connectorId: 2, errorCode: 'NoError', status: 'Available', timestamp: now() });
  credit = (await api('GET', `/id-tags/${tag}/credit`, { token: desk.token })).json;
  assert.equal(credit.events.length, 1);

  // the desk deducts for misuse: 90 − 15 = 75 warns, − 20 more = 55 blocks: Authorize answers Blocked
  expectError(await api('POST', `/id-tags/${tag}/credit`, { token: desk.token, body: { kind: 'manual', points: 15 } }), 400, 'missing_field', 'note');
  expectError(await api('POST', `/id-tags/${tag}/credit`, { token: desk.token, body: { kind: 'manual', points: 99, note: 'x' } }), 400, 'invalid_field', 'points');
  let d = await api('POST', `/id-tags/${tag}/credit`, { token: desk.token, body: { kind: 'manual', points: 15, note: '充满后长期占用车位，现场劝离' } });
  expectStatus(d, 201);
  assert.deepEqual([d.json.score, d.json.level, d.json.status], [75, 'warned', 'Accepted']);
  const notes = await api('GET', '/notifications', { token: desk.token });
  assert.ok(notes.json.items.some((n) => n.kind === 'credit' && n.title.includes(tag)), 'the desk is warned');
  d = await api('POST', `/id-tags/${tag}/credit`, { token: desk.token, body: { kind: 'manual', points: 20, note: '再次占位' } });
  assert.deepEqual([d.json.score, d.json.level, d.json.status, d.json.credit_blocked], [55, 'blocked', 'Blocked', true]);
  assert.equal((await cli.call('Authorize', { idTag: tag })).idTagInfo.status, 'Blocked');
  const listed = await api('GET', '/ev-credit?level=blocked', { token: desk.token });
  assert.ok(listed.json.items.some((x) => x.id_tag === tag && x.score === 55), 'on the blocked list');
  expectError(await api('GET', '/ev-credit?level=bad', { token: desk.token }), 400, 'invalid_query', 'level');
  // restoring lifts the credit block
  d = await api('POST', `/id-tags/${tag}/credit`, { token: desk.token, body: { kind: 'restore', points: 25, note: '用户承诺整改，恢复' } });
  assert.deepEqual([d.json.score, d.json.level, d.json.status, d.json.credit_blocked], [80, 'good', 'Accepted', false]);
  assert.equal((await cli.call('Authorize', { idTag: tag })).idTagInfo.status, 'Accepted');
  expectError(await api('POST', `/id-tags/${tag}/credit`, { token: (await userWithToken(['crew'])).token, body: { kind: 'manual', points: 5, note: 'x' } }), 403, 'forbidden');
  await close(cli);
});

test(`${LABEL} credit sweep: a connector still held past the grace and a reservation not used are each counted once`, async () => {
  const admin = await adminToken();
  const desk = await userWithToken(['dispatcher']);
  const { ch, cli } = await bootedCharger({ ReserveNow: () => ({ status: 'Accepted' }) });
  const [holder, sleeper] = [await newTag('Accepted'), await newTag('Accepted')];
  const start = await cli.call('StartTransaction', { connectorId: 1, idTag: holder, meterStart: 0, timestamp: ago(120) });
  await cli.call('StopTransaction', { transactionId: start.transactionId, meterStop: 9000, timestamp: ago(45), reason: 'Local' });
  await cli.call('StatusNotification', { connectorId: 1, errorCode: 'NoError', status: 'Finishing', timestamp: ago(45) });
  const made = await api('POST', '/reservations', { token: desk.token, body: { charger_id: ch.charger.id, connector_id: 2, id_tag: sleeper, minutes: 15 } });
  await until(`/reservations/${made.json.id}`, (j) => j.status === 'accepted');
  // time passes: the reservation's expiry is moved into the past, as the clock would
  tamper(`UPDATE reservations SET expiry_at = ${Date.now() - 60000} WHERE id = '${made.json.id}'`);
  expectError(await api('POST', '/ev-credit/actions/sweep', { token: desk.token }), 403, 'forbidden');
  const sw = await api('POST', '/ev-credit/actions/sweep', { token: admin });
  expectStatus(sw, 200);
  assert.ok(sw.json.events >= 2);
  const h = (await api('GET', `/id-tags/${holder}/credit`, { token: desk.token })).json;
  assert.deepEqual(h.events.map((e) => e.kind), ['occupancy']);
  const s = (await api('GET', `/id-tags/${sleeper}/credit`, { token: desk.token })).json;
  assert.deepEqual(s.events.map((e) => [e.kind, e.points]), [['no_show', -5]]);
  assert.equal((await api('GET', `/reservations/${made.json.id}`, { token: desk.token })).json.status, 'expired');
  // again: nothing new for these two
  await api('POST', '/ev-credit/actions/sweep', { token: admin });
  assert.equal((await api('GET', `/id-tags/${holder}/credit`, { token: desk.token })).json.events.length, 1);
  assert.equal((await api('GET', `/id-tags/${sleeper}/credit`, { token: desk.token })).json.events.length, 1);
  await close(cli);
});

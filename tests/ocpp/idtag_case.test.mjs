// OCPP 1.6 IdToken (CiString20Type) is case-insensitive (issue 9 finding 7): a tag registered as "AbC…" is found
// when a charger sends "abc…", the transaction belongs to the registered tag (its spelling), and the id-tag API
// refuses a second tag that differs only in case. Reservations and credit find the tag in any case too.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { LABEL, userWithToken, expectError } from '../api/lib.mjs';
import { newCharger, connect, close, now, api, adminToken, uniq, expectStatus, until } from './lib.mjs';

const open = [];
after(() => Promise.all(open.map((c) => c.close({ force: true }).catch(() => {}))));

// mixed case, ≤ 20 characters, unique per run
const mixedTag = () => 'AbC' + uniq('').slice(-12).replace(/[a-z]/g, (c, i) => (i % 2 ? c.toUpperCase() : c));

test(`${LABEL} ocpp id tags: matched case-insensitively, stored as given, the transaction belongs to the tag`, async () => {
  const token = await adminToken();
  const tag = mixedTag();
  const made = await api('POST', '/id-tags', { token, body: { id_tag: tag, status: 'Accepted' } });
  expectStatus(made, 201);
  assert.equal(made.json.id_tag, tag, 'stored as given');
  // the same tag in another case is the same tag: a conflict, whichever case
  expectError(await api('POST', '/id-tags', { token, body: { id_tag: tag.toUpperCase() } }), 409, 'id_tag_taken', 'id_tag');
  expectError(await api('POST', '/id-tags', { token, body: { id_tag: tag.toLowerCase() } }), 409, 'id_tag_taken', 'id_tag');

  const ch = await newCharger({ connector_count: 1 });
  const cli = await connect(ch);
  open.push(cli);
  await cli.call('BootNotification', { chargePointVendor: 'XJ-Power', chargePointModel: 'DC-120' });
  const lower = tag.toLowerCase();
  assert.notEqual(lower, tag);
  assert.equal((await cli.call('Authorize', { idTag: lower })).idTagInfo.status, 'Accepted');
  assert.equal((await cli.call('Authorize', { idTag: tag.toUpperCase() })).idTagInfo.status, 'Accepted');
  const ts = now();
  const start = await cli.call('StartTransaction', { connectorId: 1, idTag: lower, meterStart: 10, timestamp: ts });
  assert.equal(start.idTagInfo.status, 'Accepted');
  // a replay in yet another case is the same Start (same id, one transaction)
  const again = await cli.call('StartTransaction', { connectorId: 1, idTag: tag.toUpperCase(), meterStart: 10, timestamp: ts });
  assert.equal(again.transactionId, start.transactionId);
  const stop = await cli.call('StopTransaction', { transactionId: start.transactionId, meterStop: 500, timestamp: now(), idTag: lower });
  assert.equal(stop.idTagInfo.status, 'Accepted');
  const txs = (await api('GET', `/chargers/${ch.charger.id}/transactions`, { token })).json;
  assert.equal(txs.total, 1);
  assert.equal(txs.items[0].id_tag, tag, 'the transaction carries the registered tag');
  assert.equal(txs.items[0].id_tag_status, 'Accepted');
  assert.equal(txs.items[0].stop_id_tag, tag);
  // an unknown tag is still Invalid (nothing matched loosely)
  assert.equal((await cli.call('Authorize', { idTag: tag + 'x' })).idTagInfo.status, 'Invalid');

  // blocking the tag blocks it in every case
  const patched = await api('PATCH', `/id-tags/${made.json.id}`, { token, body: { version: made.json.version, status: 'Blocked' } });
  expectStatus(patched, 200);
  assert.equal((await cli.call('Authorize', { idTag: lower })).idTagInfo.status, 'Blocked');
  await close(cli);
});

test(`${LABEL} reservations and credit find an id tag in any case`, async () => {
  const token = await adminToken();
  const desk = await userWithToken(['dispatcher']);
  const tag = mixedTag();
  expectStatus(await api('POST', '/id-tags', { token, body: { id_tag: tag, status: 'Accepted' } }), 201);
  // credit through the other case: recorded against the registered tag
  const d = await api('POST', `/id-tags/${tag.toLowerCase()}/credit`, { token: desk.token, body: { kind: 'manual', points: 5, note: '大小写不同的卡号' } });
  expectStatus(d, 201);
  assert.equal(d.json.id_tag, tag);
  assert.equal(d.json.events.length, 1);
  const c2 = (await api('GET', `/id-tags/${tag.toUpperCase()}/credit`, { token: desk.token })).json;
  assert.equal(c2.id_tag, tag);
  assert.equal(c2.score, d.json.score);

  const ch = await newCharger({ connector_count: 1 });
  const cli = await connect(ch);
  open.push(cli);
  let sent;
  cli.handle('ReserveNow', ({ params }) => { sent = params; return { status: 'Accepted' }; });
  await cli.call('BootNotification', { chargePointVendor: 'XJ-Power', chargePointModel: 'DC-120' });
  const made = await api('POST', '/reservations', { token: desk.token, body: { charger_id: ch.charger.id, connector_id: 1, id_tag: tag.toLowerCase(), minutes: 30 } });
  expectStatus(made, 201);
  assert.equal(made.json.id_tag, tag, 'the reservation carries the registered tag');
  await until(`/reservations/${made.json.id}`, (j) => j.status === 'accepted');
  assert.equal(sent.idTag, tag);
  const listed = (await api('GET', `/reservations?id_tag=${encodeURIComponent(tag.toUpperCase())}`, { token: desk.token })).json;
  assert.deepEqual(listed.items.map((r) => r.id), [made.json.id]);
  await close(cli);
});

// Idempotency-Key (DESIGN.md §5, §9): a phone replaying its offline outbox gets the first answer again; the work
// happens once.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { api, userWithToken, expectError, expectStatus, uniq, LABEL } from './lib.mjs';

test(`${LABEL} idempotency: a replayed create returns the first answer and creates nothing more`, async () => {
  const d = await userWithToken(['dispatcher']);
  const key = uniq('outbox-');
  const body = { kind: 'meter_rotation', customer_name: uniq('客户') };
  const first = await api('POST', '/work-orders', { token: d.token, body, headers: { 'idempotency-key': key } });
  expectStatus(first, 201);
  assert.equal(first.headers.get('idempotent-replayed'), null);
  const again = await api('POST', '/work-orders', { token: d.token, body, headers: { 'idempotency-key': key } });
  expectStatus(again, 201);
  assert.equal(again.headers.get('idempotent-replayed'), 'true');
  assert.equal(again.json.id, first.json.id);
  const list = await api('GET', `/work-orders?q=${encodeURIComponent(body.customer_name)}`, { token: d.token });
  assert.equal(list.json.total, 1, 'one order, not two');
  // the same key for another request is refused, not silently replayed
  expectError(await api('POST', '/plans', { token: d.token, body: {}, headers: { 'idempotency-key': key } }), 409, 'idempotency_key_reused');
  // keys belong to their user: another person's identical key is theirs alone
  const d2 = await userWithToken(['dispatcher']);
  const other = await api('POST', '/work-orders', { token: d2.token, body, headers: { 'idempotency-key': key } });
  expectStatus(other, 201);
  assert.notEqual(other.json.id, first.json.id);
  expectError(await api('POST', '/work-orders', { token: d.token, body, headers: { 'idempotency-key': 'x'.repeat(101) } }), 400, 'invalid_field', 'Idempotency-Key');
});

test(`${LABEL} idempotency: a refused request replays its refusal; the state does not move twice`, async () => {
  const d = await userWithToken(['dispatcher']);
  const o = await api('POST', '/work-orders', { token: d.token, body: { kind: 'meter_rotation' } });
  const key = uniq('cancel-');
  const c1 = await api('POST', `/work-orders/${o.json.id}/actions/cancel`, { token: d.token, headers: { 'idempotency-key': key } });
  expectStatus(c1, 200);
  const c2 = await api('POST', `/work-orders/${o.json.id}/actions/cancel`, { token: d.token, headers: { 'idempotency-key': key } });
  expectStatus(c2, 200);
  assert.equal(c2.json.version, c1.json.version, 'replayed, not cancelled again');
  const audit = await api('GET', `/audit?entity=work_order&entity_id=${o.json.id}&action=cancel`, { token: (await userWithToken(['supervisor'])).token });
  assert.equal(audit.json.items.length, 1);
});

test(`${LABEL} idempotency: the same keyed write sent many times at once runs once; every copy gets its answer`, async () => {
  // The key is claimed in the transaction of the write it guards: a concurrent copy waits for that commit (the key's
  // primary key on PostgreSQL, the write lock on SQLite) and then answers from the stored row, never 409 or twice.
  const d = await userWithToken(['dispatcher']);
  const key = uniq('burst-');
  const body = { kind: 'meter_rotation', customer_name: uniq('并发') };
  const all = await Promise.all(Array.from({ length: 8 }, () =>
    api('POST', '/work-orders', { token: d.token, body, headers: { 'idempotency-key': key } })));
  for (const r of all) expectStatus(r, 201);
  assert.equal(new Set(all.map((r) => r.json.id)).size, 1, 'one order id in every answer');
  assert.equal(all.filter((r) => r.headers.get('idempotent-replayed') === 'true').length, all.length - 1);
  const list = await api('GET', `/work-orders?q=${encodeURIComponent(body.customer_name)}`, { token: d.token });
  assert.equal(list.json.total, 1, 'one order, not several');
});

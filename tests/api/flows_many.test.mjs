// GET /flows?names=… (docs/api.md "Process engine"): several definitions in one answer, in the order named, as each
// GET /flows/{name} gives it; refusals name the field or the flow.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { api, userWithToken, expectStatus, expectError, LABEL } from './lib.mjs';

test(`${LABEL} flows: several definitions at once, in the order asked, the same as one by one`, async () => {
  const { token } = await userWithToken(['crew']);
  const res = await api('GET', '/flows?names=ticket,work_order,plan', { token });
  expectStatus(res, 200);
  assert.deepEqual(res.json.items.map((d) => d.name), ['ticket', 'work_order', 'plan']);
  for (const d of res.json.items) {
    const one = await api('GET', `/flows/${d.name}`, { token });
    expectStatus(one, 200);
    assert.deepEqual(d, one.json);
  }
  expectError(await api('GET', '/flows?names=ticket,nosuchflow', { token }), 404, 'not_found');
  expectError(await api('GET', '/flows', { token }), 400, 'invalid_query', 'names');
  expectError(await api('GET', '/flows?names=ticket,,plan', { token }), 400, 'invalid_query', 'names');
  const many = Array.from({ length: 21 }, () => 'ticket').join(',');
  expectError(await api('GET', `/flows?names=${many}`, { token }), 400, 'invalid_query', 'names');
  expectError(await api('GET', '/flows?names=ticket'), 401, 'unauthenticated');
});

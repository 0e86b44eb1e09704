// The flow engine's clocks as the API shows them (issue 11 item 2 groundwork): GET /flows/{name} declares a
// deadline's nearly-late warning, and GET /flows/{name}/deadlines/{id} shows an entity's clocks — the working-day
// deadline of a part request with its due day and warning instant (the same days GET /calendar/deadline counts), or,
// when the count runs into a year the calendar does not hold, no instant and why. A fault's paused clock is in
// tests/ocpp/flow_deadlines.test.mjs; the arithmetic across holidays and pauses in tests/unit/test_flow_timers.c.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { api, userWithToken, expectError, expectStatus, uniq, LABEL, MISSING_ID } from './lib.mjs';

test(`${LABEL} flow clocks: the part request's deadline declares its warning; its clock shows due day and warning`, async () => {
  const [keeper, eng, disp, crew] = await Promise.all([userWithToken(['tool_keeper']), userWithToken(['om_engineer']),
    userWithToken(['dispatcher']), userWithToken(['crew'])]);
  const def = await api('GET', '/flows/part_request', { token: crew.token });
  expectStatus(def, 200);
  const requested = def.json.states.find((s) => s.code === 'requested').deadline;
  assert.deepEqual(requested.warn.before, { working_days: 1 });
  assert.equal(requested.warn.notify.kind, 'part_request_nearly_late');
  assert.deepEqual(requested.warn.notify.roles, ['tool_keeper']);
  assert.equal(def.json.process_deadline, undefined, 'no whole-process limit declared for part requests');

  const p = await api('POST', '/parts', { token: keeper.token, body: { code: uniq('CLK-'), name: '充电模块 30kW', category: 'module', unit: '个' } });
  expectStatus(p, 201);
  const d = await api('POST', '/part-depots', { token: keeper.token, body: { name: uniq('时钟测试库-'), location: '临澜市' } });
  expectStatus(d, 201);
  const wo = await api('POST', '/work-orders', { token: disp.token, body: { kind: 'charger_repair', customer_name: '临澜充电站', site_address: '滨江路 1 号' } });
  expectStatus(wo, 201);
  const req = await api('POST', '/part-requests', { token: eng.token, body: { work_order_id: wo.json.id, depot_id: d.json.id, lines: [{ part_id: p.json.id, qty: 1 }] } });
  expectStatus(req, 201);

  const clocks = await api('GET', `/flows/part_request/deadlines/${req.json.id}`, { token: keeper.token });
  expectStatus(clocks, 200);
  const c = clocks.json.state;
  assert.equal(clocks.json.process, null);
  assert.equal(clocks.json.items.length, 1);
  assert.equal(c.kind, 'state');
  assert.equal(c.state, 'requested');
  assert.equal(c.status, 'running');
  assert.equal(c.count_wd, 2);
  assert.equal(c.late, false);
  assert.equal(c.nearly_late, false);
  assert.equal(c.paused_at, null);
  // the same count the calendar gives a client: two working days from the request's day; warned when one is left
  const two = await api('GET', `/calendar/deadline?start=${c.count_from}&working_days=2`, { token: crew.token });
  if (two.status === 200) {
    assert.equal(c.due_at, two.json.deadline);
    assert.equal(c.due_day, two.json.deadline_day);
    assert.equal(c.due_unknown, null);
    const one = await api('GET', `/calendar/deadline?start=${c.count_from}&working_days=1`, { token: crew.token });
    expectStatus(one, 200);
    assert.equal(c.warn_at, one.json.deadline + 1);
  } else {
    // requested in the last days of the last year the calendar holds: the instant waits for next year's notice
    const err = expectError(two, 409, 'calendar_year_unknown');
    assert.equal(c.due_at, null);
    assert.equal(c.due_day, null);
    assert.deepEqual(c.due_unknown, { code: 'calendar_year_unknown', year: err.details.year });
  }

  // leaving the state ends the clock
  const cancel = await api('POST', `/part-requests/${req.json.id}/actions/cancel`, { token: eng.token });
  expectStatus(cancel, 200);
  const after = (await api('GET', `/flows/part_request/deadlines/${req.json.id}`, { token: keeper.token })).json;
  assert.equal(after.state, null);
  assert.equal(after.items[0].status, 'ended');

  // the entity's own read permission applies; unknown entities and flows are 404
  expectError(await api('GET', `/flows/part_request/deadlines/${req.json.id}`, { token: crew.token }), 403, 'forbidden');
  expectError(await api('GET', `/flows/part_request/deadlines/${MISSING_ID}`, { token: keeper.token }), 404, 'not_found');
  expectError(await api('GET', `/flows/no_such_flow/deadlines/${req.json.id}`, { token: keeper.token }), 404, 'not_found');
});

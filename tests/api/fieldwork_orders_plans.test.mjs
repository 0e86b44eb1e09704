// Field work, part 1: work orders (R3.2) and plans published to the crew (R3.2, R2.5), driven by the flow
// engine (processes as data): every refused transition names why, every change is audited.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  api, adminToken, userWithToken, createOrgUnit, expectError, expectStatus, expectList, uniq, LABEL,
} from './lib.mjs';

const today = () => new Date(Date.now() + 8 * 3600e3).toISOString().slice(0, 10); // Asia/Shanghai

async function dispatcher() { return userWithToken(['dispatcher']); }

async function newOrder(token, fields = {}) {
  const res = await api('POST', '/work-orders', {
    token,
    body: { kind: 'lv_meter_install', customer_name: '李建国', customer_no: '3100' + Date.now() % 1e6,
      site_address: '临澜市滨江路 18 号 3 单元表箱', meter_asset_no: '33' + Date.now() % 1e8, priority: 'high', ...fields },
  });
  expectStatus(res, 201);
  return res.json;
}

async function crewOf(n) {
  const people = [];
  for (let i = 0; i < n; i++) people.push(await userWithToken(['crew']));
  return people;
}

test(`${LABEL} work order: created with a readable number, defaults, and an audit record`, async () => {
  const d = await dispatcher();
  const o = await newOrder(d.token);
  assert.match(o.number, /^GD\d{8}-\d{4}$/);
  assert.equal(o.status, 'new');
  assert.equal(o.priority, 'high');
  assert.equal(o.source, 'manager');
  assert.match(o.title, /李建国/);
  assert.equal(o.plan_id, null);
  const a = await api('GET', `/audit?entity=work_order&entity_id=${o.id}`, { token: await adminToken() });
  expectStatus(a, 200);
  assert.equal(a.json.items[0].action, 'create');
  assert.equal(a.json.items[0].actor_id, d.user.id);
});

test(`${LABEL} work order: bad kind, priority and source are refused with the field named`, async () => {
  const d = await dispatcher();
  expectError(await api('POST', '/work-orders', { token: d.token, body: { kind: 'fly_kite' } }), 400, 'invalid_field', 'kind');
  expectError(await api('POST', '/work-orders', { token: d.token, body: { kind: 'meter_rotation', priority: 'asap' } }), 400, 'invalid_field', 'priority');
  expectError(await api('POST', '/work-orders', { token: d.token, body: { kind: 'meter_rotation', source: 'rumour' } }), 400, 'invalid_field', 'source');
  expectError(await api('POST', '/work-orders', { token: d.token, body: {} }), 400, 'missing_field', 'kind');
});

test(`${LABEL} work order: crew may read but not create; filters by status and kind`, async () => {
  const d = await dispatcher();
  const crew = await userWithToken(['crew']);
  expectError(await api('POST', '/work-orders', { token: crew.token, body: { kind: 'meter_rotation' } }), 403, 'forbidden');
  const o = await newOrder(d.token, { kind: 'collection_fault' });
  const list = await api('GET', '/work-orders?status=new&kind=collection_fault&limit=200', { token: crew.token });
  expectList(list);
  assert.ok(list.json.items.some((x) => x.id === o.id));
  assert.ok(list.json.items.every((x) => x.status === 'new' && x.kind === 'collection_fault'));
});

test(`${LABEL} work order: PATCH with version; stale version refused; cancel and reopen through actions`, async () => {
  const d = await dispatcher();
  const o = await newOrder(d.token);
  const p = await api('PATCH', `/work-orders/${o.id}`, { token: d.token, body: { version: o.version, priority: 'urgent' } });
  expectStatus(p, 200);
  assert.equal(p.json.priority, 'urgent');
  assert.equal(p.json.version, o.version + 1);
  expectError(await api('PATCH', `/work-orders/${o.id}`, { token: d.token, body: { version: o.version, priority: 'low' } }), 409, 'version_conflict');
  const c = await api('POST', `/work-orders/${o.id}/actions/cancel`, { token: d.token });
  expectStatus(c, 200);
  assert.equal(c.json.status, 'cancelled');
  // not allowed from cancelled: the refusal names the state and what is allowed
  const again = await api('POST', `/work-orders/${o.id}/actions/cancel`, { token: d.token });
  expectError(again, 409, 'invalid_transition');
  assert.equal(again.json.error.details.state, 'cancelled');
  assert.deepEqual(again.json.error.details.allowed, ['reopen']);
  const r = await api('POST', `/work-orders/${o.id}/actions/reopen`, { token: d.token });
  expectStatus(r, 200);
  assert.equal(r.json.status, 'new');
  expectError(await api('POST', `/work-orders/${o.id}/actions/teleport`, { token: d.token }), 404, 'not_found');
});

async function draftPlan(d, extra = {}) {
  const team = await createOrgUnit('team');
  const leader = await userWithToken(['leader']);
  const crew = await crewOf(2);
  const o1 = await newOrder(d.token);
  const o2 = await newOrder(d.token, { kind: 'ct_meter_install' });
  const res = await api('POST', '/plans', {
    token: d.token,
    body: { date: today(), team_id: team.id, leader_id: leader.user.id, crew_ids: crew.map((c) => c.user.id),
      work_order_ids: [o1.id, o2.id], ...extra },
  });
  expectStatus(res, 201);
  return { plan: res.json, leader, crew, orders: [o1, o2], team };
}

test(`${LABEL} plan: drafted from orders with crew; risk comes from the riskiest work kind`, async () => {
  const d = await dispatcher();
  const { plan, leader, crew, orders } = await draftPlan(d);
  assert.match(plan.number, /^JH\d{8}-\d{4}$/);
  assert.equal(plan.status, 'draft');
  assert.equal(plan.leader.id, leader.user.id);
  assert.deepEqual([...plan.crew_ids].sort(), crew.map((c) => c.user.id).sort());
  assert.deepEqual([...plan.work_order_ids].sort(), orders.map((o) => o.id).sort());
  assert.ok(Number.isInteger(plan.risk_level) && plan.risk_level >= 1 && plan.risk_level <= 5);
  assert.match(plan.title, /李建国/);
  assert.equal(plan.place, orders[0].site_address);
});

test(`${LABEL} plan: refuses a leader without the leader role, unknown crew and an order already planned`, async () => {
  const d = await dispatcher();
  const team = await createOrgUnit('team');
  const notLeader = await userWithToken(['crew']);
  const o = await newOrder(d.token);
  const base = { date: today(), team_id: team.id, crew_ids: [], work_order_ids: [o.id] };
  expectError(await api('POST', '/plans', { token: d.token, body: { ...base, leader_id: notLeader.user.id } }), 400, 'invalid_field', 'leader_id');
  const leader = await userWithToken(['leader']);
  expectError(await api('POST', '/plans', { token: d.token, body: { ...base, leader_id: leader.user.id, crew_ids: ['00000000-0000-7000-8000-000000000000'] } }), 400, 'invalid_field', 'crew_ids');
  expectError(await api('POST', '/plans', { token: d.token, body: { ...base, leader_id: leader.user.id, date: '2026-02-30' } }), 400, 'invalid_field', 'date');
  // publish one plan with the order, then another plan cannot take it
  const p1 = await api('POST', '/plans', { token: d.token, body: { ...base, leader_id: leader.user.id } });
  expectStatus(p1, 201);
  expectStatus(await api('POST', `/plans/${p1.json.id}/actions/publish`, { token: d.token }), 200);
  expectError(await api('POST', '/plans', { token: d.token, body: { ...base, leader_id: leader.user.id } }), 400, 'invalid_field', 'work_order_ids');
});

test(`${LABEL} plan: publish sends it to every member's job list and marks the orders planned`, async () => {
  const d = await dispatcher();
  const { plan, leader, crew, orders } = await draftPlan(d);
  // before publishing, the crew sees nothing
  const before = await api('GET', '/me/jobs', { token: crew[0].token });
  expectStatus(before, 200);
  assert.ok(!before.json.items.some((j) => j.id === plan.id));
  // a crew member cannot publish
  const refused = await api('POST', `/plans/${plan.id}/actions/publish`, { token: crew[0].token });
  expectError(refused, 403, 'forbidden');
  const pub = await api('POST', `/plans/${plan.id}/actions/publish`, { token: d.token });
  expectStatus(pub, 200);
  assert.equal(pub.json.status, 'published');
  assert.ok(pub.json.published_at > 0);
  for (const who of [leader, ...crew]) {
    const jobs = await api('GET', '/me/jobs', { token: who.token });
    const job = jobs.json.items.find((j) => j.id === plan.id);
    assert.ok(job, `${who.user.username} sees the plan`);
    assert.equal(job.my_role, who === leader ? 'leader' : 'crew');
    assert.equal(job.work_orders.length, 2);
  }
  for (const o of orders) {
    const got = await api('GET', `/work-orders/${o.id}`, { token: d.token });
    assert.equal(got.json.status, 'planned');
    assert.equal(got.json.plan_id, plan.id);
  }
  // a published plan's crew and orders do not change behind the crew's back
  expectError(await api('PATCH', `/plans/${plan.id}`, { token: d.token, body: { version: pub.json.version, title: 'x' } }), 409, 'invalid_transition');
  // an order on a published plan cannot be cancelled: the gate names the plan
  const c = await api('POST', `/work-orders/${orders[0].id}/actions/cancel`, { token: d.token });
  expectError(c, 409, 'order_in_active_plan');
  assert.equal(c.json.error.details.gates[0].plan_id, plan.id);
  // each transition is in the audit log with before and after
  const a = await api('GET', `/audit?entity=plan&entity_id=${plan.id}&action=publish`, { token: await adminToken() });
  assert.equal(a.json.items.length, 1);
  assert.equal(a.json.items[0].before.status, 'draft');
  assert.equal(a.json.items[0].after.status, 'published');
});

test(`${LABEL} plan: cancel gives the orders back; the flow is described for the UI`, async () => {
  const d = await dispatcher();
  const { plan, orders } = await draftPlan(d);
  expectStatus(await api('POST', `/plans/${plan.id}/actions/publish`, { token: d.token }), 200);
  const c = await api('POST', `/plans/${plan.id}/actions/cancel`, { token: d.token });
  expectStatus(c, 200);
  assert.equal(c.json.status, 'cancelled');
  for (const o of orders) assert.equal((await api('GET', `/work-orders/${o.id}`, { token: d.token })).json.status, 'new');
  const f = await api('GET', '/flows/plan', { token: d.token });
  expectStatus(f, 200);
  assert.ok(f.json.states.some((s) => s.code === 'published' && s.name_zh === '已发布'));
});

test(`${LABEL} plan: publishing an empty plan is refused by its gate`, async () => {
  const d = await dispatcher();
  const { plan } = await draftPlan(d);
  // take the orders off by cancelling them through another route: drop them from the draft
  const got = await api('GET', `/plans/${plan.id}`, { token: d.token });
  const o = got.json.work_order_ids;
  for (const id of o) expectStatus(await api('POST', `/work-orders/${id}/actions/cancel`, { token: d.token }), 200);
  const pub = await api('POST', `/plans/${plan.id}/actions/publish`, { token: d.token });
  expectError(pub, 409, 'plan_orders_unavailable');
  assert.equal(pub.json.error.details.gates.length, 1);
  assert.equal(pub.json.error.details.gates[0].work_orders.length, 2);
});

test(`${LABEL} directory: dispatchers list teams and people by role without admin rights; crew too, read-only`, async () => {
  const d = await dispatcher();
  const team = await createOrgUnit('team');
  const leader = await userWithToken(['leader'], { org_unit_id: team.id });
  const units = await api('GET', '/directory/org-units?kind=team', { token: d.token });
  expectStatus(units, 200);
  assert.ok(units.json.items.some((u) => u.id === team.id));
  const ppl = await api('GET', `/directory/people?role=leader&org_unit_id=${team.id}`, { token: d.token });
  expectStatus(ppl, 200);
  assert.deepEqual(ppl.json.items.map((u) => u.id), [leader.user.id]);
  assert.equal(ppl.json.items[0].last_login_at, undefined, 'account details stay out of the directory');
  // the admin-only endpoints stay admin-only
  expectError(await api('GET', '/users', { token: d.token }), 403, 'forbidden');
  expectError(await api('GET', '/org-units', { token: d.token }), 403, 'forbidden');
});

test(`${LABEL} flow actions answer with the actions possible next`, async () => {
  const d = await dispatcher();
  const o = await newOrder(d.token);
  const c = await api('POST', `/work-orders/${o.id}/actions/cancel`, { token: d.token });
  expectStatus(c, 200);
  assert.deepEqual(c.json.actions, ['reopen']);
});

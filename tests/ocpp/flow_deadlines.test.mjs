// Processes as data (issue 10): GET /flows/{name} shows what each transition needs and each state's deadline; a
// fault's SLA is the fault flow's deadline, its clock stops while the fault waits on the customer, and the
// escalation it fires is done by the system actor, in the audit log like a person's.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LABEL, userWithToken, expectError } from '../api/lib.mjs';
import { newCharger, api, adminToken, expectStatus } from './lib.mjs';

const H = 3600e3;

test(`${LABEL} flows: the description shows requirements (roles, relations, fields, reason, stamps) and deadlines`, async () => {
  const u = await userWithToken(['crew']);
  const fault = await api('GET', '/flows/fault', { token: u.token });
  expectStatus(fault, 200);
  const state = (code) => fault.json.states.find((s) => s.code === code);
  const tr = (def, action) => def.transitions.find((t) => t.action === action);
  assert.deepEqual(state('triage').deadline, { at: 'escalate_at', on_expiry: { escalate: true } });
  assert.equal(state('resolved').deadline, undefined);
  assert.equal(tr(fault.json, 'start').who.relation, 'assignee_id');
  assert.ok(tr(fault.json, 'cancel').reason);
  assert.deepEqual(tr(fault.json, 'note').fields, { text: 'text' });
  assert.equal(tr(fault.json, 'wait_customer').pause, true);
  const defect = (await api('GET', '/flows/defect', { token: u.token })).json;
  assert.equal(tr(defect, 'close').fields.resolution.type, 'text');
  assert.deepEqual(tr(defect, 'close').stamps, { closed_by: 'actor', closed_at: 'now', resolution: 'body.resolution' });
  assert.equal(defect.states.find((s) => s.code === 'open').deadline.at, 'due_at');
  const parts = (await api('GET', '/flows/part_request', { token: u.token })).json;
  assert.deepEqual(parts.states.find((s) => s.code === 'requested').deadline.after, { working_days: 2 });
  assert.equal(tr((await api('GET', '/flows/plan', { token: u.token })).json, 'start').who.relation, 'leader_id');
  expectError(await api('GET', '/flows/no_such_flow', { token: u.token }), 404, 'not_found');
});

test(`${LABEL} flows: a fault waiting on the customer stops its SLA clock; the escalation is the system actor's`, async () => {
  const admin = await adminToken();
  const disp = await userWithToken(['dispatcher']);
  const ch = await newCharger();
  const body = { channel: 'phone', reporter_name: '赵女士', contact: '13900000000', charger_id: ch.charger.id, connector_id: 1, category: 'cannot_charge', description: '无法启动充电' };
  const r = (await api('POST', '/service-desk/reports', { token: disp.token, body })).json;
  const d = await api('POST', `/service-desk/reports/${r.id}/actions/classify`, { token: disp.token, body: { classification: 'dispatch' } });
  expectStatus(d, 200);
  const id = d.json.fault_id;
  let f = (await api('GET', `/faults/${id}`, { token: disp.token })).json;
  const due = f.escalate_at;
  assert.ok(f.actions.includes('wait_customer'));

  // a pause needs its reason
  expectError(await api('POST', `/faults/${id}/actions/wait_customer`, { token: disp.token, body: {} }), 409, 'reason_required');
  expectStatus(await api('POST', `/faults/${id}/actions/wait_customer`, { token: disp.token, body: { reason: '客户不在现场，约定明日' } }), 200);
  // the fault's clock says it stands still, why, and how long was left (an hours deadline: wall-clock time)
  let clk = await api('GET', `/flows/fault/deadlines/${id}`, { token: disp.token });
  expectStatus(clk, 200);
  assert.equal(clk.json.state.status, 'paused');
  assert.equal(clk.json.state.pause_reason, '客户不在现场，约定明日');
  assert.ok(clk.json.state.remaining.ms > 0 && clk.json.state.remaining.ms <= due - clk.json.state.paused_at + 1000);
  // the SLA passes while paused: nothing escalates
  const s1 = await api('POST', '/faults/actions/run', { token: admin, body: { fault_id: id, at: Date.now() + 30 * H } });
  expectStatus(s1, 200);
  assert.equal(s1.json.escalated, 0, 'the clock stopped while waiting on the customer');
  // the customer is back: the clock runs again from where it stopped
  const back = await api('POST', `/faults/${id}/actions/customer_back`, { token: disp.token, body: {} });
  expectStatus(back, 200);
  assert.ok(back.json.escalate_at >= due, 'the deadline moved by the time it was paused');
  assert.equal(back.json.level, 0);
  clk = (await api('GET', `/flows/fault/deadlines/${id}`, { token: disp.token })).json;
  assert.equal(clk.state.status, 'running');
  assert.equal(clk.state.pause_reason, null);
  assert.equal(clk.state.due_at, back.json.escalate_at, 'the clock and the fault show one instant');
  const s2 = await api('POST', '/faults/actions/run', { token: admin, body: { fault_id: id, at: back.json.escalate_at + 1000 } });
  assert.equal(s2.json.escalated, 1);
  f = (await api('GET', `/faults/${id}`, { token: disp.token })).json;
  assert.equal(f.level_code, 'technical');
  assert.ok(f.notes.some((n) => n.kind === 'note' && /等待客户/.test(n.text)));
  // the automatic escalation is an audit record by the system actor, like a person's
  const trail = (await api('GET', `/audit?entity=fault&entity_id=${id}&limit=50`, { token: admin })).json.items;
  const esc = trail.filter((a) => a.action === 'escalate');
  assert.ok(esc.length >= 1);
  assert.ok(esc.every((a) => a.actor_id === 'system'), `escalated by the system actor (${esc.map((a) => a.actor_id)})`);
  assert.ok(trail.some((a) => a.action === 'wait_customer' && a.actor_id === disp.user.id));
  // and a flow event, in the fault's history beside the people's, with the pause's reason
  const hist = await api('GET', `/flows/fault/history/${id}`, { token: disp.token });
  expectStatus(hist, 200);
  const acts = hist.json.items.map((e) => `${e.action}:${e.actor_id}`);
  assert.ok(acts.includes(`wait_customer:${disp.user.id}`), acts.join(' '));
  assert.ok(acts.includes('escalate:system'), acts.join(' '));
  assert.equal(hist.json.items.find((e) => e.action === 'wait_customer').reason, '客户不在现场，约定明日');
  assert.ok(hist.json.items.every((e, i, a) => i === 0 || a[i - 1].at <= e.at), 'oldest first');
  // the fault's work order follows it through the work-order module, and the order's history says so
  const eng = await userWithToken(['om_engineer']);
  expectStatus(await api('POST', `/faults/${id}/actions/dispatch`, { token: disp.token, body: { assignee_id: eng.user.id } }), 200);
  f = (await api('GET', `/faults/${id}`, { token: disp.token })).json;
  assert.ok(f.work_order_id, 'a fault case has its work order');
  const wo = await api('GET', `/flows/work_order/history/${f.work_order_id}`, { token: admin });
  expectStatus(wo, 200);
  assert.ok(wo.json.items.some((e) => e.action === 'fault_sync' && e.actor_id === disp.user.id && e.from_state !== e.to_state),
    JSON.stringify(wo.json.items));
  // who may not read faults may not read their history; an unknown entity or flow is 404
  const keeper = await userWithToken(['tool_keeper']);
  expectError(await api('GET', `/flows/fault/history/${id}`, { token: keeper.token }), 403, 'forbidden');
  expectError(await api('GET', `/flows/fault/history/no-such-fault`, { token: disp.token }), 404, 'not_found');
  expectError(await api('GET', `/flows/no_such_flow/history/${id}`, { token: disp.token }), 404, 'not_found');
});

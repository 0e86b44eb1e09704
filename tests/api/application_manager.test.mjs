// One customer manager (R2.6, R2.7; issue 11 item 6; docs/api.md "Customer manager"): every HV application has
// one, a user holding the customer_manager role, assigned or reassigned (with a reason) under audit; an HV
// application is not accepted without one. Outage and power-on requests go through that person only, with the
// customer's confirmation recorded (who, how, when); power_on needs a confirmed power-on request. The manager's
// queue lists their applications with what needs doing and the requests waiting for the customer.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { api, expectError, expectStatus, LABEL, MISSING_ID, userWithToken } from './lib.mjs';
import { appStaff, createApplication, act, walk } from './lib_applications.mjs';
import { uploadEvidence } from './lib_acceptance.mjs';

const assign = (token, app, body) => api('PUT', `/applications/${app.id}/customer-manager`, { token, body });
const request = (token, app, body) => api('POST', `/applications/${app.id}/manager-requests`, { token, body });
const confirm = (token, app, r, body) => api('POST', `/applications/${app.id}/manager-requests/${r.id}/confirm`, { token, body });
const cancel = (token, app, r, body) => api('POST', `/applications/${app.id}/manager-requests/${r.id}/cancel`, { token, body });
const gate = (res, code) => res.json.error.details.gates.find((x) => x.code === code);
const queue = (token, q = '') => api('GET', `/customer-manager/queue${q}`, { token });

test(`${LABEL} customer manager: one per HV application, assigned and reassigned under audit; accept needs one`, async () => {
  const staff = await appStaff();
  const { counter, cm, disp } = staff;
  const cm2 = await userWithToken(['customer_manager']);
  const app = await createApplication(counter.token, 'hv_single');
  assert.equal(app.customer_manager_id, null);
  const refused = await act(counter.token, app.id, 'accept');
  expectError(refused, 409, 'application_manager_required');
  assert.equal(gate(refused, 'application_manager_required').track, 'hv_single');
  // only a customer manager can be one
  const wrong = await assign(counter.token, app, { user_id: disp.user.id });
  expectError(wrong, 409, 'customer_manager_role_required');
  assert.equal(wrong.json.error.details.user_id, disp.user.id);
  expectError(await assign(counter.token, app, { user_id: MISSING_ID }), 409, 'customer_manager_role_required');
  const a1 = await assign(counter.token, app, { user_id: cm.user.id });
  expectStatus(a1, 200);
  assert.equal(a1.json.customer_manager_id, cm.user.id);
  assert.equal(a1.json.customer_manager_name, cm.user.display_name);
  assert.equal(a1.json.previous_id, null);
  // a reassignment says why
  expectError(await assign(counter.token, app, { user_id: cm2.user.id }), 400, 'missing_field', 'reason');
  const a2 = await assign(counter.token, app, { user_id: cm2.user.id, reason: '原客户经理调岗' });
  expectStatus(a2, 200);
  assert.equal(a2.json.previous_id, cm.user.id);
  const got = await api('GET', `/applications/${app.id}`, { token: counter.token });
  assert.equal(got.json.customer_manager_id, cm2.user.id);
  const sup = await userWithToken(['supervisor']);
  const trail = (await api('GET', `/audit?entity=application&entity_id=${app.id}&action=assign_manager`, { token: sup.token })).json.items;
  assert.deepEqual(trail.map((e) => [e.actor_id, e.before.customer_manager_id, e.after.customer_manager_id]),
    [[counter.user.id, cm.user.id, cm2.user.id], [counter.user.id, null, cm.user.id]]);
  assert.equal(trail[0].after.reason, '原客户经理调岗');
  // the new manager is told in the app
  const told = (await api('GET', '/notifications?limit=200', { token: cm2.token })).json.items
    .filter((n) => n.kind === 'application_manager_assigned' && n.entity_id === app.id);
  assert.equal(told.length, 1);
  assert.ok(told[0].title.includes(app.number));
  // the same again changes nothing
  const same = await assign(counter.token, app, { user_id: cm2.user.id });
  expectStatus(same, 200);
  assert.equal((await api('GET', `/audit?entity=application&entity_id=${app.id}&action=assign_manager`, { token: sup.token })).json.items.length, 2);
  // now it can be accepted
  const ok = await act(counter.token, app.id, 'accept');
  expectStatus(ok, 200);
  assert.equal(ok.json.status, 'survey');
  // LV applications need none
  const lv = await createApplication(counter.token, 'lv_residential');
  expectStatus(await act(counter.token, lv.id, 'accept'), 200);
  // a closed application is not reassigned
  expectStatus(await act(counter.token, lv.id, 'cancel', { reason: '客户撤回' }), 200);
  expectError(await assign(counter.token, lv, { user_id: cm.user.id }), 409, 'application_closed');
  expectError(await assign(counter.token, { id: MISSING_ID }, { user_id: cm.user.id }), 404, 'not_found');
});

test(`${LABEL} customer manager: outage and power-on requests only through the application's manager, confirmed by the customer; the queue`, async () => {
  const staff = await appStaff();
  const { counter, cm, disp, mgr } = staff;
  const other = await userWithToken(['customer_manager']);
  let app = await createApplication(counter.token, 'hv_single', { customer_manager_id: cm.user.id });
  app = (await act(counter.token, app.id, 'accept')).json; // survey: the manager's stage
  const planned = Date.now() + 2 * 86400e3;
  // nobody else makes requests for the customer
  for (const who of [other, counter, mgr]) {
    const r = await request(who.token, app, { kind: 'outage', planned_at: planned, reason: '客户内部检修' });
    expectError(r, 403, 'not_customer_manager');
    assert.equal(r.json.error.details.customer_manager_id, cm.user.id);
  }
  expectError(await request(cm.token, app, { kind: 'reboot', planned_at: planned, reason: 'x' }), 400, 'invalid_field', 'kind');
  expectError(await request(cm.token, app, { kind: 'outage', planned_at: planned, reason: '  ' }), 400, 'invalid_field', 'reason');
  const out = await request(cm.token, app, { kind: 'outage', planned_at: planned, reason: '客户内部检修' });
  expectStatus(out, 201);
  assert.equal(out.json.status, 'requested');
  assert.equal(out.json.requested_by, cm.user.id);
  assert.equal(out.json.planned_at, planned);
  const spare = (await request(cm.token, app, { kind: 'outage', planned_at: planned + 3600e3, reason: '备用时段' })).json;

  // the queue: the manager's own, with what needs doing and the requests waiting for the customer
  let q = await queue(cm.token);
  expectStatus(q, 200);
  assert.equal(q.json.manager.id, cm.user.id);
  let item = q.json.applications.find((a) => a.id === app.id);
  assert.ok(item, 'the application is in its manager\'s queue');
  assert.equal(item.stage.code, 'survey');
  assert.equal(item.stage.owner_role, 'customer_manager');
  assert.deepEqual(item.needs, ['stage']);
  assert.equal(item.open_hazards, 0);
  assert.equal(item.open_acceptance, null);
  assert.deepEqual(q.json.requests.filter((r) => r.application_id === app.id).map((r) => r.id), [out.json.id, spare.id]);
  assert.equal(q.json.requests.find((r) => r.id === out.json.id).application_number, app.number);
  assert.equal(q.json.counts.applications, q.json.applications.length);
  assert.equal(q.json.counts.requests, q.json.requests.length);
  assert.ok(!(await queue(other.token)).json.applications.some((a) => a.id === app.id));
  expectError(await queue(counter.token, `?manager_id=${cm.user.id}`), 403, 'forbidden');
  const byMgr = await queue(mgr.token, `?manager_id=${cm.user.id}`);
  expectStatus(byMgr, 200);
  assert.ok(byMgr.json.applications.some((a) => a.id === app.id));

  // the customer's confirmation: who, how, when — recorded by the manager only
  expectError(await confirm(other.token, app, out.json, { confirmed_by: '李工', method: 'phone' }), 403, 'not_customer_manager');
  expectError(await confirm(cm.token, app, out.json, { confirmed_by: '李工', method: 'fax' }), 400, 'invalid_field', 'method');
  expectError(await confirm(cm.token, app, out.json, { confirmed_by: '李工', method: 'onsite_signature' }), 400, 'missing_field', 'attachment_id');
  expectError(await confirm(cm.token, app, out.json, { confirmed_by: '李工', method: 'phone', confirmed_at: Date.now() + 86400e3 }), 400, 'invalid_field', 'confirmed_at');
  const sheet = await uploadEvidence(cm.token, 'outage-signed.pdf');
  const when = Date.now() - 600e3;
  const c = await confirm(cm.token, app, out.json, { confirmed_by: '李工（客户电气负责人）', method: 'onsite_signature', attachment_id: sheet, confirmed_at: when });
  expectStatus(c, 200);
  assert.equal(c.json.status, 'confirmed');
  assert.equal(c.json.confirmed_by_name, '李工（客户电气负责人）');
  assert.equal(c.json.confirm_method, 'onsite_signature');
  assert.equal(c.json.confirmed_at, when);
  assert.equal(c.json.confirm_attachment_id, sheet);
  assert.equal(c.json.recorded_by, cm.user.id);
  const twice = await confirm(cm.token, app, out.json, { confirmed_by: '李工', method: 'phone' });
  expectError(twice, 409, 'manager_request_closed');
  assert.equal(twice.json.error.details.status, 'confirmed');
  expectError(await cancel(cm.token, app, spare, { reason: '' }), 400, 'invalid_field', 'reason');
  expectError(await cancel(other.token, app, spare, { reason: '不需要了' }), 403, 'not_customer_manager');
  const cx = await cancel(cm.token, app, spare, { reason: '客户改期' });
  expectStatus(cx, 200);
  assert.equal(cx.json.status, 'cancelled');
  expectError(await cancel(cm.token, app, spare, { reason: '再次' }), 409, 'manager_request_closed');
  expectError(await confirm(cm.token, app, { id: MISSING_ID }, { confirmed_by: '李工', method: 'phone' }), 404, 'not_found');
  const listed = await api('GET', `/applications/${app.id}/manager-requests`, { token: disp.token });
  expectStatus(listed, 200);
  assert.deepEqual(listed.json.items.map((r) => [r.id, r.status]), [[spare.id, 'cancelled'], [out.json.id, 'confirmed']]);
  q = await queue(cm.token);
  assert.ok(!q.json.requests.some((r) => r.application_id === app.id), 'nothing waits for the customer now');

  // power-on needs the customer's confirmed power-on request (another application of the same manager, walked on)
  app = await walk(staff, await createApplication(counter.token, 'hv_single', { customer_manager_id: cm.user.id }), 'energize');
  q = await queue(cm.token);
  item = q.json.applications.find((a) => a.id === app.id);
  assert.deepEqual(item.needs, ['stage', 'power_on_request']);
  let g = await act(cm.token, app.id, 'power_on');
  expectError(g, 409, 'power_on_not_confirmed');
  assert.deepEqual(gate(g, 'power_on_not_confirmed').pending, []);
  const pr = (await request(cm.token, app, { kind: 'power_on', planned_at: Date.now() + 3600e3, reason: '竣工检验合格' })).json;
  item = (await queue(cm.token)).json.applications.find((a) => a.id === app.id);
  assert.deepEqual(item.needs, ['stage', 'power_on_confirmation']);
  g = await act(cm.token, app.id, 'power_on');
  expectError(g, 409, 'power_on_not_confirmed');
  assert.deepEqual(gate(g, 'power_on_not_confirmed').pending.map((r) => r.id), [pr.id]);
  expectStatus(await confirm(cm.token, app, pr, { confirmed_by: '王经理', method: 'phone' }), 200);
  g = await act(cm.token, app.id, 'power_on');
  expectStatus(g, 200);
  assert.equal(g.json.status, 'powered');
  // archived: out of the queue, and no more requests
  expectStatus(await act(counter.token, app.id, 'archive'), 200);
  assert.ok(!(await queue(cm.token)).json.applications.some((a) => a.id === app.id));
  expectError(await request(cm.token, app, { kind: 'outage', planned_at: planned, reason: '检修' }), 409, 'application_closed');
});

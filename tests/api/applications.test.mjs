// Customers' applications (issue 11 items 2–3; docs/api.md "Applications"): every kind taken at the counter and
// walked from application to archive through the stages of its track; the 十项承诺 clocks counted in working days
// from the counter's receipt (CALENDAR.md 2026: Mid-Autumn 09-25…09-27 off, National Day 10-01…10-07 off, make-up
// working days Sun 09-20 and Sat 10-10; day 0 is the day of receipt, due by the end of the N-th working day);
// the clock stopping while the customer has the turn or the application is held; the document checklist and the
// fast path; masking and scope.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { api, adminToken, userWithToken, expectError, expectStatus, expectList, createOrgUnit, LABEL, MISSING_ID, BASE_URL } from './lib.mjs';
import { appStaff, createApplication, walk, act, handIn, shanghai, endOfDay, PATHS, stageWork, uploadDoc } from './lib_applications.mjs';

const get = async (token, id) => {
  const r = await api('GET', `/applications/${id}`, { token });
  expectStatus(r, 200);
  return r.json;
};

test(`${LABEL} applications: clocks per track from the counter's receipt, across Mid-Autumn, National Day and make-up days`, async () => {
  const s = await appStaff();
  // LV residential received Wed 09-30 10:00. Whole process ≤ 5 working days: 10-08 (1), 10-09 (2), Sat 10-10 (3,
  // make-up), 10-12 (4), 10-13 (5) → due by the end of Tue 10-13. The acceptance stage (1 day) by the end of 10-08.
  const res = await createApplication(s.counter.token, 'lv_residential', { received_at: shanghai(2026, 9, 30, 10) });
  assert.match(res.number, /^YK\d{8}-\d{4}$/);
  assert.equal(res.track, 'lv_residential');
  assert.equal(res.status, 'accepted');
  assert.equal(res.created_at, shanghai(2026, 9, 30, 10));
  let a = await get(s.counter.token, res.id);
  assert.equal(a.clocks.process.due_at, endOfDay(2026, 10, 13));
  assert.equal(a.clocks.state.due_at, endOfDay(2026, 10, 8));
  assert.equal(a.clocks.process.late, true, 'long past');
  assert.equal(a.stage.code, 'accepted');
  assert.equal(a.stage.owner_role, 'customer_service');
  assert.equal(a.waiting, null);
  // HV dual received Fri 09-18 15:00: 32 working days. Sun 09-20 (make-up) is day 1, 09-21…09-24 days 2–5,
  // 09-28…09-30 days 6–8, 10-08…10-10 days 9–11, 10-12…10-16 12–16, 10-19…10-23 17–21, 10-26…10-30 22–26,
  // 11-02…11-06 27–31, Mon 11-09 day 32. Its acceptance (1 day): the make-up Sunday 09-20.
  const dual = await createApplication(s.counter.token, 'hv_dual', { received_at: shanghai(2026, 9, 18, 15) });
  a = await get(s.counter.token, dual.id);
  assert.equal(a.track, 'hv_dual');
  assert.equal(a.clocks.process.due_at, endOfDay(2026, 11, 9));
  assert.equal(a.clocks.state.due_at, endOfDay(2026, 9, 20));
  // HV single from the same moment: 22 working days → Mon 10-26 (day 22 in the count above)
  const single = await createApplication(s.counter.token, 'hv_single', { received_at: shanghai(2026, 9, 18, 15) });
  assert.equal((await get(s.counter.token, single.id)).clocks.process.due_at, endOfDay(2026, 10, 26));
  // LV non-residential: 6 working days → 09-20, 09-21, 09-22, 09-23, 09-24, (Mid-Autumn) Mon 09-28
  const lvn = await createApplication(s.counter.token, 'lv_non_residential', { received_at: shanghai(2026, 9, 18, 15) });
  assert.equal((await get(s.counter.token, lvn.id)).clocks.process.due_at, endOfDay(2026, 9, 28));
  // a capacity increase or a temporary supply runs on the track of its voltage, sources and customer
  const ciRes = await createApplication(s.counter.token, 'capacity_increase', { voltage_level: '220V', id_type: 'id_card', id_number: '11010519491231002X' });
  assert.equal(ciRes.track, 'lv_residential');
  const ciHv = await createApplication(s.counter.token, 'capacity_increase', { voltage_level: '10kV', sources: 2 });
  assert.equal(ciHv.track, 'hv_dual');
  const tmp = await createApplication(s.counter.token, 'temporary', { voltage_level: '380V' });
  assert.equal(tmp.track, 'lv_non_residential');
  assert.ok(tmp.documents.some((d) => d.type === 'temporary_term' && d.status === 'received'));
  // late ones are listed as such; a fresh one is not
  const late = await api('GET', '/applications?late=true&limit=200', { token: s.counter.token });
  expectList(late);
  assert.ok(late.json.items.some((x) => x.id === res.id && x.clock.late === true));
  assert.ok(!late.json.items.some((x) => x.id === tmp.id));
  const fresh = await api('GET', `/applications?late=false&q=${tmp.number}`, { token: s.counter.token });
  assert.equal(fresh.json.items.length, 1);
  assert.equal(fresh.json.items[0].clock.late, false);
  assert.ok(fresh.json.items[0].clock.process_due_at > Date.now());
  expectError(await api('GET', '/applications?late=maybe', { token: s.counter.token }), 400, 'invalid_query', 'late');
  expectError(await api('GET', '/applications?kind=nuclear', { token: s.counter.token }), 400, 'invalid_query', 'kind');
  // the late deadlines fire: the process's and the stage's own (notify), once
  const admin = await adminToken();
  expectError(await api('POST', '/applications/actions/run', { token: s.counter.token, body: { application_id: res.id } }), 403, 'forbidden');
  const run = await api('POST', '/applications/actions/run', { token: admin, body: { application_id: res.id } });
  expectStatus(run, 200);
  a = await get(s.counter.token, res.id);
  assert.ok(a.clocks.process.fired_at, 'the process deadline fired');
  assert.ok(a.clocks.items.some((i) => i.kind === 'state' && i.state === 'accepted' && i.status === 'fired'), 'the stage deadline fired');
  const again = await api('POST', '/applications/actions/run', { token: admin, body: { application_id: res.id } });
  assert.equal(again.json.fired, 0);
  // who was told: the stage's owners and the managers of the late stage; the managers of the late whole process
  const told = async (token, kind) => (await api('GET', '/notifications?limit=200', { token })).json.items
    .filter((n) => n.kind === kind && n.entity_id === res.id);
  assert.equal((await told(s.mgr.token, 'application_late')).length, 1);
  assert.equal((await told(s.mgr.token, 'application_stage_late')).length, 1);
  assert.equal((await told(s.counter.token, 'application_stage_late')).length, 1);
  assert.equal((await told(s.disp.token, 'application_stage_late')).length, 0, 'not the dispatchers\' stage');
});

test(`${LABEL} applications: two clerks accepting one application at once — one moves it, the other is refused`, async () => {
  const s = await appStaff();
  const other = await userWithToken(['customer_service']);
  const app = await createApplication(s.counter.token, 'lv_residential');
  const [r1, r2] = await Promise.all([act(s.counter.token, app.id, 'accept'), act(other.token, app.id, 'accept')]);
  const codes = [r1.status, r2.status].sort();
  assert.deepEqual(codes, [200, 409]);
  const loser = r1.status === 409 ? r1 : r2;
  expectError(loser, 409, 'invalid_transition');
  const a = await get(s.counter.token, app.id);
  assert.equal(a.history.filter((h) => h.action === 'accept').length, 1, 'accepted once');
  assert.equal(a.status, 'survey');
});

for (const kind of ['lv_residential', 'lv_non_residential', 'hv_single', 'hv_dual', 'capacity_increase', 'temporary']) {
  test(`${LABEL} applications: ${kind} walked from application to archive`, async () => {
    const s = await appStaff();
    const extra = kind === 'lv_residential' ? { ev_charger: true } : kind === 'capacity_increase' ? { voltage_level: '10kV' } : {};
    const app = await createApplication(s.counter.token, kind, extra);
    if (kind === 'lv_residential') assert.ok(app.documents.some((d) => d.type === 'parking_proof'), 'a home charger needs its parking space');
    const done = await walk(s, app);
    assert.equal(done.status, 'archived');
    assert.ok(done.powered_on_at >= done.created_at);
    assert.ok(done.archived_at >= done.powered_on_at);
    const actions = done.history.map((h) => h.action);
    assert.deepEqual(actions.filter((x) => x !== 'deadline_warning'), PATHS[done.track].map(([x]) => x));
    assert.equal(done.clocks.process.status, 'ended', 'the whole-process clock ends at power-on');
    assert.equal(done.clocks.state, null);
    assert.deepEqual(done.actions, []);
  });
}

test(`${LABEL} applications: missing documents stop acceptance; the customer's turn stops the clock; the fast path`, async () => {
  const s = await appStaff();
  const app = await createApplication(s.counter.token, 'lv_non_residential', {}, { docs: false });
  assert.ok(app.documents.every((d) => d.status === 'missing'));
  const refused = await act(s.counter.token, app.id, 'accept');
  expectError(refused, 409, 'application_documents_missing');
  assert.deepEqual(refused.json.error.details.gates[0].missing.map((d) => d.type).sort(), ['identity', 'load_list', 'property_proof']);
  expectError(await act(s.counter.token, app.id, 'request_documents'), 409, 'reason_required', 'reason');
  let a = (await act(s.counter.token, app.id, 'request_documents', { reason: '请补充房产证和用电设备清单' })).json;
  assert.equal(a.status, 'documents_missing');
  assert.equal(a.waiting.kind, 'customer_turn');
  assert.equal(a.waiting.detail, '请补充房产证和用电设备清单');
  assert.equal(a.stage.customer_turn, true);
  assert.equal(a.clocks.process.status, 'paused');
  assert.equal(a.clocks.process.pause_reason, '等待客户补充资料');
  const before = a.clocks.process.remaining.working_days;
  assert.ok(before >= 5 && before <= 6, `working days kept: ${before}`);
  expectError(await act(s.counter.token, app.id, 'documents_complete'), 409, 'application_documents_missing');
  for (const t of ['identity', 'property_proof', 'load_list']) await handIn(s.counter.token, app, t);
  // a document is checked; a rejected one is missing again until handed in anew
  const rej = await api('POST', `/applications/${app.id}/documents/load_list/check`, { token: s.counter.token, body: { result: 'rejected' } });
  expectError(rej, 400, 'missing_field', 'note');
  a = (await api('POST', `/applications/${app.id}/documents/load_list/check`, { token: s.counter.token, body: { result: 'rejected', note: '缺少设备功率' } })).json;
  assert.equal(a.documents.find((d) => d.type === 'load_list').status, 'rejected');
  expectError(await act(s.counter.token, app.id, 'documents_complete'), 409, 'application_documents_missing');
  await handIn(s.counter.token, app, 'load_list');
  expectStatus(await api('POST', `/applications/${app.id}/documents/identity/check`, { token: s.counter.token, body: { result: 'accepted' } }), 200);
  expectError(await api('PUT', `/applications/${app.id}/documents/identity`, { token: s.counter.token, body: { attachment_id: a.documents[0].attachment_id || MISSING_ID } }),
    409, 'application_document_accepted');
  expectError(await api('PUT', `/applications/${app.id}/documents/drawings`, { token: s.counter.token, body: { attachment_id: MISSING_ID } }), 404, 'not_found');
  a = (await act(s.counter.token, app.id, 'documents_complete')).json;
  assert.equal(a.status, 'accepted');
  assert.equal(a.waiting, null);
  assert.equal(a.clocks.process.status, 'running');
  assert.equal(a.clocks.process.paused_at, null);
  expectStatus(await act(s.counter.token, app.id, 'accept'), 200);
  // the fast path: accepted with documents to come (容缺受理), recorded as such; granted with a reason only
  const noReason = await api('POST', '/applications', { token: s.counter.token, body: { kind: 'lv_residential', channel: 'counter',
    applicant_name: '李四', applicant_phone: '13900001111', supply_address: '福州市仓山区1号', voltage_level: '220V', capacity_kva: 8, fast_path: true } });
  expectError(noReason, 400, 'missing_field', 'fast_reason');
  const fast = await createApplication(s.counter.token, 'lv_residential', { fast_path: true, fast_reason: '防汛抢险临时安置点' }, { docs: false });
  assert.equal(fast.fast_path, true);
  const acc = await act(s.counter.token, fast.id, 'accept');
  expectStatus(acc, 200);
  assert.equal(acc.json.status, 'survey');
  assert.equal(acc.json.fast_reason, '防汛抢险临时安置点');
  const fl = await api('GET', '/applications?fast_path=true&limit=200', { token: s.counter.token });
  assert.ok(fl.json.items.some((x) => x.id === fast.id) && fl.json.items.every((x) => x.fast_path === true));
});

test(`${LABEL} applications: a hold stops the clocks with its reason; nothing moves while held; HV design needs drawings`, async () => {
  const s = await appStaff();
  const app = await createApplication(s.counter.token, 'hv_single', { customer_manager_id: s.cm.user.id }); // HV: accepted with its customer manager (R2.6)
  let a = (await act(s.counter.token, app.id, 'accept')).json;
  const due = a.clocks.process.due_at;
  expectError(await act(s.cm.token, app.id, 'hold'), 409, 'reason_required', 'reason');
  a = (await act(s.cm.token, app.id, 'hold', { reason: '客户要求暂缓勘查（厂房租赁变更）' })).json;
  assert.equal(a.status, 'survey');
  assert.equal(a.hold_reason, '客户要求暂缓勘查（厂房租赁变更）');
  assert.equal(a.waiting.kind, 'hold');
  assert.equal(a.clocks.process.status, 'paused');
  assert.equal(a.clocks.state.status, 'paused');
  expectError(await act(s.cm.token, app.id, 'complete_survey'), 409, 'application_on_hold');
  expectError(await act(s.cm.token, app.id, 'hold', { reason: 'again' }), 409, 'application_on_hold');
  const listed = await api('GET', `/applications?q=${app.number}`, { token: s.cm.token });
  assert.equal(listed.json.items[0].clock.paused, true);
  a = (await act(s.cm.token, app.id, 'resume')).json;
  assert.equal(a.hold_reason, null);
  assert.equal(a.clocks.process.status, 'running');
  // paused and resumed on one day: no working day was used up or gained
  assert.equal(a.clocks.process.due_at, due);
  expectError(await act(s.cm.token, app.id, 'resume'), 409, 'application_not_on_hold');
  await stageWork.complete_survey(s, a); // the survey's work order (appjobs) out of the way
  a = (await act(s.cm.token, app.id, 'complete_survey')).json;
  a = (await act(s.cm.token, app.id, 'reply_scheme', { scheme: '10kV单电源' })).json;
  assert.equal(a.status, 'customer_design');
  assert.equal(a.clocks.process.status, 'paused', 'the design is the customer\'s turn');
  const noDrawings = await act(s.counter.token, app.id, 'submit_design');
  expectError(noDrawings, 409, 'application_documents_missing');
  assert.equal(noDrawings.json.error.details.gates[0].missing[0].type, 'drawings');
  await handIn(s.counter.token, app, 'drawings');
  a = (await act(s.counter.token, app.id, 'submit_design')).json;
  assert.equal(a.status, 'design_review');
  // a rejected design goes back to the customer with the reason
  a = (await act(s.cm.token, app.id, 'reject_design', { reason: '计量柜位置不符合要求' })).json;
  assert.equal(a.status, 'customer_design');
  assert.equal(a.waiting.detail, '计量柜位置不符合要求');
  // transitions of another track do not exist for this one
  expectError(await act(s.cm.token, app.id, 'power_on'), 409, 'invalid_transition');
  // cancelled with a reason: closed, documents can no longer be handed in
  a = (await act(s.counter.token, app.id, 'cancel', { reason: '客户撤回申请' })).json;
  assert.equal(a.status, 'cancelled');
  assert.equal(a.cancel_reason, '客户撤回申请');
  assert.equal(a.clocks.process.status, 'ended');
  expectError(await api('PUT', `/applications/${app.id}/documents/drawings`, { token: s.counter.token, body: { attachment_id: a.documents.find((d) => d.type === 'drawings').attachment_id } }),
    409, 'application_closed');
});

test(`${LABEL} applications: intake checks, masking for those who do not call customers, scope by serving unit`, async () => {
  const s = await appStaff();
  const base = { kind: 'lv_residential', channel: 'counter', applicant_name: '张三明', applicant_phone: '13812345678',
    supply_address: '福州市鼓楼区五四路1号', voltage_level: '220V', capacity_kva: 8 };
  const bad = (body) => api('POST', '/applications', { token: s.counter.token, body: { ...base, ...body } });
  expectError(await bad({ kind: 'nuclear' }), 400, 'invalid_field', 'kind');
  expectError(await bad({ voltage_level: '10kV' }), 400, 'invalid_field', 'voltage_level');
  expectError(await bad({ channel: 'portal' }), 400, 'invalid_field', 'channel');
  expectError(await bad({ kind: 'lv_non_residential', voltage_level: '380V', ev_charger: true }), 400, 'invalid_field', 'ev_charger');
  expectError(await bad({ kind: 'hv_dual', voltage_level: '10kV', sources: 1 }), 400, 'invalid_field', 'sources');
  expectError(await bad({ applicant_phone: 'call me' }), 400, 'invalid_field', 'applicant_phone');
  expectError(await bad({ capacity_kva: 0 }), 400, 'invalid_field', 'capacity_kva');
  expectError(await bad({ id_type: 'id_card', id_number: '110105194912310021' }), 400, 'invalid_field', 'id_number');
  expectError(await bad({ received_at: Date.now() + 3600e3 }), 400, 'invalid_field', 'received_at');
  expectError(await bad({ documents: [{ type: 'drawings', attachment_id: MISSING_ID }] }), 400, 'invalid_field', 'documents');
  expectError(await bad({ customer_manager_id: s.counter.user.id }), 400, 'invalid_field', 'customer_manager_id');
  const viewer = await userWithToken(['viewer']);
  expectError(await api('POST', '/applications', { token: viewer.token, body: base }), 403, 'forbidden');
  const made = await api('POST', '/applications', { token: s.counter.token, body: { ...base, id_type: 'id_card', id_number: '11010519491231002X' } });
  expectStatus(made, 201);
  assert.equal(made.json.applicant_phone, '13812345678', 'the counter calls customers');
  assert.equal(made.json.id_number, '110***********002X', 'the ID number is masked in every read');
  const seen = await get(viewer.token, made.json.id);
  assert.equal(seen.applicant_name, '张*明');
  assert.equal(seen.applicant_phone, '138****5678');
  assert.deepEqual(seen.actions, []);
  // a counter clerk of another unit does not see an application served elsewhere
  const [u1, u2] = await Promise.all([createOrgUnit('department'), createOrgUnit('department')]);
  const clerk1 = await userWithToken(['customer_service'], { org_unit_id: u1.id });
  const clerk2 = await userWithToken(['customer_service'], { org_unit_id: u2.id });
  const mine = await api('POST', '/applications', { token: clerk1.token, body: base });
  expectStatus(mine, 201);
  assert.equal(mine.json.org_unit_id, u1.id, 'served by the clerk\'s own unit');
  expectError(await api('GET', `/applications/${mine.json.id}`, { token: clerk2.token }), 404, 'not_found');
  expectError(await act(clerk2.token, mine.json.id, 'accept'), 404, 'not_found');
  const l2 = await api('GET', `/applications?q=${mine.json.number}`, { token: clerk2.token });
  assert.equal(l2.json.items.length, 0);
  expectError(await api('GET', `/applications/${MISSING_ID}`, { token: s.counter.token }), 404, 'not_found');
});

test(`${LABEL} applications: routing a stage to a team names the team as its owner`, async () => {
  const s = await appStaff();
  const admin = await adminToken();
  const unit = await createOrgUnit('department');
  const team = await createOrgUnit('team', unit.id);
  const clerk = await userWithToken(['customer_service'], { org_unit_id: unit.id });
  expectError(await api('PUT', '/applications/routing', { token: s.counter.token, body: { org_unit_id: unit.id, stage: 'survey', team_id: team.id } }), 403, 'forbidden');
  expectError(await api('PUT', '/applications/routing', { token: admin, body: { org_unit_id: unit.id, stage: 'construction', team_id: team.id } }), 400, 'invalid_field', 'stage');
  expectError(await api('PUT', '/applications/routing', { token: admin, body: { org_unit_id: unit.id, stage: 'survey', team_id: unit.id } }), 400, 'invalid_field', 'team_id');
  const put = await api('PUT', '/applications/routing', { token: s.mgr.token, body: { org_unit_id: unit.id, stage: 'survey', team_id: team.id } });
  expectStatus(put, 200);
  assert.equal(put.json.team_name, team.name);
  const app = await createApplication(clerk.token, 'lv_residential');
  const a = (await act(clerk.token, app.id, 'accept')).json;
  assert.equal(a.stage.code, 'survey');
  assert.equal(a.stage.owner_role, 'customer_manager');
  assert.equal(a.stage.team_id, team.id);
  assert.equal(a.stage.team_name, team.name);
  const listed = await api('GET', `/applications/routing?org_unit_id=${unit.id}`, { token: clerk.token });
  expectStatus(listed, 200);
  assert.equal(listed.json.items.length, 1);
  expectStatus(await api('PUT', '/applications/routing', { token: admin, body: { org_unit_id: unit.id, stage: 'survey', team_id: null } }), 200);
  assert.equal((await api('GET', `/applications/routing?org_unit_id=${unit.id}`, { token: clerk.token })).json.items.length, 0);
});

test(`${LABEL} applications: the files an application holds open for whoever may read it, and only under it`, async () => {
  const s = await appStaff();
  const viewer = await userWithToken(['viewer']);
  const a = await createApplication(s.counter.token, 'lv_residential');
  const b = await createApplication(s.counter.token, 'lv_residential');
  const doc = a.documents.find((d) => d.type === 'identity');
  const path = (app, att) => `/api/v1/applications/${app.id}/attachments/${att}/content`;
  for (const token of [s.counter.token, s.cm.token, viewer.token]) {
    const res = await fetch(`${BASE_URL}${path(a, doc.attachment_id)}`, { headers: { authorization: `Bearer ${token}` } });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-type'), 'application/pdf');
    assert.match(Buffer.from(await res.arrayBuffer()).toString('latin1'), /^%PDF-/);
  }
  // the counter holds no plans.read: the general attachment route is not theirs
  const general = await fetch(`${BASE_URL}/api/v1/attachments/${doc.attachment_id}/content`, { headers: { authorization: `Bearer ${s.counter.token}` } });
  assert.equal(general.status, 403);
  // another application's file is not found under this one; nor is a file of nothing
  const other = b.documents.find((d) => d.type === 'identity').attachment_id;
  const wrong = await fetch(`${BASE_URL}${path(a, other)}`, { headers: { authorization: `Bearer ${s.counter.token}` } });
  assert.equal(wrong.status, 404);
  assert.equal((await wrong.json()).error.code, 'not_found');
  const loose = await uploadDoc(s.counter.token);
  assert.equal((await fetch(`${BASE_URL}${path(a, loose)}`, { headers: { authorization: `Bearer ${s.counter.token}` } })).status, 404);
  const nobody = await userWithToken(['crew']);
  assert.equal((await fetch(`${BASE_URL}${path(a, doc.attachment_id)}`, { headers: { authorization: `Bearer ${nobody.token}` } })).status, 403);
});

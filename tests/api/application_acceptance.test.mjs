// Joint acceptance (R0.2, R2.7; issue 11 item 5; docs/api.md "Joint acceptance"): one record per inspection with
// every department's checklist (data/acceptance/checklists.json), routine items sampled at the record's rate and
// the record showing which were checked, each department signing its part once; the HV completion inspection names
// its first-inspection owner; hazards found block the power-on until closed with evidence. The application's
// transitions approve_design, pass_mid_inspection, pass_completion (and, for LV non-residential, the meter
// installation that includes the completion check) need the stage's record signed and passed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { api, expectError, expectStatus, LABEL, MISSING_ID, userWithToken } from './lib.mjs';
import { appStaff, createApplication, act, walk, cancelFieldJob, METER } from './lib_applications.mjs';
import { uploadEvidence, passAcceptance, confirmedPowerOn } from './lib_acceptance.mjs';

const rec = (token, app, body) => api('POST', `/applications/${app.id}/acceptances`, { token, body });
const check = (token, app, r, code, body) => api('PUT', `/applications/${app.id}/acceptances/${r.id}/items/${code}`, { token, body });
const sign = (token, app, r, department, note) => api('POST', `/applications/${app.id}/acceptances/${r.id}/signatures`,
  { token, body: note ? { department, note } : { department } });
const gate = (res, code) => res.json.error.details.gates.find((x) => x.code === code);
const sampledOf = (r, dept) => r.items.filter((i) => i.department === dept && i.sampled).map((i) => i.code);

/** Checks every item the department must check (pass) and signs for it. */
async function passDept(who, app, r, dept) {
  for (const code of sampledOf(r, dept).filter((c) => !r.items.find((i) => i.code === c).checked)) expectStatus(await check(who.token, app, r, code, { result: 'pass' }), 200);
  const s = await sign(who.token, app, r, dept);
  expectStatus(s, 200);
  return s.json;
}

test(`${LABEL} joint acceptance: an HV single supply through design review, intermediate and completion inspection, signatures, sampling, a hazard blocking power-on`, async () => {
  const staff = await appStaff();
  const { counter, cm, disp, mgr } = staff;
  const app0 = await createApplication(counter.token, 'hv_single', { customer_manager_id: cm.user.id });
  let app = await walk(staff, app0, 'design_review');

  // ---- design review ----
  expectError(await rec(cm.token, app, { stage: 'mid_inspection' }), 409, 'acceptance_wrong_stage');
  expectError(await act(cm.token, app.id, 'approve_design'), 409, 'acceptance_missing');
  expectError(await rec(cm.token, app, { stage: 'design_review', sample_rate: 101 }), 400, 'invalid_field', 'sample_rate');
  const opened = await rec(cm.token, app, { stage: 'design_review', sample_rate: 50, note: '联合审图' });
  expectStatus(opened, 201);
  let r = opened.json;
  assert.equal(r.status, 'open');
  assert.equal(r.round, 1);
  assert.equal(r.stage_name_zh, '设计审查');
  assert.deepEqual(r.departments.map((d) => d.code), ['marketing', 'operations', 'metering']);
  assert.deepEqual(r.unsigned, ['marketing', 'operations', 'metering']);
  // every non-routine item is to be checked; of each department's n routine items ceil(n / 2) are sampled
  for (const d of r.departments) {
    const items = r.items.filter((i) => i.department === d.code);
    const routine = items.filter((i) => i.routine);
    assert.ok(items.filter((i) => !i.routine).every((i) => i.sampled));
    assert.equal(routine.filter((i) => i.sampled).length, Math.ceil(routine.length * 50 / 100), d.code);
    assert.equal(d.required, items.filter((i) => i.sampled).length);
    assert.equal(d.checked, 0);
    assert.equal(d.signature, null);
  }
  assert.equal(r.sampling.rate_percent, 50);
  assert.equal(r.sampling.routine_items, r.items.filter((i) => i.routine).length);
  assert.equal(r.sampling.sampled_items, r.items.filter((i) => i.routine && i.sampled).length);
  assert.ok(r.items.some((i) => i.routine && !i.sampled), 'some routine items are left out');
  // the sample is the record's: read again, the same items
  const again = await api('GET', `/applications/${app.id}/acceptances/${r.id}`, { token: mgr.token });
  expectStatus(again, 200);
  assert.deepEqual(again.json.items.map((i) => [i.code, i.sampled]), r.items.map((i) => [i.code, i.sampled]));
  expectError(await rec(cm.token, app, { stage: 'design_review' }), 409, 'acceptance_exists');
  let g = await act(cm.token, app.id, 'approve_design');
  expectError(g, 409, 'acceptance_unsigned');
  assert.deepEqual(gate(g, 'acceptance_unsigned').departments, ['marketing', 'operations', 'metering']);
  assert.equal(gate(g, 'acceptance_unsigned').acceptance_id, r.id);

  // a customer manager does not speak for operations; nothing is signed before its items are checked
  const opItem = sampledOf(r, 'operations')[0];
  const role = await check(cm.token, app, r, opItem, { result: 'pass' });
  expectError(role, 403, 'acceptance_department_role');
  assert.equal(role.json.error.details.department, 'operations');
  const early = await sign(cm.token, app, r, 'marketing');
  expectError(early, 409, 'acceptance_items_unchecked');
  assert.deepEqual(early.json.error.details.items, sampledOf(r, 'marketing'));
  expectError(await check(cm.token, app, r, sampledOf(r, 'marketing')[0], { result: 'maybe' }), 400, 'invalid_field', 'result');
  expectError(await check(cm.token, app, r, 'no_such_item', { result: 'pass' }), 404, 'not_found');
  expectError(await sign(cm.token, app, r, 'legal'), 400, 'invalid_field', 'department');
  // marketing checks its items, and one routine item it was not asked to check: checked, not sampled
  const extra = r.items.find((i) => i.department === 'marketing' && i.routine && !i.sampled);
  if (extra) {
    const x = await check(cm.token, app, r, extra.code, { result: 'pass', note: '顺带核对' });
    expectStatus(x, 200);
    const xi = x.json.items.find((i) => i.code === extra.code);
    assert.equal(xi.checked, true);
    assert.equal(xi.sampled, false);
    assert.equal(xi.checked_by, cm.user.id);
  }
  r = await passDept(cm, app, r, 'marketing');
  const mk = r.departments.find((d) => d.code === 'marketing');
  assert.equal(mk.signature.signed_by, cm.user.id);
  assert.equal(typeof mk.signature.signed_at, 'number');
  assert.deepEqual(r.unsigned, ['operations', 'metering']);
  // a signature is final: neither its items nor the signature change
  const sealed = await check(cm.token, app, r, sampledOf(r, 'marketing')[0], { result: 'fail', note: '改判' });
  expectError(sealed, 409, 'acceptance_signed');
  assert.equal(sealed.json.error.details.signed_by, cm.user.id);
  expectError(await sign(cm.token, app, r, 'marketing'), 409, 'acceptance_signed');
  r = await passDept(disp, app, r, 'operations');
  // joint acceptance: the dispatcher who signed for operations may check metering's items but not sign for it too
  for (const code of sampledOf(r, 'metering')) expectStatus(await check(disp.token, app, r, code, { result: 'pass' }), 200);
  const same = await sign(disp.token, app, r, 'metering');
  expectError(same, 409, 'acceptance_same_signer');
  assert.equal(same.json.error.details.signed_for, 'operations');
  const last = await sign(mgr.token, app, r, 'metering', '计量点设置合理');
  expectStatus(last, 200);
  r = last.json;
  assert.equal(r.status, 'passed');
  assert.deepEqual(r.unsigned, []);
  assert.equal(typeof r.closed_at, 'number');
  g = await act(cm.token, app.id, 'approve_design');
  expectStatus(g, 200);
  assert.equal(g.json.status, 'construction');

  // ---- intermediate inspection: no routine item sampled; a failed item fails the record; round 2 ----
  app = (await act(counter.token, app.id, 'request_inspection')).json;
  assert.equal(app.status, 'mid_inspection');
  expectError(await act(cm.token, app.id, 'pass_mid_inspection'), 409, 'acceptance_missing');
  r = (await rec(cm.token, app, { stage: 'mid_inspection', sample_rate: 0 })).json;
  assert.ok(r.items.filter((i) => i.routine).every((i) => !i.sampled));
  assert.equal(r.sampling.sampled_items, 0);
  const buried = 'mi_cable_buried';
  expectError(await check(disp.token, app, r, buried, { result: 'fail' }), 400, 'missing_field', 'note');
  expectStatus(await check(disp.token, app, r, buried, { result: 'fail', note: '电缆埋深不足0.7米' }), 200);
  r = await passDept(cm, app, r, 'marketing');
  r = await passDept(disp, app, r, 'operations');
  r = await passDept(mgr, app, r, 'metering');
  assert.equal(r.status, 'failed');
  g = await act(cm.token, app.id, 'pass_mid_inspection');
  expectError(g, 409, 'acceptance_failed');
  assert.deepEqual(gate(g, 'acceptance_failed').items.map((i) => [i.code, i.department, i.note]), [[buried, 'operations', '电缆埋深不足0.7米']]);
  expectStatus(await act(cm.token, app.id, 'fail_mid_inspection', { reason: '电缆埋深不足，整改后复检' }), 200);
  app = (await act(counter.token, app.id, 'request_inspection')).json;
  const r2 = await rec(cm.token, app, { stage: 'mid_inspection', sample_rate: 100 });
  expectStatus(r2, 201);
  assert.equal(r2.json.round, 2);
  assert.ok(r2.json.items.every((i) => i.sampled), 'rate 100: every routine item checked');
  await passAcceptance(staff, app, 'mid_inspection');
  app = (await act(cm.token, app.id, 'pass_mid_inspection')).json;
  assert.equal(app.status, 'finishing');
  const both = (await api('GET', `/applications/${app.id}/acceptances`, { token: cm.token })).json.items;
  assert.deepEqual(both.map((x) => [x.stage, x.round, x.status]), [['design_review', 1, 'passed'], ['mid_inspection', 1, 'failed'], ['mid_inspection', 2, 'passed']]);

  // ---- completion inspection: the first-inspection owner named; a hazard found ----
  app = (await act(counter.token, app.id, 'request_completion')).json;
  expectError(await rec(cm.token, app, { stage: 'completion' }), 400, 'missing_field', 'first_inspector_id');
  expectError(await rec(cm.token, app, { stage: 'completion', first_inspector_id: MISSING_ID }), 400, 'invalid_field', 'first_inspector_id');
  r = (await rec(cm.token, app, { stage: 'completion', first_inspector_id: disp.user.id })).json;
  assert.equal(r.first_inspector_id, disp.user.id);
  assert.equal(r.first_inspector_name, disp.user.display_name);
  expectError(await api('POST', `/applications/${app.id}/hazards`, { token: disp.token, body: { description: '配电室未设挡鼠板', deadline: '2026-13-01' } }),
    400, 'invalid_field', 'deadline');
  const hz = await api('POST', `/applications/${app.id}/hazards`, { token: disp.token,
    body: { description: '配电室未设挡鼠板', deadline: '2026-12-20', severity: 'major', acceptance_id: r.id, department: 'operations' } });
  expectStatus(hz, 201);
  assert.equal(hz.json.status, 'open');
  assert.equal(hz.json.found_by, disp.user.id);
  assert.deepEqual(hz.json.evidence_ids, []);
  // an old one, past its deadline, shows as overdue
  const old = (await api('POST', `/applications/${app.id}/hazards`, { token: disp.token,
    body: { description: '接地标识缺失', deadline: '2026-01-05' } })).json;
  assert.equal(old.overdue, true);
  assert.equal(old.severity, 'general');
  await passAcceptance(staff, app, 'completion');
  app = (await act(cm.token, app.id, 'pass_completion')).json;
  assert.equal(app.status, 'installation');
  await cancelFieldJob(staff, app); // the installation's work order (field work, item 4): the meter is given at the desk
  app = (await act(disp.token, app.id, 'complete_installation', METER)).json;
  assert.equal(app.status, 'energize');
  await confirmedPowerOn(staff, app);
  g = await act(cm.token, app.id, 'power_on');
  expectError(g, 409, 'application_hazards_open');
  assert.deepEqual(gate(g, 'application_hazards_open').hazards.map((h) => h.id).sort(), [hz.json.id, old.id].sort());
  const open = await api('GET', `/applications/${app.id}/hazards?status=open`, { token: cm.token });
  expectStatus(open, 200);
  assert.equal(open.json.items.length, 2);
  expectError(await api('GET', `/applications/${app.id}/hazards?status=fixed`, { token: cm.token }), 400, 'invalid_query', 'status');
  // closed only with evidence
  const close = (h, body) => api('POST', `/applications/${app.id}/hazards/${h.id}/close`, { token: disp.token, body });
  expectError(await close(hz.json, { note: '已加装挡鼠板', evidence_ids: [] }), 400, 'missing_field', 'evidence_ids');
  expectError(await close(hz.json, { note: '已加装挡鼠板', evidence_ids: [MISSING_ID] }), 400, 'invalid_field', 'evidence_ids');
  const photo = await uploadEvidence(disp.token, 'rat-guard.pdf');
  const closed = await close(hz.json, { note: '已加装挡鼠板', evidence_ids: [photo] });
  expectStatus(closed, 200);
  assert.equal(closed.json.status, 'closed');
  assert.deepEqual(closed.json.evidence_ids, [photo]);
  assert.equal(closed.json.closed_by, disp.user.id);
  expectError(await close(hz.json, { note: '再次', evidence_ids: [photo] }), 409, 'hazard_closed');
  g = await act(cm.token, app.id, 'power_on');
  expectError(g, 409, 'application_hazards_open');
  assert.deepEqual(gate(g, 'application_hazards_open').hazards.map((h) => h.id), [old.id]);
  expectStatus(await close(old, { note: '已补设接地标识', evidence_ids: [await uploadEvidence(disp.token)] }), 200);
  g = await act(cm.token, app.id, 'power_on');
  expectStatus(g, 200);
  assert.equal(g.json.status, 'powered');

  // the audit trail: the record opened, items checked, signatures, hazards
  const sup = (await api('GET', `/audit?entity=application_hazard&entity_id=${hz.json.id}`, { token: (await userWithToken(['supervisor'])).token })).json;
  assert.deepEqual(sup.items.map((e) => e.action).sort(), ['close', 'create']);
  // archived: no more hazards
  app = (await act(counter.token, app.id, 'archive')).json;
  expectError(await api('POST', `/applications/${app.id}/hazards`, { token: disp.token, body: { description: 'x', deadline: '2026-12-31' } }), 409, 'application_closed');
  // out of range: a missing application or record
  expectError(await api('GET', `/applications/${MISSING_ID}/acceptances`, { token: cm.token }), 404, 'not_found');
  expectError(await api('GET', `/applications/${app.id}/acceptances/${MISSING_ID}`, { token: cm.token }), 404, 'not_found');
});

test(`${LABEL} joint acceptance: LV non-residential checks completion with the meter installation; LV residential has no joint acceptance`, async () => {
  const staff = await appStaff();
  const { counter, cm, disp } = staff;
  let app = await walk(staff, await createApplication(counter.token, 'lv_non_residential'), 'installation');
  await cancelFieldJob(staff, app); // the installation's work order (field work, item 4): the meter is given at the desk
  expectError(await act(disp.token, app.id, 'complete_installation', METER), 409, 'acceptance_missing');
  // no first-inspection owner needed on LV
  const r = await rec(cm.token, app, { stage: 'completion' });
  expectStatus(r, 201);
  assert.equal(r.json.first_inspector_id, null);
  assert.equal(r.json.sampling.rate_percent, 50, 'the default rate of data/acceptance/checklists.json');
  expectError(await act(disp.token, app.id, 'complete_installation', METER), 409, 'acceptance_unsigned');
  const hz = (await api('POST', `/applications/${app.id}/hazards`, { token: cm.token, body: { description: '表箱未接地', deadline: '2026-12-31' } })).json;
  await passAcceptance(staff, app, 'completion');
  // the LV installation powers on: the open hazard blocks it too
  const g = await act(disp.token, app.id, 'complete_installation', METER);
  expectError(g, 409, 'application_hazards_open');
  assert.equal(gate(g, 'application_hazards_open').hazards[0].id, hz.id);
  expectStatus(await api('POST', `/applications/${app.id}/hazards/${hz.id}/close`, { token: cm.token,
    body: { note: '已接地', evidence_ids: [await uploadEvidence(cm.token)] } }), 200);
  app = (await act(disp.token, app.id, 'complete_installation', METER)).json;
  assert.equal(app.status, 'powered');

  const res = await walk(staff, await createApplication(counter.token, 'lv_residential'), 'installation');
  const w = await rec(cm.token, res, { stage: 'completion' });
  expectError(w, 409, 'acceptance_wrong_stage');
  assert.equal(w.json.error.details.expected_status, null);
  await cancelFieldJob(staff, res);
  assert.equal((await act(disp.token, res.id, 'complete_installation', METER)).json.status, 'powered');
});

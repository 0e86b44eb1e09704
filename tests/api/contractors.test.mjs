// Contractors (R2.8, R2.15): an outsourced company's qualification and signed safety agreement decide whether its
// staff may work (gate_person_unqualified names the company and why), and work with contractor staff on it needs
// supervision (gate_contractor_unsupervised). Each refuses, then passes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { api, adminToken, userWithToken, expectError, expectStatus, uniq, LABEL, BASE_URL } from './lib.mjs';
import { people, publishedPlan, act, newTicket, issuedReceivedPermitted, briefed, risksConfirmed } from './fieldwork_lib.mjs';

const dayOffset = (n) => new Date(Date.now() + 8 * 3600e3 + n * 86400e3).toISOString().slice(0, 10);

async function contractor(token, extra = {}) {
  const r = await api('POST', '/contractors', { token, body: {
    name: uniq('临澜恒通电力安装有限公司-'), credit_code: '91330100MA2KXXXX0B', contact_name: '钱国强', contact_phone: '13905710000',
    qualification_name: '承装（修、试）电力设施许可证', qualification_no: '6-2-00123-2019', qualification_grade: '四级',
    qualification_expires_on: dayOffset(400), ...extra } });
  expectStatus(r, 201);
  return r.json;
}

const signAgreement = (token, id, extra = {}) => api('POST', `/contractors/${id}/agreements`, { token, body: {
  number: uniq('AQXY-'), signed_on: dayOffset(-10), expires_on: dayOffset(355), contractor_signer: '钱国强', ...extra } });

test(`${LABEL} contractors: create, validation, a unique name, edits with version, audited`, async () => {
  const admin = await adminToken();
  const c = await contractor(admin);
  assert.equal(c.suspended, false);
  assert.deepEqual(c.status.reasons.map((x) => x.code), ['contractor_agreement_missing'], 'no agreement signed yet');
  assert.equal(c.status.ready, false);
  expectError(await api('POST', '/contractors', { token: admin, body: { name: c.name } }), 409, 'contractor_name_taken', 'name');
  expectError(await api('POST', '/contractors', { token: admin, body: { name: uniq('c-'), credit_code: 'ABC' } }), 400, 'invalid_field', 'credit_code');
  expectError(await api('POST', '/contractors', { token: admin, body: { name: uniq('c-'), qualification_expires_on: '2026-02-30' } }), 400, 'invalid_field', 'qualification_expires_on');
  expectError(await api('POST', '/contractors', { token: admin, body: { name: '' } }), 400, 'invalid_field', 'name');
  expectError(await api('POST', '/contractors', { token: admin, body: { name: uniq('c-'), grade: 'x' } }), 400, 'unknown_field', 'grade');
  // edits: stale version refused, a field sent as null is cleared, one left out is kept
  expectError(await api('PATCH', `/contractors/${c.id}`, { token: admin, body: { version: c.version + 5, contact_phone: null } }), 409, 'version_conflict');
  const u = await api('PATCH', `/contractors/${c.id}`, { token: admin, body: { version: c.version, contact_phone: null, qualification_grade: '三级' } });
  expectStatus(u, 200);
  assert.equal(u.json.contact_phone, null);
  assert.equal(u.json.qualification_grade, '三级');
  assert.equal(u.json.contact_name, '钱国强');
  assert.equal(u.json.version, c.version + 1);
  // suspending needs a reason
  expectError(await api('PATCH', `/contractors/${c.id}`, { token: admin, body: { version: u.json.version, suspended: true } }), 400, 'missing_field', 'suspended_reason');
  const audit = await api('GET', `/audit?entity=contractor&entity_id=${c.id}`, { token: admin });
  expectStatus(audit, 200);
  assert.deepEqual(audit.json.items.map((x) => x.action).sort(), ['create', 'update']);
  const list = await api('GET', `/contractors?q=${encodeURIComponent(c.name.slice(-8))}`, { token: admin });
  expectStatus(list, 200);
  assert.deepEqual(list.json.items.map((x) => x.id), [c.id]);
});

test(`${LABEL} contractors: only managers and safety supervisors edit; dispatchers and leaders read; crew neither`, async () => {
  const [sup, disp, crew] = await Promise.all([userWithToken(['supervisor']), userWithToken(['dispatcher']), userWithToken(['crew'])]);
  const c = await contractor(sup.token);
  expectStatus(await api('GET', `/contractors/${c.id}`, { token: disp.token }), 200);
  expectError(await api('POST', '/contractors', { token: disp.token, body: { name: uniq('c-') } }), 403, 'forbidden');
  expectError(await api('GET', '/contractors', { token: crew.token }), 403, 'forbidden');
});

test(`${LABEL} contractors: agreements are appended, dated sensibly; the one in force counts; a scan can be attached`, async () => {
  const admin = await adminToken();
  const c = await contractor(admin);
  expectError(await signAgreement(admin, c.id, { signed_on: dayOffset(5) }), 400, 'invalid_field', 'signed_on');
  expectError(await signAgreement(admin, c.id, { expires_on: dayOffset(-20) }), 400, 'invalid_field', 'expires_on');
  expectError(await signAgreement(admin, c.id, { attachment_id: '00000000-0000-7000-8000-000000000000' }), 400, 'invalid_field', 'attachment_id');
  // an expired agreement does not count
  const old = await signAgreement(admin, c.id, { signed_on: '2024-01-01', expires_on: '2024-12-31' });
  expectStatus(old, 201);
  assert.ok(old.json.status.reasons.some((x) => x.code === 'contractor_agreement_missing'));
  const res = await fetch(`${BASE_URL}/api/v1/attachments?entity=contractor&entity_id=${c.id}&filename=agreement.pdf`, {
    method: 'POST', headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/pdf' },
    body: Buffer.from('%PDF-1.4\n% signed safety agreement scan\n%%EOF\n') });
  assert.equal(res.status, 201, await res.clone().text());
  const scan = await res.json();
  const cur = await signAgreement(admin, c.id, { attachment_id: scan.id, expires_on: dayOffset(20) });
  expectStatus(cur, 201);
  assert.equal(cur.json.status.ready, true, JSON.stringify(cur.json.status));
  assert.equal(cur.json.status.agreement_in_force.attachment_id, scan.id);
  assert.deepEqual(cur.json.status.expiring.map((x) => x.what), ['agreement'], 'an agreement ending within 30 days is flagged');
  assert.equal(cur.json.agreements.length, 2);
});

test(`${LABEL} contractor staff: one company each; readiness and gate_person_unqualified name the company and why`, async () => {
  const admin = await adminToken();
  const p = await people();
  const c = await contractor(admin, { qualification_expires_on: dayOffset(-1) });
  const other = await contractor(admin);
  expectStatus(await api('POST', `/contractors/${c.id}/staff`, { token: admin, body: { user_id: p.crew.user.id } }), 200);
  const again = await api('POST', `/contractors/${other.id}/staff`, { token: admin, body: { user_id: p.crew.user.id } });
  expectError(again, 409, 'contractor_staff_elsewhere', 'user_id');
  assert.equal(again.json.error.details.contractor.id, c.id);
  expectError(await api('POST', `/contractors/${c.id}/staff`, { token: admin, body: { user_id: '00000000-0000-7000-8000-000000000000' } }), 400, 'invalid_field', 'user_id');

  // the job is otherwise ready (and watched by video, so only readiness stands in the way)
  const { plan } = await publishedPlan(p);
  const v = await api('PATCH', `/plans/${plan.id}`, { token: p.dispatcher.token, body: { version: plan.version, video_link: 'rtsp://video.example/ch/7' } });
  expectStatus(v, 200);
  const t = await issuedReceivedPermitted(p, await newTicket(p, plan));
  await briefed(p, plan, [p.leader, p.crew]);
  await risksConfirmed(p, t);
  let r = await act(p.leader.token, `/plans/${plan.id}/actions/start`);
  expectError(r, 409, 'gate_person_unqualified');
  let g = r.json.error.details.gates.find((x) => x.code === 'gate_person_unqualified');
  assert.deepEqual(g.people.map((x) => x.user_id), [p.crew.user.id]);
  assert.deepEqual(g.people[0].reasons.map((x) => x.code).sort(), ['contractor_agreement_missing', 'contractor_unqualified']);
  assert.equal(g.people[0].contractor.id, c.id);
  assert.equal(g.people[0].reasons[0].contractor.name, c.name);

  // renew the qualification and sign the agreement: ready; then suspend the company: blocked again, reason named
  const cur = await api('GET', `/contractors/${c.id}`, { token: admin });
  const renewed = await api('PATCH', `/contractors/${c.id}`, { token: admin, body: { version: cur.json.version, qualification_expires_on: dayOffset(700) } });
  expectStatus(renewed, 200);
  expectStatus(await signAgreement(admin, c.id), 201);
  const readiness = await api('GET', `/plans/${plan.id}/readiness`, { token: p.leader.token });
  assert.ok(readiness.json.items.every((x) => x.ready), JSON.stringify(readiness.json));
  assert.equal(readiness.json.items.find((x) => x.user_id === p.crew.user.id).contractor.id, c.id);
  const s = await api('PATCH', `/contractors/${c.id}`, { token: admin, body: { version: renewed.json.version, suspended: true, suspended_reason: '违章作业，停工整改' } });
  expectStatus(s, 200);
  r = await act(p.leader.token, `/plans/${plan.id}/actions/start`);
  g = r.json.error.details.gates.find((x) => x.code === 'gate_person_unqualified');
  assert.deepEqual(g.people[0].reasons.map((x) => x.code), ['contractor_suspended']);
  assert.equal(g.people[0].reasons[0].reason, '违章作业，停工整改');
  expectStatus(await api('PATCH', `/contractors/${c.id}`, { token: admin, body: { version: s.json.version, suspended: false } }), 200);
  expectStatus(await act(p.leader.token, `/plans/${plan.id}/actions/start`), 200);
});

test(`${LABEL} gate_contractor_unsupervised: contractor staff on a job need a supervisor or a video link`, async () => {
  const admin = await adminToken();
  const p = await people();
  const c = await contractor(admin);
  expectStatus(await signAgreement(admin, c.id), 201);
  expectStatus(await api('POST', `/contractors/${c.id}/staff`, { token: admin, body: { user_id: p.crew.user.id } }), 200);
  const { plan } = await publishedPlan(p);
  const t = await issuedReceivedPermitted(p, await newTicket(p, plan));
  await briefed(p, plan, [p.leader, p.crew]);
  await risksConfirmed(p, t);
  const r = await act(p.leader.token, `/plans/${plan.id}/actions/start`);
  expectError(r, 409, 'gate_contractor_unsupervised');
  assert.deepEqual(r.json.error.details.gates.map((x) => x.code), ['gate_contractor_unsupervised'], 'only supervision is missing');
  const g = r.json.error.details.gates[0];
  assert.deepEqual(g.people.map((x) => [x.user_id, x.contractor.id]), [[p.crew.user.id, c.id]]);
  // removing the person from the contractor would also clear it; here a supervisor is put on site
  const sup = await userWithToken(['supervisor']);
  const cur = await api('GET', `/plans/${plan.id}`, { token: p.dispatcher.token });
  expectStatus(await api('PATCH', `/plans/${plan.id}`, { token: p.dispatcher.token, body: { version: cur.json.version, onsite_supervisor_id: sup.user.id } }), 200);
  expectStatus(await act(p.leader.token, `/plans/${plan.id}/actions/start`), 200);
  // staff can leave a contractor; leaving is audited
  expectStatus(await api('DELETE', `/contractors/${c.id}/staff/${p.crew.user.id}`, { token: admin }), 200);
  expectError(await api('DELETE', `/contractors/${c.id}/staff/${p.crew.user.id}`, { token: admin }), 404, 'not_found');
  const audit = await api('GET', `/audit?entity=contractor_staff&entity_id=${p.crew.user.id}`, { token: admin });
  assert.deepEqual(audit.json.items.map((x) => x.action).sort(), ['create', 'delete']);
});

// The person's queue (issue 14 item 4, GET /api/v1/me/queue): for each role, something is made to wait for that
// person, it shows in their queue with its count and the link to the page where they act, and it leaves the queue
// once acted upon; people who may not act on it (another role, another team's leader) never see it.
// Files run one at a time (tests/run-suite.sh), so a company-wide count moves only by what this file does.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { api, adminToken, userWithToken, createOrgUnit, expectStatus, expectError, uniq, LABEL, PASSWORD } from './lib.mjs';
import { appStaff, createApplication } from './lib_applications.mjs';
import { people, publishedPlan, act, newTicket, briefed, risksConfirmed, upload, today, qualify, runJob } from './fieldwork_lib.mjs';

async function queue(token, limit) {
  const r = await api('GET', '/me/queue' + (limit ? `?limit=${limit}` : ''), { token });
  expectStatus(r, 200);
  assert.ok(Array.isArray(r.json.kinds));
  assert.equal(r.json.total, r.json.kinds.reduce((s, k) => s + k.count, 0), 'total is the sum of the counts');
  for (const k of r.json.kinds) {
    assert.ok(k.count > 0, `${k.kind}: only kinds with something waiting`);
    assert.ok(k.items.length <= r.json.limit && k.items.length <= k.count, `${k.kind}: at most limit items`);
  }
  return r.json;
}
const kind = (q, k) => q.kinds.find((x) => x.kind === k);
const count = (q, k) => (kind(q, k) ? kind(q, k).count : 0);
const item = (q, k, id) => (kind(q, k) ? kind(q, k).items.find((i) => i.id === id) : undefined);

test(`${LABEL} queue: the limit is 1 to 20; an empty queue is empty`, async () => {
  const crew = await userWithToken(['crew']);
  const q = await queue(crew.token);
  assert.deepEqual(q, { kinds: [], total: 0, limit: 5 });
  expectError(await api('GET', '/me/queue?limit=0', { token: crew.token }), 400, 'invalid_query', 'limit');
  expectError(await api('GET', '/me/queue?limit=21', { token: crew.token }), 400, 'invalid_query', 'limit');
  expectError(await api('GET', '/me/queue?limit=x', { token: crew.token }), 400, 'invalid_query', 'limit');
  assert.equal((await queue(crew.token, 20)).limit, 20);
  expectError(await api('GET', '/me/queue'), 401, 'unauthenticated');
});

test(`${LABEL} queue: a ticket waits for each signer in turn, then for its evaluation and archiving`, async () => {
  const p = await people();
  const [supervisor, manager, otherLeader] = await Promise.all([userWithToken(['supervisor']), userWithToken(['manager']),
    userWithToken(['leader'])]);
  // the dispatcher: a draft plan waits to be published
  const disp0 = await queue(p.dispatcher.token);
  const team = await createOrgUnit('team');
  const order = await act(p.dispatcher.token, '/work-orders', { kind: 'lv_meter_install', customer_name: '王秀英', site_address: '临澜市和平街 7 号' });
  expectStatus(order, 201);
  const draft = await act(p.dispatcher.token, '/plans', { date: today(), team_id: team.id, leader_id: otherLeader.user.id,
    crew_ids: [p.crew.user.id], work_order_ids: [order.json.id] });
  expectStatus(draft, 201);
  const disp1 = await queue(p.dispatcher.token);
  assert.equal(count(disp1, 'plans.publish'), count(disp0, 'plans.publish') + 1);
  assert.equal(kind(disp1, 'plans.publish').path, '/plans');
  assert.equal(kind(disp1, 'plans.publish').module, 'plans');
  assert.equal(count(await queue(p.leader.token), 'plans.publish'), 0, 'a leader does not publish plans');
  expectStatus(await act(p.dispatcher.token, `/plans/${draft.json.id}/actions/publish`), 200);
  assert.equal(count(await queue(p.dispatcher.token), 'plans.publish'), count(disp0, 'plans.publish'));
  // that plan's leader: a published plan of today waits to be started; nobody else's queue holds it
  const ol = await queue(otherLeader.token);
  assert.equal(count(ol, 'plans.start'), 1);
  assert.equal(item(ol, 'plans.start', draft.json.id).path, `/jobs/${draft.json.id}`);
  assert.equal(item(ol, 'plans.start', draft.json.id).at, today());
  assert.equal(count(await queue(p.leader.token), 'plans.start'), 0);

  const { plan } = await publishedPlan(p);
  const i0 = await queue(p.issuer.token), pm0 = await queue(p.permitter.token);
  const sup0 = await queue(supervisor.token), man0 = await queue(manager.token);
  const t = await newTicket(p, plan);
  // issuer: the draft waits to be issued
  const i1 = await queue(p.issuer.token);
  assert.equal(count(i1, 'tickets.issue'), count(i0, 'tickets.issue') + 1);
  assert.equal(kind(i1, 'tickets.issue').path, '/tickets');
  assert.equal(count(await queue(p.leader.token), 'tickets.issue'), 0, 'the leader may not issue');
  assert.equal(count(await queue(p.crew.token), 'tickets.issue'), 0, 'a crew member may not issue');
  // a leader who is also an issuer never sees their own ticket to issue (signer_conflict)
  const both = await userWithToken(['leader', 'issuer']);
  const { plan: own } = await publishedPlan({ ...p, leader: both }, { leader: both, ready: false });
  const ownT = await newTicket({ ...p, leader: both }, own);
  const bq = await queue(both.token, 20);
  assert.equal(count(bq, 'tickets.issue'), count(i1, 'tickets.issue'), 'the other drafts, not their own');
  assert.equal(item(bq, 'tickets.issue', ownT.id), undefined);
  expectStatus(await act(p.issuer.token, `/tickets/${ownT.id}/actions/void`, { reason: '测试：撤销' }), 200);

  expectStatus(await act(p.issuer.token, `/tickets/${t.id}/actions/issue`, { password: PASSWORD }), 200);
  assert.equal(count(await queue(p.issuer.token), 'tickets.issue'), count(i0, 'tickets.issue'));
  // the leader: the issued ticket waits to be received, linked to the ticket's page
  const l1 = await queue(p.leader.token);
  assert.equal(count(l1, 'tickets.receive'), 1);
  assert.deepEqual(item(l1, 'tickets.receive', t.id), { id: t.id, title: t.number, subtitle: t.place, at: t.planned_start,
    path: `/tickets/${t.id}` });
  assert.equal(count(await queue(otherLeader.token), 'tickets.receive'), 0, 'another team\'s leader');
  expectStatus(await act(p.leader.token, `/tickets/${t.id}/actions/receive`, { password: PASSWORD }), 200);
  assert.equal(count(await queue(p.leader.token), 'tickets.receive'), 0);
  // the permitter: the received ticket waits for the permit
  const pm1 = await queue(p.permitter.token);
  assert.equal(count(pm1, 'tickets.permit'), count(pm0, 'tickets.permit') + 1);
  assert.equal(count(await queue(p.issuer.token), 'tickets.permit'), 0, 'an issuer does not permit');
  for (const m of t.measures) expectStatus(await act(p.crew.token, `/tickets/${t.id}/measures/${m.id}/actions/confirm`), 200);
  expectStatus(await act(p.permitter.token, `/tickets/${t.id}/actions/permit`, { password: PASSWORD, permit_method: 'onsite' }), 200);
  assert.equal(count(await queue(p.permitter.token), 'tickets.permit'), count(pm0, 'tickets.permit'));
  // the leader: the plan waits to be started, then the working ticket waits to be ended
  assert.equal(item(await queue(p.leader.token), 'plans.start', plan.id).path, `/jobs/${plan.id}`);
  await briefed(p, plan, [p.leader, p.crew]);
  await risksConfirmed(p, t);
  expectStatus(await act(p.leader.token, `/plans/${plan.id}/actions/start`), 200);
  const l2 = await queue(p.leader.token);
  assert.equal(count(l2, 'plans.start'), 0);
  assert.equal(count(l2, 'tickets.end'), 1);
  assert.equal(item(l2, 'tickets.end', t.id).path, `/tickets/${t.id}`);
  assert.equal(count(await queue(p.crew.token), 'tickets.end'), 0, 'the crew do not end the ticket');
  const site = await upload(p.leader.token, t.id);
  expectStatus(await act(p.leader.token, `/tickets/${t.id}/actions/end`, { password: PASSWORD, photo_ids: [site.id] }), 200);
  assert.equal(count(await queue(p.leader.token), 'tickets.end'), 0);
  // the supervisor and the manager: the ended ticket waits for its evaluation; the manager also archives it
  const sup1 = await queue(supervisor.token), man1 = await queue(manager.token);
  assert.equal(count(sup1, 'evaluations.due'), count(sup0, 'evaluations.due') + 1);
  assert.equal(kind(sup1, 'evaluations.due').path, '/supervision');
  assert.equal(count(man1, 'evaluations.due'), count(man0, 'evaluations.due') + 1);
  assert.equal(count(man1, 'tickets.archive'), count(man0, 'tickets.archive') + 1);
  assert.equal(count(sup1, 'tickets.archive'), 0, 'a supervisor does not archive');
  assert.equal(count(await queue(p.dispatcher.token), 'evaluations.due'), 0, 'a dispatcher does not evaluate');
  expectStatus(await act(supervisor.token, `/tickets/${t.id}/evaluation`, { qualified: true }), 201);
  assert.equal(count(await queue(supervisor.token), 'evaluations.due'), count(sup0, 'evaluations.due'));
  expectStatus(await act(manager.token, `/tickets/${t.id}/actions/archive`), 200);
  assert.equal(count(await queue(manager.token), 'tickets.archive'), count(man0, 'tickets.archive'));
});

test(`${LABEL} queue: a fault waits for the dispatcher, then for its engineer; parts for the keeper, then the engineer`, async () => {
  const [disp, eng, otherEng, keeper, crew] = await Promise.all([userWithToken(['dispatcher']), userWithToken(['om_engineer']),
    userWithToken(['om_engineer']), userWithToken(['tool_keeper']), userWithToken(['crew'])]);
  const admin = await adminToken();
  const tag = uniq('Q');
  const station = await api('POST', '/stations', { token: admin, body: { code: 'QS-' + tag, name: '队列测试站' + tag } });
  expectStatus(station, 201);
  const charger = await api('POST', '/chargers', { token: admin, body: { charge_point_id: 'QC-' + tag, kind: 'ac', payment: 'qr', station_id: station.json.id } });
  expectStatus(charger, 201);
  const d0 = await queue(disp.token);
  const rep = await act(disp.token, '/service-desk/reports', { channel: 'phone', reporter_name: '李雷', contact: '13800001234',
    charger_id: charger.json.id, category: 'cannot_charge', description: '扫码后无法启动充电' });
  expectStatus(rep, 201);
  expectStatus(await act(disp.token, `/service-desk/reports/${rep.json.id}/actions/classify`, { classification: 'dispatch' }), 200);
  const faults = await api('GET', `/faults?charger_id=${charger.json.id}`, { token: admin });
  expectStatus(faults, 200);
  const f = faults.json.items[0];
  assert.equal(f.status, 'triage');
  const d1 = await queue(disp.token);
  assert.equal(count(d1, 'faults.triage'), count(d0, 'faults.triage') + 1);
  assert.equal(kind(d1, 'faults.triage').path, '/charging/faults');
  assert.equal(count(await queue(eng.token), 'faults.triage'), 0, 'an engineer does not dispatch');
  expectStatus(await act(disp.token, `/faults/${f.id}/actions/dispatch`, { assignee_id: eng.user.id }), 200);
  assert.equal(count(await queue(disp.token), 'faults.triage'), count(d0, 'faults.triage'));
  const e1 = await queue(eng.token);
  assert.equal(count(e1, 'faults.assigned'), 1);
  assert.deepEqual(item(e1, 'faults.assigned', f.id), { id: f.id, title: f.number, subtitle: f.title,
    at: item(e1, 'faults.assigned', f.id).at, path: `/charging/faults/${f.id}` });
  assert.equal(count(await queue(otherEng.token), 'faults.assigned'), 0, 'another engineer');
  expectStatus(await act(eng.token, `/faults/${f.id}/actions/start`), 200);
  assert.equal(count(await queue(eng.token), 'faults.assigned'), 1, 'still theirs while repairing');
  expectStatus(await act(eng.token, `/faults/${f.id}/actions/resolve`, { note: '更换读卡模块' }), 200);
  assert.equal(count(await queue(eng.token), 'faults.assigned'), 0);

  // a part request waits for the tool keeper, then the issued parts for the engineer who asked
  const part = await api('POST', '/parts', { token: keeper.token, body: { code: uniq('Q-MOD-'), name: '队列测试模块', category: 'module', unit: '个' } });
  expectStatus(part, 201);
  const depot = await api('POST', '/part-depots', { token: keeper.token, body: { name: uniq('队列测试库-') } });
  expectStatus(depot, 201);
  expectStatus(await api('POST', `/part-depots/${depot.json.id}/receipts`, { token: keeper.token, body: { part_id: part.json.id, qty: 3 } }), 200);
  const k0 = await queue(keeper.token);
  const req = await act(eng.token, '/part-requests', { work_order_id: f.work_order_id, depot_id: depot.json.id, note: '读卡模块',
    lines: [{ part_id: part.json.id, qty: 1 }] });
  expectStatus(req, 201);
  const k1 = await queue(keeper.token);
  assert.equal(count(k1, 'parts.issue'), count(k0, 'parts.issue') + 1);
  assert.equal(kind(k1, 'parts.issue').path, '/parts');
  assert.equal(count(await queue(crew.token), 'parts.issue'), 0);
  expectStatus(await act(keeper.token, `/part-requests/${req.json.id}/actions/issue`), 200);
  assert.equal(count(await queue(keeper.token), 'parts.issue'), count(k0, 'parts.issue'));
  const e2 = await queue(eng.token);
  assert.equal(count(e2, 'parts.settle'), 1);
  assert.equal(item(e2, 'parts.settle', req.json.id).path, `/parts/requests/${req.json.id}`);
  assert.equal(item(e2, 'parts.settle', req.json.id).title, req.json.number);
  assert.equal(count(await queue(otherEng.token), 'parts.settle'), 0, 'only the engineer who asked settles');
  expectStatus(await act(eng.token, `/part-requests/${req.json.id}/actions/settle`, { lines: [{ part_id: part.json.id, consumed: 1, returned: 0 }] }), 200);
  assert.equal(count(await queue(eng.token), 'parts.settle'), 0);
});

test(`${LABEL} queue: tools overdue or due for test wait for the tool keepers`, async () => {
  const [keeper, leader] = await Promise.all([userWithToken(['tool_keeper']), userWithToken(['leader'])]);
  const day = (n) => new Date(Date.now() + 8 * 3600e3 + n * 86400e3).toISOString().slice(0, 10);
  const k0 = await queue(keeper.token);
  // insulating gloves are tested every 6 months: tested 7 months ago → overdue; 5 months and a half ago → due soon
  const over = await act(keeper.token, '/tools', { asset_no: uniq('QT-'), kind: 'insulating_gloves', last_test_date: day(-214), last_test_result: 'pass' });
  expectStatus(over, 201);
  const soon = await act(keeper.token, '/tools', { asset_no: uniq('QT-'), kind: 'insulating_gloves', last_test_date: day(-170), last_test_result: 'pass' });
  expectStatus(soon, 201);
  const k1 = await queue(keeper.token);
  assert.equal(count(k1, 'tools.test_overdue'), count(k0, 'tools.test_overdue') + 1);
  assert.equal(kind(k1, 'tools.test_overdue').path, '/tools?status=overdue');
  assert.equal(count(k1, 'tools.test_due'), count(k0, 'tools.test_due') + 1);
  assert.equal(kind(k1, 'tools.test_due').path, '/tools?status=test_due_soon');
  assert.equal(count(await queue(leader.token), 'tools.test_overdue'), 0, 'a leader does not test tools');
  for (const t of [over.json, soon.json])
    expectStatus(await act(keeper.token, `/tools/${t.id}/tests`, { test_date: day(0), result: 'pass', tester: '省电科院', report_no: uniq('SY') }), 201);
  const k2 = await queue(keeper.token);
  assert.equal(count(k2, 'tools.test_overdue'), count(k0, 'tools.test_overdue'));
  assert.equal(count(k2, 'tools.test_due'), count(k0, 'tools.test_due'));
});

test(`${LABEL} queue: an ended emergency waits for its review; feedback waits to be contacted, then answered`, async () => {
  const [disp, sup, crew, cs, viewer] = await Promise.all([userWithToken(['dispatcher']), userWithToken(['supervisor']),
    userWithToken(['crew']), userWithToken(['customer_service']), userWithToken(['viewer'])]);
  const area = await createOrgUnit('department');
  const s0 = await queue(sup.token);
  const em = await act(disp.token, '/emergencies', { kind: 'disaster_mass_faults', title: uniq('台风抢修 '), area_ids: [area.id],
    work_kinds: ['collection_fault'], fault_kinds: ['collection_outage'] });
  expectStatus(em, 201);
  assert.equal(count(await queue(sup.token), 'emergencies.review'), count(s0, 'emergencies.review'), 'an active emergency has no review yet');
  expectStatus(await act(disp.token, `/emergencies/${em.json.id}/actions/end`, { note: '线路恢复供电' }), 200);
  const s1 = await queue(sup.token, 20);
  assert.equal(count(s1, 'emergencies.review'), count(s0, 'emergencies.review') + 1);
  assert.equal(kind(s1, 'emergencies.review').path, '/emergency');
  assert.equal(count(await queue(disp.token), 'emergencies.review'), count(s1, 'emergencies.review'), 'the dispatchers review too');
  assert.equal(count(await queue(crew.token), 'emergencies.review'), 0, 'a crew member does not review');
  expectStatus(await act(sup.token, `/emergencies/${em.json.id}/actions/review`, { findings: '通信中断两小时', lessons: '配备卫星电话' }), 200);
  assert.equal(count(await queue(sup.token), 'emergencies.review'), count(s0, 'emergencies.review'));

  const c0 = await queue(cs.token);
  const fb = await act(cs.token, '/feedback', { kind: 'complaint', channel: 'phone_95598', subject: uniq('装表超期 '),
    text: '申请三周了还没有装表', contact_name: '张三丰', contact_phone: '13812345678' });
  expectStatus(fb, 201);
  const c1 = await queue(cs.token);
  assert.equal(count(c1, 'feedback.contact'), count(c0, 'feedback.contact') + 1);
  assert.equal(kind(c1, 'feedback.contact').path, '/feedback');
  assert.equal(count(await queue(viewer.token), 'feedback.contact'), 0, 'a viewer reads feedback but does not handle it');
  expectStatus(await act(cs.token, `/feedback/${fb.json.id}/actions/contact`, { contact_note: '已致电客户' }), 200);
  const c2 = await queue(cs.token);
  assert.equal(count(c2, 'feedback.contact'), count(c0, 'feedback.contact'));
  assert.equal(count(c2, 'feedback.answer'), count(c0, 'feedback.answer') + 1);
  expectStatus(await act(cs.token, `/feedback/${fb.json.id}/actions/answer`, { answer: '已安排下周二上午装表' }), 200);
  assert.equal(count(await queue(cs.token), 'feedback.answer'), count(c0, 'feedback.answer'));
});

test(`${LABEL} queue: a metering error case waits for its 退补 calculation, then for a second person's approval`, async () => {
  const [metering, metering2, disp] = await Promise.all([userWithToken(['metering']), userWithToken(['metering']), userWithToken(['dispatcher'])]);
  const p = await people();
  await qualify(p.leader, p.crew);
  const n = Math.floor(Math.random() * 1e8);
  const c = await act(metering.token, '/metering/cases', { kind: 'error', subject: uniq('计量差错 '), point_no: `JLD${n}`,
    asset_no: `3300${String(n).padStart(8, '0')}`, data: { grade: 'general' } });
  expectStatus(c, 201);
  const m0 = await queue(metering.token), m20 = await queue(metering2.token);
  await runJob(p, c.json.work_order_id, { error_type: 'wiring', refund_basis: 'full_period', error_grade: 'general' });
  const m1 = await queue(metering.token);
  assert.equal(count(m1, 'metering_cases.calculate'), count(m0, 'metering_cases.calculate') + 1);
  assert.equal(kind(m1, 'metering_cases.calculate').path, '/metering-cases');
  assert.equal(count(await queue(disp.token), 'metering_cases.calculate'), 0, 'a dispatcher does not calculate');
  expectStatus(await act(metering.token, `/metering/cases/${c.json.id}/actions/calculate`, { cause: 'wiring', from: '2026-02-01',
    to: '2026-05-01', energy_kwh: '5000', correction_factor: '1.732' }), 200);
  const m2 = await queue(metering.token), m21 = await queue(metering2.token);
  assert.equal(count(m2, 'metering_cases.calculate'), count(m0, 'metering_cases.calculate'));
  assert.equal(count(m2, 'metering_cases.approve'), count(m0, 'metering_cases.approve'), 'not for the one who calculated it');
  assert.equal(count(m21, 'metering_cases.approve'), count(m20, 'metering_cases.approve') + 1, 'for a second person');
  expectStatus(await act(metering2.token, `/metering/cases/${c.json.id}/actions/approve`), 200);
  assert.equal(count(await queue(metering2.token), 'metering_cases.approve'), count(m20, 'metering_cases.approve'));
});

// A valid unified social credit code (GB 32100) for a customer of the registry.
const USCC_SET = '0123456789ABCDEFGHJKLMNPQRTUWXY';
const USCC_W = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];
const uscc = (s17) => {
  const c = 31 - ([...s17].reduce((a, ch, i) => a + USCC_SET.indexOf(ch) * USCC_W[i], 0) % 31);
  return s17 + USCC_SET[c === 31 ? 0 : c];
};

test(`${LABEL} queue: a safety check due within a week waits for the crews of the customer's unit, not another unit's`, async () => {
  const admin = await adminToken();
  const [hall, other] = await Promise.all([createOrgUnit('team'), createOrgUnit('team')]);
  const [cm, mgr, crew, outsider, viewer] = await Promise.all([userWithToken(['customer_manager'], { org_unit_id: hall.id }),
    userWithToken(['manager']), userWithToken(['crew'], { org_unit_id: hall.id }), userWithToken(['crew'], { org_unit_id: other.id }),
    userWithToken(['viewer'], { org_unit_id: hall.id })]);
  const n = Math.floor(Math.random() * 9000000);
  const c = await api('POST', '/customers', { token: admin, body: { kind: 'enterprise', name: `临澜待办客户${n}有限公司`, id_type: 'uscc',
    id_number: uscc(`91330100MA${String(n).padStart(7, '0')}`), org_unit_id: hall.id, contacts: [{ name: '赵电工', phone: '13900001111', role: '电工' }] } });
  expectStatus(c, 201);
  // 10 kV customers are checked every 12 months: last checked a year ago less 3 days → the next check is due in 3 days
  const d = new Date(today() + 'T00:00:00Z');
  const last = new Date(Date.UTC(d.getUTCFullYear() - 1, d.getUTCMonth(), d.getUTCDate() + 3)).toISOString().slice(0, 10);
  expectStatus(await api('POST', '/safety-customers', { token: cm.token, body: { customer_id: c.json.id, grade: 'hv10', voltage_level: '10kV', last_checked_on: last } }), 201);
  const c0 = await queue(crew.token), o0 = await queue(outsider.token);
  expectStatus(await api('POST', '/safety-checks/actions/generate', { token: mgr.token, body: { on: today() } }), 200);
  const checks = await api('GET', `/safety-checks?customer_id=${c.json.id}`, { token: mgr.token });
  expectStatus(checks, 200);
  assert.equal(checks.json.items.length, 1);
  const k = checks.json.items[0];
  const c1 = await queue(crew.token, 20);
  assert.equal(count(c1, 'safety_checks.due'), count(c0, 'safety_checks.due') + 1);
  assert.equal(kind(c1, 'safety_checks.due').path, '/safety-checks');
  assert.equal(count(await queue(outsider.token), 'safety_checks.due'), count(o0, 'safety_checks.due'), 'another unit\'s crew');
  assert.equal(count(await queue(viewer.token), 'safety_checks.due'), 0, 'a viewer does not run checks');
  const full = await api('GET', `/safety-checks/${k.id}`, { token: crew.token });
  expectStatus(full, 200);
  for (const it of full.json.items) expectStatus(await api('PUT', `/safety-checks/${k.id}/items/${it.code}`, { token: crew.token, body: { result: 'ok' } }), 200);
  expectStatus(await api('POST', `/safety-checks/${k.id}/actions/finish`, { token: crew.token, body: {} }), 200);
  assert.equal(count(await queue(crew.token), 'safety_checks.due'), count(c0, 'safety_checks.due'));
});

test(`${LABEL} queue: an HV application at the customer manager's stage waits for its own customer manager only`, async () => {
  const staff = await appStaff();
  const [cm, other] = await Promise.all([userWithToken(['customer_manager']), userWithToken(['customer_manager'])]);
  const app = await createApplication(staff.counter.token, 'hv_single');
  expectStatus(await api('PUT', `/applications/${app.id}/customer-manager`, { token: staff.counter.token, body: { user_id: cm.user.id } }), 200);
  assert.equal(count(await queue(cm.token), 'applications.needs_me'), 0, 'accepted: the counter\'s stage, not the manager\'s');
  const acc = await act(staff.counter.token, `/applications/${app.id}/actions/accept`);
  expectStatus(acc, 200);
  assert.equal(acc.json.status, 'survey');
  const q = await queue(cm.token);
  assert.equal(count(q, 'applications.needs_me'), 1);
  assert.equal(kind(q, 'applications.needs_me').path, '/applications/queue');
  assert.equal(item(q, 'applications.needs_me', app.id).path, `/applications/${app.id}`);
  assert.equal(item(q, 'applications.needs_me', app.id).title, app.number);
  assert.equal(count(await queue(other.token), 'applications.needs_me'), 0, 'another customer manager');
  expectStatus(await act(staff.counter.token, `/applications/${app.id}/actions/cancel`, { reason: '客户撤回' }), 200);
  assert.equal(count(await queue(cm.token), 'applications.needs_me'), 0);
});

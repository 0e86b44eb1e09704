// Company-level emergency mode (R1.4) and emergency plans and drills (R2.14, R4.6): docs/api.md "Emergencies and
// the on-call roster" and "Emergency plans and drills".
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { api, LABEL, uniq, expectStatus, expectError, userWithToken, createOrgUnit, MISSING_ID } from './lib.mjs';
import { people, qualify, equip, act, issuedReceivedPermitted, briefed, risksConfirmed, today, tamper } from './fieldwork_lib.mjs';

/** A published plan of the given team with one order of each kind, its people qualified and its tools out. */
async function planIn(p, team, kinds) {
  const orders = [];
  for (const kind of kinds) {
    const o = await api('POST', '/work-orders', { token: p.dispatcher.token,
      body: { kind, customer_name: '赵桂兰', site_address: '临澜市滨江路 12 号', meter_asset_no: '1100' + Date.now() % 1e7 } });
    expectStatus(o, 201);
    orders.push(o.json);
  }
  const plan = await act(p.dispatcher.token, '/plans', { date: today(), team_id: team.id, leader_id: p.leader.user.id,
    crew_ids: [p.crew.user.id], work_order_ids: orders.map((o) => o.id) });
  expectStatus(plan, 201);
  const pub = await act(p.dispatcher.token, `/plans/${plan.json.id}/actions/publish`);
  expectStatus(pub, 200);
  return { plan: pub.json, orders };
}

async function declare(token, body) {
  return api('POST', '/emergencies', { token, body: { kind: 'disaster_mass_faults', title: uniq('台风抢修 '), ...body } });
}

test(`${LABEL} emergency: the repair sheet (QX) in place of the ticket inside the scope, recorded on the work; the meeting still required`, async () => {
  const p = await people();
  await qualify(p.leader, p.crew);
  const dept = await createOrgUnit('department');
  const team = await createOrgUnit('team', dept.id);
  const { plan, orders } = await planIn(p, team, ['collection_fault']);

  // no emergency over this work: the work's own ticket (GZK) only
  expectError(await act(p.leader.token, '/tickets', { plan_id: plan.id, kind: 'QX' }), 409, 'emergency_out_of_scope');

  const em = await declare(p.dispatcher.token, { area_ids: [dept.id], work_kinds: ['collection_fault'],
    fault_kinds: ['collection_outage', 'lv_line_fault'] });
  expectStatus(em, 201);
  assert.equal(em.json.status, 'active');
  assert.deepEqual(em.json.areas.map((a) => a.id), [dept.id]);
  assert.deepEqual(em.json.work_kinds, ['collection_fault']);
  // tools (safety tool kinds) and parts to prepare, from the expected faults
  const tools = em.json.prepare.tools.map((t) => t.kind);
  assert.ok(tools.includes('lv_voltage_detector') && tools.includes('portable_earthing_set'), JSON.stringify(tools));
  assert.ok(em.json.prepare.parts.some((x) => x.name_zh === '集中器' && x.for === 'collection_outage'));

  // the banner: every signed-in user sees it with its scope
  const banner = await api('GET', '/emergencies/active', { token: p.crew.token });
  expectStatus(banner, 200);
  const mine = banner.json.items.find((e) => e.id === em.json.id);
  assert.ok(mine, 'the active emergency is in the banner list');
  assert.equal(mine.areas[0].id, dept.id);

  // inside the scope (a team under the declared department, a kind of work it names): accepted and marked
  const t = await act(p.leader.token, '/tickets', { plan_id: plan.id, kind: 'QX' });
  expectStatus(t, 201);
  assert.equal(t.json.kind, 'QX');
  assert.equal(t.json.emergency_relaxations.length, 1);
  assert.equal(t.json.emergency_relaxations[0].emergency_id, em.json.id);
  assert.equal(t.json.emergency_relaxations[0].relaxation, 'qx_in_place_of_ticket');
  const pl = await api('GET', `/plans/${plan.id}`, { token: p.leader.token });
  assert.deepEqual(pl.json.emergency_relaxations.map((r) => [r.emergency_number, r.relaxation]),
    [[em.json.number, 'qx_in_place_of_ticket']]);
  const wo = await api('GET', `/work-orders/${orders[0].id}`, { token: p.dispatcher.token });
  assert.equal(wo.json.emergency_relaxations[0].emergency_id, em.json.id);

  // the site safety meeting is still required before work
  await equip(plan, p.leader);
  const permitted = await issuedReceivedPermitted(p, t.json);
  await risksConfirmed(p, permitted);
  const early = await act(p.leader.token, `/plans/${plan.id}/actions/start`);
  expectError(early, 409, 'gate_briefing_missing');
  await briefed(p, plan, [p.leader, p.crew]);
  const started = await act(p.leader.token, `/plans/${plan.id}/actions/start`);
  expectStatus(started, 200);
  assert.equal(started.json.status, 'working');

  // the emergency's own record lists the work it touched
  const got = await api('GET', `/emergencies/${em.json.id}`, { token: p.leader.token });
  expectStatus(got, 200);
  assert.ok(got.json.relaxations.some((r) => r.ticket_id === t.json.id && r.work_order_id === orders[0].id));

  // outside the scope: another team's work, or a kind of work the emergency does not name
  const other = await createOrgUnit('team');
  const p2 = await people();
  const outside = await planIn(p2, other, ['collection_fault']);
  expectError(await act(p2.leader.token, '/tickets', { plan_id: outside.plan.id, kind: 'QX' }), 409, 'emergency_out_of_scope');
  const p3 = await people();
  const wrongKind = await planIn(p3, team, ['lv_meter_install']);
  expectError(await act(p3.leader.token, '/tickets', { plan_id: wrongKind.plan.id, kind: 'QX' }), 409, 'emergency_out_of_scope');

  // ended: the same work is refused with its own code; what was done under it keeps its mark
  const ended = await act(p.dispatcher.token, `/emergencies/${em.json.id}/actions/end`, { note: '线路恢复供电' });
  expectStatus(ended, 200);
  assert.equal(ended.json.status, 'review_due');
  const p4 = await people();
  const after = await planIn(p4, team, ['collection_fault']);
  const refused = expectError(await act(p4.leader.token, '/tickets', { plan_id: after.plan.id, kind: 'QX' }), 409, 'emergency_ended');
  assert.equal(refused.details.emergency_id, em.json.id);
  const still = await api('GET', `/tickets/${t.json.id}`, { token: p.leader.token });
  assert.equal(still.json.emergency_relaxations[0].emergency_id, em.json.id, 'history is history');
  expectError(await act(p.dispatcher.token, `/emergencies/${em.json.id}/actions/end`, {}), 409, 'invalid_transition');
});

test(`${LABEL} emergency: continuous charger repair keeps its repair sheet without any emergency`, async () => {
  const p = await people();
  const team = await createOrgUnit('team');
  const { plan } = await planIn(p, team, ['charger_repair']);
  const t = await act(p.leader.token, '/tickets', { plan_id: plan.id });
  expectStatus(t, 201);
  assert.equal(t.json.kind, 'QX');
  assert.deepEqual(t.json.emergency_relaxations, []);
});

test(`${LABEL} emergency: racing declarations over overlapping scopes give one`, async () => {
  const [a, b] = await Promise.all([userWithToken(['dispatcher']), userWithToken(['manager'])]);
  const dept = await createOrgUnit('department');
  const team = await createOrgUnit('team', dept.id);
  const [r1, r2] = await Promise.all([
    declare(a.token, { area_ids: [dept.id], work_kinds: ['lv_meter_install', 'collection_fault'] }),
    declare(b.token, { kind: 'large_outage', area_ids: [team.id], work_kinds: ['collection_fault'] }),
  ]);
  const statuses = [r1.status, r2.status].sort();
  assert.deepEqual(statuses, [201, 409], `${r1.status} ${r2.status}`);
  const lost = r1.status === 409 ? r1 : r2, won = r1.status === 201 ? r1 : r2;
  const err = expectError(lost, 409, 'emergency_scope_overlap');
  assert.equal(err.details.emergency_id, won.json.id);
  // the same area with a kind of work it does not share, or an area apart: no overlap
  const other = await declare(a.token, { area_ids: [team.id], work_kinds: ['meter_rotation'] });
  expectStatus(other, 201);
  const apart = await createOrgUnit('department');
  const far = await declare(b.token, { area_ids: [apart.id], work_kinds: ['collection_fault'] });
  expectStatus(far, 201);
  // ended, a scope is free again
  for (const e of [won, other, far]) expectStatus(await act(a.token, `/emergencies/${e.json.id}/actions/end`, {}), 200);
  expectStatus(await declare(b.token, { area_ids: [team.id], work_kinds: ['collection_fault'] }).then(async (r) => {
    expectStatus(r, 201);
    return act(b.token, `/emergencies/${r.json.id}/actions/end`, {});
  }), 200);
  // nonsense scopes are refused with the field named
  expectError(await declare(a.token, { area_ids: [MISSING_ID], work_kinds: ['collection_fault'] }), 400, 'invalid_field', 'area_ids');
  expectError(await declare(a.token, { area_ids: [apart.id], work_kinds: ['no_such_work'] }), 400, 'invalid_field', 'work_kinds');
  expectError(await declare(a.token, { kind: 'meteor', area_ids: [apart.id], work_kinds: ['collection_fault'] }), 400, 'invalid_field', 'kind');
});

test(`${LABEL} emergency: ended, the review is due (overdue listed) until findings and lessons are recorded`, async () => {
  const mgr = await userWithToken(['manager']);
  const sup = await userWithToken(['supervisor']);
  const dept = await createOrgUnit('department');
  const em = await declare(mgr.token, { kind: 'large_outage', area_ids: [dept.id], work_kinds: ['lv_meter_install'] });
  expectStatus(em, 201);
  expectError(await act(sup.token, `/emergencies/${em.json.id}/actions/review`, { findings: 'x', lessons: 'y' }), 409, 'invalid_transition');
  const ended = await act(mgr.token, `/emergencies/${em.json.id}/actions/end`, { version: em.json.version });
  expectStatus(ended, 200);
  assert.ok(ended.json.review_due_at > ended.json.ended_at);
  assert.equal(ended.json.review_overdue, false);
  let due = await api('GET', '/emergencies?status=review_due', { token: sup.token });
  assert.ok(due.json.items.some((e) => e.id === em.json.id));
  let overdue = await api('GET', '/emergencies?overdue=true', { token: sup.token });
  assert.ok(!overdue.json.items.some((e) => e.id === em.json.id), 'not yet overdue');
  tamper(`UPDATE emergencies SET review_due_at = 1000 WHERE id = '${em.json.id}'`);
  overdue = await api('GET', '/emergencies?overdue=true', { token: sup.token });
  const o = overdue.json.items.find((e) => e.id === em.json.id);
  assert.ok(o && o.review_overdue, 'the overdue review is listed');
  expectError(await act(sup.token, `/emergencies/${em.json.id}/actions/review`, { findings: '备品不足', lessons: '  ' }), 400, 'invalid_field', 'lessons');
  const rv = await act(sup.token, `/emergencies/${em.json.id}/actions/review`, { findings: '集中器备品不足，抢修等待 2 小时',
    lessons: '各供电所常备集中器 3 台' });
  expectStatus(rv, 200);
  assert.equal(rv.json.status, 'closed');
  assert.equal(rv.json.reviewed_by, sup.user.id);
  expectError(await act(sup.token, `/emergencies/${em.json.id}/actions/review`, { findings: 'a', lessons: 'b' }), 409, 'invalid_transition');
  due = await api('GET', '/emergencies?status=review_due', { token: sup.token });
  assert.ok(!due.json.items.some((e) => e.id === em.json.id));
});

test(`${LABEL} emergency: who may declare, end, review and read`, async () => {
  const [crew, leader, viewer, cs, disp, sup] = await Promise.all([userWithToken(['crew']), userWithToken(['leader']),
    userWithToken(['viewer']), userWithToken(['customer_service']), userWithToken(['dispatcher']), userWithToken(['supervisor'])]);
  const dept = await createOrgUnit('department');
  for (const u of [crew, leader, viewer, sup]) {
    expectError(await declare(u.token, { area_ids: [dept.id], work_kinds: ['lv_meter_install'] }), 403, 'forbidden');
  }
  const em = await declare(disp.token, { area_ids: [dept.id], work_kinds: ['lv_meter_install'] });
  expectStatus(em, 201);
  expectError(await act(leader.token, `/emergencies/${em.json.id}/actions/end`, {}), 403, 'forbidden');
  expectStatus(await api('GET', `/emergencies/${em.json.id}`, { token: viewer.token }), 200);
  expectError(await api('GET', `/emergencies/${em.json.id}`, { token: cs.token }), 403, 'forbidden');
  expectStatus(await api('GET', '/emergencies/active', { token: cs.token }), 200);
  expectError(await api('GET', `/emergencies/${MISSING_ID}`, { token: viewer.token }), 404, 'not_found');
  expectStatus(await act(disp.token, `/emergencies/${em.json.id}/actions/end`, {}), 200);
});

test(`${LABEL} on-call roster: who is reachable now, phones masked for those who do not call people`, async () => {
  const disp = await userWithToken(['dispatcher']);
  const onduty = await userWithToken(['leader'], { phone: '13912345678' });
  const crew = await userWithToken(['crew']);
  const now = Date.now();
  const r = await act(disp.token, '/on-call', { user_id: onduty.user.id, duty: '抢修值班', from_at: now - 3600e3, to_at: now + 3600e3 });
  expectStatus(r, 201);
  await act(disp.token, '/on-call', { user_id: crew.user.id, duty: '夜班', from_at: now + 5 * 3600e3, to_at: now + 9 * 3600e3 });
  const full = await api('GET', '/on-call', { token: disp.token });
  const mine = full.json.items.find((i) => i.id === r.json.id);
  assert.equal(mine.phone, '13912345678');
  assert.equal(mine.on_now, true);
  assert.ok(!full.json.items.some((i) => i.user_id === crew.user.id), 'only who is on call now');
  const masked = await api('GET', '/on-call', { token: crew.token });
  assert.equal(masked.json.items.find((i) => i.id === r.json.id).phone, '139****5678');
  const all = await api('GET', '/on-call?all=true', { token: crew.token });
  assert.ok(all.json.items.some((i) => i.user_id === crew.user.id && i.on_now === false));
  expectError(await act(disp.token, '/on-call', { user_id: MISSING_ID, duty: 'x', from_at: now, to_at: now + 1 }), 400, 'invalid_field', 'user_id');
  expectError(await act(disp.token, '/on-call', { user_id: crew.user.id, duty: 'x', from_at: now, to_at: now }), 400, 'invalid_field', 'to_at');
  expectError(await act(crew.token, '/on-call', { user_id: crew.user.id, duty: 'x', from_at: now, to_at: now + 1 }), 403, 'forbidden');
});

test(`${LABEL} emergency plans of every kind, a drill scheduled and recorded with attendance (people, not names)`, async () => {
  const mgr = await userWithToken(['manager']);
  const [a, b, owner, crew] = await Promise.all([userWithToken(['leader']), userWithToken(['crew']), userWithToken(['leader']),
    userWithToken(['crew'])]);
  const plans = {};
  for (const kind of ['large_outage', 'disaster_mass_faults', 'fire', 'charging_station_fire']) {
    const r = await act(mgr.token, '/emergency-plans', { kind, title: uniq(`${kind} 预案 `), content: '一、组织机构\n二、响应程序', review_on: '2027-06-30' });
    expectStatus(r, 201);
    assert.equal(r.json.kind, kind);
    assert.ok(r.json.kind_name);
    plans[kind] = r.json;
  }
  expectError(await act(mgr.token, '/emergency-plans', { kind: 'flood_of_frogs', title: 'x', content: 'y' }), 400, 'invalid_field', 'kind');
  expectError(await act(crew.token, '/emergency-plans', { kind: 'fire', title: 'x', content: 'y' }), 403, 'forbidden');
  const upd = await api('PATCH', `/emergency-plans/${plans.fire.id}`, { token: mgr.token, body: { version: plans.fire.version, review_on: '2027-12-31' } });
  expectStatus(upd, 200);
  assert.equal(upd.json.review_on, '2027-12-31');
  expectError(await api('PATCH', `/emergency-plans/${plans.fire.id}`, { token: mgr.token, body: { version: plans.fire.version, title: 'x' } }), 409, 'version_conflict');

  const month = today().slice(0, 7);
  const d = await act(mgr.token, '/drills', { plan_id: plans.charging_station_fire.id, date: today(), place: '临澜大道充电站', scenario: '充电桩起火，疏散车辆并断电' });
  expectStatus(d, 201);
  assert.equal(d.json.status, 'scheduled');
  // attendance is people: an unknown id is refused, named by its place in the list
  const unknown = await act(mgr.token, `/drills/${d.json.id}/actions/record`, { findings: 'x',
    attendance: [{ user_id: a.user.id, present: true }, { user_id: MISSING_ID, present: true }] });
  const err = expectError(unknown, 400, 'drill_person_unknown', 'attendance');
  assert.equal(err.details.index, 1);
  expectError(await act(mgr.token, `/drills/${d.json.id}/actions/record`, { findings: 'x', attendance: [{ user_id: a.user.id, present: true }],
    improvements: [{ text: 'y', owner_id: MISSING_ID, due_on: '2027-01-31' }] }), 400, 'drill_person_unknown', 'improvements');
  expectError(await act(mgr.token, `/drills/${d.json.id}/actions/record`, { findings: 'x', attendance: ['张三'] }), 400, 'invalid_field', 'attendance');
  const rec = await act(mgr.token, `/drills/${d.json.id}/actions/record`, {
    findings: '灭火器取用用时 3 分钟，偏长',
    attendance: [{ user_id: a.user.id, present: true }, { user_id: b.user.id, present: false }],
    improvements: [{ text: '灭火器移至充电桩旁', owner_id: owner.user.id, due_on: '2027-01-31' }] });
  expectStatus(rec, 200);
  assert.equal(rec.json.status, 'recorded');
  assert.deepEqual(rec.json.attendance.map((x) => [x.user_id, x.present]).sort(),
    [[a.user.id, true], [b.user.id, false]].sort());
  assert.equal(rec.json.improvements[0].status, 'open');
  expectError(await act(mgr.token, `/drills/${d.json.id}/actions/record`, { findings: 'x', attendance: [{ user_id: a.user.id, present: true }] }), 409, 'invalid_transition');
  // the calendar
  const cal = await api('GET', `/drills?month=${month}`, { token: crew.token });
  expectStatus(cal, 200);
  assert.ok(cal.json.items.some((x) => x.id === d.json.id));
  expectError(await api('GET', '/drills?month=2026-13x', { token: crew.token }), 400, 'invalid_query');
  // an improvement is closed by its owner (or a drills.write holder), not by anyone else
  const imp = rec.json.improvements[0];
  expectError(await act(crew.token, `/drills/${d.json.id}/improvements/${imp.id}/actions/close`, {}), 403, 'forbidden');
  const closed = await act(owner.token, `/drills/${d.json.id}/improvements/${imp.id}/actions/close`, { note: '已移位' });
  expectStatus(closed, 200);
  assert.equal(closed.json.improvements[0].status, 'closed');
  expectError(await act(mgr.token, `/drills/${d.json.id}/improvements/${imp.id}/actions/close`, {}), 409, 'invalid_transition');
  const plan = await api('GET', `/emergency-plans/${plans.charging_station_fire.id}`, { token: crew.token });
  assert.deepEqual(plan.json.drills.map((x) => x.id), [d.json.id]);
});

test(`${LABEL} demo: a plan of each kind, a recorded drill with attendance and findings, a past emergency with its review`, async () => {
  // what `fieldgrid demo` loads (src/cli/demo_emergency.c), known by its names: the suite runs on the demo database
  const viewer = await userWithToken(['viewer']);
  const plans = await api('GET', '/emergency-plans', { token: viewer.token });
  expectStatus(plans, 200);
  const demo = plans.json.items.filter((p) => p.created_by && /临澜市供电公司大面积停电|台风暴雨等自然灾害|营业厅及计量库房火灾|电动汽车充电站火灾/.test(p.title));
  assert.deepEqual([...new Set(demo.map((p) => p.kind))].sort(), ['charging_station_fire', 'disaster_mass_faults', 'fire', 'large_outage']);
  const station = demo.find((p) => p.kind === 'charging_station_fire');
  const recorded = station.drills.find((d) => d.status === 'recorded');
  assert.ok(recorded, 'the station plan has a recorded drill');
  const drill = await api('GET', `/drills/${recorded.id}`, { token: viewer.token });
  assert.ok(drill.json.findings && drill.json.improvements.length === 1);
  assert.deepEqual(drill.json.attendance.map((a) => a.present).sort(), [false, true, true]);
  const past = await api('GET', '/emergencies?status=closed', { token: viewer.token });
  const typhoon = past.json.items.find((e) => e.title === '台风“海葵”过境成批故障抢修');
  assert.ok(typhoon && typhoon.ended_at && typhoon.findings && typhoon.lessons, 'the past emergency with its review');
});

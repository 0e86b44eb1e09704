// Inspections (R4.3, R4.6), station equipment and defects (R4.12): per-station plans whose checklist comes from
// the plan's kind (data/kb/inspection_kinds.json) expanded over the station's AC and DC chargers and equipment;
// generation is idempotent per plan and period; recording items, a failed item opening a defect (or a repair
// order); the defect life and the yearly analysis; refusals with their own codes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { api, adminToken, userWithToken, expectError, expectStatus, uniq, LABEL, BASE_URL } from './lib.mjs';

const PNG = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.from('defect photo')]);
const DAY = 86400e3;

async function station(token) {
  const r = await api('POST', '/stations', { token, body: { code: uniq('ST'), name: uniq('滨江公共充电站-'), address: '临澜市滨江路 88 号' } });
  expectStatus(r, 201);
  return r.json;
}

async function charger(token, station_id, kind) {
  const r = await api('POST', '/chargers', { token, body: { charge_point_id: uniq('CP'), station_id, kind, payment: 'qr' } });
  expectStatus(r, 201);
  return r.json;
}

async function equipment(token, station_id, kind, name) {
  const r = await api('POST', `/stations/${station_id}/equipment`, { token, body: { kind, name, model: 'YB-630', installed_on: '2023-06-01' } });
  expectStatus(r, 201);
  return r.json;
}

async function photo(token) {
  const r = await fetch(`${BASE_URL}/api/v1/attachments?filename=gun.png`, {
    method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'image/png' }, body: PNG });
  assert.equal(r.status, 201);
  return (await r.json()).id;
}

/** A station with one AC and one DC charger, a box substation, a fire facility and its earthing grid. */
async function site(token) {
  const s = await station(token);
  const ac = await charger(token, s.id, 'ac');
  const dc = await charger(token, s.id, 'dc');
  const box = await equipment(token, s.id, 'box_transformer', '1号箱变');
  const fire = await equipment(token, s.id, 'fire_facility', '灭火器组 A');
  const ground = await equipment(token, s.id, 'grounding', '站区接地网');
  return { s, ac, dc, box, fire, ground, targets: { ac: [ac.id], dc: [dc.id], charger: [ac.id, dc.id], station: ['station'],
    box_transformer: [box.id], fire_facility: [fire.id], grounding: [ground.id] } };
}

const run = (token, at) => api('POST', '/inspections/actions/run', { token, body: { at } });
const ofPlan = async (token, station_id, kind) =>
  (await api('GET', `/inspections?station_id=${station_id}`, { token })).json.items.filter((i) => i.kind === kind);

test(`${LABEL} station equipment: kinds, dates and versions checked; changes audited`, async () => {
  const admin = await adminToken();
  const eng = await userWithToken(['om_engineer']);
  const viewer = await userWithToken(['viewer']);
  const s = await station(admin);
  const box = await equipment(eng.token, s.id, 'box_transformer', '1号箱变');
  assert.equal(box.status, 'in_service');
  expectError(await api('POST', `/stations/${s.id}/equipment`, { token: eng.token, body: { kind: 'reactor', name: 'x' } }), 400, 'invalid_field', 'kind');
  expectError(await api('POST', `/stations/${s.id}/equipment`, { token: eng.token, body: { kind: 'monitoring', name: 'cam', installed_on: '2023-13-01' } }), 400, 'invalid_field', 'installed_on');
  expectError(await api('POST', `/stations/${s.id}/equipment`, { token: viewer.token, body: { kind: 'monitoring', name: 'cam' } }), 403, 'forbidden');
  expectError(await api('GET', '/stations/00000000-0000-7000-8000-000000000000/equipment', { token: eng.token }), 404, 'not_found');
  const up = await api('PATCH', `/equipment/${box.id}`, { token: eng.token, body: { version: box.version, status: 'out_of_service', serial: 'XB-2023-01' } });
  expectStatus(up, 200);
  assert.equal(up.json.status, 'out_of_service');
  assert.equal(up.json.serial, 'XB-2023-01');
  assert.equal(up.json.model, 'YB-630', 'absent fields are kept');
  expectError(await api('PATCH', `/equipment/${box.id}`, { token: eng.token, body: { version: box.version, name: 'again' } }), 409, 'version_conflict');
  const list = await api('GET', `/stations/${s.id}/equipment`, { token: viewer.token });
  expectStatus(list, 200);
  assert.equal(list.json.items.length, 1);
  const audit = await api('GET', `/audit?entity=station_equipment&entity_id=${box.id}`, { token: admin });
  assert.deepEqual(audit.json.items.map((a) => a.action).sort(), ['create', 'update']);
});

test(`${LABEL} inspection plans: default checklist from the kind, one plan per kind, checklists checked and editable`, async () => {
  const admin = await adminToken();
  const { s } = await site(admin);
  const kinds = (await api('GET', '/inspection-kinds', { token: admin })).json.items;
  assert.deepEqual(kinds.map((k) => k.code).sort(),
    ['cleaning_quarterly', 'emergency_drill', 'fire_check', 'grounding_check', 'patrol_monthly', 'verification_yearly']);
  const patrolKind = kinds.find((k) => k.code === 'patrol_monthly');
  const p = await api('POST', `/stations/${s.id}/inspection-plans`, { token: admin, body: { kind: 'patrol_monthly' } });
  expectStatus(p, 201);
  assert.equal(p.json.period, 'month');
  assert.deepEqual(p.json.checklist, patrolKind.items, 'the kind\'s checklist, copied');
  expectError(await api('POST', `/stations/${s.id}/inspection-plans`, { token: admin, body: { kind: 'patrol_monthly' } }), 409, 'inspection_plan_exists', 'kind');
  expectError(await api('POST', `/stations/${s.id}/inspection-plans`, { token: admin, body: { kind: 'weekly_dance' } }), 400, 'invalid_field', 'kind');
  expectError(await api('POST', `/stations/${s.id}/inspection-plans`, { token: admin, body: { kind: 'fire_check', checklist: [{ code: 'a', text_zh: 'x', applies: 'moon' }] } }), 400, 'invalid_field', 'checklist');
  expectError(await api('POST', `/stations/${s.id}/inspection-plans`, { token: admin, body: { kind: 'fire_check', checklist: [{ code: 'a', text_zh: 'x', applies: 'station' }, { code: 'a', text_zh: 'y', applies: 'station' }] } }), 400, 'invalid_field', 'checklist');
  const edited = [...p.json.checklist.slice(0, 3), { code: 'canopy', text_zh: '雨棚及照明完好', text_en: 'Canopy and lighting intact', applies: 'station' }];
  const up = await api('PATCH', `/inspection-plans/${p.json.id}`, { token: admin, body: { version: p.json.version, checklist: edited, due_days: 20 } });
  expectStatus(up, 200);
  assert.equal(up.json.checklist.length, 4);
  assert.equal(up.json.due_days, 20);
  expectError(await api('PATCH', `/inspection-plans/${p.json.id}`, { token: admin, body: { version: p.json.version, active: false } }), 409, 'version_conflict');
});

test(`${LABEL} inspections: generated once per plan and period, with the checklist over AC/DC chargers and equipment`, async () => {
  const admin = await adminToken();
  const site1 = await site(admin);
  const { s } = site1;
  const kinds = Object.fromEntries((await api('GET', '/inspection-kinds', { token: admin })).json.items.map((k) => [k.code, k]));
  for (const kind of ['patrol_monthly', 'cleaning_quarterly', 'fire_check'])
    expectStatus(await api('POST', `/stations/${s.id}/inspection-plans`, { token: admin, body: { kind } }), 201);
  const may = Date.UTC(2031, 4, 15, 4);
  const r1 = await run(admin, may);
  expectStatus(r1, 200);
  assert.ok(r1.json.generated >= 3, `three plans, three inspections: ${r1.text}`);
  const again = await Promise.all([run(admin, may), run(admin, may + DAY)]); // concurrent, same periods
  for (const r of again) expectStatus(r, 200);
  let patrols = (await ofPlan(admin, s.id, 'patrol_monthly')).filter((i) => i.period === '2031-05');
  assert.equal(patrols.length, 1, 'one monthly patrol for May 2031, however often it runs');
  assert.equal((await ofPlan(admin, s.id, 'cleaning_quarterly')).filter((i) => i.period === '2031-Q2').length, 1);
  // next month: a new patrol, the same quarter
  expectStatus(await run(admin, Date.UTC(2031, 5, 10)), 200);
  patrols = (await ofPlan(admin, s.id, 'patrol_monthly')).filter((i) => i.period.startsWith('2031-'));
  assert.deepEqual(patrols.map((i) => i.period).sort(), ['2031-05', '2031-06']);
  assert.equal((await ofPlan(admin, s.id, 'cleaning_quarterly')).filter((i) => i.period === '2031-Q2').length, 1);

  const may1 = patrols.find((i) => i.period === '2031-05');
  const full = (await api('GET', `/inspections/${may1.id}`, { token: admin })).json;
  assert.equal(full.status, 'open');
  assert.equal(full.due_at, Date.UTC(2031, 4, 31, 16) - 1, 'due at the end of May, Asia/Shanghai');
  // the checklist: each kind item once per target it applies to
  const expected = kinds.patrol_monthly.items.flatMap((it) => (site1.targets[it.applies] ?? []).map((t) => `${it.code}@${t}`));
  assert.deepEqual(full.items.map((i) => `${i.code}@${i.target}`).sort(), expected.sort());
  assert.ok(full.items.some((i) => i.code === 'rcd_test' && i.charger_id === site1.ac.id && i.charger_kind === 'ac'));
  assert.ok(!full.items.some((i) => i.code === 'rcd_test' && i.charger_id === site1.dc.id), 'an AC item is not asked of a DC charger');
  assert.ok(full.items.some((i) => i.code === 'gun_pins' && i.charger_id === site1.dc.id));
  assert.ok(!full.items.some((i) => i.code === 'gun_pins' && i.charger_id === site1.ac.id));
  assert.ok(full.items.some((i) => i.code === 'box_transformer_look' && i.equipment_id === site1.box.id));
  const fire = (await ofPlan(admin, s.id, 'fire_check')).find((i) => i.period === '2031-05');
  const fireFull = (await api('GET', `/inspections/${fire.id}`, { token: admin })).json;
  assert.deepEqual(fireFull.items.map((i) => `${i.code}@${i.target}`).sort(),
    [`extinguisher@${site1.fire.id}`, `smoke_alarm@${site1.fire.id}`, 'escape_route@station'].sort());
  // its work order
  const wo = await api('GET', `/work-orders/${full.work_order_id}`, { token: admin });
  expectStatus(wo, 200);
  assert.equal(wo.json.kind, 'charger_inspection');
  assert.equal(wo.json.source, 'schedule');
  assert.equal(wo.json.due_at, full.due_at);
  // overdue (2031 is in the future: not overdue yet); an inactive plan generates nothing
  assert.equal(full.overdue, false);
  const plan = (await api('GET', `/stations/${s.id}/inspection-plans`, { token: admin })).json.items.find((p) => p.kind === 'fire_check');
  expectStatus(await api('PATCH', `/inspection-plans/${plan.id}`, { token: admin, body: { version: plan.version, active: false } }), 200);
  expectStatus(await run(admin, Date.UTC(2031, 6, 10)), 200);
  assert.equal((await ofPlan(admin, s.id, 'fire_check')).filter((i) => i.period === '2031-07').length, 0);
  expectError(await run((await userWithToken(['om_engineer'])).token, may), 403, 'forbidden');
});

test(`${LABEL} inspections: recording items, a failed item opens a defect (or a repair order), finishing records the visit`, async () => {
  const admin = await adminToken();
  const eng = await userWithToken(['om_engineer']);
  const site1 = await site(admin);
  const { s } = site1;
  expectStatus(await api('POST', `/stations/${s.id}/inspection-plans`, { token: admin, body: { kind: 'patrol_monthly' } }), 201);
  expectStatus(await run(admin, Date.UTC(2032, 2, 3)), 200);
  const insp = (await ofPlan(admin, s.id, 'patrol_monthly')).find((i) => i.period === '2032-03');
  let full = (await api('GET', `/inspections/${insp.id}`, { token: eng.token })).json;
  const item = (code, target) => full.items.find((i) => i.code === code && i.target === target);
  const put = (it, body, token = eng.token) => api('PUT', `/inspections/${insp.id}/items/${it.id}`, { token, body });

  const first = item('enclosure', site1.ac.id);
  let r = await put(first, { result: 'pass', version: first.version });
  expectStatus(r, 200);
  assert.equal(r.json.status, 'in_progress');
  assert.equal((await api('GET', `/work-orders/${insp.work_order_id}`, { token: admin })).json.status, 'in_progress');
  expectError(await put(first, { result: 'pass', version: first.version }), 409, 'version_conflict');
  expectError(await put(first, { result: 'maybe' }), 400, 'invalid_field', 'result');
  const pins = item('gun_pins', site1.dc.id);
  expectError(await put(pins, { result: 'fail' }), 400, 'inspection_fail_note_required', 'note');
  expectError(await put(pins, { result: 'fail', note: 'x', photos: ['00000000-0000-7000-8000-000000000000'] }), 400, 'invalid_field', 'photos');
  const pic = await photo(eng.token);
  r = await put(pins, { result: 'fail', note: 'DC+ 端子烧蚀发黑', severity: 'serious', photos: [pic] });
  expectStatus(r, 200);
  const failed = r.json.items.find((i) => i.id === pins.id);
  assert.equal(failed.result, 'fail');
  assert.ok(failed.defect_id && failed.defect_number.startsWith('QX'));
  const d = (await api('GET', `/defects/${failed.defect_id}`, { token: eng.token })).json;
  assert.equal(d.status, 'open');
  assert.equal(d.severity, 'serious');
  assert.equal(d.charger_id, site1.dc.id);
  assert.equal(d.station_id, s.id);
  assert.equal(d.target_kind, 'charger_dc');
  assert.equal(d.inspection_id, insp.id);
  assert.equal(d.due_at - d.found_at, 7 * DAY, 'a serious defect is due in 7 days');
  assert.equal(d.needs_fault_order, true, 'serious: ready for a fault order');
  assert.deepEqual(d.photos, [pic]);
  assert.ok(d.description.includes('DC+ 端子烧蚀发黑'));
  // recording the failed item again does not open a second defect
  r = await put(failed, { result: 'fail', note: '复查仍烧蚀', severity: 'serious' });
  expectStatus(r, 200);
  assert.equal(r.json.items.find((i) => i.id === pins.id).defect_id, d.id);
  assert.deepEqual(r.json.items.find((i) => i.id === pins.id).photos, [pic], 'photos not sent again are kept');
  // a failed item with a repair order: a charger_repair work order linked to the defect
  const estop = item('estop', site1.ac.id);
  r = await put(estop, { result: 'fail', note: '急停按下后不能复位', severity: 'critical', repair_order: true });
  expectStatus(r, 200);
  const d2 = (await api('GET', `/defects/${r.json.items.find((i) => i.id === estop.id).defect_id}`, { token: eng.token })).json;
  assert.equal(d2.due_at - d2.found_at, DAY, 'critical: 24 h');
  const repair = (await api('GET', `/work-orders/${d2.work_order_id}`, { token: admin })).json;
  assert.equal(repair.kind, 'charger_repair');
  assert.equal(repair.priority, 'urgent');
  // …and it is a fault case like an alarm's: triage, SLA, escalation
  const cases = await api('GET', `/faults?charger_id=${site1.ac.id}`, { token: admin });
  const fc = cases.json.items.find((f) => f.work_order_id === d2.work_order_id);
  assert.ok(fc, JSON.stringify(cases.json));
  assert.deepEqual([fc.source, fc.severity, fc.urgency], ['inspection', 'serious', 'urgent']);
  // a failed station equipment item: a defect of the equipment
  const box = item('box_transformer_look', site1.box.id);
  r = await put(box, { result: 'fail', note: '箱变门锁损坏' });
  const d3 = (await api('GET', `/defects/${r.json.items.find((i) => i.id === box.id).defect_id}`, { token: eng.token })).json;
  assert.equal(d3.equipment_id, site1.box.id);
  assert.equal(d3.target_kind, 'box_transformer');
  assert.equal(d3.severity, 'general');
  assert.equal(d3.due_at - d3.found_at, 30 * DAY);
  assert.equal(d3.needs_fault_order, false);
  expectError(await put(item('signage_bay', 'station'), { result: 'fail', note: 'x', repair_order: true }), 400, 'invalid_field', 'repair_order');

  // finishing: every item recorded, staff named
  expectError(await api('POST', `/inspections/${insp.id}/actions/finish`, { token: eng.token, body: { staff: '王工' } }), 409, 'inspection_items_open');
  full = (await api('GET', `/inspections/${insp.id}`, { token: eng.token })).json;
  for (const it of full.items.filter((i) => !i.result))
    expectStatus(await put(it, { result: it.code === 'meter_vs_platform' ? 'pass' : 'na', reading: it.unit ? '1234.5' : undefined }), 200);
  expectError(await api('POST', `/inspections/${insp.id}/actions/finish`, { token: eng.token, body: {} }), 400, 'missing_field', 'staff');
  const fin = await api('POST', `/inspections/${insp.id}/actions/finish`, { token: eng.token, body: { staff: '王工、李工', summary: '月度巡视，发现 3 处缺陷' } });
  expectStatus(fin, 200);
  assert.equal(fin.json.status, 'done');
  assert.equal(fin.json.staff, '王工、李工');
  assert.equal(fin.json.summary, '月度巡视，发现 3 处缺陷');
  assert.equal(fin.json.finished_by, eng.user.id);
  assert.ok(fin.json.finished_at >= fin.json.started_at);
  assert.equal(fin.json.counts.failed, 3);
  assert.equal((await api('GET', `/work-orders/${insp.work_order_id}`, { token: admin })).json.status, 'done');
  assert.ok((await api('GET', `/equipment/${site1.box.id}`, { token: admin })).json.last_check, 'the equipment was checked');
  expectError(await put(first, { result: 'na' }), 409, 'inspection_done');
  expectError(await api('POST', `/inspections/${insp.id}/actions/finish`, { token: eng.token, body: { staff: 'x' } }), 409, 'inspection_done');
  const audit = await api('GET', `/audit?entity=inspection&entity_id=${insp.id}`, { token: admin });
  assert.deepEqual(audit.json.items.map((a) => a.action).sort(), ['finish', 'generate']);
  // the pending list no longer holds it
  const pending = (await api('GET', `/inspections?status=pending&station_id=${s.id}`, { token: admin })).json.items;
  assert.ok(!pending.some((i) => i.id === insp.id));
});

test(`${LABEL} defects: open → fixing → closed with who/when/how, refusals, roles`, async () => {
  const admin = await adminToken();
  const eng = await userWithToken(['om_engineer']);
  const viewer = await userWithToken(['viewer']);
  const { s, fire, dc } = await site(admin);
  const mk = (body, token = eng.token) => api('POST', '/defects', { token, body });
  expectError(await mk({ description: 'x', severity: 'general' }), 400, 'defect_target_required');
  expectError(await mk({ equipment_id: fire.id, description: 'x', severity: 'fatal' }), 400, 'invalid_field', 'severity');
  expectError(await mk({ equipment_id: fire.id, description: 'x', severity: 'general', found_at: Date.now() + 3600e3 }), 400, 'invalid_field', 'found_at');
  expectError(await mk({ equipment_id: '00000000-0000-7000-8000-000000000000', description: 'x', severity: 'general' }), 400, 'invalid_field', 'equipment_id');
  expectError(await mk({ equipment_id: fire.id, description: 'x', severity: 'general' }, viewer.token), 403, 'forbidden');
  const r = await mk({ equipment_id: fire.id, description: '灭火器压力不足（红区）', severity: 'critical' });
  expectStatus(r, 201);
  const d = r.json;
  assert.equal(d.status, 'open');
  assert.equal(d.station_id, s.id);
  assert.equal(d.found_by, eng.user.id);
  assert.equal(d.due_at - d.found_at, DAY);
  assert.deepEqual(d.actions.sort(), ['start']);
  expectError(await api('POST', `/defects/${d.id}/actions/close`, { token: eng.token, body: { resolution: 'x' } }), 409, 'invalid_transition');
  const st = await api('POST', `/defects/${d.id}/actions/start`, { token: eng.token, body: { version: d.version } });
  expectStatus(st, 200);
  assert.equal(st.json.status, 'fixing');
  assert.equal(st.json.fixing_by, eng.user.id);
  expectError(await api('POST', `/defects/${d.id}/actions/close`, { token: eng.token, body: {} }), 409, 'defect_resolution_required');
  expectError(await api('POST', `/defects/${d.id}/actions/close`, { token: viewer.token, body: { resolution: 'x' } }), 403, 'forbidden');
  const cl = await api('POST', `/defects/${d.id}/actions/close`, { token: eng.token, body: { resolution: '更换灭火器 2 具' } });
  expectStatus(cl, 200);
  assert.equal(cl.json.status, 'closed');
  assert.equal(cl.json.closed_by, eng.user.id);
  assert.equal(cl.json.resolution, '更换灭火器 2 具');
  assert.ok(cl.json.closed_at >= cl.json.found_at);
  assert.equal(cl.json.overdue, false);
  const list = (await api('GET', `/defects?station_id=${s.id}`, { token: viewer.token })).json.items;
  assert.deepEqual(list.map((x) => x.id), [d.id]);
  // a charger defect found earlier is overdue once its due time passed
  const old = await mk({ charger_id: dc.id, description: '枪线外皮破损', severity: 'serious', found_at: Date.now() - 8 * DAY });
  expectStatus(old, 201);
  assert.equal(old.json.overdue, true);
  assert.equal(old.json.target_kind, 'charger_dc');
  const audit = await api('GET', `/audit?entity=defect&entity_id=${d.id}`, { token: admin });
  assert.ok(audit.json.items.length >= 3, 'create, start and close are audited');
});

test(`${LABEL} defects: the yearly analysis counts by kind, severity, station, month, time to close and repeats`, async () => {
  const admin = await adminToken();
  const eng = await userWithToken(['om_engineer']);
  const { s, box, dc } = await site(admin);
  const t = (m, d) => Date.UTC(2025, m, d, 2); // 2025, Asia/Shanghai morning
  const mk = async (body) => { const r = await api('POST', '/defects', { token: eng.token, body }); expectStatus(r, 201); return r.json; };
  const a = await mk({ equipment_id: box.id, description: '箱变门锁损坏', severity: 'general', found_at: t(2, 3) });
  await mk({ equipment_id: box.id, description: '箱变温度偏高', severity: 'general', found_at: t(6, 9) });
  await mk({ charger_id: dc.id, description: '模块风扇异响', severity: 'serious', found_at: t(6, 20) });
  await mk({ station_id: s.id, description: '标识牌缺失', severity: 'general', found_at: t(11, 30) });
  await mk({ station_id: s.id, description: '不在本年', severity: 'general', found_at: Date.UTC(2024, 5, 1) });
  expectStatus(await api('POST', `/defects/${a.id}/actions/start`, { token: eng.token, body: {} }), 200);
  const closed = (await api('POST', `/defects/${a.id}/actions/close`, { token: eng.token, body: { resolution: '更换门锁' } })).json;
  const res = await api('GET', `/defects/analysis?year=2025&station_id=${s.id}`, { token: eng.token });
  expectStatus(res, 200);
  const an = res.json;
  assert.equal(an.year, 2025);
  assert.equal(an.total, 4);
  const counts = (arr, key) => Object.fromEntries(arr.map((x) => [x[key], x.count]));
  assert.deepEqual(counts(an.by_severity, 'severity'), { general: 3, serious: 1 });
  assert.deepEqual(counts(an.by_kind, 'kind'), { box_transformer: 2, charger_dc: 1, station: 1 });
  assert.deepEqual(an.by_station.map((x) => [x.station_id, x.station_name, x.count]), [[s.id, s.name, 4]]);
  assert.deepEqual(an.by_month.map((x) => x.count), [0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 0, 1]);
  assert.deepEqual(an.by_status, { open: 3, closed: 1 });
  assert.equal(an.time_to_close.closed, 1);
  assert.ok(Math.abs(an.time_to_close.mean_hours - (closed.closed_at - closed.found_at) / 3600e3) < 0.01);
  assert.equal(an.time_to_close.on_time, 0, 'closed long after its 30 days');
  assert.equal(an.overdue_open, 3);
  assert.equal(an.repeats.length, 1);
  assert.equal(an.repeats[0].target, box.id);
  assert.equal(an.repeats[0].count, 2);
  assert.equal(an.repeats[0].name, '1号箱变');
  expectError(await api('GET', '/defects/analysis?year=abc', { token: eng.token }), 400, 'invalid_query');
  const none = (await api('GET', `/defects/analysis?year=2020&station_id=${s.id}`, { token: eng.token })).json;
  assert.equal(none.total, 0);
  assert.equal(none.time_to_close.mean_hours, null);
});

test(`${LABEL} inspection kinds: an admin's knowledge-base edit is the default checklist of plans made afterwards`, async () => {
  const admin = await adminToken();
  const { s } = await site(admin);
  const kind = (await api('GET', '/kb/inspection_kinds/emergency_drill', { token: admin })).json;
  const edited = { ...kind, items: [...kind.items, { code: 'ev_fire', text_zh: '电动汽车起火处置演练', text_en: 'EV fire drill', applies: 'station' }] };
  expectError(await api('PUT', '/kb/inspection_kinds/emergency_drill', { token: admin, body: { ...edited, period: 'weekly' } }), 400, 'invalid_field', 'item.period');
  expectError(await api('PUT', '/kb/inspection_kinds/emergency_drill', { token: admin, body: { ...edited, items: [] } }), 400, 'invalid_field', 'item.items');
  expectStatus(await api('PUT', '/kb/inspection_kinds/emergency_drill', { token: admin, body: edited }), 200);
  try {
    const p = await api('POST', `/stations/${s.id}/inspection-plans`, { token: admin, body: { kind: 'emergency_drill' } });
    expectStatus(p, 201);
    assert.deepEqual(p.json.checklist.map((i) => i.code), [...kind.items.map((i) => i.code), 'ev_fire']);
  } finally {
    expectStatus(await api('DELETE', '/kb/inspection_kinds/emergency_drill', { token: admin }), 204);
  }
});

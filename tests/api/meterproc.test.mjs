// Metering field-service cases (issue 12 item 2, R1.1; docs/api.md "Metering: service processes"): seven processes — disputed
// meter, install/remove, fault, first inspection, error handling, retrofit, collection device — each opened into
// its field stage with a work order of the kind's SOP, worked through plan → ticket → steps, and followed when the
// job finishes. Clocks in working days on the calendar (CALENDAR.md 2026: Mid-Autumn 09-25…09-27 off, National Day
// 10-01…10-07 off, make-up working days Sun 09-20 and Sat 10-10; day 0 is the day of receipt, due by the end of the
// N-th working day); a first inspection within one calendar month of energising. The 退补 working and its second
// person.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { api, adminToken, userWithToken, createOrgUnit, expectError, expectStatus, expectList, LABEL, PASSWORD, BASE_URL } from './lib.mjs';
import { today, people, qualify, equip, act as post, newTicket, issuedReceivedPermitted, briefed, risksConfirmed, upload, tamper, JPEG, runJob } from './fieldwork_lib.mjs';
import { shanghai, endOfDay } from './lib_applications.mjs';

let staffMade;
const staff = () => (staffMade ??= (async () => {
  const [metering, metering2, mgr, disp, viewer] = await Promise.all([userWithToken(['metering']), userWithToken(['metering']),
    userWithToken(['manager']), userWithToken(['dispatcher']), userWithToken(['viewer'])]);
  const p = await people();
  await qualify(p.leader, p.crew);
  return { metering, metering2, mgr, disp, viewer, p };
})());

let serial = Math.floor(Math.random() * 1e6);
const open = async (token, kind, extra = {}) => {
  const n = serial++;
  const r = await api('POST', '/metering/cases', { token, body: { kind, subject: `计量业务 ${kind} ${n}`, point_no: `JLD${n}`,
    asset_no: `3300${String(n).padStart(8, '0')}`, customer_name: '王小明', customer_phone: '13912345678', ...extra } });
  expectStatus(r, 201);
  return r.json;
};
const get = async (token, id) => {
  const r = await api('GET', `/metering/cases/${id}`, { token });
  expectStatus(r, 200);
  return r.json;
};
const act = (token, id, action, body = {}) => api('POST', `/metering/cases/${id}/actions/${action}`, { token, body });

/** The case's open work order as field work shows it. */
const order = async (token, c) => {
  const r = await api('GET', `/work-orders/${c.work_order_id}`, { token });
  expectStatus(r, 200);
  return r.json;
};

test(`${LABEL} metering cases: a disputed meter — result within 5 working days, found out of tolerance, fee refunded, replaced within 3`, async () => {
  const s = await staff();
  // received Fri 09-18 15:00: 5 working days → Sun 09-20 (make-up, 1), 09-21 … 09-24 (2–5): due by the end of Thu 09-24
  const c = await open(s.metering.token, 'disputed', { opened_at: shanghai(2026, 9, 18, 15), data: { accuracy_class: '2.0' } });
  assert.match(c.number, /^JL\d{8}-\d{4}$/);
  assert.equal(c.status, 'field');
  assert.equal(c.due_at, endOfDay(2026, 9, 24));
  assert.equal(c.clock.color, 'red', 'long past');
  const wo = await order(s.disp.token, c);
  assert.equal(wo.kind, 'disputed_meter_check');
  assert.equal(wo.metering_point_no, c.point_no);
  assert.equal(wo.meter_asset_no, c.asset_no);
  assert.equal(wo.due_at, endOfDay(2026, 9, 24));
  // the desk cannot skip the test while its work order is open
  expectError(await act(s.metering.token, c.id, 'field_done'), 409, 'metering_case_job_open');
  // the crew tests: 3.5 % on a class 2.0 meter is out of tolerance; finishing the job moves the case
  const { sop } = await runJob(s.p, c.work_order_id, { error_percent: 3.5, result: 'fail', test_reason: 'dispute' });
  assert.equal(sop.code, 'meter_field_test');
  let a = await get(s.metering.token, c.id);
  assert.equal(a.status, 'reply');
  assert.equal(a.error_percent, '3.500');
  assert.equal(a.out_of_tolerance, 1);
  assert.equal(a.fee_refunded, true, 'out of tolerance: the test fee goes back');
  assert.equal(a.results.records.error_percent, 3.5);
  assert.ok(a.history.some((h) => h.action === 'field_done' && h.actor_id === 'system'));
  // the result to the customer, then the replacement: due 3 working days from the test
  const ans = await act(s.metering.token, c.id, 'answer', { answer: '经现场检验，电能表误差 +3.5%，超出允许范围，将在3个工作日内更换并退还检验费。' });
  expectStatus(ans, 200);
  assert.equal(ans.json.status, 'replacement');
  a = await get(s.metering.token, c.id);
  assert.ok(a.answered_at > 0);
  assert.equal(a.work_order_ids.length, 2);
  const rep = await order(s.disp.token, a);
  assert.equal(rep.kind, 'lv_meter_install');
  assert.equal(rep.due_at, a.due_at);
  // three working days after the test (counted on today's calendar; the hand-computed case is the next test's)
  assert.ok(a.due_at > a.tested_at, 'due after the test');
  assert.equal((a.due_at + 1 + 8 * 3600e3) % 86400e3, 0, 'due at the end of a day, Shanghai time');
  await runJob(s.p, a.work_order_id, { new_meter_asset_no: 'DB3300099999', new_reading_total: 0 });
  a = await get(s.metering.token, c.id);
  assert.equal(a.status, 'closed');
  assert.ok(a.closed_at > 0);
  assert.equal(a.work_orders.length, 2);
  assert.ok(a.work_orders.every((w) => w.status === 'done'));
});

test(`${LABEL} metering cases: a test recorded by hand — within tolerance closes after the answer; the replacement's 3 working days from the test across National Day`, async () => {
  const s = await staff();
  const c = await open(s.metering.token, 'disputed', { opened_at: shanghai(2026, 9, 29, 9), data: { wiring: 'ct' } });
  // 09-29 09:00 + 5: 09-30 (1), 10-08 (2), 10-09 (3), Sat 10-10 (4, make-up), 10-12 (5)
  assert.equal(c.due_at, endOfDay(2026, 10, 12));
  expectError(await act(s.metering.token, c.id, 'field_done'), 409, 'metering_case_job_open');
  expectStatus(await api('POST', `/work-orders/${c.work_order_id}/actions/cancel`, { token: s.disp.token }), 200);
  expectError(await act(s.metering.token, c.id, 'field_done'), 409, 'metering_case_untested');
  expectError(await act(s.metering.token, c.id, 'record_test', { error_percent: 'abc' }), 400, 'invalid_field', 'error_percent');
  // tested Wed 09-30 10:00: 1.2 % against class 0.5S is out of tolerance → replacement due 10-08 (1), 10-09 (2), Sat 10-10 (3)
  expectStatus(await act(s.metering.token, c.id, 'record_test', { error_percent: '1.2', accuracy_class: '0.5S', tested_at: shanghai(2026, 9, 30, 10) }), 200);
  expectStatus(await act(s.metering.token, c.id, 'field_done'), 200);
  const ans = await act(s.metering.token, c.id, 'answer', { answer: '误差超差，更换电能表' });
  expectStatus(ans, 200);
  let a = await get(s.metering.token, c.id);
  assert.equal(a.status, 'replacement');
  assert.equal(a.due_at, endOfDay(2026, 10, 10));
  assert.equal((await order(s.disp.token, a)).kind, 'ct_meter_install', 'a CT-connected meter is replaced as one');
  // the replacement is late: the deadline fires once, and the metering staff are told
  const admin = await adminToken();
  expectError(await api('POST', '/metering/cases/actions/run', { token: s.disp.token, body: { case_id: c.id } }), 403, 'forbidden');
  const run = await api('POST', '/metering/cases/actions/run', { token: admin, body: { case_id: c.id } });
  expectStatus(run, 200);
  assert.ok(run.json.fired >= 1);
  a = await get(s.metering.token, c.id);
  assert.ok(a.clocks.items.some((i) => i.state === 'replacement' && i.status === 'fired'));
  assert.equal((await api('POST', '/metering/cases/actions/run', { token: admin, body: { case_id: c.id } })).json.fired, 0);
  const told = (await api('GET', '/notifications?limit=200', { token: s.metering.token })).json.items
    .filter((n) => n.kind === 'metering_case_late' && n.entity_id === c.id);
  assert.ok(told.length >= 1);

  // within tolerance: 0.3 % on class 2.0 → the answer closes the case, no fee back
  const ok = await open(s.metering.token, 'disputed', { opened_at: shanghai(2026, 9, 29, 9) });
  expectStatus(await api('POST', `/work-orders/${ok.work_order_id}/actions/cancel`, { token: s.disp.token }), 200);
  expectStatus(await act(s.metering.token, ok.id, 'record_test', { error_percent: '-0.3' }), 200);
  expectStatus(await act(s.metering.token, ok.id, 'field_done'), 200);
  expectError(await act(s.metering.token, ok.id, 'answer', {}), 400, 'missing_field', 'answer');
  const closed = await act(s.metering.token, ok.id, 'answer', { answer: '误差 -0.3%，在允许范围内' });
  expectStatus(closed, 200);
  assert.equal(closed.json.status, 'closed');
  assert.equal(closed.json.fee_refunded, false);
});

test(`${LABEL} metering cases: install/remove by type, fault (4 working days), retrofit and collection device — each closed when its job finishes`, async () => {
  const s = await staff();
  const cases = [
    // CT-connected install from Wed 09-30 10:00: 5 → 10-08, 10-09, Sat 10-10, 10-12, 10-13
    ['install', { opened_at: shanghai(2026, 9, 30, 10), data: { install_type: 'ct' } }, 'ct_meter_install', endOfDay(2026, 10, 13)],
    // LV install from the same moment: 3 → Sat 10-10
    ['install', { opened_at: shanghai(2026, 9, 30, 10), data: { install_type: 'lv' } }, 'lv_meter_install', endOfDay(2026, 10, 10)],
    // 95598 meter anomaly from Fri 09-18 15:00: 4 → Sun 09-20, 09-21, 09-22, 09-23
    ['fault', { opened_at: shanghai(2026, 9, 18, 15) }, 'lv_meter_install', endOfDay(2026, 9, 23)],
    // retrofit, 10 from Fri 09-18 15:00 → 09-20 … 09-24 (1–5), 09-28 … 09-30 (6–8), 10-08 (9), 10-09 (10)
    ['retrofit', { opened_at: shanghai(2026, 9, 18, 15) }, 'metering_retrofit', endOfDay(2026, 10, 9)],
    // collection device, 5 from Wed 09-30 10:00 → 10-13
    ['collection', { opened_at: shanghai(2026, 9, 30, 10) }, 'terminal_install', endOfDay(2026, 10, 13)],
  ];
  for (const [kind, extra, workKind, due] of cases) {
    const c = await open(s.metering.token, kind, extra);
    assert.equal(c.due_at, due, `${kind} ${workKind}`);
    const wo = await order(s.disp.token, c);
    assert.equal(wo.kind, workKind);
    assert.equal(wo.due_at, due);
    await runJob(s.p, c.work_order_id, {});
    const a = await get(s.metering.token, c.id);
    assert.equal(a.status, 'closed', `${kind} closed by its job`);
    assert.ok(a.results && a.results.records, 'the crew records are kept');
  }
  expectError(await api('POST', '/metering/cases', { token: s.metering.token, body: { kind: 'install', subject: 'x', data: { install_type: 'mv' } } }),
    400, 'invalid_field', 'data.install_type');
  expectError(await api('POST', '/metering/cases', { token: s.metering.token, body: { kind: 'rotation', subject: 'x' } }), 400, 'invalid_field', 'kind');
  expectError(await api('POST', '/metering/cases', { token: s.viewer.token, body: { kind: 'fault', subject: 'x' } }), 403, 'forbidden');
});

test(`${LABEL} metering cases: HV first inspection within one calendar month of energising; out of tolerance → replacement`, async () => {
  const s = await staff();
  // energised 09-15: due by the end of 10-15 (a calendar month, holidays or not); 01-31: by the end of 02-28
  const c = await open(s.metering.token, 'first_inspection', { data: { energised_on: '2026-09-15', accuracy_class: '0.5S' } });
  assert.equal(c.due_at, endOfDay(2026, 10, 15));
  const jan = await open(s.metering.token, 'first_inspection', { data: { energised_on: '2026-01-31' } });
  assert.equal(jan.due_at, endOfDay(2026, 2, 28));
  expectError(await api('POST', '/metering/cases', { token: s.metering.token, body: { kind: 'first_inspection', subject: 'x' } }),
    400, 'missing_field', 'data.energised_on');
  assert.equal((await order(s.disp.token, c)).kind, 'first_inspection');
  // its order cancelled and no test recorded: the desk cannot close it untested
  const untested = await open(s.metering.token, 'first_inspection', { data: { energised_on: '2026-09-15' } });
  expectStatus(await api('POST', `/work-orders/${untested.work_order_id}/actions/cancel`, { token: s.disp.token }), 200);
  expectError(await act(s.metering.token, untested.id, 'field_done'), 409, 'metering_case_untested');
  await runJob(s.p, c.work_order_id, { error_percent: 0.1, result: 'pass', test_reason: 'first' });
  let a = await get(s.metering.token, c.id);
  assert.equal(a.status, 'closed', 'passed: nothing more to do');
  assert.equal(a.out_of_tolerance, 0);
  // the other one fails: 0.9 % on 0.5S → replacement
  await runJob(s.p, jan.work_order_id, { error_percent: 0.9, meter_class: '0.5S', test_reason: 'first' });
  a = await get(s.metering.token, jan.id);
  assert.equal(a.status, 'replacement');
  assert.equal(a.out_of_tolerance, 1);
  assert.equal(a.fee_refunded, false, 'no customer fee on a first inspection');
  await runJob(s.p, a.work_order_id, {});
  assert.equal((await get(s.metering.token, jan.id)).status, 'closed');
});

test(`${LABEL} metering cases: error handling — grade clock, 退补 working, approval by a second person only`, async () => {
  const s = await staff();
  // general (一般) grade: 5 working days from Fri 09-18 15:00 → 09-24
  const c = await open(s.metering.token, 'error', { opened_at: shanghai(2026, 9, 18, 15), data: { grade: 'general' } });
  assert.equal(c.due_at, endOfDay(2026, 9, 24));
  const major = await open(s.metering.token, 'error', { opened_at: shanghai(2026, 9, 18, 15), data: { grade: 'major' } });
  assert.equal(major.due_at, endOfDay(2026, 9, 22), 'major: 3 → 09-20, 09-21, 09-22');
  expectError(await api('POST', '/metering/cases', { token: s.metering.token, body: { kind: 'error', subject: 'x' } }), 400, 'missing_field', 'data.grade');
  assert.equal((await order(s.disp.token, c)).kind, 'metering_error_correction');
  await runJob(s.p, c.work_order_id, { error_type: 'wiring', refund_basis: 'full_period', error_grade: 'general' });
  let a = await get(s.metering.token, c.id);
  assert.equal(a.status, 'calculation');
  const bad = await act(s.metering.token, c.id, 'calculate', { cause: 'wiring', from: '2026-02-01', to: '2026-05-01' });
  expectError(bad, 400, 'missing_field', 'energy_kwh');
  // wiring error, the full period, K = 1.732: 5 000 × 0.732 = 3 660 kWh to back-charge
  const calc = await act(s.metering.token, c.id, 'calculate', { cause: 'wiring', from: '2026-02-01', to: '2026-05-01', energy_kwh: '5000', correction_factor: '1.732' });
  expectStatus(calc, 200);
  assert.equal(calc.json.status, 'approval');
  a = await get(s.metering.token, c.id);
  assert.equal(a.refund.delta_kwh, '3660.000');
  assert.equal(a.refund.direction, 'charge');
  assert.equal(a.refund.period.days, 89);
  assert.equal(a.refund.formula, 'ΔE = E·(K − 1), K = P正确 / P错误');
  assert.ok(a.refund.steps.length >= 3);
  assert.equal(a.calculated_by, s.metering.user.id);
  // the one who calculated may not approve it (nor reject it); a dispatcher may not approve at all
  expectError(await act(s.metering.token, c.id, 'approve'), 409, 'metering_refund_same_person');
  expectError(await act(s.disp.token, c.id, 'approve'), 403, 'forbidden');
  const ok = await act(s.metering2.token, c.id, 'approve');
  expectStatus(ok, 200);
  assert.equal(ok.json.status, 'closed');
  a = await get(s.metering.token, c.id);
  assert.equal(a.approved_by, s.metering2.user.id);
  // a rejection sends it back to be calculated again, by anyone
  await runJob(s.p, major.work_order_id, {});
  expectStatus(await act(s.mgr.token, major.id, 'calculate', { cause: 'multiplier', from: '2026-01-01', to: '2026-04-01', reading_diff: '1234.5',
    correct_multiplier: 60, wrong_multiplier: 40 }), 200);
  expectError(await act(s.metering.token, major.id, 'reject', {}), 409, 'reason_required');
  const rej = await act(s.metering.token, major.id, 'reject', { reason: '倍率应按300/5核对' });
  expectStatus(rej, 200);
  assert.equal(rej.json.status, 'calculation');
  // the preview computes without storing
  const pv = await api('POST', '/metering/refund-preview', { token: s.viewer.token, body: { cause: 'out_of_tolerance', from: '2026-01-01',
    to: '2026-07-01', energy_kwh: '12000', error_percent: '4' } });
  expectStatus(pv, 200);
  assert.equal(pv.json.delta_kwh, '-230.769');
  assert.equal(pv.json.period.basis, 'half');
});

test(`${LABEL} metering cases: boards list by kind with clocks; contacts masked without metering.write; cancel cancels the job`, async () => {
  const s = await staff();
  const c = await open(s.metering.token, 'fault', {});
  const l = await api('GET', '/metering/cases?kind=fault&open=true&limit=200', { token: s.viewer.token });
  expectList(l);
  const mine = l.json.items.find((x) => x.id === c.id);
  assert.ok(mine, 'listed');
  assert.equal(mine.customer_name, '王**');
  assert.equal(mine.customer_phone, '139****5678');
  assert.ok(['green', 'amber'].includes(mine.clock.color));
  assert.equal((await get(s.metering.token, c.id)).customer_phone, '13912345678');
  const late = await api('GET', '/metering/cases?late=true&limit=200', { token: s.metering.token });
  expectList(late);
  assert.ok(late.json.items.every((x) => x.clock.late));
  expectError(await api('GET', '/metering/cases?late=maybe', { token: s.metering.token }), 400, 'invalid_query', 'late');
  expectError(await act(s.metering.token, c.id, 'cancel', {}), 409, 'reason_required');
  const x = await act(s.metering.token, c.id, 'cancel', { reason: '客户撤回' });
  expectStatus(x, 200);
  assert.equal(x.json.status, 'cancelled');
  assert.equal((await order(s.disp.token, c)).status, 'cancelled');
  expectError(await api('GET', '/metering/cases/00000000-0000-7000-8000-000000000000', { token: s.viewer.token }), 404, 'not_found');
});

// ---- periodic work generated from the assets (issue 12 item 3) ----

const ymd = (d) => d.toISOString().slice(0, 10);
const addDays = (s, n) => ymd(new Date(Date.UTC(+s.slice(0, 4), +s.slice(5, 7) - 1, +s.slice(8, 10) + n)));
/** s + n months, a day past the month's end becoming its last day (core/base/day.c's rule). */
const addMonths = (s, n) => {
  const y = +s.slice(0, 4), m = +s.slice(5, 7) - 1 + n, d = +s.slice(8, 10);
  const last = new Date(Date.UTC(y, m + 1, 0)).getUTCDate();
  return ymd(new Date(Date.UTC(y, m, Math.min(d, last))));
};
const dayEnd = (s) => endOfDay(+s.slice(0, 4), +s.slice(5, 7), +s.slice(8, 10));

test(`${LABEL} metering cases: periodic work generated from the assets — first inspection, field test by class, CT/PT 10-year, PT voltage drop — once per asset and period`, async () => {
  const s = await staff();
  const T = today();
  const tag = `P${Date.now() % 1e8}`;
  // the assets as the assets module keeps them (written here behind the server: that module is not this one)
  const now = Date.now();
  const row = (no, kind, subtype, cls, installed, verified) => `('${tag}-${no}', '${tag}-${no}', '${kind}', ${subtype ? `'${subtype}'` : 'NULL'}, ` +
    `${cls ? `'${cls}'` : 'NULL'}, 'installed', 'JLD-${tag}', ${installed ? `'${installed}'` : 'NULL'}, ${verified ? `'${verified}'` : 'NULL'}, ${now}, ${now})`;
  const hvNew = addDays(T, -10);                     // an HV meter energised 10 days ago: its first inspection
  const hvOld = addMonths(addDays(T, 10), -3);       // a 0.2S HV meter (class I, 3-monthly): its test due in 10 days
  const ctVerified = addMonths(addDays(T, 5), -120); // a CT verified 10 years ago, 5 days from now
  const ptInstalled = addMonths(addDays(T, 20), -24); // a PT installed 2 years ago, 20 days from now
  tamper('INSERT INTO metering_assets (id, asset_no, kind, subtype, accuracy_class, status, point_no, installed_on, verified_on, created_at, updated_at) VALUES ' +
    [row('A', 'meter', 'three_phase_hv', '0.5S', hvNew), row('B', 'meter', 'three_phase_hv', '0.2S', hvOld), row('C', 'ct', null, '0.2S', null, ctVerified),
      row('D', 'pt', null, '0.2', ptInstalled, ptInstalled), row('E', 'meter', 'single_phase', '2.0', addDays(T, -5))].join(', '));
  expectError(await api('POST', '/metering/periodic/actions/run', { token: s.disp.token, body: {} }), 403, 'forbidden');
  expectError(await api('POST', '/metering/periodic/actions/run', { token: s.mgr.token, body: { on: '2026-13-01' } }), 400, 'invalid_field', 'on');
  const run = await api('POST', '/metering/periodic/actions/run', { token: s.mgr.token, body: {} });
  expectStatus(run, 200);
  assert.equal(run.json.day, T);
  const mine = run.json.items.filter((i) => i.asset_no.startsWith(tag)).map((i) => [i.asset_no, i.task, i.due_on]).sort();
  assert.deepEqual(mine, [[`${tag}-A`, 'first_inspection', hvNew], [`${tag}-B`, 'field_test', addMonths(hvOld, 3)],
    [`${tag}-C`, 'ct_pt_test', addMonths(ctVerified, 120)], [`${tag}-D`, 'pt_voltage_drop', addMonths(ptInstalled, 24)]]);
  // the same day again (the job and a person, or two nodes): nothing twice
  const again = await api('POST', '/metering/periodic/actions/run', { token: s.mgr.token, body: {} });
  expectStatus(again, 200);
  assert.equal(again.json.items.filter((i) => i.asset_no.startsWith(tag)).length, 0);
  // the first inspection: a month from energising; the periodic test due on its day, with a field test order
  const byTask = Object.fromEntries(run.json.items.filter((i) => i.asset_no.startsWith(tag)).map((i) => [i.task, i]));
  const fi = await get(s.metering.token, byTask.first_inspection.case_id);
  assert.equal(fi.kind, 'first_inspection');
  assert.equal(fi.due_at, dayEnd(addMonths(hvNew, 1)));
  assert.equal(fi.point_no, `JLD-${tag}`);
  const ft = await get(s.metering.token, byTask.field_test.case_id);
  assert.equal(ft.kind, 'periodic');
  assert.equal(ft.data.task, 'field_test');
  assert.equal(ft.due_at, dayEnd(addMonths(hvOld, 3)));
  const wo = await order(s.disp.token, ft);
  assert.equal(wo.kind, 'first_inspection');
  assert.equal(wo.meter_asset_no, `${tag}-B`);
  assert.equal(wo.source, 'schedule');
  // worked in the field and within class: closed
  await runJob(s.p, ft.work_order_id, { error_percent: 0.1, test_reason: 'periodic' });
  assert.equal((await get(s.metering.token, ft.id)).status, 'closed');
});

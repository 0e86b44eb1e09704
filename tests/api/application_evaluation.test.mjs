// The internal evaluation of applications (issue 11 item 10; docs/api.md "Applications" → "Evaluation") end to end:
// five applications of one serving unit walked through the real engine — on time, a survey fired late by the
// admin's run of the scheduler (POST /applications/actions/run {at}: the clock's own way to reach an instant ahead),
// an intake taken 20 days ago at the counter (received_at) and accepted only now, a hold, a cancellation — with
// ratings, complaints and follow-ups, then the figures checked against the arithmetic worked out below, in JSON and
// in the workbook's cells. The instants are the server's own (transitions happen now); the working days of a stage
// are counted from its history's instants by the calendar rule (CALENDAR.md: Monday–Friday, less the year's
// holidays, plus its make-up working days, from GET /calendar/{year}), so the test holds on any day, across a
// midnight too. The arithmetic over fixed dates (holidays, pauses, the customer's turn) is tests/unit/test_appeval.c.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { api, adminToken, userWithToken, createOrgUnit, expectError, expectStatus, uniq, LABEL, BASE_URL } from './lib.mjs';
import { createApplication, PATHS, stageWork, act as fire } from './lib_applications.mjs';

const SH = 8 * 3600 * 1000; // Asia/Shanghai is UTC+8 all year
const DAY = 24 * 3600 * 1000;
const dayOf = (ms) => new Date(ms + SH).toISOString().slice(0, 10);
const monthOf = (ms) => dayOf(ms).slice(0, 7);
const r2 = (x) => Math.round(x * 100) / 100;

/** The calendar's exceptions of the years a span touches: day → 'holiday' | 'workday'. */
async function calendar(token, fromMs, toMs) {
  const days = new Map();
  for (let y = Number(dayOf(fromMs).slice(0, 4)); y <= Number(dayOf(toMs).slice(0, 4)); y++) {
    const r = await api('GET', `/calendar/${y}`, { token });
    expectStatus(r, 200);
    for (const d of r.json.days) days.set(d.day, d.kind);
  }
  return days;
}

/** Working days after fromMs's day up to and including toMs's day (the clock's counting). */
function between(cal, fromMs, toMs) {
  let n = 0;
  for (let d = Date.parse(dayOf(fromMs) + 'T00:00:00Z') + DAY; d <= Date.parse(dayOf(toMs) + 'T00:00:00Z'); d += DAY) {
    const day = new Date(d).toISOString().slice(0, 10), wd = new Date(d).getUTCDay();
    const kind = cal.get(day);
    n += kind === 'workday' || (kind !== 'holiday' && wd >= 1 && wd <= 5) ? 1 : 0;
  }
  return n;
}

/** The staff of one serving unit (the counter and the customer manager see their unit's applications; the
 * dispatcher and the manager are company-wide). */
async function unitStaff(unit) {
  const [counter, cm, disp, mgr] = await Promise.all([userWithToken(['customer_service'], { org_unit_id: unit }),
    userWithToken(['customer_manager'], { org_unit_id: unit }), userWithToken(['dispatcher']), userWithToken(['manager'])]);
  return { counter, cm, disp, mgr };
}

async function act(token, id, action, body = {}) {
  const r = await fire(token, id, action, body);
  expectStatus(r, 200);
  return r.json;
}

/** Moves an application forward along its track's path (lib_applications.mjs PATHS, with the work other modules
 * require in a stage) from where it is until it is in `until`. */
async function walkOn(staff, app, until) {
  const admin = await adminToken();
  let cur = app;
  for (const [action, who, body] of PATHS[cur.track]) {
    if (cur.status === until) break;
    // what the application offers anyone now (admin's view): an action of the path it is past is done already
    const now = await api('GET', `/applications/${cur.id}`, { token: admin });
    expectStatus(now, 200);
    if (!now.json.actions.includes(action)) continue;
    if (stageWork[action]) await stageWork[action](staff, cur);
    cur = await act(staff[who].token, cur.id, action, body || {});
  }
  assert.equal(cur.status, until);
  return cur;
}

/** The instants a stage was entered and left, from the application's history (the n-th visit of a state). */
function visit(app, stage, n = 1) {
  const moves = app.history.filter((e) => e.from_state !== e.to_state);
  let entered = stage === 'accepted' ? app.created_at : null, seen = 0;
  for (const e of moves) {
    if (e.to_state === stage) entered = e.at;
    if (e.from_state === stage && ++seen === n) return { entered, left: e.at };
  }
  return { entered, left: null };
}

/** The customer's stars after power-on. Rating is the customer's own act, through the portal (item 7, a verified
 * customer session: docs/api.md "Applications", applications_rate); the test stores it as applications_rate does —
 * the stars, when, and updated_at — straight into the suite's database (FG_DB_URL, as fieldwork_lib.mjs tamper()). */
async function rate(token, app, stars) {
  const url = process.env.FG_DB_URL, now = Date.now();
  const sql = `UPDATE applications SET rating = ${stars}, rated_at = ${now}, updated_at = ${now} WHERE id = '${app.id}'`;
  if (url.startsWith('postgres')) execFileSync('psql', ['-q', '-X', url, '-c', sql]);
  else execFileSync('sqlite3', ['-cmd', '.timeout 10000', url, sql]); // the server writes too (its lease, its jobs' turns): wait for its lock
}

async function feedback(token, no, kind, satisfaction) {
  const c = await api('POST', '/feedback', { token, body: { kind, channel: 'phone_95598', subject: '业扩报装回访', application_no: no,
    contact_name: '王小明', contact_phone: '13900001111' } });
  expectStatus(c, 201);
  if (!satisfaction) return c.json;
  for (const [action, body] of [['answer', { answer: '已核实并处理' }], ['close', { satisfaction }]]) {
    const r = await api('POST', `/feedback/${c.json.id}/actions/${action}`, { token, body });
    expectStatus(r, 200);
  }
  return c.json;
}

/** The cells of an .xlsx workbook: {sheet name: {A1: value}} (python3's zipfile and XML parser; shared strings resolved). */
function cells(buf) {
  const py = String.raw`import sys, zipfile, io, json, re
import xml.etree.ElementTree as ET
z = zipfile.ZipFile(io.BytesIO(sys.stdin.buffer.read()))
ns = {'m': 'http://schemas.openxmlformats.org/spreadsheetml/2006/main'}
rel = {'r': 'http://schemas.openxmlformats.org/officeDocument/2006/relationships'}
strings = [''.join(t.text or '' for t in si.iter('{%s}t' % ns['m'])) for si in ET.fromstring(z.read('xl/sharedStrings.xml')).findall('m:si', ns)] if 'xl/sharedStrings.xml' in z.namelist() else []
rels = {r.get('Id'): r.get('Target') for r in ET.fromstring(z.read('xl/_rels/workbook.xml.rels'))}
out = {}
for s in ET.fromstring(z.read('xl/workbook.xml')).find('m:sheets', ns):
    target = rels[s.get('{%s}id' % rel['r'])]
    sheet = ET.fromstring(z.read('xl/' + target.lstrip('/').replace('xl/', '', 1)))
    cells = {}
    for c in sheet.iter('{%s}c' % ns['m']):
        v = c.find('m:v', ns)
        if v is None:
            continue
        cells[c.get('r')] = strings[int(v.text)] if c.get('t') == 's' else float(v.text)
    out[s.get('name')] = cells
print(json.dumps(out, ensure_ascii=False))`;
  return JSON.parse(execFileSync('python3', ['-c', py], { input: buf }).toString());
}

test(`${LABEL} application evaluation: the figures of a walked example, in JSON and in the workbook`, async () => {
  const admin = await adminToken();
  const get = async (x) => { const r = await api('GET', `/applications/${x.id}`, { token: admin }); expectStatus(r, 200); return r.json; };
  const unit = await createOrgUnit('department', undefined, uniq('城东供电所-'));
  const team = await createOrgUnit('team', unit.id, uniq('勘查一班-'));
  // the unit routes its surveys to the team; its other stages belong to their roles (no team)
  expectStatus(await api('PUT', '/applications/routing', { token: admin, body: { org_unit_id: unit.id, stage: 'survey', team_id: team.id } }), 200);
  const staff = await unitStaff(unit.id);
  const take = (kind, extra = {}) => createApplication(staff.counter.token, kind, { org_unit_id: unit.id, ...extra });
  const t0 = Date.now();

  // A: LV residential, straight through: every stage on time, the process on time with all its stages.
  const a = await take('lv_residential');
  await walkOn(staff, a, 'powered');
  // B: LV residential; its survey's deadline fires (the scheduler run as of one second past it): late; the rest
  // on time, so the process is on time by its own clock (5 working days) but not "all stages on time" (§5.3).
  const b = await walkOn(staff, await take('lv_residential'), 'survey');
  const bSurvey = (await get(b)).clocks.state;
  assert.equal(bSurvey.state, 'survey');
  const run = await api('POST', '/applications/actions/run', { token: admin, body: { at: bSurvey.due_at + 1000, application_id: b.id } });
  expectStatus(run, 200);
  assert.ok(run.json.fired >= 1, JSON.stringify(run.json));
  await walkOn(staff, await get(b), 'powered');
  // C: HV single supply: accepted, held and resumed in the survey, surveyed; waits in the scheme reply (open: not counted)
  let c = await walkOn(staff, await take('hv_single'), 'survey');
  await act(staff.counter.token, c.id, 'hold', { reason: '等待线路停电窗口' });
  c = await act(staff.counter.token, c.id, 'resume');
  await walkOn(staff, c, 'scheme');
  // D: cancelled while being taken: an application taken, no stage finished
  const d = await take('lv_residential');
  await act(staff.counter.token, d.id, 'cancel', { reason: '客户撤回' });
  // E: taken at the counter 20 days ago, accepted only now: its 1-working-day acceptance is late
  const e = await walkOn(staff, await take('lv_residential', { received_at: t0 - 20 * DAY }), 'survey');
  // ratings after power-on, and feedback naming the applications
  for (const [app, stars] of [[a, 5], [b, 2]]) await rate(admin, app, stars);
  await feedback(admin, c.number, 'complaint', 'satisfied');
  await feedback(admin, c.number, 'complaint', null); // still open: a complaint all the same
  await feedback(admin, b.number, 'opinion', 'dissatisfied');
  const t1 = Date.now();

  const [A, B, C, E] = await Promise.all([a, b, c, e].map(get));
  const cal = await calendar(admin, t0 - 20 * DAY, t1);
  const wd = (app, stage) => { const v = visit(app, stage); return between(cal, v.entered, v.left); };
  // the hold in C's survey does not count: its working days are the spans before the hold and after the resume
  const cSurvey = (() => {
    const ev = C.history, at = (act_) => ev.find((x) => x.action === act_).at;
    return between(cal, at('accept'), at('hold')) + between(cal, at('resume'), at('complete_survey'));
  })();

  /* The hand-worked figures. Stages finished (left, not by a cancellation):
   *   A accepted, survey (勘查一班), installation — on time
   *   B accepted — on time; survey (勘查一班) — late (fired); installation — on time
   *   C accepted — on time; survey (勘查一班, held and resumed) — on time        (its scheme reply is still open)
   *   E accepted — late (due the end of the working day after 20 days ago; left now)
   *   → 9 stages, 7 on time, 2 late: 7 / 9 = 77.78 %
   * Working days: every stage but E's acceptance ran within this test (0, or 1 if a Shanghai midnight fell inside
   *   it); E's acceptance: the working days after the day 20 days ago up to today.
   * Whole process: A and B powered on — both on time by the process clock (5 working days from intake); all
   *   stages on time: A only → 2 completed, 100 %, 50 %.
   * Applications taken: A, B, C, D now and E 20 days ago (in this month or the one before); complaints: C's two
   *   → held against this month's intake.
   * Ratings: A 5, B 2 → 3.5. Follow-ups closed with a satisfaction: C satisfied, B dissatisfied → 1 / 2 = 50 %. */
  const stageWd = [wd(A, 'accepted'), wd(A, 'survey'), wd(A, 'installation'), wd(B, 'accepted'), wd(B, 'survey'),
    wd(B, 'installation'), wd(C, 'accepted'), cSurvey, wd(E, 'accepted')];
  const sumWd = stageWd.reduce((x, y) => x + y, 0);
  const procWd = [A, B].map((x) => between(cal, x.created_at, x.history.find((h) => h.to_state === 'powered').at));
  assert.ok(wd(E, 'accepted') >= 10, 'twenty days hold at least ten working days');
  const from = monthOf(t0 - 20 * DAY), to = monthOf(t1);
  const sameMonth = from === to;

  const q = new URLSearchParams({ from, to, org_unit_id: unit.id });
  const res = await api('GET', `/applications/evaluation?${q}`, { token: admin });
  expectStatus(res, 200);
  const ev = res.json;
  assert.equal(ev.from, from);
  assert.equal(ev.org_unit_id, unit.id);
  const tot = ev.total;
  assert.equal(tot.stage_visits, 9);
  assert.equal(tot.stage_on_time, 7);
  assert.equal(tot.stage_late, 2);
  assert.equal(tot.stage_on_time_pct, 77.78);
  assert.equal(tot.stage_working_days, sumWd);
  assert.equal(tot.avg_stage_working_days, r2(sumWd / 9));
  assert.equal(tot.completed, 2);
  assert.equal(tot.process_on_time, 2);
  assert.equal(tot.process_on_time_pct, 100);
  assert.equal(tot.all_stages_on_time, 1);
  assert.equal(tot.all_stages_on_time_pct, 50);
  assert.equal(tot.process_working_days, procWd[0] + procWd[1]);
  assert.equal(tot.applications, 5);
  assert.equal(tot.complaints, 2);
  assert.equal(tot.complaints_per_1000, 400); // 2 / 5 × 1000
  assert.equal(tot.ratings, 2);
  assert.equal(tot.rating_avg, 3.5);
  assert.equal(tot.feedback_satisfied, 1);
  assert.equal(tot.feedback_dissatisfied, 1);
  assert.equal(tot.satisfied_pct, 50);
  assert.equal(tot.uncounted, 0);
  // this month: A–D taken (4; E too when it was taken this month), C's 2 complaints → 500 (or 400). (Unless this
  // test itself ran across the turn of a month: then the months share them in a way not worth spelling out.)
  const now = ev.months.find((m) => m.month === to);
  if (monthOf(t0) === to) {
    assert.equal(now.applications, sameMonth ? 5 : 4);
    assert.equal(now.complaints_per_1000, sameMonth ? 400 : 500);
    assert.equal(now.stage_visits, 9, 'every stage was left this month');
  }
  if (!sameMonth && monthOf(t0) === to) {
    const before = ev.months.find((m) => m.month === from);
    assert.equal(before.applications, 1, 'E, taken last month');
    assert.equal(before.complaints, 0);
    assert.equal(before.complaints_per_1000, 0);
    assert.equal(before.stage_visits, 0);
  }
  // by team, stage and kind: 勘查一班's LV surveys A on time, B late → 50 %; its HV survey C → 100 %;
  // the acceptances (no team routed): A, B on time, E late → 66.67 %
  const row = (rows, f) => rows.filter((r) => Object.entries(f).every(([k, v]) => r[k] === v));
  const surveys = row(ev.by_stage, { stage: 'survey', kind: 'lv_residential' });
  assert.equal(surveys.length, 1);
  assert.equal(surveys[0].on_time_pct, 50);
  assert.equal(surveys[0].stage_name_zh, '现场勘查');
  const teamLv = row(ev.stages, { team_id: team.id, stage: 'survey', kind: 'lv_residential' });
  assert.equal(teamLv.length, 1);
  assert.equal(teamLv[0].team_name, team.name);
  assert.equal(teamLv[0].visits, 2);
  assert.equal(teamLv[0].late, 1);
  const teamRow = row(ev.by_team, { team_id: team.id })[0];
  assert.equal(teamRow.visits, 3);
  assert.equal(teamRow.on_time_pct, 66.67);
  const acc = row(ev.by_stage, { stage: 'accepted', kind: 'lv_residential' })[0];
  assert.equal(acc.visits, 3);
  assert.equal(acc.on_time_pct, 66.67);
  assert.equal(row(ev.by_team, { team_id: null })[0].visits, 6, 'A, B, C, E accepted; A, B installation');
  // by serving unit and kind: the HV row holds C alone
  const hv = row(ev.units, { month: monthOf(C.created_at), kind: 'hv_single' })[0];
  assert.equal(hv.org_unit_name, unit.name);
  assert.equal(hv.applications, 1);
  assert.equal(hv.complaints_per_1000, 2000);
  if (monthOf(t0) === to) assert.equal(hv.stage_visits, 2);

  // the workbook holds the same figures: sheet 按月汇总, the last row is the total (合计)
  const x = await fetch(`${BASE_URL}/api/v1/applications/evaluation.xlsx?${q}`, { headers: { authorization: `Bearer ${admin}` } });
  assert.equal(x.status, 200);
  assert.equal(x.headers.get('content-type'), 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
  assert.equal(x.headers.get('content-disposition'), `attachment; filename="application-evaluation-${from}-${to}.xlsx"`);
  const book = cells(Buffer.from(await x.arrayBuffer()));
  assert.deepEqual(Object.keys(book), ['按月汇总', '按供电单位', '按班组与环节', '指标定义']);
  const s1 = book['按月汇总'];
  const totalRow = 3 + ev.months.length; // title, header, then one row a month
  assert.equal(s1[`A${totalRow}`], '合计');
  const col = (head) => Object.entries(s1).find(([ref, v]) => /^[A-Z]+2$/.test(ref) && v === head)[0].replace('2', '');
  assert.equal(s1[`${col('受理申请数')}${totalRow}`], 5);
  assert.equal(s1[`${col('完成环节数')}${totalRow}`], 9);
  assert.equal(s1[`${col('环节按时率(%)')}${totalRow}`], 77.78);
  assert.equal(s1[`${col('全流程按时率(%)')}${totalRow}`], 100);
  assert.equal(s1[`${col('各环节均按时率(%)')}${totalRow}`], 50);
  assert.equal(s1[`${col('每千件投诉')}${totalRow}`], 400);
  assert.equal(s1[`${col('平均星级')}${totalRow}`], 3.5);
  assert.equal(s1[`${col('满意率(%)')}${totalRow}`], 50);
  assert.equal(s1[`A${totalRow - 1}`], to);
  const s3 = book['按班组与环节'];
  const teamCells = Object.entries(s3).filter(([, v]) => v === team.name).map(([ref]) => ref.replace(/^[A-Z]+/, ''));
  assert.ok(teamCells.some((r) => s3[`C${r}`] === '现场勘查' && s3[`D${r}`] === '低压居民' && s3[`E${r}`] === 2 && s3[`H${r}`] === 50), JSON.stringify(s3));
  assert.match(Object.values(book['指标定义']).join('\n'), /各环节均按时/);
});

test(`${LABEL} application evaluation: scope, refusals, and the route is not an application`, async () => {
  const admin = await adminToken();
  const mine = await createOrgUnit('department', undefined, uniq('城西供电所-'));
  const other = await createOrgUnit('department', undefined, uniq('城北供电所-'));
  await createApplication(admin, 'lv_residential', { org_unit_id: other.id });
  const month = monthOf(Date.now());
  // a reader of another unit sees nothing of it; a company-wide reader does
  const cs = await userWithToken(['customer_service'], { org_unit_id: mine.id });
  const q = (unit) => `/applications/evaluation?from=${month}&to=${month}&org_unit_id=${unit}`;
  const theirs = await api('GET', q(other.id), { token: cs.token });
  expectStatus(theirs, 200);
  assert.equal(theirs.json.total.applications, 0);
  const sup = await userWithToken(['supervisor']);
  assert.equal((await api('GET', q(other.id), { token: sup.token })).json.total.applications, 1);
  // a crew member has no applications.read
  const crew = await userWithToken(['crew']);
  expectError(await api('GET', q(other.id), { token: crew.token }), 403, 'forbidden');
  // refusals name the parameter
  const bad = (qs) => api('GET', '/applications/evaluation?' + qs, { token: admin });
  expectError(await bad(`to=${month}`), 400, 'invalid_query', 'from');
  expectError(await bad(`from=${month}`), 400, 'invalid_query', 'to');
  expectError(await bad(`from=2026-13&to=${month}`), 400, 'invalid_query', 'from');
  expectError(await bad('from=2026-05&to=2026-04'), 400, 'invalid_query', 'to');
  expectError(await bad('from=2023-01&to=2026-01'), 400, 'invalid_query', 'to');
  expectError(await bad(`from=${month}&to=${month}&kind=solar`), 400, 'invalid_query', 'kind');
  expectError(await bad(`from=${month}&to=${month}&track=capacity_increase`), 400, 'invalid_query', 'track');
  expectError(await bad(`from=${month}&to=${month}&org_unit_id=00000000-0000-7000-8000-000000000000`), 400, 'invalid_query', 'org_unit_id');
  const x = await fetch(`${BASE_URL}/api/v1/applications/evaluation.xlsx?from=${month}`, { headers: { authorization: `Bearer ${admin}` } });
  assert.equal(x.status, 400);
  // an empty month has its row, with no rates
  const empty = await bad(`from=2026-01&to=2026-02&org_unit_id=${mine.id}`);
  expectStatus(empty, 200);
  assert.deepEqual(empty.json.months.map((m) => [m.month, m.applications, m.stage_on_time_pct]), [['2026-01', 0, null], ['2026-02', 0, null]]);
  assert.equal(empty.json.total.complaints_per_1000, null);
});

// When the system is down (R1.4, issue 13 item 7; docs/api.md "Backfilled work" and "Feedback and complaints"):
// work done on paper is entered afterwards with its original times, crew, paper ticket number, a photo of the form
// and the name of who entered it; a leader of its team who did not enter it reviews it; an approved one is field
// work like any other — on the board, the large screen and the on-time rate, marked backfilled and counted apart —
// while a pending or rejected one counts nowhere. Whatever the live gates would refuse is refused, each with its
// own code. A complaint flagged sensitive shows the complainant's data only to its handlers (audited), masks it
// for everyone else and hides it from their searches.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { api, adminToken, userWithToken, createOrgUnit, expectError, expectStatus, expectList, uniq, LABEL } from './lib.mjs';
import { photo, tamper } from './fieldwork_lib.mjs';

const MIN = 60e3;
const SH = 8 * 3600e3;
const shDay = (ms) => new Date(ms + SH).toISOString().slice(0, 10);

/* A team with its leader (who reviews), a dispatcher who enters the paper, and a crew member. */
async function crewOf() {
  const team = await createOrgUnit('team');
  const [leader, clerk, member, other] = await Promise.all([
    userWithToken(['leader'], { org_unit_id: team.id }), userWithToken(['dispatcher']),
    userWithToken(['crew'], { org_unit_id: team.id }), userWithToken(['leader'], { org_unit_id: team.id }),
  ]);
  return { team, leader, clerk, member, other };
}

/* The paper's times: a few minutes apart, earlier today (Shanghai), all in the past. */
function paperTimes(now = Date.now()) {
  const dayStart = Date.parse(`${shDay(now)}T00:00:00Z`) - SH;
  const t0 = Math.max(now - 3 * 3600e3, dayStart + MIN);
  const step = Math.max(1000, Math.min(10 * MIN, Math.floor((now - t0) / 7)));
  return { ticket_issued_at: t0, ticket_permitted_at: t0 + step, briefing_held_at: t0 + 2 * step,
    work_started_at: t0 + 3 * step, work_finished_at: t0 + 4 * step, ticket_ended_at: t0 + 5 * step };
}

async function paper(c, extra = {}) {
  const pid = await photo(c.clerk.token);
  return { team_id: c.team.id, leader_id: c.leader.user.id, crew_ids: [c.member.user.id], kind: 'lv_meter_install',
    title: '低压表计装表（停机期间纸质票）', place: '临澜市和平街 7 号配电室', content: '装表 3 只', outage_note: '系统 08:00–11:30 停机',
    paper_ticket_no: uniq('ZP-'), ...paperTimes(), photo_ids: [pid], ...extra };
}

const enter = (token, body) => api('POST', '/backfills', { token, body });
const approve = (token, id) => api('POST', `/backfills/${id}/approve`, { token, body: {} });
const reject = (token, id, reason) => api('POST', `/backfills/${id}/reject`, { token, body: reason === undefined ? {} : { reason } });

async function screenPanels() {
  const admin = await userWithToken(['metering']);
  const link = await api('POST', '/screen/links', { token: admin.token, body: { name: uniq('大屏-') } });
  expectStatus(link, 201);
  return async () => {
    const r = await api('GET', '/screen/data', { token: link.json.token });
    expectStatus(r, 200);
    return r.json.panels;
  };
}

test(`${LABEL} backfill: entered with its original times, reviewed by the team's leader, then counted on the board and the screen as backfilled`, async () => {
  const c = await crewOf();
  const panels = await screenPanels();
  const body = await paper(c);
  const before = await panels();
  const b = await enter(c.clerk.token, body);
  expectStatus(b, 201);
  const bf = b.json;
  assert.match(bf.number, /^BL\d{8}-\d{4}$/);
  assert.equal(bf.status, 'pending');
  assert.equal(bf.backfilled, true);
  assert.equal(bf.entered_by, c.clerk.user.id, 'who entered it: the signed-in user, not a field of the body');
  assert.ok(Math.abs(bf.entered_at - Date.now()) < 5 * MIN);
  for (const k of ['ticket_issued_at', 'ticket_permitted_at', 'briefing_held_at', 'work_started_at', 'work_finished_at', 'ticket_ended_at'])
    assert.equal(bf[k], body[k], `${k}: the paper's time, as entered`);
  assert.equal(bf.paper_ticket_no, body.paper_ticket_no);
  assert.deepEqual(bf.photos.map((p) => p.id), body.photo_ids);
  assert.deepEqual(bf.crew.map((p) => p.id), [c.member.user.id]);
  assert.equal(bf.reviewed_by, null);
  assert.equal(bf.plan_id, null, 'pending: no field work yet');
  assert.equal(bf.ticket_kind, 'GZK', 'the work kind\'s default ticket kind (data/kb/work_kinds.json)');

  // pending counts nowhere
  const date = shDay(body.work_started_at);
  const board0 = await api('GET', `/board?date=${date}`, { token: c.clerk.token });
  expectStatus(board0, 200);
  assert.ok(!board0.json.jobs.some((j) => j.backfill && j.backfill.id === bf.id));
  const queue = await api('GET', '/backfills?status=pending&limit=200', { token: c.leader.token });
  expectList(queue);
  assert.ok(queue.json.items.some((x) => x.id === bf.id), 'in the leader\'s review queue');
  assert.ok(queue.json.counts.pending >= 1);

  // a desk without the review right cannot approve; a leader of another team does not see it; the team's leader can
  expectError(await approve(c.clerk.token, bf.id), 403, 'forbidden');
  const stranger = await userWithToken(['leader'], { org_unit_id: (await createOrgUnit('team')).id });
  expectError(await approve(stranger.token, bf.id), 404, 'not_found');
  // it waits in the team leader's queue (GET /me/queue, backfills.review), not in the stranger's
  const inQueue = async (token) => {
    const r = await api('GET', '/me/queue?limit=20', { token });
    expectStatus(r, 200);
    const k = r.json.kinds.find((x) => x.kind === 'backfills.review');
    return !!k && k.items.some((x) => x.id === bf.id && x.title === bf.number && x.path === '/backfills');
  };
  assert.equal(await inQueue(c.leader.token), true, "the team leader's queue");
  assert.equal(await inQueue(stranger.token), false, "another team's leader");
  const ok = await approve(c.leader.token, bf.id);
  expectStatus(ok, 200);
  assert.equal(ok.json.status, 'approved');
  assert.equal(await inQueue(c.leader.token), false, 'reviewed: out of the queue');
  assert.equal(ok.json.reviewed_by, c.leader.user.id);
  assert.equal(ok.json.reviewed_by_name, c.leader.user.display_name);
  assert.ok(ok.json.plan_id && ok.json.work_order_id);
  assert.match(ok.json.plan_number, /^JH/);
  expectError(await approve(c.other.token, bf.id), 409, 'backfill_already_reviewed');
  const queue2 = await api('GET', `/backfills?status=pending&team_id=${c.team.id}`, { token: c.leader.token });
  expectList(queue2);
  assert.ok(!queue2.json.items.some((x) => x.id === bf.id), 'out of the review queue');
  assert.equal(queue2.json.counts.approved, 1, 'the counts are of every state: the team\'s one approved');
  assert.equal(queue2.json.total, queue2.json.counts.pending);

  // the job it became: finished, the paper's times, its crew, the paper's ticket, the meeting held — marked backfilled
  const plan = await api('GET', `/plans/${ok.json.plan_id}`, { token: c.leader.token });
  expectStatus(plan, 200);
  assert.equal(plan.json.status, 'finished');
  assert.equal(plan.json.backfilled, true);
  assert.equal(plan.json.backfill_id, bf.id);
  assert.equal(plan.json.date, date);
  assert.equal(plan.json.started_at, body.work_started_at);
  assert.equal(plan.json.finished_at, body.work_finished_at);
  assert.deepEqual(plan.json.crew_ids, [c.member.user.id]);
  const order = await api('GET', `/work-orders/${ok.json.work_order_id}`, { token: c.clerk.token });
  expectStatus(order, 200);
  assert.equal(order.json.status, 'done');
  assert.equal(order.json.backfill_id, bf.id);

  // the board: the job with its marks (enterer, reviewer, paper ticket) and the backfilled count
  const board = await api('GET', `/board?date=${date}`, { token: c.clerk.token });
  expectStatus(board, 200);
  const job = board.json.jobs.find((j) => j.id === ok.json.plan_id);
  assert.ok(job, 'on the board of its own day');
  assert.equal(job.backfilled, true);
  assert.equal(job.started_at, body.work_started_at);
  assert.equal(job.backfill.id, bf.id);
  assert.equal(job.backfill.paper_ticket_no, body.paper_ticket_no);
  assert.equal(job.backfill.entered_by, c.clerk.user.id);
  assert.equal(job.backfill.reviewed_by, c.leader.user.id);
  assert.equal(job.ticket.number, body.paper_ticket_no, 'the paper ticket, ended');
  assert.equal(job.ticket.status, 'ended');
  const ticket = await api('GET', `/tickets/${job.ticket.id}`, { token: c.leader.token });
  expectStatus(ticket, 200);
  assert.equal(ticket.json.backfilled, true);
  assert.equal(ticket.json.backfill_id, bf.id);
  for (const [k, v] of [['issued_at', 'ticket_issued_at'], ['permitted_at', 'ticket_permitted_at'], ['work_started_at', 'work_started_at'], ['ended_at', 'ticket_ended_at']])
    assert.equal(ticket.json[k], body[v], `the ticket's ${k}: the paper's`);
  assert.deepEqual(ticket.json.crew.map((p) => p.id), [c.member.user.id]);
  assert.equal(ticket.json.leader.id, c.leader.user.id);
  assert.equal(job.crew_count, 1);
  assert.ok(board.json.backfilled >= 1);
  assert.equal(board.json.backfilled, board.json.jobs.filter((j) => j.backfilled).length);
  assert.ok(board.json.jobs.some((j) => j.backfilled === false) || board.json.jobs.every((j) => j.backfilled));

  // the large screen (today's jobs; the month's orders done): counted, and counted apart
  const after = await panels();
  if (date === after.jobs.date) {
    assert.ok(after.jobs.total >= before.jobs.total + 1);
    assert.equal(after.jobs.backfilled, before.jobs.backfilled + 1);
    assert.ok(after.jobs.by_status.finished >= before.jobs.by_status.finished + 1);
  }
  assert.equal(after.on_time.work_orders.backfilled, before.on_time.work_orders.backfilled + 1);
  assert.ok(after.on_time.work_orders.done >= before.on_time.work_orders.done + 1);

  // the ticket evaluation's coverage (R2.1, a KPI): the paper ticket counts as ended, marked, waiting for its evaluation
  const cov = await api('GET', `/evaluations/coverage?from=${body.ticket_ended_at}&to=${body.ticket_ended_at + 1}`, { token: c.clerk.token });
  expectStatus(cov, 200);
  assert.ok(cov.json.backfilled >= 1 && cov.json.ended >= cov.json.backfilled);
  const mine = cov.json.unevaluated.find((x) => x.id === job.ticket.id);
  assert.ok(mine && mine.backfilled === true);

  // the record reads back with every mark, and the photo is there to see
  const again = await api('GET', `/backfills/${bf.id}`, { token: c.member.token });
  expectError(again, 403, 'forbidden'); // crew hold no backfills.read: the leader and the desk read it
  const read = await api('GET', `/backfills/${bf.id}`, { token: c.leader.token });
  expectStatus(read, 200);
  assert.equal(read.json.entered_by_name, c.clerk.user.display_name);
  assert.equal(read.json.work_order_number, order.json.number);
  const img = await api('GET', `/attachments/${body.photo_ids[0]}`, { token: c.leader.token });
  expectStatus(img, 200);
});

test(`${LABEL} backfill: a rejected one (with its reason) counts nowhere and frees its paper number for the corrected entry`, async () => {
  const c = await crewOf();
  const body = await paper(c);
  // entered by the team's leader himself: he cannot review his own entry, the team's other leader does
  const b = await enter(c.leader.token, body);
  expectStatus(b, 201);
  assert.equal(b.json.entered_by, c.leader.user.id);
  expectError(await reject(c.leader.token, b.json.id, '自己驳回'), 403, 'backfill_self_review');
  expectError(await approve(c.leader.token, b.json.id), 403, 'backfill_self_review');
  expectError(await reject(c.other.token, b.json.id), 409, 'reason_required', 'reason');
  expectError(await reject(c.other.token, b.json.id, '   '), 409, 'reason_required', 'reason');
  const r = await reject(c.other.token, b.json.id, '照片看不清票号');
  expectStatus(r, 200);
  assert.equal(r.json.status, 'rejected');
  assert.equal(r.json.reject_reason, '照片看不清票号');
  assert.equal(r.json.reviewed_by, c.other.user.id);
  assert.equal(r.json.plan_id, null);
  const board = await api('GET', `/board?date=${shDay(body.work_started_at)}`, { token: c.clerk.token });
  assert.ok(!board.json.jobs.some((j) => j.backfill && j.backfill.id === b.json.id), 'rejected: not on the board');
  expectError(await approve(c.other.token, b.json.id), 409, 'backfill_already_reviewed');
  // the same paper number again: the corrected entry is taken; a third is a duplicate
  const again = await enter(c.clerk.token, { ...body, photo_ids: [await photo(c.clerk.token)] });
  expectStatus(again, 201);
  expectError(await enter(c.clerk.token, body), 409, 'backfill_duplicate_ticket', 'paper_ticket_no');
  // a paper number taken by a ticket between the entry and the review: the approval is refused, nothing is made
  expectStatus(await approve(c.leader.token, again.json.id), 200);
  const later = await enter(c.clerk.token, await paper(c));
  expectStatus(later, 201);
  tamper(`UPDATE tickets SET number = '${later.json.paper_ticket_no}' WHERE number = '${body.paper_ticket_no}'`);
  expectError(await approve(c.leader.token, later.json.id), 409, 'backfill_duplicate_ticket', 'paper_ticket_no');
  const still = await api('GET', `/backfills/${later.json.id}`, { token: c.leader.token });
  assert.equal(still.json.status, 'pending');
  assert.equal(still.json.plan_id, null);
});

test(`${LABEL} backfill: what the live rules refuse is refused, each with its own code`, async () => {
  const c = await crewOf();
  const base = await paper(c);
  const now = Date.now();
  const cases = [
    [{ paper_ticket_no: null }, 409, 'backfill_no_ticket'],
    [{ ticket_issued_at: null }, 409, 'backfill_no_ticket'],
    [{ ticket_permitted_at: null }, 409, 'backfill_not_permitted'],
    [{ briefing_held_at: null }, 409, 'backfill_no_briefing'],
    [{ crew_ids: [] }, 409, 'backfill_single_person'],
    [{ crew_ids: [c.leader.user.id] }, 409, 'backfill_single_person'], // the leader named again is still one person
    [{ photo_ids: [] }, 422, 'backfill_photo_required', 'photo_ids'],
    [{ photo_ids: undefined }, 422, 'backfill_photo_required', 'photo_ids'],
    [{ ticket_ended_at: now + 3600e3 }, 422, 'backfill_time_future', 'ticket_ended_at'],
    [{ work_finished_at: now + 3600e3, ticket_ended_at: now + 2 * 3600e3 }, 422, 'backfill_time_future', 'work_finished_at'],
    [{ work_started_at: base.briefing_held_at, briefing_held_at: base.work_started_at }, 409, 'backfill_briefing_after_start', 'briefing_held_at'],
    [{ work_started_at: base.ticket_issued_at, briefing_held_at: base.ticket_issued_at }, 409, 'backfill_started_before_permit', 'work_started_at'],
    [{ ticket_permitted_at: base.ticket_issued_at - MIN }, 422, 'backfill_time_order', 'ticket_permitted_at'],
    [{ work_finished_at: base.work_started_at }, 422, 'backfill_time_order', 'work_finished_at'],
    [{ ticket_ended_at: base.work_finished_at - 1 }, 422, 'backfill_time_order', 'ticket_ended_at'],
    [{ kind: 'hv_metering_install' }, 409, 'backfill_supervision_missing', 'onsite_supervisor_id'],
    [{ kind: 'no_such_kind' }, 400, 'invalid_field', 'kind'],
    [{ crew_ids: ['00000000-0000-7000-8000-000000000000'] }, 400, 'invalid_field', 'crew_ids'],
  ];
  for (const [change, status, code, field] of cases) {
    const body = { ...base, ...change };
    for (const [k, v] of Object.entries(change)) if (v === undefined) delete body[k];
    const res = await enter(c.clerk.token, body);
    expectError(res, status, code, field);
  }
  // outside the window (7 days by default): the whole paper eight days back
  const old = Object.fromEntries(Object.entries(paperTimes()).map(([k, v]) => [k, v - 8 * 24 * 3600e3]));
  const res = await enter(c.clerk.token, { ...base, ...old });
  expectError(res, 422, 'backfill_outside_window', 'work_started_at');
  assert.equal(res.json.error.details.window_days, 7);
  const list = await api('GET', '/backfills?limit=200', { token: c.leader.token });
  expectList(list);
  assert.ok(!list.json.items.some((x) => x.paper_ticket_no === base.paper_ticket_no), 'nothing refused was kept');
  // high-risk work with its supervisor on site: taken, and the job names the supervisor
  const sup = await userWithToken(['supervisor']);
  const hv = await enter(c.clerk.token, { ...base, kind: 'hv_metering_install', onsite_supervisor_id: sup.user.id, paper_ticket_no: uniq('ZP-HV-') });
  expectStatus(hv, 201);
  assert.equal(hv.json.onsite_supervisor_id, sup.user.id);
  assert.equal(hv.json.onsite_supervisor_name, sup.user.display_name);
  const hvOk = await approve(c.leader.token, hv.json.id);
  expectStatus(hvOk, 200);
  const hvPlan = await api('GET', `/plans/${hvOk.json.plan_id}`, { token: c.leader.token });
  assert.equal(hvPlan.json.high_risk, true);
  assert.equal(hvPlan.json.onsite_supervisor_id, sup.user.id);
  // roles: crew cannot enter; a leader of another team who was on the paper's crew sees it but cannot review it
  const crew = await userWithToken(['crew']);
  expectError(await enter(crew.token, base), 403, 'forbidden');
  const outsider = await userWithToken(['leader'], { org_unit_id: (await createOrgUnit('team')).id });
  const withOutsider = await enter(c.clerk.token, { ...base, crew_ids: [c.member.user.id, outsider.user.id] });
  expectStatus(withOutsider, 201);
  expectStatus(await api('GET', `/backfills/${withOutsider.json.id}`, { token: outsider.token }), 200);
  expectError(await approve(outsider.token, withOutsider.json.id), 403, 'backfill_not_team_leader');
  expectError(await reject(outsider.token, withOutsider.json.id, '不是本班组'), 403, 'backfill_not_team_leader');
});

test(`${LABEL} backfill: two leaders reviewing at once give one result`, async () => {
  const c = await crewOf();
  for (let round = 0; round < 3; round++) {
    const b = await enter(c.clerk.token, await paper(c));
    expectStatus(b, 201);
    const [x, y] = await Promise.all([approve(c.leader.token, b.json.id), reject(c.other.token, b.json.id, '重复录入')]);
    const statuses = [x.status, y.status].sort();
    assert.deepEqual(statuses, [200, 409], `one review wins: ${x.text} / ${y.text}`);
    const loser = x.status === 409 ? x : y;
    assert.equal(loser.json.error.code, 'backfill_already_reviewed');
    const final = await api('GET', `/backfills/${b.json.id}`, { token: c.leader.token });
    const winner = x.status === 200 ? 'approved' : 'rejected';
    assert.equal(final.json.status, winner);
    assert.equal(final.json.plan_id !== null, winner === 'approved', 'field work made only by an approval, once');
  }
  // two desks entering the same paper at once: one is taken
  const body = await paper(c);
  const [p, q] = await Promise.all([enter(c.clerk.token, body), enter(c.clerk.token, body)]);
  assert.deepEqual([p.status, q.status].sort(), [201, 409]);
});

// ---- a complaint flagged sensitive ----

const complaint = (token, extra = {}) => api('POST', '/feedback', { token, body: {
  kind: 'complaint', channel: 'phone_95598', subject: '抄表员态度问题', text: '我举报抄表员收取好处费，请不要透露我的身份',
  contact_name: '李秀兰', contact_phone: `139${String(Date.now() % 1e8).padStart(8, '0')}`,
  contact_address: '临澜市解放路 18 号 3 单元 502', ...extra } });

test(`${LABEL} sensitive complaint: its handlers and who flagged it see the complainant; others see it masked and cannot find it by phone; reads audited`, async () => {
  const [desk, handler, otherDesk, sup, mgr] = await Promise.all([userWithToken(['customer_service']), userWithToken(['dispatcher']),
    userWithToken(['dispatcher']), userWithToken(['supervisor']), userWithToken(['manager'])]);
  const admin = await adminToken();
  const c = await complaint(desk.token);
  expectStatus(c, 201);
  const it = c.json;
  const phone = it.contact_phone;
  assert.equal(it.sensitive, false);
  assert.equal(it.contact_address, '临澜市解放路 18 号 3 单元 502');
  // before the flag the desk finds it by phone
  const found = await api('GET', `/feedback?contact=${phone}`, { token: otherDesk.token });
  assert.ok(found.json.items.some((x) => x.id === it.id));

  // the flag: a reason, handlers; by the desk, a supervisor or a manager only; once
  expectError(await api('POST', `/feedback/${it.id}/sensitive`, { token: otherDesk.token, body: { reason: 'x', handler_ids: [handler.user.id] } }), 403, 'forbidden');
  expectError(await api('POST', `/feedback/${it.id}/sensitive`, { token: sup.token, body: { reason: ' ', handler_ids: [handler.user.id] } }), 409, 'reason_required', 'reason');
  expectError(await api('POST', `/feedback/${it.id}/sensitive`, { token: sup.token, body: { reason: '举报内部人员', handler_ids: [] } }), 400, 'missing_field', 'handler_ids');
  const f = await api('POST', `/feedback/${it.id}/sensitive`, { token: sup.token, body: { reason: '举报内部人员，保护举报人', handler_ids: [handler.user.id] } });
  expectStatus(f, 200);
  assert.equal(f.json.sensitive, true);
  assert.equal(f.json.sensitive_by, sup.user.id);
  assert.deepEqual(f.json.handlers.map((h) => h.id), [handler.user.id]);
  expectError(await api('POST', `/feedback/${it.id}/sensitive`, { token: mgr.token, body: { reason: '再次', handler_ids: [mgr.user.id] } }), 409, 'feedback_already_sensitive');
  const praise = await complaint(desk.token, { kind: 'praise' });
  expectError(await api('POST', `/feedback/${praise.json.id}/sensitive`, { token: sup.token, body: { reason: 'x', handler_ids: [handler.user.id] } }), 409, 'feedback_sensitive_complaint_only');

  // the handler sees it whole; so does who flagged it
  const h = await api('GET', `/feedback/${it.id}`, { token: handler.token });
  expectStatus(h, 200);
  assert.equal(h.json.contact_name, '李秀兰');
  assert.equal(h.json.contact_phone, phone);
  assert.equal(h.json.contact_address, '临澜市解放路 18 号 3 单元 502');
  assert.match(h.json.text, /好处费/);
  assert.equal(h.json.masked, false);
  const s = await api('GET', `/feedback/${it.id}`, { token: sup.token });
  assert.equal(s.json.contact_phone, phone);
  // everyone else — even the desk that took the call, even a manager who sees contacts in full — sees it masked
  for (const who of [desk, otherDesk, mgr]) {
    const o = await api('GET', `/feedback/${it.id}`, { token: who.token });
    expectStatus(o, 200);
    assert.equal(o.json.masked, true);
    assert.equal(o.json.contact_name, '李**');
    assert.notEqual(o.json.contact_phone, phone);
    assert.match(o.json.contact_phone, /\*{4}/);
    assert.equal(o.json.contact_address, '***');
    assert.equal(o.json.text, '***');
    assert.equal(o.json.subject, '抄表员态度问题', 'the subject stays: the desk knows what it is about');
    assert.ok(!JSON.stringify(o.json).includes(phone));
  }
  // lists mask it for everyone; a search by the phone or the name finds it only for its handlers
  const page = await api('GET', '/feedback?kind=complaint&limit=200', { token: handler.token });
  const row = page.json.items.find((x) => x.id === it.id);
  assert.ok(row && row.masked === true && !JSON.stringify(row).includes(phone));
  for (const q of [phone, '李秀兰']) {
    const other = await api('GET', `/feedback?contact=${encodeURIComponent(q)}`, { token: otherDesk.token });
    expectList(other);
    assert.ok(!other.json.items.some((x) => x.id === it.id), `others cannot find it by ${q}`);
    const mine = await api('GET', `/feedback?contact=${encodeURIComponent(q)}`, { token: handler.token });
    assert.ok(mine.json.items.some((x) => x.id === it.id), `its handler finds it by ${q}`);
  }
  // worked by its handlers only
  expectError(await api('POST', `/feedback/${it.id}/actions/contact`, { token: otherDesk.token, body: { contact_note: '已联系' } }), 403, 'feedback_sensitive_handlers_only');
  expectStatus(await api('POST', `/feedback/${it.id}/actions/contact`, { token: handler.token, body: { contact_note: '已联系' } }), 200);

  // the audit: the flag (without the complainant's data) and each read in full, by whom
  const audit = await api('GET', `/audit?entity=feedback_item&entity_id=${it.id}&limit=200`, { token: admin });
  expectStatus(audit, 200);
  const flag = audit.json.items.find((a) => a.action === 'flag_sensitive');
  assert.ok(flag);
  assert.equal(flag.actor_id, sup.user.id);
  assert.ok(!JSON.stringify(flag).includes(phone), 'the flag\'s record does not repeat the phone');
  const reads = audit.json.items.filter((a) => a.action === 'reveal_sensitive');
  assert.deepEqual(reads.map((a) => a.actor_id).sort(), [handler.user.id, sup.user.id].sort());
});

// Feedback and complaints (R0.10, R2.13; issue 11 item 9; docs/api.md "Feedback and complaints"): items on the
// clock of data/flows/feedback.json — contact within 24 h, reply within 5 working days (REFERENCE.md §5), counted
// on the working-day calendar (CALENDAR.md 2026: National Day 10-01…10-07 off, 10-10 a make-up working day) —
// closed only with the answer and the customer's satisfaction, reopened with a reason; contacts masked for those
// who do not call customers; the third-party ratings import idempotent by the source's id; improvements linked.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { api, adminToken, userWithToken, expectError, expectStatus, expectList, uniq, LABEL, MISSING_ID } from './lib.mjs';

const SH = 8 * 3600 * 1000; // Asia/Shanghai is UTC+8 all year
const shanghai = (y, m, d, h = 0, min = 0) => Date.UTC(y, m - 1, d, h, min) - SH;
const endOfDay = (y, m, d) => shanghai(y, m, d + 1) - 1; // the day's last millisecond, Shanghai time

const complaint = (token, extra = {}) => api('POST', '/feedback', { token, body: {
  kind: 'complaint', channel: 'phone_95598', subject: '装表接电超期', text: '申请三周了还没有装表', contact_name: '张三丰',
  contact_phone: '13812345678', application_no: 'YK20261130-0001', ...extra } });
const act = (token, id, action, body = {}) => api('POST', `/feedback/${id}/actions/${action}`, { token, body });

test(`${LABEL} feedback clock: contact within 24 h, reply within 5 working days across National Day; late ones listed and their deadlines tell the managers`, async () => {
  const [disp, mgr] = await Promise.all([userWithToken(['dispatcher']), userWithToken(['manager'])]);
  const admin = await adminToken();
  // received Wed 2026-09-30 10:00: day 0. 10-01…10-07 are holidays; working days 1…5 are 10-08 (Thu), 10-09 (Fri),
  // 10-10 (Sat, make-up), 10-12 (Mon), 10-13 (Tue) → the reply is due by the end of Tue 2026-10-13.
  const c = await complaint(disp.token, { received_at: shanghai(2026, 9, 30, 10) });
  expectStatus(c, 201);
  const it = c.json;
  assert.equal(it.status, 'received');
  assert.match(it.number, /^KF\d{8}-\d{4}$/);
  assert.equal(it.contact_due_at, shanghai(2026, 10, 1, 10), '24 hours, holiday or not');
  assert.equal(it.reply_due_at, endOfDay(2026, 10, 13));
  assert.equal(it.clock.due_at, it.contact_due_at);
  assert.equal(it.clock.overdue, true);
  assert.equal(it.clock.contact_late, true);
  // received Fri 10-09 09:00: 10-10 (make-up Sat) counts, the Sunday does not → due by the end of Thu 10-15
  const c2 = await complaint(disp.token, { kind: 'inquiry', channel: 'sms', received_at: shanghai(2026, 10, 9, 9) });
  expectStatus(c2, 201);
  assert.equal(c2.json.reply_due_at, endOfDay(2026, 10, 15));
  // an item received now is on time; praise has no clock
  const fresh = await complaint(disp.token, { channel: 'counter' });
  expectStatus(fresh, 201);
  assert.equal(fresh.json.clock.overdue, false);
  assert.ok(fresh.json.reply_due_at > Date.now());
  const praise = await complaint(disp.token, { kind: 'praise', subject: '抢修很及时', channel: 'questionnaire' });
  assert.equal(praise.json.contact_due_at, null);
  assert.equal(praise.json.clock.due_at, null);
  // the late filter
  const late = await api('GET', '/feedback?overdue=true&kind=complaint&limit=200', { token: disp.token });
  expectList(late);
  assert.ok(late.json.items.some((x) => x.id === it.id));
  assert.ok(!late.json.items.some((x) => x.id === fresh.json.id));
  assert.ok(late.json.items.every((x) => x.clock.overdue && x.kind === 'complaint'));
  const onTime = await api('GET', '/feedback?overdue=false&channel=counter&limit=200', { token: disp.token });
  assert.ok(onTime.json.items.some((x) => x.id === fresh.json.id));
  assert.ok(!onTime.json.items.some((x) => x.id === it.id));
  expectError(await api('GET', '/feedback?overdue=maybe', { token: disp.token }), 400, 'invalid_query', 'overdue');
  // the contact deadline fires: dispatchers and managers are told
  expectError(await api('POST', '/feedback/actions/run', { token: disp.token, body: { item_id: it.id } }), 403, 'forbidden');
  // (the scheduler's own minute may have fired it first: either way it has fired once when the run returns)
  const run = await api('POST', '/feedback/actions/run', { token: admin, body: { item_id: it.id } });
  expectStatus(run, 200);
  assert.ok(run.json.fired <= 1);
  const told = async (token, kind) => (await api('GET', '/notifications?limit=200', { token })).json.items
    .filter((n) => n.kind === kind && n.entity_id === it.id);
  assert.equal((await told(mgr.token, 'feedback_contact_overdue')).length, 1);
  assert.equal((await told(disp.token, 'feedback_contact_overdue')).length, 1);
  // contacted (late): the reply deadline (already past) is armed and escalates to the managers only
  const ct = await act(disp.token, it.id, 'contact', { contact_note: '已致电客户，说明正在排期' });
  expectStatus(ct, 200);
  assert.equal(ct.json.status, 'contacted');
  assert.equal(ct.json.contacted_by, disp.user.id);
  assert.equal(ct.json.clock.due_at, endOfDay(2026, 10, 13));
  assert.ok((await api('POST', '/feedback/actions/run', { token: admin, body: { item_id: it.id } })).json.fired <= 1);
  assert.equal((await told(mgr.token, 'feedback_reply_overdue')).length, 1);
  assert.equal((await told(disp.token, 'feedback_reply_overdue')).length, 0);
  assert.equal((await api('POST', '/feedback/actions/run', { token: admin, body: { item_id: it.id } })).json.fired, 0, 'once');
  const hist = await api('GET', `/flows/feedback/history/${it.id}`, { token: mgr.token });
  expectStatus(hist, 200);
  // the deadlines' firings are the process's history too, by the system actor
  assert.deepEqual(hist.json.items.map((e) => [e.action, e.actor_id]), [['deadline', 'system'], ['contact', disp.user.id], ['deadline', 'system']]);
});

test(`${LABEL} feedback close: refused without the answer and the satisfaction, then answered, closed, reopened with a reason; all audited`, async () => {
  const disp = await userWithToken(['dispatcher']);
  const admin = await adminToken();
  const it = (await complaint(disp.token)).json;
  const both = expectError(await act(disp.token, it.id, 'close'), 409, 'feedback_answer_required', 'answer');
  assert.deepEqual(both.details.gates.map((g) => g.code), ['feedback_answer_required', 'feedback_satisfaction_required']);
  expectError(await act(disp.token, it.id, 'close', { answer: '已安排下周二装表' }), 409, 'feedback_satisfaction_required', 'satisfaction');
  expectError(await act(disp.token, it.id, 'close', { answer: '已安排下周二装表', satisfaction: 'happy' }), 400, 'invalid_field', 'satisfaction');
  expectError(await act(disp.token, it.id, 'answer'), 400, 'missing_field', 'answer');
  const ans = await act(disp.token, it.id, 'answer', { answer: '已安排下周二上午装表，装表后送电' });
  expectStatus(ans, 200);
  assert.equal(ans.json.status, 'answered');
  assert.equal(ans.json.contacted_by, disp.user.id, 'answering contacts the customer too');
  expectError(await act(disp.token, it.id, 'close'), 409, 'feedback_satisfaction_required', 'satisfaction');
  const closed = await act(disp.token, it.id, 'close', { satisfaction: 'basically_satisfied' });
  expectStatus(closed, 200);
  assert.equal(closed.json.status, 'closed');
  assert.equal(closed.json.satisfaction, 'basically_satisfied');
  assert.equal(closed.json.answer, '已安排下周二上午装表，装表后送电');
  assert.equal(closed.json.closed_by, disp.user.id);
  expectError(await act(disp.token, it.id, 'answer', { answer: 'x' }), 409, 'invalid_transition');
  // the customer disputes it: reopened with a reason, on a new reply clock, the answer to be given again
  expectError(await act(disp.token, it.id, 'reopen'), 409, 'reason_required', 'reason');
  const re = await act(disp.token, it.id, 'reopen', { reason: '客户回访表示仍未装表' });
  expectStatus(re, 200);
  assert.equal(re.json.status, 'contacted');
  assert.equal(re.json.reopen_count, 1);
  assert.equal(re.json.answer, null);
  assert.equal(re.json.satisfaction, null);
  assert.ok(re.json.reply_due_at > Date.now());
  expectError(await act(disp.token, it.id, 'close', { satisfaction: 'dissatisfied' }), 409, 'feedback_answer_required', 'answer');
  // answer and close in one go
  const again = await act(disp.token, it.id, 'close', { answer: '已于今日装表送电', satisfaction: 'satisfied' });
  expectStatus(again, 200);
  assert.equal(again.json.answer, '已于今日装表送电');
  const audit = await api('GET', `/audit?entity=feedback_item&entity_id=${it.id}&limit=50`, { token: admin });
  expectStatus(audit, 200);
  assert.deepEqual(audit.json.items.map((a) => a.action).reverse(), ['create', 'answer', 'close', 'reopen', 'close']);
  // the writers only
  const viewer = await userWithToken(['viewer']);
  expectError(await act(viewer.token, it.id, 'reopen', { reason: 'x' }), 403, 'forbidden');
  expectError(await complaint(viewer.token), 403, 'forbidden');
  expectError(await act(disp.token, MISSING_ID, 'answer', { answer: 'x' }), 404, 'not_found');
});

test(`${LABEL} feedback intake: fields checked; contacts masked for supervisors and viewers, in full for the desk`, async () => {
  const [disp, viewer, sup] = await Promise.all([userWithToken(['dispatcher']), userWithToken(['viewer']), userWithToken(['supervisor'])]);
  expectError(await complaint(disp.token, { kind: 'gossip' }), 400, 'invalid_field', 'kind');
  expectError(await complaint(disp.token, { channel: 'rating_import' }), 400, 'invalid_field', 'channel');
  expectError(await complaint(disp.token, { subject: '  ' }), 400, 'invalid_field', 'subject');
  expectError(await complaint(disp.token, { rating: 6 }), 400, 'invalid_field', 'rating');
  expectError(await complaint(disp.token, { kind: 'rating' }), 400, 'missing_field', 'rating');
  expectError(await complaint(disp.token, { contact_phone: '138-abc' }), 400, 'invalid_field', 'contact_phone');
  expectError(await complaint(disp.token, { received_at: Date.now() + 3600e3 }), 400, 'invalid_field', 'received_at');
  expectError(await complaint(disp.token, { mood: 'angry' }), 400, 'unknown_field', 'mood');
  const app = uniq('YK');
  const it = (await complaint(disp.token, { application_no: app, customer_id: 'c-123', rating: 2 })).json;
  assert.equal(it.contact_phone, '13812345678');
  assert.equal(it.contact_name, '张三丰');
  for (const u of [viewer, sup]) {
    const g = await api('GET', `/feedback/${it.id}`, { token: u.token });
    expectStatus(g, 200);
    assert.equal(g.json.contact_phone, '138****5678');
    assert.equal(g.json.contact_name, '张**');
    assert.deepEqual(g.json.actions, [], 'nothing to do for a reader');
    const l = await api('GET', `/feedback?application_no=${app}`, { token: u.token });
    assert.equal(l.json.total, 1);
    assert.equal(l.json.items[0].contact_phone, '138****5678');
  }
  const full = await api('GET', `/feedback/${it.id}`, { token: disp.token });
  assert.equal(full.json.contact_phone, '13812345678');
  assert.ok(full.json.actions.includes('contact'));
  expectError(await api('GET', `/feedback/${MISSING_ID}`, { token: disp.token }), 404, 'not_found');
  // paging
  await complaint(disp.token, { application_no: app });
  const p1 = await api('GET', `/feedback?application_no=${app}&limit=1`, { token: disp.token });
  expectList(p1);
  assert.equal(p1.json.total, 2);
  assert.equal(p1.json.items.length, 1);
  const p2 = await api('GET', `/feedback?application_no=${app}&limit=1&cursor=${p1.json.next_cursor}`, { token: disp.token });
  assert.equal(p2.json.items.length, 1);
  assert.notEqual(p2.json.items[0].id, p1.json.items[0].id);
  assert.equal(p2.json.next_cursor, null);
});

test(`${LABEL} feedback ratings import: once per rating at its source; a poor rating is on the clock; a bad batch writes nothing`, async () => {
  const disp = await userWithToken(['dispatcher']);
  const admin = await adminToken();
  const source = uniq('meituan-').toLowerCase().replace(/[^a-z0-9_-]/g, '');
  const batch = [
    { id: 'r-001', rating: 5, text: '营业厅服务热情', rated_at: shanghai(2026, 11, 20, 15) },
    { id: 'r-002', rating: 1, text: '报修电话打不通', author: '李四', phone: '13900001111' },
    { id: 'r-003', rating: 4 },
  ];
  expectError(await api('POST', '/feedback/imports', { token: disp.token, body: { source, items: [...batch, { id: 'r-004', rating: 6 }] } }),
    400, 'invalid_field', 'items');
  expectError(await api('POST', '/feedback/imports', { token: disp.token, body: { source: 'Bad Source', items: batch } }), 400, 'invalid_field', 'source');
  const first = await api('POST', '/feedback/imports', { token: disp.token, body: { source, items: batch } });
  expectStatus(first, 200);
  assert.equal(first.json.created, 3, 'the refused batch wrote nothing');
  assert.equal(first.json.skipped, 0);
  const again = await api('POST', '/feedback/imports', { token: disp.token, body: { source, items: [...batch, { id: 'r-005', rating: 3 }] } });
  expectStatus(again, 200);
  assert.equal(again.json.created, 1);
  assert.equal(again.json.skipped, 3);
  assert.deepEqual(again.json.items.slice(0, 3).map((x) => x.id), first.json.items.map((x) => x.id));
  assert.deepEqual(again.json.items.map((x) => x.created), [false, false, false, true]);
  const [five, one] = await Promise.all(first.json.items.slice(0, 2).map(async (x) => (await api('GET', `/feedback/${x.id}`, { token: disp.token })).json));
  assert.deepEqual([five.kind, five.channel, five.rating, five.received_at, five.source_ref], ['rating', 'rating_import', 5, shanghai(2026, 11, 20, 15), 'r-001']);
  assert.equal(five.contact_due_at, null, 'a good rating is recorded, not chased');
  assert.equal(one.rating, 1);
  assert.equal(one.contact_phone, '13900001111');
  assert.ok(one.contact_due_at > Date.now(), 'a poor rating is on the clock from its import');
  const list = await api('GET', `/feedback?channel=rating_import&kind=rating&limit=200`, { token: disp.token });
  assert.equal(list.json.items.filter((x) => x.source === source).length, 4);
  const audit = await api('GET', `/audit?entity=feedback_item&entity_id=${one.id}`, { token: admin });
  assert.deepEqual(audit.json.items.map((a) => a.action), ['import']);
});

test(`${LABEL} feedback improvements: recorded with owner and due date, linked to items, versioned and audited`, async () => {
  const [disp, mgr, viewer] = await Promise.all([userWithToken(['dispatcher']), userWithToken(['manager']), userWithToken(['viewer'])]);
  const admin = await adminToken();
  const a = (await complaint(disp.token)).json, b = (await complaint(disp.token, { kind: 'opinion' })).json;
  const body = { title: '装表排期公开', description: '在营业厅和线上公布装表排期，客户可查询', owner_id: mgr.user.id, due_date: '2026-12-31', item_ids: [a.id, b.id] };
  expectError(await api('POST', '/feedback/improvements', { token: viewer.token, body }), 403, 'forbidden');
  expectError(await api('POST', '/feedback/improvements', { token: disp.token, body: { ...body, due_date: '31/12/2026' } }), 400, 'invalid_field', 'due_date');
  expectError(await api('POST', '/feedback/improvements', { token: disp.token, body: { ...body, owner_id: MISSING_ID } }), 400, 'invalid_field', 'owner_id');
  expectError(await api('POST', '/feedback/improvements', { token: disp.token, body: { ...body, item_ids: [a.id, MISSING_ID] } }), 400, 'invalid_field', 'item_ids');
  const m = await api('POST', '/feedback/improvements', { token: disp.token, body });
  expectStatus(m, 201);
  assert.equal(m.json.status, 'open');
  assert.equal(m.json.owner_name, mgr.user.display_name);
  assert.deepEqual(m.json.items.map((x) => x.id).sort(), [a.id, b.id].sort());
  const ia = await api('GET', `/feedback/${a.id}`, { token: viewer.token });
  assert.deepEqual(ia.json.improvements.map((x) => x.id), [m.json.id]);
  expectError(await api('PATCH', `/feedback/improvements/${m.json.id}`, { token: mgr.token, body: { version: m.json.version + 1, status: 'done' } }), 409, 'version_conflict');
  expectError(await api('PATCH', `/feedback/improvements/${m.json.id}`, { token: mgr.token, body: { version: m.json.version, status: 'finished' } }), 400, 'invalid_field', 'status');
  const done = await api('PATCH', `/feedback/improvements/${m.json.id}`, { token: mgr.token,
    body: { version: m.json.version, status: 'done', outcome: '12 月起排期在线可查', item_ids: [a.id] } });
  expectStatus(done, 200);
  assert.equal(done.json.status, 'done');
  assert.ok(done.json.done_at > 0);
  assert.deepEqual(done.json.items.map((x) => x.id), [a.id]);
  const byItem = await api('GET', `/feedback/improvements?item_id=${b.id}`, { token: viewer.token });
  expectList(byItem);
  assert.equal(byItem.json.total, 0);
  const byA = await api('GET', `/feedback/improvements?item_id=${a.id}&status=done`, { token: viewer.token });
  assert.deepEqual(byA.json.items.map((x) => x.id), [m.json.id]);
  expectError(await api('GET', `/feedback/improvements/${MISSING_ID}`, { token: viewer.token }), 404, 'not_found');
  expectError(await api('PATCH', `/feedback/improvements/${MISSING_ID}`, { token: mgr.token, body: { version: 1 } }), 404, 'not_found');
  const audit = await api('GET', `/audit?entity=feedback_improvement&entity_id=${m.json.id}`, { token: admin });
  assert.deepEqual(audit.json.items.map((x) => x.action).sort(), ['create', 'update']);
});

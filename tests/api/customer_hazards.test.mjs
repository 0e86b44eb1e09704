// Customer hazards and seals (issue 13 items 3–4; docs/api.md "Customer hazards", "Seals"; R2.3, R2.9–R2.11,
// R2.16): a customer-side hazard goes notice → signed receipt → report → follow-up → closed; a grid-side one gets
// its plan and closes with evidence; overdue ones escalate; a seal blocks power-on until the rectification is
// accepted and an authorised person removes it; the notice PDF reads back in Chinese.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { api, BASE_URL, DB_NAME, LABEL, MISSING_ID, adminToken, expectError, expectStatus, uniq, userWithToken } from './lib.mjs';
import { createApplication, walk, appStaff } from './lib_applications.mjs';
import { customer, signaturePng } from './lib_hazards.mjs';
import { tamper } from './fieldwork_lib.mjs';

const JPEG = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.from('fieldgrid holding the notice')]);

async function upload(token, bytes, type, name) {
  const res = await fetch(`${BASE_URL}/api/v1/attachments?filename=${name}`, {
    method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': type }, body: bytes });
  assert.equal(res.status, 201, await res.clone().text());
  return (await res.json()).id;
}

let staff;
async function people() {
  if (staff) return staff;
  const [cs, cm, crew, mgr, viewer, leader] = await Promise.all([userWithToken(['customer_service']), userWithToken(['customer_manager']),
    userWithToken(['crew']), userWithToken(['manager']), userWithToken(['viewer']), userWithToken(['leader'])]);
  staff = { cs, cm, crew, mgr, viewer, leader };
  return staff;
}

async function hazard(token, cust, extra = {}) {
  const photo = await upload(token, JPEG, 'image/jpeg', 'site.jpg');
  const r = await api('POST', '/hazards', { token, body: { customer_id: cust.id, kind: 'interlock', side: 'customer', severity: 'major',
    description: '自备发电机与市电之间未装防倒送电闭锁装置', location: '1号配电室 自备发电机', photo_ids: [photo], ...extra } });
  expectStatus(r, 201);
  return r.json;
}
const act = (token, id, action, body = {}) => api('POST', `/hazards/${id}/actions/${action}`, { token, body });

async function signBody(token, extra = {}) {
  return { signer_name: '林建国', signature_id: await upload(token, signaturePng(), 'image/png', 'signature.png'),
    holding_photo_id: await upload(token, JPEG, 'image/jpeg', 'holding.jpg'), place: '福州市鼓楼区和平街 7 号', lat: 26.08, lng: 119.3, ...extra };
}

function pdfText(bytes) {
  return execFileSync('pdftotext', ['-enc', 'UTF-8', '-', '-'], { input: bytes }).toString();
}

/** Whether the hazard waits in the person's queue (GET /me/queue) as kind. */
async function queued(token, kind, id) {
  const r = await api('GET', '/me/queue?limit=20', { token });
  expectStatus(r, 200);
  const k = r.json.kinds.find((x) => x.kind === kind);
  return !!k && k.count >= 1 && k.items.some((x) => x.id === id && x.path === `/hazards/${id}`);
}

test(`${LABEL} customer-side hazard: notice → signed receipt → report → follow-up → closed, the PDF in Chinese`, async () => {
  const s = await people();
  const cust = await customer(s.cs.token);
  let h = await hazard(s.crew.token, cust);
  assert.equal(h.status, 'open');
  assert.equal(h.side, 'customer');
  assert.equal(h.customer.name, cust.name);
  assert.match(h.number, /^YH\d{8}-\d{4}$/);
  assert.ok(h.actions.includes('issue_notice'));
  assert.ok(!h.actions.includes('plan'), 'a customer-side hazard has no grid plan');

  // no notice yet: the PDF is refused with its own code
  expectError(await api('GET', `/hazards/${h.id}/notice.pdf`, { token: s.crew.token }), 409, 'customer_hazard_no_notice');
  // signing before the notice is issued is not a step of the process
  expectError(await act(s.crew.token, h.id, 'sign', await signBody(s.crew.token)), 409, 'invalid_transition');

  let r = await act(s.crew.token, h.id, 'issue_notice', { requirement: '加装机械及电气双重防倒送电闭锁装置，并报供电公司验收' });
  expectStatus(r, 200);
  h = r.json;
  assert.equal(h.status, 'notified');
  assert.match(h.notice_number, /^TZ\d{8}-\d{4}$/);
  assert.match(h.rectify_by, /^\d{4}-\d{2}-\d{2}$/);
  assert.ok(h.due_at > Date.now(), 'the signature has its deadline');

  // the notice before signing: Chinese text, the customer's name, an empty receipt line
  let pdf = await fetch(`${BASE_URL}/api/v1/hazards/${h.id}/notice.pdf`, { headers: { authorization: `Bearer ${s.crew.token}` } });
  assert.equal(pdf.status, 200);
  assert.equal(pdf.headers.get('content-type'), 'application/pdf');
  let txt = pdfText(Buffer.from(await pdf.arrayBuffer()));
  assert.match(txt, /用电检查结果通知书/);
  assert.ok(txt.includes(cust.name), `the customer's name is on the notice: ${txt.slice(0, 300)}`);
  assert.match(txt, /签收人（签字）/);

  // the receipt's refusals, each its own field
  const good = await signBody(s.crew.token);
  expectError(await act(s.crew.token, h.id, 'sign', { ...good, signature_id: good.holding_photo_id }), 400, 'invalid_field', 'signature_id');
  expectError(await act(s.crew.token, h.id, 'sign', { ...good, signature_id: MISSING_ID }), 400, 'invalid_field', 'signature_id');
  expectError(await act(s.crew.token, h.id, 'sign', { ...good, place: undefined, lat: undefined, lng: undefined }), 400, 'missing_field', 'place');
  expectError(await act(s.crew.token, h.id, 'sign', { ...good, lat: 95 }), 400, 'invalid_field', 'lat');
  const { signer_name, ...noName } = good;
  expectError(await act(s.crew.token, h.id, 'sign', noName), 400, 'missing_field', 'signer_name');
  assert.equal(signer_name, '林建国');

  r = await act(s.crew.token, h.id, 'sign', good);
  expectStatus(r, 200);
  h = r.json;
  assert.equal(h.status, 'signed');
  assert.equal(h.signer_name, '林建国');
  assert.equal(h.sign_place, '福州市鼓楼区和平街 7 号');
  assert.equal(h.signature_id, good.signature_id);
  assert.equal(h.holding_photo_id, good.holding_photo_id);
  assert.equal(h.received_by, s.crew.user.id);
  assert.ok(h.signed_at > 0);

  // the signed receipt is in the notice now
  pdf = await fetch(`${BASE_URL}/api/v1/hazards/${h.id}/notice.pdf`, { headers: { authorization: `Bearer ${s.cm.token}` } });
  txt = pdfText(Buffer.from(await pdf.arrayBuffer()));
  assert.match(txt, /签收人：林建国/);
  assert.match(txt, /和平街 7 号/);
  assert.ok(!txt.includes('签收人（签字）：____'), 'the empty receipt line is gone once signed');

  // crews record and sign; the report to the authority is the customer manager's (it waits in their queue)
  assert.equal(await queued(s.cm.token, 'hazards.report', h.id), true, "signed: in the customer manager's queue to report");
  assert.equal(await queued(s.crew.token, 'hazards.report', h.id), false, 'not a crew member\'s to report');
  expectError(await act(s.crew.token, h.id, 'report'), 403, 'forbidden');
  r = await act(s.cm.token, h.id, 'report', { report_ref: '鼓楼区发改局 2026 第 12 批' });
  expectStatus(r, 200);
  assert.equal(await queued(s.cm.token, 'hazards.report', h.id), false, 'reported: out of the queue');
  assert.equal(r.json.status, 'reported');
  assert.equal(r.json.report_ref, '鼓楼区发改局 2026 第 12 批');

  // the report file carries the hazard with the receipt
  const today = new Date(Date.now() + 8 * 3600e3).toISOString().slice(0, 10);
  const csv = await fetch(`${BASE_URL}/api/v1/hazards/report?from=${today}&to=${today}`, { headers: { authorization: `Bearer ${s.cm.token}` } });
  assert.equal(csv.status, 200);
  assert.match(csv.headers.get('content-type'), /^text\/csv/);
  const text = await csv.text();
  assert.match(text, /^\uFEFF?"序号","隐患编号","通知书编号","用户名称"/);
  const line = text.split('\r\n').find((l) => l.includes(h.number));
  assert.ok(line, 'the hazard is in the report');
  assert.ok(line.includes(cust.name) && line.includes('林建国') && line.includes('防倒送电'), line);

  // reported: the customer has until the rectification day; past it, a follow-up check waits for the customer manager
  assert.equal(await queued(s.cm.token, 'hazards.follow_up', h.id), false, 'before the rectification day: nothing due');
  // the rectification day passes (the test moves the hazard's day back, as the calendar would)
  tamper(`UPDATE customer_hazards SET due_at = ${Date.now() - 86400000} WHERE id = '${h.id}'`);
  assert.equal(await queued(s.cm.token, 'hazards.follow_up', h.id), true, "past the rectification day: in the customer manager's queue");
  assert.equal(await queued(s.mgr.token, 'hazards.follow_up', h.id), true, "and a manager's");
  assert.equal(await queued(s.crew.token, 'hazards.follow_up', h.id), false, "not a crew member's queue");

  // closing needs a follow-up that found it rectified
  expectError(await act(s.cm.token, h.id, 'close'), 409, 'customer_hazard_not_rectified');
  const photo = await upload(s.crew.token, JPEG, 'image/jpeg', 'check.jpg');
  r = await act(s.crew.token, h.id, 'follow_up', { checked_on: today, result: 'not_rectified', note: '闭锁装置尚未到货', photo_ids: [photo] });
  expectStatus(r, 200);
  assert.equal(r.json.status, 'reported');
  const g = await act(s.cm.token, h.id, 'close');
  expectError(g, 409, 'customer_hazard_not_rectified');
  assert.equal(g.json.error.details.gates.find((x) => x.code === 'customer_hazard_not_rectified').last_result, 'not_rectified');
  expectError(await act(s.crew.token, h.id, 'follow_up', { checked_on: '2999-01-01', result: 'rectified' }), 400, 'invalid_field', 'checked_on');
  expectError(await act(s.crew.token, h.id, 'follow_up', { checked_on: today, result: 'fine' }), 400, 'invalid_field', 'result');
  expectStatus(await act(s.crew.token, h.id, 'follow_up', { checked_on: today, result: 'rectified', photo_ids: [photo] }), 200);
  r = await act(s.cm.token, h.id, 'close', { closing_note: '复查确认已加装闭锁' });
  expectStatus(r, 200);
  assert.equal(r.json.status, 'closed');
  assert.equal(await queued(s.cm.token, 'hazards.follow_up', h.id), false, 'closed: out of the queue');
  assert.equal(r.json.due_at, null);

  const full = await api('GET', `/hazards/${h.id}`, { token: s.viewer.token });
  expectStatus(full, 200);
  assert.deepEqual(full.json.followups.map((f) => f.result), ['not_rectified', 'rectified']);
  assert.deepEqual(full.json.followups[0].photos, [photo]);
  assert.deepEqual(full.json.history.map((e) => e.action), ['issue_notice', 'sign', 'report', 'follow_up', 'follow_up', 'close']);
  assert.deepEqual(full.json.actions, [], 'a viewer may do nothing');
});

test(`${LABEL} grid-side hazard: a plan with owner and deadline, closed by its owner with evidence`, async () => {
  const s = await people();
  const cust = await customer(s.cs.token);
  let h = await hazard(s.crew.token, cust, { side: 'grid', kind: 'equipment', severity: 'general', description: '进线电缆终端头发热' });
  const seen = (await api('GET', `/hazards/${h.id}`, { token: s.cm.token })).json;
  assert.ok(seen.actions.includes('plan') && !seen.actions.includes('issue_notice'), seen.actions.join());
  expectError(await act(s.cm.token, h.id, 'issue_notice', { requirement: 'x' }), 409, 'invalid_transition');
  expectError(await act(s.cm.token, h.id, 'plan', { owner_id: s.leader.user.id, deadline: '2000-01-01', plan: '更换终端头' }), 400, 'invalid_field', 'deadline');
  expectError(await act(s.cm.token, h.id, 'plan', { owner_id: MISSING_ID, deadline: '2999-12-31', plan: '更换终端头' }), 400, 'invalid_field', 'owner_id');
  let r = await act(s.cm.token, h.id, 'plan', { owner_id: s.leader.user.id, deadline: '2999-12-31', plan: '停电更换进线电缆终端头' });
  expectStatus(r, 200);
  h = r.json;
  assert.equal(h.status, 'rectifying');
  assert.equal(h.owner_id, s.leader.user.id);
  assert.equal(h.deadline, '2999-12-31');
  assert.ok(h.due_at > Date.now());
  assert.equal(await queued(s.leader.token, 'hazards.rectify', h.id), true, "in the plan owner's queue");
  assert.equal(await queued(s.cm.token, 'hazards.rectify', h.id), false, "not in the planner's");

  // only the owner (or a manager) closes it, and only with evidence
  const other = await userWithToken(['leader']);
  const ev = await upload(s.leader.token, JPEG, 'image/jpeg', 'fixed.jpg');
  expectError(await act(other.token, h.id, 'close', { evidence_ids: [ev] }), 403, 'flow_not_related');
  expectError(await act(s.leader.token, h.id, 'close', {}), 400, 'missing_field', 'evidence_ids');
  expectError(await act(s.leader.token, h.id, 'close', { evidence_ids: [MISSING_ID] }), 400, 'invalid_field', 'evidence_ids');
  r = await act(s.leader.token, h.id, 'close', { evidence_ids: [ev], closing_note: '已更换' });
  expectStatus(r, 200);
  assert.equal(r.json.status, 'closed');
  assert.deepEqual(r.json.evidence, [ev]);
  assert.equal(r.json.closed_by, s.leader.user.id);
  assert.equal(await queued(s.leader.token, 'hazards.rectify', h.id), false, 'closed: out of the queue');
  expectError(await act(s.mgr.token, h.id, 'cancel', { reason: '重复' }), 409, 'invalid_transition');

  // cancelling (managers only) needs a reason; a cancelled hazard has no clock
  const dup = await hazard(s.crew.token, cust, { side: 'grid', kind: 'other', severity: 'general', description: '重复登记' });
  expectError(await act(s.cm.token, dup.id, 'cancel', { reason: '重复' }), 403, 'forbidden');
  expectError(await act(s.mgr.token, dup.id, 'cancel', {}), 409, 'reason_required');
  r = await act(s.mgr.token, dup.id, 'cancel', { reason: '与已登记隐患重复' });
  expectStatus(r, 200);
  assert.equal(r.json.status, 'cancelled');
  assert.equal(r.json.closing_note, '与已登记隐患重复');
  assert.equal(r.json.due_at, null);
  expectError(await api('GET', '/seals?status=lost', { token: s.viewer.token }), 400, 'invalid_query', 'status');
});

test(`${LABEL} recording refusals and the searchable database with its yearly analysis`, async () => {
  const s = await people();
  const cust = await customer(s.cs.token);
  const base = { customer_id: cust.id, kind: 'interlock', side: 'customer', severity: 'major', description: 'x' };
  expectError(await api('POST', '/hazards', { token: s.crew.token, body: { ...base, kind: 'nope' } }), 400, 'invalid_field', 'kind');
  expectError(await api('POST', '/hazards', { token: s.crew.token, body: { ...base, side: 'both' } }), 400, 'invalid_field', 'side');
  expectError(await api('POST', '/hazards', { token: s.crew.token, body: { ...base, severity: 'huge' } }), 400, 'invalid_field', 'severity');
  expectError(await api('POST', '/hazards', { token: s.crew.token, body: { ...base, found_at: Date.now() + 86400e3 } }), 400, 'invalid_field', 'found_at');
  expectError(await api('POST', '/hazards', { token: s.crew.token, body: { ...base, photo_ids: [MISSING_ID] } }), 400, 'invalid_field', 'photo_ids');
  expectError(await api('POST', '/hazards', { token: s.crew.token, body: { ...base, customer_id: MISSING_ID } }), 404, 'not_found');
  expectError(await api('POST', '/hazards', { token: s.viewer.token, body: base }), 403, 'forbidden');

  const word = uniq('变压器');
  const a = await hazard(s.crew.token, cust, { kind: 'test_overdue', description: `${word}预防性试验超期`, check_id: 'chk-1' });
  await hazard(s.crew.token, cust, { side: 'grid', kind: 'equipment', severity: 'general' });
  assert.equal(a.check_id, 'chk-1');
  let r = await api('GET', `/hazards?customer_id=${cust.id}`, { token: s.viewer.token });
  expectStatus(r, 200);
  assert.equal(r.json.total, 2);
  r = await api('GET', `/hazards?customer_id=${cust.id}&side=grid`, { token: s.viewer.token });
  assert.equal(r.json.total, 1);
  r = await api('GET', `/hazards?q=${encodeURIComponent(word)}`, { token: s.viewer.token });
  assert.deepEqual(r.json.items.map((x) => x.id), [a.id]);
  const year = new Date(Date.now() + 8 * 3600e3).getUTCFullYear();
  r = await api('GET', `/hazards?customer_id=${cust.id}&kind=test_overdue&state=open&year=${year}`, { token: s.viewer.token });
  assert.deepEqual(r.json.items.map((x) => x.id), [a.id]);
  r = await api('GET', `/hazards?customer_id=${cust.id}&year=${year - 1}`, { token: s.viewer.token });
  assert.equal(r.json.total, 0);
  expectError(await api('GET', '/hazards?state=lost', { token: s.viewer.token }), 400, 'invalid_query', 'state');
  expectError(await api('GET', '/hazards?year=19', { token: s.viewer.token }), 400, 'invalid_query', 'year');

  const an = await api('GET', `/hazards/analysis?year=${year}`, { token: s.viewer.token });
  expectStatus(an, 200);
  assert.equal(an.json.year, year);
  assert.equal(an.json.by_month.length, 12);
  assert.equal(an.json.by_month.reduce((t, m) => t + m.n, 0), an.json.total);
  assert.ok(an.json.by_kind.find((k) => k.key === 'test_overdue').n >= 1);
  assert.ok(an.json.by_side.find((k) => k.key === 'grid').n >= 1);
  assert.equal(an.json.by_state.reduce((t, m) => t + m.n, 0), an.json.total);
  expectError(await api('GET', '/hazards/analysis', { token: s.viewer.token }), 400, 'missing_field', 'year');
  // a crew finds the customer without customers.read; a viewer may not look customers up this way
  const found = await api('GET', `/hazards/customers?q=${encodeURIComponent(cust.name)}`, { token: s.crew.token });
  expectStatus(found, 200);
  assert.deepEqual(found.json.items.map((c) => c.id), [cust.id]);
  expectError(await api('GET', '/hazards/customers?q=x', { token: s.crew.token }), 400, 'invalid_query', 'q');
  expectError(await api('GET', '/hazards/customers', { token: s.crew.token }), 400, 'missing_field', 'q');
  expectError(await api('GET', `/hazards/customers?q=${encodeURIComponent(cust.name)}`, { token: s.viewer.token }), 403, 'forbidden');
  const kinds = await api('GET', '/hazards/kinds', { token: s.viewer.token });
  assert.ok(kinds.json.items.some((k) => k.code === 'interlock' && k.name_zh));
  expectError(await api('GET', '/hazards/report?from=2026-02-01&to=2026-01-01', { token: s.cm.token }), 400, 'invalid_query', 'to');
  expectError(await api('GET', '/hazards/report?to=2026-01-01', { token: s.cm.token }), 400, 'missing_field', 'from');
  expectError(await api('GET', '/hazards/report?from=2026-01-01&to=2026-01-31', { token: s.crew.token }), 403, 'forbidden');
});

test(`${LABEL} an overdue hazard escalates, one level at a time, once each`, async () => {
  const s = await people();
  const cust = await customer(s.cs.token);
  let h = await hazard(s.crew.token, cust);
  h = (await act(s.crew.token, h.id, 'issue_notice', { requirement: '限期整改' })).json;
  const admin = await adminToken();
  expectError(await api('POST', '/hazards/actions/escalate', { token: s.cm.token, body: {} }), 403, 'forbidden');
  // as of a day after the signature's deadline: level 1, notified once
  let r = await api('POST', '/hazards/actions/escalate', { token: s.mgr.token, body: { at: h.due_at + 3600e3 } });
  expectStatus(r, 200);
  assert.ok(r.json.escalated >= 1);
  let g = await api('GET', `/hazards/${h.id}`, { token: s.viewer.token });
  assert.equal(g.json.escalation, 1);
  r = await api('POST', '/hazards/actions/escalate', { token: s.mgr.token, body: { at: h.due_at + 3600e3 } });
  g = await api('GET', `/hazards/${h.id}`, { token: s.viewer.token });
  assert.equal(g.json.escalation, 1, 'the same level is not taken twice');
  // three weeks later: level 2
  expectStatus(await api('POST', '/hazards/actions/escalate', { token: admin, body: { at: h.due_at + 21 * 86400e3 } }), 200);
  g = await api('GET', `/hazards/${h.id}`, { token: s.viewer.token });
  assert.equal(g.json.escalation, 2);
  const n = await api('GET', '/notifications', { token: s.mgr.token });
  expectStatus(n, 200);
  const mine = (n.json.items || n.json).filter((x) => x.entity_id === h.id);
  assert.deepEqual(mine.map((x) => x.kind).sort(), ['customer_hazard_escalated', 'customer_hazard_overdue']);

  // a grid-side plan past its deadline: its owner is told as well
  let gh = await hazard(s.crew.token, cust, { side: 'grid', kind: 'equipment' });
  const today = new Date(Date.now() + 8 * 3600e3).toISOString().slice(0, 10);
  gh = (await act(s.cm.token, gh.id, 'plan', { owner_id: s.leader.user.id, deadline: today, plan: '更换' })).json;
  expectStatus(await api('POST', '/hazards/actions/escalate', { token: s.mgr.token, body: { at: gh.due_at + 3600e3 } }), 200);
  const ln = await api('GET', '/notifications', { token: s.leader.token });
  assert.deepEqual((ln.json.items || ln.json).filter((x) => x.entity_id === gh.id).map((x) => x.kind), ['customer_hazard_overdue']);
  const board = await api('GET', `/hazards?customer_id=${cust.id}&side=grid`, { token: s.viewer.token });
  assert.equal(board.json.items.find((x) => x.id === gh.id).escalation, 1);
});

test(`${LABEL} one database: customer hazards and, read-only, those found at joint acceptance and the charger faults`, async () => {
  const s = await people();
  const app = await appStaff();
  const cust = await customer(app.counter.token);
  const mine = await hazard(s.crew.token, cust, { description: uniq('配电室渗水') });
  const a = await createApplication(app.counter.token, 'hv_single', { customer_id: cust.id });
  const word = uniq('挡鼠板');
  const ah = await api('POST', `/applications/${a.id}/hazards`, { token: app.disp.token,
    body: { description: `配电室未设${word}`, deadline: '2999-01-01', severity: 'general' } });
  expectStatus(ah, 201);
  let r = await api('GET', `/hazards/database?customer_id=${cust.id}`, { token: s.viewer.token });
  expectStatus(r, 200);
  assert.deepEqual(r.json.items.map((x) => x.source).sort(), ['application', 'customer']);
  const fromApp = r.json.items.find((x) => x.source === 'application');
  assert.equal(fromApp.id, ah.json.id);
  assert.equal(fromApp.application_id, a.id);
  assert.equal(fromApp.number, a.number);
  assert.equal(fromApp.kind, 'acceptance');
  assert.equal(fromApp.open, true);
  assert.equal(r.json.items.find((x) => x.source === 'customer').id, mine.id);
  r = await api('GET', `/hazards/database?q=${encodeURIComponent(word)}`, { token: s.viewer.token });
  assert.deepEqual(r.json.items.map((x) => x.id), [ah.json.id]);
  r = await api('GET', `/hazards/database?customer_id=${cust.id}&source=customer`, { token: s.viewer.token });
  assert.deepEqual(r.json.items.map((x) => x.id), [mine.id]);
  expectError(await api('GET', '/hazards/database?source=faults', { token: s.viewer.token }), 400, 'invalid_query', 'source');

  // a charger fault (a service-desk report dispatched) is in the same database, at its station and charger
  const admin = await adminToken();
  const stName = uniq('隐患库测试站-');
  const st = await api('POST', '/stations', { token: admin, body: { code: uniq('HZ'), name: stName } });
  expectStatus(st, 201);
  const ch = await api('POST', '/chargers', { token: admin, body: { charge_point_id: uniq('HZCP'), station_id: st.json.id, kind: 'dc', payment: 'qr' } });
  expectStatus(ch, 201);
  const rep = await api('POST', '/service-desk/reports', { token: admin, body: { channel: 'phone', reporter_name: '王先生', contact: '13900003333',
    charger_id: ch.json.id, category: 'cannot_charge', description: '扫码后无法启动充电' } });
  expectStatus(rep, 201);
  const cls = await api('POST', `/service-desk/reports/${rep.json.id}/actions/classify`, { token: admin, body: { classification: 'dispatch' } });
  expectStatus(cls, 200);
  r = await api('GET', `/hazards/database?source=fault&q=${encodeURIComponent(stName)}`, { token: s.viewer.token });
  expectStatus(r, 200);
  assert.equal(r.json.items.length, 1, JSON.stringify(r.json.items));
  const [fault] = r.json.items;
  assert.deepEqual([fault.source, fault.kind, fault.side, fault.customer_id, fault.customer_name, fault.location, fault.open],
    ['fault', 'fault', 'grid', null, stName, ch.json.name || ch.json.charge_point_id, true]);
  assert.match(fault.number, /^GZ/);
  const all = await api('GET', `/hazards/database?q=${encodeURIComponent(stName)}`, { token: s.viewer.token });
  assert.deepEqual(all.json.items.map((x) => x.id), [fault.id], 'source all includes the faults');
  const year = Number(new Date(fault.found_at + 8 * 3600e3).toISOString().slice(0, 4));
  const an = await api('GET', `/hazards/analysis?year=${year}`, { token: s.viewer.token });
  expectStatus(an, 200);
  assert.ok(an.json.database_by_source.find((x) => x.key === 'fault').n >= 1, JSON.stringify(an.json.database_by_source));
});

async function seal(token, cust, extra = {}) {
  const photo = await upload(token, JPEG, 'image/jpeg', 'seal.jpg');
  const r = await api('POST', '/seals', { token, body: { customer_id: cust.id, equipment: '1号自备发电机', reason: 'unregistered_source',
    numbers: [uniq('FY'), uniq('FY')], photo_ids: [photo], place: '1号配电室', ...extra } });
  expectStatus(r, 201);
  return r.json;
}

test(`${LABEL} a seal blocks power-on until the rectification is accepted and an authorised person removes it`, async () => {
  const s = await people();
  const cust = await customer(s.cs.token);
  const sl = await seal(s.crew.token, cust);
  assert.equal(sl.status, 'sealed');
  assert.equal(sl.numbers.length, 2);
  assert.equal(sl.on, true);
  // a number in use is refused, named
  const photo = await upload(s.crew.token, JPEG, 'image/jpeg', 'seal.jpg');
  const dup = await api('POST', '/seals', { token: s.crew.token, body: { customer_id: cust.id, equipment: '进线柜联锁', reason: 'defeated_interlock',
    numbers: [sl.numbers[0]], photo_ids: [photo] } });
  expectError(dup, 409, 'seal_number_in_use');
  assert.equal(dup.json.error.details.number, sl.numbers[0]);
  expectError(await api('POST', '/seals', { token: s.crew.token, body: { customer_id: cust.id, equipment: 'x', reason: 'whim',
    numbers: ['A1'], photo_ids: [photo] } }), 400, 'invalid_field', 'reason');
  expectError(await api('POST', '/seals', { token: s.crew.token, body: { customer_id: cust.id, equipment: 'x', reason: 'other',
    numbers: [], photo_ids: [photo] } }), 400, 'missing_field', 'numbers');
  expectError(await api('POST', '/seals', { token: s.viewer.token, body: { customer_id: cust.id, equipment: 'x', reason: 'other',
    numbers: ['A1'], photo_ids: [photo] } }), 403, 'forbidden');

  // power-on of the sealed equipment is refused, other equipment of the customer is not
  let p = await api('POST', '/seals/power-on', { token: s.crew.token, body: { customer_id: cust.id, equipment: '1号自备发电机' } });
  expectError(p, 409, 'equipment_sealed');
  assert.deepEqual(p.json.error.details.seals.map((x) => x.id), [sl.id]);
  expectStatus(await api('POST', '/seals/power-on', { token: s.crew.token, body: { customer_id: cust.id, equipment: '2号变压器' } }), 200);

  // removal: not before the rectification is accepted, and only by an authorised person
  expectError(await api('POST', `/seals/${sl.id}/actions/remove`, { token: s.mgr.token, body: {} }), 409, 'seal_not_rectified');
  let r = await api('POST', `/seals/${sl.id}/actions/accept`, { token: s.cm.token, body: { note: '已办理自备电源登记并加装闭锁' } });
  expectStatus(r, 200);
  assert.equal(r.json.status, 'rectified');
  assert.equal(r.json.accepted_by, s.cm.user.id);
  expectError(await api('POST', `/seals/${sl.id}/actions/accept`, { token: s.cm.token, body: {} }), 409, 'seal_already_accepted');
  // still sealed: accepted is not removed
  expectError(await api('POST', '/seals/power-on', { token: s.crew.token, body: { customer_id: cust.id, equipment: '1号自备发电机' } }), 409, 'equipment_sealed');
  expectError(await api('POST', `/seals/${sl.id}/actions/remove`, { token: s.cm.token, body: {} }), 403, 'forbidden');
  expectError(await api('POST', `/seals/${sl.id}/actions/remove`, { token: s.crew.token, body: {} }), 403, 'forbidden');
  r = await api('POST', `/seals/${sl.id}/actions/remove`, { token: s.mgr.token, body: {} });
  expectStatus(r, 200);
  assert.equal(r.json.status, 'removed');
  assert.equal(r.json.on, false);
  assert.equal(r.json.removed_by, s.mgr.user.id);
  expectError(await api('POST', `/seals/${sl.id}/actions/remove`, { token: s.mgr.token, body: {} }), 409, 'seal_already_removed');
  expectError(await api('POST', `/seals/${sl.id}/actions/accept`, { token: s.cm.token, body: {} }), 409, 'seal_already_removed');
  p = await api('POST', '/seals/power-on', { token: s.crew.token, body: { customer_id: cust.id, equipment: '1号自备发电机' } });
  expectStatus(p, 200);
  assert.equal(p.json.allowed, true);
  // the numbers are free again
  await seal(s.crew.token, cust, { numbers: [sl.numbers[0]] });

  // every step is audited
  const audit = await api('GET', `/audit?entity=customer_seal&entity_id=${sl.id}`, { token: await adminToken() });
  expectStatus(audit, 200);
  const acts = (audit.json.items || audit.json).map((x) => x.action);
  for (const a of ['create', 'accept_rectification', 'remove']) assert.ok(acts.includes(a), `${a} in ${acts}`);
});

test(`${LABEL} the application's power-on is refused while the customer's equipment is sealed`, async () => {
  const s = await people();
  const app = await appStaff();
  const cust = await customer(app.counter.token);
  const a = await createApplication(app.counter.token, 'hv_single', { customer_id: cust.id });
  const at = await walk(app, a, 'energize');
  const sl = await seal(s.crew.token, cust);
  const r = await api('POST', `/applications/${at.id}/actions/power_on`, { token: app.cm.token, body: {} });
  assert.equal(r.status, 409);
  const gates = r.json.error.details.gates.map((g) => g.code);
  assert.ok(gates.includes('equipment_sealed'), gates.join());
  expectStatus(await api('POST', `/seals/${sl.id}/actions/accept`, { token: s.cm.token, body: {} }), 200);
  expectStatus(await api('POST', `/seals/${sl.id}/actions/remove`, { token: s.mgr.token, body: {} }), 200);
  const r2 = await api('POST', `/applications/${at.id}/actions/power_on`, { token: app.cm.token, body: {} });
  const gates2 = r2.status === 200 ? [] : r2.json.error.details.gates.map((g) => g.code);
  assert.ok(!gates2.includes('equipment_sealed'), gates2.join());
});

test(`${LABEL} racing: two signatures, two removals at once give the result of one`, { skip: DB_NAME !== 'postgresql' }, async () => {
  const s = await people();
  const cust = await customer(s.cs.token);
  let h = await hazard(s.crew.token, cust);
  h = (await act(s.crew.token, h.id, 'issue_notice', { requirement: '限期整改' })).json;
  const [b1, b2] = [await signBody(s.crew.token, { signer_name: '甲' }), await signBody(s.crew.token, { signer_name: '乙' })];
  const rs = await Promise.all([act(s.crew.token, h.id, 'sign', b1), act(s.crew.token, h.id, 'sign', b2)]);
  assert.deepEqual(rs.map((x) => x.status).sort(), [200, 409]);
  const won = rs.find((x) => x.status === 200).json.signer_name;
  expectError(rs.find((x) => x.status === 409), 409, 'invalid_transition');
  const g = await api('GET', `/hazards/${h.id}`, { token: s.cm.token });
  assert.equal(g.json.signer_name, won);
  assert.equal(g.json.history.filter((e) => e.action === 'sign').length, 1);

  const sl = await seal(s.crew.token, cust);
  expectStatus(await api('POST', `/seals/${sl.id}/actions/accept`, { token: s.cm.token, body: {} }), 200);
  const rm = await Promise.all([1, 2].map(() => api('POST', `/seals/${sl.id}/actions/remove`, { token: s.mgr.token, body: {} })));
  assert.deepEqual(rm.map((x) => x.status).sort(), [200, 409]);
  expectError(rm.find((x) => x.status === 409), 409, 'seal_already_removed');

  // two crews sealing with one number at once: one sealing
  const num = uniq('FY');
  const photo = await upload(s.crew.token, JPEG, 'image/jpeg', 'seal.jpg');
  const two = await Promise.all([1, 2].map((i) => api('POST', '/seals', { token: s.crew.token, body: { customer_id: cust.id,
    equipment: `设备${i}`, reason: 'other', numbers: [num], photo_ids: [photo] } })));
  assert.deepEqual(two.map((x) => x.status).sort(), [201, 409]);
  expectError(two.find((x) => x.status === 409), 409, 'seal_number_in_use');
});

// Field work, part 2: work tickets with verifiable signatures, the pre-shift meeting, risk confirmation and the
// safety gates on the job's start (R3.4, R3.5, R3.7, R3.8, R2.1; DESIGN.md §6). Every gate is shown refusing and
// then passing; a refused start lists every failed gate at once.
import { test } from 'node:test';
import { execFileSync } from 'node:child_process';
import assert from 'node:assert/strict';
import { api, userWithToken, expectError, expectStatus, LABEL, PASSWORD, BASE_URL } from './lib.mjs';
import {
  JPEG, people, publishedPlan, act, newTicket, issuedReceivedPermitted, upload, tamper, riskBody,
} from './fieldwork_lib.mjs';

test(`${LABEL} ticket: pre-filled from plan, orders and the risk library`, async () => {
  const p = await people();
  const { plan, orders } = await publishedPlan(p, { kinds: ['ct_meter_install'] });
  const t = await newTicket(p, plan);
  assert.equal(t.status, 'draft');
  assert.equal(t.kind, 'DY'); // CT-connected metering: low-voltage ticket by default (data/kb/work_kinds.json)
  assert.match(t.number, /^DY\d{8}-\d{4}$/);
  assert.equal(t.leader_id, p.leader.user.id);
  assert.deepEqual(t.crew.map((c) => c.id), [p.crew.user.id]);
  assert.match(t.content, new RegExp(orders[0].number));
  assert.ok(t.risks.length >= 5, 'risk points from the library');
  assert.ok(t.risks.some((r) => /开路/.test(r.hazard)), 'the CT open-secondary hazard is on a CT job');
  assert.ok(t.measures.length >= t.risks.length, 'each risk brings its measures');
  assert.ok(t.planned_end > t.planned_start);
  // one ticket in force per plan
  expectError(await act(p.leader.token, '/tickets', { plan_id: plan.id }), 409, 'ticket_exists');
  // a crew member cannot make the ticket
  expectError(await act(p.crew.token, '/tickets', { plan_id: plan.id }), 403, 'forbidden');
});

test(`${LABEL} ticket: issue needs the issuer's password; a wrong one signs nothing`, async () => {
  const p = await people();
  const { plan } = await publishedPlan(p);
  const t = await newTicket(p, plan);
  expectError(await act(p.issuer.token, `/tickets/${t.id}/actions/issue`, {}), 400, 'missing_field', 'password');
  expectError(await act(p.issuer.token, `/tickets/${t.id}/actions/issue`, { password: 'Wrong-pass-999' }), 403, 'reauth_failed');
  const still = await api('GET', `/tickets/${t.id}`, { token: p.issuer.token });
  assert.equal(still.json.status, 'draft');
  assert.equal(still.json.signatures.length, 0);
  // only an issuer may issue; the leader may not sign as issuer of their own ticket
  expectError(await act(p.leader.token, `/tickets/${t.id}/actions/issue`, { password: PASSWORD }), 403, 'forbidden');
  const both = await userWithToken(['leader', 'issuer']);
  const { plan: plan2 } = await publishedPlan({ ...p, leader: both }, { leader: both });
  const t2 = await act(both.token, '/tickets', { plan_id: plan2.id });
  expectStatus(t2, 201);
  const self = await act(both.token, `/tickets/${t2.json.id}/actions/issue`, { password: PASSWORD });
  expectError(self, 409, 'signer_conflict');
  const ok = await act(p.issuer.token, `/tickets/${t.id}/actions/issue`, { password: PASSWORD });
  expectStatus(ok, 200);
  assert.equal(ok.json.status, 'issued');
  assert.equal(ok.json.issuer_id, p.issuer.user.id);
  assert.deepEqual(ok.json.signatures.map((s) => s.role), ['issuer']);
});

test(`${LABEL} ticket: permission refused until every safety measure is ticked; supplements on site`, async () => {
  const p = await people();
  const { plan } = await publishedPlan(p);
  const t = await newTicket(p, plan);
  expectStatus(await act(p.issuer.token, `/tickets/${t.id}/actions/issue`, { password: PASSWORD }), 200);
  expectStatus(await act(p.leader.token, `/tickets/${t.id}/actions/receive`, { password: PASSWORD }), 200);
  // a supplementary measure added on site (who, when)
  const sup = await act(p.permitter.token, `/tickets/${t.id}/measures`, { text: '在相邻带电表箱加装绝缘隔板' });
  expectStatus(sup, 201);
  const added = sup.json.measures.find((m) => m.text === '在相邻带电表箱加装绝缘隔板');
  assert.equal(added.supplement, true);
  assert.equal(added.added_by, p.permitter.user.id);
  const refused = await act(p.permitter.token, `/tickets/${t.id}/actions/permit`, { password: PASSWORD });
  expectError(refused, 409, 'ticket_measures_open');
  assert.equal(refused.json.error.details.gates[0].open.length, sup.json.measures.length);
  for (const m of sup.json.measures) expectStatus(await act(p.crew.token, `/tickets/${t.id}/measures/${m.id}/actions/confirm`), 200);
  const got = await api('GET', `/tickets/${t.id}`, { token: p.leader.token });
  assert.ok(got.json.measures.every((m) => m.done_by === p.crew.user.id && m.done_at > 0));
  assert.ok(got.json.measures.every((m) => m.done_by_name === p.crew.user.display_name), 'who ticked it, by name');
  const ok = await act(p.permitter.token, `/tickets/${t.id}/actions/permit`, { password: PASSWORD });
  expectStatus(ok, 200);
  assert.equal(ok.json.status, 'permitted');
  assert.deepEqual(ok.json.signatures.map((s) => s.role), ['issuer', 'leader', 'permitter']);
});

test(`${LABEL} job start: refused with every failed gate at once, then passes gate by gate`, async () => {
  const p = await people();
  const { plan, orders } = await publishedPlan(p);
  // nothing done yet: no ticket, no meeting
  let r = await act(p.leader.token, `/plans/${plan.id}/actions/start`);
  expectError(r, 409, 'gate_ticket_not_permitted');
  let codes = r.json.error.details.gates.map((g) => g.code);
  assert.deepEqual(codes, ['gate_ticket_not_permitted', 'gate_briefing_missing', 'gate_risk_unconfirmed']);
  assert.equal(r.json.error.details.gates[0].reason, 'no_ticket');
  const t = await newTicket(p, plan);
  const permitted = await issuedReceivedPermitted(p, t);
  r = await act(p.leader.token, `/plans/${plan.id}/actions/start`);
  codes = r.json.error.details.gates.map((g) => g.code);
  assert.deepEqual(codes, ['gate_briefing_missing', 'gate_risk_unconfirmed']);
  // the meeting held but the crew member has not signed: named
  expectStatus(await act(p.leader.token, `/plans/${plan.id}/briefing`), 200);
  expectError(await act(p.crew.token, `/plans/${plan.id}/briefing/actions/sign`), 409, 'briefing_not_held');
  expectStatus(await act(p.leader.token, `/plans/${plan.id}/briefing/actions/hold`), 200);
  expectStatus(await act(p.leader.token, `/plans/${plan.id}/briefing/actions/sign`), 200);
  r = await act(p.leader.token, `/plans/${plan.id}/actions/start`);
  const brief = r.json.error.details.gates.find((g) => g.code === 'gate_briefing_missing');
  assert.deepEqual(brief.not_signed.map((u) => u.id), [p.crew.user.id]);
  expectStatus(await act(p.crew.token, `/plans/${plan.id}/briefing/actions/sign`), 200);
  const b = await api('GET', `/plans/${plan.id}/briefing`, { token: p.crew.token });
  assert.ok(b.json.content.safety.length > 0 && b.json.content.workflow.length > 0, 'meeting content from the knowledge base');
  assert.ok(b.json.content.risks.length === permitted.risks.length, 'the ticket\'s risk points are briefed');
  // risks: all but one confirmed → the open one is named
  for (const risk of permitted.risks.slice(1)) expectStatus(await act(p.leader.token, `/tickets/${t.id}/risks/${risk.id}/actions/confirm`, await riskBody(p.leader.token, permitted, risk)), 200);
  r = await act(p.leader.token, `/plans/${plan.id}/actions/start`);
  expectError(r, 409, 'gate_risk_unconfirmed');
  assert.deepEqual(r.json.error.details.gates[0].open.map((o) => o.id), [permitted.risks[0].id]);
  // only this plan's leader confirms risks and starts
  expectError(await act(p.crew.token, `/tickets/${t.id}/risks/${permitted.risks[0].id}/actions/confirm`, await riskBody(p.crew.token, permitted, permitted.risks[0])), 403, 'not_the_leader');
  const photo = await upload(p.leader.token, t.id);
  expectStatus(await act(p.leader.token, `/tickets/${t.id}/risks/${permitted.risks[0].id}/actions/confirm`, await riskBody(p.leader.token, permitted, permitted.risks[0], { evidence_id: photo.id })), 200);
  expectError(await act(p.crew.token, `/plans/${plan.id}/actions/start`), 403, 'forbidden');
  const started = await act(p.leader.token, `/plans/${plan.id}/actions/start`);
  expectStatus(started, 200);
  assert.equal(started.json.status, 'working');
  const tw = await api('GET', `/tickets/${t.id}`, { token: p.leader.token });
  assert.equal(tw.json.status, 'working');
  for (const o of orders) assert.equal((await api('GET', `/work-orders/${o.id}`, { token: p.leader.token })).json.status, 'in_progress');
  // pause interrupts the ticket, resume takes it back
  expectStatus(await act(p.leader.token, `/plans/${plan.id}/actions/pause`), 200);
  assert.equal((await api('GET', `/tickets/${t.id}`, { token: p.leader.token })).json.status, 'interrupted');
  expectStatus(await act(p.leader.token, `/plans/${plan.id}/actions/resume`), 200);
  assert.equal((await api('GET', `/tickets/${t.id}`, { token: p.leader.token })).json.status, 'working');
  // finishing needs the ticket ended; ending needs a site photo and the leader's signature
  expectError(await act(p.leader.token, `/plans/${plan.id}/actions/finish`), 409, 'ticket_not_ended');
  expectError(await act(p.leader.token, `/tickets/${t.id}/actions/end`, { password: PASSWORD }), 409, 'ticket_end_photo_missing');
  const site = await upload(p.leader.token, t.id);
  const ended = await act(p.leader.token, `/tickets/${t.id}/actions/end`, { password: PASSWORD, photo_ids: [site.id], note: '表计已换装，封印完好' });
  expectStatus(ended, 200);
  assert.equal(ended.json.status, 'ended');
  assert.deepEqual(ended.json.photos.map((x) => x.attachment_id), [site.id]);
  assert.deepEqual(ended.json.signatures.map((s) => s.role), ['issuer', 'leader', 'permitter', 'leader_end']);
  const fin = await act(p.leader.token, `/plans/${plan.id}/actions/finish`);
  expectStatus(fin, 200);
  for (const o of orders) assert.equal((await api('GET', `/work-orders/${o.id}`, { token: p.leader.token })).json.status, 'done');
  // the photo is served back with its type
  const img = await fetch(`${BASE_URL}/api/v1/attachments/${site.id}/content`, { headers: { authorization: `Bearer ${p.crew.token}` } });
  assert.equal(img.status, 200);
  assert.equal(img.headers.get('content-type'), 'image/jpeg');
  assert.deepEqual(Buffer.from(await img.arrayBuffer()), JPEG);
});

test(`${LABEL} gate_single_person: a leader alone can neither have the ticket issued nor start`, async () => {
  const p = await people();
  const { plan } = await publishedPlan(p, { crew: [] });
  const t = await newTicket(p, plan);
  const r = await act(p.issuer.token, `/tickets/${t.id}/actions/issue`, { password: PASSWORD });
  expectError(r, 409, 'gate_single_person');
  assert.equal(r.json.error.details.gates[0].people, 1);
  const s = await act(p.leader.token, `/plans/${plan.id}/actions/start`);
  assert.ok(s.json.error.details.gates.some((g) => g.code === 'gate_single_person'));
});

test(`${LABEL} gate_leader_busy: a leader with another ticket in force cannot start a second job`, async () => {
  const p = await people();
  const first = await publishedPlan(p);
  const t1 = await newTicket(p, first.plan);
  await issuedReceivedPermitted(p, t1);
  const second = await publishedPlan(p);
  const r = await act(p.leader.token, `/plans/${second.plan.id}/actions/start`);
  const busy = r.json.error.details.gates.find((g) => g.code === 'gate_leader_busy');
  assert.ok(busy, JSON.stringify(r.json));
  assert.equal(busy.ticket_id, t1.id);
  // once the first ticket is void, the leader is free again
  expectStatus(await act(p.issuer.token, `/tickets/${t1.id}/actions/void`, { reason: '计划变更，作废重开' }), 200);
  const r2 = await act(p.leader.token, `/plans/${second.plan.id}/actions/start`);
  assert.ok(!r2.json.error.details.gates.some((g) => g.code === 'gate_leader_busy'));
});

test(`${LABEL} gate_supervision_missing: high-risk work needs a video link or an on-site supervisor`, async () => {
  const p = await people();
  const { plan } = await publishedPlan(p, { kinds: ['hv_metering_install'] });
  assert.equal(plan.high_risk, true);
  const r = await act(p.leader.token, `/plans/${plan.id}/actions/start`);
  assert.ok(r.json.error.details.gates.some((g) => g.code === 'gate_supervision_missing'));
  const upd = await api('PATCH', `/plans/${plan.id}`, { token: p.dispatcher.token, body: { version: plan.version, video_link: 'rtsp://video.example/ch/12' } });
  expectStatus(upd, 200);
  const r2 = await act(p.leader.token, `/plans/${plan.id}/actions/start`);
  assert.ok(!r2.json.error.details.gates.some((g) => g.code === 'gate_supervision_missing'));
});

test(`${LABEL} ticket extension: once for kinds that allow it, never for a work card`, async () => {
  const p = await people();
  const { plan } = await publishedPlan(p, { kinds: ['ct_meter_install'] }); // DY: extendable once
  const t = await issuedReceivedPermitted(p, await newTicket(p, plan));
  const e1 = await act(p.permitter.token, `/tickets/${t.id}/actions/extend`, { hours: 2 });
  expectStatus(e1, 200);
  assert.equal(e1.json.planned_end, t.planned_end + 2 * 3600e3);
  assert.equal(e1.json.status, 'permitted');
  expectError(await act(p.permitter.token, `/tickets/${t.id}/actions/extend`, { hours: 2 }), 409, 'ticket_not_extendable');
  const gz = await publishedPlan(p, { kinds: ['meter_rotation'] }); // GZK: no extension
  const t2 = await issuedReceivedPermitted(p, await newTicket(p, gz.plan));
  assert.equal(t2.kind, 'GZK');
  expectError(await act(p.permitter.token, `/tickets/${t2.id}/actions/extend`, { hours: 1 }), 409, 'ticket_not_extendable');
  expectError(await act(p.issuer.token, `/tickets/${t2.id}/actions/void`, {}), 409, 'reason_required');
});

test(`${LABEL} ticket signatures verify, and fail once the ticket is changed behind the server`, async () => {
  const p = await people();
  const { plan } = await publishedPlan(p);
  const t = await issuedReceivedPermitted(p, await newTicket(p, plan));
  const v = await api('GET', `/tickets/${t.id}/verify`, { token: p.crew.token });
  expectStatus(v, 200);
  assert.equal(v.json.valid, true);
  assert.equal(v.json.signatures.length, 3);
  assert.ok(v.json.signatures.every((s) => s.valid));
  // the printable ticket: a real PDF whose text (Chinese, embedded font) carries the number, place, people and hash
  const pdf = await fetch(`${BASE_URL}/api/v1/tickets/${t.id}/pdf`, { headers: { authorization: `Bearer ${p.crew.token}` } });
  assert.equal(pdf.status, 200);
  assert.equal(pdf.headers.get('content-type'), 'application/pdf');
  const bytes = Buffer.from(await pdf.arrayBuffer());
  assert.equal(bytes.subarray(0, 5).toString(), '%PDF-');
  const txt = execFileSync('pdftotext', ['-enc', 'UTF-8', '-', '-'], { input: bytes }).toString();
  for (const want of [t.number, t.place, p.leader.user.display_name, '工作许可人', v.json.content_hash]) {
    assert.ok(txt.replace(/\s+/g, '').includes(want.replace(/\s+/g, '')), `the PDF shows ${want}`);
  }
  // someone edits the permitted ticket in the database: every signature now fails as "content changed"
  tamper(`UPDATE tickets SET place = '另一地点' WHERE id = '${t.id}'`);
  const bad = await api('GET', `/tickets/${t.id}/verify`, { token: p.crew.token });
  assert.equal(bad.json.valid, false);
  assert.ok(bad.json.signatures.every((s) => !s.valid && s.reason === 'content_changed'));
  tamper(`UPDATE tickets SET place = '${t.place.replace(/'/g, "''")}' WHERE id = '${t.id}'`);
  assert.equal((await api('GET', `/tickets/${t.id}/verify`, { token: p.crew.token })).json.valid, true);
  // a forged signature row is caught on its own
  tamper(`UPDATE signatures SET signed_at = signed_at + 1 WHERE entity_id = '${t.id}' AND role = 'permitter'`);
  const forged = await api('GET', `/tickets/${t.id}/verify`, { token: p.crew.token });
  assert.equal(forged.json.valid, false);
  assert.equal(forged.json.signatures.find((s) => s.role === 'permitter').reason, 'signature_invalid');
});

test(`${LABEL} attachments: declared type must match the bytes; size limit; metadata`, async () => {
  const p = await people();
  // a file is attached to something the uploader may write: the crew to their own job's ticket (docs/api.md "Scope")
  const { plan } = await publishedPlan(p, { ready: false });
  const id = (await newTicket(p, plan)).id;
  const ghost = await fetch(`${BASE_URL}/api/v1/attachments?entity=ticket&entity_id=01a1fe12-1451-74cf-90ca-b33a8d614cd9`, {
    method: 'POST', headers: { authorization: `Bearer ${p.crew.token}`, 'content-type': 'image/jpeg' }, body: JPEG });
  assert.equal(ghost.status, 404, 'a ticket that does not exist takes no file');
  const lie = await fetch(`${BASE_URL}/api/v1/attachments?entity=ticket&entity_id=${id}`, {
    method: 'POST', headers: { authorization: `Bearer ${p.crew.token}`, 'content-type': 'image/png' }, body: JPEG });
  assert.equal(lie.status, 415);
  assert.equal((await lie.json()).error.code, 'unsupported_media_type');
  const html = await fetch(`${BASE_URL}/api/v1/attachments`, {
    method: 'POST', headers: { authorization: `Bearer ${p.crew.token}`, 'content-type': 'text/html' }, body: '<script>alert(1)</script>' });
  assert.equal(html.status, 415);
  const big = await fetch(`${BASE_URL}/api/v1/attachments`, {
    method: 'POST', headers: { authorization: `Bearer ${p.crew.token}`, 'content-type': 'image/jpeg' },
    body: Buffer.concat([JPEG, Buffer.alloc(21 * 1024 * 1024)]) });
  assert.equal(big.status, 413);
  const ok = await upload(p.crew.token, id);
  assert.equal(ok.content_type, 'image/jpeg');
  assert.equal(ok.size, JPEG.length);
  assert.match(ok.sha256, /^[0-9a-f]{64}$/);
  const meta = await api('GET', `/attachments/${ok.id}`, { token: p.crew.token });
  assert.equal(meta.json.entity_id, id);
});

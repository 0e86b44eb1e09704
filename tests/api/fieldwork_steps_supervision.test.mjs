// Guided SOP steps on a running job (R3.9) and supervision: the live board, graded findings, and the evaluation
// of every ended ticket (R3.10, R3.13, R2.1).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { api, userWithToken, expectError, expectStatus, LABEL, PASSWORD } from './lib.mjs';
import {
  today, people, publishedPlan, act, newTicket, issuedReceivedPermitted, briefed, risksConfirmed, upload,
} from './fieldwork_lib.mjs';

async function runningJob() {
  const p = await people();
  const { plan, orders } = await publishedPlan(p, { kinds: ['lv_meter_install'] });
  const t = await issuedReceivedPermitted(p, await newTicket(p, plan));
  await briefed(p, plan, [p.leader, p.crew]);
  await risksConfirmed(p, t);
  expectStatus(await act(p.leader.token, `/plans/${plan.id}/actions/start`), 200);
  return { p, plan, order: orders[0], ticket: t };
}

const step = (token, planId, body) => act(token, `/plans/${planId}/steps`, body);

test(`${LABEL} steps: the order follows its SOP in order, with typed readings and required photos`, async () => {
  const { p, plan, order, ticket } = await runningJob();
  const list = await api('GET', `/plans/${plan.id}/steps`, { token: p.crew.token });
  expectStatus(list, 200);
  const mine = list.json.items[0];
  assert.equal(mine.sop.code, 'lv_meter_install');
  assert.ok(mine.steps.length >= 10);
  assert.equal(mine.progress.done, 0);
  const s1 = mine.steps[0], s2 = mine.steps[1];
  // out of order: step 2 before step 1
  const ooo = await step(p.crew.token, plan.id, { work_order_id: order.id, step_no: 2, result: 'ok', records: {} });
  expectError(ooo, 409, 'step_out_of_order');
  assert.deepEqual(ooo.json.error.details.missing, [1]);
  // a required reading missing, an unknown reading, a bad choice: each names the record
  const req = s1.records.find((r) => r.required);
  expectError(await step(p.crew.token, plan.id, { work_order_id: order.id, step_no: 1, result: 'ok', records: {} }), 400, 'invalid_field', `records.${req.key}`);
  const full = Object.fromEntries(s1.records.map((r) => [r.key, r.type === 'choice' ? r.choices[0].value : 'x']));
  expectError(await step(p.crew.token, plan.id, { work_order_id: order.id, step_no: 1, result: 'ok', records: { ...full, nonsense: 1 } }), 400, 'invalid_field', 'records.nonsense');
  expectError(await step(p.crew.token, plan.id, { work_order_id: order.id, step_no: 1, result: 'ok', records: { ...full, [req.key]: 'maybe' } }), 400, 'invalid_field', `records.${req.key}`);
  expectStatus(await step(p.crew.token, plan.id, { work_order_id: order.id, step_no: 1, result: 'ok', records: full }), 201);
  expectError(await step(p.crew.token, plan.id, { work_order_id: order.id, step_no: 1, result: 'ok', records: full }), 409, 'step_done');
  // step 2 needs a photo and the old meter's asset number
  assert.equal(s2.photo_required, true);
  const rec2 = { account_no: '3100098765', old_meter_asset_no: '1100000123456', old_seal_nos: 'A123456/A123457' };
  expectError(await step(p.crew.token, plan.id, { work_order_id: order.id, step_no: 2, result: 'ok', records: rec2 }), 409, 'step_photo_missing');
  expectError(await step(p.crew.token, plan.id, { work_order_id: order.id, step_no: 2, result: 'ok', records: { ...rec2, old_meter_asset_no: '表号?' }, photo_ids: [] }), 400, 'invalid_field', 'records.old_meter_asset_no');
  const photo = await upload(p.crew.token, ticket.id);
  const ok2 = await step(p.crew.token, plan.id, { work_order_id: order.id, step_no: 2, result: 'ok', records: rec2, photo_ids: [photo.id] });
  expectStatus(ok2, 201);
  const done2 = ok2.json.items[0].steps[1].done;
  assert.equal(done2.records.old_meter_asset_no, rec2.old_meter_asset_no);
  assert.equal(done2.done_by, p.crew.user.id);
  assert.deepEqual(done2.photos.map((x) => x.attachment_id), [photo.id]);
  assert.equal(ok2.json.progress.done, 2);
  // someone of the plan's team but not on the plan cannot record; someone of another team does not see the plan
  const teammate = await userWithToken(['crew'], { org_unit_id: plan.team_id });
  expectError(await step(teammate.token, plan.id, { work_order_id: order.id, step_no: 3, result: 'ok', records: {} }), 403, 'forbidden');
  const stranger = await userWithToken(['crew']);
  expectError(await step(stranger.token, plan.id, { work_order_id: order.id, step_no: 3, result: 'ok', records: {} }), 404, 'not_found');
});

test(`${LABEL} steps: only while the job is running`, async () => {
  const p = await people();
  const { plan, orders } = await publishedPlan(p);
  expectError(await step(p.leader.token, plan.id, { work_order_id: orders[0].id, step_no: 1, result: 'ok', records: {} }), 409, 'invalid_transition');
});

test(`${LABEL} supervision: the board shows today's jobs by state and risk; findings and evaluations`, async () => {
  const { p, plan, ticket } = await runningJob();
  const sup = await userWithToken(['supervisor']);
  const b = await api('GET', `/board?date=${today()}`, { token: sup.token });
  expectStatus(b, 200);
  const job = b.json.jobs.find((j) => j.id === plan.id);
  assert.ok(job, 'the running job is on the board');
  assert.equal(job.status, 'working');
  assert.equal(job.ticket.status, 'working');
  assert.ok(job.steps_total >= 10, 'the board knows how many SOP steps the job has');
  assert.ok(b.json.by_state.working >= 1);
  const etag = b.headers.get('etag');
  assert.ok(etag);
  const same = await api('GET', `/board?date=${today()}`, { token: sup.token, headers: { 'if-none-match': etag } });
  assert.equal(same.status, 304, 'an unchanged board costs nothing to poll');
  // a graded violation found by video names the job and its ticket, and changes the board
  expectError(await act(p.crew.token, `/plans/${plan.id}/findings`, { kind: 'violation', description: 'x' }), 403, 'forbidden');
  expectError(await act(sup.token, `/plans/${plan.id}/findings`, { kind: 'violation', severity: 'fatal', description: 'x' }), 400, 'invalid_field', 'severity');
  const f = await act(sup.token, `/plans/${plan.id}/findings`, { kind: 'violation', severity: 'serious', method: 'video', description: '作业人员未戴绝缘手套接线' });
  expectStatus(f, 201);
  assert.equal(f.json.ticket_id, ticket.id);
  const b2 = await api('GET', `/board?date=${today()}`, { token: sup.token, headers: { 'if-none-match': etag } });
  assert.equal(b2.status, 200);
  assert.equal(b2.json.jobs.find((j) => j.id === plan.id).violations, 1);
  // evaluation after the ticket ends; not-qualified needs reasons; once only; coverage counts it
  expectError(await act(sup.token, `/tickets/${ticket.id}/evaluation`, { qualified: true }), 409, 'ticket_not_finished');
  const photo = await upload(p.leader.token, ticket.id);
  expectStatus(await act(p.leader.token, `/tickets/${ticket.id}/actions/end`, { password: PASSWORD, photo_ids: [photo.id] }), 200);
  const before = await api('GET', '/evaluations/coverage', { token: sup.token });
  assert.ok(before.json.unevaluated.some((t) => t.id === ticket.id));
  expectError(await act(sup.token, `/tickets/${ticket.id}/evaluation`, { qualified: false }), 400, 'invalid_field', 'reasons');
  const ev = await act(sup.token, `/tickets/${ticket.id}/evaluation`, { qualified: false, reasons: ['监护不到位：作业中未戴绝缘手套'] });
  expectStatus(ev, 201);
  expectError(await act(sup.token, `/tickets/${ticket.id}/evaluation`, { qualified: true }), 409, 'evaluation_exists');
  const shown = await api('GET', `/tickets/${ticket.id}`, { token: p.leader.token });
  assert.equal(shown.json.evaluation.qualified, false);
  assert.deepEqual(shown.json.evaluation.reasons, ['监护不到位：作业中未戴绝缘手套']);
  assert.equal(shown.json.evaluation.evaluator_id, sup.user.id);
  const after = await api('GET', '/evaluations/coverage', { token: sup.token });
  assert.ok(!after.json.unevaluated.some((t) => t.id === ticket.id));
  assert.equal(after.json.evaluated, before.json.evaluated + 1);
});

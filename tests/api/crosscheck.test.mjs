// Anti-violation cross-check (R2.4): records that bypassed the gates (edited in the database, imported, written
// by hand in an outage) are found by tracing work orders back to plans and tickets.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { api, userWithToken, expectError, expectStatus, LABEL } from './lib.mjs';
import {
  people, publishedPlan, act, newTicket, issuedReceivedPermitted, briefed, risksConfirmed, tamper,
} from './fieldwork_lib.mjs';

test(`${LABEL} cross-check: finds work without dispatch, without a ticket, single-person, and outside the ticket`, async () => {
  const p = await people();
  const sup = await userWithToken(['supervisor']);
  // a clean job: gates passed, one step recorded inside the ticket's window
  const clean = await publishedPlan(p);
  const t = await issuedReceivedPermitted(p, await newTicket(p, clean.plan));
  await briefed(p, clean.plan, [p.leader, p.crew]);
  await risksConfirmed(p, t);
  expectStatus(await act(p.leader.token, `/plans/${clean.plan.id}/actions/start`), 200);
  const steps = await api('GET', `/plans/${clean.plan.id}/steps`, { token: p.crew.token });
  const s1 = steps.json.items[0].steps[0];
  const rec = Object.fromEntries(s1.records.map((r) => [r.key, r.type === 'choice' ? r.choices[0].value : 'x']));
  expectStatus(await act(p.crew.token, `/plans/${clean.plan.id}/steps`, { work_order_id: clean.orders[0].id, step_no: 1, result: 'ok', records: rec }), 201);
  let cc = await api('GET', '/cross-check', { token: sup.token });
  expectStatus(cc, 200);
  const mentions = (id) => cc.json.findings.filter((f) => f.work_order_id === id || f.plan_id === id);
  assert.deepEqual(mentions(clean.plan.id), [], 'a job that went through the gates is clean');

  // behind the server's back: an order closed with no plan; a job "started" alone with no ticket; a step
  // back-dated before the permission
  const lone = await api('POST', '/work-orders', { token: p.dispatcher.token, body: { kind: 'meter_rotation' } });
  tamper(`UPDATE work_orders SET status = 'done' WHERE id = '${lone.json.id}'`);
  const alone = await publishedPlan(p, { crew: [] });
  const now = Date.now();
  tamper(`UPDATE plans SET status = 'working', started_at = ${now} WHERE id = '${alone.plan.id}'`);
  tamper(`UPDATE work_orders SET status = 'in_progress', updated_at = ${now} WHERE id = '${alone.orders[0].id}'`);
  tamper(`UPDATE job_steps SET done_at = ${t.permitted_at - 60000} WHERE plan_id = '${clean.plan.id}'`);
  cc = await api('GET', '/cross-check', { token: sup.token });
  const kinds = (id) => cc.json.findings.filter((f) => f.work_order_id === id || f.plan_id === id).map((f) => f.kind).sort();
  assert.deepEqual(kinds(lone.json.id), ['no_dispatch']);
  assert.deepEqual(kinds(alone.orders[0].id), ['no_ticket']);
  assert.ok(kinds(alone.plan.id).includes('single_person'));
  assert.deepEqual(kinds(clean.plan.id), ['outside_ticket']);
  assert.ok(cc.json.counts.outside_ticket >= 1);
  expectError(await api('GET', '/cross-check', { token: p.crew.token }), 403, 'forbidden');
});

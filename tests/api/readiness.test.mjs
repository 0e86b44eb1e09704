// People readiness (R2.2, R0.3) and the two gates of issue 4 on the job's start: gate_person_unqualified names
// each person and why; gate_tool_not_ready names the missing kinds and unusable tools. Each refuses, then passes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { api, adminToken, userWithToken, expectError, expectStatus, uniq, LABEL } from './lib.mjs';
import {
  today, people, publishedPlan, act, newTicket, issuedReceivedPermitted, briefed, risksConfirmed, qualify, equip,
} from './fieldwork_lib.mjs';

const gatesOf = async (token, planId) => {
  const r = await act(token, `/plans/${planId}/actions/start`);
  return r.status === 200 ? [] : r.json.error.details.gates;
};

async function almostReady({ ready }) {
  const p = await people();
  const { plan } = await publishedPlan(p, { ready });
  const t = await issuedReceivedPermitted(p, await newTicket(p, plan));
  await briefed(p, plan, [p.leader, p.crew]);
  await risksConfirmed(p, t);
  return { p, plan };
}

test(`${LABEL} gate_person_unqualified: no exam, a failed exam, an expired certificate — each person named`, async () => {
  const { p, plan } = await almostReady({ ready: false });
  await equip(plan, p.leader);
  let gates = await gatesOf(p.leader.token, plan.id);
  const g = gates.find((x) => x.code === 'gate_person_unqualified');
  assert.deepEqual(g.people.map((x) => x.user_id).sort(), [p.leader.user.id, p.crew.user.id].sort());
  assert.ok(g.people.every((x) => x.reasons.some((r) => r.code === 'no_valid_safety_exam')));
  const admin = await adminToken();
  // a failed exam (score under the pass mark) does not count
  const failed = await api('POST', `/users/${p.leader.user.id}/qualifications`, { token: admin, body: { kind: 'safety_exam', name: '安规考试', score: 61, issued_on: today() } });
  expectStatus(failed, 201);
  assert.equal(failed.json.passed, false);
  await qualify(p.leader, p.crew);
  // an expired certificate blocks even with a valid exam
  expectStatus(await api('POST', `/users/${p.crew.user.id}/qualifications`, { token: admin, body: { kind: 'certificate', name: '低压电工作业证', issued_on: '2019-01-01', expires_on: '2025-01-01' } }), 201);
  gates = await gatesOf(p.leader.token, plan.id);
  const g2 = gates.find((x) => x.code === 'gate_person_unqualified');
  assert.deepEqual(g2.people.map((x) => x.user_id), [p.crew.user.id]);
  assert.equal(g2.people[0].reasons[0].code, 'certificate_expired');
  // the renewal (same certificate, new expiry) clears it: everyone is ready and the job starts
  expectStatus(await api('POST', `/users/${p.crew.user.id}/qualifications`, { token: admin, body: { kind: 'certificate', name: '低压电工作业证', issued_on: '2025-01-02', expires_on: '2031-01-01' } }), 201);
  const readiness = await api('GET', `/plans/${plan.id}/readiness`, { token: p.leader.token });
  assert.ok(readiness.json.items.every((x) => x.ready), JSON.stringify(readiness.json));
  expectStatus(await act(p.leader.token, `/plans/${plan.id}/actions/start`), 200);
});

test(`${LABEL} gate_tool_not_ready: missing kinds named, an overdue tool named; checking out clears it`, async () => {
  const { p, plan } = await almostReady({ ready: false });
  await qualify(p.leader, p.crew);
  let gates = await gatesOf(p.leader.token, plan.id);
  const g = gates.find((x) => x.code === 'gate_tool_not_ready');
  assert.ok(g.missing.some((m) => m.kind === 'insulating_gloves'), JSON.stringify(g));
  assert.deepEqual(gates.map((x) => x.code), ['gate_tool_not_ready'], 'only the tools stand in the way');
  await equip(plan, p.leader);
  // a tool that went out in date but is now past it (its test date edited back, as time passing would)
  const admin = await adminToken();
  const held = await api('GET', `/tools?plan_id=${plan.id}&kind=insulating_gloves`, { token: admin });
  const gloves = held.json.items[0];
  expectStatus(await act(admin, `/tools/${gloves.id}/tests`, { test_date: '2024-01-10', result: 'pass' }), 201);
  const t = await api('GET', `/tools/${gloves.id}`, { token: admin });
  assert.equal(t.json.last_test_date, today(), 'an older test entered late does not change the tool');
  const started = await act(p.leader.token, `/plans/${plan.id}/actions/start`);
  expectStatus(started, 200);
});

test(`${LABEL} qualifications: recorded by managers and supervisors, readable by oneself; expiring list`, async () => {
  const sup = await userWithToken(['supervisor']);
  const crew = await userWithToken(['crew']);
  const other = await userWithToken(['crew']);
  expectError(await api('POST', `/users/${crew.user.id}/qualifications`, { token: crew.token, body: { kind: 'training', name: '反违章培训' } }), 403, 'forbidden');
  expectError(await api('POST', `/users/${crew.user.id}/qualifications`, { token: sup.token, body: { kind: 'safety_exam', name: '安规考试', score: 120, issued_on: today() } }), 400, 'invalid_field', 'score');
  expectError(await api('POST', `/users/${crew.user.id}/qualifications`, { token: sup.token, body: { kind: 'badge', name: 'x' } }), 400, 'invalid_field', 'kind');
  const soon = new Date(Date.now() + 8 * 3600e3 + 20 * 86400e3).toISOString().slice(0, 10);
  expectStatus(await api('POST', `/users/${crew.user.id}/qualifications`, { token: sup.token, body: { kind: 'certificate', name: '高处作业证', number: uniq('GC'), issued_on: '2023-01-01', expires_on: soon } }), 201);
  const mine = await api('GET', `/users/${crew.user.id}/qualifications`, { token: crew.token });
  expectStatus(mine, 200);
  assert.equal(mine.json.items.length, 1);
  assert.equal(mine.json.readiness.ready, false, 'no exam yet');
  expectError(await api('GET', `/users/${crew.user.id}/qualifications`, { token: other.token }), 403, 'forbidden');
  const exp = await api('GET', '/people/expiring?days=30', { token: sup.token });
  const hit = exp.json.items.find((x) => x.user_id === crew.user.id);
  assert.ok(hit && hit.days_to_expiry <= 30 && hit.days_to_expiry >= 0);
});

// Issue 9, finding 6 (safety and records): measures added late still gate the job; a finished job's record is
// history that later events never rewrite; ticket signatures can be checked by an outsider from an export or the
// printed paper, without fieldgrid's database.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { api, expectError, expectStatus, LABEL, PASSWORD } from './lib.mjs';
import {
  people, publishedPlan, act, newTicket, issuedReceivedPermitted, briefed, risksConfirmed, upload,
} from './fieldwork_lib.mjs';

/** A permitted ticket, the meeting held and signed, every risk point confirmed: ready to start. */
async function readyToStart(p, plan) {
  const t = await issuedReceivedPermitted(p, await newTicket(p, plan));
  await briefed(p, plan, [p.leader, p.crew]);
  await risksConfirmed(p, t);
  return t;
}

test(`${LABEL} gate_measure_unconfirmed: a measure supplemented after the permit must be ticked before start`, async () => {
  const p = await people();
  const { plan } = await publishedPlan(p);
  const t = await readyToStart(p, plan);
  const sup = await act(p.permitter.token, `/tickets/${t.id}/measures`, { text: '许可后补充：加挂“止步，高压危险”标示牌' });
  expectStatus(sup, 201);
  const added = sup.json.measures.find((m) => m.text.startsWith('许可后补充'));
  assert.equal(added.supplement, true);
  const r = await act(p.leader.token, `/plans/${plan.id}/actions/start`);
  expectError(r, 409, 'gate_measure_unconfirmed');
  const gate = r.json.error.details.gates.find((g) => g.code === 'gate_measure_unconfirmed');
  assert.deepEqual(gate.open.map((m) => m.id), [added.id], 'the open measure is named');
  assert.equal(gate.open[0].supplement, true);
  expectStatus(await act(p.crew.token, `/tickets/${t.id}/measures/${added.id}/actions/confirm`), 200);
  expectStatus(await act(p.leader.token, `/plans/${plan.id}/actions/start`), 200);
});

test(`${LABEL} gate_measure_unconfirmed: a measure added during a pause must be ticked before resume`, async () => {
  const p = await people();
  const { plan } = await publishedPlan(p);
  const t = await readyToStart(p, plan);
  expectStatus(await act(p.leader.token, `/plans/${plan.id}/actions/start`), 200);
  expectStatus(await act(p.leader.token, `/plans/${plan.id}/actions/pause`), 200);
  const sup = await act(p.leader.token, `/tickets/${t.id}/measures`, { text: '暂停期间补充：复工前重新验电' });
  expectStatus(sup, 201);
  const added = sup.json.measures.find((m) => m.text.startsWith('暂停期间补充'));
  const r = await act(p.leader.token, `/plans/${plan.id}/actions/resume`);
  expectError(r, 409, 'gate_measure_unconfirmed');
  assert.deepEqual(r.json.error.details.gates.find((g) => g.code === 'gate_measure_unconfirmed').open.map((m) => m.id), [added.id]);
  expectStatus(await act(p.crew.token, `/tickets/${t.id}/measures/${added.id}/actions/confirm`), 200);
  expectStatus(await act(p.leader.token, `/plans/${plan.id}/actions/resume`), 200);
});

// Issue 14 item 1 (offline first), the server's side: a write replayed from a phone's outbox carries the device's
// time of the act (X-Device-Time, epoch ms) and its Idempotency-Key. The record keeps the device's time beside the
// server's own (device_at, confirm_device_at, done_device_at) and returns it; a replay with the same key is
// answered from the first answer and records nothing twice; a malformed device time is refused, nothing recorded.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { api, adminToken, expectError, expectStatus, LABEL, PASSWORD, uniq } from './lib.mjs';
import {
  today, people, publishedPlan, act, newTicket, measuresOf, riskBody, issuedReceivedPermitted, risksConfirmed, fill, photo,
} from './fieldwork_lib.mjs';

/** A write as the outbox sends it. */
const replay = (token, method, path, body, key, device) => api(method, path, {
  token, body, headers: { 'Idempotency-Key': key, 'X-Device-Time': device === undefined ? undefined : String(device) } });

test(`${LABEL} device time: a risk point and a measure confirmed offline keep the phone's time beside the server's; the replay lands once`, async () => {
  const p = await people();
  const { plan } = await publishedPlan(p);
  const t = await newTicket(p, plan);
  expectStatus(await act(p.issuer.token, `/tickets/${t.id}/actions/issue`, { password: PASSWORD }), 200);
  expectStatus(await act(p.leader.token, `/tickets/${t.id}/actions/receive`, { password: PASSWORD }), 200);
  const extra = await act(p.leader.token, `/tickets/${t.id}/measures`, { text: '补充措施 ' + uniq('m') });
  expectStatus(extra, 201);
  const m = extra.json.measures.find((x) => !x.risk_id && x.done_at === null);
  const risk = t.risks.find((r) => !r.evidence);
  const before = Date.now() - 3600e3; // an hour ago, in a basement

  const key = uniq('k');
  const a = await replay(p.leader.token, 'POST', `/tickets/${t.id}/risks/${risk.id}/actions/confirm`, await riskBody(p.leader.token, t, risk), key, before);
  expectStatus(a, 200);
  const r = a.json.risks.find((x) => x.id === risk.id);
  assert.equal(r.confirm_device_at, before, 'the device time returned beside confirmed_at');
  assert.ok(r.confirmed_at >= before + 3600e3 - 60e3, 'the server\'s own time stays the record\'s time');
  for (const x of a.json.measures.filter((y) => y.risk_id === risk.risk_id)) assert.equal(x.done_device_at, before);
  // the same write again (the answer was lost with the signal): the first answer, nothing recorded twice
  const again = await replay(p.leader.token, 'POST', `/tickets/${t.id}/risks/${risk.id}/actions/confirm`, await riskBody(p.leader.token, t, risk), key, before);
  expectStatus(again, 200);
  assert.equal(again.headers.get('idempotent-replayed'), 'true');
  assert.equal(again.json.risks.find((x) => x.id === risk.id).confirmed_at, r.confirmed_at);

  const mm = await replay(p.leader.token, 'POST', `/tickets/${t.id}/measures/${m.id}/actions/confirm`, {}, uniq('k'), before + 1000);
  expectStatus(mm, 200);
  assert.equal(mm.json.measures.find((x) => x.id === m.id).done_device_at, before + 1000);
  // without the header (online), no device time: null, not the server's time twice
  const other = t.risks.find((x) => !x.evidence && x.id !== risk.id);
  const on = await act(p.leader.token, `/tickets/${t.id}/risks/${other.id}/actions/confirm`, await riskBody(p.leader.token, t, other));
  expectStatus(on, 200);
  assert.equal(on.json.risks.find((x) => x.id === other.id).confirm_device_at, null);
  const got = (await api('GET', `/tickets/${t.id}`, { token: p.leader.token })).json;
  assert.equal(got.risks.find((x) => x.id === risk.id).confirm_device_at, before, 'kept on the record');
  assert.equal(got.measures.find((x) => x.id === m.id).done_device_at, before + 1000);
});

test(`${LABEL} device time: a malformed X-Device-Time is refused with the header named; nothing recorded`, async () => {
  const p = await people();
  const { plan } = await publishedPlan(p);
  const t = await newTicket(p, plan);
  expectStatus(await act(p.issuer.token, `/tickets/${t.id}/actions/issue`, { password: PASSWORD }), 200);
  expectStatus(await act(p.leader.token, `/tickets/${t.id}/actions/receive`, { password: PASSWORD }), 200);
  const risk = t.risks.find((r) => !r.evidence);
  const body = { measure_ids: measuresOf(t, risk).map((x) => x.id) };
  for (const bad of ['2026-12-07T09:00:00Z', '-5', '0', '12.5', '9999999999999999', ' ']) {
    const res = await replay(p.leader.token, 'POST', `/tickets/${t.id}/risks/${risk.id}/actions/confirm`, body, uniq('k'), bad);
    expectError(res, 400, 'invalid_field', 'X-Device-Time');
  }
  const got = (await api('GET', `/tickets/${t.id}`, { token: p.leader.token })).json;
  assert.equal(got.risks.find((x) => x.id === risk.id).confirmed_at, null, 'nothing recorded');
});

test(`${LABEL} device time: steps, attendance and the survey keep it too`, async () => {
  const p = await people();
  const { plan, orders } = await publishedPlan(p, { kinds: ['lv_meter_install'] });
  const dev = Date.now() - 600e3;
  const sv = await replay(p.leader.token, 'PUT', `/plans/${plan.id}/survey`, { place: '地下室', content: '换表' }, uniq('k'), dev);
  expectStatus(sv, 200);
  assert.equal(sv.json.device_at, dev);
  expectStatus(await act(p.leader.token, `/plans/${plan.id}/briefing`), 200);
  expectStatus(await act(p.leader.token, `/plans/${plan.id}/briefing/actions/hold`), 200);
  const sg = await replay(p.crew.token, 'POST', `/plans/${plan.id}/briefing/actions/sign`, {}, uniq('k'), dev + 1);
  expectStatus(sg, 200);
  assert.equal(sg.json.attendance.find((x) => x.user_id === p.crew.user.id).device_at, dev + 1);
  await leaderSigns(p, plan);
  const t = await issuedReceivedPermitted(p, await newTicket(p, plan));
  await risksConfirmed(p, t);
  expectStatus(await act(p.leader.token, `/plans/${plan.id}/actions/start`), 200);
  const steps = (await api('GET', `/plans/${plan.id}/steps`, { token: p.leader.token })).json;
  const s1 = steps.items[0].steps[0];
  const key = uniq('k');
  const body = { work_order_id: orders[0].id, step_no: 1, result: 'ok', records: fill(s1, {}) };
  if (s1.photo_required) body.photo_ids = [await photo(p.leader.token)];
  const st = await replay(p.leader.token, 'POST', `/plans/${plan.id}/steps`, body, key, dev + 2);
  expectStatus(st, 201);
  assert.equal(st.json.items[0].steps[0].done.device_at, dev + 2);
  const st2 = await replay(p.leader.token, 'POST', `/plans/${plan.id}/steps`, body, key, dev + 2);
  expectStatus(st2, 201);
  assert.equal(st2.headers.get('idempotent-replayed'), 'true');
  const now = (await api('GET', `/plans/${plan.id}/steps`, { token: p.leader.token })).json;
  assert.equal(now.progress.done, 1, 'the step recorded once');
  assert.equal(now.items[0].steps[0].done.device_at, dev + 2);
});

async function leaderSigns(p, plan) {
  expectStatus(await act(p.leader.token, `/plans/${plan.id}/briefing/actions/sign`), 200);
}

test(`${LABEL} device time: a tool checked out and returned by scan offline keeps the phone's times`, async () => {
  const p = await people();
  const { plan } = await publishedPlan(p, { ready: false });
  const admin = await adminToken();
  const need = (await api('GET', `/plans/${plan.id}/tools`, { token: p.leader.token })).json;
  const tool = await api('POST', '/tools', { token: admin, body: { asset_no: uniq('T-'), kind: need.needed[0].kind, last_test_date: today(), last_test_result: 'pass' } });
  expectStatus(tool, 201);
  const dev = Date.now() - 900e3;
  const co = await replay(p.leader.token, 'POST', `/tools/${tool.json.id}/actions/checkout`, { plan_id: plan.id }, uniq('k'), dev);
  expectStatus(co, 200);
  assert.equal(co.json.tool.checkout_device_at, dev);
  assert.ok(co.json.tool.checked_out_at > dev);
  assert.equal((await api('GET', `/tools/${tool.json.id}`, { token: admin })).json.checkout_device_at, dev);
  const rt = await replay(p.leader.token, 'POST', `/tools/${tool.json.id}/actions/return`, { condition: 'good' }, uniq('k'), dev + 5);
  expectStatus(rt, 200);
  assert.equal(rt.json.return_device_at, dev + 5);
  assert.equal(rt.json.custody, 'in_store');
  assert.equal(rt.json.checkout_device_at, null, 'cleared with checked_out_at');
  // online (no header): null
  const co2 = await act(p.leader.token, `/tools/${tool.json.id}/actions/checkout`, { plan_id: plan.id });
  expectStatus(co2, 200);
  assert.equal(co2.json.tool.checkout_device_at, null);
});

// Issue 14 item 3: safety steps that mean something. A risk point is confirmed once together with every one of its
// measures (who, when, where), a key risk only with a photo; each crew member confirms attendance of the pre-shift
// meeting themselves — on their own phone, or on the leader's screen with their handwritten mark and their own
// password — and the job's start waits for every one of them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { api, adminToken, userWithToken, expectError, expectStatus, LABEL, PASSWORD, BASE_URL, MISSING_ID } from './lib.mjs';
import {
  people, qualify, publishedPlan, act, newTicket, issuedReceivedPermitted, briefed, measuresOf, riskBody, upload,
} from './fieldwork_lib.mjs';

const PNG = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.from('signature pad stroke')]);

async function signaturePng(token) {
  const res = await fetch(`${BASE_URL}/api/v1/attachments?filename=signature.png`, {
    method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'image/png' }, body: PNG });
  assert.equal(res.status, 201, await res.clone().text());
  return (await res.json()).id;
}

/** A ticket issued and received (measures not ticked yet): where the leader confirms risks on site. */
async function received(p, plan) {
  const t = await newTicket(p, plan);
  expectStatus(await act(p.issuer.token, `/tickets/${t.id}/actions/issue`, { password: PASSWORD }), 200);
  const r = await act(p.leader.token, `/tickets/${t.id}/actions/receive`, { password: PASSWORD });
  expectStatus(r, 200);
  return r.json;
}

const getTicket = async (p, t) => (await api('GET', `/tickets/${t.id}`, { token: p.leader.token })).json;
const confirmRisk = (token, t, r, body) => act(token, `/tickets/${t.id}/risks/${r.id}/actions/confirm`, body);

test(`${LABEL} risk point: one confirmation records every measure of it (who, when, where); never twice`, async () => {
  const p = await people();
  const { plan } = await publishedPlan(p);
  const t = await received(p, plan);
  const risk = t.risks.find((r) => !r.evidence && measuresOf(t, r).length >= 2);
  assert.ok(risk, 'a plain risk point with several measures');
  const ms = measuresOf(t, risk);
  assert.ok(ms.every((m) => m.done_at === null), 'nothing ticked before');
  const ok = await confirmRisk(p.leader.token, t, risk, { measure_ids: ms.map((m) => m.id), lat: 31.2304, lng: 121.4737, place: '和平街 7 号配电室' });
  expectStatus(ok, 200);
  const r = ok.json.risks.find((x) => x.id === risk.id);
  assert.equal(r.confirmed_by, p.leader.user.id);
  assert.equal(r.confirmed_by_name, p.leader.user.display_name);
  assert.ok(r.confirmed_at > 0);
  assert.equal(r.confirm_lat, '31.230400');
  assert.equal(r.confirm_lng, '121.473700');
  assert.equal(r.confirm_place, '和平街 7 号配电室');
  for (const m of ok.json.measures.filter((x) => x.risk_id === risk.risk_id)) {
    assert.equal(m.done_by, p.leader.user.id, 'each measure of the risk point is confirmed by the same confirmation');
    assert.equal(m.done_at, r.confirmed_at);
    assert.equal(m.done_with, risk.id);
    assert.equal(m.done_place, '和平街 7 号配电室');
    assert.equal(m.done_lat, '31.230400');
  }
  assert.ok(ok.json.measures.filter((x) => x.risk_id !== risk.risk_id).every((m) => m.done_at === null), 'other risk points untouched');
  // a second confirmation (another phone, a stale page) does not rewrite the first
  const again = await confirmRisk(p.leader.token, t, risk, { measure_ids: ms.map((m) => m.id), place: '别处' });
  expectError(again, 409, 'risk_already_confirmed');
  assert.equal(again.json.error.details.confirmed_at, r.confirmed_at);
  assert.equal((await getTicket(p, t)).risks.find((x) => x.id === risk.id).confirm_place, '和平街 7 号配电室');
  // the whole ticket: one request per risk point, and with that every risk-bound measure is ticked — the
  // permitter permits without a tap per measure
  let requests = 0;
  for (const rk of t.risks.filter((x) => x.id !== risk.id)) {
    expectStatus(await confirmRisk(p.leader.token, t, rk, await riskBody(p.leader.token, t, rk)), 200);
    requests++;
  }
  assert.equal(requests + 1, t.risks.length);
  assert.ok(t.measures.length > t.risks.length, 'fewer confirmations than measures');
  const all = await getTicket(p, t);
  assert.ok(all.measures.every((m) => m.done_at > 0 && m.done_with), 'every measure confirmed with its risk point');
  expectStatus(await act(p.permitter.token, `/tickets/${t.id}/actions/permit`, { password: PASSWORD, permit_method: 'onsite' }), 200);
});

test(`${LABEL} risk point: a confirmation that leaves a measure out is refused, nothing recorded`, async () => {
  const p = await people();
  const { plan } = await publishedPlan(p);
  const t = await received(p, plan);
  const risk = t.risks.find((r) => !r.evidence && measuresOf(t, r).length >= 2);
  const ms = measuresOf(t, risk);
  const short = await confirmRisk(p.leader.token, t, risk, { measure_ids: ms.slice(1).map((m) => m.id) });
  expectError(short, 422, 'risk_measure_left_out');
  assert.deepEqual(short.json.error.details.left_out.map((m) => m.id), [ms[0].id], 'the measure left out is named');
  assert.equal(short.json.error.details.left_out[0].text, ms[0].text);
  // no list at all leaves every measure out
  const none = await confirmRisk(p.leader.token, t, risk, {});
  expectError(none, 422, 'risk_measure_left_out');
  assert.equal(none.json.error.details.left_out.length, ms.length);
  // a measure of another risk point is not this one's
  const other = t.risks.find((r) => r.id !== risk.id && measuresOf(t, r).length > 0);
  expectError(await confirmRisk(p.leader.token, t, risk, { measure_ids: [...ms.map((m) => m.id), measuresOf(t, other)[0].id] }),
    400, 'invalid_field', 'measure_ids');
  const after = await getTicket(p, t);
  assert.equal(after.risks.find((x) => x.id === risk.id).confirmed_at, null);
  assert.ok(after.measures.every((m) => m.done_at === null), 'nothing ticked by a refused confirmation');
});

test(`${LABEL} key risk point: refused without a photo; confirmed with one`, async () => {
  const p = await people();
  const { plan } = await publishedPlan(p, { kinds: ['ct_meter_install'] });
  const t = await received(p, plan);
  const key = t.risks.find((r) => r.risk_id === 'ct-01');
  assert.equal(key.evidence, 'photo', 'CT secondary open circuit is a key risk (data/kb/risks.json)');
  assert.match(key.evidence_zh, /短接/);
  assert.ok(key.evidence_en.length > 0);
  const ids = measuresOf(t, key).map((m) => m.id);
  const refused = await confirmRisk(p.leader.token, t, key, { measure_ids: ids });
  expectError(refused, 422, 'risk_photo_required');
  assert.equal(refused.json.error.details.risk_id, key.id);
  assert.equal(refused.json.error.details.evidence_zh, key.evidence_zh, 'the refusal says what the photo shows');
  expectError(await confirmRisk(p.leader.token, t, key, { measure_ids: ids, evidence_id: MISSING_ID }), 400, 'invalid_field', 'evidence_id');
  // a plain risk point needs no photo
  const plain = t.risks.find((r) => !r.evidence);
  assert.equal(plain.evidence, null);
  expectStatus(await confirmRisk(p.leader.token, t, plain, { measure_ids: measuresOf(t, plain).map((m) => m.id) }), 200);
  const photo = await upload(p.leader.token, t.id);
  const ok = await confirmRisk(p.leader.token, t, key, { measure_ids: ids, evidence_id: photo.id, place: '1 号计量柜' });
  expectStatus(ok, 200);
  const r = ok.json.risks.find((x) => x.id === key.id);
  assert.equal(r.evidence_id, photo.id);
  assert.equal(r.confirm_place, '1 号计量柜');
  // only the leader answers for risk points
  const key2 = t.risks.find((x) => x.evidence === 'photo' && x.id !== key.id);
  if (key2) expectError(await confirmRisk(p.crew.token, t, key2, await riskBody(p.crew.token, t, key2)), 403, 'not_the_leader');
});

test(`${LABEL} attendance: each member confirms their own; the leader cannot confirm for another; the start waits for all`, async () => {
  const p = await people();
  const crew2 = await userWithToken(['crew']);
  const { plan } = await publishedPlan(p, { crew: [p.crew, crew2] });
  await qualify(crew2);
  const t = await issuedReceivedPermitted(p, await newTicket(p, plan));
  for (const r of t.risks) expectStatus(await confirmRisk(p.leader.token, t, r, await riskBody(p.leader.token, t, r)), 200);
  expectStatus(await act(p.leader.token, `/plans/${plan.id}/briefing`), 200);
  expectStatus(await act(p.leader.token, `/plans/${plan.id}/briefing/actions/hold`), 200);
  const sign = (token, body) => act(token, `/plans/${plan.id}/briefing/actions/sign`, body);
  // the leader's one tap for someone else is refused
  const forOther = await sign(p.leader.token, { user_id: p.crew.user.id });
  expectError(forOther, 403, 'attendance_not_own');
  assert.equal(forOther.json.error.details.user_id, p.crew.user.id);
  expectError(await sign(p.leader.token, { user_id: p.crew.user.id, signature_id: await signaturePng(p.leader.token) }), 403, 'attendance_not_own');
  // nor may a crew member carry another's, even with their password
  expectError(await sign(p.crew.token, { user_id: crew2.user.id, password: PASSWORD, signature_id: await signaturePng(p.crew.token) }), 403, 'not_the_leader');
  const stranger = await userWithToken(['crew']);
  expectError(await sign(p.leader.token, { user_id: stranger.user.id, password: PASSWORD, signature_id: await signaturePng(p.leader.token) }), 400, 'invalid_field', 'user_id');
  expectError(await sign(p.leader.token, { user_id: crew2.user.id, password: 'Wrong-pass-12345', signature_id: await signaturePng(p.leader.token) }), 403, 'reauth_failed');
  expectError(await sign(p.leader.token, { user_id: crew2.user.id, password: PASSWORD }), 422, 'attendance_signature_required', 'signature_id');
  let b = (await api('GET', `/plans/${plan.id}/briefing`, { token: p.leader.token })).json;
  assert.deepEqual(b.attendance, [], 'no refusal recorded anything');
  // the leader signs their own; the start names the two crew members still missing
  expectStatus(await sign(p.leader.token, {}), 200);
  let r = await act(p.leader.token, `/plans/${plan.id}/actions/start`);
  expectError(r, 409, 'gate_briefing_missing');
  assert.deepEqual(r.json.error.details.gates.map((g) => g.code), ['gate_briefing_missing']);
  assert.deepEqual(r.json.error.details.gates[0].not_signed.map((u) => u.id).sort(), [p.crew.user.id, crew2.user.id].sort());
  // crew member 1 on their own phone, with where
  const own = await sign(p.crew.token, { lat: 31.2304, lng: 121.4737, place: '和平街 7 号' });
  expectStatus(own, 200);
  const a1 = own.json.attendance.find((a) => a.user_id === p.crew.user.id);
  assert.equal(a1.method, 'own_device');
  assert.equal(a1.recorded_by, p.crew.user.id);
  assert.equal(a1.lat, '31.230400');
  assert.equal(a1.place, '和平街 7 号');
  r = await act(p.leader.token, `/plans/${plan.id}/actions/start`);
  expectError(r, 409, 'gate_briefing_missing');
  assert.deepEqual(r.json.error.details.gates[0].not_signed.map((u) => u.id), [crew2.user.id]);
  // crew member 2 without a phone: on the leader's screen, their mark and their own password
  const sig = await signaturePng(p.leader.token);
  const onScreen = await sign(p.leader.token, { user_id: crew2.user.id, password: PASSWORD, signature_id: sig, place: '和平街 7 号' });
  expectStatus(onScreen, 200);
  const a2 = onScreen.json.attendance.find((a) => a.user_id === crew2.user.id);
  assert.equal(a2.method, 'leader_screen');
  assert.equal(a2.recorded_by, p.leader.user.id);
  assert.equal(a2.recorded_by_name, p.leader.user.display_name);
  assert.equal(a2.signature_id, sig);
  b = onScreen.json;
  assert.deepEqual(b.members[0], { ...b.members[0], id: p.leader.user.id, role: 'leader', confirmed: true }, 'the leader first');
  assert.deepEqual(b.members.slice(1).map((m) => m.id).sort(), [p.crew.user.id, crew2.user.id].sort());
  assert.ok(b.members.every((m) => m.confirmed && m.signed_at > 0), 'every member with their state');
  assert.equal(b.members.find((m) => m.id === crew2.user.id).method, 'leader_screen');
  assert.deepEqual(b.missing, []);
  // a second confirmation keeps the first
  expectStatus(await sign(p.crew.token, { place: '别处' }), 200);
  const kept = (await api('GET', `/plans/${plan.id}/briefing`, { token: p.crew.token })).json.attendance.find((a) => a.user_id === p.crew.user.id);
  assert.equal(kept.place, '和平街 7 号');
  expectStatus(await act(p.leader.token, `/plans/${plan.id}/actions/start`), 200);
});

test(`${LABEL} attendance of the old helper flow still works: briefed() signs each member from their own session`, async () => {
  const p = await people();
  const { plan } = await publishedPlan(p);
  await issuedReceivedPermitted(p, await newTicket(p, plan));
  await briefed(p, plan, [p.leader, p.crew]);
  const b = (await api('GET', `/plans/${plan.id}/briefing`, { token: p.leader.token })).json;
  assert.ok(b.attendance.every((a) => a.method === 'own_device' && a.recorded_by === a.user_id));
  assert.ok(b.members.every((m) => m.confirmed));
});

test(`${LABEL} knowledge base: a risk's evidence is "photo" or absent`, async () => {
  const admin = await adminToken();
  const r = (await api('GET', '/kb/risks/lv-09', { token: admin })).json;
  assert.equal(r.evidence, 'photo', 'work at height on a ladder is a key risk');
  expectError(await api('PUT', '/kb/risks/lv-09', { token: admin, body: { ...r, evidence: 'video' } }), 400, 'invalid_field', 'item.evidence');
  assert.equal((await api('GET', '/kb/risks/lv-09', { token: admin })).json.evidence, 'photo', 'nothing changed');
});

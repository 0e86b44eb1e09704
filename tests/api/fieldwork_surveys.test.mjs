// Site surveys (R3.3) and their link to the ticket (R3.13: survey → tickets).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { api, userWithToken, createOrgUnit, expectError, expectStatus, LABEL, BASE_URL } from './lib.mjs';

const today = () => new Date(Date.now() + 8 * 3600e3).toISOString().slice(0, 10);
const PNG = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.from('survey photo')]);

async function setup() {
  const [dispatcher, leader, crew] = await Promise.all([userWithToken(['dispatcher']), userWithToken(['leader']), userWithToken(['crew'])]);
  const team = await createOrgUnit('team');
  const o = await api('POST', '/work-orders', { token: dispatcher.token, body: { kind: 'ct_meter_install', customer_name: '临澜纺织厂' } });
  expectStatus(o, 201);
  const plan = await api('POST', '/plans', { token: dispatcher.token, body: {
    date: today(), team_id: team.id, leader_id: leader.user.id, crew_ids: [crew.user.id], work_order_ids: [o.json.id] } });
  expectStatus(plan, 201);
  return { dispatcher, leader, crew, plan: plan.json };
}

const SURVEY = {
  place: '临澜纺织厂 10kV 配电室 2 号计量柜',
  content: '更换三相四线电能表，联合接线盒短接 CT 二次',
  outage_scope: '2 号计量柜低压出线开关以下',
  live_parts: '计量柜上方 0.4kV 母排带电',
  risks: [{ hazard: '计量柜上方母排带电，误碰触电', level: 2, measures: ['母排加装绝缘罩', '专人监护'] }],
  measures: ['断开 2 号出线开关并挂“禁止合闸”牌'],
  notes: '客户电工张师傅配合，电话 139…',
};

test(`${LABEL} survey: the leader records it with photos; crew cannot; replacing needs the version`, async () => {
  const s = await setup();
  expectError(await api('PUT', `/plans/${s.plan.id}/survey`, { token: s.crew.token, body: SURVEY }), 403, 'forbidden');
  const put = await api('PUT', `/plans/${s.plan.id}/survey`, { token: s.leader.token, body: SURVEY });
  expectStatus(put, 200);
  assert.equal(put.json.surveyed_by, s.leader.user.id);
  assert.deepEqual(put.json.risks, SURVEY.risks);
  const up = await fetch(`${BASE_URL}/api/v1/attachments?entity=survey&entity_id=${put.json.id}&filename=cabinet.png`, {
    method: 'POST', headers: { authorization: `Bearer ${s.leader.token}`, 'content-type': 'image/png' }, body: PNG });
  assert.equal(up.status, 201);
  const got = await api('GET', `/plans/${s.plan.id}/survey`, { token: s.crew.token });
  assert.equal(got.json.photos.length, 1);
  assert.equal(got.json.photos[0].content_type, 'image/png');
  expectError(await api('PUT', `/plans/${s.plan.id}/survey`, { token: s.leader.token, body: SURVEY }), 409, 'version_conflict');
  const again = await api('PUT', `/plans/${s.plan.id}/survey`, { token: s.leader.token, body: { ...SURVEY, notes: '复勘', version: put.json.version } });
  expectStatus(again, 200);
  assert.equal(again.json.version, put.json.version + 1);
  expectError(await api('PUT', `/plans/${s.plan.id}/survey`, { token: s.leader.token, body: { ...SURVEY, risks: [{ level: 9 }], version: again.json.version } }), 400, 'invalid_field', 'risks');
  expectError(await api('PUT', `/plans/${s.plan.id}/survey`, { token: s.leader.token, body: { ...SURVEY, place: '' , version: again.json.version } }), 400, 'invalid_field', 'place');
});

test(`${LABEL} survey → ticket: place, outage scope, live parts, risks and measures carry over`, async () => {
  const s = await setup();
  expectStatus(await api('PUT', `/plans/${s.plan.id}/survey`, { token: s.leader.token, body: SURVEY }), 200);
  const t = await api('POST', '/tickets', { token: s.leader.token, body: { plan_id: s.plan.id } });
  expectStatus(t, 201);
  assert.equal(t.json.place, SURVEY.place);
  assert.equal(t.json.outage_scope, SURVEY.outage_scope);
  assert.equal(t.json.live_parts, SURVEY.live_parts);
  const found = t.json.risks.find((r) => r.hazard === SURVEY.risks[0].hazard);
  assert.ok(found, 'the survey risk is on the ticket');
  assert.equal(found.level, 2);
  const texts = t.json.measures.map((m) => m.text);
  for (const m of [...SURVEY.risks[0].measures, ...SURVEY.measures]) assert.ok(texts.includes(m), m);
  assert.ok(t.json.risks.length > 1, 'library risks stay too');
});

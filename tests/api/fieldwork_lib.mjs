// Shared scenario helpers for the field-work API tests: people with their roles, a published plan, a ticket
// taken through issue → receive → permit, the pre-shift meeting, risk confirmation, uploads, and the attacker's
// direct database edit.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { api, adminToken, userWithToken, createOrgUnit, expectStatus, uniq, PASSWORD, BASE_URL } from './lib.mjs';

export const today = () => new Date(Date.now() + 8 * 3600e3).toISOString().slice(0, 10);
export const JPEG = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.from('fieldgrid test photo')]);

export async function people() {
  const [dispatcher, issuer, permitter, leader, crew] = await Promise.all([
    userWithToken(['dispatcher']), userWithToken(['issuer']), userWithToken(['permitter']),
    userWithToken(['leader']), userWithToken(['crew']),
  ]);
  return { dispatcher, issuer, permitter, leader, crew };
}

/** A passed safety-rules exam for each person (what gate_person_unqualified asks for). */
export async function qualify(...users) {
  const admin = await adminToken();
  for (const u of users) {
    const r = await api('POST', `/users/${u.user.id}/qualifications`, { token: admin,
      body: { kind: 'safety_exam', name: '国家电网公司电力安全工作规程考试', score: 92, issued_on: today() } });
    expectStatus(r, 201);
  }
}

/** In-date tools of every kind the plan needs, checked out for it by its leader (gate_tool_not_ready). */
export async function equip(plan, leader) {
  const admin = await adminToken();
  const need = await api('GET', `/plans/${plan.id}/tools`, { token: leader.token });
  expectStatus(need, 200);
  for (const n of need.json.needed) {
    const tool = await api('POST', '/tools', { token: admin, body: { asset_no: uniq('T-'), kind: n.kind, last_test_date: today(), last_test_result: 'pass' } });
    expectStatus(tool, 201);
    expectStatus(await api('POST', `/tools/${tool.json.id}/actions/checkout`, { token: leader.token, body: { plan_id: plan.id } }), 200);
  }
}

/** A published plan; by default its people are qualified and its tools checked out (ready: false skips that). */
export async function publishedPlan(p, { kinds = ['lv_meter_install'], crew = [p.crew], leader = p.leader, ready = true } = {}) {
  const team = await createOrgUnit('team');
  const orders = [];
  for (const kind of kinds) {
    const o = await api('POST', '/work-orders', { token: p.dispatcher.token,
      body: { kind, customer_name: '王秀英', site_address: '临澜市和平街 7 号配电室', meter_asset_no: '1100' + Date.now() % 1e7 } });
    expectStatus(o, 201);
    orders.push(o.json);
  }
  const plan = await api('POST', '/plans', { token: p.dispatcher.token, body: {
    date: today(), team_id: team.id, leader_id: leader.user.id, crew_ids: crew.map((c) => c.user.id),
    work_order_ids: orders.map((o) => o.id) } });
  expectStatus(plan, 201);
  const pub = await api('POST', `/plans/${plan.json.id}/actions/publish`, { token: p.dispatcher.token });
  expectStatus(pub, 200);
  if (ready) {
    await qualify(leader, ...crew);
    await equip(pub.json, leader);
  }
  return { plan: pub.json, orders };
}

export const act = (token, path, body) => api('POST', path, { token, body });

export async function newTicket(p, plan) {
  const t = await act(p.leader.token, '/tickets', { plan_id: plan.id });
  expectStatus(t, 201);
  return t.json;
}

export async function issuedReceivedPermitted(p, ticket) {
  expectStatus(await act(p.issuer.token, `/tickets/${ticket.id}/actions/issue`, { password: PASSWORD }), 200);
  expectStatus(await act(p.leader.token, `/tickets/${ticket.id}/actions/receive`, { password: PASSWORD }), 200);
  for (const m of ticket.measures) {
    expectStatus(await act(p.permitter.token, `/tickets/${ticket.id}/measures/${m.id}/actions/confirm`), 200);
  }
  const permitted = await act(p.permitter.token, `/tickets/${ticket.id}/actions/permit`, { password: PASSWORD, permit_method: 'onsite' });
  expectStatus(permitted, 200);
  return permitted.json;
}

export async function briefed(p, plan, members) {
  expectStatus(await act(p.leader.token, `/plans/${plan.id}/briefing`), 200);
  expectStatus(await act(p.leader.token, `/plans/${plan.id}/briefing/actions/hold`), 200);
  for (const m of members) expectStatus(await act(m.token, `/plans/${plan.id}/briefing/actions/sign`), 200);
}

export async function risksConfirmed(p, ticket) {
  for (const r of ticket.risks) expectStatus(await act(p.leader.token, `/tickets/${ticket.id}/risks/${r.id}/actions/confirm`), 200);
}

export async function upload(token, entityId) {
  const res = await fetch(`${BASE_URL}/api/v1/attachments?entity=ticket&entity_id=${entityId}&filename=site.jpg`, {
    method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'image/jpeg' }, body: JPEG });
  assert.equal(res.status, 201, await res.clone().text());
  return res.json();
}

export function tamper(sql) {
  const url = process.env.FG_DB_URL;
  assert.ok(url, 'FG_DB_URL names the database (set by tests/run-suite.sh)');
  if (url.startsWith('postgres')) execFileSync('psql', ['-q', '-X', url, '-c', sql]);
  else execFileSync('sqlite3', [url, sql]);
}


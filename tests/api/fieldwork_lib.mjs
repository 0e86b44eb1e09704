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

/** The measures of a risk point on the ticket (what its confirmation must list). */
export const measuresOf = (ticket, risk) => ticket.measures.filter((m) => m.risk_id === risk.risk_id);

/** The body confirming a risk point once with all its measures; a photo (uploaded by token) for a key risk. */
export async function riskBody(token, ticket, risk, extra = {}) {
  const body = { measure_ids: measuresOf(ticket, risk).map((m) => m.id), ...extra };
  if (risk.evidence === 'photo' && !('evidence_id' in extra)) body.evidence_id = (await upload(token, ticket.id)).id;
  return body;
}

export async function risksConfirmed(p, ticket) {
  for (const r of ticket.risks) {
    expectStatus(await act(p.leader.token, `/tickets/${ticket.id}/risks/${r.id}/actions/confirm`, await riskBody(p.leader.token, ticket, r)), 200);
  }
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
  else execFileSync('sqlite3', ['-cmd', '.timeout 10000', url, sql]); // the server writes too (its lease, its jobs' turns): wait for its lock
}

/** A photo attachment for a step (JPEG bytes). */
export async function photo(token) {
  const res = await fetch(`${BASE_URL}/api/v1/attachments?filename=step.jpg`, {
    method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'image/jpeg' }, body: JPEG });
  assert.equal(res.status, 201, await res.clone().text());
  return (await res.json()).id;
}

/** A reading for each record of an SOP step: the given values, else something valid of the record's type. */
export function fill(step, values) {
  const r = {};
  for (const d of step.records) {
    if (d.key in values) r[d.key] = values[d.key];
    else if (d.type === 'choice') r[d.key] = d.choices[0].value;
    else if (d.type === 'asset_no') r[d.key] = `AS${Date.now() % 1e8}`;
    else if (d.type === 'reading' || d.type === 'number') r[d.key] = 1;
    else if (d.type === 'ratio') r[d.key] = '200/5';
    else r[d.key] = '已核对';
  }
  return r;
}

/** The work order's job, as the field crew runs any job: a plan of a new team, published; a ticket issued,
 * received, permitted; the pre-shift meeting; risks confirmed; started; each SOP step recorded (values: readings
 * by key; null: no steps); the ticket ended; the plan finished. p: people() with a qualified leader and crew.
 * Returns the finish's answer and the SOP seen. */
export async function runJob(p, workOrderId, values) {
  const team = await createOrgUnit('team');
  const plan = await act(p.dispatcher.token, '/plans', { date: today(), team_id: team.id, leader_id: p.leader.user.id,
    crew_ids: [p.crew.user.id], work_order_ids: [workOrderId] });
  expectStatus(plan, 201);
  const pub = await act(p.dispatcher.token, `/plans/${plan.json.id}/actions/publish`);
  expectStatus(pub, 200);
  await equip(pub.json, p.leader);
  const t = await issuedReceivedPermitted(p, await newTicket(p, pub.json));
  await briefed(p, pub.json, [p.leader, p.crew]);
  await risksConfirmed(p, t);
  expectStatus(await act(p.leader.token, `/plans/${plan.json.id}/actions/start`), 200);
  const list = await api('GET', `/plans/${plan.json.id}/steps`, { token: p.crew.token });
  expectStatus(list, 200);
  const mine = list.json.items.find((i) => i.id === workOrderId || i.work_order_id === workOrderId) || list.json.items[0];
  if (values) {
    const pic = await photo(p.crew.token);
    for (const s of mine.steps) {
      const r = await act(p.crew.token, `/plans/${plan.json.id}/steps`, { work_order_id: workOrderId, step_no: s.no, result: 'ok',
        records: fill(s, values), photo_ids: s.photo_required ? [pic] : [] });
      expectStatus(r, 201);
    }
  }
  const site = await upload(p.leader.token, t.id);
  expectStatus(await act(p.leader.token, `/tickets/${t.id}/actions/end`, { password: PASSWORD, photo_ids: [site.id] }), 200);
  const fin = await act(p.leader.token, `/plans/${plan.json.id}/actions/finish`);
  expectStatus(fin, 200);
  return { finish: fin.json, sop: mine.sop };
}

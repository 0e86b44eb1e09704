// Access matrix (issue 9, finding 5): every route the server serves × every role × a user of the entity's own team
// and of another team, against the declaration in access_matrix.json. The route list comes from the binary
// itself (`fieldgrid routes`), so a new route that nobody declared fails here instead of slipping through.
//
// Each cell is classified by what the server answered:
//   forbidden  403 forbidden (the route's permission, or the right to write an entity in scope)
//   hidden     404 not_found on a team-scoped route (the entity is out of the caller's scope: docs/api.md "Scope")
//   allowed    anything else but 401/5xx (2xx, or a 4xx about the request itself)
// Writes carry a body with one unknown field: the permission and scope checks come before the body is validated,
// so an allowed write is refused as 400 unknown_field and changes nothing.
import test from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import {
  api, adminToken, createOrgUnit, userWithToken, expectStatus, LABEL, MISSING_ID, BASE_URL,
} from './lib.mjs';
import { people, act, newTicket, today, JPEG } from './fieldwork_lib.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const matrix = JSON.parse(readFileSync(path.join(ROOT, 'tests/api/access_matrix.json'), 'utf8'));

function routeTable() {
  const bin = [process.env.FG_BIN, 'build/fieldgrid', 'build/asan/fieldgrid']
    .filter(Boolean).map((b) => path.resolve(ROOT, b)).find((b) => existsSync(b));
  assert.ok(bin, 'a fieldgrid binary (FG_BIN, build/fieldgrid or build/asan/fieldgrid)');
  return JSON.parse(execFileSync(bin, ['routes'], { encoding: 'utf8' }));
}
const routes = routeTable();
const key = (r) => `${r.method} ${r.pattern}`;

test(`${LABEL} access matrix: every route is declared, and every declaration is a route`, () => {
  const served = new Set(routes.map(key));
  const undeclared = [...served].filter((k) => !(k in matrix.routes));
  const stale = Object.keys(matrix.routes).filter((k) => !served.has(k));
  assert.deepEqual(undeclared, [], 'routes missing from tests/api/access_matrix.json');
  assert.deepEqual(stale, [], 'declared routes the server does not serve');
  for (const [k, d] of Object.entries(matrix.routes)) {
    assert.ok(d.roles === 'public' || d.roles === 'signed_in' || d.roles === 'customer' || d.roles === 'display' || d.roles === 'system' || (Array.isArray(d.roles) && d.roles.every((r) => matrix.roles.includes(r))), `${k}: roles`);
    assert.ok(d.scope === undefined || d.scope === 'team' || d.scope === 'list', `${k}: scope`);
  }
});

/** Runs fn over items, at most n at a time. */
async function pool(items, n, fn) {
  let next = 0;
  await Promise.all(Array.from({ length: n }, async () => {
    while (next < items.length) { const i = next++; await fn(items[i]); }
  }));
}

/** Two teams, a user of every role in each, and team A's field work: plan, ticket, survey, briefing, photo.
 * Made once for both tests (logging 30 people in is most of this file's time). */
let made;
const fixtures = () => (made ??= makeFixtures());
async function makeFixtures() {
  const [teamA, teamB] = await Promise.all([createOrgUnit('team'), createOrgUnit('team')]);
  const users = { A: {}, B: {} };
  await pool(matrix.roles.flatMap((role) => [['A', role, teamA], ['B', role, teamB]]), 6, async ([t, role, team]) => {
    users[t][role] = await userWithToken([role], { org_unit_id: team.id });
  });
  // the plan's own people belong to no unit: they see the plan because they are on it
  const p = await people();
  const order = await api('POST', '/work-orders', { token: p.dispatcher.token,
    body: { kind: 'lv_meter_install', customer_name: '王秀英', site_address: '临澜市和平街 7 号配电室', meter_asset_no: '1100' + (Date.now() % 1e7) } });
  expectStatus(order, 201);
  const created = await api('POST', '/plans', { token: p.dispatcher.token, body: {
    date: today(), team_id: teamA.id, leader_id: p.leader.user.id, crew_ids: [p.crew.user.id], work_order_ids: [order.json.id] } });
  expectStatus(created, 201);
  const plan = await act(p.dispatcher.token, `/plans/${created.json.id}/actions/publish`);
  expectStatus(plan, 200);
  const ticket = await newTicket(p, plan.json);
  const survey = await api('PUT', `/plans/${plan.json.id}/survey`, { token: p.leader.token, body: { place: '和平街 7 号配电室', content: '低压表计装接' } });
  expectStatus(survey, 200);
  expectStatus(await act(p.leader.token, `/plans/${plan.json.id}/briefing`), 200);
  const up = await fetch(`${BASE_URL}/api/v1/attachments?entity=ticket&entity_id=${ticket.id}&filename=site.jpg`, {
    method: 'POST', headers: { authorization: `Bearer ${p.crew.token}`, 'content-type': 'image/jpeg' }, body: JPEG });
  assert.equal(up.status, 201, await up.clone().text());
  return { teamA, teamB, users, p, plan: plan.json, ticket, survey: survey.json, photo: await up.json() };
}

/** The request a cell sends: path with parameters filled in, and a body for writes. */
function request(route, fx) {
  const d = matrix.routes[key(route)];
  const scoped = d.scope === 'team';
  const ids = scoped ? {
    plans: fx.plan.id, tickets: fx.ticket.id, attachments: fx.photo.id,
  } : {};
  const top = route.pattern.split('/')[3];
  let p = route.pattern.replace(/\{(\w+)\}/g, (m, name, off) => {
    if (!scoped) return MISSING_ID;
    if (name === 'id' && off === route.pattern.indexOf('{')) return ids[top];
    if (name === 'action') return top === 'plans' ? 'start' : 'issue';
    if (name === 'mid') return fx.ticket.measures[0]?.id ?? MISSING_ID;
    if (name === 'rid') return fx.ticket.risks[0]?.id ?? MISSING_ID;
    return MISSING_ID;
  });
  const write = route.method !== 'GET';
  if (key(route) === 'POST /api/v1/attachments')
    return { path: `${p}?entity=plan&entity_id=${fx.plan.id}&filename=x.jpg`, raw: true };
  if (key(route) === 'POST /api/v1/tickets') return { path: p, body: { plan_id: fx.plan.id, access_probe: 1 } };
  return { path: p, body: write ? { access_probe: 1 } : undefined, raw: route.max_body > 0 };
}

/** List routes: whether the list shows team A's entity. */
const LIST_PROBES = {
  'GET /api/v1/plans': (fx) => [`/plans?team_id=${fx.teamA.id}`, (j) => j.items.some((x) => x.id === fx.plan.id)],
  'GET /api/v1/tickets': (fx) => [`/tickets?plan_id=${fx.plan.id}`, (j) => j.items.some((x) => x.id === fx.ticket.id)],
  'GET /api/v1/board': (fx) => [`/board?date=${today()}`, (j) => j.jobs.some((x) => x.id === fx.plan.id)],
};

function expected(d, role, own) {
  // the customer portal's own routes: a customer session only (docs/api.md "Customer portal"), never a staff token
  if (d.roles === 'customer') return 'customer only';
  // the large screen's data: a display link's token only (docs/api.md "Metering: large screen"), never a staff token
  if (d.roles === 'display') return 'display link only';
  // an outside system's routes (the collection system's key): no user token, of any role, is taken
  if (d.roles === 'system') return 'system only';
  const allowed = d.roles === 'public' || d.roles === 'signed_in' || d.roles.includes(role);
  if (!allowed) return 'forbidden';
  const wide = matrix.company_wide.includes(role);
  if (d.scope === 'team' && !own && !wide) return 'hidden';
  if (d.writers && !d.writers.includes(role)) return 'forbidden';
  if (d.scope === 'list' && LIST_PROBES[d.key]) return own || wide ? 'allowed, listed' : 'allowed, left out';
  return 'allowed';
}

function classify(res, d) {
  const code = res.json?.error?.code;
  if (res.status === 401 && code === 'portal_session_required') return 'customer only';
  if (res.status === 401 && code === 'screen_link_invalid') return 'display link only';
  if (res.status === 401 && code === 'collection_key_required' && d.roles === 'system') return 'system only';
  if (res.status === 403 && code === 'forbidden') return 'forbidden';
  if (res.status === 404 && code === 'not_found' && d.scope === 'team') return 'hidden';
  if (res.status === 401 || res.status === 403 || res.status >= 500) return `HTTP ${res.status} ${code ?? ''}`;
  return 'allowed';
}

test(`${LABEL} scope: the plan's own people see it from any unit; phone numbers only for those who need them`, async () => {
  const fx = await fixtures();
  const { p, plan, users } = fx;
  // the crew member (no unit) sees the plan, its ticket and the photo; a crew member of team B does not
  for (const [who, want] of [[p.crew, 200], [users.B.crew, 404]]) {
    assert.equal((await api('GET', `/plans/${plan.id}`, { token: who.token })).status, want);
    assert.equal((await api('GET', `/tickets/${fx.ticket.id}/pdf`, { token: who.token })).status, want);
    assert.equal((await api('GET', `/attachments/${fx.photo.id}/content`, { token: who.token })).status, want);
  }
  // a viewer or tool keeper of the plan's own team may not attach to its survey; of another team, cannot see it
  const attach = (u) => fetch(`${BASE_URL}/api/v1/attachments?entity=survey&entity_id=${fx.survey.id}&filename=x.jpg`, {
    method: 'POST', headers: { authorization: `Bearer ${u.token}`, 'content-type': 'image/jpeg' }, body: JPEG });
  assert.equal((await attach(users.A.viewer)).status, 403);
  assert.equal((await attach(users.A.tool_keeper)).status, 403);
  assert.equal((await attach(users.B.viewer)).status, 404);
  assert.equal((await attach(p.leader)).status, 201);

  // phones: set a known number on the leader (as admin) and read it as different people
  const admin = await adminToken();
  const cur = await api('GET', `/users/${p.leader.user.id}`, { token: admin });
  expectStatus(cur, 200);
  expectStatus(await api('PATCH', `/users/${p.leader.user.id}`, { token: admin, body: { version: cur.json.version, phone: '13812345678' } }), 200);
  const leaderPhone = async (u) => {
    const r = await api('GET', `/directory/people?q=${encodeURIComponent(p.leader.user.username)}`, { token: u.token });
    expectStatus(r, 200);
    return r.json.items.find((x) => x.id === p.leader.user.id)?.phone;
  };
  assert.equal(await leaderPhone(p.crew), '13812345678', 'crew on the leader\'s plan');
  assert.equal(await leaderPhone(p.dispatcher), '13812345678', 'a dispatcher');
  assert.equal(await leaderPhone(users.A.crew), '138****5678', 'crew of the same team, not on the plan');
  assert.equal(await leaderPhone(users.B.leader), '138****5678', 'a leader of another team');
  const onPlan = async (u) => (await api('GET', `/plans/${plan.id}`, { token: u.token })).json.leader.phone;
  assert.equal(await onPlan(p.crew), '13812345678');
  assert.equal(await onPlan(users.A.viewer), '138****5678');
  assert.equal(await onPlan(users.A.manager), '13812345678');
});

// last: its logout cells end every fixture user's session
test(`${LABEL} access matrix: every route × every role × own team / other team answers as declared`, async () => {
  const fx = await fixtures();
  const cells = [];
  // logging out ends the session every other cell uses: those cells go last
  const ordered = [...routes].sort((a, b) => (key(a) === 'POST /api/v1/auth/logout') - (key(b) === 'POST /api/v1/auth/logout'));
  const late = [];
  for (const route of ordered)
    for (const role of matrix.roles)
      for (const own of [true, false])
        (key(route) === 'POST /api/v1/auth/logout' ? late : cells).push({ route, role, own });
  const wrong = [];
  const run = async ({ route, role, own }) => {
    const d = { ...matrix.routes[key(route)], key: key(route) };
    const u = fx.users[own ? 'A' : 'B'][role];
    const rq = request(route, fx);
    const probe = d.scope === 'list' && LIST_PROBES[d.key] ? LIST_PROBES[d.key](fx) : null;
    let res;
    if (rq.raw) {
      const r = await fetch(`${BASE_URL}${rq.path}`, { method: route.method, headers: { authorization: `Bearer ${u.token}`, 'content-type': 'image/jpeg' } });
      const text = await r.text();
      let json; try { json = JSON.parse(text); } catch { json = undefined; }
      res = { status: r.status, json, text };
    } else {
      res = await api(route.method, probe ? probe[0] : rq.path, { token: u.token, body: rq.body });
    }
    let got = classify(res, d);
    if (probe && got === 'allowed' && res.status === 200) got += probe[1](res.json) ? ', listed' : ', left out';
    const want = expected(d, role, own);
    if (got !== want) wrong.push({ route: d.key, role, team: own ? 'own' : 'other', want, got, status: res.status });
  };
  await pool(cells, 8, run);
  await pool(late, 8, run);
  assert.ok(cells.length + late.length >= routes.length * matrix.roles.length * 2);
  // one line per route and verdict, naming the roles: short enough for the test runner to report whole
  const groups = new Map();
  for (const w of wrong) {
    const k = `${w.route} (${w.team} team): expected ${w.want}, got ${w.got}`;
    groups.set(k, [...(groups.get(k) ?? []), `${w.role} ${w.status}`]);
  }
  const lines = [...groups].sort(([a], [b]) => a.localeCompare(b)).map(([k, v]) => `${k} — ${v.join(', ')}`);
  assert.equal(wrong.length, 0, `${wrong.length} cells differ from tests/api/access_matrix.json:\n${lines.join('\n')}`);
});

// Metering service management (issue 12 item 6, R1.2; docs/api.md "Metering: quality and evaluation"): finished
// metering jobs are registered from field work's own finish, a reproducible sample of a team's jobs is re-checked by
// someone who was not on them, and the month's evaluation counts on-time and first-pass rates and the findings.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { api, userWithToken, createOrgUnit, expectError, expectStatus, LABEL, PASSWORD } from './lib.mjs';
import { today, qualify, equip, act, newTicket, issuedReceivedPermitted, briefed, risksConfirmed, upload, people, runJob } from './fieldwork_lib.mjs';

/** The jobs a sample of rate % draws, worked out independently (Python's hashlib.blake2b, digest_size 32): the
 * smallest keys, each the first 8 bytes (big-endian) of BLAKE2b-256 over "<sample id>:<work order id>". */
function drawn(seed, ids, rate) {
  const py = 'import hashlib, sys, json; seed, ids, rate = sys.argv[1], json.loads(sys.argv[2]), int(sys.argv[3]);'
    + ' k = lambda c: (int.from_bytes(hashlib.blake2b(f"{seed}:{c}".encode(), digest_size=32).digest()[:8], "big"), c);'
    + ' n = (len(ids) * rate + 99) // 100; print(json.dumps(sorted(sorted(ids, key=k)[:n])))';
  return JSON.parse(execFileSync('python3', ['-c', py, seed, JSON.stringify(ids), String(rate)], { encoding: 'utf8' }));
}

/** People for a job whose leader is also metering-centre staff (to show a re-check refused to someone on the job). */
async function crew() {
  const [dispatcher, issuer, permitter, leader, member, checker, viewer] = await Promise.all([
    userWithToken(['dispatcher']), userWithToken(['issuer']), userWithToken(['permitter']),
    userWithToken(['leader', 'metering']), userWithToken(['crew']), userWithToken(['metering']), userWithToken(['viewer']),
  ]);
  await qualify(leader, member);
  return { dispatcher, issuer, permitter, leader, crew: member, checker, viewer };
}

/** Work orders of the given kinds for the team, worked through one plan to its finish (the crew's whole path). */
async function finishedJobs(p, team, specs) {
  const orders = [];
  for (const s of specs) {
    const o = await act(p.dispatcher.token, '/work-orders', { kind: s.kind, team_id: team.id, title: `计量作业 ${s.kind}`,
      customer_name: '李建国', site_address: '临澜市滨江路 18 号', meter_asset_no: `DB${Date.now() % 1e9}`, due_at: s.due_at });
    expectStatus(o, 201);
    orders.push(o.json);
  }
  const plan = await act(p.dispatcher.token, '/plans', { date: today(), team_id: team.id, leader_id: p.leader.user.id,
    crew_ids: [p.crew.user.id], work_order_ids: orders.map((o) => o.id) });
  expectStatus(plan, 201);
  const pub = await act(p.dispatcher.token, `/plans/${plan.json.id}/actions/publish`);
  expectStatus(pub, 200);
  await equip(pub.json, p.leader);
  const t = await issuedReceivedPermitted(p, await newTicket(p, pub.json));
  await briefed(p, pub.json, [p.leader, p.crew]);
  await risksConfirmed(p, t);
  expectStatus(await act(p.leader.token, `/plans/${plan.json.id}/actions/start`), 200);
  const site = await upload(p.leader.token, t.id);
  expectStatus(await act(p.leader.token, `/tickets/${t.id}/actions/end`, { password: PASSWORD, photo_ids: [site.id] }), 200);
  expectStatus(await act(p.leader.token, `/plans/${plan.json.id}/actions/finish`), 200);
  return orders;
}

const month = () => today().slice(0, 7);

test(`${LABEL} metering quality: finished jobs registered, a reproducible sample re-checked, the month evaluated`, async () => {
  const p = await crew();
  const team = await createOrgUnit('team');
  const hour = 3600e3;
  const orders = await finishedJobs(p, team, [
    { kind: 'lv_meter_install', due_at: Date.now() + 48 * hour },
    { kind: 'lv_meter_install', due_at: Date.now() + 48 * hour },
    { kind: 'meter_rotation', due_at: Date.now() + 48 * hour },
    { kind: 'meter_rotation', due_at: Date.now() - hour }, // already late when it finishes
    { kind: 'charger_inspection', due_at: Date.now() + 48 * hour }, // not metering work: never registered
  ]);
  const metering = orders.filter((o) => o.kind !== 'charger_inspection');

  // the evaluation counts the four metering jobs, one of them late; nothing re-checked yet
  const ev0 = await api('GET', `/metering/evaluation?month=${month()}&team_id=${team.id}`, { token: p.viewer.token });
  expectStatus(ev0, 200);
  assert.equal(ev0.json.teams.length, 1);
  const t0 = ev0.json.teams[0];
  assert.equal(t0.team_id, team.id);
  assert.equal(t0.team_name, team.name);
  assert.equal(t0.finished, 4);
  assert.equal(t0.on_time, 3);
  assert.equal(t0.on_time_rate, 75);
  assert.equal(t0.checked, 0);
  assert.equal(t0.first_pass_rate, null, 'no rate without a re-check');
  const rot = t0.kinds.find((k) => k.kind === 'meter_rotation');
  assert.deepEqual([rot.finished, rot.on_time, rot.on_time_rate], [2, 1, 50]);
  assert.ok(!t0.kinds.some((k) => k.kind === 'charger_inspection'));

  // a 50 % sample of the team's day draws 2 of the 4, the smallest keys of the sample's seed
  const refused = await act(p.viewer.token, '/metering/quality/samples', { team_id: team.id, from: today(), to: today(), rate: 50 });
  expectError(refused, 403, 'forbidden');
  const bad = await act(p.checker.token, '/metering/quality/samples', { team_id: team.id, from: today(), to: '2020-01-01', rate: 50 });
  expectError(bad, 400, 'invalid_field');
  assert.equal(bad.json.error.details.field, 'to');
  const s = await act(p.checker.token, '/metering/quality/samples', { team_id: team.id, from: today(), to: today(), rate: 50 });
  expectStatus(s, 201);
  assert.match(s.json.number, /^ZJ\d{8}-\d{4}$/);
  assert.equal(s.json.population, 4);
  assert.equal(s.json.checks.length, 2);
  assert.deepEqual(s.json.counts, { pending: 2, passed: 0, failed: 0 });
  const expected = drawn(s.json.id, metering.map((o) => o.id), 50);
  assert.equal(expected.length, 2);
  assert.deepEqual(s.json.checks.map((c) => c.work_order_id).sort(), expected, 'the draw is redone from the sample id alone');

  // what is left is drawn by the next sample; then nothing is left
  const s2 = await act(p.checker.token, '/metering/quality/samples', { team_id: team.id, from: today(), to: today(), rate: 100 });
  expectStatus(s2, 201);
  assert.equal(s2.json.population, 2);
  assert.deepEqual(s2.json.checks.map((c) => c.work_order_id).sort(),
    metering.map((o) => o.id).filter((id) => !expected.includes(id)).sort());
  expectError(await act(p.checker.token, '/metering/quality/samples', { team_id: team.id, from: today(), to: today(), rate: 100 }),
    409, 'quality_sample_empty');

  // re-checks: the job's own leader may not re-check it; a failed one names a finding; recorded once
  const [c1, c2] = s.json.checks;
  expectError(await act(p.leader.token, `/metering/quality/checks/${c1.id}/result`, { result: 'passed' }), 409, 'quality_checker_on_job');
  expectError(await act(p.checker.token, `/metering/quality/checks/${c1.id}/result`, { result: 'failed' }), 409, 'quality_finding_required');
  const badFinding = await act(p.checker.token, `/metering/quality/checks/${c1.id}/result`,
    { result: 'failed', findings: [{ severity: 'huge', category: 'seal', description: 'x' }] });
  expectError(badFinding, 400, 'invalid_field');
  assert.equal(badFinding.json.error.details.field, 'findings[0].severity');
  const failed = await act(p.checker.token, `/metering/quality/checks/${c1.id}/result`, { result: 'failed', note: '复查发现封印未加',
    findings: [{ severity: 'general', category: 'seal', description: '表尾盖封印缺失' }, { severity: 'minor', category: 'asset_record', description: '新表起度未拍照' }] });
  expectStatus(failed, 200);
  assert.equal(failed.json.status, 'failed');
  assert.equal(failed.json.checked_by, p.checker.user.id);
  assert.deepEqual(failed.json.findings.map((f) => f.severity), ['general', 'minor']);
  expectError(await act(p.checker.token, `/metering/quality/checks/${c1.id}/result`, { result: 'passed' }), 409, 'quality_check_recorded');
  expectStatus(await act(p.checker.token, `/metering/quality/checks/${c2.id}/result`, { result: 'passed' }), 200);

  const got = await api('GET', `/metering/quality/samples/${s.json.id}`, { token: p.viewer.token });
  expectStatus(got, 200);
  assert.deepEqual(got.json.counts, { pending: 0, passed: 1, failed: 1 });
  const list = await api('GET', `/metering/quality/samples?team_id=${team.id}`, { token: p.viewer.token });
  expectStatus(list, 200);
  assert.deepEqual(list.json.items.map((x) => x.id), [s2.json.id, s.json.id], 'newest first');
  expectError(await api('GET', '/metering/quality/samples/00000000-0000-7000-8000-000000000000', { token: p.viewer.token }), 404, 'not_found');

  // the month now shows the re-checks: 2 checked, 1 passed first time, one general and one minor finding
  const ev = await api('GET', `/metering/evaluation?month=${month()}&team_id=${team.id}`, { token: p.viewer.token });
  expectStatus(ev, 200);
  const t = ev.json.teams[0];
  assert.deepEqual([t.finished, t.on_time, t.checked, t.passed, t.first_pass_rate], [4, 3, 2, 1, 50]);
  assert.deepEqual(t.findings, { major: 0, general: 1, minor: 1 });
  assert.equal(ev.json.totals.finished, 4);
  expectError(await api('GET', '/metering/evaluation?month=2026-13', { token: p.viewer.token }), 400, 'invalid_query');

  // every write is in the audit log
  const admin = (await userWithToken(['supervisor'])).token;
  const audit = await api('GET', `/audit?entity=quality_check&entity_id=${c1.id}`, { token: admin });
  expectStatus(audit, 200);
  assert.equal(audit.json.items[0].action, 'record_check');
});

test(`${LABEL} metering quality: two samples drawn at once for one team never share a job`, async () => {
  const p = await crew();
  const team = await createOrgUnit('team');
  await finishedJobs(p, team, [1, 2, 3, 4, 5, 6].map(() => ({ kind: 'lv_meter_install', due_at: Date.now() + 86400e3 })));
  const body = { team_id: team.id, from: today(), to: today(), rate: 50 };
  const [a, b] = await Promise.all([act(p.checker.token, '/metering/quality/samples', body), act(p.checker.token, '/metering/quality/samples', body)]);
  expectStatus(a, 201);
  expectStatus(b, 201);
  const ids = [...a.json.checks, ...b.json.checks].map((c) => c.work_order_id);
  assert.equal(new Set(ids).size, ids.length, 'no job in two samples');
  assert.deepEqual([a.json.population, b.json.population].sort(), [3, 6], 'the second drew from what the first left');
});

test(`${LABEL} metering evaluation: on-time rate per process from the metering cases closed this month, by the team of their work order`, async () => {
  const [metering, viewer] = await Promise.all([userWithToken(['metering']), userWithToken(['viewer'])]);
  const p = await people();
  await qualify(p.leader, p.crew);
  const team = await createOrgUnit('team');
  const day = 86400e3;
  const open = async (kind, extra) => {
    const r = await api('POST', '/metering/cases', { token: metering.token, body: { kind, subject: `评价 ${kind}`, point_no: `JLD-EV-${Date.now() % 1e9}`,
      data: { team_id: team.id, ...(extra.data || {}) }, ...(extra.opened_at ? { opened_at: extra.opened_at } : {}) } });
    expectStatus(r, 201);
    return r.json;
  };
  // an LV install received now (3 working days ahead), a fault received now (4 ahead), and a fault received 40 days
  // ago whose 4 working days ran out long before its job finishes today: closed late
  const cases = [await open('install', { data: { install_type: 'lv' } }), await open('fault', {}),
    await open('fault', { opened_at: Date.now() - 40 * day })];
  assert.ok(cases[2].due_at < Date.now() && cases[0].due_at > Date.now() && cases[1].due_at > Date.now());
  const before = await api('GET', `/metering/evaluation?month=${month()}&team_id=${team.id}`, { token: viewer.token });
  expectStatus(before, 200);
  assert.deepEqual(before.json.teams, [], 'nothing closed yet');
  for (const c of cases) await runJob(p, c.work_order_id, {});
  for (const c of cases) {
    const r = await api('GET', `/metering/cases/${c.id}`, { token: metering.token });
    assert.equal(r.json.status, 'closed', 'closed by its job');
  }
  const ev = await api('GET', `/metering/evaluation?month=${month()}&team_id=${team.id}`, { token: viewer.token });
  expectStatus(ev, 200);
  assert.equal(ev.json.teams.length, 1);
  const t = ev.json.teams[0];
  assert.equal(t.team_id, team.id);
  // install: 1 closed, on time (100 %); fault: 2 closed, 1 on time (50 %); all three: 2 of 3 = 66.7 %
  assert.deepEqual(t.processes, [{ kind: 'fault', closed: 2, on_time: 1, on_time_rate: 50 }, { kind: 'install', closed: 1, on_time: 1, on_time_rate: 100 }]);
  assert.deepEqual(t.cases, { closed: 3, on_time: 2, on_time_rate: 66.7 });
  assert.deepEqual(ev.json.totals.cases, { closed: 3, on_time: 2, on_time_rate: 66.7 });
  // the same three jobs in the register of finished work: all three are LV meter work (a fault on a direct meter)
  assert.deepEqual([t.finished, t.on_time, t.on_time_rate], [3, 2, 66.7]);
  assert.deepEqual(t.collection, { areas: 0, expected: 0, collected: 0, success_rate: null }, 'the team answers for no area');
  // another month knows nothing of them
  const other = await api('GET', `/metering/evaluation?month=2020-01&team_id=${team.id}`, { token: viewer.token });
  expectStatus(other, 200);
  assert.deepEqual(other.json.teams, []);
});

test(`${LABEL} metering evaluation: the collection success rate per team through the area → team mapping; areas without a team unassigned`, async () => {
  const [metering, mgr, disp, viewer] = await Promise.all([userWithToken(['metering']), userWithToken(['manager']),
    userWithToken(['dispatcher']), userWithToken(['viewer'])]);
  const [t1, t2, dept] = await Promise.all([createOrgUnit('team'), createOrgUnit('team'), createOrgUnit('department')]);
  const k = await api('POST', '/metering/collection/keys', { token: metering.token, body: { name: '采集系统（评价）' } });
  expectStatus(k, 201);
  const tag = Math.random().toString(36).slice(2, 8);
  const [a1, a2, a3, a4, a5] = [1, 2, 3, 4, 5].map((i) => `台区-${tag}-${i}`);
  // a month no other test posts figures for (the unassigned row is company-wide)
  const M = '2041-03';
  const daily = await api('POST', '/metering/collection/daily', { headers: { authorization: `Bearer ${k.json.key}` }, rawBody: JSON.stringify({ items: [
    { date: '2041-02-28', transformer_area: a1, expected: 1000, collected: 1 }, // the month before: not counted
    { date: '2041-03-01', transformer_area: a1, expected: 1000, collected: 990 },
    { date: '2041-03-31', transformer_area: a1, expected: 1000, collected: 985 },
    { date: '2041-04-01', transformer_area: a1, expected: 1000, collected: 2 }, // the month after
    { date: '2041-03-15', transformer_area: a2, expected: 500, collected: 500 },
    { date: '2041-03-10', transformer_area: a3, expected: 800, collected: 777 },
    { date: '2041-03-02', transformer_area: a4, expected: 300, collected: 299 },
    { date: '2041-03-03', transformer_area: a5, expected: 200, collected: 150 },
  ] }) });
  expectStatus(daily, 200);

  // the mapping: metering.admin writes, metering.read reads
  const set = (token, transformer_area, team_id) => api('PUT', '/metering/area-teams', { token, body: { transformer_area, team_id } });
  expectError(await set(disp.token, a1, t1.id), 403, 'forbidden');
  expectError(await set(viewer.token, a1, t1.id), 403, 'forbidden');
  expectError(await set(metering.token, a1, dept.id), 400, 'invalid_field', 'team_id');
  expectError(await set(metering.token, '  ', t1.id), 400, 'invalid_field', 'transformer_area');
  const s1 = await set(metering.token, a1, t2.id);
  expectStatus(s1, 200);
  assert.deepEqual([s1.json.team_id, s1.json.team_name, s1.json.updated_by, s1.json.version], [t2.id, t2.name, metering.user.id, 1]);
  const s1b = await set(mgr.token, a1, t1.id); // corrected: the area is t1's
  expectStatus(s1b, 200);
  assert.deepEqual([s1b.json.team_id, s1b.json.version], [t1.id, 2]);
  expectStatus(await set(metering.token, a2, t1.id), 200);
  expectStatus(await set(metering.token, a3, t2.id), 200);
  // the teams to pick from, for someone who may not read the org tree: teams only
  const teams = await api('GET', '/metering/teams', { token: metering.token });
  expectStatus(teams, 200);
  assert.ok(teams.json.items.some((x) => x.id === t1.id && x.name === t1.name));
  assert.ok(!teams.json.items.some((x) => x.id === dept.id), 'a department is not a team');
  const list = await api('GET', `/metering/area-teams?team_id=${t1.id}`, { token: viewer.token });
  expectStatus(list, 200);
  assert.deepEqual(list.json.items.map((x) => [x.transformer_area, x.team_name]), [[a1, t1.name], [a2, t1.name]]);

  const evaluate = async () => {
    const r = await api('GET', `/metering/evaluation?month=${M}`, { token: viewer.token });
    expectStatus(r, 200);
    const by = (id) => r.json.teams.find((t) => t.team_id === id);
    return { all: r.json, t1: by(t1.id), t2: by(t2.id), none: by(null) };
  };
  let e = await evaluate();
  // t1: a1 (990 + 985 of 2000) and a2 (500 of 500): 2475 / 2500 = 99.00 %
  assert.deepEqual(e.t1.collection, { areas: 2, expected: 2500, collected: 2475, success_rate: 99 });
  assert.deepEqual([e.t1.finished, e.t1.on_time_rate, e.t1.cases.closed], [0, null, 0], 'no field work counted that month');
  // t2: a3, 777 / 800 = 97.125 → 97.13 (two decimals, half up)
  assert.deepEqual(e.t2.collection, { areas: 1, expected: 800, collected: 777, success_rate: 97.13 });
  // unassigned: a4 and a5, 449 / 500 = 89.80 %
  assert.deepEqual(e.none.collection, { areas: 2, expected: 500, collected: 449, success_rate: 89.8 });
  assert.equal(e.none.team_name, null);
  assert.deepEqual(e.all.unassigned_areas, { count: 2, names: [a4, a5] });
  // the whole company: (1975 + 500 + 777 + 299 + 150) / (2000 + 500 + 800 + 300 + 200) = 3701 / 3800 = 97.394… → 97.39
  assert.deepEqual(e.all.totals.collection, { areas: 5, expected: 3800, collected: 3701, success_rate: 97.39 });

  // cleared, a2 is nobody's: t1 keeps a1 (1975 / 2000 = 98.75 %), the unassigned row takes a2 (949 / 1000 = 94.90 %)
  expectError(await api('POST', '/metering/area-teams/actions/clear', { token: viewer.token, body: { transformer_area: a2 } }), 403, 'forbidden');
  const cl = await api('POST', '/metering/area-teams/actions/clear', { token: metering.token, body: { transformer_area: a2 } });
  expectStatus(cl, 204);
  expectError(await api('POST', '/metering/area-teams/actions/clear', { token: metering.token, body: { transformer_area: a2 } }), 404, 'not_found');
  e = await evaluate();
  assert.deepEqual(e.t1.collection, { areas: 1, expected: 2000, collected: 1975, success_rate: 98.75 });
  assert.deepEqual(e.none.collection, { areas: 3, expected: 1000, collected: 949, success_rate: 94.9 });
  assert.deepEqual(e.all.unassigned_areas, { count: 3, names: [a2, a4, a5] });
  assert.deepEqual(e.all.totals.collection, { areas: 5, expected: 3800, collected: 3701, success_rate: 97.39 });
  // one team asked for: its row only, no unassigned areas named
  const only = await api('GET', `/metering/evaluation?month=${M}&team_id=${t2.id}`, { token: viewer.token });
  expectStatus(only, 200);
  assert.deepEqual(only.json.teams.map((t) => t.team_id), [t2.id]);
  assert.deepEqual(only.json.unassigned_areas, { count: 0, names: [] });

  // every change of the mapping is audited
  const admin = (await userWithToken(['supervisor'])).token;
  const audit = await api('GET', `/audit?entity=metering_area_team&entity_id=${encodeURIComponent(a1)}`, { token: admin });
  expectStatus(audit, 200);
  assert.deepEqual(audit.json.items.map((x) => x.action).sort(), ['set', 'set']);
  const audit2 = await api('GET', `/audit?entity=metering_area_team&entity_id=${encodeURIComponent(a2)}`, { token: admin });
  assert.ok(audit2.json.items.some((x) => x.action === 'clear'));
});

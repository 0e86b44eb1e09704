// Metering service management (issue 12 item 6, R1.2; docs/api.md "Metering: quality and evaluation"): finished
// metering jobs are registered from field work's own finish, a reproducible sample of a team's jobs is re-checked by
// someone who was not on them, and the month's evaluation counts on-time and first-pass rates and the findings.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { api, userWithToken, createOrgUnit, expectError, expectStatus, LABEL, PASSWORD } from './lib.mjs';
import { today, qualify, equip, act, newTicket, issuedReceivedPermitted, briefed, risksConfirmed, upload } from './fieldwork_lib.mjs';

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

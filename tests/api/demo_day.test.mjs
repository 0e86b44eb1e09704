// The demo company's day of field work (fieldgrid demo, loaded by the test harness like `make run` does): jobs in
// every state of the plan flow, each reached through the real rules, with tickets whose signatures verify.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { api, adminToken, expectStatus, LABEL } from './lib.mjs';
import { today } from './fieldwork_lib.mjs';

test(`${LABEL} demo day: plans in every state, signed tickets that verify, steps and a finding on the board`, async () => {
  const token = await adminToken();
  const plans = await api('GET', `/plans?date=${today()}&limit=200`, { token });
  expectStatus(plans, 200);
  const demo = plans.json.items.filter((p) => p.leader && ['zhangwei', 'sunzhiming', 'linguodong', 'huxiaojun', 'tangjianxin', 'lijianjun', 'chengliwei'].includes(p.leader.username));
  const states = new Set(demo.map((p) => p.status));
  for (const s of ['draft', 'published', 'working', 'paused', 'finished', 'cancelled']) assert.ok(states.has(s), `a demo job is ${s}`);
  const finished = demo.find((p) => p.status === 'finished');
  const tickets = await api('GET', `/tickets?plan_id=${finished.id}`, { token });
  const ticket = tickets.json.items[0];
  assert.equal(ticket.status, 'ended');
  const v = await api('GET', `/tickets/${ticket.id}/verify`, { token });
  assert.equal(v.json.valid, true);
  assert.deepEqual(v.json.signatures.map((s) => s.role), ['issuer', 'leader', 'permitter', 'leader_end']);
  const steps = await api('GET', `/plans/${finished.id}/steps`, { token });
  assert.equal(steps.json.progress.done, steps.json.progress.total, 'a finished job recorded every SOP step');
  const board = await api('GET', `/board?date=${today()}`, { token });
  const working = board.json.jobs.find((j) => j.status === 'working' && demo.some((p) => p.id === j.id));
  assert.ok(working && working.steps_done > 0);
  const findings = await api('GET', `/plans/${working.id}/findings`, { token });
  assert.ok(findings.json.items.length >= 1);
  const hv = demo.find((p) => p.high_risk);
  assert.ok(hv && hv.video_link, 'the high-risk job is watched by video');
});

test(`${LABEL} demo contractors: one may work with its staff, one's qualification has lapsed`, async () => {
  const token = await adminToken();
  const list = await api('GET', `/contractors?q=${encodeURIComponent('临澜')}`, { token });
  expectStatus(list, 200);
  const ht = list.json.items.find((c) => c.name === '临澜恒通电力安装有限公司');
  const sd = list.json.items.find((c) => c.name === '临澜顺达电气工程有限公司');
  assert.ok(ht && sd, 'both demo contractors are there');
  assert.equal(ht.status.ready, true, JSON.stringify(ht.status));
  assert.equal(ht.staff_count, 2);
  assert.deepEqual(sd.status.reasons.map((r) => r.code), ['contractor_unqualified']);
  const full = await api('GET', `/contractors/${ht.id}`, { token });
  assert.deepEqual(full.json.staff.map((u) => u.username).sort(), ['qianguoqiang', 'sunxiaodong']);
});

// The demo's customers' applications (issue 11 item 12; data/demo/applications.json, loaded by `fieldgrid demo` as the
// test harness and `make run` do): 40 applications of every kind, reaching every stage through the flow's own rules,
// some on hold, some waiting on the customer, some late on the clock, some rated.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { api, adminToken, collectAll, expectStatus, LABEL } from './lib.mjs';

const demo = JSON.parse(readFileSync(new URL('../../data/demo/applications.json', import.meta.url), 'utf8')).applications;
const DAY = 86400000;

test(`${LABEL} demo applications: 40 of every kind and stage, held, waiting, late and rated`, async () => {
  const token = await adminToken();
  const all = await collectAll('/applications?limit=200', token);
  // the demo's own, found by what the file says (address and kind: the same customer may apply twice)
  const mine = demo.map((d) => all.find((a) => a.supply_address === d.supply_address && a.kind === d.kind));
  assert.equal(mine.filter(Boolean).length, 40, 'every demo application is there');
  assert.equal(new Set(mine.map((a) => a.id)).size, 40);
  assert.deepEqual([...new Set(mine.map((a) => a.kind))].sort(),
    ['capacity_increase', 'hv_dual', 'hv_single', 'lv_non_residential', 'lv_residential', 'temporary']);
  const states = new Set(mine.map((a) => a.status));
  for (const s of ['accepted', 'documents_missing', 'survey', 'scheme', 'customer_design', 'design_review', 'construction',
    'mid_inspection', 'finishing', 'completion', 'installation', 'energize', 'powered', 'archived', 'cancelled']) {
    assert.ok(states.has(s), `a demo application is in ${s}`);
  }
  assert.ok(mine.filter((a) => a.hold_reason).length >= 3, 'some are held, with a reason');
  assert.ok(mine.filter((a) => a.clock.paused).length >= 6, 'the held ones and those waiting on the customer stand still');
  assert.ok(mine.filter((a) => ['documents_missing', 'customer_design', 'construction', 'finishing'].includes(a.status)).length >= 6);
  assert.ok(mine.filter((a) => a.clock.late).length >= 6, 'some are late on their clocks');
  assert.ok(mine.filter((a) => a.fast_path).length >= 4, 'special users and emergencies on the fast path');
  assert.ok(mine.some((a) => a.created_at < Date.now() - 150 * DAY), 'received months ago');
  assert.equal(mine.filter((a) => a.rating).length, 4);
  for (const a of mine.filter((x) => x.rating)) assert.ok(['powered', 'archived'].includes(a.status));
  assert.ok(mine.some((a) => a.ev_charger), 'home EV chargers');

  // each one went through the rules: its history names the demo people who moved it, its steps back-dated
  const done = mine.find((a) => a.kind === 'hv_dual' && a.status === 'archived');
  const res = await api('GET', `/applications/${done.id}`, { token });
  expectStatus(res, 200);
  const actions = res.json.history.map((h) => h.action);
  assert.deepEqual(actions, ['accept', 'complete_survey', 'reply_scheme', 'submit_design', 'approve_design', 'request_inspection',
    'pass_mid_inspection', 'request_completion', 'pass_completion', 'complete_installation', 'power_on', 'archive']);
  assert.deepEqual([...new Set(res.json.history.map((h) => h.actor_name))].sort(), ['叶倩', '方晓丽', '马玉清'].sort());
  assert.ok(res.json.documents.every((d) => d.status === 'accepted' || d.type === 'drawings'), 'the counter checked what came in');
  const late = mine.find((a) => a.supply_address === demo.find((d) => d.applicant_name === '钱志强').supply_address);
  assert.equal(late.status, 'survey');
  assert.equal(late.clock.late, true);
});

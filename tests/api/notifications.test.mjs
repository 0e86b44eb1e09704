// Reminders (R3.6, R2.2): the daily job tells tool keepers about tools overdue or due within 30 / 7 days and
// people about certificates expiring, once per event; notifications are read and marked read.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { api, adminToken, userWithToken, expectError, expectStatus, uniq, LABEL } from './lib.mjs';

const monthsAgo = (m, plusDays = 0) => {
  const d = new Date(Date.now() + 8 * 3600e3);
  d.setUTCMonth(d.getUTCMonth() - m);
  d.setUTCDate(d.getUTCDate() + plusDays);
  return d.toISOString().slice(0, 10);
};

test(`${LABEL} reminders: tool keepers are told once per tool and stage; marking read`, async () => {
  const admin = await adminToken();
  const keeper = await userWithToken(['tool_keeper']);
  const overdue = await api('POST', '/tools', { token: keeper.token, body: { asset_no: uniq('R-'), kind: 'insulating_gloves', last_test_date: monthsAgo(7), last_test_result: 'pass' } });
  const soon = await api('POST', '/tools', { token: keeper.token, body: { asset_no: uniq('R-'), kind: 'insulating_gloves', last_test_date: monthsAgo(6, 5), last_test_result: 'pass' } });
  expectError(await api('POST', '/reminders/actions/run', { token: keeper.token }), 403, 'forbidden');
  const run = await api('POST', '/reminders/actions/run', { token: admin });
  expectStatus(run, 200);
  assert.ok(run.json.added >= 2);
  const mine = await api('GET', '/notifications', { token: keeper.token });
  const about = (id) => mine.json.items.filter((n) => n.entity_id === id);
  assert.equal(about(overdue.json.id).length, 1);
  assert.equal(about(overdue.json.id)[0].kind, 'tool_overdue');
  assert.match(about(overdue.json.id)[0].title, new RegExp(overdue.json.asset_no));
  assert.equal(about(soon.json.id)[0].kind, 'tool_due');
  // a second run says nothing new about the same tools
  await api('POST', '/reminders/actions/run', { token: admin });
  const again = await api('GET', '/notifications', { token: keeper.token });
  assert.equal(again.json.items.filter((n) => n.entity_id === overdue.json.id).length, 1);
  const unread = again.json.unread;
  expectStatus(await api('POST', `/notifications/${about(overdue.json.id)[0].id}/actions/read`, { token: keeper.token }), 204);
  assert.equal((await api('GET', '/notifications', { token: keeper.token })).json.unread, unread - 1);
  const other = await userWithToken(['crew']);
  expectError(await api('POST', `/notifications/${about(soon.json.id)[0].id}/actions/read`, { token: other.token }), 404, 'not_found');
});

test(`${LABEL} reminders: a certificate about to expire is told to its holder`, async () => {
  const admin = await adminToken();
  const crew = await userWithToken(['crew']);
  const in20 = new Date(Date.now() + 8 * 3600e3 + 20 * 86400e3).toISOString().slice(0, 10);
  expectStatus(await api('POST', `/users/${crew.user.id}/qualifications`, { token: admin, body: { kind: 'certificate', name: '登高作业证', issued_on: '2022-01-01', expires_on: in20 } }), 201);
  expectStatus(await api('POST', '/reminders/actions/run', { token: admin }), 200);
  const mine = await api('GET', '/notifications?unread=true', { token: crew.token });
  assert.ok(mine.json.items.some((n) => n.kind === 'qualification_expiry' && /登高作业证/.test(n.title)));
});

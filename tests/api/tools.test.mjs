// Safety tools (R3.6): the ledger, test-date arithmetic (month ends, leap years), check-out refusals and warnings,
// return conditions, QR labels, the due list and what a plan needs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { api, userWithToken, expectError, expectStatus, uniq, LABEL, BASE_URL } from './lib.mjs';
import { people, publishedPlan, act } from './fieldwork_lib.mjs';

const day = (offsetDays) => new Date(Date.now() + 8 * 3600e3 + offsetDays * 86400e3).toISOString().slice(0, 10);
const monthsAgo = (m, extraDays = 0) => {
  const d = new Date(Date.now() + 8 * 3600e3);
  d.setUTCMonth(d.getUTCMonth() - m);
  d.setUTCDate(d.getUTCDate() + extraDays);
  return d.toISOString().slice(0, 10);
};

async function keeper() { return userWithToken(['tool_keeper']); }
async function newTool(k, fields) {
  const res = await api('POST', '/tools', { token: k.token, body: { asset_no: uniq('GJ-'), store: '工器具库房', ...fields } });
  expectStatus(res, 201);
  return res.json;
}

test(`${LABEL} tools: next test due follows the cycle, month ends and leap years`, async () => {
  const k = await keeper();
  const a = await newTool(k, { kind: 'insulating_gloves', last_test_date: '2025-08-31', last_test_result: 'pass' });
  assert.equal(a.next_test_due, '2026-02-28', '6 months after 31 Aug is the end of February');
  const b = await newTool(k, { kind: 'insulating_gloves', last_test_date: '2023-08-31', last_test_result: 'pass' });
  assert.equal(b.next_test_due, '2024-02-29', 'in a leap year, the 29th');
  const c = await newTool(k, { kind: 'hv_voltage_detector', last_test_date: '2024-02-29', last_test_result: 'pass' });
  assert.equal(c.next_test_due, '2025-02-28', '12 months after 29 Feb');
  assert.equal(c.status, 'overdue');
  const shoes = await newTool(k, { kind: 'conductive_shoes', last_test_date: '2025-01-10', last_test_result: 'pass' });
  assert.equal(shoes.next_test_due, null, 'tested by hours of use, not by calendar');
  expectError(await api('POST', '/tools', { token: k.token, body: { asset_no: uniq('GJ-'), kind: 'insulating_gloves', last_test_date: day(3), last_test_result: 'pass' } }), 400, 'invalid_field', 'last_test_date');
  expectError(await api('POST', '/tools', { token: k.token, body: { asset_no: a.asset_no, kind: 'insulating_gloves' } }), 409, 'asset_no_taken');
  expectError(await api('POST', '/tools', { token: k.token, body: { asset_no: uniq('GJ-'), kind: 'magic_wand' } }), 400, 'invalid_field', 'kind');
  const crew = await userWithToken(['crew']);
  expectError(await api('POST', '/tools', { token: crew.token, body: { asset_no: uniq('GJ-'), kind: 'insulating_gloves' } }), 403, 'forbidden');
});

test(`${LABEL} tools: check-out refuses overdue and failed tools, warns when due soon; return conditions`, async () => {
  const k = await keeper();
  const p = await people();
  const { plan } = await publishedPlan(p);
  const overdue = await newTool(k, { kind: 'insulating_gloves', last_test_date: monthsAgo(7), last_test_result: 'pass' });
  const r1 = await act(p.leader.token, `/tools/${overdue.id}/actions/checkout`, { plan_id: plan.id });
  expectError(r1, 409, 'tool_test_overdue');
  assert.equal(r1.json.error.details.next_test_due, overdue.next_test_due);
  const failed = await newTool(k, { kind: 'insulating_gloves', last_test_date: monthsAgo(1), last_test_result: 'fail' });
  assert.equal(failed.custody, 'under_test', 'a failed tool is out of service');
  expectError(await act(p.leader.token, `/tools/${failed.id}/actions/checkout`, { plan_id: plan.id }), 409, 'tool_not_available');
  const never = await newTool(k, { kind: 'insulating_gloves' });
  expectError(await act(p.leader.token, `/tools/${never.id}/actions/checkout`, { plan_id: plan.id }), 409, 'tool_test_overdue');
  const soon = await newTool(k, { kind: 'insulating_gloves', last_test_date: monthsAgo(6, 10), last_test_result: 'pass' });
  assert.equal(soon.status, 'test_due_soon');
  const stranger = await userWithToken(['crew']);
  expectError(await act(stranger.token, `/tools/${soon.id}/actions/checkout`, { plan_id: plan.id }), 403, 'forbidden');
  const out = await act(p.crew.token, `/tools/${soon.id}/actions/checkout`, { plan_id: plan.id });
  expectStatus(out, 200);
  assert.equal(out.json.tool.custody, 'checked_out');
  assert.equal(out.json.tool.plan_id, plan.id);
  assert.equal(out.json.warnings[0].code, 'tool_test_due_soon');
  assert.ok(out.json.warnings[0].days <= 30);
  expectError(await act(p.leader.token, `/tools/${soon.id}/actions/checkout`, { plan_id: plan.id }), 409, 'tool_not_available');
  const back = await act(p.crew.token, `/tools/${soon.id}/actions/return`, { condition: 'damaged', note: '手套指部有裂纹' });
  expectStatus(back, 200);
  assert.equal(back.json.custody, 'under_test', 'damaged tools leave service until tested');
  // a passed test brings it back into store with a new due date
  const t = await act(k.token, `/tools/${soon.id}/tests`, { test_date: day(0), result: 'pass', tester: '省电科院', report_no: uniq('SY') });
  expectStatus(t, 201);
  assert.equal(t.json.custody, 'in_store');
  assert.equal(t.json.last_test_date, day(0));
  assert.equal(t.json.tests[0].result, 'pass');
  expectError(await act(p.crew.token, `/tools/${soon.id}/actions/return`, {}), 409, 'tool_not_checked_out');
});

test(`${LABEL} tools: QR label, the due list, scanning by asset number, and what a plan needs`, async () => {
  const k = await keeper();
  const p = await people();
  const gloves = await newTool(k, { kind: 'insulating_gloves', last_test_date: monthsAgo(6, 5), last_test_result: 'pass' });
  const qr = await fetch(`${BASE_URL}/api/v1/tools/${gloves.id}/qr`, { headers: { authorization: `Bearer ${k.token}` } });
  assert.equal(qr.status, 200);
  assert.equal(qr.headers.get('content-type'), 'image/svg+xml');
  assert.match(await qr.text(), /^<svg[^>]*viewBox="0 0 \d+ \d+"/);
  const due = await api('GET', '/tools/due?days=30', { token: k.token });
  assert.ok(due.json.items.some((t) => t.id === gloves.id));
  const scan = await api('GET', `/tools?asset_no=${encodeURIComponent(gloves.asset_no)}`, { token: p.crew.token });
  assert.equal(scan.json.items[0].id, gloves.id);
  const { plan } = await publishedPlan(p, { kinds: ['lv_meter_install'] });
  const need = await api('GET', `/plans/${plan.id}/tools`, { token: p.leader.token });
  expectStatus(need, 200);
  assert.ok(need.json.needed.some((n) => n.kind === 'insulating_gloves'), 'an LV meter job needs insulating gloves');
  assert.ok(need.json.proposed.every((t) => t.status !== 'overdue' && t.custody === 'in_store'));
});

test(`${LABEL} tools: a printable QR label sheet for a selection`, async () => {
  const { execFileSync } = await import('node:child_process');
  const k = await keeper();
  const a = await newTool(k, { kind: 'insulating_gloves', last_test_date: monthsAgo(1), last_test_result: 'pass' });
  const b = await newTool(k, { kind: 'hv_voltage_detector', last_test_date: monthsAgo(2), last_test_result: 'pass' });
  const res = await fetch(`${BASE_URL}/api/v1/tools/labels`, { method: 'POST',
    headers: { authorization: `Bearer ${k.token}`, 'content-type': 'application/json' }, body: JSON.stringify({ tool_ids: [a.id, b.id] }) });
  assert.equal(res.status, 200);
  assert.equal(res.headers.get('content-type'), 'application/pdf');
  const txt = execFileSync('pdftotext', ['-enc', 'UTF-8', '-', '-'], { input: Buffer.from(await res.arrayBuffer()) }).toString();
  for (const t of [a, b]) assert.ok(txt.includes(t.asset_no), `label of ${t.asset_no}`);
  assert.ok(txt.includes(a.next_test_due));
  expectError(await api('POST', '/tools/labels', { token: k.token, body: { tool_ids: [] } }), 400, 'invalid_field', 'tool_ids');
  expectError(await api('POST', '/tools/labels', { token: k.token, body: { tool_ids: ['00000000-0000-7000-8000-000000000000'] } }), 400, 'invalid_field', 'tool_ids');
});

test(`${LABEL} tool kinds: defaults with their test cycles and what the test checks; admins edit them, audited`, async () => {
  const { adminToken } = await import('./lib.mjs');
  const admin = await adminToken();
  const crew = await userWithToken(['crew']);
  const kinds = await api('GET', '/tool-kinds', { token: crew.token });
  expectStatus(kinds, 200);
  const gloves = kinds.json.items.find((k) => k.code === 'insulating_gloves');
  assert.equal(gloves.name_zh, '绝缘手套');
  assert.equal(gloves.test_cycle_months, 6);
  assert.ok(gloves.test_zh && gloves.source);
  assert.equal(kinds.json.items.find((k) => k.code === 'hv_voltage_detector').test_cycle_months, 12);
  expectError(await api('PUT', '/tool-kinds/insulating_gloves', { token: crew.token, body: gloves }), 403, 'forbidden');
  const edited = { ...gloves, test_cycle_months: 3, source: gloves.source + '; 本单位规定缩短为 3 个月' };
  expectStatus(await api('PUT', '/tool-kinds/insulating_gloves', { token: admin, body: edited }), 200);
  // the rules use the new cycle: a tool tested 4 months ago is now overdue
  const k = await keeper();
  const t = await newTool(k, { kind: 'insulating_gloves', last_test_date: monthsAgo(4), last_test_result: 'pass' });
  assert.equal(t.status, 'overdue');
  const audit = await api('GET', `/audit?entity=kb_item&entity_id=${encodeURIComponent('tool_kinds/insulating_gloves')}`, { token: admin });
  assert.equal(audit.json.items[0].after.test_cycle_months, 3);
  expectStatus(await api('DELETE', '/kb/tool_kinds/insulating_gloves', { token: admin }), 204);
  expectError(await api('PUT', '/tool-kinds/insulating_gloves', { token: admin, body: { ...gloves, test_cycle_months: 0 } }), 400, 'invalid_field', 'item.test_cycle_months');
});

// Browser test for the applications desk (web/js/applications.js; issue 11 item 11, R0.9): a customer manager's board
// by stage with each clock (a late application red, a held one standing with its reason), the late, fast-path and
// "mine" filters; one application's page with its clock, the counter's document check, an action, a hold with its
// reason on the timeline, a comment and a file in the shared space; the responsibility list. Fixtures through the API
// as admin (users ap_<cm|desk>_<tag>, applications with no serving unit, so the board holds only what they can see).
// Screenshots: /tmp/fg-apps-*.png.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { TAG, I18N, TEST_TIMEOUT, DESK, FG_URL, must, launch, newPage, byId, waitText, isApi, login, tokenOf } from './lib.mjs';

const PASSWORD = 'Apps-pass-' + TAG + '7';
const DAY = 86400000;
const PDF = Buffer.from('%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n');
let browser;
const fx = {};

async function uploadPdf(token, name) {
  const res = await fetch(`${FG_URL}/api/v1/attachments?filename=${name}`, { method: 'POST', body: PDF,
    headers: { Authorization: 'Bearer ' + token, 'Content-Type': 'application/pdf' } });
  assert.equal(res.status, 201);
  return (await res.json()).id;
}

before(async () => {
  assert.ok(FG_URL, 'FG_URL must point at a running fieldgrid server');
  const person = (key, name, roles) => must('POST', '/users', { username: `ap_${key}_${TAG}`, password: PASSWORD, display_name: name + TAG.slice(-4), roles });
  fx.cm = await person('cm', '客户经理', ['customer_manager']);
  fx.desk = await person('desk', '营业员', ['customer_service']);
  const tok = await tokenOf(fx.desk.username, PASSWORD);
  const docs = async (types) => Promise.all(types.map(async (type) => ({ type, attachment_id: await uploadPdf(tok, type + '.pdf') })));
  const take = (kind, extra, types) => docs(types).then((documents) => must('POST', '/applications', { kind, channel: 'counter',
    applicant_name: '测试' + TAG, applicant_phone: '13900001234', supply_address: `临澜市测试路 ${TAG} 号`, ...extra, documents }, tok));
  // received three weeks ago and never taken further: its stage and the whole process are past their limits
  fx.late = await take('lv_non_residential', { voltage_level: '380V', capacity_kva: 60, received_at: Date.now() - 21 * DAY, customer_manager_id: fx.cm.id },
    ['identity', 'property_proof', 'load_list']);
  fx.held = await take('lv_residential', { voltage_level: '220V', capacity_kva: 8, fast_path: true, fast_reason: '医院应急' }, ['identity', 'property_proof']);
  await must('POST', `/applications/${fx.held.id}/actions/hold`, { reason: '等待物业同意' + TAG }, tok);
  fx.fresh = await take('lv_residential', { voltage_level: '220V', capacity_kva: 8, customer_manager_id: fx.cm.id }, ['identity', 'property_proof']);
  browser = await launch();
});

after(async () => {
  if (browser) await browser.close();
});

test('desk: the board by stage with clocks and filters; one application: check, act, hold, comment, file; responsibilities', { timeout: TEST_TIMEOUT }, async () => {
  const zh = I18N.zh;
  const { page, problems } = await newPage(browser, DESK);
  try {
    await login(page, fx.cm.username, PASSWORD, '/applications');
    const col = byId(page, 'apps-col-accepted');
    await col.waitFor();
    const late = byId(page, 'apps-card-' + fx.late.number);
    const held = byId(page, 'apps-card-' + fx.held.number);
    const fresh = byId(page, 'apps-card-' + fx.fresh.number);
    await late.waitFor();
    assert.equal(await late.getAttribute('data-clock'), 'late');
    assert.match(await late.getAttribute('class'), /clock-late/);
    assert.equal(await byId(late, 'apps-card-clock').textContent(), zh['apps.clock.late']);
    assert.equal(await held.getAttribute('data-clock'), 'paused');
    await waitText(page, 'apps-card-hold', '等待物业同意' + TAG);
    assert.ok((await held.textContent()).includes(zh['apps.fast_path']));
    assert.equal(await fresh.getAttribute('data-clock'), 'ok');
    assert.ok(Number(await byId(page, 'apps-summary-late').getAttribute('data-n')) >= 1);
    await page.screenshot({ path: '/tmp/fg-apps-board.png' });

    // late only: the held and the fresh one leave the board
    await Promise.all([page.waitForResponse((r) => isApi(r, 'GET', '/applications/board') && new URL(r.url()).searchParams.get('late') === 'true'),
      byId(page, 'apps-filter-late').selectOption('true')]);
    await held.waitFor({ state: 'detached' });
    assert.equal(await late.count(), 1);
    assert.equal(await fresh.count(), 0);
    await byId(page, 'apps-filter-late').selectOption('');
    await fresh.waitFor();
    // fast path only, then mine (the late and the fresh one name this customer manager; the held one does not)
    await Promise.all([page.waitForResponse((r) => isApi(r, 'GET', '/applications/board') && new URL(r.url()).searchParams.get('fast_path') === 'true'),
      byId(page, 'apps-filter-fast').check()]);
    await late.waitFor({ state: 'detached' });
    assert.equal(await held.count(), 1);
    await byId(page, 'apps-filter-fast').uncheck();
    await Promise.all([page.waitForResponse((r) => isApi(r, 'GET', '/applications/board') && new URL(r.url()).searchParams.get('customer_manager_id') === 'me'),
      byId(page, 'apps-filter-mine').check()]);
    await held.waitFor({ state: 'detached' });
    await late.waitFor();
    await fresh.waitFor();

    // the late application's page: red clock, the documents checked, accepted into the survey
    await late.getByRole('link', { name: fx.late.number }).click();
    await byId(page, 'app-detail').waitFor();
    assert.equal(await byId(page, 'app-clock').getAttribute('data-clock'), 'late');
    await waitText(page, 'app-stage', '受理');
    await byId(page, 'app-tl-created').waitFor();
    await page.screenshot({ path: '/tmp/fg-apps-late.png', fullPage: true });
  } finally { await page.close(); }

  // the counter checks the documents and accepts; the customer manager holds it with a reason
  const d = await newPage(browser, DESK);
  try {
    await login(d.page, fx.desk.username, PASSWORD, '/applications/' + fx.fresh.id);
    await byId(d.page, 'app-doc-identity').waitFor();
    await Promise.all([d.page.waitForResponse((r) => isApi(r, 'POST', `/applications/${fx.fresh.id}/documents/identity/check`)),
      byId(d.page, 'app-doc-accept-identity').click()]);
    await waitText(d.page, 'app-doc-identity', zh['apps.doc.accepted']);
    await Promise.all([d.page.waitForResponse((r) => isApi(r, 'POST', `/applications/${fx.fresh.id}/actions/accept`)),
      byId(d.page, 'app-action-accept').click()]);
    await waitText(d.page, 'app-stage', '现场勘查');
    await waitText(d.page, 'app-tl-stage', zh['apps.action.accept']);
    await byId(d.page, 'app-action-hold').click();
    await byId(d.page, 'app-action-dialog-reason').fill('客户出差，约下周勘查');
    await Promise.all([d.page.waitForResponse((r) => isApi(r, 'POST', `/applications/${fx.fresh.id}/actions/hold`)),
      byId(d.page, 'app-action-dialog-submit').click()]);
    await waitText(d.page, 'app-hold', '客户出差，约下周勘查');
    await waitText(d.page, 'app-tl-hold', '客户出差，约下周勘查');
    assert.equal(await byId(d.page, 'app-clock').getAttribute('data-clock'), 'paused');

    // the shared space: a comment and a file, both kept in order
    await byId(d.page, 'app-comment-text').fill('已约客户下周三上午');
    await Promise.all([d.page.waitForResponse((r) => isApi(r, 'POST', `/applications/${fx.fresh.id}/comments`)), byId(d.page, 'app-comment-send').click()]);
    await waitText(d.page, 'app-comment', '已约客户下周三上午');
    await waitText(d.page, 'app-tl-comment', '已约客户下周三上午');
    await byId(d.page, 'app-file-title').fill('现场草图');
    await Promise.all([d.page.waitForResponse((r) => isApi(r, 'POST', `/applications/${fx.fresh.id}/files`)),
      byId(d.page, 'app-file-upload-input').setInputFiles({ name: 'sketch.pdf', mimeType: 'application/pdf', buffer: PDF })]);
    await waitText(d.page, 'app-file', '现场草图');
    await d.page.screenshot({ path: '/tmp/fg-apps-page.png', fullPage: true });

    // the responsibility list: the design review of an HV dual supply is the customer managers', 5 working days
    await d.page.goto(FG_URL + '/applications/responsibilities');
    const row = byId(d.page, 'apps-duty-hv_dual-design_review');
    await row.waitFor();
    assert.ok((await byId(row, 'apps-duty-owner').textContent()).includes('营销部客户经理'));
    assert.equal(await byId(row, 'apps-duty-limit').textContent(), '5 个工作日');
    await byId(d.page, 'apps-dept-metering').waitFor();
    await d.page.screenshot({ path: '/tmp/fg-apps-duties.png', fullPage: true });
    assert.deepEqual(d.problems, []);
  } finally { await d.page.close(); }
  assert.deepEqual(problems, []);
});

test('desk: the customer manager\'s queue — own open applications with what needs them, and requests awaiting the customer', { timeout: TEST_TIMEOUT }, async () => {
  const zh = I18N.zh;
  const cmTok = await tokenOf(fx.cm.username, PASSWORD);
  await must('POST', `/applications/${fx.fresh.id}/manager-requests`, { kind: 'outage', planned_at: Date.now() + 2 * DAY, reason: '接入施工停电' + TAG }, cmTok);
  const { page, problems } = await newPage(browser, DESK);
  try {
    await Promise.all([page.waitForResponse((r) => isApi(r, 'GET', '/customer-manager/queue')),
      login(page, fx.cm.username, PASSWORD, '/applications/queue')]);
    const row = byId(page, 'apps-queue-' + fx.late.number);
    await row.waitFor();
    // still at acceptance by the counter: nothing for the manager there yet
    assert.equal(await byId(row, 'apps-queue-needs').textContent(), '—');
    assert.equal(await byId(page, 'apps-queue-' + fx.held.number).count(), 0, 'not the manager\'s application');
    const req = byId(page, 'apps-queue-req-' + fx.fresh.number);
    await req.waitFor();
    assert.match(await req.textContent(), new RegExp(zh['apps.queue.req.outage']));
    assert.match(await req.textContent(), new RegExp('接入施工停电' + TAG));
    assert.deepEqual(problems, []);
  } finally { await page.close(); }
});

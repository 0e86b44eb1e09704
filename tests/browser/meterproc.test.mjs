// Browser test for the metering cases desk (web/js/meterproc.js; issue 12 item 2, R1.1): the error-handling board
// with a late case red and a fresh one green; the case page: field work done, the 退补 calculated through the form
// and its working shown, the timeline; a second person approves. Fixtures through the API as admin (users
// mp_<a|b>_<tag>). Screenshots: /tmp/fg-meterproc-*.png.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { TAG, I18N, TEST_TIMEOUT, DESK, FG_URL, must, launch, newPage, byId, waitText, isApi, login, tokenOf } from './lib.mjs';

const PASSWORD = 'Meter-pass-' + TAG + '7';
const DAY = 86400000;
let browser;
const fx = {};

before(async () => {
  assert.ok(FG_URL, 'FG_URL must point at a running fieldgrid server');
  const person = (key, name) => must('POST', '/users', { username: `mp_${key}_${TAG}`, password: PASSWORD, display_name: name + TAG.slice(-4), roles: ['metering'] });
  fx.a = await person('a', '计量员甲');
  fx.b = await person('b', '计量员乙');
  fx.tokA = await tokenOf(fx.a.username, PASSWORD);
  const open = (extra) => must('POST', '/metering/cases', { kind: 'error', subject: '接线错误 ' + TAG, point_no: 'JLD' + TAG, asset_no: '33' + TAG,
    customer_name: '王小明', customer_phone: '13912345678', data: { grade: 'general' }, ...extra }, fx.tokA);
  fx.late = await open({ opened_at: Date.now() - 30 * DAY });
  fx.fresh = await open({});
  // the late one's field work was done another way: its order is cancelled, the desk completes the stage
  await must('POST', `/work-orders/${fx.late.work_order_id}/actions/cancel`, {});
  browser = await launch();
});

after(async () => {
  if (browser) await browser.close();
});

test('desk: the error board with clocks; a case: field work done, 退补 calculated and shown, approved by a second person', { timeout: TEST_TIMEOUT }, async () => {
  const zh = I18N.zh;
  const { page } = await newPage(browser, DESK);
  try {
    await login(page, fx.a.username, PASSWORD, '/metering-cases/kind/error');
    const late = byId(page, 'mp-card-' + fx.late.number);
    const fresh = byId(page, 'mp-card-' + fx.fresh.number);
    await late.waitFor();
    await fresh.waitFor();
    assert.equal(await late.getAttribute('data-clock'), 'red');
    assert.equal(await byId(late, 'mp-card-clock').textContent(), zh['mp.clock.late']);
    assert.equal(await fresh.getAttribute('data-clock'), 'green');
    assert.ok(Number(await byId(page, 'mp-summary-late').getAttribute('data-n')) >= 1);
    assert.equal(await byId(page, 'mp-col-field').locator('[data-testid^="mp-card-"]').count() >= 2, true);
    await page.screenshot({ path: '/tmp/fg-meterproc-board.png' });

    await late.getByRole('link', { name: fx.late.number }).click();
    await byId(page, 'mp-case').waitFor();
    await waitText(page, 'mp-case-status', '现场作业');
    await Promise.all([page.waitForResponse((r) => isApi(r, 'POST', `/metering/cases/${fx.late.id}/actions/field_done`)),
      byId(page, 'mp-action-field_done').click()]);
    await waitText(page, 'mp-case-status', '退补计算');
    await byId(page, 'mp-action-calculate').click();
    await byId(page, 'mp-act-dialog-cause').selectOption('wiring');
    await byId(page, 'mp-act-dialog-from').fill('2026-02-01');
    await byId(page, 'mp-act-dialog-to').fill('2026-05-01');
    await byId(page, 'mp-act-dialog-energy_kwh').fill('5000');
    await byId(page, 'mp-act-dialog-correction_factor').fill('1.732');
    await Promise.all([page.waitForResponse((r) => isApi(r, 'POST', `/metering/cases/${fx.late.id}/actions/calculate`) && r.status() === 200),
      byId(page, 'mp-act-dialog-submit').click()]);
    await waitText(page, 'mp-case-status', '退补审核');
    await waitText(page, 'mp-refund-delta', '3660.000 kWh');
    assert.ok((await byId(page, 'mp-refund-delta').textContent()).includes(zh['mp.direction.charge']));
    assert.ok(await byId(page, 'mp-refund-steps').locator('tbody tr').count() >= 3);
    assert.ok((await byId(page, 'mp-timeline').textContent()).includes(zh['mp.action.calculate']));
    await page.screenshot({ path: '/tmp/fg-meterproc-case.png', fullPage: true });
    // the calculator's own approval is refused on the page
    await byId(page, 'mp-action-approve').click();
    await waitText(page, 'mp-error', '第二人');
  } finally { await page.close(); }

  const b = await newPage(browser, DESK);
  try {
    await login(b.page, fx.b.username, PASSWORD, '/metering-cases/' + fx.late.id);
    await byId(b.page, 'mp-action-approve').waitFor();
    await Promise.all([b.page.waitForResponse((r) => isApi(r, 'POST', `/metering/cases/${fx.late.id}/actions/approve`) && r.status() === 200),
      byId(b.page, 'mp-action-approve').click()]);
    await waitText(b.page, 'mp-case-status', '已办结');
  } finally { await b.page.close(); }
});

// Browser test for feedback and complaints (web/js/feedback.js, R0.10): the 95598 desk finds a late complaint by
// the late filter, sees its clock in red with both deadlines (the reply's counted past National Day), contacts
// the customer, and closes with the answer and the customer's satisfaction, which the close form asks for; a
// read-only user sees the customer's phone masked and no actions. Screenshots: /tmp/fg-feedback-*.png.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { TAG, I18N, TEST_TIMEOUT, DESK, FG_URL, must, launch, newPage, byId, waitText, isApi, login } from './lib.mjs';

const PASSWORD = 'Feedback-pass-' + TAG + '7';
let browser;
const fx = {};

before(async () => {
  assert.ok(FG_URL, 'FG_URL must point at a running fieldgrid server');
  const person = (key, name, roles) => must('POST', '/users', { username: `fb_${key}_${TAG}`, password: PASSWORD, display_name: name + TAG.slice(-4), roles });
  fx.desk = await person('desk', '95598坐席', ['dispatcher']);
  fx.viewer = await person('viewer', '查询', ['viewer']);
  // received Wed 2026-09-30 10:00 Shanghai: long past its deadlines
  fx.item = await must('POST', '/feedback', { kind: 'complaint', channel: 'phone_95598', subject: '装表超期' + TAG,
    contact_name: '王秀英', contact_phone: '13812345678', received_at: Date.UTC(2026, 8, 30, 2) });
  browser = await launch();
});

after(async () => {
  if (browser) await browser.close();
});

test('desk: late filter → red clock → contact → close with answer and satisfaction; a viewer sees the phone masked', { timeout: TEST_TIMEOUT }, async () => {
  const zh = I18N.zh;
  const { page } = await newPage(browser, DESK);
  try {
    await login(page, fx.desk.username, PASSWORD, '/feedback');
    await byId(page, 'feedback-table').waitFor();
    await Promise.all([page.waitForResponse((r) => isApi(r, 'GET', '/feedback') && new URL(r.url()).searchParams.get('overdue') === 'true'),
      byId(page, 'feedback-overdue').selectOption('true')]);
    const row = byId(page, 'feedback-' + fx.item.number);
    await row.waitFor();
    assert.ok((await row.textContent()).includes(zh['feedback.late']));
    await row.getByRole('link', { name: fx.item.number }).click();
    await byId(page, 'feedback-detail').waitFor();
    await waitText(page, 'feedback-contact', '13812345678');
    assert.equal(await byId(page, 'feedback-contact-due').getAttribute('class'), 'text-danger');
    assert.match(await byId(page, 'feedback-reply-due').textContent(), /2026\D10\D13 23:59/, 'the reply is due on Tue 13 October (National Day skipped)');
    await page.screenshot({ path: '/tmp/fg-feedback-late.png' });
    await byId(page, 'feedback-action-contact').click();
    await byId(page, 'feedback-action-dialog-contact_note').fill('已致电客户，说明排期');
    await Promise.all([page.waitForResponse((r) => isApi(r, 'POST', `/feedback/${fx.item.id}/actions/contact`)), byId(page, 'feedback-action-dialog-submit').click()]);
    await waitText(page, 'feedback-state', zh['feedback.status.contacted']);
    // no answer was recorded: the close form asks for it beside the satisfaction
    await byId(page, 'feedback-action-close').click();
    await byId(page, 'feedback-action-dialog-answer').fill('已安排下周二装表');
    await byId(page, 'feedback-action-dialog-satisfaction').selectOption('basically_satisfied');
    await Promise.all([page.waitForResponse((r) => isApi(r, 'POST', `/feedback/${fx.item.id}/actions/close`)), byId(page, 'feedback-action-dialog-submit').click()]);
    await waitText(page, 'feedback-state', zh['feedback.status.closed']);
    await waitText(page, 'feedback-answer', '已安排下周二装表');
    await waitText(page, 'feedback-satisfaction', zh['feedback.satisfaction.basically_satisfied']);
    await page.screenshot({ path: '/tmp/fg-feedback-closed.png' });
  } finally { await page.close(); }
  const v = await newPage(browser, DESK);
  try {
    await login(v.page, fx.viewer.username, PASSWORD, '/feedback/' + fx.item.id);
    await waitText(v.page, 'feedback-contact', '138****5678');
    assert.equal(await byId(v.page, 'feedback-action-reopen').count(), 0, 'a reader has no actions');
  } finally { await v.page.close(); }
});

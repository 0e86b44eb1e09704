// Browser test for alarms and fault work orders (web/js/faults.js, R4.2, R4.9, R4.11): a real OCPP client (ocpp-rpc,
// strict mode) plays a charger that reports Faulted; the fault appears on the board without a reload; the O&M
// engineer opens it, sends a remote Reset, sees the charger's answer, the charger recovers, the remote fix is recorded;
// the serious fault is refused closing until its report is written; the service desk takes a report and dispatches.
// Screenshots: /tmp/fg-faults-*.png.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { RPCClient } from 'ocpp-rpc';
import { TAG, I18N, TEST_TIMEOUT, DESK, PHONE, FG_URL, must, launch, newPage, byId, waitText, login } from './lib.mjs';

const PASSWORD = 'Faults-pass-' + TAG + '7';
let browser;
const fx = {};

before(async () => {
  assert.ok(FG_URL, 'FG_URL must point at a running fieldgrid server');
  fx.eng = await must('POST', '/users', { username: `ft_eng_${TAG}`, password: PASSWORD, display_name: '运维' + TAG.slice(-4), roles: ['om_engineer'] });
  fx.desk = await must('POST', '/users', { username: `ft_desk_${TAG}`, password: PASSWORD, display_name: '客服' + TAG.slice(-4), roles: ['dispatcher'] });
  fx.station = await must('POST', '/stations', { code: 'FT-' + TAG, name: '江南大道充电站' + TAG });
  fx.charger = await must('POST', '/chargers', { charge_point_id: 'FT-' + TAG, kind: 'dc', payment: 'qr', station_id: fx.station.id, connector_count: 2 });
  browser = await launch();
});

after(async () => {
  if (fx.cli) await fx.cli.close({ force: true });
  if (browser) await browser.close();
});

test('desk: a Faulted charger appears on the fault board; remote Reset, recovery, remote fix; report before close', { timeout: TEST_TIMEOUT }, async () => {
  const { context, page, problems } = await newPage(browser, DESK);
  const zh = I18N.zh;
  try {
    await login(page, fx.eng.username, PASSWORD, '/charging/faults');
    await byId(page, 'charging-tab-faults').and(page.locator('.active')).waitFor({ state: 'visible' });
    await byId(page, 'faults-table').waitFor({ state: 'visible' });

    const cli = new RPCClient({ endpoint: FG_URL.replace(/^http/, 'ws') + '/ocpp', identity: fx.charger.charge_point_id,
      password: fx.charger.authorization_key, protocols: ['ocpp1.6'], strictMode: true, reconnect: false });
    fx.cli = cli;
    const resets = [];
    cli.handle('Reset', ({ params }) => { resets.push(params); return { status: 'Accepted' }; });
    await cli.connect();
    await cli.call('BootNotification', { chargePointVendor: '许继', chargePointModel: 'XJZC-120' });
    const now = () => new Date().toISOString();
    await cli.call('StatusNotification', { connectorId: 1, errorCode: 'NoError', status: 'Available', timestamp: now() });
    await page.evaluate(() => { window.__noReload = true; });
    await cli.call('StatusNotification', { connectorId: 1, errorCode: 'GroundFailure', status: 'Faulted', timestamp: now() });

    // the board polls: the fault shows up in place, serious, in remote triage, with its SLA colour
    const row = page.locator('[data-testid="faults-table"] tr').filter({ hasText: fx.charger.charge_point_id });
    await row.first().waitFor({ state: 'visible', timeout: 20000 });
    assert.equal(await page.evaluate(() => window.__noReload), true, 'updated without reload');
    await row.locator('[data-severity="serious"]').waitFor({ state: 'visible' });
    await row.locator('[data-status="triage"]').waitFor({ state: 'visible' });
    assert.ok(['ok', 'due'].includes(await row.locator('[data-sla]').getAttribute('data-sla')));
    await page.screenshot({ path: '/tmp/fg-faults-board-zh.png', fullPage: true });

    // the fault page: remote Reset, the charger's answer
    await row.locator('[data-testid="fault-link"]').click();
    await page.waitForURL((u) => u.pathname.startsWith('/charging/faults/'));
    await waitText(page, 'fault-status', zh['faults.status.triage']);
    await byId(page, 'triage-Reset').click();
    await byId(page, 'triage-result').and(page.locator('[data-status="accepted"]')).waitFor({ state: 'visible' });
    assert.deepEqual(resets, [{ type: 'Soft' }]);

    // the charger recovers; the remote fix is recorded with the command; the order noted the recovery
    await cli.call('StatusNotification', { connectorId: 1, errorCode: 'NoError', status: 'Available', timestamp: now() });
    await new Promise((r) => setTimeout(r, 500));
    await byId(page, 'fault-act-resolve_remote').click();
    await waitText(page, 'fault-status', zh['faults.status.resolved']);
    await waitText(page, 'fault-resolution', zh['faults.resolution.remote']);
    await byId(page, 'note-recovery').first().waitFor({ state: 'visible' });
    await byId(page, 'note-remote_command').first().waitFor({ state: 'visible' });

    // a serious fault: closing is refused until the report is written
    await byId(page, 'fault-act-close').click();
    await waitText(page, 'fault-error', '故障报告');
    await byId(page, 'fault-act-report').click();
    await byId(page, 'fault-dialog-cause').fill('漏电保护器误动作');
    await byId(page, 'fault-dialog-actions').fill('远程软复位后恢复');
    await byId(page, 'fault-dialog-parts').fill('');
    await byId(page, 'fault-dialog-prevention').fill('月度巡视增加漏保试验');
    await byId(page, 'fault-dialog-submit').click();
    await waitText(page, 'fault-report', '漏电保护器误动作');
    await byId(page, 'fault-act-close').click();
    await waitText(page, 'fault-status', zh['faults.status.closed']);
    await page.screenshot({ path: '/tmp/fg-faults-page-zh.png', fullPage: true });
    assert.deepEqual(problems, []);
  } finally {
    await context.close();
  }
});

test('desk: the service desk takes a phone report and dispatches it; the engineer\'s phone lists it', { timeout: TEST_TIMEOUT }, async () => {
  const { context, page, problems } = await newPage(browser, DESK);
  try {
    await login(page, fx.desk.username, PASSWORD, '/charging/desk');
    await byId(page, 'desk-new').click();
    await byId(page, 'desk-dialog-channel').selectOption('phone');
    await byId(page, 'desk-dialog-reporter_name').fill('张先生');
    await byId(page, 'desk-dialog-contact').fill('13912345678');
    await byId(page, 'desk-dialog-charger_id').selectOption(fx.charger.id);
    await byId(page, 'desk-dialog-category').selectOption('interrupted');
    await byId(page, 'desk-dialog-description').fill('充电十分钟后自动停止');
    await byId(page, 'desk-dialog-submit').click();
    const row = page.locator('[data-testid="desk-table"] tr').filter({ hasText: '张先生' });
    await row.locator('[data-testid="report-classify"]').click();
    await byId(page, 'classify-dialog-classification-dispatch').check();
    await byId(page, 'classify-dialog-submit').click();
    await row.locator('[data-testid="report-fault-link"]').click();
    await page.waitForURL((u) => u.pathname.startsWith('/charging/faults/'));
    await waitText(page, 'fault-status', I18N.zh['faults.status.triage']);
    await page.screenshot({ path: '/tmp/fg-faults-desk-zh.png', fullPage: true });
    // dispatch to the O&M engineer
    await byId(page, 'fault-act-dispatch').click();
    await byId(page, 'fault-dialog-assignee_id').selectOption(fx.eng.id);
    await byId(page, 'fault-dialog-submit').click();
    await waitText(page, 'fault-status', I18N.zh['faults.status.dispatched']);
    await waitText(page, 'fault-assignee', fx.eng.display_name);
    assert.deepEqual(problems, []);
  } finally {
    await context.close();
  }
  // the engineer's phone: the assigned fault, opened and started
  const ph = await newPage(browser, PHONE);
  try {
    await login(ph.page, fx.eng.username, PASSWORD, '/charging/faults?mine=1');
    await ph.page.goto(FG_URL + '/charging/faults?mine=1');
    const card = ph.page.locator('[data-testid^="my-fault-"]').filter({ hasText: I18N.zh['desk.category.interrupted'] });
    await card.first().waitFor({ state: 'visible' });
    await ph.page.screenshot({ path: '/tmp/fg-faults-phone-zh.png', fullPage: true });
    await card.first().click();
    await byId(ph.page, 'fault-act-start').click();
    await waitText(ph.page, 'fault-status', I18N.zh['faults.status.repairing']);
    assert.deepEqual(ph.problems, []);
  } finally {
    await ph.context.close();
  }
});

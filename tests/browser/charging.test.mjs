// Browser test for the charging desk (web/js/charging.js, R4.2): a real OCPP client (ocpp-rpc, strict mode) plays
// a charger; the live board shows it come online and turn Faulted without a reload; on the charger's page an O&M
// engineer sends Reset and sees the charger's answer. Screenshots: /tmp/fg-charging-*.png.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { RPCClient } from 'ocpp-rpc';
import { TAG, I18N, TEST_TIMEOUT, DESK, FG_URL, must, launch, newPage, byId, waitText, login } from './lib.mjs';

const PASSWORD = 'Charging-pass-' + TAG + '7';
let browser;
const fx = {};

before(async () => {
  assert.ok(FG_URL, 'FG_URL must point at a running fieldgrid server');
  fx.eng = await must('POST', '/users', { username: `cg_eng_${TAG}`, password: PASSWORD, display_name: '运维' + TAG.slice(-4), roles: ['om_engineer'] });
  fx.station = await must('POST', '/stations', { code: 'ST-' + TAG, name: '滨江路公共充电站' + TAG });
  fx.charger = await must('POST', '/chargers', { charge_point_id: 'CP-' + TAG, kind: 'dc', payment: 'qr', station_id: fx.station.id, connector_count: 2, name: '1 号直流桩' });
  browser = await launch();
});

after(async () => {
  if (fx.cli) await fx.cli.close({ force: true });
  if (browser) await browser.close();
});

test('desk: the live board follows a real charger (online, Faulted) without reload; Reset from its page', { timeout: TEST_TIMEOUT }, async () => {
  const { context, page, problems } = await newPage(browser, DESK);
  try {
    await login(page, fx.eng.username, PASSWORD, '/charging');
    await byId(page, 'board-station').selectOption(fx.station.id);
    const tile = byId(page, 'tile-' + fx.charger.charge_point_id);
    await tile.and(page.locator('[data-online="0"]')).waitFor({ state: 'visible' });

    // the charger connects, boots and reports its connectors
    const cli = new RPCClient({ endpoint: FG_URL.replace(/^http/, 'ws') + '/ocpp', identity: fx.charger.charge_point_id,
      password: fx.charger.authorization_key, protocols: ['ocpp1.6'], strictMode: true, reconnect: false });
    fx.cli = cli;
    const resets = [];
    cli.handle('Reset', ({ params }) => { resets.push(params); return { status: 'Accepted' }; });
    await cli.connect();
    const boot = await cli.call('BootNotification', { chargePointVendor: '许继', chargePointModel: 'XJZC-120' });
    assert.equal(boot.status, 'Accepted');
    const now = () => new Date().toISOString();
    for (const c of [1, 2]) await cli.call('StatusNotification', { connectorId: c, errorCode: 'NoError', status: 'Available', timestamp: now() });
    await tile.and(page.locator('[data-online="1"]')).waitFor({ state: 'visible' });
    await byId(page, `tile-${fx.charger.charge_point_id}-c2`).and(page.locator('[data-status="Available"]')).waitFor({ state: 'visible' });
    const url = page.url();

    // a fault on connector 2: the tile turns red on the next poll, the page never reloads
    await page.evaluate(() => { window.__noReload = true; });
    await cli.call('StatusNotification', { connectorId: 2, errorCode: 'GroundFailure', status: 'Faulted', timestamp: now(), vendorErrorCode: 'E07' });
    await tile.and(page.locator('[data-fault="1"]')).waitFor({ state: 'visible' });
    assert.equal(await page.evaluate(() => window.__noReload), true, 'updated in place');
    assert.equal(page.url(), url);
    assert.ok(Number(await byId(page, 'board-count-faulted').getAttribute('data-n')) >= 1);
    await page.screenshot({ path: '/tmp/fg-charging-board-zh.png', fullPage: true });

    // the charger's page: connectors with the error code; Reset is sent and answered
    await tile.click();
    await page.waitForURL((u) => u.pathname === '/charging/chargers/' + fx.charger.id);
    await byId(page, 'charger-online').and(page.locator('[data-online="1"]')).waitFor({ state: 'visible' });
    await waitText(page, 'connector-2', 'GroundFailure');
    await waitText(page, 'connector-2', I18N.zh['ocpp.status.Faulted']);
    await byId(page, 'cmd-Reset').click();
    await byId(page, 'cmd-dialog-type').selectOption('Soft');
    await byId(page, 'cmd-dialog-submit').click();
    await page.locator('[data-testid="charger-command-log"] [data-status="accepted"]').first().waitFor({ state: 'visible' });
    assert.deepEqual(resets, [{ type: 'Soft' }]);
    await page.screenshot({ path: '/tmp/fg-charging-charger-zh.png', fullPage: true });
    assert.deepEqual(problems, []);
  } finally {
    await context.close();
  }
});

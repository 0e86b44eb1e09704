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
    cli.handle('ReserveNow', ({ params }) => { fx.reserved = params; return { status: 'Accepted' }; });
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

test('desk: a dispatcher deducts credit from a tag down to a block, and reserves a connector on the live charger', { timeout: TEST_TIMEOUT }, async () => {
  assert.ok(fx.cli, 'the first test connected the charger');
  const desk = await must('POST', '/users', { username: `cg_desk_${TAG}`, password: PASSWORD, display_name: '客服' + TAG.slice(-4), roles: ['dispatcher'] });
  const tag = ('U' + TAG).slice(0, 20).toUpperCase();
  await must('POST', '/id-tags', { id_tag: tag, holder: '王先生' });
  const { context, page, problems } = await newPage(browser, DESK);
  try {
    await login(page, desk.username, PASSWORD, '/charging/users');
    await byId(page, 'credit-' + tag).waitFor({ state: 'visible' });
    await byId(page, 'credit-' + tag).getByRole('button', { name: tag }).click();
    await byId(page, 'credit-card').waitFor({ state: 'visible' });
    for (const points of ['25', '20']) {
      await byId(page, 'credit-deduct').click();
      await byId(page, 'credit-dialog-points').fill(points);
      await byId(page, 'credit-dialog-note').fill('充满后长期占用车位');
      await byId(page, 'credit-dialog-submit').click();
      await byId(page, 'credit-dialog').waitFor({ state: 'detached' });
    }
    await page.locator(`[data-testid="credit-${tag}"] [data-level="blocked"]`).waitFor({ state: 'visible' });
    assert.equal(await page.locator(`[data-testid="credit-${tag}"] [data-score]`).getAttribute('data-score'), '55');
    assert.equal((await fx.cli.call('Authorize', { idTag: tag })).idTagInfo.status, 'Blocked', 'the charger refuses the blocked tag');
    await must('POST', `/id-tags/${tag}/credit`, { kind: 'restore', points: 30, note: '恢复' });

    // a reservation on connector 1 of the live charger
    await page.reload();
    await byId(page, 'reservation-new').click();
    await byId(page, 'reserve-dialog-charger_id').selectOption(fx.charger.id);
    await byId(page, 'reserve-dialog-id_tag').fill(tag);
    await byId(page, 'reserve-dialog-submit').click();
    await byId(page, 'reserve-dialog').waitFor({ state: 'detached' });
    // the dialog closes when the server has taken the reservation; the charger's answer comes after it, so the
    // charger's side is read once the table shows the reservation accepted
    await page.reload();
    await page.locator('[data-testid="reservations-table"] [data-status="accepted"]').first().waitFor({ state: 'visible' });
    assert.equal(fx.reserved.idTag, tag);
    await page.screenshot({ path: '/tmp/fg-charging-users-zh.png', fullPage: true });
    assert.deepEqual(problems, []);
  } finally {
    await context.close();
  }
});

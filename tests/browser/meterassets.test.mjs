// Browser test for the metering assets (web/js/meterassets.js, issue 12 items 1 and 8): the keeper filters the
// ledger by batch and pages it; a typed (scanned) number opens the asset card with its moves; the point's history
// shows the old meter out and the new one in; on a phone the scan lands on the card. Screenshots:
// /tmp/fg-meterassets-*.png.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { TAG, I18N, TEST_TIMEOUT, DESK, PHONE, FG_URL, must, launch, newPage, byId, waitText, isApi, login } from './lib.mjs';

const PASSWORD = 'Meter-pass-' + TAG + '7';
let browser;
const fx = {};
const up = TAG.toUpperCase();

before(async () => {
  assert.ok(FG_URL, 'FG_URL must point at a running fieldgrid server');
  const person = (key, name, roles) => must('POST', '/users', { username: `ma_${key}_${TAG}`, password: PASSWORD, display_name: name + TAG.slice(-4), roles });
  fx.keeper = await person('keeper', '计量库管', ['metering']);
  fx.crew = await person('crew', '装表工', ['crew']);
  fx.batch = 'BB-' + up;
  fx.meters = [];
  for (let i = 0; i < 3; i++) {
    fx.meters.push(await must('POST', '/metering-assets', { asset_no: `MB-${up}-${i}`, kind: 'meter', subtype: 'single_phase',
      accuracy_class: '2.0', rated: '220V 5(60)A', model: 'DDZY102', batch: fx.batch }));
  }
  fx.point = 'MP-' + up;
  fx.order = await must('POST', '/work-orders', { kind: 'lv_meter_install', customer_name: '王秀英', site_address: '临澜市和平街 7 号', metering_point_no: fx.point });
  const [a, b] = fx.meters;
  for (const m of [a, b]) await must('POST', `/metering-assets/${m.id}/actions/issue`, { holder_id: fx.crew.id, work_order_id: fx.order.id });
  await must('POST', `/metering-assets/${a.id}/actions/install`, { point_no: fx.point, reading: '0' });
  await must('POST', `/metering-assets/${a.id}/actions/remove`, { reading: '321.5', reason: 'rotation' });
  await must('POST', `/metering-assets/${b.id}/actions/install`, { point_no: fx.point, reading: '2' });
  browser = await launch();
});

after(async () => {
  if (browser) await browser.close();
});

test('desk: ledger filtered by batch, a typed number opens the asset, the point history shows out and in', { timeout: TEST_TIMEOUT }, async () => {
  const { page, problems } = await newPage(browser, DESK);
  await login(page, fx.keeper.username, PASSWORD, '/meter-assets');
  await byId(page, 'ma-ledger').waitFor({ state: 'visible' });
  await byId(page, 'ma-filter-batch').fill(fx.batch);
  const [list] = await Promise.all([page.waitForResponse((r) => isApi(r, 'GET', '/metering-assets')), byId(page, 'ma-search').click()]);
  assert.equal(list.status(), 200);
  for (const m of fx.meters) await byId(page, 'ma-row-' + m.asset_no).waitFor({ state: 'visible' });
  await waitText(page, 'ma-total', '3');
  await waitText(page, 'ma-status-' + fx.meters[0].asset_no, I18N.zh['ma.status.removed']);
  await waitText(page, 'ma-status-' + fx.meters[1].asset_no, I18N.zh['ma.status.installed']);
  await waitText(page, 'ma-status-' + fx.meters[2].asset_no, I18N.zh['ma.status.in_stock']);
  await page.screenshot({ path: '/tmp/fg-meterassets-ledger-zh.png', fullPage: true });

  // the scan box: the label's text as a reader types it
  await byId(page, 'ma-scan-input').fill(`FGMETER:${fx.meters[0].asset_no}`);
  await byId(page, 'ma-scan-open').click();
  await page.waitForURL((u) => u.pathname === '/meter-assets/' + fx.meters[0].id);
  await waitText(page, 'ma-asset-no', fx.meters[0].asset_no);
  await waitText(page, 'ma-asset-status', I18N.zh['ma.status.removed']);
  const names = await page.locator('[data-testid^="ma-move-name-"]').allTextContents();
  assert.deepEqual(names, ['received', 'issued', 'installed', 'removed'].map((m) => I18N.zh['ma.move.' + m]));
  // the keeper sends the removed meter to the lab from its card; the lab's result comes back the same way
  const [sent] = await Promise.all([page.waitForResponse((r) => isApi(r, 'POST', `/metering-assets/${fx.meters[0].id}/actions/send`)), byId(page, 'ma-act-send').click()]);
  assert.equal(sent.status(), 200, await sent.text());
  await waitText(page, 'ma-asset-status', I18N.zh['ma.status.verifying']);
  await byId(page, 'ma-act-verify_passed').click();
  await waitText(page, 'ma-asset-status', I18N.zh['ma.status.in_stock']);
  await waitText(page, 'ma-move-name-5', I18N.zh['ma.move.verified']);
  // an unknown number is said, not an error page
  await page.goto(FG_URL + '/meter-assets');
  await byId(page, 'ma-scan-input').fill('NOPE-' + up);
  await byId(page, 'ma-scan-open').click();
  await waitText(page, 'ma-scan-error', 'NOPE-' + up);

  // the point's history: the first meter in then out with its readings, the second there now
  await byId(page, 'ma-point-input').fill(fx.point);
  await byId(page, 'ma-point-open').click();
  await page.waitForURL((u) => u.pathname === '/meter-assets/points/' + fx.point);
  await byId(page, 'ma-point-history').waitFor({ state: 'visible' });
  const items = page.locator('[data-testid^="ma-history-"]');
  assert.equal(await items.count(), 2);
  assert.equal(await items.nth(0).getAttribute('data-asset'), fx.meters[0].asset_no, 'the first meter, back in stock since, stays in the point\'s history');
  assert.ok((await items.nth(0).textContent()).includes('321.5'), 'the removal reading');
  assert.equal(await items.nth(1).getAttribute('data-asset'), fx.meters[1].asset_no);
  await waitText(page, 'ma-point-now', fx.meters[1].asset_no);
  await page.screenshot({ path: '/tmp/fg-meterassets-point-zh.png', fullPage: true });
  assert.deepEqual(problems, []);
});

test('phone: scan → the asset card', { timeout: TEST_TIMEOUT }, async () => {
  const { page, problems } = await newPage(browser, PHONE);
  await login(page, fx.crew.username, PASSWORD, '/meter-assets');
  await byId(page, 'ma-scan-input').fill(fx.meters[1].asset_no);
  await byId(page, 'ma-scan-open').click();
  await page.waitForURL((u) => u.pathname === '/meter-assets/' + fx.meters[1].id);
  await byId(page, 'ma-asset-card').waitFor({ state: 'visible' });
  await waitText(page, 'ma-asset-status', I18N.zh['ma.status.installed']);
  await waitText(page, 'ma-asset-point', fx.point);
  const box = await byId(page, 'ma-asset-card').boundingBox();
  assert.ok(box.width <= 390, 'the card fits the phone');
  // the crew reads: no receive button
  await page.goto(FG_URL + '/meter-assets');
  await byId(page, 'ma-scan-card').waitFor({ state: 'visible' });
  assert.equal(await byId(page, 'ma-receive').count(), 0);
  await page.screenshot({ path: '/tmp/fg-meterassets-phone-zh.png', fullPage: true });
  assert.deepEqual(problems, []);
});

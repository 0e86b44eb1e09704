// Browser test for the metering assets (web/js/meterassets.js, issue 12 items 1 and 8): the keeper filters the
// ledger by batch and pages it; a typed (scanned) number opens the asset card with its moves; the point's history
// shows the old meter out and the new one in; on a phone the scan lands on the card; a day's reservation is made,
// refuses an asset another reservation holds, and is issued together (issue 12 item 6). Screenshots:
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
  // for the day's reservation: a meter and two seals in stock, an order for them, one seal held by another crew member
  fx.crew2 = await person('crew2', '采集运维', ['crew']);
  fx.rsvMeter = await must('POST', '/metering-assets', { asset_no: `MR-${up}-0`, kind: 'meter', subtype: 'single_phase',
    accuracy_class: '2.0', rated: '220V 5(60)A', model: 'DDZY102', batch: 'RB-' + up });
  fx.rsvSeal = await must('POST', '/metering-assets', { asset_no: `SR-${up}-0`, kind: 'seal', subtype: 'meter_cover' });
  fx.heldSeal = await must('POST', '/metering-assets', { asset_no: `SR-${up}-1`, kind: 'seal', subtype: 'meter_cover' });
  fx.rsvOrder = await must('POST', '/work-orders', { kind: 'lv_meter_install', customer_name: '赵敏', site_address: '临澜市解放路 3 号', metering_point_no: 'MQ-' + up });
  fx.tomorrow = new Date(Date.now() + 8 * 3600e3 + 86400e3).toISOString().slice(0, 10);
  await must('POST', '/metering-reservations', { day: fx.tomorrow, holder_id: fx.crew2.id, work_order_ids: [fx.rsvOrder.id], asset_nos: [fx.heldSeal.asset_no] });
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

test('desk: a day\'s reservation is made, refuses a held seal, and is issued together', { timeout: TEST_TIMEOUT }, async () => {
  const { page, problems } = await newPage(browser, DESK);
  await login(page, fx.keeper.username, PASSWORD, '/meter-assets');
  await byId(page, 'ma-tab-reserve').click();
  await page.waitForURL((u) => u.pathname === '/meter-assets/reservations');
  assert.equal(await byId(page, 'ma-rsv-day').inputValue(), fx.tomorrow, 'tomorrow by default');
  await byId(page, `ma-rsv-holder-${(await reservationsOf(fx.crew2.id))[0].id}`).waitFor({ state: 'visible' });

  await byId(page, 'ma-rsv-new').click();
  await byId(page, 'ma-rsv-new-order-0').waitFor({ state: 'visible' });
  await byId(page, 'ma-rsv-new-holder').selectOption(fx.crew.id);
  await byId(page, 'ma-rsv-new-q').fill(fx.rsvOrder.number);
  await Promise.all([page.waitForResponse((r) => isApi(r, 'GET', '/metering-reservations/choices')), byId(page, 'ma-rsv-new-q').press('Enter')]);
  await byId(page, 'ma-rsv-new-order-0').selectOption(fx.rsvOrder.id);
  // the seal another crew member holds: refused, nothing reserved, and the answer names it
  await byId(page, 'ma-rsv-new-assets-0').fill(`${fx.rsvMeter.asset_no}\n${fx.heldSeal.asset_no}`);
  const [refused] = await Promise.all([page.waitForResponse((r) => isApi(r, 'POST', '/metering-reservations')), byId(page, 'ma-rsv-new-submit').click()]);
  assert.equal(refused.status(), 409);
  await waitText(page, 'ma-rsv-new-error', fx.heldSeal.asset_no);
  await waitText(page, 'ma-rsv-new-error', I18N.zh['ma.rsv.why.metering_asset_reserved']);
  // scanned numbers as a reader types them: the label's prefix is dropped
  await byId(page, 'ma-rsv-new-assets-0').fill(`FGMETER:${fx.rsvMeter.asset_no}, ${fx.rsvSeal.asset_no}`);
  const [made] = await Promise.all([page.waitForResponse((r) => isApi(r, 'POST', '/metering-reservations')), byId(page, 'ma-rsv-new-submit').click()]);
  assert.equal(made.status(), 201, await made.text());
  const r = await made.json();
  await waitText(page, 'ma-rsv-status-' + r.id, I18N.zh['ma.rsv.status.open']);
  await waitText(page, 'ma-rsv-state-' + fx.rsvMeter.asset_no, I18N.zh['ma.rsv.state.held']);
  await waitText(page, 'ma-rsv-summary-' + r.id, I18N.zh['ma.kind.seal']);
  assert.equal((await must('GET', '/metering-assets/' + fx.rsvMeter.id)).status, 'in_stock', 'held, still on the shelf');
  await page.screenshot({ path: '/tmp/fg-meterassets-reservations-zh.png', fullPage: true });

  // issued together: both go out to the crew member for the order
  const [issued] = await Promise.all([page.waitForResponse((x) => isApi(x, 'POST', `/metering-reservations/${r.id}/actions/issue`)), byId(page, 'ma-rsv-issue-' + r.id).click()]);
  assert.equal(issued.status(), 200, await issued.text());
  await waitText(page, 'ma-rsv-status-' + r.id, I18N.zh['ma.rsv.status.issued']);
  await waitText(page, 'ma-rsv-state-' + fx.rsvSeal.asset_no, I18N.zh['ma.rsv.state.issued']);
  assert.equal(await byId(page, 'ma-rsv-issue-' + r.id).count(), 0, 'no second issue');
  for (const a of [fx.rsvMeter, fx.rsvSeal]) {
    const after = await must('GET', '/metering-assets/' + a.id);
    assert.deepEqual([after.status, after.holder_id, after.work_order_id], ['issued', fx.crew.id, fx.rsvOrder.id]);
  }
  assert.deepEqual(problems, []);
});

async function reservationsOf(holderId) {
  return (await must('GET', `/metering-reservations?day=${fx.tomorrow}&holder_id=${holderId}`)).items;
}

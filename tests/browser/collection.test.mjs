// Browser test for the collection anomalies (web/js/collection.js, R0.7): the collection system (its key) reports
// a meter fault on one point and a communication failure of three points behind one terminal; the metering centre
// sees both in the anomaly list (zh-CN), filters by kind and by area, follows an anomaly to its work order's
// number, sees a restored one under 已关闭, and reads the success rate by area. Screenshots: /tmp/fg-collection-*.png.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { TAG, I18N, TEST_TIMEOUT, DESK, FG_URL, must, launch, newPage, byId, waitText, isApi, login } from './lib.mjs';

const PASSWORD = 'Collection-pass-' + TAG + '7';
let browser;
const fx = {};

async function send(path, body) {
  const r = await fetch(`${FG_URL}/api/v1${path}`, { method: 'POST', headers: { authorization: `Bearer ${fx.key}`, 'content-type': 'application/json' },
    body: JSON.stringify(body) });
  assert.equal(r.status, 200, await r.clone().text());
  return r.json();
}

before(async () => {
  assert.ok(FG_URL, 'FG_URL must point at a running fieldgrid server');
  fx.user = await must('POST', '/users', { username: `mc_${TAG}`, password: PASSWORD, display_name: '计量中心' + TAG.slice(-4), roles: ['metering'] });
  fx.dispatcher = await must('POST', '/users', { username: `md_${TAG}`, password: PASSWORD, display_name: '调度' + TAG.slice(-4), roles: ['dispatcher'] });
  fx.key = (await must('POST', '/metering/collection/keys', { name: '采集系统' + TAG })).key;
  fx.area = '城东' + TAG + '号台区';
  fx.term = 'T' + TAG;
  fx.point = 'P' + TAG;
  const now = Date.now();
  await send('/metering/collection/events', [
    { event_id: `b1${TAG}`, kind: 'voltage_loss', point_no: fx.point, transformer_area: fx.area, occurred_at: now - 600e3 },
    ...[1, 2, 3].map((i) => ({ event_id: `b2${TAG}${i}`, kind: 'communication_failure', point_no: `${fx.point}-${i}`, terminal_no: fx.term,
      transformer_area: fx.area, occurred_at: now - 500e3 + i })),
    { event_id: `b3${TAG}`, kind: 'cover_opened', point_no: fx.point, transformer_area: fx.area, occurred_at: now - 400e3 },
    { event_id: `b4${TAG}`, kind: 'cover_opened', point_no: fx.point, transformer_area: fx.area, occurred_at: now - 300e3, signal: 'restored' }]);
  await send('/metering/collection/daily', { items: [{ date: '2099-06-01', transformer_area: fx.area, expected: 1200, collected: 1187 }] });
  browser = await launch();
});

after(async () => {
  if (browser) await browser.close();
});

test('metering centre: anomaly list by kind and area, the terminal grouped, links to work orders; the success rate by area', { timeout: TEST_TIMEOUT }, async () => {
  const zh = I18N.zh;
  const { page } = await newPage(browser, DESK);
  try {
    await login(page, fx.user.username, PASSWORD, '/collection');
    await byId(page, 'collection-table').waitFor();
    await Promise.all([page.waitForResponse((r) => isApi(r, 'GET', '/metering/collection/anomalies') && new URL(r.url()).searchParams.get('area') === fx.area),
      byId(page, 'collection-area').fill(fx.area).then(() => byId(page, 'collection-area').press('Enter'))]);
    const rows = page.locator('[data-testid="collection-table"] [data-testid^="anomaly-"]');
    await page.waitForFunction((n) => document.querySelectorAll('[data-testid="collection-table"] [data-testid^="anomaly-"]').length === n, 2);
    const text = await page.locator('[data-testid="collection-table"]').textContent();
    assert.ok(text.includes(zh['collection.kind.voltage_loss']), 'the open voltage loss');
    assert.ok(text.includes(`终端 ${fx.term}（3 个计量点）`), 'three points behind one terminal: one anomaly');
    assert.ok(!text.includes(zh['collection.kind.cover_opened']), 'the restored one is not open');
    assert.equal(await rows.locator('[data-testid="collection-order"]').count(), 2, 'each open anomaly links to its work order');
    assert.match(await rows.locator('[data-testid="collection-order"]').first().textContent(), /^GD/);
    assert.equal(await page.locator('a[data-testid="collection-order"]').count(), 0, 'the metering centre sees the number; it does not open work orders');
    await page.screenshot({ path: '/tmp/fg-collection-list.png' });
    // by kind: only the communication failure
    await Promise.all([page.waitForResponse((r) => isApi(r, 'GET', '/metering/collection/anomalies') && new URL(r.url()).searchParams.get('kind') === 'communication_failure'),
      byId(page, 'collection-kind').selectOption('communication_failure')]);
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="collection-table"] [data-testid^="anomaly-"]').length === 1);
    // the closed ones: the restored cover-opened anomaly
    await byId(page, 'collection-kind').selectOption('');
    await Promise.all([page.waitForResponse((r) => isApi(r, 'GET', '/metering/collection/anomalies') && new URL(r.url()).searchParams.get('state') === 'closed'),
      byId(page, 'collection-state').selectOption('closed')]);
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="collection-table"] [data-testid^="anomaly-"]').length === 1);
    const closed = await page.locator('[data-testid="collection-table"]').textContent();
    assert.ok(closed.includes(zh['collection.kind.cover_opened']) && closed.includes(zh['collection.closed.restored']));
    // the success rate by area
    await byId(page, 'collection-tab-rates').click();
    await byId(page, 'collection-day').waitFor();
    await Promise.all([page.waitForResponse((r) => isApi(r, 'GET', '/metering/collection/rates') && new URL(r.url()).searchParams.get('from') === '2099-06-01'),
      byId(page, 'collection-day').fill('2099-06-01')]);
    await waitText(page, 'rate-' + fx.area, '98.92%');
    await page.screenshot({ path: '/tmp/fg-collection-rates.png' });
  } finally { await page.close(); }
  // a dispatcher (who works the orders) follows the anomaly to its work order
  const d = await newPage(browser, DESK);
  try {
    await login(d.page, fx.dispatcher.username, PASSWORD, '/collection');
    await byId(d.page, 'collection-table').waitFor();
    await byId(d.page, 'collection-area').fill(fx.area);
    await byId(d.page, 'collection-area').press('Enter');
    await d.page.waitForFunction(() => document.querySelectorAll('[data-testid="collection-table"] a[data-testid="collection-order"]').length === 2);
    const link = d.page.locator('a[data-testid="collection-order"]').first();
    const number = await link.textContent();
    await link.click();
    await d.page.locator('[data-testid="order-detail"][data-id]').waitFor();
    assert.ok((await byId(d.page, 'order-detail').textContent()).includes(number));
    await d.page.screenshot({ path: '/tmp/fg-collection-order.png' });
  } finally { await d.page.close(); }
});

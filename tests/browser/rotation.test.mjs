// Browser test for the rotation campaign planner (web/js/rotation.js, issue 12 item 4): the metering centre previews
// the meters of one transformer area older than eight years (the count and the areas' bar chart drawn), creates a
// draft, generates it and sees the progress bars and the work orders. Screenshots: /tmp/fg-rotation-*.png.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { TAG, TEST_TIMEOUT, DESK, FG_URL, must, tokenOf, launch, newPage, byId, login } from './lib.mjs';

const PASSWORD = 'Rotation-pass-' + TAG + '7';
const AREA = '测试台区' + TAG;
let browser;
const fx = {};

before(async () => {
  assert.ok(FG_URL, 'FG_URL must point at a running fieldgrid server');
  fx.user = await must('POST', '/users', { username: `rot_${TAG}`, password: PASSWORD, display_name: '计量' + TAG.slice(-4), roles: ['metering'] });
  const token = await tokenOf(fx.user.username, PASSWORD);
  let csv = 'asset_no,status,point_no,transformer_area,installed_on\n';
  for (let i = 1; i <= 6; i++) csv += `RB${TAG}${i},installed,P${TAG}${i},${AREA},${i <= 4 ? '2015-03-01' : '2024-03-01'}\n`;
  let imp;
  for (let i = 0; i < 200; i++) { // one import at a time per server
    const res = await fetch(FG_URL + '/api/v1/metering/imports', { method: 'POST', body: csv,
      headers: { authorization: 'Bearer ' + token, 'content-type': 'text/csv' } });
    if (res.status === 202) { imp = await res.json(); break; }
    await new Promise((r) => setTimeout(r, 50));
  }
  assert.ok(imp, 'the import was taken');
  for (let i = 0; i < 200 && imp.state === 'running'; i++) {
    await new Promise((r) => setTimeout(r, 50));
    imp = await must('GET', '/metering/imports/' + imp.id, undefined, token);
  }
  assert.equal(imp.state, 'done');
  browser = await launch();
});

after(async () => {
  if (browser) await browser.close();
});

test('desk: criteria → preview with the areas chart → draft → generate → progress', { timeout: TEST_TIMEOUT }, async () => {
  const { page } = await newPage(browser, DESK);
  await login(page, fx.user.username, PASSWORD, '/rotation');
  await byId(page, 'rot-years').fill('8');
  await byId(page, 'rot-areas').fill(AREA);
  await byId(page, 'rot-preview').click();
  await byId(page, 'rot-total').waitFor();
  assert.match(await byId(page, 'rot-total').textContent(), /4/);
  await byId(page, 'rot-chart-areas').locator('canvas').first().waitFor();
  await page.screenshot({ path: '/tmp/fg-rotation-preview.png' });
  await byId(page, 'rot-name').fill('轮换' + TAG);
  await byId(page, 'rot-crews').fill('1');
  await byId(page, 'rot-per-day').fill('3');
  await byId(page, 'rot-start').fill('2026-09-30');
  await byId(page, 'rot-create').click();
  await byId(page, 'rot-generate').click();
  await page.waitForFunction(() => /0\/4/.test(document.querySelector('[data-testid="rot-progress"]')?.textContent || '') &&
    !document.querySelector('[data-testid="rot-generate"]'));
  await byId(page, 'rot-chart-progress-day').locator('canvas').first().waitFor();
  const rows = await byId(page, 'rot-orders').locator('tbody tr').count();
  assert.equal(rows, 2, 'three meters on 2026-09-30, one on 2026-10-08 (the holiday skipped)');
  await page.screenshot({ path: '/tmp/fg-rotation-progress.png' });
});

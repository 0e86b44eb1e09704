// Browser test for 质量与评价 (web/js/mquality.js, issue 12 item 6): a team finished a metering job today (worked
// through plan → ticket → finish by the API, as the field does); the metering centre draws a 100 % sample of the
// team's day, records the re-check failed with a finding, and sees the month's evaluation change — the team's
// first-pass rate 0 % with one general finding, in the table and in the chart. It also gives a transformer area to
// the team. Screenshots: /tmp/fg-mquality-*.png.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { TAG, I18N, TEST_TIMEOUT, DESK, FG_URL, must, launch, newPage, byId, login, shanghaiDate } from './lib.mjs';
import { createOrgUnit, expectStatus } from '../api/lib.mjs';
import { people, qualify, act, runJob } from '../api/fieldwork_lib.mjs';

const PASSWORD = 'Quality-pass-' + TAG + '7';
let browser;
const fx = {};

before(async () => {
  assert.ok(FG_URL, 'FG_URL must point at a running fieldgrid server');
  fx.user = await must('POST', '/users', { username: `mq_${TAG}`, password: PASSWORD, display_name: '质检' + TAG.slice(-4), roles: ['metering'] });
  fx.team = await createOrgUnit('team', undefined, '计量一班' + TAG);
  const p = await people();
  await qualify(p.leader, p.crew);
  const o = await act(p.dispatcher.token, '/work-orders', { kind: 'lv_meter_install', team_id: fx.team.id, title: '低压表更换 ' + TAG,
    customer_name: '李建国', site_address: '临澜市滨江路 18 号', meter_asset_no: 'DB' + TAG, due_at: Date.now() + 48 * 3600e3 });
  expectStatus(o, 201);
  fx.order = o.json;
  await runJob(p, fx.order.id, {});
  browser = await launch();
});

after(async () => {
  if (browser) await browser.close();
});

const zh = I18N.zh;

test('desk: draw a sample, record a failed re-check with a finding, see the evaluation change', { timeout: TEST_TIMEOUT }, async () => {
  const { page, problems } = await newPage(browser, DESK);
  await login(page, fx.user.username, PASSWORD, '/metering-quality');
  const row = byId(page, 'mq-team-' + fx.team.id);
  // the team's finished job is counted, nothing re-checked yet
  await row.waitFor();
  const cells = async () => (await row.locator('td').allTextContents()).map((s) => s.trim());
  let c = await cells();
  assert.equal(c[0], fx.team.name);
  assert.equal(c[1], '1', 'one job finished');
  assert.equal(c[2], '100%', 'on time');
  assert.equal(c[6], '0', 'nothing re-checked');
  assert.equal(c[7], '—', 'no first-pass rate without a re-check');
  await byId(page, 'mq-chart').locator('canvas').first().waitFor();

  // draw: the team, today, 100 %
  await byId(page, 'mq-draw-team').selectOption(fx.team.id);
  await byId(page, 'mq-draw-from').fill(shanghaiDate());
  await byId(page, 'mq-draw-to').fill(shanghaiDate());
  await byId(page, 'mq-draw-rate').fill('100');
  await byId(page, 'mq-draw').click();
  const check = byId(page, 'mq-check-' + fx.order.number);
  await check.waitFor();
  assert.match(await check.textContent(), new RegExp(zh['mq.status.pending']));

  // the re-check: failed, one general finding about the seal
  await check.locator('[data-testid="mq-check-open"]').click();
  await byId(page, 'mq-check-result').selectOption('failed');
  await byId(page, 'mq-finding-severity-0').selectOption('general');
  await byId(page, 'mq-finding-category-0').selectOption('seal');
  await byId(page, 'mq-finding-description-0').fill('表尾盖封印缺失');
  await byId(page, 'mq-check-note').fill('复查发现封印未加');
  await page.screenshot({ path: '/tmp/fg-mquality-check.png' });
  await byId(page, 'mq-check-save').click();
  await page.waitForFunction(([id, failed]) => {
    const r = document.querySelector(`[data-testid="${id}"]`);
    return r && r.textContent.includes(failed) && r.textContent.includes('表尾盖封印缺失');
  }, ['mq-check-' + fx.order.number, zh['mq.status.failed']]);
  assert.match(await byId(page, 'mq-sample-meta').textContent(), /1/);

  // back to the evaluation: one re-checked, first-pass 0 %, one general finding
  await byId(page, 'mq-back').click();
  await row.waitFor();
  await page.waitForFunction((id) => {
    const r = document.querySelector(`[data-testid="${id}"]`);
    return r && r.querySelectorAll('td')[7]?.textContent.trim() === '0%';
  }, 'mq-team-' + fx.team.id);
  c = await cells();
  assert.equal(c[6], '1', 're-checked');
  assert.equal(c[7], '0%', 'failed the first time');
  assert.match(c[8], new RegExp(`${zh['mq.severity.general']} 1`));
  await byId(page, 'mq-chart').locator('canvas').first().waitFor();
  assert.ok(Number(await byId(page, 'mq-chart').getAttribute('data-drawn')) >= 1);
  // the sample is listed
  await byId(page, 'mq-samples').locator('tbody tr').first().waitFor();
  await page.screenshot({ path: '/tmp/fg-mquality-evaluation.png', fullPage: true });

  // a transformer area given to the team shows in the mapping
  const area = '台区' + TAG;
  await byId(page, 'mq-area-name').fill(area);
  await byId(page, 'mq-area-team').selectOption(fx.team.id);
  await byId(page, 'mq-area-save').click();
  await byId(page, 'mq-area-' + area).waitFor();
  assert.match(await byId(page, 'mq-area-' + area).textContent(), new RegExp(fx.team.name));
  assert.deepEqual(problems, []);
});

// Browser test for 业扩服务评价 (web/js/appeval.js, issue 11 item 10): an application of a fresh serving unit is
// walked to power-on through the API; a manager opens /service-evaluation, picks that unit, and sees this month's
// row (one application taken, its stages on time, the process on time), both ECharts charts drawn with no page
// error or CSP refusal, the team table, then downloads the workbook; then the same page in English. Screenshot:
// /tmp/fg-appeval-zh.png.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { deskAction, TAG, I18N, TEST_TIMEOUT, DESK, FG_URL, must, launch, newPage, byId, login, waitText, shanghaiDate } from './lib.mjs';

const PASSWORD = 'Appeval-pass-' + TAG + '7';
const MONTH = shanghaiDate(0).slice(0, 7);
let browser;
const fx = {};

before(async () => {
  assert.ok(FG_URL, 'FG_URL must point at a running fieldgrid server');
  fx.mgr = await must('POST', '/users', { username: `ae_mgr_${TAG}`, password: PASSWORD, display_name: '经理' + TAG.slice(-4), roles: ['manager'] });
  fx.unit = await must('POST', '/org-units', { name: '评价供电所' + TAG, kind: 'department' });
  fx.app = await must('POST', '/applications', { kind: 'lv_residential', channel: 'counter', applicant_name: '李四', applicant_phone: '13900002222',
    supply_address: '城南路 8 号', org_unit_id: fx.unit.id, voltage_level: '220V', capacity_kva: 8, fast_path: true, fast_reason: '评价页面测试' });
  for (const [action, body] of [['accept', {}], ['complete_survey', { scheme: '220V 单相' }], ['complete_installation', {}]]) {
    await deskAction(fx.app.id, action, body);
  }
  browser = await launch();
});

after(async () => {
  if (browser) await browser.close();
});

test('appeval: the page shows this month for a unit, draws its charts and exports XLSX', { timeout: TEST_TIMEOUT }, async () => {
  const { context, page, problems } = await newPage(browser, { ...DESK, acceptDownloads: true });
  try {
    await login(page, fx.mgr.username, PASSWORD, '/service-evaluation');
    page.on('console', (m) => { if (m.type() === 'error') problems.push('console: ' + m.text()); });
    await byId(page, 'appeval-months').waitFor({ state: 'visible' });
    await page.locator(`[data-testid="appeval-unit"] option[value="${fx.unit.id}"]`).waitFor({ state: 'attached' });
    await byId(page, 'appeval-unit').selectOption(fx.unit.id);
    await byId(page, 'appeval-from').fill(MONTH);
    await byId(page, 'appeval-to').fill(MONTH);
    await Promise.all([page.waitForResponse((r) => r.url().includes('/api/v1/applications/evaluation?') && r.url().includes(fx.unit.id)),
      byId(page, 'appeval-run').click()]);
    const row = byId(page, 'appeval-month-' + MONTH);
    await row.waitFor({ state: 'visible' });
    const cells = await row.locator('td').allTextContents();
    const heads = await byId(page, 'appeval-months').locator('thead th').allTextContents();
    const cell = (key) => cells[heads.indexOf(I18N.zh[key])];
    assert.equal(cells[0], MONTH);
    assert.equal(cell('appeval.col.applications'), '1');
    assert.equal(cell('appeval.col.stage_on_time_pct'), '100.00', 'acceptance, survey and installation on time');
    assert.equal(cell('appeval.col.completed'), '1');
    assert.equal(cell('appeval.col.process_on_time_pct'), '100.00');
    assert.equal(cell('appeval.col.all_stages_pct'), '100.00');
    assert.equal(cell('appeval.col.satisfied_pct'), '—', 'no follow-up yet');
    await byId(page, 'appeval-month-total').waitFor({ state: 'visible' });
    const team = await byId(page, 'appeval-teams').locator('tbody tr').first().locator('td').allTextContents();
    assert.equal(team[0], I18N.zh['appeval.no_team'], 'the unit routes nothing: the roles own the stages');
    assert.equal(team[1], '3');

    await page.locator('[data-testid="appeval-chart-trend"][data-drawn]').waitFor({ state: 'attached' });
    await page.locator('[data-testid="appeval-chart-stages"][data-drawn]').waitFor({ state: 'attached' });
    const charts = await page.evaluate(() => ['appeval-chart-trend', 'appeval-chart-stages'].map((id) => {
      const el = document.querySelector(`[data-testid="${id}"]`);
      const inst = window.echarts && window.echarts.getInstanceByDom(el);
      const canvas = el.querySelector('canvas');
      const opt = inst ? inst.getOption() : null;
      return { inst: !!inst, canvas: !!canvas && canvas.width > 0 && canvas.height > 0, series: opt ? opt.series.length : 0,
        categories: opt ? opt.xAxis[0].data : [] };
    }));
    assert.deepEqual(charts.map((c) => [c.inst, c.canvas]), [[true, true], [true, true]], JSON.stringify(charts));
    assert.equal(charts[0].series, 4, 'stage, process, all-stages and satisfaction lines');
    assert.deepEqual(charts[0].categories, [MONTH]);
    assert.equal(charts[1].categories.length, 3, 'acceptance, survey, installation');
    await page.screenshot({ path: '/tmp/fg-appeval-zh.png', fullPage: true });

    const [dl] = await Promise.all([page.waitForEvent('download'), byId(page, 'appeval-export').click()]);
    assert.equal(dl.suggestedFilename(), `application-evaluation-${MONTH}-${MONTH}.xlsx`);
    const bytes = readFileSync(await dl.path());
    assert.deepEqual([...bytes.subarray(0, 4)], [0x50, 0x4b, 0x03, 0x04]);

    // the same page in English: headers and the stage names from the flow
    await byId(page, 'user-menu').click();
    await byId(page, 'user-menu-panel').waitFor({ state: 'visible' });
    await byId(page, 'lang-en').click();
    await waitText(page, 'nav-service_evaluation', I18N.en['nav.service_evaluation']);
    await byId(page, 'appeval-months').waitFor({ state: 'visible' });
    const enHeads = await byId(page, 'appeval-months').locator('thead th').allTextContents();
    assert.ok(enHeads.includes(I18N.en['appeval.col.process_on_time_pct']), JSON.stringify(enHeads));
    const stageCells = await byId(page, 'appeval-stages').locator('tbody td').allTextContents();
    assert.ok(stageCells.includes('Site survey') && stageCells.includes(I18N.en['appeval.kind.lv_residential']), JSON.stringify(stageCells));
    assert.deepEqual(problems, [], 'no page errors');
  } finally {
    await context.close();
  }
});

// Browser test for the KPI page (web/js/kpis.js, R4.4): a real OCPP client (ocpp-rpc, strict mode) gives a charger a
// known day (Faulted 06:00–12:00, so 75 % available); a manager opens 充电设施 → 运维指标, picks that day, sees the
// figure in the table, both ECharts charts drawn on canvas with no page error or CSP refusal, and downloads the
// XLSX. Screenshot: /tmp/fg-kpis-zh.png.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { RPCClient } from 'ocpp-rpc';
import { TAG, I18N, TEST_TIMEOUT, DESK, FG_URL, must, launch, newPage, byId, login, shanghaiDate } from './lib.mjs';

const PASSWORD = 'Kpis-pass-' + TAG + '7';
const D = shanghaiDate(-2);
const at = (hours) => new Date(Date.parse(D + 'T00:00:00+08:00') + hours * 3600e3).toISOString();
let browser;
const fx = {};

before(async () => {
  assert.ok(FG_URL, 'FG_URL must point at a running fieldgrid server');
  fx.mgr = await must('POST', '/users', { username: `kpi_mgr_${TAG}`, password: PASSWORD, display_name: '经理' + TAG.slice(-4), roles: ['manager'] });
  fx.station = await must('POST', '/stations', { code: 'KST-' + TAG, name: '指标测试站' + TAG });
  fx.charger = await must('POST', '/chargers', { charge_point_id: 'KCP-' + TAG, kind: 'ac', payment: 'card', station_id: fx.station.id, connector_count: 1, rated_power_kw: 7 });
  const cli = new RPCClient({ endpoint: FG_URL.replace(/^http/, 'ws') + '/ocpp', identity: fx.charger.charge_point_id,
    password: fx.charger.authorization_key, protocols: ['ocpp1.6'], strictMode: true, reconnect: false });
  await cli.connect();
  await cli.call('BootNotification', { chargePointVendor: '星星充电', chargePointModel: 'AC7-' + TAG });
  for (const [status, h, errorCode] of [['Available', 0, 'NoError'], ['Faulted', 6, 'GroundFailure'], ['Available', 12, 'NoError']]) {
    await cli.call('StatusNotification', { connectorId: 1, status, errorCode, timestamp: at(h) });
  }
  await cli.close({ force: true });
  browser = await launch();
});

after(async () => {
  if (browser) await browser.close();
});

test('kpis: the page shows a known day in the table and in ECharts, and exports XLSX', { timeout: TEST_TIMEOUT }, async () => {
  const { context, page, problems } = await newPage(browser, { ...DESK, acceptDownloads: true });
  try {
    await login(page, fx.mgr.username, PASSWORD, '/charging');
    // from here on no console error either (a CSP refusal of what ECharts needs would show there)
    page.on('console', (m) => { if (m.type() === 'error') problems.push('console: ' + m.text()); });
    await byId(page, 'charging-tab-kpis').click();
    await page.waitForURL((u) => u.pathname === '/charging/kpis');
    await byId(page, 'kpi-from').fill(D);
    await byId(page, 'kpi-to').fill(D);
    await byId(page, 'kpi-group').selectOption('station');
    await byId(page, 'kpi-run').click();
    const row = byId(page, 'kpi-table').locator('tbody tr', { hasText: fx.station.name });
    await row.waitFor({ state: 'visible' });
    const cells = await row.locator('td').allTextContents();
    assert.equal(cells[0], fx.station.name);
    assert.equal(cells[3], '75.00', 'availability: Faulted 6 h of 24');
    assert.equal(cells[5], '1', 'one fault');
    assert.equal(cells[7], '6.00', 'MTTR 6 h');
    const heads = await byId(page, 'kpi-table').locator('thead th').allTextContents();
    assert.equal(heads[3], I18N.zh['kpis.col.availability']);
    await byId(page, 'kpi-total').waitFor({ state: 'visible' });

    // both charts drawn: an ECharts instance on each box, with a painted canvas
    await page.locator('[data-testid="kpi-chart-bars"][data-drawn]').waitFor({ state: 'attached' });
    await page.locator('[data-testid="kpi-chart-trend"][data-drawn]').waitFor({ state: 'attached' });
    const charts = await page.evaluate(() => ['kpi-chart-bars', 'kpi-chart-trend'].map((id) => {
      const el = document.querySelector(`[data-testid="${id}"]`);
      const inst = window.echarts && window.echarts.getInstanceByDom(el);
      const canvas = el.querySelector('canvas');
      const opt = inst ? inst.getOption() : null;
      return { inst: !!inst, canvas: !!canvas && canvas.width > 0 && canvas.height > 0, series: opt ? opt.series.length : 0,
        categories: opt ? opt.xAxis[0].data : [] };
    }));
    assert.deepEqual(charts.map((c) => [c.inst, c.canvas]), [[true, true], [true, true]], JSON.stringify(charts));
    assert.equal(charts[0].series, 2, 'availability and fault rate bars');
    assert.ok(charts[0].categories.includes(fx.station.name), 'the station is a bar');
    assert.deepEqual(charts[1].categories, [D], 'one day on the trend');
    await page.screenshot({ path: '/tmp/fg-kpis-zh.png', fullPage: true });

    // the export: a real .xlsx (a zip) under its name
    const [dl] = await Promise.all([page.waitForEvent('download'), byId(page, 'kpi-export').click()]);
    assert.equal(dl.suggestedFilename(), `charger-kpis-${D}-${D}.xlsx`);
    const bytes = readFileSync(await dl.path());
    assert.deepEqual([...bytes.subarray(0, 4)], [0x50, 0x4b, 0x03, 0x04]);
    assert.ok(bytes.length > 4000);
    assert.deepEqual(problems, [], 'no page errors');
  } finally {
    await context.close();
  }
});

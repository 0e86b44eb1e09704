// Browser test of the metering centre's large screen (issue 12 item 7, R1.5): a metering admin makes a display
// link on the desk (its URL shown once, with a QR code); a fresh browser with no session opens the screen from the
// link at 1920 × 1080 and every chart is drawn with the data the API gives for the same link (a panel with no data
// shows its "no data" mark instead); the data route is then cut off (playwright's page.route stands in for a server
// restart: this harness cannot restart the server it runs against) — the screen keeps its data with a
// "reconnecting" mark and recovers by itself, showing what changed meanwhile; finally the admin revokes the link on
// the desk and the screen fills with the revoked message at its next refresh. Screenshot: /tmp/fg-screen.png.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { TAG, I18N, TEST_TIMEOUT, DESK, FG_URL, must, launch, newPage, byId, login, shanghaiDate } from './lib.mjs';

const PASSWORD = 'Screen-pass-' + TAG + '7';
const SCREEN = { viewport: { width: 1920, height: 1080 } };
let browser;
const fx = {};

/** Rows behind the server's back (FG_DB_URL, as tests/api/fieldwork_lib.mjs tamper()): meters for the rotation panel,
 * which has no writer of its own until the assets module lands. */
function sql(statement) {
  const url = process.env.FG_DB_URL;
  assert.ok(url, 'FG_DB_URL names the database (set by tests/run-suite.sh)');
  if (url.startsWith('postgres')) execFileSync('psql', ['-q', '-X', url, '-c', statement]);
  else execFileSync('sqlite3', [url, statement]);
}

async function draftPlan(label) {
  const order = await must('POST', '/work-orders', { kind: 'lv_meter_install', customer_name: `${label}客户${TAG}`, site_address: `${label}路${TAG}号` });
  return must('POST', '/plans', { date: shanghaiDate(), team_id: fx.team.id, leader_id: fx.leader.id, crew_ids: [fx.crew.id],
    work_order_ids: [order.id], title: `${label}${TAG}` });
}

/** The screen's data as the API gives it to the same link. */
async function screenData(token) {
  const res = await fetch(FG_URL + '/api/v1/screen/data', { headers: { Authorization: 'Bearer ' + token } });
  assert.equal(res.status, 200);
  return res.json();
}

before(async () => {
  assert.ok(FG_URL, 'FG_URL must point at a running fieldgrid server');
  fx.team = await must('POST', '/org-units', { name: '大屏班组' + TAG, kind: 'team' });
  const user = (key, roles) => must('POST', '/users', { username: `scr_${key}_${TAG}`, password: PASSWORD, display_name: key + TAG.slice(-4), roles, org_unit_id: fx.team.id });
  fx.admin = await user('mc', ['metering']);
  fx.leader = await user('lead', ['leader']);
  fx.crew = await user('crew', ['crew']);
  await draftPlan('大屏');
  const now = Date.now();
  const rows = [['A', '城东1号台区'], ['B', '城东1号台区'], ['C', '城西2号台区']].map(([k, area]) =>
    `('scr-${TAG}-${k}', 'SCR${TAG}${k}', 'meter', 'installed', '${area}', '2012-03-01', ${now}, ${now})`);
  sql(`INSERT INTO metering_assets (id, asset_no, kind, status, transformer_area, installed_on, created_at, updated_at) VALUES ${rows.join(', ')}`);
  browser = await launch();
});

after(async () => {
  if (browser) await browser.close();
});

test('screen: made on the desk, opened with no session at 1920 × 1080, drawn, survives an outage, stops when revoked', { timeout: TEST_TIMEOUT }, async () => {
  // ---- the desk: a display link, shown once with its QR code
  const desk = await newPage(browser, DESK);
  await login(desk.page, fx.admin.username, PASSWORD, '/screen-links');
  await byId(desk.page, 'screenlinks-new').click();
  await byId(desk.page, 'screenlink-form-name').fill('计量中心大厅' + TAG);
  const [made] = await Promise.all([
    desk.page.waitForResponse((r) => new URL(r.url()).pathname === '/api/v1/screen/links' && r.request().method() === 'POST'),
    byId(desk.page, 'screenlink-form-submit').click(),
  ]);
  assert.equal(made.status(), 201);
  const link = await made.json();
  await byId(desk.page, 'screenlink-created').waitFor({ state: 'visible' });
  const url = await byId(desk.page, 'screenlink-url').inputValue();
  assert.equal(url, `${new URL(FG_URL).origin}/screen.html#t=${link.token}`);
  assert.ok(await byId(desk.page, 'screenlink-qr').evaluate((img) => img.complete && img.naturalWidth > 0), 'the QR code is drawn');
  await byId(desk.page, `screenlink-${link.id}`).waitFor({ state: 'visible' });

  // ---- the screen: a fresh browser, no cookie, no sign-in; refreshing every second for the test
  const scr = await newPage(browser, SCREEN);
  const { page } = scr;
  page.on('console', (m) => { if (m.type() === 'error' && !/Failed to load resource|ERR_FAILED/.test(m.text())) scr.problems.push('console: ' + m.text()); });
  const sent = [];
  page.on('request', (r) => sent.push({ url: r.url(), headers: r.headers() }));
  await page.goto(url.replace('/screen.html#', '/screen.html?refresh=1#'));
  await page.waitForFunction(() => window.__screenData && window.__screenCharts && Object.keys(window.__screenCharts).length >= 6);
  assert.equal((await scr.context.cookies()).length, 0, 'no session, no cookie');
  for (const r of sent) {
    assert.ok(!r.url.includes(link.token), 'the token never goes into a URL: ' + r.url);
    assert.equal(r.headers.cookie, undefined, 'no cookie is sent');
  }
  assert.ok(sent.some((r) => r.url.endsWith('/api/v1/screen/data') && r.headers.authorization === 'Bearer ' + link.token));
  const stage = await byId(page, 'screen-stage').boundingBox();
  assert.deepEqual([stage.width, stage.height], [1920, 1080], 'the stage fills 1920 × 1080 exactly');
  assert.ok(await page.evaluate(() => document.documentElement.scrollWidth <= 1920 && document.documentElement.scrollHeight <= 1080), 'nothing scrolls');
  assert.equal(await page.title(), I18N.zh['screen.title']);

  // the values are the API's for the same link
  const d = await screenData(link.token);
  assert.ok(d.panels.jobs.total >= 1 && d.panels.rotation.by_area.length >= 2, 'the fixtures are in the data');
  const P = d.panels;
  const tiles = { 'jobs-total': P.jobs.total, 'jobs-working': P.jobs.by_status.working, 'jobs-high': P.jobs.high_risk,
    'jobs-violations': P.jobs.violations, 'gates-passed': P.jobs.gates.passed, 'gates-ready': P.jobs.gates.ready,
    'gates-blocked': P.jobs.gates.blocked, 'clocks-open': P.clocks.open, 'clocks-red': P.clocks.red,
    'clocks-amber': P.clocks.amber, 'clocks-grey': P.clocks.grey };
  for (const [id, v] of Object.entries(tiles)) assert.equal(await byId(page, 'screen-' + id).innerText(), String(v), id);
  assert.equal(await byId(page, 'screen-company').innerText(), d.company);

  // every chart: an ECharts instance whose series hold the panel's data, painted on a canvas; an empty panel says so
  const want = {
    jobs: [['draft', 'published', 'working', 'paused', 'finished'].map((s) => P.jobs.by_status[s])],
    gates: [['passed', 'ready', 'blocked'].map((k) => P.jobs.gates[k])],
    clocks: [P.clocks.tracks.map((x) => x.red), P.clocks.tracks.map((x) => x.amber), P.clocks.tracks.map((x) => x.grey),
      P.clocks.tracks.map((x) => x.open - x.red - x.amber - x.grey)],
    on_time: [[P.on_time.applications.rate, P.on_time.work_orders.rate].map((r) => (r === null ? 0 : Math.round(r * 1000) / 10))],
    rotation: [P.rotation.by_area.map((a) => a.total), P.rotation.by_area.map((a) => a.done)],
    collection: P.collection.by_area.length ? [P.collection.by_area.map((a) => (a.success_rate === null ? 0 : Math.round(a.success_rate * 10) / 10)),
      P.collection.by_area.map((a) => a.open_anomalies)] : null,
    anomalies: P.collection.open_by_kind.length ? [P.collection.open_by_kind.map((x) => x.count)] : null,
  };
  for (const [key, series] of Object.entries(want)) {
    if (!series) {
      await byId(page, 'screen-empty-' + key).waitFor({ state: 'visible' });
      continue;
    }
    const got = await page.evaluate((k) => {
      const c = window.__screenCharts[k];
      if (!c || c.isDisposed()) return null;
      return c.getOption().series.map((s) => s.data.map((v) => (v !== null && typeof v === 'object' ? v.value : v)));
    }, key);
    assert.ok(got, `chart ${key} exists`);
    assert.deepEqual(got, series, `chart ${key} shows the API's data`);
    assert.ok(got.every((s) => s.length > 0), `chart ${key} has data`);
    const canvas = await byId(page, 'screen-chart-' + key).locator('canvas').first().boundingBox();
    assert.ok(canvas && canvas.width >= 200 && canvas.height >= 150, `chart ${key} is painted on a canvas of a real size`);
    assert.equal(await byId(page, 'screen-empty-' + key).isVisible(), false);
  }
  assert.equal(await byId(page, 'screen-status').innerText(), I18N.zh['screen.live']);
  await page.screenshot({ path: '/tmp/fg-screen.png' });

  // ---- an outage: every data request fails (as while the server restarts); the screen keeps its data, marked
  await page.route('**/api/v1/screen/data', (route) => route.abort('connectionrefused'));
  await page.waitForFunction(() => document.querySelector('[data-testid="screen-status"]').classList.contains('reconnecting'));
  assert.equal(await byId(page, 'screen-status').innerText(), I18N.zh['screen.reconnecting']);
  assert.equal(await byId(page, 'screen-jobs-total').innerText(), String(P.jobs.total), 'the last data stays on screen');
  assert.ok(await page.evaluate(() => !window.__screenCharts.jobs.isDisposed()));
  await draftPlan('停机期间'); // a change the screen has not seen yet
  await page.unroute('**/api/v1/screen/data');
  // back by itself, no reload (the back-off is at most 8 s here): live again, with the new plan counted
  await byId(page, 'screen-jobs-total').filter({ hasText: new RegExp(`^${P.jobs.total + 1}$`) }).waitFor({ state: 'visible', timeout: 60_000 });
  await page.waitForFunction(() => document.querySelector('[data-testid="screen-status"]').classList.contains('ok'));
  const charts = await page.evaluate(() => window.__screenCharts.jobs.getOption().series[0].data);
  assert.equal(charts[0], P.jobs.by_status.draft + 1, 'the chart shows it too');

  // ---- English on the same link
  const en = await newPage(browser, SCREEN);
  await en.page.goto(url.replace('/screen.html#', '/screen.html?lang=en#'));
  await en.page.waitForFunction(() => window.__screenData);
  assert.equal(await en.page.title(), I18N.en['screen.title']);
  assert.equal(await byId(en.page, 'screen-panel-jobs').locator('h2').innerText(), I18N.en['screen.p.jobs']);
  await en.context.close();

  // ---- the desk revokes the link; the screen's next refresh fills it with the message
  await byId(desk.page, `screenlink-revoke-${link.id}`).click();
  await byId(desk.page, 'confirm-ok').click();
  await byId(desk.page, `screenlink-${link.id}`).filter({ hasText: I18N.zh['screenlinks.revoked'] }).waitFor({ state: 'visible' });
  await byId(page, 'screen-blocked').waitFor({ state: 'visible', timeout: 30_000 });
  assert.equal(await byId(page, 'screen-blocked').getAttribute('data-code'), 'screen_link_revoked');
  assert.match(await byId(page, 'screen-blocked').innerText(), new RegExp(I18N.zh['screen.revoked']));
  const box = await byId(page, 'screen-blocked').boundingBox();
  assert.deepEqual([box.width, box.height], [1920, 1080], 'the message covers the whole screen');
  await page.screenshot({ path: '/tmp/fg-screen-revoked.png' });
  assert.deepEqual(scr.problems, []);
  assert.deepEqual(desk.problems, []);
  await scr.context.close();
  await desk.context.close();
});

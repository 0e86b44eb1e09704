// Browser tests for the safety tools (web/js/tools.js, scan.js, toolkit.js, the job's 工器具 step in jobflow.js).
// Runs against a live server, like the other browser tests:
//   FG_URL=http://127.0.0.1:18080 FG_ADMIN_PASSWORD=… node --test tests/browser/
// Fixtures (a team, a tool keeper, a leader, a crew member, a work order, a published plan, tools) are made through
// the API as admin, with names that carry a per-run tag, and left in place.
// The label scan: the test renders the tool's real QR label (GET /tools/{id}/qr, SVG) to a PNG in the page and
// gives it to the scan page's photo input, which decodes it: with the browser's BarcodeDetector where this Chromium
// has one that reads QR codes, else (Debian's headless Chromium on Linux has none) with jsQR from /vendor/jsqr.js.
// It logs which decoder ran. The typed asset number is tested as well.
// Screenshots land in /tmp/fg-tools-*.png for people to look at; nothing asserts on pixels or timings.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { ADMIN_PASSWORD, CHROMIUM, DESK, FG_URL, I18N, PHONE, STEP_TIMEOUT, TEST_TIMEOUT, byId, fill, isApi, login, newPage as openPage, waitText } from './lib.mjs';
import { chromium } from 'playwright-core';

const TAG = Date.now().toString(36).toUpperCase();
const PASSWORD = 'Tools-pass-' + TAG + '7';

let browser;
let adminToken;
const fx = {}; // fixtures

// ------------------------------------------------------------------ API helpers (via fetch)

async function api(method, path, body, token = adminToken) {
  const res = await fetch(FG_URL + '/api/v1' + path, {
    method,
    headers: { Accept: 'application/json', 'Accept-Language': 'zh-CN', Authorization: 'Bearer ' + token,
      ...(body !== undefined ? { 'Content-Type': 'application/json' } : {}) },
    body: body !== undefined ? JSON.stringify(body) : undefined,
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null };
}

async function must(method, path, body, token = adminToken, want = [200, 201]) {
  const r = await api(method, path, body, token);
  assert.ok(want.includes(r.status), `${method} ${path} answered ${r.status} ${JSON.stringify(r.body)}`);
  return r.body;
}

async function tokenOf(username, password = PASSWORD) {
  const res = await fetch(FG_URL + '/api/v1/auth/login', {
    method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ username, password }),
  });
  assert.equal(res.status, 200, username + ' API login');
  return (await res.json()).token;
}

const pad = (n) => String(n).padStart(2, '0');
/** A calendar date in Asia/Shanghai, `months` and `days` from today (a day past a month's end is clamped). */
function shanghaiDate({ months = 0, days = 0 } = {}) {
  const now = new Date(Date.now() + 8 * 3600 * 1000);
  const y = now.getUTCFullYear();
  const m = now.getUTCMonth() + months;
  const last = new Date(Date.UTC(y, m + 1, 0)).getUTCDate();
  const d = new Date(Date.UTC(y, m, Math.min(now.getUTCDate(), last) + days));
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;
}
const todayShanghai = () => shanghaiDate();

async function makeTool(asset, kind, lastTest, result = 'pass', extra = {}) {
  return must('POST', '/tools', { asset_no: asset, kind, last_test_date: lastTest, last_test_result: result, store: '工器具库房', ...extra });
}

before(async () => {
  assert.ok(FG_URL, 'FG_URL must point at a running fieldgrid server');
  assert.ok(ADMIN_PASSWORD, 'FG_ADMIN_PASSWORD must be the admin password of that server');
  adminToken = await tokenOf('admin', ADMIN_PASSWORD);

  fx.team = await must('POST', '/org-units', { name: '工器具测试班' + TAG, kind: 'team' });
  const person = (key, name, roles) => must('POST', '/users', {
    username: `tl_${key}_${TAG.toLowerCase()}`, password: PASSWORD, display_name: name + TAG.slice(-4), roles, org_unit_id: fx.team.id,
  });
  fx.keeper = await person('keep', '工器具管理员', ['tool_keeper']);
  fx.leader = await person('lead', '负责人', ['leader']);
  fx.crew = await person('crew', '班员', ['crew']);

  // A published plan the crew member is on (lv_meter_install needs insulating gloves and a low-voltage detector).
  const order = await must('POST', '/work-orders', {
    kind: 'lv_meter_install', customer_name: '工器具客户' + TAG, site_address: '工器具路' + TAG + '号', meter_asset_no: 'MT' + TAG,
  });
  const plan = await must('POST', '/plans', {
    date: todayShanghai(), team_id: fx.team.id, leader_id: fx.leader.id, crew_ids: [fx.crew.id], work_order_ids: [order.id],
  });
  fx.plan = await must('POST', `/plans/${plan.id}/actions/publish`, {});
  fx.order = order;

  browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'],
  });
});

after(async () => {
  if (browser) await browser.close();
});

// ------------------------------------------------------------------ page helpers (as in the other browser tests)

const newPage = (opts) => openPage(browser, opts);

/** Click (tap on phones) and return the response of the call it makes. */
async function clickFor(page, id, method, pathname, { tap = false } = {}) {
  const wait = page.waitForResponse((r) => isApi(r, method, pathname));
  if (tap) await byId(page, id).tap();
  else await byId(page, id).click();
  return wait;
}

async function assertFitsWidth(page, what) {
  const { sw, w } = await page.evaluate(() => ({ sw: document.documentElement.scrollWidth, w: window.innerWidth }));
  assert.ok(sw <= w, `${what}: page is ${sw}px wide in a ${w}px viewport`);
}

async function setLang(page, lang) {
  await byId(page, 'user-menu').click();
  await byId(page, 'lang-' + lang).click();
}

/** Counts of GET /tools/due?days=30 as the summary shows them: overdue (red) and due soon (amber). */
async function dueCounts() {
  const items = (await must('GET', '/tools/due?days=30')).items;
  const overdue = items.filter((x) => x.days_to_due < 0).length;
  return { overdue, soon: items.length - overdue };
}

/** The tool's real QR label (GET /tools/{id}/qr, SVG, fetched with the page's bearer token) drawn to a PNG. */
async function labelPng(page, toolId) {
  const b64 = await page.evaluate(async (id) => {
    const res = await fetch('/api/v1/tools/' + id + '/qr', { headers: { Authorization: 'Bearer ' + sessionStorage.getItem('fg.token') } });
    if (!res.ok) throw new Error('qr ' + res.status);
    const url = URL.createObjectURL(new Blob([await res.text()], { type: 'image/svg+xml' }));
    const img = new Image();
    await new Promise((ok, bad) => { img.onload = ok; img.onerror = () => bad(new Error('svg did not load')); img.src = url; });
    const c = document.createElement('canvas');
    c.width = 480; c.height = 480;
    const g = c.getContext('2d');
    g.imageSmoothingEnabled = false;
    g.fillStyle = '#fff'; g.fillRect(0, 0, 480, 480);
    g.drawImage(img, 0, 0, 480, 480);
    URL.revokeObjectURL(url);
    // the label has dark modules: not a blank page
    const px = g.getImageData(0, 0, 480, 480).data;
    let dark = 0;
    for (let i = 0; i < px.length; i += 4) if (px[i] < 64) dark += 1;
    if (dark < 480 * 480 * 0.1) throw new Error('the QR label drew almost nothing: ' + dark);
    return c.toDataURL('image/png').split(',')[1];
  }, toolId);
  const png = Buffer.from(b64, 'base64');
  assert.deepEqual([...png.subarray(0, 4)], [0x89, 0x50, 0x4e, 0x47], 'a PNG');
  return png;
}

// ------------------------------------------------------------------ tests

test('desk, tool keeper: due summary, create a tool, its QR label and print, a failed test takes it out of service', { timeout: TEST_TIMEOUT }, async () => {
  const { context, page, problems } = await newPage(DESK);
  const asset = 'JYST-' + TAG + '-A';
  const lastTest = shanghaiDate({ months: -2 });
  try {
    // An overdue tool, so the red count is not zero.
    await makeTool('OVD-' + TAG + '-K', 'insulating_boots', shanghaiDate({ months: -7 }));
    const counts = await dueCounts();
    assert.ok(counts.overdue >= 1);

    await login(page, fx.keeper.username, PASSWORD);
    // 工作台: the keeper's reminders, red and amber, with the server's counts.
    const dash = byId(page, 'dashboard-tools-due');
    await dash.and(page.locator('[data-loaded="1"]')).waitFor({ state: 'visible' });
    assert.equal(await byId(page, 'dashboard-tools-due-overdue').getAttribute('data-n'), String(counts.overdue));
    assert.equal(await byId(page, 'dashboard-tools-due-soon').getAttribute('data-n'), String(counts.soon));
    assert.ok(await byId(page, 'dashboard-tools-due-overdue').evaluate((el) => el.classList.contains('due-red')));
    assert.ok(await byId(page, 'dashboard-tools-due-soon').evaluate((el) => el.classList.contains('due-amber') || el.classList.contains('zero')));
    await page.screenshot({ path: '/tmp/fg-tools-desk-dashboard-zh.png' });

    // The red count opens the ledger filtered to overdue tools.
    await byId(page, 'dashboard-tools-due-overdue').click();
    await page.waitForURL((u) => u.pathname === '/tools');
    await byId(page, 'tools-table').waitFor({ state: 'visible' });
    assert.equal(await byId(page, 'tools-status-filter').inputValue(), 'overdue');
    await byId(page, 'tool-row-OVD-' + TAG + '-K').waitFor({ state: 'visible' });
    const rowStatuses = await page.locator('[data-testid="tools-table"] [data-testid="tool-row-status"]').evaluateAll((els) => els.map((e) => e.dataset.status));
    assert.ok(rowStatuses.length >= 1 && rowStatuses.every((s) => s === 'overdue'), JSON.stringify(rowStatuses));
    await waitText(page, 'tool-row-OVD-' + TAG + '-K', I18N.zh['tool.status.overdue']);
    await byId(page, 'tools-due').and(page.locator('[data-loaded="1"]')).waitFor({ state: 'visible' });
    assert.equal(await byId(page, 'tools-due-overdue').getAttribute('data-n'), String(counts.overdue));
    await page.screenshot({ path: '/tmp/fg-tools-desk-overdue-zh.png' });

    // Create a tool through the form; the kinds come from GET /kb/tool_kinds.
    await byId(page, 'tool-new').click();
    await byId(page, 'tool-form').waitFor({ state: 'visible' });
    await byId(page, 'tool-form-submit').click();
    await waitText(page, 'tool-form-error', fill(I18N.zh['form.required'], { field: I18N.zh['tool.asset_no'] }));
    await byId(page, 'tool-form-asset-no').fill(asset);
    await byId(page, 'tool-form-kind').selectOption('insulating_gloves');
    await byId(page, 'tool-form-name').fill('高压绝缘手套 12kV');
    await byId(page, 'tool-form-store').fill('一号库房' + TAG);
    await byId(page, 'tool-form-location').fill('A-03 柜');
    await byId(page, 'tool-form-last-test-date').fill(lastTest);
    await byId(page, 'tool-form-last-test-result').selectOption('pass');
    const made = await clickFor(page, 'tool-form-submit', 'POST', '/tools');
    assert.equal(made.status(), 201, JSON.stringify(await made.json()));
    const tool = await made.json();
    assert.deepEqual(JSON.parse(made.request().postData()), {
      asset_no: asset, kind: 'insulating_gloves', name: '高压绝缘手套 12kV', store: '一号库房' + TAG, location: 'A-03 柜',
      last_test_date: lastTest, last_test_result: 'pass',
    });
    await page.waitForURL((u) => u.pathname === '/tools/' + tool.id);
    await waitText(page, 'tool-detail-number', asset);
    assert.equal(await byId(page, 'tool-status').getAttribute('data-status'), 'in_store');
    await waitText(page, 'tool-status', I18N.zh['tool.status.in_store']);
    await waitText(page, 'tool-detail-kind', '绝缘手套');
    await waitText(page, 'tool-next-due', tool.next_test_due);
    assert.equal(await byId(page, 'tool-days').locator('span').getAttribute('data-days'), String(tool.days_to_due));
    await byId(page, 'tool-row-' + asset).waitFor({ state: 'visible' });

    // The QR label: fetched with the bearer header, shown from an object URL, decoded by the browser.
    const img = byId(page, 'tool-qr-img');
    await img.waitFor({ state: 'visible' });
    await page.waitForFunction(() => { const i = document.querySelector('[data-testid="tool-qr-img"]'); return i && i.complete && i.naturalWidth > 0; });
    assert.match(await img.getAttribute('src'), /^blob:/);
    await waitText(page, 'tool-qr', asset);
    await page.screenshot({ path: '/tmp/fg-tools-desk-detail-zh.png' });

    // Print the label alone (window.print is replaced so the test can see it was called).
    await page.evaluate(() => { window.__printed = 0; window.print = () => { window.__printed += 1; }; });
    await byId(page, 'tool-print').click();
    assert.equal(await page.evaluate(() => window.__printed), 1);
    const label = byId(page, 'print-label');
    assert.equal(await label.getAttribute('data-asset'), asset);
    assert.ok(await page.evaluate(() => document.body.classList.contains('printing-label')));
    assert.equal(await label.isVisible(), false, 'the label is for print only');
    await page.emulateMedia({ media: 'print' });
    await label.waitFor({ state: 'visible' });
    assert.equal(await byId(page, 'shell').isVisible(), false, 'only the label prints');
    assert.ok((await label.innerText()).includes(asset));
    await page.screenshot({ path: '/tmp/fg-tools-desk-label-print.png' });
    await page.emulateMedia({ media: 'screen' });
    await page.evaluate(() => window.dispatchEvent(new Event('afterprint')));
    assert.equal(await label.count(), 0);

    // A failed test: the tool leaves service (under test), the badge and the history say so.
    await byId(page, 'tool-test-new').click();
    await byId(page, 'test-dialog').waitFor({ state: 'visible' });
    assert.equal(await byId(page, 'test-dialog-test_date').inputValue(), todayShanghai());
    await byId(page, 'test-dialog-result-fail').check();
    await byId(page, 'test-dialog-tester').fill('电力试验所');
    await byId(page, 'test-dialog-report_no').fill('SY-' + TAG);
    await byId(page, 'test-dialog-note').fill('泄漏电流超标');
    const tested = await clickFor(page, 'test-dialog-submit', 'POST', `/tools/${tool.id}/tests`);
    assert.equal(tested.status(), 201, JSON.stringify(await tested.json()));
    assert.deepEqual(JSON.parse(tested.request().postData()), {
      test_date: todayShanghai(), result: 'fail', tester: '电力试验所', report_no: 'SY-' + TAG, note: '泄漏电流超标',
    });
    await byId(page, 'tool-status').and(page.locator('[data-status="under_test"]')).waitFor({ state: 'visible' });
    await waitText(page, 'tool-status', I18N.zh['tool.status.under_test']);
    assert.equal(await byId(page, 'tool-last-result').getAttribute('data-result'), 'fail');
    await waitText(page, 'tool-test-0', 'SY-' + TAG);
    await waitText(page, 'tool-test-0', I18N.zh['tool.result.fail']);
    assert.equal(await byId(page, 'tool-row-' + asset).locator('[data-testid="tool-row-status"]').getAttribute('data-status'), 'under_test');
    assert.equal((await must('GET', '/tools/' + tool.id)).custody, 'under_test');
    await page.screenshot({ path: '/tmp/fg-tools-desk-failed-zh.png' });

    // Filters: free text and custody go to the server.
    const [searched] = await Promise.all([
      page.waitForResponse((r) => isApi(r, 'GET', '/tools') && new URL(r.url()).searchParams.get('custody') === 'under_test'),
      byId(page, 'tools-custody-filter').selectOption('under_test'),
    ]);
    assert.equal(searched.status(), 200);
    await page.locator('[data-testid="tools-table"] [data-testid="tool-row-status"]').first().waitFor({ state: 'visible' });
    const custodies = await page.locator('[data-testid="tools-table"] [data-testid="tool-row-status"]').evaluateAll((els) => els.map((e) => e.dataset.status));
    assert.ok(custodies.every((s) => s === 'under_test'), JSON.stringify(custodies));

    // The whole ledger pages with "load more" (next_cursor).
    await byId(page, 'tools-custody-filter').selectOption('');
    const [all] = await Promise.all([
      page.waitForResponse((r) => isApi(r, 'GET', '/tools') && !new URL(r.url()).searchParams.get('q') && !new URL(r.url()).searchParams.get('cursor')),
      byId(page, 'tools-search').fill(''),
    ]);
    const first = await all.json();
    const rows = page.locator('[data-testid="tools-table"] tbody tr[data-testid^="tool-row-"]');
    await waitText(page, 'tools-total', String(first.total));
    assert.equal(await rows.count(), first.items.length);
    if (first.next_cursor) {
      const [next] = await Promise.all([
        page.waitForResponse((r) => isApi(r, 'GET', '/tools') && new URL(r.url()).searchParams.get('cursor') === first.next_cursor),
        byId(page, 'tools-more').click(),
      ]);
      const second = await next.json();
      await rows.nth(first.items.length + second.items.length - 1).waitFor({ state: 'visible' });
      assert.equal(await rows.count(), first.items.length + second.items.length);
    } else {
      assert.equal(await byId(page, 'tools-more').count(), 0);
    }

    // The same in English.
    await setLang(page, 'en');
    await waitText(page, 'tool-status', I18N.en['tool.status.under_test']);
    await waitText(page, 'tool-detail-kind', 'Insulating gloves');
    await page.screenshot({ path: '/tmp/fg-tools-desk-failed-en.png' });
    assert.deepEqual(problems, []);
  } finally {
    await context.close();
  }
});

test('phone, crew member: the job\'s tools step, scan a label, check the tool out, see it in the job; one-tap check-out warns when due soon; return damaged', { timeout: TEST_TIMEOUT }, async () => {
  const plan = fx.plan;
  const good = await makeTool('JYST-' + TAG + '-B', 'insulating_gloves', shanghaiDate({ months: -1 }));
  // due in a few days: proposed first for its kind, and its check-out warns
  const soon = await makeTool('YDQ-' + TAG + '-S', 'lv_voltage_detector', shanghaiDate({ months: -12, days: 5 }));
  assert.ok(soon.days_to_due >= 0 && soon.days_to_due <= 30, JSON.stringify(soon));
  const { context, page, problems } = await newPage(PHONE);
  try {
    await login(page, fx.crew.username, PASSWORD, '/jobs/' + plan.id);
    await byId(page, 'job-detail').filter({ hasText: plan.number }).waitFor({ state: 'visible' });
    const stepBox = await byId(page, 'flow-step-tools').boundingBox();
    assert.ok(stepBox && stepBox.height >= 44 && stepBox.width >= 44, 'eight steps, each still a touch target: ' + JSON.stringify(stepBox));
    await byId(page, 'flow-step-tools').tap();
    await byId(page, 'flow-panel-tools').waitFor({ state: 'visible' });
    assert.equal(await byId(page, 'flow-step-tools').getAttribute('data-state'), 'todo');
    const need = await must('GET', `/plans/${plan.id}/tools`);
    assert.equal(await byId(page, 'tools-needed').getAttribute('data-total'), String(need.needed.length));
    assert.equal(await byId(page, 'tools-need-insulating_gloves').getAttribute('data-ok'), '0');
    await waitText(page, 'tools-need-insulating_gloves', '绝缘手套');
    await assertFitsWidth(page, 'tools step');
    await page.screenshot({ path: '/tmp/fg-tools-phone-step-zh.png' });

    // 工器具 → 扫码领用: the scan page knows the job.
    await byId(page, 'tools-scan').tap();
    await page.waitForURL((u) => u.pathname === '/scan' && u.searchParams.get('plan') === plan.id);
    await byId(page, 'scan-page').waitFor({ state: 'visible' });
    await page.locator('[data-testid="scan-mode"]:not([data-mode="checking"])').waitFor({ state: 'visible' });
    const mode = await byId(page, 'scan-mode').getAttribute('data-mode');
    const hasDetector = await page.evaluate(async () => 'BarcodeDetector' in window
      && (await window.BarcodeDetector.getSupportedFormats()).includes('qr_code'));
    assert.equal(mode, hasDetector ? 'detector' : 'decoder', 'the browser\'s BarcodeDetector when it reads QR codes, else jsQR');
    assert.ok(await byId(page, 'tab-tools').evaluate((el) => el.classList.contains('active')), '工器具 tab is current on /scan');

    // Feed the real label to the scanner's photo input: the page decodes it and looks the tool up.
    const png = await labelPng(page, good.id);
    const found = page.waitForResponse((r) => isApi(r, 'GET', '/tools') && new URL(r.url()).searchParams.get('asset_no') === good.asset_no);
    console.log(`# scan path: ${mode === 'detector' ? 'BarcodeDetector' : 'jsQR'} decodes the label photo (${png.length} bytes)`);
    await byId(page, 'scan-photo-input').setInputFiles({ name: 'label.png', mimeType: 'image/png', buffer: png });
    assert.equal((await found).status(), 200);
    assert.equal(await byId(page, 'scan-asset').inputValue(), good.asset_no, 'the decoded asset number is shown');
    await waitText(page, 'scan-tool-asset', good.asset_no);
    assert.equal(await byId(page, 'scan-tool-status').getAttribute('data-status'), 'in_store');
    await waitText(page, 'scan-tool-due', good.next_test_due);
    assert.equal(await byId(page, 'scan-plan').inputValue(), plan.id, 'the job it came from is chosen');
    await assertFitsWidth(page, 'scan');
    await page.screenshot({ path: '/tmp/fg-tools-phone-scan-zh.png' });

    const out = await clickFor(page, 'scan-checkout', 'POST', `/tools/${good.id}/actions/checkout`, { tap: true });
    assert.equal(out.status(), 200, JSON.stringify(await out.json()));
    assert.deepEqual(JSON.parse(out.request().postData()), { plan_id: plan.id });
    assert.deepEqual((await out.json()).warnings, []);
    await byId(page, 'scan-done').waitFor({ state: 'visible' });
    assert.equal(await byId(page, 'scan-warning').isVisible(), false, 'no warning for a tool months from its test');
    await byId(page, 'scan-tool').and(page.locator('[data-status="checked_out"]')).waitFor({ state: 'visible' });
    await byId(page, 'scan-return-form').waitFor({ state: 'visible' });
    await page.screenshot({ path: '/tmp/fg-tools-phone-checked-out-zh.png' });

    // Back in the job: the tool is out for it and its kind is ticked.
    await byId(page, 'scan-job-link').tap();
    await page.waitForURL((u) => u.pathname === '/jobs/' + plan.id);
    await byId(page, 'flow-step-tools').tap();
    await byId(page, 'tools-out-' + good.asset_no).waitFor({ state: 'visible' });
    assert.equal(await byId(page, 'tools-need-insulating_gloves').getAttribute('data-ok'), '1');
    await waitText(page, 'tools-need-insulating_gloves', good.asset_no);

    // One tap on a proposed tool: checked out, with the due-soon warning and its days.
    await byId(page, 'tools-propose-' + soon.asset_no).scrollIntoViewIfNeeded();
    const tap = await clickFor(page, 'tools-checkout-' + soon.asset_no, 'POST', `/tools/${soon.id}/actions/checkout`, { tap: true });
    assert.equal(tap.status(), 200, JSON.stringify(await tap.json()));
    const warned = (await tap.json()).warnings;
    assert.equal(warned.length, 1);
    assert.equal(warned[0].code, 'tool_test_due_soon');
    await byId(page, 'tools-out-' + soon.asset_no).waitFor({ state: 'visible' });
    await waitText(page, 'tools-warning', fill(I18N.zh['tool.warn.tool_test_due_soon'], { days: warned[0].days, date: warned[0].next_test_due }));
    assert.equal(await byId(page, 'tools-need-lv_voltage_detector').getAttribute('data-ok'), '1');
    const planTools = await must('GET', `/plans/${plan.id}/tools`);
    assert.deepEqual(planTools.checked_out.map((x) => x.asset_no).sort(), [good.asset_no, soon.asset_no].sort());
    assert.equal(await byId(page, 'tools-needed').getAttribute('data-done'), String(planTools.needed.filter((n) => n.in_hand).length));
    await byId(page, 'tools-warning').scrollIntoViewIfNeeded();
    await assertFitsWidth(page, 'tools step after check-out');
    await page.screenshot({ path: '/tmp/fg-tools-phone-step-out-zh.png' });

    // The start checklist counts the tools.
    await byId(page, 'flow-step-start').tap();
    await byId(page, 'start-check-tools').waitFor({ state: 'visible' });
    assert.equal(await byId(page, 'start-check-tools').getAttribute('data-ok'), planTools.needed.every((n) => n.in_hand) ? '1' : '0');

    // Return through the scan: a damaged tool goes to test.
    await byId(page, 'tab-tools').tap();
    await page.waitForURL((u) => u.pathname === '/scan');
    await byId(page, 'scan-asset').fill(good.asset_no);
    await clickFor(page, 'scan-submit', 'GET', '/tools', { tap: true });
    await waitText(page, 'scan-on-job', plan.number);
    await byId(page, 'scan-return-damaged').check();
    await byId(page, 'scan-return-note').fill('指尖有划痕');
    const back = await clickFor(page, 'scan-return', 'POST', `/tools/${good.id}/actions/return`, { tap: true });
    assert.equal(back.status(), 200, JSON.stringify(await back.json()));
    assert.deepEqual(JSON.parse(back.request().postData()), { condition: 'damaged', note: '指尖有划痕' });
    await byId(page, 'scan-tool').and(page.locator('[data-status="under_test"]')).waitFor({ state: 'visible' });
    await waitText(page, 'scan-done', I18N.zh['tool.condition.damaged']);
    assert.equal((await must('GET', '/tools/' + good.id)).custody, 'under_test');
    await byId(page, 'scan-not-available').waitFor({ state: 'visible' });
    assert.equal(await byId(page, 'scan-checkout').count(), 0, 'a tool under test is not offered for check-out');
    await page.screenshot({ path: '/tmp/fg-tools-phone-returned-zh.png' });
    assert.deepEqual(problems, []);
  } finally {
    await context.close();
  }
});

test('phone: an overdue tool is refused at check-out with the translated reason and its due date', { timeout: TEST_TIMEOUT }, async () => {
  const plan = fx.plan;
  const old = await makeTool('JYST-' + TAG + '-O', 'insulating_gloves', shanghaiDate({ months: -7 }));
  assert.equal(old.status, 'overdue');
  assert.ok(old.next_test_due < todayShanghai(), JSON.stringify(old));
  const { context, page, problems } = await newPage(PHONE);
  try {
    await login(page, fx.crew.username, PASSWORD, '/');
    // The 工器具 tab takes a crew member to the scan.
    assert.equal(await byId(page, 'tab-tools').getAttribute('href'), '/scan');
    await byId(page, 'tab-tools').tap();
    await page.waitForURL((u) => u.pathname === '/scan');
    await byId(page, 'scan-asset').fill('FGTOOL:' + old.asset_no); // what the label says works too
    const found = await clickFor(page, 'scan-submit', 'GET', '/tools', { tap: true });
    assert.equal(new URL(found.url()).searchParams.get('asset_no'), old.asset_no);
    assert.equal(await byId(page, 'scan-tool-status').getAttribute('data-status'), 'overdue');
    await waitText(page, 'scan-tool-status', I18N.zh['tool.status.overdue']);
    assert.ok(await byId(page, 'scan-tool-status').evaluate((el) => el.classList.contains('badge-danger')), 'overdue is red');
    await byId(page, 'scan-plan').selectOption(plan.id);

    const refused = await clickFor(page, 'scan-checkout', 'POST', `/tools/${old.id}/actions/checkout`, { tap: true });
    assert.equal(refused.status(), 409);
    const err = (await refused.json()).error;
    assert.equal(err.code, 'tool_test_overdue');
    assert.equal(err.details.next_test_due, old.next_test_due);
    const box = byId(page, 'scan-error');
    await box.waitFor({ state: 'visible' });
    assert.equal(await box.getAttribute('data-code'), 'tool_test_overdue');
    const zhText = fill(I18N.zh['tool.refuse.tool_test_overdue'], { date: old.next_test_due });
    assert.equal((await box.innerText()).trim(), zhText);
    assert.ok(zhText.includes(old.next_test_due));
    assert.equal(await byId(page, 'scan-done').count(), 0, 'nothing was checked out');
    assert.equal((await must('GET', '/tools/' + old.id)).custody, 'in_store');
    await assertFitsWidth(page, 'refusal');
    await page.screenshot({ path: '/tmp/fg-tools-phone-overdue-zh.png' });

    // In English the reason is English, with the same date.
    await setLang(page, 'en');
    await waitText(page, 'scan-submit', I18N.en['scan.find']); // the page is drawn again in English
    await byId(page, 'scan-asset').fill(old.asset_no);
    await clickFor(page, 'scan-submit', 'GET', '/tools', { tap: true });
    await waitText(page, 'scan-tool-status', I18N.en['tool.status.overdue']);
    await byId(page, 'scan-plan').selectOption(plan.id);
    const again = await clickFor(page, 'scan-checkout', 'POST', `/tools/${old.id}/actions/checkout`, { tap: true });
    assert.equal(again.status(), 409);
    await waitText(page, 'scan-error', fill(I18N.en['tool.refuse.tool_test_overdue'], { date: old.next_test_due }));
    await page.screenshot({ path: '/tmp/fg-tools-phone-overdue-en.png' });
    assert.deepEqual(problems, []);
  } finally {
    await context.close();
  }
});

test('i18n: tool statuses, refusals, conditions and the scan have names in both languages', () => {
  const { zh, en } = I18N;
  const keys = ['flow.step.tools', 'jobs.step.tools', 'start.check.tools', 'scan.title', 'scan.mode_manual', 'dashboard.tools_due'];
  for (const s of ['in_store', 'checked_out', 'test_due_soon', 'overdue', 'under_test', 'scrapped', 'lost']) keys.push('tool.status.' + s);
  for (const c of ['tool_test_overdue', 'tool_test_failed', 'tool_not_available']) keys.push('tool.refuse.' + c);
  for (const c of ['good', 'damaged', 'lost']) keys.push('tool.condition.' + c);
  keys.push('tool.warn.tool_test_due_soon');
  for (const k of keys) {
    assert.ok(zh[k] && en[k], k);
    assert.notEqual(zh[k], en[k], k);
  }
  assert.ok(zh['tool.refuse.tool_test_overdue'].includes('{date}') && en['tool.refuse.tool_test_overdue'].includes('{date}'));
  assert.ok(zh['tool.warn.tool_test_due_soon'].includes('{days}') && en['tool.warn.tool_test_due_soon'].includes('{days}'));
});

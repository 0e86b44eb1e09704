// Browser test of the ledger import on the tool keeper's desk (web/js/toolimport.js, R3.6): upload a CSV with one
// bad row, see the table of bad cells naming the cell, download the report, fix the file, upload it again, see the
// count and the new tools in the ledger. Runs against a live server like the other browser tests:
//   FG_URL=http://127.0.0.1:18080 FG_ADMIN_PASSWORD=… node --test tests/browser/tools_import.test.mjs
// Screenshots land in /tmp/fg-tools-import-*.png for people to look at.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { ADMIN_PASSWORD, CHROMIUM, FG_URL, I18N, STEP_TIMEOUT, byId } from './lib.mjs';
import { readFileSync } from 'node:fs';
import { chromium } from 'playwright-core';

const TAG = Date.now().toString(36).toUpperCase();
const PASSWORD = 'Import-pass-' + TAG + '7';

let browser;
let adminToken;
let keeper;

async function api(method, path, body, token = adminToken) {
  const res = await fetch(FG_URL + '/api/v1' + path, {
    method,
    headers: { Accept: 'application/json', Authorization: 'Bearer ' + token, ...(body !== undefined ? { 'Content-Type': 'application/json' } : {}) },
    body: body !== undefined ? JSON.stringify(body) : undefined,
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null };
}

async function must(method, path, body) {
  const r = await api(method, path, body);
  assert.ok([200, 201].includes(r.status), `${method} ${path} answered ${r.status} ${JSON.stringify(r.body)}`);
  return r.body;
}

before(async () => {
  assert.ok(FG_URL, 'FG_URL must point at a running fieldgrid server');
  const res = await fetch(FG_URL + '/api/v1/auth/login', { method: 'POST', headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ username: 'admin', password: ADMIN_PASSWORD }) });
  assert.equal(res.status, 200, 'admin login');
  adminToken = (await res.json()).token;
  const team = await must('POST', '/org-units', { name: '导入测试班' + TAG, kind: 'team' });
  keeper = await must('POST', '/users', { username: `imp_keep_${TAG.toLowerCase()}`, password: PASSWORD,
    display_name: '工器具管理员' + TAG.slice(-4), roles: ['tool_keeper'], org_unit_id: team.id });
  browser = await chromium.launch({ executablePath: CHROMIUM, headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'] });
});

after(async () => {
  if (browser) await browser.close();
});

test('desk, tool keeper: import a CSV with a bad cell, see it named, fix it, import again', { timeout: 120_000 }, async () => {
  const context = await browser.newContext({ viewport: { width: 1366, height: 860 }, acceptDownloads: true });
  const page = await context.newPage();
  page.setDefaultTimeout(STEP_TIMEOUT);
  const problems = [];
  page.on('pageerror', (e) => problems.push('pageerror: ' + e.message));
  const p = 'IMPB-' + TAG;
  const bad = '\ufeff资产编号,工器具类型,名称,上次试验日期,试验结果\r\n'
    + `${p}-1,绝缘手套,一号手套,2025-09-01,合格\r\n`
    + `${p}-2,魔法棒,,2025-09-01,合格\r\n`;
  try {
    await page.goto(FG_URL + '/');
    await byId(page, 'login-form').waitFor({ state: 'visible' });
    await byId(page, 'login-username').fill(keeper.username);
    await byId(page, 'login-password').fill(PASSWORD);
    await byId(page, 'login-submit').click();
    await byId(page, 'user-menu').waitFor({ state: 'visible' });
    await page.goto(FG_URL + '/tools');
    await byId(page, 'tools-table').waitFor({ state: 'visible' });
    // the ledger shows this run's tools only, so the refresh after the import is visible
    await byId(page, 'tools-search').fill(p);
    await byId(page, 'tools-search-submit').click();
    await byId(page, 'tools-table').locator('tr.empty-row').waitFor({ state: 'visible' });

    await byId(page, 'tool-import-open').click();
    await byId(page, 'tool-import').waitFor({ state: 'visible' });
    const upload = (name, text) => byId(page, 'tool-import-file').setInputFiles({ name, mimeType: 'text/csv', buffer: Buffer.from(text) });

    // One bad row: nothing is imported, and the table names the cell, its value and the problem.
    await upload('ledger.csv', bad);
    await byId(page, 'tool-import-errors').waitFor({ state: 'visible' });
    const row = byId(page, 'tool-import-error-B3');
    await row.waitFor({ state: 'visible' });
    const cells = await row.locator('td').allInnerTexts();
    assert.equal(cells[0], '3');
    assert.equal(cells[1], 'B3');
    assert.equal(cells[2], '工器具类型');
    assert.equal(cells[3], '魔法棒');
    assert.match(cells[4], /工器具类型/);
    assert.equal(await byId(page, 'tool-import-errors').locator('tbody tr').count(), 1);
    assert.ok((await byId(page, 'tool-import-failed').innerText()).includes('未导入任何数据'));
    assert.equal(await byId(page, 'tool-import-progress').getAttribute('data-phase'), 'failed');
    assert.equal((await api('GET', `/tools?q=${p}`)).body.total, 0, 'the good row was not imported either');
    await page.screenshot({ path: '/tmp/fg-tools-import-errors-zh.png' });

    // The report downloads as a CSV naming the cell.
    const [download] = await Promise.all([page.waitForEvent('download'), byId(page, 'tool-import-download').click()]);
    const report = readFileSync(await download.path(), 'utf8');
    assert.ok(report.includes('B3') && report.includes('魔法棒'), report);

    // Fixed, the same file imports; the count shows and the ledger is refreshed.
    await upload('ledger.csv', bad.replace('魔法棒', '绝缘靴'));
    await byId(page, 'tool-import-done').waitFor({ state: 'visible' });
    assert.equal(await byId(page, 'tool-import-done').getAttribute('data-created'), '2');
    assert.ok((await byId(page, 'tool-import-done').innerText()).includes(I18N.zh['import.done'].replace('{n}', '2')));
    assert.equal(await byId(page, 'tool-import-errors').count(), 0, 'the old report is gone');
    await byId(page, `tool-row-${p}-1`).waitFor({ state: 'visible' });
    await byId(page, `tool-row-${p}-2`).waitFor({ state: 'visible' });
    await page.screenshot({ path: '/tmp/fg-tools-import-done-zh.png' });
    assert.deepEqual(problems, []);
  } finally {
    await context.close();
  }
});

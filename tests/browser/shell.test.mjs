// Browser tests for the web shell (web/): login, navigation frame, language
// switch, phone layout, administration. Runs against a live server:
//   FG_URL=http://127.0.0.1:18080 FG_ADMIN_PASSWORD=… node --test tests/browser/
// Screenshots land in /tmp/fg-*.png for people to look at; nothing asserts on pixels.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { ADMIN_PASSWORD, CHROMIUM, DESK, FG_URL, PHONE, STEP_TIMEOUT, byId, newPage as openPage, waitText } from './lib.mjs';
import { readFileSync } from 'node:fs';
import { chromium } from 'playwright-core';

const TEST_TIMEOUT = 120_000;

let browser;

before(async () => {
  assert.ok(FG_URL, 'FG_URL must point at a running fieldgrid server');
  assert.ok(ADMIN_PASSWORD, 'FG_ADMIN_PASSWORD must be the admin password of that server');
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

const newPage = (opts) => openPage(browser, opts);

/** Wait until the element with this test id shows text containing `text`. */

/** Fill the login form and submit; returns the login response (status + JSON). */
async function submitLogin(page, username, password) {
  await byId(page, 'login-username').fill(username);
  await byId(page, 'login-password').fill(password);
  const [resp] = await Promise.all([
    page.waitForResponse((r) => new URL(r.url()).pathname === '/api/v1/auth/login' && r.request().method() === 'POST'),
    byId(page, 'login-submit').click(),
  ]);
  return { status: resp.status(), body: await resp.json(), request: resp.request() };
}

async function loginAsAdmin(page) {
  await page.goto(FG_URL + '/');
  await byId(page, 'login-form').waitFor({ state: 'visible' });
  const r = await submitLogin(page, 'admin', ADMIN_PASSWORD);
  assert.equal(r.status, 200, 'admin login answered ' + r.status + ' ' + JSON.stringify(r.body));
  assert.ok(r.body.token, 'login returns a token');
  await byId(page, 'user-menu').waitFor({ state: 'visible' });
  return r.body.user;
}

test('desk: Chinese login, shell, switch to English, remembered on reload, logout', { timeout: TEST_TIMEOUT }, async () => {
  const { context, page, problems } = await newPage(DESK);
  try {
    await page.goto(FG_URL + '/');
    await byId(page, 'login-form').waitFor({ state: 'visible' });
    assert.equal(await page.getAttribute('html', 'lang'), 'zh-CN');
    assert.match(await byId(page, 'login-submit').innerText(), /登录/);
    assert.match(await page.locator('body').innerText(), /营销现场作业平台/);
    await page.screenshot({ path: '/tmp/fg-desk-login-zh.png' });

    const r = await submitLogin(page, 'admin', ADMIN_PASSWORD);
    assert.equal(r.status, 200);
    const name = r.body.user.display_name || r.body.user.username;
    assert.equal(r.request.headers()['accept-language'], 'zh-CN');

    await waitText(page, 'user-menu', name);
    await waitText(page, 'dashboard-welcome', name);
    assert.match(await byId(page, 'dashboard-welcome').innerText(), /欢迎/);
    assert.match(await byId(page, 'dashboard-roles').innerText(), /系统管理员/);
    assert.match(await byId(page, 'app-name').innerText(), /营销现场作业平台/);
    assert.equal((await byId(page, 'nav-orders').innerText()).trim().split('\n')[0], '工单');
    assert.ok(await byId(page, 'nav-admin').isVisible(), 'admin sees 系统管理');
    assert.match(await byId(page, 'nav-admin').innerText(), /系统管理/);
    assert.ok(await byId(page, 'side-nav').isVisible(), 'desk layout shows the side nav');
    assert.equal(await byId(page, 'phone-nav').isVisible(), false, 'desk layout hides the phone tab bar');
    // The token is kept for the Bearer header.
    assert.ok(await page.evaluate(() => sessionStorage.getItem('fg.token')));
    await page.screenshot({ path: '/tmp/fg-desk-dashboard-zh.png' });

    // 充电设施 opens the live board.
    await byId(page, 'nav-charging').click();
    await waitText(page, 'charging-tab-board', '实时监控');
    assert.equal(new URL(page.url()).pathname, '/charging');

    // Switch to English through the user menu.
    await byId(page, 'user-menu').click();
    await byId(page, 'user-menu-panel').waitFor({ state: 'visible' });
    assert.match(await byId(page, 'user-menu-roles').innerText(), /系统管理员/);
    await byId(page, 'lang-en').click();
    await waitText(page, 'nav-orders', 'Work orders');
    assert.equal(await page.getAttribute('html', 'lang'), 'en');
    assert.match(await byId(page, 'nav-admin').innerText(), /Administration/);
    assert.match(await byId(page, 'nav-dashboard').innerText(), /Dashboard/);
    await waitText(page, 'charging-tab-board', 'Live board');
    assert.equal(await page.evaluate(() => localStorage.getItem('fg.lang')), 'en');

    // Reload: still signed in, still English.
    await page.reload();
    await byId(page, 'user-menu').waitFor({ state: 'visible' });
    await waitText(page, 'nav-orders', 'Work orders');
    assert.equal(await page.getAttribute('html', 'lang'), 'en');
    assert.match(await byId(page, 'app-name').innerText(), /fieldgrid field operations/);
    await byId(page, 'nav-dashboard').click();
    await waitText(page, 'dashboard-welcome', 'Welcome');
    assert.match(await byId(page, 'dashboard-roles').innerText(), /Administrator/);
    await page.screenshot({ path: '/tmp/fg-desk-dashboard-en.png' });

    // Log out: back on the (English) login page and the session is gone.
    await byId(page, 'user-menu').click();
    const [logoutResp] = await Promise.all([
      page.waitForResponse((x) => new URL(x.url()).pathname === '/api/v1/auth/logout'),
      byId(page, 'logout').click(),
    ]);
    assert.equal(logoutResp.status(), 204);
    await byId(page, 'login-form').waitFor({ state: 'visible' });
    assert.match(await byId(page, 'login-submit').innerText(), /Sign in/);
    assert.equal(await byId(page, 'user-menu').count(), 0);
    assert.equal(await page.evaluate(() => sessionStorage.getItem('fg.token')), null);
    const meStatus = await page.evaluate(async () => (await fetch('/api/v1/me')).status);
    assert.equal(meStatus, 401, 'GET /me after logout');
    await page.reload();
    await byId(page, 'login-form').waitFor({ state: 'visible' });
    await page.screenshot({ path: '/tmp/fg-desk-login-en.png' });
    assert.deepEqual(problems, []);
  } finally {
    await context.close();
  }
});

test('wrong password shows the server error message', { timeout: TEST_TIMEOUT }, async () => {
  const { context, page, problems } = await newPage(DESK);
  try {
    await page.goto(FG_URL + '/');
    await byId(page, 'login-form').waitFor({ state: 'visible' });
    const r = await submitLogin(page, 'admin', 'not-the-password-' + Date.now());
    assert.equal(r.status, 401);
    assert.equal(r.body.error.code, 'invalid_credentials');
    const message = r.body.error.message;
    assert.ok(message && message.length > 0, 'server sends a message');
    await waitText(page, 'login-error', message);
    assert.ok((await byId(page, 'login-error').innerText()).includes(message));
    assert.ok(await byId(page, 'login-form').isVisible(), 'still on the login page');
    assert.equal(await byId(page, 'user-menu').count(), 0);
    await page.screenshot({ path: '/tmp/fg-login-error.png' });

    // Empty form: the page asks for both fields without calling the server.
    await byId(page, 'login-username').fill('');
    await byId(page, 'login-submit').click();
    await waitText(page, 'login-error', '请输入用户名和密码');
    assert.deepEqual(problems, []);
  } finally {
    await context.close();
  }
});

test('phone: bottom navigation, menu, Administration → users', { timeout: TEST_TIMEOUT }, async () => {
  const { context, page, problems } = await newPage(PHONE);
  try {
    await loginAsAdmin(page);
    await byId(page, 'dashboard-welcome').waitFor({ state: 'visible' });
    assert.ok(await byId(page, 'phone-nav').isVisible(), 'phone tab bar is visible');
    assert.equal(await byId(page, 'side-nav').isVisible(), false, 'side nav is folded away on a phone');
    const box = await byId(page, 'tab-more').boundingBox();
    assert.ok(box && box.height >= 44 && box.width >= 44, 'touch target is at least 44px: ' + JSON.stringify(box));
    await page.screenshot({ path: '/tmp/fg-phone-dashboard.png' });

    // Tab bar goes straight to a section (安全工器具: the ledger, for an admin).
    await byId(page, 'tab-tools').tap();
    await page.waitForURL((u) => u.pathname === '/tools');
    await byId(page, 'tools-due').waitFor({ state: 'visible' });

    // "More" opens the full menu, which has Administration.
    await byId(page, 'tab-more').tap();
    await byId(page, 'side-nav').waitFor({ state: 'visible' });
    await byId(page, 'nav-admin').waitFor({ state: 'visible' });
    await page.waitForFunction(() => getComputedStyle(document.querySelector('[data-testid="side-nav"]')).transform === 'none');
    await page.screenshot({ path: '/tmp/fg-phone-menu.png' });
    await byId(page, 'nav-admin').tap();
    await page.waitForURL((u) => u.pathname === '/admin/users');
    await byId(page, 'users-table').waitFor({ state: 'visible' });
    await byId(page, 'user-row-admin').waitFor({ state: 'visible' });
    assert.match(await byId(page, 'user-row-admin').innerText(), /admin/);
    await byId(page, 'side-nav').waitFor({ state: 'hidden' }); // the menu closes after choosing
    await page.screenshot({ path: '/tmp/fg-phone-users.png' });

    // Search goes to the server (?q=) and narrows the list.
    const [searchResp] = await Promise.all([
      page.waitForResponse((x) => {
        const u = new URL(x.url());
        return u.pathname === '/api/v1/users' && u.searchParams.get('q') === 'no-such-user-xyz';
      }),
      byId(page, 'users-search').fill('no-such-user-xyz'),
    ]);
    assert.equal(searchResp.status(), 200);
    await byId(page, 'user-row-admin').waitFor({ state: 'detached' });
    await byId(page, 'users-search').fill('admin');
    await byId(page, 'user-row-admin').waitFor({ state: 'visible' });
    assert.deepEqual(problems, []);
  } finally {
    await context.close();
  }
});

test('desk admin: create, disable and enable a user; audit shows it; the new user sees no Administration', { timeout: TEST_TIMEOUT }, async () => {
  const { context, page, problems } = await newPage(DESK);
  const username = 'ui_' + Date.now().toString(36);
  const displayName = '<img src=x onerror="window.__xss=1">测试员';
  const password = 'Crew-pass-' + Date.now();
  try {
    await loginAsAdmin(page);
    await byId(page, 'nav-admin').click();
    await page.waitForURL((u) => u.pathname === '/admin/users');
    await byId(page, 'user-row-admin').waitFor({ state: 'visible' });

    await byId(page, 'user-new').click();
    await byId(page, 'user-form').waitFor({ state: 'visible' });
    // No role chosen: the form says so before calling the server.
    await byId(page, 'user-form-username').fill(username);
    await byId(page, 'user-form-display-name').fill(displayName);
    await byId(page, 'user-form-password').fill(password);
    await byId(page, 'user-form-submit').click();
    await waitText(page, 'user-form-error', '角色');
    await byId(page, 'user-form-role-crew').check();
    await byId(page, 'user-form-role-leader').check();
    const orgOptions = await byId(page, 'user-form-org-unit').locator('option').count().catch(() => 0);
    if (orgOptions > 1) await byId(page, 'user-form-org-unit').selectOption({ index: 1 });
    const [created] = await Promise.all([
      page.waitForResponse((x) => new URL(x.url()).pathname === '/api/v1/users' && x.request().method() === 'POST'),
      byId(page, 'user-form-submit').click(),
    ]);
    assert.equal(created.status(), 201, JSON.stringify(await created.json()));
    const user = await created.json();
    const row = byId(page, 'user-row-' + username);
    await row.waitFor({ state: 'visible' });
    const rowText = await row.innerText();
    assert.ok(rowText.includes(displayName), 'display name shown as plain text: ' + rowText);
    assert.match(rowText, /工作班成员/);
    assert.match(rowText, /工作负责人/);
    assert.equal(await row.locator('img').count(), 0, 'no markup from server strings');
    assert.equal(await page.evaluate(() => window.__xss), undefined);
    await page.screenshot({ path: '/tmp/fg-desk-users.png', fullPage: true });

    // Disable (with confirmation), then enable again.
    await byId(page, 'user-disable-' + username).click();
    await byId(page, 'confirm-dialog').waitFor({ state: 'visible' });
    const [dis] = await Promise.all([
      page.waitForResponse((x) => new URL(x.url()).pathname === `/api/v1/users/${user.id}/actions/disable`),
      byId(page, 'confirm-ok').click(),
    ]);
    assert.equal(dis.status(), 200);
    await byId(page, 'user-enable-' + username).waitFor({ state: 'visible' });
    assert.match(await row.innerText(), /已停用/);
    const [en] = await Promise.all([
      page.waitForResponse((x) => new URL(x.url()).pathname === `/api/v1/users/${user.id}/actions/enable`),
      byId(page, 'user-enable-' + username).click(),
    ]);
    assert.equal(en.status(), 200);
    await byId(page, 'user-disable-' + username).waitFor({ state: 'visible' });

    // Org units and audit tabs load from the server.
    await byId(page, 'admin-tab-org-units').click();
    await byId(page, 'org-units-table').waitFor({ state: 'visible' });
    await byId(page, 'admin-tab-audit').click();
    await byId(page, 'audit-table').waitFor({ state: 'visible' });
    await byId(page, 'audit-table').filter({ hasText: user.id }).waitFor({ state: 'visible' });
    await page.screenshot({ path: '/tmp/fg-desk-audit.png', fullPage: true });
    assert.deepEqual(problems, []);
  } finally {
    await context.close();
  }

  // The new crew member signs in: roles translated, no Administration menu.
  const crew = await newPage(DESK);
  try {
    await crew.page.goto(FG_URL + '/admin/users');
    await byId(crew.page, 'login-form').waitFor({ state: 'visible' });
    const r = await submitLogin(crew.page, username, password);
    assert.equal(r.status, 200, JSON.stringify(r.body));
    await waitText(crew.page, 'user-menu', '测试员');
    await byId(crew.page, 'nav-dashboard').waitFor({ state: 'visible' });
    assert.equal(await byId(crew.page, 'nav-admin').count(), 0, 'crew has no Administration');
    // The deep link it asked for is not theirs: an honest "not found", not the admin list.
    await byId(crew.page, 'not-found').waitFor({ state: 'visible' });
    assert.equal(await byId(crew.page, 'users-table').count(), 0);
    await byId(crew.page, 'nav-dashboard').click();
    await waitText(crew.page, 'dashboard-roles', '工作班成员');
    assert.deepEqual(crew.problems, []);
  } finally {
    await crew.context.close();
  }
});

test('i18n files have the same keys, and every role has a name', () => {
  const zh = JSON.parse(readFileSync(new URL('../../web/i18n/zh-CN.json', import.meta.url), 'utf8'));
  const en = JSON.parse(readFileSync(new URL('../../web/i18n/en.json', import.meta.url), 'utf8'));
  assert.deepEqual(Object.keys(en).sort(), Object.keys(zh).sort());
  const roles = ['admin', 'manager', 'issuer', 'permitter', 'leader', 'crew', 'guardian', 'supervisor',
    'dispatcher', 'om_engineer', 'tool_keeper', 'viewer', 'customer_service', 'customer_manager'];
  for (const r of roles) {
    assert.ok(zh['role.' + r], 'zh role ' + r);
    assert.ok(en['role.' + r], 'en role ' + r);
  }
  assert.equal(zh['role.manager'], '营销作业管理人员');
  assert.equal(zh['role.supervisor'], '安全监督人员');
});

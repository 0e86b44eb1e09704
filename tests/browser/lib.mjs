// Shared harness of the browser tests: the server under test (FG_URL, FG_ADMIN_PASSWORD), API fixtures made as
// admin, Debian's chromium driven by playwright-core, and the small page helpers every test uses.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { chromium } from 'playwright-core';

export const FG_URL = (process.env.FG_URL || '').replace(/\/+$/, '');
export const ADMIN_PASSWORD = process.env.FG_ADMIN_PASSWORD || '';
export const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
export const STEP_TIMEOUT = 15_000;
export const TEST_TIMEOUT = 180_000;
export const DESK = { viewport: { width: 1366, height: 860 } };
export const PHONE = { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 };
export const TAG = Date.now().toString(36);
export const I18N = {
  zh: JSON.parse(readFileSync(new URL('../../web/i18n/zh-CN.json', import.meta.url), 'utf8')),
  en: JSON.parse(readFileSync(new URL('../../web/i18n/en.json', import.meta.url), 'utf8')),
};
export const fill = (s, params) => s.replace(/\{(\w+)\}/g, (m, k) => (k in params ? String(params[k]) : m));

let adminTok;
export async function tokenOf(username, password) {
  const res = await fetch(FG_URL + '/api/v1/auth/login', {
    method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ username, password }),
  });
  assert.equal(res.status, 200, username + ' API login');
  return (await res.json()).token;
}

export async function api(method, path, body, token) {
  assert.ok(FG_URL, 'FG_URL must point at a running fieldgrid server');
  if (!token) token = adminTok || (adminTok = await tokenOf('admin', ADMIN_PASSWORD));
  const res = await fetch(FG_URL + '/api/v1' + path, {
    method,
    headers: { Accept: 'application/json', 'Accept-Language': 'zh-CN', Authorization: 'Bearer ' + token,
      ...(body !== undefined ? { 'Content-Type': 'application/json' } : {}) },
    body: body !== undefined ? JSON.stringify(body) : undefined,
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null };
}

export async function must(method, path, body, token, want = [200, 201]) {
  const r = await api(method, path, body, token);
  assert.ok(want.includes(r.status), `${method} ${path} answered ${r.status} ${JSON.stringify(r.body)}`);
  return r.body;
}

/** An application's stage by the desk (as admin): the stage's open field work order (issue 11 item 4) is cancelled
 * first, as a dispatcher may, and an installation is completed with the meter given at the desk. */
export async function deskAction(appId, action, body = {}) {
  if (action === 'complete_survey' || action === 'complete_installation') {
    const jobs = await must('GET', `/applications/${appId}/jobs`);
    for (const j of jobs.items) {
      if (j.work_order && !['done', 'cancelled'].includes(j.work_order.status)) await must('POST', `/work-orders/${j.work_order_id}/actions/cancel`, {});
    }
  }
  const meter = action === 'complete_installation' ? { meter_asset_no: 'DB3300000009', meter_model: 'DDZY102-Z', install_reading: '0' } : {};
  return must('POST', `/applications/${appId}/actions/${action}`, { ...meter, ...body });
}

const pad = (n) => String(n).padStart(2, '0');
/** Today (or days from today) in Asia/Shanghai, YYYY-MM-DD. */
export function shanghaiDate(days = 0) {
  const now = new Date(Date.now() + 8 * 3600 * 1000);
  const d = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() + days));
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;
}

export function launch() {
  return chromium.launch({
    executablePath: CHROMIUM, headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'],
  });
}

export async function newPage(browser, opts) {
  const context = await browser.newContext(opts);
  const page = await context.newPage();
  page.setDefaultTimeout(STEP_TIMEOUT);
  page.setDefaultNavigationTimeout(STEP_TIMEOUT * 2);
  const problems = [];
  page.on('pageerror', (e) => problems.push('pageerror: ' + e.message));
  return { context, page, problems };
}

export const byId = (page, id) => page.locator(`[data-testid="${id}"]`);
export async function waitText(page, id, text) {
  await byId(page, id).filter({ hasText: text }).first().waitFor({ state: 'visible' });
}
export const isApi = (resp, method, pathname) => resp.request().method() === method && new URL(resp.url()).pathname === '/api/v1' + pathname;

export async function login(page, username, password, path = '/') {
  await page.goto(FG_URL + path);
  await byId(page, 'login-form').waitFor({ state: 'visible' });
  await byId(page, 'login-username').fill(username);
  await byId(page, 'login-password').fill(password);
  const [resp] = await Promise.all([
    page.waitForResponse((r) => new URL(r.url()).pathname === '/api/v1/auth/login' && r.request().method() === 'POST'),
    byId(page, 'login-submit').click(),
  ]);
  assert.equal(resp.status(), 200, username + ' login');
  await byId(page, 'user-menu').waitFor({ state: 'visible' });
}

// Browser test of the dashboard's 待我处理 (issue 14 item 4, web/js/dashboard.js, GET /api/v1/me/queue): a team
// leader on a phone sees the ticket issued to them first on the dashboard and opens it from there; a dispatcher at
// the desk, in English, sees the plans waiting to be published with the server's count; a crew member with nothing
// waiting gets the kind empty state. No page prints "null". Screenshots: /tmp/fg-queue-*.png.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { TAG, I18N, TEST_TIMEOUT, DESK, PHONE, FG_URL, must, api, tokenOf, launch, newPage, byId, login, shanghaiDate } from './lib.mjs';

const PASSWORD = 'Queue-pass-' + TAG + '7';
let browser;
const fx = {};

before(async () => {
  assert.ok(FG_URL, 'FG_URL must point at a running fieldgrid server');
  const person = (key, name, roles) => must('POST', '/users', { username: `qu_${key}_${TAG}`, password: PASSWORD, display_name: name + TAG.slice(-4), roles });
  fx.leader = await person('leader', '班长', ['leader']);
  fx.crew = await person('crew', '班员', ['crew']);
  fx.issuer = await person('issuer', '签发人', ['issuer']);
  fx.disp = await person('disp', '调度', ['dispatcher']);
  fx.team = await must('POST', '/org-units', { name: '待办测试班' + TAG, kind: 'team' });
  const order = await must('POST', '/work-orders', { kind: 'lv_meter_install', customer_name: '王秀英', site_address: '临澜市和平街 7 号' + TAG });
  const plan = await must('POST', '/plans', { date: shanghaiDate(0), team_id: fx.team.id, leader_id: fx.leader.id,
    crew_ids: [fx.crew.id], work_order_ids: [order.id] });
  await must('POST', `/plans/${plan.id}/actions/publish`, {});
  const leaderTok = await tokenOf(fx.leader.username, PASSWORD);
  fx.ticket = await must('POST', '/tickets', { plan_id: plan.id }, leaderTok);
  await must('POST', `/tickets/${fx.ticket.id}/actions/issue`, { password: PASSWORD }, await tokenOf(fx.issuer.username, PASSWORD));
  // a draft plan waits for the dispatchers
  const order2 = await must('POST', '/work-orders', { kind: 'lv_meter_install', customer_name: '李建国', site_address: '临澜市和平街 9 号' + TAG });
  fx.draft = await must('POST', '/plans', { date: shanghaiDate(1), team_id: fx.team.id, leader_id: fx.leader.id,
    crew_ids: [fx.crew.id], work_order_ids: [order2.id] });
  browser = await launch();
});

after(async () => {
  if (browser) await browser.close();
});

async function noNull(page) {
  const text = await page.locator('main, #app').first().innerText();
  assert.doesNotMatch(text, /\bnull\b|undefined/, 'the page prints no null or undefined');
}

test('phone: the leader sees the ticket to receive first and opens it from the dashboard', { timeout: TEST_TIMEOUT }, async () => {
  const { context, page, problems } = await newPage(browser, PHONE);
  try {
    await login(page, fx.leader.username, PASSWORD);
    const card = byId(page, 'dashboard-queue');
    await card.waitFor({ state: 'visible' });
    assert.match(await card.locator('.card-title').innerText(), new RegExp(I18N.zh['queue.title']));
    const kind = card.locator('[data-testid="queue-kind"][data-kind="tickets.receive"]');
    await kind.waitFor({ state: 'visible' });
    assert.equal(await kind.getAttribute('data-count'), '1');
    assert.match(await kind.innerText(), new RegExp(I18N.zh['queue.kind.tickets.receive']));
    const item = kind.locator(`[data-testid="queue-item"][data-id="${fx.ticket.id}"]`);
    assert.match(await item.innerText(), new RegExp(fx.ticket.number));
    // the queue comes before the account card: first thing under 欢迎
    const [qy, ay] = await Promise.all([card.boundingBox(), page.locator('.grid-2').first().boundingBox()]);
    assert.ok(qy.y < ay.y, 'the queue is above the account and modules');
    // it fits the phone: nothing wider than the screen
    assert.ok(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth + 1), 'no sideways scroll at 390 px');
    await noNull(page);
    await page.screenshot({ path: '/tmp/fg-queue-leader-phone.png', fullPage: true });
    await item.click();
    await page.waitForURL(FG_URL + '/tickets/' + fx.ticket.id);
    assert.deepEqual(problems, []);
  } finally {
    await context.close();
  }
});

test('desk, English: the dispatcher sees the plans to publish with the server\'s count', { timeout: TEST_TIMEOUT }, async () => {
  const { context, page, problems } = await newPage(browser, DESK);
  try {
    await context.addInitScript(() => localStorage.setItem('fg.lang', 'en'));
    const want = await api('GET', '/me/queue', undefined, await tokenOf(fx.disp.username, PASSWORD));
    const publish = want.body.kinds.find((k) => k.kind === 'plans.publish');
    assert.ok(publish && publish.count >= 1, 'the draft plan waits for the dispatchers');
    await login(page, fx.disp.username, PASSWORD);
    const kind = byId(page, 'dashboard-queue').locator('[data-testid="queue-kind"][data-kind="plans.publish"]');
    await kind.waitFor({ state: 'visible' });
    assert.match(await kind.innerText(), new RegExp(I18N.en['queue.kind.plans.publish']));
    assert.equal(await kind.locator('[data-testid="queue-count"]').innerText(), String(publish.count));
    assert.equal(await kind.locator('[data-testid="queue-item"]').count(), Math.min(publish.count, 5));
    if (publish.count > 5) assert.match(await kind.locator('[data-testid="queue-more"]').innerText(), new RegExp(String(publish.count - 5)));
    assert.equal(await byId(page, 'queue-total').innerText(), String(want.body.total));
    await noNull(page);
    await page.screenshot({ path: '/tmp/fg-queue-dispatcher-en.png', fullPage: true });
    await kind.locator('[data-testid="queue-kind-link"]').click();
    await page.waitForURL(FG_URL + '/plans');
    assert.deepEqual(problems, []);
  } finally {
    await context.close();
  }
});

test('phone: a crew member with nothing waiting gets the kind empty state, and no null under 欢迎', { timeout: TEST_TIMEOUT }, async () => {
  const { context, page, problems } = await newPage(browser, PHONE);
  try {
    await login(page, fx.crew.username, PASSWORD);
    await byId(page, 'queue-empty').waitFor({ state: 'visible' });
    assert.equal(await byId(page, 'queue-empty').innerText(), I18N.zh['queue.empty']);
    assert.equal(await byId(page, 'queue-kind').count(), 0);
    await noNull(page);
    await page.screenshot({ path: '/tmp/fg-queue-crew-empty.png', fullPage: true });
    assert.deepEqual(problems, []);
  } finally {
    await context.close();
  }
});

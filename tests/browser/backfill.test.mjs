// Browser test for work entered after an outage (web/js/backfill.js, R1.4): the dispatcher enters a paper job —
// team, leader, crew, the paper ticket's number, its six original times and a photo of the form — and first meets
// the refusal of a time in the future on the field it names; the team's leader finds it in the review queue and
// approves it; the supervision board of its day shows the job marked 补录 with the board's backfilled count.
// Screenshots: /tmp/fg-backfill-*.png.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { TAG, I18N, TEST_TIMEOUT, DESK, FG_URL, must, launch, newPage, byId, waitText, isApi, login } from './lib.mjs';

const PASSWORD = 'Backfill-pass-' + TAG + '7';
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==', 'base64');
let browser;
const fx = {};

/** "YYYY-MM-DDTHH:MM" of an instant, Shanghai wall-clock time (what the paper says and the form takes). */
const wall = (ms) => new Date(ms + 8 * 3600e3).toISOString().slice(0, 16);

before(async () => {
  assert.ok(FG_URL, 'FG_URL must point at a running fieldgrid server');
  fx.team = await must('POST', '/org-units', { name: '补录测试班' + TAG, kind: 'team' });
  const person = (key, name, roles, org) => must('POST', '/users', { username: `bf_${key}_${TAG}`, password: PASSWORD,
    display_name: name + TAG.slice(-4), roles, ...(org ? { org_unit_id: org } : {}) });
  fx.clerk = await person('clerk', '调度员', ['dispatcher']);
  fx.leader = await person('leader', '负责人', ['leader'], fx.team.id);
  fx.crew = await person('crew', '班员', ['crew'], fx.team.id);
  fx.sup = await person('sup', '安监', ['supervisor']);
  browser = await launch();
});

after(async () => {
  if (browser) await browser.close();
});

test('desk: a paper job entered with its times and photo, refused while a time is in the future; the leader approves it; the board marks it', { timeout: TEST_TIMEOUT }, async () => {
  const zh = I18N.zh;
  const paperNo = 'ZP-B-' + TAG;
  // whole minutes (the form's resolution), an hour and a half back, ten minutes apart
  const t0 = Math.floor((Date.now() - 90 * 60e3) / 60e3) * 60e3;
  const times = { 'ticket-issued-at': t0, 'ticket-permitted-at': t0 + 10 * 60e3, 'briefing-held-at': t0 + 20 * 60e3,
    'work-started-at': t0 + 30 * 60e3, 'work-finished-at': t0 + 60 * 60e3, 'ticket-ended-at': t0 + 70 * 60e3 };
  let number;
  const { page, problems } = await newPage(browser, DESK);
  try {
    await login(page, fx.clerk.username, PASSWORD, '/backfills/new');
    await byId(page, 'backfill-form').waitFor();
    await byId(page, 'backfill-team').locator(`option[value="${fx.team.id}"]`).waitFor({ state: 'attached' });
    await byId(page, 'backfill-team').selectOption(fx.team.id);
    await byId(page, 'backfill-leader').locator(`option[value="${fx.leader.id}"]`).waitFor({ state: 'attached' });
    await byId(page, 'backfill-leader').selectOption(fx.leader.id);
    await byId(page, 'backfill-crew').selectOption([fx.crew.id]);
    await byId(page, 'backfill-title').fill('低压表计装表（纸质票）' + TAG);
    await byId(page, 'backfill-place').fill('和平街 7 号配电室');
    await byId(page, 'backfill-paper-no').fill(paperNo);
    for (const [k, v] of Object.entries(times)) await byId(page, 'backfill-' + k).fill(wall(v));
    // the end a day ahead: refused, the field named
    await byId(page, 'backfill-ticket-ended-at').fill(wall(Date.now() + 24 * 3600e3));
    await Promise.all([page.waitForResponse((r) => isApi(r, 'POST', '/attachments')),
      byId(page, 'backfill-photos-input').setInputFiles({ name: 'paper.png', mimeType: 'image/png', buffer: PNG })]);
    await byId(page, 'backfill-photos-thumb').first().waitFor();
    const [refused] = await Promise.all([page.waitForResponse((r) => isApi(r, 'POST', '/backfills')), byId(page, 'backfill-submit').click()]);
    assert.equal(refused.status(), 422);
    assert.equal((await refused.json()).error.code, 'backfill_time_future');
    await byId(page, 'backfill-new-error').waitFor({ state: 'visible' });
    assert.match(await byId(page, 'backfill-ticket-ended-at').getAttribute('class'), /invalid/);
    await page.screenshot({ path: '/tmp/fg-backfill-refused.png' });
    await byId(page, 'backfill-ticket-ended-at').fill(wall(times['ticket-ended-at']));
    const [made] = await Promise.all([page.waitForResponse((r) => isApi(r, 'POST', '/backfills')), byId(page, 'backfill-submit').click()]);
    assert.equal(made.status(), 201);
    const b = await made.json();
    number = b.number;
    assert.equal(b.work_started_at, times['work-started-at'], 'the paper\'s time, read as Shanghai time');
    assert.equal(b.entered_by, fx.clerk.id);
    await byId(page, 'backfill-' + number).waitFor();
    assert.equal(await byId(page, 'backfill-approve-' + number).count(), 0, 'a dispatcher does not review');
    await page.screenshot({ path: '/tmp/fg-backfill-entered.png' });
    assert.deepEqual(problems, []);
  } finally { await page.close(); }

  const l = await newPage(browser, DESK);
  try {
    await login(l.page, fx.leader.username, PASSWORD, '/backfills');
    const row = byId(l.page, 'backfill-' + number);
    await row.waitFor();
    assert.ok((await row.textContent()).includes(paperNo));
    await byId(l.page, 'backfill-approve-' + number).click();
    const [ok] = await Promise.all([l.page.waitForResponse((r) => r.request().method() === 'POST' && new URL(r.url()).pathname.endsWith('/approve')),
      byId(l.page, 'backfill-approve-dialog-submit').click()]);
    assert.equal(ok.status(), 200);
    await row.waitFor({ state: 'detached' }); // the queue shows pending ones
    await byId(l.page, 'backfill-status').selectOption('approved');
    await waitText(l.page, 'backfill-' + number, zh['backfill.status.approved']);
    await l.page.screenshot({ path: '/tmp/fg-backfill-approved.png' });
  } finally { await l.page.close(); }

  const s = await newPage(browser, DESK);
  try {
    const date = new Date(times['work-started-at'] + 8 * 3600e3).toISOString().slice(0, 10);
    await login(s.page, fx.sup.username, PASSWORD, '/supervision');
    await byId(s.page, 'board-date').fill(date);
    await byId(s.page, 'board-date').dispatchEvent('change');
    const card = s.page.locator('article.board-job').filter({ hasText: '低压表计装表（纸质票）' + TAG });
    await card.first().waitFor();
    await waitText(s.page, 'board-job-backfilled', zh['board.backfilled']);
    assert.equal(await card.first().locator('[data-testid="board-job-backfilled"]').count(), 1);
    await byId(s.page, 'board-backfilled-count').waitFor();
    await s.page.screenshot({ path: '/tmp/fg-backfill-board.png' });
  } finally { await s.page.close(); }
});

test('feedback: a complaint flagged sensitive shows its complainant to its handler only; another desk sees it masked and marked', { timeout: TEST_TIMEOUT }, async () => {
  const zh = I18N.zh;
  const person = (key, roles) => must('POST', '/users', { username: `bf_${key}_${TAG}`, password: PASSWORD, display_name: key + TAG.slice(-4), roles });
  const [handler, other] = [await person('handler', ['dispatcher']), await person('otherdesk', ['dispatcher'])];
  const phone = '137' + String(Date.now() % 1e8).padStart(8, '0');
  const item = await must('POST', '/feedback', { kind: 'complaint', channel: 'phone_95598', subject: '举报抄表员' + TAG,
    text: '请对我的身份保密', contact_name: '赵淑芬', contact_phone: phone, contact_address: '城东花园 7 栋 301' });
  await must('POST', `/feedback/${item.id}/sensitive`, { reason: '举报内部人员', handler_ids: [handler.id] });
  const h = await newPage(browser, DESK);
  try {
    await login(h.page, handler.username, PASSWORD, '/feedback/' + item.id);
    await waitText(h.page, 'feedback-contact', phone);
    await waitText(h.page, 'feedback-address', '城东花园 7 栋 301');
    await waitText(h.page, 'feedback-sensitive', zh['feedback.sensitive']);
    assert.equal(await byId(h.page, 'feedback-masked').count(), 0);
  } finally { await h.page.close(); }
  const o = await newPage(browser, DESK);
  try {
    await login(o.page, other.username, PASSWORD, '/feedback/' + item.id);
    await waitText(o.page, 'feedback-masked', zh['feedback.masked']);
    await waitText(o.page, 'feedback-contact', '赵**');
    assert.ok(!(await byId(o.page, 'feedback-detail').textContent()).includes(phone));
    assert.equal(await byId(o.page, 'feedback-flag').count(), 0, 'a dispatcher does not flag');
    // the list, searched by the complainant's phone, does not find it
    await o.page.goto(FG_URL + '/feedback');
    const row = byId(o.page, 'feedback-' + item.number);
    await row.waitFor(); // in the list, masked, marked sensitive
    assert.ok((await row.textContent()).includes(zh['feedback.sensitive']));
    await Promise.all([o.page.waitForResponse((r) => isApi(r, 'GET', '/feedback') && new URL(r.url()).searchParams.get('contact') === phone),
      byId(o.page, 'feedback-contact-search').fill(phone).then(() => byId(o.page, 'feedback-contact-search').press('Enter'))]);
    await row.waitFor({ state: 'detached' });
    await o.page.screenshot({ path: '/tmp/fg-backfill-sensitive.png' });
  } finally { await o.page.close(); }
});

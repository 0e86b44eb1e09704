// Browser tests for people readiness (web/js/people.js, and the 开工 checklist's qualification check in jobflow.js).
// Runs against a live server, like the other browser tests:
//   FG_URL=http://127.0.0.1:18080 FG_ADMIN_PASSWORD=… node --test tests/browser/
// Fixtures (a team, a supervisor who records qualifications, a leader, a crew member, a published plan) are made
// through the API as admin, with names that carry a per-run tag, and left in place.
// Screenshots land in /tmp/fg-people-*.png for people to look at; nothing asserts on pixels or timings.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { ADMIN_PASSWORD, CHROMIUM, DESK, FG_URL, I18N, PHONE, STEP_TIMEOUT, TAG, TEST_TIMEOUT, api, byId, fill, isApi, login, must, newPage as openPage, shanghaiDate, waitText } from './lib.mjs';
import { chromium } from 'playwright-core';

const PASSWORD = 'People-pass-' + TAG + '7';

let browser;
let adminToken;
const fx = {};

async function tokenOf(username, password = PASSWORD) {
  const res = await fetch(FG_URL + '/api/v1/auth/login', {
    method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ username, password }),
  });
  assert.equal(res.status, 200, username + ' API login');
  return (await res.json()).token;
}

before(async () => {
  assert.ok(FG_URL, 'FG_URL must point at a running fieldgrid server');
  assert.ok(ADMIN_PASSWORD, 'FG_ADMIN_PASSWORD must be the admin password of that server');
  adminToken = await tokenOf('admin', ADMIN_PASSWORD);
  fx.team = await must('POST', '/org-units', { name: '资质测试班' + TAG, kind: 'team' });
  const person = (key, name, roles) => must('POST', '/users', {
    username: `pp_${key}_${TAG}`, password: PASSWORD, display_name: name + TAG.slice(-4), roles, org_unit_id: fx.team.id,
  });
  fx.supervisor = await person('sup', '安监', ['supervisor']);
  fx.leader = await person('lead', '负责人', ['leader']);
  fx.crew = await person('crew', '新班员', ['crew']);
  // the leader is examined; the crew member is new and has nothing yet
  await must('POST', `/users/${fx.leader.id}/qualifications`, { kind: 'safety_exam', name: '安规考试', score: 90, issued_on: shanghaiDate() });
  const order = await must('POST', '/work-orders', { kind: 'lv_meter_install', customer_name: '资质客户' + TAG });
  const plan = await must('POST', '/plans', {
    date: shanghaiDate(), team_id: fx.team.id, leader_id: fx.leader.id, crew_ids: [fx.crew.id], work_order_ids: [order.id],
  });
  fx.plan = await must('POST', `/plans/${plan.id}/actions/publish`, {});
  browser = await chromium.launch({
    executablePath: CHROMIUM, headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'],
  });
});

after(async () => {
  if (browser) await browser.close();
});

const newPage = (opts) => openPage(browser, opts);

/** Fill the add-record dialog and submit it; returns the POST's response. */
async function addRecord(page, userId, rec) {
  await byId(page, 'qual-new').click();
  await byId(page, 'qual-dialog').waitFor({ state: 'visible' });
  await byId(page, 'qual-dialog-kind-' + rec.kind).check();
  for (const k of ['name', 'number', 'issued_on', 'expires_on', 'score', 'issuer']) {
    if (rec[k] !== undefined) await byId(page, 'qual-dialog-' + k).fill(String(rec[k]));
  }
  const wait = page.waitForResponse((r) => isApi(r, 'POST', `/users/${userId}/qualifications`));
  await byId(page, 'qual-dialog-submit').click();
  return wait;
}

test('desk, supervisor: a new crew member is not ready; an exam makes them ready, an expired certificate not; the expiring list', { timeout: TEST_TIMEOUT }, async () => {
  const { context, page, problems } = await newPage(DESK);
  const crew = fx.crew;
  try {
    await login(page, fx.supervisor.username, PASSWORD);
    await byId(page, 'nav-people').click();
    await page.waitForURL((u) => u.pathname === '/people');
    await byId(page, 'people-expiring').waitFor({ state: 'visible' });
    await byId(page, 'people-search').fill(crew.username);
    await byId(page, 'person-row-' + crew.username).waitFor({ state: 'visible' });
    await byId(page, 'person-row-' + crew.username).getByRole('link').click();
    await page.waitForURL((u) => u.pathname === '/people/' + crew.id);

    // Nothing recorded: not ready, and why.
    await byId(page, 'person-readiness').and(page.locator('[data-ready="0"]')).waitFor({ state: 'visible' });
    await waitText(page, 'person-readiness', I18N.zh['people.not_ready']);
    await waitText(page, 'person-reasons', I18N.zh['gate.person.no_valid_safety_exam']);
    await page.screenshot({ path: '/tmp/fg-people-desk-not-ready-zh.png' });

    // A failed exam changes nothing; a passed one makes the person ready.
    const failed = await addRecord(page, crew.id, { kind: 'safety_exam', name: '安规考试（营销）', issued_on: shanghaiDate(-3), score: 62 });
    assert.equal(failed.status(), 201, JSON.stringify(await failed.json()));
    assert.equal((await failed.json()).passed, false);
    await page.locator('[data-testid="person-exams"] [data-passed="0"]').waitFor({ state: 'visible' });
    assert.equal(await byId(page, 'person-readiness').getAttribute('data-ready'), '0');
    const passed = await addRecord(page, crew.id, { kind: 'safety_exam', name: '安规考试（营销）补考', issued_on: shanghaiDate(), score: 88, issuer: '安全监察部' });
    assert.equal(passed.status(), 201, JSON.stringify(await passed.json()));
    assert.deepEqual(JSON.parse(passed.request().postData()), {
      kind: 'safety_exam', name: '安规考试（营销）补考', issued_on: shanghaiDate(), score: 88, issuer: '安全监察部',
    });
    await byId(page, 'person-readiness').and(page.locator('[data-ready="1"]')).waitFor({ state: 'visible' });
    await waitText(page, 'person-readiness', I18N.zh['people.ready']);
    await waitText(page, 'qual-' + (await passed.json()).id, I18N.zh['people.passed']);

    // A certificate about to expire: listed in amber, and on the expiring list.
    const soon = shanghaiDate(20);
    const cert = await addRecord(page, crew.id, { kind: 'certificate', name: '低压电工作业证' + TAG, number: 'T' + TAG, issued_on: '2021-01-05', expires_on: soon });
    assert.equal(cert.status(), 201, JSON.stringify(await cert.json()));
    const certRow = byId(page, 'qual-' + (await cert.json()).id);
    await certRow.waitFor({ state: 'visible' });
    assert.equal(await certRow.locator('[data-days]').getAttribute('data-days'), '20');
    assert.ok(await certRow.locator('[data-days]').evaluate((el) => el.classList.contains('due-soon')));
    assert.equal(await byId(page, 'person-readiness').getAttribute('data-ready'), '1', 'not expired yet');

    // An expired certificate: not ready, naming it.
    const gone = await addRecord(page, crew.id, { kind: 'certificate', name: '登高作业证' + TAG, issued_on: '2020-03-01', expires_on: shanghaiDate(-2) });
    assert.equal(gone.status(), 201, JSON.stringify(await gone.json()));
    await byId(page, 'person-readiness').and(page.locator('[data-ready="0"]')).waitFor({ state: 'visible' });
    await waitText(page, 'person-reasons', fill(I18N.zh['gate.person.certificate_expired'], { name: '登高作业证' + TAG, date: shanghaiDate(-2) }));
    assert.ok(await byId(page, 'qual-' + (await gone.json()).id).locator('[data-days]').evaluate((el) => el.classList.contains('overdue')));
    const api = await must('GET', `/users/${crew.id}/qualifications`);
    assert.equal(api.readiness.ready, false);
    assert.deepEqual(api.readiness.reasons.map((r) => r.code), ['certificate_expired']);
    await page.screenshot({ path: '/tmp/fg-people-desk-person-zh.png', fullPage: true });

    // The expiring list (30 days) has both certificates.
    await byId(page, 'person-close').click();
    await page.waitForURL((u) => u.pathname === '/people');
    await Promise.all([
      page.waitForResponse((r) => isApi(r, 'GET', '/people/expiring') && new URL(r.url()).searchParams.get('days') === '30'),
      byId(page, 'people-expiring-days').selectOption('30'),
    ]);
    await waitText(page, 'expiring-' + (await cert.json()).id, crew.display_name);
    await waitText(page, 'expiring-' + (await gone.json()).id, '登高作业证' + TAG);
    await page.screenshot({ path: '/tmp/fg-people-desk-expiring-zh.png' });
    assert.deepEqual(problems, []);
  } finally {
    await context.close();
  }
});

test('phone: the crew member sees their own readiness and may not add records; the leader\'s start checklist names them', { timeout: TEST_TIMEOUT }, async () => {
  const crewP = await newPage(PHONE);
  try {
    const { page } = crewP;
    await login(page, fx.crew.username, PASSWORD, '/people');
    await page.waitForURL((u) => u.pathname === '/people/' + fx.crew.id);
    const ready = (await must('GET', `/users/${fx.crew.id}/qualifications`)).readiness.ready;
    await byId(page, 'person-readiness').and(page.locator(`[data-ready="${ready ? 1 : 0}"]`)).waitFor({ state: 'visible' });
    assert.equal(await byId(page, 'qual-new').count(), 0, 'a crew member does not record qualifications');
    const { sw, w } = await page.evaluate(() => ({ sw: document.documentElement.scrollWidth, w: window.innerWidth }));
    assert.ok(sw <= w, `page is ${sw}px wide in a ${w}px viewport`);
    await page.screenshot({ path: '/tmp/fg-people-phone-mine-zh.png' });
    assert.deepEqual(crewP.problems, []);
  } finally {
    await crewP.context.close();
  }

  // The leader's 开工 step: the qualification check is open and names the crew member (expired certificate).
  const lead = await newPage(PHONE);
  try {
    const { page } = lead;
    const rd = await must('GET', `/plans/${fx.plan.id}/readiness`);
    const crewReady = rd.items.find((x) => x.user_id === fx.crew.id).ready;
    await login(page, fx.leader.username, PASSWORD, '/jobs/' + fx.plan.id);
    await byId(page, 'flow-step-start').tap();
    const check = byId(page, 'start-check-qualified');
    await check.waitFor({ state: 'visible' });
    assert.equal(crewReady, false, 'no passed exam, or (after the first test) an expired certificate');
    assert.equal(await check.getAttribute('data-ok'), '0');
    await waitText(page, 'start-check-qualified', fx.crew.display_name);
    assert.ok(!(await check.innerText()).includes(fx.leader.display_name), 'the examined leader is not named');
    await check.scrollIntoViewIfNeeded();
    await page.screenshot({ path: '/tmp/fg-people-phone-start-zh.png' });
    assert.deepEqual(lead.problems, []);
  } finally {
    await lead.context.close();
  }
});

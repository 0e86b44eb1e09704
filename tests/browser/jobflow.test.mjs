// Browser tests for the on-site job flow (web/js/jobflow.js, ticketview.js) on a phone, and the desk pages
// 工作票 (tickets.js) and 监督看板 (supervision.js). Runs against a live server, like the other browser tests:
//   FG_URL=http://127.0.0.1:18080 FG_ADMIN_PASSWORD=… node --test tests/browser/
// Fixtures (a team, a dispatcher, an issuer, a permitter, a leader, a crew member, a supervisor, a work order, a
// published plan) are made through the API as admin, with names that carry a per-run tag, and left in place.
// Everything the job needs after that is done through the UI, each person in their own browser context.
// Screenshots land in /tmp/fg-flow-*.png for people to look at; nothing asserts on pixels or timings.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { ADMIN_PASSWORD, CHROMIUM, DESK, FG_URL, I18N, PHONE, STEP_TIMEOUT, TAG, byId, isApi, login, newPage as openPage, waitText } from './lib.mjs';
import { readFileSync } from 'node:fs';
import { chromium } from 'playwright-core';

const TEST_TIMEOUT = 300_000;

const PASSWORD = 'Flow-pass-' + TAG + '7';

let browser;
let adminToken;
let jpeg; // a small real JPEG, drawn by the browser in before()
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

function todayShanghai() {
  return new Date(Date.now() + 8 * 3600 * 1000).toISOString().slice(0, 10);
}

let toolSeq = 0;

async function makeJob(label, leader = fx.leader, crew = [fx.crew], kind = 'lv_meter_install') {
  const order = await must('POST', '/work-orders', {
    kind, customer_name: `${label}客户${TAG}`, customer_no: 'C' + TAG,
    site_address: `${label}路${TAG}号`, meter_asset_no: 'MA' + TAG,
  });
  const plan = await must('POST', '/plans', {
    date: todayShanghai(), team_id: fx.team.id, leader_id: leader.id, crew_ids: crew.map((u) => u.id), work_order_ids: [order.id],
  });
  await must('POST', `/plans/${plan.id}/actions/publish`, {});
  // ready for the gates of issue 4: everyone has a passed safety-rules exam, every needed tool is checked out
  for (const u of [leader, ...crew]) {
    await must('POST', `/users/${u.id}/qualifications`, { kind: 'safety_exam', name: '安规考试', score: 90, issued_on: todayShanghai() });
  }
  const need = await must('GET', `/plans/${plan.id}/tools`);
  for (const n of need.needed) {
    toolSeq += 1;
    const tool = await must('POST', '/tools', { asset_no: `T-${TAG}-${toolSeq}`.slice(0, 40), kind: n.kind, last_test_date: todayShanghai(), last_test_result: 'pass' });
    await must('POST', `/tools/${tool.id}/actions/checkout`, { plan_id: plan.id });
  }
  return { order, plan };
}

before(async () => {
  assert.ok(FG_URL, 'FG_URL must point at a running fieldgrid server');
  assert.ok(ADMIN_PASSWORD, 'FG_ADMIN_PASSWORD must be the admin password of that server');
  adminToken = await tokenOf('admin', ADMIN_PASSWORD);

  fx.team = await must('POST', '/org-units', { name: '流程测试班' + TAG, kind: 'team' });
  const person = (key, name, roles) => must('POST', '/users', {
    username: `jf_${key}_${TAG}`, password: PASSWORD, display_name: name + TAG.slice(-4), roles, org_unit_id: fx.team.id,
  });
  fx.dispatcher = await person('disp', '调度', ['dispatcher']);
  fx.issuer = await person('iss', '签发人', ['issuer']);
  fx.issuer2 = await person('iss2', '签发人乙', ['issuer']);
  fx.issuer3 = await person('iss3', '签发人丙', ['issuer']);
  fx.permitter = await person('perm', '许可人', ['permitter']);
  fx.leader = await person('lead', '负责人', ['leader']);
  fx.leader2 = await person('lead2', '负责人乙', ['leader']);
  fx.crew = await person('crew', '班员', ['crew']);
  fx.supervisor = await person('sup', '监督', ['supervisor']);

  browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'],
  });
  // A real (small) JPEG for the camera inputs, drawn by the browser.
  const page = await browser.newPage();
  const b64 = await page.evaluate(() => {
    const c = document.createElement('canvas');
    c.width = 64; c.height = 48;
    const g = c.getContext('2d');
    g.fillStyle = '#1d5fa8'; g.fillRect(0, 0, 64, 48);
    g.fillStyle = '#f2b233'; g.fillRect(8, 8, 48, 32);
    return c.toDataURL('image/jpeg', 0.9).split(',')[1];
  });
  await page.close();
  jpeg = Buffer.from(b64, 'base64');
  assert.equal(jpeg[0], 0xff);
  assert.equal(jpeg[1], 0xd8);
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

/** A signing action through the password dialog; returns the action's response. */
async function sign(page, action, ticketId, password = PASSWORD, extra) {
  await byId(page, 'ticket-action-' + action).click();
  await byId(page, 'sign-dialog').waitFor({ state: 'visible' });
  if (extra) await extra();
  await byId(page, 'sign-dialog-password').fill(password);
  return clickFor(page, 'sign-dialog-submit', 'POST', `/tickets/${ticketId}/actions/${action}`);
}

const file = (name) => ({ name, mimeType: 'image/jpeg', buffer: jpeg });

/** Feed a photo to a camera input and wait for its upload. */
async function photo(page, testid, name) {
  const wait = page.waitForResponse((r) => isApi(r, 'POST', '/attachments'));
  await byId(page, testid + '-input').setInputFiles(file(name));
  const r = await wait;
  assert.equal(r.status(), 201, JSON.stringify(await r.json()));
  return r.json();
}

/** The thumbnail shows the photo: an object URL the browser decoded (the <img> shows once it has loaded). */
async function assertThumbLoaded(locator) {
  await locator.locator('img').first().waitFor({ state: 'visible' });
  const img = await locator.locator('img').first().evaluate((el) => ({ src: el.src, w: el.naturalWidth }));
  assert.match(img.src, /^blob:/, 'thumbnail from an object URL');
  assert.ok(img.w > 0, 'thumbnail decoded');
}

async function assertFitsWidth(page, what) {
  const { sw, w } = await page.evaluate(() => ({ sw: document.documentElement.scrollWidth, w: window.innerWidth }));
  assert.ok(sw <= w, `${what}: page is ${sw}px wide in a ${w}px viewport`);
}

async function step(page, id) {
  await byId(page, 'flow-step-' + id).tap();
  await byId(page, 'flow-panel-' + id).waitFor({ state: 'visible' });
}

/** The job page's refresh button: everything is read again and drawn (data-loads counts the loads). */
async function refresh(page) {
  const n = Number(await byId(page, 'job-detail').getAttribute('data-loads'));
  await byId(page, 'flow-refresh').tap();
  await page.locator(`[data-testid="job-detail"][data-loads="${n + 1}"]`).waitFor({ state: 'attached' });
}

async function setLang(page, lang) {
  await byId(page, 'user-menu').click();
  await byId(page, 'lang-' + lang).click();
}

// ------------------------------------------------------------------ tests

test('phone job flow: survey, ticket signed by three people, briefing, risks, start gates, steps, end, finish; desk board and ticket', { timeout: TEST_TIMEOUT }, async () => {
  const { order, plan } = await makeJob('流程');
  const place = '幸福小区3号楼配电间' + TAG;
  const leadP = await newPage(PHONE);
  const { page } = leadP;
  let ticket;
  let seq1; // the risk confirmed with a photo
  try {
    // ---------------------------------------------------------------- a. survey (leader, phone)
    await login(page, fx.leader.username, PASSWORD, '/jobs/' + plan.id);
    await byId(page, 'job-detail').filter({ hasText: plan.number }).waitFor({ state: 'visible' });
    await byId(page, 'flow-panel-survey').waitFor({ state: 'visible' });
    assert.equal(await byId(page, 'flow-step-survey').getAttribute('data-state'), 'current');
    assert.equal(await byId(page, 'flow-step-ticket').getAttribute('data-state'), 'todo');
    const stepBox = await byId(page, 'flow-step-ticket').boundingBox();
    assert.ok(stepBox && stepBox.height >= 44 && stepBox.width >= 44, 'step indicator is a touch target: ' + JSON.stringify(stepBox));
    await waitText(page, 'job-order-' + order.number, order.site_address);
    await assertFitsWidth(page, 'job survey');
    await page.screenshot({ path: '/tmp/fg-flow-phone-survey-zh.png' });

    await byId(page, 'survey-place').fill(place);
    await byId(page, 'survey-outage').fill('3号楼表箱进线开关以下');
    await byId(page, 'survey-live').fill('表箱进线端子带电');
    await byId(page, 'survey-risk-add').tap();
    await byId(page, 'survey-risk-0-hazard').fill('表箱旁有积水' + TAG);
    await byId(page, 'survey-risk-0-level').selectOption('2');
    await byId(page, 'survey-risk-0-measures').fill('铺设绝缘垫\n穿绝缘靴');
    await byId(page, 'survey-measures').fill('设置安全围栏' + TAG);
    await byId(page, 'survey-notes').fill('客户已在场');
    await byId(page, 'survey-form').evaluate((el) => el.scrollIntoView({ block: 'start' }));
    await page.screenshot({ path: '/tmp/fg-flow-phone-survey-form-zh.png' });
    const saved = await clickFor(page, 'survey-submit', 'PUT', `/plans/${plan.id}/survey`, { tap: true });
    assert.equal(saved.status(), 200, JSON.stringify(await saved.json()));
    const survey = await saved.json();
    assert.deepEqual(survey.risks, [{ hazard: '表箱旁有积水' + TAG, level: 2, measures: ['铺设绝缘垫', '穿绝缘靴'] }]);
    assert.deepEqual(survey.measures, ['设置安全围栏' + TAG]);
    await waitText(page, 'survey-view-place', place);
    assert.equal(await byId(page, 'flow-step-survey').getAttribute('data-state'), 'done');
    // A site photo from the camera input: raw body, its own Content-Type, entity=survey.
    const reqWait = page.waitForRequest((r) => r.method() === 'POST' && new URL(r.url()).pathname === '/api/v1/attachments');
    const shot = await photo(page, 'survey-photo', 'site.jpg');
    const req = await reqWait;
    assert.equal(req.headers()['content-type'], 'image/jpeg');
    assert.equal(new URL(req.url()).searchParams.get('entity'), 'survey');
    assert.equal(new URL(req.url()).searchParams.get('entity_id'), survey.id);
    assert.equal(shot.content_type, 'image/jpeg');
    await assertThumbLoaded(byId(page, 'survey-photos'));
    assert.equal((await must('GET', `/plans/${plan.id}/survey`)).photos.length, 1);
    await page.screenshot({ path: '/tmp/fg-flow-phone-survey-done-zh.png' });

    // ---------------------------------------------------------------- b. ticket: create (leader)
    await step(page, 'ticket');
    await byId(page, 'ticket-none').waitFor({ state: 'visible' });
    const made = await clickFor(page, 'ticket-create', 'POST', '/tickets', { tap: true });
    assert.equal(made.status(), 201, JSON.stringify(await made.json()));
    ticket = await made.json();
    await waitText(page, 'ticket-number', ticket.number);
    await waitText(page, 'ticket-status', '填写');
    await waitText(page, 'ticket-place', place); // from the survey
    await waitText(page, 'ticket-outage', '3号楼表箱进线开关以下');
    await waitText(page, 'ticket-live', '表箱进线端子带电');
    await waitText(page, 'ticket-crew', fx.crew.display_name);
    assert.ok((await byId(page, 'ticket-kind').innerText()).includes(I18N.zh['ticket_kind.' + ticket.kind]));
    await byId(page, 'ticket-risks').filter({ hasText: '表箱旁有积水' + TAG }).waitFor({ state: 'visible' });
    assert.equal(await byId(page, 'ticket-sig-issuer').getAttribute('data-signed'), '0');
    assert.equal(await byId(page, 'ticket-action-issue').count(), 0, 'a leader does not issue');
    assert.equal(await byId(page, 'measure-confirm-1').count(), 0, 'measures are ticked after receipt');
    await waitText(page, 'measure-why', I18N.zh['measure.after_receive']);
    await assertFitsWidth(page, 'ticket');
    await page.screenshot({ path: '/tmp/fg-flow-phone-ticket-zh.png' });

    // ---------------------------------------------------------------- e. a start now: every gate, by name
    await step(page, 'start');
    await byId(page, 'start-checklist').waitFor({ state: 'visible' });
    const early = await clickFor(page, 'flow-start', 'POST', `/plans/${plan.id}/actions/start`, { tap: true });
    assert.equal(early.status(), 409);
    const gates = (await early.json()).error.details.gates;
    assert.ok(gates.length >= 3, JSON.stringify(gates));
    const box = byId(page, 'start-error');
    await box.waitFor({ state: 'visible' });
    assert.equal(await box.locator('li.gate').count(), gates.length, 'every gate is listed');
    for (const g of gates) {
      const item = box.locator(`[data-testid="gate-${g.code}"]`);
      await item.waitFor({ state: 'visible' });
      assert.ok((await item.innerText()).includes(I18N.zh['gate.' + g.code]), g.code);
    }
    const gateText = await box.innerText();
    assert.ok(gateText.includes(I18N.zh['gate.gate_ticket_not_permitted']));
    assert.ok(gateText.includes(I18N.zh['gate.gate_briefing_missing']));
    assert.ok(gateText.includes(I18N.zh['gate.gate_risk_unconfirmed']));
    assert.ok(gateText.includes(I18N.zh['gate.reason.not_permitted']), 'why the ticket does not do');
    assert.ok(gateText.includes(fx.crew.display_name), 'who has not signed');
    assert.ok(gateText.includes('表箱旁有积水' + TAG), 'which risks are open');
    await box.scrollIntoViewIfNeeded();
    await assertFitsWidth(page, 'start gates');
    await page.screenshot({ path: '/tmp/fg-flow-phone-gates-zh.png' });
    assert.equal((await must('GET', '/plans/' + plan.id)).status, 'published');

    // ---------------------------------------------------------------- b. the issuer issues it on their own phone
    const iss = await newPage(PHONE);
    try {
      await login(iss.page, fx.issuer.username, PASSWORD, '/tickets/' + ticket.id);
      await waitText(iss.page, 'ticket-number', ticket.number);
      const issued = await sign(iss.page, 'issue', ticket.id);
      assert.equal(issued.status(), 200, JSON.stringify(await issued.json()));
      await waitText(iss.page, 'ticket-status', '已签发');
      await waitText(iss.page, 'ticket-sig-issuer', fx.issuer.display_name);
      assert.equal(await byId(iss.page, 'ticket-sig-issuer').getAttribute('data-signed'), '1');
      await assertFitsWidth(iss.page, 'issuer ticket');
      await iss.page.screenshot({ path: '/tmp/fg-flow-phone-issuer-zh.png' });
      assert.deepEqual(iss.problems, []);
    } finally {
      await iss.context.close();
    }

    // ---------------------------------------------------------------- b. leader receives, adds a measure, ticks them all
    await step(page, 'ticket');
    await refresh(page);
    await waitText(page, 'ticket-status', '已签发');
    const received = await sign(page, 'receive', ticket.id);
    assert.equal(received.status(), 200, JSON.stringify(await received.json()));
    await waitText(page, 'ticket-status', '已接收');
    await byId(page, 'measure-new-text').fill('临时增设警示牌' + TAG);
    const added = await clickFor(page, 'measure-new-submit', 'POST', `/tickets/${ticket.id}/measures`, { tap: true });
    assert.equal(added.status(), 201);
    const supp = (await added.json()).measures.find((m) => m.text === '临时增设警示牌' + TAG);
    assert.ok(supp && supp.supplement, 'added after issue: a supplement');
    await waitText(page, 'measure-' + supp.seq, I18N.zh['measure.supplement']);
    // the leader ticks only the measures of their own here; a risk point's measures go with its confirmation
    const afterAdd = await added.json();
    const riskCodes = new Set(afterAdd.risks.map((r) => r.risk_id));
    const total = afterAdd.measures.filter((m) => !m.risk_id || !riskCodes.has(m.risk_id)).length;
    assert.ok(total >= 1 && total < afterAdd.measures.length);
    await waitText(page, 'measure-with-risk', I18N.zh['measure.with_risk']);
    let ticked = 0;
    for (;;) {
      const next = page.locator('[data-testid^="measure-confirm-"]').first();
      if (!(await next.count())) break;
      const tid = await next.getAttribute('data-testid');
      const seq = tid.slice('measure-confirm-'.length);
      const r = await clickFor(page, tid, 'POST', `/tickets/${ticket.id}/measures/${(await byId(page, 'measure-' + seq).getAttribute('data-id'))}/actions/confirm`);
      assert.equal(r.status(), 200);
      await byId(page, 'measure-state-' + seq).waitFor({ state: 'visible' });
      ticked += 1;
      assert.ok(ticked <= total, 'each measure is ticked once');
    }
    assert.equal(ticked, total, 'every measure of its own ticked through the UI');
    assert.equal(await byId(page, 'ticket-measures-progress').getAttribute('data-done'), String(total));
    await waitText(page, 'measure-state-' + supp.seq, fx.leader.display_name);
    await byId(page, 'measure-' + supp.seq).scrollIntoViewIfNeeded();
    await page.screenshot({ path: '/tmp/fg-flow-phone-measures-zh.png' });

    // ---------------------------------------------------------------- b. risks (leader) once received: each risk point with its measures in one tap, the first with an evidence photo
    await step(page, 'risks');
    const first = await byId(page, 'ticket-risks').locator('li.risk-card').first().getAttribute('data-testid');
    seq1 = first.slice('risk-'.length);
    const ev = await photo(page, 'risk-photo-' + seq1, 'risk.jpg');
    await byId(page, 'risk-pending-' + seq1).waitFor({ state: 'visible' });
    await byId(page, 'risk-confirm-' + seq1).scrollIntoViewIfNeeded();
    await assertFitsWidth(page, 'risks');
    await page.screenshot({ path: '/tmp/fg-flow-phone-risk-confirm-zh.png' });
    const riskId = await byId(page, first).getAttribute('data-id');
    const c1 = await clickFor(page, 'risk-confirm-' + seq1, 'POST', `/tickets/${ticket.id}/risks/${riskId}/actions/confirm`, { tap: true });
    assert.equal(c1.status(), 200);
    assert.equal(JSON.parse(c1.request().postData()).evidence_id, ev.id);
    // one confirmation carries every measure on the card (issue 14 item 3)
    const ids1 = await byId(page, first).locator('li.measure').evaluateAll((els) => els.map((e) => e.dataset.id));
    assert.deepEqual(JSON.parse(c1.request().postData()).measure_ids, ids1);
    await waitText(page, 'risk-state-' + seq1, fx.leader.display_name);
    await assertThumbLoaded(byId(page, 'risk-evidence-' + seq1));
    for (;;) {
      const next = page.locator('[data-testid^="risk-confirm-"]').first();
      if (!(await next.count())) break;
      const tid = await next.getAttribute('data-testid');
      const s = tid.slice('risk-confirm-'.length);
      const rid = await byId(page, 'risk-' + s).getAttribute('data-id');
      const key = (await byId(page, 'risk-' + s).getAttribute('data-evidence')) === 'photo';
      if (key) { // a key risk: the photo first (the button waits for it)
        assert.ok(await byId(page, tid).isDisabled(), 'a key risk is not confirmed without its photo');
        await photo(page, 'risk-photo-' + s, 'key.jpg');
        await byId(page, 'risk-pending-' + s).waitFor({ state: 'visible' });
      }
      const r = await clickFor(page, tid, 'POST', `/tickets/${ticket.id}/risks/${rid}/actions/confirm`);
      assert.equal(r.status(), 200, JSON.stringify(await r.json()));
      assert.equal(typeof JSON.parse(r.request().postData()).evidence_id, key ? 'string' : 'undefined');
      await byId(page, 'risk-' + s).and(page.locator('[data-confirmed="1"]')).waitFor({ state: 'visible' });
    }
    const rp = byId(page, 'ticket-risks-progress');
    assert.equal(await rp.getAttribute('data-done'), await rp.getAttribute('data-total'));
    assert.equal(await byId(page, 'flow-step-risks').getAttribute('data-state'), 'done');
    await step(page, 'ticket');
    assert.equal(await byId(page, 'ticket-measures-progress').getAttribute('data-done'), String(afterAdd.measures.length), 'every measure done');
    await page.screenshot({ path: '/tmp/fg-flow-phone-risks-zh.png' });

    // ---------------------------------------------------------------- b. the permitter permits by phone
    const perm = await newPage(PHONE);
    try {
      await login(perm.page, fx.permitter.username, PASSWORD, '/tickets/' + ticket.id);
      await waitText(perm.page, 'ticket-status', '已接收');
      const permitted = await sign(perm.page, 'permit', ticket.id, PASSWORD, () => byId(perm.page, 'sign-dialog-permit_method-phone').check());
      assert.equal(permitted.status(), 200, JSON.stringify(await permitted.json()));
      assert.equal(JSON.parse(permitted.request().postData()).permit_method, 'phone');
      await waitText(perm.page, 'ticket-status', '已许可');
      await waitText(perm.page, 'ticket-permit-method', '电话许可');
      assert.deepEqual(perm.problems, []);
    } finally {
      await perm.context.close();
    }
    await refresh(page);
    await waitText(page, 'ticket-status', '已许可');
    assert.equal(await byId(page, 'flow-step-ticket').getAttribute('data-state'), 'done');

    // ---------------------------------------------------------------- c. briefing: generate, hold, sign (leader)
    await step(page, 'briefing');
    const gen = await clickFor(page, 'briefing-generate', 'POST', `/plans/${plan.id}/briefing`, { tap: true });
    assert.equal(gen.status(), 200, JSON.stringify(await gen.json()));
    for (const part of ['workflow', 'quality', 'technical', 'safety', 'risks']) await byId(page, 'briefing-' + part).waitFor({ state: 'visible' });
    await waitText(page, 'briefing-content', '表箱旁有积水' + TAG); // the ticket's risks are in the meeting
    assert.equal(await byId(page, 'briefing-sign').count(), 0, 'no signing before the meeting is held');
    const held = await clickFor(page, 'briefing-hold', 'POST', `/plans/${plan.id}/briefing/actions/hold`, { tap: true });
    assert.equal(held.status(), 200);
    await byId(page, 'briefing-state').and(page.locator('[data-held="1"]')).waitFor({ state: 'visible' });
    await waitText(page, 'briefing-missing', fx.crew.display_name);
    await waitText(page, 'briefing-missing', fx.leader.display_name);
    const signed = await clickFor(page, 'briefing-sign', 'POST', `/plans/${plan.id}/briefing/actions/sign`, { tap: true });
    assert.equal(signed.status(), 200);
    await waitText(page, 'briefing-attendance', fx.leader.display_name);
    assert.ok(!(await byId(page, 'briefing-missing').innerText()).includes(fx.leader.display_name));
    await page.screenshot({ path: '/tmp/fg-flow-phone-briefing-zh.png' });

    // ---------------------------------------------------------------- c. the crew member signs on their phone; may not confirm risks
    const crew = await newPage(PHONE);
    try {
      await login(crew.page, fx.crew.username, PASSWORD, '/jobs/' + plan.id);
      await byId(crew.page, 'job-detail').filter({ hasText: plan.number }).waitFor({ state: 'visible' });
      await step(crew.page, 'survey');
      assert.equal(await byId(crew.page, 'survey-edit').count(), 0, 'a crew member does not edit the survey');
      await byId(crew.page, 'survey-why').waitFor({ state: 'visible' });
      await step(crew.page, 'briefing');
      const cs = await clickFor(crew.page, 'briefing-sign', 'POST', `/plans/${plan.id}/briefing/actions/sign`, { tap: true });
      assert.equal(cs.status(), 200);
      await waitText(crew.page, 'briefing-missing', I18N.zh['briefing.all_signed']);
      assert.equal(await byId(crew.page, 'flow-step-briefing').getAttribute('data-state'), 'done');
      await step(crew.page, 'risks');
      await waitText(crew.page, 'risk-why', I18N.zh['risk.only_leader']);
      assert.equal(await crew.page.locator('[data-testid^="risk-confirm-"]').count(), 0, 'only the leader confirms risks');
      await step(crew.page, 'start');
      await waitText(crew.page, 'start-why', I18N.zh['start.only_leader']);
      assert.equal(await byId(crew.page, 'flow-start').count(), 0);
      await crew.page.screenshot({ path: '/tmp/fg-flow-phone-crew-zh.png' });
      assert.deepEqual(crew.problems, []);
    } finally {
      await crew.context.close();
    }

    // ---------------------------------------------------------------- e. start
    await refresh(page); // the crew member's attendance, from their own phone
    assert.equal(await byId(page, 'flow-step-briefing').getAttribute('data-state'), 'done');
    await step(page, 'start');
    for (const k of ['ticket', 'briefing', 'risks', 'people']) assert.equal(await byId(page, 'start-check-' + k).getAttribute('data-ok'), '1', k);
    const started = await clickFor(page, 'flow-start', 'POST', `/plans/${plan.id}/actions/start`, { tap: true });
    assert.equal(started.status(), 200, JSON.stringify(await started.json()));
    await byId(page, 'flow-panel-steps').waitFor({ state: 'visible' });
    await waitText(page, 'job-detail-status', '作业中');
    await byId(page, 'flow-action-pause').waitFor({ state: 'visible' });

    // ---------------------------------------------------------------- f. steps 1 and 2 of the SOP
    const stepsApi = await must('GET', `/plans/${plan.id}/steps`);
    const sop = stepsApi.items[0].steps;
    assert.equal(await byId(page, 'steps-progress').getAttribute('data-done'), '0');
    assert.equal(await byId(page, 'steps-progress').getAttribute('data-total'), String(stepsApi.progress.total));
    const s1 = byId(page, `step-${order.number}-1`);
    await waitText(page, `step-${order.number}-1`, sop[0].quality_zh.slice(0, 10));
    assert.equal(await byId(page, `step-${order.number}-2`).locator('form').count(), 0, 'only the next step has a form');
    for (const r of sop[0].records) {
      assert.equal(r.type, 'choice');
      await byId(page, `step-rec-${r.key}-${r.choices[0].value}`).check();
    }
    const r1 = await clickFor(page, 'step-submit', 'POST', `/plans/${plan.id}/steps`, { tap: true });
    assert.equal(r1.status(), 201, JSON.stringify(await r1.json()));
    assert.deepEqual(JSON.parse(r1.request().postData()).records,
      Object.fromEntries(sop[0].records.map((r) => [r.key, r.choices[0].value])));
    await s1.and(page.locator('[data-state="done"]')).waitFor({ state: 'visible' });
    await waitText(page, `step-${order.number}-1`, sop[0].records[0].choices[0].label_zh);

    // Step 2 needs a photo and checks the asset number.
    const s2 = byId(page, `step-${order.number}-2`);
    assert.equal(await s2.getAttribute('data-state'), 'next');
    assert.match(await s2.innerText(), new RegExp(I18N.zh['steps.photo_badge']));
    await byId(page, 'step-rec-account_no').fill('0101' + TAG);
    await byId(page, 'step-rec-old_meter_asset_no').fill('X');
    await byId(page, 'step-rec-old_seal_nos').fill('F123456 完好');
    await byId(page, 'step-submit').tap();
    await waitText(page, 'step-error', I18N.zh['steps.photo_missing']);
    await photo(page, 'step-photo', 'box.jpg');
    await assertThumbLoaded(byId(page, 'step-photo-list'));
    const bad = await clickFor(page, 'step-submit', 'POST', `/plans/${plan.id}/steps`, { tap: true });
    assert.equal(bad.status(), 400);
    const badBody = await bad.json();
    assert.equal(badBody.error.details.field, 'records.old_meter_asset_no');
    await waitText(page, 'step-error', badBody.error.message);
    assert.ok(await byId(page, 'step-rec-old_meter_asset_no').evaluate((el) => el.closest('.field').classList.contains('invalid')), 'the reading is marked');
    await page.screenshot({ path: '/tmp/fg-flow-phone-step-error-zh.png' });
    await byId(page, 'step-rec-old_meter_asset_no').fill('MA-2024-0001');
    const r2 = await clickFor(page, 'step-submit', 'POST', `/plans/${plan.id}/steps`, { tap: true });
    assert.equal(r2.status(), 201, JSON.stringify(await r2.json()));
    assert.equal(JSON.parse(r2.request().postData()).photo_ids.length, 1);
    await s2.and(page.locator('[data-state="done"]')).waitFor({ state: 'visible' });
    await waitText(page, 'step-reading-old_meter_asset_no', 'MA-2024-0001');
    await assertThumbLoaded(s2.locator('[data-testid="step-photos"]'));
    assert.equal(await byId(page, 'steps-progress').getAttribute('data-done'), '2');
    assert.equal(await byId(page, `step-${order.number}-3`).getAttribute('data-state'), 'next');
    await assertFitsWidth(page, 'steps');
    await s2.scrollIntoViewIfNeeded();
    await page.screenshot({ path: '/tmp/fg-flow-phone-steps-zh.png' });

    // Pause and resume.
    await byId(page, 'flow-action-pause').tap();
    await byId(page, 'confirm-dialog').waitFor({ state: 'visible' });
    const paused = await clickFor(page, 'confirm-ok', 'POST', `/plans/${plan.id}/actions/pause`);
    assert.equal(paused.status(), 200);
    await waitText(page, 'job-detail-status', '暂停');
    await waitText(page, 'steps-why', I18N.zh['steps.paused']);
    assert.equal(await byId(page, 'step-form').count(), 0, 'no recording while paused');
    const resumed = await clickFor(page, 'flow-action-resume', 'POST', `/plans/${plan.id}/actions/resume`, { tap: true });
    assert.equal(resumed.status(), 200, JSON.stringify(await resumed.json()));
    await waitText(page, 'job-detail-status', '作业中');

    // ---------------------------------------------------------------- g. end the ticket (photo, note, password), finish
    await step(page, 'end');
    assert.equal(await byId(page, 'flow-finish').count(), 0, 'no finish before the ticket has ended');
    await byId(page, 'end-submit').tap();
    await waitText(page, 'end-error', I18N.zh['end.photo_missing']);
    const endPhoto = await photo(page, 'end-photo', 'end.jpg');
    await byId(page, 'end-note').fill('工作已完成，人员已撤离' + TAG);
    await page.screenshot({ path: '/tmp/fg-flow-phone-end-form-zh.png' });
    await byId(page, 'end-submit').tap();
    await byId(page, 'sign-dialog').waitFor({ state: 'visible' });
    await byId(page, 'sign-dialog-password').fill(PASSWORD);
    const ended = await clickFor(page, 'sign-dialog-submit', 'POST', `/tickets/${ticket.id}/actions/end`);
    assert.equal(ended.status(), 200, JSON.stringify(await ended.json()));
    const endBody = JSON.parse(ended.request().postData());
    assert.deepEqual(endBody.photo_ids, [endPhoto.id]);
    assert.equal(endBody.note, '工作已完成，人员已撤离' + TAG);
    await byId(page, 'end-ticket-ended').waitFor({ state: 'visible' });
    await byId(page, 'flow-finish').tap();
    await byId(page, 'confirm-dialog').waitFor({ state: 'visible' });
    assert.match(await byId(page, 'confirm-dialog').innerText(), /11/); // 13 steps, 2 recorded
    const fin = await clickFor(page, 'confirm-ok', 'POST', `/plans/${plan.id}/actions/finish`);
    assert.equal(fin.status(), 200, JSON.stringify(await fin.json()));
    await byId(page, 'flow-finished').waitFor({ state: 'visible' });
    await waitText(page, 'job-detail-status', '已完成');
    assert.equal(await byId(page, 'flow-step-end').getAttribute('data-state'), 'done');
    assert.equal((await must('GET', '/work-orders/' + order.id)).status, 'done');
    await assertFitsWidth(page, 'end');
    await page.screenshot({ path: '/tmp/fg-flow-phone-end-zh.png' });

    // The same job in English.
    await setLang(page, 'en');
    await waitText(page, 'job-detail-status', 'Finished');
    await waitText(page, 'flow-step-end', 'End');
    await page.screenshot({ path: '/tmp/fg-flow-phone-end-en.png' });
    await step(page, 'ticket');
    await waitText(page, 'ticket-status', 'Ended');
    await waitText(page, 'ticket-sig-leader_end', fx.leader.display_name);
    await assertFitsWidth(page, 'ticket en');
    await page.screenshot({ path: '/tmp/fg-flow-phone-ticket-en.png' });
    await step(page, 'steps');
    await waitText(page, `step-${order.number}-2`, sop[1].title_en);
    await page.screenshot({ path: '/tmp/fg-flow-phone-steps-en.png' });
    assert.deepEqual(leadP.problems, []);
  } finally {
    await leadP.context.close();
  }

  // ---------------------------------------------------------------- desk: the supervisor's board, a finding, the evaluation
  // A high-risk job beside it (HV metering): red or orange, with the high-risk mark.
  const hot = await makeJob('高压', fx.leader2, [fx.crew], 'hv_metering_install');
  assert.ok(hot.plan.risk_level <= 2 && hot.plan.high_risk, JSON.stringify(hot.plan));
  const sup = await newPage(DESK);
  try {
    const supToken = await tokenOf(fx.supervisor.username);
    const before = await must('GET', '/evaluations/coverage', undefined, supToken);
    await login(sup.page, fx.supervisor.username, PASSWORD, '/supervision');
    const card = byId(sup.page, 'board-job-' + plan.number);
    await byId(sup.page, 'board-col-finished').locator(`[data-testid="board-job-${plan.number}"]`).waitFor({ state: 'visible' });
    assert.equal(await card.getAttribute('data-status'), 'finished');
    await waitText(sup.page, 'board-job-' + plan.number, ticket.number);
    assert.match(await card.locator('[data-testid="board-ticket-status"]').innerText(), /工作终结/);
    assert.equal(await card.locator('[data-testid="board-violations"]').getAttribute('data-n'), '0');
    await card.locator('[data-testid="board-steps"][data-total="13"]').waitFor({ state: 'attached' });
    assert.equal(await card.locator('[data-testid="board-steps"]').getAttribute('data-done'), '2');
    await byId(sup.page, 'coverage-ring').waitFor({ state: 'visible' });
    const hotCard = byId(sup.page, 'board-col-published').locator(`[data-testid="board-job-${hot.plan.number}"]`);
    await hotCard.waitFor({ state: 'visible' });
    assert.ok(await hotCard.evaluate((el, n) => el.classList.contains('risk-edge-' + n), hot.plan.risk_level), 'risk colour');
    await hotCard.locator('[data-testid="board-job-high-risk"]').waitFor({ state: 'visible' });
    const edge = await hotCard.evaluate((el) => getComputedStyle(el).borderLeftColor);
    assert.ok(['rgb(180, 35, 24)', 'rgb(232, 89, 12)'].includes(edge), 'red or orange edge: ' + edge);
    await hotCard.locator('[data-testid="board-steps"][data-total]:not([data-total=""])').waitFor({ state: 'attached' });

    // The poll sends If-None-Match; an unchanged board answers 304 and is not drawn again.
    const renders = await byId(sup.page, 'board').getAttribute('data-renders');
    const same = await sup.page.waitForResponse((r) => isApi(r, 'GET', '/board') && r.status() === 304, { timeout: 20_000 });
    assert.ok(same.request().headers()['if-none-match'], 'the poll sends If-None-Match');
    assert.equal(await byId(sup.page, 'board').getAttribute('data-renders'), renders, 'a 304 leaves the board as it is');
    await sup.page.screenshot({ path: '/tmp/fg-flow-desk-board-zh.png', fullPage: true });

    // A finding.
    await card.locator(`[data-testid="board-finding-${plan.number}"]`).click();
    await byId(sup.page, 'finding-dialog').waitFor({ state: 'visible' });
    await byId(sup.page, 'finding-dialog-kind').selectOption('violation');
    await byId(sup.page, 'finding-dialog-severity').selectOption('serious');
    await byId(sup.page, 'finding-dialog-method').selectOption('video');
    await byId(sup.page, 'finding-dialog-description').fill('未按规定佩戴安全帽' + TAG);
    const fnd = await clickFor(sup.page, 'finding-dialog-submit', 'POST', `/plans/${plan.id}/findings`);
    assert.equal(fnd.status(), 201, JSON.stringify(await fnd.json()));
    assert.deepEqual(JSON.parse(fnd.request().postData()),
      { kind: 'violation', severity: 'serious', method: 'video', description: '未按规定佩戴安全帽' + TAG });
    await card.locator('[data-testid="board-violations"][data-n="1"]').waitFor({ state: 'visible' });

    // The evaluation: a fail needs reasons (said before the server is asked), then it counts in the coverage.
    const evalBtn = card.locator(`[data-testid="board-evaluate-${plan.number}"]`);
    await evalBtn.click();
    await byId(sup.page, 'eval-dialog').waitFor({ state: 'visible' });
    await byId(sup.page, 'eval-dialog-qualified-no').check();
    await byId(sup.page, 'eval-dialog-submit').click();
    await waitText(sup.page, 'eval-dialog-error', I18N.zh['eval.reasons_required']);
    await byId(sup.page, 'eval-dialog-reasons').fill('安全帽佩戴不规范\n终结照片不清晰');
    const ev = await clickFor(sup.page, 'eval-dialog-submit', 'POST', `/tickets/${ticket.id}/evaluation`);
    assert.equal(ev.status(), 201, JSON.stringify(await ev.json()));
    assert.deepEqual(JSON.parse(ev.request().postData()), { qualified: false, reasons: ['安全帽佩戴不规范', '终结照片不清晰'] });
    await card.locator('[data-testid="board-evaluated"]').waitFor({ state: 'visible' });
    assert.equal(await evalBtn.count(), 0, 'evaluated once');
    const afterAll = await must('GET', '/evaluations/coverage', undefined, supToken);
    assert.equal(afterAll.evaluated, before.evaluated + 1);
    // The figure (board day) shows what the server counts for that day.
    const start = Date.parse(todayShanghai() + 'T00:00:00+08:00');
    const day = await must('GET', `/evaluations/coverage?from=${start}&to=${start + 86400000}`, undefined, supToken);
    await waitText(sup.page, 'coverage-evaluated', String(day.evaluated));
    assert.equal(await byId(sup.page, 'coverage-ended').innerText(), String(day.ended));
    assert.equal(await byId(sup.page, 'coverage-pct').textContent(), Math.round(day.coverage * 100) + '%');
    assert.ok(!(await byId(sup.page, 'coverage').innerText()).includes(ticket.number), 'no longer listed as unevaluated');
    await sup.page.screenshot({ path: '/tmp/fg-flow-desk-board-evaluated-zh.png', fullPage: true });

    // The desk ticket: signatures, measures with who and when, risks with confirmations, photos, verify.
    await sup.page.goto(FG_URL + '/tickets/' + ticket.id);
    await waitText(sup.page, 'ticket-number', ticket.number);
    for (const role of ['issuer', 'leader', 'permitter', 'leader_end']) {
      assert.equal(await byId(sup.page, 'ticket-sig-' + role).getAttribute('data-signed'), '1', role);
    }
    await waitText(sup.page, 'ticket-sig-permitter', fx.permitter.display_name);
    await waitText(sup.page, 'ticket-permit-method', '电话许可');
    await waitText(sup.page, 'measure-state-1', fx.leader.display_name);
    await waitText(sup.page, 'risk-state-' + seq1, fx.leader.display_name);
    await assertThumbLoaded(byId(sup.page, 'risk-evidence-' + seq1));
    await assertThumbLoaded(byId(sup.page, 'ticket-end-photos'));
    await byId(sup.page, 'ticket-evaluated').waitFor({ state: 'visible' });
    assert.equal(await sup.page.locator('[data-testid^="measure-confirm-"], [data-testid^="risk-confirm-"]').count(), 0, 'nothing left to tick');
    const ver = await clickFor(sup.page, 'ticket-verify', 'GET', `/tickets/${ticket.id}/verify`);
    assert.equal(ver.status(), 200);
    const verBody = await ver.json();
    assert.equal(verBody.valid, true);
    assert.equal(await byId(sup.page, 'verify-overall').getAttribute('data-valid'), '1');
    for (const s of verBody.signatures) assert.equal(await byId(sup.page, 'verify-sig-' + s.role).getAttribute('data-valid'), '1');
    await sup.page.screenshot({ path: '/tmp/fg-flow-desk-ticket-zh.png', fullPage: true });

    await setLang(sup.page, 'en');
    await waitText(sup.page, 'ticket-status', 'Ended');
    await sup.page.goto(FG_URL + '/supervision');
    await waitText(sup.page, 'coverage', 'Ticket evaluation coverage');
    await byId(sup.page, 'board-job-' + plan.number).filter({ hasText: 'Violations 1' }).waitFor({ state: 'visible' });
    await sup.page.screenshot({ path: '/tmp/fg-flow-desk-board-en.png', fullPage: true });
    await sup.page.goto(FG_URL + '/tickets');
    await byId(sup.page, 'ticket-row-' + ticket.number).waitFor({ state: 'visible' });
    await sup.page.screenshot({ path: '/tmp/fg-flow-desk-tickets-en.png', fullPage: true });
    assert.deepEqual(sup.problems, []);
  } finally {
    await sup.context.close();
  }
});

test('a wrong password when signing shows the server\'s message, and nothing is signed', { timeout: TEST_TIMEOUT }, async () => {
  const { plan } = await makeJob('密码', fx.leader2, [fx.crew]);
  const leaderToken = await tokenOf(fx.leader2.username);
  const ticket = await must('POST', '/tickets', { plan_id: plan.id }, leaderToken);
  const { context, page, problems } = await newPage(PHONE);
  try {
    await login(page, fx.issuer2.username, PASSWORD, '/tickets/' + ticket.id);
    await waitText(page, 'ticket-status', '填写');
    const wrong = await sign(page, 'issue', ticket.id, 'not-my-password-' + TAG);
    assert.equal(wrong.status(), 403);
    const body = await wrong.json();
    assert.equal(body.error.code, 'reauth_failed');
    await waitText(page, 'sign-dialog-error', body.error.message);
    assert.ok(await byId(page, 'sign-dialog').isVisible(), 'the dialog stays for another try');
    assert.equal(await byId(page, 'sign-dialog-password').inputValue(), '', 'the wrong password is cleared');
    assert.ok(await byId(page, 'sign-dialog-password').evaluate((el) => el.closest('.field').classList.contains('invalid')), 'the password is marked');
    await page.screenshot({ path: '/tmp/fg-flow-phone-reauth-zh.png' });
    await byId(page, 'sign-dialog-cancel').tap();
    await byId(page, 'sign-dialog').waitFor({ state: 'detached' });
    await waitText(page, 'ticket-status', '填写');
    assert.equal(await byId(page, 'ticket-sig-issuer').getAttribute('data-signed'), '0');
    const now = await must('GET', '/tickets/' + ticket.id);
    assert.equal(now.status, 'draft');
    assert.deepEqual(now.signatures, [], 'nothing signed');
    assert.equal(now.issuer_id, null);

    // In English the message is the server's English one.
    await setLang(page, 'en');
    await waitText(page, 'ticket-status', 'Draft');
    const again = await sign(page, 'issue', ticket.id, 'still-wrong-' + TAG);
    assert.equal(again.status(), 403);
    const en = await again.json();
    assert.equal(en.error.code, 'reauth_failed');
    assert.notEqual(en.error.message, body.error.message, 'the test tells the languages apart');
    await waitText(page, 'sign-dialog-error', en.error.message);
    await page.screenshot({ path: '/tmp/fg-flow-phone-reauth-en.png' });
    // The right password in the same dialog signs.
    await byId(page, 'sign-dialog-password').fill(PASSWORD);
    const ok = await clickFor(page, 'sign-dialog-submit', 'POST', `/tickets/${ticket.id}/actions/issue`);
    assert.equal(ok.status(), 200);
    await waitText(page, 'ticket-status', 'Issued');
    assert.equal((await must('GET', '/tickets/' + ticket.id)).signatures.length, 1);
    assert.deepEqual(problems, []);
  } finally {
    await context.close();
  }
});

test('signing with wrong passwords locks the account (429): the dialog says so and when to retry', { timeout: TEST_TIMEOUT }, async () => {
  const { plan } = await makeJob('锁定', fx.leader2, [fx.crew]);
  const ticket = await must('POST', '/tickets', { plan_id: plan.id }, await tokenOf(fx.leader2.username));
  const { context, page, problems } = await newPage(DESK);
  try {
    await login(page, fx.issuer3.username, PASSWORD, '/tickets/' + ticket.id);
    await waitText(page, 'ticket-status', '填写');
    await byId(page, 'ticket-action-issue').click();
    await byId(page, 'sign-dialog').waitFor({ state: 'visible' });
    let last;
    for (let i = 0; i < 6; i++) {
      await byId(page, 'sign-dialog-password').fill('wrong-' + i + '-' + TAG);
      last = await clickFor(page, 'sign-dialog-submit', 'POST', `/tickets/${ticket.id}/actions/issue`);
      if (last.status() === 429) break;
      assert.equal(last.status(), 403);
      await waitText(page, 'sign-dialog-error', (await last.json()).error.message);
    }
    assert.equal(last.status(), 429, 'the account locks after repeated failures');
    const body = await last.json();
    assert.equal(body.error.code, 'account_locked');
    await waitText(page, 'sign-dialog-error', body.error.message);
    const minutes = Math.ceil(body.error.details.retry_after / 60);
    await waitText(page, 'sign-dialog-error-hint', String(minutes));
    await page.screenshot({ path: '/tmp/fg-flow-desk-locked-zh.png' });
    await byId(page, 'sign-dialog-cancel').click();
    const now = await must('GET', '/tickets/' + ticket.id);
    assert.equal(now.status, 'draft');
    assert.deepEqual(now.signatures, []);
    assert.deepEqual(problems, []);
  } finally {
    await context.close();
  }
});

test('i18n: ticket states, actions, kinds and the new gates have names in both languages', () => {
  const { zh, en } = I18N;
  assert.deepEqual(Object.keys(en).sort(), Object.keys(zh).sort());
  const flow = JSON.parse(readFileSync(new URL('../../data/flows/ticket.json', import.meta.url), 'utf8'));
  for (const s of flow.states) {
    assert.equal(zh['status.ticket.' + s.code], s.name_zh, s.code);
    assert.equal(en['status.ticket.' + s.code], s.name_en, s.code);
  }
  for (const tr of flow.transitions) assert.ok(zh['action.ticket.' + tr.action] && en['action.ticket.' + tr.action], tr.action);
  const kinds = JSON.parse(readFileSync(new URL('../../data/kb/ticket_kinds.json', import.meta.url), 'utf8')).items;
  for (const k of kinds) {
    assert.equal(zh['ticket_kind.' + k.code], k.name_zh, k.code);
    assert.equal(en['ticket_kind.' + k.code], k.name_en, k.code);
  }
  for (const r of ['no_ticket', 'not_permitted', 'expired']) assert.ok(zh['gate.reason.' + r] && en['gate.reason.' + r]);
  for (const g of ['ticket_measures_open', 'ticket_no_measures', 'signer_conflict', 'ticket_end_photo_missing']) {
    assert.ok(zh['gate.' + g] && en['gate.' + g], g);
  }
});

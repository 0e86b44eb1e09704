// Browser tests of issue 14 item 5, "finish what the walk found": the order page's contact, appointment and
// plan-from-order; the crew picker's warnings before the server refuses; the print buttons (ticket PDF, the label
// sheet of several tools); the tools still out at the job's finish; an empty state that says what to do; English
// reference data and ISO dates; badge contrast at WCAG AA; no console error for a job with no survey yet.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { TAG, I18N, TEST_TIMEOUT, DESK, PHONE, FG_URL, must, tokenOf, launch, newPage, byId, login, isApi, shanghaiDate } from './lib.mjs';
import { PASSWORD as API_PASSWORD } from '../api/lib.mjs';
import {
  people, publishedPlan, newTicket, issuedReceivedPermitted, briefed, risksConfirmed, upload, act,
} from '../api/fieldwork_lib.mjs';

const PASSWORD = 'Walk-pass-' + TAG + '7';
let browser;
const fx = {};

before(async () => {
  assert.ok(FG_URL, 'FG_URL must point at a running fieldgrid server');
  fx.team = await must('POST', '/org-units', { name: '走查班' + TAG, kind: 'team' });
  const person = (key, name, roles) => must('POST', '/users', {
    username: `walk_${key}_${TAG}`, password: PASSWORD, display_name: name + TAG.slice(-4), roles, org_unit_id: fx.team.id });
  fx.disp = await person('disp', '调度', ['dispatcher']);
  fx.leader = await person('leader', '负责人', ['leader']);
  fx.crew = await person('crew', '班员', ['crew']);
  fx.keeper = await person('keeper', '保管员', ['tool_keeper']);
  // the leader is qualified, the crew member not (no safety-rules exam)
  await must('POST', `/users/${fx.leader.id}/qualifications`, { kind: 'safety_exam', name: '安规考试', score: 92, issued_on: shanghaiDate(0) });
  // the leader already leads a plan today: a double booking for the picker to warn about
  const busy = await must('POST', '/work-orders', { kind: 'lv_meter_install', site_address: '走查路 1 号' + TAG });
  fx.busyPlan = await must('POST', '/plans', { date: shanghaiDate(0), team_id: fx.team.id, leader_id: fx.leader.id,
    crew_ids: [], work_order_ids: [busy.id] });
  fx.order = await must('POST', '/work-orders', { kind: 'lv_meter_install', customer_name: '王秀英', team_id: fx.team.id,
    site_address: '临澜市和平街 7 号' + TAG, contact_name: '王秀英', contact_phone: '13987654321' });
  browser = await launch();
});

after(async () => {
  if (browser) await browser.close();
});

/** Console errors of a page (a failed request is one: "Failed to load resource"). */
function consoleErrors(page) {
  const errors = [];
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  return errors;
}


/** The three lowest contrast ratios (WCAG 2 relative luminance) of the visible elements matching sel against the
 * first opaque background behind them. */
function lowestContrast(page, sel) {
  return page.evaluate((selector) => {
    const rgb = (v) => (v.match(/[\d.]+/g) || []).map(Number);
    const lum = ([r, g, b]) => {
      const f = (c) => { c /= 255; return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4; };
      return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
    };
    const bgOf = (el) => {
      for (let e = el; e; e = e.parentElement) {
        const c = rgb(getComputedStyle(e).backgroundColor);
        if (c.length === 3 || (c.length === 4 && c[3] > 0)) return c.slice(0, 3);
      }
      return [255, 255, 255];
    };
    const ratio = (el) => {
      const a = lum(rgb(getComputedStyle(el).color).slice(0, 3));
      const b = lum(bgOf(el));
      return (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
    };
    return Array.from(document.querySelectorAll(selector))
      .filter((el) => el.offsetParent && el.textContent.trim())
      .map((el) => ({ cls: String(el.className), text: el.textContent.trim().slice(0, 20), ratio: Math.round(ratio(el) * 100) / 100 }))
      .sort((x, y) => x.ratio - y.ratio).slice(0, 3);
  }, sel);
}

const pdfText = (bytes) => execFileSync('pdftotext', ['-enc', 'UTF-8', '-', '-'], { input: bytes, stdio: ['pipe', 'pipe', 'ignore'] }).toString();

test('desk: the order shows its contact, takes an appointment, and becomes a plan; the picker warns first', { timeout: TEST_TIMEOUT }, async () => {
  const { context, page, problems } = await newPage(browser, DESK);
  try {
    await login(page, fx.disp.username, PASSWORD, '/orders/' + fx.order.id);
    const detail = byId(page, 'order-detail');
    await byId(page, 'order-contact-name').waitFor({ state: 'visible' });
    assert.equal(await byId(page, 'order-contact-name').innerText(), '王秀英');
    // a dispatcher holds customers.contact: the whole number, dialable
    assert.equal(await byId(page, 'order-contact-phone').getAttribute('href'), 'tel:13987654321');

    await byId(page, 'order-edit-contact').click();
    await byId(page, 'order-contact-dialog').waitFor({ state: 'visible' });
    const day = shanghaiDate(1);
    await byId(page, 'order-contact-dialog-appointment_from').fill(`${day}T09:00`);
    await byId(page, 'order-contact-dialog-appointment_to').fill(`${day}T08:00`);
    const [bad] = await Promise.all([
      page.waitForResponse((r) => isApi(r, 'PATCH', '/work-orders/' + fx.order.id)),
      byId(page, 'order-contact-dialog-submit').click(),
    ]);
    assert.equal(bad.status(), 400, 'an end before the start is refused');
    await byId(page, 'order-contact-dialog-error').waitFor({ state: 'visible' });
    await byId(page, 'order-contact-dialog-appointment_to').fill(`${day}T11:30`);
    const [ok] = await Promise.all([
      page.waitForResponse((r) => isApi(r, 'PATCH', '/work-orders/' + fx.order.id)),
      byId(page, 'order-contact-dialog-submit').click(),
    ]);
    assert.equal(ok.status(), 200);
    await detail.locator('[data-testid="order-detail-appointment"]').filter({ hasText: '11:30' }).waitFor({ state: 'visible' });
    assert.match(await byId(page, 'order-detail-appointment').innerText(), /09:00/);

    // plan-from-order: the plans form opens with this order chosen and the team set
    await byId(page, 'order-plan-from').click();
    await page.waitForURL(FG_URL + '/plans');
    await byId(page, 'plan-form').waitFor({ state: 'visible' });
    await byId(page, 'plan-form-chosen-' + fx.order.number).waitFor({ state: 'visible' });
    assert.equal(await byId(page, 'plan-form-place').inputValue(), fx.order.site_address);
    await page.locator(`[data-testid="plan-form-leader"] option[value="${fx.leader.id}"]`).waitFor({ state: 'attached' });
    assert.equal(await byId(page, 'plan-form-team').inputValue(), fx.team.id);

    // the leader is on another plan today, the crew member has no safety exam: said before saving
    await byId(page, 'plan-form-leader').selectOption(fx.leader.id);
    const booked = byId(page, 'plan-form-warn-booked-' + fx.leader.id);
    await booked.waitFor({ state: 'visible' });
    assert.match(await booked.innerText(), new RegExp(fx.busyPlan.number));
    await byId(page, 'plan-form-crew-' + fx.crew.username).check();
    const unready = byId(page, 'plan-form-warn-unready-' + fx.crew.id);
    await unready.waitFor({ state: 'visible' });
    assert.match(await unready.innerText(), new RegExp(I18N.zh['gate.person.no_valid_safety_exam']));
    assert.equal(await byId(page, 'plan-form-warn-unready-' + fx.leader.id).count(), 0, 'the qualified leader is not flagged');

    // the form's hints and warnings are readable (WCAG AA)
    const onForm = await lowestContrast(page, '.field-hint, .muted, .crew-warnings li, .badge');
    assert.ok(onForm.length > 0 && onForm[0].ratio >= 4.5, 'WCAG AA on the plan form: ' + JSON.stringify(onForm));
    const [created] = await Promise.all([
      page.waitForResponse((r) => isApi(r, 'POST', '/plans')),
      byId(page, 'plan-form-submit').click(),
    ]);
    assert.equal(created.status(), 201, 'a warning does not stop the dispatcher');
    const plan = await created.json();
    assert.deepEqual(plan.work_order_ids, [fx.order.id]);
    assert.deepEqual(problems, []);
  } finally {
    await context.close();
  }
});

test('desk: several tools ticked print as one label sheet', { timeout: TEST_TIMEOUT }, async () => {
  const keeperTok = await tokenOf(fx.keeper.username, PASSWORD);
  const tools = [];
  for (const n of [1, 2, 3]) {
    tools.push(await must('POST', '/tools', { asset_no: `WALK-${TAG}-${n}`, kind: 'lv_voltage_detector', last_test_date: shanghaiDate(0), last_test_result: 'pass' }, keeperTok));
  }
  const { context, page, problems } = await newPage(browser, DESK);
  try {
    await login(page, fx.keeper.username, PASSWORD, '/tools');
    assert.equal(await byId(page, 'tools-print-labels').isDisabled(), true, 'nothing ticked: nothing to print');
    await byId(page, 'tools-search').fill(`WALK-${TAG}`);
    await byId(page, 'tool-row-' + tools[0].asset_no).waitFor({ state: 'visible' });
    await byId(page, 'tool-pick-' + tools[0].asset_no).check();
    await byId(page, 'tool-pick-' + tools[2].asset_no).check();
    assert.match(await byId(page, 'tools-print-labels').innerText(), /2/);
    const [resp] = await Promise.all([
      page.waitForResponse((r) => isApi(r, 'POST', '/tools/labels')),
      byId(page, 'tools-print-labels').click(),
    ]);
    assert.equal(resp.status(), 200);
    assert.deepEqual(JSON.parse(resp.request().postData()).tool_ids.sort(), [tools[0].id, tools[2].id].sort());
    const link = byId(page, 'tools-labels-link');
    await link.waitFor({ state: 'attached' });
    assert.match(await link.getAttribute('href'), /^blob:/, 'the sheet the page holds, to open again');
    // the same request outside the page (the page keeps the PDF as a blob the test cannot read under the CSP)
    const again = await fetch(FG_URL + '/api/v1/tools/labels', { method: 'POST', body: resp.request().postData(),
      headers: { Authorization: 'Bearer ' + keeperTok, 'Content-Type': 'application/json' } });
    assert.equal(again.status, 200);
    const bytes = Buffer.from(await again.arrayBuffer());
    assert.equal(bytes.subarray(0, 5).toString(), '%PDF-');
    const text = pdfText(bytes);
    assert.ok(text.includes(tools[0].asset_no) && text.includes(tools[2].asset_no), 'both tools on the sheet');
    assert.ok(!text.includes(tools[1].asset_no), 'the unticked one is not');
    assert.deepEqual(problems, []);
  } finally {
    await context.close();
  }
});

test('phone: at the finish the tools still out are listed and returned at once; English shows the library English, ISO dates and an English PDF', { timeout: TEST_TIMEOUT }, async () => {
  const p = await people();
  const { plan } = await publishedPlan(p);
  const tk = await issuedReceivedPermitted(p, await newTicket(p, plan));
  await briefed(p, plan, [p.leader, p.crew]);
  await risksConfirmed(p, tk);
  assert.equal((await act(p.leader.token, `/plans/${plan.id}/actions/start`)).status, 200);
  const site = await upload(p.leader.token, tk.id);
  assert.equal((await act(p.leader.token, `/tickets/${tk.id}/actions/end`, { password: API_PASSWORD, photo_ids: [site.id] })).status, 200);
  const out = (await must('GET', `/plans/${plan.id}/tools`)).checked_out;
  assert.ok(out.length > 0, 'the job has tools out');

  const { context, page, problems } = await newPage(browser, PHONE);
  try {
    await context.addInitScript(() => localStorage.setItem('fg.lang', 'en'));
    await login(page, p.leader.user.username, API_PASSWORD, '/jobs/' + plan.id);
    await byId(page, 'flow-step-end').tap();
    const box = byId(page, 'end-tools-out');
    await box.waitFor({ state: 'visible' });
    for (const x of out) await byId(page, 'end-tools-out-' + x.asset_no).waitFor({ state: 'visible' });
    assert.ok((await box.innerText()).includes(I18N.en['end.tools_out_title'].replace('{n}', String(out.length))));
    await byId(page, 'end-tools-return-all').tap();
    await box.waitFor({ state: 'detached' });
    const after = await must('GET', `/plans/${plan.id}/tools`);
    assert.equal(after.checked_out.length, 0, 'every tool is back');
    await byId(page, 'flow-finish').waitFor({ state: 'visible' });

    // the ticket in English: measures from the library in English, times as ISO dates, a PDF in English
    await page.goto(FG_URL + '/tickets/' + tk.id);
    const ticket = await must('GET', '/tickets/' + tk.id);
    const m = ticket.measures.find((x) => x.risk_id && x.text_en);
    assert.ok(m, 'a library measure with its English');
    const measure = byId(page, 'measure-' + m.seq);
    await measure.waitFor({ state: 'visible' });
    assert.equal(await measure.locator('.measure-text').innerText(), m.text_en);
    assert.match(await byId(page, 'measure-state-' + m.seq).innerText(), /\d{4}-\d{2}-\d{2} \d{2}:\d{2}/);
    // risk badges (level 2 in white on orange) and muted text are readable (WCAG AA)
    const onTicket = await lowestContrast(page, '.badge, .risk, .muted');
    assert.ok(onTicket.some((x) => /risk-2/.test(x.cls)) || await page.locator('.risk-2').count() > 0, 'a level-2 risk on the ticket');
    assert.ok(onTicket[0].ratio >= 4.5, 'WCAG AA on the ticket: ' + JSON.stringify(onTicket));
    const [pdf] = await Promise.all([
      page.waitForResponse((r) => isApi(r, 'GET', `/tickets/${tk.id}/pdf`)),
      byId(page, 'ticket-print').tap(),
    ]);
    assert.equal(pdf.status(), 200);
    assert.equal(pdf.request().headers()['accept-language'].startsWith('en'), true);
    const link = byId(page, 'ticket-pdf-link');
    await link.waitFor({ state: 'attached' });
    assert.match(await link.getAttribute('href'), /^blob:/);
    const again = await fetch(FG_URL + `/api/v1/tickets/${tk.id}/pdf`, {
      headers: { Authorization: 'Bearer ' + p.leader.token, 'Accept-Language': pdf.request().headers()['accept-language'] } });
    assert.equal(again.status, 200);
    const text = pdfText(Buffer.from(await again.arrayBuffer()));
    assert.match(text, /Status: /);
    assert.ok(text.replace(/\s+/g, ' ').includes(m.text_en.slice(0, 20)));
    assert.deepEqual(problems, []);
  } finally {
    await context.close();
  }
});

test('phone: a job with no survey or briefing yet logs no console error; the crew sees whom to call and when', { timeout: TEST_TIMEOUT }, async () => {
  const p = await people();
  const team = await must('POST', '/org-units', { name: '走查二班' + TAG, kind: 'team' });
  const from = Date.parse(`${shanghaiDate(0)}T14:00:00+08:00`);
  const order = await must('POST', '/work-orders', { kind: 'lv_meter_install', site_address: '临澜市和平街 9 号' + TAG,
    contact_name: '李建国', contact_phone: '13812345678', appointment_from: from, appointment_to: from + 2 * 3600e3 });
  const draft = await must('POST', '/plans', { date: shanghaiDate(0), team_id: team.id, leader_id: p.leader.user.id,
    crew_ids: [p.crew.user.id], work_order_ids: [order.id] });
  const plan = await must('POST', `/plans/${draft.id}/actions/publish`, {});
  const { context, page, problems } = await newPage(browser, PHONE);
  try {
    await login(page, p.leader.user.username, API_PASSWORD, '/jobs');
    const errors = consoleErrors(page); // signed in: the login page's own session probe is not this test's
    const [survey] = await Promise.all([
      page.waitForResponse((r) => isApi(r, 'GET', `/plans/${plan.id}/survey`)),
      page.goto(FG_URL + '/jobs/' + plan.id),
    ]);
    assert.equal(survey.status(), 204, 'no survey yet is a normal state');
    await byId(page, 'flow-step-survey').waitFor({ state: 'visible' });
    await page.locator('[data-testid="job-detail"][data-loads="1"]').waitFor({ state: 'attached' });
    assert.deepEqual(errors, []);
    // the crew on the plan calls the customer: the whole number, dialable, and the window agreed
    const contact = byId(page, 'job-order-contact-' + order.number);
    assert.match(await contact.innerText(), /李建国/);
    assert.equal(await contact.locator('a.tel').getAttribute('href'), 'tel:13812345678');
    assert.match(await byId(page, 'job-order-appointment-' + order.number).innerText(), /14:00.*16:00/);
    assert.deepEqual(problems, []);
  } finally {
    await context.close();
  }
});

test('desk: a station without chargers says what to do; badges and muted text reach 4.5:1', { timeout: TEST_TIMEOUT }, async () => {
  const station = await must('POST', '/stations', { code: 'WALK' + TAG, name: '走查充电站' + TAG });
  const { context, page, problems } = await newPage(browser, DESK);
  try {
    await login(page, 'admin', process.env.FG_ADMIN_PASSWORD, '/charging');
    // the demo's chargers: connector dots and state counts in white on their colours
    await page.locator('.tile-dot').first().waitFor({ state: 'visible' });
    const onBoard = await lowestContrast(page, '.tile-dot, .status-pill, .badge, .muted');
    assert.ok(onBoard[0].ratio >= 4.5, 'WCAG AA on the charging board: ' + JSON.stringify(onBoard));
    await page.locator(`[data-testid="board-station"] option[value="${station.id}"]`).waitFor({ state: 'attached' });
    await byId(page, 'board-station').selectOption(station.id);
    const empty = byId(page, 'board-empty');
    await empty.waitFor({ state: 'visible' });
    assert.equal(await empty.innerText(), I18N.zh['charging.none_here']);

    await page.goto(FG_URL + '/orders');
    await byId(page, 'orders-table').waitFor({ state: 'visible' });
    const onOrders = await lowestContrast(page, '.badge, .muted, .field-hint, .cell-sub');
    assert.ok(onOrders.length > 0, 'badges on the page');
    assert.ok(onOrders[0].ratio >= 4.5, 'WCAG AA on the orders page: ' + JSON.stringify(onOrders));
    assert.deepEqual(problems, []);
  } finally {
    await context.close();
  }
});

// Browser test of the emergency mode and the drills (web/js/emergency.js, the banner in web/js/shell.js; issue 13
// items 5–6): a dispatcher declares an emergency over a department on the desk, sees what to prepare; a crew member
// on the phone sees the banner with its scope on every page; ended, the banner is gone. A safety manager records a
// drill's attendance by picking people. Screenshots: /tmp/fg-emergency-*.png.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { TAG, I18N, TEST_TIMEOUT, DESK, PHONE, FG_URL, fill, must, shanghaiDate, launch, newPage, byId, waitText, isApi, login } from './lib.mjs';

const PASSWORD = 'Emergency-pass-' + TAG + '7';
let browser;
const fx = {};

before(async () => {
  assert.ok(FG_URL, 'FG_URL must point at a running fieldgrid server');
  fx.dept = await must('POST', '/org-units', { name: '应急测试供电所' + TAG, kind: 'department' });
  fx.team = await must('POST', '/org-units', { name: '应急抢修班' + TAG, kind: 'team', parent_id: fx.dept.id });
  const person = (key, name, roles) => must('POST', '/users', {
    username: `em_${key}_${TAG}`, password: PASSWORD, display_name: name + TAG.slice(-4), roles, org_unit_id: fx.team.id,
  });
  fx.dispatcher = await person('disp', '调度', ['dispatcher']);
  fx.crew = await person('crew', '抢修工', ['crew']);
  fx.manager = await person('mgr', '安监经理', ['manager']);
  fx.attendee = await person('att', '演练队员', ['crew']);
  fx.leader = await person('ldr', '抢修负责人', ['leader']);
  browser = await launch();
});

after(async () => {
  if (browser) await browser.close();
});

test('desk and phone: a declared emergency shows its banner with its scope everywhere until it ends', { timeout: TEST_TIMEOUT }, async () => {
  const desk = await newPage(browser, DESK);
  const phone = await newPage(browser, PHONE);
  const title = '暴雨成批故障抢修' + TAG;
  let emergencyId;
  try {
    await login(desk.page, fx.dispatcher.username, PASSWORD, '/emergency');
    await byId(desk.page, 'emergency-declare').click();
    await byId(desk.page, 'declare-form').waitFor({ state: 'visible' });
    await byId(desk.page, 'declare-kind').selectOption('disaster_mass_faults');
    await byId(desk.page, 'declare-title').fill(title);
    await byId(desk.page, 'declare-areas-' + fx.dept.id).check();
    await byId(desk.page, 'declare-work-kinds-collection_fault').check();
    const [declared] = await Promise.all([
      desk.page.waitForResponse((r) => isApi(r, 'POST', '/emergencies')),
      byId(desk.page, 'declare-submit').click(),
    ]);
    assert.equal(declared.status(), 201, await declared.text());
    emergencyId = (await declared.json()).id;
    await desk.page.waitForURL((u) => u.pathname === '/emergency/' + emergencyId);
    // what to prepare, from the kind's expected faults
    await byId(desk.page, 'prepare-tools').locator('tbody tr').first().waitFor({ state: 'visible' });
    assert.ok(await byId(desk.page, 'prepare-parts').locator('tbody tr').count() > 0, 'spare parts listed');
    await waitText(desk.page, 'emergency-areas', fx.dept.name);
    // the banner on the desk, with the scope
    const item = byId(desk.page, 'emergency-banner-item').and(desk.page.locator(`[data-id="${emergencyId}"]`));
    await item.waitFor({ state: 'visible' });
    assert.ok((await item.textContent()).includes(title));
    await desk.page.screenshot({ path: '/tmp/fg-emergency-declared-desk.png', fullPage: true });

    // a repair sheet in place of the ticket inside the scope: the ticket says under which emergency
    const wo = await must('POST', '/work-orders', { kind: 'collection_fault', customer_name: '赵桂兰', site_address: '滨江路 12 号' });
    const plan = await must('POST', '/plans', { date: shanghaiDate(0), team_id: fx.team.id, leader_id: fx.leader.id, crew_ids: [fx.crew.id], work_order_ids: [wo.id] });
    await must('POST', `/plans/${plan.id}/actions/publish`, {});
    const ticket = await must('POST', '/tickets', { plan_id: plan.id, kind: 'QX' });
    await desk.page.goto(FG_URL + '/tickets/' + ticket.id);
    await waitText(desk.page, 'ticket-emergency-item', fill(I18N.zh['emergency.mark'], {
      number: ticket.emergency_relaxations[0].emergency_number, title, relaxation: I18N.zh['emergency.relax.qx_in_place_of_ticket'] }));

    // the crew member's phone: the banner over the day's jobs, with the area and the kind of work
    await login(phone.page, fx.crew.username, PASSWORD, '/jobs');
    const mine = byId(phone.page, 'emergency-banner-item').and(phone.page.locator(`[data-id="${emergencyId}"]`));
    await mine.waitFor({ state: 'visible' });
    const scope = await mine.locator('[data-testid="emergency-banner-scope"]').textContent();
    assert.ok(scope.includes(fx.dept.name), scope);
    assert.ok(scope.includes(I18N.zh['kind.collection_fault']), scope);
    await phone.page.screenshot({ path: '/tmp/fg-emergency-banner-phone.png', fullPage: true });

    // ended on the desk: the banner goes at the next page, and the review is due
    await desk.page.goto(FG_URL + '/emergency/' + emergencyId);
    await byId(desk.page, 'emergency-end').click();
    await byId(desk.page, 'end-dialog').waitFor({ state: 'visible' });
    const [ended] = await Promise.all([
      desk.page.waitForResponse((r) => isApi(r, 'POST', `/emergencies/${emergencyId}/actions/end`)),
      byId(desk.page, 'end-dialog-submit').click(),
    ]);
    assert.equal(ended.status(), 200, await ended.text());
    emergencyId = null;
    await waitText(desk.page, 'emergency-status', I18N.zh['emergency.status.review_due']);
    const endedId = (await ended.json()).id;
    await phone.page.reload();
    await phone.page.locator('[data-testid="emergency-banner"][data-loaded]').waitFor({ state: 'attached' });
    assert.equal(await phone.page.locator(`[data-testid="emergency-banner-item"][data-id="${endedId}"]`).count(), 0);
    assert.deepEqual(desk.problems.concat(phone.problems), []);
  } finally {
    if (emergencyId) await must('POST', `/emergencies/${emergencyId}/actions/end`, {});
    await desk.context.close();
    await phone.context.close();
  }
});

test('desk, manager: a drill on the calendar is recorded with its attendance picked from the people records', { timeout: TEST_TIMEOUT }, async () => {
  const plan = await must('POST', '/emergency-plans', { kind: 'charging_station_fire', title: '充电站火灾预案' + TAG, content: '急停、疏散、灭火、报警' });
  const drill = await must('POST', '/drills', { plan_id: plan.id, date: shanghaiDate(0), place: '临澜大道充电站', scenario: '充电桩冒烟起火' + TAG });
  const { context, page, problems } = await newPage(browser, DESK);
  try {
    await login(page, fx.manager.username, PASSWORD, '/drills');
    await byId(page, 'drill-row-' + drill.id).waitFor({ state: 'visible' });
    await byId(page, 'drill-row-' + drill.id).locator('a.row-open').click();
    await page.waitForURL((u) => u.pathname === '/drills/' + drill.id);
    await byId(page, 'drill-record-form').waitFor({ state: 'visible' });
    await byId(page, 'attendee-pick').selectOption(fx.attendee.id);
    await byId(page, 'attendee-pick').selectOption(fx.crew.id);
    await byId(page, 'attendee-present-' + fx.crew.id).uncheck();
    await byId(page, 'drill-findings-input').fill('灭火器取用用时偏长');
    await byId(page, 'improvement-text').fill('灭火器移至充电桩旁');
    await byId(page, 'improvement-owner').selectOption(fx.attendee.id);
    await byId(page, 'improvement-due').fill(shanghaiDate(30));
    const [rec] = await Promise.all([
      page.waitForResponse((r) => isApi(r, 'POST', `/drills/${drill.id}/actions/record`)),
      byId(page, 'drill-record-submit').click(),
    ]);
    assert.equal(rec.status(), 200, await rec.text());
    await waitText(page, 'drill-status', I18N.zh['emergency.status.recorded']);
    await waitText(page, 'attendee-' + fx.attendee.id, I18N.zh['drill.present_yes']);
    await waitText(page, 'attendee-' + fx.crew.id, I18N.zh['drill.present_no']);
    await page.screenshot({ path: '/tmp/fg-emergency-drill.png', fullPage: true });
    const got = await must('GET', '/drills/' + drill.id);
    assert.deepEqual(got.attendance.map((a) => [a.user_id, a.present]).sort(), [[fx.attendee.id, true], [fx.crew.id, false]].sort());
    assert.equal(got.improvements[0].owner_id, fx.attendee.id);
    assert.deepEqual(problems, []);
  } finally {
    await context.close();
  }
});

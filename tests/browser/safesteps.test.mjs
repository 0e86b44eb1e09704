// Browser test for issue 14 item 3 (safety steps that mean something), on phones (390 × 844): two crew members each
// confirm their attendance of the pre-shift meeting from their own session; a third, without a phone, signs on the
// leader's screen with a handwritten mark and their own password; the leader confirms a key risk point with its
// measures in one tap after taking its photo; the start's checks then pass. Fixtures (team, people, a published
// plan, its ticket permitted, every other risk point confirmed) through the API; names carry a per-run tag.
// Screenshots: /tmp/fg-safesteps-*.png.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { TAG, I18N, TEST_TIMEOUT, PHONE, FG_URL, ADMIN_PASSWORD, must, launch, newPage, byId, waitText, isApi, login, tokenOf } from './lib.mjs';

const PASSWORD = 'Safe-steps-' + TAG + '7';
let browser, jpeg;
const fx = {};
const today = () => new Date(Date.now() + 8 * 3600 * 1000).toISOString().slice(0, 10);

before(async () => {
  assert.ok(FG_URL && ADMIN_PASSWORD, 'FG_URL and FG_ADMIN_PASSWORD name a running server');
  fx.team = await must('POST', '/org-units', { name: '安全步骤班' + TAG, kind: 'team' });
  const person = (key, name, roles) => must('POST', '/users', {
    username: `ss_${key}_${TAG}`, password: PASSWORD, display_name: name + TAG.slice(-4), roles, org_unit_id: fx.team.id });
  fx.dispatcher = await person('disp', '调度', ['dispatcher']);
  fx.issuer = await person('iss', '签发人', ['issuer']);
  fx.permitter = await person('perm', '许可人', ['permitter']);
  fx.leader = await person('lead', '负责人', ['leader']);
  fx.crew1 = await person('c1', '班员甲', ['crew']);
  fx.crew2 = await person('c2', '班员乙', ['crew']);
  fx.crew3 = await person('c3', '班员丙', ['crew']);
  for (const k of ['issuer', 'permitter', 'leader']) fx[k].token = await tokenOf(fx[k].username, PASSWORD);
  browser = await launch();
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
});

after(async () => {
  if (browser) await browser.close();
});

/** A published plan for the leader and three crew, everyone qualified, its tools out; its ticket permitted (the
 * permitter ticked the measures), the meeting generated and held, every risk point but one key one confirmed. */
async function readyButSafety() {
  const crew = [fx.crew1, fx.crew2, fx.crew3];
  const order = await must('POST', '/work-orders', { kind: 'lv_meter_install', customer_name: '安全步骤客户' + TAG, site_address: `和平街${TAG}号`, meter_asset_no: 'SS' + TAG });
  const plan = await must('POST', '/plans', { date: today(), team_id: fx.team.id, leader_id: fx.leader.id, crew_ids: crew.map((u) => u.id), work_order_ids: [order.id] });
  await must('POST', `/plans/${plan.id}/actions/publish`, {});
  for (const u of [fx.leader, ...crew]) await must('POST', `/users/${u.id}/qualifications`, { kind: 'safety_exam', name: '安规考试', score: 90, issued_on: today() });
  const need = await must('GET', `/plans/${plan.id}/tools`);
  let n = 0;
  for (const k of need.needed) {
    const tool = await must('POST', '/tools', { asset_no: `SS-${TAG}-${++n}`, kind: k.kind, last_test_date: today(), last_test_result: 'pass' });
    await must('POST', `/tools/${tool.id}/actions/checkout`, { plan_id: plan.id });
  }
  let t = await must('POST', '/tickets', { plan_id: plan.id }, fx.leader.token);
  await must('POST', `/tickets/${t.id}/actions/issue`, { password: PASSWORD }, fx.issuer.token);
  await must('POST', `/tickets/${t.id}/actions/receive`, { password: PASSWORD }, fx.leader.token);
  for (const m of t.measures) await must('POST', `/tickets/${t.id}/measures/${m.id}/actions/confirm`, {}, fx.permitter.token);
  t = await must('POST', `/tickets/${t.id}/actions/permit`, { password: PASSWORD, permit_method: 'onsite' }, fx.permitter.token);
  const key = t.risks.find((r) => r.evidence === 'photo');
  assert.ok(key, 'an LV meter job has a key risk point (data/kb/risks.json)');
  for (const r of t.risks.filter((x) => x.id !== key.id && !x.evidence)) {
    await must('POST', `/tickets/${t.id}/risks/${r.id}/actions/confirm`, { measure_ids: t.measures.filter((m) => m.risk_id === r.risk_id).map((m) => m.id) }, fx.leader.token);
  }
  // other key risk points: confirmed with a photo through the API; the UI confirms the first one
  for (const r of t.risks.filter((x) => x.id !== key.id && x.evidence)) {
    const res = await fetch(`${FG_URL}/api/v1/attachments?entity=ticket&entity_id=${t.id}&filename=k.jpg`, {
      method: 'POST', headers: { authorization: `Bearer ${fx.leader.token}`, 'content-type': 'image/jpeg' }, body: jpeg });
    assert.equal(res.status, 201);
    await must('POST', `/tickets/${t.id}/risks/${r.id}/actions/confirm`, { measure_ids: t.measures.filter((m) => m.risk_id === r.risk_id).map((m) => m.id),
      evidence_id: (await res.json()).id }, fx.leader.token);
  }
  await must('POST', `/plans/${plan.id}/briefing`, {}, fx.leader.token);
  await must('POST', `/plans/${plan.id}/briefing/actions/hold`, {}, fx.leader.token);
  return { plan, ticket: t, key };
}

async function openStep(page, planId, id) {
  await page.goto(FG_URL + '/jobs/' + planId);
  await byId(page, 'flow-step-' + id).tap();
  await byId(page, 'flow-panel-' + id).waitFor({ state: 'visible' });
}

async function assertFitsWidth(page, what) {
  const { sw, w } = await page.evaluate(() => ({ sw: document.documentElement.scrollWidth, w: window.innerWidth }));
  assert.ok(sw <= w, `${what}: page is ${sw}px wide in a ${w}px viewport`);
}

test('phones: each crew member confirms attendance on their own; one signs on the leader\'s screen; the leader confirms a key risk with its photo; start', { timeout: TEST_TIMEOUT }, async () => {
  const zh = I18N.zh;
  const { plan, ticket, key } = await readyButSafety();

  // ------------------------------------------------ two crew members, each on their own phone
  for (const who of [fx.crew1, fx.crew2]) {
    const { context, page, problems } = await newPage(browser, PHONE);
    try {
      await login(page, who.username, PASSWORD, '/jobs/' + plan.id);
      await openStep(page, plan.id, 'briefing');
      await waitText(page, 'briefing-own-hint', zh['briefing.own_hint'].slice(0, 8));
      await byId(page, 'briefing-where-place').fill('和平街' + TAG + '号');
      const [r] = await Promise.all([page.waitForResponse((x) => isApi(x, 'POST', `/plans/${plan.id}/briefing/actions/sign`)), byId(page, 'briefing-sign').tap()]);
      assert.equal(r.status(), 200, JSON.stringify(await r.json()));
      const body = JSON.parse(r.request().postData());
      assert.equal(body.user_id, undefined, 'one\'s own confirmation names nobody else');
      assert.equal(body.place, '和平街' + TAG + '号');
      const mine = (await r.json()).attendance.find((a) => a.user_id === who.id);
      assert.equal(mine.method, 'own_device');
      assert.equal(mine.recorded_by, who.id);
      await waitText(page, 'briefing-how-' + who.id, zh['briefing.method.own_device']);
      assert.equal(await byId(page, 'briefing-sign').count(), 0, 'confirmed once');
      assert.equal(await page.locator('[data-testid^="briefing-onscreen-"]').count(), 0, 'a crew member signs nobody else in');
      await assertFitsWidth(page, 'crew briefing');
      await page.screenshot({ path: `/tmp/fg-safesteps-crew-${who === fx.crew1 ? 1 : 2}.png` });
      assert.deepEqual(problems, []);
    } finally {
      await context.close();
    }
  }

  // ------------------------------------------------ the leader: the briefing's state, own confirmation, crew 3 on this screen
  const { context, page, problems } = await newPage(browser, PHONE);
  try {
    await login(page, fx.leader.username, PASSWORD, '/jobs/' + plan.id);
    await openStep(page, plan.id, 'briefing');
    for (const c of [fx.crew1, fx.crew2]) await waitText(page, 'briefing-how-' + c.id, zh['briefing.method.own_device']);
    await waitText(page, 'briefing-member-' + fx.crew3.id, zh['briefing.waiting']);
    await waitText(page, 'briefing-member-' + fx.leader.id, zh['briefing.waiting']);
    let [r] = await Promise.all([page.waitForResponse((x) => isApi(x, 'POST', `/plans/${plan.id}/briefing/actions/sign`)), byId(page, 'briefing-sign').tap()]);
    assert.equal(r.status(), 200);
    await waitText(page, 'briefing-how-' + fx.leader.id, zh['briefing.method.own_device']);
    // crew 3 has no phone: their mark on the pad and their own password, on the leader's screen
    await byId(page, 'briefing-onscreen-' + fx.crew3.id).tap();
    await byId(page, 'onscreen-dialog').waitFor({ state: 'visible' });
    const pad = byId(page, 'onscreen-pad');
    await pad.scrollIntoViewIfNeeded();
    const box = await pad.boundingBox();
    await page.mouse.move(box.x + 20, box.y + box.height / 2);
    await page.mouse.down();
    for (let i = 1; i <= 12; i++) await page.mouse.move(box.x + 20 + i * (box.width - 40) / 12, box.y + box.height / 2 + (i % 2 ? -20 : 20));
    await page.mouse.up();
    // a wrong password is refused and nothing is recorded; the dialog stays
    await byId(page, 'onscreen-dialog-password').fill('Not-the-password-1');
    [r] = await Promise.all([page.waitForResponse((x) => isApi(x, 'POST', `/plans/${plan.id}/briefing/actions/sign`)), byId(page, 'onscreen-dialog-submit').click()]);
    assert.equal(r.status(), 403);
    assert.equal((await r.json()).error.code, 'reauth_failed');
    await byId(page, 'onscreen-dialog-error').filter({ hasText: /\S/ }).waitFor({ state: 'visible' });
    await page.screenshot({ path: '/tmp/fg-safesteps-onscreen.png' });
    await byId(page, 'onscreen-dialog-password').fill(PASSWORD);
    [r] = await Promise.all([page.waitForResponse((x) => isApi(x, 'POST', `/plans/${plan.id}/briefing/actions/sign`)), byId(page, 'onscreen-dialog-submit').click()]);
    assert.equal(r.status(), 200, JSON.stringify(await r.json()));
    const sent = JSON.parse(r.request().postData());
    assert.equal(sent.user_id, fx.crew3.id);
    assert.ok(sent.signature_id, 'the handwritten mark went as a PNG attachment');
    const a3 = (await r.json()).attendance.find((a) => a.user_id === fx.crew3.id);
    assert.equal(a3.method, 'leader_screen');
    assert.equal(a3.recorded_by, fx.leader.id);
    await waitText(page, 'briefing-how-' + fx.crew3.id, zh['briefing.method.leader_screen'].replace('{name}', fx.leader.display_name));
    await waitText(page, 'briefing-missing', zh['briefing.all_signed']);
    await assertFitsWidth(page, 'leader briefing');
    await page.screenshot({ path: '/tmp/fg-safesteps-briefing.png' });

    // ------------------------------------------------ the key risk point: one card, its measures, the photo first, one tap
    await byId(page, 'flow-step-risks').tap();
    await byId(page, 'flow-panel-risks').waitFor({ state: 'visible' });
    const card = byId(page, 'risk-' + key.seq);
    assert.equal(await card.getAttribute('data-evidence'), 'photo');
    await waitText(page, 'risk-key-' + key.seq, key.evidence_zh);
    const shown = await card.locator('li.measure').evaluateAll((els) => els.map((e) => e.dataset.id));
    assert.deepEqual(shown, ticket.measures.filter((m) => m.risk_id === key.risk_id).map((m) => m.id), 'the risk point\'s measures on its card');
    assert.ok(await byId(page, 'risk-confirm-' + key.seq).isDisabled(), 'no confirmation of a key risk before its photo');
    await waitText(page, 'risk-photo-needed-' + key.seq, zh['risk.photo_needed']);
    const up = page.waitForResponse((x) => isApi(x, 'POST', '/attachments'));
    await byId(page, 'risk-photo-' + key.seq + '-input').setInputFiles({ name: 'key.jpg', mimeType: 'image/jpeg', buffer: jpeg });
    const photo = await (await up).json();
    await byId(page, 'risk-pending-' + key.seq).waitFor({ state: 'visible' });
    await byId(page, 'risks-where-place').fill('1 号表箱' + TAG);
    await byId(page, 'risk-confirm-' + key.seq).scrollIntoViewIfNeeded();
    await assertFitsWidth(page, 'risks');
    await page.screenshot({ path: '/tmp/fg-safesteps-key-risk.png' });
    [r] = await Promise.all([page.waitForResponse((x) => isApi(x, 'POST', `/tickets/${ticket.id}/risks/${key.id}/actions/confirm`)), byId(page, 'risk-confirm-' + key.seq).tap()]);
    assert.equal(r.status(), 200, JSON.stringify(await r.json()));
    const cb = JSON.parse(r.request().postData());
    assert.equal(cb.evidence_id, photo.id);
    assert.deepEqual(cb.measure_ids, shown, 'one confirmation for the risk point and every measure on its card');
    assert.equal(cb.place, '1 号表箱' + TAG);
    const kr = (await r.json()).risks.find((x) => x.id === key.id);
    assert.equal(kr.evidence_id, photo.id);
    assert.equal(kr.confirm_place, '1 号表箱' + TAG);
    await waitText(page, 'risk-state-' + key.seq, fx.leader.display_name);
    await waitText(page, 'risk-where-' + key.seq, '1 号表箱' + TAG);
    await byId(page, 'risk-evidence-' + key.seq).locator('img').first().waitFor({ state: 'visible' });
    const rp = byId(page, 'ticket-risks-progress');
    assert.equal(await rp.getAttribute('data-done'), await rp.getAttribute('data-total'));
    await page.screenshot({ path: '/tmp/fg-safesteps-risks-done.png' });

    // ------------------------------------------------ the same in English: the key risk's badge and what its photo shows, how each member confirmed
    const en = I18N.en;
    await byId(page, 'user-menu').click();
    await byId(page, 'lang-en').click();
    await waitText(page, 'flow-step-risks', en['flow.step.risks'] || 'Risk');
    await byId(page, 'flow-step-risks').tap();
    await waitText(page, 'risk-key-' + key.seq, en['risk.key']);
    await waitText(page, 'risk-key-' + key.seq, key.evidence_en);
    await byId(page, 'flow-step-briefing').tap();
    await waitText(page, 'briefing-how-' + fx.crew1.id, en['briefing.method.own_device']);
    await waitText(page, 'briefing-how-' + fx.crew3.id, en['briefing.method.leader_screen'].replace('{name}', fx.leader.display_name));
    await assertFitsWidth(page, 'briefing in English');
    await page.screenshot({ path: '/tmp/fg-safesteps-briefing-en.png' });

    // ------------------------------------------------ every check of the start passes; the job starts
    await byId(page, 'flow-step-start').tap();
    await byId(page, 'flow-panel-start').waitFor({ state: 'visible' });
    for (const k of ['ticket', 'briefing', 'risks']) assert.equal(await byId(page, 'start-check-' + k).getAttribute('data-ok'), '1', k);
    [r] = await Promise.all([page.waitForResponse((x) => isApi(x, 'POST', `/plans/${plan.id}/actions/start`)), byId(page, 'flow-start').tap()]);
    assert.equal(r.status(), 200, JSON.stringify(await r.json()));
    assert.deepEqual(problems, []);
  } finally {
    await context.close();
  }
});

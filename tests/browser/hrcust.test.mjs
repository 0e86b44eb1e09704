// Browser test for the important customers' ledger and the safety check on the phone (web/js/hrcust.js; issue 13
// items 1–2): a crew member of the 用电检查 team opens a generated check from the list at phone size, records each
// item (one hazard found with a note and a photo), finishes it and sees the finding; a customer manager at the desk
// finds the customer in the ledger by grade, with its flag and its next check, and enters another registry customer
// into the ledger by its number. The hazard the check found is then on the hazard board: the crew opens it from the
// finding, issues the notice and the customer signs for it on the canvas pad. Screenshots: /tmp/fg-hrcust-*.png.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { TAG, I18N, TEST_TIMEOUT, PHONE, DESK, FG_URL, must, launch, newPage, byId, waitText, isApi, login } from './lib.mjs';

const PASSWORD = 'Hrcust-pass-' + TAG + '7';
const PNG = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.from('interlock photo')]);
const USCC_SET = '0123456789ABCDEFGHJKLMNPQRTUWXY';
const USCC_W = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];
const uscc = (s17) => {
  const c = 31 - ([...s17].reduce((a, ch, i) => a + USCC_SET.indexOf(ch) * USCC_W[i], 0) % 31);
  return s17 + USCC_SET[c === 31 ? 0 : c];
};
let browser;
const fx = {};

before(async () => {
  assert.ok(FG_URL, 'FG_URL must point at a running fieldgrid server');
  const team = await must('POST', '/org-units', { name: '用电检查' + TAG, kind: 'team' });
  fx.crew = await must('POST', '/users', { username: `hr_crew_${TAG}`, password: PASSWORD, display_name: '检查' + TAG.slice(-4), roles: ['crew'], org_unit_id: team.id });
  fx.cm = await must('POST', '/users', { username: `hr_cm_${TAG}`, password: PASSWORD, display_name: '客户经理' + TAG.slice(-4), roles: ['customer_manager'], org_unit_id: team.id });
  fx.customer = await must('POST', '/customers', { kind: 'enterprise', name: '临澜数据港' + TAG, id_type: 'uscc',
    id_number: uscc(`91330100MB${String(Date.now() % 1e7).padStart(7, '0')}`), org_unit_id: team.id,
    contacts: [{ name: '赵主任', phone: '13900001111', role: '电气负责人' }] });
  fx.entry = await must('POST', '/safety-customers', { customer_id: fx.customer.id, grade: 'first', voltage_level: '35kV',
    sources: [{ name: '滨江I线', substation: '滨江变' }], last_checked_on: '2026-01-05',
    electricians: [{ name: '钱进', phone: '13700002222', qualification: '高压电工作业', valid_until: '2030-01-01' }] });
  fx.other = await must('POST', '/customers', { kind: 'enterprise', name: '临澜冷库' + TAG, id_type: 'uscc',
    id_number: uscc(`91330100MC${String((Date.now() + 7) % 1e7).padStart(7, '0')}`), org_unit_id: team.id,
    contacts: [{ name: '孙经理', phone: '13900002222' }] });
  await must('POST', '/safety-checks/actions/generate', { on: '2026-03-20' });
  const list = await must('GET', `/safety-checks?customer_id=${fx.customer.id}`);
  fx.check = list.items.find((k) => k.due_on === '2026-04-05');
  assert.ok(fx.check, 'the 一级 check three months after 2026-01-05 was generated');
  browser = await launch();
});

after(async () => { if (browser) await browser.close(); });

test('phone: run a safety check item by item, a hazard with its photo, finish', { timeout: TEST_TIMEOUT }, async () => {
  const { context, page, problems } = await newPage(browser, PHONE);
  try {
    await login(page, fx.crew.username, PASSWORD, '/safety-checks');
    await byId(page, 'hrk-link-' + fx.check.id).click();
    await page.waitForURL((u) => u.pathname === '/safety-checks/' + fx.check.id);
    const full = await must('GET', '/safety-checks/' + fx.check.id);
    const n = full.items.length;
    assert.ok(full.items.some((i) => i.code === 'hv_secondary'), 'a 35 kV customer: the ≥35 kV items');
    await waitText(page, 'hrc-progress', `0/${n}`);

    const hz = byId(page, 'hrc-item-anti_backfeed');
    await hz.locator('[data-testid="result-hazard"]').click();
    await hz.locator('[data-testid="note"]').fill('发电机与市电切换柜无机械闭锁');
    await hz.locator('input[type="file"]').setInputFiles({ name: 'interlock.png', mimeType: 'image/png', buffer: PNG });
    await hz.locator('[data-testid$="-thumb"]').first().waitFor({ state: 'attached' });
    await page.screenshot({ path: '/tmp/fg-hrcust-phone-hazard.png', fullPage: true });
    await hz.locator('[data-testid="item-save"]').click();
    await byId(page, 'hrc-item-anti_backfeed').and(page.locator('[data-result="hazard"]')).waitFor({ state: 'visible' });
    await waitText(page, 'hrc-status', I18N.zh['hr.check.status.in_progress']);

    for (const it of full.items.filter((i) => i.code !== 'anti_backfeed')) {
      const card = byId(page, 'hrc-item-' + it.code);
      await card.locator(`[data-testid="result-${it.code === 'preventive_tests' ? 'na' : 'ok'}"]`).click();
      await card.locator('[data-testid="item-save"]').click();
      await byId(page, 'hrc-item-' + it.code).and(page.locator(`[data-result="${it.code === 'preventive_tests' ? 'na' : 'ok'}"]`)).waitFor({ state: 'visible' });
    }
    await waitText(page, 'hrc-progress', `${n}/${n}`);
    await waitText(page, 'hrc-hazards', '1');
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    assert.ok(overflow <= 1, `no horizontal scroll on a phone (${overflow}px)`);
    assert.ok(!(await byId(page, 'hrc-list').innerText()).includes('null'), 'no stray null in the cards');

    await byId(page, 'hrc-summary').fill('切换柜闭锁缺失，已告知客户电气负责人');
    await byId(page, 'hrc-finish').click();
    await byId(page, 'hrc-status').and(page.locator('[data-status="done"]')).waitFor({ state: 'visible' });
    await waitText(page, 'hrc-findings', '发电机与市电切换柜无机械闭锁');
    await page.screenshot({ path: '/tmp/fg-hrcust-phone-done.png', fullPage: true });

    const k = await must('GET', '/safety-checks/' + fx.check.id);
    assert.equal(k.status, 'done');
    assert.equal(k.findings.length, 1);
    assert.equal(k.findings[0].item_code, 'anti_backfeed');
    assert.equal(k.findings[0].photo_ids.length, 1);
    assert.equal(k.summary, '切换柜闭锁缺失，已告知客户电气负责人');
    const wo = await must('GET', '/work-orders/' + k.work_order_id);
    assert.equal(wo.status, 'done');

    // the finding is a customer-side hazard: from the check to its notice and the customer's signature
    const link = byId(page, 'hrc-hazard-anti_backfeed');
    await link.waitFor();
    const [found] = (await must('GET', `/hazards?customer_id=${fx.customer.id}`)).items.filter((x) => x.check_id === fx.check.id);
    assert.ok(found, 'the hazard the check found');
    await link.click();
    await page.waitForURL((u) => u.pathname === '/hazards/' + found.id);
    await page.locator('[data-testid="hz-status"][data-status="open"]').waitFor();
    await Promise.all([page.waitForResponse((r) => isApi(r, 'POST', `/hazards/${found.id}/actions/issue_notice`) && r.status() === 200),
      byId(page, 'hz-action-issue_notice').click()]);
    await byId(page, 'hz-step-sign').waitFor();
    await byId(page, 'hz-sign-name').fill('赵主任');
    const pad = byId(page, 'hz-sign-pad');
    await pad.scrollIntoViewIfNeeded();
    const box = await pad.boundingBox();
    await page.mouse.move(box.x + 20, box.y + box.height / 2);
    await page.mouse.down();
    for (let i = 1; i <= 10; i++) await page.mouse.move(box.x + 20 + i * (box.width - 40) / 10, box.y + box.height / 2 + (i % 2 ? -20 : 20));
    await page.mouse.up();
    await byId(page, 'hz-sign-place').fill('临澜数据港配电室');
    await Promise.all([page.waitForResponse((r) => isApi(r, 'POST', '/attachments') && r.status() === 201),
      byId(page, 'hz-sign-holding-input').setInputFiles({ name: 'holding.png', mimeType: 'image/png', buffer: PNG })]);
    await byId(page, 'hz-sign-holding-thumb').first().waitFor();
    const [signed] = await Promise.all([page.waitForResponse((r) => isApi(r, 'POST', `/hazards/${found.id}/actions/sign`)), byId(page, 'hz-action-sign').click()]);
    assert.equal(signed.status(), 200, await signed.text());
    await page.locator('[data-testid="hz-status"][data-status="signed"]').waitFor();
    await page.screenshot({ path: '/tmp/fg-hrcust-phone-signed.png', fullPage: true });
    const got = await must('GET', '/hazards/' + found.id);
    assert.deepEqual([got.status, got.signer_name, got.sign_place, got.check_id], ['signed', '赵主任', '临澜数据港配电室', fx.check.id]);
    assert.ok(got.signature_id && got.holding_photo_id, 'the drawn signature and the photo of the signer holding the notice are kept');
    assert.deepEqual(problems, []);
  } finally {
    await context.close();
  }
});

test('desk: the ledger by grade, the flag and the next check; the entry with its sources and electricians', { timeout: TEST_TIMEOUT }, async () => {
  const { context, page, problems } = await newPage(browser, DESK);
  try {
    await login(page, fx.cm.username, PASSWORD, '/safety-customers');
    await byId(page, 'hr-table').waitFor({ state: 'visible' });
    await byId(page, 'hr-filter-grade').selectOption('first');
    const row = byId(page, 'hr-' + fx.customer.id);
    await row.waitFor({ state: 'visible' });
    assert.ok((await row.innerText()).includes(I18N.zh['hr.flag.supply_rule_unmet']), 'one source for 一级: flagged');
    await page.screenshot({ path: '/tmp/fg-hrcust-desk-ledger.png', fullPage: true });
    await byId(page, 'hr-link-' + fx.customer.id).click();
    await page.waitForURL((u) => u.pathname === '/safety-customers/' + fx.customer.id);
    await waitText(page, 'hr-grade', I18N.zh['hr.grade.first']);
    await waitText(page, 'hr-sources', '滨江变');
    await waitText(page, 'hr-electricians', '13700002222');
    await waitText(page, 'hr-entry-checks', fx.check.number);
    await page.screenshot({ path: '/tmp/fg-hrcust-desk-entry.png', fullPage: true });
    // a customer of the registry enters the ledger by its number
    await byId(page, 'hr-tab-ledger').click();
    await byId(page, 'hr-add').click();
    await byId(page, 'hr-add-dialog-customer_id').fill(fx.other.number);
    await byId(page, 'hr-add-dialog-grade').selectOption('second');
    await byId(page, 'hr-add-dialog-submit').click();
    await page.waitForURL((u) => u.pathname === '/safety-customers/' + fx.other.id);
    await waitText(page, 'hr-grade', I18N.zh['hr.grade.second']);
    const entry = await must('GET', '/safety-customers/' + fx.other.id);
    assert.equal(entry.grade, 'second');
    assert.equal(entry.voltage_level, '10kV');
    assert.deepEqual(problems, []);
  } finally {
    await context.close();
  }
});

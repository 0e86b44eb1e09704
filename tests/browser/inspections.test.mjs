// Browser test for the inspection checklist (web/js/inspections.js, R4.3/R4.12) on a phone viewport: an O&M
// engineer opens a generated inspection, records each item (pass with a meter reading, fail with a note, a severity
// and a photo), the failed item becomes a defect shown on the card and on its own page, and finishing records the
// staff. Screenshots: /tmp/fg-inspections-*.png.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { TAG, I18N, TEST_TIMEOUT, PHONE, FG_URL, must, launch, newPage, byId, waitText, login } from './lib.mjs';

const PASSWORD = 'Inspect-pass-' + TAG + '7';
const PNG = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.from('gun photo')]);
let browser;
const fx = {};

before(async () => {
  assert.ok(FG_URL, 'FG_URL must point at a running fieldgrid server');
  fx.eng = await must('POST', '/users', { username: `in_eng_${TAG}`, password: PASSWORD, display_name: '巡检' + TAG.slice(-4), roles: ['om_engineer'] });
  fx.station = await must('POST', '/stations', { code: 'IS-' + TAG, name: '湖滨公共充电站' + TAG });
  fx.charger = await must('POST', '/chargers', { charge_point_id: 'IN-' + TAG, kind: 'ac', payment: 'qr', station_id: fx.station.id });
  fx.plan = await must('POST', `/stations/${fx.station.id}/inspection-plans`, { kind: 'patrol_monthly', checklist: [
    { code: 'signage_bay', text_zh: '标识标牌齐全，车位无占用、无积水', text_en: 'Signs in place; bays clear', applies: 'station' },
    { code: 'gun_cable', text_zh: '充电枪、线缆无破损，枪座归位良好', text_en: 'Guns and cables undamaged', applies: 'charger' },
    { code: 'meter_vs_platform', text_zh: '电能表读数与平台记录一致', text_en: 'Meter reading matches the platform', applies: 'charger', unit: 'kWh' },
  ] });
  await must('POST', '/inspections/actions/run', { at: Date.UTC(2033, 0, 10) });
  const list = await must('GET', `/inspections?station_id=${fx.station.id}`);
  fx.insp = list.items.find((i) => i.period === '2033-01');
  assert.ok(fx.insp, 'the January 2033 patrol was generated');
  browser = await launch();
});

after(async () => { if (browser) await browser.close(); });

test('phone: record a checklist, a failed item becomes a defect, finish the visit', { timeout: TEST_TIMEOUT }, async () => {
  const { context, page, problems } = await newPage(browser, PHONE);
  try {
    await login(page, fx.eng.username, PASSWORD, '/charging/inspections');
    await byId(page, 'insp-link-' + fx.insp.id).click();
    await page.waitForURL((u) => u.pathname === '/charging/inspections/' + fx.insp.id);
    await waitText(page, 'insp-progress', '0/3');
    const cp = fx.charger.charge_point_id;

    const station = byId(page, 'item-signage_bay-station');
    await station.locator('[data-testid="result-pass"]').click();
    await station.locator('[data-testid="item-save"]').click();
    await byId(page, 'item-signage_bay-station').and(page.locator('[data-result="pass"]')).waitFor({ state: 'visible' });

    const meter = byId(page, 'item-meter_vs_platform-' + cp);
    await meter.locator('[data-testid="result-pass"]').click();
    await meter.locator('[data-testid="reading"]').fill('10234.5');
    await meter.locator('[data-testid="item-save"]').click();
    await byId(page, 'item-meter_vs_platform-' + cp).and(page.locator('[data-result="pass"]')).waitFor({ state: 'visible' });

    const gun = byId(page, 'item-gun_cable-' + cp);
    await gun.locator('[data-testid="result-fail"]').click();
    await gun.locator('[data-testid="severity"]').selectOption('serious');
    await gun.locator('[data-testid="note"]').fill('枪线外皮开裂，露出屏蔽层');
    await gun.locator('input[type="file"]').setInputFiles({ name: 'gun.png', mimeType: 'image/png', buffer: PNG });
    await gun.locator('.thumbs img, .thumbs .thumb, [data-testid$="-thumb"]').first().waitFor({ state: 'attached' });
    await page.screenshot({ path: '/tmp/fg-inspections-phone-fail.png', fullPage: true });
    await gun.locator('[data-testid="item-save"]').click();
    const failed = byId(page, 'item-gun_cable-' + cp).and(page.locator('[data-result="fail"]'));
    await failed.waitFor({ state: 'visible' });
    await failed.locator('[data-testid="item-defect"]').waitFor({ state: 'visible' });
    await waitText(page, 'insp-progress', '3/3');
    assert.ok(!(await byId(page, 'check-list').innerText()).includes('null'), 'no stray null in the cards');
    // nothing overflows the phone's width
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    assert.ok(overflow <= 1, `no horizontal scroll on a phone (${overflow}px)`);

    await byId(page, 'finish-staff').fill('巡检' + TAG.slice(-4) + '、张工');
    await byId(page, 'insp-finish').click();
    await byId(page, 'insp-status').and(page.locator('[data-status="done"]')).waitFor({ state: 'visible' });
    await page.screenshot({ path: '/tmp/fg-inspections-phone-done.png', fullPage: true });

    // the defect, from the card
    await failed.locator('[data-testid="item-defect"] a').click();
    await page.waitForURL((u) => u.pathname.startsWith('/charging/defects/'));
    await waitText(page, 'defect-state', I18N.zh['defect.status.open']);
    await byId(page, 'defect-photos').waitFor({ state: 'visible' });
    const id = decodeURIComponent(new URL(page.url()).pathname.split('/').pop());
    const d = await must('GET', '/defects/' + id);
    assert.equal(d.severity, 'serious');
    assert.equal(d.charger_id, fx.charger.id);
    assert.equal(d.photos.length, 1);
    assert.ok(d.description.includes('枪线外皮开裂'));
    const insp = await must('GET', '/inspections/' + fx.insp.id);
    assert.equal(insp.status, 'done');
    assert.equal(insp.items.find((i) => i.code === 'meter_vs_platform').reading, '10234.5');
    assert.ok(insp.staff.includes('张工'));
    await page.screenshot({ path: '/tmp/fg-inspections-phone-defect.png', fullPage: true });
    // the defects tab: the list and the yearly analysis with its chart
    await page.goto(FG_URL + '/charging/defects');
    await byId(page, 'defects-table').waitFor({ state: 'visible' });
    await byId(page, 'analysis-chart').waitFor({ state: 'visible' });
    assert.ok(Number(await byId(page, 'analysis-total').innerText()) >= 1);
    await page.screenshot({ path: '/tmp/fg-inspections-phone-analysis.png', fullPage: true });
    // the station page (equipment, plans), the list of inspections, a firmware campaign's progress page
    await page.goto(FG_URL + '/charging/stations/' + fx.station.id);
    await byId(page, 'equipment-table').waitFor({ state: 'visible' });
    await byId(page, 'plans-table').waitFor({ state: 'visible' });
    await page.goto(FG_URL + '/charging/inspections');
    await byId(page, 'insp-table').waitFor({ state: 'visible' });
    const camp = await must('POST', '/firmware-campaigns', { location: 'https://fw.example.cn/ac7-1.2.bin', retrieve_at: Date.now(), station_id: fx.station.id });
    await page.goto(FG_URL + '/charging/firmware/' + camp.id);
    await byId(page, 'campaign-status').and(page.locator('[data-status="done"]')).waitFor({ state: 'visible' });
    await byId(page, 'fw-' + fx.charger.charge_point_id).waitFor({ state: 'visible' });
    await waitText(page, 'fw-' + fx.charger.charge_point_id, I18N.zh['firmware.state.send_failed']);
    await page.screenshot({ path: '/tmp/fg-inspections-phone-firmware.png', fullPage: true });
    assert.deepEqual(problems, []);
  } finally {
    await context.close();
  }
});

// Browser test for customer hazards (web/js/hazards.js; issue 13 items 3 and 8, R2.9–R2.11): on a phone, a crew
// member records a hazard with a photo against a customer found by name, issues the notice, shows it, and the
// customer signs on the canvas pad (drawn with the mouse), with name, place and the photo of the signer holding the
// notice; the receipt is then in the notice PDF. At the desk, the board highlights overdue hazards and draws the
// year's chart. Fixtures through the API as admin (users hz_<key>_<tag>). Screenshots: /tmp/fg-hazards-*.png.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { TAG, I18N, TEST_TIMEOUT, DESK, PHONE, FG_URL, must, api, launch, newPage, byId, waitText, isApi, login, tokenOf } from './lib.mjs';

const PASSWORD = 'Hazard-pass-' + TAG + '7';
const JPEG = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.from('fieldgrid holding the notice')]);
let browser;
const fx = {};

function uscc(n) {
  const chars = '0123456789ABCDEFGHJKLMNPQRTUWXY', w = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];
  const body = `91350100M${String(n).padStart(8, '0')}`;
  let s = 0;
  for (let i = 0; i < 17; i++) s += chars.indexOf(body[i]) * w[i];
  return body + chars[(31 - (s % 31)) % 31];
}

before(async () => {
  assert.ok(FG_URL, 'FG_URL must point at a running fieldgrid server');
  const person = (key, name, roles) => must('POST', '/users', { username: `hz_${key}_${TAG}`, password: PASSWORD, display_name: name + TAG.slice(-4), roles });
  fx.crew = await person('crew', '检查员', ['crew']);
  fx.mgr = await person('mgr', '主任', ['manager']);
  fx.name = `浏览器测试${TAG}五金厂`;
  fx.customer = await must('POST', '/customers', { kind: 'enterprise', name: fx.name, id_type: 'uscc', id_number: uscc(Date.now() % 1e8),
    contacts: [{ name: '林电工', phone: '13912345678' }] });
  browser = await launch();
});

after(async () => {
  if (browser) await browser.close();
});

test('phone: record a hazard with a photo, issue the notice, the customer signs on the canvas pad', { timeout: TEST_TIMEOUT }, async () => {
  const zh = I18N.zh;
  const { page, problems } = await newPage(browser, PHONE);
  try {
    await login(page, fx.crew.username, PASSWORD, '/hazards/new');
    await byId(page, 'hz-new-form').waitFor();
    await Promise.all([page.waitForResponse((r) => isApi(r, 'GET', '/hazards/customers')), byId(page, 'hz-new-customer-q').fill(fx.name)]);
    await page.waitForFunction((id) => document.querySelector('[data-testid="hz-new-customer"]').value === id, fx.customer.id);
    await byId(page, 'hz-new-kind').selectOption('interlock');
    await byId(page, 'hz-new-side').selectOption('customer');
    await byId(page, 'hz-new-location').fill('1号配电室 自备发电机');
    await byId(page, 'hz-new-description').fill('自备发电机未装防倒送电闭锁');
    await Promise.all([page.waitForResponse((r) => isApi(r, 'POST', '/attachments') && r.status() === 201),
      byId(page, 'hz-new-photos-input').setInputFiles({ name: 'site.jpg', mimeType: 'image/jpeg', buffer: JPEG })]);
    await byId(page, 'hz-new-photos-thumb').first().waitFor();
    const [created] = await Promise.all([page.waitForResponse((r) => isApi(r, 'POST', '/hazards')), byId(page, 'hz-new-submit').click()]);
    assert.equal(created.status(), 201);
    const hz = await created.json();
    assert.equal(hz.photos.length, 1);
    await waitText(page, 'hz-number', hz.number);
    await waitText(page, 'hz-status', zh['hz.state.open'] || '待处理');
    await page.screenshot({ path: '/tmp/fg-hazards-recorded.png' });

    await Promise.all([page.waitForResponse((r) => isApi(r, 'POST', `/hazards/${hz.id}/actions/issue_notice`) && r.status() === 200),
      byId(page, 'hz-action-issue_notice').click()]);
    await byId(page, 'hz-step-sign').waitFor();
    await Promise.all([page.waitForResponse((r) => new URL(r.url()).pathname === `/api/v1/hazards/${hz.id}/notice.pdf` && r.status() === 200),
      byId(page, 'hz-show-notice').click()]);
    await byId(page, 'hz-notice-frame').waitFor();

    // the customer signs: a stroke drawn with the mouse on the canvas
    await byId(page, 'hz-sign-name').fill('林建国');
    const pad = byId(page, 'hz-sign-pad');
    await pad.scrollIntoViewIfNeeded();
    const box = await pad.boundingBox();
    assert.ok(box && box.width > 200, 'the pad fits the phone');
    await page.mouse.move(box.x + 20, box.y + box.height / 2);
    await page.mouse.down();
    for (let i = 1; i <= 12; i++) await page.mouse.move(box.x + 20 + i * (box.width - 40) / 12, box.y + box.height / 2 + (i % 2 ? -25 : 25));
    await page.mouse.up();
    assert.ok(Number(await pad.getAttribute('data-strokes')) > 0, 'the drawing reached the canvas');
    await byId(page, 'hz-sign-place').fill('福州市鼓楼区和平街 7 号');
    await Promise.all([page.waitForResponse((r) => isApi(r, 'POST', '/attachments') && r.status() === 201),
      byId(page, 'hz-sign-holding-input').setInputFiles({ name: 'holding.jpg', mimeType: 'image/jpeg', buffer: JPEG })]);
    await byId(page, 'hz-sign-holding-thumb').first().waitFor();
    await page.screenshot({ path: '/tmp/fg-hazards-sign.png', fullPage: true });
    const [signed] = await Promise.all([page.waitForResponse((r) => isApi(r, 'POST', `/hazards/${hz.id}/actions/sign`)), byId(page, 'hz-action-sign').click()]);
    assert.equal(signed.status(), 200, await signed.text());
    await page.locator('[data-testid="hz-status"][data-status="signed"]').waitFor();
    await byId(page, 'hz-receipt-thumb').first().waitFor();
    assert.deepEqual(problems, []);

    // the server kept the drawing as a PNG, and the notice now carries the receipt
    const tok = await tokenOf(fx.crew.username, PASSWORD);
    const got = await must('GET', `/hazards/${hz.id}`, undefined, tok);
    assert.equal(got.signer_name, '林建国');
    assert.equal(got.sign_place, '福州市鼓楼区和平街 7 号');
    const att = await must('GET', `/attachments/${got.signature_id}`);
    assert.equal(att.content_type, 'image/png');
    const pdf = await fetch(`${FG_URL}/api/v1/hazards/${hz.id}/notice.pdf`, { headers: { Authorization: 'Bearer ' + tok } });
    const txt = execFileSync('pdftotext', ['-enc', 'UTF-8', '-', '-'], { input: Buffer.from(await pdf.arrayBuffer()), stdio: ['pipe', 'pipe', 'ignore'] }).toString();
    assert.match(txt, /用电检查结果通知书/);
    assert.ok(txt.includes(fx.name));
    assert.match(txt, /签收人：林建国/);
  } finally {
    await page.close();
  }
});

test('desk: the board highlights overdue hazards and draws the year\'s chart', { timeout: TEST_TIMEOUT }, async () => {
  const { page, problems } = await newPage(browser, DESK);
  try {
    await login(page, fx.mgr.username, PASSWORD, '/hazards');
    await byId(page, 'hz-list').waitFor();
    await page.locator('[data-testid="hz-chart"][data-drawn]').waitFor();
    const list = (await api('GET', '/hazards?limit=200')).body.items;
    for (const x of list.slice(0, 20)) {
      const row = byId(page, 'hz-row-' + x.number);
      assert.equal(await row.getAttribute('data-overdue'), String(x.overdue), x.number);
      assert.equal(await row.evaluate((tr) => tr.classList.contains('row-danger')), x.overdue, x.number);
    }
    // the one database: both sources, and one of them when asked
    await byId(page, 'hz-db').waitFor();
    await Promise.all([page.waitForResponse((r) => isApi(r, 'GET', '/hazards/database') && new URL(r.url()).searchParams.get('source') === 'customer'),
      byId(page, 'hz-db-source').selectOption('customer')]);
    await page.waitForFunction(() => {
      const rows = [...document.querySelectorAll('[data-testid^="hz-db-"]')].filter((x) => x.tagName === 'TR');
      return rows.length > 0 && rows.every((tr) => tr.dataset.testid.startsWith('hz-db-customer-'));
    });
    // only overdue ones when asked
    await Promise.all([page.waitForResponse((r) => isApi(r, 'GET', '/hazards') && new URL(r.url()).searchParams.get('overdue') === 'true'),
      byId(page, 'hz-f-overdue').check()]);
    await page.waitForFunction(() => [...document.querySelectorAll('[data-testid^="hz-row-"]')].every((tr) => tr.dataset.overdue === 'true'));
    await page.screenshot({ path: '/tmp/fg-hazards-board.png', fullPage: true });
    assert.deepEqual(problems, []);
  } finally {
    await page.close();
  }
});

test('phone: a crew seals the unregistered generator on site; the rectification accepted, the seal still on', { timeout: TEST_TIMEOUT }, async () => {
  const zh = I18N.zh;
  const { page, problems } = await newPage(browser, PHONE);
  try {
    await login(page, fx.crew.username, PASSWORD, '/hazards/seals');
    await byId(page, 'seal-form').waitFor();
    await Promise.all([page.waitForResponse((r) => isApi(r, 'GET', '/hazards/customers')), byId(page, 'seal-customer-q').fill(fx.name)]);
    await page.waitForFunction((id) => document.querySelector('[data-testid="seal-customer"]').value === id, fx.customer.id);
    await byId(page, 'seal-equipment').fill('移动式柴油发电机');
    await byId(page, 'seal-reason').selectOption('unregistered_source');
    const n1 = 'FYB' + TAG, n2 = 'FYC' + TAG;
    await byId(page, 'seal-numbers').fill(`${n1}，${n2}`);
    await Promise.all([page.waitForResponse((r) => isApi(r, 'POST', '/attachments') && r.status() === 201),
      byId(page, 'seal-photos-input').setInputFiles({ name: 'seal.jpg', mimeType: 'image/jpeg', buffer: JPEG })]);
    await byId(page, 'seal-photos-thumb').first().waitFor();
    const [made] = await Promise.all([page.waitForResponse((r) => isApi(r, 'POST', '/seals')), byId(page, 'seal-submit').click()]);
    assert.equal(made.status(), 201, await made.text());
    const row = byId(page, 'seal-row-' + n1);
    await row.waitFor();
    assert.ok((await row.textContent()).includes(zh['seal.status.sealed']));
    assert.ok((await row.textContent()).includes(n2));
    // power-on of that equipment is refused while the seal is on
    const tok = await tokenOf(fx.crew.username, PASSWORD);
    assert.equal((await api('POST', '/seals/power-on', { customer_id: fx.customer.id, equipment: '移动式柴油发电机' }, tok)).status, 409);
    await Promise.all([page.waitForResponse((r) => r.request().method() === 'POST' && /\/seals\/[^/]+\/actions\/accept$/.test(new URL(r.url()).pathname) && r.status() === 200),
      row.locator('[data-testid="seal-accept"]').click()]);
    await page.waitForFunction((n) => document.querySelector(`[data-testid="seal-row-${n}"]`)?.textContent.includes('待拆封'), n1);
    assert.equal(await byId(page, 'seal-row-' + n1).locator('[data-testid="seal-remove"]').count(), 0, 'a crew may not remove a seal');
    await page.screenshot({ path: '/tmp/fg-hazards-seals.png', fullPage: true });
    assert.deepEqual(problems, []);
  } finally {
    await page.close();
  }
});

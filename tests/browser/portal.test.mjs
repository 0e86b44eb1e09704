// Browser test for the customer portal (web/portal.html, js/portal.js; issue 11 item 7) on a phone, 390×844: a
// customer applies online with a document, the SMS code arriving at a REAL local HTTP receiver standing in for the
// gateway (tests/lib/receiver.mjs); then follows the application by its number (the code goes to the phone
// registered on it), sees its stages and what is needed, uploads the missing document, and — after staff drive it to
// power-on through the API — rates the service; finally sends feedback and switches to English. No page is wider than
// the phone. Screenshots: /tmp/fg-portal-*.png.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { deskAction, TAG, I18N, TEST_TIMEOUT, PHONE, FG_URL, must, launch, newPage, byId, waitText, isApi } from './lib.mjs';
import { startReceiver } from '../lib/receiver.mjs';

let browser;
let rx;
const phone = `136${String(Date.now() % 1e8).padStart(8, '0')}`;
const JPEG = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.from('fieldgrid portal photo')]);
const PDF = Buffer.from('%PDF-1.4\n% fieldgrid portal test\n');

// the API suite's codes from this address are moved out of the hour's window, so this test never meets its limit
function forgetAddress() {
  const url = process.env.FG_DB_URL;
  const sql = "UPDATE portal_codes SET created_at = created_at - 7200000 WHERE client_addr = '127.0.0.1'";
  if (!url) return;
  if (url.startsWith('postgres')) execFileSync('psql', ['-q', '-X', url, '-c', sql]);
  else execFileSync('sqlite3', ['-cmd', '.timeout 10000', url, sql]); // the server writes too (its lease, its jobs' turns): wait for its lock
}

/** The newest code the gateway received for the phone after `from` requests; runs the delivery job meanwhile. */
async function codeAfter(from) {
  const got = await rx.waitFor((r) => r.n > from && r.json?.to === phone && r.json?.kind === 'verification_code', 30000,
    () => must('POST', '/notify/outbox/actions/run', {}));
  return /(\d{6})/.exec(got[got.length - 1].json.text)[1];
}
const lastN = () => (rx.requests.length ? rx.requests[rx.requests.length - 1].n : 0);

async function noWiderThanPhone(page, what) {
  const w = await page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(w <= 390, `${what}: the page is ${w} px wide on a 390 px phone`);
}

before(async () => {
  assert.ok(FG_URL, 'FG_URL must point at a running fieldgrid server');
  rx = await startReceiver();
  const sms = (await must('GET', '/notify/channels')).items.find((c) => c.channel === 'sms');
  await must('PUT', '/notify/channels/sms', { version: sms.version, enabled: true, url: `${rx.url}/sms/send`,
    templates: { ...sms.templates, verification_code: '【fieldgrid】您的验证码是{{code}}，{{minutes}}分钟内有效，请勿告诉他人。' } });
  forgetAddress();
  browser = await launch();
});

after(async () => {
  if (browser) await browser.close();
  await rx?.close();
});

test('portal on a phone: apply with a code → follow by number → upload what is missing → rate after power-on', { timeout: TEST_TIMEOUT }, async () => {
  const zh = I18N.zh;
  const { page, problems } = await newPage(browser, PHONE);
  try {
    // sign in with the phone
    await page.goto(FG_URL + '/portal');
    await byId(page, 'portal-signin').waitFor();
    assert.equal(new URL(page.url()).pathname, '/portal.html');
    await byId(page, 'portal-mode-phone').click();
    await byId(page, 'portal-phone').fill(phone);
    let from = lastN();
    await Promise.all([page.waitForResponse((r) => isApi(r, 'POST', '/portal/codes')), byId(page, 'portal-send-code').click()]);
    await byId(page, 'portal-code-sent').waitFor();
    await byId(page, 'portal-code').fill(await codeAfter(from));
    await Promise.all([page.waitForResponse((r) => isApi(r, 'POST', '/portal/sessions')), byId(page, 'portal-verify').click()]);
    await byId(page, 'portal-new').waitFor();
    await noWiderThanPhone(page, 'home');

    // apply online with the identity document
    await byId(page, 'portal-new').click();
    await byId(page, 'portal-apply').waitFor();
    await byId(page, 'apply-kind').selectOption('lv_residential');
    await byId(page, 'apply-name').fill('赵六' + TAG.slice(-3));
    await byId(page, 'apply-address').fill('幸福路 8 号 ' + TAG);
    await byId(page, 'apply-voltage').selectOption('220V');
    await byId(page, 'apply-capacity').fill('8');
    await byId(page, 'apply-doc-identity').setInputFiles({ name: 'id.jpg', mimeType: 'image/jpeg', buffer: JPEG });
    await noWiderThanPhone(page, 'apply form');
    await page.screenshot({ path: '/tmp/fg-portal-apply.png', fullPage: true });
    const [made] = await Promise.all([page.waitForResponse((r) => isApi(r, 'POST', '/portal/applications')), byId(page, 'apply-submit').click()]);
    assert.equal(made.status(), 201);
    const number = (await made.json()).number;
    await byId(page, 'portal-app').waitFor();
    await waitText(page, 'portal-stage', '受理');
    await byId(page, 'portal-upload-property_proof').waitFor();

    // sign out; follow it by its number: the code goes to the phone registered on it
    await byId(page, 'portal-signout').click();
    await byId(page, 'portal-signin').waitFor();
    await byId(page, 'portal-number').fill(number.toLowerCase());
    from = lastN();
    await Promise.all([page.waitForResponse((r) => isApi(r, 'POST', '/portal/codes')), byId(page, 'portal-send-code').click()]);
    await waitText(page, 'portal-code-sent', zh['portal.code_sent_registered']);
    await byId(page, 'portal-code').fill(await codeAfter(from));
    await byId(page, 'portal-verify').click();
    await byId(page, 'portal-app').waitFor();
    // stages along the residential track, the first one current with its owner and deadline
    const stages = byId(page, 'portal-stages').locator('li');
    assert.equal(await stages.count(), 5);
    assert.equal(await stages.nth(0).getAttribute('data-state'), 'current');
    assert.ok((await stages.nth(0).textContent()).includes(zh['role.customer_service']));
    await byId(page, 'portal-process-due').waitFor();
    await noWiderThanPhone(page, 'application');
    await page.screenshot({ path: '/tmp/fg-portal-follow.png', fullPage: true });

    // upload what is missing
    await Promise.all([page.waitForResponse((r) => isApi(r, 'POST', `/portal/applications/${number}/documents/property_proof`) && r.status() === 200),
      byId(page, 'portal-upload-property_proof').setInputFiles({ name: 'house.pdf', mimeType: 'application/pdf', buffer: PDF })]);
    await byId(page, 'portal-flash').waitFor();
    await byId(page, 'portal-needed').waitFor({ state: 'detached' });
    assert.equal(await byId(page, 'portal-documents').locator('li[data-type="property_proof"]').getAttribute('data-status'), 'received');

    // staff take it to power-on through the API
    const app = (await must('GET', `/applications?q=${number}`)).items.find((a) => a.number === number);
    await deskAction(app.id, 'accept');
    await deskAction(app.id, 'complete_survey', { scheme: '单相 220V 表计接入' });
    await deskAction(app.id, 'complete_installation');

    // the customer rates the service
    await page.reload();
    await byId(page, `portal-app-${number}`).click();
    await byId(page, 'portal-rate').waitFor();
    await byId(page, 'portal-star-5').click();
    await byId(page, 'portal-rating-comment').fill('上门及时，服务好');
    await Promise.all([page.waitForResponse((r) => isApi(r, 'POST', `/portal/applications/${number}/rating`) && r.status() === 200),
      byId(page, 'portal-rate-submit').click()]);
    await byId(page, 'portal-rated').waitFor();
    assert.equal((await must('GET', `/applications/${app.id}`)).rating, 5);
    await page.screenshot({ path: '/tmp/fg-portal-rated.png', fullPage: true });

    // feedback about it, then English
    await byId(page, 'portal-home').click();
    await byId(page, 'portal-feedback').click();
    await byId(page, 'fb-kind').selectOption('praise');
    await byId(page, 'fb-subject').fill('表扬装表班组 ' + TAG);
    await byId(page, 'fb-app').selectOption(number);
    const [fb] = await Promise.all([page.waitForResponse((r) => isApi(r, 'POST', '/portal/feedback')), byId(page, 'fb-submit').click()]);
    assert.equal(fb.status(), 201);
    await byId(page, 'portal-flash').waitFor();
    await byId(page, 'portal-lang').click();
    await page.locator('header h1', { hasText: I18N.en['portal.title'] }).waitFor();
    await noWiderThanPhone(page, 'English');
    assert.deepEqual(problems, []);
  } finally { await page.close(); }
});

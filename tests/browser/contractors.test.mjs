// Browser test for contractors (web/js/contractors.js, R2.8): a safety supervisor registers an outsourced company,
// sees why its staff may not work (no safety agreement), records the signed agreement with its scan, adds a
// person to the company and finds the company on that person's readiness page. Screenshots: /tmp/fg-contractor-*.png.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { TAG, I18N, TEST_TIMEOUT, DESK, FG_URL, must, shanghaiDate, launch, newPage, byId, waitText, isApi, login } from './lib.mjs';

const PASSWORD = 'Contractor-pass-' + TAG + '7';
let browser;
const fx = {};

before(async () => {
  assert.ok(FG_URL, 'FG_URL must point at a running fieldgrid server');
  fx.team = await must('POST', '/org-units', { name: '外包测试班' + TAG, kind: 'team' });
  const person = (key, name, roles) => must('POST', '/users', {
    username: `ct_${key}_${TAG}`, password: PASSWORD, display_name: name + TAG.slice(-4), roles, org_unit_id: fx.team.id,
  });
  fx.supervisor = await person('sup', '安监', ['supervisor']);
  fx.worker = await person('w', '外包电工', ['crew']);
  browser = await launch();
});

after(async () => {
  if (browser) await browser.close();
});

test('desk, supervisor: a new contractor may not work until its safety agreement is recorded; staff show their company', { timeout: TEST_TIMEOUT }, async () => {
  const { context, page, problems } = await newPage(browser, DESK);
  const name = '临澜恒通电力安装有限公司' + TAG;
  try {
    await login(page, fx.supervisor.username, PASSWORD, '/people');
    await byId(page, 'people-contractors').click();
    await page.waitForURL((u) => u.pathname === '/contractors');
    await byId(page, 'contractor-new').click();
    await byId(page, 'contractor-dialog').waitFor({ state: 'visible' });
    await byId(page, 'contractor-dialog-name').fill(name);
    await byId(page, 'contractor-dialog-credit_code').fill('91330100MA2KXXXX0B');
    await byId(page, 'contractor-dialog-qualification_no').fill('6-2-00123-2019');
    await byId(page, 'contractor-dialog-qualification_expires_on').fill(shanghaiDate(400));
    const [created] = await Promise.all([
      page.waitForResponse((r) => isApi(r, 'POST', '/contractors')),
      byId(page, 'contractor-dialog-submit').click(),
    ]);
    assert.equal(created.status(), 201, await created.text());
    const c = await created.json();
    await page.waitForURL((u) => u.pathname === '/contractors/' + c.id);

    // No agreement yet: not ready, and the page says why.
    await byId(page, 'contractor-status').and(page.locator('[data-ready="0"]')).waitFor({ state: 'visible' });
    await waitText(page, 'contractor-reasons', I18N.zh['contractor.reason.contractor_agreement_missing']);
    await page.screenshot({ path: '/tmp/fg-contractor-not-ready-zh.png', fullPage: true });

    // Record the signed agreement with its scan.
    await byId(page, 'agreement-new').click();
    await byId(page, 'agreement-dialog').waitFor({ state: 'visible' });
    await byId(page, 'agreement-dialog-number').fill('AQXY-' + TAG);
    await byId(page, 'agreement-dialog-expires_on').fill(shanghaiDate(365));
    await byId(page, 'agreement-dialog-contractor_signer').fill('钱国强');
    await byId(page, 'agreement-dialog-scan').setInputFiles({ name: 'agreement.pdf', mimeType: 'application/pdf', buffer: Buffer.from('%PDF-1.4\n% scan\n%%EOF\n') });
    const [signed] = await Promise.all([
      page.waitForResponse((r) => isApi(r, 'POST', `/contractors/${c.id}/agreements`)),
      byId(page, 'agreement-dialog-submit').click(),
    ]);
    assert.equal(signed.status(), 201, await signed.text());
    const sbody = JSON.parse(signed.request().postData());
    assert.ok(sbody.attachment_id, 'the scan was uploaded and linked');
    await byId(page, 'contractor-status').and(page.locator('[data-ready="1"]')).waitFor({ state: 'visible' });

    // Add the worker; their readiness page names the company.
    await byId(page, 'staff-add').click();
    await byId(page, 'staff-dialog').waitFor({ state: 'visible' });
    await byId(page, 'staff-dialog-user_id').selectOption(fx.worker.id);
    const [added] = await Promise.all([
      page.waitForResponse((r) => isApi(r, 'POST', `/contractors/${c.id}/staff`)),
      byId(page, 'staff-dialog-submit').click(),
    ]);
    assert.equal(added.status(), 200, await added.text());
    await byId(page, 'staff-' + fx.worker.username).waitFor({ state: 'visible' });
    await page.screenshot({ path: '/tmp/fg-contractor-ready-zh.png', fullPage: true });
    await byId(page, 'staff-' + fx.worker.username).getByRole('link').click();
    await page.waitForURL((u) => u.pathname === '/people/' + fx.worker.id);
    await waitText(page, 'person-contractor', name);

    // Suspend the company from its page: the worker's readiness names the suspension.
    await byId(page, 'person-contractor').getByRole('link').click();
    await page.waitForURL((u) => u.pathname === '/contractors/' + c.id);
    await byId(page, 'contractor-suspend').click();
    await byId(page, 'suspend-dialog-reason').fill('违章作业，停工整改');
    await Promise.all([
      page.waitForResponse((r) => isApi(r, 'PATCH', `/contractors/${c.id}`)),
      byId(page, 'suspend-dialog-submit').click(),
    ]);
    await byId(page, 'contractor-status').and(page.locator('[data-ready="0"]')).waitFor({ state: 'visible' });
    await waitText(page, 'contractor-suspended-reason', '违章作业，停工整改');
    const rd = await must('GET', `/users/${fx.worker.id}/qualifications`);
    assert.ok(rd.readiness.reasons.some((r) => r.code === 'contractor_suspended'), JSON.stringify(rd.readiness));
    assert.deepEqual(problems, []);
  } finally {
    await context.close();
  }
});

// Browser test for 客户档案 (web/js/customers.js, issue 11 item 1, R2.16): customer service finds a customer by
// account number, opens it and sees name and phones in full but the ID number masked until the explicit click,
// which the server audits; a viewer sees the same customer masked and has no such button.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { TAG, I18N, TEST_TIMEOUT, DESK, FG_URL, must, launch, newPage, byId, waitText, isApi, login } from './lib.mjs';

const PASSWORD = 'Cust-pass-' + TAG + '7';
const ID = '11010519491231002X'; // GB 11643's own example: valid, and no demo customer has it
let browser;
const fx = {};

before(async () => {
  assert.ok(FG_URL, 'FG_URL must point at a running fieldgrid server');
  const person = (key, roles) => must('POST', '/users', { username: `cu_${key}_${TAG}`, password: PASSWORD, display_name: key + TAG.slice(-4), roles });
  fx.cs = await person('cs', ['customer_service']);
  fx.viewer = await person('viewer', ['viewer']);
  fx.account = '38' + String(Date.now()).slice(-8);
  fx.customer = await must('POST', '/customers', { kind: 'resident', name: '欧阳明华', id_number: ID,
    contacts: [{ name: '欧阳明华', phone: '13912345678', role: '本人' }] });
  await must('POST', `/customers/${fx.customer.id}/accounts`, { number: fx.account });
  browser = await launch();
});

after(async () => {
  if (browser) await browser.close();
});

test('desk: find by account number, open, reveal the whole ID number (audited); a viewer sees it masked', { timeout: TEST_TIMEOUT }, async () => {
  const cs = await newPage(browser, DESK);
  const viewer = await newPage(browser, DESK);
  try {
    let page = cs.page;
    await login(page, fx.cs.username, PASSWORD, '/customers');
    await byId(page, 'customers-search').fill(fx.account);
    const row = byId(page, 'customer-row-' + fx.customer.number);
    await row.waitFor({ state: 'visible' });
    await waitText(page, 'customer-id-' + fx.customer.number, '110***********002X');
    await row.locator('a.row-open').click();
    await page.waitForURL((u) => u.pathname === '/customers/' + fx.customer.id);
    await waitText(page, 'customer-number', fx.customer.number);
    await waitText(page, 'contact-0', '13912345678');
    await waitText(page, 'customer-id-number', '110***********002X');
    await byId(page, 'account-' + fx.account).waitFor({ state: 'visible' });
    const [read] = await Promise.all([page.waitForResponse((r) => isApi(r, 'GET', `/customers/${fx.customer.id}/identity`)), byId(page, 'customer-reveal').click()]);
    assert.equal(read.status(), 200);
    await waitText(page, 'customer-id-number', ID);
    const audit = await must('GET', `/audit?entity=customer&entity_id=${fx.customer.id}`);
    const reads = audit.items.filter((r) => r.action === 'reveal_id_number');
    assert.equal(reads.length, 1, 'the click left one audit record');
    assert.equal(reads[0].actor_id, fx.cs.id);
    await page.screenshot({ path: '/tmp/fg-customers-cs.png', fullPage: true });

    page = viewer.page;
    await login(page, fx.viewer.username, PASSWORD, '/customers/' + fx.customer.id);
    await waitText(page, 'contact-0', '139****5678');
    await waitText(page, 'customer-id-number', '110***********002X');
    assert.match(await page.locator('.detail-title').textContent(), /^欧\*\*华$/);
    assert.equal(await byId(page, 'customer-reveal').count(), 0, 'no reveal without customers.identity');
    await waitText(page, 'nav-customers', I18N.zh['nav.customers']);
    assert.deepEqual(cs.problems, []);
    assert.deepEqual(viewer.problems, []);
  } finally {
    await cs.context.close();
    await viewer.context.close();
  }
});

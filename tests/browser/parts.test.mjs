// Browser test for spare parts (web/js/parts.js, R4.13): an O&M engineer requests a module for a charger repair;
// the depot keeper's issue is refused while the depot is short (the part named), the keeper receives stock on
// the stock page and issues; the engineer settles with the serials. Screenshots: /tmp/fg-parts-*.png.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { TAG, I18N, TEST_TIMEOUT, DESK, FG_URL, must, launch, newPage, byId, waitText, isApi, login } from './lib.mjs';

const PASSWORD = 'Parts-pass-' + TAG + '7';
let browser;
const fx = {};

before(async () => {
  assert.ok(FG_URL, 'FG_URL must point at a running fieldgrid server');
  const person = (key, name, roles) => must('POST', '/users', { username: `pt_${key}_${TAG}`, password: PASSWORD, display_name: name + TAG.slice(-4), roles });
  fx.keeper = await person('keeper', '库管', ['tool_keeper']);
  fx.eng = await person('eng', '运维', ['om_engineer']);
  fx.part = await must('POST', '/parts', { code: 'DC-MOD-' + TAG, name: '充电模块 30kW', category: 'module', unit: '个' });
  fx.depot = await must('POST', '/part-depots', { name: '东区备件库' + TAG });
  fx.order = await must('POST', '/work-orders', { kind: 'charger_repair', title: '2 号直流桩模块故障' + TAG, customer_name: '东区公共充电站', site_address: '临澜市滨江路 88 号' });
  browser = await launch();
});

after(async () => {
  if (browser) await browser.close();
});

test('desk: request → refused while short → receive → issue → settle with serials', { timeout: TEST_TIMEOUT }, async () => {
  const eng = await newPage(browser, DESK);
  const keeper = await newPage(browser, DESK);
  try {
    // the engineer asks for two modules
    let page = eng.page;
    await login(page, fx.eng.username, PASSWORD, '/parts');
    await byId(page, 'part-request-new').click();
    await byId(page, 'part-request-dialog').waitFor({ state: 'visible' });
    await byId(page, 'part-request-dialog-work_order_id').selectOption(fx.order.id);
    await byId(page, 'part-request-dialog-depot_id').selectOption(fx.depot.id);
    await byId(page, 'part-request-dialog-part0').selectOption(fx.part.id);
    await byId(page, 'part-request-dialog-qty0').fill('2');
    const [made] = await Promise.all([page.waitForResponse((r) => isApi(r, 'POST', '/part-requests')), byId(page, 'part-request-dialog-submit').click()]);
    assert.equal(made.status(), 201, await made.text());
    const req = await made.json();
    await page.waitForURL((u) => u.pathname === '/parts/requests/' + req.id);
    await waitText(page, 'part-request-status', I18N.zh['status.part_request.requested']);

    // the keeper tries to issue: refused, the module named
    page = keeper.page;
    await login(page, fx.keeper.username, PASSWORD, '/parts/requests/' + req.id);
    await byId(page, 'part-request-action-issue').click();
    await byId(page, 'part-request-error').waitFor({ state: 'visible' });
    await waitText(page, 'gate-gate_part_stock_short', '充电模块 30kW（需 2，现存 0）');
    assert.equal(await page.locator('[data-testid="line-' + fx.part.code + '"] [data-short="1"]').count(), 1);
    await page.screenshot({ path: '/tmp/fg-parts-short-zh.png', fullPage: true });

    // receive 3 on the stock page, then issue
    await byId(page, 'parts-tab-stock').click();
    await page.waitForURL((u) => u.pathname === '/parts/stock');
    await byId(page, 'stock-depot').selectOption(fx.depot.id);
    await byId(page, 'stock-receive').click();
    await byId(page, 'receive-dialog-part_id').selectOption(fx.part.id);
    await byId(page, 'receive-dialog-qty').fill('3');
    const [rec] = await Promise.all([page.waitForResponse((r) => isApi(r, 'POST', `/part-depots/${fx.depot.id}/receipts`)), byId(page, 'receive-dialog-submit').click()]);
    assert.equal(rec.status(), 200, await rec.text());
    await waitText(page, 'stock-' + fx.part.code, '3 个');
    await page.goto(FG_URL + '/parts/requests/' + req.id);
    const [iss] = await Promise.all([page.waitForResponse((r) => isApi(r, 'POST', `/part-requests/${req.id}/actions/issue`)), byId(page, 'part-request-action-issue').click()]);
    assert.equal(iss.status(), 200, await iss.text());
    await waitText(page, 'part-request-status', I18N.zh['status.part_request.issued']);

    // the engineer settles: one used (with serials), one back to stock
    page = eng.page;
    await page.reload();
    await byId(page, 'part-request-action-settle').click();
    await byId(page, 'settle-dialog').waitFor({ state: 'visible' });
    await byId(page, 'settle-dialog-c_' + fx.part.id).fill('1');
    await byId(page, 'settle-dialog-o_' + fx.part.id).fill('XJ-M-2023-0117');
    await byId(page, 'settle-dialog-i_' + fx.part.id).fill('XJ-M-2026-0431');
    const [st] = await Promise.all([page.waitForResponse((r) => isApi(r, 'POST', `/part-requests/${req.id}/actions/settle`)), byId(page, 'settle-dialog-submit').click()]);
    assert.equal(st.status(), 200, await st.text());
    assert.deepEqual(JSON.parse(st.request().postData()).lines, [{ part_id: fx.part.id, consumed: 1, returned: 1, removed_serial: 'XJ-M-2023-0117', installed_serial: 'XJ-M-2026-0431' }]);
    await waitText(page, 'part-request-status', I18N.zh['status.part_request.settled']);
    await waitText(page, 'line-' + fx.part.code, 'XJ-M-2023-0117 → XJ-M-2026-0431');
    await page.screenshot({ path: '/tmp/fg-parts-settled-zh.png', fullPage: true });
    const stock = await must('GET', `/part-depots/${fx.depot.id}/stock`);
    assert.equal(stock.items.find((s) => s.part_id === fx.part.id).on_hand, 2, '3 received, 2 issued, 1 returned');
    assert.deepEqual(eng.problems, []);
    assert.deepEqual(keeper.problems, []);
  } finally {
    await eng.context.close();
    await keeper.context.close();
  }
});

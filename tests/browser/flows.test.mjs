// Browser test of state names from the flow definitions (web/js/flows.js): the web app names states the way
// GET /flows/{name} does, not from a list of its own, and asks for each flow once a session.
// The server's answer for the work-order flow is passed through with one state renamed, so the name on screen can
// only have come from it.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { TEST_TIMEOUT, DESK, FG_URL, ADMIN_PASSWORD, launch, newPage, byId, login } from './lib.mjs';

let browser;

before(async () => {
  assert.ok(FG_URL, 'FG_URL must point at a running fieldgrid server');
  browser = await launch();
});

after(async () => {
  if (browser) await browser.close();
});

test('state names come from GET /flows/{name}, fetched once a session', { timeout: TEST_TIMEOUT }, async () => {
  const { context, page, problems } = await newPage(browser, DESK);
  try {
    const asked = [];
    await page.route((u) => u.pathname === '/api/v1/flows/work_order', async (route) => {
      asked.push(route.request().url());
      const res = await route.fetch();
      const def = await res.json();
      for (const s of def.states) if (s.code === 'new') { s.name_zh = '新建·流程'; s.name_en = 'New (from the flow)'; }
      await route.fulfill({ response: res, json: def });
    });
    await login(page, 'admin', ADMIN_PASSWORD, '/orders');
    await byId(page, 'orders-table').waitFor({ state: 'visible' });
    const option = byId(page, 'orders-status-filter').locator('option[value="new"]');
    assert.equal(await option.textContent(), '新建·流程');

    // the order of the filter's states is the flow's
    const codes = await byId(page, 'orders-status-filter').locator('option').evaluateAll((os) => os.map((o) => o.value).filter(Boolean));
    assert.deepEqual(codes, ['new', 'planned', 'in_progress', 'done', 'cancelled']);

    // a reload in the same session does not ask again
    await page.reload();
    await byId(page, 'orders-table').waitFor({ state: 'visible' });
    assert.equal(await option.textContent(), '新建·流程');
    assert.equal(asked.length, 1, 'the flow is read once a session');
    assert.deepEqual(problems, []);
  } finally {
    await context.close();
  }
});

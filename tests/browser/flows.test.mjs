// Browser test of state names from the flow definitions (web/js/flows.js): the web app names states the way the
// server's flow definitions do, not from a list of its own, and asks for them once a session — all it names states
// of in one request (GET /flows?names=…). The server's answer is passed through with one state of the work-order
// flow renamed, so the name on screen can only have come from it.
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

test('state names come from the flow definitions (GET /flows?names=…), fetched once a session in one request', { timeout: TEST_TIMEOUT }, async () => {
  const { context, page, problems } = await newPage(browser, DESK);
  try {
    const asked = [];
    await page.route((u) => u.pathname === '/api/v1/flows' || u.pathname.startsWith('/api/v1/flows/'), async (route) => {
      asked.push(route.request().url());
      const res = await route.fetch();
      const body = await res.json();
      for (const def of body.items || [body]) {
        if (def.name !== 'work_order') continue;
        for (const s of def.states) if (s.code === 'new') { s.name_zh = '新建·流程'; s.name_en = 'New (from the flow)'; }
      }
      await route.fulfill({ response: res, json: body });
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
    assert.equal(asked.length, 1, 'the flows are read once a session, in one request');
    const names = new URL(asked[0]).searchParams.get('names').split(',');
    assert.ok(names.includes('work_order') && names.length >= 7, asked[0]);
    assert.deepEqual(problems, []);
  } finally {
    await context.close();
  }
});

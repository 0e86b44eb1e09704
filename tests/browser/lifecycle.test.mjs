// Browser test of the pages' life (web/js/lifecycle.js): a page that polls stops when the user leaves it. The
// router ends the page on screen before it draws the next one, which clears its timers, removes its listeners and
// aborts its requests still in flight.
//
// Time is playwright's fake clock (page.clock): after leaving, the test runs the clock well past every poll
// interval (clock.runFor fires every timer due), then opens another page and waits for that page's own request to
// answer. Whatever the old page would still have asked for was asked before that answer, so "no request to the old
// page's endpoint since leaving" is decided by events, not by waiting long enough.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { TAG, TEST_TIMEOUT, DESK, FG_URL, ADMIN_PASSWORD, launch, newPage, byId, login } from './lib.mjs';

const api = (pathname) => (u) => new URL(u).pathname === '/api/v1' + pathname;
let browser;

before(async () => {
  assert.ok(FG_URL, 'FG_URL must point at a running fieldgrid server');
  browser = await launch();
});

after(async () => {
  if (browser) await browser.close();
});

/** Requests the page makes whose path matches `match`, from now on. */
function counter(page, match) {
  const seen = [];
  page.on('request', (r) => { if (match(r.url())) seen.push(r); });
  return seen;
}

/** Leave for `path` through the side nav and wait for that page's own request (the barrier) to answer. */
async function goAndWait(page, nav, barrierPath) {
  await Promise.all([
    page.waitForResponse((r) => api(barrierPath)(r.url()) && r.request().method() === 'GET'),
    byId(page, nav).click(),
  ]);
}

test('leaving a page ends its polls: tool import follow-up, live charger board, supervision board', { timeout: TEST_TIMEOUT }, async () => {
  const { context, page, problems } = await newPage(browser, DESK);
  try {
    await page.clock.install();
    await login(page, 'admin', ADMIN_PASSWORD, '/tools');
    await byId(page, 'tools-table').waitFor({ state: 'visible' });

    // --- the tool import follows its job every 400 ms. The job here never finishes (the server's answers are
    // stubbed), so only leaving the page can end the loop.
    const jobId = 'lc-job-' + TAG;
    const job = { id: jobId, state: 'running', progress: { percent: 10, phase: 'checking', rows_checked: 1, rows_written: 0, rows_total: 10 } };
    await page.route((u) => api('/tools/imports')(u.href), (route) => route.fulfill({ status: 202, contentType: 'application/json', body: JSON.stringify({ ...job, state: 'queued' }) }));
    await page.route((u) => api('/tools/imports/' + jobId)(u.href), (route) => route.fulfill({ status: 200, contentType: 'application/json', body: JSON.stringify(job) }));
    const jobPolls = counter(page, api('/tools/imports/' + jobId));
    await byId(page, 'tool-import-open').click();
    await byId(page, 'tool-import').waitFor({ state: 'visible' });
    await byId(page, 'tool-import-file').setInputFiles({ name: 'lc.csv', mimeType: 'text/csv', buffer: Buffer.from('资产编号\r\nX\r\n') });
    await page.waitForRequest((r) => api('/tools/imports/' + jobId)(r.url()));
    await page.waitForRequest((r) => api('/tools/imports/' + jobId)(r.url())); // it follows the job (a second poll)
    assert.ok(jobPolls.length >= 2, 'the import panel polls its job');

    await goAndWait(page, 'nav-people', '/directory/people');
    let before = jobPolls.length;
    await page.clock.runFor(10_000); // 25 poll intervals
    await goAndWait(page, 'nav-tools', '/tools');
    assert.equal(jobPolls.length, before, 'no poll of the import job after the tools page was left');
    await page.unrouteAll({ behavior: 'ignoreErrors' });

    // --- the live charger board polls GET /chargers/live every 5 s; leaving it aborts a poll still in flight and
    // schedules no more.
    await Promise.all([
      page.waitForResponse((r) => api('/chargers/live')(r.url())),
      byId(page, 'nav-charging').click(),
    ]);
    await byId(page, 'board-grid').waitFor({ state: 'visible' });
    const livePolls = counter(page, api('/chargers/live'));
    let held = null;
    await page.route((u) => api('/chargers/live')(u.href), (route) => { held = route; }); // the next poll hangs
    const inFlight = page.waitForRequest((r) => api('/chargers/live')(r.url()));
    await page.clock.runFor(5_000);
    const hanging = await inFlight;
    const aborted = page.waitForEvent('requestfailed', (r) => r === hanging);
    await goAndWait(page, 'nav-people', '/directory/people');
    await aborted; // the board's request was cancelled when the page ended
    assert.ok(held, 'the poll reached the route');
    await held.continue().catch(() => {}); // already aborted by the page
    await page.unrouteAll({ behavior: 'ignoreErrors' });
    before = livePolls.length;
    await page.clock.runFor(30_000);
    await goAndWait(page, 'nav-tools', '/tools');
    assert.equal(livePolls.length, before, 'no poll of the live board after the charging page was left');

    // --- the supervision board polls GET /board every 5 s (and on visibilitychange)
    await Promise.all([
      page.waitForResponse((r) => api('/board')(r.url())),
      byId(page, 'nav-supervision').click(),
    ]);
    const boardPolls = counter(page, api('/board'));
    const polled = page.waitForResponse((r) => api('/board')(r.url()));
    await page.clock.runFor(5_000);
    await polled; // it polls while on screen
    assert.ok(boardPolls.length >= 1);
    await goAndWait(page, 'nav-people', '/directory/people');
    before = boardPolls.length;
    await page.clock.runFor(30_000);
    await page.evaluate(() => document.dispatchEvent(new Event('visibilitychange')));
    await goAndWait(page, 'nav-tools', '/tools');
    assert.equal(boardPolls.length, before, 'no poll of the supervision board after it was left');

    assert.deepEqual(problems, []);
  } finally {
    await context.close();
  }
});

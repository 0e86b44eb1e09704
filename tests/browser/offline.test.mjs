// Browser test for issue 14 item 1 (offline first), on a phone (390 × 844): the leader opens today's job online
// (the service worker installs, the job is copied), the browser goes offline (context.setOffline), a reload keeps
// the job; the leader ticks measures, confirms the risk points (the key one with its photo), confirms their own
// attendance and edits the survey — all queued in the outbox; meanwhile the survey is changed on the server. Back
// online the outbox replays in order: each write lands once with the device's time beside the server's, and the
// survey's conflict is put to the leader with both versions; they keep theirs. Then, the job started, steps are
// recorded offline with readings and a photo and land the same way. Fixtures through the API; names carry a
// per-run tag. Screenshots: /tmp/fg-offline-*.png.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { TAG, I18N, TEST_TIMEOUT, PHONE, FG_URL, ADMIN_PASSWORD, must, launch, newPage, byId, waitText, isApi, login, tokenOf, shanghaiDate } from './lib.mjs';

const PASSWORD = 'Off-line-' + TAG + '7';
const zh = I18N.zh;
let browser, jpeg;
const fx = {};

before(async () => {
  assert.ok(FG_URL && ADMIN_PASSWORD, 'FG_URL and FG_ADMIN_PASSWORD name a running server');
  fx.team = await must('POST', '/org-units', { name: '离线班' + TAG, kind: 'team' });
  const person = (key, name, roles) => must('POST', '/users', {
    username: `off_${key}_${TAG}`, password: PASSWORD, display_name: name + TAG.slice(-4), roles, org_unit_id: fx.team.id });
  fx.issuer = await person('iss', '签发人', ['issuer']);
  fx.permitter = await person('perm', '许可人', ['permitter']);
  fx.leader = await person('lead', '负责人', ['leader']);
  fx.crew = await person('c1', '班员', ['crew']);
  fx.crew2 = await person('c2', '班员乙', ['crew']);
  for (const k of ['issuer', 'permitter', 'leader', 'crew', 'crew2']) fx[k].token = await tokenOf(fx[k].username, PASSWORD);
  browser = await launch();
  const page = await browser.newPage();
  const b64 = await page.evaluate(() => {
    const c = document.createElement('canvas');
    c.width = 64; c.height = 48;
    const g = c.getContext('2d');
    g.fillStyle = '#2b7a3d'; g.fillRect(0, 0, 64, 48);
    g.fillStyle = '#f2b233'; g.fillRect(8, 8, 48, 32);
    return c.toDataURL('image/jpeg', 0.9).split(',')[1];
  });
  await page.close();
  jpeg = Buffer.from(b64, 'base64');
});

after(async () => {
  if (browser) await browser.close();
});

/** Today's published plan for the leader and two crew members, qualified, a survey; its tools out but for the last
 *  kind it needs (two more in-store tools of that kind; the server proposes some), a tool nobody proposes; its
 *  ticket received (not yet permitted), two supplementary measures on it, the meeting held and one crew member's
 *  attendance in. */
async function prepare() {
  const order = await must('POST', '/work-orders', { kind: 'lv_meter_install', customer_name: '离线客户' + TAG, site_address: `地下室${TAG}号`, meter_asset_no: 'OF' + TAG });
  const plan = await must('POST', '/plans', { date: shanghaiDate(), team_id: fx.team.id, leader_id: fx.leader.id, crew_ids: [fx.crew.id, fx.crew2.id], work_order_ids: [order.id] });
  await must('POST', `/plans/${plan.id}/actions/publish`, {});
  for (const u of [fx.leader, fx.crew, fx.crew2]) await must('POST', `/users/${u.id}/qualifications`, { kind: 'safety_exam', name: '安规考试', score: 90, issued_on: shanghaiDate() });
  const need = await must('GET', `/plans/${plan.id}/tools`);
  let n = 0;
  const tools = { out: [] };
  const newTool = (kind) => must('POST', '/tools', { asset_no: `OF-${TAG}-${++n}`, kind, last_test_date: shanghaiDate(), last_test_result: 'pass' });
  for (const k of need.needed.slice(0, -1)) {
    const tool = await newTool(k.kind);
    await must('POST', `/tools/${tool.id}/actions/checkout`, { plan_id: plan.id }, fx.leader.token);
    tools.out.push(tool);
  }
  const last = need.needed[need.needed.length - 1].kind;
  await newTool(last);
  await newTool(last);
  // what the server proposes for the kind not in hand (in store, in date; the soonest due first, ours among them)
  tools.proposed = (await must('GET', `/plans/${plan.id}/tools`, undefined, fx.leader.token)).proposed;
  assert.ok(tools.proposed.length > 0 && tools.proposed.every((x) => x.kind === last));
  tools.stranger = await newTool(need.needed[0].kind); // in store, but the job needs none more of its kind
  const survey = await must('PUT', `/plans/${plan.id}/survey`, { place: `地下室${TAG}号 表箱`, content: '更换电能表', notes: '原始备注' }, fx.leader.token);
  let t = await must('POST', '/tickets', { plan_id: plan.id }, fx.leader.token);
  await must('POST', `/tickets/${t.id}/actions/issue`, { password: PASSWORD }, fx.issuer.token);
  await must('POST', `/tickets/${t.id}/actions/receive`, { password: PASSWORD }, fx.leader.token);
  await must('POST', `/tickets/${t.id}/measures`, { text: '补充措施一 ' + TAG }, fx.leader.token);
  t = await must('POST', `/tickets/${t.id}/measures`, { text: '补充措施二 ' + TAG }, fx.leader.token);
  await must('POST', `/plans/${plan.id}/briefing`, {}, fx.leader.token);
  await must('POST', `/plans/${plan.id}/briefing/actions/hold`, {}, fx.leader.token);
  await must('POST', `/plans/${plan.id}/briefing/actions/sign`, {}, fx.crew.token);
  return { plan, ticket: t, survey, order, tools };
}

/** The page is controlled by the service worker and today's jobs are copied (js/offline/sync.js sets the mark). */
async function offlineReady(page) {
  await page.waitForFunction(() => document.documentElement.dataset.offlineReady === '1' && !!navigator.serviceWorker.controller);
}

async function openStep(page, id) {
  await byId(page, 'flow-step-' + id).tap();
  await byId(page, 'flow-panel-' + id).waitFor({ state: 'visible' });
}

/** Every write the page sends to the API while `fn` runs, in order: [{method, path, status, key, device}]. */
function recordWrites(page) {
  const seen = [];
  const on = (r) => {
    const q = r.request();
    const u = new URL(r.url());
    if (q.method() === 'GET' || !u.pathname.startsWith('/api/v1/')) return;
    const hd = q.headers();
    seen.push({ method: q.method(), path: u.pathname.slice('/api/v1'.length), status: r.status(), key: hd['idempotency-key'], device: hd['x-device-time'] });
  };
  page.on('response', on);
  return { seen, stop: () => page.off('response', on) };
}

async function waitSynced(page) {
  // the foot line leaves once nothing waits (its progress line says "n of m sent" meanwhile)
  await page.waitForFunction(() => { const b = document.querySelector('[data-testid="net-state"]'); return !b || b.hidden; });
}

test('phone offline: a reload keeps the job; measures, risks with a key photo, attendance and a survey edit queue, replay once in order with device times; a conflict is shown and resolved; steps with readings and photos', { timeout: TEST_TIMEOUT * 2 }, async () => {
  const { plan, ticket, order, tools } = await prepare();
  const { context, page, problems } = await newPage(browser, PHONE);
  try {
    await login(page, fx.leader.username, PASSWORD, '/jobs/' + plan.id);
    await byId(page, 'job-detail').waitFor({ state: 'visible' });
    await offlineReady(page);
    const persisted = await page.evaluate(() => (navigator.storage && navigator.storage.persisted ? navigator.storage.persisted() : null));
    assert.notEqual(persisted, undefined);

    // ------------------------------------------------ offline: 刷新 and a reload keep the job
    await context.setOffline(true);
    await waitText(page, 'net-offline', zh['offline.banner'].slice(0, 2));
    await byId(page, 'flow-refresh').tap();
    await byId(page, 'job-detail-status').waitFor({ state: 'visible' });
    assert.equal(await byId(page, 'job-error').count(), 0, '刷新 offline keeps the page');
    await page.reload();
    await byId(page, 'job-detail-status').waitFor({ state: 'visible' });
    await waitText(page, 'net-offline', zh['offline.banner'].slice(0, 2));
    await page.screenshot({ path: '/tmp/fg-offline-reloaded.png' });

    const writes = recordWrites(page);

    // ------------------------------------------------ the two supplementary measures, ticked on the ticket step
    await openStep(page, 'ticket');
    const extra = ticket.measures.filter((m) => !m.risk_id);
    assert.ok(extra.length >= 2, 'two measures outside the risk points');
    for (const m of extra.slice(-2)) {
      await byId(page, 'measure-confirm-' + m.seq).tap();
      await byId(page, 'measure-pending-' + m.seq).waitFor({ state: 'visible' });
    }

    // ------------------------------------------------ every risk point, the key ones with their photo
    await openStep(page, 'risks');
    for (const r of ticket.risks) {
      if (r.evidence === 'photo') {
        await byId(page, 'risk-photo-' + r.seq + '-input').setInputFiles({ name: `key-${r.seq}.jpg`, mimeType: 'image/jpeg', buffer: jpeg });
        await byId(page, 'risk-pending-' + r.seq).locator('img').first().waitFor({ state: 'visible' });
      }
      await byId(page, 'risk-confirm-' + r.seq).tap();
      await byId(page, 'risk-pending-state-' + r.seq).waitFor({ state: 'visible' });
    }
    const rp = byId(page, 'ticket-risks-progress');
    assert.equal(await rp.getAttribute('data-done'), await rp.getAttribute('data-total'));

    // ------------------------------------------------ own attendance; the survey's notes
    await openStep(page, 'briefing');
    await byId(page, 'briefing-sign').tap();
    await waitText(page, 'briefing-member-' + fx.leader.id, fx.leader.display_name);
    await byId(page, 'briefing-sign').waitFor({ state: 'detached' });
    // what only the server can prove (a member's mark with their password) says so offline and queues nothing
    await byId(page, 'briefing-onscreen-' + fx.crew2.id).tap();
    await byId(page, 'onscreen-dialog').waitFor({ state: 'visible' });
    const pad = byId(page, 'onscreen-pad');
    await pad.scrollIntoViewIfNeeded();
    const box = await pad.boundingBox();
    await page.mouse.move(box.x + 20, box.y + box.height / 2);
    await page.mouse.down();
    for (let i = 1; i <= 8; i++) await page.mouse.move(box.x + 20 + i * (box.width - 40) / 8, box.y + box.height / 2 + (i % 2 ? -15 : 15));
    await page.mouse.up();
    await byId(page, 'onscreen-dialog-password').fill(PASSWORD);
    await byId(page, 'onscreen-dialog-submit').click();
    await waitText(page, 'onscreen-dialog-error', zh['offline.needs_server'].slice(0, 12));
    await page.screenshot({ path: '/tmp/fg-offline-needs-server.png' });
    await byId(page, 'onscreen-dialog-cancel').click();
    await byId(page, 'onscreen-dialog').waitFor({ state: 'detached' });
    await openStep(page, 'survey');
    await byId(page, 'survey-edit').tap();
    await byId(page, 'survey-notes').fill('离线备注 ' + TAG);
    await byId(page, 'survey-submit').tap();
    await byId(page, 'survey-edit').waitFor({ state: 'visible' });

    // ------------------------------------------------ tools by scan: a proposed one checked out, one returned
    await page.goto(FG_URL + '/scan?plan=' + plan.id);
    await byId(page, 'scan-page').waitFor({ state: 'visible' });
    const scan = async (asset) => {
      await byId(page, 'scan-asset').fill(asset);
      await byId(page, 'scan-submit').tap();
    };
    await scan(tools.proposed[0].asset_no);
    await byId(page, 'scan-checkout').tap();
    await byId(page, 'scan-done').waitFor({ state: 'visible' });
    await scan(tools.out[0].asset_no);
    await byId(page, 'scan-return').tap();
    await waitText(page, 'scan-done', tools.out[0].asset_no);
    // a tool the phone knows nothing of: offline, it says so (the server would have to decide)
    await scan(tools.stranger.asset_no);
    await waitText(page, 'scan-read-error', zh['scan.offline_unknown'].slice(0, 10));
    await page.screenshot({ path: '/tmp/fg-offline-scan.png' });
    await page.goto(FG_URL + '/jobs/' + plan.id);
    await byId(page, 'job-detail-status').waitFor({ state: 'visible' });

    const keys = ticket.risks.filter((r) => r.evidence === 'photo').length;
    const queued = 2 + keys + ticket.risks.length + 1 + 1 + 2; // measures, photos, risks, attendance, survey, tools
    assert.equal(await byId(page, 'outbox-count').getAttribute('data-n'), String(queued));
    assert.deepEqual(writes.seen, [], 'nothing reached the server offline');
    // a reload offline keeps what waits
    await page.reload();
    await openStep(page, 'risks');
    await byId(page, 'risk-pending-state-' + ticket.risks[0].seq).waitFor({ state: 'visible' });
    assert.equal(await byId(page, 'outbox-count').getAttribute('data-n'), String(queued));
    await page.screenshot({ path: '/tmp/fg-offline-queued.png' });

    // meanwhile someone changes the survey on the server
    const cur = await must('GET', `/plans/${plan.id}/survey`);
    const theirs = await must('PUT', `/plans/${plan.id}/survey`, { place: cur.place, content: cur.content, notes: '服务器备注 ' + TAG, version: cur.version }, fx.issuer.token);

    // ------------------------------------------------ online: the replay, the conflict, resolved
    const writes2 = recordWrites(page);
    await context.setOffline(false);
    await byId(page, 'conflict-dialog').waitFor({ state: 'visible' });
    await waitText(page, 'conflict-mine-notes', '离线备注 ' + TAG);
    await waitText(page, 'conflict-theirs-notes', '服务器备注 ' + TAG);
    // the replay waits on the person's choice, its progress on screen: everything done before the survey sent
    const before = 2 + keys + ticket.risks.length + 1;
    const progress = page.locator(`[data-testid="sync-progress"][data-sent="${before}"][data-total="${queued}"]`);
    await progress.waitFor({ state: 'attached' });
    assert.equal(await progress.textContent(), zh['offline.progress'].replace('{sent}', before).replace('{total}', queued));
    await page.screenshot({ path: '/tmp/fg-offline-conflict.png' });
    const kept = page.waitForResponse((r) => isApi(r, 'PUT', `/plans/${plan.id}/survey`) && r.status() === 200);
    await byId(page, 'conflict-keep-mine').tap();
    await kept;
    await waitSynced(page);
    writes2.stop();

    // everything landed once, in the order it was done, each with its own key and device time
    const sent = writes2.seen.filter((w) => w.status < 300);
    assert.equal(sent.length, queued, JSON.stringify(writes2.seen));
    assert.equal(new Set(sent.map((w) => w.key)).size, sent.length, 'one key each');
    const devs = sent.map((w) => Number(w.device));
    assert.deepEqual(devs, [...devs].sort((a, b) => a - b), 'sent in the order done');
    const refused = writes2.seen.filter((w) => w.status >= 300);
    assert.deepEqual(refused.map((w) => [w.path, w.status]), [[`/plans/${plan.id}/survey`, 409]], 'only the conflict was refused');

    const tk = await must('GET', `/tickets/${ticket.id}`);
    for (const r of tk.risks) {
      assert.ok(r.confirmed_at && r.confirm_device_at, 'risk confirmed with the device time');
      assert.ok(r.confirm_device_at <= r.confirmed_at, 'done offline before it reached the server');
      if (r.evidence === 'photo') assert.ok(r.evidence_id && !r.evidence_id.startsWith('local:'), 'the key photo uploaded first');
    }
    const byDev = [...tk.risks].sort((a, b) => a.confirm_device_at - b.confirm_device_at).map((r) => r.id);
    const byServer = [...tk.risks].sort((a, b) => a.confirmed_at - b.confirmed_at).map((r) => r.id);
    assert.deepEqual(byServer, byDev, 'the server took them in the order they were done');
    for (const m of extra.slice(-2)) {
      const x = tk.measures.find((y) => y.id === m.id);
      assert.equal(x.done_by, fx.leader.id);
      assert.ok(x.done_device_at && x.done_device_at <= x.done_at);
    }
    const b = await must('GET', `/plans/${plan.id}/briefing`);
    const mine = b.attendance.filter((a) => a.user_id === fx.leader.id);
    assert.equal(mine.length, 1);
    assert.ok(mine[0].device_at);
    const sv = await must('GET', `/plans/${plan.id}/survey`);
    assert.equal(sv.notes, '离线备注 ' + TAG, 'kept mine, as chosen');
    assert.equal(sv.version, theirs.version + 1, 'over the server\'s version, not beside it');
    assert.ok(sv.device_at);
    const tA = await must('GET', `/tools/${tools.proposed[0].id}`);
    assert.equal(tA.custody, 'checked_out');
    assert.equal(tA.plan_id, plan.id);
    assert.equal(tA.holder_id, fx.leader.id);
    assert.ok(tA.checkout_device_at && tA.checkout_device_at <= tA.checked_out_at);
    assert.equal((await must('GET', `/tools/${tools.out[0].id}`)).custody, 'in_store', 'returned');
    await page.screenshot({ path: '/tmp/fg-offline-synced.png' });

    // ------------------------------------------------ the job starts; steps recorded offline with readings and a photo
    await must('POST', `/plans/${plan.id}/briefing/actions/sign`, {}, fx.crew2.token);
    await must('POST', `/tools/${tools.out[0].id}/actions/checkout`, { plan_id: plan.id }, fx.leader.token);
    const t2 = await must('GET', `/tickets/${ticket.id}`);
    for (const m of t2.measures.filter((x) => !x.done_at)) await must('POST', `/tickets/${ticket.id}/measures/${m.id}/actions/confirm`, {}, fx.permitter.token);
    await must('POST', `/tickets/${ticket.id}/actions/permit`, { password: PASSWORD, permit_method: 'onsite' }, fx.permitter.token);
    await must('POST', `/plans/${plan.id}/actions/start`, { version: (await must('GET', `/plans/${plan.id}`)).version }, fx.leader.token);
    await page.reload();
    await offlineReady(page);
    await openStep(page, 'steps');
    await context.setOffline(true);
    await waitText(page, 'net-offline', zh['offline.banner'].slice(0, 2));
    const s1 = byId(page, `step-${order.number}-1`);
    await s1.locator('[data-testid="step-rec-tools_in_date-yes"]').check();
    await s1.locator('[data-testid="step-rec-customer_notified-yes"]').check();
    await byId(page, 'step-submit').tap();
    await s1.locator('[data-testid="step-pending"]').waitFor({ state: 'visible' });
    const s2 = byId(page, `step-${order.number}-2`);
    await s2.locator('[data-testid="step-rec-account_no"]').fill('0101' + TAG);
    await s2.locator('[data-testid="step-rec-old_meter_asset_no"]').fill('MA-2024-0001');
    await s2.locator('[data-testid="step-rec-old_seal_nos"]').fill('F123456 完好');
    await s2.locator('[data-testid="step-photo-input"]').setInputFiles({ name: 'box.jpg', mimeType: 'image/jpeg', buffer: jpeg });
    await s2.locator('[data-testid="step-photo-list"] img').first().waitFor({ state: 'visible' });
    await byId(page, 'step-submit').tap();
    await s2.locator('[data-testid="step-pending"]').waitFor({ state: 'visible' });
    await waitText(page, 'step-reading-old_meter_asset_no', 'MA-2024-0001');
    assert.equal(await byId(page, 'outbox-count').getAttribute('data-n'), '3');
    await page.screenshot({ path: '/tmp/fg-offline-steps.png' });
    const writes3 = recordWrites(page);
    await context.setOffline(false);
    await waitSynced(page);
    writes3.stop();
    assert.deepEqual(writes3.seen.map((w) => [w.method, w.path, w.status]), [
      ['POST', `/plans/${plan.id}/steps`, 201], ['POST', '/attachments', 201], ['POST', `/plans/${plan.id}/steps`, 201]]);
    const st = await must('GET', `/plans/${plan.id}/steps`);
    const [d1, d2] = st.items[0].steps.slice(0, 2).map((x) => x.done);
    assert.ok(d1 && d2, 'both steps recorded');
    assert.equal(d2.records.old_meter_asset_no, 'MA-2024-0001');
    assert.ok(d1.device_at && d2.device_at && d1.device_at < d2.device_at && d2.device_at <= d2.done_at);
    assert.equal(d2.photos.length, 1);
    assert.ok(!d2.photos[0].attachment_id.startsWith('local:'));
    assert.equal(st.progress.done, 2, 'each step once');
    await byId(page, `step-${order.number}-2`).locator('[data-testid="step-pending"]').waitFor({ state: 'detached' });
    await page.screenshot({ path: '/tmp/fg-offline-steps-synced.png' });
    // the photos already taken open offline too (kept on the phone under the server's id)
    await context.setOffline(true);
    await page.reload();
    await openStep(page, 'steps');
    await byId(page, `step-${order.number}-2`).locator('[data-testid="step-photos"] img').first().waitFor({ state: 'visible' });
    await context.setOffline(false);
    assert.deepEqual(problems, []);
  } finally {
    await context.close();
  }
});

// The metering centre's large screen (issue 12 item 7, R1.5; docs/api.md "Metering: large screen"): display links made,
// listed and revoked by a metering admin; the data route opened with a link's token and no user session; a staff
// token is not a display link and a display link is not a staff token; the panels follow what the test creates;
// the response cache answers a wall of screens from one build.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { api, userWithToken, expectStatus, expectError, uniq, LABEL } from './lib.mjs';
import { people, publishedPlan, today } from './fieldwork_lib.mjs';
import { appStaff, createApplication, walk } from './lib_applications.mjs';

const data = (token, headers = {}) => api('GET', '/screen/data', { token, headers });

async function newLink(token, name = uniq('大屏-')) {
  const res = await api('POST', '/screen/links', { token, body: { name } });
  expectStatus(res, 201);
  return res.json;
}

test(`${LABEL} screen: a metering admin makes, lists and revokes display links; the token is shown once`, async () => {
  const admin = await userWithToken(['metering']);
  const link = await newLink(admin.token, '计量中心大厅');
  assert.match(link.token, /^[A-Za-z0-9_-]{43}$/);
  assert.equal(link.name, '计量中心大厅');
  assert.equal(link.created_by.id, admin.user.id);
  assert.equal(link.revoked_at, null);
  assert.equal(link.last_used_at, null);
  assert.equal(link.path, `/screen.html#t=${link.token}`, 'the token travels in the fragment, never sent to a server');
  assert.equal(link.url, undefined);
  // with the desk's origin: the whole URL and its QR code
  const withQr = await api('POST', '/screen/links', { token: admin.token, body: { name: '调度大厅', base_url: 'https://fg.example.cn:8443' } });
  expectStatus(withQr, 201);
  assert.equal(withQr.json.url, `https://fg.example.cn:8443/screen.html#t=${withQr.json.token}`);
  assert.match(withQr.json.qr_svg, /^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"[^>]*>.*<path fill="#000" d="M/);
  assert.notEqual(withQr.json.token, link.token);
  for (const bad of ['javascript:alert(1)', 'https://x/path', 'https://x#t=1', 'https://a b', 'ftp://x'])
    expectError(await api('POST', '/screen/links', { token: admin.token, body: { name: 'x', base_url: bad } }), 400, 'invalid_field', 'base_url');
  // missing name
  expectError(await api('POST', '/screen/links', { token: admin.token, body: {} }), 400, 'missing_field', 'name');
  expectError(await api('POST', '/screen/links', { token: admin.token, body: { name: '   ' } }), 400, 'missing_field', 'name');
  const list = await api('GET', '/screen/links', { token: admin.token });
  expectStatus(list, 200);
  const row = list.json.items.find((x) => x.id === link.id);
  assert.ok(row, 'the new link is listed');
  assert.equal(row.token, undefined, 'the list never carries a token');
  assert.ok(!JSON.stringify(list.json).includes(link.token), 'nor its value anywhere');
  for (const k of ['path', 'url', 'qr_svg']) assert.equal(row[k], undefined);
  // in use: its last use noted
  expectStatus(await data(link.token), 200);
  const used = (await api('GET', '/screen/links', { token: admin.token })).json.items.find((x) => x.id === link.id);
  assert.ok(used.last_used_at >= link.created_at, 'last used');
  // revoke (a manager may too), twice is harmless
  const mgr = await userWithToken(['manager']);
  const rv = await api('POST', `/screen/links/${link.id}/actions/revoke`, { token: mgr.token });
  expectStatus(rv, 200);
  assert.ok(rv.json.revoked_at >= link.created_at);
  assert.equal(rv.json.revoked_by.id, mgr.user.id);
  const again = await api('POST', `/screen/links/${link.id}/actions/revoke`, { token: admin.token });
  expectStatus(again, 200);
  assert.equal(again.json.revoked_at, rv.json.revoked_at);
  assert.equal(again.json.revoked_by.id, mgr.user.id);
  expectError(await api('POST', '/screen/links/00000000-0000-7000-8000-000000000000/actions/revoke', { token: admin.token }), 404, 'not_found');
  // the screen's next refresh is refused with its own code
  expectError(await data(link.token), 403, 'screen_link_revoked');
  // who may not manage links
  for (const roles of [['dispatcher'], ['viewer'], ['crew']]) {
    const u = await userWithToken(roles);
    expectError(await api('GET', '/screen/links', { token: u.token }), 403, 'forbidden');
    expectError(await api('POST', '/screen/links', { token: u.token, body: { name: 'x' } }), 403, 'forbidden');
  }
});

test(`${LABEL} screen: the link opens the data with no session; a staff token is no display link, nor the reverse`, async () => {
  const admin = await userWithToken(['metering']);
  const link = await newLink(admin.token);
  const res = await data(link.token);
  expectStatus(res, 200);
  assert.equal(res.headers.get('set-cookie'), null, 'no session is made');
  assert.equal(res.json.date, today());
  assert.equal(res.json.link.name, link.name);
  for (const k of ['jobs', 'on_time', 'clocks', 'rotation', 'collection']) assert.ok(res.json.panels[k], `panel ${k}`);
  // no credentials, a staff session's token (even the admin's who made the link), a malformed or unknown token
  expectError(await data(undefined), 401, 'screen_link_invalid');
  expectError(await data(admin.token), 401, 'screen_link_invalid');
  expectError(await data(link.token.slice(1) + 'A'), 401, 'screen_link_invalid');
  expectError(await data('x'), 401, 'screen_link_invalid');
  // the token in the query is not read (URLs end up in logs)
  expectError(await api('GET', `/screen/data?t=${link.token}`), 401, 'screen_link_invalid');
  // and a display link's token signs nobody in
  expectError(await api('GET', '/me', { token: link.token }), 401, 'unauthenticated');
  expectError(await api('GET', '/screen/links', { token: link.token }), 401, 'unauthenticated');
});

test(`${LABEL} screen: the panels count a plan of today and an application created here`, async () => {
  const admin = await userWithToken(['metering']);
  const link = await newLink(admin.token);
  const before = (await data(link.token)).json.panels;
  const p = await people();
  await publishedPlan(p, { ready: false });
  const s = await appStaff();
  const app = await createApplication(s.counter.token, 'lv_residential');
  // leaving the accepted stage within its limit: one stage on time this month
  await walk(s, app, 'survey');
  const res = await data(link.token);
  expectStatus(res, 200);
  assert.notEqual(res.headers.get('x-cache'), 'hit', 'the writes invalidated the kept answer');
  const after = res.json.panels;
  assert.equal(after.jobs.total, before.jobs.total + 1);
  assert.equal(after.jobs.by_status.published, before.jobs.by_status.published + 1);
  assert.equal(after.jobs.gates.blocked, before.jobs.gates.blocked + 1, 'no permitted ticket yet: the ticket gate is closed');
  const track = (x) => x.clocks.tracks.find((t) => t.track === 'lv_residential');
  assert.equal(track(after).open, track(before).open + 1);
  assert.equal(after.clocks.open, before.clocks.open + 1);
  assert.equal(after.on_time.applications.ended, before.on_time.applications.ended + 1);
  assert.equal(after.on_time.applications.on_time, before.on_time.applications.on_time + 1);
  const st = after.on_time.applications.by_stage.find((x) => x.stage === 'accepted');
  assert.ok(st && st.on_time >= 1);
  assert.ok(after.on_time.applications.rate > 0 && after.on_time.applications.rate <= 1);
  assert.match(after.on_time.month, /^\d{4}-\d{2}$/);
});

test(`${LABEL} screen: a wall of screens is answered from one build, with ETags; a revocation reaches the next poll`, async () => {
  const admin = await userWithToken(['metering']);
  const link = await newLink(admin.token);
  // the first use notes the link's use (a write: not kept); then one build is kept
  let first;
  for (let i = 0; i < 20 && first?.headers.get('x-cache') !== 'hit'; i++) first = await data(link.token);
  assert.equal(first.headers.get('x-cache'), 'hit', 'the answer is kept');
  const etag = first.headers.get('etag');
  assert.match(etag, /^"[0-9a-f]{32}"$/);
  // twenty screens at once: all (but a rebuild when the age runs out mid-burst, or a background job's write) from
  // the cache, one answer; a few bursts bound the chance of those
  let best = 0;
  for (let burst = 0; burst < 5 && best < 19; burst++) {
    const all = await Promise.all(Array.from({ length: 20 }, () => data(link.token)));
    for (const r of all) expectStatus(r, 200);
    best = Math.max(best, all.filter((r) => r.headers.get('x-cache') === 'hit').length);
  }
  assert.ok(best >= 19, `twenty screens, ${best} from the cache`);
  // an unchanged answer: 304
  const cur = await data(link.token);
  const nm = await data(link.token, { 'if-none-match': cur.headers.get('etag') });
  assert.equal(nm.status, 304);
  // the kept answer is never given once the link is revoked
  expectStatus(await api('POST', `/screen/links/${link.id}/actions/revoke`, { token: admin.token }), 200);
  expectError(await data(link.token), 403, 'screen_link_revoked');
  expectError(await data(link.token, { 'if-none-match': cur.headers.get('etag') }), 403, 'screen_link_revoked');
});

// bench/web: what the web app costs a weak phone (issue 14 item 2; bench/README.md "Web"). Driven by run.sh.
//   node bench/web/bench.mjs measure URL LABEL > file.json   the four loads against one server
//   node bench/web/bench.mjs report on.json off.json         the table, the goals beside it
// Each load runs in Debian's chromium (playwright-core) with the DevTools "Fast 3G" profile (562.5 ms latency,
// 180 000 B/s down, 84 375 B/s up) and the CPU slowed 4× (CDP Network.emulateNetworkConditions and
// Emulation.setCPUThrottlingRate), at 390 × 844. Bytes transferred are what crossed the wire (CDP
// encodedDataLength: headers and bodies as sent, compressed when compressed), split into the app's files and API
// calls. Time to interactive is from the start of navigation to the moment the page's control is on screen with
// its data (login: the sign-in button; job page: the job's state line, drawn after its reads), taken in the page
// by a MutationObserver, not by polling from outside.
//   cold: a new browser profile (empty cache); warm: a new tab in the same profile afterwards (the app opened again).
import { readFileSync } from 'node:fs';
import { chromium } from 'playwright-core';

const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
const FAST3G = { offline: false, latency: 562.5, downloadThroughput: 180000, uploadThroughput: 84375 };
const CPU_SLOWDOWN = 4;
const PHONE = { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 };
const DEMO = JSON.parse(readFileSync(new URL('../../data/demo/fieldwork.json', import.meta.url), 'utf8'));

async function apiLogin(base, username, password) {
  const res = await fetch(base + '/api/v1/auth/login', {
    method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ username, password }),
  });
  if (res.status !== 200) throw new Error(`login ${username}: HTTP ${res.status}`);
  return (await res.json()).token;
}

/** A crew member (not the leader) of a demo job under way, and that job's id. */
async function crewJob(base, password) {
  for (const job of DEMO.jobs.filter((j) => j.state === 'working').concat(DEMO.jobs)) {
    for (const user of job.crew || []) {
      const token = await apiLogin(base, user, password);
      const res = await fetch(base + '/api/v1/me/jobs', { headers: { Authorization: 'Bearer ' + token } });
      const body = await res.json();
      const items = body.items || body;
      if (Array.isArray(items) && items.length) return { user, token, id: items[0].id };
    }
  }
  throw new Error('no demo crew member with a job');
}

// records when the selector first shows, in the page's own clock (ms since navigation start)
const watch = (selector) => {
  const done = () => { window.__fgReady = performance.now(); };
  const check = () => {
    const el = document.querySelector(selector);
    if (el && el.getClientRects().length && !window.__fgReady) { done(); return true; }
    return false;
  };
  new MutationObserver((_, obs) => { if (check()) obs.disconnect(); })
    .observe(document, { childList: true, subtree: true, characterData: true, attributes: true });
};

async function load(context, url, selector) {
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  await cdp.send('Network.enable');
  await cdp.send('Network.emulateNetworkConditions', FAST3G);
  await cdp.send('Emulation.setCPUThrottlingRate', { rate: CPU_SLOWDOWN });
  const urls = new Map();
  const out = { requests: 0, cached: 0, static_bytes: 0, api_bytes: 0 };
  const t0 = new Map();
  cdp.on('Network.requestWillBeSent', (e) => { urls.set(e.requestId, e.request.url); t0.set(e.requestId, e.timestamp); });
  cdp.on('Network.responseReceived', (e) => { if (e.response.fromDiskCache || e.response.fromPrefetchCache) out.cached++; });
  cdp.on('Network.loadingFinished', (e) => {
    const u = urls.get(e.requestId) || '';
    if (u.startsWith('data:')) return;
    out.requests++;
    if (process.env.FG_BENCH_VERBOSE) {
      const first = Math.min(...t0.values());
      console.error(`  ${((t0.get(e.requestId) - first) * 1000).toFixed(0).padStart(6)} → ${((e.timestamp - first) * 1000).toFixed(0).padStart(6)} ms ${String(e.encodedDataLength).padStart(7)} B  ${u.replace(/^https?:\/\/[^/]+/, '')}`);
    }
    if (new URL(u).pathname.startsWith('/api/')) out.api_bytes += e.encodedDataLength;
    else out.static_bytes += e.encodedDataLength;
  });
  if (process.env.FG_BENCH_VERBOSE) console.error('== ' + url);
  await page.addInitScript(watch, selector);
  await page.goto(url, { waitUntil: 'commit' });
  await page.waitForFunction(() => window.__fgReady, null, { timeout: 60_000, polling: 50 });
  out.interactive_ms = Math.round(await page.evaluate(() => window.__fgReady));
  // let what the page still asks for after it is usable land too (it is part of what the load costs)
  await page.waitForLoadState('networkidle', { timeout: 30_000 }).catch(() => {});
  out.bytes = out.static_bytes + out.api_bytes;
  await page.close();
  return out;
}

async function measure(base, label) {
  const password = process.env.FIELDGRID_DEMO_PASSWORD;
  // API_URL: where to sign in from node when the pages go through a proxy with a self-signed certificate
  const job = await crewJob((process.env.API_URL || base).replace(/\/+$/, ''), password);
  const args = ['--no-sandbox'];
  if (process.env.CHROME_SPKI) args.push('--ignore-certificate-errors-spki-list=' + process.env.CHROME_SPKI);
  const browser = await chromium.launch({ executablePath: CHROMIUM, args });
  const rows = [];
  try {
    // the login page, as a person opening the app's address with no session
    let ctx = await browser.newContext(PHONE);
    rows.push({ page: 'login', run: 'cold', ...(await load(ctx, base + '/login', '[data-testid="login-submit"]')) });
    rows.push({ page: 'login', run: 'warm', ...(await load(ctx, base + '/login', '[data-testid="login-submit"]')) });
    await ctx.close();
    // the crew member's job page, opened from a link with a session (the token where the app keeps it)
    ctx = await browser.newContext(PHONE);
    await ctx.addInitScript((tok) => sessionStorage.setItem('fg.token', tok), job.token);
    const url = base + '/jobs/' + encodeURIComponent(job.id);
    rows.push({ page: 'job', run: 'cold', ...(await load(ctx, url, '[data-testid="job-next-state"]')) });
    rows.push({ page: 'job', run: 'warm', ...(await load(ctx, url, '[data-testid="job-next-state"]')) });
    await ctx.close();
  } finally {
    await browser.close();
  }
  return { label, user: job.user, rows };
}

function report(files) {
  const runs = files.map((f) => JSON.parse(readFileSync(f, 'utf8')));
  const kb = (n) => (n / 1024).toFixed(1).padStart(7);
  console.log('bench/web: Fast 3G (562.5 ms, 180 000 B/s down), CPU 4× slower, 390 × 844; KB = 1024 bytes on the wire');
  console.log(`job page: a crew member's (${runs[0].user})\n`);
  console.log('page   run   server                    requests  from cache   app KB   API KB  total KB  interactive');
  for (const page of ['login', 'job']) {
    for (const run of ['cold', 'warm']) {
      for (const r of runs) {
        const x = r.rows.find((y) => y.page === page && y.run === run);
        console.log(`${page.padEnd(6)} ${run.padEnd(5)} ${r.label.padEnd(25)} ${String(x.requests).padStart(8)} ${String(x.cached).padStart(11)} ${kb(x.static_bytes)}  ${kb(x.api_bytes)}  ${kb(x.bytes)}  ${(x.interactive_ms / 1000).toFixed(2).padStart(9)} s`);
      }
    }
  }
  const kb1 = (n) => kb(n).trim();
  const mark = (ok) => (ok ? 'met' : 'NOT met');
  // what the service worker fetches for offline use once the first page is idle (web/sw.js, the build's list): not in
  // the loads above (a worker's requests are not the page's), and partly the same files, which the browser may give
  // it from its cache
  try {
    const web = new URL('../../build/web/', import.meta.url);
    const assets = JSON.parse(readFileSync(new URL('assets.json', web), 'utf8')).files;
    const byUrl = new Map(Object.entries(assets).map(([plain, e]) => [e.url || plain, e]));
    const shell = [...readFileSync(new URL('sw.js', web), 'utf8').matchAll(/"url":"([^"]+)"/g)].map((m) => m[1]);
    const br = shell.reduce((a, u) => a + ((byUrl.get(u) || {}).br || (byUrl.get(u) || {}).size || 0), 0);
    console.log(`\noffline copy of the app shell (the service worker, once the first page is idle): ${shell.length} files, ` +
      `${kb(br).trim()} KB as brotli at most`);
  } catch { /* no build/web beside the bench: nothing to add */ }
  for (const r of runs.filter((x, i) => i === 0 || /nginx/.test(x.label))) {
    const get = (page, run) => r.rows.find((y) => y.page === page && y.run === run);
    const coldMax = Math.max(get('login', 'cold').bytes, get('job', 'cold').bytes);
    const warmApp = Math.max(get('login', 'warm').static_bytes, get('job', 'warm').static_bytes);
    const warmAll = Math.max(get('login', 'warm').bytes, get('job', 'warm').bytes);
    const tti = get('job', 'cold').interactive_ms;
    const how = /nginx/.test(r.label)
      ? 'as a site runs it (docs/nginx: TLS, HTTP/2, every request on one connection)'
      : 'the server alone (HTTP/1.1: a browser opens 6 connections to a host, each request waits its turn)';
    console.log(`\ngoals, ${r.label}: ${how}`);
    console.log(`  <= 150 KB transferred cold (either page, all bytes): ${kb1(coldMax)} KB, ${mark(coldMax <= 150 * 1024)}`);
    console.log(`  <= 5 KB transferred warm (either page): app files ${kb1(warmApp)} KB, ${mark(warmApp <= 5 * 1024)}; with the API reads ${kb1(warmAll)} KB, ${mark(warmAll <= 5 * 1024)}`);
    console.log(`  job page interactive <= 3 s cold: ${(tti / 1000).toFixed(2)} s, ${mark(tti <= 3000)}`);
  }
}

const [cmd, ...args] = process.argv.slice(2);
if (cmd === 'measure') console.log(JSON.stringify(await measure(args[0].replace(/\/+$/, ''), args[1] || args[0])));
else if (cmd === 'report') report(args);
else { console.error('usage: bench.mjs measure URL LABEL | report ON.json OFF.json'); process.exit(2); }

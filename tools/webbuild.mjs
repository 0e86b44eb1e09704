#!/usr/bin/env node
// Builds the web app as the server serves it: build/web/ from web/ (and the npm browser libraries), run by `make`.
//   node tools/webbuild.mjs [SRC=web] [OUT=build/web] [NODE_MODULES=node_modules]
//
// What it writes (docs/operations.md "The web app's files", docs/web.md "How it loads"):
//   - every file of web/ under its own name, the JavaScript modules in place of their sources as bundled and
//     minified per page (tools/webbundle.mjs), the strings also split per page (tools/webstrings.mjs), plus
//     FILE.br (brotli, quality 11) and FILE.gz (gzip -9) for text files where compressing saves bytes. The server
//     picks one by Accept-Encoding and never compresses per request.
//   - assets.json: each file's content hash (12 hex digits of SHA-256) and, for everything but the HTML pages, its
//     hashed URL (/js/app.js -> /js/app.<hash>.js). The server answers a hashed URL with the plain file, cached for
//     a year as immutable; the plain URL with no-cache and an ETag. The service worker (issue 14 item 1) reads the
//     same list.
//   - the HTML pages with their links rewritten to hashed URLs and an import map mapping each file's plain URL to
//     its hashed URL. The bundles import one another by plain name (import './c/x.js'): the browser resolves it to
//     /js/c/x.js and then maps it. So a changed file changes only its own name and the (no-cache) page, not the
//     names of every file importing it, as rewriting import statements would.
//   - each page's plan of strings (#fg-strings); index.html also carries what each lazily loaded module needs
//     (#fg-modules), so the router asks for all of a page's files at once instead of one import level per round
//     trip, and the inline early script (web/js/early.js).
// The build is deterministic: the same sources give the same bytes (gzip carries no name or time).
import { readFileSync, writeFileSync, mkdirSync, readdirSync, statSync, rmSync, renameSync, existsSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { brotliCompressSync, gzipSync, constants } from 'node:zlib';
import path from 'node:path';
import { bundleApp, bundleInline, staticClosure } from './webbundle.mjs';
import { splitStrings } from './webstrings.mjs';

const [SRC = 'web', OUT = 'build/web', NODE_MODULES = 'node_modules'] = process.argv.slice(2);
// The npm files the app asks for under /vendor/ (the same list as src/core/http/static.c's, which serves them
// from node_modules when the server is pointed at web/ itself).
const VENDOR = {
  'vendor/jsqr.js': 'jsqr/dist/jsQR.js', // QR decoding where the browser has no BarcodeDetector
  'vendor/echarts.js': 'echarts/dist/echarts.min.js', // the KPI pages' and the large screen's charts
  'vendor/dexie.js': 'dexie/dist/modern/dexie.min.mjs', // the offline outbox and copies (IndexedDB; js/offline/)
  // the service worker's (web/sw.js) Workbox runtime: workbox-sw loads the others by name through the map the build
  // writes into sw.js, so they keep hashed, immutable names like every other file
  'vendor/workbox/workbox-sw.js': 'workbox-sw/build/workbox-sw.js',
  'vendor/workbox/workbox-core.prod.js': 'workbox-core/build/workbox-core.prod.js',
  'vendor/workbox/workbox-precaching.prod.js': 'workbox-precaching/build/workbox-precaching.prod.js',
  'vendor/workbox/workbox-routing.prod.js': 'workbox-routing/build/workbox-routing.prod.js',
  'vendor/workbox/workbox-strategies.prod.js': 'workbox-strategies/build/workbox-strategies.prod.js',
};
// The service worker keeps its plain name (a worker's URL is its identity: a new name would be a second worker) and
// gets, in place of self.__FG_PRECACHE and self.__FG_WORKBOX, the app shell's hashed URLs and Workbox's modules. The
// same job as workbox-build's injectManifest, done here because this build already hashes every file (workbox-build
// would hash them again, and brings rollup and babel for a string replacement).
const SW = 'sw.js';
// The app shell the worker keeps: what a crew member's phone opens — the app (login, shell, dashboard), 我的作业 and
// the job page, 工作票, 工器具 with the scan page, the offline code and everything these import — with the styles,
// their strings in both languages, the icon and jsQR (Dexie is in the offline code's file). The desk's pages load
// from the network when first opened (offline they say so); ECharts, the portal and the large screen are not the
// phone's; Workbox's own files stay out (the browser keeps a worker's imported scripts with the worker).
const SHELL_MODULES = ['app.js', 'dashboard.js', 'jobs.js', 'tickets.js', 'tools.js', 'offline/sync.js'];
const SHELL_FILES = (rel) => rel === 'css/app.css' || rel === 'favicon.svg' || rel === 'vendor/jsqr.js';
const COMPRESSIBLE = new Set(['.html', '.js', '.mjs', '.css', '.json', '.svg', '.txt', '.webmanifest']);
const HASH_LEN = 12;

function walk(dir, rel = '') {
  const out = [];
  for (const name of readdirSync(path.join(dir, rel)).sort()) {
    if (name.startsWith('.')) continue; // the server never serves hidden files either
    const r = rel ? rel + '/' + name : name;
    const st = statSync(path.join(dir, r));
    if (st.isDirectory()) out.push(...walk(dir, r));
    else if (st.isFile()) out.push(r);
  }
  return out;
}

const hash = (buf) => createHash('sha256').update(buf).digest('hex').slice(0, HASH_LEN);
const hashedName = (rel, h) => {
  const dot = rel.lastIndexOf('.');
  return dot > rel.lastIndexOf('/') + 1 ? `${rel.slice(0, dot)}.${h}${rel.slice(dot)}` : null;
};

// sources: relative path -> bytes
const files = new Map();
for (const rel of walk(SRC)) files.set(rel, readFileSync(path.join(SRC, rel)));
for (const [rel, npm] of Object.entries(VENDOR)) {
  const p = path.join(NODE_MODULES, npm);
  if (existsSync(p)) files.set(rel, readFileSync(p));
  else console.warn(`webbuild: ${p} missing (run npm ci): /${rel} will not be served`);
}

const isPage = (rel) => rel.endsWith('.html');
// The modules as served: bundled and minified per HTML page (tools/webbundle.mjs), in place of the sources.
const entryOf = (html) => /<script type="module" src="\/js\/([^"]+)"/.exec(html)?.[1];
const ENTRIES = [...files].filter(([rel]) => isPage(rel)).map(([, buf]) => entryOf(buf.toString('utf8'))).filter(Boolean);
const bundle = await bundleApp(SRC, NODE_MODULES, VENDOR, [...new Set(ENTRIES)]);
// index.html's inline script that starts a job page's requests with the page (web/js/early.js)
const EARLY = await bundleInline(SRC, 'early.js');
for (const rel of [...files.keys()]) if (rel.startsWith('js/') && rel.endsWith('.js')) files.delete(rel);
for (const [rel, buf] of bundle.files) files.set(rel, buf);
const closure = (file) => staticClosure(bundle.deps, file);
// what the router asks for at once when it opens a lazily loaded module (assets.js preloadModules): the module's
// file and the files it imports, less what the app's own script has loaded already
const BOOT = new Set(closure('app.js'));
const PRELOAD = {};
for (const [m, file] of [...bundle.lazy].sort()) PRELOAD[m] = closure(file).filter((f) => !BOOT.has(f));

// The strings split by what each page's files use (tools/webstrings.mjs). The offline side (a lazy import) loads on
// every page once someone is signed in: its strings come with the app's own.
const WITH_APP = new Set(['offline/sync.js']);
const strings = splitStrings(
  Object.fromEntries(['zh-CN', 'en'].map((l) => [l, JSON.parse(files.get(`i18n/${l}.json`).toString('utf8'))])),
  (f) => bundle.files.get('js/' + f).toString('utf8'),
  ENTRIES.map((entry) => {
    const lazy = [...bundle.byEntry[entry]];
    const always = [...closure(entry), ...lazy.filter(([m]) => WITH_APP.has(m)).flatMap(([, f]) => closure(f))];
    return { entry, files: always, lazy: Object.fromEntries(lazy.filter(([m]) => !WITH_APP.has(m)).map(([m, f]) => [m, closure(f)])) };
  }));
for (const [rel, buf] of strings.files) files.set(rel, buf);

// hashed URLs of everything but the pages (a page's URL is what people type and bookmark)
const url = new Map(); // '/js/app.js' -> '/js/app.<hash>.js'
for (const [rel, buf] of files) {
  if (rel === SW) continue;
  const hashed = isPage(rel) ? null : hashedName(rel, hash(buf)); // a name without an extension keeps its name
  if (hashed) url.set('/' + rel, '/' + hashed);
}

const escJson = (o) => JSON.stringify(o).replace(/</g, '\\u003c');
const scriptHashes = [];
function rewritePage(rel, html) {
  const entry = entryOf(html);
  // links to our own files -> hashed URLs
  html = html.replace(/\b(src|href)="(\/[^"?#]+)"/g, (all, attr, p) => (url.has(p) ? `${attr}="${url.get(p)}"` : all));
  if (!/<script type="module"/.test(html)) return html;
  const imports = {};
  for (const [plain, hashed] of url) imports[plain] = hashed;
  const map = escJson({ imports });
  scriptHashes.push('sha256-' + createHash('sha256').update(map).digest('base64'));
  const map_tag = `<script type="importmap">${map}</script>\n`;
  // which strings the page's script loads first and which come with each page (js/i18n.js)
  let after = `<script type="application/json" id="fg-strings">${escJson(strings.plans[entry])}</script>\n`;
  if (rel === 'index.html') {
    // what the login page runs: app.js and its static imports, asked for at once; and the strings (zh-CN is
    // always loaded: it is the language and the fallback of every other). After the app's own script tag, so that
    // app.js is the first file asked for: the browser has 6 connections to a host and takes them in order.
    const pre = closure('app.js').filter((m) => m !== 'app.js');
    const boot = `/i18n/zh-CN/${strings.plans['app.js'].boot}.json`;
    after += `<link rel="preload" href="${url.get(boot)}" as="fetch" crossorigin>\n`;
    after += pre.map((m) => `<link rel="modulepreload" href="${url.get('/js/' + m)}">\n`).join('');
    after += `<script type="application/json" id="fg-modules">${escJson(PRELOAD)}</script>\n`;
    // after the data blocks it reads; CSP allows it by its hash, as the import map
    scriptHashes.push('sha256-' + createHash('sha256').update(EARLY).digest('base64'));
    after += `<script>${EARLY}</script>\n`;
  }
  // The import map must come before the first module script; all of it comes before the stylesheet, since an
  // inline script after a stylesheet waits for it to load (the early requests would start a round trip late).
  const tag = /<script type="module"[^>]*><\/script>\n?/.exec(html)[0];
  html = html.replace(tag, '');
  const at = /<link rel="stylesheet"/.test(html) ? /<link rel="stylesheet"/ : /<\/head>/;
  return html.replace(at, (before) => map_tag + tag + after + before);
}

const tmp = OUT + '.tmp';
rmSync(tmp, { recursive: true, force: true });
const manifest = { version: 1, files: {}, script_hashes: [] };
const pages = new Map(); // rewritten pages, for the worker's list (index.html's revision is its built bytes' hash)
for (const [rel, src] of files) if (isPage(rel)) pages.set(rel, Buffer.from(rewritePage(rel, src.toString('utf8'))));
function serviceWorker(src) {
  const shell = [];
  const modules = new Set(SHELL_MODULES.flatMap((m) => closure(bundle.chunkOf.get(m))).map((m) => 'js/' + m));
  // the strings of those, in both languages (the app's part and the shell pages' parts)
  const plan = strings.plans['app.js'];
  const parts = [plan.boot, ...SHELL_MODULES.map((m) => plan.parts[m]).filter(Boolean)];
  for (const l of ['zh-CN', 'en']) for (const p of parts) modules.add(`i18n/${l}/${p}.json`);
  for (const [rel] of files) {
    if (!(rel === 'index.html' || modules.has(rel) || SHELL_FILES(rel))) continue;
    if (isPage(rel)) shell.push({ url: '/' + rel, revision: hash(pages.get(rel)) });
    else if (url.has('/' + rel)) shell.push({ url: url.get('/' + rel), revision: null }); // the name is the revision
  }
  const wb = {};
  for (const [plain, hashed] of url) {
    const m = /^\/vendor\/workbox\/(workbox-[a-z]+)\.prod\.js$/.exec(plain);
    if (m) wb[m[1]] = hashed;
  }
  return Buffer.from(src.toString('utf8')
    .replaceAll(/self\.__FG_WORKBOX_SW\b/g, JSON.stringify(url.get('/vendor/workbox/workbox-sw.js') || ''))
    .replaceAll(/self\.__FG_WORKBOX\b/g, JSON.stringify(wb))
    .replaceAll(/self\.__FG_PRECACHE\b/g, JSON.stringify(shell)));
}
for (const [rel, src] of files) {
  let buf = src;
  if (isPage(rel)) buf = pages.get(rel);
  else if (rel === SW) buf = serviceWorker(src);
  const dest = path.join(tmp, rel);
  mkdirSync(path.dirname(dest), { recursive: true });
  writeFileSync(dest, buf);
  const entry = { hash: hash(buf) };
  if (url.has('/' + rel)) entry.url = url.get('/' + rel);
  if (COMPRESSIBLE.has(path.extname(rel))) {
    const br = brotliCompressSync(buf, {
      params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_SIZE_HINT]: buf.length },
    });
    const gz = gzipSync(buf, { level: 9 });
    // a compressed copy only where it saves something; the server falls back to the plain file
    if (br.length < buf.length) { writeFileSync(dest + '.br', br); entry.br = br.length; }
    if (gz.length < buf.length) { writeFileSync(dest + '.gz', gz); entry.gz = gz.length; }
  }
  entry.size = buf.length;
  manifest.files['/' + rel] = entry;
}
manifest.script_hashes = [...new Set(scriptHashes)];
writeFileSync(path.join(tmp, 'assets.json'), JSON.stringify(manifest, null, 1) + '\n');
rmSync(OUT, { recursive: true, force: true });
renameSync(tmp, OUT);
const total = Object.values(manifest.files).reduce((a, e) => a + e.size, 0);
const totalBr = Object.values(manifest.files).reduce((a, e) => a + (e.br || e.size), 0);
console.log(`webbuild: ${files.size} files in ${OUT} (${(total / 1024).toFixed(0)} KB, ${(totalBr / 1024).toFixed(0)} KB as brotli)`);

// The web app's files as the server sends them (issue 14 item 2; docs/operations.md "The web app's files"): the
// brotli or gzip copy the build made, chosen by Accept-Encoding, decoding to the same bytes as the plain file;
// hashed names cached for a year as immutable; the pages and plain names revalidated with an ETag (304); an old
// hash refused; no way out of the web root through the new paths. Requests go through node:http, not fetch, so
// that the test, not the client library, says which codings it accepts and sees the bytes as sent.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { createHash } from 'node:crypto';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { BASE_URL, LABEL } from './lib.mjs';

const base = new URL(BASE_URL);

/** GET (or method) path with exactly these headers; the body as sent (not decoded). */
function raw(path, headers = {}, method = 'GET') {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: base.hostname, port: base.port, path, method, headers }, (res) => {
      const parts = [];
      res.on('data', (c) => parts.push(c));
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(parts) }));
    });
    req.on('error', reject);
    req.end();
  });
}

const decode = (r) => {
  const enc = r.headers['content-encoding'];
  if (enc === 'br') return brotliDecompressSync(r.body);
  if (enc === 'gzip') return gunzipSync(r.body);
  assert.equal(enc, undefined, 'an unknown coding: ' + enc);
  return r.body;
};

let mapCache;
/** The import map of index.html: plain URL -> hashed URL. */
async function importMap() {
  if (mapCache) return mapCache;
  const r = await raw('/', {});
  const html = r.body.toString('utf8');
  const m = /<script type="importmap">([^<]*)<\/script>/.exec(html);
  assert.ok(m, 'index.html carries an import map');
  // the bundled files each lazily loaded module needs (the build's list, docs/web.md): the job page's first is its own
  const files = JSON.parse(/<script type="application\/json" id="fg-modules">([^<]*)<\/script>/.exec(html)[1]);
  const early = /<script>([\s\S]*?)<\/script>/.exec(html);
  mapCache = { map: JSON.parse(m[1]).imports, text: m[1], csp: r.headers['content-security-policy'], jobs: '/js/' + files['jobs.js'][0],
    early: early && early[1] };
  return mapCache;
}

test(`${LABEL} static: each Accept-Encoding gets its coding, and every coding decodes to the same bytes`, async () => {
  const { map, jobs } = await importMap();
  for (const path of ['/', map['/js/app.js'], map['/i18n/zh-CN/jobs.json'], map['/css/app.css'], jobs]) {
    const plain = await raw(path, {});
    assert.equal(plain.status, 200, path);
    assert.equal(plain.headers['content-encoding'], undefined, path + ': no Accept-Encoding, no coding');
    assert.match(plain.headers.vary || '', /Accept-Encoding/i, path + ': Vary names Accept-Encoding');
    const cases = [
      ['br', 'br'], ['gzip', 'gzip'], ['gzip, deflate, br', 'br'], ['gzip, deflate, br, zstd', 'br'],
      ['*', 'br'], ['gzip;q=1, br;q=0.5', 'gzip'], ['br;q=0, gzip', 'gzip'], ['br;q=0, gzip;q=0', undefined],
      ['identity', undefined], ['deflate', undefined], ['x-gzip', 'gzip'], ['BR', 'br'], ['br;q=bogus, gzip', 'gzip'],
    ];
    for (const [ae, want] of cases) {
      const r = await raw(path, { 'Accept-Encoding': ae });
      assert.equal(r.status, 200, `${path} ${ae}`);
      assert.equal(r.headers['content-encoding'], want, `${path} with Accept-Encoding: ${ae}`);
      assert.match(r.headers.vary || '', /Accept-Encoding/i);
      assert.equal(Number(r.headers['content-length']), r.body.length);
      assert.ok(decode(r).equals(plain.body), `${path} ${ae}: the decoded bytes are the plain file's`);
      if (want) assert.ok(r.body.length < plain.body.length, `${path} ${ae}: the copy is smaller`);
      assert.equal(r.headers['content-type'], plain.headers['content-type']);
    }
  }
});

test(`${LABEL} static: a hashed name is cached for a year as immutable; the plain name is revalidated`, async () => {
  const { map, jobs } = await importMap();
  for (const plainPath of ['/js/app.js', jobs, '/i18n/zh-CN/app.json', '/i18n/en.json', '/css/app.css', '/vendor/echarts.js', '/vendor/jsqr.js']) {
    const hashed = map[plainPath];
    assert.ok(hashed, plainPath + ' is in the import map');
    assert.match(hashed, /\.[0-9a-f]{12}\.[a-z]+$/, hashed);
    const h = await raw(hashed, { 'Accept-Encoding': 'br' });
    assert.equal(h.status, 200, hashed);
    assert.equal(h.headers['cache-control'], 'public, max-age=31536000, immutable', hashed);
    const p = await raw(plainPath, { 'Accept-Encoding': 'br' });
    assert.equal(p.status, 200, plainPath);
    assert.equal(p.headers['cache-control'], 'no-cache', plainPath + ' (plain name)');
    assert.ok(p.headers.etag, plainPath + ' has an ETag');
    assert.ok(decode(h).equals(decode(p)), `${hashed} and ${plainPath} are the same file`);
    // the hash in the name is the content's: the first 12 hex digits of its SHA-256
    assert.equal(createHash('sha256').update(decode(p)).digest('hex').slice(0, 12), /\.([0-9a-f]{12})\.[a-z]+$/.exec(hashed)[1]);
    const head = await raw(hashed, { 'Accept-Encoding': 'br' }, 'HEAD');
    assert.equal(head.status, 200);
    assert.equal(head.body.length, 0, 'HEAD: no body');
    assert.equal(head.headers['cache-control'], h.headers['cache-control']);
  }
});

test(`${LABEL} static: index.html is revalidated with its ETag and answers 304 while unchanged`, async () => {
  for (const ae of [undefined, 'br', 'gzip']) {
    const hdr = ae ? { 'Accept-Encoding': ae } : {};
    const first = await raw('/', hdr);
    assert.equal(first.status, 200);
    assert.equal(first.headers['cache-control'], 'no-cache');
    const etag = first.headers.etag;
    assert.match(etag, /^"[^"]+"$/, 'a strong ETag');
    for (const inm of [etag, 'W/' + etag, `"nope", ${etag}`, '*']) {
      const again = await raw('/', { ...hdr, 'If-None-Match': inm });
      assert.equal(again.status, 304, `If-None-Match: ${inm}`);
      assert.equal(again.body.length, 0);
      assert.equal(again.headers.etag, etag);
      assert.equal(again.headers['cache-control'], 'no-cache');
      assert.match(again.headers.vary || '', /Accept-Encoding/i);
    }
    for (const inm of ['"nope"', etag.slice(0, -1), 'garbage', '""']) {
      const changed = await raw('/', { ...hdr, 'If-None-Match': inm });
      assert.equal(changed.status, 200, `If-None-Match: ${inm} names another version`);
      assert.ok(changed.body.length > 0);
    }
  }
  // one tag per representation: the brotli copy's tag does not validate the plain bytes
  const br = await raw('/', { 'Accept-Encoding': 'br' });
  const plain = await raw('/', { 'If-None-Match': br.headers.etag });
  assert.equal(plain.status, 200);
  assert.notEqual(plain.headers.etag, br.headers.etag);
  // the app's own routes get the page too (a reload of /jobs/…), revalidated alike
  const route = await raw('/jobs/some-job', { 'If-None-Match': plain.headers.etag });
  assert.equal(route.status, 304);
});

test(`${LABEL} static: the page's import map and early script are allowed by its Content-Security-Policy`, async () => {
  const { text, csp, early } = await importMap();
  const digest = createHash('sha256').update(text).digest('base64');
  assert.ok(csp.includes(`'sha256-${digest}'`), 'CSP script-src names the import map by its hash: ' + csp);
  assert.ok(early, 'index.html carries its early script (web/js/early.js)');
  const e = createHash('sha256').update(early).digest('base64');
  assert.ok(csp.includes(`'sha256-${e}'`), 'CSP script-src names the early script by its hash: ' + csp);
  assert.match(csp, /script-src 'self'/);
  assert.doesNotMatch(csp, /unsafe-inline'[^;]*;\s*img-src/, 'no unsafe-inline for scripts');
});

test(`${LABEL} static: an old or foreign hash is not found (never another version of the file)`, async () => {
  const { map, jobs } = await importMap();
  const appHash = /\.([0-9a-f]{12})\.js$/.exec(map['/js/app.js'])[1];
  for (const path of ['/js/app.000000000000.js', jobs.replace(/\.js$/, `.${appHash}.js`), '/i18n/en.aaaaaaaaaaaa.json',
    '/vendor/echarts.ffffffffffff.js', `/js/nosuch.${appHash}.js`]) {
    const r = await raw(path, { 'Accept-Encoding': 'br' });
    assert.equal(r.status, 404, path);
    assert.equal(JSON.parse(r.body.toString('utf8')).error.code, 'not_found', path);
    assert.notEqual(r.headers['cache-control'], 'public, max-age=31536000, immutable', path);
  }
});

test(`${LABEL} static: no way out of the web root, through plain, hashed or compressed names`, async () => {
  const { map } = await importMap();
  const hashed = map['/js/app.js'];
  const paths = [
    '/../../../../etc/passwd', '/js/../../../../etc/passwd', `${hashed}/../../../../etc/passwd`,
    '/js/..%2f..%2f..%2f..%2fetc%2fpasswd', '/%2e%2e/%2e%2e/%2e%2e/etc/passwd', '/vendor/../../../etc/passwd',
    '/vendor/..%2f..%2fpackage.json', '/../package.json', '/..%2fpackage.json', '/js/..%5c..%5cpackage.json',
    '/.git/config', '/js/.hidden.000000000000.js', '/../node_modules/jsqr/package.json',
    '/etc/passwd.000000000000.br', '/index.html.br/../../../../etc/passwd',
  ];
  for (const path of paths) {
    for (const ae of ['br', 'gzip', 'identity']) {
      const r = await raw(path, { 'Accept-Encoding': ae });
      const text = (() => { try { return decode(r).toString('utf8'); } catch { return r.body.toString('utf8'); } })();
      assert.ok(!/root:.*:0:0:/.test(text), `${path} must not leak /etc/passwd`);
      assert.ok(!/"devDependencies"|\[core\]/.test(text), `${path} must not leak files beside the web root`);
      assert.ok(r.status === 404 || r.status === 400 || (r.status === 200 && /<!doctype html>/i.test(text)),
        `${path}: ${r.status} (only not-found, a bad request, or the app's page)`);
    }
  }
});

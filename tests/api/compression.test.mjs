// The API's JSON answers compressed (issue 14 item 2; docs/api.md "Conventions"): gzip when the client takes it and
// the answer is worth it (1 KiB or more), the same JSON either way, Vary: Accept-Encoding always.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { gunzipSync } from 'node:zlib';
import http from 'node:http';
import { adminToken, BASE_URL, LABEL } from './lib.mjs';

/** A GET with exactly the Accept-Encoding given (fetch would add its own and unpack the body): status, headers, raw bytes. */
function rawGet(path, token, acceptEncoding) {
  return new Promise((resolve, reject) => {
    const headers = { authorization: `Bearer ${token}` };
    if (acceptEncoding !== undefined) headers['accept-encoding'] = acceptEncoding;
    http.get(`${BASE_URL}/api/v1${path}`, { headers }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks) }));
    }).on('error', reject);
  });
}

test(`${LABEL} JSON answers: gzip when accepted and worth it, the same JSON as plain, Vary always`, async () => {
  const token = await adminToken();
  const plain = await rawGet('/kb/risks', token, undefined);
  assert.equal(plain.status, 200);
  assert.equal(plain.headers['content-encoding'], undefined);
  assert.match(plain.headers.vary, /Accept-Encoding/i);
  const json = JSON.parse(plain.body.toString('utf8'));
  assert.ok(plain.body.length > 1024, 'a large answer');

  const gz = await rawGet('/kb/risks', token, 'gzip, deflate, br');
  assert.equal(gz.status, 200);
  assert.equal(gz.headers['content-encoding'], 'gzip');
  assert.match(gz.headers.vary, /Accept-Encoding/i);
  assert.ok(gz.body.length < plain.body.length / 2, `${gz.body.length} bytes compressed of ${plain.body.length}`);
  assert.deepEqual(JSON.parse(gunzipSync(gz.body).toString('utf8')), json);

  // refused by weight, or only codings we do not make: plain
  for (const ae of ['gzip;q=0', 'br', 'identity']) {
    const r = await rawGet('/kb/risks', token, ae);
    assert.equal(r.headers['content-encoding'], undefined, ae);
    assert.deepEqual(JSON.parse(r.body.toString('utf8')), json);
  }
  // a small answer goes as it is
  const small = await rawGet('/health', token, 'gzip');
  assert.equal(small.headers['content-encoding'], undefined);
  assert.equal(JSON.parse(small.body.toString('utf8')).status, 'ok');
  // errors too are JSON, compressed or not by the same rule
  const err = await rawGet('/work-orders/nope', token, 'gzip');
  assert.equal(err.status, 404);
  assert.equal(JSON.parse(err.body.toString('utf8')).error.code, 'not_found');
});

// For suites that run their own servers (cluster, failover): a JSON request that never throws (a connection cut or
// refused answers {status: 0}), and a bounded poll.
import assert from 'node:assert/strict';

/** method path under base/api/v1; {status, json, text, headers, replayed} or {status: 0, error}. replayed: the
 *  answer is a keyed write's stored one (Idempotent-Replayed). */
export async function req(base, method, path, { token, body, key } = {}) {
  const headers = {};
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (token) headers.authorization = `Bearer ${token}`;
  if (key) headers['idempotency-key'] = key;
  try {
    const res = await fetch(base + '/api/v1' + path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    const text = await res.text();
    let json;
    try { json = text ? JSON.parse(text) : undefined; } catch { json = undefined; }
    return { status: res.status, json, text, headers: res.headers, replayed: res.headers.get('idempotent-replayed') === 'true' };
  } catch (e) {
    return { status: 0, error: String(e.cause?.code || e.message), text: '' };
  }
}

/** Polls fn (every 100 ms) until it returns a truthy value, which it returns; fails naming what after ms. */
export async function until(what, fn, ms = 30000) {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) assert.fail(`never: ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

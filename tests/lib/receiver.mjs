// A real local HTTP receiver for the notification channels' tests (issue 11 item 8): it stands in for the SMS
// gateway and the WeChat-style message API, records every request that arrives (method, path, headers, parsed JSON
// body) and answers what the test tells it to. The portal's tests read the verification code it received.
import http from 'node:http';

/**
 * startReceiver() → {url, requests, answer(fn), waitFor(pred, ms), close()}.
 * answer(fn): fn(req) → {status, body} (body an object, sent as JSON) decides each answer; default 200
 * {"message_id": "gw-N"}. waitFor polls the recorded requests until pred matches one (bounded, then throws).
 */
export async function startReceiver() {
  const requests = [];
  let decide = null;
  let n = 0;
  const server = http.createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      n += 1;
      const text = Buffer.concat(chunks).toString('utf8');
      let json;
      try { json = JSON.parse(text); } catch { json = undefined; }
      const rec = { n, method: req.method, path: req.url, headers: req.headers, text, json };
      requests.push(rec);
      const a = (decide && decide(rec)) || { status: 200, body: { message_id: `gw-${n}` } };
      res.writeHead(a.status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(a.body ?? {}));
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${server.address().port}`;
  return {
    url,
    requests,
    answer(fn) { decide = fn; },
    async waitFor(pred, ms = 30000, tick) {
      const end = Date.now() + ms;
      for (;;) {
        const hit = requests.filter(pred);
        if (hit.length) return hit;
        if (Date.now() > end) throw new Error(`receiver: no matching request within ${ms} ms (${requests.length} arrived)`);
        if (tick) await tick();
        await new Promise((r) => setTimeout(r, 100));
      }
    },
    close() { return new Promise((resolve) => { server.closeAllConnections?.(); server.close(() => resolve()); }); },
  };
}

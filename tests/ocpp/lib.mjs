// Helpers for the OCPP 1.6J tests: chargers in the ledger, ocpp-rpc clients in strict mode, raw WebSockets.
import assert from 'node:assert/strict';
import { RPCClient } from 'ocpp-rpc';
import WebSocket from 'ws';
import { api, adminToken, expectStatus, uniq, BASE_URL, sleep } from '../api/lib.mjs';

export const WS_BASE = BASE_URL.replace(/^http/, 'ws') + '/ocpp';

/** A charger in the ledger (admin). Returns {charger, key, cpid}. */
export async function newCharger(fields = {}) {
  const token = await adminToken();
  const res = await api('POST', '/chargers', {
    token,
    body: { charge_point_id: uniq('CP'), kind: 'dc', payment: 'qr', ...fields },
  });
  expectStatus(res, 201);
  return { charger: res.json, key: res.json.authorization_key, cpid: res.json.charge_point_id };
}

/** An id tag with the given status (admin). */
export async function newTag(status = 'Accepted', extra = {}) {
  const res = await api('POST', '/id-tags', { token: await adminToken(), body: { id_tag: uniq('T').slice(0, 20), status, ...extra } });
  expectStatus(res, 201);
  return res.json.id_tag;
}

/** An ocpp-rpc client in strict mode, connected. Any strict-validation failure of our answers fails the test. */
export async function connect(ch, opts = {}) {
  const cli = new RPCClient({
    endpoint: WS_BASE,
    identity: ch.cpid,
    password: ch.key ?? undefined,
    protocols: ['ocpp1.6'],
    strictMode: true,
    reconnect: false,
    callTimeoutMs: 10000,
    ...opts,
  });
  cli.strictFailures = [];
  cli.on('strictValidationFailure', (e) => cli.strictFailures.push(e));
  await cli.connect();
  return cli;
}

export async function close(cli) {
  assert.deepEqual(cli.strictFailures.map((e) => String(e.error ?? e)), [], 'no strict-mode validation failure');
  await cli.close({ force: true });
}

export const now = () => new Date().toISOString();

/** Raw WebSocket with Basic auth. Resolves once open; .next() waits for the next text message (parsed). */
export function raw(ch, { protocols = ['ocpp1.6'], password = ch.key, maxPayload, autoPong = true } = {}) {
  return new Promise((resolve, reject) => {
    const headers = {};
    if (password) headers.authorization = 'Basic ' + Buffer.from(`${ch.cpid}:${password}`).toString('base64');
    const ws = new WebSocket(`${WS_BASE}/${encodeURIComponent(ch.cpid)}`, protocols, { headers, maxPayload, autoPong });
    const queue = [];
    const waiters = [];
    ws.closed = new Promise((res) => ws.on('close', (code, reason) => res({ code, reason: String(reason) })));
    ws.on('message', (data, isBinary) => {
      const m = isBinary ? data : JSON.parse(String(data));
      if (waiters.length) waiters.shift()(m); else queue.push(m);
    });
    ws.next = (ms = 5000) => queue.length ? Promise.resolve(queue.shift()) : new Promise((res, rej) => {
      const t = setTimeout(() => rej(new Error('no message within ' + ms + ' ms')), ms);
      waiters.push((m) => { clearTimeout(t); res(m); });
    });
    ws.call = async (frame) => { ws.send(typeof frame === 'string' ? frame : JSON.stringify(frame)); return ws.next(); };
    ws.on('open', () => resolve(ws));
    ws.on('unexpected-response', (req, res) => reject(Object.assign(new Error('HTTP ' + res.statusCode), { status: res.statusCode, headers: res.headers })));
    ws.on('error', reject);
  });
}

/** Poll a REST GET until pred(json) holds (the writer batches; answers come after commit, REST reads after). */
export async function until(path, pred, ms = 5000) {
  const token = await adminToken();
  const end = Date.now() + ms;
  let last;
  while (Date.now() < end) {
    last = await api('GET', path, { token });
    if (last.status === 200 && pred(last.json)) return last.json;
    await sleep(50);
  }
  assert.fail(`${path} never satisfied the condition; last: ${last?.text?.slice(0, 500)}`);
}

export { api, adminToken, expectStatus, uniq, sleep };

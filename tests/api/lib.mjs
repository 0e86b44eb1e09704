// Shared helpers for the fieldgrid HTTP API tests (node:test, Node 20; ajv validates responses).
//
// Every JSON response api() and sendRaw() receive from /api/… is checked against the server's own OpenAPI
// document (GET /api/v1/openapi.json, fetched once per test process): the status must be one the operation
// declares and the body must match its schema, else the request throws and fails the test that made it.
//
// Environment:
//   FG_URL             base URL of a running server, e.g. http://127.0.0.1:18080
//   FG_ADMIN_PASSWORD  password of the `admin` user created by `fieldgrid init`
//   FG_DB              'sqlite' | 'pg' (which database the server runs on; used for
//                      the /health check and for test labels)
import assert from 'node:assert/strict';
import http from 'node:http';
import { appendFileSync } from 'node:fs';
import Ajv2020 from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';

export const BASE_URL = (process.env.FG_URL || 'http://127.0.0.1:18080').replace(/\/+$/, '');
export const ADMIN_USER = 'admin';
export const ADMIN_PASSWORD = process.env.FG_ADMIN_PASSWORD || '';
export const DB = (process.env.FG_DB || 'sqlite').toLowerCase();
/** The name /health reports for FG_DB. */
export const DB_NAME = DB === 'pg' || DB === 'postgres' || DB === 'postgresql' ? 'postgresql' : 'sqlite';
/** Label to put into test names so a report says which backend failed. */
export const LABEL = `[${DB_NAME}]`;

/** A password every test user gets: >= 10 chars, several character kinds. */
export const PASSWORD = 'Fg-test-Pass-2024';

/** 1 MiB, the documented body limit. */
export const BODY_LIMIT = 1024 * 1024;

/** UUIDv7 in its canonical text form. */
export const UUID_V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/i;

/** A well-formed UUIDv7 that no server will ever have generated (timestamp 0). */
export const MISSING_ID = '00000000-0000-7000-8000-000000000000';

const CJK = /[\u4e00-\u9fff]/;
export { CJK };

let counter = 0;
/**
 * Unique, username-safe name: distinct across runs (time), across the parallel
 * test processes (pid) and within a process (counter).
 */
export function uniq(prefix = 't') {
  counter += 1;
  return `${prefix}${Date.now().toString(36)}${process.pid.toString(36)}${counter}`;
}

function url(path) {
  if (/^https?:\/\//.test(path)) return path;
  if (path.startsWith('/api/')) return BASE_URL + path;
  return BASE_URL + '/api/v1' + (path.startsWith('/') ? path : '/' + path);
}

/**
 * Send a request. `path` may be "/users" (prefixed with /api/v1) or a full "/api/v1/…" path.
 * opts: token (bearer), body (JSON-encoded), rawBody (string|Buffer, sent verbatim),
 *       headers (extra / overriding headers), cookie (Cookie header value).
 * Returns {status, headers, json, text}; json is undefined when the body is empty or not JSON.
 */
export async function api(method, path, opts = {}) {
  const { token, body, rawBody, headers = {}, cookie } = opts;
  const h = {};
  let payload;
  if (rawBody !== undefined) {
    payload = rawBody;
    h['content-type'] = 'application/json';
  } else if (body !== undefined) {
    payload = JSON.stringify(body);
    h['content-type'] = 'application/json';
  }
  if (token) h.authorization = `Bearer ${token}`;
  if (cookie) h.cookie = cookie;
  for (const [k, v] of Object.entries(headers)) {
    if (v === undefined || v === null) delete h[k.toLowerCase()];
    else h[k.toLowerCase()] = v;
  }
  const res = await fetch(url(path), { method, headers: h, body: payload, redirect: 'manual' });
  const text = await res.text();
  let json;
  if (text.length) {
    try { json = JSON.parse(text); } catch { json = undefined; }
  }
  const out = { status: res.status, headers: res.headers, json, text };
  await checkAgainstOpenApi(method, url(path), out);
  return out;
}

let openApiPromise;
/** The server's OpenAPI document and a validator per operation response, fetched once per test process. */
export function openApi() {
  if (!openApiPromise) {
    openApiPromise = (async () => {
      const res = await fetch(BASE_URL + '/api/v1/openapi.json');
      assert.equal(res.status, 200, `GET /api/v1/openapi.json answered ${res.status}`);
      const doc = await res.json();
      // strict: false, because the schemas sit inside an OpenAPI document (x- extensions, unknown keywords)
      const ajv = new Ajv2020({ strict: false, allErrors: true });
      addFormats(ajv);
      const ops = [];
      for (const [tpl, item] of Object.entries(doc.paths)) {
        const segs = tpl.split('/');
        for (const [m, op] of Object.entries(item)) ops.push({ method: m.toUpperCase(), tpl, segs, op });
      }
      return { doc, ajv, ops, validators: new Map() };
    })();
    openApiPromise.catch(() => { openApiPromise = undefined; });
  }
  return openApiPromise;
}

/** The operation the router would pick for method + pathname: literal segments win over {templates}. */
export function findOperation(spec, method, pathname) {
  const m = method === 'HEAD' ? 'GET' : method;
  const segs = (pathname.length > 1 ? pathname.replace(/\/$/, '') : pathname).split('/');
  let best, bestLiterals = -1;
  for (const o of spec.ops) {
    if (o.method !== m || o.segs.length !== segs.length) continue;
    let literals = 0, ok = true;
    for (let i = 0; i < segs.length && ok; i++) {
      if (/^\{[^}]+\}$/.test(o.segs[i])) ok = segs[i].length > 0 && segs[i].length <= 128;
      else if (o.segs[i] === segs[i]) literals++;
      else ok = false;
    }
    if (ok && literals > bestLiterals) { best = o; bestLiterals = literals; }
  }
  return best;
}

function validatorFor(spec, key, schema) {
  let v = spec.validators.get(key);
  if (!v) {
    // the wrapper carries the components, so the schemas' "#/components/schemas/…" references resolve
    v = spec.ajv.compile({ components: spec.doc.components, allOf: [schema] });
    spec.validators.set(key, v);
  }
  return v;
}

/**
 * Checks a response against the OpenAPI document: the status is declared by the operation (an unknown path's
 * 404 and a wrong method's 405 come from the router and must be the error envelope), a 204 has no body, and a
 * JSON body matches the declared schema. Throws an AssertionError naming the request and the mismatch.
 */
export async function checkAgainstOpenApi(method, fullUrl, res) {
  const u = new URL(fullUrl);
  if (!u.pathname.startsWith('/api/')) return;
  if (u.origin !== new URL(BASE_URL).origin) return;
  const spec = await openApi();
  const where = `${method} ${u.pathname}`;
  const op = findOperation(spec, method, u.pathname);
  let schema, key;
  if (!op) {
    assert.ok(res.status === 404 || res.status === 405,
      `OpenAPI: no operation for ${where}, yet it answered ${show(res)}`);
    schema = { $ref: '#/components/schemas/Error' };
    key = 'router-error';
  } else {
    const r = op.op.responses[String(res.status)];
    const code = res.json?.error?.code;
    // FG_OPENAPI_LOG=file: note what the document lacks instead of failing (to survey a whole suite run at once)
    if (process.env.FG_OPENAPI_LOG && (!r || (r['x-error-codes'] && !r['x-error-codes'].includes(code)))) {
      appendFileSync(process.env.FG_OPENAPI_LOG, JSON.stringify({ route: op.op['x-route'], method: op.method, status: res.status, code }) + '\n');
      return;
    }
    assert.ok(r, `OpenAPI: ${where} (${op.method} ${op.tpl}) answered ${res.status}, which the document does not ` +
      `declare (declared: ${Object.keys(op.op.responses).join(', ')}): ${show(res)}`);
    if (r['x-error-codes']) {
      assert.ok(r['x-error-codes'].includes(code), `OpenAPI: ${where} (${op.method} ${op.tpl}) answered ${res.status} ` +
        `${code}, which the document does not list for it (x-error-codes: ${r['x-error-codes'].join(', ')}): ${show(res)}`);
    }
    if (!r.content) {
      assert.equal(res.text, '', `OpenAPI: ${where} answered ${res.status} with a body where none is declared`);
      return;
    }
    if (!r.content['application/json']) return; // bytes (PDF, CSV, a stored file): the status is what we check
    if (method === 'HEAD') return;
    schema = r.content['application/json'].schema;
    key = `${op.method} ${op.tpl} ${res.status}`;
  }
  assert.ok(res.json !== undefined, `OpenAPI: ${where} answered ${res.status} with a body that is not JSON: ${show(res)}`);
  const v = validatorFor(spec, key, schema);
  if (!v(res.json)) {
    if (process.env.FG_OPENAPI_LOG) {
      appendFileSync(process.env.FG_OPENAPI_LOG, JSON.stringify({ route: op?.op['x-route'], method, status: res.status, schema: key, errors: v.errors.slice(0, 5) }) + '\n');
      return;
    }
    const errs = v.errors.map((e) => `${e.instancePath || '/'} ${e.message}${e.params ? ' ' + JSON.stringify(e.params) : ''}`);
    assert.fail(`OpenAPI: the response of ${where} (${key}) does not match the document: ${errs.join('; ')}: ${show(res)}`);
  }
}

/**
 * Send a request with node:http, which (unlike fetch) reports a response that arrives while the
 * body is still being sent. Used for oversized bodies. Same result shape as api(); rejects with the
 * socket error (e.g. EPIPE/ECONNRESET) only when no response arrived at all.
 */
export function sendRaw(method, path, { token, headers = {}, body } = {}) {
  return new Promise((resolve, reject) => {
    const buf = Buffer.isBuffer(body) ? body : Buffer.from(body ?? '');
    const h = { 'content-type': 'application/json', 'content-length': String(buf.length), ...headers };
    if (token) h.authorization = `Bearer ${token}`;
    let responded = false;
    const req = http.request(url(path), { method, headers: h }, (res) => {
      responded = true;
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('error', reject);
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let json;
        try { json = text.length ? JSON.parse(text) : undefined; } catch { json = undefined; }
        const hh = new Headers();
        for (const [k, v] of Object.entries(res.headers)) hh.set(k, Array.isArray(v) ? v.join(', ') : v);
        const out = { status: res.statusCode, headers: hh, json, text };
        checkAgainstOpenApi(method, url(path), out).then(() => resolve(out), reject);
      });
    });
    req.on('error', (e) => { if (!responded) reject(e); });
    req.end(buf);
  });
}

/** Short description of a response, for assertion messages. */
export function show(res) {
  const t = res.text ?? '';
  return `HTTP ${res.status} ${t.length > 600 ? t.slice(0, 600) + '…' : t}`;
}

/** Assert the status, with the body in the failure message. */
export function expectStatus(res, status) {
  assert.equal(res.status, status, `expected HTTP ${status}, got ${show(res)}`);
}

/**
 * Assert an error response: status, envelope {error:{code,message,details}},
 * code, a non-empty message, and (if given) details.field.
 * Returns the error object.
 */
export function expectError(res, status, code, field) {
  assert.equal(res.status, status, `expected HTTP ${status} ${code}, got ${show(res)}`);
  assert.ok(res.json && typeof res.json === 'object' && !Array.isArray(res.json),
    `error body must be a JSON object: ${show(res)}`);
  const err = res.json.error;
  assert.ok(err && typeof err === 'object' && !Array.isArray(err), `missing "error" object: ${show(res)}`);
  assert.equal(err.code, code, `error code: ${show(res)}`);
  assert.equal(typeof err.message, 'string', `error.message must be a string: ${show(res)}`);
  assert.ok(err.message.trim().length > 0, `error.message must not be empty: ${show(res)}`);
  assert.ok(err.details && typeof err.details === 'object' && !Array.isArray(err.details),
    `error.details must be an object: ${show(res)}`);
  if (field !== undefined) {
    assert.equal(err.details.field, field, `error.details.field: ${show(res)}`);
  }
  return err;
}

/** Assert a collection response {items:[…], next_cursor: string|null, total: N}. */
export function expectList(res) {
  expectStatus(res, 200);
  const b = res.json;
  assert.ok(b && Array.isArray(b.items), `list must have items[]: ${show(res)}`);
  assert.ok('next_cursor' in b, `list must have next_cursor: ${show(res)}`);
  assert.ok(b.next_cursor === null || (typeof b.next_cursor === 'string' && b.next_cursor.length > 0),
    `next_cursor must be a non-empty string or null: ${show(res)}`);
  assert.ok(Number.isInteger(b.total) && b.total >= 0, `total must be a non-negative integer: ${show(res)}`);
  return b;
}

/** A plausible epoch-milliseconds timestamp (not seconds, not a string). */
export function expectMillis(v, what = 'timestamp') {
  assert.ok(Number.isInteger(v), `${what} must be an integer, got ${JSON.stringify(v)}`);
  assert.ok(v > 1_600_000_000_000 && v < 4_000_000_000_000, `${what} must be epoch milliseconds, got ${v}`);
}

/**
 * Walk any JSON value and collect keys / string values that look like a secret
 * (password, hash of one, token). Returns a list of paths; empty means clean.
 */
export function findSecrets(value, extraStrings = [], path = '$') {
  const out = [];
  const hashLike = /^\$(argon2(id|i|d)?|2[abxy]?|scrypt|pbkdf2[^$]*|[156])\$/;
  const walk = (v, p) => {
    if (v === null || v === undefined) return;
    if (typeof v === 'string') {
      if (hashLike.test(v)) out.push(`${p} (hash-like value)`);
      for (const s of extraStrings) if (s && v.includes(s)) out.push(`${p} (contains secret)`);
      return;
    }
    if (Array.isArray(v)) { v.forEach((x, i) => walk(x, `${p}[${i}]`)); return; }
    if (typeof v === 'object') {
      for (const [k, x] of Object.entries(v)) {
        // A flag such as "password_changed": true is fine; a value under such a key is not.
        if (/pass|hash|secret|salt|token/i.test(k) && x !== null && typeof x !== 'boolean') out.push(`${p}.${k}`);
        walk(x, `${p}.${k}`);
      }
    }
  };
  walk(value, path);
  return out;
}

/** Assert a user object has the documented shape and no secret. */
export function expectUser(u, password) {
  assert.ok(u && typeof u === 'object', `user must be an object: ${JSON.stringify(u)}`);
  assert.match(u.id, UUID_V7, 'user.id is a UUIDv7');
  assert.equal(typeof u.username, 'string');
  assert.equal(typeof u.display_name, 'string');
  assert.ok(Array.isArray(u.roles), 'user.roles is an array');
  assert.ok(u.org_unit_id === null || typeof u.org_unit_id === 'string', 'user.org_unit_id string|null');
  assert.ok(u.phone === null || typeof u.phone === 'string', 'user.phone string|null');
  assert.equal(typeof u.disabled, 'boolean', 'user.disabled is a boolean');
  assert.ok('last_login_at' in u, 'user.last_login_at present');
  if (u.last_login_at !== null) expectMillis(u.last_login_at, 'user.last_login_at');
  expectMillis(u.created_at, 'user.created_at');
  expectMillis(u.updated_at, 'user.updated_at');
  assert.ok(Number.isInteger(u.version) && u.version >= 1, 'user.version is a positive integer');
  const secrets = findSecrets(u, password ? [password] : []);
  assert.deepEqual(secrets, [], `user JSON must not carry secrets: ${secrets.join(', ')}`);
}

/** Log in; asserts 200 and returns the token. */
export async function login(username, password = PASSWORD, extra = {}) {
  const res = await api('POST', '/auth/login', { body: { username, password, ...extra } });
  expectStatus(res, 200);
  assert.equal(typeof res.json.token, 'string');
  assert.ok(res.json.token.length > 0);
  return res.json.token;
}

let adminTokenPromise;
/** Admin bearer token, logged in once per test process. */
export function adminToken() {
  if (!adminTokenPromise) {
    if (!ADMIN_PASSWORD) throw new Error('set FG_ADMIN_PASSWORD');
    adminTokenPromise = login(ADMIN_USER, ADMIN_PASSWORD);
    adminTokenPromise.catch(() => { adminTokenPromise = undefined; });
  }
  return adminTokenPromise;
}

let adminMePromise;
/** The admin's own User (GET /me). */
export function adminUser() {
  if (!adminMePromise) {
    adminMePromise = (async () => {
      const res = await api('GET', '/me', { token: await adminToken() });
      expectStatus(res, 200);
      return res.json;
    })();
    adminMePromise.catch(() => { adminMePromise = undefined; });
  }
  return adminMePromise;
}

/** Create a user as admin (asserts 201). fields override the defaults. */
export async function createUser(fields = {}) {
  const username = fields.username ?? uniq('u');
  const body = {
    username,
    password: PASSWORD,
    display_name: `测试 ${username}`,
    roles: ['crew'],
    ...fields,
  };
  const res = await api('POST', '/users', { token: await adminToken(), body });
  expectStatus(res, 201);
  return res.json;
}

/** Create a user and log it in: {user, token, password}. */
export async function userWithToken(roles = ['crew'], fields = {}) {
  const user = await createUser({ roles, ...fields });
  const password = fields.password ?? PASSWORD;
  const token = await login(user.username, password);
  return { user, token, password };
}

/** Create an org unit as admin (asserts 201). */
export async function createOrgUnit(kind = 'company', parent_id, name = uniq(`ou-${kind}-`)) {
  const body = { name, kind };
  if (parent_id !== undefined) body.parent_id = parent_id;
  const res = await api('POST', '/org-units', { token: await adminToken(), body });
  expectStatus(res, 201);
  return res.json;
}

/** All Set-Cookie header values of a response. */
export function setCookies(res) {
  if (typeof res.headers.getSetCookie === 'function') return res.headers.getSetCookie();
  const v = res.headers.get('set-cookie');
  return v ? [v] : [];
}

/** Follow next_cursor through a list endpoint; returns all items (guarded). */
export async function collectAll(path, token, maxPages = 50) {
  const items = [];
  let cursor = null;
  for (let i = 0; i < maxPages; i++) {
    const sep = path.includes('?') ? '&' : '?';
    const res = await api('GET', cursor ? `${path}${sep}cursor=${encodeURIComponent(cursor)}` : path, { token });
    const b = expectList(res);
    items.push(...b.items);
    if (b.next_cursor === null) return items;
    cursor = b.next_cursor;
  }
  throw new Error(`more than ${maxPages} pages at ${path}`);
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

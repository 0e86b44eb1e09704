// Thin client for /api/v1. JSON in, JSON out; errors become ApiError with
// the server's {code, message, details}.
import { acceptLanguage, t } from './i18n.js';
import { copied, copyKey } from './offline/paths.js';
import { qs } from './query.js';

const BASE = '/api/v1';
const TOKEN_KEY = 'fg.token';

export class ApiError extends Error {
  constructor(status, code, message, details) {
    super(message || code);
    this.status = status;
    this.code = code;
    this.details = details || {};
  }
}

// Working offline (js/offline/, loaded on first use after sign-in so the login page does not download IndexedDB's
// library): GETs a job page reads are copied and answered from the copy when the network fails; the writes the
// outbox takes wait there when offline (or while earlier ones wait) and are sent in order later.
let offlineMod = null;
// copies of the page's first reads, held until the offline side has loaded (it loads once those reads are in, so
// that its ~30 KB do not share the network with them)
const pendingCopies = [];
let copiesSince = null; // when this session's first copy was made (the job copier does not ask for those again)
const offline = () => (offlineMod ||= import('./offline/sync.js').then(async (m) => {
  // kept before anything else asks (the job copier would otherwise fetch them again)
  await Promise.all(pendingCopies.splice(0).map(([key, status, data]) => m.keepCopy(key, status, data).catch(() => {})));
  return m;
}));
let started = false;
const session = () => started || !!getToken(); // with a session, a reload offline answers /me and the flows from copies
// writes in the outbox: a new write queues behind them, never overtakes them. Remembered across reloads (the
// offline side sets it once started), so a reload's first reads know whether to lay waiting writes over them.
let waiting = (() => { try { return Number(localStorage.getItem('fg.outbox.waiting')) || 0; } catch { return 0; } })();
const setWaiting = (n) => {
  waiting = n;
  try { localStorage.setItem('fg.outbox.waiting', String(n)); } catch { /* ignore */ }
};

/** A GET's answer kept as the phone's copy, in the background (a copy of the data: the page may change its own). */
function keep(key, status, data) {
  const kept = data === null || data === undefined ? data : structuredClone(data);
  copiesSince ??= Date.now();
  if (!offlineMod) {
    if (pendingCopies.length < 100) pendingCopies.push([key, status, kept]); // beyond: the job copier makes them
    return;
  }
  offline().then((m) => m.keepCopy(key, status, kept)).catch(() => { /* no IndexedDB: online only */ });
}

// requests in flight, and who waits for none to be (the job copier, after a page's own reads)
let inflight = 0;
let quietWaiters = [];
function quietNow() {
  const w = quietWaiters;
  quietWaiters = [];
  for (const f of w) f();
}
/** Resolves once no API request has been in flight for ms. */
async function quiet(ms = 1000) {
  for (;;) {
    if (inflight > 0) await new Promise((r) => quietWaiters.push(r));
    await new Promise((r) => setTimeout(r, ms));
    if (inflight === 0) return;
  }
}

/** The offline side (js/offline/sync.js) for a page that asks it directly (the scan page's tool lookup). */
export const offlineSide = () => offline();

/** app.js once signed in: starts the offline side (service worker, copies of today's jobs, replay). */
export async function startOffline(me) {
  started = true;
  // the page's own first reads go first: on a weak network the offline side (Dexie, ~38 KB with its modules) and
  // its copies of the day's jobs load after them, in the background — unless writes wait to be sent
  if (waiting === 0 && navigator.onLine !== false) await quiet(1000);
  const m = await offline();
  await m.start(me, { get, headers: (extra) => authHeaders(extra), setWaiting, photo: attachmentUrl, quiet: () => quiet(1000),
    since: copiesSince ?? Date.now() });
}
/** app.js at sign-out. */
export async function stopOffline() {
  started = false;
  copiesSince = null;
  pendingCopies.length = 0;
  setWaiting(0);
  if (offlineMod) await (await offline()).stop();
}

const offlineError = () => new ApiError(0, 'offline_needs_server', t('offline.needs_server'));

let onUnauthenticated = null;
/** Called when an authenticated call answers 401 (session ended elsewhere). */
export function setUnauthenticatedHandler(fn) {
  onUnauthenticated = fn;
}

export function getToken() {
  try { return sessionStorage.getItem(TOKEN_KEY); } catch { return null; }
}
export function setToken(tok) {
  try {
    if (tok) sessionStorage.setItem(TOKEN_KEY, tok);
    else sessionStorage.removeItem(TOKEN_KEY);
  } catch { /* ignore */ }
}

// GETs started before their page asked (prefetch): the page's own get() of the same path and query takes the
// answer once, if it came within EARLY_MS
const early = new Map();
const EARLY_MS = 15000;

/** A GET the page's inline script (early.js) started before this script arrived: its Response, taken once. */
function takeEarly(key) {
  const m = window.__fgEarly;
  const e = m && m.get(key);
  if (!e) return null;
  m.delete(key);
  return Date.now() - e.at < EARLY_MS ? e.res : null;
}

/** Starts GETs a page will make ([path, query] pairs) as soon as its route is known (app.js at boot, with a
 *  session): they travel beside /me and the page's modules instead of after them. A 401 here changes nothing: /me
 *  decides about the session. */
export function prefetch(reads, follow) {
  for (const [path, query, name] of reads) {
    const key = path + qs(query);
    if (early.has(key)) continue;
    const p = api('GET', path, { query, silent401: true });
    // follow(name, answer): the reads that depend on this one's answer, started as soon as it is in
    p.then((data) => { if (follow) prefetch(follow(name, data) || [], follow); }, () => { /* the page asks again */ });
    early.set(key, { at: Date.now(), p });
  }
}

/** signal: an AbortSignal (a page's life, lifecycle.js); an aborted call rejects with the AbortError itself. */
export async function api(method, path, { body, query, auth = true, signal, silent401 = false } = {}) {
  if (method === 'GET' && early.size) {
    const e = early.get(path + qs(query));
    if (e) {
      early.delete(path + qs(query));
      if (Date.now() - e.at < EARLY_MS) return e.p;
    }
  }
  const headers = { Accept: 'application/json', 'Accept-Language': acceptLanguage() };
  const tok = getToken();
  if (tok && auth) headers.Authorization = 'Bearer ' + tok;
  // a GET may use the browser's copy once the server has said (304, by its ETag) that it is still what it would send:
  // a job opened again costs a few hundred bytes per read instead of its 30 KB; writes are never kept
  const init = { method, headers, credentials: 'same-origin', cache: method === 'GET' ? 'no-cache' : 'no-store', signal };
  if (body !== undefined) {
    headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  // the copy's key: ?optional=1 (204 instead of 404 for "none yet") names the same resource, so it is left out and
  // the page, the job copier and the outbox's overlay of waiting writes all meet on one key
  const key = copyKey(path, query);
  const copy = session() && auth && method === 'GET' && copied(path);
  if (session() && auth && method !== 'GET' && (navigator.onLine === false || waiting > 0)) {
    // offline, or earlier writes still wait: this one waits behind them (or, needing the server, is refused)
    const q = await (await offline()).queueWrite(method, path, query, body);
    if (!q) throw offlineError();
    return q.data;
  }
  // a write that could wait carries its client id and time from the first try: if the answer is lost with the
  // signal, the outbox sends the same key again and the server answers from its record instead of doing it twice
  const ahead = session() && auth && method !== 'GET' && (await offline()).mayWait(method, path, body);
  if (ahead) Object.assign(headers, { 'Idempotency-Key': ahead.id, 'X-Device-Time': String(ahead.device_at) });
  let res;
  inflight++;
  try {
    res = await ((method === 'GET' && auth && takeEarly(path + qs(query))) || fetch(BASE + path + qs(query), init));
  } catch (e) {
    if (e && e.name === 'AbortError') throw e;
    if (copy) {
      const c = await (await offline()).readCopy(key);
      if (c && c.status === 200) return c.data;
      if (c && c.status === 204) return null; // "none yet" (?optional=1), as the server said when online
      if (c && c.status === 404) throw new ApiError(404, (c.data && c.data.code) || 'not_found', (c.data && c.data.message) || '', c.data && c.data.details);
    }
    if (session() && auth && method !== 'GET') {
      const q = await (await offline()).queueWrite(method, path, query, body, ahead);
      if (q) return q.data;
      throw offlineError();
    }
    throw new ApiError(0, 'network', t('error.network'), { cause: String(e) });
  } finally {
    if (--inflight === 0) quietNow();
  }
  if (res.status === 204) {
    if (copy) keep(key, 204, null);
    return null;
  }
  let data = null;
  const text = await res.text();
  if (text) {
    try { data = JSON.parse(text); } catch { data = null; }
  }
  // with writes waiting, the answer is shown with them laid over it (the offline side does that as it keeps it);
  // else it is kept in the background and the page goes on at once
  if (copy && res.ok && waiting > 0) data = await (await offline()).keepCopy(key, 200, data);
  else if (copy && res.ok) keep(key, 200, data);
  else if (copy && res.status === 404) keep(key, 404, data && data.error);
  if (!res.ok) {
    const err = data && data.error ? data.error : {};
    const e = new ApiError(res.status, err.code || 'http_' + res.status,
      err.message || t('error.http', { status: res.status }), err.details);
    if (res.status === 401 && auth && onUnauthenticated && !silent401 && e.code !== 'invalid_credentials') {
      onUnauthenticated(e);
    }
    throw e;
  }
  return data;
}

export const get = (path, query, { signal } = {}) => api('GET', path, { query, signal });
export const put = (path, body) => api('PUT', path, { body });
export const post = (path, body) => api('POST', path, { body: body === undefined ? {} : body });

/** Every page of a list endpoint (up to max items). */
export async function listAll(path, query = {}, max = 1000) {
  const items = [];
  let cursor = null;
  do {
    const r = await get(path, { ...query, limit: 200, cursor });
    items.push(...((r && r.items) || []));
    cursor = r && r.next_cursor;
  } while (cursor && items.length < max);
  return items;
}

function authHeaders(extra = {}) {
  const headers = { Accept: 'application/json', 'Accept-Language': acceptLanguage(), ...extra };
  const tok = getToken();
  if (tok) headers.Authorization = 'Bearer ' + tok;
  return headers;
}

async function failure(res) {
  let data = null;
  try { data = JSON.parse(await res.text()); } catch { data = null; }
  const err = data && data.error ? data.error : {};
  const e = new ApiError(res.status, err.code || 'http_' + res.status,
    err.message || t('error.http', { status: res.status }), err.details);
  if (res.status === 401 && onUnauthenticated) onUnauthenticated(e);
  return e;
}

/**
 * GET with If-None-Match: resolves {status: 304} when the resource has not changed since `etag`, else
 * {status: 200, etag, data}. Used by the supervision board's poll.
 */
export async function getConditional(path, query, etag, { signal } = {}) {
  const headers = authHeaders(etag ? { 'If-None-Match': etag } : {});
  let res;
  try {
    res = await fetch(BASE + path + qs(query), { method: 'GET', headers, credentials: 'same-origin', cache: 'no-store', signal });
  } catch (e) {
    if (e && e.name === 'AbortError') throw e;
    throw new ApiError(0, 'network', t('error.network'), { cause: String(e) });
  }
  if (res.status === 304) return { status: 304, etag };
  if (!res.ok) throw await failure(res);
  return { status: res.status, etag: res.headers.get('ETag'), data: await res.json() };
}

const TYPES = { jpg: 'image/jpeg', jpeg: 'image/jpeg', png: 'image/png', webp: 'image/webp', mp4: 'video/mp4', pdf: 'application/pdf' };

/** The file's type, from the browser or else from its name (the server sniffs the bytes and checks it). */
export function fileType(file) {
  if (file && file.type) return file.type;
  const ext = String((file && file.name) || '').split('.').pop().toLowerCase();
  return TYPES[ext] || 'application/octet-stream';
}

/**
 * POST /attachments?entity=&entity_id=&filename= with the file as the raw body and its own Content-Type.
 * Resolves the attachment's metadata ({id, sha256, content_type, size, …}).
 */
export async function upload(entity, entityId, file) {
  // offline (or behind waiting writes): the photo waits in the outbox under a local id the write using it carries
  if (started && (navigator.onLine === false || waiting > 0)) {
    const meta = await (await offline()).queueUpload(entity, entityId, file);
    if (meta) return meta;
    throw offlineError();
  }
  const headers = authHeaders({ 'Content-Type': fileType(file) });
  let res;
  try {
    res = await fetch(BASE + '/attachments' + qs({ entity, entity_id: entityId, filename: file.name || undefined }),
      { method: 'POST', headers, body: file, credentials: 'same-origin', cache: 'no-store' });
  } catch (e) {
    const meta = started ? await (await offline()).queueUpload(entity, entityId, file) : null;
    if (meta) return meta;
    if (started) throw offlineError();
    throw new ApiError(0, 'network', t('error.network'), { cause: String(e) });
  }
  if (!res.ok) throw await failure(res);
  return res.json();
}

// Object URLs of attachments already fetched (id -> Promise<url>): a photo is fetched once per page load.
const blobUrls = new Map();

/**
 * An attachment's content as an object URL. GET /attachments/{id}/content needs the bearer header, so an
 * <img src> cannot load it directly: fetch -> blob -> URL.createObjectURL.
 */
/** The same for a file the server serves under another path (an application's files: /applications/{id}/attachments/…). */
export function contentUrl(path) {
  if (!blobUrls.has(path)) {
    const p = (async () => {
      let res;
      try {
        res = await fetch(BASE + path, { headers: authHeaders({ Accept: '*/*' }), credentials: 'same-origin' });
      } catch (e) {
        throw new ApiError(0, 'network', t('error.network'), { cause: String(e) });
      }
      if (!res.ok) throw await failure(res);
      return URL.createObjectURL(await res.blob());
    })();
    p.catch(() => blobUrls.delete(path));
    blobUrls.set(path, p);
  }
  return blobUrls.get(path);
}

/** A POST whose answer is a file (a PDF to print: POST /tools/labels): the file as an object URL. */
export async function postForFile(path, body) {
  let res;
  try {
    res = await fetch(BASE + path, {
      method: 'POST', credentials: 'same-origin',
      headers: authHeaders({ Accept: '*/*', 'Content-Type': 'application/json' }), body: JSON.stringify(body || {}),
    });
  } catch (e) {
    throw new ApiError(0, 'network', t('error.network'), { cause: String(e) });
  }
  if (!res.ok) throw await failure(res);
  return URL.createObjectURL(await res.blob());
}

export function attachmentUrl(id) {
  if (!blobUrls.has(id)) {
    const p = (async () => {
      // a photo taken offline, or one kept on the phone when it was shown (js/offline/)
      const kept = started ? await (await offline()).readBlob(id) : null;
      if (kept) return URL.createObjectURL(kept);
      let res;
      try {
        res = await fetch(BASE + '/attachments/' + encodeURIComponent(id) + '/content',
          { headers: authHeaders({ Accept: '*/*' }), credentials: 'same-origin' });
      } catch (e) {
        throw new ApiError(0, 'network', t('error.network'), { cause: String(e) });
      }
      if (!res.ok) throw await failure(res);
      const blob = await res.blob();
      if (started) (await offline()).keepBlob(id, blob).catch(() => {});
      return URL.createObjectURL(blob);
    })();
    p.catch(() => blobUrls.delete(id));
    blobUrls.set(id, p);
  }
  return blobUrls.get(id);
}

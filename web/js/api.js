// Thin client for /api/v1. JSON in, JSON out; errors become ApiError with
// the server's {code, message, details}.
import { acceptLanguage, t } from './i18n.js';

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

function qs(params) {
  if (!params) return '';
  const u = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) {
    if (v === undefined || v === null || v === '') continue;
    u.set(k, String(v));
  }
  const s = u.toString();
  return s ? '?' + s : '';
}

export async function api(method, path, { body, query, auth = true } = {}) {
  const headers = { Accept: 'application/json', 'Accept-Language': acceptLanguage() };
  const tok = getToken();
  if (tok && auth) headers.Authorization = 'Bearer ' + tok;
  const init = { method, headers, credentials: 'same-origin', cache: 'no-store' };
  if (body !== undefined) {
    headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  let res;
  try {
    res = await fetch(BASE + path + qs(query), init);
  } catch (e) {
    throw new ApiError(0, 'network', t('error.network'), { cause: String(e) });
  }
  if (res.status === 204) return null;
  let data = null;
  const text = await res.text();
  if (text) {
    try { data = JSON.parse(text); } catch { data = null; }
  }
  if (!res.ok) {
    const err = data && data.error ? data.error : {};
    const e = new ApiError(res.status, err.code || 'http_' + res.status,
      err.message || t('error.http', { status: res.status }), err.details);
    if (res.status === 401 && auth && onUnauthenticated && e.code !== 'invalid_credentials') {
      onUnauthenticated(e);
    }
    throw e;
  }
  return data;
}

export const get = (path, query) => api('GET', path, { query });
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

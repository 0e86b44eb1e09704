// Strings come only from /i18n/ (a language's file, or the build's parts of it: see stringsPlan). zh-CN is the
// default; the choice is kept in localStorage 'fg.lang'.
import { assetUrl } from './assets.js';

export const LANGS = ['zh-CN', 'en'];
const STORE_KEY = 'fg.lang';

let lang = 'zh-CN';
let dict = {};
let fallback = {};
const listeners = new Set();

export function storedLang() {
  try {
    const v = localStorage.getItem(STORE_KEY);
    if (LANGS.includes(v)) return v;
  } catch { /* storage may be blocked */ }
  return 'zh-CN';
}

async function fetchJson(path) {
  // the hashed name changes with the strings, so the browser's copy is used as long as it is the same file
  const res = await fetch(assetUrl(path));
  if (!res.ok) throw new Error(`i18n ${path}: HTTP ${res.status}`);
  return res.json();
}

// The build splits the strings by page (tools/webstrings.mjs) and says how in the page (#fg-strings): the part the
// page's script loads first ("boot") and each lazily loaded module's part. A part of a language other than zh-CN
// carries zh-CN's strings where it has none. Served from web/ itself there is no plan: the whole files, with zh-CN
// as the fallback here.
let plan;
function stringsPlan() {
  if (plan === undefined) {
    try {
      plan = JSON.parse(document.getElementById('fg-strings')?.textContent || 'null');
    } catch {
      plan = null;
    }
  }
  return plan;
}
const wanted = new Set(); // the parts of the pages opened so far, in every language the app switches to
const parts = new Map(); // 'en/jobs' -> Promise of the strings
let target = storedLang(); // the language being set (the parts a page asks for meanwhile are that language's)

function part(code, name) {
  const key = code + '/' + name;
  if (!parts.has(key)) {
    const p = fetchJson(`/i18n/${code}/${name}.json`);
    p.catch(() => parts.delete(key)); // asked again next time
    parts.set(key, p);
  }
  return parts.get(key);
}

/** A language's strings: its whole file (and zh-CN's for the fallback), or the page's parts asked for so far. */
async function load(code) {
  const pl = stringsPlan();
  if (!pl) {
    const next = await fetchJson(`/i18n/${code}.json`);
    if (code === 'zh-CN') fallback = next;
    else if (!Object.keys(fallback).length) {
      try { fallback = await fetchJson('/i18n/zh-CN.json'); } catch { fallback = {}; }
    }
    return next;
  }
  fallback = {};
  for (;;) {
    const names = [pl.boot, ...wanted];
    const loaded = await Promise.all(names.map((n) => part(code, n)));
    // a page asked for its part meanwhile: take it in too
    if (names.length === wanted.size + 1) return Object.assign({}, ...loaded);
  }
}

/** Load a language and make it current. */
export async function setLang(code, { remember = true } = {}) {
  if (!LANGS.includes(code)) code = 'zh-CN';
  target = code;
  const next = await load(code);
  if (target !== code) return; // another language was asked for meanwhile: that one is set
  dict = next;
  lang = code;
  document.documentElement.lang = code;
  document.title = t('app.title');
  if (remember) {
    try { localStorage.setItem(STORE_KEY, code); } catch { /* ignore */ }
  }
  for (const fn of listeners) fn(code);
}

/**
 * The strings of a lazily loaded module ('jobs.js'), asked for with its code: resolves when t() has them. Nothing
 * to do where the build made no part for it (its strings came with the page's) or there is no plan (whole files).
 */
export async function loadStrings(module) {
  const pl = stringsPlan();
  const name = pl && pl.parts[module];
  if (!name) return;
  wanted.add(name);
  const code = target;
  const got = await part(code, name);
  if (lang === code && target === code) Object.assign(dict, got);
}

export function getLang() {
  return lang;
}

/** Value for the Accept-Language header of API calls. */
export function acceptLanguage() {
  return target === 'en' ? 'en' : 'zh-CN';
}

export function onLangChange(fn) {
  listeners.add(fn);
  return () => listeners.delete(fn);
}

/** t('key', {name: 'x'}) -> string with {name} replaced. Unknown keys return the key itself. */
export function t(key, params) {
  let s = dict[key];
  if (typeof s !== 'string') s = fallback[key];
  if (typeof s !== 'string') return key;
  if (params) {
    s = s.replace(/\{(\w+)\}/g, (m, k) => (k in params ? String(params[k]) : m));
  }
  return s;
}

/** Translated role name, or the raw code for a role the UI does not know. */
export function roleName(code) {
  const k = 'role.' + code;
  const s = t(k);
  return s === k ? code : s;
}

const fmtCache = new Map();
/**
 * Format epoch milliseconds in Asia/Shanghai. {seconds: false} drops the seconds (due times, schedules).
 */
export function fmtTime(ms, { seconds = true } = {}) {
  if (ms === null || ms === undefined || ms === '') return '—';
  const n = Number(ms);
  if (!Number.isFinite(n)) return String(ms);
  // English shows ISO dates (2026-12-07 09:30), unambiguous for a reader of either language; Chinese keeps its own
  if (lang === 'en') {
    const d = new Date(n + 8 * 3600 * 1000); // Asia/Shanghai: UTC+8 all year
    const p2 = (v) => String(v).padStart(2, '0');
    return `${d.getUTCFullYear()}-${p2(d.getUTCMonth() + 1)}-${p2(d.getUTCDate())} ${p2(d.getUTCHours())}:${p2(d.getUTCMinutes())}` +
      (seconds ? ':' + p2(d.getUTCSeconds()) : '');
  }
  const key = lang + (seconds ? ':s' : ':m');
  let f = fmtCache.get(key);
  if (!f) {
    f = new Intl.DateTimeFormat(lang === 'en' ? 'en-GB' : 'zh-CN', {
      timeZone: 'Asia/Shanghai',
      year: 'numeric', month: '2-digit', day: '2-digit',
      hour: '2-digit', minute: '2-digit', second: seconds ? '2-digit' : undefined, hour12: false,
    });
    fmtCache.set(key, f);
  }
  return f.format(new Date(n));
}

// Asia/Shanghai is UTC+8 all year (no daylight saving), so local wall time there is a fixed offset.
const SHANGHAI_OFFSET_MS = 8 * 3600 * 1000;
const pad = (v, n = 2) => String(v).padStart(n, '0');

/** Today's date in Asia/Shanghai as YYYY-MM-DD (plans are dated in that zone). */
export function todayShanghai(now = Date.now()) {
  const d = new Date(now + SHANGHAI_OFFSET_MS);
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;
}

/** "YYYY-MM-DDTHH:mm" typed as Asia/Shanghai wall time -> epoch ms, or null if not a valid value. */
export function shanghaiInputToMs(v) {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})$/.exec(String(v || ''));
  if (!m) return null;
  const ms = Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5]) - SHANGHAI_OFFSET_MS;
  return Number.isFinite(ms) ? ms : null;
}

/** Epoch ms -> "YYYY-MM-DDTHH:mm" in Asia/Shanghai, for <input type="datetime-local">. */
export function msToShanghaiInput(ms) {
  if (ms === null || ms === undefined) return '';
  const d = new Date(Number(ms) + SHANGHAI_OFFSET_MS);
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}T${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}`;
}

/** t(key) when the key exists, else the fallback (codes the UI does not know yet show as they are). */
export function tOr(key, fallback) {
  const s = t(key);
  return s === key ? fallback : s;
}

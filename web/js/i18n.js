// Strings come only from /i18n/<lang>.json. zh-CN is the default; the
// choice is kept in localStorage 'fg.lang'.

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

async function fetchDict(code) {
  const res = await fetch(`/i18n/${code}.json`, { cache: 'no-cache' });
  if (!res.ok) throw new Error(`i18n ${code}: HTTP ${res.status}`);
  return res.json();
}

/** Load a language and make it current. Falls back to zh-CN strings for missing keys. */
export async function setLang(code, { remember = true } = {}) {
  if (!LANGS.includes(code)) code = 'zh-CN';
  const next = await fetchDict(code);
  if (code !== 'zh-CN' && !Object.keys(fallback).length) {
    try { fallback = await fetchDict('zh-CN'); } catch { fallback = {}; }
  }
  if (code === 'zh-CN') fallback = next;
  dict = next;
  lang = code;
  document.documentElement.lang = code;
  document.title = t('app.title');
  if (remember) {
    try { localStorage.setItem(STORE_KEY, code); } catch { /* ignore */ }
  }
  for (const fn of listeners) fn(code);
}

export function getLang() {
  return lang;
}

/** Value for the Accept-Language header of API calls. */
export function acceptLanguage() {
  return lang === 'en' ? 'en' : 'zh-CN';
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
/** Format epoch milliseconds in Asia/Shanghai. */
export function fmtTime(ms) {
  if (ms === null || ms === undefined || ms === '') return '—';
  const n = Number(ms);
  if (!Number.isFinite(n)) return String(ms);
  let f = fmtCache.get(lang);
  if (!f) {
    f = new Intl.DateTimeFormat(lang === 'en' ? 'en-GB' : 'zh-CN', {
      timeZone: 'Asia/Shanghai',
      year: 'numeric', month: '2-digit', day: '2-digit',
      hour: '2-digit', minute: '2-digit', second: '2-digit', hour12: false,
    });
    fmtCache.set(lang, f);
  }
  return f.format(new Date(n));
}

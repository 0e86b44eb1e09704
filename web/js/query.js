// A query string from an object: the one spelling of a GET's URL, so that a read started early (early.js, api.js's
// prefetch) and the page's own read of the same thing meet on one key. Empty values are left out.
export function qs(params) {
  if (!params) return '';
  const u = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) {
    if (v === undefined || v === null || v === '') continue;
    u.set(k, String(v));
  }
  const s = u.toString();
  return s ? '?' + s : '';
}

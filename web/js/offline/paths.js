// Which GET answers the phone keeps a copy of, and the key a copy is kept under (issue 14 item 1). Apart from
// sync.js so api.js can tell without loading the offline side (Dexie): a page's first reads are not held back by
// it on a weak network.

const COPIED = [
  /^\/me$/, /^\/me\/jobs$/, /^\/flows$/, /^\/flows\/[^/]+$/, /^\/kb\/tool_kinds$/, /^\/tickets$/, /^\/tickets\/[^/]+$/,
  /^\/plans\/[^/]+$/, /^\/plans\/[^/]+\/(survey|briefing|steps|tools|readiness)$/,
];
export const copied = (path) => COPIED.some((re) => re.test(path));

/** The copy's key: the path and its query, without ?optional=1 (204 instead of 404 for "none yet" names the same
 *  resource), so the page, the job copier and the overlay of waiting writes all meet on one key. */
export function copyKey(path, query) {
  const u = new URLSearchParams();
  for (const [k, v] of Object.entries(query || {})) {
    if (k === 'optional' || v === undefined || v === null || v === '') continue;
    u.set(k, String(v));
  }
  const s = u.toString();
  return s ? `${path}?${s}` : path;
}

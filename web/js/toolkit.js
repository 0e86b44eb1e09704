// Shared pieces of the safety-tool pages (安全工器具 /tools, the label scan /scan, the job's 工器具 step):
// tool kind names (GET /kb/tool_kinds, read once per page load), status badges, the QR label as an object URL,
// check-out with its refusals and warnings said in the UI's language, and the due summary (GET /tools/due).
import { h, icon } from './dom.js';
import { t, tOr, getLang, acceptLanguage } from './i18n.js';
import { get, post, getToken, ApiError, offlineSide } from './api.js';

export const TOOL_STATUSES = ['in_store', 'checked_out', 'test_due_soon', 'overdue', 'under_test', 'scrapped', 'lost'];
export const TOOL_CUSTODY = ['in_store', 'checked_out', 'under_test', 'scrapped', 'lost'];
export const RETURN_CONDITIONS = ['good', 'damaged', 'lost'];
/** What a label holds: "FGTOOL:<asset number>" (GET /tools/{id}/qr). */
export const LABEL_PREFIX = 'FGTOOL:';

const STATUS_TONE = {
  in_store: 'ok', checked_out: 'info', test_due_soon: 'warn', overdue: 'danger', under_test: 'orange', scrapped: 'muted', lost: 'danger',
};

let kindsPromise = null;
let kindsLoaded = [];
/** The tool kinds of data/kb/tool_kinds.json (as edited by admins): [{code, name_zh, name_en, test_cycle_months, …}]. */
export function toolKinds() {
  if (!kindsPromise) {
    kindsPromise = get('/kb/tool_kinds').then((r) => { kindsLoaded = (r && r.items) || []; return kindsLoaded; });
    kindsPromise.catch(() => { kindsPromise = null; });
  }
  return kindsPromise;
}
/** The kinds if a page has loaded them already (names in gate messages), else []. */
export const loadedToolKinds = () => kindsLoaded;

/** A kind's name in the UI's language; the server's Chinese name or the code when the kinds are not loaded. */
export function toolKindName(kinds, code, fallback) {
  const k = (kinds || []).find((x) => x.code === code);
  if (k) return (getLang() === 'en' ? k.name_en || k.name_zh : k.name_zh || k.name_en) || code;
  return fallback || code || '—';
}

export const toolStatusName = (s) => (s ? tOr('tool.status.' + s, String(s)) : '—');

export function toolStatusBadge(status, testid) {
  return h('span.badge', { class: 'badge-' + (STATUS_TONE[status] || 'muted'), testid, dataset: { status: status || '' }, text: toolStatusName(status) });
}

/** "in 12 days" / "3 days overdue" / "due today"; null without a due date. */
export function relDue(tool) {
  const d = tool ? tool.days_to_due : null;
  if (!Number.isFinite(d)) return null;
  return d < 0 ? t('tool.days_overdue', { n: -d }) : d === 0 ? t('tool.due_today') : t('tool.days_left', { n: d });
}

/** "2026-05-31 (in 12 days)"; "no calendar cycle" for kinds tested by hours of use. */
export function dueText(tool) {
  if (!tool || !tool.next_test_due) return t('tool.no_due');
  const rel = relDue(tool);
  return rel ? t('tool.due_with_rel', { date: tool.next_test_due, rel }) : tool.next_test_due;
}

/** A class for a due date: overdue (red) or due-soon (amber, within 30 days). */
export const dueClass = (tool) => {
  const d = tool ? tool.days_to_due : null;
  return Number.isFinite(d) ? (d < 0 ? 'overdue' : d <= 30 ? 'due-soon' : '') : '';
};

export function dueCell(tool) {
  return h('span', { class: dueClass(tool), text: dueText(tool) });
}

/** The asset number a scanned or typed text names: "FGTOOL:AB-1" or "AB-1" → "AB-1" (null when empty). */
export function assetFromText(text) {
  let s = String(text || '').trim();
  if (s.toUpperCase().startsWith(LABEL_PREFIX)) s = s.slice(LABEL_PREFIX.length).trim();
  return s || null;
}

/** GET /tools?asset_no= → the tool, or null when no tool has that number. Offline: a tool of the copies of my
 *  jobs' tool lists (checked out for them, or proposed), else the refusal `offline_tool_unknown`. */
export async function toolByAsset(asset) {
  let r;
  try {
    r = await get('/tools', { asset_no: asset });
  } catch (ex) {
    if (!(ex instanceof ApiError) || ex.status !== 0) throw ex;
    const tool = await (await offlineSide()).toolOffline(asset).catch(() => null);
    if (tool) return tool;
    throw new ApiError(0, 'offline_tool_unknown', t('scan.offline_unknown'));
  }
  return (r && r.items && r.items[0]) || null;
}

/**
 * A refusal of check-out / return in the UI's language, with the date it names (tool_test_overdue:
 * next_test_due, tool_test_failed: last_test_date, tool_not_available: custody). Other errors: the server's message.
 */
export function refusalText(err) {
  if (!(err instanceof ApiError)) return String((err && err.message) || err || t('error.unknown'));
  const d = err.details || {};
  switch (err.code) {
    case 'tool_test_overdue':
      return d.next_test_due ? t('tool.refuse.tool_test_overdue', { date: d.next_test_due }) : t('tool.refuse.tool_test_never');
    case 'tool_test_failed':
      return t('tool.refuse.tool_test_failed', { date: d.last_test_date || '—' });
    case 'tool_not_available':
      return t('tool.refuse.tool_not_available', { custody: toolStatusName(d.custody) });
    case 'tool_not_checked_out':
      return t('tool.refuse.tool_not_checked_out');
    default:
      return err.message || t('error.unknown');
  }
}

/** A check-out warning in the UI's language; with asset_no (added by the page) it names the tool. */
export function warningText(w) {
  const text = w && w.code === 'tool_test_due_soon' ? t('tool.warn.tool_test_due_soon', { days: w.days, date: w.next_test_due || '—' })
    : tOr('tool.warn.' + (w && w.code), String((w && w.code) || ''));
  return w && w.asset_no ? `${w.asset_no} · ${text}` : text;
}

/** A red box for a refusal: the translated text, and the code in data-code (for people who report it). */
export function refusalBox(testid) {
  const el = h('div.alert.alert-error', { role: 'alert', testid, hidden: true });
  el.show = (err) => {
    if (!err) { el.hidden = true; el.replaceChildren(); delete el.dataset.code; return; }
    el.dataset.code = (err && err.code) || '';
    el.replaceChildren(h('span.alert-msg', { text: refusalText(err) }));
    el.hidden = false;
  };
  return el;
}

/** An amber box listing the warnings of a check-out (tool_test_due_soon with its days). */
export function warningBox(testid) {
  const el = h('div.alert.alert-warn', { role: 'status', testid, hidden: true });
  el.show = (warnings) => {
    const ws = warnings || [];
    el.hidden = !ws.length;
    el.replaceChildren(...ws.map((w) => h('span.alert-msg', { dataset: { code: w.code || '' }, text: warningText(w) })));
  };
  return el;
}

export function checkout(toolId, planId) {
  return post(`/tools/${encodeURIComponent(toolId)}/actions/checkout`, { plan_id: planId });
}

export function giveBack(toolId, condition, note) {
  const body = { condition };
  if (note) body.note = note;
  return post(`/tools/${encodeURIComponent(toolId)}/actions/return`, body);
}

/**
 * The tool's QR label (GET /tools/{id}/qr, SVG) as an object URL: the call needs the bearer header, so an
 * <img src> cannot load it directly.
 */
export async function qrUrl(toolId) {
  const headers = { Accept: 'image/svg+xml', 'Accept-Language': acceptLanguage() };
  const tok = getToken();
  if (tok) headers.Authorization = 'Bearer ' + tok;
  let res;
  try {
    res = await fetch('/api/v1/tools/' + encodeURIComponent(toolId) + '/qr', { headers, credentials: 'same-origin', cache: 'no-store' });
  } catch (e) {
    throw new ApiError(0, 'network', t('error.network'), { cause: String(e) });
  }
  if (!res.ok) {
    let body = null;
    try { body = JSON.parse(await res.text()); } catch { body = null; }
    const e = (body && body.error) || {};
    throw new ApiError(res.status, e.code || 'http_' + res.status, e.message || t('error.http', { status: res.status }), e.details);
  }
  return URL.createObjectURL(await res.blob());
}

/**
 * The due list as a small summary: overdue (red) and due within `days` (amber), each a button when onPick is
 * given (onPick('overdue' | 'test_due_soon')). GET /tools/due?days=.
 */
export function dueSummary({ testid = 'tools-due', days = 30, onPick, title = true } = {}) {
  const el = h('div.due-summary', { testid, 'aria-live': 'polite' }, h('span.muted.small', { text: t('common.loading') }));
  const draw = (items) => {
    const overdue = items.filter((x) => Number.isFinite(x.days_to_due) && x.days_to_due < 0).length;
    const soon = items.length - overdue;
    const part = (kind, n, tone, label) => {
      const attrs = { testid: `${testid}-${kind}`, class: `due-count due-${tone}${n ? '' : ' zero'}`, dataset: { n: String(n) } };
      const body = [h('span.due-n', { text: String(n) }), h('span.due-label', { text: label })];
      return onPick ? h('button', { ...attrs, type: 'button', onclick: () => onPick(kind === 'overdue' ? 'overdue' : 'test_due_soon') }, body)
        : h('span', attrs, body);
    };
    const parts = [part('overdue', overdue, 'red', t('tool.due_overdue')), part('soon', soon, 'amber', t('tool.due_soon', { days }))];
    if (title) parts.unshift(h('span.due-title', icon('tools', 'icon icon-sm'), h('span', { text: t('tool.due_title', { days }) })));
    el.replaceChildren(...parts);
    el.dataset.loaded = '1';
  };
  el.reload = async () => {
    try {
      const r = await get('/tools/due', { days });
      draw((r && r.items) || []);
    } catch (ex) {
      el.replaceChildren(h('span.muted.small', { testid: testid + '-error', text: ex.message || t('error.unknown') }));
    }
  };
  el.reload();
  return el;
}

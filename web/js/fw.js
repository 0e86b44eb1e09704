// Shared pieces of the field-work pages (工单, 作业计划, 我的作业): names for the server's codes, badges,
// error boxes that list every failed safety gate, flow action buttons, and the list/detail layout.
// Names of work kinds, states, gates… are i18n keys; a code the UI does not know yet shows as it is.
import { h, clear, icon } from './dom.js';
import { t, tOr } from './i18n.js';
import { post, ApiError } from './api.js';
import { toast, confirmDialog } from './ui.js';
import { toolKindName, loadedToolKinds } from './toolkit.js';
import { flowStates, flowStateName } from './flows.js';

/** Work kind codes of data/kb/work_kinds.json (names: i18n `kind.<code>`). */
export const WORK_KINDS = ['lv_meter_install', 'ct_meter_install', 'hv_metering_install', 'meter_rotation',
  'terminal_install', 'collection_fault', 'disputed_meter_check', 'first_inspection', 'metering_error_correction',
  'metering_retrofit', 'charger_inspection', 'charger_repair'];
// State codes in order come from the flow definitions (flows.js); these lists only stand in until they loaded.
const ORDER_STATUSES = ['new', 'planned', 'in_progress', 'done', 'cancelled'];
const PLAN_STATUSES = ['draft', 'published', 'working', 'paused', 'finished', 'cancelled'];
export const PRIORITIES = ['urgent', 'high', 'normal', 'low'];
export const SOURCES = ['customer', 'schedule', 'alarm', 'manager'];
const TICKET_STATUSES = ['draft', 'issued', 'received', 'permitted', 'working', 'interrupted', 'ended', 'archived',
  'void', 'not_executed'];
/** Ticket kind codes of data/kb/ticket_kinds.json (names: i18n `ticket_kind.<code>`). */
export const TICKET_KINDS = ['DY', 'PD1', 'PD2', 'GZK', 'QX', 'DDZY', 'BDZ1', 'BDZ2', 'RWD'];

export const kindName = (c) => (c ? tOr('kind.' + c, String(c)) : '—');
/** The states of a flow in order (GET /flows/{name}). */
export const orderStatuses = () => flowStates('work_order', ORDER_STATUSES);
export const planStatuses = () => flowStates('plan', PLAN_STATUSES);
export const ticketStatuses = () => flowStates('ticket', TICKET_STATUSES);
/** A state's name: the flow definition's, else the i18n one, else the code. */
export const statusName = (flow, c) => (c ? flowStateName(flow, c) || tOr(`status.${flow}.${c}`, String(c)) : '—');
export const priorityName = (c) => (c ? tOr('priority.' + c, String(c)) : '—');
export const sourceName = (c) => (c ? tOr('source.' + c, String(c)) : '—');
export const actionName = (flow, a) => tOr(`action.${flow}.${a}`, tOr('action.' + a, String(a)));
export const personName = (u) => (u ? u.display_name || u.username || u.id : '—');
export const ticketKindName = (c, fallback) => (c ? tOr('ticket_kind.' + c, fallback || String(c)) : '—');

const STATUS_TONE = {
  work_order: { new: 'warn', planned: 'info', in_progress: 'orange', done: 'ok', cancelled: 'muted' },
  plan: { draft: 'muted', published: 'info', working: 'orange', paused: 'warn', finished: 'ok', cancelled: 'muted' },
  ticket: { draft: 'muted', issued: 'info', received: 'info', permitted: 'ok', working: 'orange', interrupted: 'warn',
    ended: 'ok', archived: 'muted', void: 'danger', not_executed: 'muted' },
};
const PRIORITY_TONE = { urgent: 'danger', high: 'orange', normal: 'muted', low: 'muted' };

export function statusBadge(flow, status, testid) {
  const tone = (STATUS_TONE[flow] || {})[status] || 'muted';
  return h('span.badge', { class: 'badge-' + tone, testid, dataset: { status: status || '' }, text: statusName(flow, status) });
}

export function priorityBadge(p) {
  return h('span.badge', { class: 'badge-' + (PRIORITY_TONE[p] || 'muted'), dataset: { priority: p || '' }, text: priorityName(p) });
}

/** Risk level 1 (highest) … 5: 1 red, 2 orange, 3 amber, 4 blue, 5 green. */
export function riskBadge(level, testid) {
  const n = Number(level);
  if (!Number.isInteger(n) || n < 1 || n > 5) return h('span.badge.badge-muted', { testid, text: t('risk.unknown') });
  return h('span.badge.risk', { class: 'risk-' + n, testid, dataset: { level: String(n) }, text: t('risk.level', { n }) });
}

export function highRiskBadge(testid) {
  return h('span.badge.badge-danger-solid', { testid, title: t('risk.high_hint'), text: t('risk.high') });
}

/** A past due time on an order that is still open. */
export function isOverdue(o, now = Date.now()) {
  return !!o && o.due_at && Number(o.due_at) < now && (o.status === 'new' || o.status === 'planned');
}

/**
 * An error box for API refusals. A 409 from a flow action carries details.gates: every failed gate is listed
 * by its translated name (with the orders / plan it names), so people see everything to fix at once.
 * Other errors show the server's message as is, plus an optional hint.
 */
export function problemBox(testid) {
  const el = h('div.alert.alert-error', { role: 'alert', testid, hidden: true });
  el.show = (err, hint) => {
    clear(el);
    if (!err) { el.hidden = true; return; }
    const gates = err instanceof ApiError && err.details && Array.isArray(err.details.gates) ? err.details.gates : null;
    if (gates && gates.length) {
      el.append(h('span.alert-msg', { text: t('gate.refused', { n: gates.length }) }));
      el.append(h('ul.gate-list', { testid: testid ? testid + '-gates' : undefined },
        gates.map((g, i) => gateItem(g, i === 0 ? err.message : null))));
    } else {
      el.append(h('span.alert-msg', { text: typeof err === 'string' ? err : err.message || t('error.unknown') }));
    }
    if (hint) el.append(h('span.alert-hint', { text: hint, testid: testid ? testid + '-hint' : undefined }));
    el.hidden = false;
  };
  return el;
}

function gateItem(g, serverMessage) {
  const code = g && g.code ? String(g.code) : '';
  // A gate the UI has no name for yet: the server's message for the first one, else its code.
  const name = tOr('gate.' + code, serverMessage || code || t('error.unknown'));
  const li = h('li.gate', { testid: 'gate-' + code, dataset: { code } }, h('span.gate-name', { text: name }));
  const orders = g && Array.isArray(g.work_orders) ? g.work_orders : [];
  if (orders.length) {
    li.append(h('span.gate-refs', orders.map((o) =>
      h('span.gate-ref', { text: `${o.number || o.id || '?'} · ${statusName('work_order', o.status)}` }))));
  }
  if (g && g.plan_number) li.append(h('span.gate-refs', h('span.gate-ref', { text: t('gate.on_plan', { number: g.plan_number }) })));
  // Why the ticket does not let the job start: none, not permitted (with its state), or past its planned end.
  if (g && g.reason) {
    li.append(h('span.gate-refs', { testid: 'gate-reason' },
      h('span', { text: tOr('gate.reason.' + g.reason, String(g.reason)) }),
      g.ticket_status ? h('span.gate-ref', { text: t('gate.ticket_status', { status: statusName('ticket', g.ticket_status) }) }) : null));
  }
  if (g && g.held === false) li.append(h('span.gate-refs', h('span', { text: t('gate.not_held') })));
  if (g && Number.isFinite(g.risk_level)) li.append(h('span.gate-refs', h('span', { text: t('risk.level', { n: g.risk_level }) })));
  if (g && g.ticket_number) li.append(h('span.gate-refs', h('span.gate-ref', { text: t('gate.ticket', { number: g.ticket_number }) })));
  if (g && Number.isFinite(g.people) && Number.isFinite(g.min)) {
    li.append(h('span.gate-refs', h('span', { text: t('gate.people', { people: g.people, min: g.min }) })));
  }
  // Lists of people or things a gate names (who has not signed, which risk points are open, …).
  for (const [k, v] of Object.entries(g || {})) {
    if (k === 'work_orders' || !Array.isArray(v) || !v.length) continue;
    const names = v.map(refName).filter((x) => x !== undefined && x !== null && x !== '');
    if (!names.length) continue;
    const label = h('span.gate-list-label', { text: tOr(`gate.detail.${code}.${k}`, tOr('gate.detail.' + k, k + ':')) });
    // Short names (people) side by side; long texts (risk points, measures) one per line.
    if (names.some((n) => String(n).length > 16)) {
      li.append(h('div.gate-refs.gate-refs-block', { dataset: { key: k } }, label,
        h('ol.gate-sublist', names.map((n) => h('li', { text: String(n) })))));
    } else {
      li.append(h('span.gate-refs', { dataset: { key: k } }, label, names.map((n) => h('span.gate-ref.gate-name-ref', { text: String(n) }))));
    }
  }
  return li;
}

/** Why a person may not work: one reason of people readiness (their own records, or their contractor's). */
export function personReason(r) {
  const code = String((r && r.code) || '');
  if (code === 'certificate_expired') return t('gate.person.certificate_expired', { name: r.name || '', date: r.expires_on || '' });
  if (r && r.contractor) {
    const s = t('gate.person.' + code, { contractor: r.contractor.name || '', reason: r.reason || '', date: r.qualification_expires_on || '—' });
    return s === 'gate.person.' + code ? code : s;
  }
  return tOr('gate.person.' + code, code);
}

/**
 * How a gate names one thing: a person (with why they may not work: gate_person_unqualified's reasons), a tool
 * (asset number and why it may not be used), a tool kind not in hand, a risk point, a measure, an order…
 */
function refName(x) {
  if (!x || typeof x !== 'object') return x;
  if (x.display_name && Array.isArray(x.reasons) && x.reasons.length) {
    const why = x.reasons.map(personReason).join('；');
    return t('gate.named_why', { name: x.display_name, why });
  }
  if (x.asset_no) {
    const why = x.reason === 'overdue' && x.next_test_due ? t('gate.tool.overdue', { date: x.next_test_due }) : tOr('gate.tool.' + x.reason, String(x.reason || ''));
    return why ? t('gate.named_why', { name: x.asset_no, why }) : x.asset_no;
  }
  if (x.kind && x.name && !x.id) return toolKindName(loadedToolKinds(), x.kind, x.name);
  if (x.code && Number.isFinite(x.qty) && Number.isFinite(x.on_hand)) return t('gate.part_short', { name: x.name || x.code, qty: x.qty, on_hand: x.on_hand });
  if (x.display_name && x.contractor && x.contractor.name) return t('gate.named_why', { name: x.display_name, why: x.contractor.name });
  return x.display_name || x.number || x.hazard || x.text || x.name || x.id;
}

/** Marks the form field the server named in details.field; returns a hint naming it (or undefined). */
export function markServerField(ex, fieldEls, labels) {
  const f = ex instanceof ApiError && ex.details ? ex.details.field : null;
  for (const [k, el] of Object.entries(fieldEls)) if (el) el.classList.toggle('invalid', k === f);
  if (f && fieldEls[f]) {
    const input = fieldEls[f].querySelector('input, select, textarea');
    if (input) input.focus();
  }
  return f && labels[f] ? t('form.field_is', { field: labels[f] }) : undefined;
}

export function clearMarks(fieldEls) {
  for (const el of Object.values(fieldEls)) if (el) el.classList.remove('invalid');
}

/**
 * Buttons for the actions the server lists on an entity (`actions` of GET …/{id}). A click POSTs
 * /<collection>/{id}/actions/{action} with the version on screen. confirmFor(action) may return a question
 * {title, body, confirm, danger} to ask first. onDone() after success; a refusal goes into box, and on a stale
 * screen (invalid_transition, version_conflict) onStale() reloads it.
 */
export function actionBar({ flow, collection, entity, box, testidPrefix, confirmFor, onDone, onStale }) {
  const actions = Array.isArray(entity.actions) ? entity.actions : [];
  const bar = h('div.action-bar', { testid: testidPrefix + '-actions' });
  for (const a of actions) {
    const label = actionName(flow, a);
    const cls = a === 'cancel' ? 'btn btn-danger-outline' : a === 'publish' ? 'btn btn-primary' : 'btn';
    const btn = h('button', { type: 'button', class: cls, testid: `${testidPrefix}-action-${a}`, dataset: { action: a }, text: label });
    btn.addEventListener('click', async () => {
      box.show(null);
      const q = confirmFor ? confirmFor(a) : null;
      if (q && !(await confirmDialog(q))) return;
      for (const b of bar.querySelectorAll('button')) b.disabled = true;
      try {
        const body = typeof entity.version === 'number' ? { version: entity.version } : {};
        await post(`/${collection}/${encodeURIComponent(entity.id)}/actions/${encodeURIComponent(a)}`, body);
        toast(t('action.done', { action: label }));
        await onDone();
      } catch (ex) {
        for (const b of bar.querySelectorAll('button')) b.disabled = false;
        box.show(ex);
        if (ex instanceof ApiError && (ex.code === 'invalid_transition' || ex.code === 'version_conflict') && onStale) {
          await onStale(ex);
        }
      }
    });
    bar.append(btn);
  }
  if (!actions.length) bar.append(h('span.muted.small', { text: t('action.none') }));
  return bar;
}

/** <dl> of [label, value, testid?] rows; empty values show as "—", rows that are null are left out. */
export function kvList(rows, cls = '') {
  const dl = h('dl.kv.kv-detail', { class: cls });
  for (const r of rows) {
    if (!r) continue;
    const [label, v, testid] = r;
    const dd = h('dd', { testid });
    if (v instanceof Node) dd.append(v);
    else if (Array.isArray(v)) dd.append(...v);
    else dd.textContent = v === null || v === undefined || v === '' ? '—' : String(v);
    dl.append(h('dt', { text: label }), dd);
  }
  return dl;
}

/**
 * A list with a detail panel: beside the list on wide screens, in its place on narrow ones (phones).
 * The detail has its own address (base/{id}), pushed without re-rendering the list; back/forward re-route.
 */
export function masterDetail(base) {
  const list = h('div.md-list');
  const detail = h('div.md-detail', { hidden: true });
  const wrap = h('div.md', list, detail);
  const narrow = () => window.matchMedia('(max-width: 1199px)').matches;
  return {
    wrap, list, detail,
    show(id, { push = true } = {}) {
      const p = base + '/' + encodeURIComponent(id);
      if (push && location.pathname !== p) history.pushState(null, '', p);
      wrap.classList.add('md-open');
      detail.hidden = false;
      if (narrow()) window.scrollTo(0, 0);
    },
    hide({ push = true } = {}) {
      if (push && location.pathname !== base) history.pushState(null, '', base);
      wrap.classList.remove('md-open');
      detail.hidden = true;
      clear(detail);
    },
  };
}

/** Head of a detail panel: back/close button, number, title and badges. */
export function detailHead({ number, title, badges, onClose, testid }) {
  return h('div.detail-head',
    h('button.btn.btn-sm.btn-link.detail-back', { type: 'button', testid: testid + '-close', onclick: onClose },
      icon('back', 'icon icon-sm'), h('span', { text: t('common.back_to_list') })),
    h('div.detail-number.mono', { testid: testid + '-number', text: number || '—' }),
    h('h2.detail-title', { text: title || '—' }),
    h('div.chips.detail-badges', badges));
}

/** The id after base in a path ('/orders/abc' -> 'abc'), '' for the base itself, null if not ours. */
export function subId(path, base) {
  if (path === base) return '';
  const m = new RegExp('^' + base.replace(/\//g, '\\/') + '\\/([^/]+)$').exec(path);
  if (!m) return null;
  try { return decodeURIComponent(m[1]); } catch { return null; }
}

/** A link that routes inside the app. */
export function appLink(href, text, navigate, attrs = {}) {
  return h('a', {
    href, text, ...attrs,
    onclick: (e) => { if (e.button === 0 && !e.ctrlKey && !e.metaKey && !e.shiftKey) { e.preventDefault(); navigate(href); } },
  });
}

/** "Under emergency E, relaxation X" on the record of the work an emergency touched (GET /tickets/{id}, /plans/{id},
 * /work-orders/{id}: emergency_relaxations); kept after the emergency ends. null when there is none. */
export function emergencyMarks(list, testid) {
  if (!Array.isArray(list) || !list.length) return null;
  return h('div.alert.alert-warn', { role: 'note', testid },
    list.map((r) => h('div', { testid: testid + '-item', dataset: { emergency: r.emergency_id },
      text: t('emergency.mark', { number: r.emergency_number, title: r.emergency_title || '',
        relaxation: tOr('emergency.relax.' + r.relaxation, r.relaxation) }) })));
}

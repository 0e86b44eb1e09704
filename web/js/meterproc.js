// 计量业务 (issue 12 item 2, R1.1): the metering centre's field-service cases (docs/api.md "Metering: service processes").
//   - /metering-cases: one board per process (a tab per kind), one column per stage of data/flows/metering_case.json,
//     each case with its clock (GET /metering/cases?kind=…&open=true): red past due_at, amber within a day of it,
//     green before, grey without a deadline; a new case from the board.
//   - /metering-cases/{id}: one case: its facts, clock, the actions the flow offers this user (with the forms they
//     need: a test's error, the answer to the customer, the 退补 inputs, a reason), the 退补 working with its steps,
//     the work orders it created and its timeline (every transition, the system's included).
import { h, mount } from './dom.js';
import { t, tOr, fmtTime, getLang } from './i18n.js';
import { get, post } from './api.js';
import { hasPerm, hasRole } from './perm.js';
import { toast, dataTable, loading, formDialog, badge } from './ui.js';
import { problemBox, appLink, kvList, kindName as workKindName, statusName } from './fw.js';
import { loadFlow, flowStateName, flowStates } from './flows.js';
import { isAbort } from './lifecycle.js';

const FLOW = 'metering_case';
export const MP_KINDS = ['disputed', 'install', 'fault', 'first_inspection', 'error', 'retrofit', 'collection', 'periodic'];
/** What a person opens (periodic cases are generated from the assets). */
const DESK_KINDS = MP_KINDS.filter((k) => k !== 'periodic');
const OPEN_STATES = ['field', 'reply', 'replacement', 'calculation', 'approval'];
const CAUSES = ['out_of_tolerance', 'wiring', 'voltage_drop', 'pt_fuse', 'multiplier'];
/** The inputs each 退补 cause takes (meterproc_refund.h), in the order the form asks for them. */
const CAUSE_INPUTS = {
  out_of_tolerance: ['energy_kwh', 'error_percent'],
  wiring: ['energy_kwh', 'correction_factor'],
  voltage_drop: ['energy_kwh', 'measured_drop_percent', 'allowed_drop_percent'],
  pt_fuse: ['method', 'energy_kwh', 'normal_month_kwh', 'normal_month_days', 'correction_factor'],
  multiplier: ['reading_diff', 'correct_multiplier', 'wrong_multiplier'],
};
const allows = (me, p) => hasRole(me, 'admin') || hasPerm(me, p);
const kindName = (k) => tOr('mp.kind.' + k, k);
const stateName = (c) => flowStateName(FLOW, c) || tOr('mp.state.' + c, c);
const actionLabel = (a) => tOr('mp.action.' + a, a);
const local = (o, base) => (o ? (getLang() === 'en' ? o[base + '_en'] || o[base + '_zh'] : o[base + '_zh'] || o[base + '_en']) : '');

function clockBadge(c, testid) {
  const color = (c && c.color) || 'grey';
  const kind = { red: 'badge-danger', amber: 'badge-warn', green: '', grey: 'badge-muted' }[color];
  const text = color === 'red' ? t('mp.clock.late') : color === 'amber' ? t('mp.clock.nearly_late')
    : c && c.due_at ? t('mp.due', { at: fmtTime(c.due_at, { seconds: false }) }) : t('mp.clock.none');
  return h('span.badge', { class: kind, testid, dataset: { clock: color }, text });
}

export function renderMeterproc(el, ctx) {
  const { path } = ctx;
  if (path === '/metering-cases') { loadFlow(FLOW).then(() => renderBoard(el, ctx, MP_KINDS[0])); return true; }
  let m = /^\/metering-cases\/kind\/([a-z_]+)$/.exec(path);
  if (m && MP_KINDS.includes(m[1])) { loadFlow(FLOW).then(() => renderBoard(el, ctx, m[1])); return true; }
  m = /^\/metering-cases\/([^/]+)$/.exec(path);
  if (m) { loadFlow(FLOW).then(() => renderCase(el, { ...ctx, id: decodeURIComponent(m[1]) })); return true; }
  return false;
}

/* ---- the boards ---- */

function renderBoard(el, { me, navigate, life }, kind) {
  const err = problemBox('mp-error');
  const tabs = h('div.subtabs', { role: 'tablist', testid: 'mp-tabs' }, MP_KINDS.map((k) => appLink('/metering-cases/kind/' + k, kindName(k), navigate,
    { class: 'subtab' + (k === kind ? ' active' : ''), role: 'tab', 'aria-selected': k === kind ? 'true' : 'false', testid: 'mp-tab-' + k })));
  const summary = h('div.board-summary', { testid: 'mp-summary' });
  const board = h('div.apps-board', { testid: 'mp-board', dataset: { renders: '0' } }, loading());
  const add = allows(me, 'metering.write') && kind !== 'periodic'
    ? h('button.btn.btn-primary', { type: 'button', testid: 'mp-new', text: t('mp.new'), onclick: () => newCase(kind, navigate) }) : null;
  async function load() {
    try {
      const r = await get('/metering/cases', { kind, open: 'true', limit: 200 }, { signal: life.signal });
      const items = r.items || [];
      const states = flowStates(FLOW, OPEN_STATES).filter((s) => OPEN_STATES.includes(s));
      const n = (k, cls, v) => h('span.badge', { class: cls, testid: 'mp-summary-' + k, dataset: { n: String(v) }, text: t('mp.summary.' + k, { n: v }) });
      mount(summary, n('total', 'badge-info', r.total || 0), n('late', 'badge-danger', items.filter((c) => c.clock.color === 'red').length),
        n('nearly_late', 'badge-warn', items.filter((c) => c.clock.color === 'amber').length));
      mount(board, states.map((s) => {
        const col = items.filter((c) => c.status === s);
        return h('section.board-col.apps-col', { testid: 'mp-col-' + s, dataset: { count: String(col.length) } },
          h('div.board-col-head', h('span.apps-col-name', { text: stateName(s) }), h('span.board-col-n', { text: String(col.length) })),
          col.length ? h('ul.board-jobs', col.map((c) => h('li', card(c)))) : h('p.muted.small.board-empty', { text: t('mp.none') }));
      }));
      board.dataset.renders = String(Number(board.dataset.renders) + 1);
    } catch (ex) { if (!isAbort(ex)) err.show(ex); }
  }
  function card(c) {
    return h('article.board-job.apps-card', { class: 'clock-' + c.clock.color, testid: 'mp-card-' + c.number, dataset: { clock: c.clock.color } },
      h('div.board-job-top', appLink('/metering-cases/' + encodeURIComponent(c.id), c.number, navigate, { class: 'mono board-job-no' }),
        clockBadge(c.clock, 'mp-card-clock')),
      h('div.board-job-title', { text: c.subject }),
      h('div.small.muted', { text: [c.point_no, c.asset_no, c.customer_name].filter(Boolean).join(' · ') }));
  }
  el.append(h('div.page-head', h('h1.page-title', { text: t('nav.metering_cases'), tabindex: '-1' }), add), tabs, err, summary, board);
  load();
  life.interval(load, 30000); // the clocks move: the board follows them
}

async function newCase(kind, navigate) {
  const fields = [
    { name: 'kind', label: t('mp.kind'), type: 'select', value: kind, options: DESK_KINDS.map((k) => ({ value: k, label: kindName(k) })) },
    { name: 'subject', label: t('mp.subject'), required: true },
    { name: 'point_no', label: t('mp.point_no') },
    { name: 'asset_no', label: t('mp.asset_no') },
    { name: 'customer_name', label: t('mp.customer_name') },
    { name: 'customer_phone', label: t('mp.customer_phone') },
    { name: 'install_type', label: t('mp.install_type'), type: 'select', value: 'lv', options: ['lv', 'ct', 'hv'].map((v) => ({ value: v, label: tOr('mp.install_type.' + v, v) })) },
    { name: 'energised_on', label: t('mp.energised_on'), type: 'date', hint: t('mp.energised_on.hint') },
    { name: 'grade', label: t('mp.grade'), type: 'select', value: 'general', options: ['major', 'general', 'minor'].map((v) => ({ value: v, label: tOr('mp.grade.' + v, v) })) },
  ];
  const made = await formDialog({ title: t('mp.new'), fields, submit: t('mp.create'), testid: 'mp-new-dialog', onSubmit: async (v) => {
    const data = {};
    if (v.kind === 'install') data.install_type = v.install_type;
    if (v.kind === 'first_inspection') data.energised_on = v.energised_on;
    if (v.kind === 'error') data.grade = v.grade;
    const body = { kind: v.kind, subject: v.subject, data };
    for (const k of ['point_no', 'asset_no', 'customer_name', 'customer_phone']) if (v[k]) body[k] = v[k];
    return post('/metering/cases', body);
  } });
  if (made && made.id) { toast(t('mp.created', { number: made.number })); navigate('/metering-cases/' + encodeURIComponent(made.id)); }
}

/* ---- one case ---- */

function renderCase(el, { me, navigate, life, id }) {
  const err = problemBox('mp-error');
  const body = h('div', { testid: 'mp-case' }, loading());
  el.append(h('div.page-head', appLink('/metering-cases/kind/' + MP_KINDS[0], '← ' + t('nav.metering_cases'), navigate, { class: 'btn btn-link' })), err, body);
  async function load() {
    let c;
    try { c = await get('/metering/cases/' + encodeURIComponent(id), undefined, { signal: life.signal }); } catch (ex) { if (!isAbort(ex)) err.show(ex); return; }
    const facts = kvList([
      [t('mp.kind'), kindName(c.kind), 'mp-case-kind'],
      [t('mp.stage'), stateName(c.status), 'mp-case-status'],
      [t('mp.clock'), clockBadge(c.clock, 'mp-case-clock')],
      [t('mp.point_no'), c.point_no], [t('mp.asset_no'), c.asset_no],
      [t('mp.customer_name'), c.customer_name], [t('mp.customer_phone'), c.customer_phone],
      [t('mp.opened_at'), fmtTime(c.opened_at, { seconds: false })],
      c.error_percent !== null ? [t('mp.error_percent'), c.error_percent + ' %' + (c.out_of_tolerance ? ' · ' + t('mp.out_of_tolerance') : ''), 'mp-case-error'] : null,
      c.kind === 'disputed' ? [t('mp.fee_refunded'), c.fee_refunded ? t('mp.yes') : t('mp.no'), 'mp-case-fee'] : null,
      c.answer ? [t('mp.answer'), c.answer] : null,
      c.cancel_reason ? [t('mp.cancel_reason'), c.cancel_reason] : null,
    ]);
    const actions = h('div.action-bar', { testid: 'mp-case-actions' }, (c.actions || []).map((a) => h('button', {
      type: 'button', class: a === 'cancel' ? 'btn btn-danger-outline' : 'btn', testid: 'mp-action-' + a, text: actionLabel(a),
      onclick: () => act(c, a).then((done) => { if (done) load(); }),
    })));
    if (!(c.actions || []).length) actions.append(h('span.muted.small', { text: t('mp.no_actions') }));
    const refund = c.refund ? h('section.card', { testid: 'mp-refund' }, h('h2', { text: t('mp.refund') }),
      kvList([[t('mp.refund.cause'), tOr('mp.cause.' + c.refund.cause, c.refund.cause)], [t('mp.refund.formula'), c.refund.formula],
        [t('mp.refund.period'), `${c.refund.period.from} → ${c.refund.period.to} · ${c.refund.period.days} / ${c.refund.period.affected_days}`],
        [t('mp.refund.delta'), `${c.refund.delta_kwh} kWh (${c.refund.delta_kwh_billed}) · ${tOr('mp.direction.' + c.refund.direction, c.refund.direction)}`, 'mp-refund-delta'],
        [t('mp.refund.approved'), c.approved_by ? fmtTime(c.approved_at, { seconds: false }) : t('mp.refund.waiting')]]),
      dataTable({ testid: 'mp-refund-steps', rows: c.refund.steps, columns: [{ label: t('mp.refund.step'), render: (s) => local(s, 'label') },
        { label: t('mp.refund.value'), cls: 'num', render: (s) => s.value }] })) : null;
    const orders = dataTable({ testid: 'mp-orders', rows: c.work_orders || [], empty: t('mp.none'), columns: [
      { label: t('mp.order'), render: (o) => appLink('/orders/' + encodeURIComponent(o.id), o.number, navigate, { class: 'mono' }) },
      { label: t('mp.order_kind'), render: (o) => workKindName(o.kind) },
      { label: t('mp.order_status'), render: (o) => statusName('work_order', o.status) },
      { label: t('mp.due_at'), render: (o) => (o.due_at ? fmtTime(o.due_at, { seconds: false }) : '—') }] });
    const timeline = h('ol.apps-timeline', { testid: 'mp-timeline' }, (c.history || []).map((e) => h('li',
      h('span.small.muted', { text: fmtTime(e.at, { seconds: false }) }),
      h('div', h('strong', { text: actionLabel(e.action) }),
        h('span', { text: ` ${stateName(e.from_state)} → ${stateName(e.to_state)} · ${e.actor_id === 'system' ? t('mp.system') : e.actor_name || e.actor_id}` }),
        e.reason && e.reason !== 'deadline' ? h('div.small', { text: e.reason }) : null))));
    mount(body, h('div.page-head', h('h1.page-title', { text: `${c.number} · ${c.subject}`, tabindex: '-1' }), badge(kindName(c.kind))),
      facts, actions, refund, h('h2', { text: t('mp.orders') }), orders, h('h2', { text: t('mp.timeline') }), timeline);
  }
  async function act(c, a) {
    const fields = a === 'record_test' ? [{ name: 'error_percent', label: t('mp.error_percent'), required: true }, { name: 'accuracy_class', label: t('mp.accuracy_class') }]
      : a === 'answer' ? [{ name: 'answer', label: t('mp.answer'), type: 'textarea', required: true }]
        : a === 'cancel' || a === 'reject' ? [{ name: 'reason', label: t('mp.reason'), type: 'textarea', required: true }]
          : a === 'calculate' ? refundFields() : null;
    const send = (v) => post(`/metering/cases/${encodeURIComponent(c.id)}/actions/${a}`, clean(v));
    if (!fields) {
      try { await send({}); toast(t('mp.done', { action: actionLabel(a) })); return true; } catch (ex) { err.show(ex); return false; }
    }
    const r = await formDialog({ title: actionLabel(a), fields, submit: actionLabel(a), testid: 'mp-act-dialog', onSubmit: send });
    if (r) toast(t('mp.done', { action: actionLabel(a) }));
    return !!r;
  }
  load();
}

function refundFields() {
  const all = [...new Set(Object.values(CAUSE_INPUTS).flat())];
  return [{ name: 'cause', label: t('mp.refund.cause'), type: 'select', value: CAUSES[0], options: CAUSES.map((c) => ({ value: c, label: tOr('mp.cause.' + c, c) })) },
    { name: 'from', label: t('mp.refund.from'), type: 'date', required: true }, { name: 'to', label: t('mp.refund.to'), type: 'date', required: true },
    ...all.map((k) => ({ name: k, label: tOr('mp.input.' + k, k), hint: k === 'method' ? 'normal_month / calculated' : undefined }))];
}

/** Empty inputs are left out: the server names what is missing for the cause chosen. */
function clean(v) {
  const o = {};
  for (const [k, x] of Object.entries(v)) if (String(x).trim() !== '') o[k] = String(x).trim();
  return o;
}

// 备品备件 /parts[/requests/{id} | /stock | /catalogue] (R4.13): spare parts for charger repairs.
//   - /parts: requests (GET /part-requests?status=), the reorder list (GET /parts/reorder), a new request for a
//     work order (parts.request: O&M engineers) with its lines.
//   - /parts/requests/{id}: the lines with what the depot holds, and the flow's actions: issue (refused while a
//     line is short, the short lines named), reject with a reason, withdraw, settle (per line: used on the job with
//     the serials out and in, or returned to stock).
//   - /parts/stock: a depot's stock with reorder points, low rows marked; receive, stocktake and levels
//     (parts.write: keepers); the movement log.
//   - /parts/catalogue: the parts and a new part (parts.write).
import { h, mount } from './dom.js';
import { t, fmtTime } from './i18n.js';
import { get, post, api, listAll } from './api.js';
import { hasPerm, hasRole } from './perm.js';
import { toast, dataTable, loading, formDialog } from './ui.js';
import { problemBox, detailHead, appLink, kvList, statusBadge, statusName, actionName } from './fw.js';
import { flowStates } from './flows.js';

const CATEGORIES = ['module', 'gun', 'cable', 'board', 'contactor', 'fuse', 'meter', 'screen', 'reader', 'fan', 'other'];
const STATUSES = ['requested', 'issued', 'settled', 'rejected', 'cancelled']; // until flows.js has the flow
const allows = (me, p) => hasRole(me, 'admin') || hasPerm(me, p);
const remembered = { status: '', depot: '' };

function tabs(active, navigate) {
  const tab = (id, path) => appLink(path, t('parts.tab.' + id), navigate, { class: 'subtab' + (id === active ? ' active' : ''), role: 'tab',
    'aria-selected': id === active ? 'true' : 'false', testid: 'parts-tab-' + id });
  return h('div.subtabs', { role: 'tablist', testid: 'parts-tabs' }, tab('requests', '/parts'), tab('stock', '/parts/stock'), tab('catalogue', '/parts/catalogue'));
}

const partLabel = (p) => `${p.code} · ${p.name}`;

export function renderParts(el, ctx) {
  const { path } = ctx;
  if (path === '/parts') { renderRequests(el, ctx); return true; }
  if (path === '/parts/stock') { renderStock(el, ctx); return true; }
  if (path === '/parts/catalogue') { renderCatalogue(el, ctx); return true; }
  const m = /^\/parts\/requests\/([^/]+)$/.exec(path);
  if (m) { renderRequest(el, { ...ctx, id: decodeURIComponent(m[1]) }); return true; }
  return false;
}

function page(el, title, navigate, active, extra) {
  el.append(h('div.page-head', h('h1.page-title', { text: title, tabindex: '-1' }), extra || null), tabs(active, navigate));
}

// ------------------------------------------------------------------ requests
function renderRequests(el, { me, navigate }) {
  const err = problemBox('parts-error');
  const box = h('div', loading());
  const reorderBox = h('div');
  const status = h('select.input', { testid: 'parts-status-filter', 'aria-label': t('parts.status') },
    h('option', { value: '', text: t('parts.all_statuses') }),
    flowStates('part_request', STATUSES).map((s) => h('option', { value: s, text: statusName('part_request', s), selected: s === remembered.status })));
  status.addEventListener('change', () => { remembered.status = status.value; load(); });
  async function load() {
    err.show(null);
    try {
      const [r, low] = await Promise.all([get('/part-requests', { status: status.value || undefined }), get('/parts/reorder')]);
      mount(box, dataTable({
        testid: 'part-requests', rowTestid: (x) => 'part-request-' + x.number, empty: t('parts.no_requests'), rows: r.items,
        columns: [
          { label: t('parts.number'), render: (x) => appLink('/parts/requests/' + encodeURIComponent(x.id), x.number, navigate, { class: 'mono row-open' }) },
          { label: t('parts.work_order'), render: (x) => h('div.cell-main', h('span.mono', { text: x.work_order_number }), h('div.cell-sub', { text: x.work_order_title })) },
          { label: t('parts.lines'), render: (x) => x.lines.map((l) => `${l.name} ×${l.qty}`).join('，') },
          { label: t('parts.depot'), cls: 'col-opt', render: (x) => x.depot_name },
          { label: t('parts.requested_by'), cls: 'col-opt', render: (x) => x.requested_by_name || '—' },
          { label: t('parts.status'), render: (x) => statusBadge('part_request', x.status, 'part-request-status-' + x.number) },
          { label: t('parts.created_at'), cls: 'col-time col-opt', render: (x) => fmtTime(x.created_at, { seconds: false }) },
        ],
      }));
      mount(reorderBox, low.items.length ? h('section.card.alert-warn-card', { testid: 'parts-reorder' },
        h('h2.card-title', { text: t('parts.reorder_title', { n: low.items.length }) }),
        dataTable({
          testid: 'parts-reorder-table', rowTestid: (x) => `reorder-${x.code}`, rows: low.items,
          columns: [
            { label: t('parts.depot'), render: (x) => x.depot_name },
            { label: t('parts.part'), render: (x) => `${x.code} ${x.name}` },
            { label: t('parts.on_hand'), cls: 'col-num', render: (x) => `${x.on_hand} ${x.unit}` },
            { label: t('parts.reorder_point'), cls: 'col-num', render: (x) => String(x.reorder_point) },
            { label: t('parts.suggested'), cls: 'col-num', render: (x) => String(x.suggested) },
          ],
        })) : null);
    } catch (ex) { err.show(ex); mount(box); }
  }
  async function create() {
    const [orders, depots, parts] = await Promise.all([
      listAll('/work-orders', { kind: 'charger_repair' }, 400), get('/part-depots'), get('/parts'),
    ]);
    const open = orders.filter((o) => o.status !== 'done' && o.status !== 'cancelled');
    const fields = [
      { name: 'work_order_id', label: t('parts.work_order'), type: 'select', options: open.map((o) => ({ value: o.id, label: `${o.number} ${o.title}` })) },
      { name: 'depot_id', label: t('parts.depot'), type: 'select', options: depots.items.map((d) => ({ value: d.id, label: d.name })) },
    ];
    for (let i = 0; i < 3; i++) {
      fields.push({ name: 'part' + i, label: t('parts.line_n', { n: i + 1 }), type: 'select',
        options: [{ value: '', label: i ? t('parts.line_none') : t('parts.line_pick') }, ...parts.items.map((p) => ({ value: p.id, label: partLabel(p) }))] });
      fields.push({ name: 'qty' + i, label: t('parts.qty'), type: 'number', value: i ? '' : '1', attrs: { min: '1', step: '1', inputmode: 'numeric' } });
    }
    fields.push({ name: 'note', label: t('parts.note'), type: 'textarea' });
    const r = await formDialog({
      title: t('parts.new_request'), testid: 'part-request-dialog', submit: t('parts.submit_request'), fields,
      onSubmit: (v) => {
        const lines = [];
        for (let i = 0; i < 3; i++) if (v['part' + i]) lines.push({ part_id: v['part' + i], qty: Number(v['qty' + i] || 0) });
        const body = { work_order_id: v.work_order_id, depot_id: v.depot_id, lines };
        if (v.note.trim()) body.note = v.note.trim();
        return post('/part-requests', body);
      },
    });
    if (!r) return;
    toast(t('parts.requested'));
    navigate('/parts/requests/' + encodeURIComponent(r.id));
  }
  page(el, t('nav.parts'), navigate, 'requests',
    allows(me, 'parts.request') ? h('button.btn.btn-primary', { type: 'button', testid: 'part-request-new', text: t('parts.new_request'), onclick: create }) : null);
  el.append(reorderBox, h('div.toolbar', status), err, box);
  load();
}

// ------------------------------------------------------------------ one request
function renderRequest(el, { navigate, id }) {
  const card = h('section.card.detail-card', { testid: 'part-request-page', dataset: { id } }, loading());
  const err = problemBox('part-request-error');
  page(el, t('nav.parts'), navigate, 'requests');
  el.append(card);
  async function load() {
    try { draw(await get('/part-requests/' + encodeURIComponent(id))); } catch (ex) { err.show(ex); mount(card, err); }
  }
  const act = async (a, body) => {
    err.show(null);
    try {
      await post(`/part-requests/${encodeURIComponent(id)}/actions/${a}`, body || {});
      toast(t('action.done', { action: actionName('part_request', a) }));
      await load();
    } catch (ex) { err.show(ex); }
  };
  function draw(x) {
    const buttons = (x.actions || []).map((a) => h('button', {
      type: 'button', class: a === 'issue' || a === 'settle' ? 'btn btn-primary' : a === 'reject' ? 'btn btn-danger-outline' : 'btn',
      testid: 'part-request-action-' + a, text: actionName('part_request', a),
      onclick: () => (a === 'reject' ? reject() : a === 'settle' ? settle(x) : act(a)),
    }));
    const settledCols = x.status === 'settled' ? [
      { label: t('parts.consumed'), cls: 'col-num', render: (l) => String(l.consumed) },
      { label: t('parts.returned'), cls: 'col-num', render: (l) => String(l.returned) },
      { label: t('parts.serials'), render: (l) => [l.removed_serial, l.installed_serial].filter(Boolean).join(' → ') || '—' },
    ] : [];
    mount(card,
      detailHead({ number: x.number, title: `${x.work_order_number} ${x.work_order_title}`, badges: [statusBadge('part_request', x.status, 'part-request-status')], onClose: () => navigate('/parts'), testid: 'part-request' }),
      err,
      h('div.action-bar', { testid: 'part-request-actions' }, buttons.length ? buttons : h('span.muted.small', { text: t('action.none') })),
      kvList([
        [t('parts.depot'), x.depot_name],
        [t('parts.requested_by'), x.requested_by_name],
        [t('parts.created_at'), fmtTime(x.created_at, { seconds: false })],
        [t('parts.note'), x.note],
        x.issued_at ? [t('parts.issued_at'), fmtTime(x.issued_at, { seconds: false })] : null,
        x.reject_reason ? [t('parts.reject_reason'), x.reject_reason, 'part-request-reject-reason'] : null,
      ]),
      dataTable({
        testid: 'part-request-lines', rowTestid: (l) => 'line-' + l.code, rows: x.lines,
        columns: [
          { label: t('parts.part'), render: (l) => h('div.cell-main', h('span.mono', { text: l.code }), h('div.cell-sub', { text: l.name })) },
          { label: t('parts.qty'), cls: 'col-num', render: (l) => `${l.qty} ${l.unit}` },
          x.status === 'requested' ? { label: t('parts.on_hand'), cls: 'col-num', render: (l) => h('span', { class: l.on_hand < l.qty ? 'overdue' : '', dataset: { short: l.on_hand < l.qty ? '1' : '0' }, text: String(l.on_hand) }) } : null,
          ...settledCols,
        ].filter(Boolean),
      }));
  }
  async function reject() {
    const v = await formDialog({ title: actionName('part_request', 'reject'), testid: 'reject-dialog', danger: true, submit: actionName('part_request', 'reject'),
      fields: [{ name: 'reason', label: t('parts.reject_reason'), type: 'textarea', required: true }],
      onSubmit: async (f) => f });
    if (v) await act('reject', { reason: v.reason.trim() });
  }
  async function settle(x) {
    const fields = [];
    for (const l of x.lines) {
      fields.push({ name: 'c_' + l.part_id, label: t('parts.settle_used', { part: `${l.code} ${l.name}`, qty: l.qty }), type: 'number', value: String(l.qty), attrs: { min: '0', max: String(l.qty), step: '1' } });
      fields.push({ name: 'o_' + l.part_id, label: t('parts.removed_serial'), value: '' });
      fields.push({ name: 'i_' + l.part_id, label: t('parts.installed_serial'), value: '' });
    }
    const r = await formDialog({
      title: actionName('part_request', 'settle'), testid: 'settle-dialog', submit: actionName('part_request', 'settle'), body: t('parts.settle_hint'), fields,
      onSubmit: (v) => {
        const lines = x.lines.map((l) => {
          const used = Number(v['c_' + l.part_id] || 0);
          const line = { part_id: l.part_id, consumed: used, returned: l.qty - used };
          if (v['o_' + l.part_id].trim()) line.removed_serial = v['o_' + l.part_id].trim();
          if (v['i_' + l.part_id].trim()) line.installed_serial = v['i_' + l.part_id].trim();
          return line;
        });
        return post(`/part-requests/${encodeURIComponent(id)}/actions/settle`, { lines });
      },
    });
    if (r) { toast(t('action.done', { action: actionName('part_request', 'settle') })); await load(); }
  }
  load();
}

// ------------------------------------------------------------------ stock
function renderStock(el, { me, navigate }) {
  const write = allows(me, 'parts.write');
  const err = problemBox('stock-error');
  const depotSel = h('select.input', { testid: 'stock-depot', 'aria-label': t('parts.depot') });
  const box = h('div', loading());
  const moves = h('div');
  let parts = [];
  async function init() {
    try {
      const [d, p] = await Promise.all([get('/part-depots'), get('/parts')]);
      parts = p.items;
      mount(depotSel, d.items.map((x) => h('option', { value: x.id, selected: x.id === remembered.depot, text: x.low ? `${x.name}（${t('parts.low_n', { n: x.low })}）` : x.name })));
      if (!d.items.length) { mount(box, h('p.muted', { text: t('parts.no_depots') })); return; }
      await load();
    } catch (ex) { err.show(ex); mount(box); }
  }
  depotSel.addEventListener('change', () => { remembered.depot = depotSel.value; load(); });
  async function load() {
    err.show(null);
    const id = depotSel.value;
    const [s, m] = await Promise.all([get(`/part-depots/${encodeURIComponent(id)}/stock`), get(`/part-depots/${encodeURIComponent(id)}/movements`)]);
    mount(box, dataTable({
      testid: 'stock-table', rowTestid: (x) => 'stock-' + x.code, empty: t('parts.no_stock'), rows: s.items,
      columns: [
        { label: t('parts.part'), render: (x) => h('div.cell-main', h('span.mono', { text: x.code }), h('div.cell-sub', { text: x.name })) },
        { label: t('parts.on_hand'), cls: 'col-num', render: (x) => h('span', { class: x.low ? 'overdue' : '', dataset: { low: x.low ? '1' : '0' }, text: `${x.on_hand} ${x.unit}` }) },
        { label: t('parts.reorder_point'), cls: 'col-num', render: (x) => String(x.reorder_point) },
        { label: t('parts.reorder_qty'), cls: 'col-num', render: (x) => String(x.reorder_qty) },
        write ? { label: '', render: (x) => h('button.btn.btn-sm', { type: 'button', testid: 'levels-' + x.code, text: t('parts.set_levels'), onclick: () => levels(x) }) } : null,
      ].filter(Boolean),
    }));
    mount(moves, h('h3.section-title', { text: t('parts.movements') }), dataTable({
      testid: 'movements-table', rowTestid: (x) => 'move-' + x.id, empty: t('parts.no_movements'), rows: m.items,
      columns: [
        { label: t('parts.at'), cls: 'col-time', render: (x) => fmtTime(x.at, { seconds: false }) },
        { label: t('parts.part'), render: (x) => `${x.code} ${x.name}` },
        { label: t('parts.movement'), render: (x) => t('parts.move.' + x.kind) },
        { label: t('parts.qty'), cls: 'col-num', render: (x) => (x.qty > 0 ? '+' : '') + x.qty },
        { label: t('parts.on_hand'), cls: 'col-num', render: (x) => String(x.on_hand) },
        { label: t('parts.ref'), cls: 'col-opt', render: (x) => x.request_number || x.note || '—' },
        { label: t('parts.by'), cls: 'col-opt', render: (x) => x.actor_name || '—' },
      ],
    }));
  }
  const partOptions = () => parts.map((p) => ({ value: p.id, label: partLabel(p) }));
  async function receive() {
    const r = await formDialog({ title: t('parts.receive'), testid: 'receive-dialog', submit: t('parts.receive'),
      fields: [{ name: 'part_id', label: t('parts.part'), type: 'select', options: partOptions() },
        { name: 'qty', label: t('parts.qty'), type: 'number', required: true, attrs: { min: '1', step: '1' } },
        { name: 'note', label: t('parts.note'), value: t('parts.receive_note') }],
      onSubmit: (v) => post(`/part-depots/${encodeURIComponent(depotSel.value)}/receipts`, { part_id: v.part_id, qty: Number(v.qty), note: v.note.trim() || null }) });
    if (r) { toast(t('parts.received')); await load(); }
  }
  async function count() {
    const r = await formDialog({ title: t('parts.stocktake'), testid: 'count-dialog', submit: t('common.save'), body: t('parts.stocktake_hint'),
      fields: [{ name: 'part_id', label: t('parts.part'), type: 'select', options: partOptions() },
        { name: 'counted', label: t('parts.counted'), type: 'number', required: true, attrs: { min: '0', step: '1' } },
        { name: 'note', label: t('parts.note'), required: true }],
      onSubmit: (v) => post(`/part-depots/${encodeURIComponent(depotSel.value)}/adjustments`, { part_id: v.part_id, counted: Number(v.counted), note: v.note.trim() }) });
    if (r) { toast(t('common.saved')); await load(); }
  }
  async function levels(x) {
    const r = await formDialog({ title: t('parts.set_levels_for', { part: x.code }), testid: 'levels-dialog', submit: t('common.save'),
      fields: [{ name: 'reorder_point', label: t('parts.reorder_point'), type: 'number', value: String(x.reorder_point), attrs: { min: '0' } },
        { name: 'reorder_qty', label: t('parts.reorder_qty'), type: 'number', value: String(x.reorder_qty), attrs: { min: '0' } }],
      onSubmit: (v) => api('PUT', `/part-depots/${encodeURIComponent(depotSel.value)}/stock/${encodeURIComponent(x.part_id)}`,
        { body: { version: x.version, reorder_point: Number(v.reorder_point), reorder_qty: Number(v.reorder_qty) } }) });
    if (r) { toast(t('common.saved')); await load(); }
  }
  async function newDepot() {
    const r = await formDialog({ title: t('parts.new_depot'), testid: 'depot-dialog', submit: t('common.save'),
      fields: [{ name: 'name', label: t('parts.depot'), required: true }, { name: 'location', label: t('parts.location') }],
      onSubmit: (v) => post('/part-depots', { name: v.name.trim(), location: v.location.trim() || null }) });
    if (r) { remembered.depot = r.id; toast(t('common.saved')); await init(); }
  }
  page(el, t('nav.parts'), navigate, 'stock', write ? h('div.chips',
    h('button.btn', { type: 'button', testid: 'depot-new', text: t('parts.new_depot'), onclick: newDepot }),
    h('button.btn', { type: 'button', testid: 'stock-count', text: t('parts.stocktake'), onclick: count }),
    h('button.btn.btn-primary', { type: 'button', testid: 'stock-receive', text: t('parts.receive'), onclick: receive })) : null);
  el.append(h('div.toolbar', depotSel), err, box, moves);
  init();
}

// ------------------------------------------------------------------ catalogue
function renderCatalogue(el, { me, navigate }) {
  const err = problemBox('catalogue-error');
  const box = h('div', loading());
  async function load() {
    try {
      const r = await get('/parts');
      mount(box, dataTable({
        testid: 'parts-table', rowTestid: (p) => 'part-' + p.code, empty: t('parts.no_parts'), rows: r.items,
        columns: [
          { label: t('parts.code'), render: (p) => h('span.mono', { text: p.code }) },
          { label: t('parts.name'), render: (p) => p.name },
          { label: t('parts.category'), render: (p) => t('parts.cat.' + p.category) },
          { label: t('parts.fits'), cls: 'col-opt', render: (p) => p.fits || '—' },
          { label: t('parts.on_hand_all'), cls: 'col-num', render: (p) => `${p.on_hand} ${p.unit}` },
        ],
      }));
    } catch (ex) { err.show(ex); mount(box); }
  }
  async function create() {
    const r = await formDialog({ title: t('parts.new_part'), testid: 'part-dialog', submit: t('common.save'),
      fields: [{ name: 'code', label: t('parts.code'), required: true }, { name: 'name', label: t('parts.name'), required: true },
        { name: 'category', label: t('parts.category'), type: 'select', value: 'module', options: CATEGORIES.map((c) => ({ value: c, label: t('parts.cat.' + c) })) },
        { name: 'unit', label: t('parts.unit'), value: '个', required: true }, { name: 'fits', label: t('parts.fits') }],
      onSubmit: (v) => post('/parts', { code: v.code.trim(), name: v.name.trim(), category: v.category, unit: v.unit.trim(), fits: v.fits.trim() || null }) });
    if (r) { toast(t('common.saved')); await load(); }
  }
  page(el, t('nav.parts'), navigate, 'catalogue',
    allows(me, 'parts.write') ? h('button.btn.btn-primary', { type: 'button', testid: 'part-new', text: t('parts.new_part'), onclick: create }) : null);
  el.append(err, box);
  load();
}

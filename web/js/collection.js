// 采集异常 (issue 12 item 5, R0.7; docs/api.md "Metering: collection anomalies"): what the collection system reported.
//   - /collection: the anomaly list (kind, area, state filters), each with its occurrences, its collection_fault work
//     order (a link) and that order's due date;
//   - /collection/rates: the collection success rate by transformer area for a day (the latest by default).
import { h, mount } from './dom.js';
import { t, fmtTime } from './i18n.js';
import { get } from './api.js';
import { dataTable, loading, badge } from './ui.js';
import { problemBox, appLink } from './fw.js';
import { canOrders } from './perm.js';

const KINDS = ['reverse_energy', 'cover_opened', 'clock_error', 'voltage_loss', 'current_loss', 'communication_failure', 'abnormal_consumption'];
const STATES = ['open', 'closed'];

function subtabs(active, navigate) {
  const tab = (id, path) => appLink(path, t('collection.tab.' + id), navigate, { class: 'subtab' + (id === active ? ' active' : ''), role: 'tab',
    'aria-selected': id === active ? 'true' : 'false', testid: 'collection-tab-' + id });
  return h('div.subtabs', { role: 'tablist', testid: 'collection-tabs' }, tab('anomalies', '/collection'), tab('rates', '/collection/rates'));
}

export function renderCollection(el, ctx) {
  const head = (tab) => [h('div.page-head', h('h1.page-title', { text: t('nav.collection'), tabindex: '-1' })), subtabs(tab, ctx.navigate)];
  if (ctx.path === '/collection') { el.append(...head('anomalies')); renderAnomalies(el, ctx); return true; }
  if (ctx.path === '/collection/rates') { el.append(...head('rates')); renderRates(el, ctx); return true; }
  return false;
}

/** The subject: the metering point, or the terminal with how many points reported through it. */
function subject(a) {
  if (a.subject && a.subject.startsWith('terminal:'))
    return t('collection.terminal', { terminal: a.terminal_no, points: a.points });
  return a.point_no;
}

function renderAnomalies(el, { me, navigate }) {
  // the order's number links to it for those who may open work orders (the metering centre sees the number)
  const orderRef = (a) => (canOrders(me)
    ? appLink('/orders/' + encodeURIComponent(a.work_order_id), a.work_order_number || a.work_order_id, navigate, { class: 'mono', testid: 'collection-order' })
    : h('span.mono', { testid: 'collection-order', text: a.work_order_number || a.work_order_id }));
  const err = problemBox('collection-error');
  const sel = (testid, label, values, name) => h('select.input', { testid, 'aria-label': label },
    h('option', { value: '', text: t('collection.all') }), values.map((v) => h('option', { value: v, text: name(v) })));
  const kind = sel('collection-kind', t('collection.kind'), KINDS, (k) => t('collection.kind.' + k));
  const state = sel('collection-state', t('collection.state'), STATES, (s) => t('collection.state.' + s));
  state.value = 'open';
  const area = h('input.input', { testid: 'collection-area', type: 'search', placeholder: t('collection.area'), 'aria-label': t('collection.area') });
  const box = h('div', loading());
  async function load() {
    try {
      const r = await get('/metering/collection/anomalies', { kind: kind.value || undefined, state: state.value || undefined,
        area: area.value.trim() || undefined, limit: 200 });
      mount(box, dataTable({
        testid: 'collection-table', rowTestid: (a) => 'anomaly-' + a.id, rows: r.items || [], empty: t('collection.none'),
        columns: [
          { label: t('collection.kind'), render: (a) => t('collection.kind.' + a.kind) },
          { label: t('collection.subject'), render: (a) => h('span.mono', { text: subject(a) }) },
          { label: t('collection.area'), cls: 'col-opt', render: (a) => a.transformer_area || '—' },
          { label: t('collection.raised'), cls: 'col-opt', render: (a) => fmtTime(a.raised_at, { seconds: false }) },
          { label: t('collection.occurrences'), render: (a) => String(a.occurrences) },
          { label: t('collection.state'), render: (a) => h('span.chips', badge(t('collection.state.' + a.state), a.state === 'closed' ? 'ok' : 'warn'),
            a.closed_reason ? badge(t('collection.closed.' + a.closed_reason)) : null) },
          { label: t('collection.order'), render: (a) => (a.work_order_id
            ? h('span.chips', orderRef(a), a.work_order_status ? badge(t('collection.order_status.' + a.work_order_status)) : null)
            : '—') },
          { label: t('collection.due'), cls: 'col-opt', render: (a) => (a.due_at ? h('span', {
            class: a.state === 'open' && a.due_at < Date.now() ? 'text-danger' : '', text: fmtTime(a.due_at, { seconds: false }) }) : '—') },
        ],
      }));
    } catch (ex) { err.show(ex); }
  }
  for (const s of [kind, state]) s.addEventListener('change', load);
  area.addEventListener('change', load);
  el.append(err, h('div.toolbar', kind, state, area), box);
  load();
}

function renderRates(el) {
  const err = problemBox('collection-error');
  const day = h('input.input', { testid: 'collection-day', type: 'date', 'aria-label': t('collection.day') });
  const box = h('div', loading());
  async function load() {
    try {
      const q = day.value ? { from: day.value, to: day.value } : {};
      const r = await get('/metering/collection/rates', q);
      const items = r.items || [];
      if (!day.value && items.length) day.value = items[0].date;
      mount(box, dataTable({
        testid: 'collection-rates', rowTestid: (x) => 'rate-' + x.transformer_area, rows: items, empty: t('collection.no_rates'),
        columns: [
          { label: t('collection.area'), render: (x) => x.transformer_area },
          { label: t('collection.day'), cls: 'col-opt', render: (x) => x.date },
          { label: t('collection.expected'), render: (x) => String(x.expected) },
          { label: t('collection.collected'), render: (x) => String(x.collected) },
          { label: t('collection.rate'), render: (x) => (x.success_rate === null ? '—'
            : badge(`${x.success_rate.toFixed(2)}%`, x.success_rate >= 98 ? 'ok' : x.success_rate >= 90 ? 'warn' : 'danger')) },
        ],
      }));
    } catch (ex) { err.show(ex); }
  }
  day.addEventListener('change', load);
  el.append(err, h('div.toolbar', day), box);
  load();
}

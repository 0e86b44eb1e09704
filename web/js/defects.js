// 缺陷 under 充电设施 (R4.12): defects of station equipment and chargers.
//   - /charging/defects: the list (status, severity, station filters; overdue marked) and the yearly analysis:
//     counts by month drawn as a plain SVG bar chart, by kind / severity / station as bars, time to close and the
//     repeat defects (the same equipment or charger twice or more in the year).
//   - /charging/defects/{id}: the defect with its photos and its actions (start fixing, close with how, reopen).
import { h, mount, clear } from './dom.js';
import { t, tOr, fmtTime, todayShanghai } from './i18n.js';
import { get, post } from './api.js';
import { hasPerm, hasRole } from './perm.js';
import { toast, dataTable, loading, formDialog, badge } from './ui.js';
import { problemBox, appLink, kvList } from './fw.js';
import { flowStates, flowStateName } from './flows.js';

const defectStatus = (s) => flowStateName('defect', s) || t('defect.status.' + s);
import { thumbs } from './photos.js';
import { EQUIPMENT_KINDS } from './inspections.js';

const allows = (me, p) => hasRole(me, 'admin') || hasPerm(me, p);
const sevName = (s) => tOr('defect.severity.' + s, s);
const kindName = (k) => (k === 'station' ? t('inspection.whole_station') : k === 'charger_ac' ? t('defect.kind.charger_ac')
  : k === 'charger_dc' ? t('defect.kind.charger_dc') : EQUIPMENT_KINDS.includes(k) ? tOr('equipment.kind.' + k, k) : k);
const SEV_BADGE = { general: '', serious: 'warn', critical: 'danger' };

export function renderDefectPages(el, ctx, subtabs) {
  const { path } = ctx;
  if (path === '/charging/defects') { renderDefects(el, { ...ctx, subtabs }); return true; }
  const m = /^\/charging\/defects\/([^/]+)$/.exec(path);
  if (m) { renderDefect(el, { ...ctx, subtabs, id: decodeURIComponent(m[1]) }); return true; }
  return false;
}

function renderDefects(el, { me, navigate, subtabs }) {
  const err = problemBox('defects-error');
  const params = new URLSearchParams(location.search);
  const status = h('select.input', { testid: 'defect-status', 'aria-label': t('insp.status') }, h('option', { value: '', text: t('defect.all') }),
    flowStates('defect', ['open', 'fixing', 'closed']).map((s) => h('option', { value: s, text: defectStatus(s) })));
  const sev = h('select.input', { testid: 'defect-severity', 'aria-label': t('defect.severity') }, h('option', { value: '', text: t('defect.all') }),
    ['general', 'serious', 'critical'].map((s) => h('option', { value: s, text: sevName(s) })));
  const thisYear = Number(todayShanghai().slice(0, 4));
  const year = h('select.input', { testid: 'analysis-year', 'aria-label': t('defect.year') },
    [0, 1, 2, 3].map((d) => h('option', { value: String(thisYear - d), text: String(thisYear - d) })));
  const listBox = h('div', loading());
  const anBox = h('div', { testid: 'analysis' }, loading());
  const stationId = params.get('station_id') || undefined;
  async function loadList() {
    try {
      const r = await get('/defects', { status: status.value || undefined, severity: sev.value || undefined, station_id: stationId });
      mount(listBox, dataTable({
        testid: 'defects-table', rowTestid: (d) => 'defect-' + d.number, rows: r.items || [], empty: t('defect.none'),
        columns: [
          { label: t('defect.number'), render: (d) => appLink('/charging/defects/' + encodeURIComponent(d.id), d.number, navigate, { class: 'mono' }) },
          { label: t('defect.target'), render: (d) => `${d.station_name} · ${d.equipment_name || d.charge_point_id || t('inspection.whole_station')}` },
          { label: t('defect.description'), cls: 'col-opt', render: (d) => d.description },
          { label: t('defect.severity'), render: (d) => badge(sevName(d.severity), SEV_BADGE[d.severity]) },
          { label: t('defect.due'), render: (d) => h('span', { class: d.overdue ? 'text-danger' : '', text: fmtTime(d.due_at, { seconds: false }) }) },
          { label: t('insp.status'), render: (d) => h('span.chips', badge(defectStatus(d.status), d.status === 'closed' ? 'ok' : ''),
            d.overdue ? badge(t('inspection.overdue'), 'danger') : null) },
        ],
      }));
    } catch (ex) { err.show(ex); }
  }
  async function loadAnalysis() {
    try { drawAnalysis(anBox, await get('/defects/analysis', { year: year.value, station_id: stationId })); } catch (ex) { err.show(ex); }
  }
  status.addEventListener('change', loadList);
  sev.addEventListener('change', loadList);
  year.addEventListener('change', loadAnalysis);
  async function create() {
    const stations = (await get('/stations')).items || [];
    const r = await formDialog({ title: t('defect.new'), testid: 'defect-dialog', submit: t('common.save'),
      fields: [{ name: 'station_id', label: t('charging.station'), type: 'select', options: stations.map((s) => ({ value: s.id, label: s.name })), value: stationId },
        { name: 'severity', label: t('defect.severity'), type: 'select', options: ['general', 'serious', 'critical'].map((s) => ({ value: s, label: sevName(s) })) },
        { name: 'description', label: t('defect.description'), type: 'textarea', required: true }],
      onSubmit: (v) => post('/defects', { station_id: v.station_id, severity: v.severity, description: v.description.trim() }) });
    if (r) { toast(t('common.saved')); navigate('/charging/defects/' + encodeURIComponent(r.id)); }
  }
  el.append(h('div.page-head', h('h1.page-title', { text: t('nav.charging'), tabindex: '-1' }),
    allows(me, 'chargers.write') ? h('div.chips', h('button.btn.btn-primary', { type: 'button', testid: 'defect-new', text: t('defect.new'), onclick: create })) : null),
  subtabs('defects', navigate), err, h('div.toolbar', status, sev), h('h2.section-title', { text: t('defect.list') }), listBox,
  h('div.section-head', h('h2.section-title', { text: t('defect.analysis') }), year), anBox);
  loadList();
  loadAnalysis();
}

/** Bars as plain SVG: one per month. */
function monthChart(byMonth) {
  const W = 360, H = 140, pad = 18, max = Math.max(1, ...byMonth.map((m) => m.count));
  const bw = (W - pad) / 12;
  const ns = 'http://www.w3.org/2000/svg';
  const svg = document.createElementNS(ns, 'svg');
  svg.setAttribute('viewBox', `0 0 ${W} ${H}`);
  svg.setAttribute('class', 'defect-chart');
  svg.setAttribute('role', 'img');
  svg.setAttribute('aria-label', t('defect.by_month'));
  svg.dataset.testid = 'analysis-chart';
  byMonth.forEach((m, i) => {
    const bh = Math.round((H - 2 * pad) * m.count / max);
    const r = document.createElementNS(ns, 'rect');
    r.setAttribute('x', String(pad + i * bw + 2));
    r.setAttribute('y', String(H - pad - bh));
    r.setAttribute('width', String(bw - 4));
    r.setAttribute('height', String(bh));
    r.setAttribute('class', 'bar');
    r.dataset.month = String(m.month);
    r.dataset.count = String(m.count);
    const tt = document.createElementNS(ns, 'title');
    tt.textContent = `${m.month}: ${m.count}`;
    r.append(tt);
    const lab = document.createElementNS(ns, 'text');
    lab.setAttribute('x', String(pad + i * bw + bw / 2));
    lab.setAttribute('y', String(H - 4));
    lab.setAttribute('text-anchor', 'middle');
    lab.textContent = String(m.month);
    svg.append(r, lab);
    if (m.count) {
      const v = document.createElementNS(ns, 'text');
      v.setAttribute('x', String(pad + i * bw + bw / 2));
      v.setAttribute('y', String(H - pad - bh - 3));
      v.setAttribute('text-anchor', 'middle');
      v.textContent = String(m.count);
      svg.append(v);
    }
  });
  return svg;
}

function barList(rows, label, testid) {
  const max = Math.max(1, ...rows.map((r) => r.count));
  return h('div.bar-list', { testid }, rows.map((r) => {
    const fill = h('span.bar-fill');
    fill.style.width = Math.round(100 * r.count / max) + '%';
    return h('div.bar-row', { dataset: { count: String(r.count) } }, h('span.bar-label', { text: label(r) }), h('span.bar-track', fill), h('span.bar-n', { text: String(r.count) }));
  }));
}

function drawAnalysis(box, a) {
  const ttc = a.time_to_close || {};
  const hours = (x) => (x === null || x === undefined ? '—' : (x >= 48 ? (x / 24).toFixed(1) + ' ' + t('defect.days') : x.toFixed(1) + ' h'));
  mount(box,
    kvList([[t('defect.total'), h('span', { testid: 'analysis-total', text: String(a.total) })],
      [t('defect.overdue_open'), String(a.overdue_open)],
      [t('defect.closed_n'), String(ttc.closed)], [t('defect.mean_close'), hours(ttc.mean_hours)], [t('defect.median_close'), hours(ttc.median_hours)],
      [t('defect.on_time'), String(ttc.on_time)]]),
    h('h3', { text: t('defect.by_month') }), monthChart(a.by_month || []),
    h('div.grid-2',
      h('div', h('h3', { text: t('defect.by_kind') }), barList(a.by_kind || [], (r) => kindName(r.kind), 'analysis-kind')),
      h('div', h('h3', { text: t('defect.by_severity') }), barList(a.by_severity || [], (r) => sevName(r.severity), 'analysis-severity')),
      h('div', h('h3', { text: t('defect.by_station') }), barList(a.by_station || [], (r) => r.station_name || r.station_id, 'analysis-station')),
      h('div', h('h3', { text: t('defect.repeats') }), (a.repeats || []).length
        ? barList(a.repeats, (r) => `${r.name || r.target} · ${kindName(r.target_kind)}`, 'analysis-repeats') : h('p.muted', { text: t('defect.no_repeats') }))));
}

function renderDefect(el, { me, navigate, subtabs, id }) {
  const err = problemBox('defect-error');
  const box = h('div', loading());
  el.append(h('div.page-head', h('h1.page-title', { text: t('nav.charging'), tabindex: '-1' })), subtabs('defects', navigate), err, box);
  async function act(d, action) {
    const fields = action === 'close' ? [{ name: 'resolution', label: t('defect.resolution'), type: 'textarea', required: true }]
      : action === 'reopen' ? [{ name: 'reason', label: t('defect.reason'), type: 'textarea', required: true }] : [];
    const r = await formDialog({ title: t('defect.action.' + action), testid: 'defect-action-dialog', submit: t('defect.action.' + action), fields,
      onSubmit: (v) => post(`/defects/${d.id}/actions/${action}`, { version: d.version, ...v }) });
    if (r) { toast(t('common.saved')); load(); }
  }
  async function load() {
    try {
      const d = await get('/defects/' + encodeURIComponent(id));
      mount(box, h('div.card', { testid: 'defect-detail', dataset: { status: d.status } },
        h('h2.detail-title', { text: `${d.number} · ${d.description}` }),
        kvList([[t('insp.status'), h('span', { testid: 'defect-state', text: defectStatus(d.status) })],
          [t('defect.severity'), badge(sevName(d.severity), SEV_BADGE[d.severity])],
          [t('charging.station'), d.station_name], [t('defect.target'), d.equipment_name || d.charge_point_id || t('inspection.whole_station')],
          [t('defect.kind'), kindName(d.target_kind)], [t('defect.found'), `${d.found_by_name || ''} ${fmtTime(d.found_at, { seconds: false })}`],
          [t('defect.due'), h('span', { class: d.overdue ? 'text-danger' : '', text: fmtTime(d.due_at, { seconds: false }) })],
          [t('defect.needs_fault_order'), d.needs_fault_order ? t('insp.yes') : t('insp.no')],
          d.work_order_id ? [t('inspection.work_order'), appLink('/orders/' + encodeURIComponent(d.work_order_id), t('defect.open_order'), navigate)] : null,
          d.inspection_id ? [t('inspection.title'), appLink('/charging/inspections/' + encodeURIComponent(d.inspection_id), t('defect.open_inspection'), navigate)] : null,
          d.closed_at ? [t('defect.closed'), `${d.closed_by_name || ''} ${fmtTime(d.closed_at, { seconds: false })}`] : null,
          d.resolution ? [t('defect.resolution'), d.resolution] : null]),
        d.photos && d.photos.length ? thumbs(d.photos, { testid: 'defect-photos' }) : null,
        h('div.chips', (d.actions || []).map((a) => h('button.btn', { type: 'button', testid: 'defect-action-' + a, text: t('defect.action.' + a), onclick: () => act(d, a) })))));
    } catch (ex) { err.show(ex); clear(box); }
  }
  load();
}

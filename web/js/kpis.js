// 运维指标 /charging/kpis (R4.4): the charger KPIs over a period of Asia/Shanghai days, grouped by station, vendor,
// model, charger or connector.
//   - GET /kpis/chargers?from&to&group_by → the table (every KPI, the total underneath) and a bar chart of
//     availability and fault rate per group (Apache ECharts, served as /vendor/echarts.js, canvas renderer).
//   - GET /kpis/trend?metric&from&to&interval&group_by → a line per group (the first ten) of the chosen KPI.
//   - GET /kpis/chargers.xlsx → the same table as a workbook, fetched with the session's token and saved.
// The formulas are in docs/api.md "Charger KPIs" and on the workbook's second sheet.
import { h, clear } from './dom.js';
import { pageLife } from './lifecycle.js';
import { t, todayShanghai } from './i18n.js';
import { get, getToken, ApiError } from './api.js';
import { dataTable, loading, emptyState } from './ui.js';
import { hasPerm, hasRole } from './perm.js';
import { problemBox } from './fw.js';
import { assetUrl } from './assets.js';

const GROUPS = ['station', 'vendor', 'model', 'charger', 'connector'];
const METRICS = ['availability', 'online', 'fault_rate', 'mttr', 'mtbf', 'success', 'time_util', 'energy_util', 'sessions', 'energy'];
const INTERVALS = ['day', 'week', 'month'];
const live = []; // chart instances of the page on screen (disposed when the page is left)

let echartsLoad = null;
/** window.echarts, loaded once from /vendor/echarts.js (a UMD script); null when it cannot be had (also for appeval.js). */
export function loadECharts() {
  if (!echartsLoad) {
    echartsLoad = new Promise((resolve) => {
      if (window.echarts) { resolve(window.echarts); return; }
      const s = document.createElement('script');
      s.src = assetUrl('/vendor/echarts.js');
      s.async = true;
      s.onload = () => resolve(window.echarts || null);
      s.onerror = () => resolve(null);
      document.head.append(s);
    });
  }
  return echartsLoad;
}

const addDays = (day, n) => {
  const d = new Date(Date.parse(day + 'T00:00:00Z') + n * 86400e3);
  return d.toISOString().slice(0, 10);
};
const num = (v, digits = 2) => (v === null || v === undefined ? '—' : Number(v).toFixed(digits));
const groupLabel = (row, by) => (row.label ? row.label : t('kpis.unset_' + (by === 'station' ? 'station' : 'value')));

function columns(by) {
  return [
    { key: 'label', label: t('kpis.group.' + by), render: (r) => r.__total ? t('kpis.total') : groupLabel(r, by) },
    { key: 'chargers', label: t('kpis.col.chargers'), cls: 'num' },
    { key: 'connectors', label: t('kpis.col.connectors'), cls: 'num' },
    { key: 'availability_pct', label: t('kpis.col.availability'), cls: 'num', render: (r) => num(r.availability_pct) },
    { key: 'online_pct', label: t('kpis.col.online'), cls: 'num', render: (r) => num(r.online_pct) },
    { key: 'faults', label: t('kpis.col.faults'), cls: 'num' },
    { key: 'fault_rate', label: t('kpis.col.fault_rate'), cls: 'num', render: (r) => num(r.fault_rate, 3) },
    { key: 'mttr_h', label: t('kpis.col.mttr'), cls: 'num', render: (r) => num(r.mttr_h) },
    { key: 'mtbf_h', label: t('kpis.col.mtbf'), cls: 'num', render: (r) => num(r.mtbf_h) },
    { key: 'success_pct', label: t('kpis.col.success'), cls: 'num', render: (r) => num(r.success_pct) },
    { key: 'time_util_pct', label: t('kpis.col.time_util'), cls: 'num', render: (r) => num(r.time_util_pct) },
    { key: 'energy_util_pct', label: t('kpis.col.energy_util'), cls: 'num', render: (r) => num(r.energy_util_pct) },
    { key: 'sessions', label: t('kpis.col.sessions'), cls: 'num' },
    { key: 'energy_kwh', label: t('kpis.col.energy'), cls: 'num', render: (r) => num(r.energy_kwh, 1) },
  ];
}

function select(testid, label, values, keyPrefix, value) {
  const s = h('select.input', { testid, 'aria-label': label });
  for (const v of values) s.append(h('option', { value: v, text: t(keyPrefix + v) }));
  s.value = value;
  return s;
}

export function renderKpis(el, ctx, tabs) {
  for (const c of live.splice(0)) c.dispose();
  const life = pageLife();
  life.listen(window, 'resize', () => { for (const c of live) c.resize(); });
  life.onEnd(() => { for (const c of live.splice(0)) c.dispose(); });
  const today = todayShanghai();
  const from = h('input.input', { type: 'date', testid: 'kpi-from', 'aria-label': t('kpis.from'), value: addDays(today, -29), max: today });
  const to = h('input.input', { type: 'date', testid: 'kpi-to', 'aria-label': t('kpis.to'), value: today, max: today });
  const by = select('kpi-group', t('kpis.group_by'), GROUPS, 'kpis.group.', 'station');
  const metric = select('kpi-metric', t('kpis.metric'), METRICS, 'kpis.metric.', 'availability');
  const interval = select('kpi-interval', t('kpis.interval'), INTERVALS, 'kpis.interval.', 'day');
  const run = h('button.btn.btn-primary', { type: 'button', testid: 'kpi-run', text: t('kpis.run') });
  const exp = h('button.btn', { type: 'button', testid: 'kpi-export', text: t('kpis.export') });
  const err = problemBox('kpi-error');
  const meta = h('p.small.muted', { testid: 'kpi-meta' });
  const barBox = h('div.kpi-chart', { testid: 'kpi-chart-bars', role: 'img', 'aria-label': t('kpis.chart_bars') });
  const trendBox = h('div.kpi-chart', { testid: 'kpi-chart-trend', role: 'img', 'aria-label': t('kpis.chart_trend') });
  const tableBox = h('div', { testid: 'kpi-table-box' }, loading());
  const emptyBox = h('div', { hidden: true });
  const label = (text, ctl) => h('label.kpi-filter', h('span.small.muted', { text }), ctl);
  el.append(h('div.page-head', h('h1.page-title', { text: t('nav.charging'), tabindex: '-1' })), tabs,
    h('div.toolbar', label(t('kpis.from'), from), label(t('kpis.to'), to), label(t('kpis.group_by'), by),
      label(t('kpis.metric'), metric), label(t('kpis.interval'), interval), h('div.toolbar-spacer'), run, exp),
    err, meta,
    emptyBox,
    h('div.kpi-charts', h('div.card', h('h2.card-title', { text: t('kpis.chart_bars') }), barBox),
      h('div.card', h('h2.card-title', { text: t('kpis.chart_trend') }), trendBox)),
    h('h2.section-title', { text: t('kpis.table') }), tableBox,
    h('p.small.muted', { text: t('kpis.hint') }));

  const query = () => ({ from: from.value, to: to.value, group_by: by.value });
  const charts = loadECharts();
  const chartOf = async (box) => {
    const ec = await charts;
    if (!ec || life.ended) return null;
    let c = ec.getInstanceByDom(box);
    if (!c) { c = ec.init(box, null, { renderer: 'canvas' }); live.push(c); }
    return c;
  };

  async function drawBars(rows, group) {
    const c = await chartOf(barBox);
    if (!c) { barBox.textContent = t('kpis.no_charts'); return; }
    const top = rows.slice(0, 30);
    c.setOption({
      animation: false,
      tooltip: { trigger: 'axis' },
      legend: { data: [t('kpis.col.availability'), t('kpis.col.fault_rate')] },
      grid: { left: 50, right: 50, bottom: 70, top: 40 },
      xAxis: { type: 'category', data: top.map((r) => groupLabel(r, group)), axisLabel: { rotate: top.length > 6 ? 30 : 0, interval: 0 } },
      yAxis: [{ type: 'value', name: '%', min: 0, max: 100 }, { type: 'value', name: t('kpis.fault_rate_unit'), min: 0 }],
      series: [
        { name: t('kpis.col.availability'), type: 'bar', data: top.map((r) => r.availability_pct) },
        { name: t('kpis.col.fault_rate'), type: 'bar', yAxisIndex: 1, data: top.map((r) => r.fault_rate) },
      ],
    }, true);
    barBox.dataset.drawn = String(top.length);
  }

  async function drawTrend(tr, group) {
    const c = await chartOf(trendBox);
    if (!c) { trendBox.textContent = t('kpis.no_charts'); return; }
    c.setOption({
      animation: false,
      tooltip: { trigger: 'axis' },
      legend: { type: 'scroll', bottom: 0 },
      grid: { left: 50, right: 20, bottom: 50, top: 30 },
      xAxis: { type: 'category', data: tr.buckets },
      yAxis: { type: 'value', min: 0 },
      series: tr.series.map((s) => ({ name: s.key === 'all' ? t('kpis.total') : groupLabel(s, group), type: 'line', connectNulls: false, data: s.values })),
    }, true);
    trendBox.dataset.drawn = String(tr.series.length);
  }

  async function load() {
    err.show(null);
    clear(tableBox);
    tableBox.append(loading());
    const q = query();
    try {
      const [tab, tr] = await Promise.all([get('/kpis/chargers', q), get('/kpis/trend', { ...q, metric: metric.value, interval: interval.value })]);
      clear(tableBox);
      const rows = tab.rows.map((r, i) => ({ ...r, __i: i }));
      tableBox.append(dataTable({ columns: columns(q.group_by), rows: [...rows, { ...tab.total, __total: true }], testid: 'kpi-table',
        rowTestid: (r) => (r.__total ? 'kpi-total' : 'kpi-row-' + r.__i), empty: t('kpis.empty') }));
      meta.textContent = t('kpis.meta', { from: tab.from, to: tab.to, groups: tab.groups, ms: tab.took_ms }) + (tab.truncated ? ' ' + t('kpis.truncated') : '');
      // No charger in the selection: say what to do instead of drawing two empty charts.
      const none = !tab.rows.length;
      const chartsEl = barBox.closest('.kpi-charts');
      if (chartsEl) chartsEl.hidden = none;
      emptyBox.hidden = !none;
      if (none) {
        const may = hasRole(ctx.me, 'admin') || hasPerm(ctx.me, 'chargers.write');
        emptyBox.replaceChildren(emptyState({
          testid: 'kpi-empty', text: may ? t('kpis.empty_register') : t('kpis.empty_ask'),
          action: may ? t('charging.empty_register_go') : null, href: '/charging/ledger', navigate: ctx.navigate,
        }));
        return;
      }
      await drawBars(tab.rows, q.group_by);
      await drawTrend(tr, q.group_by);
    } catch (e) {
      clear(tableBox);
      err.show(e);
    }
  }

  async function download() {
    const q = new URLSearchParams(query());
    exp.disabled = true;
    try {
      const headers = { 'Accept-Language': 'zh-CN' };
      const tok = getToken();
      if (tok) headers.Authorization = 'Bearer ' + tok;
      const res = await fetch('/api/v1/kpis/chargers.xlsx?' + q, { headers, credentials: 'same-origin', cache: 'no-store' });
      if (!res.ok) {
        let body = null;
        try { body = JSON.parse(await res.text()); } catch { body = null; }
        const e = (body && body.error) || {};
        throw new ApiError(res.status, e.code || 'http_' + res.status, e.message || t('error.http', { status: res.status }), e.details);
      }
      const url = URL.createObjectURL(await res.blob());
      const a = h('a', { href: url, download: `charger-kpis-${q.get('from')}-${q.get('to')}.xlsx` });
      document.body.append(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(url), 10000);
    } catch (e) {
      err.show(e);
    } finally {
      exp.disabled = false;
    }
  }

  run.addEventListener('click', load);
  exp.addEventListener('click', download);
  load();
}

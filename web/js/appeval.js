// 业扩服务评价 /service-evaluation (issue 11 item 10; R0.10, R0.5): the internal evaluation of customers'
// applications over a period of months (Asia/Shanghai), for a serving unit (and the units below it) and a kind.
//   - GET /applications/evaluation?from&to&org_unit_id&kind → the period's figures (cards), a line chart of the
//     on-time and satisfaction rates by month, bars of the on-time rate and average working days per stage, and
//     tables by month, by team, by serving unit and by team × stage (Apache ECharts from /vendor/echarts.js, loaded
//     on first use as the charger KPIs do; without it the tables still work).
//   - GET /applications/evaluation.xlsx → the same as a workbook, fetched with the session's token and saved.
// How each figure is counted: docs/api.md "Applications" → "Evaluation", and the workbook's last sheet.
import { h, clear } from './dom.js';
import { pageLife } from './lifecycle.js';
import { t, todayShanghai } from './i18n.js';
import { get, getToken, ApiError } from './api.js';
import { dataTable, loading } from './ui.js';
import { problemBox } from './fw.js';
import { loadECharts } from './kpis.js';

const KINDS = ['lv_residential', 'lv_non_residential', 'hv_single', 'hv_dual', 'capacity_increase', 'temporary'];
const live = []; // chart instances of the page on screen (disposed when the page is left)

const num = (v, digits = 2) => (v === null || v === undefined ? '—' : Number(v).toFixed(digits));
const monthsBefore = (month, n) => {
  let y = Number(month.slice(0, 4));
  let m = Number(month.slice(5, 7)) - n;
  while (m < 1) { m += 12; y -= 1; }
  return `${y}-${String(m).padStart(2, '0')}`;
};
const kindName = (k) => (k ? t('appeval.kind.' + k) : '—');
const stageName = (r) => (document.documentElement.lang === 'en' ? r.stage_name_en : r.stage_name_zh) || r.stage;
const teamName = (r) => r.team_name || t('appeval.no_team');
const unitName = (r) => r.org_unit_name || t('appeval.no_unit');

/** The application-level columns (a month, a unit or the total). */
function appColumns(first) {
  return [
    ...first,
    { key: 'applications', label: t('appeval.col.applications'), cls: 'num' },
    { key: 'stage_on_time_pct', label: t('appeval.col.stage_on_time_pct'), cls: 'num', render: (r) => num(r.stage_on_time_pct) },
    { key: 'avg_stage_working_days', label: t('appeval.col.avg_stage_wd'), cls: 'num col-opt', render: (r) => num(r.avg_stage_working_days) },
    { key: 'completed', label: t('appeval.col.completed'), cls: 'num' },
    { key: 'process_on_time_pct', label: t('appeval.col.process_on_time_pct'), cls: 'num', render: (r) => num(r.process_on_time_pct) },
    { key: 'all_stages_on_time_pct', label: t('appeval.col.all_stages_pct'), cls: 'num', render: (r) => num(r.all_stages_on_time_pct) },
    { key: 'avg_process_working_days', label: t('appeval.col.avg_process_wd'), cls: 'num', render: (r) => num(r.avg_process_working_days) },
    { key: 'rating_avg', label: t('appeval.col.rating_avg'), cls: 'num', render: (r) => num(r.rating_avg) },
    { key: 'satisfied_pct', label: t('appeval.col.satisfied_pct'), cls: 'num', render: (r) => num(r.satisfied_pct) },
    { key: 'complaints_per_1000', label: t('appeval.col.complaints_per_1000'), cls: 'num', render: (r) => num(r.complaints_per_1000) },
  ];
}

function stageColumns(first) {
  return [
    ...first,
    { key: 'visits', label: t('appeval.col.visits'), cls: 'num' },
    { key: 'on_time', label: t('appeval.col.on_time'), cls: 'num' },
    { key: 'late', label: t('appeval.col.late'), cls: 'num' },
    { key: 'on_time_pct', label: t('appeval.col.on_time_pct'), cls: 'num', render: (r) => num(r.on_time_pct) },
    { key: 'avg_working_days', label: t('appeval.col.avg_wd'), cls: 'num', render: (r) => num(r.avg_working_days) },
  ];
}

/** The period's headline figures. */
function summary(tot) {
  const item = (key, value) => h('div', h('dt', { text: t(key) }), h('dd', { text: value }));
  return h('dl.kv', { testid: 'appeval-summary' },
    item('appeval.col.applications', String(tot.applications)),
    item('appeval.col.stage_on_time_pct', `${num(tot.stage_on_time_pct)} % (${tot.stage_on_time}/${tot.stage_visits})`),
    item('appeval.col.process_on_time_pct', `${num(tot.process_on_time_pct)} % (${tot.process_on_time}/${tot.completed})`),
    item('appeval.col.all_stages_pct', `${num(tot.all_stages_on_time_pct)} % (${tot.all_stages_on_time}/${tot.completed})`),
    item('appeval.col.avg_process_wd', num(tot.avg_process_working_days)),
    item('appeval.col.rating_avg', `${num(tot.rating_avg)} (${tot.ratings})`),
    item('appeval.col.satisfied_pct', num(tot.satisfied_pct)),
    item('appeval.col.complaints_per_1000', `${num(tot.complaints_per_1000)} (${tot.complaints})`));
}

export function renderAppEval(el, ctx) {
  if (ctx.path !== '/service-evaluation') return false;
  for (const c of live.splice(0)) c.dispose();
  const life = pageLife();
  life.listen(window, 'resize', () => { for (const c of live) c.resize(); });
  life.onEnd(() => { for (const c of live.splice(0)) c.dispose(); });
  const thisMonth = todayShanghai().slice(0, 7);
  const from = h('input.input', { type: 'month', testid: 'appeval-from', 'aria-label': t('appeval.from'), value: monthsBefore(thisMonth, 5), max: thisMonth });
  const to = h('input.input', { type: 'month', testid: 'appeval-to', 'aria-label': t('appeval.to'), value: thisMonth, max: thisMonth });
  const kind = h('select.input', { testid: 'appeval-kind', 'aria-label': t('appeval.kind') },
    h('option', { value: '', text: t('appeval.all') }), KINDS.map((k) => h('option', { value: k, text: kindName(k) })));
  const unit = h('select.input', { testid: 'appeval-unit', 'aria-label': t('appeval.unit') }, h('option', { value: '', text: t('appeval.all_units') }));
  const run = h('button.btn.btn-primary', { type: 'button', testid: 'appeval-run', text: t('appeval.run') });
  const exp = h('button.btn', { type: 'button', testid: 'appeval-export', text: t('appeval.export') });
  const err = problemBox('appeval-error');
  const sumBox = h('div.card', { testid: 'appeval-summary-box' });
  const trendBox = h('div.kpi-chart', { testid: 'appeval-chart-trend', role: 'img', 'aria-label': t('appeval.chart_trend') });
  const stageBox = h('div.kpi-chart', { testid: 'appeval-chart-stages', role: 'img', 'aria-label': t('appeval.chart_stages') });
  const monthsBox = h('div', loading());
  const teamsBox = h('div');
  const unitsBox = h('div');
  const stagesBox = h('div');
  const label = (text, ctl) => h('label.kpi-filter', h('span.small.muted', { text }), ctl);
  el.append(h('div.page-head', h('h1.page-title', { text: t('nav.service_evaluation'), tabindex: '-1' })),
    h('div.toolbar', label(t('appeval.from'), from), label(t('appeval.to'), to), label(t('appeval.unit'), unit),
      label(t('appeval.kind'), kind), h('div.toolbar-spacer'), run, exp),
    err, sumBox,
    h('div.kpi-charts', h('div.card', h('h2.card-title', { text: t('appeval.chart_trend') }), trendBox),
      h('div.card', h('h2.card-title', { text: t('appeval.chart_stages') }), stageBox)),
    h('h2.section-title', { text: t('appeval.by_month') }), monthsBox,
    h('h2.section-title', { text: t('appeval.by_team') }), teamsBox,
    h('h2.section-title', { text: t('appeval.by_unit') }), unitsBox,
    h('h2.section-title', { text: t('appeval.by_team_stage') }), stagesBox,
    h('p.small.muted', { text: t('appeval.hint') }));

  // the units one may pick (the directory; without it, every unit in scope)
  get('/directory/org-units', undefined, { signal: life.signal }).then((r) => {
    for (const u of (r && r.items) || []) unit.append(h('option', { value: u.id, text: u.name }));
  }).catch(() => { unit.disabled = true; });

  const query = () => {
    const q = { from: from.value, to: to.value };
    if (kind.value) q.kind = kind.value;
    if (unit.value) q.org_unit_id = unit.value;
    return q;
  };
  const charts = loadECharts();
  const chartOf = async (box) => {
    const ec = await charts;
    if (!ec || life.ended) return null;
    let c = ec.getInstanceByDom(box);
    if (!c) { c = ec.init(box, null, { renderer: 'canvas' }); live.push(c); }
    return c;
  };

  async function drawTrend(months) {
    const c = await chartOf(trendBox);
    if (!c) { trendBox.textContent = t('appeval.no_charts'); return; }
    const line = (key, name) => ({ name, type: 'line', connectNulls: false, data: months.map((m) => m[key]) });
    c.setOption({
      animation: false,
      tooltip: { trigger: 'axis' },
      legend: { type: 'scroll', bottom: 0 },
      grid: { left: 50, right: 20, bottom: 50, top: 30 },
      xAxis: { type: 'category', data: months.map((m) => m.month) },
      yAxis: { type: 'value', name: '%', min: 0, max: 100 },
      series: [line('stage_on_time_pct', t('appeval.col.stage_on_time_pct')), line('process_on_time_pct', t('appeval.col.process_on_time_pct')),
        line('all_stages_on_time_pct', t('appeval.col.all_stages_pct')), line('satisfied_pct', t('appeval.col.satisfied_pct'))],
    }, true);
    trendBox.dataset.drawn = String(months.length);
  }

  async function drawStages(rows) {
    const c = await chartOf(stageBox);
    if (!c) { stageBox.textContent = t('appeval.no_charts'); return; }
    const names = rows.map((r) => `${stageName(r)} · ${kindName(r.kind)}`);
    c.setOption({
      animation: false,
      tooltip: { trigger: 'axis' },
      legend: { data: [t('appeval.col.on_time_pct'), t('appeval.col.avg_wd')] },
      grid: { left: 50, right: 50, bottom: 90, top: 40 },
      xAxis: { type: 'category', data: names, axisLabel: { rotate: names.length > 4 ? 30 : 0, interval: 0 } },
      yAxis: [{ type: 'value', name: '%', min: 0, max: 100 }, { type: 'value', name: t('appeval.wd_unit'), min: 0 }],
      series: [
        { name: t('appeval.col.on_time_pct'), type: 'bar', data: rows.map((r) => r.on_time_pct) },
        { name: t('appeval.col.avg_wd'), type: 'bar', yAxisIndex: 1, data: rows.map((r) => r.avg_working_days) },
      ],
    }, true);
    stageBox.dataset.drawn = String(rows.length);
  }

  async function load() {
    err.show(null);
    for (const b of [monthsBox, teamsBox, unitsBox, stagesBox]) clear(b);
    monthsBox.append(loading());
    try {
      const r = await get('/applications/evaluation', query(), { signal: life.signal });
      clear(monthsBox);
      clear(sumBox);
      sumBox.append(summary(r.total));
      const monthCol = [{ key: 'month', label: t('appeval.month'), render: (m) => (m.__total ? t('appeval.total') : m.month) }];
      monthsBox.append(dataTable({ columns: appColumns(monthCol), rows: [...r.months, { ...r.total, __total: true }], testid: 'appeval-months',
        rowTestid: (m) => (m.__total ? 'appeval-month-total' : 'appeval-month-' + m.month) }));
      teamsBox.append(dataTable({ columns: stageColumns([{ key: 'team_name', label: t('appeval.team'), render: teamName }]), rows: r.by_team,
        testid: 'appeval-teams', empty: t('appeval.empty') }));
      unitsBox.append(dataTable({ columns: appColumns([{ key: 'month', label: t('appeval.month') }, { key: 'org_unit_name', label: t('appeval.unit'), render: unitName },
        { key: 'kind', label: t('appeval.kind'), render: (u) => kindName(u.kind) }]), rows: r.units, testid: 'appeval-units', empty: t('appeval.empty') }));
      stagesBox.append(dataTable({ columns: stageColumns([{ key: 'month', label: t('appeval.month') }, { key: 'team_name', label: t('appeval.team'), render: teamName },
        { key: 'stage', label: t('appeval.stage'), render: stageName }, { key: 'kind', label: t('appeval.kind'), render: (s) => kindName(s.kind) }]),
        rows: r.stages, testid: 'appeval-stages', empty: t('appeval.empty') }));
      await drawTrend(r.months);
      await drawStages(r.by_stage);
    } catch (e) {
      if (life.ended) return;
      clear(monthsBox);
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
      const res = await fetch('/api/v1/applications/evaluation.xlsx?' + q, { headers, credentials: 'same-origin', cache: 'no-store' });
      if (!res.ok) {
        let body = null;
        try { body = JSON.parse(await res.text()); } catch { body = null; }
        const e = (body && body.error) || {};
        throw new ApiError(res.status, e.code || 'http_' + res.status, e.message || t('error.http', { status: res.status }), e.details);
      }
      const url = URL.createObjectURL(await res.blob());
      const a = h('a', { href: url, download: `application-evaluation-${q.get('from')}-${q.get('to')}.xlsx` });
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
  return true;
}

// 质量与评价 /metering-quality[/samples/{id}] (issue 12 item 6, R1.2; docs/api.md "Metering: quality and evaluation"):
//   - /metering-quality: the month's evaluation per team (GET /metering/evaluation) as a bar chart (on-time rate of
//     the jobs and of the processes, first-pass rate of the re-checks, collection success rate) and a table; drawing a
//     sample (POST /metering/quality/samples: team, days, rate); the samples drawn; and the editor of which team
//     answers for a transformer area (GET/PUT /metering/area-teams, …/actions/clear), with the month's unassigned areas.
//   - /metering-quality/samples/{id}: the sample's checks; a pending one is recorded passed or failed, a failed one
//     with its findings (severity, category, what was found).
// Writes are offered to whom the server lets do them (metering.write draws and records, metering.admin maps areas).
import { h, mount } from './dom.js';
import { t, tOr, fmtTime, todayShanghai } from './i18n.js';
import { get, post, put } from './api.js';
import { errorBox, dataTable, loading, field, badge, toast } from './ui.js';
import { hasRole, hasPerm } from './perm.js';
import { loadECharts } from './kpis.js';
import { pageLife } from './lifecycle.js';

const allows = (me, perm) => hasRole(me, 'admin') || hasPerm(me, perm);
const SEVERITIES = ['major', 'general', 'minor'];
const CATEGORIES = ['wiring', 'seal', 'reading', 'asset_record', 'safety', 'site', 'other'];
const charts = [];
function disposeCharts() { while (charts.length) { try { charts.pop().dispose(); } catch { /* gone */ } } }

export function renderMeterQuality(el, ctx) {
  disposeCharts();
  const life = pageLife();
  life.listen(window, 'resize', () => { for (const c of charts) c.resize(); });
  life.onEnd(disposeCharts);
  if (ctx.path === '/metering-quality') { renderMain(el, ctx); return true; }
  const m = /^\/metering-quality\/samples\/([^/]+)$/.exec(ctx.path);
  if (m) { renderSample(el, { ...ctx, id: decodeURIComponent(m[1]) }); return true; }
  return false;
}

const link = (path, text, navigate, testid) => {
  const a = h('a', { href: path, text, testid });
  a.addEventListener('click', (e) => { e.preventDefault(); navigate(path); });
  return a;
};
const pct = (v) => (v === null || v === undefined ? '—' : v + '%');
const teamLabel = (row) => (row.team_id ? row.team_name || row.team_id : t('mq.unassigned'));
const option = (value, text, selected) => h('option', { value, text, selected: value === selected });

function teamSelect(teams, testid, value) {
  return h('select.input', { testid }, option('', t('mq.pick_team'), value || ''), teams.map((x) => option(x.id, x.name, value)));
}

function renderMain(el, { me, navigate }) {
  const err = errorBox('mq-error');
  const today = todayShanghai();
  const month = h('input.input', { type: 'month', testid: 'mq-month', value: today.slice(0, 7), 'aria-label': t('mq.month') });
  const chartBox = h('div.chart', { testid: 'mq-chart', role: 'img', 'aria-label': t('mq.chart') });
  const tableBox = h('div', { testid: 'mq-eval-box' }, loading());
  const unassignedBox = h('p.small.muted', { testid: 'mq-unassigned' });
  const samplesBox = h('div', loading());
  const areasBox = h('div', loading());
  const drawBox = h('div');
  const areaForm = h('div');
  let teams = [];
  let unassigned = [];

  mount(el, h('div.page-head', h('h1.page-title', { text: t('nav.metering_quality'), tabindex: '-1' })), err,
    h('section.card', h('h2', { text: t('mq.evaluation') }),
      h('div.toolbar', h('label.kpi-filter', h('span.small.muted', { text: t('mq.month') }), month)),
      chartBox, tableBox, unassignedBox, h('p.small.muted', { text: t('mq.evaluation_hint') })),
    allows(me, 'metering.write') ? h('section.card', h('h2', { text: t('mq.draw') }), drawBox) : null,
    h('section.card', h('h2', { text: t('mq.samples') }), samplesBox),
    h('section.card', h('h2', { text: t('mq.areas') }), areaForm, areasBox, h('p.small.muted', { text: t('mq.areas_hint') })));

  async function drawChart(rows) {
    const ec = await loadECharts();
    if (!ec) { chartBox.textContent = t('mq.no_chart'); return; }
    chartBox.style.height = '300px';
    let c = ec.getInstanceByDom(chartBox);
    if (!c) { c = ec.init(chartBox, null, { renderer: 'canvas' }); charts.push(c); }
    const series = [['on_time_rate', 'mq.col.on_time_rate', (r) => r.on_time_rate], ['cases', 'mq.col.process_rate', (r) => r.cases.on_time_rate],
      ['first_pass', 'mq.col.first_pass_rate', (r) => r.first_pass_rate], ['collection', 'mq.col.collection_rate', (r) => r.collection.success_rate]];
    c.setOption({
      animation: false, tooltip: { trigger: 'axis' }, legend: { top: 0 }, grid: { left: 48, right: 16, top: 36, bottom: 56 },
      xAxis: { type: 'category', data: rows.map(teamLabel), axisLabel: { rotate: rows.length > 6 ? 30 : 0, interval: 0 } },
      yAxis: { type: 'value', min: 0, max: 100, name: '%' },
      series: series.map(([, key, f]) => ({ type: 'bar', name: t(key), data: rows.map(f) })),
    }, true);
    chartBox.dataset.drawn = String(rows.length);
  }

  async function loadEvaluation() {
    err.show(null);
    mount(tableBox, loading());
    try {
      const ev = await get('/metering/evaluation', { month: month.value });
      unassigned = ev.unassigned_areas.names;
      const procs = (r) => r.processes.map((p) => `${tOr('mp.kind.' + p.kind, p.kind)} ${p.on_time}/${p.closed}`).join(' · ');
      const totalRow = { ...ev.totals, __total: true, findings: null, processes: [] };
      mount(tableBox, dataTable({ testid: 'mq-eval', rows: [...ev.teams, totalRow], empty: t('mq.none'),
        rowTestid: (r) => (r.__total ? 'mq-total' : 'mq-team-' + (r.team_id || 'none')),
        columns: [
          { label: t('mq.col.team'), render: (r) => (r.__total ? t('mq.total') : teamLabel(r)) },
          { label: t('mq.col.finished'), key: 'finished', cls: 'num' },
          { label: t('mq.col.on_time_rate'), cls: 'num', render: (r) => pct(r.on_time_rate) },
          { label: t('mq.col.closed'), cls: 'num', render: (r) => r.cases.closed },
          { label: t('mq.col.process_rate'), cls: 'num', render: (r) => pct(r.cases.on_time_rate) },
          { label: t('mq.col.processes'), render: (r) => procs(r) },
          { label: t('mq.col.checked'), key: 'checked', cls: 'num' },
          { label: t('mq.col.first_pass_rate'), cls: 'num', render: (r) => pct(r.first_pass_rate) },
          { label: t('mq.col.findings'), render: (r) => (r.findings ? SEVERITIES.map((s) => `${t('mq.severity.' + s)} ${r.findings[s]}`).join(' / ') : '') },
          { label: t('mq.col.collection_rate'), cls: 'num', render: (r) => pct(r.collection.success_rate) },
        ] }));
      unassignedBox.textContent = ev.unassigned_areas.count
        ? t('mq.unassigned_areas', { n: ev.unassigned_areas.count, names: unassigned.join('、') }) : '';
      areaNames();
      await drawChart(ev.teams);
    } catch (e) { mount(tableBox); err.show(e); }
  }

  async function loadSamples() {
    try {
      const r = await get('/metering/quality/samples', { limit: 50 });
      const names = new Map(teams.map((x) => [x.id, x.name]));
      mount(samplesBox, dataTable({ testid: 'mq-samples', rows: r.items, empty: t('mq.no_samples'), rowTestid: (s) => 'mq-sample-' + s.number,
        columns: [{ label: t('mq.col.number'), render: (s) => link('/metering-quality/samples/' + encodeURIComponent(s.id), s.number, navigate) },
          { label: t('mq.col.team'), render: (s) => names.get(s.team_id) || s.team_id },
          { label: t('mq.col.days'), render: (s) => `${s.from_day} ~ ${s.to_day}` },
          { label: t('mq.rate'), render: (s) => s.rate + '%' }, { label: t('mq.col.population'), key: 'population', cls: 'num' },
          { label: t('mq.col.created_at'), render: (s) => fmtTime(s.created_at, { seconds: false }) }] }));
    } catch (e) { mount(samplesBox); err.show(e); }
  }

  function drawForm() {
    const team = teamSelect(teams, 'mq-draw-team');
    const from = h('input.input', { type: 'date', testid: 'mq-draw-from', value: today.slice(0, 8) + '01', max: today });
    const to = h('input.input', { type: 'date', testid: 'mq-draw-to', value: today, max: today });
    const rate = h('input.input', { type: 'number', min: '1', max: '100', value: '10', testid: 'mq-draw-rate' });
    const go = h('button.btn.btn-primary', { type: 'button', testid: 'mq-draw', text: t('mq.draw_go') });
    go.addEventListener('click', async () => {
      err.show(null);
      try {
        const s = await post('/metering/quality/samples', { team_id: team.value, from: from.value, to: to.value, rate: Number(rate.value) });
        toast(t('mq.drawn', { number: s.number, n: s.checks.length, population: s.population }));
        navigate('/metering-quality/samples/' + encodeURIComponent(s.id));
      } catch (e) { err.show(e); }
    });
    mount(drawBox, h('div.form-grid', field(t('mq.col.team'), team), field(t('mq.from'), from), field(t('mq.to'), to),
      field(t('mq.rate'), rate, { hint: t('mq.rate_hint') })), h('div.actions', go));
  }

  // the area editor: the mapping, and (metering.admin) a form to set one and a clear button per row
  const admin = allows(me, 'metering.admin');
  const areaInput = h('input.input', { type: 'text', testid: 'mq-area-name', maxlength: '64', list: 'mq-area-names' });
  const areaList = h('datalist#mq-area-names');
  function areaNames() { mount(areaList, unassigned.map((n) => h('option', { value: n }))); }
  async function loadAreas() {
    try {
      const r = await get('/metering/area-teams');
      mount(areasBox, dataTable({ testid: 'mq-areas', rows: r.items, empty: t('mq.no_areas'), rowTestid: (a) => 'mq-area-' + a.transformer_area,
        columns: [{ label: t('mq.col.area'), key: 'transformer_area' }, { label: t('mq.col.team'), render: (a) => a.team_name || a.team_id },
          { label: t('mq.col.updated_at'), render: (a) => fmtTime(a.updated_at, { seconds: false }) },
          ...(admin ? [{ label: '', render: (a) => h('button.btn.btn-sm', { type: 'button', testid: 'mq-area-clear', text: t('mq.clear'),
            onclick: async () => {
              err.show(null);
              try { await post('/metering/area-teams/actions/clear', { transformer_area: a.transformer_area }); loadAreas(); loadEvaluation(); }
              catch (e) { err.show(e); }
            } }) }] : [])] }));
    } catch (e) { mount(areasBox); err.show(e); }
  }
  function areaEditor() {
    if (!admin) return;
    const team = teamSelect(teams, 'mq-area-team');
    const save = h('button.btn.btn-primary', { type: 'button', testid: 'mq-area-save', text: t('mq.area_save') });
    save.addEventListener('click', async () => {
      err.show(null);
      try {
        await put('/metering/area-teams', { transformer_area: areaInput.value.trim(), team_id: team.value });
        areaInput.value = '';
        loadAreas();
        loadEvaluation();
      } catch (e) { err.show(e); }
    });
    mount(areaForm, h('div.form-grid', field(t('mq.col.area'), areaInput, { hint: t('mq.area_hint') }), field(t('mq.col.team'), team)),
      areaList, h('div.actions', save));
  }

  month.addEventListener('change', loadEvaluation);
  loadEvaluation();
  loadAreas();
  get('/metering/teams').then((r) => { teams = r.items; drawForm(); areaEditor(); loadSamples(); })
    .catch((e) => { err.show(e); loadSamples(); });
}

/** A pending check's form: passed or failed, a note, and the findings (rows added as needed). */
function resultForm(check, onDone) {
  const err = errorBox('mq-result-error');
  const tid = (s) => `mq-check-${s}`;
  const result = h('select.input', { testid: tid('result') }, option('passed', t('mq.result.passed'), 'passed'), option('failed', t('mq.result.failed')));
  const note = h('textarea.input', { rows: '2', testid: tid('note'), maxlength: '2000' });
  const rows = h('div.findings', { testid: tid('findings') });
  const addRow = () => {
    const i = rows.children.length;
    rows.append(h('div.form-grid.finding', { testid: 'mq-finding-' + i },
      field(t('mq.severity'), h('select.input', { testid: 'mq-finding-severity-' + i }, SEVERITIES.map((s) => option(s, t('mq.severity.' + s), 'general')))),
      field(t('mq.category'), h('select.input', { testid: 'mq-finding-category-' + i }, CATEGORIES.map((c) => option(c, t('mq.category.' + c), 'other')))),
      field(t('mq.description'), h('input.input', { type: 'text', maxlength: '2000', testid: 'mq-finding-description-' + i }), { wide: true })));
  };
  const add = h('button.btn', { type: 'button', testid: 'mq-finding-add', text: t('mq.finding_add'), onclick: addRow });
  const save = h('button.btn.btn-primary', { type: 'button', testid: 'mq-check-save', text: t('mq.check_save') });
  save.addEventListener('click', async () => {
    err.show(null);
    const findings = [...rows.children].map((r) => ({ severity: r.querySelector('[data-testid^="mq-finding-severity"]').value,
      category: r.querySelector('[data-testid^="mq-finding-category"]').value,
      description: r.querySelector('[data-testid^="mq-finding-description"]').value.trim() })).filter((f) => f.description);
    try {
      await post(`/metering/quality/checks/${encodeURIComponent(check.id)}/result`, { result: result.value, note: note.value.trim() || null, findings });
      onDone();
    } catch (e) { err.show(e); }
  });
  result.addEventListener('change', () => { if (result.value === 'failed' && !rows.children.length) addRow(); });
  return h('div.card.check-form', { testid: 'mq-check-form' }, h('h3', { text: t('mq.record', { number: check.work_order_number }) }), err,
    h('div.form-grid', field(t('mq.result'), result), field(t('mq.note'), note, { wide: true })), rows, h('div.actions', add, save));
}

function renderSample(el, { me, id, navigate }) {
  const err = errorBox('mq-error');
  const formBox = h('div');
  async function load() {
    mount(el, loading());
    let s;
    try { s = await get('/metering/quality/samples/' + encodeURIComponent(id)); } catch (e) { mount(el, err); err.show(e); return; }
    const write = allows(me, 'metering.write');
    mount(formBox);
    const statusBadge = (c) => badge(t('mq.status.' + c.status), c.status === 'failed' ? 'danger' : c.status === 'passed' ? 'ok' : 'muted');
    mount(el, h('div.page-head', h('h1.page-title', { text: t('mq.sample_title', { number: s.number }), tabindex: '-1' })), err,
      h('p', { testid: 'mq-sample-meta', text: t('mq.sample_meta', { from: s.from_day, to: s.to_day, rate: s.rate, population: s.population,
        pending: s.counts.pending, passed: s.counts.passed, failed: s.counts.failed }) }),
      h('section.card', h('h2', { text: t('mq.checks') }), dataTable({ testid: 'mq-checks', rows: s.checks, empty: t('mq.none'),
        rowTestid: (c) => 'mq-check-' + c.work_order_number,
        columns: [{ label: t('mq.col.order'), render: (c) => link('/orders/' + encodeURIComponent(c.work_order_id), c.work_order_number, navigate) },
          { label: t('mq.col.kind'), render: (c) => tOr('kind.' + c.kind, c.kind) },
          { label: t('mq.col.finished_at'), render: (c) => fmtTime(c.finished_at, { seconds: false }) },
          { label: t('mq.col.on_time'), render: (c) => (c.on_time ? t('mq.yes') : t('mq.no')) },
          { label: t('mq.col.status'), render: (c) => statusBadge(c) },
          { label: t('mq.col.check_findings'), render: (c) => c.findings.map((f) => `[${t('mq.severity.' + f.severity)}·${t('mq.category.' + f.category)}] ${f.description}`).join('；') },
          { label: '', render: (c) => (write && c.status === 'pending'
            ? h('button.btn.btn-sm', { type: 'button', testid: 'mq-check-open', text: t('mq.record_btn'),
              onclick: () => { mount(formBox, resultForm(c, load)); formBox.scrollIntoView({ block: 'nearest' }); } }) : '') }] })),
      formBox,
      h('p', link('/metering-quality', t('mq.back'), navigate, 'mq-back')));
  }
  load();
}

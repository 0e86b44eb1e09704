// 轮换计划 /rotation[/{id}] (issue 12 item 4, R1.1): the rotation campaign planner.
//   - /rotation: the campaigns (GET /rotation/campaigns) and a new one: criteria (age in years by installation or
//     production date, failed sampling 状态更换, batch, model, class, subtype, areas) → preview (POST
//     /rotation/preview: total, by transformer area as an ECharts bar chart, by batch) → create a draft (POST
//     /rotation/campaigns with the capacity: crews × meters per crew per day, first day).
//   - /rotation/{id}: the campaign, its actions (generate, cancel with a reason), progress per area and per day
//     as bars (done of total), and its work orders.
import { h, mount } from './dom.js';
import { t } from './i18n.js';
import { get, post } from './api.js';
import { errorBox, dataTable, loading, field, badge } from './ui.js';
import { loadECharts } from './kpis.js';
import { pageLife } from './lifecycle.js';

const charts = [];
function disposeCharts() { while (charts.length) { try { charts.pop().dispose(); } catch { /* gone */ } } }

export function renderRotation(el, ctx) {
  disposeCharts();
  const life = pageLife();
  life.listen(window, 'resize', () => { for (const c of charts) c.resize(); });
  life.onEnd(disposeCharts);
  if (ctx.path === '/rotation') { renderPlanner(el, ctx); return true; }
  const m = /^\/rotation\/([^/]+)$/.exec(ctx.path);
  if (m) { renderCampaign(el, { ...ctx, id: decodeURIComponent(m[1]) }); return true; }
  return false;
}

const statusName = (s) => t('rotation.status.' + s);
const link = (path, text, navigate) => {
  const a = h('a', { href: path, text });
  a.addEventListener('click', (e) => { e.preventDefault(); navigate(path); });
  return a;
};

/** Bars: categories on x, one or two series (total, done). */
async function bars(box, categories, series, testid) {
  const ec = await loadECharts();
  mount(box);
  box.setAttribute('data-testid', testid);
  for (const c of charts.splice(0)) if (c.getDom() === box) c.dispose(); else charts.push(c);
  if (!ec) { box.append(h('p.muted', { text: t('rotation.no_chart') })); return; }
  box.style.height = '260px';
  const chart = ec.init(box, null, { renderer: 'canvas' });
  charts.push(chart);
  chart.setOption({
    tooltip: { trigger: 'axis' }, legend: { top: 0 }, grid: { left: 48, right: 16, top: 32, bottom: 48 },
    xAxis: { type: 'category', data: categories, axisLabel: { rotate: categories.length > 8 ? 30 : 0 } },
    yAxis: { type: 'value', minInterval: 1 },
    series: series.map((s) => ({ type: 'bar', name: s.name, data: s.data, barGap: '-100%' })),
  });
}

function criteriaForm() {
  const years = h('input.input', { type: 'number', min: '0', max: '50', value: '8', testid: 'rot-years' });
  const basis = h('select.input', { testid: 'rot-basis' },
    h('option', { value: 'installed_on', text: t('rotation.basis.installed_on') }),
    h('option', { value: 'produced_on', text: t('rotation.basis.produced_on') }));
  const failed = h('input', { type: 'checkbox', testid: 'rot-failed' });
  const text = (tid) => h('input.input', { type: 'text', testid: tid });
  const batch = text('rot-batch'), model = text('rot-model'), cls = text('rot-class'), subtype = text('rot-subtype'), areas = text('rot-areas');
  const el = h('div.form-grid',
    field(t('rotation.years'), years, { hint: t('rotation.years_hint') }), field(t('rotation.basis'), basis),
    field(t('rotation.sampling_failed'), failed), field(t('rotation.batch'), batch), field(t('rotation.model'), model),
    field(t('rotation.class'), cls), field(t('rotation.subtype'), subtype),
    field(t('rotation.areas'), areas, { hint: t('rotation.areas_hint'), wide: true }));
  el.value = () => {
    const c = {};
    if (years.value !== '') { c.older_than_years = Number(years.value); c.age_basis = basis.value; }
    if (failed.checked) c.sampling_failed = true;
    for (const [k, i] of [['batch', batch], ['model', model], ['accuracy_class', cls], ['subtype', subtype]]) if (i.value.trim()) c[k] = i.value.trim();
    const a = areas.value.split(/[,，\s]+/).filter(Boolean);
    if (a.length) c.areas = a;
    return c;
  };
  return el;
}

function renderPlanner(el, { navigate }) {
  const err = errorBox('rotation-error');
  const list = h('div', loading());
  const criteria = criteriaForm();
  const previewBox = h('div', { testid: 'rotation-preview' });
  const chartBox = h('div.chart');
  const name = h('input.input', { type: 'text', testid: 'rot-name' });
  const crews = h('input.input', { type: 'number', min: '1', value: '10', testid: 'rot-crews' });
  const perDay = h('input.input', { type: 'number', min: '1', value: '40', testid: 'rot-per-day' });
  const start = h('input.input', { type: 'date', testid: 'rot-start', value: new Date(Date.now() + 8 * 3600e3).toISOString().slice(0, 10) });
  const previewBtn = h('button.btn', { type: 'button', testid: 'rot-preview', text: t('rotation.preview') });
  const createBtn = h('button.btn.btn-primary', { type: 'button', testid: 'rot-create', text: t('rotation.create') });
  previewBtn.addEventListener('click', async () => {
    err.show(null);
    try {
      const p = await post('/rotation/preview', { criteria: criteria.value() });
      mount(previewBox, h('p', { testid: 'rot-total', text: t('rotation.selected', { n: p.total, cutoff: p.cutoff || '—' }) }),
        dataTable({ testid: 'rot-by-batch', rows: p.by_batch, empty: t('rotation.none'),
          columns: [{ label: t('rotation.batch'), key: 'batch' }, { label: t('rotation.count'), key: 'count' }] }));
      await bars(chartBox, p.by_area.map((a) => a.area || '—'), [{ name: t('rotation.count'), data: p.by_area.map((a) => a.count) }], 'rot-chart-areas');
    } catch (e) { err.show(e); }
  });
  createBtn.addEventListener('click', async () => {
    err.show(null);
    try {
      const c = await post('/rotation/campaigns', { name: name.value.trim(), criteria: criteria.value(), crews: Number(crews.value),
        per_crew_day: Number(perDay.value), start_on: start.value });
      navigate('/rotation/' + encodeURIComponent(c.id));
    } catch (e) { err.show(e); }
  });
  mount(el, h('div.page-head', h('h1.page-title', { text: t('nav.rotation'), tabindex: '-1' })), err,
    h('section.card', h('h2', { text: t('rotation.new') }), criteria, h('div.actions', previewBtn), previewBox, chartBox,
      h('div.form-grid', field(t('rotation.name'), name), field(t('rotation.crews'), crews), field(t('rotation.per_crew_day'), perDay),
        field(t('rotation.start_on'), start)), h('div.actions', createBtn)),
    h('section.card', h('h2', { text: t('rotation.campaigns') }), list));
  get('/rotation/campaigns').then((r) => mount(list, dataTable({ testid: 'rotation-campaigns', rows: r.items, empty: t('rotation.none'),
    rowTestid: (c) => 'rotation-' + c.number,
    columns: [{ label: t('rotation.number'), render: (c) => link('/rotation/' + encodeURIComponent(c.id), c.number, navigate) },
      { label: t('rotation.name'), key: 'name' }, { label: t('rotation.status'), render: (c) => badge(statusName(c.status)) },
      { label: t('rotation.total'), key: 'total' }, { label: t('rotation.percent'), render: (c) => c.percent + '%' }] })))
    .catch((e) => err.show(e));
}

function renderCampaign(el, { id, navigate }) {
  const err = errorBox('rotation-error');
  async function load() {
    mount(el, loading());
    let c, orders;
    try { [c, orders] = await Promise.all([get('/rotation/campaigns/' + encodeURIComponent(id)), get('/rotation/campaigns/' + encodeURIComponent(id) + '/orders')]); }
    catch (e) { mount(el, err); err.show(e); return; }
    const act = (action, body) => async () => {
      err.show(null);
      try { await post(`/rotation/campaigns/${encodeURIComponent(id)}/actions/${action}`, body ? body() : {}); load(); }
      catch (e) { err.show(e); }
    };
    const reason = h('input.input', { type: 'text', testid: 'rot-cancel-reason', placeholder: t('rotation.cancel_reason') });
    const actions = h('div.actions',
      (c.actions || []).includes('generate') ? h('button.btn.btn-primary', { type: 'button', testid: 'rot-generate', text: t('rotation.generate'), onclick: act('generate') }) : null,
      (c.actions || []).includes('cancel') ? [reason, h('button.btn.btn-danger', { type: 'button', testid: 'rot-cancel', text: t('rotation.cancel'), onclick: act('cancel', () => ({ reason: reason.value })) })] : null);
    const p = c.progress;
    const areaBox = h('div.chart'), dayBox = h('div.chart');
    mount(el, h('div.page-head', h('h1.page-title', { text: `${c.number} ${c.name}`, tabindex: '-1' }), badge(statusName(c.status))), err,
      h('p', { testid: 'rot-progress', text: t('rotation.progress', { done: p.done, total: p.total, percent: p.percent, orders: c.orders,
        first: c.first_day || '—', last: c.last_day || '—' }) }),
      actions,
      h('section.card', h('h2', { text: t('rotation.by_area') }), areaBox),
      h('section.card', h('h2', { text: t('rotation.by_day') }), dayBox),
      h('section.card', h('h2', { text: t('rotation.orders') }), dataTable({ testid: 'rot-orders', rows: orders.items, empty: t('rotation.none'),
        columns: [{ label: t('rotation.day'), key: 'day' }, { label: t('rotation.area'), key: 'area' },
          { label: t('rotation.order'), render: (o) => (o.work_order_id ? link('/orders/' + encodeURIComponent(o.work_order_id), o.work_order_number || '—', navigate) : '—') },
          { label: t('rotation.count'), key: 'meters' }, { label: t('rotation.done'), key: 'done' }, { label: t('rotation.status'), key: 'status' }] })),
      h('p', link('/rotation', t('rotation.back'), navigate)));
    const two = (rows, key) => [rows.map((r) => r[key]), [{ name: t('rotation.total'), data: rows.map((r) => r.total) }, { name: t('rotation.done'), data: rows.map((r) => r.done || 0) }]];
    bars(areaBox, ...two(p.by_area, 'area'), 'rot-chart-progress-area');
    bars(dayBox, ...two(p.by_day, 'day'), 'rot-chart-progress-day');
  }
  load();
}

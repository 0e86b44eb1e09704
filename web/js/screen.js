// The metering centre's large screen (web/screen.html; issue 12 item 7, R1.5; docs/api.md "Metering: large screen").
// A wall display opened from a read-only display link, /screen.html#t=TOKEN, with no user session: the token stays
// in the URL's fragment (a browser never sends a fragment, so no server or proxy log and no Referer carries it) and
// goes to GET /api/v1/screen/data as a bearer token, credentials omitted (a desk session cookie in the same browser
// is never sent). The page polls with If-None-Match (an unchanged answer is a bodiless 304), keeps the last data on
// screen through an outage (a server restart) with a "reconnecting" mark, retries with a doubling back-off and
// carries on by itself when the server answers again; a revoked or unknown link fills the screen with a message.
// 1920 × 1080, dark, Apache ECharts (/vendor/echarts.js); zh-CN, ?lang=en for English; ?refresh=N seconds (30).
// For the browser test: window.__screenCharts {key: ECharts instance}, window.__screenData (the last answer).
import { h, mount } from './dom.js';
import { t, setLang } from './i18n.js';

const root = document.getElementById('screen');
const params = new URLSearchParams(location.search);
const EVERY_MS = Math.min(600, Math.max(1, Number(params.get('refresh')) || 30)) * 1000;
const BACKOFF_MAX_MS = 60_000;
const token = new URLSearchParams(location.hash.slice(1)).get('t') || '';
const charts = {};
window.__screenCharts = charts;
const el = {}; // the nodes the data updates, by name
let etag = null;
let fails = 0;
let stopped = false;

const TEXT = { color: '#e6f0ff', fontSize: 16 };
const AXIS = { axisLine: { lineStyle: { color: '#3a5a86' } }, axisLabel: { color: '#8aa4c8', fontSize: 15 },
  splitLine: { lineStyle: { color: 'rgba(58, 90, 134, .35)' } } };
const COLORS = { red: '#ff4d4f', amber: '#ffb020', grey: '#7d8ba1', green: '#35d07f', blue: '#37c3ff', violet: '#8a7dff' };
const pct = (r) => (r === null || r === undefined ? t('screen.none') : (r * 100).toFixed(1) + '%');
const trackName = (k) => { const s = t('screen.track.' + k); return s === 'screen.track.' + k ? k : s; };

function tile(name, label, cls = '') {
  el[name] = h('div.v', { testid: 'screen-' + name, text: '–' });
  el[name + '-label'] = h('div.l', { testid: 'screen-' + name + '-label', text: label });
  return h('div.sc-tile' + (cls ? '.' + cls : ''), el[name], el[name + '-label']);
}

/** A chart box: the ECharts instance is made with the box, its option set by each answer; "empty" covers it. */
function chartBox(key) {
  const box = h('div.sc-chart', { testid: 'screen-chart-' + key });
  el['empty_' + key] = h('div.sc-empty', { testid: 'screen-empty-' + key, text: t('screen.no_data'), hidden: true });
  el['chart_' + key] = box;
  return h('div.sc-cw', box, el['empty_' + key]);
}

function setChart(key, option, hasData) {
  const box = el['chart_' + key];
  el['empty_' + key].hidden = hasData;
  box.style.visibility = hasData ? 'visible' : 'hidden';
  if (!window.echarts) return;
  if (!charts[key]) {
    charts[key] = window.echarts.init(box, null, { renderer: 'canvas' });
    // ECharts sizes its canvas once: a list filled under the chart (the campaigns, the high-risk jobs) shrinks the
    // box after that, and the canvas would run over the list
    if (window.ResizeObserver) new ResizeObserver(() => charts[key] && !charts[key].isDisposed() && charts[key].resize()).observe(box);
  }
  charts[key].setOption({ backgroundColor: 'transparent', textStyle: TEXT, animationDuration: 600, ...option }, true);
}

function panel(titleKey, testid, ...children) {
  return h('section.sc-panel', { testid }, h('h2', { text: t(titleKey) }), ...children);
}

function build() {
  el.company = h('div.sc-company', { testid: 'screen-company', text: '' });
  el.clock = h('span.sc-clock', { testid: 'screen-clock' });
  el.date = h('span', { testid: 'screen-date' });
  el.status = h('span.sc-status.ok', { testid: 'screen-status', text: t('screen.live') });
  el.foot = h('div.sc-foot', { testid: 'screen-updated' });
  el.high = h('div.sc-list', { testid: 'screen-high-risk' });
  el.campaigns = h('div.sc-list', { testid: 'screen-campaigns' });
  const stage = h('div.sc-stage', { testid: 'screen-stage' },
    h('header.sc-head', el.company, h('div.sc-title', { text: t('screen.title') }), h('div.sc-right', el.status, el.date, el.clock)),
    h('div.sc-grid',
      panel('screen.p.jobs', 'screen-panel-jobs',
        h('div.sc-tiles', tile('jobs-total', t('screen.jobs.total')), tile('jobs-working', t('screen.jobs.working'), 'green'),
          tile('jobs-high', t('screen.jobs.high_risk'), 'red'), tile('jobs-violations', t('screen.jobs.violations'), 'amber')),
        h('div.sc-row', chartBox('jobs'))),
      panel('screen.p.clocks', 'screen-panel-clocks',
        h('div.sc-tiles', tile('clocks-open', t('screen.clocks.open')), tile('clocks-red', t('screen.clocks.red'), 'red'),
          tile('clocks-amber', t('screen.clocks.amber'), 'amber'), tile('clocks-grey', t('screen.clocks.grey'))),
        h('div.sc-row', chartBox('clocks'))),
      panel('screen.p.rotation', 'screen-panel-rotation', h('div.sc-row', chartBox('rotation')), el.campaigns),
      panel('screen.p.safety', 'screen-panel-safety',
        h('div.sc-tiles', tile('gates-passed', t('screen.gates.passed'), 'green'), tile('gates-ready', t('screen.gates.ready')),
          tile('gates-blocked', t('screen.gates.blocked'), 'red')),
        h('div.sc-row', chartBox('gates')), el.high),
      panel('screen.p.on_time', 'screen-panel-on-time',
        h('div.sc-tiles', tile('ontime-apps', t('screen.on_time.applications'), 'green'), tile('ontime-wo', t('screen.on_time.work_orders'), 'green')),
        h('div.sc-row', chartBox('on_time'))),
      panel('screen.p.collection', 'screen-panel-collection', h('div.sc-row', chartBox('collection'), chartBox('anomalies')), el.foot)));
  mount(root, stage);
  const fit = () => {
    const s = Math.min(window.innerWidth / 1920, window.innerHeight / 1080);
    stage.style.transform = s === 1 ? '' : `scale(${s})`;
    for (const c of Object.values(charts)) c.resize();
  };
  window.addEventListener('resize', fit);
  fit();
  tick();
  setInterval(tick, 1000);
}

function tick() {
  const now = new Date();
  const lang = document.documentElement.lang === 'en' ? 'en-GB' : 'zh-CN';
  el.clock.textContent = now.toLocaleTimeString(lang, { timeZone: 'Asia/Shanghai', hour12: false });
  el.date.textContent = now.toLocaleDateString(lang, { timeZone: 'Asia/Shanghai', year: 'numeric', month: 'long', day: 'numeric', weekday: 'short' });
}

// A bar chart over categories. Every category keeps its label (a skipped one left bars nobody could name), cut to
// the width of its slot; the tooltip shows it whole. width: the chart's plot width in px at 1920 × 1080.
const bar = (cats, series, extra = {}, width = 540) => ({
  grid: { left: 56, right: 20, top: 36, bottom: 36 },
  tooltip: { trigger: 'axis' },
  legend: { textStyle: { color: '#8aa4c8', fontSize: 15 }, top: 0 },
  xAxis: { type: 'category', data: cats, ...AXIS,
    axisLabel: { ...AXIS.axisLabel, interval: 0, overflow: 'truncate', width: Math.max(40, Math.floor(width / Math.max(1, cats.length)) - 8) } },
  yAxis: { type: 'value', minInterval: 1, ...AXIS },
  series,
  ...extra,
});

function render(d) {
  window.__screenData = d;
  const P = d.panels;
  el.company.textContent = d.company || '';
  // (a) today's jobs and their safety state
  const J = P.jobs;
  el['jobs-total'].textContent = J.total;
  // work entered from paper after an outage counts in the total and is named apart (R1.4)
  el['jobs-total-label'].textContent = J.backfilled ? t('screen.jobs.total_backfilled', { n: J.backfilled }) : t('screen.jobs.total');
  el['jobs-working'].textContent = J.by_status.working;
  el['jobs-high'].textContent = J.high_risk;
  el['jobs-violations'].textContent = J.violations;
  const st = ['draft', 'published', 'working', 'paused', 'finished'];
  setChart('jobs', bar(st.map((s) => t('screen.status.' + s)), [{ type: 'bar', name: t('screen.jobs.count'), barWidth: '45%',
    itemStyle: { color: COLORS.blue, borderRadius: [4, 4, 0, 0] }, label: { show: true, position: 'top', color: '#e6f0ff' },
    data: st.map((s) => J.by_status[s]) }]), true);
  el['gates-passed'].textContent = J.gates.passed;
  el['gates-ready'].textContent = J.gates.ready;
  el['gates-blocked'].textContent = J.gates.blocked;
  setChart('gates', {
    tooltip: { trigger: 'item' },
    legend: { orient: 'vertical', right: 10, top: 'middle', textStyle: { color: '#8aa4c8', fontSize: 15 } },
    series: [{ type: 'pie', radius: ['45%', '75%'], center: ['35%', '50%'], label: { color: '#e6f0ff', formatter: '{c}' },
      data: [['passed', COLORS.green], ['ready', COLORS.blue], ['blocked', COLORS.red]]
        .map(([k, c]) => ({ name: t('screen.gates.' + k), value: J.gates[k], itemStyle: { color: c } })) }],
  }, true);
  mount(el.high, ...(J.high_risk_jobs.length ? J.high_risk_jobs.map((j) => h('div', { testid: 'screen-high-job' },
    h('span.risk', { text: String(j.risk_level) }), h('span', { text: j.title + (j.place ? ' · ' + j.place : '') }),
    h('span', { text: j.team }), h('span', { text: t('screen.status.' + j.status) }))) : [h('div', { text: t('screen.jobs.no_high_risk') })]));
  // (c) new-connection clocks
  const C = P.clocks;
  for (const k of ['open', 'red', 'amber', 'grey']) el['clocks-' + k].textContent = C[k];
  const normal = (x) => x.open - x.red - x.amber - x.grey;
  setChart('clocks', bar(C.tracks.map((x) => trackName(x.track)), [
    ['red', (x) => x.red], ['amber', (x) => x.amber], ['grey', (x) => x.grey], ['green', normal],
  ].map(([k, f]) => ({ type: 'bar', stack: 'all', name: t('screen.clocks.' + k), itemStyle: { color: COLORS[k] }, data: C.tracks.map(f) }))), true);
  // (b) on-time rates this month
  const O = P.on_time;
  el['ontime-apps'].textContent = pct(O.applications.rate);
  el['ontime-wo'].textContent = pct(O.work_orders.rate);
  const rates = [['applications', O.applications.rate, O.applications.on_time, O.applications.ended],
    ['work_orders', O.work_orders.rate, O.work_orders.on_time, O.work_orders.with_due]];
  setChart('on_time', {
    grid: { left: 150, right: 150, top: 16, bottom: 30 },
    tooltip: { trigger: 'axis' },
    xAxis: { type: 'value', max: 100, ...AXIS, axisLabel: { ...AXIS.axisLabel, formatter: '{value}%' } },
    yAxis: { type: 'category', data: rates.map(([k]) => t('screen.on_time.' + k)), ...AXIS },
    series: [{ type: 'bar', barWidth: '40%', itemStyle: { color: COLORS.green, borderRadius: [0, 4, 4, 0] },
      label: { show: true, position: 'right', color: '#e6f0ff', formatter: (p) => `${pct(rates[p.dataIndex][1])} (${rates[p.dataIndex][2]}/${rates[p.dataIndex][3]})` },
      data: rates.map(([, r]) => (r === null ? 0 : Math.round(r * 1000) / 10)) }],
  }, true);
  // (d) rotation progress
  const R = P.rotation;
  setChart('rotation', bar(R.by_area.map((a) => a.area || t('screen.unknown_area')), [
    { type: 'bar', name: t('screen.rotation.total'), itemStyle: { color: COLORS.blue }, data: R.by_area.map((a) => a.total) },
    { type: 'bar', name: t('screen.rotation.done'), itemStyle: { color: COLORS.green }, data: R.by_area.map((a) => a.done) }]),
  R.by_area.length > 0);
  mount(el.campaigns, ...R.campaigns.slice(0, 4).map((c) => h('div', { testid: 'screen-campaign' },
    h('span', { text: '' }), h('span', { text: c.name }), h('span', { text: `${c.done}/${c.total}` }), h('span', { text: `${Number(c.percent).toFixed(1)}%` }))));
  // (e) collection success rate and open anomalies
  const K = P.collection;
  setChart('collection', {
    ...bar(K.by_area.map((a) => a.area), [
      { type: 'bar', name: t('screen.collection.success_rate'), yAxisIndex: 0, itemStyle: { color: COLORS.green },
        data: K.by_area.map((a) => (a.success_rate === null ? 0 : Math.round(a.success_rate * 10) / 10)) },
      { type: 'line', name: t('screen.collection.open_anomalies'), yAxisIndex: 1, itemStyle: { color: COLORS.red },
        data: K.by_area.map((a) => a.open_anomalies) }], {}, 250),
    yAxis: [{ type: 'value', max: 100, ...AXIS, axisLabel: { ...AXIS.axisLabel, formatter: '{value}%' } }, { type: 'value', minInterval: 1, ...AXIS }],
  }, K.by_area.length > 0);
  // the kinds' names under the ring, each with its count (labels around a ring this narrow were cut off)
  const kinds = K.open_by_kind.map((x) => ({ name: t('screen.anomaly.' + x.kind) === 'screen.anomaly.' + x.kind ? x.kind : t('screen.anomaly.' + x.kind), value: x.count }));
  const countOf = Object.fromEntries(kinds.map((k) => [k.name, k.value]));
  setChart('anomalies', {
    tooltip: { trigger: 'item' },
    legend: { bottom: 0, left: 'center', itemGap: 10, itemWidth: 14, textStyle: { color: '#e6f0ff', fontSize: 14 },
      formatter: (name) => `${name} ${countOf[name]}` },
    series: [{ type: 'pie', radius: ['30%', '56%'], center: ['50%', '38%'],
      label: { position: 'inside', color: '#fff', fontSize: 15, formatter: '{c}' }, data: kinds }],
  }, K.open_by_kind.length > 0);
}

function setStatus(ok) {
  el.status.className = 'sc-status ' + (ok ? 'ok' : 'reconnecting');
  el.status.textContent = ok ? t('screen.live') : t('screen.reconnecting');
  if (ok) el.foot.textContent = t('screen.updated', { time: new Date().toLocaleTimeString('zh-CN', { timeZone: 'Asia/Shanghai', hour12: false }) });
}

/** The link no longer opens the screen: one message over everything; no more polling. */
function block(code) {
  stopped = true;
  const revoked = code === 'screen_link_revoked';
  document.body.append(h('div.sc-block', { testid: 'screen-blocked', dataset: { code: code || 'screen_link_invalid' } },
    h('div.big', { text: t(revoked ? 'screen.revoked' : 'screen.invalid') }),
    h('div.small', { text: t(revoked ? 'screen.revoked_hint' : 'screen.invalid_hint') })));
}

async function poll() {
  if (stopped) return;
  let res, body;
  try {
    const headers = { Authorization: 'Bearer ' + token, 'Accept-Language': document.documentElement.lang === 'en' ? 'en' : 'zh-CN' };
    if (etag) headers['If-None-Match'] = etag;
    res = await fetch('/api/v1/screen/data', { headers, credentials: 'omit', cache: 'no-store' });
    if (res.status === 200) body = await res.json();
  } catch {
    res = null; // the server is down or restarting, or a proxy cut the answer
  }
  if (res && (res.status === 401 || res.status === 403)) {
    let code = null;
    try { code = (await res.json())?.error?.code; } catch { /* no body */ }
    block(code);
    return;
  }
  if (res && (res.status === 304 || (res.status === 200 && body))) {
    if (res.status === 200) {
      etag = res.headers.get('ETag');
      render(body);
    }
    fails = 0;
    setStatus(true);
    setTimeout(poll, EVERY_MS);
    return;
  }
  // keep what is on screen; try again, less often each time
  fails++;
  setStatus(false);
  setTimeout(poll, Math.min(BACKOFF_MAX_MS, EVERY_MS * 2 ** Math.min(fails - 1, 10)));
}

(async () => {
  await setLang(params.get('lang') === 'en' ? 'en' : 'zh-CN', { remember: false });
  document.title = t('screen.title');
  if (!token) {
    build();
    block('screen_link_invalid');
    return;
  }
  build();
  poll();
})();

// 用电安全隐患 /hazards[/new | /seals | /{id}] (issue 13 items 3–4, R2.3, R2.9–R2.11, R2.16; docs/api.md "Customer
// hazards", "Seals"):
//   - /hazards (desk): the hazard board — deadline, side, state, escalation, overdue rows highlighted — with filters
//     (side, state, overdue, year, text), the year's analysis drawn as a chart (found by month, by state), and the
//     report to the authority (CSV) for a period.
//   - /hazards/new (phone): a hazard recorded on site with its photos, against a customer looked up by name or number.
//   - /hazards/{id}: the hazard and its next steps: the plan (grid side), the notice (its PDF shown), the customer's
//     signature on a canvas pad with the signer's name, the place (typed, or the phone's position) and the photo of
//     the signer holding the notice; the report, follow-ups with photos, closing.
//   - /hazards/seals: sealings, recording one on site (numbers, photos), accepting a rectification, removing a seal.
// What a user may do is what the server's `actions` (and permissions) say; the server checks it all again.
import { h, mount } from './dom.js';
import { t, tOr, fmtTime, todayShanghai, getLang } from './i18n.js';
import { get, post, upload, contentUrl } from './api.js';
import { errorBox, dataTable, loading, field, badge, toast } from './ui.js';
import { hasRole, hasPerm } from './perm.js';
import { loadECharts } from './kpis.js';
import { loadFlow, flowStateName } from './flows.js';
import { thumbs, pendingPhotos } from './photos.js';
import { signaturePad } from './sigpad.js';
import { pageLife } from './lifecycle.js';

const allows = (me, perm) => hasRole(me, 'admin') || hasPerm(me, perm);
const SIDES = ['customer', 'grid'];
const SEVERITIES = ['general', 'major', 'critical'];
const STATES = ['open', 'rectifying', 'notified', 'signed', 'reported', 'closed', 'cancelled'];
const RESULTS = ['rectified', 'not_rectified', 'partly'];
const REASONS = ['unregistered_source', 'defeated_interlock', 'other'];
const charts = [];
function disposeCharts() { while (charts.length) { try { charts.pop().dispose(); } catch { /* gone */ } } }

let kinds = null;
async function kindList() {
  if (!kinds) kinds = (await get('/hazards/kinds')).items;
  return kinds;
}
const kindName = (code) => {
  const k = (kinds || []).find((x) => x.code === code);
  return k ? (getLang() === 'en' ? k.name_en : k.name_zh) : code;
};
const stateName = (code) => flowStateName('customer_hazard', code) || tOr('hz.state.' + code, code);
const stateBadge = (code) => badge(stateName(code), code === 'closed' ? 'ok' : code === 'cancelled' ? 'muted' : code === 'open' ? 'warn' : 'info');
const day = (ms) => (ms ? fmtTime(ms, { seconds: false }).slice(0, 10) : '—');
const option = (value, text, selected) => h('option', { value, text, selected: value === selected });
const link = (path, text, navigate, testid) => {
  const a = h('a', { href: path, text, testid });
  a.addEventListener('click', (e) => { e.preventDefault(); navigate(path); });
  return a;
};

export function renderHazards(el, ctx) {
  disposeCharts();
  const life = pageLife();
  life.listen(window, 'resize', () => { for (const c of charts) c.resize(); });
  life.onEnd(disposeCharts);
  loadFlow('customer_hazard').catch(() => {});
  if (ctx.path === '/hazards') { renderBoard(el, ctx); return true; }
  if (ctx.path === '/hazards/new') { renderNew(el, ctx); return true; }
  if (ctx.path === '/hazards/seals') { renderSeals(el, ctx); return true; }
  const m = /^\/hazards\/([^/]+)$/.exec(ctx.path);
  if (m) { renderHazard(el, { ...ctx, id: decodeURIComponent(m[1]) }); return true; }
  return false;
}

/* ---- the board ---- */

function renderBoard(el, { me, navigate }) {
  const err = errorBox('hz-error');
  const year = String(new Date(Date.now() + 8 * 3600e3).getUTCFullYear());
  const side = h('select.input', { testid: 'hz-f-side', 'aria-label': t('hz.side') }, option('', t('hz.all')), SIDES.map((s) => option(s, t('hz.side.' + s))));
  const state = h('select.input', { testid: 'hz-f-state', 'aria-label': t('hz.state') }, option('', t('hz.all')), STATES.map((s) => option(s, stateName(s))));
  const overdue = h('input', { type: 'checkbox', testid: 'hz-f-overdue' });
  const yearIn = h('input.input', { type: 'number', min: '2000', max: '2100', value: year, testid: 'hz-f-year', 'aria-label': t('hz.year') });
  const q = h('input.input', { type: 'search', testid: 'hz-f-q', placeholder: t('hz.search'), 'aria-label': t('hz.search') });
  // /hazards?q=KH… (the ledger's link to a customer's open hazards) opens the board searched for it, any year
  const asked = new URLSearchParams(location.search).get('q');
  if (asked) { q.value = asked; yearIn.value = ''; }
  const listBox = h('div', loading());
  const dbSource = h('select.input', { testid: 'hz-db-source', 'aria-label': t('hz.source') }, ['all', 'customer', 'application', 'fault'].map((x) => option(x, t('hz.source.' + x))));
  const dbQ = h('input.input', { type: 'search', testid: 'hz-db-q', placeholder: t('hz.search'), 'aria-label': t('hz.search') });
  const dbBox = h('div');
  const chartBox = h('div.chart', { testid: 'hz-chart', role: 'img', 'aria-label': t('hz.chart') });
  const summary = h('p.small.muted', { testid: 'hz-summary' });
  const from = h('input.input', { type: 'date', testid: 'hz-report-from', value: todayShanghai().slice(0, 8) + '01' });
  const to = h('input.input', { type: 'date', testid: 'hz-report-to', value: todayShanghai() });
  const reportBtn = h('button.btn', { type: 'button', testid: 'hz-report', text: t('hz.report_csv') });
  reportBtn.addEventListener('click', async () => {
    err.show(null);
    try {
      const url = await contentUrl(`/hazards/report?from=${from.value}&to=${to.value}`);
      const a = h('a', { href: url, download: `customer-hazards-${from.value}-${to.value}.csv` });
      document.body.append(a); a.click(); a.remove();
    } catch (e) { err.show(e); }
  });

  mount(el, h('div.page-head', h('h1.page-title', { text: t('nav.hazards'), tabindex: '-1' }),
    h('div.page-actions',
      allows(me, 'hazards.write') ? h('button.btn.btn-primary', { type: 'button', testid: 'hz-new', text: t('hz.new'), onclick: () => navigate('/hazards/new') }) : null,
      h('button.btn', { type: 'button', testid: 'hz-seals', text: t('hz.seals'), onclick: () => navigate('/hazards/seals') }))),
  err,
  h('section.card', h('h2', { text: t('hz.board') }),
    h('div.toolbar.hz-filters', side, state, h('label.small', overdue, ' ', t('hz.overdue_only')), yearIn, q),
    listBox),
  h('section.card', h('h2', { text: t('hz.analysis') }), chartBox, summary),
  h('section.card', h('h2', { text: t('hz.database') }), h('div.toolbar.hz-filters', dbSource, dbQ), dbBox, h('p.small.muted', { text: t('hz.database_hint') })),
  allows(me, 'hazards.report') ? h('section.card', h('h2', { text: t('hz.report') }),
    h('div.toolbar', field(t('hz.from'), from), field(t('hz.to'), to), reportBtn), h('p.small.muted', { text: t('hz.report_hint') })) : null);

  async function load() {
    err.show(null);
    try {
      await kindList();
      const r = await get('/hazards', { side: side.value || undefined, state: state.value || undefined, overdue: overdue.checked ? 'true' : undefined,
        year: yearIn.value || undefined, q: q.value.trim() || undefined, limit: 200 });
      mount(listBox, dataTable({ testid: 'hz-list', rows: r.items, empty: t('hz.none'), rowTestid: (x) => 'hz-row-' + x.number,
        columns: [
          { label: t('hz.col.number'), render: (x) => link('/hazards/' + encodeURIComponent(x.id), x.number, navigate) },
          { label: t('hz.col.customer'), render: (x) => x.customer.name },
          { label: t('hz.col.kind'), render: (x) => kindName(x.kind) },
          { label: t('hz.side'), render: (x) => t('hz.side.' + x.side) },
          { label: t('hz.col.severity'), render: (x) => t('hz.severity.' + x.severity) },
          { label: t('hz.state'), render: (x) => stateBadge(x.status) },
          { label: t('hz.col.deadline'), render: (x) => {
            const s = h('span', { testid: 'hz-deadline', text: day(x.due_at) });
            return x.overdue ? h('span', s, ' ', badge(t('hz.overdue') + (x.escalation ? ` · ${t('hz.level', { n: x.escalation })}` : ''), 'danger-solid')) : s;
          } },
        ] }));
      for (const x of r.items) {
        const tr = listBox.querySelector(`[data-testid="hz-row-${x.number}"]`);
        if (tr) { tr.dataset.overdue = String(!!x.overdue); if (x.overdue) tr.classList.add('row-danger'); }
      }
    } catch (e) { mount(listBox); err.show(e); }
  }

  async function analysis() {
    try {
      const a = await get('/hazards/analysis', { year: yearIn.value || year });
      summary.textContent = t('hz.summary', { total: a.total, closed: a.closure.closed, days: a.closure.avg_days ?? '—', overdue: a.overdue, escalated: a.escalated });
      const ec = await loadECharts();
      if (!ec) { chartBox.textContent = t('hz.no_chart'); return; }
      chartBox.style.height = '300px';
      let c = ec.getInstanceByDom(chartBox);
      if (!c) { c = ec.init(chartBox, null, { renderer: 'canvas' }); charts.push(c); }
      c.setOption({
        animation: false, tooltip: { trigger: 'item' }, legend: { top: 0 },
        grid: { left: 40, right: '42%', top: 36, bottom: 30 },
        xAxis: { type: 'category', data: a.by_month.map((m) => m.month + t('hz.month_suffix')) },
        yAxis: { type: 'value', minInterval: 1 },
        series: [
          { type: 'bar', name: t('hz.found_by_month'), data: a.by_month.map((m) => m.n) },
          { type: 'pie', name: t('hz.state'), radius: ['20%', '45%'], center: ['79%', '55%'], data: a.by_state.map((s) => ({ name: stateName(s.key), value: s.n })) },
        ],
      }, true);
      chartBox.dataset.drawn = String(a.total);
    } catch (e) { err.show(e); }
  }
  async function loadDb() {
    try {
      const r = await get('/hazards/database', { source: dbSource.value, q: dbQ.value.trim() || undefined, year: yearIn.value || undefined, limit: 50 });
      mount(dbBox, dataTable({ testid: 'hz-db', rows: r.items, empty: t('hz.none'), rowTestid: (x) => `hz-db-${x.source}-${x.id}`,
        columns: [
          { label: t('hz.source'), render: (x) => t('hz.source.' + x.source) },
          { label: t('hz.col.number'), render: (x) => (x.source === 'customer' ? link('/hazards/' + encodeURIComponent(x.id), x.number, navigate)
            : x.source === 'fault' ? link('/charging/faults/' + encodeURIComponent(x.id), x.number, navigate)
              : link('/applications/' + encodeURIComponent(x.application_id), x.number, navigate)) },
          { label: t('hz.col.customer'), key: 'customer_name' },
          { label: t('hz.description'), key: 'description' },
          { label: t('hz.found'), render: (x) => day(x.found_at) },
          { label: t('hz.state'), render: (x) => (x.source === 'customer' ? stateBadge(x.status)
            : x.source === 'fault' ? badge(t('faults.status.' + x.status), x.status === 'closed' ? 'ok' : 'info')
              : badge(t('hz.app_status.' + x.status), x.status === 'closed' ? 'ok' : 'info')) },
          { label: t('hz.col.deadline'), render: (x) => (x.overdue ? badge(t('hz.overdue'), 'danger-solid') : (x.due_at ? day(x.due_at) : x.deadline)) },
        ] }));
    } catch (e) { mount(dbBox); err.show(e); }
  }
  dbSource.addEventListener('change', loadDb);
  let dbTimer;
  dbQ.addEventListener('input', () => { clearTimeout(dbTimer); dbTimer = setTimeout(loadDb, 300); });
  loadDb();
  for (const x of [side, state, overdue, yearIn]) x.addEventListener('change', () => { load(); if (x === yearIn) analysis(); });
  let timer;
  q.addEventListener('input', () => { clearTimeout(timer); timer = setTimeout(load, 300); });
  load();
  analysis();
}

/* ---- a customer picked by name or number ---- */

function customerPicker(testid) {
  const input = h('input.input', { type: 'search', testid: testid + '-q', placeholder: t('hz.customer_q'), 'aria-label': t('hz.customer') });
  const select = h('select.input', { testid, 'aria-label': t('hz.customer') }, option('', t('hz.customer_pick')));
  let timer;
  input.addEventListener('input', () => {
    clearTimeout(timer);
    timer = setTimeout(async () => {
      if (input.value.trim().length < 2) return;
      try {
        const r = await get('/hazards/customers', { q: input.value.trim() });
        select.replaceChildren(option('', r.items.length ? t('hz.customer_pick') : t('hz.customer_none')),
          ...r.items.map((c) => option(c.id, `${c.name}（${c.account_number || c.number}）`)));
        if (r.items.length === 1) select.value = r.items[0].id;
        select.dispatchEvent(new Event('change'));
      } catch { /* typed on */ }
    }, 250);
  });
  const el = h('div.stack', input, select);
  el.value = () => select.value;
  return el;
}

/* ---- recording a hazard on the phone ---- */

async function renderNew(el, { navigate }) {
  const err = errorBox('hz-new-error');
  mount(el, loading());
  try { await kindList(); } catch (e) { mount(el, err); err.show(e); return; }
  const cust = customerPicker('hz-new-customer');
  const kind = h('select.input', { testid: 'hz-new-kind' }, kinds.map((k) => option(k.code, kindName(k.code))));
  const side = h('select.input', { testid: 'hz-new-side' }, SIDES.map((s) => option(s, t('hz.side.' + s))));
  const severity = h('select.input', { testid: 'hz-new-severity' }, SEVERITIES.map((s) => option(s, t('hz.severity.' + s), 'major')));
  const location = h('input.input', { testid: 'hz-new-location', placeholder: t('hz.location_hint') });
  const description = h('textarea.input', { testid: 'hz-new-description', rows: '3' });
  const photos = pendingPhotos({ testid: 'hz-new-photos', label: t('hz.take_photo') });
  const submit = h('button.btn.btn-primary.btn-block', { type: 'submit', testid: 'hz-new-submit', text: t('hz.record') });
  const form = h('form.card.stack', { testid: 'hz-new-form' },
    field(t('hz.customer'), cust), field(t('hz.col.kind'), kind), field(t('hz.side'), side, { hint: t('hz.side_hint') }),
    field(t('hz.col.severity'), severity), field(t('hz.location'), location), field(t('hz.description'), description),
    photos, submit);
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    err.show(null);
    submit.disabled = true;
    try {
      const r = await post('/hazards', { customer_id: cust.value(), kind: kind.value, side: side.value, severity: severity.value,
        location: location.value.trim() || null, description: description.value.trim(), photo_ids: photos.ids() });
      toast(t('hz.recorded', { number: r.number }));
      navigate('/hazards/' + encodeURIComponent(r.id));
    } catch (ex) { err.show(ex); } finally { submit.disabled = false; }
  });
  mount(el, h('div.page-head', h('h1.page-title', { text: t('hz.new'), tabindex: '-1' })), err, form);
}

/* ---- one hazard ---- */

async function renderHazard(el, { me, navigate, id }) {
  const err = errorBox('hz-error');
  mount(el, loading());
  let hz;
  try {
    await kindList();
    hz = await get('/hazards/' + encodeURIComponent(id));
  } catch (e) { mount(el, err); err.show(e); return; }
  const again = () => renderHazard(el, { me, navigate, id });
  const fire = async (action, body, btn) => {
    err.show(null);
    if (btn) btn.disabled = true;
    try {
      await post(`/hazards/${encodeURIComponent(id)}/actions/${action}`, body);
      toast(t('hz.done.' + action));
      again();
    } catch (e) { err.show(e); if (btn) btn.disabled = false; }
  };
  const can = (a) => (hz.actions || []).includes(a);
  const noticeBox = h('div', { testid: 'hz-notice-box' });
  const showNotice = async () => {
    err.show(null);
    try {
      const url = await contentUrl(`/hazards/${encodeURIComponent(id)}/notice.pdf?v=${hz.version}`);
      mount(noticeBox, h('iframe.notice-frame', { src: url, title: t('hz.notice'), testid: 'hz-notice-frame' }),
        h('a.btn', { href: url, target: '_blank', rel: 'noopener', text: t('hz.notice_open'), testid: 'hz-notice-open' }));
    } catch (e) { err.show(e); }
  };

  const steps = [];
  if (can('plan')) {
    const owner = h('select.input', { testid: 'hz-plan-owner' }, option(me.id, t('hz.me')));
    get('/directory/people', { limit: 200 }).then((r) => {
      for (const p of r.items || []) if (p.id && p.id !== me.id) owner.append(option(p.id, p.display_name || p.username));
    }).catch(() => { /* the people directory is not everyone's: the owner is the planner */ });
    const deadline = h('input.input', { type: 'date', testid: 'hz-plan-deadline', value: todayShanghai() });
    const plan = h('textarea.input', { testid: 'hz-plan-text', rows: '2' });
    const b = h('button.btn.btn-primary', { type: 'button', testid: 'hz-action-plan', text: t('hz.action.plan') });
    b.addEventListener('click', () => fire('plan', { owner_id: owner.value, deadline: deadline.value, plan: plan.value.trim() }, b));
    steps.push(h('section.card.stack', { testid: 'hz-step-plan' }, h('h2', { text: t('hz.action.plan') }),
      field(t('hz.owner'), owner), field(t('hz.deadline'), deadline), field(t('hz.plan'), plan), b));
  }
  if (can('issue_notice')) {
    const req = h('textarea.input', { testid: 'hz-notice-requirement', rows: '3', value: t('hz.requirement_default') });
    const b = h('button.btn.btn-primary', { type: 'button', testid: 'hz-action-issue_notice', text: t('hz.action.issue_notice') });
    b.addEventListener('click', () => fire('issue_notice', { requirement: req.value.trim() }, b));
    steps.push(h('section.card.stack', { testid: 'hz-step-notice' }, h('h2', { text: t('hz.action.issue_notice') }), field(t('hz.requirement'), req), b));
  }
  if (can('sign')) {
    const pad = signaturePad('hz-sign-pad');
    const name = h('input.input', { testid: 'hz-sign-name', autocomplete: 'off' });
    const place = h('input.input', { testid: 'hz-sign-place', placeholder: t('hz.place_hint') });
    let pos = null;
    const posText = h('span.small.muted', { testid: 'hz-sign-pos' });
    const locate = h('button.btn', { type: 'button', testid: 'hz-sign-locate', text: t('hz.locate') });
    locate.addEventListener('click', () => {
      if (!navigator.geolocation) { posText.textContent = t('hz.no_position'); return; }
      navigator.geolocation.getCurrentPosition((p) => {
        pos = { lat: Math.round(p.coords.latitude * 1e6) / 1e6, lng: Math.round(p.coords.longitude * 1e6) / 1e6 };
        posText.textContent = `${pos.lat}, ${pos.lng}`;
      }, () => { posText.textContent = t('hz.no_position'); }, { timeout: 8000 });
    });
    const holding = pendingPhotos({ testid: 'hz-sign-holding', label: t('hz.holding_photo'), required: true });
    const b = h('button.btn.btn-primary.btn-block', { type: 'button', testid: 'hz-action-sign', text: t('hz.action.sign') });
    b.addEventListener('click', async () => {
      err.show(null);
      const png = await pad.png();
      if (!png) { err.show({ message: t('hz.sign_empty') }); return; }
      b.disabled = true;
      try {
        const file = new File([png], 'signature.png', { type: 'image/png' });
        const sig = await upload(undefined, undefined, file);
        const ids = holding.ids();
        await fire('sign', { signer_name: name.value.trim(), signature_id: sig.id, holding_photo_id: ids[ids.length - 1] || '',
          place: place.value.trim() || undefined, ...(pos || {}) }, b);
      } catch (e) { err.show(e); b.disabled = false; }
    });
    const openNotice = h('button.btn', { type: 'button', testid: 'hz-show-notice', text: t('hz.notice_show'), onclick: showNotice });
    steps.push(h('section.card.stack', { testid: 'hz-step-sign' }, h('h2', { text: t('hz.action.sign') }),
      h('p.small.muted', { text: t('hz.sign_hint') }), openNotice, noticeBox,
      field(t('hz.signer'), name), h('div', h('div.field-label', { text: t('hz.signature') }), pad),
      field(t('hz.place'), place), h('div.toolbar', locate, posText), holding, b));
  }
  if (can('report')) {
    const ref = h('input.input', { testid: 'hz-report-ref', placeholder: t('hz.report_ref_hint') });
    const b = h('button.btn.btn-primary', { type: 'button', testid: 'hz-action-report', text: t('hz.action.report') });
    b.addEventListener('click', () => fire('report', { report_ref: ref.value.trim() || undefined }, b));
    steps.push(h('section.card.stack', { testid: 'hz-step-report' }, h('h2', { text: t('hz.action.report') }), field(t('hz.report_ref'), ref), b));
  }
  if (can('follow_up')) {
    const on = h('input.input', { type: 'date', testid: 'hz-fu-date', value: todayShanghai() });
    const result = h('select.input', { testid: 'hz-fu-result' }, RESULTS.map((r) => option(r, t('hz.result.' + r))));
    const note = h('input.input', { testid: 'hz-fu-note' });
    const photos = pendingPhotos({ testid: 'hz-fu-photos', label: t('hz.take_photo') });
    const b = h('button.btn.btn-primary', { type: 'button', testid: 'hz-action-follow_up', text: t('hz.action.follow_up') });
    b.addEventListener('click', () => fire('follow_up', { checked_on: on.value, result: result.value, note: note.value.trim() || undefined, photo_ids: photos.ids() }, b));
    steps.push(h('section.card.stack', { testid: 'hz-step-follow_up' }, h('h2', { text: t('hz.action.follow_up') }),
      field(t('hz.checked_on'), on), field(t('hz.result'), result), field(t('hz.note'), note), photos, b));
  }
  if (can('close')) {
    const note = h('input.input', { testid: 'hz-close-note' });
    const ev = hz.side === 'grid' ? pendingPhotos({ testid: 'hz-close-evidence', label: t('hz.evidence'), required: true }) : null;
    const b = h('button.btn.btn-primary', { type: 'button', testid: 'hz-action-close', text: t('hz.action.close') });
    b.addEventListener('click', () => fire('close', { closing_note: note.value.trim() || undefined, ...(ev ? { evidence_ids: ev.ids() } : {}) }, b));
    steps.push(h('section.card.stack', { testid: 'hz-step-close' }, h('h2', { text: t('hz.action.close') }), field(t('hz.note'), note), ev, b));
  }
  if (can('cancel')) {
    const reason = h('input.input', { testid: 'hz-cancel-reason', placeholder: t('hz.reason') });
    const b = h('button.btn.btn-danger', { type: 'button', testid: 'hz-action-cancel', text: t('hz.action.cancel') });
    b.addEventListener('click', () => fire('cancel', { reason: reason.value.trim() }, b));
    steps.push(h('section.card.toolbar', { testid: 'hz-step-cancel' }, reason, b));
  }

  const facts = [
    [t('hz.customer'), `${hz.customer.name}（${hz.customer.number}）`],
    [t('hz.col.kind'), kindName(hz.kind)], [t('hz.side'), t('hz.side.' + hz.side)], [t('hz.col.severity'), t('hz.severity.' + hz.severity)],
    [t('hz.location'), hz.location], [t('hz.description'), hz.description],
    [t('hz.found'), `${hz.found_by_name || ''} ${fmtTime(hz.found_at, { seconds: false })}`],
    [t('hz.col.deadline'), hz.due_at ? day(hz.due_at) + (hz.overdue ? ' ' + t('hz.overdue') : '') : '—'],
    hz.owner_id ? [t('hz.owner'), `${hz.owner_name || hz.owner_id} · ${hz.deadline || ''} · ${hz.plan || ''}`] : null,
    hz.notice_number ? [t('hz.notice'), `${hz.notice_number} · ${t('hz.rectify_by')} ${hz.rectify_by}`] : null,
    hz.signed_at ? [t('hz.receipt'), `${hz.signer_name} · ${fmtTime(hz.signed_at, { seconds: false })} · ${hz.sign_place || ''} ${hz.sign_lat ? hz.sign_lat + ',' + hz.sign_lng : ''}`] : null,
    hz.reported_at ? [t('hz.reported'), `${fmtTime(hz.reported_at, { seconds: false })} ${hz.report_ref || ''}`] : null,
    hz.closed_at ? [t('hz.closed'), `${fmtTime(hz.closed_at, { seconds: false })} ${hz.closing_note || ''}`] : null,
  ].filter(Boolean);
  mount(el, h('div.page-head', h('h1.page-title', { text: hz.number, tabindex: '-1', testid: 'hz-number' }),
    h('span', { testid: 'hz-status', dataset: { status: hz.status } }, stateBadge(hz.status)),
    hz.overdue ? badge(t('hz.overdue') + (hz.escalation ? ` · ${t('hz.level', { n: hz.escalation })}` : ''), 'danger-solid') : null),
  err,
  h('section.card', { testid: 'hz-facts' }, h('dl.kv.kv-detail', facts.map(([k, v]) => [h('dt', { text: k }), h('dd', { text: v || '—' })])),
    thumbs(hz.photos, { testid: 'hz-photos' }),
    hz.signature_id ? h('div', h('div.field-label', { text: t('hz.signature') }), thumbs([hz.signature_id, hz.holding_photo_id], { testid: 'hz-receipt' })) : null,
    hz.notice_number && !can('sign') ? h('div', h('button.btn', { type: 'button', testid: 'hz-show-notice', text: t('hz.notice_show'), onclick: showNotice }), noticeBox) : null),
  steps,
  hz.followups.length ? h('section.card', h('h2', { text: t('hz.followups') }), dataTable({ testid: 'hz-followups', rows: hz.followups,
    columns: [{ label: t('hz.checked_on'), key: 'checked_on' }, { label: t('hz.result'), render: (f) => t('hz.result.' + f.result) },
      { label: t('hz.note'), key: 'note' }, { label: t('hz.by'), key: 'checked_by_name' }, { label: t('hz.photos'), render: (f) => thumbs(f.photos) || '' }] })) : null,
  h('section.card', h('h2', { text: t('hz.history') }), h('ol.timeline', { testid: 'hz-history' },
    hz.history.map((e) => h('li', { text: `${fmtTime(e.at, { seconds: false })} ${e.actor_name || ''} ${tOr('hz.action.' + e.action, e.action)} → ${stateName(e.to_state)}` })))),
  h('p', link('/hazards', t('hz.back'), navigate, 'hz-back')));
}

/* ---- seals ---- */

async function renderSeals(el, { me, navigate }) {
  const err = errorBox('hz-seal-error');
  const listBox = h('div', loading());
  const writer = allows(me, 'seals.write');
  let form = null;
  if (writer) {
    const cust = customerPicker('seal-customer');
    const equipment = h('input.input', { testid: 'seal-equipment', placeholder: t('seal.equipment_hint') });
    const reason = h('select.input', { testid: 'seal-reason' }, REASONS.map((r) => option(r, t('seal.reason.' + r))));
    const numbers = h('input.input', { testid: 'seal-numbers', placeholder: t('seal.numbers_hint') });
    const place = h('input.input', { testid: 'seal-place' });
    const photos = pendingPhotos({ testid: 'seal-photos', label: t('hz.take_photo'), required: true });
    const submit = h('button.btn.btn-primary.btn-block', { type: 'submit', testid: 'seal-submit', text: t('seal.record') });
    form = h('form.card.stack', { testid: 'seal-form' }, h('h2', { text: t('seal.record') }), field(t('hz.customer'), cust), field(t('seal.equipment'), equipment),
      field(t('seal.reason'), reason), field(t('seal.numbers'), numbers), field(t('seal.place'), place), photos, submit);
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      err.show(null);
      submit.disabled = true;
      try {
        await post('/seals', { customer_id: cust.value(), equipment: equipment.value.trim(), reason: reason.value,
          numbers: numbers.value.split(/[,，\s]+/).filter(Boolean), photo_ids: photos.ids(), place: place.value.trim() || null });
        toast(t('seal.recorded'));
        renderSeals(el, { me, navigate });
      } catch (ex) { err.show(ex); } finally { submit.disabled = false; }
    });
  }
  // the crew on site records first; the sealings on file follow
  mount(el, h('div.page-head', h('h1.page-title', { text: t('hz.seals'), tabindex: '-1' })), err,
    form, h('section.card', h('h2', { text: t('seal.list') }), listBox), h('p', link('/hazards', t('hz.back'), navigate, 'hz-back')));
  const act = async (s, action) => {
    err.show(null);
    try { await post(`/seals/${encodeURIComponent(s.id)}/actions/${action}`, {}); toast(t('seal.done.' + action)); renderSeals(el, { me, navigate }); } catch (e) { err.show(e); }
  };
  try {
    const r = await get('/seals');
    mount(listBox, dataTable({ testid: 'seal-list', rows: r.items, empty: t('seal.none'), rowTestid: (s) => 'seal-row-' + s.numbers[0],
      columns: [
        { label: t('hz.customer'), key: 'customer_name' }, { label: t('seal.equipment'), key: 'equipment' },
        { label: t('seal.reason'), render: (s) => t('seal.reason.' + s.reason) }, { label: t('seal.numbers'), render: (s) => s.numbers.join('、') },
        { label: t('seal.status'), render: (s) => badge(t('seal.status.' + s.status), s.status === 'removed' ? 'muted' : 'danger') },
        { label: t('seal.sealed_at'), render: (s) => `${s.sealed_by_name || ''} ${fmtTime(s.sealed_at, { seconds: false })}` },
        { label: '', render: (s) => h('span',
          writer && s.status === 'sealed' ? h('button.btn', { type: 'button', testid: 'seal-accept', text: t('seal.accept'), onclick: () => act(s, 'accept') }) : null,
          allows(me, 'seals.remove') && s.status === 'rectified' ? h('button.btn.btn-danger', { type: 'button', testid: 'seal-remove', text: t('seal.remove'), onclick: () => act(s, 'remove') }) : null) },
      ] }));
  } catch (e) { mount(listBox); err.show(e); }
}

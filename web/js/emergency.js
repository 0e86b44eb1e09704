// 应急 /emergency[/{id}] and /drills[/{id}] (issue 13 items 5–6; R1.4, R2.14, R4.6): the company-level emergency —
// declared with its scope (areas, kinds of work), the tools and parts its expected faults call for, who is on call
// now, ended, reviewed — and the emergency plans with the drill calendar, where a drill's attendance is recorded
// as people (never typed names). The banner across the app is the shell's (shell.js).
import { h, mount } from './dom.js';
import { t, tOr, fmtTime, todayShanghai } from './i18n.js';
import { get, post, listAll } from './api.js';
import { hasPerm, hasRole } from './perm.js';
import { toast, dataTable, loading, formDialog, badge, field } from './ui.js';
import { problemBox, detailHead, subId, appLink, kvList, kindName } from './fw.js';

const allows = (me, p) => hasRole(me, 'admin') || hasPerm(me, p);
const kindLabel = (c) => tOr('emergency.kind.' + c, c);
const statusLabel = (s) => tOr('emergency.status.' + s, s);
const statusKind = { active: 'badge-danger-solid', review_due: 'badge-warn', closed: 'badge-ok', scheduled: 'badge-warn', recorded: 'badge-ok', open: 'badge-warn' };
const stBadge = (s, testid) => h('span.badge', { class: statusKind[s] || '', testid, dataset: { status: s }, text: statusLabel(s) });

function tabs(path, navigate, me) {
  const on = (p) => (path === p || path.startsWith(p + '/') ? 'btn btn-sm btn-primary' : 'btn btn-sm');
  return h('div.toolbar',
    allows(me, 'emergencies.read') ? appLink('/emergency', t('emergency.tab_events'), navigate, { class: on('/emergency'), testid: 'emergency-tab-events' }) : null,
    allows(me, 'drills.read') ? appLink('/drills', t('emergency.tab_drills'), navigate, { class: on('/drills'), testid: 'emergency-tab-drills' }) : null);
}

export function renderEmergency(el, ctx) {
  const { path, me } = ctx;
  const e = subId(path, '/emergency');
  const d = subId(path, '/drills');
  if (e !== null) {
    if (!allows(me, 'emergencies.read')) {
      if (e === '' && allows(me, 'drills.read')) { ctx.navigate('/drills', { replace: true }); return true; }
      return false;
    }
    el.append(h('div.page-head', h('h1.page-title', { text: t('nav.emergency'), tabindex: '-1' })), tabs(path, ctx.navigate, me));
    if (e) renderOne(el, { ...ctx, id: e });
    else renderList(el, ctx);
    return true;
  }
  if (d !== null && allows(me, 'drills.read')) {
    el.append(h('div.page-head', h('h1.page-title', { text: t('nav.emergency'), tabindex: '-1' })), tabs(path, ctx.navigate, me));
    if (d) renderDrill(el, { ...ctx, id: d });
    else renderDrills(el, ctx);
    return true;
  }
  return false;
}

// ---------------------------------------------------------------- emergencies

function checkList(items, testid, { checked = () => false } = {}) {
  const box = h('div.check-grid', { testid });
  for (const it of items) {
    box.append(h('label.check', h('input', { type: 'checkbox', value: it.value, checked: checked(it), testid: testid + '-' + it.value }),
      h('span', { text: it.label })));
  }
  box.values = () => Array.from(box.querySelectorAll('input:checked')).map((i) => i.value);
  return box;
}

function renderList(el, ctx) {
  const { me, navigate } = ctx;
  const err = problemBox('emergency-error');
  const listBox = h('div', loading());
  const formBox = h('div');
  const roster = h('section.card', { testid: 'oncall-card' });
  async function load() {
    err.show(null);
    try {
      const r = await get('/emergencies');
      mount(listBox, dataTable({
        testid: 'emergency-table', rowTestid: (x) => 'emergency-row-' + x.id, empty: t('emergency.empty'), rows: r.items || [],
        columns: [
          { label: t('emergency.number'), render: (x) => appLink('/emergency/' + encodeURIComponent(x.id), x.number, navigate, { class: 'row-open mono' }) },
          { label: t('emergency.title'), render: (x) => x.title },
          { label: t('emergency.kind'), render: (x) => kindLabel(x.kind) },
          { label: t('emergency.scope'), render: (x) => (x.areas || []).map((a) => a.name).join('、') },
          { label: t('emergency.declared_at'), cls: 'col-time', render: (x) => fmtTime(x.declared_at, { seconds: false }) },
          { label: t('emergency.status'), render: (x) => h('div', stBadge(x.status, 'emergency-status-' + x.id),
            x.review_overdue ? badge(t('emergency.review_overdue'), 'danger-solid') : null) },
        ],
      }));
    } catch (ex) { err.show(ex); mount(listBox); }
    drawRoster();
  }
  async function drawRoster() {
    try {
      const r = await get('/on-call');
      mount(roster, h('h2.card-title', { text: t('emergency.on_call_now') }),
        allows(me, 'emergencies.declare') ? h('button.btn.btn-sm', { type: 'button', testid: 'oncall-add', text: t('emergency.on_call_add'), onclick: addOnCall }) : null,
        onCallTable(r.items || []));
    } catch (ex) { mount(roster, h('p', { text: ex.message })); }
  }
  async function addOnCall() {
    const people = await listAll('/directory/people').catch(() => []);
    const now = Date.now();
    const v = await formDialog({ title: t('emergency.on_call_add'), testid: 'oncall-dialog', submit: t('common.save'), fields: [
      { name: 'user_id', label: t('emergency.person'), type: 'select', required: true, options: people.map((p) => ({ value: p.id, label: p.display_name || p.username })) },
      { name: 'duty', label: t('emergency.duty'), required: true, value: t('emergency.duty_default') },
      { name: 'hours', label: t('emergency.hours'), type: 'number', value: '24', required: true },
    ], onSubmit: (x) => post('/on-call', { user_id: x.user_id, duty: x.duty, from_at: now, to_at: now + Number(x.hours || 24) * 3600e3 }) });
    if (v) { toast(t('common.saved')); drawRoster(); }
  }
  async function declare() {
    const [cat, units, kinds] = await Promise.all([get('/emergencies/catalogue'), get('/directory/org-units'), get('/kb/work_kinds')]);
    const kind = h('select.input', { testid: 'declare-kind' }, cat.kinds.map((k) => h('option', { value: k.code, text: kindLabel(k.code) })));
    const title = h('input.input', { testid: 'declare-title', required: true });
    const note = h('textarea.input', { testid: 'declare-note', rows: 2 });
    const areas = checkList((units.items || []).filter((u) => u.kind !== 'team').map((u) => ({ value: u.id, label: u.name })), 'declare-areas');
    const wks = checkList((kinds.items || []).map((k) => ({ value: k.code, label: kindName(k.code) })), 'declare-work-kinds');
    const faults = checkList(cat.fault_kits.map((k) => ({ value: k.code, label: tOr('emergency.fault.' + k.code, k.name_zh) })), 'declare-faults');
    const setDefaults = () => {
      const k = cat.kinds.find((x) => x.code === kind.value);
      for (const i of faults.querySelectorAll('input')) i.checked = !!k && k.default_fault_kinds.includes(i.value);
    };
    kind.addEventListener('change', setDefaults);
    setDefaults();
    const ferr = problemBox('declare-error');
    const submit = async (ev) => {
      ev.preventDefault();
      ferr.show(null);
      try {
        const r = await post('/emergencies', { kind: kind.value, title: title.value.trim(), note: note.value.trim() || null,
          area_ids: areas.values(), work_kinds: wks.values(), fault_kinds: faults.values() });
        toast(t('emergency.declared'));
        navigate('/emergency/' + encodeURIComponent(r.id));
      } catch (ex) { ferr.show(ex); }
    };
    mount(formBox, h('form.card.form', { testid: 'declare-form', onsubmit: submit },
      h('h2.card-title', { text: t('emergency.declare') }),
      field(t('emergency.kind'), kind), field(t('emergency.title'), title), field(t('emergency.note'), note),
      field(t('emergency.areas'), areas, { wide: true }), field(t('emergency.work_kinds'), wks, { wide: true }),
      field(t('emergency.fault_kinds'), faults, { wide: true }), ferr,
      h('div.action-bar', h('button.btn.btn-primary', { type: 'submit', testid: 'declare-submit', text: t('emergency.declare') }),
        h('button.btn', { type: 'button', text: t('common.cancel'), onclick: () => mount(formBox) }))));
  }
  el.append(
    allows(me, 'emergencies.declare') ? h('div.toolbar', h('button.btn.btn-danger', { type: 'button', testid: 'emergency-declare', text: t('emergency.declare'), onclick: declare })) : null,
    h('p.page-lead', { text: t('emergency.lead') }), formBox, err, listBox, roster);
  load();
}

function onCallTable(items) {
  return dataTable({ testid: 'oncall-table', rowTestid: (x) => 'oncall-row-' + x.id, empty: t('emergency.on_call_empty'), rows: items,
    columns: [
      { label: t('emergency.person'), render: (x) => x.display_name },
      { label: t('emergency.duty'), render: (x) => x.duty },
      { label: t('emergency.phone'), render: (x) => (x.phone ? h('a', { href: 'tel:' + x.phone, text: x.phone, testid: 'oncall-phone-' + x.id }) : '—') },
      { label: t('emergency.until'), cls: 'col-time', render: (x) => fmtTime(x.to_at, { seconds: false }) },
    ] });
}

function renderOne(el, { me, navigate, id }) {
  const card = h('section.card.detail-card', { testid: 'emergency-page', dataset: { id } }, loading());
  const err = problemBox('emergency-page-error');
  el.append(card);
  async function load() {
    try { draw(await get('/emergencies/' + encodeURIComponent(id))); } catch (ex) { err.show(ex); mount(card, err); }
  }
  function draw(e) {
    const acts = h('div.action-bar');
    if (e.status === 'active' && allows(me, 'emergencies.declare')) {
      acts.append(h('button.btn.btn-danger', { type: 'button', testid: 'emergency-end', text: t('emergency.end'), onclick: async () => {
        const r = await formDialog({ title: t('emergency.end'), testid: 'end-dialog', submit: t('emergency.end'), danger: true,
          fields: [{ name: 'note', label: t('emergency.end_note'), type: 'textarea' }],
          onSubmit: (v) => post(`/emergencies/${encodeURIComponent(id)}/actions/end`, { note: v.note || null, version: e.version }) });
        if (r) { toast(t('emergency.ended')); draw(r); }
      } }));
    }
    if (e.status === 'review_due' && allows(me, 'emergencies.review')) {
      acts.append(h('button.btn.btn-primary', { type: 'button', testid: 'emergency-review', text: t('emergency.review'), onclick: async () => {
        const r = await formDialog({ title: t('emergency.review'), testid: 'review-dialog', submit: t('common.save'), fields: [
          { name: 'findings', label: t('emergency.findings'), type: 'textarea', required: true },
          { name: 'lessons', label: t('emergency.lessons'), type: 'textarea', required: true }],
        onSubmit: (v) => post(`/emergencies/${encodeURIComponent(id)}/actions/review`, { findings: v.findings, lessons: v.lessons, version: e.version }) });
        if (r) { toast(t('common.saved')); draw(r); }
      } }));
    }
    const tools = dataTable({ testid: 'prepare-tools', empty: '—', rows: e.prepare.tools, columns: [
      { label: t('emergency.tool'), render: (x) => x.name_zh },
      { label: t('emergency.for_faults'), render: (x) => x.for.map((f) => tOr('emergency.fault.' + f, f)).join('、') }] });
    const parts = dataTable({ testid: 'prepare-parts', empty: '—', rows: e.prepare.parts, columns: [
      { label: t('emergency.part'), render: (x) => x.name_zh },
      { label: t('emergency.qty'), cls: 'col-num', render: (x) => `${x.qty} ${x.unit}` },
      { label: t('emergency.for_faults'), render: (x) => tOr('emergency.fault.' + x.for, x.for) }] });
    const rel = dataTable({ testid: 'emergency-relaxations', empty: t('emergency.no_relaxations'), rows: e.relaxations, columns: [
      { label: t('emergency.relaxation'), render: (x) => tOr('emergency.relax.' + x.relaxation, x.relaxation) },
      { label: t('emergency.ticket'), render: (x) => x.ticket_number || '—' },
      { label: t('emergency.plan'), render: (x) => x.plan_number || '—' },
      { label: t('emergency.work_order'), render: (x) => x.work_order_number || '—' },
      { label: t('emergency.at'), cls: 'col-time', render: (x) => fmtTime(x.created_at, { seconds: false }) }] });
    mount(card,
      detailHead({ number: e.number, title: e.title, badges: [stBadge(e.status, 'emergency-status'),
        e.review_overdue ? badge(t('emergency.review_overdue'), 'danger-solid') : null].filter(Boolean),
      onClose: () => navigate('/emergency'), testid: 'emergency' }),
      err, acts,
      kvList([
        [t('emergency.kind'), kindLabel(e.kind)],
        [t('emergency.areas'), e.areas.map((a) => a.name).join('、'), 'emergency-areas'],
        [t('emergency.work_kinds'), e.work_kinds.map(kindName).join('、'), 'emergency-work-kinds'],
        [t('emergency.note'), e.note],
        [t('emergency.declared_at'), fmtTime(e.declared_at, { seconds: false })],
        e.ended_at ? [t('emergency.ended_at'), fmtTime(e.ended_at, { seconds: false })] : null,
        e.review_due_at && e.status === 'review_due' ? [t('emergency.review_due_at'), fmtTime(e.review_due_at, { seconds: false })] : null,
        e.findings ? [t('emergency.findings'), e.findings, 'emergency-findings'] : null,
        e.lessons ? [t('emergency.lessons'), e.lessons, 'emergency-lessons'] : null,
      ]),
      h('h3', { text: t('emergency.prepare_tools') }), tools,
      h('h3', { text: t('emergency.prepare_parts') }), parts,
      h('h3', { text: t('emergency.on_call_now') }), onCallTable(e.on_call || []),
      h('h3', { text: t('emergency.relaxations') }), h('p.cell-sub', { text: t('emergency.relaxations_lead') }), rel);
  }
  load();
}

// ---------------------------------------------------------------- plans and drills

function renderDrills(el, ctx) {
  const { me, navigate } = ctx;
  const w = allows(me, 'drills.write');
  const err = problemBox('drills-error');
  const plansBox = h('div', loading());
  const calBox = h('div', loading());
  const month = h('input.input', { type: 'month', testid: 'drill-month', value: todayShanghai().slice(0, 7), 'aria-label': t('drill.month') });
  month.addEventListener('change', loadCal);
  let plans = [], kinds = [];
  async function loadPlans() {
    try {
      const r = await get('/emergency-plans');
      plans = r.items || []; kinds = r.kinds || [];
      mount(plansBox, dataTable({ testid: 'plans-table', rowTestid: (p) => 'eplan-row-' + p.id, empty: t('drill.no_plans'), rows: plans, columns: [
        { label: t('drill.plan_number'), cls: 'mono', render: (p) => p.number },
        { label: t('emergency.kind'), render: (p) => kindLabel(p.kind) },
        { label: t('drill.plan_title'), render: (p) => p.title },
        { label: t('drill.review_on'), render: (p) => h('span', { text: p.review_on || '—' }, p.review_overdue ? badge(t('drill.review_overdue'), 'danger-solid') : null) },
        { label: t('drill.drills'), cls: 'col-num', render: (p) => String(p.drills.length) }] }));
    } catch (ex) { err.show(ex); mount(plansBox); }
  }
  async function loadCal() {
    try {
      const r = await get('/drills', { month: month.value || undefined });
      mount(calBox, dataTable({ testid: 'drill-calendar', rowTestid: (d) => 'drill-row-' + d.id, empty: t('drill.none_in_month'), rows: r.items || [], columns: [
        { label: t('drill.date'), cls: 'col-time', render: (d) => d.date },
        { label: t('drill.number'), render: (d) => appLink('/drills/' + encodeURIComponent(d.id), d.number, navigate, { class: 'row-open mono' }) },
        { label: t('drill.plan_title'), render: (d) => d.plan_title },
        { label: t('drill.place'), render: (d) => d.place },
        { label: t('drill.attended'), cls: 'col-num', render: (d) => d.status === 'recorded' ? `${d.attendance.filter((a) => a.present).length}/${d.attendance.length}` : '—' },
        { label: t('emergency.status'), render: (d) => stBadge(d.status, 'drill-status-' + d.id) }] }));
    } catch (ex) { err.show(ex); mount(calBox); }
  }
  async function newPlan() {
    const r = await formDialog({ title: t('drill.new_plan'), testid: 'eplan-dialog', submit: t('common.save'), fields: [
      { name: 'kind', label: t('emergency.kind'), type: 'select', required: true, options: kinds.map((k) => ({ value: k.code, label: kindLabel(k.code) })), value: kinds[0] && kinds[0].code },
      { name: 'title', label: t('drill.plan_title'), required: true },
      { name: 'content', label: t('drill.content'), type: 'textarea', required: true },
      { name: 'review_on', label: t('drill.review_on'), type: 'date' }],
    onSubmit: (v) => post('/emergency-plans', { kind: v.kind, title: v.title, content: v.content, review_on: v.review_on || null }) });
    if (r) { toast(t('common.saved')); loadPlans(); }
  }
  async function schedule() {
    const r = await formDialog({ title: t('drill.schedule'), testid: 'drill-dialog', submit: t('common.save'), fields: [
      { name: 'plan_id', label: t('drill.plan_title'), type: 'select', required: true, options: plans.map((p) => ({ value: p.id, label: `${p.number} ${p.title}` })), value: plans[0] && plans[0].id },
      { name: 'date', label: t('drill.date'), type: 'date', required: true, value: todayShanghai() },
      { name: 'place', label: t('drill.place'), required: true },
      { name: 'scenario', label: t('drill.scenario'), type: 'textarea', required: true }],
    onSubmit: (v) => post('/drills', v) });
    if (r) { toast(t('common.saved')); navigate('/drills/' + encodeURIComponent(r.id)); }
  }
  el.append(h('p.page-lead', { text: t('drill.lead') }), err,
    h('section.card', h('div.toolbar', h('h2.card-title', { text: t('drill.plans') }),
      w ? h('button.btn.btn-sm', { type: 'button', testid: 'eplan-new', text: t('drill.new_plan'), onclick: newPlan }) : null), plansBox),
    h('section.card', h('div.toolbar', h('h2.card-title', { text: t('drill.calendar') }), month,
      w ? h('button.btn.btn-sm.btn-primary', { type: 'button', testid: 'drill-new', text: t('drill.schedule'), onclick: schedule }) : null), calBox));
  loadPlans();
  loadCal();
}

function renderDrill(el, { me, navigate, id }) {
  const card = h('section.card.detail-card', { testid: 'drill-page', dataset: { id } }, loading());
  const err = problemBox('drill-error');
  el.append(card);
  async function load() {
    try { draw(await get('/drills/' + encodeURIComponent(id))); } catch (ex) { err.show(ex); mount(card, err); }
  }
  async function draw(d) {
    const head = detailHead({ number: d.number, title: d.plan_title, badges: [stBadge(d.status, 'drill-status')], onClose: () => navigate('/drills'), testid: 'drill' });
    const info = kvList([[t('drill.date'), d.date], [t('drill.place'), d.place], [t('drill.scenario'), d.scenario],
      d.findings ? [t('drill.findings'), d.findings, 'drill-findings'] : null]);
    if (d.status === 'scheduled' && allows(me, 'drills.write')) {
      mount(card, head, err, info, await recordForm(d));
      return;
    }
    const att = dataTable({ testid: 'drill-attendance', rowTestid: (a) => 'attendee-' + a.user_id, empty: '—', rows: d.attendance, columns: [
      { label: t('emergency.person'), render: (a) => a.display_name },
      { label: t('drill.present'), render: (a) => badge(a.present ? t('drill.present_yes') : t('drill.present_no'), a.present ? 'ok' : 'warn') }] });
    const imp = dataTable({ testid: 'drill-improvements', rowTestid: (i) => 'improvement-' + i.id, empty: '—', rows: d.improvements, columns: [
      { label: t('drill.improvement'), render: (i) => i.text },
      { label: t('drill.owner'), render: (i) => i.owner_name },
      { label: t('drill.due_on'), render: (i) => h('span', { text: i.due_on }, i.overdue ? badge(t('drill.overdue'), 'danger-solid') : null) },
      { label: t('emergency.status'), render: (i) => (i.status === 'open' && (i.owner_id === me.id || allows(me, 'drills.write'))
        ? h('button.btn.btn-sm', { type: 'button', testid: 'improvement-close-' + i.id, text: t('drill.close_improvement'), onclick: async () => {
          try { draw(await post(`/drills/${encodeURIComponent(id)}/improvements/${encodeURIComponent(i.id)}/actions/close`, {})); toast(t('common.saved')); } catch (ex) { err.show(ex); }
        } })
        : badge(i.status === 'closed' ? t('emergency.status.closed_improvement') : t('emergency.status.open'), i.status === 'closed' ? 'ok' : 'warn')) }] });
    mount(card, head, err, info, h('h3', { text: t('drill.attendance') }), att, h('h3', { text: t('drill.improvements') }), imp);
  }
  async function recordForm(d) {
    const people = await listAll('/directory/people').catch(() => []);
    const rows = h('tbody');
    const picked = new Map();
    const pick = h('select.input', { testid: 'attendee-pick', 'aria-label': t('drill.add_attendee') },
      h('option', { value: '', text: t('drill.add_attendee') }), people.map((p) => h('option', { value: p.id, text: p.display_name || p.username })));
    pick.addEventListener('change', () => {
      const p = people.find((x) => x.id === pick.value);
      pick.value = '';
      if (!p || picked.has(p.id)) return;
      const cb = h('input', { type: 'checkbox', checked: true, testid: 'attendee-present-' + p.id });
      picked.set(p.id, cb);
      rows.append(h('tr', { testid: 'attendee-row-' + p.id }, h('td', { text: p.display_name || p.username }), h('td', h('label.check', cb, h('span', { text: t('drill.present_yes') })))));
    });
    const findings = h('textarea.input', { testid: 'drill-findings-input', rows: 3 });
    const impText = h('input.input', { testid: 'improvement-text' });
    const impOwner = h('select.input', { testid: 'improvement-owner' }, h('option', { value: '', text: '—' }), people.map((p) => h('option', { value: p.id, text: p.display_name || p.username })));
    const impDue = h('input.input', { type: 'date', testid: 'improvement-due' });
    const submit = async (ev) => {
      ev.preventDefault();
      err.show(null);
      const improvements = impText.value.trim() ? [{ text: impText.value.trim(), owner_id: impOwner.value, due_on: impDue.value }] : [];
      try {
        const r = await post(`/drills/${encodeURIComponent(id)}/actions/record`, { findings: findings.value.trim(),
          attendance: Array.from(picked.entries()).map(([user_id, cb]) => ({ user_id, present: cb.checked })), improvements, version: d.version });
        toast(t('drill.recorded'));
        draw(r);
      } catch (ex) { err.show(ex); }
    };
    return h('form.form', { testid: 'drill-record-form', onsubmit: submit },
      h('h3', { text: t('drill.attendance') }), field(t('drill.add_attendee'), pick),
      h('div.table-wrap', h('table.table', { testid: 'attendee-table' }, h('thead', h('tr', h('th', { text: t('emergency.person') }), h('th', { text: t('drill.present') }))), rows)),
      field(t('drill.findings'), findings, { wide: true }),
      h('h3', { text: t('drill.improvements') }),
      field(t('drill.improvement'), impText), field(t('drill.owner'), impOwner), field(t('drill.due_on'), impDue),
      h('div.action-bar', h('button.btn.btn-primary', { type: 'submit', testid: 'drill-record-submit', text: t('drill.record') })));
  }
  load();
}

// 重要客户台账 and 用电检查 (issue 13 items 1–2; docs/api.md "Safety customers and their checks"):
//   - /safety-customers: the ledger of high-risk and important customers — grade, flags, next check due, overdue —
//     filtered by grade, overdue and suspected; managers and customer managers add a registry customer to it.
//   - /safety-customers/{customer_id}: one customer's entry — sources and substations, emergency power against the
//     保安 load, dual-power registrations, electricians, the emergency plan, flags — and its checks; edited in place.
//   - /safety-checks: the checks to do (open, overdue first), the crew's way in on the phone; "generate now".
//   - /safety-checks/{id}: the check on the phone: one card per checklist item — 正常 / 发现隐患 / 不涉及, a note,
//     photos — and finish.
import { h, mount, clear, append } from './dom.js';
import { t, tOr, fmtTime } from './i18n.js';
import { api, get, post, put } from './api.js';
import { hasPerm, hasRole } from './perm.js';
import { toast, dataTable, loading, formDialog, badge } from './ui.js';
import { problemBox, appLink, kvList } from './fw.js';
import { pendingPhotos, thumbs } from './photos.js';

const allows = (me, p) => hasRole(me, 'admin') || hasPerm(me, p);
const GRADES = ['special', 'first', 'second', 'temporary', 'hv35', 'hv10'];
const grade = (g) => tOr('hr.grade.' + g, g);
const flagName = (f) => tOr('hr.flag.' + f.code, f.code);
const ruleName = (k) => tOr('hr.rule.' + k.rule, k.rule_name_zh || k.rule);
const checkStatus = (s) => tOr('hr.check.status.' + s, s);

export function renderHrcust(el, ctx) {
  const { path } = ctx;
  if (path === '/safety-customers') { renderLedger(el, ctx); return true; }
  if (path === '/safety-checks') { renderChecks(el, ctx); return true; }
  let m = /^\/safety-customers\/([^/]+)$/.exec(path);
  if (m) { renderEntry(el, { ...ctx, id: decodeURIComponent(m[1]) }); return true; }
  m = /^\/safety-checks\/([^/]+)$/.exec(path);
  if (m) { renderCheck(el, { ...ctx, id: decodeURIComponent(m[1]) }); return true; }
  return false;
}

function tabs(active, navigate) {
  return h('div.subtabs', { role: 'tablist', testid: 'hr-tabs' },
    [['ledger', '/safety-customers', 'hr.tab.ledger'], ['checks', '/safety-checks', 'hr.tab.checks']].map(([id, href, key]) =>
      appLink(href, t(key), navigate, { class: 'subtab' + (id === active ? ' active' : ''), role: 'tab', testid: 'hr-tab-' + id,
        'aria-selected': id === active ? 'true' : 'false' })));
}

function head(title, active, navigate, ...extra) {
  return [h('div.page-head', h('h1.page-title', { text: title, tabindex: '-1' }), extra.length ? h('div.chips', extra.filter(Boolean)) : null),
    tabs(active, navigate)];
}

function flagBadges(e) {
  return h('span.chips', (e.flags || []).map((f) => badge(flagName(f), f.code === 'suspected_unregistered' ? 'warn' : 'danger')));
}

function nextCheck(e) {
  const n = e.next_check;
  if (!n) return h('span.muted', { text: '—' });
  return h('span.chips', h('span', { text: n.due_on + (n.planned ? ' ' + t('hr.planned') : '') }),
    n.overdue ? badge(t('hr.overdue'), 'danger') : null);
}

/** The customer's open hazards (the hazard board, searched for the customer), the overdue ones marked. */
function openHazards(e, navigate) {
  const n = e.open_hazards || 0;
  if (!n) return h('span.muted', { text: '0' });
  return h('span.chips', appLink('/hazards?q=' + encodeURIComponent(e.customer_number), String(n), navigate, { testid: 'hr-hazards-' + e.customer_id }),
    e.overdue_hazards ? badge(t('hr.hazards_overdue', { n: e.overdue_hazards }), 'danger') : null);
}

// ------------------------------------------------------------------ the ledger
function renderLedger(el, { me, navigate }) {
  const err = problemBox('hr-error');
  const gradeSel = h('select.input', { testid: 'hr-filter-grade', 'aria-label': t('hr.grade') },
    h('option', { value: '', text: t('hr.all_grades') }), GRADES.map((g) => h('option', { value: g, text: grade(g) })));
  const overdue = h('label.check', h('input', { type: 'checkbox', testid: 'hr-filter-overdue' }), h('span', { text: t('hr.only_overdue') }));
  const suspected = h('label.check', h('input', { type: 'checkbox', testid: 'hr-filter-suspected' }), h('span', { text: t('hr.only_suspected') }));
  const box = h('div', loading());
  async function load() {
    err.show(null);
    try {
      const q = {};
      if (gradeSel.value) q.grade = gradeSel.value;
      if (overdue.querySelector('input').checked) q.overdue = 'true';
      if (suspected.querySelector('input').checked) q.suspected = 'true';
      const r = await get('/safety-customers', q);
      mount(box, h('p.small.muted', { testid: 'hr-count', text: t('hr.count', { n: r.total }) }), dataTable({
        testid: 'hr-table', rowTestid: (x) => 'hr-' + x.customer_id, rows: r.items || [], empty: t('hr.none'),
        columns: [
          { label: t('hr.customer'), render: (x) => appLink('/safety-customers/' + encodeURIComponent(x.customer_id),
            `${x.customer_number} · ${x.customer_name}`, navigate, { testid: 'hr-link-' + x.customer_id }) },
          { label: t('hr.grade'), render: (x) => grade(x.grade) },
          { label: t('hr.voltage'), cls: 'col-opt', render: (x) => x.voltage_level },
          { label: t('hr.flags'), render: (x) => flagBadges(x) },
          { label: t('hr.next_check'), render: (x) => nextCheck(x) },
          { label: t('hr.open_hazards'), render: (x) => openHazards(x, navigate) },
        ],
      }));
    } catch (ex) { err.show(ex); clear(box); }
  }
  for (const c of [gradeSel, overdue, suspected]) c.addEventListener('change', load);
  async function add() {
    const r = await formDialog({ title: t('hr.add'), testid: 'hr-add-dialog', submit: t('common.save'), body: t('hr.add_hint'),
      fields: [{ name: 'customer_id', label: t('hr.customer_id'), required: true, hint: t('hr.customer_id_hint') },
        { name: 'grade', label: t('hr.grade'), type: 'select', options: GRADES.map((g) => ({ value: g, label: grade(g) })) },
        { name: 'voltage_level', label: t('hr.voltage'), value: '10kV', required: true },
        { name: 'event_start', label: t('hr.event_start'), type: 'date' }, { name: 'event_end', label: t('hr.event_end'), type: 'date' }],
      onSubmit: async (v) => {
        // a customer number (KH…) is looked up in the registry; anything else is taken as the customer's id
        let cid = v.customer_id.trim();
        if (/^KH/i.test(cid)) {
          const found = ((await get('/customers', { q: cid })).items || []).find((c) => c.number === cid.toUpperCase());
          if (!found) throw Object.assign(new Error(t('hr.no_such_customer')), { details: { field: 'customer_id' } });
          cid = found.id;
        }
        const b = { customer_id: cid, grade: v.grade, voltage_level: v.voltage_level.trim() };
        if (v.event_start) b.event_start = v.event_start;
        if (v.event_end) b.event_end = v.event_end;
        return post('/safety-customers', b);
      } });
    if (r) { toast(t('common.saved')); navigate('/safety-customers/' + encodeURIComponent(r.customer_id)); }
  }
  el.append(...head(t('nav.safety_customers'), 'ledger', navigate,
    allows(me, 'hrcust.write') ? h('button.btn.btn-primary', { type: 'button', testid: 'hr-add', text: t('hr.add'), onclick: add }) : null),
  err, h('div.toolbar', gradeSel, overdue, suspected), box);
  load();
}

// ------------------------------------------------------------------ one entry
const LIST_FIELDS = ['sources', 'emergency_power', 'dual_power', 'electricians'];

function renderEntry(el, { me, navigate, id }) {
  const err = problemBox('hr-entry-error');
  const title = h('h1.page-title', { text: t('nav.safety_customers'), tabindex: '-1' });
  const body = h('div', loading());
  const write = allows(me, 'hrcust.write');
  let e;
  async function load() {
    try { e = await get('/safety-customers/' + encodeURIComponent(id)); draw(); } catch (ex) { err.show(ex); clear(body); }
  }
  async function edit() {
    const r = await formDialog({ title: t('hr.edit'), testid: 'hr-edit-dialog', submit: t('common.save'), body: t('hr.edit_hint'),
      fields: [{ name: 'grade', label: t('hr.grade'), type: 'select', value: e.grade, options: GRADES.map((g) => ({ value: g, label: grade(g) })) },
        { name: 'voltage_level', label: t('hr.voltage'), value: e.voltage_level },
        { name: 'security_load_kw', label: t('hr.security_load'), type: 'number', value: e.security_load_kw ?? '' },
        { name: 'event_start', label: t('hr.event_start'), type: 'date', value: e.event_start || '' },
        { name: 'event_end', label: t('hr.event_end'), type: 'date', value: e.event_end || '' },
        ...LIST_FIELDS.map((f) => ({ name: f, label: t('hr.' + f), type: 'textarea', rows: '4', value: JSON.stringify(e[f], null, 1), attrs: { class: 'input mono' } }))],
      onSubmit: (v) => {
        const b = { version: e.version, grade: v.grade, voltage_level: v.voltage_level.trim(),
          security_load_kw: v.security_load_kw === '' ? null : Number(v.security_load_kw),
          event_start: v.event_start || null, event_end: v.event_end || null };
        for (const f of LIST_FIELDS) {
          try { b[f] = JSON.parse(v[f]); } catch { throw Object.assign(new Error(t('hr.bad_json')), { details: { field: f } }); }
        }
        return api('PATCH', '/safety-customers/' + encodeURIComponent(id), { body: b });
      } });
    if (r) { toast(t('common.saved')); await load(); }
  }
  function draw() {
    title.textContent = `${e.customer_number} · ${e.customer_name}`;
    const em = e.emergency || {};
    mount(body,
      h('div.card', { testid: 'hr-entry' }, kvList([
        [t('hr.grade'), grade(e.grade), 'hr-grade'], [t('hr.voltage'), e.voltage_level],
        [t('hr.industry'), e.industry], [t('hr.flags'), flagBadges(e), 'hr-flags'],
        [t('hr.supply'), t('hr.supply_text', { sources: e.supply.sources, min_sources: e.supply.min_sources, substations: e.supply.substations,
          min_substations: e.supply.min_substations }), 'hr-supply'],
        [t('hr.emergency_share'), em.share_percent === null || em.share_percent === undefined ? '—'
          : h('span', { class: em.short ? 'text-danger' : '', text: `${em.total_kw} kW / ${em.security_load_kw} kW = ${em.share_percent}% (≥ ${em.min_percent}%)` }), 'hr-share'],
        e.suspected ? [t('hr.suspected'), e.suspected_reason] : null,
        e.event_start ? [t('hr.event'), `${e.event_start} – ${e.event_end}`] : null,
        [t('hr.emergency_plan'), e.emergency_plan_id ? thumbs([e.emergency_plan_id], { testid: 'hr-plan' }) : t('hr.no_plan')],
        [t('hr.last_checked'), e.last_checked_on], [t('hr.next_check'), nextCheck(e), 'hr-next'],
        [t('hr.open_hazards'), openHazards(e, navigate), 'hr-open-hazards']])),
      h('h2.section-title', { text: t('hr.sources') }),
      dataTable({ testid: 'hr-sources', rows: e.sources, empty: t('hr.none_listed'), columns: [
        { label: t('hr.source_name'), key: 'name' }, { label: t('hr.substation'), key: 'substation' },
        { label: t('hr.source_kind'), render: (x) => tOr('hr.source_kind.' + x.kind, x.kind || '—') }] }),
      h('h2.section-title', { text: t('hr.emergency_power') }),
      dataTable({ testid: 'hr-emergency', rows: e.emergency_power, empty: t('hr.none_listed'), columns: [
        { label: t('hr.ep_kind'), render: (x) => tOr('hr.ep_kind.' + x.kind, x.kind) }, { label: t('hr.capacity'), cls: 'col-num', render: (x) => `${x.capacity_kw} kW` },
        { label: t('hr.last_start_test'), render: (x) => x.last_start_test || '—' }] }),
      h('h2.section-title', { text: t('hr.dual_power') }),
      dataTable({ testid: 'hr-dual', rows: e.dual_power, empty: t('hr.none_listed'), columns: [
        { label: t('hr.registered_on'), key: 'registered_on' }, { label: t('hr.second_source'), key: 'second_source' }, { label: t('hr.note'), key: 'note' }] }),
      h('h2.section-title', { text: t('hr.electricians') }),
      dataTable({ testid: 'hr-electricians', rows: e.electricians, empty: t('hr.none_listed'), columns: [
        { label: t('hr.name'), key: 'name' }, { label: t('hr.phone'), key: 'phone' }, { label: t('hr.qualification'), key: 'qualification' },
        { label: t('hr.valid_until'), render: (x) => h('span', { class: x.valid_until < new Date().toISOString().slice(0, 10) ? 'text-danger' : '', text: x.valid_until }) }] }),
      h('h2.section-title', { text: t('hr.checks') }),
      dataTable({ testid: 'hr-entry-checks', rows: e.checks, empty: t('hr.no_checks'), columns: [
        { label: t('hr.check_no'), render: (k) => appLink('/safety-checks/' + encodeURIComponent(k.id), k.number, navigate, { class: 'mono' }) },
        { label: t('hr.rule'), render: (k) => ruleName(k) }, { label: t('hr.due_on'), key: 'due_on' },
        { label: t('hr.status'), render: (k) => checkStatus(k.status) }] }));
  }
  el.append(h('div.page-head', title, write ? h('div.chips', h('button.btn', { type: 'button', testid: 'hr-edit', text: t('common.edit'), onclick: () => edit() })) : null),
    tabs('ledger', navigate), err, body);
  load();
}

// ------------------------------------------------------------------ checks to do
function renderChecks(el, { me, navigate }) {
  const err = problemBox('hrk-error');
  const filter = h('select.input', { testid: 'hrk-filter', 'aria-label': t('hr.status') },
    ['pending', 'overdue', 'done'].map((v) => h('option', { value: v, text: t('hr.filter.' + v) })));
  const box = h('div', loading());
  async function load() {
    err.show(null);
    try {
      const f = filter.value;
      const r = await get('/safety-checks', f === 'overdue' ? { overdue: 'true' } : f === 'done' ? { status: 'done' } : {});
      const rows = (r.items || []).filter((k) => f !== 'pending' || k.status !== 'done');
      mount(box, dataTable({
        testid: 'hrk-table', rowTestid: (k) => 'hrk-' + k.id, rows, empty: t('hr.no_checks'),
        columns: [
          { label: t('hr.check'), render: (k) => appLink('/safety-checks/' + encodeURIComponent(k.id), `${k.customer_name} · ${ruleName(k)}`, navigate,
            { testid: 'hrk-link-' + k.id }) },
          { label: t('hr.due_on'), render: (k) => h('span.chips', h('span', { text: k.due_on }), k.overdue ? badge(t('hr.overdue'), 'danger') : null) },
          { label: t('hr.progress'), cls: 'col-num', render: (k) => `${k.counts?.recorded ?? 0}/${k.counts?.total ?? 0}` },
          { label: t('hr.status'), render: (k) => checkStatus(k.status) },
        ],
      }));
    } catch (ex) { err.show(ex); clear(box); }
  }
  filter.addEventListener('change', load);
  async function generate() {
    try {
      const r = await post('/safety-checks/actions/generate', {});
      toast(t('hr.generated', { n: r.created }));
      await load();
    } catch (ex) { err.show(ex); }
  }
  el.append(...head(t('nav.safety_customers'), 'checks', navigate,
    allows(me, 'hrcust.admin') ? h('button.btn', { type: 'button', testid: 'hrk-generate', text: t('hr.generate'), onclick: generate }) : null),
  err, h('div.toolbar', filter), box);
  load();
}

// ------------------------------------------------------------------ the check on the phone
const RESULTS = ['ok', 'hazard', 'na'];

function renderCheck(el, { me, navigate, id }) {
  const err = problemBox('hrc-error');
  const body = h('div', loading());
  el.append(...head(t('hr.check'), 'checks', navigate), err, body);
  const write = allows(me, 'hrcust.check');
  let k;
  async function load() {
    try { k = await get('/safety-checks/' + encodeURIComponent(id)); draw(); } catch (ex) { err.show(ex); clear(body); }
  }
  function itemCard(it) {
    const done = k.status === 'done';
    const card = h('div.card.insp-item', { testid: 'hrc-item-' + it.code, dataset: { result: it.result || '' } });
    let result = it.result || '';
    const btns = RESULTS.map((r) => h('button.btn.btn-sm.result-btn', { type: 'button', testid: 'result-' + r,
      'aria-pressed': result === r ? 'true' : 'false', text: t('hr.result.' + r), disabled: done || !write, onclick: () => { result = r; choose(); } }));
    const note = h('input.input', { testid: 'note', value: it.note || '', placeholder: t('hr.note'), 'aria-label': t('hr.note'), disabled: done || !write });
    const photos = !done && write ? pendingPhotos({ testid: 'photo-' + it.code, label: t('photo.take') }) : null;
    const itemErr = problemBox('item-error');
    const save = h('button.btn.btn-primary.btn-sm', { type: 'button', testid: 'item-save', text: t('common.save'), disabled: done || !write, onclick: async () => {
      itemErr.show(null);
      const b = { result, version: it.version, note: note.value.trim() || null };
      if (photos && photos.ids().length) b.photos = [...(it.photos || []), ...photos.ids()];
      save.disabled = true;
      try {
        k = await put(`/safety-checks/${encodeURIComponent(k.id)}/items/${encodeURIComponent(it.code)}`, b);
        toast(t('common.saved'));
        draw();
      } catch (ex) { itemErr.show(ex); save.disabled = false; }
    } });
    function choose() {
      btns.forEach((b, i) => {
        const r = RESULTS[i];
        b.classList.toggle('active', r === result);
        b.classList.toggle('btn-danger', r === result && r === 'hazard');
        b.classList.toggle('btn-primary', r === result && r === 'ok');
        b.setAttribute('aria-pressed', r === result ? 'true' : 'false');
      });
    }
    append(card, [h('div.check-head', h('span.check-seq.mono', { text: String(it.seq) }), h('span.check-text', { text: it.text_zh }),
      it.text_en ? h('span.small.muted', { text: it.text_en }) : null),
    h('div.small.muted', { text: tOr('hr.area.' + it.area, it.area) }),
    h('div.result-row', { role: 'group', 'aria-label': t('hr.result') }, btns),
    note, photos, it.photos && it.photos.length ? thumbs(it.photos, { testid: 'item-photos' }) : null,
    it.recorded_at ? h('div.small.muted', { text: `${it.recorded_by_name || ''} ${fmtTime(it.recorded_at, { seconds: false })}` }) : null,
    itemErr, done || !write ? null : h('div.item-actions', save)]);
    choose();
    return card;
  }
  function draw() {
    const c = k.counts || {};
    const summary = h('textarea.input', { testid: 'hrc-summary', rows: '2', 'aria-label': t('hr.summary'), placeholder: t('hr.summary') });
    const finErr = problemBox('hrc-finish-error');
    const finish = h('button.btn.btn-primary', { type: 'button', testid: 'hrc-finish', text: t('hr.finish'), onclick: async () => {
      finErr.show(null);
      try {
        k = await post(`/safety-checks/${encodeURIComponent(k.id)}/actions/finish`, { version: k.version, summary: summary.value.trim() || null });
        toast(t('hr.finished'));
        draw();
      } catch (ex) { finErr.show(ex); }
    } });
    mount(body,
      h('div.card', { testid: 'hrc-head' }, h('h2.detail-title', { text: `${k.customer_name} · ${ruleName(k)}` }),
        kvList([[t('hr.check_no'), k.number], [t('hr.work_order'), k.work_order_number],
          [t('hr.grade'), grade(k.grade)], [t('hr.voltage'), k.voltage_level],
          [t('hr.status'), h('span', { testid: 'hrc-status', dataset: { status: k.status }, text: checkStatus(k.status) })],
          [t('hr.due_on'), h('span.chips', h('span', { text: k.due_on }), k.overdue ? badge(t('hr.overdue'), 'danger') : null)],
          [t('hr.progress'), h('span', { testid: 'hrc-progress', text: `${c.recorded}/${c.total}` })],
          [t('hr.hazards'), h('span', { testid: 'hrc-hazards', text: String(c.hazards) })],
          k.summary ? [t('hr.summary'), k.summary] : null])),
      h('div.check-list', { testid: 'hrc-list' }, (k.items || []).map(itemCard)),
      k.findings && k.findings.length ? h('div.card', { testid: 'hrc-findings' }, h('h3', { text: t('hr.findings') }),
        h('ul', k.findings.map((f) => h('li', { testid: 'hrc-finding-' + f.item_code }, h('span', { text: f.description }))))) : null,
      k.status !== 'done' && write ? h('div.card', { testid: 'hrc-finish-box' }, h('h3', { text: t('hr.finish') }),
        h('label.field-label', { text: t('hr.summary') }), summary, finErr, finish) : null);
    if (k.status === 'done' && (k.findings || []).length && allows(me, 'hazards.read')) linkHazards();
  }
  // each finding became a customer-side hazard when the check was finished: a link to it, where the crew goes on with
  // the notice and the customer's signature
  async function linkHazards() {
    try {
      const r = await get('/hazards', { customer_id: k.customer_id, limit: 200 });
      for (const f of k.findings) {
        const hz = (r.items || []).find((x) => x.check_id === k.id && x.description === f.description);
        const li = body.querySelector(`[data-testid="hrc-finding-${f.item_code}"]`);
        if (hz && li && !li.querySelector('a')) li.append(' ', appLink('/hazards/' + encodeURIComponent(hz.id), t('hr.hazard_link', { number: hz.number }), navigate, { testid: 'hrc-hazard-' + f.item_code }));
      }
    } catch { /* the findings stay listed; the hazard board has them too */ }
  }
  load();
}

// 巡检 / 站内设备 / 固件升级 under 充电设施 (R4.3, R4.6, R4.10, R4.12):
//   - /charging/inspections: due and overdue inspections (each a charger_inspection work order the scheduler made
//     from a station's plan), the plans with their checklists (editable), "generate now" for admins.
//   - /charging/inspections/{id}: the checklist form, one card per item, usable on a phone: pass / fail / n.a.,
//     a reading when the item has a unit, a note and photos; a failed item becomes a defect (severity chosen here,
//     or a repair order for a charger). Finishing records the date, the content and the staff (R4.3).
//   - /charging/stations/{id}: the station's equipment (箱变, cabinets, monitoring, fire facilities, earthing)
//     and its plans.
//   - /charging/firmware[/{id}]: firmware campaigns, and one campaign's progress per charger (polled while running).
import { h, mount, clear, append } from './dom.js';
import { pageLife, isAbort } from './lifecycle.js';
import { t, tOr, fmtTime } from './i18n.js';
import { api, get, post, put } from './api.js';
import { hasPerm, hasRole } from './perm.js';
import { toast, dataTable, loading, formDialog, badge } from './ui.js';
import { problemBox, appLink, kvList } from './fw.js';
import { pendingPhotos, thumbs } from './photos.js';

const allows = (me, p) => hasRole(me, 'admin') || hasPerm(me, p);
export const EQUIPMENT_KINDS = ['box_transformer', 'distribution_cabinet', 'monitoring', 'secondary_control_cabinet', 'fire_facility',
  'grounding', 'canopy_lighting', 'other'];
const eqKind = (k) => tOr('equipment.kind.' + k, k);
const inspStatus = (s) => tOr('inspection.status.' + s, s);
const fwState = (s) => tOr('firmware.state.' + s, s);

/** Routes of this file under /charging; false when the path is not one of them. */
export function renderInspectionPages(el, ctx, subtabs) {
  const { path } = ctx;
  const args = { ...ctx, subtabs };
  if (path === '/charging/inspections') { renderList(el, args); return true; }
  if (path === '/charging/firmware') { renderCampaigns(el, args); return true; }
  let m = /^\/charging\/inspections\/([^/]+)$/.exec(path);
  if (m) { renderInspection(el, { ...args, id: decodeURIComponent(m[1]) }); return true; }
  m = /^\/charging\/stations\/([^/]+)$/.exec(path);
  if (m) { renderStation(el, { ...args, id: decodeURIComponent(m[1]) }); return true; }
  m = /^\/charging\/firmware\/([^/]+)$/.exec(path);
  if (m) { renderCampaign(el, { ...args, id: decodeURIComponent(m[1]) }); return true; }
  return false;
}

function head(title, subtabs, tab, navigate, ...extra) {
  return [h('div.page-head', h('h1.page-title', { text: title, tabindex: '-1' }), extra.length ? h('div.chips', extra) : null),
    subtabs(tab, navigate)];
}

function inspectionTable(rows, navigate, testid) {
  return dataTable({
    testid, rowTestid: (x) => 'insp-' + x.id, rows, empty: t('inspection.none'),
    columns: [
      { label: t('inspection.title'), render: (x) => appLink('/charging/inspections/' + encodeURIComponent(x.id),
        `${x.station_name} · ${x.kind_name} · ${x.period}`, navigate, { testid: 'insp-link-' + x.id }) },
      { label: t('inspection.due'), render: (x) => h('span', { class: x.overdue ? 'text-danger' : '', text: fmtTime(x.due_at, { seconds: false }) }) },
      { label: t('inspection.progress'), cls: 'col-num', render: (x) => `${x.counts?.recorded ?? 0}/${x.counts?.total ?? 0}` },
      { label: t('inspection.failed'), cls: 'col-num', render: (x) => String(x.counts?.failed ?? 0) },
      { label: t('insp.status'), render: (x) => h('span.chips', badge(inspStatus(x.status), x.status === 'done' ? 'ok' : ''),
        x.overdue ? badge(t('inspection.overdue'), 'danger') : null) },
    ],
  });
}

// ------------------------------------------------------------------ list + plans
function renderList(el, { me, navigate, subtabs }) {
  const err = problemBox('insp-error');
  const filter = h('select.input', { testid: 'insp-filter', 'aria-label': t('insp.status') },
    ['pending', 'overdue', 'done'].map((v) => h('option', { value: v, text: t('inspection.filter.' + v) })));
  const listBox = h('div', loading());
  const plansBox = h('div', loading());
  let stations = [];
  async function load() {
    err.show(null);
    try {
      const f = filter.value;
      const q = f === 'overdue' ? { overdue: 1 } : { status: f };
      const [r, p, s] = await Promise.all([get('/inspections', q), get('/inspection-plans'), get('/stations')]);
      stations = s.items || [];
      mount(listBox, inspectionTable(r.items || [], navigate, 'insp-table'));
      mount(plansBox, plansTable(p.items || [], me, navigate, load));
    } catch (ex) { err.show(ex); }
  }
  filter.addEventListener('change', load);
  async function run() {
    try {
      const r = await post('/inspections/actions/run', {});
      toast(t('inspection.generated', { n: r.generated }));
      await load();
    } catch (ex) { err.show(ex); }
  }
  async function newPlan() {
    const kinds = (await get('/inspection-kinds')).items || [];
    const r = await formDialog({ title: t('plan_i.new'), testid: 'plan-dialog', submit: t('common.save'),
      fields: [{ name: 'station_id', label: t('charging.station'), type: 'select', options: stations.map((s) => ({ value: s.id, label: s.name })) },
        { name: 'kind', label: t('plan_i.kind'), type: 'select', options: kinds.map((k) => ({ value: k.code, label: k.name_zh + ' / ' + k.name_en })) },
        { name: 'due_days', label: t('plan_i.due_days'), type: 'number', value: '0', hint: t('plan_i.due_days_hint') }],
      onSubmit: (v) => post(`/stations/${v.station_id}/inspection-plans`, { kind: v.kind, due_days: Number(v.due_days || 0) }) });
    if (r) { toast(t('common.saved')); await load(); }
  }
  const write = allows(me, 'chargers.write');
  el.append(...head(t('nav.charging'), subtabs, 'inspections', navigate,
    allows(me, 'reminders.run') ? h('button.btn', { type: 'button', testid: 'insp-run', text: t('inspection.run'), onclick: run }) : null,
    write ? h('button.btn.btn-primary', { type: 'button', testid: 'plan-new', text: t('plan_i.new'), onclick: newPlan }) : null),
  err, h('div.toolbar', filter), h('h2.section-title', { text: t('inspection.list') }), listBox,
  h('h2.section-title', { text: t('plan_i.list') }), plansBox);
  load();
}

function plansTable(plans, me, navigate, reload) {
  const write = allows(me, 'chargers.write');
  async function edit(p) {
    const r = await formDialog({ title: t('plan_i.edit', { name: p.kind_name }), testid: 'checklist-dialog', submit: t('common.save'),
      body: t('plan_i.checklist_hint'),
      fields: [{ name: 'checklist', label: t('plan_i.checklist'), type: 'textarea', rows: '14', value: JSON.stringify(p.checklist, null, 1), attrs: { class: 'input mono' } },
        { name: 'active', label: t('plan_i.active'), type: 'select', value: p.active ? '1' : '0', options: [{ value: '1', label: t('insp.yes') }, { value: '0', label: t('insp.no') }] }],
      onSubmit: (v) => {
        let cl;
        try { cl = JSON.parse(v.checklist); } catch { throw Object.assign(new Error(t('plan_i.bad_json')), { details: { field: 'checklist' } }); }
        return api('PATCH', `/inspection-plans/${p.id}`, { body: { version: p.version, checklist: cl, active: v.active === '1' } });
      } });
    if (r) { toast(t('common.saved')); await reload(); }
  }
  return dataTable({
    testid: 'plans-table', rowTestid: (p) => 'plan-' + p.id, rows: plans, empty: t('plan_i.none'),
    columns: [
      { label: t('charging.station'), render: (p) => appLink('/charging/stations/' + encodeURIComponent(p.station_id), p.station_name, navigate) },
      { label: t('plan_i.kind'), render: (p) => p.kind_name },
      { label: t('plan_i.period'), render: (p) => t('plan_i.period.' + p.period) },
      { label: t('plan_i.items'), cls: 'col-num', render: (p) => String(p.checklist.length) },
      { label: t('plan_i.active'), render: (p) => (p.active ? t('insp.yes') : t('insp.no')) },
      { label: '', render: (p) => (write ? h('button.btn.btn-sm', { type: 'button', testid: 'plan-edit-' + p.id, text: t('common.edit'), onclick: () => edit(p) }) : '') },
    ],
  });
}

// ------------------------------------------------------------------ the checklist form
function renderInspection(el, { me, navigate, subtabs, id }) {
  const err = problemBox('insp-form-error');
  const body = h('div', loading());
  el.append(...head(t('nav.charging'), subtabs, 'inspections', navigate), err, body);
  const write = allows(me, 'chargers.write');
  let insp;
  async function load() {
    try { insp = await get('/inspections/' + encodeURIComponent(id)); draw(); } catch (ex) { err.show(ex); clear(body); }
  }
  function targetName(it) {
    if (it.charge_point_id) return `${it.charge_point_id} (${(it.charger_kind || '').toUpperCase()})`;
    if (it.equipment_name) return `${it.equipment_name} · ${eqKind(it.equipment_kind)}`;
    return t('inspection.whole_station');
  }
  function itemCard(it) {
    const done = insp.status === 'done';
    const card = h('div.card.insp-item', { testid: 'item-' + it.code + '-' + (it.charge_point_id || it.equipment_id || 'station'), dataset: { result: it.result || '' } });
    let result = it.result || '';
    const btns = ['pass', 'fail', 'na'].map((r) => h('button.btn.btn-sm.result-btn', { type: 'button', testid: 'result-' + r,
      class: result === r ? 'active btn-' + (r === 'fail' ? 'danger' : r === 'pass' ? 'primary' : '') : '', 'aria-pressed': result === r ? 'true' : 'false',
      text: t('inspection.result.' + r), disabled: done || !write, onclick: () => { result = r; choose(); } }));
    const reading = it.unit ? h('input.input', { testid: 'reading', inputmode: 'decimal', value: it.reading || '', placeholder: it.unit, 'aria-label': t('inspection.reading') + ' (' + it.unit + ')', disabled: done }) : null;
    const note = h('input.input', { testid: 'note', value: it.note || '', placeholder: t('inspection.note'), 'aria-label': t('inspection.note'), disabled: done });
    const sev = h('select.input', { testid: 'severity', 'aria-label': t('defect.severity') },
      ['general', 'serious', 'critical'].map((s) => h('option', { value: s, text: t('defect.severity.' + s) })));
    const repair = it.charger_id ? h('label.check', h('input', { type: 'checkbox', testid: 'repair-order' }), h('span', { text: t('inspection.repair_order') })) : null;
    const failBox = h('div.fail-box', { hidden: true }, sev, repair);
    const photos = !done && write ? pendingPhotos({ entity: 'inspection', entityId: insp.id, testid: 'photo-' + it.id, label: t('photo.take') }) : null;
    const itemErr = problemBox('item-error');
    const save = h('button.btn.btn-primary.btn-sm', { type: 'button', testid: 'item-save', text: t('common.save'), disabled: done || !write, onclick: async () => {
      itemErr.show(null);
      const b = { result, version: it.version, note: note.value.trim() || null };
      if (reading) b.reading = reading.value.trim() || null;
      if (photos && photos.ids().length) b.photos = [...(it.photos || []), ...photos.ids()];
      if (result === 'fail') { b.severity = sev.value; if (repair && repair.querySelector('input').checked) b.repair_order = true; }
      save.disabled = true;
      try {
        insp = await put(`/inspections/${insp.id}/items/${it.id}`, b);
        toast(t('common.saved'));
        draw();
      } catch (ex) { itemErr.show(ex); save.disabled = false; }
    } });
    function choose() {
      btns.forEach((b, i) => { const r = ['pass', 'fail', 'na'][i]; b.classList.toggle('active', r === result); b.setAttribute('aria-pressed', r === result ? 'true' : 'false'); });
      failBox.hidden = result !== 'fail' || !!it.defect_id;
    }
    append(card, [h('div.check-head', h('span.check-seq.mono', { text: String(it.seq) }), h('span.check-text', { text: it.text_zh }),
      it.text_en ? h('span.small.muted', { text: it.text_en }) : null),
    h('div.small.muted', { text: targetName(it) }),
    h('div.result-row', { role: 'group', 'aria-label': t('inspection.result') }, btns),
    reading, note, failBox, photos, it.photos && it.photos.length ? thumbs(it.photos, { testid: 'item-photos' }) : null,
    it.defect_id ? h('div.small', { testid: 'item-defect' }, t('inspection.defect') + ' ', appLink('/charging/defects/' + encodeURIComponent(it.defect_id), it.defect_number, navigate, { class: 'mono' })) : null,
    it.recorded_at ? h('div.small.muted', { text: `${it.recorded_by_name || ''} ${fmtTime(it.recorded_at, { seconds: false })}` }) : null,
    itemErr, done ? null : h('div.item-actions', save)]);
    choose();
    return card;
  }
  function draw() {
    const c = insp.counts || {};
    const staff = h('input.input', { testid: 'finish-staff', value: insp.staff || me.display_name || '', 'aria-label': t('inspection.staff') });
    const summary = h('textarea.input', { testid: 'finish-summary', rows: '2', 'aria-label': t('inspection.summary'), placeholder: t('inspection.summary') });
    const finErr = problemBox('finish-error');
    const finish = h('button.btn.btn-primary', { type: 'button', testid: 'insp-finish', text: t('inspection.finish'), onclick: async () => {
      finErr.show(null);
      try {
        insp = await post(`/inspections/${insp.id}/actions/finish`, { version: insp.version, staff: staff.value.trim(), summary: summary.value.trim() || null });
        toast(t('inspection.finished'));
        draw();
      } catch (ex) { finErr.show(ex); }
    } });
    mount(body,
      h('div.card', { testid: 'insp-head' }, h('h2.detail-title', { text: `${insp.station_name} · ${insp.kind_name} · ${insp.period}` }),
        kvList([[t('inspection.work_order'), insp.work_order_number], [t('insp.status'), h('span', { testid: 'insp-status', dataset: { status: insp.status }, text: inspStatus(insp.status) })],
          [t('inspection.due'), fmtTime(insp.due_at, { seconds: false })], [t('inspection.progress'), h('span', { testid: 'insp-progress', text: `${c.recorded}/${c.total}` })],
          [t('inspection.failed'), String(c.failed)], insp.finished_at ? [t('inspection.finished_at'), fmtTime(insp.finished_at)] : null,
          insp.staff ? [t('inspection.staff'), insp.staff] : null, insp.summary ? [t('inspection.summary'), insp.summary] : null])),
      h('div.check-list', { testid: 'check-list' }, (insp.items || []).map(itemCard)),
      insp.status !== 'done' && write ? h('div.card', { testid: 'finish-box' }, h('h3', { text: t('inspection.finish') }),
        h('label.field-label', { text: t('inspection.staff') }), staff, h('label.field-label', { text: t('inspection.summary') }), summary, finErr, finish) : null);
  }
  load();
}

// ------------------------------------------------------------------ station page: equipment + plans
function renderStation(el, { me, navigate, subtabs, id }) {
  const err = problemBox('station-error');
  const eqBox = h('div', loading());
  const planBox = h('div', loading());
  const title = h('h1.page-title', { text: t('charging.station'), tabindex: '-1' });
  const write = allows(me, 'chargers.write');
  async function load() {
    try {
      const [s, eq, pl] = await Promise.all([get('/stations/' + encodeURIComponent(id)), get(`/stations/${encodeURIComponent(id)}/equipment`),
        get(`/stations/${encodeURIComponent(id)}/inspection-plans`)]);
      title.textContent = s.name;
      mount(eqBox, dataTable({
        testid: 'equipment-table', rowTestid: (x) => 'eq-' + x.id, rows: eq.items || [], empty: t('equipment.none'),
        columns: [
          { label: t('equipment.kind'), render: (x) => eqKind(x.kind) },
          { label: t('equipment.name'), render: (x) => x.name },
          { label: t('charging.model'), cls: 'col-opt', render: (x) => [x.model, x.serial].filter(Boolean).join(' / ') || '—' },
          { label: t('equipment.installed_on'), cls: 'col-opt', render: (x) => x.installed_on || '—' },
          { label: t('equipment.last_check'), render: (x) => x.last_check || '—' },
          { label: t('insp.status'), render: (x) => badge(t('equipment.status.' + x.status), x.status === 'in_service' ? 'ok' : 'warn') },
          { label: t('equipment.open_defects'), cls: 'col-num', render: (x) => String(x.open_defects || 0) },
        ],
      }));
      mount(planBox, plansTable(pl.items || [], me, navigate, load));
    } catch (ex) { err.show(ex); }
  }
  async function add() {
    const r = await formDialog({ title: t('equipment.new'), testid: 'equipment-dialog', submit: t('common.save'),
      fields: [{ name: 'kind', label: t('equipment.kind'), type: 'select', options: EQUIPMENT_KINDS.map((k) => ({ value: k, label: eqKind(k) })) },
        { name: 'name', label: t('equipment.name'), required: true }, { name: 'model', label: t('charging.model') }, { name: 'serial', label: t('equipment.serial') },
        { name: 'installed_on', label: t('equipment.installed_on'), type: 'date' }],
      onSubmit: (v) => {
        const b = { kind: v.kind, name: v.name.trim() };
        for (const k of ['model', 'serial', 'installed_on']) if (String(v[k] || '').trim()) b[k] = v[k].trim();
        return post(`/stations/${encodeURIComponent(id)}/equipment`, b);
      } });
    if (r) { toast(t('common.saved')); await load(); }
  }
  el.append(h('div.page-head', title, h('div.chips',
    appLink('/charging/defects?station_id=' + encodeURIComponent(id), t('defect.list'), navigate, { class: 'btn' }),
    write ? h('button.btn.btn-primary', { type: 'button', testid: 'equipment-new', text: t('equipment.new'), onclick: add }) : null)),
  subtabs('ledger', navigate), err, h('h2.section-title', { text: t('equipment.title') }), eqBox,
  h('h2.section-title', { text: t('plan_i.list') }), planBox);
  load();
}

// ------------------------------------------------------------------ firmware campaigns
function renderCampaigns(el, { me, navigate, subtabs }) {
  const err = problemBox('fw-error');
  const box = h('div', loading());
  async function load() {
    try {
      const r = await get('/firmware-campaigns');
      mount(box, dataTable({
        testid: 'campaigns-table', rowTestid: (c) => 'campaign-' + c.number, rows: r.items || [], empty: t('firmware.none'),
        columns: [
          { label: t('firmware.number'), render: (c) => appLink('/charging/firmware/' + encodeURIComponent(c.id), c.number, navigate, { class: 'mono' }) },
          { label: t('firmware.name'), render: (c) => c.name || '—' },
          { label: t('firmware.location'), cls: 'col-opt', render: (c) => h('span.mono.small', { text: c.location }) },
          { label: t('firmware.progress'), render: (c) => `${c.installed + c.failed}/${c.total}` },
          { label: t('firmware.failed'), cls: 'col-num', render: (c) => String(c.failed) },
          { label: t('insp.status'), render: (c) => badge(t('firmware.status.' + c.status), c.status === 'done' ? 'ok' : '') },
        ],
      }));
    } catch (ex) { err.show(ex); }
  }
  async function create() {
    const r = await formDialog({ title: t('firmware.new'), testid: 'campaign-dialog', submit: t('firmware.start'),
      fields: [{ name: 'name', label: t('firmware.name') }, { name: 'location', label: t('firmware.location'), required: true, hint: 'https://…' },
        { name: 'vendor', label: t('charging.vendor') }, { name: 'model', label: t('charging.model') },
        { name: 'batch_size', label: t('firmware.batch_size'), type: 'number', value: '5' }],
      onSubmit: (v) => {
        const b = { location: v.location.trim(), retrieve_at: Date.now(), batch_size: Number(v.batch_size || 5) };
        for (const k of ['name', 'vendor', 'model']) if (String(v[k] || '').trim()) b[k] = v[k].trim();
        return post('/firmware-campaigns', b);
      } });
    if (r) navigate('/charging/firmware/' + encodeURIComponent(r.id));
  }
  el.append(...head(t('nav.charging'), subtabs, 'firmware', navigate,
    allows(me, 'chargers.command') ? h('button.btn.btn-primary', { type: 'button', testid: 'campaign-new', text: t('firmware.new'), onclick: create }) : null),
  err, box);
  load();
}

function renderCampaign(el, { me, navigate, subtabs, id }) {
  const err = problemBox('campaign-error');
  const box = h('div', loading());
  const life = pageLife(); // leaving the campaign stops following it
  let timer = null;
  el.append(...head(t('nav.charging'), subtabs, 'firmware', navigate), err, box);
  async function load() {
    life.clear(timer); // one follow-up at a time (cancel loads too)
    timer = null;
    try {
      const c = await get('/firmware-campaigns/' + encodeURIComponent(id), undefined, { signal: life.signal });
      draw(c);
      if (c.status === 'running') timer = life.timeout(load, 3000); // a long job: follow it
    } catch (ex) {
      if (isAbort(ex)) return;
      err.show(ex);
    }
  }
  function draw(c) {
    const tot = c.totals;
    const fill = h('div.progress-fill');
    fill.style.width = tot.percent + '%';
    const bar = h('div.progress', { role: 'progressbar', 'aria-valuemin': '0', 'aria-valuemax': '100', 'aria-valuenow': String(tot.percent), testid: 'campaign-progress' },
      h('div.progress-track', fill), h('span.progress-text', { text: tot.percent + '%' }));
    const cancel = c.status === 'running' && allows(me, 'chargers.command') ? h('button.btn.btn-danger', { type: 'button', testid: 'campaign-cancel', text: t('firmware.cancel'),
      onclick: async () => { try { await post(`/firmware-campaigns/${c.id}/actions/cancel`, {}); await load(); } catch (ex) { err.show(ex); } } }) : null;
    mount(box, h('div.card', h('h2.detail-title', { text: `${c.number} ${c.name || ''}` }),
      kvList([[t('insp.status'), h('span', { testid: 'campaign-status', dataset: { status: c.status }, text: t('firmware.status.' + c.status) })],
        [t('firmware.location'), h('span.mono.small', { text: c.location })], [t('firmware.batch_size'), String(c.batch_size)],
        [t('firmware.totals'), h('span', { testid: 'campaign-totals', text: t('firmware.totals_text', tot) })]]), bar, cancel),
    dataTable({
      testid: 'campaign-chargers', rowTestid: (x) => 'fw-' + x.charge_point_id, rows: c.chargers, empty: t('charging.none'),
      columns: [
        { label: '#', cls: 'col-num', render: (x) => String(x.seq) },
        { label: t('charging.charge_point_id'), render: (x) => appLink('/charging/chargers/' + encodeURIComponent(x.charger_id), x.charge_point_id, navigate, { class: 'mono' }) },
        { label: t('firmware.state'), render: (x) => badge(fwState(x.state), x.outcome === 'installed' ? 'ok' : x.outcome === 'failed' ? 'danger' : '') },
        { label: t('firmware.before_after'), render: (x) => `${x.firmware_before || '—'} → ${x.firmware_after || '…'}` },
        { label: t('firmware.updated'), cls: 'col-opt', render: (x) => (x.status_at || x.sent_at ? fmtTime(x.status_at || x.sent_at) : '—') },
        { label: t('firmware.error'), cls: 'col-opt', render: (x) => x.error || '—' },
      ],
    }));
  }
  load();
}

// 告警与故障工单 under /charging (R4.2, R4.9, R4.11, R4.16):
//   - /charging/alarms: the alarms chargers raised (Faulted, chosen and vendor error codes, offline too long), open
//     first; acknowledge.
//   - /charging/faults: the fault board, open faults by SLA (colour when due or overdue), escalation level;
//     ?mine=1 is the O&M engineer's phone list (GET /faults?assignee=me).
//   - /charging/faults/{id}: the fault page: remote triage (Reset / ChangeAvailability through the API, the
//     charger's answer, then "record remote fix" with that command), dispatch, start, resolve, the report form,
//     the callback, close; the notes (recovery noted by the charger, commands, escalations).
//   - /charging/desk: the service-desk intake form and the reports with their classification.
import { h, mount } from './dom.js';
import { pageLife, isAbort } from './lifecycle.js';
import { t, fmtTime, tOr } from './i18n.js';
import { get, post } from './api.js';
import { hasPerm, hasRole } from './perm.js';
import { toast, dataTable, loading, formDialog } from './ui.js';
import { problemBox, detailHead, appLink, kvList } from './fw.js';
import { flowStateName } from './flows.js';

const allows = (me, p) => hasRole(me, 'admin') || hasPerm(me, p);
const SLA_CLASS = { ok: 'badge-ok', due: 'badge-warn', overdue: 'badge-danger-solid', met: 'badge-ok', missed: 'badge-danger', none: '' };
const enc = encodeURIComponent;

export const slaBadge = (f) => h('span.badge', { class: SLA_CLASS[f.sla] || '', testid: 'sla-' + f.id, dataset: { sla: f.sla || '' }, text: t('faults.sla.' + f.sla) });
const sevBadge = (s) => h('span.badge', { class: s === 'serious' ? 'badge-danger' : '', dataset: { severity: s }, text: t('faults.severity.' + s) });
const statusBadge = (s) => h('span.badge', { dataset: { status: s }, testid: 'fault-status', text: flowStateName('fault', s) || tOr('faults.status.' + s, s) });
const levelText = (f) => (t('faults.level.' + (f.level_code || 'engineer')));

function pageHead(title, tabs) {
  return [h('div.page-head', h('h1.page-title', { text: title, tabindex: '-1' })), tabs];
}

/** Routes under /charging that are ours; false when the path is not. */
export function renderFaultPages(el, ctx, tabs) {
  const { path } = ctx;
  if (path === '/charging/alarms') { renderAlarms(el, ctx, tabs('alarms')); return true; }
  if (path === '/charging/faults') { renderBoard(el, ctx, tabs('faults')); return true; }
  if (path === '/charging/desk') { renderDesk(el, ctx, tabs('desk')); return true; }
  const m = /^\/charging\/faults\/([^/]+)$/.exec(path);
  if (m) { renderFault(el, { ...ctx, id: decodeURIComponent(m[1]) }, tabs('faults')); return true; }
  return false;
}

// ------------------------------------------------------------------ alarms
function renderAlarms(el, { me, navigate }, tabs) {
  const err = problemBox('alarms-error');
  const stateSel = h('select.input', { testid: 'alarms-state', 'aria-label': t('faults.alarm_state') },
    ['active', 'cleared', ''].map((s) => h('option', { value: s, text: t('faults.alarm_filter.' + (s || 'all')) })));
  const box = h('div', { testid: 'alarms-list' }, loading());
  el.append(...pageHead(t('faults.alarms'), tabs), h('div.toolbar', stateSel), err, box);
  stateSel.addEventListener('change', load);
  const canAck = allows(me, 'alarms.write');
  async function load() {
    try {
      const r = await get('/alarms', { state: stateSel.value || undefined, limit: 200 });
      err.show(null);
      mount(box, dataTable({
        testid: 'alarms-table', rowTestid: (a) => 'alarm-' + a.id, rows: r.items || [], empty: t('faults.no_alarms'),
        columns: [
          { label: t('faults.raised_at'), cls: 'col-time', render: (a) => fmtTime(a.raised_at, { seconds: false }) },
          { label: t('faults.charger'), render: (a) => appLink('/charging/chargers/' + enc(a.charger_id), a.charge_point_id + (a.connector_id ? ' #' + a.connector_id : ''), navigate) },
          { label: t('faults.alarm_kind'), render: (a) => t('faults.kind.' + a.kind) },
          { label: t('faults.meaning'), render: (a) => h('span', { text: a.meaning || a.fault_key, title: a.fault_key }) },
          { label: t('faults.severity'), render: (a) => sevBadge(a.severity) },
          { label: t('faults.occurrences'), cls: 'col-num', render: (a) => String(a.occurrences) },
          { label: t('faults.alarm_state'), render: (a) => h('span.badge', { class: a.state === 'open' ? 'badge-danger' : a.state === 'cleared' ? 'badge-ok' : 'badge-warn', dataset: { state: a.state }, text: t('faults.alarm_state.' + a.state) }) },
          { label: t('faults.fault'), render: (a) => (a.fault_id ? appLink('/charging/faults/' + enc(a.fault_id), a.fault_number, navigate, { testid: 'alarm-fault-link' }) : '—') },
          { label: '', render: (a) => (canAck && a.state === 'open' ? h('button.btn.btn-sm', { type: 'button', testid: 'alarm-ack', text: t('faults.acknowledge'),
            onclick: async () => { try { await post(`/alarms/${enc(a.id)}/actions/acknowledge`, { version: a.version }); await load(); } catch (ex) { err.show(ex); } } }) : '') },
        ],
      }));
    } catch (ex) { err.show(ex); mount(box); }
  }
  load();
}

// ------------------------------------------------------------------ fault board / my faults
function renderBoard(el, { me, navigate }, tabs) {
  const mine = new URLSearchParams(location.search).get('mine') === '1';
  const err = problemBox('faults-error');
  const box = h('div', { testid: 'fault-board' }, loading());
  const toggle = h('div.chips',
    appLink('/charging/faults', t('faults.board'), navigate, { class: 'chip' + (mine ? '' : ' active'), testid: 'faults-all' }),
    appLink('/charging/faults?mine=1', t('faults.mine'), navigate, { class: 'chip' + (mine ? ' active' : ''), testid: 'faults-mine' }));
  el.append(...pageHead(mine ? t('faults.mine') : t('faults.board'), tabs), h('div.toolbar', toggle), err, box);
  const life = pageLife(); // leaving the board stops the poll
  async function load() {
    try {
      const r = await get('/faults', { open: 'true', assignee: mine ? 'me' : undefined, limit: 200 }, { signal: life.signal });
      err.show(null);
      const items = r.items || [];
      if (mine) {
        // the phone: one card a fault, the deadline first
        mount(box, items.length ? h('ul.job-list', { testid: 'my-faults' }, items.map((f) => h('li', h('a.job-card', {
          href: '/charging/faults/' + enc(f.id), testid: 'my-fault-' + f.id,
          onclick: (e) => { e.preventDefault(); navigate('/charging/faults/' + enc(f.id)); } },
        h('div.chips', slaBadge(f), sevBadge(f.severity), statusBadge(f.status)),
        h('div.detail-title', { text: f.title }),
        h('div.small.muted', { text: `${f.number} · ${f.station_name || f.charge_point_id || ''}` }),
        h('div.small', { text: t('faults.due', { time: fmtTime(f.next_due_at, { seconds: false }) }) }))))) : h('p.muted', { testid: 'my-faults-empty', text: t('faults.none_mine') }));
      } else {
        mount(box, dataTable({
          testid: 'faults-table', rowTestid: (f) => 'fault-' + f.id, rows: items, empty: t('faults.none_open'),
          columns: [
            { label: t('faults.number'), render: (f) => appLink('/charging/faults/' + enc(f.id), f.number, navigate, { class: 'mono', testid: 'fault-link' }) },
            { label: t('faults.title'), render: (f) => f.title },
            { label: t('faults.severity'), render: (f) => sevBadge(f.severity) },
            { label: t('faults.urgency'), render: (f) => t('faults.urgency.' + f.urgency) },
            { label: t('faults.state'), render: (f) => statusBadge(f.status) },
            { label: t('faults.level'), render: (f) => h('span', { dataset: { level: String(f.level) }, text: levelText(f) }) },
            { label: t('faults.next_due'), cls: 'col-time', render: (f) => h('span', slaBadge(f), ' ', fmtTime(f.next_due_at, { seconds: false })) },
            { label: t('faults.assignee'), render: (f) => f.assignee_name || '—' },
          ],
        }));
      }
    } catch (ex) {
      if (isAbort(ex)) return;
      err.show(ex);
    }
    life.timeout(load, 5000);
  }
  load();
}

// ------------------------------------------------------------------ one fault
const REMOTE = [
  { action: 'Reset', payload: () => ({ type: 'Soft' }) },
  { action: 'ChangeAvailability', payload: (f) => ({ connectorId: f.connector_id || 0, type: 'Inoperative' }) },
];

function renderFault(el, { me, navigate, id }, tabs) {
  const card = h('section.card.detail-card', { testid: 'fault-page', dataset: { id } }, loading());
  const err = problemBox('fault-error');
  el.append(...pageHead(t('faults.fault'), tabs), card);
  let lastCmd = null; // the remote command sent from this page and the charger's answer

  async function load() {
    try { draw(await get('/faults/' + enc(id))); } catch (ex) { err.show(ex); mount(card, err); }
  }

  async function fire(f, action, body = {}) {
    err.show(null);
    try {
      await post(`/faults/${enc(id)}/actions/${action}`, { version: f.version, ...body });
      toast(t('faults.done.' + action, {}) === 'faults.done.' + action ? t('common.saved') : t('faults.done.' + action));
      await load();
      return true;
    } catch (ex) { err.show(ex); return false; }
  }

  async function remote(f, x) {
    err.show(null);
    try {
      const made = await post(`/faults/${enc(id)}/actions/remote-command`, { action: x.action, payload: x.payload(f) });
      lastCmd = { ...made, status: 'pending' };
      await load();
      lastCmd = await get(`/chargers/${enc(f.charger_id)}/commands/${enc(made.id)}`, { wait: 15000 });
      toast(t('charging.cmd_result', { action: t('ocpp.cmd.' + x.action), status: t('charging.cmd_status.' + lastCmd.status) }), lastCmd.status === 'accepted' ? 'ok' : 'error');
      await load();
    } catch (ex) { err.show(ex); }
  }

  async function dialog(f, action, fields) {
    err.show(null);
    await formDialog({
      title: t('faults.action.' + action), testid: 'fault-dialog', submit: t('faults.action.' + action), fields,
      onSubmit: async (v) => {
        const body = { version: f.version };
        for (const [k, val] of Object.entries(v)) if (val !== '') body[k] = val;
        if (action === 'report') body.parts = v.parts ? v.parts.split(/[,，、\n]/).map((s) => s.trim()).filter(Boolean) : [];
        await post(`/faults/${enc(id)}/actions/${action}`, body);
      },
    }) && load();
  }

  async function dispatch(f) {
    let people = [];
    try { people = (await get('/directory/people', { role: 'om_engineer', limit: 200 })).items || []; } catch { /* the list stays empty */ }
    await dialog(f, 'dispatch', [
      { name: 'assignee_id', label: t('faults.assignee'), type: 'select', required: true, value: f.assignee_id || (people[0] && people[0].id),
        options: people.map((p) => ({ value: p.id, label: p.display_name + (p.phone ? ' ' + p.phone : '') })) },
      { name: 'note', label: t('faults.note'), type: 'textarea' },
    ]);
  }

  const FORMS = {
    resolve: [{ name: 'note', label: t('faults.what_was_done'), type: 'textarea', required: true }],
    report: [
      { name: 'cause', label: t('faults.report.cause'), type: 'textarea', required: true },
      { name: 'actions', label: t('faults.report.actions'), type: 'textarea', required: true },
      { name: 'parts', label: t('faults.report.parts'), hint: t('faults.report.parts_hint') },
      { name: 'prevention', label: t('faults.report.prevention'), type: 'textarea', required: true },
    ],
    callback_satisfied: [{ name: 'note', label: t('faults.note'), type: 'textarea' }],
    callback_unsatisfied: [{ name: 'note', label: t('faults.callback_why'), type: 'textarea', required: true }],
    cancel: [{ name: 'reason', label: t('faults.reason'), type: 'textarea', required: true }],
    escalate: [{ name: 'reason', label: t('faults.reason'), type: 'textarea' }],
    note: [{ name: 'text', label: t('faults.note'), type: 'textarea', required: true }],
    wait_customer: [{ name: 'reason', label: t('faults.wait_reason'), type: 'textarea', required: true }],
  };

  function draw(f) {
    const actions = f.actions || [];
    const open = !['resolved', 'closed', 'cancelled'].includes(f.status);
    const canCmd = allows(me, 'chargers.command') && open && f.charger_id;
    const buttons = [];
    for (const a of actions) {
      if (a === 'resolve_remote') continue; // offered beside the command that fixed it
      const onclick = a === 'dispatch' ? () => dispatch(f) : FORMS[a] ? () => dialog(f, a, FORMS[a]) : () => fire(f, a);
      buttons.push(h('button.btn', { type: 'button', class: a === 'close' || a === 'dispatch' ? 'btn-primary' : '', testid: 'fault-act-' + a, text: t('faults.action.' + a), onclick }));
    }
    const triage = canCmd ? h('div.card.triage', { testid: 'fault-triage' },
      h('h3.section-title', { text: t('faults.triage') }),
      h('p.small.muted', { text: t('faults.triage_hint') }),
      h('div.action-bar', REMOTE.map((x) => h('button.btn', { type: 'button', testid: 'triage-' + x.action, text: t('ocpp.cmd.' + x.action), onclick: () => remote(f, x) }))),
      lastCmd ? h('div.triage-result', { testid: 'triage-result', dataset: { status: lastCmd.status } },
        h('span', { text: t('faults.charger_answer') + ' ' }),
        h('span.badge', { class: lastCmd.status === 'accepted' ? 'badge-ok' : lastCmd.status === 'pending' ? '' : 'badge-danger', text: t('charging.cmd_status.' + lastCmd.status) }),
        lastCmd.status === 'accepted' && actions.includes('resolve_remote') ? h('button.btn.btn-primary', { type: 'button', testid: 'fault-act-resolve_remote', text: t('faults.action.resolve_remote'),
          onclick: () => fire(f, 'resolve_remote', { command_id: lastCmd.id }) }) : null) : null) : null;
    const rep = f.report;
    mount(card,
      detailHead({ number: f.number, title: f.title, badges: [statusBadge(f.status), sevBadge(f.severity), slaBadge(f), h('span.badge', { testid: 'fault-level', dataset: { level: String(f.level) }, text: levelText(f) })], onClose: () => navigate('/charging/faults'), testid: 'fault' }),
      err,
      buttons.length ? h('div.action-bar', { testid: 'fault-actions' }, buttons) : null,
      triage,
      kvList([
        [t('faults.charger'), f.charger_id ? appLink('/charging/chargers/' + enc(f.charger_id), f.charge_point_id + (f.connector_id ? ' #' + f.connector_id : ''), navigate) : '—'],
        [t('faults.station'), f.station_name],
        [t('faults.source'), t('faults.source.' + f.source)],
        [t('faults.urgency'), t('faults.urgency.' + f.urgency)],
        [t('faults.work_order'), f.work_order_number, 'fault-work-order'],
        [t('faults.opened_at'), fmtTime(f.opened_at)],
        [t('faults.response_due'), fmtTime(f.response_due_at), 'fault-response-due'],
        [t('faults.repair_due'), fmtTime(f.repair_due_at), 'fault-repair-due'],
        [t('faults.responded_at'), f.responded_at ? fmtTime(f.responded_at) : '—'],
        [t('faults.assignee'), f.assignee_name, 'fault-assignee'],
        [t('faults.recovered_at'), f.recovered_at ? fmtTime(f.recovered_at) : '—', 'fault-recovered'],
        [t('faults.resolution'), f.resolution ? t('faults.resolution.' + f.resolution) : '—', 'fault-resolution'],
        f.reporter_contact ? [t('faults.reporter'), `${f.reporter_name || ''} ${f.reporter_contact}`] : null,
        f.reporter_contact ? [t('faults.callback'), f.callback_result ? t('faults.callback.' + f.callback_result) : '—', 'fault-callback'] : null,
      ]),
      rep ? h('div', { testid: 'fault-report' }, h('h3.section-title', { text: t('faults.report') }), kvList([
        [t('faults.report.cause'), rep.cause], [t('faults.report.actions'), rep.actions],
        [t('faults.report.parts'), Array.isArray(rep.parts) ? rep.parts.join('、') : rep.parts], [t('faults.report.prevention'), rep.prevention],
      ])) : null,
      h('h3.section-title', { text: t('faults.notes') }),
      h('ol.timeline', { testid: 'fault-notes' }, (f.notes || []).map((n) => h('li', { dataset: { kind: n.kind }, testid: 'note-' + n.kind },
        h('span.small.muted', { text: fmtTime(n.at, { seconds: false }) + ' ' + (n.actor_name || t('faults.system')) + ' · ' }),
        h('span', { text: n.text })))));
  }
  load();
}

// ------------------------------------------------------------------ service desk
const CHANNELS = ['phone', 'wechat', 'app', 'sales', 'onsite'];
const CATEGORIES = ['cannot_charge', 'interrupted', 'payment', 'damage', 'screen', 'offline', 'other'];

function renderDesk(el, { me, navigate }, tabs) {
  const err = problemBox('desk-error');
  const box = h('div', { testid: 'desk-list' }, loading());
  const canWrite = allows(me, 'desk.write');
  const add = canWrite ? h('button.btn.btn-primary', { type: 'button', testid: 'desk-new', text: t('desk.new'), onclick: () => intake() }) : null;
  el.append(...pageHead(t('desk.title'), tabs), h('div.toolbar', add), err, box);

  async function intake() {
    let chargers = [];
    try { chargers = (await get('/chargers', { limit: 200 })).items || []; } catch { /* typed by hand is not offered */ }
    await formDialog({
      title: t('desk.new'), testid: 'desk-dialog', submit: t('desk.save'),
      fields: [
        { name: 'channel', label: t('desk.channel'), type: 'select', value: 'phone', options: CHANNELS.map((c) => ({ value: c, label: t('desk.channel.' + c) })) },
        { name: 'reporter_name', label: t('desk.reporter'), required: true },
        { name: 'contact', label: t('desk.contact'), required: true },
        { name: 'charger_id', label: t('faults.charger'), type: 'select', value: '', options: [{ value: '', label: '—' }, ...chargers.map((c) => ({ value: c.id, label: c.charge_point_id + (c.name ? ' ' + c.name : '') }))] },
        { name: 'category', label: t('desk.category'), type: 'select', value: 'cannot_charge', options: CATEGORIES.map((c) => ({ value: c, label: t('desk.category.' + c) })) },
        { name: 'description', label: t('desk.description'), type: 'textarea', required: true },
      ],
      onSubmit: async (v) => post('/service-desk/reports', { ...v, charger_id: v.charger_id || null }),
    }) && load();
  }

  async function classify(r) {
    await formDialog({
      title: t('desk.classify'), testid: 'classify-dialog', submit: t('desk.classify'), body: `${r.number} · ${r.description}`,
      fields: [
        { name: 'classification', label: t('desk.classification'), type: 'radio', value: 'dispatch', options: ['remote_fix', 'guide', 'dispatch'].map((c) => ({ value: c, label: t('desk.class.' + c) })) },
        { name: 'resolution', label: t('desk.resolution'), type: 'textarea', hint: t('desk.resolution_hint') },
        { name: 'severity', label: t('faults.severity'), type: 'select', value: 'common', options: ['common', 'serious'].map((s) => ({ value: s, label: t('faults.severity.' + s) })) },
        { name: 'urgency', label: t('faults.urgency'), type: 'select', value: 'normal', options: ['normal', 'urgent'].map((s) => ({ value: s, label: t('faults.urgency.' + s) })) },
      ],
      onSubmit: async (v) => post(`/service-desk/reports/${enc(r.id)}/actions/classify`, { version: r.version, classification: v.classification,
        resolution: v.resolution || null, ...(v.classification === 'dispatch' ? { severity: v.severity, urgency: v.urgency } : {}) }),
    }) && load();
  }

  async function load() {
    try {
      const r = await get('/service-desk/reports', { limit: 100 });
      err.show(null);
      mount(box, dataTable({
        testid: 'desk-table', rowTestid: (x) => 'report-' + x.id, rows: r.items || [], empty: t('desk.none'),
        columns: [
          { label: t('faults.number'), render: (x) => h('span.mono', { text: x.number }) },
          { label: t('desk.channel'), render: (x) => t('desk.channel.' + x.channel) },
          { label: t('desk.reporter'), render: (x) => `${x.reporter_name} ${x.contact}` },
          { label: t('faults.charger'), render: (x) => x.charge_point_id || x.station_name || '—' },
          { label: t('desk.category'), render: (x) => t('desk.category.' + x.category) },
          { label: t('desk.description'), render: (x) => x.description },
          { label: t('desk.classification'), render: (x) => (x.classification ? h('span', h('span.badge', { dataset: { classification: x.classification }, text: t('desk.class.' + x.classification) }),
            x.fault_id ? appLink('/charging/faults/' + enc(x.fault_id), ' ' + x.fault_number, navigate, { testid: 'report-fault-link' }) : null)
            : canWrite ? h('button.btn.btn-sm', { type: 'button', testid: 'report-classify', text: t('desk.classify'), onclick: () => classify(x) }) : '—') },
        ],
      }));
    } catch (ex) { err.show(ex); mount(box); }
  }
  load();
}

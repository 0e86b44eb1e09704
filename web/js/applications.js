// 业扩报装 (issue 11 item 11; R0.1, R0.9, R0.11): customers' applications on the desk (docs/api.md "Applications").
//   - /applications: the board, one column per stage of data/flows/application.json (GET /applications/board), each
//     application with its clock: red past a limit (late), amber near it (nearly_late), grey while it stands (paused:
//     the customer's turn or on hold); filters by kind, track, late, fast path and "my applications".
//   - /applications/queue: the customer manager's own applications (GET /applications?customer_manager_id=me), late first,
//     what needs the manager in each, and the outage/power-on requests waiting for the customer (GET /customer-manager/queue).
//   - /applications/responsibilities: which department owns which stage of which track, with its limit (R0.9).
//   - /applications/{id}: one application: its clocks, its actions (the flow's, for this user), its documents
//     (hand in, check), its timeline (stages, documents, holds and their reasons, notifications) and its shared
//     space (comments and documents, append-only).
import { h, mount, clear } from './dom.js';
import { t, tOr, fmtTime, getLang, roleName } from './i18n.js';
import { get, post, put, upload, contentUrl } from './api.js';
import { hasPerm, hasRole } from './perm.js';
import { toast, dataTable, loading, formDialog, badge } from './ui.js';
import { problemBox, appLink, kvList, statusName } from './fw.js';
import { loadFlow, flowStateName } from './flows.js';
import { isAbort } from './lifecycle.js';

const allows = (me, p) => hasRole(me, 'admin') || hasPerm(me, p);
const KINDS = ['lv_residential', 'lv_non_residential', 'hv_single', 'hv_dual', 'capacity_increase', 'temporary'];
const TRACKS = ['lv_residential', 'lv_non_residential', 'hv_single', 'hv_dual'];
/** Actions that ask for a reason (the flow's "reason": true, and a hold), and those that take the scheme's text. */
const REASON = ['request_documents', 'reject_design', 'fail_mid_inspection', 'fail_completion', 'cancel', 'hold'];
const SCHEME = ['complete_survey', 'reply_scheme'];

const local = (o, base) => (o ? (getLang() === 'en' ? o[base + '_en'] || o[base + '_zh'] : o[base + '_zh'] || o[base + '_en']) : '');
const kindName = (k) => tOr('apps.kind.' + k, k);
const trackName = (k) => tOr('apps.track.' + k, k);
const channelName = (c) => tOr('apps.channel.' + c, c);
const stageName = (code) => flowStateName('application', code) || code || '—';
const actionLabel = (a) => tOr('apps.action.' + a, a);

/** The clock of an application (a list item's `clock`) as a badge and a state for tests: late, nearly_late, paused, ok. */
export function clockState(c) {
  if (!c) return 'ok';
  if (c.late) return 'late';
  if (c.nearly_late) return 'nearly_late';
  if (c.paused) return 'paused';
  return 'ok';
}
function clockBadge(c, testid) {
  const s = clockState(c);
  const kind = { late: 'danger', nearly_late: 'warn', paused: 'muted', ok: '' }[s];
  const due = c && (c.stage_due_at || c.process_due_at);
  const text = s === 'ok' ? (due ? t('apps.due', { at: fmtTime(due, { seconds: false }) }) : t('apps.clock.none')) : t('apps.clock.' + s);
  return h('span.badge', { class: kind ? 'badge-' + kind : '', testid, dataset: { clock: s }, text });
}

function subtabs(me, active, navigate) {
  const tab = (id, path) => appLink(path, t('apps.tab.' + id), navigate, { class: 'subtab' + (id === active ? ' active' : ''), role: 'tab',
    'aria-selected': id === active ? 'true' : 'false', testid: 'apps-tab-' + id });
  return h('div.subtabs', { role: 'tablist', testid: 'apps-tabs' }, tab('board', '/applications'),
    hasRole(me, 'customer_manager') ? tab('queue', '/applications/queue') : null, tab('duties', '/applications/responsibilities'));
}

export function renderApplications(el, ctx) {
  const { path } = ctx;
  const head = (tab) => [h('div.page-head', h('h1.page-title', { text: t('nav.applications'), tabindex: '-1' })), subtabs(ctx.me, tab, ctx.navigate)];
  if (path === '/applications') { loadFlow('application').then(() => renderBoard(el, ctx, head('board'))); return true; }
  if (path === '/applications/queue') { loadFlow('application').then(() => renderQueue(el, ctx, head('queue'))); return true; }
  if (path === '/applications/responsibilities') { renderDuties(el, ctx, head('duties')); return true; }
  const m = /^\/applications\/([^/]+)$/.exec(path);
  if (m) { loadFlow('application').then(() => renderApplication(el, { ...ctx, id: decodeURIComponent(m[1]) })); return true; }
  return false;
}

/* ---- the board ---- */

function renderBoard(el, { me, navigate, life }, head) {
  const err = problemBox('apps-error');
  const sel = (testid, label, values, name) => h('select.input', { testid, 'aria-label': label },
    h('option', { value: '', text: label + ' · ' + t('apps.all') }), values.map((v) => h('option', { value: v, text: name(v) })));
  const kind = sel('apps-filter-kind', t('apps.kind'), KINDS, kindName);
  const track = sel('apps-filter-track', t('apps.track'), TRACKS, trackName);
  const late = sel('apps-filter-late', t('apps.clock'), ['true', 'false'], (v) => t(v === 'true' ? 'apps.clock.late' : 'apps.not_late'));
  const fast = h('label.check', h('input', { type: 'checkbox', testid: 'apps-filter-fast' }), h('span', { text: t('apps.fast_path') }));
  const mine = hasRole(me, 'customer_manager')
    ? h('label.check', h('input', { type: 'checkbox', testid: 'apps-filter-mine' }), h('span', { text: t('apps.mine') })) : null;
  const summary = h('div.board-summary', { testid: 'apps-summary' });
  const board = h('div.apps-board', { testid: 'apps-board', dataset: { renders: '0' } }, loading());
  let seq = 0;
  async function load() {
    const my = ++seq;
    try {
      const q = { kind: kind.value || undefined, track: track.value || undefined, late: late.value || undefined,
        fast_path: fast.querySelector('input').checked ? 'true' : undefined,
        customer_manager_id: mine && mine.querySelector('input').checked ? 'me' : undefined };
      const b = await get('/applications/board', q, { signal: life.signal });
      if (my !== seq) return; // a later filter's answer wins
      const n = (k, cls) => h('span.badge', { class: cls, testid: 'apps-summary-' + k, dataset: { n: String(b[k] || 0) }, text: t('apps.summary.' + k, { n: b[k] || 0 }) });
      mount(summary, n('total', 'badge-info'), n('late', 'badge-danger'), n('nearly_late', 'badge-warn'), n('paused', 'badge-muted'));
      mount(board, b.stages.map((s) => h('section.board-col.apps-col', { testid: 'apps-col-' + s.code, dataset: { count: String(s.count) } },
        h('div.board-col-head', h('span.apps-col-name', { text: local(s, 'name') }), h('span.board-col-n', { text: String(s.count) })),
        h('div.small.muted', { text: s.customer_turn ? t('apps.customer_turn') : roleName(s.owner_role) }),
        s.items.length ? h('ul.board-jobs', s.items.map((a) => h('li', card(a)))) : h('p.muted.small.board-empty', { text: t('apps.none') }),
        s.count > s.items.length ? h('p.small.muted', { text: t('apps.more', { n: s.count - s.items.length }) }) : null)));
      board.dataset.renders = String(Number(board.dataset.renders) + 1);
    } catch (ex) { if (!isAbort(ex)) err.show(ex); }
  }
  function card(a) {
    const st = clockState(a.clock);
    return h('article.board-job.apps-card', { class: 'clock-' + st, testid: 'apps-card-' + a.number, dataset: { clock: st } },
      h('div.board-job-top', appLink('/applications/' + encodeURIComponent(a.id), a.number, navigate, { class: 'mono board-job-no' }),
        clockBadge(a.clock, 'apps-card-clock')),
      h('div.board-job-title', { text: a.applicant_name }),
      h('div.chips', badge(kindName(a.kind)), a.fast_path ? badge(t('apps.fast_path'), 'orange') : null),
      a.hold_reason ? h('div.small.apps-why', { testid: 'apps-card-hold', text: t('apps.held', { reason: a.hold_reason }) }) : null,
      a.waiting_reason ? h('div.small.apps-why', { text: a.waiting_reason }) : null);
  }
  for (const s of [kind, track, late]) s.addEventListener('change', load);
  for (const c of [fast, mine]) if (c) c.querySelector('input').addEventListener('change', load);
  el.append(...head, err, h('div.toolbar', h('div.filters', kind, track, late, fast, mine)), summary, board);
  load();
  life.interval(load, 30000); // the clocks move: the board follows them
}

/* ---- the customer manager's queue ---- */

function renderQueue(el, { navigate, life }, head) {
  const err = problemBox('apps-error');
  const box = h('div', loading());
  // The manager's own open applications with their clocks (GET /applications?customer_manager_id=me): late first,
  // then near the limit, then by the stage's due time; beside each, what needs the manager now, and below, the
  // outage and power-on requests waiting for the customer's confirmation (GET /customer-manager/queue, issue 11 item 6).
  const rank = { late: 0, nearly_late: 1, ok: 2, paused: 3 };
  (async () => {
    try {
      const [r, q] = await Promise.all([get('/applications', { customer_manager_id: 'me', limit: 200 }, { signal: life.signal }),
        get('/customer-manager/queue', undefined, { signal: life.signal })]);
      const needs = new Map((q.applications || []).map((a) => [a.id, a.needs || []]));
      const open = (r.items || []).filter((a) => !['archived', 'cancelled'].includes(a.status));
      open.sort((x, y) => rank[clockState(x.clock)] - rank[clockState(y.clock)] ||
        ((x.clock && x.clock.stage_due_at) || Infinity) - ((y.clock && y.clock.stage_due_at) || Infinity));
      const apps = dataTable({ testid: 'apps-queue', rowTestid: (a) => 'apps-queue-' + a.number, rows: open, empty: t('apps.queue.none'),
        columns: [
          { label: t('apps.number'), render: (a) => appLink('/applications/' + encodeURIComponent(a.id), a.number, navigate, { class: 'mono' }) },
          { label: t('apps.applicant'), render: (a) => a.applicant_name },
          { label: t('apps.kind'), cls: 'col-opt', render: (a) => kindName(a.kind) },
          { label: t('apps.stage'), render: (a) => stageName(a.status) },
          { label: t('apps.clock'), render: (a) => clockBadge(a.clock) },
          { label: t('apps.queue.needs'), render: (a) => h('span', { testid: 'apps-queue-needs',
            text: (needs.get(a.id) || []).map((n) => t('apps.queue.need.' + n)).join('、') || '—' }) },
          { label: t('apps.address'), cls: 'col-opt', render: (a) => a.supply_address },
        ] });
      const reqs = h('section.card', { testid: 'apps-queue-requests' }, h('h2.card-title', { text: t('apps.queue.requests') }),
        dataTable({ testid: 'apps-queue-requests-table', rowTestid: (x) => 'apps-queue-req-' + x.application_number, rows: q.requests || [],
          empty: t('apps.queue.requests_none'), columns: [
            { label: t('apps.number'), render: (x) => appLink('/applications/' + encodeURIComponent(x.application_id), x.application_number, navigate, { class: 'mono' }) },
            { label: t('apps.queue.req_kind'), render: (x) => t('apps.queue.req.' + x.kind) },
            { label: t('apps.queue.planned'), render: (x) => fmtTime(x.planned_at) },
            { label: t('apps.queue.reason'), cls: 'col-opt', render: (x) => x.reason },
          ] }));
      mount(box, apps, reqs);
    } catch (ex) { if (!isAbort(ex)) err.show(ex); clear(box); }
  })();
  el.append(...head, err, h('p.muted.small', { text: t('apps.queue.about') }), box);
}

/* ---- the responsibility list (R0.9) ---- */

function renderDuties(el, { life }, head) {
  const err = problemBox('apps-error');
  const box = h('div', loading());
  el.append(...head, err, box);
  (async () => {
    try {
      const r = await get('/applications/responsibilities', undefined, { signal: life.signal });
      const depts = Object.fromEntries(r.departments.map((d) => [d.key, d]));
      const dname = (k) => (depts[k] ? local(depts[k], 'name') : k || '—');
      const limit = (s) => (s.customer_turn ? t('apps.duties.customer') : s.limit_working_days == null ? '—' : t('apps.wd', { n: s.limit_working_days }));
      const tracks = r.tracks.map((tr) => h('section.card.apps-duty-track', { testid: 'apps-duties-' + tr.track },
        h('h2.card-title', { text: `${kindName(tr.track)} · ${t('apps.duties.limit', { n: tr.limit_working_days })}` }),
        dataTable({ rowTestid: (s) => `apps-duty-${tr.track}-${s.code}`, rows: tr.stages, columns: [
          { label: t('apps.stage'), render: (s) => local(s, 'name') },
          { label: t('apps.duties.owner'), render: (s) => h('span', { testid: 'apps-duty-owner', text: dname(s.department) + (s.team_name ? ` · ${s.team_name}` : '') }) },
          { label: t('apps.duties.limit_col'), render: (s) => h('span', { testid: 'apps-duty-limit', text: limit(s) }) },
          { label: t('apps.duties.duty'), render: (s) => local(s, 'duty') },
          { label: t('apps.duties.supports'), cls: 'col-opt', render: (s) => (s.supports.length ? s.supports.map((x) => `${dname(x.department)}：${local(x, 'duty')}`).join('；') : '—') },
        ] })));
      const byDept = h('section.card', { testid: 'apps-duties-departments' }, h('h2.card-title', { text: t('apps.duties.by_department') }),
        r.departments.map((d) => h('div.apps-dept', { testid: 'apps-dept-' + d.key },
          h('h3', { text: local(d, 'name') }),
          h('p.small', { text: d.owns.length ? t('apps.duties.owns', { list: [...new Set(d.owns.map((o) => stageNameOf(r, o.stage)))].join('、') }) : t('apps.duties.owns_none') }),
          d.supports.length ? h('p.small.muted', { text: t('apps.duties.helps', { list: [...new Set(d.supports.map((o) => stageNameOf(r, o.stage)))].join('、') }) }) : null)));
      mount(box, tracks, byDept);
    } catch (ex) { if (!isAbort(ex)) err.show(ex); clear(box); }
  })();
}
function stageNameOf(r, code) {
  for (const tr of r.tracks) { const s = tr.stages.find((x) => x.code === code); if (s) return local(s, 'name'); }
  return code;
}

/* ---- one application ---- */

function renderApplication(el, { me, navigate, id, life }) {
  const err = problemBox('app-error');
  const box = h('div', loading());
  el.append(h('div.page-head', h('h1.page-title', { text: t('nav.applications'), tabindex: '-1' }),
    appLink('/applications', t('apps.back'), navigate, { testid: 'app-back' })), err, box);
  const write = allows(me, 'applications.write');
  async function act(a, action) {
    const fields = REASON.includes(action) ? [{ name: 'reason', label: t('apps.reason'), type: 'textarea', required: true }]
      : SCHEME.includes(action) ? [{ name: 'scheme', label: t('apps.scheme'), type: 'textarea' }] : null;
    const label = actionLabel(action);
    try {
      if (fields) {
        const r = await formDialog({ title: label, testid: 'app-action-dialog', submit: label, fields,
          onSubmit: (v) => { const body = { version: a.version }; for (const [k, x] of Object.entries(v)) if (x && x.trim()) body[k] = x.trim(); return post(`/applications/${a.id}/actions/${action}`, body); } });
        if (!r) return;
      } else {
        await post(`/applications/${a.id}/actions/${action}`, { version: a.version });
      }
      toast(t('apps.done', { action: label }));
      load();
    } catch (ex) { err.show(ex); }
  }
  async function handIn(a, type, file) {
    try {
      const f = await upload(undefined, undefined, file);
      await put(`/applications/${a.id}/documents/${encodeURIComponent(type)}`, { attachment_id: f.id });
      toast(t('common.saved'));
      load();
    } catch (ex) { err.show(ex); }
  }
  async function check(a, type, result) {
    try {
      let note;
      if (result === 'rejected') {
        const r = await formDialog({ title: t('apps.doc.reject'), testid: 'app-doc-dialog', submit: t('apps.doc.reject'),
          fields: [{ name: 'note', label: t('apps.doc.note'), type: 'textarea', required: true }], onSubmit: (v) => v });
        if (!r) return;
        note = r.note.trim();
      }
      await post(`/applications/${a.id}/documents/${encodeURIComponent(type)}/check`, { result, note });
      toast(t('common.saved'));
      load();
    } catch (ex) { err.show(ex); }
  }
  const filePick = (testid, onFile) => {
    const input = h('input', { type: 'file', accept: 'application/pdf,image/*', hidden: true, testid: testid + '-input' });
    input.addEventListener('change', () => { if (input.files[0]) onFile(input.files[0]); input.value = ''; });
    return h('span', input, h('button.btn.btn-sm', { type: 'button', testid, text: t('apps.upload'), onclick: () => input.click() }));
  };
  async function open(attId) {
    // the application's own route: the counter and customer managers may open what the application holds
    const path = `/applications/${encodeURIComponent(id)}/attachments/${encodeURIComponent(attId)}/content`;
    try { window.open(await contentUrl(path), '_blank', 'noopener'); } catch (ex) { err.show(ex); }
  }

  async function load() {
    try {
      const [a, tl, cm, fl] = await Promise.all([get('/applications/' + encodeURIComponent(id), undefined, { signal: life.signal }),
        get(`/applications/${encodeURIComponent(id)}/timeline`, undefined, { signal: life.signal }),
        get(`/applications/${encodeURIComponent(id)}/comments`, undefined, { signal: life.signal }),
        get(`/applications/${encodeURIComponent(id)}/files`, undefined, { signal: life.signal })]);
      err.show(null);
      mount(box, head(a), info(a), documents(a), timeline(tl.items), space(a, cm.items, fl.items));
    } catch (ex) { if (!isAbort(ex)) { err.show(ex); clear(box); } }
  }
  function head(a) {
    // the open clocks (the stage's and the whole process's) as one badge: late when either is past its limit (a fired
    // deadline included), nearly late when either warned, stopped when they stand
    const open = ((a.clocks && a.clocks.items) || []).filter((x) => x.status !== 'ended');
    const summary = { late: open.some((x) => x.late || x.status === 'fired'), nearly_late: open.some((x) => x.nearly_late),
      paused: open.some((x) => x.status === 'paused'), stage_due_at: (open.find((x) => x.kind !== 'process') || {}).due_at,
      process_due_at: (open.find((x) => x.kind === 'process') || {}).due_at };
    const write_ = write && (a.actions || []).length;
    return h('div.card', { testid: 'app-detail', dataset: { status: a.status } },
      h('div.detail-number.mono', { testid: 'app-number', text: a.number }),
      h('h2.detail-title', { text: `${a.applicant_name} · ${kindName(a.kind)}` }),
      h('div.chips', h('span.badge.badge-info', { testid: 'app-stage', text: local(a.stage, 'name') }), clockBadge(summary, 'app-clock'),
        a.fast_path ? badge(t('apps.fast_path'), 'orange') : null),
      a.waiting ? h('p.apps-why', { testid: 'app-waiting', text: `${local(a.waiting, 'reason')}${a.waiting.detail ? '：' + a.waiting.detail : ''}` }) : null,
      write_ ? h('div.action-bar', { testid: 'app-actions' }, a.actions.map((x) => h('button', { type: 'button',
        class: x === 'cancel' ? 'btn btn-danger-outline' : 'btn', testid: 'app-action-' + x, text: actionLabel(x), onclick: () => act(a, x) })))
        : h('p.muted.small', { text: t('apps.no_actions') }));
  }
  function info(a) {
    const c = a.clocks || {};
    const due = (x) => (x ? h('span', { class: x.late ? 'text-danger' : x.nearly_late ? 'text-warn' : '',
      text: x.due_at ? fmtTime(x.due_at, { seconds: false }) + (x.status === 'paused' ? ` (${t('apps.clock.paused')})` : '') : t('apps.clock.none') }) : null);
    return h('section.card', { testid: 'app-info' }, kvList([
      [t('apps.kind'), `${kindName(a.kind)}${a.ev_charger ? ' · ' + t('apps.ev_charger') : ''}`],
      [t('apps.track'), trackName(a.track)],
      [t('apps.channel'), channelName(a.channel)],
      [t('apps.applicant'), `${a.applicant_name} · ${a.applicant_phone}`],
      [t('apps.address'), a.supply_address],
      [t('apps.supply'), `${a.voltage_level} · ${a.capacity_kva} kVA${a.sources === 2 ? ' · ' + t('apps.dual') : ''}`],
      [t('apps.owner'), a.stage.customer_turn ? t('apps.customer_turn') : `${roleName(a.stage.owner_role)}${a.stage.team_name ? ' · ' + a.stage.team_name : ''}`],
      a.fast_path ? [t('apps.fast_path'), a.fast_reason] : null,
      a.hold_reason ? [t('apps.hold'), h('span', { testid: 'app-hold', text: a.hold_reason })] : null,
      c.state ? [t('apps.stage_due'), due(c.state), 'app-stage-due'] : null,
      c.process ? [t('apps.process_due'), due(c.process), 'app-process-due'] : null,
      a.rating ? [t('apps.rating'), `${'★'.repeat(a.rating)} ${a.rating_comment || ''}`] : null,
    ]));
  }
  function documents(a) {
    const st = { missing: 'danger', received: 'info', accepted: 'ok', rejected: 'danger' };
    return h('section.card', { testid: 'app-documents' }, h('h2.card-title', { text: t('apps.documents') }),
      dataTable({ rowTestid: (d) => 'app-doc-' + d.type, rows: a.documents || [], columns: [
        { label: t('apps.doc.name'), render: (d) => local(d, 'name') },
        { label: t('apps.doc.status'), render: (d) => h('span.chips', badge(t('apps.doc.' + d.status), st[d.status]), d.note ? h('span.small', { text: d.note }) : null) },
        { label: '', render: (d) => h('span.chips',
          d.attachment_id ? h('button.btn.btn-sm.btn-link', { type: 'button', text: t('apps.open'), onclick: () => open(d.attachment_id) }) : null,
          write && d.status !== 'accepted' ? filePick('app-doc-upload-' + d.type, (f) => handIn(a, d.type, f)) : null,
          write && d.status === 'received' ? h('button.btn.btn-sm', { type: 'button', testid: 'app-doc-accept-' + d.type, text: t('apps.doc.accept'), onclick: () => check(a, d.type, 'accepted') }) : null,
          write && d.status === 'received' ? h('button.btn.btn-sm', { type: 'button', testid: 'app-doc-reject-' + d.type, text: t('apps.doc.reject'), onclick: () => check(a, d.type, 'rejected') }) : null) },
      ] }));
  }
  function timeline(items) {
    const line = (x) => {
      switch (x.type) {
        case 'created': return t('apps.tl.created', { channel: channelName(x.channel) });
        case 'stage': return t('apps.tl.stage', { action: actionLabel(x.action), to: stageName(x.to_state), who: x.actor_name || '' }) + (x.reason ? '：' + x.reason : '');
        case 'hold': return t('apps.tl.hold', { who: x.actor_name || '', reason: x.reason || '' });
        case 'resume': return t('apps.tl.resume', { who: x.actor_name || '' });
        case 'deadline': return t(x.action === 'deadline_warning' ? 'apps.tl.warning' : 'apps.tl.deadline', { stage: stageName(x.from_state) });
        case 'document': return x.event === 'received' ? t('apps.tl.doc_received', { doc: local(x, 'name') })
          : t('apps.tl.doc_checked', { doc: local(x, 'name'), result: t('apps.doc.' + x.result) }) + (x.note ? '：' + x.note : '');
        case 'job': return x.event === 'finished' ? t('apps.tl.job_finished', { stage: stageName(x.stage), number: x.work_order_number || '' }) + (x.outcome ? '：' + x.outcome : '')
          : t('apps.tl.job', { stage: stageName(x.stage), number: x.work_order_number || '', status: statusName('work_order', x.work_order_status) });
        case 'comment': return t('apps.tl.comment', { who: x.author_name, text: x.text });
        case 'file': return t('apps.tl.file', { who: x.added_by_name, name: x.title || x.filename || '' });
        case 'notification': return t('apps.tl.notification', { who: x.user_name, title: x.title });
        case 'message': return t('apps.tl.message', { channel: x.channel, kind: x.kind, state: x.state });
        default: return x.type;
      }
    };
    return h('section.card', { testid: 'app-timeline' }, h('h2.card-title', { text: t('apps.timeline') }),
      h('ol.apps-timeline', items.map((x) => h('li', { class: 'tl-' + x.type, testid: 'app-tl-' + x.type, dataset: { type: x.type } },
        h('span.mono.small.muted', { text: fmtTime(x.at, { seconds: false }) }), h('span', { text: line(x) })))));
  }
  function space(a, comments, files) {
    const text = h('textarea.input', { rows: '2', testid: 'app-comment-text', 'aria-label': t('apps.comment') });
    const send = h('button.btn.btn-primary', { type: 'button', testid: 'app-comment-send', text: t('apps.comment.send') });
    send.addEventListener('click', async () => {
      if (!text.value.trim()) return;
      send.disabled = true;
      try { await post(`/applications/${a.id}/comments`, { text: text.value.trim() }); text.value = ''; load(); } catch (ex) { err.show(ex); send.disabled = false; }
    });
    const title = h('input.input', { testid: 'app-file-title', placeholder: t('apps.file.title'), 'aria-label': t('apps.file.title') });
    const addFile = filePick('app-file-upload', async (file) => {
      try {
        const f = await upload(undefined, undefined, file);
        await post(`/applications/${a.id}/files`, { attachment_id: f.id, title: title.value.trim() || undefined });
        toast(t('common.saved'));
        load();
      } catch (ex) { err.show(ex); }
    });
    return h('section.card', { testid: 'app-space' }, h('h2.card-title', { text: t('apps.space') }),
      h('p.small.muted', { text: t('apps.space.about') }),
      h('ul.apps-comments', { testid: 'app-comments' }, comments.length ? comments.map((c) => h('li', { testid: 'app-comment' },
        h('div.small.muted', { text: `${c.author_name} · ${fmtTime(c.created_at, { seconds: false })}` }), h('div', { text: c.text })))
        : h('li.muted.small', { text: t('apps.comment.none') })),
      write ? h('div.apps-comment-form', text, send) : null,
      h('h3', { text: t('apps.files') }),
      h('ul.apps-files', { testid: 'app-files' }, files.length ? files.map((f) => h('li', { testid: 'app-file' },
        h('button.btn.btn-sm.btn-link', { type: 'button', text: f.title || f.filename || f.attachment_id, onclick: () => open(f.attachment_id) }),
        h('span.small.muted', { text: ` ${f.filename || ''} · ${f.added_by_name} · ${fmtTime(f.created_at, { seconds: false })}` })))
        : h('li.muted.small', { text: t('apps.file.none') })),
      write ? h('div.apps-file-form', title, addFile) : null);
  }
  load();
}

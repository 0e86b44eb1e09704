// 停机补录 (R1.4; docs/api.md "Backfilled work"): field work done on paper while the system was down, entered
// afterwards and reviewed by the team's leader.
//   - /backfills: the list (the review queue: pending first), each with its paper ticket, times, who entered it and
//     who reviewed it; a leader of the team (or a manager) approves or rejects with a reason — never their own entry.
//   - /backfills/new: the desk's entry: team, leader, crew, work kind, the paper ticket's number, the six original
//     times (Asia/Shanghai, as written on the paper), the photo(s) of the paper form (at least one).
// The server refuses what the live gates would have refused (each refusal shown on the field it names).
import { h, mount, clear } from './dom.js';
import { t, fmtTime } from './i18n.js';
import { get, post, listAll, ApiError } from './api.js';
import { hasPerm, hasRole } from './perm.js';
import { toast, dataTable, loading, formDialog, badge, field } from './ui.js';
import { problemBox, appLink, kindName, WORK_KINDS, markServerField, clearMarks } from './fw.js';
import { pendingPhotos, thumbs } from './photos.js';

const allows = (me, p) => hasRole(me, 'admin') || hasPerm(me, p);
const STATES = ['pending', 'approved', 'rejected'];
const TIMES = ['ticket_issued_at', 'ticket_permitted_at', 'briefing_held_at', 'work_started_at', 'work_finished_at', 'ticket_ended_at'];
const SHANGHAI = 8 * 3600 * 1000;

/** "YYYY-MM-DDTHH:MM" read as Shanghai wall-clock time (the paper's), whatever the browser's zone. */
function shanghaiMs(v) {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})$/.exec(v || '');
  return m ? Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5]) - SHANGHAI : null;
}

const stateBadge = (s) => badge(t('backfill.status.' + s), s === 'approved' ? 'ok' : s === 'rejected' ? 'danger' : 'warn');

export function renderBackfill(el, ctx) {
  if (ctx.path === '/backfills/new') { renderNew(el, ctx); return true; }
  if (ctx.path !== '/backfills') return false;
  renderList(el, ctx);
  return true;
}

function renderList(el, { me, navigate }) {
  const err = problemBox('backfill-error');
  const status = h('select.input', { testid: 'backfill-status', 'aria-label': t('backfill.status') },
    h('option', { value: 'pending', text: t('backfill.status.pending') }),
    STATES.slice(1).map((s) => h('option', { value: s, text: t('backfill.status.' + s) })),
    h('option', { value: '', text: t('backfill.all') }));
  const counts = h('div.chips', { testid: 'backfill-counts' });
  const listBox = h('div', loading());
  const review = allows(me, 'backfills.review');
  async function decide(b, approve) {
    const r = approve
      ? await formDialog({ title: t('backfill.approve'), testid: 'backfill-approve-dialog', submit: t('backfill.approve'),
        body: t('backfill.approve_body', { number: b.number }), onSubmit: () => post(`/backfills/${b.id}/approve`, {}) })
      : await formDialog({ title: t('backfill.reject'), testid: 'backfill-reject-dialog', submit: t('backfill.reject'), danger: true,
        fields: [{ name: 'reason', label: t('backfill.reject_reason'), type: 'textarea', required: true }],
        onSubmit: (v) => post(`/backfills/${b.id}/reject`, { reason: v.reason.trim() }) });
    if (r) { toast(t('common.saved')); load(); }
  }
  async function load() {
    try {
      const r = await get('/backfills', { status: status.value || undefined, limit: 200 });
      mount(counts, STATES.map((s) => h('span.badge', { testid: 'backfill-count-' + s, dataset: { n: String(r.counts[s]) },
        text: `${t('backfill.status.' + s)} ${r.counts[s]}` })));
      mount(listBox, dataTable({
        testid: 'backfill-table', rowTestid: (b) => 'backfill-' + b.number, rows: r.items || [], empty: t('backfill.none'),
        columns: [
          { label: t('backfill.number'), render: (b) => h('span.mono', { text: b.number }) },
          { label: t('backfill.work'), render: (b) => h('div', h('div', { text: b.title }),
            h('div.small.muted', { text: `${b.team_name} · ${b.leader_name} + ${(b.crew || []).map((c) => c.display_name).join('、')}` })) },
          { label: t('backfill.paper_ticket_no'), render: (b) => h('span.mono', { text: b.paper_ticket_no }) },
          { label: t('backfill.times'), cls: 'col-opt', render: (b) => h('div.small', { text: `${fmtTime(b.work_started_at, { seconds: false })} – ${fmtTime(b.work_finished_at, { seconds: false })}` }) },
          { label: t('backfill.photos'), cls: 'col-opt', render: (b) => thumbs((b.photos || []).map((p) => p.id), { testid: 'backfill-photo' }) },
          { label: t('backfill.entered'), cls: 'col-opt', render: (b) => h('div.small', { text: `${b.entered_by_name} · ${fmtTime(b.entered_at, { seconds: false })}` }) },
          { label: t('backfill.status'), render: (b) => h('div', h('span.chips', stateBadge(b.status), badge(t('board.backfilled'), 'warn')),
            b.reviewed_by_name ? h('div.small.muted', { text: t('backfill.reviewed', { who: b.reviewed_by_name }) }) : null,
            b.reject_reason ? h('div.small.text-danger', { text: b.reject_reason }) : null,
            b.plan_id ? appLink('/plans/' + encodeURIComponent(b.plan_id), b.plan_number, navigate, { class: 'mono small' }) : null) },
          { label: '', render: (b) => (review && b.status === 'pending' && b.entered_by !== me.id ? h('span.chips',
            h('button.btn.btn-sm.btn-primary', { type: 'button', testid: 'backfill-approve-' + b.number, text: t('backfill.approve'), onclick: () => decide(b, true) }),
            h('button.btn.btn-sm', { type: 'button', testid: 'backfill-reject-' + b.number, text: t('backfill.reject'), onclick: () => decide(b, false) })) : null) },
        ],
      }));
    } catch (ex) { err.show(ex); clear(listBox); }
  }
  status.addEventListener('change', load);
  el.append(h('div.page-head', h('h1.page-title', { text: t('nav.backfills'), tabindex: '-1' }),
    allows(me, 'backfills.write') ? h('div.chips', appLink('/backfills/new', t('backfill.new'), navigate, { class: 'btn btn-primary', testid: 'backfill-new' })) : null),
  h('p.muted.small', { text: t('backfill.intro') }), err, h('div.toolbar', status, counts), listBox);
  load();
}

function renderNew(el, { navigate }) {
  const err = problemBox('backfill-new-error');
  const team = h('select.input', { testid: 'backfill-team', required: true });
  const leader = h('select.input', { testid: 'backfill-leader', required: true });
  const crew = h('select.input', { testid: 'backfill-crew', multiple: true, size: 5 });
  const supervisor = h('select.input', { testid: 'backfill-supervisor' }, h('option', { value: '', text: t('backfill.no_supervisor') }));
  const kind = h('select.input', { testid: 'backfill-kind' }, WORK_KINDS.map((k) => h('option', { value: k, text: kindName(k) })));
  const title = h('input.input', { testid: 'backfill-title', required: true, maxlength: 200 });
  const place = h('input.input', { testid: 'backfill-place', required: true, maxlength: 200 });
  const paper = h('input.input.mono', { testid: 'backfill-paper-no', required: true, maxlength: 40 });
  const note = h('textarea.input', { testid: 'backfill-outage-note', rows: 2, maxlength: 1000 });
  const times = Object.fromEntries(TIMES.map((k) => [k, h('input.input', { type: 'datetime-local', testid: 'backfill-' + k.replace(/_/g, '-'), required: true })]));
  const photos = pendingPhotos({ testid: 'backfill-photos', label: t('backfill.add_photo'), required: true });
  const fields = { team_id: team, leader_id: leader, crew_ids: crew, onsite_supervisor_id: supervisor, kind, title, place, paper_ticket_no: paper, outage_note: note, photo_ids: photos, ...times };
  const submit = h('button.btn.btn-primary', { type: 'submit', testid: 'backfill-submit', text: t('backfill.submit') });
  const form = h('form.card.form-grid', { testid: 'backfill-form', novalidate: true },
    field(t('backfill.team'), team), field(t('backfill.leader'), leader), field(t('backfill.crew'), crew, { hint: t('backfill.crew_hint') }),
    field(t('backfill.kind'), kind), field(t('backfill.supervisor'), supervisor, { hint: t('backfill.supervisor_hint') }), field(t('backfill.title'), title, { wide: true }), field(t('backfill.place'), place, { wide: true }),
    field(t('backfill.paper_ticket_no'), paper),
    TIMES.map((k) => field(t('backfill.' + k), times[k])),
    field(t('backfill.outage_note'), note, { wide: true }),
    field(t('backfill.photos'), photos, { wide: true, hint: t('backfill.photos_hint') }),
    h('div.form-actions', submit, appLink('/backfills', t('common.cancel'), navigate, { class: 'btn' })));
  el.append(h('div.page-head', h('h1.page-title', { text: t('backfill.new'), tabindex: '-1' }), appLink('/backfills', t('backfill.back'), navigate)),
    h('p.muted.small', { text: t('backfill.new_intro') }), err, form);
  (async () => {
    try {
      const units = await get('/directory/org-units', { kind: 'team' });
      mount(team, (units.items || units || []).map((u) => h('option', { value: u.id, text: u.name })));
      const [leaders, crews, sups] = await Promise.all([listAll('/directory/people', { role: 'leader' }, 1000),
        listAll('/directory/people', { role: 'crew' }, 1000), listAll('/directory/people', { role: 'supervisor' }, 1000)]);
      supervisor.append(...sups.map((p) => h('option', { value: p.id, text: p.display_name })));
      mount(leader, leaders.map((p) => h('option', { value: p.id, text: p.display_name, dataset: { username: p.username } })));
      mount(crew, crews.map((p) => h('option', { value: p.id, text: p.display_name, dataset: { username: p.username } })));
    } catch (ex) { err.show(ex); }
  })();
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    clearMarks(Object.values(fields));
    err.show(null);
    const body = { team_id: team.value, leader_id: leader.value, crew_ids: Array.from(crew.selectedOptions).map((o) => o.value),
      kind: kind.value, title: title.value.trim(), place: place.value.trim(), photo_ids: photos.ids() };
    if (paper.value.trim()) body.paper_ticket_no = paper.value.trim();
    if (note.value.trim()) body.outage_note = note.value.trim();
    if (supervisor.value) body.onsite_supervisor_id = supervisor.value;
    for (const k of TIMES) { const v = shanghaiMs(times[k].value); if (v !== null) body[k] = v; }
    submit.disabled = true;
    try {
      for (const k of ['work_started_at', 'work_finished_at', 'ticket_ended_at'])
        if (body[k] === undefined) throw new ApiError(0, 'local', t('backfill.time_missing'), { field: k });
      const b = await post('/backfills', body);
      toast(t('backfill.saved', { number: b.number }));
      navigate('/backfills');
    } catch (ex) {
      err.show(ex);
      markServerField(ex, fields, {});
    } finally { submit.disabled = false; }
  });
}

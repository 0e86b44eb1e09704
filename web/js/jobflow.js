// 我的作业 → one job on the phone (R0.8, R3.3–R3.9, R3.6): the on-site flow in order, with a step indicator:
// 现场勘察 → 工作票 → 班前会 → 风险确认 → 工器具 → 开工 → 作业步骤 → 终结. Each step is one panel; what the signed-in
// person may not do is hidden or disabled with the reason. Everything comes from the server:
//   GET /plans/{id}, /plans/{id}/survey, /tickets?plan_id=, /tickets/{id}, /plans/{id}/briefing, /plans/{id}/steps,
//   /plans/{id}/tools (the tool kinds the job needs, what is checked out for it, in-date tools to propose).
import { h, mount, icon } from './dom.js';
import { t, tOr, fmtTime, roleName, getLang } from './i18n.js';
import { get, post, put, ApiError } from './api.js';
import { hasRole } from './perm.js';
import { toast, loading, field, confirmDialog, formDialog } from './ui.js';
import {
  kindName, statusBadge, statusName, riskBadge, highRiskBadge, personName, problemBox, markServerField, clearMarks,
  kvList, detailHead, actionName,
} from './fw.js';
import { thumbs, photoPicker, pendingPhotos } from './photos.js';
import { ticketView, ticketActionDialog, pickTicket } from './ticketview.js';
import { reasonText } from './people.js';
import {
  toolKinds, toolKindName, toolStatusBadge, dueText, dueClass, checkout, giveBack, refusalBox, warningBox, refusalText,
  RETURN_CONDITIONS,
} from './toolkit.js';

export const FLOW = ['survey', 'ticket', 'briefing', 'risks', 'tools', 'start', 'steps', 'end'];
const PLAN_OPEN = ['draft', 'published'];
const TICKET_DONE = ['permitted', 'working', 'interrupted', 'ended', 'archived'];
const RISK_CONFIRMABLE = ['received', 'permitted', 'working', 'interrupted'];
const lines = (s) => String(s || '').split('\n').map((x) => x.trim()).filter(Boolean);
const loc = (o, k) => (o ? (getLang() === 'en' ? o[k + '_en'] || o[k + '_zh'] : o[k + '_zh'] || o[k + '_en']) || '' : '');

/** null for 404 (nothing recorded yet), the error otherwise. */
const orNull = (p) => p.catch((ex) => { if (ex instanceof ApiError && ex.status === 404) return null; throw ex; });

/**
 * Render the job /jobs/{planId} into el. ctx: me, navigate. Returns nothing; the page reloads its data after
 * every change the server accepts.
 */
export function renderJobFlow(el, { me, planId, navigate }) {
  const s = { plan: null, survey: null, ticket: null, briefing: null, steps: null, tools: null, readiness: null, editingSurvey: false };
  let kinds = []; // tool kinds (GET /kb/tool_kinds), for their names
  let toolWarnings = null; // the last check-out's warnings, kept across redraws
  let selected = null;
  let loadSeq = 0;
  let loads = 0; // finished loads, on the card as data-loads (a reload is visible to tests)
  const evidence = new Map(); // risk id -> evidence photo picked, kept across redraws
  const card = h('section.card.detail-card.flow-card', { testid: 'job-detail', dataset: { id: planId } }, loading());
  const close = () => navigate('/jobs');
  el.append(h('div.page-head', h('h1.page-title', { text: t('nav.jobs'), tabindex: '-1' })), card);

  const stepper = h('ol.flow-steps', { testid: 'job-steps' });
  const next = h('div.job-next', { testid: 'job-next-step' });
  const panel = h('div.flow-panel');
  const planBox = problemBox('flow-action-error');
  const planBar = h('div.flow-plan-actions', { testid: 'flow-plan-actions' });

  async function load({ keepStep = true } = {}) {
    const my = ++loadSeq;
    try {
      const [plan, survey, tickets, briefing, steps, tools, ks, readiness] = await Promise.all([
        get('/plans/' + encodeURIComponent(planId)),
        orNull(get(`/plans/${encodeURIComponent(planId)}/survey`)),
        get('/tickets', { plan_id: planId, limit: 50 }),
        orNull(get(`/plans/${encodeURIComponent(planId)}/briefing`)),
        get(`/plans/${encodeURIComponent(planId)}/steps`).catch(() => null),
        get(`/plans/${encodeURIComponent(planId)}/tools`).catch(() => null),
        toolKinds().catch(() => []),
        get(`/plans/${encodeURIComponent(planId)}/readiness`).catch(() => null),
      ]);
      const pick = pickTicket(tickets && tickets.items);
      const ticket = pick ? await get('/tickets/' + encodeURIComponent(pick.id)) : null;
      if (my !== loadSeq) return;
      kinds = ks;
      Object.assign(s, { plan, survey, ticket, briefing, steps, tools, readiness });
      if (!keepStep || !selected) selected = currentStep();
      draw();
      card.dataset.loads = String(++loads);
    } catch (ex) {
      if (my !== loadSeq) return;
      const box = problemBox('job-error');
      box.show(ex);
      mount(card, detailHead({ number: '', title: t('jobs.detail'), badges: [], onClose: close, testid: 'job-detail' }), box);
    }
  }

  // ------------------------------------------------------------------ who may do what

  const isLeader = () => !!s.plan && s.plan.leader_id === me.id;
  const onPlan = () => !!s.plan && (isLeader() || (s.plan.crew_ids || []).includes(me.id));
  const myRole = () => (isLeader() ? 'leader' : onPlan() ? 'crew' : null);
  const planOpen = () => !!s.plan && PLAN_OPEN.includes(s.plan.status);
  const mayPrepare = () => isLeader() || hasRole(me, 'issuer') || hasRole(me, 'manager') || hasRole(me, 'admin');
  const nameOf = (id) => {
    const p = s.plan;
    if (!p || !id) return '—';
    if (p.leader && p.leader.id === id) return personName(p.leader);
    const c = (p.crew || []).find((x) => x.id === id);
    if (c) return personName(c);
    if (id === me.id) return me.display_name || me.username;
    return t('ticket.someone');
  };

  // ------------------------------------------------------------------ step states

  function stepDone(id) {
    const { plan, survey, ticket, briefing, steps } = s;
    switch (id) {
      case 'survey': return !!survey;
      case 'ticket': return !!ticket && TICKET_DONE.includes(ticket.status);
      case 'briefing': return !!briefing && !!briefing.held_at && !(briefing.missing || []).length;
      case 'risks': return !!ticket && (ticket.risks || []).length > 0 && ticket.risks.every((r) => r.confirmed_at);
      case 'tools': return toolsReady();
      case 'start': return !!plan && ['working', 'paused', 'finished'].includes(plan.status);
      case 'steps': {
        const pr = steps && steps.progress;
        return !!pr && pr.total > 0 && pr.done >= pr.total;
      }
      case 'end': return !!plan && plan.status === 'finished';
      default: return false;
    }
  }

  function currentStep() {
    if (s.plan && s.plan.status === 'finished') return 'end';
    if (s.plan && ['working', 'paused'].includes(s.plan.status)) return stepDone('steps') ? 'end' : 'steps';
    return FLOW.find((x) => !stepDone(x)) || 'end';
  }

  function select(id) {
    selected = id;
    drawStepper();
    drawPanel();
    // Keep the step indicator in sight (it has a scroll margin for the sticky header).
    if (stepper.getBoundingClientRect().top < 0 || panel.getBoundingClientRect().top < 0) stepper.scrollIntoView({ block: 'start' });
  }

  // ------------------------------------------------------------------ page

  function draw() {
    const p = s.plan;
    const badges = [statusBadge('plan', p.status, 'job-detail-status'), riskBadge(p.risk_level, 'job-detail-risk')];
    if (p.high_risk) badges.push(highRiskBadge('job-detail-high-risk'));
    if (myRole()) badges.push(h('span.chip', { testid: 'job-detail-role', text: roleName(myRole()) }));
    mount(card,
      detailHead({ number: p.number, title: p.title, badges, onClose: close, testid: 'job-detail' }),
      next, planBar, planBox, stepper, panel,
      info());
    drawChrome();
    drawPanel();
  }

  /** The parts that follow the state: the next-step line, pause / resume, the step indicator. */
  function drawChrome() {
    drawNext();
    drawPlanBar();
    drawStepper();
  }

  function drawNext() {
    const p = s.plan;
    const cur = currentStep();
    const state = tOr('jobs.state.' + p.status, statusName('plan', p.status));
    let text;
    if (p.status === 'finished') text = t('flow.next.finished');
    else if (p.status === 'cancelled') text = t('flow.next.cancelled');
    else if (p.status === 'draft') text = t('flow.next.draft');
    else text = t('flow.next', { step: t('jobs.step.' + cur) });
    const refresh = h('button.btn.btn-sm.job-next-refresh', { type: 'button', testid: 'flow-refresh', 'aria-label': t('jobs.refresh') },
      icon('refresh', 'icon icon-sm'), h('span', { text: t('jobs.refresh') }));
    refresh.addEventListener('click', async () => { refresh.disabled = true; await load(); });
    mount(next,
      h('div.job-next-main',
        h('div.job-next-state', { testid: 'job-next-state', text: state }),
        h('div.job-next-text', { text })),
      refresh);
  }

  function drawPlanBar() {
    const p = s.plan;
    const acts = (p.actions || []).filter((a) => a === 'pause' || a === 'resume');
    planBar.hidden = !acts.length;
    mount(planBar, acts.map((a) => {
      const btn = h('button.btn.btn-big', { type: 'button', testid: 'flow-action-' + a, class: a === 'resume' ? 'btn-primary' : '' },
        icon(a === 'pause' ? 'pause' : 'play', 'icon'), h('span', { text: actionName('plan', a) }));
      btn.addEventListener('click', async () => {
        planBox.show(null);
        if (a === 'pause' && !(await confirmDialog({ title: t('flow.pause_title'), body: t('flow.pause_body'), confirm: actionName('plan', a) }))) return;
        btn.disabled = true;
        try {
          await post(`/plans/${encodeURIComponent(p.id)}/actions/${a}`, { version: p.version });
          toast(t('action.done', { action: actionName('plan', a) }));
          await load();
        } catch (ex) {
          btn.disabled = false;
          planBox.show(ex);
          if (ex instanceof ApiError && (ex.code === 'invalid_transition' || ex.code === 'version_conflict')) await load();
        }
      });
      return btn;
    }));
  }

  function drawStepper() {
    const cur = currentStep();
    mount(stepper, FLOW.map((id, i) => {
      const done = stepDone(id);
      const state = done ? 'done' : id === cur ? 'current' : 'todo';
      const btn = h('button.flow-step', {
        type: 'button', testid: 'flow-step-' + id, class: [state, id === selected ? 'selected' : ''].join(' '),
        dataset: { state }, 'aria-current': id === selected ? 'step' : null,
        'aria-label': `${i + 1}. ${t('jobs.step.' + id)} · ${t('flow.state.' + state)}`,
      },
      h('span.flow-step-dot', done ? icon('check', 'icon icon-sm') : h('span', { text: String(i + 1) })),
      h('span.flow-step-label', { text: t('flow.step.' + id) }));
      btn.addEventListener('click', () => select(id));
      return h('li', btn);
    }));
  }

  function drawPanel() {
    const id = selected;
    const i = FLOW.indexOf(id);
    const body = ({
      survey: surveyPanel, ticket: ticketPanel, briefing: briefingPanel, risks: risksPanel, tools: toolsPanel, start: startPanel,
      steps: stepsPanel, end: endPanel,
    })[id]();
    const done = stepDone(id);
    mount(panel,
      h('section.flow-section', { testid: 'flow-panel-' + id, dataset: { step: id } },
        h('div.flow-section-head',
          h('span.flow-section-no', { text: t('flow.step_of', { n: i + 1, total: FLOW.length }) }),
          h('h2.flow-section-title', { text: t('jobs.step.' + id) }),
          h('span.badge', { class: done ? 'badge-ok' : 'badge-muted', testid: 'flow-panel-state', text: done ? t('flow.state.done') : t('flow.state.todo') })),
        body,
        h('div.flow-nav',
          i > 0 ? h('button.btn.flow-prev', { type: 'button', testid: 'flow-prev', onclick: () => select(FLOW[i - 1]) },
            h('span', { text: '‹ ' + t('jobs.step.' + FLOW[i - 1]) })) : null,
          i < FLOW.length - 1 ? h('button.btn.flow-next', { type: 'button', testid: 'flow-next', onclick: () => select(FLOW[i + 1]) },
            h('span', { text: t('jobs.step.' + FLOW[i + 1]) + ' ›' })) : null)));
  }

  const note = (text, testid, kind = 'info') => h('div.alert', { class: 'alert-' + kind, role: 'status', testid, text });

  // ------------------------------------------------------------------ a. 现场勘察

  function surveyPanel() {
    const sv = s.survey;
    const canEdit = mayPrepare() && planOpen();
    const why = !planOpen() ? t('survey.closed') : t('survey.who');
    if (!sv && !canEdit) return h('div', note(t('survey.none'), 'survey-none'), h('p.muted.small.reason', { testid: 'survey-why', text: why }));
    if (!sv || s.editingSurvey) return surveyForm(sv);
    return h('div.survey',
      kvList([
        [t('survey.place'), sv.place, 'survey-view-place'],
        [t('survey.content'), h('div.pre-line', { text: sv.content || '' })],
        [t('survey.outage_scope'), sv.outage_scope ? h('div.pre-line', { text: sv.outage_scope }) : null],
        [t('survey.live_parts'), sv.live_parts ? h('div.pre-line', { text: sv.live_parts }) : null],
        [t('survey.notes'), sv.notes ? h('div.pre-line', { text: sv.notes }) : null],
        [t('survey.by'), `${nameOf(sv.surveyed_by)} · ${fmtTime(sv.surveyed_at, { seconds: false })}`],
      ], 'survey-summary'),
      (sv.risks || []).length ? h('div',
        h('h3.section-title', { text: t('survey.risks') }),
        h('ul.risk-cards', { testid: 'survey-view-risks' }, sv.risks.map((r) => h('li.risk-card',
          h('div.risk-card-head', riskBadge(r.level), h('span.risk-hazard', { text: r.hazard })),
          (r.measures || []).length ? h('ul.plain-list', r.measures.map((m) => h('li', { text: m }))) : null)))) : null,
      (sv.measures || []).length ? h('div',
        h('h3.section-title', { text: t('survey.measures') }),
        h('ul.plain-list', { testid: 'survey-view-measures' }, sv.measures.map((m) => h('li', { text: m })))) : null,
      h('h3.section-title', { text: t('survey.photos') }),
      thumbs(sv.photos, { testid: 'survey-photos' }) || h('p.muted.small', { testid: 'survey-no-photos', text: t('survey.no_photos') }),
      onPlan() || mayPrepare() ? photoPicker({
        entity: 'survey', entityId: sv.id, testid: 'survey-photo', label: t('survey.photo'),
        onUploaded: async () => { s.survey = await get(`/plans/${encodeURIComponent(planId)}/survey`); drawPanel(); },
      }) : null,
      canEdit
        ? h('div.form-actions', h('button.btn', { type: 'button', testid: 'survey-edit', text: t('survey.edit'), onclick: () => { s.editingSurvey = true; drawPanel(); } }))
        : h('p.muted.small.reason', { testid: 'survey-why', text: why }));
  }

  function surveyForm(sv) {
    const p = s.plan;
    const orders = p.work_orders || [];
    const fPlace = h('input.input', { type: 'text', maxlength: '300', testid: 'survey-place', value: sv ? sv.place : p.place || '' });
    const fContent = h('textarea.input', { rows: '3', maxlength: '4000', testid: 'survey-content' });
    fContent.value = sv ? sv.content || '' : p.content || orders.map((o) => `${o.title || kindName(o.kind)}（${o.number}）`).join('\n');
    const fOutage = h('textarea.input', { rows: '2', maxlength: '1000', testid: 'survey-outage' });
    fOutage.value = sv ? sv.outage_scope || '' : '';
    const fLive = h('textarea.input', { rows: '2', maxlength: '1000', testid: 'survey-live' });
    fLive.value = sv ? sv.live_parts || '' : '';
    const fMeasures = h('textarea.input', { rows: '3', testid: 'survey-measures', placeholder: t('survey.one_per_line') });
    fMeasures.value = sv ? (sv.measures || []).join('\n') : '';
    const fNotes = h('textarea.input', { rows: '2', maxlength: '4000', testid: 'survey-notes' });
    fNotes.value = sv ? sv.notes || '' : '';
    const riskRows = h('div.survey-risks', { testid: 'survey-risks' });
    const risks = sv ? (sv.risks || []).map((r) => ({ ...r })) : [];
    const err = problemBox('survey-error');
    const labels = {
      place: t('survey.place'), content: t('survey.content'), outage_scope: t('survey.outage_scope'),
      live_parts: t('survey.live_parts'), risks: t('survey.risks'), measures: t('survey.measures'), notes: t('survey.notes'),
    };
    const fe = {};

    function riskRow(r, i) {
      const hz = h('textarea.input', { rows: '2', maxlength: '500', testid: `survey-risk-${i}-hazard`, 'aria-label': t('survey.hazard') });
      hz.value = r.hazard || '';
      hz.addEventListener('input', () => { r.hazard = hz.value; });
      const lv = h('select.input', { testid: `survey-risk-${i}-level`, 'aria-label': t('survey.level') },
        [1, 2, 3, 4, 5].map((n) => h('option', { value: String(n), text: t('risk.level', { n }), selected: Number(r.level || 3) === n })));
      lv.addEventListener('change', () => { r.level = Number(lv.value); });
      if (!r.level) r.level = 3;
      const ms = h('textarea.input', { rows: '2', testid: `survey-risk-${i}-measures`, placeholder: t('survey.one_per_line'), 'aria-label': t('survey.risk_measures') });
      ms.value = (r.measures || []).join('\n');
      ms.addEventListener('input', () => { r.measures = lines(ms.value); });
      return h('div.survey-risk', { testid: 'survey-risk-' + i },
        h('div.survey-risk-top',
          h('span.survey-risk-no', { text: t('survey.risk_n', { n: i + 1 }) }),
          h('button.btn.btn-sm.btn-link', { type: 'button', testid: `survey-risk-${i}-remove`, text: t('survey.risk_remove'), onclick: () => { risks.splice(i, 1); drawRisks(); } })),
        field(t('survey.hazard'), hz),
        field(t('survey.level'), lv),
        field(t('survey.risk_measures'), ms, { hint: t('survey.one_per_line') }));
    }
    function drawRisks() {
      riskRows.replaceChildren(...risks.map(riskRow),
        risks.length ? h('span') : h('p.muted.small', { text: t('survey.no_risks') }));
    }
    drawRisks();

    const submit = h('button.btn.btn-primary.btn-big', { type: 'submit', testid: 'survey-submit', text: sv ? t('survey.save') : t('survey.submit') });
    const form = h('form.flow-form', { testid: 'survey-form', novalidate: true },
      fe.place = field(labels.place, fPlace),
      fe.content = field(labels.content, fContent),
      fe.outage_scope = field(labels.outage_scope, fOutage, { hint: t('survey.outage_hint') }),
      fe.live_parts = field(labels.live_parts, fLive, { hint: t('survey.live_hint') }),
      fe.risks = h('fieldset.field',
        h('legend.field-label', { text: labels.risks }),
        h('div.field-hint', { text: t('survey.risks_hint') }),
        riskRows,
        h('button.btn', { type: 'button', testid: 'survey-risk-add', text: t('survey.risk_add'), onclick: () => { risks.push({ hazard: '', level: 3, measures: [] }); drawRisks(); const last = riskRows.querySelector(`[data-testid="survey-risk-${risks.length - 1}-hazard"]`); if (last) last.focus(); } })),
      fe.measures = field(labels.measures, fMeasures, { hint: t('survey.measures_hint') }),
      fe.notes = field(labels.notes, fNotes),
      err,
      h('div.form-actions',
        sv ? h('button.btn', { type: 'button', testid: 'survey-cancel', text: t('common.cancel'), onclick: () => { s.editingSurvey = false; drawPanel(); } }) : null,
        submit));
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      err.show(null);
      clearMarks(fe);
      for (const [k, input] of [['place', fPlace], ['content', fContent]]) {
        if (!input.value.trim()) { fe[k].classList.add('invalid'); err.show(t('form.required', { field: labels[k] })); input.focus(); return; }
      }
      const rs = risks.map((r) => ({ hazard: String(r.hazard || '').trim(), level: Number(r.level) || 3, measures: (r.measures || []).filter(Boolean) }))
        .filter((r) => r.hazard || r.measures.length);
      if (rs.some((r) => !r.hazard)) { fe.risks.classList.add('invalid'); err.show(t('survey.hazard_required')); return; }
      const body = {
        place: fPlace.value.trim(), content: fContent.value.trim(),
        outage_scope: fOutage.value.trim() || null, live_parts: fLive.value.trim() || null,
        risks: rs, measures: lines(fMeasures.value), notes: fNotes.value.trim() || null,
      };
      if (sv) body.version = sv.version;
      submit.disabled = true;
      try {
        s.survey = await put(`/plans/${encodeURIComponent(planId)}/survey`, body);
        s.editingSurvey = false;
        toast(t('survey.saved'));
        drawChrome();
        drawPanel();
      } catch (ex) {
        submit.disabled = false;
        err.show(ex, markServerField(ex, fe, labels));
        if (ex instanceof ApiError && ex.code === 'version_conflict') await load();
      }
    });
    return form;
  }

  // ------------------------------------------------------------------ b. 工作票

  function ticketHint(tk) {
    const leader = isLeader();
    switch (tk.status) {
      case 'draft': return t('ticket.hint.draft');
      case 'issued': return leader ? t('ticket.hint.issued_leader') : t('ticket.hint.issued');
      case 'received': return t('ticket.hint.received');
      case 'permitted': return t('ticket.hint.permitted');
      default: return null;
    }
  }

  function ticketPanel() {
    const tk = s.ticket;
    if (!tk) {
      const canCreate = mayPrepare() && planOpen();
      const err = problemBox('ticket-create-error');
      const btn = h('button.btn.btn-primary.btn-big', { type: 'button', testid: 'ticket-create' }, icon('tickets', 'icon'), h('span', { text: t('ticket.create') }));
      btn.addEventListener('click', async () => {
        err.show(null);
        btn.disabled = true;
        try {
          const r = await post('/tickets', { plan_id: planId });
          toast(t('ticket.created', { number: r.number }));
          await load();
        } catch (ex) {
          btn.disabled = false;
          err.show(ex);
        }
      });
      return h('div',
        note(t('ticket.none'), 'ticket-none'),
        !s.survey ? h('p.muted.small', { testid: 'ticket-survey-first', text: t('ticket.survey_first') }) : null,
        canCreate ? h('div.flow-cta', btn) : h('p.muted.small.reason', { testid: 'ticket-why', text: planOpen() ? t('ticket.who_creates') : t('ticket.closed') }),
        err);
    }
    const hint = ticketHint(tk);
    const view = ticketView({
      me, ticket: tk, hideActions: ['end'], risks: 'show', measures: true,
      extra: hint ? h('p.alert.alert-info.ticket-hint', { testid: 'ticket-hint', text: hint }) : null,
      onChanged: (r) => {
        const was = s.ticket && s.ticket.status;
        s.ticket = r;
        drawChrome();
        if (r.status !== was) drawPanel(); // the hint follows the ticket's state
      },
      onStale: () => load(),
    });
    return view.el;
  }

  // ------------------------------------------------------------------ c. 班前会

  function briefingPanel() {
    const b = s.briefing;
    const p = s.plan;
    const closed = ['finished', 'cancelled'].includes(p.status);
    const canGenerate = (isLeader() || hasRole(me, 'manager') || hasRole(me, 'admin')) && !closed;
    const err = problemBox('briefing-error');
    const call = async (btn, path, done) => {
      err.show(null);
      btn.disabled = true;
      try {
        s.briefing = await post(path, {});
        toast(done);
        drawChrome();
        drawPanel();
      } catch (ex) {
        btn.disabled = false;
        err.show(ex);
      }
    };
    const base = `/plans/${encodeURIComponent(planId)}/briefing`;
    if (!b) {
      const gen = h('button.btn.btn-primary.btn-big', { type: 'button', testid: 'briefing-generate', text: t('briefing.generate') });
      gen.addEventListener('click', () => call(gen, base, t('briefing.generated')));
      return h('div',
        note(t('briefing.none'), 'briefing-none'),
        !s.ticket ? h('p.muted.small', { text: t('briefing.ticket_first') }) : null,
        canGenerate ? h('div.flow-cta', gen) : h('p.muted.small.reason', { testid: 'briefing-why', text: t('briefing.who_generates') }),
        err);
    }
    const held = !!b.held_at;
    const missing = b.missing || [];
    const attendance = b.attendance || [];
    const iMissing = missing.some((x) => x.id === me.id);
    const buttons = [];
    if (!held && canGenerate) {
      const regen = h('button.btn', { type: 'button', testid: 'briefing-regenerate', text: t('briefing.regenerate') });
      regen.addEventListener('click', () => call(regen, base, t('briefing.generated')));
      buttons.push(regen);
    }
    if (!held && isLeader()) {
      const hold = h('button.btn.btn-primary.btn-big', { type: 'button', testid: 'briefing-hold' }, icon('people', 'icon'), h('span', { text: t('briefing.hold') }));
      hold.addEventListener('click', () => call(hold, base + '/actions/hold', t('briefing.held_ok')));
      buttons.push(hold);
    }
    if (held && iMissing) {
      const sign = h('button.btn.btn-primary.btn-big', { type: 'button', testid: 'briefing-sign' }, icon('pen', 'icon'), h('span', { text: t('briefing.sign') }));
      sign.addEventListener('click', () => call(sign, base + '/actions/sign', t('briefing.signed_ok')));
      buttons.push(sign);
    }
    let why = null;
    if (!held && !isLeader()) why = t('briefing.wait_hold');
    else if (held && !iMissing && !onPlan()) why = t('briefing.not_on_plan');
    const c = b.content || {};
    const list = (key, ordered) => {
      const items = c[key] || [];
      if (!items.length) return null;
      return h('details.briefing-part', { testid: 'briefing-' + key, open: key !== 'risks' },
        h('summary', { text: t('briefing.part.' + key) + ` (${items.length})` }),
        h(ordered ? 'ol.plain-list' : 'ul.plain-list', items.map((x) => h('li', { text: x }))));
    };
    const riskPart = (c.risks || []).length ? h('details.briefing-part', { testid: 'briefing-risks' },
      h('summary', { text: t('briefing.part.risks') + ` (${c.risks.length})` }),
      h('ul.risk-cards', c.risks.map((r) => h('li.risk-card',
        h('div.risk-card-head', riskBadge(r.level), h('span.risk-hazard', { text: r.hazard })),
        (r.measures || []).length ? h('ul.plain-list', r.measures.map((m) => h('li', { text: m }))) : null)))) : null;
    return h('div.briefing',
      h('div.briefing-state', { testid: 'briefing-state', dataset: { held: held ? '1' : '0' } },
        held ? h('span.ok-text', icon('check', 'icon icon-sm'), h('span', { text: t('briefing.held_by', { name: nameOf(b.held_by), time: fmtTime(b.held_at, { seconds: false }) }) }))
          : h('span.muted', { text: t('briefing.not_held') }),
        c.ticket_number ? h('span.small.muted', { text: t('briefing.ticket', { number: c.ticket_number }) }) : null),
      buttons.length ? h('div.flow-cta', buttons) : null,
      why ? h('p.muted.small.reason', { testid: 'briefing-why', text: why }) : null,
      err,
      h('div.attendance',
        h('div.attendance-col',
          h('h3.section-title', { text: t('briefing.signed_n', { n: attendance.length }) }),
          attendance.length ? h('ul.people-list', { testid: 'briefing-attendance' }, attendance.map((a) => h('li.person.ok', { dataset: { id: a.user_id } },
            icon('check', 'icon icon-sm'), h('span', { text: a.display_name }), h('span.small.muted', { text: fmtTime(a.signed_at, { seconds: false }) }))))
            : h('p.muted.small', { testid: 'briefing-attendance', text: t('briefing.nobody') })),
        h('div.attendance-col',
          h('h3.section-title', { text: t('briefing.missing_n', { n: missing.length }) }),
          missing.length ? h('ul.people-list', { testid: 'briefing-missing' }, missing.map((a) => h('li.person.missing', { dataset: { id: a.id } },
            icon('pen', 'icon icon-sm'), h('span', { text: a.display_name }))))
            : h('p.muted.small', { testid: 'briefing-missing', text: t('briefing.all_signed') }))),
      h('h3.section-title', { text: t('briefing.content') }),
      h('div.briefing-content', { testid: 'briefing-content' },
        list('workflow', true), list('content'), list('quality'), list('technical'), list('safety'), riskPart));
  }

  // ------------------------------------------------------------------ d. 风险确认

  function risksPanel() {
    const tk = s.ticket;
    if (!tk) return note(t('risk.no_ticket'), 'risks-none');
    const hint = !RISK_CONFIRMABLE.includes(tk.status) && ['draft', 'issued'].includes(tk.status) ? t('risk.after_receive') : null;
    const view = ticketView({
      me, ticket: tk, parts: ['risks'], risks: 'confirm', measures: false, evidence,
      extra: hint ? h('p.alert.alert-info', { text: hint }) : null,
      onChanged: (r) => { s.ticket = r; drawChrome(); },
      onStale: () => load(),
    });
    return view.el;
  }

  // ------------------------------------------------------------------ e. 工器具

  const toolsNeeded = () => (s.tools && s.tools.needed) || [];
  /** Every tool kind the job needs is in hand, and each tool checked out for it is in date and not failed. */
  function toolsReady() {
    if (!s.tools) return false;
    const usable = (x) => x.status !== 'overdue' && x.last_test_result !== 'fail';
    return toolsNeeded().every((n) => (s.tools.checked_out || []).some((x) => x.kind === n.kind && usable(x)));
  }
  const mayHandleTools = () => onPlan() || hasRole(me, 'tool_keeper') || hasRole(me, 'admin');

  async function reloadTools() {
    s.tools = await get(`/plans/${encodeURIComponent(planId)}/tools`);
    drawChrome();
    drawPanel();
  }

  function toolLine(x, testid, extra) {
    return h('li.tool-line', { testid, dataset: { id: x.id, asset: x.asset_no, status: x.status } },
      h('div.tool-line-main',
        h('div.tool-line-top', h('span.mono.tool-line-asset', { text: x.asset_no }), toolStatusBadge(x.status)),
        h('div.small', { text: [...new Set([toolKindName(kinds, x.kind, x.kind_name), x.name].filter(Boolean))].join(' · ') }),
        h('div.small', { class: dueClass(x), text: t('tools.due', { due: dueText(x) }) })),
      extra);
  }

  function toolsPanel() {
    const tl = s.tools;
    if (!tl) return note(t('tools.unavailable'), 'tools-none');
    const p = s.plan;
    const open = !['finished', 'cancelled'].includes(p.status);
    const may = mayHandleTools() && open;
    const err = refusalBox('tools-error');
    const warn = warningBox('tools-warning');
    if (toolWarnings) warn.show(toolWarnings);
    const needed = toolsNeeded();
    const out = tl.checked_out || [];
    const proposed = tl.proposed || [];
    const inHand = needed.filter((n) => n.in_hand).length;

    const needList = needed.length
      ? h('ul.checklist', { testid: 'tools-needed', dataset: { done: String(inHand), total: String(needed.length) } }, needed.map((n) => {
        const mine = out.filter((x) => x.kind === n.kind);
        return h('li.check-item', { class: n.in_hand ? 'ok' : 'open', testid: 'tools-need-' + n.kind, dataset: { ok: n.in_hand ? '1' : '0' } },
          h('span.check-mark', icon(n.in_hand ? 'check' : 'close', 'icon icon-sm')),
          h('span.check-name', { text: toolKindName(kinds, n.kind, n.name) }),
          h('span.small.muted', { text: mine.length ? mine.map((x) => x.asset_no).join('、') : t('tools.not_in_hand') }));
      }))
      : h('p.muted.small', { testid: 'tools-needed', text: t('tools.none_needed') });

    const outList = out.length
      ? h('ul.tool-lines', { testid: 'tools-out' }, out.map((x) => {
        const btn = may ? h('button.btn.btn-sm', { type: 'button', testid: 'tools-return-' + x.asset_no, text: t('tool.return') }) : null;
        if (btn) btn.addEventListener('click', () => returnTool(x));
        return toolLine(x, 'tools-out-' + x.asset_no, btn);
      }))
      : h('p.muted.small', { testid: 'tools-out', text: t('tools.none_out') });

    const propList = proposed.length
      ? h('ul.tool-lines', { testid: 'tools-proposed' }, proposed.map((x) => {
        const btn = may ? h('button.btn.btn-primary.btn-sm', { type: 'button', testid: 'tools-checkout-' + x.asset_no }, h('span', { text: t('tools.checkout') })) : null;
        if (btn) {
          btn.addEventListener('click', async () => {
            err.show(null);
            btn.disabled = true;
            try {
              const r = await checkout(x.id, planId);
              toolWarnings = (r.warnings || []).length ? r.warnings.map((w) => ({ ...w, asset_no: x.asset_no })) : null;
              toast(t('scan.checked_out', { asset: x.asset_no }));
              await reloadTools();
            } catch (ex) {
              btn.disabled = false;
              err.show(ex);
              err.scrollIntoView({ block: 'nearest' });
            }
          });
        }
        return toolLine(x, 'tools-propose-' + x.asset_no, btn);
      }))
      : h('p.muted.small', { testid: 'tools-proposed', text: inHand < needed.length ? t('tools.none_proposed') : t('tools.all_in_hand') });

    const scan = may ? appLinkBtn('/scan?plan=' + encodeURIComponent(planId)) : null;
    return h('div.tools-step',
      h('p.muted.small', { text: t('tools.intro') }),
      scan ? h('div.flow-cta', scan) : null,
      !may ? h('p.muted.small.reason', { testid: 'tools-why', text: open ? t('tools.who') : t('tools.closed') }) : null,
      h('h3.section-title', { text: t('tools.needed_n', { done: inHand, total: needed.length }) }),
      needList,
      h('h3.section-title', { text: t('tools.out_n', { n: out.length }) }),
      warn,
      outList,
      h('h3.section-title', { text: t('tools.proposed') }),
      err,
      propList);
  }

  function appLinkBtn(href) {
    return h('a.btn.btn-big', {
      href, testid: 'tools-scan',
      onclick: (e) => { if (e.button === 0 && !e.ctrlKey && !e.metaKey && !e.shiftKey) { e.preventDefault(); navigate(href); } },
    }, icon('camera', 'icon'), h('span', { text: t('tools.scan') }));
  }

  async function returnTool(x) {
    const r = await formDialog({
      title: t('tool.return_title', { asset: x.asset_no }),
      testid: 'return-dialog',
      submit: t('tool.return'),
      fields: [
        { name: 'condition', label: t('tool.condition'), type: 'radio', value: 'good', options: RETURN_CONDITIONS.map((c) => ({ value: c, label: t('tool.condition.' + c) })) },
        { name: 'note', label: t('tool.note'), type: 'textarea', rows: '2' },
      ],
      onSubmit: async (v) => {
        try {
          return await giveBack(x.id, v.condition, String(v.note || '').trim());
        } catch (ex) {
          ex.message = refusalText(ex);
          throw ex;
        }
      },
    });
    if (!r) return;
    toolWarnings = null;
    toast(t('tool.returned', { asset: x.asset_no }));
    await reloadTools();
  }

  // ------------------------------------------------------------------ f. 开工

  /** Who on the job may not work yet (GET /plans/{id}/readiness), with why; what gate_person_unqualified says. */
  function qualifiedDetail() {
    if (!s.readiness) return t('start.check.qualified_unknown');
    const bad = (s.readiness.items || []).filter((x) => !x.ready);
    if (!bad.length) return t('start.check.qualified_all', { n: (s.readiness.items || []).length });
    return bad.map((x) => t('gate.named_why', { name: x.display_name, why: (x.reasons || []).map(reasonText).join('；') })).join('、');
  }

  function startPanel() {
    const p = s.plan;
    const tk = s.ticket;
    const b = s.briefing;
    const people = 1 + (p.crew_ids || []).length;
    const checks = [
      ['ticket', !!tk && tk.status === 'permitted', tk ? t('start.check.ticket_state', { status: statusName('ticket', tk.status) }) : t('start.check.no_ticket')],
      ['briefing', stepDone('briefing'), b ? (b.held_at ? t('start.check.missing', { n: (b.missing || []).length }) : t('briefing.not_held')) : t('briefing.none')],
      ['risks', stepDone('risks'), tk ? t('risk.progress', { done: (tk.risks || []).filter((r) => r.confirmed_at).length, total: (tk.risks || []).length }) : t('start.check.no_ticket')],
      ['people', people >= 2, t('start.check.people_n', { n: people })],
      ['qualified', !!s.readiness && (s.readiness.items || []).every((x) => x.ready), qualifiedDetail()],
      ['tools', toolsReady(), s.tools ? t('tools.in_hand', { done: toolsNeeded().filter((n) => n.in_hand).length, total: toolsNeeded().length }) : t('tools.unavailable')],
      p.high_risk ? ['supervision', !!(p.video_link || p.onsite_supervisor_id), p.video_link || p.onsite_supervisor_id ? t('start.check.supervised') : t('start.check.unsupervised')] : null,
    ].filter(Boolean);
    const list = h('ul.checklist', { testid: 'start-checklist' }, checks.map(([k, ok, detail]) => h('li.check-item', { class: ok ? 'ok' : 'open', testid: 'start-check-' + k, dataset: { ok: ok ? '1' : '0' } },
      h('span.check-mark', icon(ok ? 'check' : 'close', 'icon icon-sm')),
      h('span.check-name', { text: t('start.check.' + k) }),
      h('span.small.muted', { text: detail }))));
    const err = problemBox('start-error');
    if (p.status !== 'published') {
      const started = ['working', 'paused', 'finished'].includes(p.status);
      return h('div',
        started ? note(t('start.started_at', { time: fmtTime(p.started_at, { seconds: false }) }), 'start-done', 'info')
          : note(p.status === 'draft' ? t('flow.next.draft') : t('start.not_possible', { status: statusName('plan', p.status) }), 'start-not'),
        started ? null : list);
    }
    const canStart = (p.actions || []).includes('start');
    const btn = h('button.btn.btn-primary.btn-big.btn-start', { type: 'button', testid: 'flow-start' }, icon('play', 'icon'), h('span', { text: actionName('plan', 'start') }));
    btn.addEventListener('click', async () => {
      err.show(null);
      btn.disabled = true;
      try {
        await post(`/plans/${encodeURIComponent(p.id)}/actions/start`, { version: p.version });
        toast(t('start.started'));
        selected = 'steps';
        await load();
      } catch (ex) {
        btn.disabled = false;
        err.show(ex, ex instanceof ApiError && ex.details && Array.isArray(ex.details.gates) ? t('start.fix_all') : undefined);
        err.scrollIntoView({ block: 'nearest' });
        if (ex instanceof ApiError && (ex.code === 'invalid_transition' || ex.code === 'version_conflict')) await load();
      }
    });
    return h('div',
      h('p.muted.small', { text: t('start.intro') }),
      list,
      canStart && isLeader() ? h('div.flow-cta', btn) : h('p.muted.small.reason', { testid: 'start-why', text: t('start.only_leader') }),
      err);
  }

  // ------------------------------------------------------------------ g. 作业步骤

  function stepsPanel() {
    const st = s.steps;
    const p = s.plan;
    if (!st) return note(t('steps.unavailable'), 'steps-none');
    const pr = st.progress || { done: 0, total: 0 };
    const canRecord = p.status === 'working' && onPlan();
    const why = p.status === 'published' || p.status === 'draft' ? t('steps.before_start')
      : p.status === 'paused' ? t('steps.paused')
        : p.status === 'finished' ? t('steps.finished')
          : !onPlan() ? t('steps.not_on_plan') : null;
    return h('div.steps',
      progressBar(pr.done, pr.total, 'steps-progress'),
      why ? h('p.alert.alert-info', { testid: 'steps-why', text: why }) : null,
      (st.items || []).map((it) => orderSteps(it, canRecord)));
  }

  function progressBar(done, total, testid) {
    const pct = total ? Math.round((done / total) * 100) : 0;
    return h('div.progress', { testid, role: 'progressbar', 'aria-valuemin': '0', 'aria-valuemax': String(total), 'aria-valuenow': String(done), dataset: { done: String(done), total: String(total) } },
      h('div.progress-track', h('div.progress-fill', { style: `width:${pct}%` })),
      h('span.progress-text', { text: t('steps.progress', { done, total, pct }) }));
  }

  function orderSteps(it, canRecord) {
    const o = it.work_order || {};
    const steps = it.steps || [];
    const nextNo = (steps.find((x) => !x.done) || {}).no;
    const pr = it.progress || { done: 0, total: steps.length };
    return h('section.order-steps', { testid: 'steps-order-' + o.number },
      h('div.order-steps-head',
        h('div', h('span.mono', { text: o.number }), h('span', { text: ' · ' + (o.customer_name || kindName(o.kind)) })),
        o.site_address ? h('div.small.muted', { text: o.site_address }) : null,
        it.sop ? h('div.small', { text: loc(it.sop, 'name') }) : null,
        progressBar(pr.done, pr.total, 'steps-progress-' + o.number)),
      h('ol.sop-steps', steps.map((stp) => stepItem(o, stp, stp.no === nextNo, canRecord))));
  }

  function recordValue(def, v) {
    if (v === null || v === undefined || v === '') return '—';
    if (def && def.type === 'choice') {
      const c = (def.choices || []).find((x) => x.value === v);
      return c ? loc(c, 'label') : String(v);
    }
    return def && def.unit ? `${v} ${def.unit}` : String(v);
  }

  function stepItem(o, stp, isNext, canRecord) {
    const d = stp.done;
    const state = d ? 'done' : isNext ? 'next' : 'locked';
    const li = h('li.sop-step', { class: state, testid: `step-${o.number}-${stp.no}`, dataset: { state, no: String(stp.no) } },
      h('div.sop-step-head',
        h('span.sop-step-no', d ? icon('check', 'icon icon-sm') : h('span', { text: String(stp.no) })),
        h('span.sop-step-title', { text: loc(stp, 'title') }),
        stp.photo_required ? h('span.badge.badge-info', { text: t('steps.photo_badge') }) : null,
        d ? h('span.badge', { class: d.result === 'ok' ? 'badge-ok' : 'badge-danger', testid: 'step-result', text: t('steps.result.' + d.result) }) : null));
    if (d || isNext) li.append(h('div.sop-quality', h('span.sop-quality-label', { text: t('steps.quality') }), h('span', { text: loc(stp, 'quality') })));
    if (d) {
      const defs = new Map((stp.records || []).map((r) => [r.key, r]));
      // In the SOP's order, then anything the definitions do not name.
      const got = d.records || {};
      const recs = (stp.records || []).filter((r) => r.key in got).map((r) => [r.key, got[r.key]])
        .concat(Object.entries(got).filter(([k]) => !defs.has(k)));
      li.append(h('div.step-done', { testid: 'step-done' },
        recs.length ? h('dl.kv.kv-compact-rows.step-readings', recs.flatMap(([k, v]) => [
          h('dt', { text: loc(defs.get(k), 'label') || k }), h('dd', { testid: 'step-reading-' + k, text: recordValue(defs.get(k), v) })])) : null,
        d.note ? h('div.small.pre-line', { text: d.note }) : null,
        thumbs(d.photos, { testid: 'step-photos' }),
        h('div.small.muted', { text: t('steps.done_by', { name: d.done_by_name || nameOf(d.done_by), time: fmtTime(d.done_at, { seconds: false }) }) })));
    } else if (isNext && canRecord) {
      li.append(stepForm(o, stp));
    }
    return li;
  }

  function stepForm(o, stp) {
    const inputs = {};
    const fe = {};
    const labels = {};
    const err = problemBox('step-error');
    const rows = (stp.records || []).map((r) => {
      const label = loc(r, 'label') + (r.required ? ' *' : '');
      labels['records.' + r.key] = loc(r, 'label');
      let input;
      let wrap;
      const tid = 'step-rec-' + r.key;
      if (r.type === 'choice') {
        const choices = r.choices || [];
        input = h('div.radio-row', { role: 'radiogroup', testid: tid },
          choices.map((c) => h('label.radio-card',
            h('input', { type: 'radio', name: tid, value: c.value, testid: `${tid}-${c.value}` }),
            h('span', { text: loc(c, 'label') }))));
        input.getValue = () => { const c = input.querySelector('input:checked'); return c ? c.value : ''; };
        wrap = h('fieldset.field', h('legend.field-label', { text: label }), input);
      } else {
        const numeric = r.type === 'reading' || r.type === 'number';
        input = h('input.input', {
          type: numeric ? 'number' : 'text', testid: tid, name: r.key,
          inputmode: numeric ? 'decimal' : r.type === 'ratio' ? 'numeric' : null,
          step: numeric ? 'any' : null, min: r.type === 'reading' ? '0' : null,
          placeholder: r.type === 'ratio' ? '200/5' : r.type === 'asset_no' ? t('steps.asset_placeholder') : null,
          autocapitalize: r.type === 'asset_no' ? 'characters' : null, autocomplete: 'off', spellcheck: 'false',
        });
        const hint = r.type === 'asset_no' ? t('steps.asset_hint') : r.type === 'ratio' ? t('steps.ratio_hint') : r.type === 'reading' ? t('steps.reading_hint') : null;
        input.id = 'f-' + Math.random().toString(36).slice(2, 9);
        wrap = h('div.field',
          h('label.field-label', { for: input.id, text: label }),
          r.unit ? h('div.input-unit', input, h('span.unit', { text: r.unit })) : input,
          hint ? h('div.field-hint', { text: hint }) : null);
      }
      inputs[r.key] = input;
      fe['records.' + r.key] = wrap;
      return wrap;
    });
    const resultOk = h('input', { type: 'radio', name: 'step-result', value: 'ok', checked: true, testid: 'step-result-ok' });
    const resultBad = h('input', { type: 'radio', name: 'step-result', value: 'nonconforming', testid: 'step-result-nonconforming' });
    const fNote = h('textarea.input', { rows: '2', maxlength: '2000', testid: 'step-note' });
    const photos = pendingPhotos({
      entity: 'step', entityId: o.id, testid: 'step-photo', label: t('steps.photo'), required: stp.photo_required,
      onChange: (ids) => { if (ids.length && fe.photo_ids) fe.photo_ids.classList.remove('invalid'); },
    });
    const submit = h('button.btn.btn-primary.btn-big', { type: 'submit', testid: 'step-submit', text: t('steps.submit', { n: stp.no }) });
    fe.photo_ids = h('fieldset.field',
      h('legend.field-label', { text: stp.photo_required ? t('steps.photos_required') : t('steps.photos') }), photos);
    fe.result = h('fieldset.field', h('legend.field-label', { text: t('steps.result') }),
      h('div.radio-row', { role: 'radiogroup' },
        h('label.radio-card.ok', resultOk, h('span', { text: t('steps.result.ok') })),
        h('label.radio-card.bad', resultBad, h('span', { text: t('steps.result.nonconforming') }))));
    fe.note = field(t('steps.note'), fNote);
    labels.photo_ids = t('steps.photos');
    labels.note = t('steps.note');
    const form = h('form.flow-form.step-form', { testid: 'step-form', novalidate: true, dataset: { no: String(stp.no), order: o.number } },
      rows, fe.result, fe.note, fe.photo_ids, err, h('div.form-actions', submit));
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      err.show(null);
      clearMarks(fe);
      const records = {};
      for (const r of stp.records || []) {
        const input = inputs[r.key];
        const raw = String(input.getValue ? input.getValue() : input.value).trim();
        const bad = (msg) => { fe['records.' + r.key].classList.add('invalid'); err.show(msg); (input.querySelector ? input.querySelector('input') || input : input).focus(); };
        if (!raw) {
          if (r.required) return bad(t('form.required', { field: loc(r, 'label') }));
          continue;
        }
        if (r.type === 'reading' || r.type === 'number') {
          const n = Number(raw);
          if (!Number.isFinite(n) || (r.type === 'reading' && n < 0)) return bad(t('steps.bad_number', { field: loc(r, 'label') }));
          records[r.key] = n;
        } else {
          records[r.key] = raw;
        }
      }
      const photoIds = photos.ids();
      if (stp.photo_required && !photoIds.length) {
        fe.photo_ids.classList.add('invalid');
        err.show(t('steps.photo_missing'));
        return;
      }
      const body = { work_order_id: o.id, step_no: stp.no, result: resultBad.checked ? 'nonconforming' : 'ok', records };
      if (fNote.value.trim()) body.note = fNote.value.trim();
      if (photoIds.length) body.photo_ids = photoIds;
      submit.disabled = true;
      try {
        s.steps = await post(`/plans/${encodeURIComponent(planId)}/steps`, body);
        toast(t('steps.recorded', { n: stp.no }));
        drawChrome();
        drawPanel();
        const nextForm = panel.querySelector('[data-testid="step-form"]');
        if (nextForm) nextForm.closest('.sop-step').scrollIntoView({ block: 'start' });
      } catch (ex) {
        submit.disabled = false;
        err.show(ex, markServerField(ex, fe, labels));
        if (ex instanceof ApiError && ['step_done', 'step_out_of_order', 'invalid_transition'].includes(ex.code)) {
          s.steps = await get(`/plans/${encodeURIComponent(planId)}/steps`).catch(() => s.steps);
        }
      }
    });
    return form;
  }

  // ------------------------------------------------------------------ h. 终结

  function endPanel() {
    const p = s.plan;
    const tk = s.ticket;
    const err = problemBox('end-error');
    const parts = [];
    const leader = isLeader();
    if (p.status === 'finished') {
      parts.push(note(t('end.finished', { time: fmtTime(p.finished_at, { seconds: false }) }), 'flow-finished', 'info'));
    }
    if (tk && (tk.status === 'ended' || tk.status === 'archived')) {
      parts.push(h('div.end-done', { testid: 'end-ticket-ended' },
        h('p.end-done-line', icon('check', 'icon icon-sm'), h('span', { text: t('end.ticket_ended', { number: tk.number, time: fmtTime(tk.ended_at, { seconds: false }) }) })),
        tk.end_note ? h('p.pre-line.small', { text: tk.end_note }) : null,
        thumbs(tk.photos, { testid: 'end-photos' })));
    } else if (tk && ['working', 'interrupted'].includes(tk.status) && (tk.actions || []).includes('end') && leader) {
      let fePhotos = null;
      const photos = pendingPhotos({
        entity: 'ticket', entityId: tk.id, testid: 'end-photo', label: t('end.photo'), required: true,
        onChange: (ids) => { if (ids.length) { fePhotos.classList.remove('invalid'); err.show(null); } },
      });
      const fNote = h('textarea.input', { rows: '3', maxlength: '2000', testid: 'end-note', placeholder: t('end.note_placeholder') });
      fePhotos = h('fieldset.field', h('legend.field-label', { text: t('end.photos_required') }), photos);
      const btn = h('button.btn.btn-primary.btn-big', { type: 'button', testid: 'end-submit' }, icon('pen', 'icon'), h('span', { text: t('end.submit') }));
      btn.addEventListener('click', async () => {
        err.show(null);
        fePhotos.classList.remove('invalid');
        if (!photos.ids().length) { fePhotos.classList.add('invalid'); err.show(t('end.photo_missing')); return; }
        const r = await ticketActionDialog(tk, 'end', { photoIds: photos.ids(), note: fNote.value });
        if (r) {
          toast(t('end.ended_ok'));
          await load();
        }
      });
      parts.push(h('div.flow-form', { testid: 'end-form' },
        h('p.muted.small', { text: t('end.intro') }),
        fePhotos, field(t('end.note'), fNote), err, h('div.flow-cta', btn)));
    } else if (p.status !== 'finished') {
      const why = !tk ? t('risk.no_ticket')
        : !['working', 'interrupted'].includes(tk.status) ? t('end.before_start')
          : t('end.only_leader');
      parts.push(h('p.alert.alert-info', { testid: 'end-why', text: why }));
    }
    if ((p.actions || []).includes('finish') && (!tk || tk.status === 'ended' || tk.status === 'archived')) {
      const pr = (s.steps && s.steps.progress) || { done: 0, total: 0 };
      const fin = h('button.btn.btn-primary.btn-big', { type: 'button', testid: 'flow-finish' }, icon('flag', 'icon'), h('span', { text: actionName('plan', 'finish') }));
      fin.addEventListener('click', async () => {
        err.show(null);
        const left = pr.total - pr.done;
        if (!(await confirmDialog({
          title: t('end.finish_title', { number: p.number }),
          body: left > 0 ? t('end.finish_steps_left', { n: left }) : t('end.finish_body'),
          confirm: actionName('plan', 'finish'),
        }))) return;
        fin.disabled = true;
        try {
          await post(`/plans/${encodeURIComponent(p.id)}/actions/finish`, { version: p.version });
          toast(t('end.finished_ok'));
          await load();
        } catch (ex) {
          fin.disabled = false;
          err.show(ex);
          if (ex instanceof ApiError && (ex.code === 'invalid_transition' || ex.code === 'version_conflict')) await load();
        }
      });
      parts.push(h('div.flow-cta', fin), err);
    }
    return h('div', parts);
  }

  // ------------------------------------------------------------------ job info

  function info() {
    const p = s.plan;
    const orders = p.work_orders || [];
    const leader = p.leader ? h('span',
      h('span', { text: personName(p.leader) }),
      p.leader.phone ? h('a.tel', { href: 'tel:' + p.leader.phone, text: p.leader.phone }) : null) : null;
    return h('section.job-info', { testid: 'job-info' },
      h('h3.section-title', { text: t('flow.info') }),
      kvList([
        [t('plan.date'), p.date],
        [t('plan.place'), p.place],
        [t('plan.leader'), leader],
        [t('plan.crew'), (p.crew || []).length ? h('div.chips', p.crew.map((c) => h('span.chip', { text: personName(c) }))) : null],
        p.high_risk ? [t('plan.high_risk'), t('risk.high_hint')] : null,
        p.video_link ? [t('plan.video_link'), h('span.mono.small', { text: p.video_link })] : null,
        [t('plan.content'), p.content ? h('div.pre-line', { text: p.content }) : null],
      ]),
      h('h3.section-title', { text: t('plan.orders_n', { n: orders.length }) }),
      h('ul.job-orders.job-orders-detail', { testid: 'job-detail-orders' }, orders.map((o) => h('li.job-order', { testid: 'job-order-' + o.number },
        h('div.job-order-main',
          h('span.job-order-customer', { text: o.customer_name || '—' }),
          h('span.mono.small', { text: o.number })),
        h('div.small', { text: kindName(o.kind) }),
        o.site_address ? h('div.job-order-addr', icon('place', 'icon icon-sm'), h('span', { text: o.site_address })) : null,
        kvList([
          [t('order.customer_no'), o.customer_no ? h('span.mono', { text: o.customer_no }) : null],
          [t('order.meter_asset_no'), o.meter_asset_no ? h('span.mono', { text: o.meter_asset_no }) : null],
        ], 'kv-compact-rows')))));
  }

  load({ keepStep: false });
}

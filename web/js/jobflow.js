// 我的作业 → one job on the phone (R0.8, R3.3–R3.9, R3.6): the on-site flow in order, with a step indicator:
// 现场勘察 → 工作票 → 班前会 → 风险确认 → 工器具 → 开工 → 作业步骤 → 终结. Each step is one panel; what the signed-in
// person may not do is hidden or disabled with the reason. This file is the coordinator (loading, the step indicator,
// the next-step line, pause / resume); each step's panel is its own module in web/js/jobflow/. Everything comes from
// the server:
//   GET /plans/{id}, /plans/{id}/survey, /tickets?plan_id=, /tickets/{id}, /plans/{id}/briefing, /plans/{id}/steps,
//   /plans/{id}/tools (the tool kinds the job needs, what is checked out for it, in-date tools to propose).
import { h, mount, icon } from './dom.js';
import { t, tOr, roleName } from './i18n.js';
import { get, post, ApiError } from './api.js';
import { hasRole } from './perm.js';
import { toast, loading, confirmDialog } from './ui.js';
import { statusBadge, statusName, riskBadge, highRiskBadge, personName, problemBox, detailHead, actionName } from './fw.js';
import { pickTicket } from './ticketview.js';
import { toolKinds } from './toolkit.js';
import { jobReads } from './jobreads.js';
import { FLOW, PLAN_OPEN, TICKET_DONE, orNull, toolsReady } from './jobflow/common.js';
import { surveyStep } from './jobflow/survey.js';
import { ticketStep } from './jobflow/ticket.js';
import { briefingStep } from './jobflow/briefing.js';
import { risksStep } from './jobflow/risks.js';
import { toolsStep } from './jobflow/tools.js';
import { startStep } from './jobflow/start.js';
import { stepsStep } from './jobflow/steps.js';
import { endStep } from './jobflow/end.js';
import { infoPart } from './jobflow/info.js';

export { FLOW };

/**
 * Render the job /jobs/{planId} into el. ctx: me, navigate. Returns nothing; the page reloads its data after
 * every change the server accepts.
 */
export function renderJobFlow(el, { me, planId, navigate }) {
  const s = { plan: null, survey: null, ticket: null, briefing: null, steps: null, tools: null, readiness: null, editingSurvey: false };
  let kinds = []; // tool kinds (GET /kb/tool_kinds), for their names
  let selected = null;
  let loadSeq = 0;
  let loads = 0; // finished loads, on the card as data-loads (a reload is visible to tests)
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
      const R = jobReads(planId); // the same reads app.js may have started at boot (their answers are taken here)
      const [plan, survey, tickets, briefing, steps, tools, ks, readiness] = await Promise.all([
        get(...R.plan),
        orNull(get(...R.survey)),
        get(...R.tickets),
        orNull(get(...R.briefing)),
        get(...R.steps).catch(() => null),
        get(...R.tools).catch(() => null),
        toolKinds().catch(() => []),
        get(...R.readiness).catch(() => null),
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
      case 'tools': return toolsReady(s);
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
    const body = panels[id]();
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

  // ------------------------------------------------------------------ the step panels (web/js/jobflow/*.js)

  // What the panels read and call back: the state, who may do what, and the redraws and reload.
  const f = {
    s, me, planId, navigate, panel, load, drawChrome, drawPanel, select,
    setSelected: (id) => { selected = id; },
    isLeader, onPlan, myRole, planOpen, mayPrepare, nameOf, stepDone,
    get kinds() { return kinds; },
  };
  const panels = {
    survey: surveyStep(f), ticket: ticketStep(f), briefing: briefingStep(f), risks: risksStep(f), tools: toolsStep(f),
    start: startStep(f), steps: stepsStep(f), end: endStep(f),
  };
  const info = infoPart(f);

  // the outbox sent what was recorded offline (js/offline/sync.js): the server's records replace the page's
  const synced = () => { if (!card.isConnected) window.removeEventListener('fg:synced', synced); else load(); };
  window.addEventListener('fg:synced', synced);

  load({ keepStep: false });
}

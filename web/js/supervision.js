// 监督看板 (R3.10, R3.13, R2.1): the day's jobs by state, polled every 5 s with If-None-Match (a 304 leaves the
// board as it is), risk levels in colour, ticket state, step progress, violations; findings (supervision.write);
// the evaluation of ended tickets; and the evaluation coverage (GET /evaluations/coverage) as a ring.
import { h, mount, icon } from './dom.js';
import { pageLife, isAbort } from './lifecycle.js';
import { t, fmtTime, todayShanghai } from './i18n.js';
import { get, post, getConditional, ApiError } from './api.js';
import { canPlans, canSuperviseWrite } from './perm.js';
import { toast, formDialog, loading } from './ui.js';
import { statusBadge, riskBadge, highRiskBadge, problemBox, appLink, planStatuses } from './fw.js';

const POLL_MS = 5000;
const SVG_NS = 'http://www.w3.org/2000/svg';
const DAY = 24 * 3600 * 1000;
const SHANGHAI = 8 * 3600 * 1000;

/** Findings and evaluations need supervision.write (supervisor, manager). */
export const canSupervise = canSuperviseWrite;

/** Midnight of a YYYY-MM-DD day in Asia/Shanghai, as epoch ms. */
function dayStart(date) {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date || '');
  if (!m) return null;
  return Date.UTC(+m[1], +m[2] - 1, +m[3]) - SHANGHAI;
}

/** Ended tickets not evaluated yet (all time): ids, so a ticket offers its evaluation only while it has none. */
export async function unevaluatedIds() {
  const c = await get('/evaluations/coverage');
  return new Set(((c && c.unevaluated) || []).map((x) => x.id));
}

/**
 * The evaluation of an ended ticket (POST /tickets/{id}/evaluation): qualified or not, with reasons (needed
 * when not qualified). Resolves the evaluation, or null when cancelled.
 */
export function evaluateDialog(ticket) {
  return formDialog({
    title: t('eval.title', { number: ticket.number }),
    body: t('eval.body'),
    testid: 'eval-dialog',
    submit: t('eval.submit'),
    box: problemBox('eval-dialog-error'),
    fields: [
      {
        name: 'qualified', type: 'radio', label: t('eval.qualified'), value: 'yes',
        options: [{ value: 'yes', label: t('eval.qualified.yes') }, { value: 'no', label: t('eval.qualified.no') }],
      },
      { name: 'reasons', type: 'textarea', label: t('eval.reasons'), hint: t('eval.reasons_hint') },
    ],
    onSubmit: async (v) => {
      const reasons = String(v.reasons || '').split('\n').map((x) => x.trim()).filter(Boolean);
      const qualified = v.qualified !== 'no';
      if (!qualified && !reasons.length) throw new ApiError(0, 'local', t('eval.reasons_required'), { field: 'reasons' });
      const body = { qualified };
      if (reasons.length) body.reasons = reasons;
      return post(`/tickets/${encodeURIComponent(ticket.id)}/evaluation`, body);
    },
  });
}

/** A ring showing a share (0…1), drawn with SVG: no library. */
export function ring(share, { size = 96, stroke = 10, testid } = {}) {
  const r = (size - stroke) / 2;
  const c = 2 * Math.PI * r;
  const v = Math.max(0, Math.min(1, Number(share) || 0));
  const svg = document.createElementNS(SVG_NS, 'svg');
  svg.setAttribute('viewBox', `0 0 ${size} ${size}`);
  svg.setAttribute('width', String(size));
  svg.setAttribute('height', String(size));
  svg.setAttribute('class', 'ring');
  svg.setAttribute('role', 'img');
  svg.setAttribute('aria-label', t('coverage.ring_label', { pct: Math.round(v * 100) }));
  if (testid) svg.dataset.testid = testid;
  const circle = (cls, dash) => {
    const el = document.createElementNS(SVG_NS, 'circle');
    el.setAttribute('cx', String(size / 2));
    el.setAttribute('cy', String(size / 2));
    el.setAttribute('r', String(r));
    el.setAttribute('fill', 'none');
    el.setAttribute('stroke-width', String(stroke));
    el.setAttribute('class', cls);
    if (dash !== undefined) {
      el.setAttribute('stroke-dasharray', `${dash} ${c}`);
      el.setAttribute('transform', `rotate(-90 ${size / 2} ${size / 2})`);
      el.setAttribute('stroke-linecap', dash > 0 ? 'round' : 'butt');
    }
    return el;
  };
  svg.append(circle('ring-track'), circle(v >= 1 ? 'ring-fill full' : 'ring-fill', c * v));
  const text = document.createElementNS(SVG_NS, 'text');
  text.setAttribute('x', '50%');
  text.setAttribute('y', '50%');
  text.setAttribute('dominant-baseline', 'central');
  text.setAttribute('text-anchor', 'middle');
  text.setAttribute('class', 'ring-text');
  text.dataset.testid = 'coverage-pct';
  text.textContent = `${Math.round(v * 100)}%`;
  svg.append(text);
  return svg;
}

export function renderSupervision(el, { me, path, navigate }) {
  if (path !== '/supervision') return false;
  const write = canSupervise(me);
  let etag = null;
  let board = null;
  let renders = 0;
  let unevaluated = new Set();
  const totals = new Map(); // plan id -> SOP steps in total (fetched once; the board gives steps done)
  const life = pageLife(); // leaving the board ends the poll, the visibility listener and requests in flight
  const signal = life.signal;

  const date = h('input.input', { type: 'date', testid: 'board-date', 'aria-label': t('board.date'), value: todayShanghai() });
  const today = h('button.btn', { type: 'button', testid: 'board-today', text: t('plan.today') });
  const live = h('span.board-live.small', { testid: 'board-live', role: 'status' });
  const err = problemBox('board-error');
  const summary = h('div.board-summary', { testid: 'board-summary' });
  const columns = h('div.board', { testid: 'board', dataset: { renders: '0' } }, loading());
  const period = h('select.input', { testid: 'coverage-period', 'aria-label': t('coverage.period') },
    ['day', '7d', '30d', 'all'].map((p) => h('option', { value: p, text: t('coverage.period.' + p) })));
  const coverageBody = h('div.coverage-body', loading());
  const coverage = h('section.card.coverage', { testid: 'coverage' },
    h('div.coverage-head', h('h2.card-title', { text: t('coverage.title') }), period),
    coverageBody);

  date.addEventListener('change', () => { etag = null; poll(); loadCoverage(); });
  today.addEventListener('click', () => { date.value = todayShanghai(); etag = null; poll(); loadCoverage(); });
  period.addEventListener('change', () => loadCoverage());

  async function loadCoverage() {
    const start = dayStart(date.value || todayShanghai());
    const q = {};
    if (period.value !== 'all' && start !== null) {
      const days = period.value === '7d' ? 7 : period.value === '30d' ? 30 : 1;
      q.from = start - (days - 1) * DAY;
      q.to = start + DAY;
    }
    try {
      const [c, all] = await Promise.all([get('/evaluations/coverage', q, { signal }), get('/evaluations/coverage', undefined, { signal })]);
      unevaluated = new Set(((all && all.unevaluated) || []).map((x) => x.id));
      drawCoverage(c);
      if (board) drawBoard();
    } catch (ex) {
      if (isAbort(ex)) return;
      const b = problemBox('coverage-error');
      b.show(ex);
      mount(coverageBody, b);
    }
  }

  function drawCoverage(c) {
    const open = c.unevaluated || [];
    mount(coverageBody,
      h('div.coverage-figure',
        ring(c.coverage, { testid: 'coverage-ring' }),
        h('dl.coverage-numbers', { dataset: { ended: String(c.ended), evaluated: String(c.evaluated), qualified: String(c.qualified) } },
          h('dt', { text: t('coverage.ended') }), h('dd', { testid: 'coverage-ended', text: String(c.ended) }),
          h('dt', { text: t('coverage.evaluated') }), h('dd', { testid: 'coverage-evaluated', text: String(c.evaluated) }),
          h('dt', { text: t('coverage.qualified') }), h('dd', { testid: 'coverage-qualified', text: String(c.qualified) }))),
      h('p.small.muted', { text: c.ended ? t('coverage.target') : t('coverage.none_ended') }),
      open.length ? h('div.coverage-open',
        h('div.small', { text: t('coverage.open', { n: open.length }) }),
        h('div.chips', { testid: 'coverage-unevaluated' }, open.slice(0, 12).map((x) =>
          canPlans(me) ? appLink('/tickets/' + encodeURIComponent(x.id), x.number, navigate, { class: 'chip mono' }) : h('span.chip.mono', { text: x.number })))) : null);
  }

  async function poll() {
    if (life.ended) return;
    const want = date.value || todayShanghai();
    try {
      const r = await getConditional('/board', { date: want }, etag, { signal });
      if (want !== (date.value || todayShanghai())) return;
      err.show(null);
      live.textContent = t('board.live', { time: fmtTime(Date.now()) });
      live.dataset.status = String(r.status);
      if (r.status === 304) return; // nothing changed: leave the board as it is
      const changed = !board || r.etag !== etag;
      etag = r.etag;
      board = r.data;
      if (changed) {
        drawBoard();
        loadTotals();
      }
    } catch (ex) {
      if (isAbort(ex)) return;
      err.show(ex);
      live.textContent = t('board.offline');
    }
  }

  const onVisible = () => { if (!document.hidden) poll(); };

  /** Total SOP steps per job, from GET /plans/{id}/steps once per plan (the board gives only steps done). */
  async function loadTotals() {
    const missing = ((board && board.jobs) || []).filter((j) => !totals.has(j.id));
    if (!missing.length || !canPlans(me)) return;
    await Promise.all(missing.map(async (j) => {
      try {
        const st = await get(`/plans/${encodeURIComponent(j.id)}/steps`, undefined, { signal });
        totals.set(j.id, (st && st.progress && st.progress.total) || 0);
      } catch { totals.set(j.id, null); }
    }));
    if (!life.ended) drawBoard();
  }

  function drawBoard() {
    renders += 1;
    columns.dataset.renders = String(renders);
    const jobs = board.jobs || [];
    const byRisk = board.by_risk || {};
    mount(summary,
      h('span.small.muted', { text: t('board.count', { n: jobs.length, date: board.date }) }),
      board.backfilled ? h('span.badge.badge-warn', { testid: 'board-backfilled-count', dataset: { n: String(board.backfilled) }, text: t('board.backfilled_count', { n: board.backfilled }) }) : null,
      h('div.chips', [1, 2, 3, 4, 5].filter((n) => byRisk[n]).map((n) =>
        h('span.badge.risk', { class: 'risk-' + n, testid: 'board-risk-' + n, text: t('board.by_risk', { n, count: byRisk[n] }) }))));
    // one column a plan state, in the flow's order (GET /flows/plan), cancelled plans left off the board
    const byState = new Map(planStatuses().filter((c) => c !== 'cancelled').map((c) => [c, []]));
    for (const j of jobs) (byState.get(j.status) || byState.set(j.status, []).get(j.status)).push(j);
    mount(columns, Array.from(byState.entries()).map(([st, list]) => h('section.board-col', { testid: 'board-col-' + st, dataset: { status: st } },
      h('div.board-col-head', statusBadge('plan', st), h('span.board-col-n', { text: String(list.length) })),
      list.length ? h('ul.board-jobs', list.map((j) => h('li', jobCard(j)))) : h('p.muted.small.board-empty', { text: t('board.none') }))));
  }

  function jobCard(j) {
    const total = totals.get(j.id);
    const done = Number(j.steps_done) || 0;
    const tk = j.ticket;
    const ended = tk && (tk.status === 'ended' || tk.status === 'archived');
    const level = Number(j.risk_level);
    const card = h('article.board-job', {
      class: `risk-edge-${Number.isInteger(level) ? level : 0}${level <= 2 ? ' hot' : ''}`, testid: 'board-job-' + j.number,
      dataset: { status: j.status, level: String(j.risk_level || '') },
    },
    h('div.board-job-top',
      canPlans(me) ? appLink('/plans/' + encodeURIComponent(j.id), j.number, navigate, { class: 'mono board-job-no' }) : h('span.mono.board-job-no', { text: j.number }),
      j.started_at ? h('span.small.muted', { text: t('board.started', { time: fmtTime(j.started_at, { seconds: false }) }) }) : null),
    h('div.board-job-title', { text: j.title || '—' }),
    j.place ? h('div.small.muted.board-job-place', icon('place', 'icon icon-sm'), h('span', { text: j.place })) : null,
    h('div.small', { text: t('board.people', { leader: j.leader_name || '—', n: 1 + (Number(j.crew_count) || 0) }) }),
    h('div.chips', riskBadge(j.risk_level, 'board-job-risk'), j.high_risk ? highRiskBadge('board-job-high-risk') : null,
      j.high_risk && !j.video_link && !j.onsite_supervisor_id ? h('span.badge.badge-danger', { text: t('board.unsupervised') }) : null,
      j.video_link ? h('span.badge.badge-info', { text: t('board.video') }) : null,
      j.onsite_supervisor_id ? h('span.badge.badge-info', { text: t('board.onsite') }) : null,
      // entered from paper after an outage (R1.4): who entered it and who reviewed it, on hover
      j.backfilled ? h('span.badge.badge-warn', { testid: 'board-job-backfilled', text: t('board.backfilled'),
        title: j.backfill ? t('board.backfilled_by', { entered: j.backfill.entered_by_name, reviewed: j.backfill.reviewed_by_name || '—', paper: j.backfill.paper_ticket_no }) : '' }) : null),
    h('div.board-ticket', { testid: 'board-ticket' },
      tk ? [
        canPlans(me) ? appLink('/tickets/' + encodeURIComponent(tk.id), tk.number, navigate, { class: 'mono small' }) : h('span.mono.small', { text: tk.number }),
        statusBadge('ticket', tk.status, 'board-ticket-status'),
      ] : h('span.small.muted', { text: t('board.no_ticket') })),
    h('div.board-steps', { testid: 'board-steps', dataset: { done: String(done), total: total == null ? '' : String(total) } },
      total ? h('div.progress-track.small-track', h('div.progress-fill', { style: `width:${Math.min(100, Math.round((done / total) * 100))}%` })) : null,
      h('span.small', { text: total ? t('board.steps', { done, total }) : t('board.steps_done', { done }) }),
      j.last_step_at ? h('span.small.muted', { text: t('board.last_step', { time: fmtTime(j.last_step_at, { seconds: false }) }) }) : null),
    h('div.chips.board-counts',
      h('span.badge', { class: Number(j.violations) > 0 ? 'badge-danger' : 'badge-muted', testid: 'board-violations', dataset: { n: String(j.violations || 0) }, text: t('board.violations', { n: j.violations || 0 }) }),
      Number(j.nonconforming) > 0 ? h('span.badge.badge-warn', { testid: 'board-nonconforming', text: t('board.nonconforming', { n: j.nonconforming }) }) : null));
    const acts = h('div.board-job-actions');
    if (write && j.status !== 'draft') {
      acts.append(h('button.btn.btn-sm', { type: 'button', testid: 'board-finding-' + j.number, onclick: () => findingDialog(j) },
        icon('flag', 'icon icon-sm'), h('span', { text: t('finding.add') })));
    }
    if (write && ended && unevaluated.has(tk.id)) {
      acts.append(h('button.btn.btn-sm.btn-primary', {
        type: 'button', testid: 'board-evaluate-' + j.number,
        onclick: async () => {
          const r = await evaluateDialog(tk);
          if (r) { toast(t('eval.done', { number: tk.number })); await loadCoverage(); }
        },
      }, h('span', { text: t('eval.button') })));
    } else if (ended && !unevaluated.has(tk.id)) {
      acts.append(h('span.badge.badge-ok', { testid: 'board-evaluated', text: t('eval.evaluated') }));
    }
    if (acts.childNodes.length) card.append(acts);
    return card;
  }

  async function findingDialog(j) {
    const list = h('div.findings', { testid: 'findings-list' }, loading());
    get(`/plans/${encodeURIComponent(j.id)}/findings`).then((r) => {
      const items = (r && r.items) || [];
      mount(list, items.length ? h('ul.findings-list', items.map((f) => h('li.finding', { class: 'kind-' + f.kind },
        h('div.chips', h('span.badge', { class: f.kind === 'violation' ? 'badge-danger' : f.kind === 'good_practice' ? 'badge-ok' : 'badge-info', text: t('finding.kind.' + f.kind) }),
          f.severity ? h('span.badge.badge-muted', { text: t('finding.severity.' + f.severity) }) : null,
          f.method ? h('span.badge.badge-muted', { text: t('finding.method.' + f.method) }) : null),
        h('div.pre-line', { text: f.description }),
        h('div.small.muted', { text: `${f.found_by_name || ''} · ${fmtTime(f.found_at, { seconds: false })}` }))))
        : h('p.muted.small', { text: t('finding.none') }));
    }).catch((ex) => mount(list, h('p.small', { text: ex.message })));
    const r = await formDialog({
      title: t('finding.title', { number: j.number }),
      body: h('div', h('p.dialog-text', { text: j.title || '' }), list),
      testid: 'finding-dialog',
      submit: t('finding.submit'),
      box: problemBox('finding-dialog-error'),
      fields: [
        { name: 'kind', type: 'select', label: t('finding.kind'), value: 'violation', options: ['violation', 'observation', 'good_practice'].map((k) => ({ value: k, label: t('finding.kind.' + k) })) },
        { name: 'severity', type: 'select', label: t('finding.severity'), value: 'general', options: ['general', 'serious', 'grave'].map((k) => ({ value: k, label: t('finding.severity.' + k) })) },
        { name: 'method', type: 'select', label: t('finding.method'), value: j.video_link ? 'video' : 'onsite', options: ['onsite', 'video'].map((k) => ({ value: k, label: t('finding.method.' + k) })) },
        { name: 'description', type: 'textarea', label: t('finding.description'), required: true, rows: '4' },
      ],
      onSubmit: (v) => post(`/plans/${encodeURIComponent(j.id)}/findings`, {
        kind: v.kind, severity: v.severity, method: v.method, description: v.description.trim(),
      }),
    });
    if (r) {
      toast(t('finding.added'));
      await poll();
    }
  }

  el.append(
    h('div.page-head', h('h1.page-title', { text: t('nav.supervision'), tabindex: '-1' })),
    h('div.board-layout',
      h('div.toolbar.board-toolbar', h('div.filters.board-filters', date, today), live),
      coverage,
      h('div.board-main', err, summary, columns)));
  poll();
  loadCoverage();
  life.interval(() => { if (!document.hidden) poll(); }, POLL_MS);
  life.listen(document, 'visibilitychange', onVisible);
  return true;
}

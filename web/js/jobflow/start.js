// f. 开工 — the start checklist (ticket, briefing, risks, people, qualifications, tools, supervision) and the leader's
// start button (POST /plans/{id}/actions/start; the server's gates decide).
import { h, icon } from '../dom.js';
import { t, fmtTime } from '../i18n.js';
import { post, ApiError } from '../api.js';
import { toast } from '../ui.js';
import { statusName, problemBox, actionName } from '../fw.js';
import { reasonText } from '../people.js';
import { note, toolsNeeded, toolsReady } from './common.js';

/** f: the job flow's context (../jobflow.js). Returns the function that draws this step's panel. */
export function startStep(f) {
  const { s, load, setSelected, isLeader, stepDone } = f;
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
      ['tools', toolsReady(s), s.tools ? t('tools.in_hand', { done: toolsNeeded(s).filter((n) => n.in_hand).length, total: toolsNeeded(s).length }) : t('tools.unavailable')],
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
        setSelected('steps');
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

  return startPanel;
}

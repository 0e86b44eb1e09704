// b. 工作票 — the job's work ticket: create it (POST /tickets) or show it with the actions the server lists
// (ticketview.js), and a hint of what happens next in its state.
import { h, icon } from '../dom.js';
import { t } from '../i18n.js';
import { post } from '../api.js';
import { toast } from '../ui.js';
import { problemBox } from '../fw.js';
import { ticketView } from '../ticketview.js';
import { note } from './common.js';

/** f: the job flow's context (../jobflow.js). Returns the function that draws this step's panel. */
export function ticketStep(f) {
  const { s, me, planId, load, drawChrome, drawPanel, isLeader, planOpen, mayPrepare } = f;
  function ticketHint(tk) {
    const leader = isLeader();
    switch (tk.status) {
      case 'draft': return t('ticket.hint.draft');
      case 'issued': return leader ? t('ticket.hint.issued_leader') : t('ticket.hint.issued');
      case 'received': return leader ? t('ticket.hint.received_leader') : t('ticket.hint.received');
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
      me, ticket: tk, hideActions: ['end'], risks: 'show', measures: true, measuresWithRisk: isLeader(),
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

  return ticketPanel;
}

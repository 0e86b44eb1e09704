// d. 风险确认 — confirming the ticket's risks one by one, with an evidence photo each (ticketview.js).
import { h } from '../dom.js';
import { t } from '../i18n.js';
import { ticketView } from '../ticketview.js';
import { note, RISK_CONFIRMABLE } from './common.js';

/** f: the job flow's context (../jobflow.js). Returns the function that draws this step's panel. */
export function risksStep(f) {
  const { s, me, load, drawChrome } = f;
  const evidence = new Map(); // risk id -> evidence photo picked, kept across redraws

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

  return risksPanel;
}

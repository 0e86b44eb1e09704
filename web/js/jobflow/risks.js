// d. 风险确认 — each risk point of the ticket on one card with its measures and one confirm button: one confirmation
// covers the risk point and every measure on the card (the server refuses one that leaves a measure out); key risks
// ask for a photo first (ticketview.js). Where it was done — the place typed once here, and the phone's position
// when asked for — goes with each confirmation.
import { h } from '../dom.js';
import { t } from '../i18n.js';
import { ticketView } from '../ticketview.js';
import { whereControl } from '../where.js';
import { note, RISK_CONFIRMABLE } from './common.js';

/** f: the job flow's context (../jobflow.js). Returns the function that draws this step's panel. */
export function risksStep(f) {
  const { s, me, load, drawChrome } = f;
  const evidence = new Map(); // risk id -> evidence photo picked, kept across redraws
  const whereState = {}; // the place and position, kept across redraws

  function risksPanel() {
    const tk = s.ticket;
    if (!tk) return note(t('risk.no_ticket'), 'risks-none');
    const hint = !RISK_CONFIRMABLE.includes(tk.status) && ['draft', 'issued'].includes(tk.status) ? t('risk.after_receive') : null;
    const open = (tk.risks || []).some((r) => !r.confirmed_at);
    const where = open && RISK_CONFIRMABLE.includes(tk.status) ? whereControl({ testid: 'risks-where', state: whereState, place: tk.place }) : null;
    const view = ticketView({
      me, ticket: tk, parts: ['risks'], risks: 'confirm', measures: false, evidence,
      where: where ? where.value : null,
      extra: h('div',
        hint ? h('p.alert.alert-info', { text: hint }) : null,
        open ? h('p.small.muted', { testid: 'risks-how', text: t('risk.how') }) : null,
        where ? where.el : null),
      onChanged: (r) => { s.ticket = r; drawChrome(); },
      onStale: () => load(),
    });
    return view.el;
  }

  return risksPanel;
}

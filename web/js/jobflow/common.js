// What the job flow's step panels (web/js/jobflow/*.js) and their coordinator (web/js/jobflow.js) share: the steps
// in order, the states they read, and small helpers.
import { h } from '../dom.js';
import { getLang } from '../i18n.js';
import { ApiError } from '../api.js';

export const FLOW = ['survey', 'ticket', 'briefing', 'risks', 'tools', 'start', 'steps', 'end'];
export const PLAN_OPEN = ['draft', 'published'];
export const TICKET_DONE = ['permitted', 'working', 'interrupted', 'ended', 'archived'];
export const RISK_CONFIRMABLE = ['received', 'permitted', 'working', 'interrupted'];
export const lines = (s) => String(s || '').split('\n').map((x) => x.trim()).filter(Boolean);
export const loc = (o, k) => (o ? (getLang() === 'en' ? o[k + '_en'] || o[k + '_zh'] : o[k + '_zh'] || o[k + '_en']) || '' : '');

/** null for 404 (nothing recorded yet), the error otherwise. */
export const orNull = (p) => p.catch((ex) => { if (ex instanceof ApiError && ex.status === 404) return null; throw ex; });

export const note = (text, testid, kind = 'info') => h('div.alert', { class: 'alert-' + kind, role: 'status', testid, text });

/** The tool kinds the job needs (GET /plans/{id}/tools). s: the flow's state. */
export const toolsNeeded = (s) => (s.tools && s.tools.needed) || [];

/** Every tool kind the job needs is in hand, and each tool checked out for it is in date and not failed. */
export function toolsReady(s) {
  if (!s.tools) return false;
  const usable = (x) => x.status !== 'overdue' && x.last_test_result !== 'fail';
  return toolsNeeded(s).every((n) => (s.tools.checked_out || []).some((x) => x.kind === n.kind && usable(x)));
}

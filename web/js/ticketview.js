// One work ticket on screen, the same on the phone (我的作业 → 工作票 / 风险确认) and on the desk (工作票):
// what it covers, its signatures, the flow actions the server lists (signing ones ask for the password again),
// its risk points with their safety measures (ticked one by one, with who and when), supplementary measures,
// risk confirmations with evidence photos, end photos, and the signature check (GET /tickets/{id}/verify).
import { h, mount, icon } from './dom.js';
import { t, tOr, fmtTime, getLang } from './i18n.js';
import { get, post, ApiError, contentUrl } from './api.js';
import { hasRole } from './perm.js';
import { toast, formDialog, confirmDialog, loading, fileLink } from './ui.js';
import {
  statusBadge, riskBadge, ticketKindName, actionName, personName, problemBox, kvList,
  emergencyMarks,
} from './fw.js';
import { thumb, thumbs, photoPicker, pendingPhotos } from './photos.js';

/** Actions that are signatures: the signer types their password again (R2.1). */
export const SIGNING = ['issue', 'receive', 'permit', 'end'];
const SIGN_ROLES = ['issuer', 'leader', 'permitter', 'leader_end'];
const TICKABLE = ['received', 'permitted', 'working', 'interrupted'];
const MEASURE_OPEN = ['draft', 'issued', 'received', 'permitted', 'working', 'interrupted'];


export { pickTicket } from './jobreads.js'; // the job page's ticket: shared with the reads started at boot

/** Leader, crew, issuer, manager, permitter (and admin): the people the server lets tick measures. */
export function onTicket(me, tk) {
  if (!me || !tk) return false;
  if (['admin', 'issuer', 'manager', 'permitter'].some((r) => hasRole(me, r))) return true;
  if (tk.leader_id === me.id) return true;
  return (tk.crew || []).some((c) => c.id === me.id);
}

const isTicketLeader = (me, tk) => !!me && !!tk && (tk.leader_id === me.id || hasRole(me, 'admin'));

/** id -> name for the people a ticket mentions (done_by, added_by, confirmed_by carry ids only). */
function namer(tk, me) {
  const m = new Map();
  if (tk.leader) m.set(tk.leader.id, personName(tk.leader));
  for (const c of tk.crew || []) m.set(c.id, personName(c));
  for (const s of tk.signatures || []) if (s.signer_id && s.signer_name) m.set(s.signer_id, s.signer_name);
  if (me) m.set(me.id, me.display_name || me.username);
  return (id) => (id ? m.get(id) || t('ticket.someone') : '—');
}

/**
 * Fire a ticket action from a dialog: the signing ones ask for the password (and permit for the method, end for
 * photos and a note), void / not executed for a reason, extend for hours. Resolves the ticket the server
 * answered with, or null when the dialog was cancelled. A refusal (wrong password, locked account, a gate) stays
 * in the dialog.
 */
export function ticketActionDialog(tk, action, { photoIds, note } = {}) {
  const fields = [];
  let body = tOr('sign.body.' + action, null);
  let photos = null;
  if (action === 'permit') {
    fields.push({
      name: 'permit_method', type: 'radio', label: t('ticket.permit_method'), value: 'onsite',
      options: [{ value: 'onsite', label: t('ticket.permit_method.onsite') }, { value: 'phone', label: t('ticket.permit_method.phone') }],
    });
  }
  if (action === 'void' || action === 'not_executed') fields.push({ name: 'reason', type: 'textarea', label: t('ticket.reason'), required: true });
  if (action === 'extend') fields.push({ name: 'hours', type: 'number', label: t('ticket.extend_hours'), value: '2', required: true, attrs: { min: '1', max: '24', inputmode: 'numeric' } });
  if (action === 'end' && !photoIds) {
    photos = pendingPhotos({ entity: 'ticket', entityId: tk.id, testid: 'end-dialog-photos', label: t('end.photo'), required: true });
    body = h('div', body ? h('p.dialog-text', { text: body }) : null, photos);
    fields.push({ name: 'note', type: 'textarea', label: t('end.note') });
  }
  if (SIGNING.includes(action)) {
    fields.push({ name: 'password', type: 'password', label: t('sign.password'), required: true, hint: t('sign.password_hint') });
  }
  const label = actionName('ticket', action);
  return formDialog({
    title: t('sign.title', { action: label, number: tk.number }),
    body,
    fields,
    submit: SIGNING.includes(action) ? t('sign.submit', { action: label }) : label,
    danger: action === 'void',
    testid: 'sign-dialog',
    box: problemBox('sign-dialog-error'),
    onSubmit: async (v) => {
      const req = { version: tk.version };
      if (v.password !== undefined) req.password = v.password;
      if (v.permit_method) req.permit_method = v.permit_method;
      if (v.reason !== undefined) req.reason = v.reason.trim();
      if (v.hours !== undefined) req.hours = Number(v.hours);
      if (action === 'end') {
        req.photo_ids = photoIds || (photos ? photos.ids() : []);
        const n = note !== undefined ? note : v.note;
        if (n && n.trim()) req.note = n.trim();
      }
      return post(`/tickets/${encodeURIComponent(tk.id)}/actions/${encodeURIComponent(action)}`, req);
    },
  });
}

/**
 * The ticket view. opts: me, ticket, onChanged(ticket) after a change the server answered with the ticket,
 * onStale() to reload on a stale screen, hideActions (actions handled elsewhere, e.g. 'end' in the phone's
 * terminate step), measures (tick buttons; default true), risks: 'show' | 'confirm' | 'none', extra (nodes
 * after the head, e.g. a plan link), testid.
 * Returns {el, set(ticket)}.
 */
export function ticketView(opts) {
  const { me, onChanged, onStale, hideActions = [], measures: tickMeasures = true, risks: riskMode = 'show', extra } = opts;
  const parts = opts.parts || ['head', 'actions', 'details', 'signatures', 'risks', 'end'];
  const has = (p) => parts.includes(p);
  let tk = opts.ticket;
  const el = h('div.ticket-view', { testid: 'ticket-view' });
  const box = problemBox('ticket-error');
  const verifyBox = h('div.verify-box', { testid: 'ticket-verify-result', hidden: true });
  let busy = false;

  async function act(fn) {
    if (busy) return;
    busy = true;
    box.show(null);
    try {
      const r = await fn();
      if (r && r.id === tk.id) {
        tk = r;
        draw();
        if (onChanged) await onChanged(r);
      }
    } catch (ex) {
      box.show(ex);
      box.scrollIntoView({ block: 'nearest' });
      if (ex instanceof ApiError && (ex.code === 'invalid_transition' || ex.code === 'version_conflict') && onStale) await onStale(ex);
    } finally {
      busy = false;
    }
  }

  function draw() {
    const who = namer(tk, me);
    mount(el,
      has('head') ? head() : null,
      extra || null,
      box,
      has('actions') ? actions() : null,
      has('actions') ? verifyBox : null,
      has('details') ? details() : null,
      has('signatures') ? signatures(who) : null,
      has('risks') && (riskMode !== 'none' || tickMeasures) ? riskAndMeasures(who) : null,
      has('end') ? endPart() : null);
    el.dataset.status = tk.status;
  }

  function head() {
    return h('div.ticket-head',
      h('div.ticket-head-main',
        h('span.ticket-number.mono', { testid: 'ticket-number', text: tk.number }),
        h('span.ticket-kind', { testid: 'ticket-kind', text: ticketKindName(tk.kind, tk.kind_name) })),
      h('div.chips', statusBadge('ticket', tk.status, 'ticket-status'), riskBadge(tk.risk_level, 'ticket-risk')),
      emergencyMarks(tk.emergency_relaxations, 'ticket-emergency'));
  }

  function details() {
    const window = tk.planned_start || tk.planned_end
      ? `${fmtTime(tk.planned_start, { seconds: false })} – ${fmtTime(tk.planned_end, { seconds: false })}` : null;
    return kvList([
      [t('ticket.place'), tk.place, 'ticket-place'],
      [t('ticket.content'), tk.content ? h('div.pre-line', { text: tk.content }) : null, 'ticket-content'],
      [t('ticket.outage_scope'), tk.outage_scope ? h('div.pre-line', { text: tk.outage_scope }) : null, 'ticket-outage'],
      [t('ticket.live_parts'), tk.live_parts ? h('div.pre-line', { text: tk.live_parts }) : null, 'ticket-live'],
      [t('ticket.window'), window, 'ticket-window'],
      [t('ticket.leader'), personName(tk.leader), 'ticket-leader'],
      [t('ticket.crew'), (tk.crew || []).length
        ? h('div.chips', { testid: 'ticket-crew' }, tk.crew.map((c) => h('span.chip', { text: personName(c) })))
        : t('ticket.no_crew')],
      tk.permit_method ? [t('ticket.permit_method'), tOr('ticket.permit_method.' + tk.permit_method, tk.permit_method), 'ticket-permit-method'] : null,
      tk.extensions ? [t('ticket.extensions'), String(tk.extensions)] : null,
      tk.void_reason ? [t('ticket.reason'), tk.void_reason] : null,
    ], 'ticket-kv');
  }

  function signatures(who) {
    const sigs = tk.signatures || [];
    return h('section.ticket-part',
      h('h3.section-title', { text: t('ticket.signatures') }),
      h('ol.sig-list', { testid: 'ticket-signatures' }, SIGN_ROLES.map((role) => {
        const s = sigs.find((x) => x.role === role);
        return h('li.sig', { class: s ? 'signed' : 'pending', testid: 'ticket-sig-' + role, dataset: { signed: s ? '1' : '0' } },
          h('span.sig-mark', icon(s ? 'check' : 'pen', 'icon icon-sm')),
          h('span.sig-role', { text: t('sign.role.' + role) }),
          s ? h('span.sig-who', { text: s.signer_name || who(s.signer_id) }) : h('span.sig-who.muted', { text: t('sign.pending') }),
          s ? h('span.sig-when.small.muted', { text: fmtTime(s.signed_at, { seconds: false }) }) : null);
      })));
  }

  function actions() {
    const list = (tk.actions || []).filter((a) => !hideActions.includes(a));
    const bar = h('div.action-bar.ticket-actions', { testid: 'ticket-actions' });
    for (const a of list) {
      const sign = SIGNING.includes(a);
      const btn = h('button', {
        type: 'button', class: sign ? 'btn btn-primary btn-big' : a === 'void' ? 'btn btn-danger-outline' : 'btn',
        testid: 'ticket-action-' + a, dataset: { action: a },
      }, sign ? icon('pen', 'icon icon-sm') : null, h('span', { text: actionName('ticket', a) }));
      btn.addEventListener('click', () => act(async () => {
        if (a === 'archive' && !(await confirmDialog({ title: t('sign.title', { action: actionName('ticket', a), number: tk.number }), confirm: actionName('ticket', a) }))) return null;
        const r = a === 'archive'
          ? await post(`/tickets/${encodeURIComponent(tk.id)}/actions/archive`, { version: tk.version })
          : await ticketActionDialog(tk, a);
        if (r) toast(t('action.done', { action: actionName('ticket', a) }));
        return r;
      }));
      bar.append(btn);
    }
    const verify = h('button.btn', { type: 'button', testid: 'ticket-verify' }, icon('shield', 'icon icon-sm'), h('span', { text: t('verify.button') }));
    verify.addEventListener('click', () => runVerify(verify));
    bar.append(verify);
    // The ticket as a PDF to print (GET /tickets/{id}/pdf), in the language of the screen.
    const print = h('button.btn', { type: 'button', testid: 'ticket-print' }, icon('tickets', 'icon icon-sm'), h('span', { text: t('ticket.print') }));
    const printBox = h('span.print-link', { testid: 'ticket-print-box' });
    print.addEventListener('click', async () => {
      print.disabled = true;
      box.show(null);
      try {
        const url = await contentUrl(`/tickets/${encodeURIComponent(tk.id)}/pdf?v=${tk.version}&lang=${getLang()}`);
        const a = fileLink(url, `ticket-${tk.number}.pdf`, { testid: 'ticket-pdf-link', text: t('ticket.pdf_open') });
        printBox.replaceChildren(a);
        window.open(url, '_blank'); // the PDF in its own tab, to print; the link stays for a blocked pop-up
      } catch (ex) {
        box.show(ex);
      } finally {
        print.disabled = false;
      }
    });
    bar.append(print, printBox);
    return bar;
  }

  async function runVerify(btn) {
    btn.disabled = true;
    verifyBox.hidden = false;
    mount(verifyBox, loading());
    try {
      const v = await get(`/tickets/${encodeURIComponent(tk.id)}/verify`);
      const sigs = v.signatures || [];
      mount(verifyBox,
        h('div.verify-head', { class: v.valid ? 'ok' : 'bad', testid: 'verify-overall', dataset: { valid: v.valid ? '1' : '0' } },
          icon(v.valid ? 'check' : 'close', 'icon'),
          h('span', { text: sigs.length ? (v.valid ? t('verify.valid') : t('verify.invalid')) : t('verify.none') })),
        sigs.length ? h('ul.verify-list', sigs.map((s) => h('li.verify-sig', {
          class: s.valid ? 'ok' : 'bad', testid: 'verify-sig-' + s.role, dataset: { valid: s.valid ? '1' : '0' },
        },
        h('span.verify-mark', icon(s.valid ? 'check' : 'close', 'icon icon-sm')),
        h('span.verify-role', { text: t('sign.role.' + s.role) }),
        h('span', { text: s.signer_name || '—' }),
        h('span.small.muted', { text: fmtTime(s.signed_at) }),
        h('span.badge', { class: s.valid ? 'badge-ok' : 'badge-danger', text: s.valid ? t('verify.sig_valid') : t('verify.sig_invalid') }),
        s.reason ? h('span.verify-reason', { testid: 'verify-reason', text: tOr('verify.reason.' + s.reason, s.reason) }) : null))) : null,
        v.content_hash ? h('div.small.muted.mono.verify-hash', { text: t('verify.hash', { hash: v.content_hash }) }) : null);
    } catch (ex) {
      const b = problemBox('verify-error');
      b.show(ex);
      mount(verifyBox, b);
    } finally {
      btn.disabled = false;
    }
  }

  function measureItem(m, who, canTick) {
    const done = !!m.done_at;
    const mText = (getLang() === 'en' && m.text_en) || m.text; // the library's English for a measure held word for word
    const li = h('li.measure', { class: done ? 'done' : 'open', testid: 'measure-' + m.seq, dataset: { done: done ? '1' : '0', id: m.id } },
      h('span.measure-mark', icon(done ? 'check' : 'shield', 'icon icon-sm')),
      h('div.measure-body',
        h('div.measure-text', { text: mText }),
        m.supplement ? h('div.measure-meta.small', h('span.badge.badge-warn', { text: t('measure.supplement') }),
          h('span', { text: t('measure.added', { name: who(m.added_by), time: fmtTime(m.added_at, { seconds: false }) }) })) : null,
        done ? h('div.measure-meta.small.done-by', { testid: 'measure-state-' + m.seq, text: t('measure.done_by', { name: who(m.done_by), time: fmtTime(m.done_at, { seconds: false }) }) }) : null,
        m.pending ? h('span.badge.badge-warn', { testid: 'measure-pending-' + m.seq, text: t('offline.pending') }) : null));
    if (!done && canTick) {
      const btn = h('button.btn.btn-tick', { type: 'button', testid: 'measure-confirm-' + m.seq, 'aria-label': t('measure.confirm_aria', { text: mText }) },
        icon('check', 'icon icon-sm'), h('span', { text: t('measure.confirm') }));
      btn.addEventListener('click', () => { btn.disabled = true; act(() => post(`/tickets/${encodeURIComponent(tk.id)}/measures/${encodeURIComponent(m.id)}/actions/confirm`, {})).finally(() => { btn.disabled = false; }); });
      li.append(btn);
    }
    return li;
  }

  function riskAndMeasures(who) {
    const canTick = tickMeasures && onTicket(me, tk) && TICKABLE.includes(tk.status);
    const canConfirm = riskMode === 'confirm' && isTicketLeader(me, tk) && TICKABLE.includes(tk.status);
    const all = tk.measures || [];
    const risks = tk.risks || [];
    const riskCodes = new Set(risks.map((r) => r.risk_id));
    const others = all.filter((m) => !m.risk_id || !riskCodes.has(m.risk_id));
    const done = all.filter((m) => m.done_at).length;
    const confirmed = risks.filter((r) => r.confirmed_at).length;
    const why = !tickMeasures ? null
      : !onTicket(me, tk) ? t('measure.not_on_ticket')
        : !TICKABLE.includes(tk.status) ? (tk.status === 'draft' || tk.status === 'issued' ? t('measure.after_receive') : null) : null;
    const riskWhy = riskMode !== 'confirm' ? null
      : !isTicketLeader(me, tk) ? t('risk.only_leader')
        : !TICKABLE.includes(tk.status) ? (tk.status === 'draft' || tk.status === 'issued' ? t('risk.after_receive') : null) : null;

    const head = h('div.progress-line',
      tickMeasures || riskMode === 'show' ? h('span', { testid: 'ticket-measures-progress', dataset: { done: String(done), total: String(all.length) }, text: t('measure.progress', { done, total: all.length }) }) : null,
      riskMode !== 'none' ? h('span', { testid: 'ticket-risks-progress', dataset: { done: String(confirmed), total: String(risks.length) }, text: t('risk.progress', { done: confirmed, total: risks.length }) }) : null);
    // opts.measuresWithRisk: the ticket's leader on the job's phone confirms a risk point's measures with the risk
    // point (jobflow/risks.js), not one tap each; the cards here show them without tick buttons
    const withRisk = !!opts.measuresWithRisk;
    const riskBoundOpen = withRisk && canTick && all.some((m) => m.risk_id && riskCodes.has(m.risk_id) && !m.done_at);
    const riskCards = risks.map((r) => {
      const ms = all.filter((m) => m.risk_id && m.risk_id === r.risk_id);
      const ok = !!r.confirmed_at;
      const key = r.evidence === 'photo';
      const en = getLang() === 'en';
      const hint = key ? (en ? r.evidence_en || r.evidence_zh : r.evidence_zh || r.evidence_en) : null;
      const card = h('li.risk-card', { class: [ok ? 'confirmed' : 'open', key ? 'key' : ''].join(' ').trim(), testid: 'risk-' + r.seq,
        dataset: { confirmed: ok ? '1' : '0', id: r.id, level: String(r.level || ''), evidence: r.evidence || '' } },
        h('div.risk-card-head', riskBadge(r.level), h('span.risk-hazard', { text: (en && r.hazard_en) || r.hazard })),
        key ? h('div.risk-key.small', { testid: 'risk-key-' + r.seq },
          h('span.badge.badge-warn', icon('camera', 'icon icon-sm'), h('span', { text: t('risk.key') })),
          h('span', { text: hint })) : null,
        ms.length && (tickMeasures || riskMode !== 'none')
          ? h('ul.measure-list', ms.map((m) => measureItem(m, who, canTick && !withRisk))) : null);
      if (riskMode !== 'none') {
        const where = ok ? [r.confirm_place, r.confirm_lat && r.confirm_lng ? `${r.confirm_lat}, ${r.confirm_lng}` : null].filter(Boolean).join(' · ') : '';
        const state = h('div.risk-state', { testid: 'risk-state-' + r.seq },
          ok ? h('span.ok-text', icon('check', 'icon icon-sm'), h('span', { text: t('risk.confirmed_by', { name: who(r.confirmed_by), time: fmtTime(r.confirmed_at, { seconds: false }) }) }))
            : h('span.muted', { text: t('risk.not_confirmed') }),
          where ? h('div.small.muted.risk-where', { testid: 'risk-where-' + r.seq, text: where }) : null,
          r.pending ? h('span.badge.badge-warn', { testid: 'risk-pending-state-' + r.seq, text: t('offline.pending') }) : null,
          r.evidence_id ? thumb(r.evidence_id, { testid: 'risk-evidence-' + r.seq, label: t('risk.evidence') }) : null);
        card.append(state);
        if (!ok && canConfirm) card.append(confirmControls(r, ms));
      }
      return card;
    });
    return h('section.ticket-part',
      h('h3.section-title', { text: t('ticket.risks_measures') }),
      head,
      why ? h('p.muted.small.reason', { testid: 'measure-why', text: why }) : null,
      riskWhy ? h('p.muted.small.reason', { testid: 'risk-why', text: riskWhy }) : null,
      riskBoundOpen ? h('p.alert.alert-info', { testid: 'measure-with-risk', text: t('measure.with_risk') }) : null,
      h('ul.risk-cards', { testid: 'ticket-risks' }, riskCards),
      tickMeasures && (others.length || canAddMeasure()) ? h('h3.section-title', { text: t('measure.others') }) : null,
      tickMeasures && others.length ? h('ul.measure-list.measure-others', { testid: 'ticket-measures-other' }, others.map((m) => measureItem(m, who, canTick))) : null,
      tickMeasures && canAddMeasure() ? addMeasure() : null);
  }

  function canAddMeasure() {
    if (!onTicket(me, tk) || !MEASURE_OPEN.includes(tk.status)) return false;
    return (me.roles || []).some((r) => r !== 'crew' && r !== 'viewer') || tk.leader_id === me.id;
  }

  function addMeasure() {
    const input = h('input.input', { type: 'text', maxlength: '500', testid: 'measure-new-text', placeholder: t('measure.new_placeholder'), 'aria-label': t('measure.new') });
    const btn = h('button.btn', { type: 'submit', testid: 'measure-new-submit', text: tk.status === 'draft' ? t('measure.add') : t('measure.add_supplement') });
    const form = h('form.inline-form', { testid: 'measure-new' }, input, btn);
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      const text = input.value.trim();
      if (!text) { box.show(t('form.required', { field: t('measure.new') })); input.focus(); return; }
      btn.disabled = true;
      act(async () => {
        const r = await post(`/tickets/${encodeURIComponent(tk.id)}/measures`, { text });
        toast(t('measure.added_ok'));
        return r;
      }).finally(() => { btn.disabled = false; });
    });
    return h('div.measure-new-wrap', h('div.field-hint', { text: tk.status === 'draft' ? t('measure.new_hint_draft') : t('measure.new_hint_supplement') }), form);
  }

  // Evidence photos picked but not yet sent with a confirmation, by risk id (kept across redraws).
  const evidence = opts.evidence || new Map();
  // One confirmation per risk point: it lists every measure shown on the card (the server refuses one left out),
  // carries the photo a key risk asks for, and where (opts.where, the risks page's place and position).
  function confirmControls(r, ms) {
    const pending = evidence.get(r.id);
    const key = r.evidence === 'photo';
    const picker = photoPicker({
      entity: 'ticket_risk', entityId: r.id, testid: 'risk-photo-' + r.seq,
      label: pending ? t('risk.photo_again') : key ? t('risk.photo_required') : t('risk.photo'), multiple: false,
      onUploaded: (m) => { evidence.set(r.id, m.id); draw(); },
    });
    const blocked = key && !pending;
    const btn = h('button.btn.btn-primary.btn-confirm', { type: 'button', testid: 'risk-confirm-' + r.seq, disabled: blocked,
      'aria-label': t('risk.confirm_aria', { hazard: r.hazard, n: ms.length }) },
    icon('check', 'icon icon-sm'), h('span', { text: ms.length ? t('risk.confirm_with', { n: ms.length }) : t('risk.confirm') }));
    btn.addEventListener('click', () => {
      btn.disabled = true;
      act(async () => {
        const body = { measure_ids: ms.map((m) => m.id), ...(opts.where ? opts.where() : {}) };
        if (evidence.get(r.id)) body.evidence_id = evidence.get(r.id);
        const res = await post(`/tickets/${encodeURIComponent(tk.id)}/risks/${encodeURIComponent(r.id)}/actions/confirm`, body);
        evidence.delete(r.id);
        return res;
      }).finally(() => { btn.disabled = blocked; });
    });
    return h('div.risk-actions',
      pending ? h('div.risk-pending', thumb(pending, { testid: 'risk-pending-' + r.seq }), h('span.small.muted', { text: t('risk.photo_ready') })) : null,
      blocked ? h('p.small.reason', { testid: 'risk-photo-needed-' + r.seq, text: t('risk.photo_needed') }) : null,
      h('div.risk-buttons', picker, btn));
  }

  function endPart() {
    const photos = (tk.photos || []).filter(Boolean);
    if (!photos.length && !tk.end_note && !tk.ended_at) return null;
    return h('section.ticket-part', { testid: 'ticket-end' },
      h('h3.section-title', { text: t('end.title') }),
      kvList([
        [t('end.ended_at'), fmtTime(tk.ended_at)],
        [t('end.note'), tk.end_note],
        [t('end.photos'), thumbs(photos, { testid: 'ticket-end-photos' }) || '—'],
      ]));
  }

  draw();
  return {
    el,
    set(next) { tk = next; draw(); },
    get ticket() { return tk; },
  };
}


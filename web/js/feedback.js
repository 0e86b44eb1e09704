// 客户诉求 (R0.10, R2.13): feedback and complaints on the clock (docs/api.md "Feedback and complaints").
//   - /feedback: the list (status, kind, channel, late filters), each with its clock: amber within a day of its
//     deadline, red past it; the desk takes a new item down from here.
//   - /feedback/{id}: the item with its clock, the customer's contact (masked for those who do not call
//     customers), its answer and satisfaction, linked improvements and its actions (contact, answer, close, reopen).
import { h, mount, clear } from './dom.js';
import { t, fmtTime } from './i18n.js';
import { get, post } from './api.js';
import { hasPerm, hasRole } from './perm.js';
import { toast, dataTable, loading, formDialog, badge } from './ui.js';
import { problemBox, appLink, kvList } from './fw.js';
import { flowStateName } from './flows.js';

const allows = (me, p) => hasRole(me, 'admin') || hasPerm(me, p);
const KINDS = ['complaint', 'opinion', 'praise', 'rating', 'inquiry'];
const CHANNELS = ['phone_95598', 'sms', 'questionnaire', 'counter', 'rating_import'];
const STATES = ['received', 'contacted', 'answered', 'closed'];
const stateName = (s) => flowStateName('feedback', s) || t('feedback.status.' + s);
const DAY = 24 * 3600 * 1000;

/** The clock as a badge: red past the deadline, amber within a day of it, plain otherwise; none without one. */
function clockBadge(it) {
  const c = it.clock || {};
  if (c.overdue) return badge(t('feedback.late'), 'danger');
  if (!c.due_at) return null;
  return badge(fmtTime(c.due_at, { seconds: false }), c.due_at - Date.now() < DAY ? 'warn' : '');
}

export function renderFeedback(el, ctx) {
  const m = /^\/feedback\/([^/]+)$/.exec(ctx.path);
  if (m) { renderItem(el, { ...ctx, id: decodeURIComponent(m[1]) }); return true; }
  if (ctx.path !== '/feedback') return false;
  renderList(el, ctx);
  return true;
}

function renderList(el, { me, navigate }) {
  const err = problemBox('feedback-error');
  const sel = (testid, label, values, name) => h('select.input', { testid, 'aria-label': label },
    h('option', { value: '', text: t('feedback.all') }), values.map((v) => h('option', { value: v, text: name(v) })));
  const status = sel('feedback-status', t('feedback.status'), STATES, stateName);
  const kind = sel('feedback-kind', t('feedback.kind'), KINDS, (k) => t('feedback.kind.' + k));
  const channel = sel('feedback-channel', t('feedback.channel'), CHANNELS, (c) => t('feedback.channel.' + c));
  const late = h('select.input', { testid: 'feedback-overdue', 'aria-label': t('feedback.late') },
    h('option', { value: '', text: t('feedback.all') }), h('option', { value: 'true', text: t('feedback.late') }));
  const contact = h('input.input', { type: 'search', testid: 'feedback-contact-search', placeholder: t('feedback.contact_search'), 'aria-label': t('feedback.contact_search') });
  const listBox = h('div', loading());
  async function load() {
    try {
      const r = await get('/feedback', { status: status.value || undefined, kind: kind.value || undefined,
        channel: channel.value || undefined, overdue: late.value || undefined, contact: contact.value.trim() || undefined, limit: 200 });
      mount(listBox, dataTable({
        testid: 'feedback-table', rowTestid: (it) => 'feedback-' + it.number, rows: r.items || [], empty: t('feedback.none'),
        columns: [
          { label: t('feedback.number'), render: (it) => appLink('/feedback/' + encodeURIComponent(it.id), it.number, navigate, { class: 'mono' }) },
          { label: t('feedback.kind'), render: (it) => t('feedback.kind.' + it.kind) },
          { label: t('feedback.subject'), render: (it) => h('span.chips', h('span', { text: it.subject }), it.sensitive ? badge(t('feedback.sensitive'), 'danger') : null) },
          { label: t('feedback.channel'), cls: 'col-opt', render: (it) => t('feedback.channel.' + it.channel) },
          { label: t('feedback.received'), cls: 'col-opt', render: (it) => fmtTime(it.received_at, { seconds: false }) },
          { label: t('feedback.status'), render: (it) => h('span.chips', badge(stateName(it.status), it.status === 'closed' ? 'ok' : ''), clockBadge(it)) },
        ],
      }));
    } catch (ex) { err.show(ex); }
  }
  for (const s of [status, kind, channel, late, contact]) s.addEventListener('change', load);
  async function create() {
    const r = await formDialog({ title: t('feedback.new'), testid: 'feedback-dialog', submit: t('common.save'),
      fields: [
        { name: 'kind', label: t('feedback.kind'), type: 'select', options: KINDS.map((k) => ({ value: k, label: t('feedback.kind.' + k) })), value: 'complaint' },
        { name: 'channel', label: t('feedback.channel'), type: 'select', options: CHANNELS.slice(0, 4).map((c) => ({ value: c, label: t('feedback.channel.' + c) })) },
        { name: 'subject', label: t('feedback.subject'), required: true },
        { name: 'text', label: t('feedback.text'), type: 'textarea' },
        { name: 'contact_name', label: t('feedback.contact_name') },
        { name: 'contact_phone', label: t('feedback.contact_phone') },
        { name: 'contact_address', label: t('feedback.contact_address') },
        { name: 'application_no', label: t('feedback.application_no') }],
      onSubmit: (v) => {
        const body = { kind: v.kind, channel: v.channel, subject: v.subject.trim() };
        for (const k of ['text', 'contact_name', 'contact_phone', 'contact_address', 'application_no']) if (v[k] && v[k].trim()) body[k] = v[k].trim();
        if (v.kind === 'rating') body.rating = 3;
        return post('/feedback', body);
      } });
    if (r) { toast(t('common.saved')); navigate('/feedback/' + encodeURIComponent(r.id)); }
  }
  el.append(h('div.page-head', h('h1.page-title', { text: t('nav.feedback'), tabindex: '-1' }),
    allows(me, 'feedback.write') ? h('div.chips', h('button.btn.btn-primary', { type: 'button', testid: 'feedback-new', text: t('feedback.new'), onclick: create })) : null),
  err, h('div.toolbar', status, kind, channel, late, contact), listBox);
  load();
}

function renderItem(el, { me, navigate, id }) {
  const err = problemBox('feedback-error');
  const box = h('div', loading());
  el.append(h('div.page-head', h('h1.page-title', { text: t('nav.feedback'), tabindex: '-1' }),
    appLink('/feedback', t('feedback.back'), navigate)), err, box);
  const SAT = ['satisfied', 'basically_satisfied', 'dissatisfied'];
  async function act(it, action) {
    const fields = action === 'contact' ? [{ name: 'contact_note', label: t('feedback.contact_note'), type: 'textarea', required: true }]
      : action === 'answer' ? [{ name: 'answer', label: t('feedback.answer'), type: 'textarea', required: true }]
        : action === 'close' ? [...(it.answer ? [] : [{ name: 'answer', label: t('feedback.answer'), type: 'textarea', required: true }]),
          { name: 'satisfaction', label: t('feedback.satisfaction'), type: 'select', options: SAT.map((s) => ({ value: s, label: t('feedback.satisfaction.' + s) })) }]
          : [{ name: 'reason', label: t('feedback.reason'), type: 'textarea', required: true }];
    const r = await formDialog({ title: t('feedback.action.' + action), testid: 'feedback-action-dialog', submit: t('feedback.action.' + action), fields,
      onSubmit: (v) => post(`/feedback/${it.id}/actions/${action}`, { version: it.version, ...v }) });
    if (r) { toast(t('common.saved')); load(); }
  }
  /** 敏感投诉 (R1.4): the reason and who handles it; the complainant is then shown to them only. */
  async function flag(it) {
    const r = await formDialog({ title: t('feedback.flag'), testid: 'feedback-flag-dialog', submit: t('feedback.flag'),
      body: t('feedback.flag_body'),
      fields: [{ name: 'reason', label: t('feedback.reason'), type: 'textarea', required: true },
        { name: 'handlers', label: t('feedback.handlers'), required: true, hint: t('feedback.handlers_hint') }],
      onSubmit: async (v) => {
        const names = String(v.handlers || '').split(/[\s,，、]+/).filter(Boolean);
        // a username or a name is looked up in the directory (where the caller may read it); anything else is an id
        const ids = await Promise.all(names.map(async (n) => {
          const dir = await get('/directory/people', { q: n, limit: 20 }).catch(() => ({ items: [] }));
          return ((dir.items || []).find((p) => p.username === n || p.display_name === n) || { id: n }).id;
        }));
        return post(`/feedback/${it.id}/sensitive`, { reason: v.reason.trim(), handler_ids: ids });
      } });
    if (r) { toast(t('common.saved')); load(); }
  }
  async function load() {
    try {
      const it = await get('/feedback/' + encodeURIComponent(id));
      const c = it.clock || {};
      mount(box, h('div.card', { testid: 'feedback-detail', dataset: { status: it.status } },
        h('h2.detail-title', { text: `${it.number} · ${it.subject}` }),
        kvList([[t('feedback.status'), h('span.chips', h('span', { testid: 'feedback-state', text: stateName(it.status) }), clockBadge(it))],
          [t('feedback.kind'), t('feedback.kind.' + it.kind) + (it.rating ? ` · ${'★'.repeat(it.rating)}` : '')],
          [t('feedback.channel'), t('feedback.channel.' + it.channel)],
          [t('feedback.received'), fmtTime(it.received_at, { seconds: false })],
          it.contact_due_at ? [t('feedback.contact_due'), h('span', { testid: 'feedback-contact-due', class: c.contact_late ? 'text-danger' : '', text: fmtTime(it.contact_due_at, { seconds: false }) })] : null,
          it.reply_due_at ? [t('feedback.reply_due'), h('span', { testid: 'feedback-reply-due', class: c.reply_late ? 'text-danger' : '', text: fmtTime(it.reply_due_at, { seconds: false }) })] : null,
          it.sensitive ? [t('feedback.sensitive'), h('span.chips', { testid: 'feedback-sensitive' }, badge(t('feedback.sensitive'), 'danger'),
            it.masked ? h('span.small.muted', { testid: 'feedback-masked', text: t('feedback.masked') }) : null,
            h('span.small', { text: (it.handlers || []).map((x) => x.display_name).join('、') }))] : null,
          it.contact_name || it.contact_phone ? [t('feedback.contact'), h('span', { testid: 'feedback-contact', text: [it.contact_name, it.contact_phone].filter(Boolean).join(' · ') })] : null,
          it.contact_address ? [t('feedback.contact_address'), h('span', { testid: 'feedback-address', text: it.contact_address })] : null,
          it.application_no ? [t('feedback.application_no'), it.application_no] : null,
          it.text ? [t('feedback.text'), it.text] : null,
          it.contact_note ? [t('feedback.contact_note'), it.contact_note] : null,
          it.answer ? [t('feedback.answer'), h('span', { testid: 'feedback-answer', text: it.answer })] : null,
          it.satisfaction ? [t('feedback.satisfaction'), h('span', { testid: 'feedback-satisfaction', text: t('feedback.satisfaction.' + it.satisfaction) })] : null,
          it.reopen_count ? [t('feedback.reopened'), String(it.reopen_count)] : null,
          (it.improvements || []).length ? [t('feedback.improvements'), it.improvements.map((m) => `${m.title} (${m.due_date})`).join('；')] : null]),
        h('div.chips', (it.actions || []).map((a) => h('button.btn', { type: 'button', testid: 'feedback-action-' + a, text: t('feedback.action.' + a), onclick: () => act(it, a) })),
          it.kind === 'complaint' && !it.sensitive && allows(me, 'feedback.flag')
            ? h('button.btn.btn-danger', { type: 'button', testid: 'feedback-flag', text: t('feedback.flag'), onclick: () => flag(it) }) : null)));
    } catch (ex) { err.show(ex); clear(box); }
  }
  load();
}

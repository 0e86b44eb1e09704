// 充电用户 /charging/users (R4.7): id tags with their credit (GET /ev-credit: score, level good / warned / blocked,
// lowest first), one tag's events with the desk's deduction or restoration (POST /id-tags/{tag}/credit), new id tags
// (POST /id-tags), and reservations (GET/POST /reservations, cancel) whose status follows the charger's answer.
import { h, mount } from './dom.js';
import { t, fmtTime } from './i18n.js';
import { get, post } from './api.js';
import { hasPerm, hasRole } from './perm.js';
import { toast, dataTable, loading, formDialog } from './ui.js';
import { problemBox } from './fw.js';

const allows = (me, p) => hasRole(me, 'admin') || hasPerm(me, p);
const LEVEL_CLASS = { good: 'badge-ok', warned: 'badge-warn', blocked: 'badge-danger-solid' };

export function renderEvUsers(el, { me }, head) {
  const err = problemBox('evusers-error');
  const level = h('select.input', { testid: 'credit-level', 'aria-label': t('evusers.level') },
    h('option', { value: '', text: t('evusers.all_levels') }), ['blocked', 'warned', 'good'].map((l) => h('option', { value: l, text: t('evusers.level.' + l) })));
  const creditBox = h('div', loading());
  const resBox = h('div', loading());
  const detail = h('div.evuser-detail', { testid: 'credit-detail' });
  let rules = null;
  level.addEventListener('change', () => loadCredit());

  async function loadCredit() {
    try {
      const r = await get('/ev-credit', { level: level.value || undefined });
      rules = r.rules;
      mount(creditBox, dataTable({
        testid: 'credit-table', rowTestid: (x) => 'credit-' + x.id_tag, empty: t('evusers.no_tags'), rows: r.items,
        columns: [
          { label: t('charging.id_tag'), render: (x) => h('button.btn-link.mono', { type: 'button', text: x.id_tag, onclick: () => openTag(x.id_tag) }) },
          { label: t('evusers.holder'), render: (x) => x.holder || '—' },
          { label: t('evusers.score'), cls: 'col-num', render: (x) => h('span', { dataset: { score: String(x.score) }, text: String(x.score) }) },
          { label: t('evusers.level'), render: (x) => h('span.badge', { class: LEVEL_CLASS[x.level], dataset: { level: x.level }, text: t('evusers.level.' + x.level) }) },
          { label: t('evusers.tag_status'), render: (x) => x.status + (x.credit_blocked ? ' · ' + t('evusers.credit_block') : '') },
          { label: t('evusers.events'), cls: 'col-num', render: (x) => String(x.events) },
        ],
      }));
    } catch (ex) { err.show(ex); mount(creditBox); }
  }

  async function openTag(tag) {
    const c = await get(`/id-tags/${encodeURIComponent(tag)}/credit`);
    mount(detail, h('section.card', { testid: 'credit-card', dataset: { tag } },
      h('div.card-head', h('h3.card-title', { text: t('evusers.credit_of', { tag, score: c.score }) }),
        h('span.badge', { class: LEVEL_CLASS[c.level], text: t('evusers.level.' + c.level) })),
      h('p.small.muted', { text: t('evusers.rules', { warn: c.rules.warn_below, block: c.rules.block_below, days: c.rules.window_days }) }),
      allows(me, 'idtags.credit') ? h('div.action-bar',
        h('button.btn.btn-danger-outline', { type: 'button', testid: 'credit-deduct', text: t('evusers.deduct'), onclick: () => record(tag, 'manual') }),
        h('button.btn', { type: 'button', testid: 'credit-restore', text: t('evusers.restore'), onclick: () => record(tag, 'restore') })) : null,
      dataTable({
        testid: 'credit-events', rowTestid: (e) => 'credit-event-' + e.id, empty: t('evusers.no_events'), rows: c.events,
        columns: [
          { label: t('charging.at'), cls: 'col-time', render: (e) => fmtTime(e.at, { seconds: false }) },
          { label: t('evusers.kind'), render: (e) => t('evusers.kind.' + e.kind) },
          { label: t('evusers.points'), cls: 'col-num', render: (e) => h('span', { class: e.points < 0 ? 'overdue' : '', text: (e.points > 0 ? '+' : '') + e.points }) },
          { label: t('evusers.note'), render: (e) => [e.charge_point_id, e.note].filter(Boolean).join(' · ') || '—' },
          { label: t('evusers.by'), cls: 'col-opt', render: (e) => e.recorded_by_name || t('evusers.system') },
        ],
      })));
  }

  async function record(tag, kind) {
    const r = await formDialog({
      title: t(kind === 'manual' ? 'evusers.deduct' : 'evusers.restore'), testid: 'credit-dialog', danger: kind === 'manual',
      submit: t(kind === 'manual' ? 'evusers.deduct' : 'evusers.restore'), body: t('evusers.record_hint', { tag }),
      fields: [{ name: 'points', label: t('evusers.points'), type: 'number', value: '10', attrs: { min: '1', max: String((rules && rules.manual_max_points) || 30) } },
        { name: 'note', label: t('evusers.note'), type: 'textarea', required: true }],
      onSubmit: (v) => post(`/id-tags/${encodeURIComponent(tag)}/credit`, { kind, points: Number(v.points), note: v.note.trim() }),
    });
    if (!r) return;
    toast(t('evusers.recorded', { score: r.score }));
    await Promise.all([loadCredit(), openTag(tag)]);
  }

  async function newTag() {
    const r = await formDialog({ title: t('evusers.new_tag'), testid: 'tag-dialog', submit: t('common.save'),
      fields: [{ name: 'id_tag', label: t('charging.id_tag'), required: true, attrs: { maxlength: '20' } }, { name: 'holder', label: t('evusers.holder') }],
      onSubmit: (v) => post('/id-tags', { id_tag: v.id_tag.trim(), holder: v.holder.trim() || null }) });
    if (r) { toast(t('common.saved')); await loadCredit(); }
  }

  async function loadRes() {
    try {
      const r = await get('/reservations');
      mount(resBox, dataTable({
        testid: 'reservations-table', rowTestid: (x) => 'reservation-' + x.reservation_id, empty: t('evusers.no_reservations'), rows: r.items,
        columns: [
          { label: t('evusers.reservation_no'), cls: 'col-num', render: (x) => String(x.reservation_id) },
          { label: t('charging.charge_point_id'), render: (x) => h('span.mono', { text: `${x.charge_point_id} #${x.connector_id}` }) },
          { label: t('charging.id_tag'), render: (x) => h('span.mono', { text: x.id_tag }) },
          { label: t('evusers.until'), cls: 'col-time', render: (x) => fmtTime(x.expiry_at, { seconds: false }) },
          { label: t('charging.status'), render: (x) => h('span.badge', { class: x.active ? 'badge-ok' : '', dataset: { status: x.status }, text: t('evusers.res.' + x.status) }) },
          allows(me, 'reservations.write') ? { label: '', render: (x) => (x.active ? h('button.btn.btn-sm', { type: 'button', testid: 'reservation-cancel-' + x.reservation_id, text: t('evusers.cancel'),
            onclick: async () => { try { await post(`/reservations/${encodeURIComponent(x.id)}/actions/cancel`); toast(t('evusers.cancelled')); await loadRes(); } catch (ex) { err.show(ex); } } }) : '') } : null,
        ].filter(Boolean),
      }));
    } catch (ex) { err.show(ex); mount(resBox); }
  }

  async function reserve() {
    const chargers = (await get('/chargers', { limit: 200, online: 'true' })).items || [];
    const r = await formDialog({ title: t('evusers.new_reservation'), testid: 'reserve-dialog', submit: t('evusers.reserve'), body: t('evusers.reserve_hint'),
      fields: [
        { name: 'charger_id', label: t('charging.charge_point_id'), type: 'select', options: chargers.map((c) => ({ value: c.id, label: `${c.charge_point_id} ${c.name || ''}` })) },
        { name: 'connector_id', label: t('charging.connector'), type: 'number', value: '1', attrs: { min: '1' } },
        { name: 'id_tag', label: t('charging.id_tag'), required: true },
        { name: 'minutes', label: t('evusers.minutes'), type: 'number', value: '30', attrs: { min: '5', max: '240' } },
      ],
      onSubmit: (v) => post('/reservations', { charger_id: v.charger_id, connector_id: Number(v.connector_id), id_tag: v.id_tag.trim(), minutes: Number(v.minutes) }) });
    if (r) { toast(t('evusers.reserved')); await loadRes(); }
  }

  el.append(...head,
    h('div.page-head.sub-head', h('h2.section-title', { text: t('evusers.credit_title') }),
      h('div.chips', level, allows(me, 'idtags.write') ? h('button.btn', { type: 'button', testid: 'tag-new', text: t('evusers.new_tag'), onclick: newTag }) : null)),
    err, creditBox, detail,
    h('div.page-head.sub-head', h('h2.section-title', { text: t('evusers.reservations') }),
      allows(me, 'reservations.write') ? h('button.btn.btn-primary', { type: 'button', testid: 'reservation-new', text: t('evusers.new_reservation'), onclick: reserve }) : null),
    resBox);
  loadCredit();
  loadRes();
}

// 工单: the work-order inbox (filters, paging), create form (orders.write), detail panel with the flow actions
// the server lists (cancel / reopen). GET/POST /work-orders, GET /work-orders/{id}, POST …/actions/{action}.
import { h, mount, clear } from './dom.js';
import { pageLife } from './lifecycle.js';
import { listPager } from './pager.js';
import { t, fmtTime, shanghaiInputToMs, msToShanghaiInput } from './i18n.js';
import { get, post, listAll, api } from './api.js';
import { canOrdersWrite, canOrgUnits, canPlans, canPlansWrite } from './perm.js';
import { toast, dataTable, loading, badge, field, formDialog } from './ui.js';
import {
  WORK_KINDS, orderStatuses, statusName, PRIORITIES, kindName, statusBadge, priorityBadge, sourceName, isOverdue,
  problemBox, markServerField, clearMarks, actionBar, kvList, masterDetail, detailHead, subId, appLink,
  emergencyMarks,
} from './fw.js';

const PAGE = 30;
// Filters survive leaving the page and coming back (and back/forward between list and detail).
const remembered = { status: '', kind: '', q: '' };

export function renderOrders(el, { me, path, navigate }) {
  const openId = subId(path, '/orders');
  if (openId === null) return false;

  let selected = null;
  let teams = null; // id -> name, when org units are readable

  const status = h('select.input', { testid: 'orders-status-filter', 'aria-label': t('order.filter_status') },
    h('option', { value: '', text: t('order.all_statuses') }),
    orderStatuses().map((s) => h('option', { value: s, text: statusName('work_order', s), selected: s === remembered.status })));
  const kind = h('select.input', { testid: 'orders-kind-filter', 'aria-label': t('order.filter_kind') },
    h('option', { value: '', text: t('order.all_kinds') }),
    WORK_KINDS.map((k) => h('option', { value: k, text: kindName(k), selected: k === remembered.kind })));
  const q = h('input.input.search.wide', {
    type: 'search', testid: 'orders-search', placeholder: t('order.search_placeholder'), 'aria-label': t('order.search'),
    autocomplete: 'off', spellcheck: 'false', value: remembered.q,
  });
  const filters = h('form.filters', { role: 'search', testid: 'orders-filters' }, q, status, kind,
    h('button.btn', { type: 'submit', testid: 'orders-search-submit', text: t('users.search') }));
  const debounce = pageLife().debouncer(350);
  q.addEventListener('input', () => debounce(reload));
  status.addEventListener('change', () => reload());
  kind.addEventListener('change', () => reload());
  filters.addEventListener('submit', (e) => { e.preventDefault(); debounce.cancel(); reload(); });

  const canWrite = canOrdersWrite(me);
  const newBtn = h('button.btn.btn-primary', { type: 'button', testid: 'order-new', onclick: () => showForm() },
    h('span', { text: t('order.new') }));
  const formBox = h('div');
  const err = problemBox('orders-error');
  const listBox = h('div', loading());
  const md = masterDetail('/orders');

  const query = () => {
    remembered.status = status.value;
    remembered.kind = kind.value;
    remembered.q = q.value.trim();
    return { status: remembered.status, kind: remembered.kind, q: remembered.q, limit: PAGE };
  };

  const list = listPager({ path: '/work-orders', query, err, box: listBox, draw, moreTestid: 'orders-more' });
  const reload = () => list.reload();

  function draw() {
    const byTestid = new Map(list.items.map((o) => ['order-row-' + o.number, o]));
    const table = dataTable({
      testid: 'orders-table',
      rowTestid: (o) => 'order-row-' + o.number,
      empty: t('order.empty'),
      rows: list.items,
      columns: [
        {
          label: t('order.number'),
          render: (o) => h('div.cell-main',
            appLink('/orders/' + encodeURIComponent(o.id), o.number, () => open(o.id), { class: 'mono row-open' }),
            h('div.cell-sub', { text: o.title || '' })),
        },
        { label: t('order.kind'), render: (o) => kindName(o.kind) },
        {
          label: t('order.customer'),
          render: (o) => h('div.cell-main', h('span', { text: o.customer_name || '—' }),
            o.customer_no ? h('div.cell-sub.mono', { text: o.customer_no }) : null),
        },
        { label: t('order.address'), cls: 'col-opt', render: (o) => o.site_address || '—' },
        { label: t('order.meter_asset_no'), cls: 'col-opt col-wide', render: (o) => (o.meter_asset_no ? h('span.mono', { text: o.meter_asset_no }) : '—') },
        { label: t('order.priority'), render: (o) => priorityBadge(o.priority) },
        { label: t('order.status'), render: (o) => statusBadge('work_order', o.status, 'order-row-status') },
        {
          label: t('order.due'), cls: 'col-time col-opt',
          render: (o) => h('span', { class: isOverdue(o) ? 'overdue' : '', text: fmtTime(o.due_at, { seconds: false }) }),
        },
      ],
    });
    // Clicking anywhere on a row opens it (the number is also a real link for keyboard and new tabs).
    table.addEventListener('click', (e) => {
      if (e.target.closest('a, button')) return;
      const tr = e.target.closest('tr[data-testid]');
      const o = tr && byTestid.get(tr.dataset.testid);
      if (o) open(o.id);
    });
    for (const tr of table.querySelectorAll('tbody tr[data-testid]')) {
      tr.classList.add('row-link');
      const o = byTestid.get(tr.dataset.testid);
      if (o && selected && o.id === selected) tr.classList.add('selected');
    }
    const count = typeof list.total === 'number' ? t('common.total', { n: list.total }) : t('common.total', { n: list.items.length });
    mount(listBox,
      h('p.muted', { testid: 'orders-total', text: count }),
      table,
      list.moreButton());
  }

  // ---------------------------------------------------------------- detail

  function open(id, { push = true } = {}) {
    selected = id;
    md.show(id, { push });
    for (const tr of listBox.querySelectorAll('tbody tr')) tr.classList.remove('selected');
    const row = list.items.find((o) => o.id === id);
    if (row) {
      const tr = listBox.querySelector(`tr[data-testid="order-row-${CSS.escape(row.number)}"]`);
      if (tr) tr.classList.add('selected');
    }
    loadDetail(id);
  }

  function close() {
    selected = null;
    md.hide();
    for (const tr of listBox.querySelectorAll('tbody tr')) tr.classList.remove('selected');
  }

  async function loadDetail(id) {
    mount(md.detail, h('section.card.detail-card', { testid: 'order-detail' }, loading()));
    let o;
    try {
      o = await get('/work-orders/' + encodeURIComponent(id));
    } catch (ex) {
      if (selected !== id) return;
      const box = problemBox('order-detail-error');
      box.show(ex);
      mount(md.detail, h('section.card.detail-card', { testid: 'order-detail' },
        detailHead({ number: '', title: t('order.detail'), badges: [], onClose: close, testid: 'order-detail' }), box));
      return;
    }
    if (selected !== id) return;
    // keep the list in step with what the server now says
    const i = list.items.findIndex((x) => x.id === o.id);
    if (i >= 0) {
      list.items[i] = { ...list.items[i], ...o };
      draw();
    }
    drawDetail(o);
  }

  function drawDetail(o) {
    const box = problemBox('order-action-error');
    const planCell = h('span', { text: '—' });
    if (o.plan_id) {
      const link = appLink('/plans/' + encodeURIComponent(o.plan_id), t('order.open_plan'), navigate, { testid: 'order-plan-link' });
      planCell.replaceChildren(link);
      if (canPlans(me)) {
        get('/plans/' + encodeURIComponent(o.plan_id)).then((p) => {
          if (p && p.number) link.textContent = `${p.number}${p.title ? ' · ' + p.title : ''}`;
        }).catch(() => { /* the link still works */ });
      }
    }
    const bar = actionBar({
      flow: 'work_order', collection: 'work-orders', entity: o, box, testidPrefix: 'order',
      confirmFor: (a) => (a === 'cancel'
        ? { title: t('order.cancel_title', { number: o.number }), body: t('order.cancel_body'), confirm: t('action.work_order.cancel'), danger: true }
        : null),
      onDone: () => loadDetail(o.id),
      onStale: () => refreshKeepingError(o.id, box),
    });
    // Plan-from-order: the plans page opens its form with this order chosen (and its team and place filled in).
    const planFrom = canPlansWrite(me) && o.status === 'new' && !o.plan_id
      ? h('button.btn', {
        type: 'button', testid: 'order-plan-from', text: t('order.plan_from'),
        onclick: () => {
          try { sessionStorage.setItem('fg.planFromOrder', JSON.stringify(o)); } catch { /* private mode: no prefill */ }
          navigate('/plans');
        },
      }) : null;
    const editable = canWrite && (o.status === 'new' || o.status === 'planned');
    const editContact = editable
      ? h('button.btn', { type: 'button', testid: 'order-edit-contact', text: t('order.edit_contact'), onclick: () => editContactDialog(o) })
      : null;
    const tools = planFrom || editContact ? h('div.form-actions.order-tools', planFrom, editContact) : null;
    const badges = [statusBadge('work_order', o.status, 'order-status'), priorityBadge(o.priority)];
    if (isOverdue(o)) badges.push(badge(t('order.overdue'), 'danger'));
    mount(md.detail, h('section.card.detail-card', { testid: 'order-detail', dataset: { id: o.id } },
      detailHead({ number: o.number, title: o.title, badges, onClose: close, testid: 'order-detail' }),
      emergencyMarks(o.emergency_relaxations, 'order-emergency'),
      bar, tools, box,
      kvList([
        [t('order.kind'), kindName(o.kind), 'order-detail-kind'],
        [t('order.customer_name'), o.customer_name, 'order-detail-customer'],
        [t('order.contact'), contactCell(o), 'order-detail-contact'],
        [t('order.appointment'), o.appointment_from || o.appointment_to ? appointmentText(o) : null, 'order-detail-appointment'],
        [t('order.customer_no'), o.customer_no ? h('span.mono', { text: o.customer_no }) : null],
        [t('order.address'), o.site_address, 'order-detail-address'],
        [t('order.meter_asset_no'), o.meter_asset_no ? h('span.mono', { text: o.meter_asset_no }) : null, 'order-detail-meter'],
        [t('order.metering_point_no'), o.metering_point_no ? h('span.mono', { text: o.metering_point_no }) : null],
        [t('order.due'), h('span', { class: isOverdue(o) ? 'overdue' : '', text: fmtTime(o.due_at, { seconds: false }) }), 'order-detail-due'],
        [t('order.plan'), planCell],
        [t('order.team'), o.team_id ? (teams && teams.get(o.team_id)) || h('span.muted.small', { title: o.team_id, text: t('plan.team_name_unavailable') }) : null],
        [t('order.source'), sourceName(o.source)],
        [t('order.description'), o.description ? h('div.pre-line', { text: o.description }) : null],
        [t('order.created_at'), fmtTime(o.created_at)],
        [t('common.updated_at'), fmtTime(o.updated_at)],
      ])));
  }

  /** The contact as the server sends it: a masked phone (with *) is not dialable, a whole one is a tel: link. */
  function contactCell(o) {
    if (!o.contact_name && !o.contact_phone) return null;
    const phone = o.contact_phone
      ? (o.contact_phone.includes('*')
        ? h('span.mono', { testid: 'order-contact-phone', text: o.contact_phone, title: t('order.contact_masked') })
        : h('a.mono', { href: 'tel:' + o.contact_phone.replace(/[^0-9+]/g, ''), testid: 'order-contact-phone', text: o.contact_phone }))
      : null;
    return h('span', h('span', { testid: 'order-contact-name', text: o.contact_name || '' }), o.contact_name && phone ? ' · ' : '', phone);
  }

  function appointmentText(o) {
    const from = o.appointment_from ? fmtTime(o.appointment_from, { seconds: false }) : '…';
    const to = o.appointment_to ? fmtTime(o.appointment_to, { seconds: false }) : '…';
    return `${from} – ${to}`;
  }

  /** Contact and appointment window: PATCH with the version the panel shows (a stale one is refused). */
  async function editContactDialog(o) {
    const r = await formDialog({
      title: t('order.edit_contact'), testid: 'order-contact-dialog', submit: t('common.save'),
      fields: [
        { name: 'contact_name', label: t('order.contact_name'), value: o.contact_name || '', attrs: { maxlength: '100' } },
        { name: 'contact_phone', label: t('order.contact_phone'), type: 'tel', value: o.contact_phone || '', attrs: { maxlength: '20' } },
        { name: 'appointment_from', label: t('order.appointment_from'), type: 'datetime-local', value: msToShanghaiInput(o.appointment_from) },
        { name: 'appointment_to', label: t('order.appointment_to'), type: 'datetime-local', value: msToShanghaiInput(o.appointment_to) },
      ],
      onSubmit: (v) => {
        const body = { version: o.version };
        body.contact_name = v.contact_name.trim() || null;
        body.contact_phone = v.contact_phone.trim() || null;
        for (const k of ['appointment_from', 'appointment_to']) body[k] = v[k] ? shanghaiInputToMs(v[k]) : null;
        return api('PATCH', '/work-orders/' + encodeURIComponent(o.id), { body });
      },
    });
    if (r) {
      toast(t('order.contact_saved'));
      loadDetail(o.id);
    }
  }

  /** After a stale-screen refusal: show the order as it is now, with the refusal still on screen. */
  async function refreshKeepingError(id, oldBox) {
    const keep = Array.from(oldBox.childNodes);
    await loadDetail(id);
    const box = md.detail.querySelector('[data-testid="order-action-error"]');
    if (box && keep.length) { box.replaceChildren(...keep); box.hidden = false; }
  }

  // ---------------------------------------------------------------- create

  function showForm() {
    newBtn.hidden = true;
    const kindSel = h('select.input', { testid: 'order-form-kind' },
      h('option', { value: '', text: t('form.choose') }),
      WORK_KINDS.map((k) => h('option', { value: k, text: kindName(k) })));
    const customerName = h('input.input', { type: 'text', maxlength: '100', autocomplete: 'off', testid: 'order-form-customer-name' });
    const customerNo = h('input.input', { type: 'text', maxlength: '50', autocomplete: 'off', spellcheck: 'false', testid: 'order-form-customer-no' });
    const address = h('input.input', { type: 'text', maxlength: '300', autocomplete: 'off', testid: 'order-form-address' });
    const meter = h('input.input', { type: 'text', maxlength: '50', autocomplete: 'off', spellcheck: 'false', testid: 'order-form-meter' });
    const priority = h('select.input', { testid: 'order-form-priority' },
      PRIORITIES.map((p) => h('option', { value: p, text: t('priority.' + p), selected: p === 'normal' })));
    const due = h('input.input', { type: 'datetime-local', testid: 'order-form-due' });
    const contactName = h('input.input', { type: 'text', maxlength: '100', autocomplete: 'off', testid: 'order-form-contact-name' });
    const contactPhone = h('input.input', { type: 'tel', maxlength: '20', autocomplete: 'off', testid: 'order-form-contact-phone' });
    const apptFrom = h('input.input', { type: 'datetime-local', testid: 'order-form-appointment-from' });
    const apptTo = h('input.input', { type: 'datetime-local', testid: 'order-form-appointment-to' });
    const description = h('textarea.input', { rows: '3', maxlength: '4000', testid: 'order-form-description' });
    const team = teams ? h('select.input', { testid: 'order-form-team' },
      h('option', { value: '', text: t('order.no_team') }),
      Array.from(teams, ([id, name]) => h('option', { value: id, text: name }))) : null;
    const ferr = problemBox('order-form-error');
    const submit = h('button.btn.btn-primary', { type: 'submit', testid: 'order-form-submit', text: t('common.create') });
    const fe = {};
    const labels = {
      kind: t('order.kind'), customer_name: t('order.customer_name'), customer_no: t('order.customer_no'),
      site_address: t('order.address'), meter_asset_no: t('order.meter_asset_no'), priority: t('order.priority'),
      due_at: t('order.due'), description: t('order.description'), team_id: t('order.team'),
      contact_name: t('order.contact_name'), contact_phone: t('order.contact_phone'),
      appointment_from: t('order.appointment_from'), appointment_to: t('order.appointment_to'),
    };
    const form = h('form.card.form-card', { testid: 'order-form', novalidate: true },
      h('h2.card-title', { text: t('order.new') }),
      h('div.form-grid',
        fe.kind = field(labels.kind, kindSel),
        fe.priority = field(labels.priority, priority),
        fe.due_at = field(labels.due_at, due, { hint: t('order.due_hint') }),
        fe.customer_name = field(labels.customer_name, customerName),
        fe.customer_no = field(labels.customer_no, customerNo),
        fe.meter_asset_no = field(labels.meter_asset_no, meter),
        fe.site_address = field(labels.site_address, address, { wide: true }),
        fe.contact_name = field(labels.contact_name, contactName),
        fe.contact_phone = field(labels.contact_phone, contactPhone),
        fe.appointment_from = field(labels.appointment_from, apptFrom),
        fe.appointment_to = field(labels.appointment_to, apptTo),
        team ? (fe.team_id = field(labels.team_id, team)) : null,
        fe.description = field(labels.description, description, { wide: true })),
      ferr,
      h('div.form-actions',
        h('button.btn', { type: 'button', testid: 'order-form-cancel', text: t('common.cancel'), onclick: () => { clear(formBox); newBtn.hidden = false; } }),
        submit));
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      ferr.show(null);
      clearMarks(fe);
      if (!kindSel.value) { fe.kind.classList.add('invalid'); ferr.show(t('form.required', { field: labels.kind })); kindSel.focus(); return; }
      const body = { kind: kindSel.value, priority: priority.value };
      const text = { customer_name: customerName, customer_no: customerNo, site_address: address, meter_asset_no: meter, description,
        contact_name: contactName, contact_phone: contactPhone };
      for (const [k, input] of [['appointment_from', apptFrom], ['appointment_to', apptTo]]) {
        if (input.value) body[k] = shanghaiInputToMs(input.value);
      }
      for (const [k, input] of Object.entries(text)) if (input.value.trim()) body[k] = input.value.trim();
      if (due.value) {
        const ms = shanghaiInputToMs(due.value);
        if (ms === null) { fe.due_at.classList.add('invalid'); ferr.show(t('order.due_invalid')); due.focus(); return; }
        body.due_at = ms;
      }
      if (team && team.value) body.team_id = team.value;
      submit.disabled = true;
      try {
        const o = await post('/work-orders', body);
        toast(t('order.created', { number: (o && o.number) || '' }));
        clear(formBox);
        newBtn.hidden = false;
        // The new order is the newest: show it at the top of an unfiltered list, opened.
        q.value = '';
        status.value = '';
        kind.value = '';
        await reload();
        if (o && o.id) open(o.id);
      } catch (ex) {
        submit.disabled = false;
        ferr.show(ex, markServerField(ex, fe, labels));
      }
    });
    mount(formBox, form);
    kindSel.focus();
  }

  // ---------------------------------------------------------------- page

  md.list.append(h('div.toolbar', filters, canWrite ? newBtn : null), formBox, err, listBox);
  el.append(
    h('div.page-head', h('h1.page-title', { text: t('nav.orders'), tabindex: '-1' })),
    md.wrap);
  const teamsReady = canOrgUnits(me)
    ? listAll('/org-units', { kind: 'team' }, 1000).then((us) => { teams = new Map(us.map((u) => [u.id, u.name])); }).catch(() => {})
    : Promise.resolve();
  teamsReady.then(() => {
    reload();
    if (openId) open(openId, { push: false });
  });
  return true;
}

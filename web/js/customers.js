// 客户档案 /customers[/{id}] (issue 11 item 1, R2.16): the customers the caller may see (their unit's, and those no
// unit serves), searched by customer or account number (and by name or phone with customers.contact), and one
// customer with contacts, accounts (户号), premises and metering points. What the server masks stays masked here;
// the whole ID number is shown only after an explicit click, which the server audits (GET /customers/{id}/identity).
import { h, mount } from './dom.js';
import { pageLife } from './lifecycle.js';
import { listPager } from './pager.js';
import { t, fmtTime } from './i18n.js';
import { get } from './api.js';
import { hasPerm, hasRole } from './perm.js';
import { dataTable, loading } from './ui.js';
import { problemBox, detailHead, subId, appLink } from './fw.js';

const allows = (me, p) => hasRole(me, 'admin') || hasPerm(me, p);
const KINDS = ['resident', 'non_resident', 'enterprise'];
const PAGE = 30;
const remembered = { q: '', kind: '' };

export function renderCustomers(el, ctx) {
  const sub = subId(ctx.path, '/customers');
  if (sub === null) return false;
  if (sub) renderCustomer(el, { ...ctx, id: sub });
  else renderList(el, ctx);
  return true;
}

function renderList(el, { navigate }) {
  const q = h('input.input.search.wide', { type: 'search', testid: 'customers-search', placeholder: t('customers.search_placeholder'),
    'aria-label': t('customers.search'), value: remembered.q, autocomplete: 'off' });
  const kind = h('select.input', { testid: 'customers-kind', 'aria-label': t('customers.kind') },
    h('option', { value: '', text: t('customers.all_kinds') }),
    KINDS.map((k) => h('option', { value: k, text: t('customers.kind.' + k), selected: k === remembered.kind })));
  const filters = h('form.filters', { role: 'search', testid: 'customers-filters' }, q, kind, h('button.btn', { type: 'submit', text: t('users.search') }));
  const debounce = pageLife().debouncer(350);
  q.addEventListener('input', () => debounce(reload));
  kind.addEventListener('change', () => reload());
  filters.addEventListener('submit', (e) => { e.preventDefault(); debounce.cancel(); reload(); });
  const listBox = h('div', loading());
  const err = problemBox('customers-error');
  const query = () => {
    remembered.q = q.value.trim();
    remembered.kind = kind.value;
    return { q: remembered.q || undefined, kind: remembered.kind || undefined, limit: PAGE };
  };
  const list = listPager({ path: '/customers', query, err, box: listBox, draw, moreTestid: 'customers-more' });
  const reload = () => list.reload();
  function draw() {
    mount(listBox,
      dataTable({
        testid: 'customers-table', rowTestid: (c) => 'customer-row-' + c.number, empty: t('customers.empty'), rows: list.items,
        columns: [
          { label: t('customers.name'), render: (c) => h('div.cell-main', appLink('/customers/' + encodeURIComponent(c.id), c.name, navigate, { class: 'row-open' }),
            h('div.cell-sub.mono', { text: c.number })) },
          { label: t('customers.kind'), render: (c) => t('customers.kind.' + c.kind) },
          { label: t('customers.accounts'), render: (c) => h('span.mono', { text: (c.account_numbers || []).join(', ') || '—' }) },
          { label: t('customers.contact'), cls: 'col-opt', render: (c) => (c.contacts && c.contacts[0] ? `${c.contacts[0].name} ${c.contacts[0].phone}` : '—') },
          { label: t('customers.id_number'), cls: 'col-opt', render: (c) => h('span.mono', { testid: 'customer-id-' + c.number, text: c.id_number }) },
        ],
      }),
      list.moreButton());
  }
  el.append(
    h('div.page-head', h('h1.page-title', { text: t('nav.customers'), tabindex: '-1' })),
    h('div.toolbar', filters), err, listBox);
  reload();
}

function renderCustomer(el, { me, navigate, id }) {
  const card = h('section.card.detail-card.customer-card', { testid: 'customer-page', dataset: { id } }, loading());
  const back = () => navigate('/customers');
  el.append(h('div.page-head', h('h1.page-title', { text: t('nav.customers'), tabindex: '-1' })), card);

  async function load() {
    try {
      draw(await get(`/customers/${encodeURIComponent(id)}`));
    } catch (ex) {
      const box = problemBox('customer-error');
      box.show(ex);
      mount(card, detailHead({ number: '', title: t('customers.customer'), badges: [], onClose: back, testid: 'customer' }), box);
    }
  }

  function draw(c) {
    const idCell = h('span.mono', { testid: 'customer-id-number', text: c.id_number });
    const revealErr = problemBox('customer-reveal-error');
    const reveal = allows(me, 'customers.identity') ? h('button.btn.btn-sm', {
      type: 'button', testid: 'customer-reveal', text: t('customers.reveal'), title: t('customers.reveal_hint'),
      onclick: async (e) => {
        e.currentTarget.disabled = true;
        try {
          const r = await get(`/customers/${encodeURIComponent(c.id)}/identity`);
          idCell.textContent = r.id_number;
          e.target.remove();
        } catch (ex) { revealErr.show(ex); }
      },
    }) : null;
    const points = (p) => dataTable({
      testid: 'premises-points-' + p.id, rowTestid: (m) => 'point-' + m.number, empty: t('customers.no_points'), rows: p.metering_points || [],
      columns: [
        { label: t('customers.point'), render: (m) => h('span.mono', { text: m.number }) },
        { label: t('customers.purpose'), render: (m) => t('customers.purpose.' + m.purpose) },
        { label: t('customers.point_status'), render: (m) => h('span.badge', { class: m.status === 'installed' ? 'badge-ok' : '', dataset: { status: m.status }, text: t('customers.point_status.' + m.status) }) },
        { label: t('customers.meter'), render: (m) => (m.meter_asset_no ? h('div', h('span.mono', { text: m.meter_asset_no }), h('div.cell-sub', { text: m.meter_model || '' })) : '—') },
        { label: t('customers.installed_at'), cls: 'col-time', render: (m) => (m.installed_at ? fmtTime(m.installed_at, { seconds: false }) : '—') },
      ],
    });
    const accounts = (c.accounts || []).map((a) => h('section.customer-account', { testid: 'account-' + a.number },
      h('h3.section-title', { text: t('customers.account_n', { number: a.number }) },
        a.status === 'closed' ? h('span.badge', { text: t('customers.closed') }) : null),
      (a.premises || []).length ? null : h('p.muted', { text: t('customers.no_premises') }),
      (a.premises || []).map((p) => h('div.customer-premises', { testid: 'premises-' + p.id },
        h('dl.kv.kv-detail',
          h('dt', { text: t('customers.supply_address') }), h('dd', { text: p.supply_address }),
          h('dt', { text: t('customers.voltage') }), h('dd', { text: p.voltage_level }),
          h('dt', { text: t('customers.transformer_area') }), h('dd', { text: p.transformer_area || '—' }),
          h('dt', { text: t('customers.capacity') }), h('dd', { text: t('customers.kva', { n: p.capacity_kva }) })),
        points(p)))));
    mount(card,
      detailHead({ number: c.number, title: c.name, badges: [h('span.chip', { text: t('customers.kind.' + c.kind) })], onClose: back, testid: 'customer' }),
      h('dl.kv.kv-detail',
        h('dt', { text: t('customers.id_type.' + c.id_type) }), h('dd', idCell, reveal),
        h('dt', { text: t('customers.created_at') }), h('dd', { text: fmtTime(c.created_at, { seconds: false }) }),
        c.note ? [h('dt', { text: t('customers.note') }), h('dd', { text: c.note })] : null),
      revealErr,
      h('h3.section-title', { text: t('customers.contacts') }),
      dataTable({
        testid: 'customer-contacts', rowTestid: (x) => 'contact-' + x.i, empty: '—', rows: (c.contacts || []).map((x, i) => ({ ...x, i })),
        columns: [
          { label: t('customers.contact_name'), render: (x) => x.name },
          { label: t('customers.phone'), render: (x) => h('span.mono', { text: x.phone }) },
          { label: t('customers.contact_role'), render: (x) => x.role || '—' },
        ],
      }),
      accounts.length ? accounts : h('p.muted', { text: t('customers.no_accounts') }));
  }
  load();
}

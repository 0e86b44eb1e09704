// 工作票 /tickets[/{id}]: the ticket list (GET /tickets?status=, "load more" by next_cursor) and a ticket's detail,
// the same view as on the phone (ticketview.js): signatures, measures with who and when, risk points with their
// confirmations, photos, the flow actions the server lists (issuers issue, permitters permit, with the password),
// the signature check, and for supervisors the evaluation of an ended ticket.
import { h, mount, icon } from './dom.js';
import { listPager } from './pager.js';
import { t, fmtTime } from './i18n.js';
import { get } from './api.js';
import { canPlans } from './perm.js';
import { toast, dataTable, loading } from './ui.js';
import {
  ticketStatuses, statusName, statusBadge, riskBadge, ticketKindName, problemBox, masterDetail, detailHead, subId, appLink,
} from './fw.js';
import { ticketView } from './ticketview.js';
import { canSupervise, unevaluatedIds, evaluateDialog } from './supervision.js';

const PAGE = 30;
const remembered = { status: '' };

export function renderTickets(el, { me, path, navigate }) {
  const openId = subId(path, '/tickets');
  if (openId === null) return false;

  let selected = null;

  const status = h('select.input', { testid: 'tickets-status-filter', 'aria-label': t('ticket.filter_status') },
    h('option', { value: '', text: t('ticket.all_statuses') }),
    ticketStatuses().map((s) => h('option', { value: s, text: statusName('ticket', s), selected: s === remembered.status })));
  status.addEventListener('change', () => reload());
  const err = problemBox('tickets-error');
  const listBox = h('div', loading());
  const md = masterDetail('/tickets');

  const query = () => {
    remembered.status = status.value;
    return { status: status.value, limit: PAGE };
  };
  const list = listPager({ path: '/tickets', query, err, box: listBox, draw, moreTestid: 'tickets-more' });
  const reload = () => list.reload();

  function draw() {
    const byTestid = new Map(list.items.map((x) => ['ticket-row-' + x.number, x]));
    const table = dataTable({
      testid: 'tickets-table',
      rowTestid: (x) => 'ticket-row-' + x.number,
      empty: t('ticket.empty'),
      rows: list.items,
      columns: [
        {
          label: t('ticket.number'),
          render: (x) => h('div.cell-main',
            appLink('/tickets/' + encodeURIComponent(x.id), x.number, () => open(x.id), { class: 'mono row-open' }),
            h('div.cell-sub', { text: ticketKindName(x.kind) })),
        },
        { label: t('ticket.place'), cls: 'col-opt', render: (x) => x.place || '—' },
        { label: t('ticket.window'), cls: 'col-time', render: (x) => fmtTime(x.planned_start, { seconds: false }) },
        { label: t('plan.risk'), render: (x) => riskBadge(x.risk_level) },
        { label: t('ticket.status'), render: (x) => statusBadge('ticket', x.status, 'ticket-row-status') },
        { label: t('ticket.ended_at'), cls: 'col-opt col-time', render: (x) => (x.ended_at ? fmtTime(x.ended_at, { seconds: false }) : '—') },
      ],
    });
    table.addEventListener('click', (e) => {
      if (e.target.closest('a, button')) return;
      const tr = e.target.closest('tr[data-testid]');
      const x = tr && byTestid.get(tr.dataset.testid);
      if (x) open(x.id);
    });
    for (const tr of table.querySelectorAll('tbody tr[data-testid]')) {
      tr.classList.add('row-link');
      const x = byTestid.get(tr.dataset.testid);
      if (x && x.id === selected) tr.classList.add('selected');
    }
    mount(listBox,
      h('p.muted', { testid: 'tickets-total', text: t('common.total', { n: typeof list.total === 'number' ? list.total : list.items.length }) }),
      table,
      list.moreButton());
  }

  function open(id, { push = true } = {}) {
    selected = id;
    md.show(id, { push });
    for (const tr of listBox.querySelectorAll('tbody tr')) tr.classList.toggle('selected', false);
    const row = list.items.find((x) => x.id === id);
    if (row) {
      const tr = listBox.querySelector(`tr[data-testid="ticket-row-${CSS.escape(row.number)}"]`);
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
    mount(md.detail, h('section.card.detail-card', { testid: 'ticket-detail' }, loading()));
    let tk;
    let open = null;
    try {
      [tk, open] = await Promise.all([
        get('/tickets/' + encodeURIComponent(id)),
        canSupervise(me) ? unevaluatedIds().catch(() => null) : Promise.resolve(null),
      ]);
    } catch (ex) {
      if (selected !== id) return;
      const box = problemBox('ticket-detail-error');
      box.show(ex);
      mount(md.detail, h('section.card.detail-card', { testid: 'ticket-detail' },
        detailHead({ number: '', title: t('ticket.detail'), badges: [], onClose: close, testid: 'ticket-detail' }), box));
      return;
    }
    if (selected !== id) return;
    drawDetail(tk, open);
  }

  function syncRow(tk) {
    const i = list.items.findIndex((x) => x.id === tk.id);
    if (i >= 0) { list.items[i] = { ...list.items[i], status: tk.status, version: tk.version, ended_at: tk.ended_at }; draw(); }
  }

  function drawDetail(tk, unevaluated) {
    const ended = tk.status === 'ended' || tk.status === 'archived';
    const evalPart = h('div.eval-part', { testid: 'ticket-evaluation' });
    const drawEval = () => {
      if (!ended || !canSupervise(me) || !unevaluated) { evalPart.hidden = true; return; }
      evalPart.hidden = false;
      if (unevaluated.has(tk.id)) {
        mount(evalPart,
          h('span.small', { text: t('eval.pending') }),
          h('button.btn.btn-primary', {
            type: 'button', testid: 'ticket-evaluate',
            onclick: async () => {
              const r = await evaluateDialog(tk);
              if (r) {
                unevaluated.delete(tk.id);
                toast(t('eval.done', { number: tk.number }));
                drawEval();
              }
            },
          }, h('span', { text: t('eval.button') })));
      } else {
        mount(evalPart, h('span.badge.badge-ok', { testid: 'ticket-evaluated', text: t('eval.evaluated') }));
      }
    };
    drawEval();
    const links = h('div.ticket-links',
      canPlans(me) ? appLink('/plans/' + encodeURIComponent(tk.plan_id), t('ticket.open_plan'), navigate, { testid: 'ticket-plan-link' }) : null,
      evalPart);
    const view = ticketView({
      me, ticket: tk, risks: 'confirm', measures: true, extra: links,
      onChanged: (r) => { syncRow(r); },
      onStale: () => loadDetail(tk.id),
    });
    mount(md.detail, h('section.card.detail-card', { testid: 'ticket-detail', dataset: { id: tk.id } },
      h('div.detail-head',
        h('button.btn.btn-sm.btn-link.detail-back', { type: 'button', testid: 'ticket-detail-close', onclick: close },
          icon('back', 'icon icon-sm'), h('span', { text: t('common.back_to_list') }))),
      view.el));
  }

  md.list.append(h('div.toolbar', h('div.filters', status)), err, listBox);
  el.append(h('div.page-head', h('h1.page-title', { text: t('nav.tickets'), tabindex: '-1' })), md.wrap);
  reload();
  if (openId) open(openId, { push: false });
  return true;
}

// 我的作业 (phone first): the published and running plans the signed-in person leads or crews (GET /me/jobs),
// as cards, and a job's detail. The on-site steps (survey → ticket → briefing → risks → steps → terminate) are
// not built yet: the detail names them as coming in a later release, with no buttons that would do nothing.
import { h, mount, icon } from './dom.js';
import { t, tOr, roleName, fmtTime } from './i18n.js';
import { get } from './api.js';
import { loading } from './ui.js';
import {
  kindName, statusBadge, statusName, riskBadge, highRiskBadge, personName, problemBox, kvList, masterDetail,
  detailHead, subId,
} from './fw.js';

// The phone flow of issue 3, in order. None of it exists in this release.
const STEPS = ['survey', 'ticket', 'briefing', 'risks', 'steps', 'terminate'];

export function renderJobs(el, { path }) {
  const openId = subId(path, '/jobs');
  if (openId === null) return false;

  let jobs = [];
  let loaded = false;
  let selected = null;
  const err = problemBox('jobs-error');
  const listBox = h('div', loading());
  const md = masterDetail('/jobs');
  const refresh = h('button.btn.btn-sm', { type: 'button', testid: 'jobs-refresh', onclick: () => reload() },
    icon('refresh', 'icon icon-sm'), h('span', { text: t('jobs.refresh') }));

  async function reload() {
    err.show(null);
    refresh.disabled = true;
    try {
      const r = await get('/me/jobs');
      jobs = (r && r.items) || [];
      loaded = true;
      draw();
      if (selected) drawDetail(selected);
    } catch (ex) {
      err.show(ex);
      mount(listBox);
    } finally {
      refresh.disabled = false;
    }
  }

  function draw() {
    if (!jobs.length) {
      mount(listBox, h('section.card.placeholder.jobs-empty', { testid: 'jobs-empty' },
        h('div.placeholder-icon', icon('jobs', 'icon icon-xl')),
        h('p.placeholder-text', { text: t('jobs.empty') })));
      return;
    }
    mount(listBox,
      h('p.muted', { testid: 'jobs-total', text: t('jobs.count', { n: jobs.length }) }),
      h('ul.job-list', { testid: 'jobs-list' }, jobs.map((j) => h('li', card(j)))));
  }

  function card(j) {
    const orders = j.work_orders || [];
    const a = h('a.job-card', {
      href: '/jobs/' + encodeURIComponent(j.id), testid: 'job-card-' + j.number, dataset: { id: j.id },
      class: j.id === selected ? 'selected' : '',
      onclick: (e) => { if (e.button === 0 && !e.ctrlKey && !e.metaKey && !e.shiftKey) { e.preventDefault(); open(j.id); } },
    },
    h('div.job-top',
      h('span.job-date', { text: j.date || '—' }),
      statusBadge('plan', j.status, 'job-status'),
      h('span.chip.job-role', { testid: 'job-role', text: roleName(j.my_role) })),
    h('h2.job-title', { text: j.title || j.number }),
    h('div.job-meta',
      h('span.mono', { text: j.number }),
      j.place ? h('span.job-place', icon('place', 'icon icon-sm'), h('span', { text: j.place })) : null),
    h('div.chips', riskBadge(j.risk_level, 'job-risk'), j.high_risk ? highRiskBadge('job-high-risk') : null),
    orders.length ? h('ul.job-orders', { testid: 'job-orders' }, orders.map((o) => h('li.job-order',
      h('div.job-order-main',
        h('span.job-order-customer', { text: o.customer_name || kindName(o.kind) }),
        o.meter_asset_no ? h('span.small.job-order-meter', { text: t('jobs.meter', { no: o.meter_asset_no }) }) : null),
      o.site_address ? h('div.job-order-addr', { text: o.site_address }) : null))) : null,
    h('span.job-open', { text: t('jobs.open') }));
    return a;
  }

  function open(id, { push = true } = {}) {
    selected = id;
    md.show(id, { push });
    for (const c of listBox.querySelectorAll('.job-card')) c.classList.toggle('selected', c.dataset.id === id);
    if (loaded) drawDetail(id);
    else mount(md.detail, h('section.card.detail-card', { testid: 'job-detail' }, loading()));
  }

  function close() {
    selected = null;
    md.hide();
    for (const c of listBox.querySelectorAll('.job-card')) c.classList.remove('selected');
  }

  function drawDetail(id) {
    const j = jobs.find((x) => x.id === id);
    if (!j) {
      mount(md.detail, h('section.card.detail-card', { testid: 'job-detail' },
        detailHead({ number: '', title: t('jobs.detail'), badges: [], onClose: close, testid: 'job-detail' }),
        h('div.alert.alert-info', { role: 'status', testid: 'job-gone', text: t('jobs.gone') })));
      return;
    }
    const orders = j.work_orders || [];
    const badges = [statusBadge('plan', j.status, 'job-detail-status'), riskBadge(j.risk_level, 'job-detail-risk')];
    if (j.high_risk) badges.push(highRiskBadge());
    const leader = j.leader ? h('span',
      h('span', { text: personName(j.leader) }),
      j.leader.phone ? h('a.tel', { href: 'tel:' + j.leader.phone, text: j.leader.phone }) : null) : null;
    mount(md.detail, h('section.card.detail-card', { testid: 'job-detail', dataset: { id: j.id } },
      detailHead({ number: j.number, title: j.title, badges, onClose: close, testid: 'job-detail' }),
      h('div.job-next', { testid: 'job-next-step' },
        h('div.job-next-state', { testid: 'job-next-state', text: tOr('jobs.state.' + j.status, statusName('plan', j.status)) }),
        h('div.job-next-text', { text: t('jobs.next_later') })),
      kvList([
        [t('plan.date'), j.date],
        [t('plan.place'), j.place],
        [t('jobs.my_role'), h('span.chip', { testid: 'job-detail-role', text: roleName(j.my_role) })],
        [t('plan.leader'), leader],
        [t('plan.crew'), (j.crew || []).length ? h('div.chips', j.crew.map((c) => h('span.chip', { text: personName(c) }))) : null],
        j.high_risk ? [t('plan.high_risk'), t('risk.high_hint')] : null,
        [t('plan.content'), j.content ? h('div.pre-line', { text: j.content }) : null],
        [t('plan.published_at'), fmtTime(j.published_at, { seconds: false })],
      ]),
      h('h3.section-title', { text: t('plan.orders_n', { n: orders.length }) }),
      h('ul.job-orders.job-orders-detail', { testid: 'job-detail-orders' }, orders.map((o) => h('li.job-order', { testid: 'job-order-' + o.number },
        h('div.job-order-main',
          h('span.job-order-customer', { text: o.customer_name || '—' }),
          h('span.mono.small', { text: o.number })),
        h('div.small', { text: kindName(o.kind) }),
        o.site_address ? h('div.job-order-addr', icon('place', 'icon icon-sm'), h('span', { text: o.site_address })) : null,
        kvList([
          [t('order.customer_no'), o.customer_no ? h('span.mono', { text: o.customer_no }) : null],
          [t('order.meter_asset_no'), o.meter_asset_no ? h('span.mono', { text: o.meter_asset_no }) : null],
        ], 'kv-compact-rows')))),
      h('h3.section-title', { text: t('jobs.flow') }),
      h('ol.step-list', { testid: 'job-steps' }, STEPS.map((s) => h('li.step',
        h('span.step-name', { text: t('jobs.step.' + s) }),
        h('span.badge.badge-muted', { text: t('nav.soon') })))),
      h('p.muted.small', { text: t('jobs.flow_note') })));
  }

  md.list.append(h('div.toolbar.jobs-toolbar', h('p.muted.jobs-intro', { text: t('jobs.intro') }), refresh), err, listBox);
  el.append(h('div.page-head', h('h1.page-title', { text: t('nav.jobs'), tabindex: '-1' })), md.wrap);
  if (openId) open(openId, { push: false });
  reload();
  return true;
}

// 我的作业 (phone first): the published and running plans the signed-in person leads or crews (GET /me/jobs),
// as cards. A card opens the job's own page /jobs/{plan id} (jobflow.js): the on-site flow, step by step.
import { h, mount, icon } from './dom.js';
import { t, roleName } from './i18n.js';
import { get } from './api.js';
import { loading } from './ui.js';
import { kindName, statusBadge, riskBadge, highRiskBadge, problemBox, subId } from './fw.js';
import { renderJobFlow } from './jobflow.js';

export function renderJobs(el, { me, path, navigate }) {
  const openId = subId(path, '/jobs');
  if (openId === null) return false;
  if (openId) {
    renderJobFlow(el, { me, planId: openId, navigate });
    return true;
  }

  let jobs = [];
  const err = problemBox('jobs-error');
  const listBox = h('div', loading());
  const refresh = h('button.btn.btn-sm', { type: 'button', testid: 'jobs-refresh', onclick: () => reload() },
    icon('refresh', 'icon icon-sm'), h('span', { text: t('jobs.refresh') }));

  async function reload() {
    err.show(null);
    refresh.disabled = true;
    try {
      const r = await get('/me/jobs');
      jobs = (r && r.items) || [];
      draw();
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
      onclick: (e) => { if (e.button === 0 && !e.ctrlKey && !e.metaKey && !e.shiftKey) { e.preventDefault(); navigate('/jobs/' + encodeURIComponent(j.id)); } },
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

  el.append(h('div.page-head', h('h1.page-title', { text: t('nav.jobs'), tabindex: '-1' })),
    h('div.toolbar.jobs-toolbar', h('p.muted.jobs-intro', { text: t('jobs.intro') }), refresh), err, listBox);
  reload();
  return true;
}

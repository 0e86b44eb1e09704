// 工作台: who is signed in, and what the platform has so far.
import { h, icon } from './dom.js';
import { t, roleName, fmtTime } from './i18n.js';
import { api } from './api.js';
import { visibleSections, canToolsWrite } from './perm.js';
import { dueSummary } from './toolkit.js';

export function renderDashboard(el, { me, orgName, navigate }) {
  const name = me.display_name || me.username;
  const roles = (me.roles || []).map((r) => h('span.chip', { text: roleName(r) }));

  const health = h('dd', { testid: 'dashboard-server', text: t('common.loading') });
  api('GET', '/health', { auth: false }).then((r) => {
    health.textContent = t('dashboard.server_ok', { db: (r && r.db) || '?', version: (r && r.version) || '?' });
  }).catch(() => { health.textContent = t('dashboard.server_unknown'); });

  const modules = visibleSections(me).filter((s) => s.id !== 'dashboard').map((s) =>
    h('li',
      h('a.module-link', {
        href: s.path, testid: 'module-' + s.id,
        onclick: (e) => { if (e.button === 0 && !e.ctrlKey && !e.metaKey) { e.preventDefault(); navigate(s.path); } },
      }, icon(s.icon), h('span.module-name', { text: t(s.key) }),
      h('span.badge', { class: s.ready ? 'badge-ok' : 'badge-muted', text: s.ready ? t('dashboard.module_ready') : t('nav.soon') }))));

  // Tool keepers see the test reminders first: overdue (red) and due within 30 days (amber).
  const toolsDue = canToolsWrite(me) ? h('section.card.dashboard-tools', { testid: 'dashboard-tools' },
    h('h2.card-title', { text: t('dashboard.tools_due') }),
    dueSummary({ testid: 'dashboard-tools-due', days: 30, title: false, onPick: (s) => navigate('/tools?status=' + s) })) : null;

  el.append(
    h('div.page-head', h('h1.page-title', { testid: 'dashboard-welcome', tabindex: '-1', text: t('dashboard.welcome', { name }) })),
    toolsDue,
    h('div.grid-2',
      h('section.card',
        h('h2.card-title', { text: t('dashboard.account') }),
        h('dl.kv',
          h('dt', { text: t('user.display_name') }), h('dd', { text: name, testid: 'dashboard-name' }),
          h('dt', { text: t('user.username') }), h('dd', { text: me.username }),
          h('dt', { text: t('user.roles') }), h('dd', h('div.chips', { testid: 'dashboard-roles' }, roles.length ? roles : '—')),
          h('dt', { text: t('user.org_unit') }), h('dd', { testid: 'dashboard-org', text: orgName || t('user.no_org_unit') }),
          h('dt', { text: t('user.last_login') }), h('dd', { text: fmtTime(me.last_login_at) }))),
      h('section.card',
        h('h2.card-title', { text: t('dashboard.modules') }),
        h('ul.module-list', modules),
        h('dl.kv.kv-compact',
          h('dt', { text: t('dashboard.server') }), health))));
}

export function renderPlaceholder(el, { section }) {
  el.append(
    h('div.page-head', h('h1.page-title', { text: t(section.key), tabindex: '-1' })),
    h('section.card.placeholder', { testid: 'placeholder' },
      h('div.placeholder-icon', icon(section.icon, 'icon icon-xl')),
      h('h2.placeholder-title', { text: t('placeholder.title') }),
      h('p.placeholder-text', { text: t('placeholder.text', { section: t(section.key) }) })));
}

export function renderNotFound(el, { navigate }) {
  el.append(
    h('div.page-head', h('h1.page-title', { text: t('notfound.title'), tabindex: '-1' })),
    h('section.card.placeholder', { testid: 'not-found' },
      h('p.placeholder-text', { text: t('notfound.text') }),
      h('button.btn.btn-primary', { type: 'button', text: t('nav.dashboard'), onclick: () => navigate('/') })));
}

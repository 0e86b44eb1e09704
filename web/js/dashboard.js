// 工作台: what is waiting for the signed-in person first (GET /me/queue), then who they are and the modules.
import { h, icon, append, mount } from './dom.js';
import { t, tOr, roleName, fmtTime } from './i18n.js';
import { api, get } from './api.js';
import { visibleSections, canToolsWrite } from './perm.js';
import { dueSummary } from './toolkit.js';

// A link that stays in the app (a plain click navigates; ctrl/cmd-click opens a tab as usual).
function appLink(path, navigate, attrs, ...children) {
  return h('a', { ...attrs, href: path,
    onclick: (e) => { if (e.button === 0 && !e.ctrlKey && !e.metaKey) { e.preventDefault(); navigate(path); } } }, ...children);
}

// "at" is epoch ms (a due time) or a day (YYYY-MM-DD) as the module gives it.
const fmtAt = (at) => (at === null || at === undefined ? '' : typeof at === 'number' ? fmtTime(at, { seconds: false }) : String(at));

/** 待我处理: each kind of waiting work with its count and its first items, each linking where the person acts. */
function queueCard(navigate) {
  const body = h('div.queue-body', { 'aria-live': 'polite' }, h('span.muted.small', { text: t('common.loading') }));
  const total = h('span.badge.badge-muted.queue-total', { testid: 'queue-total', hidden: true });
  const card = h('section.card.dashboard-queue', { testid: 'dashboard-queue' },
    h('h2.card-title.queue-title', h('span', { text: t('queue.title') }), total), body);
  get('/me/queue').then((q) => {
    total.textContent = String(q.total);
    total.hidden = !q.total;
    if (!q.kinds.length) {
      mount(body, h('p.queue-empty', { testid: 'queue-empty' }, icon('tickets', 'icon icon-sm'), h('span', { text: t('queue.empty') })));
      return;
    }
    mount(body, h('ul.queue-list', q.kinds.map((k) => {
      const label = tOr('queue.kind.' + k.kind, k.kind);
      const more = k.count - k.items.length;
      return h('li.queue-kind', { testid: 'queue-kind', dataset: { kind: k.kind, count: String(k.count) } },
        appLink(k.path, navigate, { class: 'queue-kind-head', testid: 'queue-kind-link' },
          h('span.queue-kind-name', { text: label }), h('span.queue-count', { testid: 'queue-count', text: String(k.count) })),
        h('ul.queue-items', k.items.map((it) => h('li',
          appLink(it.path, navigate, { class: 'queue-item', testid: 'queue-item', dataset: { id: it.id } },
            h('span.queue-item-title', { text: it.title || '—' }),
            it.subtitle ? h('span.queue-item-sub.muted', { text: it.subtitle }) : null,
            it.at !== null && it.at !== undefined ? h('span.queue-item-at.muted', { text: fmtAt(it.at) }) : null)))),
        more > 0 ? appLink(k.path, navigate, { class: 'queue-more small', testid: 'queue-more', text: t('queue.more', { n: more }) }) : null);
    })));
  }).catch(() => {
    mount(body, h('p.muted', { testid: 'queue-failed', text: t('queue.failed') }));
  });
  return card;
}

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

  // append() leaves out what is null (no tool card for most roles); Element.append would print "null"
  append(el, [
    h('div.page-head', h('h1.page-title', { testid: 'dashboard-welcome', tabindex: '-1', text: t('dashboard.welcome', { name }) })),
    queueCard(navigate),
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
          h('dt', { text: t('dashboard.server') }), health)))]);
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

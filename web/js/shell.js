// The frame after login: header, side nav (drawer on phones), bottom tab bar,
// user menu. Views render into the element returned by shell.content().
import { h, icon, mount } from './dom.js';
import { t, tOr, roleName } from './i18n.js';
import { visibleSections, sectionFor, phoneTabs } from './perm.js';
import { langSwitch } from './login.js';
import { get } from './api.js';

/**
 * buildShell({me, orgName, navigate, logout, onLang}) -> {el, setActive(path), content()}
 */
export function buildShell({ me, orgName, navigate, logout, onLang }) {
  const sections = visibleSections(me);
  const name = me.display_name || me.username;

  // ----- side nav (desk) / drawer (phone)
  const navLinks = new Map();
  const navList = h('ul.nav-list');
  for (const s of sections) {
    const a = h('a.nav-item', {
      href: s.path, testid: 'nav-' + s.id, dataset: { section: s.id },
      onclick: (e) => { if (isPlainClick(e)) { e.preventDefault(); closeDrawer(); navigate(s.path); } },
    }, icon(s.icon), h('span.nav-label', { text: t(s.key) }));
    navLinks.set(s.id, a);
    navList.append(h('li', a));
  }
  const drawerHead = h('div.drawer-head',
    h('span.drawer-title', { text: t('nav.menu') }),
    h('button.icon-btn', { type: 'button', 'aria-label': t('common.close'), testid: 'nav-close', onclick: () => closeDrawer() }, icon('close')));
  const sidenav = h('nav.sidenav', { 'aria-label': t('nav.menu'), testid: 'side-nav', id: 'fg-sidenav' }, drawerHead, navList);
  const scrim = h('div.scrim', { onclick: () => closeDrawer(), 'aria-hidden': 'true' });

  // ----- bottom tab bar (phone)
  const tabLinks = new Map();
  const tabbar = h('nav.tabbar', { 'aria-label': t('nav.tabbar'), testid: 'phone-nav' });
  for (const s of phoneTabs(me)) {
    const to = s.phonePath ? s.phonePath(me) : s.path;
    const a = h('a.tab', {
      href: to, testid: 'tab-' + s.id,
      onclick: (e) => { if (isPlainClick(e)) { e.preventDefault(); closeDrawer(); navigate(to); } },
    }, icon(s.icon), h('span.tab-label', { text: t(s.key + '.short') === s.key + '.short' ? t(s.key) : t(s.key + '.short') }));
    tabLinks.set(s.id, a);
    tabbar.append(a);
  }
  const moreBtn = h('button.tab', {
    type: 'button', testid: 'tab-more', 'aria-controls': 'fg-sidenav', 'aria-expanded': 'false',
    onclick: () => (document.body.classList.contains('drawer-open') ? closeDrawer() : openDrawer()),
  }, icon('more'), h('span.tab-label', { text: t('nav.more') }));
  tabbar.append(moreBtn);

  function openDrawer() {
    document.body.classList.add('drawer-open');
    moreBtn.setAttribute('aria-expanded', 'true');
    const first = sidenav.querySelector('.nav-item');
    if (first) first.focus({ preventScroll: true });
  }
  function closeDrawer() {
    document.body.classList.remove('drawer-open');
    moreBtn.setAttribute('aria-expanded', 'false');
  }

  // ----- user menu
  const initial = Array.from(name)[0] || '?';
  const menuBtn = h('button.user-btn', {
    type: 'button', testid: 'user-menu', 'aria-haspopup': 'true', 'aria-expanded': 'false', 'aria-controls': 'fg-user-panel',
  }, h('span.avatar', { text: initial, 'aria-hidden': 'true' }), h('span.user-name', { text: name }), icon('chevron', 'icon icon-sm'));
  const roles = (me.roles || []).map((r) => h('span.chip', { text: roleName(r) }));
  const panel = h('div.user-panel', { id: 'fg-user-panel', testid: 'user-menu-panel', hidden: true },
    h('div.user-panel-head',
      h('div.user-panel-name', { text: name, testid: 'user-menu-name' }),
      h('div.user-panel-login', { text: me.username })),
    h('div.user-panel-row',
      h('div.user-panel-label', { text: t('user.roles') }),
      h('div.chips', { testid: 'user-menu-roles' }, roles.length ? roles : h('span', { text: '—' }))),
    h('div.user-panel-row',
      h('div.user-panel-label', { text: t('user.org_unit') }),
      h('div', { text: orgName || t('user.no_org_unit') })),
    h('div.user-panel-row',
      h('div.user-panel-label', { text: t('user.language') }),
      langSwitch((code) => onLang(code))),
    h('button.btn.btn-block.btn-logout', { type: 'button', testid: 'logout', onclick: () => logout() },
      icon('logout', 'icon icon-sm'), h('span', { text: t('user.logout') })));
  const setMenu = (open) => {
    panel.hidden = !open;
    menuBtn.setAttribute('aria-expanded', open ? 'true' : 'false');
  };
  menuBtn.addEventListener('click', (e) => { e.stopPropagation(); setMenu(panel.hidden); });
  const userMenu = h('div.user-menu', menuBtn, panel);
  const onDocClick = (e) => { if (!userMenu.contains(e.target)) setMenu(false); };
  const onKey = (e) => { if (e.key === 'Escape') { setMenu(false); closeDrawer(); } };
  document.addEventListener('click', onDocClick);
  document.addEventListener('keydown', onKey);

  const header = h('header.app-header', { testid: 'app-header' },
    h('a.brand', { href: '/', onclick: (e) => { if (isPlainClick(e)) { e.preventDefault(); navigate('/'); } } },
      h('span.brand-mark', icon('logo')),
      h('span.brand-text',
        h('span.brand-name', { text: t('app.name'), testid: 'app-name' }),
        h('span.brand-sub', { text: t('app.sub') }))),
    userMenu);

  // ----- the emergency banner (R1.4): while a company-level emergency is in force, across every page, with its
  // scope; refreshed at every page change (GET /emergencies/active, any signed-in user)
  const banner = h('div.emergency-banner', { testid: 'emergency-banner', role: 'status', hidden: true });
  const canOpen = sections.some((s) => s.id === 'emergency');
  let bannerSeq = 0;
  async function refreshBanner() {
    const seq = ++bannerSeq;
    let items = [];
    try { items = (await get('/emergencies/active')).items || []; } catch { return; }
    if (seq !== bannerSeq) return;
    banner.replaceChildren();
    banner.hidden = items.length === 0;
    banner.dataset.loaded = String(seq); // a test (and a reader) can tell the banner has answered
    const SHOWN = 3; // a phone keeps its screen: the rest are counted, all of them are on the emergency page
    for (const e of items.slice(0, SHOWN)) {
      const scope = t('emergency.banner_scope', {
        areas: (e.areas || []).map((a) => a.name).join('、') || '—',
        kinds: (e.work_kinds || []).map((k) => tOr('kind.' + k, k)).join('、') || '—' });
      const text = h('span.emergency-banner-text', { testid: 'emergency-banner-item', dataset: { id: e.id } },
        h('strong', { text: t('emergency.banner', { number: e.number, title: e.title }) }),
        h('span.emergency-banner-scope', { testid: 'emergency-banner-scope', text: scope }));
      banner.append(canOpen ? h('a.emergency-banner-link', { href: '/emergency/' + encodeURIComponent(e.id),
        onclick: (ev) => { if (isPlainClick(ev)) { ev.preventDefault(); navigate('/emergency/' + encodeURIComponent(e.id)); } } }, text) : text);
    }
    if (items.length > SHOWN) banner.append(h('span.emergency-banner-more', { testid: 'emergency-banner-more', text: t('emergency.banner_more', { n: items.length - SHOWN }) }));
  }
  refreshBanner();
  let shownOnce = false;

  const main = h('main.main', { id: 'fg-main', testid: 'main' });
  const el = h('div.shell', { testid: 'shell' },
    h('a.skip-link', { href: '#fg-main', text: t('nav.skip') }),
    header,
    banner,
    h('div.layout', sidenav, main),
    scrim,
    tabbar);

  return {
    el,
    setActive(path) {
      const sec = sectionFor(path);
      for (const [id, a] of navLinks) toggleCurrent(a, sec && sec.id === id);
      let tabHit = false;
      for (const [id, a] of tabLinks) { const on = !!sec && sec.id === id; tabHit ||= on; toggleCurrent(a, on); }
      moreBtn.classList.toggle('active', !tabHit);
      setMenu(false);
      closeDrawer();
      // the first page's banner was asked for when the shell was built, while its modules loaded
      if (shownOnce) refreshBanner();
      shownOnce = true;
    },
    content() {
      const c = h('div.view');
      mount(main, c);
      return c;
    },
    destroy() {
      document.removeEventListener('click', onDocClick);
      document.removeEventListener('keydown', onKey);
      document.body.classList.remove('drawer-open');
    },
  };
}

function toggleCurrent(a, on) {
  a.classList.toggle('active', on);
  if (on) a.setAttribute('aria-current', 'page');
  else a.removeAttribute('aria-current');
}

export function isPlainClick(e) {
  return e.button === 0 && !e.metaKey && !e.ctrlKey && !e.shiftKey && !e.altKey;
}

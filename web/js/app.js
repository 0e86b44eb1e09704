// fieldgrid web shell: boot, session, routing.
import { h, mount } from './dom.js';
import { t, setLang, storedLang, loadStrings } from './i18n.js';
import { get, post, setToken, getToken, setUnauthenticatedHandler, startOffline, stopOffline, prefetch } from './api.js';
import { routeReads, followReads } from './jobreads.js';
import { renderLogin } from './login.js';
import { buildShell } from './shell.js';
import { sectionFor, visibleSections, canOrgUnits } from './perm.js';
import { loading } from './ui.js';
import { beginPage, endPage } from './lifecycle.js';
import { loadFlows, forgetFlows } from './flows.js';
import { preloadModules } from './assets.js';

const root = document.getElementById('app');
// Sections with their own pages (they handle their sub-paths, e.g. /orders/{id}; false = not found): the module
// and its render function. A page's module is loaded when it is first opened, so the login page (and a crew's
// phone) never downloads the desk pages; the router asks for the module and all it imports at once. Each import is
// written out so that the build (tools/webbundle.mjs) sees it: a page's code becomes its own file(s), shared code
// once; served from web/ itself they are the sources.
const VIEWS = {
  orders: ['orders.js', 'renderOrders', () => import('./orders.js')],
  plans: ['plans.js', 'renderPlans', () => import('./plans.js')],
  jobs: ['jobs.js', 'renderJobs', () => import('./jobs.js')],
  tickets: ['tickets.js', 'renderTickets', () => import('./tickets.js')],
  supervision: ['supervision.js', 'renderSupervision', () => import('./supervision.js')],
  tools: ['tools.js', 'renderTools', () => import('./tools.js')],
  people: ['people.js', 'renderPeople', () => import('./people.js')],
  parts: ['parts.js', 'renderParts', () => import('./parts.js')],
  charging: ['charging.js', 'renderCharging', () => import('./charging.js')],
  customers: ['customers.js', 'renderCustomers', () => import('./customers.js')],
  feedback: ['feedback.js', 'renderFeedback', () => import('./feedback.js')],
  backfills: ['backfill.js', 'renderBackfill', () => import('./backfill.js')],
  service_evaluation: ['appeval.js', 'renderAppEval', () => import('./appeval.js')],
  applications: ['applications.js', 'renderApplications', () => import('./applications.js')],
  screen_links: ['screenlinks.js', 'renderScreenLinks', () => import('./screenlinks.js')],
  collection: ['collection.js', 'renderCollection', () => import('./collection.js')],
  metering_cases: ['meterproc.js', 'renderMeterproc', () => import('./meterproc.js')],
  rotation: ['rotation.js', 'renderRotation', () => import('./rotation.js')],
  meter_assets: ['meterassets.js', 'renderMeterAssets', () => import('./meterassets.js')],
  metering_quality: ['mquality.js', 'renderMeterQuality', () => import('./mquality.js')],
  emergency: ['emergency.js', 'renderEmergency', () => import('./emergency.js')],
  safety_customers: ['hrcust.js', 'renderHrcust', () => import('./hrcust.js')],
  hazards: ['hazards.js', 'renderHazards', () => import('./hazards.js')],
};
// the modules every page draws with: the dashboard (also "not found") and the admin home
const BASE = { 'dashboard.js': () => import('./dashboard.js'), 'admin.js': () => import('./admin.js') };
const loaders = new Map([...Object.entries(BASE), ...Object.values(VIEWS).map(([file, , load]) => [file, load])]);
const loaded = new Map(); // module file -> its namespace, once loaded

/** A page module (relative to /js/), loaded once; rejects when it cannot be fetched (offline, or a deploy since). */
async function pageModule(file) {
  if (loaded.has(file)) return loaded.get(file);
  preloadModules(file);
  const [m] = await Promise.all([loaders.get(file)(), loadStrings(file)]); // its code and its strings
  loaded.set(file, m);
  return m;
}

const state = {
  me: null,
  orgName: null,
  shell: null,
  nextPath: null, // where to go after login
};

function currentPath() {
  return location.pathname || '/';
}

export function navigate(path, { replace = false } = {}) {
  if (path !== currentPath() || location.search || location.hash) {
    history[replace ? 'replaceState' : 'pushState'](null, '', path);
  }
  route();
}

function showLogin(notice) {
  endPage(); // the page that was on screen stops its polls
  if (state.shell) { state.shell.destroy(); state.shell = null; }
  if (currentPath() !== '/login') history.replaceState(null, '', '/login');
  const draw = (keep = {}) => renderLogin(root, {
    notice,
    username: keep.username,
    rerender: draw,
    onLoggedIn: async () => {
      await loadMe();
      const next = state.nextPath && state.nextPath !== '/login' ? state.nextPath : '/';
      state.nextPath = null;
      history.replaceState(null, '', next);
      route();
    },
  });
  draw();
}

async function loadMe() {
  // the state names and orders the pages show come from the flow definitions (read once a session); with a
  // session they are asked for beside /me rather than after it (one round trip less before the first page)
  const flows = getToken() ? loadFlows() : null;
  state.me = await get('/me');
  [state.orgName] = await Promise.all([orgUnitName(state.me), flows || loadFlows()]);
  // offline first (js/offline/): the service worker, copies of today's and tomorrow's jobs, the outbox's replay
  startOffline(state.me).catch(() => { /* no IndexedDB (private mode): the app works online only */ });
}

/** The user's org unit name: from /me if the server includes it, else /org-units/{id} when allowed. */
async function orgUnitName(me) {
  if (!me || !me.org_unit_id) return null;
  if (me.org_unit && me.org_unit.name) return me.org_unit.name;
  if (me.org_unit_name) return me.org_unit_name;
  if (canOrgUnits(me)) {
    try {
      const u = await get('/org-units/' + encodeURIComponent(me.org_unit_id));
      if (u && u.name) return u.name;
    } catch { /* fall through */ }
  }
  return null;
}

function ensureShell() {
  if (state.shell) return state.shell;
  state.shell = buildShell({
    me: state.me,
    orgName: state.orgName,
    navigate,
    logout,
    onLang: () => rebuild(),
  });
  mount(root, state.shell.el);
  return state.shell;
}

function rebuild() {
  if (state.shell) { state.shell.destroy(); state.shell = null; }
  route();
}

async function route() {
  let path = currentPath();
  if (!state.me) {
    if (path !== '/login') state.nextPath = path;
    showLogin();
    return;
  }
  if (path === '/login') { history.replaceState(null, '', '/'); path = '/'; }
  if (path.length > 1 && path.endsWith('/')) { path = path.replace(/\/+$/, ''); history.replaceState(null, '', path); }
  const shell = ensureShell();
  // Every route draws a new page: the one on screen ends first (its timers, polls, listeners, requests in flight).
  const life = beginPage();
  const el = shell.content();
  // The page's module (and dashboard.js, which also draws "not found"), loaded while a spinner shows.
  let base, page, sec, allowed;
  try {
    const load = (file) => {
      if (!loaded.has(file)) mount(el, loading());
      return pageModule(file);
    };
    if (path === '/admin') {
      const home = (await load('admin.js')).adminHome(state.me);
      if (life.ended) return;
      if (home) { history.replaceState(null, '', home); path = home; }
    }
    sec = sectionFor(path);
    allowed = sec && visibleSections(state.me).includes(sec);
    const file = allowed && (sec.id === 'admin' ? 'admin.js' : VIEWS[sec.id] ? VIEWS[sec.id][0] : null);
    [base, page] = await Promise.all([load('dashboard.js'), file ? load(file) : null]);
  } catch (e) {
    if (!life.ended) loadFailed(el);
    return;
  }
  if (life.ended) return; // another route (or the login form) took over meanwhile
  el.replaceChildren(); // the spinner shown while the modules loaded (pages append to el)
  shell.setActive(path);
  const ctx = { me: state.me, orgName: state.orgName, navigate, path, life };
  if (!allowed) {
    base.renderNotFound(el, ctx);
  } else if (sec.id === 'dashboard') {
    if (path === '/') base.renderDashboard(el, ctx);
    else base.renderNotFound(el, ctx);
  } else if (sec.id === 'admin') {
    if (!page.renderAdmin(el, ctx)) base.renderNotFound(el, ctx);
  } else if (page) {
    if (!page[VIEWS[sec.id][1]](el, ctx)) base.renderNotFound(el, ctx);
  } else if (path === sec.path) {
    base.renderPlaceholder(el, { ...ctx, section: sec });
  } else {
    base.renderNotFound(el, ctx);
  }
  const title = el.querySelector('.page-title');
  document.title = (title ? title.textContent + ' · ' : '') + t('app.title');
  window.scrollTo(0, 0);
}

/** A page's code could not be fetched: offline, or the app was updated since this page loaded (its files'
 *  names changed). Reloading fetches the current page and its current files. */
function loadFailed(el) {
  mount(el, h('div.alert.alert-error', { role: 'alert', testid: 'page-load-failed' },
    h('span.alert-msg', { text: navigator.onLine === false ? t('offline.page_not_kept') : t('app.load_failed') }), ' ',
    h('button.btn', { type: 'button', text: t('app.reload'), onclick: () => location.reload() })));
}

async function logout() {
  try {
    await post('/auth/logout');
  } catch { /* the session may already be gone; log out locally anyway */ }
  setToken(null);
  forgetFlows();
  await stopOffline().catch(() => {});
  state.me = null;
  state.orgName = null;
  state.nextPath = null;
  showLogin();
}

setUnauthenticatedHandler(() => {
  if (!state.me) return;
  setToken(null);
  state.me = null;
  state.nextPath = currentPath();
  // Let the failing call finish first, then swap the page.
  queueMicrotask(() => showLogin(() => t('login.session_expired')));
});

window.addEventListener('popstate', () => route());

async function boot() {
  // the customer portal is its own page (web/portal.html, js/portal.js): customers are not users of this app
  if (location.pathname === '/portal' || location.pathname.startsWith('/portal/')) {
    location.replace('/portal.html');
    return;
  }
  // With a session, the page asked for is what comes next: its modules download while the strings, /me and the
  // flows load, instead of after them (on a weak network each wait is a round trip of half a second or more).
  if (getToken()) {
    const sec = sectionFor(currentPath());
    for (const file of ['dashboard.js', ...(sec && VIEWS[sec.id] ? [VIEWS[sec.id][0]] : [])]) {
      preloadModules(file);
      loadStrings(file).catch(() => { /* asked again when the page opens */ });
    }
    prefetch(routeReads(currentPath()), followReads); // and its data, where the page's reads are known ahead (a job)
  }
  // the strings and /me travel together: neither needs the other
  const me = loadMe().then(() => null, (e) => e);
  try {
    await setLang(storedLang(), { remember: false });
  } catch (e) {
    mount(root, h('p.boot-error', { text: 'fieldgrid: cannot load language files (' + e.message + ')' }));
    return;
  }
  mount(root, loading());
  const e = await me;
  if (e) {
    state.me = null;
    if (e.status !== 401) {
      // Server unreachable or broken: say so on the login page rather than spin.
      if (currentPath() !== '/login') state.nextPath = currentPath();
      showLogin(e.message);
      return;
    }
    if (getToken()) setToken(null);
  }
  route();
}

boot();

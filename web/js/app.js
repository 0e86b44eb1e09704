// fieldgrid web shell: boot, session, routing.
import { h, mount } from './dom.js';
import { t, setLang, storedLang } from './i18n.js';
import { get, post, setToken, getToken, setUnauthenticatedHandler } from './api.js';
import { renderLogin } from './login.js';
import { buildShell } from './shell.js';
import { sectionFor, visibleSections, canOrgUnits } from './perm.js';
import { renderDashboard, renderPlaceholder, renderNotFound } from './dashboard.js';
import { renderAdmin, adminHome } from './admin.js';
import { renderOrders } from './orders.js';
import { renderPlans } from './plans.js';
import { renderJobs } from './jobs.js';
import { renderTickets } from './tickets.js';
import { renderSupervision } from './supervision.js';
import { renderTools } from './tools.js';
import { renderPeople } from './people.js';
import { renderParts } from './parts.js';
import { renderFeedback } from './feedback.js';
import { renderBackfill } from './backfill.js';
import { renderCharging } from './charging.js';
import { renderCustomers } from './customers.js';
import { renderAppEval } from './appeval.js';
import { renderApplications } from './applications.js';
import { renderScreenLinks } from './screenlinks.js';
import { renderCollection } from './collection.js';
import { renderMeterproc } from './meterproc.js';
import { renderRotation } from './rotation.js';
import { renderMeterAssets } from './meterassets.js';
import { renderMeterQuality } from './mquality.js';
import { renderEmergency } from './emergency.js';
import { renderHrcust } from './hrcust.js';
import { renderHazards } from './hazards.js';
import { loading } from './ui.js';
import { beginPage, endPage } from './lifecycle.js';
import { loadFlows, forgetFlows } from './flows.js';

const root = document.getElementById('app');
// Sections with their own pages (they handle their sub-paths, e.g. /orders/{id}; false = not found).
const VIEWS = {
  orders: renderOrders, plans: renderPlans, jobs: renderJobs, tickets: renderTickets, supervision: renderSupervision, tools: renderTools,
  people: renderPeople, parts: renderParts, charging: renderCharging,
  feedback: renderFeedback,
  backfills: renderBackfill,
  people: renderPeople, parts: renderParts, charging: renderCharging, customers: renderCustomers,
  service_evaluation: renderAppEval,
  applications: renderApplications,
  screen_links: renderScreenLinks,
  collection: renderCollection,
  metering_cases: renderMeterproc,
  rotation: renderRotation,
  meter_assets: renderMeterAssets,
  metering_quality: renderMeterQuality,
  emergency: renderEmergency,
  safety_customers: renderHrcust,
  hazards: renderHazards,
};
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
  state.me = await get('/me');
  // the state names and orders the pages show come from the flow definitions (read once a session)
  [state.orgName] = await Promise.all([orgUnitName(state.me), loadFlows()]);
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

function route() {
  let path = currentPath();
  if (!state.me) {
    if (path !== '/login') state.nextPath = path;
    showLogin();
    return;
  }
  if (path === '/login') { history.replaceState(null, '', '/'); path = '/'; }
  if (path.length > 1 && path.endsWith('/')) { path = path.replace(/\/+$/, ''); history.replaceState(null, '', path); }
  if (path === '/admin') {
    const home = adminHome(state.me);
    if (home) { history.replaceState(null, '', home); path = home; }
  }
  const shell = ensureShell();
  shell.setActive(path);
  // Every route draws a new page: the one on screen ends first (its timers, polls, listeners, requests in flight).
  const life = beginPage();
  const el = shell.content();
  const sec = sectionFor(path);
  const allowed = sec && visibleSections(state.me).includes(sec);
  const ctx = { me: state.me, orgName: state.orgName, navigate, path, life };
  if (!allowed) {
    renderNotFound(el, ctx);
  } else if (sec.id === 'dashboard') {
    if (path === '/') renderDashboard(el, ctx);
    else renderNotFound(el, ctx);
  } else if (sec.id === 'admin') {
    if (!renderAdmin(el, ctx)) renderNotFound(el, ctx);
  } else if (VIEWS[sec.id]) {
    if (!VIEWS[sec.id](el, ctx)) renderNotFound(el, ctx);
  } else if (path === sec.path) {
    renderPlaceholder(el, { ...ctx, section: sec });
  } else {
    renderNotFound(el, ctx);
  }
  const title = el.querySelector('.page-title');
  document.title = (title ? title.textContent + ' · ' : '') + t('app.title');
  window.scrollTo(0, 0);
}

async function logout() {
  try {
    await post('/auth/logout');
  } catch { /* the session may already be gone; log out locally anyway */ }
  setToken(null);
  forgetFlows();
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
  try {
    await setLang(storedLang(), { remember: false });
  } catch (e) {
    mount(root, h('p.boot-error', { text: 'fieldgrid: cannot load language files (' + e.message + ')' }));
    return;
  }
  mount(root, loading());
  try {
    await loadMe();
  } catch (e) {
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

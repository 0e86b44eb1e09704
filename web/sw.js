/* fieldgrid's service worker (issue 14 item 1, R0.8, DESIGN.md §9): the app shell offline.
 *
 * What it does, with Workbox (npm, served from /vendor/workbox/ like ECharts):
 *   - precaches the app shell: index.html and every script, style, string file and icon a crew page needs, under
 *     their hashed names (tools/webbuild.mjs writes the list in; a hashed name never
 *     changes content, so a new build fetches only what changed);
 *   - answers a page navigation (/jobs/…, a reload, 刷新 in the address bar) from the network when there is one
 *     and from the precached index.html when there is not, so a reload offline opens the app, not the browser's
 *     "no internet" page.
 * It leaves /api/ alone: the job data a crew member needs offline and the writes made offline are the page's own
 * (web/js/offline/: an IndexedDB copy of the job's answers and an outbox replayed in order with Idempotency-Keys),
 * so that what is cached is per person and dropped at sign-out, which a URL-keyed HTTP cache cannot promise. */
/* global workbox */
importScripts(self.__FG_WORKBOX_SW);
const WB = self.__FG_WORKBOX;
workbox.setConfig({ debug: false, modulePathCb: (name) => WB[name] });

workbox.core.setCacheNameDetails({ prefix: 'fieldgrid' });
workbox.core.clientsClaim();
self.skipWaiting();

workbox.precaching.precacheAndRoute(self.__FG_PRECACHE);
workbox.precaching.cleanupOutdatedCaches();

const offlineShell = {
  // the network failed (offline, or the server is down): the precached shell; the app says it is offline
  handlerDidError: async () => workbox.precaching.matchPrecache('/index.html'),
};
workbox.routing.registerRoute(new workbox.routing.NavigationRoute(
  new workbox.strategies.NetworkOnly({ plugins: [offlineShell] }),
  { denylist: [/^\/api\//, /^\/portal/, /\.html$/] },
));

// The first requests of a page opened with a session, made before the app's script has arrived (issue 14 item 2): on
// a weak network the app's script comes half a second or more after the page, so this starts what the app would ask
// first — /me and the flow definitions not kept yet — and, on a job's page (/jobs/{id}, the crews' phones), the job's
// reads, the page's files and its strings, at once with the page: they travel beside the app's script instead of
// after it. The build (tools/webbuild.mjs) inlines it into index.html as a classic script, after the data
// blocks it reads (#fg-modules, #fg-strings, the import map), allowed by its hash in the page's CSP. api.js takes
// the answers (window.__fgEarly); served from web/ itself it is not there, and app.js starts the same reads itself.
import { routeReads, followReads, followsFrom, routeModules } from './jobreads.js';
import { qs } from './query.js';
import { FLOWS, FLOW_KEY } from './flownames.js';

const data = (selector) => {
  try { return JSON.parse(document.querySelector(selector)?.textContent || 'null'); } catch { return null; }
};

function start() {
  let token = null;
  let lang = 'zh-CN';
  try {
    token = sessionStorage.getItem('fg.token');
    if (localStorage.getItem('fg.lang') === 'en') lang = 'en';
  } catch { return; }
  if (!token) return;
  const path = location.pathname;
  const imports = (data('script[type="importmap"]') || {}).imports || {};
  const url = (p) => imports[p] || p;
  const link = (rel, href, as) => {
    const l = document.createElement('link');
    l.rel = rel;
    l.href = href;
    if (as) { l.as = as; l.crossOrigin = 'anonymous'; }
    document.head.append(l);
  };
  const headers = { Accept: 'application/json', 'Accept-Language': lang, Authorization: 'Bearer ' + token };
  const early = (window.__fgEarly = new Map()); // key -> {at, res: Promise of the Response}
  const ask = (p, q, name) => {
    const key = p + qs(q);
    if (early.has(key)) return;
    let res = fetch('/api/v1' + key, { headers, credentials: 'same-origin', cache: 'no-cache' });
    // the reads that follow from this one's answer (a job's ticket from its plan's list) start as soon as it is in,
    // and are known before anyone is handed the answer: the page, reading the ticket next, finds it asked already
    if (followsFrom(name)) {
      res = res.then((r) => (r.ok ? r.clone().json() : null)
        .then((body) => { for (const [fp, fq] of followReads(name, body)) ask(fp, fq); })
        .catch(() => { /* the page asks again */ })
        .then(() => r));
    }
    // offline, a read fails before the app takes it: not an error of the page (api.js gets the failure and answers
    // from the phone's copy); nor is a read the app never takes
    res.catch(() => {});
    early.set(key, { at: Date.now(), res });
  };
  // First what others wait for (a job's list of tickets: its ticket is asked when it is in), then what app.js asks
  // first on every page (loadMe, loadFlows: the same paths and queries, so that api.js finds them), then the rest,
  // then the page's files and strings: over HTTP/1.1 the browser sends 6 at a time, in about the order asked.
  const reads = routeReads(path);
  for (const [p, q, name] of reads) if (followsFrom(name)) ask(p, q, name);
  ask('/me');
  const missing = FLOWS.filter((n) => {
    try { return !sessionStorage.getItem(FLOW_KEY + n); } catch { return true; }
  });
  if (missing.length) ask('/flows', { names: missing.join(',') });
  for (const [p, q, name] of reads) ask(p, q, name);
  const files = data('#fg-modules') || {};
  const strings = data('#fg-strings');
  for (const m of routeModules(path)) {
    for (const f of files[m] || []) link('modulepreload', url('/js/' + f));
    const part = strings && strings.parts[m];
    if (part) link('preload', url(`/i18n/${lang}/${part}.json`), 'fetch');
  }
}

start();

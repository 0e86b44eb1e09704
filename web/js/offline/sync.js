// Working offline, the page's side (issue 14 item 1, R0.8, DESIGN.md §9). api.js calls in here (loaded lazily,
// after sign-in) to keep copies of what a job page reads, to queue the writes the outbox takes (outbox.js), and
// to read photos; app.js calls start(me) once signed in. This file also:
//   - registers the service worker (web/sw.js: the app shell), asks for persistent storage where allowed;
//   - copies the person's jobs for today and tomorrow with everything their page reads, while online;
//   - replays the outbox in order when the network returns, one write at a time, each with its Idempotency-Key and
//     X-Device-Time, showing "3 of 7 sent"; a version conflict (the survey changed on the server meanwhile) is put
//     to the person with both versions side by side — nothing is overwritten unless they choose so;
//   - shows the network state: offline, what waits, what failed.
import { h, mount } from '../dom.js';
import { t, fmtTime } from '../i18n.js';
import { db } from './db.js';
import { copyKey } from './paths.js';
import { UPLOADS_WAIT, queueable, enqueue, enqueueUpload, pending, overlay, onOutboxChange, outboxChanged, newId, toolAfter } from './outbox.js';

const BASE = '/api/v1';
let me = null;
let hooks = null; // from api.js: {headers(extra), setWaiting(n)}
let replaying = null;
let sentInRun = 0;
let totalInRun = 0;
let failure = null; // {rec, message} of the write that stopped the replay
const bar = h('div.net-state', { testid: 'net-state', role: 'status', 'aria-live': 'polite', hidden: true });

// ------------------------------------------------------------------ copies (GET answers)

export { copied } from './paths.js';

/** Keeps a GET's answer (data, or a 404's error) and returns it with the waiting writes laid over it. */
export async function keepCopy(key, status, data) {
  const user = me ? me.id : null;
  await db.copies.put({ key, user, status, data, at: Date.now() });
  return status === 200 ? withWaiting(key, data) : data;
}

/** The copy of a GET's answer ({status, data}, with the waiting writes laid over), or null. */
export async function readCopy(key) {
  const c = await db.copies.get(key);
  if (!c || (me && c.user && c.user !== me.id)) return null;
  showState();
  return { status: c.status, data: c.status === 200 ? await withWaiting(key, c.data) : c.data };
}

async function withWaiting(key, data) {
  if (!me) return data;
  const w = await pending(me.id);
  return w.length ? overlay(key, data, w, me) : data;
}

// ------------------------------------------------------------------ writes

/** For a write the outbox could take: the client id and device time it carries from its first try; else null. */
export function mayWait(method, path, body) {
  return me && queueable(method, path, body) ? { id: newId(), device_at: Date.now() } : null;
}

/** A write the outbox takes (resolves what the page should show: its copy as the server will make it), or null
 *  when it may not wait (the caller then says it needs the server). */
export async function queueWrite(method, path, query, body, ahead) {
  const route = queueable(method, path, body);
  if (!route || !me) return null;
  if (route.tool) return queueTool(route, method, path, query, body, ahead);
  const rec = await enqueue(me.id, { method, path, query, body, route, ...(ahead || {}) });
  await refreshWaiting();
  const c = await db.copies.get(rec.copy);
  return { data: c && c.status === 200 ? await withWaiting(rec.copy, c.data) : null };
}

/** The copies of the jobs' tool lists (GET /plans/{id}/tools), with the waiting writes laid over. */
async function toolLists() {
  const out = [];
  for (const c of await db.copies.filter((x) => /^\/plans\/[^/?]+\/tools$/.test(x.key) && x.status === 200).toArray()) {
    if (me && c.user && c.user !== me.id) continue;
    out.push({ key: c.key, planId: decodeURIComponent(c.key.split('/')[2]), data: await withWaiting(c.key, c.data) });
  }
  return out;
}

/** A check-out or return the copies vouch for (see outbox.js); resolves what the server will answer, or null. */
async function queueTool(route, method, path, query, body, ahead) {
  const id = decodeURIComponent(route.m[1]);
  const lists = await toolLists();
  let hit = null;
  if (route.kind === 'tool_checkout') {
    const l = lists.find((x) => x.planId === (body && body.plan_id));
    const tool = l && (l.data.proposed || []).find((x) => x.id === id);
    if (tool) hit = { key: l.key, tool };
  } else {
    for (const l of lists) {
      const tool = (l.data.checked_out || []).find((x) => x.id === id);
      if (tool) { hit = { key: l.key, tool }; break; }
    }
  }
  if (!hit) return null; // the phone cannot vouch for it: the server must decide
  const rec = await enqueue(me.id, { method, path, query, body, route, copy: hit.key, ...(ahead || {}) });
  await refreshWaiting();
  const after = toolAfter(rec, hit.tool, me);
  return { data: route.kind === 'tool_checkout' ? { tool: after, warnings: [] } : after };
}

/** A tool by its asset number from the copies of the jobs' tool lists (the scan page, offline), or null. */
export async function toolOffline(asset) {
  const want = String(asset).toUpperCase();
  for (const l of await toolLists()) {
    for (const x of [...(l.data.checked_out || []), ...(l.data.proposed || [])]) {
      if (String(x.asset_no).toUpperCase() === want) return x;
    }
  }
  return null;
}

export async function queueUpload(entity, entityId, file) {
  if (!me || !UPLOADS_WAIT.includes(entity)) return null;
  const meta = await enqueueUpload(me.id, entity, entityId, file);
  await refreshWaiting();
  return meta;
}

/** A photo's bytes from the phone: one taken offline (local id) or one kept when it was shown. */
export async function readBlob(id) {
  const b = await db.blobs.get(id);
  return b ? b.blob : null;
}
export async function keepBlob(id, blob) {
  await db.blobs.put({ id, user: me ? me.id : null, blob });
}

async function refreshWaiting() {
  const n = me ? (await pending(me.id)).length : 0;
  if (hooks) hooks.setWaiting(n);
  showState();
  return n;
}

// ------------------------------------------------------------------ replay

const sub = (s, map) => {
  let x = s;
  for (const [local, id] of Object.entries(map)) x = x.split(local).join(id);
  return x;
};

async function send(rec, idmap) {
  const headers = hooks.headers({ 'Idempotency-Key': rec.id, 'X-Device-Time': String(rec.device_at) });
  const q = rec.query ? '?' + new URLSearchParams(Object.entries(rec.query).filter(([, v]) => v != null && v !== '')).toString() : '';
  let init;
  if (rec.file) {
    const b = await db.blobs.get(rec.file.local);
    headers['Content-Type'] = rec.file.type;
    init = { method: 'POST', headers, body: b ? b.blob : new Blob([]) };
  } else {
    headers['Content-Type'] = 'application/json';
    init = { method: rec.method, headers, body: sub(JSON.stringify(rec.body || {}), idmap) };
  }
  return fetch(BASE + sub(rec.path, idmap) + sub(q, idmap), { ...init, credentials: 'same-origin', cache: 'no-store' });
}

/** Sends the waiting writes in order; resolves when done or stopped (offline again, a refusal, a conflict). */
export function replay() {
  if (!replaying) replaying = run().finally(() => { replaying = null; showState(); });
  return replaying;
}

async function run() {
  if (!me || !hooks) return;
  failure = null;
  let list = await pending(me.id);
  if (!list.length) return;
  sentInRun = 0;
  totalInRun = list.length;
  showState();
  const idmap = ((await db.meta.get('idmap')) || { v: {} }).v;
  while (list.length) {
    const rec = list[0];
    let res;
    try {
      res = await send(rec, idmap);
    } catch {
      return; // offline again: the rest waits for the next 'online'
    }
    let data = null;
    try { data = await res.json(); } catch { data = null; }
    if (res.ok) {
      if (rec.file && data && data.id) {
        idmap[rec.file.local] = data.id;
        await db.meta.put({ key: 'idmap', v: idmap });
        const b = await db.blobs.get(rec.file.local);
        if (b) await db.blobs.put({ id: data.id, user: me.id, blob: b.blob });
      }
      await db.outbox.delete(rec.seq);
      sentInRun += 1;
    } else if (res.status === 409 && data && data.error && data.error.code === 'version_conflict' && rec.kind === 'survey') {
      const choice = await resolveConflict(rec, data.error.details || {});
      if (choice.keep === 'mine') {
        // the person keeps their version over the server's: sent again against the current version, as a new
        // write (a new Idempotency-Key: the first one's answer was the conflict)
        await db.outbox.update(rec.seq, { body: { ...rec.body, version: choice.version }, id: choice.id });
      } else {
        await db.outbox.delete(rec.seq);
        totalInRun -= 1;
      }
    } else if (res.status === 401) {
      return; // the session ended: the login page takes over; the writes wait for the next session of this person
    } else if (res.status >= 500 || res.status === 0) {
      return; // the server's trouble: try again on the next 'online' or reload
    } else {
      failure = { rec, message: (data && data.error && data.error.message) || String(res.status) };
      await db.outbox.update(rec.seq, { state: 'failed', error: failure.message });
      outboxChanged();
      return;
    }
    outboxChanged();
    showState();
    list = await pending(me.id);
  }
  await refreshWaiting();
  window.dispatchEvent(new CustomEvent('fg:synced', { detail: { sent: sentInRun } }));
}

/** Both versions of the survey, side by side; resolves {keep: 'mine', version, id} or {keep: 'theirs'}. */
async function resolveConflict(rec, details) {
  let theirs = null;
  try {
    const res = await fetch(BASE + rec.path, { headers: hooks.headers({}), credentials: 'same-origin', cache: 'no-store' });
    theirs = res.ok ? await res.json() : null;
  } catch { theirs = null; }
  const mine = rec.body || {};
  const FIELDS = ['place', 'content', 'outage_scope', 'live_parts', 'notes'];
  const col = (label, v, testid, extra) => h('div.conflict-col', { testid },
    h('h3.section-title', { text: label }),
    extra ? h('p.small.muted', { text: extra }) : null,
    h('dl.kv', FIELDS.flatMap((k) => [h('dt', { text: t('survey.' + k) }), h('dd.pre-line', { testid: testid + '-' + k, text: (v && v[k]) || '—' })])),
    (v && (v.measures || []).length) ? h('ul.plain-list', v.measures.map((m) => h('li', { text: m }))) : null);
  return new Promise((resolve) => {
    const dlg = h('dialog.dialog.conflict-dialog', { testid: 'conflict-dialog', 'aria-labelledby': 'conflict-title' });
    const done = (v) => { dlg.close(); dlg.remove(); resolve(v); };
    const keepMine = h('button.btn.btn-primary', { type: 'button', testid: 'conflict-keep-mine', text: t('offline.keep_mine'),
      onclick: () => done({ keep: 'mine', version: details.current_version ?? (theirs && theirs.version), id: newId() }) });
    const keepTheirs = h('button.btn', { type: 'button', testid: 'conflict-keep-theirs', text: t('offline.keep_theirs'),
      onclick: () => done({ keep: 'theirs' }) });
    dlg.addEventListener('cancel', (e) => e.preventDefault()); // a choice is needed: nothing is dropped by Esc
    mount(dlg,
      h('h2.dialog-title', { id: 'conflict-title', text: t('offline.conflict_title') }),
      h('p.dialog-text', { text: t('offline.conflict_body') }),
      h('div.conflict-cols',
        col(t('offline.mine'), mine, 'conflict-mine', t('offline.made_at', { time: fmtTime(rec.device_at) })),
        col(t('offline.theirs'), theirs, 'conflict-theirs', theirs ? t('offline.theirs_by', { name: theirs.surveyed_by_name || '', time: fmtTime(theirs.updated_at || theirs.surveyed_at) }) : null)),
      h('div.dialog-actions', keepTheirs, keepMine));
    document.body.append(dlg);
    dlg.showModal();
  });
}

async function discardFailed() {
  if (failure) await db.outbox.delete(failure.rec.seq);
  failure = null;
  await refreshWaiting();
  replay();
}

// ------------------------------------------------------------------ the line at the foot of the screen

export function isOffline() { return navigator.onLine === false; }

async function showState() {
  if (!me) { bar.hidden = true; document.body.classList.remove('net-shown'); return; }
  const n = (await pending(me.id)).length;
  const off = isOffline();
  const parts = [];
  let state = 'online';
  if (off) { state = 'offline'; parts.push(h('span.net-offline', { testid: 'net-offline', text: t('offline.banner') })); }
  if (replaying && totalInRun) {
    state = 'syncing';
    parts.push(h('span', { testid: 'sync-progress', dataset: { sent: String(sentInRun), total: String(totalInRun) },
      text: t('offline.progress', { sent: sentInRun, total: totalInRun }) }));
  } else if (n) {
    if (state === 'online') state = 'waiting';
    parts.push(h('span', { testid: 'outbox-count', dataset: { n: String(n) }, text: t('offline.waiting', { n }) }));
  }
  if (failure && !replaying) {
    state = 'failed';
    parts.push(h('span.net-failed', { testid: 'outbox-failed', text: t('offline.failed', { message: failure.message }) }),
      h('button.btn.btn-sm', { type: 'button', testid: 'outbox-discard', text: t('offline.discard'), onclick: discardFailed }));
  }
  bar.dataset.state = state;
  bar.hidden = !parts.length;
  mount(bar, ...parts);
  document.body.classList.toggle('net-shown', !bar.hidden);
  document.body.style.setProperty('--net-h', bar.hidden ? '0px' : bar.offsetHeight + 'px');
}

// ------------------------------------------------------------------ start: after sign-in

/** Once the page on screen has what it asked for (loaded, then an idle moment), so copying competes with nothing. */
function settled() {
  return new Promise((resolve) => {
    const idle = () => (window.requestIdleCallback ? window.requestIdleCallback(() => resolve(), { timeout: 5000 }) : setTimeout(resolve, 0));
    if (document.readyState === 'complete') idle();
    else window.addEventListener('load', idle, { once: true });
  });
}

/** Today's and tomorrow's jobs of the person, with what their page reads, copied while online. What this session
 *  has copied already (the page on screen read it) is not asked for again. */
async function copyJobs(fetchGet, photo) {
  const since = start.at;
  const get = async (path, query) => {
    const c = await db.copies.get(copyKey(path, query));
    if (c && c.at >= since && c.status === 200) return c.data;
    if (c && c.at >= since && c.status === 204) return null;
    return fetchGet(path, query);
  };
  const day = (d) => { const x = new Date(Date.now() + d * 86400000); return `${x.getFullYear()}-${String(x.getMonth() + 1).padStart(2, '0')}-${String(x.getDate()).padStart(2, '0')}`; };
  const days = new Set([day(0), day(1)]);
  const r = await get('/me/jobs');
  const jobs = ((r && r.items) || []).filter((j) => !j.date || days.has(j.date));
  const orNull = (p) => p.catch(() => null);
  const photos = new Set(); // the photos already taken: the survey's, the ticket's and its risk points', the steps'
  const ids = (list) => { for (const x of list || []) { const id = typeof x === 'string' ? x : x && (x.attachment_id || x.id); if (id) photos.add(id); } };
  for (const j of jobs) {
    const id = encodeURIComponent(j.id);
    // survey and briefing as the job page asks for them (?optional=1: 204 while there is none), so the copies match
    const [, survey, tickets, , steps] = await Promise.all([get('/plans/' + id), orNull(get(`/plans/${id}/survey`, { optional: 1 })), orNull(get('/tickets', { plan_id: j.id, limit: 50 })),
      orNull(get(`/plans/${id}/briefing`, { optional: 1 })), orNull(get(`/plans/${id}/steps`)), orNull(get(`/plans/${id}/tools`)),
      orNull(get(`/plans/${id}/readiness`))]);
    ids(survey && survey.photos);
    for (const it of (steps && steps.items) || []) for (const st of it.steps || []) ids(st.done && st.done.photos);
    for (const tk of (tickets && tickets.items) || []) {
      const full = await orNull(get('/tickets/' + encodeURIComponent(tk.id)));
      ids(full && full.photos);
      ids(((full && full.risks) || []).map((r) => r.evidence_id));
    }
  }
  await orNull(get('/kb/tool_kinds'));
  for (const p of photos) if (!String(p).startsWith('local:') && !(await db.blobs.get(p))) await orNull(photo(p));
}

/** app.js, once signed in. api: {get, headers, setWaiting, photo, quiet, since}. */
export async function start(user, api) {
  me = user;
  hooks = api;
  start.at = api.since ?? Date.now(); // copies made since (the page's own reads, kept before this loaded) count
  // copies and photos left by someone else on this phone (a session that expired instead of signing out) go
  const owner = await db.meta.get('owner');
  if (owner && owner.v !== me.id) {
    await Promise.all([db.copies.filter((c) => !!c.user && c.user !== me.id).delete(),
      db.blobs.filter((b) => !String(b.id).startsWith('local:') && b.user !== me.id).delete()]);
  }
  await db.copies.filter((c) => !c.user).modify({ user: me.id }); // read at boot, before this session knew whose
  await db.meta.put({ key: 'owner', v: me.id });
  if (!bar.isConnected) document.body.append(bar);
  if (!start.once) {
    start.once = true;
    window.addEventListener('online', () => { showState(); replay(); });
    window.addEventListener('offline', () => showState());
    onOutboxChange(() => showState());
    // after the page has loaded: the worker's precache does not compete with the page's own first load
    if ('serviceWorker' in navigator) {
      settled().then(() => navigator.serviceWorker.register('/sw.js')).catch(() => { /* no worker: online only */ });
    }
    if (navigator.storage && navigator.storage.persist) navigator.storage.persist().catch(() => false);
  }
  await refreshWaiting();
  if (!isOffline()) {
    await replay();
    await settled();
    // and once the page's own reads are in: on a weak network the copier must not take the connections the page
    // needs first (what the page read meanwhile is copied already and not asked for again)
    if (hooks.quiet) await hooks.quiet();
    await copyJobs(api.get, api.photo).catch(() => { /* best effort: the pages copy what they read anyway */ });
  }
  document.documentElement.dataset.offlineReady = '1';
}

/** Sign-out: the person's copies and photos go; their unsent writes stay, for their next session only. */
export async function stop() {
  me = null;
  bar.hidden = true;
  await Promise.all([db.copies.clear(), db.blobs.filter((b) => !String(b.id).startsWith('local:')).delete()]);
  if (hooks) hooks.setWaiting(0);
}

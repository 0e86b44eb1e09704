// The outbox (issue 14 item 1, DESIGN.md §9): writes a crew member makes without signal wait here, in order, and
// sync.js sends them when the network is back. Each keeps:
//   id        a client id (UUID), sent as the write's Idempotency-Key: a replay that the server already took (the
//             answer was lost with the signal) is answered from the server's record, never done twice;
//   device_at when the person did it (Date.now()), sent as X-Device-Time and kept by the server beside its own time;
//   the request (method, path, body) and what it is (kind, plan) for the list and the progress line.
// Only writes the phone can stand behind go in: ticking a measure, confirming a risk point (with its photo),
// recording a step (readings, photos), confirming one's own attendance, editing the survey, and the photos they
// use. What needs the server to decide — a signature with a password, an action of the ticket's or the plan's
// flow, anyone else's attendance — is refused offline with `offline_needs_server` and queues nothing.
//
// Until it is sent, a queued write shows on the page: the page's copy of what it changes (the ticket, the steps,
// the briefing, the survey) is patched the way the server will change it, marked pending, and the patch is applied
// again to every copy read while the write waits (a reload offline keeps it).
import { db } from './db.js';

const enc = encodeURIComponent;
const dec = decodeURIComponent;

/** The writes that may wait, by method and path: kind, the plan or ticket they belong to, the copy they change. */
const ROUTES = [
  { kind: 'measure', method: 'POST', re: /^\/tickets\/([^/]+)\/measures\/([^/]+)\/actions\/confirm$/, copy: (m) => `/tickets/${m[1]}` },
  { kind: 'risk', method: 'POST', re: /^\/tickets\/([^/]+)\/risks\/([^/]+)\/actions\/confirm$/, copy: (m) => `/tickets/${m[1]}` },
  { kind: 'step', method: 'POST', re: /^\/plans\/([^/]+)\/steps$/, copy: (m) => `/plans/${m[1]}/steps` },
  // one's own attendance only: a sign for someone else carries their password, which only the server can check
  { kind: 'sign', method: 'POST', re: /^\/plans\/([^/]+)\/briefing\/actions\/sign$/, copy: (m) => `/plans/${m[1]}/briefing`,
    ok: (body) => !body || (!body.user_id && !body.password) },
  { kind: 'survey', method: 'PUT', re: /^\/plans\/([^/]+)\/survey$/, copy: (m) => `/plans/${m[1]}/survey` },
  // a tool by scan (or from the job's tools step): only one the phone's copy of the job's tools vouches for — a
  // check-out of a tool proposed for the job (in store, in date, not failed when copied), a return of one checked
  // out for it (sync.js checks; the copy is the job's tool list)
  { kind: 'tool_checkout', method: 'POST', re: /^\/tools\/([^/]+)\/actions\/checkout$/, copy: () => null, tool: true },
  { kind: 'tool_return', method: 'POST', re: /^\/tools\/([^/]+)\/actions\/return$/, copy: () => null, tool: true },
];

/** The photos that may wait: a risk point's evidence, a step's, the survey's and the ticket's. A signature's mark
 *  (entity plan: the on-screen attendance, with a password) is not one: the write it goes with needs the server. */
export const UPLOADS_WAIT = ['ticket_risk', 'step', 'survey', 'ticket'];

/** The route a write matches (and may wait), or null. */
export function queueable(method, path, body) {
  for (const r of ROUTES) {
    const m = r.method === method ? r.re.exec(path) : null;
    if (m && (!r.ok || r.ok(body))) return { ...r, m };
  }
  return null;
}

export function newId() {
  if (crypto.randomUUID) return crypto.randomUUID();
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  const x = [...b].map((v) => v.toString(16).padStart(2, '0')).join('');
  return `${x.slice(0, 8)}-${x.slice(8, 12)}-${x.slice(12, 16)}-${x.slice(16, 20)}-${x.slice(20)}`;
}

const listeners = new Set();
/** fn() after every change of the outbox (the banner redraws). */
export function onOutboxChange(fn) { listeners.add(fn); return () => listeners.delete(fn); }
export function outboxChanged() { for (const fn of listeners) { try { fn(); } catch { /* a listener's bug */ } } }

/** The waiting writes of this user, in order. */
export async function pending(user) {
  return (await db.outbox.orderBy('seq').toArray()).filter((x) => x.user === user);
}

/** Puts a write in the outbox; resolves the record. */
export async function enqueue(user, { method, path, query, body, route, file, id, device_at: deviceAt, copy }) {
  const rec = {
    id: id || newId(), user, method, path, query: query || null, body: body === undefined ? null : body,
    kind: route ? route.kind : 'upload', copy: copy || (route ? route.copy(route.m) : null),
    device_at: deviceAt || Date.now(), state: 'waiting', error: null,
  };
  if (file) rec.file = file; // a photo: {local, blob, name, type}
  rec.seq = await db.outbox.add(rec);
  outboxChanged();
  return rec;
}

/** A photo taken offline: kept as a blob under a local id ("local:<uuid>") that the write using it carries; sync
 *  uploads it first and puts the server's id in its place. Resolves metadata shaped like POST /attachments'. */
export async function enqueueUpload(user, entity, entityId, file) {
  const local = 'local:' + newId();
  const blob = file instanceof Blob ? file : new Blob([file]);
  await db.blobs.put({ id: local, user, blob });
  await enqueue(user, {
    method: 'POST', path: '/attachments', query: { entity, entity_id: entityId, filename: file.name || undefined },
    file: { local, name: file.name || 'photo.jpg', type: file.type || 'image/jpeg' },
  });
  return { id: local, content_type: file.type || 'image/jpeg', size: blob.size, filename: file.name || null, pending: true };
}

// ------------------------------------------------------------------ the page's copies while writes wait

/** A tool as the server will answer a check-out (w: tool_checkout) or a return (w: tool_return) of it. */
export function toolAfter(w, tool, me) {
  const b = w.body || {};
  if (w.kind === 'tool_checkout') {
    return { ...tool, custody: 'checked_out', plan_id: b.plan_id, holder_id: me.id, holder_name: me.display_name,
      checked_out_at: w.device_at, checkout_device_at: w.device_at, pending: true };
  }
  const custody = { good: 'in_store', damaged: 'under_test', lost: 'lost' }[b.condition || 'good'] || 'in_store';
  return { ...tool, custody, status: custody === 'in_store' ? tool.status : custody, plan_id: null, holder_id: null,
    checked_out_at: null, return_device_at: w.device_at, pending: true };
}

/** A copy of a GET answer patched with the writes waiting for it (in order). */
export function overlay(key, data, waiting, me) {
  let d = data;
  for (const w of waiting) if (w.copy === key) d = patch(w, d, me);
  return d;
}

const clone = (x) => (x == null ? x : JSON.parse(JSON.stringify(x)));

/** What the server will make of the copy `d` when it takes write `w` (as far as the phone can tell). */
export function patch(w, d, me) {
  if (!d) return d;
  d = clone(d);
  const b = w.body || {};
  const at = w.device_at;
  const m = queueable(w.method, w.path, b).m;
  const mark = (o) => { o.pending = true; o.device_time = at; };
  if (w.kind === 'measure') {
    const x = (d.measures || []).find((y) => y.id === dec(m[2]));
    if (x && !x.done_at) { Object.assign(x, { done_at: at, done_by: me.id, done_by_name: me.display_name }); mark(x); }
  } else if (w.kind === 'risk') {
    const r = (d.risks || []).find((y) => y.id === dec(m[2]));
    if (r && !r.confirmed_at) {
      Object.assign(r, { confirmed_at: at, confirmed_by: me.id, confirmed_by_name: me.display_name,
        evidence_id: b.evidence_id || null, confirm_place: b.place || null, confirm_lat: b.lat || null, confirm_lng: b.lng || null });
      mark(r);
      for (const x of d.measures || []) {
        if (x.risk_id && x.risk_id === r.risk_id && !x.done_at) {
          Object.assign(x, { done_at: at, done_by: me.id, done_by_name: me.display_name, done_with: r.risk_id });
          mark(x);
        }
      }
    }
  } else if (w.kind === 'step') {
    const it = (d.items || []).find((y) => y.work_order && y.work_order.id === b.work_order_id);
    const st = it && (it.steps || []).find((y) => y.no === b.step_no);
    if (st && !st.done) {
      st.done = { id: w.id, work_order_id: b.work_order_id, step_no: b.step_no, result: b.result, records: b.records || {},
        note: b.note || null, done_by: me.id, done_by_name: me.display_name, done_at: at,
        photos: (b.photo_ids || []).map((id) => ({ attachment_id: id })) };
      mark(st.done);
      if (it.progress) it.progress.done += 1;
      if (d.progress) d.progress.done += 1;
    }
  } else if (w.kind === 'sign') {
    if (!(d.attendance || []).some((a) => a.user_id === me.id)) {
      d.attendance = [...(d.attendance || []), { user_id: me.id, display_name: me.display_name, signed_at: at,
        method: 'own_device', place: b.place || null, lat: b.lat || null, lng: b.lng || null, pending: true, device_time: at }];
      d.missing = (d.missing || []).filter((x) => x.id !== me.id);
    }
  } else if (w.kind === 'tool_checkout' || w.kind === 'tool_return') {
    const id = dec(m[1]);
    const out = (d.checked_out || []).find((x) => x.id === id);
    if (w.kind === 'tool_checkout' && !out) {
      const x = (d.proposed || []).find((y) => y.id === id);
      if (x) {
        d.checked_out = [...(d.checked_out || []), toolAfter(w, x, me)];
        d.proposed = (d.proposed || []).filter((y) => y.kind !== x.kind);
        for (const n of d.needed || []) if (n.kind === x.kind) n.in_hand = true;
      }
    } else if (w.kind === 'tool_return' && out) {
      d.checked_out = d.checked_out.filter((y) => y.id !== id);
      for (const n of d.needed || []) if (n.kind === out.kind && !d.checked_out.some((y) => y.kind === n.kind)) n.in_hand = false;
    }
  } else if (w.kind === 'survey') {
    const v = d.version;
    Object.assign(d, b, { version: v, surveyed_by: me.id, surveyed_by_name: me.display_name, surveyed_at: at });
    mark(d);
  }
  return d;
}

// 计量资产 /meter-assets[/{id} | /points/{point_no} | /returns] (issue 12 items 1 and 8; docs/api.md "Metering
// assets (issue 12)"): the ledger of meters, CTs/PTs, terminals and seals.
//   - /meter-assets: the ledger (GET /metering-assets, keyset pages: "more" follows next_cursor) with filters kind,
//     status, batch, number prefix; a scan box on top — the label's number typed, or read by the camera through
//     scan.js's QR reader — opens the asset (GET /metering-assets/by-no/{no}); a point number opens its history.
//   - /meter-assets/{id}: the asset card with where it is and who holds it, and its moves in order. On a phone this
//     is what a scan lands on.
//   - /meter-assets/points/{point_no}: the point's history as a timeline (GET /metering-points/{no}/history): what
//     is there now, then every installation oldest first with readings, people and work orders.
//   - /meter-assets/returns: assets due back from finished jobs, and the discrepancies jobs left (resolve needs
//     metering.write).
//   - /meter-assets/reservations: a day's reservations (issue 12 item 6; GET /metering-reservations?day=) by holder,
//     each with what it holds for which order; a keeper (metering.stock) makes one (the day, the crew member, and
//     for each order the asset numbers, typed or scanned), cancels one, or issues one together.
import { h, mount, clear } from './dom.js';
import { t, fmtTime, todayShanghai } from './i18n.js';
import { get, post } from './api.js';
import { hasPerm, hasRole } from './perm.js';
import { toast, dataTable, loading, formDialog, confirmDialog, field } from './ui.js';
import { problemBox, appLink, kvList } from './fw.js';
import { qrDetector } from './scan.js';
import { pageLife } from './lifecycle.js';

const KINDS = ['meter', 'ct', 'pt', 'terminal', 'seal'];
const STATUSES = ['in_stock', 'issued', 'installed', 'removed', 'verifying', 'scrapped'];
const allows = (me, p) => hasRole(me, 'admin') || hasPerm(me, p);
const kindName = (k) => (k ? t('ma.kind.' + k) : '—');
const statusName = (s) => (s ? t('ma.status.' + s) : '—');
const moveName = (m) => (m ? t('ma.move.' + m) : '—');
const remembered = { kind: '', status: '', batch: '', q: '' };

function tabs(active, navigate) {
  const tab = (id, path) => appLink(path, t('ma.tab.' + id), navigate, { class: 'subtab' + (id === active ? ' active' : ''), role: 'tab',
    'aria-selected': id === active ? 'true' : 'false', testid: 'ma-tab-' + id });
  return h('div.subtabs', { role: 'tablist', testid: 'ma-tabs' }, tab('ledger', '/meter-assets'), tab('reserve', '/meter-assets/reservations'),
    tab('returns', '/meter-assets/returns'));
}

function page(el, title, navigate, active) {
  el.append(h('div.page-head', h('h1.page-title', { text: title, tabindex: '-1' })), tabs(active, navigate));
}

export function renderMeterAssets(el, ctx) {
  const { path } = ctx;
  if (path === '/meter-assets') { renderLedger(el, ctx); return true; }
  if (path === '/meter-assets/returns') { renderReturns(el, ctx); return true; }
  if (path === '/meter-assets/reservations') { renderReservations(el, ctx); return true; }
  let m = /^\/meter-assets\/points\/([^/]+)$/.exec(path);
  if (m) { renderPoint(el, { ...ctx, pointNo: decodeURIComponent(m[1]) }); return true; }
  m = /^\/meter-assets\/([^/]+)$/.exec(path);
  if (m) { renderAsset(el, { ...ctx, id: decodeURIComponent(m[1]) }); return true; }
  return false;
}

const statusBadge = (s, testid) => h('span.badge', { class: 'badge-' + (s === 'scrapped' ? 'danger' : s === 'installed' ? 'ok' : s === 'issued' ? 'warn' : ''), text: statusName(s), testid });

/** A label's text as an asset number: "FGMETER:3301…" or a bare number; spaces dropped. */
const numberFrom = (text) => String(text || '').trim().replace(/^.*:/, '').replace(/\s+/g, '');

/** The scan box: type the label's number, or read it with the camera; opens the asset. */
function scanBox(navigate) {
  const err = problemBox('ma-scan-error');
  const input = h('input.input', { type: 'text', testid: 'ma-scan-input', autocomplete: 'off', inputmode: 'text',
    placeholder: t('ma.scan_placeholder'), 'aria-label': t('ma.scan_placeholder') });
  const camBox = h('div.scan-camera');
  const life = pageLife();
  let stream = null;
  let scanning = false;
  const stop = () => { scanning = false; if (stream) { stream.getTracks().forEach((x) => x.stop()); stream = null; } clear(camBox); };
  life.onEnd(stop);
  async function open(raw) {
    const no = numberFrom(raw);
    err.show(null);
    if (!no) return;
    try {
      const a = await get('/metering-assets/by-no/' + encodeURIComponent(no));
      stop();
      navigate('/meter-assets/' + encodeURIComponent(a.id));
    } catch (e) {
      err.show(e.status === 404 ? t('ma.scan_unknown', { no }) : e);
    }
  }
  async function camera() {
    const { detector } = await qrDetector();
    if (!detector || !navigator.mediaDevices) { err.show(t('ma.scan_no_camera')); return; }
    try {
      stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: 'environment' }, audio: false });
    } catch {
      err.show(t('ma.scan_no_camera'));
      return;
    }
    const video = h('video.scan-video', { testid: 'ma-scan-video', playsinline: true, muted: true, autoplay: true });
    video.srcObject = stream;
    mount(camBox, h('div.scan-video-wrap', video), h('button.btn', { type: 'button', text: t('common.close'), onclick: stop }));
    scanning = true;
    const tick = async () => {
      if (!scanning) return;
      try {
        if (video.readyState >= 2) {
          const codes = await detector.detect(video);
          if (codes.length && codes[0].rawValue) { open(codes[0].rawValue); return; }
        }
      } catch { /* a frame that cannot be read: the next one */ }
      setTimeout(tick, 250);
    };
    video.addEventListener('loadeddata', () => tick(), { once: true });
  }
  const form = h('form.scan-form', { testid: 'ma-scan', onsubmit: (e) => { e.preventDefault(); open(input.value); } },
    input, h('button.btn.btn-primary', { type: 'submit', text: t('ma.scan_open'), testid: 'ma-scan-open' }),
    h('button.btn', { type: 'button', text: t('ma.scan_camera'), testid: 'ma-scan-camera', onclick: () => camera() }));
  return h('section.card', { testid: 'ma-scan-card' }, h('h2.card-title', { text: t('ma.scan_title') }), form, camBox, err);
}

function pointBox(navigate) {
  const input = h('input.input', { type: 'text', testid: 'ma-point-input', placeholder: t('ma.point_placeholder'), 'aria-label': t('ma.point_placeholder') });
  return h('form.scan-form', { testid: 'ma-point', onsubmit: (e) => { e.preventDefault(); const v = input.value.trim(); if (v) navigate('/meter-assets/points/' + encodeURIComponent(v)); } },
    input, h('button.btn', { type: 'submit', text: t('ma.point_open'), testid: 'ma-point-open' }));
}

// ------------------------------------------------------------------ the ledger
function renderLedger(el, { me, navigate }) {
  page(el, t('ma.title'), navigate, 'ledger');
  const err = problemBox('ma-error');
  const sel = (name, values, label) => h('select.input', { testid: 'ma-filter-' + name, 'aria-label': label },
    h('option', { value: '', text: label }), values.map((v) => h('option', { value: v, text: name === 'kind' ? kindName(v) : statusName(v), selected: remembered[name] === v })));
  const kind = sel('kind', KINDS, t('ma.all_kinds'));
  const status = sel('status', STATUSES, t('ma.all_statuses'));
  const batch = h('input.input', { type: 'text', testid: 'ma-filter-batch', placeholder: t('ma.batch'), value: remembered.batch, 'aria-label': t('ma.batch') });
  const q = h('input.input', { type: 'text', testid: 'ma-filter-q', placeholder: t('ma.q'), value: remembered.q, 'aria-label': t('ma.q') });
  const total = h('p.small', { testid: 'ma-total' });
  const box = h('div', loading());
  const more = h('button.btn', { type: 'button', text: t('ma.more'), testid: 'ma-more', hidden: true });
  let rows = [];
  let cursor = null;
  const table = () => dataTable({
    testid: 'ma-ledger', rowTestid: (x) => 'ma-row-' + x.asset_no, empty: t('ma.empty'), rows,
    columns: [
      { label: t('ma.asset_no'), render: (x) => appLink('/meter-assets/' + encodeURIComponent(x.id), x.asset_no, navigate, { class: 'mono row-open' }) },
      { label: t('ma.kind'), render: (x) => kindName(x.kind) },
      { label: t('ma.model'), cls: 'col-opt', render: (x) => [x.model, x.accuracy_class, x.ratio || x.rated].filter(Boolean).join(' · ') || '—' },
      { label: t('ma.batch'), cls: 'col-opt', render: (x) => x.batch || '—' },
      { label: t('ma.status'), render: (x) => statusBadge(x.status, 'ma-status-' + x.asset_no) },
      { label: t('ma.where'), render: (x) => (x.point_no ? appLink('/meter-assets/points/' + encodeURIComponent(x.point_no), x.point_no, navigate, { class: 'mono' }) : '—') },
    ],
  });
  async function load(append) {
    err.show(null);
    try {
      const r = await get('/metering-assets', { kind: kind.value || undefined, status: status.value || undefined,
        batch: batch.value.trim() || undefined, q: q.value.trim() || undefined, limit: 50, cursor: append ? cursor : undefined });
      rows = append ? rows.concat(r.items) : r.items;
      cursor = r.next_cursor;
      total.textContent = r.total !== undefined ? t('ma.total', { n: r.total }) : t('ma.total_more', { n: r.total_more });
      mount(box, table());
      more.hidden = !cursor;
    } catch (e) {
      err.show(e);
      mount(box);
    }
  }
  const refilter = () => { Object.assign(remembered, { kind: kind.value, status: status.value, batch: batch.value, q: q.value }); load(false); };
  for (const x of [kind, status]) x.addEventListener('change', refilter);
  const filters = h('form.toolbar', { testid: 'ma-filters', onsubmit: (e) => { e.preventDefault(); refilter(); } },
    kind, status, batch, q, h('button.btn', { type: 'submit', text: t('ma.search'), testid: 'ma-search' }));
  more.addEventListener('click', () => load(true));
  const actions = allows(me, 'metering.stock') ? h('button.btn.btn-primary', { type: 'button', text: t('ma.receive'), testid: 'ma-receive', onclick: () => receiveDialog(navigate) }) : null;
  el.append(scanBox(navigate), h('section.card', h('h2.card-title', { text: t('ma.point_title') }), pointBox(navigate)),
    h('div.toolbar', filters, actions), err, total, box, more);
  load(false);
}

function receiveDialog(navigate) {
  formDialog({
    title: t('ma.receive'), submit: t('ma.receive'), testid: 'ma-receive-dialog',
    fields: [
      { name: 'asset_no', label: t('ma.asset_no'), required: true },
      { name: 'kind', label: t('ma.kind'), type: 'select', options: KINDS.map((k) => ({ value: k, label: kindName(k) })), required: true },
      { name: 'subtype', label: t('ma.subtype'), hint: t('ma.subtype_hint') },
      { name: 'model', label: t('ma.model') },
      { name: 'manufacturer', label: t('ma.manufacturer') },
      { name: 'batch', label: t('ma.batch') },
      { name: 'accuracy_class', label: t('ma.accuracy_class') },
      { name: 'rated', label: t('ma.rated') },
      { name: 'ratio', label: t('ma.ratio') },
    ],
    onSubmit: async (v) => {
      const body = {};
      for (const [k, x] of Object.entries(v)) if (x !== '' && x !== undefined) body[k] = x;
      const a = await post('/metering-assets', body);
      toast(t('ma.received', { no: a.asset_no }));
      navigate('/meter-assets/' + encodeURIComponent(a.id));
    },
  });
}

// ------------------------------------------------------------------ one asset
function renderAsset(el, { me, navigate, id }) {
  const err = problemBox('ma-asset-error');
  const box = h('div', loading());
  el.append(h('div.page-head', h('h1.page-title', { text: t('ma.asset_title'), tabindex: '-1', testid: 'ma-asset-title' })), tabs('ledger', navigate), err, box);
  async function load() {
    try {
      const a = await get('/metering-assets/' + encodeURIComponent(id));
      el.querySelector('.page-title').textContent = `${kindName(a.kind)} ${a.asset_no}`;
      const card = h('section.card.ma-card', { testid: 'ma-asset-card' },
        h('div.ma-card-head', h('span.mono.ma-no', { text: a.asset_no, testid: 'ma-asset-no' }), statusBadge(a.status, 'ma-asset-status')),
        kvList([
          [t('ma.kind'), [kindName(a.kind), a.subtype ? ` · ${a.subtype}` : ''].join('')],
          [t('ma.model'), [a.manufacturer, a.model].filter(Boolean).join(' ')],
          [t('ma.accuracy_class'), a.accuracy_class],
          a.rated ? [t('ma.rated'), a.rated] : null,
          a.ratio ? [t('ma.ratio'), a.ratio] : null,
          [t('ma.batch'), a.batch],
          [t('ma.produced_on'), a.produced_on],
          [t('ma.verified_on'), a.verified_on],
          [t('ma.holder'), a.holder_name, 'ma-asset-holder'],
          [t('ma.work_order'), a.work_order_number],
          [t('ma.where'), a.point_no ? appLink('/meter-assets/points/' + encodeURIComponent(a.point_no), a.point_no, navigate, { class: 'mono', testid: 'ma-asset-point' }) : null],
          a.install ? [t('ma.install_reading'), a.install.install_reading] : null,
        ]));
      const moves = dataTable({
        testid: 'ma-moves', rowTestid: (x) => 'ma-move-' + x.i, rows: a.moves.map((x, i) => ({ ...x, i })), empty: '—',
        columns: [
          { label: t('ma.at'), cls: 'col-time', render: (x) => fmtTime(x.at, { seconds: false }) },
          { label: t('ma.move'), render: (x) => h('span', { text: moveName(x.move), testid: 'ma-move-name-' + x.i }) },
          { label: t('ma.status'), cls: 'col-opt', render: (x) => `${x.from_status ? statusName(x.from_status) : '—'} → ${statusName(x.to_status)}` },
          { label: t('ma.detail'), render: (x) => [x.point_no, x.reading ? t('ma.reading_is', { r: x.reading }) : '', x.holder_name, x.work_order_number, x.result, x.note].filter(Boolean).join(' · ') || '—' },
          { label: t('ma.by'), cls: 'col-opt', render: (x) => x.actor_name || '—' },
        ],
      });
      mount(box, card, stockActions(me, a, load), h('section.card', h('h2.card-title', { text: t('ma.moves') }), moves));
    } catch (e) {
      err.show(e);
      mount(box);
    }
  }
  load();
}

/** The stock room's moves on an asset that is back (metering.stock): return an unused one, send a removed one for
 * verification, record the lab's result, scrap. Field moves (install, remove) come from the job's records. */
const STOCK_MOVES = { issued: ['return'], removed: ['send', 'scrap'], in_stock: ['send', 'scrap'], verifying: ['verify_passed', 'verify_failed'] };
function stockActions(me, a, reload) {
  if (!allows(me, 'metering.stock') || (a.kind === 'seal' && a.status === 'removed')) return null;
  const err = problemBox('ma-action-error');
  const moves = (STOCK_MOVES[a.status] || []).filter((m) => a.kind !== 'seal' || m === 'return' || m === 'scrap');
  if (!moves.length) return null;
  const run = async (m) => {
    err.show(null);
    const [action, result] = m.startsWith('verify_') ? ['verify', m.slice(7)] : [m, undefined];
    try {
      await post(`/metering-assets/${a.id}/actions/${action}`, { version: a.version, ...(result ? { result } : {}) });
      toast(t('ma.done.' + m));
      reload();
    } catch (e) {
      err.show(e);
    }
  };
  return h('section.card', { testid: 'ma-actions' }, h('div.flow-cta', moves.map((m) => h('button.btn', { type: 'button', text: t('ma.act.' + m), testid: 'ma-act-' + m, onclick: () => run(m) }))), err);
}

// ------------------------------------------------------------------ a point's history
function renderPoint(el, { navigate, pointNo }) {
  const err = problemBox('ma-point-error');
  const box = h('div', loading());
  el.append(h('div.page-head', h('h1.page-title', { text: t('ma.point_history', { no: pointNo }), tabindex: '-1' })), tabs('ledger', navigate), err, box);
  const entry = (x, i) => h('li.timeline-item', { testid: 'ma-history-' + i, dataset: { asset: x.asset_no } },
    h('div.timeline-head',
      appLink('/meter-assets/' + encodeURIComponent(x.asset_id), `${kindName(x.kind)} ${x.asset_no}`, navigate, { class: 'mono' }),
      x.position ? h('span.badge', { text: x.position }) : null,
      x.removed_at ? null : h('span.badge.badge-ok', { text: t('ma.there_now') })),
    h('div.small', { text: t('ma.in_line', { at: fmtTime(x.installed_at, { seconds: false }), by: x.installed_by_name || '—', order: x.install_order_number || '—' })
      + (x.install_reading ? ' · ' + t('ma.reading_is', { r: x.install_reading }) : '') }),
    x.removed_at ? h('div.small', { text: t('ma.out_line', { at: fmtTime(x.removed_at, { seconds: false }), by: x.removed_by_name || '—', order: x.remove_order_number || '—' })
      + (x.removal_reading ? ' · ' + t('ma.reading_is', { r: x.removal_reading }) : '') + (x.removal_reason ? ' · ' + x.removal_reason : '') }) : null);
  (async () => {
    try {
      const r = await get('/metering-points/' + encodeURIComponent(pointNo) + '/history');
      const now = r.current.length ? h('ul.ma-now', { testid: 'ma-point-now' }, r.current.map((x) => h('li', { text: `${kindName(x.kind)} ${x.asset_no}${x.position ? ' (' + x.position + ')' : ''}` })))
        : h('p.small', { text: t('ma.point_empty') });
      mount(box,
        r.point ? h('section.card', kvList([[t('ma.point_purpose'), r.point.purpose], [t('ma.status'), r.point.status]])) : null,
        h('section.card', h('h2.card-title', { text: t('ma.point_now') }), now),
        h('section.card', h('h2.card-title', { text: t('ma.point_timeline') }),
          r.history.length ? h('ol.timeline', { testid: 'ma-point-history' }, r.history.map(entry)) : h('p.small', { text: t('ma.point_empty'), testid: 'ma-point-history-empty' })));
    } catch (e) {
      err.show(e);
      mount(box);
    }
  })();
}

// ------------------------------------------------------------------ returns due and discrepancies
function renderReturns(el, { me, navigate }) {
  page(el, t('ma.returns_title'), navigate, 'returns');
  const err = problemBox('ma-returns-error');
  const box = h('div', loading());
  const discBox = h('div');
  el.append(err, box, discBox);
  async function load() {
    try {
      const [due, disc] = await Promise.all([get('/metering-assets/returns-due'), get('/metering-discrepancies')]);
      mount(box, h('section.card', h('h2.card-title', { text: t('ma.returns_due', { n: due.items.length }) }), dataTable({
        testid: 'ma-returns', rowTestid: (x) => 'ma-return-' + x.asset_no, rows: due.items, empty: t('ma.returns_none'),
        columns: [
          { label: t('ma.asset_no'), render: (x) => appLink('/meter-assets/' + encodeURIComponent(x.id), x.asset_no, navigate, { class: 'mono' }) },
          { label: t('ma.kind'), render: (x) => kindName(x.kind) },
          { label: t('ma.holder'), render: (x) => x.holder_name || '—' },
          { label: t('ma.work_order'), render: (x) => x.work_order_number || '—' },
        ],
      })));
      const canResolve = allows(me, 'metering.write');
      mount(discBox, h('section.card', h('h2.card-title', { text: t('ma.discrepancies', { n: disc.items.length }) }), dataTable({
        testid: 'ma-discrepancies', rowTestid: (x) => 'ma-disc-' + x.asset_no, rows: disc.items, empty: t('ma.discrepancies_none'),
        columns: [
          { label: t('ma.work_order'), render: (x) => x.work_order_number || '—' },
          { label: t('ma.asset_no'), render: (x) => h('span.mono', { text: x.asset_no }) },
          { label: t('ma.record'), render: (x) => `${x.record_key} · ${moveName(x.move === 'install' ? 'installed' : 'removed')}` },
          { label: t('ma.problem'), render: (x) => t('ma.problem.' + x.problem) === 'ma.problem.' + x.problem ? x.problem : t('ma.problem.' + x.problem) },
          { label: '', render: (x) => (canResolve ? h('button.btn.btn-sm', { type: 'button', text: t('ma.resolve'), testid: 'ma-resolve-' + x.asset_no,
            onclick: () => formDialog({ title: t('ma.resolve'), submit: t('ma.resolve'), testid: 'ma-resolve-dialog',
              fields: [{ name: 'resolution', label: t('ma.resolution'), required: true }],
              onSubmit: async (v) => { await post(`/metering-discrepancies/${x.id}/actions/resolve`, { resolution: v.resolution }); toast(t('ma.resolved')); load(); } }) }) : null) },
        ],
      })));
    } catch (e) {
      err.show(e);
    }
  }
  load();
}

// ------------------------------------------------------------------ a day's reservations
const RSV_STATES = { open: 'warn', issued: 'ok', cancelled: '', released: '' };
const tOr = (key, fallback) => (t(key) === key ? fallback : t(key));
/** Asset numbers as typed or scanned: separated by spaces, commas, semicolons or new lines (also "，", "、", "；"). */
const numbersIn = (text) => String(text || '').split(/[\s,;，、；]+/).map(numberFrom).filter(Boolean);
const remembeRsv = { day: '' };

function renderReservations(el, { me, navigate }) {
  page(el, t('ma.rsv.title'), navigate, 'reserve');
  const stock = allows(me, 'metering.stock');
  const tomorrow = new Date(Date.parse(todayShanghai() + 'T00:00:00Z') + 86400e3).toISOString().slice(0, 10);
  const day = h('input.input', { type: 'date', testid: 'ma-rsv-day', value: remembeRsv.day || tomorrow, 'aria-label': t('ma.rsv.day'), style: 'flex: 0 1 200px' });
  const err = problemBox('ma-rsv-error');
  const box = h('div', loading());
  const newBox = h('div');
  async function load() {
    err.show(null);
    remembeRsv.day = day.value;
    try {
      const r = await get('/metering-reservations', { day: day.value || undefined });
      mount(box, r.items.length ? r.items.map(card) : h('p.small', { text: t('ma.rsv.none'), testid: 'ma-rsv-none' }));
    } catch (e) {
      err.show(e);
      mount(box);
    }
  }
  const act = async (x, action) => {
    err.show(null);
    try {
      if (action === 'cancel') {
        const ok = await confirmDialog({ title: t('ma.rsv.cancel'), body: t('ma.rsv.cancel_q', { who: x.holder_name || '—', n: x.counts.held }), confirm: t('ma.rsv.cancel'), danger: true });
        if (!ok) return;
        await post(`/metering-reservations/${x.id}/actions/cancel`, { version: x.version });
        toast(t('ma.rsv.cancelled'));
      } else {
        const out = await post(`/metering-reservations/${x.id}/actions/issue`, { version: x.version });
        toast(t('ma.rsv.issued', { n: out.count, who: x.holder_name || '—' }) + (out.released.length ? ' ' + t('ma.rsv.released_n', { n: out.released.length }) : ''));
      }
      load();
    } catch (e) {
      const items = e.details && Array.isArray(e.details.items) ? e.details.items : [];
      err.show(e, items.map((i) => `${i.asset_no}: ${tOr('ma.rsv.why.' + i.code, i.code)}`).join('；') || undefined);
    }
  };
  const card = (x) => h('section.card.ma-rsv', { testid: 'ma-rsv-' + x.id, dataset: { holder: x.holder_id, status: x.status } },
    h('div.ma-card-head',
      h('strong', { text: x.holder_name || x.holder_id, testid: 'ma-rsv-holder-' + x.id }),
      h('span.badge', { class: 'badge-' + RSV_STATES[x.status], text: t('ma.rsv.status.' + x.status), testid: 'ma-rsv-status-' + x.id }),
      x.stale ? h('span.badge.badge-danger', { text: t('ma.rsv.stale.' + x.stale_reason), testid: 'ma-rsv-stale-' + x.id }) : null,
      h('span.small', { text: [x.day, Object.entries(x.by_kind).map(([k, n]) => `${kindName(k)} ×${n}`).join('、')].filter(Boolean).join(' · '), testid: 'ma-rsv-summary-' + x.id })),
    x.note ? h('p.small', { text: x.note }) : null,
    dataTable({
      testid: 'ma-rsv-items-' + x.id, rowTestid: (i) => 'ma-rsv-item-' + i.asset_no, rows: x.items, empty: '—',
      columns: [
        { label: t('ma.asset_no'), render: (i) => appLink('/meter-assets/' + encodeURIComponent(i.asset_id), i.asset_no, navigate, { class: 'mono' }) },
        { label: t('ma.kind'), render: (i) => kindName(i.kind) },
        { label: t('ma.model'), cls: 'col-opt', render: (i) => i.model || '—' },
        { label: t('ma.work_order'), render: (i) => [i.work_order_number || i.work_order_id, i.work_order_status === 'cancelled' || i.work_order_status === 'done' ? t('ma.rsv.order_closed') : ''].filter(Boolean).join(' · ') },
        { label: t('ma.status'), render: (i) => h('span', { text: t('ma.rsv.state.' + i.state) + (i.end_reason ? ` (${t('ma.rsv.end.' + i.end_reason)})` : ''), testid: 'ma-rsv-state-' + i.asset_no }) },
      ],
    }),
    stock && x.status === 'open' ? h('div.flow-cta',
      h('button.btn.btn-primary', { type: 'button', text: t('ma.rsv.issue'), testid: 'ma-rsv-issue-' + x.id, onclick: () => act(x, 'issue') }),
      h('button.btn', { type: 'button', text: t('ma.rsv.cancel'), testid: 'ma-rsv-cancel-' + x.id, onclick: () => act(x, 'cancel') })) : null);
  day.addEventListener('change', load);
  const openNew = stock ? h('button.btn.btn-primary', { type: 'button', text: t('ma.rsv.new'), testid: 'ma-rsv-new',
    onclick: () => mount(newBox, newForm(() => { mount(newBox); load(); }, day.value || tomorrow)) }) : null;
  el.append(h('div.toolbar', day, openNew), newBox, err, box);
  load();
}

/** A new reservation: the day, the crew member, and per work order the asset numbers (typed or scanned). */
function newForm(done, dayValue) {
  const err = problemBox('ma-rsv-new-error');
  const day = h('input.input', { type: 'date', testid: 'ma-rsv-new-day', value: dayValue, required: true });
  const holder = h('select.input', { testid: 'ma-rsv-new-holder', required: true });
  const rows = h('div.ma-rsv-rows');
  let orders = [];
  const addRow = () => {
    const i = rows.children.length;
    const order = h('select.input', { testid: 'ma-rsv-new-order-' + i, required: true, 'aria-label': t('ma.work_order') }, options());
    const assets = h('textarea.input', { testid: 'ma-rsv-new-assets-' + i, rows: '2', placeholder: t('ma.rsv.assets_hint'), 'aria-label': t('ma.rsv.assets') });
    rows.append(h('div.ma-rsv-row', { dataset: { row: String(i) } }, field(t('ma.work_order'), order), field(t('ma.rsv.assets'), assets, { wide: true })));
  };
  const options = () => orders.map((o) => h('option', { value: o.id, text: `${o.number} · ${o.title || o.kind}` }));
  // the orders offered: the open metering orders, narrowed by a number or a word of the title
  const q = h('input.input', { type: 'search', testid: 'ma-rsv-new-q', placeholder: t('ma.rsv.find_order'), 'aria-label': t('ma.rsv.find_order') });
  async function choices(first) {
    try {
      const c = await get('/metering-reservations/choices', { q: q.value.trim() || undefined });
      orders = c.work_orders;
      if (first) {
        mount(holder, h('option', { value: '', text: t('ma.rsv.pick_holder') }), c.holders.map((u) => h('option', { value: u.id, text: u.display_name || u.username })));
        addRow();
      } else {
        for (const sel of rows.querySelectorAll('select')) {
          const kept = sel.value;
          mount(sel, options());
          if (orders.some((o) => o.id === kept)) sel.value = kept;
        }
      }
    } catch (e) {
      err.show(e);
    }
  }
  q.addEventListener('keydown', (e) => { if (e.key === 'Enter') { e.preventDefault(); choices(false); } }); // not the form's submit
  q.addEventListener('change', () => choices(false));
  choices(true);
  // reserve by need: each row's order gets the proposed numbers (its work kind's needs), to edit before reserving
  const propose = async () => {
    err.show(null);
    const rowsByOrder = new Map([...rows.children].map((r) => [r.querySelector('select').value, r]));
    try {
      const p = await post('/metering-reservations/propose', { work_order_ids: [...rowsByOrder.keys()].filter(Boolean) });
      for (const [wo, r] of rowsByOrder) r.querySelector('textarea').value = p.items.filter((x) => x.work_order_id === wo).map((x) => x.asset_no).join('\n');
      if (p.short.length) err.show(t('ma.rsv.short'), p.short.map((x) => `${x.work_order_number || x.work_order_id}: ${kindName(x.kind)}${x.subtype ? ' ' + x.subtype : ''} ${x.found}/${x.count}`).join('；'));
    } catch (x) {
      err.show(x);
    }
  };
  const submit = async (e) => {
    e.preventDefault();
    err.show(null);
    const items = [];
    for (const r of rows.children) {
      const wo = r.querySelector('select').value;
      for (const no of numbersIn(r.querySelector('textarea').value)) items.push({ asset_no: no, work_order_id: wo });
    }
    const ids = [...new Set(items.map((i) => i.work_order_id))];
    try {
      const r = await post('/metering-reservations', { day: day.value, holder_id: holder.value, work_order_ids: ids, items });
      toast(t('ma.rsv.made', { n: r.counts.held, who: r.holder_name || '—' }));
      done();
    } catch (x) {
      const list = x.details && Array.isArray(x.details.items) ? x.details.items : [];
      err.show(x, list.map((i) => `${i.asset_no || '—'}: ${tOr('ma.rsv.why.' + i.code, i.code)}`).join('；') || undefined);
    }
  };
  return h('form.card', { testid: 'ma-rsv-form', onsubmit: submit },
    h('h2.card-title', { text: t('ma.rsv.new') }),
    h('div.form-grid', field(t('ma.rsv.day'), day), field(t('ma.holder'), holder), field(t('ma.rsv.find_order'), q)), rows,
    h('div.flow-cta',
      h('button.btn', { type: 'button', text: t('ma.rsv.add_order'), testid: 'ma-rsv-new-add', onclick: addRow }),
      h('button.btn', { type: 'button', text: t('ma.rsv.propose'), testid: 'ma-rsv-new-propose', onclick: propose }),
      h('button.btn.btn-primary', { type: 'submit', text: t('ma.rsv.reserve'), testid: 'ma-rsv-new-submit' }),
      h('button.btn', { type: 'button', text: t('common.cancel'), testid: 'ma-rsv-new-cancel', onclick: () => done() })),
    err);
}

// 充电设施 /charging[/chargers/{id} | /ledger] (R4.1, R4.2, R4.12): the O&M desk for EV chargers.
//   - /charging: the live board. GET /chargers/live is polled every few seconds (no reload) and drawn as tiles per
//     station: one tile a charger, one dot a connector coloured by its OCPP status, offline chargers greyed, with
//     counts (online, offline, faulted, charging) on top.
//   - /charging/chargers/{id}: the charger (ledger fields, online, last seen), its connectors, recent charging
//     sessions, and operator commands (POST /chargers/{id}/commands/{Action}, then GET …?wait= for the result):
//     Reset, ChangeAvailability, UnlockConnector, RemoteStopTransaction, TriggerMessage, GetConfiguration.
//   - /charging/ledger: stations and chargers; registering a charger shows its Basic-auth key once.
//   - /charging/users: id tags with their credit, and reservations (evusers.js).
//   - /charging/kpis: the KPIs (web/js/kpis.js).
import { h, mount, clear } from './dom.js';
import { pageLife, isAbort } from './lifecycle.js';
import { t, fmtTime } from './i18n.js';
import { get, post } from './api.js';
import { hasPerm, hasRole } from './perm.js';
import { toast, dataTable, loading, formDialog, emptyState } from './ui.js';
import { problemBox, detailHead, appLink, kvList } from './fw.js';
import { renderEvUsers } from './evusers.js';
import { renderInspectionPages } from './inspections.js';
import { renderDefectPages } from './defects.js';
import { renderFaultPages } from './faults.js';
import { renderKpis } from './kpis.js';

const POLL_MS = 5000;
const allows = (me, p) => hasRole(me, 'admin') || hasPerm(me, p);
// OCPP 1.6 ChargePointStatus → how the board colours it
const STATUS_CLASS = {
  Available: 'st-ok', Preparing: 'st-busy', Charging: 'st-charging', SuspendedEVSE: 'st-busy', SuspendedEV: 'st-busy',
  Finishing: 'st-busy', Reserved: 'st-busy', Unavailable: 'st-off', Faulted: 'st-fault',
};
const statusText = (s) => t('ocpp.status.' + s) === 'ocpp.status.' + s ? s : t('ocpp.status.' + s);

function subtabs(active, navigate) {
  const tab = (id, path) => appLink(path, t('charging.tab.' + id), navigate, { class: 'subtab' + (id === active ? ' active' : ''), role: 'tab',
    'aria-selected': id === active ? 'true' : 'false', testid: 'charging-tab-' + id });
  return h('div.subtabs', { role: 'tablist', testid: 'charging-tabs' }, tab('board', '/charging'), tab('alarms', '/charging/alarms'),
    tab('faults', '/charging/faults'), tab('desk', '/charging/desk'), tab('inspections', '/charging/inspections'), tab('defects', '/charging/defects'),
    tab('firmware', '/charging/firmware'), tab('users', '/charging/users'), tab('kpis', '/charging/kpis'), tab('ledger', '/charging/ledger'));
}

/** No charger to show: say where chargers come from (the ledger), with the way there for who may register one. */
export function noChargers(me, navigate, filtered = false, testid = 'board-empty') {
  if (filtered) return emptyState({ text: t('charging.none_here'), testid });
  const may = allows(me, 'chargers.write');
  return emptyState({
    text: may ? t('charging.empty_register') : t('charging.empty_ask'), testid,
    action: may ? t('charging.empty_register_go') : null, href: '/charging/ledger', navigate,
  });
}

export function renderCharging(el, ctx) {
  const { path } = ctx;
  if (path === '/charging') { renderBoard(el, ctx); return true; }
  if (path === '/charging/ledger') { renderLedger(el, ctx); return true; }
  if (path === '/charging/kpis') { renderKpis(el, ctx, subtabs('kpis', ctx.navigate)); return true; }
  if (path === '/charging/users') {
    renderEvUsers(el, ctx, [h('div.page-head', h('h1.page-title', { text: t('nav.charging'), tabindex: '-1' })), subtabs('users', ctx.navigate)]);
    return true;
  }
  if (renderFaultPages(el, ctx, (id) => subtabs(id, ctx.navigate))) return true; // alarms, faults, service desk (faults.js)
  const m = /^\/charging\/chargers\/([^/]+)$/.exec(path);
  if (m) { renderCharger(el, { ...ctx, id: decodeURIComponent(m[1]) }); return true; }
  // inspections, station equipment, defects and firmware campaigns (inspections.js, defects.js)
  return renderInspectionPages(el, ctx, subtabs) || renderDefectPages(el, ctx, subtabs);
}

// ------------------------------------------------------------------ live board
function renderBoard(el, { me, navigate }) {
  const err = problemBox('board-error');
  const stationSel = h('select.input', { testid: 'board-station', 'aria-label': t('charging.station') }, h('option', { value: '', text: t('charging.all_stations') }));
  const summary = h('div.board-summary', { testid: 'board-summary' });
  const grid = h('div.board-grid', { testid: 'board-grid' }, loading());
  const stamp = h('span.small.muted', { testid: 'board-at' });
  let stations = new Map();
  const life = pageLife(); // leaving the board stops the poll and cancels a request in flight
  let timer = null;
  let etagless = '';
  el.append(h('div.page-head', h('h1.page-title', { text: t('nav.charging'), tabindex: '-1' }), stamp), subtabs('board', navigate),
    h('div.toolbar', stationSel), err, summary, grid);

  async function loadStations() {
    try {
      const r = await get('/stations');
      stations = new Map((r.items || []).map((s) => [s.id, s]));
      for (const s of r.items || []) stationSel.append(h('option', { value: s.id, text: s.name }));
    } catch { /* the board still draws, without station names */ }
  }
  stationSel.addEventListener('change', () => poll());

  async function poll() {
    life.clear(timer);
    timer = null;
    try {
      const r = await get('/chargers/live', { station_id: stationSel.value || undefined }, { signal: life.signal });
      err.show(null);
      const key = JSON.stringify(r.items);
      if (key !== etagless) { etagless = key; draw(r); }
      stamp.textContent = t('charging.updated', { time: fmtTime(r.at || Date.now()) });
      stamp.dataset.at = String(r.at || '');
    } catch (ex) {
      if (isAbort(ex)) return;
      err.show(ex);
    }
    life.clear(timer); // a station change polls at once: still one chain of polls
    timer = life.timeout(poll, POLL_MS);
  }

  function draw(r) {
    const items = r.items || [];
    const count = (pred) => items.filter(pred).length;
    const conn = (c, s) => (c.connectors || []).some((x) => x.connector_id > 0 && x.status === s);
    const faulted = count((c) => (c.connectors || []).some((x) => x.status === 'Faulted'));
    const charging = count((c) => conn(c, 'Charging'));
    mount(summary,
      stat('online', t('charging.online'), r.online ?? count((c) => c.online), 'st-ok'),
      stat('offline', t('charging.offline'), r.offline ?? count((c) => !c.online), 'st-off'),
      stat('faulted', t('charging.faulted'), faulted, 'st-fault'),
      stat('charging', t('charging.charging'), charging, 'st-charging'));
    if (!items.length) { mount(grid, noChargers(me, navigate, stationSel.value)); return; }
    const byStation = new Map();
    for (const c of items) {
      const k = c.station_id || '';
      if (!byStation.has(k)) byStation.set(k, []);
      byStation.get(k).push(c);
    }
    clear(grid);
    for (const [sid, list] of byStation) {
      const st = stations.get(sid);
      grid.append(h('section.board-station', { testid: 'board-station-' + (sid || 'none') },
        h('h2.board-station-title', { text: st ? st.name : sid ? sid : t('charging.no_station') }),
        h('div.board-tiles', list.map((c) => tile(c)))));
    }
  }

  function stat(id, label, n, cls) {
    return h('div.board-stat', { class: cls, testid: 'board-count-' + id, dataset: { n: String(n) } },
      h('span.board-stat-n', { text: String(n) }), h('span.board-stat-label', { text: label }));
  }

  function tile(c) {
    const cons = (c.connectors || []).filter((x) => x.connector_id > 0);
    const whole = (c.connectors || []).find((x) => x.connector_id === 0);
    const fault = (c.connectors || []).some((x) => x.status === 'Faulted');
    return h('a.board-tile', {
      href: '/charging/chargers/' + encodeURIComponent(c.id), testid: 'tile-' + c.charge_point_id,
      class: !c.online ? 'tile-offline' : fault ? 'tile-fault' : '',
      dataset: { online: c.online ? '1' : '0', fault: fault ? '1' : '0' },
      onclick: (e) => { if (e.button === 0 && !e.ctrlKey && !e.metaKey) { e.preventDefault(); navigate('/charging/chargers/' + encodeURIComponent(c.id)); } },
    },
    h('div.tile-head', h('span.tile-id.mono', { text: c.charge_point_id }), h('span.tile-kind', { text: (c.kind || '').toUpperCase() })),
    h('div.tile-name', { text: c.name || '' }),
    h('div.tile-connectors', cons.length ? cons.map((x) => h('span.tile-dot', {
      class: c.online ? STATUS_CLASS[x.status] || 'st-off' : 'st-off', title: `${x.connector_id}: ${statusText(x.status)}${x.error_code && x.error_code !== 'NoError' ? ' · ' + x.error_code : ''}`,
      testid: `tile-${c.charge_point_id}-c${x.connector_id}`, dataset: { status: x.status || '' },
    }, h('span', { text: String(x.connector_id) }))) : h('span.small.muted', { text: whole ? statusText(whole.status) : t('charging.no_status') })),
    h('div.tile-foot.small', { text: c.online ? t('charging.online') : t('charging.offline_since', { time: c.last_seen_at ? fmtTime(c.last_seen_at, { seconds: false }) : '—' }) }));
  }

  loadStations().then(() => poll());
}

// ------------------------------------------------------------------ one charger
const COMMANDS = [
  { action: 'Reset', fields: [{ name: 'type', type: 'select', options: ['Soft', 'Hard'] }] },
  { action: 'ChangeAvailability', fields: [{ name: 'connectorId', type: 'number', value: '0' }, { name: 'type', type: 'select', options: ['Inoperative', 'Operative'] }] },
  { action: 'UnlockConnector', fields: [{ name: 'connectorId', type: 'number', value: '1' }] },
  { action: 'RemoteStopTransaction', fields: [{ name: 'transactionId', type: 'number' }] },
  { action: 'TriggerMessage', fields: [{ name: 'requestedMessage', type: 'select', options: ['StatusNotification', 'Heartbeat', 'BootNotification', 'MeterValues'] }] },
  { action: 'GetConfiguration', fields: [] },
];

function renderCharger(el, { me, navigate, id }) {
  const card = h('section.card.detail-card', { testid: 'charger-page', dataset: { id } }, loading());
  const err = problemBox('charger-error');
  el.append(h('div.page-head', h('h1.page-title', { text: t('nav.charging'), tabindex: '-1' })), subtabs('board', navigate), card);
  const canCmd = allows(me, 'chargers.command');

  async function load() {
    try {
      const [c, tx, cmds] = await Promise.all([
        get('/chargers/' + encodeURIComponent(id)),
        get(`/chargers/${encodeURIComponent(id)}/transactions`, { limit: 20 }),
        get(`/chargers/${encodeURIComponent(id)}/commands`, { limit: 20 }),
      ]);
      draw(c, tx.items || [], cmds.items || []);
    } catch (ex) { err.show(ex); mount(card, err); }
  }

  function draw(c, txs, cmds) {
    const online = h('span.badge', { class: c.online ? 'badge-ok' : 'badge-danger-solid', testid: 'charger-online', dataset: { online: c.online ? '1' : '0' }, text: c.online ? t('charging.online') : t('charging.offline') });
    mount(card,
      detailHead({ number: c.charge_point_id, title: c.name || c.charge_point_id, badges: [online], onClose: () => navigate('/charging'), testid: 'charger' }),
      err,
      canCmd ? h('div.action-bar', { testid: 'charger-commands' }, COMMANDS.map((x) => h('button.btn', {
        type: 'button', testid: 'cmd-' + x.action, text: t('ocpp.cmd.' + x.action), disabled: !c.online, title: c.online ? '' : t('charging.offline'),
        onclick: () => command(c, x),
      }))) : null,
      kvList([
        [t('charging.kind'), (c.kind || '').toUpperCase()],
        [t('charging.payment'), t('charging.payment.' + c.payment)],
        [t('charging.vendor_model'), [c.vendor, c.model].filter(Boolean).join(' ') || '—'],
        [t('charging.serial'), c.serial],
        [t('charging.firmware'), c.firmware, 'charger-firmware'],
        [t('charging.warranty'), t('charging.warranty.' + c.warranty)],
        [t('charging.last_seen'), c.last_seen_at ? fmtTime(c.last_seen_at) : '—', 'charger-last-seen'],
        [t('charging.boot_at'), c.boot_at ? fmtTime(c.boot_at) : '—'],
      ]),
      h('h3.section-title', { text: t('charging.connectors') }),
      dataTable({
        testid: 'charger-connectors', rowTestid: (x) => 'connector-' + x.connector_id, rows: c.connectors || [], empty: t('charging.no_status'),
        columns: [
          { label: t('charging.connector'), cls: 'col-num', render: (x) => (x.connector_id === 0 ? t('charging.whole') : String(x.connector_id)) },
          { label: t('charging.status'), render: (x) => h('span.status-pill', { class: STATUS_CLASS[x.status] || 'st-off', dataset: { status: x.status }, text: statusText(x.status) }) },
          { label: t('charging.error_code'), render: (x) => (x.error_code && x.error_code !== 'NoError' ? h('span.mono', { text: x.error_code + (x.vendor_error_code ? ' / ' + x.vendor_error_code : '') }) : '—') },
          { label: t('charging.since'), cls: 'col-time', render: (x) => fmtTime(x.status_at || x.updated_at, { seconds: false }) },
        ],
      }),
      h('h3.section-title', { text: t('charging.sessions') }),
      dataTable({
        testid: 'charger-sessions', rowTestid: (x) => 'tx-' + x.transaction_id, rows: txs, empty: t('charging.no_sessions'),
        columns: [
          { label: t('charging.transaction'), cls: 'col-num', render: (x) => String(x.transaction_id ?? x.reported_transaction_id ?? '—') },
          { label: t('charging.connector'), cls: 'col-num', render: (x) => String(x.connector_id ?? '—') },
          { label: t('charging.id_tag'), render: (x) => h('span.mono', { text: x.id_tag || '—' }) },
          { label: t('charging.start'), cls: 'col-time', render: (x) => (x.start_at ? fmtTime(x.start_at, { seconds: false }) : '—') },
          { label: t('charging.stop'), cls: 'col-time', render: (x) => (x.stop_at ? fmtTime(x.stop_at, { seconds: false }) : h('span.badge.badge-ok', { text: t('charging.in_progress') })) },
          { label: t('charging.energy'), cls: 'col-num', render: (x) => (x.energy_wh == null ? '—' : (x.energy_wh / 1000).toFixed(2) + ' kWh') },
        ],
      }),
      h('h3.section-title', { text: t('charging.commands') }),
      dataTable({
        testid: 'charger-command-log', rowTestid: (x) => 'command-' + x.id, rows: cmds, empty: t('charging.no_commands'),
        columns: [
          { label: t('charging.at'), cls: 'col-time', render: (x) => fmtTime(x.requested_at) },
          { label: t('charging.command'), render: (x) => t('ocpp.cmd.' + x.action) === 'ocpp.cmd.' + x.action ? x.action : t('ocpp.cmd.' + x.action) },
          { label: t('charging.status'), render: (x) => h('span.badge', { class: x.status === 'accepted' ? 'badge-ok' : x.status === 'pending' ? '' : 'badge-danger', dataset: { status: x.status }, text: t('charging.cmd_status.' + x.status) }) },
          { label: t('charging.result'), render: (x) => h('span.mono.small', { text: x.result ? (typeof x.result === 'string' ? x.result : JSON.stringify(x.result)).slice(0, 120) : x.error_code || '—' }) },
        ],
      }));
  }

  async function command(c, x) {
    const fields = x.fields.map((f) => ({ name: f.name, label: f.name, type: f.type, value: f.value || (f.options ? f.options[0] : ''),
      options: f.options ? f.options.map((o) => ({ value: o, label: o })) : undefined, required: f.type === 'number' }));
    const res = await formDialog({
      title: t('ocpp.cmd.' + x.action), testid: 'cmd-dialog', submit: t('charging.send'), body: t('charging.send_hint', { id: c.charge_point_id }), fields,
      onSubmit: async (v) => {
        const payload = {};
        for (const f of x.fields) payload[f.name] = f.type === 'number' ? Number(v[f.name]) : v[f.name];
        const made = await post(`/chargers/${encodeURIComponent(id)}/commands/${x.action}`, { payload });
        return get(`/chargers/${encodeURIComponent(id)}/commands/${encodeURIComponent(made.id)}`, { wait: 15000 });
      },
    });
    if (!res) return;
    toast(t('charging.cmd_result', { action: t('ocpp.cmd.' + x.action), status: t('charging.cmd_status.' + res.status) }), res.status === 'accepted' ? 'ok' : 'error');
    await load();
  }
  load();
}

// ------------------------------------------------------------------ ledger
function renderLedger(el, { me, navigate }) {
  const write = allows(me, 'chargers.write');
  const err = problemBox('ledger-error');
  const stBox = h('div', loading());
  const chBox = h('div', loading());
  let stations = [];
  async function load() {
    err.show(null);
    try {
      const [s, c] = await Promise.all([get('/stations'), get('/chargers', { limit: 200 })]);
      stations = s.items || [];
      mount(stBox, dataTable({
        testid: 'stations-table', rowTestid: (x) => 'station-' + x.code, rows: stations,
        empty: write ? t('charging.no_stations_register') : t('charging.no_stations'),
        columns: [
          { label: t('charging.station_code'), render: (x) => h('span.mono', { text: x.code }) },
          { label: t('charging.station'), render: (x) => appLink('/charging/stations/' + encodeURIComponent(x.id), x.name, navigate, { testid: 'station-link-' + x.code }) },
          { label: t('charging.address'), cls: 'col-opt', render: (x) => x.address || '—' },
          { label: t('charging.chargers'), cls: 'col-num', render: (x) => String(x.charger_count ?? '—') },
        ],
      }));
      const name = (sid) => (stations.find((x) => x.id === sid) || {}).name || '—';
      mount(chBox, dataTable({
        testid: 'chargers-table', rowTestid: (x) => 'charger-' + x.charge_point_id, rows: c.items || [], empty: t('charging.none'),
        columns: [
          { label: t('charging.charge_point_id'), render: (x) => appLink('/charging/chargers/' + encodeURIComponent(x.id), x.charge_point_id, navigate, { class: 'mono' }) },
          { label: t('charging.station'), render: (x) => name(x.station_id) },
          { label: t('charging.kind'), render: (x) => (x.kind || '').toUpperCase() },
          { label: t('charging.vendor_model'), cls: 'col-opt', render: (x) => [x.vendor, x.model].filter(Boolean).join(' ') || '—' },
          { label: t('charging.warranty'), cls: 'col-opt', render: (x) => t('charging.warranty.' + x.warranty) },
          { label: t('charging.online'), render: (x) => h('span.badge', { class: x.online ? 'badge-ok' : '', text: x.online ? t('charging.online') : t('charging.offline') }) },
        ],
      }));
    } catch (ex) { err.show(ex); }
  }
  async function newStation() {
    const r = await formDialog({ title: t('charging.new_station'), testid: 'station-dialog', submit: t('common.save'),
      fields: [{ name: 'code', label: t('charging.station_code'), required: true }, { name: 'name', label: t('charging.station'), required: true },
        { name: 'address', label: t('charging.address') }],
      onSubmit: (v) => post('/stations', { code: v.code.trim(), name: v.name.trim(), address: v.address.trim() || null }) });
    if (r) { toast(t('common.saved')); await load(); }
  }
  async function newCharger() {
    const r = await formDialog({ title: t('charging.new_charger'), testid: 'charger-dialog', submit: t('common.save'),
      fields: [
        { name: 'charge_point_id', label: t('charging.charge_point_id'), required: true },
        { name: 'station_id', label: t('charging.station'), type: 'select', options: [{ value: '', label: '—' }, ...stations.map((s) => ({ value: s.id, label: s.name }))] },
        { name: 'name', label: t('charging.name') },
        { name: 'kind', label: t('charging.kind'), type: 'select', options: [{ value: 'dc', label: 'DC' }, { value: 'ac', label: 'AC' }] },
        { name: 'payment', label: t('charging.payment'), type: 'select', options: ['app', 'qr', 'card', 'manual'].map((p) => ({ value: p, label: t('charging.payment.' + p) })) },
        { name: 'connector_count', label: t('charging.connector_count'), type: 'number', value: '2' },
        { name: 'warranty', label: t('charging.warranty'), type: 'select', options: ['in_house', 'external'].map((p) => ({ value: p, label: t('charging.warranty.' + p) })) },
        { name: 'vendor', label: t('charging.vendor') }, { name: 'model', label: t('charging.model') },
      ],
      onSubmit: (v) => {
        const b = { charge_point_id: v.charge_point_id.trim(), kind: v.kind, payment: v.payment, warranty: v.warranty, connector_count: Number(v.connector_count || 1) };
        for (const k of ['station_id', 'name', 'vendor', 'model']) if (String(v[k] || '').trim()) b[k] = v[k].trim();
        return post('/chargers', b);
      } });
    if (!r) return;
    await load();
    // the Basic-auth key is shown once: it is what the charger's AuthorizationKey must be set to
    await formDialog({ title: t('charging.key_title', { id: r.charge_point_id }), testid: 'key-dialog', submit: t('common.close'), body: t('charging.key_hint'),
      fields: [{ name: 'key', label: t('charging.key'), value: r.authorization_key || '', attrs: { readonly: true, class: 'input mono' } }], onSubmit: async () => true });
  }
  el.append(h('div.page-head', h('h1.page-title', { text: t('nav.charging'), tabindex: '-1' }),
    write ? h('div.chips', h('button.btn', { type: 'button', testid: 'station-new', text: t('charging.new_station'), onclick: newStation }),
      h('button.btn.btn-primary', { type: 'button', testid: 'charger-new', text: t('charging.new_charger'), onclick: newCharger })) : null),
  subtabs('ledger', navigate), err,
  h('h2.section-title', { text: t('charging.stations') }), stBox,
  h('h2.section-title', { text: t('charging.chargers') }), chBox);
  load();
}

// Helpers for the applications tests (issue 11; docs/api.md "Applications"): taking an application of each kind,
// handing in its documents and walking it through the stages of data/flows/application.json.
//
// Modules that hang guards on the stages (field work, joint acceptance, the customer manager's requests) extend
// `stageWork` below: what must be done in a stage before its forward action is allowed, so every walk stays real.
import assert from 'node:assert/strict';
import { api, BASE_URL, expectStatus, uniq, userWithToken } from './lib.mjs';
import { acceptanceStageWork } from './lib_acceptance.mjs';

export const SH = 8 * 3600 * 1000; // Asia/Shanghai is UTC+8 all year
export const shanghai = (y, m, d, h = 0, min = 0) => Date.UTC(y, m - 1, d, h, min) - SH;
export const endOfDay = (y, m, d) => shanghai(y, m, d + 1) - 1; // the day's last millisecond, Shanghai time

const PDF = Buffer.from('%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n');

/** Uploads a small PDF (no entity yet) and returns its attachment id. */
export async function uploadDoc(token, name = 'doc.pdf') {
  const res = await fetch(`${BASE_URL}/api/v1/attachments?filename=${encodeURIComponent(name)}`, {
    method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/pdf' }, body: PDF });
  assert.equal(res.status, 201, await res.clone().text());
  return (await res.json()).id;
}

const BASE = {
  lv_residential: { voltage_level: '220V', capacity_kva: 8 },
  lv_non_residential: { voltage_level: '380V', capacity_kva: 120, id_type: 'uscc', id_number: '91350100M000100Y43' },
  hv_single: { voltage_level: '10kV', capacity_kva: 1250, id_type: 'uscc', id_number: '91350100M000100Y43' },
  hv_dual: { voltage_level: '10kV', capacity_kva: 4000, sources: 2, id_type: 'uscc', id_number: '91350100M000100Y43' },
  capacity_increase: { voltage_level: '380V', capacity_kva: 60 },
  temporary: { voltage_level: '380V', capacity_kva: 50 },
};

/** The staff who work applications: counter (customer_service), customer manager, dispatcher, manager. */
export async function appStaff() {
  const [counter, cm, disp, mgr] = await Promise.all([userWithToken(['customer_service']), userWithToken(['customer_manager']),
    userWithToken(['dispatcher']), userWithToken(['manager'])]);
  return { counter, cm, disp, mgr };
}

/** Takes an application of `kind` at the counter; docs: true hands in every document of the kind's intake list. */
export async function createApplication(token, kind, extra = {}, { docs = true } = {}) {
  const body = { kind, channel: 'counter', applicant_name: '王小明', applicant_phone: `139${String(Date.now() % 1e8).padStart(8, '0')}`,
    supply_address: `福州市鼓楼区${uniq('路')}号`, area: '鼓楼', purpose: '生活用电', ...BASE[kind], ...extra };
  if (docs && !body.documents) {
    const list = await docList(token, { kind, ...body });
    body.documents = [];
    for (const d of list) body.documents.push({ type: d, attachment_id: await uploadDoc(token, `${d}.pdf`) });
  }
  const res = await api('POST', '/applications', { token, body });
  expectStatus(res, 201);
  return res.json;
}

/** The intake documents of a kind (data/flows/application.json "documents", at: accepted), read from the flow. */
async function docList(token, app) {
  const f = await api('GET', '/flows/application', { token });
  expectStatus(f, 200);
  const track = app.kind === 'capacity_increase' || app.kind === 'temporary'
    ? (['220V', '380V'].includes(app.voltage_level) ? (app.kind === 'capacity_increase' && app.id_type === 'id_card' ? 'lv_residential' : 'lv_non_residential') : (app.sources === 2 ? 'hv_dual' : 'hv_single'))
    : app.kind;
  const row = { kind: app.kind, track, ev_charger: !!app.ev_charger };
  return f.json.documents.filter((d) => d.at === 'accepted' && Object.entries(d.when || {}).every(([k, v]) => v.includes(row[k])))
    .map((d) => d.type);
}

export const act = (token, id, action, body = {}) => api('POST', `/applications/${id}/actions/${action}`, { token, body });

/** Work other modules require inside a stage before its forward action (each module adds its own). */
export const stageWork = {};
/** Adds a module's work to a stage's action, after what other modules put there. */
export function addStageWork(action, fn) {
  const prev = stageWork[action];
  stageWork[action] = prev ? async (staff, app) => { await prev(staff, app); await fn(staff, app); } : fn;
}
// joint acceptance and the customer manager (tests/api/lib_acceptance.mjs)
for (const [action, fn] of Object.entries(acceptanceStageWork)) addStageWork(action, fn);

/** The forward path of each track: [action, who] in order, from accepted to archived. */
export const PATHS = {
  lv_residential: [['accept', 'counter'], ['complete_survey', 'cm', { scheme: '单相220V，表箱挂墙' }], ['complete_installation', 'disp'], ['archive', 'counter']],
  lv_non_residential: [['accept', 'counter'], ['complete_survey', 'cm'], ['reply_scheme', 'cm', { scheme: '三相四线380V，低压计量' }],
    ['request_inspection', 'counter'], ['complete_installation', 'disp'], ['archive', 'counter']],
  hv_single: [['accept', 'counter'], ['complete_survey', 'cm'], ['reply_scheme', 'cm', { scheme: '10kV单电源，高供高计' }], ['submit_design', 'counter'],
    ['approve_design', 'cm'], ['request_inspection', 'counter'], ['pass_mid_inspection', 'cm'], ['request_completion', 'counter'],
    ['pass_completion', 'cm'], ['complete_installation', 'disp'], ['power_on', 'cm'], ['archive', 'counter']],
};
PATHS.hv_dual = PATHS.hv_single.map(([a, w, b]) => [a, w, a === 'reply_scheme' ? { scheme: '10kV双电源，高供高计' } : b]);

/** Fires the track's forward actions until the application is in `until` (default archived). */
export async function walk(staff, app, until = 'archived') {
  let cur = app;
  for (const [action, who, body] of PATHS[cur.track]) {
    if (cur.status === until) break;
    if (stageWork[action]) await stageWork[action](staff, cur);
    if (action === 'submit_design') await handIn(staff.counter.token, cur, 'drawings');
    const res = await act(staff[who].token, cur.id, action, body || {});
    expectStatus(res, 200);
    cur = res.json;
  }
  assert.equal(cur.status, until);
  return cur;
}

/** Hands in one document of the application's list. */
export async function handIn(token, app, type) {
  const res = await api('PUT', `/applications/${app.id}/documents/${type}`, { token, body: { attachment_id: await uploadDoc(token, `${type}.pdf`) } });
  expectStatus(res, 200);
  return res.json;
}

// Field work (appjobs, issue 11 item 4; docs/api.md "Field work from an application"): the survey and installation
// stages each have a work order, and the desk's completion is refused while it is open. A walk does not run the
// crew's jobs (tests/api/application_fieldwork.test.mjs does): it cancels the open order, as a dispatcher may, and
// completes the installation with the meter given at the desk.
export const METER = { meter_asset_no: 'DB3300000001', meter_model: 'DDZY102-Z', install_reading: '0' };
/** Cancels the application's open field work orders: reader reads the jobs, canceller (a dispatcher, a manager,
 * an admin) cancels. */
export async function cancelFieldJobs(appId, reader, canceller = reader) {
  const r = await api('GET', `/applications/${appId}/jobs`, { token: reader });
  expectStatus(r, 200);
  for (const j of r.json.items) {
    if (j.work_order && !['done', 'cancelled'].includes(j.work_order.status))
      expectStatus(await api('POST', `/work-orders/${j.work_order_id}/actions/cancel`, { token: canceller }), 200);
  }
}
export const cancelFieldJob = (staff, app) => cancelFieldJobs(app.id, staff.mgr.token, staff.disp.token);
addStageWork('complete_survey', cancelFieldJob);
addStageWork('complete_installation', cancelFieldJob);
for (const path of Object.values(PATHS)) {
  for (const step of path) if (step[0] === 'complete_installation') step[2] = { ...METER, ...(step[2] || {}) };
}

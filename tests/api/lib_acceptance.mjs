// Helpers for joint acceptance and the customer manager (issue 11 items 5–6; docs/api.md "Joint acceptance",
// "Customer manager"): what an application's walk must do in a stage before the forward action that these modules
// guard. lib_applications.mjs adds `acceptanceStageWork` to its `stageWork`, so every walk stays real.
import assert from 'node:assert/strict';
import { api, BASE_URL, expectStatus } from './lib.mjs';

const PDF = Buffer.from('%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n');

/** Uploads a small PDF (evidence, a signed sheet) and returns its attachment id. */
export async function uploadEvidence(token, name = 'evidence.pdf') {
  const res = await fetch(`${BASE_URL}/api/v1/attachments?filename=${encodeURIComponent(name)}`, {
    method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/pdf' }, body: PDF });
  assert.equal(res.status, 201, await res.clone().text());
  return (await res.json()).id;
}

/** Who signs for each department in the walks: three different people (a joint acceptance needs them). */
export const signers = (staff) => ({ marketing: staff.cm, operations: staff.disp, metering: staff.mgr });

/** Opens the stage's record (unless one is open), passes every item to be checked and signs every department. */
export async function passAcceptance(staff, app, stage, extra = {}) {
  const list = await api('GET', `/applications/${app.id}/acceptances`, { token: staff.cm.token });
  expectStatus(list, 200);
  let rec = list.json.items.filter((r) => r.stage === stage).pop();
  if (!rec || rec.status === 'failed') {
    const body = { stage, ...extra };
    if (stage === 'completion' && !body.first_inspector_id) body.first_inspector_id = staff.disp.user.id;
    const res = await api('POST', `/applications/${app.id}/acceptances`, { token: staff.cm.token, body });
    expectStatus(res, 201);
    rec = res.json;
  }
  if (rec.status === 'passed') return rec;
  const by = signers(staff);
  for (const d of rec.departments) {
    if (d.signature) continue;
    for (const it of rec.items.filter((i) => i.department === d.code && i.sampled && !i.checked)) {
      expectStatus(await api('PUT', `/applications/${app.id}/acceptances/${rec.id}/items/${it.code}`,
        { token: by[d.code].token, body: { result: 'pass' } }), 200);
    }
    const s = await api('POST', `/applications/${app.id}/acceptances/${rec.id}/signatures`, { token: by[d.code].token, body: { department: d.code } });
    expectStatus(s, 200);
    rec = s.json;
  }
  assert.equal(rec.status, 'passed');
  return rec;
}

/** A customer's confirmed power-on request, made by the application's customer manager (staff.cm). */
export async function confirmedPowerOn(staff, app) {
  const r = await api('POST', `/applications/${app.id}/manager-requests`, { token: staff.cm.token,
    body: { kind: 'power_on', planned_at: Date.now() + 3600e3, reason: '竣工检验合格，申请送电' } });
  expectStatus(r, 201);
  const c = await api('POST', `/applications/${app.id}/manager-requests/${r.json.id}/confirm`, { token: staff.cm.token,
    body: { confirmed_by: '客户电气负责人', method: 'phone' } });
  expectStatus(c, 200);
  return c.json;
}

const HV = ['hv_single', 'hv_dual'];

/** Stage work of these modules, by the action it comes before (staff as lib_applications' appStaff()). */
export const acceptanceStageWork = {
  // an HV application is accepted only with its one customer manager
  accept: async (staff, app) => {
    if (!HV.includes(app.track) || app.customer_manager_id) return;
    expectStatus(await api('PUT', `/applications/${app.id}/customer-manager`, { token: staff.counter.token, body: { user_id: staff.cm.user.id } }), 200);
  },
  approve_design: (staff, app) => passAcceptance(staff, app, 'design_review'),
  pass_mid_inspection: (staff, app) => passAcceptance(staff, app, 'mid_inspection'),
  pass_completion: (staff, app) => passAcceptance(staff, app, 'completion'),
  // LV non-residential: the completion check is done with the meter installation
  complete_installation: async (staff, app) => {
    if (app.track === 'lv_non_residential') await passAcceptance(staff, app, 'completion');
  },
  power_on: async (staff, app) => {
    const l = await api('GET', `/applications/${app.id}/manager-requests`, { token: staff.cm.token });
    if (!l.json.items.some((r) => r.kind === 'power_on' && r.status === 'confirmed')) await confirmedPowerOn(staff, app);
  },
};

// Field work from an application (issue 11 item 4; docs/api.md "Field work from an application"): accepting an
// application creates its survey work order, entering the installation stage its installation work order; each
// runs through plan → ticket → steps like any field job, and when the job finishes the application follows — the
// survey's recorded scheme completes the survey, the installed meter and its start reading land on the
// application's metering point and complete the installation. The desk cannot complete a stage past an open job.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { api, userWithToken, createOrgUnit, expectError, expectStatus, LABEL, PASSWORD, BASE_URL } from './lib.mjs';
import { today, people, qualify, equip, act as post, newTicket, issuedReceivedPermitted, briefed, risksConfirmed, upload, JPEG, runJob } from './fieldwork_lib.mjs';
import { appStaff, createApplication, act } from './lib_applications.mjs';

const ID_W = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const idCard = (s17) => s17 + '10X98765432'[[...s17].reduce((a, c, i) => a + Number(c) * ID_W[i], 0) % 11];
let serial = Math.floor(Math.random() * 400000);

/** A resident with an account and premises: what a counter knows of an existing customer. */
async function customerWithPremises(token) {
  const n = serial++;
  const c = await api('POST', '/customers', { token, body: { kind: 'resident', name: '王小明',
    id_number: idCard(`330102${1960 + (n % 40)}0${1 + (n % 9)}1${n % 10}${String(n % 1000).padStart(3, '0')}`),
    contacts: [{ name: '王小明', phone: '13912345678' }] } });
  expectStatus(c, 201);
  const acct = await api('POST', `/customers/${c.json.id}/accounts`, { token,
    body: { number: `37${String(Date.now() % 1e6).padStart(6, '0')}${String(n % 100).padStart(2, '0')}` } });
  expectStatus(acct, 201);
  const prem = await api('POST', `/customer-accounts/${acct.json.id}/premises`, { token,
    body: { supply_address: '福州市鼓楼区和平街 7 号', voltage_level: '220V', capacity_kva: 8 } });
  expectStatus(prem, 201);
  return { customer: c.json, premises: prem.json };
}

const jobs = async (token, id) => {
  const r = await api('GET', `/applications/${id}/jobs`, { token });
  expectStatus(r, 200);
  return r.json.items;
};
const getApp = async (token, id) => {
  const r = await api('GET', `/applications/${id}`, { token });
  expectStatus(r, 200);
  return r.json;
};

let crewMade;
const crew = () => (crewMade ??= (async () => {
  const p = await people();
  await qualify(p.leader, p.crew);
  return p;
})());

test(`${LABEL} application field work: an LV residential application from accept to powered, its survey and installation jobs worked through plan, ticket and steps`, async () => {
  const s = await appStaff();
  const p = await crew();
  const { customer, premises } = await customerWithPremises(s.counter.token);
  const app = await createApplication(s.counter.token, 'lv_residential', { customer_id: customer.id, premises_id: premises.id });
  assert.deepEqual(await jobs(s.counter.token, app.id), [], 'no field work before the application is accepted');

  // accepting it creates the survey's work order: the light connection_survey kind, due with the stage
  const accepted = await act(s.counter.token, app.id, 'accept');
  expectStatus(accepted, 200);
  assert.equal(accepted.json.status, 'survey');
  let list = await jobs(s.cm.token, app.id);
  assert.equal(list.length, 1);
  const survey = list[0];
  assert.equal(survey.stage, 'survey');
  assert.equal(survey.work_order.kind, 'connection_survey');
  assert.equal(survey.work_order.status, 'new');
  assert.ok(survey.work_order.title.includes(app.number), 'the order names the application');
  assert.ok(survey.work_order.due_at > Date.now(), 'due with the survey stage (2 working days)');
  assert.equal(survey.finished_at, null);
  const order = await api('GET', `/work-orders/${survey.work_order_id}`, { token: p.dispatcher.token });
  expectStatus(order, 200);
  assert.equal(order.json.site_address, app.supply_address);
  assert.equal(order.json.source, 'customer');

  // the desk cannot complete the survey while its job is open, nor open a second job
  const early = await act(s.cm.token, app.id, 'complete_survey', { scheme: '单相220V' });
  expectError(early, 409, 'application_job_open');
  assert.ok(early.json.error.details.gates.some((g) => g.code === 'application_job_open' && g.work_order_id === survey.work_order_id && g.stage === 'survey'));
  expectError(await api('POST', `/applications/${app.id}/jobs`, { token: s.cm.token }), 409, 'application_job_open');

  // the crew surveys: the SOP records the proposed scheme; finishing the job completes the survey
  const scheme = '单相220V，电源取自和平街1号台区3号分支箱，表箱挂墙于东侧外墙';
  const surveyed = await runJob(p, survey.work_order_id, { scheme, supply_point: '和平街1号台区3号分支箱', meter_position: '东侧外墙' });
  assert.equal(surveyed.sop.code, 'connection_survey');
  let a = await getApp(s.cm.token, app.id);
  assert.equal(a.status, 'installation', 'the survey stage completed when its job finished');
  const fired = a.history.find((h) => h.action === 'complete_survey');
  assert.equal(fired.actor_id, 'system');
  list = await jobs(s.cm.token, app.id);
  assert.equal(list.length, 2);
  assert.equal(list[0].work_order.status, 'done');
  assert.equal(list[0].outcome, 'stage_completed');
  assert.ok(list[0].finished_at > 0);
  assert.equal(list[0].result.records.scheme, scheme);
  assert.equal(list[0].result.steps.length, 8, 'every step of the survey SOP');

  // entering the installation stage created the installation's order, carrying the survey's scheme
  const install = list[1];
  assert.equal(install.stage, 'installation');
  assert.equal(install.work_order.kind, 'lv_connection_install');
  assert.equal(install.created_by, 'system');
  const io = await api('GET', `/work-orders/${install.work_order_id}`, { token: p.dispatcher.token });
  assert.ok(io.json.description.includes(scheme), 'the crew sees the scheme on the order');
  expectError(await act(s.disp.token, app.id, 'complete_installation', { meter_asset_no: 'X1234', install_reading: '0' }), 409, 'application_job_open');

  // the crew fits the meter: asset number, model and start reading recorded in the steps
  const installed = await runJob(p, install.work_order_id, { new_meter_asset_no: 'DB3300012345', meter_model: 'DDZY102-Z', new_reading_total: 0.75 });
  assert.equal(installed.sop.code, 'lv_connection_install');
  a = await getApp(s.cm.token, app.id);
  assert.equal(a.status, 'powered', 'the installation stage completed when its job finished');
  assert.ok(a.powered_on_at > 0);
  assert.equal(a.history.find((h) => h.action === 'complete_installation').actor_id, 'system');
  list = await jobs(s.cm.token, app.id);
  assert.equal(list[1].outcome, 'stage_completed');
  assert.equal(list[1].result.records.new_meter_asset_no, 'DB3300012345');

  // the meter is on the application's metering point, made on its premises (it had none)
  assert.ok(a.metering_point_id, 'the application now names its metering point');
  const cust = await api('GET', `/customers/${customer.id}`, { token: s.counter.token });
  expectStatus(cust, 200);
  const points = cust.json.accounts.flatMap((x) => x.premises).find((x) => x.id === premises.id).metering_points;
  assert.equal(points.length, 1);
  const mp = points[0];
  assert.equal(mp.id, a.metering_point_id);
  assert.equal(mp.status, 'installed');
  assert.equal(mp.meter_asset_no, 'DB3300012345');
  assert.equal(mp.meter_model, 'DDZY102-Z');
  assert.equal(mp.install_reading, '0.75');
  assert.ok(mp.installed_at > 0);
});

test(`${LABEL} application field work: a survey job with no scheme recorded leaves the stage to the desk; a cancelled job, the meter from the desk`, async () => {
  const s = await appStaff();
  const p = await crew();
  const { customer, premises } = await customerWithPremises(s.counter.token);
  // a metering point planned on the premises already: the installation fills it in
  const planned = await api('POST', `/premises/${premises.id}/metering-points`, { token: s.counter.token, body: {} });
  expectStatus(planned, 201);
  const app = await createApplication(s.counter.token, 'lv_residential', { customer_id: customer.id, premises_id: premises.id });
  expectError(await api('POST', `/applications/${app.id}/jobs`, { token: s.cm.token }), 409, 'application_not_in_field_stage');
  const stranger = await userWithToken(['crew']);
  expectError(await api('GET', `/applications/${app.id}/jobs`, { token: stranger.token }), 403, 'forbidden');
  expectStatus(await act(s.counter.token, app.id, 'accept'), 200);
  const [survey] = await jobs(s.cm.token, app.id);

  // the job finishes with no steps recorded: a residential survey needs its scheme, so the stage waits for the desk
  await runJob(p, survey.work_order_id, null);
  let a = await getApp(s.cm.token, app.id);
  assert.equal(a.status, 'survey');
  let list = await jobs(s.cm.token, app.id);
  assert.equal(list[0].work_order.status, 'done');
  assert.equal(list[0].outcome, 'missing_field', 'the job says why the stage did not follow');
  const done = await act(s.cm.token, app.id, 'complete_survey', { scheme: '单相220V，表箱挂墙' });
  expectStatus(done, 200);
  assert.equal(done.json.status, 'installation');

  // the installation's order is cancelled (the desk will record the meter); a new one can be made, once
  list = await jobs(s.cm.token, app.id);
  assert.equal(list.length, 2);
  expectStatus(await post(p.dispatcher.token, `/work-orders/${list[1].work_order_id}/actions/cancel`), 200);
  const again = await api('POST', `/applications/${app.id}/jobs`, { token: s.disp.token });
  expectStatus(again, 201);
  assert.equal(again.json.stage, 'installation');
  assert.equal(again.json.work_order.kind, 'lv_connection_install');
  expectError(await api('POST', `/applications/${app.id}/jobs`, { token: s.disp.token }), 409, 'application_job_open');
  expectStatus(await post(p.dispatcher.token, `/work-orders/${again.json.work_order_id}/actions/cancel`), 200);

  // no job recorded a meter: the desk must give it
  const bare = await act(s.disp.token, app.id, 'complete_installation');
  expectError(bare, 409, 'application_meter_missing');
  assert.deepEqual(bare.json.error.details.gates.find((g) => g.code === 'application_meter_missing').missing, ['meter_asset_no', 'install_reading']);
  expectError(await act(s.disp.token, app.id, 'complete_installation', { meter_asset_no: 'DB3300054321', install_reading: 'zero' }), 400, 'invalid_field', 'install_reading');
  const fin = await act(s.disp.token, app.id, 'complete_installation', { meter_asset_no: 'DB3300054321', meter_model: 'DDZY102-Z', install_reading: '12.5' });
  expectStatus(fin, 200);
  assert.equal(fin.json.status, 'powered');
  assert.equal(fin.json.metering_point_id, planned.json.id, 'an application without a point takes the one planned on its premises');
});

// The desk's side of applications (issue 11 item 11; R0.9; docs/api.md "Applications: shared space",
// "…: responsibilities", "…: board", "…: timeline").
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { api, expectStatus, expectError, userWithToken, createOrgUnit, adminToken, LABEL, MISSING_ID } from './lib.mjs';
import { appStaff, createApplication, uploadDoc, act } from './lib_applications.mjs';

const DAY = 86400000;

test(`${LABEL} shared space: comments are kept in order, append-only, audited and scoped like the application`, async () => {
  const a = await createOrgUnit('department');
  const b = await createOrgUnit('department');
  const counter = await userWithToken(['customer_service'], { org_unit_id: a.id });
  const cm = await userWithToken(['customer_manager'], { org_unit_id: a.id });
  const other = await userWithToken(['customer_service'], { org_unit_id: b.id });
  const viewer = await userWithToken(['viewer'], { org_unit_id: a.id });
  const app = await createApplication(counter.token, 'lv_residential', { org_unit_id: a.id });

  let res = await api('POST', `/applications/${app.id}/comments`, { token: counter.token, body: { text: '客户要求周三上午勘查' } });
  expectStatus(res, 201);
  const first = res.json;
  assert.equal(first.application_id, app.id);
  assert.equal(first.author_id, counter.user.id);
  assert.equal(first.author_name, counter.user.display_name);
  res = await api('POST', `/applications/${app.id}/comments`, { token: cm.token, body: { text: '已约定，周三 9:30 到场' } });
  expectStatus(res, 201);

  res = await api('GET', `/applications/${app.id}/comments`, { token: viewer.token });
  expectStatus(res, 200);
  assert.deepEqual(res.json.items.map((c) => c.text), ['客户要求周三上午勘查', '已约定，周三 9:30 到场']);
  assert.deepEqual(res.json.items.map((c) => c.author_id), [counter.user.id, cm.user.id]);

  // readers read, writers write; nothing edits or removes a comment
  expectError(await api('POST', `/applications/${app.id}/comments`, { token: viewer.token, body: { text: 'x' } }), 403, 'forbidden');
  expectError(await api('POST', `/applications/${app.id}/comments`, { token: cm.token, body: { text: '   ' } }), 400, 'invalid_field', 'text');
  expectError(await api('POST', `/applications/${app.id}/comments`, { token: cm.token, body: {} }), 400, 'missing_field', 'text');
  expectError(await api('PATCH', `/applications/${app.id}/comments`, { token: cm.token, body: { text: 'y' } }), 405, 'method_not_allowed');
  expectError(await api('DELETE', `/applications/${app.id}/comments`, { token: cm.token }), 405, 'method_not_allowed');

  // another unit's counter: the application does not exist for them, read or write
  expectError(await api('GET', `/applications/${app.id}/comments`, { token: other.token }), 404, 'not_found');
  expectError(await api('POST', `/applications/${app.id}/comments`, { token: other.token, body: { text: 'x' } }), 404, 'not_found');
  expectError(await api('GET', `/applications/${MISSING_ID}/comments`, { token: cm.token }), 404, 'not_found');

  res = await api('GET', `/audit?entity=application_comment&entity_id=${first.id}`, { token: await adminToken() });
  expectStatus(res, 200);
  assert.equal(res.json.items.length, 1);
  assert.equal(res.json.items[0].action, 'create');
  assert.equal(res.json.items[0].actor_id, counter.user.id);
  assert.equal(res.json.items[0].after.text, '客户要求周三上午勘查');
});

test(`${LABEL} shared space: documents beyond the checklist, each once, never another thing's file`, async () => {
  const { counter, cm } = await appStaff();
  const app = await createApplication(counter.token, 'hv_single');
  const app2 = await createApplication(counter.token, 'lv_residential');
  const sketch = await uploadDoc(cm.token, 'site-sketch.pdf');

  let res = await api('POST', `/applications/${app.id}/files`, { token: cm.token, body: { attachment_id: sketch, title: '现场草图' } });
  expectStatus(res, 201);
  assert.equal(res.json.attachment_id, sketch);
  assert.equal(res.json.title, '现场草图');
  assert.equal(res.json.filename, 'site-sketch.pdf');
  assert.equal(res.json.content_type, 'application/pdf');
  assert.equal(res.json.added_by, cm.user.id);

  expectError(await api('POST', `/applications/${app.id}/files`, { token: cm.token, body: { attachment_id: sketch } }), 409, 'application_file_exists');
  // the file is now the application's: another application cannot take it
  expectError(await api('POST', `/applications/${app2.id}/files`, { token: cm.token, body: { attachment_id: sketch } }), 400, 'invalid_field', 'attachment_id');
  expectError(await api('POST', `/applications/${app.id}/files`, { token: cm.token, body: { attachment_id: MISSING_ID } }), 400, 'invalid_field', 'attachment_id');
  // a checklist document is the application's too and may be put beside it
  const identity = app.documents.find((d) => d.type === 'identity').attachment_id;
  res = await api('POST', `/applications/${app.id}/files`, { token: counter.token, body: { attachment_id: identity } });
  expectStatus(res, 201);
  assert.equal(res.json.title, null);

  res = await api('GET', `/applications/${app.id}/files`, { token: counter.token });
  expectStatus(res, 200);
  assert.deepEqual(res.json.items.map((f) => f.attachment_id), [sketch, identity]);
  res = await api('GET', `/applications/${app2.id}/files`, { token: counter.token });
  expectStatus(res, 200);
  assert.deepEqual(res.json.items, []);
  res = await api('GET', `/attachments/${sketch}`, { token: await adminToken() });
  expectStatus(res, 200);
  assert.equal(res.json.entity, 'application');
  assert.equal(res.json.entity_id, app.id);
});

test(`${LABEL} responsibilities: each track's stages with their owner department and limit, adding up to the promise`, async () => {
  const { counter } = await appStaff();
  let res = await api('GET', '/applications/responsibilities', { token: counter.token });
  expectStatus(res, 200);
  const tracks = Object.fromEntries(res.json.tracks.map((t) => [t.track, t]));
  assert.deepEqual(Object.keys(tracks), ['lv_residential', 'lv_non_residential', 'hv_single', 'hv_dual']);
  const codes = (t) => tracks[t].stages.map((s) => s.code);
  assert.deepEqual(codes('lv_residential'), ['accepted', 'documents_missing', 'survey', 'installation', 'powered']);
  assert.deepEqual(codes('lv_non_residential'), ['accepted', 'documents_missing', 'survey', 'scheme', 'construction', 'installation', 'powered']);
  assert.deepEqual(codes('hv_dual'), ['accepted', 'documents_missing', 'survey', 'scheme', 'customer_design', 'design_review', 'construction',
    'mid_inspection', 'finishing', 'completion', 'installation', 'energize', 'powered']);
  // 十项承诺: residential 5, LV 6, HV single 22, dual 32 working days, the supplier's stages adding up to it
  const want = { lv_residential: 5, lv_non_residential: 6, hv_single: 22, hv_dual: 32 };
  for (const [t, limit] of Object.entries(want)) {
    assert.equal(tracks[t].limit_working_days, limit, t);
    assert.equal(tracks[t].stages.reduce((n, s) => n + (s.limit_working_days || 0), 0), limit, t);
  }
  const survey = tracks.hv_single.stages.find((s) => s.code === 'survey');
  assert.equal(survey.owner_role, 'customer_manager');
  assert.equal(survey.department, 'account_management');
  assert.equal(survey.limit_working_days, 2);
  assert.ok(survey.duty_zh && survey.duty_en);
  assert.ok(survey.supports.some((s) => s.department === 'operations'));
  const design = tracks.hv_single.stages.find((s) => s.code === 'customer_design');
  assert.equal(design.customer_turn, true);
  assert.equal(design.owner_role, null);
  assert.equal(design.limit_working_days, null);
  assert.equal(tracks.lv_residential.stages.find((s) => s.code === 'installation').department, 'command_centre');

  const depts = Object.fromEntries(res.json.departments.map((d) => [d.key, d]));
  assert.deepEqual(depts.counter.roles, ['customer_service']);
  assert.ok(depts.counter.owns.some((o) => o.track === 'hv_dual' && o.stage === 'accepted' && o.limit_working_days === 1));
  assert.ok(depts.metering.owns.length === 0 && depts.metering.supports.some((s) => s.stage === 'completion'));

  // a serving unit's routing names the team of a stage
  const unit = await createOrgUnit('department');
  const team = await createOrgUnit('team', unit.id);
  expectStatus(await api('PUT', '/applications/routing', { token: await adminToken(), body: { org_unit_id: unit.id, stage: 'survey', team_id: team.id } }), 200);
  res = await api('GET', `/applications/responsibilities?org_unit_id=${unit.id}`, { token: counter.token });
  expectStatus(res, 200);
  const routed = res.json.tracks[0].stages.find((s) => s.code === 'survey');
  assert.equal(routed.team_id, team.id);
  assert.equal(routed.team_name, team.name);
  assert.equal(res.json.tracks[0].stages.find((s) => s.code === 'accepted').team_id, null);
});

test(`${LABEL} board: open applications by stage with their clocks; filters by kind, late, fast path and customer manager`, async () => {
  const { counter, cm, mgr } = await appStaff();
  const late = await createApplication(counter.token, 'lv_non_residential', { received_at: Date.now() - 20 * DAY });
  const held = await createApplication(counter.token, 'lv_residential', { fast_path: true, fast_reason: '医院应急', customer_manager_id: cm.user.id });
  expectStatus(await act(counter.token, held.id, 'hold', { reason: '等待规划许可' }), 200);
  const waiting = await createApplication(counter.token, 'hv_single', { customer_manager_id: cm.user.id }, { docs: false });
  expectStatus(await act(counter.token, waiting.id, 'request_documents', { reason: '缺身份证明' }), 200);

  const board = async (q = '') => {
    const res = await api('GET', `/applications/board?per_stage=200${q}`, { token: mgr.token });
    expectStatus(res, 200);
    return res.json;
  };
  const where = (b, id) => {
    for (const s of b.stages) { const it = s.items.find((x) => x.id === id); if (it) return [s, it]; }
    return [null, null];
  };
  let b = await board();
  assert.ok(!b.stages.some((s) => s.code === 'archived' || s.code === 'cancelled'));
  assert.equal(b.stages[0].code, 'accepted');
  assert.equal(b.total, b.stages.reduce((n, s) => n + s.count, 0));
  let [col, it] = where(b, late.id);
  assert.equal(col.code, 'accepted');
  assert.equal(it.clock.late, true);
  assert.equal(it.clock.nearly_late, false);
  assert.ok(it.clock.stage_due_at < Date.now() && it.clock.process_due_at < Date.now());
  assert.ok(col.late >= 1);
  [col, it] = where(b, held.id);
  assert.equal(col.code, 'accepted');
  assert.equal(it.clock.paused, true);
  assert.equal(it.fast_path, true);
  assert.equal(it.hold_reason, '等待规划许可');
  assert.equal(col.items[0].fast_path, true); // the fast path first in its column
  [col, it] = where(b, waiting.id);
  assert.equal(col.code, 'documents_missing');
  assert.equal(col.customer_turn, true);
  assert.equal(col.owner_role, null);
  assert.equal(it.waiting_reason, '缺身份证明');
  assert.equal(it.clock.late, false);
  // a manager without customers.contact reads a person's name masked, as in GET /applications
  assert.notEqual(where(b, held.id)[1].applicant_name, '王小明');

  b = await board('&late=true');
  assert.ok(where(b, late.id)[1]);
  assert.ok(!where(b, held.id)[1] && !where(b, waiting.id)[1]);
  assert.ok(b.stages.every((s) => s.items.every((x) => x.clock.late)));
  b = await board('&late=false&fast_path=true');
  assert.ok(where(b, held.id)[1] && !where(b, late.id)[1] && !where(b, waiting.id)[1]);
  b = await board('&kind=hv_single');
  assert.ok(where(b, waiting.id)[1] && !where(b, held.id)[1]);
  const mine = await api('GET', '/applications/board?customer_manager_id=me', { token: cm.token });
  expectStatus(mine, 200);
  const ids = mine.json.stages.flatMap((s) => s.items.map((x) => x.id)).sort();
  assert.deepEqual(ids, [held.id, waiting.id].sort());
  assert.equal(mine.json.total, 2);

  // a cancelled application leaves the board
  expectStatus(await act(counter.token, late.id, 'cancel', { reason: '客户撤回' }), 200);
  assert.ok(!where(await board(), late.id)[1]);
  expectError(await api('GET', '/applications/board?late=maybe', { token: mgr.token }), 400, 'invalid_query');
  expectError(await api('GET', '/applications/board?per_stage=500', { token: mgr.token }), 400, 'invalid_query', 'per_stage');
});

test(`${LABEL} timeline: stages, documents, holds with their reasons, comments and files in time order`, async () => {
  const { counter, cm } = await appStaff();
  const app = await createApplication(counter.token, 'lv_residential');
  expectStatus(await act(counter.token, app.id, 'accept'), 200);
  expectStatus(await act(cm.token, app.id, 'hold', { reason: '客户出差，约下周' }), 200);
  expectStatus(await act(cm.token, app.id, 'resume'), 200);
  expectStatus(await api('POST', `/applications/${app.id}/comments`, { token: cm.token, body: { text: '已电话确认' } }), 201);
  const f = await uploadDoc(cm.token, 'photo.pdf');
  expectStatus(await api('POST', `/applications/${app.id}/files`, { token: cm.token, body: { attachment_id: f, title: '表箱位置' } }), 201);

  const res = await api('GET', `/applications/${app.id}/timeline`, { token: counter.token });
  expectStatus(res, 200);
  const items = res.json.items;
  assert.deepEqual(items.map((x) => x.at), items.map((x) => x.at).slice().sort((x, y) => x - y));
  const types = items.filter((x) => x.type !== 'document' && x.type !== 'message' && x.type !== 'notification').map((x) => x.type);
  assert.deepEqual(types.filter((x) => x !== 'job'), ['created', 'stage', 'hold', 'resume', 'comment', 'file']);
  // the survey's work order, made as the application entered the stage (field work, item 4), in that transition
  const job = items.find((x) => x.type === 'job');
  const entered = items.find((x) => x.type === 'stage' && x.to_state === 'survey');
  assert.ok(Math.abs(job.at - entered.at) < 5000, 'made by the transition into the survey');
  assert.equal(job.event, 'created');
  assert.equal(job.stage, 'survey');
  assert.match(job.work_order_number, /^GD\d{8}-\d{4}$/);
  assert.equal(job.work_order_status, 'new');
  assert.equal(items.find((x) => x.type === 'stage').to_state, 'survey');
  assert.equal(items.find((x) => x.type === 'hold').reason, '客户出差，约下周');
  assert.equal(items.find((x) => x.type === 'hold').actor_id, cm.user.id);
  assert.equal(items.find((x) => x.type === 'comment').text, '已电话确认');
  assert.equal(items.find((x) => x.type === 'file').title, '表箱位置');
  const docs = items.filter((x) => x.type === 'document');
  assert.ok(docs.some((d) => d.doc_type === 'identity' && d.event === 'received'));
  // a limit passed: the system's deadline on the timeline, with the stage it passed in
  const late = await createApplication(counter.token, 'lv_residential', { received_at: Date.now() - 20 * DAY });
  expectStatus(await api('POST', '/applications/actions/run', { token: await adminToken(), body: { application_id: late.id } }), 200);
  const lt = await api('GET', `/applications/${late.id}/timeline`, { token: counter.token });
  expectStatus(lt, 200);
  const dl = lt.json.items.filter((x) => x.type === 'deadline');
  assert.ok(dl.some((x) => x.action === 'deadline' && x.from_state === 'accepted'), JSON.stringify(lt.json.items));
  assert.ok(lt.json.items.some((x) => x.type === 'notification'), 'the escalation told someone');
  // out of the viewer's unit: not there
  const mine = await userWithToken(['customer_service'], { org_unit_id: (await createOrgUnit('department')).id });
  const stranger = await userWithToken(['customer_service'], { org_unit_id: (await createOrgUnit('department')).id });
  const scoped = await createApplication(mine.token, 'lv_residential');
  expectError(await api('GET', `/applications/${scoped.id}/timeline`, { token: stranger.token }), 404, 'not_found');
});

test(`${LABEL} appspace: every error code of the module is documented in docs/api.md`, () => {
  const src = readFileSync(new URL('../../src/customer/appspace/appspace_module.c', import.meta.url), 'utf8');
  const codes = [...src.matchAll(/\{"([a-z0-9_]+)", (\d{3}),/g)].map((m) => [m[1], m[2]]);
  assert.ok(codes.length >= 1);
  const doc = readFileSync(new URL('../../docs/api.md', import.meta.url), 'utf8');
  for (const [code, status] of codes) assert.match(doc, new RegExp(`${status}[^\\n]*\`${code}\``), `${code} (${status}) in docs/api.md`);
});

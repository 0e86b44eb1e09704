// Admins edit the knowledge base (R3.11): the edit is audited, checked per collection, and the rules use it at
// once (a new ticket carries the edited measure); removing the edit brings the built-in item back.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { api, adminToken, userWithToken, expectError, expectStatus, LABEL } from './lib.mjs';
import { people, publishedPlan, newTicket } from './fieldwork_lib.mjs';

test(`${LABEL} kb edit: an admin's change to a risk measure reaches the next ticket; revert restores it`, async () => {
  const admin = await adminToken();
  const crew = await userWithToken(['crew']);
  const risks = await api('GET', '/kb/risks', { token: crew.token });
  const ct = risks.json.items.find((r) => r.work_kinds.includes('ct_meter_install') && /开路/.test(r.hazard_zh));
  assert.ok(ct, 'the library has the CT open-secondary risk');
  const edited = structuredClone(ct);
  edited.measures = [...ct.measures, { id: `${ct.id}-m9`, text_zh: '短接后用钳形电流表复核二次电流为零（本单位补充）', text_en: 'Check zero secondary current with a clamp meter' }];
  edited.source = `${ct.source}; 本单位 2026 年补充`;
  expectError(await api('PUT', `/kb/risks/${ct.id}`, { token: crew.token, body: edited }), 403, 'forbidden');
  const put = await api('PUT', `/kb/risks/${ct.id}`, { token: admin, body: edited });
  expectStatus(put, 200);
  const got = await api('GET', `/kb/risks/${ct.id}`, { token: crew.token });
  assert.equal(got.json.measures.length, ct.measures.length + 1);
  // the rules read the edit: a CT job's new ticket lists the added measure
  const p = await people();
  const { plan } = await publishedPlan(p, { kinds: ['ct_meter_install'] });
  const t = await newTicket(p, plan);
  assert.ok(t.measures.some((m) => m.text === edited.measures.at(-1).text_zh), 'the edited measure is on the ticket');
  const audit = await api('GET', `/audit?entity=kb_item&entity_id=${encodeURIComponent(`risks/${ct.id}`)}`, { token: admin });
  assert.equal(audit.json.items[0].action, 'update');
  assert.equal(audit.json.items[0].before.measures.length, ct.measures.length);
  // revert: the built-in item is back, and a second revert has nothing to remove
  expectStatus(await api('DELETE', `/kb/risks/${ct.id}`, { token: admin }), 204);
  assert.equal((await api('GET', `/kb/risks/${ct.id}`, { token: crew.token })).json.measures.length, ct.measures.length);
  expectError(await api('DELETE', `/kb/risks/${ct.id}`, { token: admin }), 404, 'not_found');
});

test(`${LABEL} kb edit: items are checked where the rules depend on them`, async () => {
  const admin = await adminToken();
  const dy = (await api('GET', '/kb/ticket_kinds/DY', { token: admin })).json;
  expectError(await api('PUT', '/kb/ticket_kinds/DY', { token: admin, body: { ...dy, min_people: 1 } }), 400, 'invalid_field', 'item.min_people');
  expectError(await api('PUT', '/kb/ticket_kinds/PD1', { token: admin, body: dy }), 400, 'invalid_field', 'item.code');
  const { source, ...nosource } = dy;
  expectError(await api('PUT', '/kb/ticket_kinds/DY', { token: admin, body: nosource }), 400, 'invalid_field', 'item.source');
  const wk = (await api('GET', '/kb/work_kinds/meter_rotation', { token: admin })).json;
  expectError(await api('PUT', '/kb/work_kinds/meter_rotation', { token: admin, body: { ...wk, sop: 'no_such_sop' } }), 400, 'invalid_field', 'item.sop');
  const sop = (await api('GET', '/kb/sops/meter_rotation', { token: admin })).json;
  const broken = structuredClone(sop);
  broken.steps[1].no = 7;
  expectError(await api('PUT', '/kb/sops/meter_rotation', { token: admin, body: broken }), 400, 'invalid_field', 'item.steps');
});

// Issue 14 item 5 ("finish what the walk found"), its server parts: the customer's contact and the appointment
// window on a work order (masked for readers who do not need them), and the crew picker's early warning
// (GET /plans/crew-check: double booking and readiness before the server refuses).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { api, adminToken, userWithToken, createOrgUnit, expectError, expectStatus, LABEL, BASE_URL } from './lib.mjs';
import { people, qualify, today, publishedPlan, newTicket } from './fieldwork_lib.mjs';

const H = 3600e3;

test(`${LABEL} work order: contact and appointment window are kept, edited and audited`, async () => {
  const d = await userWithToken(['dispatcher']);
  const from = Date.now() + 24 * H;
  const o = await api('POST', '/work-orders', { token: d.token, body: {
    kind: 'lv_meter_install', customer_name: '李建国', contact_name: '李建国', contact_phone: '13812345678',
    appointment_from: from, appointment_to: from + 2 * H } });
  expectStatus(o, 201);
  assert.equal(o.json.contact_name, '李建国');
  assert.equal(o.json.contact_phone, '13812345678');
  assert.equal(o.json.appointment_from, from);
  assert.equal(o.json.appointment_to, from + 2 * H);
  const p = await api('PATCH', `/work-orders/${o.json.id}`, { token: d.token, body: {
    version: o.json.version, contact_phone: '0571-87654321', appointment_to: from + 3 * H } });
  expectStatus(p, 200);
  assert.equal(p.json.contact_phone, '0571-87654321');
  assert.equal(p.json.appointment_from, from, 'the start stays');
  assert.equal(p.json.appointment_to, from + 3 * H);
  const cleared = await api('PATCH', `/work-orders/${o.json.id}`, { token: d.token, body: {
    version: p.json.version, appointment_from: null, appointment_to: null } });
  expectStatus(cleared, 200);
  assert.equal(cleared.json.appointment_from, null);
  assert.equal(cleared.json.appointment_to, null);
  const a = await api('GET', `/audit?entity=work_order&entity_id=${o.json.id}`, { token: await adminToken() });
  expectStatus(a, 200);
  const upd = a.json.items.find((x) => x.action === 'update' && x.after && x.after.contact_phone === '0571-87654321');
  assert.ok(upd, 'the contact change is audited');
});

test(`${LABEL} work order: a bad phone and a window that ends before it starts are refused with the field named`, async () => {
  const d = await userWithToken(['dispatcher']);
  const from = Date.now() + 24 * H;
  expectError(await api('POST', '/work-orders', { token: d.token, body: { kind: 'lv_meter_install', contact_phone: 'call me' } }),
    400, 'invalid_field', 'contact_phone');
  expectError(await api('POST', '/work-orders', { token: d.token, body: { kind: 'lv_meter_install', contact_phone: '12' } }),
    400, 'invalid_field', 'contact_phone');
  expectError(await api('POST', '/work-orders', { token: d.token, body: {
    kind: 'lv_meter_install', appointment_from: from, appointment_to: from - H } }), 400, 'invalid_field', 'appointment_to');
  expectError(await api('POST', '/work-orders', { token: d.token, body: { kind: 'lv_meter_install', appointment_from: -5 } }),
    400, 'invalid_field', 'appointment_from');
  const o = await api('POST', '/work-orders', { token: d.token, body: { kind: 'lv_meter_install', appointment_from: from } });
  expectStatus(o, 201);
  // the end is checked against the stored start
  expectError(await api('PATCH', `/work-orders/${o.json.id}`, { token: d.token, body: { version: o.json.version, appointment_to: from - H } }),
    400, 'invalid_field', 'appointment_to');
});

test(`${LABEL} work order: the contact is masked for readers who do not need it, in full for the plan's crew`, async () => {
  const p = await people();
  const outsider = await userWithToken(['crew']);
  const manager = await userWithToken(['manager']);
  const o = await api('POST', '/work-orders', { token: p.dispatcher.token, body: {
    kind: 'lv_meter_install', contact_name: '王秀英', contact_phone: '13987654321' } });
  expectStatus(o, 201);
  const seen = async (u) => (await api('GET', `/work-orders/${o.json.id}`, { token: u.token })).json;
  let x = await seen(outsider);
  assert.equal(x.contact_name, '王*英');
  assert.equal(x.contact_phone, '139****4321');
  x = await seen(p.leader);
  assert.equal(x.contact_phone, '139****4321', 'not yet on its plan');
  // list rows are masked the same way
  const list = await api('GET', `/work-orders?q=${o.json.number}`, { token: outsider.token });
  expectStatus(list, 200);
  assert.equal(list.json.items[0].contact_phone, '139****4321');
  // a manager keeps orders (orders.write): in full
  assert.equal((await seen(manager)).contact_phone, '13987654321');
  const team = await createOrgUnit('team');
  const plan = await api('POST', '/plans', { token: p.dispatcher.token, body: {
    date: today(), team_id: team.id, leader_id: p.leader.user.id, crew_ids: [p.crew.user.id], work_order_ids: [o.json.id] } });
  expectStatus(plan, 201);
  x = await seen(p.crew);
  assert.equal(x.contact_name, '王秀英', 'the crew on its plan calls the customer');
  assert.equal(x.contact_phone, '13987654321');
  assert.equal((await seen(p.leader)).contact_phone, '13987654321');
  assert.equal((await seen(outsider)).contact_phone, '139****4321');
  // the plan shows its orders' contacts the same way: whole to its crew, masked to a supervisor
  const supervisor = await userWithToken(['supervisor']);
  const asCrew = await api('GET', `/plans/${plan.json.id}`, { token: p.crew.token });
  expectStatus(asCrew, 200);
  assert.equal(asCrew.json.work_orders[0].contact_phone, '13987654321');
  const asSup = await api('GET', `/plans/${plan.json.id}`, { token: supervisor.token });
  expectStatus(asSup, 200);
  assert.equal(asSup.json.work_orders[0].contact_phone, '139****4321');
  assert.equal(asSup.json.work_orders[0].contact_name, '王*英');
});

test(`${LABEL} crew check: names the other plans of the day and who is not ready, before the server refuses`, async () => {
  const p = await people();
  const other = await userWithToken(['crew']);
  await qualify(p.leader);
  const team = await createOrgUnit('team');
  const o = await api('POST', '/work-orders', { token: p.dispatcher.token, body: { kind: 'lv_meter_install' } });
  const plan = await api('POST', '/plans', { token: p.dispatcher.token, body: {
    date: today(), team_id: team.id, leader_id: p.leader.user.id, crew_ids: [p.crew.user.id], work_order_ids: [o.json.id] } });
  expectStatus(plan, 201);
  const ids = [p.leader.user.id, p.crew.user.id, other.user.id].join(',');
  const r = await api('GET', `/plans/crew-check?date=${today()}&user_ids=${ids}`, { token: p.dispatcher.token });
  expectStatus(r, 200);
  assert.equal(r.json.date, today());
  const by = Object.fromEntries(r.json.items.map((i) => [i.user_id, i]));
  assert.equal(by[p.leader.user.id].booked, true);
  assert.deepEqual(by[p.leader.user.id].plans.map((x) => [x.number, x.role]), [[plan.json.number, 'leader']]);
  assert.equal(by[p.crew.user.id].plans[0].role, 'crew');
  assert.equal(by[other.user.id].booked, false);
  assert.equal(by[p.leader.user.id].ready, true, 'qualified');
  assert.equal(by[p.crew.user.id].ready, false);
  assert.ok(by[p.crew.user.id].reasons.some((x) => x.code === 'no_valid_safety_exam'));
  // editing that plan: it is not its own double booking
  const mine = await api('GET', `/plans/crew-check?date=${today()}&user_ids=${ids}&plan_id=${plan.json.id}`, { token: p.dispatcher.token });
  assert.ok(mine.json.items.every((i) => !i.booked));
  // another day: free
  const later = await api('GET', `/plans/crew-check?date=2099-01-01&user_ids=${ids}`, { token: p.dispatcher.token });
  assert.ok(later.json.items.every((i) => !i.booked));
  // a cancelled plan books nobody
  expectStatus(await api('POST', `/plans/${plan.json.id}/actions/cancel`, { token: p.dispatcher.token, body: { reason: 'rain' } }), 200);
  const after = await api('GET', `/plans/crew-check?date=${today()}&user_ids=${ids}`, { token: p.dispatcher.token });
  assert.ok(after.json.items.every((i) => !i.booked));
});

test(`${LABEL} crew check: a bad date or no ids is refused with the parameter named; crew may not call it`, async () => {
  const d = await userWithToken(['dispatcher']);
  expectError(await api('GET', '/plans/crew-check?date=tomorrow&user_ids=x', { token: d.token }), 400, 'invalid_query', 'date');
  expectError(await api('GET', `/plans/crew-check?date=${today()}`, { token: d.token }), 400, 'invalid_query', 'user_ids');
  const crew = await userWithToken(['crew']);
  expectError(await api('GET', `/plans/crew-check?date=${today()}&user_ids=${crew.user.id}`, { token: crew.token }), 403, 'forbidden');
});

async function pdfText(token, path, lang) {
  const res = await fetch(`${BASE_URL}/api/v1${path}`, { headers: { authorization: `Bearer ${token}`, 'accept-language': lang } });
  assert.equal(res.status, 200);
  assert.equal(res.headers.get('content-type'), 'application/pdf');
  const bytes = Buffer.from(await res.arrayBuffer());
  return execFileSync('pdftotext', ['-enc', 'UTF-8', '-', '-'], { input: bytes }).toString();
}

test(`${LABEL} ticket PDF: in the language of the request, status name translated; library measures carry their English`, async () => {
  const p = await people();
  const { plan } = await publishedPlan(p);
  const tk = await newTicket(p, plan);
  const draft = JSON.parse(readFileSync(new URL('../../data/flows/ticket.json', import.meta.url), 'utf8')).states.find((x) => x.code === 'draft');
  const zh = await pdfText(p.leader.token, `/tickets/${tk.id}/pdf`, 'zh-CN');
  assert.ok(zh.includes(`状态 ${draft.name_zh}`), zh.slice(0, 200));
  assert.match(zh, /工作负责人/);
  const en = await pdfText(p.leader.token, `/tickets/${tk.id}/pdf`, 'en');
  assert.ok(en.includes(`Status: ${draft.name_en}`), en.slice(0, 200));
  assert.match(en, /Work leader/);
  assert.doesNotMatch(en, /状态|工作负责人/);
  // a measure taken from the library word for word has its English beside the Chinese record
  const got = await api('GET', `/tickets/${tk.id}`, { token: p.leader.token });
  expectStatus(got, 200);
  const fromKb = got.json.measures.filter((m) => m.risk_id);
  assert.ok(fromKb.length > 0);
  assert.ok(fromKb.every((m) => typeof m.text_en === 'string' && m.text_en.length > 0 && /[A-Za-z]/.test(m.text_en)));
  const one = fromKb[0];
  assert.ok(en.replace(/\s+/g, ' ').includes(one.text_en.slice(0, 20)), 'the English print shows the library English');
});

test(`${LABEL} survey and briefing: "none yet" is 204 with ?optional=1, still 404 without it and for a missing plan`, async () => {
  const p = await people();
  const { plan } = await publishedPlan(p, { ready: false });
  for (const part of ['survey', 'briefing']) {
    expectError(await api('GET', `/plans/${plan.id}/${part}`, { token: p.leader.token }), 404, 'not_found');
    const r = await api('GET', `/plans/${plan.id}/${part}?optional=1`, { token: p.leader.token });
    assert.equal(r.status, 204, part);
    expectError(await api('GET', `/plans/00000000-0000-7000-8000-000000000000/${part}?optional=1`, { token: p.leader.token }), 404, 'not_found');
  }
});

test(`${LABEL} pre-shift meeting: the library's English is kept beside the Chinese record`, async () => {
  const p = await people();
  const { plan } = await publishedPlan(p, { ready: false });
  await newTicket(p, plan);
  const b = await api('POST', `/plans/${plan.id}/briefing`, { token: p.leader.token });
  expectStatus(b, 200);
  const c = b.json.content;
  for (const part of ['workflow', 'safety']) {
    assert.ok(c[part].length > 0, part);
    assert.equal(c[`${part}_en`].length, c[part].length, `${part}_en goes line for line`);
    assert.ok(c[`${part}_en`].every((x) => /[A-Za-z]{3}/.test(x)), `${part}_en is English`);
  }
  assert.ok(c.risks.length > 0);
  for (const r of c.risks) {
    assert.match(r.hazard_en, /[A-Za-z]{3}/);
    assert.equal(r.measures_en.length, r.measures.length);
  }
});

// High-risk and important customers (issue 13 items 1 and 2; R2.9–R2.11, R2.13): the ledger keyed to the customer
// registry with its supply rule, emergency power and electricians judged (flagged, never refused); checks generated
// by rule on the right dates (months from the last check, working days before a temporary customer's event),
// once per customer, rule and due day even when two generators race; a check run item by item on the phone and
// finished, its findings published; overdue checks escalated; masking; every refusal with its own code.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { api, adminToken, userWithToken, createOrgUnit, expectError, expectStatus, LABEL, BASE_URL, MISSING_ID } from './lib.mjs';
import { people, qualify, runJob } from './fieldwork_lib.mjs';

const USCC_SET = '0123456789ABCDEFGHJKLMNPQRTUWXY';
const USCC_W = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];
const uscc = (s17) => {
  const c = 31 - ([...s17].reduce((a, ch, i) => a + USCC_SET.indexOf(ch) * USCC_W[i], 0) % 31);
  return s17 + USCC_SET[c === 31 ? 0 : c];
};
const ID_W = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const idCard = (s17) => s17 + '10X98765432'[[...s17].reduce((a, c, i) => a + Number(c) * ID_W[i], 0) % 11];
let serial = Math.floor(Math.random() * 9000000);
const PNG = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.from('check photo')]);

/** Days as the server counts them: YYYY-MM-DD, months added with the end of month kept. */
function addMonths(day, n) {
  const [y, m, d] = day.split('-').map(Number);
  const t = new Date(Date.UTC(y, m - 1 + n, 1));
  const last = new Date(Date.UTC(t.getUTCFullYear(), t.getUTCMonth() + 1, 0)).getUTCDate();
  t.setUTCDate(Math.min(d, last));
  return t.toISOString().slice(0, 10);
}
function addDays(day, n) {
  const t = new Date(day + 'T00:00:00Z');
  t.setUTCDate(t.getUTCDate() + n);
  return t.toISOString().slice(0, 10);
}

let staffMade;
const staff = () => (staffMade ??= (async () => {
  const admin = await adminToken();
  const hall = await createOrgUnit('team');
  const other = await createOrgUnit('team');
  const [cm, manager, crew, viewer, outsider, cs] = await Promise.all([
    userWithToken(['customer_manager'], { org_unit_id: hall.id }),
    userWithToken(['manager']),
    userWithToken(['crew'], { org_unit_id: hall.id }),
    userWithToken(['viewer'], { org_unit_id: hall.id }),
    userWithToken(['crew'], { org_unit_id: other.id }),
    userWithToken(['customer_service'], { org_unit_id: hall.id }),
  ]);
  return { admin, hall, other, cm, manager, crew, viewer, outsider, cs };
})());

/** A customer of the registry: an enterprise (or a person) served by `unit`. */
async function customer(s, { person = false, unit } = {}) {
  const n = serial++;
  const body = person
    ? { kind: 'resident', name: '张三明', id_number: idCard(`330102198${n % 10}0${1 + (n % 9)}1${n % 9}${String(n % 1000).padStart(3, '0')}`) }
    : { kind: 'enterprise', name: `临澜重点客户${n}有限公司`, id_type: 'uscc', id_number: uscc(`91330100MA${String(n).padStart(7, '0')}`) };
  const r = await api('POST', '/customers', { token: s.admin, body: {
    ...body, org_unit_id: unit ?? null, contacts: [{ name: '赵电工', phone: '13900001111', role: '电工' }] } });
  expectStatus(r, 201);
  return r.json;
}

async function enter(s, c, fields) {
  const r = await api('POST', '/safety-customers', { token: s.cm.token, body: { customer_id: c.id, voltage_level: '10kV', ...fields } });
  expectStatus(r, 201);
  return r.json;
}

const generate = (s, on) => api('POST', '/safety-checks/actions/generate', { token: s.manager.token, body: { on } });
async function checksOf(s, customerId) {
  const r = await api('GET', `/safety-checks?customer_id=${customerId}`, { token: s.manager.token });
  expectStatus(r, 200);
  return r.json.items;
}

const TWO_SUBS = [
  { name: '临澜I线', substation: '滨江变', kind: 'main' },
  { name: '临澜II线', substation: '城北变', kind: 'backup' },
];

test(`${LABEL} safety customers: the ledger keeps sources, emergency power, electricians and the plan; flags the unmet rules`, async () => {
  const s = await staff();
  const c = await customer(s);
  const up = await fetch(`${BASE_URL}/api/v1/attachments?filename=plan.png`, {
    method: 'POST', headers: { authorization: `Bearer ${s.cm.token}`, 'content-type': 'image/png' }, body: PNG });
  assert.equal(up.status, 201);
  const plan = (await up.json()).id;
  // 特级 with two sources from one substation: flagged, not refused; emergency power at 100 % of the 保安 load
  const e = await enter(s, c, {
    grade: 'special', voltage_level: '110kV', sources: [{ name: 'A线', substation: '滨江变' }, { name: 'B线', substation: '滨江变' }],
    emergency_power: [{ kind: 'diesel_generator', capacity_kw: 400, last_start_test: '2026-11-02' }], security_load_kw: 400,
    dual_power: [{ registered_on: '2025-03-01', second_source: 'B线' }],
    electricians: [{ name: '钱进', phone: '13700002222', qualification: '高压电工作业', certificate_no: 'T330102', valid_until: '2030-01-01' },
      { name: '孙立', qualification: '低压电工作业', valid_until: '2020-05-01' }],
    emergency_plan_id: plan, last_checked_on: '2026-06-01',
  });
  assert.equal(e.grade, 'special');
  assert.equal(e.grade_name_zh, '特级重要客户');
  assert.equal(e.customer_number, c.number);
  assert.equal(e.sources.length, 2);
  assert.deepEqual(e.supply, { sources: 2, substations: 1, min_sources: 3, min_substations: 2, met: false });
  assert.equal(e.emergency.share_percent, 100);
  assert.equal(e.emergency.short, true);
  const codes = e.flags.map((f) => f.code).sort();
  assert.deepEqual(codes, ['electrician_certificate_expired', 'emergency_share_low', 'supply_rule_unmet']);
  assert.equal(e.emergency_plan_id, plan);
  // a third source from a second substation and a bigger generator: the rule is met, the share is 150 %
  const fixed = await api('PATCH', `/safety-customers/${c.id}`, { token: s.cm.token, body: {
    version: e.version, sources: [...e.sources, TWO_SUBS[1]], emergency_power: [{ kind: 'diesel_generator', capacity_kw: 600 }] } });
  expectStatus(fixed, 200);
  assert.equal(fixed.json.supply.met, true);
  assert.equal(fixed.json.emergency.share_percent, 150);
  assert.deepEqual(fixed.json.flags.map((f) => f.code), ['electrician_certificate_expired']);
  assert.equal(fixed.json.voltage_level, '110kV', 'absent fields are kept');
  // list, filters, audit
  const list = await api('GET', '/safety-customers?grade=special', { token: s.viewer.token });
  expectStatus(list, 200);
  assert.ok(list.json.items.some((x) => x.customer_id === c.id));
  assert.ok(list.json.items.every((x) => x.grade === 'special'));
  const audit = await api('GET', `/audit?entity=hr_customer&entity_id=${c.id}`, { token: s.admin });
  assert.deepEqual(audit.json.items.map((a) => a.action).sort(), ['create', 'update']);
});

test(`${LABEL} safety customers: every refusal has its own code`, async () => {
  const s = await staff();
  const c = await customer(s);
  const post = (body, token = s.cm.token) => api('POST', '/safety-customers', { token, body: { customer_id: c.id, voltage_level: '10kV', ...body } });
  expectError(await post({ grade: 'first' }, s.viewer.token), 403, 'forbidden');
  expectError(await post({ grade: 'first' }, s.crew.token), 403, 'forbidden');
  expectError(await api('POST', '/safety-customers', { token: s.cm.token, body: { customer_id: MISSING_ID, grade: 'first', voltage_level: '10kV' } }), 404, 'not_found');
  expectError(await post({ grade: 'platinum' }), 400, 'invalid_field', 'grade');
  expectError(await post({ grade: 'hv35', voltage_level: '10kV' }), 400, 'invalid_field', 'voltage_level');
  expectError(await post({ grade: 'temporary' }), 400, 'hrcust_event_required', 'event_start');
  expectError(await post({ grade: 'temporary', event_start: '2026-10-09' }), 400, 'hrcust_event_required', 'event_end');
  expectError(await post({ grade: 'temporary', event_start: '2026-10-09', event_end: '2026-10-01' }), 400, 'invalid_field', 'event_end');
  expectError(await post({ grade: 'first', suspected: true }), 400, 'hrcust_suspected_reason_required', 'suspected_reason');
  expectError(await post({ grade: 'first', sources: [{ name: 'A线' }] }), 400, 'invalid_field', 'sources');
  expectError(await post({ grade: 'first', emergency_power: [{ kind: 'windmill', capacity_kw: 10 }] }), 400, 'invalid_field', 'emergency_power');
  expectError(await post({ grade: 'first', electricians: [{ name: '钱进', qualification: '高压', valid_until: '2030-13-01' }] }), 400, 'invalid_field', 'electricians');
  expectError(await post({ grade: 'first', emergency_plan_id: MISSING_ID }), 400, 'invalid_field', 'emergency_plan_id');
  expectError(await post({ grade: 'first', last_checked_on: '2999-01-01' }), 400, 'invalid_field', 'last_checked_on');
  const e = (await post({ grade: 'first' }));
  expectStatus(e, 201);
  expectError(await post({ grade: 'second' }), 409, 'hrcust_exists', 'customer_id');
  expectError(await api('PATCH', `/safety-customers/${c.id}`, { token: s.cm.token, body: { version: e.json.version + 5, grade: 'second' } }), 409, 'version_conflict');
  expectError(await api('PATCH', `/safety-customers/${MISSING_ID}`, { token: s.cm.token, body: { version: 1 } }), 404, 'not_found');
  expectError(await api('GET', '/safety-customers?grade=gold', { token: s.cm.token }), 400, 'invalid_query');
});

test(`${LABEL} safety customers: suspected unregistered power by rule from the industry, or by hand with a reason`, async () => {
  const s = await staff();
  const c = await customer(s);
  const e = await enter(s, c, { grade: 'hv10', industry: 'mobile_base_station' });
  assert.equal(e.suspected, true);
  assert.equal(e.suspected_by, 'rule');
  assert.match(e.suspected_reason, /移动通信基站/);
  // registering its generator clears the rule's flag
  const reg = await api('PATCH', `/safety-customers/${c.id}`, { token: s.cm.token, body: { version: e.version,
    emergency_power: [{ kind: 'diesel_generator', capacity_kw: 30 }] } });
  assert.equal(reg.json.suspected, false);
  // by hand, with its reason; the rule then leaves it to the person
  const hand = await api('PATCH', `/safety-customers/${c.id}`, { token: s.cm.token, body: { version: reg.json.version, suspected: true,
    suspected_reason: '夜间巡视听到发电机运行声' } });
  expectStatus(hand, 200);
  assert.equal(hand.json.suspected_by, 'hand');
  assert.equal(hand.json.suspected_reason, '夜间巡视听到发电机运行声');
  const flagged = await api('GET', '/safety-customers?suspected=true', { token: s.cm.token });
  assert.ok(flagged.json.items.some((x) => x.customer_id === c.id));
});

test(`${LABEL} safety checks: each rule generates its checks on the right dates, once`, async () => {
  const s = await staff();
  const last = '2026-01-10';
  const cases = [
    ['special', 3, { sources: [...TWO_SUBS, { name: 'C线', substation: '城北变' }] }],
    ['first', 3, { sources: TWO_SUBS }],
    ['second', 6, { sources: TWO_SUBS }],
    ['hv35', 6, { voltage_level: '35kV' }],
    ['hv10', 12, {}],
  ];
  for (const [grade, months, extra] of cases) {
    const c = await customer(s);
    await enter(s, c, { grade, last_checked_on: last, ...extra });
    // the first due day is a period after the last check
    const due = addMonths(last, months);
    // made lead_days (30) before the due day, not a day earlier
    const early = await generate(s, addDays(due, -31));
    expectStatus(early, 200);
    assert.equal((await checksOf(s, c.id)).length, 0, `${grade}: nothing 31 days before ${due}`);
    await generate(s, addDays(due, -30));
    const made = await checksOf(s, c.id);
    assert.deepEqual(made.map((k) => [k.rule, k.due_on]), [['grade', due]], `${grade}: one check due ${due}`);
    await generate(s, addDays(due, -10));
    assert.equal((await checksOf(s, c.id)).length, 1, `${grade}: generating again makes nothing`);
    // the next one counts from this one's due day
    const next = addMonths(due, months);
    await generate(s, addDays(next, -30));
    assert.deepEqual((await checksOf(s, c.id)).map((k) => k.due_on), [due, next], `${grade}: then ${next}`);
    const k = await api('GET', `/safety-checks/${made[0].id}`, { token: s.crew.token });
    const codes = k.json.items.map((i) => i.code);
    assert.ok(codes.includes('anti_backfeed') && codes.includes('self_start_test'), 'the REFERENCE §6 checklist');
    assert.equal(codes.includes('hv_secondary'), grade === 'hv35', '≥35 kV checks cover supply, receiving, secondary, metering, operation');
  }
  // yearly for dual and self-provided power, six-monthly for a suspected customer, beside the grade's own
  const c = await customer(s);
  await enter(s, c, { grade: 'hv10', last_checked_on: last, dual_power: [{ registered_on: '2024-01-01', second_source: '城北变 II线' }],
    emergency_power: [{ kind: 'ups', capacity_kw: 50 }], suspected: true, suspected_reason: '屋顶发现储能柜' });
  await generate(s, addDays(addMonths(last, 12), -30));
  const got = (await checksOf(s, c.id)).map((k) => `${k.rule}@${k.due_on}`).sort();
  assert.deepEqual(got, [`dual_power@${addMonths(last, 12)}`, `grade@${addMonths(last, 12)}`, `self_power@${addMonths(last, 12)}`,
    `suspected@${addMonths(last, 6)}`].sort(), 'six-monthly: its first due day is past (overdue), the next not yet due');
  const sus = (await checksOf(s, c.id)).find((k) => k.rule === 'suspected');
  const susItems = (await api('GET', `/safety-checks/${sus.id}`, { token: s.crew.token })).json.items.map((i) => i.code);
  assert.ok(susItems.includes('unregistered_source'));
});

test(`${LABEL} safety checks: a temporary customer is checked N working days before its event and during it`, async () => {
  const s = await staff();
  const rules = (await api('GET', '/safety-checks/rules', { token: s.cm.token })).json;
  const n = rules.temporary_before_working_days;
  // the working-day calendar, counted here from the year's exceptions (not from the server's code)
  const year = (await api('GET', '/calendar/2026', { token: s.cm.token })).json;
  const kind = Object.fromEntries(year.days.map((d) => [d.day, d.kind]));
  const working = (d) => kind[d] === 'workday' || (kind[d] !== 'holiday' && ![0, 6].includes(new Date(d + 'T00:00:00Z').getUTCDay()));
  const start = '2026-10-09'; // the Friday after the National Day week: the count runs over the holidays
  let due = start;
  for (let k = 0; k < n;) { due = addDays(due, -1); if (working(due)) k++; }
  assert.ok(n !== 3 || due === '2026-09-29', `3 working days before ${start} is 2026-09-29 (got ${due})`);
  const c = await customer(s);
  await enter(s, c, { grade: 'temporary', event_start: start, event_end: '2026-10-11', sources: [],
    emergency_power: [{ kind: 'mobile_generator', capacity_kw: 500 }] });
  const e = (await api('GET', `/safety-customers/${c.id}`, { token: s.cm.token })).json;
  assert.equal(e.supply.met, true, 'a mobile generator is a temporary customer\'s source');
  assert.equal(e.event_start, start);
  await generate(s, addDays(due, -31));
  assert.equal((await checksOf(s, c.id)).filter((k) => k.rule.startsWith('temporary')).length, 0);
  await generate(s, addDays(start, -30)); // both within the 30 lead days
  const got = (await checksOf(s, c.id)).filter((k) => k.rule.startsWith('temporary'));
  assert.deepEqual(got.map((k) => [k.rule, k.due_on]), [['temporary_before', due], ['temporary_during', start]]);
  const items = (await api('GET', `/safety-checks/${got[0].id}`, { token: s.crew.token })).json.items.map((i) => i.code);
  assert.ok(items.includes('temporary_supply'));
  // after the event nothing more is made for it
  await generate(s, '2026-10-12');
  assert.equal((await checksOf(s, c.id)).filter((k) => k.rule.startsWith('temporary')).length, 2);
});

test(`${LABEL} safety checks: two generators racing make one check per customer, rule and due day`, async () => {
  const s = await staff();
  const cs = [];
  for (let i = 0; i < 3; i++) {
    const c = await customer(s);
    await enter(s, c, { grade: 'first', sources: TWO_SUBS, last_checked_on: '2026-02-03' });
    cs.push(c);
  }
  const on = addDays(addMonths('2026-02-03', 3), -5);
  const runs = await Promise.all([generate(s, on), generate(s, on), generate(s, on)]);
  runs.forEach((r) => expectStatus(r, 200));
  for (const c of cs) {
    const ks = await checksOf(s, c.id);
    assert.equal(ks.length, 1, 'one check');
    const wo = await api('GET', `/work-orders/${ks[0].work_order_id}`, { token: s.admin });
    expectStatus(wo, 200);
    assert.equal(wo.json.kind, 'customer_safety_check');
  }
  const mine = runs.flatMap((r) => r.json.items).filter((i) => cs.some((c) => c.id === i.customer_id));
  assert.equal(mine.length, 3, 'each check reported made by exactly one run');
});

test(`${LABEL} safety checks: run on the phone item by item with photos, finished with its findings; refusals`, async () => {
  const s = await staff();
  const c = await customer(s);
  await enter(s, c, { grade: 'second', sources: TWO_SUBS, last_checked_on: '2026-05-20' });
  await generate(s, addDays(addMonths('2026-05-20', 6), -3));
  const [k] = await checksOf(s, c.id);
  assert.equal(k.status, 'open');
  const full = (await api('GET', `/safety-checks/${k.id}`, { token: s.crew.token })).json;
  const up = await fetch(`${BASE_URL}/api/v1/attachments?filename=interlock.png`, {
    method: 'POST', headers: { authorization: `Bearer ${s.crew.token}`, 'content-type': 'image/png' }, body: PNG });
  assert.equal(up.status, 201);
  const photo = (await up.json()).id;
  const rec = (code, body, token = s.crew.token) => api('PUT', `/safety-checks/${k.id}/items/${code}`, { token, body });
  expectError(await rec('anti_backfeed', { result: 'ok' }, s.viewer.token), 403, 'forbidden');
  expectError(await rec('anti_backfeed', { result: 'fine' }), 400, 'invalid_field', 'result');
  expectError(await rec('anti_backfeed', { result: 'hazard' }), 400, 'hrcheck_hazard_note_required', 'note');
  expectError(await rec('anti_backfeed', { result: 'ok', photos: [MISSING_ID] }), 400, 'invalid_field', 'photos');
  expectError(await rec('no_such_item', { result: 'ok' }), 404, 'not_found');
  expectError(await api('PUT', `/safety-checks/${MISSING_ID}/items/anti_backfeed`, { token: s.crew.token, body: { result: 'ok' } }), 404, 'not_found');
  const h = await rec('anti_backfeed', { result: 'hazard', note: '发电机与市电间无机械闭锁', photos: [photo] });
  expectStatus(h, 200);
  assert.equal(h.json.status, 'in_progress');
  const wo1 = await api('GET', `/work-orders/${k.work_order_id}`, { token: s.admin });
  assert.equal(wo1.json.status, 'in_progress', 'the work order follows the check');
  expectError(await api('POST', `/safety-checks/${k.id}/actions/finish`, { token: s.crew.token, body: {} }), 409, 'hrcheck_items_open');
  for (const it of full.items.filter((i) => i.code !== 'anti_backfeed'))
    expectStatus(await rec(it.code, { result: it.code === 'preventive_tests' ? 'na' : 'ok' }), 200);
  const fin = await api('POST', `/safety-checks/${k.id}/actions/finish`, { token: s.crew.token, body: {} });
  expectStatus(fin, 200);
  assert.equal(fin.json.status, 'done');
  assert.deepEqual(fin.json.findings, [{ customer_id: c.id, check_id: k.id, item_code: 'anti_backfeed', area: 'self_power',
    description: `${full.items.find((i) => i.code === 'anti_backfeed').text_zh}：发电机与市电间无机械闭锁`, photo_ids: [photo] }]);
  assert.equal(fin.json.counts.hazards, 1);
  // the finding is a customer-side hazard on the board, found by the checker, with the item's photo (docs/api.md
  // "Customer hazards": hazards found by a safety check)
  const hz = await api('GET', `/hazards?customer_id=${c.id}`, { token: s.admin });
  expectStatus(hz, 200);
  assert.equal(hz.json.items.length, 1, JSON.stringify(hz.json.items));
  const [hazard] = hz.json.items;
  assert.deepEqual([hazard.check_id, hazard.kind, hazard.side, hazard.severity, hazard.status, hazard.description, hazard.photos, hazard.found_by],
    [k.id, "interlock", "customer", "general", "open", fin.json.findings[0].description, [photo], s.crew.user.id]);
  const wo = await api('GET', `/work-orders/${k.work_order_id}`, { token: s.admin });
  assert.equal(wo.json.status, 'done');
  expectError(await api('POST', `/safety-checks/${k.id}/actions/finish`, { token: s.crew.token, body: {} }), 409, 'hrcheck_done');
  expectError(await rec('anti_backfeed', { result: 'ok' }), 409, 'hrcheck_done');
  const audit = await api('GET', `/audit?entity=hr_check&entity_id=${k.id}`, { token: s.admin });
  assert.deepEqual(audit.json.items.map((a) => a.action).sort(), ['finish', 'generate']);
  const entry = (await api('GET', `/safety-customers/${c.id}`, { token: s.cm.token })).json;
  assert.ok(entry.checks.some((x) => x.id === k.id && x.status === 'done'));
  assert.deepEqual([entry.open_hazards, entry.overdue_hazards], [1, 0], 'the ledger counts the hazard the check found');
  // done after its due day: the next one counts six months from the day it was done (Asia/Shanghai)
  const today = new Date(Date.now() + 8 * 3600e3).toISOString().slice(0, 10);
  assert.equal(entry.last_checked_on, today);
  assert.deepEqual([entry.next_check.rule, entry.next_check.due_on, entry.next_check.planned], ['grade', addMonths(today, 6), true]);
  assert.equal(entry.overdue, false);
});

test(`${LABEL} safety checks: overdue checks show on the ledger and escalate to the managers once`, async () => {
  const s = await staff();
  const c = await customer(s);
  await enter(s, c, { grade: 'first', sources: TWO_SUBS, last_checked_on: '2026-06-15' });
  await generate(s, '2026-09-01'); // due 2026-09-15: past, not done
  const [k] = await checksOf(s, c.id);
  assert.equal(k.due_on, '2026-09-15');
  assert.equal(k.overdue, true);
  const e = (await api('GET', `/safety-customers/${c.id}`, { token: s.cm.token })).json;
  assert.equal(e.next_check.due_on, '2026-09-15');
  assert.equal(e.overdue, true);
  const od = await api('GET', '/safety-customers?overdue=true', { token: s.cm.token });
  assert.ok(od.json.items.some((x) => x.customer_id === c.id));
  assert.ok(od.json.items.every((x) => x.overdue));
  const odk = await api('GET', '/safety-checks?overdue=true', { token: s.cm.token });
  assert.ok(odk.json.items.some((x) => x.id === k.id));
  expectError(await api('POST', '/safety-checks/actions/escalate', { token: s.cm.token }), 403, 'forbidden');
  expectStatus(await api('POST', '/safety-checks/actions/escalate', { token: s.manager.token }), 200);
  const notes = await api('GET', '/notifications', { token: s.manager.token });
  const mine = notes.json.items.filter((x) => x.entity_id === k.id);
  assert.equal(mine.length, 1);
  assert.match(mine[0].title, new RegExp(k.number));
  expectStatus(await api('POST', '/safety-checks/actions/escalate', { token: s.manager.token }), 200);
  const again = await api('GET', '/notifications', { token: s.manager.token });
  assert.equal(again.json.items.filter((x) => x.entity_id === k.id).length, 1, 'once per check');
  assert.ok((await api('GET', `/safety-checks/${k.id}`, { token: s.cm.token })).json.escalated_at > 0);
});

test(`${LABEL} safety customers: masked for roles that do not call the customer; scoped by the serving unit`, async () => {
  const s = await staff();
  const person = await customer(s, { person: true, unit: s.hall.id });
  const e = await enter(s, person, { grade: 'hv10', electricians: [{ name: '钱进明', phone: '13700002222', qualification: '低压电工', valid_until: '2030-01-01' }] });
  assert.equal(e.customer_name, '张三明', 'the customer manager calls the customer');
  const v = (await api('GET', `/safety-customers/${person.id}`, { token: s.viewer.token })).json;
  assert.equal(v.customer_name, '张*明');
  assert.equal(v.electricians[0].name, '钱*明');
  assert.equal(v.electricians[0].phone, '137****2222');
  const crew = (await api('GET', `/safety-customers/${person.id}`, { token: s.crew.token })).json;
  assert.equal(crew.electricians[0].phone, '13700002222', 'the checker on site calls the electrician');
  const vl = (await api('GET', '/safety-customers?grade=hv10', { token: s.viewer.token })).json.items.find((x) => x.customer_id === person.id);
  assert.equal(vl.customer_name, '张*明');
  // a crew of another unit does not see the hall's customer
  expectError(await api('GET', `/safety-customers/${person.id}`, { token: s.outsider.token }), 404, 'not_found');
  assert.ok(!(await api('GET', '/safety-customers?grade=hv10', { token: s.outsider.token })).json.items.some((x) => x.customer_id === person.id));
  await generate(s, addDays(addMonths(e.last_checked_on, 12), -1));
  const [k] = await checksOf(s, person.id);
  expectError(await api('GET', `/safety-checks/${k.id}`, { token: s.outsider.token }), 404, 'not_found');
  assert.equal((await api('GET', `/safety-checks/${k.id}`, { token: s.viewer.token })).json.customer_name, '张*明');
});

test(`${LABEL} safety checks: the rules are data, editable by managers with their version`, async () => {
  const s = await staff();
  const r = (await api('GET', '/safety-checks/rules', { token: s.crew.token })).json;
  assert.equal(r.grades.special.months, 3);
  assert.equal(r.grades.first.months, 3);
  assert.equal(r.grades.second.months, 6);
  assert.equal(r.grades.hv35.months, 6);
  assert.equal(r.grades.hv10.months, 12);
  assert.equal(r.dual_power_months, 12);
  assert.equal(r.self_power_months, 12);
  assert.equal(r.suspected_months, 6);
  assert.equal(r.emergency_share_min_percent, 120);
  assert.match(r.source, /REFERENCE\.md §6/);
  expectError(await api('PUT', '/safety-checks/rules', { token: s.cm.token, body: r }), 403, 'forbidden');
  expectError(await api('PUT', '/safety-checks/rules', { token: s.manager.token, body: { ...r, version: r.version + 9 } }), 409, 'version_conflict');
  expectError(await api('PUT', '/safety-checks/rules', { token: s.manager.token,
    body: { ...r, grades: { ...r.grades, second: { ...r.grades.second, months: 99 } } } }), 400, 'invalid_field', 'grades.second');
  expectError(await api('PUT', '/safety-checks/rules', { token: s.manager.token,
    body: { ...r, checklists: { ...r.checklists, base: [] } } }), 400, 'invalid_field', 'checklists.base');
  // a new checklist item reaches the checks made after the edit
  const edited = { ...r, checklists: { ...r.checklists, base: [...r.checklists.base, { code: 'fire_exits', area: 'operation', text_zh: '配电室消防通道畅通', text_en: 'Switch-room fire exits clear' }] } };
  const put = await api('PUT', '/safety-checks/rules', { token: s.manager.token, body: edited });
  expectStatus(put, 200);
  assert.equal(put.json.version, r.version + 1);
  assert.equal(put.json.edited, true);
  try {
    const c = await customer(s);
    await enter(s, c, { grade: 'hv10', last_checked_on: '2026-03-01' });
    await generate(s, '2027-02-20');
    const [k] = await checksOf(s, c.id);
    const items = (await api('GET', `/safety-checks/${k.id}`, { token: s.crew.token })).json.items;
    assert.ok(items.some((i) => i.code === 'fire_exits'));
  } finally {
    const cur = (await api('GET', '/safety-checks/rules', { token: s.manager.token })).json;
    expectStatus(await api('PUT', '/safety-checks/rules', { token: s.manager.token, body: { ...r, version: cur.version } }), 200);
  }
});

test(`${LABEL} safety checks: a check's work order worked through a plan to its end leaves the check to its checker`, async () => {
  const s = await staff();
  const p = await people();
  await qualify(p.leader, p.crew);
  const c = await customer(s);
  await enter(s, c, { grade: 'hv10', last_checked_on: '2026-02-10' });
  await generate(s, '2027-02-01');
  const [k] = await checksOf(s, c.id);
  // the crew takes the order on a plan: ticket, meeting, start, finish — with no checklist item recorded
  await runJob(p, k.work_order_id, null);
  const wo = await api('GET', `/work-orders/${k.work_order_id}`, { token: s.admin });
  assert.equal(wo.json.status, 'done');
  const open = (await api('GET', `/safety-checks/${k.id}`, { token: s.crew.token })).json;
  assert.equal(open.status, 'open', 'an order done does not finish a check whose items are not recorded');
  // the checker records the items and finishes; the order, done already, stays so
  for (const it of open.items) expectStatus(await api('PUT', `/safety-checks/${k.id}/items/${it.code}`, { token: s.crew.token, body: { result: 'ok' } }), 200);
  const fin = await api('POST', `/safety-checks/${k.id}/actions/finish`, { token: s.crew.token, body: {} });
  expectStatus(fin, 200);
  assert.deepEqual(fin.json.findings, []);
  assert.equal(fin.json.work_order_status, 'done');
});

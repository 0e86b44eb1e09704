// Customers (issue 11 item 1, R0.1, R2.16): customers of three kinds with a checked ID card number (GB 11643) or
// unified social credit code (GB 32100), contacts, accounts (户号), premises and metering points; names, ID
// numbers and phones masked for roles that do not need them; every read of a whole ID number audited; every write
// audited; the serving unit's scope (docs/api.md "Customers").
import test from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import {
  api, adminToken, userWithToken, createOrgUnit, expectStatus, expectError, expectList, collectAll, LABEL, MISSING_ID,
} from './lib.mjs';

// The check characters, written here from the standards (not from the server's code) so the two can disagree.
const ID_W = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const idCard = (s17) => s17 + '10X98765432'[[...s17].reduce((a, c, i) => a + Number(c) * ID_W[i], 0) % 11];
const USCC_SET = '0123456789ABCDEFGHJKLMNPQRTUWXY';
const USCC_W = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];
const uscc = (s17) => {
  const c = 31 - ([...s17].reduce((a, ch, i) => a + USCC_SET.indexOf(ch) * USCC_W[i], 0) % 31);
  return s17 + USCC_SET[c === 31 ? 0 : c];
};
let serial = Math.floor(Math.random() * 400000);
/** A fresh valid ID card number: area 330102, a birth date in 1960–1999, a sequence number. */
function newIdCard() {
  const n = serial++;
  const y = 1960 + (n % 40), m = 1 + (Math.floor(n / 40) % 12), d = 1 + (Math.floor(n / 480) % 28);
  return idCard(`330102${y}${String(m).padStart(2, '0')}${String(d).padStart(2, '0')}${String(n % 1000).padStart(3, '0')}`);
}
const newUscc = () => uscc(`91330100MA${String(serial++).padStart(7, '0')}`);
const newAccountNo = () => `39${String(Date.now() % 1e6).padStart(6, '0')}${String(serial++ % 100).padStart(2, '0')}`;
/** A wrong check character for a number whose first 17 characters are kept. */
const wrongCheck = (n, set) => n.slice(0, 17) + [...set].find((c) => c !== n[17]);

const MASKED_ID = /^[0-9A-Z]{3}\*{11}[0-9A-Z]{4}$/;

/** The people of these tests, made once for the file (argon2 makes each account cost a second or two). */
let staffMade;
const staff = () => (staffMade ??= makeStaff());
async function makeStaff() {
  const admin = await adminToken();
  const hall = await createOrgUnit('team');
  const other = await createOrgUnit('team');
  const [cs, cs2, viewer, manager, crew, cm] = await Promise.all([
    userWithToken(['customer_service'], { org_unit_id: hall.id }),
    userWithToken(['customer_service'], { org_unit_id: other.id }),
    userWithToken(['viewer'], { org_unit_id: hall.id }),
    userWithToken(['manager']),
    userWithToken(['crew'], { org_unit_id: hall.id }),
    userWithToken(['customer_manager'], { org_unit_id: hall.id }),
  ]);
  return { admin, hall, other, cs, cs2, viewer, manager, crew, cm };
}

function resident(hall, extra = {}) {
  return {
    kind: 'resident', name: '张三明', id_number: newIdCard(), org_unit_id: hall?.id ?? null,
    contacts: [{ name: '张三明', phone: '13812345678', role: '本人' }, { name: '李四', phone: '0571-88886666' }], ...extra,
  };
}

async function auditOf(entity, id) {
  const res = await api('GET', `/audit?entity=${entity}&entity_id=${id}&limit=200`, { token: await adminToken() });
  expectStatus(res, 200);
  return res.json.items;
}

test(`${LABEL} customers: each kind is created with its identity checked and normalised`, async () => {
  const s = await staff();
  const id = newIdCard().replace(/X$/, 'x');
  const r = await api('POST', '/customers', { token: s.cs.token, body: resident(s.hall, { id_number: id }) });
  expectStatus(r, 201);
  assert.match(r.json.number, /^KH\d{8}-\d{4}$/);
  assert.equal(r.json.id_type, 'id_card', 'a resident is identified by an ID card');
  assert.equal(r.json.id_number, `${id.slice(0, 3)}${'*'.repeat(11)}${id.slice(14).toUpperCase()}`, 'masked even for the writer');
  assert.equal(r.json.name, '张三明', 'customer service sees the name');
  assert.deepEqual(r.json.contacts.map((c) => c.phone), ['13812345678', '0571-88886666']);
  assert.deepEqual(r.json.accounts, []);

  const ent = await api('POST', '/customers', { token: s.cs.token, body: {
    kind: 'enterprise', name: '临澜测试机械有限公司', id_number: newUscc().toLowerCase(), org_unit_id: s.hall.id,
    contacts: [{ name: '周志强', phone: '13867101234', role: '电气负责人' }] } });
  expectStatus(ent, 201);
  assert.equal(ent.json.id_type, 'uscc');
  const shop = await api('POST', '/customers', { token: s.cs.token, body: {
    kind: 'non_resident', id_type: 'id_card', name: '赵德明', id_number: newIdCard(), contacts: [{ name: '赵德明', phone: '13757101234' }] } });
  expectStatus(shop, 201);
  assert.equal(shop.json.org_unit_id, null);
  // a non-resident customer is a person or an organisation: it must say which
  const untyped = await api('POST', '/customers', { token: s.cs.token, body: {
    kind: 'non_resident', name: '某商铺', id_number: newIdCard(), contacts: [{ name: '赵', phone: '13757101234' }] } });
  expectError(untyped, 400, 'missing_field', 'id_type');
  // the whole number is stored upper case: the audited read returns it
  const full = await api('GET', `/customers/${r.json.id}/identity`, { token: s.cs.token });
  expectStatus(full, 200);
  assert.equal(full.json.id_number, id.toUpperCase());
});

test(`${LABEL} customers: wrong ID numbers and credit codes are refused with a stable code and the field named`, async () => {
  const s = await staff();
  const post = (body) => api('POST', '/customers', { token: s.cs.token, body });
  const good = newIdCard();
  const cases = [
    [resident(s.hall, { id_number: wrongCheck(good, '0123456789X') }), 'id_card_invalid', 'check_digit'],
    [resident(s.hall, { id_number: good.slice(0, 17) }), 'id_card_invalid', 'length'],
    [resident(s.hall, { id_number: `${good.slice(0, 16)}A${good[17]}` }), 'id_card_invalid', 'characters'],
    [resident(s.hall, { id_number: idCard('33010219900230123') }), 'id_card_invalid', 'birth_date'],
    [{ ...resident(s.hall), kind: 'enterprise', id_number: wrongCheck(newUscc(), USCC_SET) }, 'credit_code_invalid', 'check_digit'],
    [{ ...resident(s.hall), kind: 'enterprise', id_number: `91330100MA27XK3HIA` }, 'credit_code_invalid', 'characters'],
  ];
  for (const [body, code, reason] of cases) {
    const res = await post(body);
    const err = expectError(res, 400, code, 'id_number');
    assert.equal(err.details.reason, reason, `${body.id_number}: ${JSON.stringify(err)}`);
    assert.ok(res.json.error.message.length > 0);
  }
  // English message too
  const en = await api('POST', '/customers', { token: s.cs.token, body: cases[0][0], headers: { 'accept-language': 'en' } });
  assert.match(expectError(en, 400, 'id_card_invalid', 'id_number') && en.json.error.message, /check digit/);
  expectError(await post(resident(s.hall, { id_type: 'uscc' })), 400, 'invalid_field', 'id_type');
  expectError(await post({ ...resident(s.hall), kind: 'enterprise', id_type: 'id_card' }), 400, 'invalid_field', 'id_type');
  expectError(await post(resident(s.hall, { kind: 'farmer' })), 400, 'invalid_field', 'kind');
  expectError(await post(resident(s.hall, { contacts: [] })), 400, 'invalid_field', 'contacts');
  expectError(await post(resident(s.hall, { contacts: [{ name: '王', phone: '12ab' }] })), 400, 'invalid_field', 'contacts[0].phone');
  expectError(await post(resident(s.hall, { contacts: [{ name: '王' }] })), 400, 'missing_field', 'contacts[0].phone');
  expectError(await post(resident(s.hall, { contacts: [{ name: '王', phone: '13812345678', email: 'x' }] })), 400, 'unknown_field', 'contacts[0].email');
  // one identity, one customer; the writer who may see the other customer is told which one
  const first = await post(resident(s.hall, { id_number: good }));
  expectStatus(first, 201);
  const dup = expectError(await post(resident(s.hall, { id_number: good })), 409, 'customer_id_number_taken', 'id_number');
  assert.equal(dup.details.customer_id, first.json.id);
  const hidden = await api('POST', '/customers', { token: s.cs2.token, body: resident(s.other, { id_number: good }) });
  assert.equal(expectError(hidden, 409, 'customer_id_number_taken', 'id_number').details.customer_id, undefined,
    'another unit\'s customer is not named');
});

test(`${LABEL} customers: accounts (户号, unique), premises and metering points, each write audited`, async () => {
  const s = await staff();
  const c = (await api('POST', '/customers', { token: s.cs.token, body: resident(s.hall) })).json;
  const number = newAccountNo();
  const acct = await api('POST', `/customers/${c.id}/accounts`, { token: s.cs.token, body: { number } });
  expectStatus(acct, 201);
  assert.equal(acct.json.status, 'active');
  expectError(await api('POST', `/customers/${c.id}/accounts`, { token: s.cs.token, body: { number } }), 409, 'account_number_taken', 'number');
  expectError(await api('POST', `/customers/${c.id}/accounts`, { token: s.cs.token, body: { number: '12ab5678' } }), 400, 'invalid_field', 'number');
  expectError(await api('POST', `/customers/${MISSING_ID}/accounts`, { token: s.cs.token, body: { number: newAccountNo() } }), 404, 'not_found');
  const other = (await api('POST', `/customers/${c.id}/accounts`, { token: s.cs.token, body: { number: newAccountNo() } })).json;
  expectError(await api('PATCH', `/customer-accounts/${other.id}`, { token: s.cs.token, body: { version: 1, number } }), 409, 'account_number_taken', 'number');

  const prem = await api('POST', `/customer-accounts/${acct.json.id}/premises`, { token: s.cs.token, body: {
    supply_address: '临澜市和平街 9 号', voltage_level: '220V', transformer_area: '和平街 1# 台区', capacity_kva: 8 } });
  expectStatus(prem, 201);
  expectError(await api('POST', `/customer-accounts/${acct.json.id}/premises`, { token: s.cs.token, body: {
    supply_address: 'x', voltage_level: '230V', capacity_kva: 8 } }), 400, 'invalid_field', 'voltage_level');
  expectError(await api('POST', `/customer-accounts/${acct.json.id}/premises`, { token: s.cs.token, body: {
    supply_address: 'x', voltage_level: '380V', capacity_kva: 0 } }), 400, 'invalid_field', 'capacity_kva');
  const up = await api('PATCH', `/premises/${prem.json.id}`, { token: s.cs.token, body: { version: 1, capacity_kva: 12 } });
  expectStatus(up, 200);
  assert.equal(up.json.capacity_kva, 12);
  expectError(await api('PATCH', `/premises/${prem.json.id}`, { token: s.cs.token, body: { version: 1, capacity_kva: 16 } }), 409, 'version_conflict');

  // a point is planned until a meter is recorded on it (the installation job of issue 11 item 4)
  const pt = await api('POST', `/premises/${prem.json.id}/metering-points`, { token: s.cs.token, body: {} });
  expectStatus(pt, 201);
  assert.equal(pt.json.status, 'planned');
  assert.equal(pt.json.meter_asset_no, null);
  assert.match(pt.json.number, /^JL\d{8}-\d{4}$/);
  expectError(await api('PATCH', `/metering-points/${pt.json.id}`, { token: s.cs.token, body: { version: 1, status: 'installed' } }), 400, 'invalid_field', 'meter_asset_no');
  const at = Date.now();
  const inst = await api('PATCH', `/metering-points/${pt.json.id}`, { token: s.cs.token, body: {
    version: 1, meter_asset_no: '3330001000100099990000', meter_model: 'DDZY285-Z', installed_at: at, install_reading: '0.00' } });
  expectStatus(inst, 200);
  assert.equal(inst.json.status, 'installed');
  assert.equal(inst.json.installed_at, at);
  expectError(await api('POST', `/premises/${prem.json.id}/metering-points`, { token: s.cs.token, body: { number: pt.json.number } }), 409, 'metering_point_number_taken', 'number');
  expectError(await api('PATCH', `/metering-points/${pt.json.id}`, { token: s.cs.token, body: { version: 2, install_reading: '1.2.3' } }), 400, 'invalid_field', 'install_reading');

  // the customer shows the whole tree
  const got = await api('GET', `/customers/${c.id}`, { token: s.cs.token });
  expectStatus(got, 200);
  const a = got.json.accounts.find((x) => x.id === acct.json.id);
  assert.equal(a.premises[0].metering_points[0].meter_asset_no, '3330001000100099990000');
  assert.equal(got.json.accounts.length, 2);

  // every write left its record, by its writer, in the same shape as the answer
  for (const [entity, id, actions] of [['customer', c.id, ['create']], ['customer_account', acct.json.id, ['create']],
    ['premises', prem.json.id, ['update', 'create']], ['metering_point', pt.json.id, ['update', 'create']]]) {
    const recs = await auditOf(entity, id);
    assert.deepEqual(recs.map((r) => r.action), actions, `${entity} audit`);
    assert.ok(recs.every((r) => r.actor_id === s.cs.user.id), `${entity}: by the writer`);
  }
  const [pu] = await auditOf('metering_point', pt.json.id);
  assert.equal(pu.before.status, 'planned');
  assert.equal(pu.after.status, 'installed');
});

test(`${LABEL} customers: PATCH checks the version, replaces contacts, re-checks a changed identity, and is audited without the whole ID number`, async () => {
  const s = await staff();
  const body = resident(s.hall);
  const c = (await api('POST', '/customers', { token: s.cs.token, body })).json;
  // an ID card number is 18 digits, so one in 31 also carries a valid credit code check character: not this one
  let newId = newIdCard();
  while (uscc(newId.slice(0, 17)) === newId) newId = newIdCard();
  const p = await api('PATCH', `/customers/${c.id}`, { token: s.cs.token, body: {
    version: c.version, id_number: newId, contacts: [{ name: '张三明', phone: '13900001111' }] } });
  expectStatus(p, 200);
  assert.equal(p.json.version, c.version + 1);
  assert.deepEqual(p.json.contacts, [{ name: '张三明', phone: '13900001111', role: null }]);
  expectError(await api('PATCH', `/customers/${c.id}`, { token: s.cs.token, body: { version: c.version, name: '张三' } }), 409, 'version_conflict');
  expectError(await api('PATCH', `/customers/${c.id}`, { token: s.cs.token, body: { version: p.json.version, id_number: wrongCheck(newId, '0123456789X') } }), 400, 'id_card_invalid', 'id_number');
  // turning a resident into an enterprise needs a credit code: the stored ID card number no longer fits
  expectError(await api('PATCH', `/customers/${c.id}`, { token: s.cs.token, body: { version: p.json.version, kind: 'enterprise', id_type: 'uscc' } }), 400, 'credit_code_invalid', 'id_number');
  const recs = await auditOf('customer', c.id);
  assert.deepEqual(recs.map((r) => r.action), ['update', 'create']);
  const text = JSON.stringify(recs);
  assert.ok(!text.includes(body.id_number) && !text.includes(newId), 'no whole ID number in the audit chain');
  assert.equal(recs[0].before.id_number, `${body.id_number.slice(0, 3)}${'*'.repeat(11)}${body.id_number.slice(14)}`);
  assert.equal(recs[0].after.id_number, `${newId.slice(0, 3)}${'*'.repeat(11)}${newId.slice(14)}`);
  assert.equal(recs[0].after.contacts[0].phone, '13900001111');
});

test(`${LABEL} customers: a role without customers.contact sees names and phones masked; nobody sees a whole ID number outside the audited read`, async () => {
  const s = await staff();
  const c = (await api('POST', '/customers', { token: s.cs.token, body: resident(s.hall) })).json;
  const ent = (await api('POST', '/customers', { token: s.cs.token, body: {
    kind: 'enterprise', name: '临澜宏远电子有限公司', id_number: newUscc(), org_unit_id: s.hall.id,
    contacts: [{ name: '欧阳娜娜', phone: '13867109876' }] } })).json;
  for (const who of ['viewer', 'manager']) {
    const got = await api('GET', `/customers/${c.id}`, { token: s[who].token });
    expectStatus(got, 200);
    assert.equal(got.json.name, '张*明', `${who}: a person's name`);
    assert.match(got.json.id_number, MASKED_ID);
    assert.deepEqual(got.json.contacts.map((x) => [x.name, x.phone]), [['张*明', '138****5678'], ['李*', '057******6666']]);
    const e = await api('GET', `/customers/${ent.id}`, { token: s[who].token });
    assert.equal(e.json.name, '临澜宏远电子有限公司', `${who}: an organisation's name is on its licence`);
    assert.deepEqual(e.json.contacts.map((x) => [x.name, x.phone]), [['欧**娜', '138****9876']]);
    // the list masks the same way
    const list = await collectAll(`/customers?org_unit_id=${s.hall.id}`, s[who].token);
    const item = list.find((x) => x.id === c.id);
    assert.equal(item.name, '张*明');
    assert.equal(item.contacts[0].phone, '138****5678');
    assert.match(item.id_number, MASKED_ID);
    expectError(await api('GET', `/customers/${c.id}/identity`, { token: s[who].token }), 403, 'forbidden');
  }
  for (const who of ['cs', 'cm']) {
    const got = await api('GET', `/customers/${c.id}`, { token: s[who].token });
    assert.equal(got.json.name, '张三明');
    assert.equal(got.json.contacts[0].phone, '13812345678');
    assert.match(got.json.id_number, MASKED_ID, `${who}: masked outside the identity read`);
  }
  expectError(await api('GET', `/customers/${c.id}`, { token: s.crew.token }), 403, 'forbidden');
  expectError(await api('POST', '/customers', { token: s.viewer.token, body: resident(s.hall) }), 403, 'forbidden');
});

test(`${LABEL} customers: every read of a whole ID number leaves an audit record naming the reader`, async () => {
  const s = await staff();
  const body = resident(s.hall);
  const c = (await api('POST', '/customers', { token: s.cs.token, body })).json;
  const before = (await auditOf('customer', c.id)).length;
  const a = await api('GET', `/customers/${c.id}/identity`, { token: s.cs.token });
  expectStatus(a, 200);
  assert.deepEqual(a.json, { customer_id: c.id, name: '张三明', id_type: 'id_card', id_number: body.id_number });
  expectStatus(await api('GET', `/customers/${c.id}/identity`, { token: s.cm.token }), 200);
  const recs = await auditOf('customer', c.id);
  assert.equal(recs.length, before + 2, 'one record per read');
  const reads = recs.filter((r) => r.action === 'reveal_id_number');
  assert.deepEqual(reads.map((r) => r.actor_id), [s.cm.user.id, s.cs.user.id]);
  assert.ok(!JSON.stringify(reads).includes(body.id_number), 'the record says what was read, not the number');
  assert.equal(reads[0].after.field, 'id_number');
  // a customer out of scope, or none: nothing read, nothing recorded
  expectError(await api('GET', `/customers/${c.id}/identity`, { token: s.cs2.token }), 404, 'not_found');
  expectError(await api('GET', `/customers/${MISSING_ID}/identity`, { token: s.cs.token }), 404, 'not_found');
  assert.equal((await auditOf('customer', c.id)).length, before + 2);
});

test(`${LABEL} customers: unit scope — another unit's customer service neither lists nor reads nor writes them`, async () => {
  const s = await staff();
  const mine = (await api('POST', '/customers', { token: s.cs.token, body: resident(s.hall) })).json;
  const shared = (await api('POST', '/customers', { token: s.cs.token, body: resident(null) })).json;
  const acct = (await api('POST', `/customers/${mine.id}/accounts`, { token: s.cs.token, body: { number: newAccountNo() } })).json;
  for (const [path, method, body] of [[`/customers/${mine.id}`, 'GET'], [`/customers/${mine.id}`, 'PATCH', { version: 1, note: 'x' }],
    [`/customers/${mine.id}/accounts`, 'POST', { number: newAccountNo() }],
    [`/customer-accounts/${acct.id}`, 'PATCH', { version: 1, status: 'closed' }],
    [`/customer-accounts/${acct.id}/premises`, 'POST', { supply_address: 'x', voltage_level: '220V', capacity_kva: 4 }]]) {
    expectError(await api(method, path, { token: s.cs2.token, body }), 404, 'not_found');
  }
  const theirs = await collectAll('/customers', s.cs2.token);
  assert.ok(!theirs.some((x) => x.id === mine.id), 'not listed');
  assert.ok(theirs.some((x) => x.id === shared.id), 'a customer no unit serves is everyone\'s');
  assert.ok((await collectAll('/customers', s.cs.token)).some((x) => x.id === mine.id));
  assert.ok((await collectAll('/customers', s.manager.token)).some((x) => x.id === mine.id), 'company-wide role');
  // a unit-bound writer cannot place a customer outside their unit
  expectError(await api('POST', '/customers', { token: s.cs2.token, body: resident(s.hall) }), 400, 'invalid_field', 'org_unit_id');
});

test(`${LABEL} customers: the list pages, filters by kind, and searches names and phones only for who may see them`, async () => {
  const s = await staff();
  const made = [];
  for (let i = 0; i < 3; i++) {
    made.push((await api('POST', '/customers', { token: s.cs.token, body: resident(s.hall, { name: `搜索测试${i}号` }) })).json);
  }
  const acct = (await api('POST', `/customers/${made[1].id}/accounts`, { token: s.cs.token, body: { number: newAccountNo() } })).json;
  const p1 = expectList(await api('GET', `/customers?org_unit_id=${s.hall.id}&limit=2`, { token: s.cs.token }));
  assert.equal(p1.items.length, 2);
  assert.ok(p1.total >= 3);
  const p2 = expectList(await api('GET', `/customers?org_unit_id=${s.hall.id}&limit=2&cursor=${encodeURIComponent(p1.next_cursor)}`, { token: s.cs.token }));
  assert.ok(!p2.items.some((x) => p1.items.some((y) => y.id === x.id)), 'pages do not overlap');
  expectError(await api('GET', '/customers?kind=farmer', { token: s.cs.token }), 400, 'invalid_query');
  const ents = expectList(await api('GET', '/customers?kind=enterprise&limit=200', { token: s.cs.token }));
  assert.ok(ents.items.every((x) => x.kind === 'enterprise'));
  // by account number: anyone who reads customers
  for (const who of ['cs', 'viewer']) {
    const r = expectList(await api('GET', `/customers?q=${acct.number}`, { token: s[who].token }));
    assert.deepEqual(r.items.map((x) => x.id), [made[1].id], who);
    assert.deepEqual(r.items[0].account_numbers, [acct.number]);
  }
  // by number, whoever
  assert.deepEqual(expectList(await api('GET', `/customers?q=${made[2].number.toLowerCase()}`, { token: s.viewer.token })).items.map((x) => x.id), [made[2].id]);
  // by name or phone: only with customers.contact, so a masked search cannot confirm a guess
  const q = encodeURIComponent('搜索测试2号');
  assert.deepEqual(expectList(await api('GET', `/customers?q=${q}`, { token: s.cs.token })).items.map((x) => x.id), [made[2].id]);
  assert.equal(expectList(await api('GET', `/customers?q=${q}`, { token: s.viewer.token })).items.length, 0);
  assert.ok(expectList(await api('GET', '/customers?q=13812345678', { token: s.cs.token })).items.length >= 3);
  assert.equal(expectList(await api('GET', '/customers?q=13812345678', { token: s.viewer.token })).items.length, 0);
});

test(`${LABEL} customers: the demo company has customers of each kind with accounts, premises and metering points`, async () => {
  const token = await adminToken();
  const all = await collectAll('/customers', token);
  const demo = all.filter((c) => c.account_numbers.some((n) => /^3301[0-2]\d{5}$/.test(n)));
  for (const kind of ['resident', 'non_resident', 'enterprise']) {
    assert.ok(demo.filter((c) => c.kind === kind).length >= 2, kind);
  }
  const hd = demo.find((c) => c.name === '临澜宏达机械制造有限公司');
  const got = (await api('GET', `/customers/${hd.id}`, { token })).json;
  assert.equal(got.accounts.length, 2);
  assert.equal(got.accounts[0].premises[0].voltage_level, '10kV');
  assert.equal(got.accounts[0].premises[0].metering_points[0].status, 'installed');
  assert.equal(got.accounts[1].premises[0].metering_points[0].status, 'planned');
});

test(`${LABEL} customers: every error code of the module is documented in docs/api.md`, () => {
  const src = readFileSync(new URL('../../src/customer/customers/customers_module.c', import.meta.url), 'utf8');
  const codes = [...src.matchAll(/\{"([a-z0-9_]+)", (\d{3}),/g)].map((m) => [m[1], m[2]]);
  assert.ok(codes.length >= 5);
  const doc = readFileSync(new URL('../../docs/api.md', import.meta.url), 'utf8');
  for (const [code, status] of codes) assert.match(doc, new RegExp(`${status}[^\\n]*\`${code}\``), `${code} (${status}) in docs/api.md`);
});

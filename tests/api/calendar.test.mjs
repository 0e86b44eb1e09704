// The working-day calendar (issue 10 item 5): the State Council's holidays and make-up working days per year, read
// by anyone signed in, edited by admins with audit; deadlines in working days end at 23:59:59.999 Shanghai time of
// the N-th working day after the start day, and a year without a notice is refused rather than guessed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { api, adminToken, userWithToken, expectError, expectStatus, LABEL } from './lib.mjs';

const at = (day, time = '10:00:00') => Date.parse(`${day}T${time}+08:00`);
const endOf = (day) => Date.parse(`${day}T23:59:59.999+08:00`);
const deadline = (token, start, n) => api('GET', `/calendar/deadline?start=${start}&working_days=${n}`, { token });
// a year no shipped notice will reach, so the edits below touch nothing else the suite counts on
const testYear = () => 2100 + Math.floor(Math.random() * 800);
// "YYYY-MM-DD" of a UTC date (weekday arithmetic on plain dates)
const ymd = (d) => d.toISOString().slice(0, 10);

test(`${LABEL} calendar: the shipped 2026 notice reads back, and deadlines count its make-up days`, async () => {
  const crew = await userWithToken(['crew']);
  const years = await api('GET', '/calendar', { token: crew.token });
  expectStatus(years, 200);
  const y2026 = years.json.items.find((y) => y.year === 2026);
  assert.ok(y2026, `2026 is known: ${JSON.stringify(years.json.items.map((y) => y.year))}`);
  assert.equal(y2026.holidays, 33);
  assert.equal(y2026.workdays, 6);
  const got = await api('GET', '/calendar/2026', { token: crew.token });
  expectStatus(got, 200);
  assert.match(got.json.source, /2026年部分节假日安排/);
  const day = (d) => got.json.days.find((x) => x.day === d);
  assert.deepEqual(day('2026-02-14'), { day: '2026-02-14', kind: 'workday', name: '春节' });
  assert.equal(day('2026-02-15').kind, 'holiday'); // a Sunday inside the break
  assert.equal(day('2026-10-07').kind, 'holiday');
  assert.equal(day('2026-10-10').kind, 'workday');
  assert.equal(day('2026-03-02'), undefined); // ordinary days are not listed
  // accepted Wed 09-30 18:00: 10-01…10-07 off, 10-08, 10-09, Sat 10-10 (make-up), 10-12, 10-13
  const d = await deadline(crew.token, at('2026-09-30', '18:00:00'), 5);
  expectStatus(d, 200);
  assert.deepEqual(d.json, { start: at('2026-09-30', '18:00:00'), start_day: '2026-09-30', working_days: 5, deadline: endOf('2026-10-13'), deadline_day: '2026-10-13' });
  // accepted Fri 02-13: 1 = the make-up Saturday 02-14
  assert.equal((await deadline(crew.token, at('2026-02-13'), 1)).json.deadline_day, '2026-02-14');
  expectError(await api('GET', '/calendar/1850', { token: crew.token }), 400, 'invalid_field', 'year');
  expectError(await api('GET', '/calendar/2999', { token: crew.token }), 404, 'not_found');
  expectError(await deadline(crew.token, 'soon', 1), 400, 'invalid_query', 'start');
  expectError(await deadline(crew.token, at('2026-02-13'), -1), 400, 'invalid_query', 'working_days');
});

test(`${LABEL} calendar: a deadline past the last known year says which year is missing`, async () => {
  const crew = await userWithToken(['crew']);
  const years = (await api('GET', '/calendar', { token: crew.token })).json.items.map((y) => y.year).filter((y) => y < 2100);
  const last = Math.max(...years);
  // 31 December of the last known year: the first working day after it is in the next year, which has no notice
  const r = await deadline(crew.token, at(`${last}-12-31`), 1);
  const err = expectError(r, 409, 'calendar_year_unknown');
  assert.equal(err.details.year, last + 1);
  // zero working days needs no day after the start: the end of the start day
  expectStatus(await deadline(crew.token, at(`${last}-12-31`), 0), 200);
});

test(`${LABEL} calendar: an admin enters a year, audited; edits reach the next deadline; others are refused`, async () => {
  const admin = await adminToken();
  const manager = await userWithToken(['manager']);
  const Y = testYear();
  // the second Monday of January Y (8th to 14th), so the Friday before it and every day counted are in Y
  const jan1 = new Date(Date.UTC(Y, 0, 1));
  const monday = new Date(jan1.getTime() + (((8 - jan1.getUTCDay()) % 7) + 7) * 86400000);
  const friday = ymd(new Date(monday.getTime() - 3 * 86400000));
  const tuesday = ymd(new Date(monday.getTime() + 86400000));
  const saturday = ymd(new Date(monday.getTime() + 5 * 86400000)); // the Saturday after, in Y
  const body = { source: `测试：国务院办公厅关于${Y}年部分节假日安排的通知`, days: [{ day: ymd(monday), kind: 'holiday', name: '元旦' }] };

  expectError(await api('PUT', `/calendar/${Y}`, { token: manager.token, body }), 403, 'forbidden');
  expectError(await deadline(manager.token, at(ymd(monday)), 1), 409, 'calendar_year_unknown');
  const created = await api('PUT', `/calendar/${Y}`, { token: admin, body });
  expectStatus(created, 200);
  assert.equal(created.json.year, Y);
  assert.equal(created.json.version, 1);
  assert.deepEqual(created.json.days, body.days);
  // read after the edit, by someone else: the holiday is there and the deadline steps over it
  const read = await api('GET', `/calendar/${Y}`, { token: manager.token });
  expectStatus(read, 200);
  assert.deepEqual(read.json.days, body.days);
  // Friday + 1 working day: Sat, Sun off, Monday a holiday → Tuesday
  assert.equal((await deadline(manager.token, at(friday), 1)).json.deadline_day, tuesday);

  // the correction: Monday worked again, and the Saturday after it made a make-up day
  const fix = { source: `${body.source}（更正）`, version: 1, days: [{ day: saturday, kind: 'workday', name: '元旦' }] };
  const updated = await api('PUT', `/calendar/${Y}`, { token: admin, body: fix });
  expectStatus(updated, 200);
  assert.equal(updated.json.version, 2);
  assert.equal((await deadline(manager.token, at(friday), 1)).json.deadline_day, ymd(monday));
  assert.equal((await deadline(manager.token, at(friday), 6)).json.deadline_day, saturday); // Mon…Fri, then Sat
  assert.deepEqual((await api('GET', `/calendar/${Y}`, { token: manager.token })).json.days, fix.days);
  expectError(await api('PUT', `/calendar/${Y}`, { token: admin, body: fix }), 409, 'version_conflict');

  // both changes are in the audit log, with before and after
  const audit = await api('GET', `/audit?entity=calendar_year&entity_id=${Y}`, { token: admin });
  expectStatus(audit, 200);
  assert.deepEqual(audit.json.items.map((r) => r.action), ['update', 'create']);
  assert.deepEqual(audit.json.items[0].before.days, body.days);
  assert.deepEqual(audit.json.items[0].after.days, fix.days);
  assert.equal(audit.json.items[1].before, null);
  assert.ok(audit.json.items[0].actor_id, 'the admin is the actor');
  const list = await api('GET', '/calendar', { token: manager.token });
  assert.ok(list.json.items.some((y) => y.year === Y && y.workdays === 1 && y.holidays === 0));
});

test(`${LABEL} calendar: a bad year is refused with the field named, and changes nothing`, async () => {
  const admin = await adminToken();
  const Y = testYear();
  const jan1 = new Date(Date.UTC(Y, 0, 1));
  const weekdayJan = ymd(new Date(jan1.getTime() + ([0, 6].includes(jan1.getUTCDay()) ? 2 : 0) * 86400000)); // Mon–Fri
  const put = (b) => api('PUT', `/calendar/${Y}`, { token: admin, body: b });
  const h = (day, extra = {}) => ({ day, kind: 'holiday', name: '春节', ...extra });
  expectError(await put({ source: 's', days: [h(`${Y + 1}-01-01`)] }), 400, 'invalid_field', 'days[0].day');
  expectError(await put({ source: 's', days: [h(`${Y}-02-30`)] }), 400, 'invalid_field', 'days[0].day');
  expectError(await put({ source: 's', days: [h(`${Y}-03-02`), h(`${Y}-03-02`)] }), 400, 'invalid_field', 'days[1].day');
  expectError(await put({ source: 's', days: [h(`${Y}-03-02`, { kind: 'off' })] }), 400, 'invalid_field', 'days[0].kind');
  expectError(await put({ source: 's', days: [h(weekdayJan, { kind: 'workday' })] }), 400, 'invalid_field', 'days[0].kind');
  expectError(await put({ source: 's', days: [h(`${Y}-03-02`, { name: '' })] }), 400, 'invalid_field', 'days[0].name');
  expectError(await put({ source: 's', days: [h(`${Y}-03-02`, { note: 'x' })] }), 400, 'unknown_field', 'days[0].note');
  expectError(await put({ days: [] }), 400, 'missing_field', 'source');
  expectError(await put({ source: 's' }), 400, 'missing_field', 'days');
  expectError(await put({ source: 's', days: [], notes: 'x' }), 400, 'unknown_field', 'notes');
  expectError(await api('PUT', '/calendar/20x6', { token: admin, body: { source: 's', days: [] } }), 400, 'invalid_field', 'year');
  expectError(await api('GET', `/calendar/${Y}`, { token: admin }), 404, 'not_found');
});

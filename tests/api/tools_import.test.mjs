// Bulk import of the tool ledger (R3.6, issue 4 item 2): CSV and XLSX, the cell-by-cell error report that imports
// nothing partial, the job's progress, refusals of what is no spreadsheet, and who may import.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { api, sendRaw, adminToken, userWithToken, expectError, expectStatus, uniq, sleep, LABEL, BASE_URL } from './lib.mjs';

const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
const today = (offsetDays = 0) => new Date(Date.now() + 8 * 3600e3 + offsetDays * 86400e3).toISOString().slice(0, 10);
/** Excel's 1900-system serial of a day (after 1900-02-28, where its phantom 29 Feb no longer matters) */
const serial = (d) => (Date.parse(`${d}T00:00:00Z`) - Date.UTC(1899, 11, 30)) / 86400e3;

export function xlsx(rows, extra = {}) {
  return execFileSync('python3', [new URL('../fixtures/make_xlsx.py', import.meta.url).pathname],
    { input: JSON.stringify({ rows, ...extra }) });
}

async function upload(token, body, type = 'text/csv', query = '') {
  return api('POST', `/tools/imports${query}`, { token, rawBody: typeof body === 'string' ? Buffer.from(body) : body,
    headers: { 'content-type': type } });
}

/** Polls the job until it is done or failed. */
export async function settle(token, id) {
  for (let i = 0; i < 200; i++) {
    const r = await api('GET', `/tools/imports/${id}`, { token });
    expectStatus(r, 200);
    if (r.json.state === 'done' || r.json.state === 'failed') return r.json;
    await sleep(50);
  }
  throw new Error(`import ${id} did not finish`);
}

async function count(token, prefix) {
  const r = await api('GET', `/tools?q=${encodeURIComponent(prefix)}&limit=200`, { token });
  expectStatus(r, 200);
  return r.json.total;
}

async function keeper() { return userWithToken(['tool_keeper']); }

test(`${LABEL} tools import: a good CSV imports every row, with next test due from the kind's cycle`, async () => {
  const k = await keeper();
  const p = uniq('IMA');
  // a BOM, CRLF, Chinese headers, kinds by name and by code, dates as Chinese Excel writes them, a blank line,
  // a quoted name with a comma and a quote, and a column the ledger has no field for
  const csv = '\ufeff资产编号,工器具类型,名称,库房,存放位置,上次试验日期,试验结果,所属单位\r\n'
    + `${p}-1,绝缘手套,"手套, 12 kV ""A""",一号库,A-01,2025/8/31,合格,城东供电所\r\n`
    + `${p}-2,insulating_gloves,,一号库,,2023-08-31,pass,\r\n`
    + '\r\n'
    + `${p}-3,电容型验电器,,二号库,,2024年2月29日,合格,\r\n`
    + `${p}-4,绝缘靴,,二号库,,2025-10-09,不合格,\r\n`
    + `${p}-5,绝缘手套,,,,,,\r\n\r\n\r\n`;
  const res = await upload(k.token, csv, 'text/csv; charset=utf-8', '?filename=ledger.csv');
  expectStatus(res, 202);
  assert.match(res.json.id, /^[0-9a-f-]{36}$/);
  assert.equal(res.json.format, 'csv');
  assert.equal(res.json.encoding, 'utf-8');
  assert.equal(res.json.filename, 'ledger.csv');
  assert.equal(res.json.rows_total, 5, 'blank lines are no rows');
  assert.ok(['queued', 'running', 'done'].includes(res.json.state));
  for (const f of ['phase', 'rows_total', 'rows_checked', 'rows_written', 'percent'])
    assert.ok(f in res.json.progress, `progress.${f}`);
  assert.deepEqual(res.json.ignored_columns, [{ column: '所属单位', cell: 'H1' }]);
  const job = await settle(k.token, res.json.id);
  assert.equal(job.state, 'done', JSON.stringify(job));
  assert.equal(job.created, 5);
  assert.equal(job.error, null);
  assert.deepEqual(job.errors, []);
  assert.deepEqual(job.progress, { phase: 'done', rows_total: 5, rows_checked: 5, rows_written: 5, percent: 100 });
  const by = async (n) => (await api('GET', `/tools?asset_no=${p}-${n}`, { token: k.token })).json.items[0];
  const t1 = await by(1);
  assert.equal(t1.kind, 'insulating_gloves');
  assert.equal(t1.name, '手套, 12 kV "A"');
  assert.equal(t1.store, '一号库');
  assert.equal(t1.location, 'A-01');
  assert.equal(t1.last_test_date, '2025-08-31');
  assert.equal(t1.next_test_due, '2026-02-28', '6 months after 31 Aug is the end of February');
  assert.equal(t1.tests.length, 1, 'the test it arrives with starts its history');
  assert.equal((await by(2)).next_test_due, '2024-02-29', 'in a leap year, the 29th');
  const t3 = await by(3);
  assert.equal(t3.kind, 'hv_voltage_detector');
  assert.equal(t3.next_test_due, '2025-02-28', '12 months after 29 Feb');
  const t4 = await by(4);
  assert.equal(t4.last_test_result, 'fail');
  assert.equal(t4.custody, 'under_test', 'a failed tool is out of service, as when entered one by one');
  assert.equal((await by(5)).next_test_due, null);
  assert.equal(await count(k.token, p), 5);
  // each tool and the import itself are audited
  const admin = await adminToken();
  const audit = await api('GET', `/audit?entity=tool_import&entity_id=${job.id}`, { token: admin });
  expectStatus(audit, 200);
  assert.equal(audit.json.items.length, 1);
  assert.equal(audit.json.items[0].action, 'import');
  const toolAudit = await api('GET', `/audit?entity=tool&entity_id=${t1.id}`, { token: admin });
  assert.equal(toolAudit.json.items[0].action, 'create');
});

test(`${LABEL} tools import: bad cells are each named in the report and nothing is imported`, async () => {
  const k = await keeper();
  const p = uniq('IMB');
  const taken = await api('POST', '/tools', { token: k.token, body: { asset_no: `${p}-OLD`, kind: 'insulating_gloves' } });
  expectStatus(taken, 201);
  const csv = '资产编号,工器具类型,名称,上次试验日期,试验结果\n'
    + `${p}-1,绝缘手套,好的一行,2025-01-05,合格\n`   // row 2: fine
    + `${p}-2,魔法棒,,2025-01-05,合格\n`             // row 3: unknown kind
    + `${p}-3,绝缘手套,,2025-02-30,合格\n`           // row 4: no such day
    + `${p}-1,绝缘靴,,2025-01-05,合格\n`             // row 5: repeats row 2's number
    + `${p}-OLD,绝缘手套,,,\n`                       // row 6: already in the ledger
    + ',绝缘手套,,,\n'                               // row 7: no asset number
    + `${p}-8,绝缘手套,,${today(5)},合格\n`          // row 8: a test in the future
    + `${p}-9,绝缘手套,,2025-01-05,还行\n`           // row 9: no such result
    + `${p}-10,绝缘手套,,2025-01-05,\n`;             // row 10: a date without its result
  const before = await count(k.token, p);
  const res = await upload(k.token, csv);
  expectStatus(res, 202);
  const job = await settle(k.token, res.json.id);
  assert.equal(job.state, 'failed');
  assert.equal(job.error.code, 'import_invalid_rows');
  assert.ok(job.error.message.length > 0);
  assert.equal(job.created, 0);
  const got = job.errors.map((e) => [e.cell, e.code]);
  assert.deepEqual(got, [
    ['B3', 'kind_unknown'], ['D4', 'date_invalid'], ['A5', 'asset_no_duplicate'], ['A6', 'asset_no_taken'],
    ['A7', 'required_missing'], ['D8', 'date_in_future'], ['E9', 'result_invalid'], ['E10', 'test_incomplete'],
  ]);
  assert.equal(job.error_count, 8);
  const e3 = job.errors[0];
  assert.equal(e3.row, 3);
  assert.equal(e3.column, '工器具类型');
  assert.equal(e3.field, 'kind');
  assert.equal(e3.value, '魔法棒');
  assert.match(e3.message, /[\u4e00-\u9fff]/, 'messages in the caller\'s language (zh by default)');
  assert.equal(job.errors[2].first_row, 2, 'a repeated number names the row it first appeared in');
  assert.equal(await count(k.token, p), before, 'the good row was not imported either');
  // the report in English, and as a CSV download
  const en = await api('GET', `/tools/imports/${job.id}`, { token: k.token, headers: { 'accept-language': 'en' } });
  assert.match(en.json.errors[0].message, /tool kind/i);
  const dl = await fetch(`${BASE_URL}/api/v1/tools/imports/${job.id}/errors.csv`, { headers: { authorization: `Bearer ${k.token}` } });
  assert.equal(dl.status, 200);
  assert.match(dl.headers.get('content-type'), /^text\/csv/);
  assert.match(dl.headers.get('content-disposition'), /attachment/);
  const text = await dl.text();
  assert.ok(text.includes('B3') && text.includes('魔法棒') && text.includes('kind_unknown'), text);
  assert.equal(text.trim().split(/\r\n/).length, 9, 'a header and one line per bad cell');
  // fixed, the same file imports
  const fixed = csv.replace('魔法棒', '绝缘手套').replace('2025-02-30', '2025-02-28').replace(`${p}-1,绝缘靴`, `${p}-5,绝缘靴`)
    .replace(`${p}-OLD,`, `${p}-6,`).replace('\n,绝缘手套', `\n${p}-7,绝缘手套`).replace(today(5), today(0))
    .replace('还行', 'fail').replace(`${p}-10,绝缘手套,,2025-01-05,`, `${p}-10,绝缘手套,,,`);
  const again = await settle(k.token, (await upload(k.token, fixed)).json.id);
  assert.equal(again.state, 'done', JSON.stringify(again.errors));
  assert.equal(again.created, 9);
  assert.equal(await count(k.token, p), before + 9);
});

test(`${LABEL} tools import: an XLSX workbook with shared strings, inline strings and date serials`, async () => {
  const k = await keeper();
  const p = uniq('IMX');
  const book = xlsx([
    ['资产编号', '工器具类型', '名称', '上次试验日期', '试验结果'],
    [`${p}-1`, '绝缘手套', { inline: '内联名称' }, serial('2025-08-31'), '合格'],
    [`${p}-2`, 'hv_voltage_detector', null, '2024-02-29', 'pass'],
    [],
    [`${p}-3`, { inline: '绝缘靴' }, null, serial('2025-10-01'), { inline: '不合格' }],
  ], { title: '安全工器具台账' });
  const res = await upload(k.token, book, XLSX, '?filename=ledger.xlsx');
  expectStatus(res, 202);
  assert.equal(res.json.format, 'xlsx');
  assert.equal(res.json.rows_total, 3, 'the title row and blank rows are no tools');
  const job = await settle(k.token, res.json.id);
  assert.equal(job.state, 'done', JSON.stringify(job.errors));
  assert.equal(job.created, 3);
  const t1 = (await api('GET', `/tools?asset_no=${p}-1`, { token: k.token })).json.items[0];
  assert.equal(t1.last_test_date, '2025-08-31', 'a date serial is a day');
  assert.equal(t1.next_test_due, '2026-02-28');
  assert.equal(t1.name, '内联名称');
  const t3 = (await api('GET', `/tools?asset_no=${p}-3`, { token: k.token })).json.items[0];
  assert.equal(t3.kind, 'insulating_boots');
  assert.equal(t3.last_test_result, 'fail');
  // a bad cell of a workbook is named by its reference (the title row shifts the header to row 3)
  const bad = xlsx([['资产编号', '工器具类型', '上次试验日期', '试验结果'], [`${p}-9`, '绝缘手套', 60, '合格']], { title: '台账' });
  const failed = await settle(k.token, (await upload(k.token, bad, XLSX)).json.id);
  assert.deepEqual(failed.errors.map((e) => [e.cell, e.code]), [['C4', 'date_invalid']], 'serial 60 is 1900-02-29, a day that never was');
});

test(`${LABEL} tools import: GB18030 from Chinese Excel, and a dry run writes nothing`, async () => {
  const k = await keeper();
  const p = uniq('IMG');
  const text = `资产编号,工器具类型,上次试验日期,试验结果\r\n${p}-1,绝缘手套,2025-09-01,合格\r\n`;
  const gbk = execFileSync('python3', ['-c', 'import sys; sys.stdout.buffer.write(sys.stdin.read().encode("gb18030"))'], { input: text });
  const dry = await upload(k.token, gbk, 'text/csv', '?dry_run=1');
  expectStatus(dry, 202);
  assert.equal(dry.json.encoding, 'gb18030');
  assert.equal(dry.json.dry_run, true);
  const checked = await settle(k.token, dry.json.id);
  assert.equal(checked.state, 'done');
  assert.equal(checked.created, 0);
  assert.equal(await count(k.token, p), 0, 'a dry run only checks');
  const real = await settle(k.token, (await upload(k.token, gbk, 'application/vnd.ms-excel')).json.id);
  assert.equal(real.created, 1);
  const t = (await api('GET', `/tools?asset_no=${p}-1`, { token: k.token })).json.items[0];
  assert.equal(t.kind, 'insulating_gloves');
});

test(`${LABEL} tools import: what is no spreadsheet gets a 4xx with a stable code`, async () => {
  const k = await keeper();
  expectError(await upload(k.token, Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 1, 2]), 'image/png'), 415, 'import_unsupported_type');
  expectError(await upload(k.token, '{"a":1}', 'application/json'), 415, 'import_unsupported_type');
  expectError(await upload(k.token, 'a,b\n1,2\n', XLSX), 415, 'import_unsupported_type');
  const garbage = Buffer.from(Array.from({ length: 256 }, (_, i) => (i * 37) % 256));
  const g = expectError(await upload(k.token, garbage, 'text/csv'), 422, 'import_unreadable');
  assert.ok(g.details.reason);
  expectError(await upload(k.token, Buffer.from('PK\x03\x04 not really a zip'), XLSX), 422, 'import_unreadable');
  const nobook = execFileSync('python3', ['-c', 'import io,sys,zipfile\nb=io.BytesIO()\nz=zipfile.ZipFile(b,"w")\nz.writestr("a.txt","x")\nz.close()\nsys.stdout.buffer.write(b.getvalue())']);
  expectError(await upload(k.token, nobook, XLSX), 422, 'import_unreadable');
  expectError(await upload(k.token, Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]), 'application/octet-stream'), 422, 'import_unreadable');
  expectError(await upload(k.token, 'a,"unclosed\n'), 422, 'import_unreadable');
  const miss = expectError(await upload(k.token, '资产编号,名称\nX-1,手套\n'), 422, 'import_missing_column');
  assert.equal(miss.details.field, 'kind');
  expectError(await upload(k.token, '资产编号,工器具类型\r\n'), 422, 'import_empty');
  expectError(await upload(k.token, ''), 400, 'missing_field');
  const dup = expectError(await upload(k.token, '资产编号,asset_no,kind\nA,B,C\n'), 422, 'import_duplicate_column');
  assert.deepEqual(dup.details.cells, ['A1', 'B1']);
  expectError(await upload(k.token, 'asset_no,kind\nA-1,x\n', 'text/csv', '?dry_run=maybe'), 400, 'invalid_query');
  expectError(await api('GET', '/tools/imports/00000000-0000-7000-8000-000000000000', { token: k.token }), 404, 'not_found');
  // a file may be 20 MiB (not the 1 MiB of JSON bodies); past that, 413
  const big = await sendRaw('POST', '/tools/imports', { token: k.token, headers: { 'content-type': 'text/csv' },
    body: Buffer.alloc(20 * 1024 * 1024 + 1, 0x61) });
  expectError(big, 413, 'body_too_large');
  const enMsg = await api('POST', '/tools/imports', { token: k.token, rawBody: Buffer.from('x'), headers: { 'content-type': 'image/png', 'accept-language': 'en' } });
  assert.match(expectError(enMsg, 415, 'import_unsupported_type').message, /CSV or XLSX/);
});

test(`${LABEL} tools import: only tool keepers and admins import; the template`, async () => {
  const crew = await userWithToken(['crew']);
  expectError(await upload(crew.token, 'asset_no,kind\nX-1,insulating_gloves\n'), 403, 'forbidden');
  const k = await keeper();
  const res = await upload(k.token, `asset_no,kind\n${uniq('IMP')},insulating_gloves\n`);
  expectStatus(res, 202);
  expectError(await api('GET', `/tools/imports/${res.json.id}`, { token: crew.token }), 403, 'forbidden');
  expectError(await api('GET', '/tools/imports/template.csv', { token: crew.token }), 403, 'forbidden');
  const admin = await adminToken();
  expectStatus(await api('GET', `/tools/imports/${res.json.id}`, { token: admin }), 200);
  const t = await fetch(`${BASE_URL}/api/v1/tools/imports/template.csv`, { headers: { authorization: `Bearer ${k.token}` } });
  assert.equal(t.status, 200);
  const head = (await t.text()).replace(/^\ufeff/, '').trim();
  assert.ok(head.startsWith('资产编号(asset_no),工器具类型(kind)'), head);
  // the template's header is one the import reads
  const again = await settle(k.token, (await upload(k.token, `${head}\r\n${uniq('IMT')},绝缘手套,,,,,\r\n`)).json.id);
  assert.equal(again.state, 'done', JSON.stringify(again.errors));
});

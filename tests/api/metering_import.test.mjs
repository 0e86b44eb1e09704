// The meter ledger's bulk import (issue 12 item 4; docs/api.md "Meter import"): a CSV through the API loads in the
// background with progress; a file with any bad cell writes nothing and reports each one (row, column, code); the
// import is audited once with the file's hash and row count, and every meter names it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { api, adminToken, userWithToken, expectError, expectStatus, uniq, LABEL } from './lib.mjs';
import { uploadMeters, settled, imported } from './lib_meters.mjs';

const HEAD = 'asset_no,kind,subtype,model,manufacturer,batch,accuracy_class,rated,constant,produced_on,verified_on,sampling,status,point_no,transformer_area,installed_on\n';
const line = (p, i, extra = {}) => {
  const v = { asset_no: `${p}-${String(i).padStart(6, '0')}`, kind: 'meter', subtype: 'single_phase', model: 'DDZY102', manufacturer: '华立',
    batch: `${p}-B`, accuracy_class: '2.0', rated: '220V 5(60)A', constant: '1200', produced_on: '2016-03-01', verified_on: '2016/3/5',
    sampling: '', status: 'installed', point_no: `${p}-P${i}`, transformer_area: `${p}-TA`, installed_on: '2017-01-01', ...extra };
  return `${v.asset_no},${v.kind},${v.subtype},${v.model},${v.manufacturer},${v.batch},${v.accuracy_class},${v.rated},${v.constant},${v.produced_on},${v.verified_on},${v.sampling},${v.status},${v.point_no},${v.transformer_area},${v.installed_on}\n`;
};

async function metering() { return userWithToken(['metering']); }

async function countBatch(token, batch) {
  const r = await api('POST', '/rotation/preview', { token, body: { criteria: { batch } } });
  expectStatus(r, 200);
  return r.json.total;
}

test(`${LABEL} meter import: a good file loads every row, audited once with its hash, each meter naming the import`, async () => {
  const m = await metering();
  const p = uniq('MI');
  let csv = '\ufeff' + HEAD;
  for (let i = 1; i <= 3000; i++) csv += line(p, i);
  csv += '\n'; // a blank line is no row
  const r = await uploadMeters(m.token, csv);
  expectStatus(r, 202);
  assert.match(r.json.id, /^[0-9a-f-]{36}$/);
  assert.ok(['running', 'done'].includes(r.json.state));
  assert.equal(r.json.filename, 'meters.csv');
  const done = await settled(m.token, r.json.id);
  assert.equal(done.state, 'done', JSON.stringify(done.report));
  assert.equal(done.rows_total, 3000);
  assert.equal(done.rows_written, 3000);
  assert.equal(done.error_count, 0);
  assert.equal(done.sha256, createHash('sha256').update(Buffer.from(csv)).digest('hex'));
  assert.equal(done.progress.percent, 100);
  assert.equal(done.progress.bytes_read, Buffer.byteLength(csv));
  assert.equal(await countBatch(m.token, `${p}-B`), 3000, 'every installed meter is in the ledger');
  const admin = await adminToken();
  const a = await api('GET', `/audit?entity=metering_import&entity_id=${done.id}`, { token: admin });
  expectStatus(a, 200);
  assert.equal(a.json.items.length, 1, 'one audit record for the import');
  assert.equal(a.json.items[0].action, 'import');
});

test(`${LABEL} meter import: any bad cell and nothing is written; the report names row, column and code`, async () => {
  const m = await metering();
  const p = uniq('MX');
  // rows 2..5 good, then: a bad date (row 6), an unknown status (7), installed without its area (8), no asset number (9)
  let csv = HEAD;
  for (let i = 1; i <= 4; i++) csv += line(p, i);
  csv += line(p, 5, { installed_on: '2017-02-30' });
  csv += line(p, 6, { status: 'lost' });
  csv += line(p, 7, { transformer_area: '' });
  csv += line(p, 8, { asset_no: '' });
  const f = await imported(m.token, csv);
  assert.equal(f.state, 'failed');
  assert.equal(f.error_code, 'import_invalid_rows');
  assert.equal(f.rows_written, 0);
  assert.equal(f.error_count, 4);
  assert.deepEqual(f.report.map((e) => [e.row, e.column, e.code]), [
    [6, 'installed_on', 'invalid_date'], [7, 'status', 'invalid_value'], [8, 'transformer_area', 'required_when_installed'],
    [9, 'asset_no', 'missing']]);
  assert.equal(await countBatch(m.token, `${p}-B`), 0, 'nothing partial');

  // duplicates: within the file, and against the ledger — found after every cell is good, still nothing written
  const good = HEAD + line(p, 1) + line(p, 2);
  assert.equal((await imported(m.token, good)).state, 'done');
  const dup = HEAD + line(p, 3) + line(p, 2) + line(p, 3);
  const d = await imported(m.token, dup);
  assert.equal(d.state, 'failed');
  assert.deepEqual(d.report.map((e) => [e.row, e.code, e.value]).sort(), [[3, 'already_exists', `${p}-000002`], [4, 'duplicate_in_file', `${p}-000003`]]);
  assert.equal(await countBatch(m.token, `${p}-B`), 2, 'the earlier import only');
});

// The file is read and checked on one thread while the rows before are loaded on another, batch by batch (16,384
// rows): a bad cell or a taken number in the last row, after batches were loaded, still leaves nothing.
test(`${LABEL} meter import: a large file failing in its last row leaves nothing, whether a bad cell or a duplicate`, async () => {
  const m = await metering();
  const p = uniq('ML');
  const N = 40000;
  let body = '';
  for (let i = 1; i < N; i++) body += line(p, i);
  const bad = await imported(m.token, HEAD + body + line(p, N, { installed_on: '2017-13-01' }));
  assert.equal(bad.state, 'failed');
  assert.equal(bad.error_code, 'import_invalid_rows');
  assert.equal(bad.rows_total, N);
  assert.equal(bad.rows_written, 0);
  assert.deepEqual(bad.report.map((e) => [e.row, e.column, e.code]), [[N + 1, 'installed_on', 'invalid_date']]);
  assert.equal(await countBatch(m.token, `${p}-B`), 0, 'nothing partial');
  // the last row repeats the first one's number: the fast pass stops there, the staged pass names it
  const dup = await imported(m.token, HEAD + body + line(p, 1));
  assert.equal(dup.state, 'failed');
  assert.equal(dup.error_code, 'import_invalid_rows');
  assert.equal(dup.rows_written, 0);
  assert.deepEqual(dup.report.map((e) => [e.row, e.code, e.value, e.first_row]), [[N + 1, 'duplicate_in_file', `${p}-000001`, 2]]);
  assert.equal(await countBatch(m.token, `${p}-B`), 0, 'nothing partial');
  // a duplicate in the first batch: the load is abandoned there and the reader stops early; the staged pass still
  // reads the whole file and names it
  const early = await imported(m.token, HEAD + line(p, 2) + body);
  assert.equal(early.state, 'failed');
  assert.deepEqual(early.report.map((e) => [e.row, e.code, e.value, e.first_row]), [[4, 'duplicate_in_file', `${p}-000002`, 2]]);
  assert.equal(early.rows_total, N);
  assert.equal(await countBatch(m.token, `${p}-B`), 0, 'nothing partial');
  // and the same file without the duplicate loads whole
  const ok = await imported(m.token, HEAD + body);
  assert.equal(ok.state, 'done', JSON.stringify(ok.report));
  assert.equal(ok.rows_written, N - 1);
  assert.equal(await countBatch(m.token, `${p}-B`), N - 1);
});

test(`${LABEL} meter import: refusals of the file as a whole, and who may import`, async () => {
  const m = await metering();
  const f = await imported(m.token, 'model,batch\nX,Y\n');
  assert.equal(f.error_code, 'meter_import_missing_column');
  const e = await imported(m.token, HEAD);
  assert.equal(e.error_code, 'import_empty');
  const q = await imported(m.token, HEAD + '"unclosed,meter\n');
  assert.equal(q.error_code, 'import_unreadable');
  expectError(await api('POST', '/metering/imports', { token: m.token, rawBody: Buffer.alloc(0), headers: { 'content-type': 'text/csv' } }),
    400, 'missing_field');
  const crew = await userWithToken(['crew']);
  expectError(await uploadMeters(crew.token, HEAD + line(uniq('MC'), 1)), 403, 'forbidden');
  expectError(await api('GET', `/metering/imports/${f.id}`, { token: crew.token }), 403, 'forbidden');
  expectError(await api('GET', '/metering/imports/00000000-0000-7000-8000-000000000000', { token: m.token }), 404, 'not_found');
});

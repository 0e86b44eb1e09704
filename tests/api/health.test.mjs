import { test } from 'node:test';
import assert from 'node:assert/strict';
import { api, expectStatus, DB_NAME, LABEL } from './lib.mjs';

test(`${LABEL} GET /health answers 200 without auth`, async () => {
  const res = await api('GET', '/health');
  expectStatus(res, 200);
  assert.match(res.headers.get('content-type') || '', /^application\/json/i, 'health is JSON');
  assert.equal(res.json.status, 'ok');
  assert.equal(res.json.db, DB_NAME, `health.db should name the backend (FG_DB=${process.env.FG_DB || 'sqlite'})`);
  assert.equal(typeof res.json.version, 'string');
  assert.ok(res.json.version.length > 0, 'health.version is non-empty');
});

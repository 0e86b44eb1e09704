// The safety knowledge base (R3.11, R0.4): SOPs, risk library, ticket kinds, briefings, readable by every field
// role and searchable in Chinese without word segmentation.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { api, userWithToken, expectError, expectStatus, LABEL } from './lib.mjs';

test(`${LABEL} kb search: Chinese terms find SOPs and risk points, best first`, async () => {
  const { token } = await userWithToken(['crew']);
  const ct = await api('GET', `/kb/search?q=${encodeURIComponent('二次开路')}`, { token });
  expectStatus(ct, 200);
  assert.ok(ct.json.items.length > 0);
  assert.ok(ct.json.items.some((h) => h.collection === 'risks' && /开路/.test(h.title)), JSON.stringify(ct.json.items.slice(0, 3)));
  assert.ok(ct.json.items.every((h) => h.snippet.includes('开路') || /开路/.test(h.title)));
  const rot = await api('GET', `/kb/search?q=${encodeURIComponent('电能表 轮换')}`, { token });
  assert.equal(rot.json.items[0].collection, 'sops');
  assert.equal(rot.json.items[0].key, 'meter_rotation');
  const none = await api('GET', `/kb/search?q=${encodeURIComponent('火星基地')}`, { token });
  assert.deepEqual(none.json.items, []);
  expectError(await api('GET', '/kb/search', { token }), 400, 'invalid_query', 'q');
});

test(`${LABEL} kb: collections and items with their sources`, async () => {
  const { token } = await userWithToken(['crew']);
  const sops = await api('GET', '/kb/sops', { token });
  expectStatus(sops, 200);
  const rot = sops.json.items.find((s) => s.code === 'meter_rotation');
  assert.ok(rot.steps.length >= 10 && rot.source);
  const tk = await api('GET', '/kb/ticket_kinds/DDZY', { token });
  expectStatus(tk, 200);
  assert.equal(tk.json.extendable, false, 'live-line tickets are never extended');
  expectError(await api('GET', '/kb/recipes', { token }), 404, 'not_found');
  expectError(await api('GET', '/kb/risks/no-such-risk', { token }), 404, 'not_found');
});

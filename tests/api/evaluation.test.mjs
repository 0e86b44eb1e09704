// Quantitative evaluation (R3.12): Q = Σ K_i·P_i with UI_i = Σ ε_j·LI_j over a configurable indicator tree.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { api, userWithToken, expectError, expectStatus, uniq, LABEL } from './lib.mjs';

function expected(tree, scores) {
  const val = (n) => (n.children && n.children.length ? n.children.reduce((s, c) => s + c.weight * val(c), 0) : scores[n.id]);
  return Math.round(tree.reduce((s, n) => s + n.weight * val(n), 0) * 100) / 100;
}

test(`${LABEL} evaluation: the default tree scores a team; Q is the weighted sum of weighted sums`, async () => {
  const sup = await userWithToken(['supervisor']);
  const models = await api('GET', '/evaluation-models', { token: sup.token });
  expectStatus(models, 200);
  const model = models.json.items[0];
  assert.ok(model, 'the demo loads a default model');
  const leaves = {};
  const walk = (ns) => ns.forEach((n) => (n.children ? walk(n.children) : (leaves[n.id] = 60 + Object.keys(leaves).length * 4)));
  walk(model.tree);
  const subject = uniq('team');
  const res = await api('POST', '/evaluations', { token: sup.token, body: { model_id: model.id, subject_type: 'team', subject_id: subject, period: '2026-11', scores: leaves } });
  expectStatus(res, 201);
  assert.equal(res.json.q, expected(model.tree, leaves));
  assert.equal(res.json.breakdown.safety, Math.round(model.tree[0].children.reduce((s, c) => s + c.weight * leaves[c.id], 0) * 100) / 100);
  expectError(await api('POST', '/evaluations', { token: sup.token, body: { model_id: model.id, subject_type: 'team', subject_id: subject, period: '2026-11', scores: leaves } }), 409, 'evaluation_exists');
  const missing = { ...leaves };
  delete missing[Object.keys(missing)[0]];
  expectError(await api('POST', '/evaluations', { token: sup.token, body: { model_id: model.id, subject_type: 'team', subject_id: uniq('t'), period: '2026-11', scores: missing } }), 400, 'missing_field', `scores.${Object.keys(leaves)[0]}`);
  expectError(await api('POST', '/evaluations', { token: sup.token, body: { model_id: model.id, subject_type: 'team', subject_id: uniq('t'), period: '2026-11', scores: { ...leaves, [Object.keys(leaves)[1]]: 120 } } }), 400, 'invalid_field', `scores.${Object.keys(leaves)[1]}`);
  const list = await api('GET', `/evaluation-models/${model.id}/scores?period=2026-11`, { token: sup.token });
  assert.ok(list.json.items.some((s) => s.subject_id === subject && s.q === res.json.q));
});

test(`${LABEL} evaluation: a model's weights must sum to 1 on every level; crew may not score`, async () => {
  const sup = await userWithToken(['supervisor']);
  const bad = await api('POST', '/evaluation-models', { token: sup.token, body: { name: '试行', tree: [
    { id: 'a', name: '安全', weight: 0.6, children: [{ id: 'a1', name: '票', weight: 0.5 }, { id: 'a2', name: '违章', weight: 0.4 }] },
    { id: 'b', name: '质量', weight: 0.4 }] } });
  expectError(bad, 400, 'invalid_field', 'tree');
  assert.equal(bad.json.error.details.level, 'a');
  const dup = await api('POST', '/evaluation-models', { token: sup.token, body: { name: '试行', tree: [{ id: 'a', name: 'A', weight: 0.5 }, { id: 'a', name: 'B', weight: 0.5 }] } });
  expectError(dup, 400, 'invalid_field', 'tree');
  const ok = await api('POST', '/evaluation-models', { token: sup.token, body: { name: '试行', tree: [{ id: 'a', name: 'A', weight: 0.25 }, { id: 'b', name: 'B', weight: 0.75 }] } });
  expectStatus(ok, 201);
  const crew = await userWithToken(['crew']);
  expectError(await api('POST', '/evaluations', { token: crew.token, body: { model_id: ok.json.id, subject_type: 'person', subject_id: crew.user.id, period: '2026-11', scores: { a: 1, b: 2 } } }), 403, 'forbidden');
});

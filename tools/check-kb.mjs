#!/usr/bin/env node
// Validates the built-in knowledge base in data/kb/ (R3.11, R0.4): JSON shape, unique ids and codes,
// cross-references, sources and confidence tags, SOP step numbering and records.
// Usage: node tools/check-kb.mjs [kb-dir]   (default: data/kb next to this script's repository)
// Prints a summary; exits 1 on any problem. No dependencies.
import { readFileSync, readdirSync, existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const dir = resolve(process.argv[2] || join(here, '..', 'data', 'kb'));
const problems = [];
const bad = (where, msg) => problems.push(`${where}: ${msg}`);

const FILES = ['ticket_kinds', 'work_kinds', 'risks', 'sops', 'briefings', 'tool_kinds', 'inspection_kinds'];
// charger inspections (R4.3, R4.6): what src/modules/inspections expects of data/kb/inspection_kinds.json
const REQUIRED_INSPECTIONS = ['patrol_monthly', 'cleaning_quarterly', 'verification_yearly', 'grounding_check', 'fire_check', 'emergency_drill'];
const PERIODS = new Set(['month', 'quarter', 'year']);
// station, every charger, AC or DC chargers only, or each piece of one equipment kind (src/charging/inspections/equipment.c)
const APPLIES = new Set(['station', 'charger', 'ac', 'dc', 'box_transformer', 'distribution_cabinet', 'monitoring',
  'secondary_control_cabinet', 'fire_facility', 'grounding', 'canopy_lighting', 'other']);
const REQUIRED_TICKETS = ['DY', 'PD1', 'PD2', 'GZK', 'QX', 'DDZY', 'BDZ1', 'BDZ2', 'RWD'];
const REQUIRED_WORK_KINDS = ['lv_meter_install', 'ct_meter_install', 'hv_metering_install', 'meter_rotation',
  'terminal_install', 'collection_fault', 'disputed_meter_check', 'first_inspection', 'metering_error_correction',
  'metering_retrofit', 'charger_inspection', 'charger_repair'];
const REQUIRED_SOPS = ['meter_rotation', 'hv_metering_install', 'collection_fault', 'lv_meter_install'];
const RECORD_TYPES = new Set(['text', 'number', 'asset_no', 'reading', 'ratio', 'choice']);
const CONFIDENCE = /^\[(V|P|U)\]$/;
const CJK = /[\u4e00-\u9fff]/;

const isStr = (v) => typeof v === 'string' && v.trim().length > 0;
const isInt = (v) => Number.isInteger(v);
const isBool = (v) => typeof v === 'boolean';

// ---- load ----
const kb = {};
if (!existsSync(dir)) {
  console.error(`check-kb: ${dir} does not exist`);
  process.exit(1);
}
for (const f of readdirSync(dir).filter((n) => n.endsWith('.json'))) {
  const name = f.replace(/\.json$/, '');
  if (!FILES.includes(name)) bad(f, 'unexpected file (not one of ' + FILES.join(', ') + ')');
}
for (const name of FILES) {
  const path = join(dir, name + '.json');
  if (!existsSync(path)) { bad(name + '.json', 'missing'); continue; }
  const text = readFileSync(path, 'utf8');
  if (text.charCodeAt(0) === 0xfeff) bad(name + '.json', 'has a BOM');
  let doc;
  try { doc = JSON.parse(text); } catch (e) { bad(name + '.json', 'invalid JSON: ' + e.message); continue; }
  if (!doc || typeof doc !== 'object' || Array.isArray(doc)) { bad(name + '.json', 'top level is not an object'); continue; }
  if (!isStr(doc.about)) bad(name + '.json', 'no "about"');
  if (!isStr(doc.source)) bad(name + '.json', 'no "source"');
  if (!Array.isArray(doc.items) || doc.items.length === 0) { bad(name + '.json', '"items" is not a non-empty array'); continue; }
  if (text !== JSON.stringify(doc, null, 2) + '\n') bad(name + '.json', 'not formatted with 2-space indent and a final newline');
  kb[name] = doc.items;
}

// ---- generic item checks ----
function index(name, key) {
  const map = new Map();
  (kb[name] || []).forEach((it, i) => {
    const where = `${name}[${i}]`;
    if (!it || typeof it !== 'object') { bad(where, 'not an object'); return; }
    const id = it[key];
    if (!isStr(id)) { bad(where, `no "${key}"`); return; }
    if (map.has(id)) bad(`${name}/${id}`, `duplicate ${key}`);
    map.set(id, it);
    if (!isStr(it.source)) bad(`${name}/${id}`, 'no "source"');
    if (!CONFIDENCE.test(it.confidence || '')) bad(`${name}/${id}`, `confidence must be [V], [P] or [U], got ${JSON.stringify(it.confidence)}`);
  });
  return map;
}
const needZh = (where, it, ...keys) => keys.forEach((k) => { if (!isStr(it[k]) || !CJK.test(it[k])) bad(where, `"${k}" must be Chinese text`); });
// English text may quote Chinese sign wording “…” or give a term in parentheses, nothing else
const enOk = (s) => isStr(s) && /[A-Za-z]/.test(s) && !CJK.test(s.replace(/“[^”]*”|\([^)]*\)/g, ''));
const needEn = (where, it, ...keys) => keys.forEach((k) => { if (!enOk(it[k])) bad(where, `"${k}" must be English text`); });
const needList = (where, it, key, lang) => {
  const v = it[key];
  if (!Array.isArray(v) || v.length === 0 || !v.every(isStr)) { bad(where, `"${key}" must be a non-empty list of strings`); return []; }
  if (lang === 'zh' && !v.every((s) => CJK.test(s))) bad(where, `"${key}" must be Chinese`);
  if (lang === 'en' && !v.every(enOk)) bad(where, `"${key}" must be English`);
  return v;
};

const tickets = index('ticket_kinds', 'code');
const workKinds = index('work_kinds', 'code');
const risks = index('risks', 'id');
const sops = index('sops', 'code');
const briefings = index('briefings', 'code');
const tools = index('tool_kinds', 'code');

// ---- tool kinds ----
const toolNames = new Set();
for (const [code, t] of tools) {
  const w = `tool_kinds/${code}`;
  needZh(w, t, 'name_zh', 'test_zh'); needEn(w, t, 'name_en', 'test_en');
  if (toolNames.has(t.name_zh)) bad(w, `duplicate name_zh ${t.name_zh}`);
  toolNames.add(t.name_zh);
  if (!['safety_tool', 'instrument'].includes(t.category)) bad(w, 'category must be safety_tool or instrument');
  if (t.test_cycle_months === null) {
    if (!isInt(t.use_hours_limit) || t.use_hours_limit <= 0) bad(w, 'test_cycle_months is null but no use_hours_limit');
  } else if (!isInt(t.test_cycle_months) || t.test_cycle_months <= 0) bad(w, 'test_cycle_months must be a positive integer (or null with use_hours_limit)');
}

// ---- ticket kinds ----
for (const code of REQUIRED_TICKETS) if (!tickets.has(code)) bad('ticket_kinds', `required kind ${code} missing`);
for (const [code, k] of tickets) {
  const w = `ticket_kinds/${code}`;
  needZh(w, k, 'name_zh', 'notes_zh'); needEn(w, k, 'name_en');
  for (const f of ['extendable', 'needs_issuer', 'needs_permitter', 'requires_survey']) if (!isBool(k[f])) bad(w, `"${f}" must be a boolean`);
  if (!isInt(k.min_people) || k.min_people < 1) bad(w, 'min_people must be a positive integer');
  else if (k.min_people < 2 && !isStr(k.single_person_basis)) bad(w, 'min_people < 2 needs a "single_person_basis" naming the rule that allows it');
  if (!isInt(k.validity_hours_default) || k.validity_hours_default <= 0) bad(w, 'validity_hours_default must be a positive integer');
  if ('max_extensions' in k && k.max_extensions !== (k.extendable ? 1 : 0)) bad(w, 'max_extensions must be 1 when extendable, else 0');
}
if (tickets.get('DDZY')?.extendable !== false) bad('ticket_kinds/DDZY', 'a live-line ticket may not be extended (REFERENCE.md §1.5)');

// ---- risks ----
const measureIds = new Set();
let measureCount = 0;
for (const [id, r] of risks) {
  const w = `risks/${id}`;
  if (!/^[a-z]+-\d{2}$/.test(id)) bad(w, 'id must look like "lv-01"');
  needZh(w, r, 'hazard_zh'); needEn(w, r, 'hazard_en');
  if (!isInt(r.level) || r.level < 1 || r.level > 5) bad(w, 'level must be 1..5');
  // a key risk asks for a photo when confirmed on site (issue 14 item 3): and says what the photo shows
  if (r.evidence !== undefined) {
    if (r.evidence !== 'photo') bad(w, 'evidence must be "photo" (or absent)');
    needZh(w, r, 'evidence_zh'); needEn(w, r, 'evidence_en');
  } else if (r.evidence_zh !== undefined || r.evidence_en !== undefined) bad(w, 'evidence_zh/evidence_en without evidence');
  if (!Array.isArray(r.measures) || r.measures.length === 0) { bad(w, 'needs at least one measure'); continue; }
  r.measures.forEach((m, i) => {
    const mw = `${w}/measures[${i}]`;
    if (m.id !== `${id}-m${i + 1}`) bad(mw, `id must be ${id}-m${i + 1}, got ${m.id}`);
    if (measureIds.has(m.id)) bad(mw, 'duplicate measure id');
    measureIds.add(m.id);
    needZh(mw, m, 'text_zh'); needEn(mw, m, 'text_en');
    measureCount++;
  });
  if (!Array.isArray(r.work_kinds) || r.work_kinds.length === 0) bad(w, 'work_kinds must list at least one work kind');
  else for (const k of r.work_kinds) {
    if (!workKinds.has(k)) bad(w, `work kind ${k} does not exist`);
    else if (!workKinds.get(k).risks?.includes(id)) bad(w, `lists ${k} but work_kinds/${k} does not list this risk`);
  }
}

// ---- SOPs ----
const stepCounts = {};
for (const code of REQUIRED_SOPS) if (!sops.has(code)) bad('sops', `required SOP ${code} missing`);
for (const [code, s] of sops) {
  const w = `sops/${code}`;
  needZh(w, s, 'name_zh'); needEn(w, s, 'name_en');
  if (!Array.isArray(s.work_kinds) || s.work_kinds.length === 0) bad(w, 'work_kinds must not be empty');
  else for (const k of s.work_kinds) {
    if (!workKinds.has(k)) bad(w, `work kind ${k} does not exist`);
    else if (workKinds.get(k).sop !== code) bad(w, `lists ${k} but work_kinds/${k}.sop is ${workKinds.get(k).sop}`);
  }
  if (!Array.isArray(s.steps) || s.steps.length === 0) { bad(w, 'no steps'); continue; }
  stepCounts[code] = s.steps.length;
  if (s.steps.length < 8 || s.steps.length > 15) bad(w, `has ${s.steps.length} steps, expected 8..15`);
  const keys = new Set();
  s.steps.forEach((st, i) => {
    const sw = `${w}/steps[${i}]`;
    if (st.no !== i + 1) bad(sw, `no must be ${i + 1}, got ${st.no}`);
    needZh(sw, st, 'title_zh', 'quality_zh'); needEn(sw, st, 'title_en', 'quality_en');
    if (!isBool(st.photo_required)) bad(sw, 'photo_required must be a boolean');
    if (!Array.isArray(st.records)) { bad(sw, 'records must be an array'); return; }
    st.records.forEach((r, j) => {
      const rw = `${sw}/records[${j}]`;
      if (!isStr(r.key) || !/^[a-z][a-z0-9_]*$/.test(r.key)) bad(rw, 'key must be snake_case');
      else if (keys.has(r.key)) bad(rw, `key ${r.key} used twice in this SOP`);
      keys.add(r.key);
      needZh(rw, r, 'label_zh'); needEn(rw, r, 'label_en');
      if (!RECORD_TYPES.has(r.type)) bad(rw, `type ${r.type} is not one of ${[...RECORD_TYPES].join('|')}`);
      if (!isBool(r.required)) bad(rw, 'required must be a boolean');
      if (r.type === 'reading' && !isStr(r.unit)) bad(rw, 'a reading needs a unit');
      if ('unit' in r && !isStr(r.unit)) bad(rw, 'unit must be a string');
      if (r.type === 'choice') {
        if (!Array.isArray(r.choices) || r.choices.length < 2) bad(rw, 'a choice needs at least two choices');
        else {
          const vals = new Set();
          r.choices.forEach((c, n) => {
            const cw = `${rw}/choices[${n}]`;
            if (!isStr(c.value)) bad(cw, 'no value');
            if (vals.has(c.value)) bad(cw, `duplicate value ${c.value}`);
            vals.add(c.value);
            if (!isStr(c.label_zh) || !isStr(c.label_en)) bad(cw, 'needs label_zh and label_en');
          });
        }
      } else if ('choices' in r) bad(rw, 'choices only belong to type choice');
    });
  });
  s._keys = keys;
}
// what the metering SOPs must capture (issue 3 item 8)
const mustRecord = (code, list) => {
  const s = sops.get(code);
  if (!s || !s._keys) return;
  for (const k of list) if (!s._keys.has(k)) bad(`sops/${code}`, `must record ${k}`);
};
for (const code of ['lv_meter_install', 'meter_rotation', 'ct_meter_install'])
  mustRecord(code, ['old_meter_asset_no', 'new_meter_asset_no', 'old_reading_total', 'new_reading_total', 'new_seal_nos', 'customer_confirmation']);
mustRecord('ct_meter_install', ['ct_ratio']);
mustRecord('hv_metering_install', ['ct_ratio', 'pt_ratio', 'new_meter_asset_no', 'new_reading_total', 'new_seal_nos', 'multiplier']);
mustRecord('terminal_install', ['terminal_address', 'terminal_asset_no', 'new_seal_nos']);
mustRecord('collection_fault', ['terminal_address', 'new_seal_nos']);
// an application's field work (src/customer/appjobs) completes its stage from these
mustRecord('connection_survey', ['scheme']);
mustRecord('lv_connection_install', ['new_meter_asset_no', 'meter_model', 'new_reading_total', 'new_seal_nos', 'customer_confirmation']);
for (const [code, s] of sops) {
  if (!s._keys) continue;
  const metering = (s.work_kinds || []).some((k) => !k.startsWith('charger_'));
  if (metering && ![...s._keys].some((k) => /seal/.test(k))) bad(`sops/${code}`, 'a metering SOP must record seal numbers or seal state');
  delete s._keys;
}

// ---- briefings ----
for (const [code, b] of briefings) {
  const w = `briefings/${code}`;
  for (const f of ['workflow', 'quality', 'technical', 'safety']) {
    const zh = needList(w, b, `${f}_zh`, 'zh');
    const en = needList(w, b, `${f}_en`, 'en');
    if (zh.length !== en.length) bad(w, `${f}_zh and ${f}_en differ in length (${zh.length} vs ${en.length})`);
  }
  needZh(w, b, 'content_zh'); needEn(w, b, 'content_en');
  if (!Array.isArray(b.work_kinds) || b.work_kinds.length === 0) bad(w, 'work_kinds must not be empty');
  else for (const k of b.work_kinds) {
    if (!workKinds.has(k)) bad(w, `work kind ${k} does not exist`);
    else if (workKinds.get(k).briefing !== code) bad(w, `lists ${k} but work_kinds/${k}.briefing is ${workKinds.get(k).briefing}`);
  }
}

// ---- work kinds ----
for (const code of REQUIRED_WORK_KINDS) if (!workKinds.has(code)) bad('work_kinds', `required kind ${code} missing`);
for (const [code, k] of workKinds) {
  const w = `work_kinds/${code}`;
  needZh(w, k, 'name_zh'); needEn(w, k, 'name_en');
  if (!tickets.has(k.default_ticket_kind)) bad(w, `default_ticket_kind ${k.default_ticket_kind} is not a ticket kind`);
  if (!isInt(k.risk_level) || k.risk_level < 1 || k.risk_level > 5) bad(w, 'risk_level must be 1..5');
  if (!isBool(k.high_risk)) bad(w, 'high_risk must be a boolean');
  if (k.sop !== null) {
    if (!sops.has(k.sop)) bad(w, `sop ${k.sop} does not exist`);
    else if (!sops.get(k.sop).work_kinds?.includes(code)) bad(w, `sops/${k.sop} does not list this work kind`);
  }
  if (!briefings.has(k.briefing)) bad(w, `briefing ${k.briefing} does not exist`);
  else if (!briefings.get(k.briefing).work_kinds?.includes(code)) bad(w, `briefings/${k.briefing} does not list this work kind`);
  if (!Array.isArray(k.risks) || k.risks.length === 0) bad(w, 'risks must not be empty');
  else {
    if (new Set(k.risks).size !== k.risks.length) bad(w, 'a risk is listed twice');
    for (const id of k.risks) {
      if (!risks.has(id)) bad(w, `risk ${id} does not exist`);
      else if (!risks.get(id).work_kinds?.includes(code)) bad(w, `risks/${id} does not list this work kind`);
    }
  }
  if (!Array.isArray(k.tool_kinds) || k.tool_kinds.length === 0) bad(w, 'tool_kinds must not be empty');
  else {
    if (new Set(k.tool_kinds).size !== k.tool_kinds.length) bad(w, 'a tool kind is listed twice');
    for (const n of k.tool_kinds) if (!toolNames.has(n)) bad(w, `tool kind ${n} is not a name_zh in tool_kinds.json`);
  }
  const maxRisk = Math.min(...(k.risks || []).map((id) => risks.get(id)?.level ?? 5));
  if (k.risk_level < 3 && !k.high_risk) bad(w, 'risk levels 1–2 must be high_risk');
  if (k.risk_level >= 3 && k.high_risk) bad(w, 'high_risk is reserved for risk levels 1–2');
  if (k.risk_level < maxRisk) bad(w, `risk_level ${k.risk_level} is higher than any of its risks (${maxRisk})`);
}

// ---- summary ----
// ---- inspection kinds ----
const insp = index('inspection_kinds', 'code');
for (const c of REQUIRED_INSPECTIONS) if (!insp.has(c)) bad('inspection_kinds', `required kind ${c} missing`);
for (const [code, k] of insp) {
  const w = `inspection_kinds/${code}`;
  if (!isStr(k.name_zh) || !CJK.test(k.name_zh)) bad(w, 'name_zh must be Chinese');
  if (!isStr(k.name_en)) bad(w, 'no name_en');
  if (!PERIODS.has(k.period)) bad(w, `period must be one of ${[...PERIODS].join(', ')}`);
  if (!Array.isArray(k.items) || k.items.length === 0) { bad(w, 'items must not be empty'); continue; }
  const seen = new Set();
  k.items.forEach((it, i) => {
    const wi = `${w}.items[${i}]`;
    if (!isStr(it.code)) bad(wi, 'no code');
    else if (seen.has(it.code)) bad(wi, `code ${it.code} twice`);
    else seen.add(it.code);
    if (!isStr(it.text_zh) || !CJK.test(it.text_zh)) bad(wi, 'text_zh must be Chinese');
    if (!isStr(it.text_en)) bad(wi, 'no text_en');
    if (!APPLIES.has(it.applies)) bad(wi, `applies must be one of ${[...APPLIES].join(', ')}`);
  });
}

const n = (name) => (kb[name] || []).length;
console.log(`check-kb: ${dir}`);
console.log(`  ticket kinds ${n('ticket_kinds')}, work kinds ${n('work_kinds')}, risks ${n('risks')} (measures ${measureCount}), ` +
  `SOPs ${n('sops')}, briefings ${n('briefings')}, tool kinds ${n('tool_kinds')}, inspection kinds ${n('inspection_kinds')}`);
console.log('  SOP steps: ' + Object.entries(stepCounts).map(([c, k]) => `${c} ${k}`).join(', '));
const tags = {};
for (const name of FILES) for (const it of kb[name] || []) tags[it.confidence] = (tags[it.confidence] || 0) + 1;
console.log('  confidence: ' + Object.entries(tags).map(([t, c]) => `${t} ${c}`).join(', '));
if (problems.length) {
  console.error(`\n${problems.length} problem(s):`);
  for (const p of problems) console.error('  - ' + p);
  process.exit(1);
}
console.log('  OK');

// The processes as the server defines them (GET /flows/{name}: states {code, name_zh, name_en} in order, and
// transitions): the web app takes state names and the order of states from there instead of keeping its own copy,
// so a state added or renamed in data/flows/*.json shows up without a change here. Each flow is fetched once per
// session (kept in sessionStorage, so a reload does not ask again) and read synchronously while pages draw; until
// it has loaded, or if it cannot be read, the i18n names (status.<flow>.<code>) stand in.
import { get } from './api.js';
import { getLang } from './i18n.js';
import { FLOWS, FLOW_KEY as KEY } from './flownames.js';

export { FLOWS };
const defs = new Map(); // name -> definition
const pending = new Map(); // name -> Promise<definition|null>

function stored(name) {
  try {
    const v = sessionStorage.getItem(KEY + name);
    return v ? JSON.parse(v) : null;
  } catch { return null; }
}

/** The definition of one flow (cached for the session); null when it cannot be read. */
export function loadFlow(name) {
  if (defs.has(name)) return Promise.resolve(defs.get(name));
  const kept = stored(name);
  if (kept && Array.isArray(kept.states)) { defs.set(name, kept); return Promise.resolve(kept); }
  if (!pending.has(name)) {
    pending.set(name, get('/flows/' + encodeURIComponent(name)).then((d) => {
      pending.delete(name);
      if (!d || !Array.isArray(d.states)) return null;
      keep(d);
      return d;
    }, () => { pending.delete(name); return null; }));
  }
  return pending.get(name);
}

/** Every flow the pages use, before the first page draws (failures leave the i18n names in place): those not kept
 *  yet in one request (GET /flows?names=…), not one each. */
export function loadFlows(names = FLOWS) {
  const missing = names.filter((n) => !defs.has(n) && !pending.has(n) && !(stored(n) && Array.isArray(stored(n).states)));
  if (missing.length > 1) {
    const all = get('/flows', { names: missing.join(',') }).then((r) => {
      for (const d of (r && r.items) || []) keep(d);
      return null;
    }, () => null);
    for (const n of missing) pending.set(n, all.then(() => { pending.delete(n); return defs.get(n) || null; }));
  }
  return Promise.all(names.map(loadFlow));
}

function keep(d) {
  if (!d || !Array.isArray(d.states)) return;
  defs.set(d.name, d);
  try { sessionStorage.setItem(KEY + d.name, JSON.stringify({ name: d.name, states: d.states, transitions: d.transitions })); } catch { /* full: memory only */ }
}

/** Forget the flows (logout: the next session asks the server again). */
export function forgetFlows() {
  defs.clear();
  try {
    for (const name of FLOWS) sessionStorage.removeItem(KEY + name);
  } catch { /* ignore */ }
}

/** The flow's state codes in the server's order, or `fallback` when it is not loaded. */
export function flowStates(name, fallback = []) {
  const d = defs.get(name);
  return d ? d.states.map((s) => s.code) : fallback;
}

/** A state's name in the current language from the flow definition, or null when the flow does not know it. */
export function flowStateName(name, code) {
  const d = defs.get(name);
  const st = d && d.states.find((s) => s.code === code);
  if (!st) return null;
  return (getLang() === 'en' ? st.name_en || st.name_zh : st.name_zh || st.name_en) || null;
}

/** Actions the flow defines out of a state (what a button may offer; whether this user may is the entity's `actions`). */
export function flowActionsFrom(name, code) {
  const d = defs.get(name);
  if (!d) return null;
  return (d.transitions || []).filter((tr) => (tr.from || []).includes(code)).map((tr) => tr.action);
}

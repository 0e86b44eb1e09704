// Splits the app's strings by what each bundled file uses (issue 14 item 2), called by tools/webbuild.mjs. The strings
// were one file of 2,800 keys (31 KB as brotli) that every page loaded whole; a crew member's job page uses about
// half of them, the login page a third.
//
// The unit is a key's namespace (the part before the first dot: 'ticket' of 'ticket.issue'): a file uses a namespace
// when its code holds a string starting with it and a dot ('ticket.', `gate.${code}`, {key: 'nav.orders'}), which
// also covers keys the code puts together ('role.' + code, s.key + '.short'). Finer (key by key) would miss those.
//
// What it writes, per language (zh-CN, en):
//   i18n/<lang>/<entry>.json   the namespaces of an HTML page's script and what it always loads (app, portal, screen)
//   i18n/<lang>/<part>.json    a lazily loaded module's namespaces that its entry's file does not have ('jobs')
// A language other than zh-CN carries zh-CN's string where it has none (the runtime fallback of whole files, done
// once here). The whole files (i18n/<lang>.json) stay, for the server pointed at the sources and for tools.
// The plan of parts goes into each HTML page as #fg-strings: {"boot": "app", "parts": {"jobs.js": "jobs", …}}.

const FALLBACK = 'zh-CN';

/** The namespaces the code of these files uses, of those the strings have. */
function namespacesIn(codes, known) {
  const out = new Set();
  for (const code of codes) {
    for (const m of code.matchAll(/['"`]([a-z][a-z0-9_]*)\./g)) if (known.has(m[1])) out.add(m[1]);
  }
  return out;
}

const pick = (dict, ns) => Object.fromEntries(Object.entries(dict).filter(([k]) => ns.has(k.split('.')[0])));
const partName = (module) => module.replace(/\.js$/, '').replaceAll('/', '_');

/**
 * dicts: {lang: {key: string}}; code(file): a bundled file's code (file relative to js/);
 * entries: [{entry: 'app.js', files: [its files and what it always loads], lazy: {module: [files]}}].
 * Returns { files: Map('i18n/zh-CN/app.json' -> Buffer), plans: {entry: {boot, parts}} }.
 */
export function splitStrings(dicts, code, entries) {
  const base = dicts[FALLBACK];
  const known = new Set(Object.keys(base).map((k) => k.split('.')[0]));
  const full = {};
  for (const [lang, dict] of Object.entries(dicts)) full[lang] = lang === FALLBACK ? dict : { ...base, ...dict };
  const files = new Map();
  const plans = {};
  const write = (name, ns) => {
    for (const [lang, dict] of Object.entries(full))
      files.set(`i18n/${lang}/${name}.json`, Buffer.from(JSON.stringify(pick(dict, ns))));
  };
  for (const { entry, files: bootFiles, lazy } of entries) {
    const boot = partName(entry);
    const bootNs = namespacesIn(bootFiles.map(code), known);
    write(boot, bootNs);
    const parts = {};
    for (const [module, modFiles] of Object.entries(lazy)) {
      const ns = namespacesIn(modFiles.map(code), known);
      for (const n of bootNs) ns.delete(n);
      if (!ns.size) continue;
      parts[module] = partName(module);
      write(parts[module], ns);
    }
    plans[entry] = { boot, parts };
  }
  return { files, plans };
}

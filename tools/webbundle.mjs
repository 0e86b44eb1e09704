// Bundles the web app's modules for serving (issue 14 item 2), called by tools/webbuild.mjs: a page of the app comes
// as a few minified files instead of one request per source module, which on a weak network (half a second per
// round trip, 6 connections to a host over HTTP/1.1) cost more than the bytes.
//
// Rollup (npm, well kept) does the work; terser minifies. One build per HTML page's module script (app.js for
// index.html, portal.js, screen.js), so the customer portal and the large screen share no file with the staff app.
// Within a build, what a module loads with a written-out import('./x.js') (the app's pages, the offline side) is
// split off into its own file; code those share goes into shared files; and what the entry imports statically is
// known to be loaded before any page, so it is never repeated in a page's file (Rollup's chunking knows this when
// the pages are dynamic imports rather than entries of their own).
//
// Names: an entry keeps its path (js/app.js); a split-off file is js/c/<name>-<hash>.js. tools/webbuild.mjs then
// names every file by its content as before, and the page's import map maps each name to that.
import path from 'node:path';
import { rollup } from 'rollup';
import terser from '@rollup/plugin-terser';

/** The npm file behind a /vendor/ name the sources import (the same table as webbuild's), as a Rollup plugin. */
function vendorPlugin(srcRoot, nodeModules, vendor) {
  const vendorDir = path.resolve(srcRoot, 'vendor');
  return {
    name: 'fieldgrid-vendor',
    resolveId(source, importer) {
      if (!importer || !source.startsWith('.')) return null;
      const abs = path.resolve(path.dirname(importer), source);
      if (!abs.startsWith(vendorDir + path.sep)) return null;
      const rel = 'vendor/' + path.relative(vendorDir, abs).split(path.sep).join('/');
      if (!vendor[rel]) throw new Error(`webbundle: ${source} (from ${importer}) is no npm file the build knows`);
      return path.resolve(nodeModules, vendor[rel]);
    },
  };
}

// Code nearly every page of the app needs goes into the entry's own file rather than a file of its own that each
// page would then ask for: on HTTP/1.1 a browser takes 6 requests at a time and each costs a round trip. The rule:
// a module in the static closure of at least a quarter (BOOT_SHARE) of the lazily loaded modules, and those named in WITH_BOOT
// (the dashboard: the router loads it on every page, it also draws "not found").
const BOOT_SHARE = 0.25;
const WITH_BOOT = new Set(['dashboard.js']);

/** Rollup's manualChunks for an entry: the modules to keep with it, by the rule above. */
function withEntry(entryId, jsDir) {
  let keep = null;
  return (id, { getModuleIds, getModuleInfo }) => {
    if (!keep) {
      const closure = (start) => {
        const seen = new Set();
        const visit = (m) => { if (seen.has(m)) return; seen.add(m); for (const d of getModuleInfo(m)?.importedIds || []) visit(d); };
        visit(start);
        return seen;
      };
      const lazy = [...getModuleIds()].filter((m) => (getModuleInfo(m)?.dynamicImporters || []).length);
      const count = new Map();
      for (const l of lazy) for (const m of closure(l)) count.set(m, (count.get(m) || 0) + 1);
      keep = new Set(closure(entryId));
      for (const w of WITH_BOOT) { const m = path.join(jsDir, w); if (getModuleInfo(m)) for (const x of closure(m)) keep.add(x); }
      for (const [m, n] of count) if (lazy.length >= 4 && n >= lazy.length * BOOT_SHARE) keep.add(m);
    }
    return keep.has(id) ? path.basename(entryId, '.js') : undefined;
  };
}

/**
 * Bundles one entry (relative to src/js, e.g. 'app.js'). Returns
 *   files:   Map of output path (relative to src, 'js/app.js', 'js/c/jobs-1a2b3c4d.js') -> Buffer
 *   deps:    output path (relative to js/) -> the output files it imports statically (relative to js/)
 *   chunkOf: source module (relative to js/, 'jobs.js', 'offline/sync.js') -> the output file holding it
 *   lazy:    source module loaded with import('./…') -> the output file that import loads
 */
async function bundleEntry(srcRoot, nodeModules, vendor, entry) {
  const jsDir = path.resolve(srcRoot, 'js');
  const build = await rollup({
    input: { [entry.replace(/\.js$/, '')]: path.join(jsDir, entry) },
    plugins: [vendorPlugin(srcRoot, nodeModules, vendor)],
    // a module's order of evaluation is the sources' (the app relies on imports running before the importer)
    treeshake: { moduleSideEffects: true },
    // nothing imports an entry from outside its own build: its file may export what the split-off files need of it,
    // rather than being a facade that loads one more file before anything runs
    preserveEntrySignatures: false,
    onwarn(w, warn) {
      // a variable import() (none in the app's own code; Dexie has none either) stays a runtime import
      if (w.code === 'CIRCULAR_DEPENDENCY') return;
      warn(w);
    },
  });
  const { output } = await build.generate({
    format: 'es',
    dir: 'out',
    manualChunks: withEntry(path.join(jsDir, entry), jsDir),
    entryFileNames: '[name].js',
    chunkFileNames: 'c/[name]-[hash].js',
    hashCharacters: 'hex',
    plugins: [terser({ ecma: 2020, module: true, format: { comments: false } })],
  });
  await build.close();
  const files = new Map();
  const deps = {};
  const chunkOf = new Map();
  const lazy = new Map();
  const rel = (id) => path.relative(jsDir, id).split(path.sep).join('/');
  for (const c of output) {
    if (c.type !== 'chunk') continue; // no assets are emitted
    files.set('js/' + c.fileName, Buffer.from(c.code));
    deps[c.fileName] = c.imports.slice();
    if (c.isDynamicEntry && c.facadeModuleId) lazy.set(rel(c.facadeModuleId), c.fileName);
    for (const id of Object.keys(c.modules)) {
      if (id.startsWith(jsDir + path.sep)) chunkOf.set(rel(id), c.fileName);
    }
  }
  return { files, deps, chunkOf, lazy };
}

/**
 * Bundles every entry. Returns { files, deps, chunkOf, lazy } over all of them, and byEntry: entry -> its lazy (the entries' file names differ, split-off
 * files carry their content hash, so the builds' outputs never collide).
 */
export async function bundleApp(srcRoot, nodeModules, vendor, entries) {
  const all = { files: new Map(), deps: {}, chunkOf: new Map(), lazy: new Map(), byEntry: {} };
  for (const entry of entries) {
    const b = await bundleEntry(srcRoot, nodeModules, vendor, entry);
    for (const [k, v] of b.files) {
      if (all.files.has(k) && !all.files.get(k).equals(v)) throw new Error(`webbundle: two builds wrote ${k}`);
      all.files.set(k, v);
    }
    Object.assign(all.deps, b.deps);
    // a source module in two builds (dom.js in the app and the portal): the app's file is the one named for it
    for (const [k, v] of b.chunkOf) if (!all.chunkOf.has(k)) all.chunkOf.set(k, v);
    for (const [k, v] of b.lazy) if (!all.lazy.has(k)) all.lazy.set(k, v);
    all.byEntry[entry] = b.lazy;
  }
  return all;
}

/** The output files an output file needs before it runs (itself first, then what it imports, depth first). */
export function staticClosure(deps, file) {
  const seen = new Set();
  const visit = (f) => {
    if (seen.has(f)) return;
    seen.add(f);
    for (const d of deps[f] || []) visit(d);
  };
  visit(file);
  return [...seen];
}

/** A module as the code of an inline classic script (early.js): one function, nothing exported, minified. */
export async function bundleInline(srcRoot, entry) {
  const build = await rollup({ input: path.resolve(srcRoot, 'js', entry), treeshake: { moduleSideEffects: true } });
  const { output } = await build.generate({
    format: 'iife',
    plugins: [terser({ ecma: 2020, format: { comments: false } })],
  });
  await build.close();
  const code = output[0].code.trim();
  if (/<\/script|<!--/i.test(code)) throw new Error(`webbundle: ${entry} cannot be inlined into a page as it is`);
  return code;
}

// Where the app's own files are. The build (tools/webbuild.mjs) names each file by its content (js/app.<hash>.js,
// cached by browsers for a year) and writes the plain -> hashed map as the page's import map: modules find one
// another through it by themselves; what is fetched by hand (strings, the npm scripts under /vendor/) asks here.
// Served from web/ itself (no map) every name stays plain.

/** The URL to fetch the file at path ('/i18n/en.json'): its hashed name when the page maps it. */
export function assetUrl(path) {
  try {
    return import.meta.resolve(path);
  } catch {
    return path; // no import.meta.resolve (an old browser): the plain name still works, revalidated each time
  }
}

let preload = null;
const asked = new Set();
/**
 * Ask for a lazily loaded module's files all at once (modulepreload links), instead of letting the browser find
 * them one import level per round trip, which on a weak network costs more than the bytes. The list comes from the
 * build (index.html, #fg-modules: each module the app loads with import() -> its bundled files, less what the app's
 * own script loaded already); served from web/ itself there is none and this does nothing. file: relative to /js/
 * ('jobs.js').
 */
export function preloadModules(file) {
  if (preload === null) {
    try {
      preload = JSON.parse(document.getElementById('fg-modules')?.textContent || '{}');
    } catch {
      preload = {};
    }
  }
  for (const f of preload[file] || []) {
    if (asked.has(f)) continue;
    asked.add(f);
    const link = document.createElement('link');
    link.rel = 'modulepreload';
    link.href = assetUrl('/js/' + f);
    document.head.append(link);
  }
}

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

let graph = null;
const asked = new Set();
/**
 * Ask for a page module and everything it imports at once (modulepreload links), instead of letting the browser
 * find them one import level per round trip, which on a weak network costs more than the bytes. The graph comes
 * from the build (index.html, #fg-modules); without it this does nothing. file: relative to /js/ ('jobs.js').
 */
export function preloadModules(file) {
  if (graph === null) {
    try {
      graph = JSON.parse(document.getElementById('fg-modules')?.textContent || '{}');
    } catch {
      graph = {};
    }
  }
  const visit = (m) => {
    if (asked.has(m) || !graph[m]) return;
    asked.add(m);
    const link = document.createElement('link');
    link.rel = 'modulepreload';
    link.href = assetUrl('/js/' + m);
    document.head.append(link);
    for (const d of graph[m]) visit(d);
  };
  visit(file);
}

// A page's life. The router begins one for every route it draws and ends the previous one, so whatever a page
// started — polls, timers, listeners on window/document, requests still in flight — stops when the user leaves,
// instead of each page checking el.isConnected on its next tick (which left timers and in-flight requests behind,
// and nothing at all for loops that never look at the DOM).
//
//   const life = pageLife();            // the page being drawn (or the one on screen, for later clicks)
//   life.timeout(fn, ms) / life.interval(fn, ms)   timers cleared when the page ends
//   life.listen(target, type, fn)       a listener removed when the page ends
//   life.sleep(ms)                      resolves after ms; rejects with an AbortError once the page ended
//   life.signal                         an AbortSignal for fetch (api.get(path, query, { signal }))
//   life.onEnd(fn)                      anything else (a camera stream, a chart)
//   life.ended                          true once the user left
//   life.debouncer(ms)                  (fn) => runs fn ms after the last call, never after the page ended

class PageLife {
  constructor() {
    this.ctrl = new AbortController();
    this.timers = new Set();
    this.cleanups = [];
  }

  get signal() { return this.ctrl.signal; }
  get ended() { return this.ctrl.signal.aborted; }

  timeout(fn, ms) {
    if (this.ended) return null;
    const id = setTimeout(() => { this.timers.delete(id); if (!this.ended) fn(); }, ms);
    this.timers.add(id);
    return id;
  }

  interval(fn, ms) {
    if (this.ended) return null;
    const id = setInterval(() => { if (!this.ended) fn(); }, ms);
    this.timers.add(id);
    return id;
  }

  /** Stop a timer from timeout() or interval() early. */
  clear(id) {
    if (id === null || id === undefined) return;
    clearTimeout(id);
    clearInterval(id);
    this.timers.delete(id);
  }

  listen(target, type, fn, opts = {}) {
    if (this.ended) return;
    target.addEventListener(type, fn, { ...opts, signal: this.signal });
  }

  sleep(ms) {
    return new Promise((resolve, reject) => {
      if (this.ended) { reject(abortError()); return; }
      const id = this.timeout(() => { this.signal.removeEventListener('abort', onAbort); resolve(); }, ms);
      const onAbort = () => { this.clear(id); reject(abortError()); };
      this.signal.addEventListener('abort', onAbort, { once: true });
    });
  }

  debouncer(ms) {
    let id = null;
    const run = (fn) => { this.clear(id); id = this.timeout(fn, ms); };
    run.cancel = () => { this.clear(id); id = null; };
    return run;
  }

  onEnd(fn) {
    if (this.ended) { fn(); return; }
    this.cleanups.push(fn);
  }

  end() {
    if (this.ended) return;
    for (const id of this.timers) { clearTimeout(id); clearInterval(id); }
    this.timers.clear();
    this.ctrl.abort();
    for (const fn of this.cleanups.splice(0)) {
      try { fn(); } catch (e) { console.error('page cleanup', e); } // one failing cleanup must not keep the rest alive
    }
  }
}

function abortError() {
  return new DOMException('the page was left', 'AbortError');
}

/** True for the error a request or sleep fails with because its page ended. */
export function isAbort(e) {
  return !!e && e.name === 'AbortError';
}

// Before the first route (and for code that runs outside any page) there is an ended life, so nothing started
// there outlives the call that started it.
let current = new PageLife();
current.end();

/** The router: end the page on screen and begin the next one. */
export function beginPage() {
  current.end();
  current = new PageLife();
  return current;
}

/** The router, when no page is on screen any more (the login form). */
export function endPage() {
  current.end();
}

/** The life of the page being drawn or on screen. */
export function pageLife() {
  return current;
}

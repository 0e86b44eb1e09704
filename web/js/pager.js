// The list pager every list page shares: the first page on reload (filters changed, a record created), the next one
// on "load more" (next_cursor), a late answer to an older query dropped, errors shown in the page's box, and the
// "load more" button drawn only while the server says there is more. The page keeps its filters and its table.
//
//   const list = listPager({ path: '/work-orders', query, err, box: listBox, draw, moreTestid: 'orders-more' });
//   list.reload();                 // GET path?query()           -> list.items, list.total, list.nextCursor; draw()
//   list.more(button)              // GET path?query()&cursor=…  -> list.items grows; draw()
//   list.moreButton()              // the "load more" row, or null at the end of the list
//
// Requests carry the page's AbortSignal (lifecycle.js): leaving the page cancels a list still loading.
import { h, mount } from './dom.js';
import { t } from './i18n.js';
import { get } from './api.js';
import { pageLife, isAbort } from './lifecycle.js';

/**
 * listPager({path, query, err, box, draw, moreTestid}):
 *   path        the list endpoint under /api/v1
 *   query()     the current filters (with limit); called on every request
 *   err         a box with show(errOrNull) (ui.errorBox / fw.problemBox)
 *   box         the list's element, emptied when the first page fails
 *   draw()      redraws the list from list.items / list.total / list.nextCursor
 *   moreTestid  data-testid of the "load more" button
 */
export function listPager({ path, query, err, box, draw, moreTestid }) {
  const life = pageLife();
  let seq = 0; // the query in force; an answer to an older one is dropped
  const list = {
    items: [],
    nextCursor: null,
    total: null,

    async reload() {
      const my = ++seq;
      err.show(null);
      try {
        const r = await get(path, query(), { signal: life.signal });
        if (my !== seq) return;
        list.items = (r && r.items) || [];
        list.nextCursor = r && r.next_cursor;
        list.total = r && typeof r.total === 'number' ? r.total : null;
        draw();
      } catch (ex) {
        if (my !== seq || isAbort(ex)) return;
        err.show(ex);
        mount(box);
      }
    },

    async more(btn) {
      const my = seq;
      if (btn) btn.disabled = true; // one click, one page
      try {
        const r = await get(path, { ...query(), cursor: list.nextCursor }, { signal: life.signal });
        if (my !== seq) return;
        list.items = list.items.concat((r && r.items) || []);
        list.nextCursor = r && r.next_cursor;
        if (r && typeof r.total === 'number') list.total = r.total;
        draw();
      } catch (ex) {
        if (isAbort(ex)) return;
        if (btn) btn.disabled = false;
        err.show(ex);
      }
    },

    moreButton() {
      if (!list.nextCursor) return null;
      return h('div.more', h('button.btn', {
        type: 'button', testid: moreTestid, text: t('common.load_more'), onclick: (e) => list.more(e.currentTarget),
      }));
    },
  };
  return list;
}

// 大屏显示链接 /screen-links (issue 12 item 7, R1.5; docs/api.md "Metering: large screen"): a metering admin (metering.admin)
// makes a read-only display link for a wall screen — its URL shown once, with a copy button and a QR code (made by
// the server from this page's own origin) — lists the links with who made them and when each was last used, and
// revokes one (the screen stops at its next refresh).
import { h, mount } from './dom.js';
import { t, fmtTime } from './i18n.js';
import { get, post } from './api.js';
import { toast, dataTable, loading, formDialog, confirmDialog, badge } from './ui.js';
import { problemBox } from './fw.js';

export function renderScreenLinks(el, { path }) {
  if (path !== '/screen-links') return false;
  const err = problemBox('screenlinks-error');
  const box = h('div', loading());
  const shown = h('div', { testid: 'screenlinks-shown' });
  async function load() {
    err.show(null);
    try {
      const r = await get('/screen/links');
      mount(box, dataTable({
        testid: 'screenlinks-table', rowTestid: (x) => 'screenlink-' + x.id, empty: t('screenlinks.empty'), rows: r.items,
        columns: [
          { label: t('screenlinks.col.name'), key: 'name' },
          { label: t('screenlinks.col.created_by'), render: (x) => x.created_by.display_name },
          { label: t('screenlinks.col.created_at'), render: (x) => fmtTime(x.created_at) },
          { label: t('screenlinks.col.last_used_at'), render: (x) => (x.last_used_at ? fmtTime(x.last_used_at) : t('screenlinks.never')) },
          { label: t('screenlinks.col.status'), render: (x) => (x.revoked_at
            ? badge(t('screenlinks.revoked'), 'muted') : badge(t('screenlinks.active'), 'ok')) },
          { label: '', render: (x) => (x.revoked_at ? '' : h('button.btn.btn-danger', {
            type: 'button', testid: 'screenlink-revoke-' + x.id, text: t('screenlinks.revoke'),
            onclick: async () => {
              if (!await confirmDialog({ title: t('screenlinks.revoke'), body: t('screenlinks.revoke_confirm', { name: x.name }), danger: true,
                confirm: t('screenlinks.revoke') })) return;
              try { await post(`/screen/links/${x.id}/actions/revoke`); toast(t('screenlinks.revoked')); load(); } catch (e) { err.show(e); }
            } })) },
        ],
      }));
    } catch (e) {
      mount(box);
      err.show(e);
    }
  }
  /** The new link, this once: the URL to copy and its QR code (the server's SVG, shown as an image: never as markup). */
  function showOnce(link) {
    const img = h('img.screenlink-qr', { testid: 'screenlink-qr', alt: 'QR', width: '200', height: '200',
      src: link.qr_svg ? URL.createObjectURL(new Blob([link.qr_svg], { type: 'image/svg+xml' })) : null });
    const url = h('input.input', { testid: 'screenlink-url', readonly: true, value: link.url, 'aria-label': 'URL' });
    mount(shown, h('div.card', { testid: 'screenlink-created' },
      h('h2', { text: t('screenlinks.created') + ' · ' + link.name }),
      h('p.muted', { text: t('screenlinks.once') }),
      h('div.screenlink-once', { style: 'display:flex;gap:16px;align-items:flex-start;flex-wrap:wrap' },
        link.qr_svg ? img : null,
        h('div', { style: 'flex:1;min-width:280px' }, url,
          h('div', { style: 'display:flex;gap:8px;margin-top:8px' },
            h('button.btn.btn-primary', { type: 'button', testid: 'screenlink-copy', text: t('screenlinks.copy'), onclick: async () => {
              try { await navigator.clipboard.writeText(link.url); } catch { url.select(); document.execCommand('copy'); }
              toast(t('screenlinks.copied'));
            } }),
            h('a.btn', { href: link.url, target: '_blank', rel: 'noopener noreferrer', testid: 'screenlink-open', text: t('screenlinks.open') }))))));
  }
  const add = h('button.btn.btn-primary', { type: 'button', testid: 'screenlinks-new', text: t('screenlinks.new'), onclick: async () => {
    const link = await formDialog({ title: t('screenlinks.new'), testid: 'screenlink-form', submit: t('screenlinks.new'),
      fields: [{ name: 'name', label: t('screenlinks.name'), required: true, attrs: { maxlength: '100' } }],
      onSubmit: (v) => post('/screen/links', { name: v.name.trim(), base_url: location.origin }) });
    if (!link) return;
    showOnce(link);
    load();
  } });
  el.append(h('div.page-head', h('h1.page-title', { text: t('screenlinks.title'), tabindex: '-1' }), add),
    h('p.muted', { text: t('screenlinks.intro') }), err, shown, box);
  load();
  return true;
}

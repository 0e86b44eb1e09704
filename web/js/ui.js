// Shared widgets: notices, error boxes, confirm dialog, responsive tables.
import { h, clear } from './dom.js';
import { t } from './i18n.js';

/** A message box for an ApiError or plain text. Returns the element (hidden when empty). */
export function errorBox(testid) {
  const el = h('div.alert.alert-error', { role: 'alert', testid, hidden: true });
  el.show = (errOrText, hint) => {
    clear(el);
    if (!errOrText) { el.hidden = true; return; }
    const msg = typeof errOrText === 'string' ? errOrText : (errOrText.message || t('error.unknown'));
    el.append(h('span.alert-msg', { text: msg }));
    if (hint) el.append(h('span.alert-hint', { text: hint, testid: testid ? testid + '-hint' : undefined }));
    el.hidden = false;
  };
  return el;
}

let toastTimer = null;
/** A short status message at the top of the page. */
export function toast(text, kind = 'ok') {
  let el = document.getElementById('fg-toast');
  if (!el) {
    el = h('div#fg-toast.toast', { role: 'status', 'aria-live': 'polite', testid: 'toast' });
    document.body.append(el);
  }
  el.className = 'toast toast-' + kind + ' show';
  el.textContent = text;
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => el.classList.remove('show'), 4000);
}

/** A modal yes/no question. Resolves true when confirmed. */
export function confirmDialog({ title, body, confirm, danger = false }) {
  return new Promise((resolve) => {
    const dlg = h('dialog.dialog', { testid: 'confirm-dialog', 'aria-labelledby': 'fg-dlg-title' });
    const done = (v) => { dlg.close(); dlg.remove(); resolve(v); };
    const form = h('form.dialog-body', { method: 'dialog' },
      h('h2#fg-dlg-title.dialog-title', { text: title }),
      body ? h('p.dialog-text', { text: body }) : null,
      h('div.dialog-actions',
        h('button.btn', { type: 'button', testid: 'confirm-cancel', text: t('common.cancel'), onclick: () => done(false) }),
        h(danger ? 'button.btn.btn-danger' : 'button.btn.btn-primary',
          { type: 'button', testid: 'confirm-ok', text: confirm || t('common.ok'), onclick: () => done(true) })));
    dlg.append(form);
    dlg.addEventListener('cancel', (e) => { e.preventDefault(); done(false); });
    document.body.append(dlg);
    dlg.showModal();
  });
}

/**
 * A table that turns into stacked cards on phones. columns: [{key, label, render(row) -> Node|string, cls}]
 */
export function dataTable({ columns, rows, testid, rowTestid, empty }) {
  const table = h('table.table', { testid });
  const thead = h('thead', h('tr', columns.map((c) => h('th', { scope: 'col', class: c.cls, text: c.label }))));
  const tbody = h('tbody');
  if (!rows.length) {
    tbody.append(h('tr.empty-row', h('td', { colspan: String(columns.length), text: empty || t('common.empty') })));
  }
  for (const row of rows) {
    const tr = h('tr', { testid: rowTestid ? rowTestid(row) : undefined });
    for (const c of columns) {
      const v = c.render ? c.render(row) : row[c.key];
      const td = h('td', { class: c.cls, 'data-label': c.label });
      if (v instanceof Node) td.append(v);
      else td.textContent = v === null || v === undefined || v === '' ? '—' : String(v);
      tr.append(td);
    }
    tbody.append(tr);
  }
  table.append(thead, tbody);
  return h('div.table-wrap', table);
}

export function loading() {
  return h('div.loading', { role: 'status', testid: 'loading' }, h('span.spinner', { 'aria-hidden': 'true' }), h('span', { text: t('common.loading') }));
}

export function badge(text, kind = '') {
  return h('span.badge', { class: kind ? 'badge-' + kind : '', text });
}

/** Labelled form field. */
export function field(label, input, { hint, wide } = {}) {
  const id = input.id || ('f-' + Math.random().toString(36).slice(2, 9));
  input.id = id;
  return h('div.field', { class: wide ? 'field-wide' : '' },
    h('label.field-label', { for: id, text: label }),
    input,
    hint ? h('div.field-hint', { text: hint }) : null);
}

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

/**
 * A modal form whose submit calls the server. fields: [{name, label, type: 'password'|'text'|'textarea'|'select'|
 * 'radio'|'number', options: [{value, label}], value, required, hint, attrs}]. onSubmit(values) does the call; a
 * refusal stays in the dialog (the server's message, the named field marked; a locked account says when to retry),
 * so a wrong password can be typed again. Resolves onSubmit's result, or null when cancelled.
 */
export function formDialog({ title, body, fields = [], submit, danger = false, testid = 'form-dialog', box, onSubmit }) {
  return new Promise((resolve) => {
    const dlg = h('dialog.dialog.form-dialog', { testid, 'aria-labelledby': testid + '-title' });
    const err = box || errorBox(testid + '-error');
    const inputs = {};
    const wraps = {};
    const rows = fields.map((f) => {
      let input;
      if (f.type === 'textarea') {
        input = h('textarea.input', { name: f.name, rows: f.rows || '3', testid: testid + '-' + f.name, ...(f.attrs || {}) });
        if (f.value) input.value = f.value;
      } else if (f.type === 'select') {
        input = h('select.input', { name: f.name, testid: testid + '-' + f.name },
          (f.options || []).map((o) => h('option', { value: o.value, text: o.label, selected: o.value === f.value })));
      } else if (f.type === 'radio') {
        input = h('div.radio-row', { role: 'radiogroup', testid: testid + '-' + f.name },
          (f.options || []).map((o) => h('label.radio-card',
            h('input', { type: 'radio', name: testid + '-' + f.name, value: o.value, checked: o.value === f.value,
              testid: `${testid}-${f.name}-${o.value}` }),
            h('span', { text: o.label }))));
        input.getValue = () => { const c = input.querySelector('input:checked'); return c ? c.value : ''; };
      } else {
        input = h('input.input', {
          name: f.name, type: f.type || 'text', testid: testid + '-' + f.name, value: f.value,
          autocomplete: f.type === 'password' ? 'current-password' : 'off', ...(f.attrs || {}),
        });
      }
      inputs[f.name] = input;
      if (f.type === 'radio') {
        wraps[f.name] = h('fieldset.field', h('legend.field-label', { text: f.label }), input, f.hint ? h('div.field-hint', { text: f.hint }) : null);
      } else {
        wraps[f.name] = field(f.label, input, { hint: f.hint });
      }
      return wraps[f.name];
    });
    const ok = h(danger ? 'button.btn.btn-danger' : 'button.btn.btn-primary', { type: 'submit', testid: testid + '-submit', text: submit || t('common.ok') });
    const cancel = h('button.btn', { type: 'button', testid: testid + '-cancel', text: t('common.cancel') });
    const form = h('form.dialog-body', { novalidate: true },
      h('h2.dialog-title', { id: testid + '-title', text: title }),
      body ? (body instanceof Node ? body : h('p.dialog-text', { text: body })) : null,
      rows, err,
      h('div.dialog-actions', cancel, ok));
    dlg.append(form);
    const done = (v) => { dlg.close(); dlg.remove(); resolve(v); };
    cancel.addEventListener('click', () => done(null));
    dlg.addEventListener('cancel', (e) => { e.preventDefault(); if (!ok.disabled) done(null); });
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      err.show(null);
      for (const w of Object.values(wraps)) w.classList.remove('invalid');
      const values = {};
      for (const f of fields) {
        const input = inputs[f.name];
        const v = input.getValue ? input.getValue() : input.value;
        if (f.required && !String(v).trim()) {
          wraps[f.name].classList.add('invalid');
          err.show(t('form.required', { field: f.label }));
          (input.querySelector ? input.querySelector('input') || input : input).focus();
          return;
        }
        values[f.name] = v;
      }
      ok.disabled = true;
      try {
        const r = await onSubmit(values);
        done(r === undefined ? true : r);
      } catch (ex) {
        ok.disabled = false;
        const f = ex && ex.details ? ex.details.field : null;
        if (f && wraps[f]) wraps[f].classList.add('invalid');
        let hint;
        if (ex && ex.code === 'account_locked') {
          const secs = Number(ex.details && ex.details.retry_after) || 900;
          hint = t('login.locked_retry', { minutes: Math.max(1, Math.ceil(secs / 60)) });
        }
        err.show(ex, hint);
        const pw = fields.find((x) => x.type === 'password');
        if (pw && inputs[pw.name]) { inputs[pw.name].value = ''; inputs[pw.name].focus(); }
      }
    });
    document.body.append(dlg);
    dlg.showModal();
    const first = form.querySelector('input:not([type=radio]), textarea, select');
    if (first) first.focus();
  });
}

/**
 * A file to print or keep (a PDF the server made): a link that opens it in a new tab (or saves it as filename).
 * url: an object URL (api.js contentUrl / postForFile).
 */
export function fileLink(url, filename, { testid, text } = {}) {
  return h('a.btn.btn-link', { href: url, target: '_blank', rel: 'noopener', testid, text: text || filename, title: filename });
}

/**
 * An empty state that says what to do next instead of an empty table or chart: the text, and when the viewer may
 * do it, a link to where it is done (navigate: the app's router, for a same-page move).
 */
export function emptyState({ text, testid, action, href, navigate }) {
  const link = action && href ? h('a.btn.btn-primary', {
    href, testid: testid ? testid + '-action' : undefined, text: action,
    onclick: (e) => { if (navigate && e.button === 0 && !e.ctrlKey && !e.metaKey) { e.preventDefault(); navigate(href); } },
  }) : null;
  return h('div.empty-state', { testid, role: 'status' }, h('p', { text }), link);
}

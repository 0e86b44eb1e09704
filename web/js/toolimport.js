// 导入 / Import on the tool keeper's desk (R3.6): pick a CSV or XLSX file, upload it as the raw body of
// POST /tools/imports, poll GET /tools/imports/{id} with a progress bar, then either the count of tools added (the
// caller refreshes the ledger) or the table of bad cells (row, cell, value, message) with the report as a CSV
// download (GET …/errors.csv). Nothing is imported when any cell is bad, so the keeper fixes the file and
// uploads it again. The template (GET /tools/imports/template.csv) names every column the import reads.
import { h, mount, clear } from './dom.js';
import { pageLife, isAbort } from './lifecycle.js';
import { t, acceptLanguage } from './i18n.js';
import { ApiError, getToken } from './api.js';
import { dataTable } from './ui.js';
import { problemBox } from './fw.js';

const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
const POLL_MS = 400;

function headers(extra = {}) {
  const hd = { Accept: 'application/json', 'Accept-Language': acceptLanguage(), ...extra };
  const tok = getToken();
  if (tok) hd.Authorization = 'Bearer ' + tok;
  return hd;
}

async function call(method, path, { body, type, signal } = {}) {
  let res;
  try {
    res = await fetch('/api/v1' + path, { method, headers: headers(type ? { 'Content-Type': type } : {}), body,
      credentials: 'same-origin', cache: 'no-store', signal });
  } catch (e) {
    if (isAbort(e)) throw e;
    throw new ApiError(0, 'network', t('error.network'), { cause: String(e) });
  }
  if (!res.ok) {
    let data = null;
    try { data = JSON.parse(await res.text()); } catch { data = null; }
    const e = (data && data.error) || {};
    throw new ApiError(res.status, e.code || 'http_' + res.status, e.message || t('error.http', { status: res.status }), e.details);
  }
  return res;
}

/** The type the server reads the bytes as: the browser's guess is unreliable for .csv (Windows says ms-excel). */
function typeOf(file) {
  return /\.xlsx$/i.test(file.name || '') ? XLSX : /\.csv$/i.test(file.name || '') ? 'text/csv' : (file.type || 'application/octet-stream');
}

/** Saves what a GET answers as a file (the bearer header rules out a plain link). */
async function save(path, filename) {
  const res = await call('GET', path);
  const url = URL.createObjectURL(await res.blob());
  const a = h('a', { href: url, download: filename, hidden: true });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/**
 * The import panel. onImported(job) runs after a successful import (refresh the ledger there); onClose hides it.
 */
export function importPanel({ onImported, onClose }) {
  const input = h('input', { type: 'file', testid: 'tool-import-file', accept: '.csv,.xlsx,text/csv,' + XLSX, hidden: true });
  const pick = h('button.btn.btn-primary', { type: 'button', testid: 'tool-import-pick', text: t('import.pick') });
  const template = h('button.btn', { type: 'button', testid: 'tool-import-template', text: t('import.template') });
  const close = h('button.btn', { type: 'button', testid: 'tool-import-close', text: t('common.close') });
  const status = h('div', { testid: 'tool-import-status', 'aria-live': 'polite' });
  const err = problemBox('tool-import-error');
  const result = h('div', { testid: 'tool-import-result' });
  const panel = h('section.card', { testid: 'tool-import' },
    h('h2.section-title', { text: t('import.title') }),
    h('p.muted.small', { text: t('import.hint') }),
    h('div.action-bar', pick, template, close, input), err, status, result);

  pick.addEventListener('click', () => input.click());
  close.addEventListener('click', () => onClose && onClose());
  template.addEventListener('click', () => save('/tools/imports/template.csv', 'tools-import-template.csv').catch((ex) => err.show(ex)));
  input.addEventListener('change', () => {
    const f = input.files && input.files[0];
    input.value = '';
    if (f) run(f);
  });

  function bar(job) {
    const p = (job && job.progress) || { percent: 0, phase: 'queued', rows_checked: 0, rows_written: 0, rows_total: 0 };
    const phase = t('import.phase.' + p.phase);
    const text = p.phase === 'writing'
      ? t('import.progress_writing', { done: p.rows_written, total: p.rows_total })
      : t('import.progress_checking', { done: p.rows_checked, total: p.rows_total });
    mount(status, h('div.progress', { testid: 'tool-import-progress', dataset: { phase: p.phase } },
      h('div.progress-track', { role: 'progressbar', 'aria-valuemin': '0', 'aria-valuemax': '100', 'aria-valuenow': String(p.percent), 'aria-label': phase },
        h('div.progress-fill', { style: `width:${p.percent}%` + (p.phase === 'failed' ? ';background:var(--danger)' : '') })),
      h('span.progress-text', { text: `${phase} · ${text}` })));
  }

  function report(job) {
    const rows = job.errors || [];
    const more = job.error_count > rows.length ? h('p.muted.small', { text: t('import.more_errors', { n: job.error_count - rows.length }) }) : null;
    const table = dataTable({
      testid: 'tool-import-errors',
      rowTestid: (e) => 'tool-import-error-' + (e.cell || e.row + '-' + e.field),
      rows,
      columns: [
        { label: t('import.col_row'), cls: 'col-time', render: (e) => String(e.row) },
        { label: t('import.col_cell'), render: (e) => h('span.mono', { text: e.cell || '—' }) },
        { label: t('import.col_column'), render: (e) => e.column || e.field || '—' },
        { label: t('import.col_value'), render: (e) => (e.value == null ? '—' : h('span.mono', { text: e.value })) },
        { label: t('import.col_message'), render: (e) => e.message },
      ],
    });
    const dl = h('button.btn', { type: 'button', testid: 'tool-import-download', text: t('import.download_report') });
    dl.addEventListener('click', () => save(`/tools/imports/${encodeURIComponent(job.id)}/errors.csv`, 'import-errors.csv').catch((ex) => err.show(ex)));
    mount(result,
      h('p.alert.alert-error', { testid: 'tool-import-failed', text: job.error ? job.error.message : t('import.failed') }),
      table, more, h('div.action-bar', dl));
  }

  async function run(file) {
    err.show(null);
    clear(result);
    pick.disabled = true;
    bar(null);
    try {
      const res = await call('POST', '/tools/imports?filename=' + encodeURIComponent(file.name || ''), { body: file, type: typeOf(file) });
      let job = await res.json();
      bar(job);
      // Follow the job while the page is open; leaving it ends the loop (the import itself goes on on the server).
      const life = pageLife();
      while (job.state === 'queued' || job.state === 'running') {
        await life.sleep(POLL_MS);
        job = await (await call('GET', '/tools/imports/' + encodeURIComponent(job.id), { signal: life.signal })).json();
        bar(job);
      }
      if (job.state === 'done') {
        const ignored = (job.ignored_columns || []).map((c) => c.column);
        mount(result, h('p.alert.alert-ok', { testid: 'tool-import-done', dataset: { created: String(job.created) },
          text: t('import.done', { n: job.created }) + (ignored.length ? ' ' + t('import.ignored', { cols: ignored.join('、') }) : '') }));
        if (onImported) onImported(job);
      } else {
        report(job);
      }
    } catch (ex) {
      if (isAbort(ex)) return;
      clear(status);
      err.show(ex);
    } finally {
      pick.disabled = false;
    }
  }

  return panel;
}

// 安全工器具 /tools[/{id}] (R3.6), the tool keeper's desk: the due summary (GET /tools/due?days=30), the ledger
// with filters (kind from GET /kb/tool_kinds, computed status overdue / test_due_soon, custody, free text) and
// "load more", the create form (tools.write), and one tool: its fields, next test due, test history, a new test
// record (tools.write), its QR label (GET /tools/{id}/qr) with a label-only print, and return when checked out.
// 导入 / Import (toolimport.js): a CSV/XLSX upload with a progress bar and the table of bad cells.
// /scan (the phone's label scan) lives in scan.js and is routed from here.
import { h, mount, clear, icon } from './dom.js';
import { pageLife } from './lifecycle.js';
import { listPager } from './pager.js';
import { t, fmtTime, todayShanghai } from './i18n.js';
import { get, post, postForFile } from './api.js';
import { canToolsWrite } from './perm.js';
import { toast, dataTable, loading, field, formDialog, fileLink } from './ui.js';
import { problemBox, markServerField, clearMarks, kvList, masterDetail, detailHead, subId, appLink } from './fw.js';
import {
  TOOL_CUSTODY, RETURN_CONDITIONS, toolKinds, toolKindName, toolStatusBadge, toolStatusName, dueCell, relDue, dueClass,
  qrUrl, dueSummary, giveBack, refusalText,
} from './toolkit.js';
import { renderScan } from './scan.js';
import { importPanel } from './toolimport.js';

const PAGE = 30;
const remembered = { kind: '', status: '', custody: '', q: '' };

export function renderTools(el, ctx) {
  const { me, path, navigate } = ctx;
  if (path === '/scan') return renderScan(el, ctx);
  const openId = subId(path, '/tools');
  if (openId === null) return false;

  // /tools?status=overdue|test_due_soon (the dashboard's due summary links here)
  const asked = new URLSearchParams(location.search).get('status');
  if (asked === 'overdue' || asked === 'test_due_soon') Object.assign(remembered, { status: asked, kind: '', custody: '', q: '' });
  if (location.search) history.replaceState(null, '', location.pathname);
  let kinds = [];
  let selected = null;
  const canWrite = canToolsWrite(me);

  const kind = h('select.input', { testid: 'tools-kind-filter', 'aria-label': t('tool.kind') },
    h('option', { value: '', text: t('tool.all_kinds') }));
  const status = h('select.input', { testid: 'tools-status-filter', 'aria-label': t('tool.filter_status') },
    h('option', { value: '', text: t('tool.all_statuses') }),
    ['overdue', 'test_due_soon'].map((s) => h('option', { value: s, text: toolStatusName(s), selected: s === remembered.status })));
  const custody = h('select.input', { testid: 'tools-custody-filter', 'aria-label': t('tool.custody') },
    h('option', { value: '', text: t('tool.all_custody') }),
    TOOL_CUSTODY.map((s) => h('option', { value: s, text: t('tool.custody.' + s), selected: s === remembered.custody })));
  const q = h('input.input.search.wide', {
    type: 'search', testid: 'tools-search', placeholder: t('tool.search_placeholder'), 'aria-label': t('tool.search'),
    autocomplete: 'off', spellcheck: 'false', value: remembered.q,
  });
  const filters = h('form.filters', { role: 'search', testid: 'tools-filters' }, q, kind, status, custody,
    h('button.btn', { type: 'submit', testid: 'tools-search-submit', text: t('users.search') }));
  const debounce = pageLife().debouncer(350);
  q.addEventListener('input', () => debounce(reload));
  for (const s of [kind, status, custody]) s.addEventListener('change', () => reload());
  filters.addEventListener('submit', (e) => { e.preventDefault(); debounce.cancel(); reload(); });

  const summary = dueSummary({
    testid: 'tools-due', days: 30,
    onPick: (s) => { status.value = s; custody.value = ''; kind.value = ''; q.value = ''; reload(); },
  });
  const newBtn = h('button.btn.btn-primary', { type: 'button', testid: 'tool-new', onclick: () => showForm() }, h('span', { text: t('tool.new') }));
  const importBtn = h('button.btn', { type: 'button', testid: 'tool-import-open', onclick: () => showImport() }, h('span', { text: t('import.open') }));
  const importBox = h('div');
  const scanBtn = appLink('/scan', t('tool.scan'), navigate, { class: 'btn', testid: 'tools-scan' });
  const formBox = h('div');
  const err = problemBox('tools-error');
  const listBox = h('div', loading());
  const md = masterDetail('/tools');

  const query = () => {
    remembered.kind = kind.value;
    remembered.status = status.value;
    remembered.custody = custody.value;
    remembered.q = q.value.trim();
    return { kind: remembered.kind, status: remembered.status, custody: remembered.custody, q: remembered.q, limit: PAGE };
  };

  const list = listPager({ path: '/tools', query, err, box: listBox, draw, moreTestid: 'tools-more' });
  const reload = () => list.reload();

  // Label sheet for several tools (POST /tools/labels): tick them in the list, then print; the ticks survive paging
  // and filtering, so a sheet can gather tools from several searches.
  const picked = new Map(); // id -> asset_no
  const LABELS_MAX = 240;
  const printBtn = h('button.btn', { type: 'button', testid: 'tools-print-labels', disabled: true });
  const printBox = h('span.print-link', { testid: 'tools-print-box' });
  const drawPicked = () => {
    printBtn.replaceChildren(icon('tools', 'icon icon-sm'), h('span', { text: t('tool.print_labels', { n: picked.size }) }));
    printBtn.disabled = picked.size === 0 || picked.size > LABELS_MAX;
  };
  drawPicked();
  printBtn.addEventListener('click', async () => {
    printBtn.disabled = true;
    err.show(null);
    try {
      const url = await postForFile('/tools/labels', { tool_ids: Array.from(picked.keys()) });
      const a = fileLink(url, 'tool-labels.pdf', { testid: 'tools-labels-link', text: t('tool.labels_open') });
      printBox.replaceChildren(a);
      window.open(url, '_blank'); // the sheet in its own tab, to print; the link stays for a blocked pop-up
    } catch (ex) {
      err.show(ex);
    } finally {
      drawPicked();
    }
  });

  const kname = (tool) => toolKindName(kinds, tool.kind, tool.kind_name);
  const place = (tool) => [tool.store, tool.location].filter(Boolean).join(' · ');

  function draw() {
    const byTestid = new Map(list.items.map((x) => ['tool-row-' + x.asset_no, x]));
    const table = dataTable({
      testid: 'tools-table',
      rowTestid: (x) => 'tool-row-' + x.asset_no,
      empty: t('tool.empty'),
      rows: list.items,
      columns: [
        {
          label: t('tool.pick'), cls: 'col-pick',
          render: (x) => {
            const cb = h('input', { type: 'checkbox', testid: 'tool-pick-' + x.asset_no, checked: picked.has(x.id),
              'aria-label': t('tool.pick_aria', { asset_no: x.asset_no }) });
            cb.addEventListener('change', () => { if (cb.checked) picked.set(x.id, x.asset_no); else picked.delete(x.id); drawPicked(); });
            return h('label.pick', cb);
          },
        },
        {
          label: t('tool.asset_no'),
          render: (x) => h('div.cell-main',
            appLink('/tools/' + encodeURIComponent(x.id), x.asset_no, () => open(x.id), { class: 'mono row-open' }),
            x.name ? h('div.cell-sub', { text: x.name }) : null),
        },
        { label: t('tool.kind'), render: (x) => kname(x) },
        { label: t('tool.place'), cls: 'col-opt', render: (x) => place(x) || '—' },
        { label: t('tool.status'), render: (x) => toolStatusBadge(x.status, 'tool-row-status') },
        { label: t('tool.next_test_due'), cls: 'col-time', render: (x) => dueCell(x) },
      ],
    });
    table.addEventListener('click', (e) => {
      if (e.target.closest('a, button, label.pick, input')) return;
      const tr = e.target.closest('tr[data-testid]');
      const x = tr && byTestid.get(tr.dataset.testid);
      if (x) open(x.id);
    });
    for (const tr of table.querySelectorAll('tbody tr[data-testid]')) {
      tr.classList.add('row-link');
      const x = byTestid.get(tr.dataset.testid);
      if (x && selected && x.id === selected) tr.classList.add('selected');
    }
    mount(listBox,
      h('p.muted', { testid: 'tools-total', text: t('common.total', { n: typeof list.total === 'number' ? list.total : list.items.length }) }),
      table,
      list.moreButton());
  }

  // ---------------------------------------------------------------- one tool

  function open(id, { push = true } = {}) {
    selected = id;
    md.show(id, { push });
    for (const tr of listBox.querySelectorAll('tbody tr')) tr.classList.toggle('selected', false);
    const row = list.items.find((x) => x.id === id);
    if (row) {
      const tr = listBox.querySelector(`tr[data-testid="tool-row-${CSS.escape(row.asset_no)}"]`);
      if (tr) tr.classList.add('selected');
    }
    loadDetail(id);
  }

  function close() {
    selected = null;
    md.hide();
    for (const tr of listBox.querySelectorAll('tbody tr')) tr.classList.remove('selected');
  }

  async function loadDetail(id) {
    if (!md.detail.querySelector('[data-testid="tool-detail"]')) mount(md.detail, h('section.card.detail-card', { testid: 'tool-detail' }, loading()));
    let tool;
    try {
      tool = await get('/tools/' + encodeURIComponent(id));
    } catch (ex) {
      if (selected !== id) return;
      const box = problemBox('tool-detail-error');
      box.show(ex);
      mount(md.detail, h('section.card.detail-card', { testid: 'tool-detail' },
        detailHead({ number: '', title: t('tool.detail'), badges: [], onClose: close, testid: 'tool-detail' }), box));
      return;
    }
    if (selected !== id) return;
    const i = list.items.findIndex((x) => x.id === tool.id);
    if (i >= 0) { list.items[i] = { ...list.items[i], ...tool }; draw(); }
    drawDetail(tool);
  }

  function drawDetail(tool) {
    const box = problemBox('tool-action-error');
    const qrImg = h('img.qr-img', { testid: 'tool-qr-img', alt: t('tool.qr_alt', { asset: tool.asset_no }) });
    const qrBox = h('figure.qr-label', { testid: 'tool-qr' }, h('span.spinner', { 'aria-hidden': 'true' }));
    let qrSrc = null;
    qrUrl(tool.id).then((url) => {
      qrSrc = url;
      qrImg.src = url;
      qrBox.replaceChildren(qrImg, h('figcaption.qr-caption.mono', { text: tool.asset_no }));
      printBtn.disabled = false;
    }).catch((ex) => { qrBox.replaceChildren(h('span.small.alert-error', { testid: 'tool-qr-error', text: ex.message })); });

    const printBtn = h('button.btn', { type: 'button', testid: 'tool-print', disabled: true },
      icon('tools', 'icon icon-sm'), h('span', { text: t('tool.print') }));
    printBtn.addEventListener('click', () => printLabel(tool, qrSrc, kname(tool)));
    const buttons = [];
    if (canWrite && !['scrapped', 'lost'].includes(tool.custody)) {
      buttons.push(h('button.btn.btn-primary', { type: 'button', testid: 'tool-test-new', text: t('tool.record_test'), onclick: () => recordTest(tool) }));
    }
    if (tool.custody === 'checked_out') {
      buttons.push(h('button.btn', { type: 'button', testid: 'tool-return', text: t('tool.return'), onclick: () => returnTool(tool) }));
    }
    buttons.push(printBtn);

    const tests = tool.tests || [];
    const testTable = dataTable({
      testid: 'tool-tests',
      empty: t('tool.no_tests'),
      rows: tests,
      columns: [
        { label: t('tool.test_date'), cls: 'col-time', render: (x) => x.test_date },
        { label: t('tool.test_result'), render: (x) => h('span.badge', { class: x.result === 'pass' ? 'badge-ok' : 'badge-danger', dataset: { result: x.result }, text: t('tool.result.' + x.result) }) },
        { label: t('tool.tester'), render: (x) => x.tester || '—' },
        { label: t('tool.report_no'), render: (x) => (x.report_no ? h('span.mono', { text: x.report_no }) : '—') },
        { label: t('tool.note'), cls: 'col-opt', render: (x) => x.note || '—' },
      ],
    });
    testTable.querySelectorAll('tbody tr:not(.empty-row)').forEach((tr, i) => { tr.dataset.testid = 'tool-test-' + i; });

    const planCell = tool.plan_id
      ? appLink('/plans/' + encodeURIComponent(tool.plan_id), t('tool.open_plan'), navigate, { testid: 'tool-plan-link' }) : null;
    if (planCell) {
      get('/plans/' + encodeURIComponent(tool.plan_id)).then((p) => { if (p && p.number) planCell.textContent = `${p.number}${p.title ? ' · ' + p.title : ''}`; }).catch(() => {});
    }
    const lastTest = tool.last_test_date
      ? h('span', h('span', { text: tool.last_test_date + ' ' }),
        h('span.badge', { class: tool.last_test_result === 'fail' ? 'badge-danger' : 'badge-ok', testid: 'tool-last-result', dataset: { result: tool.last_test_result || '' }, text: t('tool.result.' + (tool.last_test_result || 'pass')) }))
      : t('tool.never_tested');
    const kindObj = kinds.find((k) => k.code === tool.kind);
    mount(md.detail, h('section.card.detail-card', { testid: 'tool-detail', dataset: { id: tool.id, status: tool.status } },
      detailHead({ number: tool.asset_no, title: tool.name || kname(tool), badges: [toolStatusBadge(tool.status, 'tool-status')], onClose: close, testid: 'tool-detail' }),
      h('div.action-bar', { testid: 'tool-actions' }, buttons), box,
      h('div.tool-detail-grid',
        kvList([
          [t('tool.kind'), kname(tool), 'tool-detail-kind'],
          [t('tool.name'), tool.name],
          [t('tool.store'), tool.store],
          [t('tool.location'), tool.location],
          [t('tool.custody'), t('tool.custody.' + tool.custody), 'tool-detail-custody'],
          [t('tool.last_test'), lastTest, 'tool-detail-last-test'],
          [t('tool.next_test_due'), h('span', { class: dueClass(tool), text: tool.next_test_due || t('tool.no_due') }), 'tool-next-due'],
          [t('tool.days_to_due'), relDue(tool) ? h('span', { class: dueClass(tool), dataset: { days: String(tool.days_to_due) }, text: relDue(tool) }) : null, 'tool-days'],
          kindObj && kindObj.test_cycle_months ? [t('tool.cycle'), t('tool.cycle_months', { n: kindObj.test_cycle_months })] : null,
          planCell ? [t('tool.plan'), planCell] : null,
          tool.checked_out_at ? [t('tool.checked_out_at'), fmtTime(tool.checked_out_at, { seconds: false })] : null,
        ]),
        qrBox),
      h('h3.section-title', { text: t('tool.tests_n', { n: tests.length }) }),
      testTable));
  }

  async function recordTest(tool) {
    const r = await formDialog({
      title: t('tool.record_test_title', { asset: tool.asset_no }),
      testid: 'test-dialog',
      submit: t('tool.record_test'),
      fields: [
        { name: 'test_date', label: t('tool.test_date'), type: 'date', value: todayShanghai(), required: true, attrs: { max: todayShanghai() } },
        { name: 'result', label: t('tool.test_result'), type: 'radio', value: 'pass', options: ['pass', 'fail'].map((v) => ({ value: v, label: t('tool.result.' + v) })) },
        { name: 'tester', label: t('tool.tester') },
        { name: 'report_no', label: t('tool.report_no') },
        { name: 'note', label: t('tool.note'), type: 'textarea', rows: '2' },
      ],
      onSubmit: (v) => {
        const body = { test_date: v.test_date, result: v.result };
        for (const k of ['tester', 'report_no', 'note']) if (String(v[k] || '').trim()) body[k] = v[k].trim();
        return post(`/tools/${encodeURIComponent(tool.id)}/tests`, body);
      },
    });
    if (!r) return;
    toast(t('tool.test_recorded', { asset: tool.asset_no }));
    summary.reload();
    await loadDetail(tool.id);
  }

  async function returnTool(tool) {
    const r = await formDialog({
      title: t('tool.return_title', { asset: tool.asset_no }),
      testid: 'return-dialog',
      submit: t('tool.return'),
      fields: [
        { name: 'condition', label: t('tool.condition'), type: 'radio', value: 'good', options: RETURN_CONDITIONS.map((c) => ({ value: c, label: t('tool.condition.' + c) })) },
        { name: 'note', label: t('tool.note'), type: 'textarea', rows: '2' },
      ],
      onSubmit: async (v) => {
        try {
          return await giveBack(tool.id, v.condition, String(v.note || '').trim());
        } catch (ex) {
          ex.message = refusalText(ex);
          throw ex;
        }
      },
    });
    if (!r) return;
    toast(t('tool.returned', { asset: tool.asset_no }));
    summary.reload();
    await loadDetail(tool.id);
  }

  // ---------------------------------------------------------------- create

  function showForm() {
    newBtn.hidden = true;
    const fAsset = h('input.input', { type: 'text', maxlength: '40', autocomplete: 'off', spellcheck: 'false', autocapitalize: 'characters', testid: 'tool-form-asset-no' });
    const fKind = h('select.input', { testid: 'tool-form-kind' },
      h('option', { value: '', text: t('form.choose') }),
      kinds.map((k) => h('option', { value: k.code, text: toolKindName(kinds, k.code) + (k.test_cycle_months ? ' · ' + t('tool.cycle_months', { n: k.test_cycle_months }) : '') })));
    const fName = h('input.input', { type: 'text', maxlength: '100', autocomplete: 'off', testid: 'tool-form-name' });
    const fStore = h('input.input', { type: 'text', maxlength: '100', autocomplete: 'off', testid: 'tool-form-store' });
    const fLocation = h('input.input', { type: 'text', maxlength: '100', autocomplete: 'off', testid: 'tool-form-location' });
    const fDate = h('input.input', { type: 'date', testid: 'tool-form-last-test-date', max: todayShanghai() });
    const fResult = h('select.input', { testid: 'tool-form-last-test-result' },
      h('option', { value: '', text: t('tool.result.none') }),
      ['pass', 'fail'].map((v) => h('option', { value: v, text: t('tool.result.' + v) })));
    fDate.addEventListener('change', () => { if (fDate.value && !fResult.value) fResult.value = 'pass'; });
    const ferr = problemBox('tool-form-error');
    const submit = h('button.btn.btn-primary', { type: 'submit', testid: 'tool-form-submit', text: t('common.create') });
    const labels = {
      asset_no: t('tool.asset_no'), kind: t('tool.kind'), name: t('tool.name'), store: t('tool.store'), location: t('tool.location'),
      last_test_date: t('tool.last_test_date'), last_test_result: t('tool.last_test_result'),
    };
    const fe = {};
    const form = h('form.card.form-card', { testid: 'tool-form', novalidate: true },
      h('h2.card-title', { text: t('tool.new') }),
      h('div.form-grid',
        fe.asset_no = field(labels.asset_no, fAsset, { hint: t('tool.asset_hint') }),
        fe.kind = field(labels.kind, fKind),
        fe.name = field(labels.name, fName),
        fe.store = field(labels.store, fStore),
        fe.location = field(labels.location, fLocation),
        fe.last_test_date = field(labels.last_test_date, fDate),
        fe.last_test_result = field(labels.last_test_result, fResult)),
      ferr,
      h('div.form-actions',
        h('button.btn', { type: 'button', testid: 'tool-form-cancel', text: t('common.cancel'), onclick: () => { clear(formBox); newBtn.hidden = false; } }),
        submit));
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      ferr.show(null);
      clearMarks(fe);
      for (const [k, input] of [['asset_no', fAsset], ['kind', fKind]]) {
        if (!input.value.trim()) { fe[k].classList.add('invalid'); ferr.show(t('form.required', { field: labels[k] })); input.focus(); return; }
      }
      const body = { asset_no: fAsset.value.trim(), kind: fKind.value };
      for (const [k, input] of [['name', fName], ['store', fStore], ['location', fLocation]]) if (input.value.trim()) body[k] = input.value.trim();
      if (fDate.value) body.last_test_date = fDate.value;
      if (fResult.value) body.last_test_result = fResult.value;
      submit.disabled = true;
      try {
        const tool = await post('/tools', body);
        toast(t('tool.created', { asset: tool.asset_no }));
        clear(formBox);
        newBtn.hidden = false;
        // The ledger runs oldest first: show the new tool by its number, opened.
        q.value = tool.asset_no;
        kind.value = '';
        status.value = '';
        custody.value = '';
        summary.reload();
        await reload();
        open(tool.id);
      } catch (ex) {
        submit.disabled = false;
        ferr.show(ex, markServerField(ex, fe, labels));
      }
    });
    mount(formBox, form);
    fAsset.focus();
  }

  function showImport() {
    importBtn.hidden = true;
    mount(importBox, importPanel({
      onImported: () => reload(),
      onClose: () => { clear(importBox); importBtn.hidden = false; },
    }));
  }

  // ---------------------------------------------------------------- page

  md.list.append(
    summary,
    h('div.toolbar', filters, h('div.toolbar-buttons', scanBtn, printBtn, printBox, canWrite ? importBtn : null, canWrite ? newBtn : null)),
    importBox, formBox, err, listBox);
  el.append(h('div.page-head', h('h1.page-title', { text: t('nav.tools'), tabindex: '-1' })), md.wrap);
  toolKinds().then((ks) => { kinds = ks; }).catch(() => { kinds = []; }).then(() => {
    kind.append(...kinds.map((k) => h('option', { value: k.code, text: toolKindName(kinds, k.code), selected: k.code === remembered.kind })));
    reload();
    if (openId) open(openId, { push: false });
  });
  return true;
}

/**
 * Print the tool's label alone: a label-only block is added to the page and everything else is hidden for print
 * (css: body.printing-label). It stays until the next print or until the print dialog closes.
 */
export function printLabel(tool, src, kindName) {
  for (const old of document.querySelectorAll('.print-label')) old.remove();
  const label = h('div.print-label', { testid: 'print-label', dataset: { asset: tool.asset_no } },
    src ? h('img.print-label-qr', { src, alt: tool.asset_no }) : null,
    h('div.print-label-text',
      h('div.print-label-asset.mono', { text: tool.asset_no }),
      h('div.print-label-kind', { text: kindName || tool.name || tool.kind_name || tool.kind }),
      tool.next_test_due ? h('div.print-label-due', { text: t('tool.label_due', { date: tool.next_test_due }) }) : null,
      h('div.print-label-brand', { text: t('tool.label_brand') })));
  document.body.append(label);
  document.body.classList.add('printing-label');
  const done = () => {
    document.body.classList.remove('printing-label');
    label.remove();
    window.removeEventListener('afterprint', done);
  };
  window.addEventListener('afterprint', done);
  window.print();
}

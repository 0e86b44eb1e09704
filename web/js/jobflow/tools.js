// e. 工器具 — the tool kinds the job needs, what is checked out for it (return), in-date tools to check out, and
// the scanner (GET /plans/{id}/tools).
import { h, icon } from '../dom.js';
import { t } from '../i18n.js';
import { get } from '../api.js';
import { hasRole } from '../perm.js';
import { toast, formDialog } from '../ui.js';
import { toolKindName, toolStatusBadge, dueText, dueClass, checkout, giveBack, refusalBox, warningBox, refusalText, RETURN_CONDITIONS } from '../toolkit.js';
import { note, toolsNeeded } from './common.js';

/** f: the job flow's context (../jobflow.js). Returns the function that draws this step's panel. */
export function toolsStep(f) {
  const { s, me, planId, navigate, drawChrome, drawPanel, onPlan } = f;
  let toolWarnings = null; // the last check-out's warnings, kept across redraws

  const mayHandleTools = () => onPlan() || hasRole(me, 'tool_keeper') || hasRole(me, 'admin');

  async function reloadTools() {
    s.tools = await get(`/plans/${encodeURIComponent(planId)}/tools`);
    drawChrome();
    drawPanel();
  }

  function toolLine(x, testid, extra) {
    return h('li.tool-line', { testid, dataset: { id: x.id, asset: x.asset_no, status: x.status } },
      h('div.tool-line-main',
        h('div.tool-line-top', h('span.mono.tool-line-asset', { text: x.asset_no }), toolStatusBadge(x.status)),
        h('div.small', { text: [...new Set([toolKindName(f.kinds, x.kind, x.kind_name), x.name].filter(Boolean))].join(' · ') }),
        h('div.small', { class: dueClass(x), text: t('tools.due', { due: dueText(x) }) })),
      extra);
  }

  function toolsPanel() {
    const tl = s.tools;
    if (!tl) return note(t('tools.unavailable'), 'tools-none');
    const p = s.plan;
    const open = !['finished', 'cancelled'].includes(p.status);
    const may = mayHandleTools() && open;
    const err = refusalBox('tools-error');
    const warn = warningBox('tools-warning');
    if (toolWarnings) warn.show(toolWarnings);
    const needed = toolsNeeded(s);
    const out = tl.checked_out || [];
    const proposed = tl.proposed || [];
    const inHand = needed.filter((n) => n.in_hand).length;

    const needList = needed.length
      ? h('ul.checklist', { testid: 'tools-needed', dataset: { done: String(inHand), total: String(needed.length) } }, needed.map((n) => {
        const mine = out.filter((x) => x.kind === n.kind);
        return h('li.check-item', { class: n.in_hand ? 'ok' : 'open', testid: 'tools-need-' + n.kind, dataset: { ok: n.in_hand ? '1' : '0' } },
          h('span.check-mark', icon(n.in_hand ? 'check' : 'close', 'icon icon-sm')),
          h('span.check-name', { text: toolKindName(f.kinds, n.kind, n.name) }),
          h('span.small.muted', { text: mine.length ? mine.map((x) => x.asset_no).join('、') : t('tools.not_in_hand') }));
      }))
      : h('p.muted.small', { testid: 'tools-needed', text: t('tools.none_needed') });

    const outList = out.length
      ? h('ul.tool-lines', { testid: 'tools-out' }, out.map((x) => {
        const btn = may ? h('button.btn.btn-sm', { type: 'button', testid: 'tools-return-' + x.asset_no, text: t('tool.return') }) : null;
        if (btn) btn.addEventListener('click', () => returnTool(x));
        return toolLine(x, 'tools-out-' + x.asset_no, btn);
      }))
      : h('p.muted.small', { testid: 'tools-out', text: t('tools.none_out') });

    const propList = proposed.length
      ? h('ul.tool-lines', { testid: 'tools-proposed' }, proposed.map((x) => {
        const btn = may ? h('button.btn.btn-primary.btn-sm', { type: 'button', testid: 'tools-checkout-' + x.asset_no }, h('span', { text: t('tools.checkout') })) : null;
        if (btn) {
          btn.addEventListener('click', async () => {
            err.show(null);
            btn.disabled = true;
            try {
              const r = await checkout(x.id, planId);
              toolWarnings = (r.warnings || []).length ? r.warnings.map((w) => ({ ...w, asset_no: x.asset_no })) : null;
              toast(t('scan.checked_out', { asset: x.asset_no }));
              await reloadTools();
            } catch (ex) {
              btn.disabled = false;
              err.show(ex);
              err.scrollIntoView({ block: 'nearest' });
            }
          });
        }
        return toolLine(x, 'tools-propose-' + x.asset_no, btn);
      }))
      : h('p.muted.small', { testid: 'tools-proposed', text: inHand < needed.length ? t('tools.none_proposed') : t('tools.all_in_hand') });

    const scan = may ? appLinkBtn('/scan?plan=' + encodeURIComponent(planId)) : null;
    return h('div.tools-step',
      h('p.muted.small', { text: t('tools.intro') }),
      scan ? h('div.flow-cta', scan) : null,
      !may ? h('p.muted.small.reason', { testid: 'tools-why', text: open ? t('tools.who') : t('tools.closed') }) : null,
      h('h3.section-title', { text: t('tools.needed_n', { done: inHand, total: needed.length }) }),
      needList,
      h('h3.section-title', { text: t('tools.out_n', { n: out.length }) }),
      warn,
      outList,
      h('h3.section-title', { text: t('tools.proposed') }),
      err,
      propList);
  }

  function appLinkBtn(href) {
    return h('a.btn.btn-big', {
      href, testid: 'tools-scan',
      onclick: (e) => { if (e.button === 0 && !e.ctrlKey && !e.metaKey && !e.shiftKey) { e.preventDefault(); navigate(href); } },
    }, icon('camera', 'icon'), h('span', { text: t('tools.scan') }));
  }

  async function returnTool(x) {
    const r = await formDialog({
      title: t('tool.return_title', { asset: x.asset_no }),
      testid: 'return-dialog',
      submit: t('tool.return'),
      fields: [
        { name: 'condition', label: t('tool.condition'), type: 'radio', value: 'good', options: RETURN_CONDITIONS.map((c) => ({ value: c, label: t('tool.condition.' + c) })) },
        { name: 'note', label: t('tool.note'), type: 'textarea', rows: '2' },
      ],
      onSubmit: async (v) => {
        try {
          return await giveBack(x.id, v.condition, String(v.note || '').trim());
        } catch (ex) {
          ex.message = refusalText(ex);
          throw ex;
        }
      },
    });
    if (!r) return;
    toolWarnings = null;
    toast(t('tool.returned', { asset: x.asset_no }));
    await reloadTools();
  }

  return toolsPanel;
}

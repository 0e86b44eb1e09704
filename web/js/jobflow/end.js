// h. 终结 — ending the ticket (photos, note; the leader) and finishing the job (POST /plans/{id}/actions/finish).
import { h, icon } from '../dom.js';
import { t, fmtTime } from '../i18n.js';
import { post, ApiError } from '../api.js';
import { toast, field, confirmDialog } from '../ui.js';
import { problemBox, actionName } from '../fw.js';
import { giveBack, refusalText } from '../toolkit.js';
import { thumbs, pendingPhotos } from '../photos.js';
import { ticketActionDialog } from '../ticketview.js';
import { note } from './common.js';

/** f: the job flow's context (../jobflow.js). Returns the function that draws this step's panel. */
export function endStep(f) {
  const { s, load, isLeader } = f;
  function endPanel() {
    const p = s.plan;
    const tk = s.ticket;
    const err = problemBox('end-error');
    const parts = [];
    const leader = isLeader();
    if (p.status === 'finished') {
      parts.push(note(t('end.finished', { time: fmtTime(p.finished_at, { seconds: false }) }), 'flow-finished', 'info'));
    }
    if (tk && (tk.status === 'ended' || tk.status === 'archived')) {
      parts.push(h('div.end-done', { testid: 'end-ticket-ended' },
        h('p.end-done-line', icon('check', 'icon icon-sm'), h('span', { text: t('end.ticket_ended', { number: tk.number, time: fmtTime(tk.ended_at, { seconds: false }) }) })),
        tk.end_note ? h('p.pre-line.small', { text: tk.end_note }) : null,
        thumbs(tk.photos, { testid: 'end-photos' })));
    } else if (tk && ['working', 'interrupted'].includes(tk.status) && (tk.actions || []).includes('end') && leader) {
      let fePhotos = null;
      const photos = pendingPhotos({
        entity: 'ticket', entityId: tk.id, testid: 'end-photo', label: t('end.photo'), required: true,
        onChange: (ids) => { if (ids.length) { fePhotos.classList.remove('invalid'); err.show(null); } },
      });
      const fNote = h('textarea.input', { rows: '3', maxlength: '2000', testid: 'end-note', placeholder: t('end.note_placeholder') });
      fePhotos = h('fieldset.field', h('legend.field-label', { text: t('end.photos_required') }), photos);
      const btn = h('button.btn.btn-primary.btn-big', { type: 'button', testid: 'end-submit' }, icon('pen', 'icon'), h('span', { text: t('end.submit') }));
      btn.addEventListener('click', async () => {
        err.show(null);
        fePhotos.classList.remove('invalid');
        if (!photos.ids().length) { fePhotos.classList.add('invalid'); err.show(t('end.photo_missing')); return; }
        const r = await ticketActionDialog(tk, 'end', { photoIds: photos.ids(), note: fNote.value });
        if (r) {
          toast(t('end.ended_ok'));
          await load();
        }
      });
      parts.push(h('div.flow-form', { testid: 'end-form' },
        h('p.muted.small', { text: t('end.intro') }),
        fePhotos, field(t('end.note'), fNote), err, h('div.flow-cta', btn)));
    } else if (p.status !== 'finished') {
      const why = !tk ? t('risk.no_ticket')
        : !['working', 'interrupted'].includes(tk.status) ? t('end.before_start')
          : t('end.only_leader');
      parts.push(h('p.alert.alert-info', { testid: 'end-why', text: why }));
    }
    const canFinish = (p.actions || []).includes('finish') && (!tk || tk.status === 'ended' || tk.status === 'archived');
    // At the job's finish: every tool still out for it, to return one by one or all at once (in good condition;
    // a damaged one is returned from the tools step with its condition) — before the record freezes the list.
    const out = (s.tools && s.tools.checked_out) || [];
    if (canFinish && out.length) parts.push(toolsOut(out));
    if (canFinish) {
      const pr = (s.steps && s.steps.progress) || { done: 0, total: 0 };
      const fin = h('button.btn.btn-primary.btn-big', { type: 'button', testid: 'flow-finish' }, icon('flag', 'icon'), h('span', { text: actionName('plan', 'finish') }));
      fin.addEventListener('click', async () => {
        err.show(null);
        const left = pr.total - pr.done;
        if (!(await confirmDialog({
          title: t('end.finish_title', { number: p.number }),
          body: [left > 0 ? t('end.finish_steps_left', { n: left }) : t('end.finish_body'),
            out.length ? t('end.tools_still_out', { n: out.length }) : ''].filter(Boolean).join(' '),
          confirm: actionName('plan', 'finish'),
        }))) return;
        fin.disabled = true;
        try {
          await post(`/plans/${encodeURIComponent(p.id)}/actions/finish`, { version: p.version });
          toast(t('end.finished_ok'));
          await load();
        } catch (ex) {
          fin.disabled = false;
          err.show(ex);
          if (ex instanceof ApiError && (ex.code === 'invalid_transition' || ex.code === 'version_conflict')) await load();
        }
      });
      parts.push(h('div.flow-cta', fin), err);
    }
    return h('div', parts);
  }

  function toolsOut(out) {
    const box = problemBox('end-tools-error');
    const returnOne = async (x) => {
      try {
        await giveBack(x.id, 'good', '');
        return true;
      } catch (ex) {
        ex.message = `${x.asset_no}: ${refusalText(ex)}`;
        box.show(ex);
        return false;
      }
    };
    const all = h('button.btn.btn-primary', { type: 'button', testid: 'end-tools-return-all', text: t('end.tools_return_all', { n: out.length }) });
    all.addEventListener('click', async () => {
      all.disabled = true;
      box.show(null);
      let n = 0;
      for (const x of out) if (await returnOne(x)) n++; // one by one: each return is its own audited move
      if (n) toast(t('end.tools_returned', { n }));
      await load();
    });
    return h('section.alert.alert-warn.end-tools', { testid: 'end-tools-out', role: 'status' },
      h('strong', { text: t('end.tools_out_title', { n: out.length }) }),
      h('ul.tool-lines', out.map((x) => {
        const btn = h('button.btn.btn-sm', { type: 'button', testid: 'end-tools-return-' + x.asset_no, text: t('tool.return') });
        btn.addEventListener('click', async () => {
          btn.disabled = true;
          box.show(null);
          if (await returnOne(x)) { toast(t('tool.returned', { asset: x.asset_no })); await load(); } else btn.disabled = false;
        });
        return h('li.tool-line', { testid: 'end-tools-out-' + x.asset_no },
          h('span.mono', { text: x.asset_no }), h('span.small', { text: x.name || x.kind_name || x.kind || '' }), btn);
      })),
      box,
      h('div.flow-cta', all));
  }

  return endPanel;
}

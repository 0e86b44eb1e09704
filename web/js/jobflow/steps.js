// g. 作业步骤 — the SOP steps of every work order on the job, in order: readings, result, note and photos for the
// next one (POST /plans/{id}/steps).
import { h, icon } from '../dom.js';
import { t, fmtTime } from '../i18n.js';
import { get, post, ApiError } from '../api.js';
import { toast, field } from '../ui.js';
import { kindName, problemBox, markServerField, clearMarks } from '../fw.js';
import { thumbs, pendingPhotos } from '../photos.js';
import { loc, note } from './common.js';

/** f: the job flow's context (../jobflow.js). Returns the function that draws this step's panel. */
export function stepsStep(f) {
  const { s, planId, drawChrome, drawPanel, onPlan, nameOf } = f;
  function stepsPanel() {
    const st = s.steps;
    const p = s.plan;
    if (!st) return note(t('steps.unavailable'), 'steps-none');
    const pr = st.progress || { done: 0, total: 0 };
    const canRecord = p.status === 'working' && onPlan();
    const why = p.status === 'published' || p.status === 'draft' ? t('steps.before_start')
      : p.status === 'paused' ? t('steps.paused')
        : p.status === 'finished' ? t('steps.finished')
          : !onPlan() ? t('steps.not_on_plan') : null;
    return h('div.steps',
      progressBar(pr.done, pr.total, 'steps-progress'),
      why ? h('p.alert.alert-info', { testid: 'steps-why', text: why }) : null,
      (st.items || []).map((it) => orderSteps(it, canRecord)));
  }

  function progressBar(done, total, testid) {
    const pct = total ? Math.round((done / total) * 100) : 0;
    return h('div.progress', { testid, role: 'progressbar', 'aria-valuemin': '0', 'aria-valuemax': String(total), 'aria-valuenow': String(done), dataset: { done: String(done), total: String(total) } },
      h('div.progress-track', h('div.progress-fill', { style: `width:${pct}%` })),
      h('span.progress-text', { text: t('steps.progress', { done, total, pct }) }));
  }

  function orderSteps(it, canRecord) {
    const o = it.work_order || {};
    const steps = it.steps || [];
    const nextNo = (steps.find((x) => !x.done) || {}).no;
    const pr = it.progress || { done: 0, total: steps.length };
    return h('section.order-steps', { testid: 'steps-order-' + o.number },
      h('div.order-steps-head',
        h('div', h('span.mono', { text: o.number }), h('span', { text: ' · ' + (o.customer_name || kindName(o.kind)) })),
        o.site_address ? h('div.small.muted', { text: o.site_address }) : null,
        it.sop ? h('div.small', { text: loc(it.sop, 'name') }) : null,
        progressBar(pr.done, pr.total, 'steps-progress-' + o.number)),
      h('ol.sop-steps', steps.map((stp) => stepItem(o, stp, stp.no === nextNo, canRecord))));
  }

  function recordValue(def, v) {
    if (v === null || v === undefined || v === '') return '—';
    if (def && def.type === 'choice') {
      const c = (def.choices || []).find((x) => x.value === v);
      return c ? loc(c, 'label') : String(v);
    }
    return def && def.unit ? `${v} ${def.unit}` : String(v);
  }

  function stepItem(o, stp, isNext, canRecord) {
    const d = stp.done;
    const state = d ? 'done' : isNext ? 'next' : 'locked';
    const li = h('li.sop-step', { class: state, testid: `step-${o.number}-${stp.no}`, dataset: { state, no: String(stp.no) } },
      h('div.sop-step-head',
        h('span.sop-step-no', d ? icon('check', 'icon icon-sm') : h('span', { text: String(stp.no) })),
        h('span.sop-step-title', { text: loc(stp, 'title') }),
        stp.photo_required ? h('span.badge.badge-info', { text: t('steps.photo_badge') }) : null,
        d ? h('span.badge', { class: d.result === 'ok' ? 'badge-ok' : 'badge-danger', testid: 'step-result', text: t('steps.result.' + d.result) }) : null,
        d && d.pending ? h('span.badge.badge-warn', { testid: 'step-pending', text: t('offline.pending') }) : null));
    if (d || isNext) li.append(h('div.sop-quality', h('span.sop-quality-label', { text: t('steps.quality') }), h('span', { text: loc(stp, 'quality') })));
    if (d) {
      const defs = new Map((stp.records || []).map((r) => [r.key, r]));
      // In the SOP's order, then anything the definitions do not name.
      const got = d.records || {};
      const recs = (stp.records || []).filter((r) => r.key in got).map((r) => [r.key, got[r.key]])
        .concat(Object.entries(got).filter(([k]) => !defs.has(k)));
      li.append(h('div.step-done', { testid: 'step-done' },
        recs.length ? h('dl.kv.kv-compact-rows.step-readings', recs.flatMap(([k, v]) => [
          h('dt', { text: loc(defs.get(k), 'label') || k }), h('dd', { testid: 'step-reading-' + k, text: recordValue(defs.get(k), v) })])) : null,
        d.note ? h('div.small.pre-line', { text: d.note }) : null,
        thumbs(d.photos, { testid: 'step-photos' }),
        h('div.small.muted', { text: t('steps.done_by', { name: d.done_by_name || nameOf(d.done_by), time: fmtTime(d.done_at, { seconds: false }) }) })));
    } else if (isNext && canRecord) {
      li.append(stepForm(o, stp));
    }
    return li;
  }

  function stepForm(o, stp) {
    const inputs = {};
    const fe = {};
    const labels = {};
    const err = problemBox('step-error');
    const rows = (stp.records || []).map((r) => {
      const label = loc(r, 'label') + (r.required ? ' *' : '');
      labels['records.' + r.key] = loc(r, 'label');
      let input;
      let wrap;
      const tid = 'step-rec-' + r.key;
      if (r.type === 'choice') {
        const choices = r.choices || [];
        input = h('div.radio-row', { role: 'radiogroup', testid: tid },
          choices.map((c) => h('label.radio-card',
            h('input', { type: 'radio', name: tid, value: c.value, testid: `${tid}-${c.value}` }),
            h('span', { text: loc(c, 'label') }))));
        input.getValue = () => { const c = input.querySelector('input:checked'); return c ? c.value : ''; };
        wrap = h('fieldset.field', h('legend.field-label', { text: label }), input);
      } else {
        const numeric = r.type === 'reading' || r.type === 'number';
        input = h('input.input', {
          type: numeric ? 'number' : 'text', testid: tid, name: r.key,
          inputmode: numeric ? 'decimal' : r.type === 'ratio' ? 'numeric' : null,
          step: numeric ? 'any' : null, min: r.type === 'reading' ? '0' : null,
          placeholder: r.type === 'ratio' ? '200/5' : r.type === 'asset_no' ? t('steps.asset_placeholder') : null,
          autocapitalize: r.type === 'asset_no' ? 'characters' : null, autocomplete: 'off', spellcheck: 'false',
        });
        const hint = r.type === 'asset_no' ? t('steps.asset_hint') : r.type === 'ratio' ? t('steps.ratio_hint') : r.type === 'reading' ? t('steps.reading_hint') : null;
        input.id = 'f-' + Math.random().toString(36).slice(2, 9);
        wrap = h('div.field',
          h('label.field-label', { for: input.id, text: label }),
          r.unit ? h('div.input-unit', input, h('span.unit', { text: r.unit })) : input,
          hint ? h('div.field-hint', { text: hint }) : null);
      }
      inputs[r.key] = input;
      fe['records.' + r.key] = wrap;
      return wrap;
    });
    const resultOk = h('input', { type: 'radio', name: 'step-result', value: 'ok', checked: true, testid: 'step-result-ok' });
    const resultBad = h('input', { type: 'radio', name: 'step-result', value: 'nonconforming', testid: 'step-result-nonconforming' });
    const fNote = h('textarea.input', { rows: '2', maxlength: '2000', testid: 'step-note' });
    const photos = pendingPhotos({
      entity: 'step', entityId: o.id, testid: 'step-photo', label: t('steps.photo'), required: stp.photo_required,
      onChange: (ids) => { if (ids.length && fe.photo_ids) fe.photo_ids.classList.remove('invalid'); },
    });
    const submit = h('button.btn.btn-primary.btn-big', { type: 'submit', testid: 'step-submit', text: t('steps.submit', { n: stp.no }) });
    fe.photo_ids = h('fieldset.field',
      h('legend.field-label', { text: stp.photo_required ? t('steps.photos_required') : t('steps.photos') }), photos);
    fe.result = h('fieldset.field', h('legend.field-label', { text: t('steps.result') }),
      h('div.radio-row', { role: 'radiogroup' },
        h('label.radio-card.ok', resultOk, h('span', { text: t('steps.result.ok') })),
        h('label.radio-card.bad', resultBad, h('span', { text: t('steps.result.nonconforming') }))));
    fe.note = field(t('steps.note'), fNote);
    labels.photo_ids = t('steps.photos');
    labels.note = t('steps.note');
    const form = h('form.flow-form.step-form', { testid: 'step-form', novalidate: true, dataset: { no: String(stp.no), order: o.number } },
      rows, fe.result, fe.note, fe.photo_ids, err, h('div.form-actions', submit));
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      err.show(null);
      clearMarks(fe);
      const records = {};
      for (const r of stp.records || []) {
        const input = inputs[r.key];
        const raw = String(input.getValue ? input.getValue() : input.value).trim();
        const bad = (msg) => { fe['records.' + r.key].classList.add('invalid'); err.show(msg); (input.querySelector ? input.querySelector('input') || input : input).focus(); };
        if (!raw) {
          if (r.required) return bad(t('form.required', { field: loc(r, 'label') }));
          continue;
        }
        if (r.type === 'reading' || r.type === 'number') {
          const n = Number(raw);
          if (!Number.isFinite(n) || (r.type === 'reading' && n < 0)) return bad(t('steps.bad_number', { field: loc(r, 'label') }));
          records[r.key] = n;
        } else {
          records[r.key] = raw;
        }
      }
      const photoIds = photos.ids();
      if (stp.photo_required && !photoIds.length) {
        fe.photo_ids.classList.add('invalid');
        err.show(t('steps.photo_missing'));
        return;
      }
      const body = { work_order_id: o.id, step_no: stp.no, result: resultBad.checked ? 'nonconforming' : 'ok', records };
      if (fNote.value.trim()) body.note = fNote.value.trim();
      if (photoIds.length) body.photo_ids = photoIds;
      submit.disabled = true;
      try {
        s.steps = await post(`/plans/${encodeURIComponent(planId)}/steps`, body);
        toast(t('steps.recorded', { n: stp.no }));
        drawChrome();
        drawPanel();
        const nextForm = f.panel.querySelector('[data-testid="step-form"]');
        if (nextForm) nextForm.closest('.sop-step').scrollIntoView({ block: 'start' });
      } catch (ex) {
        submit.disabled = false;
        err.show(ex, markServerField(ex, fe, labels));
        if (ex instanceof ApiError && ['step_done', 'step_out_of_order', 'invalid_transition'].includes(ex.code)) {
          s.steps = await get(`/plans/${encodeURIComponent(planId)}/steps`).catch(() => s.steps);
        }
      }
    });
    return form;
  }

  return stepsPanel;
}

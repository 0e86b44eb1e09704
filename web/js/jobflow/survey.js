// a. 现场勘察 — the site survey: the recorded survey (places, risks, measures, photos) or the form that records or
// edits it (PUT /plans/{id}/survey).
import { h } from '../dom.js';
import { t, fmtTime } from '../i18n.js';
import { get, put, ApiError } from '../api.js';
import { toast, field } from '../ui.js';
import { kindName, riskBadge, problemBox, markServerField, clearMarks, kvList } from '../fw.js';
import { thumbs, photoPicker } from '../photos.js';
import { lines, note } from './common.js';

/** f: the job flow's context (../jobflow.js). Returns the function that draws this step's panel. */
export function surveyStep(f) {
  const { s, planId, load, drawChrome, drawPanel, onPlan, planOpen, mayPrepare, nameOf } = f;
  function surveyPanel() {
    const sv = s.survey;
    const canEdit = mayPrepare() && planOpen();
    const why = !planOpen() ? t('survey.closed') : t('survey.who');
    if (!sv && !canEdit) return h('div', note(t('survey.none'), 'survey-none'), h('p.muted.small.reason', { testid: 'survey-why', text: why }));
    if (!sv || s.editingSurvey) return surveyForm(sv);
    return h('div.survey',
      kvList([
        [t('survey.place'), sv.place, 'survey-view-place'],
        [t('survey.content'), h('div.pre-line', { text: sv.content || '' })],
        [t('survey.outage_scope'), sv.outage_scope ? h('div.pre-line', { text: sv.outage_scope }) : null],
        [t('survey.live_parts'), sv.live_parts ? h('div.pre-line', { text: sv.live_parts }) : null],
        [t('survey.notes'), sv.notes ? h('div.pre-line', { text: sv.notes }) : null],
        [t('survey.by'), `${nameOf(sv.surveyed_by)} · ${fmtTime(sv.surveyed_at, { seconds: false })}`],
      ], 'survey-summary'),
      (sv.risks || []).length ? h('div',
        h('h3.section-title', { text: t('survey.risks') }),
        h('ul.risk-cards', { testid: 'survey-view-risks' }, sv.risks.map((r) => h('li.risk-card',
          h('div.risk-card-head', riskBadge(r.level), h('span.risk-hazard', { text: r.hazard })),
          (r.measures || []).length ? h('ul.plain-list', r.measures.map((m) => h('li', { text: m }))) : null)))) : null,
      (sv.measures || []).length ? h('div',
        h('h3.section-title', { text: t('survey.measures') }),
        h('ul.plain-list', { testid: 'survey-view-measures' }, sv.measures.map((m) => h('li', { text: m })))) : null,
      h('h3.section-title', { text: t('survey.photos') }),
      thumbs(sv.photos, { testid: 'survey-photos' }) || h('p.muted.small', { testid: 'survey-no-photos', text: t('survey.no_photos') }),
      onPlan() || mayPrepare() ? photoPicker({
        entity: 'survey', entityId: sv.id, testid: 'survey-photo', label: t('survey.photo'),
        onUploaded: async () => { s.survey = await get(`/plans/${encodeURIComponent(planId)}/survey`); drawPanel(); },
      }) : null,
      canEdit
        ? h('div.form-actions', h('button.btn', { type: 'button', testid: 'survey-edit', text: t('survey.edit'), onclick: () => { s.editingSurvey = true; drawPanel(); } }))
        : h('p.muted.small.reason', { testid: 'survey-why', text: why }));
  }

  function surveyForm(sv) {
    const p = s.plan;
    const orders = p.work_orders || [];
    const fPlace = h('input.input', { type: 'text', maxlength: '300', testid: 'survey-place', value: sv ? sv.place : p.place || '' });
    const fContent = h('textarea.input', { rows: '3', maxlength: '4000', testid: 'survey-content' });
    fContent.value = sv ? sv.content || '' : p.content || orders.map((o) => `${o.title || kindName(o.kind)}（${o.number}）`).join('\n');
    const fOutage = h('textarea.input', { rows: '2', maxlength: '1000', testid: 'survey-outage' });
    fOutage.value = sv ? sv.outage_scope || '' : '';
    const fLive = h('textarea.input', { rows: '2', maxlength: '1000', testid: 'survey-live' });
    fLive.value = sv ? sv.live_parts || '' : '';
    const fMeasures = h('textarea.input', { rows: '3', testid: 'survey-measures', placeholder: t('survey.one_per_line') });
    fMeasures.value = sv ? (sv.measures || []).join('\n') : '';
    const fNotes = h('textarea.input', { rows: '2', maxlength: '4000', testid: 'survey-notes' });
    fNotes.value = sv ? sv.notes || '' : '';
    const riskRows = h('div.survey-risks', { testid: 'survey-risks' });
    const risks = sv ? (sv.risks || []).map((r) => ({ ...r })) : [];
    const err = problemBox('survey-error');
    const labels = {
      place: t('survey.place'), content: t('survey.content'), outage_scope: t('survey.outage_scope'),
      live_parts: t('survey.live_parts'), risks: t('survey.risks'), measures: t('survey.measures'), notes: t('survey.notes'),
    };
    const fe = {};

    function riskRow(r, i) {
      const hz = h('textarea.input', { rows: '2', maxlength: '500', testid: `survey-risk-${i}-hazard`, 'aria-label': t('survey.hazard') });
      hz.value = r.hazard || '';
      hz.addEventListener('input', () => { r.hazard = hz.value; });
      const lv = h('select.input', { testid: `survey-risk-${i}-level`, 'aria-label': t('survey.level') },
        [1, 2, 3, 4, 5].map((n) => h('option', { value: String(n), text: t('risk.level', { n }), selected: Number(r.level || 3) === n })));
      lv.addEventListener('change', () => { r.level = Number(lv.value); });
      if (!r.level) r.level = 3;
      const ms = h('textarea.input', { rows: '2', testid: `survey-risk-${i}-measures`, placeholder: t('survey.one_per_line'), 'aria-label': t('survey.risk_measures') });
      ms.value = (r.measures || []).join('\n');
      ms.addEventListener('input', () => { r.measures = lines(ms.value); });
      return h('div.survey-risk', { testid: 'survey-risk-' + i },
        h('div.survey-risk-top',
          h('span.survey-risk-no', { text: t('survey.risk_n', { n: i + 1 }) }),
          h('button.btn.btn-sm.btn-link', { type: 'button', testid: `survey-risk-${i}-remove`, text: t('survey.risk_remove'), onclick: () => { risks.splice(i, 1); drawRisks(); } })),
        field(t('survey.hazard'), hz),
        field(t('survey.level'), lv),
        field(t('survey.risk_measures'), ms, { hint: t('survey.one_per_line') }));
    }
    function drawRisks() {
      riskRows.replaceChildren(...risks.map(riskRow),
        risks.length ? h('span') : h('p.muted.small', { text: t('survey.no_risks') }));
    }
    drawRisks();

    const submit = h('button.btn.btn-primary.btn-big', { type: 'submit', testid: 'survey-submit', text: sv ? t('survey.save') : t('survey.submit') });
    const form = h('form.flow-form', { testid: 'survey-form', novalidate: true },
      fe.place = field(labels.place, fPlace),
      fe.content = field(labels.content, fContent),
      fe.outage_scope = field(labels.outage_scope, fOutage, { hint: t('survey.outage_hint') }),
      fe.live_parts = field(labels.live_parts, fLive, { hint: t('survey.live_hint') }),
      fe.risks = h('fieldset.field',
        h('legend.field-label', { text: labels.risks }),
        h('div.field-hint', { text: t('survey.risks_hint') }),
        riskRows,
        h('button.btn', { type: 'button', testid: 'survey-risk-add', text: t('survey.risk_add'), onclick: () => { risks.push({ hazard: '', level: 3, measures: [] }); drawRisks(); const last = riskRows.querySelector(`[data-testid="survey-risk-${risks.length - 1}-hazard"]`); if (last) last.focus(); } })),
      fe.measures = field(labels.measures, fMeasures, { hint: t('survey.measures_hint') }),
      fe.notes = field(labels.notes, fNotes),
      err,
      h('div.form-actions',
        sv ? h('button.btn', { type: 'button', testid: 'survey-cancel', text: t('common.cancel'), onclick: () => { s.editingSurvey = false; drawPanel(); } }) : null,
        submit));
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      err.show(null);
      clearMarks(fe);
      for (const [k, input] of [['place', fPlace], ['content', fContent]]) {
        if (!input.value.trim()) { fe[k].classList.add('invalid'); err.show(t('form.required', { field: labels[k] })); input.focus(); return; }
      }
      const rs = risks.map((r) => ({ hazard: String(r.hazard || '').trim(), level: Number(r.level) || 3, measures: (r.measures || []).filter(Boolean) }))
        .filter((r) => r.hazard || r.measures.length);
      if (rs.some((r) => !r.hazard)) { fe.risks.classList.add('invalid'); err.show(t('survey.hazard_required')); return; }
      const body = {
        place: fPlace.value.trim(), content: fContent.value.trim(),
        outage_scope: fOutage.value.trim() || null, live_parts: fLive.value.trim() || null,
        risks: rs, measures: lines(fMeasures.value), notes: fNotes.value.trim() || null,
      };
      if (sv) body.version = sv.version;
      submit.disabled = true;
      try {
        s.survey = await put(`/plans/${encodeURIComponent(planId)}/survey`, body);
        s.editingSurvey = false;
        toast(t('survey.saved'));
        drawChrome();
        drawPanel();
      } catch (ex) {
        submit.disabled = false;
        err.show(ex, markServerField(ex, fe, labels));
        if (ex instanceof ApiError && ex.code === 'version_conflict') await load();
      }
    });
    return form;
  }

  return surveyPanel;
}

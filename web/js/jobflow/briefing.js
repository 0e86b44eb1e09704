// c. 班前会 — the pre-work briefing: generate it, hold it (the leader), and what it says. Attendance is each member's
// own: confirmed on their own phone (their session), or — a member without a phone — signed on the leader's screen
// with their handwritten mark and their own password; each member's state is listed (who, how, where, when).
import { h, icon } from '../dom.js';
import { t, fmtTime, getLang } from '../i18n.js';
import { post, upload } from '../api.js';
import { hasRole } from '../perm.js';
import { toast, formDialog } from '../ui.js';
import { signaturePad } from '../sigpad.js';
import { whereControl } from '../where.js';
import { riskBadge, problemBox } from '../fw.js';
import { note } from './common.js';

/** f: the job flow's context (../jobflow.js). Returns the function that draws this step's panel. */
export function briefingStep(f) {
  const { s, me, planId, drawChrome, drawPanel, isLeader, onPlan, nameOf } = f;
  const whereState = {}; // the place and position, kept across redraws

  /* A member without a phone signs on the leader's screen: their mark on the pad and their own password. */
  async function signOnScreen(m, where) {
    const pad = signaturePad('onscreen-pad', { label: t('briefing.onscreen_pad', { name: m.display_name }) });
    const r = await formDialog({
      title: t('briefing.onscreen_title', { name: m.display_name }),
      testid: 'onscreen-dialog',
      body: h('div.stack', h('p.dialog-text', { text: t('briefing.onscreen_body', { name: m.display_name }) }), pad),
      fields: [{ name: 'password', type: 'password', label: t('briefing.onscreen_password', { name: m.display_name }), required: true,
        hint: t('briefing.onscreen_password_hint') }],
      submit: t('briefing.onscreen_submit'),
      onSubmit: async (v) => {
        const png = await pad.png();
        if (!png) throw { message: t('briefing.onscreen_empty') };
        const sig = await upload('plan', planId, new File([png], 'signature.png', { type: 'image/png' }));
        return post(`/plans/${encodeURIComponent(planId)}/briefing/actions/sign`,
          { user_id: m.id, password: v.password, signature_id: sig.id, ...where() });
      },
    });
    if (r) {
      s.briefing = r;
      toast(t('briefing.onscreen_ok', { name: m.display_name }));
      drawChrome();
      drawPanel();
    }
  }

  function briefingPanel() {
    const b = s.briefing;
    const p = s.plan;
    const closed = ['finished', 'cancelled'].includes(p.status);
    const canGenerate = (isLeader() || hasRole(me, 'manager') || hasRole(me, 'admin')) && !closed;
    const err = problemBox('briefing-error');
    const call = async (btn, path, done) => {
      err.show(null);
      btn.disabled = true;
      try {
        s.briefing = await post(path, {});
        toast(done);
        drawChrome();
        drawPanel();
      } catch (ex) {
        btn.disabled = false;
        err.show(ex);
      }
    };
    const base = `/plans/${encodeURIComponent(planId)}/briefing`;
    if (!b) {
      const gen = h('button.btn.btn-primary.btn-big', { type: 'button', testid: 'briefing-generate', text: t('briefing.generate') });
      gen.addEventListener('click', () => call(gen, base, t('briefing.generated')));
      return h('div',
        note(t('briefing.none'), 'briefing-none'),
        !s.ticket ? h('p.muted.small', { text: t('briefing.ticket_first') }) : null,
        canGenerate ? h('div.flow-cta', gen) : h('p.muted.small.reason', { testid: 'briefing-why', text: t('briefing.who_generates') }),
        err);
    }
    const held = !!b.held_at;
    const missing = b.missing || [];
    const attendance = b.attendance || [];
    const iMissing = missing.some((x) => x.id === me.id);
    const buttons = [];
    if (!held && canGenerate) {
      const regen = h('button.btn', { type: 'button', testid: 'briefing-regenerate', text: t('briefing.regenerate') });
      regen.addEventListener('click', () => call(regen, base, t('briefing.generated')));
      buttons.push(regen);
    }
    if (!held && isLeader()) {
      const hold = h('button.btn.btn-primary.btn-big', { type: 'button', testid: 'briefing-hold' }, icon('people', 'icon'), h('span', { text: t('briefing.hold') }));
      hold.addEventListener('click', () => call(hold, base + '/actions/hold', t('briefing.held_ok')));
      buttons.push(hold);
    }
    const signing = held && !closed && (iMissing || (isLeader() && missing.length > 0));
    const where = signing ? whereControl({ testid: 'briefing-where', state: whereState, place: p.place }) : null;
    if (held && iMissing) {
      const sign = h('button.btn.btn-primary.btn-big', { type: 'button', testid: 'briefing-sign' }, icon('pen', 'icon'), h('span', { text: t('briefing.sign') }));
      sign.addEventListener('click', async () => {
        err.show(null);
        sign.disabled = true;
        try {
          s.briefing = await post(base + '/actions/sign', where.value());
          toast(t('briefing.signed_ok'));
          drawChrome();
          drawPanel();
        } catch (ex) {
          sign.disabled = false;
          err.show(ex);
        }
      });
      buttons.push(sign);
    }
    let why = null;
    if (!held && !isLeader()) why = t('briefing.wait_hold');
    else if (held && !iMissing && !onPlan()) why = t('briefing.not_on_plan');
    const c = b.content || {};
    // In English the library's English where the briefing kept it (briefings made before kept Chinese only)
    const en = getLang() === 'en';
    const list = (key, ordered) => {
      const items = (en && (c[key + '_en'] || []).length ? c[key + '_en'] : c[key]) || [];
      if (!items.length) return null;
      return h('details.briefing-part', { testid: 'briefing-' + key, open: key !== 'risks' },
        h('summary', { text: t('briefing.part.' + key) + ` (${items.length})` }),
        h(ordered ? 'ol.plain-list' : 'ul.plain-list', items.map((x) => h('li', { text: x }))));
    };
    const riskPart = (c.risks || []).length ? h('details.briefing-part', { testid: 'briefing-risks' },
      h('summary', { text: t('briefing.part.risks') + ` (${c.risks.length})` }),
      h('ul.risk-cards', c.risks.map((r) => h('li.risk-card',
        h('div.risk-card-head', riskBadge(r.level), h('span.risk-hazard', { text: (en && r.hazard_en) || r.hazard })),
        (r.measures || []).length ? h('ul.plain-list', ((en && r.measures_en) || r.measures).map((m) => h('li', { text: m }))) : null)))) : null;
    return h('div.briefing',
      h('div.briefing-state', { testid: 'briefing-state', dataset: { held: held ? '1' : '0' } },
        held ? h('span.ok-text', icon('check', 'icon icon-sm'), h('span', { text: t('briefing.held_by', { name: nameOf(b.held_by), time: fmtTime(b.held_at, { seconds: false }) }) }))
          : h('span.muted', { text: t('briefing.not_held') }),
        c.ticket_number ? h('span.small.muted', { text: t('briefing.ticket', { number: c.ticket_number }) }) : null),
      iMissing && held ? h('p.small.muted', { testid: 'briefing-own-hint', text: t('briefing.own_hint') }) : null,
      buttons.length ? h('div.flow-cta', buttons) : null,
      where ? where.el : null,
      why ? h('p.muted.small.reason', { testid: 'briefing-why', text: why }) : null,
      err,
      h('div.attendance',
        h('div.attendance-col',
          h('h3.section-title', { text: t('briefing.signed_n', { n: attendance.length }) }),
          attendance.length ? h('ul.people-list', { testid: 'briefing-attendance' }, attendance.map((a) => h('li.person.ok', {
            testid: 'briefing-member-' + a.user_id, dataset: { id: a.user_id, method: a.method || '' } },
          icon('check', 'icon icon-sm'), h('span', { text: a.display_name }),
          h('span.small.muted', { text: fmtTime(a.signed_at, { seconds: false }) }),
          h('span.small.muted.attend-how', { testid: 'briefing-how-' + a.user_id,
            text: t('briefing.method.' + (a.method || 'own_device'), { name: a.recorded_by_name || '' }) +
              (a.place ? ' · ' + a.place : '') + (a.lat && a.lng ? ` · ${a.lat}, ${a.lng}` : '') }))))
            : h('p.muted.small', { testid: 'briefing-attendance', text: t('briefing.nobody') })),
        h('div.attendance-col',
          h('h3.section-title', { text: t('briefing.missing_n', { n: missing.length }) }),
          missing.length ? h('ul.people-list', { testid: 'briefing-missing' }, missing.map((a) => {
            const onScreen = held && !closed && isLeader() && a.id !== me.id
              ? h('button.btn.btn-sm', { type: 'button', testid: 'briefing-onscreen-' + a.id, text: t('briefing.onscreen'),
                onclick: () => signOnScreen(a, where.value) }) : null;
            return h('li.person.missing', { testid: 'briefing-member-' + a.id, dataset: { id: a.id } },
              icon('pen', 'icon icon-sm'), h('span', { text: a.display_name }),
              h('span.small.muted', { text: t('briefing.waiting') }), onScreen);
          }))
            : h('p.muted.small', { testid: 'briefing-missing', text: t('briefing.all_signed') }))),
      h('h3.section-title', { text: t('briefing.content') }),
      h('div.briefing-content', { testid: 'briefing-content' },
        list('workflow', true), list('content'), list('quality'), list('technical'), list('safety'), riskPart));
  }

  return briefingPanel;
}

// The customer portal (web/portal.html; docs/api.md "Customer portal"): phone first, Chinese with English. A customer
// signs in with a code sent by SMS — to the phone they type, or to the phone registered on an application's number —
// and then follows their applications (stages, owners, deadlines, what is needed and why the clock stopped), uploads
// what is missing, rates the service after power-on, applies online and sends feedback. The session is the HttpOnly
// cookie fg_portal (the browser sends Origin with every write, as the server requires of cookie writes).
import { h, mount } from './dom.js';
import { t, setLang, storedLang, getLang, acceptLanguage } from './i18n.js';

const root = document.getElementById('portal');
const state = { view: 'signin', number: null, signedIn: false, flash: null };

class PortalError extends Error {
  constructor(status, body) {
    super(body?.error?.message || `HTTP ${status}`);
    this.status = status;
    this.code = body?.error?.code;
    this.details = body?.error?.details || {};
  }
}

async function call(method, path, { body, raw, type } = {}) {
  const headers = { 'Accept-Language': acceptLanguage() };
  let payload;
  if (raw) { payload = raw; headers['Content-Type'] = type; }
  else if (body !== undefined) { payload = JSON.stringify(body); headers['Content-Type'] = 'application/json'; }
  const res = await fetch(`/api/v1/portal${path}`, { method, headers, body: payload, credentials: 'same-origin' });
  const text = await res.text();
  let json;
  try { json = text ? JSON.parse(text) : undefined; } catch { json = undefined; }
  if (!res.ok) {
    const e = new PortalError(res.status, json);
    if (res.status === 401 && e.code === 'portal_session_required' && state.signedIn) {
      state.signedIn = false;
      state.flash = t('portal.session_ended');
      go('signin');
    }
    throw e;
  }
  return json;
}

const name = (o) => (getLang() === 'en' ? o.name_en : o.name_zh) || o.name_zh || '';
const fmt = (ms) => (ms ? new Date(ms).toLocaleString(getLang() === 'en' ? 'en-GB' : 'zh-CN',
  { timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit' }) : '');
const fileType = (f) => f.type || (/\.pdf$/i.test(f.name) ? 'application/pdf' : /\.png$/i.test(f.name) ? 'image/png' : 'image/jpeg');

function errorBox(e) {
  if (!e) return null;
  let msg = e.message;
  if (e.code === 'portal_rate_limited') msg = t('portal.rate_limited', { s: e.details.retry_after_s });
  return h('div.p-error', { role: 'alert', testid: 'portal-error', text: msg });
}

function field(label, input) {
  return h('label.p-field', {}, label, input);
}

function header() {
  const other = getLang() === 'en' ? 'zh-CN' : 'en';
  return h('header.p-head', {},
    h('h1', { text: t('portal.title') }),
    h('div.p-actions', {},
      h('button', { type: 'button', testid: 'portal-lang', text: other === 'en' ? 'English' : '中文',
        onclick: async () => { await setLang(other); document.title = t('portal.title'); render(); } }),
      state.signedIn ? h('button', { type: 'button', testid: 'portal-signout', text: t('portal.sign_out'),
        onclick: async () => { try { await call('DELETE', '/session'); } catch { /* gone already */ } state.signedIn = false; go('signin'); } }) : null));
}

function go(view, extra = {}) {
  Object.assign(state, { view }, extra);
  render();
}

async function render() {
  const main = h('main.p-main');
  mount(root, header(), main);
  const flash = state.flash;
  state.flash = null;
  if (flash) main.append(h('div.p-note', { testid: 'portal-flash', text: flash }));
  try {
    if (state.view === 'signin') main.append(signIn());
    else if (state.view === 'home') main.append(...await home());
    else if (state.view === 'app') main.append(...await application(state.number));
    else if (state.view === 'apply') main.append(applyForm());
    else if (state.view === 'feedback') main.append(await feedbackForm());
  } catch (e) {
    main.append(errorBox(e));
  }
}

// ---- sign in: by number (the code goes to the registered phone) or by phone ----
function signIn() {
  let mode = 'number';
  const card = h('section.p-card', { testid: 'portal-signin' });
  const draw = (err, sent) => {
    const number = h('input', { name: 'number', testid: 'portal-number', autocomplete: 'off', placeholder: 'YK20261206-0001' });
    const phone = h('input', { name: 'phone', testid: 'portal-phone', type: 'tel', inputmode: 'numeric', autocomplete: 'tel', placeholder: '138 0000 0000' });
    const code = h('input', { name: 'code', testid: 'portal-code', inputmode: 'numeric', autocomplete: 'one-time-code', maxlength: '6' });
    if (sent) { number.value = sent.number || ''; phone.value = sent.phone || ''; }
    const ask = h('button.p-btn.secondary', { type: 'button', testid: 'portal-send-code', text: t('portal.send_code') });
    const go2 = h('button.p-btn', { type: 'submit', testid: 'portal-verify', text: t('portal.verify') });
    const body = () => (mode === 'number' ? { number: number.value.trim() } : { phone: phone.value.trim() });
    ask.onclick = async () => {
      ask.disabled = true;
      try {
        await call('POST', '/codes', { body: body() });
        draw(null, { ...body(), ok: true });
      } catch (e) { draw(e, body()); }
    };
    const form = h('form', { onsubmit: async (ev) => {
      ev.preventDefault();
      go2.disabled = true;
      try {
        await call('POST', '/sessions', { body: { ...body(), code: code.value.trim() } });
        state.signedIn = true;
        if (mode === 'number') go('app', { number: number.value.trim().toUpperCase() });
        else go('home');
      } catch (e) { draw(e, body()); }
    } },
    h('div.p-tabs', {},
      h('button', { type: 'button', class: mode === 'number' ? 'on' : '', testid: 'portal-mode-number', text: t('portal.by_number'), onclick: () => { mode = 'number'; draw(); } }),
      h('button', { type: 'button', class: mode === 'phone' ? 'on' : '', testid: 'portal-mode-phone', text: t('portal.by_phone'), onclick: () => { mode = 'phone'; draw(); } })),
    errorBox(err),
    sent?.ok ? h('div.p-ok', { testid: 'portal-code-sent', text: t(mode === 'number' ? 'portal.code_sent_registered' : 'portal.code_sent') }) : null,
    mode === 'number' ? field(t('portal.number'), number) : field(t('portal.phone'), phone),
    h('div.p-row', {}, field(t('portal.code'), code), h('div', {}, ask)),
    go2,
    h('p.p-muted', { text: t(mode === 'number' ? 'portal.by_number_hint' : 'portal.by_phone_hint') }));
    mount(card, h('h2', { text: t('portal.signin_title') }), form);
  };
  draw();
  return card;
}

// ---- my applications ----
async function home() {
  const list = await call('GET', '/applications');
  const items = list.items.map((a) => h('li', {}, h('button.p-app', { type: 'button', testid: `portal-app-${a.number}`, onclick: () => go('app', { number: a.number }) },
    h('b', { text: `${a.number} · ${t(`portal.kind.${a.kind}`)}` }),
    h('span.p-muted', { text: `${getLang() === 'en' ? a.stage_name_en : a.stage_name_zh}${a.customer_turn ? ' · ' + t('portal.your_turn') : ''}` }))));
  return [
    h('section.p-card', {}, h('h2', { text: t('portal.my_applications') }),
      items.length ? h('ul.p-list', { testid: 'portal-apps' }, ...items) : h('p.p-muted', { text: t('portal.no_applications') })),
    h('div.p-actions', {},
      h('button.p-btn', { type: 'button', testid: 'portal-new', text: t('portal.apply'), onclick: () => go('apply') }),
      h('button.p-btn.secondary', { type: 'button', testid: 'portal-feedback', text: t('portal.feedback'), onclick: () => go('feedback') })),
  ];
}

// ---- one application ----
async function application(number) {
  const a = await call('GET', `/applications/${encodeURIComponent(number)}`);
  const out = [];
  const top = h('section.p-card', { testid: 'portal-app' },
    h('h2', { text: `${a.number} · ${t(`portal.kind.${a.kind}`)}` }),
    h('p', {}, h('span', { text: t('portal.stage_now') + ': ' }), h('b', { testid: 'portal-stage', text: name(a.stage) })),
    a.process?.due_at ? h('p.p-muted', { testid: 'portal-process-due', text: t('portal.process_due', { at: fmt(a.process.due_at) }) }) : null,
    a.process?.late ? h('span.p-badge.late', { text: t('portal.late') }) : null);
  if (a.waiting) {
    top.append(h('div.p-note', { testid: 'portal-waiting' },
      h('b', { text: (getLang() === 'en' ? a.waiting.reason_en : a.waiting.reason_zh) || '' }),
      a.waiting.detail ? h('div', { text: a.waiting.detail }) : null,
      h('div.p-muted', { text: t('portal.clock_stopped') })));
  }
  out.push(top);
  // what is needed now, each with its upload
  if (a.needed.length) {
    const box = h('section.p-card', { testid: 'portal-needed' }, h('h2', { text: t('portal.needed') }));
    for (const d of a.needed) {
      const input = h('input', { type: 'file', accept: 'image/*,application/pdf', testid: `portal-upload-${d.type}` });
      const msg = h('div');
      input.onchange = async () => {
        const f = input.files[0];
        if (!f) return;
        input.disabled = true;
        try {
          await call('POST', `/applications/${encodeURIComponent(a.number)}/documents/${d.type}`, { raw: f, type: fileType(f) });
          state.flash = t('portal.uploaded', { name: name(d) });
          render();
        } catch (e) { mount(msg, errorBox(e)); input.disabled = false; }
      };
      box.append(h('div.p-doc', {}, h('div', {}, h('b', { text: name(d) }), d.note ? h('div.p-muted', { text: d.note }) : null), input), msg);
    }
    out.push(box);
  }
  // stages along the track
  out.push(h('section.p-card', {}, h('h2', { text: t('portal.stages') }),
    h('ol.p-stages', { testid: 'portal-stages' }, ...a.stages.map((s) => h('li', { class: `p-stage ${s.state}`, dataset: { code: s.code, state: s.state } },
      h('div.name', { text: name(s) }, s.late ? h('span.p-badge.late', { text: t('portal.late') }) : null,
        s.paused ? h('span.p-badge.paused', { text: t('portal.paused') }) : null),
      h('div.meta', { text: [
        s.customer_turn ? t('portal.owner_you') : [s.owner_role ? t(`role.${s.owner_role}`) : '', s.team_name || ''].filter(Boolean).join(' · '),
        s.state === 'done' && s.done_at ? t('portal.done_at', { at: fmt(s.done_at) }) : s.due_at && s.state !== 'done' ? t('portal.due_at', { at: fmt(s.due_at) }) : '',
      ].filter(Boolean).join(' — ') }))))));
  // documents
  out.push(h('section.p-card', {}, h('h2', { text: t('portal.documents') }),
    h('ul.p-list', { testid: 'portal-documents' }, ...a.documents.map((d) => h('li', { dataset: { type: d.type, status: d.status } },
      h('b', { text: name(d) }), h('span.p-muted', { text: ' · ' + t(`portal.doc.${d.status}`) }), d.note ? h('div.p-muted', { text: d.note }) : null)))));
  // rating after power-on
  if (a.can_rate) out.push(ratingForm(a));
  else if (a.rating) out.push(h('section.p-card', { testid: 'portal-rated' }, h('h2', { text: t('portal.rating') }),
    h('p', { text: '★'.repeat(a.rating) + '☆'.repeat(5 - a.rating) }), a.rating_comment ? h('p.p-muted', { text: a.rating_comment }) : null));
  out.push(h('div.p-actions', {},
    h('button.p-btn.secondary', { type: 'button', testid: 'portal-home', text: t('portal.my_applications'), onclick: () => go('home') }),
    h('button.p-btn.secondary', { type: 'button', text: t('portal.feedback'), onclick: () => go('feedback', { feedbackNo: a.number }) })));
  return out;
}

function ratingForm(a) {
  let stars = 0;
  const row = h('div.p-stars', { testid: 'portal-stars' });
  const drawStars = () => mount(row, ...[1, 2, 3, 4, 5].map((n) => h('button', { type: 'button', class: n <= stars ? 'on' : '', testid: `portal-star-${n}`,
    'aria-label': String(n), text: '★', onclick: () => { stars = n; drawStars(); } })));
  drawStars();
  const comment = h('textarea', { name: 'comment', rows: '3', testid: 'portal-rating-comment' });
  const msg = h('div');
  return h('section.p-card', { testid: 'portal-rate' }, h('h2', { text: t('portal.rate_title') }),
    h('form', { onsubmit: async (ev) => {
      ev.preventDefault();
      try {
        await call('POST', `/applications/${encodeURIComponent(a.number)}/rating`, { body: { stars, comment: comment.value.trim() || null } });
        state.flash = t('portal.thanks');
        render();
      } catch (e) { mount(msg, errorBox(e)); }
    } }, msg, row, field(t('portal.comment'), comment), h('button.p-btn', { type: 'submit', testid: 'portal-rate-submit', text: t('portal.submit') })));
}

// ---- apply online ----
const KINDS = ['lv_residential', 'lv_non_residential', 'hv_single', 'hv_dual', 'capacity_increase', 'temporary'];
const VOLTAGES = ['220V', '380V', '10kV', '20kV', '35kV', '110kV'];

function applyForm() {
  const el = {
    kind: h('select', { name: 'kind', testid: 'apply-kind' }, ...KINDS.map((k) => h('option', { value: k, text: t(`portal.kind.${k}`) }))),
    applicant_name: h('input', { name: 'applicant_name', testid: 'apply-name', autocomplete: 'name' }),
    supply_address: h('input', { name: 'supply_address', testid: 'apply-address' }),
    voltage_level: h('select', { name: 'voltage_level', testid: 'apply-voltage' }, ...VOLTAGES.map((v) => h('option', { value: v, text: v }))),
    capacity_kva: h('input', { name: 'capacity_kva', type: 'number', min: '1', inputmode: 'numeric', testid: 'apply-capacity' }),
    purpose: h('input', { name: 'purpose', testid: 'apply-purpose' }),
    ev_charger: h('input', { type: 'checkbox', name: 'ev_charger', testid: 'apply-ev' }),
  };
  const files = {
    identity: h('input', { type: 'file', accept: 'image/*,application/pdf', testid: 'apply-doc-identity' }),
    property_proof: h('input', { type: 'file', accept: 'image/*,application/pdf', testid: 'apply-doc-property_proof' }),
  };
  const msg = h('div');
  const submit = h('button.p-btn', { type: 'submit', testid: 'apply-submit', text: t('portal.submit') });
  return h('section.p-card', { testid: 'portal-apply' }, h('h2', { text: t('portal.apply') }),
    h('form', { onsubmit: async (ev) => {
      ev.preventDefault();
      submit.disabled = true;
      try {
        const documents = [];
        for (const [type, input] of Object.entries(files)) {
          const f = input.files[0];
          if (!f) continue;
          const up = await call('POST', `/attachments?filename=${encodeURIComponent(f.name)}`, { raw: f, type: fileType(f) });
          documents.push({ type, attachment_id: up.id });
        }
        const body = {
          kind: el.kind.value, applicant_name: el.applicant_name.value.trim(), supply_address: el.supply_address.value.trim(),
          voltage_level: el.voltage_level.value, capacity_kva: Number(el.capacity_kva.value), purpose: el.purpose.value.trim() || null,
          documents,
        };
        if (el.ev_charger.checked) body.ev_charger = true;
        const a = await call('POST', '/applications', { body });
        state.flash = t('portal.applied', { number: a.number });
        go('app', { number: a.number });
      } catch (e) { mount(msg, errorBox(e)); submit.disabled = false; }
    } }, msg,
    field(t('portal.f.kind'), el.kind), field(t('portal.f.name'), el.applicant_name), field(t('portal.f.address'), el.supply_address),
    h('div.p-row', {}, field(t('portal.f.voltage'), el.voltage_level), field(t('portal.f.capacity'), el.capacity_kva)),
    field(t('portal.f.purpose'), el.purpose), h('label.p-check', {}, el.ev_charger, t('portal.f.ev')),
    h('h3', { text: t('portal.documents') }),
    field(t('portal.f.identity'), files.identity), field(t('portal.f.property'), files.property_proof),
    h('p.p-muted', { text: t('portal.apply_hint') }),
    h('div.p-actions', {}, submit, h('button.p-btn.secondary', { type: 'button', text: t('portal.back'), onclick: () => go('home') }))));
}

// ---- feedback ----
async function feedbackForm() {
  const mine = (await call('GET', '/applications')).items;
  const kind = h('select', { name: 'kind', testid: 'fb-kind' }, ...['complaint', 'opinion', 'inquiry', 'praise'].map((k) => h('option', { value: k, text: t(`portal.fb.${k}`) })));
  const subject = h('input', { name: 'subject', testid: 'fb-subject' });
  const text = h('textarea', { name: 'text', rows: '4', testid: 'fb-text' });
  const app = h('select', { name: 'application_no', testid: 'fb-app' }, h('option', { value: '', text: t('portal.fb.none') }),
    ...mine.map((a) => h('option', { value: a.number, text: a.number, selected: a.number === state.feedbackNo })));
  const msg = h('div');
  return h('section.p-card', { testid: 'portal-feedback-form' }, h('h2', { text: t('portal.feedback') }),
    h('form', { onsubmit: async (ev) => {
      ev.preventDefault();
      try {
        const r = await call('POST', '/feedback', { body: { kind: kind.value, subject: subject.value.trim(), text: text.value.trim() || null,
          application_no: app.value || null } });
        state.flash = t('portal.feedback_sent', { number: r.number });
        go('home');
      } catch (e) { mount(msg, errorBox(e)); }
    } }, msg, field(t('portal.fb.kind'), kind), field(t('portal.fb.subject'), subject), field(t('portal.fb.text'), text),
    field(t('portal.fb.application'), app),
    h('div.p-actions', {}, h('button.p-btn', { type: 'submit', testid: 'fb-submit', text: t('portal.submit') }),
      h('button.p-btn.secondary', { type: 'button', text: t('portal.back'), onclick: () => go('home') }))));
}

async function boot() {
  try {
    await setLang(storedLang(), { remember: false });
  } catch (e) {
    mount(root, h('p.p-boot', { text: `cannot load language files (${e.message})` }));
    return;
  }
  document.title = t('portal.title');
  try {
    await call('GET', '/session');
    state.signedIn = true;
    state.view = 'home';
  } catch { state.view = 'signin'; }
  render();
}

boot();

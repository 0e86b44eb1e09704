// 外包单位 /contractors[/{id}] (R2.8, R2.15): contractors, their qualification, their signed safety agreements
// and their staff. A contractor may work only while its qualification is in date, a safety agreement is in force
// and it is not suspended: the server adds those conditions to each staff member's readiness, and requires
// supervision of any job with contractor staff on it. This page shows why a company may not work and lets
// managers and safety supervisors (contractors.write) fix it.
import { h, mount } from './dom.js';
import { pageLife } from './lifecycle.js';
import { t, todayShanghai } from './i18n.js';
import { get, post, api, upload, listAll } from './api.js';
import { hasPerm, hasRole } from './perm.js';
import { toast, dataTable, loading, formDialog } from './ui.js';
import { problemBox, detailHead, subId, appLink, kvList } from './fw.js';

const canWrite = (me) => hasRole(me, 'admin') || hasPerm(me, 'contractors.write');

function statusBadge(st, testid) {
  const ready = !!(st && st.ready);
  return h('span.badge', { class: ready ? 'badge-ok' : 'badge-danger-solid', testid, dataset: { ready: ready ? '1' : '0' },
    text: ready ? t('contractor.ready') : t('contractor.not_ready') });
}

const reasonText = (r) => t('contractor.reason.' + r.code, { reason: r.reason || '', date: r.qualification_expires_on || '—' });

function fields(c = {}) {
  return [
    { name: 'name', label: t('contractor.name'), required: true, value: c.name || '' },
    { name: 'credit_code', label: t('contractor.credit_code'), value: c.credit_code || '', hint: t('contractor.credit_code_hint') },
    { name: 'contact_name', label: t('contractor.contact_name'), value: c.contact_name || '' },
    { name: 'contact_phone', label: t('contractor.contact_phone'), type: 'tel', value: c.contact_phone || '' },
    { name: 'qualification_name', label: t('contractor.qualification_name'), value: c.qualification_name || t('contractor.qualification_default') },
    { name: 'qualification_no', label: t('contractor.qualification_no'), value: c.qualification_no || '' },
    { name: 'qualification_grade', label: t('contractor.qualification_grade'), value: c.qualification_grade || '' },
    { name: 'qualification_expires_on', label: t('contractor.qualification_expires_on'), type: 'date', value: c.qualification_expires_on || '' },
  ];
}

/** Form values → body: empty text is null (clears the field on an edit, leaves it out on a create). */
function body(v, { create }) {
  const b = {};
  for (const [k, x] of Object.entries(v)) {
    const s = String(x || '').trim();
    if (s) b[k] = s;
    else if (!create) b[k] = null;
  }
  return b;
}

export function renderContractors(el, ctx) {
  const { me, path, navigate } = ctx;
  const sub = subId(path, '/contractors');
  if (sub === null) return false;
  if (sub) { renderContractor(el, { ...ctx, id: sub }); return true; }
  const box = h('div', loading());
  const err = problemBox('contractors-error');
  const q = h('input.input.search.wide', { type: 'search', testid: 'contractors-search', placeholder: t('contractor.search'), 'aria-label': t('contractor.search'), autocomplete: 'off' });
  const debounce = pageLife().debouncer(300);
  q.addEventListener('input', () => debounce(load));
  async function load() {
    err.show(null);
    try {
      const r = await get('/contractors', { q: q.value.trim() || undefined });
      mount(box, dataTable({
        testid: 'contractors-table', rowTestid: (c) => 'contractor-row-' + c.id, empty: t('contractor.empty'), rows: r.items || [],
        columns: [
          { label: t('contractor.name'), render: (c) => h('div.cell-main', appLink('/contractors/' + encodeURIComponent(c.id), c.name, navigate, { class: 'row-open' }),
            c.credit_code ? h('div.cell-sub.mono', { text: c.credit_code }) : null) },
          { label: t('contractor.qualification'), render: (c) => [c.qualification_name || '—', c.qualification_grade ? ' · ' + c.qualification_grade : ''].join('') },
          { label: t('contractor.qualification_expires_on'), cls: 'col-time', render: (c) => c.qualification_expires_on || '—' },
          { label: t('contractor.agreement_until'), cls: 'col-time', render: (c) => (c.status.agreement_in_force ? c.status.agreement_in_force.expires_on : '—') },
          { label: t('contractor.staff'), cls: 'col-num', render: (c) => String(c.staff_count || 0) },
          { label: t('contractor.status'), render: (c) => h('div', statusBadge(c.status, 'contractor-status-' + c.id),
            c.status.reasons.length ? h('div.cell-sub', { text: c.status.reasons.map(reasonText).join('；') }) : null) },
        ],
      }));
    } catch (ex) {
      err.show(ex);
      mount(box);
    }
  }
  async function create() {
    const r = await formDialog({ title: t('contractor.new'), testid: 'contractor-dialog', submit: t('common.save'), fields: fields(),
      onSubmit: (v) => post('/contractors', body(v, { create: true })) });
    if (!r) return;
    toast(t('contractor.created'));
    navigate('/contractors/' + encodeURIComponent(r.id));
  }
  el.append(
    h('div.page-head', h('h1.page-title', { text: t('nav.contractors'), tabindex: '-1' }),
      appLink('/people', t('nav.people'), navigate, { class: 'btn btn-sm' }),
      canWrite(me) ? h('button.btn.btn-primary', { type: 'button', testid: 'contractor-new', onclick: create, text: t('contractor.new') }) : null),
    h('p.page-lead', { text: t('contractor.lead') }),
    h('div.toolbar', q), err, box);
  load();
  return true;
}

function renderContractor(el, { me, navigate, id }) {
  const card = h('section.card.detail-card', { testid: 'contractor-page', dataset: { id } }, loading());
  el.append(h('div.page-head', h('h1.page-title', { text: t('nav.contractors'), tabindex: '-1' })), card);
  const err = problemBox('contractor-error');
  const back = () => navigate('/contractors');

  async function load() {
    try {
      draw(await get('/contractors/' + encodeURIComponent(id)));
    } catch (ex) {
      err.show(ex);
      mount(card, detailHead({ number: '', title: t('nav.contractors'), badges: [], onClose: back, testid: 'contractor' }), err);
    }
  }

  function draw(c) {
    const st = c.status;
    const w = canWrite(me);
    const actions = w ? h('div.action-bar',
      h('button.btn', { type: 'button', testid: 'contractor-edit', text: t('common.edit'), onclick: () => edit(c) }),
      h('button.btn.btn-primary', { type: 'button', testid: 'agreement-new', text: t('contractor.agreement_new'), onclick: () => agreement(c) }),
      h('button.btn', { type: 'button', testid: 'staff-add', text: t('contractor.staff_add'), onclick: () => addStaff(c) }),
      c.suspended
        ? h('button.btn', { type: 'button', testid: 'contractor-resume', text: t('contractor.resume'), onclick: () => suspend(c, false) })
        : h('button.btn.btn-danger', { type: 'button', testid: 'contractor-suspend', text: t('contractor.suspend'), onclick: () => suspend(c, true) })) : null;
    const head = detailHead({ number: c.credit_code || '', title: c.name, badges: [statusBadge(st, 'contractor-status')], onClose: back, testid: 'contractor' });
    mount(card, head,
      st.reasons.length
        ? h('div.alert.alert-error', { role: 'status', testid: 'contractor-reasons' }, h('span.alert-msg', { text: t('contractor.not_ready_why') }),
          h('ul.gate-sublist', st.reasons.map((r) => h('li', { dataset: { code: r.code }, text: reasonText(r) }))))
        : h('p.alert.alert-ok', { testid: 'contractor-reasons', text: t('contractor.ready_text') }),
      st.expiring.length ? h('p.alert.alert-warn', { testid: 'contractor-expiring', text: st.expiring.map((x) => t('contractor.expiring.' + x.what, { date: x.expires_on, n: x.days })).join('；') }) : null,
      err, actions,
      kvList([
        [t('contractor.contact_name'), c.contact_name],
        [t('contractor.contact_phone'), c.contact_phone],
        [t('contractor.qualification_name'), c.qualification_name],
        [t('contractor.qualification_no'), c.qualification_no],
        [t('contractor.qualification_grade'), c.qualification_grade],
        [t('contractor.qualification_expires_on'), c.qualification_expires_on, 'contractor-qexp'],
        c.suspended ? [t('contractor.suspended_reason'), c.suspended_reason, 'contractor-suspended-reason'] : null,
      ]),
      h('h3.section-title', { text: t('contractor.agreements_n', { n: c.agreements.length }) }),
      dataTable({
        testid: 'contractor-agreements', rowTestid: (a) => 'agreement-' + a.id, empty: t('contractor.no_agreements'), rows: c.agreements,
        columns: [
          { label: t('contractor.agreement_no'), render: (a) => h('span.mono', { text: a.number }) },
          { label: t('contractor.signed_on'), cls: 'col-time', render: (a) => a.signed_on },
          { label: t('contractor.expires_on'), cls: 'col-time', render: (a) => a.expires_on },
          { label: t('contractor.signer'), render: (a) => a.contractor_signer },
          { label: t('contractor.in_force'), render: (a) => (st.agreement_in_force && st.agreement_in_force.id === a.id ? h('span.badge.badge-ok', { text: t('contractor.in_force') }) : '—') },
        ],
      }),
      h('h3.section-title', { text: t('contractor.staff_n', { n: c.staff.length }) }),
      dataTable({
        testid: 'contractor-staff', rowTestid: (u) => 'staff-' + u.username, empty: t('contractor.no_staff'), rows: c.staff,
        columns: [
          { label: t('user.display_name'), render: (u) => appLink('/people/' + encodeURIComponent(u.id), u.display_name || u.username, navigate) },
          { label: t('user.username'), render: (u) => h('span.mono', { text: u.username }) },
          { label: t('user.phone'), cls: 'col-opt', render: (u) => u.phone || '—' },
          w ? { label: '', render: (u) => h('button.btn.btn-sm', { type: 'button', testid: 'staff-remove-' + u.username, text: t('contractor.staff_remove'), onclick: () => removeStaff(u) }) } : null,
        ].filter(Boolean),
      }));
  }

  const done = async (msg) => { toast(msg); await load(); };
  async function edit(c) {
    const r = await formDialog({ title: t('contractor.edit'), testid: 'contractor-dialog', submit: t('common.save'), fields: fields(c),
      onSubmit: (v) => api('PATCH', '/contractors/' + encodeURIComponent(id), { body: { version: c.version, ...body(v, { create: false }), name: v.name.trim() } }) });
    if (r) await done(t('common.saved'));
  }
  async function suspend(c, on) {
    const r = await formDialog({
      title: on ? t('contractor.suspend') : t('contractor.resume'), testid: 'suspend-dialog', danger: on, submit: on ? t('contractor.suspend') : t('contractor.resume'),
      fields: on ? [{ name: 'reason', label: t('contractor.suspended_reason'), type: 'textarea', required: true }] : [],
      body: on ? t('contractor.suspend_hint') : null,
      onSubmit: (v) => api('PATCH', '/contractors/' + encodeURIComponent(id), { body: on
        ? { version: c.version, suspended: true, suspended_reason: v.reason.trim() } : { version: c.version, suspended: false } }),
    });
    if (r) await done(on ? t('contractor.suspended') : t('contractor.resumed'));
  }
  async function agreement() {
    const r = await formDialog({
      title: t('contractor.agreement_new'), testid: 'agreement-dialog', submit: t('common.save'), body: t('contractor.agreement_hint'),
      fields: [
        { name: 'number', label: t('contractor.agreement_no'), required: true },
        { name: 'signed_on', label: t('contractor.signed_on'), type: 'date', required: true, value: todayShanghai(), attrs: { max: todayShanghai() } },
        { name: 'expires_on', label: t('contractor.expires_on'), type: 'date', required: true },
        { name: 'contractor_signer', label: t('contractor.signer'), required: true },
        { name: 'scan', label: t('contractor.scan'), type: 'file', attrs: { accept: 'application/pdf,image/jpeg,image/png' } },
      ],
      onSubmit: async (v) => {
        const file = document.querySelector('[data-testid="agreement-dialog-scan"]').files[0];
        const b = { number: v.number.trim(), signed_on: v.signed_on, expires_on: v.expires_on, contractor_signer: v.contractor_signer.trim() };
        if (file) b.attachment_id = (await upload('contractor', id, file)).id;
        return post('/contractors/' + encodeURIComponent(id) + '/agreements', b);
      },
    });
    if (r) await done(t('contractor.agreement_added'));
  }
  async function addStaff(c) {
    const people = await listAll('/directory/people', {}, 1000);
    const inside = new Set(c.staff.map((u) => u.id));
    const options = people.filter((u) => !inside.has(u.id)).map((u) => ({ value: u.id, label: `${u.display_name || u.username} (${u.username})` }));
    const r = await formDialog({
      title: t('contractor.staff_add'), testid: 'staff-dialog', submit: t('contractor.staff_add'), body: t('contractor.staff_hint'),
      fields: [{ name: 'user_id', label: t('contractor.person'), type: 'select', options }],
      onSubmit: (v) => post('/contractors/' + encodeURIComponent(id) + '/staff', { user_id: v.user_id }),
    });
    if (r) await done(t('contractor.staff_added'));
  }
  async function removeStaff(u) {
    try {
      await api('DELETE', '/contractors/' + encodeURIComponent(id) + '/staff/' + encodeURIComponent(u.id));
      await done(t('contractor.staff_removed'));
    } catch (ex) { err.show(ex); }
  }
  load();
}

// 人员资质 /people[/{user id}] (R2.2, R0.3, R2.8): people's qualifications and whether they may work.
//   - /people (people.read): certificates and exams expiring soon or expired (GET /people/expiring?days=), and the
//     people of the directory (GET /directory/people?q=&role=, "load more") to open one.
//   - /people/{id}: the person's readiness (ready, or the reasons: no valid safety-rules exam, an expired
//     certificate), their certificates with expiry, safety-rules exams (score, pass, valid until) and training
//     (GET /users/{id}/qualifications); people.write adds a record (POST /users/{id}/qualifications).
//   Everyone may read their own: without people.read, /people shows one's own page.
import { h, mount } from './dom.js';
import { pageLife } from './lifecycle.js';
import { listPager } from './pager.js';
import { t, roleName, fmtTime, todayShanghai } from './i18n.js';
import { get, post } from './api.js';
import { ROLES, canPeople, canPeopleWrite, canContractors } from './perm.js';
import { renderContractors } from './contractors.js';
import { toast, dataTable, loading, formDialog } from './ui.js';
import { problemBox, detailHead, subId, appLink, personReason } from './fw.js';

const KINDS = ['certificate', 'safety_exam', 'training'];
const PAGE = 30;
const remembered = { q: '', role: '', days: '60' };


/** Days from today (Asia/Shanghai) to a YYYY-MM-DD date; negative when past. */
function daysTo(date) {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(String(date || ''));
  if (!m) return null;
  const [y, mo, d] = todayShanghai().split('-').map(Number);
  return Math.round((Date.UTC(+m[1], +m[2] - 1, +m[3]) - Date.UTC(y, mo - 1, d)) / 86400000);
}

/** An expiry date with how far it is: red when past, amber within 60 days. */
function expiryCell(date, days = daysTo(date)) {
  if (!date) return h('span.muted', { text: t('people.no_expiry') });
  const cls = days === null ? '' : days < 0 ? 'overdue' : days <= 60 ? 'due-soon' : '';
  const rel = days === null ? '' : days < 0 ? t('people.expired_days', { n: -days }) : days === 0 ? t('people.expires_today') : t('people.expires_in', { n: days });
  return h('span', { class: cls, dataset: { days: days === null ? '' : String(days) }, text: rel ? t('people.date_rel', { date, rel }) : date });
}

export function readinessBadge(r, testid) {
  const ready = !!(r && r.ready);
  return h('span.badge', { class: ready ? 'badge-ok' : 'badge-danger-solid', testid, dataset: { ready: ready ? '1' : '0' }, text: ready ? t('people.ready') : t('people.not_ready') });
}

export const reasonText = personReason;

export function renderPeople(el, ctx) {
  const { me, path, navigate } = ctx;
  if (path === '/contractors' || path.startsWith('/contractors/')) return renderContractors(el, ctx);
  const sub = subId(path, '/people');
  if (sub === null) return false;
  if (sub === '' && !canPeople(me)) {
    history.replaceState(null, '', '/people/' + encodeURIComponent(me.id));
    renderPerson(el, { ...ctx, userId: me.id });
    return true;
  }
  if (sub) {
    renderPerson(el, { ...ctx, userId: sub === 'me' ? me.id : sub });
    return true;
  }

  // ---------------------------------------------------------------- expiring
  const days = h('select.input', { testid: 'people-expiring-days', 'aria-label': t('people.expiring_within') },
    ['30', '60', '90', '180'].map((d) => h('option', { value: d, text: t('people.within_days', { n: d }), selected: d === remembered.days })));
  const expBox = h('div', loading());
  const expErr = problemBox('people-expiring-error');
  async function loadExpiring() {
    remembered.days = days.value;
    expErr.show(null);
    try {
      const r = await get('/people/expiring', { days: days.value });
      const items = (r && r.items) || [];
      mount(expBox, dataTable({
        testid: 'people-expiring',
        rowTestid: (x) => 'expiring-' + x.id,
        empty: t('people.expiring_none', { n: days.value }),
        rows: items,
        columns: [
          { label: t('people.person'), render: (x) => appLink('/people/' + encodeURIComponent(x.user_id), x.display_name || x.user_id, navigate) },
          { label: t('people.kind'), render: (x) => t('people.kind.' + x.kind) },
          { label: t('people.record_name'), render: (x) => x.name },
          { label: t('people.expires_on'), cls: 'col-time', render: (x) => expiryCell(x.expires_on, Number.isFinite(x.days_to_expiry) ? x.days_to_expiry : daysTo(x.expires_on)) },
        ],
      }));
    } catch (ex) {
      expErr.show(ex);
      mount(expBox);
    }
  }
  days.addEventListener('change', () => loadExpiring());

  // ---------------------------------------------------------------- directory
  const q = h('input.input.search.wide', { type: 'search', testid: 'people-search', placeholder: t('people.search_placeholder'), 'aria-label': t('people.search'), value: remembered.q, autocomplete: 'off' });
  const role = h('select.input', { testid: 'people-role-filter', 'aria-label': t('user.roles') },
    h('option', { value: '', text: t('people.all_roles') }),
    ROLES.filter((r) => r !== 'admin').map((r) => h('option', { value: r, text: roleName(r), selected: r === remembered.role })));
  const filters = h('form.filters', { role: 'search', testid: 'people-filters' }, q, role,
    h('button.btn', { type: 'submit', text: t('users.search') }));
  const debounce = pageLife().debouncer(350);
  q.addEventListener('input', () => debounce(reload));
  role.addEventListener('change', () => reload());
  filters.addEventListener('submit', (e) => { e.preventDefault(); debounce.cancel(); reload(); });
  const listBox = h('div', loading());
  const err = problemBox('people-error');
  const query = () => {
    remembered.q = q.value.trim();
    remembered.role = role.value;
    return { q: remembered.q, role: remembered.role, limit: PAGE };
  };
  const list = listPager({ path: '/directory/people', query, err, box: listBox, draw, moreTestid: 'people-more' });
  const reload = () => list.reload();
  function draw() {
    mount(listBox,
      dataTable({
        testid: 'people-table',
        rowTestid: (u) => 'person-row-' + u.username,
        empty: t('people.empty'),
        rows: list.items,
        columns: [
          {
            label: t('user.display_name'),
            render: (u) => h('div.cell-main', appLink('/people/' + encodeURIComponent(u.id), u.display_name || u.username, navigate, { class: 'row-open' }),
              h('div.cell-sub.mono', { text: u.username })),
          },
          { label: t('user.roles'), render: (u) => h('div.chips', (u.roles || []).map((r) => h('span.chip', { text: roleName(r) }))) },
          { label: t('user.phone'), cls: 'col-opt', render: (u) => u.phone || '—' },
        ],
      }),
      list.moreButton());
  }

  el.append(
    h('div.page-head', h('h1.page-title', { text: t('nav.people'), tabindex: '-1' }),
      appLink('/people/' + encodeURIComponent(me.id), t('people.mine'), navigate, { class: 'btn btn-sm', testid: 'people-mine' }),
      canContractors(me) ? appLink('/contractors', t('people.contractors'), navigate, { class: 'btn btn-sm', testid: 'people-contractors' }) : null),
    h('section.card.people-expiring-card', { testid: 'people-expiring-card' },
      h('div.card-head', h('h2.card-title', { text: t('people.expiring_title') }), days),
      expErr, expBox),
    h('section.people-directory',
      h('h2.section-title', { text: t('people.directory') }),
      h('div.toolbar', filters), err, listBox));
  loadExpiring();
  reload();
  return true;
}

function renderPerson(el, { me, navigate, userId }) {
  const card = h('section.card.detail-card.person-card', { testid: 'person-page', dataset: { id: userId } }, loading());
  const back = () => navigate(canPeople(me) ? '/people' : '/');
  el.append(h('div.page-head', h('h1.page-title', { text: userId === me.id ? t('people.mine') : t('nav.people'), tabindex: '-1' })), card);

  async function load() {
    let r;
    try {
      r = await get(`/users/${encodeURIComponent(userId)}/qualifications`);
    } catch (ex) {
      const box = problemBox('person-error');
      box.show(ex);
      mount(card, detailHead({ number: '', title: t('people.person'), badges: [], onClose: back, testid: 'person' }), box);
      return;
    }
    draw(r);
  }

  function draw(r) {
    const rd = r.readiness || {};
    const items = r.items || [];
    const by = (k) => items.filter((x) => x.kind === k);
    const addBtn = canPeopleWrite(me)
      ? h('button.btn.btn-primary', { type: 'button', testid: 'qual-new', onclick: () => add(rd.display_name) }, h('span', { text: t('people.add') })) : null;
    const reasons = (rd.reasons || []);
    const certs = by('certificate');
    const exams = by('safety_exam');
    const training = by('training');
    const head = detailHead({ number: '', title: rd.display_name || userId, badges: [readinessBadge(rd, 'person-readiness')], onClose: back, testid: 'person' });
    head.querySelector('.detail-number').remove(); // people have no number
    mount(card,
      head,
      reasons.length
        ? h('div.alert.alert-error', { role: 'status', testid: 'person-reasons' },
          h('span.alert-msg', { text: t('people.not_ready_why') }),
          h('ul.gate-sublist', reasons.map((x) => h('li', { dataset: { code: x.code }, text: reasonText(x) }))))
        : h('p.alert.alert-ok', { testid: 'person-reasons', text: t('people.ready_text') }),
      rd.contractor ? h('p.person-contractor', { testid: 'person-contractor' }, h('span', { text: t('people.works_for') + ' ' }),
        appLink('/contractors/' + encodeURIComponent(rd.contractor.id), rd.contractor.name, navigate)) : null,
      addBtn ? h('div.action-bar', addBtn) : null,
      h('h3.section-title', { text: t('people.certificates_n', { n: certs.length }) }),
      dataTable({
        testid: 'person-certs', rowTestid: (x) => 'qual-' + x.id, empty: t('people.none'), rows: certs,
        columns: [
          { label: t('people.record_name'), render: (x) => x.name },
          { label: t('people.number'), render: (x) => (x.number ? h('span.mono', { text: x.number }) : '—') },
          { label: t('people.issued_on'), cls: 'col-time', render: (x) => x.issued_on || '—' },
          { label: t('people.expires_on'), cls: 'col-time', render: (x) => expiryCell(x.expires_on) },
          { label: t('people.issuer'), cls: 'col-opt', render: (x) => x.issuer || '—' },
        ],
      }),
      h('h3.section-title', { text: t('people.exams_n', { n: exams.length }) }),
      dataTable({
        testid: 'person-exams', rowTestid: (x) => 'qual-' + x.id, empty: t('people.none'), rows: exams,
        columns: [
          { label: t('people.exam_date'), cls: 'col-time', render: (x) => x.issued_on || '—' },
          { label: t('people.record_name'), render: (x) => x.name },
          { label: t('people.score'), cls: 'col-num', render: (x) => (x.score === null || x.score === undefined ? '—' : String(x.score)) },
          { label: t('people.result'), render: (x) => h('span.badge', { class: x.passed ? 'badge-ok' : 'badge-danger', dataset: { passed: x.passed ? '1' : '0' }, text: x.passed ? t('people.passed') : t('people.failed') }) },
          { label: t('people.valid_until'), cls: 'col-time', render: (x) => expiryCell(x.expires_on) },
        ],
      }),
      h('h3.section-title', { text: t('people.training_n', { n: training.length }) }),
      dataTable({
        testid: 'person-training', rowTestid: (x) => 'qual-' + x.id, empty: t('people.none'), rows: training,
        columns: [
          { label: t('people.record_name'), render: (x) => x.name },
          { label: t('people.training_date'), cls: 'col-time', render: (x) => x.issued_on || '—' },
          { label: t('people.issuer'), render: (x) => x.issuer || '—' },
          { label: t('people.recorded_at'), cls: 'col-opt col-time', render: (x) => fmtTime(x.recorded_at, { seconds: false }) },
        ],
      }));
  }

  async function add(name) {
    const r = await formDialog({
      title: t('people.add_title', { name: name || '' }),
      testid: 'qual-dialog',
      submit: t('people.add'),
      body: t('people.add_hint'),
      fields: [
        { name: 'kind', label: t('people.kind'), type: 'radio', value: 'safety_exam', options: KINDS.map((k) => ({ value: k, label: t('people.kind.' + k) })) },
        { name: 'name', label: t('people.record_name'), required: true },
        { name: 'number', label: t('people.number') },
        { name: 'issued_on', label: t('people.issued_on_any'), type: 'date', attrs: { max: todayShanghai() } },
        { name: 'expires_on', label: t('people.expires_on'), type: 'date' },
        { name: 'score', label: t('people.score'), type: 'number', attrs: { min: '0', max: '100', step: '1', inputmode: 'numeric' } },
        { name: 'issuer', label: t('people.issuer') },
      ],
      onSubmit: (v) => {
        const body = { kind: v.kind, name: v.name.trim() };
        for (const k of ['number', 'issued_on', 'expires_on', 'issuer']) if (String(v[k] || '').trim()) body[k] = v[k].trim();
        if (String(v.score).trim() !== '') body.score = Number(v.score);
        return post(`/users/${encodeURIComponent(userId)}/qualifications`, body);
      },
    });
    if (!r) return;
    toast(t('people.added'));
    await load();
  }

  load();
}


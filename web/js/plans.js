// 作业计划: plans by date and status, the create form (plans.write), and the plan detail with its flow actions
// (publish / cancel; the safety gates' refusals are listed one by one). GET/POST /plans, GET /plans/{id},
// POST /plans/{id}/actions/{action}. The form's pickers read the directory (GET /directory/org-units?kind=team,
// /directory/people?role=leader|crew: open to plans.read, so dispatchers plan without admin rights) and
// /work-orders?status=new.
import { h, mount, clear } from './dom.js';
import { pageLife } from './lifecycle.js';
import { listPager } from './pager.js';
import { t, fmtTime, todayShanghai } from './i18n.js';
import { get, post, listAll } from './api.js';
import { canPlansWrite, canOrders } from './perm.js';
import { toast, dataTable, loading, field } from './ui.js';
import {
  planStatuses, statusName, kindName, statusBadge, riskBadge, highRiskBadge, personName,
  problemBox, markServerField, clearMarks, actionBar, kvList, masterDetail, detailHead, subId, appLink,
  emergencyMarks, personReason,
} from './fw.js';

const PAGE = 30;
const remembered = { date: null, status: '' };

export function renderPlans(el, { me, path, navigate }) {
  const openId = subId(path, '/plans');
  if (openId === null) return false;

  let selected = null;
  let teams = null; // Map id -> name (GET /directory/org-units?kind=team)

  if (remembered.date === null) remembered.date = todayShanghai();
  const date = h('input.input', { type: 'date', testid: 'plans-date', 'aria-label': t('plan.date'), value: remembered.date });
  const allDates = h('button.btn', { type: 'button', testid: 'plans-date-all', text: t('plan.all_dates') });
  const todayBtn = h('button.btn', { type: 'button', testid: 'plans-date-today', text: t('plan.today') });
  const status = h('select.input', { testid: 'plans-status-filter', 'aria-label': t('plan.filter_status') },
    h('option', { value: '', text: t('plan.all_statuses') }),
    planStatuses().map((s) => h('option', { value: s, text: statusName('plan', s), selected: s === remembered.status })));
  const filters = h('form.filters.plan-filters', { role: 'search', testid: 'plans-filters' }, date, todayBtn, allDates, status);
  date.addEventListener('change', () => reload());
  status.addEventListener('change', () => reload());
  allDates.addEventListener('click', () => { date.value = ''; reload(); });
  todayBtn.addEventListener('click', () => { date.value = todayShanghai(); reload(); });
  filters.addEventListener('submit', (e) => { e.preventDefault(); reload(); });

  const newBtn = h('button.btn.btn-primary', { type: 'button', testid: 'plan-new', onclick: () => showForm() },
    h('span', { text: t('plan.new') }));
  const formBox = h('div');
  const err = problemBox('plans-error');
  const listBox = h('div', loading());
  const md = masterDetail('/plans');

  const query = () => {
    remembered.date = date.value;
    remembered.status = status.value;
    return { date: date.value, status: status.value, limit: PAGE };
  };

  const list = listPager({ path: '/plans', query, err, box: listBox, draw, moreTestid: 'plans-more' });
  const reload = () => list.reload();

  const teamLabel = (id) => {
    if (!id) return '—';
    const n = teams && teams.get(id);
    return n || h('span.muted.small', { title: id, text: t('plan.team_name_unavailable') });
  };

  function draw() {
    const byTestid = new Map(list.items.map((p) => ['plan-row-' + p.number, p]));
    const table = dataTable({
      testid: 'plans-table',
      rowTestid: (p) => 'plan-row-' + p.number,
      empty: date.value ? t('plan.empty_day', { date: date.value }) : t('plan.empty'),
      rows: list.items,
      columns: [
        {
          label: t('plan.number'),
          render: (p) => h('div.cell-main',
            appLink('/plans/' + encodeURIComponent(p.id), p.number, () => open(p.id), { class: 'mono row-open' }),
            h('div.cell-sub', { text: p.title || '' })),
        },
        { label: t('plan.date'), cls: 'col-time', render: (p) => p.date },
        // Team names come from the directory; if it could not be read, an id is no help in a list.
        teams ? { label: t('plan.team'), cls: 'col-opt', render: (p) => teamLabel(p.team_id) } : null,
        { label: t('plan.leader'), render: (p) => personName(p.leader) },
        {
          label: t('plan.crew'), cls: 'col-opt',
          render: (p) => ((p.crew || []).length ? (p.crew || []).map(personName).join('、') : '—'),
        },
        { label: t('plan.orders'), cls: 'col-num', render: (p) => String((p.work_orders || []).length) },
        {
          label: t('plan.risk'),
          render: (p) => h('div.chips', riskBadge(p.risk_level), p.high_risk ? highRiskBadge() : null),
        },
        { label: t('plan.status'), render: (p) => statusBadge('plan', p.status, 'plan-row-status') },
      ].filter(Boolean),
    });
    table.addEventListener('click', (e) => {
      if (e.target.closest('a, button')) return;
      const tr = e.target.closest('tr[data-testid]');
      const p = tr && byTestid.get(tr.dataset.testid);
      if (p) open(p.id);
    });
    for (const tr of table.querySelectorAll('tbody tr[data-testid]')) {
      tr.classList.add('row-link');
      const p = byTestid.get(tr.dataset.testid);
      if (p && selected && p.id === selected) tr.classList.add('selected');
    }
    mount(listBox,
      h('p.muted', { testid: 'plans-total', text: t('common.total', { n: typeof list.total === 'number' ? list.total : list.items.length }) }),
      table,
      list.moreButton());
  }

  // ---------------------------------------------------------------- detail

  function open(id, { push = true } = {}) {
    selected = id;
    md.show(id, { push });
    for (const tr of listBox.querySelectorAll('tbody tr')) tr.classList.remove('selected');
    const row = list.items.find((p) => p.id === id);
    if (row) {
      const tr = listBox.querySelector(`tr[data-testid="plan-row-${CSS.escape(row.number)}"]`);
      if (tr) tr.classList.add('selected');
    }
    loadDetail(id);
  }

  function close() {
    selected = null;
    md.hide();
    for (const tr of listBox.querySelectorAll('tbody tr')) tr.classList.remove('selected');
  }

  async function loadDetail(id, keepError) {
    if (!keepError) mount(md.detail, h('section.card.detail-card', { testid: 'plan-detail' }, loading()));
    let p;
    try {
      p = await get('/plans/' + encodeURIComponent(id));
    } catch (ex) {
      if (selected !== id) return;
      const box = problemBox('plan-detail-error');
      box.show(ex);
      mount(md.detail, h('section.card.detail-card', { testid: 'plan-detail' },
        detailHead({ number: '', title: t('plan.detail'), badges: [], onClose: close, testid: 'plan-detail' }), box));
      return;
    }
    if (selected !== id) return;
    const i = list.items.findIndex((x) => x.id === p.id);
    if (i >= 0) {
      list.items[i] = { ...list.items[i], ...p };
      draw();
    }
    drawDetail(p, keepError);
  }

  function drawDetail(p, keepError) {
    const box = problemBox('plan-action-error');
    if (keepError) box.show(keepError);
    const bar = actionBar({
      flow: 'plan', collection: 'plans', entity: p, box, testidPrefix: 'plan',
      confirmFor: (a) => {
        if (a === 'publish') return { title: t('plan.publish_title', { number: p.number }), body: t('plan.publish_body'), confirm: t('action.plan.publish') };
        if (a === 'cancel') return { title: t('plan.cancel_title', { number: p.number }), body: t('plan.cancel_body'), confirm: t('action.plan.cancel'), danger: true };
        return null;
      },
      onDone: () => loadDetail(p.id),
      onStale: (ex) => loadDetail(p.id, ex),
    });
    const orders = p.work_orders || [];
    // Orders as small cards: they fit the detail panel beside the list as well as a phone.
    const ordersList = orders.length
      ? h('ul.order-cards', { testid: 'plan-orders' }, orders.map((o) => h('li.order-card', { testid: 'plan-order-' + o.number },
        h('div.order-card-top',
          canOrders(me)
            ? appLink('/orders/' + encodeURIComponent(o.id), o.number, navigate, { class: 'mono' })
            : h('span.mono', { text: o.number }),
          statusBadge('work_order', o.status, 'plan-order-status')),
        h('div.order-card-main', { text: `${kindName(o.kind)} · ${o.customer_name || '—'}` }),
        o.site_address || o.meter_asset_no ? h('div.order-card-sub',
          o.site_address ? h('span', { text: o.site_address }) : null,
          o.meter_asset_no ? h('span', { text: t('jobs.meter', { no: o.meter_asset_no }) }) : null) : null)))
      : h('p.muted', { text: t('plan.no_orders') });
    const leader = p.leader
      ? h('span', h('span', { text: personName(p.leader) }), p.leader.phone ? h('span.muted', { text: ' · ' + p.leader.phone }) : null)
      : null;
    const badges = [statusBadge('plan', p.status, 'plan-status'), riskBadge(p.risk_level, 'plan-risk')];
    if (p.high_risk) badges.push(highRiskBadge('plan-high-risk'));
    mount(md.detail, h('section.card.detail-card', { testid: 'plan-detail', dataset: { id: p.id } },
      detailHead({ number: p.number, title: p.title, badges, onClose: close, testid: 'plan-detail' }),
      emergencyMarks(p.emergency_relaxations, 'plan-emergency'),
      bar, box,
      kvList([
        [t('plan.date'), p.date, 'plan-detail-date'],
        [t('plan.team'), teamLabel(p.team_id)],
        [t('plan.place'), p.place],
        [t('plan.leader'), leader, 'plan-detail-leader'],
        [t('plan.crew'), (p.crew || []).length
          ? h('div.chips', { testid: 'plan-detail-crew' }, p.crew.map((c) => h('span.chip', { text: personName(c) })))
          : null],
        [t('plan.risk'), h('span.risk-line', riskBadge(p.risk_level), h('span.muted.small', { text: t('plan.risk_from_kinds') }))],
        [t('plan.high_risk'), p.high_risk ? h('span', highRiskBadge(), h('span.small', { text: ' ' + t('risk.high_hint') })) : t('common.no'), 'plan-detail-high-risk'],
        p.video_link || p.high_risk ? [t('plan.video_link'), p.video_link ? h('span.mono.small', { text: p.video_link }) : null] : null,
        p.onsite_supervisor_id ? [t('plan.onsite_supervisor'), h('span.mono.small', { text: p.onsite_supervisor_id })] : null,
        [t('plan.content'), p.content ? h('div.pre-line', { text: p.content }) : null],
        [t('plan.published_at'), fmtTime(p.published_at), 'plan-detail-published-at'],
        [t('order.created_at'), fmtTime(p.created_at)],
      ]),
      h('h3.section-title', { text: t('plan.orders_n', { n: orders.length }) }),
      ordersList));
  }

  // ---------------------------------------------------------------- create

  function showForm(fromOrder = null) {
    newBtn.hidden = true;
    const cancelForm = () => { clear(formBox); newBtn.hidden = false; };
    const fDate = h('input.input', { type: 'date', testid: 'plan-form-date', value: date.value || todayShanghai() });
    const fTeam = h('select.input', { testid: 'plan-form-team' }, h('option', { value: '', text: t('common.loading') }));
    const teamOnly = h('input', { type: 'checkbox', testid: 'plan-form-team-only', checked: true });
    const fLeader = h('select.input', { testid: 'plan-form-leader' }, h('option', { value: '', text: t('plan.choose_team_first') }));
    const crewBox = h('div.check-grid.picker', { testid: 'plan-form-crew' }, h('span.muted.small', { text: t('plan.choose_team_first') }));
    const orderSearch = h('input.input.search', {
      type: 'search', testid: 'plan-form-order-search', placeholder: t('plan.order_search_placeholder'),
      'aria-label': t('plan.order_search'), autocomplete: 'off', spellcheck: 'false',
    });
    const orderResults = h('div.order-picker', { testid: 'plan-form-order-results' }, loading());
    const chosenBox = h('div.chosen', { testid: 'plan-form-orders-chosen' });
    const fTitle = h('input.input', { type: 'text', maxlength: '200', testid: 'plan-form-title', placeholder: t('plan.title_default') });
    const fPlace = h('input.input', { type: 'text', maxlength: '300', testid: 'plan-form-place', placeholder: t('plan.place_default') });
    const fContent = h('textarea.input', { rows: '2', maxlength: '4000', testid: 'plan-form-content' });
    const fVideo = h('input.input', { type: 'text', maxlength: '500', testid: 'plan-form-video', spellcheck: 'false' });
    const ferr = problemBox('plan-form-error');
    const submit = h('button.btn.btn-primary', { type: 'submit', testid: 'plan-form-submit', text: t('common.create') });
    // The crew picker's early warning (GET /plans/crew-check): who is on another plan that day, who is not fit
    // for work — said here, before the server refuses at publish or start.
    const warnBox = h('div.crew-warnings', { testid: 'plan-form-crew-warnings', role: 'status', hidden: true });
    let warnSeq = 0;

    const crewChosen = new Set();
    const ordersChosen = new Map(); // id -> order
    let crewUsers = [];
    let peopleSeq = 0;
    let orderSeq = 0;

    const labels = {
      date: t('plan.date'), team_id: t('plan.team'), leader_id: t('plan.leader'), crew_ids: t('plan.crew'),
      work_order_ids: t('plan.orders'), title: t('plan.title'), place: t('plan.place'), content: t('plan.content'),
      video_link: t('plan.video_link'),
    };
    const fe = {};
    const form = h('form.card.form-card', { testid: 'plan-form', novalidate: true },
      h('h2.card-title', { text: t('plan.new') }),
      h('div.form-grid',
        fe.date = field(labels.date, fDate),
        fe.team_id = field(labels.team_id, fTeam),
        fe.leader_id = field(labels.leader_id, fLeader, { hint: t('plan.leader_hint') })),
      h('label.check.team-only', teamOnly, h('span', { text: t('plan.team_only') })),
      fe.crew_ids = h('fieldset.field.field-wide',
        h('legend.field-label', { text: labels.crew_ids }),
        crewBox,
        h('div.field-hint', { text: t('plan.crew_hint') }),
        warnBox),
      fe.work_order_ids = h('fieldset.field.field-wide',
        h('legend.field-label', { text: labels.work_order_ids }),
        chosenBox,
        orderSearch,
        orderResults),
      h('div.form-grid',
        fe.title = field(labels.title, fTitle),
        fe.place = field(labels.place, fPlace),
        fe.video_link = field(labels.video_link, fVideo, { hint: t('plan.video_hint') }),
        fe.content = field(labels.content, fContent, { wide: true })),
      ferr,
      h('div.form-actions',
        h('button.btn', { type: 'button', testid: 'plan-form-cancel', text: t('common.cancel'), onclick: cancelForm }),
        submit));

    // --- team, leader, crew
    listAll('/directory/org-units', { kind: 'team' }, 1000).then((units) => {
      teams = new Map(units.map((u) => [u.id, u.name]));
      const sorted = units.slice().sort((a, b) => String(a.name).localeCompare(String(b.name), 'zh-CN'));
      fTeam.replaceChildren(h('option', { value: '', text: t('form.choose') }),
        ...sorted.map((u) => h('option', { value: u.id, text: u.name })));
      if (!units.length) fTeam.replaceChildren(h('option', { value: '', text: t('plan.no_teams') }));
      if (fromOrder && fromOrder.team_id && teams.has(fromOrder.team_id)) {
        fTeam.value = fromOrder.team_id;
        loadPeople();
      }
    }).catch((ex) => { ferr.show(ex); });
    if (fromOrder) {
      ordersChosen.set(fromOrder.id, fromOrder);
      if (fromOrder.site_address) fPlace.value = fromOrder.site_address;
      if (fromOrder.title) fTitle.value = fromOrder.title;
    }

    async function loadPeople() {
      const my = ++peopleSeq;
      const team = fTeam.value;
      if (!team && teamOnly.checked) {
        fLeader.replaceChildren(h('option', { value: '', text: t('plan.choose_team_first') }));
        crewUsers = [];
        drawCrew();
        return;
      }
      const scope = { org_unit_id: teamOnly.checked ? team : '' };
      try {
        const [leaders, crew] = await Promise.all([
          listAll('/directory/people', { ...scope, role: 'leader' }, 1000),
          listAll('/directory/people', { ...scope, role: 'crew' }, 1000),
        ]);
        if (my !== peopleSeq) return;
        const keep = fLeader.value;
        fLeader.replaceChildren(
          h('option', { value: '', text: leaders.length ? t('form.choose') : t('plan.no_leaders') }),
          ...leaders.map((u) => h('option', { value: u.id, text: `${personName(u)} (${u.username})`, selected: u.id === keep, dataset: { username: u.username } })));
        crewUsers = crew;
        drawCrew();
      } catch (ex) {
        if (my === peopleSeq) ferr.show(ex);
      }
    }

    function drawCrew() {
      const visible = crewUsers.filter((u) => u.id !== fLeader.value);
      for (const id of Array.from(crewChosen)) if (!visible.some((u) => u.id === id)) crewChosen.delete(id);
      if (!visible.length) {
        crewBox.replaceChildren(h('span.muted.small', { text: fTeam.value || !teamOnly.checked ? t('plan.no_crew') : t('plan.choose_team_first') }));
        return;
      }
      crewBox.replaceChildren(...visible.map((u) => {
        const cb = h('input', { type: 'checkbox', value: u.id, testid: 'plan-form-crew-' + u.username, checked: crewChosen.has(u.id) });
        cb.addEventListener('change', () => { if (cb.checked) crewChosen.add(u.id); else crewChosen.delete(u.id); checkCrew(); });
        return h('label.check', { dataset: { userId: u.id } }, cb, h('span', { text: personName(u) }), h('span.muted.small', { text: u.username }));
      }));
      checkCrew();
    }

    async function checkCrew() {
      const my = ++warnSeq;
      const ids = [fLeader.value, ...crewChosen].filter(Boolean);
      if (!ids.length || !fDate.value) { warnBox.hidden = true; warnBox.replaceChildren(); return; }
      let r;
      try {
        r = await get('/plans/crew-check', { date: fDate.value, user_ids: ids.join(',') });
      } catch {
        return; // a warning only: the server still checks on save, publish and start
      }
      if (my !== warnSeq) return;
      const rows = [];
      const names = new Map(crewUsers.map((u) => [u.id, personName(u)]));
      for (const opt of fLeader.options) if (opt.value) names.set(opt.value, opt.textContent);
      for (const it of (r && r.items) || []) {
        const who = names.get(it.user_id) || it.display_name || it.user_id;
        if (it.booked) {
          rows.push(h('li.warn-booked', { testid: 'plan-form-warn-booked-' + it.user_id,
            text: t('plan.warn_booked', { name: who, plans: it.plans.map((x) => x.number).join('、') }) }));
        }
        if (!it.ready) {
          const why = (it.reasons || []).map(personReason).join('；');
          rows.push(h('li.warn-unready', { testid: 'plan-form-warn-unready-' + it.user_id,
            text: t('plan.warn_unready', { name: who, why }) }));
        }
        const label = crewBox.querySelector(`label[data-user-id="${CSS.escape(it.user_id)}"]`);
        if (label) label.classList.toggle('warned', Boolean(it.booked || !it.ready));
      }
      warnBox.hidden = !rows.length;
      warnBox.replaceChildren(...(rows.length ? [h('strong', { text: t('plan.warn_title') }), h('ul', rows)] : []));
    }

    fTeam.addEventListener('change', () => loadPeople());
    teamOnly.addEventListener('change', () => loadPeople());
    fLeader.addEventListener('change', () => drawCrew());
    fDate.addEventListener('change', () => checkCrew());

    // --- orders: server-side search over the orders still to be planned
    const debounce = pageLife().debouncer(300);
    orderSearch.addEventListener('input', () => debounce(searchOrders));
    orderSearch.addEventListener('keydown', (e) => { if (e.key === 'Enter') { e.preventDefault(); debounce.cancel(); searchOrders(); } });

    async function searchOrders() {
      const my = ++orderSeq;
      try {
        const r = await get('/work-orders', { status: 'new', q: orderSearch.value.trim(), limit: 20 });
        if (my !== orderSeq) return;
        const found = (r && r.items) || [];
        const rows = found.map((o) => {
          const cb = h('input', { type: 'checkbox', value: o.id, testid: 'plan-form-order-' + o.number, checked: ordersChosen.has(o.id) });
          cb.addEventListener('change', () => {
            if (cb.checked) ordersChosen.set(o.id, o); else ordersChosen.delete(o.id);
            if (ordersChosen.size) fe.work_order_ids.classList.remove('invalid');
            drawChosen();
          });
          return h('label.check.order-option', cb,
            h('span.order-option-text',
              h('span.mono', { text: o.number }),
              h('span', { text: ` ${kindName(o.kind)} · ${o.customer_name || '—'}` }),
              h('span.muted.small.order-option-addr', { text: o.site_address || '' })));
        });
        const more = r && typeof r.total === 'number' && r.total > found.length
          ? h('div.muted.small', { text: t('plan.orders_more', { n: r.total - found.length }) }) : null;
        orderResults.replaceChildren(...(rows.length ? rows : [h('span.muted.small', { text: t('plan.no_open_orders') })]), ...(more ? [more] : []));
      } catch (ex) {
        if (my === orderSeq) orderResults.replaceChildren(h('span.muted.small', { text: ex.message }));
      }
    }

    function drawChosen() {
      if (!ordersChosen.size) {
        chosenBox.replaceChildren(h('span.muted.small', { text: t('plan.no_orders_chosen') }));
        return;
      }
      chosenBox.replaceChildren(h('div.small.muted', { text: t('plan.orders_chosen', { n: ordersChosen.size }) }),
        h('div.chips', Array.from(ordersChosen.values()).map((o) =>
          h('span.chip.chip-removable', { testid: 'plan-form-chosen-' + o.number },
            h('span', { text: `${o.number} ${o.customer_name || ''}` }),
            h('button.chip-x', {
              type: 'button', 'aria-label': t('plan.remove_order', { number: o.number }), text: '×',
              onclick: () => {
                ordersChosen.delete(o.id);
                const cb = orderResults.querySelector(`input[value="${CSS.escape(o.id)}"]`);
                if (cb) cb.checked = false;
                drawChosen();
              },
            })))));
    }

    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      ferr.show(null);
      clearMarks(fe);
      const need = [['date', fDate.value, fDate], ['team_id', fTeam.value, fTeam], ['leader_id', fLeader.value, fLeader]];
      for (const [k, v, input] of need) {
        if (!v) { fe[k].classList.add('invalid'); ferr.show(t('form.required', { field: labels[k] })); input.focus(); return; }
      }
      if (!ordersChosen.size) {
        fe.work_order_ids.classList.add('invalid');
        ferr.show(t('plan.orders_required'));
        orderSearch.focus();
        return;
      }
      const body = {
        date: fDate.value, team_id: fTeam.value, leader_id: fLeader.value,
        crew_ids: Array.from(crewChosen), work_order_ids: Array.from(ordersChosen.keys()),
      };
      if (fTitle.value.trim()) body.title = fTitle.value.trim();
      if (fPlace.value.trim()) body.place = fPlace.value.trim();
      if (fContent.value.trim()) body.content = fContent.value.trim();
      if (fVideo.value.trim()) body.video_link = fVideo.value.trim();
      submit.disabled = true;
      try {
        const p = await post('/plans', body);
        toast(t('plan.created', { number: (p && p.number) || '' }));
        cancelForm();
        // Show the new draft: its day, every status, opened so it can be checked and published.
        date.value = (p && p.date) || body.date;
        status.value = '';
        await reload();
        if (p && p.id) open(p.id);
      } catch (ex) {
        submit.disabled = false;
        ferr.show(ex, markServerField(ex, fe, labels));
      }
    });

    drawChosen();
    mount(formBox, form);
    searchOrders();
    fDate.focus();
  }

  // ---------------------------------------------------------------- page

  md.list.append(h('div.toolbar', filters, canPlansWrite(me) ? newBtn : null), formBox, err, listBox);
  el.append(
    h('div.page-head', h('h1.page-title', { text: t('nav.plans'), tabindex: '-1' })),
    md.wrap);
  // Team names first, so the list and the detail show names rather than ids.
  const teamsReady = listAll('/directory/org-units', { kind: 'team' }, 1000)
    .then((us) => { teams = new Map(us.map((u) => [u.id, u.name])); }).catch(() => {});
  // Plan-from-order (the order page's button): the form opens with that order chosen.
  let fromOrder = null;
  try {
    fromOrder = JSON.parse(sessionStorage.getItem('fg.planFromOrder') || 'null');
    sessionStorage.removeItem('fg.planFromOrder');
  } catch { fromOrder = null; }
  teamsReady.then(() => {
    reload();
    if (openId) open(openId, { push: false });
    if (fromOrder && fromOrder.id && canPlansWrite(me) && !openId) showForm(fromOrder);
  });
  return true;
}


// 系统管理: org units, users, audit log. Every list and write goes to the
// server; the server's error message is shown as is.
import { h, mount, clear } from './dom.js';
import { pageLife } from './lifecycle.js';
import { listPager } from './pager.js';
import { t, roleName, fmtTime } from './i18n.js';
import { get, post, listAll, ApiError } from './api.js';
import { canUsers, canUsersWrite, canOrgUnits, canOrgUnitsWrite, canAudit, ROLES } from './perm.js';
import { errorBox, toast, confirmDialog, dataTable, loading, badge, field } from './ui.js';

const ORG_KINDS = ['company', 'department', 'team'];

/** "共 N 条" when the server gives a total, else how many are loaded so far. */
function countText(total, loaded, more) {
  if (typeof total === 'number') return t('common.total', { n: total });
  return t(more ? 'common.loaded_more' : 'common.total', { n: loaded });
}

function tabsFor(me) {
  const tabs = [];
  if (canUsers(me)) tabs.push({ id: 'users', path: '/admin/users', key: 'admin.users' });
  if (canOrgUnits(me)) tabs.push({ id: 'org-units', path: '/admin/org-units', key: 'admin.org_units' });
  if (canAudit(me)) tabs.push({ id: 'audit', path: '/admin/audit', key: 'admin.audit' });
  return tabs;
}

/** Where /admin lands for this user, or null if nothing is allowed. */
export function adminHome(me) {
  const tabs = tabsFor(me);
  return tabs.length ? tabs[0].path : null;
}

export function renderAdmin(el, { me, path, navigate }) {
  const tabs = tabsFor(me);
  const cur = tabs.find((x) => x.path === path);
  if (!cur) return false;
  const tabBar = h('div.subtabs', { role: 'tablist', testid: 'admin-tabs' },
    tabs.map((x) => h('a.subtab', {
      href: x.path, role: 'tab', testid: 'admin-tab-' + x.id,
      class: x.id === cur.id ? 'active' : '',
      'aria-selected': x.id === cur.id ? 'true' : 'false',
      onclick: (e) => { if (e.button === 0 && !e.ctrlKey && !e.metaKey) { e.preventDefault(); navigate(x.path); } },
    }, h('span', { text: t(x.key) }))));
  const body = h('div.admin-body');
  el.append(
    h('div.page-head', h('h1.page-title', { text: t('nav.admin'), tabindex: '-1' })),
    tabBar, body);
  if (cur.id === 'users') usersView(body, me);
  else if (cur.id === 'org-units') orgUnitsView(body, me);
  else auditView(body, me);
  return true;
}

// ---------------------------------------------------------------- org units

async function loadOrgUnits(me) {
  if (!canOrgUnits(me)) return null;
  try {
    return await listAll('/org-units');
  } catch {
    return null;
  }
}

/** Units in tree order with depth, so the list reads like the org chart. */
function treeOrder(units) {
  const byParent = new Map();
  const ids = new Set(units.map((u) => u.id));
  for (const u of units) {
    const p = u.parent_id && ids.has(u.parent_id) ? u.parent_id : null;
    if (!byParent.has(p)) byParent.set(p, []);
    byParent.get(p).push(u);
  }
  for (const list of byParent.values()) list.sort((a, b) => String(a.name).localeCompare(String(b.name), 'zh-CN'));
  const out = [];
  const seen = new Set();
  const walk = (p, depth) => {
    for (const u of byParent.get(p) || []) {
      if (seen.has(u.id)) continue;
      seen.add(u.id);
      out.push({ unit: u, depth });
      walk(u.id, depth + 1);
    }
  };
  walk(null, 0);
  for (const u of units) if (!seen.has(u.id)) out.push({ unit: u, depth: 0 });
  return out;
}

function orgSelect(units, { testid, emptyLabel, value }) {
  const sel = h('select.input', { testid },
    h('option', { value: '', text: emptyLabel }));
  for (const { unit, depth } of treeOrder(units || [])) {
    sel.append(h('option', { value: unit.id, text: '\u3000'.repeat(depth) + unit.name, selected: unit.id === value }));
  }
  return sel;
}

function kindName(k) {
  const key = 'org.kind.' + k;
  const s = t(key);
  return s === key ? String(k) : s;
}

function orgUnitsView(el, me) {
  const listBox = h('div', loading());
  const err = errorBox('org-units-error');
  let units = [];

  const formBox = h('div');
  const newBtn = h('button.btn.btn-primary', { type: 'button', testid: 'org-unit-new', onclick: () => showForm() },
    h('span', { text: t('org.new') }));

  function showForm() {
    newBtn.hidden = true;
    const name = h('input.input', { type: 'text', maxlength: '200', testid: 'org-form-name' });
    const kind = h('select.input', { testid: 'org-form-kind' },
      ORG_KINDS.map((k) => h('option', { value: k, text: kindName(k) })));
    const parent = orgSelect(units, { testid: 'org-form-parent', emptyLabel: t('org.no_parent') });
    const ferr = errorBox('org-form-error');
    const submit = h('button.btn.btn-primary', { type: 'submit', testid: 'org-form-submit', text: t('common.create') });
    const form = h('form.card.form-card', { testid: 'org-form', novalidate: true },
      h('h2.card-title', { text: t('org.new') }),
      h('div.form-grid',
        field(t('org.name'), name),
        field(t('org.kind'), kind),
        field(t('org.parent'), parent)),
      ferr,
      h('div.form-actions',
        h('button.btn', { type: 'button', text: t('common.cancel'), onclick: () => { clear(formBox); newBtn.hidden = false; } }),
        submit));
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      ferr.show(null);
      if (!name.value.trim()) { ferr.show(t('form.required', { field: t('org.name') })); name.focus(); return; }
      const body = { name: name.value.trim(), kind: kind.value };
      if (parent.value) body.parent_id = parent.value;
      submit.disabled = true;
      try {
        const u = await post('/org-units', body);
        toast(t('org.created', { name: (u && u.name) || body.name }));
        clear(formBox);
        newBtn.hidden = false;
        reload();
      } catch (ex) {
        submit.disabled = false;
        const f = ex instanceof ApiError && ex.details ? ex.details.field : null;
        const label = { name: 'org.name', kind: 'org.kind', parent_id: 'org.parent' }[f];
        ferr.show(ex, label ? t('form.field_is', { field: t(label) }) : undefined);
      }
    });
    mount(formBox, form);
    name.focus();
  }

  async function reload() {
    err.show(null);
    try {
      units = await listAll('/org-units');
    } catch (ex) {
      err.show(ex);
      mount(listBox);
      return;
    }
    const names = new Map(units.map((u) => [u.id, u.name]));
    const rows = treeOrder(units);
    mount(listBox,
      h('p.muted', { testid: 'org-units-total', text: t('common.total', { n: units.length }) }),
      dataTable({
        testid: 'org-units-table',
        rowTestid: (r) => 'org-unit-row',
        empty: t('org.empty'),
        rows,
        columns: [
          { label: t('org.name'), render: (r) => h('span.tree-name', { class: 'depth-' + Math.min(r.depth, 6), text: r.unit.name }) },
          { label: t('org.kind'), render: (r) => badge(kindName(r.unit.kind), 'muted') },
          { label: t('org.parent'), render: (r) => (r.unit.parent_id ? names.get(r.unit.parent_id) || r.unit.parent_id : '—') },
          { label: t('common.updated_at'), cls: 'col-time', render: (r) => fmtTime(r.unit.updated_at || r.unit.created_at) },
        ],
      }));
  }

  el.append(h('div.toolbar', h('div.toolbar-spacer'), canOrgUnitsWrite(me) ? newBtn : null), formBox, err, listBox);
  reload();
}

// ---------------------------------------------------------------- users

function usersView(el, me) {
  let units = null;
  let orgNames = new Map();

  const q = h('input.input.search.wide', {
    type: 'search', testid: 'users-search', placeholder: t('users.search_placeholder'),
    'aria-label': t('users.search'), autocomplete: 'off', spellcheck: 'false',
  });
  const roleSel = h('select.input', { testid: 'users-role-filter', 'aria-label': t('users.filter_role') },
    h('option', { value: '', text: t('users.all_roles') }),
    ROLES.map((r) => h('option', { value: r, text: roleName(r) })));
  const stateSel = h('select.input', { testid: 'users-state-filter', 'aria-label': t('users.filter_state') },
    h('option', { value: '', text: t('users.all_states') }),
    h('option', { value: 'false', text: t('users.enabled') }),
    h('option', { value: 'true', text: t('users.disabled') }));
  const searchForm = h('form.filters', { role: 'search', testid: 'users-search-form' },
    q, roleSel, stateSel,
    h('button.btn', { type: 'submit', testid: 'users-search-submit', text: t('users.search') }));
  const debounce = pageLife().debouncer(350);
  q.addEventListener('input', () => debounce(reload));
  roleSel.addEventListener('change', () => reload());
  stateSel.addEventListener('change', () => reload());
  searchForm.addEventListener('submit', (e) => { e.preventDefault(); debounce.cancel(); reload(); });

  const newBtn = h('button.btn.btn-primary', { type: 'button', testid: 'user-new', onclick: () => showForm() },
    h('span', { text: t('users.new') }));
  const formBox = h('div');
  const err = errorBox('users-error');
  const listBox = h('div', loading());

  const query = () => ({ q: q.value.trim(), role: roleSel.value, disabled: stateSel.value });

  const list = listPager({ path: '/users', query: () => ({ ...query(), limit: 50 }), err, box: listBox, draw, moreTestid: 'users-more' });
  const reload = () => list.reload();

  function statusBadge(u) {
    return u.disabled ? badge(t('users.disabled'), 'danger') : badge(t('users.enabled'), 'ok');
  }

  function actionBtn(u) {
    if (!canUsersWrite(me)) return '—';
    if (u.disabled) {
      return h('button.btn.btn-sm', {
        type: 'button', testid: 'user-enable-' + u.username, text: t('users.enable'),
        onclick: (e) => act(u, 'enable', e.currentTarget),
      });
    }
    return h('button.btn.btn-sm.btn-danger-outline', {
      type: 'button', testid: 'user-disable-' + u.username, text: t('users.disable'),
      disabled: u.id === me.id,
      title: u.id === me.id ? t('users.cannot_disable_self') : undefined,
      onclick: (e) => act(u, 'disable', e.currentTarget),
    });
  }

  async function act(u, action, btn) {
    const name = u.display_name || u.username;
    if (action === 'disable') {
      const ok = await confirmDialog({
        title: t('users.disable_title', { name }),
        body: t('users.disable_body'),
        confirm: t('users.disable'),
        danger: true,
      });
      if (!ok) return;
    }
    btn.disabled = true;
    try {
      const nu = await post(`/users/${encodeURIComponent(u.id)}/actions/${action}`);
      list.items = list.items.map((x) => (x.id === u.id ? { ...x, ...(nu || {}), disabled: action === 'disable' } : x));
      draw();
      toast(t(action === 'disable' ? 'users.disabled_ok' : 'users.enabled_ok', { name }));
    } catch (ex) {
      btn.disabled = false;
      err.show(ex);
    }
  }

  function draw() {
    const table = dataTable({
      testid: 'users-table',
      rowTestid: (u) => 'user-row-' + u.username,
      empty: t('users.empty'),
      rows: list.items,
      columns: [
        { label: t('user.username'), render: (u) => h('span.mono', { text: u.username }) },
        { label: t('user.display_name'), render: (u) => h('span', { text: u.display_name || '—' }) },
        {
          label: t('user.roles'),
          render: (u) => h('div.chips', (u.roles || []).map((r) => h('span.chip', { text: roleName(r) }))),
        },
        {
          label: t('user.org_unit'),
          render: (u) => (u.org_unit_id ? orgNames.get(u.org_unit_id) || u.org_unit_id : '—'),
        },
        { label: t('users.state'), render: statusBadge },
        { label: t('user.last_login'), cls: 'col-time', render: (u) => fmtTime(u.last_login_at) },
        { label: t('common.actions'), cls: 'col-actions', render: actionBtn },
      ],
    });
    mount(listBox,
      h('p.muted', { testid: 'users-total', text: countText(list.total, list.items.length, list.nextCursor) }),
      table,
      list.moreButton());
  }

  function showForm() {
    newBtn.hidden = true;
    const username = h('input.input', { type: 'text', maxlength: '64', autocomplete: 'off', autocapitalize: 'none', spellcheck: 'false', testid: 'user-form-username' });
    const displayName = h('input.input', { type: 'text', maxlength: '100', autocomplete: 'off', testid: 'user-form-display-name' });
    const password = h('input.input', { type: 'password', autocomplete: 'new-password', testid: 'user-form-password' });
    const phone = h('input.input', { type: 'tel', maxlength: '32', autocomplete: 'off', testid: 'user-form-phone' });
    const org = units ? orgSelect(units, { testid: 'user-form-org-unit', emptyLabel: t('user.no_org_unit') }) : null;
    const roleBoxes = ROLES.map((r) => {
      const cb = h('input', { type: 'checkbox', value: r, testid: 'user-form-role-' + r });
      return { r, cb, el: h('label.check', cb, h('span', { text: roleName(r) })) };
    });
    const ferr = errorBox('user-form-error');
    const submit = h('button.btn.btn-primary', { type: 'submit', testid: 'user-form-submit', text: t('common.create') });
    const fieldEls = {};
    const form = h('form.card.form-card', { testid: 'user-form', novalidate: true },
      h('h2.card-title', { text: t('users.new') }),
      h('div.form-grid',
        fieldEls.username = field(t('user.username'), username, { hint: t('users.username_hint') }),
        fieldEls.display_name = field(t('user.display_name'), displayName),
        fieldEls.password = field(t('user.password'), password, { hint: t('users.password_hint') }),
        fieldEls.phone = field(t('user.phone'), phone),
        org ? (fieldEls.org_unit_id = field(t('user.org_unit'), org)) : null),
      fieldEls.roles = h('fieldset.field.field-wide.roles-field',
        h('legend.field-label', { text: t('user.roles') }),
        h('div.check-grid', { testid: 'user-form-roles' }, roleBoxes.map((x) => x.el))),
      ferr,
      h('div.form-actions',
        h('button.btn', { type: 'button', testid: 'user-form-cancel', text: t('common.cancel'), onclick: () => { clear(formBox); newBtn.hidden = false; } }),
        submit));

    const markField = (name) => {
      for (const [k, fe] of Object.entries(fieldEls)) if (fe) fe.classList.toggle('invalid', k === name);
    };

    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      ferr.show(null);
      markField(null);
      const roles = roleBoxes.filter((x) => x.cb.checked).map((x) => x.r);
      const need = [['username', username.value.trim(), 'user.username'], ['display_name', displayName.value.trim(), 'user.display_name'],
        ['password', password.value, 'user.password']];
      for (const [k, v, label] of need) {
        if (!v) { markField(k); ferr.show(t('form.required', { field: t(label) })); return; }
      }
      if (!roles.length) { markField('roles'); ferr.show(t('users.roles_required')); return; }
      const body = { username: username.value.trim(), password: password.value, display_name: displayName.value.trim(), roles };
      if (org && org.value) body.org_unit_id = org.value;
      if (phone.value.trim()) body.phone = phone.value.trim();
      submit.disabled = true;
      try {
        const u = await post('/users', body);
        toast(t('users.created', { name: (u && (u.display_name || u.username)) || body.username }));
        clear(formBox);
        newBtn.hidden = false;
        // Show the new account even when the list is longer than one page: filter to it.
        q.value = body.username;
        roleSel.value = '';
        stateSel.value = '';
        reload();
      } catch (ex) {
        submit.disabled = false;
        const f = ex instanceof ApiError && ex.details ? ex.details.field : null;
        if (f) markField(f);
        const label = { username: 'user.username', display_name: 'user.display_name', password: 'user.password',
          phone: 'user.phone', roles: 'user.roles', org_unit_id: 'user.org_unit' }[f];
        ferr.show(ex, label ? t('form.field_is', { field: t(label) }) : undefined);
      }
    });
    mount(formBox, form);
    username.focus();
  }

  el.append(h('div.toolbar', searchForm, canUsersWrite(me) ? newBtn : null), formBox, err, listBox);
  loadOrgUnits(me).then((u) => {
    units = u;
    orgNames = new Map((u || []).map((x) => [x.id, x.name]));
    if (list.items.length) draw();
  });
  reload();
}

// ---------------------------------------------------------------- audit

function auditView(el, me) {
  let actorNames = new Map();

  const entity = h('input.input', { type: 'text', testid: 'audit-entity', placeholder: t('audit.entity_hint'), 'aria-label': t('audit.entity'), spellcheck: 'false' });
  const entityId = h('input.input.wide', { type: 'text', testid: 'audit-entity-id', placeholder: t('audit.entity_id'), 'aria-label': t('audit.entity_id'), spellcheck: 'false' });
  const actor = h('input.input', { type: 'text', testid: 'audit-actor', placeholder: t('audit.actor_id'), 'aria-label': t('audit.actor_id'), spellcheck: 'false' });
  const filters = h('form.filters', { role: 'search', testid: 'audit-filters' }, entity, actor, entityId,
    h('button.btn', { type: 'submit', testid: 'audit-search', text: t('users.search') }));
  filters.addEventListener('submit', (e) => { e.preventDefault(); reload(); });
  const err = errorBox('audit-error');
  const listBox = h('div', loading());

  const query = () => ({ entity: entity.value.trim(), entity_id: entityId.value.trim(), actor_id: actor.value.trim() });

  const list = listPager({ path: '/audit', query: () => ({ ...query(), limit: 50 }), err, box: listBox, draw, moreTestid: 'audit-more' });
  const reload = () => list.reload();

  function jsonBlock(label, v) {
    return h('div.json-block',
      h('div.json-label', { text: label }),
      h('pre.json', { text: v === null || v === undefined ? '—' : JSON.stringify(v, null, 2) }));
  }

  /** "查看" opens a full-width row under the record with before/after JSON and the hash. */
  function detailsBtn(a) {
    const btn = h('button.btn.btn-sm.btn-link', { type: 'button', testid: 'audit-show', 'aria-expanded': 'false', text: t('audit.show_change') });
    btn.addEventListener('click', () => {
      const tr = btn.closest('tr');
      const next = tr.nextElementSibling;
      if (next && next.classList.contains('detail-row')) {
        next.remove();
        btn.setAttribute('aria-expanded', 'false');
        btn.textContent = t('audit.show_change');
        return;
      }
      const cols = tr.children.length;
      tr.after(h('tr.detail-row', { testid: 'audit-details' },
        h('td', { colspan: String(cols) },
          h('div.json-pair', jsonBlock(t('audit.before'), a.before), jsonBlock(t('audit.after'), a.after)),
          h('div.hash', h('span.muted', { text: t('audit.hash') + ' ' }), h('span.mono.small', { text: a.hash || '—' })))));
      btn.setAttribute('aria-expanded', 'true');
      btn.textContent = t('audit.hide_change');
    });
    return btn;
  }

  const codeLabel = (prefix, code) => {
    if (!code) return '—';
    const k = prefix + code;
    const s = t(k);
    return h('span', { text: s === k ? code : s, title: code });
  };

  const actorLabel = (id) => (id ? actorNames.get(id) || id : t('audit.system'));

  function draw() {
    mount(listBox,
      h('p.muted', { testid: 'audit-total', text: countText(list.total, list.items.length, list.nextCursor) }),
      dataTable({
        testid: 'audit-table',
        rowTestid: () => 'audit-row',
        empty: t('audit.empty'),
        rows: list.items,
        columns: [
          { label: '#', cls: 'col-num', render: (a) => h('span.mono', { text: String(a.seq) }) },
          { label: t('audit.at'), cls: 'col-time', render: (a) => fmtTime(a.at) },
          { label: t('audit.actor'), render: (a) => h('span', { text: actorLabel(a.actor_id) }) },
          { label: t('audit.action'), render: (a) => codeLabel('audit.action.', a.action) },
          { label: t('audit.entity'), render: (a) => codeLabel('audit.entity.', a.entity) },
          { label: t('audit.entity_id'), cls: 'col-id', render: (a) => h('span.mono.small', { text: a.entity_id || '—' }) },
          { label: t('audit.change'), cls: 'col-actions', render: detailsBtn },
        ],
      }),
      list.moreButton());
  }

  el.append(h('div.toolbar', filters), err, listBox);
  if (canUsers(me)) {
    listAll('/users', {}, 1000).then((us) => {
      actorNames = new Map(us.map((u) => [u.id, u.display_name ? `${u.display_name} (${u.username})` : u.username]));
      if (list.items.length) draw();
    }).catch(() => {});
  }
  reload();
}


// What the signed-in user may see. The server enforces every rule; this only
// decides which menus to show. GET /me gives roles and permissions.

export const ROLES = ['admin', 'manager', 'issuer', 'permitter', 'leader', 'crew', 'guardian',
  'supervisor', 'dispatcher', 'om_engineer', 'tool_keeper', 'viewer'];

export function hasRole(me, role) {
  return !!me && Array.isArray(me.roles) && me.roles.includes(role);
}

export function hasPerm(me, perm) {
  return !!me && Array.isArray(me.permissions) && me.permissions.includes(perm);
}

// Names from src/auth/perm.c: users.read/write, org.read/write, audit.read, devices.manage.
export const canUsers = (me) => hasRole(me, 'admin') || hasPerm(me, 'users.read');
export const canUsersWrite = (me) => hasRole(me, 'admin') || hasPerm(me, 'users.write');
export const canOrgUnits = (me) => hasRole(me, 'admin') || hasPerm(me, 'org.read');
export const canOrgUnitsWrite = (me) => hasRole(me, 'admin') || hasPerm(me, 'org.write');
export const canAudit = (me) => hasRole(me, 'admin') || hasPerm(me, 'audit.read');
export const canAdminSection = (me) => canUsers(me) || canOrgUnits(me) || canAudit(me);

/** The top-level sections, in menu order. `ready` sections have a working view. */
export const SECTIONS = [
  { id: 'dashboard', path: '/', icon: 'dashboard', key: 'nav.dashboard', ready: true, phoneTab: true },
  { id: 'orders', path: '/orders', icon: 'orders', key: 'nav.orders', phoneTab: true },
  { id: 'plans', path: '/plans', icon: 'plans', key: 'nav.plans' },
  { id: 'tickets', path: '/tickets', icon: 'tickets', key: 'nav.tickets', phoneTab: true },
  { id: 'supervision', path: '/supervision', icon: 'supervision', key: 'nav.supervision' },
  { id: 'tools', path: '/tools', icon: 'tools', key: 'nav.tools', phoneTab: true },
  { id: 'charging', path: '/charging', icon: 'charging', key: 'nav.charging' },
  { id: 'admin', path: '/admin', icon: 'admin', key: 'nav.admin', ready: true, visible: canAdminSection },
];

export function visibleSections(me) {
  return SECTIONS.filter((s) => !s.visible || s.visible(me));
}

/** The section a path belongs to ('/admin/users' -> admin). */
export function sectionFor(path) {
  if (path === '/' || path === '') return SECTIONS[0];
  return SECTIONS.find((s) => s.path !== '/' && (path === s.path || path.startsWith(s.path + '/'))) || null;
}

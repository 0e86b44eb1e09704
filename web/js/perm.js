// What the signed-in user may see. The server enforces every rule; this only
// decides which menus to show. GET /me gives roles and permissions.

export const ROLES = ['admin', 'manager', 'issuer', 'permitter', 'leader', 'crew', 'guardian',
  'supervisor', 'dispatcher', 'om_engineer', 'tool_keeper', 'viewer', 'customer_service', 'customer_manager', 'metering'];

export function hasRole(me, role) {
  return !!me && Array.isArray(me.roles) && me.roles.includes(role);
}

export function hasPerm(me, perm) {
  return !!me && Array.isArray(me.permissions) && me.permissions.includes(perm);
}

// Names from src/auth/perm.c: users.read/write, org.read/write, audit.read, devices.manage,
// orders.read/write, plans.read/write, tickets.write, supervision.read/write, tools.read/write,
// people.read/write. Admin holds every permission.
const allows = (me, perm) => hasRole(me, 'admin') || hasPerm(me, perm);
export const canUsers = (me) => allows(me, 'users.read');
export const canUsersWrite = (me) => allows(me, 'users.write');
export const canOrgUnits = (me) => allows(me, 'org.read');
export const canOrgUnitsWrite = (me) => allows(me, 'org.write');
export const canAudit = (me) => allows(me, 'audit.read');
export const canAdminSection = (me) => canUsers(me) || canOrgUnits(me) || canAudit(me);
export const canOrders = (me) => allows(me, 'orders.read');
export const canOrdersWrite = (me) => allows(me, 'orders.write');
export const canPlans = (me) => allows(me, 'plans.read');
export const canPlansWrite = (me) => allows(me, 'plans.write');
/** 监督看板: GET /board needs supervision.read. */
export const canBoard = (me) => allows(me, 'supervision.read');
export const canSuperviseWrite = (me) => allows(me, 'supervision.write');
/** People who work on plans: GET /me/jobs lists what they lead or crew (crew may be leader, crew or guardian). */
export const isFieldPerson = (me) => hasRole(me, 'leader') || hasRole(me, 'crew') || hasRole(me, 'guardian');
/** 安全工器具: the ledger and the label scan need tools.read; keepers (tools.write) add tools and record tests. */
export const canTools = (me) => allows(me, 'tools.read');
export const canToolsWrite = (me) => allows(me, 'tools.write');
/** 人员资质: everyone reads their own; people.read reads anyone's and the expiring list; people.write adds records. */
export const canPeople = (me) => allows(me, 'people.read');
export const canPeopleWrite = (me) => allows(me, 'people.write');
/** 充电设施 (R4.1, R4.2): chargers.read sees the board and the ledger; chargers.command sends OCPP commands. */
export const canCharging = (me) => allows(me, 'chargers.read');
/** 备品备件 (R4.13): parts.read sees stock and requests; parts.request asks (O&M engineers); parts.write keeps stock. */
export const canParts = (me) => allows(me, 'parts.read');
/** 外包单位 (R2.8): contractors.read lists them; contractors.write (managers, safety supervisors) edits. */
export const canContractors = (me) => allows(me, 'contractors.read');
/** 客户诉求 (R0.10, R2.13): feedback.read sees feedback and complaints; feedback.write handles them. */
export const canFeedback = (me) => allows(me, 'feedback.read');
/** 停机补录 (R1.4): backfills.read sees paper work entered after an outage; backfills.write enters it; backfills.review
 * (the team's leaders, managers) approves or rejects it. */
export const canBackfills = (me) => allows(me, 'backfills.read');

/** The top-level sections, in menu order. `ready` sections have a working view. */
/** 客户档案 (issue 11): customers.read lists and opens customers; customers.identity may show a whole ID number. */
export const canCustomers = (me) => allows(me, 'customers.read');
/** 业扩服务评价 (issue 11 item 10): applications.read sees the evaluation of applications and exports it. */
export const canAppEval = (me) => allows(me, 'applications.read');
/** 业扩报装 (issue 11): applications.read sees the board, an application and the responsibility list. */
export const canApplications = (me) => allows(me, 'applications.read');
/** 大屏显示链接 (issue 12 item 7): metering.admin makes and revokes the large screen's display links. */
export const canScreenLinks = (me) => allows(me, 'metering.admin');
/** 采集异常 (issue 12 item 5): metering.read sees the collection anomalies and the success rate by area. */
export const canCollection = (me) => allows(me, 'metering.read');
/** 计量业务 (issue 12 item 2): metering.read sees the boards and a case; metering.write opens and moves cases. */
export const canMeterproc = (me) => allows(me, 'metering.read');
/** 轮换计划 (issue 12 item 4): metering.read sees the campaigns and previews; metering.write plans and generates. */
export const canRotation = (me) => allows(me, 'metering.read');
/** 计量资产 (issue 12): metering.read sees the ledger, a point's history and the returns due; metering.stock moves stock. */
export const canMeterAssets = (me) => allows(me, 'metering.read');
/** 质量与评价 (issue 12 item 6): metering.read sees the evaluation and the samples; metering.write draws and records re-checks;
 * metering.admin maps transformer areas to teams. */
export const canMeterQuality = (me) => allows(me, 'metering.read');
/** 应急 (issue 13 items 5–6): emergencies.read sees emergencies and the on-call roster; drills.read the emergency plans and
 * the drill calendar; emergencies.declare declares and ends, emergencies.review reviews, drills.write keeps plans and drills. */
export const canEmergency = (me) => allows(me, 'emergencies.read') || allows(me, 'drills.read');
/** 重要客户台账 / 用电检查 (issue 13 items 1–2): hrcust.read sees the ledger and the checks; hrcust.check records a check. */
export const canHrcust = (me) => allows(me, 'hrcust.read');
/** 用电安全隐患 (issue 13 items 3–4): hazards.read sees the hazard board, a hazard and the seals; hazards.write records
 * hazards and moves them; seals.write seals; seals.remove removes a seal; hazards.report exports the authority's report. */
export const canHazards = (me) => allows(me, 'hazards.read');
export const SECTIONS = [
  { id: 'dashboard', path: '/', icon: 'dashboard', key: 'nav.dashboard', ready: true, phoneTab: true },
  { id: 'jobs', path: '/jobs', icon: 'jobs', key: 'nav.jobs', ready: true, phoneTab: true, visible: isFieldPerson },
  { id: 'orders', path: '/orders', icon: 'orders', key: 'nav.orders', ready: true, phoneTab: true, visible: canOrders },
  { id: 'plans', path: '/plans', icon: 'plans', key: 'nav.plans', ready: true, visible: canPlans },
  { id: 'tickets', path: '/tickets', icon: 'tickets', key: 'nav.tickets', ready: true, phoneTab: true, visible: canPlans },
  { id: 'supervision', path: '/supervision', icon: 'supervision', key: 'nav.supervision', ready: true, visible: canBoard },
  { id: 'backfills', path: '/backfills', icon: 'orders', key: 'nav.backfills', ready: true, visible: canBackfills },
  // The phone tab takes people on plans straight to the label scan (/scan); the ledger is /tools.
  { id: 'tools', path: '/tools', icon: 'tools', key: 'nav.tools', ready: true, phoneTab: true, visible: canTools,
    alias: ['/scan'], phonePath: (me) => (isFieldPerson(me) && !canToolsWrite(me) ? '/scan' : '/tools') },
  { id: 'people', path: '/people', icon: 'people', key: 'nav.people', ready: true, alias: ['/contractors'] },
  { id: 'charging', path: '/charging', icon: 'charging', key: 'nav.charging', ready: true, visible: canCharging },
  { id: 'parts', path: '/parts', icon: 'parts', key: 'nav.parts', ready: true, visible: canParts },
  { id: 'feedback', path: '/feedback', icon: 'supervision', key: 'nav.feedback', ready: true, visible: canFeedback },
  { id: 'customers', path: '/customers', icon: 'people', key: 'nav.customers', ready: true, visible: canCustomers },
  { id: 'service_evaluation', path: '/service-evaluation', icon: 'supervision', key: 'nav.service_evaluation', ready: true, visible: canAppEval },
  { id: 'applications', path: '/applications', icon: 'orders', key: 'nav.applications', ready: true, visible: canApplications },
  { id: 'screen_links', path: '/screen-links', icon: 'supervision', key: 'nav.screen_links', ready: true, visible: canScreenLinks },
  { id: 'collection', path: '/collection', icon: 'supervision', key: 'nav.collection', ready: true, visible: canCollection },
  { id: 'metering_cases', path: '/metering-cases', icon: 'orders', key: 'nav.metering_cases', ready: true, visible: canMeterproc },
  { id: 'rotation', path: '/rotation', icon: 'orders', key: 'nav.rotation', ready: true, visible: canRotation },
  { id: 'meter_assets', path: '/meter-assets', icon: 'parts', key: 'nav.meter_assets', ready: true, visible: canMeterAssets },
  { id: 'metering_quality', path: '/metering-quality', icon: 'supervision', key: 'nav.metering_quality', ready: true, visible: canMeterQuality },
  { id: 'emergency', path: '/emergency', icon: 'supervision', key: 'nav.emergency', ready: true, visible: canEmergency, alias: ['/drills'] },
  { id: 'safety_customers', path: '/safety-customers', icon: 'supervision', key: 'nav.safety_customers', ready: true, visible: canHrcust,
    alias: ['/safety-checks'] },
  { id: 'hazards', path: '/hazards', icon: 'supervision', key: 'nav.hazards', ready: true, visible: canHazards },
  { id: 'admin', path: '/admin', icon: 'admin', key: 'nav.admin', ready: true, visible: canAdminSection },
];

/**
 * Sections on the phone's bottom tab bar. People on plans get 我的作业 in place of 工单 (which stays in the
 * 更多 menu), so a crew member reaches the day's job in one tap and the bar keeps five places.
 */
export function phoneTabs(me) {
  const vis = visibleSections(me);
  const jobs = vis.some((s) => s.id === 'jobs');
  return vis.filter((s) => s.phoneTab && !(jobs && s.id === 'orders'));
}

export function visibleSections(me) {
  return SECTIONS.filter((s) => !s.visible || s.visible(me));
}

/** The section a path belongs to ('/admin/users' -> admin). */
export function sectionFor(path) {
  if (path === '/' || path === '') return SECTIONS[0];
  const under = (p) => path === p || path.startsWith(p + '/');
  return SECTIONS.find((s) => s.path !== '/' && (under(s.path) || (s.alias || []).some(under))) || null;
}

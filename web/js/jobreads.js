// What a job's page (/jobs/{id}) reads, in one place (issue 14 item 2): the page makes these reads (jobflow.js), and
// app.js starts them at boot when it opens on a job with a session, beside /me and the page's modules, so on a weak
// network the data does not wait for both (each wait is a round trip of half a second or more).
export function jobReads(planId) {
  const id = encodeURIComponent(planId);
  return {
    plan: ['/plans/' + id],
    survey: [`/plans/${id}/survey`, { optional: 1 }],
    tickets: ['/tickets', { plan_id: planId, limit: 50 }],
    briefing: [`/plans/${id}/briefing`, { optional: 1 }],
    steps: [`/plans/${id}/steps`],
    tools: [`/plans/${id}/tools`],
    readiness: [`/plans/${id}/readiness`],
    toolKinds: ['/kb/tool_kinds'],
  };
}

const IN_FORCE = ['draft', 'issued', 'received', 'permitted', 'working', 'interrupted'];

/** The ticket a job's page shows of its plan's tickets (a list's items): the one in force, else the last ended one,
 *  else the first. */
export function pickTicket(items) {
  const list = (items || []).slice();
  return list.find((x) => IN_FORCE.includes(x.status)) || list.find((x) => x.status === 'ended' || x.status === 'archived') || list[0] || null;
}

const JOB_PATH = /^\/jobs\/([^/]+)$/; // a job's page

/** The modules a path's page draws with, to ask for with its reads (early.js): the dashboard (every page's base)
 *  and the job page's (app.js's VIEWS.jobs). */
export function routeModules(path) {
  return JOB_PATH.test(path) ? ['dashboard.js', 'jobs.js'] : [];
}

/** The reads to start at boot for a path ([path, query, name] triples), or none. */
export function routeReads(path) {
  const m = JOB_PATH.exec(path);
  return m ? Object.entries(jobReads(decodeURIComponent(m[1]))).map(([name, [p, q]]) => [p, q, name]) : [];
}

/** Whether a read of those has reads that follow from its answer (followReads). */
export const followsFrom = (name) => name === 'tickets';

/** The read that follows from one of those once it is in: a job's ticket, from the list of its plan's tickets
 *  (the page reads it the same way, after the list). [[path]] or none. */
export function followReads(name, answer) {
  if (!followsFrom(name)) return [];
  const t = pickTicket(answer && answer.items);
  return t ? [['/tickets/' + encodeURIComponent(t.id)]] : [];
}

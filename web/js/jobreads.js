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

/** The reads to start at boot for a path, or none. */
export function routeReads(path) {
  const m = /^\/jobs\/([^/]+)$/.exec(path);
  return m ? Object.values(jobReads(decodeURIComponent(m[1]))) : [];
}

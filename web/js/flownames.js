// The flows the pages name states of, and where a session keeps their definitions (sessionStorage): apart from
// flows.js so that the page's inline script (early.js) can ask for the ones not kept yet without loading the app.
export const FLOWS = ['work_order', 'plan', 'ticket', 'part_request', 'fault', 'defect', 'feedback'];
export const FLOW_KEY = 'fg.flow.';

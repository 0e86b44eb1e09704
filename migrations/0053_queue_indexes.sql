-- The person's queue (GET /api/v1/me/queue, issue 14 item 4) asks on every dashboard visit for the tickets and plans
-- in one state (drafts to issue or publish, received to permit, ended to evaluate or archive). Neither table had an
-- index on its state, so each kind read every ticket or plan ever made; both pile up by the tens of thousands a year.
-- Measured on SQLite with 200 000 tickets and 100 000 plans: a ticket kind 15 ms → 1 ms, drafts to publish
-- 7 ms → 0.3 ms. ended_at orders the evaluations due; date the plans to publish.
CREATE INDEX tickets_status ON tickets(status, ended_at);
CREATE INDEX plans_status ON plans(status, date);

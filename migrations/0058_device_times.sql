-- Offline first (issue 14 item 1, R0.8, DESIGN.md §9): a write a phone made offline reaches the server when signal
-- returns, maybe hours later. The server's own time stays the record's time (done_at, confirmed_at, signed_at …:
-- when it was accepted); the phone's time of the act is kept beside it (X-Device-Time, epoch ms; NULL when the
-- request did not send one) so that the record shows both and neither is lost.
ALTER TABLE job_steps ADD COLUMN device_at BIGINT;
ALTER TABLE ticket_risks ADD COLUMN confirm_device_at BIGINT;
ALTER TABLE ticket_measures ADD COLUMN done_device_at BIGINT;
ALTER TABLE briefing_attendance ADD COLUMN device_at BIGINT;
ALTER TABLE surveys ADD COLUMN device_at BIGINT;
-- a tool checked out or returned by scan offline: the tool keeps the check-out's (cleared at its return, like
-- checked_out_at), the movement keeps each act's
ALTER TABLE tools ADD COLUMN checkout_device_at BIGINT;
ALTER TABLE tool_movements ADD COLUMN device_at BIGINT;

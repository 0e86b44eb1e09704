-- Safety steps that mean something (issue 14 item 3, R3.5, R3.7, R3.8).
-- A risk point is confirmed once together with its measures: where it was confirmed (the phone's position as text
-- degrees, and/or a place written by hand) joins who and when; each measure it covered records the same, and
-- which confirmation covered it (NULL: ticked on its own, e.g. by the permitter before permission).
ALTER TABLE ticket_risks ADD COLUMN confirm_lat TEXT;
ALTER TABLE ticket_risks ADD COLUMN confirm_lng TEXT;
ALTER TABLE ticket_risks ADD COLUMN confirm_place TEXT;
ALTER TABLE ticket_measures ADD COLUMN done_lat TEXT;
ALTER TABLE ticket_measures ADD COLUMN done_lng TEXT;
ALTER TABLE ticket_measures ADD COLUMN done_place TEXT;
ALTER TABLE ticket_measures ADD COLUMN done_with TEXT;

-- Attendance of the pre-shift meeting: on the member's own device ('own_device'), or on the leader's screen with
-- the member's handwritten mark and their own password re-entered ('leader_screen'); recorded_by is whose
-- session carried it; where as above.
ALTER TABLE briefing_attendance ADD COLUMN method TEXT NOT NULL DEFAULT 'own_device';
ALTER TABLE briefing_attendance ADD COLUMN recorded_by TEXT;
ALTER TABLE briefing_attendance ADD COLUMN signature_id TEXT;
ALTER TABLE briefing_attendance ADD COLUMN lat TEXT;
ALTER TABLE briefing_attendance ADD COLUMN lng TEXT;
ALTER TABLE briefing_attendance ADD COLUMN place TEXT;

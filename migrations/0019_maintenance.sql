-- The hourly sweep (src/cli/maintenance.c) deletes sessions that expired: found by expires_at, not a full scan.
CREATE INDEX sessions_expires ON sessions(expires_at);

-- The monthly evaluation (quality_eval.c: on-time rate per process and team) reads the cases closed in a month.
-- Without an index on the closing instant it read every case the centre ever had; cases pile up by the hundred
-- thousand a year, and the month's are a sliver of them. Partial: only closed cases have the instant.
CREATE INDEX metering_cases_closed ON metering_cases(closed_at) WHERE status = 'closed';

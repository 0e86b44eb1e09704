-- The working-day calendar (issue 10 item 5): the exceptions to Monday–Friday that the State Council's yearly notice
-- declares for mainland China. A year is "known" when it has a calendar_years row; its calendar_days rows are the
-- notice's holidays (days off, weekend days inside a break included) and make-up working days (调休上班, always a
-- Saturday or Sunday). Any other day of a known year is a working day when it is Monday–Friday. A day of a year
-- without a row is unknown: deadlines that reach it fail rather than guess (src/core/calendar/calendar.h).
-- The shipped years (data/calendar/cn.json) are copied in at start-up when absent; admins edit a year with
-- PUT /api/v1/calendar/{year}. settings 'calendar.generation' counts changes so every server reloads its copy.
CREATE TABLE calendar_years (
    year        INTEGER PRIMARY KEY,
    source      TEXT NOT NULL,
    updated_by  TEXT REFERENCES users(id),
    updated_at  BIGINT NOT NULL,
    version     BIGINT NOT NULL DEFAULT 1
);
CREATE TABLE calendar_days (
    day   TEXT PRIMARY KEY,                                        -- 'YYYY-MM-DD', Asia/Shanghai
    year  INTEGER NOT NULL REFERENCES calendar_years(year),
    kind  TEXT NOT NULL CHECK (kind IN ('holiday', 'workday')),
    name  TEXT NOT NULL
);
CREATE INDEX calendar_days_year ON calendar_days (year);
INSERT INTO settings (key, value) VALUES ('calendar.generation', '0');

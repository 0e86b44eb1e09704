-- Bulk imports of the tool ledger from CSV/XLSX (issue 4 item 2, R3.6). A job is checked and written by the
-- server's import thread; all its tools are written in one transaction or none is. While it runs, the live
-- progress is kept in the server's memory (the writing transaction must not be interrupted by progress writes);
-- this row holds the state at each phase change and the outcome.
CREATE TABLE tool_imports (
    id               TEXT PRIMARY KEY,
    state            TEXT NOT NULL CHECK (state IN ('queued', 'running', 'done', 'failed')),
    phase            TEXT NOT NULL CHECK (phase IN ('queued', 'checking', 'writing', 'done', 'failed')),
    dry_run          INTEGER NOT NULL DEFAULT 0,
    format           TEXT NOT NULL CHECK (format IN ('csv', 'xlsx')),
    encoding         TEXT,
    filename         TEXT,
    sha256           TEXT NOT NULL,
    size             BIGINT NOT NULL,
    rows_total       INTEGER NOT NULL,
    rows_checked     INTEGER NOT NULL DEFAULT 0,
    rows_written     INTEGER NOT NULL DEFAULT 0,
    error_code       TEXT,              -- why it failed: import_invalid_rows, import_interrupted, internal
    error_count      INTEGER NOT NULL DEFAULT 0,
    errors           TEXT,              -- JSON: [{row, column, field, cell, value, code}], the first 1000
    ignored_columns  TEXT,              -- JSON: header names that map to no tool field
    created_by       TEXT NOT NULL REFERENCES users(id),
    created_at       BIGINT NOT NULL,
    finished_at      BIGINT
);
CREATE INDEX tool_imports_created ON tool_imports(created_at);

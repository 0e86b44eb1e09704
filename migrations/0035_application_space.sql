-- The shared space of an application (R0.9; issue 11 item 11): the departments that work one application
-- (the counter, the customer manager, the command centre, metering, operations) leave comments for each other
-- and put documents beside it that are not on the kind's checklist (a site sketch, a meeting note, the power-on
-- plan). Both are append-only: a comment that turns out wrong is answered by another comment, never edited, so
-- what each department was told and when stays as it was (the audit log holds the same records).
CREATE TABLE application_comments (
    id              TEXT PRIMARY KEY,
    application_id  TEXT NOT NULL REFERENCES applications(id),
    author_id       TEXT NOT NULL REFERENCES users(id),
    text            TEXT NOT NULL,
    created_at      BIGINT NOT NULL
);
CREATE INDEX application_comments_app ON application_comments(application_id, created_at);

CREATE TABLE application_files (
    id              TEXT PRIMARY KEY,
    application_id  TEXT NOT NULL REFERENCES applications(id),
    attachment_id   TEXT NOT NULL REFERENCES attachments(id),
    title           TEXT,                       -- what the file is, in the words of whoever put it there
    added_by        TEXT NOT NULL REFERENCES users(id),
    created_at      BIGINT NOT NULL,
    UNIQUE (application_id, attachment_id)
);
CREATE INDEX application_files_app ON application_files(application_id, created_at);

-- Issue 15 item 3 (shared attachments): on PostgreSQL an attachment's bytes are stored in the database, so every node
-- of a cluster reads what any node took, an upload is shared the moment its row commits (the bytes are written in
-- the same transaction), and pg_dump backs them up with everything else (docs/architecture.md "Attachments").
-- Content-addressed like the files under DATA/attachments on SQLite: one copy per SHA-256, however many rows
-- (attachments) name it; never updated, never deleted. Cut in parts of 1 MiB (attach.c ATTACH_PART): a 20 MiB clip
-- (ATTACH_MAX) is read and written a part per statement, never whole in one message. Parts 0..n-1 are inserted in
-- one transaction, so part 0 committed means all of them are.
CREATE TABLE attachment_blobs (
    sha256 TEXT NOT NULL,
    part   INTEGER NOT NULL CHECK (part >= 0),
    data   BYTEA NOT NULL,
    PRIMARY KEY (sha256, part)
);
-- photos, clips and PDFs are compressed already: kept out of line without another round of pglz
ALTER TABLE attachment_blobs ALTER COLUMN data SET STORAGE EXTERNAL;

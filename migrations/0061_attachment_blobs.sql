-- Issue 15 item 3 (shared attachments): PostgreSQL keeps attachments' bytes in the table attachment_blobs
-- (migrations/pg/0061_attachment_blobs.sql). SQLite, the embedded single-node engine, keeps them as files under
-- DATA/attachments as before, so it has nothing to create; this file holds the version number for it.
SELECT 1;

-- The metering centre's large screen (issue 12 item 7, R1.5): read-only display links. A wall screen opens
-- /screen.html#t=TOKEN with no user session; the page sends the token as a bearer to the screen's data route, which
-- resolves it here. Only the BLAKE2b hash of the token is kept: the token is shown once, when the link is made.
-- A revoked link stays (who revoked it, when) so the screen can say it was revoked rather than unknown.
CREATE TABLE screen_links (
    id            TEXT PRIMARY KEY,
    name          TEXT NOT NULL,
    token_hash    TEXT NOT NULL UNIQUE,
    created_by    TEXT NOT NULL REFERENCES users(id),
    created_at    BIGINT NOT NULL,
    last_used_at  BIGINT,                  -- refreshed at most once a minute (each refresh writes: see screen.c)
    revoked_at    BIGINT,
    revoked_by    TEXT REFERENCES users(id),
    updated_at    BIGINT NOT NULL,
    version       BIGINT NOT NULL DEFAULT 1
);
CREATE INDEX screen_links_created ON screen_links(created_at);

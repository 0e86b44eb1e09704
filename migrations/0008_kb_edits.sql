-- Admins' edits of the knowledge base (R3.11): an edited or added item replaces the built-in one with the same
-- key; deleting the edit restores the built-in item. settings 'kb.generation' counts edits so every server
-- notices them.
CREATE TABLE kb_overrides (
    collection  TEXT NOT NULL,
    key         TEXT NOT NULL,
    body        TEXT NOT NULL,
    updated_by  TEXT REFERENCES users(id),
    updated_at  BIGINT NOT NULL,
    version     BIGINT NOT NULL DEFAULT 1,
    PRIMARY KEY (collection, key)
);
INSERT INTO settings (key, value) VALUES ('kb.generation', '0');

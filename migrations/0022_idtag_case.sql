-- OCPP 1.6 IdToken (CiString20Type) is case-insensitive (issue 9 finding 7): an id tag is stored as given but found,
-- and kept unique, by lower(id_tag). The indexes on lower(id_tag) serve the lookups (Authorize, StartTransaction,
-- reservations, credit), which all compare lower(id_tag) = lower($1).
--
-- Tags registered before this migration that differ only in case cannot both be kept under the new unique key, and
-- a charger could not tell them apart anyway. The oldest of each group (created_at, then id) keeps its spelling;
-- each later one is renamed to "<tag>~dup~<row id>" (longer than any IdToken, so no charger can present it),
-- Blocked, and says so in its note. Its history (transactions, credit, reservations) stays as it was and, being
-- matched case-insensitively, now counts for the surviving tag: the card a charger reads is the same card.
UPDATE id_tags
SET id_tag = id_tag || '~dup~' || id,
    status = 'Blocked',
    note = COALESCE(note || ' | ', '') || 'migration 0022: differed only in case from an older id tag; renamed and blocked',
    version = version + 1
WHERE EXISTS (SELECT 1 FROM id_tags o
              WHERE lower(o.id_tag) = lower(id_tags.id_tag)
                AND (o.created_at < id_tags.created_at OR (o.created_at = id_tags.created_at AND o.id < id_tags.id)));

CREATE UNIQUE INDEX id_tags_lower ON id_tags (lower(id_tag));
CREATE INDEX reservations_tag_lower ON reservations (lower(id_tag));
CREATE INDEX credit_events_tag_lower ON credit_events (lower(id_tag), at);

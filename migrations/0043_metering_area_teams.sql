-- Which team answers for a transformer area (台区) — as a 台区经理's team does in practice (issue 12 item 6, R1.2;
-- the quality module, src/metering/quality). The monthly evaluation reads it to give each team the collection
-- success rate of its areas (collection_daily, the collection module's); an area with no row here is counted as
-- unassigned. transformer_area is the text the collection system and the asset ledger use (1 to 64 bytes), not a
-- key of a table of fieldgrid's: areas are SG186's. One team per area; clearing an area deletes its row.
CREATE TABLE metering_area_teams (
    transformer_area  TEXT PRIMARY KEY,
    team_id           TEXT NOT NULL REFERENCES org_units(id),
    updated_by        TEXT REFERENCES users(id),
    updated_at        BIGINT NOT NULL,
    version           BIGINT NOT NULL DEFAULT 1
);
CREATE INDEX metering_area_teams_team ON metering_area_teams(team_id);

-- Many servers on one database (issue 15, docs/architecture.md "Cluster").
-- The servers (nodes) running now or before: each registers at start with a fresh id, refreshes seen_at every
-- few seconds (its lease), and marks stopped_at when it stops cleanly. A node whose lease ran out without a stop
-- (killed, its machine gone) is "lost": the first live node to notice sets lost_at and settles what it held
-- (its chargers' presence, the commands routed through it), once.
CREATE TABLE cluster_nodes (
    id          TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    started_at  BIGINT NOT NULL,
    seen_at     BIGINT NOT NULL,
    stopped_at  BIGINT,
    lost_at     BIGINT
);
CREATE INDEX cluster_nodes_seen ON cluster_nodes(seen_at);

-- Which node holds each connected charger's WebSocket now (one row per charger; a reconnect to another node
-- moves it). Valid while that node is live.
CREATE TABLE charger_presence (
    charger_id  TEXT PRIMARY KEY REFERENCES chargers(id),
    node_id     TEXT NOT NULL,
    since       BIGINT NOT NULL
);
CREATE INDEX charger_presence_node ON charger_presence(node_id);

-- Each scheduled job's turn across the cluster: a node runs a job only after winning its turn
-- (UPDATE … WHERE next_at <= now, or the last runner is no longer live), so a period runs once however many nodes.
CREATE TABLE job_clock (
    name        TEXT PRIMARY KEY,
    next_at     BIGINT NOT NULL,
    node_id     TEXT,
    started_at  BIGINT,
    finished_at BIGINT,
    runs        BIGINT NOT NULL DEFAULT 0
);

-- The node a command was routed through, and how long the charger has to answer (for the node that sends it).
ALTER TABLE charger_commands ADD COLUMN via_node TEXT;
ALTER TABLE charger_commands ADD COLUMN timeout_s INTEGER;
-- The commands still pending, for the sweep that ends those no node will settle (chargers.command_sweep).
CREATE INDEX charger_commands_pending ON charger_commands(requested_at) WHERE status = 'pending';

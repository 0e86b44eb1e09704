-- Issue 12 item 4 (bench/meters): rotation items for half a million meters per campaign.

-- A campaign's items slimmed to what only an item knows: which meter is in which order, and whether it is done. The
-- area, the day and the campaign are the order's (rotation_orders), the asset number the asset's; generating
-- 500,000 items wrote each of them again, with two more indexes. The order leads the key: an order's items are
-- marked done together, and a campaign's are reached through its orders. (SQLite: migrations/sqlite/0046 is this file
-- with the table WITHOUT ROWID, its key the table itself: one b-tree fewer to fill.)
CREATE TABLE rotation_items_slim (
    -- rotation_orders(id): written only by the generation, from its own orders, so not checked row by row (as a
    -- foreign key it cost 1.9 s of 500,000 items on PostgreSQL)
    order_id   TEXT NOT NULL,
    asset_id   TEXT NOT NULL,
    status     TEXT NOT NULL CHECK (status IN ('open', 'done', 'cancelled')),
    done_at    BIGINT,
    PRIMARY KEY (order_id, asset_id)
);
INSERT INTO rotation_items_slim (order_id, asset_id, status, done_at) SELECT order_id, asset_id, status, done_at FROM rotation_items;
DROP TABLE rotation_items;
ALTER TABLE rotation_items_slim RENAME TO rotation_items;
-- "in no open item of another campaign": one probe per meter
CREATE INDEX rotation_items_asset ON rotation_items(asset_id, status);

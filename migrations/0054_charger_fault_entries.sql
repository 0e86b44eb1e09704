-- Charging publishes its fault cases in one plain shape for the company's database of hazards and faults (R2.16;
-- issue 13 item 3): readers elsewhere (the customer context's hazard_entries, migration 0055) read this view, never
-- the faults table, so the faults module stays free to reshape its own tables. The fault's title says what is wrong;
-- the station and the charger say where.
CREATE VIEW charger_fault_entries AS
SELECT f.id, f.number, f.title, f.fault_key, f.severity, f.status, f.opened_at, f.repair_due_at, f.closed_at,
       s.name AS station_name, COALESCE(c.name, c.charge_point_id) AS charger_name
  FROM faults f LEFT JOIN stations s ON s.id = f.station_id LEFT JOIN chargers c ON c.id = f.charger_id;

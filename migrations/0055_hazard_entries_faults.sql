-- The one database of hazards and faults (R2.16): the customer hazards, the hazards found at joint acceptance, and
-- now the charger fault cases through charging's published view (migration 0054), in one shape. A fault is kind
-- 'fault', side 'grid' (the company's own equipment), severity serious → major and common → general, its station in
-- customer_name (there is no customer) and its charger in location, found when it was opened, due by its repair
-- deadline.
DROP VIEW hazard_entries;
CREATE VIEW hazard_entries AS
SELECT 'customer' AS source, h.id, h.number, h.customer_id, c.name AS customer_name, c.id_type AS name_id_type, h.kind,
       h.side, h.severity, h.description, h.location, h.status, h.found_at, h.due_at, NULL AS deadline, h.closed_at,
       NULL AS application_id
  FROM customer_hazards h JOIN customers c ON c.id = h.customer_id
UNION ALL
SELECT 'application' AS source, a.id, ap.number, ap.customer_id, ap.applicant_name AS customer_name, ap.id_type AS name_id_type,
       'acceptance' AS kind, 'customer' AS side, a.severity, a.description, a.department AS location, a.status, a.found_at,
       NULL AS due_at, a.deadline, a.closed_at, a.application_id
  FROM application_hazards a JOIN applications ap ON ap.id = a.application_id
UNION ALL
SELECT 'fault' AS source, e.id, e.number, NULL AS customer_id, e.station_name AS customer_name, NULL AS name_id_type,
       'fault' AS kind, 'grid' AS side, CASE e.severity WHEN 'serious' THEN 'major' ELSE 'general' END AS severity,
       e.title AS description, e.charger_name AS location, e.status, e.opened_at AS found_at, e.repair_due_at AS due_at,
       NULL AS deadline, e.closed_at, NULL AS application_id
  FROM charger_fault_entries e;

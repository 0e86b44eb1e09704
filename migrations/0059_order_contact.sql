-- Customer contact and appointment on work orders (issue 14 item 5): who the crew calls on site and the window
-- agreed with the customer. The contact is customer data: the API masks it for viewers who do not need it
-- (docs/api.md "Work orders"). The window is two instants (epoch ms); either may be empty.
ALTER TABLE work_orders ADD COLUMN contact_name TEXT;
ALTER TABLE work_orders ADD COLUMN contact_phone TEXT;
ALTER TABLE work_orders ADD COLUMN appointment_from BIGINT;
ALTER TABLE work_orders ADD COLUMN appointment_to BIGINT;

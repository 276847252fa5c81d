-- When the reminder before an event was queued for a registration (once each).
ALTER TABLE registrations ADD COLUMN reminded_at TEXT;

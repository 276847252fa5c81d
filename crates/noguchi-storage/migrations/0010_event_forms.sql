-- An event's custom questions and optional sessions (JSON lists), and a registration's answers
-- (kept with the question's wording) and chosen sessions (JSON lists of session keys).
ALTER TABLE events ADD COLUMN questions TEXT;
ALTER TABLE events ADD COLUMN sessions TEXT;
ALTER TABLE registrations ADD COLUMN answers TEXT;
ALTER TABLE registrations ADD COLUMN sessions TEXT;

-- Unit searches are almost always "valid on a date", which picks one generation (the
-- legacy units end on 2025-06-30, the current ones start on 2025-07-01): an index on
-- (generation, level) lets a name search scan one generation instead of all 14,154 units.
CREATE INDEX units_generation_level ON units (generation, level);

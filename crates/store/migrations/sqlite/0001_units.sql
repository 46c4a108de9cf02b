-- Administrative units, effective-dated, with the legacy -> 2025 lineage and population.
-- Same version and shape as ../postgres/0001_units.sql; review them side by side.

CREATE TABLE units (
    id INTEGER PRIMARY KEY,
    code TEXT NOT NULL,
    name TEXT NOT NULL,
    name_folded TEXT NOT NULL,
    level TEXT NOT NULL CHECK (level IN ('province', 'district', 'commune')),
    unit_type TEXT NOT NULL,
    -- 'legacy' (the 63-province, three-level units valid until 2025-06-30) or '2025'.
    generation TEXT NOT NULL,
    parent_id INTEGER REFERENCES units (id),
    -- The current province/commune a unit's records count towards: itself for a current
    -- unit, its default successor for a legacy one. Scope filters use these columns.
    scope_province_id INTEGER REFERENCES units (id),
    scope_commune_id INTEGER REFERENCES units (id),
    valid_from TEXT,
    valid_to TEXT,
    lat REAL,
    lon REAL,
    area_km2 REAL,
    UNIQUE (code, level, generation)
);
CREATE INDEX units_code ON units (code);
CREATE INDEX units_parent ON units (parent_id);
CREATE INDEX units_scope_province ON units (scope_province_id);
CREATE INDEX units_scope_commune ON units (scope_commune_id);

CREATE TABLE unit_lineage (
    legacy_id INTEGER NOT NULL REFERENCES units (id),
    current_id INTEGER NOT NULL REFERENCES units (id),
    kind TEXT NOT NULL CHECK (kind IN ('whole', 'split')),
    is_default BOOLEAN NOT NULL,
    PRIMARY KEY (legacy_id, current_id)
);
CREATE INDEX unit_lineage_current ON unit_lineage (current_id);

CREATE TABLE population (
    unit_id INTEGER NOT NULL REFERENCES units (id),
    year INTEGER NOT NULL CHECK (year BETWEEN 1900 AND 2200),
    population INTEGER NOT NULL CHECK (population >= 0),
    source TEXT NOT NULL,
    PRIMARY KEY (unit_id, year)
);

-- Which reference data set is loaded, so loading is idempotent.
CREATE TABLE reference_data (
    name TEXT PRIMARY KEY,
    version TEXT NOT NULL,
    loaded_at TEXT NOT NULL
);

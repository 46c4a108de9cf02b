-- The yearly classification of communes by drug situation (DOMAIN.md §4, issue 6):
-- the inputs officers enter by hand, and the result computed per commune and statistical
-- year with everything needed to re-read it later. Inputs counted from the registries
-- (sites, persons, population) are not copied here: they are counted when the result is
-- computed and kept, with their source, in the result's `inputs`.
-- Same shape as ../sqlite/0008_classification.sql.

-- One manual figure of one commune (a current unit) for one statistical year.
CREATE TABLE classification_inputs (
    unit_id BIGINT NOT NULL REFERENCES units (id),
    year BIGINT NOT NULL CHECK (year BETWEEN 2000 AND 2200),
    field TEXT NOT NULL CHECK (field IN ('population', 'persons_with_records', 'places_organising_use',
        'offenders_arrested', 'drug_plants_count', 'drug_plants_area_m2', 'on_key_route',
        'addicts_with_records', 'clusters')),
    -- Counts are whole numbers, the area is in m², on_key_route is 0 or 1; the
    -- application checks each before storing.
    value DOUBLE PRECISION NOT NULL CHECK (value >= 0),
    entered_by BIGINT REFERENCES users (id),
    entered_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (unit_id, year, field)
);

-- The result: recomputing replaces it (audited). It keeps the thresholds it was computed
-- with, so a later change of the thresholds never alters it.
CREATE TABLE classifications (
    unit_id BIGINT NOT NULL REFERENCES units (id),
    year BIGINT NOT NULL CHECK (year BETWEEN 2000 AND 2200),
    version TEXT NOT NULL CHECK (version IN ('qd28_2025', 'qd3122_2010')),
    class TEXT NOT NULL CHECK (class IN ('type_1', 'type_2', 'type_3', 'has_drugs', 'drug_free', 'not_classifiable')),
    -- JSON: every input with its value and source (manual, registry, missing).
    inputs TEXT NOT NULL,
    -- JSON: the domain's Classification (per-criterion results and explanations).
    result TEXT NOT NULL,
    -- JSON: the thresholds applied, and the first day of the parameter value they came
    -- from (NULL: the built-in defaults).
    thresholds TEXT NOT NULL,
    thresholds_from DATE,
    computed_at TIMESTAMPTZ NOT NULL,
    computed_by BIGINT REFERENCES users (id),
    PRIMARY KEY (unit_id, year)
);
CREATE INDEX classifications_year ON classifications (year, class);

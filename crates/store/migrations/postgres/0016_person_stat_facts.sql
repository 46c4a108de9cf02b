-- The persons statistics kept ahead of the request (docs/performance.md, "Persons"): for
-- every person and statistical year in which the person has a management record, the
-- facts the statistics count (person_stat_facts, one row each), and how many persons share
-- the same facts (person_stat_groups: what `person_stats::groups` returns for a year).
-- Both are derived data, rewritten in the same transaction as any write to a person's
-- measures, services, profile or residence, and rebuilt from the records when the
-- reporting cut-off day changes or the years kept no longer reach a year past today
-- (person_stat_meta). Same version and shape as ../sqlite/0016_person_stat_facts.sql.
CREATE TABLE person_stat_facts (
    person_id BIGINT NOT NULL REFERENCES persons (id),
    stat_year BIGINT NOT NULL,
    scope_province_id BIGINT NOT NULL,
    scope_commune_id BIGINT NOT NULL,
    sex TEXT NOT NULL,
    birth_year BIGINT NOT NULL,
    kinh BIGINT NOT NULL CHECK (kinh IN (0, 1)),
    -- The substances' stored form ('' when not recorded).
    substances TEXT NOT NULL,
    -- The year use began; 0 when unknown (a key column cannot be NULL).
    use_since_year BIGINT NOT NULL,
    held_in TEXT NOT NULL,
    -- The rehab forms of REHAB_FORMS running in the year (f0..f3), in a facility on its
    -- last day, reached by a service, addict, counselled: 0 or 1.
    f0 BIGINT NOT NULL CHECK (f0 IN (0, 1)),
    f1 BIGINT NOT NULL CHECK (f1 IN (0, 1)),
    f2 BIGINT NOT NULL CHECK (f2 IN (0, 1)),
    f3 BIGINT NOT NULL CHECK (f3 IN (0, 1)),
    fac BIGINT NOT NULL CHECK (fac IN (0, 1)),
    reached BIGINT NOT NULL CHECK (reached IN (0, 1)),
    addict BIGINT NOT NULL CHECK (addict IN (0, 1)),
    counselled BIGINT NOT NULL CHECK (counselled IN (0, 1)),
    PRIMARY KEY (person_id, stat_year)
);

CREATE TABLE person_stat_groups (
    stat_year BIGINT NOT NULL,
    scope_province_id BIGINT NOT NULL,
    scope_commune_id BIGINT NOT NULL,
    sex TEXT NOT NULL,
    birth_year BIGINT NOT NULL,
    kinh BIGINT NOT NULL CHECK (kinh IN (0, 1)),
    -- The substances' stored form ('' when not recorded).
    substances TEXT NOT NULL,
    -- The year use began; 0 when unknown (a key column cannot be NULL).
    use_since_year BIGINT NOT NULL,
    held_in TEXT NOT NULL,
    -- The rehab forms of REHAB_FORMS running in the year (f0..f3), in a facility on its
    -- last day, reached by a service, addict, counselled: 0 or 1.
    f0 BIGINT NOT NULL CHECK (f0 IN (0, 1)),
    f1 BIGINT NOT NULL CHECK (f1 IN (0, 1)),
    f2 BIGINT NOT NULL CHECK (f2 IN (0, 1)),
    f3 BIGINT NOT NULL CHECK (f3 IN (0, 1)),
    fac BIGINT NOT NULL CHECK (fac IN (0, 1)),
    reached BIGINT NOT NULL CHECK (reached IN (0, 1)),
    addict BIGINT NOT NULL CHECK (addict IN (0, 1)),
    counselled BIGINT NOT NULL CHECK (counselled IN (0, 1)),
    -- How many persons; 0 once the last of them moved to another group.
    n BIGINT NOT NULL,
    PRIMARY KEY (stat_year, scope_commune_id, sex, birth_year, kinh, substances, use_since_year, held_in, f0, f1, f2, f3, fac, reached, addict, counselled)
);
CREATE INDEX person_stat_groups_province ON person_stat_groups (stat_year, scope_province_id);

-- One row once the facts are built: the cut-off day they were computed with and the last
-- statistical year they reach (a measure without an end counts up to it).
CREATE TABLE person_stat_meta (
    id BIGINT PRIMARY KEY CHECK (id = 1),
    cutoff_day BIGINT NOT NULL CHECK (cutoff_day BETWEEN 1 AND 28),
    last_year BIGINT NOT NULL,
    built_at TIMESTAMPTZ NOT NULL
);

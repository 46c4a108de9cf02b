-- Records of drug users and addicts (issue 7): what a record says about use (for the
-- statistics), the measures a person goes through with their legal terms, the services
-- received (target T5), events that may call for a new measure with the officer's
-- decision on the proposal, and changes of residence with the 24-hour deadlines.
-- Nothing here identifies a person: identifying fields stay sealed in `persons`.
-- Same version and shape as ../postgres/0011_person_episodes.sql.

CREATE TABLE person_profiles (
    person_id INTEGER PRIMARY KEY REFERENCES persons (id),
    -- Comma-separated substance codes, sorted (heroin, methamphetamine, …).
    substances TEXT NOT NULL DEFAULT '',
    use_since_year INTEGER,
    occupation TEXT NOT NULL DEFAULT '',
    education TEXT NOT NULL DEFAULT '',
    held_in TEXT NOT NULL DEFAULT 'community'
        CHECK (held_in IN ('community', 'prison', 'detention', 'education_institution', 'reform_school')),
    updated_by INTEGER REFERENCES users (id),
    updated_at TEXT NOT NULL
);

CREATE TABLE person_episodes (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    person_id INTEGER NOT NULL REFERENCES persons (id),
    kind TEXT NOT NULL CHECK (kind IN ('user_management', 'addiction_determination', 'voluntary_rehab_home',
        'voluntary_rehab_facility', 'compulsory_rehab', 'substitution_therapy', 'post_rehab_management')),
    -- The law whose terms apply, from the decision date.
    regime TEXT NOT NULL CHECK (regime IN ('law_73_2021', 'law_120_2025')),
    decision_number TEXT NOT NULL DEFAULT '',
    decision_date TEXT NOT NULL,
    signer TEXT NOT NULL DEFAULT '',
    start_on TEXT NOT NULL,
    term_months INTEGER,
    is_repeat BOOLEAN NOT NULL DEFAULT FALSE,
    -- First day the measure no longer runs (start + term); NULL when it has no term.
    planned_end TEXT,
    actual_end TEXT,
    end_reason TEXT CHECK (end_reason IN ('completed', 'quit', 'violated', 'relapsed', 'replaced', 'moved', 'died', 'other')),
    -- Addiction determination: how many of the six criteria were met.
    criteria_met INTEGER CHECK (criteria_met BETWEEN 0 AND 6),
    -- Facility or provider, for rehab and substitution therapy.
    place TEXT NOT NULL DEFAULT '',
    -- First day of the duration parameters applied; NULL: the defaults.
    terms_from TEXT,
    created_by INTEGER REFERENCES users (id),
    created_at TEXT NOT NULL
);
CREATE INDEX person_episodes_person ON person_episodes (person_id, start_on);
CREATE INDEX person_episodes_due ON person_episodes (kind, planned_end);

CREATE TABLE person_services (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    person_id INTEGER NOT NULL REFERENCES persons (id),
    kind TEXT NOT NULL CHECK (kind IN ('counselling', 'treatment', 'substitution_therapy', 'rehab',
        'vocational_training', 'reintegration_support')),
    provided_on TEXT NOT NULL,
    provider TEXT NOT NULL,
    created_by INTEGER REFERENCES users (id),
    created_at TEXT NOT NULL
);
CREATE INDEX person_services_person ON person_services (person_id, provided_on);

-- An event (relapse, quitting rehab, …) and what the officer decided on the measure the
-- law proposes: pending until accepted (a new episode) or rejected, never applied alone.
CREATE TABLE person_events (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    person_id INTEGER NOT NULL REFERENCES persons (id),
    kind TEXT NOT NULL CHECK (kind IN ('quit_voluntary_rehab', 'violated_voluntary_rehab',
        'left_substitution_therapy', 'relapsed_in_post_rehab', 'tested_positive')),
    occurred_on TEXT NOT NULL,
    proposal TEXT NOT NULL CHECK (proposal IN ('none', 'pending', 'accepted', 'rejected')),
    decided_by INTEGER REFERENCES users (id),
    decided_at TEXT,
    decision_note TEXT NOT NULL DEFAULT '',
    episode_id INTEGER REFERENCES person_episodes (id),
    created_by INTEGER REFERENCES users (id),
    created_at TEXT NOT NULL
);
CREATE INDEX person_events_person ON person_events (person_id);

-- A change of residence. Recording it is the notification to the receiving commune; the
-- receiving commune records when the person reported there.
CREATE TABLE person_transfers (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    person_id INTEGER NOT NULL REFERENCES persons (id),
    from_unit_id INTEGER NOT NULL REFERENCES units (id),
    to_unit_id INTEGER NOT NULL REFERENCES units (id),
    moved_at TEXT NOT NULL,
    known_at TEXT NOT NULL,
    regime TEXT NOT NULL CHECK (regime IN ('law_73_2021', 'law_120_2025')),
    notified_at TEXT NOT NULL,
    notify_deadline TEXT,
    report_deadline TEXT,
    reported_at TEXT,
    received_by INTEGER REFERENCES users (id),
    created_by INTEGER REFERENCES users (id),
    created_at TEXT NOT NULL
);
CREATE INDEX person_transfers_person ON person_transfers (person_id);
CREATE INDEX person_transfers_to ON person_transfers (to_unit_id, reported_at);

-- Operations: propaganda activities, cases with their subjects and seizures, rings, and
-- the incidents a case created. Same version and shape as ../postgres/0012_propaganda_cases.sql.

-- A propaganda or education activity. `unit_id` is where it was held (a commune, or the
-- province for province-wide activities) and decides scope; `organiser` names the unit
-- or agency that held it; `created_by` is the account that recorded it (a partner reads
-- only its own).
CREATE TABLE propaganda_activities (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    held_on TEXT NOT NULL,
    unit_id INTEGER NOT NULL REFERENCES units (id),
    organiser TEXT NOT NULL,
    venue_type TEXT NOT NULL CHECK (venue_type IN ('commune', 'school', 'industrial_zone', 'business', 'other')),
    place TEXT NOT NULL DEFAULT '',
    form TEXT NOT NULL CHECK (form IN ('meeting', 'loudspeaker', 'leaflets', 'social_media', 'contest', 'performance', 'other')),
    participants INTEGER NOT NULL CHECK (participants >= 0),
    -- Copies of leaflets, posters, booklets … handed out.
    materials INTEGER NOT NULL DEFAULT 0 CHECK (materials >= 0),
    topic TEXT NOT NULL DEFAULT '',
    created_by INTEGER REFERENCES users (id),
    created_at TEXT NOT NULL
);
CREATE INDEX propaganda_unit ON propaganda_activities (unit_id, held_on);
CREATE INDEX propaganda_on ON propaganda_activities (held_on);
CREATE INDEX propaganda_by ON propaganda_activities (created_by);

-- A ring (đường dây): cases linked to it, dismantled (triệt phá) on a date or not yet.
CREATE TABLE rings (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT NOT NULL,
    -- The unit that leads the fight against it (a commune or the province): scope.
    unit_id INTEGER NOT NULL REFERENCES units (id),
    description TEXT NOT NULL DEFAULT '',
    dismantled_on TEXT,
    created_by INTEGER REFERENCES users (id),
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX rings_unit ON rings (unit_id);

-- A case (vụ án, vụ việc). No identities here: subjects are in case_subjects.
CREATE TABLE cases (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    -- The police file number, if any.
    reference TEXT NOT NULL DEFAULT '',
    occurred_on TEXT NOT NULL,
    unit_id INTEGER NOT NULL REFERENCES units (id),
    lat REAL,
    lon REAL,
    summary TEXT NOT NULL DEFAULT '',
    outcome TEXT NOT NULL CHECK (outcome IN ('pending', 'criminal', 'administrative')),
    prosecuted_cases INTEGER NOT NULL DEFAULT 0 CHECK (prosecuted_cases >= 0),
    defendants INTEGER NOT NULL DEFAULT 0 CHECK (defendants >= 0),
    persons_handled INTEGER NOT NULL DEFAULT 0 CHECK (persons_handled >= 0),
    ring_id INTEGER REFERENCES rings (id),
    created_by INTEGER REFERENCES users (id),
    created_at TEXT NOT NULL,
    CHECK ((lat IS NULL) = (lon IS NULL))
);
CREATE INDEX cases_unit ON cases (unit_id, occurred_on);
CREATE INDEX cases_on ON cases (occurred_on);
CREATE INDEX cases_ring ON cases (ring_id);

-- A subject of a case: a person's record (by reference, under the persons' rules) or a
-- free-text subject whose name is sealed with the data key like persons' names.
CREATE TABLE case_subjects (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    case_id INTEGER NOT NULL REFERENCES cases (id),
    person_id INTEGER REFERENCES persons (id),
    name_sealed TEXT,
    birth_year INTEGER,
    sex TEXT CHECK (sex IN ('male', 'female')),
    role TEXT NOT NULL CHECK (role IN ('organiser', 'trafficker', 'transporter', 'possessor', 'harbourer', 'user', 'other')),
    CHECK ((person_id IS NULL) <> (name_sealed IS NULL))
);
CREATE INDEX case_subjects_case ON case_subjects (case_id);
CREATE INDEX case_subjects_person ON case_subjects (person_id);

-- What was seized: one drug, one quantity, one unit that fits the drug (checked in
-- diaban_domain::seizures; the CHECK keeps the units known).
CREATE TABLE case_seizures (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    case_id INTEGER NOT NULL REFERENCES cases (id),
    drug TEXT NOT NULL CHECK (drug IN ('heroin', 'synthetic', 'cannabis', 'cocaine', 'opium', 'other')),
    quantity REAL NOT NULL CHECK (quantity > 0),
    unit TEXT NOT NULL CHECK (unit IN ('g', 'kg', 'tablet', 'brick', 'plant'))
);
CREATE INDEX case_seizures_case ON case_seizures (case_id);

-- The incidents (arrest, seizure) a case created, written in the case's transaction.
CREATE TABLE case_incidents (
    case_id INTEGER NOT NULL REFERENCES cases (id),
    incident_id INTEGER NOT NULL REFERENCES incidents (id),
    PRIMARY KEY (case_id, incident_id)
);
CREATE INDEX case_incidents_incident ON case_incidents (incident_id);

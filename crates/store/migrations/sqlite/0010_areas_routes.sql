-- Key drug routes and the transformation programme of key drug areas (DOMAIN.md §2 and
-- §4, issue 6). Same version and shape as ../postgres/0010_areas_routes.sql.

-- A key route (tuyến trọng điểm) runs across unit borders: it links to many units and is
-- the child of none. Membership counts for classification criterion (đ) in the years the
-- route is in force.
CREATE TABLE routes (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT NOT NULL,
    mode TEXT NOT NULL CHECK (mode IN ('road', 'rail', 'waterway', 'air', 'sea', 'mixed')),
    description TEXT NOT NULL DEFAULT '',
    valid_from TEXT NOT NULL,
    valid_to TEXT,
    created_at TEXT NOT NULL,
    created_by INTEGER REFERENCES users (id),
    updated_at TEXT NOT NULL
);

-- The units along a route, in order; any level, any province, current or legacy.
CREATE TABLE route_units (
    route_id INTEGER NOT NULL REFERENCES routes (id),
    unit_id INTEGER NOT NULL REFERENCES units (id),
    position INTEGER NOT NULL,
    PRIMARY KEY (route_id, unit_id)
);
CREATE INDEX route_units_unit ON route_units (unit_id);

-- An area selected for transformation: a commune or a part of one (a village, a
-- residential group), selected by decision. A relapsed area selected again is a new
-- row pointing at the old one, so the first round still counts as it ended.
CREATE TABLE areas (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    unit_id INTEGER NOT NULL REFERENCES units (id),
    name TEXT NOT NULL,
    -- Empty: the whole commune.
    part TEXT NOT NULL DEFAULT '',
    lat REAL,
    lon REAL,
    state TEXT NOT NULL CHECK (state IN ('selected', 'planned', 'in_progress', 'evaluated', 'transformed', 'not_transformed', 'monitoring', 'sustained', 'relapsed')),
    state_since TEXT NOT NULL,
    decision_number TEXT NOT NULL,
    decision_date TEXT NOT NULL,
    decision_signer TEXT NOT NULL,
    previous_area_id INTEGER REFERENCES areas (id),
    created_at TEXT NOT NULL,
    created_by INTEGER REFERENCES users (id),
    updated_at TEXT NOT NULL
);
CREATE INDEX areas_unit ON areas (unit_id);
CREATE INDEX areas_state ON areas (state);

-- Every state an area has been in, from its selection (from_state NULL) on.
CREATE TABLE area_transitions (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    area_id INTEGER NOT NULL REFERENCES areas (id),
    from_state TEXT CHECK (from_state IN ('selected', 'planned', 'in_progress', 'evaluated', 'transformed', 'not_transformed', 'monitoring', 'sustained', 'relapsed')),
    to_state TEXT NOT NULL CHECK (to_state IN ('selected', 'planned', 'in_progress', 'evaluated', 'transformed', 'not_transformed', 'monitoring', 'sustained', 'relapsed')),
    on_date TEXT NOT NULL,
    -- The decision behind the step (selection, recognition), when there is one.
    decision_number TEXT NOT NULL DEFAULT '',
    note TEXT NOT NULL DEFAULT '',
    by_user_id INTEGER REFERENCES users (id),
    created_at TEXT NOT NULL
);
CREATE INDEX area_transitions_area ON area_transitions (area_id, on_date);

-- The transformation plan; a revision replaces the one before (kept for the record).
CREATE TABLE area_plans (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    area_id INTEGER NOT NULL REFERENCES areas (id),
    revision INTEGER NOT NULL,
    starts_on TEXT NOT NULL,
    ends_on TEXT NOT NULL,
    -- JSON list of {measure, unit, person}.
    measures TEXT NOT NULL,
    note TEXT NOT NULL DEFAULT '',
    created_by INTEGER REFERENCES users (id),
    created_at TEXT NOT NULL,
    UNIQUE (area_id, revision)
);

-- Progress updates while the plan is carried out.
CREATE TABLE area_progress (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    area_id INTEGER NOT NULL REFERENCES areas (id),
    on_date TEXT NOT NULL,
    text TEXT NOT NULL,
    created_by INTEGER REFERENCES users (id),
    created_at TEXT NOT NULL
);
CREATE INDEX area_progress_area ON area_progress (area_id, on_date);

-- The province's evaluation checklist, one row per version; a change is a new version,
-- so past evaluations keep the items they answered.
CREATE TABLE area_checklists (
    version INTEGER PRIMARY KEY,
    -- JSON list of {code, text_vi, required}.
    items TEXT NOT NULL,
    note TEXT NOT NULL DEFAULT '',
    created_by INTEGER REFERENCES users (id),
    created_at TEXT NOT NULL
);

-- An evaluation of an area against one checklist version.
CREATE TABLE area_evaluations (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    area_id INTEGER NOT NULL REFERENCES areas (id),
    on_date TEXT NOT NULL,
    checklist_version INTEGER NOT NULL REFERENCES area_checklists (version),
    -- JSON list of {code, met, note}.
    answers TEXT NOT NULL,
    passed BOOLEAN NOT NULL,
    required_met INTEGER NOT NULL,
    required_total INTEGER NOT NULL,
    evaluator TEXT NOT NULL DEFAULT '',
    created_by INTEGER REFERENCES users (id),
    created_at TEXT NOT NULL
);
CREATE INDEX area_evaluations_area ON area_evaluations (area_id, on_date);

-- The periodic reviews of a transformed area during the non-relapse window.
CREATE TABLE area_reviews (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    area_id INTEGER NOT NULL REFERENCES areas (id),
    done_on TEXT NOT NULL,
    findings TEXT NOT NULL,
    warning_signs BOOLEAN NOT NULL DEFAULT FALSE,
    created_by INTEGER REFERENCES users (id),
    created_at TEXT NOT NULL
);
CREATE INDEX area_reviews_area ON area_reviews (area_id, done_on);

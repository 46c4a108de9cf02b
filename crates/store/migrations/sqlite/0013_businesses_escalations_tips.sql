-- Operations, part B (issue 8): anonymous tips and their triage, escalations with their
-- steps and the in-app notifications they send, conditional businesses with their
-- inspections and links to drug sites. Same shape as
-- ../postgres/0013_businesses_escalations_tips.sql.

-- A citizen's tip. Nothing identifies the sender: no account, no address, no client
-- address. The description and the address text are sealed with the data key (they may
-- name people). The follow-up code is kept only as its SHA-256.
CREATE TABLE tips (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    -- The commune chosen by the sender: whose queue the tip lands in.
    unit_id INTEGER NOT NULL REFERENCES units (id),
    -- The optional point on the map.
    lat REAL,
    lon REAL,
    address_sealed TEXT,
    text_sealed TEXT NOT NULL,
    follow_up_hash TEXT UNIQUE,
    status TEXT NOT NULL DEFAULT 'new' CHECK (status IN ('new', 'accepted', 'dismissed')),
    received_at TEXT NOT NULL,
    triaged_by INTEGER REFERENCES users (id),
    triaged_at TEXT,
    -- What the triage made of it.
    incident_id INTEGER REFERENCES incidents (id),
    site_id INTEGER REFERENCES sites (id),
    dismiss_reason TEXT NOT NULL DEFAULT ''
);
CREATE INDEX tips_queue ON tips (status, unit_id);

-- An escalation (kiến nghị): raised by a commune or an agency, answered by the provincial
-- police or the Provincial People's Committee. `source_type`/`source_ref` say where it
-- came from (a form, or another module such as a plan task).
CREATE TABLE escalations (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    source_type TEXT NOT NULL DEFAULT 'manual',
    source_ref TEXT NOT NULL DEFAULT '',
    -- The raising unit (a commune, or the agency's province) and account.
    unit_id INTEGER NOT NULL REFERENCES units (id),
    raised_by INTEGER REFERENCES users (id),
    title TEXT NOT NULL,
    body TEXT NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('at_police', 'at_committee', 'decided', 'returned')),
    assignee_id INTEGER REFERENCES users (id),
    -- The answer owed by this day (Vietnam date); NULL once nothing is owed.
    due_on TEXT,
    decision TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX escalations_unit ON escalations (unit_id, state);
CREATE INDEX escalations_source ON escalations (source_type, source_ref);

CREATE TABLE escalation_steps (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    escalation_id INTEGER NOT NULL REFERENCES escalations (id),
    step TEXT NOT NULL CHECK (step IN ('raise', 'assign', 'forward', 'decide', 'return', 'resubmit')),
    from_state TEXT,
    to_state TEXT NOT NULL,
    by_user_id INTEGER REFERENCES users (id),
    assignee_id INTEGER REFERENCES users (id),
    due_on TEXT,
    note TEXT NOT NULL DEFAULT '',
    at TEXT NOT NULL
);
CREATE INDEX escalation_steps_of ON escalation_steps (escalation_id, id);

-- In-app notifications: one row per recipient; read when `read_at` is set.
CREATE TABLE notifications (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id INTEGER NOT NULL REFERENCES users (id),
    -- e.g. escalation.raise, escalation.forward: the text is the interface's.
    kind TEXT NOT NULL,
    target_type TEXT NOT NULL,
    target_id INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    read_at TEXT
);
CREATE INDEX notifications_unread ON notifications (user_id, read_at);

-- Conditional businesses on security and order (ND 96/2016, as amended).
CREATE TABLE businesses (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT NOT NULL,
    line TEXT NOT NULL CHECK (line IN ('karaoke', 'dance_hall', 'accommodation', 'massage', 'bar', 'other')),
    certificate_no TEXT NOT NULL DEFAULT '',
    certificate_on TEXT,
    address TEXT NOT NULL DEFAULT '',
    unit_id INTEGER NOT NULL REFERENCES units (id),
    lat REAL,
    lon REAL,
    created_by INTEGER REFERENCES users (id),
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX businesses_unit ON businesses (unit_id);

CREATE TABLE business_inspections (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    business_id INTEGER NOT NULL REFERENCES businesses (id),
    kind TEXT NOT NULL CHECK (kind IN ('planned', 'ad_hoc')),
    on_date TEXT NOT NULL,
    findings TEXT NOT NULL DEFAULT '',
    violations TEXT NOT NULL DEFAULT '',
    sanctions TEXT NOT NULL DEFAULT '',
    violation_found BOOLEAN NOT NULL DEFAULT FALSE,
    by_user_id INTEGER REFERENCES users (id),
    created_at TEXT NOT NULL
);
CREATE INDEX business_inspections_of ON business_inspections (business_id, on_date);

CREATE TABLE business_sites (
    business_id INTEGER NOT NULL REFERENCES businesses (id),
    site_id INTEGER NOT NULL REFERENCES sites (id),
    linked_by INTEGER REFERENCES users (id),
    linked_at TEXT NOT NULL,
    PRIMARY KEY (business_id, site_id)
);
CREATE INDEX business_sites_site ON business_sites (site_id);

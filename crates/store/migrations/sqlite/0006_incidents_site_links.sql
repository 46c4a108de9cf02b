-- Geolocated incidents (the input of the analytics and of re-formation alerts), the
-- alerts they raise on monitored sites, and the persons linked to a site.
-- Same shape as ../postgres/0006_incidents_site_links.sql.

CREATE TABLE incidents (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    kind TEXT NOT NULL CHECK (kind IN ('arrest', 'seizure', 'tip', 'overdose', 'syringe_find', 'other')),
    occurred_on TEXT NOT NULL,
    lat REAL NOT NULL,
    lon REAL NOT NULL,
    -- The commune it counts towards: given, or the nearest commune centre.
    unit_id INTEGER NOT NULL REFERENCES units (id),
    -- manual, import, case, tip.
    source TEXT NOT NULL,
    note TEXT NOT NULL DEFAULT '',
    created_by INTEGER REFERENCES users (id),
    created_at TEXT NOT NULL
);
CREATE INDEX incidents_unit ON incidents (unit_id, occurred_on);
CREATE INDEX incidents_on ON incidents (occurred_on);

-- An incident near a site under monitoring: a possible re-formation the officer confirms
-- (accepted) or sets aside (dismissed), with who and when.
CREATE TABLE site_alerts (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    site_id INTEGER NOT NULL REFERENCES sites (id),
    incident_id INTEGER NOT NULL REFERENCES incidents (id),
    distance_m REAL NOT NULL,
    status TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'accepted', 'dismissed')),
    raised_at TEXT NOT NULL,
    decided_by INTEGER REFERENCES users (id),
    decided_at TEXT,
    decision_note TEXT NOT NULL DEFAULT '',
    UNIQUE (site_id, incident_id)
);
CREATE INDEX site_alerts_open ON site_alerts (status, site_id);

-- Subjects linked to a site, by reference: the person's record keeps its own access rules.
CREATE TABLE site_persons (
    site_id INTEGER NOT NULL REFERENCES sites (id),
    person_id INTEGER NOT NULL REFERENCES persons (id),
    -- owner, user, dealer, other.
    role TEXT NOT NULL CHECK (role IN ('owner', 'user', 'dealer', 'other')),
    linked_by INTEGER REFERENCES users (id),
    linked_at TEXT NOT NULL,
    PRIMARY KEY (site_id, person_id)
);
CREATE INDEX site_persons_person ON site_persons (person_id);

-- Drug sites (points, clusters, risk points), their dated lifecycle and the checks after
-- elimination. Same version and shape as ../postgres/0003_sites.sql.

CREATE TABLE sites (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    kind TEXT NOT NULL CHECK (kind IN ('point', 'cluster', 'risk_point')),
    -- Điểm nóng: flagged by the leadership for priority elimination.
    hot_spot BOOLEAN NOT NULL DEFAULT FALSE,
    name TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    address TEXT NOT NULL DEFAULT '',
    -- A current commune or a legacy one; scope goes through units.scope_*_id.
    unit_id INTEGER NOT NULL REFERENCES units (id),
    lat REAL NOT NULL,
    lon REAL NOT NULL,
    -- The linked conditional business, by reference until businesses have a table.
    business_ref TEXT,
    found_how TEXT NOT NULL DEFAULT '',
    responsible_user_id INTEGER REFERENCES users (id),
    state TEXT NOT NULL CHECK (state IN ('reported', 'listed', 'under_action', 'eliminated', 'monitoring', 'closed', 'reformed', 'dismissed')),
    -- The date the current state took effect (that of the last transition).
    state_since TEXT NOT NULL,
    created_at TEXT NOT NULL,
    created_by INTEGER REFERENCES users (id),
    updated_at TEXT NOT NULL
);
CREATE INDEX sites_unit ON sites (unit_id);
CREATE INDEX sites_state ON sites (state);
CREATE INDEX sites_lat ON sites (lat);

-- Every state a site has been in, from its creation (from_state NULL) on.
CREATE TABLE site_transitions (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    site_id INTEGER NOT NULL REFERENCES sites (id),
    from_state TEXT CHECK (from_state IN ('reported', 'listed', 'under_action', 'eliminated', 'monitoring', 'closed', 'reformed', 'dismissed')),
    to_state TEXT NOT NULL CHECK (to_state IN ('reported', 'listed', 'under_action', 'eliminated', 'monitoring', 'closed', 'reformed', 'dismissed')),
    -- The date the step took effect (may be earlier than created_at: recorded late).
    on_date TEXT NOT NULL,
    by_user_id INTEGER REFERENCES users (id),
    note TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL
);
CREATE INDEX site_transitions_site ON site_transitions (site_id, on_date);

-- The scheduled checks of a site under monitoring; pending checks are removed when the
-- site leaves monitoring (closed or re-formed), done ones are kept.
CREATE TABLE site_checks (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    site_id INTEGER NOT NULL REFERENCES sites (id),
    due_on TEXT NOT NULL,
    done_on TEXT,
    outcome TEXT CHECK (outcome IN ('no_activity', 'activity')),
    note TEXT NOT NULL DEFAULT '',
    by_user_id INTEGER REFERENCES users (id),
    CHECK ((done_on IS NULL) = (outcome IS NULL))
);
CREATE INDEX site_checks_site ON site_checks (site_id, due_on);
CREATE INDEX site_checks_pending ON site_checks (due_on) WHERE done_on IS NULL;

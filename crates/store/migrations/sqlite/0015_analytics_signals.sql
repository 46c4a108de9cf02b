-- What the analytics feed back into the registries (ANALYTICS.md §4): a hot cell with no
-- registered site (suggest_site), a watched site whose cell turns hot or sees incidents
-- within the re-formation radius (reformation_alert), an area under non-relapse
-- monitoring whose cell turns hot (relapse_warning). An officer accepts or dismisses
-- each one with a reason. Same version and shape as ../postgres/0015_analytics_signals.sql.
CREATE TABLE analytics_signals (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    kind TEXT NOT NULL CHECK (kind IN ('suggest_site', 'reformation_alert', 'relapse_warning')),
    -- The H3 cell (lowercase hex) and its resolution; lat/lon is the cell centre.
    cell TEXT NOT NULL,
    resolution INTEGER NOT NULL CHECK (resolution BETWEEN 0 AND 15),
    lat REAL NOT NULL,
    lon REAL NOT NULL,
    -- The unit that decides scope: the site's or area's, else the commune of most of the
    -- cell's incidents.
    unit_id INTEGER NOT NULL REFERENCES units (id),
    site_id INTEGER REFERENCES sites (id),
    area_id INTEGER REFERENCES areas (id),
    -- '' for a suggestion, 'site:ID' or 'area:ID' otherwise: what "the same signal" means.
    target_key TEXT NOT NULL,
    -- The EHSA category of the cell and the incidents behind the signal.
    category TEXT NOT NULL DEFAULT '',
    incidents INTEGER NOT NULL DEFAULT 0 CHECK (incidents >= 0),
    -- The run that raised it: its period and parameters (JSON).
    period_from TEXT NOT NULL,
    period_to TEXT NOT NULL,
    params TEXT NOT NULL DEFAULT '{}',
    created_by INTEGER REFERENCES users (id),
    created_at TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'accepted', 'dismissed')),
    decided_by INTEGER REFERENCES users (id),
    decided_at TEXT,
    reason TEXT NOT NULL DEFAULT '',
    CHECK ((kind = 'suggest_site') = (target_key = '')),
    CHECK ((kind = 'reformation_alert') = (site_id IS NOT NULL)),
    CHECK ((kind = 'relapse_warning') = (area_id IS NOT NULL))
);
-- At most one open signal per (kind, cell, target): a second run adds nothing new.
CREATE UNIQUE INDEX analytics_signals_open ON analytics_signals (kind, cell, target_key) WHERE status = 'open';
CREATE INDEX analytics_signals_unit ON analytics_signals (unit_id, status);

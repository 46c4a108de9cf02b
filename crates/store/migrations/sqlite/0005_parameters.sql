-- Parameters the province sets (DOMAIN.md marks them as parameters, not law): one JSON
-- value per named group, effective-dated so a change applies from a day on and never
-- alters what was decided before it. Same shape as ../postgres/0005_parameters.sql.

CREATE TABLE parameters (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    -- The group, e.g. 'sites'.
    name TEXT NOT NULL,
    -- The whole group as JSON; the application validates it before storing.
    value TEXT NOT NULL,
    -- The first day (Vietnam time) the value applies.
    valid_from TEXT NOT NULL,
    set_by INTEGER REFERENCES users (id),
    set_at TEXT NOT NULL,
    note TEXT NOT NULL DEFAULT '',
    UNIQUE (name, valid_from)
);

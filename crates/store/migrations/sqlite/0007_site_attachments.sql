-- Documents and photos attached to a step of a site's lifecycle. Same version and shape as
-- ../postgres/0007_site_attachments.sql. The content is sealed with the data key
-- (XChaCha20-Poly1305, binary form of diaban_vault::seal) with the row's id and site as
-- associated data, so a sealed file cannot be moved to another row or site; the name,
-- type, size and digest stay in clear so lists need no key.

CREATE TABLE site_attachments (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    site_id INTEGER NOT NULL REFERENCES sites (id),
    -- The step it documents; NULL is kept for evidence of a check, which may come later.
    transition_id INTEGER REFERENCES site_transitions (id),
    -- Sanitised: last path component, no control or quote characters, at most ~125 chars.
    file_name TEXT NOT NULL CHECK (length(file_name) BETWEEN 1 AND 200),
    -- Decided from the content (magic bytes), never from the client.
    content_type TEXT NOT NULL CHECK (content_type IN ('application/pdf', 'image/jpeg', 'image/png', 'image/webp', 'application/vnd.openxmlformats-officedocument.wordprocessingml.document', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet')),
    -- Of the plaintext.
    size_bytes INTEGER NOT NULL CHECK (size_bytes > 0),
    -- SHA-256 of the plaintext, 64 lowercase hex digits; checked again after opening.
    sha256 TEXT NOT NULL CHECK (length(sha256) = 64),
    content_sealed BLOB NOT NULL,
    uploaded_by INTEGER REFERENCES users (id),
    uploaded_at TEXT NOT NULL
);
CREATE INDEX site_attachments_site ON site_attachments (site_id, transition_id);

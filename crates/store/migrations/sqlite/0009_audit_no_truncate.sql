-- PostgreSQL refuses TRUNCATE on the audit log from this version on (see
-- ../postgres/0009_audit_no_truncate.sql). SQLite has no TRUNCATE (DELETE without WHERE
-- is already refused by the row trigger), so nothing to do here.
SELECT 1;

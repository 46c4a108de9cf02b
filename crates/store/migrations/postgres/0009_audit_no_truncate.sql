-- TRUNCATE bypasses row triggers: refuse it on the audit log too (a statement trigger).
-- SQLite has no TRUNCATE; ../sqlite/0009_audit_no_truncate.sql only keeps the versions aligned.
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only();

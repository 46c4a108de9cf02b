-- Sign-in throttling per (account, address) pair (issue 19): an administrator can clear an
-- account's failures; failures before this time no longer count against any address.
ALTER TABLE users ADD COLUMN lockout_cleared_at TEXT;
-- The pair's failures are counted from its last success or the clearing, newest first.
CREATE INDEX login_attempts_pair ON login_attempts (username, ip, at);

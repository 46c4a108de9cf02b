//! The `diaban` binary on a temporary SQLite file: accounts, tokens, the audit chain,
//! the data keys, and the refusals that must come as one clear line and a non-zero exit.

use diaban_store::persons::{self, NewPerson, PersonFilter, Scope};
use diaban_store::{Db, audit, tokens, units, users};
use diaban_vault::KeyRing;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};

/// A directory of its own for one test, removed at the end.
struct Scratch(PathBuf);

impl Scratch {
    fn new(name: &str) -> Scratch {
        static N: AtomicU32 = AtomicU32::new(0);
        let dir = std::env::temp_dir().join(format!(
            "diaban-cli-{name}-{}-{}",
            std::process::id(),
            N.fetch_add(1, Ordering::Relaxed)
        ));
        std::fs::create_dir_all(&dir).expect("scratch dir");
        Scratch(dir)
    }
    fn path(&self, file: &str) -> PathBuf {
        self.0.join(file)
    }
    fn db_url(&self) -> String {
        format!("sqlite://{}", self.path("diaban.db").display())
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn command(args: &[&str]) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_diaban"));
    c.args(args)
        .env("DIABAN_LOG", "warn")
        .env_remove("DIABAN_DB")
        .env_remove("DIABAN_KEY_FILE")
        .env_remove("DIABAN_ADDR")
        .env_remove("DIABAN_DEMO");
    c
}

/// Runs the binary with `stdin` piped in.
fn run_with_stdin(args: &[&str], stdin: &str) -> Output {
    let mut child = command(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("diaban starts");
    child.stdin.take().expect("stdin").write_all(stdin.as_bytes()).expect("write stdin");
    child.wait_with_output().expect("diaban ends")
}

fn run(args: &[&str]) -> Output {
    run_with_stdin(args, "")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

#[track_caller]
fn assert_ok(o: &Output) {
    assert!(o.status.success(), "exit {:?}\nstdout: {}\nstderr: {}", o.status, stdout(o), stderr(o));
}

/// A failure told in exactly one line on stderr, containing `expected`.
#[track_caller]
fn assert_one_line_error(o: &Output, expected: &str) {
    assert!(!o.status.success(), "should fail: {}", stdout(o));
    let err = stderr(o);
    let lines: Vec<&str> = err.lines().filter(|l| !l.trim().is_empty()).collect();
    assert_eq!(lines.len(), 1, "one line expected, got: {err}");
    assert!(lines[0].starts_with("diaban: error: "), "{err}");
    assert!(lines[0].contains(expected), "'{expected}' not in: {err}");
}

const PASSWORD: &str = "một mật khẩu đủ dài 2026";

fn add_user(s: &Scratch, username: &str, role: &str, unit: &str) -> Output {
    let url = s.db_url();
    run_with_stdin(
        &["user", "add", "--username", username, "--role", role, "--unit", unit, "--db", &url],
        &format!("{PASSWORD}\n"),
    )
}

async fn open(s: &Scratch) -> Db {
    Db::connect(&s.db_url()).await.expect("open the test database")
}

#[tokio::test]
async fn accounts_are_added_listed_and_disabled() {
    let s = Scratch::new("users");
    let url = s.db_url();
    let o = add_user(&s, "cb.kontum", "commune_officer", "23293");
    assert_ok(&o);
    assert!(stdout(&o).contains("created cb.kontum (commune_officer, 23293"), "{}", stdout(&o));
    // The password read from standard input is the one stored (hashed).
    let db = open(&s).await;
    let u = users::by_username(&db, "cb.kontum").await.expect("user").expect("exists");
    assert!(u.password_hash.starts_with("$argon2id$"));
    assert!(diaban_vault::password::verify_password(PASSWORD, &u.password_hash).expect("verify"));
    db.close().await;

    // Refusals.
    assert_one_line_error(&add_user(&s, "cb.kontum", "commune_officer", "23293"), "taken");
    assert_one_line_error(&add_user(&s, "pc04", "province_officer", "23293"), "province code");
    assert_one_line_error(&add_user(&s, "pc04", "chief", "51"), "unknown role");
    let o = run_with_stdin(
        &["user", "add", "--username", "short", "--role", "auditor", "--unit", "51", "--db", &url],
        "short\n",
    );
    assert_one_line_error(&o, "password");

    assert_ok(&add_user(&s, "kiemtra", "auditor", "51"));
    let o = run(&["user", "list", "--db", &url]);
    assert_ok(&o);
    let list = stdout(&o);
    let line = list.lines().find(|l| l.starts_with("cb.kontum ")).expect("listed");
    assert!(line.contains("commune_officer") && line.contains("23293") && line.contains("active"), "{line}");
    assert!(list.lines().any(|l| l.starts_with("kiemtra ") && l.contains("auditor")), "{list}");

    let o = run(&["user", "disable", "cb.kontum", "--db", &url]);
    assert_ok(&o);
    let list = stdout(&run(&["user", "list", "--db", &url]));
    let line = list.lines().find(|l| l.starts_with("cb.kontum ")).expect("listed");
    assert!(line.contains("disabled"), "{line}");
    assert_one_line_error(&run(&["user", "disable", "nobody", "--db", &url]), "no account nobody");
}

#[tokio::test]
async fn a_token_is_printed_once_stored_hashed_and_listed() {
    let s = Scratch::new("tokens");
    let url = s.db_url();
    assert_ok(&add_user(&s, "tichhop", "province_officer", "51"));
    let o = run(&["token", "create", "--username", "tichhop", "--days", "7", "--label", "ci", "--db", &url]);
    assert_ok(&o);
    let out = stdout(&o);
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 1, "only the token on stdout: {out}");
    let token = lines[0].trim().to_owned();
    assert!(token.len() >= 32, "{token}");
    assert!(stderr(&o).contains("shown only now"), "{}", stderr(&o));

    let list = stdout(&run(&["token", "list", "--username", "tichhop", "--db", &url]));
    let line = list.lines().find(|l| l.contains(" ci ")).expect("listed");
    assert!(line.contains("active"), "{line}");
    assert!(!list.contains(&token), "the list never shows the token");
    let id = line.split_whitespace().next().expect("id").to_owned();

    // Stored as its hash only: found by hash, absent from the file.
    let db = open(&s).await;
    let t =
        tokens::by_hash(&db, &diaban_vault::token::hash_token(&token)).await.expect("query").expect("found");
    assert_eq!(t.id.to_string(), id);
    db.close().await;
    let mut bytes = std::fs::read(s.path("diaban.db")).expect("file");
    bytes.extend(std::fs::read(s.path("diaban.db-wal")).unwrap_or_default());
    assert!(!bytes.windows(token.len()).any(|w| w == token.as_bytes()), "the token is in the file");

    assert_ok(&run(&["token", "revoke", &id, "--db", &url]));
    let list = stdout(&run(&["token", "list", "--username", "tichhop", "--db", &url]));
    assert!(list.lines().any(|l| l.contains(" ci ") && l.contains("revoked")), "{list}");
    assert_one_line_error(&run(&["token", "revoke", &id, "--db", &url]), "no active token");
    assert_one_line_error(
        &run(&["token", "create", "--username", "tichhop", "--days", "0", "--db", &url]),
        "--days",
    );
}

#[tokio::test]
async fn audit_verify_passes_then_names_the_entry_edited_in_the_file() {
    let s = Scratch::new("audit");
    let url = s.db_url();
    assert_ok(&add_user(&s, "quantri", "admin", "51"));
    for _ in 0..2 {
        assert_ok(&run(&["token", "create", "--username", "quantri", "--db", &url]));
    }
    let o = run(&["audit", "verify", "--db", &url]);
    assert_ok(&o);
    assert!(stdout(&o).contains("audit log intact: 3 entries; head hash "), "{}", stdout(&o));

    // Someone edits the file with a hex editor: entry 2's hash, wherever it appears (its
    // own row and the next entry's prev_hash), is replaced by another well-formed one.
    let db = open(&s).await;
    let f = audit::AuditFilter { limit: 10, ..Default::default() };
    let hash =
        audit::search(&db, &f).await.expect("entries").0.into_iter().find(|e| e.id == 2).expect("2").hash;
    db.close().await;
    let forged: String = hash.chars().map(|c| if c == '0' { '1' } else { '0' }).collect();
    let mut patched = 0;
    for file in ["diaban.db", "diaban.db-wal"] {
        let Ok(mut bytes) = std::fs::read(s.path(file)) else { continue };
        let mut i = 0;
        while let Some(at) = bytes[i..].windows(hash.len()).position(|w| w == hash.as_bytes()) {
            bytes[i + at..i + at + hash.len()].copy_from_slice(forged.as_bytes());
            i += at + hash.len();
            patched += 1;
        }
        std::fs::write(s.path(file), bytes).expect("write");
    }
    assert!(patched >= 2, "found the hash {patched} times");
    let o = run(&["audit", "verify", "--db", &url]);
    assert_one_line_error(&o, "audit log broken at entry 2");
}

fn load_keys(path: &Path) -> KeyRing {
    KeyRing::load(path).expect("key file")
}

#[tokio::test]
async fn keys_init_demo_and_rotate_keep_every_record_readable() {
    let s = Scratch::new("keys");
    let url = s.db_url();
    let key = s.path("data.key");
    let key_arg = key.display().to_string();
    let o = run(&["keys", "init", "--key-file", &key_arg]);
    assert_ok(&o);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&key).expect("key file").permissions().mode();
        assert_eq!(mode & 0o777, 0o600, "{mode:o}");
    }
    assert!(!run(&["keys", "init", "--key-file", &key_arg]).status.success(), "never overwrites");

    assert_ok(&run(&["demo", "--db", &url, "--key-file", &key_arg]));
    let old = load_keys(&key);
    let db = open(&s).await;
    let total = persons::count_all(&db).await.expect("count");
    assert!(total >= 100, "{total}");
    let province = units::current_scope_unit(&db, "51", false).await.expect("unit").expect("51");
    let scope = Scope::Province(province.scope_province_id.unwrap_or(province.id));
    let all = PersonFilter { limit: 100_000, ..Default::default() };
    let (before, _) = persons::list(&db, &old, scope, &all).await.expect("open with the key");
    assert_eq!(i64::try_from(before.len()).expect("len"), total);
    db.close().await;

    let o = run(&["keys", "rotate", "--db", &url, "--key-file", &key_arg]);
    assert_ok(&o);
    assert!(
        stdout(&o).contains(&format!("re-sealed {total} person record(s) under key 2")),
        "{}",
        stdout(&o)
    );
    assert!(s.path("data.old").exists(), "the old key file is kept");
    let new = load_keys(&key);
    assert_eq!(new.active_key_id(), 2);
    // Every record opens without the old key, and searches by number still find them.
    let only_new = new.retire(1).expect("retire key 1");
    let db = open(&s).await;
    let (after, _) = persons::list(&db, &only_new, scope, &all).await.expect("open after rotation");
    assert_eq!(after.len(), before.len());
    for (a, b) in after.iter().zip(&before) {
        assert_eq!(
            (a.id, &a.full_name, &a.id_number, &a.address),
            (b.id, &b.full_name, &b.id_number, &b.address)
        );
    }
    for p in before.iter().filter(|p| p.id_number.is_some()).take(20) {
        let f = PersonFilter { id_number: p.id_number.clone(), limit: 5, ..Default::default() };
        let (found, _) = persons::list(&db, &only_new, scope, &f).await.expect("search");
        assert_eq!(found.iter().map(|f| f.id).collect::<Vec<_>>(), vec![p.id]);
    }
    db.close().await;
    // A second rotation refuses while the first one's backup is still there.
    assert_one_line_error(&run(&["keys", "rotate", "--db", &url, "--key-file", &key_arg]), "exists");
    assert_one_line_error(&run(&["keys", "rotate", "--db", &url]), "--key-file");
}

/// Runs `args` and waits at most `limit` (a server that does not refuse would run on).
fn run_with_timeout(args: &[&str], limit: Duration) -> Output {
    let mut child = command(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("diaban starts");
    let start = Instant::now();
    loop {
        if child.try_wait().expect("wait").is_some() {
            return child.wait_with_output().expect("output");
        }
        if start.elapsed() > limit {
            let _ = child.kill();
            let o = child.wait_with_output().expect("output");
            panic!("still running after {limit:?}: {}{}", stdout(&o), stderr(&o));
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[tokio::test]
async fn serve_refuses_a_database_with_persons_when_the_key_is_missing() {
    let s = Scratch::new("serve");
    let url = s.db_url();
    let db = open(&s).await;
    db.migrate().await.expect("migrate");
    diaban_store::reference::load_units(&db).await.expect("units");
    let keys = KeyRing::generate();
    let unit = units::current_scope_unit(&db, "23293", true).await.expect("unit").expect("commune");
    let p = NewPerson {
        residence_unit_id: unit.id,
        sex: "male".into(),
        birth_year: 1990,
        ethnicity: "Kinh".into(),
        id_number: Some("051090000001".into()),
        full_name: "Nguyễn Văn Khóa".into(),
        birth_date: None,
        address: None,
        phone: None,
        notes: None,
    };
    persons::create(&db, &keys, &p, None).await.expect("person");
    db.close().await;

    let o = run_with_timeout(&["serve", "--db", &url, "--addr", "127.0.0.1:0"], Duration::from_secs(60));
    assert_one_line_error(&o, "this database holds personal data");
    assert_one_line_error(&o, "--key-file");
    // A key file that is not there is an error too, never a new key.
    let missing = s.path("missing.key").display().to_string();
    let o = run_with_timeout(
        &["serve", "--db", &url, "--addr", "127.0.0.1:0", "--key-file", &missing],
        Duration::from_secs(60),
    );
    assert_one_line_error(&o, "missing.key");
    assert!(!s.path("missing.key").exists(), "no key is made outside the demo");
}

#[test]
fn unknown_schemes_and_corrupt_files_are_refused_in_one_line() {
    let s = Scratch::new("bad");
    for url in ["mysql://localhost/diaban", "diaban.db", "http://example.org/x"] {
        assert_one_line_error(&run(&["user", "list", "--db", url]), "unsupported database URL scheme");
    }
    let corrupt = s.path("corrupt.db");
    let noise: Vec<u8> = (0..16_384u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8).collect();
    std::fs::write(&corrupt, noise).expect("write");
    let url = format!("sqlite://{}", corrupt.display());
    assert_one_line_error(&run(&["user", "list", "--db", &url]), "file is not a database");
    assert_one_line_error(&run(&["audit", "verify", "--db", &url]), "file is not a database");
}

/// Every XML part of a zip (an XLSX or a DOCX) as one text.
fn zip_text(path: &Path) -> String {
    use std::io::Read;
    let file = std::fs::File::open(path).expect("the report file");
    let mut z = zip::ZipArchive::new(file).expect("a zip");
    let mut all = String::new();
    for i in 0..z.len() {
        let mut s = String::new();
        z.by_index(i).expect("part").read_to_string(&mut s).expect("text");
        all.push_str(&s);
    }
    all
}

#[tokio::test]
async fn report_writes_both_files_from_the_demo_without_any_identity_and_checks_the_period() {
    let s = Scratch::new("report");
    let url = s.db_url();
    let key_arg = s.path("data.key").display().to_string();
    assert_ok(&run(&["demo", "--db", &url, "--key-file", &key_arg]));
    let mut texts = Vec::new();
    for (unit, kind, period, format) in [
        ("51", "annual", "2026", "xlsx"),
        ("51", "annual", "2026", "docx"),
        ("51", "half-year", "2026-H1", "docx"),
        ("23293", "monthly", "2026-03", "xlsx"),
        ("23293", "monthly", "2026-03", "docx"),
    ] {
        let out = s.path(&format!("{unit}-{period}.{format}"));
        let out_arg = out.display().to_string();
        let o = run(&[
            "report",
            "--db",
            &url,
            "--key-file",
            &key_arg,
            "--unit",
            unit,
            "--period",
            period,
            "--kind",
            kind,
            "--format",
            format,
            "--out",
            &out_arg,
        ]);
        assert_ok(&o);
        texts.push(zip_text(&out));
    }
    assert!(texts[1].contains("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"));
    assert!(texts[4].contains("CÔNG AN PHƯỜNG KON TUM"), "the commune's police issues");
    // No name or identity number of any demo person is in any file.
    let keys = load_keys(&s.path("data.key"));
    let db = open(&s).await;
    let province = units::current_scope_unit(&db, "51", false).await.expect("unit").expect("51");
    let scope = Scope::Province(province.scope_province_id.unwrap_or(province.id));
    let all = PersonFilter { limit: 100_000, ..Default::default() };
    let (people, _) = persons::list(&db, &keys, scope, &all).await.expect("persons");
    db.close().await;
    assert!(people.len() >= 100, "{}", people.len());
    for p in &people {
        for t in &texts {
            assert!(!t.contains(&p.full_name), "the name of person {} is in a report", p.id);
            if let Some(n) = &p.id_number {
                assert!(!t.contains(n.as_str()), "the identity number of person {} is in a report", p.id);
            }
        }
    }
    // The period must fit the kind; the unit must exist.
    let out = s.path("x.docx").display().to_string();
    let base = ["report", "--db", &url, "--unit", "51", "--format", "docx", "--out", &out];
    let with = |extra: &[&'static str]| [&base[..], extra].concat();
    assert_one_line_error(
        &run(&with(&["--kind", "monthly", "--period", "2026"])),
        "does not match kind monthly",
    );
    assert_one_line_error(&run(&with(&["--kind", "annual", "--period", "2026-H1"])), "annual YYYY");
    assert_one_line_error(&run(&with(&["--kind", "half-year", "--period", "20x6"])), "not a period");
    let o = run(&[
        "report", "--db", &url, "--unit", "99999", "--kind", "annual", "--period", "2026", "--format",
        "xlsx", "--out", &out,
    ]);
    assert_one_line_error(&o, "unit");
}

#[tokio::test]
async fn user_unlock_clears_the_failures_of_every_address_and_is_audited() {
    let s = Scratch::new("unlock");
    let url = s.db_url();
    assert_ok(&add_user(&s, "pc04", "province_officer", "51"));
    let db = open(&s).await;
    for ip in ["203.0.113.1", "203.0.113.2"] {
        for _ in 0..6 {
            diaban_store::sessions::record_attempt(&db, "pc04", ip, false, diaban_store::now())
                .await
                .expect("attempt");
        }
    }
    let memory = diaban_store::now() - chrono::Duration::hours(24);
    let count = |ip: &'static str| {
        let db = db.clone();
        async move {
            diaban_store::sessions::pair_failures_since(&db, "pc04", ip, memory).await.expect("count").count
        }
    };
    assert_eq!(count("203.0.113.1").await, 6);
    let o = run(&["user", "unlock", "pc04", "--db", &url]);
    assert_ok(&o);
    assert!(stdout(&o).contains("unlocked pc04"), "{}", stdout(&o));
    assert_eq!((count("203.0.113.1").await, count("203.0.113.2").await), (0, 0));
    let f = audit::AuditFilter { action_prefix: Some("user.unlock".into()), limit: 10, ..Default::default() };
    let (entries, _) = audit::search(&db, &f).await.expect("audit");
    assert_eq!(entries.len(), 1);
    assert_eq!(entries[0].actor, "cli");
    db.close().await;
    assert_one_line_error(&run(&["user", "unlock", "nobody", "--db", &url]), "no account nobody");
}

#[tokio::test]
async fn backup_then_verify_then_restore_on_sqlite() {
    let s = Scratch::new("backup");
    let url = s.db_url();
    assert_ok(&add_user(&s, "kiemtra", "auditor", "51"));
    let out = s.path("backup.db");
    let o = run(&["backup", "--db", &url, "--out", out.to_str().expect("path")]);
    assert_ok(&o);
    let text = stdout(&o);
    assert!(text.contains("audit log intact: 1 entries"), "{text}");
    assert!(text.lines().any(|l| l == "users\t1"), "{text}");
    // Never over an existing file.
    assert_one_line_error(&run(&["backup", "--db", &url, "--out", out.to_str().expect("path")]), "exists");
    let o = run(&["backup", "verify", out.to_str().expect("path")]);
    assert_ok(&o);
    assert!(stdout(&o).contains("audit log intact: 1 entries"), "{}", stdout(&o));
    let restored = format!("sqlite://{}", s.path("restored.db").display());
    let o = run(&["restore", "--from", out.to_str().expect("path"), "--db", &restored]);
    assert_ok(&o);
    assert!(stdout(&o).lines().any(|l| l == "users\t1"), "{}", stdout(&o));
    // A backup whose chain was edited fails the check: entry 1's hash forged in the file.
    let db = open(&s).await;
    let f = audit::AuditFilter { limit: 10, ..Default::default() };
    let hash =
        audit::search(&db, &f).await.expect("entries").0.into_iter().find(|e| e.id == 1).expect("1").hash;
    db.close().await;
    let forged: String = hash.chars().map(|c| if c == '0' { '1' } else { '0' }).collect();
    let mut bytes = std::fs::read(&out).expect("backup");
    let mut i = 0;
    while let Some(at) = bytes[i..].windows(hash.len()).position(|w| w == hash.as_bytes()) {
        bytes[i + at..i + at + hash.len()].copy_from_slice(forged.as_bytes());
        i += at + hash.len();
    }
    assert!(i > 0, "the hash is in the file");
    std::fs::write(&out, bytes).expect("write");
    assert_one_line_error(
        &run(&["backup", "verify", out.to_str().expect("path")]),
        "audit log broken at entry 1",
    );
}

//! Personal data at rest and the audit trail, on every engine: identifying fields are
//! sealed (the database alone shows no name and no identity number), one record per
//! identity number, key rotation keeps every record readable and findable, every read is
//! audited, and the audit chain names the first entry that was modified, deleted or
//! inserted behind the application's back.

mod common;
mod support;

use common::TestApp;
use diaban_domain::access::Role;
use diaban_store::audit::{self, Entry, NewEntry};
use diaban_store::persons::{self, PersonFilter, Scope};
use diaban_store::testing::{self, execute_raw, query_text};
use diaban_store::{Backend, Db, units, users};
use serde_json::json;
use support::{add_person, audit_entries, fresh_id_number};

const COMMUNE_A: &str = "23293";

/// A woman born on 17 May 1990, registered in 051: the identity number agrees.
fn secret_person() -> serde_json::Value {
    json!({
        "full_name": "Hoàng Thị Bí Mật",
        "id_number": "051190123456",
        "sex": "female",
        "birth_date": "1990-05-17",
        "ethnicity": "Kinh",
        "residence_unit": COMMUNE_A,
        "address": "Thôn Đồi Thông, Phường Kon Tum",
        "phone": "0912345678",
        "notes": "Đã cai nghiện tự nguyện năm 2024 tại Đồi Thông",
    })
}

#[tokio::test]
async fn identifying_fields_round_trip_through_the_api() {
    for app in TestApp::all().await {
        let officer = app.login_as(Role::CommuneOfficer, COMMUNE_A).await;
        let input = secret_person();
        let (s, created) = officer.post_json("/api/v1/persons", &input).await;
        assert_eq!(s, 201, "{}: {created}", app.engine);
        let id = created["id"].as_i64().expect("id");
        let (s, p) = officer.get_json(&format!("/api/v1/persons/{id}")).await;
        assert_eq!(s, 200);
        for field in ["full_name", "id_number", "sex", "birth_date", "ethnicity", "address", "phone", "notes"]
        {
            assert_eq!(p[field], input[field], "{}: {field}", app.engine);
        }
        assert_eq!(p["birth_year"], 1990);
        // And through the store, with the key.
        let unit = units::current_scope_unit(app.db(), COMMUNE_A, true).await.expect("unit").expect("exists");
        let stored = persons::get(app.db(), &app.keys, id, Scope::Commune(unit.id))
            .await
            .expect("get")
            .expect("found");
        assert_eq!(stored.full_name, "Hoàng Thị Bí Mật");
        assert_eq!(stored.id_number.as_deref(), Some("051190123456"));
        // Another key opens nothing.
        let other = diaban_vault::KeyRing::generate();
        assert!(persons::get(app.db(), &other, id, Scope::Commune(unit.id)).await.is_err(), "{}", app.engine);
        app.stop().await;
    }
}

/// What must never be found in the database: the identity number, the name (as typed,
/// without diacritics, lowercased without diacritics), the phone and the address.
fn needles() -> Vec<String> {
    let name = "Hoàng Thị Bí Mật";
    let folded = diaban_vault::blind::fold_diacritics(name);
    vec![
        "051190123456".to_owned(),
        name.to_owned(),
        folded.clone(),
        folded.to_lowercase(),
        diaban_vault::blind::normalize_name(name),
        "0912345678".to_owned(),
        "Đồi Thông".to_owned(),
        // The note's own words (the phrase "cai nghiện" alone also appears in the
        // report template, which holds no personal data).
        "cai nghiện tự nguyện năm 2024".to_owned(),
    ]
}

fn find(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

/// Every text column of every table, with the values in it.
async fn all_text_values(db: &Db) -> Vec<(String, String)> {
    let columns_sql = match db.backend() {
        Backend::Postgres => {
            "SELECT table_name::text, column_name::text FROM information_schema.columns \
             WHERE table_schema = 'public' AND data_type IN ('text', 'character varying')"
        }
        Backend::Sqlite => {
            "SELECT m.name, p.name FROM sqlite_master m, pragma_table_info(m.name) p \
             WHERE m.type = 'table' AND upper(p.type) = 'TEXT'"
        }
    };
    let mut out = Vec::new();
    for row in query_text(db, columns_sql).await.expect("columns") {
        let (table, column) = (row[0].clone().expect("table"), row[1].clone().expect("column"));
        let sql = format!("SELECT CAST({column} AS TEXT) FROM {table}");
        for v in query_text(db, &sql).await.expect("values").into_iter().filter_map(|mut r| r.remove(0)) {
            out.push((format!("{table}.{column}"), v));
        }
    }
    out
}

#[tokio::test]
async fn the_database_alone_reveals_no_identity_number_and_no_name() {
    for app in TestApp::all().await {
        let officer = app.login_as(Role::CommuneOfficer, COMMUNE_A).await;
        let (s, created) = officer.post_json("/api/v1/persons", &secret_person()).await;
        assert_eq!(s, 201, "{created}");
        let id = created["id"].as_i64().expect("id");
        // Use the record the ways people do: read it, search by number and by name, list.
        assert_eq!(officer.get_json(&format!("/api/v1/persons/{id}")).await.0, 200);
        let (s, found) = officer
            .post_json("/api/v1/persons/search", &json!({"id_number": "051190123456", "reason": "xác minh"}))
            .await;
        assert_eq!((s, found["items"].as_array().map(Vec::len)), (200, Some(1)), "{found}");
        let (s, found) = officer
            .post_json(
                "/api/v1/persons/search",
                &json!({"full_name": "HOANG THI BI MAT", "birth_year": 1990}),
            )
            .await;
        assert_eq!(
            (s, found["items"].as_array().map(Vec::len)),
            (200, Some(1)),
            "{}: by name: {found}",
            app.engine
        );
        let r = officer.post_form("/persons/search", &[("id_number", "051190123456")]).await;
        assert!(r.text().await.unwrap_or_default().contains("Hoàng Thị Bí Mật"));
        // A second person, so the test does not depend on a single row.
        add_person(&app, COMMUNE_A, "Trịnh Văn Khác", &fresh_id_number()).await;

        let needles = needles();
        let values = all_text_values(app.db()).await;
        // The scan does see the sealed columns (two people: two sealed names).
        assert_eq!(
            values.iter().filter(|(c, _)| c == "persons.full_name_sealed").count(),
            2,
            "{}",
            app.engine
        );
        for (column, value) in values {
            for n in &needles {
                assert!(!value.contains(n.as_str()), "{}: {column} holds {n:?}", app.engine);
            }
        }
        if app.db().backend() == Backend::Sqlite {
            // The bytes of the file, with the write-ahead log folded in and read too.
            execute_raw(app.db(), "PRAGMA wal_checkpoint(TRUNCATE)").await.expect("checkpoint");
            let path = app.tdb.as_ref().expect("db").url.trim_start_matches("sqlite://").to_owned();
            let mut bytes = std::fs::read(&path).expect("database file");
            if let Ok(wal) = std::fs::read(format!("{path}-wal")) {
                bytes.extend(wal);
            }
            assert!(bytes.len() > 100_000, "the file was read");
            // The check itself works: a unit name is in clear in the same file.
            assert!(find(&bytes, "Phường Kon Tum".as_bytes()));
            for n in &needles {
                assert!(!find(&bytes, n.as_bytes()), "sqlite file holds {n:?}");
            }
        }
        app.stop().await;
    }
}

#[tokio::test]
async fn a_second_record_with_the_same_identity_number_is_not_made() {
    for app in TestApp::all().await {
        let officer = app.login_as(Role::ProvinceOfficer, "51").await;
        let (s, first) = officer.post_json("/api/v1/persons", &secret_person()).await;
        assert_eq!(s, 201, "{first}");
        let id = first["id"].as_i64().expect("id");
        // The same number, typed by someone else with other details.
        let mut again = secret_person();
        again["full_name"] = json!("Hoàng Thị Khác Tên");
        again["residence_unit"] = json!("21025");
        let (s, second) = officer.post_json("/api/v1/persons", &again).await;
        assert_eq!(s, 200, "{}: {second}", app.engine);
        assert_eq!(second["id"], id);
        assert_eq!(second["created"], false);
        // The page form lands on the existing record.
        let fields: Vec<(&str, &str)> = vec![
            ("full_name", "Hoàng Thị Lần Ba"),
            ("id_number", "051190123456"),
            ("sex", "female"),
            ("birth_year", "1990"),
            ("residence_unit", COMMUNE_A),
        ];
        let r = officer.post_form("/persons", &fields).await;
        assert_eq!(r.status().as_u16(), 303);
        assert_eq!(support::location(&r), format!("/persons/{id}"), "{}", app.engine);
        assert_eq!(persons::count_all(app.db()).await.expect("count"), 1, "{}", app.engine);
        // The attempts are audited (and the filter finds actions with an underscore).
        let auditor = app.login_as(Role::Auditor, "51").await;
        let (s, log) = auditor.get_json("/api/v1/audit?action=person.create_duplicate").await;
        assert_eq!(s, 200);
        assert_eq!(log["total"], 2, "{}: {log}", app.engine);
        app.stop().await;
    }
}

#[tokio::test]
async fn key_rotation_keeps_every_record_readable_and_findable() {
    for app in TestApp::all().await {
        let mut made = Vec::new();
        for (commune, name) in
            [(COMMUNE_A, "Mai Văn Một"), ("21025", "Mai Thị Hai"), (COMMUNE_A, "Mai Văn Ba")]
        {
            let number = fresh_id_number();
            made.push((add_person(&app, commune, name, &number).await, name, number));
        }
        // A user with two-factor: the secret is sealed with the same keys.
        let (user, _) = app.create_user(Role::Admin, "51").await;
        let totp = diaban_vault::totp::generate_secret();
        let uid = support::user_id(&app, &user).await;
        users::set_totp(app.db(), uid, Some(&app.keys.seal(&totp, b"user:totp_secret"))).await.expect("totp");

        let old = app.keys.as_ref().clone();
        // A new data key and a new index key: every value re-sealed, every index redone.
        let new = old.rotate().rotate_index_key();
        let n = persons::rotate_keys(app.db(), &old, &new).await.expect("rotate");
        assert_eq!(n, made.len(), "{}", app.engine);
        // Without the old data key at all: everything must have been re-sealed.
        let only_new = new.retire(old.active_key_id()).expect("retire");
        let province = units::current_scope_unit(app.db(), "51", false).await.expect("unit").expect("51");
        let scope = Scope::Province(province.scope_province_id.unwrap_or(province.id));
        for (id, name, number) in &made {
            let p = persons::get(app.db(), &only_new, *id, scope).await.expect("opens").expect("in scope");
            assert_eq!((p.full_name.as_str(), p.id_number.as_deref()), (*name, Some(number.as_str())));
            let f = PersonFilter { id_number: Some(number.clone()), limit: 10, ..Default::default() };
            let (found, total) = persons::list(app.db(), &only_new, scope, &f).await.expect("search");
            assert_eq!((total, found[0].id), (1, *id), "{}: search by number after rotation", app.engine);
            let f = PersonFilter {
                name_and_birth_year: Some(((*name).to_owned(), 1990)),
                limit: 10,
                ..Default::default()
            };
            assert_eq!(persons::list(app.db(), &only_new, scope, &f).await.expect("search").1, 1);
            // The old ring neither opens the values nor finds them by index.
            assert!(persons::get(app.db(), &old, *id, scope).await.is_err(), "{}", app.engine);
            let f = PersonFilter { id_number: Some(number.clone()), limit: 10, ..Default::default() };
            assert_eq!(persons::list(app.db(), &old, scope, &f).await.expect("search").1, 0);
        }
        let sealed = users::get(app.db(), uid).await.expect("user").totp_secret.expect("secret");
        assert_eq!(only_new.open(&sealed, b"user:totp_secret").expect("opens"), totp);
        app.stop().await;
    }
}

#[tokio::test]
async fn every_read_of_a_record_is_audited_and_a_hidden_read_is_detected() {
    for app in TestApp::all().await {
        let id = add_person(&app, COMMUNE_A, "Tạ Văn Đọc", &fresh_id_number()).await;
        let officer = app.login_as(Role::CommuneOfficer, COMMUNE_A).await;
        for _ in 0..2 {
            assert_eq!(officer.get_json(&format!("/api/v1/persons/{id}")).await.0, 200);
        }
        assert_eq!(officer.get(&format!("/persons/{id}")).await.status().as_u16(), 200);
        let r =
            officer.post_form(&format!("/persons/{id}/view"), &[("reason", "kiểm tra theo yêu cầu")]).await;
        assert_eq!(r.status().as_u16(), 200);
        assert_eq!(officer.get("/persons").await.status().as_u16(), 200);
        let reads: Vec<Entry> = audit_entries(&app, "person.read")
            .await
            .into_iter()
            .filter(|e| e.actor == officer.username && e.target_id == id.to_string())
            .collect();
        assert_eq!(reads.len(), 4, "{}", app.engine);
        assert!(
            reads
                .iter()
                .all(|e| e.outcome == "ok" && e.role == "commune_officer" && e.unit_code == COMMUNE_A)
        );
        assert_eq!(reads.iter().filter(|e| e.reason == "kiểm tra theo yêu cầu").count(), 1);
        assert!(reads.iter().all(|e| e.ip == "127.0.0.1"));
        let lists = audit_entries(&app, "person.list").await;
        assert!(
            lists
                .iter()
                .any(|e| e.actor == officer.username && e.target_id.split(',').any(|t| t == id.to_string()))
        );

        // Someone with database access hides one read: the API names that entry.
        let auditor = app.login_as(Role::Auditor, "51").await;
        let (_, v) = auditor.get_json("/api/v1/audit/verify").await;
        assert_eq!(v["intact"], true, "{v}");
        drop_audit_triggers(app.db()).await;
        let hidden = reads[0].id;
        execute_raw(app.db(), &format!("UPDATE audit_log SET target_id = '0' WHERE id = {hidden}"))
            .await
            .expect("tamper");
        let (s, v) = auditor.get_json("/api/v1/audit/verify").await;
        assert_eq!(s, 200);
        assert_eq!(v["intact"], false, "{}: {v}", app.engine);
        assert_eq!(v["first_problem"]["entry"], hidden, "{}: {v}", app.engine);
        // The audit page says so too.
        assert_eq!(auditor.get("/audit").await.status().as_u16(), 200);
        app.stop().await;
    }
}

async fn drop_audit_triggers(db: &Db) {
    let statements: &[&str] = match db.backend() {
        Backend::Sqlite => &["DROP TRIGGER audit_log_no_update", "DROP TRIGGER audit_log_no_delete"],
        Backend::Postgres => &["DROP TRIGGER audit_log_no_update ON audit_log"],
    };
    for s in statements {
        execute_raw(db, s).await.expect("drop trigger");
    }
}

/// A fresh database per engine with six audit entries.
async fn chained_dbs() -> Vec<testing::TestDb> {
    let dbs = testing::all().await.expect("databases");
    for t in &dbs {
        for i in 1..=6 {
            let e = NewEntry {
                actor_user_id: Some(i),
                actor: format!("user{i}"),
                role: "commune_officer".into(),
                unit_code: COMMUNE_A.into(),
                action: "person.read".into(),
                target_type: "person".into(),
                target_id: (100 + i).to_string(),
                ip: "127.0.0.1".into(),
                outcome: "ok".into(),
                ..Default::default()
            };
            assert_eq!(audit::append(&t.db, &e).await.expect("append"), i);
        }
        assert_eq!(audit::verify(&t.db).await.expect("verify").first_problem, None);
    }
    dbs
}

async fn entry(db: &Db, id: i64) -> Entry {
    let f = audit::AuditFilter { limit: 1000, ..Default::default() };
    audit::search(db, &f).await.expect("search").0.into_iter().find(|e| e.id == id).expect("entry")
}

/// The hash the application would give `e` after `prev` (the store's canonical fields).
fn forged_hash(prev: &str, e: &Entry) -> String {
    let actor_id = e.actor_user_id.map(|i| i.to_string()).unwrap_or_default();
    diaban_vault::chain::entry_hash(
        prev,
        &[
            ("id", &e.id.to_string()),
            ("at_us", &e.at_us.to_string()),
            ("actor_user_id", &actor_id),
            ("actor", &e.actor),
            ("role", &e.role),
            ("unit_code", &e.unit_code),
            ("action", &e.action),
            ("target_type", &e.target_type),
            ("target_id", &e.target_id),
            ("reason", &e.reason),
            ("ip", &e.ip),
            ("outcome", &e.outcome),
        ],
    )
}

const COLUMNS: &str = "id, at, at_us, actor_user_id, actor, role, unit_code, action, target_type, target_id, reason, ip, outcome, prev_hash, hash";

#[tokio::test]
async fn the_audit_log_refuses_changes_while_its_triggers_exist() {
    for t in chained_dbs().await {
        let update = execute_raw(&t.db, "UPDATE audit_log SET reason = 'x' WHERE id = 2").await;
        assert!(update.is_err(), "{:?}", t.db.backend());
        assert!(update.unwrap_err().to_string().contains("append-only"));
        assert!(execute_raw(&t.db, "DELETE FROM audit_log WHERE id = 2").await.is_err());
        if t.db.backend() == Backend::Postgres {
            // TRUNCATE skips row triggers; a statement trigger refuses it.
            let truncate = execute_raw(&t.db, "TRUNCATE audit_log").await;
            assert!(truncate.unwrap_err().to_string().contains("append-only"));
        }
        assert_eq!(audit::verify(&t.db).await.expect("verify").first_problem, None);
        t.cleanup().await;
    }
}

/// Runs `tamper` on a fresh chain (triggers dropped) and returns what verify names.
async fn tampered(tamper: impl AsyncFn(&Db)) -> Vec<(Backend, i64, String)> {
    let mut out = Vec::new();
    for t in chained_dbs().await {
        drop_audit_triggers(&t.db).await;
        tamper(&t.db).await;
        let r = audit::verify(&t.db).await.expect("verify");
        let (id, why) = r.first_problem.unwrap_or((0, "nothing found".into()));
        out.push((t.db.backend(), id, why));
        t.cleanup().await;
    }
    out
}

#[tokio::test]
async fn verify_names_a_modified_entry() {
    for (engine, id, why) in tampered(async |db| {
        execute_raw(db, "UPDATE audit_log SET target_id = '999' WHERE id = 3").await.expect("update");
    })
    .await
    {
        assert_eq!(id, 3, "{engine:?}: {why}");
        assert!(why.contains("modified"), "{why}");
    }
    // The time alone.
    for (engine, id, why) in tampered(async |db| {
        execute_raw(db, "UPDATE audit_log SET at_us = at_us + 1 WHERE id = 5").await.expect("update");
    })
    .await
    {
        assert_eq!(id, 5, "{engine:?}: {why}");
    }
}

#[tokio::test]
async fn verify_names_a_deleted_entry() {
    for (engine, id, why) in tampered(async |db| {
        execute_raw(db, "DELETE FROM audit_log WHERE id = 3").await.expect("delete");
    })
    .await
    {
        assert_eq!(id, 3, "{engine:?}: {why}");
        assert!(why.contains("missing"), "{why}");
    }
    // The last one: only the head shows it.
    for (engine, id, why) in tampered(async |db| {
        execute_raw(db, "DELETE FROM audit_log WHERE id = 6").await.expect("delete");
    })
    .await
    {
        assert_eq!(id, 6, "{engine:?}: {why}");
    }
}

#[tokio::test]
async fn verify_names_an_inserted_entry() {
    // At the end, with a hash that continues the chain correctly: only the head shows it.
    for (engine, id, why) in tampered(async |db| {
        let mut forged = entry(db, 6).await;
        let prev = forged.hash.clone();
        forged.id = 7;
        forged.target_id = "999".into();
        let hash = forged_hash(&prev, &forged);
        execute_raw(
            db,
            &format!(
                "INSERT INTO audit_log ({COLUMNS}) SELECT 7, at, at_us, actor_user_id, actor, role, unit_code, \
                 action, target_type, '999', reason, ip, outcome, hash, '{hash}' FROM audit_log WHERE id = 6"
            ),
        )
        .await
        .expect("insert");
    })
    .await
    {
        assert_eq!(id, 7, "{engine:?}: {why}");
    }
    // In the middle: later entries renumbered, a well-formed entry put in their place.
    for (engine, id, why) in tampered(async |db| {
        execute_raw(db, "UPDATE audit_log SET id = id + 100 WHERE id >= 3").await.expect("shift");
        execute_raw(db, "UPDATE audit_log SET id = id - 99 WHERE id >= 103").await.expect("shift back");
        let mut forged = entry(db, 2).await;
        let prev = forged.hash.clone();
        forged.id = 3;
        forged.target_id = "999".into();
        let hash = forged_hash(&prev, &forged);
        execute_raw(
            db,
            &format!(
                "INSERT INTO audit_log ({COLUMNS}) SELECT 3, at, at_us, actor_user_id, actor, role, unit_code, \
                 action, target_type, '999', reason, ip, outcome, hash, '{hash}' FROM audit_log WHERE id = 2"
            ),
        )
        .await
        .expect("insert");
    })
    .await
    {
        // The forged entry fits its predecessor; the one after it no longer does.
        assert_eq!(id, 4, "{engine:?}: {why}");
        assert!(why.contains("does not follow entry 3"), "{why}");
    }
    // A clumsy insertion (a hash that does not fit) is named itself.
    for (engine, id, why) in tampered(async |db| {
        execute_raw(
            db,
            &format!(
                "INSERT INTO audit_log ({COLUMNS}) SELECT 7, at, at_us, actor_user_id, actor, role, unit_code, \
                 action, target_type, '999', reason, ip, outcome, hash, '{}' FROM audit_log WHERE id = 6",
                "f".repeat(64)
            ),
        )
        .await
        .expect("insert");
    })
    .await
    {
        assert_eq!(id, 7, "{engine:?}: {why}");
    }
}

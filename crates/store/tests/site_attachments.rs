//! Attachments of site steps on every available engine (SQLite always; PostgreSQL when
//! TEST_DATABASE_URL is set): stored sealed, read back equal within scope only, bound to
//! their row, written in the step's transaction or not at all, re-sealed by a key
//! rotation.

use chrono::NaiveDate;
use diaban_domain::UnitLevel;
use diaban_domain::attachment::{AttachmentLimits, CheckedFile, FileKind, Upload, check_files};
use diaban_domain::site::{LatLon, SiteKind, SiteParams, SiteState};
use diaban_store::audit::{self, AuditFilter, NewEntry};
use diaban_store::persons::{self, Scope};
use diaban_store::sites::{self, ChangeError, NewSite, TransitionRequest};
use diaban_store::units::{self, Unit};
use diaban_store::{Backend, Db, reference, site_attachments, testing};
use diaban_vault::KeyRing;

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

/// A tiny PNG whose pixel data carries `marker`, so the plaintext can be looked for.
fn png(marker: &str) -> Vec<u8> {
    let mut b = b"\x89PNG\r\n\x1a\n\0\0\0\x0dIHDR\0\0\0\x01\0\0\0\x01\x08\x06\0\0\0".to_vec();
    b.extend_from_slice(marker.as_bytes());
    b
}

fn files(list: &[(&str, Vec<u8>)]) -> Vec<CheckedFile> {
    let uploads = list
        .iter()
        .map(|(n, b)| Upload { name: (*n).into(), size: b.len() as u64, bytes: b.clone() })
        .collect();
    check_files(uploads, &AttachmentLimits::default()).unwrap()
}

struct Place {
    province: i64,
    commune: Unit,
    other_commune: Unit,
}

async fn place(db: &Db) -> Place {
    reference::load_units(db).await.unwrap();
    let qn = units::by_code(db, "51", Some(UnitLevel::Province), d(2026, 1, 1)).await.unwrap().unwrap();
    let communes = units::children(db, qn.id).await.unwrap();
    Place { province: qn.id, commune: communes[0].clone(), other_commune: communes[1].clone() }
}

async fn new_site(db: &Db, unit: &Unit) -> i64 {
    let s = NewSite {
        kind: SiteKind::Point,
        hot_spot: false,
        name: "Điểm có tài liệu".into(),
        description: String::new(),
        address: String::new(),
        unit_id: unit.id,
        location: LatLon::new(15.12, 108.80).unwrap(),
        business_ref: None,
        found_how: String::new(),
        responsible_user_id: None,
        state: SiteState::Reported,
        on: d(2024, 1, 10),
        note: String::new(),
    };
    sites::create(db, &s, None, None).await.unwrap()
}

fn listed() -> TransitionRequest {
    TransitionRequest { to: SiteState::Listed, on: d(2024, 2, 1), note: "biên bản xác minh".into() }
}

/// The sealed column of one attachment, as hex, read as someone with database access.
async fn sealed_hex(db: &Db, id: i64) -> String {
    let sql = match db.backend() {
        Backend::Sqlite => format!("SELECT lower(hex(content_sealed)) FROM site_attachments WHERE id = {id}"),
        Backend::Postgres => {
            format!("SELECT encode(content_sealed, 'hex') FROM site_attachments WHERE id = {id}")
        }
    };
    testing::query_text(db, &sql).await.unwrap()[0][0].clone().unwrap()
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

async fn count(db: &Db, table: &str) -> i64 {
    let rows = testing::query_text(db, &format!("SELECT CAST(COUNT(*) AS TEXT) FROM {table}")).await.unwrap();
    rows[0][0].as_deref().unwrap().parse().unwrap()
}

#[tokio::test]
async fn stored_sealed_read_back_equal_and_scoped() {
    for t in testing::all().await.unwrap() {
        let db = &t.db;
        let keys = KeyRing::generate();
        let p = place(db).await;
        let scope = Scope::Province(p.province);
        let id = new_site(db, &p.commune).await;
        let marker = "PLAINTEXT-MARKER-bien-ban-so-12";
        let pdf = format!("%PDF-1.4\n{marker}\n").into_bytes();
        let given = files(&[("ảnh hiện trường.png", png(marker)), ("C:\\tmp\\Quyết định.pdf", pdf.clone())]);
        let entry = NewEntry { actor: "cli".into(), action: "site.transition".into(), ..Default::default() };
        let done = sites::change_state_with_attachments(
            db,
            &keys,
            id,
            scope,
            &listed(),
            &given,
            None,
            &SiteParams::default(),
            Some(entry),
        )
        .await
        .unwrap();
        assert_eq!(done.attachment_ids.len(), 2);

        // The metadata lists without a key, tied to the step.
        let list = site_attachments::list_for_site(db, id, scope).await.unwrap();
        assert_eq!(list.len(), 2, "{}", db.backend().as_str());
        let history = sites::transitions(db, id).await.unwrap();
        assert_eq!(list[0].transition_id, Some(history[1].id));
        assert_eq!(list[0].transition_id, Some(done.transition_id));
        assert_eq!(list[0].file_name, "ảnh hiện trường.png");
        assert_eq!(list[0].content_type, "image/png");
        assert_eq!(list[0].size_bytes, png(marker).len() as i64);
        assert_eq!(list[0].sha256, diaban_vault::digest::sha256_hex(&png(marker)));
        assert_eq!(list[1].file_name, "Quyết định.pdf");
        assert_eq!(FileKind::from_mime(&list[1].content_type), Some(FileKind::Pdf));

        // The column holds the binary sealed form, never the plaintext.
        for a in &list {
            let raw = sealed_hex(db, a.id).await;
            assert!(raw.starts_with(&hex(b"DBV1")), "{raw}");
            assert!(!raw.contains(&hex(marker.as_bytes())), "plaintext found in the sealed column");
        }
        if let Backend::Sqlite = db.backend() {
            let path = t.url.trim_start_matches("sqlite://").to_owned();
            let mut bytes = std::fs::read(&path).unwrap();
            if let Ok(wal) = std::fs::read(format!("{path}-wal")) {
                bytes.extend(wal);
            }
            let needle = marker.as_bytes();
            assert!(!bytes.windows(needle.len()).any(|w| w == needle), "plaintext found in the SQLite file");
        }

        // Read back equal, within scope only, and only under its own site.
        let got = site_attachments::get(db, &keys, id, list[1].id, scope).await.unwrap().unwrap();
        assert_eq!(got.content, pdf);
        assert_eq!(got.meta, list[1]);
        let commune = Scope::Commune(p.commune.id);
        assert!(site_attachments::get(db, &keys, id, list[0].id, commune).await.unwrap().is_some());
        let other = Scope::Commune(p.other_commune.id);
        assert!(site_attachments::get(db, &keys, id, list[0].id, other).await.unwrap().is_none());
        assert!(site_attachments::list_for_site(db, id, other).await.unwrap().is_empty());
        let second = new_site(db, &p.commune).await;
        assert!(site_attachments::get(db, &keys, second, list[0].id, scope).await.unwrap().is_none());
        // Another key ring cannot open it.
        assert!(site_attachments::get(db, &KeyRing::generate(), id, list[0].id, scope).await.is_err());

        // The step and each file are audited in the same transaction.
        let (log, _) = audit::search(db, &AuditFilter { limit: 10, ..Default::default() }).await.unwrap();
        let mut actions: Vec<(&str, &str)> =
            log.iter().map(|e| (e.action.as_str(), e.target_type.as_str())).collect();
        actions.sort();
        assert_eq!(
            actions,
            [
                ("site.attachment.add", "site_attachment"),
                ("site.attachment.add", "site_attachment"),
                ("site.transition", "site")
            ]
        );
        t.cleanup().await;
    }
}

#[tokio::test]
async fn a_sealed_content_moved_to_another_row_does_not_open() {
    for t in testing::all().await.unwrap() {
        let db = &t.db;
        let keys = KeyRing::generate();
        let p = place(db).await;
        let scope = Scope::Province(p.province);
        let id = new_site(db, &p.commune).await;
        let given = files(&[("a.png", png("first")), ("b.png", png("second"))]);
        let done = sites::change_state_with_attachments(
            db,
            &keys,
            id,
            scope,
            &listed(),
            &given,
            None,
            &SiteParams::default(),
            None,
        )
        .await
        .unwrap();
        let [a, b] = done.attachment_ids[..] else { panic!("two ids") };
        // Someone with database access copies b's content over a's (and its digest too).
        testing::execute_raw(
            db,
            &format!(
                "UPDATE site_attachments SET content_sealed = (SELECT content_sealed FROM site_attachments WHERE id = {b}), \
                 sha256 = (SELECT sha256 FROM site_attachments WHERE id = {b}) WHERE id = {a}"
            ),
        )
        .await
        .unwrap();
        let err = site_attachments::get(db, &keys, id, a, scope).await.unwrap_err();
        assert!(err.to_string().contains(&format!("cannot open attachment {a}")), "{err}");
        assert!(site_attachments::get(db, &keys, id, b, scope).await.unwrap().is_some());
        t.cleanup().await;
    }
}

#[tokio::test]
async fn a_refused_step_writes_no_file_and_a_failed_file_no_step() {
    for t in testing::all().await.unwrap() {
        let db = &t.db;
        let keys = KeyRing::generate();
        let p = place(db).await;
        let scope = Scope::Province(p.province);
        let params = SiteParams::default();
        let id = new_site(db, &p.commune).await;
        let given = files(&[("a.png", png("x"))]);

        // An illegal step (reported → eliminated): refused, nothing written.
        let illegal = TransitionRequest { to: SiteState::Eliminated, on: d(2024, 2, 1), note: String::new() };
        let r =
            sites::change_state_with_attachments(db, &keys, id, scope, &illegal, &given, None, &params, None)
                .await;
        assert!(matches!(r, Err(ChangeError::Refused(_))), "{r:?}");
        // Out of scope: not found, nothing written.
        let other = Scope::Commune(p.other_commune.id);
        let r = sites::change_state_with_attachments(
            db,
            &keys,
            id,
            other,
            &listed(),
            &given,
            None,
            &params,
            None,
        )
        .await;
        assert!(matches!(r, Err(ChangeError::NotFound)), "{r:?}");
        assert_eq!(count(db, "site_attachments").await, 0);
        assert_eq!(sites::transitions(db, id).await.unwrap().len(), 1);

        // The database refuses the file (a trigger standing in for a full disk): the step
        // that came before it in the transaction is rolled back too.
        match db.backend() {
            Backend::Sqlite => {
                testing::execute_raw(
                    db,
                    "CREATE TRIGGER no_files BEFORE INSERT ON site_attachments \
                     BEGIN SELECT RAISE(ABORT, 'no room'); END",
                )
                .await
                .unwrap();
            }
            Backend::Postgres => {
                testing::execute_raw(
                    db,
                    "CREATE FUNCTION no_files() RETURNS trigger LANGUAGE plpgsql AS \
                     $$ BEGIN RAISE EXCEPTION 'no room'; END $$",
                )
                .await
                .unwrap();
                testing::execute_raw(
                    db,
                    "CREATE TRIGGER no_files BEFORE INSERT ON site_attachments \
                     FOR EACH ROW EXECUTE FUNCTION no_files()",
                )
                .await
                .unwrap();
            }
        }
        let entry = NewEntry { actor: "cli".into(), action: "site.transition".into(), ..Default::default() };
        let r = sites::change_state_with_attachments(
            db,
            &keys,
            id,
            scope,
            &listed(),
            &given,
            None,
            &params,
            Some(entry),
        )
        .await;
        assert!(matches!(r, Err(ChangeError::Db(_))), "{r:?}");
        let s = sites::get(db, id, scope).await.unwrap().unwrap();
        assert_eq!(s.state, SiteState::Reported);
        assert_eq!(sites::transitions(db, id).await.unwrap().len(), 1);
        assert_eq!(count(db, "site_attachments").await, 0);
        assert_eq!(audit::verify(db).await.unwrap().entries, 0);
        t.cleanup().await;
    }
}

#[tokio::test]
async fn key_rotation_reseals_attachments() {
    for t in testing::all().await.unwrap() {
        let db = &t.db;
        let old = KeyRing::generate();
        let p = place(db).await;
        let scope = Scope::Province(p.province);
        let id = new_site(db, &p.commune).await;
        let content = png("rotate me");
        let given = files(&[("a.png", content.clone())]);
        let done = sites::change_state_with_attachments(
            db,
            &old,
            id,
            scope,
            &listed(),
            &given,
            None,
            &SiteParams::default(),
            None,
        )
        .await
        .unwrap();
        let aid = done.attachment_ids[0];
        let new = old.rotate();
        persons::rotate_keys(db, &old, &new).await.unwrap();
        // Opens with the new key alone: the old one can be retired.
        let only_new = new.retire(old.active_key_id()).unwrap();
        let got = site_attachments::get(db, &only_new, id, aid, scope).await.unwrap().unwrap();
        assert_eq!(got.content, content);
        let raw = sealed_hex(db, aid).await;
        assert_eq!(&raw[8..16], format!("{:08x}", new.active_key_id()), "key id in the header");
        t.cleanup().await;
    }
}

//! Housekeeping of sessions and sign-in attempts, on every available engine.

use chrono::{Duration, Utc};
use diaban_domain::UnitLevel;
use diaban_domain::access::Role;
use diaban_store::users::{self, NewUser};
use diaban_store::{reference, sessions, testing, units};

#[tokio::test]
async fn expired_sessions_and_old_attempts_are_removed_and_nothing_else() {
    for t in testing::all().await.unwrap() {
        let db = &t.db;
        reference::load_units(db).await.unwrap();
        let today = chrono::NaiveDate::from_ymd_opt(2026, 1, 1).unwrap();
        let qn = units::by_code(db, "51", Some(UnitLevel::Province), today).await.unwrap().unwrap();
        let user = users::create(
            db,
            &NewUser {
                username: "pc04".into(),
                display_name: "PC04".into(),
                password_hash: "x".into(),
                role: Role::ProvinceOfficer,
                unit_id: qn.id,
                must_change_password: false,
            },
        )
        .await
        .unwrap();
        let now = Utc::now();
        sessions::create(db, "live", user, now, now + Duration::hours(1), false).await.unwrap();
        sessions::create(db, "ended", user, now, now - Duration::minutes(1), false).await.unwrap();
        // Idle since before the cutoff: removed.
        sessions::create(db, "idle", user, now, now + Duration::hours(1), false).await.unwrap();
        sessions::touch(db, "idle", now - Duration::hours(2)).await.unwrap();
        let removed = sessions::purge_expired(db, now, now - Duration::minutes(30)).await.unwrap();
        assert_eq!(removed, 2);
        assert!(sessions::get(db, "live").await.unwrap().is_some());
        assert!(sessions::get(db, "ended").await.unwrap().is_none());
        assert!(sessions::get(db, "idle").await.unwrap().is_none());

        sessions::record_attempt(db, "pc04", "10.0.0.1", false, diaban_store::now()).await.unwrap();
        assert_eq!(sessions::purge_attempts_before(db, now - Duration::days(30)).await.unwrap(), 0);
        assert_eq!(
            sessions::username_failures_since(db, "pc04", now - Duration::minutes(5)).await.unwrap(),
            1
        );
        assert_eq!(sessions::purge_attempts_before(db, Utc::now() + Duration::seconds(1)).await.unwrap(), 1);
        assert_eq!(
            sessions::username_failures_since(db, "pc04", now - Duration::minutes(5)).await.unwrap(),
            0
        );
        t.cleanup().await;
    }
}

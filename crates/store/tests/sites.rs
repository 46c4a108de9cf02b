//! The sites repository on every available engine (SQLite always; PostgreSQL when
//! TEST_DATABASE_URL is set): creation with its audit entry, scope, filters, the
//! lifecycle with its checks, nearby sites and the histories behind T1/T2.

use chrono::NaiveDate;
use diaban_domain::UnitLevel;
use diaban_domain::site::{LatLon, SiteKind, SiteParams, SiteState, site_counts};
use diaban_store::audit::{self, NewEntry};
use diaban_store::persons::Scope;
use diaban_store::sites::{
    self, ChangeError, CheckOutcome, CheckReport, NewSite, SiteFilter, TransitionRequest,
};
use diaban_store::units::{self, Unit};
use diaban_store::{Db, reference, testing};

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

async fn commune(db: &Db, code: &str, on: NaiveDate) -> Unit {
    units::by_code(db, code, Some(UnitLevel::Commune), on).await.unwrap().unwrap()
}

fn new_site(unit: &Unit, name: &str, lat: f64, lon: f64) -> NewSite {
    NewSite {
        kind: SiteKind::Point,
        hot_spot: false,
        name: name.into(),
        description: String::new(),
        address: String::new(),
        unit_id: unit.id,
        location: LatLon::new(lat, lon).unwrap(),
        business_ref: None,
        found_how: "tin báo quần chúng".into(),
        responsible_user_id: None,
        state: SiteState::Reported,
        on: d(2024, 1, 10),
        note: String::new(),
    }
}

fn req(to: SiteState, on: NaiveDate) -> TransitionRequest {
    TransitionRequest { to, on, note: format!("-> {to}") }
}

/// The province of Quảng Ngãi and one of its current communes, and a legacy Kon Tum
/// commune that went into Quảng Ngãi.
struct Place {
    province: i64,
    commune: Unit,
    other_commune: Unit,
    legacy: Unit,
}

async fn place(db: &Db) -> Place {
    reference::load_units(db).await.unwrap();
    let qn = units::by_code(db, "51", Some(UnitLevel::Province), d(2026, 1, 1)).await.unwrap().unwrap();
    let communes = units::children(db, qn.id).await.unwrap();
    let legacy = commune(db, "23281", d(2024, 1, 1)).await;
    assert!(legacy.is_legacy());
    Place { province: qn.id, commune: communes[0].clone(), other_commune: communes[1].clone(), legacy }
}

#[tokio::test]
async fn creates_with_audit_and_reads_within_scope_only() {
    for t in testing::all().await.unwrap() {
        let db = &t.db;
        let p = place(db).await;
        let entry = NewEntry { actor: "cli".into(), action: "site.create".into(), ..Default::default() };
        let id = sites::create(db, &new_site(&p.commune, "Điểm A", 15.12, 108.80), None, Some(entry))
            .await
            .unwrap();
        let s = sites::get(db, id, Scope::Province(p.province)).await.unwrap().unwrap();
        assert_eq!((s.name.as_str(), s.state, s.kind), ("Điểm A", SiteState::Reported, SiteKind::Point));
        assert_eq!(s.state_since, d(2024, 1, 10));
        assert!(sites::get(db, id, Scope::Commune(p.commune.id)).await.unwrap().is_some());
        assert!(sites::get(db, id, Scope::Commune(p.other_commune.id)).await.unwrap().is_none());
        let log = audit::verify(db).await.unwrap();
        assert_eq!(log.entries, 1);
        assert!(log.first_problem.is_none());
        let history = sites::transitions(db, id).await.unwrap();
        assert_eq!(history.len(), 1);
        assert_eq!(history[0].from_state, None);
        assert_eq!(history[0].to_state, "reported");

        // A legacy Kon Tum commune counts towards Quảng Ngãi and its successor commune.
        let lid = sites::create(db, &new_site(&p.legacy, "Điểm cũ", 14.35, 108.0), None, None).await.unwrap();
        let s = sites::get(db, lid, Scope::Province(p.province)).await.unwrap().unwrap();
        assert!(s.unit_legacy);
        let successor = p.legacy.scope_commune_id.unwrap();
        assert!(sites::get(db, lid, Scope::Commune(successor)).await.unwrap().is_some());
        let (by_unit, n) = sites::list(
            db,
            Scope::Province(p.province),
            &SiteFilter { unit_id: Some(successor), ..Default::default() },
        )
        .await
        .unwrap();
        assert_eq!((n, by_unit[0].id), (1, lid));

        // Bad input writes nothing.
        let mut bad = new_site(&p.commune, "X", 15.1, 108.8);
        bad.state = SiteState::Eliminated;
        assert!(sites::create(db, &bad, None, None).await.is_err());
        let mut bad = new_site(&p.commune, "  ", 15.1, 108.8);
        bad.state = SiteState::Listed;
        assert!(sites::create(db, &bad, None, None).await.is_err());
        let mut bad = new_site(&p.commune, "Y", 15.1, 108.8);
        bad.unit_id = 99_999_999;
        assert!(sites::create(db, &bad, None, None).await.is_err());
        let (_, n) = sites::list(db, Scope::Province(p.province), &SiteFilter::default()).await.unwrap();
        assert_eq!(n, 2);
        t.cleanup().await;
    }
}

#[tokio::test]
async fn lifecycle_schedules_checks_and_reforms_on_activity() {
    for t in testing::all().await.unwrap() {
        let db = &t.db;
        let p = place(db).await;
        let scope = Scope::Province(p.province);
        let params = SiteParams::default();
        let id =
            sites::create(db, &new_site(&p.commune, "Tụ điểm B", 15.12, 108.80), None, None).await.unwrap();

        // An illegal step is refused with the allowed targets, and nothing is written.
        match sites::change_state(
            db,
            id,
            scope,
            &req(SiteState::Eliminated, d(2024, 2, 1)),
            None,
            &params,
            None,
        )
        .await
        {
            Err(ChangeError::Refused(e)) => {
                assert_eq!(e.allowed(), &[SiteState::Listed, SiteState::Dismissed]);
            }
            other => panic!("expected a refusal, got {other:?}"),
        }
        // A date before the current state's is refused.
        let early =
            sites::change_state(db, id, scope, &req(SiteState::Listed, d(2023, 12, 1)), None, &params, None)
                .await;
        assert!(matches!(early, Err(ChangeError::Invalid(_))), "{early:?}");
        // Out of scope is not found.
        let other = Scope::Commune(p.other_commune.id);
        let hidden =
            sites::change_state(db, id, other, &req(SiteState::Listed, d(2024, 2, 1)), None, &params, None)
                .await;
        assert!(matches!(hidden, Err(ChangeError::NotFound)), "{hidden:?}");
        assert_eq!(sites::transitions(db, id).await.unwrap().len(), 1);

        for (to, on) in [
            (SiteState::Listed, d(2024, 2, 1)),
            (SiteState::UnderAction, d(2024, 3, 1)),
            (SiteState::Eliminated, d(2024, 5, 31)),
        ] {
            sites::change_state(db, id, scope, &req(to, on), None, &params, None).await.unwrap();
        }
        assert!(sites::checks(db, id).await.unwrap().is_empty());
        let entry = NewEntry { actor: "cli".into(), action: "site.transition".into(), ..Default::default() };
        sites::change_state(
            db,
            id,
            scope,
            &req(SiteState::Monitoring, d(2024, 6, 3)),
            None,
            &params,
            Some(entry),
        )
        .await
        .unwrap();
        let checks = sites::checks(db, id).await.unwrap();
        assert_eq!(checks.len(), 12);
        // Counted from the elimination on 31 May, clamped to month ends.
        assert_eq!(checks[0].due_on, d(2024, 6, 30));
        assert_eq!(checks[1].due_on, d(2024, 7, 31));
        assert_eq!(checks[11].due_on, d(2025, 5, 31));

        // Due and overdue checks, and the overdue filter.
        let due = sites::due_checks(db, scope, d(2024, 8, 1), None).await.unwrap();
        assert_eq!(due.len(), 2);
        assert_eq!(due[0].site_id, id);
        assert!(sites::due_checks(db, other, d(2024, 8, 1), None).await.unwrap().is_empty());
        let overdue = SiteFilter { overdue_on: Some(d(2024, 7, 1)), ..Default::default() };
        assert_eq!(sites::list(db, scope, &overdue).await.unwrap().1, 1);
        let not_yet = SiteFilter { overdue_on: Some(d(2024, 6, 30)), ..Default::default() };
        assert_eq!(sites::list(db, scope, &not_yet).await.unwrap().1, 0);

        // A quiet check completes the first pending one.
        let quiet = CheckReport { on: d(2024, 7, 2), outcome: CheckOutcome::NoActivity, note: "ổn".into() };
        let c1 = sites::record_check(db, id, scope, &quiet, None, &params, None).await.unwrap();
        assert_eq!(c1, checks[0].id);
        assert_eq!(sites::list(db, scope, &overdue).await.unwrap().1, 0);

        // Activity re-forms the site and drops the pending checks.
        let seen =
            CheckReport { on: d(2024, 8, 5), outcome: CheckOutcome::Activity, note: "có tụ tập".into() };
        sites::record_check(db, id, scope, &seen, None, &params, None).await.unwrap();
        let s = sites::get(db, id, scope).await.unwrap().unwrap();
        assert_eq!((s.state, s.state_since), (SiteState::Reformed, d(2024, 8, 5)));
        let after = sites::checks(db, id).await.unwrap();
        assert_eq!(after.len(), 2);
        assert!(after.iter().all(|c| c.done_on.is_some()));
        assert_eq!(after[1].outcome.as_deref(), Some("activity"));

        // A check on a site not under monitoring is refused.
        let again = sites::record_check(db, id, scope, &quiet, None, &params, None).await;
        assert!(matches!(again, Err(ChangeError::Invalid(_))), "{again:?}");

        let states: Vec<String> =
            sites::transitions(db, id).await.unwrap().into_iter().map(|t| t.to_state).collect();
        assert_eq!(
            states,
            ["reported", "listed", "under_action", "eliminated", "monitoring", "reformed"].map(String::from)
        );
        assert_eq!(audit::verify(db).await.unwrap().entries, 1);
        t.cleanup().await;
    }
}

#[tokio::test]
async fn filters_nearby_and_counts() {
    for t in testing::all().await.unwrap() {
        let db = &t.db;
        let p = place(db).await;
        let scope = Scope::Province(p.province);
        let params = SiteParams::default();
        let a = sites::create(db, &new_site(&p.commune, "A", 15.1200, 108.8000), None, None).await.unwrap();
        let mut hot = new_site(&p.commune, "B", 15.1210, 108.8000);
        hot.kind = SiteKind::Cluster;
        hot.hot_spot = true;
        hot.state = SiteState::Listed;
        hot.on = d(2024, 1, 1);
        let b = sites::create(db, &hot, None, None).await.unwrap();
        let mut risk = new_site(&p.other_commune, "C", 15.2, 108.9);
        risk.kind = SiteKind::RiskPoint;
        risk.state = SiteState::Listed;
        let c = sites::create(db, &risk, None, None).await.unwrap();

        let ids = |v: Vec<sites::Site>| v.into_iter().map(|s| s.id).collect::<Vec<_>>();
        let f = SiteFilter { hot_spot: Some(true), ..Default::default() };
        assert_eq!(ids(sites::list(db, scope, &f).await.unwrap().0), vec![b]);
        let f = SiteFilter { kind: Some(SiteKind::RiskPoint), ..Default::default() };
        assert_eq!(ids(sites::list(db, scope, &f).await.unwrap().0), vec![c]);
        let f = SiteFilter { state: Some(SiteState::Reported), ..Default::default() };
        assert_eq!(ids(sites::list(db, scope, &f).await.unwrap().0), vec![a]);
        let f = SiteFilter { unit_id: Some(p.other_commune.id), ..Default::default() };
        assert_eq!(ids(sites::list(db, scope, &f).await.unwrap().0), vec![c]);
        let f = SiteFilter { limit: 2, offset: 0, ..Default::default() };
        let (page, total) = sites::list(db, scope, &f).await.unwrap();
        assert_eq!((ids(page), total), (vec![c, b], 3));
        let (mine, _) = sites::list(db, Scope::Commune(p.commune.id), &SiteFilter::default()).await.unwrap();
        assert_eq!(ids(mine), vec![b, a]);

        // B is about 111 m north of A; C is far away.
        let near = sites::nearby(db, LatLon::new(15.1200, 108.8000).unwrap(), 200.0).await.unwrap();
        assert_eq!(near.iter().map(|n| n.id).collect::<Vec<_>>(), vec![a, b]);
        assert!(near[0].distance_m < 1.0);
        assert!((near[1].distance_m - 111.2).abs() < 1.0, "{}", near[1].distance_m);
        let near = sites::nearby(db, LatLon::new(15.1200, 108.8000).unwrap(), 100.0).await.unwrap();
        assert_eq!(near.len(), 1);

        // T1/T2: the hot spot is eliminated after the baseline.
        for (to, on) in [(SiteState::UnderAction, d(2024, 3, 1)), (SiteState::Eliminated, d(2024, 6, 1))] {
            sites::change_state(db, b, scope, &req(to, on), None, &params, None).await.unwrap();
        }
        sites::change_state(db, a, scope, &req(SiteState::Listed, d(2024, 2, 1)), None, &params, None)
            .await
            .unwrap();
        let histories = sites::site_histories(db, scope).await.unwrap();
        assert_eq!(histories.len(), 3);
        assert!(histories.iter().all(|h| h.check().is_ok()));
        let counts = site_counts(&histories, d(2024, 12, 31), d(2024, 1, 31));
        assert_eq!(counts.active_points_and_clusters, 1, "A listed; B eliminated; C is a risk point");
        assert_eq!(counts.hot_spots_at_baseline, 1);
        assert_eq!(counts.hot_spots_eliminated_since_baseline, 1);
        let theirs = sites::site_histories(db, Scope::Commune(p.other_commune.id)).await.unwrap();
        assert_eq!(theirs.len(), 1);
        t.cleanup().await;
    }
}

#[tokio::test]
async fn create_many_is_all_or_nothing() {
    for t in testing::all().await.unwrap() {
        let db = &t.db;
        let p = place(db).await;
        let scope = Scope::Province(p.province);
        let mut broken = new_site(&p.commune, "B", 15.13, 108.81);
        broken.unit_id = 99_999_999;
        let list = [new_site(&p.commune, "A", 15.12, 108.80), broken, new_site(&p.legacy, "C", 14.35, 108.0)];
        assert!(sites::create_many(db, &list, None, None).await.is_err());
        assert_eq!(sites::list(db, scope, &SiteFilter::default()).await.unwrap().1, 0);
        assert!(sites::site_histories(db, scope).await.unwrap().is_empty());

        let entry = NewEntry { actor: "cli".into(), action: "site.import".into(), ..Default::default() };
        let ok = [new_site(&p.commune, "A", 15.12, 108.80), new_site(&p.legacy, "C", 14.35, 108.0)];
        let ids = sites::create_many(db, &ok, None, Some(entry)).await.unwrap();
        assert_eq!(ids.len(), 2);
        assert_eq!(sites::list(db, scope, &SiteFilter::default()).await.unwrap().1, 2);
        assert_eq!(audit::verify(db).await.unwrap().entries, 1);
        t.cleanup().await;
    }
}

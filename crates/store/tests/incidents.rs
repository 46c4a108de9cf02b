//! Incidents, the re-formation alerts they raise, persons linked to sites, site edits and
//! effective-dated parameters, on every available engine.

use chrono::NaiveDate;
use diaban_domain::UnitLevel;
use diaban_domain::incident::IncidentKind;
use diaban_domain::site::{LatLon, SiteKind, SiteParams, SiteState, SubjectRole};
use diaban_store::audit::{self, NewEntry};
use diaban_store::incidents::{self, DecideError, IncidentFilter, NewIncident};
use diaban_store::persons::Scope;
use diaban_store::sites::{self, ChangeError, NewSite, TransitionRequest};
use diaban_store::units::{self, Unit};
use diaban_store::{Db, parameters, reference, site_links, testing};

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

async fn communes(db: &Db) -> (i64, Unit, Unit) {
    reference::load_units(db).await.unwrap();
    let qn = units::by_code(db, "51", Some(UnitLevel::Province), d(2026, 1, 1)).await.unwrap().unwrap();
    let c = units::children(db, qn.id).await.unwrap();
    (qn.id, c[0].clone(), c[1].clone())
}

fn entry(action: &str) -> Option<NewEntry> {
    Some(NewEntry { actor: "cli".into(), action: action.into(), ..Default::default() })
}

/// A site at (15.1200, 108.8000) eliminated on 2026-02-01 and under monitoring since
/// 2026-02-02.
async fn monitored_site(db: &Db, unit: &Unit) -> i64 {
    let s = NewSite {
        kind: SiteKind::Point,
        hot_spot: true,
        name: "Điểm bờ sông".into(),
        description: String::new(),
        address: String::new(),
        unit_id: unit.id,
        location: LatLon::new(15.12, 108.80).unwrap(),
        business_ref: None,
        found_how: String::new(),
        responsible_user_id: None,
        state: SiteState::Listed,
        on: d(2025, 10, 1),
        note: String::new(),
    };
    let id = sites::create(db, &s, None, None).await.unwrap();
    let params = SiteParams::default();
    for (to, on) in [
        (SiteState::UnderAction, d(2025, 11, 1)),
        (SiteState::Eliminated, d(2026, 2, 1)),
        (SiteState::Monitoring, d(2026, 2, 2)),
    ] {
        let r = TransitionRequest { to, on, note: "x".into() };
        sites::change_state(db, id, Scope::Commune(unit.id), &r, None, &params, None).await.unwrap();
    }
    id
}

fn incident(unit: &Unit, lat: f64, lon: f64, on: NaiveDate) -> NewIncident {
    NewIncident {
        kind: IncidentKind::SyringeFind,
        on,
        location: LatLon::new(lat, lon).unwrap(),
        unit_id: unit.id,
        source: "manual".into(),
        note: String::new(),
    }
}

#[tokio::test]
async fn incidents_near_a_monitored_site_raise_alerts_that_are_decided_once() {
    for t in testing::all().await.unwrap() {
        let db = &t.db;
        let (province, c1, c2) = communes(db).await;
        let site = monitored_site(db, &c1).await;
        // ~111 m north: inside 200 m. ~330 m: outside. Inside but before the monitoring
        // began: no alert.
        let list = [
            incident(&c1, 15.121, 108.80, d(2026, 3, 5)),
            incident(&c1, 15.123, 108.80, d(2026, 3, 5)),
            incident(&c1, 15.1201, 108.80, d(2026, 1, 5)),
        ];
        let rec = incidents::record_many(db, &list, 200.0, None, entry("incident.create")).await.unwrap();
        assert_eq!(rec.ids.len(), 3);
        assert_eq!(rec.alerts.len(), 1);
        let alerts = incidents::alerts_for_site(db, site).await.unwrap();
        assert_eq!(alerts.len(), 1);
        assert_eq!(alerts[0].incident_id, rec.ids[0]);
        assert!((alerts[0].distance_m - 111.2).abs() < 1.0, "{}", alerts[0].distance_m);
        assert_eq!(incidents::open_alerts(db, Scope::Province(province)).await.unwrap().len(), 1);
        assert!(incidents::open_alerts(db, Scope::Commune(c2.id)).await.unwrap().is_empty());
        // Out of scope: not found; then dismissed once.
        let err = incidents::decide(db, alerts[0].id, Scope::Commune(c2.id), false, "", None, None).await;
        assert!(matches!(err, Err(DecideError::NotFound)));
        let done = incidents::decide(
            db,
            alerts[0].id,
            Scope::Commune(c1.id),
            false,
            "người đi đường",
            None,
            entry("site.alert.dismiss"),
        )
        .await
        .unwrap();
        assert_eq!(done.status, "dismissed");
        let again = incidents::decide(db, alerts[0].id, Scope::Commune(c1.id), true, "", None, None).await;
        assert!(matches!(again, Err(DecideError::AlreadyDecided(_))));
        // Lists are scoped and filtered.
        let (mine, total) =
            incidents::list(db, Scope::Commune(c1.id), &IncidentFilter::default()).await.unwrap();
        assert_eq!((mine.len(), total), (3, 3));
        let (_, none) = incidents::list(db, Scope::Commune(c2.id), &IncidentFilter::default()).await.unwrap();
        assert_eq!(none, 0);
        let f = IncidentFilter { from: Some(d(2026, 3, 1)), limit: 1, ..Default::default() };
        let (page, total) = incidents::list(db, Scope::Province(province), &f).await.unwrap();
        assert_eq!((page.len(), total), (1, 2));
        let log = audit::verify(db).await.unwrap();
        assert_eq!(log.entries, 2);
        t.cleanup().await;
    }
}

#[tokio::test]
async fn a_failed_batch_writes_no_incident_and_no_alert() {
    for t in testing::all().await.unwrap() {
        let db = &t.db;
        let (province, c1, _) = communes(db).await;
        let site = monitored_site(db, &c1).await;
        let mut bad = incident(&c1, 15.121, 108.80, d(2026, 3, 5));
        bad.unit_id = 999_999_999; // no such unit: the foreign key fails the batch
        let list = [incident(&c1, 15.121, 108.80, d(2026, 3, 5)), bad];
        assert!(incidents::record_many(db, &list, 200.0, None, None).await.is_err());
        let (_, total) =
            incidents::list(db, Scope::Province(province), &IncidentFilter::default()).await.unwrap();
        assert_eq!(total, 0);
        assert!(incidents::alerts_for_site(db, site).await.unwrap().is_empty());
        t.cleanup().await;
    }
}

#[tokio::test]
async fn edits_are_scoped_and_refuse_a_stale_form() {
    for t in testing::all().await.unwrap() {
        let db = &t.db;
        let (_, c1, c2) = communes(db).await;
        let id = monitored_site(db, &c1).await;
        let before = sites::get(db, id, Scope::Commune(c1.id)).await.unwrap().unwrap();
        let edit = NewSite {
            kind: SiteKind::Cluster,
            hot_spot: false,
            name: "Tụ điểm bờ sông".into(),
            description: "sửa".into(),
            address: "thôn 3".into(),
            unit_id: c1.id,
            location: LatLon::new(15.1205, 108.8001).unwrap(),
            business_ref: Some("GCN-12".into()),
            found_how: "tuần tra".into(),
            responsible_user_id: None,
            // Not used by an edit: the state stays monitoring.
            state: SiteState::Reported,
            on: d(2020, 1, 1),
            note: "ignored".into(),
        };
        let other = sites::update(db, id, Scope::Commune(c2.id), &edit, None, None).await;
        assert!(matches!(other, Err(ChangeError::NotFound)));
        sites::update(db, id, Scope::Commune(c1.id), &edit, Some(before.updated_at), entry("site.update"))
            .await
            .unwrap();
        let after = sites::get(db, id, Scope::Commune(c1.id)).await.unwrap().unwrap();
        assert_eq!(
            (after.name.as_str(), after.kind, after.state),
            ("Tụ điểm bờ sông", SiteKind::Cluster, SiteState::Monitoring)
        );
        assert_eq!(after.business_ref.as_deref(), Some("GCN-12"));
        // A second edit from the same (now stale) form is refused.
        let stale = sites::update(db, id, Scope::Commune(c1.id), &edit, Some(before.updated_at), None).await;
        assert!(matches!(stale, Err(ChangeError::Concurrent)));
        t.cleanup().await;
    }
}

#[tokio::test]
async fn parameters_apply_from_their_date() {
    for t in testing::all().await.unwrap() {
        let db = &t.db;
        reference::load_units(db).await.unwrap();
        let p: SiteParams = parameters::in_force(db, "sites", d(2026, 1, 1)).await.unwrap();
        assert_eq!(p, SiteParams::default());
        let changed =
            SiteParams { monitoring_months: 6, reformation_radius_m: 300.0, ..SiteParams::default() };
        parameters::set(db, "sites", &changed, d(2026, 6, 1), None, "quyết định 12", entry("parameters.set"))
            .await
            .unwrap();
        let before: SiteParams = parameters::in_force(db, "sites", d(2026, 5, 31)).await.unwrap();
        let after: SiteParams = parameters::in_force(db, "sites", d(2026, 6, 1)).await.unwrap();
        assert_eq!(before, SiteParams::default());
        assert_eq!(after, changed);
        // The same day again replaces the value; history keeps one row per day.
        let again = SiteParams { monitoring_months: 9, ..changed.clone() };
        parameters::set(db, "sites", &again, d(2026, 6, 1), None, "", None).await.unwrap();
        let h = parameters::history(db, "sites").await.unwrap();
        assert_eq!(h.len(), 1);
        let now: SiteParams = parameters::in_force(db, "sites", d(2027, 1, 1)).await.unwrap();
        assert_eq!(now.monitoring_months, 9);
        t.cleanup().await;
    }
}

#[tokio::test]
async fn linked_persons_say_whether_the_reader_reaches_them() {
    use diaban_store::persons::{self, NewPerson};
    for t in testing::all().await.unwrap() {
        let db = &t.db;
        let (province, c1, c2) = communes(db).await;
        let keys = diaban_vault::KeyRing::generate();
        let site = monitored_site(db, &c1).await;
        let person = NewPerson {
            residence_unit_id: c2.id,
            sex: "male".into(),
            birth_year: 1990,
            ethnicity: "Kinh".into(),
            id_number: None,
            full_name: "Nguyễn Văn A".into(),
            birth_date: None,
            address: None,
            phone: None,
            notes: None,
        };
        let persons::Created::New(pid) = persons::create(db, &keys, &person, None).await.unwrap() else {
            panic!("a new record")
        };
        site_links::link(db, site, pid, SubjectRole::Dealer, None, entry("site.link_person")).await.unwrap();
        site_links::link(db, site, pid, SubjectRole::Owner, None, None).await.unwrap();
        let seen = site_links::linked(db, site, Some(Scope::Commune(c1.id))).await.unwrap();
        assert_eq!(seen.len(), 1);
        assert_eq!(seen[0].role, SubjectRole::Owner);
        assert!(!seen[0].in_scope, "the person lives in another commune");
        assert!(site_links::linked(db, site, Some(Scope::Province(province))).await.unwrap()[0].in_scope);
        assert_eq!(site_links::sites_of(db, pid).await.unwrap(), vec![site]);
        assert!(site_links::unlink(db, site, pid, None).await.unwrap());
        assert!(!site_links::unlink(db, site, pid, None).await.unwrap());
        t.cleanup().await;
    }
}

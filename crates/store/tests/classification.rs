//! The classification store on every available engine: manual inputs with who and when,
//! the registry counts (sites active at the statistical year's end, persons, population),
//! and recomputing, which replaces the stored result while a change of thresholds leaves
//! it alone.

use chrono::NaiveDate;
use diaban_domain::UnitLevel;
use diaban_domain::classification::{CommuneClass, CriteriaVersion, Thresholds};
use diaban_domain::site::{LatLon, SiteKind, SiteParams, SiteState};
use diaban_store::audit::{self, AuditFilter, NewEntry};
use diaban_store::classification::{self as cls, Commune, InputSource, SourcedInput};
use diaban_store::persons::{self, NewPerson, Scope};
use diaban_store::population::{self, Population};
use diaban_store::sites::{self, NewSite, TransitionRequest};
use diaban_store::units;
use diaban_store::{Db, parameters, person_records, reference, testing};

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

/// Quảng Ngãi and two of its current communes.
async fn place(db: &Db) -> (i64, Commune, Commune) {
    reference::load_units(db).await.unwrap();
    let qn = units::by_code(db, "51", Some(UnitLevel::Province), d(2026, 1, 1)).await.unwrap().unwrap();
    let all = cls::communes(db, Scope::Province(qn.id)).await.unwrap();
    assert!(all.len() > 90, "{}", all.len());
    (qn.id, all[0].clone(), all[1].clone())
}

async fn site(db: &Db, c: &Commune, kind: SiteKind, listed: NaiveDate, eliminated: Option<NaiveDate>) {
    let new = NewSite {
        kind,
        hot_spot: false,
        name: "Điểm thử".into(),
        description: String::new(),
        address: String::new(),
        unit_id: c.id,
        location: LatLon::new(c.lat.unwrap(), c.lon.unwrap()).unwrap(),
        business_ref: None,
        found_how: String::new(),
        responsible_user_id: None,
        state: SiteState::Listed,
        on: listed,
        note: String::new(),
    };
    let id = sites::create(db, &new, None, None).await.unwrap();
    if let Some(on) = eliminated {
        let scope = Scope::Commune(c.id);
        for to in [SiteState::UnderAction, SiteState::Eliminated] {
            let req = TransitionRequest { to, on, note: String::new() };
            sites::change_state(db, id, scope, &req, None, &SiteParams::default(), None).await.unwrap();
        }
    }
}

fn input<'a>(list: &'a [SourcedInput], field: &str) -> &'a SourcedInput {
    list.iter().find(|i| i.field == field).unwrap()
}

fn entry(action: &str) -> Option<NewEntry> {
    Some(NewEntry { actor: "cli".into(), action: action.into(), ..Default::default() })
}

#[tokio::test]
async fn registry_counts_take_the_state_at_the_end_of_14_december() {
    for t in testing::all().await.unwrap() {
        let db = &t.db;
        let (province, a, b) = place(db).await;
        let scope = Scope::Province(province);
        // Active at the end of 2025: a point and a cluster listed in 2025. Eliminated on
        // 14/12/2025 (inside the year): not active. Eliminated on 15/12/2025 (the next
        // statistical year): still active in 2025. Listed on 15/12/2025: not yet.
        site(db, &a, SiteKind::Point, d(2025, 3, 1), None).await;
        site(db, &a, SiteKind::Cluster, d(2025, 3, 1), None).await;
        site(db, &a, SiteKind::Point, d(2025, 3, 1), Some(d(2025, 12, 14))).await;
        site(db, &a, SiteKind::Cluster, d(2025, 3, 1), Some(d(2025, 12, 15))).await;
        site(db, &a, SiteKind::Point, d(2025, 12, 15), None).await;
        // A risk point is not a place organising use.
        site(db, &a, SiteKind::RiskPoint, d(2025, 3, 1), None).await;
        population::upsert_all(
            db,
            &[Population { unit_id: a.id, year: 2025, population: 8000, source: "test".into() }],
        )
        .await
        .unwrap();
        let keys = diaban_vault::KeyRing::generate();
        // Three residents: one under management during statistical year 2025, one from
        // January 2026 (year 2026 only), one with a record but no measure (never counted).
        let starts = [Some(d(2025, 3, 1)), Some(d(2026, 1, 10)), None];
        for (n, (name, start)) in
            ["Nguyễn Văn Một", "Trần Thị Hai", "Lê Văn Ba"].into_iter().zip(starts).enumerate()
        {
            let p = NewPerson {
                residence_unit_id: a.id,
                sex: "male".into(),
                birth_year: 1990,
                ethnicity: "Kinh".into(),
                id_number: Some(format!("05109000000{n}")),
                full_name: name.into(),
                birth_date: None,
                address: None,
                phone: None,
                notes: None,
            };
            let id = match persons::create(db, &keys, &p, None).await.unwrap() {
                persons::Created::New(id) | persons::Created::Existing(id) => id,
            };
            if let Some(start) = start {
                let e = person_records::NewEpisode {
                    kind: diaban_domain::person::EpisodeKind::UserManagement,
                    decision_number: "01/QĐ".into(),
                    decision_date: start,
                    signer: "Chủ tịch UBND xã".into(),
                    start,
                    term_months: None,
                    actual_end: None,
                    end_reason: None,
                    criteria_met: None,
                    place: String::new(),
                };
                let entry = NewEntry { actor: "cli".into(), action: "e".into(), ..Default::default() };
                person_records::add_episode(db, id, &e, None, entry).await.unwrap().unwrap();
            }
        }

        let now = cls::current_inputs(db, scope, &[a.id, b.id], 2025).await.unwrap();
        let ia = &now[&a.id];
        assert_eq!(input(ia, "places_organising_use").value, Some(3.0), "{}: {ia:?}", db.backend().as_str());
        assert_eq!(input(ia, "clusters").value, Some(2.0));
        assert_eq!(input(ia, "population").value, Some(8000.0));
        assert_eq!(input(ia, "population").source, InputSource::Registry);
        // A management record is a measure running in the statistical year: one in 2025
        // (the 2026 one starts after 14/12/2025), both in 2026, never the bare record.
        assert_eq!(input(ia, "persons_with_records").value, Some(1.0));
        let later = cls::current_inputs(db, scope, &[a.id], 2026).await.unwrap();
        assert_eq!(input(&later[&a.id], "persons_with_records").value, Some(2.0));
        // Manual-only fields are missing until entered; the other commune counts nothing.
        assert_eq!(input(ia, "offenders_arrested").source, InputSource::Missing);
        let ib = &now[&b.id];
        assert_eq!(input(ib, "places_organising_use").value, Some(0.0));
        assert_eq!(input(ib, "population").source, InputSource::Missing);
        // A commune officer's scope sees only their commune's sites.
        let own = cls::current_inputs(db, Scope::Commune(b.id), &[b.id], 2025).await.unwrap();
        assert_eq!(input(&own[&b.id], "places_organising_use").value, Some(0.0));
        t.cleanup().await;
    }
}

#[tokio::test]
async fn manual_inputs_override_clear_and_are_audited() {
    for t in testing::all().await.unwrap() {
        let db = &t.db;
        let (province, a, _) = place(db).await;
        let scope = Scope::Province(province);
        cls::set_manual(
            db,
            &a,
            2025,
            &[("offenders_arrested", Some(12.0)), ("places_organising_use", Some(4.0))],
            None,
            entry("classification.inputs"),
        )
        .await
        .unwrap();
        let now = cls::current_inputs(db, scope, &[a.id], 2025).await.unwrap();
        let p = input(&now[&a.id], "places_organising_use");
        assert_eq!((p.value, p.source, p.registry_value), (Some(4.0), InputSource::Manual, Some(0.0)));
        assert!(p.entered_at.is_some());
        assert_eq!(input(&now[&a.id], "offenders_arrested").value, Some(12.0));
        // Clearing brings the registry count back.
        cls::set_manual(db, &a, 2025, &[("places_organising_use", None)], None, None).await.unwrap();
        let now = cls::current_inputs(db, scope, &[a.id], 2025).await.unwrap();
        assert_eq!(input(&now[&a.id], "places_organising_use").source, InputSource::Registry);
        // An unknown field writes nothing.
        assert!(cls::set_manual(db, &a, 2025, &[("bogus", Some(1.0))], None, None).await.is_err());
        let f =
            AuditFilter { action_prefix: Some("classification.".into()), limit: 10, ..Default::default() };
        let (log, _) = audit::search(db, &f).await.unwrap();
        assert_eq!(log.len(), 1);
        assert_eq!(log[0].target_id, format!("{}/2025", a.code));
        t.cleanup().await;
    }
}

#[tokio::test]
async fn recompute_replaces_the_result_and_thresholds_changes_do_not_touch_it() {
    for t in testing::all().await.unwrap() {
        let db = &t.db;
        let (province, a, b) = place(db).await;
        let scope = Scope::Province(province);
        // Type I under QĐ 28: (a) 50/8000 = 0.625%, (b) 2 places, (c) 10/8000 = 0.125%.
        let values = [
            ("population", Some(8000.0)),
            ("persons_with_records", Some(50.0)),
            ("places_organising_use", Some(2.0)),
            ("offenders_arrested", Some(10.0)),
            ("drug_plants_count", Some(0.0)),
            ("drug_plants_area_m2", Some(0.0)),
            ("on_key_route", Some(0.0)),
        ];
        cls::set_manual(db, &a, 2025, &values, None, None).await.unwrap();
        let n =
            cls::recompute(db, scope, &[a.clone(), b.clone()], 2025, None, entry("classification.compute"))
                .await
                .unwrap();
        assert_eq!(n, 2);
        let r = cls::results(db, &[a.id, b.id], &[2025]).await.unwrap();
        assert_eq!(r.len(), 2);
        let ra = r.iter().find(|x| x.unit_id == a.id).unwrap();
        assert_eq!(ra.version, CriteriaVersion::Qd28_2025);
        assert_eq!(ra.class, CommuneClass::Type1, "{}", db.backend().as_str());
        assert_eq!(ra.thresholds_from, None);
        assert!(ra.explanation.criteria.iter().any(|c| c.id == "a" && c.met == Some(true)));
        assert_eq!(input(&ra.inputs, "population").source, InputSource::Manual);
        // Commune b has no population: rate criteria undecided, never guessed.
        let rb = r.iter().find(|x| x.unit_id == b.id).unwrap();
        assert!(rb.explanation.missing_inputs.contains(&"population".to_owned()), "{:?}", rb.explanation);

        // Stricter thresholds from 2025-01-01: the stored result is untouched...
        let mut strict = Thresholds::default();
        strict.qd28.type1.min_criteria.value = 4;
        strict.qd28.type2.min_criteria.value = 4;
        parameters::set(db, cls::PARAMS, &strict, d(2025, 1, 1), None, "", None).await.unwrap();
        let again = cls::results(db, &[a.id], &[2025]).await.unwrap();
        assert_eq!(again[0].class, CommuneClass::Type1);
        assert_eq!(again[0].computed_at, ra.computed_at);
        // ...until it is recomputed, which applies them and says from when.
        cls::recompute(db, scope, std::slice::from_ref(&a), 2025, None, None).await.unwrap();
        let after = cls::results(db, &[a.id], &[2025]).await.unwrap();
        assert_ne!(after[0].class, CommuneClass::Type1);
        assert_eq!(after[0].thresholds_from, Some(d(2025, 1, 1)));
        assert_eq!(after[0].thresholds["qd28"]["type1"]["min_criteria"]["value"], 4);
        // A 2024 result applies QĐ 3122.
        cls::recompute(db, scope, std::slice::from_ref(&a), 2024, None, None).await.unwrap();
        let old = cls::results(db, &[a.id], &[2024]).await.unwrap();
        assert_eq!(old[0].version, CriteriaVersion::Qd3122_2010);
        t.cleanup().await;
    }
}

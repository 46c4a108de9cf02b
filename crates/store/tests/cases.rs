//! Propaganda activities, cases with subjects, seizures and incidents, and rings, on
//! every available engine.

use chrono::NaiveDate;
use diaban_domain::UnitLevel;
use diaban_domain::cases::{CaseOutcome, OutcomeFigures, SubjectRole};
use diaban_domain::propaganda::{PropagandaForm, VenueType};
use diaban_domain::seizures::{Drug, QuantityUnit, SeizureLine};
use diaban_domain::site::{LatLon, SiteKind, SiteParams, SiteState};
use diaban_store::audit::{self, AuditFilter, NewEntry};
use diaban_store::cases::{self, CaseFilter, NewCase, NewSubject};
use diaban_store::incidents::{self, IncidentFilter};
use diaban_store::persons::{self, NewPerson, Scope};
use diaban_store::propaganda::{self, NewActivity, PropagandaFilter};
use diaban_store::rings::{self, NewRing, RingError};
use diaban_store::sites::{self, NewSite, TransitionRequest};
use diaban_store::units::{self, Unit};
use diaban_store::{Db, DbError, reference, testing};
use diaban_vault::KeyRing;

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

async fn communes(db: &Db) -> (Unit, Unit, Unit) {
    reference::load_units(db).await.unwrap();
    let qn = units::by_code(db, "51", Some(UnitLevel::Province), d(2026, 1, 1)).await.unwrap().unwrap();
    let c = units::children(db, qn.id).await.unwrap();
    (qn, c[0].clone(), c[1].clone())
}

fn entry(action: &str) -> Option<NewEntry> {
    Some(NewEntry { actor: "cli".into(), action: action.into(), ..Default::default() })
}

fn activity(
    unit: &Unit,
    on: NaiveDate,
    organiser: &str,
    venue: VenueType,
    form: PropagandaForm,
    n: u32,
) -> NewActivity {
    NewActivity {
        held_on: on,
        unit_id: unit.id,
        organiser: organiser.into(),
        venue_type: venue,
        place: "Trường THCS".into(),
        form,
        participants: n,
        materials: 10,
        topic: "Tác hại của ma túy".into(),
    }
}

#[tokio::test]
async fn propaganda_is_listed_and_totalled_within_scope() {
    for t in testing::all().await.unwrap() {
        let db = &t.db;
        let (qn, c1, c2) = communes(db).await;
        let a = propaganda::create(
            db,
            &activity(&c1, d(2026, 3, 2), "Công an xã", VenueType::School, PropagandaForm::Meeting, 120),
            None,
            entry("propaganda.create"),
        )
        .await
        .unwrap();
        propaganda::create(
            db,
            &activity(&c1, d(2026, 3, 9), "Sở Y tế", VenueType::Commune, PropagandaForm::Leaflets, 40),
            None,
            None,
        )
        .await
        .unwrap();
        propaganda::create(
            db,
            &activity(&c2, d(2026, 4, 1), "Công an xã", VenueType::School, PropagandaForm::Contest, 300),
            None,
            None,
        )
        .await
        .unwrap();
        // Province-wide, filed against the province itself.
        propaganda::create(
            db,
            &activity(&qn, d(2026, 3, 20), "PC04", VenueType::IndustrialZone, PropagandaForm::Meeting, 80),
            None,
            None,
        )
        .await
        .unwrap();

        let all = PropagandaFilter::default();
        let (list, total) = propaganda::list(db, Scope::Province(qn.id), &all).await.unwrap();
        assert_eq!(total, 4, "{}", t.db.backend().as_str());
        assert_eq!(list[0].held_on, d(2026, 4, 1), "newest first");
        let (_, n) = propaganda::list(db, Scope::Commune(c1.id), &all).await.unwrap();
        assert_eq!(n, 2, "a commune sees its own");

        let march =
            PropagandaFilter { from: Some(d(2026, 3, 1)), to: Some(d(2026, 3, 31)), ..Default::default() };
        let t3 = propaganda::totals(db, Scope::Province(qn.id), &march).await.unwrap();
        assert_eq!(t3.all.activities, 3);
        assert_eq!(t3.all.participants, 240);
        assert_eq!(t3.all.materials, 30);
        assert_eq!(t3.by_venue_type[&VenueType::School].participants, 120);
        assert_eq!(t3.by_form[&PropagandaForm::Meeting].activities, 2);
        assert_eq!(t3.by_organiser["Sở Y tế"].participants, 40);
        let schools = PropagandaFilter { venue_type: Some(VenueType::School), ..Default::default() };
        assert_eq!(propaganda::list(db, Scope::Province(qn.id), &schools).await.unwrap().1, 2);

        let (found, _) = audit::search(
            db,
            &AuditFilter { action_prefix: Some("propaganda.".into()), limit: 10, ..Default::default() },
        )
        .await
        .unwrap();
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].target_id, a.to_string());
        t.cleanup().await;
    }
}

async fn person(db: &Db, keys: &KeyRing, unit: &Unit, name: &str) -> i64 {
    let p = NewPerson {
        residence_unit_id: unit.id,
        sex: "male".into(),
        birth_year: 1990,
        ethnicity: "Kinh".into(),
        id_number: None,
        full_name: name.into(),
        birth_date: None,
        address: None,
        phone: None,
        notes: None,
    };
    match persons::create(db, keys, &p, None).await.unwrap() {
        persons::Created::New(id) | persons::Created::Existing(id) => id,
    }
}

fn case(unit: &Unit, at: Option<(f64, f64)>) -> NewCase {
    NewCase {
        reference: "01/2026".into(),
        occurred_on: d(2026, 3, 5),
        unit_id: unit.id,
        location: at.map(|(lat, lon)| LatLon::new(lat, lon).unwrap()),
        summary: "Bắt quả tang mua bán".into(),
        outcome: CaseOutcome::Criminal,
        figures: OutcomeFigures { prosecuted_cases: 1, defendants: 2, persons_handled: 0 },
        subjects: Vec::new(),
        seizures: vec![
            SeizureLine::new(Drug::Synthetic, 120.5, QuantityUnit::Gram).unwrap(),
            SeizureLine::new(Drug::Synthetic, 3000.0, QuantityUnit::Tablet).unwrap(),
            SeizureLine::new(Drug::Heroin, 2.0, QuantityUnit::Brick).unwrap(),
        ],
        ring_id: None,
    }
}

#[tokio::test]
async fn a_case_with_coordinates_records_its_subjects_seizures_and_incidents_in_one_go() {
    for t in testing::all().await.unwrap() {
        let db = &t.db;
        let keys = KeyRing::generate();
        let (qn, c1, c2) = communes(db).await;
        let linked = person(db, &keys, &c1, "Nguyễn Văn Liên Kết").await;
        let elsewhere = person(db, &keys, &c2, "Trần Văn Nơi Khác").await;

        // An eliminated site nearby: the case's incidents raise a re-formation alert on it.
        let site = NewSite {
            kind: SiteKind::Point,
            hot_spot: false,
            name: "Điểm cũ".into(),
            description: String::new(),
            address: String::new(),
            unit_id: c1.id,
            location: LatLon::new(15.12, 108.80).unwrap(),
            business_ref: None,
            found_how: String::new(),
            responsible_user_id: None,
            state: SiteState::Listed,
            on: d(2025, 10, 1),
            note: String::new(),
        };
        let site_id = sites::create(db, &site, None, None).await.unwrap();
        for (to, on) in [(SiteState::UnderAction, d(2025, 11, 1)), (SiteState::Eliminated, d(2026, 2, 1))] {
            let r = TransitionRequest { to, on, note: "x".into() };
            sites::change_state(db, site_id, Scope::Commune(c1.id), &r, None, &SiteParams::default(), None)
                .await
                .unwrap();
        }

        let mut c = case(&c1, Some((15.1205, 108.8001)));
        c.subjects = vec![
            NewSubject::Person { person_id: linked, role: SubjectRole::Trafficker },
            NewSubject::Named {
                name: "Lê Thị Không Hồ Sơ".into(),
                birth_year: Some(1995),
                sex: Some("female".into()),
                role: SubjectRole::Transporter,
            },
        ];
        let rec =
            cases::create(db, Some(&keys), &c, Scope::Commune(c1.id), 200.0, None, entry("case.create"))
                .await
                .unwrap();
        assert_eq!(rec.incidents.len(), 2, "{}: a seizure and an arrest", t.db.backend().as_str());
        assert_eq!(rec.alerts.len(), 2, "each incident raises an alert on the eliminated site");
        assert_eq!(cases::incident_ids(db, rec.id).await.unwrap(), rec.incidents);
        let (inc, _) = incidents::list(db, Scope::Commune(c1.id), &IncidentFilter::default()).await.unwrap();
        assert!(inc.iter().all(|i| i.source == "case" && i.note == format!("case #{}", rec.id)));

        let got = cases::get(db, rec.id, Scope::Province(qn.id)).await.unwrap().unwrap();
        assert_eq!(got.subjects, 2);
        assert_eq!(got.seizures.len(), 3);
        assert_eq!(got.seizures[1].unit(), QuantityUnit::Tablet);
        assert!(cases::get(db, rec.id, Scope::Commune(c2.id)).await.unwrap().is_none(), "out of scope");

        // The typed name is sealed at rest and opened only when asked.
        let raw =
            testing::query_text(db, "SELECT name_sealed FROM case_subjects WHERE name_sealed IS NOT NULL")
                .await
                .unwrap();
        let sealed = raw[0][0].clone().unwrap();
        assert!(!sealed.contains("Không Hồ Sơ"));
        let hidden = cases::subjects(db, rec.id, None, None).await.unwrap();
        assert!(hidden.iter().all(|s| s.name.is_none()));
        assert!(hidden[1].has_name && !hidden[0].person_in_scope);
        let shown = cases::subjects(db, rec.id, Some(Scope::Commune(c1.id)), Some(&keys)).await.unwrap();
        assert_eq!(shown[1].name.as_deref(), Some("Lê Thị Không Hồ Sơ"));
        assert_eq!(shown[0].person_id, Some(linked));
        assert!(shown[0].person_in_scope);

        // The link of a person's record is audited with its id.
        let (found, _) = audit::search(
            db,
            &AuditFilter { action_prefix: Some("case.".into()), limit: 10, ..Default::default() },
        )
        .await
        .unwrap();
        let actions: Vec<(&str, &str)> =
            found.iter().map(|e| (e.action.as_str(), e.target_id.as_str())).collect();
        assert!(actions.contains(&("case.create", rec.id.to_string().as_str())), "{actions:?}");
        assert!(actions.contains(&("case.link_person", linked.to_string().as_str())), "{actions:?}");

        // A person outside the recorder's scope: refused, nothing written.
        let mut bad = case(&c1, Some((15.2, 108.9)));
        bad.subjects = vec![NewSubject::Person { person_id: elsewhere, role: SubjectRole::User }];
        let e =
            cases::create(db, Some(&keys), &bad, Scope::Commune(c1.id), 200.0, None, None).await.unwrap_err();
        assert!(matches!(e, DbError::Invalid(_)), "{e}");
        // Typed names without the key: refused, nothing written.
        let mut nokey = case(&c1, Some((15.2, 108.9)));
        nokey.subjects = vec![NewSubject::Named {
            name: "X".into(),
            birth_year: None,
            sex: None,
            role: SubjectRole::User,
        }];
        assert!(cases::create(db, None, &nokey, Scope::Commune(c1.id), 200.0, None, None).await.is_err());
        let (_, total) = cases::list(db, Scope::Province(qn.id), &CaseFilter::default()).await.unwrap();
        assert_eq!(total, 1, "refused cases left nothing");
        let (_, n_inc) =
            incidents::list(db, Scope::Province(qn.id), &IncidentFilter::default()).await.unwrap();
        assert_eq!(n_inc, 2, "refused cases left no incident");

        // Without coordinates: no incident. Administrative handling.
        let mut plain = case(&c2, None);
        plain.outcome = CaseOutcome::Administrative;
        plain.figures = OutcomeFigures { persons_handled: 3, ..Default::default() };
        plain.seizures = vec![SeizureLine::new(Drug::Cannabis, 40.0, QuantityUnit::Plant).unwrap()];
        let r2 =
            cases::create(db, Some(&keys), &plain, Scope::Province(qn.id), 200.0, None, None).await.unwrap();
        assert!(r2.incidents.is_empty());

        let tot = cases::totals(db, Scope::Province(qn.id), &CaseFilter::default()).await.unwrap();
        assert_eq!(tot.cases, 2);
        assert_eq!(tot.by_outcome[&CaseOutcome::Criminal], 1);
        assert_eq!(tot.by_outcome[&CaseOutcome::Administrative], 1);
        assert_eq!((tot.prosecuted_cases, tot.defendants, tot.persons_handled, tot.subjects), (1, 2, 3, 2));
        let synthetic = tot.seizures.iter().find(|(d, _)| *d == Drug::Synthetic).unwrap().1;
        assert_eq!((synthetic.grams, synthetic.tablets), (120.5, 3000));
        let cannabis = tot.seizures.iter().find(|(d, _)| *d == Drug::Cannabis).unwrap().1;
        assert_eq!(cannabis.plants, 40);
        let only_c2 = cases::totals(db, Scope::Commune(c2.id), &CaseFilter::default()).await.unwrap();
        assert_eq!(only_c2.cases, 1);

        // Key rotation re-seals typed names.
        let new_keys = KeyRing::generate();
        persons::rotate_keys(db, &keys, &new_keys).await.unwrap();
        let shown = cases::subjects(db, rec.id, Some(Scope::Commune(c1.id)), Some(&new_keys)).await.unwrap();
        assert_eq!(shown[1].name.as_deref(), Some("Lê Thị Không Hồ Sơ"));
        t.cleanup().await;
    }
}

#[tokio::test]
async fn rings_link_cases_in_scope_and_are_dismantled_once() {
    for t in testing::all().await.unwrap() {
        let db = &t.db;
        let keys = KeyRing::generate();
        let (qn, c1, c2) = communes(db).await;
        let province = Scope::Province(qn.id);
        let ring = rings::create(
            db,
            &NewRing {
                name: "Đường dây Lào – Kon Tum".into(), unit_id: qn.id, description: String::new()
            },
            None,
            entry("ring.create"),
        )
        .await
        .unwrap();
        let mut c = case(&c1, None);
        c.subjects = vec![NewSubject::Named {
            name: "A".into(),
            birth_year: None,
            sex: None,
            role: SubjectRole::Organiser,
        }];
        let first = cases::create(db, Some(&keys), &c, province, 200.0, None, None).await.unwrap().id;
        let mut later = case(&c2, None);
        later.occurred_on = d(2026, 4, 10);
        let second = cases::create(db, Some(&keys), &later, province, 200.0, None, None).await.unwrap().id;

        rings::link_case(db, ring, first, province, entry("ring.link_case")).await.unwrap();
        rings::link_case(db, ring, second, province, None).await.unwrap();
        let r = rings::get(db, ring, province).await.unwrap().unwrap();
        assert_eq!((r.cases, r.subjects), (2, 1), "{}", t.db.backend().as_str());
        assert_eq!(r.first_case_on, Some(d(2026, 3, 5)));
        let (of_ring, _) =
            cases::list(db, province, &CaseFilter { ring_id: Some(ring), ..Default::default() })
                .await
                .unwrap();
        assert_eq!(of_ring.len(), 2);

        // A commune officer sees neither the province's ring nor can link to it.
        assert!(rings::get(db, ring, Scope::Commune(c1.id)).await.unwrap().is_none());
        let e = rings::link_case(db, ring, first, Scope::Commune(c1.id), None).await.unwrap_err();
        assert!(matches!(e, RingError::NotFound(_)));
        // A second ring cannot take a case that belongs to the first.
        let other = rings::create(
            db,
            &NewRing { name: "Khác".into(), unit_id: c1.id, description: String::new() },
            None,
            None,
        )
        .await
        .unwrap();
        assert!(matches!(
            rings::link_case(db, other, first, province, None).await.unwrap_err(),
            RingError::OtherRing(_)
        ));

        // Dismantled before its first case: refused. Then on a good date, once.
        let today = d(2026, 5, 1);
        let e = rings::dismantle(db, ring, province, d(2026, 3, 1), today, None).await.unwrap_err();
        assert!(matches!(e, RingError::Refused(_)), "{e}");
        let e = rings::dismantle(db, ring, province, d(2026, 5, 2), today, None).await.unwrap_err();
        assert!(matches!(e, RingError::Refused(_)), "{e}");
        let r = rings::dismantle(db, ring, province, d(2026, 4, 20), today, entry("ring.dismantle"))
            .await
            .unwrap();
        assert_eq!(r.dismantled_on, Some(d(2026, 4, 20)));
        assert!(matches!(
            rings::dismantle(db, ring, province, d(2026, 4, 21), today, None).await.unwrap_err(),
            RingError::AlreadyDismantled
        ));
        assert_eq!(rings::list(db, province, Some(true)).await.unwrap().len(), 1);
        assert_eq!(rings::list(db, province, Some(false)).await.unwrap().len(), 1);
        assert_eq!(rings::list(db, Scope::Commune(c1.id), None).await.unwrap().len(), 1);
        t.cleanup().await;
    }
}

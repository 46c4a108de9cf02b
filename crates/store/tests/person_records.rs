//! A person's measures (terms by regime, overlap, repeat), services, proposals, moves with
//! their 24-hour deadlines, work lists and statistics, on every available engine.

use chrono::{NaiveDate, TimeZone, Utc};
use diaban_domain::UnitLevel;
use diaban_domain::person::stats::Period;
use diaban_domain::person::{
    EndReason, EpisodeError, EpisodeKind, EventKind, HeldIn, Regime, ServiceKind, Substance,
};
use diaban_store::audit::{self, AuditFilter, NewEntry};
use diaban_store::person_records::{self as records, DecideRefusal, NewEpisode, Profile, ProposalStatus};
use diaban_store::person_transfers::{self as transfers, NewTransfer};
use diaban_store::persons::{self, Created, NewPerson, Scope};
use diaban_store::units::{self, Unit};
use diaban_store::{Db, person_facts, person_stats, person_work, reference, testing};
use diaban_vault::KeyRing;

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

fn entry(action: &str) -> NewEntry {
    NewEntry { actor: "cli".into(), action: action.into(), ..Default::default() }
}

async fn communes(db: &Db) -> (i64, Unit, Unit) {
    reference::load_units(db).await.unwrap();
    let qn = units::by_code(db, "51", Some(UnitLevel::Province), d(2026, 1, 1)).await.unwrap().unwrap();
    let c = units::children(db, qn.id).await.unwrap();
    (qn.id, c[0].clone(), c[1].clone())
}

async fn person(db: &Db, keys: &KeyRing, unit: &Unit, n: u32, birth_year: i32, ethnicity: &str) -> i64 {
    let p = NewPerson {
        residence_unit_id: unit.id,
        sex: "male".into(),
        birth_year,
        ethnicity: ethnicity.into(),
        id_number: Some(format!("0510{:02}{n:06}", birth_year % 100)),
        full_name: format!("Người Thử {n}"),
        birth_date: None,
        address: None,
        phone: None,
        notes: None,
    };
    match persons::create(db, keys, &p, None).await.unwrap() {
        Created::New(id) => id,
        Created::Existing(id) => panic!("{id} exists"),
    }
}

fn episode(kind: EpisodeKind, decided: NaiveDate, term: Option<u32>) -> NewEpisode {
    NewEpisode {
        kind,
        decision_number: "01/QĐ-UBND".into(),
        decision_date: decided,
        signer: "Chủ tịch UBND xã".into(),
        start: decided,
        term_months: term,
        actual_end: None,
        end_reason: None,
        criteria_met: None,
        place: String::new(),
    }
}

#[tokio::test]
async fn the_terms_follow_the_regime_of_the_decision_date_on_both_sides_of_1_july_2026() {
    for t in testing::all().await.unwrap() {
        let db = &t.db;
        let keys = KeyRing::generate();
        let (_, a, _) = communes(db).await;
        let before = person(db, &keys, &a, 1, 1990, "Kinh").await;
        let after = person(db, &keys, &a, 2, 1990, "Kinh").await;
        // 30/6/2026: Law 73/2021, voluntary rehab 6–12 months, the decision picks 9.
        let id = records::add_episode(
            db,
            before,
            &episode(EpisodeKind::VoluntaryRehabHome, d(2026, 6, 30), Some(9)),
            None,
            entry("person.episode.create"),
        )
        .await
        .unwrap()
        .unwrap();
        let e = records::episodes(db, before).await.unwrap().into_iter().find(|e| e.id == id).unwrap();
        assert_eq!(e.regime, Regime::Law73_2021);
        assert_eq!(e.planned_end, Some(d(2027, 3, 30)));
        assert!(!e.is_repeat);
        // 1/7/2026: Law 120/2025, 24 months fixed; 9 months is refused with the range.
        let refused = records::add_episode(
            db,
            after,
            &episode(EpisodeKind::VoluntaryRehabHome, d(2026, 7, 1), Some(9)),
            None,
            entry("person.episode.create"),
        )
        .await
        .unwrap()
        .unwrap_err();
        assert!(
            matches!(refused, EpisodeError::TermOutOfRange { regime: Regime::Law120_2025, .. }),
            "{refused:?}"
        );
        let id = records::add_episode(
            db,
            after,
            &episode(EpisodeKind::VoluntaryRehabHome, d(2026, 7, 1), None),
            None,
            entry("person.episode.create"),
        )
        .await
        .unwrap()
        .unwrap();
        let e = records::episodes(db, after).await.unwrap().into_iter().find(|e| e.id == id).unwrap();
        assert_eq!(
            (e.regime, e.term_months, e.planned_end),
            (Regime::Law120_2025, Some(24), Some(d(2028, 7, 1)))
        );
        // A second rehab after the first is a repeat: 36 months under Law 120/2025.
        let id = records::add_episode(
            db,
            after,
            &episode(EpisodeKind::CompulsoryRehab, d(2028, 7, 1), None),
            None,
            entry("person.episode.create"),
        )
        .await
        .unwrap()
        .unwrap();
        let e = records::episodes(db, after).await.unwrap().into_iter().find(|e| e.id == id).unwrap();
        assert!(e.is_repeat);
        assert_eq!(e.planned_end, Some(d(2031, 7, 1)));
        // Every write is audited against the person.
        let (log, _) = audit::search(
            db,
            &AuditFilter { action_prefix: Some("person.episode".into()), limit: 100, ..Default::default() },
        )
        .await
        .unwrap();
        assert_eq!(log.len(), 3, "{}", db.backend().as_str());
        t.cleanup().await;
    }
}

#[tokio::test]
async fn an_overlapping_measure_of_the_same_kind_is_refused_and_nothing_is_written() {
    for t in testing::all().await.unwrap() {
        let db = &t.db;
        let keys = KeyRing::generate();
        let (_, a, _) = communes(db).await;
        let p = person(db, &keys, &a, 3, 1995, "Kinh").await;
        let first = episode(EpisodeKind::UserManagement, d(2026, 1, 10), None);
        records::add_episode(db, p, &first, None, entry("e")).await.unwrap().unwrap();
        let again = episode(EpisodeKind::UserManagement, d(2026, 6, 1), None);
        let err = records::add_episode(db, p, &again, None, entry("e")).await.unwrap().unwrap_err();
        assert!(matches!(err, EpisodeError::Overlap { .. }), "{err:?}");
        assert!(err.message_vi().contains("trùng thời gian"));
        // Another kind may run at the same time.
        let other = episode(EpisodeKind::SubstitutionTherapy, d(2026, 6, 1), None);
        records::add_episode(db, p, &other, None, entry("e")).await.unwrap().unwrap();
        assert_eq!(records::episodes(db, p).await.unwrap().len(), 2);
        // Ending before the start is refused; ending early with a reason frees the term.
        let eps = records::episodes(db, p).await.unwrap();
        let mgmt = eps.iter().find(|e| e.kind == EpisodeKind::UserManagement).unwrap();
        let r =
            records::end_episode(db, p, mgmt.id, d(2025, 12, 1), EndReason::Moved, entry("e")).await.unwrap();
        assert!(r.is_err());
        records::end_episode(db, p, mgmt.id, d(2026, 5, 1), EndReason::Moved, entry("e"))
            .await
            .unwrap()
            .unwrap();
        records::add_episode(db, p, &again, None, entry("e")).await.unwrap().unwrap();
        t.cleanup().await;
    }
}

#[tokio::test]
async fn a_relapse_in_post_rehab_proposes_compulsory_rehab_which_the_officer_decides() {
    for t in testing::all().await.unwrap() {
        let db = &t.db;
        let keys = KeyRing::generate();
        let (_, a, _) = communes(db).await;
        let p = person(db, &keys, &a, 4, 1988, "Kinh").await;
        let (ev, status) =
            records::add_event(db, p, EventKind::RelapsedInPostRehab, d(2026, 3, 2), None, entry("ev"))
                .await
                .unwrap();
        assert_eq!(status, ProposalStatus::Pending);
        let events = records::events(db, p).await.unwrap();
        let proposed = events[0].proposed.as_ref().unwrap();
        assert_eq!(proposed.to, EpisodeKind::CompulsoryRehab);
        assert!(proposed.legal_basis_vi.contains("73/2021/QH14"));
        // Nothing is applied until the officer decides.
        assert!(records::episodes(db, p).await.unwrap().is_empty());
        let n = episode(EpisodeKind::CompulsoryRehab, d(2026, 3, 20), Some(18));
        let eid = records::decide(db, p, ev, Some(&n), "Tòa án quyết định", None, entry("accept"))
            .await
            .unwrap()
            .unwrap();
        assert!(eid.is_some());
        assert_eq!(records::events(db, p).await.unwrap()[0].proposal, ProposalStatus::Accepted);
        let again = records::decide(db, p, ev, None, "", None, entry("reject")).await.unwrap();
        assert_eq!(again, Err(DecideRefusal::NotPending));
        // A positive test proposes nothing.
        let (_, s) = records::add_event(db, p, EventKind::TestedPositive, d(2026, 3, 3), None, entry("ev"))
            .await
            .unwrap();
        assert_eq!(s, ProposalStatus::None);
        t.cleanup().await;
    }
}

#[tokio::test]
async fn a_move_hands_the_record_over_with_24_hour_deadlines_from_1_july_2026_only() {
    for t in testing::all().await.unwrap() {
        let db = &t.db;
        let keys = KeyRing::generate();
        let (_, a, b) = communes(db).await;
        let p = person(db, &keys, &a, 5, 1990, "Kinh").await;
        let q = person(db, &keys, &a, 6, 1990, "Kinh").await;
        // Moved on 30/6/2026 at 20:00 Vietnam time: Law 73/2021, no deadline.
        let old = Utc.with_ymd_and_hms(2026, 6, 30, 13, 0, 0).unwrap();
        transfers::record(
            db,
            &NewTransfer { person_id: p, to_unit_id: b.id, moved_at: old, known_at: old },
            None,
            entry("t"),
        )
        .await
        .unwrap();
        // Moved on 1/7/2026 at 08:00, known the same hour.
        let new = Utc.with_ymd_and_hms(2026, 7, 1, 1, 0, 0).unwrap();
        transfers::record(
            db,
            &NewTransfer { person_id: q, to_unit_id: b.id, moved_at: new, known_at: new },
            None,
            entry("t"),
        )
        .await
        .unwrap();
        // The records now belong to commune b.
        assert!(!records::in_scope(db, p, Scope::Commune(a.id)).await.unwrap());
        assert!(records::in_scope(db, q, Scope::Commune(b.id)).await.unwrap());
        let incoming = transfers::incoming(db, Scope::Commune(b.id), false, 10).await.unwrap();
        assert_eq!(incoming.len(), 2);
        let old_t = incoming.iter().find(|t| t.person_id == p).unwrap();
        let new_t = incoming.iter().find(|t| t.person_id == q).unwrap();
        assert_eq!(old_t.regime, "law_73_2021");
        assert_eq!(old_t.report_deadline, None);
        assert!(!old_t.report_overdue(Utc::now()));
        assert_eq!(new_t.regime, "law_120_2025");
        assert_eq!(new_t.report_deadline, Some(Utc.with_ymd_and_hms(2026, 7, 2, 1, 0, 0).unwrap()));
        assert!(new_t.report_overdue(Utc.with_ymd_and_hms(2026, 7, 2, 1, 0, 1).unwrap()));
        assert!(!new_t.report_overdue(Utc.with_ymd_and_hms(2026, 7, 2, 1, 0, 0).unwrap()));
        // The old commune sees nothing incoming; commune b marks the report.
        assert!(transfers::incoming(db, Scope::Commune(a.id), false, 10).await.unwrap().is_empty());
        assert!(
            transfers::mark_reported(db, new_t.id, Scope::Commune(b.id), Utc::now(), None, entry("r"))
                .await
                .unwrap()
        );
        assert!(
            !transfers::mark_reported(db, new_t.id, Scope::Commune(b.id), Utc::now(), None, entry("r"))
                .await
                .unwrap()
        );
        assert_eq!(transfers::incoming(db, Scope::Commune(b.id), false, 10).await.unwrap().len(), 1);
        t.cleanup().await;
    }
}

#[tokio::test]
async fn statistics_and_work_lists_read_the_scope_only() {
    for t in testing::all().await.unwrap() {
        let db = &t.db;
        let keys = KeyRing::generate();
        let (province, a, b) = communes(db).await;
        // In a: one Kinh man under management with a service, one Xơ Đăng man in methadone
        // without service; in b: one in post-rehab, ended long ago (not counted in 2026).
        let p1 = person(db, &keys, &a, 7, 1990, "Kinh").await;
        let p2 = person(db, &keys, &a, 8, 2005, "Xơ Đăng").await;
        let p3 = person(db, &keys, &b, 9, 1980, "Kinh").await;
        records::add_episode(
            db,
            p1,
            &episode(EpisodeKind::UserManagement, d(2026, 1, 10), None),
            None,
            entry("e"),
        )
        .await
        .unwrap()
        .unwrap();
        records::add_service(db, p1, ServiceKind::Counselling, d(2026, 2, 1), "Trạm y tế", None, entry("s"))
            .await
            .unwrap();
        records::add_episode(
            db,
            p2,
            &episode(EpisodeKind::SubstitutionTherapy, d(2024, 1, 1), None),
            None,
            entry("e"),
        )
        .await
        .unwrap()
        .unwrap();
        records::set_profile(
            db,
            p2,
            &Profile {
                substances: vec![Substance::Heroin],
                use_since_year: Some(2020),
                held_in: HeldIn::Community,
                ..Default::default()
            },
            None,
            entry("p"),
        )
        .await
        .unwrap();
        records::add_episode(
            db,
            p3,
            &episode(EpisodeKind::PostRehabManagement, d(2023, 1, 1), None),
            None,
            entry("e"),
        )
        .await
        .unwrap()
        .unwrap();
        let year = Period::statistical_year(2026).unwrap();
        let s = person_stats::period(db, Scope::Province(province), year).await.unwrap();
        assert_eq!(s.total.with_records, 2);
        assert_eq!((s.total.kinh, s.total.other_ethnicity), (1, 1));
        assert_eq!(s.total.by_substance["heroin"], 1);
        assert_eq!(s.total.by_substance["unknown"], 1);
        assert_eq!(s.total.by_rehab_form["substitution_therapy"], 1);
        // p1 by counselling; p2 by methadone running all year (DOMAIN.md §5: substitution
        // therapy counts for T5 although no service row was recorded).
        assert_eq!(s.total.reached_by_services, 2);
        assert_eq!(s.total.by_age_band["18_to_30"], 1);
        assert_eq!(s.total.by_age_band["30_and_over"], 1);
        let only_b = person_stats::period(db, Scope::Commune(b.id), year).await.unwrap();
        assert_eq!(only_b.total.with_records, 0);
        let by_commune =
            person_stats::with_records_by_commune(db, Scope::Province(province), year).await.unwrap();
        assert_eq!(by_commune.get(&a.id), Some(&2));
        // Work lists: p1's management ends 10/1/2027; p2 has no service row in 2026 but is
        // on methadone, so nobody is left to reach.
        let ending = person_work::ending_by(
            db,
            Scope::Province(province),
            &[EpisodeKind::UserManagement],
            d(2027, 1, 31),
            10,
        )
        .await
        .unwrap();
        assert_eq!(ending.iter().map(|e| e.person_id).collect::<Vec<_>>(), vec![p1]);
        let unreached = person_work::without_service(db, Scope::Province(province), year.from, year.to, 10)
            .await
            .unwrap();
        assert_eq!(unreached.iter().map(|u| u.person_id).collect::<Vec<_>>(), Vec::<i64>::new());
        let only_b =
            person_work::without_service(db, Scope::Commune(b.id), year.from, year.to, 10).await.unwrap();
        assert!(only_b.is_empty());
        t.cleanup().await;
    }
}

/// A small deterministic generator, so the fixture is the same on every run.
struct Lcg(u64);

impl Lcg {
    fn below(&mut self, n: u64) -> u64 {
        self.0 = self.0.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
        (self.0 >> 33) % n
    }
}

/// The statistics of `scope` for each period, counted as `person_stats::period` does (from
/// the kept facts for a statistical year kept, else from the records), equal the
/// per-person definition over the plain rows.
async fn agrees_with_the_definition(db: &Db, scopes: &[Scope], periods: &[Period], label: &str) {
    for scope in scopes {
        for period in periods {
            let rows = person_stats::rows(db, *scope, period.from, period.to).await.unwrap();
            let expected = diaban_domain::person::stats::compute(&rows, *period);
            let got = person_stats::period(db, *scope, *period).await.unwrap();
            assert_eq!(got, expected, "{label}: {scope:?} {period:?}");
        }
    }
}

#[tokio::test]
async fn statistics_grouped_in_sql_agree_with_the_per_person_definition() {
    for t in testing::all().await.unwrap() {
        let db = &t.db;
        let keys = KeyRing::generate();
        let (province, a, b) = communes(db).await;
        let mut rng = Lcg(7);
        // Dates cluster around the cut-offs (14/12, 15/12) so boundaries are exercised.
        let days = [
            d(2024, 12, 14),
            d(2024, 12, 15),
            d(2025, 3, 1),
            d(2025, 12, 14),
            d(2025, 12, 15),
            d(2026, 6, 30),
            d(2026, 7, 1),
            d(2026, 12, 14),
        ];
        let ethnicities = ["Kinh", "Xơ Đăng", "Ba Na", "kinh"];
        let mut ids = Vec::new();
        for n in 0..48u32 {
            let unit = if n % 3 == 0 { &b } else { &a };
            let year = 1960 + i32::try_from(rng.below(50)).unwrap();
            let p = person(db, &keys, unit, 100 + n, year, ethnicities[rng.below(4) as usize]).await;
            ids.push(p);
            if rng.below(3) > 0 {
                let substances =
                    [vec![], vec![Substance::Heroin], vec![Substance::Heroin, Substance::Cannabis]]
                        [rng.below(3) as usize]
                        .clone();
                let held_in = [HeldIn::Community, HeldIn::Community, HeldIn::Prison][rng.below(3) as usize];
                let since = [None, Some(2010), Some(2025)][rng.below(3) as usize];
                let profile = Profile { substances, use_since_year: since, held_in, ..Default::default() };
                records::set_profile(db, p, &profile, None, entry("p")).await.unwrap();
            }
            for _ in 0..rng.below(4) {
                // One person in four is an illegal user under management only.
                let kind = if n % 4 == 0 {
                    EpisodeKind::UserManagement
                } else {
                    EpisodeKind::ALL[rng.below(EpisodeKind::ALL.len() as u64) as usize]
                };
                let start = days[rng.below(days.len() as u64) as usize];
                let mut e = episode(kind, start, [None, Some(1), Some(12)][rng.below(3) as usize]);
                if kind == EpisodeKind::AddictionDetermination {
                    e.criteria_met = Some(2);
                    e.term_months = None;
                }
                if rng.below(4) == 0 {
                    e.actual_end = Some(days[rng.below(days.len() as u64) as usize].max(start));
                    e.end_reason = Some(EndReason::Completed);
                }
                // A refused measure (an overlap of the same kind) is simply not part of the fixture.
                let _ = records::add_episode(db, p, &e, None, entry("e")).await.unwrap();
            }
            for _ in 0..rng.below(3) {
                let on = days[rng.below(days.len() as u64) as usize];
                let kind = ServiceKind::ALL[rng.below(3) as usize];
                records::add_service(db, p, kind, on, "Trạm y tế", None, entry("s")).await.unwrap();
            }
        }
        let periods = [
            Period::statistical_year(2025).unwrap(),
            Period::statistical_year(2026).unwrap(),
            Period { from: d(2025, 12, 15), to: d(2026, 1, 14) },
            Period { from: d(2026, 7, 1), to: d(2026, 7, 1) },
        ];
        let scopes = [Scope::Province(province), Scope::Commune(a.id), Scope::Commune(b.id)];
        assert_eq!(person_facts::year_kept(db, periods[1]).await.unwrap(), None);
        agrees_with_the_definition(db, &scopes, &periods, "from the records").await;

        // The same from the facts kept per statistical year...
        person_facts::rebuild(db, 15, 2027).await.unwrap();
        assert_eq!(person_facts::year_kept(db, periods[1]).await.unwrap(), Some(2026));
        assert_eq!(person_facts::year_kept(db, periods[2]).await.unwrap(), None, "a month is not kept");
        agrees_with_the_definition(db, &scopes, &periods, "kept facts").await;

        // ...and after every kind of write, which must move the kept facts with it.
        for (i, &p) in ids.iter().enumerate().take(24) {
            match i % 6 {
                0 => {
                    let on = d(2026, 3, 1);
                    records::add_service(db, p, ServiceKind::Counselling, on, "Trạm y tế", None, entry("s"))
                        .await
                        .unwrap();
                }
                1 => {
                    let profile = Profile {
                        substances: vec![Substance::Methamphetamine],
                        use_since_year: Some(2020),
                        held_in: HeldIn::Detention,
                        ..Default::default()
                    };
                    records::set_profile(db, p, &profile, None, entry("p")).await.unwrap();
                }
                2 => {
                    let e = episode(EpisodeKind::PostRehabManagement, d(2025, 12, 20), Some(12));
                    let _ = records::add_episode(db, p, &e, None, entry("e")).await.unwrap();
                }
                3 => {
                    let eps = records::episodes(db, p).await.unwrap();
                    if let Some(e) = eps.iter().find(|e| e.actual_end.is_none() && e.start < d(2026, 2, 1)) {
                        let _ = records::end_episode(
                            db,
                            p,
                            e.id,
                            d(2026, 2, 1),
                            EndReason::Completed,
                            entry("x"),
                        )
                        .await
                        .unwrap();
                    }
                }
                4 => {
                    let to =
                        if records::residence_commune(db, p).await.unwrap() == Some(a.id) { &b } else { &a };
                    let at = Utc.with_ymd_and_hms(2026, 5, 1, 3, 0, 0).unwrap();
                    let t = NewTransfer { person_id: p, to_unit_id: to.id, moved_at: at, known_at: at };
                    transfers::record(db, &t, None, entry("t")).await.unwrap();
                }
                _ => {
                    let e = episode(EpisodeKind::CompulsoryRehab, d(2026, 8, 1), Some(24));
                    let _ = records::add_episode(db, p, &e, None, entry("e")).await.unwrap();
                }
            }
        }
        agrees_with_the_definition(db, &scopes, &periods, "kept facts after writes").await;

        // Another cut-off day: calendar years are kept, the 15/12 years are counted again.
        person_facts::rebuild(db, 1, 2027).await.unwrap();
        let calendar = Period { from: d(2026, 1, 1), to: d(2026, 12, 31) };
        assert_eq!(person_facts::year_kept(db, calendar).await.unwrap(), Some(2026));
        assert_eq!(person_facts::year_kept(db, periods[1]).await.unwrap(), None);
        let mut with_calendar = periods.to_vec();
        with_calendar.push(calendar);
        agrees_with_the_definition(db, &scopes, &with_calendar, "calendar years").await;
        let year = Period::statistical_year(2026).unwrap();
        let s = person_stats::period(db, Scope::Province(province), year).await.unwrap();
        assert!(s.total.with_records > 10, "the fixture should give a real sample: {}", s.total.with_records);
        assert!(s.total.reached_by_services > 0 && s.total.reached_by_services < s.total.with_records);
        assert!(s.total.addicts > 0 && s.total.addicts < s.total.with_records, "{:?}", s.total);
        assert!(s.total.addicts_counselled > 0, "{:?}", s.total);
    }
}

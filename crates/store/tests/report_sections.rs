//! The registry sections of a periodic report on every available engine, each against
//! figures computed by hand from a small fixture in two communes of Quảng Ngãi: the
//! plan's tasks as they stood at the period's end, the escalation steps in the period,
//! seizures per (drug, unit), business inspections, communes by class and version,
//! propaganda by venue and the breach register; a commune's report sees only its own.

use chrono::{Duration, NaiveDate, Utc};
use diaban_domain::UnitLevel;
use diaban_domain::access::Role;
use diaban_domain::breach::BreachCategory;
use diaban_domain::business::{BusinessLine, InspectionKind};
use diaban_domain::cases::{CaseOutcome, OutcomeFigures};
use diaban_domain::classification::{CommuneClass, CriteriaVersion};
use diaban_domain::escalation::{EscalationStep, Level};
use diaban_domain::plan::{LateReason, ReportingFrequency, SupervisionKind, TaskState};
use diaban_domain::propaganda::{PropagandaForm, VenueType};
use diaban_domain::report::sections::{BreachFigures, EscalationFigures};
use diaban_domain::seizures::{Drug, QuantityUnit, SeizureLine};
use diaban_store::audit::NewEntry;
use diaban_store::businesses::{self, NewBusiness, NewInspection};
use diaban_store::cases::{self, NewCase};
use diaban_store::data_breaches::{self, NewBreach};
use diaban_store::escalations::{self, NewEscalation, StepRequest, Visibility};
use diaban_store::persons::Scope;
use diaban_store::plan_tasks::{self, NewTask};
use diaban_store::propaganda::{self, NewActivity};
use diaban_store::report_sections as rs;
use diaban_store::units::{self, Unit};
use diaban_store::{Db, reference, testing, users};

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

fn entry(action: &str) -> Option<NewEntry> {
    Some(NewEntry { actor: "cli".into(), action: action.into(), outcome: "ok".into(), ..Default::default() })
}

async fn province(db: &Db) -> (Unit, Unit, Unit) {
    reference::load_units(db).await.unwrap();
    let qn = units::by_code(db, "51", Some(UnitLevel::Province), d(2026, 1, 1)).await.unwrap().unwrap();
    let c = units::children(db, qn.id).await.unwrap();
    (qn, c[0].clone(), c[1].clone())
}

async fn user(db: &Db, name: &str, role: Role, unit: &Unit) -> i64 {
    let u = users::NewUser {
        username: name.into(),
        display_name: name.into(),
        password_hash: "x".into(),
        role,
        unit_id: unit.id,
        must_change_password: false,
    };
    users::create(db, &u).await.unwrap()
}

/// The national plan, in force today (KH 3220 ended on 14/12/2025 and takes no task due
/// after it).
async fn national_plan(db: &Db) -> i64 {
    let rows = testing::query_text(db, "SELECT CAST(id AS TEXT) FROM plans WHERE number = '132-KL/TW'")
        .await
        .unwrap();
    rows[0][0].as_deref().unwrap().parse().unwrap()
}

#[tokio::test]
async fn tasks_stand_as_at_the_periods_end_with_the_supervision_in_the_period() {
    for t in testing::all().await.unwrap() {
        let db = &t.db;
        let (qn, a, b) = province(db).await;
        let plan = national_plan(db).await;
        let today = diaban_domain::time::today_in_vietnam();
        let (from, to) = (today - Duration::days(10), today);
        let task = |unit: &Unit, title: &str, assigned: i64, deadline: i64| NewTask {
            plan_id: plan,
            unit_id: unit.id,
            agency: String::new(),
            partner_user_id: None,
            title: title.into(),
            description: String::new(),
            assigned_on: today - Duration::days(assigned),
            deadline: today + Duration::days(deadline),
            frequency: ReportingFrequency::Monthly,
        };
        let ta = plan_tasks::create(db, &task(&a, "Rà soát điểm", 60, 100), None, None).await.unwrap();
        let tb = plan_tasks::create(db, &task(&b, "Triệt xóa tụ điểm", 30, 100), None, None).await.unwrap();
        plan_tasks::create(db, &task(&a, "Tuyên truyền trường học", 60, -1), None, None).await.unwrap();
        let mut agency = task(&qn, "Cai nghiện tại cộng đồng", 60, 100);
        agency.agency = "Sở Y tế".into();
        plan_tasks::create(db, &agency, None, None).await.unwrap();
        for (on, pct) in [(20, 40), (5, 60)] {
            plan_tasks::add_report(db, ta, today - Duration::days(on), pct, "đã làm", today, None, None)
                .await
                .unwrap();
        }
        let sup = |task, kind, ago: i64| async move {
            plan_tasks::supervise(db, task, kind, today - Duration::days(ago), "nhắc", today, None, None)
                .await
                .unwrap();
        };
        sup(ta, SupervisionKind::Reminder, 3).await;
        sup(ta, SupervisionKind::Inspection, 2).await;
        sup(ta, SupervisionKind::Guidance, 2).await;
        sup(ta, SupervisionKind::Reminder, 40).await; // before the period
        plan_tasks::set_state(db, tb, TaskState::Done, today - Duration::days(1), None).await.unwrap();

        let all = rs::tasks(db, plan, Scope::Province(qn.id), from, to, today).await.unwrap();
        // By deadline: the one past its deadline first, then by id.
        let titles: Vec<&str> = all.iter().map(|t| t.title.as_str()).collect();
        assert_eq!(
            titles,
            ["Tuyên truyền trường học", "Rà soát điểm", "Triệt xóa tụ điểm", "Cai nghiện tại cộng đồng"],
            "{}",
            db.backend().as_str()
        );
        let (c, a1, b1, ag) = (&all[0], &all[1], &all[2], &all[3]);
        assert_eq!((c.late, c.percent, c.done), (Some(LateReason::DeadlinePassed), None, false));
        assert_eq!((a1.percent, a1.late, a1.reminders, a1.inspections), (Some(60), None, 1, 1));
        assert_eq!(a1.assignee, a.name);
        assert_eq!((b1.done, b1.late), (true, None));
        assert_eq!(ag.assignee, "Sở Y tế");
        // Assigned 60 days ago without a report within a month: late for that.
        assert_eq!(ag.late, Some(LateReason::NoRecentReport));
        // As it stood 8 days ago: the task done yesterday was still open, the 60% report
        // not yet made.
        let before =
            rs::tasks(db, plan, Scope::Province(qn.id), from, to, today - Duration::days(8)).await.unwrap();
        let b8 = before.iter().find(|t| t.title == "Triệt xóa tụ điểm").unwrap();
        assert!(!b8.done);
        assert_eq!(before.iter().find(|t| t.title == "Rà soát điểm").unwrap().percent, Some(40));
        // A commune's report: its own tasks only.
        let own = rs::tasks(db, plan, Scope::Commune(a.id), from, to, today).await.unwrap();
        assert_eq!(own.len(), 2);
        t.cleanup().await;
    }
}

#[tokio::test]
async fn escalations_count_the_steps_of_the_period_and_what_is_open_at_its_end() {
    for t in testing::all().await.unwrap() {
        let db = &t.db;
        let (qn, a, b) = province(db).await;
        let pc04 = user(db, "pc04", Role::ProvinceOfficer, &qn).await;
        let leader = user(db, "lanhdao", Role::Leader, &qn).await;
        let today = diaban_domain::time::today_in_vietnam();
        let raise = |unit: &Unit, source: &str, on: NaiveDate, days: u32| NewEscalation {
            source_type: source.into(),
            source_ref: if source == "manual" { String::new() } else { "1".into() },
            unit_id: unit.id,
            title: "Khó khăn".into(),
            body: "Nội dung".into(),
            on,
            response_days: days,
        };
        let e1 = escalations::raise(db, &raise(&a, "plan_task", today, 10), None, entry("escalation.raise"))
            .await
            .unwrap();
        let e2 = escalations::raise(db, &raise(&a, "manual", today, 10), None, None).await.unwrap();
        // Raised long ago with a deadline passed: open and overdue at the end.
        escalations::raise(db, &raise(&b, "manual", today - Duration::days(30), 5), None, None)
            .await
            .unwrap();
        let police = Visibility { scope: Scope::Province(qn.id), only_raised_by: None };
        let req = |step, level| StepRequest {
            step,
            level,
            note: "Ý kiến".into(),
            assignee_id: None,
            on: today,
            response_days: 10,
        };
        escalations::take_step(
            db,
            e1,
            police,
            &req(EscalationStep::Forward, Level::Police),
            Some(pc04),
            None,
        )
        .await
        .unwrap();
        escalations::take_step(
            db,
            e1,
            police,
            &req(EscalationStep::Decide, Level::Committee),
            Some(leader),
            None,
        )
        .await
        .unwrap();
        escalations::take_step(db, e2, police, &req(EscalationStep::Decide, Level::Police), Some(pc04), None)
            .await
            .unwrap();
        let f = rs::escalations(db, Scope::Province(qn.id), today - Duration::days(1), today).await.unwrap();
        // Every step is taken now (the store stamps steps with the time they are written),
        // so all three raises fall in the period.
        let want = EscalationFigures {
            raised: 3,
            raised_from_tasks: 1,
            forwarded: 1,
            decided_by_police: 1,
            decided_by_committee: 1,
            returned: 0,
            open_at_end: 1,
            overdue_at_end: 1,
        };
        assert_eq!(f, want, "{}", db.backend().as_str());
        // A period that ended before anything happened: nothing.
        let past = rs::escalations(db, Scope::Province(qn.id), d(2025, 1, 1), d(2025, 1, 31)).await.unwrap();
        assert_eq!(past, EscalationFigures::default());
        let own = rs::escalations(db, Scope::Commune(b.id), today - Duration::days(1), today).await.unwrap();
        assert_eq!((own.raised, own.open_at_end, own.overdue_at_end), (1, 1, 1));
        t.cleanup().await;
    }
}

#[tokio::test]
async fn seizures_inspections_classes_and_venues_are_summed_by_hand() {
    for t in testing::all().await.unwrap() {
        let db = &t.db;
        let (qn, a, b) = province(db).await;
        let (from, to) = (d(2026, 3, 15), d(2026, 4, 14));
        let case = |unit: &Unit, on: NaiveDate, lines: Vec<SeizureLine>| NewCase {
            reference: String::new(),
            occurred_on: on,
            unit_id: unit.id,
            location: None,
            summary: "Vụ việc".into(),
            outcome: CaseOutcome::Administrative,
            figures: OutcomeFigures { prosecuted_cases: 0, defendants: 0, persons_handled: 1 },
            subjects: Vec::new(),
            seizures: lines,
            ring_id: None,
        };
        let line = |drug, q, unit| SeizureLine::new(drug, q, unit).unwrap();
        let scope = Scope::Province(qn.id);
        for c in [
            case(
                &a,
                d(2026, 3, 20),
                vec![
                    line(Drug::Heroin, 120.5, QuantityUnit::Gram),
                    line(Drug::Heroin, 2.0, QuantityUnit::Brick),
                ],
            ),
            case(
                &b,
                d(2026, 4, 1),
                vec![
                    line(Drug::Heroin, 30.0, QuantityUnit::Gram),
                    line(Drug::Heroin, 1.5, QuantityUnit::Kilogram),
                ],
            ),
            case(
                &b,
                d(2026, 4, 2),
                vec![
                    line(Drug::Synthetic, 3000.0, QuantityUnit::Tablet),
                    line(Drug::Synthetic, 500.0, QuantityUnit::Tablet),
                ],
            ),
            // Outside the period.
            case(&a, d(2026, 4, 15), vec![line(Drug::Heroin, 999.0, QuantityUnit::Gram)]),
        ] {
            cases::create(db, None, &c, scope, 200.0, None, None).await.unwrap();
        }
        let s = rs::seizures(db, scope, from, to).await.unwrap();
        let got: Vec<(Drug, QuantityUnit, f64, i64)> =
            s.iter().map(|x| (x.drug, x.unit, x.quantity, x.cases)).collect();
        assert_eq!(
            got,
            vec![
                (Drug::Heroin, QuantityUnit::Gram, 150.5, 2),
                (Drug::Heroin, QuantityUnit::Kilogram, 1.5, 1),
                (Drug::Heroin, QuantityUnit::Brick, 2.0, 1),
                (Drug::Synthetic, QuantityUnit::Tablet, 3500.0, 1),
            ],
            "grams, kilograms and bricks stay apart ({})",
            db.backend().as_str()
        );
        assert_eq!(rs::seizures(db, Scope::Commune(a.id), from, to).await.unwrap().len(), 2);

        // Businesses: a karaoke inspected twice (one ad hoc with violations), a massage
        // once, and an inspection outside the period.
        let nb = |name: &str, unit: &Unit, line| NewBusiness {
            name: name.into(),
            line,
            certificate_no: String::new(),
            certificate_on: None,
            address: String::new(),
            unit_id: unit.id,
            location: None,
        };
        let k = businesses::create(db, &nb("Karaoke", &a, BusinessLine::Karaoke), None, None).await.unwrap();
        let m = businesses::create(db, &nb("Massage", &b, BusinessLine::Massage), None, None).await.unwrap();
        let insp = |kind, on, violations: &str| NewInspection {
            kind,
            on,
            findings: "Kiểm tra".into(),
            violations: violations.into(),
            sanctions: String::new(),
        };
        for (id, i) in [
            (k, insp(InspectionKind::Planned, d(2026, 3, 20), "")),
            (k, insp(InspectionKind::AdHoc, d(2026, 4, 10), "Không ghi sổ")),
            (m, insp(InspectionKind::Planned, d(2026, 4, 1), "")),
            (m, insp(InspectionKind::AdHoc, d(2026, 2, 1), "Ngoài kỳ")),
        ] {
            businesses::add_inspection(db, id, scope, &i, None, None).await.unwrap();
        }
        let bf = rs::businesses(db, scope, from, to).await.unwrap();
        let got: Vec<(BusinessLine, i64, i64, i64, i64, i64)> = bf
            .iter()
            .map(|x| {
                (
                    x.line,
                    x.businesses_inspected,
                    x.inspections,
                    x.ad_hoc,
                    x.with_violations,
                    x.businesses_with_violations,
                )
            })
            .collect();
        assert_eq!(got, vec![(BusinessLine::Karaoke, 1, 2, 1, 1, 1), (BusinessLine::Massage, 1, 1, 0, 0, 0)]);

        // Classification of 2026: two communes classified, under two versions.
        let communes = diaban_store::classification::communes(db, scope).await.unwrap();
        for (unit, version, class) in [(&a, "qd28_2025", "type_2"), (&b, "qd3122_2010", "drug_free")] {
            let sql = format!(
                "INSERT INTO classifications (unit_id, year, version, class, inputs, result, thresholds, computed_at) \
                 VALUES ({}, 2026, '{version}', '{class}', '[]', '{{\"criteria\":[],\"missing_inputs\":[]}}', '{{}}', '2026-12-01T00:00:00Z')",
                unit.id
            );
            testing::execute_raw(db, &sql).await.unwrap();
        }
        let cf = rs::classification(db, scope, 2026).await.unwrap();
        assert_eq!(cf.communes, communes.len() as i64);
        assert_eq!(cf.not_classified, communes.len() as i64 - 2);
        let got: Vec<(CommuneClass, CriteriaVersion, i64)> =
            cf.lines.iter().map(|l| (l.class, l.version, l.communes)).collect();
        assert_eq!(
            got,
            vec![
                (CommuneClass::Type2, CriteriaVersion::Qd28_2025, 1),
                (CommuneClass::DrugFree, CriteriaVersion::Qd3122_2010, 1)
            ]
        );
        let own = rs::classification(db, Scope::Commune(a.id), 2026).await.unwrap();
        assert_eq!((own.communes, own.not_classified, own.lines.len()), (1, 0, 1));

        // Propaganda: two at schools (30 + 45), one in a commune (100), one outside.
        for (unit, on, venue, n) in [
            (&a, d(2026, 3, 16), VenueType::School, 30),
            (&b, d(2026, 4, 14), VenueType::School, 45),
            (&a, d(2026, 4, 1), VenueType::Commune, 100),
            (&a, d(2026, 4, 15), VenueType::Business, 7),
        ] {
            let act = NewActivity {
                held_on: on,
                unit_id: unit.id,
                organiser: "Công an xã".into(),
                venue_type: venue,
                place: String::new(),
                form: PropagandaForm::ALL[0],
                participants: n,
                materials: 0,
                topic: "thử".into(),
            };
            propaganda::create(db, &act, None, None).await.unwrap();
        }
        let pf = rs::propaganda(db, scope, from, to).await.unwrap();
        assert_eq!(pf.len(), VenueType::ALL.len(), "every venue type, zeros included");
        let get =
            |v: VenueType| pf.iter().find(|x| x.venue == v).map(|x| (x.sessions, x.participants)).unwrap();
        assert_eq!(get(VenueType::School), (2, 75));
        assert_eq!(get(VenueType::Commune), (1, 100));
        assert_eq!(get(VenueType::Business), (0, 0));
        t.cleanup().await;
    }
}

#[tokio::test]
async fn the_breach_register_fixes_the_deadline_and_counts_notifications() {
    for t in testing::all().await.unwrap() {
        let db = &t.db;
        let (qn, a, _) = province(db).await;
        let scope = Scope::Province(qn.id);
        let at = |s: &str| chrono::DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc);
        // From 1/11/2026 the province gives 48 hours.
        diaban_store::parameters::set(
            db,
            data_breaches::PARAMS,
            &serde_json::json!({"breach_notify_hours": 48}),
            d(2026, 11, 1),
            None,
            "",
            None,
        )
        .await
        .unwrap();
        let new = |detected: &str, authority: Option<&str>, persons| NewBreach {
            unit_id: qn.id,
            detected_at: at(detected),
            description: "Sự cố".into(),
            categories: vec![BreachCategory::Health, BreachCategory::Identity],
            persons_affected: persons,
            measures: String::new(),
            authority_notified_at: authority.map(at),
            subjects_notified_at: None,
        };
        let e = || NewEntry {
            actor: "cli".into(),
            action: "data_breach.create".into(),
            outcome: "ok".into(),
            ..Default::default()
        };
        // October (72 h): notified after 70 h, in time.
        let b1 = data_breaches::create(
            db,
            &new("2026-10-20T08:00:00+07:00", Some("2026-10-23T06:00:00+07:00"), 10),
            None,
            e(),
        )
        .await
        .unwrap();
        // November (48 h): notified after 50 h, late.
        data_breaches::create(
            db,
            &new("2026-11-03T08:00:00+07:00", Some("2026-11-05T10:00:00+07:00"), 5),
            None,
            e(),
        )
        .await
        .unwrap();
        // Not notified; detected on the last day of the period: still pending at its end.
        data_breaches::create(db, &new("2026-11-14T20:00:00+07:00", None, 0), None, e()).await.unwrap();
        // Not notified, detected early in the period: overdue at its end.
        let b4 =
            data_breaches::create(db, &new("2026-11-01T08:00:00+07:00", None, 2), None, e()).await.unwrap();
        // Outside the period (15/10–14/11 counted by Vietnam days).
        data_breaches::create(db, &new("2026-11-15T00:30:00+07:00", None, 100), None, e()).await.unwrap();
        let one = data_breaches::get(db, scope, b1).await.unwrap().unwrap();
        assert_eq!((one.notify_hours, one.notify_deadline), (72, at("2026-10-23T08:00:00+07:00")));
        assert_eq!(one.categories, vec![BreachCategory::Health, BreachCategory::Identity]);
        let four = data_breaches::get(db, scope, b4).await.unwrap().unwrap();
        assert_eq!(four.notify_hours, 48);
        let now = at("2026-12-07T00:00:00Z");
        let f = data_breaches::figures(db, scope, d(2026, 10, 15), d(2026, 11, 14), now).await.unwrap();
        let want = BreachFigures {
            detected: 4,
            notified_in_time: 1,
            notified_late: 1,
            pending: 1,
            overdue: 1,
            subjects_notified: 0,
            persons_affected: 17,
        };
        assert_eq!(f, want, "{}", db.backend().as_str());
        // Notifying the persons later does not change the period's frozen view at its end.
        data_breaches::set_notified(
            db,
            b4,
            Some(at("2026-11-20T08:00:00+07:00")),
            Some(at("2026-11-20T09:00:00+07:00")),
            e(),
        )
        .await
        .unwrap();
        let f2 = data_breaches::figures(db, scope, d(2026, 10, 15), d(2026, 11, 14), now).await.unwrap();
        assert_eq!(f2, want);
        let four = data_breaches::get(db, scope, b4).await.unwrap().unwrap();
        assert_eq!(four.status, diaban_domain::breach::NotifyStatus::Late);
        // A commune sees none of the province's register.
        assert!(data_breaches::list(db, Scope::Commune(a.id)).await.unwrap().is_empty());
        assert_eq!(data_breaches::list(db, scope).await.unwrap().len(), 5);
        t.cleanup().await;
    }
}

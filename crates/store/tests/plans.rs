//! Plans, targets and tasks on every available engine: the shipped examples, targets
//! replaced in one transaction, the territory of KH 3220 through the 2025 lineage on the
//! real reference data, and the work on a task (reports, reminders with notifications,
//! inspections, difficulties as escalations, the late list) under scope.

use chrono::NaiveDate;
use diaban_domain::UnitLevel;
use diaban_domain::access::Role;
use diaban_domain::indicator::IndicatorId;
use diaban_domain::plan::{Comparator, LateReason, ReportingFrequency, SupervisionKind, Target, TaskState};
use diaban_store::audit::NewEntry;
use diaban_store::escalations::Visibility;
use diaban_store::persons::Scope;
use diaban_store::plan_tasks::{self, NewTask, TaskFilter, TaskVisibility};
use diaban_store::units::{self, Unit};
use diaban_store::{Db, DbError, escalations, notifications, plans, reference, testing, users};

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

fn entry(action: &str) -> Option<NewEntry> {
    Some(NewEntry { actor: "cli".into(), action: action.into(), ..Default::default() })
}

async fn unit(db: &Db, code: &str, level: UnitLevel) -> Unit {
    units::by_code(db, code, Some(level), d(2026, 1, 1)).await.unwrap().unwrap()
}

async fn user(db: &Db, name: &str, role: Role, unit: &Unit) -> i64 {
    users::create(
        db,
        &users::NewUser {
            username: name.into(),
            display_name: name.into(),
            password_hash: "x".into(),
            role,
            unit_id: unit.id,
            must_change_password: false,
        },
    )
    .await
    .unwrap()
}

async fn kh3220(db: &Db) -> plans::PlanRow {
    plans::list(db).await.unwrap().into_iter().find(|p| p.number == "3220/KH-UBND").expect("KH 3220 shipped")
}

#[tokio::test]
async fn the_example_plans_ship_with_their_targets_and_are_editable() {
    for t in testing::all().await.unwrap() {
        let db = &t.db;
        reference::load_units(db).await.unwrap();
        let all = plans::list(db).await.unwrap();
        assert_eq!(all.len(), 2, "{all:?}");
        let kh = kh3220(db).await;
        assert_eq!(kh.issued_on, d(2023, 9, 25));
        assert_eq!(kh.baseline_on, d(2023, 9, 25));
        assert_eq!(kh.issuer_unit_code.as_deref(), Some("62"));
        assert_eq!(kh.owner_unit_code.as_deref(), Some("51"));
        let targets = plans::targets(db, kh.id).await.unwrap();
        let ids: Vec<_> = targets.iter().map(|(_, t)| t.indicator.as_str()).collect();
        assert_eq!(
            ids,
            [
                "t1_sites_change",
                "t2_hot_spots_eliminated",
                "t3_areas_transformed",
                "t4_areas_not_relapsed",
                "t5_persons_reached",
                "t6_addicts_growth",
                "t6_problem_communes_growth"
            ]
        );
        let t1 = &targets[0].1;
        assert_eq!((t1.comparator, t1.value, t1.year, t1.deadline), (Comparator::Le, -5.0, None, None));
        let t2 = &targets[1].1;
        assert_eq!((t2.comparator, t2.value, t2.deadline), (Comparator::Ge, 80.0, Some(d(2025, 12, 14))));
        assert_eq!(targets[4].1.comparator, Comparator::Gt);
        assert_eq!(targets[5].1.comparator, Comparator::Lt);

        let national = all.iter().find(|p| p.is_national()).expect("national plan");
        let nt = plans::targets(db, national.id).await.unwrap();
        assert_eq!(nt.len(), 5);
        let df = nt.iter().find(|(_, t)| t.indicator == IndicatorId::DrugFreeCommunes).unwrap();
        assert_eq!((df.1.value, df.1.deadline), (50.0, Some(d(2030, 12, 14))));

        // Quảng Ngãi sees KH 3220 then the national plan; Hà Nội only the national one.
        let qn = unit(db, "51", UnitLevel::Province).await;
        let hn = unit(db, "01", UnitLevel::Province).await;
        let mine: Vec<_> = plans::for_province(db, qn.id).await.unwrap().into_iter().map(|p| p.id).collect();
        assert_eq!(mine, vec![kh.id, national.id]);
        let hanoi: Vec<_> = plans::for_province(db, hn.id).await.unwrap().into_iter().map(|p| p.id).collect();
        assert_eq!(hanoi, vec![national.id]);

        // Targets are replaced as a whole; a bad one changes nothing.
        let new = vec![
            Target {
                indicator: IndicatorId::T3AreasTransformed,
                comparator: Comparator::Ge,
                value: 65.0,
                year: Some(2025),
                deadline: None,
                note: "sửa".into(),
            },
            t1.clone(),
        ];
        plans::set_targets(db, kh.id, &new, entry("plan.targets")).await.unwrap();
        let got: Vec<Target> = plans::targets(db, kh.id).await.unwrap().into_iter().map(|x| x.1).collect();
        assert_eq!(got, new);
        let mut bad = new.clone();
        bad.push(Target { deadline: Some(d(2020, 1, 1)), ..t2.clone() });
        assert!(matches!(plans::set_targets(db, kh.id, &bad, None).await, Err(DbError::Invalid(_))));
        assert_eq!(plans::targets(db, kh.id).await.unwrap().len(), 2);
        assert!(matches!(plans::set_targets(db, 999_999, &new, None).await, Err(DbError::NotFound)));

        // The plan itself is editable.
        let mut p = kh.plan();
        p.period_to = d(2026, 12, 14);
        plans::update(db, kh.id, &p, entry("plan.update")).await.unwrap();
        assert_eq!(plans::get(db, kh.id).await.unwrap().unwrap().period_to, d(2026, 12, 14));
        p.period_to = d(2020, 1, 1);
        assert!(matches!(plans::update(db, kh.id, &p, None).await, Err(DbError::Invalid(_))));
        let mut other = p.clone();
        other.number = "15/KH-UBND".into();
        other.period_to = d(2027, 12, 14);
        let id = plans::create(db, &other, entry("plan.create")).await.unwrap();
        assert_eq!(plans::get(db, id).await.unwrap().unwrap().number, "15/KH-UBND");
        t.cleanup().await;
    }
}

#[tokio::test]
async fn kh3220_covers_the_current_communes_that_came_from_legacy_kon_tum() {
    for t in testing::all().await.unwrap() {
        let db = &t.db;
        reference::load_units(db).await.unwrap();
        let kh = kh3220(db).await;
        let covered = plans::covered_communes(db, kh.id).await.unwrap();
        // 102 legacy Kon Tum communes went into 40 of Quảng Ngãi's 96 current communes.
        assert_eq!(covered.len(), 40);
        let qn = unit(db, "51", UnitLevel::Province).await;
        let got = units::get_many(db, &covered).await.unwrap();
        assert!(got.iter().all(|u| u.parent_id == Some(qn.id) && !u.is_legacy() && u.level == "commune"));
        let codes: Vec<_> = got.iter().map(|u| u.code.as_str()).collect();
        assert!(codes.contains(&"23293"), "Phường Kon Tum");
        assert!(!codes.contains(&"21025"), "Phường Cẩm Thành was never in Kon Tum");
        // Each covered commune has a predecessor in legacy Kon Tum.
        let kt = units::by_code(db, "62", Some(UnitLevel::Province), d(2023, 9, 25)).await.unwrap().unwrap();
        for u in got.iter().take(5) {
            let pred = units::predecessors(db, u).await.unwrap();
            let mut in_kt = false;
            for l in pred {
                let district = units::get(db, l.unit.parent_id.unwrap()).await.unwrap();
                in_kt |= district.parent_id == Some(kt.id);
            }
            assert!(in_kt, "{}", u.name);
        }
        // A national plan covers every current commune.
        let national = plans::list(db).await.unwrap().into_iter().find(|p| p.is_national()).unwrap();
        assert_eq!(plans::covered_communes(db, national.id).await.unwrap().len(), 3321);
        t.cleanup().await;
    }
}

#[tokio::test]
async fn tasks_are_reported_reminded_inspected_and_escalated_within_scope() {
    for t in testing::all().await.unwrap() {
        let db = &t.db;
        reference::load_units(db).await.unwrap();
        let kh = kh3220(db).await;
        let qn = unit(db, "51", UnitLevel::Province).await;
        let kon_tum = unit(db, "23293", UnitLevel::Commune).await;
        let cam_thanh = unit(db, "21025", UnitLevel::Commune).await;
        let pc04 = user(db, "pc04", Role::ProvinceOfficer, &qn).await;
        let ca_kt = user(db, "ca_kontum", Role::CommuneOfficer, &kon_tum).await;
        let ca_ct = user(db, "ca_camthanh", Role::CommuneOfficer, &cam_thanh).await;
        let health = user(db, "so_y_te", Role::Partner, &qn).await;
        let education = user(db, "so_gd", Role::Partner, &qn).await;
        assert_eq!(
            plan_tasks::partners(db, qn.id).await.unwrap().iter().map(|p| p.0).collect::<Vec<_>>(),
            vec![education, health],
            "by display name"
        );

        let task = |unit: &Unit, agency: &str, partner: Option<i64>, title: &str, deadline| NewTask {
            plan_id: kh.id,
            unit_id: unit.id,
            agency: agency.into(),
            partner_user_id: partner,
            title: title.into(),
            description: String::new(),
            assigned_on: d(2025, 1, 10),
            deadline,
            frequency: ReportingFrequency::Monthly,
        };
        let a = plan_tasks::create(
            db,
            &task(&kon_tum, "", None, "Rà soát điểm", d(2025, 12, 14)),
            Some(pc04),
            entry("plan_task.create"),
        )
        .await
        .unwrap();
        let b = plan_tasks::create(
            db,
            &task(&cam_thanh, "", None, "Triệt xóa tụ điểm", d(2025, 6, 30)),
            Some(pc04),
            None,
        )
        .await
        .unwrap();
        let c = plan_tasks::create(
            db,
            &task(&qn, "Sở Y tế", Some(health), "Điều trị methadone", d(2025, 12, 14)),
            Some(pc04),
            None,
        )
        .await
        .unwrap();
        // A task needs a title and a deadline after the plan's issue.
        assert!(matches!(
            plan_tasks::create(db, &task(&qn, "", None, " ", d(2025, 12, 14)), None, None).await,
            Err(DbError::Invalid(_))
        ));
        assert!(matches!(
            plan_tasks::create(db, &task(&qn, "", None, "x", d(2023, 1, 1)), None, None).await,
            Err(DbError::Invalid(_))
        ));
        // KH 3220 ends on 14/12/2025: a task due the day after is refused, nothing written.
        assert!(matches!(
            plan_tasks::create(db, &task(&qn, "", None, "x", d(2025, 12, 15)), None, None).await,
            Err(diaban_store::DbError::Invalid(m)) if m.contains("14/12/2025")
        ));
        // The assignees were told.
        let kinds = |u| async move { notifications::list(db, u, 10).await.unwrap() };
        assert_eq!(kinds(ca_kt).await.len(), 1);
        assert_eq!(kinds(health).await[0].kind, "plan_task.assign");

        let today = d(2025, 11, 30);
        let police = TaskVisibility { scope: Scope::Province(qn.id), only_partner: None };
        let commune_kt = TaskVisibility { scope: Scope::Commune(kon_tum.id), only_partner: None };
        let partner = TaskVisibility { scope: Scope::Province(qn.id), only_partner: Some(health) };
        let partner_gd = TaskVisibility { scope: Scope::Province(qn.id), only_partner: Some(education) };
        let ids = |v: Vec<plan_tasks::Task>| v.into_iter().map(|t| t.id).collect::<Vec<_>>();
        let f = TaskFilter { plan_id: Some(kh.id), ..Default::default() };
        let mut all = ids(plan_tasks::list(db, police, &f, today).await.unwrap());
        all.sort_unstable();
        assert_eq!(all, vec![a, b, c]);
        assert_eq!(ids(plan_tasks::list(db, commune_kt, &f, today).await.unwrap()), vec![a]);
        assert_eq!(ids(plan_tasks::list(db, partner, &f, today).await.unwrap()), vec![c]);
        assert!(plan_tasks::list(db, partner_gd, &f, today).await.unwrap().is_empty());
        assert!(plan_tasks::get(db, b, commune_kt, today).await.unwrap().is_none());
        let hn = unit(db, "01", UnitLevel::Province).await;
        let hanoi = TaskVisibility { scope: Scope::Province(hn.id), only_partner: None };
        assert!(plan_tasks::get(db, a, hanoi, today).await.unwrap().is_none());

        // Reports: the checks, then the last one counts for lateness.
        let bad = plan_tasks::add_report(db, a, today, 101, "x", today, Some(ca_kt), None).await;
        assert!(matches!(bad, Err(DbError::Invalid(ref m)) if m.contains("0 đến 100")), "{bad:?}");
        let future = plan_tasks::add_report(db, a, d(2025, 12, 1), 10, "x", today, Some(ca_kt), None).await;
        assert!(matches!(future, Err(DbError::Invalid(_))));
        plan_tasks::add_report(
            db,
            a,
            d(2025, 11, 20),
            40,
            "Đã rà soát 4 thôn",
            today,
            Some(ca_kt),
            entry("plan_task.report"),
        )
        .await
        .unwrap();
        plan_tasks::add_report(db, c, d(2025, 9, 1), 70, "Cấp phát thuốc", today, Some(health), None)
            .await
            .unwrap();
        let got = plan_tasks::get(db, a, commune_kt, today).await.unwrap().unwrap();
        assert_eq!((got.last_percent, got.last_report_on, got.late), (Some(40), Some(d(2025, 11, 20)), None));
        let reports = plan_tasks::reports(db, a).await.unwrap();
        assert_eq!((reports.len(), reports[0].by_name.as_deref()), (1, Some("ca_kontum")));

        // Late: b's deadline passed; c has not reported for over a month; a is fine.
        let late = plan_tasks::late(db, police, today).await.unwrap();
        let reasons: Vec<_> = late.iter().map(|t| (t.id, t.late)).collect();
        assert_eq!(
            reasons,
            vec![(b, Some(LateReason::DeadlinePassed)), (c, Some(LateReason::NoRecentReport))]
        );
        assert!(plan_tasks::late(db, commune_kt, today).await.unwrap().is_empty());
        // Done tasks are never late.
        plan_tasks::set_state(db, b, TaskState::Done, today, entry("plan_task.done")).await.unwrap();
        assert_eq!(ids(plan_tasks::late(db, police, today).await.unwrap()), vec![c]);
        let done = plan_tasks::get(db, b, police, today).await.unwrap().unwrap();
        assert_eq!((done.state, done.done_on), (TaskState::Done, Some(today)));

        // A reminder notifies the assignee; inspections do not.
        let before = kinds(health).await.len();
        plan_tasks::supervise(
            db,
            c,
            SupervisionKind::Reminder,
            today,
            "Đề nghị báo cáo tiến độ",
            today,
            Some(pc04),
            entry("plan_task.remind"),
        )
        .await
        .unwrap();
        plan_tasks::supervise(
            db,
            c,
            SupervisionKind::Inspection,
            today,
            "Đã kiểm tra hồ sơ",
            today,
            Some(pc04),
            None,
        )
        .await
        .unwrap();
        let told = kinds(health).await;
        assert_eq!(told.len(), before + 1);
        assert_eq!(
            (told[0].kind.as_str(), told[0].target_type.as_str(), told[0].target_id),
            ("plan_task.reminder", "plan_task", c)
        );
        let sup = plan_tasks::supervision(db, c).await.unwrap();
        assert_eq!(sup.len(), 2);
        assert!(
            sup.iter().any(|s| s.kind == SupervisionKind::Inspection && s.by_name.as_deref() == Some("pc04"))
        );
        plan_tasks::supervise(db, a, SupervisionKind::Reminder, today, "Nhắc", today, Some(pc04), None)
            .await
            .unwrap();
        assert_eq!(kinds(ca_kt).await[0].kind, "plan_task.reminder");
        assert!(kinds(ca_ct).await.iter().all(|n| n.target_id != a));
        assert!(matches!(
            plan_tasks::supervise(db, a, SupervisionKind::Guidance, today, " ", today, None, None).await,
            Err(DbError::Invalid(_))
        ));

        // A difficulty becomes an escalation at the provincial police, linked to the task.
        let task_a = plan_tasks::get(db, a, commune_kt, today).await.unwrap().unwrap();
        let e = plan_tasks::raise_difficulty(
            db,
            &task_a,
            "Thiếu kinh phí",
            "Xin hỗ trợ kinh phí rà soát",
            today,
            15,
            Some(ca_kt),
            entry("escalation.raise"),
        )
        .await
        .unwrap();
        let linked = plan_tasks::escalations_of(db, a).await.unwrap();
        assert_eq!(linked.len(), 1);
        assert_eq!(
            (linked[0].id, linked[0].source_type.as_str(), linked[0].unit_id),
            (e, "plan_task", kon_tum.id)
        );
        let vis = Visibility { scope: Scope::Province(qn.id), only_raised_by: None };
        assert!(escalations::get(db, e, vis).await.unwrap().is_some());
        assert!(kinds(pc04).await.iter().any(|n| n.kind == "escalation.raise" && n.target_id == e));
        t.cleanup().await;
    }
}

//! The transformation programme and key routes on every available engine: the state
//! machine with its dated steps, the refusals (wrong state, dates outside the programme
//! or in the future, unknown checklist items, a recognition without a passed
//! evaluation), the versioned checklist, the T3/T4 figures on a hand-computed fixture,
//! and route membership feeding classification criterion (đ).

use chrono::NaiveDate;
use diaban_domain::UnitLevel;
use diaban_domain::area::{Answer, AreaParams, AreaState, ChecklistItem, transformation_figures};
use diaban_domain::route::RouteMode;
use diaban_store::areas::{self, Actor, ChangeError, Decision, Measure, NewArea, NewPlan};
use diaban_store::audit::{self, AuditFilter, NewEntry};
use diaban_store::classification::{self as cls, Commune, InputSource};
use diaban_store::persons::Scope;
use diaban_store::routes::{self, NewRoute};
use diaban_store::units;
use diaban_store::{Db, reference, testing};

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

const TODAY: (i32, u32, u32) = (2026, 11, 30);

fn today() -> NaiveDate {
    d(TODAY.0, TODAY.1, TODAY.2)
}

fn cx(scope: Scope, p: &AreaParams) -> Actor<'_> {
    Actor { scope, params: p, today: today(), by: None }
}

fn yes(on: NaiveDate, number: &str) -> Decision {
    Decision { transformed: true, on, decision_number: number.into(), note: String::new() }
}

fn no(on: NaiveDate, why: &str) -> Decision {
    Decision { transformed: false, on, decision_number: String::new(), note: why.into() }
}

fn entry(action: &str) -> Option<NewEntry> {
    Some(NewEntry { actor: "cli".into(), action: action.into(), ..Default::default() })
}

async fn place(db: &Db) -> (i64, Vec<Commune>) {
    reference::load_units(db).await.unwrap();
    let qn = units::by_code(db, "51", Some(UnitLevel::Province), d(2026, 1, 1)).await.unwrap().unwrap();
    let all = cls::communes(db, Scope::Province(qn.id)).await.unwrap();
    (qn.id, all)
}

fn new_area(c: &Commune, part: &str, on: NaiveDate) -> NewArea {
    NewArea {
        unit_id: c.id,
        name: format!("{part} {}", c.name),
        part: part.into(),
        location: None,
        decision_number: "12/QĐ-UBND".into(),
        decision_date: on,
        decision_signer: "Chủ tịch UBND tỉnh".into(),
        previous_area_id: None,
    }
}

fn plan(from: NaiveDate, to: NaiveDate) -> NewPlan {
    NewPlan {
        starts_on: from,
        ends_on: to,
        measures: vec![Measure {
            measure: "Tuyên truyền tại thôn".into(),
            unit: "Công an xã".into(),
            person: "Trưởng Công an xã".into(),
        }],
        note: String::new(),
    }
}

fn answers(pass: bool) -> Vec<Answer> {
    let list = diaban_domain::area::Checklist::example_vi();
    list.items
        .iter()
        .filter(|i| i.required)
        .enumerate()
        .map(|(k, i)| Answer { code: i.code.clone(), met: pass || k > 0, note: None })
        .collect()
}

/// Runs an area through the programme up to recognition as transformed on `on`.
async fn transformed(
    db: &Db,
    scope: Scope,
    c: &Commune,
    part: &str,
    selected: NaiveDate,
    on: NaiveDate,
) -> i64 {
    let p = AreaParams::default();
    let id = areas::select(db, &new_area(c, part, selected), cx(scope, &p), None).await.unwrap();
    areas::save_plan(db, id, cx(scope, &p), &plan(selected, on), None).await.unwrap();
    areas::start(db, id, cx(scope, &p), selected, None).await.unwrap();
    assert!(areas::evaluate_area(db, id, cx(scope, &p), on, answers(true), "Hội đồng", None).await.unwrap());
    areas::decide(db, id, cx(scope, &p), &yes(on, "99/QĐ-UBND"), None).await.unwrap();
    id
}

#[tokio::test]
async fn an_area_goes_through_the_programme_and_wrong_steps_are_refused() {
    for t in testing::all().await.unwrap() {
        let db = &t.db;
        let (province, communes) = place(db).await;
        let scope = Scope::Province(province);
        let p = AreaParams::default();
        let c = &communes[0];

        // Selection: the decision must be inside the programme and not in the future.
        let early = new_area(c, "Thôn 1", d(2023, 9, 24));
        let e = areas::select(db, &early, cx(scope, &p), None).await.unwrap_err();
        assert!(matches!(e, ChangeError::OutsideProgramme { .. }), "{e}");
        assert!(e.message_vi().contains("ngoài thời gian"));
        let future = new_area(c, "Thôn 1", d(2026, 12, 1));
        assert!(matches!(
            areas::select(db, &future, cx(scope, &p), None).await.unwrap_err(),
            ChangeError::InFuture(_)
        ));
        let mut unsigned = new_area(c, "Thôn 1", d(2024, 1, 10));
        unsigned.decision_signer = " ".into();
        assert!(matches!(
            areas::select(db, &unsigned, cx(scope, &p), None).await.unwrap_err(),
            ChangeError::Invalid { .. }
        ));
        let id =
            areas::select(db, &new_area(c, "Thôn 1", d(2024, 1, 10)), cx(scope, &p), entry("area.select"))
                .await
                .unwrap();
        // The same part cannot be selected twice while its round is open.
        assert!(matches!(
            areas::select(db, &new_area(c, "Thôn 1", d(2024, 2, 1)), cx(scope, &p), None).await.unwrap_err(),
            ChangeError::AlreadySelected(x) if x == id
        ));

        // An evaluation before any plan is a step the programme refuses.
        let e = areas::evaluate_area(db, id, cx(scope, &p), d(2024, 2, 1), answers(true), "Hội đồng", None)
            .await
            .unwrap_err();
        assert!(matches!(e, ChangeError::Refused(_)), "{e}");

        // The plan: not before the decision, ending after it starts.
        let e = areas::save_plan(db, id, cx(scope, &p), &plan(d(2024, 1, 1), d(2024, 12, 31)), None)
            .await
            .unwrap_err();
        assert!(e.message_vi().contains("trước ngày quyết định"), "{}", e.message_vi());
        let e = areas::save_plan(db, id, cx(scope, &p), &plan(d(2024, 3, 1), d(2024, 2, 1)), None)
            .await
            .unwrap_err();
        assert!(matches!(e, ChangeError::Invalid { .. }));
        let mut empty = plan(d(2024, 2, 1), d(2025, 1, 31));
        empty.measures[0].measure = "  ".into();
        assert!(areas::save_plan(db, id, cx(scope, &p), &empty, None).await.is_err());
        let rev = areas::save_plan(db, id, cx(scope, &p), &plan(d(2024, 2, 1), d(2025, 1, 31)), None)
            .await
            .unwrap();
        assert_eq!(rev, 1);
        assert_eq!(areas::get(db, id, scope).await.unwrap().unwrap().state, AreaState::Planned);
        areas::start(db, id, cx(scope, &p), d(2024, 2, 1), None).await.unwrap();
        areas::add_progress(db, id, cx(scope, &p), d(2024, 6, 1), "Đã triệt xóa 1 điểm", None).await.unwrap();
        assert!(matches!(
            areas::add_progress(db, id, cx(scope, &p), d(2026, 12, 2), "x", None).await.unwrap_err(),
            ChangeError::InFuture(_)
        ));

        // Evaluation: an answer to an item that does not exist is refused; a failed one is
        // recorded and recognition is then refused.
        let mut unknown = answers(true);
        unknown.push(Answer { code: "no_such_item".into(), met: true, note: None });
        let e = areas::evaluate_area(db, id, cx(scope, &p), d(2025, 1, 20), unknown, "Hội đồng", None)
            .await
            .unwrap_err();
        assert!(e.message_vi().contains("no_such_item"), "{}", e.message_vi());
        assert!(
            !areas::evaluate_area(db, id, cx(scope, &p), d(2025, 1, 20), answers(false), "Hội đồng", None)
                .await
                .unwrap()
        );
        let e = areas::decide(db, id, cx(scope, &p), &yes(d(2025, 1, 25), "5/QĐ"), None).await.unwrap_err();
        assert!(matches!(e, ChangeError::EvaluationNotPassed));
        areas::decide(db, id, cx(scope, &p), &no(d(2025, 1, 25), "Còn 1 điểm"), None).await.unwrap();
        // A revised plan puts it back to work; the second evaluation passes.
        let rev = areas::save_plan(db, id, cx(scope, &p), &plan(d(2025, 2, 1), d(2025, 8, 31)), None)
            .await
            .unwrap();
        assert_eq!(rev, 2);
        assert_eq!(areas::get(db, id, scope).await.unwrap().unwrap().state, AreaState::InProgress);
        assert!(
            areas::evaluate_area(db, id, cx(scope, &p), d(2025, 9, 1), answers(true), "Hội đồng", None)
                .await
                .unwrap()
        );
        areas::decide(db, id, cx(scope, &p), &yes(d(2025, 9, 5), "77/QĐ-UBND"), None).await.unwrap();
        let a = areas::get(db, id, scope).await.unwrap().unwrap();
        assert_eq!((a.state, a.state_since), (AreaState::Monitoring, d(2025, 9, 5)));

        // Monitoring: reviews, then the window must end before monitoring closes.
        areas::review(db, id, cx(scope, &p), d(2025, 12, 5), "Ổn định", false, None).await.unwrap();
        let due = areas::monitoring(db, scope, &p, today()).await.unwrap();
        assert_eq!(due.len(), 1);
        assert_eq!((due[0].done, due[0].next_due, due[0].overdue), (1, Some(d(2026, 3, 5)), true));
        let e = areas::close_monitoring(db, id, cx(scope, &p), d(2026, 9, 4), "", None).await.unwrap_err();
        assert!(matches!(e, ChangeError::WindowOpen(end) if end == d(2026, 9, 5)));
        areas::close_monitoring(db, id, cx(scope, &p), d(2026, 9, 5), "", None).await.unwrap();
        let e =
            areas::relapse(db, id, cx(scope, &p), d(2026, 10, 1), "Tái xuất hiện", None).await.unwrap_err();
        assert!(e.message_vi().contains("trạng thái cuối cùng"), "{}", e.message_vi());

        let states: Vec<String> =
            areas::transitions(db, id).await.unwrap().into_iter().map(|t| t.to_state).collect();
        assert_eq!(
            states,
            [
                "selected",
                "planned",
                "in_progress",
                "evaluated",
                "not_transformed",
                "in_progress",
                "evaluated",
                "transformed",
                "monitoring",
                "sustained"
            ]
        );
        assert_eq!(areas::plans(db, id).await.unwrap().len(), 2);
        assert_eq!(areas::evaluations(db, id).await.unwrap().len(), 2);
        assert_eq!(areas::progress(db, id).await.unwrap().len(), 1);
        let f = AuditFilter { action_prefix: Some("area.select".into()), limit: 10, ..Default::default() };
        let logged = audit::search(db, &f).await.unwrap();
        assert_eq!(logged.0.len(), 1);
        assert_eq!(logged.0[0].target_id, id.to_string());

        // A commune officer of another commune does not see it.
        assert!(areas::get(db, id, Scope::Commune(communes[1].id)).await.unwrap().is_none());
        t.cleanup().await;
    }
}

#[tokio::test]
async fn a_new_checklist_version_leaves_past_evaluations_alone() {
    for t in testing::all().await.unwrap() {
        let db = &t.db;
        let (province, communes) = place(db).await;
        let scope = Scope::Province(province);
        let id = transformed(db, scope, &communes[0], "", d(2024, 1, 10), d(2024, 12, 1)).await;
        assert_eq!(areas::current_checklist(db).await.unwrap().version, 1);
        let items =
            vec![ChecklistItem { code: "only".into(), text_vi: "Một tiêu chí".into(), required: true }];
        let v =
            areas::set_checklist(db, items, "Quyết định mới", None, entry("area.checklist")).await.unwrap();
        assert_eq!(v, 2);
        let past = areas::evaluations(db, id).await.unwrap();
        assert_eq!(past[0].checklist_version, 1);
        assert_eq!(past[0].answers.len(), answers(true).len());
        assert_eq!(areas::checklist_version(db, 1).await.unwrap().unwrap().items.len(), 7);
        // A checklist without a required item, or with a duplicated code, is refused.
        let none_required = vec![ChecklistItem { code: "a".into(), text_vi: "A".into(), required: false }];
        assert!(matches!(
            areas::set_checklist(db, none_required, "", None, None).await.unwrap_err(),
            ChangeError::Checklist(_)
        ));
        let twice = vec![
            ChecklistItem { code: "a".into(), text_vi: "A".into(), required: true },
            ChecklistItem { code: "a".into(), text_vi: "B".into(), required: false },
        ];
        assert!(areas::set_checklist(db, twice, "", None, None).await.is_err());
        assert_eq!(areas::checklist_versions(db).await.unwrap().len(), 2);
        t.cleanup().await;
    }
}

#[tokio::test]
async fn t3_and_t4_on_a_hand_computed_fixture() {
    for t in testing::all().await.unwrap() {
        let db = &t.db;
        let (province, communes) = place(db).await;
        let scope = Scope::Province(province);
        let p = AreaParams::default();
        // A: transformed 1/3/2024, window ends 1/3/2025, sustained.
        let a = transformed(db, scope, &communes[0], "", d(2024, 1, 10), d(2024, 3, 1)).await;
        areas::close_monitoring(db, a, cx(scope, &p), d(2025, 3, 1), "", None).await.unwrap();
        // B: transformed 1/6/2024, relapsed 1/12/2024 (inside the window).
        let b = transformed(db, scope, &communes[1], "", d(2024, 1, 10), d(2024, 6, 1)).await;
        areas::relapse(db, b, cx(scope, &p), d(2024, 12, 1), "Phát hiện điểm mới", None).await.unwrap();
        // C: transformed 1/10/2025: its window ends 1/10/2026.
        transformed(db, scope, &communes[2], "", d(2025, 1, 10), d(2025, 10, 1)).await;
        // D: selected only. E: selected after the date of the figures.
        areas::select(db, &new_area(&communes[3], "", d(2024, 5, 5)), cx(scope, &p), None).await.unwrap();
        areas::select(db, &new_area(&communes[4], "", d(2026, 2, 1)), cx(scope, &p), None).await.unwrap();

        let histories: Vec<_> = areas::histories(db, scope, None).await.unwrap().into_values().collect();
        assert_eq!(histories.len(), 5);
        for h in &histories {
            h.check().unwrap();
        }
        // At 31/12/2025: selected A B C D = 4; transformed A B C = 3; past the window A B
        // = 2; relapsed within it B = 1; through the window without relapse A = 1.
        // T3 = 3/4; T4 over the areas transformed (DOMAIN.md §1) = 1/3 (C is still inside
        // its window, so not yet a success).
        let f = transformation_figures(&histories, d(2025, 12, 31), p.monitoring_months);
        assert_eq!(
            (
                f.selected,
                f.transformed,
                f.transformed_past_window,
                f.relapsed_within_window,
                f.not_relapsed_after_window
            ),
            (4, 3, 2, 1, 1)
        );
        assert_eq!((f.t3(), f.t4()), (Some(0.75), Some(1.0 / 3.0)));
        // At 1/10/2026 C's window has ended too: T4 = 2/3; E is selected: T3 = 3/5.
        let f = transformation_figures(&histories, d(2026, 10, 1), p.monitoring_months);
        assert_eq!((f.selected, f.transformed_past_window, f.not_relapsed_after_window), (5, 3, 2));
        // The relapsed area is selected again as a new round; the first still counts.
        let mut again = new_area(&communes[1], "", d(2026, 3, 1));
        again.previous_area_id = Some(b);
        let b2 = areas::select(db, &again, cx(scope, &p), None).await.unwrap();
        assert_ne!(b, b2);
        let mut bogus = new_area(&communes[3], "x", d(2026, 3, 1));
        bogus.previous_area_id = Some(a);
        assert!(areas::select(db, &bogus, cx(scope, &p), None).await.is_err());
        // One commune only.
        let one = areas::histories(db, scope, Some(communes[1].id)).await.unwrap();
        assert_eq!(one.len(), 2);
        t.cleanup().await;
    }
}

#[tokio::test]
async fn routes_link_communes_across_provinces_and_feed_criterion_dd() {
    for t in testing::all().await.unwrap() {
        let db = &t.db;
        let (province, communes) = place(db).await;
        let scope = Scope::Province(province);
        let year = 2025;
        // No route recorded yet: membership is missing, not "no".
        let ids: Vec<i64> = communes.iter().take(3).map(|c| c.id).collect();
        let inputs = cls::current_inputs(db, scope, &ids, year).await.unwrap();
        let on_route = |m: &std::collections::HashMap<i64, Vec<cls::SourcedInput>>, id: i64| {
            m[&id].iter().find(|i| i.field == "on_key_route").cloned().unwrap()
        };
        assert_eq!(on_route(&inputs, ids[0]).source, InputSource::Missing);

        // A route from a commune of Quảng Ngãi into a commune of another province.
        let other =
            units::by_code(db, "48", Some(UnitLevel::Province), d(2026, 1, 1)).await.unwrap().unwrap();
        let outside = cls::communes(db, Scope::Province(other.id)).await.unwrap();
        let route = NewRoute {
            name: "Quốc lộ thử".into(),
            mode: RouteMode::Road,
            description: String::new(),
            valid_from: d(2025, 1, 1),
            valid_to: None,
            unit_ids: vec![ids[0], outside[0].id],
        };
        let id = routes::create(db, &route, None, entry("route.create")).await.unwrap();
        let inputs = cls::current_inputs(db, scope, &ids, year).await.unwrap();
        let first = on_route(&inputs, ids[0]);
        assert_eq!((first.source, first.value), (InputSource::Registry, Some(1.0)));
        assert_eq!(on_route(&inputs, ids[1]).value, Some(0.0));
        // Not in force in 2024.
        let before = cls::current_inputs(db, scope, &ids, 2024).await.unwrap();
        assert_eq!(on_route(&before, ids[0]).value, Some(0.0));
        // Visible from both provinces, with its communes in order.
        assert_eq!(routes::list(db, scope).await.unwrap().len(), 1);
        assert_eq!(routes::list(db, Scope::Province(other.id)).await.unwrap().len(), 1);
        assert!(routes::get(db, id, Scope::Commune(ids[1])).await.unwrap().is_none());
        let members = routes::units_of(db, id).await.unwrap();
        assert_eq!(members.iter().map(|m| m.unit_id).collect::<Vec<_>>(), [ids[0], outside[0].id]);
        // Bad input: one commune, a unit listed twice, a province as a member, reversed dates.
        let mut bad = route.clone();
        bad.unit_ids = vec![ids[0]];
        assert!(routes::create(db, &bad, None, None).await.is_err());
        bad.unit_ids = vec![ids[0], ids[0]];
        assert!(routes::create(db, &bad, None, None).await.is_err());
        bad.unit_ids = vec![ids[0], province];
        assert!(
            routes::create(db, &bad, None, None).await.unwrap_err().to_string().contains("not a commune")
        );
        bad.unit_ids = vec![ids[0], ids[1]];
        bad.valid_to = Some(d(2024, 1, 1));
        assert!(routes::create(db, &bad, None, None).await.is_err());
        // Moving the route off the first commune updates the count.
        let mut moved = route.clone();
        moved.unit_ids = vec![ids[1], ids[2]];
        routes::update(db, id, scope, &moved, entry("route.update")).await.unwrap();
        let inputs = cls::current_inputs(db, scope, &ids, year).await.unwrap();
        assert_eq!(on_route(&inputs, ids[0]).value, Some(0.0));
        assert_eq!(on_route(&inputs, ids[2]).value, Some(1.0));
        t.cleanup().await;
    }
}

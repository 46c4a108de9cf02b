use super::*;
use proptest::prelude::*;
use proptest::sample::select;
use serde::Deserialize;
use serde::de::value::{Error as DeError, StrDeserializer};

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

/// The programme written out independently of `allowed_next`.
const EDGES: [(&str, &str); 9] = [
    ("selected", "planned"),
    ("planned", "in_progress"),
    ("in_progress", "evaluated"),
    ("evaluated", "transformed"),
    ("evaluated", "not_transformed"),
    ("not_transformed", "in_progress"),
    ("transformed", "monitoring"),
    ("monitoring", "sustained"),
    ("monitoring", "relapsed"),
];

fn is_edge(from: AreaState, to: AreaState) -> bool {
    EDGES.contains(&(from.as_str(), to.as_str()))
}

#[test]
fn stored_names_round_trip_and_match_serde() {
    for s in AreaState::ALL {
        assert_eq!(s.as_str().parse::<AreaState>().unwrap(), s);
        let de = AreaState::deserialize(StrDeserializer::<DeError>::new(s.as_str())).unwrap();
        assert_eq!(de, s);
        assert!(!s.label_vi().is_empty() && !s.label_en().is_empty());
    }
    assert!("done".parse::<AreaState>().unwrap_err().to_string().contains("in_progress"));
}

#[test]
fn transition_matches_the_drawn_graph_for_every_pair() {
    for from in AreaState::ALL {
        for to in AreaState::ALL {
            assert_eq!(transition(from, to).is_ok(), is_edge(from, to), "{from} -> {to}");
        }
    }
}

#[test]
fn refusals_list_the_allowed_targets() {
    let e = transition(AreaState::Evaluated, AreaState::Monitoring).unwrap_err();
    assert_eq!(
        e.to_string(),
        "an area cannot move from 'evaluated' to 'monitoring': allowed next states are transformed, not_transformed"
    );
    assert_eq!(
        e.message_vi(),
        "Không thể chuyển địa bàn từ trạng thái «Đã đánh giá» sang «Đang theo dõi không tái phức tạp»; \
         chỉ được chuyển sang: «Được công nhận đã chuyển hóa», «Chưa đạt chuyển hóa»."
    );
    let e = transition(AreaState::Relapsed, AreaState::Selected).unwrap_err();
    assert_eq!(e.to_string(), "an area cannot move to 'selected': 'relapsed' is a final state");
    assert!(e.message_vi().contains("trạng thái cuối cùng"));
}

#[test]
fn params_default_and_schedule() {
    let p = AreaParams::default();
    assert_eq!((p.monitoring_months, p.review_interval_months), (12, 3));
    assert!(p.validate().is_ok());
    assert_eq!(
        p.review_schedule(d(2024, 11, 30)),
        vec![d(2025, 2, 28), d(2025, 5, 30), d(2025, 8, 30), d(2025, 11, 30)]
    );
    assert_eq!(p.window_end(d(2024, 2, 29)), Some(d(2025, 2, 28)));
    let odd = AreaParams { monitoring_months: 12, review_interval_months: 5, ..AreaParams::default() };
    assert_eq!(odd.review_schedule(d(2025, 1, 15)), vec![d(2025, 6, 15), d(2025, 11, 15), d(2026, 1, 15)]);
    let zero = AreaParams { review_interval_months: 0, ..AreaParams::default() };
    assert!(zero.review_schedule(d(2025, 1, 15)).is_empty());
    assert_eq!(
        zero.validate().unwrap_err().to_string(),
        "review_interval_months must be at least 1 month, got 0"
    );
    let long = AreaParams { monitoring_months: 2, review_interval_months: 3, ..AreaParams::default() };
    assert!(long.validate().unwrap_err().message_vi().contains("không được dài hơn"));
}

#[test]
fn programme_period_bounds_decisions_at_both_ends() {
    let p = AreaParams::default();
    assert!(!p.in_programme(d(2023, 9, 24)));
    assert!(p.in_programme(d(2023, 9, 25)));
    assert!(p.in_programme(d(2030, 12, 31)));
    assert!(!p.in_programme(d(2031, 1, 1)));
    let reversed = AreaParams { programme_from: d(2026, 1, 1), programme_to: d(2025, 1, 1), ..p };
    assert!(matches!(reversed.validate(), Err(AreaParamsError::PeriodReversed { .. })));
    // Stored parameters written before the period existed still read, with the defaults.
    let old: AreaParams = serde_json::from_str(r#"{"monitoring_months": 6}"#).unwrap();
    assert_eq!((old.monitoring_months, old.programme_from), (6, d(2023, 9, 25)));
}

fn answer(code: &str, met: bool) -> Answer {
    Answer { code: code.to_owned(), met, note: None }
}

fn all_required_met() -> Evaluation {
    let list = Checklist::example_vi();
    Evaluation {
        checklist_version: list.version,
        answers: list.items.iter().filter(|i| i.required).map(|i| answer(&i.code, true)).collect(),
    }
}

#[test]
fn the_example_checklist_is_valid_and_editable_data() {
    let list = Checklist::example_vi();
    assert!(list.validate().is_ok());
    assert!((5..=8).contains(&list.items.len()));
    assert!(list.items.iter().filter(|i| i.required).count() >= 3);
    assert_eq!(list.items[0].text_vi, "Không còn điểm, tụ điểm phức tạp về ma túy trên địa bàn");
}

#[test]
fn passing_needs_every_required_item_met() {
    let list = Checklist::example_vi();
    let r = evaluate(&list, &all_required_met()).unwrap();
    assert!(r.passed);
    assert_eq!((r.required_total, r.required_met), (5, 5));
    assert_eq!((r.optional_total, r.optional_met), (2, 0));

    let mut e = all_required_met();
    e.answers[1].met = false;
    e.answers.push(Answer {
        code: "propaganda_done".into(),
        met: true,
        note: Some("12 buổi tuyên truyền".into()),
    });
    let r = evaluate(&list, &e).unwrap();
    assert!(!r.passed);
    assert_eq!(r.failed_required, vec!["no_reformation".to_owned()]);
    assert_eq!((r.required_met, r.optional_met), (4, 1));

    // An optional item not met does not fail the area.
    let mut e = all_required_met();
    e.answers.push(answer("reports_handled", false));
    assert!(evaluate(&list, &e).unwrap().passed);
}

#[test]
fn bad_evaluations_name_what_is_wrong() {
    let list = Checklist::example_vi();
    let mut e = all_required_met();
    e.answers.push(answer("no_casinos", true));
    let err = evaluate(&list, &e).unwrap_err();
    assert_eq!(err.to_string(), "checklist 'vi-example' version 1 has no item 'no_casinos'");
    assert!(err.message_vi().contains("«no_casinos»"));

    let mut e = all_required_met();
    e.answers.push(answer("no_sites", false));
    assert_eq!(evaluate(&list, &e).unwrap_err(), ChecklistError::DuplicateAnswer { code: "no_sites".into() });

    let mut e = all_required_met();
    e.answers.retain(|a| a.code != "no_sites" && a.code != "no_drug_plants");
    let err = evaluate(&list, &e).unwrap_err();
    assert_eq!(err.to_string(), "required items not answered: no_sites, no_drug_plants");

    let mut e = all_required_met();
    e.checklist_version = 2;
    assert!(matches!(
        evaluate(&list, &e),
        Err(ChecklistError::VersionMismatch { checklist_version: 1, evaluation_version: 2, .. })
    ));
}

#[test]
fn bad_checklists_are_refused() {
    let mut list = Checklist::example_vi();
    list.items[1].code = "no_sites".into();
    assert!(matches!(list.validate(), Err(ChecklistError::DuplicateItem { .. })));
    let mut list = Checklist::example_vi();
    list.items.iter_mut().for_each(|i| i.required = false);
    assert!(matches!(list.validate(), Err(ChecklistError::NoRequiredItem { .. })));
    let mut list = Checklist::example_vi();
    list.items.clear();
    assert!(matches!(evaluate(&list, &all_required_met()), Err(ChecklistError::Empty { .. })));
}

fn area(steps: &[(NaiveDate, AreaState)]) -> AreaHistory {
    AreaHistory { transitions: steps.to_vec() }
}

/// A full round ending in `end` states after recognition on `transformed_on`.
fn transformed(
    selected_on: NaiveDate,
    transformed_on: NaiveDate,
    after: &[(NaiveDate, AreaState)],
) -> AreaHistory {
    use AreaState::*;
    let mut steps = vec![
        (selected_on, Selected),
        (selected_on, Planned),
        (selected_on, InProgress),
        (transformed_on, Evaluated),
        (transformed_on, Transformed),
        (transformed_on, Monitoring),
    ];
    steps.extend_from_slice(after);
    area(&steps)
}

/// Ten areas counted at the end of 14/12/2025 with a 12-month window; expected figures
/// are worked out on each line.
fn fixture() -> Vec<AreaHistory> {
    use AreaState::*;
    vec![
        // 1. Pờ Y-like: plan 9/2021–9/2022, recognised 1/10/2022, sustained: past window, clean.
        area(&[
            (d(2021, 8, 1), Selected),
            (d(2021, 9, 1), Planned),
            (d(2021, 9, 15), InProgress),
            (d(2022, 9, 15), Evaluated),
            (d(2022, 10, 1), Transformed),
            (d(2022, 10, 1), Monitoring),
            (d(2023, 10, 1), Sustained),
        ]),
        // 2. Relapsed inside its window (ended 1/3/2024): past window, relapsed.
        transformed(d(2022, 1, 1), d(2023, 3, 1), &[(d(2023, 12, 1), Relapsed)]),
        // 3. Relapsed early, window still running: relapsed, not past window.
        transformed(d(2024, 1, 1), d(2025, 3, 1), &[(d(2025, 6, 1), Relapsed)]),
        // 4. Window still running (ends 10/1/2026): transformed only.
        transformed(d(2024, 1, 1), d(2025, 1, 10), &[]),
        // 5. Window ends on the count day, relapse on its last day: past window, relapsed.
        transformed(d(2024, 1, 1), d(2024, 12, 14), &[(d(2025, 12, 14), Relapsed)]),
        // 6. Window ends on the count day, no relapse: past window, clean.
        transformed(d(2024, 1, 1), d(2024, 12, 14), &[]),
        // 7. Relapse recorded after its window (ended 1/1/2024): does not count.
        transformed(d(2022, 1, 1), d(2023, 1, 1), &[(d(2024, 2, 1), Relapsed)]),
        // 8. Not transformed, second round under way: selected only.
        area(&[
            (d(2021, 1, 1), Selected),
            (d(2021, 2, 1), Planned),
            (d(2021, 3, 1), InProgress),
            (d(2022, 3, 1), Evaluated),
            (d(2022, 3, 15), NotTransformed),
            (d(2022, 4, 1), InProgress),
        ]),
        // 9. Selected after the count day: nothing.
        area(&[(d(2026, 1, 1), Selected)]),
        // 10. Recognised the day after the count day: selected only.
        transformed(d(2024, 6, 1), d(2025, 12, 15), &[]),
    ]
}

#[test]
fn figures_on_hand_made_histories() {
    let areas = fixture();
    for a in &areas {
        a.check().unwrap();
    }
    let f = transformation_figures(&areas, d(2025, 12, 14), 12);
    assert_eq!(
        f,
        T3T4 {
            selected: 9,                  // all but 9
            transformed: 7,               // 1–7
            transformed_past_window: 5,   // 1, 2, 5, 6, 7
            relapsed_within_window: 3,    // 2, 3, 5
            not_relapsed_after_window: 2, // 1, 6 (7 relapsed after its window: not a success)
            relapsed_ever: 4,             // 2, 3, 5, 7
        }
    );
    assert_eq!(f.t3(), Some(7.0 / 9.0));
    // T4 over the areas transformed (DOMAIN.md §1), not over the windows ended.
    assert_eq!(f.t4(), Some(2.0 / 7.0));
}

#[test]
fn figures_move_with_the_count_day_and_the_window() {
    let areas = fixture();
    // A day earlier, areas 5 and 6 are still inside their window and 5 has not relapsed.
    let f = transformation_figures(&areas, d(2025, 12, 13), 12);
    assert_eq!((f.transformed_past_window, f.relapsed_within_window), (3, 2));
    assert_eq!(f.not_relapsed_after_window, 1); // 1 (7 relapsed after its window)
    // With a 24-month window area 7's late relapse falls inside it.
    let f = transformation_figures(&areas, d(2025, 12, 14), 24);
    assert_eq!(f.transformed_past_window, 3); // 1 (1/10/2024), 2 (1/3/2025), 7 (1/1/2025)
    assert_eq!(f.not_relapsed_after_window, 1); // 1
    assert_eq!(T3T4::default().t3(), None);
    assert_eq!(T3T4::default().t4(), None);
}

#[test]
fn area_history_check_names_the_problem() {
    use AreaState::*;
    assert_eq!(area(&[]).check(), Err(AreaHistoryError::Empty));
    assert_eq!(area(&[(d(2024, 1, 1), Planned)]).check(), Err(AreaHistoryError::NotSelectedFirst(Planned)));
    let e = area(&[(d(2024, 1, 1), Selected), (d(2024, 2, 1), Transformed)]).check().unwrap_err();
    assert_eq!(
        e.to_string(),
        "transition 1: an area cannot move from 'selected' to 'transformed': allowed next states are planned"
    );
    assert!(e.message_vi().starts_with("Bước chuyển thứ 2:"));
    let e = area(&[(d(2024, 2, 1), Selected), (d(2024, 1, 1), Planned)]).check().unwrap_err();
    assert!(matches!(e, AreaHistoryError::OutOfOrder { index: 1, .. }));
    let h = area(&[(d(2024, 1, 1), Selected), (d(2024, 1, 1), Planned)]);
    assert_eq!(h.state_at(d(2024, 1, 1)), Some(Planned));
    assert_eq!(h.state_at(d(2023, 12, 31)), None);
}

fn can_reach_final(from: AreaState) -> bool {
    let mut seen = vec![from];
    let mut queue = vec![from];
    while let Some(s) = queue.pop() {
        if s.is_final() {
            return true;
        }
        for &n in s.allowed_next() {
            if !seen.contains(&n) {
                seen.push(n);
                queue.push(n);
            }
        }
    }
    false
}

proptest! {
    #[test]
    fn accepted_transitions_follow_the_graph(
        attempts in proptest::collection::vec(select(AreaState::ALL.to_vec()), 0..60)
    ) {
        let mut state = AreaState::Selected;
        for to in attempts {
            match transition(state, to) {
                Ok(()) => {
                    prop_assert!(is_edge(state, to));
                    state = to;
                }
                Err(e) => {
                    prop_assert!(!is_edge(state, to));
                    prop_assert_eq!(e.from, state);
                }
            }
        }
    }

    #[test]
    fn random_walks_can_always_end(choices in proptest::collection::vec(any::<usize>(), 0..60)) {
        let mut state = AreaState::Selected;
        for c in choices {
            prop_assert!(can_reach_final(state));
            let next = state.allowed_next();
            if next.is_empty() {
                prop_assert!(matches!(state, AreaState::Sustained | AreaState::Relapsed));
                break;
            }
            state = next[c % next.len()];
        }
    }

    #[test]
    fn figures_are_consistent(
        offsets in proptest::collection::vec((0u32..2000, proptest::option::of(0u32..1000), proptest::option::of(0u32..800)), 0..20),
        at in 0u32..3000,
        months in 1u32..=36,
    ) {
        let origin = d(2020, 1, 1);
        let day = |n: u32| origin + chrono::Days::new(u64::from(n));
        let areas: Vec<AreaHistory> = offsets
            .iter()
            .map(|&(sel, tr, rel)| match tr {
                None => area(&[(day(sel), AreaState::Selected)]),
                Some(t) => {
                    let after: Vec<_> = rel.map(|r| (day(sel + t + r), AreaState::Relapsed)).into_iter().collect();
                    transformed(day(sel), day(sel + t), &after)
                }
            })
            .collect();
        let f = transformation_figures(&areas, day(at), months);
        prop_assert!(f.transformed <= f.selected);
        prop_assert!(f.transformed_past_window <= f.transformed);
        prop_assert!(f.relapsed_within_window <= f.transformed);
        prop_assert!(f.not_relapsed_after_window <= f.transformed_past_window);
        prop_assert!(f.relapsed_within_window <= f.relapsed_ever);
        prop_assert!(f.not_relapsed_after_window + f.relapsed_ever <= f.transformed);
        prop_assert!(f.t3().is_none_or(|x| (0.0..=1.0).contains(&x)));
        prop_assert!(f.t4().is_none_or(|x| (0.0..=1.0).contains(&x)));
    }
}

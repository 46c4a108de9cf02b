use super::*;
use proptest::prelude::*;
use proptest::sample::select;
use serde::Deserialize;
use serde::de::value::{Error as DeError, StrDeserializer};

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

/// The lifecycle written out independently of `allowed_next`, as DOMAIN.md draws it
/// plus the dismissed exit.
const EDGES: [(&str, &str); 8] = [
    ("reported", "listed"),
    ("reported", "dismissed"),
    ("listed", "under_action"),
    ("under_action", "eliminated"),
    ("eliminated", "monitoring"),
    ("monitoring", "closed"),
    ("monitoring", "reformed"),
    ("reformed", "listed"),
];

fn is_edge(from: SiteState, to: SiteState) -> bool {
    EDGES.contains(&(from.as_str(), to.as_str()))
}

#[test]
fn stored_names_round_trip_and_match_serde() {
    for k in SiteKind::ALL {
        assert_eq!(k.as_str().parse::<SiteKind>().unwrap(), k);
        let de = SiteKind::deserialize(StrDeserializer::<DeError>::new(k.as_str())).unwrap();
        assert_eq!(de, k);
        assert!(!k.label_vi().is_empty() && !k.label_en().is_empty());
    }
    for s in SiteState::ALL {
        assert_eq!(s.as_str().parse::<SiteState>().unwrap(), s);
        let de = SiteState::deserialize(StrDeserializer::<DeError>::new(s.as_str())).unwrap();
        assert_eq!(de, s);
    }
    let err = "hotspot".parse::<SiteKind>().unwrap_err();
    assert_eq!(err.to_string(), "unknown site kind 'hotspot': expected one of point, cluster, risk_point");
}

#[test]
fn transition_matches_the_drawn_graph_for_every_pair() {
    for from in SiteState::ALL {
        for to in SiteState::ALL {
            assert_eq!(transition(from, to).is_ok(), is_edge(from, to), "{from} -> {to}");
        }
    }
}

#[test]
fn refusals_list_the_allowed_targets_in_both_languages() {
    let e = transition(SiteState::Reported, SiteState::Eliminated).unwrap_err();
    assert_eq!(
        e.to_string(),
        "a site cannot move from 'reported' to 'eliminated': allowed next states are listed, dismissed"
    );
    assert_eq!(
        e.message_vi(),
        "Không thể chuyển điểm từ trạng thái «Tiếp nhận tin báo, nghi vấn» sang «Đã triệt xóa»; \
         chỉ được chuyển sang: «Đã xác minh, đưa vào danh sách», «Loại bỏ (tin báo không có cơ sở)»."
    );
    let e = transition(SiteState::Closed, SiteState::Listed).unwrap_err();
    assert_eq!(e.to_string(), "a site cannot move to 'listed': 'closed' is a final state");
    assert!(e.message_vi().contains("trạng thái cuối cùng"));
    assert!(transition(SiteState::Listed, SiteState::Listed).is_err());
}

#[test]
fn default_params_are_domain_values_and_valid() {
    let p = SiteParams::default();
    assert_eq!(p.monitoring_months, 12);
    assert_eq!(p.check_interval_months, 1);
    assert_eq!(p.reformation_radius_m, 200.0);
    assert_eq!(p.cluster_min_subjects, 3);
    assert_eq!(p.far_from_unit_centre_km, 15.0);
    assert!(p.validate().is_ok());
    assert!(p.is_cluster_size(3) && !p.is_cluster_size(2));
}

#[test]
fn bad_params_are_refused_with_the_field_named() {
    let cases: [(SiteParams, &str); 5] = [
        (
            SiteParams { check_interval_months: 0, ..SiteParams::default() },
            "check_interval_months must be at least 1 month, got 0",
        ),
        (
            SiteParams { check_interval_months: 13, ..SiteParams::default() },
            "check_interval_months (13) must not exceed monitoring_months (12)",
        ),
        (
            SiteParams { reformation_radius_m: f64::NAN, ..SiteParams::default() },
            "reformation_radius_m must be a positive number, got NaN",
        ),
        (
            SiteParams { far_from_unit_centre_km: -1.0, ..SiteParams::default() },
            "far_from_unit_centre_km must be a positive number, got -1",
        ),
        (
            SiteParams { cluster_min_subjects: 1, ..SiteParams::default() },
            "cluster_min_subjects must be at least 2 (a cluster is several subjects), got 1",
        ),
    ];
    for (p, msg) in cases {
        let e = p.validate().unwrap_err();
        assert_eq!(e.to_string(), msg);
        assert!(!e.message_vi().is_empty());
    }
}

#[test]
fn monthly_checks_clamp_to_month_end_without_drifting() {
    let due = monitoring_schedule(d(2025, 1, 31), &SiteParams::default());
    assert_eq!(due.len(), 12);
    assert_eq!(due[0], d(2025, 2, 28));
    assert_eq!(due[1], d(2025, 3, 31));
    assert_eq!(due[2], d(2025, 4, 30));
    assert_eq!(due[11], d(2026, 1, 31));
    let leap = monitoring_schedule(d(2024, 1, 31), &SiteParams::default());
    assert_eq!(leap[0], d(2024, 2, 29));
}

#[test]
fn uneven_interval_closes_the_window_with_a_last_check() {
    let p = SiteParams { check_interval_months: 5, ..SiteParams::default() };
    assert_eq!(monitoring_schedule(d(2025, 3, 15), &p), vec![d(2025, 8, 15), d(2026, 1, 15), d(2026, 3, 15)]);
    let quarterly = SiteParams { check_interval_months: 3, ..SiteParams::default() };
    assert_eq!(monitoring_schedule(d(2025, 3, 15), &quarterly).len(), 4);
    let zero = SiteParams { check_interval_months: 0, ..SiteParams::default() };
    assert!(monitoring_schedule(d(2025, 3, 15), &zero).is_empty());
    assert_eq!(monitoring_window_end(d(2025, 3, 15), &SiteParams::default()), Some(d(2026, 3, 15)));
}

#[test]
fn overdue_only_after_due_date_plus_grace() {
    let due = d(2025, 6, 10);
    assert!(!is_overdue(due, d(2025, 6, 10), 0));
    assert!(is_overdue(due, d(2025, 6, 11), 0));
    assert!(!is_overdue(due, d(2025, 6, 17), 7));
    assert!(is_overdue(due, d(2025, 6, 18), 7));
    assert!(!is_overdue(due, d(2025, 6, 1), 0));
}

#[test]
fn vietnam_outline_accepts_the_country_and_rejects_common_mistakes() {
    let inside = [
        (21.0285, 105.8542), // Hà Nội
        (10.7769, 106.7009), // TP Hồ Chí Minh
        (14.3545, 108.0076), // Kon Tum
        (10.2270, 103.9640), // Phú Quốc
        (8.6820, 106.6090),  // Côn Đảo
        (23.3630, 105.3170), // Lũng Cú
        (16.5330, 111.6110), // Hoàng Sa
        (8.6440, 111.9200),  // Trường Sa Lớn
        (11.4290, 114.3330), // Song Tử Tây
    ];
    for (lat, lon) in inside {
        assert!(in_vietnam(lat, lon), "{lat},{lon}");
    }
    let outside = [
        (105.8542, 21.0285), // swapped
        (0.0, 0.0),
        (-21.0285, 105.8542), // lost the sign
        (13.7563, 100.5018),  // Bangkok
        (39.9042, 116.4074),  // Beijing
        (f64::NAN, 105.0),
        (21.0, f64::INFINITY),
    ];
    for (lat, lon) in outside {
        assert!(!in_vietnam(lat, lon), "{lat},{lon}");
    }
}

#[test]
fn haversine_uses_the_stated_radius() {
    let one_degree = haversine_m(10.0, 106.0, 11.0, 106.0);
    assert!((one_degree - EARTH_RADIUS_M * std::f64::consts::PI / 180.0).abs() < 1e-6);
    assert!((one_degree - 111_195.08).abs() < 0.01);
    assert_eq!(haversine_m(16.0, 108.0, 16.0, 108.0), 0.0);
    let hn_hcm = haversine_m(21.0285, 105.8542, 10.7769, 106.7009);
    assert!((1_130_000.0..1_150_000.0).contains(&hn_hcm), "{hn_hcm}");
    let back = haversine_m(10.7769, 106.7009, 21.0285, 105.8542);
    assert!((hn_hcm - back).abs() < 1e-6);
    // Antipodes: half the circumference, not NaN.
    let half = haversine_m(0.0, 0.0, 0.0, 180.0);
    assert!((half - EARTH_RADIUS_M * std::f64::consts::PI).abs() < 1e-3);
}

#[test]
fn latlon_refuses_with_the_reason() {
    assert!(matches!(LatLon::new(f64::NAN, 105.0), Err(CoordinateError::NotFinite { .. })));
    assert_eq!(LatLon::new(95.0, 105.0), Err(CoordinateError::LatitudeOutOfRange(95.0)));
    assert_eq!(LatLon::new(20.0, 190.0), Err(CoordinateError::LongitudeOutOfRange(190.0)));
    let e = LatLon::new(105.85, 21.03).unwrap_err();
    assert_eq!(e, CoordinateError::Swapped { lat: 105.85, lon: 21.03 });
    assert!(e.to_string().contains("look swapped"));
    assert!(e.message_vi().contains("đảo ngược"));
    assert!(matches!(LatLon::new(13.75, 100.5), Err(CoordinateError::OutsideVietnam { .. })));
    let p = LatLon::new(14.35, 108.0).unwrap();
    assert_eq!((p.lat(), p.lon()), (14.35, 108.0));
}

/// A point `metres` north of `p`.
fn north_of(p: LatLon, metres: f64) -> LatLon {
    LatLon::new(p.lat() + (metres / EARTH_RADIUS_M).to_degrees(), p.lon()).unwrap()
}

#[test]
fn reformation_needs_the_radius_and_the_window() {
    let p = SiteParams::default();
    let site = LatLon::new(14.35, 108.0).unwrap();
    let eliminated = d(2025, 1, 31);
    let near = north_of(site, 199.0);
    let far = north_of(site, 201.0);
    assert!(p.is_reformation(site, eliminated, near, d(2025, 6, 1)));
    assert!(!p.is_reformation(site, eliminated, far, d(2025, 6, 1)));
    // Window: after the elimination day, up to and including its last day.
    assert!(!p.is_reformation(site, eliminated, near, eliminated));
    assert!(p.is_reformation(site, eliminated, near, d(2026, 1, 31)));
    assert!(!p.is_reformation(site, eliminated, near, d(2026, 2, 1)));
}

#[test]
fn far_from_centre_flag() {
    let p = SiteParams::default();
    let centre = LatLon::new(14.35, 108.0).unwrap();
    assert!(!p.is_far_from_unit_centre(north_of(centre, 14_900.0), centre));
    assert!(p.is_far_from_unit_centre(north_of(centre, 15_100.0), centre));
}

fn hist(kind: SiteKind, hot: bool, steps: &[(NaiveDate, SiteState)]) -> SiteHistory {
    SiteHistory { kind, hot_spot: hot, transitions: steps.to_vec() }
}

/// Nine hand-made sites around the KH 3220 baseline (25/9/2023) and a count date of
/// 14/12/2025, the end of statistical year 2025. Expected values are worked out on each.
fn fixture() -> Vec<SiteHistory> {
    use SiteKind::*;
    use SiteState::*;
    vec![
        // 1. hot point: listed at baseline, eliminated 2024, closed: base + eliminated.
        hist(
            Point,
            true,
            &[
                (d(2023, 1, 10), Listed),
                (d(2024, 3, 1), UnderAction),
                (d(2024, 5, 1), Eliminated),
                (d(2024, 5, 2), Monitoring),
                (d(2025, 5, 2), Closed),
            ],
        ),
        // 2. hot cluster: eliminated then re-formed: base, active, not eliminated.
        //    Eliminated and monitoring share a date: the later entry wins.
        hist(
            Cluster,
            true,
            &[
                (d(2023, 2, 1), Listed),
                (d(2024, 1, 1), UnderAction),
                (d(2024, 2, 1), Eliminated),
                (d(2024, 2, 1), Monitoring),
                (d(2024, 8, 1), Reformed),
            ],
        ),
        // 3. hot cluster only reported at baseline: not base; listed later: active.
        hist(Cluster, true, &[(d(2023, 9, 1), Reported), (d(2023, 10, 1), Listed)]),
        // 4. ordinary point, listed: active only.
        hist(Point, false, &[(d(2022, 1, 1), Listed)]),
        // 5. risk point flagged hot: counted nowhere.
        hist(RiskPoint, true, &[(d(2022, 1, 1), Listed)]),
        // 6. hot point eliminated on the baseline day itself: not base.
        hist(
            Point,
            true,
            &[(d(2023, 1, 1), Listed), (d(2023, 6, 1), UnderAction), (d(2023, 9, 25), Eliminated)],
        ),
        // 7. hot point listed on the baseline day, eliminated on the count day: both.
        hist(
            Point,
            true,
            &[(d(2023, 9, 25), Listed), (d(2025, 1, 1), UnderAction), (d(2025, 12, 14), Eliminated)],
        ),
        // 8. hot point created after the count date: nothing.
        hist(Point, true, &[(d(2026, 1, 1), Listed)]),
        // 9. hot point eliminated the day after the count date: base, active.
        hist(
            Point,
            true,
            &[(d(2023, 1, 1), Listed), (d(2024, 1, 1), UnderAction), (d(2025, 12, 15), Eliminated)],
        ),
    ]
}

#[test]
fn counts_on_hand_made_histories() {
    let sites = fixture();
    for h in &sites {
        h.check().unwrap();
    }
    let c = site_counts(&sites, d(2025, 12, 14), d(2023, 9, 25));
    assert_eq!(
        c,
        SiteCounts {
            active_points_and_clusters: 4,          // sites 2, 3, 4, 9
            hot_spots_at_baseline: 4,               // sites 1, 2, 7, 9
            hot_spots_eliminated_since_baseline: 2, // sites 1, 7
        }
    );
    assert_eq!(c.hot_spot_elimination_share(), Some(0.5));
    // One day later site 9 is eliminated and no longer active.
    let next = site_counts(&sites, d(2025, 12, 15), d(2023, 9, 25));
    assert_eq!(next.active_points_and_clusters, 3);
    assert_eq!(next.hot_spots_eliminated_since_baseline, 3);
}

#[test]
fn counts_at_or_before_the_baseline_eliminate_nothing() {
    let sites = fixture();
    let at_baseline = site_counts(&sites, d(2023, 9, 25), d(2023, 9, 25));
    assert_eq!(at_baseline.hot_spots_at_baseline, 4);
    assert_eq!(at_baseline.hot_spots_eliminated_since_baseline, 0);
    // Active on 25/9/2023: sites 1, 2, 4, 7, 9 (3 is only reported, 6 eliminated that day).
    assert_eq!(at_baseline.active_points_and_clusters, 5);
    let before = site_counts(&sites, d(2023, 1, 1), d(2023, 9, 25));
    assert_eq!(before.hot_spots_eliminated_since_baseline, 0);
    assert_eq!(SiteCounts::default().hot_spot_elimination_share(), None);
}

#[test]
fn state_at_reads_the_latest_entry_even_unsorted() {
    let h = hist(
        SiteKind::Point,
        false,
        &[(d(2024, 5, 1), SiteState::UnderAction), (d(2024, 1, 1), SiteState::Listed)],
    );
    assert_eq!(h.state_at(d(2023, 12, 31)), None);
    assert_eq!(h.state_at(d(2024, 1, 1)), Some(SiteState::Listed));
    assert_eq!(h.state_at(d(2024, 5, 1)), Some(SiteState::UnderAction));
    assert!(matches!(h.check(), Err(HistoryError::OutOfOrder { index: 1, .. })));
}

#[test]
fn history_check_names_the_bad_step() {
    let h = hist(
        SiteKind::Point,
        false,
        &[(d(2024, 1, 1), SiteState::Listed), (d(2024, 2, 1), SiteState::Eliminated)],
    );
    let e = h.check().unwrap_err();
    assert_eq!(
        e.to_string(),
        "transition 1: a site cannot move from 'listed' to 'eliminated': allowed next states are under_action"
    );
    assert!(e.message_vi().starts_with("Bước chuyển thứ 2:"));
    assert_eq!(hist(SiteKind::Point, false, &[]).check(), Err(HistoryError::Empty));
}

fn can_reach_final(from: SiteState) -> bool {
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

#[test]
fn every_state_reachable_from_reported_can_still_end() {
    for s in SiteState::ALL {
        assert!(can_reach_final(s), "{s} has no way to closed or dismissed");
    }
}

proptest! {
    #[test]
    fn accepted_transitions_follow_the_graph(
        attempts in proptest::collection::vec(select(SiteState::ALL.to_vec()), 0..60)
    ) {
        let mut state = SiteState::Reported;
        for to in attempts {
            match transition(state, to) {
                Ok(()) => {
                    prop_assert!(is_edge(state, to));
                    state = to;
                }
                Err(e) => {
                    prop_assert!(!is_edge(state, to));
                    prop_assert_eq!((e.from, e.to), (state, to));
                }
            }
        }
    }

    #[test]
    fn final_states_refuse_every_target(
        from in select(vec![SiteState::Closed, SiteState::Dismissed]),
        to in select(SiteState::ALL.to_vec()),
    ) {
        prop_assert!(transition(from, to).is_err());
        prop_assert!(from.is_final());
    }

    #[test]
    fn random_walks_never_get_stuck(choices in proptest::collection::vec(any::<usize>(), 0..60)) {
        let mut state = SiteState::Reported;
        for c in choices {
            prop_assert!(can_reach_final(state));
            let next = state.allowed_next();
            if next.is_empty() {
                prop_assert!(matches!(state, SiteState::Closed | SiteState::Dismissed));
                break;
            }
            state = next[c % next.len()];
        }
    }

    #[test]
    fn schedule_dates_are_increasing_and_end_at_the_window(
        y in 2000i32..2100, m in 1u32..=12, day in 1u32..=31,
        window in 1u32..=36, interval in 1u32..=12,
    ) {
        prop_assume!(interval <= window);
        let Some(start) = NaiveDate::from_ymd_opt(y, m, day) else { return Ok(()) };
        let p = SiteParams { monitoring_months: window, check_interval_months: interval, ..SiteParams::default() };
        let due = monitoring_schedule(start, &p);
        prop_assert!(due.windows(2).all(|w| w[0] < w[1]));
        prop_assert_eq!(due.last().copied(), monitoring_window_end(start, &p));
        prop_assert_eq!(due.len() as u32, window.div_ceil(interval));
    }
}

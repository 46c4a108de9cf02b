//! The analytics' signals: raised once per (kind, cell, target) while open, listed and
//! decided within scope, every decision audited; on every available engine.

use chrono::NaiveDate;
use diaban_domain::UnitLevel;
use diaban_domain::analytics_signal::{SignalKind, SignalStatus};
use diaban_domain::site::{LatLon, SiteKind, SiteState};
use diaban_store::analytics_signals::{self, DecideError, NewSignal, SignalFilter};
use diaban_store::audit::{self, NewEntry};
use diaban_store::persons::Scope;
use diaban_store::sites::{self, NewSite};
use diaban_store::units::{self, Unit};
use diaban_store::{Db, reference, testing};

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

fn suggestion(unit: &Unit, cell: &str) -> NewSignal {
    NewSignal {
        kind: SignalKind::SuggestSite,
        cell: cell.into(),
        resolution: 8,
        lat: 15.12,
        lon: 108.8,
        unit_id: unit.id,
        site_id: None,
        area_id: None,
        category: "NEW_HOT".into(),
        incidents: 12,
        period_from: d(2025, 1, 1),
        period_to: d(2026, 10, 31),
        params: r#"{"res":8}"#.into(),
    }
}

async fn site(db: &Db, unit: &Unit) -> i64 {
    let s = NewSite {
        kind: SiteKind::Point,
        hot_spot: false,
        name: "Điểm cũ ven sông".into(),
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
    sites::create(db, &s, None, None).await.unwrap()
}

#[tokio::test]
async fn a_signal_is_raised_once_while_open_and_again_after_a_decision() {
    for t in testing::all().await.unwrap() {
        let db = &t.db;
        let (_, c1, _) = communes(db).await;
        let site_id = site(db, &c1).await;
        let mut alert = suggestion(&c1, "88658d2b09fffff");
        alert.kind = SignalKind::ReformationAlert;
        alert.site_id = Some(site_id);
        let list = [suggestion(&c1, "88658d2b09fffff"), suggestion(&c1, "88658d2b0bfffff"), alert.clone()];
        let first =
            analytics_signals::raise(db, &list, None, entry("analytics.signals.raise")).await.unwrap();
        assert_eq!((first.created.len(), first.already_open), (3, 0));
        // The same run again: nothing new, and no audit entry for nothing.
        let again =
            analytics_signals::raise(db, &list, None, entry("analytics.signals.raise")).await.unwrap();
        assert_eq!((again.created.len(), again.already_open), (0, 3));
        // A duplicate inside one batch is raised once.
        let twice = [suggestion(&c1, "88658d2b0dfffff"), suggestion(&c1, "88658d2b0dfffff")];
        let r = analytics_signals::raise(db, &twice, None, None).await.unwrap();
        assert_eq!((r.created.len(), r.already_open), (1, 1));
        // Once decided, the same cell may be raised again by a later run.
        analytics_signals::decide(
            db,
            first.created[0],
            Scope::Commune(c1.id),
            false,
            "đã kiểm tra",
            None,
            None,
        )
        .await
        .unwrap();
        let later = analytics_signals::raise(db, &list[..1], None, None).await.unwrap();
        assert_eq!(later.created.len(), 1);
        let log = audit::verify(db).await.unwrap();
        assert_eq!(log.entries, 1, "only the first run created anything audited");
        let stored =
            analytics_signals::get(db, first.created[2], Scope::Commune(c1.id)).await.unwrap().unwrap();
        assert_eq!(stored.kind, SignalKind::ReformationAlert);
        assert_eq!(stored.site_name.as_deref(), Some("Điểm cũ ven sông"));
        assert_eq!(stored.period_to, d(2026, 10, 31));
        t.cleanup().await;
    }
}

#[tokio::test]
async fn signals_are_listed_and_decided_within_scope_and_every_decision_is_audited() {
    for t in testing::all().await.unwrap() {
        let db = &t.db;
        let (province, c1, c2) = communes(db).await;
        let r = analytics_signals::raise(
            db,
            &[suggestion(&c1, "88658d2b09fffff"), suggestion(&c2, "88658d2b0bfffff")],
            None,
            None,
        )
        .await
        .unwrap();
        let (mine, other) = (r.created[0], r.created[1]);
        let all =
            analytics_signals::list(db, Scope::Province(province), &SignalFilter::default()).await.unwrap();
        assert_eq!(all.len(), 2);
        let c1_list =
            analytics_signals::list(db, Scope::Commune(c1.id), &SignalFilter::default()).await.unwrap();
        assert_eq!(c1_list.iter().map(|s| s.id).collect::<Vec<_>>(), vec![mine]);
        // Another commune's signal: not found for this commune, whatever the decision.
        let out = analytics_signals::decide(db, other, Scope::Commune(c1.id), true, "x", None, None).await;
        assert!(matches!(out, Err(DecideError::NotFound)));
        let done = analytics_signals::decide(
            db,
            mine,
            Scope::Commune(c1.id),
            true,
            "  đã xác minh tại chỗ ",
            None,
            entry("analytics.signal.accept"),
        )
        .await
        .unwrap();
        assert_eq!(done.status, SignalStatus::Accepted);
        assert_eq!(done.reason, "đã xác minh tại chỗ");
        assert!(done.decided_at.is_some());
        let twice = analytics_signals::decide(db, mine, Scope::Commune(c1.id), false, "x", None, None).await;
        assert!(matches!(twice, Err(DecideError::AlreadyDecided(SignalStatus::Accepted))));
        let open = SignalFilter { status: Some(SignalStatus::Open), ..Default::default() };
        let still = analytics_signals::list(db, Scope::Province(province), &open).await.unwrap();
        assert_eq!(still.iter().map(|s| s.id).collect::<Vec<_>>(), vec![other]);
        // Open signals come first in the full list.
        let all =
            analytics_signals::list(db, Scope::Province(province), &SignalFilter::default()).await.unwrap();
        assert_eq!(all[0].status, SignalStatus::Open);
        let f = audit::AuditFilter {
            action_prefix: Some("analytics.signal.accept".into()),
            limit: 100,
            ..Default::default()
        };
        let entries = audit::search(db, &f).await.unwrap();
        assert_eq!(entries.0.len(), 1);
        assert_eq!(entries.0[0].target_type, "analytics_signal");
        assert_eq!(entries.0[0].target_id, mine.to_string());
        assert_eq!(entries.0[0].reason, "đã xác minh tại chỗ");
        t.cleanup().await;
    }
}

//! Reports on every available engine: the template shipped by migrations 0017 and 0018 covers the
//! indicators of DOMAIN.md §7, the targets and the protection of personal data; a
//! transition only moves from the status read; issuing numbers and freezes; the
//! protection counts come from the audit log of the unit's actors only.

use chrono::{NaiveDate, Utc};
use diaban_domain::UnitLevel;
use diaban_domain::indicator::IndicatorId;
use diaban_domain::report::template::{Section, TARGET_INDICATORS};
use diaban_domain::report::workflow::{ReportStatus as S, Transition as T};
use diaban_domain::report::{Figures, Protection, ReportKind, ReportLevel};
use diaban_store::audit::{self, NewEntry};
use diaban_store::persons::Scope;
use diaban_store::reports::{self, Issue, NewReport, ReportFilter, Step};
use diaban_store::{DbError, reference, testing, units};

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

fn entry(unit: &str, action: &str) -> NewEntry {
    NewEntry {
        actor: "cli".into(),
        unit_code: unit.into(),
        action: action.into(),
        outcome: "ok".into(),
        ..Default::default()
    }
}

fn figures(code: &str) -> Figures {
    Figures {
        unit_code: code.into(),
        unit_name: "x".into(),
        level: ReportLevel::Province,
        period: "2026".into(),
        period_label: "năm 2026".into(),
        from: d(2025, 12, 15),
        to: d(2026, 12, 14),
        computed_at: Utc::now(),
        plan: None,
        plan_territory: None,
        indicators: vec![],
        targets: vec![],
        protection: Protection::default(),
        registries: Default::default(),
    }
}

#[tokio::test]
async fn the_shipped_template_covers_the_catalogue_the_targets_and_personal_data() {
    for t in testing::all().await.unwrap() {
        let row = reports::template(&t.db, None).await.unwrap();
        assert_eq!(row.code, "default");
        let tpl = &row.template;
        let mut covered: Vec<IndicatorId> = TARGET_INDICATORS.to_vec();
        for s in &tpl.sections {
            if let Section::Table { rows, .. } = s {
                covered.extend(rows);
            }
        }
        for id in IndicatorId::ALL {
            assert!(covered.contains(id), "{id} is in no section of the default template");
        }
        assert!(tpl.sections.iter().any(|s| matches!(s, Section::Targets { .. })));
        assert!(tpl.sections.iter().any(|s| matches!(s, Section::Protection { .. })));
        assert!(tpl.default_narratives().len() >= 3);
        // Migration 0018: every registry section, and passages left for the author.
        for kind in [
            "tasks",
            "escalations",
            "seizures",
            "persons",
            "businesses",
            "classification",
            "propaganda_venues",
        ] {
            let has = tpl.sections.iter().any(|s| serde_json::to_value(s).unwrap()["type"] == kind);
            assert!(has, "no {kind} section in the default template");
        }
        let to_write = diaban_domain::report::template::sections_to_write(tpl, &Default::default());
        assert_eq!(to_write, ["IX. ĐÁNH GIÁ CHUNG", "X. PHƯƠNG HƯỚNG, NHIỆM VỤ KỲ TỚI VÀ KIẾN NGHỊ"]);
        // The template of 0017 stays for the reports made under it.
        let all = reports::templates(&t.db).await.unwrap();
        assert_eq!(all.iter().map(|r| r.code.as_str()).collect::<Vec<_>>(), ["default_0017", "default"]);
    }
}

#[tokio::test]
async fn transitions_move_from_the_status_read_and_issuing_numbers_and_freezes() {
    for t in testing::all().await.unwrap() {
        let db = &t.db;
        reference::load_units(db).await.unwrap();
        let p = units::by_code(db, "51", Some(UnitLevel::Province), d(2026, 1, 1)).await.unwrap().unwrap();
        let tpl = reports::template(db, None).await.unwrap();
        let new = |period: &str| NewReport {
            unit_id: p.id,
            kind: ReportKind::Annual,
            period: period.into(),
            template_id: tpl.id,
            title: "Báo cáo".into(),
            narratives: tpl.template.default_narratives(),
        };
        let id = reports::create(db, &new("2026"), entry("51", "report.create")).await.unwrap();
        assert!(matches!(
            reports::create(db, &new("2026"), entry("51", "report.create")).await,
            Err(DbError::Conflict(_))
        ));
        let step = |from, to, t, reason| Step { from, to, t, reason };
        reports::transition(db, id, &step(S::Draft, S::Submitted, T::Submit, ""), None, entry("51", ""))
            .await
            .unwrap();
        // A second reviewer acting on the status it read before: refused.
        let stale =
            reports::transition(db, id, &step(S::Draft, S::Submitted, T::Submit, ""), None, entry("51", ""))
                .await;
        assert!(matches!(stale, Err(DbError::Conflict(_))), "{stale:?}");
        reports::transition(db, id, &step(S::Submitted, S::Approved, T::Approve, ""), None, entry("51", ""))
            .await
            .unwrap();
        let issue = Issue { symbol: "BC-CAT".into(), on: d(2027, 1, 5), figures: figures("51") };
        reports::transition(
            db,
            id,
            &step(S::Approved, S::Issued, T::Issue, ""),
            Some(issue),
            entry("51", ""),
        )
        .await
        .unwrap();
        let r = reports::get(db, Scope::Province(p.id), id).await.unwrap().unwrap();
        assert_eq!(r.status, S::Issued);
        assert_eq!(r.number.as_deref(), Some("1/BC-CAT"));
        assert_eq!(r.issued_on, Some(d(2027, 1, 5)));
        assert_eq!(r.frozen.as_ref().unwrap().unit_code, "51");
        // Narratives cannot change after issue.
        let n = reports::set_narratives(db, id, &r.narratives, entry("51", "report.narratives")).await;
        assert!(matches!(n, Err(DbError::NotFound)));
        // The next report issued the same year gets the next number.
        let id2 = reports::create(db, &new("2025"), entry("51", "report.create")).await.unwrap();
        for (from, to, tr) in [(S::Draft, S::Submitted, T::Submit), (S::Submitted, S::Approved, T::Approve)] {
            reports::transition(db, id2, &step(from, to, tr, ""), None, entry("51", "")).await.unwrap();
        }
        let issue = Issue { symbol: "BC-CAT".into(), on: d(2027, 3, 1), figures: figures("51") };
        reports::transition(
            db,
            id2,
            &step(S::Approved, S::Issued, T::Issue, ""),
            Some(issue),
            entry("51", ""),
        )
        .await
        .unwrap();
        let r2 = reports::get(db, Scope::Province(p.id), id2).await.unwrap().unwrap();
        assert_eq!(r2.number.as_deref(), Some("2/BC-CAT"));
        let history = reports::events(db, id).await.unwrap();
        assert_eq!(
            history.iter().map(|e| e.action.as_str()).collect::<Vec<_>>(),
            ["submit", "approve", "issue"]
        );
        let (log, _) = audit::search(
            db,
            &audit::AuditFilter { action_prefix: Some("report.".into()), limit: 100, ..Default::default() },
        )
        .await
        .unwrap();
        assert!(log.iter().any(|e| e.action == "report.issue" && e.target_id == id.to_string()));
        // Lists are scoped: another province sees nothing.
        let hn = units::by_code(db, "01", Some(UnitLevel::Province), d(2026, 1, 1)).await.unwrap().unwrap();
        assert!(
            reports::list(db, Scope::Province(hn.id), &ReportFilter::default()).await.unwrap().is_empty()
        );
        assert_eq!(
            reports::list(db, Scope::Province(p.id), &ReportFilter::default()).await.unwrap().len(),
            2
        );
        assert!(reports::get(db, Scope::Province(hn.id), id).await.unwrap().is_none());
    }
}

#[tokio::test]
async fn protection_counts_come_from_the_units_actors_in_the_period() {
    for t in testing::all().await.unwrap() {
        let db = &t.db;
        for (unit, action, outcome) in [
            ("51", "person.read", "ok"),
            ("23293", "person.read", "ok"),
            ("23293", "person.export", "ok"),
            ("51", "site.export", "ok"),
            ("51", "access.denied", "denied"),
            ("51", "login.failure", "denied"),
            ("01", "person.read", "ok"),
        ] {
            let mut e = entry(unit, action);
            e.outcome = outcome.into();
            audit::append(db, &e).await.unwrap();
        }
        let today = diaban_domain::time::today_in_vietnam();
        let (from, to) = (today.pred_opt().unwrap(), today.succ_opt().unwrap());
        let codes = ["51".to_owned(), "23293".to_owned()];
        let p = audit::protection_counts(db, from, to, &codes).await.unwrap();
        assert_eq!(
            p,
            Protection {
                person_reads: 2,
                identity_exports: 1,
                other_exports: 1,
                denied: 1,
                failed_logins: 1
            }
        );
        let commune = audit::protection_counts(db, from, to, &codes[1..]).await.unwrap();
        assert_eq!(commune.person_reads, 1);
        let before = audit::protection_counts(db, d(2020, 1, 1), d(2020, 12, 31), &codes).await.unwrap();
        assert_eq!(before, Protection::default());
    }
}

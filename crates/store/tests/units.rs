//! The units repository on every available engine (SQLite always; PostgreSQL when
//! TEST_DATABASE_URL is set).

use chrono::NaiveDate;
use diaban_domain::UnitLevel;
use diaban_store::population::{self, Population};
use diaban_store::reference::{self, LoadOutcome};
use diaban_store::testing;
use diaban_store::units::{self, UnitFilter};

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

#[tokio::test]
async fn loads_units_once_with_exact_counts_and_lineage() {
    for t in testing::all().await.unwrap() {
        let db = &t.db;
        let first = reference::load_units(db).await.unwrap();
        assert!(matches!(first, LoadOutcome::Loaded { .. }), "{first:?}");
        assert_eq!(reference::load_units(db).await.unwrap(), LoadOutcome::AlreadyLoaded);

        assert_eq!(units::count(db, UnitLevel::Province, "2025").await.unwrap(), 34);
        assert_eq!(units::count(db, UnitLevel::Commune, "2025").await.unwrap(), 3321);
        assert_eq!(units::count(db, UnitLevel::Province, "legacy").await.unwrap(), 63);
        assert_eq!(units::count(db, UnitLevel::Commune, "legacy").await.unwrap(), 10040);

        // Quảng Ngãi today: 96 communes; Kon Tum (62) is a legacy province that went into it.
        let qn = units::by_code(db, "51", Some(UnitLevel::Province), d(2026, 1, 1)).await.unwrap().unwrap();
        assert_eq!(qn.name, "Tỉnh Quảng Ngãi");
        assert_eq!(qn.generation, "2025");
        assert_eq!(units::children(db, qn.id).await.unwrap().len(), 96);
        let kt = units::by_code(db, "62", Some(UnitLevel::Province), d(2026, 1, 1)).await.unwrap().unwrap();
        assert_eq!(kt.name, "Tỉnh Kon Tum");
        assert!(kt.is_legacy());
        assert_eq!(kt.scope_province_id, Some(qn.id));
        let succ = units::successors(db, &kt).await.unwrap();
        assert_eq!(succ.iter().map(|l| l.unit.code.as_str()).collect::<Vec<_>>(), vec!["51"]);
        let pred = units::predecessors(db, &qn).await.unwrap();
        let codes: Vec<_> = pred.iter().map(|l| l.unit.code.as_str()).collect();
        assert_eq!(codes, vec!["51", "62"], "old Quảng Ngãi and Kon Tum");

        // In 2024, code 51 is the old Quảng Ngãi.
        let old_qn =
            units::by_code(db, "51", Some(UnitLevel::Province), d(2024, 1, 1)).await.unwrap().unwrap();
        assert!(old_qn.is_legacy());

        // A legacy Kon Tum commune resolves to a current Quảng Ngãi commune.
        let (found, _) = units::search(
            db,
            &UnitFilter {
                q: Some("Quang Trung".into()),
                as_of: Some(d(2024, 1, 1)),
                limit: 50,
                ..Default::default()
            },
        )
        .await
        .unwrap();
        let kt_ward = found.iter().find(|u| u.code == "23281").expect("Phường Quang Trung, Kon Tum");
        let succ = units::successors(db, kt_ward).await.unwrap();
        assert!(!succ.is_empty());
        for l in &succ {
            assert_eq!(l.unit.parent_id, Some(qn.id), "{:?}", l.unit.name);
        }
        let current = &succ.iter().find(|l| l.is_default == Some(true)).unwrap().unit;
        assert_eq!(kt_ward.scope_commune_id, Some(current.id));
        let back = units::predecessors(db, current).await.unwrap();
        assert!(back.iter().any(|l| l.unit.code == "23281"));
        t.cleanup().await;
    }
}

#[tokio::test]
async fn name_search_ignores_accents_and_case() {
    for t in testing::all().await.unwrap() {
        let db = &t.db;
        reference::load_units(db).await.unwrap();
        for q in ["quang ngai", "QUẢNG NGÃI", "Quảng Ngãi"] {
            let f = UnitFilter {
                q: Some(q.into()),
                level: Some(UnitLevel::Province),
                as_of: Some(d(2026, 1, 1)),
                limit: 10,
                ..Default::default()
            };
            let (found, total) = units::search(db, &f).await.unwrap();
            assert_eq!(total, 1, "{q}");
            assert_eq!(found[0].code, "51");
        }
        // A LIKE wildcard typed by a user is taken literally.
        let f = UnitFilter { q: Some("%".into()), limit: 10, ..Default::default() };
        assert_eq!(units::search(db, &f).await.unwrap().1, 0);
        // Units valid on a date.
        let f = UnitFilter {
            level: Some(UnitLevel::Province),
            as_of: Some(d(2025, 6, 30)),
            limit: 100,
            ..Default::default()
        };
        assert_eq!(units::search(db, &f).await.unwrap().1, 63);
        let f = UnitFilter {
            level: Some(UnitLevel::Province),
            as_of: Some(d(2025, 7, 1)),
            limit: 100,
            ..Default::default()
        };
        assert_eq!(units::search(db, &f).await.unwrap().1, 34);
        t.cleanup().await;
    }
}

#[tokio::test]
async fn memory_index_answers_like_the_database() {
    use diaban_store::unit_index::UnitIndex;
    use diaban_store::units::UnitOrder;
    for t in testing::all().await.unwrap() {
        let db = &t.db;
        reference::load_units(db).await.unwrap();
        let index = UnitIndex::load(db).await.unwrap();
        assert!(index.len() > 13_000);
        let qn = units::by_code(db, "51", Some(UnitLevel::Province), d(2026, 1, 1)).await.unwrap().unwrap();
        let filters = [
            UnitFilter { q: Some("quang ngai".into()), limit: 20, ..Default::default() },
            UnitFilter {
                q: Some("Đắk Tô".into()),
                as_of: Some(d(2024, 3, 1)),
                limit: 20,
                ..Default::default()
            },
            UnitFilter { q: Some("51".into()), limit: 5, ..Default::default() },
            UnitFilter { q: Some("%".into()), limit: 5, ..Default::default() },
            UnitFilter {
                q: Some("an".into()),
                as_of: Some(d(2026, 1, 1)),
                order: UnitOrder::Name,
                desc: true,
                limit: 15,
                offset: 30,
                ..Default::default()
            },
            UnitFilter {
                level: Some(UnitLevel::Commune),
                parent_id: Some(qn.id),
                limit: 200,
                ..Default::default()
            },
            UnitFilter {
                scope_province_id: Some(qn.id),
                generation: Some("legacy".into()),
                limit: 10,
                offset: 5,
                ..Default::default()
            },
            UnitFilter {
                level: Some(UnitLevel::Province),
                as_of: Some(d(2025, 6, 30)),
                limit: 0,
                ..Default::default()
            },
            UnitFilter { q: Some("phuong".into()), limit: 10, offset: 100_000, ..Default::default() },
        ];
        for f in &filters {
            let (db_units, db_total) = units::search(db, f).await.unwrap();
            let (mem_units, mem_total) = index.search(f);
            assert_eq!(db_total, mem_total, "{f:?}");
            let a: Vec<_> = db_units.iter().map(|u| (&u.code, &u.generation)).collect();
            let b: Vec<_> = mem_units.iter().map(|u| (&u.code, &u.generation)).collect();
            assert_eq!(a, b, "{f:?}");
        }
        t.cleanup().await;
    }
}

#[tokio::test]
async fn population_upsert_is_all_or_nothing() {
    for t in testing::all().await.unwrap() {
        let db = &t.db;
        reference::load_units(db).await.unwrap();
        let qn = units::by_code(db, "51", None, d(2026, 1, 1)).await.unwrap().unwrap();
        let row = |unit_id, year, population| Population { unit_id, year, population, source: "test".into() };
        population::upsert_all(db, &[row(qn.id, 2024, 100), row(qn.id, 2025, 200)]).await.unwrap();
        population::upsert_all(db, &[row(qn.id, 2025, 250)]).await.unwrap();
        let err = population::upsert_all(db, &[row(qn.id, 2026, 300), row(999_999, 2026, 1)]).await;
        assert!(err.is_err(), "unknown unit must fail");
        let series = population::for_unit(db, qn.id).await.unwrap();
        assert_eq!(
            series.iter().map(|p| (p.year, p.population)).collect::<Vec<_>>(),
            vec![(2024, 100), (2025, 250)]
        );
        t.cleanup().await;
    }
}

#[tokio::test]
async fn population_import_names_bad_rows_and_writes_nothing() {
    use diaban_store::population::{ImportOutcome, import_csv};
    for t in testing::all().await.unwrap() {
        let db = &t.db;
        reference::load_units(db).await.unwrap();
        let bad = "unit_code,year,population\n51,2024,1200000\n99999,2024,5\n51,20x4,7\n62,2026,1\n";
        match import_csv(db, bad.as_bytes(), "test").await {
            Err(ImportOutcome::Invalid(e)) => {
                let lines: Vec<u64> = e.0.iter().map(|(l, _)| *l).collect();
                assert_eq!(lines, vec![3, 4, 5], "{e}");
                assert!(e.to_string().contains("line 3: no unit has code 99999"), "{e}");
                assert!(e.to_string().contains("unit 62 did not exist in 2026"), "{e}");
            }
            other => panic!("expected a validation failure, got {other:?}"),
        }
        let old_qn = units::by_code(db, "51", None, d(2024, 7, 1)).await.unwrap().unwrap();
        assert!(population::for_unit(db, old_qn.id).await.unwrap().is_empty(), "nothing written");

        let good = "unit_code,year,population\n51,2024,1200000\n51,2025,1900000\n62,2024,580000\n";
        assert_eq!(import_csv(db, good.as_bytes(), "test").await.unwrap(), 3);
        assert_eq!(population::for_unit(db, old_qn.id).await.unwrap()[0].population, 1_200_000);
        let new_qn = units::by_code(db, "51", None, d(2025, 7, 1)).await.unwrap().unwrap();
        assert_eq!(population::for_unit(db, new_qn.id).await.unwrap()[0].population, 1_900_000);
        t.cleanup().await;
    }
}

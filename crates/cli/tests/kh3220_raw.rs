//! KH 3220's targets T1–T6 recomputed on the demo from the raw tables — plain SQL reads
//! and arithmetic written here, not the indicator code — and compared with what
//! `GET /api/v1/indicators?plan=…` answers. The plan's territory is found here too, from
//! the lineage of legacy Kon Tum (62), so a wrong territory fails the comparison.

use chrono::{Months, NaiveDate};
use sqlx::sqlite::SqlitePoolOptions;
use sqlx::{Row, SqlitePool};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::PathBuf;
use std::process::Command;

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

fn run(args: &[&str]) -> String {
    let o = Command::new(env!("CARGO_BIN_EXE_diaban"))
        .args(args)
        .env("DIABAN_LOG", "warn")
        .env_remove("DIABAN_DB")
        .env_remove("DIABAN_KEY_FILE")
        .output()
        .expect("diaban runs");
    assert!(o.status.success(), "{args:?}: {}", String::from_utf8_lossy(&o.stderr));
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn date(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(&s[..10], "%Y-%m-%d").expect("a stored date")
}

/// A statistical year under cut-off 15: 15/12 of the year before to 14/12.
fn year(y: i32) -> (NaiveDate, NaiveDate) {
    (d(y - 1, 12, 15), d(y, 12, 14))
}

/// The state of each history at the end of `at`: the last entry dated on or before it,
/// later entries winning on one date.
fn state_at(history: &[(NaiveDate, String)], at: NaiveDate) -> Option<&str> {
    history.iter().rfind(|(on, _)| *on <= at).map(|(_, s)| s.as_str())
}

/// Dated states in order.
type History = Vec<(NaiveDate, String)>;
/// A site: kind, hot spot, history.
type Site = (String, bool, History);
/// A person: episodes (kind, start, end) and service days.
type Person = (Vec<(String, NaiveDate, Option<NaiveDate>)>, Vec<NaiveDate>);

struct Raw {
    territory: BTreeSet<i64>,
    /// Sites of the territory: (kind, hot spot, transitions in order).
    sites: Vec<Site>,
    areas: Vec<History>,
    /// Persons of the territory: episodes (kind, start, end) and service days.
    persons: Vec<Person>,
    /// (current commune, year) → versions → classes of the units counted there.
    classes: BTreeMap<(i64, i64), BTreeMap<String, Vec<String>>>,
}

async fn read(pool: &SqlitePool) -> Raw {
    let territory: BTreeSet<i64> = sqlx::query(
        "SELECT DISTINCT l.current_id FROM unit_lineage l
           JOIN units lc ON lc.id = l.legacy_id
           JOIN units ld ON ld.id = lc.parent_id
           JOIN units lp ON lp.id = ld.parent_id
          WHERE lp.code = '62' AND lp.generation = 'legacy' AND lp.level = 'province'",
    )
    .fetch_all(pool)
    .await
    .unwrap()
    .iter()
    .map(|r| r.get::<i64, _>(0))
    .collect();
    let inside = |c: Option<i64>| c.is_some_and(|c| territory.contains(&c));

    let mut sites: BTreeMap<i64, Site> = BTreeMap::new();
    for r in sqlx::query(
        "SELECT s.id, s.kind, s.hot_spot, u.scope_commune_id, t.on_date, t.to_state
           FROM sites s JOIN units u ON u.id = s.unit_id
           JOIN site_transitions t ON t.site_id = s.id
          ORDER BY s.id, t.on_date, t.id",
    )
    .fetch_all(pool)
    .await
    .unwrap()
    {
        if !inside(r.get(3)) {
            continue;
        }
        let e = sites.entry(r.get(0)).or_insert_with(|| (r.get(1), r.get(2), vec![]));
        e.2.push((date(r.get(4)), r.get(5)));
    }

    let mut areas: BTreeMap<i64, Vec<(NaiveDate, String)>> = BTreeMap::new();
    for r in sqlx::query(
        "SELECT a.id, u.scope_commune_id, t.on_date, t.to_state
           FROM areas a JOIN units u ON u.id = a.unit_id
           JOIN area_transitions t ON t.area_id = a.id
          ORDER BY a.id, t.on_date, t.id",
    )
    .fetch_all(pool)
    .await
    .unwrap()
    {
        if inside(r.get(1)) {
            areas.entry(r.get(0)).or_default().push((date(r.get(2)), r.get(3)));
        }
    }

    let mut persons: HashMap<i64, Person> = HashMap::new();
    for r in sqlx::query(
        "SELECT p.id, u.scope_commune_id, e.kind, e.start_on, COALESCE(e.actual_end, e.planned_end)
           FROM persons p JOIN units u ON u.id = p.residence_unit_id
           JOIN person_episodes e ON e.person_id = p.id",
    )
    .fetch_all(pool)
    .await
    .unwrap()
    {
        if inside(r.get(1)) {
            let end: Option<String> = r.get(4);
            persons.entry(r.get(0)).or_default().0.push((r.get(2), date(r.get(3)), end.as_deref().map(date)));
        }
    }
    for r in sqlx::query("SELECT person_id, provided_on FROM person_services").fetch_all(pool).await.unwrap()
    {
        if let Some(p) = persons.get_mut(&r.get::<i64, _>(0)) {
            p.1.push(date(r.get(1)));
        }
    }

    let mut classes: BTreeMap<(i64, i64), BTreeMap<String, Vec<String>>> = BTreeMap::new();
    for r in sqlx::query(
        "SELECT u.scope_commune_id, c.year, c.version, c.class
           FROM classifications c JOIN units u ON u.id = c.unit_id",
    )
    .fetch_all(pool)
    .await
    .unwrap()
    {
        let commune: Option<i64> = r.get(0);
        if inside(commune) {
            let key = (commune.unwrap_or_default(), r.get::<i64, _>(1));
            classes.entry(key).or_default().entry(r.get(2)).or_default().push(r.get(3));
        }
    }
    Raw {
        territory,
        sites: sites.into_values().collect(),
        areas: areas.into_values().collect(),
        persons: persons.into_values().collect(),
        classes,
    }
}

fn pct(n: usize, den: usize) -> Option<f64> {
    (den > 0).then(|| 100.0 * n as f64 / den as f64)
}

fn change(cur: usize, prev: usize) -> Option<f64> {
    (prev > 0).then(|| 100.0 * (cur as f64 - prev as f64) / prev as f64)
}

/// T1–T6 for statistical year `y`, by the definitions of docs/indicators.md.
fn targets(raw: &Raw, y: i32, baseline: NaiveDate) -> BTreeMap<&'static str, Option<f64>> {
    let (from, to) = year(y);
    let (pfrom, pto) = year(y - 1);
    let point_or_cluster = |k: &str| k == "point" || k == "cluster";
    let active = |s: Option<&str>| matches!(s, Some("listed" | "under_action" | "reformed"));
    let eliminated = |s: Option<&str>| matches!(s, Some("eliminated" | "monitoring" | "closed"));
    let active_at =
        |at| raw.sites.iter().filter(|(k, _, h)| point_or_cluster(k) && active(state_at(h, at))).count();
    let mut out = BTreeMap::new();
    out.insert("t1_sites_change", change(active_at(to), active_at(pto)));

    let hot: Vec<_> = raw
        .sites
        .iter()
        .filter(|(k, hot, h)| *hot && point_or_cluster(k) && active(state_at(h, baseline)))
        .collect();
    let done = hot
        .iter()
        .filter(|(_, _, h)| {
            eliminated(state_at(h, to))
                && h.iter().any(|(on, s)| s == "eliminated" && *on > baseline && *on <= to)
        })
        .count();
    out.insert("t2_hot_spots_eliminated", pct(done, hot.len()));

    let first = |h: &[(NaiveDate, String)], state: &str| {
        h.iter().filter(|(_, s)| s == state).map(|(on, _)| *on).min()
    };
    let selected = raw.areas.iter().filter(|h| h.first().is_some_and(|(on, _)| *on <= to)).count();
    let transformed: Vec<NaiveDate> =
        raw.areas.iter().filter_map(|h| first(h, "transformed")).filter(|on| *on <= to).collect();
    out.insert("t3_areas_transformed", pct(transformed.len(), selected));
    let sustained = raw
        .areas
        .iter()
        .filter(|h| {
            let Some(t0) = first(h, "transformed").filter(|on| *on <= to) else { return false };
            let window_ended = t0.checked_add_months(Months::new(12)).is_some_and(|end| end <= to);
            let relapsed = h.iter().any(|(on, s)| s == "relapsed" && *on >= t0 && *on <= to);
            window_ended && !relapsed
        })
        .count();
    out.insert("t4_areas_not_relapsed", pct(sustained, transformed.len()));

    let overlaps = |start: NaiveDate, end: Option<NaiveDate>, a: NaiveDate, b: NaiveDate| {
        start <= b && end.is_none_or(|e| e > a)
    };
    let has_record = |eps: &[(String, NaiveDate, Option<NaiveDate>)], a, b| {
        eps.iter().any(|(k, start, end)| {
            if k == "addiction_determination" {
                *start >= a && *start <= b
            } else {
                overlaps(*start, *end, a, b)
            }
        })
    };
    let rehab =
        ["voluntary_rehab_home", "voluntary_rehab_facility", "compulsory_rehab", "substitution_therapy"];
    let with_records: Vec<_> = raw.persons.iter().filter(|(e, _)| has_record(e, from, to)).collect();
    let reached = with_records
        .iter()
        .filter(|(e, services)| {
            services.iter().any(|s| *s >= from && *s <= to)
                || e.iter()
                    .any(|(k, start, end)| rehab.contains(&k.as_str()) && overlaps(*start, *end, from, to))
        })
        .count();
    out.insert("t5_persons_reached", pct(reached, with_records.len()));
    let addicts = |a, b| {
        raw.persons
            .iter()
            .filter(|(e, _)| {
                has_record(e, a, b) && e.iter().any(|(k, start, _)| k != "user_management" && *start <= b)
            })
            .count()
    };
    out.insert("t6_addicts_growth", change(addicts(from, to), addicts(pfrom, pto)));

    // Communes with drug problems under one criteria version common to both years.
    let problem = |c: &str| matches!(c, "type_1" | "type_2" | "type_3" | "has_drugs");
    let year_rows = |yy: i64| {
        raw.classes.iter().filter(move |((_, cy), _)| *cy == yy).map(|(_, v)| v).collect::<Vec<_>>()
    };
    let (now, before) = (year_rows(i64::from(y)), year_rows(i64::from(y - 1)));
    let growth = ["qd28_2025", "qd3122_2010"].iter().find_map(|v| {
        let all = |rows: &[&BTreeMap<String, Vec<String>>]| {
            !rows.is_empty() && rows.iter().all(|m| m.contains_key(*v))
        };
        (all(&now) && all(&before)).then(|| {
            let count = |rows: &[&BTreeMap<String, Vec<String>>]| {
                rows.iter().filter(|m| m[*v].iter().any(|c| problem(c))).count()
            };
            change(count(&now), count(&before))
        })
    });
    out.insert("t6_problem_communes_growth", growth.flatten());
    out
}

#[tokio::test]
async fn kh3220_targets_on_the_demo_match_a_recount_from_the_raw_tables() {
    /// Removes the scratch folder however the test ends.
    struct Scratch(PathBuf);
    impl Drop for Scratch {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }
    let dir = std::env::temp_dir().join(format!("diaban-kh3220-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let _scratch = Scratch(dir.clone());
    let db_file: PathBuf = dir.join("demo.db");
    let url = format!("sqlite://{}", db_file.display());
    let key = dir.join("demo.key");
    run(&["demo", "--db", &url, "--key-file", key.to_str().unwrap()]);
    let token =
        run(&["token", "create", "--username", "pc04", "--days", "1", "--db", &url]).trim().to_owned();

    let db = diaban_store::Db::connect(&url).await.unwrap();
    diaban_store::person_facts::ensure(&db, diaban_domain::time::today_in_vietnam()).await.unwrap();
    let plan = diaban_store::plans::list(&db)
        .await
        .unwrap()
        .into_iter()
        .find(|p| p.number == "3220/KH-UBND")
        .expect("KH 3220 ships");
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let state = diaban_web::AppState::new(db.clone(), None, diaban_web::WebConfig::default());
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(diaban_web::serve(listener, state, async move {
        let _ = stopped.await;
    }));
    let client = reqwest::Client::new();
    let get = |path: String| {
        let req = client.get(format!("{base}{path}")).bearer_auth(&token);
        async move {
            let r = req.send().await.unwrap();
            (r.status().as_u16(), r.json::<serde_json::Value>().await.unwrap())
        }
    };

    let pool = SqlitePoolOptions::new().max_connections(1).connect(&url).await.unwrap();
    let raw = read(&pool).await;
    assert!(raw.territory.len() >= 30, "KH 3220's territory: {} communes", raw.territory.len());
    for y in [2024, 2025] {
        let want = targets(&raw, y, plan.baseline_on);
        eprintln!("KH 3220, {y}, recounted from the raw tables: {want:?}");
        let (s, v) = get(format!("/api/v1/indicators?unit=51&period={y}&plan={}", plan.id)).await;
        assert_eq!(s, 200, "{v}");
        assert_eq!(v["territory"]["communes"], raw.territory.len(), "the plan's territory");
        let codes: BTreeSet<String> = v["territory"]["codes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c.as_str().unwrap().to_owned())
            .collect();
        assert_eq!(codes.len(), raw.territory.len());
        for (id, value) in &want {
            let got = v["indicators"].as_array().unwrap().iter().find(|i| i["id"] == *id).unwrap();
            let got = got["value"].as_f64();
            match (got, value) {
                (Some(a), Some(b)) => assert!((a - b).abs() < 1e-9, "{y} {id}: API {a}, raw {b}"),
                (a, b) => assert_eq!(a, *b, "{y} {id}"),
            }
            // The plan's own judged figure is the same number.
            if let Some(t) = v["plan"]["targets"].as_array().unwrap().iter().find(|t| t["indicator"] == *id) {
                assert_eq!(t["current"]["value"].as_f64(), got, "{y} {id}: judged figure");
            }
        }
    }
    // The whole province is a different question: its T1 is not the plan's.
    let (_, whole) = get("/api/v1/indicators?unit=51&period=2025&plan=none".into()).await;
    assert_eq!(whole["plan"], serde_json::Value::Null);
    assert!(whole["territory"]["communes"].as_u64().unwrap() > raw.territory.len() as u64);
    // The plan ended on 14/12/2025: 2026 is not judged against it.
    let (s, v) = get(format!("/api/v1/indicators?unit=51&period=2026&plan={}", plan.id)).await;
    assert_eq!(s, 400, "{v}");
    assert!(v.to_string().contains("period"), "{v}");

    let _ = stop.send(());
    let _ = server.await;
    pool.close().await;
    db.close().await;
}

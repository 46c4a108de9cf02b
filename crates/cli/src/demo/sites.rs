//! About 150 synthetic drug sites across the demo province with 2023–2026 histories:
//! reported, listed, under action, eliminated, monitored with monthly checks, closed,
//! re-formed and re-listed, a few dismissed; some recorded against legacy Kon Tum
//! communes before the 2025 merger. Every step goes through the store's lifecycle
//! functions, so the histories obey the same rules as real ones.

use super::rng::SplitMix64;
use chrono::{Days, NaiveDate};
use diaban_domain::site::{LatLon, SiteKind, SiteParams, SiteState};
use diaban_store::Db;
use diaban_store::persons::Scope;
use diaban_store::sites::{self, CheckOutcome, CheckReport, NewSite, TransitionRequest};
use diaban_store::units::{self, Unit, UnitFilter};

/// How many sites the demo has.
pub const DEMO_SITES: usize = 150;

/// No step is dated after this day, so the demo does not depend on when it is made.
fn last_day() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 15).unwrap_or_default()
}

const PLACES: &[&str] = &[
    "Quán cà phê",
    "Nhà trọ",
    "Bãi đất trống",
    "Chân cầu",
    "Khu nhà hoang",
    "Quán karaoke",
    "Bờ kè",
    "Rẫy cà phê",
    "Tiệm internet",
    "Khu vực chợ",
];
const FOUND: &[&str] =
    &["Tin báo của quần chúng", "Tuần tra, kiểm soát", "Đấu tranh chuyên án", "Công an xã phát hiện"];

fn pick<'a>(rng: &mut SplitMix64, xs: &[&'a str]) -> &'a str {
    xs[(rng.next_u64() % xs.len() as u64) as usize]
}

fn after(d: NaiveDate, rng: &mut SplitMix64, lo: i64, hi: i64) -> NaiveDate {
    d.checked_add_days(Days::new(rng.int(lo, hi) as u64)).unwrap_or(d)
}

/// Writes the demo sites.
pub async fn fill(db: &Db, province: &Unit, seed: u64) -> anyhow::Result<()> {
    let mut rng = SplitMix64::new(seed ^ 0x7369_7465);
    let params = SiteParams::default();
    let scope = Scope::Province(province.id);
    let current: Vec<Unit> = units::children(db, province.id)
        .await?
        .into_iter()
        .filter(|u| u.lat.is_some() && u.lon.is_some())
        .collect();
    let filter = UnitFilter {
        scope_province_id: Some(province.id),
        generation: Some("legacy".into()),
        level: Some(diaban_domain::UnitLevel::Commune),
        limit: 10_000,
        ..Default::default()
    };
    let (legacy, _) = units::search(db, &filter).await?;
    let kon_tum: Vec<Unit> = legacy
        .into_iter()
        .filter(|u| {
            u.code.as_str() >= "23200" && u.code.as_str() <= "23700" && u.lat.is_some() && u.lon.is_some()
        })
        .collect();
    anyhow::ensure!(!current.is_empty(), "the demo province has no communes with coordinates");
    let end = last_day();
    let legacy_until = NaiveDate::from_ymd_opt(2025, 6, 30).unwrap_or(end);
    let first = NaiveDate::from_ymd_opt(2023, 1, 1).unwrap_or(end);
    let mut written = 0;
    while written < DEMO_SITES {
        let on_legacy = rng.unit() < 0.15 && !kon_tum.is_empty();
        let (unit, start) = if on_legacy {
            // Recorded before the merger, against the commune of the time.
            let u = &kon_tum[(rng.next_u64() % kon_tum.len() as u64) as usize];
            (u, after(first, &mut rng, 0, (legacy_until - first).num_days() - 1))
        } else {
            let u = &current[(rng.next_u64() % current.len() as u64) as usize];
            (u, after(first, &mut rng, 0, (end - first).num_days() - 30))
        };
        let (Some(clat), Some(clon)) = (unit.lat, unit.lon) else { continue };
        let Ok(location) = LatLon::new(clat + rng.range(-0.02, 0.02), clon + rng.range(-0.02, 0.02)) else {
            continue;
        };
        let k = rng.unit();
        let kind = if k < 0.55 {
            SiteKind::Point
        } else if k < 0.85 {
            SiteKind::Cluster
        } else {
            SiteKind::RiskPoint
        };
        let place = pick(&mut rng, PLACES);
        let new = NewSite {
            kind,
            hot_spot: kind.is_point_or_cluster() && rng.unit() < 0.2,
            name: format!("{place} khu vực {} (demo {})", unit.name, written + 1),
            description: "Dữ liệu mô phỏng (demo), không phải địa điểm thật.".into(),
            address: format!("Thôn {}, {}", rng.int(1, 12), unit.name),
            unit_id: unit.id,
            location,
            business_ref: None,
            found_how: pick(&mut rng, FOUND).into(),
            responsible_user_id: None,
            state: if rng.unit() < 0.7 { SiteState::Reported } else { SiteState::Listed },
            on: start,
            note: "Tiếp nhận ban đầu".into(),
        };
        let id = sites::create(db, &new, None, None).await?;
        written += 1;
        walk(db, id, scope, new.state, start, end, &params, &mut rng).await?;
    }
    tracing::info!(sites = DEMO_SITES, "demo sites written");
    Ok(())
}

/// Moves one site along its lifecycle with random gaps until `end` or until its story
/// stops (most sites stop somewhere along the way).
#[allow(clippy::too_many_arguments)]
async fn walk(
    db: &Db,
    id: i64,
    scope: Scope,
    mut state: SiteState,
    mut on: NaiveDate,
    end: NaiveDate,
    params: &SiteParams,
    rng: &mut SplitMix64,
) -> anyhow::Result<()> {
    // At most two rounds of elimination and re-formation.
    for _ in 0..12 {
        let (next, lo, hi, go) = match state {
            SiteState::Reported if rng.unit() < 0.12 => (SiteState::Dismissed, 10, 45, true),
            SiteState::Reported => (SiteState::Listed, 7, 40, rng.unit() < 0.9),
            SiteState::Listed => (SiteState::UnderAction, 20, 120, rng.unit() < 0.8),
            SiteState::UnderAction => (SiteState::Eliminated, 15, 150, rng.unit() < 0.8),
            SiteState::Eliminated => (SiteState::Monitoring, 1, 10, true),
            SiteState::Reformed => (SiteState::Listed, 5, 30, rng.unit() < 0.9),
            SiteState::Monitoring => return monitor(db, id, scope, on, end, params, rng).await,
            SiteState::Closed | SiteState::Dismissed => return Ok(()),
        };
        let when = after(on, rng, lo, hi);
        if !go || when > end {
            return Ok(());
        }
        let note = match next {
            SiteState::Listed => "Đã xác minh, đưa vào danh sách theo dõi",
            SiteState::UnderAction => "Triển khai kế hoạch đấu tranh, triệt xóa",
            SiteState::Eliminated => "Đã bắt giữ, xử lý các đối tượng; không còn hoạt động",
            SiteState::Monitoring => "Đưa vào theo dõi sau triệt xóa",
            SiteState::Dismissed => "Xác minh không có cơ sở",
            _ => "",
        };
        let req = TransitionRequest { to: next, on: when, note: note.into() };
        sites::change_state(db, id, scope, &req, None, params, None).await?;
        state = next;
        on = when;
    }
    Ok(())
}

/// Records the checks due before `end`; one site in eight re-forms at some check, then
/// goes round the lifecycle again; a site whose checks were all quiet is closed.
async fn monitor(
    db: &Db,
    id: i64,
    scope: Scope,
    since: NaiveDate,
    end: NaiveDate,
    params: &SiteParams,
    rng: &mut SplitMix64,
) -> anyhow::Result<()> {
    let reforms = rng.unit() < 0.125;
    let mut last = since;
    let checks = sites::checks(db, id).await?;
    let pending: Vec<NaiveDate> = checks.iter().filter(|c| c.done_on.is_none()).map(|c| c.due_on).collect();
    let n = pending.len();
    for (i, due) in pending.into_iter().enumerate() {
        let on = after(due, rng, 0, 6).max(last);
        if on > end {
            return Ok(());
        }
        let activity = reforms && (i >= n / 3) && rng.unit() < 0.35;
        let report = CheckReport {
            on,
            outcome: if activity { CheckOutcome::Activity } else { CheckOutcome::NoActivity },
            note: if activity {
                "Phát hiện đối tượng tụ tập trở lại"
            } else {
                "Không phát hiện hoạt động"
            }
            .into(),
        };
        sites::record_check(db, id, scope, &report, None, params, None).await?;
        last = on;
        if activity {
            // Re-listed and dealt with again, within the loop of `walk`.
            return Box::pin(walk(db, id, scope, SiteState::Reformed, on, end, params, rng)).await;
        }
    }
    let close_on = after(last, rng, 1, 10);
    if close_on <= end {
        let req = TransitionRequest {
            to: SiteState::Closed,
            on: close_on,
            note: "Hết thời gian theo dõi, không tái hình thành".into(),
        };
        sites::change_state(db, id, scope, &req, None, params, None).await?;
    }
    Ok(())
}

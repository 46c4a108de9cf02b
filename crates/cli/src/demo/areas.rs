//! The transformation programme in Quảng Ngãi: two key routes (national road 40 from the
//! Bờ Y border gate along national road 14 towards Đà Nẵng, and national road 24 to the
//! coast) and about twenty areas selected under the plan since late 2023, most of them
//! in former Kon Tum communes, each carried through the programme as far as its dates
//! allow: plans, progress, evaluations against the example checklist, recognitions,
//! reviews, a few relapses and one area selected again. The areas, decisions and people
//! are synthetic.

use super::rng::SplitMix64;
use chrono::{Months, NaiveDate, TimeDelta};
use diaban_domain::area::{Answer, AreaParams, AreaState, Checklist};
use diaban_domain::route::RouteMode;
use diaban_domain::site::LatLon;
use diaban_store::Db;
use diaban_store::areas::{self, Actor, Decision, Measure, NewArea, NewPlan};
use diaban_store::persons::Scope;
use diaban_store::routes::{self, NewRoute};
use diaban_store::units::{self, Unit};

/// Communes with a selected area: (code, part of the commune or "" for all of it).
const SELECTED: [(&str, &str); 20] = [
    ("23377", "Thôn Bắc Phong"),
    ("23377", ""),
    ("23293", "Tổ dân phố 4"),
    ("23302", "Tổ dân phố 2"),
    ("23284", ""),
    ("23401", "Thôn 3"),
    ("23500", "Thôn 1A"),
    ("23527", "Làng Kleng"),
    ("23392", ""),
    ("23383", "Thôn Chiên Chiết"),
    ("23535", ""),
    ("23548", "Thôn Ia Kơ"),
    ("23473", "Thôn Kon Tu Rằng"),
    ("23332", "Thôn Kon Klốc"),
    ("23512", ""),
    ("23326", "Thôn Tân Điền"),
    ("21025", "Tổ dân phố Nguyễn Nghiêm"),
    ("21034", ""),
    ("21364", "Thôn Phước Thọ"),
    ("21100", ""),
];

/// National road 40 from the Bờ Y border gate, then national road 14 north into Đà
/// Nẵng (Khâm Đức); and national road 24 from Kon Plông down through Ba Tơ to the coast.
const ROUTES: [(&str, RouteMode, &[&str]); 2] = [
    (
        "Quốc lộ 40 – cửa khẩu quốc tế Bờ Y – Quốc lộ 14",
        RouteMode::Road,
        &["23377", "23383", "23401", "23500", "23293", "23284", "23368", "20722"],
    ),
    ("Quốc lộ 24 Kon Plông – Ba Tơ – Mộ Đức", RouteMode::Road, &["23476", "23473", "21484", "21400"]),
];

const MEASURES: [(&str, &str); 8] = [
    ("Rà soát, lập danh sách người sử dụng trái phép chất ma túy trên địa bàn", "Công an xã"),
    ("Triệt xóa các điểm bán lẻ, tổ chức sử dụng trái phép chất ma túy", "Công an xã"),
    ("Tuyên truyền tại thôn, tổ dân phố và trường học", "UBND xã"),
    ("Tổ chức cai nghiện, điều trị thay thế cho người nghiện", "Trạm Y tế xã"),
    ("Kiểm tra cơ sở kinh doanh có điều kiện về an ninh, trật tự", "Công an xã"),
    ("Hỗ trợ việc làm, học nghề cho người sau cai nghiện", "Phòng Văn hóa – Xã hội"),
    ("Phát hiện, nhổ bỏ cây có chứa chất ma túy", "Công an xã"),
    ("Vận động gia đình ký cam kết không vi phạm về ma túy", "Mặt trận Tổ quốc xã"),
];

fn days(d: NaiveDate, n: i64) -> NaiveDate {
    d + TimeDelta::days(n)
}

async fn commune(db: &Db, code: &str) -> anyhow::Result<Option<Unit>> {
    Ok(units::by_code(
        db,
        code,
        Some(diaban_domain::UnitLevel::Commune),
        diaban_domain::time::today_in_vietnam(),
    )
    .await?
    .filter(|u| !u.is_legacy()))
}

async fn fill_routes(db: &Db) -> anyhow::Result<usize> {
    let mut n = 0;
    for (name, mode, codes) in ROUTES {
        let mut unit_ids = Vec::new();
        for c in codes {
            if let Some(u) = commune(db, c).await? {
                unit_ids.push(u.id);
            }
        }
        let r = NewRoute {
            name: name.to_owned(),
            mode,
            description: "Tuyến do Công an tỉnh xác định (dữ liệu mẫu).".to_owned(),
            valid_from: NaiveDate::from_ymd_opt(2023, 10, 1).unwrap_or(NaiveDate::MIN),
            valid_to: None,
            unit_ids,
        };
        routes::create(db, &r, None, None).await?;
        n += 1;
    }
    Ok(n)
}

fn answers(checklist: &Checklist, pass: bool, rng: &mut SplitMix64) -> Vec<Answer> {
    let failing = rng.int(0, checklist.items.iter().filter(|i| i.required).count() as i64 - 1) as usize;
    checklist
        .items
        .iter()
        .filter(|i| i.required)
        .enumerate()
        .map(|(k, i)| Answer {
            code: i.code.clone(),
            met: pass || k != failing,
            note: Some(
                if pass || k != failing { "Biên bản kiểm tra của đoàn" } else { "Còn tồn tại" }.to_owned(),
            ),
        })
        .collect()
}

pub async fn fill(db: &Db, province: &Unit, seed: u64) -> anyhow::Result<()> {
    let routes = fill_routes(db).await?;
    let mut rng = SplitMix64::new(seed ^ 0x000a_4ea5);
    let params = AreaParams::default();
    let today = diaban_domain::time::today_in_vietnam();
    let cx = Actor { scope: Scope::Province(province.id), params: &params, today, by: None };
    let checklist = areas::current_checklist(db).await?;
    let first = NaiveDate::from_ymd_opt(2023, 10, 16).unwrap_or(NaiveDate::MIN);
    let mut n = 0;
    let mut relapsed = None;
    for (k, (code, part)) in SELECTED.iter().enumerate() {
        let Some(c) = commune(db, code).await? else { continue };
        let selected_on = days(first, rng.int(0, 600));
        if selected_on > today {
            continue;
        }
        let name = if part.is_empty() { c.name.clone() } else { format!("{part}, {}", c.name) };
        let location = match (c.lat, c.lon) {
            (Some(lat), Some(lon)) if !part.is_empty() => {
                LatLon::new(lat + rng.range(-0.02, 0.02), lon + rng.range(-0.02, 0.02)).ok()
            }
            _ => None,
        };
        let new = NewArea {
            unit_id: c.id,
            name,
            part: (*part).to_owned(),
            location,
            decision_number: format!("{}/QĐ-UBND", 1200 + k * 37),
            decision_date: selected_on,
            decision_signer: "Phó Chủ tịch UBND tỉnh".to_owned(),
            previous_area_id: None,
        };
        let id = match areas::select(db, &new, cx, None).await {
            Ok(id) => id,
            // The same commune part twice in the list: the second is skipped.
            Err(areas::ChangeError::AlreadySelected(_)) => continue,
            Err(e) => return Err(anyhow::anyhow!("demo area {code}: {e}")),
        };
        n += 1;
        walk(db, cx, id, selected_on, &checklist, &mut rng, &mut relapsed).await?;
    }
    // One relapsed area is selected again, as a new round.
    if let Some((id, on)) = relapsed {
        let a = areas::get(db, id, cx.scope).await?;
        let again_on = days(on, 45);
        if let Some(a) = a.filter(|_| again_on <= today) {
            let new = NewArea {
                unit_id: a.unit_id,
                name: a.name.clone(),
                part: a.part.clone(),
                location: None,
                decision_number: "2047/QĐ-UBND".to_owned(),
                decision_date: again_on,
                decision_signer: "Phó Chủ tịch UBND tỉnh".to_owned(),
                previous_area_id: Some(a.id),
            };
            let again = areas::select(db, &new, cx, None).await?;
            let p = plan(again_on, &mut rng);
            areas::save_plan(db, again, cx, &p, None).await?;
            n += 1;
        }
    }
    tracing::info!(areas = n, routes, "demo transformation programme written");
    Ok(())
}

fn plan(from: NaiveDate, rng: &mut SplitMix64) -> NewPlan {
    let k = rng.int(3, 5) as usize;
    let start = rng.int(0, MEASURES.len() as i64 - 1) as usize;
    NewPlan {
        starts_on: days(from, rng.int(10, 40)),
        ends_on: days(from, rng.int(10, 40)).checked_add_months(Months::new(12)).unwrap_or(from),
        measures: (0..k)
            .map(|j| {
                let (m, u) = MEASURES[(start + j) % MEASURES.len()];
                Measure {
                    measure: m.to_owned(), unit: u.to_owned(), person: "Lãnh đạo đơn vị".to_owned()
                }
            })
            .collect(),
        note: String::new(),
    }
}

/// Carries one area as far as its dates allow.
async fn walk(
    db: &Db,
    cx: Actor<'_>,
    id: i64,
    selected_on: NaiveDate,
    checklist: &Checklist,
    rng: &mut SplitMix64,
    relapsed: &mut Option<(i64, NaiveDate)>,
) -> anyhow::Result<()> {
    let today = cx.today;
    let mut p = plan(selected_on, rng);
    if p.starts_on > today {
        return Ok(());
    }
    areas::save_plan(db, id, cx, &p, None).await?;
    areas::start(db, id, cx, p.starts_on, None).await?;
    let mut round = 0;
    loop {
        // Progress every quarter of the plan.
        let mut on = days(p.starts_on, 90);
        while on < p.ends_on && on <= today {
            let text =
                format!("Đã thực hiện {} biện pháp; {} buổi tuyên truyền.", rng.int(1, 3), rng.int(1, 6));
            areas::add_progress(db, id, cx, on, &text, None).await?;
            on = days(on, 90);
        }
        let evaluated_on = days(p.ends_on, rng.int(5, 25));
        if evaluated_on > today {
            return Ok(());
        }
        // Most pass at the first evaluation, nearly all at the second.
        let pass = rng.unit() < if round == 0 { 0.7 } else { 0.9 };
        areas::evaluate_area(
            db,
            id,
            cx,
            evaluated_on,
            answers(checklist, pass, rng),
            "Hội đồng đánh giá của tỉnh",
            None,
        )
        .await?;
        let decided_on = days(evaluated_on, rng.int(5, 20));
        if decided_on > today {
            return Ok(());
        }
        let decision = Decision {
            transformed: pass,
            on: decided_on,
            decision_number: if pass { format!("{}/QĐ-UBND", 3000 + id * 11) } else { String::new() },
            note: if pass { String::new() } else { "Còn tiêu chí bắt buộc chưa đạt".to_owned() },
        };
        areas::decide(db, id, cx, &decision, None).await?;
        if pass {
            return monitor(db, cx, id, decided_on, rng, relapsed).await;
        }
        round += 1;
        if round > 1 {
            return Ok(());
        }
        // A revised plan of six months.
        let starts_on = days(decided_on, 15);
        if starts_on > today {
            return Ok(());
        }
        p = NewPlan {
            starts_on,
            ends_on: starts_on.checked_add_months(Months::new(6)).unwrap_or(starts_on),
            ..plan(starts_on, rng)
        };
        areas::save_plan(db, id, cx, &p, None).await?;
    }
}

async fn monitor(
    db: &Db,
    cx: Actor<'_>,
    id: i64,
    recognised: NaiveDate,
    rng: &mut SplitMix64,
    relapsed: &mut Option<(i64, NaiveDate)>,
) -> anyhow::Result<()> {
    let today = cx.today;
    let relapse_after = (rng.unit() < 0.2).then(|| rng.int(1, 3) as usize);
    for (n, due) in cx.params.review_schedule(recognised).into_iter().enumerate() {
        let done = days(due, rng.int(-5, 10));
        if done > today {
            return Ok(());
        }
        if relapse_after == Some(n) {
            let on = days(done, -3);
            areas::relapse(
                db,
                id,
                cx,
                on,
                "Phát hiện điểm tổ chức sử dụng trái phép chất ma túy mới hình thành",
                None,
            )
            .await?;
            if relapsed.is_none() {
                *relapsed = Some((id, on));
            }
            return Ok(());
        }
        areas::review(db, id, cx, done, "Tình hình ổn định, không phát hiện điểm mới", false, None).await?;
    }
    if let Some(end) = cx.params.window_end(recognised) {
        let closed = days(end, rng.int(1, 20));
        if closed <= today
            && areas::get(db, id, cx.scope).await?.is_some_and(|a| a.state == AreaState::Monitoring)
        {
            areas::close_monitoring(db, id, cx, closed, "Hết thời gian theo dõi, không tái phức tạp", None)
                .await?;
        }
    }
    Ok(())
}

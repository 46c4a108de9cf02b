//! Demo operations, part B: about 60 conditional businesses with inspections (some
//! overdue), a dozen escalations in every state (some overdue), and anonymous tips, some
//! waiting for triage and some already triaged. All clearly synthetic ("(demo)" in the
//! names), all from the seed, and written through the store so they obey its rules.

use super::rng::SplitMix64;
use chrono::{Days, NaiveDate};
use diaban_domain::business::{BusinessLine, InspectionKind};
use diaban_domain::escalation::{EscalationStep, Level};
use diaban_domain::incident::IncidentKind;
use diaban_domain::site::LatLon;
use diaban_store::businesses::{self, NewBusiness, NewInspection};
use diaban_store::escalations::{self, NewEscalation, StepRequest, Visibility};
use diaban_store::incidents::NewIncident;
use diaban_store::persons::Scope;
use diaban_store::tips::{self, NewTip, SiteChoice};
use diaban_store::units::{self, Unit};
use diaban_store::{Db, users};

const NAMES: &[&str] =
    &["Ánh Dương", "Hoàng Gia", "Sao Mai", "Bình Minh", "Phương Nam", "Thiên Ân", "Hòa Bình"];
const TIPS: &[&str] = &[
    "(demo) Thường có nhiều thanh niên tụ tập ban đêm, nghi sử dụng ma túy.",
    "(demo) Có người lạ ra vào căn nhà cuối hẻm nhiều lần trong ngày.",
    "(demo) Phát hiện bơm kim tiêm vứt ở bãi đất trống gần trường học.",
    "(demo) Quán karaoke mở khuya, nghi có sử dụng ma túy tổng hợp.",
];
const ASKS: &[(&str, &str)] = &[
    (
        "(demo) Thiếu kinh phí hỗ trợ cai nghiện tại gia đình",
        "Đề nghị bố trí kinh phí hỗ trợ người cai nghiện tại gia đình, cộng đồng.",
    ),
    (
        "(demo) Cần hỗ trợ lực lượng tuần tra tuyến giáp ranh",
        "Địa bàn giáp ranh hai xã, lực lượng mỏng, đề nghị tăng cường.",
    ),
    (
        "(demo) Vướng mắc xác định tình trạng nghiện",
        "Chưa có cơ sở y tế đủ điều kiện xác định tình trạng nghiện trên địa bàn.",
    ),
];

fn day(d: NaiveDate, n: i64) -> NaiveDate {
    d.checked_add_days(Days::new(n.max(0) as u64)).unwrap_or(d)
}

/// Writes the demo businesses, escalations and (with a key) tips.
pub async fn fill(
    db: &Db,
    keys: Option<&diaban_vault::KeyRing>,
    province: &Unit,
    seed: u64,
) -> anyhow::Result<()> {
    let mut rng = SplitMix64::new(seed ^ 0x6f70_7332);
    let communes: Vec<Unit> =
        units::children(db, province.id).await?.into_iter().filter(|u| u.lat.is_some()).collect();
    anyhow::ensure!(!communes.is_empty(), "the demo province has no communes");
    let last = NaiveDate::from_ymd_opt(2026, 11, 15).unwrap_or_default();
    let pick = |rng: &mut SplitMix64| communes[(rng.next_u64() % communes.len() as u64) as usize].clone();
    let near = |rng: &mut SplitMix64, u: &Unit| {
        LatLon::new(
            u.lat.unwrap_or(15.0) + rng.range(-0.02, 0.02),
            u.lon.unwrap_or(108.0) + rng.range(-0.02, 0.02),
        )
        .ok()
    };

    // Businesses and their inspections.
    for i in 0..60 {
        let u = pick(&mut rng);
        let line = BusinessLine::ALL[(rng.next_u64() % 5) as usize];
        let name = format!("{} {} (demo)", line.label_vi(), NAMES[i % NAMES.len()]);
        let b = NewBusiness {
            name,
            line,
            certificate_no: format!("{}/GCN-ANTT", 100 + i),
            certificate_on: NaiveDate::from_ymd_opt(2020 + (i % 5) as i32, 1 + (i % 12) as u32, 10),
            address: format!("Số {} đường Demo", 1 + rng.int(1, 200)),
            unit_id: u.id,
            location: near(&mut rng, &u),
        };
        let id = businesses::create(db, &b, None, None).await?;
        let scope = Scope::Province(province.id);
        for _ in 0..rng.int(0, 3) {
            let on = day(NaiveDate::from_ymd_opt(2024, 1, 1).unwrap_or(last), rng.int(0, 1000));
            let violation = rng.int(0, 4) == 0;
            let insp = NewInspection {
                kind: if rng.int(0, 2) == 0 { InspectionKind::AdHoc } else { InspectionKind::Planned },
                on: on.min(last),
                findings: "(demo) Kiểm tra điều kiện về an ninh, trật tự.".into(),
                violations: if violation {
                    "(demo) Không thông báo lưu trú đầy đủ.".into()
                } else {
                    String::new()
                },
                sanctions: if violation { "(demo) Phạt cảnh cáo.".into() } else { String::new() },
            };
            businesses::add_inspection(db, id, scope, &insp, None, None).await?;
        }
    }

    // Escalations, raised by the demo commune officer and partner, in every state.
    let raiser = users::by_username(db, "congan.xa").await?;
    let partner = users::by_username(db, "soyte").await?;
    let police = users::by_username(db, "pc04").await?;
    let leader = users::by_username(db, "lanhdao").await?;
    if let (Some(raiser), Some(partner), Some(police), Some(leader)) = (raiser, partner, police, leader) {
        let vis = Visibility { scope: Scope::Province(province.id), only_raised_by: None };
        for i in 0..12 {
            let (who, unit) = if i % 4 == 3 { (&partner, province.id) } else { (&raiser, raiser.unit_id) };
            let (title, body) = ASKS[i % ASKS.len()];
            let on = day(NaiveDate::from_ymd_opt(2026, 6, 1).unwrap_or(last), rng.int(0, 160));
            let new = NewEscalation {
                source_type: "manual".into(),
                source_ref: String::new(),
                unit_id: unit,
                title: title.into(),
                body: body.into(),
                on,
                response_days: 10,
            };
            let id = escalations::raise(db, &new, Some(who.id), None).await?;
            let step = |step, level, note: &str, by: i64, on| {
                (StepRequest { step, level, note: note.into(), assignee_id: None, on, response_days: 10 }, by)
            };
            let plan = match i % 4 {
                0 => vec![],
                1 => vec![step(
                    EscalationStep::Decide,
                    Level::Police,
                    "(demo) Đã chỉ đạo Công an xã phối hợp giải quyết.",
                    police.id,
                    day(on, 5),
                )],
                2 => vec![
                    step(
                        EscalationStep::Forward,
                        Level::Police,
                        "(demo) Vượt thẩm quyền: cần UBND tỉnh bố trí kinh phí.",
                        police.id,
                        day(on, 4),
                    ),
                    step(
                        EscalationStep::Decide,
                        Level::Committee,
                        "(demo) Giao Sở Tài chính cân đối kinh phí.",
                        leader.id,
                        day(on, 12),
                    ),
                ],
                _ => vec![step(
                    EscalationStep::Forward,
                    Level::Police,
                    "(demo) Đề nghị UBND tỉnh xem xét.",
                    police.id,
                    day(on, 3),
                )],
            };
            for (req, by) in plan {
                escalations::take_step(db, id, vis, &req, Some(by), None).await?;
            }
        }
    }

    // Tips (sealed: only with the demo key).
    if let Some(keys) = keys {
        let radius = diaban_domain::site::SiteParams::default().reformation_radius_m;
        let officer = users::by_username(db, "pc04").await?.map(|u| u.id);
        for i in 0..20 {
            let u = if i % 3 == 0 {
                communes
                    .iter()
                    .find(|c| c.name == super::accounts::DEMO_COMMUNE_NAME)
                    .cloned()
                    .unwrap_or_else(|| pick(&mut rng))
            } else {
                pick(&mut rng)
            };
            let location = if i % 4 == 0 { None } else { near(&mut rng, &u) };
            let t = NewTip {
                unit_id: u.id,
                location,
                address: format!("(demo) Thôn {}", 1 + i % 9),
                text: TIPS[i % TIPS.len()].into(),
                follow_up_hash: None,
            };
            let id = tips::submit(db, keys, &t, None).await?;
            let scope = Scope::Province(province.id);
            match (i % 5, location) {
                (0, Some(at)) => {
                    let inc = NewIncident {
                        kind: IncidentKind::Tip,
                        on: last,
                        location: at,
                        unit_id: u.id,
                        source: "tip".into(),
                        note: "(demo) Đã xác minh tin báo.".into(),
                    };
                    let acceptance =
                        tips::Acceptance { incident: inc, site: SiteChoice::None, radius_m: radius };
                    tips::accept(db, id, scope, &acceptance, officer, None).await?;
                }
                (1, _) => {
                    tips::dismiss(db, id, scope, "(demo) Xác minh không có dấu hiệu vi phạm.", officer, None)
                        .await?;
                }
                _ => {}
            }
        }
    }
    Ok(())
}

//! About 2,000 clearly synthetic persons (notes say so) resident in the demo province:
//! most in current communes, some recorded before the merger against legacy Kon Tum
//! communes. Identity numbers are well-formed (province of birth registration, century and
//! sex digit, birth year) with random serials.

use super::rng::SplitMix64;
use diaban_store::Db;
use diaban_store::persons::{self, NewPerson};
use diaban_store::units::{self, Unit, UnitFilter};
use diaban_vault::KeyRing;

const FAMILY: &[&str] = &[
    "Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô",
    "Dương", "Lý", "A", "Y",
];
const MIDDLE_M: &[&str] = &["Văn", "Đức", "Minh", "Hữu", "Quang", "Công", "Thanh"];
const MIDDLE_F: &[&str] = &["Thị", "Ngọc", "Thu", "Kim", "Thanh"];
const GIVEN_M: &[&str] = &[
    "An", "Bình", "Cường", "Dũng", "Hải", "Hùng", "Khánh", "Long", "Nam", "Phúc", "Quân", "Sơn", "Tâm",
    "Thắng", "Tuấn", "Việt", "Blông", "Hnil", "Thuân",
];
const GIVEN_F: &[&str] = &["Hoa", "Lan", "Mai", "Ngân", "Phương", "Thảo", "Trang", "Vy", "H'Linh", "Y Nhi"];
const ETHNIC: &[&str] =
    &["Kinh", "Kinh", "Kinh", "Kinh", "Xơ Đăng", "Ba Na", "Giẻ Triêng", "Hrê", "Cor", "Gia Rai"];

pub const DEMO_PERSONS: usize = 2000;

fn pick<'a>(rng: &mut SplitMix64, xs: &[&'a str]) -> &'a str {
    xs[(rng.next_u64() % xs.len() as u64) as usize]
}

pub async fn fill(db: &Db, keys: &KeyRing, province: &Unit, seed: u64) -> anyhow::Result<()> {
    let mut rng = SplitMix64::new(seed ^ 0x7065_7273);
    let current = units::children(db, province.id).await?;
    let filter = UnitFilter {
        scope_province_id: Some(province.id),
        generation: Some("legacy".into()),
        level: Some(diaban_domain::UnitLevel::Commune),
        limit: 10_000,
        ..Default::default()
    };
    let (legacy, _) = units::search(db, &filter).await?;
    let kon_tum_legacy: Vec<&Unit> =
        legacy.iter().filter(|u| u.code.as_str() >= "23200" && u.code.as_str() <= "23700").collect();
    let demo_commune = current.iter().find(|c| c.name == super::accounts::DEMO_COMMUNE_NAME);
    for i in 0..DEMO_PERSONS {
        let male = rng.unit() < 0.88;
        let year = rng.int(1965, 2008) as i32;
        let month = rng.int(1, 12) as u32;
        let day = rng.int(1, 28) as u32;
        let birth = chrono::NaiveDate::from_ymd_opt(year, month, day);
        let r = rng.unit();
        let unit = if r < 0.12 && !kon_tum_legacy.is_empty() {
            kon_tum_legacy[(rng.next_u64() % kon_tum_legacy.len() as u64) as usize]
        } else if r < 0.2
            && let Some(c) = demo_commune
        {
            c
        } else {
            &current[(rng.next_u64() % current.len() as u64) as usize]
        };
        let prov = if unit.code.as_str() >= "23200" && unit.code.as_str() <= "23700" { "062" } else { "051" };
        let century_sex = match (year >= 2000, male) {
            (false, true) => 0,
            (false, false) => 1,
            (true, true) => 2,
            (true, false) => 3,
        };
        let id_number = format!("{prov}{century_sex}{:02}{:06}", year % 100, rng.int(0, 999_999));
        let (middle, given) = if male {
            (pick(&mut rng, MIDDLE_M), pick(&mut rng, GIVEN_M))
        } else {
            (pick(&mut rng, MIDDLE_F), pick(&mut rng, GIVEN_F))
        };
        let full_name = format!("{} {} {}", pick(&mut rng, FAMILY), middle, given);
        let p = NewPerson {
            residence_unit_id: unit.id,
            sex: if male { "male" } else { "female" }.into(),
            birth_year: year,
            ethnicity: pick(&mut rng, ETHNIC).into(),
            // One in twenty legacy records carries an old 9-digit identity card instead.
            id_number: Some(if i % 20 == 7 {
                format!("{:09}", rng.int(200_000_000, 239_999_999))
            } else {
                id_number
            }),
            full_name,
            birth_date: birth,
            address: Some(format!("Tổ {}, {}", rng.int(1, 12), unit.name)),
            phone: (rng.unit() < 0.6).then(|| format!("09{:08}", rng.int(0, 99_999_999))),
            notes: Some("Dữ liệu mô phỏng (demo), không phải người thật.".into()),
        };
        persons::create(db, keys, &p, None).await?;
    }
    tracing::info!(persons = DEMO_PERSONS, "demo persons written");
    Ok(())
}

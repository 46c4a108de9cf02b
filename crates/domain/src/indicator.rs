//! The indicator catalogue's vocabulary (DOMAIN.md §1 targets, §7 indicators): a stable id
//! per figure, what it measures and in which unit. Plans name their targets by these ids;
//! `diaban_analytics::indicators` computes each one; reports and the dashboard label them
//! from here. An id never changes meaning once shipped: a new definition gets a new id.

use crate::propaganda::VenueType;
use crate::seizures::{Drug, QuantityUnit};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// What an indicator's value is counted in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Measure {
    /// A count of things (sites, persons, cases, sessions).
    Count,
    /// A share in percent, 0–100.
    Percent,
    /// A change in percent against the previous period (may be negative).
    Change,
}

macro_rules! indicators {
    ($($variant:ident = $id:literal, $measure:ident, $vi:literal, $en:literal;)+) => {
        /// One indicator of the catalogue.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        pub enum IndicatorId {
            $(
                #[doc = $en]
                #[serde(rename = $id)]
                $variant,
            )+
        }

        impl IndicatorId {
            /// Every indicator, in catalogue order.
            pub const ALL: &'static [IndicatorId] = &[$(IndicatorId::$variant),+];

            /// The stable id (`t1_sites_change`, `cases`, …).
            pub fn as_str(self) -> &'static str {
                match self { $(IndicatorId::$variant => $id),+ }
            }

            /// What the value is counted in.
            pub fn measure(self) -> Measure {
                match self { $(IndicatorId::$variant => Measure::$measure),+ }
            }

            /// The name in Vietnamese.
            pub fn label_vi(self) -> &'static str {
                match self { $(IndicatorId::$variant => $vi),+ }
            }

            /// The name in English.
            pub fn label_en(self) -> &'static str {
                match self { $(IndicatorId::$variant => $en),+ }
            }
        }

        impl FromStr for IndicatorId {
            type Err = UnknownIndicator;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                match s { $($id => Ok(IndicatorId::$variant),)+ _ => Err(UnknownIndicator(s.to_owned())) }
            }
        }
    };
}

indicators! {
    T1SitesChange = "t1_sites_change", Change,
        "T1: Thay đổi số điểm, tụ điểm đang hoạt động so với năm trước",
        "T1: change of active points and clusters against the year before";
    T2HotSpotsEliminated = "t2_hot_spots_eliminated", Percent,
        "T2: Tỷ lệ điểm nóng đã triệt xóa so với danh sách ban đầu",
        "T2: hot spots eliminated, share of those listed at the baseline";
    T3AreasTransformed = "t3_areas_transformed", Percent,
        "T3: Tỷ lệ địa bàn được lựa chọn đã chuyển hóa",
        "T3: selected areas transformed";
    T4AreasNotRelapsed = "t4_areas_not_relapsed", Percent,
        "T4: Tỷ lệ địa bàn đã chuyển hóa không tái phức tạp",
        "T4: transformed areas that did not relapse";
    T5PersonsReached = "t5_persons_reached", Percent,
        "T5: Tỷ lệ người nghiện, người sử dụng trái phép có hồ sơ được tiếp cận dịch vụ",
        "T5: persons with records reached by a service";
    T6AddictsGrowth = "t6_addicts_growth", Change,
        "T6: Tăng người nghiện so với năm trước",
        "T6: growth of addicts against the year before";
    T6ProblemCommunesGrowth = "t6_problem_communes_growth", Change,
        "T6: Tăng số xã có tệ nạn ma túy so với năm trước",
        "T6: growth of communes with drug problems against the year before";
    IllegalUsersGrowth = "illegal_users_growth", Change,
        "Tăng người sử dụng trái phép so với năm trước",
        "growth of illegal users against the year before";
    AddictsCounselled = "addicts_counselled", Percent,
        "Tỷ lệ người nghiện được tư vấn",
        "addicts counselled";
    DrugFreeCommunes = "drug_free_communes", Percent,
        "Tỷ lệ xã không có ma túy",
        "drug-free communes";
    SitesEliminatedShare = "sites_eliminated_share", Percent,
        "Tỷ lệ điểm, tụ điểm, điểm nguy cơ đã phát hiện được triệt xóa",
        "detected points, clusters and risk points eliminated";
    SitesActive = "sites_active", Count,
        "Điểm, tụ điểm đang hoạt động (cuối kỳ)",
        "active points and clusters (end of period)";
    SitesEliminated = "sites_eliminated", Count,
        "Điểm, tụ điểm triệt xóa trong kỳ",
        "points and clusters eliminated in the period";
    SitesReformed = "sites_reformed", Count,
        "Điểm, tụ điểm tái hình thành trong kỳ",
        "points and clusters re-formed in the period";
    AreasSelected = "areas_selected", Count,
        "Địa bàn được lựa chọn chuyển hóa",
        "areas selected for transformation";
    AreasTransformed = "areas_transformed", Count,
        "Địa bàn đã chuyển hóa",
        "areas transformed";
    AreasRelapsed = "areas_relapsed", Count,
        "Địa bàn tái phức tạp",
        "areas relapsed";
    PersonsWithRecords = "persons_with_records", Count,
        "Người nghiện, người sử dụng trái phép có hồ sơ quản lý",
        "addicts and illegal users with management records";
    PersonsReached = "persons_reached", Count,
        "Người có hồ sơ được tiếp cận dịch vụ",
        "persons with records reached by a service";
    ProblemCommunes = "problem_communes", Count,
        "Xã có tệ nạn ma túy",
        "communes with drug problems";
    Cases = "cases", Count,
        "Vụ việc phát hiện",
        "cases";
    CaseSubjects = "case_subjects", Count,
        "Đối tượng trong các vụ việc",
        "subjects of cases";
    ProsecutedCases = "prosecuted_cases", Count,
        "Vụ khởi tố",
        "cases prosecuted";
    ProsecutedDefendants = "prosecuted_defendants", Count,
        "Bị can khởi tố",
        "defendants prosecuted";
    AdministrativelyHandled = "administratively_handled", Count,
        "Người bị xử lý hành chính",
        "persons handled administratively";
    RingsDismantled = "rings_dismantled", Count,
        "Đường dây bị triệt phá",
        "rings dismantled";
    PropagandaSessions = "propaganda_sessions", Count,
        "Buổi tuyên truyền",
        "propaganda sessions";
    PropagandaParticipants = "propaganda_participants", Count,
        "Lượt người tham dự tuyên truyền",
        "propaganda participants";
    Inspections = "inspections", Count,
        "Lượt kiểm tra cơ sở kinh doanh có điều kiện",
        "inspections of conditional businesses";
    SitesNew = "sites_new", Count,
        "Điểm, tụ điểm mới hình thành trong kỳ",
        "points and clusters newly formed in the period";
    SitesNewChange = "sites_new_change", Change,
        "Thay đổi số điểm, tụ điểm mới hình thành so với cùng kỳ",
        "change of newly formed points and clusters against the same period before";
    SeizedHeroinGrams = "seized_heroin_g", Count,
        "Heroin thu giữ (gam)",
        "heroin seized (grams)";
    SeizedHeroinBricks = "seized_heroin_bricks", Count,
        "Heroin thu giữ (bánh)",
        "heroin seized (bricks)";
    SeizedSyntheticGrams = "seized_synthetic_g", Count,
        "Ma túy tổng hợp thu giữ (gam)",
        "synthetic drugs seized (grams)";
    SeizedSyntheticTablets = "seized_synthetic_tablets", Count,
        "Ma túy tổng hợp thu giữ (viên)",
        "synthetic drugs seized (tablets)";
    SeizedCannabisGrams = "seized_cannabis_g", Count,
        "Cần sa thu giữ (gam)",
        "cannabis seized (grams)";
    SeizedCannabisPlants = "seized_cannabis_plants", Count,
        "Cần sa thu giữ (cây)",
        "cannabis seized (plants)";
    SeizedCocaineGrams = "seized_cocaine_g", Count,
        "Cocaine thu giữ (gam)",
        "cocaine seized (grams)";
    SeizedOpiumGrams = "seized_opium_g", Count,
        "Thuốc phiện thu giữ (gam)",
        "opium seized (grams)";
    SeizedOtherGrams = "seized_other_g", Count,
        "Chất ma túy khác thu giữ (gam)",
        "other substances seized (grams)";
    SeizedOtherTablets = "seized_other_tablets", Count,
        "Chất ma túy khác thu giữ (viên)",
        "other substances seized (tablets)";
    PropagandaCommune = "propaganda_commune", Count,
        "Buổi tuyên truyền tại xã, phường, khu dân cư",
        "propaganda sessions in communes and residential areas";
    PropagandaSchool = "propaganda_school", Count,
        "Buổi tuyên truyền tại trường học",
        "propaganda sessions in schools";
    PropagandaIndustrialZone = "propaganda_industrial_zone", Count,
        "Buổi tuyên truyền tại khu, cụm công nghiệp",
        "propaganda sessions in industrial zones and clusters";
    PropagandaBusiness = "propaganda_business", Count,
        "Buổi tuyên truyền tại doanh nghiệp, cơ sở kinh doanh",
        "propaganda sessions in businesses";
    PropagandaOtherVenue = "propaganda_other_venue", Count,
        "Buổi tuyên truyền tại nơi khác",
        "propaganda sessions elsewhere";
}

impl IndicatorId {
    /// The seizure lines of the catalogue: `(indicator, drug, unit)`; masses are summed
    /// in grams (kilograms converted), counts in their own unit, never across units.
    pub const SEIZURES: &'static [(IndicatorId, Drug, QuantityUnit)] = &[
        (IndicatorId::SeizedHeroinGrams, Drug::Heroin, QuantityUnit::Gram),
        (IndicatorId::SeizedHeroinBricks, Drug::Heroin, QuantityUnit::Brick),
        (IndicatorId::SeizedSyntheticGrams, Drug::Synthetic, QuantityUnit::Gram),
        (IndicatorId::SeizedSyntheticTablets, Drug::Synthetic, QuantityUnit::Tablet),
        (IndicatorId::SeizedCannabisGrams, Drug::Cannabis, QuantityUnit::Gram),
        (IndicatorId::SeizedCannabisPlants, Drug::Cannabis, QuantityUnit::Plant),
        (IndicatorId::SeizedCocaineGrams, Drug::Cocaine, QuantityUnit::Gram),
        (IndicatorId::SeizedOpiumGrams, Drug::Opium, QuantityUnit::Gram),
        (IndicatorId::SeizedOtherGrams, Drug::Other, QuantityUnit::Gram),
        (IndicatorId::SeizedOtherTablets, Drug::Other, QuantityUnit::Tablet),
    ];

    /// The propaganda-by-venue lines of the catalogue.
    pub const PROPAGANDA_VENUES: &'static [(IndicatorId, VenueType)] = &[
        (IndicatorId::PropagandaCommune, VenueType::Commune),
        (IndicatorId::PropagandaSchool, VenueType::School),
        (IndicatorId::PropagandaIndustrialZone, VenueType::IndustrialZone),
        (IndicatorId::PropagandaBusiness, VenueType::Business),
        (IndicatorId::PropagandaOtherVenue, VenueType::Other),
    ];

    /// The seizure line a drug and unit count in (kilograms count in grams); `None` for a
    /// pair the drug is not recorded in.
    pub fn seizure_line(drug: Drug, unit: QuantityUnit) -> Option<IndicatorId> {
        let unit = if unit.grams().is_some() { QuantityUnit::Gram } else { unit };
        Self::SEIZURES.iter().find(|(_, d, u)| *d == drug && *u == unit).map(|(i, _, _)| *i)
    }

    /// The catalogue line of a venue type.
    pub fn propaganda_line(venue: VenueType) -> IndicatorId {
        Self::PROPAGANDA_VENUES
            .iter()
            .find(|(_, v)| *v == venue)
            .map(|(i, _)| *i)
            .unwrap_or(IndicatorId::PropagandaOtherVenue)
    }
}

impl fmt::Display for IndicatorId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An id that is not in the catalogue.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown indicator '{0}'")]
pub struct UnknownIndicator(pub String);

impl UnknownIndicator {
    /// The message in Vietnamese.
    pub fn message_vi(&self) -> String {
        format!("Không có chỉ tiêu «{}» trong danh mục.", self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn ids_round_trip_and_are_unique() {
        let mut seen = HashSet::new();
        for &i in IndicatorId::ALL {
            assert!(seen.insert(i.as_str()), "{i} twice");
            assert_eq!(i.as_str().parse::<IndicatorId>(), Ok(i));
            let json = serde_json::to_string(&i).unwrap();
            assert_eq!(json, format!("\"{}\"", i.as_str()));
        }
        assert_eq!(seen.len(), 46);
        assert!("t7".parse::<IndicatorId>().is_err());
    }

    #[test]
    fn every_recordable_seizure_and_venue_has_a_line() {
        for &drug in Drug::ALL {
            for &unit in drug.allowed_units() {
                assert!(IndicatorId::seizure_line(drug, unit).is_some(), "{drug:?} {unit:?}");
            }
        }
        assert_eq!(
            IndicatorId::seizure_line(Drug::Heroin, QuantityUnit::Kilogram),
            Some(IndicatorId::SeizedHeroinGrams)
        );
        assert_eq!(IndicatorId::seizure_line(Drug::Opium, QuantityUnit::Tablet), None);
        for &v in VenueType::ALL {
            assert!(IndicatorId::PROPAGANDA_VENUES.iter().any(|(_, w)| *w == v));
        }
    }
}

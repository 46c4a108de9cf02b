use super::template::{Column, Section, Template, check_narratives, fill, placeholders};
use super::workflow::{
    ReportStatus as S, Standing, Transition as T, WorkflowError, available, step, visible,
};
use super::*;
use crate::access::Role;
use std::collections::BTreeMap;

fn figures() -> Figures {
    Figures {
        unit_code: "51".into(),
        unit_name: "Tỉnh Quảng Ngãi".into(),
        level: ReportLevel::Province,
        period: "2026".into(),
        period_label: "Năm 2026".into(),
        from: NaiveDate::from_ymd_opt(2025, 12, 15).unwrap(),
        to: NaiveDate::from_ymd_opt(2026, 12, 14).unwrap(),
        computed_at: DateTime::from_timestamp(0, 0).unwrap(),
        plan: Some("3220/KH-UBND".into()),
        plan_territory: None,
        indicators: vec![
            Figure {
                id: IndicatorId::Cases,
                value: Some(1234.0),
                previous: Some(1000.0),
                numerator: 1234.0,
                denominator: None,
            },
            Figure {
                id: IndicatorId::DrugFreeCommunes,
                value: Some(62.5),
                previous: Some(60.0),
                numerator: 5.0,
                denominator: Some(8.0),
            },
        ],
        targets: vec![],
        protection: Protection { person_reads: 7, ..Default::default() },
        registries: Default::default(),
    }
}

fn template() -> Template {
    let block = template::Block {
        superior: "BỘ CÔNG AN".into(),
        issuer: "CÔNG AN {PROVINCE}".into(),
        symbol: "BC-CAT".into(),
        signer_title: "GIÁM ĐỐC".into(),
        recipients: vec!["UBND {province};".into(), "Lưu: VT.".into()],
    };
    Template {
        title: "Báo cáo {kind} {period}".into(),
        blocks: template::Blocks { province: block.clone(), commune: block },
        sections: vec![
            Section::Narrative {
                key: "chung".into(),
                title: "I.".into(),
                text: "{cases} vụ tại {unit}".into(),
            },
            Section::Table {
                title: "II.".into(),
                rows: vec![IndicatorId::Cases],
                columns: vec![Column::Value],
            },
        ],
    }
}

#[test]
fn kinds_take_periods_of_their_length_only() {
    assert_eq!(ReportKind::Monthly.period("2026-03").unwrap(), crate::period::StatPeriod::month(2026, 3));
    assert!(ReportKind::HalfYear.period("2026-H1").is_ok());
    assert!(ReportKind::Annual.period("2026").is_ok());
    let e = ReportKind::Monthly.period("2026").unwrap_err();
    assert!(matches!(e, ReportError::PeriodKind { .. }), "{e}");
    assert!(e.to_string().contains("YYYY-MM"));
    assert!(matches!(ReportKind::Annual.period("20x6"), Err(ReportError::BadPeriod(_))));
    assert_eq!("half-year".parse::<ReportKind>().unwrap(), ReportKind::HalfYear);
    assert!("weekly".parse::<ReportKind>().is_err());
    assert_eq!(serde_json::to_string(&ReportKind::HalfYear).unwrap(), "\"half-year\"");
}

#[test]
fn numbers_the_vietnamese_way() {
    assert_eq!(fmt_count_vi(1234567.0), "1.234.567");
    assert_eq!(fmt_count_vi(-1234.0), "-1.234");
    assert_eq!(fmt_value_vi(IndicatorId::DrugFreeCommunes, Some(62.5)), "62,5%");
    assert_eq!(fmt_value_vi(IndicatorId::Cases, None), "—");
    let f = figures();
    assert_eq!(fmt_change_vi(f.get(IndicatorId::Cases).unwrap()), "+23,4%");
    assert_eq!(fmt_change_vi(f.get(IndicatorId::DrugFreeCommunes).unwrap()), "+2,5 điểm %");
}

#[test]
fn placeholders_are_filled_and_unknown_ones_refused() {
    let f = figures();
    assert_eq!(
        fill("{cases} vụ ({cases.previous}) tại {unit}, {protection.person_reads}", &f),
        "1.234 vụ (1.000) tại Tỉnh Quảng Ngãi, 7"
    );
    assert_eq!(placeholders("a {x} b {y"), vec!["x"]);
    let t = template();
    t.check().unwrap();
    let mut texts = BTreeMap::new();
    texts.insert("chung".to_owned(), "{cases} và {ten_nguoi}".to_owned());
    assert_eq!(check_narratives(&t, &texts), Err(ReportError::UnknownPlaceholder("ten_nguoi".into())));
    texts.clear();
    texts.insert("khac".to_owned(), "x".to_owned());
    assert!(matches!(check_narratives(&t, &texts), Err(ReportError::UnknownNarrative(_))));
    let json = serde_json::to_string(&t).unwrap();
    assert_eq!(Template::from_json(&json).unwrap(), t);
    assert_eq!(t.title_for(ReportKind::Annual, "Năm 2026"), "Báo cáo năm năm 2026");
    assert_eq!(fill("Trong {period}", &f), "Trong năm 2026");
}

#[test]
fn the_letterhead_follows_decree_30() {
    let t = template();
    let l = Letterhead::of(ReportLevel::Province, "Tỉnh Quảng Ngãi", "Tỉnh Quảng Ngãi", &t.blocks);
    assert_eq!(l.issuer, "CÔNG AN TỈNH QUẢNG NGÃI");
    assert_eq!(l.place, "Quảng Ngãi");
    assert_eq!(l.recipients[0], "UBND Quảng Ngãi;");
    assert_eq!(number_line(None, "BC-CAT"), "Số:      /BC-CAT");
    assert_eq!(number_line(Some("12/BC-CAT"), "BC-CAT"), "Số: 12/BC-CAT");
    let d = |m, day| NaiveDate::from_ymd_opt(2027, m, day);
    assert_eq!(place_date_line("Quảng Ngãi", d(1, 5)), "Quảng Ngãi, ngày 05 tháng 01 năm 2027");
    assert_eq!(place_date_line("Quảng Ngãi", d(3, 15)), "Quảng Ngãi, ngày 15 tháng 3 năm 2027");
    let c = Letterhead::of(ReportLevel::Commune, "Phường Kon Tum", "Tỉnh Quảng Ngãi", &t.blocks);
    assert_eq!(c.place, "Kon Tum");
}

#[test]
fn the_diff_names_what_changed_and_nothing_else() {
    let a = figures();
    let mut b = a.clone();
    assert!(diff(&a, &b).is_empty());
    b.indicators[0].value = Some(1235.0);
    b.protection.denied = 2;
    let d = diff(&a, &b);
    assert_eq!(d.len(), 2, "{d:?}");
    assert_eq!(d[0].key, "cases");
    assert_eq!((d[0].frozen, d[0].now), (Some(1234.0), Some(1235.0)));
    assert_eq!(d[1].key, "protection:denied");
}

const COMMUNE: ReportLevel = ReportLevel::Commune;
const PROVINCE: ReportLevel = ReportLevel::Province;

#[test]
fn a_commune_report_goes_up_to_pc04_and_back() {
    let drafter = (Role::CommuneOfficer, COMMUNE, Standing::Own);
    let pc04 = (Role::ProvinceOfficer, COMMUNE, Standing::Above);
    let s = step(drafter.0, drafter.1, drafter.2, S::Draft, T::Submit, "").unwrap();
    assert_eq!(s, S::Submitted);
    assert_eq!(step(pc04.0, pc04.1, pc04.2, s, T::Return, " "), Err(WorkflowError::ReasonRequired));
    let s = step(pc04.0, pc04.1, pc04.2, s, T::Return, "Thiếu số liệu tháng 3").unwrap();
    assert_eq!(s, S::Returned);
    assert_eq!(
        step(drafter.0, drafter.1, drafter.2, s, T::Issue, ""),
        Err(WorkflowError::NotFrom(S::Returned, T::Issue))
    );
    let s = step(drafter.0, drafter.1, drafter.2, s, T::Redraft, "").unwrap();
    let s = step(drafter.0, drafter.1, drafter.2, s, T::Submit, "").unwrap();
    // The drafter cannot approve its own report; a leader does not review communes.
    assert_eq!(
        step(drafter.0, drafter.1, drafter.2, s, T::Approve, ""),
        Err(WorkflowError::NotAllowed(T::Approve))
    );
    assert!(step(Role::Leader, COMMUNE, Standing::Above, s, T::Approve, "").is_err());
    let s = step(pc04.0, pc04.1, pc04.2, s, T::Approve, "").unwrap();
    // Only the drafting unit issues.
    assert!(step(pc04.0, pc04.1, pc04.2, s, T::Issue, "").is_err());
    let s = step(drafter.0, drafter.1, drafter.2, s, T::Issue, "").unwrap();
    assert_eq!(s, S::Issued);
    for t in T::ALL {
        assert!(step(drafter.0, drafter.1, drafter.2, S::Issued, *t, "x").is_err(), "{t} after issue");
        assert!(step(pc04.0, pc04.1, pc04.2, S::Issued, *t, "x").is_err(), "{t} after issue");
    }
}

#[test]
fn a_province_report_goes_to_the_leaders() {
    assert_eq!(available(Role::ProvinceOfficer, PROVINCE, Standing::Own, S::Draft), vec![T::Submit]);
    assert_eq!(available(Role::Leader, PROVINCE, Standing::Own, S::Submitted), vec![T::Approve, T::Return]);
    assert!(available(Role::ProvinceOfficer, PROVINCE, Standing::Own, S::Submitted).is_empty());
    assert_eq!(available(Role::ProvinceOfficer, PROVINCE, Standing::Own, S::Approved), vec![T::Issue]);
    for r in [Role::Admin, Role::Auditor, Role::Partner] {
        for s in S::ALL {
            assert!(available(r, PROVINCE, Standing::Own, *s).is_empty(), "{r} {s}");
            assert!(available(r, COMMUNE, Standing::Above, *s).is_empty(), "{r} {s}");
        }
    }
}

#[test]
fn who_sees_which_report() {
    // Drafts stay with the drafter; reviewers see submitted ones; everyone in scope sees
    // issued ones.
    assert!(visible(Role::CommuneOfficer, COMMUNE, Standing::Own, S::Draft));
    assert!(!visible(Role::ProvinceOfficer, COMMUNE, Standing::Above, S::Draft));
    assert!(visible(Role::ProvinceOfficer, COMMUNE, Standing::Above, S::Submitted));
    assert!(!visible(Role::Leader, PROVINCE, Standing::Own, S::Draft));
    assert!(visible(Role::Leader, PROVINCE, Standing::Own, S::Submitted));
    assert!(!visible(Role::Leader, COMMUNE, Standing::Above, S::Approved));
    assert!(visible(Role::Leader, COMMUNE, Standing::Above, S::Issued));
    assert!(!visible(Role::Partner, PROVINCE, Standing::Own, S::Approved));
    assert!(visible(Role::Partner, PROVINCE, Standing::Own, S::Issued));
}

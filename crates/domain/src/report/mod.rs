//! Periodic reports (báo cáo định kỳ, DOMAIN.md §7 and §8): their kinds and periods, the
//! templates that lay them out as data ([`template`]), the figures a report carries
//! ([`Figures`], frozen once the report is issued), the difference between frozen and
//! recomputed figures ([`diff`]), the letterhead of Decree 30/2020/NĐ-CP ([`Letterhead`])
//! and the workflow ([`workflow`]). Aggregates only: nothing here can hold a person.

pub mod sections;
pub mod template;
pub mod workflow;

use crate::indicator::{IndicatorId, Measure};
use crate::period::{PeriodKind, StatPeriod};
use crate::plan::TargetStatus;
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// How often a report is made.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum ReportKind {
    /// Báo cáo tháng.
    #[serde(rename = "monthly")]
    Monthly,
    /// Báo cáo 6 tháng.
    #[serde(rename = "half-year")]
    HalfYear,
    /// Báo cáo năm.
    #[serde(rename = "annual")]
    Annual,
}

impl ReportKind {
    /// Every kind.
    pub const ALL: [ReportKind; 3] = [ReportKind::Monthly, ReportKind::HalfYear, ReportKind::Annual];

    /// The stored, CLI and API form.
    pub fn as_str(self) -> &'static str {
        match self {
            ReportKind::Monthly => "monthly",
            ReportKind::HalfYear => "half-year",
            ReportKind::Annual => "annual",
        }
    }

    /// The Vietnamese name.
    pub fn label_vi(self) -> &'static str {
        match self {
            ReportKind::Monthly => "Báo cáo tháng",
            ReportKind::HalfYear => "Báo cáo 6 tháng",
            ReportKind::Annual => "Báo cáo năm",
        }
    }

    /// The statistical period a report of this kind covers.
    pub fn period_kind(self) -> PeriodKind {
        match self {
            ReportKind::Monthly => PeriodKind::Month,
            ReportKind::HalfYear => PeriodKind::HalfYear,
            ReportKind::Annual => PeriodKind::Year,
        }
    }

    /// The period named `s` if it parses and is of this kind ("2026-03" monthly,
    /// "2026-H1" half-year, "2026" annual).
    pub fn period(self, s: &str) -> Result<StatPeriod, ReportError> {
        let p: StatPeriod = s.trim().parse().map_err(|_| ReportError::BadPeriod(s.trim().to_owned()))?;
        if p.kind != self.period_kind() {
            return Err(ReportError::PeriodKind { kind: self, period: s.trim().to_owned() });
        }
        Ok(p)
    }
}

impl fmt::Display for ReportKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for ReportKind {
    type Err = ReportError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim() {
            "monthly" => Ok(ReportKind::Monthly),
            "half-year" | "half_year" => Ok(ReportKind::HalfYear),
            "annual" => Ok(ReportKind::Annual),
            other => Err(ReportError::BadKind(other.to_owned())),
        }
    }
}

/// What is wrong with a report's kind, period, template or narratives.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReportError {
    /// Not monthly, half-year or annual.
    #[error("unknown report kind '{0}': expected monthly, half-year or annual")]
    BadKind(String),
    /// Not a period name.
    #[error("'{0}' is not a period: expected YYYY, YYYY-H1, YYYY-H2 or YYYY-MM")]
    BadPeriod(String),
    /// A period of another length.
    #[error(
        "period '{period}' does not match kind {kind}: monthly takes YYYY-MM (2026-03), half-year YYYY-H1 or YYYY-H2, annual YYYY"
    )]
    PeriodKind {
        /// The kind asked for.
        kind: ReportKind,
        /// The period given.
        period: String,
    },
    /// A narrative names a figure that does not exist.
    #[error("unknown placeholder {{{0}}}")]
    UnknownPlaceholder(String),
    /// A narrative that is not in the template.
    #[error("no narrative section '{0}' in the template")]
    UnknownNarrative(String),
    /// A template that cannot be used.
    #[error("invalid template: {0}")]
    BadTemplate(String),
}

impl ReportError {
    /// The message in Vietnamese.
    pub fn message_vi(&self) -> String {
        match self {
            ReportError::BadKind(k) => {
                format!(
                    "«{k}» không phải loại báo cáo: chọn monthly (tháng), half-year (6 tháng) hoặc annual (năm)."
                )
            }
            ReportError::BadPeriod(p) => {
                format!("«{p}» không phải là kỳ báo cáo: nhập YYYY, YYYY-H1, YYYY-H2 hoặc YYYY-MM.")
            }
            ReportError::PeriodKind { kind, period } => format!(
                "Kỳ «{period}» không khớp với {}: báo cáo tháng nhập YYYY-MM (2026-03), 6 tháng nhập YYYY-H1 hoặc YYYY-H2, năm nhập YYYY.",
                kind.label_vi().to_lowercase()
            ),
            ReportError::UnknownPlaceholder(p) => format!("Không có số liệu {{{p}}} để điền vào báo cáo."),
            ReportError::UnknownNarrative(k) => format!("Mẫu báo cáo không có phần lời văn «{k}»."),
            ReportError::BadTemplate(m) => format!("Mẫu báo cáo không dùng được: {m}"),
        }
    }
}

/// Whether a report is for a province or a commune.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReportLevel {
    /// A province's report (PC04 drafts it, the committee's leaders approve it).
    Province,
    /// A commune's report (its police drafts it, PC04 approves it).
    Commune,
}

impl ReportLevel {
    /// From a unit's level ("province" or "commune").
    pub fn of_unit_level(level: &str) -> Option<Self> {
        match level {
            "province" => Some(ReportLevel::Province),
            "commune" => Some(ReportLevel::Commune),
            _ => None,
        }
    }
}

/// One indicator's figures in a report.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Figure {
    /// Which indicator.
    pub id: IndicatorId,
    /// The value in the period (None: cannot be computed).
    pub value: Option<f64>,
    /// The value in the same period a year before (the year before for an annual report).
    pub previous: Option<f64>,
    /// The count the value is made of.
    pub numerator: f64,
    /// A share's denominator or a change's previous count.
    pub denominator: Option<f64>,
}

impl Figure {
    /// The change against the previous value: percent for counts, percentage points for
    /// shares and changes; None when it cannot be computed.
    pub fn change(&self) -> Option<f64> {
        let (v, p) = (self.value?, self.previous?);
        match self.id.measure() {
            Measure::Count => (p > 0.0).then(|| 100.0 * (v - p) / p),
            Measure::Percent | Measure::Change => Some(v - p),
        }
    }
}

/// A target of the plan with where it stands.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TargetFigure {
    /// The indicator the target is on.
    pub indicator: IndicatorId,
    /// The target in words (`describe_vi`), empty when the plan sets none.
    pub target: String,
    /// The current value.
    pub current: Option<f64>,
    /// Where it stands (None when the plan sets no target on it).
    pub status: Option<TargetStatus>,
}

/// The protection of personal data in the period, from the audit log: counts only.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Protection {
    /// Reads of a person's record (`person.read`).
    pub person_reads: i64,
    /// Exports of lists with identities (`person.export`).
    pub identity_exports: i64,
    /// Other exports (sites, cases, areas, audit…: `*.export`).
    pub other_exports: i64,
    /// Requests refused by the access rules (outcome `denied`).
    pub denied: i64,
    /// Failed sign-ins (`login.failure`).
    pub failed_logins: i64,
}

impl Protection {
    /// The named counts, for placeholders and tables: `(key, label, count)`.
    pub fn lines(&self) -> [(&'static str, &'static str, i64); 5] {
        [
            ("person_reads", "Lượt truy cập hồ sơ cá nhân (có ghi nhật ký)", self.person_reads),
            ("identity_exports", "Lượt xuất danh sách có thông tin định danh", self.identity_exports),
            ("other_exports", "Lượt xuất dữ liệu khác (điểm, vụ việc, địa bàn…)", self.other_exports),
            ("denied", "Lượt truy cập bị từ chối (sự cố tiềm ẩn)", self.denied),
            ("failed_logins", "Lượt đăng nhập không thành công", self.failed_logins),
        ]
    }
}

/// Everything a report shows, computed for one unit and one period. An issued report
/// stores this as JSON and never recomputes it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Figures {
    /// The unit's code.
    pub unit_code: String,
    /// The unit's name.
    pub unit_name: String,
    /// Province or commune.
    pub level: ReportLevel,
    /// The period's name ("2026", "2026-H1", "2026-03").
    pub period: String,
    /// The period in words.
    pub period_label: String,
    /// Its first day.
    pub from: NaiveDate,
    /// Its last day.
    pub to: NaiveDate,
    /// When the figures were computed.
    pub computed_at: DateTime<Utc>,
    /// The plan the targets come from (number and symbol), if any.
    pub plan: Option<String>,
    /// Where the plan's targets are judged, in words (the plan's territory within the
    /// report's unit), when there is a plan.
    #[serde(default)]
    pub plan_territory: Option<String>,
    /// Every indicator of the catalogue.
    pub indicators: Vec<Figure>,
    /// The targets T1–T6.
    pub targets: Vec<TargetFigure>,
    /// The personal-data protection counts.
    pub protection: Protection,
    /// What the registries hold for the plan's lines of work and the breach register
    /// (empty in reports issued before these sections existed).
    #[serde(default)]
    pub registries: Registries,
}

/// The registry sections of a report ([`sections`]), each computed for the report's unit
/// and period. Every field defaults to empty, so figures frozen before a section existed
/// still load.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Registries {
    /// The plan's tasks (lines of work 1–8) as they stood at the period's end.
    pub tasks: Vec<sections::TaskFigure>,
    /// Difficulties and escalations.
    pub escalations: sections::EscalationFigures,
    /// Seizures by drug and unit of measure.
    pub seizures: Vec<sections::SeizureFigure>,
    /// Persons by the QĐ 127 breakdowns and rehab form.
    pub persons: sections::PersonFigures,
    /// Conditional businesses inspected, by line.
    pub businesses: Vec<sections::BusinessFigure>,
    /// Communes by classification.
    pub classification: sections::ClassificationFigures,
    /// Propaganda by venue type.
    pub propaganda: Vec<sections::VenueFigure>,
    /// The personal-data breach register.
    pub breaches: sections::BreachFigures,
}

impl Figures {
    /// Figures with nothing in them, only to list the names of counts.
    pub(crate) fn empty_for_names() -> Self {
        Figures {
            unit_code: String::new(),
            unit_name: String::new(),
            level: ReportLevel::Province,
            period: String::new(),
            period_label: String::new(),
            from: NaiveDate::MIN,
            to: NaiveDate::MIN,
            computed_at: DateTime::<Utc>::MIN_UTC,
            plan: None,
            plan_territory: None,
            indicators: vec![],
            targets: vec![],
            protection: Protection::default(),
            registries: Registries::default(),
        }
    }

    /// An indicator's figures.
    pub fn get(&self, id: IndicatorId) -> Option<&Figure> {
        self.indicators.iter().find(|f| f.id == id)
    }
}

/// A value for people: counts with thousands dots, shares and changes with a decimal
/// comma and one decimal; "—" when there is none.
pub fn fmt_value_vi(id: IndicatorId, v: Option<f64>) -> String {
    match v {
        None => "—".to_owned(),
        Some(v) => match id.measure() {
            Measure::Count => fmt_count_vi(v),
            Measure::Percent | Measure::Change => format!("{}%", fmt_one_decimal_vi(v)),
        },
    }
}

/// A count with thousands dots (1.234).
pub fn fmt_count_vi(v: f64) -> String {
    let n = v.round() as i64;
    let digits = n.unsigned_abs().to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push('.');
        }
        out.push(c);
    }
    if n < 0 { format!("-{out}") } else { out }
}

/// One decimal with a comma (12,5; -3,0 → -3).
pub fn fmt_one_decimal_vi(v: f64) -> String {
    let s = format!("{:.1}", v);
    let s = s.strip_suffix(".0").unwrap_or(&s).to_owned();
    let s = if s == "-0" { "0".to_owned() } else { s };
    s.replace('.', ",")
}

/// The change column in words: "+12,5%" for counts, "+3 điểm %" for shares.
pub fn fmt_change_vi(f: &Figure) -> String {
    match f.change() {
        None => "—".to_owned(),
        Some(c) => {
            let sign = if c > 0.0 { "+" } else { "" };
            match f.id.measure() {
                Measure::Count => format!("{sign}{}%", fmt_one_decimal_vi(c)),
                _ => format!("{sign}{} điểm %", fmt_one_decimal_vi(c)),
            }
        }
    }
}

/// One line of the comparison between frozen and recomputed figures.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DiffLine {
    /// What: an indicator id, `target:<id>`, `protection:<key>`, `escalations:<key>` or
    /// `breaches:<key>`.
    pub key: String,
    /// Its label.
    pub label: String,
    /// As issued.
    pub frozen: Option<f64>,
    /// As computed now.
    pub now: Option<f64>,
}

/// The lines where recomputed figures differ from the frozen ones (values compared to
/// 1e-9). Frozen figures are never changed by this.
pub fn diff(frozen: &Figures, now: &Figures) -> Vec<DiffLine> {
    let mut out = Vec::new();
    let differs = |a: Option<f64>, b: Option<f64>| match (a, b) {
        (Some(a), Some(b)) => (a - b).abs() > 1e-9,
        (None, None) => false,
        _ => true,
    };
    for f in &frozen.indicators {
        let n = now.get(f.id);
        let nv = n.and_then(|n| n.value);
        if differs(f.value, nv) {
            out.push(DiffLine {
                key: f.id.as_str().into(),
                label: f.id.label_vi().into(),
                frozen: f.value,
                now: nv,
            });
        }
        let np = n.and_then(|n| n.previous);
        if differs(f.previous, np) {
            out.push(DiffLine {
                key: format!("{}.previous", f.id),
                label: format!("{} (cùng kỳ)", f.id.label_vi()),
                frozen: f.previous,
                now: np,
            });
        }
    }
    let mut counts = |prefix: &str, a: &[(&str, &str, i64)], b: &[(&str, &str, i64)]| {
        for (x, y) in a.iter().zip(b.iter()) {
            if x.2 != y.2 {
                out.push(DiffLine {
                    key: format!("{prefix}:{}", x.0),
                    label: x.1.into(),
                    frozen: Some(x.2 as f64),
                    now: Some(y.2 as f64),
                });
            }
        }
    };
    counts("protection", &frozen.protection.lines(), &now.protection.lines());
    let (fr, nr) = (&frozen.registries, &now.registries);
    counts("escalations", &fr.escalations.lines(), &nr.escalations.lines());
    counts("breaches", &fr.breaches.lines(), &nr.breaches.lines());
    out
}

/// The heading of an administrative document (Decree 30/2020/NĐ-CP, Appendix I): the
/// body above the issuer, the issuer, the number's symbol, the place name, who signs and
/// who receives it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Letterhead {
    /// The governing body, upper case ("BỘ CÔNG AN").
    pub superior: String,
    /// The issuing body, upper case ("CÔNG AN TỈNH QUẢNG NGÃI").
    pub issuer: String,
    /// The symbol after the number ("BC-CAT").
    pub symbol: String,
    /// The place name in the date line ("Quảng Ngãi").
    pub place: String,
    /// The signer's title ("GIÁM ĐỐC").
    pub signer_title: String,
    /// The recipients, one per line ("Như trên;", "Lưu: VT, PC04.").
    pub recipients: Vec<String>,
}

/// A unit's name without its type ("Tỉnh Quảng Ngãi" → "Quảng Ngãi", "Phường Kon Tum" →
/// "Kon Tum").
pub fn bare_name(name: &str) -> &str {
    for prefix in ["Thành phố ", "Tỉnh ", "Phường ", "Xã ", "Đặc khu ", "Thị trấn "] {
        if let Some(rest) = name.strip_prefix(prefix) {
            return rest;
        }
    }
    name
}

/// The text with its first letter in lower case, for a label inside a sentence
/// ("Năm 2026" → "năm 2026").
pub fn lower_first(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_lowercase().chain(c).collect(),
        None => String::new(),
    }
}

/// Upper case for a heading.
fn upper(s: &str) -> String {
    s.to_uppercase()
}

impl Letterhead {
    /// The letterhead of the police of a unit, from the template's blocks: a province's
    /// police answers to the Ministry, a commune's to the province's police.
    pub fn of(level: ReportLevel, unit_name: &str, province_name: &str, blocks: &template::Blocks) -> Self {
        let b = match level {
            ReportLevel::Province => &blocks.province,
            ReportLevel::Commune => &blocks.commune,
        };
        let fill = |s: &str| {
            s.replace("{unit}", unit_name)
                .replace("{UNIT}", &upper(unit_name))
                .replace("{province}", bare_name(province_name))
                .replace("{PROVINCE}", &upper(province_name))
        };
        Letterhead {
            superior: fill(&b.superior),
            issuer: fill(&b.issuer),
            symbol: fill(&b.symbol),
            place: match level {
                ReportLevel::Province => bare_name(province_name).to_owned(),
                ReportLevel::Commune => bare_name(unit_name).to_owned(),
            },
            signer_title: fill(&b.signer_title),
            recipients: b.recipients.iter().map(|r| fill(r)).collect(),
        }
    }
}

/// The number line: "Số: 12/BC-CAT", or "Số:      /BC-CAT" before the report is issued.
pub fn number_line(number: Option<&str>, symbol: &str) -> String {
    match number {
        Some(n) if !n.is_empty() => format!("Số: {n}"),
        _ => format!("Số:      /{symbol}"),
    }
}

/// The place and date line: "Quảng Ngãi, ngày 05 tháng 01 năm 2027" ("ngày 15 tháng 3"), with blanks before
/// the report is issued.
pub fn place_date_line(place: &str, on: Option<NaiveDate>) -> String {
    use chrono::Datelike;
    match on {
        // Decree 30: a day below 10 and the months 1 and 2 take a leading zero.
        Some(d) => {
            let month = if d.month() <= 2 { format!("{:02}", d.month()) } else { d.month().to_string() };
            format!("{place}, ngày {:02} tháng {month} năm {}", d.day(), d.year())
        }
        None => format!("{place}, ngày      tháng      năm"),
    }
}

#[cfg(test)]
mod tests;

//! Report templates as data: ordered sections, each a table of indicators with chosen
//! columns, the plan's targets, the personal-data protection counts, or narrative text
//! whose `{placeholders}` are filled from the figures. Templates are stored as JSON (the
//! default ships in migration 0017); a report keeps its own copy of each narrative so it
//! can be edited before issue.

use super::{Figures, ReportError, fmt_count_vi, fmt_value_vi};
use crate::indicator::IndicatorId;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// A column of an indicator table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Column {
    /// The value in the period.
    Value,
    /// The same period a year before.
    SamePeriodLastYear,
    /// The change against it.
    Change,
    /// The plan's target on the indicator.
    Target,
    /// Where the target stands.
    Status,
}

impl Column {
    /// The Vietnamese header.
    pub fn header_vi(self) -> &'static str {
        match self {
            Column::Value => "Kỳ báo cáo",
            Column::SamePeriodLastYear => "Cùng kỳ năm trước",
            Column::Change => "Tăng (+), giảm (−)",
            Column::Target => "Chỉ tiêu kế hoạch",
            Column::Status => "Đánh giá",
        }
    }
}

/// One section of a report.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Section {
    /// A table: one row per indicator.
    Table {
        /// The heading ("II. KẾT QUẢ …").
        title: String,
        /// The indicators, in order.
        rows: Vec<IndicatorId>,
        /// The columns after the indicator's name.
        columns: Vec<Column>,
    },
    /// The plan's targets T1–T6 with their status.
    Targets {
        /// The heading.
        title: String,
    },
    /// The protection of personal data: counts from the audit log and the breach
    /// register.
    Protection {
        /// The heading.
        title: String,
    },
    /// The plan's tasks: progress, lateness, reminders and inspections (lines of work 1–8).
    Tasks {
        /// The heading.
        title: String,
    },
    /// Difficulties and escalations raised, forwarded and decided (line of work 7).
    Escalations {
        /// The heading.
        title: String,
    },
    /// Seizures by drug and unit of measure (line of work 3).
    Seizures {
        /// The heading.
        title: String,
    },
    /// Persons by the QĐ 127 breakdowns and rehab form (line of work 6).
    Persons {
        /// The heading.
        title: String,
    },
    /// Conditional businesses inspected and violations found (line of work 4).
    Businesses {
        /// The heading.
        title: String,
    },
    /// Communes by classification type for the statistical year (line of work 2).
    Classification {
        /// The heading.
        title: String,
    },
    /// Propaganda sessions and participants by venue type (line of work 1).
    PropagandaVenues {
        /// The heading.
        title: String,
    },
    /// Text with placeholders, editable in each report before issue.
    Narrative {
        /// A stable key (the report stores its text under it).
        key: String,
        /// The heading.
        title: String,
        /// The default text.
        text: String,
    },
}

impl Section {
    /// The heading.
    pub fn title(&self) -> &str {
        match self {
            Section::Table { title, .. }
            | Section::Targets { title }
            | Section::Protection { title }
            | Section::Tasks { title }
            | Section::Escalations { title }
            | Section::Seizures { title }
            | Section::Persons { title }
            | Section::Businesses { title }
            | Section::Classification { title }
            | Section::PropagandaVenues { title }
            | Section::Narrative { title, .. } => title,
        }
    }
}

/// The parts of the letterhead that depend on the level; `{unit}`, `{UNIT}`,
/// `{province}` and `{PROVINCE}` are filled with the unit's and the province's names.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Block {
    /// The body above the issuer.
    pub superior: String,
    /// The issuer.
    pub issuer: String,
    /// The symbol after the number.
    pub symbol: String,
    /// Who signs.
    pub signer_title: String,
    /// Who receives it.
    pub recipients: Vec<String>,
}

/// The letterhead blocks of a province's and a commune's report.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Blocks {
    /// A province's report.
    pub province: Block,
    /// A commune's report.
    pub commune: Block,
}

/// A report template.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Template {
    /// The title; `{kind}` ("tháng", "6 tháng", "năm") and `{period}` ("năm 2026") are filled.
    pub title: String,
    /// The letterhead.
    pub blocks: Blocks,
    /// The sections, in order.
    pub sections: Vec<Section>,
}

/// The T1–T6 indicators, in the order of the plan.
pub const TARGET_INDICATORS: [IndicatorId; 7] = [
    IndicatorId::T1SitesChange,
    IndicatorId::T2HotSpotsEliminated,
    IndicatorId::T3AreasTransformed,
    IndicatorId::T4AreasNotRelapsed,
    IndicatorId::T5PersonsReached,
    IndicatorId::T6AddictsGrowth,
    IndicatorId::T6ProblemCommunesGrowth,
];

impl Template {
    /// Parses a stored template and checks it ([`Template::check`]).
    pub fn from_json(s: &str) -> Result<Self, ReportError> {
        let t: Template = serde_json::from_str(s).map_err(|e| ReportError::BadTemplate(e.to_string()))?;
        t.check()?;
        Ok(t)
    }

    /// Checks that narrative keys are unique and non-empty and that every placeholder of
    /// every default text names a figure.
    pub fn check(&self) -> Result<(), ReportError> {
        let mut keys = std::collections::HashSet::new();
        for s in &self.sections {
            if let Section::Narrative { key, text, .. } = s {
                if key.trim().is_empty() || !keys.insert(key.as_str()) {
                    return Err(ReportError::BadTemplate(format!("narrative key '{key}' empty or repeated")));
                }
                check_placeholders(text)?;
            }
            if let Section::Table { rows, columns, .. } = s
                && (rows.is_empty() || columns.is_empty())
            {
                return Err(ReportError::BadTemplate(format!(
                    "table '{}' without rows or columns",
                    s.title()
                )));
            }
        }
        Ok(())
    }

    /// The narratives' default texts by key, for a new report.
    pub fn default_narratives(&self) -> BTreeMap<String, String> {
        self.sections
            .iter()
            .filter_map(|s| match s {
                Section::Narrative { key, text, .. } => Some((key.clone(), text.clone())),
                _ => None,
            })
            .collect()
    }

    /// The title for a kind and a period label; `{period}` is in running text, so its
    /// first letter is lower case ("năm 2026", "tháng 3/2026").
    pub fn title_for(&self, kind: super::ReportKind, period_label: &str) -> String {
        let k = match kind {
            super::ReportKind::Monthly => "tháng",
            super::ReportKind::HalfYear => "6 tháng",
            super::ReportKind::Annual => "năm",
        };
        self.title.replace("{kind}", k).replace("{period}", &super::lower_first(period_label))
    }
}

/// Narratives as a report keeps them: checked against the template (known keys, known
/// placeholders). Keys the template has and the input lacks keep their old text.
pub fn check_narratives(template: &Template, texts: &BTreeMap<String, String>) -> Result<(), ReportError> {
    let known = template.default_narratives();
    for (k, v) in texts {
        if !known.contains_key(k) {
            return Err(ReportError::UnknownNarrative(k.clone()));
        }
        check_placeholders(v)?;
    }
    Ok(())
}

/// The placeholders of a text, in order: the names between `{` and `}`.
pub fn placeholders(text: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(i) = rest.find('{') {
        let after = &rest[i + 1..];
        match after.find('}') {
            Some(j) => {
                out.push(&after[..j]);
                rest = &after[j + 1..];
            }
            None => break,
        }
    }
    out
}

/// The names a placeholder may take besides the indicator ids (and `id.previous`) and
/// the counts of [`counts`] (`protection.*`, `escalations.*`, `breaches.*`).
const OTHER_PLACEHOLDERS: [&str; 5] = ["unit", "period", "plan", "persons.with_records", "tasks.late"];

/// The named counts a placeholder may take: `(group, key, count)`.
fn counts(f: &Figures) -> Vec<(&'static str, &'static str, i64)> {
    let r = &f.registries;
    let p = f.protection.lines().map(|(k, _, n)| ("protection", k, n));
    let e = r.escalations.lines().map(|(k, _, n)| ("escalations", k, n));
    let b = r.breaches.lines().map(|(k, _, n)| ("breaches", k, n));
    p.into_iter().chain(e).chain(b).collect()
}

fn known_count(name: &str) -> bool {
    let zero = Figures::empty_for_names();
    counts(&zero).iter().any(|(g, k, _)| name.strip_prefix(g).and_then(|r| r.strip_prefix('.')) == Some(k))
}

fn check_placeholders(text: &str) -> Result<(), ReportError> {
    for p in placeholders(text) {
        let id = p.strip_suffix(".previous").unwrap_or(p);
        if !OTHER_PLACEHOLDERS.contains(&p) && !known_count(p) && id.parse::<IndicatorId>().is_err() {
            return Err(ReportError::UnknownPlaceholder(p.to_owned()));
        }
    }
    Ok(())
}

/// How a passage left for the author begins: «[Người soạn bổ sung: what to write]».
/// A report whose narratives still hold one cannot be submitted.
pub const AUTHOR_MARKER: &str = "«[Người soạn bổ sung:";

/// Whether a text still holds a passage left for the author.
pub fn has_author_marker(text: &str) -> bool {
    text.contains(AUTHOR_MARKER)
}

/// The headings of the narrative sections whose text (the report's, else the
/// template's) still holds an author marker, in the template's order.
pub fn sections_to_write(template: &Template, narratives: &BTreeMap<String, String>) -> Vec<String> {
    template
        .sections
        .iter()
        .filter_map(|s| match s {
            Section::Narrative { key, title, text } => {
                let t = narratives.get(key).unwrap_or(text);
                has_author_marker(t).then(|| title.clone())
            }
            _ => None,
        })
        .collect()
}

/// The text with its placeholders filled from the figures (an unknown one stays as it
/// is; narratives are checked when saved).
pub fn fill(text: &str, f: &Figures) -> String {
    let mut out = String::with_capacity(text.len() + 64);
    let mut rest = text;
    while let Some(i) = rest.find('{') {
        out.push_str(&rest[..i]);
        let after = &rest[i + 1..];
        let Some(j) = after.find('}') else {
            out.push_str(&rest[i..]);
            return out;
        };
        let name = &after[..j];
        out.push_str(&value_of(name, f).unwrap_or_else(|| format!("{{{name}}}")));
        rest = &after[j + 1..];
    }
    out.push_str(rest);
    out
}

fn value_of(name: &str, f: &Figures) -> Option<String> {
    match name {
        "unit" => return Some(f.unit_name.clone()),
        "period" => return Some(super::lower_first(&f.period_label)),
        "plan" => return Some(f.plan.clone().unwrap_or_else(|| "—".into())),
        _ => {}
    }
    match name {
        "persons.with_records" => return Some(fmt_count_vi(f.registries.persons.with_records as f64)),
        "tasks.late" => {
            let late = f.registries.tasks.iter().filter(|t| t.late.is_some()).count();
            return Some(fmt_count_vi(late as f64));
        }
        _ => {}
    }
    if let Some((_, _, n)) = counts(f)
        .into_iter()
        .find(|(g, k, _)| name.strip_prefix(g).and_then(|r| r.strip_prefix('.')) == Some(k))
    {
        return Some(fmt_count_vi(n as f64));
    }
    let (id, previous) = match name.strip_suffix(".previous") {
        Some(id) => (id, true),
        None => (name, false),
    };
    let id: IndicatorId = id.parse().ok()?;
    let fig = f.get(id)?;
    Some(fmt_value_vi(id, if previous { fig.previous } else { fig.value }))
}

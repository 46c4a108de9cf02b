//! Plans, targets, tasks and task work as typed in forms or sent as JSON: strings in,
//! typed values out, with one Vietnamese message per bad field (the domain's
//! `PlanError::message_vi`). Shared by `api::plans` and `pages::plans`.

use crate::AppState;
use crate::auth::Identity;
use crate::error::AppError;
use chrono::NaiveDate;
use diaban_domain::UnitLevel;
use diaban_domain::plan::{
    Plan, PlanError, ReportingFrequency, SupervisionKind, Target, TargetInput, validate_plan, validate_report,
};
use diaban_store::plan_tasks::{self, NewTask};
use diaban_store::plans::PlanRow;
use diaban_store::units;
use serde::{Deserialize, Serialize};

/// Bad fields: (field, message).
pub(crate) type Problems = Vec<(&'static str, String)>;

/// The problems as one line.
pub(crate) fn joined(errors: &[(&'static str, String)]) -> String {
    errors.iter().map(|(f, m)| format!("{f}: {m}")).collect::<Vec<_>>().join("; ")
}

const BAD_DATE: &str = "Ngày không hợp lệ (dạng năm-tháng-ngày, ví dụ 2026-03-31).";

fn date(field: &'static str, s: &str, errors: &mut Problems) -> Option<NaiveDate> {
    match NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d") {
        Ok(d) => Some(d),
        Err(_) => {
            errors.push((field, BAD_DATE.to_owned()));
            None
        }
    }
}

/// The current province of the caller's scope (its id).
pub(crate) fn province_id(who: &Identity) -> i64 {
    who.unit.scope_province_id.unwrap_or(who.unit.id)
}

/// A plan as typed.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub(crate) struct PlanInput {
    pub number: String,
    pub issuer: String,
    pub issued_on: String,
    pub issuer_unit_code: String,
    pub owner_unit_code: String,
    pub period_from: String,
    pub period_to: String,
    pub baseline_on: String,
    pub title: String,
}

impl PlanInput {
    /// The input form of a stored plan.
    pub(crate) fn of(p: &PlanRow) -> Self {
        PlanInput {
            number: p.number.clone(),
            issuer: p.issuer.clone(),
            issued_on: p.issued_on.to_string(),
            issuer_unit_code: p.issuer_unit_code.clone().unwrap_or_default(),
            owner_unit_code: p.owner_unit_code.clone().unwrap_or_default(),
            period_from: p.period_from.to_string(),
            period_to: p.period_to.to_string(),
            baseline_on: p.baseline_on.to_string(),
            title: p.title.clone(),
        }
    }
}

/// Parses a plan; the unit codes must name provinces (the issuer's at the date of issue,
/// the owner a current one).
pub(crate) async fn parse_plan(state: &AppState, i: &PlanInput) -> Result<Result<Plan, Problems>, AppError> {
    let mut errors = Problems::new();
    let issued_on = date("issued_on", &i.issued_on, &mut errors);
    let period_from = date("period_from", &i.period_from, &mut errors);
    let period_to = date("period_to", &i.period_to, &mut errors);
    let baseline_on = date("baseline_on", &i.baseline_on, &mut errors);
    let code = |s: &str| Some(s.trim().to_owned()).filter(|s| !s.is_empty());
    let issuer_unit_code = code(&i.issuer_unit_code);
    let owner_unit_code = code(&i.owner_unit_code);
    if let (Some(c), Some(d)) = (&issuer_unit_code, issued_on) {
        let u = units::by_code(&state.db, c, Some(UnitLevel::Province), d).await?;
        if u.is_none() {
            errors.push(("issuer_unit_code", format!("Không có tỉnh mang mã «{c}».")));
        }
    }
    if let Some(c) = &owner_unit_code {
        let u = units::current_scope_unit(&state.db, c, false).await?;
        if u.is_none() {
            errors.push(("owner_unit_code", format!("Không có tỉnh hiện hành mang mã «{c}».")));
        }
    }
    let (Some(issued_on), Some(period_from), Some(period_to), Some(baseline_on)) =
        (issued_on, period_from, period_to, baseline_on)
    else {
        return Ok(Err(errors));
    };
    let p = Plan {
        number: i.number.trim().to_owned(),
        issuer: i.issuer.trim().to_owned(),
        issued_on,
        issuer_unit_code,
        owner_unit_code,
        period_from,
        period_to,
        baseline_on,
        title: i.title.trim().to_owned(),
    };
    if let Err(e) = validate_plan(&p) {
        let field = match e {
            PlanError::NoNumber => "number",
            PlanError::NoTitle => "title",
            PlanError::NoIssuer => "issuer",
            PlanError::BaselineAfterPeriod => "baseline_on",
            _ => "period_to",
        };
        errors.push((field, e.message_vi()));
    }
    Ok(if errors.is_empty() { Ok(p) } else { Err(errors) })
}

/// Parses targets typed as rows; a row whose indicator is empty is skipped (blank rows
/// for adding, cleared rows for removing). Problems name the row (`target 2`).
pub(crate) fn parse_targets(rows: &[TargetInput], plan: &Plan) -> Result<Vec<Target>, Problems> {
    let mut out = Vec::new();
    let mut errors = Problems::new();
    for (n, r) in rows.iter().enumerate() {
        if r.indicator.trim().is_empty() {
            continue;
        }
        match r.parse(plan) {
            Ok(t) => out.push(t),
            Err(e) => errors.push(("targets", format!("Dòng {}: {}", n + 1, e.message_vi()))),
        }
    }
    if errors.is_empty() { Ok(out) } else { Err(errors) }
}

/// Target rows from repeated form fields: each `indicator` starts a new row.
pub(crate) fn target_rows(fields: &[(String, String)]) -> Vec<TargetInput> {
    let mut rows: Vec<TargetInput> = Vec::new();
    for (k, v) in fields {
        if k == "indicator" {
            rows.push(TargetInput { indicator: v.clone(), ..Default::default() });
            continue;
        }
        let Some(r) = rows.last_mut() else { continue };
        match k.as_str() {
            "comparator" => r.comparator = v.clone(),
            "value" => r.value = v.clone(),
            "year" => r.year = v.clone(),
            "deadline" => r.deadline = v.clone(),
            "note" => r.note = v.clone(),
            _ => {}
        }
    }
    rows
}

/// A task as typed.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub(crate) struct TaskInput {
    pub title: String,
    pub description: String,
    /// A current commune's code; empty for the province (an agency's task).
    pub unit: String,
    /// The agency or department named in the plan.
    pub agency: String,
    /// The partner account's id that reports for the agency.
    pub partner: String,
    pub deadline: String,
    /// monthly or quarterly.
    pub frequency: String,
    /// Defaults to today.
    pub assigned_on: String,
}

/// Parses a task of `plan` for the caller's province.
pub(crate) async fn parse_task(
    state: &AppState,
    who: &Identity,
    plan: &PlanRow,
    i: &TaskInput,
) -> Result<Result<NewTask, Problems>, AppError> {
    let mut errors = Problems::new();
    let province = province_id(who);
    let today = diaban_domain::time::today_in_vietnam();
    if i.title.trim().is_empty() {
        errors.push(("title", PlanError::NoTaskTitle.message_vi()));
    }
    let deadline = date("deadline", &i.deadline, &mut errors);
    if let Some(d) = deadline
        && d < plan.issued_on
    {
        errors.push(("deadline", PlanError::DeadlineBeforeIssue.message_vi()));
    }
    if let Some(d) = deadline
        && let Err(e) = diaban_domain::plan::check_task_deadline(&plan.plan(), d)
    {
        errors.push(("deadline", e.message_vi()));
    }
    let assigned_on = match i.assigned_on.trim() {
        "" => Some(today),
        s => date("assigned_on", s, &mut errors),
    };
    let frequency = match i.frequency.trim() {
        "" => Some(ReportingFrequency::Monthly),
        s => match s.parse::<ReportingFrequency>() {
            Ok(f) => Some(f),
            Err(_) => {
                errors.push(("frequency", "Kỳ báo cáo phải là hằng tháng hoặc hằng quý.".to_owned()));
                None
            }
        },
    };
    let unit_id = match i.unit.trim() {
        "" => Some(province),
        code => match units::current_scope_unit(&state.db, code, true).await? {
            Some(u) if u.scope_province_id == Some(province) => Some(u.id),
            _ => {
                errors.push(("unit", format!("Không có xã, phường mang mã «{code}» trong tỉnh.")));
                None
            }
        },
    };
    let mut agency = i.agency.split_whitespace().collect::<Vec<_>>().join(" ");
    let partner = match i.partner.trim() {
        "" => None,
        s => {
            let partners = plan_tasks::partners(&state.db, province).await?;
            match s.parse::<i64>().ok().and_then(|id| partners.into_iter().find(|p| p.0 == id)) {
                Some((id, name)) => {
                    if agency.is_empty() {
                        agency = name;
                    }
                    Some(id)
                }
                None => {
                    errors.push(("partner", "Tài khoản sở, ngành không thuộc tỉnh.".to_owned()));
                    None
                }
            }
        }
    };
    if i.unit.trim().is_empty() && agency.is_empty() && partner.is_none() {
        errors.push(("unit", PlanError::NoAssignee.message_vi()));
    }
    if i.title.chars().count() > 300 || i.description.chars().count() > 8000 {
        errors.push(("description", "Nội dung quá dài.".to_owned()));
    }
    let (Some(deadline), Some(assigned_on), Some(frequency), Some(unit_id), true) =
        (deadline, assigned_on, frequency, unit_id, errors.is_empty())
    else {
        return Ok(Err(errors));
    };
    Ok(Ok(NewTask {
        plan_id: plan.id,
        unit_id,
        agency,
        partner_user_id: partner,
        title: i.title.trim().to_owned(),
        description: i.description.trim().to_owned(),
        assigned_on,
        deadline,
        frequency,
    }))
}

/// A progress report as typed.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub(crate) struct ReportInput {
    /// Defaults to today.
    pub on_date: String,
    pub percent: String,
    pub body: String,
}

/// A parsed report.
pub(crate) struct ReportValue {
    pub on: NaiveDate,
    pub percent: i64,
    pub body: String,
}

/// Parses a report: percent 0–100, not dated in the future, with text.
pub(crate) fn parse_report(i: &ReportInput, today: NaiveDate) -> Result<ReportValue, Problems> {
    let mut errors = Problems::new();
    let on = match i.on_date.trim() {
        "" => Some(today),
        s => date("on_date", s, &mut errors),
    };
    let percent = match i.percent.trim().trim_end_matches('%').trim().parse::<i64>() {
        Ok(p) => Some(p),
        Err(_) => {
            errors.push(("percent", PlanError::PercentOutOfRange.message_vi()));
            None
        }
    };
    let (Some(on), Some(percent)) = (on, percent) else { return Err(errors) };
    if let Err(e) = validate_report(on, percent, &i.body, today) {
        let field = match e {
            PlanError::PercentOutOfRange => "percent",
            PlanError::FutureReport => "on_date",
            _ => "body",
        };
        errors.push((field, e.message_vi()));
        return Err(errors);
    }
    Ok(ReportValue { on, percent, body: i.body.trim().to_owned() })
}

/// A reminder, an inspection or guidance as typed.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub(crate) struct SupervisionInput {
    /// reminder, inspection or guidance.
    pub kind: String,
    /// Defaults to today.
    pub on_date: String,
    pub body: String,
}

/// Parses a supervision record.
pub(crate) fn parse_supervision(
    i: &SupervisionInput,
    today: NaiveDate,
) -> Result<(SupervisionKind, NaiveDate, String), Problems> {
    let mut errors = Problems::new();
    let kind = match i.kind.trim().parse::<SupervisionKind>() {
        Ok(k) => Some(k),
        Err(_) => {
            errors.push(("kind", "Chọn đôn đốc, kiểm tra hoặc hướng dẫn.".to_owned()));
            None
        }
    };
    let on = match i.on_date.trim() {
        "" => Some(today),
        s => date("on_date", s, &mut errors),
    };
    if let Some(d) = on
        && d > today
    {
        errors.push(("on_date", "Ngày không được sau ngày hôm nay.".to_owned()));
    }
    if i.body.trim().is_empty() {
        errors.push(("body", PlanError::NoText.message_vi()));
    }
    match (kind, on, errors.is_empty()) {
        (Some(k), Some(d), true) => Ok((k, d, i.body.trim().to_owned())),
        _ => Err(errors),
    }
}

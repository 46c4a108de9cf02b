//! What the reports pages, the API, the CLI and the benchmark share: computing a report's
//! [`Figures`] for a place and a period (the indicator catalogue through
//! [`crate::indicators_ops`], the same period a year before, the plan's targets T1–T6
//! and the personal-data protection counts from the audit log), the letterhead of a
//! unit, where a caller stands to a report, and the files. Everything takes a [`Db`],
//! so the CLI runs the same code path as the server. Aggregates only.

use crate::auth::Identity;
use crate::error::{AppError, ErrorKind};
use crate::indicators_ops::{self as ops, Place};
use chrono::{DateTime, NaiveDate, Utc};
use diaban_domain::period::{PeriodKind, StatPeriod};
use diaban_domain::plan::describe_vi;
use diaban_domain::report::sections::{CountGroup, CountLine, PersonFigures};
use diaban_domain::report::template::{TARGET_INDICATORS, Template};
use diaban_domain::report::workflow::Standing;
use diaban_domain::report::{Figure, Figures, Letterhead, Registries, ReportKind, ReportLevel, TargetFigure};
use diaban_reports::Document;
use diaban_store::Db;
use diaban_store::persons::Scope;
use diaban_store::reports::ReportRow;
use std::collections::BTreeMap;

/// The figures of `place` for `period`, computed now.
pub async fn figures(
    db: &Db,
    place: &Place,
    period: StatPeriod,
    now: DateTime<Utc>,
) -> Result<Figures, AppError> {
    let cutoff = ops::reporting_in(db).await?.cutoff_day;
    let days = period.bounds(cutoff).ok_or_else(|| AppError::bad_param("period", "outside the calendar"))?;
    // The plan in force for the period, judged on its own territory within the place
    // (KH 3220 on the communes of former Kon Tum); the indicator tables cover the place.
    let chosen = ops::plan_for_in(db, place, ops::PlanPick::Default, period, cutoff).await?;
    let baseline = chosen.as_ref().map(|(p, _, _)| p.baseline_on);
    let values = ops::compute_in(db, place, period, baseline).await?;
    // The same period a year before (the year before for a year).
    let before = match period.kind {
        PeriodKind::Year => period.previous(),
        _ => period.a_year_before(),
    };
    let previous = ops::compute_in(db, place, before, baseline).await?;
    let judged = match chosen {
        Some(c) => Some(ops::judge_in(db, c, period, Some((place, &values))).await?),
        None => None,
    };
    let target_figures = TARGET_INDICATORS
        .iter()
        .map(|id| match judged.as_ref().and_then(|j| j.on(*id)) {
            Some(jt) => TargetFigure {
                indicator: *id,
                target: describe_vi(&jt.target),
                current: jt.verdict.value,
                status: Some(jt.verdict.status),
            },
            None => TargetFigure {
                indicator: *id,
                target: String::new(),
                current: values.iter().find(|v| v.id == *id).and_then(|v| v.value),
                status: None,
            },
        })
        .collect();
    let plan = judged.as_ref().map(|j| j.plan.clone());
    let plan_territory = judged.as_ref().map(|j| j.territory_vi());
    let mut codes: Vec<String> = vec![place.unit.code.clone()];
    if matches!(place.scope, Scope::Province(_)) {
        codes.extend(place.communes.iter().map(|c| c.code.clone()));
    }
    let protection = diaban_store::audit::protection_counts(db, days.from, days.to, &codes).await?;
    let level = ReportLevel::of_unit_level(&place.unit.level)
        .ok_or_else(|| AppError::bad_param("unit", "not a province or a commune"))?;
    let registries = registries(db, place, period, days, plan.as_ref().map(|p| p.id), now).await?;
    Ok(Figures {
        unit_code: place.unit.code.clone(),
        unit_name: place.unit.name.clone(),
        level,
        period: period.to_string(),
        period_label: period.label_vi(),
        from: days.from,
        to: days.to,
        computed_at: now,
        plan: plan.as_ref().map(|p| p.number.clone()),
        plan_territory,
        indicators: values
            .iter()
            .map(|v| Figure {
                id: v.id,
                value: v.value,
                previous: previous.iter().find(|p| p.id == v.id).and_then(|p| p.value),
                numerator: v.numerator,
                denominator: v.denominator,
            })
            .collect(),
        targets: target_figures,
        protection,
        registries,
    })
}

/// The registry sections for `place` and the period's days (`diaban_domain::report::
/// sections`): the plan's tasks as they stood at the period's end (or today, while it
/// runs), escalations, seizures, persons by the breakdowns of the persons statistics
/// page, inspections of businesses, communes by class in the period's statistical year,
/// propaganda by venue and the breach register.
async fn registries(
    db: &Db,
    place: &Place,
    period: StatPeriod,
    days: diaban_domain::period::Period,
    plan_id: Option<i64>,
    now: DateTime<Utc>,
) -> Result<Registries, AppError> {
    use diaban_store::report_sections as rs;
    let scope = place.scope;
    let (from, to) = (days.from, days.to);
    let as_of = to.min(diaban_domain::time::today_in_vietnam());
    let tasks = match plan_id {
        Some(id) => rs::tasks(db, id, scope, from, to, as_of).await?,
        None => vec![],
    };
    let stats = diaban_store::person_stats::period(db, scope, days).await?;
    let tr = crate::i18n::Tr(crate::i18n::Lang::Vi);
    let groups = crate::person_stats_export::sections(tr, &stats.total)
        .into_iter()
        .map(|(heading, cells)| CountGroup {
            heading,
            lines: cells.into_iter().map(|(key, label, count)| CountLine { key, label, count }).collect(),
        })
        .collect();
    Ok(Registries {
        tasks,
        escalations: rs::escalations(db, scope, from, to).await?,
        seizures: rs::seizures(db, scope, from, to).await?,
        persons: PersonFigures { with_records: stats.total.with_records, groups },
        businesses: rs::businesses(db, scope, from, to).await?,
        classification: rs::classification(db, scope, period.year).await?,
        propaganda: rs::propaganda(db, scope, from, to).await?,
        breaches: diaban_store::data_breaches::figures(db, scope, from, to, now).await?,
    })
}

/// The letterhead of a unit's police under the template.
pub async fn letterhead(
    db: &Db,
    unit: &diaban_store::units::Unit,
    template: &Template,
) -> Result<Letterhead, AppError> {
    let level = ReportLevel::of_unit_level(&unit.level)
        .ok_or_else(|| AppError::bad_param("unit", "not a province or a commune"))?;
    let province = match level {
        ReportLevel::Province => unit.clone(),
        ReportLevel::Commune => {
            diaban_store::units::get(db, unit.scope_province_id.unwrap_or(unit.id)).await?
        }
    };
    Ok(Letterhead::of(level, &unit.name, &province.name, &template.blocks))
}

/// A file format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// The tables.
    Xlsx,
    /// The narrative report.
    Docx,
}

impl Format {
    /// From "xlsx" or "docx".
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "xlsx" => Some(Format::Xlsx),
            "docx" => Some(Format::Docx),
            _ => None,
        }
    }

    /// The MIME type.
    pub fn mime(self) -> &'static str {
        match self {
            Format::Xlsx => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            Format::Docx => "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        }
    }

    /// The extension.
    pub fn ext(self) -> &'static str {
        match self {
            Format::Xlsx => "xlsx",
            Format::Docx => "docx",
        }
    }
}

/// What a file is made of, besides the figures.
pub struct FileParts<'a> {
    /// Title.
    pub title: &'a str,
    /// Number once issued.
    pub number: Option<&'a str>,
    /// Date of issue.
    pub issued_on: Option<NaiveDate>,
    /// Narratives.
    pub narratives: &'a BTreeMap<String, String>,
    /// Whether it is still a draft.
    pub draft: bool,
}

/// The file's bytes.
pub fn render(
    format: Format,
    template: &Template,
    figures: &Figures,
    letterhead: &Letterhead,
    parts: &FileParts<'_>,
) -> Result<Vec<u8>, AppError> {
    let doc = Document {
        template,
        figures,
        letterhead,
        title: parts.title,
        number: parts.number,
        issued_on: parts.issued_on,
        narratives: parts.narratives,
        draft: parts.draft,
    };
    match format {
        Format::Xlsx => diaban_reports::xlsx::xlsx(&doc),
        Format::Docx => diaban_reports::docx::docx(&doc),
    }
    .map_err(AppError::internal)
}

/// A report file for a unit and a period computed now, not stored (the CLI's `diaban
/// report` and the benchmark): the default template, the default narratives, marked as
/// a draft.
pub async fn adhoc_file(
    db: &Db,
    unit_code: &str,
    kind: ReportKind,
    period: &str,
    format: Format,
) -> Result<Vec<u8>, AppError> {
    let period = kind.period(period).map_err(|e| AppError::bad_param("period", e))?;
    let unit = ops::current_unit(db, unit_code).await?;
    let place = ops::place_of(db, unit).await?;
    let template = diaban_store::reports::template(db, None).await?.template;
    let figures = figures(db, &place, period, Utc::now()).await?;
    let lh = letterhead(db, &place.unit, &template).await?;
    let title = template.title_for(kind, &figures.period_label);
    let narratives = template.default_narratives();
    render(
        format,
        &template,
        &figures,
        &lh,
        &FileParts { title: &title, number: None, issued_on: None, narratives: &narratives, draft: true },
    )
}

/// Where the caller stands to the report's unit.
pub fn standing(who: &Identity, r: &ReportRow) -> Standing {
    match (who.scope(), r.level) {
        (Scope::Province(p), ReportLevel::Province) if p == r.unit_id => Standing::Own,
        (Scope::Commune(c), ReportLevel::Commune) if c == r.unit_id => Standing::Own,
        (Scope::Province(p), ReportLevel::Commune) if p == r.province_id => Standing::Above,
        _ => Standing::Other,
    }
}

/// A report the caller may read: in scope and visible at its status; else 404.
pub async fn visible_report(db: &Db, who: &Identity, id: i64) -> Result<ReportRow, AppError> {
    let r = diaban_store::reports::get(db, who.scope(), id)
        .await?
        .ok_or_else(|| AppError::not_found("no such report in your scope"))?;
    if !diaban_domain::report::workflow::visible(who.role, r.level, standing(who, &r), r.status) {
        return Err(AppError::not_found("no such report in your scope"));
    }
    Ok(r)
}

/// The figures a report shows: frozen once issued, else computed now.
pub async fn report_figures(db: &Db, r: &ReportRow) -> Result<Figures, AppError> {
    if let Some(f) = &r.frozen {
        return Ok(f.clone());
    }
    live_figures(db, r).await
}

/// The figures of the report's unit and period computed now.
pub async fn live_figures(db: &Db, r: &ReportRow) -> Result<Figures, AppError> {
    let period = r.kind.period(&r.period).map_err(|e| AppError::new(ErrorKind::Internal, e.to_string()))?;
    let unit = diaban_store::units::get(db, r.unit_id).await?;
    let place = ops::place_of(db, unit).await?;
    figures(db, &place, period, Utc::now()).await
}

/// A stored report's file.
pub async fn report_file(db: &Db, r: &ReportRow, format: Format) -> Result<Vec<u8>, AppError> {
    let template = diaban_store::reports::template(db, Some(r.template_id)).await?.template;
    let figures = report_figures(db, r).await?;
    let unit = diaban_store::units::get(db, r.unit_id).await?;
    let lh = letterhead(db, &unit, &template).await?;
    render(
        format,
        &template,
        &figures,
        &lh,
        &FileParts {
            title: &r.title,
            number: r.number.as_deref(),
            issued_on: r.issued_on,
            narratives: &r.narratives,
            draft: r.status != diaban_domain::report::workflow::ReportStatus::Issued,
        },
    )
}

/// A refusal by the workflow's rules: 403, audited like a refused route.
async fn refuse(db: &Db, who: &Identity, what: &str, id: i64, why: String) -> AppError {
    let mut e = who.audit(what, "report", id);
    e.outcome = "denied".into();
    if let Err(err) = diaban_store::audit::append(db, &e).await {
        tracing::error!(error = %err, "cannot audit a refusal");
    }
    AppError::new(ErrorKind::Forbidden, why)
}

/// What a new report needs.
#[derive(Debug, Clone, Default, serde::Deserialize)]
pub struct NewReportInput {
    /// Unit code (default: the caller's own).
    #[serde(default)]
    pub unit: Option<String>,
    /// monthly, half-year or annual.
    #[serde(default)]
    pub kind: String,
    /// The period, of the kind's length.
    #[serde(default)]
    pub period: String,
}

/// Creates a draft for a unit the caller drafts for; returns its id.
pub async fn create(
    state: &crate::AppState,
    who: &Identity,
    input: &NewReportInput,
) -> Result<i64, AppError> {
    use diaban_domain::report::workflow::is_drafter;
    let kind: ReportKind = input
        .kind
        .parse()
        .map_err(|e: diaban_domain::report::ReportError| unprocessable("kind", e.message_vi()))?;
    let period = kind.period(&input.period).map_err(|e| unprocessable("period", e.message_vi()))?;
    let place = ops::place(state, who, input.unit.as_deref()).await?;
    if place.unit.is_legacy() {
        return Err(unprocessable(
            "unit",
            "Báo cáo định kỳ lập cho tỉnh hoặc xã, phường hiện hành, không cho đơn vị trước sắp xếp 2025."
                .into(),
        ));
    }
    let level = ReportLevel::of_unit_level(&place.unit.level)
        .ok_or_else(|| AppError::bad_param("unit", "not a province or a commune"))?;
    let own = match (who.scope(), place.scope) {
        (Scope::Province(a), Scope::Province(b)) | (Scope::Commune(a), Scope::Commune(b)) => a == b,
        _ => false,
    };
    let standing = if own { Standing::Own } else { Standing::Above };
    if !is_drafter(who.role, level, standing) {
        return Err(refuse(
            &state.db,
            who,
            "report.create",
            0,
            "only the unit's own police drafts its report".into(),
        )
        .await);
    }
    let cutoff = ops::reporting(state).await?.cutoff_day;
    let label = period.bounds(cutoff).map(|_| period.label_vi()).unwrap_or_default();
    let t = diaban_store::reports::template(&state.db, None).await?;
    let new = diaban_store::reports::NewReport {
        unit_id: place.unit.id,
        kind,
        period: period.to_string(),
        template_id: t.id,
        title: t.template.title_for(kind, &label),
        narratives: t.template.default_narratives(),
    };
    match diaban_store::reports::create(&state.db, &new, who.audit("report.create", "report", "")).await {
        Err(diaban_store::DbError::Conflict(_)) => Err(AppError::new(
            ErrorKind::Conflict,
            "Đơn vị đã có báo cáo cùng loại cho kỳ này / a report of this kind for this period exists",
        )),
        other => Ok(other?),
    }
}

fn unprocessable(field: &str, msg: String) -> AppError {
    AppError::new(ErrorKind::Unprocessable, format!("{field}: {msg}"))
}

/// Replaces some narratives of a draft or returned report (keys not given keep their
/// text).
pub async fn set_narratives(
    state: &crate::AppState,
    who: &Identity,
    id: i64,
    texts: &BTreeMap<String, String>,
) -> Result<(), AppError> {
    use diaban_domain::report::workflow::{is_drafter, may_edit};
    let r = visible_report(&state.db, who, id).await?;
    let st = standing(who, &r);
    if !is_drafter(who.role, r.level, st) {
        return Err(refuse(
            &state.db,
            who,
            "report.narratives",
            id,
            "only the drafting unit edits the report".into(),
        )
        .await);
    }
    if !may_edit(who.role, r.level, st, r.status) {
        return Err(AppError::new(ErrorKind::Conflict, "the report is no longer a draft"));
    }
    let template = diaban_store::reports::template(&state.db, Some(r.template_id)).await?.template;
    diaban_domain::report::template::check_narratives(&template, texts)
        .map_err(|e| unprocessable("narratives", e.message_vi()))?;
    let mut all = r.narratives.clone();
    for (k, v) in texts {
        all.insert(k.clone(), v.trim().to_owned());
    }
    Ok(diaban_store::reports::set_narratives(
        &state.db,
        id,
        &all,
        who.audit("report.narratives", "report", id),
    )
    .await?)
}

/// Takes step `t` on a report: checked by the workflow's rules, recorded with its history
/// line and audit entry; issuing freezes the figures computed now.
pub async fn take_step(
    state: &crate::AppState,
    who: &Identity,
    id: i64,
    t: diaban_domain::report::workflow::Transition,
    reason: &str,
) -> Result<(), AppError> {
    use diaban_domain::report::workflow::{Transition, WorkflowError, step};
    let r = visible_report(&state.db, who, id).await?;
    let st = standing(who, &r);
    let to = match step(who.role, r.level, st, r.status, t, reason) {
        Ok(to) => to,
        Err(e @ WorkflowError::NotAllowed(_)) => {
            return Err(refuse(&state.db, who, &format!("report.{t}"), id, e.message_vi()).await);
        }
        Err(e @ WorkflowError::NotFrom(..)) => {
            return Err(AppError::new(ErrorKind::Conflict, e.message_vi()));
        }
        Err(e @ WorkflowError::ReasonRequired) => return Err(unprocessable("reason", e.message_vi())),
    };
    if t == Transition::Submit {
        // Passages left for the author («[Người soạn bổ sung: …]») must be written first.
        let template = diaban_store::reports::template(&state.db, Some(r.template_id)).await?.template;
        let missing = diaban_domain::report::template::sections_to_write(&template, &r.narratives);
        if !missing.is_empty() {
            return Err(AppError::new(
                ErrorKind::Unprocessable,
                format!(
                    "Chưa thể trình báo cáo: người soạn cần viết thay các đoạn «[Người soạn bổ sung: …]» trong các mục: {}.",
                    missing.join("; ")
                ),
            ));
        }
    }
    let issue = if t == Transition::Issue {
        let template = diaban_store::reports::template(&state.db, Some(r.template_id)).await?.template;
        let unit = diaban_store::units::get(&state.db, r.unit_id).await?;
        let lh = letterhead(&state.db, &unit, &template).await?;
        Some(diaban_store::reports::Issue {
            symbol: lh.symbol,
            on: diaban_domain::time::today_in_vietnam(),
            figures: live_figures(&state.db, &r).await?,
        })
    } else {
        None
    };
    let record = diaban_store::reports::Step { from: r.status, to, t, reason };
    match diaban_store::reports::transition(&state.db, id, &record, issue, who.audit("report", "report", id))
        .await
    {
        Err(diaban_store::DbError::Conflict(_)) => {
            Err(AppError::new(ErrorKind::Conflict, "the report changed meanwhile; reload it"))
        }
        other => Ok(other?),
    }
}

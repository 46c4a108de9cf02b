//! Báo cáo định kỳ: the reports of the caller's scope (filters unit, kind, status), the
//! form for a new draft, and a report with its figures (frozen once issued; "Tính lại"
//! shows the differences with figures computed now and changes nothing), its narratives
//! (editable while draft or returned), its workflow buttons, its history and its files.
//! The rules are the API's (`crate::api::reports`, `crate::reports_ops`).

use super::{Crumb, Ctx, redirect_with_flash, render};
use crate::AppState;
use crate::api::reports::{DownloadQuery, file_response, filter_of, visible_list};
use crate::auth::actions::{DraftReports, ReadReports, ReviewReports};
use crate::auth::{Authorized, Identity};
use crate::error::{AppError, ErrorKind};
use crate::reports_ops::{self as rops, NewReportInput};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post};
use axum::{Form, Router};
use diaban_domain::access::Action;
use diaban_domain::report::template::{Column, Section, TARGET_INDICATORS};
use diaban_domain::report::workflow::{ReportStatus, Transition, available, may_edit};
use diaban_domain::report::{ReportKind, diff, fmt_change_vi, fmt_count_vi, fmt_value_vi};
use serde::Deserialize;
use std::collections::BTreeMap;

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        // Access: GET = ReadReports (scope in the query; drafts only for the drafting
        // unit); POST = DraftReports for the caller's own unit; audited.
        .route("/reports", get(list).post(create))
        // Access: ReadReports; 404 outside the scope or not visible at its status.
        .route("/reports/{id}", get(detail))
        // Access: DraftReports, drafting unit, draft or returned; audited.
        .route("/reports/{id}/narratives", post(narratives))
        // Access: DraftReports (drafting unit); audited.
        .route("/reports/{id}/submit", post(submit))
        // Access: ReviewReports (PC04 for communes, leaders for the province); audited.
        .route("/reports/{id}/approve", post(approve))
        // Access: ReviewReports; a reason is required; audited.
        .route("/reports/{id}/return", post(send_back))
        // Access: DraftReports (drafting unit); audited.
        .route("/reports/{id}/redraft", post(redraft))
        // Access: DraftReports (drafting unit), after approval; freezes the figures; audited.
        .route("/reports/{id}/issue", post(issue))
        // Access: ReadReports; `?format=xlsx|docx`; audited as report.download.
        .route("/reports/{id}/download", get(download))
}

/// A choice in a select.
pub struct Opt {
    value: String,
    label: String,
    selected: bool,
}

/// A report line for the list.
pub struct Line {
    id: i64,
    unit: String,
    kind: &'static str,
    period: String,
    title: String,
    status: &'static str,
    status_label: &'static str,
    number: String,
    updated: String,
}

#[derive(Template)]
#[template(path = "reports_list.html")]
struct ListPage {
    p: super::Page,
    rows: Vec<Line>,
    kinds: Vec<Opt>,
    statuses: Vec<Opt>,
    unit: String,
    can_draft: bool,
    new_kinds: Vec<Opt>,
    v: NewReportInput,
    problems: Vec<String>,
}

#[derive(Deserialize, Default)]
struct ListQuery {
    unit: Option<String>,
    kind: Option<String>,
    status: Option<String>,
}

fn kinds(selected: &str) -> Vec<Opt> {
    ReportKind::ALL
        .iter()
        .map(|k| Opt {
            value: k.as_str().into(),
            label: k.label_vi().into(),
            selected: k.as_str() == selected,
        })
        .collect()
}

async fn list_page(
    state: &AppState,
    who: &Identity,
    ctx: &Ctx,
    q: ListQuery,
    v: NewReportInput,
    problems: Vec<String>,
) -> Result<Response, AppError> {
    let tr = ctx.tr(Some(who));
    let f = filter_of(state, who, q.unit.as_deref(), q.kind.as_deref(), q.status.as_deref()).await?;
    let rows = visible_list(state, who, &f)
        .await?
        .iter()
        .map(|r| Line {
            id: r.id,
            unit: format!("{} ({})", r.unit_name, r.unit_code),
            kind: r.kind.label_vi(),
            period: r.period.clone(),
            title: r.title.clone(),
            status: r.status.as_str(),
            status_label: r.status.label_vi(),
            number: r.number.clone().unwrap_or_default(),
            updated: tr.datetime(&r.updated_at),
        })
        .collect();
    let status = q.status.clone().unwrap_or_default();
    let mut p = ctx.page(Some(who), "reports.title", "reports").await;
    p.breadcrumbs = vec![
        Crumb { label: tr.t("nav.home").into(), href: Some("/".into()) },
        Crumb { label: tr.t("nav.reports").into(), href: None },
    ];
    let failed = !problems.is_empty();
    let new_kinds = kinds(&v.kind);
    let mut r = render(
        ctx.flash_key.is_some(),
        &ListPage {
            p,
            rows,
            kinds: kinds(q.kind.as_deref().unwrap_or("")),
            statuses: ReportStatus::ALL
                .iter()
                .map(|s| Opt {
                    value: s.as_str().into(),
                    label: s.label_vi().into(),
                    selected: s.as_str() == status,
                })
                .collect(),
            unit: q.unit.unwrap_or_default(),
            can_draft: who.may(Action::DraftReports),
            new_kinds,
            v,
            problems,
        },
    )?;
    if failed {
        *r.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    }
    Ok(r)
}

async fn list(
    State(state): State<AppState>,
    who: Authorized<ReadReports>,
    ctx: Ctx,
    Query(q): Query<ListQuery>,
) -> Result<Response, AppError> {
    let v = NewReportInput { kind: "monthly".into(), ..Default::default() };
    list_page(&state, &who, &ctx, q, v, Vec::new()).await
}

/// A failure the user can fix: shown on the page, not as an error page.
fn fixable(e: &AppError) -> bool {
    matches!(e.kind, ErrorKind::Unprocessable | ErrorKind::Conflict | ErrorKind::BadRequest)
}

async fn create(
    State(state): State<AppState>,
    who: Authorized<DraftReports>,
    ctx: Ctx,
    Form(input): Form<NewReportInput>,
) -> Result<Response, AppError> {
    match rops::create(&state, &who, &input).await {
        Ok(id) => Ok(redirect_with_flash(&format!("/reports/{id}"), "reports.created")),
        Err(e) if fixable(&e) => {
            let msg = e.message.clone();
            list_page(&state, &who, &ctx, ListQuery::default(), input, vec![msg]).await
        }
        Err(e) => Err(e),
    }
}

/// A row of a figures table.
pub struct FigRow {
    n: usize,
    id: String,
    label: String,
    cells: Vec<String>,
}

/// A section of the report as the page shows it.
pub struct SectionView {
    title: String,
    /// "table", "narrative".
    kind: &'static str,
    heads: Vec<String>,
    rows: Vec<FigRow>,
    key: String,
    text: String,
    filled: String,
    /// A narrative that still holds a passage for the author.
    needs_author: bool,
    /// The registry tables of the section (`diaban_reports::tables`).
    extra: Vec<RegistryView>,
}

/// A registry table as the page shows it.
pub struct RegistryView {
    heads: Vec<String>,
    /// (bold, cells).
    rows: Vec<(bool, Vec<String>)>,
    note: String,
}

fn registry_views(s: &Section, f: &diaban_domain::report::Figures) -> Vec<RegistryView> {
    diaban_reports::tables::tables(s, f)
        .into_iter()
        .map(|t| RegistryView {
            heads: t.head.iter().map(|h| (*h).to_owned()).collect(),
            rows: t.rows.iter().map(|r| (r.bold, r.cells.iter().map(|c| c.text_vi()).collect())).collect(),
            note: t.note.unwrap_or_default(),
        })
        .collect()
}

/// A line of the history.
pub struct EventLine {
    at: String,
    actor: String,
    action: String,
    reason: String,
}

/// A workflow button.
pub struct Button {
    step: &'static str,
    label: &'static str,
    needs_reason: bool,
}

/// A line of the recomputation.
pub struct DiffView {
    label: String,
    frozen: String,
    now: String,
}

#[derive(Template)]
#[template(path = "report_detail.html")]
struct DetailPage {
    p: super::Page,
    id: i64,
    title: String,
    unit: String,
    kind: &'static str,
    period: String,
    period_days: String,
    status: &'static str,
    status_label: &'static str,
    number: String,
    issued_on: String,
    return_reason: String,
    frozen: bool,
    computed_at: String,
    plan: String,
    sections: Vec<SectionView>,
    editable: bool,
    buttons: Vec<Button>,
    history: Vec<EventLine>,
    recomputed: bool,
    differences: Vec<DiffView>,
    problems: Vec<String>,
}

#[derive(Deserialize, Default)]
struct DetailQuery {
    recompute: Option<String>,
}

fn sections_of(
    template: &diaban_domain::report::template::Template,
    f: &diaban_domain::report::Figures,
    narratives: &BTreeMap<String, String>,
) -> Vec<SectionView> {
    let empty = |title: &str, kind| SectionView {
        title: title.into(),
        kind,
        heads: vec![],
        rows: vec![],
        key: String::new(),
        text: String::new(),
        filled: String::new(),
        needs_author: false,
        extra: vec![],
    };
    template
        .sections
        .iter()
        .map(|s| match s {
            Section::Narrative { key, title, text } => {
                let t = narratives.get(key).cloned().unwrap_or_else(|| text.clone());
                SectionView {
                    key: key.clone(),
                    needs_author: diaban_domain::report::template::has_author_marker(&t),
                    filled: diaban_domain::report::template::fill(&t, f),
                    text: t,
                    ..empty(title, "narrative")
                }
            }
            Section::Table { title, rows, columns } => SectionView {
                heads: columns.iter().map(|c| c.header_vi().to_owned()).collect(),
                rows: rows
                    .iter()
                    .enumerate()
                    .map(|(i, id)| {
                        let fig = f.get(*id);
                        let target = f.targets.iter().find(|t| t.indicator == *id && !t.target.is_empty());
                        FigRow {
                            n: i + 1,
                            id: id.as_str().into(),
                            label: id.label_vi().into(),
                            cells: columns
                                .iter()
                                .map(|c| match c {
                                    Column::Value => fmt_value_vi(*id, fig.and_then(|x| x.value)),
                                    Column::SamePeriodLastYear => {
                                        fmt_value_vi(*id, fig.and_then(|x| x.previous))
                                    }
                                    Column::Change => fig.map_or("—".into(), fmt_change_vi),
                                    Column::Target => target.map_or("—".into(), |t| t.target.clone()),
                                    Column::Status => target
                                        .and_then(|t| t.status)
                                        .map_or("—".into(), |s| s.label_vi().into()),
                                })
                                .collect(),
                        }
                    })
                    .collect(),
                ..empty(title, "table")
            },
            Section::Targets { title } => SectionView {
                heads: vec!["Giá trị".into(), "Chỉ tiêu kế hoạch".into(), "Đánh giá".into()],
                rows: TARGET_INDICATORS
                    .iter()
                    .enumerate()
                    .map(|(i, id)| {
                        let t = f.targets.iter().find(|t| t.indicator == *id);
                        let value = t.and_then(|t| t.current).or_else(|| f.get(*id).and_then(|x| x.value));
                        FigRow {
                            n: i + 1,
                            id: id.as_str().into(),
                            label: id.label_vi().into(),
                            cells: vec![
                                fmt_value_vi(*id, value),
                                t.map(|t| t.target.clone())
                                    .filter(|s| !s.is_empty())
                                    .unwrap_or_else(|| "Chưa giao chỉ tiêu".into()),
                                t.and_then(|t| t.status).map_or("—".into(), |s| s.label_vi().into()),
                            ],
                        }
                    })
                    .collect(),
                ..empty(title, "table")
            },
            Section::Protection { title } => SectionView {
                heads: vec!["Số lượt".into()],
                rows: f
                    .protection
                    .lines()
                    .iter()
                    .enumerate()
                    .map(|(i, (k, label, n))| FigRow {
                        n: i + 1,
                        id: format!("protection.{k}"),
                        label: (*label).into(),
                        cells: vec![fmt_count_vi(*n as f64)],
                    })
                    .collect(),
                extra: registry_views(s, f),
                ..empty(title, "table")
            },
            Section::Tasks { title }
            | Section::Escalations { title }
            | Section::Seizures { title }
            | Section::Persons { title }
            | Section::Businesses { title }
            | Section::Classification { title }
            | Section::PropagandaVenues { title } => {
                SectionView { extra: registry_views(s, f), ..empty(title, "registry") }
            }
        })
        .collect()
}

async fn detail_page(
    state: &AppState,
    who: &Identity,
    ctx: &Ctx,
    id: i64,
    recompute: bool,
    problems: Vec<String>,
    retry: Option<BTreeMap<String, String>>,
) -> Result<Response, AppError> {
    let tr = ctx.tr(Some(who));
    let r = rops::visible_report(&state.db, who, id).await?;
    let template = diaban_store::reports::template(&state.db, Some(r.template_id)).await?.template;
    let f = rops::report_figures(&state.db, &r).await?;
    let st = rops::standing(who, &r);
    let mut narratives = r.narratives.clone();
    if let Some(t) = retry {
        narratives.extend(t);
    }
    let differences = match (&r.frozen, recompute) {
        (Some(frozen), true) => {
            let now = rops::live_figures(&state.db, &r).await?;
            let show = |key: &str, v: Option<f64>| {
                let id = key.split('.').next().and_then(|k| k.parse().ok());
                match id {
                    Some(id) => fmt_value_vi(id, v),
                    None => v.map_or("—".into(), fmt_count_vi),
                }
            };
            diff(frozen, &now)
                .into_iter()
                .map(|d| DiffView {
                    frozen: show(&d.key, d.frozen),
                    now: show(&d.key, d.now),
                    label: d.label,
                })
                .collect()
        }
        _ => vec![],
    };
    let history = diaban_store::reports::events(&state.db, id)
        .await?
        .into_iter()
        .map(|e| EventLine {
            at: tr.datetime(&e.at),
            actor: e.actor,
            action: e.action.parse::<Transition>().map_or(e.action.clone(), |t| t.label_vi().to_owned()),
            reason: e.reason,
        })
        .collect();
    let mut p = ctx.page(Some(who), "reports.detail_title", "reports").await;
    p.title = r.title.clone();
    p.breadcrumbs = vec![
        Crumb { label: tr.t("nav.home").into(), href: Some("/".into()) },
        Crumb { label: tr.t("nav.reports").into(), href: Some("/reports".into()) },
        Crumb { label: format!("{} {}", r.unit_name, r.period), href: None },
    ];
    let failed = !problems.is_empty();
    let page = DetailPage {
        p,
        id,
        title: r.title.clone(),
        unit: format!("{} ({})", r.unit_name, r.unit_code),
        kind: r.kind.label_vi(),
        period: f.period_label.clone(),
        period_days: format!("{} – {}", tr.date(&f.from), tr.date(&f.to)),
        status: r.status.as_str(),
        status_label: r.status.label_vi(),
        number: r.number.clone().unwrap_or_default(),
        issued_on: r.issued_on.map(|d| tr.date(&d)).unwrap_or_default(),
        // The last reason for sending it back, while it is being corrected; afterwards it
        // stays in the history below.
        return_reason: if matches!(
            r.status,
            diaban_domain::report::workflow::ReportStatus::Returned
                | diaban_domain::report::workflow::ReportStatus::Draft
        ) {
            r.return_reason.clone()
        } else {
            String::new()
        },
        frozen: r.frozen.is_some(),
        computed_at: tr.datetime(&f.computed_at),
        plan: f.plan.clone().unwrap_or_default(),
        sections: sections_of(&template, &f, &narratives),
        editable: may_edit(who.role, r.level, st, r.status),
        buttons: available(who.role, r.level, st, r.status)
            .into_iter()
            .map(|t| Button { step: t.as_str(), label: t.label_vi(), needs_reason: t == Transition::Return })
            .collect(),
        history,
        recomputed: recompute && r.frozen.is_some(),
        differences,
        problems,
    };
    let mut res = render(ctx.flash_key.is_some(), &page)?;
    if failed {
        *res.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    }
    Ok(res)
}

async fn detail(
    State(state): State<AppState>,
    who: Authorized<ReadReports>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Query(q): Query<DetailQuery>,
) -> Result<Response, AppError> {
    let recompute = q.recompute.as_deref().is_some_and(|s| s == "1");
    detail_page(&state, &who, &ctx, id, recompute, Vec::new(), None).await
}

async fn narratives(
    State(state): State<AppState>,
    who: Authorized<DraftReports>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    let texts: BTreeMap<String, String> =
        fields.into_iter().filter_map(|(k, v)| k.strip_prefix("n_").map(|k| (k.to_owned(), v))).collect();
    match rops::set_narratives(&state, &who, id, &texts).await {
        Ok(()) => Ok(redirect_with_flash(&format!("/reports/{id}"), "reports.saved")),
        Err(e) if fixable(&e) => {
            detail_page(&state, &who, &ctx, id, false, vec![e.message.clone()], Some(texts)).await
        }
        Err(e) => Err(e),
    }
}

#[derive(Deserialize, Default)]
struct StepForm {
    #[serde(default)]
    reason: String,
}

async fn stepped(
    state: &AppState,
    who: &Identity,
    ctx: &Ctx,
    id: i64,
    t: Transition,
    reason: &str,
) -> Result<Response, AppError> {
    match rops::take_step(state, who, id, t, reason).await {
        Ok(()) => {
            // A reviewer may no longer see a report it returned to draft; the list is safe.
            let to = match rops::visible_report(&state.db, who, id).await {
                Ok(_) => format!("/reports/{id}"),
                Err(_) => "/reports".to_owned(),
            };
            Ok(redirect_with_flash(&to, "reports.step_done"))
        }
        Err(e) if fixable(&e) => detail_page(state, who, ctx, id, false, vec![e.message.clone()], None).await,
        Err(e) => Err(e),
    }
}

async fn submit(
    State(state): State<AppState>,
    who: Authorized<DraftReports>,
    ctx: Ctx,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    stepped(&state, &who, &ctx, id, Transition::Submit, "").await
}

async fn approve(
    State(state): State<AppState>,
    who: Authorized<ReviewReports>,
    ctx: Ctx,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    stepped(&state, &who, &ctx, id, Transition::Approve, "").await
}

async fn send_back(
    State(state): State<AppState>,
    who: Authorized<ReviewReports>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(f): Form<StepForm>,
) -> Result<Response, AppError> {
    stepped(&state, &who, &ctx, id, Transition::Return, &f.reason).await
}

async fn redraft(
    State(state): State<AppState>,
    who: Authorized<DraftReports>,
    ctx: Ctx,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    stepped(&state, &who, &ctx, id, Transition::Redraft, "").await
}

async fn issue(
    State(state): State<AppState>,
    who: Authorized<DraftReports>,
    ctx: Ctx,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    stepped(&state, &who, &ctx, id, Transition::Issue, "").await
}

async fn download(
    State(state): State<AppState>,
    who: Authorized<ReadReports>,
    Path(id): Path<i64>,
    Query(q): Query<DownloadQuery>,
) -> Result<Response, AppError> {
    file_response(&state, &who, id, q.format.as_deref()).await
}

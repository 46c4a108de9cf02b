//! Quản trị › Tham số: the parameter groups edited as JSON with a start date — the terms
//! of the measures on persons under each law (`person_durations`) and the operations
//! deadlines (`operations`: days to answer an escalation, months between inspections of
//! a conditional business), the reporting cut-off day (`reporting`) and the hours to
//! notify a personal-data breach (`data_protection`). The page twin of `PUT /api/v1/parameters/{group}`: the same
//! checks, a new version from a date on, audited; earlier decisions keep the value that
//! was in force when they were made.

use super::{Crumb, Ctx, redirect_with_flash, render};
use crate::AppState;
use crate::auth::actions::ManageParameters;
use crate::auth::{Authorized, Identity};
use crate::error::AppError;
use crate::i18n::Tr;
use crate::site_input::parse_date;
use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;
use axum::{Form, Router};
use diaban_domain::breach::DataProtectionParams;
use diaban_domain::escalation::OperationsParams;
use diaban_domain::period::ReportingParams;
use diaban_domain::person::DurationRules;
use diaban_store::parameters;
use serde::Deserialize;

pub(crate) fn routes() -> Router<AppState> {
    // Access: ManageParameters (admin); every change audited.
    Router::new().route("/admin/parameters/{group}", get(show).post(save))
}

/// A group edited here.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Group {
    /// Terms of the measures on persons.
    PersonDurations,
    /// Escalation and inspection deadlines.
    Operations,
    /// The reporting cut-off day of statistical periods.
    Reporting,
    /// The hours to notify a personal-data breach.
    DataProtection,
}

impl Group {
    pub(crate) const ALL: [Group; 4] =
        [Group::PersonDurations, Group::Operations, Group::Reporting, Group::DataProtection];

    pub(crate) fn name(self) -> &'static str {
        match self {
            Group::PersonDurations => diaban_store::person_records::DURATIONS,
            Group::Operations => crate::api::escalations::PARAMS,
            Group::Reporting => crate::indicators_ops::REPORTING,
            Group::DataProtection => diaban_store::data_breaches::PARAMS,
        }
    }

    pub(crate) fn title_key(self) -> &'static str {
        match self {
            Group::PersonDurations => "params.group_person_durations",
            Group::Operations => "params.group_operations",
            Group::Reporting => "params.group_reporting",
            Group::DataProtection => "params.group_data_protection",
        }
    }

    fn help_key(self) -> &'static str {
        match self {
            Group::PersonDurations => "params.help_person_durations",
            Group::Operations => "params.help_operations",
            Group::Reporting => "params.help_reporting",
            Group::DataProtection => "params.help_data_protection",
        }
    }

    fn parse(s: &str) -> Option<Group> {
        Group::ALL.into_iter().find(|g| g.name() == s)
    }

    /// The value in force today, pretty JSON.
    async fn current(self, state: &AppState) -> Result<String, AppError> {
        let today = diaban_domain::time::today_in_vietnam();
        let json = match self {
            Group::PersonDurations => {
                let v: DurationRules = parameters::in_force(&state.db, self.name(), today).await?;
                serde_json::to_string_pretty(&v)
            }
            Group::Operations => {
                let v: OperationsParams = parameters::in_force(&state.db, self.name(), today).await?;
                serde_json::to_string_pretty(&v)
            }
            Group::Reporting => {
                let v: ReportingParams = parameters::in_force(&state.db, self.name(), today).await?;
                serde_json::to_string_pretty(&v)
            }
            Group::DataProtection => {
                let v: DataProtectionParams = parameters::in_force(&state.db, self.name(), today).await?;
                serde_json::to_string_pretty(&v)
            }
        };
        json.map_err(AppError::internal)
    }
}

/// Checks a typed value of `group`; the error is for the user.
pub(crate) fn check(group: Group, json: &str, tr: Tr) -> Result<serde_json::Value, String> {
    let bad_json = |e: serde_json::Error| format!("{}: {e}", tr.t("params.bad_json"));
    match group {
        Group::PersonDurations => {
            let v: DurationRules = serde_json::from_str(json).map_err(bad_json)?;
            crate::person_records_ops::check_durations(&v)?;
            serde_json::to_value(v).map_err(|e| e.to_string())
        }
        Group::Operations => {
            let v: OperationsParams = serde_json::from_str(json).map_err(bad_json)?;
            let problems = v.problems();
            if let Some((field, why)) = problems.first() {
                return Err(format!("{field}: {why}"));
            }
            serde_json::to_value(v).map_err(|e| e.to_string())
        }
        Group::Reporting => {
            let v: ReportingParams = serde_json::from_str(json).map_err(bad_json)?;
            if !v.is_valid() {
                return Err("cutoff_day: from 1 to 28".into());
            }
            serde_json::to_value(v).map_err(|e| e.to_string())
        }
        Group::DataProtection => {
            let v: DataProtectionParams = serde_json::from_str(json).map_err(bad_json)?;
            if !v.is_valid() {
                return Err("breach_notify_hours: from 1 to 720".into());
            }
            serde_json::to_value(v).map_err(|e| e.to_string())
        }
    }
}

#[derive(Template)]
#[template(path = "parameter_group.html")]
struct GroupPage {
    p: super::Page,
    name: &'static str,
    help: &'static str,
    json: String,
    valid_from: String,
    note: String,
    error: Option<String>,
    /// (valid from, value, note, set at).
    history: Vec<(String, String, String, String)>,
}

#[derive(Deserialize)]
struct GroupForm {
    value: String,
    valid_from: String,
    #[serde(default)]
    note: String,
}

async fn page(
    state: &AppState,
    who: &Identity,
    ctx: &Ctx,
    group: Group,
    form: Option<(GroupForm, String)>,
) -> Result<Response, AppError> {
    let tr = ctx.tr(Some(who));
    let mut p = ctx.page(Some(who), group.title_key(), "parameters").await;
    p.breadcrumbs = vec![
        Crumb { label: tr.t("nav.home").into(), href: Some("/".into()) },
        Crumb { label: tr.t("params.title").into(), href: Some("/admin/parameters".into()) },
        Crumb { label: tr.t(group.title_key()).into(), href: None },
    ];
    let history = parameters::history(&state.db, group.name())
        .await?
        .into_iter()
        .map(|h| (tr.date(&h.valid_from), h.value, h.note, h.set_at.format("%Y-%m-%d %H:%M UTC").to_string()))
        .collect();
    let failed = form.is_some();
    let (json, valid_from, note, error) = match form {
        Some((f, e)) => (f.value, f.valid_from, f.note, Some(e)),
        None => (
            group.current(state).await?,
            diaban_domain::time::today_in_vietnam().to_string(),
            String::new(),
            None,
        ),
    };
    let page = GroupPage {
        p,
        name: group.name(),
        help: tr.t(group.help_key()),
        json,
        valid_from,
        note,
        error,
        history,
    };
    let mut r = render(ctx.flash_key.is_some(), &page)?;
    if failed {
        *r.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    }
    Ok(r)
}

fn group_of(name: &str) -> Result<Group, AppError> {
    Group::parse(name).ok_or_else(|| AppError::not_found("no such parameter group"))
}

async fn show(
    State(state): State<AppState>,
    who: Authorized<ManageParameters>,
    ctx: Ctx,
    Path(name): Path<String>,
) -> Result<Response, AppError> {
    page(&state, &who, &ctx, group_of(&name)?, None).await
}

async fn save(
    State(state): State<AppState>,
    who: Authorized<ManageParameters>,
    ctx: Ctx,
    Path(name): Path<String>,
    Form(f): Form<GroupForm>,
) -> Result<Response, AppError> {
    let group = group_of(&name)?;
    let tr = ctx.tr(Some(&who));
    let Some(from) = parse_date(&f.valid_from) else {
        let e = tr.t("validation.date").to_owned();
        return page(&state, &who, &ctx, group, Some((f, e))).await;
    };
    let value = match check(group, &f.value, tr) {
        Ok(v) => v,
        Err(e) => return page(&state, &who, &ctx, group, Some((f, e))).await,
    };
    let note: String = f.note.trim().chars().take(500).collect();
    parameters::set(
        &state.db,
        group.name(),
        &value,
        from,
        Some(who.user.id),
        &note,
        Some(who.audit("parameters.set", "parameters", group.name())),
    )
    .await?;
    Ok(redirect_with_flash(&format!("/admin/parameters/{}", group.name()), "params.saved"))
}

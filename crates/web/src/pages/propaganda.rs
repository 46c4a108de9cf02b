//! Tuyên truyền: the propaganda activities in scope as a list with totals (by organiser,
//! venue type and form), a month calendar drawn on the server, and a form to record one.
//! A partner department sees and records its own activities, and the totals of its
//! scope. The rules are the API's (`crate::ops_input`, `crate::api::propaganda`).

use super::sites::Choice;
use super::{Crumb, Ctx, redirect_with_flash, render};
use crate::AppState;
use crate::api::propaganda::{ListQuery, filter_of, totals_of};
use crate::auth::actions::{ReadPropaganda, WritePropaganda};
use crate::auth::{Authorized, Identity};
use crate::error::AppError;
use crate::i18n::{Lang, Tr};
use crate::ops_input::{self, ActivityInput};
use crate::site_input::Loose;
use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;
use axum::{Form, Router};
use chrono::Datelike;
use diaban_domain::access::{Action, Role};
use diaban_domain::propaganda::{PropagandaForm, VenueType, month_grid};
use diaban_store::propaganda::{self, Activity, Tally};
use serde::Deserialize;

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        // Access: GET = ReadPropaganda (a partner: its own), POST = WritePropaganda; scoped;
        // audited.
        .route("/propaganda", get(list).post(create))
        // Access: ReadPropaganda (a partner: its own); scoped.
        .route("/propaganda/calendar", get(calendar))
}

fn label<T: Copy>(v: T, tr: Tr, vi: fn(T) -> &'static str, en: fn(T) -> &'static str) -> &'static str {
    if tr.0 == Lang::Vi { vi(v) } else { en(v) }
}

fn venue_label(v: VenueType, tr: Tr) -> &'static str {
    label(v, tr, VenueType::label_vi, VenueType::label_en)
}

fn form_label(f: PropagandaForm, tr: Tr) -> &'static str {
    label(f, tr, PropagandaForm::label_vi, PropagandaForm::label_en)
}

/// An activity row for templates.
pub struct Row {
    on: String,
    unit: String,
    organiser: String,
    venue: &'static str,
    place: String,
    form: &'static str,
    participants: String,
    materials: String,
    topic: String,
}

/// A line of totals for templates.
pub struct TotalLine {
    label: String,
    activities: String,
    participants: String,
}

fn total_line(label: String, t: &Tally, tr: Tr) -> TotalLine {
    TotalLine { label, activities: tr.num(t.activities), participants: tr.num(t.participants) }
}

#[derive(Template)]
#[template(path = "propaganda.html")]
struct Page {
    p: super::Page,
    rows: Vec<Row>,
    total: i64,
    venues: Vec<Choice>,
    forms: Vec<Choice>,
    from: String,
    to: String,
    export_query: String,
    all: TotalLine,
    by_organiser: Vec<TotalLine>,
    by_venue: Vec<TotalLine>,
    by_form: Vec<TotalLine>,
    partner: bool,
    partner_name: String,
    can_write: bool,
    v: ActivityInput,
    participants: String,
    materials: String,
    today: String,
    error: Option<String>,
    problems: Vec<String>,
}

fn text(l: &Option<Loose>) -> String {
    match l {
        Some(Loose::Text(s)) => s.clone(),
        Some(Loose::Num(n)) => n.to_string(),
        _ => String::new(),
    }
}

fn row(a: &Activity, tr: Tr) -> Row {
    Row {
        on: tr.date(&a.held_on),
        unit: a.unit_name.clone(),
        organiser: a.organiser.clone(),
        venue: venue_label(a.venue_type, tr),
        place: a.place.clone(),
        form: form_label(a.form, tr),
        participants: tr.num(a.participants),
        materials: tr.num(a.materials),
        topic: a.topic.clone(),
    }
}

async fn page(
    state: &AppState,
    who: &Identity,
    ctx: &Ctx,
    q: &ListQuery,
    v: ActivityInput,
    problems: Vec<String>,
) -> Result<Response, AppError> {
    let tr = ctx.tr(Some(who));
    let mut f = filter_of(state, who, q, 500).await?;
    f.limit = 500;
    let (found, total) = propaganda::list(&state.db, who.scope(), &f).await?;
    let t = totals_of(state, who, &f).await?;
    let venues = VenueType::ALL
        .iter()
        .map(|x| Choice {
            value: x.as_str(),
            label: venue_label(*x, tr),
            selected: q.venue_type.as_deref() == Some(x.as_str()),
        })
        .collect();
    let forms = PropagandaForm::ALL
        .iter()
        .map(|x| Choice {
            value: x.as_str(),
            label: form_label(*x, tr),
            selected: q.form.as_deref() == Some(x.as_str()),
        })
        .collect();
    let export_query = serde_urlencoded::to_string([
        ("from", q.from.clone().unwrap_or_default()),
        ("to", q.to.clone().unwrap_or_default()),
        ("venue_type", q.venue_type.clone().unwrap_or_default()),
        ("form", q.form.clone().unwrap_or_default()),
    ])
    .unwrap_or_default();
    let mut p = ctx.page(Some(who), "ops.propaganda_title", "propaganda").await;
    p.breadcrumbs = vec![
        Crumb { label: tr.t("nav.home").into(), href: Some("/".into()) },
        Crumb { label: tr.t("nav.propaganda").into(), href: None },
    ];
    let today = diaban_domain::time::today_in_vietnam().to_string();
    let mut v = v;
    if v.held_on.is_empty() {
        v.held_on = today.clone();
    }
    let failed = !problems.is_empty();
    let page = Page {
        p,
        rows: found.iter().map(|a| row(a, tr)).collect(),
        total,
        venues,
        forms,
        from: q.from.clone().unwrap_or_default(),
        to: q.to.clone().unwrap_or_default(),
        export_query,
        all: total_line(tr.t("ops.total").into(), &t.all, tr),
        by_organiser: t.by_organiser.iter().map(|(k, x)| total_line(k.clone(), x, tr)).collect(),
        by_venue: t
            .by_venue_type
            .iter()
            .map(|(k, x)| total_line(venue_label(*k, tr).into(), x, tr))
            .collect(),
        by_form: t.by_form.iter().map(|(k, x)| total_line(form_label(*k, tr).into(), x, tr)).collect(),
        partner: who.role == Role::Partner,
        partner_name: who.user.display_name.clone(),
        can_write: who.may(Action::WritePropaganda),
        participants: text(&v.participants),
        materials: text(&v.materials),
        v,
        today,
        error: failed.then(|| tr.t("common.form_errors").to_owned()),
        problems,
    };
    let mut r = render(ctx.flash_key.is_some(), &page)?;
    if failed {
        *r.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    }
    Ok(r)
}

async fn list(
    State(state): State<AppState>,
    who: Authorized<ReadPropaganda>,
    ctx: Ctx,
    Query(q): Query<ListQuery>,
) -> Result<Response, AppError> {
    page(&state, &who, &ctx, &q, ActivityInput::default(), Vec::new()).await
}

async fn create(
    State(state): State<AppState>,
    who: Authorized<WritePropaganda>,
    ctx: Ctx,
    Form(input): Form<ActivityInput>,
) -> Result<Response, AppError> {
    let tr = ctx.tr(Some(&who));
    match ops_input::validate_activity(&state, &who, &input, tr).await? {
        Err(errors) => {
            let problems = errors.iter().map(|(f, m)| format!("{f}: {m}")).collect();
            page(&state, &who, &ctx, &ListQuery::default(), input, problems).await
        }
        Ok(new) => {
            propaganda::create(
                &state.db,
                &new,
                Some(who.user.id),
                Some(who.audit("propaganda.create", "", "")),
            )
            .await?;
            Ok(redirect_with_flash("/propaganda", "ops.saved_activity"))
        }
    }
}

/// A day of the calendar for templates.
pub struct Day {
    day: u32,
    today: bool,
    items: Vec<String>,
}

#[derive(Template)]
#[template(path = "propaganda_calendar.html")]
struct CalendarPage {
    p: super::Page,
    month_label: String,
    prev: String,
    next: String,
    weekdays: Vec<&'static str>,
    weeks: Vec<Vec<Option<Day>>>,
    count: usize,
}

#[derive(Deserialize)]
struct MonthQuery {
    month: Option<String>,
}

fn parse_month(s: Option<&str>) -> Option<(i32, u32)> {
    let (y, m) = s?.trim().split_once('-')?;
    let (y, m) = (y.parse().ok()?, m.parse().ok()?);
    ((1900..=9999).contains(&y) && (1..=12).contains(&m)).then_some((y, m))
}

async fn calendar(
    State(state): State<AppState>,
    who: Authorized<ReadPropaganda>,
    ctx: Ctx,
    Query(q): Query<MonthQuery>,
) -> Result<Response, AppError> {
    let tr = ctx.tr(Some(&who));
    let today = diaban_domain::time::today_in_vietnam();
    let (y, m) = match q.month.as_deref().filter(|s| !s.is_empty()) {
        None => (today.year(), today.month()),
        Some(s) => parse_month(Some(s)).ok_or_else(|| AppError::bad_param("month", "expected YYYY-MM"))?,
    };
    let (first, last, grid) =
        month_grid(y, m).ok_or_else(|| AppError::bad_param("month", "expected YYYY-MM"))?;
    let mut f = filter_of(&state, &who, &ListQuery::default(), 1).await?;
    f.from = Some(first);
    f.to = Some(last);
    f.limit = 0;
    let (found, _) = propaganda::list(&state.db, who.scope(), &f).await?;
    let weeks = grid
        .iter()
        .map(|w| {
            w.iter()
                .map(|d| {
                    d.map(|d| Day {
                        day: d.day(),
                        today: d == today,
                        items: found
                            .iter()
                            .filter(|a| a.held_on == d)
                            .rev()
                            .map(|a| {
                                format!(
                                    "{} — {} ({})",
                                    form_label(a.form, tr),
                                    a.organiser,
                                    tr.num(a.participants)
                                )
                            })
                            .collect(),
                    })
                })
                .collect()
        })
        .collect();
    let (py, pm) = if m == 1 { (y - 1, 12) } else { (y, m - 1) };
    let (ny, nm) = if m == 12 { (y + 1, 1) } else { (y, m + 1) };
    let mut p = ctx.page(Some(&who), "ops.calendar_title", "propaganda").await;
    p.breadcrumbs = vec![
        Crumb { label: tr.t("nav.home").into(), href: Some("/".into()) },
        Crumb { label: tr.t("nav.propaganda").into(), href: Some("/propaganda".into()) },
        Crumb { label: tr.t("ops.calendar").into(), href: None },
    ];
    let weekdays = if tr.0 == Lang::Vi {
        vec!["Thứ Hai", "Thứ Ba", "Thứ Tư", "Thứ Năm", "Thứ Sáu", "Thứ Bảy", "Chủ Nhật"]
    } else {
        vec!["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
    };
    let page = CalendarPage {
        p,
        month_label: format!("{} {m:02}/{y}", tr.t("ops.month")),
        prev: format!("{py}-{pm:02}"),
        next: format!("{ny}-{nm:02}"),
        weekdays,
        weeks,
        count: found.len(),
    };
    render(ctx.flash_key.is_some(), &page)
}

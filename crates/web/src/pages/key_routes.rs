//! Tuyến trọng điểm: the key drug routes. A route links current communes in order,
//! across provinces; the list shows the routes touching the user's scope, with a map of
//! their communes; the province officer records and corrects them. Membership counts for
//! classification criterion (đ).

use super::{Crumb, Ctx, Flash, json_block, redirect_with_flash, render};
use crate::AppState;
use crate::api::areas::touches_scope;
use crate::area_input::{self as input, RouteInput, split_codes};
use crate::auth::actions::{DecideAreas, ReadAreas};
use crate::auth::{Authorized, Identity};
use crate::error::{AppError, ErrorKind};
use crate::i18n::{Lang, Tr};
use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;
use axum::{Form, Router};
use diaban_domain::access::Action;
use diaban_domain::route::{RouteMode, in_force_during};
use diaban_store::routes::{self, RouteUnit};
use serde::Deserialize;
use serde_json::json;

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        // Access: ReadAreas; routes with a commune in scope.
        .route("/routes", get(list))
        // Access: DecideAreas; the route must touch the scope; audited.
        .route("/routes/new", get(new_form).post(create))
        // Access: GET = ReadAreas, POST (correct) = DecideAreas; audited.
        .route("/routes/{id}", get(detail).post(update))
}

fn mode_label(mode: &str, tr: Tr) -> &'static str {
    match mode.parse::<RouteMode>() {
        Ok(m) if tr.0 == Lang::Vi => m.label_vi(),
        Ok(m) => m.label_en(),
        Err(_) => "",
    }
}

fn crumbs(tr: Tr, last: Option<&str>) -> Vec<Crumb> {
    let mut c = vec![
        Crumb { label: tr.t("nav.home").into(), href: Some("/".into()) },
        Crumb { label: tr.t("areas.title").into(), href: Some("/areas".into()) },
    ];
    match last {
        None => c.push(Crumb { label: tr.t("routes.title").into(), href: None }),
        Some(l) => {
            c.push(Crumb { label: tr.t("routes.title").into(), href: Some("/routes".into()) });
            c.push(Crumb { label: l.to_owned(), href: None });
        }
    }
    c
}

pub struct RouteRow {
    pub id: i64,
    pub name: String,
    pub mode: &'static str,
    pub period: String,
    pub in_force: bool,
    pub communes: String,
}

#[derive(Template)]
#[template(path = "routes_list.html")]
struct ListPage {
    p: super::Page,
    rows: Vec<RouteRow>,
    map_json: String,
    can_decide: bool,
}

fn period(from: chrono::NaiveDate, to: Option<chrono::NaiveDate>, tr: Tr) -> String {
    match to {
        Some(t) => format!("{} – {}", tr.date(&from), tr.date(&t)),
        None => format!("{} {}", tr.t("routes.from"), tr.date(&from)),
    }
}

/// The map layer of a route's communes, joined in order.
fn route_layer(
    name: &str,
    members: &[RouteUnit],
    centres: &[(i64, f64, f64)],
    color: &str,
) -> serde_json::Value {
    let items: Vec<_> = members
        .iter()
        .filter_map(|m| centres.iter().find(|c| c.0 == m.unit_id).map(|c| (m, c)))
        .map(|(m, c)| json!({"lat": c.1, "lon": c.2, "label": format!("{} — {}", m.name, name), "color": color}))
        .collect();
    json!({"type": "points", "name": name, "items": items})
}

async fn centres(state: &AppState, members: &[RouteUnit]) -> Result<Vec<(i64, f64, f64)>, AppError> {
    let ids: Vec<i64> = members.iter().map(|m| m.unit_id).collect();
    let units = diaban_store::units::get_many(&state.db, &ids).await?;
    Ok(units.iter().filter_map(|u| Some((u.id, u.lat?, u.lon?))).collect())
}

const COLORS: [&str; 6] = ["#b3261e", "#1a4a85", "#1c6236", "#7f4200", "#553184", "#0f5962"];

async fn list(
    State(state): State<AppState>,
    who: Authorized<ReadAreas>,
    ctx: Ctx,
) -> Result<Response, AppError> {
    let tr = ctx.tr(Some(&who));
    let today = diaban_domain::time::today_in_vietnam();
    let found = routes::list(&state.db, who.scope()).await?;
    let mut rows = Vec::with_capacity(found.len());
    let mut layers = Vec::new();
    for (k, r) in found.iter().enumerate() {
        let members = routes::units_of(&state.db, r.id).await?;
        let c = centres(&state, &members).await?;
        layers.push(route_layer(&r.name, &members, &c, COLORS[k % COLORS.len()]));
        rows.push(RouteRow {
            id: r.id,
            name: r.name.clone(),
            mode: mode_label(&r.mode, tr),
            period: period(r.valid_from, r.valid_to, tr),
            in_force: in_force_during(r.valid_from, r.valid_to, today, today),
            communes: members.iter().map(|m| m.name.as_str()).collect::<Vec<_>>().join(" → "),
        });
    }
    let mut p = ctx.page(Some(&who), "routes.title", "areas").await;
    p.breadcrumbs = crumbs(tr, None);
    let page = ListPage {
        p,
        rows,
        map_json: json_block(&json!({"layers": layers})),
        can_decide: who.may(Action::DecideAreas),
    };
    render(ctx.flash_key.is_some(), &page)
}

/// The form as typed: the communes as one text.
#[derive(Debug, Clone, Default, Deserialize)]
struct RouteForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    mode: String,
    #[serde(default)]
    description: String,
    #[serde(default)]
    valid_from: String,
    #[serde(default)]
    valid_to: String,
    #[serde(default)]
    units: String,
}

impl RouteForm {
    fn input(&self) -> RouteInput {
        RouteInput {
            name: self.name.clone(),
            mode: self.mode.clone(),
            description: self.description.clone(),
            valid_from: self.valid_from.clone(),
            valid_to: self.valid_to.clone(),
            units: split_codes(&self.units),
        }
    }
}

pub struct ModeChoice {
    pub value: &'static str,
    pub label: &'static str,
    pub selected: bool,
}

#[derive(Template)]
#[template(path = "route_form.html")]
struct FormPage {
    p: super::Page,
    action: String,
    v: RouteForm,
    modes: Vec<ModeChoice>,
    errors: Vec<(&'static str, String)>,
    members: Vec<RouteUnit>,
    map_json: String,
    can_decide: bool,
}

impl FormPage {
    fn error(&self, field: &str) -> Option<&str> {
        self.errors.iter().find(|(f, _)| *f == field).map(|(_, m)| m.as_str())
    }
}

fn modes(selected: &str, tr: Tr) -> Vec<ModeChoice> {
    RouteMode::ALL
        .iter()
        .map(|m| ModeChoice {
            value: m.as_str(),
            label: if tr.0 == Lang::Vi { m.label_vi() } else { m.label_en() },
            selected: m.as_str() == selected,
        })
        .collect()
}

#[allow(clippy::too_many_arguments)]
async fn form_page(
    state: &AppState,
    who: &Identity,
    ctx: &Ctx,
    id: Option<i64>,
    v: RouteForm,
    errors: Vec<(&'static str, String)>,
    message: Option<String>,
) -> Result<Response, AppError> {
    let tr = ctx.tr(Some(who));
    let members = match id {
        Some(id) => routes::units_of(&state.db, id).await?,
        None => vec![],
    };
    let c = centres(state, &members).await?;
    let map = json!({"layers": [route_layer(&v.name, &members, &c, COLORS[0])]});
    let title = if id.is_some() { "routes.detail" } else { "routes.new" };
    let mut p = ctx.page(Some(who), title, "areas").await;
    if id.is_some() {
        p.title = v.name.clone();
    }
    p.breadcrumbs = crumbs(tr, Some(&p.title.clone()));
    let failed = message.is_some() || !errors.is_empty();
    if let Some(m) = message {
        p.flash = Some(Flash { kind: "error", text: m });
    }
    let page = FormPage {
        p,
        action: id.map(|i| format!("/routes/{i}")).unwrap_or_else(|| "/routes/new".into()),
        modes: modes(&v.mode, tr),
        v,
        errors,
        members,
        map_json: json_block(&map),
        can_decide: who.may(Action::DecideAreas),
    };
    let mut r = render(ctx.flash_key.is_some() && !failed, &page)?;
    if failed {
        *r.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    }
    Ok(r)
}

async fn new_form(
    State(state): State<AppState>,
    who: Authorized<DecideAreas>,
    ctx: Ctx,
) -> Result<Response, AppError> {
    let v = RouteForm { mode: "road".into(), ..Default::default() };
    form_page(&state, &who, &ctx, None, v, vec![], None).await
}

async fn detail(
    State(state): State<AppState>,
    who: Authorized<ReadAreas>,
    ctx: Ctx,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    let r =
        routes::get(&state.db, id, who.scope()).await?.ok_or_else(|| AppError::not_found("no such route"))?;
    let members = routes::units_of(&state.db, id).await?;
    let v = RouteForm {
        name: r.name,
        mode: r.mode,
        description: r.description,
        valid_from: r.valid_from.to_string(),
        valid_to: r.valid_to.map(|d| d.to_string()).unwrap_or_default(),
        units: members.iter().map(|m| m.code.as_str()).collect::<Vec<_>>().join(" "),
    };
    form_page(&state, &who, &ctx, Some(id), v, vec![], None).await
}

async fn save(
    state: &AppState,
    who: &Identity,
    ctx: &Ctx,
    id: Option<i64>,
    v: RouteForm,
) -> Result<Response, AppError> {
    let tr = ctx.tr(Some(who));
    let r = match input::new_route(state, &v.input(), tr).await? {
        Ok(r) => r,
        Err(errors) => return form_page(state, who, ctx, id, v, errors, None).await,
    };
    if !touches_scope(state, who, &r.unit_ids).await? {
        let m = tr.t("areas.route_outside_scope").to_owned();
        return form_page(state, who, ctx, id, v, vec![("units", m)], None).await;
    }
    let result = match id {
        None => {
            routes::create(&state.db, &r, Some(who.user.id), Some(who.audit("route.create", "route", "")))
                .await
        }
        Some(id) => {
            routes::update(&state.db, id, who.scope(), &r, Some(who.audit("route.update", "route", id)))
                .await
                .map(|_| id)
        }
    };
    match result.map_err(AppError::from) {
        Ok(id) => Ok(redirect_with_flash(&format!("/routes/{id}"), "routes.saved")),
        Err(e) if e.kind == ErrorKind::Unprocessable => {
            form_page(state, who, ctx, id, v, vec![], Some(e.message)).await
        }
        Err(e) => Err(e),
    }
}

async fn create(
    State(state): State<AppState>,
    who: Authorized<DecideAreas>,
    ctx: Ctx,
    Form(v): Form<RouteForm>,
) -> Result<Response, AppError> {
    save(&state, &who, &ctx, None, v).await
}

async fn update(
    State(state): State<AppState>,
    who: Authorized<DecideAreas>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(v): Form<RouteForm>,
) -> Result<Response, AppError> {
    if routes::get(&state.db, id, who.scope()).await?.is_none() {
        return Err(AppError::not_found("no such route"));
    }
    save(&state, &who, &ctx, Some(id), v).await
}

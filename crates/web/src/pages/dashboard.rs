//! Tổng quan: the overview of the user's scope — its communes on a map, population, and
//! the number of persons with management records (an aggregate). Later work areas add
//! their indicators here.

use super::{Ctx, json_block, render};
use crate::AppState;
use crate::auth::Identity;
use crate::error::AppError;
use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::response::IntoResponse;
use axum::response::Response;
use axum::routing::get;
use diaban_domain::access::Action;
use diaban_store::persons::Scope;
use diaban_store::{persons, population, units};
use serde_json::json;

pub(crate) fn routes() -> Router<AppState> {
    // Access: every role with ViewAggregates (all but auditor), within its scope.
    Router::new().route("/", get(dashboard))
}

#[derive(Template)]
#[template(path = "dashboard.html")]
struct DashboardPage {
    p: super::Page,
    scope_name: String,
    communes: i64,
    legacy_units: i64,
    population: i64,
    population_year: i64,
    persons: i64,
    map_json: String,
    chart_json: String,
}

async fn dashboard(State(state): State<AppState>, who: Identity, ctx: Ctx) -> Result<Response, AppError> {
    // "/" is where sign-in lands: a role without aggregates (the auditor) goes to the
    // first page it may open instead of a refusal.
    if !who.may(Action::ViewAggregates) {
        let to = if who.may(Action::ReadAudit) { "/audit" } else { "/account" };
        return Ok(axum::response::Redirect::to(to).into_response());
    }
    let communes = match who.scope() {
        Scope::Province(p) => units::children(&state.db, p).await?,
        Scope::Commune(c) => vec![units::get(&state.db, c).await?],
    };
    let mut legacy_filter = units::UnitFilter {
        generation: Some("legacy".into()),
        level: Some(diaban_domain::UnitLevel::Commune),
        limit: 0,
        ..Default::default()
    };
    match who.scope() {
        Scope::Province(p) => legacy_filter.scope_province_id = Some(p),
        Scope::Commune(c) => legacy_filter.scope_commune_id = Some(c),
    }
    let (_, legacy_units) = state.search_units(&legacy_filter).await?;
    let ids: Vec<i64> = communes.iter().map(|c| c.id).collect();
    let pops = population::latest_for(&state.db, &ids).await?;
    let population: i64 = pops.values().map(|(_, p)| p).sum();
    let population_year = pops.values().map(|(y, _)| *y).max().unwrap_or(0);
    let persons = persons::count_in_scope(&state.db, who.scope()).await?;
    let tr = ctx.tr(Some(&who));
    let circles: Vec<_> = communes
        .iter()
        .filter_map(|c| {
            Some(json!({
                "lat": c.lat?, "lon": c.lon?,
                "value": pops.get(&c.id).map_or(0, |(_, p)| *p),
                "label": c.name,
                "href": format!("/units/{}", c.code),
            }))
        })
        .collect();
    let bounds = match (who.scope(), communes.first().and_then(|c| Some((c.lat?, c.lon?)))) {
        (Scope::Commune(_), Some((lat, lon))) => json!([[lat - 0.08, lon - 0.1], [lat + 0.08, lon + 0.1]]),
        _ => serde_json::Value::Null,
    };
    let map = json!({"bounds": bounds, "layers": [{"type": "circles", "name": tr.t("dash.population"), "scale": "size", "items": circles}]});
    let mut ranked: Vec<_> =
        communes.iter().map(|c| (c.name.clone(), pops.get(&c.id).map_or(0, |(_, p)| *p))).collect();
    ranked.sort_by_key(|r| std::cmp::Reverse(r.1));
    ranked.truncate(10);
    let chart = json!({
        "kind": "bar",
        "labels": ranked.iter().map(|r| r.0.clone()).collect::<Vec<_>>(),
        "series": [{"name": tr.t("dash.population"), "values": ranked.iter().map(|r| r.1).collect::<Vec<_>>()}],
        "y_label": tr.t("dash.population"),
        "x_label": tr.t("dash.communes"),
    });
    let p = ctx.page(Some(&who), "dash.title", "dashboard").await;
    let page = DashboardPage {
        p,
        scope_name: who.unit.name.clone(),
        communes: communes.len() as i64,
        legacy_units,
        population,
        population_year,
        persons,
        map_json: json_block(&map),
        chart_json: json_block(&chart),
    };
    render(ctx.flash_key.is_some(), &page)
}

//! The unit browser: provinces → communes, search (accents and case ignored), and a
//! unit's page with its population and lineage ("formerly: …"). Reference data.

use super::{Crumb, Ctx, json_block, render};
use crate::AppState;
use crate::auth::{Authorized, actions::BrowseUnits};
use crate::error::AppError;
use askama::Template;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use axum::routing::get;
use chrono::NaiveDate;
use diaban_domain::time::today_in_vietnam;
use diaban_store::population;
use diaban_store::units::{self, LineageLink, Unit, UnitFilter, UnitOrder};
use serde::Deserialize;
use serde_json::json;

pub(crate) fn routes() -> Router<AppState> {
    // Access: every role with BrowseUnits (all but auditor).
    Router::new().route("/units", get(list)).route("/units/{code}", get(detail))
}

/// A row of the units table.
pub struct Row {
    pub code: String,
    pub name: String,
    pub unit_type: String,
    pub legacy: bool,
    pub valid: String,
    pub area: String,
}

fn row(u: &Unit, tr: &crate::i18n::Tr) -> Row {
    let valid = match (u.valid_from, u.valid_to) {
        (Some(f), None) => format!("{} {}", tr.t("units.valid_from"), tr.date(&f)),
        (None, Some(t)) => format!("{} {}", tr.t("units.valid_to"), tr.date(&t)),
        _ => String::new(),
    };
    Row {
        code: u.code.clone(),
        name: u.name.clone(),
        unit_type: u.unit_type.clone(),
        legacy: u.is_legacy(),
        valid,
        area: u.area_km2.map(|a| tr.dec(a, 2)).unwrap_or_default(),
    }
}

/// A sortable column header.
pub struct SortLink {
    pub label: &'static str,
    pub href: String,
    pub aria: &'static str,
    pub numeric: bool,
}

#[derive(Template)]
#[template(path = "units_list.html")]
struct ListPage {
    p: super::Page,
    headers: Vec<SortLink>,
    q: String,
    rows: Vec<Row>,
    total: i64,
    searching: bool,
}

#[derive(Deserialize)]
struct ListParams {
    q: Option<String>,
    sort: Option<String>,
    dir: Option<String>,
}

async fn list(
    State(state): State<AppState>,
    who: Authorized<BrowseUnits>,
    ctx: Ctx,
    Query(params): Query<ListParams>,
) -> Result<Response, AppError> {
    let tr = ctx.tr(Some(&who));
    let q: String = params.q.unwrap_or_default().trim().chars().take(100).collect();
    let sort = params.sort.as_deref().unwrap_or("code");
    let order = match sort {
        "name" => UnitOrder::Name,
        "area" => UnitOrder::Area,
        _ => UnitOrder::Code,
    };
    let desc = params.dir.as_deref() == Some("desc");
    let mut filter = if q.is_empty() {
        UnitFilter {
            level: Some(diaban_domain::UnitLevel::Province),
            as_of: Some(today_in_vietnam()),
            limit: 100,
            ..Default::default()
        }
    } else {
        // A search covers current and legacy units, so an old name still finds its unit.
        UnitFilter { q: Some(q.clone()), limit: 100, ..Default::default() }
    };
    filter.order = order;
    filter.desc = desc;
    let enc = |s: &str| serde_urlencoded::to_string([("q", s)]).unwrap_or_default();
    let headers = [
        ("code", "units.code", UnitOrder::Code, false),
        ("name", "units.name", UnitOrder::Name, false),
        ("area", "units.area", UnitOrder::Area, true),
    ]
    .into_iter()
    .map(|(key, label, o, numeric)| {
        let active = o == order;
        let next_dir = if active && !desc { "desc" } else { "asc" };
        SortLink {
            label,
            href: format!("/units?{}&sort={key}&dir={next_dir}", enc(&q)),
            aria: if !active {
                ""
            } else if desc {
                "descending"
            } else {
                "ascending"
            },
            numeric,
        }
    })
    .collect();
    let (found, total) = state.search_units(&filter).await?;
    let mut p = ctx.page(Some(&who), "units.title", "units").await;
    p.breadcrumbs = vec![
        Crumb { label: tr.t("nav.home").into(), href: Some("/".into()) },
        Crumb { label: tr.t("units.title").into(), href: None },
    ];
    let rows = found.iter().map(|u| row(u, &tr)).collect();
    render(ctx.flash_key.is_some(), &ListPage { p, headers, searching: !q.is_empty(), q, rows, total })
}

/// A lineage entry for the page.
pub struct Link {
    pub code: String,
    pub name: String,
    pub as_of: String,
    pub kind: String,
}

#[derive(Template)]
#[template(path = "unit_detail.html")]
struct DetailPage {
    p: super::Page,
    unit: Row,
    parent: Option<(String, String)>,
    children: Vec<Row>,
    predecessors: Vec<Link>,
    successors: Vec<Link>,
    population: Vec<(i64, String)>,
    map_json: String,
}

#[derive(Deserialize)]
struct DetailParams {
    as_of: Option<String>,
}

fn links(v: Vec<LineageLink>, tr: &crate::i18n::Tr) -> Vec<Link> {
    v.into_iter()
        .map(|l| Link {
            as_of: l
                .unit
                .valid_to
                .or(l.unit.valid_from)
                .map(|d| d.format("%Y-%m-%d").to_string())
                .unwrap_or_default(),
            kind: match l.kind.as_deref() {
                Some("split") => tr.t("units.split").to_owned(),
                Some(_) => tr.t("units.whole").to_owned(),
                None => String::new(),
            },
            code: l.unit.code,
            name: l.unit.name,
        })
        .collect()
}

async fn detail(
    State(state): State<AppState>,
    who: Authorized<BrowseUnits>,
    ctx: Ctx,
    Path(code): Path<String>,
    Query(params): Query<DetailParams>,
) -> Result<Response, AppError> {
    if !diaban_domain::unit::is_valid_unit_code(&code) {
        return Err(AppError::not_found("no such unit"));
    }
    let as_of = params
        .as_of
        .as_deref()
        .and_then(|s| NaiveDate::parse_from_str(s, "%Y-%m-%d").ok())
        .unwrap_or_else(today_in_vietnam);
    let unit = units::by_code(&state.db, &code, None, as_of)
        .await?
        .ok_or_else(|| AppError::not_found("no such unit"))?;
    let tr = ctx.tr(Some(&who));
    let parent = match unit.parent_id {
        Some(id) => Some(units::get(&state.db, id).await?),
        None => None,
    };
    let children = units::children(&state.db, unit.id).await?;
    let predecessors = links(units::predecessors(&state.db, &unit).await?, &tr);
    let successors = links(units::successors(&state.db, &unit).await?, &tr);
    let population = population::for_unit(&state.db, unit.id)
        .await?
        .into_iter()
        .map(|p| (p.year, tr.num(p.population)))
        .collect();
    let points: Vec<_> = std::iter::once(&unit)
        .chain(children.iter())
        .filter_map(|u| {
            Some(json!({"lat": u.lat?, "lon": u.lon?, "label": u.name, "href": format!("/units/{}", u.code)}))
        })
        .collect();
    // A unit without children would be drawn at street zoom around one dot: frame it.
    let bounds = match (children.is_empty(), unit.lat, unit.lon) {
        (true, Some(lat), Some(lon)) => json!([[lat - 0.08, lon - 0.1], [lat + 0.08, lon + 0.1]]),
        _ => serde_json::Value::Null,
    };
    let map = json!({"bounds": bounds, "layers": [{"type": "points", "name": unit.name, "items": points}]});
    let mut p = ctx.page(Some(&who), "units.title", "units").await;
    p.title = unit.name.clone();
    p.breadcrumbs = vec![
        Crumb { label: tr.t("nav.home").into(), href: Some("/".into()) },
        Crumb { label: tr.t("units.title").into(), href: Some("/units".into()) },
    ];
    if let Some(par) = &parent {
        let as_of = if par.is_legacy() { "?as_of=2025-06-30" } else { "" };
        p.breadcrumbs
            .push(Crumb { label: par.name.clone(), href: Some(format!("/units/{}{as_of}", par.code)) });
    }
    p.breadcrumbs.push(Crumb { label: unit.name.clone(), href: None });
    let page = DetailPage {
        p,
        unit: row(&unit, &tr),
        parent: parent.map(|u| (u.code, u.name)),
        children: children.iter().map(|u| row(u, &tr)).collect(),
        predecessors,
        successors,
        population,
        map_json: json_block(&map),
    };
    render(ctx.flash_key.is_some(), &page)
}

//! Phân loại địa bàn: the province view of a statistical year (table, map coloured by
//! class, counts per class and the change from the year before) and a commune's page
//! (every input with its source, the per-criterion explanation, the version and
//! thresholds applied, the form for the manual inputs). Rules: `crate::api::classifications`.

use super::{Crumb, Ctx, json_block, redirect_with_flash, render};
use crate::AppState;
use crate::api::classifications::{
    change, commune_in_scope, detail_of, parse_value, parse_year, recompute_all, save_and_recompute,
    year_table,
};
use crate::auth::actions::{ReadSites, WriteSites};
use crate::auth::{Authorized, Identity};
use crate::error::AppError;
use crate::i18n::{Lang, Tr};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post};
use axum::{Form, Router};
use diaban_domain::access::Action;
use diaban_domain::classification::{CommuneClass, CriteriaVersion, input_label_en, input_label_vi};
use diaban_store::classification::{FIELDS, InputSource, REGISTRY_FIELDS};
use serde::Deserialize;
use serde_json::json;
use std::collections::HashMap;

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        // Access: ReadSites; the communes in scope.
        .route("/classification", get(province))
        // Access: WriteSites; every commune in scope; audited.
        .route("/classification/compute", post(compute))
        // Access: GET = ReadSites, POST = WriteSites; the commune must be in scope (404);
        // saving the inputs recomputes the commune; both audited.
        .route("/classification/{unit_code}/{year}", get(commune).post(save))
}

fn class_label(c: CommuneClass, tr: Tr) -> &'static str {
    if tr.0 == Lang::Vi { c.label_vi() } else { c.label_en() }
}

fn version_label(v: CriteriaVersion, tr: Tr) -> &'static str {
    if tr.0 == Lang::Vi { v.label_vi() } else { v.label_en() }
}

fn input_label(field: &str, tr: Tr) -> String {
    let l = if tr.0 == Lang::Vi { input_label_vi(field) } else { input_label_en(field) };
    let l = l.unwrap_or(field);
    let mut c = l.chars();
    c.next().map(|f| f.to_uppercase().chain(c).collect()).unwrap_or_default()
}

fn class_color(c: Option<CommuneClass>) -> &'static str {
    match c {
        Some(CommuneClass::Type1) => "#b71c1c",
        Some(CommuneClass::Type2) => "#e65100",
        Some(CommuneClass::Type3) => "#f9a825",
        Some(CommuneClass::HasDrugs) => "#8d6e63",
        Some(CommuneClass::DrugFree) => "#2e7d32",
        Some(CommuneClass::NotClassifiable) => "#616161",
        None => "#bdbdbd",
    }
}

/// The CSS class of a class's colour dot (the page's CSP allows no inline style).
fn class_key(c: Option<CommuneClass>) -> &'static str {
    match c {
        Some(CommuneClass::Type1) => "type1",
        Some(CommuneClass::Type2) => "type2",
        Some(CommuneClass::Type3) => "type3",
        Some(CommuneClass::HasDrugs) => "has-drugs",
        Some(CommuneClass::DrugFree) => "drug-free",
        Some(CommuneClass::NotClassifiable) => "not-classifiable",
        None => "none",
    }
}

fn change_label(c: &str, tr: Tr) -> &'static str {
    match c {
        "worse" => tr.t("classification.change_worse"),
        "better" => tr.t("classification.change_better"),
        "same" => tr.t("classification.change_same"),
        _ => "",
    }
}

/// A row of the province table.
pub struct Row {
    code: String,
    name: String,
    class: String,
    before: String,
    change: &'static str,
    change_kind: &'static str,
}

/// A count per class, this year and last.
pub struct CountRow {
    key: &'static str,
    label: String,
    now: usize,
    before: usize,
}

#[derive(Template)]
#[template(path = "classification.html")]
struct ProvincePage {
    p: super::Page,
    year: i32,
    years: Vec<i32>,
    version: &'static str,
    rows: Vec<Row>,
    counts: Vec<CountRow>,
    map_json: String,
    can_write: bool,
}

#[derive(Deserialize)]
struct YearQuery {
    year: Option<String>,
}

fn this_year() -> i32 {
    diaban_domain::time::today_in_vietnam().format("%Y").to_string().parse().unwrap_or(2026)
}

async fn province(
    State(state): State<AppState>,
    who: Authorized<ReadSites>,
    ctx: Ctx,
    Query(q): Query<YearQuery>,
) -> Result<Response, AppError> {
    let tr = ctx.tr(Some(&who));
    let year = parse_year("year", q.year.as_deref())?;
    let table = year_table(&state, &who, year, None).await?;
    let mut items = Vec::new();
    let mut now_counts: HashMap<Option<CommuneClass>, usize> = HashMap::new();
    let mut before_counts: HashMap<Option<CommuneClass>, usize> = HashMap::new();
    let rows = table
        .iter()
        .map(|r| {
            let class = r.now.as_ref().map(|n| n.class);
            *now_counts.entry(class).or_default() += 1;
            *before_counts.entry(r.before).or_default() += 1;
            let label = class.map_or(tr.t("classification.not_computed"), |c| class_label(c, tr));
            if let (Some(lat), Some(lon)) = (r.commune.lat, r.commune.lon) {
                items.push(json!({"lat": lat, "lon": lon, "label": format!("{} — {label}", r.commune.name),
                                  "href": format!("/classification/{}/{year}", r.commune.code),
                                  "color": class_color(class)}));
            }
            let ch = change(class, r.before);
            Row {
                code: r.commune.code.clone(),
                name: r.commune.name.clone(),
                class: label.to_owned(),
                before: r.before.map_or(String::new(), |c| class_label(c, tr).to_owned()),
                change: change_label(ch, tr),
                change_kind: ch,
            }
        })
        .collect();
    let classes: Vec<Option<CommuneClass>> =
        CommuneClass::ALL.iter().map(|c| Some(*c)).chain(std::iter::once(None)).collect();
    let legend: Vec<_> = classes
        .iter()
        .map(|c| json!({"color": class_color(*c), "label": c.map_or(tr.t("classification.not_computed"), |c| class_label(c, tr))}))
        .collect();
    let counts = classes
        .iter()
        .map(|c| CountRow {
            key: class_key(*c),
            label: c.map_or(tr.t("classification.not_computed"), |c| class_label(c, tr)).to_owned(),
            now: now_counts.get(c).copied().unwrap_or(0),
            before: before_counts.get(c).copied().unwrap_or(0),
        })
        .collect();
    let map = json!({"layers": [{"type": "points", "name": tr.t("classification.title"), "legend": legend, "items": items}]});
    let mut p = ctx.page(Some(&who), "classification.title", "classification").await;
    p.breadcrumbs = vec![
        Crumb { label: tr.t("nav.home").into(), href: Some("/".into()) },
        Crumb { label: tr.t("classification.title").into(), href: None },
    ];
    let page = ProvincePage {
        p,
        year,
        years: (2015..=this_year() + 1).rev().collect(),
        version: version_label(CriteriaVersion::for_year(year), tr),
        rows,
        counts,
        map_json: json_block(&map),
        can_write: who.may(Action::WriteSites),
    };
    render(ctx.flash_key.is_some(), &page)
}

#[derive(Deserialize)]
struct ComputeForm {
    #[serde(default)]
    year: String,
}

async fn compute(
    State(state): State<AppState>,
    who: Authorized<WriteSites>,
    Form(f): Form<ComputeForm>,
) -> Result<Response, AppError> {
    let year = parse_year("year", Some(&f.year))?;
    recompute_all(&state, &who, year).await?;
    let to = format!("/classification?year={year}");
    Ok(redirect_with_flash(&to, "classification.computed"))
}

/// An input for templates.
pub struct InputRow {
    field: &'static str,
    label: String,
    value: String,
    source: &'static str,
    source_label: String,
    /// The manual value, as the form shows it.
    manual: String,
    registry_note: String,
    is_route: bool,
}

/// A criterion for templates.
pub struct CriterionRow {
    id: String,
    band: String,
    outcome: &'static str,
    outcome_label: &'static str,
    value: String,
    threshold: String,
    confirmed: bool,
    explanation: String,
}

#[derive(Template)]
#[template(path = "classification_detail.html")]
struct CommunePage {
    p: super::Page,
    code: String,
    year: i32,
    version: &'static str,
    inputs: Vec<InputRow>,
    class: Option<String>,
    class_key: &'static str,
    result_version: String,
    thresholds_from: String,
    computed: String,
    criteria: Vec<CriterionRow>,
    missing: Vec<String>,
    stale: bool,
    can_write: bool,
    problems: Vec<String>,
}

fn fmt_value(field: &str, v: Option<f64>, tr: Tr) -> String {
    match v {
        None => String::new(),
        Some(x) if field == "on_key_route" => {
            (if x != 0.0 { tr.t("common.yes") } else { tr.t("common.no") }).to_owned()
        }
        Some(x) if field == "drug_plants_area_m2" => tr.dec(x, 1),
        Some(x) => tr.num(x.round() as i64),
    }
}

async fn commune_page(
    state: &AppState,
    who: &Identity,
    ctx: &Ctx,
    code: &str,
    year: i32,
    problems: Vec<String>,
    typed: Option<&HashMap<String, String>>,
) -> Result<Response, AppError> {
    let tr = ctx.tr(Some(who));
    let c = commune_in_scope(state, who, "unit_code", code).await?;
    let (inputs, result) = detail_of(state, who, &c, year).await?;
    let stale = result.as_ref().is_some_and(|r| {
        r.inputs.iter().map(|i| (&i.field, i.value)).collect::<Vec<_>>()
            != inputs.iter().map(|i| (&i.field, i.value)).collect::<Vec<_>>()
    });
    let rows = inputs
        .iter()
        .filter_map(|i| {
            let field = FIELDS.iter().find(|f| **f == i.field)?;
            let manual = match (typed, i.source) {
                (Some(t), _) => t.get(*field).cloned().unwrap_or_default(),
                (None, InputSource::Manual) => match i.value {
                    Some(x) if *field == "on_key_route" => {
                        (if x != 0.0 { "true" } else { "false" }).to_owned()
                    }
                    Some(x) => x.to_string(),
                    None => String::new(),
                },
                _ => String::new(),
            };
            let source_label = match i.source {
                InputSource::Manual => {
                    // Who and when, whichever is known ("cli" or a demo leave no name).
                    let who_when: Vec<String> = i
                        .entered_by
                        .clone()
                        .filter(|b| !b.is_empty())
                        .into_iter()
                        .chain(i.entered_at.map(|t| tr.datetime(&t)))
                        .collect();
                    if who_when.is_empty() {
                        tr.t("classification.source_manual").to_owned()
                    } else {
                        format!("{} ({})", tr.t("classification.source_manual"), who_when.join(", "))
                    }
                }
                InputSource::Registry => {
                    let key = match *field {
                        "population" => "classification.registry_population",
                        "persons_with_records" => "classification.registry_persons",
                        "clusters" => "classification.registry_clusters",
                        _ => "classification.registry_sites",
                    };
                    tr.t(key).to_owned()
                }
                InputSource::Missing => tr.t("classification.source_missing").to_owned(),
            };
            let registry_note = match (i.source, i.registry_value) {
                (InputSource::Manual, Some(r)) => {
                    format!("{}: {}", tr.t("classification.registry_says"), fmt_value(field, Some(r), tr))
                }
                (_, None) if !REGISTRY_FIELDS.contains(field) => {
                    tr.t("classification.manual_only").to_owned()
                }
                _ => String::new(),
            };
            Some(InputRow {
                field,
                label: input_label(field, tr),
                value: fmt_value(field, i.value, tr),
                source: i.source.as_str(),
                source_label,
                manual,
                registry_note,
                is_route: *field == "on_key_route",
            })
        })
        .collect();
    let criteria = result
        .as_ref()
        .map(|r| {
            r.explanation
                .criteria
                .iter()
                .map(|c| {
                    let (outcome, key) = match c.met {
                        Some(true) => ("met", "classification.met"),
                        Some(false) => ("not-met", "classification.not_met"),
                        None => ("undecided", "classification.undecided"),
                    };
                    let band = c.band.parse::<diaban_domain::classification::Band>().ok();
                    CriterionRow {
                        id: c.id.clone(),
                        band: band
                            .map(|b| if tr.0 == Lang::Vi { b.label_vi() } else { b.label_en() })
                            .unwrap_or("")
                            .to_owned(),
                        outcome,
                        outcome_label: tr.t(key),
                        value: c.value.clone(),
                        threshold: c.threshold.clone(),
                        confirmed: c.confirmed,
                        explanation: if tr.0 == Lang::Vi {
                            c.explanation_vi.clone()
                        } else {
                            c.explanation_en.clone()
                        },
                    }
                })
                .collect()
        })
        .unwrap_or_default();
    let mut p = ctx.page(Some(who), "classification.title", "classification").await;
    p.title = format!("{} — {year}", c.name);
    p.breadcrumbs = vec![
        Crumb { label: tr.t("nav.home").into(), href: Some("/".into()) },
        Crumb {
            label: tr.t("classification.title").into(),
            href: Some(format!("/classification?year={year}")),
        },
        Crumb { label: c.name.clone(), href: None },
    ];
    let failed = !problems.is_empty();
    let page = CommunePage {
        p,
        code: c.code.clone(),
        year,
        version: version_label(CriteriaVersion::for_year(year), tr),
        inputs: rows,
        class: result.as_ref().map(|r| class_label(r.class, tr).to_owned()),
        class_key: class_key(result.as_ref().map(|r| r.class)),
        result_version: result.as_ref().map(|r| version_label(r.version, tr).to_owned()).unwrap_or_default(),
        thresholds_from: result
            .as_ref()
            .map(|r| {
                r.thresholds_from
                    .map_or(tr.t("classification.thresholds_default").to_owned(), |d| tr.date(&d))
            })
            .unwrap_or_default(),
        computed: result
            .as_ref()
            .map(|r| match r.computed_by.as_deref().filter(|b| !b.is_empty()) {
                Some(by) => format!("{}, {by}", tr.datetime(&r.computed_at)),
                None => tr.datetime(&r.computed_at),
            })
            .unwrap_or_default(),
        missing: result
            .as_ref()
            .map(|r| r.explanation.missing_inputs.iter().map(|f| input_label(f, tr)).collect())
            .unwrap_or_default(),
        criteria,
        stale,
        can_write: who.may(Action::WriteSites),
        problems,
    };
    let mut r = render(ctx.flash_key.is_some(), &page)?;
    if failed {
        *r.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    }
    Ok(r)
}

async fn commune(
    State(state): State<AppState>,
    who: Authorized<ReadSites>,
    ctx: Ctx,
    Path((code, year)): Path<(String, String)>,
) -> Result<Response, AppError> {
    let year = parse_year("year", Some(&year))?;
    commune_page(&state, &who, &ctx, &code, year, Vec::new(), None).await
}

async fn save(
    State(state): State<AppState>,
    who: Authorized<WriteSites>,
    ctx: Ctx,
    Path((code, year)): Path<(String, String)>,
    Form(form): Form<HashMap<String, String>>,
) -> Result<Response, AppError> {
    let year = parse_year("year", Some(&year))?;
    let c = commune_in_scope(&state, &who, "unit_code", &code).await?;
    let tr = ctx.tr(Some(&who));
    let mut values = Vec::new();
    let mut problems = Vec::new();
    // Every field of the form is sent: empty clears the manual value.
    for f in FIELDS {
        let raw = form.get(f).cloned().unwrap_or_default();
        match parse_value(f, &serde_json::Value::String(raw)) {
            Ok(v) => values.push((f, v)),
            Err(e) => problems.push(format!("{}: {e}", input_label(f, tr))),
        }
    }
    if !problems.is_empty() {
        return commune_page(&state, &who, &ctx, &code, year, problems, Some(&form)).await;
    }
    save_and_recompute(&state, &who, &c, year, &values).await?;
    Ok(redirect_with_flash(&format!("/classification/{}/{year}", c.code), "classification.saved"))
}

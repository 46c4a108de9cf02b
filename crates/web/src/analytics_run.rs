//! A run of the analytics on the incidents in the caller's scope, shared by the
//! Analytics page and `/api/v1/analytics/*`: the parameters as typed (bounded, so one
//! request cannot take the server down), the incidents loaded through the scoped store
//! query, EHSA, the density surface, PAI with the registered sites as a fourth method, and
//! the signals fed back to the registries (ANALYTICS.md §4). The statistics are the
//! `diaban-analytics` crate's, untouched; this module only wires and bounds them.

use crate::AppState;
use crate::auth::Identity;
use crate::error::AppError;
use chrono::{Datelike, Months, NaiveDate};
use diaban_analytics::kde::{DensityCell, Kde};
use diaban_analytics::pai::{Pai, PaiMethod, PaiReport, prediction_accuracy_index};
use diaban_analytics::{
    Category, Date, Ehsa, EhsaReport, Incident, cell_area_km2, cell_at, cell_boundary, cell_hex,
};
use diaban_domain::analytics_signal::SignalKind;
use diaban_domain::area::AreaState;
use diaban_domain::incident::raises_reformation_alert;
use diaban_domain::site::{SiteState, haversine_m};
use diaban_store::analytics_signals::NewSignal;
use diaban_store::areas::{self, AreaFilter};
use diaban_store::incidents::{self, IncidentFilter};
use diaban_store::sites::{self, SiteFilter};
use serde::Deserialize;
use serde_json::{Value, json};
use std::collections::{BTreeMap, HashMap, HashSet};

/// The longest analysed period, in calendar months (five years of monthly steps).
pub const MAX_MONTHS: u32 = 60;
/// The most incidents one run reads.
pub const MAX_INCIDENTS: usize = 200_000;
/// The most density cells one answer carries (the map draws each one).
pub const MAX_DENSITY_CELLS: usize = 30_000;
/// Resolutions offered: 7 (≈ 5 km² cells) to 9 (≈ 0.1 km²). Finer ones make cells
/// smaller than the precision of most recorded coordinates; coarser ones a whole commune.
pub const RESOLUTIONS: std::ops::RangeInclusive<u8> = 7..=9;

/// The parameters as typed in a query string or a form; every field optional.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct RunQuery {
    pub from: Option<String>,
    pub to: Option<String>,
    pub res: Option<String>,
    pub k: Option<String>,
    pub step: Option<String>,
    pub alpha: Option<String>,
    pub fdr: Option<String>,
    pub bandwidth: Option<String>,
    pub test_from: Option<String>,
    pub test_to: Option<String>,
}

/// A parameter that cannot be used: which one, and why in both languages.
#[derive(Debug, Clone, PartialEq)]
pub struct ParamError {
    pub param: &'static str,
    pub en: String,
    pub vi: String,
}

impl ParamError {
    fn new(param: &'static str, en: impl Into<String>, vi: impl Into<String>) -> Self {
        Self { param, en: en.into(), vi: vi.into() }
    }
}

impl From<ParamError> for AppError {
    fn from(e: ParamError) -> Self {
        AppError::bad_param(e.param, e.en)
    }
}

/// Validated parameters of a run.
#[derive(Debug, Clone, PartialEq)]
pub struct RunParams {
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub res: u8,
    pub k: u32,
    pub step: u32,
    pub alpha: f64,
    pub fdr: bool,
    pub bandwidth: f64,
    /// The test period of PAI, after `to`.
    pub test: Option<(NaiveDate, NaiveDate)>,
}

fn text(v: &Option<String>) -> Option<&str> {
    v.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

fn date(name: &'static str, v: &Option<String>) -> Result<Option<NaiveDate>, ParamError> {
    text(v)
        .map(|s| {
            NaiveDate::parse_from_str(s, "%Y-%m-%d").map_err(|_| {
                ParamError::new(
                    name,
                    format!("'{s}' is not a date of the form YYYY-MM-DD"),
                    format!("'{s}' không phải ngày dạng YYYY-MM-DD"),
                )
            })
        })
        .transpose()
}

fn whole(name: &'static str, v: &Option<String>, default: u32, lo: u32, hi: u32) -> Result<u32, ParamError> {
    match text(v) {
        None => Ok(default),
        Some(s) => match s.parse::<u32>() {
            Ok(n) if (lo..=hi).contains(&n) => Ok(n),
            _ => Err(ParamError::new(
                name,
                format!("expected a whole number from {lo} to {hi}, not '{s}'"),
                format!("phải là số nguyên từ {lo} đến {hi}, không phải '{s}'"),
            )),
        },
    }
}

/// Calendar months from the month of `a` to that of `b`, both included.
pub fn months_spanned(a: NaiveDate, b: NaiveDate) -> i64 {
    i64::from(b.year() - a.year()) * 12 + i64::from(b.month()) - i64::from(a.month()) + 1
}

/// The first day of the month `back` months before the month of `d`.
fn month_start_before(d: NaiveDate, back: u32) -> NaiveDate {
    let first = d.with_day(1).unwrap_or(d);
    first.checked_sub_months(Months::new(back)).unwrap_or(first)
}

impl RunQuery {
    /// Checks every parameter against the bounds; `today` gives the default period (the
    /// 24 calendar months up to today).
    pub fn parse(&self, today: NaiveDate) -> Result<RunParams, ParamError> {
        let to = date("to", &self.to)?.unwrap_or(today);
        let from = date("from", &self.from)?.unwrap_or_else(|| month_start_before(to, 23));
        if from > to {
            return Err(ParamError::new(
                "from",
                "the period starts after it ends",
                "Kỳ phân tích bắt đầu sau ngày kết thúc",
            ));
        }
        if months_spanned(from, to) > i64::from(MAX_MONTHS) {
            return Err(ParamError::new(
                "to",
                format!("the period covers more than {MAX_MONTHS} months; choose a shorter one"),
                format!("Kỳ phân tích dài hơn {MAX_MONTHS} tháng; hãy chọn kỳ ngắn hơn"),
            ));
        }
        let res = whole("res", &self.res, 8, u32::from(*RESOLUTIONS.start()), u32::from(*RESOLUTIONS.end()))?;
        let k = whole("k", &self.k, 1, 1, 3)?;
        let step = whole("step", &self.step, 1, 0, 3)?;
        let alpha = match text(&self.alpha) {
            None => 0.05,
            Some(s) => match s.replace(',', ".").parse::<f64>() {
                Ok(a) if a > 0.0 && a <= 0.2 => a,
                _ => {
                    return Err(ParamError::new(
                        "alpha",
                        format!("expected a number above 0 and at most 0.2, not '{s}'"),
                        format!("Mức ý nghĩa phải lớn hơn 0 và không quá 0,2, không phải '{s}'"),
                    ));
                }
            },
        };
        let fdr = match text(&self.fdr) {
            None | Some("on" | "true" | "1") => true,
            Some("off" | "false" | "0") => false,
            Some(s) => {
                return Err(ParamError::new(
                    "fdr",
                    format!("expected on or off, not '{s}'"),
                    format!("FDR phải là bật hoặc tắt, không phải '{s}'"),
                ));
            }
        };
        let bandwidth = f64::from(whole("bandwidth", &self.bandwidth, 500, 100, 5_000)?);
        let test = match (date("test_from", &self.test_from)?, date("test_to", &self.test_to)?) {
            (None, None) => None,
            (Some(a), Some(b)) if a <= b && a > to => {
                if months_spanned(a, b) > 24 {
                    return Err(ParamError::new(
                        "test_to",
                        "the test period covers more than 24 months",
                        "Kỳ kiểm tra dài hơn 24 tháng",
                    ));
                }
                Some((a, b))
            }
            (Some(_), Some(_)) => {
                return Err(ParamError::new(
                    "test_from",
                    "the test period must start after the analysed period and not end before it starts",
                    "Kỳ kiểm tra phải bắt đầu sau kỳ phân tích và không kết thúc trước khi bắt đầu",
                ));
            }
            _ => {
                return Err(ParamError::new(
                    "test_from",
                    "give both ends of the test period, or neither",
                    "Cần nhập cả hai ngày của kỳ kiểm tra, hoặc bỏ trống cả hai",
                ));
            }
        };
        Ok(RunParams { from, to, res: res as u8, k, step, alpha, fdr, bandwidth, test })
    }
}

impl RunParams {
    /// The EHSA settings.
    pub fn ehsa(&self) -> Result<Ehsa, AppError> {
        Ehsa::builder()
            .resolution(self.res)
            .rings(self.k)
            .time_steps(self.step)
            .alpha(self.alpha)
            .fdr(self.fdr)
            .build()
            .map_err(|e| AppError::bad_param("res", e))
    }

    /// The density resolution: one finer than the hexagons (at most 9), so the heat layer
    /// shows more detail than the categories without drawing tens of thousands of cells.
    pub fn kde_resolution(&self) -> u8 {
        (self.res + 1).min(9)
    }

    /// The parameters as JSON, stored with the signals a run raises.
    pub fn to_json(&self) -> Value {
        json!({
            "from": self.from, "to": self.to, "res": self.res, "k": self.k, "step": self.step,
            "alpha": self.alpha, "fdr": self.fdr, "bandwidth": self.bandwidth,
        })
    }

    /// The query string that repeats this run (for links and the map's API calls).
    pub fn query_string(&self) -> String {
        let mut q = format!(
            "from={}&to={}&res={}&k={}&step={}&alpha={}&fdr={}&bandwidth={}",
            self.from,
            self.to,
            self.res,
            self.k,
            self.step,
            self.alpha,
            if self.fdr { "on" } else { "off" },
            self.bandwidth
        );
        if let Some((a, b)) = self.test {
            q.push_str(&format!("&test_from={a}&test_to={b}"));
        }
        q
    }
}

/// A stored incident in the analytics' terms, with its commune.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Located {
    pub incident: Incident,
    pub on: NaiveDate,
    pub unit_id: i64,
}

fn to_incident(lat: f64, lon: f64, on: NaiveDate, unit_id: i64) -> Option<Located> {
    let d = Date::new(on.year(), on.month() as u8, on.day() as u8)?;
    Some(Located { incident: Incident::new(lat, lon, d).ok()?, on, unit_id })
}

/// The incidents of the caller's scope between two dates, through the scoped store query;
/// refused past [`MAX_INCIDENTS`].
pub async fn load_incidents(
    state: &AppState,
    who: &Identity,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Vec<Located>, AppError> {
    let f = IncidentFilter {
        from: Some(from),
        to: Some(to),
        limit: MAX_INCIDENTS as u64 + 1,
        ..Default::default()
    };
    let (rows, total) = incidents::list(&state.db, who.scope(), &f).await?;
    if total as usize > MAX_INCIDENTS {
        return Err(AppError::bad_param(
            "from",
            format!(
                "the period holds {total} incidents, more than the {MAX_INCIDENTS} one run may analyse; choose a shorter period"
            ),
        ));
    }
    Ok(rows.iter().filter_map(|i| to_incident(i.lat, i.lon, i.occurred_on, i.unit_id)).collect())
}

fn plain(list: &[Located]) -> Vec<Incident> {
    list.iter().map(|l| l.incident).collect()
}

/// Runs CPU-bound work off the request threads.
async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> Result<T, AppError> + Send + 'static,
) -> Result<T, AppError> {
    tokio::task::spawn_blocking(f).await.map_err(AppError::internal)?
}

fn analytics_error(e: diaban_analytics::Error) -> AppError {
    AppError::new(crate::error::ErrorKind::Unprocessable, e.to_string())
}

/// EHSA on the incidents; `None` when the period holds none.
pub async fn ehsa(params: &RunParams, list: &[Located]) -> Result<Option<EhsaReport>, AppError> {
    if list.is_empty() {
        return Ok(None);
    }
    let ehsa = params.ehsa()?;
    let incidents = plain(list);
    blocking(move || ehsa.analyse(&incidents).map(Some).map_err(analytics_error)).await
}

/// The density surface of the incidents, bounded by [`MAX_DENSITY_CELLS`].
pub async fn density(params: &RunParams, list: &[Located]) -> Result<Vec<DensityCell>, AppError> {
    let kde = Kde::builder()
        .resolution(params.kde_resolution())
        .bandwidth(params.bandwidth)
        .build()
        .map_err(|e| AppError::bad_param("bandwidth", e))?;
    let incidents = plain(list);
    let cells = blocking(move || kde.surface(&incidents).map_err(analytics_error)).await?;
    if cells.len() > MAX_DENSITY_CELLS {
        return Err(AppError::bad_param(
            "bandwidth",
            format!(
                "the density surface has {} cells, more than the {MAX_DENSITY_CELLS} a map can draw; \
                 choose a coarser resolution, a smaller bandwidth or a shorter period",
                cells.len()
            ),
        ));
    }
    Ok(cells)
}

/// The map colour of a category: reds for hot, blues for cold, darker for newer and
/// stronger patterns, grey for none.
pub fn category_color(c: Category) -> &'static str {
    match c {
        Category::NewHot => "#67000d",
        Category::ConsecutiveHot => "#a50f15",
        Category::IntensifyingHot => "#cb181d",
        Category::PersistentHot => "#ef3b2c",
        Category::DiminishingHot => "#fb6a4a",
        Category::SporadicHot => "#fc9272",
        Category::OscillatingHot => "#f7b6a0",
        Category::HistoricalHot => "#c99a9a",
        Category::NewCold => "#08306b",
        Category::ConsecutiveCold => "#08519c",
        Category::IntensifyingCold => "#2171b5",
        Category::PersistentCold => "#4292c6",
        Category::DiminishingCold => "#6baed6",
        Category::SporadicCold => "#9ecae1",
        Category::OscillatingCold => "#b9d3ea",
        Category::HistoricalCold => "#9aa4cf",
        Category::NoPattern => "#b0b7bf",
    }
}

/// The legend: every category in precedence order with its Vietnamese label and colour.
pub fn legend() -> Vec<Value> {
    Category::ALL
        .iter()
        .map(|c| json!({"category": c.as_str(), "label": c.label_vi(), "color": category_color(*c)}))
        .collect()
}

/// A cell's polygon as a GeoJSON ring: `[lon, lat]`, closed.
fn ring(cell: u64) -> Vec<[f64; 2]> {
    let mut v: Vec<[f64; 2]> =
        cell_boundary(cell).unwrap_or_default().iter().map(|&(lat, lon)| [lon, lat]).collect();
    if let Some(&first) = v.first() {
        v.push(first);
    }
    v
}

fn round6(x: f64) -> f64 {
    (x * 1e6).round() / 1e6
}

/// The EHSA answer: a GeoJSON FeatureCollection of the analysed cells (h3 index,
/// category, its Vietnamese label and colour, the figures behind it), with the run's
/// parameters, the months analysed, counts per category and the legend.
pub fn ehsa_geojson(params: &RunParams, incidents: usize, report: Option<&EhsaReport>) -> Value {
    let features: Vec<Value> = report
        .map(|r| {
            r.rows()
                .iter()
                .map(|row| {
                    json!({
                        "type": "Feature",
                        "geometry": {"type": "Polygon", "coordinates": [ring(row.cell)]},
                        "properties": {
                            "h3": row.cell_hex(),
                            "category": row.category.as_str(),
                            "label": row.category.label_vi(),
                            "color": category_color(row.category),
                            "incidents": row.incidents,
                            "hot_bins": row.hot_bins,
                            "cold_bins": row.cold_bins,
                            "final_z": round6(row.final_z),
                            "mk_tau": round6(row.trend.tau),
                            "mk_p": round6(row.trend.p),
                            "lat": round6(row.lat),
                            "lon": round6(row.lon),
                        }
                    })
                })
                .collect()
        })
        .unwrap_or_default();
    let counts: BTreeMap<&str, usize> = report
        .map(|r| r.category_counts().iter().filter(|(_, n)| *n > 0).map(|(c, n)| (c.as_str(), *n)).collect())
        .unwrap_or_default();
    json!({
        "type": "FeatureCollection",
        "features": features,
        "params": params.to_json(),
        "incidents": incidents,
        "months": report.map(|r| r.cube().steps()).unwrap_or(0),
        "first_month": report.map(|r| r.cube().first_month().to_string()),
        "significant_bins": report.map(|r| r.significant_bins()).unwrap_or(0),
        "categories": counts,
        "legend": legend(),
    })
}

/// The density answer: a GeoJSON FeatureCollection of cells with their density
/// (incidents per km²).
pub fn kde_geojson(params: &RunParams, incidents: usize, cells: &[DensityCell]) -> Value {
    let features: Vec<Value> = cells
        .iter()
        .map(|c| {
            json!({
                "type": "Feature",
                "geometry": {"type": "Polygon", "coordinates": [ring(c.cell)]},
                "properties": {"h3": cell_hex(c.cell), "density": round6(c.density)},
            })
        })
        .collect();
    json!({
        "type": "FeatureCollection",
        "features": features,
        "params": params.to_json(),
        "resolution": params.kde_resolution(),
        "bandwidth_m": params.bandwidth,
        "unit": "incidents/km²",
        "incidents": incidents,
    })
}

/// One line of the PAI table.
#[derive(Debug, Clone, PartialEq)]
pub struct PaiLine {
    /// `ehsa_hot`, `kde`, `last_period` or `registered_sites`.
    pub method: &'static str,
    pub label_vi: &'static str,
    /// The requested share of the study area, or the actual one for the sites.
    pub area_share: f64,
    pub cells: usize,
    pub area_km2: f64,
    pub hits: u64,
    pub total: u64,
    pub pai: Option<f64>,
}

/// The PAI evaluation: the crate's three methods at 1%, 5% and 10% of the area, and the
/// registered sites (the cells holding a site in the registry: what the police already
/// watch) as a fourth method at whatever share of the area they cover.
#[derive(Debug, Clone, PartialEq)]
pub struct PaiTable {
    pub study_cells: usize,
    pub study_area_km2: f64,
    pub test_incidents: usize,
    pub test_in_region: u64,
    pub lines: Vec<PaiLine>,
}

/// The sites that count as registered for PAI: every state but dismissed reports and
/// closed sites (whose watch has ended).
fn watched(s: SiteState) -> bool {
    !matches!(s, SiteState::Dismissed | SiteState::Closed)
}

/// Runs PAI; `None` when there is nothing to train on or no test incident.
pub async fn pai(
    params: &RunParams,
    train: &[Located],
    test: &[Located],
    site_points: Vec<(f64, f64)>,
) -> Result<Option<PaiTable>, AppError> {
    if train.is_empty() || test.is_empty() {
        return Ok(None);
    }
    let pai = Pai::builder()
        .ehsa(params.ehsa()?)
        .bandwidth(params.bandwidth)
        .build()
        .map_err(|e| AppError::bad_param("bandwidth", e))?;
    let (train, test) = (plain(train), plain(test));
    let res = params.res;
    blocking(move || {
        let report: PaiReport = pai.evaluate(&train, &test).map_err(analytics_error)?;
        let mut lines: Vec<PaiLine> = report
            .rows
            .iter()
            .map(|r| PaiLine {
                method: r.method.as_str(),
                label_vi: r.method.label_vi(),
                area_share: r.area_share,
                cells: r.cells,
                area_km2: r.area_km2,
                hits: r.hits,
                total: r.total,
                pai: r.pai,
            })
            .collect();
        // The study region: the cells holding training incidents (the crate's definition).
        let study: HashSet<u64> = train.iter().filter_map(|i| cell_at(i.lat(), i.lon(), res).ok()).collect();
        let flagged: HashSet<u64> = site_points
            .iter()
            .filter_map(|&(lat, lon)| cell_at(lat, lon, res).ok())
            .filter(|c| study.contains(c))
            .collect();
        let area: f64 = flagged.iter().filter_map(|&c| cell_area_km2(c).ok()).sum();
        let hits = test
            .iter()
            .filter_map(|i| cell_at(i.lat(), i.lon(), res).ok())
            .filter(|c| flagged.contains(c))
            .count() as u64;
        let total = test.len() as u64;
        lines.push(PaiLine {
            method: "registered_sites",
            label_vi: "Điểm đã đăng ký",
            area_share: if report.study_area_km2 > 0.0 { area / report.study_area_km2 } else { 0.0 },
            cells: flagged.len(),
            area_km2: area,
            hits,
            total,
            pai: prediction_accuracy_index(hits, total, area, report.study_area_km2),
        });
        Ok(Some(PaiTable {
            study_cells: report.study_cells,
            study_area_km2: report.study_area_km2,
            test_incidents: test.len(),
            test_in_region: report.test_in_region,
            lines,
        }))
    })
    .await
}

/// The PAI table as JSON.
pub fn pai_json(params: &RunParams, table: Option<&PaiTable>) -> Value {
    let methods: Vec<&str> =
        PaiMethod::ALL.iter().map(|m| m.as_str()).chain(std::iter::once("registered_sites")).collect();
    match table {
        None => {
            json!({"params": params.to_json(), "test": params.test.map(|(a, b)| json!({"from": a, "to": b})), "rows": [], "methods": methods})
        }
        Some(t) => json!({
            "params": params.to_json(),
            "test": params.test.map(|(a, b)| json!({"from": a, "to": b})),
            "study_cells": t.study_cells,
            "study_area_km2": round6(t.study_area_km2),
            "test_incidents": t.test_incidents,
            "test_in_region": t.test_in_region,
            "methods": methods,
            "rows": t.lines.iter().map(|l| json!({
                "method": l.method, "label": l.label_vi, "area_pct": round6(l.area_share * 100.0),
                "cells": l.cells, "area_km2": round6(l.area_km2), "hits": l.hits, "total": l.total,
                "pai": l.pai.map(round6),
            })).collect::<Vec<_>>(),
        }),
    }
}

/// The registered sites of the scope with what the signals need.
#[derive(Debug, Clone, PartialEq)]
pub struct SiteRef {
    pub id: i64,
    pub unit_id: i64,
    pub lat: f64,
    pub lon: f64,
    pub state: SiteState,
    pub state_since: NaiveDate,
}

/// An area under non-relapse monitoring with a point of its own.
#[derive(Debug, Clone, PartialEq)]
pub struct AreaRef {
    pub id: i64,
    pub unit_id: i64,
    pub lat: f64,
    pub lon: f64,
}

/// The sites of the scope (every state).
pub async fn scope_sites(state: &AppState, who: &Identity) -> Result<Vec<SiteRef>, AppError> {
    let (list, _) = sites::list(&state.db, who.scope(), &SiteFilter::default()).await?;
    Ok(list
        .into_iter()
        .map(|s| SiteRef {
            id: s.id,
            unit_id: s.unit_id,
            lat: s.lat,
            lon: s.lon,
            state: s.state,
            state_since: s.state_since,
        })
        .collect())
}

/// Points of the registered sites, for PAI.
pub fn registered_points(sites: &[SiteRef]) -> Vec<(f64, f64)> {
    sites.iter().filter(|s| watched(s.state)).map(|s| (s.lat, s.lon)).collect()
}

/// The areas of the scope under non-relapse monitoring that have a point of their own
/// (an area known only by its commune is not placed in a cell).
pub async fn monitored_areas(state: &AppState, who: &Identity) -> Result<Vec<AreaRef>, AppError> {
    let f = AreaFilter { state: Some(AreaState::Monitoring), ..Default::default() };
    Ok(areas::list(&state.db, who.scope(), &f)
        .await?
        .into_iter()
        .filter_map(|a| Some(AreaRef { id: a.id, unit_id: a.unit_id, lat: a.lat?, lon: a.lon? }))
        .collect())
}

/// Whether a cell is hot at the end of the period: a hot category other than
/// HISTORICAL_HOT (hot in the past, not in the final month).
pub fn hot_now(c: Category) -> bool {
    c.is_hot() && c != Category::HistoricalHot
}

/// Whether a category makes a cell without a site worth verifying (ANALYTICS.md §4).
pub fn emerging(c: Category) -> bool {
    matches!(c, Category::NewHot | Category::ConsecutiveHot | Category::IntensifyingHot)
}

/// The signals of a run (ANALYTICS.md §4), computed from the EHSA result, the incidents
/// analysed, the scope's sites and monitored areas, and the re-formation radius:
///
/// - a cell in NEW, CONSECUTIVE or INTENSIFYING hot with no registered site in it
///   (dismissed reports do not count) → suggest a site, under the commune of most of the
///   cell's incidents;
/// - an eliminated or monitored site whose cell is hot now, or with incidents within the
///   radius dated on or after its current state → re-formation alert;
/// - an area under monitoring whose cell is hot now → relapse warning.
pub fn signals(
    params: &RunParams,
    report: &EhsaReport,
    list: &[Located],
    sites: &[SiteRef],
    areas: &[AreaRef],
    radius_m: f64,
) -> Vec<NewSignal> {
    let res = params.res;
    let rows: HashMap<u64, &diaban_analytics::EhsaRow> = report.rows().iter().map(|r| (r.cell, r)).collect();
    let params_json = params.to_json().to_string();
    let new = |kind, cell: u64, unit_id, site_id, area_id, category: &str, incidents: u64| {
        let (lat, lon) = diaban_analytics::cell_center(cell).unwrap_or_default();
        NewSignal {
            kind,
            cell: cell_hex(cell),
            resolution: res,
            lat: round6(lat),
            lon: round6(lon),
            unit_id,
            site_id,
            area_id,
            category: category.to_owned(),
            incidents: incidents as i64,
            period_from: params.from,
            period_to: params.to,
            params: params_json.clone(),
        }
    };
    let mut out = Vec::new();

    let site_cells: HashSet<u64> = sites
        .iter()
        .filter(|s| s.state != SiteState::Dismissed)
        .filter_map(|s| cell_at(s.lat, s.lon, res).ok())
        .collect();
    // The commune of most of each cell's incidents (ties: the smaller unit id).
    let mut units_of: HashMap<u64, BTreeMap<i64, u32>> = HashMap::new();
    for l in list {
        if let Ok(c) = cell_at(l.incident.lat(), l.incident.lon(), res) {
            *units_of.entry(c).or_default().entry(l.unit_id).or_default() += 1;
        }
    }
    for row in report.rows() {
        if !emerging(row.category) || site_cells.contains(&row.cell) {
            continue;
        }
        let Some(unit_id) = units_of
            .get(&row.cell)
            .and_then(|m| m.iter().max_by(|a, b| a.1.cmp(b.1).then(b.0.cmp(a.0))).map(|(u, _)| *u))
        else {
            continue;
        };
        out.push(new(
            SignalKind::SuggestSite,
            row.cell,
            unit_id,
            None,
            None,
            row.category.as_str(),
            row.incidents,
        ));
    }

    for s in sites.iter().filter(|s| matches!(s.state, SiteState::Eliminated | SiteState::Monitoring)) {
        let Ok(cell) = cell_at(s.lat, s.lon, res) else { continue };
        let row = rows.get(&cell);
        let near = list
            .iter()
            .filter(|l| {
                let d = haversine_m(s.lat, s.lon, l.incident.lat(), l.incident.lon());
                raises_reformation_alert(s.state, s.state_since, l.on, d, radius_m)
            })
            .count() as u64;
        let hot = row.is_some_and(|r| hot_now(r.category));
        if hot || near > 0 {
            let category = row.map(|r| r.category.as_str()).unwrap_or("");
            let incidents = if hot { row.map(|r| r.incidents).unwrap_or(0).max(near) } else { near };
            out.push(new(
                SignalKind::ReformationAlert,
                cell,
                s.unit_id,
                Some(s.id),
                None,
                category,
                incidents,
            ));
        }
    }

    for a in areas {
        let Ok(cell) = cell_at(a.lat, a.lon, res) else { continue };
        if let Some(row) = rows.get(&cell).filter(|r| hot_now(r.category)) {
            out.push(new(
                SignalKind::RelapseWarning,
                cell,
                a.unit_id,
                None,
                Some(a.id),
                row.category.as_str(),
                row.incidents,
            ));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn q(pairs: &[(&str, &str)]) -> RunQuery {
        let s = pairs.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join("&");
        serde_urlencoded::from_str(&s).unwrap()
    }

    #[test]
    fn defaults_cover_the_last_24_months() {
        let p = RunQuery::default().parse(d(2026, 11, 30)).unwrap();
        assert_eq!((p.from, p.to), (d(2024, 12, 1), d(2026, 11, 30)));
        assert_eq!((p.res, p.k, p.step, p.alpha, p.fdr, p.bandwidth), (8, 1, 1, 0.05, true, 500.0));
        assert_eq!(p.test, None);
        let again: RunQuery = serde_urlencoded::from_str(&p.query_string()).unwrap();
        assert_eq!(again.parse(d(2026, 11, 30)).unwrap(), p);
    }

    #[test]
    fn runs_that_would_explode_are_refused_with_the_parameter_named() {
        let today = d(2026, 11, 30);
        let e = q(&[("from", "2019-01-01"), ("to", "2026-01-31")]).parse(today).unwrap_err();
        assert_eq!(e.param, "to");
        assert!(e.vi.contains("60 tháng"), "{}", e.vi);
        assert_eq!(q(&[("res", "12")]).parse(today).unwrap_err().param, "res");
        assert_eq!(q(&[("res", "6")]).parse(today).unwrap_err().param, "res");
        assert_eq!(q(&[("k", "9")]).parse(today).unwrap_err().param, "k");
        assert_eq!(q(&[("alpha", "0.5")]).parse(today).unwrap_err().param, "alpha");
        assert_eq!(q(&[("fdr", "maybe")]).parse(today).unwrap_err().param, "fdr");
        assert_eq!(
            q(&[("from", "2026-05-01"), ("to", "2026-04-01")]).parse(today).unwrap_err().param,
            "from"
        );
        assert_eq!(q(&[("test_from", "2026-01-01")]).parse(today).unwrap_err().param, "test_from");
        let overlapping = q(&[("to", "2026-06-30"), ("test_from", "2026-06-01"), ("test_to", "2026-08-31")]);
        assert_eq!(overlapping.parse(today).unwrap_err().param, "test_from");
        let ok = q(&[
            ("to", "2026-06-30"),
            ("test_from", "2026-07-01"),
            ("test_to", "2026-09-30"),
            ("fdr", "off"),
            ("alpha", "0,1"),
        ]);
        let p = ok.parse(today).unwrap();
        assert_eq!(p.test, Some((d(2026, 7, 1), d(2026, 9, 30))));
        assert!(!p.fdr);
        assert_eq!(p.alpha, 0.1);
    }

    fn located(lat: f64, lon: f64, on: NaiveDate, unit: i64) -> Located {
        to_incident(lat, lon, on, unit).unwrap()
    }

    /// Twelve months of a few scattered incidents, and a burst in the last month at one
    /// place: a NEW_HOT cell there.
    fn planted() -> (RunParams, Vec<Located>) {
        let mut list = Vec::new();
        for m in 1..=12 {
            for (k, (lat, lon)) in [(15.05, 108.60), (15.20, 108.95), (14.90, 108.70)].iter().enumerate() {
                list.push(located(lat + 0.001 * k as f64, *lon, d(2025, m, 10), 1));
            }
        }
        for k in 0..25 {
            list.push(located(15.1200 + 0.0001 * f64::from(k % 5), 108.8000, d(2025, 12, 1 + k as u32), 2));
        }
        let params = q(&[("from", "2025-01-01"), ("to", "2025-12-31")]).parse(d(2026, 1, 1)).unwrap();
        (params, list)
    }

    fn report(params: &RunParams, list: &[Located]) -> EhsaReport {
        params.ehsa().unwrap().analyse(&plain(list)).unwrap()
    }

    #[test]
    fn a_new_hot_cell_without_a_site_is_suggested_under_the_commune_of_its_incidents() {
        let (params, list) = planted();
        let r = report(&params, &list);
        let burst = cell_at(15.12, 108.80, 8).unwrap();
        let row = r.rows().iter().find(|row| row.cell == burst).unwrap();
        assert!(emerging(row.category), "{:?}", row.category);
        let got = signals(&params, &r, &list, &[], &[], 200.0);
        let s: Vec<_> = got.iter().filter(|s| s.kind == SignalKind::SuggestSite).collect();
        assert_eq!(s.len(), 1, "{got:?}");
        assert_eq!(s[0].cell, cell_hex(burst));
        assert_eq!((s[0].unit_id, s[0].incidents), (2, 25));
        assert_eq!(s[0].target_key(), "");
        // A registered site in the cell: no suggestion; a dismissed report does not count.
        let mut site = SiteRef {
            id: 7,
            unit_id: 2,
            lat: 15.1201,
            lon: 108.8001,
            state: SiteState::Listed,
            state_since: d(2024, 1, 1),
        };
        assert!(signals(&params, &r, &list, std::slice::from_ref(&site), &[], 200.0).is_empty());
        site.state = SiteState::Dismissed;
        assert_eq!(signals(&params, &r, &list, &[site], &[], 200.0).len(), 1);
    }

    #[test]
    fn watched_sites_and_monitored_areas_in_a_hot_cell_are_alerted() {
        let (params, list) = planted();
        let r = report(&params, &list);
        let site = SiteRef {
            id: 7,
            unit_id: 2,
            lat: 15.1201,
            lon: 108.8001,
            state: SiteState::Monitoring,
            state_since: d(2025, 6, 1),
        };
        let far = SiteRef {
            id: 8,
            unit_id: 1,
            lat: 16.5,
            lon: 107.5,
            state: SiteState::Eliminated,
            state_since: d(2025, 6, 1),
        };
        let area = AreaRef { id: 3, unit_id: 2, lat: 15.1202, lon: 108.8 };
        let got = signals(&params, &r, &list, &[site, far], &[area], 200.0);
        let kinds: Vec<_> = got.iter().map(|s| (s.kind, s.site_id, s.area_id)).collect();
        assert_eq!(
            kinds,
            vec![(SignalKind::ReformationAlert, Some(7), None), (SignalKind::RelapseWarning, None, Some(3))]
        );
        assert_eq!(got[0].target_key(), "site:7");
        assert_eq!(got[1].target_key(), "area:3");
        // Incidents within the radius alone raise the alert too, even in a quiet cell.
        let quiet = SiteRef {
            id: 9,
            unit_id: 1,
            lat: 15.05,
            lon: 108.60,
            state: SiteState::Eliminated,
            state_since: d(2025, 3, 1),
        };
        let got: Vec<_> = signals(&params, &r, &list, &[quiet], &[], 200.0)
            .into_iter()
            .filter(|s| s.kind == SignalKind::ReformationAlert)
            .collect();
        assert_eq!(got.len(), 1);
        assert_eq!(got[0].site_id, Some(9));
        assert_eq!(got[0].incidents, 10, "March to December");
    }

    #[test]
    fn the_geojson_carries_closed_rings_and_the_17_categories() {
        let (params, list) = planted();
        let r = report(&params, &list);
        let g = ehsa_geojson(&params, list.len(), Some(&r));
        let f = &g["features"][0];
        let ring = f["geometry"]["coordinates"][0].as_array().unwrap();
        assert_eq!(ring.len(), 7);
        assert_eq!(ring[0], ring[6]);
        assert_eq!(g["legend"].as_array().unwrap().len(), 17);
        assert_eq!(g["months"], 12);
        let empty = ehsa_geojson(&params, 0, None);
        assert_eq!(empty["features"].as_array().unwrap().len(), 0);
    }
}

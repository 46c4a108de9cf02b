//! Tổng quan: the dashboard of the user's scope (or of one commune within it) for a
//! statistical period — the plan's targets T1–T6 with their values, a chosen indicator
//! on the map of communes, its trend over the statistical years and its breakdown by
//! commune with links down to the registries; with the population and the number of
//! records. Aggregates only; the figures are `crate::indicators_ops`'s, as in the API.

use super::{Ctx, json_block, render};
use crate::AppState;
use crate::auth::Identity;
use crate::error::AppError;
use crate::indicators_ops as ind;
use askama::Template;
use axum::Router;
use axum::extract::{Query, State};
use axum::response::IntoResponse;
use axum::response::Response;
use axum::routing::get;
use diaban_analytics::indicators::{IndicatorValue, definition};
use diaban_domain::access::Action;
use diaban_domain::indicator::{IndicatorId, Measure};
use diaban_domain::period::{PeriodKind, StatPeriod};
use diaban_domain::plan::TargetStatus;
use diaban_store::persons::Scope;
use diaban_store::{persons, population, units};
use serde::Deserialize;
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
    /// The period shown, its name and days.
    period: String,
    period_label: String,
    period_days: String,
    /// Periods offered (name, label).
    periods: Vec<(String, String)>,
    /// The unit's code when a commune below the scope is shown.
    unit_code: String,
    /// The indicator on the map, trend and table.
    indicator: &'static str,
    indicator_label: &'static str,
    indicator_definition: &'static str,
    /// Every indicator for the selector: (id, label).
    choices: Vec<(&'static str, &'static str)>,
    /// The targets' cards.
    targets: Vec<Card>,
    /// Other figures: (label, value).
    figures: Vec<(&'static str, String)>,
    /// The breakdown: (code, name, value, unit link).
    rows: Vec<(String, String, String)>,
    trend_json: String,
    is_province: bool,
    /// The plan the targets come from ("" without one).
    plan_name: String,
    /// The territory the targets are judged on, in words ("" without a plan).
    plan_territory: String,
    /// Said when the plan ended before the period shown (its final result is shown).
    plan_note: String,
    /// Plans to choose from: (value, label, selected).
    plans: Vec<(String, String, bool)>,
    /// The plan chosen in the query ("" for the default).
    plan_param: String,
}

/// A target's card.
pub struct Card {
    id: &'static str,
    label: &'static str,
    value: String,
    detail: String,
    definition: &'static str,
    /// The plan's target in words, its status (CSS suffix, label) and the rule deciding it.
    goal: String,
    status: &'static str,
    status_label: &'static str,
    rule: String,
    /// Why there is no value, when the catalogue says (e.g. T6 communes not comparable).
    note: String,
}

#[derive(Deserialize, Default)]
struct DashQuery {
    period: Option<String>,
    indicator: Option<String>,
    unit: Option<String>,
    plan: Option<String>,
}

/// The plan's targets, in the order of KH 3220.
const TARGETS: [IndicatorId; 7] = [
    IndicatorId::T1SitesChange,
    IndicatorId::T2HotSpotsEliminated,
    IndicatorId::T3AreasTransformed,
    IndicatorId::T4AreasNotRelapsed,
    IndicatorId::T5PersonsReached,
    IndicatorId::T6AddictsGrowth,
    IndicatorId::T6ProblemCommunesGrowth,
];

/// A value as the pages show it: counts with thousands separators, shares and changes in
/// percent with one decimal, "—" without a value.
pub(crate) fn shown(tr: crate::i18n::Tr, id: IndicatorId, v: Option<f64>) -> String {
    match (v, id.measure()) {
        (None, _) => "—".into(),
        (Some(x), Measure::Count) => tr.num(x.round() as i64),
        (Some(x), Measure::Percent) => format!("{}%", tr.dec(x, 1)),
        (Some(x), Measure::Change) => format!("{}{}%", if x > 0.0 { "+" } else { "" }, tr.dec(x, 1)),
    }
}

fn card(tr: crate::i18n::Tr, v: &IndicatorValue) -> Card {
    let detail = match (v.id.measure(), v.denominator) {
        (Measure::Percent, Some(d)) => format!("{} / {}", tr.num(v.numerator as i64), tr.num(d as i64)),
        (Measure::Change, Some(d)) => format!("{} → {}", tr.num(d as i64), tr.num(v.numerator as i64)),
        _ => String::new(),
    };
    Card {
        id: v.id.as_str(),
        label: if tr.0 == crate::i18n::Lang::Vi { v.id.label_vi() } else { v.id.label_en() },
        value: shown(tr, v.id, v.value),
        detail,
        definition: definition(v.id),
        goal: String::new(),
        status: "",
        status_label: "",
        rule: String::new(),
        note: v
            .note
            .map(|n| if tr.0 == crate::i18n::Lang::Vi { n.message_vi() } else { n.message_en() })
            .unwrap_or_default(),
    }
}

async fn dashboard(
    State(state): State<AppState>,
    who: Identity,
    ctx: Ctx,
    Query(q): Query<DashQuery>,
) -> Result<Response, AppError> {
    // "/" is where sign-in lands: a role without aggregates (the auditor) goes to the
    // first page it may open instead of a refusal.
    if !who.may(Action::ViewAggregates) {
        let to = if who.may(Action::ReadAudit) { "/audit" } else { "/account" };
        return Ok(axum::response::Redirect::to(to).into_response());
    }
    let asked = ind::place(&state, &who, q.unit.as_deref()).await?;
    let cutoff = ind::reporting(&state).await?.cutoff_day;
    let (period, days) = ind::period_of(q.period.as_deref(), cutoff)?;
    let pick = ind::PlanPick::parse(q.plan.as_deref(), true)?;
    let chosen = ind::plan_for(&state, &asked, pick, period, cutoff).await?;
    // A plan chosen on the page makes the whole dashboard that plan's territory; by
    // default the figures cover the unit and the plan in force is judged on its own
    // territory within it (said beside the cards).
    let place = match (&chosen, pick) {
        (Some((_, within, _)), ind::PlanPick::IdOrFinal(_)) => within.clone(),
        _ => asked.clone(),
    };
    let communes = place.communes.clone();
    let mut legacy_filter = units::UnitFilter {
        generation: Some("legacy".into()),
        level: Some(diaban_domain::UnitLevel::Commune),
        limit: 0,
        ..Default::default()
    };
    match place.scope {
        Scope::Province(p) => legacy_filter.scope_province_id = Some(p),
        Scope::Commune(c) => legacy_filter.scope_commune_id = Some(c),
    }
    let (_, legacy_units) = state.search_units(&legacy_filter).await?;
    let ids: Vec<i64> = communes.iter().map(|c| c.id).collect();
    let pops = population::latest_for(&state.db, &ids).await?;
    let population: i64 = pops.values().map(|(_, p)| p).sum();
    let population_year = pops.values().map(|(y, _)| *y).max().unwrap_or(0);
    let persons = persons::count_in_scope(&state.db, place.scope).await?;
    let tr = ctx.tr(Some(&who));
    let vi = tr.0 == crate::i18n::Lang::Vi;
    let label = |id: IndicatorId| if vi { id.label_vi() } else { id.label_en() };
    let indicator = q
        .indicator
        .as_deref()
        .and_then(|s| s.parse::<IndicatorId>().ok())
        .unwrap_or(IndicatorId::SitesActive);
    let baseline = chosen.as_ref().map(|(p, _, _)| p.baseline_on);
    let series: Vec<StatPeriod> = match period.kind {
        PeriodKind::Month => {
            let mut v = vec![period];
            while v.len() < 12 {
                let before = v[v.len() - 1].previous();
                v.push(before);
            }
            v.reverse();
            v
        }
        _ => {
            let last = StatPeriod::year(period.year);
            let first = StatPeriod::year(2023.max(period.year - 7));
            (first.year..=last.year).map(StatPeriod::year).collect()
        }
    };
    // The chosen period and the trend's, computed over one read of the rows.
    let mut wanted = series.clone();
    if !wanted.contains(&period) {
        wanted.push(period);
    }
    let computed = ind::compute_many(&state, &place, &wanted, baseline).await?;
    let of = |sp: StatPeriod| wanted.iter().position(|w| *w == sp).map(|i| &computed[i]);
    let values = of(period).cloned().unwrap_or_default();
    let value = |id: IndicatorId| values.iter().find(|v| v.id == id);
    let judged = match chosen {
        Some(c) => Some(ind::judge(&state, c, period, Some((&place, &values))).await?),
        None => None,
    };
    let targets: Vec<Card> = match &judged {
        None => TARGETS.iter().filter_map(|id| value(*id)).map(|v| card(tr, v)).collect(),
        Some(j) => j
            .targets
            .iter()
            .filter_map(|jt| {
                let mut c = card(tr, jt.figure.as_ref()?);
                let st = jt.verdict.status;
                c.goal = diaban_domain::plan::goal_vi(&jt.target);
                c.status = ind::status_class(st);
                c.status_label = if vi { st.label_vi() } else { st.label_en() };
                // Say which period the verdict is about when it is not the one shown.
                if st == TargetStatus::InProgress || j.ended {
                    let on = jt.verdict.judged_on.label_vi();
                    c.detail = if c.detail.is_empty() { on } else { format!("{} · {on}", c.detail) };
                }
                c.rule = jt.verdict.rule_vi.clone();
                Some(c)
            })
            .collect(),
    };
    let plan_name =
        judged.as_ref().map(|j| format!("{} — {}", j.plan.number, j.plan.title)).unwrap_or_default();
    let plan_territory = judged.as_ref().map(|j| j.territory_vi()).unwrap_or_default();
    let plan_note = match &judged {
        Some(j) if j.ended => format!(
            "Kế hoạch đã kết thúc ngày {}: kết quả cuối cùng theo năm thống kê {}, không đánh giá tiếp cho kỳ sau.",
            tr.date(&j.plan.period_to),
            j.period.year
        ),
        _ => String::new(),
    };
    let province_id = match asked.scope {
        Scope::Province(p) => p,
        Scope::Commune(_) => asked.unit.scope_province_id.unwrap_or(asked.unit.id),
    };
    let chosen_id = judged.as_ref().map(|j| j.plan.id);
    let plan_param = q.plan.clone().unwrap_or_default();
    let mut plans: Vec<(String, String, bool)> =
        vec![(String::new(), tr.t("dash.plan_default").to_owned(), plan_param.is_empty())];
    for pl in diaban_store::plans::for_province(&state.db, province_id).await? {
        let selected = !plan_param.is_empty() && chosen_id == Some(pl.id);
        plans.push((
            pl.id.to_string(),
            format!("{} ({}–{})", pl.number, pl.period_from.format("%Y"), pl.period_to.format("%Y")),
            selected,
        ));
    }
    plans.push(("none".into(), tr.t("dash.plan_none").to_owned(), plan_param == "none"));
    let figures: Vec<(&'static str, String)> = [
        IndicatorId::SitesActive,
        IndicatorId::SitesNew,
        IndicatorId::SitesNewChange,
        IndicatorId::SitesEliminated,
        IndicatorId::SitesReformed,
        IndicatorId::AreasSelected,
        IndicatorId::AreasTransformed,
        IndicatorId::PersonsWithRecords,
        IndicatorId::DrugFreeCommunes,
        IndicatorId::Cases,
        IndicatorId::CaseSubjects,
        IndicatorId::RingsDismantled,
        IndicatorId::PropagandaSessions,
        IndicatorId::PropagandaCommune,
        IndicatorId::PropagandaSchool,
        IndicatorId::PropagandaIndustrialZone,
        IndicatorId::PropagandaBusiness,
        IndicatorId::PropagandaOtherVenue,
        IndicatorId::Inspections,
    ]
    .iter()
    .chain(IndicatorId::SEIZURES.iter().map(|(id, _, _)| id))
    .filter_map(|id| value(*id))
    .map(|v| (label(v.id), shown(tr, v.id, v.value)))
    .collect();
    let chosen = value(indicator);
    let by_commune = |id: i64| chosen.and_then(|v| v.by_commune.get(&id).copied().flatten());
    let rows: Vec<(String, String, String)> = communes
        .iter()
        .map(|c| (c.code.clone(), c.name.clone(), shown(tr, indicator, by_commune(c.id))))
        .collect();
    // The trend: the statistical years from the programme's start to the one shown
    // (at most eight), or the twelve months up to a month shown.
    let trend_values: Vec<Option<f64>> = series
        .iter()
        .map(|sp| of(*sp).and_then(|v| v.iter().find(|x| x.id == indicator)).and_then(|x| x.value))
        .collect();
    let trend = json!({
        "kind": "line",
        "labels": series.iter().map(|p| p.label_vi()).collect::<Vec<_>>(),
        "series": [{"name": label(indicator), "values": trend_values}],
        "y_label": label(indicator),
        "x_label": tr.t("dash.period"),
    });
    let mut periods: Vec<(String, String)> = Vec::new();
    let this_year = StatPeriod::containing(PeriodKind::Year, diaban_domain::time::today_in_vietnam(), cutoff);
    for y in (2023..=this_year.year).rev() {
        for sp in [StatPeriod::year(y), StatPeriod::half(y, 2), StatPeriod::half(y, 1)] {
            periods.push((sp.to_string(), sp.label_vi()));
        }
    }
    if !periods.iter().any(|(n, _)| *n == period.to_string()) {
        periods.insert(0, (period.to_string(), period.label_vi()));
    }
    let circles: Vec<_> = communes
        .iter()
        .filter_map(|c| {
            Some(json!({
                "lat": c.lat?, "lon": c.lon?,
                "value": by_commune(c.id),
                "label": c.name,
                "href": format!("/?unit={}&period={}&indicator={}", c.code, period, indicator),
            }))
        })
        .collect();
    let bounds = match (place.scope, communes.first().and_then(|c| Some((c.lat?, c.lon?)))) {
        (Scope::Commune(_), Some((lat, lon))) => json!([[lat - 0.08, lon - 0.1], [lat + 0.08, lon + 0.1]]),
        _ => serde_json::Value::Null,
    };
    let unit_suffix = match indicator.measure() {
        Measure::Count => "",
        _ => "%",
    };
    let map = json!({"bounds": bounds, "layers": [{"type": "circles", "name": label(indicator), "scale": "color", "unit": unit_suffix, "items": circles}]});
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
    let is_province = place.unit.level != "commune";
    let unit_code = if place.unit.id == own_unit_id(&who) { String::new() } else { place.unit.code.clone() };
    let page = DashboardPage {
        p,
        scope_name: place.unit.name.clone(),
        communes: communes.len() as i64,
        legacy_units,
        population,
        population_year,
        persons,
        map_json: json_block(&map),
        chart_json: json_block(&chart),
        period: period.to_string(),
        period_label: period.label_vi(),
        period_days: format!("{} – {}", tr.date(&days.from), tr.date(&days.to)),
        periods,
        unit_code,
        indicator: indicator.as_str(),
        indicator_label: label(indicator),
        indicator_definition: definition(indicator),
        choices: IndicatorId::ALL.iter().map(|id| (id.as_str(), label(*id))).collect(),
        targets,
        figures,
        rows,
        trend_json: json_block(&trend),
        is_province,
        plan_name,
        plan_territory,
        plan_note,
        plans,
        plan_param,
    };
    render(ctx.flash_key.is_some(), &page)
}

fn own_unit_id(who: &Identity) -> i64 {
    match who.scope() {
        Scope::Province(p) | Scope::Commune(p) => p,
    }
}

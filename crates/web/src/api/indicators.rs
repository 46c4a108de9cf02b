//! `GET /api/v1/indicators?unit=CODE&period=PERIOD`: every indicator of the catalogue for
//! a current province or commune within the caller's scope and a statistical period
//! (`2026`, `2026-H1`, `2026-03`), each with its definition id, definition, value,
//! numerator, denominator and breakdown by commune. Counts only, no identity.

use super::ApiQuery;
use crate::AppState;
use crate::api::sites::tr_of;
use crate::auth::Authorized;
use crate::auth::actions::ViewAggregates;
use crate::error::ApiError;
use crate::i18n::Lang;
use crate::indicators_ops as ops;
use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use diaban_analytics::indicators::definition;
use serde::Deserialize;
use serde_json::{Value, json};
use std::collections::HashMap;

pub(crate) fn routes() -> Router<AppState> {
    // Access: ViewAggregates; a unit outside the caller's scope is 404; counts only.
    Router::new().route("/indicators", get(list))
}

#[derive(Deserialize, Default)]
struct IndicatorsQuery {
    unit: Option<String>,
    period: Option<String>,
    baseline: Option<String>,
    plan: Option<String>,
}

/// A judged target as the API shows it, with the figure it is about.
pub(crate) fn target_json(j: &ops::JudgedTarget, vi: bool) -> Value {
    let t = &j.target;
    let st = j.verdict.status;
    json!({
        "indicator": t.indicator,
        "comparator": t.comparator, "value": t.value, "year": t.year, "deadline": t.deadline,
        "note": t.note,
        "status": st,
        "status_label": if vi { st.label_vi() } else { st.label_en() },
        "rule": j.verdict.rule_vi,
        "judged_on": j.verdict.judged_on.to_string(),
        "current": j.figure.as_ref().map(|f| json!({
            "value": f.value, "numerator": f.numerator, "denominator": f.denominator,
        })),
    })
}

fn territory_json(place: &ops::Place) -> Value {
    json!({
        "communes": place.communes.len(),
        "codes": place.communes.iter().map(|c| c.code.as_str()).collect::<Vec<_>>(),
        "whole_unit": place.territory.is_none(),
    })
}

async fn list(
    State(state): State<AppState>,
    who: Authorized<ViewAggregates>,
    ApiQuery(q): ApiQuery<IndicatorsQuery>,
) -> Result<Json<Value>, ApiError> {
    let asked = ops::place(&state, &who, q.unit.as_deref()).await?;
    let cutoff = ops::reporting(&state).await?.cutoff_day;
    let (period, days) = ops::period_of(q.period.as_deref(), cutoff)?;
    let baseline = match q.baseline.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => None,
        Some(s) => Some(
            crate::site_input::parse_date(s)
                .ok_or_else(|| crate::error::AppError::bad_param("baseline", "expected YYYY-MM-DD"))?,
        ),
    };
    let pick = ops::PlanPick::parse(q.plan.as_deref(), false)?;
    let chosen = ops::plan_for(&state, &asked, pick, period, cutoff).await?;
    // A plan named in the query makes the whole answer that plan's: the figures cover
    // its territory within the unit. Without one, the figures cover the unit and the
    // plan in force is judged on its own territory within it.
    let place = match (&chosen, pick) {
        (Some((_, within, _)), ops::PlanPick::Id(_)) => within.clone(),
        _ => asked,
    };
    let baseline = baseline.or(chosen.as_ref().map(|(p, _, _)| p.baseline_on));
    let values = ops::compute(&state, &place, period, baseline).await?;
    let judged = match chosen {
        Some(c) => Some(ops::judge(&state, c, period, Some((&place, &values))).await?),
        None => None,
    };
    let vi = tr_of(&who).0 == Lang::Vi;
    let names: HashMap<i64, (&str, &str)> =
        place.communes.iter().map(|c| (c.id, (c.code.as_str(), c.name.as_str()))).collect();
    let indicators: Vec<Value> = values
        .iter()
        .map(|v| {
            let own: Vec<Value> = judged
                .iter()
                .flat_map(|j| j.targets.iter())
                .filter(|j| j.target.indicator == v.id)
                .map(|j| target_json(j, vi))
                .collect();
            let by: Vec<Value> = v
                .by_commune
                .iter()
                .map(|(id, x)| {
                    let (code, name) = names.get(id).copied().unwrap_or_default();
                    json!({"code": code, "name": name, "value": x})
                })
                .collect();
            json!({
                "id": v.id,
                "label": if vi { v.id.label_vi() } else { v.id.label_en() },
                "measure": v.id.measure(),
                "definition": definition(v.id),
                "value": v.value, "numerator": v.numerator, "denominator": v.denominator,
                "note": v.note.map(|n| if vi { n.message_vi() } else { n.message_en() }),
                "by_commune": by,
                "targets": own,
            })
        })
        .collect();
    let plan = judged.as_ref().map(|j| {
        json!({
            "id": j.plan.id, "number": j.plan.number, "title": j.plan.title, "baseline": j.plan.baseline_on,
            "period": {"from": j.plan.period_from, "to": j.plan.period_to},
            "judged_on": j.period.to_string(),
            "ended": j.ended,
            "territory": territory_json(&j.place),
            "territory_communes_total": j.territory_size,
            "targets": j.targets.iter().map(|t| target_json(t, vi)).collect::<Vec<_>>(),
        })
    });
    Ok(Json(json!({
        "unit": {"code": place.unit.code, "name": place.unit.name, "level": place.unit.level,
                 "legacy": place.unit.is_legacy()},
        "territory": territory_json(&place),
        "period": {"name": period.to_string(), "label": period.label_vi(), "from": days.from, "to": days.to},
        "cutoff_day": cutoff,
        "plan": plan,
        "indicators": indicators,
    })))
}

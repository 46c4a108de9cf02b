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

async fn list(
    State(state): State<AppState>,
    who: Authorized<ViewAggregates>,
    ApiQuery(q): ApiQuery<IndicatorsQuery>,
) -> Result<Json<Value>, ApiError> {
    let place = ops::place(&state, &who, q.unit.as_deref()).await?;
    let cutoff = ops::reporting(&state).await?.cutoff_day;
    let (period, days) = ops::period_of(q.period.as_deref(), cutoff)?;
    let baseline = match q.baseline.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => None,
        Some(s) => Some(
            crate::site_input::parse_date(s)
                .ok_or_else(|| crate::error::AppError::bad_param("baseline", "expected YYYY-MM-DD"))?,
        ),
    };
    let plan_id = match q.plan.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => None,
        Some(s) => {
            Some(s.parse::<i64>().map_err(|_| crate::error::AppError::bad_param("plan", "expected an id"))?)
        }
    };
    let plan = ops::plan_for(&state, &place, plan_id).await?;
    let baseline = baseline.or(plan.as_ref().map(|p| p.baseline_on));
    let values = ops::compute(&state, &place, period, baseline).await?;
    let targets = match &plan {
        Some(p) => ops::judged(&diaban_store::plans::targets(&state.db, p.id).await?, &values),
        None => vec![],
    };
    let vi = tr_of(&who).0 == Lang::Vi;
    let names: HashMap<i64, (&str, &str)> =
        place.communes.iter().map(|c| (c.id, (c.code.as_str(), c.name.as_str()))).collect();
    let indicators: Vec<Value> = values
        .iter()
        .map(|v| {
            let own: Vec<Value> = targets
                .iter()
                .filter(|(t, _, _)| t.indicator == v.id)
                .map(|(t, st, rule)| {
                    json!({"comparator": t.comparator, "value": t.value, "year": t.year,
                           "deadline": t.deadline, "status": st, "rule": rule})
                })
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
                "by_commune": by,
                "targets": own,
            })
        })
        .collect();
    Ok(Json(json!({
        "unit": {"code": place.unit.code, "name": place.unit.name, "level": place.unit.level},
        "period": {"name": period.to_string(), "label": period.label_vi(), "from": days.from, "to": days.to},
        "cutoff_day": cutoff,
        "plan": plan.as_ref().map(|p| json!({"id": p.id, "number": p.number, "baseline": p.baseline_on})),
        "indicators": indicators,
    })))
}

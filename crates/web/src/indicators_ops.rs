//! What the indicators API and the dashboard share: resolving the unit asked for within
//! the caller's scope, the statistical period and its predecessor under the province's
//! cut-off day, and computing the catalogue (`diaban_analytics::indicators`) over the rows
//! the store loads. Aggregates only.

use crate::AppState;
use crate::auth::Identity;
use crate::error::AppError;
use diaban_analytics::indicators::{self, IndicatorValue};
use diaban_domain::area::AreaParams;
use diaban_domain::period::{Period, PeriodKind, ReportingParams, StatPeriod};
use diaban_store::Db;
use diaban_store::indicator_data::{self, Request};
use diaban_store::parameters;
use diaban_store::persons::Scope;
use diaban_store::units::{self, Unit};

/// The parameter group of the reporting cut-off day.
pub const REPORTING: &str = diaban_store::person_facts::REPORTING;

/// Where the figures are for: a current province or commune within the caller's scope.
pub struct Place {
    /// The unit.
    pub unit: Unit,
    /// Its scope.
    pub scope: Scope,
    /// Its current communes (itself for a commune).
    pub communes: Vec<Unit>,
}

/// The unit `code` (default: the caller's own) if the caller may see it; a unit outside
/// the caller's scope is "not found", like a record.
pub async fn place(state: &AppState, who: &Identity, code: Option<&str>) -> Result<Place, AppError> {
    let own = who.scope();
    let unit = match code.map(str::trim).filter(|c| !c.is_empty()) {
        None => match own {
            Scope::Province(p) | Scope::Commune(p) => units::get(&state.db, p).await?,
        },
        Some(code) => current_unit(&state.db, code).await?,
    };
    let scope = scope_of(&unit);
    let inside = match (own, scope) {
        (Scope::Province(p), Scope::Province(q)) => p == q,
        (Scope::Province(p), Scope::Commune(_)) => unit.scope_province_id == Some(p),
        (Scope::Commune(c), Scope::Commune(d)) => c == d,
        (Scope::Commune(_), Scope::Province(_)) => false,
    };
    if !inside {
        return Err(AppError::not_found("no such unit in your scope"));
    }
    place_of(&state.db, unit).await
}

/// The current province or commune with this code (no scope check: for the CLI and for
/// callers that check the scope themselves).
pub async fn current_unit(db: &Db, code: &str) -> Result<Unit, AppError> {
    let province = units::current_scope_unit(db, code, false).await?;
    let commune = match province {
        Some(_) => None,
        None => units::current_scope_unit(db, code, true).await?,
    };
    province.or(commune).ok_or_else(|| AppError::bad_param("unit", "not a current province or commune code"))
}

fn scope_of(unit: &Unit) -> Scope {
    if unit.level == "commune" { Scope::Commune(unit.id) } else { Scope::Province(unit.id) }
}

/// The place of a current province or commune: its scope and its communes.
pub async fn place_of(db: &Db, unit: Unit) -> Result<Place, AppError> {
    let scope = scope_of(&unit);
    let communes = match scope {
        Scope::Province(p) => units::children(db, p).await?,
        Scope::Commune(_) => vec![unit.clone()],
    };
    Ok(Place { unit, scope, communes })
}

/// The province's reporting parameters in force today.
pub async fn reporting(state: &AppState) -> Result<ReportingParams, AppError> {
    reporting_in(&state.db).await
}

/// [`reporting`] on a database (the CLI's path; the web calls it too).
pub async fn reporting_in(db: &Db) -> Result<ReportingParams, AppError> {
    let today = diaban_domain::time::today_in_vietnam();
    Ok(parameters::in_force(db, REPORTING, today).await?)
}

/// A period name (default: the statistical year of today) with its days.
pub fn period_of(name: Option<&str>, cutoff: u32) -> Result<(StatPeriod, Period), AppError> {
    let sp = match name.map(str::trim).filter(|s| !s.is_empty()) {
        None => StatPeriod::containing(PeriodKind::Year, diaban_domain::time::today_in_vietnam(), cutoff),
        Some(s) => s.parse::<StatPeriod>().map_err(|e| AppError::bad_param("period", e))?,
    };
    let days = sp.bounds(cutoff).ok_or_else(|| AppError::bad_param("period", "outside the calendar"))?;
    Ok((sp, days))
}

/// The catalogue for `place` and `period`, compared with the period before (for a month
/// or a half-year, the same period a year before: the growths are year on year).
pub async fn compute(
    state: &AppState,
    place: &Place,
    period: StatPeriod,
    baseline: Option<chrono::NaiveDate>,
) -> Result<Vec<IndicatorValue>, AppError> {
    compute_in(&state.db, place, period, baseline).await
}

/// [`compute`] on a database (the CLI's and the reports' path; the web calls it too).
pub async fn compute_in(
    db: &Db,
    place: &Place,
    period: StatPeriod,
    baseline: Option<chrono::NaiveDate>,
) -> Result<Vec<IndicatorValue>, AppError> {
    let mut v = compute_many_in(db, place, &[period], baseline).await?;
    v.pop().ok_or_else(|| AppError::internal("no figures computed"))
}

/// [`compute`] for several periods (a trend), reading the rows once.
pub async fn compute_many(
    state: &AppState,
    place: &Place,
    periods: &[StatPeriod],
    baseline: Option<chrono::NaiveDate>,
) -> Result<Vec<Vec<IndicatorValue>>, AppError> {
    compute_many_in(&state.db, place, periods, baseline).await
}

/// [`compute_many`] on a database.
pub async fn compute_many_in(
    db: &Db,
    place: &Place,
    periods: &[StatPeriod],
    baseline: Option<chrono::NaiveDate>,
) -> Result<Vec<Vec<IndicatorValue>>, AppError> {
    let cutoff = reporting_in(db).await?.cutoff_day;
    let today = diaban_domain::time::today_in_vietnam();
    let areas: AreaParams = parameters::in_force(db, diaban_store::areas::PARAMS, today).await?;
    let mut reqs = Vec::with_capacity(periods.len());
    for period in periods {
        let before = match period.kind {
            PeriodKind::Year => period.previous(),
            _ => period.a_year_before(),
        };
        let (Some(days), Some(previous)) = (period.bounds(cutoff), before.bounds(cutoff)) else {
            return Err(AppError::bad_param("period", "outside the calendar"));
        };
        reqs.push(Request {
            period: days,
            previous,
            baseline: baseline.unwrap_or(areas.programme_from),
            area_monitoring_months: areas.monitoring_months,
            class_year: StatPeriod::containing(PeriodKind::Year, days.to, cutoff).year,
        });
    }
    let ids: Vec<i64> = place.communes.iter().map(|c| c.id).collect();
    let data = indicator_data::load_many(db, place.scope, &ids, &reqs).await?;
    Ok(data.iter().map(indicators::compute).collect())
}

/// The plan whose targets the figures are compared with: `id` when given (it must apply
/// to the place's province), else the first plan owned by the province, else the first
/// national plan. `None` when no plan applies.
pub async fn plan_for(
    state: &AppState,
    place: &Place,
    id: Option<i64>,
) -> Result<Option<diaban_store::plans::PlanRow>, AppError> {
    plan_for_in(&state.db, place, id).await
}

/// [`plan_for`] on a database.
pub async fn plan_for_in(
    db: &Db,
    place: &Place,
    id: Option<i64>,
) -> Result<Option<diaban_store::plans::PlanRow>, AppError> {
    let province = match place.scope {
        Scope::Province(p) => p,
        Scope::Commune(_) => place.unit.scope_province_id.unwrap_or(place.unit.id),
    };
    let plans = diaban_store::plans::for_province(db, province).await?;
    match id {
        Some(id) => Ok(Some(
            plans
                .into_iter()
                .find(|p| p.id == id)
                .ok_or_else(|| AppError::not_found("no such plan for this unit"))?,
        )),
        None => Ok(plans.into_iter().next()),
    }
}

/// A target of the plan with where it stands: `(target, status, the rule in words)`.
pub fn judged(
    targets: &[(i64, diaban_domain::plan::Target)],
    values: &[IndicatorValue],
) -> Vec<(diaban_domain::plan::Target, diaban_domain::plan::TargetStatus, String)> {
    use diaban_domain::plan::{DEFAULT_AT_RISK_MARGIN, status, status_rule_vi};
    targets
        .iter()
        .map(|(_, t)| {
            let current = values.iter().find(|v| v.id == t.indicator).and_then(|v| v.value);
            (t.clone(), status(t, current, DEFAULT_AT_RISK_MARGIN), status_rule_vi(t, DEFAULT_AT_RISK_MARGIN))
        })
        .collect()
}

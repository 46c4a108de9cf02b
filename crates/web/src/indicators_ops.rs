//! What the indicators API and the dashboard share: resolving the unit asked for within
//! the caller's scope, the statistical period and its predecessor under the province's
//! cut-off day, and computing the catalogue (`diaban_analytics::indicators`) over the rows
//! the store loads. Aggregates only.

use crate::AppState;
use crate::auth::Identity;
use crate::error::AppError;
use diaban_analytics::indicators::{self, IndicatorValue};
use diaban_domain::area::AreaParams;
use diaban_domain::indicator::IndicatorId;
use diaban_domain::period::{Period, PeriodKind, ReportingParams, StatPeriod};
use diaban_domain::plan::{
    DEFAULT_AT_RISK_MARGIN, Target, TargetStatus, Verdict, check_period, final_year, in_force, verdict,
};
use diaban_store::Db;
use diaban_store::indicator_data::{self, Request};
use diaban_store::parameters;
use diaban_store::persons::Scope;
use diaban_store::plans::PlanRow;
use diaban_store::units::{self, Unit};
use std::collections::BTreeSet;

/// The parameter group of the reporting cut-off day.
pub const REPORTING: &str = diaban_store::person_facts::REPORTING;

/// Where the figures are for: a current province or commune, a legacy unit through the
/// communes it became, or either of these within a plan's territory.
#[derive(Debug, Clone)]
pub struct Place {
    /// The unit asked for (a legacy unit such as Kon Tum's 62 stays itself here).
    pub unit: Unit,
    /// The scope the rows are read in: the current province or commune holding them.
    pub scope: Scope,
    /// The current communes the figures cover, sorted by code (the breakdown's rows).
    pub communes: Vec<Unit>,
    /// Set when the figures cover only some communes of `scope` (a legacy unit, a plan's
    /// territory): only the rows of these communes count.
    pub territory: Option<BTreeSet<i64>>,
}

impl Place {
    /// The ids of the communes covered.
    pub fn commune_ids(&self) -> BTreeSet<i64> {
        self.communes.iter().map(|c| c.id).collect()
    }

    /// The same place limited to `territory` (a plan's communes); `None` when they share
    /// no commune.
    pub fn within(&self, territory: &BTreeSet<i64>) -> Option<Place> {
        let communes: Vec<Unit> =
            self.communes.iter().filter(|c| territory.contains(&c.id)).cloned().collect();
        if communes.is_empty() {
            return None;
        }
        let whole = communes.len() == self.communes.len();
        Some(Place {
            unit: self.unit.clone(),
            scope: self.scope,
            territory: if whole {
                self.territory.clone()
            } else {
                Some(communes.iter().map(|c| c.id).collect())
            },
            communes,
        })
    }
}

/// The unit `code` (default: the caller's own) if the caller may see it; a unit outside
/// the caller's scope is "not found", like a record. A legacy code (a province, district
/// or commune before the 2025 reorganisation) resolves to the current communes that hold
/// its territory.
pub async fn place(state: &AppState, who: &Identity, code: Option<&str>) -> Result<Place, AppError> {
    let own = who.scope();
    let place = match code.map(str::trim).filter(|c| !c.is_empty()) {
        None => match own {
            Scope::Province(p) | Scope::Commune(p) => {
                place_of(&state.db, units::get(&state.db, p).await?).await?
            }
        },
        Some(code) => place_of(&state.db, unit_for_figures(&state.db, code).await?).await?,
    };
    let inside = match own {
        Scope::Province(p) => place.communes.iter().all(|c| c.parent_id == Some(p)),
        Scope::Commune(c) => place.communes.iter().all(|u| u.id == c),
    };
    if !inside {
        return Err(AppError::not_found("no such unit in your scope"));
    }
    Ok(place)
}

/// The unit with this code for figures (no scope check: for the CLI and for callers that
/// check the scope themselves): a current province or commune, else a legacy unit.
pub async fn unit_for_figures(db: &Db, code: &str) -> Result<Unit, AppError> {
    units::for_figures(db, code.trim())
        .await?
        .ok_or_else(|| AppError::bad_param("unit", "not the code of a province, district or commune"))
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

/// The place of a unit: a current province or commune with its communes; a legacy unit
/// with the current communes of its territory, read within the current province that
/// holds them.
pub async fn place_of(db: &Db, unit: Unit) -> Result<Place, AppError> {
    if !unit.is_legacy() {
        let (scope, communes) = if unit.level == "commune" {
            (Scope::Commune(unit.id), vec![unit.clone()])
        } else {
            (Scope::Province(unit.id), units::children(db, unit.id).await?)
        };
        let communes = communes.into_iter().filter(|c| !c.is_legacy() && c.level == "commune").collect();
        return Ok(Place { unit, scope, communes, territory: None });
    }
    let ids = units::territory(db, &unit).await?;
    let mut communes = units::get_many(db, &ids).await?;
    communes.sort_by(|a, b| a.code.cmp(&b.code));
    let provinces: BTreeSet<i64> = communes.iter().filter_map(|c| c.parent_id).collect();
    let province = match (provinces.len(), provinces.first()) {
        (1, Some(p)) => *p,
        (0, _) => return Err(AppError::bad_param("unit", "this unit has no current commune in the lineage")),
        _ => {
            return Err(AppError::bad_param(
                "unit",
                "this unit's territory lies in several current provinces",
            ));
        }
    };
    let territory = Some(communes.iter().map(|c| c.id).collect());
    Ok(Place { unit, scope: Scope::Province(province), communes, territory })
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
    let mut data = indicator_data::load_many(db, place.scope, &ids, &reqs).await?;
    if let Some(t) = &place.territory {
        for d in &mut data {
            d.restrict(t);
        }
    }
    Ok(data.iter().map(indicators::compute).collect())
}

/// Which plan judges the figures.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PlanPick {
    /// The plan in force for the period whose territory meets the place: the province's
    /// own first, then a national one.
    Default,
    /// No plan: figures only.
    None,
    /// This plan; a period outside it is refused.
    Id(i64),
    /// This plan; a period after it ended shows its final result (the dashboard).
    IdOrFinal(i64),
}

impl PlanPick {
    /// From a query parameter: empty → default, `none` → none, else an id.
    pub fn parse(s: Option<&str>, final_if_ended: bool) -> Result<Self, AppError> {
        match s.map(str::trim).filter(|s| !s.is_empty()) {
            None => Ok(PlanPick::Default),
            Some("none") => Ok(PlanPick::None),
            Some(s) => {
                let id = s
                    .parse::<i64>()
                    .map_err(|_| AppError::bad_param("plan", "expected a plan id or 'none'"))?;
                Ok(if final_if_ended { PlanPick::IdOrFinal(id) } else { PlanPick::Id(id) })
            }
        }
    }
}

/// A target with its verdict and the figure it is about.
#[derive(Debug, Clone)]
pub struct JudgedTarget {
    /// The target.
    pub target: Target,
    /// The verdict (`diaban_domain::plan::verdict`).
    pub verdict: Verdict,
    /// The figure judged, over the plan's territory within the place.
    pub figure: Option<IndicatorValue>,
}

/// A plan judged for a place and a period: the one verdict the dashboard, the API, the
/// plan and areas pages and the reports show.
#[derive(Debug, Clone)]
pub struct JudgedPlan {
    /// The plan.
    pub plan: PlanRow,
    /// Where it is judged: the place asked, within the plan's territory.
    pub place: Place,
    /// How many current communes the plan's whole territory has.
    pub territory_size: usize,
    /// The period the plan is judged for: the one shown, or the plan's final year when
    /// the plan ended before it.
    pub period: StatPeriod,
    /// Whether the plan ended before the period shown (its final result is shown).
    pub ended: bool,
    /// The targets that apply to the period, in the plan's order.
    pub targets: Vec<JudgedTarget>,
}

impl JudgedPlan {
    /// The verdict on a target on `id`, if the plan has one for the period.
    pub fn on(&self, id: IndicatorId) -> Option<&JudgedTarget> {
        self.targets.iter().find(|t| t.target.indicator == id)
    }

    /// The territory in words: "40 xã, phường (địa bàn của kế hoạch)".
    pub fn territory_vi(&self) -> String {
        if self.place.communes.len() == self.territory_size {
            format!("{} xã, phường, đặc khu thuộc địa bàn của kế hoạch", self.place.communes.len())
        } else {
            format!(
                "{} trong {} xã, phường, đặc khu thuộc địa bàn của kế hoạch",
                self.place.communes.len(),
                self.territory_size
            )
        }
    }
}

/// The plan that judges `place` for `period`, with the place limited to the plan's
/// territory. A plan named by id must exist and apply to the place's province (or be
/// national; else 404), have a territory (else 400) that meets the place (else 400 on
/// `unit`), and be in force for the period (else 400 on `period`, unless
/// [`PlanPick::IdOrFinal`]). `None` when no plan applies or none is asked for.
pub async fn plan_for_in(
    db: &Db,
    place: &Place,
    pick: PlanPick,
    period: StatPeriod,
    cutoff: u32,
) -> Result<Option<(PlanRow, Place, usize)>, AppError> {
    let days = period.bounds(cutoff).ok_or_else(|| AppError::bad_param("period", "outside the calendar"))?;
    let province = match place.scope {
        Scope::Province(p) => p,
        Scope::Commune(_) => place.unit.scope_province_id.unwrap_or(place.unit.id),
    };
    let plans = diaban_store::plans::for_province(db, province).await?;
    let id = match pick {
        PlanPick::None => return Ok(None),
        PlanPick::Id(id) | PlanPick::IdOrFinal(id) => Some(id),
        PlanPick::Default => None,
    };
    if let Some(id) = id {
        let plan = plans.into_iter().find(|p| p.id == id).ok_or_else(|| {
            AppError::not_found("no such plan for this unit (unknown id, or a plan of another province)")
        })?;
        let territory: BTreeSet<i64> = diaban_store::plans::territory(db, &plan).await?.into_iter().collect();
        if territory.is_empty() {
            return Err(AppError::bad_param("plan", "the plan's territory has no current commune"));
        }
        let within = place.within(&territory).ok_or_else(|| {
            AppError::bad_param(
                "unit",
                "the unit lies outside the plan's territory: it is not judged against it",
            )
        })?;
        if let Err(e) = check_period(&plan.plan(), days, cutoff) {
            let ended = matches!(e, diaban_domain::plan::PlanPeriodError::AfterPlan(..));
            if !(ended && matches!(pick, PlanPick::IdOrFinal(_))) {
                return Err(AppError::bad_param("period", e.to_string()));
            }
        }
        return Ok(Some((plan, within, territory.len())));
    }
    // Owned plans come first in `for_province`, national ones after.
    for plan in plans {
        if !in_force(&plan.plan(), days) {
            continue;
        }
        let territory: BTreeSet<i64> = diaban_store::plans::territory(db, &plan).await?.into_iter().collect();
        if let Some(within) = place.within(&territory) {
            return Ok(Some((plan, within, territory.len())));
        }
    }
    Ok(None)
}

/// [`plan_for_in`] on the app's database.
pub async fn plan_for(
    state: &AppState,
    place: &Place,
    pick: PlanPick,
    period: StatPeriod,
    cutoff: u32,
) -> Result<Option<(PlanRow, Place, usize)>, AppError> {
    plan_for_in(&state.db, place, pick, period, cutoff).await
}

/// Judges `plan` on `plan_place` for `period`: computes the figures there (reusing
/// `values` when they were computed for the same communes and period) and gives each
/// target that applies its verdict. A plan that ended before the period is judged on its
/// final year instead, and says so.
pub async fn judge_in(
    db: &Db,
    (plan, plan_place, territory_size): (PlanRow, Place, usize),
    period: StatPeriod,
    shown: Option<(&Place, &[IndicatorValue])>,
) -> Result<JudgedPlan, AppError> {
    let cutoff = reporting_in(db).await?.cutoff_day;
    let days = period.bounds(cutoff).ok_or_else(|| AppError::bad_param("period", "outside the calendar"))?;
    let ended = days.from > plan.period_to;
    let judged_period = if ended { final_year(&plan.plan(), cutoff) } else { period };
    let same = shown.filter(|(p, _)| {
        !ended && p.commune_ids() == plan_place.commune_ids() && p.territory == plan_place.territory
    });
    let values = match same {
        Some((_, v)) => v.to_vec(),
        None => compute_in(db, &plan_place, judged_period, Some(plan.baseline_on)).await?,
    };
    let targets = diaban_store::plans::targets(db, plan.id).await?;
    let targets = targets
        .into_iter()
        .filter_map(|(_, t)| {
            let figure = values.iter().find(|v| v.id == t.indicator).cloned();
            let value = figure.as_ref().and_then(|f| f.value);
            let v = verdict(&t, judged_period, cutoff, value, DEFAULT_AT_RISK_MARGIN)?;
            Some(JudgedTarget { target: t, verdict: v, figure })
        })
        .collect();
    Ok(JudgedPlan { plan, place: plan_place, territory_size, period: judged_period, ended, targets })
}

/// [`judge_in`] on the app's database.
pub async fn judge(
    state: &AppState,
    chosen: (PlanRow, Place, usize),
    period: StatPeriod,
    shown: Option<(&Place, &[IndicatorValue])>,
) -> Result<JudgedPlan, AppError> {
    judge_in(&state.db, chosen, period, shown).await
}

/// The status as a CSS suffix (badges on every page use the same classes).
pub fn status_class(s: TargetStatus) -> &'static str {
    match s {
        TargetStatus::OnTrack => "on-track",
        TargetStatus::AtRisk => "at-risk",
        TargetStatus::OffTrack => "off-track",
        TargetStatus::NoData => "no-data",
        TargetStatus::InProgress => "in-progress",
    }
}

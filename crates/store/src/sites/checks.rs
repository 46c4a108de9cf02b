//! The checks after elimination: the schedule of a monitored site, recording a check
//! (activity re-forms the site), and the due and overdue checks per officer and commune.

use super::*;

/// A scheduled or recorded check of a site after elimination.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct Check {
    /// Id.
    pub id: i64,
    /// The site.
    pub site_id: i64,
    /// When it is due.
    pub due_on: NaiveDate,
    /// When it was done (None: pending).
    pub done_on: Option<NaiveDate>,
    /// `no_activity` or `activity` once done.
    pub outcome: Option<String>,
    /// What was seen.
    pub note: String,
    /// Who did it.
    pub by_user_id: Option<i64>,
}

const CHECK_COLUMNS: [&str; 7] = ["id", "site_id", "due_on", "done_on", "outcome", "note", "by_user_id"];

/// The checks of a site, by due date (no scope check: call after [`get`]).
#[tracing::instrument(skip(db))]
pub async fn checks(db: &Db, site_id: i64) -> Result<Vec<Check>, DbError> {
    let q = Query::select()
        .columns(CHECK_COLUMNS)
        .from("site_checks")
        .and_where(Expr::col("site_id").eq(site_id))
        .order_by("due_on", Order::Asc)
        .order_by("id", Order::Asc)
        .to_owned();
    db.exec().fetch_all(&q).await
}

/// What a check found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CheckOutcome {
    /// Không có hoạt động: nothing seen.
    NoActivity,
    /// Có hoạt động trở lại: the site has re-formed.
    Activity,
}

impl CheckOutcome {
    /// The stored form.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::NoActivity => "no_activity",
            Self::Activity => "activity",
        }
    }

    /// Parses the stored form.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "no_activity" => Some(Self::NoActivity),
            "activity" => Some(Self::Activity),
            _ => None,
        }
    }
}

/// A check done on a site under monitoring.
#[derive(Debug, Clone)]
pub struct CheckReport {
    /// The date it was done.
    pub on: NaiveDate,
    /// What it found.
    pub outcome: CheckOutcome,
    /// What was seen.
    pub note: String,
}

/// Records a check on a site under monitoring: it completes the earliest pending check
/// (or a check made outside the schedule when none is pending). Activity re-forms the
/// site in the same transaction. Returns the check's id.
#[tracing::instrument(skip(db, params, audit_entry))]
pub async fn record_check(
    db: &Db,
    site_id: i64,
    scope: Scope,
    report: &CheckReport,
    by: Option<i64>,
    params: &SiteParams,
    audit_entry: Option<NewEntry>,
) -> Result<i64, ChangeError> {
    let mut tx = db.begin().await?;
    let site = site_in_tx(&mut tx, site_id, scope).await?;
    if site.state != SiteState::Monitoring {
        return Err(ChangeError::Invalid(format!(
            "only a site under monitoring is checked; this one is {}",
            site.state.as_str()
        )));
    }
    if report.on < site.state_since {
        return Err(ChangeError::Invalid(format!(
            "the check date {} is before monitoring began ({})",
            report.on, site.state_since
        )));
    }
    let first_pending = Query::select()
        .column("id")
        .from("site_checks")
        .and_where(Expr::col("site_id").eq(site_id))
        .and_where(Expr::col("done_on").is_null())
        .order_by("due_on", Order::Asc)
        .order_by("id", Order::Asc)
        .limit(1)
        .to_owned();
    let pending: Option<IdRow> = tx.exec().fetch_optional(&first_pending).await?;
    let check_id = match pending {
        Some(p) => {
            let upd = Query::update()
                .table("site_checks")
                .values([
                    ("done_on", report.on.into()),
                    ("outcome", report.outcome.as_str().into()),
                    ("note", report.note.clone().into()),
                    ("by_user_id", by.into()),
                ])
                .and_where(Expr::col("id").eq(p.id))
                .to_owned();
            tx.exec().execute(&upd).await?;
            p.id
        }
        None => {
            let ins = Query::insert()
                .into_table("site_checks")
                .columns(["site_id", "due_on", "done_on", "outcome", "note", "by_user_id"])
                .values_panic([
                    site_id.into(),
                    report.on.into(),
                    report.on.into(),
                    report.outcome.as_str().into(),
                    report.note.clone().into(),
                    by.into(),
                ])
                .returning_col("id")
                .to_owned();
            tx.exec().fetch_one::<IdRow, _>(&ins).await?.id
        }
    };
    if report.outcome == CheckOutcome::Activity {
        let note = if report.note.trim().is_empty() {
            "activity seen at a monitoring check".to_owned()
        } else {
            report.note.clone()
        };
        step(&mut tx, &site, SiteState::Reformed, report.on, by, &note, params).await?;
    }
    if let Some(mut e) = audit_entry {
        e.target_type = "site".into();
        e.target_id = site_id.to_string();
        audit::append_in(&mut tx, &e).await?;
    }
    tx.commit().await?;
    Ok(check_id)
}

/// A pending check, with what a to-do list shows.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct DueCheck {
    /// The check.
    pub check_id: i64,
    /// When it is due.
    pub due_on: NaiveDate,
    /// The site.
    pub site_id: i64,
    /// Its name.
    pub site_name: String,
    /// Its unit.
    pub unit_id: i64,
    /// The unit's name.
    pub unit_name: String,
    /// The officer in charge.
    pub responsible_user_id: Option<i64>,
    /// Their display name.
    pub responsible_name: Option<String>,
}

/// Pending checks within `scope` due on or before `due_by`, earliest first; a check is
/// overdue when its due date is before today (see `diaban_domain::site::is_overdue`).
/// `responsible` narrows to one officer's sites.
#[tracing::instrument(skip(db))]
pub async fn due_checks(
    db: &Db,
    scope: Scope,
    due_by: NaiveDate,
    responsible: Option<i64>,
) -> Result<Vec<DueCheck>, DbError> {
    let mut q = Query::select()
        .expr_as(Expr::col(("c", "id")), "check_id")
        .column(("c", "due_on"))
        .expr_as(Expr::col(("s", "id")), "site_id")
        .expr_as(Expr::col(("s", "name")), "site_name")
        .column(("s", "unit_id"))
        .expr_as(Expr::col(("u", "name")), "unit_name")
        .column(("s", "responsible_user_id"))
        .expr_as(Expr::col(("r", "display_name")), "responsible_name")
        .from_as("site_checks", "c")
        .join_as(JoinType::InnerJoin, "sites", "s", Expr::col(("s", "id")).equals(("c", "site_id")))
        .join_as(
            JoinType::LeftJoin,
            "users",
            "r",
            Expr::col(("r", "id")).equals(("s", "responsible_user_id")),
        )
        .to_owned();
    join_units(&mut q);
    q.cond_where(scope.cond("u"))
        .and_where(Expr::col(("c", "done_on")).is_null())
        .and_where(Expr::col(("c", "due_on")).lte(due_by))
        .order_by(("c", "due_on"), Order::Asc)
        .order_by(("c", "id"), Order::Asc);
    if let Some(r) = responsible {
        q.and_where(Expr::col(("s", "responsible_user_id")).eq(r));
    }
    db.exec().fetch_all(&q).await
}

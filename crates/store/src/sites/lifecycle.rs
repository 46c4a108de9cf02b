//! The dated lifecycle of a site: each step recorded with who made it, the current state
//! kept beside the history, checks scheduled on entering monitoring and dropped on
//! leaving it, attachments sealed in the step's transaction; and the histories behind
//! targets T1 and T2.

use super::*;

/// One recorded step of a site's lifecycle.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct Transition {
    /// Id.
    pub id: i64,
    /// The state before (None for the first state).
    pub from_state: Option<String>,
    /// The state after.
    pub to_state: String,
    /// The date it took effect.
    pub on_date: NaiveDate,
    /// Who recorded it.
    pub by_user_id: Option<i64>,
    /// Their display name.
    pub by_name: Option<String>,
    /// Evidence or decision.
    pub note: String,
    /// When it was recorded.
    pub created_at: DateTime<Utc>,
}

/// The history of a site, oldest first (no scope check: call after [`get`]).
#[tracing::instrument(skip(db))]
pub async fn transitions(db: &Db, site_id: i64) -> Result<Vec<Transition>, DbError> {
    let q = Query::select()
        .columns(
            ["id", "from_state", "to_state", "on_date", "by_user_id", "note", "created_at"].map(|c| ("t", c)),
        )
        .expr_as(Expr::col(("us", "display_name")), "by_name")
        .from_as("site_transitions", "t")
        .join_as(JoinType::LeftJoin, "users", "us", Expr::col(("us", "id")).equals(("t", "by_user_id")))
        .and_where(Expr::col(("t", "site_id")).eq(site_id))
        .order_by(("t", "on_date"), Order::Asc)
        .order_by(("t", "id"), Order::Asc)
        .to_owned();
    db.exec().fetch_all(&q).await
}

/// Reads the site inside the transaction, within scope.
pub(super) async fn site_in_tx(tx: &mut Tx, id: i64, scope: Scope) -> Result<Site, ChangeError> {
    let q = select_sites().and_where(Expr::col(("s", "id")).eq(id)).cond_where(scope.cond("u")).to_owned();
    let row: Option<Row> = tx.exec().fetch_optional(&q).await?;
    row.map(Site::try_from).transpose()?.ok_or(ChangeError::NotFound)
}

/// Moves the site from `from` to `to` on `on`: checks the step, records it, updates the
/// current state only if it is still `from` (else [`ChangeError::Concurrent`]), drops
/// pending checks when the site leaves monitoring and schedules them when it enters it.
/// Returns the id of the recorded transition.
#[allow(clippy::too_many_arguments)]
pub(super) async fn step(
    tx: &mut Tx,
    site: &Site,
    to: SiteState,
    on: NaiveDate,
    by: Option<i64>,
    note: &str,
    params: &SiteParams,
) -> Result<i64, ChangeError> {
    transition(site.state, to).map_err(ChangeError::Refused)?;
    if on < site.state_since {
        return Err(ChangeError::Invalid(format!(
            "the date {on} is before the current state's date {}",
            site.state_since
        )));
    }
    let upd = Query::update()
        .table("sites")
        .values([
            ("state", to.as_str().into()),
            ("state_since", on.into()),
            ("updated_at", crate::now().into()),
        ])
        .and_where(Expr::col("id").eq(site.id))
        .and_where(Expr::col("state").eq(site.state.as_str()))
        .to_owned();
    if tx.exec().execute(&upd).await? != 1 {
        return Err(ChangeError::Concurrent);
    }
    let transition_id = insert_transition(tx, site.id, Some(site.state), to, on, by, note).await?;
    if site.state == SiteState::Monitoring {
        let drop_pending = Query::delete()
            .from_table("site_checks")
            .and_where(Expr::col("site_id").eq(site.id))
            .and_where(Expr::col("done_on").is_null())
            .to_owned();
        tx.exec().execute(&drop_pending).await?;
    }
    if to == SiteState::Monitoring {
        // The schedule counts from the elimination, which is the state being left.
        let due = monitoring_schedule(site.state_since, params);
        if !due.is_empty() {
            let mut ins =
                Query::insert().into_table("site_checks").columns(["site_id", "due_on", "note"]).to_owned();
            for d in due {
                ins.values_panic([site.id.into(), d.into(), "".into()]);
            }
            tx.exec().execute(&ins).await?;
        }
    }
    Ok(transition_id)
}

/// A requested state change.
#[derive(Debug, Clone)]
pub struct TransitionRequest {
    /// The state wanted.
    pub to: SiteState,
    /// The date it took effect.
    pub on: NaiveDate,
    /// Evidence or decision.
    pub note: String,
}

/// Moves a site within `scope` to another state, with its history, its checks and
/// `audit_entry` (target set to the site) in one transaction.
#[tracing::instrument(skip(db, params, audit_entry))]
pub async fn change_state(
    db: &Db,
    site_id: i64,
    scope: Scope,
    req: &TransitionRequest,
    by: Option<i64>,
    params: &SiteParams,
    audit_entry: Option<NewEntry>,
) -> Result<(), ChangeError> {
    change_state_in(db, site_id, scope, req, None, by, params, audit_entry).await.map(|_| ())
}

/// What [`change_state_with_attachments`] recorded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StepRecorded {
    /// The transition.
    pub transition_id: i64,
    /// Its attachments, in the order given.
    pub attachment_ids: Vec<i64>,
}

/// [`change_state`] with documents or photos (already checked by
/// `diaban_domain::attachment::check_files`), sealed with `keys` and stored in the same
/// transaction as the step: a refused step writes no file and a file that cannot be
/// written leaves no step. Besides `audit_entry`, each file gets an entry
/// `site.attachment.add` (a copy of it, targeting the attachment).
#[allow(clippy::too_many_arguments)]
#[tracing::instrument(skip(db, keys, files, params, audit_entry), fields(files = files.len()))]
pub async fn change_state_with_attachments(
    db: &Db,
    keys: &KeyRing,
    site_id: i64,
    scope: Scope,
    req: &TransitionRequest,
    files: &[CheckedFile],
    by: Option<i64>,
    params: &SiteParams,
    audit_entry: Option<NewEntry>,
) -> Result<StepRecorded, ChangeError> {
    change_state_in(db, site_id, scope, req, Some((keys, files)), by, params, audit_entry).await
}

#[allow(clippy::too_many_arguments)]
async fn change_state_in(
    db: &Db,
    site_id: i64,
    scope: Scope,
    req: &TransitionRequest,
    attach: Option<(&KeyRing, &[CheckedFile])>,
    by: Option<i64>,
    params: &SiteParams,
    audit_entry: Option<NewEntry>,
) -> Result<StepRecorded, ChangeError> {
    let mut tx = db.begin().await?;
    let site = site_in_tx(&mut tx, site_id, scope).await?;
    let transition_id = step(&mut tx, &site, req.to, req.on, by, &req.note, params).await?;
    let mut attachment_ids = Vec::new();
    if let Some((keys, files)) = attach {
        for f in files {
            attachment_ids.push(
                crate::site_attachments::add_in(&mut tx, keys, site_id, Some(transition_id), f, by).await?,
            );
        }
    }
    if let Some(mut e) = audit_entry {
        for id in &attachment_ids {
            let mut a = e.clone();
            a.action = "site.attachment.add".into();
            a.target_type = "site_attachment".into();
            a.target_id = id.to_string();
            audit::append_in(&mut tx, &a).await?;
        }
        e.target_type = "site".into();
        e.target_id = site_id.to_string();
        audit::append_in(&mut tx, &e).await?;
    }
    tx.commit().await?;
    Ok(StepRecorded { transition_id, attachment_ids })
}

#[derive(sqlx::FromRow)]
struct HistRow {
    site_id: i64,
    commune: Option<i64>,
    kind: String,
    hot_spot: bool,
    to_state: String,
    on_date: NaiveDate,
}

/// The dated histories of every site within `scope`, for
/// `diaban_domain::site::site_counts` (targets T1 and T2).
#[tracing::instrument(skip(db))]
pub async fn site_histories(db: &Db, scope: Scope) -> Result<Vec<SiteHistory>, DbError> {
    Ok(site_histories_by_commune(db, scope).await?.into_iter().map(|(_, h)| h).collect())
}

/// The same histories with the current commune each site counts towards (a site on a
/// legacy unit counts towards the commune that unit became).
#[tracing::instrument(skip(db))]
pub async fn site_histories_by_commune(
    db: &Db,
    scope: Scope,
) -> Result<Vec<(Option<i64>, SiteHistory)>, DbError> {
    let mut q = Query::select()
        .column(("t", "site_id"))
        .expr_as(Expr::col(("u", "scope_commune_id")), "commune")
        .columns([("s", "kind"), ("s", "hot_spot")])
        .columns([("t", "to_state"), ("t", "on_date")])
        .from_as("site_transitions", "t")
        .join_as(JoinType::InnerJoin, "sites", "s", Expr::col(("s", "id")).equals(("t", "site_id")))
        .to_owned();
    join_units(&mut q);
    q.cond_where(scope.cond("u"))
        .order_by(("t", "site_id"), Order::Asc)
        .order_by(("t", "on_date"), Order::Asc)
        .order_by(("t", "id"), Order::Asc);
    let rows: Vec<HistRow> = db.exec().fetch_all(&q).await?;
    let mut by_site: BTreeMap<i64, (Option<i64>, SiteHistory)> = BTreeMap::new();
    for r in rows {
        let state: SiteState = stored(r.to_state.parse())?;
        let h = match by_site.entry(r.site_id) {
            std::collections::btree_map::Entry::Occupied(o) => o.into_mut(),
            std::collections::btree_map::Entry::Vacant(v) => v.insert((
                r.commune,
                SiteHistory { kind: stored(r.kind.parse())?, hot_spot: r.hot_spot, transitions: Vec::new() },
            )),
        };
        h.1.transitions.push((r.on_date, state));
    }
    Ok(by_site.into_values().collect())
}

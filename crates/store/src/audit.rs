//! The audit log: one append-only table written only through [`append`]. Every entry
//! carries the hash of the one before it (SHA-256 chain, see `diaban_vault::chain`), and
//! a one-row head records the last sequence number and hash, so [`verify`] finds a
//! modified, deleted or inserted entry and names the first that does not fit.
//!
//! The chain is not keyed: someone who can write the database and recompute every hash
//! could rewrite history. Recording the head hash elsewhere (it is printed by
//! `diaban audit verify`) closes that gap; docs/security.md says how.

use crate::db::{Db, Tx};
use crate::error::DbError;
use crate::exec::Count;
use chrono::{DateTime, NaiveDate, Utc};
use diaban_vault::chain::{GENESIS_HASH, entry_hash};
use sea_query::{Cond, Expr, ExprTrait, LikeExpr, Order, Query};
use serde::Serialize;

/// What to record. Never put personal data in any field: targets are ids.
#[derive(Debug, Clone, Default)]
pub struct NewEntry {
    /// The acting user, if any.
    pub actor_user_id: Option<i64>,
    /// Username, or "anonymous", or "cli".
    pub actor: String,
    /// The actor's role (empty when none).
    pub role: String,
    /// The actor's scope unit code (empty when none).
    pub unit_code: String,
    /// What was done, e.g. "person.read", "user.create", "login.failure".
    pub action: String,
    /// The kind of thing acted on, e.g. "person".
    pub target_type: String,
    /// Its id (never a name or identity number).
    pub target_id: String,
    /// The reason given, if any.
    pub reason: String,
    /// Client address.
    pub ip: String,
    /// "ok" or "denied".
    pub outcome: String,
}

/// A stored entry.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct Entry {
    /// Sequence number, from 1 without gaps.
    pub id: i64,
    /// When.
    pub at: DateTime<Utc>,
    /// The same instant in microseconds (hashed).
    pub at_us: i64,
    /// Acting user id.
    pub actor_user_id: Option<i64>,
    /// Acting user name.
    pub actor: String,
    /// Role.
    pub role: String,
    /// Scope unit code.
    pub unit_code: String,
    /// Action.
    pub action: String,
    /// Target kind.
    pub target_type: String,
    /// Target id.
    pub target_id: String,
    /// Reason.
    pub reason: String,
    /// Client address.
    pub ip: String,
    /// ok or denied.
    pub outcome: String,
    /// Hash of the previous entry.
    pub prev_hash: String,
    /// This entry's hash.
    pub hash: String,
}

const COLUMNS: [&str; 15] = [
    "id",
    "at",
    "at_us",
    "actor_user_id",
    "actor",
    "role",
    "unit_code",
    "action",
    "target_type",
    "target_id",
    "reason",
    "ip",
    "outcome",
    "prev_hash",
    "hash",
];

fn compute_hash(prev: &str, id: i64, at_us: i64, e: &NewEntry) -> String {
    let actor_id = e.actor_user_id.map(|i| i.to_string()).unwrap_or_default();
    entry_hash(
        prev,
        &[
            ("id", &id.to_string()),
            ("at_us", &at_us.to_string()),
            ("actor_user_id", &actor_id),
            ("actor", &e.actor),
            ("role", &e.role),
            ("unit_code", &e.unit_code),
            ("action", &e.action),
            ("target_type", &e.target_type),
            ("target_id", &e.target_id),
            ("reason", &e.reason),
            ("ip", &e.ip),
            ("outcome", &e.outcome),
        ],
    )
}

#[derive(sqlx::FromRow)]
struct Head {
    seq: i64,
    last_hash: String,
}

/// Appends an entry in its own transaction.
pub async fn append(db: &Db, e: &NewEntry) -> Result<i64, DbError> {
    let mut tx = db.begin().await?;
    let id = append_in(&mut tx, e).await?;
    tx.commit().await?;
    Ok(id)
}

/// Appends an entry inside the caller's transaction, so the change and its record
/// commit together. Taking the head row first serialises concurrent appends.
pub async fn append_in(tx: &mut Tx, e: &NewEntry) -> Result<i64, DbError> {
    let bump = Query::update()
        .table("audit_head")
        .value("seq", Expr::col("seq").add(1))
        .and_where(Expr::col("id").eq(1))
        .returning(Query::returning().columns(["seq", "last_hash"]))
        .to_owned();
    let head: Head = tx.exec().fetch_one(&bump).await?;
    let at = crate::now();
    let at_us = at.timestamp_micros();
    let hash = compute_hash(&head.last_hash, head.seq, at_us, e);
    let ins = Query::insert()
        .into_table("audit_log")
        .columns(COLUMNS)
        .values_panic([
            head.seq.into(),
            at.into(),
            at_us.into(),
            e.actor_user_id.into(),
            e.actor.clone().into(),
            e.role.clone().into(),
            e.unit_code.clone().into(),
            e.action.clone().into(),
            e.target_type.clone().into(),
            e.target_id.clone().into(),
            e.reason.clone().into(),
            e.ip.clone().into(),
            e.outcome.clone().into(),
            head.last_hash.clone().into(),
            hash.clone().into(),
        ])
        .to_owned();
    tx.exec().execute(&ins).await?;
    let set = Query::update()
        .table("audit_head")
        .values([("last_hash", hash.into())])
        .and_where(Expr::col("id").eq(1))
        .to_owned();
    tx.exec().execute(&set).await?;
    Ok(head.seq)
}

/// The result of [`verify`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct VerifyReport {
    /// Entries read.
    pub entries: i64,
    /// The hash of the last entry (record it elsewhere to anchor the chain).
    pub head_hash: String,
    /// The first entry that does not fit, and why; None when the chain is intact.
    pub first_problem: Option<(i64, String)>,
}

/// Checks the whole chain, in pages, and the head.
pub async fn verify(db: &Db) -> Result<VerifyReport, DbError> {
    let mut prev = GENESIS_HASH.to_owned();
    let mut expected = 1i64;
    let mut entries = 0i64;
    loop {
        let q = Query::select()
            .columns(COLUMNS)
            .from("audit_log")
            .and_where(Expr::col("id").gte(expected))
            .order_by("id", Order::Asc)
            .limit(5000)
            .to_owned();
        let page: Vec<Entry> = db.exec().fetch_all(&q).await?;
        if page.is_empty() {
            break;
        }
        for r in page {
            entries += 1;
            let problem = if r.id != expected {
                Some((expected, format!("entry {expected} is missing (deleted)")))
            } else if r.prev_hash != prev {
                Some((
                    r.id,
                    format!(
                        "entry {} does not follow entry {} (inserted, or the chain was rewritten)",
                        r.id,
                        r.id - 1
                    ),
                ))
            } else {
                let e = NewEntry {
                    actor_user_id: r.actor_user_id,
                    actor: r.actor.clone(),
                    role: r.role.clone(),
                    unit_code: r.unit_code.clone(),
                    action: r.action.clone(),
                    target_type: r.target_type.clone(),
                    target_id: r.target_id.clone(),
                    reason: r.reason.clone(),
                    ip: r.ip.clone(),
                    outcome: r.outcome.clone(),
                };
                (compute_hash(&prev, r.id, r.at_us, &e) != r.hash || r.at.timestamp_micros() != r.at_us)
                    .then(|| (r.id, format!("entry {} was modified", r.id)))
            };
            if let Some(p) = problem {
                return Ok(VerifyReport { entries, head_hash: prev, first_problem: Some(p) });
            }
            prev = r.hash;
            expected += 1;
        }
    }
    let head: Head = db
        .exec()
        .fetch_one(
            &Query::select()
                .columns(["seq", "last_hash"])
                .from("audit_head")
                .and_where(Expr::col("id").eq(1))
                .to_owned(),
        )
        .await?;
    let last = expected - 1;
    // Name the first entry the head does not vouch for: one past the shorter count when
    // entries were deleted from or added at the end, the last one when the counts agree
    // but its hash does not.
    let first_problem = if head.seq != last {
        let id = Ord::min(head.seq, last) + 1;
        Some((
            id,
            format!(
                "entry {id}: the head says {} entries but {} were found (entries at the end were deleted or added)",
                head.seq, last
            ),
        ))
    } else if head.last_hash != prev {
        Some((last, format!("entry {last} does not match the hash recorded in the head (rewritten)")))
    } else {
        None
    };
    Ok(VerifyReport { entries, head_hash: prev, first_problem })
}

/// Filters for [`search`].
#[derive(Debug, Clone, Default)]
pub struct AuditFilter {
    /// Username equals.
    pub actor: Option<String>,
    /// Action starts with (e.g. "person.").
    pub action_prefix: Option<String>,
    /// Target kind equals.
    pub target_type: Option<String>,
    /// Target id equals.
    pub target_id: Option<String>,
    /// From this day (UTC), inclusive.
    pub from: Option<NaiveDate>,
    /// To this day (UTC), inclusive.
    pub to: Option<NaiveDate>,
    /// Page size.
    pub limit: u64,
    /// Rows to skip.
    pub offset: u64,
}

fn day_start_us(d: NaiveDate) -> i64 {
    d.and_hms_opt(0, 0, 0).map_or(0, |t| t.and_utc().timestamp_micros())
}

/// Entries matching the filter, newest first, with the total.
pub async fn search(db: &Db, f: &AuditFilter) -> Result<(Vec<Entry>, i64), DbError> {
    let mut c = Cond::all();
    if let Some(a) = &f.actor {
        c = c.add(Expr::col("actor").eq(a.to_lowercase()));
    }
    if let Some(a) = &f.action_prefix {
        // `%` and `_` are LIKE wildcards and action names contain `_`
        // (user.change_password): escape them, never drop them.
        let escaped = a.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_");
        c = c.add(Expr::col("action").like(LikeExpr::new(format!("{escaped}%")).escape('\\')));
    }
    if let Some(t) = &f.target_type {
        c = c.add(Expr::col("target_type").eq(t.as_str()));
    }
    if let Some(t) = &f.target_id {
        c = c.add(Expr::col("target_id").eq(t.as_str()));
    }
    if let Some(d) = f.from {
        c = c.add(Expr::col("at_us").gte(day_start_us(d)));
    }
    if let Some(d) = f.to.and_then(|d| d.succ_opt()) {
        c = c.add(Expr::col("at_us").lt(day_start_us(d)));
    }
    let count = Query::select()
        .expr_as(Expr::col("id").count(), "n")
        .from("audit_log")
        .cond_where(c.clone())
        .to_owned();
    let total: Count = db.exec().fetch_one(&count).await?;
    let q = Query::select()
        .columns(COLUMNS)
        .from("audit_log")
        .cond_where(c)
        .order_by("id", Order::Desc)
        .limit(f.limit)
        .offset(f.offset)
        .to_owned();
    Ok((db.exec().fetch_all(&q).await?, total.n))
}

/// Counts by action in a period (for the personal-data-protection report).
pub async fn count_actions(
    db: &Db,
    action_prefix: &str,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<i64, DbError> {
    let (entries, total) = search(
        db,
        &AuditFilter {
            action_prefix: Some(action_prefix.into()),
            from: Some(from),
            to: Some(to),
            limit: 0,
            ..Default::default()
        },
    )
    .await?;
    drop(entries);
    Ok(total)
}

/// The personal-data protection counts of a period for the actors scoped to `unit_codes`
/// (a province's report: the province and its communes): reads of persons, exports with
/// and without identities, refusals and failed sign-ins. Counts only.
pub async fn protection_counts(
    db: &Db,
    from: NaiveDate,
    to: NaiveDate,
    unit_codes: &[String],
) -> Result<diaban_domain::report::Protection, DbError> {
    let base = || {
        let mut c = Cond::all()
            .add(Expr::col("at_us").gte(day_start_us(from)))
            .add(Expr::col("unit_code").is_in(unit_codes.iter().map(String::as_str)));
        if let Some(next) = to.succ_opt() {
            c = c.add(Expr::col("at_us").lt(day_start_us(next)));
        }
        c
    };
    let count = |c: Cond| {
        Query::select().expr_as(Expr::col("id").count(), "n").from("audit_log").cond_where(c).to_owned()
    };
    let ok = |c: Cond| c.add(Expr::col("outcome").eq("ok"));
    let n = |q| async move { db.exec().fetch_one::<Count, _>(&q).await.map(|c| c.n) };
    Ok(diaban_domain::report::Protection {
        person_reads: n(count(ok(base().add(Expr::col("action").eq("person.read"))))).await?,
        identity_exports: n(count(ok(base().add(Expr::col("action").eq("person.export"))))).await?,
        other_exports: n(count(ok(base()
            .add(Expr::col("action").like("%.export"))
            .add(Expr::col("action").ne("person.export")))))
        .await?,
        // Failed sign-ins are refusals too; they are counted on their own line.
        denied: n(count(
            base().add(Expr::col("outcome").eq("denied")).add(Expr::col("action").not_like("login.%")),
        ))
        .await?,
        failed_logins: n(count(base().add(Expr::col("action").eq("login.failure")))).await?,
    })
}

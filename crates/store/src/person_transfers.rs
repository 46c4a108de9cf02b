//! Changes of residence (chuyển nơi cư trú). Recording a move is the old commune's
//! notification to the receiving one: the record moves to the receiving commune at once
//! (it is theirs to manage from then on), which sees it in its incoming list until it
//! records that the person reported there. From 1/7/2026 both steps have 24-hour
//! deadlines (Law 120/2025), kept with the transfer so an overdue step stays visible.

use crate::audit::{self, NewEntry};
use crate::db::Db;
use crate::error::DbError;
use crate::exec::IdRow;
use crate::persons::Scope;
use chrono::{DateTime, Utc};
use diaban_domain::person::{
    Regime, is_transfer_overdue, transfer_notification_deadline, transfer_report_deadline,
};
use sea_query::{Alias, Expr, ExprTrait, JoinType, Order, Query, SelectStatement};
use serde::Serialize;

/// A move as the old commune records it.
#[derive(Debug, Clone)]
pub struct NewTransfer {
    /// The person.
    pub person_id: i64,
    /// The receiving commune (a current unit).
    pub to_unit_id: i64,
    /// When the person moved.
    pub moved_at: DateTime<Utc>,
    /// When the police learnt of it (starts the notification clock).
    pub known_at: DateTime<Utc>,
}

/// A stored transfer, with the units' names (no personal data).
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct Transfer {
    /// Id.
    pub id: i64,
    /// The person.
    pub person_id: i64,
    /// Old residence unit.
    pub from_unit_id: i64,
    /// Its name.
    pub from_unit_name: String,
    /// Receiving unit.
    pub to_unit_id: i64,
    /// Its name.
    pub to_unit_name: String,
    /// When the person moved.
    pub moved_at: DateTime<Utc>,
    /// When the police learnt of it.
    pub known_at: DateTime<Utc>,
    /// Stored form of the regime in force on the day of the move.
    pub regime: String,
    /// When the receiving commune was notified (the recording).
    pub notified_at: DateTime<Utc>,
    /// By when it had to be notified (Law 120/2025 only).
    pub notify_deadline: Option<DateTime<Utc>>,
    /// By when the person had to report at the new place (Law 120/2025 only).
    pub report_deadline: Option<DateTime<Utc>>,
    /// When the person reported there.
    pub reported_at: Option<DateTime<Utc>>,
}

impl Transfer {
    /// The notification came after its deadline.
    pub fn notification_overdue(&self) -> bool {
        is_transfer_overdue(self.notify_deadline, Some(self.notified_at), self.notified_at)
    }

    /// The person has not reported (or reported late) past the deadline, at `now`.
    pub fn report_overdue(&self, now: DateTime<Utc>) -> bool {
        is_transfer_overdue(self.report_deadline, self.reported_at, now)
    }
}

fn select() -> SelectStatement {
    Query::select()
        .columns(
            [
                "id",
                "person_id",
                "from_unit_id",
                "to_unit_id",
                "moved_at",
                "known_at",
                "regime",
                "notified_at",
                "notify_deadline",
                "report_deadline",
                "reported_at",
            ]
            .map(|c| ("t", c)),
        )
        .expr_as(Expr::col(("f", "name")), Alias::new("from_unit_name"))
        .expr_as(Expr::col(("u", "name")), Alias::new("to_unit_name"))
        .from_as("person_transfers", "t")
        .join_as(JoinType::InnerJoin, "units", "f", Expr::col(("f", "id")).equals(("t", "from_unit_id")))
        .join_as(JoinType::InnerJoin, "units", "u", Expr::col(("u", "id")).equals(("t", "to_unit_id")))
        .to_owned()
}

/// Records a move and hands the record to the receiving commune, in one transaction with
/// its audit entry. The deadlines follow the regime of the day of the move.
pub async fn record(
    db: &Db,
    t: &NewTransfer,
    by: Option<i64>,
    mut audit_entry: NewEntry,
) -> Result<i64, DbError> {
    let mut tx = db.begin().await?;
    let q = Query::select()
        .expr_as(Expr::col("residence_unit_id"), Alias::new("id"))
        .from("persons")
        .and_where(Expr::col("id").eq(t.person_id))
        .to_owned();
    let from: IdRow = tx.exec().fetch_one(&q).await?;
    let regime = Regime::at(t.moved_at);
    let now = crate::now();
    let q = Query::insert()
        .into_table("person_transfers")
        .columns([
            "person_id",
            "from_unit_id",
            "to_unit_id",
            "moved_at",
            "known_at",
            "regime",
            "notified_at",
            "notify_deadline",
            "report_deadline",
            "created_by",
            "created_at",
        ])
        .values_panic([
            t.person_id.into(),
            from.id.into(),
            t.to_unit_id.into(),
            t.moved_at.into(),
            t.known_at.into(),
            regime.as_str().into(),
            now.into(),
            transfer_notification_deadline(t.known_at, regime).into(),
            transfer_report_deadline(t.moved_at, regime).into(),
            by.into(),
            now.into(),
        ])
        .returning_col("id")
        .to_owned();
    let id: IdRow = tx.exec().fetch_one(&q).await?;
    let q = Query::update()
        .table("persons")
        .values([("residence_unit_id", t.to_unit_id.into()), ("updated_at", now.into())])
        .and_where(Expr::col("id").eq(t.person_id))
        .to_owned();
    tx.exec().execute(&q).await?;
    // The record now counts in the receiving commune.
    crate::person_facts::refresh(&mut tx, &[t.person_id]).await?;
    audit_entry.target_type = "person".into();
    audit_entry.target_id = t.person_id.to_string();
    audit::append_in(&mut tx, &audit_entry).await?;
    tx.commit().await?;
    Ok(id.id)
}

/// A person's transfers, newest first.
pub async fn of_person(db: &Db, person_id: i64) -> Result<Vec<Transfer>, DbError> {
    let q = select()
        .and_where(Expr::col(("t", "person_id")).eq(person_id))
        .order_by(("t", "moved_at"), Order::Desc)
        .to_owned();
    db.exec().fetch_all(&q).await
}

/// Transfers into `scope`: those still waiting for the person to report, or all when
/// `include_reported`; newest first.
pub async fn incoming(
    db: &Db,
    scope: Scope,
    include_reported: bool,
    limit: u64,
) -> Result<Vec<Transfer>, DbError> {
    let mut q = select().cond_where(scope.cond("u")).to_owned();
    if !include_reported {
        q.and_where(Expr::col(("t", "reported_at")).is_null());
    }
    let q = q.order_by(("t", "moved_at"), Order::Desc).limit(limit).to_owned();
    db.exec().fetch_all(&q).await
}

/// The receiving commune records that the person reported at `at`. `Ok(false)` when the
/// transfer is not into the scope or was already marked.
pub async fn mark_reported(
    db: &Db,
    transfer_id: i64,
    scope: Scope,
    at: DateTime<Utc>,
    by: Option<i64>,
    mut audit_entry: NewEntry,
) -> Result<bool, DbError> {
    let mut tx = db.begin().await?;
    let q = select()
        .cond_where(scope.cond("u"))
        .and_where(Expr::col(("t", "id")).eq(transfer_id))
        .and_where(Expr::col(("t", "reported_at")).is_null())
        .to_owned();
    let Some(t) = tx.exec().fetch_optional::<Transfer, _>(&q).await? else {
        return Ok(false);
    };
    let q = Query::update()
        .table("person_transfers")
        .values([("reported_at", at.into()), ("received_by", by.into())])
        .and_where(Expr::col("id").eq(transfer_id))
        .to_owned();
    tx.exec().execute(&q).await?;
    audit_entry.target_type = "person".into();
    audit_entry.target_id = t.person_id.to_string();
    audit::append_in(&mut tx, &audit_entry).await?;
    tx.commit().await?;
    Ok(true)
}

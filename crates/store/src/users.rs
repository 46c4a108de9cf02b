//! User accounts: each with one role scoped to one unit.

use crate::db::Db;
use crate::error::DbError;
use crate::exec::IdRow;
use chrono::{DateTime, Utc};
use diaban_domain::access::Role;
use sea_query::{Cond, Expr, ExprTrait, JoinType, Order, Query};
use serde::Serialize;

/// An account as stored (the password hash never leaves the store except for checking).
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct User {
    /// Id.
    pub id: i64,
    /// Sign-in name.
    pub username: String,
    /// Name shown in the header.
    pub display_name: String,
    /// PHC string of the argon2id hash.
    #[serde(skip)]
    pub password_hash: String,
    /// Role (stored form).
    pub role: String,
    /// The unit the role is scoped to.
    pub unit_id: i64,
    /// A leader may read personal details only when granted.
    pub personal_data_granted: bool,
    /// Interface language: vi or en.
    pub lang: String,
    /// Sealed TOTP secret, when two-factor is set up.
    #[serde(skip)]
    pub totp_secret: Option<String>,
    /// Last TOTP time step accepted (replay protection).
    pub totp_last_step: Option<i64>,
    /// The password was set by an administrator and must be changed.
    pub must_change_password: bool,
    /// Disabled accounts cannot sign in; their sessions and tokens stop working.
    pub disabled: bool,
    /// When created.
    pub created_at: DateTime<Utc>,
    /// When the password was last set.
    pub password_changed_at: DateTime<Utc>,
}

impl User {
    /// The role as a typed value; an unknown stored role (impossible through the CHECK
    /// constraint) is treated as the least-privileged role.
    pub fn role(&self) -> Role {
        self.role.parse().unwrap_or(Role::Auditor)
    }
}

const COLUMNS: [&str; 14] = [
    "id",
    "username",
    "display_name",
    "password_hash",
    "role",
    "unit_id",
    "personal_data_granted",
    "lang",
    "totp_secret",
    "totp_last_step",
    "must_change_password",
    "disabled",
    "created_at",
    "password_changed_at",
];

/// What is needed to create an account.
#[derive(Debug, Clone)]
pub struct NewUser {
    /// Sign-in name (stored lowercase).
    pub username: String,
    /// Display name.
    pub display_name: String,
    /// argon2id PHC string.
    pub password_hash: String,
    /// Role.
    pub role: Role,
    /// Scope unit.
    pub unit_id: i64,
    /// Whether the password must be changed at first sign-in.
    pub must_change_password: bool,
}

/// Creates an account; a taken username is [`DbError::Conflict`].
#[tracing::instrument(skip_all, fields(username = %u.username))]
pub async fn create(db: &Db, u: &NewUser) -> Result<i64, DbError> {
    let now = crate::now();
    let q = Query::insert()
        .into_table("users")
        .columns([
            "username",
            "display_name",
            "password_hash",
            "role",
            "unit_id",
            "must_change_password",
            "created_at",
            "password_changed_at",
        ])
        .values_panic([
            u.username.to_lowercase().into(),
            u.display_name.clone().into(),
            u.password_hash.clone().into(),
            u.role.as_str().into(),
            u.unit_id.into(),
            u.must_change_password.into(),
            now.into(),
            now.into(),
        ])
        .returning_col("id")
        .to_owned();
    let row: IdRow = db.exec().fetch_one(&q).await?;
    Ok(row.id)
}

/// An account by sign-in name (case-insensitive).
pub async fn by_username(db: &Db, username: &str) -> Result<Option<User>, DbError> {
    let q = Query::select()
        .columns(COLUMNS)
        .from("users")
        .and_where(Expr::col("username").eq(username.trim().to_lowercase()))
        .to_owned();
    db.exec().fetch_optional(&q).await
}

/// An account by id.
pub async fn get(db: &Db, id: i64) -> Result<User, DbError> {
    let q = Query::select().columns(COLUMNS).from("users").and_where(Expr::col("id").eq(id)).to_owned();
    db.exec().fetch_one(&q).await
}

/// Every account, by username.
pub async fn list(db: &Db) -> Result<Vec<User>, DbError> {
    let q = Query::select().columns(COLUMNS).from("users").order_by("username", Order::Asc).to_owned();
    db.exec().fetch_all(&q).await
}

/// Sets a new password hash; `must_change` when an administrator reset it.
pub async fn set_password(db: &Db, id: i64, hash: &str, must_change: bool) -> Result<(), DbError> {
    let q = Query::update()
        .table("users")
        .values([
            ("password_hash", hash.into()),
            ("must_change_password", must_change.into()),
            ("password_changed_at", crate::now().into()),
        ])
        .and_where(Expr::col("id").eq(id))
        .to_owned();
    expect_one(db.exec().execute(&q).await?)
}

/// Disables or enables an account.
pub async fn set_disabled(db: &Db, id: i64, disabled: bool) -> Result<(), DbError> {
    let q = Query::update()
        .table("users")
        .values([("disabled", disabled.into())])
        .and_where(Expr::col("id").eq(id))
        .to_owned();
    expect_one(db.exec().execute(&q).await?)
}

/// Sets the interface language.
pub async fn set_lang(db: &Db, id: i64, lang: &str) -> Result<(), DbError> {
    let q = Query::update()
        .table("users")
        .values([("lang", lang.into())])
        .and_where(Expr::col("id").eq(id))
        .to_owned();
    expect_one(db.exec().execute(&q).await?)
}

/// Sets (or clears) the sealed TOTP secret.
pub async fn set_totp(db: &Db, id: i64, sealed_secret: Option<&str>) -> Result<(), DbError> {
    let q = Query::update()
        .table("users")
        .values([
            ("totp_secret", sealed_secret.map(str::to_owned).into()),
            ("totp_last_step", Option::<i64>::None.into()),
        ])
        .and_where(Expr::col("id").eq(id))
        .to_owned();
    expect_one(db.exec().execute(&q).await?)
}

/// Records the last accepted TOTP step, only if it is newer (so a code cannot be replayed).
/// Returns false when the step was already used.
pub async fn advance_totp_step(db: &Db, id: i64, step: i64) -> Result<bool, DbError> {
    let q = Query::update()
        .table("users")
        .values([("totp_last_step", step.into())])
        .and_where(Expr::col("id").eq(id))
        .cond_where(
            sea_query::Cond::any()
                .add(Expr::col("totp_last_step").is_null())
                .add(Expr::col("totp_last_step").lt(step)),
        )
        .to_owned();
    Ok(db.exec().execute(&q).await? == 1)
}

/// Grants or withdraws a leader's access to personal details.
pub async fn set_personal_data_grant(db: &Db, id: i64, granted: bool) -> Result<(), DbError> {
    let q = Query::update()
        .table("users")
        .values([("personal_data_granted", granted.into())])
        .and_where(Expr::col("id").eq(id))
        .to_owned();
    expect_one(db.exec().execute(&q).await?)
}

/// Re-seals TOTP secrets with `reseal` (key rotation), in the caller's transaction.
pub async fn reseal_totp(
    tx: &mut crate::Tx,
    mut reseal: impl FnMut(&str) -> Result<String, DbError>,
) -> Result<usize, DbError> {
    #[derive(sqlx::FromRow)]
    struct Row {
        id: i64,
        totp_secret: Option<String>,
    }
    let q = Query::select()
        .columns(["id", "totp_secret"])
        .from("users")
        .and_where(Expr::col("totp_secret").is_not_null())
        .to_owned();
    let rows: Vec<Row> = tx.exec().fetch_all(&q).await?;
    for r in &rows {
        if let Some(s) = &r.totp_secret {
            let q = Query::update()
                .table("users")
                .values([("totp_secret", reseal(s)?.into())])
                .and_where(Expr::col("id").eq(r.id))
                .to_owned();
            tx.exec().execute(&q).await?;
        }
    }
    Ok(rows.len())
}

fn expect_one(n: u64) -> Result<(), DbError> {
    if n == 1 { Ok(()) } else { Err(DbError::NotFound) }
}

/// Replaces the stored hash `old` by `new` (the same password under today's hashing
/// parameters), leaving the password's dates and flags alone. Does nothing when the
/// hash changed meanwhile (a password change wins).
pub async fn replace_password_hash(db: &Db, id: i64, old: &str, new: &str) -> Result<(), DbError> {
    let q = Query::update()
        .table("users")
        .values([("password_hash", new.into())])
        .and_where(Expr::col("id").eq(id))
        .and_where(Expr::col("password_hash").eq(old))
        .to_owned();
    db.exec().execute(&q).await.map(|_| ())
}

/// An officer who can be put in charge of a site.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct Officer {
    /// Account id.
    pub id: i64,
    /// Name shown.
    pub display_name: String,
}

/// The active province and commune officers whose unit lies within `scope` (for a
/// province: the province itself and its communes; for a commune: that commune), by name.
pub async fn officers_in(db: &Db, scope: crate::persons::Scope) -> Result<Vec<Officer>, DbError> {
    use crate::persons::Scope;
    let unit = match scope {
        Scope::Province(p) => {
            Cond::any().add(Expr::col(("u", "id")).eq(p)).add(Expr::col(("u", "scope_province_id")).eq(p))
        }
        Scope::Commune(c) => Cond::all().add(Expr::col(("u", "id")).eq(c)),
    };
    let q = Query::select()
        .columns([("a", "id"), ("a", "display_name")])
        .from_as("users", "a")
        .join_as(JoinType::InnerJoin, "units", "u", Expr::col(("u", "id")).equals(("a", "unit_id")))
        .and_where(Expr::col(("a", "role")).is_in(["province_officer", "commune_officer"]))
        .and_where(Expr::col(("a", "disabled")).eq(false))
        .cond_where(unit)
        .order_by(("a", "display_name"), Order::Asc)
        .order_by(("a", "id"), Order::Asc)
        .to_owned();
    db.exec().fetch_all(&q).await
}

//! Persons (illegal drug users and addicts) — their identifying fields. Names, identity
//! number, date of birth, address, phone and notes are sealed with the data key before
//! they reach the database and opened only here; exact-match search uses keyed blind
//! indexes. Every list and read is scoped by unit inside the query.

use crate::db::Db;
use crate::error::DbError;
use crate::exec::{Count, IdRow};
use chrono::{DateTime, NaiveDate, Utc};
use diaban_vault::KeyRing;
use sea_query::{Cond, Expr, ExprTrait, JoinType, Order, Query, SelectStatement};
use serde::Serialize;

/// Whose records a query may see.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// Records counting towards this current province (its communes and the legacy units
    /// that went into them).
    Province(i64),
    /// Records counting towards this current commune.
    Commune(i64),
}

impl Scope {
    pub(crate) fn cond(self, units_alias: &'static str) -> Cond {
        match self {
            Scope::Province(p) => Cond::all().add(Expr::col((units_alias, "scope_province_id")).eq(p)),
            Scope::Commune(c) => Cond::all().add(Expr::col((units_alias, "scope_commune_id")).eq(c)),
        }
    }
}

/// A new person's record, in clear.
#[derive(Debug, Clone)]
pub struct NewPerson {
    /// Residence unit.
    pub residence_unit_id: i64,
    /// male or female.
    pub sex: String,
    /// Birth year (kept in clear for age-band statistics).
    pub birth_year: i32,
    /// Ethnicity (for statistics).
    pub ethnicity: String,
    /// Identity number (12 digits) or legacy 9-digit card, already validated.
    pub id_number: Option<String>,
    /// Full name.
    pub full_name: String,
    /// Date of birth.
    pub birth_date: Option<NaiveDate>,
    /// Address.
    pub address: Option<String>,
    /// Phone.
    pub phone: Option<String>,
    /// Free-text notes.
    pub notes: Option<String>,
}

/// A person's record, opened.
#[derive(Debug, Clone, Serialize)]
pub struct Person {
    /// Id.
    pub id: i64,
    /// Residence unit.
    pub residence_unit_id: i64,
    /// male or female.
    pub sex: String,
    /// Birth year.
    pub birth_year: i64,
    /// Ethnicity.
    pub ethnicity: String,
    /// Identity number.
    pub id_number: Option<String>,
    /// Full name.
    pub full_name: String,
    /// Date of birth.
    pub birth_date: Option<NaiveDate>,
    /// Address.
    pub address: Option<String>,
    /// Phone.
    pub phone: Option<String>,
    /// Notes.
    pub notes: Option<String>,
    /// Created.
    pub created_at: DateTime<Utc>,
}

#[derive(sqlx::FromRow)]
struct Row {
    id: i64,
    residence_unit_id: i64,
    sex: String,
    birth_year: i64,
    ethnicity: String,
    id_number_sealed: Option<String>,
    full_name_sealed: String,
    birth_date_sealed: Option<String>,
    address_sealed: Option<String>,
    phone_sealed: Option<String>,
    notes_sealed: Option<String>,
    created_at: DateTime<Utc>,
}

const SEALED: [&str; 6] = [
    "id_number_sealed",
    "full_name_sealed",
    "birth_date_sealed",
    "address_sealed",
    "phone_sealed",
    "notes_sealed",
];

fn aad(column: &str) -> Vec<u8> {
    format!("person:{column}").into_bytes()
}

fn seal_opt(keys: &KeyRing, column: &str, v: &Option<String>) -> Option<String> {
    v.as_deref().filter(|s| !s.trim().is_empty()).map(|s| keys.seal(s, &aad(column)))
}

fn open_opt(keys: &KeyRing, column: &str, v: &Option<String>) -> Result<Option<String>, DbError> {
    v.as_deref()
        .map(|s| keys.open(s, &aad(column)).map_err(|e| DbError::Other(format!("cannot open {column}: {e}"))))
        .transpose()
}

fn open_row(keys: &KeyRing, r: Row) -> Result<Person, DbError> {
    let birth_date = open_opt(keys, "birth_date_sealed", &r.birth_date_sealed)?
        .map(|s| NaiveDate::parse_from_str(&s, "%Y-%m-%d").map_err(|e| DbError::Other(e.to_string())))
        .transpose()?;
    Ok(Person {
        id: r.id,
        residence_unit_id: r.residence_unit_id,
        sex: r.sex,
        birth_year: r.birth_year,
        ethnicity: r.ethnicity,
        id_number: open_opt(keys, "id_number_sealed", &r.id_number_sealed)?,
        full_name: open_opt(keys, "full_name_sealed", &Some(r.full_name_sealed))?.unwrap_or_default(),
        birth_date,
        address: open_opt(keys, "address_sealed", &r.address_sealed)?,
        phone: open_opt(keys, "phone_sealed", &r.phone_sealed)?,
        notes: open_opt(keys, "notes_sealed", &r.notes_sealed)?,
        created_at: r.created_at,
    })
}

fn select_rows() -> SelectStatement {
    Query::select()
        .columns(
            [
                "id",
                "residence_unit_id",
                "sex",
                "birth_year",
                "ethnicity",
                "id_number_sealed",
                "full_name_sealed",
                "birth_date_sealed",
                "address_sealed",
                "phone_sealed",
                "notes_sealed",
                "created_at",
            ]
            .map(|c| ("p", c)),
        )
        .from_as("persons", "p")
        .join_as(JoinType::InnerJoin, "units", "u", Expr::col(("u", "id")).equals(("p", "residence_unit_id")))
        .to_owned()
}

/// What [`create`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Created {
    /// A new record.
    New(i64),
    /// A record with this identity number already exists: no second record is made.
    Existing(i64),
}

/// Creates a record, or finds the existing one with the same identity number.
#[tracing::instrument(skip_all)]
pub async fn create(
    db: &Db,
    keys: &KeyRing,
    p: &NewPerson,
    created_by: Option<i64>,
) -> Result<Created, DbError> {
    let id_index = p.id_number.as_deref().map(|n| keys.blind_idnum(n));
    if let Some(ix) = &id_index
        && let Some(existing) = by_id_index(db, ix).await?
    {
        return Ok(Created::Existing(existing));
    }
    let now = crate::now();
    let birth_year =
        u16::try_from(p.birth_year).map_err(|_| DbError::Invalid("birth year out of range".into()))?;
    let q = Query::insert()
        .into_table("persons")
        .columns([
            "residence_unit_id",
            "sex",
            "birth_year",
            "ethnicity",
            "id_number_sealed",
            "full_name_sealed",
            "birth_date_sealed",
            "address_sealed",
            "phone_sealed",
            "notes_sealed",
            "id_number_index",
            "name_index",
            "created_at",
            "created_by",
            "updated_at",
        ])
        .values_panic([
            p.residence_unit_id.into(),
            p.sex.clone().into(),
            i64::from(p.birth_year).into(),
            p.ethnicity.clone().into(),
            seal_opt(keys, "id_number_sealed", &p.id_number).into(),
            keys.seal(&p.full_name, &aad("full_name_sealed")).into(),
            seal_opt(keys, "birth_date_sealed", &p.birth_date.map(|d| d.format("%Y-%m-%d").to_string()))
                .into(),
            seal_opt(keys, "address_sealed", &p.address).into(),
            seal_opt(keys, "phone_sealed", &p.phone).into(),
            seal_opt(keys, "notes_sealed", &p.notes).into(),
            id_index.clone().into(),
            keys.blind_name_birthyear(&p.full_name, birth_year).into(),
            now.into(),
            created_by.into(),
            now.into(),
        ])
        .returning_col("id")
        .to_owned();
    match db.exec().fetch_one::<IdRow, _>(&q).await {
        Ok(r) => Ok(Created::New(r.id)),
        // Two officers saving the same person at once: the unique index decides.
        Err(DbError::Conflict(_)) => match &id_index {
            Some(ix) => by_id_index(db, ix).await?.map(Created::Existing).ok_or(DbError::Conflict(None)),
            None => Err(DbError::Conflict(None)),
        },
        Err(e) => Err(e),
    }
}

async fn by_id_index(db: &Db, index: &str) -> Result<Option<i64>, DbError> {
    let q = Query::select()
        .column("id")
        .from("persons")
        .and_where(Expr::col("id_number_index").eq(index))
        .to_owned();
    Ok(db.exec().fetch_optional::<IdRow, _>(&q).await?.map(|r| r.id))
}

/// A record within `scope`; None when it does not exist or lies outside the scope (the
/// caller answers both the same way).
#[tracing::instrument(skip(db, keys))]
pub async fn get(db: &Db, keys: &KeyRing, id: i64, scope: Scope) -> Result<Option<Person>, DbError> {
    let q = select_rows().and_where(Expr::col(("p", "id")).eq(id)).cond_where(scope.cond("u")).to_owned();
    let row: Option<Row> = db.exec().fetch_optional(&q).await?;
    row.map(|r| open_row(keys, r)).transpose()
}

/// How to find records.
#[derive(Debug, Clone, Default)]
pub struct PersonFilter {
    /// Exact identity number.
    pub id_number: Option<String>,
    /// Exact name (accents and case ignored) with birth year.
    pub name_and_birth_year: Option<(String, u16)>,
    /// Page size.
    pub limit: u64,
    /// Rows to skip.
    pub offset: u64,
}

/// Records within `scope` matching the filter, newest first, opened, with the total.
#[tracing::instrument(skip_all)]
pub async fn list(
    db: &Db,
    keys: &KeyRing,
    scope: Scope,
    f: &PersonFilter,
) -> Result<(Vec<Person>, i64), DbError> {
    let mut c = scope.cond("u");
    if let Some(n) = &f.id_number {
        c = c.add(Expr::col(("p", "id_number_index")).eq(keys.blind_idnum(n)));
    }
    if let Some((name, year)) = &f.name_and_birth_year {
        c = c.add(Expr::col(("p", "name_index")).eq(keys.blind_name_birthyear(name, *year)));
    }
    let count = Query::select()
        .expr_as(Expr::col(("p", "id")).count(), "n")
        .from_as("persons", "p")
        .join_as(JoinType::InnerJoin, "units", "u", Expr::col(("u", "id")).equals(("p", "residence_unit_id")))
        .cond_where(c.clone())
        .to_owned();
    let total: Count = db.exec().fetch_one(&count).await?;
    let q = select_rows()
        .cond_where(c)
        .order_by(("p", "id"), Order::Desc)
        .limit(f.limit)
        .offset(f.offset)
        .to_owned();
    let rows: Vec<Row> = db.exec().fetch_all(&q).await?;
    let people = rows.into_iter().map(|r| open_row(keys, r)).collect::<Result<Vec<_>, _>>()?;
    Ok((people, total.n))
}

/// Number of person records (a server holding any refuses to start without the key).
pub async fn count_all(db: &Db) -> Result<i64, DbError> {
    let q = Query::select().expr_as(Expr::col("id").count(), "n").from("persons").to_owned();
    let c: Count = db.exec().fetch_one(&q).await?;
    Ok(c.n)
}

/// Re-encrypts every sealed field under `new`'s active key and recomputes the blind
/// indexes with `new`, in one transaction with the users' TOTP secrets and the sites'
/// attachments: all or nothing.
/// Returns the number of person records re-sealed.
pub async fn rotate_keys(db: &Db, old: &KeyRing, new: &KeyRing) -> Result<usize, DbError> {
    let mut tx = db.begin().await?;
    let q = Query::select()
        .columns(["id", "residence_unit_id", "sex", "birth_year", "ethnicity", "created_at"])
        .columns(SEALED)
        .from("persons")
        .order_by("id", Order::Asc)
        .to_owned();
    let rows: Vec<Row> = tx.exec().fetch_all(&q).await?;
    let n = rows.len();
    for r in rows {
        let p = open_row(old, r)?;
        let birth_year =
            u16::try_from(p.birth_year).map_err(|_| DbError::Invalid("birth year out of range".into()))?;
        let upd = Query::update()
            .table("persons")
            .values([
                ("id_number_sealed", seal_opt(new, "id_number_sealed", &p.id_number).into()),
                ("full_name_sealed", new.seal(&p.full_name, &aad("full_name_sealed")).into()),
                (
                    "birth_date_sealed",
                    seal_opt(
                        new,
                        "birth_date_sealed",
                        &p.birth_date.map(|d| d.format("%Y-%m-%d").to_string()),
                    )
                    .into(),
                ),
                ("address_sealed", seal_opt(new, "address_sealed", &p.address).into()),
                ("phone_sealed", seal_opt(new, "phone_sealed", &p.phone).into()),
                ("notes_sealed", seal_opt(new, "notes_sealed", &p.notes).into()),
                ("id_number_index", p.id_number.as_deref().map(|n| new.blind_idnum(n)).into()),
                ("name_index", new.blind_name_birthyear(&p.full_name, birth_year).into()),
            ])
            .and_where(Expr::col("id").eq(p.id))
            .to_owned();
        tx.exec().execute(&upd).await?;
    }
    crate::site_attachments::reseal_in(&mut tx, old, new).await?;
    crate::tips::reseal_in(&mut tx, old, new).await?;
    crate::cases::reseal_in(&mut tx, old, new).await?;
    crate::users::reseal_totp(&mut tx, |s| {
        let plain = old.open(s, b"user:totp_secret").map_err(|e| DbError::Other(e.to_string()))?;
        Ok(new.seal(&plain, b"user:totp_secret"))
    })
    .await?;
    tx.commit().await?;
    Ok(n)
}

/// Number of person records within a scope (an aggregate: no identities).
pub async fn count_in_scope(db: &Db, scope: Scope) -> Result<i64, DbError> {
    let q = Query::select()
        .expr_as(Expr::col(("p", "id")).count(), "n")
        .from_as("persons", "p")
        .join_as(JoinType::InnerJoin, "units", "u", Expr::col(("u", "id")).equals(("p", "residence_unit_id")))
        .cond_where(scope.cond("u"))
        .to_owned();
    let c: Count = db.exec().fetch_one(&q).await?;
    Ok(c.n)
}

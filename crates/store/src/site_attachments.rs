//! Documents and photos attached to the steps of a site's lifecycle (tài liệu, hình ảnh
//! kèm theo). Only files that passed `diaban_domain::attachment::check_files` are stored,
//! and only inside the transaction of their step (see
//! [`crate::sites::change_state_with_attachments`]), so a refused step leaves no file and
//! a file that cannot be written leaves no step. The content is sealed with the data key
//! (binary form of `diaban_vault::seal`) with the row's id and its site as associated
//! data, so a sealed file copied into another row or site does not open; it is opened
//! only here, and its SHA-256 is checked after opening. Name, type, size and digest stay
//! in clear, so listing needs no key. Every read is scoped through the site's unit, as
//! [`crate::sites::get`] is.

use crate::db::{Db, Tx};
use crate::error::DbError;
use crate::exec::IdRow;
use crate::persons::Scope;
use chrono::{DateTime, Utc};
use diaban_domain::attachment::CheckedFile;
use diaban_vault::KeyRing;
use sea_query::{Expr, ExprTrait, JoinType, Order, Query, SelectStatement};
use serde::Serialize;

/// What is known of an attachment without opening it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct AttachmentMeta {
    /// Id.
    pub id: i64,
    /// The site.
    pub site_id: i64,
    /// The step it documents.
    pub transition_id: Option<i64>,
    /// The sanitised file name.
    pub file_name: String,
    /// The media type found in the content.
    pub content_type: String,
    /// Size of the content in bytes.
    pub size_bytes: i64,
    /// SHA-256 of the content, lowercase hex.
    pub sha256: String,
    /// Who uploaded it.
    pub uploaded_by: Option<i64>,
    /// When.
    pub uploaded_at: DateTime<Utc>,
}

/// An attachment, opened.
#[derive(Debug, Clone)]
pub struct Attachment {
    /// Its metadata.
    pub meta: AttachmentMeta,
    /// The content in clear.
    pub content: Vec<u8>,
}

#[derive(sqlx::FromRow)]
struct SealedRow {
    id: i64,
    site_id: i64,
    transition_id: Option<i64>,
    file_name: String,
    content_type: String,
    size_bytes: i64,
    sha256: String,
    uploaded_by: Option<i64>,
    uploaded_at: DateTime<Utc>,
    content_sealed: Vec<u8>,
}

const META_COLUMNS: [&str; 9] = [
    "id",
    "site_id",
    "transition_id",
    "file_name",
    "content_type",
    "size_bytes",
    "sha256",
    "uploaded_by",
    "uploaded_at",
];

/// The associated data of a sealed content: the row and its site.
fn aad(id: i64, site_id: i64) -> Vec<u8> {
    format!("site_attachment:{id}:site:{site_id}").into_bytes()
}

/// Attachments joined to their site and its unit, filtered by `scope`.
fn select_in_scope(scope: Scope) -> SelectStatement {
    Query::select()
        .columns(META_COLUMNS.map(|c| ("a", c)))
        .from_as("site_attachments", "a")
        .join_as(JoinType::InnerJoin, "sites", "s", Expr::col(("s", "id")).equals(("a", "site_id")))
        .join_as(JoinType::InnerJoin, "units", "u", Expr::col(("u", "id")).equals(("s", "unit_id")))
        .cond_where(scope.cond("u"))
        .to_owned()
}

/// Stores one checked file of a step inside the step's transaction. Returns its id.
pub(crate) async fn add_in(
    tx: &mut Tx,
    keys: &KeyRing,
    site_id: i64,
    transition_id: Option<i64>,
    file: &CheckedFile,
    by: Option<i64>,
) -> Result<i64, DbError> {
    let size = i64::try_from(file.bytes().len()).map_err(|_| DbError::Invalid("file too large".into()))?;
    // The id is part of the associated data, so the row is made first with an empty
    // content and sealed once its id is known; both happen in the caller's transaction.
    let ins = Query::insert()
        .into_table("site_attachments")
        .columns([
            "site_id",
            "transition_id",
            "file_name",
            "content_type",
            "size_bytes",
            "sha256",
            "content_sealed",
            "uploaded_by",
            "uploaded_at",
        ])
        .values_panic([
            site_id.into(),
            transition_id.into(),
            file.name().into(),
            file.kind().mime().into(),
            size.into(),
            diaban_vault::digest::sha256_hex(file.bytes()).into(),
            Vec::<u8>::new().into(),
            by.into(),
            crate::now().into(),
        ])
        .returning_col("id")
        .to_owned();
    let id = tx.exec().fetch_one::<IdRow, _>(&ins).await?.id;
    let sealed = keys.seal_bytes(file.bytes(), &aad(id, site_id));
    let upd = Query::update()
        .table("site_attachments")
        .values([("content_sealed", sealed.into())])
        .and_where(Expr::col("id").eq(id))
        .to_owned();
    tx.exec().execute(&upd).await?;
    Ok(id)
}

/// The attachments of a site within `scope`, oldest first, without their content. Empty
/// when the site is outside the scope.
#[tracing::instrument(skip(db))]
pub async fn list_for_site(db: &Db, site_id: i64, scope: Scope) -> Result<Vec<AttachmentMeta>, DbError> {
    let q = select_in_scope(scope)
        .and_where(Expr::col(("a", "site_id")).eq(site_id))
        .order_by(("a", "id"), Order::Asc)
        .to_owned();
    db.exec().fetch_all(&q).await
}

/// One attachment of `site_id` within `scope`, opened with `keys`; None when it does not
/// exist, belongs to another site, or lies outside the scope (the caller answers all
/// three the same way). A content that does not open, or does not match its digest, is
/// an error, never shown.
#[tracing::instrument(skip(db, keys))]
pub async fn get(
    db: &Db,
    keys: &KeyRing,
    site_id: i64,
    id: i64,
    scope: Scope,
) -> Result<Option<Attachment>, DbError> {
    let q = select_in_scope(scope)
        .column(("a", "content_sealed"))
        .and_where(Expr::col(("a", "id")).eq(id))
        .and_where(Expr::col(("a", "site_id")).eq(site_id))
        .to_owned();
    let row: Option<SealedRow> = db.exec().fetch_optional(&q).await?;
    row.map(|r| open_row(keys, r)).transpose()
}

fn open_row(keys: &KeyRing, r: SealedRow) -> Result<Attachment, DbError> {
    let content = keys
        .open_bytes(&r.content_sealed, &aad(r.id, r.site_id))
        .map_err(|e| DbError::Other(format!("cannot open attachment {}: {e}", r.id)))?;
    if diaban_vault::digest::sha256_hex(&content) != r.sha256 {
        return Err(DbError::Other(format!("attachment {} does not match its digest", r.id)));
    }
    Ok(Attachment {
        meta: AttachmentMeta {
            id: r.id,
            site_id: r.site_id,
            transition_id: r.transition_id,
            file_name: r.file_name,
            content_type: r.content_type,
            size_bytes: r.size_bytes,
            sha256: r.sha256,
            uploaded_by: r.uploaded_by,
            uploaded_at: r.uploaded_at,
        },
        content,
    })
}

#[derive(sqlx::FromRow)]
struct KeyRow {
    id: i64,
    site_id: i64,
}

#[derive(sqlx::FromRow)]
struct ContentRow {
    content_sealed: Vec<u8>,
}

/// Re-seals every attachment under `new`'s active key inside the caller's transaction
/// (the key rotation), one row at a time so memory holds one file. Returns how many.
pub(crate) async fn reseal_in(tx: &mut Tx, old: &KeyRing, new: &KeyRing) -> Result<usize, DbError> {
    let ids = Query::select()
        .columns(["id", "site_id"])
        .from("site_attachments")
        .order_by("id", Order::Asc)
        .to_owned();
    let rows: Vec<KeyRow> = tx.exec().fetch_all(&ids).await?;
    for r in &rows {
        let q = Query::select()
            .column("content_sealed")
            .from("site_attachments")
            .and_where(Expr::col("id").eq(r.id))
            .to_owned();
        let c: ContentRow = tx.exec().fetch_one(&q).await?;
        let aad = aad(r.id, r.site_id);
        let plain = old
            .open_bytes(&c.content_sealed, &aad)
            .map_err(|e| DbError::Other(format!("cannot open attachment {}: {e}", r.id)))?;
        let upd = Query::update()
            .table("site_attachments")
            .values([("content_sealed", new.seal_bytes(&plain, &aad).into())])
            .and_where(Expr::col("id").eq(r.id))
            .to_owned();
        tx.exec().execute(&upd).await?;
    }
    Ok(rows.len())
}

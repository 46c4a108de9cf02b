//! The province's evaluation checklist, one row per version.

use super::*;

#[derive(sqlx::FromRow)]
struct ChecklistRow {
    version: i64,
    items: String,
    note: String,
    by_name: Option<String>,
    created_at: DateTime<Utc>,
}

/// One stored version of the checklist.
#[derive(Debug, Clone, Serialize)]
pub struct ChecklistVersion {
    /// The checklist.
    pub checklist: Checklist,
    /// Why it changed.
    pub note: String,
    /// Who saved it (None: the example shipped with diaban).
    pub by_name: Option<String>,
    /// When.
    pub created_at: DateTime<Utc>,
}

fn checklist_query() -> SelectStatement {
    Query::select()
        .columns(["version", "items", "note", "created_at"].map(|c| ("c", c)))
        .expr_as(Expr::col(("us", "display_name")), "by_name")
        .from_as("area_checklists", "c")
        .join_as(JoinType::LeftJoin, "users", "us", Expr::col(("us", "id")).equals(("c", "created_by")))
        .to_owned()
}

fn checklist_of(r: ChecklistRow) -> Result<ChecklistVersion, DbError> {
    Ok(ChecklistVersion {
        checklist: Checklist {
            id: CHECKLIST_ID.to_owned(),
            version: stored(u32::try_from(r.version))?,
            items: stored(serde_json::from_str(&r.items))?,
        },
        note: r.note,
        by_name: r.by_name,
        created_at: r.created_at,
    })
}

/// Every version of the checklist, newest first. An installation that has none yet
/// gets version 1, the example of `diaban_domain::area::Checklist::example_vi`, which an
/// administrator then replaces with the province's own.
pub async fn checklist_versions(db: &Db) -> Result<Vec<ChecklistVersion>, DbError> {
    let q = checklist_query().order_by(("c", "version"), Order::Desc).to_owned();
    let rows: Vec<ChecklistRow> = db.exec().fetch_all(&q).await?;
    if rows.is_empty() {
        let example = Checklist::example_vi();
        let json = serde_json::to_string(&example.items).map_err(|e| DbError::Other(e.to_string()))?;
        let ins = Query::insert()
            .into_table("area_checklists")
            .columns(["version", "items", "note", "created_at"])
            .values_panic([1i64.into(), json.into(), "".into(), crate::now().into()])
            .on_conflict(sea_query::OnConflict::column("version").do_nothing().to_owned())
            .to_owned();
        db.exec().execute(&ins).await?;
        let rows: Vec<ChecklistRow> = db.exec().fetch_all(&q).await?;
        return rows.into_iter().map(checklist_of).collect();
    }
    rows.into_iter().map(checklist_of).collect()
}

/// The checklist in force: the latest version.
pub async fn current_checklist(db: &Db) -> Result<Checklist, DbError> {
    checklist_versions(db).await?.into_iter().next().map(|v| v.checklist).ok_or(DbError::NotFound)
}

/// One version of the checklist.
pub async fn checklist_version(db: &Db, version: u32) -> Result<Option<Checklist>, DbError> {
    checklist_versions(db)
        .await
        .map(|all| all.into_iter().map(|v| v.checklist).find(|c| c.version == version))
}

/// Saves a new version of the checklist (the latest plus one) after checking it; past
/// evaluations keep the version they answered. Returns the new version.
pub async fn set_checklist(
    db: &Db,
    items: Vec<ChecklistItem>,
    note: &str,
    by: Option<i64>,
    audit_entry: Option<NewEntry>,
) -> Result<u32, ChangeError> {
    let current = current_checklist(db).await?;
    let mut items = items;
    for i in &mut items {
        i.code = i.code.trim().to_owned();
        i.text_vi = i.text_vi.trim().to_owned();
    }
    if let Some(i) = items.iter().find(|i| i.code.is_empty() || i.text_vi.is_empty()) {
        return Err(ChangeError::Invalid {
            en: format!("item '{}' needs both a code and a text", i.code),
            vi: format!("Tiêu chí «{}» cần có cả mã và nội dung.", i.code),
        });
    }
    let next = Checklist { id: CHECKLIST_ID.to_owned(), version: current.version + 1, items };
    next.validate().map_err(ChangeError::Checklist)?;
    let json = serde_json::to_string(&next.items).map_err(|e| DbError::Other(e.to_string()))?;
    let mut tx = db.begin().await?;
    let ins = Query::insert()
        .into_table("area_checklists")
        .columns(["version", "items", "note", "created_by", "created_at"])
        .values_panic([
            i64::from(next.version).into(),
            json.into(),
            note.trim().into(),
            by.into(),
            crate::now().into(),
        ])
        .to_owned();
    tx.exec().execute(&ins).await.map_err(|e| match e {
        DbError::Conflict(_) => ChangeError::Concurrent,
        other => ChangeError::Db(other),
    })?;
    if let Some(mut e) = audit_entry {
        e.target_type = "area_checklist".into();
        e.target_id = next.version.to_string();
        audit::append_in(&mut tx, &e).await?;
    }
    tx.commit().await?;
    Ok(next.version)
}

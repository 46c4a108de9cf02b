//! The changes to a site beyond its lifecycle, shared by the pages and the API: correcting
//! its fields, linking persons to it, and deciding the re-formation alerts raised on it.
//! Each checks scope in the query and writes its audit entry in the same transaction.

use crate::AppState;
use crate::auth::Identity;
use crate::error::{AppError, ErrorKind};
use crate::i18n::Tr;
use crate::site_input::{self, FieldErrors, Loose, SiteInput};
use chrono::{DateTime, Utc};
use diaban_domain::person::IdentityDocument;
use diaban_domain::site::SubjectRole;
use diaban_store::incidents::{self, Alert, DecideError};
use diaban_store::persons::{self, PersonFilter};
use diaban_store::site_links;
use diaban_store::sites;

/// Corrects site `id` from the form; field errors come back for the form to show.
/// `seen` is the `updated_at` the form was built from: a stale form is refused.
pub async fn edit(
    state: &AppState,
    who: &Identity,
    id: i64,
    input: &SiteInput,
    seen: Option<DateTime<Utc>>,
    tr: Tr,
) -> Result<Result<(), FieldErrors>, AppError> {
    let current =
        sites::get(&state.db, id, who.scope()).await?.ok_or_else(|| AppError::not_found("no such site"))?;
    let mut e = match site_input::validate(state, who, input, tr).await? {
        Ok(n) => n,
        Err(errors) => return Ok(Err(errors)),
    };
    // Correcting a site does not hand it to the corrector: without a choice, the officer
    // in charge stays.
    let chosen =
        input.responsible.as_ref().is_some_and(|r| !matches!(r, Loose::Text(t) if t.trim().is_empty()));
    if !chosen {
        e.responsible_user_id = current.responsible_user_id;
    }
    sites::update(&state.db, id, who.scope(), &e, seen, Some(who.audit("site.update", "site", id)))
        .await
        .map_err(|e| crate::api::sites::change_error(e, tr))?;
    Ok(Ok(()))
}

/// Parses the `updated_at` a form carried (empty: no check).
pub fn parse_seen(s: &str) -> Result<Option<DateTime<Utc>>, AppError> {
    let s = s.trim();
    if s.is_empty() {
        return Ok(None);
    }
    DateTime::parse_from_rfc3339(s)
        .map(|d| Some(d.with_timezone(&Utc)))
        .map_err(|_| AppError::new(ErrorKind::Unprocessable, "updated_at: expected an RFC 3339 time"))
}

/// Links the person with identity number `id_number` (a record in the caller's scope) to
/// site `site_id` as `role`. Returns the person's id.
pub async fn link_person(
    state: &AppState,
    who: &Identity,
    site_id: i64,
    id_number: &str,
    role: &str,
    tr: Tr,
) -> Result<i64, AppError> {
    sites::get(&state.db, site_id, who.scope()).await?.ok_or_else(|| AppError::not_found("no such site"))?;
    let role: SubjectRole =
        role.trim().parse().map_err(|e| AppError::new(ErrorKind::Unprocessable, format!("role: {e}")))?;
    let doc = IdentityDocument::parse(id_number, None, None)
        .map_err(|_| AppError::new(ErrorKind::Unprocessable, tr.t("sites.link_bad_number")))?;
    let keys = crate::pages::persons::keys(state)?;
    let f = PersonFilter { id_number: Some(doc.number().to_owned()), limit: 1, ..Default::default() };
    let (found, _) = persons::list(&state.db, &keys, who.scope(), &f).await?;
    let person = found
        .into_iter()
        .next()
        .ok_or_else(|| AppError::new(ErrorKind::Unprocessable, tr.t("sites.link_not_found")))?;
    let mut entry = who.audit("site.link_person", "site", site_id);
    entry.reason = format!("person {} as {}", person.id, role.as_str());
    site_links::link(&state.db, site_id, person.id, role, Some(who.user.id), Some(entry)).await?;
    Ok(person.id)
}

/// Removes the link between a site in scope and a person.
pub async fn unlink_person(
    state: &AppState,
    who: &Identity,
    site_id: i64,
    person_id: i64,
) -> Result<(), AppError> {
    sites::get(&state.db, site_id, who.scope()).await?.ok_or_else(|| AppError::not_found("no such site"))?;
    let mut entry = who.audit("site.unlink_person", "site", site_id);
    entry.reason = format!("person {person_id}");
    if !site_links::unlink(&state.db, site_id, person_id, Some(entry)).await? {
        return Err(AppError::not_found("this person is not linked to the site"));
    }
    Ok(())
}

/// Accepts or dismisses an open alert on a site in scope. A dismissal needs a reason.
pub async fn decide_alert(
    state: &AppState,
    who: &Identity,
    alert_id: i64,
    accept: bool,
    note: &str,
    tr: Tr,
) -> Result<Alert, AppError> {
    if !accept && note.trim().is_empty() {
        return Err(AppError::new(ErrorKind::Unprocessable, tr.t("sites.alert_reason_required")));
    }
    let action = if accept { "site.alert.accept" } else { "site.alert.dismiss" };
    incidents::decide(
        &state.db,
        alert_id,
        who.scope(),
        accept,
        note,
        Some(who.user.id),
        Some(who.audit(action, "site_alert", alert_id)),
    )
    .await
    .map_err(|e| match e {
        DecideError::NotFound => AppError::not_found("no such alert"),
        DecideError::AlreadyDecided(s) => {
            AppError::new(ErrorKind::Conflict, format!("{} ({s})", tr.t("sites.alert_already_decided")))
        }
        DecideError::Db(d) => d.into(),
    })
}

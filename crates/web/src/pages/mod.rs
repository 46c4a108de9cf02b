//! Server-rendered pages. Each module owns its routes; [`routes`] merges them. Every
//! page gets a [`Page`] (language, CSRF token, header, navigation for the role, flash)
//! built by [`Ctx::page`].

mod account;
pub(crate) mod admin_users;
mod analytics;
mod area_admin;
mod areas;
mod audit;
mod businesses;
mod cases;
mod classification;
mod dashboard;
mod data_breaches;
mod escalations;
mod incidents;
mod key_routes;
mod login;
mod notifications;
pub(crate) mod parameter_groups;
mod parameters;
mod person_profile;
mod person_records;
pub(crate) mod persons;
mod plans;
mod propaganda;
mod reports;
mod rings;
mod site_checks;
mod site_edit;
mod sites;
mod sites_import;
mod tips;
mod units;

use crate::AppState;
use crate::auth::Identity;
use crate::error::AppError;
use crate::i18n::{Lang, Tr};
use crate::middleware::{CsrfToken, RequestLang};
use askama::Template;
use axum::Router;
use axum::extract::FromRequestParts;
use axum::http::HeaderValue;
use axum::http::header::SET_COOKIE;
use axum::http::request::Parts;
use axum::response::{Html, IntoResponse, Response};
use diaban_domain::access::{Action, Role};

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .merge(login::routes())
        .merge(account::routes())
        .merge(dashboard::routes())
        .merge(units::routes())
        .merge(persons::routes())
        .merge(person_records::routes())
        .merge(person_profile::routes())
        .merge(parameter_groups::routes())
        .merge(sites::routes())
        .merge(site_edit::routes())
        .merge(site_checks::routes())
        .merge(sites_import::routes())
        .merge(incidents::routes())
        .merge(classification::routes())
        .merge(areas::routes())
        .merge(key_routes::routes())
        .merge(area_admin::routes())
        .merge(parameters::routes())
        .merge(admin_users::routes())
        .merge(audit::routes())
        .merge(tips::routes())
        .merge(escalations::routes())
        .merge(notifications::routes())
        .merge(businesses::routes())
        .merge(propaganda::routes())
        .merge(cases::routes())
        .merge(rings::routes())
        .merge(plans::routes())
        .merge(analytics::routes())
        .merge(reports::routes())
        .merge(data_breaches::routes())
}

/// The pages that take files, which get the larger body limit (see `crate::router`).
pub(crate) fn upload_routes() -> Router<AppState> {
    Router::new().merge(sites::upload_routes())
}

/// The header's view of the user.
pub struct HeaderUser {
    pub display_name: String,
    pub unit_name: String,
    pub role_label: &'static str,
}

/// A navigation entry.
pub struct NavItem {
    pub id: &'static str,
    pub href: &'static str,
    pub label: &'static str,
}

/// A group of navigation entries.
pub struct NavSection {
    pub heading: &'static str,
    pub items: Vec<NavItem>,
}

/// One breadcrumb.
pub struct Crumb {
    pub label: String,
    pub href: Option<String>,
}

/// A one-time message shown at the top of the next page.
pub struct Flash {
    pub kind: &'static str,
    pub text: String,
}

/// What the layout needs.
pub struct Page {
    pub tr: Tr,
    pub csrf: String,
    pub title: String,
    pub user: Option<HeaderUser>,
    pub nav: Vec<NavSection>,
    pub current: &'static str,
    pub breadcrumbs: Vec<Crumb>,
    pub flash: Option<Flash>,
    /// Unread notifications of the signed-in user (the header's badge).
    pub unread: i64,
}

/// The navigation a role sees: only what it may open. Each work area adds its entry here
/// when it is built.
fn navigation(who: &Identity) -> Vec<NavSection> {
    let mut overview = Vec::new();
    if who.may(Action::ViewAggregates) {
        overview.push(NavItem { id: "dashboard", href: "/", label: "nav.dashboard" });
    }
    let mut work = Vec::new();
    if who.may(Action::ReadPersons) {
        work.push(NavItem { id: "persons", href: "/persons", label: "nav.persons" });
        work.push(NavItem { id: "persons_work", href: "/persons/work", label: "nav.persons_work" });
        work.push(NavItem {
            id: "persons_incoming",
            href: "/persons/incoming",
            label: "nav.persons_incoming",
        });
    }
    if who.may(Action::ViewAggregates) {
        work.push(NavItem { id: "persons_stats", href: "/persons/statistics", label: "nav.persons_stats" });
    }
    if who.may(Action::ReadSites) {
        work.push(NavItem { id: "sites", href: "/sites", label: "nav.sites" });
        work.push(NavItem { id: "site_checks", href: "/sites/checks", label: "nav.site_checks" });
        work.push(NavItem { id: "incidents", href: "/incidents", label: "nav.incidents" });
        work.push(NavItem { id: "classification", href: "/classification", label: "nav.classification" });
    }
    if who.may(Action::ReadAreas) {
        work.push(NavItem { id: "areas", href: "/areas", label: "nav.areas" });
    }
    if who.may(Action::TriageTips) {
        work.push(NavItem { id: "tips", href: "/tips", label: "nav.tips" });
    }
    if who.may(Action::ReadSites) {
        work.push(NavItem { id: "businesses", href: "/businesses", label: "nav.businesses" });
    }
    if who.may(Action::ReadEscalations) {
        work.push(NavItem { id: "escalations", href: "/escalations", label: "nav.escalations" });
    }
    if who.may(Action::ReadPropaganda) {
        work.push(NavItem { id: "propaganda", href: "/propaganda", label: "nav.propaganda" });
    }
    if who.may(Action::ReadCases) {
        work.push(NavItem { id: "cases", href: "/cases", label: "nav.cases" });
        work.push(NavItem { id: "rings", href: "/rings", label: "nav.rings" });
    }
    if who.may(Action::ReadPlans) {
        work.push(NavItem { id: "plans", href: "/plans", label: "nav.plans" });
    }
    if who.may(Action::ReadReports) {
        work.push(NavItem { id: "reports", href: "/reports", label: "nav.reports" });
    }
    if who.may(Action::SuperviseTasks) {
        work.push(NavItem { id: "tasks_late", href: "/tasks/late", label: "nav.tasks_late" });
    }
    if who.may(Action::RunAnalytics) {
        work.push(NavItem { id: "analytics", href: "/analytics", label: "nav.analytics" });
        work.push(NavItem {
            id: "analytics_signals",
            href: "/analytics/signals",
            label: "nav.analytics_signals",
        });
    }
    if who.may(Action::BrowseUnits) {
        work.push(NavItem { id: "units", href: "/units", label: "nav.units" });
    }
    let mut system = Vec::new();
    if who.may(Action::ManageUsers) {
        system.push(NavItem { id: "users", href: "/admin/users", label: "nav.users" });
    }
    if who.may(Action::ManageParameters) {
        system.push(NavItem { id: "parameters", href: "/admin/parameters", label: "nav.parameters" });
        system.push(NavItem { id: "area_admin", href: "/admin/areas", label: "nav.area_admin" });
    }
    if who.may(Action::ReadAudit) {
        system.push(NavItem { id: "audit", href: "/audit", label: "nav.audit" });
    }
    if who.may(Action::ReadBreaches) {
        system.push(NavItem { id: "data_breaches", href: "/data-breaches", label: "nav.data_breaches" });
    }
    system.push(NavItem { id: "notifications", href: "/notifications", label: "nav.notifications" });
    system.push(NavItem { id: "account", href: "/account", label: "nav.account" });
    [("nav.overview", overview), ("nav.work", work), ("nav.system", system)]
        .into_iter()
        .filter(|(_, items)| !items.is_empty())
        .map(|(heading, items)| NavSection { heading, items })
        .collect()
}

fn role_label(role: Role, lang: Lang) -> &'static str {
    match lang {
        Lang::Vi => role.label_vi(),
        Lang::En => role.label_en(),
    }
}

const FLASH_COOKIE: &str = "dz_flash";

/// Request context for pages: CSRF token, language, pending flash message.
pub struct Ctx {
    pub csrf: String,
    pub lang: Option<Lang>,
    pub flash_key: Option<String>,
    state: AppState,
}

impl<S: Send + Sync> FromRequestParts<S> for Ctx
where
    AppState: axum::extract::FromRef<S>,
{
    type Rejection = AppError;
    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let csrf = parts.extensions.get::<CsrfToken>().map(|c| c.0.clone()).unwrap_or_default();
        let lang = parts.extensions.get::<RequestLang>().and_then(|l| l.0);
        let flash_key = crate::auth::session::cookie(parts, FLASH_COOKIE)
            .filter(|k| {
                k.len() < 64
                    && k.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'_' || b == b':')
            })
            .map(str::to_owned);
        Ok(Ctx { csrf, lang, flash_key, state: <AppState as axum::extract::FromRef<S>>::from_ref(state) })
    }
}

impl Ctx {
    /// The language: `?lang=`/cookie, else the user's setting, else Vietnamese.
    pub fn lang_for(&self, who: Option<&Identity>) -> Lang {
        self.lang.or_else(|| who.and_then(|w| Lang::parse(&w.user.lang))).unwrap_or_default()
    }

    /// A translator for this request.
    pub fn tr(&self, who: Option<&Identity>) -> Tr {
        Tr(self.lang_for(who))
    }

    /// The layout data for a page.
    pub async fn page(&self, who: Option<&Identity>, title_key: &str, current: &'static str) -> Page {
        let tr = self.tr(who);
        // A language chosen with ?lang= by a signed-in user becomes their setting.
        if let (Some(w), Some(l)) = (who, self.lang)
            && w.user.lang != l.code()
            && let Err(e) = diaban_store::users::set_lang(&self.state.db, w.user.id, l.code()).await
        {
            tracing::warn!(error = %e, "cannot save the language");
        }
        let flash = self.flash_key.as_deref().map(|k| {
            // `key:N` fills the message's `{n}` with a count.
            let (key, n) = k.split_once(':').unwrap_or((k, ""));
            let text = match n.parse::<i64>() {
                Ok(n) => tr.t(key).replace("{n}", &tr.num(n)),
                Err(_) => tr.t(key).to_owned(),
            };
            Flash { kind: if key.starts_with("error") { "error" } else { "success" }, text }
        });
        let unread = match who {
            Some(w) => diaban_store::notifications::unread_count(&self.state.db, w.user.id)
                .await
                .unwrap_or_else(|e| {
                    tracing::warn!(error = %e, "cannot count notifications");
                    0
                }),
            None => 0,
        };
        Page {
            unread,
            tr,
            csrf: self.csrf.clone(),
            title: tr.t(title_key).to_owned(),
            user: who.map(|w| HeaderUser {
                display_name: w.user.display_name.clone(),
                unit_name: w.unit.name.clone(),
                role_label: role_label(w.role, tr.0),
            }),
            nav: who.map(navigation).unwrap_or_default(),
            current,
            breadcrumbs: Vec::new(),
            flash,
        }
    }
}

/// Renders a page template; clears the flash cookie when one was shown.
pub fn render(page_flash_shown: bool, t: &impl Template) -> Result<Response, AppError> {
    let html = t.render().map_err(AppError::internal)?;
    let mut res = Html(html).into_response();
    if page_flash_shown {
        res.headers_mut().append(
            SET_COOKIE,
            HeaderValue::from_static("dz_flash=; Path=/; Max-Age=0; HttpOnly; SameSite=Strict"),
        );
    }
    Ok(res)
}

/// A redirect after a successful form, with a flash message (a translation key).
pub fn redirect_with_flash(to: &str, flash_key: &'static str) -> Response {
    let mut res = axum::response::Redirect::to(to).into_response();
    if let Ok(v) = HeaderValue::from_str(&format!(
        "{FLASH_COOKIE}={flash_key}; Path=/; Max-Age=60; HttpOnly; SameSite=Strict"
    )) {
        res.headers_mut().append(SET_COOKIE, v);
    }
    res
}

/// A redirect with a flash message that says a count: `{n}` in the message is `n`.
pub fn redirect_with_flash_count(to: &str, flash_key: &'static str, n: usize) -> Response {
    let mut res = axum::response::Redirect::to(to).into_response();
    if let Ok(v) = HeaderValue::from_str(&format!(
        "{FLASH_COOKIE}={flash_key}:{n}; Path=/; Max-Age=60; HttpOnly; SameSite=Strict"
    )) {
        res.headers_mut().append(SET_COOKIE, v);
    }
    res
}

/// Serialises data for a `<script type="application/json">` block: `<` is escaped so a
/// value can never close the block.
pub fn json_block<T: serde::Serialize>(v: &T) -> String {
    serde_json::to_string(v).unwrap_or_else(|_| "null".into()).replace('<', "\\u003c")
}

//! The access matrix: every role (a leader with and without the personal-data grant)
//! against every route family, in and out of scope, on every engine. What each call
//! should get is computed from `diaban_domain::access::allows`, so the table in
//! docs/security.md, the code and this test cannot drift apart.

mod common;
mod support;

use common::TestApp;
use diaban_domain::access::{Action, Role, allows};
use serde_json::{Value, json};
use support::{add_person, audit_entries, browser, fresh_id_number, login_page_csrf, user_id};

/// Phường Kon Tum, a commune of Quảng Ngãi (51).
const COMMUNE_A: &str = "23293";
/// Phường Cẩm Thành, another commune of Quảng Ngãi.
const COMMUNE_B: &str = "21025";
/// Phường Ba Đình, a commune of Hà Nội (01).
const COMMUNE_HN: &str = "00004";

/// A person written for the test, and where they live.
#[derive(Clone)]
struct Subject {
    id: i64,
    name: String,
    id_number: String,
    commune: &'static str,
}

/// Who asks: a role scoped to a unit, and for a leader whether the grant is on. `inside`
/// and `outside` are a commune within and a commune outside the scope.
struct Principal {
    role: Role,
    unit: &'static str,
    granted: bool,
    inside: &'static str,
    outside: &'static str,
}

const PRINCIPALS: [Principal; 9] = [
    Principal { role: Role::Admin, unit: "51", granted: false, inside: COMMUNE_A, outside: COMMUNE_HN },
    Principal {
        role: Role::ProvinceOfficer,
        unit: "51",
        granted: false,
        inside: COMMUNE_B,
        outside: COMMUNE_HN,
    },
    Principal {
        role: Role::ProvinceOfficer,
        unit: "01",
        granted: false,
        inside: COMMUNE_HN,
        outside: COMMUNE_A,
    },
    Principal {
        role: Role::CommuneOfficer,
        unit: COMMUNE_A,
        granted: false,
        inside: COMMUNE_A,
        outside: COMMUNE_B,
    },
    Principal {
        role: Role::CommuneOfficer,
        unit: COMMUNE_B,
        granted: false,
        inside: COMMUNE_B,
        outside: COMMUNE_A,
    },
    Principal { role: Role::Leader, unit: "51", granted: false, inside: COMMUNE_A, outside: COMMUNE_HN },
    Principal { role: Role::Leader, unit: "51", granted: true, inside: COMMUNE_A, outside: COMMUNE_HN },
    Principal { role: Role::Partner, unit: "51", granted: false, inside: COMMUNE_A, outside: COMMUNE_HN },
    Principal { role: Role::Auditor, unit: "51", granted: false, inside: COMMUNE_A, outside: COMMUNE_HN },
];

/// The route families. Person routes are called in and out of scope.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Route {
    DashboardPage,
    UnitsPage,
    PersonsListPage,
    PersonsSearchPage,
    PersonDetailPage,
    PersonViewWithReasonPage,
    PersonNewPage,
    PersonCreatePage,
    PersonsApiRead,
    PersonsApiSearch,
    PersonsApiCreate,
    AdminUsersPage,
    AuditPage,
    AuditCsv,
    AuditApi,
    AuditVerifyApi,
    SitesPage,
    SiteChecksPage,
    SitesApi,
    SitesMapApi,
    SiteAlertsApi,
    SitesExportCsv,
    SiteNewPage,
    SitesImportPage,
    IncidentsPage,
    IncidentsApi,
    ParametersPage,
    ParametersApi,
    ParameterGroupPage,
    OperationsParamsApi,
    ClassificationPage,
    ClassificationApi,
    ClassificationCsv,
    AreasPage,
    AreasApi,
    AreasExportCsv,
    AreaNewPage,
    RoutesPage,
    RoutesApi,
    AreaAdminPage,
    AreasChecklistApi,
    PersonEpisodesApi,
    PersonEpisodeNewPage,
    PersonProfilePage,
    PersonsWorkPage,
    PersonsWorklistsApi,
    PersonsIncomingPage,
    PersonsIncomingApi,
    PersonsStatsPage,
    PersonsStatsApi,
    PersonsStatsXlsx,
    IndicatorsApi,
    PersonsExportCsv,
    PersonDurationsApi,
    TipsPage,
    TipsApi,
    EscalationsPage,
    EscalationsApi,
    BusinessesPage,
    BusinessesApi,
    BusinessesCsv,
    PropagandaPage,
    PropagandaCalendarPage,
    PropagandaApi,
    PropagandaSummaryApi,
    PropagandaExportCsv,
    CasesPage,
    CaseNewPage,
    CasesApi,
    CasesSummaryApi,
    CasesExportCsv,
    RingsPage,
    RingsApi,
    PlansPage,
    PlansApi,
    TasksLatePage,
    TasksLateApi,
    AnalyticsPage,
    AnalyticsSignalsPage,
    AnalyticsEhsaApi,
    AnalyticsKdeApi,
    AnalyticsPaiApi,
    AnalyticsSignalsApi,
    AnalyticsRaiseApi,
    ReportsPage,
    ReportsApi,
    ReportCreateApi,
    ReportSubmitPage,
    ReportApproveApi,
    ReportDownloadApi,
    ReportDetailPage,
    ReportDetailApi,
    ReportNarrativesApi,
    ReportReturnApi,
    ReportRedraftPage,
    ReportIssueApi,
    ReportApprovePage,
    ReportNarrativesPage,
    ReportReturnPage,
    ReportIssuePage,
    ReportDownloadPage,
    ReportSubmitApi,
    ReportRedraftApi,
    BreachesPage,
    BreachesApi,
    BreachDetailApi,
    BreachCreateApi,
    BreachCreatePage,
    BreachNotifiedApi,
    BreachNotifiedPage,
    AdminUserUnlockPage,
    UserUnlockApi,
}

impl Route {
    const ALL: [Route; 112] = [
        Route::DashboardPage,
        Route::UnitsPage,
        Route::PersonsListPage,
        Route::PersonsSearchPage,
        Route::PersonDetailPage,
        Route::PersonViewWithReasonPage,
        Route::PersonNewPage,
        Route::PersonCreatePage,
        Route::PersonsApiRead,
        Route::PersonsApiSearch,
        Route::PersonsApiCreate,
        Route::AdminUsersPage,
        Route::AdminUserUnlockPage,
        Route::UserUnlockApi,
        Route::AuditPage,
        Route::AuditCsv,
        Route::AuditApi,
        Route::AuditVerifyApi,
        Route::SitesPage,
        Route::SiteChecksPage,
        Route::SitesApi,
        Route::SitesMapApi,
        Route::SiteAlertsApi,
        Route::SitesExportCsv,
        Route::SiteNewPage,
        Route::SitesImportPage,
        Route::IncidentsPage,
        Route::IncidentsApi,
        Route::ParametersPage,
        Route::ParametersApi,
        Route::ParameterGroupPage,
        Route::OperationsParamsApi,
        Route::ClassificationPage,
        Route::ClassificationApi,
        Route::ClassificationCsv,
        Route::AreasPage,
        Route::AreasApi,
        Route::AreasExportCsv,
        Route::AreaNewPage,
        Route::RoutesPage,
        Route::RoutesApi,
        Route::AreaAdminPage,
        Route::AreasChecklistApi,
        Route::PersonEpisodesApi,
        Route::PersonEpisodeNewPage,
        Route::PersonProfilePage,
        Route::PersonsWorkPage,
        Route::PersonsWorklistsApi,
        Route::PersonsIncomingPage,
        Route::PersonsIncomingApi,
        Route::PersonsStatsPage,
        Route::PersonsStatsApi,
        Route::PersonsStatsXlsx,
        Route::IndicatorsApi,
        Route::PersonsExportCsv,
        Route::PersonDurationsApi,
        Route::TipsPage,
        Route::TipsApi,
        Route::EscalationsPage,
        Route::EscalationsApi,
        Route::BusinessesPage,
        Route::BusinessesApi,
        Route::BusinessesCsv,
        Route::PropagandaPage,
        Route::PropagandaCalendarPage,
        Route::PropagandaApi,
        Route::PropagandaSummaryApi,
        Route::PropagandaExportCsv,
        Route::CasesPage,
        Route::CaseNewPage,
        Route::CasesApi,
        Route::CasesSummaryApi,
        Route::CasesExportCsv,
        Route::RingsPage,
        Route::RingsApi,
        Route::PlansPage,
        Route::PlansApi,
        Route::TasksLatePage,
        Route::TasksLateApi,
        Route::AnalyticsPage,
        Route::AnalyticsSignalsPage,
        Route::AnalyticsEhsaApi,
        Route::AnalyticsKdeApi,
        Route::AnalyticsPaiApi,
        Route::AnalyticsSignalsApi,
        Route::AnalyticsRaiseApi,
        Route::ReportsPage,
        Route::ReportsApi,
        Route::ReportCreateApi,
        Route::ReportSubmitPage,
        Route::ReportApproveApi,
        Route::ReportDownloadApi,
        Route::ReportDetailPage,
        Route::ReportDetailApi,
        Route::ReportNarrativesApi,
        Route::ReportReturnApi,
        Route::ReportRedraftPage,
        Route::ReportIssueApi,
        Route::ReportApprovePage,
        Route::ReportNarrativesPage,
        Route::ReportReturnPage,
        Route::ReportIssuePage,
        Route::ReportDownloadPage,
        Route::ReportSubmitApi,
        Route::ReportRedraftApi,
        Route::BreachesPage,
        Route::BreachesApi,
        Route::BreachDetailApi,
        Route::BreachCreateApi,
        Route::BreachCreatePage,
        Route::BreachNotifiedApi,
        Route::BreachNotifiedPage,
    ];

    /// The action the route is declared with.
    fn action(self) -> Action {
        match self {
            Route::DashboardPage => Action::ViewAggregates,
            Route::UnitsPage => Action::BrowseUnits,
            Route::PersonsListPage
            | Route::PersonsSearchPage
            | Route::PersonDetailPage
            | Route::PersonViewWithReasonPage
            | Route::PersonsApiRead
            | Route::PersonsApiSearch => Action::ReadPersons,
            Route::PersonNewPage | Route::PersonCreatePage | Route::PersonsApiCreate => Action::WritePersons,
            Route::AdminUsersPage | Route::AdminUserUnlockPage | Route::UserUnlockApi => Action::ManageUsers,
            Route::AuditPage | Route::AuditCsv | Route::AuditApi | Route::AuditVerifyApi => Action::ReadAudit,
            Route::SitesPage
            | Route::SiteChecksPage
            | Route::SitesApi
            | Route::SitesMapApi
            | Route::SiteAlertsApi
            | Route::SitesExportCsv
            | Route::IncidentsPage
            | Route::IncidentsApi
            | Route::ClassificationPage
            | Route::ClassificationApi
            | Route::ClassificationCsv
            | Route::BusinessesPage
            | Route::BusinessesApi
            | Route::BusinessesCsv => Action::ReadSites,
            Route::TipsPage | Route::TipsApi => Action::TriageTips,
            Route::EscalationsPage | Route::EscalationsApi => Action::ReadEscalations,
            Route::SiteNewPage | Route::SitesImportPage => Action::WriteSites,
            Route::ParametersPage
            | Route::ParametersApi
            | Route::ParameterGroupPage
            | Route::OperationsParamsApi
            | Route::AreaAdminPage
            | Route::PersonDurationsApi => Action::ManageParameters,
            Route::PersonEpisodesApi
            | Route::PersonsWorkPage
            | Route::PersonsWorklistsApi
            | Route::PersonsIncomingPage
            | Route::PersonsIncomingApi => Action::ReadPersons,
            Route::PersonEpisodeNewPage | Route::PersonProfilePage => Action::WritePersons,
            Route::PersonsStatsPage
            | Route::PersonsStatsApi
            | Route::PersonsStatsXlsx
            | Route::IndicatorsApi => Action::ViewAggregates,
            Route::PersonsExportCsv => Action::ExportIdentities,
            Route::AreasPage
            | Route::AreasApi
            | Route::AreasExportCsv
            | Route::RoutesPage
            | Route::RoutesApi
            | Route::AreasChecklistApi => Action::ReadAreas,
            Route::AreaNewPage => Action::DecideAreas,
            Route::PropagandaPage
            | Route::PropagandaCalendarPage
            | Route::PropagandaApi
            | Route::PropagandaSummaryApi
            | Route::PropagandaExportCsv => Action::ReadPropaganda,
            Route::CasesPage
            | Route::CasesApi
            | Route::CasesSummaryApi
            | Route::CasesExportCsv
            | Route::RingsPage
            | Route::RingsApi => Action::ReadCases,
            Route::CaseNewPage => Action::WriteCases,
            Route::PlansPage | Route::PlansApi => Action::ReadPlans,
            Route::TasksLatePage | Route::TasksLateApi => Action::SuperviseTasks,
            Route::AnalyticsPage
            | Route::AnalyticsSignalsPage
            | Route::AnalyticsEhsaApi
            | Route::AnalyticsKdeApi
            | Route::AnalyticsPaiApi
            | Route::AnalyticsSignalsApi => Action::RunAnalytics,
            Route::AnalyticsRaiseApi => Action::DecideSignals,
            Route::ReportsPage
            | Route::ReportsApi
            | Route::ReportDownloadApi
            | Route::ReportDetailPage
            | Route::ReportDetailApi
            | Route::ReportDownloadPage => Action::ReadReports,
            Route::ReportCreateApi
            | Route::ReportSubmitPage
            | Route::ReportNarrativesApi
            | Route::ReportRedraftPage
            | Route::ReportIssueApi
            | Route::ReportNarrativesPage
            | Route::ReportIssuePage
            | Route::ReportSubmitApi
            | Route::ReportRedraftApi => Action::DraftReports,
            Route::ReportApproveApi
            | Route::ReportReturnApi
            | Route::ReportApprovePage
            | Route::ReportReturnPage => Action::ReviewReports,
            Route::BreachesPage | Route::BreachesApi | Route::BreachDetailApi => Action::ReadBreaches,
            Route::BreachCreateApi
            | Route::BreachCreatePage
            | Route::BreachNotifiedApi
            | Route::BreachNotifiedPage => Action::RecordBreaches,
        }
    }

    /// Whether the answer depends on the person's unit.
    fn scoped(self) -> bool {
        matches!(
            self,
            Route::PersonsSearchPage
                | Route::PersonDetailPage
                | Route::PersonViewWithReasonPage
                | Route::PersonCreatePage
                | Route::PersonsApiRead
                | Route::PersonsApiSearch
                | Route::PersonsApiCreate
                | Route::PersonEpisodesApi
                | Route::PersonEpisodeNewPage
                | Route::PersonProfilePage
        )
    }

    /// A part of one person's record by id that does not show the name: 404 outside.
    fn part_by_id(self) -> bool {
        matches!(self, Route::PersonEpisodesApi | Route::PersonEpisodeNewPage | Route::PersonProfilePage)
    }

    fn is_api(self) -> bool {
        matches!(
            self,
            Route::PersonsApiRead
                | Route::PersonsApiSearch
                | Route::PersonsApiCreate
                | Route::AuditApi
                | Route::AuditVerifyApi
                | Route::SitesApi
                | Route::SitesMapApi
                | Route::SiteAlertsApi
                | Route::SitesExportCsv
                | Route::IncidentsApi
                | Route::ParametersApi
                | Route::OperationsParamsApi
                | Route::ClassificationApi
                | Route::ClassificationCsv
                | Route::AreasApi
                | Route::AreasExportCsv
                | Route::RoutesApi
                | Route::AreasChecklistApi
                | Route::PersonEpisodesApi
                | Route::PersonsWorklistsApi
                | Route::PersonsIncomingApi
                | Route::PersonsStatsApi
                | Route::PersonsStatsXlsx
                | Route::IndicatorsApi
                | Route::PersonsExportCsv
                | Route::PersonDurationsApi
                | Route::TipsApi
                | Route::EscalationsApi
                | Route::BusinessesApi
                | Route::BusinessesCsv
                | Route::PropagandaApi
                | Route::PropagandaSummaryApi
                | Route::PropagandaExportCsv
                | Route::CasesApi
                | Route::CasesSummaryApi
                | Route::CasesExportCsv
                | Route::RingsApi
                | Route::PlansApi
                | Route::TasksLateApi
                | Route::AnalyticsEhsaApi
                | Route::AnalyticsKdeApi
                | Route::AnalyticsPaiApi
                | Route::AnalyticsSignalsApi
                | Route::AnalyticsRaiseApi
                | Route::ReportsApi
                | Route::ReportCreateApi
                | Route::ReportApproveApi
                | Route::ReportDownloadApi
                | Route::ReportDetailApi
                | Route::ReportNarrativesApi
                | Route::ReportReturnApi
                | Route::ReportIssueApi
                | Route::ReportSubmitApi
                | Route::ReportRedraftApi
                | Route::BreachesApi
                | Route::BreachDetailApi
                | Route::BreachCreateApi
                | Route::BreachNotifiedApi
                | Route::UserUnlockApi
        )
    }

    /// Reads one person's record by id (an out-of-scope attempt is a 404, audited).
    fn reads_by_id(self) -> bool {
        matches!(self, Route::PersonDetailPage | Route::PersonViewWithReasonPage | Route::PersonsApiRead)
    }
}

/// Whether the principal's scope holds people living in `commune`.
fn covers(p: &Principal, commune: &str) -> bool {
    match p.unit {
        "51" => commune == COMMUNE_A || commune == COMMUNE_B,
        "01" => commune == COMMUNE_HN,
        code => commune == code,
    }
}

/// The status the table says a call must get.
fn expected_status(p: &Principal, route: Route, inside: bool) -> u16 {
    // "/" is where sign-in lands: a role without the dashboard is sent on to the first
    // page it may open rather than refused.
    if matches!(route, Route::DashboardPage) && !allows(p.role, route.action(), p.granted) {
        return 303;
    }
    if !allows(p.role, route.action(), p.granted) {
        return 403;
    }
    match route {
        r if r.reads_by_id() || r.part_by_id() => {
            if inside {
                200
            } else {
                404
            }
        }
        // A new record in scope: 201 from the API, a redirect to it from the form. Out
        // of scope: the residence field is refused.
        Route::PersonsApiCreate => {
            if inside {
                201
            } else {
                422
            }
        }
        Route::PersonCreatePage => {
            if inside {
                303
            } else {
                422
            }
        }
        Route::AnalyticsRaiseApi => 201,
        // Clearing the sign-in lock of the first account: back to the list.
        Route::AdminUserUnlockPage => 303,
        // Each drafting principal drafts its own unit's annual report once.
        Route::ReportCreateApi => 201,
        // Past the role check, an unknown report is not found.
        Route::ReportSubmitPage
        | Route::ReportApproveApi
        | Route::ReportDownloadApi
        | Route::ReportDetailPage
        | Route::ReportDetailApi
        | Route::ReportNarrativesApi
        | Route::ReportReturnApi
        | Route::ReportRedraftPage
        | Route::ReportIssueApi
        | Route::ReportApprovePage
        | Route::ReportNarrativesPage
        | Route::ReportReturnPage
        | Route::ReportIssuePage
        | Route::ReportDownloadPage
        | Route::ReportSubmitApi
        | Route::ReportRedraftApi => 404,
        // Every recording principal records an incident of its province.
        Route::BreachCreateApi => 201,
        Route::BreachCreatePage => 303,
        // Past the role check, an unknown incident is not found.
        Route::BreachDetailApi | Route::BreachNotifiedApi | Route::BreachNotifiedPage => 404,
        _ => 200,
    }
}

/// Sends the route's request with `client` (cookies) and `csrf`, about `subject` (reads)
/// or a new person living in `commune` (writes). Returns the status and the body.
async fn call(
    app: &TestApp,
    client: &reqwest::Client,
    csrf: &str,
    route: Route,
    subject: &Subject,
    commune: &str,
) -> (u16, String, reqwest::header::HeaderMap) {
    let url = |p: &str| app.url(p);
    let new_person = || {
        json!({"full_name": "Người Mới Tạo", "id_number": fresh_id_number(), "sex": "male",
               "birth_year": "1990", "residence_unit": commune})
    };
    let req = match route {
        Route::DashboardPage => client.get(url("/")),
        Route::UnitsPage => client.get(url("/units")),
        Route::PersonsListPage => client.get(url("/persons")),
        Route::PersonsSearchPage => client
            .post(url("/persons/search"))
            .form(&[("id_number", subject.id_number.as_str()), ("csrf_token", csrf)]),
        Route::PersonDetailPage => client.get(url(&format!("/persons/{}", subject.id))),
        Route::PersonViewWithReasonPage => client
            .post(url(&format!("/persons/{}/view", subject.id)))
            .form(&[("reason", "kiểm tra hồ sơ"), ("csrf_token", csrf)]),
        Route::PersonNewPage => client.get(url("/persons/new")),
        Route::PersonCreatePage => {
            let n = new_person();
            let fields: Vec<(String, String)> = n
                .as_object()
                .into_iter()
                .flatten()
                .map(|(k, v)| (k.clone(), v.as_str().unwrap_or_default().to_owned()))
                .chain([("csrf_token".to_owned(), csrf.to_owned())])
                .collect();
            client.post(url("/persons")).form(&fields)
        }
        Route::PersonsApiRead => client.get(url(&format!("/api/v1/persons/{}", subject.id))),
        Route::PersonsApiSearch => client
            .post(url("/api/v1/persons/search"))
            .header("x-csrf-token", csrf)
            .json(&json!({"id_number": subject.id_number})),
        Route::PersonsApiCreate => {
            client.post(url("/api/v1/persons")).header("x-csrf-token", csrf).json(&new_person())
        }
        Route::AdminUsersPage => client.get(url("/admin/users")),
        // Account 1 exists: the first principal's.
        Route::AdminUserUnlockPage => client.post(url("/admin/users/1/unlock")).form(&[("csrf_token", csrf)]),
        Route::UserUnlockApi => {
            client.post(url("/api/v1/users/1/unlock")).header("x-csrf-token", csrf).json(&json!({}))
        }
        Route::AuditPage => client.get(url("/audit")),
        Route::AuditCsv => client.get(url("/audit.csv")),
        Route::AuditApi => client.get(url("/api/v1/audit")),
        Route::AuditVerifyApi => client.get(url("/api/v1/audit/verify")),
        Route::SitesPage => client.get(url("/sites")),
        Route::SiteChecksPage => client.get(url("/sites/checks")),
        Route::SitesApi => client.get(url("/api/v1/sites")),
        Route::SitesMapApi => client.get(url("/api/v1/sites/map")),
        Route::SiteAlertsApi => client.get(url("/api/v1/sites/alerts")),
        Route::SitesExportCsv => client.get(url("/api/v1/sites/export.csv")),
        Route::SiteNewPage => client.get(url("/sites/new")),
        Route::SitesImportPage => client.get(url("/sites/import")),
        Route::IncidentsPage => client.get(url("/incidents")),
        Route::IncidentsApi => client.get(url("/api/v1/incidents")),
        Route::ParametersPage => client.get(url("/admin/parameters")),
        Route::ParametersApi => client.get(url("/api/v1/parameters/sites")),
        Route::ParameterGroupPage => client.get(url("/admin/parameters/person_durations")),
        Route::OperationsParamsApi => client.get(url("/api/v1/parameters/operations")),
        Route::ClassificationPage => client.get(url("/classification?year=2025")),
        Route::ClassificationApi => client.get(url("/api/v1/classifications?year=2025")),
        Route::ClassificationCsv => client.get(url("/api/v1/classifications/export.csv?year=2025")),
        Route::AreasPage => client.get(url("/areas")),
        Route::AreasApi => client.get(url("/api/v1/areas")),
        Route::AreasExportCsv => client.get(url("/api/v1/areas/export.csv")),
        Route::AreaNewPage => client.get(url("/areas/new")),
        Route::RoutesPage => client.get(url("/routes")),
        Route::RoutesApi => client.get(url("/api/v1/routes")),
        Route::AreaAdminPage => client.get(url("/admin/areas")),
        Route::AreasChecklistApi => client.get(url("/api/v1/areas/checklist")),
        Route::PersonEpisodesApi => client.get(url(&format!("/api/v1/persons/{}/episodes", subject.id))),
        Route::PersonEpisodeNewPage => client.get(url(&format!("/persons/{}/episodes/new", subject.id))),
        Route::PersonProfilePage => client.get(url(&format!("/persons/{}/profile", subject.id))),
        Route::PersonsWorkPage => client.get(url("/persons/work")),
        Route::PersonsWorklistsApi => client.get(url("/api/v1/persons/worklists")),
        Route::PersonsIncomingPage => client.get(url("/persons/incoming")),
        Route::PersonsIncomingApi => client.get(url("/api/v1/persons/transfers/incoming")),
        Route::PersonsStatsPage => client.get(url("/persons/statistics?year=2026")),
        Route::PersonsStatsApi => client.get(url("/api/v1/persons/statistics?year=2026")),
        Route::PersonsStatsXlsx => client.get(url("/api/v1/persons/statistics.xlsx?year=2026")),
        Route::IndicatorsApi => client.get(url("/api/v1/indicators?period=2026")),
        Route::PersonsExportCsv => client.get(url("/api/v1/persons/export.csv")),
        Route::PersonDurationsApi => client.get(url("/api/v1/parameters/person_durations")),
        Route::TipsPage => client.get(url("/tips")),
        Route::TipsApi => client.get(url("/api/v1/tips")),
        Route::EscalationsPage => client.get(url("/escalations")),
        Route::EscalationsApi => client.get(url("/api/v1/escalations")),
        Route::BusinessesPage => client.get(url("/businesses")),
        Route::BusinessesApi => client.get(url("/api/v1/businesses")),
        Route::BusinessesCsv => client.get(url("/api/v1/businesses/export.csv")),
        Route::PropagandaPage => client.get(url("/propaganda")),
        Route::PropagandaCalendarPage => client.get(url("/propaganda/calendar?month=2026-03")),
        Route::PropagandaApi => client.get(url("/api/v1/propaganda")),
        Route::PropagandaSummaryApi => client.get(url("/api/v1/propaganda/summary")),
        Route::PropagandaExportCsv => client.get(url("/api/v1/propaganda/export.csv")),
        Route::CasesPage => client.get(url("/cases")),
        Route::CaseNewPage => client.get(url("/cases/new")),
        Route::CasesApi => client.get(url("/api/v1/cases")),
        Route::CasesSummaryApi => client.get(url("/api/v1/cases/summary")),
        Route::CasesExportCsv => client.get(url("/api/v1/cases/export.csv")),
        Route::RingsPage => client.get(url("/rings")),
        Route::RingsApi => client.get(url("/api/v1/rings")),
        Route::PlansPage => client.get(url("/plans")),
        Route::PlansApi => client.get(url("/api/v1/plans")),
        Route::TasksLatePage => client.get(url("/tasks/late")),
        Route::TasksLateApi => client.get(url("/api/v1/tasks/late")),
        Route::AnalyticsPage => client.get(url("/analytics?run_now=1")),
        Route::AnalyticsSignalsPage => client.get(url("/analytics/signals")),
        Route::AnalyticsEhsaApi => client.get(url("/api/v1/analytics/ehsa")),
        Route::AnalyticsKdeApi => client.get(url("/api/v1/analytics/kde")),
        Route::AnalyticsPaiApi => {
            client.get(url("/api/v1/analytics/pai?to=2025-12-31&test_from=2026-01-01&test_to=2026-03-31"))
        }
        Route::AnalyticsSignalsApi => client.get(url("/api/v1/analytics/signals")),
        Route::AnalyticsRaiseApi => {
            client.post(url("/api/v1/analytics/signals")).header("x-csrf-token", csrf)
        }
        Route::ReportsPage => client.get(url("/reports")),
        Route::ReportsApi => client.get(url("/api/v1/reports")),
        Route::ReportCreateApi => client
            .post(url("/api/v1/reports"))
            .header("x-csrf-token", csrf)
            .json(&json!({"kind": "annual", "period": "2026"})),
        Route::ReportSubmitPage => client.post(url("/reports/999999/submit")).form(&[("csrf_token", csrf)]),
        Route::ReportApproveApi => {
            client.post(url("/api/v1/reports/999999/approve")).header("x-csrf-token", csrf).json(&json!({}))
        }
        Route::ReportDownloadApi => client.get(url("/api/v1/reports/999999/download?format=xlsx")),
        Route::ReportDetailPage => client.get(url("/reports/999999")),
        Route::ReportDetailApi => client.get(url("/api/v1/reports/999999")),
        Route::ReportNarrativesApi => client
            .post(url("/api/v1/reports/999999/narratives"))
            .header("x-csrf-token", csrf)
            .json(&json!({"narratives": {}})),
        Route::ReportReturnApi => client
            .post(url("/api/v1/reports/999999/return"))
            .header("x-csrf-token", csrf)
            .json(&json!({"reason": "thiếu số liệu"})),
        Route::ReportRedraftPage => client.post(url("/reports/999999/redraft")).form(&[("csrf_token", csrf)]),
        Route::ReportIssueApi => {
            client.post(url("/api/v1/reports/999999/issue")).header("x-csrf-token", csrf).json(&json!({}))
        }
        Route::ReportApprovePage => client.post(url("/reports/999999/approve")).form(&[("csrf_token", csrf)]),
        Route::ReportNarrativesPage => client
            .post(url("/reports/999999/narratives"))
            .form(&[("csrf_token", csrf), ("general", "Tình hình chung")]),
        Route::ReportReturnPage => client
            .post(url("/reports/999999/return"))
            .form(&[("csrf_token", csrf), ("reason", "Thiếu số liệu")]),
        Route::ReportIssuePage => client.post(url("/reports/999999/issue")).form(&[("csrf_token", csrf)]),
        Route::ReportDownloadPage => client.get(url("/reports/999999/download?format=docx")),
        Route::ReportSubmitApi => {
            client.post(url("/api/v1/reports/999999/submit")).header("x-csrf-token", csrf).json(&json!({}))
        }
        Route::ReportRedraftApi => {
            client.post(url("/api/v1/reports/999999/redraft")).header("x-csrf-token", csrf).json(&json!({}))
        }
        Route::BreachesPage => client.get(url("/data-breaches")),
        Route::BreachesApi => client.get(url("/api/v1/data-breaches")),
        Route::BreachDetailApi => client.get(url("/api/v1/data-breaches/999999")),
        Route::BreachCreateApi => client
            .post(url("/api/v1/data-breaches"))
            .header("x-csrf-token", csrf)
            .json(&json!({"detected_at": "2026-10-03T09:00", "description": "Máy tính nhiễm mã độc",
                    "categories": ["health"], "persons_affected": 3})),
        Route::BreachCreatePage => client.post(url("/data-breaches")).form(&[
            ("csrf_token", csrf),
            ("detected_at", "2026-10-03T09:00"),
            ("description", "Bản in để quên"),
            ("categories", "identity"),
            ("persons_affected", "2"),
        ]),
        Route::BreachNotifiedApi => client
            .post(url("/api/v1/data-breaches/999999/notified"))
            .header("x-csrf-token", csrf)
            .json(&json!({"authority_notified_at": "2026-10-04T09:00"})),
        Route::BreachNotifiedPage => client
            .post(url("/data-breaches/999999/notified"))
            .form(&[("csrf_token", csrf), ("authority_notified_at", "2026-10-04T09:00")]),
    };
    let r = req.send().await.expect("request");
    let status = r.status().as_u16();
    let headers = r.headers().clone();
    (status, r.text().await.unwrap_or_default(), headers)
}

/// Three people: two in different communes of Quảng Ngãi, one in Hà Nội.
async fn subjects(app: &TestApp) -> Vec<Subject> {
    let mut v = Vec::new();
    for (commune, name) in
        [(COMMUNE_A, "Phạm Văn Kontum"), (COMMUNE_B, "Lê Văn Camthanh"), (COMMUNE_HN, "Đỗ Văn Badinh")]
    {
        let id_number = fresh_id_number();
        let id = add_person(app, commune, name, &id_number).await;
        v.push(Subject { id, name: name.to_owned(), id_number, commune });
    }
    v
}

fn subject_in<'a>(subjects: &'a [Subject], commune: &str) -> &'a Subject {
    subjects.iter().find(|s| s.commune == commune).expect("a subject in the commune")
}

#[tokio::test]
async fn every_role_gets_what_the_access_table_says_on_every_route_in_and_out_of_scope() {
    for app in TestApp::all().await {
        let subjects = subjects(&app).await;
        let mut checked = 0;
        for p in &PRINCIPALS {
            assert!(covers(p, p.inside) && !covers(p, p.outside), "fixture of {}", p.role);
            let (username, password) = app.create_user(p.role, p.unit).await;
            if p.granted {
                diaban_store::users::set_personal_data_grant(app.db(), user_id(&app, &username).await, true)
                    .await
                    .expect("grant");
            }
            let who = app.login(&username, &password).await;
            let label =
                format!("{} {} {}{}", app.engine, p.role, p.unit, if p.granted { " granted" } else { "" });
            let mut refusals = 0;
            for route in Route::ALL {
                let sides: &[bool] = if route.scoped() { &[true, false] } else { &[true] };
                for &inside in sides {
                    let commune = if inside { p.inside } else { p.outside };
                    let subject = subject_in(&subjects, commune);
                    let (status, body, headers) =
                        call(&app, &who.client, &who.csrf, route, subject, commune).await;
                    let want = expected_status(p, route, inside);
                    let what =
                        format!("{label}: {route:?} {}", if inside { "in scope" } else { "out of scope" });
                    assert_eq!(status, want, "{what}: {}", &body[..body.len().min(300)]);
                    checked += 1;
                    if matches!(route, Route::DashboardPage) && want == 303 {
                        let to = headers.get("location").and_then(|v| v.to_str().ok()).unwrap_or_default();
                        assert!(to == "/audit" || to == "/account", "{what}: sent to {to}");
                        continue;
                    }
                    if want == 403 {
                        refusals += 1;
                        if route.is_api() {
                            let v: Value = serde_json::from_str(&body).expect("JSON error");
                            assert_eq!(v["error"]["code"], "forbidden", "{what}");
                        }
                        // A refusal shows nothing of the person.
                        assert!(!body.contains(&subject.name), "{what}: the refusal shows the name");
                        continue;
                    }
                    check_content(
                        &app,
                        route,
                        inside,
                        subject,
                        &subjects,
                        p,
                        &who.username,
                        &body,
                        &headers,
                        &what,
                    )
                    .await;
                }
            }
            // Every refusal by role is in the audit log, as this user, with outcome denied.
            let denied: Vec<_> = audit_entries(&app, "access.denied")
                .await
                .into_iter()
                .filter(|e| e.actor == who.username)
                .collect();
            assert_eq!(denied.len(), refusals, "{label}: audited refusals");
            assert!(denied.iter().all(|e| e.outcome == "denied" && e.role == p.role.as_str()), "{label}");
        }
        assert!(checked >= PRINCIPALS.len() * Route::ALL.len(), "{checked}");
        app.stop().await;
    }
}

/// What an allowed call must (and must not) show.
#[allow(clippy::too_many_arguments)]
async fn check_content(
    app: &TestApp,
    route: Route,
    inside: bool,
    subject: &Subject,
    subjects: &[Subject],
    p: &Principal,
    username: &str,
    body: &str,
    headers: &reqwest::header::HeaderMap,
    what: &str,
) {
    match route {
        // Lists are filtered by scope in the query: the list shows the person of the
        // caller's scope and none of the others.
        Route::PersonsListPage => {
            for s in subjects {
                assert_eq!(body.contains(&s.name), covers(p, s.commune), "{what}: {} in the list", s.name);
            }
        }
        Route::PersonsSearchPage => {
            assert_eq!(body.contains(&subject.name), inside, "{what}: search result");
        }
        Route::PersonsApiSearch => {
            let v: Value = serde_json::from_str(body).expect("JSON");
            let items = v["items"].as_array().expect("items");
            if inside {
                assert_eq!(items.len(), 1, "{what}: {v}");
                assert_eq!(items[0]["id"], subject.id, "{what}");
            } else {
                assert!(items.is_empty(), "{what}: {v}");
            }
        }
        r if r.reads_by_id() => {
            if inside {
                assert!(body.contains(&subject.name), "{what}: the record is shown");
            } else {
                assert!(!body.contains(&subject.name), "{what}: nothing of the record is shown");
                // The attempt is in the audit log, as this user, refused.
                let reads = audit_entries(app, "person.read").await;
                assert!(
                    reads.iter().any(|e| e.actor == username
                        && e.target_id == subject.id.to_string()
                        && e.outcome == "denied"),
                    "{what}: the out-of-scope read is audited as denied"
                );
            }
        }
        // The export holds the caller's scope and nothing else.
        Route::PersonsExportCsv => {
            for s in subjects {
                assert_eq!(body.contains(&s.name), covers(p, s.commune), "{what}: {} in the export", s.name);
            }
        }
        Route::PersonEpisodesApi | Route::PersonProfilePage if !inside => {
            let reads = audit_entries(app, "person.read").await;
            assert!(
                reads.iter().any(|e| e.actor == username
                    && e.target_id == subject.id.to_string()
                    && e.outcome == "denied"),
                "{what}: the out-of-scope read is audited as denied"
            );
        }
        // Statistics and work lists carry no names.
        Route::PersonsStatsPage
        | Route::PersonsStatsApi
        | Route::PersonsStatsXlsx
        | Route::PersonsWorklistsApi => {
            for s in subjects {
                assert!(!body.contains(&s.name), "{what}: a name in an aggregate");
            }
        }
        Route::PersonCreatePage if inside => {
            assert!(location_of(headers).starts_with("/persons/"), "{what}");
        }
        Route::AuditCsv => {
            let ct = headers.get("content-type").and_then(|v| v.to_str().ok()).unwrap_or_default();
            assert!(ct.starts_with("text/csv"), "{what}: {ct}");
            assert!(body.starts_with("id,at_utc,actor"), "{what}");
        }
        _ => {}
    }
}

fn location_of(h: &reqwest::header::HeaderMap) -> String {
    h.get(reqwest::header::LOCATION).and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned()
}

#[tokio::test]
async fn a_commune_officer_asking_for_another_communes_person_gets_404_and_the_attempt_is_audited() {
    for app in TestApp::all().await {
        let subjects = subjects(&app).await;
        let other = subject_in(&subjects, COMMUNE_B);
        let officer = app.login_as(Role::CommuneOfficer, COMMUNE_A).await;
        for path in [format!("/api/v1/persons/{}", other.id), format!("/persons/{}", other.id)] {
            let r = officer.get(&path).await;
            assert_eq!(r.status().as_u16(), 404, "{}: {path}", app.engine);
            assert!(!r.text().await.unwrap_or_default().contains(&other.name));
        }
        // A record that does not exist answers exactly the same.
        let (s, missing) = officer.get_json("/api/v1/persons/999999").await;
        let (_, forged) = officer.get_json(&format!("/api/v1/persons/{}", other.id)).await;
        assert_eq!(s, 404);
        assert_eq!(missing, forged, "{}: out of scope looks like missing", app.engine);
        let auditor = app.login_as(Role::Auditor, "51").await;
        let (s, log) = auditor
            .get_json(&format!(
                "/api/v1/audit?action=person.read&target_id={}&actor={}",
                other.id, officer.username
            ))
            .await;
        assert_eq!(s, 200, "{log}");
        let items = log["items"].as_array().expect("items");
        assert_eq!(items.len(), 3, "{}: {log}", app.engine);
        for e in items {
            assert_eq!(e["outcome"], "denied", "{e}");
            assert_eq!(e["role"], "commune_officer");
            assert_eq!(e["unit_code"], COMMUNE_A);
        }
        app.stop().await;
    }
}

#[tokio::test]
async fn a_leader_reads_persons_only_while_granted() {
    for app in TestApp::all().await {
        let subjects = subjects(&app).await;
        let s = subject_in(&subjects, COMMUNE_A);
        let leader = app.login_as(Role::Leader, "51").await;
        let id = user_id(&app, &leader.username).await;
        let path = format!("/api/v1/persons/{}", s.id);
        assert_eq!(leader.get(&path).await.status().as_u16(), 403, "{}", app.engine);
        assert_eq!(leader.get("/persons").await.status().as_u16(), 403);
        // The leader still sees aggregates.
        assert_eq!(leader.get("/").await.status().as_u16(), 200);
        diaban_store::users::set_personal_data_grant(app.db(), id, true).await.expect("grant");
        let (st, p) = leader.get_json(&path).await;
        assert_eq!(st, 200, "{}: granted", app.engine);
        assert_eq!(p["full_name"], s.name.as_str());
        assert_eq!(leader.get("/persons").await.status().as_u16(), 200);
        // Granting reading does not grant writing.
        let (st, _) = leader
            .post_json(
                "/api/v1/persons",
                &json!({"full_name": "X", "id_number": fresh_id_number(), "sex": "male", "birth_year": "1990", "residence_unit": COMMUNE_A}),
            )
            .await;
        assert_eq!(st, 403);
        diaban_store::users::set_personal_data_grant(app.db(), id, false).await.expect("revoke");
        assert_eq!(leader.get(&path).await.status().as_u16(), 403, "{}: withdrawn", app.engine);
        app.stop().await;
    }
}

#[tokio::test]
async fn anonymous_callers_get_401_json_from_the_api_and_a_redirect_to_sign_in_from_pages() {
    for app in TestApp::all().await {
        let subjects = subjects(&app).await;
        let s = subject_in(&subjects, COMMUNE_A);
        let client = browser();
        // Page forms need the CSRF token even before signing in.
        let csrf = login_page_csrf(&app, &client).await;
        for route in Route::ALL {
            let (status, body, headers) = call(&app, &client, &csrf, route, s, COMMUNE_A).await;
            let what = format!("{}: anonymous {route:?}", app.engine);
            if route.is_api() {
                assert_eq!(status, 401, "{what}: {body}");
                let v: Value = serde_json::from_str(&body).expect("JSON");
                assert_eq!(v["error"]["code"], "unauthorized", "{what}");
            } else {
                assert_eq!(status, 303, "{what}: {body}");
                assert_eq!(location_of(&headers), "/login", "{what}");
            }
            assert!(!body.contains(&s.name), "{what}");
        }
        // An API client that sends nothing at all (no cookie, no CSRF header) is told to
        // sign in, not that a CSRF token is missing.
        let r = support::bare()
            .post(app.url("/api/v1/persons"))
            .json(&json!({"full_name": "X"}))
            .send()
            .await
            .expect("request");
        assert_eq!(r.status().as_u16(), 401, "{}", app.engine);
        app.stop().await;
    }
}

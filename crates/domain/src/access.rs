//! Who may do what. Every role is scoped to a unit (a province scope covers its
//! communes and the legacy units that went into them). This table is the single source of
//! the access rules: routes name an [`Action`], and docs/security.md prints this table.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// A role; each user has exactly one, with one unit as scope.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// System administration: accounts, reference data. No personal data.
    Admin,
    /// Provincial drug police (PC04): everything in the province, persons included.
    ProvinceOfficer,
    /// Commune police: the sites, persons and activities of one commune.
    CommuneOfficer,
    /// People's Committee or police leadership: reads everything in scope, decides
    /// escalations; personal details only when granted.
    Leader,
    /// A partner department (education, health, …): its own activities, aggregates only.
    Partner,
    /// Reads the audit log.
    Auditor,
}

impl Role {
    /// Every role, in display order.
    pub const ALL: [Role; 6] = [
        Role::Admin,
        Role::ProvinceOfficer,
        Role::CommuneOfficer,
        Role::Leader,
        Role::Partner,
        Role::Auditor,
    ];

    /// The stored form.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::ProvinceOfficer => "province_officer",
            Role::CommuneOfficer => "commune_officer",
            Role::Leader => "leader",
            Role::Partner => "partner",
            Role::Auditor => "auditor",
        }
    }

    /// Vietnamese name.
    pub fn label_vi(self) -> &'static str {
        match self {
            Role::Admin => "Quản trị hệ thống",
            Role::ProvinceOfficer => "Cán bộ PC04 (cấp tỉnh)",
            Role::CommuneOfficer => "Công an xã",
            Role::Leader => "Lãnh đạo",
            Role::Partner => "Sở, ngành phối hợp",
            Role::Auditor => "Kiểm tra nhật ký",
        }
    }

    /// English name.
    pub fn label_en(self) -> &'static str {
        match self {
            Role::Admin => "System administrator",
            Role::ProvinceOfficer => "Provincial drug police officer",
            Role::CommuneOfficer => "Commune police officer",
            Role::Leader => "Leader",
            Role::Partner => "Partner department",
            Role::Auditor => "Auditor",
        }
    }

    /// Whether the role's scope must be a commune (else a province).
    pub fn scope_is_commune(self) -> bool {
        matches!(self, Role::CommuneOfficer)
    }

    /// Whether two-factor sign-in is mandatory for this role when the deployment requires it.
    pub fn needs_two_factor(self) -> bool {
        matches!(self, Role::Admin | Role::ProvinceOfficer)
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A role name that is not one of the six.
#[derive(Debug, thiserror::Error)]
#[error("unknown role '{0}': expected admin, province_officer, commune_officer, leader, partner or auditor")]
pub struct UnknownRole(pub String);

impl FromStr for Role {
    type Err = UnknownRole;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Role::ALL.into_iter().find(|r| r.as_str() == s).ok_or_else(|| UnknownRole(s.to_owned()))
    }
}

/// What a route does, in terms the access table speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Action {
    /// The dashboard and other aggregate figures.
    ViewAggregates,
    /// Browse administrative units (pages).
    BrowseUnits,
    /// Read a person's identifying record.
    ReadPersons,
    /// Create or change a person's record.
    WritePersons,
    /// Export identities (lists with names and identity numbers).
    ExportIdentities,
    /// Manage user accounts.
    ManageUsers,
    /// Read and export the audit log.
    ReadAudit,
    /// Read the registry of drug sites (points, clusters, risk points) in scope.
    ReadSites,
    /// Record drug sites and move them through their lifecycle.
    WriteSites,
    /// Set the province's parameters (monitoring periods, radii, thresholds).
    ManageParameters,
    /// Read the transformation programme of key areas and the key routes, in scope.
    ReadAreas,
    /// Carry out an area's plan: save and revise it, report progress, record reviews.
    WriteAreas,
    /// Decide in the programme: select areas, evaluate, recognise, record relapses, end
    /// monitoring; record key routes.
    DecideAreas,
    /// Triage citizens' anonymous tips in scope: turn them into incidents (and sites) or
    /// dismiss them.
    TriageTips,
    /// Read escalations (kiến nghị) in scope; a partner sees only the ones it raised.
    ReadEscalations,
    /// Raise an escalation to the provincial police (a commune or a partner agency).
    RaiseEscalations,
    /// Handle escalations at the provincial police: assign, decide, return, or forward
    /// to the Provincial People's Committee.
    HandleEscalations,
    /// Decide escalations forwarded to the Provincial People's Committee.
    DecideEscalations,
    /// Record conditional businesses (ND 96/2016), their inspections and site links.
    ManageBusinesses,
    /// Read propaganda activities in scope (a partner: its own) and their totals.
    ReadPropaganda,
    /// Record propaganda activities (a partner: its own).
    WritePropaganda,
    /// Read and export cases, seizures and rings in scope.
    ReadCases,
    /// Record cases with their subjects and seizures; build and dismantle rings.
    WriteCases,
    /// Read plans, their targets and tasks in scope (a partner: the tasks assigned to it).
    ReadPlans,
    /// Edit plans, their targets and tasks.
    ManagePlans,
    /// Report progress on a task assigned to one's commune or agency.
    ReportTasks,
    /// Supervise tasks at the provincial police: reminders, inspections, guidance.
    SuperviseTasks,
    /// Run the spatio-temporal analytics (EHSA, density, PAI) on the incidents in scope
    /// and read the signals they raised.
    RunAnalytics,
    /// Raise the analytics' signals for the scope and accept or dismiss them.
    DecideSignals,
    /// Read periodic reports in scope (drafts only in the drafting unit; partners and
    /// leaders: issued ones, and leaders the province's once submitted) and download them.
    ReadReports,
    /// Draft the unit's periodic report, edit its narratives, submit and issue it.
    DraftReports,
    /// Approve or return a report submitted from the level below (PC04: communes';
    /// leaders: the province's).
    ReviewReports,
    /// Read the register of personal-data breaches (incidents and their notification).
    ReadBreaches,
    /// Record a personal-data breach and its notifications.
    RecordBreaches,
}

impl Action {
    /// Every action, in the order docs/security.md lists them.
    pub const ALL: [Action; 34] = [
        Action::ViewAggregates,
        Action::BrowseUnits,
        Action::ReadPersons,
        Action::WritePersons,
        Action::ExportIdentities,
        Action::ManageUsers,
        Action::ReadAudit,
        Action::ReadSites,
        Action::WriteSites,
        Action::ManageParameters,
        Action::ReadAreas,
        Action::WriteAreas,
        Action::DecideAreas,
        Action::TriageTips,
        Action::ReadEscalations,
        Action::RaiseEscalations,
        Action::HandleEscalations,
        Action::DecideEscalations,
        Action::ManageBusinesses,
        Action::ReadPropaganda,
        Action::WritePropaganda,
        Action::ReadCases,
        Action::WriteCases,
        Action::ReadPlans,
        Action::ManagePlans,
        Action::ReportTasks,
        Action::SuperviseTasks,
        Action::RunAnalytics,
        Action::DecideSignals,
        Action::ReadReports,
        Action::DraftReports,
        Action::ReviewReports,
        Action::ReadBreaches,
        Action::RecordBreaches,
    ];

    /// A short English description for the roles table.
    pub fn describe(self) -> &'static str {
        match self {
            Action::ViewAggregates => "dashboard and aggregate figures",
            Action::BrowseUnits => "browse administrative units",
            Action::ReadPersons => "read a person's record (audited)",
            Action::WritePersons => "create or change a person's record",
            Action::ExportIdentities => "export lists with identities (audited)",
            Action::ManageUsers => "manage accounts",
            Action::ReadAudit => "read and export the audit log",
            Action::ReadSites => "read and export the drug-site registry",
            Action::WriteSites => "record drug sites and their lifecycle",
            Action::ManageParameters => "set the province's parameters",
            Action::ReadAreas => "read the transformation programme and key routes",
            Action::WriteAreas => "carry out an area's plan: plan, progress, reviews",
            Action::DecideAreas => "select, evaluate and recognise areas; record routes",
            Action::TriageTips => "triage anonymous tips",
            Action::ReadEscalations => "read escalations (partners: their own)",
            Action::RaiseEscalations => "raise an escalation",
            Action::HandleEscalations => "handle escalations at the provincial police",
            Action::DecideEscalations => "decide escalations forwarded to the committee",
            Action::ManageBusinesses => "record conditional businesses and inspections",
            Action::ReadPropaganda => "read propaganda activities and totals (partner: its own)",
            Action::WritePropaganda => "record propaganda activities (partner: its own)",
            Action::ReadCases => "read and export cases, seizures and rings",
            Action::WriteCases => "record cases, subjects, seizures and rings",
            Action::ReadPlans => "read plans, targets and tasks (partner: its tasks)",
            Action::ManagePlans => "edit plans, targets and tasks",
            Action::ReportTasks => "report progress on one's own tasks",
            Action::SuperviseTasks => "remind, inspect and guide on tasks; the late list",
            Action::RunAnalytics => "run hot-spot analytics on incidents; read their signals",
            Action::DecideSignals => "raise analytics signals; accept or dismiss them",
            Action::ReadReports => "read and download periodic reports (drafts: drafting unit only)",
            Action::DraftReports => "draft, submit and issue the unit's periodic report",
            Action::ReviewReports => "approve or return reports from the level below",
            Action::ReadBreaches => "read the personal-data breach register",
            Action::RecordBreaches => "record personal-data breaches and their notification",
        }
    }
}

/// Whether `role` may perform `action` at all (the scope is checked separately, in the
/// query). `granted` is the per-user grant that lets a leader read personal details.
pub fn allows(role: Role, action: Action, granted: bool) -> bool {
    use Action::*;
    use Role::*;
    match action {
        ViewAggregates | BrowseUnits => !matches!(role, Auditor),
        ReadPersons => matches!(role, ProvinceOfficer | CommuneOfficer) || (role == Leader && granted),
        WritePersons => matches!(role, ProvinceOfficer | CommuneOfficer),
        ExportIdentities => matches!(role, ProvinceOfficer),
        ManageUsers => matches!(role, Admin),
        ReadAudit => matches!(role, Admin | Auditor),
        // Sites are operational police data: the admin runs the system, not operations.
        ReadSites => matches!(role, ProvinceOfficer | CommuneOfficer | Leader),
        WriteSites => matches!(role, ProvinceOfficer | CommuneOfficer),
        // The administrator enters what the province decided; every change is audited.
        ManageParameters => matches!(role, Admin),
        // The programme is the police's and the committee's work; leaders follow it.
        ReadAreas => matches!(role, ProvinceOfficer | CommuneOfficer | Leader),
        WriteAreas => matches!(role, ProvinceOfficer | CommuneOfficer),
        // Selection and recognition are provincial decisions, recorded by PC04.
        DecideAreas => matches!(role, ProvinceOfficer),
        // Tips are reports of places for the police of the commune or the province.
        TriageTips => matches!(role, ProvinceOfficer | CommuneOfficer),
        ReadEscalations => matches!(role, ProvinceOfficer | CommuneOfficer | Leader | Partner),
        // A commune or an agency raises; the provincial police and the committee answer.
        RaiseEscalations => matches!(role, CommuneOfficer | Partner),
        HandleEscalations => matches!(role, ProvinceOfficer),
        DecideEscalations => matches!(role, Leader),
        // Businesses are read under the sites' rules (ReadSites); police record them.
        ManageBusinesses => matches!(role, ProvinceOfficer | CommuneOfficer),
        // Partners record their own activities; the query narrows what they read to those.
        ReadPropaganda => matches!(role, ProvinceOfficer | CommuneOfficer | Leader | Partner),
        WritePropaganda => matches!(role, ProvinceOfficer | CommuneOfficer | Partner),
        // Cases and rings are police operational data, like sites.
        ReadCases => matches!(role, ProvinceOfficer | CommuneOfficer | Leader),
        WriteCases => matches!(role, ProvinceOfficer | CommuneOfficer),
        // Plans and targets hold no personal data: everyone but the auditor reads them;
        // the query narrows a partner's tasks to those assigned to its account.
        ReadPlans => !matches!(role, Auditor),
        // The administrator enters a plan as issued; PC04 keeps its targets and tasks.
        ManagePlans => matches!(role, Admin | ProvinceOfficer),
        // The assignee reports: a commune's police, an agency, or PC04 for its own tasks.
        ReportTasks => matches!(role, ProvinceOfficer | CommuneOfficer | Partner),
        // The plan charges the provincial police with inspecting, urging and guiding.
        SuperviseTasks => matches!(role, ProvinceOfficer),
        // Hot-spot maps are built from police incidents (operational data, like sites):
        // the police and leaders run them; partners and auditors do not.
        RunAnalytics => matches!(role, ProvinceOfficer | CommuneOfficer | Leader),
        // Signals change the registries' work lists: the police decide them.
        DecideSignals => matches!(role, ProvinceOfficer | CommuneOfficer),
        // Reports are aggregates: partners and leaders read the issued ones of their scope
        // (report::workflow::visible narrows by status); the admin and the auditor none.
        ReadReports => matches!(role, ProvinceOfficer | CommuneOfficer | Leader | Partner),
        // The police draft: a commune's for its commune, PC04 for the province.
        DraftReports => matches!(role, ProvinceOfficer | CommuneOfficer),
        // PC04 reviews the communes' reports, the committee's leaders the province's.
        ReviewReports => matches!(role, ProvinceOfficer | Leader),
        // The data controller's representatives (PC04) and the administrator who runs the
        // system record incidents; the auditor checks the register. Entries describe
        // incidents, not persons, yet they are no business of partners or communes.
        ReadBreaches => matches!(role, Admin | ProvinceOfficer | Auditor),
        RecordBreaches => matches!(role, Admin | ProvinceOfficer),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_round_trip() {
        for r in Role::ALL {
            assert_eq!(r.as_str().parse::<Role>().unwrap(), r);
        }
        assert!("root".parse::<Role>().is_err());
    }

    #[test]
    fn personal_data_is_need_to_know() {
        assert!(allows(Role::CommuneOfficer, Action::ReadPersons, false));
        assert!(!allows(Role::Leader, Action::ReadPersons, false));
        assert!(allows(Role::Leader, Action::ReadPersons, true));
        for r in [Role::Admin, Role::Partner, Role::Auditor] {
            assert!(!allows(r, Action::ReadPersons, true), "{r}");
        }
        assert!(!allows(Role::CommuneOfficer, Action::ExportIdentities, false));
    }

    #[test]
    fn sites_are_for_the_police_and_leaders() {
        for r in [Role::ProvinceOfficer, Role::CommuneOfficer, Role::Leader] {
            assert!(allows(r, Action::ReadSites, false), "{r}");
        }
        for r in [Role::Admin, Role::Partner, Role::Auditor] {
            assert!(!allows(r, Action::ReadSites, true), "{r}");
            assert!(!allows(r, Action::WriteSites, true), "{r}");
        }
        assert!(!allows(Role::Leader, Action::WriteSites, true));
        assert!(allows(Role::CommuneOfficer, Action::WriteSites, false));
    }

    #[test]
    fn escalations_go_up_from_communes_and_agencies() {
        for r in [Role::CommuneOfficer, Role::Partner] {
            assert!(allows(r, Action::RaiseEscalations, false), "{r}");
            assert!(!allows(r, Action::HandleEscalations, true), "{r}");
        }
        assert!(allows(Role::ProvinceOfficer, Action::HandleEscalations, false));
        assert!(allows(Role::Leader, Action::DecideEscalations, false));
        assert!(!allows(Role::ProvinceOfficer, Action::DecideEscalations, false));
        for r in [Role::Admin, Role::Auditor] {
            assert!(!allows(r, Action::ReadEscalations, true), "{r}");
            assert!(!allows(r, Action::TriageTips, true), "{r}");
        }
    }

    #[test]
    fn partners_record_propaganda_but_see_no_cases() {
        assert!(allows(Role::Partner, Action::WritePropaganda, false));
        assert!(allows(Role::Partner, Action::ReadPropaganda, false));
        assert!(!allows(Role::Partner, Action::ReadCases, true));
        assert!(!allows(Role::Leader, Action::WriteCases, true));
        assert!(!allows(Role::Leader, Action::WritePropaganda, true));
        for r in [Role::Admin, Role::Auditor] {
            assert!(!allows(r, Action::ReadPropaganda, true), "{r}");
            assert!(!allows(r, Action::ReadCases, true), "{r}");
        }
    }

    #[test]
    fn plans_are_kept_by_pc04_and_reported_by_assignees() {
        for r in [Role::Admin, Role::ProvinceOfficer] {
            assert!(allows(r, Action::ManagePlans, false), "{r}");
        }
        for r in [Role::CommuneOfficer, Role::Leader, Role::Partner, Role::Auditor] {
            assert!(!allows(r, Action::ManagePlans, true), "{r}");
        }
        for r in [Role::CommuneOfficer, Role::Partner, Role::ProvinceOfficer] {
            assert!(allows(r, Action::ReportTasks, false), "{r}");
        }
        assert!(!allows(Role::Leader, Action::ReportTasks, true));
        assert!(allows(Role::ProvinceOfficer, Action::SuperviseTasks, false));
        assert!(!allows(Role::CommuneOfficer, Action::SuperviseTasks, true));
        assert!(!allows(Role::Auditor, Action::ReadPlans, true));
        assert!(allows(Role::Partner, Action::ReadPlans, false));
    }

    #[test]
    fn analytics_are_for_the_police_and_leaders_and_only_the_police_decide() {
        for r in [Role::ProvinceOfficer, Role::CommuneOfficer, Role::Leader] {
            assert!(allows(r, Action::RunAnalytics, false), "{r}");
        }
        for r in [Role::Admin, Role::Partner, Role::Auditor] {
            assert!(!allows(r, Action::RunAnalytics, true), "{r}");
            assert!(!allows(r, Action::DecideSignals, true), "{r}");
        }
        assert!(!allows(Role::Leader, Action::DecideSignals, true));
        assert!(allows(Role::CommuneOfficer, Action::DecideSignals, false));
    }

    #[test]
    fn reports_are_drafted_by_the_police_and_reviewed_a_level_up() {
        for r in [Role::ProvinceOfficer, Role::CommuneOfficer] {
            assert!(allows(r, Action::DraftReports, false), "{r}");
        }
        for r in [Role::ProvinceOfficer, Role::Leader] {
            assert!(allows(r, Action::ReviewReports, false), "{r}");
        }
        assert!(allows(Role::Partner, Action::ReadReports, false));
        assert!(!allows(Role::Partner, Action::DraftReports, true));
        assert!(!allows(Role::CommuneOfficer, Action::ReviewReports, true));
        for r in [Role::Admin, Role::Auditor] {
            for a in [Action::ReadReports, Action::DraftReports, Action::ReviewReports] {
                assert!(!allows(r, a, true), "{r} {a:?}");
            }
        }
    }

    /// The roles × actions table as docs/security.md prints it, rendered from [`allows`].
    fn markdown_table() -> String {
        let mut t = String::from("| action |");
        for r in Role::ALL {
            t.push_str(&format!(" `{r}` |"));
        }
        t.push_str("\n| --- |");
        t.push_str(&" :---: |".repeat(Role::ALL.len()));
        t.push('\n');
        for a in Action::ALL {
            t.push_str(&format!("| {} |", a.describe()));
            for r in Role::ALL {
                let cell = match (allows(r, a, false), allows(r, a, true)) {
                    (true, _) => "yes",
                    (false, true) => "if granted",
                    (false, false) => "no",
                };
                t.push_str(&format!(" {cell} |"));
            }
            t.push('\n');
        }
        t
    }

    /// docs/security.md carries the table this code enforces, so the two cannot drift.
    #[test]
    fn the_security_document_prints_this_table() {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/security.md");
        let doc = std::fs::read_to_string(&path).expect("docs/security.md");
        let table = markdown_table();
        assert!(
            doc.contains(&table),
            "docs/security.md does not contain the access table; replace it with:\n\n{table}"
        );
    }
}

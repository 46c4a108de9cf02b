//! One marker type per [`Action`], for [`super::Authorized`].

use super::Requirement;
use diaban_domain::access::Action;

macro_rules! requirement {
    ($($name:ident),* $(,)?) => {$(
        #[doc = concat!("Requires [`Action::", stringify!($name), "`].")]
        pub struct $name;
        impl Requirement for $name {
            const ACTION: Action = Action::$name;
        }
    )*};
}

requirement!(
    ViewAggregates,
    BrowseUnits,
    ReadPersons,
    WritePersons,
    ExportIdentities,
    ManageUsers,
    ReadAudit,
    ReadSites,
    WriteSites,
    ManageParameters,
    ReadAreas,
    WriteAreas,
    DecideAreas,
    TriageTips,
    ReadEscalations,
    RaiseEscalations,
    HandleEscalations,
    DecideEscalations,
    ManageBusinesses,
    ReadPropaganda,
    WritePropaganda,
    ReadCases,
    WriteCases,
    ReadPlans,
    ManagePlans,
    ReportTasks,
    SuperviseTasks,
    RunAnalytics,
    DecideSignals,
    ReadReports,
    DraftReports,
    ReviewReports,
    ReadBreaches,
    RecordBreaches
);

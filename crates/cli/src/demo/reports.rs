//! Demo periodic reports for Quảng Ngãi, one in each state of the workflow: the
//! province's 2025 annual report issued (figures frozen), its first half of 2026
//! approved, its October 2026 report submitted to the leaders; Phường Kon Tum's October
//! report returned by PC04 with a reason and its November report a draft. Every step is
//! taken under the workflow's rules (`diaban_domain::report::workflow::step`), by the
//! demo accounts, with its history line and audit entry.

use diaban_domain::access::Role;
use diaban_domain::report::ReportKind;
use diaban_domain::report::workflow::{ReportStatus, Standing, Transition, step};
use diaban_store::audit::NewEntry;
use diaban_store::persons::Scope;
use diaban_store::reports::{self, Issue, NewReport};
use diaban_store::units::Unit;
use diaban_store::{Db, users};
use diaban_web::reports_ops;

/// Who takes a step: the audit actor, the role and where it stands to the report's unit.
type Who<'a> = (&'a NewEntry, Role, Standing);
/// A demo report: its unit, kind, period and the steps taken, as (who, step, reason).
type Spec<'a> = (&'a Unit, ReportKind, &'static str, Vec<(Who<'a>, Transition, &'static str)>);

fn actor(username: &str, user_id: Option<i64>, role: Role, unit: &str) -> NewEntry {
    NewEntry {
        actor_user_id: user_id,
        actor: username.into(),
        role: role.as_str().into(),
        unit_code: unit.into(),
        action: "report.create".into(),
        ip: "demo".into(),
        outcome: "ok".into(),
        ..Default::default()
    }
}

/// Writes the demo reports.
pub async fn fill(db: &Db, province: &Unit) -> anyhow::Result<()> {
    let commune = diaban_store::units::children(db, province.id)
        .await?
        .into_iter()
        .find(|u| u.name == super::accounts::DEMO_COMMUNE_NAME)
        .ok_or_else(|| anyhow::anyhow!("the demo commune is missing"))?;
    let id_of =
        |name: &'static str| async move { users::by_username(db, name).await.map(|u| u.map(|u| u.id)) };
    let pc04 = actor("pc04", id_of("pc04").await?, Role::ProvinceOfficer, &province.code);
    let leader = actor("lanhdao", id_of("lanhdao").await?, Role::Leader, &province.code);
    let xa = actor("congan.xa", id_of("congan.xa").await?, Role::CommuneOfficer, &commune.code);
    let template = reports::template(db, None).await?;
    let cutoff = reports_ops_cutoff(db).await?;
    // Who acts: the audit actor, the role and where it stands to the report's unit.
    let pc = (&pc04, Role::ProvinceOfficer, Standing::Own);
    let cx = (&xa, Role::CommuneOfficer, Standing::Own);
    let lead = (&leader, Role::Leader, Standing::Own);
    let above = (&pc04, Role::ProvinceOfficer, Standing::Above);
    let specs: Vec<Spec> = vec![
        (
            province,
            ReportKind::Annual,
            "2025",
            vec![(pc, Transition::Submit, ""), (lead, Transition::Approve, ""), (pc, Transition::Issue, "")],
        ),
        (
            province,
            ReportKind::HalfYear,
            "2026-H1",
            vec![
                (pc, Transition::Submit, ""),
                (lead, Transition::Return, "(demo) Bổ sung đánh giá nguyên nhân điểm tái hình thành."),
                (pc, Transition::Redraft, ""),
                (pc, Transition::Submit, ""),
                (lead, Transition::Approve, ""),
            ],
        ),
        (province, ReportKind::Monthly, "2026-10", vec![(pc, Transition::Submit, "")]),
        (
            &commune,
            ReportKind::Monthly,
            "2026-10",
            vec![
                (cx, Transition::Submit, ""),
                (above, Transition::Return, "(demo) Số liệu người có hồ sơ chưa khớp với danh sách quản lý."),
            ],
        ),
        (&commune, ReportKind::Monthly, "2026-11", vec![]),
    ];
    for (unit, kind, period, steps) in specs {
        let drafter = if unit.id == province.id { &pc04 } else { &xa };
        let sp = kind.period(period)?;
        let label = sp.bounds(cutoff).map(|_| sp.label_vi()).unwrap_or_default();
        let new = NewReport {
            unit_id: unit.id,
            kind,
            period: period.into(),
            template_id: template.id,
            title: template.template.title_for(kind, &label),
            narratives: template.template.default_narratives(),
        };
        let id = reports::create(db, &new, drafter.clone()).await?;
        let level = diaban_domain::report::ReportLevel::of_unit_level(&unit.level)
            .ok_or_else(|| anyhow::anyhow!("unit {} is neither a province nor a commune", unit.code))?;
        let mut status = ReportStatus::Draft;
        for ((who, role, standing), t, reason) in steps {
            let to = step(role, level, standing, status, t, reason).map_err(|e| anyhow::anyhow!("{e}"))?;
            let issue = if t == Transition::Issue {
                let row = reports::get(db, Scope::Province(province.id), id)
                    .await?
                    .ok_or_else(|| anyhow::anyhow!("demo report {id} vanished"))?;
                let lh = reports_ops::letterhead(db, unit, &template.template)
                    .await
                    .map_err(|e| anyhow::anyhow!("{}", e.message))?;
                Some(Issue {
                    symbol: lh.symbol,
                    on: diaban_domain::time::today_in_vietnam(),
                    figures: reports_ops::live_figures(db, &row)
                        .await
                        .map_err(|e| anyhow::anyhow!("{}", e.message))?,
                })
            } else {
                None
            };
            let record = reports::Step { from: status, to, t, reason };
            reports::transition(db, id, &record, issue, who.clone()).await?;
            status = to;
        }
    }
    Ok(())
}

async fn reports_ops_cutoff(db: &Db) -> anyhow::Result<u32> {
    Ok(diaban_web::indicators_ops::reporting_in(db)
        .await
        .map_err(|e| anyhow::anyhow!("{}", e.message))?
        .cutoff_day)
}

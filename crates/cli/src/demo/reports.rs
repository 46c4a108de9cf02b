//! Demo periodic reports for Quảng Ngãi, one in each state of the workflow: the
//! province's 2025 annual report issued (figures frozen), its first half of 2026
//! approved, its October 2026 report submitted to the leaders; Phường Kon Tum's October
//! report returned by PC04 with a reason and its November report a draft. Every step is
//! taken under the workflow's rules (`diaban_domain::report::workflow::step`), by the
//! demo accounts, with its history line and audit entry. The reports that went up were
//! written by their authors first (the passages «[Người soạn bổ sung: …]» replaced); the
//! November draft still shows them. Before the reports, PC04 records three personal-data
//! incidents in the breach register (one notified in time, one late, one not yet), so the
//! protection section has real content.

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
    breaches(db, province, &pc04).await?;
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
            narratives: if steps.is_empty() {
                template.template.default_narratives()
            } else {
                authored(&template.template)
            },
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

/// The template's narratives with the passages left for the author written, as the
/// demo's authors did before submitting.
fn authored(t: &diaban_domain::report::template::Template) -> std::collections::BTreeMap<String, String> {
    let mut n = t.default_narratives();
    for (key, text) in n.iter_mut() {
        if diaban_domain::report::template::has_author_marker(text) {
            *text = match key.as_str() {
                "danh_gia" => "(demo) Các chỉ tiêu chính đạt tiến độ; số điểm tái hình thành còn cao ở khu vực giáp ranh, do lực lượng công an xã mới kiện toàn sau sắp xếp đơn vị hành chính.".into(),
                "phuong_huong" => "(demo) Tiếp tục thực hiện Kế hoạch {plan}; tập trung kiểm tra các điểm đã triệt xóa trong thời gian theo dõi và hoàn thiện hồ sơ quản lý người sử dụng trái phép chất ma túy.".into(),
                _ => "(demo) Đơn vị đã bổ sung nội dung.".into(),
            };
        }
    }
    n
}

/// Three demo incidents of the breach register: notified in time, notified late, and
/// one recent, not yet notified. No identities, as the form asks.
async fn breaches(db: &Db, province: &Unit, pc04: &NewEntry) -> anyhow::Result<()> {
    use chrono::{DateTime, Utc};
    use diaban_domain::breach::BreachCategory::*;
    use diaban_store::data_breaches::{NewBreach, create};
    let at = |s: &str| -> anyhow::Result<DateTime<Utc>> {
        Ok(DateTime::parse_from_rfc3339(s)?.with_timezone(&Utc))
    };
    let now = Utc::now();
    let incidents = [
        (
            "2026-10-03T09:00:00+07:00",
            "(demo) Một máy tính của công an xã bị nhiễm mã độc; danh sách người có hồ sơ quản lý đã tải về máy có thể bị sao chép.",
            vec![Identity, Health],
            40,
            "Cách ly máy, đổi mật khẩu tài khoản, thu hồi phiên đăng nhập, rà soát nhật ký truy cập.",
            Some("2026-10-04T15:00:00+07:00"),
            None,
        ),
        (
            "2026-11-10T14:30:00+07:00",
            "(demo) Bản in danh sách đối tượng của một vụ việc để quên tại phòng họp chung.",
            vec![Identity, Crime],
            6,
            "Thu hồi bản in, nhắc nhở cán bộ, hạn chế in danh sách có thông tin định danh.",
            Some("2026-11-15T10:00:00+07:00"),
            Some("2026-11-16T10:00:00+07:00"),
        ),
        (
            "2026-12-01T08:00:00+07:00",
            "(demo) Một tài khoản đăng nhập từ địa chỉ lạ ngoài giờ làm việc; đang xác minh dữ liệu đã xem.",
            vec![Credentials, Health],
            0,
            "Khóa tài khoản, thu hồi mã truy cập API.",
            None,
            None,
        ),
    ];
    for (detected, description, categories, persons, measures, authority, subjects) in incidents {
        let detected_at = at(detected)?;
        if detected_at > now {
            continue;
        }
        let b = NewBreach {
            unit_id: province.id,
            detected_at,
            description: description.into(),
            categories,
            persons_affected: persons,
            measures: measures.into(),
            authority_notified_at: authority.map(at).transpose()?.filter(|t| *t <= now),
            subjects_notified_at: subjects.map(at).transpose()?.filter(|t| *t <= now),
        };
        let mut e = pc04.clone();
        e.action = "data_breach.create".into();
        create(db, &b, pc04.actor_user_id, e).await?;
    }
    Ok(())
}

async fn reports_ops_cutoff(db: &Db) -> anyhow::Result<u32> {
    Ok(diaban_web::indicators_ops::reporting_in(db)
        .await
        .map_err(|e| anyhow::anyhow!("{}", e.message))?
        .cutoff_day)
}

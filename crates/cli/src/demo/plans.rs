//! Demo tasks of KH 3220 (shipped by migration 0014): tasks for a handful of the
//! communes the plan covers (Phường Kon Tum, where the demo commune officer works, first)
//! and for departments (Sở Y tế with the demo partner account, Sở Giáo dục và Đào tạo
//! without one), with progress reports, a reminder, an inspection and a difficulty
//! raised as an escalation, dated in 2025: the plan ends on 14/12/2025 and no task may
//! be due after it. Some are late on purpose (a passed deadline, a missed
//! report), so the late list has something to show. "(demo)" marks every title.

use chrono::NaiveDate;
use diaban_domain::plan::{ReportingFrequency, SupervisionKind, TaskState};
use diaban_store::persons::Scope;
use diaban_store::plan_tasks::{self, NewTask, TaskVisibility};
use diaban_store::units::{self, Unit};
use diaban_store::{Db, plans, users};

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap_or_default()
}

/// (commune index among the covered communes or None for the province, agency, partner
/// username, title, deadline, frequency, reports as (date, percent, text), done).
type Spec = (
    Option<usize>,
    &'static str,
    Option<&'static str>,
    &'static str,
    NaiveDate,
    ReportingFrequency,
    Vec<(NaiveDate, i64, &'static str)>,
    bool,
);

/// Writes the demo tasks of KH 3220.
pub async fn fill(db: &Db, province: &Unit) -> anyhow::Result<()> {
    let Some(plan) = plans::list(db).await?.into_iter().find(|p| p.number == "3220/KH-UBND") else {
        anyhow::bail!("KH 3220 is missing: migration 0014 did not run");
    };
    let covered = units::get_many(db, &plans::covered_communes(db, plan.id).await?).await?;
    let mut communes: Vec<Unit> = covered.into_iter().filter(|u| u.parent_id == Some(province.id)).collect();
    communes.sort_by(|a, b| a.code.cmp(&b.code));
    if let Some(i) = communes.iter().position(|u| u.name == super::accounts::DEMO_COMMUNE_NAME) {
        let kt = communes.remove(i);
        communes.insert(0, kt);
    }
    anyhow::ensure!(communes.len() >= 4, "KH 3220 covers too few communes");
    let police = users::by_username(db, "pc04").await?.map(|u| u.id);
    let officer = users::by_username(db, "congan.xa").await?.map(|u| u.id);
    let assigned = d(2025, 1, 15);
    let specs: Vec<Spec> = vec![
        (
            Some(0),
            "",
            None,
            "(demo) Rà soát, thống kê điểm, tụ điểm phức tạp về ma túy trên địa bàn",
            d(2025, 12, 14),
            ReportingFrequency::Monthly,
            vec![
                (d(2025, 8, 10), 40, "(demo) Đã rà soát 6/12 tổ dân phố."),
                (d(2025, 10, 10), 70, "(demo) Đã rà soát 9/12 tổ dân phố, lập danh sách 2 điểm."),
                (d(2025, 11, 10), 85, "(demo) Còn 2 tổ dân phố chưa rà soát xong."),
            ],
            false,
        ),
        (
            Some(1),
            "",
            None,
            "(demo) Triệt xóa điểm nóng về ma túy đã được lập danh sách",
            d(2025, 9, 30),
            ReportingFrequency::Monthly,
            vec![
                (d(2025, 6, 5), 30, "(demo) Đã xác minh, đang lập hồ sơ đấu tranh."),
                (d(2025, 8, 5), 60, "(demo) Đã triệt xóa 1/2 điểm."),
            ],
            false,
        ),
        (
            Some(2),
            "",
            None,
            "(demo) Tuyên truyền phòng, chống ma túy tại trường học và khu dân cư",
            d(2025, 12, 14),
            ReportingFrequency::Quarterly,
            vec![
                (d(2025, 3, 20), 25, "(demo) Tổ chức 3 buổi tuyên truyền tại trường THCS."),
                (d(2025, 6, 20), 50, "(demo) Tổ chức 4 buổi tại khu dân cư."),
            ],
            false,
        ),
        (
            Some(3),
            "",
            None,
            "(demo) Quản lý người sử dụng trái phép chất ma túy sau cai",
            d(2025, 10, 31),
            ReportingFrequency::Monthly,
            vec![(d(2025, 10, 25), 100, "(demo) Hoàn thành, đã lập hồ sơ quản lý đầy đủ.")],
            true,
        ),
        (
            None,
            "Sở Y tế",
            Some("soyte"),
            "(demo) Mở rộng điều trị thay thế bằng thuốc methadone",
            d(2025, 12, 14),
            ReportingFrequency::Monthly,
            vec![
                (d(2025, 9, 5), 60, "(demo) Thêm 1 cơ sở cấp phát thuốc."),
                (d(2025, 11, 5), 75, "(demo) Tiếp nhận thêm 18 người điều trị."),
            ],
            false,
        ),
        (
            None,
            "Sở Giáo dục và Đào tạo",
            None,
            "(demo) Đưa nội dung phòng, chống ma túy vào hoạt động ngoại khóa",
            d(2025, 12, 14),
            ReportingFrequency::Quarterly,
            vec![],
            false,
        ),
    ];
    let vis = TaskVisibility { scope: Scope::Province(province.id), only_partner: None };
    let mut ids = Vec::new();
    for (commune, agency, partner, title, deadline, frequency, reports, done) in &specs {
        let unit = commune.map_or(province, |i| &communes[i]);
        let partner_id = match partner {
            Some(name) => users::by_username(db, name).await?.map(|u| u.id),
            None => None,
        };
        let task = NewTask {
            plan_id: plan.id,
            unit_id: unit.id,
            agency: (*agency).into(),
            partner_user_id: partner_id,
            title: (*title).into(),
            description: String::new(),
            assigned_on: assigned,
            deadline: *deadline,
            frequency: *frequency,
        };
        let id = plan_tasks::create(db, &task, police, None).await?;
        let by = partner_id.or(if commune == &Some(0) { officer } else { police });
        for (on, percent, text) in reports.iter() {
            plan_tasks::add_report(db, id, *on, *percent, text, *on, by, None).await?;
        }
        if *done {
            let on = reports.last().map_or(assigned, |r| r.0);
            plan_tasks::set_state(db, id, TaskState::Done, on, None).await?;
        }
        ids.push(id);
    }
    let on = d(2025, 11, 15);
    plan_tasks::supervise(
        db,
        ids[2],
        SupervisionKind::Reminder,
        on,
        "(demo) Đề nghị báo cáo kết quả quý III.",
        on,
        police,
        None,
    )
    .await?;
    plan_tasks::supervise(
        db,
        ids[0],
        SupervisionKind::Inspection,
        d(2025, 9, 20),
        "(demo) Kiểm tra hồ sơ rà soát: đầy đủ, đúng tiến độ.",
        on,
        police,
        None,
    )
    .await?;
    plan_tasks::supervise(
        db,
        ids[1],
        SupervisionKind::Guidance,
        d(2025, 7, 1),
        "(demo) Hướng dẫn lập hồ sơ đề nghị công nhận triệt xóa.",
        on,
        police,
        None,
    )
    .await?;
    if let Some(task) = plan_tasks::get(db, ids[0], vis, on).await? {
        plan_tasks::raise_difficulty(
            db,
            &task,
            "(demo) Thiếu kinh phí rà soát tại các tổ dân phố xa",
            "(demo) Đề nghị hỗ trợ kinh phí và phương tiện cho tổ công tác rà soát.",
            on,
            10,
            officer,
            None,
        )
        .await?;
    }
    Ok(())
}

//! One demo account per role, scoped to the demo province (the commune officer to one of
//! its communes). The passwords are printed: this is demo data, never a real deployment.

use diaban_domain::access::Role;
use diaban_store::units::Unit;
use diaban_store::{Db, units, users};

/// An account made for the demo.
pub struct DemoAccount {
    pub username: String,
    pub password: String,
    pub role: &'static str,
    pub unit: String,
}

/// The commune the demo commune officer works in: Phường Kon Tum (the former provincial
/// capital of Kon Tum), so its records include ones made against legacy communes.
pub const DEMO_COMMUNE_NAME: &str = "Phường Kon Tum";

pub async fn fill(db: &Db, province: &Unit) -> anyhow::Result<Vec<DemoAccount>> {
    let communes = units::children(db, province.id).await?;
    let commune = communes
        .iter()
        .find(|c| c.name == DEMO_COMMUNE_NAME)
        .or(communes.first())
        .ok_or_else(|| anyhow::anyhow!("the demo province has no communes"))?;
    let plan = [
        ("admin", Role::Admin, province, "Quản trị hệ thống"),
        ("pc04", Role::ProvinceOfficer, province, "Trần Văn Phòng (PC04)"),
        ("congan.xa", Role::CommuneOfficer, commune, "Lê Văn Xã (Công an xã)"),
        ("lanhdao", Role::Leader, province, "Phạm Thị Lãnh (UBND tỉnh)"),
        ("soyte", Role::Partner, province, "Sở Y tế"),
        ("kiemtra", Role::Auditor, province, "Kiểm tra nhật ký"),
    ];
    let mut out = Vec::new();
    for (username, role, unit, display) in plan {
        let password = format!("demo-{username}-2026");
        let hash = diaban_vault::password::hash_password(&password)?;
        let new = users::NewUser {
            username: username.to_owned(),
            display_name: display.to_owned(),
            password_hash: hash,
            role,
            unit_id: unit.id,
            must_change_password: false,
        };
        users::create(db, &new).await?;
        out.push(DemoAccount {
            username: username.into(),
            password,
            role: role.as_str(),
            unit: format!("{} {}", unit.code, unit.name),
        });
    }
    Ok(out)
}

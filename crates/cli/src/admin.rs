//! Administration from the command line: accounts, API tokens, the audit chain and the
//! data keys.

use crate::context::{DbArgs, KeyArgs, open_db};
use anyhow::{Context, bail};
use clap::Subcommand;
use diaban_domain::access::Role;
use diaban_store::{audit, persons, sessions, tokens, units, users};
use std::io::{IsTerminal, Read};

/// `diaban user …`
#[derive(Subcommand, Debug)]
pub enum UserCommand {
    /// Create an account. The password is read from standard input when it is not a
    /// terminal, and asked for (twice) otherwise.
    Add {
        #[arg(long)]
        username: String,
        /// admin, province_officer, commune_officer, leader, partner or auditor.
        #[arg(long)]
        role: String,
        /// Scope: a commune code for commune_officer, a province code for the others.
        #[arg(long)]
        unit: String,
        /// Name shown in the header (default: the username).
        #[arg(long)]
        display_name: Option<String>,
        #[command(flatten)]
        db: DbArgs,
    },
    /// List accounts.
    List {
        #[command(flatten)]
        db: DbArgs,
    },
    /// Disable an account and end its sessions.
    Disable {
        username: String,
        #[command(flatten)]
        db: DbArgs,
    },
    /// Clear an account's sign-in lock: its failed sign-ins stop counting, from every
    /// address.
    Unlock {
        username: String,
        #[command(flatten)]
        db: DbArgs,
    },
}

/// `diaban token …`
#[derive(Subcommand, Debug)]
pub enum TokenCommand {
    /// Create an API token for a user; it is printed once and stored only as a hash.
    Create {
        #[arg(long)]
        username: String,
        /// Days of validity.
        #[arg(long, default_value_t = 90)]
        days: i64,
        /// What the token is for.
        #[arg(long, default_value = "api")]
        label: String,
        #[command(flatten)]
        db: DbArgs,
    },
    /// Revoke a token by id (see `token list`).
    Revoke {
        id: i64,
        #[command(flatten)]
        db: DbArgs,
    },
    /// List a user's tokens.
    List {
        #[arg(long)]
        username: String,
        #[command(flatten)]
        db: DbArgs,
    },
}

/// `diaban audit …`
#[derive(Subcommand, Debug)]
pub enum AuditCommand {
    /// Check the whole hash chain; name the first entry that does not fit.
    Verify {
        #[command(flatten)]
        db: DbArgs,
    },
}

/// `diaban keys …`
#[derive(Subcommand, Debug)]
pub enum KeysCommand {
    /// Create a new key file (refuses to overwrite one).
    Init {
        /// Where to write it (mode 0600).
        #[arg(long)]
        key_file: std::path::PathBuf,
    },
    /// Re-encrypt all personal data under a new key: writes the new key ring next to the
    /// old file, re-seals every record in one transaction, then replaces the file (the
    /// old one is kept as FILE.old until you delete it).
    Rotate {
        #[command(flatten)]
        db: DbArgs,
        #[command(flatten)]
        keys: KeyArgs,
    },
}

fn cli_entry(action: &str, target_type: &str, target_id: impl ToString) -> audit::NewEntry {
    audit::NewEntry {
        actor: "cli".into(),
        action: action.into(),
        target_type: target_type.into(),
        target_id: target_id.to_string(),
        ip: "local".into(),
        outcome: "ok".into(),
        ..Default::default()
    }
}

fn read_password() -> anyhow::Result<String> {
    if std::io::stdin().is_terminal() {
        let a = rpassword::prompt_password("Password: ").context("cannot read the password")?;
        let b = rpassword::prompt_password("Repeat: ").context("cannot read the password")?;
        if a != b {
            bail!("the two passwords differ");
        }
        Ok(a)
    } else {
        let mut s = String::new();
        std::io::stdin().read_to_string(&mut s).context("cannot read the password from standard input")?;
        Ok(s.trim_end_matches(['\r', '\n']).to_owned())
    }
}

pub async fn user(cmd: UserCommand) -> anyhow::Result<()> {
    match cmd {
        UserCommand::Add { username, role, unit, display_name, db } => {
            let role: Role = role.parse()?;
            let username = username.trim().to_lowercase();
            if !(3..=32).contains(&username.len())
                || !username
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"._-".contains(&b))
            {
                bail!("username: 3–32 characters of a-z, 0-9, '.', '_', '-'");
            }
            let password = read_password()?;
            if let Err(e) = diaban_vault::password::check_password_policy(&password) {
                bail!("password: {}", e.message_en());
            }
            let db = open_db(&db).await?;
            let u = units::current_scope_unit(&db, unit.trim(), role.scope_is_commune())
                .await?
                .with_context(|| {
                    if role.scope_is_commune() {
                        format!("unit {unit}: a commune_officer needs a current commune code (5 digits)")
                    } else {
                        format!("unit {unit}: this role needs a current province code (2 digits)")
                    }
                })?;
            let hash = diaban_vault::password::hash_password(&password)?;
            let new = users::NewUser {
                display_name: display_name.unwrap_or_else(|| username.clone()),
                username: username.clone(),
                password_hash: hash,
                role,
                unit_id: u.id,
                must_change_password: false,
            };
            let id = match users::create(&db, &new).await {
                Err(diaban_store::DbError::Conflict(_)) => bail!("username {username} is taken"),
                r => r?,
            };
            audit::append(&db, &cli_entry("user.create", "user", id)).await?;
            db.close().await;
            println!("created {username} ({}, {} {})", role.as_str(), u.code, u.name);
            Ok(())
        }
        UserCommand::List { db } => {
            let db = open_db(&db).await?;
            println!("{:<24} {:<18} {:<8} {:<9} 2fa", "username", "role", "unit", "status");
            for u in users::list(&db).await? {
                let unit = units::get(&db, u.unit_id).await?;
                println!(
                    "{:<24} {:<18} {:<8} {:<9} {}",
                    u.username,
                    u.role,
                    unit.code,
                    if u.disabled { "disabled" } else { "active" },
                    if u.totp_secret.is_some() { "yes" } else { "no" }
                );
            }
            db.close().await;
            Ok(())
        }
        UserCommand::Disable { username, db } => {
            let db = open_db(&db).await?;
            let u = users::by_username(&db, &username)
                .await?
                .with_context(|| format!("no account {username}"))?;
            users::set_disabled(&db, u.id, true).await?;
            let n = sessions::delete_for_user(&db, u.id).await?;
            audit::append(&db, &cli_entry("user.disable", "user", u.id)).await?;
            db.close().await;
            println!("disabled {}; {n} session(s) ended", u.username);
            Ok(())
        }
        UserCommand::Unlock { username, db } => {
            let db = open_db(&db).await?;
            let u = users::by_username(&db, &username)
                .await?
                .with_context(|| format!("no account {username}"))?;
            sessions::clear_failures(&db, u.id, diaban_store::now()).await?;
            audit::append(&db, &cli_entry("user.unlock", "user", u.id)).await?;
            db.close().await;
            println!("unlocked {}: its failed sign-ins no longer count, from any address", u.username);
            Ok(())
        }
    }
}

pub async fn token(cmd: TokenCommand) -> anyhow::Result<()> {
    match cmd {
        TokenCommand::Create { username, days, label, db } => {
            if !(1..=3650).contains(&days) {
                bail!("--days must be from 1 to 3650");
            }
            let db = open_db(&db).await?;
            let u = users::by_username(&db, &username)
                .await?
                .with_context(|| format!("no account {username}"))?;
            if u.disabled {
                bail!("account {username} is disabled");
            }
            let (token, hash) = diaban_vault::token::new_token();
            let expires = diaban_store::now() + chrono::Duration::days(days);
            let id = tokens::create(&db, u.id, &hash, &label, expires).await?;
            audit::append(&db, &cli_entry("token.create", "api_token", id)).await?;
            db.close().await;
            println!("{token}");
            eprintln!(
                "token {id} for {username}, valid until {}; it is shown only now",
                expires.format("%Y-%m-%d")
            );
            Ok(())
        }
        TokenCommand::Revoke { id, db } => {
            let db = open_db(&db).await?;
            tokens::revoke(&db, id).await.map_err(|e| match e {
                diaban_store::DbError::NotFound => anyhow::anyhow!("no active token {id}"),
                e => e.into(),
            })?;
            audit::append(&db, &cli_entry("token.revoke", "api_token", id)).await?;
            db.close().await;
            println!("revoked token {id}");
            Ok(())
        }
        TokenCommand::List { username, db } => {
            let db = open_db(&db).await?;
            let u = users::by_username(&db, &username)
                .await?
                .with_context(|| format!("no account {username}"))?;
            for t in tokens::for_user(&db, u.id).await? {
                let state = if t.revoked_at.is_some() {
                    "revoked"
                } else if t.expires_at < chrono::Utc::now() {
                    "expired"
                } else {
                    "active"
                };
                println!("{:>5} {:<20} {} {}", t.id, t.label, t.expires_at.format("%Y-%m-%d"), state);
            }
            db.close().await;
            Ok(())
        }
    }
}

pub async fn audit_cmd(cmd: AuditCommand) -> anyhow::Result<()> {
    let AuditCommand::Verify { db } = cmd;
    let db = open_db(&db).await?;
    let r = audit::verify(&db).await?;
    db.close().await;
    match r.first_problem {
        None => {
            println!("audit log intact: {} entries; head hash {}", r.entries, r.head_hash);
            Ok(())
        }
        Some((id, why)) => bail!("audit log broken at entry {id}: {why}"),
    }
}

pub async fn keys(cmd: KeysCommand) -> anyhow::Result<()> {
    match cmd {
        KeysCommand::Init { key_file } => {
            diaban_vault::KeyRing::generate()
                .save(&key_file)
                .with_context(|| format!("key file {}", key_file.display()))?;
            println!(
                "new key file {} (keep a copy offline: without it personal data cannot be read)",
                key_file.display()
            );
            Ok(())
        }
        KeysCommand::Rotate { db, keys } => {
            let path = keys.key_file.clone().context("pass --key-file PATH: the key file to rotate")?;
            let old = keys.require()?;
            let new = old.rotate();
            let next = path.with_extension("next");
            let backup = path.with_extension("old");
            if next.exists() || backup.exists() {
                bail!(
                    "{} or {} exists from an earlier rotation: check and remove it first",
                    next.display(),
                    backup.display()
                );
            }
            new.save(&next).with_context(|| format!("cannot write {}", next.display()))?;
            diaban_vault::KeyRing::load(&next).context("the new key file does not read back")?;
            let db = open_db(&db).await?;
            let n = match persons::rotate_keys(&db, &old, &new).await {
                Ok(n) => n,
                Err(e) => {
                    let _ = std::fs::remove_file(&next);
                    return Err(e).context("rotation failed; nothing was changed");
                }
            };
            audit::append(&db, &cli_entry("keys.rotate", "key", new.active_key_id())).await?;
            db.close().await;
            std::fs::rename(&path, &backup)
                .with_context(|| format!("cannot keep the old key as {}", backup.display()))?;
            std::fs::rename(&next, &path)
                .with_context(|| format!("cannot move {} into place", next.display()))?;
            println!(
                "re-sealed {n} person record(s) under key {}; the old key file is {} — delete it once backups no longer need it",
                new.active_key_id(),
                backup.display()
            );
            Ok(())
        }
    }
}

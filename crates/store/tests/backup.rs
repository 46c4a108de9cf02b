//! Backups that restore (issue 19, item 8), on every available engine: a backup taken
//! while writes continue restores into a fresh database with every write acknowledged
//! before it began, and its audit chain verifies.

use diaban_store::audit::{self, NewEntry};
use diaban_store::{Backend, Db, backup, testing};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

fn entry(n: usize) -> NewEntry {
    NewEntry {
        actor: "writer".into(),
        action: "test.write".into(),
        target_type: "n".into(),
        target_id: n.to_string(),
        outcome: "ok".into(),
        ..Default::default()
    }
}

#[tokio::test]
async fn a_backup_taken_during_writes_restores_everything_acknowledged_before_it() {
    let has_pg_dump = std::process::Command::new("pg_dump").arg("--version").output().is_ok();
    for t in testing::all().await.expect("databases") {
        if t.db.backend() == Backend::Postgres && !has_pg_dump {
            eprintln!("pg_dump is not installed: PostgreSQL backup not tested");
            t.cleanup().await;
            continue;
        }
        for n in 0..50 {
            audit::append(&t.db, &entry(n)).await.expect("write");
        }
        // A writer keeps appending (each append is acknowledged when it returns).
        let stop = Arc::new(AtomicBool::new(false));
        let writer = {
            let (db, stop) = (t.db.clone(), stop.clone());
            tokio::spawn(async move {
                let mut n = 50;
                while !stop.load(Ordering::Relaxed) {
                    audit::append(&db, &entry(n)).await.expect("write during the backup");
                    n += 1;
                }
                n
            })
        };
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        let acknowledged = audit::verify(&t.db).await.expect("verify").entries;
        let dir = std::env::temp_dir().join(format!(
            "diaban-backup-test-{}-{}",
            std::process::id(),
            t.db.backend().as_str()
        ));
        std::fs::create_dir_all(&dir).expect("dir");
        let file = dir.join("backup");
        let _ = std::fs::remove_file(&file);
        let restored: (Db, Option<testing::TestDb>) = match t.db.backend() {
            Backend::Sqlite => {
                backup::sqlite_copy(&t.db, &file).await.expect("VACUUM INTO");
                let copy = dir.join("restored.db");
                let _ = std::fs::remove_file(&copy);
                std::fs::copy(&file, &copy).expect("restore");
                (Db::connect(&format!("sqlite://{}", copy.display())).await.expect("open"), None)
            }
            Backend::Postgres => {
                let url = t.url.clone();
                let f = file.clone();
                tokio::task::spawn_blocking(move || backup::postgres_dump(&url, &f))
                    .await
                    .unwrap()
                    .expect("pg_dump");
                let fresh = testing::postgres_empty().await.expect("empty").expect("postgres");
                let (f, url) = (file.clone(), fresh.url.clone());
                tokio::task::spawn_blocking(move || backup::postgres_restore(&f, &url))
                    .await
                    .unwrap()
                    .expect("pg_restore");
                (fresh.db.clone(), Some(fresh))
            }
        };
        stop.store(true, Ordering::Relaxed);
        let written = writer.await.expect("writer");
        assert!(written > 50, "{}: the writer wrote during the backup", t.db.backend().as_str());
        let check = backup::check(&restored.0).await.expect("check");
        assert_eq!(check.audit.first_problem, None, "{}", t.db.backend().as_str());
        assert!(
            check.audit.entries >= acknowledged,
            "{}: {} < {acknowledged}",
            t.db.backend().as_str(),
            check.audit.entries
        );
        assert_eq!(check.rows("audit_log"), check.audit.entries);
        assert!(check.tables.iter().any(|(n, _)| n == "persons"));
        // Each acknowledged write is there, by its number.
        let rows =
            testing::query_text(&restored.0, "SELECT target_id FROM audit_log WHERE action = 'test.write'")
                .await
                .expect("rows");
        let mut seen: Vec<usize> = rows.iter().filter_map(|r| r[0].as_deref()?.parse().ok()).collect();
        seen.sort_unstable();
        assert!(seen.len() as i64 >= acknowledged && seen.iter().enumerate().all(|(i, n)| i == *n));
        restored.0.close().await;
        if let Some(fresh) = restored.1 {
            fresh.cleanup().await;
        }
        let _ = std::fs::remove_dir_all(&dir);
        t.cleanup().await;
    }
}

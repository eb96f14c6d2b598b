//! Shared helpers for the integration tests: a fresh database per test, on
//! PostgreSQL and on SQLite.
//!
//! PostgreSQL is found through `HOSO_TEST_DATABASE_URL`, then `DATABASE_URL`,
//! then `postgres://postgres@127.0.0.1:5432/postgres`; each test gets its own
//! database, dropped when the test ends well. When the server cannot be reached,
//! PostgreSQL tests are skipped with a message, except when `CI=true`: then they
//! fail.

// Test support: a failure to set up a test database ends the test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::PathBuf;

use sqlx::postgres::PgConnectOptions;
use sqlx::{ConnectOptions, Connection, Executor};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Postgres,
    Sqlite,
}

/// A database that exists for one test.
pub struct TestDb {
    pub backend: Backend,
    pub url: String,
    admin: Option<PgConnectOptions>,
    pub name: String,
    path: Option<PathBuf>,
}

fn admin_url() -> String {
    std::env::var("HOSO_TEST_DATABASE_URL")
        .or_else(|_| std::env::var("DATABASE_URL"))
        .ok()
        .filter(|u| u.starts_with("postgres"))
        .unwrap_or_else(|| "postgres://postgres@127.0.0.1:5432/postgres".to_string())
}

fn in_ci() -> bool {
    std::env::var("CI")
        .map(|v| v == "true" || v == "1")
        .unwrap_or(false)
}

impl TestDb {
    /// A fresh, empty database; `None` only when PostgreSQL is unreachable
    /// outside CI (the test should then return early).
    pub async fn new(backend: Backend) -> Option<TestDb> {
        let name = format!(
            "hoso_test_{}_{:08x}",
            std::process::id(),
            rand::random::<u32>()
        );
        match backend {
            Backend::Sqlite => {
                let path = std::env::temp_dir().join(format!("{name}.db"));
                Some(TestDb {
                    backend,
                    url: format!("sqlite://{}", path.display()),
                    admin: None,
                    name,
                    path: Some(path),
                })
            }
            Backend::Postgres => {
                let admin: PgConnectOptions = admin_url().parse().expect("valid PostgreSQL URL");
                let mut conn = match admin.connect().await {
                    Ok(c) => c,
                    Err(e) if !in_ci() => {
                        eprintln!(
                            "SKIPPED: PostgreSQL unreachable ({e}); set CI=true to make this fail"
                        );
                        return None;
                    }
                    Err(e) => panic!("PostgreSQL is required in CI but unreachable: {e}"),
                };
                conn.execute(format!("CREATE DATABASE {name}").as_str())
                    .await
                    .expect("create test database");
                conn.close().await.ok();
                let url = admin.clone().database(&name).to_url_lossy().to_string();
                Some(TestDb {
                    backend,
                    url,
                    admin: Some(admin),
                    name,
                    path: None,
                })
            }
        }
    }

    /// A key-encryption key file of its own for this test's store (made on
    /// first use; `HOSO_KEK_FILE` for the command line).
    pub fn kek_path(&self) -> PathBuf {
        std::env::temp_dir().join(format!("{}.kek", self.name))
    }

    /// Runs raw SQL as a database owner would, outside hoso.
    pub async fn sql(&self, statements: &str) -> Result<(), sqlx::Error> {
        match self.backend {
            Backend::Postgres => {
                let mut c = sqlx::PgConnection::connect(&self.url).await?;
                c.execute(statements).await?;
                c.close().await
            }
            Backend::Sqlite => {
                let mut c = sqlx::SqliteConnection::connect(&self.url).await?;
                c.execute(statements).await?;
                c.close().await
            }
        }
    }

    /// Lifts the append-only guard the way a database owner could.
    pub async fn lift_guard(&self) {
        let sql = match self.backend {
            Backend::Postgres => "ALTER TABLE events DISABLE TRIGGER USER",
            Backend::Sqlite => "DROP TRIGGER events_no_update; DROP TRIGGER events_no_delete;",
        };
        self.sql(sql).await.expect("lift the append-only guard");
    }

    /// Drops the database (or deletes the file).
    pub async fn drop_db(self) {
        if let Some(admin) = &self.admin {
            if let Ok(mut c) = admin.connect().await {
                let _ = c
                    .execute(format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", self.name).as_str())
                    .await;
            }
        }
        let _ = std::fs::remove_file(self.kek_path());
        if let Some(p) = &self.path {
            for suffix in ["", "-wal", "-shm"] {
                let mut f = p.clone().into_os_string();
                f.push(suffix);
                let _ = std::fs::remove_file(f);
            }
        }
    }
}

/// Declares one async test per backend: `both_backends!(name, |db| async move { … })`.
#[macro_export]
macro_rules! both_backends {
    ($name:ident, $body:expr) => {
        mod $name {
            use super::*;
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                if let Some(db) = $crate::TestDb::new($crate::Backend::Postgres).await {
                    ($body)(db).await;
                }
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                if let Some(db) = $crate::TestDb::new($crate::Backend::Sqlite).await {
                    ($body)(db).await;
                }
            }
        }
    };
}

/// A small file system of its own (tmpfs with a size limit) for the disk-full
/// tests; unmounted when dropped. Mounting needs root (as on CI's machines);
/// where it is not allowed the tests are skipped with a message, except when
/// `CI=true`, where they fail.
pub struct SmallDisk {
    pub dir: PathBuf,
    ballast: PathBuf,
}

impl SmallDisk {
    pub fn mount(megabytes: u32) -> Option<SmallDisk> {
        static N: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
        let n = N.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let dir = std::env::temp_dir().join(format!("hoso_small_{}_{n}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("a directory to mount on");
        let out = std::process::Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={megabytes}m,mode=0700")])
            .arg("tmpfs")
            .arg(&dir)
            .output();
        match out {
            Ok(o) if o.status.success() => Some(SmallDisk {
                ballast: dir.join("ballast"),
                dir,
            }),
            other => {
                let why = match other {
                    Ok(o) => String::from_utf8_lossy(&o.stderr).trim().to_string(),
                    Err(e) => e.to_string(),
                };
                let _ = std::fs::remove_dir(&dir);
                if in_ci() {
                    panic!("a tmpfs is required in CI for the disk-full tests: {why}");
                }
                eprintln!("SKIPPED: cannot mount a tmpfs ({why}); run as root or set CI=true to make this fail");
                None
            }
        }
    }

    /// Fills what is left of the file system with a ballast file.
    pub fn fill(&self) {
        use std::io::Write;
        let mut f = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&self.ballast)
            .expect("ballast file");
        let chunk = vec![0u8; 4096];
        while f.write_all(&chunk).is_ok() {}
        let _ = f.flush();
    }

    /// Gives the ballast's space back.
    pub fn free(&self) {
        let _ = std::fs::remove_file(&self.ballast);
    }
}

impl Drop for SmallDisk {
    fn drop(&mut self) {
        let _ = std::process::Command::new("umount")
            .arg("-l")
            .arg(&self.dir)
            .status();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

use std::sync::atomic::{AtomicU32, Ordering};

use kejiyun_db::testing;

/// A database engine the tests can run against.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
    Mysql,
}

impl Backend {
    pub fn name(self) -> &'static str {
        match self {
            Self::Sqlite => "sqlite",
            Self::Postgres => "postgres",
            Self::Mysql => "mysql",
        }
    }

    /// The variable naming an admin URL of a server the tests may create databases on.
    pub fn env_var(self) -> Option<&'static str> {
        match self {
            Self::Sqlite => None,
            Self::Postgres => Some("KEJIYUN_TEST_POSTGRES_URL"),
            Self::Mysql => Some("KEJIYUN_TEST_MYSQL_URL"),
        }
    }

    fn admin_url(self) -> Option<String> {
        self.env_var()
            .and_then(|v| std::env::var(v).ok())
            .filter(|u| !u.trim().is_empty())
    }
}

/// SQLite always; PostgreSQL and MySQL when their variables are set. With
/// `KEJIYUN_REQUIRE_DBS=1` (CI) a missing server is a failure, not a skip.
pub fn backends() -> Vec<Backend> {
    let require = std::env::var("KEJIYUN_REQUIRE_DBS").is_ok_and(|v| v == "1");
    let mut out = vec![Backend::Sqlite];
    for b in [Backend::Postgres, Backend::Mysql] {
        if b.admin_url().is_some() {
            out.push(b);
        } else if require {
            panic!(
                "KEJIYUN_REQUIRE_DBS=1 but {} is not set",
                b.env_var().unwrap_or_default()
            );
        } else {
            eprintln!(
                "note: {} not set: {} store tests skipped",
                b.env_var().unwrap_or_default(),
                b.name()
            );
        }
    }
    out
}

/// A database that belongs to one test.
pub struct TestDatabase {
    pub backend: Backend,
    pub url: String,
    server: Option<(String, String)>,
    _dir: Option<tempfile::TempDir>,
}

static COUNTER: AtomicU32 = AtomicU32::new(0);

impl TestDatabase {
    /// Leaves a SQLite database's directory on disk when this is dropped.
    pub fn keep_files(mut self) {
        if let Some(dir) = self._dir.take() {
            let _ = dir.keep();
        }
    }

    pub async fn create(backend: Backend) -> Self {
        match backend.admin_url() {
            None if backend == Backend::Sqlite => {
                let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("tempdir: {e}"));
                let url = format!("sqlite://{}/test.db?mode=rwc", dir.path().display());
                Self {
                    backend,
                    url,
                    server: None,
                    _dir: Some(dir),
                }
            }
            None => panic!("{} is not configured", backend.name()),
            Some(admin) => {
                let name = format!(
                    "kjy_test_{}_{}_{}",
                    std::process::id(),
                    COUNTER.fetch_add(1, Ordering::Relaxed),
                    rand::random::<u16>()
                );
                testing::create_database(&admin, &name)
                    .await
                    .unwrap_or_else(|e| panic!("create database on {}: {e}", backend.name()));
                let url = testing::url_with_database(&admin, &name)
                    .unwrap_or_else(|e| panic!("{} url: {e}", backend.name()));
                Self {
                    backend,
                    url,
                    server: Some((admin, name)),
                    _dir: None,
                }
            }
        }
    }

    /// A store connected to this database, migrated.
    pub async fn migrated_store(&self) -> kejiyun_db::SeaStore {
        let name = self.backend.name();
        let store = kejiyun_db::connect(&self.url)
            .await
            .unwrap_or_else(|e| panic!("{name}: {e}"))
            .with_personal_data_key(crate::test_personal_data_key());
        kejiyun_db::migrate(&store)
            .await
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        store
    }

    /// Drops the database from its server (SQLite files go with their temp dir).
    pub async fn cleanup(self) {
        if let Some((admin, name)) = &self.server
            && let Err(e) = testing::drop_database(admin, name).await
        {
            eprintln!("warning: could not drop {name}: {e}");
        }
    }
}

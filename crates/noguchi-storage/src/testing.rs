//! A fresh database for each test, on the engine the test run was started for.
//!
//! `NOGUCHI_TEST_POSTGRES_URL` (a URL of a role that may create databases) selects PostgreSQL:
//! each test gets its own database, dropped afterwards. Without it, each test gets its own SQLite
//! file in a temporary directory. The same tests run on both; `scripts/check` runs them twice.

use crate::{Engine, Store};
use std::path::PathBuf;

pub const POSTGRES_ENV: &str = "NOGUCHI_TEST_POSTGRES_URL";

/// A migrated, empty database that is removed when dropped.
pub struct TestDb {
    pub store: Store,
    cleanup: Cleanup,
}

enum Cleanup {
    Dir(PathBuf),
    Postgres { admin_url: String, name: String },
}

impl TestDb {
    pub async fn new() -> Self {
        let name = format!("noguchi_t_{}", crate::random_token(6));
        let (store, cleanup) = match std::env::var(POSTGRES_ENV) {
            Ok(admin_url) if !admin_url.is_empty() => {
                sqlx::any::install_default_drivers();
                let admin = Store::open(&admin_url)
                    .await
                    .expect("PostgreSQL for tests answers");
                sqlx::query(&format!("CREATE DATABASE {name}"))
                    .execute(&admin.pool)
                    .await
                    .expect("create test database");
                admin.close().await;
                let url = replace_database(&admin_url, &name);
                let store = Store::open(&url).await.expect("open test database");
                (store, Cleanup::Postgres { admin_url, name })
            }
            _ => {
                let dir = std::env::temp_dir().join(&name);
                let store = Store::open_data_dir(&dir)
                    .await
                    .expect("open SQLite test database");
                (store, Cleanup::Dir(dir))
            }
        };
        store.migrate().await.expect("migrations apply");
        Self { store, cleanup }
    }

    pub fn engine(&self) -> Engine {
        self.store.engine()
    }

    /// Runs raw SQL against the test database (tests that tamper with data behind the
    /// application's back, as an attacker with database access would).
    pub async fn execute(&self, sql: &str) {
        sqlx::query(sql)
            .execute(&self.store.pool)
            .await
            .expect("test SQL runs");
    }
}

fn replace_database(url: &str, name: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((b, q)) => (b, Some(q)),
        None => (url, None),
    };
    let base = match base.rfind('/') {
        Some(i) if i > "postgres://".len() => &base[..i],
        _ => base,
    };
    match query {
        Some(q) => format!("{base}/{name}?{q}"),
        None => format!("{base}/{name}"),
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        match &self.cleanup {
            Cleanup::Dir(dir) => {
                let _ = std::fs::remove_dir_all(dir);
            }
            Cleanup::Postgres { admin_url, name } => {
                // Drop runs inside the test's runtime, which is blocked here: use a thread with its
                // own runtime, and let FORCE end the test's connections (closing the pool would
                // wait for the blocked runtime).
                let (admin_url, name) = (admin_url.clone(), name.clone());
                let _ = std::thread::spawn(move || {
                    let rt = tokio::runtime::Builder::new_current_thread()
                        .enable_all()
                        .build();
                    if let Ok(rt) = rt {
                        rt.block_on(async move {
                            if let Ok(admin) = Store::open(&admin_url).await {
                                let _ = sqlx::query(&format!(
                                    "DROP DATABASE IF EXISTS {name} WITH (FORCE)"
                                ))
                                .execute(&admin.pool)
                                .await;
                                admin.close().await;
                            }
                        });
                    }
                })
                .join();
            }
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn replaces_the_database_of_a_url() {
        assert_eq!(
            super::replace_database("postgres://u:p@127.0.0.1:5432/postgres", "x"),
            "postgres://u:p@127.0.0.1:5432/x"
        );
        assert_eq!(
            super::replace_database("postgres://u@localhost/db?sslmode=disable", "x"),
            "postgres://u@localhost/x?sslmode=disable"
        );
    }
}

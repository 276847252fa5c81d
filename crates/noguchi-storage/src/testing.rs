//! A fresh database for each test, on the engine the test run was started for.
//!
//! `NOGUCHI_TEST_POSTGRES_URL` (a URL of a role that may create databases) selects PostgreSQL:
//! each test gets its own database, dropped afterwards. Without it, each test gets its own SQLite
//! file in a temporary directory. The same tests run on both; `scripts/check` runs them twice.
//!
//! Time is frozen: every test database reads its clock from a [`TestClock`] that starts at the
//! same instant, so dates, fiscal years and anything a page shows of "today" are the same on
//! every run. It moves one millisecond at each reading (ids made in a test keep the order they
//! were made in) and as far as a test moves it.

use crate::{Clock, Engine, Store};
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};
use time::OffsetDateTime;

/// The instant every test starts at: Friday 20 November 2026, 10:00 in Japan.
pub const FROZEN_AT: OffsetDateTime = time::macros::datetime!(2026-11-20 01:00:00 UTC);

/// A clock under the test's control.
#[derive(Clone)]
pub struct TestClock(Arc<AtomicI64>);

impl TestClock {
    pub fn starting_at(t: OffsetDateTime) -> Self {
        Self(Arc::new(AtomicI64::new(
            (t.unix_timestamp_nanos() / 1_000) as i64,
        )))
    }

    /// The clock the store reads: one millisecond later at each reading.
    pub fn clock(&self) -> Clock {
        let t = self.0.clone();
        Arc::new(move || micros(t.fetch_add(1_000, Ordering::SeqCst)))
    }

    /// Moves time on (a day passes, a code of the next 30-second step).
    pub fn advance(&self, d: time::Duration) {
        self.0
            .fetch_add(d.whole_microseconds() as i64, Ordering::SeqCst);
    }

    /// Now, without moving the clock.
    pub fn now(&self) -> OffsetDateTime {
        micros(self.0.load(Ordering::SeqCst))
    }
}

fn micros(us: i64) -> OffsetDateTime {
    OffsetDateTime::from_unix_timestamp_nanos(i128::from(us) * 1_000)
        .expect("test time is within range")
}

pub const POSTGRES_ENV: &str = "NOGUCHI_TEST_POSTGRES_URL";

/// A migrated, empty database that is removed when dropped.
pub struct TestDb {
    pub store: Store,
    pub clock: TestClock,
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
        let clock = TestClock::starting_at(FROZEN_AT);
        let store = store.with_clock(clock.clock());
        store.migrate().await.expect("migrations apply");
        Self {
            store,
            clock,
            cleanup,
        }
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

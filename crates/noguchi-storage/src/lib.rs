//! Noguchi's storage: one code path over SQLite (embedded, the default) and PostgreSQL, chosen at
//! run time from the database URL.
//!
//! All queries go through sqlx's `Any` driver and are written in the SQL both engines share
//! (`$n` placeholders, TEXT/BIGINT/BYTEA columns, timestamps as RFC 3339 UTC text). The few
//! places where the engines differ (connection set-up, how a write transaction begins, the
//! migration lock, a row lock) are branches on [`Engine`] in this file, `migrate.rs` and
//! `write.rs`, nowhere else.
//!
//! Every write runs in one transaction together with its audit record; a caller learns of success
//! only after the commit. Writes take a [`Granted`](noguchi_domain::access::Granted) proof from the
//! domain's access policy. This crate must never depend on the web crate.

mod accounts;
mod audit;
mod council;
mod events;
mod followups;
mod form_json;
mod migrate;
mod needs;
mod nomenclature;
mod organisations;
mod outbox;
mod outcomes;
mod people;
mod pipelines;
mod plan;
mod programmes;
mod project_work;
mod projects;
mod proposals;
mod sql;
mod surveys;
pub mod testing;
mod write;

pub use accounts::{Credentials, NewUser, TokenSummary, UserSummary};
pub use audit::{AuditEntry, AuditFilter, BrokenLink};
pub use council::{Action, AgendaItem, CouncilDecision, Meeting, NewAction};
pub use events::{
    Composer, Event, MailFor, NewRegistration, PrivateContact, PrivateRecord, Registered,
    Registration,
};
pub use followups::{FollowupAnswer, FollowupCounts};
pub use needs::{
    HELD_LABEL, Intake, NdaRecord, Need, NeedScores, QueuedChange, ScoreComment, Seed,
};
pub use nomenclature::NomenclatureCounts;
pub use organisations::{OrganisationFilter, organisation_json};
pub use outbox::{MAX_ATTEMPTS, MailDraft, QueuedMail};
pub use outcomes::{Decision, Outcome, OutcomeFilter, OutcomeSource};
pub use pipelines::{
    Activity, Consultation, Deal, EntryCase, NextAction, Record, StageMove, Stored,
};
pub use plan::RevisionRecord;
pub use programmes::{Programme, ProgrammeMember};
pub use project_work::{Attachment, AwardedGrant, Grant, ReportRecord, Review};
pub use projects::{Clearance, Project, ProjectMember};
pub use proposals::{Explanation, Proposal};
pub use sql::Page;
pub use surveys::{Campaign, LinkChange};

use noguchi_domain::Invalid;
use sqlx::any::{AnyPoolOptions, install_default_drivers};
use sqlx::{Any, AnyPool, Executor, Transaction};
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;
use time::OffsetDateTime;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Engine {
    Sqlite,
    Postgres,
}

impl Engine {
    pub fn name(self) -> &'static str {
        match self {
            Engine::Sqlite => "sqlite",
            Engine::Postgres => "postgres",
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("not found")]
    NotFound,
    #[error(transparent)]
    Invalid(#[from] Invalid),
    #[error("database: {0}")]
    Database(sqlx::Error),
    /// A grant given for another programme (or organisation) than the record's.
    #[error("the grant does not cover this record")]
    Denied,
    #[error("stored data is not readable: {0}")]
    Corrupt(String),
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

impl From<sqlx::Error> for StoreError {
    /// A foreign key the database refuses (a record still referred to, a reference to nothing)
    /// is the caller's mistake to correct, not a failure: it becomes a field error. The checks
    /// before each write name the field precisely; this is the net under them.
    fn from(e: sqlx::Error) -> Self {
        if let sqlx::Error::Database(d) = &e
            && d.kind() == sqlx::error::ErrorKind::ForeignKeyViolation
        {
            return StoreError::Invalid(Invalid::one(
                "id",
                noguchi_domain::Problem::InUse { by: Vec::new() },
            ));
        }
        StoreError::Database(e)
    }
}

/// The source of "now": a parameter, so tests control time.
pub type Clock = Arc<dyn Fn() -> OffsetDateTime + Send + Sync>;

#[derive(Clone)]
pub struct Store {
    pool: AnyPool,
    engine: Engine,
    clock: Clock,
}

impl Store {
    /// Opens the embedded SQLite database inside `data_dir`, creating both when absent.
    pub async fn open_data_dir(data_dir: &Path) -> Result<Self> {
        std::fs::create_dir_all(data_dir).map_err(|e| {
            StoreError::Corrupt(format!("cannot create {}: {e}", data_dir.display()))
        })?;
        let file = data_dir.join("noguchi.sqlite3");
        Self::open(&format!("sqlite://{}?mode=rwc", file.display())).await
    }

    /// Opens a database by URL: `postgres://…` or `sqlite://…`.
    pub async fn open(url: &str) -> Result<Self> {
        install_default_drivers();
        let engine = if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Engine::Postgres
        } else if url.starts_with("sqlite:") {
            Engine::Sqlite
        } else {
            return Err(StoreError::Corrupt(
                "the database URL must start with postgres:// or sqlite://".into(),
            ));
        };
        let options = AnyPoolOptions::new().acquire_timeout(Duration::from_secs(30));
        let pool = match engine {
            Engine::Postgres => options.max_connections(8).connect(url).await?,
            // WAL lets readers run beside the one writer; FULL makes each commit durable before
            // the 2xx that reports it; the busy timeout queues writers instead of failing them.
            Engine::Sqlite => {
                options
                    .max_connections(4)
                    .after_connect(|conn, _| {
                        Box::pin(async move {
                            conn.execute(
                                "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; \
                                 PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 10000;",
                            )
                            .await?;
                            Ok(())
                        })
                    })
                    .connect(url)
                    .await?
            }
        };
        Ok(Self {
            pool,
            engine,
            clock: Arc::new(OffsetDateTime::now_utc),
        })
    }

    pub fn with_clock(mut self, clock: Clock) -> Self {
        self.clock = clock;
        self
    }

    pub fn engine(&self) -> Engine {
        self.engine
    }

    pub fn now(&self) -> OffsetDateTime {
        (self.clock)()
    }

    /// Brings the schema up to date; safe to run from several processes at once.
    pub async fn migrate(&self) -> Result<()> {
        migrate::run(self).await
    }

    /// Answers when the database answers.
    pub async fn ping(&self) -> Result<()> {
        sqlx::query("SELECT 1").execute(&self.pool).await?;
        Ok(())
    }

    pub async fn close(&self) {
        self.pool.close().await;
    }

    /// A write transaction. SQLite takes the write lock up front (`BEGIN IMMEDIATE`) so that a
    /// transaction that reads before it writes cannot fail half-way on a lock upgrade.
    async fn write(&self) -> Result<Transaction<'static, Any>> {
        Ok(match self.engine {
            Engine::Sqlite => self.pool.begin_with("BEGIN IMMEDIATE").await?,
            Engine::Postgres => self.pool.begin().await?,
        })
    }
}

/// Formats a timestamp as stored: RFC 3339, UTC, microseconds, so text order is time order.
pub fn timestamp(t: OffsetDateTime) -> String {
    let t = t.to_offset(time::UtcOffset::UTC);
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:06}Z",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute(),
        t.second(),
        t.microsecond()
    )
}

/// A new record id: time-ordered (48 bits of milliseconds) then 80 random bits, in UUID layout.
pub fn new_id(now: OffsetDateTime) -> String {
    let ms = (now.unix_timestamp_nanos() / 1_000_000) as u64;
    let mut r = [0u8; 10];
    getrandom::fill(&mut r).expect("the operating system's random source is available");
    let mut b = [0u8; 16];
    b[..6].copy_from_slice(&ms.to_be_bytes()[2..]);
    b[6..].copy_from_slice(&r);
    b[6] = 0x70 | (b[6] & 0x0F); // version 7
    b[8] = 0x80 | (b[8] & 0x3F); // RFC 4122 variant
    let h = hex(&b);
    format!(
        "{}-{}-{}-{}-{}",
        &h[..8],
        &h[8..12],
        &h[12..16],
        &h[16..20],
        &h[20..]
    )
}

pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// A random secret (session or API token), as hex.
pub fn random_token(bytes: usize) -> String {
    let mut r = vec![0u8; bytes];
    getrandom::fill(&mut r).expect("the operating system's random source is available");
    hex(&r)
}

/// How a secret token is stored: its SHA-256, so the database never holds a usable token.
pub fn token_hash(token: &str) -> String {
    use sha2::Digest;
    hex(&sha2::Sha256::digest(token.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_time_ordered_uuids() {
        let a = new_id(OffsetDateTime::from_unix_timestamp(1_700_000_000).unwrap());
        let b = new_id(OffsetDateTime::from_unix_timestamp(1_700_000_001).unwrap());
        assert!(a < b);
        assert_eq!(a.len(), 36);
        assert_eq!(&a[14..15], "7");
    }

    #[test]
    fn timestamps_sort_as_text() {
        let t = OffsetDateTime::from_unix_timestamp(1_700_000_000).unwrap();
        assert_eq!(timestamp(t), "2023-11-14T22:13:20.000000Z");
    }
}

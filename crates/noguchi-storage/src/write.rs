//! One audited write: a transaction, the audit records of what it changed, and the commit.
//!
//! Every repository function that changes programme data begins with [`Store::begin`] and ends
//! with [`Write::commit`]; in between it changes rows through the write (it dereferences to the
//! connection) and describes each change with [`Write::audit`]. A write that recorded no audit
//! refuses to commit, so invariant 2 (every change is one transaction with its audit record) is
//! kept by the type rather than by habit. All of a write's records share one timestamp.

use crate::audit::{Change, record};
use crate::{Result, Store, StoreError};
use noguchi_domain::access::{Actor, Granted};
use sqlx::{Any, AnyConnection, Transaction};
use std::ops::{Deref, DerefMut};
use time::OffsetDateTime;

pub(crate) struct Write {
    tx: Transaction<'static, Any>,
    engine: crate::Engine,
    /// The programme of the records this write changes, once a grant was checked against it:
    /// its audit records carry it, so a programme's secretariat reads its own programme's log.
    programme: Option<String>,
    actor: Actor,
    now: OffsetDateTime,
    clock: crate::Clock,
    audited: bool,
}

impl Store {
    /// Begins an audited write on behalf of `actor`.
    pub(crate) async fn begin(&self, actor: &Actor) -> Result<Write> {
        Ok(Write {
            tx: self.write().await?,
            engine: self.engine,
            programme: None,
            actor: actor.clone(),
            now: self.now(),
            clock: self.clock.clone(),
            audited: false,
        })
    }
}

impl Write {
    pub fn now(&self) -> OffsetDateTime {
        self.now
    }

    pub fn actor(&self) -> &Actor {
        &self.actor
    }

    /// Appends the audit record of one change, in the same transaction.
    pub async fn audit(&mut self, change: Change<'_>) -> Result<()> {
        record(
            &mut self.tx,
            self.engine,
            &self.actor,
            self.programme.as_deref(),
            self.now,
            change,
        )
        .await?;
        self.audited = true;
        Ok(())
    }

    /// Refuses a grant given in another programme than the record's, and marks the write as one
    /// about that programme.
    pub fn covers<P>(&mut self, grant: &Granted<P>, programme_id: &str) -> Result<()> {
        covers(grant, programme_id)?;
        self.programme = Some(programme_id.to_owned());
        Ok(())
    }

    /// Like [`Write::covers`], and refuses a grant limited to one organisation for records that
    /// name other organisations than `named` (a submitter's grant on another's need, a
    /// supporter's on another case).
    pub fn covers_named<P>(
        &mut self,
        grant: &Granted<P>,
        programme_id: &str,
        named: &[String],
    ) -> Result<()> {
        self.covers(grant, programme_id)?;
        if grant.covers_any(named) {
            Ok(())
        } else {
            Err(StoreError::Denied)
        }
    }

    /// Marks the write as one about a programme (the programme itself being loaded).
    pub fn in_programme(&mut self, programme_id: &str) {
        self.programme = Some(programme_id.to_owned());
    }

    /// Locks one row until the write ends, so that what the write reads of it and decides
    /// (the seats left of an event) cannot change underneath. SQLite's write lock, taken when
    /// the write began, already excludes every other writer; PostgreSQL locks the row.
    pub async fn lock_row(&mut self, table: &'static str, id: &str) -> Result<()> {
        if self.engine == crate::Engine::Postgres {
            sqlx::query(&format!("SELECT id FROM {table} WHERE id = $1 FOR UPDATE"))
                .bind(id)
                .fetch_optional(&mut *self.tx)
                .await?;
        }
        Ok(())
    }

    /// Reads the clock again, right after taking a lock and before writing anything: the
    /// write's one timestamp is then the order in which writers got the lock (on PostgreSQL
    /// a writer may begin before another yet lock after it), which is the order seats are
    /// given in and the order lists show.
    pub fn restamp(&mut self) {
        debug_assert!(!self.audited, "restamp before anything is written");
        self.now = (self.clock)();
    }

    /// Commits; a write that changed data without describing it is refused.
    pub async fn commit(self) -> Result<()> {
        if !self.audited {
            return Err(StoreError::Corrupt(
                "a write reached its commit without an audit record".into(),
            ));
        }
        self.tx.commit().await?;
        Ok(())
    }
}

/// Refuses a grant given in another programme than the record's.
pub(crate) fn covers<P>(grant: &Granted<P>, programme_id: &str) -> Result<()> {
    if grant.covers_programme(programme_id) {
        Ok(())
    } else {
        Err(StoreError::Denied)
    }
}

impl Deref for Write {
    type Target = AnyConnection;
    fn deref(&self) -> &AnyConnection {
        &self.tx
    }
}

impl DerefMut for Write {
    fn deref_mut(&mut self) -> &mut AnyConnection {
        &mut self.tx
    }
}

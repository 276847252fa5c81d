//! The audit log: who (user and organisation) changed what, when (UTC), from what to what.
//! Each record is written in the same transaction as the change it describes, and carries the
//! SHA-256 of itself chained to the record before it (`seq`, `prev_hash`, `hash`), so a record
//! changed or taken out afterwards shows as a broken link (`noguchi audit verify`). Appending
//! is serialised (SQLite's write lock; an advisory lock on PostgreSQL), so the chain never forks.

use crate::sql::{Page, get};
use crate::{Engine, Result, Store, new_id, timestamp};
use noguchi_domain::access::{Granted, Sight, permission};
use serde_json::Value;
use sqlx::AnyConnection;

pub(crate) struct Change<'a> {
    action: &'static str,
    entity: &'static str,
    entity_id: &'a str,
    label: &'a str,
    before: Option<Value>,
    after: Option<Value>,
}

impl<'a> Change<'a> {
    fn new(action: &'static str, entity: &'static str, entity_id: &'a str, label: &'a str) -> Self {
        Self {
            action,
            entity,
            entity_id,
            label,
            before: None,
            after: None,
        }
    }
    pub fn create(entity: &'static str, id: &'a str, label: &'a str) -> Self {
        Self::new("create", entity, id, label)
    }
    pub fn update(entity: &'static str, id: &'a str, label: &'a str) -> Self {
        Self::new("update", entity, id, label)
    }
    pub fn delete(entity: &'static str, id: &'a str, label: &'a str) -> Self {
        Self::new("delete", entity, id, label)
    }
    pub fn before(mut self, v: Value) -> Self {
        self.before = Some(v);
        self
    }
    pub fn after(mut self, v: Value) -> Self {
        self.after = Some(v);
        self
    }
}

/// The fields of a record that its hash covers, in a fixed order.
struct Sealed<'a> {
    id: &'a str,
    /// Sealed only when present, so records written before the column existed keep their hash.
    programme_id: Option<&'a str>,
    at: &'a str,
    actor_user_id: &'a str,
    actor_organisation_id: &'a str,
    action: &'a str,
    entity: &'a str,
    entity_id: &'a str,
    label: &'a str,
    before: Option<&'a str>,
    after: Option<&'a str>,
}

impl Sealed<'_> {
    /// SHA-256 of the previous record's hash and this record's fields, each field ended by a
    /// unit separator (an absent JSON side by a record separator), as hex.
    fn hash(&self, prev: &str) -> String {
        use sha2::Digest;
        let mut h = sha2::Sha256::new();
        for part in [
            Some(prev),
            Some(self.id),
            Some(self.at),
            Some(self.actor_user_id),
            Some(self.actor_organisation_id),
            Some(self.action),
            Some(self.entity),
            Some(self.entity_id),
            Some(self.label),
            self.before,
            self.after,
        ]
        .into_iter()
        .chain(self.programme_id.map(Some))
        {
            match part {
                Some(p) => {
                    h.update(p.as_bytes());
                    h.update([0x1f]);
                }
                None => h.update([0x1e]),
            }
        }
        crate::hex(&h.finalize())
    }
}

/// Takes the chain's lock for this transaction (PostgreSQL; SQLite writers are serialised by
/// `BEGIN IMMEDIATE` already) and returns the last link: (seq, hash).
async fn chain_end(conn: &mut AnyConnection, engine: Engine) -> Result<(i64, String)> {
    if engine == Engine::Postgres {
        sqlx::query("SELECT pg_advisory_xact_lock(7146521)")
            .execute(&mut *conn)
            .await?;
    }
    let last = sqlx::query(
        "SELECT seq, hash FROM audit_log WHERE seq IS NOT NULL ORDER BY seq DESC LIMIT 1",
    )
    .fetch_optional(&mut *conn)
    .await?;
    Ok(match last {
        Some(r) => (get(&r, "seq")?, get(&r, "hash")?),
        None => (0, String::new()),
    })
}

pub(crate) async fn record(
    conn: &mut AnyConnection,
    engine: Engine,
    actor: &noguchi_domain::access::Actor,
    programme_id: Option<&str>,
    now: time::OffsetDateTime,
    change: Change<'_>,
) -> Result<()> {
    let (seq, prev) = chain_end(conn, engine).await?;
    let id = new_id(now);
    let at = timestamp(now);
    let before = change.before.map(|v| v.to_string());
    let after = change.after.map(|v| v.to_string());
    let hash = Sealed {
        id: &id,
        programme_id,
        at: &at,
        actor_user_id: &actor.user_id,
        actor_organisation_id: &actor.organisation_id,
        action: change.action,
        entity: change.entity,
        entity_id: change.entity_id,
        label: change.label,
        before: before.as_deref(),
        after: after.as_deref(),
    }
    .hash(&prev);
    sqlx::query(
        "INSERT INTO audit_log (id, at, actor_user_id, actor_organisation_id, action, entity, \
         entity_id, label, before_json, after_json, seq, prev_hash, hash, programme_id) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)",
    )
    .bind(&id)
    .bind(&at)
    .bind(&actor.user_id)
    .bind(&actor.organisation_id)
    .bind(change.action)
    .bind(change.entity)
    .bind(change.entity_id)
    .bind(change.label)
    .bind(before)
    .bind(after)
    .bind(seq + 1)
    .bind(&prev)
    .bind(&hash)
    .bind(programme_id)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// The first record where the chain breaks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BrokenLink {
    pub seq: i64,
    pub id: String,
    pub reason: &'static str,
}

fn sealed_of(row: &sqlx::any::AnyRow) -> Result<(i64, String, String, String)> {
    Ok((
        get(row, "seq")?,
        get(row, "id")?,
        get::<Option<String>>(row, "prev_hash")?.unwrap_or_default(),
        get::<Option<String>>(row, "hash")?.unwrap_or_default(),
    ))
}

fn recompute(row: &sqlx::any::AnyRow, prev: &str) -> Result<String> {
    let s = |c: &str| get::<String>(row, c);
    let o = |c: &str| get::<Option<String>>(row, c);
    let programme_id = o("programme_id")?;
    let (id, at, user, org, action, entity, entity_id, label, before, after) = (
        s("id")?,
        s("at")?,
        s("actor_user_id")?,
        s("actor_organisation_id")?,
        s("action")?,
        s("entity")?,
        s("entity_id")?,
        s("label")?,
        o("before_json")?,
        o("after_json")?,
    );
    Ok(Sealed {
        id: &id,
        programme_id: programme_id.as_deref(),
        at: &at,
        actor_user_id: &user,
        actor_organisation_id: &org,
        action: &action,
        entity: &entity,
        entity_id: &entity_id,
        label: &label,
        before: before.as_deref(),
        after: after.as_deref(),
    }
    .hash(prev))
}

#[derive(Debug, Clone)]
pub struct AuditEntry {
    pub id: String,
    /// The record's position in the hash chain: the order changes were made in.
    pub seq: i64,
    pub at: String,
    pub actor_user_id: String,
    /// The acting user's name and e-mail, when the actor is a user (not the system).
    pub actor_name: Option<String>,
    pub actor_email: Option<String>,
    pub actor_organisation_id: String,
    pub actor_organisation_name: Option<String>,
    pub action: String,
    pub entity: String,
    pub entity_id: String,
    pub label: String,
    pub before: Option<Value>,
    pub after: Option<Value>,
}

#[derive(Debug, Clone, Default)]
pub struct AuditFilter {
    pub entity: Option<String>,
    pub entity_id: Option<String>,
}

impl Store {
    /// Checks the whole chain in order; returns how many records hold and the hash of the last
    /// one, or the first broken link (a record changed, taken out, or with a gap in its
    /// sequence). The last record could be taken out without trace unless its hash is kept
    /// elsewhere: the operator notes the head hash `noguchi audit verify` prints.
    pub async fn verify_audit_chain(&self) -> Result<Result<(i64, String), BrokenLink>> {
        let mut prev = String::new();
        let mut expected = 1i64;
        loop {
            let rows =
                sqlx::query("SELECT * FROM audit_log WHERE seq >= $1 ORDER BY seq LIMIT 1000")
                    .bind(expected)
                    .fetch_all(&self.pool)
                    .await?;
            if rows.is_empty() {
                let unsealed = sqlx::query("SELECT id FROM audit_log WHERE seq IS NULL LIMIT 1")
                    .fetch_optional(&self.pool)
                    .await?;
                if let Some(r) = unsealed {
                    return Ok(Err(BrokenLink {
                        seq: 0,
                        id: get(&r, "id")?,
                        reason: "unsealed",
                    }));
                }
                return Ok(Ok((expected - 1, prev)));
            }
            for row in &rows {
                let (seq, id, prev_hash, hash) = sealed_of(row)?;
                let broken = |reason| {
                    Ok(Err(BrokenLink {
                        seq,
                        id: id.clone(),
                        reason,
                    }))
                };
                if seq != expected {
                    return broken("gap");
                }
                if prev_hash != prev {
                    return broken("previous hash");
                }
                if recompute(row, &prev)? != hash {
                    return broken("contents");
                }
                prev = hash;
                expected += 1;
            }
        }
    }

    /// Seals the records written before the chain existed (in the order of their ids), once.
    pub(crate) async fn seal_unchained_audit(&self) -> Result<()> {
        let mut tx = self.write().await?;
        let (mut seq, mut prev) = chain_end(&mut tx, self.engine).await?;
        let rows = sqlx::query("SELECT * FROM audit_log WHERE seq IS NULL ORDER BY id")
            .fetch_all(&mut *tx)
            .await?;
        for row in &rows {
            let hash = recompute(row, &prev)?;
            seq += 1;
            sqlx::query("UPDATE audit_log SET seq = $1, prev_hash = $2, hash = $3 WHERE id = $4")
                .bind(seq)
                .bind(&prev)
                .bind(&hash)
                .bind(get::<String>(row, "id")?)
                .execute(&mut *tx)
                .await?;
            prev = hash;
        }
        tx.commit().await?;
        Ok(())
    }

    /// The newest entries first. Reading the log needs its own grant (the secretariat).
    ///
    /// What a reader sees of it: an administrator everything; a programme's secretariat the
    /// records about its own programmes and about the directory (organisations and people, which
    /// every programme shares), never another programme's nor the accounts'.
    pub async fn audit_log(
        &self,
        _grant: &Granted<permission::ViewAudit>,
        sight: &Sight,
        filter: &AuditFilter,
        cursor: Option<&str>,
        limit: i64,
    ) -> Result<Page<AuditEntry>> {
        let (all, programmes) = match sight.secretariat_programmes() {
            None => (1i64, String::new()),
            Some(p) => (0, p.join(",")),
        };
        let rows = sqlx::query(
            "SELECT a.*, u.name AS actor_name, u.email AS actor_email, o.name AS org_name \
             FROM audit_log a LEFT JOIN users u ON u.id = a.actor_user_id \
             LEFT JOIN organisations o ON o.id = a.actor_organisation_id \
             WHERE ($1 = '' OR a.entity = $1) AND ($2 = '' OR a.entity_id = $2) \
             AND ($3 < 0 OR a.seq < $3) \
             AND ($5 = 1 OR (a.programme_id IS NOT NULL AND (',' || $6 || ',') LIKE ('%,' || a.programme_id || ',%')) \
                  OR (a.programme_id IS NULL AND a.entity IN ('organisation', 'person'))) \
             ORDER BY a.seq DESC LIMIT $4",
        )
        .bind(filter.entity.clone().unwrap_or_default())
        .bind(filter.entity_id.clone().unwrap_or_default())
        // The cursor is the chain position of the last record shown (the order of the chain
        // is the order the changes were made in, which ids within one millisecond are not).
        .bind(cursor.and_then(|c| c.parse::<i64>().ok()).unwrap_or(-1))
        .bind(limit + 1)
        .bind(all)
        .bind(programmes)
        .fetch_all(&self.pool)
        .await?;
        let mut items = Vec::new();
        for row in rows.iter().take(limit as usize) {
            let json = |col: &str| -> Result<Option<Value>> {
                Ok(get::<Option<String>>(row, col)?.and_then(|s| serde_json::from_str(&s).ok()))
            };
            items.push(AuditEntry {
                id: get(row, "id")?,
                seq: get(row, "seq")?,
                at: get(row, "at")?,
                actor_user_id: get(row, "actor_user_id")?,
                actor_name: get(row, "actor_name")?,
                actor_email: get(row, "actor_email")?,
                actor_organisation_id: get(row, "actor_organisation_id")?,
                actor_organisation_name: get(row, "org_name")?,
                action: get(row, "action")?,
                entity: get(row, "entity")?,
                entity_id: get(row, "entity_id")?,
                label: get(row, "label")?,
                before: json("before_json")?,
                after: json("after_json")?,
            });
        }
        let next_cursor = if rows.len() as i64 > limit {
            items.last().map(|e| e.seq.to_string())
        } else {
            None
        };
        Ok(Page { items, next_cursor })
    }
}

impl crate::Store {
    /// The position of the last change in the audit chain. Every change is written with its
    /// audit record in one transaction (a write without one refuses to commit), so an equal
    /// position means that nothing has changed since: what was read then is still true.
    pub async fn change_position(&self) -> crate::Result<i64> {
        let row = sqlx::query("SELECT MAX(seq) AS seq FROM audit_log")
            .fetch_one(&self.pool)
            .await?;
        Ok(crate::sql::get::<Option<i64>>(&row, "seq")?.unwrap_or(0))
    }
}

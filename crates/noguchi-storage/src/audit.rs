//! The audit log: who (user and organisation) changed what, when (UTC), from what to what.
//! Each record is written in the same transaction as the change it describes.

use crate::sql::{Page, get};
use crate::{Result, Store, new_id, timestamp};
use noguchi_domain::access::{Granted, permission};
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

pub(crate) async fn record(
    conn: &mut AnyConnection,
    actor: &noguchi_domain::access::Actor,
    now: time::OffsetDateTime,
    change: Change<'_>,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO audit_log (id, at, actor_user_id, actor_organisation_id, action, entity, \
         entity_id, label, before_json, after_json) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
    )
    .bind(new_id(now))
    .bind(timestamp(now))
    .bind(&actor.user_id)
    .bind(&actor.organisation_id)
    .bind(change.action)
    .bind(change.entity)
    .bind(change.entity_id)
    .bind(change.label)
    .bind(change.before.map(|v| v.to_string()))
    .bind(change.after.map(|v| v.to_string()))
    .execute(&mut *conn)
    .await?;
    Ok(())
}

#[derive(Debug, Clone)]
pub struct AuditEntry {
    pub id: String,
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
    /// The newest entries first. Reading the log needs its own grant (the secretariat).
    pub async fn audit_log(
        &self,
        _grant: &Granted<permission::ViewAudit>,
        filter: &AuditFilter,
        cursor: Option<&str>,
        limit: i64,
    ) -> Result<Page<AuditEntry>> {
        let rows = sqlx::query(
            "SELECT a.*, u.name AS actor_name, u.email AS actor_email, o.name AS org_name \
             FROM audit_log a LEFT JOIN users u ON u.id = a.actor_user_id \
             LEFT JOIN organisations o ON o.id = a.actor_organisation_id \
             WHERE ($1 = '' OR a.entity = $1) AND ($2 = '' OR a.entity_id = $2) \
             AND ($3 = '' OR a.id < $3) ORDER BY a.id DESC LIMIT $4",
        )
        .bind(filter.entity.clone().unwrap_or_default())
        .bind(filter.entity_id.clone().unwrap_or_default())
        .bind(cursor.unwrap_or_default())
        .bind(limit + 1)
        .fetch_all(&self.pool)
        .await?;
        let mut items = Vec::new();
        for row in rows.iter().take(limit as usize) {
            let json = |col: &str| -> Result<Option<Value>> {
                Ok(get::<Option<String>>(row, col)?.and_then(|s| serde_json::from_str(&s).ok()))
            };
            items.push(AuditEntry {
                id: get(row, "id")?,
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
            items.last().map(|e| e.id.clone())
        } else {
            None
        };
        Ok(Page { items, next_cursor })
    }
}

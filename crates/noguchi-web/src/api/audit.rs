//! The audit log over JSON (secretariat).

use super::{ProblemOut, page_limit};
use crate::AppState;
use crate::auth::Caller;
use crate::error::AppError;
use axum::Json;
use axum::extract::{Query, State};
use noguchi_app::records::{AuditEntry, AuditFilter};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::{IntoParams, ToSchema};

#[derive(Debug, Serialize, ToSchema)]
pub struct AuditOut {
    pub id: String,
    /// RFC 3339, UTC.
    pub at: String,
    pub actor: ActorOut,
    /// create, update or delete
    pub action: String,
    /// organisation, person, user, programme …
    pub entity: String,
    pub entity_id: String,
    pub label: String,
    /// The record before the change; null for a creation.
    #[schema(value_type = Option<Object>)]
    pub before: Option<Value>,
    /// The record after the change; null for a deletion.
    #[schema(value_type = Option<Object>)]
    pub after: Option<Value>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ActorOut {
    /// A user id, or `system` for first start and the command line.
    pub user_id: String,
    pub name: Option<String>,
    pub email: Option<String>,
    pub organisation_id: String,
    pub organisation_name: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AuditList {
    pub items: Vec<AuditOut>,
    pub next_cursor: Option<String>,
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct AuditQuery {
    pub entity: Option<String>,
    pub entity_id: Option<String>,
    pub cursor: Option<String>,
    pub limit: Option<i64>,
}

pub fn out(e: AuditEntry) -> AuditOut {
    AuditOut {
        id: e.id,
        at: e.at,
        actor: ActorOut {
            user_id: e.actor_user_id,
            name: e.actor_name,
            email: e.actor_email,
            organisation_id: e.actor_organisation_id,
            organisation_name: e.actor_organisation_name,
        },
        action: e.action,
        entity: e.entity,
        entity_id: e.entity_id,
        label: e.label,
        before: e.before,
        after: e.after,
    }
}

/// Changes, newest first.
#[utoipa::path(get, path = "/api/v1/audit", tag = "audit", params(AuditQuery),
    responses((status = 200, body = AuditList), (status = 403, body = ProblemOut)))]
pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
    Query(q): Query<AuditQuery>,
) -> Result<Json<AuditList>, AppError> {
    let filter = AuditFilter {
        entity: q.entity,
        entity_id: q.entity_id,
    };
    let page = state
        .app
        .audit_log(
            &caller.sight,
            &filter,
            q.cursor.as_deref(),
            page_limit(q.limit),
        )
        .await?;
    Ok(Json(AuditList {
        items: page.items.into_iter().map(out).collect(),
        next_cursor: page.next_cursor,
    }))
}

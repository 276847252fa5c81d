//! The audit log page (secretariat).

use crate::AppState;
use crate::auth::{Caller, url_escape};
use crate::error::AppError;
use crate::page::{Ctx, render};
use askama::Template;
use axum::extract::{Query, State};
use axum::response::Response;
use noguchi_app::records::{AuditEntry, AuditFilter};
use serde::Deserialize;

#[derive(Template)]
#[template(path = "audit.html")]
struct AuditPage {
    ctx: Ctx,
    items: Vec<AuditEntry>,
    next: Option<String>,
}

impl AuditPage {
    fn actor(&self, e: &AuditEntry) -> String {
        match (&e.actor_name, &e.actor_organisation_name) {
            (Some(n), Some(o)) => format!("{n}（{o}）"),
            (Some(n), None) => n.clone(),
            _ => self.ctx.t("audit-system"),
        }
    }
    fn pretty(&self, v: &Option<serde_json::Value>) -> String {
        v.as_ref()
            .and_then(|v| serde_json::to_string_pretty(v).ok())
            .unwrap_or_default()
    }
    fn link(&self, e: &AuditEntry) -> Option<String> {
        match e.entity.as_str() {
            "organisation" if e.action != "delete" => {
                Some(format!("/organisations/{}", e.entity_id))
            }
            "person" if e.action != "delete" => Some(format!("/people/{}", e.entity_id)),
            "programme" => Some(format!("/programmes/{}", e.entity_id)),
            _ => None,
        }
    }
}

#[derive(Deserialize)]
pub struct AuditQuery {
    entity_id: Option<String>,
    cursor: Option<String>,
}

pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
    Query(q): Query<AuditQuery>,
) -> Result<Response, AppError> {
    let filter = AuditFilter {
        entity: None,
        entity_id: q.entity_id.clone().filter(|s| !s.is_empty()),
    };
    let page = state
        .app
        .audit_log(&caller.sight, &filter, q.cursor.as_deref(), 100)
        .await?;
    let base = format!(
        "/audit?entity_id={}",
        url_escape(q.entity_id.as_deref().unwrap_or_default())
    );
    Ok(render(&AuditPage {
        ctx: Ctx::new(&caller, "/audit"),
        items: page.items,
        next: page
            .next_cursor
            .map(|c| format!("{base}&cursor={}", url_escape(&c))),
    }))
}

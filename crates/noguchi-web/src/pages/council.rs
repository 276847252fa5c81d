//! The minutes of a council meeting as a page: whole for the programme's members; published,
//! to anyone without an account, with withheld items shown as a heading and their reason only.

use crate::AppState;
use crate::auth::Caller;
use crate::error::AppError;
use crate::page::{Ctx, render};
use askama::Template;
use axum::extract::{Path, State};
use axum::response::Response;
use noguchi_app::records::Meeting;

pub struct ItemLine {
    pub title: String,
    /// The reason, in words, for a withheld item.
    pub withheld: Option<String>,
    pub decisions: Vec<(String, Vec<String>)>,
}

#[derive(Template)]
#[template(path = "minutes.html")]
struct MinutesPage {
    ctx: Ctx,
    meeting: Meeting,
    when: String,
    items: Vec<ItemLine>,
    /// Decisions on no agenda item.
    general: Vec<(String, Vec<String>)>,
    member: bool,
}

pub async fn minutes(
    State(state): State<AppState>,
    caller: Caller,
    Path((programme_id, id)): Path<(String, String)>,
) -> Result<Response, AppError> {
    let v = state.app.meeting(&caller.sight, &id).await?;
    if v.meeting.programme_id != programme_id {
        return Err(AppError::NotFound);
    }
    let ctx = Ctx::new(
        &caller,
        &format!("/programmes/{programme_id}/meetings/{id}"),
    );
    let tr = ctx.tr;
    let m = v.meeting;
    let decision = |d: &noguchi_app::records::CouncilDecision| {
        (
            d.text.clone(),
            d.actions
                .iter()
                .map(|a| {
                    format!(
                        "{}（{}、{}まで）",
                        a.text,
                        a.owner_organisation_name,
                        noguchi_domain::dates::format_date(a.due)
                    )
                })
                .collect(),
        )
    };
    let items = m
        .agenda
        .iter()
        .map(|a| ItemLine {
            title: a.data.title.clone(),
            withheld: a.data.withheld.map(|w| tr.code("withheld", w.code())),
            decisions: m
                .decisions
                .iter()
                .filter(|d| d.agenda_item_id.as_deref() == Some(a.id.as_str()))
                .map(decision)
                .collect(),
        })
        .collect();
    let general = m
        .decisions
        .iter()
        .filter(|d| d.agenda_item_id.is_none())
        .map(decision)
        .collect();
    let when = noguchi_domain::event::parse_instant(&m.held_at)
        .map(|t| {
            let s = noguchi_domain::event::format_instant(t);
            s.chars().take(16).collect::<String>().replace('T', " ")
        })
        .unwrap_or_else(|_| m.held_at.clone());
    Ok(render(&MinutesPage {
        ctx,
        when,
        items,
        general,
        member: v.member,
        meeting: m,
    }))
}

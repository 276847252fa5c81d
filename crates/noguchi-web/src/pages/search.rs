//! The search page: needs, seeds and organisations in Japanese, with highlighted snippets.
//! Highlights are passed to the template as segments, never as HTML.

use crate::AppState;
use crate::auth::Caller;
use crate::error::AppError;
use crate::page::{Ctx, render};
use askama::Template;
use axum::extract::{Query, State};
use axum::response::Response;
use serde::Deserialize;

pub struct ResultLine {
    pub href: String,
    pub kind: String,
    pub title: String,
    /// The snippet as (text, highlighted) pieces.
    pub segments: Vec<(String, bool)>,
}

#[derive(Template)]
#[template(path = "search.html")]
struct SearchPage {
    ctx: Ctx,
    q: String,
    kind: String,
    total: usize,
    results: Vec<ResultLine>,
}

#[derive(Deserialize)]
pub struct SearchQuery {
    q: Option<String>,
    #[serde(rename = "type")]
    kind: Option<String>,
}

pub(crate) fn segments(snippet: &str, highlights: &[(usize, usize)]) -> Vec<(String, bool)> {
    // Adjacent matches (内|視|鏡 from the analyser) read as one highlight.
    let mut merged: Vec<(usize, usize)> = Vec::new();
    for &(a, b) in highlights {
        match merged.last_mut() {
            Some(last) if last.1 == a => last.1 = b,
            _ => merged.push((a, b)),
        }
    }
    let mut out = Vec::new();
    let mut at = 0;
    for &(a, b) in &merged {
        if a < at
            || b > snippet.len()
            || !snippet.is_char_boundary(a)
            || !snippet.is_char_boundary(b)
        {
            continue;
        }
        if a > at {
            out.push((snippet[at..a].to_owned(), false));
        }
        out.push((snippet[a..b].to_owned(), true));
        at = b;
    }
    if at < snippet.len() {
        out.push((snippet[at..].to_owned(), false));
    }
    out
}

pub async fn search(
    State(state): State<AppState>,
    caller: Caller,
    Query(q): Query<SearchQuery>,
) -> Result<Response, AppError> {
    caller.principal()?;
    let ctx = Ctx::new(&caller, "/search");
    let tr = ctx.tr;
    let text = q.q.clone().unwrap_or_default();
    let kind = q
        .kind
        .clone()
        .filter(|k| noguchi_app::search::KINDS.contains(&k.as_str()))
        .unwrap_or_default();
    let (mut total, mut results) = (0, Vec::new());
    if !text.trim().is_empty() {
        let hits = state
            .app
            .search(&caller.sight, &text, Some(kind.as_str()), 50)
            .await?;
        total = hits.total;
        results = hits
            .items
            .into_iter()
            .map(|h| ResultLine {
                href: match h.kind.as_str() {
                    "need" => format!("/needs/{}", h.id),
                    "seed" => format!("/seeds/{}", h.id),
                    "project" => format!("/projects/{}", h.id),
                    _ => format!("/organisations/{}", h.id),
                },
                kind: tr.code("search-kind", &h.kind),
                segments: segments(&h.snippet, &h.highlights),
                title: h.title,
            })
            .collect();
    }
    Ok(render(&SearchPage {
        ctx,
        q: text,
        kind,
        total,
        results,
    }))
}

#[cfg(test)]
mod tests {
    #[test]
    fn highlights_become_segments() {
        let s = super::segments("内視鏡の洗浄", &[(0, 3), (3, 6), (6, 9), (12, 18)]);
        assert_eq!(
            s,
            [
                ("内視鏡".to_string(), true),
                ("の".to_string(), false),
                ("洗浄".to_string(), true)
            ]
        );
    }
}

//! View pieces several pages show, whatever record they are about: a record's stage history,
//! the messages of a refused form, organisations as the choices of a form field, and a
//! ranking's reasons in words.

use crate::AppState;
use crate::error::AppError;
use crate::forms::Choice;
use crate::i18n::Tr;
use noguchi_app::Sight;
use noguchi_app::records::StageMove;
use noguchi_domain::Invalid;
use noguchi_domain::matching::Reason;

/// One line of a stage history (`_history.html`).
pub struct MoveLine {
    pub from: String,
    pub to: String,
    pub date: String,
    pub note: String,
    pub by: String,
}

pub fn move_lines(tr: Tr, h: Vec<StageMove>) -> Vec<MoveLine> {
    h.into_iter()
        .map(|m| MoveLine {
            from: m
                .from_stage
                .map(|s| tr.code("stage", &s))
                .unwrap_or_default(),
            to: tr.code("stage", &m.to_stage),
            date: m.moved_on,
            note: m.note.unwrap_or_default(),
            by: m.user_name.unwrap_or_default(),
        })
        .collect()
}

/// Every message of a refused submission, in one sentence list.
pub fn messages(tr: Tr, i: &Invalid) -> String {
    i.0.iter()
        .map(|e| tr.error(e))
        .collect::<Vec<_>>()
        .join(" ")
}

/// Every organisation of the directory as a choice, those in `selected` selected.
pub async fn organisation_choices(
    state: &AppState,
    sight: &Sight,
    selected: &[String],
) -> Result<Vec<Choice>, AppError> {
    Ok(state
        .app
        .all_organisations(sight)
        .await?
        .into_iter()
        .map(|o| Choice {
            selected: selected.contains(&o.id),
            value: o.id,
            label: o.data.name,
        })
        .collect())
}

/// Why a candidate or a need was ranked, in the caller's language.
pub fn reason_text(tr: Tr, r: &Reason) -> String {
    let key = format!("reason-{}", r.code());
    let d = r.detail();
    if d.is_empty() {
        tr.t(&key)
    } else {
        tr.t1(&key, "detail", &d)
    }
}

/// The absolute address of a path on this server, as the browser reached it (for a link the
/// secretariat copies into an e-mail or a poster).
pub fn absolute(headers: &axum::http::HeaderMap, path: &str) -> String {
    let host = headers
        .get(axum::http::header::HOST)
        .and_then(|h| h.to_str().ok())
        .filter(|h| {
            h.chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':' | '[' | ']'))
        });
    let scheme = headers
        .get("x-forwarded-proto")
        .and_then(|h| h.to_str().ok())
        .filter(|s| matches!(*s, "http" | "https"))
        .unwrap_or("http");
    match host {
        Some(h) => format!("{scheme}://{h}{path}"),
        None => path.to_owned(),
    }
}

/// A QR code as the dark modules a template draws (`x`, `y` in modules, with a quiet zone of
/// four), or None when the text does not fit a QR code.
pub struct Qr {
    pub size: usize,
    pub dark: Vec<(usize, usize)>,
}

pub fn qr(text: &str) -> Option<Qr> {
    let code = qrcode::QrCode::new(text.as_bytes()).ok()?;
    let width = code.width();
    let dark = code
        .to_colors()
        .iter()
        .enumerate()
        .filter(|(_, c)| **c == qrcode::Color::Dark)
        .map(|(i, _)| (i % width + 4, i / width + 4))
        .collect();
    Some(Qr {
        size: width + 8,
        dark,
    })
}

/// A stored instant (RFC 3339, UTC) as people read it: Japan time to the minute
/// (`2026-12-01 16:11`); anything unreadable as it is.
pub fn jst_minutes(stored: &str) -> String {
    match noguchi_domain::event::parse_instant(stored) {
        Ok(t) => noguchi_domain::event::format_instant(t)
            .chars()
            .take(16)
            .collect::<String>()
            .replace('T', " "),
        Err(_) => stored.to_owned(),
    }
}

//! Turning templates and errors into responses, in one place: security headers on every
//! response, HTML errors for pages and problem+json for the API, in the caller's language.

use crate::auth::{Caller, request_lang};
use crate::error::AppError;
use crate::i18n::Tr;
use askama::Template;
use axum::extract::Request;
use axum::http::{HeaderValue, header};
use axum::middleware::Next;
use axum::response::{Html, IntoResponse, Response};
use noguchi_domain::access::Principal;
use serde_json::json;

/// What every page's layout needs.
pub struct Ctx {
    pub tr: Tr,
    pub user: Option<Principal>,
    pub csrf: String,
    /// The current path and query, for the language switch to return to.
    pub here: String,
    pub flash: Option<String>,
}

impl Ctx {
    pub fn new(caller: &Caller, here: &str) -> Self {
        Self {
            tr: Tr(caller.lang),
            user: caller.principal.clone(),
            csrf: caller.csrf.clone(),
            here: crate::auth::url_escape(here),
            flash: None,
        }
    }
    pub fn t(&self, key: &str) -> String {
        self.tr.t(key)
    }
    pub fn lang(&self) -> &'static str {
        self.tr.lang()
    }
    pub fn is_secretariat(&self) -> bool {
        self.user.as_ref().is_some_and(Principal::is_secretariat)
    }
    pub fn is_admin(&self) -> bool {
        self.user.as_ref().is_some_and(|u| u.admin)
    }
    /// Shows a confirmation only for the messages the application itself sends in `?flash=`.
    pub fn with_flash(mut self, flash: Option<&str>) -> Self {
        const ALLOWED: &[&str] = &[
            "org-created",
            "org-updated",
            "org-deleted",
            "password-changed",
            "logged-out",
            "users-created",
            "need-released",
            "need-held-flash",
            "import-done",
            "imported",
            "second-factor-done",
            "tokens-revoked",
            "users-disabled-flash",
            "login-code-expired",
        ];
        self.flash = flash.filter(|f| ALLOWED.contains(f)).map(|f| self.tr.t(f));
        self
    }
}

/// Renders a page template; a template error becomes an internal error (logged).
pub fn render<T: Template>(t: &T) -> Response {
    match t.render() {
        Ok(html) => Html(html).into_response(),
        Err(e) => AppError::internal("template", e).into_response(),
    }
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage {
    ctx: Ctx,
    title: String,
    messages: Vec<String>,
}

/// The outermost layer: renders errors and adds the security headers.
pub async fn finish(req: Request, next: Next) -> Response {
    let api = req.uri().path().starts_with("/api/");
    let lang = request_lang(req.headers(), api);
    // A body's field is named as the record the request is about calls it (a need's 件名).
    let record = crate::api::record_of(req.uri().path());
    let mut resp = next.run(req).await;
    if let Some(err) = resp.extensions_mut().remove::<AppError>() {
        let err = match err {
            AppError::BadField {
                field,
                unknown,
                scope: None,
            } => AppError::BadField {
                field,
                unknown,
                scope: record,
            },
            other => other,
        };
        resp = render_error(&err, Tr(lang), api);
    } else if let Some(err) = framework_error(&resp) {
        // A refusal made by the framework before a handler ran (an unknown path, a wrong method,
        // a body past the limit, a body of the wrong type): rendered like ours, same status.
        let status = resp.status();
        resp = render_error(&err, Tr(lang), api);
        *resp.status_mut() = status;
    }
    let h = resp.headers_mut();
    let set = |h: &mut axum::http::HeaderMap, k: &'static str, v: &'static str| {
        h.insert(k, HeaderValue::from_static(v));
    };
    // A kept file sets its own, stricter policy (sandboxed, nothing loads).
    if !h.contains_key(header::CONTENT_SECURITY_POLICY) {
        set(
            h,
            "content-security-policy",
            "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
        );
    }
    set(h, "x-content-type-options", "nosniff");
    set(h, "referrer-policy", "same-origin");
    set(h, "x-frame-options", "DENY");
    if !h.contains_key(header::CACHE_CONTROL) {
        set(h, "cache-control", "no-store");
    }
    resp
}

/// The error an error response made outside our handlers stands for: an error status whose body
/// is not one of ours (no content type, or plain text).
fn framework_error(resp: &Response) -> Option<AppError> {
    use axum::http::StatusCode;
    let status = resp.status();
    if !(status.is_client_error() || status.is_server_error()) {
        return None;
    }
    let ours = resp
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/html") || v.contains("json"));
    if ours {
        return None;
    }
    Some(match status {
        StatusCode::NOT_FOUND => AppError::NotFound,
        StatusCode::PAYLOAD_TOO_LARGE => AppError::TooLarge,
        StatusCode::UNAUTHORIZED => AppError::Unauthorized,
        StatusCode::FORBIDDEN => AppError::Forbidden,
        s if s.is_server_error() => AppError::Internal,
        _ => AppError::BadRequest,
    })
}

fn render_error(err: &AppError, tr: Tr, api: bool) -> Response {
    let status = err.status();
    let title = tr.t(err.title_key());
    let (errors, messages): (Vec<_>, Vec<String>) = match err {
        AppError::Invalid(invalid) => invalid
            .0
            .iter()
            .map(|e| {
                let m = tr.error(e);
                (json!({"field": e.field, "message": m}), m)
            })
            .unzip(),
        AppError::BadField {
            field,
            unknown,
            scope,
        } => {
            let key = if *unknown {
                "problem-unknown-field"
            } else {
                "problem-wrong-type"
            };
            let m = tr.t1(key, "field", &tr.field_in(*scope, field));
            (vec![json!({"field": field, "message": m})], vec![m])
        }
        _ => (Vec::new(), Vec::new()),
    };
    if api {
        let mut body = json!({
            "type": "about:blank",
            "title": title,
            "status": status.as_u16(),
        });
        if !errors.is_empty() {
            body["detail"] = json!(messages.join(" "));
            body["errors"] = json!(errors);
        }
        let mut r = (status, body.to_string()).into_response();
        r.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/problem+json"),
        );
        if status == axum::http::StatusCode::UNAUTHORIZED {
            r.headers_mut()
                .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        r
    } else {
        let page = ErrorPage {
            ctx: Ctx {
                tr,
                user: None,
                csrf: String::new(),
                here: "/".into(),
                flash: None,
            },
            title,
            messages,
        };
        let mut r = render(&page);
        *r.status_mut() = status;
        r
    }
}

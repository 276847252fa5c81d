//! Signing in and out, the language switch and the password change.

use crate::auth::{Caller, LANG_COOKIE, PRE_COOKIE, SESSION_COOKIE, Via, set_cookie};
use crate::error::AppError;
use crate::forms::{FormData, local_next};
use crate::i18n::Lang;
use crate::page::{Ctx, render};
use crate::{AppState, password};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use noguchi_domain::Problem;
use serde::Deserialize;
use std::time::Instant;

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    ctx: Ctx,
    next: String,
    email: String,
    error: Option<String>,
}

#[derive(Deserialize)]
pub struct NextQuery {
    next: Option<String>,
    flash: Option<String>,
}

pub(crate) fn with_pre_cookie(mut r: Response, caller: &Caller, state: &AppState) -> Response {
    let secure = state.config.secure_cookies;
    if let Some(t) = &caller.new_pre_token
        && let Ok(v) = HeaderValue::from_str(&set_cookie(PRE_COOKIE, t, None, secure))
    {
        r.headers_mut().append(header::SET_COOKIE, v);
    }
    r
}

pub async fn login_form(
    State(state): State<AppState>,
    caller: Caller,
    Query(q): Query<NextQuery>,
) -> Response {
    if caller.principal.is_some() {
        return Redirect::to(&local_next(q.next.as_deref())).into_response();
    }
    let page = LoginPage {
        ctx: Ctx::new(&caller, "/login").with_flash(q.flash.as_deref()),
        next: local_next(q.next.as_deref()),
        email: String::new(),
        error: None,
    };
    with_pre_cookie(render(&page), &caller, &state)
}

pub async fn login(
    State(state): State<AppState>,
    caller: Caller,
    form: FormData,
) -> Result<Response, AppError> {
    let email = form.get("email").unwrap_or_default();
    let pw = form.get("password").unwrap_or_default();
    let next = local_next(form.get("next").as_deref());
    let address = caller.address.clone();
    let now = Instant::now();
    let refuse = |key: &str, status: StatusCode| {
        let page = LoginPage {
            ctx: Ctx::new(&caller, "/login"),
            next: next.clone(),
            email: email.clone(),
            error: Some(caller_t(&caller, key)),
        };
        let mut r = render(&page);
        *r.status_mut() = status;
        r
    };
    if state.limiter.is_blocked(&email, address.as_deref(), now) {
        return Ok(refuse("login-limited", StatusCode::TOO_MANY_REQUESTS));
    }
    let creds = state.store.credentials(&email).await?;
    // Unknown accounts are checked against a decoy hash, so both answers take as long.
    let (user_id, hash) = match creds {
        Some((id, h)) => (Some(id), h),
        None => (None, password::decoy().to_owned()),
    };
    let ok = tokio::task::spawn_blocking(move || password::verify(&pw, &hash))
        .await
        .map_err(|e| AppError::internal("password check", e))?;
    let Some(user_id) = user_id.filter(|_| ok) else {
        state.limiter.fail(&email, address.as_deref(), now);
        return Ok(refuse("login-failed", StatusCode::UNAUTHORIZED));
    };
    state.limiter.succeed(&email);
    let (token, _csrf) = state
        .store
        .create_session(&user_id, state.config.session_ttl)
        .await?;
    let mut r = Redirect::to(&next).into_response();
    let secure = state.config.secure_cookies;
    for c in [
        set_cookie(
            SESSION_COOKIE,
            &token,
            Some(state.config.session_ttl.whole_seconds()),
            secure,
        ),
        set_cookie(PRE_COOKIE, "", Some(0), secure),
    ] {
        r.headers_mut().append(
            header::SET_COOKIE,
            HeaderValue::from_str(&c).map_err(|e| AppError::internal("cookie", e))?,
        );
    }
    Ok(r)
}

fn caller_t(caller: &Caller, key: &str) -> String {
    crate::i18n::Tr(caller.lang).t(key)
}

pub async fn logout(State(state): State<AppState>, caller: Caller) -> Result<Response, AppError> {
    if let Via::Session { token } = &caller.via {
        state.store.end_session(token).await?;
    }
    let mut r = Redirect::to("/login?flash=logged-out").into_response();
    let c = set_cookie(SESSION_COOKIE, "", Some(0), state.config.secure_cookies);
    r.headers_mut().append(
        header::SET_COOKIE,
        HeaderValue::from_str(&c).map_err(|e| AppError::internal("cookie", e))?,
    );
    Ok(r)
}

/// Remembers the chosen language for a year and returns to the page the visitor was on.
pub async fn switch_lang(
    State(state): State<AppState>,
    Path(lang): Path<String>,
    Query(q): Query<NextQuery>,
) -> Result<Response, AppError> {
    let lang = Lang::parse(&lang).ok_or(AppError::NotFound)?;
    let mut r = Redirect::to(&local_next(q.next.as_deref())).into_response();
    let c = set_cookie(
        LANG_COOKIE,
        lang.code(),
        Some(365 * 24 * 3600),
        state.config.secure_cookies,
    );
    r.headers_mut().append(
        header::SET_COOKIE,
        HeaderValue::from_str(&c).map_err(|e| AppError::internal("cookie", e))?,
    );
    Ok(r)
}

#[derive(Template)]
#[template(path = "password.html")]
struct PasswordPage {
    ctx: Ctx,
    must_change: bool,
    error: Option<String>,
}

pub async fn password_form(caller: Caller) -> Result<Response, AppError> {
    let must_change = caller.principal()?.must_change_password;
    Ok(render(&PasswordPage {
        ctx: Ctx::new(&caller, "/account/password"),
        must_change,
        error: None,
    }))
}

pub async fn change_password(
    State(state): State<AppState>,
    caller: Caller,
    form: FormData,
) -> Result<Response, AppError> {
    let p = caller.principal()?;
    let tr = crate::i18n::Tr(caller.lang);
    let current = form.get("current").unwrap_or_default();
    let new = form.get("new").unwrap_or_default();
    let confirm = form.get("confirm").unwrap_or_default();
    let fail = |message: String| {
        let mut r = render(&PasswordPage {
            ctx: Ctx::new(&caller, "/account/password"),
            must_change: p.must_change_password,
            error: Some(message),
        });
        *r.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
        r
    };
    if new.chars().count() < password::MIN_LENGTH {
        return Ok(fail(tr.problem(
            "password",
            &Problem::PasswordTooShort {
                min: password::MIN_LENGTH,
            },
        )));
    }
    if new != confirm {
        return Ok(fail(tr.t("password-mismatch")));
    }
    let (_, hash) = state
        .store
        .credentials(&p.email)
        .await?
        .ok_or(AppError::Unauthorized)?;
    let ok = tokio::task::spawn_blocking(move || password::verify(&current, &hash))
        .await
        .map_err(|e| AppError::internal("password", e))?;
    if !ok {
        return Ok(fail(tr.t("password-wrong")));
    }
    let new_hash = tokio::task::spawn_blocking(move || password::hash(&new))
        .await
        .map_err(|e| AppError::internal("password", e))?;
    let keep = match &caller.via {
        Via::Session { token } => Some(token.as_str()),
        _ => None,
    };
    state
        .store
        .set_password(&p.user_id, &new_hash, keep)
        .await?;
    Ok(Redirect::to("/?flash=password-changed").into_response())
}

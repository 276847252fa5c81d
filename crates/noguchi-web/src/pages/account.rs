//! Signing in and out, the language switch and the password change.

use crate::AppState;
use crate::auth::{Caller, LANG_COOKIE, PRE_COOKIE, SESSION_COOKIE, Via, set_cookie};
use crate::error::AppError;
use crate::forms::{FormData, local_next};
use crate::i18n::Lang;
use crate::page::{Ctx, render};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use noguchi_app::accounts::{PasswordRefused, SignIn};
use noguchi_domain::Problem;
use serde::Deserialize;

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
    let token = match state
        .app
        .sign_in(
            &email,
            &pw,
            caller.address.as_deref(),
            state.config.session_ttl,
        )
        .await?
    {
        SignIn::Started(session) => session.token,
        SignIn::Refused => return Ok(refuse("login-failed", StatusCode::UNAUTHORIZED)),
        SignIn::Limited => return Ok(refuse("login-limited", StatusCode::TOO_MANY_REQUESTS)),
        SignIn::Busy => return Ok(refuse("login-busy", StatusCode::TOO_MANY_REQUESTS)),
    };
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
        state.app.sign_out(token).await?;
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
    let keep = match &caller.via {
        Via::Session { token } => Some(token.as_str()),
        _ => None,
    };
    match state
        .app
        .change_password(&caller.sight, &current, &new, &confirm, keep)
        .await?
    {
        Ok(()) => {}
        Err(PasswordRefused::TooShort { min }) => {
            return Ok(fail(
                tr.problem("password", &Problem::PasswordTooShort { min }),
            ));
        }
        Err(PasswordRefused::Mismatch) => return Ok(fail(tr.t("password-mismatch"))),
        Err(PasswordRefused::WrongCurrent) => return Ok(fail(tr.t("password-wrong"))),
    }
    Ok(Redirect::to("/?flash=password-changed").into_response())
}

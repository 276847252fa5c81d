//! Signing in and out, the language switch and the password change.

use crate::AppState;
use crate::auth::url_escape;
use crate::auth::{
    CHALLENGE_COOKIE, Caller, LANG_COOKIE, PRE_COOKIE, SESSION_COOKIE, Via, cookie, set_cookie,
};
use crate::error::AppError;
use crate::forms::{FormData, local_next};
use crate::i18n::Lang;
use crate::page::{Ctx, render};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use noguchi_app::accounts::{PasswordRefused, SignIn};
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
        SignIn::SecondFactor { challenge } => {
            // The password was right: the code comes next, within five minutes.
            let mut r =
                Redirect::to(&format!("/login/code?next={}", url_escape(&next))).into_response();
            let c = set_cookie(
                CHALLENGE_COOKIE,
                &challenge,
                Some(300),
                state.config.secure_cookies,
            );
            r.headers_mut().append(
                header::SET_COOKIE,
                HeaderValue::from_str(&c).map_err(|e| AppError::internal("cookie", e))?,
            );
            return Ok(r);
        }
        SignIn::Refused => return Ok(refuse("login-failed", StatusCode::UNAUTHORIZED)),
        SignIn::Limited => return Ok(refuse("login-limited", StatusCode::TOO_MANY_REQUESTS)),
        SignIn::Busy => return Ok(refuse("login-busy", StatusCode::TOO_MANY_REQUESTS)),
    };
    session_started(&state, &token, &next)
}

/// The answer that starts a browser session: its cookie, the pre-sign-in and challenge cookies
/// cleared, and the way on.
fn session_started(state: &AppState, token: &str, next: &str) -> Result<Response, AppError> {
    let mut r = Redirect::to(next).into_response();
    let secure = state.config.secure_cookies;
    for c in [
        set_cookie(
            SESSION_COOKIE,
            token,
            Some(state.config.session_ttl.whole_seconds()),
            secure,
        ),
        set_cookie(PRE_COOKIE, "", Some(0), secure),
        set_cookie(CHALLENGE_COOKIE, "", Some(0), secure),
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
        Err(PasswordRefused::Policy(problem)) => return Ok(fail(tr.problem("password", &problem))),
        Err(PasswordRefused::Mismatch) => return Ok(fail(tr.t("password-mismatch"))),
        Err(PasswordRefused::WrongCurrent) => return Ok(fail(tr.t("password-wrong"))),
    }
    Ok(Redirect::to("/?flash=password-changed").into_response())
}

#[derive(Template)]
#[template(path = "login_code.html")]
struct CodePage {
    ctx: Ctx,
    next: String,
    error: Option<String>,
}

/// The second step of signing in: the authenticator's code.
pub async fn code_form(
    State(state): State<AppState>,
    caller: Caller,
    Query(q): Query<NextQuery>,
) -> Response {
    let page = CodePage {
        ctx: Ctx::new(&caller, "/login/code"),
        next: local_next(q.next.as_deref()),
        error: None,
    };
    with_pre_cookie(render(&page), &caller, &state)
}

pub async fn code(
    State(state): State<AppState>,
    caller: Caller,
    headers: axum::http::HeaderMap,
    form: FormData,
) -> Result<Response, AppError> {
    let next = local_next(form.get("next").as_deref());
    let Some(challenge) = cookie(&headers, CHALLENGE_COOKIE).map(str::to_owned) else {
        return Ok(Redirect::to("/login?flash=login-code-expired").into_response());
    };
    let code = form.get("code").unwrap_or_default();
    match state
        .app
        .sign_in_second_factor(&challenge, &code, state.config.session_ttl)
        .await
    {
        Ok(SignIn::Started(session)) => session_started(&state, &session.token, &next),
        Ok(_) => Ok(Redirect::to("/login?flash=login-code-expired").into_response()),
        Err(noguchi_app::Error::Invalid(i)) => {
            let tr = crate::i18n::Tr(caller.lang);
            let mut r = render(&CodePage {
                ctx: Ctx::new(&caller, "/login/code"),
                next,
                error: i.0.first().map(|e| tr.error(e)),
            });
            *r.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
            Ok(r)
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Template)]
#[template(path = "second_factor.html")]
struct SecondFactorPage {
    ctx: Ctx,
    required: bool,
    enabled: bool,
    secret: String,
    uri: String,
    error: Option<String>,
}

fn second_factor_page(
    state: &AppState,
    caller: &Caller,
    secret: Option<String>,
    error: Option<String>,
) -> Result<Response, AppError> {
    let p = caller.principal()?;
    let fresh = state.app.new_second_factor(&caller.sight)?;
    // A refused code shows the same key again, so the app already set up keeps working.
    let (secret, uri) = match secret {
        Some(s) => {
            let uri = fresh.uri.replace(&fresh.secret, &s);
            (s, uri)
        }
        None => (fresh.secret, fresh.uri),
    };
    let failed = error.is_some();
    let mut r = render(&SecondFactorPage {
        ctx: Ctx::new(caller, "/account/second-factor"),
        required: p.must_set_up_second_factor(),
        enabled: p.second_factor,
        secret,
        uri,
        error,
    });
    if failed {
        *r.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    }
    Ok(r)
}

pub async fn second_factor_form(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Response, AppError> {
    second_factor_page(&state, &caller, None, None)
}

pub async fn enable_second_factor(
    State(state): State<AppState>,
    caller: Caller,
    form: FormData,
) -> Result<Response, AppError> {
    let secret = form.get("secret").unwrap_or_default();
    let keep = match &caller.via {
        Via::Session { token } => Some(token.as_str()),
        _ => None,
    };
    match state
        .app
        .enable_second_factor(
            &caller.sight,
            &secret,
            &form.get("code").unwrap_or_default(),
            keep,
        )
        .await
    {
        Ok(()) => Ok(Redirect::to("/?flash=second-factor-done").into_response()),
        Err(noguchi_app::Error::Invalid(i)) => {
            let tr = crate::i18n::Tr(caller.lang);
            let message = i.0.first().map(|e| tr.error(e));
            second_factor_page(&state, &caller, Some(secret), message)
        }
        Err(e) => Err(e.into()),
    }
}

pub struct TokenLine {
    pub id: String,
    pub label: String,
    pub created: String,
    pub expires: String,
    pub last_used: String,
}

#[derive(Template)]
#[template(path = "tokens.html")]
struct TokensPage {
    ctx: Ctx,
    tokens: Vec<TokenLine>,
    issued: Option<String>,
    error: Option<String>,
}

async fn tokens_page(
    state: &AppState,
    caller: &Caller,
    issued: Option<String>,
    error: Option<String>,
    flash: Option<&str>,
) -> Result<Response, AppError> {
    let day = |t: &str| t.get(..10).unwrap_or(t).to_owned();
    let tokens = state
        .app
        .own_tokens(&caller.sight)
        .await?
        .into_iter()
        .map(|t| TokenLine {
            created: day(&t.created_at),
            expires: t.expires_at.as_deref().map(day).unwrap_or_default(),
            last_used: t.last_used_at.as_deref().map(day).unwrap_or_default(),
            id: t.id,
            label: t.label,
        })
        .collect();
    let failed = error.is_some();
    let mut r = render(&TokensPage {
        ctx: Ctx::new(caller, "/account/tokens").with_flash(flash),
        tokens,
        issued,
        error,
    });
    if failed {
        *r.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    }
    Ok(r)
}

#[derive(Deserialize)]
pub struct FlashQuery {
    flash: Option<String>,
}

pub async fn tokens(
    State(state): State<AppState>,
    caller: Caller,
    Query(q): Query<FlashQuery>,
) -> Result<Response, AppError> {
    tokens_page(&state, &caller, None, None, q.flash.as_deref()).await
}

pub async fn issue_token(
    State(state): State<AppState>,
    caller: Caller,
    form: FormData,
) -> Result<Response, AppError> {
    let days = form.get("days").and_then(|d| d.trim().parse::<i64>().ok());
    match state
        .app
        .issue_own_token(&caller.sight, &form.get("label").unwrap_or_default(), days)
        .await
    {
        Ok((_, secret)) => tokens_page(&state, &caller, Some(secret), None, None).await,
        Err(noguchi_app::Error::Invalid(i)) => {
            let tr = crate::i18n::Tr(caller.lang);
            let message =
                i.0.iter()
                    .map(|e| tr.error(e))
                    .collect::<Vec<_>>()
                    .join(" ");
            tokens_page(&state, &caller, None, Some(message), None).await
        }
        Err(e) => Err(e.into()),
    }
}

pub async fn revoke_token(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    state.app.revoke_token(&caller.sight, &id).await?;
    Ok(Redirect::to("/account/tokens?flash=tokens-revoked").into_response())
}

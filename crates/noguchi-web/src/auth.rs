//! Who is calling, and whether the route lets them in.
//!
//! `enforce` runs for every matched route: it identifies the caller (bearer token or session
//! cookie), applies the route's rule from the domain's `ROUTES` table (a route missing there is
//! refused: deny by default), forces a password change on one-time credentials, and checks the
//! CSRF token of every state-changing request made with a cookie.

use crate::error::AppError;
use crate::i18n::Lang;
use crate::{AppState, random_hex};
use axum::body::{Body, to_bytes};
use axum::extract::{ConnectInfo, FromRequestParts, MatchedPath, Request, State};
use axum::http::{HeaderMap, Method, header, request::Parts};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use noguchi_app::Sight;
use noguchi_domain::access::{Principal, Refusal, route_rule};
use std::net::SocketAddr;

pub const SESSION_COOKIE: &str = "noguchi_session";
/// Double-submit token for forms sent before sign-in (the sign-in form itself).
pub const PRE_COOKIE: &str = "noguchi_pre";
pub const LANG_COOKIE: &str = "noguchi_lang";
/// The second step of signing in: the password was right, the code is still to come.
pub const CHALLENGE_COOKIE: &str = "noguchi_challenge";
pub const CSRF_FIELD: &str = "csrf";
pub const CSRF_HEADER: &str = "x-csrf-token";
/// Largest form or JSON body accepted.
pub const BODY_LIMIT: usize = 1024 * 1024;

/// How the caller proved who they are.
#[derive(Debug, Clone)]
pub enum Via {
    Anonymous,
    Session { token: String },
    Bearer,
}

/// The caller of a request, as established by `enforce`.
#[derive(Debug, Clone)]
pub struct Caller {
    pub principal: Option<Principal>,
    /// What the caller may read, from the policy: every use case takes it.
    pub sight: Sight,
    pub via: Via,
    pub lang: Lang,
    /// The token to embed in forms: the session's, or the pre-sign-in cookie's.
    pub csrf: String,
    /// A pre-sign-in token that must be set as a cookie with the response, if new.
    pub new_pre_token: Option<String>,
    /// The client's IP address, when the server knows it (for sign-in rate limits).
    pub address: Option<String>,
}

impl Caller {
    pub fn principal(&self) -> Result<&Principal, AppError> {
        self.principal.as_ref().ok_or(AppError::Unauthorized)
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Caller {
    type Rejection = AppError;
    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, AppError> {
        parts
            .extensions
            .get::<Caller>()
            .cloned()
            .ok_or_else(|| AppError::internal("auth", "handler reached without enforce"))
    }
}

pub fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|c| c.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
        .filter(|v| !v.is_empty())
}

/// Page language: the visitor's choice (cookie), Japanese otherwise. API: Accept-Language.
pub fn request_lang(headers: &HeaderMap, api: bool) -> Lang {
    if let Some(l) = cookie(headers, LANG_COOKIE).and_then(Lang::parse) {
        return l;
    }
    if api {
        Lang::from_accept_language(
            headers
                .get(header::ACCEPT_LANGUAGE)
                .and_then(|v| v.to_str().ok()),
        )
    } else {
        Lang::Ja
    }
}

/// Paths a user with one-time credentials may still reach.
const PASSWORD_CHANGE_PATHS: &[&str] = &[
    "/account/password",
    "/logout",
    "/static/{file}",
    "/lang/{lang}",
    "/healthz",
];

/// Paths a signed-in user who must set up a second factor may still reach.
const SECOND_FACTOR_PATHS: &[&str] = &[
    "/account/second-factor",
    "/account/password",
    "/logout",
    "/static/{file}",
    "/lang/{lang}",
    "/healthz",
];

pub async fn enforce(
    State(state): State<AppState>,
    matched: MatchedPath,
    req: Request,
    next: Next,
) -> Response {
    match admit(&state, matched.as_str(), req).await {
        Ok(req) => next.run(req).await,
        Err(resp) => resp,
    }
}

async fn admit(state: &AppState, route: &str, req: Request) -> Result<Request, Response> {
    let api = route.starts_with("/api/");
    let method = if req.method() == Method::HEAD {
        "GET"
    } else {
        req.method().as_str()
    };
    let Some(need) = route_rule(method, route) else {
        // A method the route does not take (reloading the page a form answered with, a GET
        // on an action) is the client's mistake: 405 naming the methods it takes. A route with
        // no rule at all is ours, and refused.
        let allowed: Vec<&str> = ["GET", "POST", "PATCH", "PUT", "DELETE"]
            .into_iter()
            .filter(|m| route_rule(m, route).is_some())
            .collect();
        if !allowed.is_empty() {
            // A page reloaded after a form answered it (a confirmation shown at the form's
            // address) goes back to the page the form was on.
            if !api && method == "GET" {
                let path = req.uri().path();
                let parent = path.rsplit_once('/').map_or("/", |(p, _)| p);
                // Never `//host`: a redirect stays on this site.
                let parent = if parent.is_empty() || parent.starts_with("//") {
                    "/"
                } else {
                    parent
                };
                return Err(Redirect::to(parent).into_response());
            }
            let mut resp = axum::http::StatusCode::METHOD_NOT_ALLOWED.into_response();
            if let Ok(v) = axum::http::HeaderValue::from_str(&allowed.join(", ")) {
                resp.headers_mut().insert(axum::http::header::ALLOW, v);
            }
            return Err(resp);
        }
        tracing::error!(method, route, "route without a rule in the access policy");
        return Err(AppError::Forbidden.into_response());
    };
    let headers = req.headers();
    let lang = request_lang(headers, api);
    let (principal, via, session_csrf) = identify(state, headers)
        .await
        .map_err(IntoResponse::into_response)?;

    match need.admits(principal.as_ref()) {
        Ok(()) => {}
        Err(Refusal::SignInRequired) if !api && method == "GET" => {
            let target = req
                .uri()
                .path_and_query()
                .map(|p| p.as_str())
                .unwrap_or("/");
            let next = if target == "/" {
                String::new()
            } else {
                format!("?next={}", url_escape(target))
            };
            return Err(Redirect::to(&format!("/login{next}")).into_response());
        }
        Err(Refusal::SignInRequired) => return Err(AppError::Unauthorized.into_response()),
        Err(Refusal::Forbidden) => return Err(AppError::Forbidden.into_response()),
    }
    if let Some(p) = &principal
        && p.must_change_password
        && !PASSWORD_CHANGE_PATHS.contains(&route)
    {
        return Err(if api || method != "GET" {
            AppError::PasswordChangeRequired.into_response()
        } else {
            Redirect::to("/account/password").into_response()
        });
    }

    // Administrators (and, where the programme says so, the secretariat) set up a second
    // factor before anything else in the browser. Scripts with a token the operator issued
    // are not asked.
    if let Some(p) = &principal
        && matches!(via, Via::Session { .. })
        && p.must_set_up_second_factor()
        && !SECOND_FACTOR_PATHS.contains(&route)
    {
        return Err(if api || method != "GET" {
            AppError::Forbidden.into_response()
        } else {
            Redirect::to("/account/second-factor").into_response()
        });
    }

    let pre = cookie(headers, PRE_COOKIE).map(str::to_owned);
    let (csrf, new_pre_token) = match (&session_csrf, &pre) {
        (Some(c), _) => (c.clone(), None),
        (None, Some(p)) => (p.clone(), None),
        (None, None) => {
            let t = random_hex(16);
            (t.clone(), Some(t))
        }
    };
    // A control character has no business in a path or a query (PostgreSQL refuses NUL): the
    // path answers "not found", a query parameter is named.
    if let Some(refusal) = control_characters_in(&req) {
        return Err(refusal.into_response());
    }
    let unsafe_method = !matches!(method, "GET" | "OPTIONS");
    // A script calling a public API operation (a guest's registration) carries no cookie: with
    // no ambient credential there is nothing to forge, and a JSON body cannot be sent across
    // sites without the browser asking first. Pages keep the check (sign-in included).
    let cookieless_api = api && session_csrf.is_none() && pre.is_none();
    let req = if unsafe_method && !matches!(via, Via::Bearer) && !cookieless_api {
        // A cookie rides along with cross-site requests; the token proves the page was ours.
        let expected = session_csrf
            .or(pre)
            .ok_or_else(|| AppError::Csrf.into_response())?;
        check_csrf(req, &expected).await?
    } else {
        req
    };
    let sight = state
        .app
        .sight(principal.as_ref())
        .await
        .map_err(|e| AppError::from(e).into_response())?;
    let mut req = req;
    let peer = req
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|ConnectInfo(a)| a.ip());
    let address =
        client_address(peer, req.headers(), &state.config.trusted_proxies).map(|ip| ip.to_string());
    req.extensions_mut().insert(Caller {
        principal,
        sight,
        via,
        lang,
        csrf,
        new_pre_token,
        address,
    });
    Ok(req)
}

async fn identify(
    state: &AppState,
    headers: &HeaderMap,
) -> Result<(Option<Principal>, Via, Option<String>), AppError> {
    if let Some(auth) = headers.get(header::AUTHORIZATION) {
        let token = auth
            .to_str()
            .ok()
            .and_then(|v| v.strip_prefix("Bearer "))
            .map(str::trim)
            .ok_or(AppError::Unauthorized)?;
        return match state.app.principal_by_token(token).await? {
            Some(p) => Ok((Some(p), Via::Bearer, None)),
            None => Err(AppError::Unauthorized),
        };
    }
    if let Some(token) = cookie(headers, SESSION_COOKIE)
        && let Some((p, csrf)) = state.app.principal_by_session(token).await?
    {
        let via = Via::Session {
            token: token.to_owned(),
        };
        return Ok((Some(p), via, Some(csrf)));
    }
    Ok((None, Via::Anonymous, None))
}

async fn check_csrf(req: Request, expected: &str) -> Result<Request, Response> {
    if let Some(h) = req.headers().get(CSRF_HEADER) {
        return if constant_time_eq(h.as_bytes(), expected.as_bytes()) {
            Ok(req)
        } else {
            Err(AppError::Csrf.into_response())
        };
    }
    // Multipart uploads carry the token in the form's action URL (the body is not buffered here).
    let in_query = req.uri().query().is_some_and(|q| {
        serde_urlencoded::from_str::<Vec<(String, String)>>(q).is_ok_and(|pairs| {
            pairs.iter().any(|(k, v)| {
                k == CSRF_FIELD && constant_time_eq(v.as_bytes(), expected.as_bytes())
            })
        })
    });
    if in_query {
        return Ok(req);
    }
    let is_form = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
    if !is_form {
        return Err(AppError::Csrf.into_response());
    }
    let (parts, body) = req.into_parts();
    let bytes = to_bytes(body, BODY_LIMIT)
        .await
        .map_err(|_| AppError::TooLarge.into_response())?;
    let fields: Vec<(String, String)> =
        serde_urlencoded::from_bytes(&bytes).map_err(|_| AppError::BadRequest.into_response())?;
    let ok = fields
        .iter()
        .any(|(k, v)| k == CSRF_FIELD && constant_time_eq(v.as_bytes(), expected.as_bytes()));
    if !ok {
        return Err(AppError::Csrf.into_response());
    }
    Ok(Request::from_parts(parts, Body::from(bytes)))
}

fn control_characters_in(req: &Request) -> Option<AppError> {
    use noguchi_domain::validation::has_control_character;
    let path = req.uri().path();
    if path.contains('%') {
        let decoded: Vec<u8> = percent_decoded(path.as_bytes());
        if has_control_character(&String::from_utf8_lossy(&decoded)) {
            return Some(AppError::NotFound);
        }
    }
    let pairs: Vec<(String, String)> =
        serde_urlencoded::from_str(req.uri().query().unwrap_or_default()).unwrap_or_default();
    pairs
        .iter()
        .find(|(k, v)| has_control_character(k) || has_control_character(v))
        .map(|(k, _)| {
            AppError::Invalid(noguchi_domain::Invalid::one(
                k.chars().filter(|c| !c.is_control()).collect::<String>(),
                noguchi_domain::Problem::ControlCharacter,
            ))
        })
}

fn percent_decoded(s: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(s.len());
    let mut i = 0;
    while i < s.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        match (
            s[i],
            s.get(i + 1).copied().and_then(hex),
            s.get(i + 2).copied().and_then(hex),
        ) {
            (b'%', Some(h), Some(l)) => {
                out.push((h * 16 + l) as u8);
                i += 3;
            }
            (b, _, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    out
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// The client's address: the peer's, or — when the peer is a trusted reverse proxy — the last
/// address in `X-Forwarded-For` that is not itself a trusted proxy (earlier entries are whatever
/// the client chose to send).
pub fn client_address(
    peer: Option<std::net::IpAddr>,
    headers: &HeaderMap,
    trusted: &[std::net::IpAddr],
) -> Option<std::net::IpAddr> {
    let peer = peer?;
    if !trusted.contains(&peer) {
        return Some(peer);
    }
    let forwarded: Vec<std::net::IpAddr> = headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .filter_map(|a| a.trim().parse().ok())
        .collect();
    Some(
        forwarded
            .into_iter()
            .rev()
            .find(|a| !trusted.contains(a))
            .unwrap_or(peer),
    )
}

pub fn url_escape(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// The `Set-Cookie` value of a cookie with the flags every Noguchi cookie carries.
pub fn set_cookie(name: &str, value: &str, max_age: Option<i64>, secure: bool) -> String {
    let mut c = format!("{name}={value}; Path=/; HttpOnly; SameSite=Lax");
    if secure {
        c.push_str("; Secure");
    }
    if let Some(age) = max_age {
        c.push_str(&format!("; Max-Age={age}"));
    }
    c
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_client_address_comes_from_a_trusted_proxy_only() {
        let proxy: std::net::IpAddr = "10.0.0.1".parse().unwrap();
        let mut h = HeaderMap::new();
        h.insert("x-forwarded-for", "1.2.3.4, 5.6.7.8".parse().unwrap());
        let client = |peer: &str, trusted: &[std::net::IpAddr]| {
            client_address(Some(peer.parse().unwrap()), &h, trusted).map(|a| a.to_string())
        };
        assert_eq!(
            client("10.0.0.1", &[]).as_deref(),
            Some("10.0.0.1"),
            "no proxy trusted"
        );
        assert_eq!(
            client("9.9.9.9", &[proxy]).as_deref(),
            Some("9.9.9.9"),
            "not the proxy"
        );
        assert_eq!(
            client("10.0.0.1", &[proxy]).as_deref(),
            Some("5.6.7.8"),
            "the hop the proxy saw, not what the client wrote first"
        );
    }

    #[test]
    fn cookies_are_read_and_written_with_flags() {
        let mut h = HeaderMap::new();
        h.insert(
            header::COOKIE,
            "a=1; noguchi_session=abc; b=2".parse().unwrap(),
        );
        assert_eq!(cookie(&h, SESSION_COOKIE), Some("abc"));
        assert_eq!(cookie(&h, "missing"), None);
        let c = set_cookie(SESSION_COOKIE, "x", None, true);
        assert!(c.contains("HttpOnly") && c.contains("SameSite=Lax") && c.contains("Secure"));
    }
}

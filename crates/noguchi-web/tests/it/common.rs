//! An in-process Noguchi for tests: a fresh database (SQLite, or PostgreSQL when
//! `NOGUCHI_TEST_POSTGRES_URL` is set), the seed programme loaded, and the real router.

use axum::Router;
use axum::body::Body;
use axum::http::{HeaderMap, Method, Request, StatusCode, header};
use http_body_util::BodyExt;
use noguchi_domain::access::{permission, system_grant};
use noguchi_domain::person::Email;
use noguchi_domain::programme::{ProgrammeDefinition, SEED_PROGRAMME};
use noguchi_storage::NewUser;
use noguchi_storage::testing::TestDb;
use noguchi_web::{AppState, WebConfig};
use serde_json::Value;
use tower::ServiceExt;

pub const PASSWORD: &str = "Correct-Horse-Battery-9";

pub struct App {
    pub db: TestDb,
    pub router: Router,
    /// The application behind the router, for use cases no route reaches (background work).
    pub core: noguchi_app::App,
    pub programme_id: String,
    /// Seed members by their position in the programme definition.
    pub city: String,
    pub chamber: String,
    pub hospital: String,
    pub university: String,
    pub foundation: String,
}

pub struct Resp {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub text: String,
}

impl Resp {
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.text).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.text))
    }
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
    pub fn cookies(&self) -> Vec<String> {
        self.headers
            .get_all(header::SET_COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .map(str::to_owned)
            .collect()
    }
    /// The value a `Set-Cookie` header gives `name`.
    pub fn cookie(&self, name: &str) -> Option<String> {
        self.cookies().iter().find_map(|c| {
            c.split(';')
                .next()?
                .strip_prefix(&format!("{name}="))
                .map(str::to_owned)
        })
    }
}

impl App {
    pub async fn new() -> Self {
        let db = TestDb::new().await;
        let def = ProgrammeDefinition::parse(SEED_PROGRAMME).unwrap();
        let programme_id = db.store.load_programme(&def).await.unwrap();
        let p = db.store.programme(&programme_id).await.unwrap();
        let member = |name: &str| {
            p.members
                .iter()
                .find(|m| m.organisation_name == name)
                .unwrap()
                .organisation_id
                .clone()
        };
        let (city, chamber, hospital) = (
            member("会津若松市"),
            member("会津若松商工会議所"),
            member("公立大学法人福島県立医科大学会津医療センター"),
        );
        let university = member("公立大学法人会津大学");
        let foundation = member("一般財団法人ふくしま医療機器産業推進機構");
        let index =
            noguchi_search::SearchIndex::in_ram(noguchi_search::Japanese::new().unwrap()).unwrap();
        let app = noguchi_app::App::new(db.store.clone(), std::sync::Arc::new(index));
        let core = app.clone();
        let state = AppState::new(app, WebConfig::default());
        let router = noguchi_web::app(state);
        Self {
            db,
            router,
            core,
            programme_id,
            city,
            chamber,
            hospital,
            university,
            foundation,
        }
    }

    /// Creates an account and returns a bearer token for it.
    pub async fn user(&self, email: &str, organisation_id: &str, admin: bool) -> String {
        let id = self.account(email, organisation_id, admin, false).await;
        self.db
            .store
            .issue_api_token(&id, "test", None)
            .await
            .unwrap()
            .1
    }

    pub async fn account(
        &self,
        email: &str,
        organisation_id: &str,
        admin: bool,
        must_change: bool,
    ) -> String {
        let hash = noguchi_app::password::hash(PASSWORD);
        self.db
            .store
            .create_user(
                &system_grant::<permission::ManageUsers>(),
                NewUser {
                    email: Email::parse(email).unwrap(),
                    name: format!("検査 {email}"),
                    organisation_id: organisation_id.into(),
                    password_hash: hash,
                    admin,
                    must_change_password: must_change,
                },
            )
            .await
            .unwrap()
            .id
    }

    pub async fn request(&self, req: Request<Body>) -> Resp {
        let resp = self.router.clone().oneshot(req).await.unwrap();
        let status = resp.status();
        let headers = resp.headers().clone();
        let bytes = resp.into_body().collect().await.unwrap().to_bytes();
        Resp {
            status,
            headers,
            text: String::from_utf8_lossy(&bytes).into_owned(),
        }
    }

    /// A JSON API call with an optional bearer token.
    pub async fn api(
        &self,
        method: &str,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
    ) -> Resp {
        let mut b = Request::builder()
            .method(Method::from_bytes(method.as_bytes()).unwrap())
            .uri(path);
        if let Some(t) = token {
            b = b.header(header::AUTHORIZATION, format!("Bearer {t}"));
        }
        let req = match body {
            Some(v) => b
                .header(header::CONTENT_TYPE, "application/json")
                .body(Body::from(v.to_string()))
                .unwrap(),
            None => b.body(Body::empty()).unwrap(),
        };
        self.request(req).await
    }

    /// A browser request with cookies; `form` is sent url-encoded.
    pub async fn browse(
        &self,
        method: &str,
        path: &str,
        cookies: &str,
        form: Option<&[(&str, &str)]>,
    ) -> Resp {
        let mut b = Request::builder()
            .method(Method::from_bytes(method.as_bytes()).unwrap())
            .uri(path);
        if !cookies.is_empty() {
            b = b.header(header::COOKIE, cookies);
        }
        let req = match form {
            Some(f) => b
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .body(Body::from(serde_urlencoded::to_string(f).unwrap()))
                .unwrap(),
            None => b.body(Body::empty()).unwrap(),
        };
        self.request(req).await
    }

    /// Signs in through the login form like a browser; returns the cookie header to send on.
    pub async fn sign_in(&self, email: &str, password: &str) -> (Resp, String) {
        let form = self.browse("GET", "/login", "", None).await;
        let pre = form
            .cookie("noguchi_pre")
            .expect("the sign-in form sets a CSRF cookie");
        let token = csrf_of(&form.text);
        let resp = self
            .browse(
                "POST",
                "/login",
                &format!("noguchi_pre={pre}"),
                Some(&[
                    ("csrf", &token),
                    ("email", email),
                    ("password", password),
                    ("next", "/"),
                ]),
            )
            .await;
        let cookie = resp
            .cookie("noguchi_session")
            .map(|s| format!("noguchi_session={s}"))
            .unwrap_or_default();
        (resp, cookie)
    }

    /// Sets up the second factor of a signed-in account through its page, as a person with an
    /// authenticator app would; returns the secret.
    pub async fn set_up_second_factor(&self, cookie: &str) -> String {
        let page = self
            .browse("GET", "/account/second-factor", cookie, None)
            .await;
        assert_eq!(page.status, 200, "{}", page.text);
        let marker = "name=\"secret\" value=\"";
        let start = page.text.find(marker).expect("the page carries the key") + marker.len();
        let secret = page.text[start..].split('"').next().unwrap().to_owned();
        let code = noguchi_app::accounts::second_factor_code(&secret, self.db.store.now()).unwrap();
        let r = self
            .browse(
                "POST",
                "/account/second-factor",
                cookie,
                Some(&[
                    ("csrf", &csrf_of(&page.text)),
                    ("secret", &secret),
                    ("code", &code),
                ]),
            )
            .await;
        assert_eq!(r.status, 303, "{}", r.text);
        secret
    }

    /// The second-factor secret of an account, as stored.
    pub async fn db_totp_secret(&self, email: &str) -> String {
        self.db
            .store
            .credentials(email)
            .await
            .unwrap()
            .and_then(|c| c.totp_secret)
            .expect("a second factor is set up")
    }

    /// A new administrator of the city, signed in past both steps.
    pub async fn sign_in_admin_fresh(&self, email: &str) -> String {
        self.account(email, &self.city, true, false).await;
        self.sign_in_admin(email, PASSWORD).await
    }

    /// Signs in an administrator (a second factor is required of them): the first time, the
    /// factor is set up; returns the cookie of a session past both steps.
    pub async fn sign_in_admin(&self, email: &str, password: &str) -> String {
        let (resp, cookie) = self.sign_in(email, password).await;
        assert_eq!(resp.status, 303, "{}", resp.text);
        self.set_up_second_factor(&cookie).await;
        cookie
    }
}

/// Percent-encodes a query value.
pub fn enc(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

impl App {
    /// A company in the directory (created by the secretariat) and a token of one of its staff.
    pub async fn firm(&self, name: &str, capabilities: &[&str], email: &str) -> (String, String) {
        let city = self.user(&format!("sec-{email}"), &self.city, false).await;
        let r = self
            .api(
                "POST",
                "/api/v1/organisations",
                Some(&city),
                Some(serde_json::json!({"name": name, "kind": "company", "in_region": true, "capabilities": capabilities})),
            )
            .await;
        assert_eq!(r.status, 201, "{}", r.text);
        let id = r.json()["id"].as_str().unwrap().to_owned();
        let token = self.user(email, &id, false).await;
        (id, token)
    }

    /// Submits a need through the API and returns its JSON.
    pub async fn need(&self, token: &str, body: Value) -> Value {
        let r = self
            .api(
                "POST",
                &format!("/api/v1/programmes/{}/needs", self.programme_id),
                Some(token),
                Some(body),
            )
            .await;
        assert_eq!(r.status, 201, "{}", r.text);
        r.json()
    }
}

/// The CSRF token embedded in a page's forms.
/// How a client proves who it is: a script's bearer token, or a browser's session cookie with
/// the CSRF token its pages carry.
#[derive(Clone)]
pub enum Auth {
    Token(String),
    Browser { cookie: String, csrf: String },
}

/// A caller of the application as a script or a browser would call it: every request carries
/// its credentials (and, from a browser, the CSRF token), and answers read as typed values.
pub struct Client<'a> {
    pub app: &'a App,
    pub auth: Auth,
}

impl App {
    /// A script of a new account in `organisation_id`, with its bearer token.
    pub async fn script(&self, email: &str, organisation_id: &str) -> Client<'_> {
        Client {
            app: self,
            auth: Auth::Token(self.user(email, organisation_id, false).await),
        }
    }

    /// A browser signed in as a new account in `organisation_id`.
    pub async fn browser(&self, email: &str, organisation_id: &str) -> Client<'_> {
        self.account(email, organisation_id, false, false).await;
        let (resp, cookie) = self.sign_in(email, PASSWORD).await;
        assert_eq!(resp.status, 303, "{}", resp.text);
        let page = self.browse("GET", "/account/password", &cookie, None).await;
        Client {
            app: self,
            auth: Auth::Browser {
                csrf: csrf_of(&page.text),
                cookie,
            },
        }
    }
}

impl Client<'_> {
    pub async fn get(&self, path: &str) -> Resp {
        match &self.auth {
            Auth::Token(t) => self.app.api("GET", path, Some(t), None).await,
            Auth::Browser { cookie, .. } => self.app.browse("GET", path, cookie, None).await,
        }
    }

    /// A JSON document the caller reads (any answer but 200 fails the test).
    pub async fn read<T: serde::de::DeserializeOwned>(&self, path: &str) -> T {
        let r = self.get(path).await;
        assert_eq!(r.status, 200, "GET {path}: {}", r.text);
        serde_json::from_str(&r.text).unwrap_or_else(|e| panic!("GET {path}: {e}: {}", r.text))
    }

    /// A JSON request (a browser sends its CSRF token in the header, as a script page would).
    pub async fn send(&self, method: &str, path: &str, body: Value) -> Resp {
        match &self.auth {
            Auth::Token(t) => self.app.api(method, path, Some(t), Some(body)).await,
            Auth::Browser { cookie, csrf } => {
                let req = Request::builder()
                    .method(Method::from_bytes(method.as_bytes()).unwrap())
                    .uri(path)
                    .header(header::COOKIE, cookie.as_str())
                    .header("x-csrf-token", csrf.as_str())
                    .header(header::CONTENT_TYPE, "application/json")
                    .body(Body::from(body.to_string()))
                    .unwrap();
                self.app.request(req).await
            }
        }
    }

    /// A form posted from a page (the CSRF field added).
    pub async fn post_form(&self, path: &str, fields: &[(&str, &str)]) -> Resp {
        let Auth::Browser { cookie, csrf } = &self.auth else {
            panic!("forms are posted by browsers");
        };
        let mut all: Vec<(&str, &str)> = vec![("csrf", csrf.as_str())];
        all.extend_from_slice(fields);
        self.app.browse("POST", path, cookie, Some(&all)).await
    }
}

pub fn csrf_of(html: &str) -> String {
    let marker = "name=\"csrf\" value=\"";
    let start = html.find(marker).expect("page has a CSRF field") + marker.len();
    html[start..].split('"').next().unwrap().to_owned()
}

/// The fields a problem+json answer names, in order.
pub fn fields(v: &Value) -> Vec<String> {
    v["errors"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|e| e["field"].as_str().unwrap().to_owned())
                .collect()
        })
        .unwrap_or_default()
}

//! The JSON API under `/api/v1`: thin handlers over the store, documented with utoipa.

pub mod audit;
pub mod council;
pub mod events;
pub mod followups;
pub mod kpi;
pub mod needs;
pub mod nomenclature;
pub mod organisations;
pub mod people;
pub mod pipelines;
pub mod programmes;
pub mod project_work;
pub mod projects;
pub mod proposals;
pub mod surveys;

use crate::AppState;
use crate::auth::{BODY_LIMIT, Caller};
use crate::error::AppError;
use axum::Json;
use axum::body::to_bytes;
use axum::extract::{FromRequest, Request, State};
use axum::http::header;
use noguchi_domain::access::Principal;
use serde::Serialize;
use serde::de::DeserializeOwned;
use utoipa::ToSchema;

/// `GET /healthz`: 200 when the database answers.
pub async fn health(State(state): State<AppState>) -> Result<&'static str, AppError> {
    state.app.ping().await?;
    Ok("ok")
}

/// A JSON request body, read with a size limit; a field of the wrong type or an unknown field is
/// reported by name.
pub struct JsonBody<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for JsonBody<T> {
    type Rejection = AppError;
    async fn from_request(req: Request, _: &S) -> Result<Self, AppError> {
        let json = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("application/json") || v.contains("+json"));
        if !json {
            return Err(AppError::BadRequest);
        }
        let bytes = to_bytes(req.into_body(), BODY_LIMIT)
            .await
            .map_err(|_| AppError::TooLarge)?;
        parse_json(&bytes).map(JsonBody)
    }
}

/// The path of the first string (or key) in a JSON document that holds a control character.
fn control_character_at(v: &serde_json::Value, path: &str) -> Option<String> {
    use noguchi_domain::validation::has_control_character;
    match v {
        serde_json::Value::String(s) if has_control_character(s) => Some(path.to_owned()),
        serde_json::Value::Array(a) => a
            .iter()
            .enumerate()
            .find_map(|(i, x)| control_character_at(x, &format!("{path}[{i}]"))),
        serde_json::Value::Object(o) => o.iter().find_map(|(k, x)| {
            let here = if path.is_empty() {
                k.clone()
            } else {
                format!("{path}.{k}")
            };
            if has_control_character(k) {
                Some(here.chars().filter(|c| !c.is_control()).collect())
            } else {
                control_character_at(x, &here)
            }
        }),
        _ => None,
    }
}

/// The kind of record an API path's body describes: its last resource name
/// (`/api/v1/programmes/{id}/needs` → `need`).
pub fn record_of(path: &str) -> Option<&'static str> {
    const KINDS: &[(&str, &str)] = &[
        ("needs", "need"),
        ("seeds", "seed"),
        ("people", "person"),
        ("organisations", "organisation"),
        ("deals", "deal"),
        ("entry-cases", "entry_case"),
        ("outcomes", "outcome"),
        ("campaigns", "campaign"),
        ("proposals", "proposal"),
        ("events", "event"),
        ("registrations", "registration"),
        ("projects", "project"),
    ];
    path.rsplit('/')
        .find_map(|seg| KINDS.iter().find(|(p, _)| *p == seg).map(|(_, k)| *k))
}

pub fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, AppError> {
    // Control characters reach a JSON string only escaped (\u0000 …): look closer only then.
    if bytes.windows(4).any(|w| w.eq_ignore_ascii_case(b"\\u00"))
        && let Ok(v) = serde_json::from_slice::<serde_json::Value>(bytes)
        && let Some(field) = control_character_at(&v, "")
    {
        return Err(AppError::Invalid(noguchi_domain::Invalid::one(
            field,
            noguchi_domain::Problem::ControlCharacter,
        )));
    }
    let de = &mut serde_json::Deserializer::from_slice(bytes);
    serde_path_to_error::deserialize(de).map_err(|e| {
        let inner = e.inner();
        if inner.classify() != serde_json::error::Category::Data {
            return AppError::BadRequest;
        }
        let message = inner.to_string();
        if let Some(rest) = message.strip_prefix("unknown field `") {
            let name = rest.split('`').next().unwrap_or_default();
            return AppError::BadField {
                field: name.to_owned(),
                unknown: true,
                scope: None,
            };
        }
        let path = e.path().to_string();
        let field = if path == "." { "body".to_owned() } else { path };
        AppError::BadField {
            field,
            unknown: false,
            scope: None,
        }
    })
}

/// A reference to an organisation inside another record.
#[derive(Debug, Serialize, ToSchema)]
pub struct OrgRef {
    pub id: String,
    pub name: String,
}

impl From<noguchi_app::sheets::rows::Named> for OrgRef {
    fn from(n: noguchi_app::sheets::rows::Named) -> Self {
        Self {
            id: n.id,
            name: n.name,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ProgrammeRolesOut {
    pub programme_id: String,
    pub roles: Vec<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Me {
    pub id: String,
    pub name: String,
    pub email: String,
    pub organisation: OrgRef,
    pub admin: bool,
    pub secretariat: bool,
    pub programmes: Vec<ProgrammeRolesOut>,
}

/// The signed-in caller.
#[utoipa::path(get, path = "/api/v1/me", tag = "account",
    responses((status = 200, body = Me), (status = 401, body = ProblemOut)))]
pub async fn me(caller: Caller) -> Result<Json<Me>, AppError> {
    let p: &Principal = caller.principal()?;
    Ok(Json(Me {
        id: p.user_id.clone(),
        name: p.name.clone(),
        email: p.email.clone(),
        organisation: OrgRef {
            id: p.organisation_id.clone(),
            name: p.organisation_name.clone(),
        },
        admin: p.admin,
        secretariat: p.is_secretariat(),
        programmes: p
            .programmes
            .iter()
            .map(|r| ProgrammeRolesOut {
                programme_id: r.programme_id.clone(),
                roles: r.roles.iter().map(|r| r.code().to_owned()).collect(),
            })
            .collect(),
    }))
}

/// An error (RFC 9457 problem details).
#[derive(Debug, Serialize, ToSchema)]
pub struct ProblemOut {
    #[serde(rename = "type")]
    pub kind: String,
    pub title: String,
    pub status: u16,
    pub detail: Option<String>,
    pub errors: Option<Vec<FieldErrorOut>>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct FieldErrorOut {
    pub field: String,
    pub message: String,
}

/// Page size of lists: default 50, at most 200.
pub fn page_limit(limit: Option<i64>) -> i64 {
    limit.unwrap_or(50).clamp(1, 200)
}

/// The secret of a personal link sent in a body (`field` names it): required, spaces trimmed.
pub fn link_secret(value: Option<String>, field: &str) -> Result<String, AppError> {
    value
        .map(|t| t.trim().to_owned())
        .filter(|t| !t.is_empty())
        .ok_or_else(|| AppError::field(field, noguchi_domain::Problem::Required))
}

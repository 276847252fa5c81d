//! The route table: every HTTP route of the web interface and what it needs before its handler
//! runs. Deny by default: the web layer refuses a matched route that is not listed here, and a
//! test fails for any registered route missing here (or listed here without a route).

use super::Principal;

/// What a route needs before its handler runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Need {
    /// Anyone, also anonymous visitors (sign-in page, health check, style sheet).
    Public,
    /// Any signed-in user; the handler makes the record-level decision with the policy functions.
    SignedIn,
    /// The secretariat of a programme (or an administrator).
    Secretariat,
    /// A system administrator.
    Admin,
}

impl Need {
    /// Whether `principal` (None: anonymous) passes this route-level rule.
    pub fn admits(self, principal: Option<&Principal>) -> Result<(), Refusal> {
        match (self, principal) {
            (Need::Public, _) => Ok(()),
            (_, None) => Err(Refusal::SignInRequired),
            (Need::SignedIn, Some(_)) => Ok(()),
            (Need::Secretariat, Some(p)) if p.is_secretariat() => Ok(()),
            (Need::Admin, Some(p)) if p.admin => Ok(()),
            (_, Some(_)) => Err(Refusal::Forbidden),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    SignInRequired,
    Forbidden,
}

/// One row of the route policy.
#[derive(Debug, Clone, Copy)]
pub struct RouteRule {
    pub method: &'static str,
    /// The path pattern exactly as the router registers it (`/api/v1/organisations/{id}`).
    pub path: &'static str,
    pub need: Need,
}

const fn rule(method: &'static str, path: &'static str, need: Need) -> RouteRule {
    RouteRule { method, path, need }
}

use Need::{Admin, Public, Secretariat, SignedIn};

/// Every route of the web interface and what it needs. Deny by default: the web layer refuses a
/// matched route that is not in this table.
pub const ROUTES: &[RouteRule] = &[
    // Infrastructure and sign-in
    rule("GET", "/healthz", Public),
    rule("GET", "/static/{file}", Public),
    rule("GET", "/api/v1/openapi.json", Public),
    rule("GET", "/login", Public),
    rule("POST", "/login", Public),
    rule("GET", "/login/code", Public),
    rule("POST", "/login/code", Public),
    rule("POST", "/logout", SignedIn),
    rule("GET", "/lang/{lang}", Public),
    rule("GET", "/account/password", SignedIn),
    rule("POST", "/account/password", SignedIn),
    rule("GET", "/account/second-factor", SignedIn),
    rule("POST", "/account/second-factor", SignedIn),
    rule("GET", "/account/tokens", SignedIn),
    rule("POST", "/account/tokens", SignedIn),
    rule("POST", "/account/tokens/{id}/revoke", SignedIn),
    // Pages
    rule("GET", "/", SignedIn),
    rule("GET", "/programmes/{id}", SignedIn),
    rule("GET", "/organisations", SignedIn),
    rule("GET", "/organisations/new", Secretariat),
    rule("POST", "/organisations", Secretariat),
    rule("GET", "/organisations/{id}", SignedIn),
    rule("GET", "/organisations/{id}/edit", SignedIn),
    rule("POST", "/organisations/{id}", SignedIn),
    rule("POST", "/organisations/{id}/delete", Secretariat),
    rule("GET", "/people", SignedIn),
    rule("GET", "/people/new", SignedIn),
    rule("POST", "/people", SignedIn),
    rule("GET", "/people/{id}", SignedIn),
    rule("GET", "/people/{id}/edit", SignedIn),
    rule("POST", "/people/{id}", SignedIn),
    rule("POST", "/people/{id}/delete", SignedIn),
    rule("GET", "/programmes/{id}/kpi", SignedIn),
    rule("GET", "/programmes/{id}/kpi/print", SignedIn),
    rule("GET", "/programmes/{id}/outcomes", SignedIn),
    rule("GET", "/programmes/{id}/outcomes/new", Secretariat),
    rule("POST", "/programmes/{id}/outcomes", Secretariat),
    rule("GET", "/programmes/{id}/outcomes/import", Secretariat),
    rule("POST", "/programmes/{id}/outcomes/import", Secretariat),
    rule("GET", "/outcomes/{id}", SignedIn),
    rule("POST", "/outcomes/{id}/verify", Secretariat),
    rule("POST", "/outcomes/{id}/reject", Secretariat),
    rule("GET", "/programmes/{id}/deals", SignedIn),
    rule("GET", "/programmes/{id}/deals/new", Secretariat),
    rule("POST", "/programmes/{id}/deals", Secretariat),
    rule("GET", "/programmes/{id}/deals/export", SignedIn),
    rule("GET", "/programmes/{id}/deals/import", Secretariat),
    rule("POST", "/programmes/{id}/deals/import", Secretariat),
    rule("GET", "/deals/{id}", SignedIn),
    rule("GET", "/deals/{id}/edit", SignedIn),
    rule("POST", "/deals/{id}", SignedIn),
    rule("POST", "/deals/{id}/stage", SignedIn),
    rule("POST", "/deals/{id}/activities", SignedIn),
    rule("GET", "/programmes/{id}/entry-cases", SignedIn),
    rule("GET", "/programmes/{id}/entry-cases/new", Secretariat),
    rule("POST", "/programmes/{id}/entry-cases", Secretariat),
    rule("GET", "/programmes/{id}/entry-cases/export", SignedIn),
    rule("GET", "/programmes/{id}/entry-cases/import", Secretariat),
    rule("POST", "/programmes/{id}/entry-cases/import", Secretariat),
    rule("GET", "/entry-cases/{id}", SignedIn),
    rule("POST", "/entry-cases/{id}/stage", SignedIn),
    rule("POST", "/entry-cases/{id}/activities", SignedIn),
    rule("POST", "/entry-cases/{id}/consultations", SignedIn),
    rule("GET", "/my-work", SignedIn),
    rule("GET", "/search", SignedIn),
    // The needs catalogue and a need's page are open to visitors without an account: the
    // handlers show them the public needs only (audience `public`).
    rule("GET", "/needs", Public),
    rule("GET", "/programmes/{id}/needs", Public),
    rule("GET", "/programmes/{id}/needs/new", SignedIn),
    rule("POST", "/programmes/{id}/needs", SignedIn),
    rule("GET", "/programmes/{id}/needs/export", SignedIn),
    rule("GET", "/programmes/{id}/needs/import", SignedIn),
    rule("POST", "/programmes/{id}/needs/import", SignedIn),
    rule("GET", "/programmes/{id}/needs/for-me", SignedIn),
    rule("GET", "/programmes/{id}/ndas", Secretariat),
    rule("GET", "/needs/{id}", Public),
    rule("GET", "/needs/{id}/edit", SignedIn),
    rule("POST", "/needs/{id}", SignedIn),
    rule("POST", "/needs/{id}/status", SignedIn),
    rule("POST", "/needs/{id}/release", SignedIn),
    rule("POST", "/needs/{id}/scores", SignedIn),
    rule("POST", "/needs/{id}/ndas", SignedIn),
    rule(
        "POST",
        "/needs/{id}/ndas/{organisation_id}/revoke",
        SignedIn,
    ),
    rule("POST", "/needs/{id}/proposals", SignedIn),
    rule("GET", "/programmes/{id}/seeds", SignedIn),
    rule("GET", "/programmes/{id}/seeds/new", SignedIn),
    rule("POST", "/programmes/{id}/seeds", SignedIn),
    rule("GET", "/seeds/{id}", SignedIn),
    rule("GET", "/seeds/{id}/edit", SignedIn),
    rule("POST", "/seeds/{id}", SignedIn),
    rule("GET", "/programmes/{id}/campaigns", SignedIn),
    rule("GET", "/programmes/{id}/campaigns/new", SignedIn),
    rule("POST", "/programmes/{id}/campaigns", SignedIn),
    rule("GET", "/campaigns/{id}", SignedIn),
    rule("GET", "/campaigns/{id}/edit", SignedIn),
    rule("POST", "/campaigns/{id}", SignedIn),
    rule("POST", "/campaigns/{id}/link", SignedIn),
    // A survey campaign's form: the link is the credential (see `access::answer_survey`).
    rule("GET", "/survey/{token}", Public),
    rule("POST", "/survey/{token}", Public),
    rule("GET", "/programmes/{id}/events", SignedIn),
    rule("GET", "/programmes/{id}/network", SignedIn),
    rule("GET", "/programmes/{id}/activity", SignedIn),
    rule("GET", "/programmes/{id}/events/new", SignedIn),
    rule("POST", "/programmes/{id}/events", SignedIn),
    // An event's page and registration: a public event takes guests (see
    // `access::register_guest`); the use case answers "not found" for any other.
    rule("GET", "/events/{id}", Public),
    rule("POST", "/events/{id}/register", Public),
    rule("GET", "/events/{id}/desk", SignedIn),
    rule("GET", "/events/{id}/registrations/export", SignedIn),
    rule("GET", "/events/{id}/badges", SignedIn),
    rule("GET", "/events/{id}/attendance/import", SignedIn),
    rule("POST", "/events/{id}/attendance/import", SignedIn),
    rule("GET", "/events/{id}/followup", SignedIn),
    rule("POST", "/events/{id}/followup", SignedIn),
    rule("GET", "/events/{id}/followup/export", SignedIn),
    rule("GET", "/events/{id}/matches", SignedIn),
    rule("POST", "/registrations/{id}/link", SignedIn),
    rule("POST", "/registrations/{id}/new-organisation", SignedIn),
    // A follow-up link: its secret is the credential (`access::answer_followup`).
    rule("GET", "/programmes/{id}/introductions", SignedIn),
    rule("GET", "/followup/{token}", Public),
    rule("POST", "/followup/{token}", Public),
    rule("POST", "/registrations/{id}/check-in", SignedIn),
    rule("POST", "/registrations/{id}/cancel", SignedIn),
    // A registration's personal link: its secret is the credential (`access::cancel_with_link`).
    rule("GET", "/registrations/manage/{token}", Public),
    rule("POST", "/registrations/manage/{token}/cancel", Public),
    rule("POST", "/registrations/manage/{token}/change", Public),
    rule("GET", "/programmes/{id}/proposals", SignedIn),
    rule("GET", "/proposals/{id}", SignedIn),
    rule("POST", "/proposals/{id}/status", SignedIn),
    rule("GET", "/audit", Secretariat),
    rule("GET", "/users", Admin),
    rule("POST", "/users", Admin),
    rule("POST", "/users/{id}/disable", Admin),
    // JSON API
    rule("GET", "/api/v1/me", SignedIn),
    rule("GET", "/api/v1/programmes", SignedIn),
    rule("GET", "/api/v1/programmes/{id}", SignedIn),
    rule("GET", "/api/v1/organisations", SignedIn),
    rule("POST", "/api/v1/organisations", Secretariat),
    rule("GET", "/api/v1/organisations/{id}", SignedIn),
    rule("PATCH", "/api/v1/organisations/{id}", SignedIn),
    rule("DELETE", "/api/v1/organisations/{id}", Secretariat),
    rule("GET", "/api/v1/people", SignedIn),
    rule("POST", "/api/v1/people", SignedIn),
    rule("GET", "/api/v1/people/{id}", SignedIn),
    rule("PATCH", "/api/v1/people/{id}", SignedIn),
    rule("DELETE", "/api/v1/people/{id}", SignedIn),
    rule("GET", "/api/v1/audit", Secretariat),
    rule("GET", "/api/v1/programmes/{id}/needs", SignedIn),
    rule("POST", "/api/v1/programmes/{id}/needs", SignedIn),
    rule("GET", "/api/v1/needs/{id}", SignedIn),
    rule("PATCH", "/api/v1/needs/{id}", SignedIn),
    rule("POST", "/api/v1/needs/{id}/release", SignedIn),
    rule("POST", "/api/v1/needs/{id}/ndas", SignedIn),
    rule("GET", "/api/v1/needs/{id}/matches", SignedIn),
    rule("GET", "/api/v1/needs/{id}/ndas", SignedIn),
    rule(
        "DELETE",
        "/api/v1/needs/{id}/ndas/{organisation_id}",
        SignedIn,
    ),
    rule("POST", "/api/v1/needs/{id}/status", SignedIn),
    rule("GET", "/api/v1/needs/{id}/history", SignedIn),
    rule("GET", "/api/v1/needs/{id}/scores", SignedIn),
    rule("POST", "/api/v1/needs/{id}/scores", SignedIn),
    rule("GET", "/api/v1/programmes/{id}/needs/for-me", SignedIn),
    rule("POST", "/api/v1/programmes/{id}/needs/import", SignedIn),
    rule("GET", "/api/v1/programmes/{id}/campaigns", SignedIn),
    rule("POST", "/api/v1/programmes/{id}/campaigns", SignedIn),
    rule("GET", "/api/v1/campaigns/{id}", SignedIn),
    rule("PATCH", "/api/v1/campaigns/{id}", SignedIn),
    rule("POST", "/api/v1/campaigns/{id}/link", SignedIn),
    rule("GET", "/api/v1/programmes/{id}/events", Public),
    rule("POST", "/api/v1/programmes/{id}/events", SignedIn),
    rule("GET", "/api/v1/events/{id}", Public),
    rule("PATCH", "/api/v1/events/{id}", SignedIn),
    rule("GET", "/api/v1/events/{id}/registrations", SignedIn),
    rule("POST", "/api/v1/events/{id}/registrations", Public),
    rule("POST", "/api/v1/registrations/cancel", Public),
    rule("POST", "/api/v1/registrations/change", Public),
    rule("GET", "/api/v1/registrations/{id}", SignedIn),
    rule("PATCH", "/api/v1/registrations/{id}", SignedIn),
    rule("POST", "/api/v1/registrations/{id}/cancel", SignedIn),
    rule("POST", "/api/v1/registrations/{id}/check-in", SignedIn),
    rule("POST", "/api/v1/events/{id}/attendance/import", SignedIn),
    rule("GET", "/api/v1/events/{id}/followup", SignedIn),
    rule("POST", "/api/v1/events/{id}/followup", SignedIn),
    rule("POST", "/api/v1/followup", Public),
    rule("GET", "/api/v1/events/{id}/matches", SignedIn),
    rule("GET", "/api/v1/programmes/{id}/introductions", SignedIn),
    // Projects are confidential: the use cases answer 404 to anyone but their members, the
    // secretariat and the project-management role.
    rule("GET", "/api/v1/programmes/{id}/projects", SignedIn),
    rule("POST", "/api/v1/programmes/{id}/projects", SignedIn),
    rule("GET", "/api/v1/projects/{id}", SignedIn),
    rule("PATCH", "/api/v1/projects/{id}", SignedIn),
    rule("POST", "/api/v1/projects/{id}/members", SignedIn),
    rule("POST", "/api/v1/projects/{id}/stage", SignedIn),
    rule("GET", "/api/v1/projects/{id}/pathway", SignedIn),
    rule("POST", "/api/v1/projects/{id}/clearances", SignedIn),
    rule("GET", "/api/v1/programmes/{id}/activity", SignedIn),
    rule("GET", "/api/v1/programmes/{id}/network", SignedIn),
    rule("GET", "/api/v1/programmes/{id}/proposals", SignedIn),
    rule("POST", "/api/v1/needs/{id}/proposals", SignedIn),
    rule("GET", "/api/v1/proposals/{id}", SignedIn),
    rule("GET", "/api/v1/proposals/{id}/history", SignedIn),
    rule("POST", "/api/v1/proposals/{id}/status", SignedIn),
    rule("GET", "/api/v1/programmes/{id}/seeds", SignedIn),
    rule("POST", "/api/v1/programmes/{id}/seeds", SignedIn),
    rule("GET", "/api/v1/seeds/{id}", SignedIn),
    rule("PATCH", "/api/v1/seeds/{id}", SignedIn),
    rule("GET", "/api/v1/search", SignedIn),
    rule("GET", "/api/v1/programmes/{id}/outcomes", SignedIn),
    rule("POST", "/api/v1/programmes/{id}/outcomes", Secretariat),
    rule(
        "POST",
        "/api/v1/programmes/{id}/outcomes/import",
        Secretariat,
    ),
    rule("GET", "/api/v1/outcomes/{id}", SignedIn),
    rule("PATCH", "/api/v1/outcomes/{id}", Secretariat),
    rule("POST", "/api/v1/outcomes/{id}/verify", Secretariat),
    rule("POST", "/api/v1/outcomes/{id}/reject", Secretariat),
    rule("GET", "/api/v1/programmes/{id}/deals", SignedIn),
    rule("POST", "/api/v1/programmes/{id}/deals", Secretariat),
    rule("POST", "/api/v1/programmes/{id}/deals/import", Secretariat),
    rule("GET", "/api/v1/deals/{id}", SignedIn),
    rule("PATCH", "/api/v1/deals/{id}", SignedIn),
    rule("POST", "/api/v1/deals/{id}/stage", SignedIn),
    rule("POST", "/api/v1/deals/{id}/activities", SignedIn),
    rule("GET", "/api/v1/programmes/{id}/entry-cases", SignedIn),
    rule("POST", "/api/v1/programmes/{id}/entry-cases", Secretariat),
    rule(
        "POST",
        "/api/v1/programmes/{id}/entry-cases/import",
        Secretariat,
    ),
    rule("GET", "/api/v1/entry-cases/{id}", SignedIn),
    rule("PATCH", "/api/v1/entry-cases/{id}", SignedIn),
    rule("POST", "/api/v1/entry-cases/{id}/stage", SignedIn),
    rule("POST", "/api/v1/entry-cases/{id}/activities", SignedIn),
    rule("POST", "/api/v1/entry-cases/{id}/consultations", SignedIn),
    rule("GET", "/api/v1/programmes/{id}/kpi", SignedIn),
    rule("GET", "/api/v1/programmes/{id}/kpi.xlsx", SignedIn),
];

/// The rule for a registered route, or `None` (which the web layer treats as "refuse").
pub fn route_rule(method: &str, path: &str) -> Option<Need> {
    ROUTES
        .iter()
        .find(|r| r.method == method && r.path == path)
        .map(|r| r.need)
}

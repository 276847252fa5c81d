//! The route table. Routes are added only through [`Routes`], which records each one, so a test
//! can compare the router against the domain's access policy (`noguchi_domain::access::ROUTES`).

use crate::{AppState, api, auth, openapi, page, pages};
use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::handler::Handler;
use axum::middleware::{from_fn, from_fn_with_state};
use axum::routing::{MethodFilter, on};
use noguchi_app::pipelines::{Deals, EntryCases};

struct Routes {
    router: Router<AppState>,
    registered: Vec<(&'static str, &'static str)>,
}

impl Routes {
    fn add<H, T>(mut self, method: &'static str, path: &'static str, handler: H) -> Self
    where
        H: Handler<T, AppState>,
        T: 'static,
    {
        let filter = match method {
            "GET" => MethodFilter::GET,
            "POST" => MethodFilter::POST,
            "PATCH" => MethodFilter::PATCH,
            "DELETE" => MethodFilter::DELETE,
            other => panic!("unsupported method {other}"),
        };
        self.router = self.router.route(path, on(filter, handler));
        self.registered.push((method, path));
        self
    }
    fn get<H: Handler<T, AppState>, T: 'static>(self, path: &'static str, h: H) -> Self {
        self.add("GET", path, h)
    }
    fn post<H: Handler<T, AppState>, T: 'static>(self, path: &'static str, h: H) -> Self {
        self.add("POST", path, h)
    }
    fn patch<H: Handler<T, AppState>, T: 'static>(self, path: &'static str, h: H) -> Self {
        self.add("PATCH", path, h)
    }
    /// A POST that takes a file: a body up to the attachment limit, where every other route
    /// keeps the small one.
    fn upload<H: Handler<T, AppState>, T: 'static>(self, path: &'static str, h: H) -> Self {
        self.add(
            "POST",
            path,
            h.layer(DefaultBodyLimit::max(crate::upload::UPLOAD_LIMIT)),
        )
    }
    fn delete<H: Handler<T, AppState>, T: 'static>(self, path: &'static str, h: H) -> Self {
        self.add("DELETE", path, h)
    }
}

fn routes() -> Routes {
    Routes {
        router: Router::new(),
        registered: Vec::new(),
    }
    .get("/healthz", api::health)
    .get("/static/{file}", pages::static_file)
    .get("/api/v1/openapi.json", openapi::serve)
    .get("/login", pages::account::login_form)
    .post("/login", pages::account::login)
    .get("/login/code", pages::account::code_form)
    .post("/login/code", pages::account::code)
    .post("/logout", pages::account::logout)
    .get("/lang/{lang}", pages::account::switch_lang)
    .get("/account/password", pages::account::password_form)
    .post("/account/password", pages::account::change_password)
    .get("/account/second-factor", pages::account::second_factor_form)
    .post(
        "/account/second-factor",
        pages::account::enable_second_factor,
    )
    .get("/account/tokens", pages::account::tokens)
    .post("/account/tokens", pages::account::issue_token)
    .post("/account/tokens/{id}/revoke", pages::account::revoke_token)
    .get("/", pages::home::index)
    .get("/programmes/{id}", pages::home::programme)
    .get("/organisations", pages::organisations::list)
    .get("/organisations/new", pages::organisations::new_form)
    .post("/organisations", pages::organisations::create)
    .get("/organisations/{id}", pages::organisations::show)
    .get("/organisations/{id}/edit", pages::organisations::edit_form)
    .post("/organisations/{id}", pages::organisations::update)
    .post("/organisations/{id}/delete", pages::organisations::delete)
    .get("/people", pages::people::list)
    .get("/people/new", pages::people::new_form)
    .post("/people", pages::people::create)
    .get("/people/{id}", pages::people::show)
    .get("/people/{id}/edit", pages::people::edit_form)
    .post("/people/{id}", pages::people::update)
    .post("/people/{id}/delete", pages::people::delete)
    .get("/programmes/{id}/kpi", pages::kpi::show)
    .get("/programmes/{id}/kpi/print", pages::kpi::print)
    .get("/programmes/{id}/outcomes", pages::kpi::list)
    .get("/programmes/{id}/outcomes/new", pages::kpi::new_form)
    .post("/programmes/{id}/outcomes", pages::kpi::create)
    .get("/programmes/{id}/outcomes/import", pages::kpi::import_form)
    .post("/programmes/{id}/outcomes/import", pages::kpi::import)
    .get("/outcomes/{id}", pages::kpi::show_outcome)
    .post("/outcomes/{id}/verify", pages::kpi::verify)
    .post("/outcomes/{id}/reject", pages::kpi::reject)
    .get("/programmes/{id}/deals", pages::pipelines::board::<Deals>)
    .get(
        "/programmes/{id}/deals/new",
        pages::pipelines::new_form::<Deals>,
    )
    .post("/programmes/{id}/deals", pages::pipelines::create::<Deals>)
    .get(
        "/programmes/{id}/deals/export",
        pages::pipelines::export::<Deals>,
    )
    .get(
        "/programmes/{id}/deals/import",
        pages::pipelines::import_form::<Deals>,
    )
    .post(
        "/programmes/{id}/deals/import",
        pages::pipelines::import::<Deals>,
    )
    .get("/deals/{id}", pages::pipelines::detail::<Deals>)
    .get("/deals/{id}/edit", pages::pipelines::edit_form::<Deals>)
    .post("/deals/{id}", pages::pipelines::update::<Deals>)
    .post("/deals/{id}/stage", pages::pipelines::move_to::<Deals>)
    .post(
        "/deals/{id}/activities",
        pages::pipelines::add_activity::<Deals>,
    )
    .get(
        "/programmes/{id}/entry-cases",
        pages::pipelines::board::<EntryCases>,
    )
    .get(
        "/programmes/{id}/entry-cases/new",
        pages::pipelines::new_form::<EntryCases>,
    )
    .post(
        "/programmes/{id}/entry-cases",
        pages::pipelines::create::<EntryCases>,
    )
    .get(
        "/programmes/{id}/entry-cases/export",
        pages::pipelines::export::<EntryCases>,
    )
    .get(
        "/programmes/{id}/entry-cases/import",
        pages::pipelines::import_form::<EntryCases>,
    )
    .post(
        "/programmes/{id}/entry-cases/import",
        pages::pipelines::import::<EntryCases>,
    )
    .get("/entry-cases/{id}", pages::pipelines::detail::<EntryCases>)
    .post(
        "/entry-cases/{id}/stage",
        pages::pipelines::move_to::<EntryCases>,
    )
    .post(
        "/entry-cases/{id}/activities",
        pages::pipelines::add_activity::<EntryCases>,
    )
    .post(
        "/entry-cases/{id}/consultations",
        pages::pipelines::add_consultation,
    )
    .get("/my-work", pages::pipelines::my_work)
    .get("/search", pages::search::search)
    .get("/needs", pages::needs::entry)
    .get("/programmes/{id}/needs", pages::needs::list)
    .get("/programmes/{id}/needs/new", pages::needs::form::new_form)
    .post("/programmes/{id}/needs", pages::needs::form::create)
    .get("/programmes/{id}/needs/export", pages::needs::export)
    .get(
        "/programmes/{id}/needs/import",
        pages::needs::import::import_form,
    )
    .post(
        "/programmes/{id}/needs/import",
        pages::needs::import::import,
    )
    .get("/programmes/{id}/needs/for-me", pages::needs::for_me)
    .get("/programmes/{id}/ndas", pages::needs::nda_register)
    .get("/needs/{id}", pages::needs::need::show)
    .get("/needs/{id}/edit", pages::needs::form::edit_form)
    .post("/needs/{id}", pages::needs::form::update)
    .post("/needs/{id}/status", pages::needs::need::move_status)
    .post("/needs/{id}/release", pages::needs::need::release)
    .post("/needs/{id}/scores", pages::needs::need::score)
    .post("/needs/{id}/ndas", pages::needs::need::record_nda)
    .post(
        "/needs/{id}/ndas/{organisation_id}/revoke",
        pages::needs::need::revoke_nda,
    )
    .post("/needs/{id}/proposals", pages::needs::need::propose)
    .get("/programmes/{id}/seeds", pages::seeds::list)
    .get("/programmes/{id}/seeds/new", pages::seeds::new_form)
    .post("/programmes/{id}/seeds", pages::seeds::create)
    .get("/seeds/{id}", pages::seeds::show)
    .get("/seeds/{id}/edit", pages::seeds::edit_form)
    .post("/seeds/{id}", pages::seeds::update)
    .get("/programmes/{id}/campaigns", pages::surveys::list)
    .get("/programmes/{id}/campaigns/new", pages::surveys::new_form)
    .post("/programmes/{id}/campaigns", pages::surveys::create)
    .get("/campaigns/{id}", pages::surveys::show)
    .get("/campaigns/{id}/edit", pages::surveys::edit_form)
    .post("/campaigns/{id}", pages::surveys::update)
    .post("/campaigns/{id}/link", pages::surveys::change_link)
    .get("/survey/{token}", pages::surveys::survey_form)
    .post("/survey/{token}", pages::surveys::survey_answer)
    .get("/programmes/{id}/events", pages::events::list)
    .get("/programmes/{id}/network", pages::network::network)
    .get("/programmes/{id}/activity", pages::network::activity)
    .get(
        "/programmes/{id}/introductions",
        pages::network::introductions,
    )
    .get("/programmes/{id}/events/new", pages::events::new_form)
    .post("/programmes/{id}/events", pages::events::create)
    .get("/events/{id}", pages::events::show)
    .post("/events/{id}/register", pages::events::register)
    .get("/events/{id}/desk", pages::events::desk)
    .get("/events/{id}/registrations/export", pages::events::export)
    .get("/events/{id}/badges", pages::events::badges)
    .get(
        "/events/{id}/attendance/import",
        pages::events::attendance_form,
    )
    .post(
        "/events/{id}/attendance/import",
        pages::events::attendance_import,
    )
    .get("/events/{id}/followup", pages::followups::results)
    .post("/events/{id}/followup", pages::followups::send)
    .get("/events/{id}/followup/export", pages::followups::export)
    .get("/events/{id}/matches", pages::followups::matches)
    .post("/registrations/{id}/link", pages::followups::link)
    .post(
        "/registrations/{id}/new-organisation",
        pages::followups::new_organisation,
    )
    .get("/followup/{token}", pages::followups::answer_form)
    .post("/followup/{token}", pages::followups::answer)
    .post("/registrations/{id}/check-in", pages::events::check_in)
    .post("/registrations/{id}/cancel", pages::events::cancel)
    .get("/registrations/manage/{token}", pages::events::manage)
    .post(
        "/registrations/manage/{token}/change",
        pages::events::manage_change,
    )
    .post(
        "/registrations/manage/{token}/cancel",
        pages::events::manage_cancel,
    )
    .get("/programmes/{id}/proposals", pages::proposals::list)
    .get("/proposals/{id}", pages::proposals::show)
    .post("/proposals/{id}/status", pages::proposals::move_status)
    .get("/audit", pages::audit::list)
    .get("/users", pages::users::list)
    .post("/users", pages::users::create)
    .post("/users/{id}/disable", pages::users::disable)
    .get("/api/v1/me", api::me)
    .get("/api/v1/programmes", api::programmes::list)
    .get("/api/v1/programmes/{id}", api::programmes::show)
    .get("/api/v1/organisations", api::organisations::list)
    .post("/api/v1/organisations", api::organisations::create)
    .get("/api/v1/organisations/{id}", api::organisations::show)
    .patch("/api/v1/organisations/{id}", api::organisations::update)
    .delete("/api/v1/organisations/{id}", api::organisations::delete)
    .get("/api/v1/people", api::people::list)
    .post("/api/v1/people", api::people::create)
    .get("/api/v1/people/{id}", api::people::show)
    .patch("/api/v1/people/{id}", api::people::update)
    .delete("/api/v1/people/{id}", api::people::delete)
    .get("/api/v1/audit", api::audit::list)
    .get("/api/v1/programmes/{id}/needs", api::needs::list)
    .post("/api/v1/programmes/{id}/needs", api::needs::create)
    .get("/api/v1/needs/{id}", api::needs::show)
    .patch("/api/v1/needs/{id}", api::needs::update)
    .post("/api/v1/needs/{id}/release", api::needs::release)
    .post("/api/v1/needs/{id}/ndas", api::needs::ndas::record_nda)
    .get("/api/v1/needs/{id}/matches", api::needs::matches::matches)
    .get("/api/v1/needs/{id}/ndas", api::needs::ndas::list_ndas)
    .delete(
        "/api/v1/needs/{id}/ndas/{organisation_id}",
        api::needs::ndas::revoke_nda,
    )
    .post("/api/v1/needs/{id}/status", api::needs::move_status)
    .get("/api/v1/needs/{id}/history", api::needs::history)
    .get("/api/v1/needs/{id}/scores", api::needs::scores::scores)
    .post("/api/v1/needs/{id}/scores", api::needs::scores::score)
    .get(
        "/api/v1/programmes/{id}/needs/for-me",
        api::needs::matches::needs_for_me,
    )
    .post(
        "/api/v1/programmes/{id}/needs/import",
        api::needs::import::import_needs,
    )
    .get("/api/v1/programmes/{id}/campaigns", api::surveys::list)
    .post("/api/v1/programmes/{id}/campaigns", api::surveys::create)
    .get("/api/v1/campaigns/{id}", api::surveys::show)
    .patch("/api/v1/campaigns/{id}", api::surveys::update)
    .post("/api/v1/campaigns/{id}/link", api::surveys::change_link)
    .get("/api/v1/programmes/{id}/events", api::events::list)
    .post("/api/v1/programmes/{id}/events", api::events::create)
    .get("/api/v1/events/{id}", api::events::show)
    .patch("/api/v1/events/{id}", api::events::update)
    .get(
        "/api/v1/events/{id}/registrations",
        api::events::registrations,
    )
    .post("/api/v1/events/{id}/registrations", api::events::register)
    .post(
        "/api/v1/registrations/cancel",
        api::events::cancel_with_token,
    )
    .post(
        "/api/v1/registrations/change",
        api::events::change_with_token,
    )
    .get("/api/v1/registrations/{id}", api::events::show_registration)
    .patch(
        "/api/v1/registrations/{id}",
        api::events::update_registration,
    )
    .post("/api/v1/registrations/{id}/cancel", api::events::cancel)
    .post("/api/v1/registrations/{id}/check-in", api::events::check_in)
    .post(
        "/api/v1/events/{id}/attendance/import",
        api::events::import_attendance,
    )
    .get(
        "/api/v1/events/{id}/followup",
        api::followups::followup_answers,
    )
    .post(
        "/api/v1/events/{id}/followup",
        api::followups::send_followups,
    )
    .post("/api/v1/followup", api::followups::answer_followup)
    .get("/api/v1/events/{id}/matches", api::followups::matches)
    .get(
        "/api/v1/programmes/{id}/introductions",
        api::followups::introductions,
    )
    .get("/api/v1/programmes/{id}/projects", api::projects::list)
    .post("/api/v1/programmes/{id}/projects", api::projects::create)
    .get("/api/v1/projects/{id}", api::projects::show)
    .patch("/api/v1/projects/{id}", api::projects::update)
    .post("/api/v1/projects/{id}/members", api::projects::add_member)
    .post("/api/v1/projects/{id}/stage", api::projects::move_stage)
    .get("/api/v1/projects/{id}/pathway", api::projects::pathway)
    .post(
        "/api/v1/projects/{id}/clearances",
        api::projects::add_clearance,
    )
    .get("/api/v1/projects/{id}/reviews", api::project_work::reviews)
    .post(
        "/api/v1/projects/{id}/reviews",
        api::project_work::add_review,
    )
    .get("/api/v1/projects/{id}/grants", api::project_work::grants)
    .post("/api/v1/projects/{id}/grants", api::project_work::add_grant)
    .patch("/api/v1/grants/{id}", api::project_work::update_grant)
    .post(
        "/api/v1/grants/{id}/reports",
        api::project_work::mark_report,
    )
    .get(
        "/api/v1/projects/{id}/attachments",
        api::project_work::attachments,
    )
    .upload(
        "/api/v1/projects/{id}/attachments",
        api::project_work::upload,
    )
    .get("/api/v1/attachments/{id}", api::project_work::download)
    .get("/api/v1/nomenclature", api::nomenclature::list)
    .upload("/api/v1/nomenclature", api::nomenclature::import)
    .get("/admin/nomenclature", pages::nomenclature::show)
    .upload("/admin/nomenclature", pages::nomenclature::import)
    .get("/programmes/{id}/projects", pages::projects::list)
    .get("/programmes/{id}/projects/new", pages::projects::new_form)
    .post("/programmes/{id}/projects", pages::projects::create)
    .get("/programmes/{id}/projects/export", pages::projects::export)
    .get("/projects/{id}", pages::projects::show)
    .get("/projects/{id}/edit", pages::projects::edit_form)
    .post("/projects/{id}", pages::projects::update)
    .get("/projects/{id}/summary", pages::projects::summary)
    .post("/projects/{id}/members", pages::projects::add_member)
    .post("/projects/{id}/stage", pages::projects::move_stage)
    .post("/projects/{id}/reviews", pages::projects::add_review)
    .post("/projects/{id}/grants", pages::projects::add_grant)
    .post("/grants/{id}/reports", pages::projects::mark_report)
    .post("/projects/{id}/clearances", pages::projects::add_clearance)
    .upload("/projects/{id}/attachments", pages::projects::upload)
    .get("/attachments/{id}", pages::projects::download)
    .get("/api/v1/programmes/{id}/activity", api::events::activity)
    .get("/api/v1/programmes/{id}/network", api::events::network)
    .get("/api/v1/programmes/{id}/proposals", api::proposals::list)
    .post("/api/v1/needs/{id}/proposals", api::proposals::create)
    .get("/api/v1/proposals/{id}", api::proposals::show)
    .get("/api/v1/proposals/{id}/history", api::proposals::history)
    .post("/api/v1/proposals/{id}/status", api::proposals::move_status)
    .get(
        "/api/v1/programmes/{id}/seeds",
        api::needs::seeds::list_seeds,
    )
    .post(
        "/api/v1/programmes/{id}/seeds",
        api::needs::seeds::create_seed,
    )
    .get("/api/v1/seeds/{id}", api::needs::seeds::show_seed)
    .patch("/api/v1/seeds/{id}", api::needs::seeds::update_seed)
    .get("/api/v1/search", api::needs::search::search)
    .get("/api/v1/programmes/{id}/outcomes", api::kpi::list)
    .post("/api/v1/programmes/{id}/outcomes", api::kpi::create)
    .post(
        "/api/v1/programmes/{id}/outcomes/import",
        api::kpi::import_outcomes,
    )
    .get("/api/v1/outcomes/{id}", api::kpi::show)
    .patch("/api/v1/outcomes/{id}", api::kpi::update)
    .post("/api/v1/outcomes/{id}/verify", api::kpi::verify)
    .post("/api/v1/outcomes/{id}/reject", api::kpi::reject)
    .get("/api/v1/programmes/{id}/deals", api::pipelines::list_deals)
    .post("/api/v1/programmes/{id}/deals", api::pipelines::create_deal)
    .post(
        "/api/v1/programmes/{id}/deals/import",
        api::pipelines::import_deals,
    )
    .get("/api/v1/deals/{id}", api::pipelines::show_deal)
    .patch("/api/v1/deals/{id}", api::pipelines::update_deal)
    .post("/api/v1/deals/{id}/stage", api::pipelines::move_deal)
    .post(
        "/api/v1/deals/{id}/activities",
        api::pipelines::deal_activity,
    )
    .get(
        "/api/v1/programmes/{id}/entry-cases",
        api::pipelines::list_cases,
    )
    .post(
        "/api/v1/programmes/{id}/entry-cases",
        api::pipelines::create_case,
    )
    .post(
        "/api/v1/programmes/{id}/entry-cases/import",
        api::pipelines::import_cases,
    )
    .get("/api/v1/entry-cases/{id}", api::pipelines::show_case)
    .patch("/api/v1/entry-cases/{id}", api::pipelines::update_case)
    .post("/api/v1/entry-cases/{id}/stage", api::pipelines::move_case)
    .post(
        "/api/v1/entry-cases/{id}/activities",
        api::pipelines::case_activity,
    )
    .post(
        "/api/v1/entry-cases/{id}/consultations",
        api::pipelines::case_consultation,
    )
    .get("/api/v1/programmes/{id}/kpi", api::kpi::show_kpi)
    .get("/api/v1/programmes/{id}/kpi.xlsx", api::kpi::kpi_xlsx)
    .get(
        "/api/v1/programmes/{id}/targets",
        api::kpi::target_revisions,
    )
    .post("/api/v1/programmes/{id}/targets", api::kpi::revise_target)
    .get("/api/v1/programmes/{id}/meetings", api::council::list)
    .post("/api/v1/programmes/{id}/meetings", api::council::create)
    .get("/api/v1/meetings/{id}", api::council::show)
    .patch("/api/v1/meetings/{id}", api::council::update)
    .post("/api/v1/meetings/{id}/agenda", api::council::add_agenda)
    .post(
        "/api/v1/meetings/{id}/decisions",
        api::council::add_decision,
    )
    .post("/api/v1/meetings/{id}/publish", api::council::publish)
    .get("/api/v1/programmes/{id}/actions", api::council::actions)
    .post("/api/v1/actions/{id}/status", api::council::action_status)
    .get(
        "/programmes/{id}/meetings/{meeting}",
        pages::council::minutes,
    )
}

/// Every (method, path) the router serves.
pub fn registered_routes() -> Vec<(&'static str, &'static str)> {
    routes().registered
}

pub fn router(state: AppState) -> Router {
    routes()
        .router
        .route_layer(from_fn_with_state(state.clone(), auth::enforce))
        .layer(DefaultBodyLimit::max(auth::BODY_LIMIT))
        .layer(from_fn(page::finish))
        .with_state(state)
}

//! The OpenAPI document, generated from the handlers' annotations. A snapshot test keeps it
//! from drifting silently, and another checks that every `/api/v1` route is in it.

use crate::api;
use axum::Json;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

#[derive(OpenApi)]
#[openapi(
    info(title = "Noguchi API", description = "The JSON API of Noguchi, the platform of a regional medical-engineering collaboration programme. Authenticate with `Authorization: Bearer TOKEN` (from `noguchi token issue`)."),
    paths(
        api::me,
        api::programmes::list, api::programmes::show,
        api::organisations::list, api::organisations::create, api::organisations::show,
        api::organisations::update, api::organisations::delete,
        api::people::list, api::people::create, api::people::show, api::people::update, api::people::delete,
        api::audit::list,
        api::needs::list, api::needs::create, api::needs::show, api::needs::update, api::needs::release,
        api::needs::ndas::record_nda, api::needs::matches::matches, api::needs::seeds::list_seeds, api::needs::seeds::create_seed,
        api::needs::seeds::show_seed, api::needs::seeds::update_seed, api::needs::search::search,
        api::needs::ndas::list_ndas, api::needs::ndas::revoke_nda, api::needs::move_status, api::needs::history,
        api::needs::scores::scores, api::needs::scores::score, api::needs::matches::needs_for_me, api::needs::import::import_needs,
        api::surveys::list, api::surveys::create, api::surveys::show, api::surveys::update, api::surveys::change_link,
        api::proposals::list, api::proposals::create, api::proposals::show, api::proposals::history,
        api::proposals::move_status,
        api::pipelines::list_deals, api::pipelines::create_deal,
        api::pipelines::import_deals, api::pipelines::show_deal, api::pipelines::update_deal,
        api::pipelines::move_deal, api::pipelines::deal_activity, api::pipelines::list_cases, api::pipelines::create_case,
        api::pipelines::import_cases,
        api::pipelines::show_case, api::pipelines::update_case, api::pipelines::move_case, api::pipelines::case_activity,
        api::pipelines::case_consultation,
        api::kpi::list, api::kpi::create, api::kpi::import_outcomes, api::kpi::show, api::kpi::update,
        api::kpi::verify, api::kpi::reject, api::kpi::show_kpi, api::kpi::kpi_xlsx,
    ),
    modifiers(&Bearer),
    security(("bearer" = [])),
)]
struct ApiDoc;

struct Bearer;

impl Modify for Bearer {
    fn modify(&self, doc: &mut utoipa::openapi::OpenApi) {
        let components = doc.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

pub fn openapi_document() -> utoipa::openapi::OpenApi {
    ApiDoc::openapi()
}

pub async fn serve() -> Json<utoipa::openapi::OpenApi> {
    Json(openapi_document())
}

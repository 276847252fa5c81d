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
        api::kpi::revise_target, api::kpi::target_revisions,
        api::council::list, api::council::create, api::council::show, api::council::update,
        api::council::add_agenda, api::council::add_decision, api::council::actions,
        api::council::action_status, api::council::publish,
        api::events::list, api::events::create, api::events::show, api::events::update,
        api::events::registrations, api::events::register, api::events::cancel_with_token,
        api::events::change_with_token,
        api::events::show_registration, api::events::update_registration, api::events::cancel,
        api::events::check_in, api::events::activity, api::events::network,
        api::events::import_attendance,
        api::followups::send_followups, api::followups::followup_answers,
        api::followups::answer_followup, api::followups::matches, api::followups::introductions,
        api::projects::list, api::projects::create, api::projects::show, api::projects::update,
        api::projects::add_member, api::projects::move_stage, api::projects::pathway,
        api::projects::add_clearance,
        api::project_work::reviews, api::project_work::add_review, api::project_work::grants,
        api::project_work::add_grant, api::project_work::update_grant, api::project_work::mark_report,
        api::project_work::attachments, api::project_work::upload, api::project_work::download,
        api::nomenclature::import, api::nomenclature::list,
    ),
    modifiers(&Bearer, &Problems),
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

/// Every error is problem details (RFC 9457), whatever the handler's annotation says: this
/// writes that once for every operation rather than in seventy annotations. An operation names
/// the errors every request can meet (400 malformed, 401 no valid token, 403, 404, 422, 429 a
/// limit reached) and, when it takes a body, 413 (too large) and 415 (not JSON / not a sheet).
struct Problems;

impl Modify for Problems {
    fn modify(&self, doc: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::{Content, Ref, RefOr, Response};
        const PROBLEM: &str = "application/problem+json";
        let problem = || Content::new(Some(Ref::from_schema_name("ProblemOut")));
        let common = [
            (
                "400",
                "リクエストの形式が正しくありません / malformed request",
            ),
            ("401", "認証が必要です / no valid token"),
            ("403", "権限がありません / not allowed"),
            (
                "404",
                "見つかりません / not found, or not visible to the caller",
            ),
            (
                "422",
                "入力内容に誤りがあります / invalid fields, each named",
            ),
            ("429", "上限に達しました / a limit was reached; retry later"),
        ];
        let with_body = [
            ("413", "本文が大きすぎます / the body is past the limit"),
            (
                "415",
                "本文の形式が違います / the body's media type is not accepted",
            ),
        ];
        for item in doc.paths.paths.values_mut() {
            let operations = [
                &mut item.get,
                &mut item.post,
                &mut item.put,
                &mut item.patch,
                &mut item.delete,
            ];
            for op in operations.into_iter().flatten() {
                let responses = &mut op.responses.responses;
                for (status, response) in responses.iter_mut() {
                    if status.as_str() >= "400"
                        && let RefOr::T(r) = response
                    {
                        r.content.clear();
                        r.content.insert(PROBLEM.into(), problem());
                    }
                }
                let extra = if op.request_body.is_some() {
                    &with_body[..]
                } else {
                    &[]
                };
                for (status, description) in common.iter().chain(extra) {
                    responses.entry((*status).into()).or_insert_with(|| {
                        let mut r = Response::new(*description);
                        r.content.insert(PROBLEM.into(), problem());
                        RefOr::T(r)
                    });
                }
            }
        }
    }
}

pub fn openapi_document() -> utoipa::openapi::OpenApi {
    ApiDoc::openapi()
}

pub async fn serve() -> Json<utoipa::openapi::OpenApi> {
    Json(openapi_document())
}

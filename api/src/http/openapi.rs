//! The OpenAPI 3.1 document (`GET /api/v1/openapi.json`), generated from the
//! handlers' `#[utoipa::path]` annotations and the request types' schemas (the
//! domain's command types derive `ToSchema` behind hoso-domain's `openapi`
//! feature, which only this crate enables).

use axum::routing::get;
use axum::{Json, Router};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

use super::AppState;

struct Bearer;

impl Modify for Bearer {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

#[derive(OpenApi)]
#[openapi(
    info(
        title = "hoso API",
        description = "Hồ sơ bảo vệ trẻ em: child-protection case records. Every command's actor is the signed-in officer and its time the server clock. Errors are RFC 9457 problem+json.",
    ),
    modifiers(&Bearer),
    paths(
        super::auth::login,
        super::auth::logout,
        super::auth::me,
        super::auth::create_api_token,
        super::cases::intake,
        super::cases::act,
        super::cases::list,
        super::cases::view,
        super::cases::timeline,
        super::children::register,
        super::children::act,
        super::children::view,
        super::children::erase,
        super::officers::register,
        super::officers::act,
        super::officers::set_password,
        super::officers::history,
        super::stats::get_stats,
        super::access::list,
        super::exports::export_bundle,
    ),
    components(schemas(super::error::Problem, super::error::FieldProblem))
)]
pub struct ApiDoc;

pub fn document() -> utoipa::openapi::OpenApi {
    ApiDoc::openapi()
}

async fn openapi_json() -> Json<utoipa::openapi::OpenApi> {
    Json(document())
}

pub fn routes() -> Router<AppState> {
    Router::new().route("/openapi.json", get(openapi_json))
}

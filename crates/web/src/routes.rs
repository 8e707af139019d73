//! The HTTP routes and their handlers.

use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpMessage, HttpRequest, HttpResponse, web};
use customer_application::{CustomerSearch, RawSearchParams};
use customer_domain::Language;

use crate::customer_json::CustomersJson;
use crate::problem::ApiError;

/// What the handlers share.
#[derive(Debug, Clone)]
pub struct AppState {
    pub search: CustomerSearch,
    pub max_query_length: usize,
}

/// The path of the lookup.
pub const CUSTOMER_PATH: &str = "/v1/core/customer";

/// Mounts every route; anything else is a problem+json 404.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::resource(CUSTOMER_PATH)
            .route(web::get().to(find_customers))
            .route(web::head().to(find_customers))
            .default_service(web::to(method_not_allowed)),
    )
    .default_service(web::to(not_found));
}

/// The query string's pairs; the query string is parsed here rather than by
/// `web::Query`, which can neither match names case-insensitively nor see a repeat.
fn params(req: &HttpRequest) -> RawSearchParams {
    RawSearchParams::from_pairs(form_urlencoded::parse(req.query_string().as_bytes()))
}

/// The language of a response to a request that may name one.
fn language(req: &HttpRequest) -> Language {
    params(req).language()
}

async fn find_customers(
    req: HttpRequest,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let params = params(&req);
    let language = params.language();
    if req.query_string().len() > state.max_query_length {
        return Err(ApiError::QueryTooLong {
            language,
            max: state.max_query_length,
        });
    }
    let outcome = state
        .search
        .search(&params)
        .await
        .map_err(|error| ApiError::from_search(error, language))?;
    let body = serde_json::to_vec(&CustomersJson {
        customers: &outcome.customers,
        language: outcome.language,
    })
    .map_err(|error| ApiError::Internal {
        language,
        source: Box::new(error),
    })?;
    req.extensions_mut()
        .insert(CustomersReturned(outcome.customers.len()));
    Ok(HttpResponse::Ok()
        .content_type("application/json; charset=utf-8")
        // Personal data: no shared cache may keep it.
        .insert_header((header::CACHE_CONTROL, HeaderValue::from_static("no-store")))
        .body(body))
}

/// How many customers a lookup returned, for the request log.
#[derive(Debug, Clone, Copy)]
pub struct CustomersReturned(pub usize);

async fn method_not_allowed(req: HttpRequest) -> Result<HttpResponse, ApiError> {
    Err(ApiError::MethodNotAllowed {
        language: language(&req),
        allow: "GET, HEAD",
    })
}

async fn not_found(req: HttpRequest) -> Result<HttpResponse, ApiError> {
    Err(ApiError::NotFound {
        language: language(&req),
    })
}

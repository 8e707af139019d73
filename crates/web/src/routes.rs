//! The HTTP routes and their handlers.

use actix_web::dev::HttpServiceFactory;
use actix_web::http::header::{self, HeaderValue};
use actix_web::middleware::from_fn;
use actix_web::{
    FromRequest, Handler, HttpMessage, HttpRequest, HttpResponse, Responder, ResponseError, web,
};
use customer_application::documents::CustomerWrites;
use customer_application::{CustomerSearch, Param, RawSearchParams};
use customer_domain::FailureKind;

use crate::admission::{AccessControl, Refusal};
use crate::observability::{LookupSummary, Refused, RequestId, mask};
use crate::problem::{ApiError, ProblemJson};
use crate::request::{language, params};
use crate::wire::CustomerJson;
use crate::{health, metrics, request_deadline, writes};

/// What the handlers share.
#[derive(Debug, Clone)]
pub struct AppState {
    pub search: CustomerSearch,
    pub writes: CustomerWrites,
    pub access: std::sync::Arc<AccessControl>,
    pub max_query_length: usize,
    /// The largest body of a write, in bytes.
    pub max_import_bytes: usize,
}

/// About the size of one customer in JSON, contacts included.
const BYTES_PER_CUSTOMER: usize = 2048;

/// The path of the lookup.
pub const CUSTOMER_PATH: &str = "/v1/core/customer";

/// The path of the list of one customer's versions.
pub const VERSIONS_PATH: &str = "/v1/core/customer/versions";

/// The methods every resource answers, as a `405` names them.
pub(crate) const ALLOWED_METHODS: &str = "GET, HEAD";

/// Mounts the lookup and the probes, and `/metrics` when `with_metrics` (it may have a
/// listener of its own instead); any other path is a problem+json 404.
pub fn configure(cfg: &mut web::ServiceConfig, with_metrics: bool) {
    cfg.service(read_only(CUSTOMER_PATH, find_customers))
        .service(read_only(VERSIONS_PATH, customer_versions))
        .service(
            web::resource(writes::CUSTOMER_DOCUMENT_PATH)
                .route(web::put().to(writes::put_customer))
                .route(web::delete().to(writes::delete_customer))
                .default_service(web::to(|req: HttpRequest| {
                    refuse_method(&req, "PUT, DELETE")
                }))
                .wrap(from_fn(request_deadline::bound)),
        )
        .service(
            web::resource(writes::IMPORT_PATH)
                .route(web::post().to(writes::import_customers))
                .default_service(web::to(|req: HttpRequest| refuse_method(&req, "POST")))
                .wrap(from_fn(request_deadline::bound)),
        )
        .service(read_only("/health/live", health::live))
        .service(read_only("/health/ready", health::ready));
    if with_metrics {
        cfg.service(read_only("/metrics", metrics::scrape));
    }
    cfg.default_service(web::to(not_found));
}

/// The admin listener's routes: `/metrics` alone.
pub fn configure_admin(cfg: &mut web::ServiceConfig) {
    cfg.service(read_only("/metrics", metrics::scrape))
        .default_service(web::to(not_found));
}

/// A resource answering GET and HEAD with `handler`, within the request's deadline;
/// any other method is a problem+json 405.
fn read_only<F, Args>(path: &str, handler: F) -> impl HttpServiceFactory + 'static
where
    F: Handler<Args>,
    Args: FromRequest + 'static,
    F::Output: Responder + 'static,
{
    // On the resource, once routed: the deadline's answer needs the request, which
    // must not be shared before the router has filled in its path.
    web::resource(path)
        .route(web::get().to(handler.clone()))
        .route(web::head().to(handler))
        .default_service(web::to(method_not_allowed))
        .wrap(from_fn(request_deadline::bound))
}

/// The language of the answer: `ar` (Arabic) or `en` (English), read case-insensitively.
#[derive(utoipa::ToSchema)]
#[schema(rename_all = "lowercase")]
#[expect(dead_code, reason = "only its schema is used")]
enum LangCode {
    Ar,
    En,
}

/// The schema of the lookup's `customerId`: a positive 64-bit integer, or blank (which
/// counts as not given, as for every optional parameter).
struct CustomerIdQuery;

impl utoipa::PartialSchema for CustomerIdQuery {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        use utoipa::openapi::schema::{
            KnownFormat, ObjectBuilder, OneOfBuilder, SchemaFormat, Type,
        };
        OneOfBuilder::new()
            .item(
                ObjectBuilder::new()
                    .schema_type(Type::Integer)
                    .format(Some(SchemaFormat::KnownFormat(KnownFormat::Int64)))
                    .minimum(Some(1))
                    .maximum(Some(i64::MAX)),
            )
            .item(
                ObjectBuilder::new()
                    .schema_type(Type::String)
                    .pattern(Some(r"^\s*$"))
                    .description(Some("Blank: not given.")),
            )
            .into()
    }
}

impl utoipa::ToSchema for CustomerIdQuery {}

/// Looks up the current profile of the customers of one company that match every
/// identifier given.
#[utoipa::path(
    get,
    path = "/v1/core/customer",
    tag = "customers",
    // One short plain line for the header /docs shows; the comment's paragraph wraps.
    summary = "Look up the customers of one company",
    params(
        ("companyCode" = String, Query, min_length = 1, max_length = 32, pattern = r"^[A-Za-z0-9_-]{1,32}$", description = "The company to search in: 1 to 32 ASCII letters, digits, `-` or `_`, matched case-insensitively; an unknown code is a 400 on `companyCode`.", example = "jtc"),
        ("customerId" = inline(Option<CustomerIdQuery>), Query, description = "A positive integer that fits in 64 bits (1 to 9223372036854775807); Arabic-Indic digits are accepted too. Blank counts as not given.", example = 54218),
        ("identificationNo" = Option<String>, Query, max_length = 64, pattern = r"^[^\x00-\x1F\x7F-\x9F]*$", description = "National ID, iqama, passport or commercial registration number: at most 64 characters, no control characters, matched exactly; Arabic-Indic digits are read as ASCII digits.", example = "2103232123"),
        ("mobileNumber" = Option<String>, Query, pattern = r"^(?:\s*|[-\s]*[5٥۵](?:[-\s]*[0-9٠-٩۰-۹]){0,14}[-\s]*)$", description = "Blank counts as not given. Spaces and hyphens are ignored; then digits only (ASCII or Arabic-Indic), starting with 5, at most 15 digits.", example = "568617084"),
        ("referenceNo" = Option<String>, Query, max_length = 64, pattern = r"^[^\x00-\x1F\x7F-\x9F]*$", description = "A policy, contract or application reference attached to the customer: at most 64 characters, no control characters; Arabic-Indic digits are read as ASCII digits.", example = "333215"),
        ("lang" = inline(LangCode), Query, description = "`ar` or `en`, case-insensitive (`AR`, `En` are accepted too): the language of coded values and of error messages.", example = "ar"),
        ("asOf" = Option<String>, Query, format = DateTime, description = "What was known at this moment: an RFC 3339 date-time with an offset (`Z` or `+03:00`), not later than now. The versions valid then (`startDate <= asOf < endDate`, or no `endDate`) are searched, matched on their own identifiers and references, and returned with the contacts they held; `endDate` is filled in for a version since closed. Stored date-times are local times, read at `database.local_time_offset` (`+03:00`). Without it, the current versions.", example = "2025-01-01T00:00:00Z"),
    ),
    security(("bearer" = [])),
    description = "Needs `Authorization: Bearer <API key or token>`; the caller must be permitted to read, and allowed the company. Parameter names match case-insensitively; unknown parameters are ignored; an optional parameter given blank counts as not given; a parameter given twice is an error; Arabic-Indic digits are read as ASCII digits; at least one of `customerId`, `identificationNo`, `mobileNumber`, `referenceNo` must be given (not blank) and all given must match: without any, the answer is a 400 with the problem under `errors.customerId`, although each is optional on its own (the extension `x-at-least-one-of` lists them for generators). The current versions are searched and returned, or with `asOf` those valid at that moment.",
    responses(
        (status = 200, description = "The matching customers, ordered by `customerId`; `[]` when none matches.", body = [CustomerJson<'_>], content_type = "application/json",
            headers(("Cache-Control" = String, description = "`no-store`: personal data."), ("X-Request-Id" = String, description = "The caller's request id, or a new one."))),
        (status = 400, description = "Invalid input: every problem, by parameter.", body = ProblemJson, content_type = "application/problem+json"),
        (status = 401, description = "No credential, or one that is unknown, expired or revoked.", body = ProblemJson, content_type = "application/problem+json",
            headers(("WWW-Authenticate" = String, description = "`Bearer realm=\"customer-api\"`, with `error=\"invalid_token\"` for a credential that is not valid."))),
        (status = 403, description = "The caller may not search this company; the same answer whether or not the company exists. The detail names the companies the caller may search. A caller whose client is not permitted to read (one permitted to write only) gets the same 403 for any company, its detail saying that it may not read.", body = ProblemJson, content_type = "application/problem+json"),
        (status = 429, description = "The caller's rate limit, or the client address's budget of failed authentications, is spent.", body = ProblemJson, content_type = "application/problem+json",
            headers(("Retry-After" = u64, description = "Seconds to wait."), ("RateLimit" = String, description = "IETF RateLimit fields: `\"caller\";r=0;t=<seconds>`."), ("RateLimit-Policy" = String, description = "IETF RateLimit-Policy: `\"caller\";q=<requests>;w=<seconds>`."))),
        (status = 404, description = "Unknown path.", body = ProblemJson, content_type = "application/problem+json"),
        (status = 405, description = "Method other than GET or HEAD.", body = ProblemJson, content_type = "application/problem+json",
            headers(("Allow" = String, description = "`GET, HEAD`"))),
        (status = 500, description = "Internal error; no internals are shown.", body = ProblemJson, content_type = "application/problem+json"),
        (status = 503, description = "The database cannot be reached, credentials cannot be checked, or the lookup's audit record cannot be written (no customer data is then shown).", body = ProblemJson, content_type = "application/problem+json",
            headers(("Retry-After" = u32, description = "Seconds to wait before retrying."))),
    )
)]
pub async fn find_customers(
    req: HttpRequest,
    state: web::Data<AppState>,
    metrics: web::Data<metrics::Metrics>,
) -> Result<HttpResponse, ApiError> {
    answer(req, state, metrics, Lookup::Customers).await
}

/// Lists every version of one customer, newest first.
#[utoipa::path(
    get,
    path = "/v1/core/customer/versions",
    tag = "customers",
    params(
        ("companyCode" = String, Query, min_length = 1, max_length = 32, pattern = r"^[A-Za-z0-9_-]{1,32}$", description = "The company of the customer: as for the lookup.", example = "jtc"),
        ("customerId" = i64, Query, minimum = 1, maximum = 9_223_372_036_854_775_807_i64, description = "The customer: a positive integer that fits in 64 bits; Arabic-Indic digits are accepted too.", example = 54218),
        ("lang" = inline(LangCode), Query, description = "`ar` or `en`, case-insensitive: the language of coded values and of error messages.", example = "en"),
    ),
    security(("bearer" = [])),
    description = "Needs `Authorization: Bearer <API key or token>`; the caller must be permitted to read, and allowed the company. Every version of the customer, newest first, each in the lookup's format with the contacts it held and its `endDate` (`null` for the current one). Parameter names match case-insensitively; other parameters are ignored; a parameter given twice is an error. Audited as a lookup by `customerId` that showed every version.",
    responses(
        (status = 200, description = "The versions, newest first; `[]` when the company has no such customer.", body = [CustomerJson<'_>], content_type = "application/json",
            headers(("Cache-Control" = String, description = "`no-store`: personal data."), ("X-Request-Id" = String, description = "The caller's request id, or a new one."))),
        (status = 400, description = "Invalid input: every problem, by parameter.", body = ProblemJson, content_type = "application/problem+json"),
        (status = 401, description = "No credential, or one that is unknown, expired or revoked.", body = ProblemJson, content_type = "application/problem+json",
            headers(("WWW-Authenticate" = String, description = "`Bearer realm=\"customer-api\"`, with `error=\"invalid_token\"` for a credential that is not valid."))),
        (status = 403, description = "The caller may not search this company; the same answer whether or not the company exists. A caller whose client is not permitted to read gets the same 403 for any company, its detail saying that it may not read.", body = ProblemJson, content_type = "application/problem+json"),
        (status = 429, description = "The caller's rate limit, or the client address's budget of failed authentications, is spent.", body = ProblemJson, content_type = "application/problem+json",
            headers(("Retry-After" = u64, description = "Seconds to wait."), ("RateLimit" = String, description = "IETF RateLimit fields: `\"caller\";r=0;t=<seconds>`."), ("RateLimit-Policy" = String, description = "IETF RateLimit-Policy: `\"caller\";q=<requests>;w=<seconds>`."))),
        (status = 405, description = "Method other than GET or HEAD.", body = ProblemJson, content_type = "application/problem+json",
            headers(("Allow" = String, description = "`GET, HEAD`"))),
        (status = 500, description = "Internal error; no internals are shown.", body = ProblemJson, content_type = "application/problem+json"),
        (status = 503, description = "The database cannot be reached, credentials cannot be checked, or the audit record cannot be written (no customer data is then shown).", body = ProblemJson, content_type = "application/problem+json",
            headers(("Retry-After" = u32, description = "Seconds to wait before retrying."))),
    )
)]
pub async fn customer_versions(
    req: HttpRequest,
    state: web::Data<AppState>,
    metrics: web::Data<metrics::Metrics>,
) -> Result<HttpResponse, ApiError> {
    answer(req, state, metrics, Lookup::Versions).await
}

/// What a request to one of the customer resources asks for.
#[derive(Debug, Clone, Copy)]
enum Lookup {
    /// The customers that match (`/v1/core/customer`).
    Customers,
    /// The versions of one customer (`/v1/core/customer/versions`).
    Versions,
}

/// Admits the caller, runs `lookup` and writes its customers; both resources answer
/// alike, so that they are refused, audited and logged alike.
async fn answer(
    req: HttpRequest,
    state: web::Data<AppState>,
    metrics: web::Data<metrics::Metrics>,
    lookup: Lookup,
) -> Result<HttpResponse, ApiError> {
    let params = params(&req);
    let language = params.language();
    let caller = admit(&req, &state, &metrics, language).await?;
    if req.query_string().len() > state.max_query_length {
        return Err(ApiError::QueryTooLong {
            language,
            max: state.max_query_length,
        });
    }
    let request_id = req
        .extensions()
        .get::<RequestId>()
        .map_or_else(String::new, |id| id.0.clone());
    let outcome = match lookup {
        Lookup::Customers => state.search.search_as(&caller, &request_id, &params).await,
        Lookup::Versions => {
            state
                .search
                .versions_as(&caller, &request_id, &params)
                .await
        }
    };
    let outcome = outcome.map_err(|error| {
        let error = ApiError::from_search(error, language);
        if matches!(
            error,
            ApiError::Forbidden { .. } | ApiError::ReadForbidden { .. }
        ) {
            metrics.record_refusal(caller.profile.name.as_str(), 403);
        }
        error
    })?;
    // Written without growing the buffer again and again.
    let mut body = Vec::with_capacity(64 + BYTES_PER_CUSTOMER * outcome.customers.len());
    let customers: Vec<CustomerJson<'_>> = outcome
        .customers
        .iter()
        .map(|customer| CustomerJson::new(customer, outcome.language))
        .collect();
    serde_json::to_writer(&mut body, &customers).map_err(|error| ApiError::Internal {
        language,
        kind: FailureKind::Other,
        source: Box::new(error),
    })?;
    req.extensions_mut().insert(LookupSummary {
        customers: outcome.customers.len(),
        criteria: masked_criteria(&params),
    });
    Ok(HttpResponse::Ok()
        .content_type("application/json; charset=utf-8")
        // Personal data: no shared cache may keep it.
        .insert_header((header::CACHE_CONTROL, HeaderValue::from_static("no-store")))
        .body(body))
}

/// Authenticates the caller and counts it against its rate limit: the caller, or the
/// refusal (counted and marked for the request log).
pub(crate) async fn admit(
    req: &HttpRequest,
    state: &AppState,
    metrics: &metrics::Metrics,
    language: customer_domain::Language,
) -> Result<customer_domain::Caller, ApiError> {
    match state.access.admit(req, language).await {
        Ok(caller) => {
            req.extensions_mut().insert(caller.profile.name.clone());
            Ok(caller)
        }
        Err((error, refusal)) => {
            if let Some(refusal) = refusal {
                let caller = match &refusal {
                    Refusal::Unauthenticated | Refusal::FailedAuthLimit => "-",
                    Refusal::CallerLimit(name) => name.as_str(),
                };
                metrics.record_refusal(caller, error.status_code().as_u16());
                req.extensions_mut().insert(Refused {
                    client: state.access.client_address(req),
                });
            }
            Err(error)
        }
    }
}

/// The identifiers of a lookup, masked, for the request log.
fn masked_criteria(params: &RawSearchParams) -> String {
    let mut criteria = String::new();
    for param in Param::IDENTIFIERS {
        if let Some(value) = params.value(param) {
            if !criteria.is_empty() {
                criteria.push(' ');
            }
            criteria.push_str(param.name());
            criteria.push('=');
            criteria.push_str(&mask(value));
        }
    }
    criteria
}

async fn method_not_allowed(req: HttpRequest) -> Result<HttpResponse, ApiError> {
    Err(ApiError::MethodNotAllowed {
        language: language(&req),
        allow: ALLOWED_METHODS,
    })
}

/// The `405` of a resource that answers the methods `allow`.
fn refuse_method(
    req: &HttpRequest,
    allow: &'static str,
) -> std::future::Ready<Result<HttpResponse, ApiError>> {
    std::future::ready(Err(ApiError::MethodNotAllowed {
        language: language(req),
        allow,
    }))
}

async fn not_found(req: HttpRequest) -> Result<HttpResponse, ApiError> {
    Err(ApiError::NotFound {
        language: language(&req),
    })
}

//! The write API: `PUT` and `DELETE /v1/core/customers/{companyCode}/{customerId}` for
//! one customer, `POST /v1/core/customers:import` for JSON Lines of them. Callers are
//! admitted (authenticated, rate-limited) as lookups are; what they may write is the
//! use case's to say.

use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpRequest, HttpResponse, web};
use customer_application::documents::{ImportSummary, LineResult, Written};
use customer_domain::{FailureKind, Language, WriteOutcome};
use futures_util::StreamExt as _;

use actix_web::HttpMessage as _;

use crate::metrics::Metrics;
use crate::observability::RequestId;
use crate::problem::ApiError;
use crate::request::language;
use crate::routes::{AppState, admit};
use crate::wire::{ClosingJson, CustomerDocumentJson, ImportReportJson};

/// The path of one customer's document.
pub const CUSTOMER_DOCUMENT_PATH: &str = "/v1/core/customers/{companyCode}/{customerId}";

/// The path of the bulk import.
pub const IMPORT_PATH: &str = "/v1/core/customers:import";

/// Reads the request body, refusing one over `max` bytes.
async fn body(
    mut payload: web::Payload,
    max: usize,
    language: Language,
) -> Result<Vec<u8>, ApiError> {
    let mut body = Vec::new();
    while let Some(chunk) = payload.next().await {
        let chunk = chunk.map_err(|error| ApiError::Internal {
            language,
            kind: FailureKind::Other,
            source: Box::new(std::io::Error::other(error.to_string())),
        })?;
        if body.len() + chunk.len() > max {
            return Err(ApiError::PayloadTooLarge { language, max });
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

fn request_id(req: &HttpRequest) -> String {
    req.extensions()
        .get::<RequestId>()
        .map_or_else(String::new, |id| id.0.clone())
}

/// Writes one customer from its document.
#[utoipa::path(
    put,
    path = "/v1/core/customers/{companyCode}/{customerId}",
    tag = "writes",
    summary = "Write one customer",
    params(
        ("companyCode" = String, Path, description = "The customer's company.", example = "jtc"),
        ("customerId" = i64, Path, minimum = 1, description = "The customer.", example = 54218),
        ("lang" = Option<String>, Query, description = "`ar` or `en`: the language of names and error messages (default `en`).", example = "en"),
        ("If-Match" = Option<String>, Header, pattern = r#"^(?:W/)?"[1-9][0-9]{0,8}"$"#, description = "`\"N\"`: write only if the customer's current version is N (the `ETag` a write or `GET .../versions` gave); `412` otherwise."),
    ),
    request_body(content = CustomerDocumentJson<'_>, content_type = "application/json", description = "A customer document (`docs/customer-documents.md`): the lookup's object for one customer plus `referenceNos`; `companyCode` and `customerId` may be left out, and may not differ from the path. Names next to `*Id` fields, `versionId`, `customerVersionId`, `companyId` and `endDate` are ignored; `startDate`, when given, is when the change took effect."),
    security(("bearer" = [])),
    description = "Needs a client allowed to write for the company (`clients add NAME --companies jtc --can write`). A changed customer gets a new version and its previous one is closed; contacts and references are replaced as sets. Audited: who, when, which customer, which version it made.",
    responses(
        (status = 201, description = "New customer: its first version.", body = CustomerDocumentJson<'_>, headers(("ETag" = String, description = "`\"N\"`, the customer's current version."), ("Location" = String, description = "The document's path."))),
        (status = 200, description = "A new version was made, or (the same document) nothing changed.", body = CustomerDocumentJson<'_>, headers(("ETag" = String, description = "`\"N\"`, the customer's current version."))),
        (status = 400, description = "Every problem of the document, by field (`customerContacts[1].contactNumber`).", body = crate::problem::ProblemJson, content_type = "application/problem+json"),
        (status = 401, description = "No credential, or one that is not valid.", body = crate::problem::ProblemJson, content_type = "application/problem+json"),
        (status = 403, description = "The caller may not write for this company; the same whether or not the customer exists.", body = crate::problem::ProblemJson, content_type = "application/problem+json"),
        (status = 412, description = "`If-Match` named another version than the current one.", body = crate::problem::ProblemJson, content_type = "application/problem+json"),
        (status = 413, description = "Body over `server.max_import_bytes`.", body = crate::problem::ProblemJson, content_type = "application/problem+json"),
        (status = 429, description = "The caller's rate limit is spent.", body = crate::problem::ProblemJson, content_type = "application/problem+json"),
        (status = 503, description = "The database cannot be reached, or the write's audit record cannot be written.", body = crate::problem::ProblemJson, content_type = "application/problem+json"),
    )
)]
pub async fn put_customer(
    req: HttpRequest,
    path: web::Path<(String, String)>,
    payload: web::Payload,
    state: web::Data<AppState>,
    metrics: web::Data<Metrics>,
) -> Result<HttpResponse, ApiError> {
    let language = language(&req);
    let caller = admit(&req, &state, &metrics, language).await?;
    let body = body(payload, state.max_import_bytes, language).await?;
    let if_match = if_match(&req);
    let (company, customer) = path.into_inner();
    let written = state
        .writes
        .put_as(
            &caller,
            &request_id(&req),
            (&company, &customer),
            &body,
            if_match.as_deref(),
        )
        .await
        .map_err(|error| ApiError::from_write(error, language))?;
    document_response(&req, &written, language)
}

/// Closes one customer: lookups no longer find it; its history stays.
#[utoipa::path(
    delete,
    path = "/v1/core/customers/{companyCode}/{customerId}",
    tag = "writes",
    summary = "Close one customer",
    params(
        ("companyCode" = String, Path, description = "The customer's company.", example = "jtc"),
        ("customerId" = i64, Path, minimum = 1, description = "The customer.", example = 54218),
        ("lang" = Option<String>, Query, description = "`ar` or `en`: the language of error messages (default `en`).", example = "ar"),
        ("If-Match" = Option<String>, Header, pattern = r#"^(?:W/)?"[1-9][0-9]{0,8}"$"#, description = "`\"N\"`: close only if the current version is N; `412` otherwise."),
    ),
    security(("bearer" = [])),
    description = "Needs a client allowed to write for the company. The current version's `endDate` becomes now. Audited.",
    responses(
        (status = 200, description = "Closed: the closing, as `customer-api export` writes it.", body = ClosingJson<'_>),
        (status = 400, description = "Invalid address or `If-Match`.", body = crate::problem::ProblemJson, content_type = "application/problem+json"),
        (status = 401, description = "No credential, or one that is not valid.", body = crate::problem::ProblemJson, content_type = "application/problem+json"),
        (status = 403, description = "The caller may not write for this company.", body = crate::problem::ProblemJson, content_type = "application/problem+json"),
        (status = 404, description = "The company has no current customer with this id.", body = crate::problem::ProblemJson, content_type = "application/problem+json"),
        (status = 412, description = "`If-Match` named another version than the current one.", body = crate::problem::ProblemJson, content_type = "application/problem+json"),
        (status = 429, description = "The caller's rate limit is spent.", body = crate::problem::ProblemJson, content_type = "application/problem+json"),
        (status = 503, description = "The database cannot be reached, or the audit record cannot be written.", body = crate::problem::ProblemJson, content_type = "application/problem+json"),
    )
)]
pub async fn delete_customer(
    req: HttpRequest,
    path: web::Path<(String, String)>,
    state: web::Data<AppState>,
    metrics: web::Data<Metrics>,
) -> Result<HttpResponse, ApiError> {
    let language = language(&req);
    let caller = admit(&req, &state, &metrics, language).await?;
    let if_match = if_match(&req);
    let (company, customer) = path.into_inner();
    let written = state
        .writes
        .delete_as(
            &caller,
            &request_id(&req),
            (&company, &customer),
            if_match.as_deref(),
        )
        .await
        .map_err(|error| ApiError::from_write(error, language))?;
    let WriteOutcome::Closed { end_date, .. } = written.outcome else {
        return Err(internal(language, "a close answered another outcome"));
    };
    let code = company.to_ascii_lowercase();
    let id = written.customer.as_ref().map_or(0, |c| c.customer_id.get());
    json_response(
        StatusCode::OK,
        &ClosingJson::new(&code, id, end_date),
        language,
    )
}

/// Applies JSON Lines of customer documents, a day's changes at once.
#[utoipa::path(
    post,
    path = "/v1/core/customers:import",
    tag = "writes",
    summary = "Write many customers (JSON Lines)",
    params(
        ("lang" = Option<String>, Query, description = "`ar` or `en`: the language of the problems reported (default `en`).", example = "en"),
    ),
    request_body(content = String, content_type = "application/x-ndjson", description = "One customer document per line, or a closing line `{\"companyCode\":\"jtc\",\"customerId\":7,\"deleted\":true}`, as `customer-api import` reads them; at most `server.max_import_bytes`."),
    security(("bearer" = [])),
    description = "Every line is read and checked; the good ones are written in one transaction, each as `PUT` would; a line with problems, or of a company the caller may not write for, is reported and not written. The report lists each line's outcome.",
    responses(
        (status = 200, description = "What each line did; `rejected` counts the lines not written.", body = ImportReportJson),
        (status = 400, description = "A body that is not UTF-8, or holds no line.", body = crate::problem::ProblemJson, content_type = "application/problem+json"),
        (status = 401, description = "No credential, or one that is not valid.", body = crate::problem::ProblemJson, content_type = "application/problem+json"),
        (status = 413, description = "Body over `server.max_import_bytes`.", body = crate::problem::ProblemJson, content_type = "application/problem+json"),
        (status = 429, description = "The caller's rate limit is spent.", body = crate::problem::ProblemJson, content_type = "application/problem+json"),
        (status = 503, description = "The database cannot be reached (nothing was written), or audit records cannot be written.", body = crate::problem::ProblemJson, content_type = "application/problem+json"),
    )
)]
pub async fn import_customers(
    req: HttpRequest,
    payload: web::Payload,
    state: web::Data<AppState>,
    metrics: web::Data<Metrics>,
) -> Result<HttpResponse, ApiError> {
    let language = language(&req);
    let caller = admit(&req, &state, &metrics, language).await?;
    let body = body(payload, state.max_import_bytes, language).await?;
    let Ok(text) = String::from_utf8(body) else {
        return Err(ApiError::InvalidDocument {
            language,
            errors: customer_application::documents::DocumentErrors::single(
                "",
                customer_application::documents::DocumentProblem::NotJson,
            ),
        });
    };
    if text.trim().is_empty() {
        return Err(ApiError::InvalidDocument {
            language,
            errors: customer_application::documents::DocumentErrors::single(
                "",
                customer_application::documents::DocumentProblem::NoLines,
            ),
        });
    }
    let reports = state
        .writes
        .import_as(&caller, &request_id(&req), &text)
        .await
        .map_err(|error| ApiError::from_write(error, language))?;
    let mut summary = ImportSummary::default();
    summary.add(&reports);
    json_response(
        StatusCode::OK,
        &ImportReportJson::new(&summary, &reports, language),
        language,
    )
}

fn if_match(req: &HttpRequest) -> Option<String> {
    req.headers()
        .get(header::IF_MATCH)
        .map(|value| value.to_str().unwrap_or("").to_owned())
}

fn internal(language: Language, what: &'static str) -> ApiError {
    ApiError::Internal {
        language,
        kind: FailureKind::Inconsistent,
        source: what.into(),
    }
}

/// The stored document after a write: `201` with its `Location` when the customer was
/// created, else `200`; `ETag` its current version.
fn document_response(
    req: &HttpRequest,
    written: &Written,
    language: Language,
) -> Result<HttpResponse, ApiError> {
    let Some(customer) = &written.customer else {
        return Err(internal(language, "a written customer was not read back"));
    };
    let code = req
        .match_info()
        .get("companyCode")
        .unwrap_or("")
        .to_ascii_lowercase();
    let document = CustomerDocumentJson::new(
        customer,
        &code,
        written
            .references
            .iter()
            .map(customer_domain::ReferenceNumber::as_str),
        language,
    );
    let status = match written.outcome {
        WriteOutcome::Created(_) => StatusCode::CREATED,
        _ => StatusCode::OK,
    };
    let mut response = json_response(status, &document, language)?;
    let etag = format!("\"{}\"", customer.customer_version_id);
    if let Ok(value) = HeaderValue::from_str(&etag) {
        response.headers_mut().insert(header::ETAG, value);
    }
    if status == StatusCode::CREATED {
        let location = format!("/v1/core/customers/{code}/{}", customer.customer_id);
        if let Ok(value) = HeaderValue::from_str(&location) {
            response.headers_mut().insert(header::LOCATION, value);
        }
    }
    Ok(response)
}

fn json_response(
    status: StatusCode,
    body: &impl serde::Serialize,
    language: Language,
) -> Result<HttpResponse, ApiError> {
    let body = serde_json::to_vec(body).map_err(|error| ApiError::Internal {
        language,
        kind: FailureKind::Other,
        source: Box::new(error),
    })?;
    Ok(HttpResponse::build(status)
        .content_type("application/json; charset=utf-8")
        .insert_header((header::CACHE_CONTROL, HeaderValue::from_static("no-store")))
        .body(body))
}

/// The outcome of a line, as the import's report names it.
pub(crate) fn outcome_name(result: &LineResult) -> &'static str {
    match result {
        LineResult::Applied(WriteOutcome::Created(_)) => "created",
        LineResult::Applied(WriteOutcome::Changed(_)) => "changed",
        LineResult::Applied(WriteOutcome::Unchanged(_)) => "unchanged",
        LineResult::Applied(WriteOutcome::Closed { .. }) => "closed",
        LineResult::Applied(WriteOutcome::Refused(_)) | LineResult::Rejected(_) => "rejected",
    }
}

//! The OpenAPI 3.1 description of the service, generated from the very types the
//! handlers answer with, served at `/openapi.json`, with Swagger UI (bundled in the
//! binary) at `/docs`.

use actix_web::http::header::{self, ContentType};
use actix_web::middleware::Compress;
use actix_web::{HttpResponse, guard, web};
use customer_application::{Param, Problem, ValidationErrors};
use customer_domain::{FailureKind, Language, Violation};
use utoipa::openapi::RefOr;
use utoipa::openapi::example::ExampleBuilder;
use utoipa::openapi::extensions::Extensions;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};
use utoipa_swagger_ui::SwaggerUi;

use crate::health::HealthJson;
use crate::problem::{ApiError, ProblemJson, RateLimited};
use crate::readiness::CheckJson;
use crate::wire::{ClosingJson, ContactJson, CustomerDocumentJson, CustomerJson, ImportReportJson};

mod write_examples;

use self::write_examples::WriteExamples;

/// The contract's example answer, in each language.
const AR_EXAMPLE: &str = include_str!("openapi/example-ar.json");
const EN_EXAMPLE: &str = include_str!("openapi/example-en.json");

/// The contract's example, in both languages.
fn examples() -> (serde_json::Value, serde_json::Value) {
    let parse = |text: &str| serde_json::from_str(text).unwrap_or(serde_json::Value::Null);
    (parse(AR_EXAMPLE), parse(EN_EXAMPLE))
}

/// The body of `error`, written by the same code as the real answer.
fn problem(error: &ApiError) -> serde_json::Value {
    serde_json::to_value(error.body()).unwrap_or(serde_json::Value::Null)
}

/// A cause for the errors that carry one; it never reaches the body.
fn cause() -> Box<dyn std::error::Error + Send + Sync> {
    Box::new(std::io::Error::other("example"))
}

/// The versions of the contract's example customer, newest first: the example as the
/// current version 2, and a version 1 it replaced (another mobile number), closed when
/// version 2 began.
fn versions_example(current: &serde_json::Value) -> serde_json::Value {
    let mut older = current.clone();
    if let Some(older) = older.as_object_mut() {
        older.insert("versionId".to_owned(), serde_json::json!(65_002));
        older.insert("customerVersionId".to_owned(), serde_json::json!(1));
        older.insert("mobileNumber".to_owned(), serde_json::json!("555123456"));
        older.insert(
            "startDate".to_owned(),
            serde_json::json!("2019-03-17T10:12:44"),
        );
        older.insert("endDate".to_owned(), current["startDate"].clone());
    }
    let mut newer = current.clone();
    if let Some(newer) = newer.as_object_mut() {
        newer.insert("customerVersionId".to_owned(), serde_json::json!(2));
    }
    serde_json::json!([newer, older])
}

/// Which resource's examples: they differ in the `400`, `405` and `200` they show.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Resource {
    Lookup,
    Versions,
}

/// A resource's problem answers, by status: what each example shows, and the error
/// the service answers then, in `language`.
fn problems(resource: Resource, language: Language) -> Vec<(&'static str, &'static str, ApiError)> {
    let invalid = match resource {
        Resource::Lookup => (
            "mobileNumber=468617084",
            ValidationErrors::single(
                Param::MobileNumber,
                Problem::Invalid(Violation::MustStartWith5),
            ),
        ),
        Resource::Versions => (
            "no customerId",
            ValidationErrors::single(Param::CustomerId, Problem::Required),
        ),
    };
    let mut problems = vec![
        (
            "400",
            invalid.0,
            ApiError::Invalid {
                language,
                errors: invalid.1,
            },
        ),
        (
            "401",
            "no Authorization header",
            ApiError::Unauthenticated {
                language,
                presented: false,
                not_bearer: false,
                reason: String::new(),
            },
        ),
        (
            "403",
            "a company the caller may not search",
            ApiError::Forbidden {
                language,
                allowed: "jtc".to_owned(),
            },
        ),
        (
            "404",
            "GET /v1/core/customers",
            ApiError::NotFound { language },
        ),
        (
            "405",
            match resource {
                Resource::Lookup => "POST /v1/core/customer",
                Resource::Versions => "POST /v1/core/customer/versions",
            },
            ApiError::MethodNotAllowed {
                language,
                allow: crate::routes::ALLOWED_METHODS,
            },
        ),
        (
            "429",
            "the caller's rate limit (1/s) is spent",
            ApiError::TooManyRequests {
                language,
                limit: RateLimited {
                    policy: "caller",
                    quota: 1,
                    window_secs: 1,
                    retry_after_secs: 1,
                },
            },
        ),
        (
            "500",
            "an internal error",
            ApiError::Internal {
                language,
                kind: FailureKind::Other,
                source: cause(),
            },
        ),
        (
            "503",
            "the database cannot be reached",
            ApiError::Unavailable {
                language,
                source: cause(),
            },
        ),
    ];
    if resource == Resource::Versions {
        // An unknown path is no answer of a resource that exists.
        problems.retain(|(status, ..)| *status != "404");
    }
    problems
}

/// The lookup's `400` for an `asOf` in the future, in `language`: shown beside the
/// other `400` example.
fn as_of_problem(language: Language) -> ApiError {
    ApiError::Invalid {
        language,
        errors: ValidationErrors::single(Param::AsOf, Problem::InTheFuture),
    }
}

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Customer lookup",
        description = "Who is this customer? The current profile of the customers of one company that match a national ID or commercial registration number, a mobile number, a customer id or a policy reference, in Arabic or English.",
    ),
    paths(
        crate::routes::find_customers,
        crate::routes::customer_versions,
        crate::writes::put_customer,
        crate::writes::delete_customer,
        crate::writes::import_customers,
        crate::health::live,
        crate::health::ready
    ),
    components(schemas(
        CustomerJson<'_>,
        ContactJson<'_>,
        CustomerDocumentJson<'_>,
        ClosingJson<'_>,
        ImportReportJson,
        ProblemJson,
        HealthJson,
        CheckJson
    )),
    modifiers(&LookupExamples, &WriteExamples, &BearerSecurity),
)]
struct ApiDoc;

/// The credential the lookup needs: `/docs` offers to paste it ("Authorize").
struct BearerSecurity;

impl Modify for BearerSecurity {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("API key (clk_...) or JWT")
                    .description(Some(
                        "An API key made with `customer-api clients add`, or an access token of the group's identity provider (when `auth.jwt` is enabled).",
                    ))
                    .build(),
            ),
        );
    }
}

/// Examples of the answers of the lookup and of the versions list, in both languages.
struct LookupExamples;

/// The examples of one response: status, media type, and `(name, summary, value)` each.
type Samples = Vec<(
    &'static str,
    &'static str,
    Vec<(&'static str, String, serde_json::Value)>,
)>;

fn samples(resource: Resource) -> Samples {
    let (arabic, english) = examples();
    let ok = match resource {
        Resource::Lookup => vec![
            ("ar", "The contract's example, lang=ar".to_owned(), arabic),
            ("en", "The same customer, lang=en".to_owned(), english),
        ],
        Resource::Versions => vec![
            (
                "ar",
                "A customer's two versions, newest first, lang=ar".to_owned(),
                versions_example(&arabic[0]),
            ),
            (
                "en",
                "The same versions, lang=en".to_owned(),
                versions_example(&english[0]),
            ),
        ],
    };
    let mut samples: Samples = vec![("200", "application/json", ok)];
    for ((status, what, ar), (_, _, en)) in problems(resource, Language::Arabic)
        .into_iter()
        .zip(problems(resource, Language::English))
    {
        let mut named = vec![
            ("ar", format!("{what}, lang=ar"), problem(&ar)),
            ("en", format!("{what}, lang=en"), problem(&en)),
        ];
        if status == "403" {
            named.push((
                "read-ar",
                "a client that may not read (permitted to write only), lang=ar".to_owned(),
                problem(&ApiError::ReadForbidden {
                    language: Language::Arabic,
                }),
            ));
            named.push((
                "read-en",
                "a client that may not read (permitted to write only), lang=en".to_owned(),
                problem(&ApiError::ReadForbidden {
                    language: Language::English,
                }),
            ));
        }
        if resource == Resource::Lookup && status == "400" {
            named.push((
                "asOf-ar",
                "asOf in the future, lang=ar".to_owned(),
                problem(&as_of_problem(Language::Arabic)),
            ));
            named.push((
                "asOf-en",
                "asOf in the future, lang=en".to_owned(),
                problem(&as_of_problem(Language::English)),
            ));
        }
        samples.push((status, "application/problem+json", named));
    }
    samples
}

impl Modify for LookupExamples {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        for (path, resource) in [
            (crate::routes::CUSTOMER_PATH, Resource::Lookup),
            (crate::routes::VERSIONS_PATH, Resource::Versions),
        ] {
            let Some(operation) = openapi
                .paths
                .paths
                .get_mut(path)
                .and_then(|item| item.get.as_mut())
            else {
                continue;
            };
            for (status, media, samples) in samples(resource) {
                let Some(RefOr::T(response)) = operation.responses.responses.get_mut(status) else {
                    continue;
                };
                let Some(content) = response.content.get_mut(media) else {
                    continue;
                };
                for (name, summary, value) in samples {
                    let example = ExampleBuilder::new()
                        .summary(summary)
                        .value(Some(value))
                        .build();
                    content.examples.insert(name.to_owned(), RefOr::T(example));
                }
            }
        }
    }
}

/// The document.
pub fn document() -> utoipa::openapi::OpenApi {
    let mut doc = ApiDoc::openapi();
    env!("CARGO_PKG_VERSION").clone_into(&mut doc.info.version);
    // The workspace's `UNLICENSED` is no SPDX identifier: the document names no license.
    doc.info.license = None;
    // Parameters cannot say "at least one of these" in OpenAPI: the rule is in the
    // operation's description for people, and here for generators and test tools.
    if let Some(operation) = doc
        .paths
        .paths
        .get_mut(crate::routes::CUSTOMER_PATH)
        .and_then(|item| item.get.as_mut())
    {
        let identifiers: Vec<&str> = Param::IDENTIFIERS
            .iter()
            .map(|param| param.name())
            .collect();
        let rule = Extensions::from_iter([(AT_LEAST_ONE_OF, serde_json::json!(identifiers))]);
        match &mut operation.extensions {
            Some(extensions) => extensions.merge(rule),
            None => operation.extensions = Some(rule),
        }
    }
    doc
}

/// The extension of the lookup operation that lists the query parameters of which at
/// least one must be given (not blank): without any, the answer is a `400`.
pub const AT_LEAST_ONE_OF: &str = "x-at-least-one-of";

/// Mounts `/openapi.json` and the interactive documentation at `/docs`. Both are
/// gzip-compressed for clients that accept it (the Swagger UI bundle is 1.45 MB). The
/// lookup is not: its answers are a few KiB, one or two packets either way, and
/// compressing them would cost every lookup CPU time for no faster delivery.
pub fn configure(cfg: &mut web::ServiceConfig) {
    // Written once: the document does not change while the service runs.
    let json = web::Bytes::from(serde_json::to_vec(&document()).unwrap_or_default());
    cfg.service(web::resource("/docs").route(web::get().to(docs_redirect)))
        .service(
            web::resource("/openapi.json")
                // Other methods fall through to the problem+json 404 of unknown paths.
                .guard(guard::Get())
                .wrap(Compress::default())
                .to(move || {
                    let json = json.clone();
                    async move {
                        HttpResponse::Ok()
                            .content_type(ContentType::json())
                            .body(json)
                    }
                }),
        )
        .service(
            web::scope("/docs").wrap(Compress::default()).service(
                SwaggerUi::new("/{_:.*}").config(
                    utoipa_swagger_ui::Config::new(["/openapi.json"])
                        // No request may leave the machine: no online validator badge.
                        .validator_url("none")
                        // The pasted key survives a reload of the page.
                        .persist_authorization(true)
                        // No "Explore" bar: it loads any document by URL, and this
                        // page documents this service only.
                        .use_base_layout(),
                ),
            ),
        );
}

async fn docs_redirect() -> HttpResponse {
    HttpResponse::PermanentRedirect()
        .insert_header((header::LOCATION, "/docs/"))
        .finish()
}

//! The lookup handler in process, over mocked ports: no socket, no database. Each status
//! of the contract once, from what the ports answer; the rules behind a `400` are tested
//! where they live (domain and application), the full HTTP behaviour by the black-box
//! suite of the binary.

use std::sync::Arc;
use std::time::Duration;

use actix_web::body::to_bytes;
use actix_web::dev::Service;
use actix_web::http::header::{HeaderMap, HeaderValue};
use actix_web::http::{Method, StatusCode};
use actix_web::middleware::from_fn;
use actix_web::test::{TestRequest, init_service};
use actix_web::{App, web};
use chrono::NaiveDate;
use customer_application::access::AuthenticatorSettings;
use customer_application::documents::CustomerWrites;
use customer_application::{Authenticator, CustomerSearch};
use customer_domain::{
    ClientName, Coded, CompanyId, CompanyScope, Customer, CustomerId, FailureKind, LocalizedName,
    MockCompanyDirectory, MockCustomerExport, MockCustomerHistory, MockCustomerRepository,
    MockCustomerWriter, MockKeyLookup, MockTokenVerifier, Permissions, RateLimit, RepositoryError,
    SystemClock, TokenError, VerifiedToken,
};
use customer_web::{AccessControl, AppState, Metrics, RequestTimeout, observe};
use serde_json::Value;

const JTC: CompanyId = CompanyId::new(1);

/// What the mocked customer store answers.
enum Store {
    Finds(Vec<Customer>),
    Unavailable,
    Fails,
}

/// What the mocked identity provider says of a token, when authentication is on.
#[derive(Clone, Copy)]
enum Auth {
    Off,
    /// Tokens are accepted, granting these two companies.
    Companies(&'static str, &'static str),
    Rejects,
}

fn customer(id: i64) -> Customer {
    let since = NaiveDate::from_ymd_opt(2026, 1, 1)
        .and_then(|day| day.and_hms_opt(9, 0, 0))
        .expect("a valid date");
    Customer {
        first_name: Some("Sara".to_owned()),
        nationality: Some(Coded {
            id: 1,
            name: LocalizedName {
                ar: "سعودي".into(),
                en: "Saudi".into(),
            },
        }),
        mobile_number: Some("568617084".to_owned()),
        created_date: Some(since),
        is_active: Some(true),
        ..Customer::identified(
            id * 10,
            CustomerId::new(id).expect("a positive id"),
            1,
            JTC,
            since,
        )
    }
}

fn search(store: Store) -> CustomerSearch {
    let mut companies = MockCompanyDirectory::new();
    companies
        .expect_resolve()
        .returning(|code| Ok((code.as_str() == "jtc").then_some(JTC)));
    let mut customers = MockCustomerRepository::new();
    customers
        .expect_find_current()
        .returning(move |_, _| match &store {
            Store::Finds(found) => Ok(found.clone()),
            Store::Unavailable => Err(RepositoryError::new(
                FailureKind::Unreachable,
                "connection refused",
            )),
            Store::Fails => Err(RepositoryError::new(
                FailureKind::Schema,
                "relation \"customer_versions\" does not exist",
            )),
        });
    CustomerSearch::new(
        Arc::new(customers),
        Arc::new(MockCustomerHistory::new()),
        Arc::new(companies),
    )
}

fn access(auth: Auth, caller_rate: &str) -> AccessControl {
    let rate = RateLimit::parse(caller_rate).expect("a rate");
    let failures = RateLimit::parse("1000/s").expect("a rate");
    let authenticator = match auth {
        Auth::Off => None,
        Auth::Companies(first, second) => Some(verifier(move |_| {
            Ok(VerifiedToken {
                subject: "portal".to_owned(),
                client: ClientName::parse("portal").expect("a name"),
                permissions: Permissions::READ,
                companies: CompanyScope::parse(&format!("{first},{second}")).expect("codes"),
            })
        })),
        Auth::Rejects => Some(verifier(|_| {
            Err(TokenError::Rejected("expired".to_owned()))
        })),
    };
    AccessControl::new(authenticator, rate, failures)
}

fn verifier(
    answer: impl Fn(&str) -> Result<VerifiedToken, TokenError> + Send + Sync + 'static,
) -> Authenticator {
    let mut tokens = MockTokenVerifier::new();
    tokens.expect_verify().returning(move |token| answer(token));
    // API keys are never presented here: the registry is never asked.
    Authenticator::new(
        Arc::new(MockKeyLookup::new()),
        Some(Arc::new(tokens)),
        AuthenticatorSettings {
            key_cache_ttl: Duration::from_secs(30),
            ..AuthenticatorSettings::default()
        },
    )
}

/// A request: method, path and query, a bearer token, and `Authorization` headers
/// besides.
struct Ask {
    method: Method,
    uri: &'static str,
    token: Option<&'static str>,
    authorizations: &'static [&'static str],
}

const LOOKUP: &str = "/v1/core/customer?companyCode=jtc&mobileNumber=568617084&lang=en";

fn get(uri: &'static str) -> Ask {
    Ask {
        method: Method::GET,
        uri,
        token: None,
        authorizations: &[],
    }
}

fn get_with_token(uri: &'static str) -> Ask {
    Ask {
        token: Some("a.signed.token"),
        ..get(uri)
    }
}

/// Sends `asks` in turn to one app over `store` and `auth`; returns the last response's
/// status, headers and body (JSON, or null when it is not).
async fn answer(
    store: Store,
    auth: Auth,
    caller_rate: &str,
    asks: &[Ask],
) -> (StatusCode, HeaderMap, Value) {
    let state = web::Data::new(AppState {
        search: search(store),
        // No write is sent here: a call would fail the mocks' unset expectations.
        writes: CustomerWrites::new(
            Arc::new(MockCustomerWriter::new()),
            Arc::new(MockCustomerExport::new()),
            Arc::new(SystemClock),
            chrono::FixedOffset::east_opt(3 * 3600).expect("an offset"),
        ),
        max_import_bytes: 1 << 20,
        access: Arc::new(access(auth, caller_rate)),
        max_query_length: 2048,
    });
    let metrics = web::Data::new(Metrics::new().expect("metrics"));
    let app = init_service(
        App::new()
            .app_data(state)
            .app_data(metrics)
            .app_data(RequestTimeout(Duration::from_secs(5)))
            .wrap(from_fn(observe))
            .configure(|cfg| customer_web::configure(cfg, false)),
    )
    .await;
    let mut last = None;
    for ask in asks {
        let mut request = TestRequest::default()
            .method(ask.method.clone())
            .uri(ask.uri)
            .peer_addr("127.0.0.1:40000".parse().expect("an address"));
        if let Some(token) = ask.token {
            request = request.insert_header(("Authorization", format!("Bearer {token}")));
        }
        for authorization in ask.authorizations {
            request = request.append_header(("Authorization", *authorization));
        }
        let response = app.call(request.to_request()).await.expect("an answer");
        last = Some(response);
    }
    let response = last.expect("at least one request");
    let status = response.status();
    let headers = response.headers().clone();
    let body = to_bytes(response.into_body())
        .await
        .unwrap_or_else(|_| panic!("the body of a {status} is read whole"));
    let json = serde_json::from_slice(&body).unwrap_or(Value::Null);
    (status, headers, json)
}

fn content_type(headers: &HeaderMap) -> &str {
    headers
        .get("content-type")
        .and_then(|value| value.to_str().ok())
        .unwrap_or_default()
}

#[actix_web::test]
async fn found_customers_are_200_with_their_json() {
    let (status, headers, body) = answer(
        Store::Finds(vec![customer(7), customer(9)]),
        Auth::Off,
        "100/s",
        &[get(LOOKUP)],
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(content_type(&headers), "application/json; charset=utf-8");
    assert_eq!(
        headers.get("cache-control").map(HeaderValue::as_bytes),
        Some(&b"no-store"[..])
    );
    let ids: Vec<i64> = body
        .as_array()
        .expect("an array")
        .iter()
        .map(|customer| customer["customerId"].as_i64().expect("an id"))
        .collect();
    assert_eq!(ids, [7, 9]);
    assert_eq!(
        body[0]["nationality"], "Saudi",
        "lang=en names coded values in English"
    );
}

#[actix_web::test]
async fn no_match_is_200_with_an_empty_array() {
    let (status, _, body) = answer(Store::Finds(vec![]), Auth::Off, "100/s", &[get(LOOKUP)]).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body, serde_json::json!([]));
}

#[actix_web::test]
async fn invalid_input_is_400_naming_every_parameter() {
    let (status, headers, body) = answer(
        Store::Finds(vec![]),
        Auth::Off,
        "100/s",
        &[get(
            "/v1/core/customer?companyCode=jtc&mobileNumber=468617084&customerId=0&lang=en",
        )],
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(
        content_type(&headers),
        "application/problem+json; charset=utf-8"
    );
    let errors = body["errors"].as_object().expect("errors by parameter");
    assert!(errors.contains_key("mobileNumber"), "{body}");
    assert!(errors.contains_key("customerId"), "{body}");
}

#[actix_web::test]
async fn no_credential_is_401_with_a_challenge() {
    let (status, headers, body) = answer(
        Store::Finds(vec![customer(7)]),
        Auth::Companies("jtc", "jfc"),
        "100/s",
        &[get(LOOKUP)],
    )
    .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert!(headers.contains_key("www-authenticate"));
    assert_eq!(body["status"], 401);
}

#[actix_web::test]
async fn a_rejected_token_is_401() {
    let (status, headers, _) = answer(
        Store::Finds(vec![customer(7)]),
        Auth::Rejects,
        "100/s",
        &[get_with_token(LOOKUP)],
    )
    .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let challenge = headers
        .get("www-authenticate")
        .and_then(|value| value.to_str().ok())
        .unwrap_or_default();
    assert!(challenge.contains("invalid_token"), "{challenge}");
}

#[actix_web::test]
async fn two_authorization_headers_are_401_whatever_their_order() {
    // Every token is valid here: only the second header makes the request wrong.
    for authorizations in [
        &["Bearer a.signed.token", "Bearer another.signed.token"],
        &["Bearer another.signed.token", "Bearer a.signed.token"],
        &["Bearer a.signed.token", "Basic dXNlcjpwYXNz"],
        &["Basic dXNlcjpwYXNz", "Bearer a.signed.token"],
    ] {
        let ask = Ask {
            authorizations,
            ..get(LOOKUP)
        };
        let (status, headers, body) = answer(
            Store::Finds(vec![customer(7)]),
            Auth::Companies("jtc", "jfc"),
            "100/s",
            &[ask],
        )
        .await;
        assert_eq!(
            status,
            StatusCode::UNAUTHORIZED,
            "{authorizations:?}: {body}"
        );
        let challenge = headers
            .get("www-authenticate")
            .and_then(|value| value.to_str().ok())
            .unwrap_or_default();
        assert!(challenge.contains("invalid_token"), "{challenge}");
    }
    // One of them alone is let in.
    let ask = Ask {
        authorizations: &["Bearer a.signed.token"],
        ..get(LOOKUP)
    };
    let (status, _, body) = answer(
        Store::Finds(vec![customer(7)]),
        Auth::Companies("jtc", "jfc"),
        "100/s",
        &[ask],
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
}

#[actix_web::test]
async fn a_company_the_caller_may_not_search_is_403() {
    let (status, _, body) = answer(
        Store::Finds(vec![customer(7)]),
        Auth::Companies("jfc", "jlc"),
        "100/s",
        &[get_with_token(LOOKUP)],
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(body["status"], 403);
}

#[actix_web::test]
async fn an_allowed_caller_gets_200() {
    let (status, _, body) = answer(
        Store::Finds(vec![customer(7)]),
        Auth::Companies("jtc", "jfc"),
        "100/s",
        &[get_with_token(LOOKUP)],
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body[0]["customerId"], 7);
}

#[actix_web::test]
async fn a_caller_over_its_limit_is_429_with_retry_after() {
    let (status, headers, _) = answer(
        Store::Finds(vec![]),
        Auth::Companies("jtc", "jfc"),
        "1/min",
        &[get_with_token(LOOKUP), get_with_token(LOOKUP)],
    )
    .await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    assert!(headers.contains_key("retry-after"));
    assert!(headers.contains_key("ratelimit-policy"));
}

#[actix_web::test]
async fn an_unreachable_store_is_503_with_retry_after() {
    let (status, headers, body) =
        answer(Store::Unavailable, Auth::Off, "100/s", &[get(LOOKUP)]).await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
    assert!(headers.contains_key("retry-after"));
    assert_eq!(body["status"], 503);
}

#[actix_web::test]
async fn a_failing_store_is_500_showing_no_internals() {
    let (status, _, body) = answer(Store::Fails, Auth::Off, "100/s", &[get(LOOKUP)]).await;
    assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR);
    assert!(!body.to_string().contains("relation"), "{body}");
}

#[actix_web::test]
async fn an_unknown_path_is_404_and_another_method_405() {
    let (status, _, body) = answer(
        Store::Finds(vec![]),
        Auth::Off,
        "100/s",
        &[get("/v1/core/nothing")],
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(body["status"], 404);
    let post = Ask {
        method: Method::POST,
        ..get(LOOKUP)
    };
    let (status, headers, _) = answer(Store::Finds(vec![]), Auth::Off, "100/s", &[post]).await;
    assert_eq!(status, StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(
        headers.get("allow").map(HeaderValue::as_bytes),
        Some(&b"GET, HEAD"[..])
    );
}

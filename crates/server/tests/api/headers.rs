//! Response headers: content type and caching of a `200`, `X-Request-Id` everywhere.

use crate::support::{
    EXAMPLE_QUERY, LOOKUP_PATH, TestApp, TestBackend, assert_is_the_example, suite_tests,
};
use reqwest::Method;

suite_tests!("headers":
    success_is_json_in_utf8,
    success_is_not_stored_by_caches,
    empty_success_has_the_same_headers,
    every_response_carries_a_request_id,
    the_callers_request_id_is_echoed_on_every_response,
    lookups_are_not_compressed_even_when_the_client_accepts_gzip,
);

async fn success_is_json_in_utf8(backend: TestBackend) {
    let app = TestApp::spawn(backend).await;
    let response = app.lookup(EXAMPLE_QUERY).await;
    assert_eq!(response.status, 200, "{}", response.body);
    assert_eq!(
        response.header("content-type"),
        Some("application/json; charset=utf-8")
    );
}

async fn success_is_not_stored_by_caches(backend: TestBackend) {
    let app = TestApp::spawn(backend).await;
    let response = app.lookup(EXAMPLE_QUERY).await;
    assert_eq!(response.status, 200, "{}", response.body);
    assert_eq!(response.header("cache-control"), Some("no-store"));
}

async fn empty_success_has_the_same_headers(backend: TestBackend) {
    let app = TestApp::spawn(backend).await;
    let response = app.lookup("companyCode=jtc&customerId=99999&lang=en").await;
    assert_eq!(response.status, 200, "{}", response.body);
    assert_eq!(
        response.header("content-type"),
        Some("application/json; charset=utf-8")
    );
    assert_eq!(response.header("cache-control"), Some("no-store"));
    assert!(
        response
            .header("x-request-id")
            .is_some_and(|id| !id.is_empty())
    );
}

/// One request of each kind the service answers without a database problem: 200, 400,
/// 404 and 405 (503 is in `unavailable`).
fn requests_of_every_status() -> [(u16, Method, String); 4] {
    [
        (200, Method::GET, format!("{LOOKUP_PATH}?{EXAMPLE_QUERY}")),
        (
            400,
            Method::GET,
            format!("{LOOKUP_PATH}?companyCode=jtc&lang=en"),
        ),
        (
            404,
            Method::GET,
            "/v1/core/customers?companyCode=jtc".to_owned(),
        ),
        (405, Method::POST, format!("{LOOKUP_PATH}?{EXAMPLE_QUERY}")),
    ]
}

async fn every_response_carries_a_request_id(backend: TestBackend) {
    let app = TestApp::spawn(backend).await;
    let mut seen = Vec::new();
    for (status, method, path) in requests_of_every_status() {
        let response = app.request(method, &path, &[]).await;
        assert_eq!(response.status, status, "{path}: {}", response.body);
        let id = response
            .header("x-request-id")
            .unwrap_or_else(|| panic!("no X-Request-Id on the {status}"));
        assert!(!id.trim().is_empty(), "empty X-Request-Id on the {status}");
        seen.push(id.to_owned());
    }
    seen.sort();
    seen.dedup();
    assert_eq!(seen.len(), 4, "each request has an id of its own: {seen:?}");
}

async fn the_callers_request_id_is_echoed_on_every_response(backend: TestBackend) {
    let app = TestApp::spawn(backend).await;
    for (status, method, path) in requests_of_every_status() {
        let id = format!("caller-{status}-7f3a9c");
        let response = app.request(method, &path, &[("X-Request-Id", &id)]).await;
        assert_eq!(response.status, status, "{path}: {}", response.body);
        assert_eq!(
            response.header("x-request-id"),
            Some(id.as_str()),
            "{status}"
        );
    }
}

/// Customer data is a few KiB: lookups are sent plain, whatever the client accepts, and
/// their body stays the contract's JSON.
async fn lookups_are_not_compressed_even_when_the_client_accepts_gzip(backend: TestBackend) {
    let app = TestApp::spawn(backend).await;
    let response = app
        .request(
            Method::GET,
            &format!("{LOOKUP_PATH}?{EXAMPLE_QUERY}"),
            &[("accept-encoding", "gzip")],
        )
        .await;
    assert_eq!(response.header("content-encoding"), None);
    assert_is_the_example(&response, "");
    let problem = app
        .request(
            Method::GET,
            &format!("{LOOKUP_PATH}?companyCode=jtc&lang=en"),
            &[("accept-encoding", "gzip")],
        )
        .await;
    assert_eq!(problem.status, 400, "{}", problem.body);
    assert_eq!(problem.header("content-encoding"), None);
    problem.problem();
}

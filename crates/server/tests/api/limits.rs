//! `server.max_query_length`: a longer query string is a `400` problem (not a dropped
//! connection); one at the limit is served.

use std::time::Duration;

use crate::support::{
    EXAMPLE_QUERY, EXAMPLE_RESPONSE, TestApp, TestBackend, TestDatabase, TestResponse, has_arabic,
    suite_tests, test_settings, url_string,
};
use serde_json::Value;

suite_tests!("limits":
    a_query_string_longer_than_the_limit_is_a_400_problem,
    a_query_string_at_the_limit_is_served,
    the_limit_follows_the_setting,
    a_request_head_not_sent_in_time_gets_an_empty_408,
);

/// The default of `server.max_query_length`.
const DEFAULT_LIMIT: usize = 2048;

/// The example query, padded with an ignored parameter to exactly `len` bytes.
fn query_of_length(len: usize, lang: &str) -> String {
    let base = format!(
        "{}&pad=",
        EXAMPLE_QUERY.replace("lang=ar", &format!("lang={lang}"))
    );
    assert!(len >= base.len(), "{len} leaves room for the example");
    let query = format!("{base}{}", "x".repeat(len - base.len()));
    assert_eq!(query.len(), len);
    query
}

fn assert_too_long(response: &TestResponse, limit: usize, lang: &str, len: usize) {
    assert_eq!(
        response.status, 400,
        "a {len}-byte query: {}",
        response.body
    );
    let problem = response.problem();
    assert_eq!(
        problem["type"], "/problems/query-too-long",
        "{}",
        response.body
    );
    let detail = problem["detail"].as_str().unwrap_or_default();
    assert!(
        detail.contains(&limit.to_string()),
        "the detail names the limit: {detail:?}"
    );
    let title = problem["title"].as_str().unwrap_or_default();
    assert_eq!(has_arabic(title), lang == "ar", "{title:?} in lang={lang}");
    assert!(response.header("x-request-id").is_some());
}

fn assert_example(response: &TestResponse, len: usize) {
    assert_eq!(
        response.status, 200,
        "a {len}-byte query: {}",
        response.body
    );
    let example: Value = serde_json::from_str(EXAMPLE_RESPONSE).expect("the fixture");
    assert_eq!(response.json(), example);
}

async fn a_query_string_longer_than_the_limit_is_a_400_problem(backend: TestBackend) {
    let app = TestApp::spawn(backend).await;
    for len in [DEFAULT_LIMIT + 1, 4096, 10 * 1024, 12_000] {
        for lang in ["ar", "en"] {
            let response = app.lookup(&query_of_length(len, lang)).await;
            assert_too_long(&response, DEFAULT_LIMIT, lang, len);
        }
    }
    // The connection is still usable: the service answers the next request.
    let response = app.lookup(EXAMPLE_QUERY).await;
    assert_example(&response, EXAMPLE_QUERY.len());
}

async fn a_query_string_at_the_limit_is_served(backend: TestBackend) {
    let app = TestApp::spawn(backend).await;
    for len in [DEFAULT_LIMIT, DEFAULT_LIMIT - 1] {
        let response = app.lookup(&query_of_length(len, "ar")).await;
        assert_example(&response, len);
    }
}

async fn the_limit_follows_the_setting(backend: TestBackend) {
    let database = TestDatabase::with_demo_data(backend).await;
    let mut settings = test_settings(&url_string(database.url()));
    let limit = 200;
    settings.server.max_query_length = limit;
    let app = TestApp::spawn_with(settings, Some(database)).await;
    assert_example(&app.lookup(&query_of_length(limit, "ar")).await, limit);
    for len in [limit + 1, DEFAULT_LIMIT] {
        assert_too_long(
            &app.lookup(&query_of_length(len, "en")).await,
            limit,
            "en",
            len,
        );
    }
}

/// `server.client_request_timeout_ms`: a client that has not sent its whole request head
/// in time gets `408` and the connection is closed. actix-http writes that answer
/// itself, before any route or middleware sees the request, with an empty body: it
/// cannot be a problem+json (the README says so). This pins the behaviour described.
async fn a_request_head_not_sent_in_time_gets_an_empty_408(_backend: TestBackend) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut settings = test_settings("postgres://postgres@127.0.0.1:1/none");
    settings.server.client_request_timeout = Duration::from_millis(300);
    let app = TestApp::spawn_with(settings, None).await;
    let address = app.address.trim_start_matches("http://");
    let mut stream = tokio::net::TcpStream::connect(address)
        .await
        .expect("a connection");
    stream
        .write_all(b"GET /v1/core/customer?companyCode=jtc&lang=en HTTP/1.1\r\nHost: x\r\n")
        .await
        .expect("half a request head is sent");
    let mut answer = Vec::new();
    tokio::time::timeout(Duration::from_secs(10), stream.read_to_end(&mut answer))
        .await
        .expect("the service answers and closes within the timeout")
        .expect("the answer is read");
    let answer = String::from_utf8_lossy(&answer).to_lowercase();
    assert!(answer.starts_with("http/1.1 408"), "{answer}");
    assert!(answer.contains("content-length: 0\r\n"), "{answer}");
    assert!(answer.ends_with("\r\n\r\n"), "no body: {answer}");
    for header in ["content-type", "x-request-id"] {
        assert!(!answer.contains(header), "no {header}: {answer}");
    }
}

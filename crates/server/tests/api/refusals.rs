//! Refusals beyond the credential check: `429` over a caller's rate limit or after too
//! many failed authentications, what needs no credential, the refusals' metrics, the admin
//! listener, and how the served document declares all of it.

use std::net::{Ipv4Addr, Ipv6Addr};
use std::time::{Duration, Instant};

use crate::support::{
    EXAMPLE_QUERY, LOOKUP_PATH, TestApp, TestBackend, TestResponse, UNCHECKABLE_KEY, add_client,
    assert_is_the_example, has_arabic, rate_limit, send, suite_tests,
};
use reqwest::Method;
use serde_json::json;

use crate::auth::{
    INVALID_TOKEN_CHALLENGE, assert_rate_limited, assert_unauthenticated, bearer,
    database_and_settings, example_in_english, lookup_as,
};
use crate::metrics::{count, parse};
use crate::openapi::{assert_documented, served_document};

suite_tests!("refusals":
    over_its_rate_limit_a_caller_gets_429_and_other_callers_do_not,
    failed_authentications_block_the_address_until_the_window_passes,
    behind_a_trusted_proxy_failures_count_against_the_forwarded_address,
    probes_and_documentation_need_no_credential,
    refusals_are_counted_by_caller_and_status,
    with_an_admin_port_metrics_leave_the_api_port,
    the_document_declares_the_bearer_scheme_and_the_refusals,
    refusals_match_the_served_schema,
);

async fn over_its_rate_limit_a_caller_gets_429_and_other_callers_do_not(backend: TestBackend) {
    let app = TestApp::spawn(backend).await;
    let url = app.database().expect("a database").url().clone();
    let slow = add_client(&url, "slow", "all", Some("3/s")).await;
    let other = add_client(&url, "slow-too", "all", Some("3/s")).await;
    let query = example_in_english();
    let started = Instant::now();
    let mut responses = Vec::new();
    let mut sent_at = Vec::new();
    for _ in 0..10 {
        sent_at.push(started.elapsed());
        responses.push(lookup_as(&app, &slow, &query).await);
    }
    let elapsed = started.elapsed();
    let statuses: Vec<u16> = responses.iter().map(|r| r.status).collect();
    assert!(
        statuses.iter().all(|status| [200, 429].contains(status)),
        "{statuses:?}"
    );
    assert_eq!(statuses[..3], [200, 200, 200], "a burst of 3: {statuses:?}");
    // Past the burst, one more lookup every third of a second: however slow this
    // machine, the k-th lookup is let through only if the time since the first allows.
    let mut allowed = 0;
    for (status, sent) in statuses.iter().zip(&sent_at) {
        allowed += usize::from(*status == 200);
        let refill = usize::try_from(sent.as_millis() / 333).unwrap_or(usize::MAX);
        assert!(
            allowed <= 3 + refill,
            "{allowed} allowed by {sent:?}: {statuses:?} sent at {sent_at:?}"
        );
    }
    if elapsed < Duration::from_secs(2) {
        assert!(allowed < 10, "10 lookups in {elapsed:?}, none refused");
    }
    for response in responses.iter().filter(|r| r.status == 429) {
        assert_rate_limited(response, "caller", 3, "the caller's limit");
        let title = response.problem()["title"]
            .as_str()
            .unwrap_or_default()
            .to_owned();
        assert!(!has_arabic(&title), "lang=en: {title}");
    }
    // Other callers keep their own budgets: one of the same limit, and the suite's.
    for _ in 0..3 {
        let response = lookup_as(&app, &other, &query).await;
        assert_eq!(response.status, 200, "another client: {}", response.body);
    }
    assert_eq!(app.lookup(&query).await.status, 200);
    // Once its wait is over, the limited caller is served again.
    let retry_after = responses
        .iter()
        .rev()
        .find(|r| r.status == 429)
        .map(|r| assert_rate_limited(r, "caller", 3, "the last 429"))
        .expect("a 429");
    tokio::time::sleep(Duration::from_secs(retry_after)).await;
    assert_eq!(lookup_as(&app, &slow, &query).await.status, 200);
}

async fn failed_authentications_block_the_address_until_the_window_passes(backend: TestBackend) {
    let (database, _url, mut settings) = database_and_settings(backend).await;
    settings.auth.failed_auth_rate_limit = rate_limit("5/s");
    let app = TestApp::spawn_with(settings, Some(database)).await;
    let good = app.key.clone().expect("the suite's key");
    let query = example_in_english();
    for attempt in 1..=5 {
        let response = lookup_as(&app, &format!("wrong-{attempt}"), &query).await;
        assert_unauthenticated(&response, INVALID_TOKEN_CHALLENGE, "a bad credential");
    }
    let mut retry_after = 0;
    for attempt in 6..=7 {
        let response = lookup_as(&app, &format!("wrong-{attempt}"), &query).await;
        retry_after = assert_rate_limited(&response, "failed-auth", 5, "the 6th bad credential on");
    }
    // The address is blocked: its good credentials too, until the window passes.
    let blocked = lookup_as(&app, &good, &query).await;
    assert_rate_limited(
        &blocked,
        "failed-auth",
        5,
        "a good key from a blocked address",
    );
    assert!(!blocked.body.contains("customerId"));
    tokio::time::sleep(Duration::from_secs(retry_after)).await;
    let response = lookup_as(&app, &good, EXAMPLE_QUERY).await;
    assert_is_the_example(&response, "after the window");
}

/// Behind a load balancer (every connection from 127.0.0.1), listed in
/// `auth.trusted_proxies`: one client's failed attempts block the address the balancer
/// forwards, not the balancer's, so other clients go on; an address the client wrote
/// before the balancer's own does not get it out. Unlisted, the balancer's address is
/// every client's, and all are blocked together.
async fn behind_a_trusted_proxy_failures_count_against_the_forwarded_address(backend: TestBackend) {
    for trusted in [true, false] {
        let (database, _url, mut settings) = database_and_settings(backend).await;
        settings.auth.failed_auth_rate_limit = rate_limit("3/min");
        if trusted {
            settings.auth.trusted_proxies =
                vec![Ipv4Addr::LOCALHOST.into(), Ipv6Addr::LOCALHOST.into()];
        }
        let app = TestApp::spawn_with(settings, Some(database)).await;
        let good = bearer(&app.key.clone().expect("the suite's key"));
        let path = format!("{LOOKUP_PATH}?{}", example_in_english());
        let from = |forwarded: &'static str, authorization: String| {
            let app = &app;
            let path = path.clone();
            async move {
                app.request(
                    Method::GET,
                    &path,
                    &[
                        ("x-forwarded-for", forwarded),
                        ("authorization", authorization.as_str()),
                    ],
                )
                .await
            }
        };
        for attempt in 1..=3 {
            let response = from("10.0.0.1", bearer(&format!("wrong-{attempt}"))).await;
            assert_unauthenticated(&response, INVALID_TOKEN_CHALLENGE, "a bad credential");
        }
        // A window of a minute: the blocks below outlast a slow machine's test.
        let blocked = |response: &TestResponse| {
            response.status == 429
                && response
                    .header("ratelimit-policy")
                    .is_some_and(|policy| policy.starts_with("\"failed-auth\""))
        };
        let response = from("10.0.0.1", bearer("wrong-4")).await;
        assert!(blocked(&response), "the 4th bad credential: {response:?}");
        let other = from("10.0.0.2", good.clone()).await;
        let spoofed = from("10.0.0.2, 10.0.0.1", good.clone()).await;
        if trusted {
            assert_eq!(other.status, 200, "another client: {}", other.body);
            assert!(blocked(&spoofed), "an address written before: {spoofed:?}");
        } else {
            assert!(blocked(&other), "every client of the balancer: {other:?}");
        }
    }
}

async fn probes_and_documentation_need_no_credential(backend: TestBackend) {
    let app = TestApp::spawn(backend).await;
    for path in [
        "/health/live",
        "/health/ready",
        "/openapi.json",
        "/docs/",
        "/metrics",
    ] {
        let response = send(
            &app.client,
            Method::GET,
            &format!("{}{path}", app.address),
            &[],
        )
        .await;
        assert_eq!(response.status, 200, "{path}: {}", response.body);
        assert!(response.header("www-authenticate").is_none(), "{path}");
    }
    let response = app.lookup_with(None, EXAMPLE_QUERY).await;
    assert_eq!(response.status, 401, "the lookup does need one");
}

/// `http_refused_requests_total` of `caller` and `status`, 0 when absent.
fn refused(samples: &[crate::metrics::Sample], caller: &str, status: &str) -> u64 {
    count(
        samples,
        "http_refused_requests_total",
        &[("caller", caller), ("status", status)],
    )
}

async fn refusals_are_counted_by_caller_and_status(backend: TestBackend) {
    let app = TestApp::spawn(backend).await;
    let url = app.database().expect("a database").url().clone();
    let jtc = add_client(&url, "jtc-only", "jtc", None).await;
    let slow = add_client(&url, "slow", "all", Some("1/s")).await;
    let query = example_in_english();
    // 401: 2 without a credential, 3 with bad ones.
    for _ in 0..2 {
        assert_eq!(app.lookup_with(None, &query).await.status, 401);
    }
    for key in [UNCHECKABLE_KEY, "nope", "clk_bad"] {
        assert_eq!(lookup_as(&app, key, &query).await.status, 401);
    }
    // 403: 4 by the jtc client; its 400 and 200 are not refusals.
    for company in ["jfc", "nosuch", "jfc", "JFC"] {
        let response = lookup_as(
            &app,
            &jtc,
            &format!("companyCode={company}&customerId=1&lang=en"),
        )
        .await;
        assert_eq!(response.status, 403, "{}", response.body);
    }
    assert_eq!(
        lookup_as(&app, &jtc, "companyCode=jfc&mobileNumber=4&lang=en")
            .await
            .status,
        400
    );
    assert_eq!(lookup_as(&app, &jtc, &query).await.status, 200);
    // 429: as many as the slow client gets.
    let mut limited = 0;
    for _ in 0..5 {
        match lookup_as(&app, &slow, &query).await.status {
            429 => limited += 1,
            200 => {}
            other => panic!("the slow client got {other}"),
        }
    }
    assert!(
        limited >= 3,
        "{limited} of 5 quick lookups at 1/s were refused"
    );

    let samples = parse(&app.get("/metrics").await.body);
    assert_eq!(refused(&samples, "-", "401"), 5);
    assert_eq!(refused(&samples, "jtc-only", "403"), 4);
    assert_eq!(refused(&samples, "slow", "429"), limited);
    for (caller, status) in [
        ("jtc-only", "401"),
        ("jtc-only", "429"),
        ("jtc-only", "400"),
        ("slow", "403"),
        ("-", "429"),
        ("test-suite", "403"),
    ] {
        assert_eq!(refused(&samples, caller, status), 0, "{caller} {status}");
    }
}

async fn with_an_admin_port_metrics_leave_the_api_port(backend: TestBackend) {
    let (database, _url, mut settings) = database_and_settings(backend).await;
    settings.server.admin_port = Some(0);
    let app = TestApp::spawn_with(settings, Some(database)).await;
    let admin = app.admin_address().expect("an admin listener");
    assert_ne!(admin, app.address);
    assert_eq!(app.lookup_with(None, EXAMPLE_QUERY).await.status, 401);

    let on_api = app.get("/metrics").await;
    assert_eq!(on_api.status, 404, "{}", on_api.body);
    on_api.problem();
    let metrics = send(&app.client, Method::GET, &format!("{admin}/metrics"), &[]).await;
    assert_eq!(metrics.status, 200, "{}", metrics.body);
    let samples = parse(&metrics.body);
    assert_eq!(refused(&samples, "-", "401"), 1);
    // The admin port serves nothing else.
    let url = format!("{admin}/v1/core/customer?{EXAMPLE_QUERY}");
    let bearer = bearer(app.key.as_deref().expect("the suite's key"));
    let lookup = send(
        &app.client,
        Method::GET,
        &url,
        &[("authorization", &bearer)],
    )
    .await;
    assert_eq!(lookup.status, 404, "{}", lookup.body);
}

async fn the_document_declares_the_bearer_scheme_and_the_refusals(backend: TestBackend) {
    let app = TestApp::spawn(backend).await;
    let document = served_document(&app).await;
    let scheme = &document["components"]["securitySchemes"]["bearer"];
    assert_eq!(scheme["type"], "http", "{scheme}");
    assert_eq!(
        scheme["scheme"]
            .as_str()
            .map(str::to_ascii_lowercase)
            .as_deref(),
        Some("bearer"),
        "{scheme}"
    );
    let lookup = document
        .pointer("/paths/~1v1~1core~1customer/get")
        .expect("the lookup operation");
    assert_eq!(lookup["security"], json!([{ "bearer": [] }]));
    let responses = &lookup["responses"];
    for status in ["401", "403", "429"] {
        assert!(
            responses[status]["content"]["application/problem+json"].is_object(),
            "{status} is documented as a problem: {}",
            responses[status]
        );
    }
    let header = |status: &str, name: &str| responses[status]["headers"][name].is_object();
    assert!(header("401", "WWW-Authenticate"));
    for name in ["Retry-After", "RateLimit", "RateLimit-Policy"] {
        assert!(header("429", name), "429 documents {name}");
    }
    // The probes need no credential, and nothing requires one for every operation.
    assert!(
        document
            .get("security")
            .is_none_or(|security| security == &json!([]))
    );
    for path in ["/health/live", "/health/ready"] {
        let operation = &document["paths"][path]["get"];
        assert!(operation.is_object(), "{path} is documented");
        assert!(
            operation
                .get("security")
                .is_none_or(|security| security == &json!([])),
            "{path} needs no credential: {operation}"
        );
    }
}

async fn refusals_match_the_served_schema(backend: TestBackend) {
    let app = TestApp::spawn(backend).await;
    let url = app.database().expect("a database").url().clone();
    let jtc = add_client(&url, "jtc-only", "jtc", None).await;
    let slow = add_client(&url, "slow", "all", Some("1/s")).await;
    let document = served_document(&app).await;
    let path = "/v1/core/customer";
    for lang in ["ar", "en"] {
        let query = EXAMPLE_QUERY.replace("lang=ar", &format!("lang={lang}"));
        let missing = app.lookup_with(None, &query).await;
        assert_documented(&document, path, &missing, "no credential");
        let invalid = lookup_as(&app, UNCHECKABLE_KEY, &query).await;
        assert_documented(&document, path, &invalid, "an unknown key");
        let forbidden = lookup_as(
            &app,
            &jtc,
            &query.replace("companyCode=jtc", "companyCode=jfc"),
        )
        .await;
        assert_eq!(forbidden.status, 403);
        assert_documented(&document, path, &forbidden, "a company not allowed");
        let mut limited = lookup_as(&app, &slow, &query).await;
        for _ in 0..5 {
            if limited.status != 200 {
                break;
            }
            limited = lookup_as(&app, &slow, &query).await;
        }
        assert_eq!(limited.status, 429, "{}", limited.body);
        assert_documented(&document, path, &limited, "over the rate limit");
    }
}

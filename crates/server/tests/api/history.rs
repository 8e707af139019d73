//! Lookups as of a moment (`asOf`) and the versions of one customer
//! (`/v1/core/customer/versions`), over the demo data: customer 54221 of `jtc` has
//! version 1 from 2024-09-01 08:00 to 2025-10-12 09:30 (local times, `+03:00`), mobile
//! 551234567, and version 2 since, mobile 553456789.

use serde_json::{Value, json};

use crate::db::audit_rows;
use crate::support::{TestApp, TestBackend, TestResponse, add_client, suite_tests};

suite_tests!("history":
    as_of_answers_the_versions_valid_then_with_their_end_date,
    as_of_in_the_future_or_unparseable_is_a_400_on_as_of,
    the_versions_of_a_customer_are_listed_newest_first,
    the_versions_list_is_refused_like_the_lookup,
    lookups_as_of_and_versions_lists_are_audited,
);

const VERSIONS_PATH: &str = "/v1/core/customer/versions";

async fn get_as(app: &TestApp, request_id: &str, path_and_query: &str) -> TestResponse {
    app.request(
        reqwest::Method::GET,
        path_and_query,
        &[("x-request-id", request_id)],
    )
    .await
}

/// `(customerId, customerVersionId, endDate)` of each customer of a `200`.
fn versions(response: &TestResponse) -> Vec<(i64, i64, Value)> {
    assert_eq!(response.status, 200, "{}", response.body);
    response
        .customers()
        .iter()
        .map(|c| {
            (
                c["customerId"].as_i64().expect("customerId"),
                c["customerVersionId"].as_i64().expect("customerVersionId"),
                c["endDate"].clone(),
            )
        })
        .collect()
}

async fn as_of_answers_the_versions_valid_then_with_their_end_date(backend: TestBackend) {
    let app = TestApp::spawn(backend).await;
    let closed = json!("2025-10-12T09:30:00");
    for (as_of, expected) in [
        ("2025-01-01T00:00:00Z", vec![(54221, 1, closed.clone())]),
        // 09:30 local is 06:30 UTC: the end is exclusive.
        ("2025-10-12T06:29:59Z", vec![(54221, 1, closed.clone())]),
        ("2025-10-12T06:30:00Z", vec![(54221, 2, Value::Null)]),
        ("2025-10-12T09:30:00%2B03:00", vec![(54221, 2, Value::Null)]),
        ("2024-09-01T04:59:59Z", vec![]),
    ] {
        let response = app
            .lookup(&format!(
                "companyCode=jtc&customerId=54221&lang=en&asOf={as_of}"
            ))
            .await;
        assert_eq!(versions(&response), expected, "asOf={as_of}");
    }
    // The old mobile number finds version 1 as of its time, not now.
    let old = app
        .lookup("companyCode=jtc&mobileNumber=551234567&lang=en&ASOF=2025-01-01T00:00:00Z")
        .await;
    assert!(versions(&old).contains(&(54221, 1, closed)), "{}", old.body);
    let now = app
        .lookup("companyCode=jtc&mobileNumber=551234567&lang=en")
        .await;
    assert!(!now.customer_ids().contains(&54221), "{}", now.body);
    // A blank asOf is no asOf: today's answer.
    let blank = app
        .lookup("companyCode=jtc&customerId=54221&lang=en&asOf=")
        .await;
    assert_eq!(versions(&blank), [(54221, 2, Value::Null)]);
}

async fn as_of_in_the_future_or_unparseable_is_a_400_on_as_of(backend: TestBackend) {
    let app = TestApp::spawn(backend).await;
    for (as_of, lang, message) in [
        ("2999-01-01T00:00:00Z", "en", "must not be in the future"),
        ("2999-01-01T00:00:00Z", "ar", "يجب ألا يكون في المستقبل"),
        ("yesterday", "en", "RFC 3339"),
        ("2025-01-01", "ar", "RFC 3339"),
    ] {
        let response = app
            .lookup(&format!(
                "companyCode=jtc&customerId=54221&lang={lang}&asOf={as_of}"
            ))
            .await;
        let errors = response.validation_errors();
        assert_eq!(
            errors.keys().collect::<Vec<_>>(),
            ["asOf"],
            "{as_of}: {}",
            response.body
        );
        assert!(
            errors["asOf"][0]
                .as_str()
                .is_some_and(|text| text.contains(message)),
            "{as_of} lang={lang}: {}",
            response.body
        );
    }
    let repeated = app
        .lookup("companyCode=jtc&customerId=54221&lang=en&asOf=2025-01-01T00:00:00Z&asof=x")
        .await;
    assert!(
        repeated.validation_errors().contains_key("asOf"),
        "{}",
        repeated.body
    );
}

async fn the_versions_of_a_customer_are_listed_newest_first(backend: TestBackend) {
    let app = TestApp::spawn(backend).await;
    let response = app
        .get(&format!(
            "{VERSIONS_PATH}?companyCode=JTC&customerId=54221&lang=ar"
        ))
        .await;
    assert_eq!(
        versions(&response),
        [
            (54221, 2, Value::Null),
            (54221, 1, json!("2025-10-12T09:30:00")),
        ]
    );
    assert_eq!(response.header("cache-control"), Some("no-store"));
    let customers = response.customers();
    assert_eq!(customers[0]["mobileNumber"], "553456789");
    assert_eq!(customers[1]["mobileNumber"], "551234567");
    let none = app
        .get(&format!(
            "{VERSIONS_PATH}?companyCode=jfc&customerId=54221&lang=en"
        ))
        .await;
    assert_eq!(versions(&none), []);
}

async fn the_versions_list_is_refused_like_the_lookup(backend: TestBackend) {
    let app = TestApp::spawn(backend).await;
    let invalid = app
        .get(&format!(
            "{VERSIONS_PATH}?companyCode=jtc&lang=en&customerId=0"
        ))
        .await;
    assert!(
        invalid.validation_errors().contains_key("customerId"),
        "{}",
        invalid.body
    );
    let missing = app
        .get(&format!("{VERSIONS_PATH}?companyCode=nope&lang=ar"))
        .await;
    let errors = missing.validation_errors();
    assert!(
        errors.contains_key("customerId") && errors.contains_key("companyCode"),
        "{}",
        missing.body
    );
    let url = app.database().expect("a database").url().clone();
    let jfc_only = add_client(&url, "jfc-only", "jfc", None).await;
    let forbidden = app
        .request(
            reqwest::Method::GET,
            &format!("{VERSIONS_PATH}?companyCode=jtc&customerId=54221&lang=en"),
            &[("authorization", &format!("Bearer {jfc_only}"))],
        )
        .await;
    assert_eq!(forbidden.status, 403, "{}", forbidden.body);
    forbidden.problem();
    let unauthenticated = app
        .request(
            reqwest::Method::GET,
            &format!("{VERSIONS_PATH}?companyCode=jtc&customerId=54221&lang=en"),
            &[("authorization", "")],
        )
        .await;
    assert_eq!(unauthenticated.status, 401, "{}", unauthenticated.body);
    let posted = app
        .request(
            reqwest::Method::POST,
            &format!("{VERSIONS_PATH}?companyCode=jtc&customerId=54221&lang=en"),
            &[],
        )
        .await;
    assert_eq!(posted.status, 405, "{}", posted.body);
}

async fn lookups_as_of_and_versions_lists_are_audited(backend: TestBackend) {
    let app = TestApp::spawn(backend).await;
    let as_of = get_as(
        &app,
        "history-as-of",
        "/v1/core/customer?companyCode=jtc&customerId=54221&lang=en&asOf=2025-01-01T00:00:00Z",
    )
    .await;
    assert_eq!(as_of.status, 200, "{}", as_of.body);
    let listed = get_as(
        &app,
        "history-versions",
        &format!("{VERSIONS_PATH}?companyCode=jtc&customerId=54221&lang=en"),
    )
    .await;
    assert_eq!(listed.status, 200, "{}", listed.body);
    let refused = get_as(
        &app,
        "history-refused",
        &format!("{VERSIONS_PATH}?companyCode=jtc&lang=en"),
    )
    .await;
    assert_eq!(refused.status, 400, "{}", refused.body);

    let rows = audit_rows(app.database().expect("a database").url()).await;
    let row = |request_id: &str| {
        let matching: Vec<_> = rows.iter().filter(|r| r.request_id == request_id).collect();
        assert_eq!(matching.len(), 1, "one record of {request_id}: {rows:?}");
        matching[0].clone()
    };
    let as_of = row("history-as-of");
    assert_eq!(as_of.criteria, "customerId");
    assert_eq!(
        serde_json::from_str::<Value>(&as_of.disclosed).expect("JSON"),
        json!([{ "customerId": 54221, "customerVersionId": 1 }])
    );
    let listed = row("history-versions");
    assert_eq!(listed.criteria, "customerId");
    assert_eq!(listed.company_code, "jtc");
    assert_eq!(
        serde_json::from_str::<Value>(&listed.disclosed).expect("JSON"),
        json!([
            { "customerId": 54221, "customerVersionId": 2 },
            { "customerId": 54221, "customerVersionId": 1 },
        ])
    );
    assert!(
        rows.iter().all(|r| r.request_id != "history-refused"),
        "no record of a refused request"
    );
}

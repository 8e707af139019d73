//! The write API end to end, on each backend: `PUT` and `DELETE
//! /v1/core/customers/{companyCode}/{customerId}` and `POST /v1/core/customers:import`
//! against the real service, seen through the lookups, the versions list and the audit
//! trail.

use std::time::{Duration, Instant};

use crate::db::{AuditRow, audit_rows};
use crate::support::{
    LOOKUP_PATH, TestApp, TestBackend, TestResponse, add_client_with, has_arabic, suite_tests,
};
use reqwest::Method;
use serde_json::{Value, json};

suite_tests!("writes":
    put_creates_then_changes_then_leaves_a_customer_unchanged,
    if_match_makes_a_write_conditional,
    delete_closes_the_customer_and_history_keeps_it,
    writing_needs_the_write_permission_for_the_company,
    an_invalid_document_gets_every_problem_by_field_in_both_languages,
    a_bulk_import_reports_each_line_and_writes_the_good_ones,
    every_write_is_in_the_audit_trail,
);

/// A customer id the demo data does not have.
const NEW_CUSTOMER: i64 = 7_000_001;

/// The service over the demo data, and the key of a client that may read and write for
/// `jtc`.
async fn start(backend: TestBackend) -> (TestApp, String) {
    let app = TestApp::spawn(backend).await;
    let database = app.database().expect("a database");
    let key = add_client_with(
        database.url(),
        "core-sync",
        "jtc",
        Some("read,write"),
        Some("1000000/s"),
    )
    .await;
    (app, key)
}

/// `method path` with `body`, as `key`, with extra `headers`.
async fn send(
    app: &TestApp,
    method: Method,
    path: &str,
    key: &str,
    headers: &[(&str, &str)],
    body: &str,
) -> TestResponse {
    let mut request = app
        .client
        .request(method, format!("{}{path}", app.address))
        .header("authorization", format!("Bearer {key}"))
        .body(body.to_owned());
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    let response = request.send().await.expect("the service answers");
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    let body = response.text().await.expect("a body");
    TestResponse {
        status,
        headers,
        body,
    }
}

fn document_path(company: &str, customer: i64) -> String {
    format!("/v1/core/customers/{company}/{customer}")
}

/// A document of the new customer with `first_name`, a mobile number, one contact and
/// `references`.
fn document(first_name: &str, references: &[&str]) -> Value {
    json!({
        "companyCode": "jtc",
        "customerId": NEW_CUSTOMER,
        "firstName": first_name,
        "mobileNumber": "٥٠٠١٢٣٤٥٦",
        "nationalityId": 1,
        "customerContacts": [{"contactNumber": "0112345678", "relationTypeId": 1, "primaryContact": true}],
        "referenceNos": references,
    })
}

async fn put(app: &TestApp, key: &str, headers: &[(&str, &str)], document: &Value) -> TestResponse {
    send(
        app,
        Method::PUT,
        &document_path("jtc", NEW_CUSTOMER),
        key,
        headers,
        &document.to_string(),
    )
    .await
}

async fn lookup(app: &TestApp, key: &str, query: &str) -> Vec<Value> {
    let response = send(
        app,
        Method::GET,
        &format!("{LOOKUP_PATH}?{query}"),
        key,
        &[],
        "",
    )
    .await;
    assert_eq!(response.status, 200, "{}", response.body);
    response.customers()
}

async fn versions(app: &TestApp, key: &str) -> Vec<Value> {
    let path =
        format!("/v1/core/customer/versions?companyCode=jtc&customerId={NEW_CUSTOMER}&lang=en");
    let response = send(app, Method::GET, &path, key, &[], "").await;
    assert_eq!(response.status, 200, "{}", response.body);
    response.customers()
}

/// A new customer gets `201`, its document and `ETag "1"`; the same document again
/// changes nothing (`200`, still version 1); a changed one makes version 2, closing
/// version 1 at its start, with its contacts and references replaced.
async fn put_creates_then_changes_then_leaves_a_customer_unchanged(backend: TestBackend) {
    let (app, key) = start(backend).await;
    let created = put(&app, &key, &[], &document("Sara", &["P-1"])).await;
    assert_eq!(created.status, 201, "{}", created.body);
    assert_eq!(created.header("etag"), Some("\"1\""));
    assert_eq!(
        created.header("location"),
        Some(document_path("jtc", NEW_CUSTOMER).as_str())
    );
    let body = created.json();
    assert_eq!(body["companyCode"], "jtc");
    assert_eq!(body["customerVersionId"], 1);
    assert_eq!(
        body["mobileNumber"], "500123456",
        "Arabic-Indic digits stored as ASCII"
    );
    assert_eq!(body["referenceNos"], json!(["P-1"]));
    assert_eq!(body["nationality"].as_str().map(has_arabic), Some(false));
    let found = lookup(&app, &key, "companyCode=jtc&mobileNumber=500123456&lang=en").await;
    assert_eq!(found.len(), 1);
    assert_eq!(found[0]["customerId"], NEW_CUSTOMER);

    let again = put(&app, &key, &[], &document("Sara", &["P-1"])).await;
    assert_eq!(again.status, 200, "{}", again.body);
    assert_eq!(again.header("etag"), Some("\"1\""), "no new version");
    assert_eq!(versions(&app, &key).await.len(), 1);

    let changed = put(&app, &key, &[], &document("Sarah", &["P-2"])).await;
    assert_eq!(changed.status, 200, "{}", changed.body);
    assert_eq!(changed.header("etag"), Some("\"2\""));
    assert_eq!(changed.json()["referenceNos"], json!(["P-2"]));
    let listed = versions(&app, &key).await;
    assert_eq!(listed.len(), 2);
    assert_eq!(listed[0]["firstName"], "Sarah");
    assert_eq!(listed[1]["firstName"], "Sara");
    assert_eq!(
        listed[1]["endDate"], listed[0]["startDate"],
        "closed at the new start"
    );
    assert!(listed[0]["endDate"].is_null());
    // The reference moved with the version: the old one no longer finds the customer.
    assert!(
        lookup(&app, &key, "companyCode=jtc&referenceNo=P-1&lang=en")
            .await
            .is_empty()
    );
    assert_eq!(
        lookup(&app, &key, "companyCode=jtc&referenceNo=P-2&lang=en")
            .await
            .len(),
        1
    );
}

/// `If-Match` naming the current version writes; naming another one is a `412` that
/// writes nothing; a value that is no entity tag is a `400` on `If-Match`.
async fn if_match_makes_a_write_conditional(backend: TestBackend) {
    let (app, key) = start(backend).await;
    assert_eq!(
        put(&app, &key, &[], &document("Sara", &[])).await.status,
        201
    );
    let stale = put(&app, &key, &[("if-match", "\"2\"")], &document("Omar", &[])).await;
    assert_eq!(stale.status, 412, "{}", stale.body);
    assert_eq!(stale.problem()["type"], "/problems/precondition-failed");
    assert!(
        stale.problem()["detail"]
            .as_str()
            .unwrap_or("")
            .contains("is 1")
    );
    assert_eq!(versions(&app, &key).await.len(), 1, "nothing written");
    let current = put(&app, &key, &[("if-match", "\"1\"")], &document("Omar", &[])).await;
    assert_eq!(current.status, 200, "{}", current.body);
    assert_eq!(current.header("etag"), Some("\"2\""));
    // The document's pattern: quoted, no sign, no leading zero, at most 9 digits.
    for malformed in ["two", "2", "\"02\"", "\"+2\"", "\"1234567890\"", "null"] {
        let refused = put(
            &app,
            &key,
            &[("if-match", malformed)],
            &document("Ali", &[]),
        )
        .await;
        assert_eq!(refused.status, 400, "{malformed}: {}", refused.body);
        assert!(
            refused.validation_errors().contains_key("If-Match"),
            "{}",
            refused.body
        );
    }
    let weak = put(
        &app,
        &key,
        &[("if-match", "W/\"2\"")],
        &document("Ali", &[]),
    )
    .await;
    assert_eq!(weak.status, 200, "{}", weak.body);
}

/// `DELETE` closes the current version: lookups no longer find the customer, the
/// versions list still shows it with its end; a second `DELETE` is a `404`.
async fn delete_closes_the_customer_and_history_keeps_it(backend: TestBackend) {
    let (app, key) = start(backend).await;
    assert_eq!(
        put(&app, &key, &[], &document("Sara", &[])).await.status,
        201
    );
    let path = document_path("jtc", NEW_CUSTOMER);
    let closed = send(&app, Method::DELETE, &path, &key, &[], "").await;
    assert_eq!(closed.status, 200, "{}", closed.body);
    let body = closed.json();
    assert_eq!(body["deleted"], true);
    assert_eq!(body["customerId"], NEW_CUSTOMER);
    let query = format!("companyCode=jtc&customerId={NEW_CUSTOMER}&lang=en");
    assert!(lookup(&app, &key, &query).await.is_empty());
    let listed = versions(&app, &key).await;
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0]["endDate"], body["endDate"]);
    let again = send(&app, Method::DELETE, &path, &key, &[], "").await;
    assert_eq!(again.status, 404, "{}", again.body);
    // Written again, it is found again, as version 2.
    let back = put(&app, &key, &[], &document("Sara", &[])).await;
    assert_eq!(back.status, 201, "{}", back.body);
    assert_eq!(back.header("etag"), Some("\"2\""));
    assert_eq!(lookup(&app, &key, &query).await.len(), 1);
}

/// A client that may only read, or write for other companies, gets `403` before
/// anything is read: the same answer whether or not the company or customer exists.
async fn writing_needs_the_write_permission_for_the_company(backend: TestBackend) {
    let (app, writer) = start(backend).await;
    let database = app.database().expect("a database");
    let reader = add_client_with(database.url(), "reader", "jtc", None, None).await;
    let body = document("Sara", &[]).to_string();
    let mut details = Vec::new();
    for path in [
        document_path("jtc", NEW_CUSTOMER),
        document_path("jtc", 54218),
        document_path("nosuchco", 1),
    ] {
        let refused = send(&app, Method::PUT, &path, &reader, &[], &body).await;
        assert_eq!(refused.status, 403, "{path}: {}", refused.body);
        details.push(refused.body.clone());
        let refused = send(&app, Method::DELETE, &path, &reader, &[], "").await;
        assert_eq!(refused.status, 403, "{path}: {}", refused.body);
    }
    assert!(
        details.windows(2).all(|pair| pair[0] == pair[1]),
        "{details:?}"
    );
    assert!(details[0].contains("may only read"), "{}", details[0]);
    let other = send(
        &app,
        Method::PUT,
        &document_path("jfc", NEW_CUSTOMER),
        &writer,
        &[],
        &body,
    )
    .await;
    assert_eq!(other.status, 403, "{}", other.body);
    assert!(
        other.body.contains("jtc"),
        "names what it may write for: {}",
        other.body
    );
    assert!(versions(&app, &writer).await.is_empty(), "nothing written");
}

/// Every problem of a document is listed by field, in the request's language, and the
/// document may not name another customer than its path.
async fn an_invalid_document_gets_every_problem_by_field_in_both_languages(backend: TestBackend) {
    let (app, key) = start(backend).await;
    let bad = json!({
        "customerId": NEW_CUSTOMER + 1,
        "mobileNumber": "468",
        "nationalityId": 999_999,
        "isActive": "yes",
        "shoeSize": 42,
        "customerContacts": [{"contactNumber": "05x"}],
        "referenceNos": [""],
    });
    for lang in ["en", "ar"] {
        let path = format!("{}?lang={lang}", document_path("jtc", NEW_CUSTOMER));
        let response = send(&app, Method::PUT, &path, &key, &[], &bad.to_string()).await;
        assert_eq!(response.status, 400, "{}", response.body);
        let errors = response.validation_errors();
        for field in [
            "customerId",
            "mobileNumber",
            "nationalityId",
            "isActive",
            "shoeSize",
            "customerContacts[0].contactNumber",
            "referenceNos[0]",
        ] {
            let messages = errors
                .get(field)
                .unwrap_or_else(|| panic!("{field}: {errors:?}"));
            let text = messages[0].as_str().unwrap_or_default();
            assert_eq!(has_arabic(text), lang == "ar", "{field}: {text}");
        }
    }
    let not_json = send(
        &app,
        Method::PUT,
        &document_path("jtc", NEW_CUSTOMER),
        &key,
        &[],
        "{",
    )
    .await;
    assert_eq!(not_json.status, 400, "{}", not_json.body);
    assert!(not_json.validation_errors().contains_key("body"));
    assert!(versions(&app, &key).await.is_empty(), "nothing written");
}

/// `POST /v1/core/customers:import` writes the good lines and reports each one; a line
/// of a company the caller may not write for is rejected; a body over the limit is a
/// `413`.
async fn a_bulk_import_reports_each_line_and_writes_the_good_ones(backend: TestBackend) {
    let (app, key) = start(backend).await;
    let lines = [
        document("Sara", &["B-1"]).to_string(),
        json!({"companyCode": "jtc", "customerId": NEW_CUSTOMER + 1, "mobileNumber": "1"})
            .to_string(),
        json!({"companyCode": "jfc", "customerId": NEW_CUSTOMER + 2}).to_string(),
        String::new(),
        document("Sarah", &["B-1"]).to_string(),
    ]
    .join("\n");
    let response = send(
        &app,
        Method::POST,
        "/v1/core/customers:import",
        &key,
        &[],
        &lines,
    )
    .await;
    assert_eq!(response.status, 200, "{}", response.body);
    let report = response.json();
    assert_eq!(report["read"], 4, "{report}");
    assert_eq!(
        (
            report["created"].clone(),
            report["changed"].clone(),
            report["rejected"].clone()
        ),
        (json!(1), json!(1), json!(2))
    );
    let outcomes: Vec<(&str, Option<i64>)> = report["lines"]
        .as_array()
        .expect("lines")
        .iter()
        .map(|line| {
            (
                line["outcome"].as_str().unwrap_or(""),
                line["line"].as_i64(),
            )
        })
        .collect();
    assert_eq!(
        outcomes,
        [
            ("created", Some(1)),
            ("rejected", Some(2)),
            ("rejected", Some(3)),
            ("changed", Some(5))
        ]
    );
    assert!(
        report["lines"][1]["errors"]["mobileNumber"].is_array(),
        "{report}"
    );
    assert!(
        report["lines"][2]["errors"]["companyCode"].is_array(),
        "{report}"
    );
    assert_eq!(versions(&app, &key).await.len(), 2);
    let oversized = "x".repeat(11 * 1024 * 1024);
    let refused = send(
        &app,
        Method::POST,
        "/v1/core/customers:import",
        &key,
        &[],
        &oversized,
    )
    .await;
    assert_eq!(refused.status, 413, "{}", refused.body);
    for empty in ["", "\n \n"] {
        let refused = send(
            &app,
            Method::POST,
            "/v1/core/customers:import",
            &key,
            &[],
            empty,
        )
        .await;
        assert_eq!(refused.status, 400, "{empty:?}: {}", refused.body);
        assert!(
            refused.body.contains("one customer document per line"),
            "{}",
            refused.body
        );
    }
}

/// Each write leaves a record: the writer, the company, the customer id as a keyed hash,
/// and the version it made with what it did.
async fn every_write_is_in_the_audit_trail(backend: TestBackend) {
    let (app, key) = start(backend).await;
    let database = app.database().expect("a database");
    assert_eq!(
        put(
            &app,
            &key,
            &[("x-request-id", "write-1")],
            &document("Sara", &[])
        )
        .await
        .status,
        201
    );
    assert_eq!(
        put(
            &app,
            &key,
            &[("x-request-id", "write-2")],
            &document("Omar", &[])
        )
        .await
        .status,
        200
    );
    let path = document_path("jtc", NEW_CUSTOMER);
    assert_eq!(
        send(
            &app,
            Method::DELETE,
            &path,
            &key,
            &[("x-request-id", "write-3")],
            ""
        )
        .await
        .status,
        200
    );
    let deadline = Instant::now() + Duration::from_secs(10);
    let rows: Vec<AuditRow> = loop {
        let rows: Vec<AuditRow> = audit_rows(database.url())
            .await
            .into_iter()
            .filter(|row| row.request_id.starts_with("write-"))
            .collect();
        if rows.len() == 3 || Instant::now() > deadline {
            break rows;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    assert_eq!(rows.len(), 3, "{rows:?}");
    for (row, (version, what)) in rows
        .iter()
        .zip([(1, "created"), (2, "changed"), (2, "closed")])
    {
        assert_eq!(row.client_name, "core-sync");
        assert_eq!(row.company_code, "jtc");
        assert_eq!(row.criteria, "customerId");
        assert!(!row.disclosed.is_empty());
        let disclosed: Value = serde_json::from_str(&row.disclosed).expect("JSON");
        assert_eq!(
            disclosed,
            json!([{"customerId": NEW_CUSTOMER, "customerVersionId": version, "write": what}]),
            "{row:?}"
        );
    }
}

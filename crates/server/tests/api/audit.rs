//! The audit trail of disclosures, read straight from the database: one record per
//! answered lookup, who asked and what was shown, never the searched values in clear;
//! none for a refused or invalid request; no answer without its record in sync mode;
//! and no record lost when the service stops under load.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use crate::support::{
    EXAMPLE_QUERY, LOOKUP_PATH, Service, TestApp, TestBackend, TestDatabase, TestResponse,
    UNCHECKABLE_KEY, add_client, assert_is_the_example, client, suite_tests, test_settings,
    url_string,
};
use customer_application::audit::{AuditMode, CriteriaHasher, random_audit_key};
use customer_domain::{
    ApiKey, AuditArchive, AuditKeyStore, AuditQuery, ClientName, Criterion, CustomerId, Disclosure,
};
use customer_infrastructure::{DatabaseUrl, SqlAuditTrail};
use customer_server::settings::AuthMode;
use reqwest::Method;
use serde_json::{Value, json};

use crate::db::{AuditRow, audit_rows, every_value_as_text, refuse_audit_writes};
use crate::metrics::{count, parse};

suite_tests!("audit":
    each_answered_lookup_leaves_one_record_of_who_searched_and_what_was_shown,
    the_trail_never_holds_the_searched_values_in_clear,
    refused_and_invalid_lookups_leave_no_record,
    in_sync_mode_no_customer_is_shown_without_its_record,
    in_async_mode_the_answer_does_not_wait_for_the_record,
    without_authentication_the_record_names_the_anonymous_caller,
    sigterm_under_load_loses_no_audit_record,
);

/// The lookup `query` with the credential `key`, under request id `request_id`.
async fn lookup_as(app: &TestApp, key: &str, request_id: &str, query: &str) -> TestResponse {
    app.request(
        Method::GET,
        &format!("{LOOKUP_PATH}?{query}"),
        &[
            ("authorization", &format!("Bearer {key}")),
            ("x-request-id", request_id),
        ],
    )
    .await
}

/// The only row of `request_id`; the test fails unless there is exactly one.
fn row_of<'r>(rows: &'r [AuditRow], request_id: &str) -> &'r AuditRow {
    let matching: Vec<&AuditRow> = rows.iter().filter(|r| r.request_id == request_id).collect();
    assert_eq!(
        matching.len(),
        1,
        "one record of {request_id}, got {matching:?}"
    );
    matching[0]
}

/// What a `200` lookup showed, as the trail records it.
fn shown(response: &TestResponse) -> Value {
    Value::Array(
        response
            .customers()
            .iter()
            .map(|customer| {
                json!({
                    "customerId": customer["customerId"],
                    "customerVersionId": customer["customerVersionId"],
                })
            })
            .collect(),
    )
}

/// The audit trail adapter over the database at `url`, and the hasher of its own key.
async fn trail_and_hasher(url: &DatabaseUrl) -> (SqlAuditTrail, CriteriaHasher) {
    let db = customer_infrastructure::Database::connect(
        url,
        &customer_infrastructure::PoolSettings::default(),
    )
    .expect("a pool");
    let trail = SqlAuditTrail::new(db);
    let candidate = random_audit_key().expect("random bytes");
    let key = trail.hmac_key(&candidate).await.expect("the trail's key");
    (trail, CriteriaHasher::new(&key))
}

async fn each_answered_lookup_leaves_one_record_of_who_searched_and_what_was_shown(
    backend: TestBackend,
) {
    let app = TestApp::spawn(backend).await;
    let url = app.database().expect("a database").url().clone();
    let key = add_client(&url, "auditor", "jtc", None).await;
    let key_id = ApiKey::parse(&key).expect("a key").id().to_string();

    let hit = lookup_as(&app, &key, "audit-hit", EXAMPLE_QUERY).await;
    assert_is_the_example(&hit, "the hit");
    let miss = lookup_as(
        &app,
        &key,
        "audit-miss",
        "companyCode=jtc&mobileNumber=500112233&lang=en",
    )
    .await;
    assert!(miss.customers().is_empty(), "{}", miss.body);
    let two = lookup_as(
        &app,
        &key,
        "audit-two",
        "companyCode=JTC&referenceNo=POL-2025-000123&lang=en",
    )
    .await;
    assert_eq!(two.customer_ids(), [54219, 54220]);
    for (request_id, response) in [("audit-hit", &hit), ("audit-miss", &miss)] {
        assert_eq!(response.header("x-request-id"), Some(request_id));
    }

    let rows = audit_rows(&url).await;
    assert_eq!(rows.len(), 3, "one record per answered lookup: {rows:?}");
    let expected = [
        (
            "audit-hit",
            "customerId,identificationNo,mobileNumber,referenceNo",
            &hit,
        ),
        ("audit-miss", "mobileNumber", &miss),
        ("audit-two", "referenceNo", &two),
    ];
    for (request_id, criteria, response) in expected {
        let row = row_of(&rows, request_id);
        assert_eq!(row.client_name, "auditor", "{request_id}");
        assert_eq!(row.credential, format!("key:{key_id}"), "{request_id}");
        assert_eq!(row.company_code, "jtc", "{request_id}");
        assert_eq!(row.criteria, criteria, "{request_id}");
        let shown = shown(response);
        let count = shown.as_array().map_or(0, Vec::len);
        assert_eq!(
            usize::try_from(row.customers_returned).ok(),
            Some(count),
            "{request_id}"
        );
        let disclosed: Value = serde_json::from_str(&row.disclosed).expect("JSON");
        assert_eq!(disclosed, shown, "{request_id}: the customers shown");
    }
    assert_eq!(
        serde_json::from_str::<Value>(&row_of(&rows, "audit-hit").disclosed).expect("JSON"),
        json!([{ "customerId": 54218, "customerVersionId": 1 }])
    );

    the_audit_queries_find_the_lookups(&url).await;
}

/// The audit queries, under the trail's own key, find the lookups of
/// [`each_answered_lookup_leaves_one_record_of_who_searched_and_what_was_shown`] by what
/// was searched, by client and by customer shown.
async fn the_audit_queries_find_the_lookups(url: &DatabaseUrl) {
    let (trail, hasher) = trail_and_hasher(url).await;
    let by = |query: AuditQuery| {
        let trail = &trail;
        async move {
            let records = trail.find(&query, None).await.expect("the trail answers");
            records
                .into_iter()
                .map(|record| record.request_id)
                .collect::<Vec<_>>()
        }
    };
    let searched = |criterion, value| AuditQuery::Searched(hasher.digest(criterion, value));
    assert_eq!(
        by(searched(Criterion::MobileNumber, "568617084")).await,
        ["audit-hit"]
    );
    assert_eq!(
        by(searched(Criterion::MobileNumber, "500112233")).await,
        ["audit-miss"]
    );
    assert_eq!(
        by(searched(Criterion::IdentificationNo, "2103232123")).await,
        ["audit-hit"]
    );
    assert_eq!(
        by(searched(Criterion::ReferenceNo, "POL-2025-000123")).await,
        ["audit-two"]
    );
    assert_eq!(
        by(AuditQuery::Client(
            ClientName::parse("auditor").expect("a name")
        ))
        .await,
        ["audit-hit", "audit-miss", "audit-two"]
    );
    assert_eq!(
        by(AuditQuery::Customer(
            CustomerId::parse("54220").expect("an id")
        ))
        .await,
        ["audit-two"]
    );
    let records = trail
        .find(
            &AuditQuery::Client(ClientName::parse("auditor").expect("a name")),
            None,
        )
        .await
        .expect("the trail answers");
    assert_eq!(
        records[0].disclosed,
        [Disclosure {
            customer_id: CustomerId::parse("54218").expect("an id"),
            customer_version_id: 1,
            write: None,
        }]
    );
    assert!(records[1].disclosed.is_empty(), "the miss showed no one");
}

async fn the_trail_never_holds_the_searched_values_in_clear(backend: TestBackend) {
    let app = TestApp::spawn(backend).await;
    let url = app.database().expect("a database").url().clone();
    // Hits and misses, the values written as callers may write them.
    let lookups = [
        EXAMPLE_QUERY,
        "companyCode=jtc&identificationNo=2103232123&lang=en",
        "companyCode=jfc&mobileNumber=568-617%20084&lang=en",
        "companyCode=jtc&referenceNo=333215&lang=en",
        "companyCode=jtc&mobileNumber=%D9%A5%D9%A6%D9%A8%D9%A6%D9%A1%D9%A7%D9%A0%D9%A8%D9%A4&lang=en",
        "companyCode=jtc&identificationNo=2103232123&referenceNo=FIN-2026-000215&lang=en",
    ];
    for (n, query) in lookups.iter().enumerate() {
        let response = lookup_as(
            &app,
            app.key.as_deref().expect("the suite's key"),
            &format!("clear-{n}"),
            query,
        )
        .await;
        assert_eq!(response.status, 200, "{query}: {}", response.body);
    }
    assert_eq!(audit_rows(&url).await.len(), lookups.len());
    let values = every_value_as_text(&url, "audit_disclosures").await;
    assert!(
        values.iter().any(|(_, value)| value.starts_with("clear-")),
        "the scan reads the rows: {values:?}"
    );
    for searched in ["568617084", "2103232123", "333215", "FIN-2026-000215"] {
        for (column, value) in &values {
            assert!(
                !value.contains(searched),
                "audit_disclosures.{column} holds {searched} in clear: {value}"
            );
        }
    }
}

async fn refused_and_invalid_lookups_leave_no_record(backend: TestBackend) {
    let app = TestApp::spawn(backend).await;
    let url = app.database().expect("a database").url().clone();
    let suite = app.key.clone().expect("the suite's key");
    let jtc = add_client(&url, "jtc-only", "jtc", None).await;
    let slow = add_client(&url, "slow", "all", Some("1/s")).await;
    let refusals = [
        (
            "invalid-400",
            suite.as_str(),
            "companyCode=jtc&mobileNumber=468617084&lang=en",
            400,
        ),
        (
            "unknown-company-400",
            suite.as_str(),
            "companyCode=nosuch&customerId=54218&lang=en",
            400,
        ),
        ("unknown-key-401", UNCHECKABLE_KEY, EXAMPLE_QUERY, 401),
        (
            "forbidden-403",
            jtc.as_str(),
            "companyCode=jfc&customerId=70001&lang=en",
            403,
        ),
        (
            "forbidden-nosuch-403",
            jtc.as_str(),
            "companyCode=nosuch&customerId=70001&lang=en",
            403,
        ),
        ("allowed-200", slow.as_str(), EXAMPLE_QUERY, 200),
        ("limited-429", slow.as_str(), EXAMPLE_QUERY, 429),
    ];
    for (request_id, key, query, status) in refusals {
        let response = lookup_as(&app, key, request_id, query).await;
        assert_eq!(response.status, status, "{request_id}: {}", response.body);
    }
    let anonymous = app
        .request(
            Method::GET,
            &format!("{LOOKUP_PATH}?{EXAMPLE_QUERY}"),
            &[("authorization", ""), ("x-request-id", "missing-401")],
        )
        .await;
    assert_eq!(anonymous.status, 401, "{}", anonymous.body);
    let rows = audit_rows(&url).await;
    let ids: Vec<&str> = rows.iter().map(|r| r.request_id.as_str()).collect();
    assert_eq!(ids, ["allowed-200"], "only the answered lookup is recorded");
}

/// Spawns a service over the demo data with the audit trail in `mode`, its inserts
/// refused by the database.
async fn service_with_an_unwritable_trail(backend: TestBackend, mode: AuditMode) -> TestApp {
    let database = TestDatabase::with_demo_data(backend).await;
    let mut settings = test_settings(&url_string(database.url()));
    settings
        .audit
        .trail
        .as_mut()
        .expect("the trail is on by default")
        .mode = mode;
    let app = TestApp::spawn_with(settings, Some(database)).await;
    refuse_audit_writes(app.database().expect("a database").url()).await;
    app
}

async fn in_sync_mode_no_customer_is_shown_without_its_record(backend: TestBackend) {
    let app = service_with_an_unwritable_trail(backend, AuditMode::Sync).await;
    let key = app.key.clone().expect("the suite's key");
    for (request_id, query) in [
        ("unaudited-ar", EXAMPLE_QUERY.to_owned()),
        ("unaudited-en", EXAMPLE_QUERY.replace("lang=ar", "lang=en")),
    ] {
        let started = Instant::now();
        let response = lookup_as(&app, &key, request_id, &query).await;
        assert_eq!(response.status, 503, "{request_id}: {}", response.body);
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "answered in {:?}",
            started.elapsed()
        );
        response.problem();
        let retry_after = response.header("retry-after").unwrap_or_default();
        assert!(
            retry_after.parse::<u64>().is_ok_and(|secs| secs >= 1),
            "Retry-After is a number of seconds, got {retry_after:?}"
        );
        assert_eq!(response.header("x-request-id"), Some(request_id));
        for customer_data in [
            "customerId",
            "54218",
            "Param IT",
            "Parameswaran",
            "568617084",
            "2103232123",
            "333215",
        ] {
            assert!(
                !response.body.contains(customer_data),
                "{request_id}: the 503 shows {customer_data}: {}",
                response.body
            );
        }
    }
    let url = app.database().expect("a database").url();
    assert!(audit_rows(url).await.is_empty());
}

async fn in_async_mode_the_answer_does_not_wait_for_the_record(backend: TestBackend) {
    let app = service_with_an_unwritable_trail(backend, AuditMode::Async).await;
    for _ in 0..3 {
        let started = Instant::now();
        let response = app.lookup(EXAMPLE_QUERY).await;
        let elapsed = started.elapsed();
        assert_is_the_example(&response, "async mode, the trail unwritable");
        assert!(elapsed < Duration::from_secs(2), "answered in {elapsed:?}");
    }
    // The trail was indeed unwritable meanwhile: the writer's batches fail, and its
    // records wait to be written again.
    let started = Instant::now();
    loop {
        let samples = parse(&app.get("/metrics").await.body);
        let audit = |state| count(&samples, "audit_records", &[("state", state)]);
        if audit("failed_batches") >= 1 {
            assert_eq!(audit("written"), 0);
            assert_eq!(audit("pending"), 3);
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(5),
            "no failed audit batch after 5 s"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let url = app.database().expect("a database").url();
    assert!(audit_rows(url).await.is_empty());
}

async fn without_authentication_the_record_names_the_anonymous_caller(backend: TestBackend) {
    let database = TestDatabase::with_demo_data(backend).await;
    let mut settings = test_settings(&url_string(database.url()));
    settings.auth.mode = AuthMode::Disabled;
    let app = TestApp::spawn_with(settings, Some(database)).await;
    assert!(app.key.is_none());
    let response = app
        .request(
            Method::GET,
            &format!("{LOOKUP_PATH}?{EXAMPLE_QUERY}"),
            &[("x-request-id", "anonymous-1")],
        )
        .await;
    assert_is_the_example(&response, "an anonymous lookup");
    let rows = audit_rows(app.database().expect("a database").url()).await;
    assert_eq!(rows.len(), 1, "{rows:?}");
    let row = row_of(&rows, "anonymous-1");
    assert_eq!(row.client_name, "anonymous");
    assert_eq!(row.credential, "anonymous");
    assert_eq!(row.company_code, "jtc");
    assert_eq!(row.customers_returned, 1);
}

/// Lookups in a loop until `stop` is set or the service stops answering; counts the
/// `200` answers, and gives back the status of every other answer.
async fn lookups_until_stopped(
    address: String,
    bearer: String,
    stop: Arc<AtomicBool>,
    answered: Arc<AtomicU64>,
) -> Vec<u16> {
    let mut others = Vec::new();
    let client = client();
    let url = format!("{address}{LOOKUP_PATH}?{EXAMPLE_QUERY}");
    while !stop.load(Ordering::Relaxed) {
        let Ok(response) = client
            .get(&url)
            .header("authorization", &bearer)
            .send()
            .await
        else {
            // Refused or reset: the service no longer accepts lookups.
            return others;
        };
        if response.status() == 200 {
            // Counted once the status is received: the record was made before it.
            answered.fetch_add(1, Ordering::Relaxed);
        } else {
            others.push(response.status().as_u16());
        }
        let _ = response.bytes().await;
    }
    others
}

/// The real binary in `mode` over a fresh database, 4 clients looking up in a loop, and
/// SIGTERM while they run: it exits 0 and the trail holds one record per `200` answer.
async fn sigterm_under_load_loses_no_audit_record(backend: TestBackend) {
    for mode in ["sync", "async"] {
        sigterm_under_load(backend, mode).await;
    }
}

async fn sigterm_under_load(backend: TestBackend, mode: &str) {
    let database = TestDatabase::with_demo_data(backend).await;
    let url = url_string(database.url());
    let bearer = format!(
        "Bearer {}",
        add_client(database.url(), "load", "all", Some("1000000/s")).await
    );
    let folder = tempfile::tempdir().expect("an empty working folder");
    let mut service = Service::start(
        folder.path(),
        &[
            ("DATABASE_URL", url.as_str()),
            ("APP__DATABASE__MIGRATE_ON_START", "false"),
            ("APP__DATABASE__SEED_DEMO_WHEN_EMPTY", "false"),
            ("APP__SERVER__WORKERS", "2"),
            ("APP__SERVER__SHUTDOWN_GRACE_SECS", "10"),
            ("APP__AUDIT__MODE", mode),
        ],
    )
    .await;
    let stop = Arc::new(AtomicBool::new(false));
    let answered = Arc::new(AtomicU64::new(0));
    let tasks: Vec<_> = (0..4)
        .map(|_| {
            tokio::spawn(lookups_until_stopped(
                service.address(),
                bearer.clone(),
                stop.clone(),
                answered.clone(),
            ))
        })
        .collect();
    tokio::time::sleep(Duration::from_millis(800)).await;
    let before_sigterm = answered.load(Ordering::Relaxed);
    service.send_sigterm();
    let status = service.wait_for_exit(Duration::from_secs(20)).await;
    stop.store(true, Ordering::Relaxed);
    let mut others = Vec::new();
    for task in tasks {
        others.extend(
            tokio::time::timeout(Duration::from_secs(30), task)
                .await
                .expect("the clients stop")
                .expect("a client task"),
        );
    }
    assert!(
        status.success(),
        "{mode}: exit status {status} after SIGTERM\n{}",
        service.logs()
    );
    // A lookup the service accepted is answered in full, even while it stops.
    assert!(
        others.is_empty(),
        "{mode}: answers other than 200: {others:?}\n{}",
        service.logs()
    );
    let answered = answered.load(Ordering::Relaxed);
    assert!(
        before_sigterm > 0,
        "{mode}: lookups were answered before SIGTERM\n{}",
        service.logs()
    );
    let rows = audit_rows(database.url()).await;
    assert_eq!(
        u64::try_from(rows.len()).expect("a count"),
        answered,
        "{mode}: one record per 200 answer ({before_sigterm} before SIGTERM)\n{}",
        service.logs()
    );
}

//! Real answers of the running service, validated against the schemas of the served
//! document: lookups, problems, answers while the database is unreachable, probes.

use super::{
    Duration, EXAMPLE_QUERY, LOOKUP_PATH, Method, TestApp, TestBackend, VERSIONS_PATH, Value,
    assert_documented, json, served_document, test_settings,
};

/// Lookups that find customers of every kind (a company, individuals with dates and
/// fractions of seconds, customers with and without contacts, ended contacts), or none,
/// in both languages.
pub(super) async fn successful_lookups_match_the_served_schema(backend: TestBackend) {
    let app = TestApp::spawn(backend).await;
    let document = served_document(&app).await;
    let mut seen = Vec::new();
    for lang in ["ar", "en"] {
        for (query, count) in [
            (EXAMPLE_QUERY.replace("lang=ar", &format!("lang={lang}")), 1),
            (
                format!("companyCode=jtc&mobileNumber=551234567&lang={lang}"),
                2,
            ),
            (format!("companyCode=jtc&customerId=54222&lang={lang}"), 1),
            (format!("companyCode=jtc&customerId=54223&lang={lang}"), 1),
            (format!("companyCode=jtc&customerId=61001&lang={lang}"), 1),
            (format!("companyCode=jfc&customerId=70004&lang={lang}"), 1),
            (format!("companyCode=jtc&customerId=99999&lang={lang}"), 0),
        ] {
            let response = app.lookup(&query).await;
            assert_eq!(
                response.customers().len(),
                count,
                "{query}: {}",
                response.body
            );
            assert_documented(&document, LOOKUP_PATH, &response, &query);
            seen.extend(response.customers());
        }
    }
    // A lookup as of a moment (a closed version: endDate filled in) and a versions list.
    for (path, query) in [
        (
            LOOKUP_PATH,
            "companyCode=jtc&customerId=54221&lang=en&asOf=2025-01-01T00:00:00Z",
        ),
        (VERSIONS_PATH, "companyCode=jtc&customerId=54222&lang=ar"),
    ] {
        let response = app.get(&format!("{path}?{query}")).await;
        assert_eq!(response.status, 200, "{query}: {}", response.body);
        assert!(
            response
                .customers()
                .iter()
                .any(|c| c["endDate"].is_string()),
            "{query}: a closed version, {}",
            response.body
        );
        assert_documented(&document, path, &response, query);
    }
    // The lookups above did exercise the date patterns and nullable fields.
    let contacts: Vec<&Value> = seen
        .iter()
        .flat_map(|c| c["customerContacts"].as_array().into_iter().flatten())
        .collect();
    assert!(seen.iter().any(|c| c["dateOfBirth"].is_string()));
    assert!(seen.iter().any(|c| c["dateOfBirth"].is_null()));
    assert!(seen.iter().any(|c| c["createdDate"].is_string()));
    assert!(seen.iter().any(|c| c["customerContacts"] == json!([])));
    assert!(contacts.iter().any(|c| c["contactEndDate"].is_string()));
    assert!(contacts.iter().any(|c| c["contactStartDate"].is_string()));
}

pub(super) async fn problems_match_the_served_schema(backend: TestBackend) {
    let app = TestApp::spawn(backend).await;
    let document = served_document(&app).await;
    let long = format!("{EXAMPLE_QUERY}&pad={}", "x".repeat(3000));
    let mut requests: Vec<(Method, String, u16)> = Vec::new();
    for lang in ["ar", "en"] {
        for query in [
            format!("companyCode=jtc&mobileNumber=468617084&lang={lang}"),
            format!("lang={lang}"),
            format!("companyCode=nope&customerId=1&lang={lang}"),
            format!("companyCode=jtc&customerId=1&customerId=2&lang={lang}"),
            format!("companyCode=jtc&customerId=0&identificationNo=1%012&lang={lang}"),
        ] {
            requests.push((Method::GET, format!("{LOOKUP_PATH}?{query}"), 400));
        }
        requests.push((
            Method::GET,
            format!(
                "{LOOKUP_PATH}?{}",
                long.replace("lang=ar", &format!("lang={lang}"))
            ),
            400,
        ));
        requests.push((Method::GET, format!("/v1/core/customers?lang={lang}"), 404));
        requests.push((Method::GET, format!("/nothing/here?lang={lang}"), 404));
        for method in [Method::POST, Method::PUT, Method::DELETE, Method::PATCH] {
            requests.push((
                method,
                format!("{LOOKUP_PATH}?companyCode=jtc&customerId=54218&lang={lang}"),
                405,
            ));
        }
    }
    requests.push((
        Method::GET,
        format!("{LOOKUP_PATH}?companyCode=jtc&customerId=54218&lang=fr"),
        400,
    ));
    for (method, path, status) in requests {
        let response = app.request(method.clone(), &path, &[]).await;
        let what = format!("{method} {}", &path[..path.len().min(120)]);
        assert_eq!(response.status, status, "{what}: {}", response.body);
        assert_documented(&document, LOOKUP_PATH, &response, &what);
    }
}

/// Nothing listens on port 1: lookups are 503 problems and readiness a 503 health
/// answer, both as documented.
pub(super) async fn answers_while_the_database_is_unreachable_match_the_served_schema(
    _backend: TestBackend,
) {
    let mut settings = test_settings("postgres://postgres@127.0.0.1:1/none");
    settings.database.pool.wait_timeout = Duration::from_secs(1);
    settings.database.pool.create_timeout = Duration::from_secs(1);
    let app = TestApp::spawn_with(settings, None).await;
    let document = served_document(&app).await;
    for lang in ["ar", "en"] {
        let query = EXAMPLE_QUERY.replace("lang=ar", &format!("lang={lang}"));
        let response = app.lookup(&query).await;
        assert_eq!(response.status, 503, "{}", response.body);
        assert_documented(&document, LOOKUP_PATH, &response, &query);
    }
    let ready = app.get("/health/ready").await;
    assert_eq!(ready.status, 503, "{}", ready.body);
    assert_documented(&document, "/health/ready", &ready, "/health/ready");
    let live = app.get("/health/live").await;
    assert_eq!(live.status, 200, "{}", live.body);
    assert_documented(&document, "/health/live", &live, "/health/live");
}

pub(super) async fn health_answers_match_the_served_schema(backend: TestBackend) {
    let app = TestApp::spawn(backend).await;
    let document = served_document(&app).await;
    for path in ["/health/live", "/health/ready"] {
        let response = app.get(path).await;
        assert_eq!(response.status, 200, "{path}: {}", response.body);
        assert_documented(&document, path, &response, path);
    }
}

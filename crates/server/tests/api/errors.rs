//! Errors: problem+json, in the request's language; 400, 404 and 405 (503 and 500 are in
//! `database_errors`).

use crate::support::{
    EXAMPLE_QUERY, LOOKUP_PATH, TestApp, TestBackend, TestResponse, has_arabic, suite_tests,
};
use reqwest::Method;
use serde_json::Value;

suite_tests!("errors":
    validation_error_is_a_problem_with_errors_by_parameter,
    validation_error_matches_the_contracts_example,
    validation_messages_are_arabic_when_lang_is_ar,
    validation_messages_are_english_when_lang_is_en,
    validation_messages_are_english_when_lang_is_invalid_or_missing,
    unknown_path_is_a_404_problem,
    wrong_method_is_a_405_problem_with_allow,
    not_found_and_wrong_method_follow_lang,
);

/// Every text a person reads in a problem: title, detail and the messages of `errors`.
fn problem_texts(response: &TestResponse) -> Vec<String> {
    let problem = response.problem();
    let mut texts = vec![
        problem["title"].as_str().expect("title").to_owned(),
        problem["detail"].as_str().expect("detail").to_owned(),
    ];
    if let Some(Value::Object(errors)) = problem.get("errors") {
        for messages in errors.values() {
            for message in messages.as_array().expect("a list of messages") {
                texts.push(message.as_str().expect("a message").to_owned());
            }
        }
    }
    texts
}

fn assert_arabic(response: &TestResponse, request: &str) {
    assert!(
        !response.body.contains("\\u"),
        "{request}: Arabic as UTF-8: {}",
        response.body
    );
    for text in problem_texts(response) {
        assert!(has_arabic(&text), "{request}: {text:?} is not Arabic");
    }
}

fn assert_english(response: &TestResponse, request: &str) {
    for text in problem_texts(response) {
        assert!(!has_arabic(&text), "{request}: {text:?} is not English");
        assert!(
            text.chars().any(|c| c.is_ascii_alphabetic()),
            "{request}: {text:?} has no words"
        );
    }
}

/// Requests with several problems each, in `lang`.
fn invalid_queries(lang: &str) -> Vec<String> {
    vec![
        format!("companyCode=jtc&lang={lang}&mobileNumber=468617084&customerId=0"),
        format!(
            "companyCode=nope&lang={lang}&referenceNo={}",
            "x".repeat(65)
        ),
        format!("lang={lang}"),
        format!("companyCode=jtc&lang={lang}&identificationNo=1%012&customerId=1&customerId=2"),
    ]
}

async fn validation_error_is_a_problem_with_errors_by_parameter(backend: TestBackend) {
    let app = TestApp::spawn(backend).await;
    for query in invalid_queries("en") {
        let response = app.lookup(&query).await;
        assert_eq!(response.status, 400, "{query}: {}", response.body);
        // problem() checks type, title, status and detail; validation_errors() checks
        // that errors is an object of non-empty lists of strings.
        response.problem();
        let errors = response.validation_errors();
        assert!(!errors.is_empty(), "{query}");
        for param in errors.keys() {
            assert!(
                [
                    "companyCode",
                    "customerId",
                    "identificationNo",
                    "mobileNumber",
                    "referenceNo",
                    "lang"
                ]
                .contains(&param.as_str()),
                "{query}: errors are keyed by parameter name, got {param}"
            );
        }
    }
}

async fn validation_error_matches_the_contracts_example(backend: TestBackend) {
    let app = TestApp::spawn(backend).await;
    let query = "companyCode=jtc&lang=en&mobileNumber=468617084";
    let response = app.lookup(query).await;
    assert_eq!(response.status, 400, "{}", response.body);
    let problem = response.problem();
    assert_eq!(problem["title"], "Invalid request");
    assert_eq!(problem["status"], 400);
    assert_eq!(
        Value::Object(response.validation_errors()),
        serde_json::json!({ "mobileNumber": ["must start with 5"] })
    );
}

async fn validation_messages_are_arabic_when_lang_is_ar(backend: TestBackend) {
    let app = TestApp::spawn(backend).await;
    for lang in ["ar", "AR", "%20ar%20"] {
        for query in invalid_queries(lang) {
            let response = app.lookup(&query).await;
            assert_eq!(response.status, 400, "{query}: {}", response.body);
            assert_arabic(&response, &query);
        }
    }
}

async fn validation_messages_are_english_when_lang_is_en(backend: TestBackend) {
    let app = TestApp::spawn(backend).await;
    for lang in ["en", "En"] {
        for query in invalid_queries(lang) {
            let response = app.lookup(&query).await;
            assert_eq!(response.status, 400, "{query}: {}", response.body);
            assert_english(&response, &query);
        }
    }
}

async fn validation_messages_are_english_when_lang_is_invalid_or_missing(backend: TestBackend) {
    let app = TestApp::spawn(backend).await;
    for query in [
        "companyCode=jtc&lang=fr&mobileNumber=468617084".to_owned(),
        "companyCode=jtc&lang=%D8%B9%D8%B1%D8%A8%D9%8A&customerId=0".to_owned(),
        "companyCode=jtc&mobileNumber=468617084".to_owned(),
        "companyCode=jtc&lang=&customerId=54218".to_owned(),
        "lang=arabic".to_owned(),
    ] {
        let response = app.lookup(&query).await;
        assert_eq!(response.status, 400, "{query}: {}", response.body);
        assert_english(&response, &query);
        // Missing, blank or wrong, the message names the values lang takes.
        let lang = response.problem()["errors"]["lang"][0]
            .as_str()
            .unwrap_or_default()
            .to_owned();
        assert!(lang.contains("ar or en"), "{query}: {lang}");
    }
}

async fn unknown_path_is_a_404_problem(backend: TestBackend) {
    let app = TestApp::spawn(backend).await;
    for path in [
        "/".to_owned(),
        "/v1/core/customers".to_owned(),
        "/v1/core/customer/54218".to_owned(),
        "/v2/core/customer".to_owned(),
        format!("/v1/core?{EXAMPLE_QUERY}"),
    ] {
        let response = app.get(&path).await;
        assert_eq!(response.status, 404, "{path}: {}", response.body);
        response.problem();
        assert!(response.header("x-request-id").is_some(), "{path}");
    }
}

async fn wrong_method_is_a_405_problem_with_allow(backend: TestBackend) {
    let app = TestApp::spawn(backend).await;
    for method in [Method::POST, Method::PUT, Method::DELETE, Method::PATCH] {
        for path in [
            LOOKUP_PATH.to_owned(),
            format!("{LOOKUP_PATH}?{EXAMPLE_QUERY}"),
        ] {
            let response = app.request(method.clone(), &path, &[]).await;
            assert_eq!(response.status, 405, "{method} {path}: {}", response.body);
            response.problem();
            let allow = response.header("allow").unwrap_or_default();
            assert!(
                allow.split(',').any(|m| m.trim() == "GET"),
                "{method} {path}: Allow {allow:?} names GET"
            );
            assert!(
                !allow.split(',').any(|m| m.trim() == method.as_str()),
                "{method} {path}: Allow {allow:?}"
            );
        }
    }
}

async fn not_found_and_wrong_method_follow_lang(backend: TestBackend) {
    let app = TestApp::spawn(backend).await;
    for (method, path, status) in [
        (Method::GET, "/v1/core/customers?lang=ar", 404),
        (
            Method::POST,
            "/v1/core/customer?companyCode=jtc&customerId=54218&lang=ar",
            405,
        ),
    ] {
        let response = app.request(method.clone(), path, &[]).await;
        assert_eq!(
            response.status, status,
            "{method} {path}: {}",
            response.body
        );
        assert_arabic(&response, path);
        let english = path.replace("lang=ar", "lang=en");
        let response = app.request(method.clone(), &english, &[]).await;
        assert_eq!(
            response.status, status,
            "{method} {english}: {}",
            response.body
        );
        assert_english(&response, &english);
    }
}

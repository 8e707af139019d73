//! The OpenAPI 3.1 document served at `/openapi.json`, and real answers of the running
//! service validated against the schemas of that served document (not a copy).

use std::time::Duration;

use crate::support::{
    EXAMPLE_QUERY, EXAMPLE_RESPONSE, LOOKUP_PATH, TestApp, TestBackend, TestResponse, add_client,
    add_client_with, keys_in_order, suite_tests, test_settings,
};
use customer_server::settings::AuthMode;
use reqwest::Method;
use serde_json::{Value, json};

mod answers;

use self::answers::{
    answers_while_the_database_is_unreachable_match_the_served_schema,
    health_answers_match_the_served_schema, problems_match_the_served_schema,
    successful_lookups_match_the_served_schema,
};

suite_tests!("openapi":
    the_document_is_openapi_3_1_and_lists_the_operations,
    the_schemas_reject_wrong_bodies,
    the_schema_pins_the_always_null_fields_to_null,
    the_served_examples_are_valid_and_are_what_the_service_answers,
    every_problem_example_is_what_the_service_answers,
    the_document_names_no_license_that_is_not_spdx,
    successful_lookups_match_the_served_schema,
    problems_match_the_served_schema,
    answers_while_the_database_is_unreachable_match_the_served_schema,
    health_answers_match_the_served_schema,
    every_summary_is_a_short_plain_line,
);

/// `/docs` shows each operation's summary as plain text in its header: a short line
/// with no Markdown.
async fn every_summary_is_a_short_plain_line(backend: TestBackend) {
    let app = TestApp::spawn(backend).await;
    let document = served_document(&app).await;
    let paths = document["paths"].as_object().expect("paths");
    for (path, item) in paths {
        let Some(summary) = item["get"]["summary"].as_str() else {
            continue;
        };
        assert!(
            !summary.contains('`') && !summary.contains('\n') && summary.len() <= 80,
            "GET {path}: {summary:?}"
        );
    }
    assert_eq!(
        document["paths"]["/health/ready"]["get"]["summary"],
        "Whether lookups can be served now"
    );
}

/// `GET /openapi.json`, checked to be JSON.
pub async fn served_document(app: &TestApp) -> Value {
    let response = app.get("/openapi.json").await;
    assert_eq!(response.status, 200, "{}", response.body);
    let content_type = response.header("content-type").unwrap_or_default();
    assert!(
        content_type.starts_with("application/json"),
        "/openapi.json is JSON, got {content_type:?}"
    );
    let document = response.json();
    assert!(document.is_object(), "the document is a JSON object");
    document
}

/// `text` as one token of a JSON pointer.
pub fn escape(text: &str) -> String {
    text.replace('~', "~0").replace('/', "~1")
}

/// The JSON pointer of the schema of one documented response.
fn response_pointer(path: &str, status: &str, media: &str) -> String {
    format!(
        "/paths/{}/get/responses/{status}/content/{}",
        escape(path),
        escape(media)
    )
}

/// A validator of one documented response: the whole served document, used as a
/// JSON Schema (draft 2020-12, OpenAPI 3.1's dialect), with a top-level `$ref` to the
/// response's schema, so that its own `$ref`s to `#/components/...` resolve.
struct ResponseSchema {
    validator: jsonschema::Validator,
    pointer: String,
}

impl ResponseSchema {
    fn new(document: &Value, path: &str, status: &str, media: &str) -> Self {
        let pointer = format!("{}/schema", response_pointer(path, status, media));
        assert!(
            document.pointer(&pointer).is_some(),
            "the document has no schema for GET {path} {status} {media} (at {pointer})"
        );
        let mut schema = document.clone();
        schema
            .as_object_mut()
            .expect("the document is an object")
            .insert("$ref".to_owned(), json!(format!("#{pointer}")));
        let validator = jsonschema::draft202012::new(&schema)
            .unwrap_or_else(|error| panic!("{pointer} is not a usable schema: {error}"));
        Self { validator, pointer }
    }

    /// What is wrong with `instance`, one line per error.
    fn errors(&self, instance: &Value) -> Vec<String> {
        self.validator
            .iter_errors(instance)
            .map(|error| format!("at {:?}: {error}", error.instance_path().as_str()))
            .collect()
    }

    fn assert_valid(&self, instance: &Value, what: &str) {
        let errors = self.errors(instance);
        assert!(
            errors.is_empty(),
            "{what} does not match {}:\n{}\n{instance}",
            self.pointer,
            errors.join("\n")
        );
    }

    fn assert_invalid(&self, instance: &Value, what: &str) {
        assert!(
            !self.validator.is_valid(instance),
            "{} accepts {what}: {instance}",
            self.pointer
        );
    }
}

/// Checks a real response against the served document: its status is documented for
/// `GET path`, its media type is the documented one, and its body matches the schema.
pub fn assert_documented(document: &Value, path: &str, response: &TestResponse, what: &str) {
    let status = response.status.to_string();
    let responses = document
        .pointer(&format!("/paths/{}/get/responses", escape(path)))
        .unwrap_or_else(|| panic!("the document has no GET {path}"));
    let Some(Value::Object(content)) = responses.get(&status).and_then(|r| r.get("content")) else {
        panic!("{what}: status {status} is not documented for GET {path}");
    };
    let content_type = response.header("content-type").unwrap_or_default();
    let media = content_type
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_owned();
    assert!(
        content.contains_key(&media),
        "{what}: {status} is documented as {:?}, the service sent {content_type:?}",
        content.keys().collect::<Vec<_>>()
    );
    ResponseSchema::new(document, path, &status, &media).assert_valid(&response.json(), what);
}

fn example_response() -> Value {
    serde_json::from_str(EXAMPLE_RESPONSE).expect("the fixture is JSON")
}

async fn the_document_is_openapi_3_1_and_lists_the_operations(backend: TestBackend) {
    let app = TestApp::spawn(backend).await;
    let document = served_document(&app).await;
    let version = document["openapi"].as_str().unwrap_or_default();
    assert!(
        version.starts_with("3.1."),
        "openapi is 3.1.x, got {version:?}"
    );
    assert!(document["info"]["title"].is_string(), "info.title");
    assert!(document["info"]["version"].is_string(), "info.version");
    for path in [LOOKUP_PATH, VERSIONS_PATH, "/health/live", "/health/ready"] {
        assert!(
            document["paths"][path]["get"].is_object(),
            "the document lists GET {path}"
        );
    }
    for status in ["200", "400", "404", "405", "500", "503"] {
        assert!(
            document
                .pointer(&response_pointer(
                    LOOKUP_PATH,
                    status,
                    if status == "200" {
                        "application/json"
                    } else {
                        "application/problem+json"
                    }
                ))
                .is_some(),
            "GET {LOOKUP_PATH} documents {status}"
        );
    }
    let parameters: Vec<&str> = document["paths"][LOOKUP_PATH]["get"]["parameters"]
        .as_array()
        .expect("the lookup's parameters")
        .iter()
        .filter_map(|parameter| parameter["name"].as_str())
        .collect();
    for name in [
        "companyCode",
        "customerId",
        "identificationNo",
        "mobileNumber",
        "referenceNo",
        "lang",
        "asOf",
    ] {
        assert!(parameters.contains(&name), "{name} in {parameters:?}");
    }
    let parameters: Vec<&str> = document["paths"][VERSIONS_PATH]["get"]["parameters"]
        .as_array()
        .expect("the versions list's parameters")
        .iter()
        .filter_map(|parameter| parameter["name"].as_str())
        .collect();
    assert_eq!(parameters, ["companyCode", "customerId", "lang"]);
}

/// The path of the versions list.
const VERSIONS_PATH: &str = "/v1/core/customer/versions";

/// Wrong customers, each a change of the contract's example: what it is, the JSON
/// pointer of the field changed, and its new value (`None`: the field is removed).
fn wrong_customers() -> Vec<(&'static str, &'static str, Option<Value>)> {
    vec![
        ("a customer without emailAddress", "/0/emailAddress", None),
        (
            "a customer with an extra field",
            "/0/nickname",
            Some(json!("Param")),
        ),
        ("a string customerId", "/0/customerId", Some(json!("54218"))),
        (
            "a fractional versionId",
            "/0/versionId",
            Some(json!(103_932.5)),
        ),
        ("a null customerId", "/0/customerId", Some(Value::Null)),
        ("a null startDate", "/0/startDate", Some(Value::Null)),
        (
            "a startDate with a space",
            "/0/startDate",
            Some(json!("2026-05-14 14:24:50.61")),
        ),
        (
            "a startDate with a zone",
            "/0/startDate",
            Some(json!("2026-05-14T14:24:50.61Z")),
        ),
        (
            "a startDate with a trailing zero",
            "/0/startDate",
            Some(json!("2026-05-14T14:24:50.610")),
        ),
        ("a userActive of 2", "/0/userActive", Some(json!(2))),
        ("a boolean userActive", "/0/userActive", Some(json!(true))),
        (
            "customerContacts null",
            "/0/customerContacts",
            Some(Value::Null),
        ),
        (
            "a contact without phoneCode",
            "/0/customerContacts/0/phoneCode",
            None,
        ),
        (
            "a contact with an extra field",
            "/0/customerContacts/0/email",
            Some(json!("x@y.z")),
        ),
        (
            "a string primaryContact",
            "/0/customerContacts/0/primaryContact",
            Some(json!("false")),
        ),
        (
            "a string contactId",
            "/0/customerContacts/0/contactId",
            Some(json!("1")),
        ),
    ]
}

/// `value` with the field at `pointer` set to `new`, or removed.
fn changed(value: &Value, pointer: &str, new: Option<Value>) -> Value {
    let mut value = value.clone();
    let (parent, key) = pointer.rsplit_once('/').expect("a pointer to a field");
    let object = value
        .pointer_mut(parent)
        .and_then(Value::as_object_mut)
        .unwrap_or_else(|| panic!("{parent} is an object"));
    match new {
        Some(new) => object.insert(key.to_owned(), new),
        None => object.remove(key),
    };
    value
}

/// The schemas are not so loose that anything passes: wrong bodies are rejected.
async fn the_schemas_reject_wrong_bodies(backend: TestBackend) {
    let app = TestApp::spawn(backend).await;
    let document = served_document(&app).await;
    let customers = ResponseSchema::new(&document, LOOKUP_PATH, "200", "application/json");
    let example = example_response();
    customers.assert_valid(&example, "the contract's example");
    customers.assert_valid(&json!([]), "[]");
    for (what, pointer, new) in wrong_customers() {
        let body = changed(&example, pointer, new);
        assert_ne!(body, example, "{what} changes the example");
        customers.assert_invalid(&body, what);
    }
    customers.assert_invalid(&example[0], "a customer instead of a list");
    customers.assert_invalid(&json!({}), "an object");

    let problem = ResponseSchema::new(&document, LOOKUP_PATH, "400", "application/problem+json");
    let valid = json!({
        "type": "/problems/invalid-request", "title": "Invalid request", "status": 400,
        "detail": "Some parameters of the request are invalid; see errors.",
        "errors": {"mobileNumber": ["must start with 5"]},
    });
    problem.assert_valid(&valid, "a valid problem");
    for (what, body) in [
        ("a problem without title", {
            let mut body = valid.clone();
            body.as_object_mut().map(|p| p.remove("title"));
            body
        }),
        ("a string status", {
            let mut body = valid.clone();
            body["status"] = json!("400");
            body
        }),
        ("errors with a string message list", {
            let mut body = valid.clone();
            body["errors"]["mobileNumber"] = json!("must start with 5");
            body
        }),
        ("a problem that is a list", json!([valid.clone()])),
    ] {
        problem.assert_invalid(&body, what);
    }

    let health = ResponseSchema::new(&document, "/health/ready", "503", "application/json");
    health.assert_valid(
        &json!({"status": "unavailable", "reason": "database unreachable"}),
        "a 503 health answer",
    );
    health.assert_invalid(&json!({"reason": "database unreachable"}), "no status");
    health.assert_invalid(&json!({"status": 503}), "a numeric status");
}

/// `company` and a contact's `customer` are documented as always `null`; the schema must
/// say so, or it accepts any value there. `endDate` is a date-time or `null` (filled in
/// for a version since closed), nothing else.
async fn the_schema_pins_the_always_null_fields_to_null(backend: TestBackend) {
    let app = TestApp::spawn(backend).await;
    let document = served_document(&app).await;
    let customers = ResponseSchema::new(&document, LOOKUP_PATH, "200", "application/json");
    let example = example_response();
    let mut accepted = Vec::new();
    for (what, pointer, value) in [
        ("company = \"jtc\"", "/0/company", json!("jtc")),
        (
            "company = {\"companyId\": 1}",
            "/0/company",
            json!({"companyId": 1}),
        ),
        ("endDate = 0", "/0/endDate", json!(0)),
        ("endDate = \"yesterday\"", "/0/endDate", json!("yesterday")),
        (
            "customerContacts[0].customer = {\"customerId\": 54218}",
            "/0/customerContacts/0/customer",
            json!({"customerId": 54218}),
        ),
    ] {
        let mut body = example.clone();
        *body.pointer_mut(pointer).expect("the field exists") = value;
        if customers.validator.is_valid(&body) {
            let schema = match pointer {
                "/0/customerContacts/0/customer" => {
                    document.pointer("/components/schemas/CustomerContact/properties/customer")
                }
                _ => document.pointer(&format!(
                    "/components/schemas/Customer/properties/{}",
                    pointer.trim_start_matches("/0/")
                )),
            };
            accepted.push(format!(
                "{what} (its schema is {})",
                schema.map_or_else(|| "missing".to_owned(), Value::to_string)
            ));
        }
    }
    assert!(
        accepted.is_empty(),
        "the served schema accepts values it must not:\n{}",
        accepted.join("\n")
    );
    let mut closed = example.clone();
    *closed.pointer_mut("/0/endDate").expect("endDate") = json!("2026-05-14T14:24:50");
    customers.assert_valid(&closed, "a version closed at 2026-05-14T14:24:50");
}

async fn the_served_examples_are_valid_and_are_what_the_service_answers(backend: TestBackend) {
    let app = TestApp::spawn(backend).await;
    let document = served_document(&app).await;
    let customers = ResponseSchema::new(&document, LOOKUP_PATH, "200", "application/json");
    let examples = format!(
        "{}/examples",
        response_pointer(LOOKUP_PATH, "200", "application/json")
    );
    for lang in ["ar", "en"] {
        let example = document
            .pointer(&format!("{examples}/{lang}/value"))
            .unwrap_or_else(|| panic!("a 200 example named {lang:?} at {examples}"));
        customers.assert_valid(example, &format!("the {lang:?} example"));
        let query = EXAMPLE_QUERY.replace("lang=ar", &format!("lang={lang}"));
        let response = app.lookup(&query).await;
        assert_eq!(response.status, 200, "{}", response.body);
        assert_same_as_written(example, &response, &format!("the {lang:?} example"));
    }
    let fixture = example_response();
    let ar = document.pointer(&format!("{examples}/ar/value"));
    assert_eq!(
        ar,
        Some(&fixture),
        "the \"ar\" example is crates/server/tests/fixtures/example-response.json"
    );
    assert_eq!(
        ar.map(keys_in_order),
        Some(keys_in_order(&fixture)),
        "the \"ar\" example keeps the fixture's field order"
    );

    let problem = ResponseSchema::new(&document, LOOKUP_PATH, "400", "application/problem+json");
    let problem_examples = format!(
        "{}/examples",
        response_pointer(LOOKUP_PATH, "400", "application/problem+json")
    );
    let Some(Value::Object(named)) = document.pointer(&problem_examples) else {
        panic!("400 examples at {problem_examples}");
    };
    assert!(!named.is_empty(), "400 has examples");
    for (name, example) in named {
        problem.assert_valid(&example["value"], &format!("the 400 example {name:?}"));
    }

    for (path, status) in [
        ("/health/live", "200"),
        ("/health/ready", "200"),
        ("/health/ready", "503"),
    ] {
        let content = response_pointer(path, status, "application/json");
        let example = document
            .pointer(&format!("{content}/example"))
            .unwrap_or_else(|| panic!("an example at {content}"));
        ResponseSchema::new(&document, path, status, "application/json")
            .assert_valid(example, &format!("the example of {path} {status}"));
    }
}

/// Fails unless `example` is the body of `response`: the same values, and the same
/// keys in the same order (JSON values compare equal whatever their keys' order).
fn assert_same_as_written(example: &Value, response: &TestResponse, what: &str) {
    let body = response.json_as_written();
    assert_eq!(&body, example, "{what} is what the service answers");
    assert_eq!(
        keys_in_order(example),
        keys_in_order(&body),
        "{what} has the fields of the real answer, in its order"
    );
}

/// The documented responses of `path`: status, media type and the named examples.
fn documented_examples(
    document: &Value,
    path: &str,
) -> Vec<(String, String, serde_json::Map<String, Value>)> {
    let Some(Value::Object(responses)) =
        document.pointer(&format!("/paths/{}/get/responses", escape(path)))
    else {
        panic!("the responses of {path}");
    };
    let mut found = Vec::new();
    for (status, response) in responses {
        let Some(Value::Object(content)) = response.get("content") else {
            panic!("GET {path} {status} has content");
        };
        for (media, body) in content {
            let examples = match body.get("examples") {
                Some(Value::Object(examples)) => examples.clone(),
                _ => serde_json::Map::new(),
            };
            found.push((status.clone(), media.clone(), examples));
        }
    }
    found
}

/// Every documented answer of the lookup has an example in each language, valid
/// against its schema and with its own status; no placeholder Swagger UI would show.
fn assert_every_answer_has_examples(document: &Value) {
    let text = document.to_string();
    for placeholder in ["additionalProp1", "\"status\":0"] {
        assert!(
            !text.contains(placeholder),
            "the document holds {placeholder:?}"
        );
    }
    for (path, expected) in [
        (
            LOOKUP_PATH,
            &[
                "200", "400", "401", "403", "404", "405", "429", "500", "503",
            ][..],
        ),
        (
            VERSIONS_PATH,
            &["200", "400", "401", "403", "405", "429", "500", "503"][..],
        ),
    ] {
        assert_examples_of(document, path, expected);
    }
}

/// Every documented answer of `path` has an example in each language, valid against its
/// schema and with its own status.
fn assert_examples_of(document: &Value, path: &str, expected: &[&str]) {
    let examples = documented_examples(document, path);
    let statuses: Vec<&str> = examples
        .iter()
        .map(|(status, ..)| status.as_str())
        .collect();
    for status in expected {
        assert!(
            statuses.contains(status),
            "{path} {status} is documented: {statuses:?}"
        );
    }
    for (status, media, named) in &examples {
        let schema = ResponseSchema::new(document, path, status, media);
        for lang in ["ar", "en"] {
            let example = named
                .get(lang)
                .and_then(|example| example.get("value"))
                .unwrap_or_else(|| panic!("{status} has an example named {lang:?}"));
            schema.assert_valid(example, &format!("the {status} example {lang:?}"));
            if status != "200" {
                assert_eq!(
                    example["status"].as_u64().map(|s| s.to_string()).as_deref(),
                    Some(status.as_str()),
                    "the {status} example {lang:?} has its status"
                );
            }
        }
    }
}

/// Every documented answer of the lookup has examples (above); the problems' examples
/// are the answers the service gives in those cases, field order included (`500`
/// cannot be caused from outside: it is checked against the schema only).
async fn every_problem_example_is_what_the_service_answers(backend: TestBackend) {
    let app = TestApp::spawn(backend).await;
    let document = served_document(&app).await;
    assert_every_answer_has_examples(&document);

    let url = app.database().expect("a database").url().clone();
    let jtc_only = format!("Bearer {}", add_client(&url, "jtc-only", "jtc", None).await);
    let writer = format!(
        "Bearer {}",
        add_client_with(&url, "writer", "jtc", Some("write"), None).await
    );
    let slow = format!(
        "Bearer {}",
        add_client(&url, "slow", "all", Some("1/s")).await
    );
    let mut unreachable = test_settings("postgres://postgres@127.0.0.1:1/none");
    unreachable.auth.mode = AuthMode::Disabled;
    unreachable.database.pool.wait_timeout = Duration::from_secs(1);
    unreachable.database.pool.create_timeout = Duration::from_secs(1);
    let down = TestApp::spawn_with(unreachable, None).await;
    let example =
        |status: &str, lang: &str| -> Value { documented(&document, LOOKUP_PATH, status, lang) };
    for lang in ["ar", "en"] {
        let lookup = format!("companyCode=jtc&customerId=54218&lang={lang}");
        let mut limited = app.lookup_with(Some(&slow), &lookup).await;
        for _ in 0..3 {
            if limited.status == 429 {
                break;
            }
            limited = app.lookup_with(Some(&slow), &lookup).await;
        }
        for (status, response) in [
            (
                "400",
                app.lookup(&format!(
                    "companyCode=jtc&mobileNumber=468617084&lang={lang}"
                ))
                .await,
            ),
            ("401", app.lookup_with(None, &lookup).await),
            (
                "403",
                app.lookup_with(
                    Some(&jtc_only),
                    &format!("companyCode=jfc&customerId=70004&lang={lang}"),
                )
                .await,
            ),
            (
                "404",
                app.get(&format!("/v1/core/customers?lang={lang}")).await,
            ),
            (
                "405",
                app.request(Method::POST, &format!("{LOOKUP_PATH}?{lookup}"), &[])
                    .await,
            ),
            ("429", limited),
            ("503", down.lookup(&lookup).await),
        ] {
            assert_eq!(response.status.to_string(), status, "{}", response.body);
            assert_same_as_written(
                &example(status, lang),
                &response,
                &format!("the {status} example {lang:?}"),
            );
        }
        history_problem_examples_are_what_the_service_answers(&app, &document, &jtc_only, lang)
            .await;
        read_problem_examples_are_what_the_service_answers(&app, &document, &writer, lang).await;
    }
}

/// The examples of the `403` of a client that may not read, of the lookup and of the
/// versions list, are what the service answers such a client (`writer`), in `lang`.
async fn read_problem_examples_are_what_the_service_answers(
    app: &TestApp,
    document: &Value,
    writer: &str,
    lang: &str,
) {
    for path in [LOOKUP_PATH, VERSIONS_PATH] {
        let response = app
            .request(
                Method::GET,
                &format!("{path}?companyCode=jtc&customerId=54218&lang={lang}"),
                &[("authorization", writer)],
            )
            .await;
        assert_eq!(response.status, 403, "{path}: {}", response.body);
        assert_same_as_written(
            &documented(document, path, "403", &format!("read-{lang}")),
            &response,
            &format!("{path}: the read 403 example {lang:?}"),
        );
    }
}

/// The examples of the `asOf` problem of the lookup and of the versions list's problems
/// are what the service answers, in `lang`.
async fn history_problem_examples_are_what_the_service_answers(
    app: &TestApp,
    document: &Value,
    jtc_only: &str,
    lang: &str,
) {
    let future = app
        .lookup(&format!(
            "companyCode=jtc&customerId=54218&lang={lang}&asOf=2999-01-01T00:00:00Z"
        ))
        .await;
    assert_eq!(future.status, 400, "{}", future.body);
    assert_same_as_written(
        &documented(document, LOOKUP_PATH, "400", &format!("asOf-{lang}")),
        &future,
        &format!("the asOf 400 example {lang:?}"),
    );
    let versions = |query: String| format!("{VERSIONS_PATH}?{query}");
    for (status, response) in [
        (
            "400",
            app.get(&versions(format!("companyCode=jtc&lang={lang}")))
                .await,
        ),
        (
            "403",
            app.request(
                Method::GET,
                &versions(format!("companyCode=jfc&customerId=70004&lang={lang}")),
                &[("authorization", jtc_only)],
            )
            .await,
        ),
        (
            "405",
            app.request(
                Method::POST,
                &versions(format!("companyCode=jtc&customerId=54218&lang={lang}")),
                &[],
            )
            .await,
        ),
    ] {
        assert_eq!(response.status.to_string(), status, "{}", response.body);
        assert_same_as_written(
            &documented(document, VERSIONS_PATH, status, lang),
            &response,
            &format!("the versions list's {status} example {lang:?}"),
        );
    }
}

/// The example named `name` of the problem answer `status` of `path`.
fn documented(document: &Value, path: &str, status: &str, name: &str) -> Value {
    let pointer = format!(
        "{}/examples/{name}/value",
        response_pointer(path, status, "application/problem+json")
    );
    document
        .pointer(&pointer)
        .unwrap_or_else(|| panic!("an example at {pointer}"))
        .clone()
}

/// `info.license`, when present, names an SPDX identifier: the workspace's
/// `UNLICENSED` is none, so the document has no license.
async fn the_document_names_no_license_that_is_not_spdx(backend: TestBackend) {
    let app = TestApp::spawn(backend).await;
    let document = served_document(&app).await;
    assert_eq!(
        document["info"].get("license"),
        None,
        "{}",
        document["info"]
    );
}

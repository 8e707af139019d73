//! The parameters' schemas in the served document: each says what the service accepts.

use crate::support::{LOOKUP_PATH, TestApp, TestBackend, encode, suite_tests};
use serde_json::{Value, json};

use crate::openapi::{escape, served_document};

suite_tests!("openapi":
    every_parameter_schema_agrees_with_the_service,
);

/// A JSON Schema validator of the schema at `pointer` in the served document.
fn validator_at(document: &Value, pointer: &str) -> jsonschema::Validator {
    let mut schema = document.clone();
    schema
        .as_object_mut()
        .expect("the document is an object")
        .insert("$ref".to_owned(), json!(format!("#{pointer}")));
    jsonschema::draft202012::new(&schema)
        .unwrap_or_else(|error| panic!("{pointer} is not a usable schema: {error}"))
}

/// Values of each parameter, and whether the service accepts them.
fn parameter_cases() -> Vec<(&'static str, Vec<(String, bool)>)> {
    let long = "x".repeat(64);
    let too_long = "x".repeat(65);
    let long_code = "j".repeat(33);
    let cases: Vec<(&str, Vec<(&str, bool)>)> = vec![
        (
            "companyCode",
            vec![
                ("jtc", true),
                ("JTC", true),
                ("j t c", false),
                ("jt.c", false),
                (long_code.as_str(), false),
            ],
        ),
        (
            "customerId",
            vec![
                ("54218", true),
                ("9223372036854775807", true),
                ("0", false),
                ("-3", false),
                ("9223372036854775808", false),
                ("54.5", false),
                ("abc", false),
                // Blank counts as not given: the schema must let it through.
                ("", true),
                ("  ", true),
            ],
        ),
        (
            "identificationNo",
            vec![
                ("2103232123", true),
                ("AB 12/34", true),
                // Blank counts as not given.
                ("", true),
                ("٢١٠٣٢٣٢١٢٣", true),
                (long.as_str(), true),
                (too_long.as_str(), false),
                ("12\u{1}34", false),
                ("12\u{85}34", false),
            ],
        ),
        (
            "referenceNo",
            vec![
                ("333215", true),
                ("POL-2025-000123", true),
                ("", true),
                (long.as_str(), true),
                (too_long.as_str(), false),
                ("12\t34", false),
            ],
        ),
        (
            "mobileNumber",
            vec![
                ("568617084", true),
                ("56-861 7084", true),
                // Blank counts as not given: the pattern must let it through.
                ("", true),
                ("  ", true),
                ("٥٦٨٦١٧٠٨٤", true),
                ("۵۶۸۶۱۷۰۸۴", true),
                ("5-", true),
                ("512345678901234", true),
                ("5123456789012345", false),
                ("5 1234 5678 9012 345", false),
                ("468617084", false),
                ("56861708a", false),
                ("+966568617084", false),
                ("-", false),
            ],
        ),
        (
            "lang",
            vec![("ar", true), ("en", true), ("fr", false), ("arabic", false)],
        ),
    ];
    cases
        .into_iter()
        .map(|(name, values)| {
            let values = values
                .into_iter()
                .map(|(value, valid)| (value.to_owned(), valid))
                .collect();
            (name, values)
        })
        .collect()
}

/// Whether the service accepts `value` for parameter `name`, the others being valid.
async fn service_accepts(app: &TestApp, name: &str, value: &str) -> bool {
    let mut params = vec![
        ("companyCode", "jtc"),
        ("mobileNumber", "568617084"),
        ("lang", "en"),
    ];
    params.retain(|(param, _)| *param != name);
    params.push((name, value));
    let query = params
        .iter()
        .map(|(param, value)| format!("{param}={}", encode(value)))
        .collect::<Vec<_>>()
        .join("&");
    let response = app.lookup(&query).await;
    match response.status {
        200 => true,
        400 => !response.validation_errors().contains_key(name),
        other => panic!("{query}: {other} {}", response.body),
    }
}

/// Whether `schema` or one of its alternatives is of integers: a query value is text,
/// an integer parameter's schema is about the number it spells.
fn mentions_integer(schema: &Value) -> bool {
    let integer = |kind: &Value| {
        kind == "integer"
            || kind
                .as_array()
                .is_some_and(|kinds| kinds.contains(&json!("integer")))
    };
    schema.get("type").is_some_and(integer)
        || ["oneOf", "anyOf"].iter().any(|key| {
            schema[key]
                .as_array()
                .is_some_and(|items| items.iter().any(mentions_integer))
        })
}

/// Each parameter's schema accepts the values the service accepts and rejects those it
/// rejects (for `companyCode`: well-formed codes; whether one names a company is for
/// the database to say).
async fn every_parameter_schema_agrees_with_the_service(backend: TestBackend) {
    let app = TestApp::spawn(backend).await;
    let document = served_document(&app).await;
    let parameters = document["paths"][LOOKUP_PATH]["get"]["parameters"]
        .as_array()
        .expect("the lookup's parameters")
        .clone();
    let mut disagreements = Vec::new();
    for (name, values) in parameter_cases() {
        let index = parameters
            .iter()
            .position(|parameter| parameter["name"] == name)
            .unwrap_or_else(|| panic!("{name} is documented"));
        let pointer = format!(
            "/paths/{}/get/parameters/{index}/schema",
            escape(LOOKUP_PATH)
        );
        let schema = validator_at(&document, &pointer);
        for (value, valid) in values {
            let instance = if document.pointer(&pointer).is_some_and(mentions_integer) {
                serde_json::from_str::<Value>(&value)
                    .ok()
                    .filter(Value::is_number)
                    .unwrap_or_else(|| json!(value))
            } else {
                json!(value)
            };
            assert_eq!(
                service_accepts(&app, name, &value).await,
                valid,
                "the service's verdict on {name}={value:?}"
            );
            if schema.is_valid(&instance) != valid {
                disagreements.push(format!(
                    "{name}={value:?}: the service {}, the schema {} ({})",
                    if valid { "accepts" } else { "rejects" },
                    if valid { "rejects" } else { "accepts" },
                    document
                        .pointer(&pointer)
                        .map_or_else(String::new, Value::to_string)
                ));
            }
        }
    }
    assert!(disagreements.is_empty(), "{}", disagreements.join("\n"));
    // Each identifier is optional, but not all at once: the document says so where a
    // generator can read it, and the service agrees.
    let operation = &document["paths"][LOOKUP_PATH]["get"];
    assert_eq!(
        operation["x-at-least-one-of"],
        json!([
            "customerId",
            "identificationNo",
            "mobileNumber",
            "referenceNo"
        ])
    );
    assert!(
        operation["description"]
            .as_str()
            .is_some_and(|text| text.contains("without any, the answer is a 400")),
        "{}",
        operation["description"]
    );
    let none = app.lookup("companyCode=jtc&lang=en").await;
    assert_eq!(none.status, 400, "{}", none.body);
    assert!(
        none.validation_errors().contains_key("customerId"),
        "{}",
        none.body
    );
    let language = parameters
        .iter()
        .find(|parameter| parameter["name"] == "lang")
        .expect("lang");
    assert_eq!(
        language["schema"]["enum"],
        json!(["ar", "en"]),
        "{language}"
    );
    assert!(
        language["description"]
            .as_str()
            .is_some_and(|text| text.contains("case-insensitive")),
        "{language}"
    );
}

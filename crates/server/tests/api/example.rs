//! The contract's example request returns exactly `example-response.json`.

use crate::support::{
    EXAMPLE_QUERY, EXAMPLE_RESPONSE, TestApp, TestBackend, keys_in_order, suite_tests,
};
use serde_json::Value;

suite_tests!("example":
    example_request_returns_the_example_response,
    example_response_keeps_the_field_order_of_the_example,
    example_response_writes_arabic_as_utf8_not_escapes,
    coded_values_are_named_in_the_requested_language,
);

fn fixture() -> Value {
    serde_json::from_str(EXAMPLE_RESPONSE).expect("the fixture is JSON")
}

/// Same values and same JSON types (an integer is not equal to a float, a string or a
/// boolean in `serde_json::Value`).
async fn example_request_returns_the_example_response(backend: TestBackend) {
    let app = TestApp::spawn(backend).await;
    let response = app.lookup(EXAMPLE_QUERY).await;
    assert_eq!(response.status, 200, "{}", response.body);
    assert_eq!(response.json(), fixture());
}

async fn example_response_keeps_the_field_order_of_the_example(backend: TestBackend) {
    let app = TestApp::spawn(backend).await;
    let response = app.lookup(EXAMPLE_QUERY).await;
    assert_eq!(response.status, 200, "{}", response.body);
    assert_eq!(
        keys_in_order(&response.json_as_written()),
        keys_in_order(&fixture())
    );
}

async fn example_response_writes_arabic_as_utf8_not_escapes(backend: TestBackend) {
    let app = TestApp::spawn(backend).await;
    let response = app.lookup(EXAMPLE_QUERY).await;
    assert_eq!(response.status, 200, "{}", response.body);
    for text in [
        "شركة",
        "إنشاءات",
        "مكالمة صوتية",
        "رقم السجل التجاري",
        "صديق",
        "أخ",
    ] {
        assert!(response.body.contains(text), "{text} in {}", response.body);
    }
    assert!(!response.body.contains("\\u"), "{}", response.body);
}

/// The reference data table of the contract, in English; the phone code is the same in
/// both languages.
async fn coded_values_are_named_in_the_requested_language(backend: TestBackend) {
    let app = TestApp::spawn(backend).await;
    let response = app
        .lookup(&EXAMPLE_QUERY.replace("lang=ar", "lang=en"))
        .await;
    let customers = response.customers();
    assert_eq!(customers.len(), 1);
    let customer = &customers[0];
    for (field, english) in [
        ("customerType", "Company"),
        ("industryType", "Construction"),
        ("preferredContactType", "Voice call"),
        ("phoneCode", "00966"),
        ("identificationType", "Commercial registration number"),
        ("country", "Saudi Arabia"),
        ("region", "Riyadh"),
        ("city", "Riyadh"),
        ("preferredLanguage", "Arabic"),
    ] {
        assert_eq!(customer[field], english, "{field}");
    }
    let contacts = customer["customerContacts"].as_array().expect("contacts");
    assert_eq!(contacts[0]["relationType"], "Friend");
    assert_eq!(contacts[1]["relationType"], "Brother");
    assert_eq!(contacts[0]["phoneCode"], "00966");
    // Everything but the names is the same as in Arabic.
    let mut arabic = fixture()[0].clone();
    let mut english = customer.clone();
    for value in [&mut arabic, &mut english] {
        for field in [
            "customerType",
            "industryType",
            "preferredContactType",
            "identificationType",
            "country",
            "region",
            "city",
            "preferredLanguage",
        ] {
            value[field] = Value::Null;
        }
        for contact in value["customerContacts"].as_array_mut().expect("contacts") {
            contact["relationType"] = Value::Null;
        }
    }
    assert_eq!(english, arabic);
}

//! The shape of every element of a `200`: section 2, "Response `200 OK`", checked on many
//! different customers of the demo data set, not only the example.

use crate::support::{
    TestApp, TestBackend, example_field_order, is_wire_date_time, keys_in_order, suite_tests,
};
use serde_json::Value;

suite_tests!("response":
    every_element_has_exactly_the_example_fields_in_order,
    every_field_has_the_contracts_json_type,
    coded_values_come_as_id_and_name_pairs,
    company_and_customer_are_always_null,
    user_active_is_an_integer_0_or_1,
    flags_are_json_booleans,
    date_times_are_local_and_trim_the_fraction,
);

/// Every current customer of the demo data set: company and customer id.
const CURRENT_CUSTOMERS: [(&str, i64); 14] = [
    ("jtc", 54218),
    ("jtc", 54219),
    ("jtc", 54220),
    ("jtc", 54221),
    ("jtc", 54222),
    ("jtc", 54223),
    ("jtc", 54224),
    ("jtc", 61001),
    ("jtc", 61002),
    ("jtc", 61003),
    ("jfc", 70001),
    ("jfc", 70002),
    ("jfc", 70003),
    ("jfc", 70004),
];

/// Lookups whose answers, together, hold every current customer; some hold several.
fn lookups() -> Vec<String> {
    let mut queries: Vec<String> = CURRENT_CUSTOMERS
        .iter()
        .flat_map(|(company, id)| {
            ["ar", "en"].map(|lang| format!("companyCode={company}&lang={lang}&customerId={id}"))
        })
        .collect();
    queries.push("companyCode=jtc&lang=ar&mobileNumber=551234567".to_owned());
    queries.push("companyCode=jtc&lang=en&referenceNo=POL-2025-000123".to_owned());
    queries
}

/// Every customer of every lookup, in both languages.
async fn all_customers(app: &TestApp) -> Vec<Value> {
    let mut all = Vec::new();
    for query in lookups() {
        let customers = app.lookup(&query).await.customers();
        assert!(!customers.is_empty(), "{query} finds a customer");
        all.extend(customers);
    }
    all
}

async fn customer(app: &TestApp, company: &str, id: i64) -> Value {
    let mut customers = app
        .lookup(&format!("companyCode={company}&lang=en&customerId={id}"))
        .await
        .customers();
    assert_eq!(customers.len(), 1, "customer {id}");
    customers.remove(0)
}

fn contacts(customer: &Value) -> &Vec<Value> {
    customer["customerContacts"]
        .as_array()
        .expect("customerContacts is an array")
}

/// The body's keys, in order, must be the example's customer keys for each customer and
/// the example's contact keys for each of its contacts: exactly those fields, in that
/// order, none omitted, none added, none repeated.
async fn every_element_has_exactly_the_example_fields_in_order(backend: TestBackend) {
    let app = TestApp::spawn(backend).await;
    let (customer_fields, contact_fields) = example_field_order();
    for query in lookups() {
        let response = app.lookup(&query).await;
        let mut expected = Vec::new();
        for customer in response.customers() {
            expected.extend(customer_fields.iter().cloned());
            for _ in contacts(&customer) {
                expected.extend(contact_fields.iter().cloned());
            }
        }
        assert_eq!(
            keys_in_order(&response.json_as_written()),
            expected,
            "{query}"
        );
    }
}

#[derive(Debug, Clone, Copy)]
enum Kind {
    Integer,
    IntegerOrNull,
    TextOrNull,
    DateTimeOrNull,
    Boolean,
    BooleanOrNull,
    ZeroOrOneOrNull,
    Null,
    List,
}

/// The JSON type the contract gives each field (the example's type; `null` allowed for
/// values that may be unknown).
fn kind(field: &str) -> Kind {
    match field {
        "versionId" | "customerId" | "customerVersionId" | "companyId" | "contactId" => {
            Kind::Integer
        }
        "company" | "customer" => Kind::Null,
        "customerContacts" => Kind::List,
        "dateOfBirth" | "createdDate" | "startDate" | "endDate" | "contactStartDate"
        | "contactEndDate" => Kind::DateTimeOrNull,
        "isActive" | "contactIsEnable" => Kind::BooleanOrNull,
        "primaryContact" => Kind::Boolean,
        "userActive" => Kind::ZeroOrOneOrNull,
        _ if field.ends_with("Id") => Kind::IntegerOrNull,
        _ => Kind::TextOrNull,
    }
}

fn has_kind(value: &Value, kind: Kind) -> bool {
    match kind {
        Kind::Integer => value.is_i64(),
        Kind::IntegerOrNull => value.is_i64() || value.is_null(),
        Kind::TextOrNull => value.is_string() || value.is_null(),
        Kind::DateTimeOrNull => value.is_null() || value.as_str().is_some_and(is_wire_date_time),
        Kind::Boolean => value.is_boolean(),
        Kind::BooleanOrNull => value.is_boolean() || value.is_null(),
        Kind::ZeroOrOneOrNull => value.is_null() || value == 0 || value == 1,
        Kind::Null => value.is_null(),
        Kind::List => value.is_array(),
    }
}

fn check_kinds(object: &Value, what: &str) {
    let Value::Object(fields) = object else {
        panic!("{what} is an object: {object}");
    };
    for (field, value) in fields {
        let kind = kind(field);
        assert!(
            has_kind(value, kind),
            "{what}: {field} = {value} is not {kind:?}"
        );
    }
}

async fn every_field_has_the_contracts_json_type(backend: TestBackend) {
    let app = TestApp::spawn(backend).await;
    for customer in all_customers(&app).await {
        let what = format!("customer {}", customer["customerId"]);
        check_kinds(&customer, &what);
        for contact in contacts(&customer) {
            check_kinds(
                contact,
                &format!("{what}, contact {}", contact["contactId"]),
            );
        }
    }
}

const CODED: [&str; 14] = [
    "nationality",
    "gender",
    "customerType",
    "companyType",
    "industryType",
    "preferredContactType",
    "phoneCode",
    "additionalPhoneCode",
    "identificationType",
    "country",
    "region",
    "city",
    "monthlyIncome",
    "preferredLanguage",
];

/// `xxx` is the name of `xxxId`: `null` exactly when the id is `null`.
async fn coded_values_come_as_id_and_name_pairs(backend: TestBackend) {
    let app = TestApp::spawn(backend).await;
    for customer in all_customers(&app).await {
        let id = &customer["customerId"];
        for name in CODED {
            let code = &customer[format!("{name}Id").as_str()];
            let value = &customer[name];
            assert!(code.is_i64() || code.is_null(), "customer {id}: {name}Id");
            assert_eq!(code.is_null(), value.is_null(), "customer {id}: {name}");
            assert!(
                value.is_null() || value.is_string(),
                "customer {id}: {name}"
            );
        }
        for contact in contacts(&customer) {
            let code = &contact["relationTypeId"];
            assert_eq!(
                code.is_null(),
                contact["relationType"].is_null(),
                "customer {id}"
            );
        }
    }
    // Some pairs whose names the demo data fixes.
    let app_customer = customer(&app, "jtc", 54223).await;
    assert_eq!(app_customer["additionalPhoneCodeId"], 8);
    assert_eq!(app_customer["additionalPhoneCode"], "0020");
    let arabic = app
        .lookup("companyCode=jtc&lang=ar&customerId=54223")
        .await
        .customers();
    assert_eq!(arabic[0]["additionalPhoneCode"], "0020");
    assert_eq!(arabic[0]["phoneCode"], "00966");
}

async fn company_and_customer_are_always_null(backend: TestBackend) {
    let app = TestApp::spawn(backend).await;
    for customer in all_customers(&app).await {
        let id = &customer["customerId"];
        assert_eq!(customer.get("company"), Some(&Value::Null), "customer {id}");
        for contact in contacts(&customer) {
            assert_eq!(contact.get("customer"), Some(&Value::Null), "customer {id}");
        }
    }
}

async fn user_active_is_an_integer_0_or_1(backend: TestBackend) {
    let app = TestApp::spawn(backend).await;
    let inactive = customer(&app, "jtc", 54223).await;
    assert!(
        inactive["userActive"].is_i64(),
        "{}",
        inactive["userActive"]
    );
    assert_eq!(inactive["userActive"], 0);
    let active = customer(&app, "jtc", 54219).await;
    assert!(active["userActive"].is_i64(), "{}", active["userActive"]);
    assert_eq!(active["userActive"], 1);
}

async fn flags_are_json_booleans(backend: TestBackend) {
    let app = TestApp::spawn(backend).await;
    let customer_61001 = customer(&app, "jtc", 61001).await;
    assert_eq!(customer_61001["isActive"], true);
    let contacts = contacts(&customer_61001);
    // Contact 10 is current, contact 11 ended and inactive.
    for (contact, flag) in [(&contacts[0], true), (&contacts[1], false)] {
        for field in ["primaryContact", "isActive", "contactIsEnable"] {
            assert_eq!(
                contact[field],
                Value::Bool(flag),
                "contact {}: {field}",
                contact["contactId"]
            );
        }
    }
    // The example: customer isActive and contactIsEnable unknown, primaryContact false.
    let example = customer(&app, "jtc", 54218).await;
    assert_eq!(example["isActive"], Value::Null);
    let first = &example["customerContacts"][0];
    assert_eq!(first["primaryContact"], false);
    assert_eq!(first["isActive"], true);
    assert_eq!(first["contactIsEnable"], Value::Null);
}

async fn date_times_are_local_and_trim_the_fraction(backend: TestBackend) {
    let app = TestApp::spawn(backend).await;
    for (company, id, field, expected) in [
        ("jtc", 54219, "dateOfBirth", "1982-03-15T00:00:00"),
        ("jtc", 54219, "createdDate", "2019-06-02T10:15:00"),
        ("jtc", 54223, "createdDate", "2023-03-19T12:05:44.25"),
        ("jtc", 54222, "startDate", "2024-07-15T16:45:30.5"),
        ("jtc", 54218, "startDate", "2026-05-14T14:24:50.61"),
        ("jfc", 70004, "dateOfBirth", "1995-04-08T00:00:00"),
        ("jfc", 70004, "createdDate", "2025-12-07T17:05:09.123"),
        ("jfc", 70004, "startDate", "2025-12-07T17:05:09.123"),
    ] {
        let customer = customer(&app, company, id).await;
        assert_eq!(customer[field], expected, "customer {id}: {field}");
    }
    let customer_61001 = customer(&app, "jtc", 61001).await;
    let ended = &customer_61001["customerContacts"][1];
    assert_eq!(ended["contactStartDate"], "2022-04-18T00:00:00");
    assert_eq!(ended["contactEndDate"], "2025-01-31T00:00:00");
    // Every date-time of every customer has the wire format.
    for customer in all_customers(&app).await {
        for field in ["dateOfBirth", "createdDate", "startDate", "endDate"] {
            let value = &customer[field];
            assert!(
                value.is_null() || value.as_str().is_some_and(is_wire_date_time),
                "customer {}: {field} = {value}",
                customer["customerId"]
            );
        }
    }
}

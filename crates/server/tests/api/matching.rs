//! Which customers a lookup returns: section 2, "Matching", and the order and contacts of
//! "Response". The data is the demo data set (`crates/infrastructure/src/seed/DEMO.md`).

use crate::support::{TestApp, TestBackend, keys_in_order, suite_tests};
use serde_json::Value;

suite_tests!("matching":
    all_criteria_must_hold_together,
    matching_is_exact_not_by_prefix,
    matching_is_exact_not_by_pattern,
    results_are_ordered_by_customer_id,
    nothing_matching_gives_an_empty_array,
    contacts_are_ordered_by_contact_id,
    a_customer_without_contacts_has_an_empty_contact_list,
    a_contact_with_its_own_phone_code_shows_that_code,
    a_contact_without_phone_code_shows_the_customers,
    reference_no_finds_the_customer_and_is_not_in_the_response,
    each_reference_of_a_customer_finds_it,
    identification_no_only_finds_the_companys_customer,
    mobile_number_only_finds_the_companys_customers,
    reference_no_only_finds_the_companys_customer,
    customer_id_only_finds_the_companys_customer,
    an_old_mobile_number_finds_nothing,
    an_old_identification_number_finds_nothing,
    a_customer_without_current_version_is_never_returned,
    a_versioned_customer_comes_back_as_its_current_version,
);

/// The `customerId`s a lookup in `company` with `criteria` returns.
async fn ids(app: &TestApp, company: &str, criteria: &str) -> Vec<i64> {
    app.lookup(&format!("companyCode={company}&lang=en&{criteria}"))
        .await
        .customer_ids()
}

/// The one customer `customerId` of `company`.
async fn customer(app: &TestApp, company: &str, id: i64) -> Value {
    let response = app
        .lookup(&format!("companyCode={company}&lang=en&customerId={id}"))
        .await;
    let mut customers = response.customers();
    assert_eq!(customers.len(), 1, "customer {id}: {}", response.body);
    customers.remove(0)
}

fn contacts(customer: &Value) -> &Vec<Value> {
    customer["customerContacts"]
        .as_array()
        .expect("customerContacts is an array")
}

/// The contact `contact_id` of `customer`.
fn contact(customer: &Value, contact_id: i64) -> &Value {
    contacts(customer)
        .iter()
        .find(|c| c["contactId"] == contact_id)
        .unwrap_or_else(|| panic!("contact {contact_id} in {customer}"))
}

const NONE: [i64; 0] = [];

async fn all_criteria_must_hold_together(backend: TestBackend) {
    let app = TestApp::spawn(backend).await;
    for (criteria, expected) in [
        ("customerId=54218&mobileNumber=568617084", vec![54218]),
        ("customerId=54218&mobileNumber=551234567", vec![]),
        ("customerId=54219&referenceNo=333215", vec![]),
        (
            "mobileNumber=551234567&identificationNo=1045678912",
            vec![54220],
        ),
        ("mobileNumber=551234567&identificationNo=1098765432", vec![]),
        (
            "referenceNo=POL-2025-000123&identificationNo=1034567891",
            vec![54219],
        ),
        (
            "referenceNo=POL-2025-000123&mobileNumber=551234567",
            vec![54219, 54220],
        ),
        ("referenceNo=POL-2025-000123&customerId=54220", vec![54220]),
        (
            "referenceNo=POL-2026-000481&mobileNumber=551234567",
            vec![54219],
        ),
        ("referenceNo=POL-2026-000481&customerId=54220", vec![]),
        (
            "customerId=54218&identificationNo=2103232123&mobileNumber=568617084&referenceNo=POL-2025-000123",
            vec![],
        ),
        (
            "customerId=54218&identificationNo=1034567891&mobileNumber=568617084&referenceNo=333215",
            vec![],
        ),
    ] {
        assert_eq!(ids(&app, "jtc", criteria).await, expected, "{criteria}");
    }
}

async fn matching_is_exact_not_by_prefix(backend: TestBackend) {
    let app = TestApp::spawn(backend).await;
    for criteria in [
        "mobileNumber=56861708",
        "mobileNumber=5686",
        "mobileNumber=5686170840",
        "identificationNo=210323212",
        "identificationNo=2103",
        "identificationNo=21032321230",
        "identificationNo=103232123",
        "referenceNo=33321",
        "referenceNo=3332150",
        "referenceNo=POL-2025",
        "referenceNo=POL-2025-00012",
        "customerId=5421",
        "customerId=542180",
    ] {
        assert_eq!(ids(&app, "jtc", criteria).await, NONE, "{criteria}");
    }
}

/// SQL patterns are plain characters.
async fn matching_is_exact_not_by_pattern(backend: TestBackend) {
    let app = TestApp::spawn(backend).await;
    for criteria in [
        "identificationNo=%25",
        "identificationNo=2103232%25",
        "identificationNo=210323212_",
        "identificationNo=*",
        "referenceNo=%25",
        "referenceNo=POL-2025-%25",
        "referenceNo=33321_",
        "referenceNo=.*",
    ] {
        assert_eq!(ids(&app, "jtc", criteria).await, NONE, "{criteria}");
    }
}

async fn results_are_ordered_by_customer_id(backend: TestBackend) {
    let app = TestApp::spawn(backend).await;
    assert_eq!(
        ids(&app, "jtc", "mobileNumber=551234567").await,
        [54219, 54220]
    );
    assert_eq!(
        ids(&app, "jtc", "referenceNo=POL-2025-000123").await,
        [54219, 54220]
    );
    // The elements are whole customers, each with its own contacts.
    let response = app
        .lookup("companyCode=jtc&lang=en&mobileNumber=551234567")
        .await;
    let customers = response.customers();
    assert_eq!(customers[0]["identificationNo"], "1034567891");
    assert_eq!(customers[1]["identificationNo"], "1045678912");
    let contact_ids =
        |c: &Value| -> Vec<Value> { contacts(c).iter().map(|c| c["contactId"].clone()).collect() };
    assert_eq!(contact_ids(&customers[0]), [3, 4]);
    assert_eq!(contact_ids(&customers[1]), [5]);
}

async fn nothing_matching_gives_an_empty_array(backend: TestBackend) {
    let app = TestApp::spawn(backend).await;
    for query in [
        "companyCode=jtc&lang=en&customerId=99999",
        "companyCode=jtc&lang=ar&mobileNumber=500000000",
        "companyCode=jfc&lang=en&identificationNo=0000000000",
        "companyCode=jtc&lang=en&referenceNo=NO-SUCH-REF",
    ] {
        let response = app.lookup(query).await;
        assert_eq!(response.status, 200, "{query}: {}", response.body);
        assert_eq!(response.json(), Value::Array(Vec::new()), "{query}");
    }
}

async fn contacts_are_ordered_by_contact_id(backend: TestBackend) {
    let app = TestApp::spawn(backend).await;
    for (company, id, expected) in [
        ("jtc", 54218, vec![1, 2]),
        ("jtc", 54219, vec![3, 4]),
        ("jtc", 54220, vec![5]),
        ("jtc", 54222, vec![7, 8]),
        ("jtc", 61001, vec![10, 11]),
        ("jfc", 70003, vec![14, 15]),
    ] {
        let customer = customer(&app, company, id).await;
        let contact_ids: Vec<i64> = contacts(&customer)
            .iter()
            .map(|c| c["contactId"].as_i64().expect("integer contactId"))
            .collect();
        assert_eq!(contact_ids, expected, "customer {id}");
        for contact in contacts(&customer) {
            assert_eq!(contact["customerId"], id, "customer {id}");
        }
    }
}

async fn a_customer_without_contacts_has_an_empty_contact_list(backend: TestBackend) {
    let app = TestApp::spawn(backend).await;
    for (company, id) in [("jtc", 54223), ("jtc", 61003), ("jfc", 70004)] {
        let customer = customer(&app, company, id).await;
        assert_eq!(
            customer.get("customerContacts"),
            Some(&Value::Array(Vec::new())),
            "customer {id}"
        );
    }
}

async fn a_contact_with_its_own_phone_code_shows_that_code(backend: TestBackend) {
    let app = TestApp::spawn(backend).await;
    for (company, id, contact_id, code_id, code) in [
        ("jtc", 54222, 7, 10, "0091"),
        ("jtc", 54224, 9, 13, "0063"),
        ("jfc", 70003, 15, 2, "00971"),
    ] {
        for lang in ["en", "ar"] {
            let response = app
                .lookup(&format!(
                    "companyCode={company}&lang={lang}&customerId={id}"
                ))
                .await;
            let customers = response.customers();
            assert_eq!(customers[0]["phoneCode"], "00966", "customer {id}");
            let contact = contact(&customers[0], contact_id);
            assert_eq!(
                contact["contactPhoneCodeId"], code_id,
                "contact {contact_id}"
            );
            assert_eq!(contact["phoneCode"], code, "contact {contact_id} in {lang}");
        }
    }
}

async fn a_contact_without_phone_code_shows_the_customers(backend: TestBackend) {
    let app = TestApp::spawn(backend).await;
    for (company, id, contact_id) in [
        ("jtc", 54218, 1),
        ("jtc", 54218, 2),
        ("jtc", 54222, 8),
        ("jtc", 61001, 11),
        ("jfc", 70003, 14),
    ] {
        let customer = customer(&app, company, id).await;
        let contact = contact(&customer, contact_id);
        assert_eq!(
            contact["contactPhoneCodeId"],
            Value::Null,
            "contact {contact_id}"
        );
        assert!(customer["phoneCode"].is_string(), "customer {id}");
        assert_eq!(
            contact["phoneCode"], customer["phoneCode"],
            "contact {contact_id}"
        );
    }
}

async fn reference_no_finds_the_customer_and_is_not_in_the_response(backend: TestBackend) {
    let app = TestApp::spawn(backend).await;
    let response = app
        .lookup("companyCode=jtc&lang=en&referenceNo=POL-2026-000481")
        .await;
    assert_eq!(response.customer_ids(), [54219]);
    for reference in ["POL-2026-000481", "POL-2025-000123"] {
        assert!(!response.body.contains(reference), "{}", response.body);
    }
    for key in keys_in_order(&response.json()) {
        assert!(!key.to_lowercase().contains("reference"), "field {key}");
    }
}

async fn each_reference_of_a_customer_finds_it(backend: TestBackend) {
    let app = TestApp::spawn(backend).await;
    for (company, reference, id) in [
        ("jtc", "GRP-2025-000045", 61001),
        ("jtc", "POL-2025-000987", 61001),
        ("jtc", "884512", 61001),
        ("jtc", "POL-2024-003317", 54222),
        ("jtc", "771245", 54222),
        ("jtc", "MTR-2025-044871", 54221),
        ("jfc", "LEASE-2026-000077", 70003),
        ("jfc", "LEASE-2026-000078", 70003),
        ("jfc", "FIN-2026-000215", 70001),
    ] {
        assert_eq!(
            ids(&app, company, &format!("referenceNo={reference}")).await,
            [id],
            "{reference}"
        );
    }
}

async fn identification_no_only_finds_the_companys_customer(backend: TestBackend) {
    let app = TestApp::spawn(backend).await;
    assert_eq!(
        ids(&app, "jtc", "identificationNo=2103232123").await,
        [54218]
    );
    assert_eq!(
        ids(&app, "jfc", "identificationNo=2103232123").await,
        [70001]
    );
    assert_eq!(
        ids(&app, "jtc", "identificationNo=1034567891").await,
        [54219]
    );
    assert_eq!(
        ids(&app, "jfc", "identificationNo=1034567891").await,
        [70002]
    );
    // Identification numbers that only one company has.
    assert_eq!(ids(&app, "jfc", "identificationNo=1045678912").await, NONE);
    assert_eq!(ids(&app, "jtc", "identificationNo=1122334455").await, NONE);
    let customer = customer(&app, "jfc", 70001).await;
    assert_eq!(customer["companyId"], 2);
}

async fn mobile_number_only_finds_the_companys_customers(backend: TestBackend) {
    let app = TestApp::spawn(backend).await;
    assert_eq!(ids(&app, "jtc", "mobileNumber=568617084").await, [54218]);
    assert_eq!(ids(&app, "jfc", "mobileNumber=568617084").await, [70001]);
    assert_eq!(
        ids(&app, "jtc", "mobileNumber=551234567").await,
        [54219, 54220]
    );
    assert_eq!(ids(&app, "jfc", "mobileNumber=551234567").await, [70002]);
    assert_eq!(ids(&app, "jtc", "mobileNumber=545556677").await, NONE);
    assert_eq!(ids(&app, "jfc", "mobileNumber=557778899").await, NONE);
}

async fn reference_no_only_finds_the_companys_customer(backend: TestBackend) {
    let app = TestApp::spawn(backend).await;
    assert_eq!(ids(&app, "jtc", "referenceNo=333215").await, [54218]);
    assert_eq!(ids(&app, "jfc", "referenceNo=333215").await, [70001]);
    assert_eq!(ids(&app, "jfc", "referenceNo=POL-2025-000123").await, NONE);
    assert_eq!(ids(&app, "jtc", "referenceNo=450017").await, NONE);
    assert_eq!(ids(&app, "jtc", "referenceNo=FIN-2026-000215").await, NONE);
}

async fn customer_id_only_finds_the_companys_customer(backend: TestBackend) {
    let app = TestApp::spawn(backend).await;
    assert_eq!(ids(&app, "jtc", "customerId=70001").await, NONE);
    assert_eq!(ids(&app, "jfc", "customerId=54218").await, NONE);
    assert_eq!(ids(&app, "jfc", "customerId=70001").await, [70001]);
    // The example request in the other company.
    let example =
        "customerId=54218&identificationNo=2103232123&mobileNumber=568617084&referenceNo=333215";
    assert_eq!(ids(&app, "jfc", example).await, NONE);
    let without_id = "identificationNo=2103232123&mobileNumber=568617084&referenceNo=333215";
    assert_eq!(ids(&app, "jfc", without_id).await, [70001]);
    assert_eq!(ids(&app, "jtc", without_id).await, [54218]);
}

async fn an_old_mobile_number_finds_nothing(backend: TestBackend) {
    let app = TestApp::spawn(backend).await;
    // 61002's old mobile; 54221's old mobile is the family mobile of 54219 and 54220.
    assert_eq!(ids(&app, "jtc", "mobileNumber=500112233").await, NONE);
    assert_eq!(ids(&app, "jtc", "mobileNumber=500998877").await, [61002]);
    assert_eq!(
        ids(&app, "jtc", "mobileNumber=551234567").await,
        [54219, 54220]
    );
    assert_eq!(
        ids(&app, "jtc", "customerId=54221&mobileNumber=551234567").await,
        NONE
    );
    assert_eq!(ids(&app, "jtc", "mobileNumber=553456789").await, [54221]);
}

async fn an_old_identification_number_finds_nothing(backend: TestBackend) {
    let app = TestApp::spawn(backend).await;
    assert_eq!(ids(&app, "jtc", "identificationNo=M4821937").await, NONE);
    assert_eq!(
        ids(&app, "jtc", "identificationNo=2456789013").await,
        [54222]
    );
}

async fn a_customer_without_current_version_is_never_returned(backend: TestBackend) {
    let app = TestApp::spawn(backend).await;
    for criteria in [
        "customerId=54225",
        "referenceNo=POL-2020-007781",
        "identificationNo=1076543210",
        "mobileNumber=567001122",
        "customerId=54225&referenceNo=POL-2020-007781&identificationNo=1076543210&mobileNumber=567001122",
    ] {
        assert_eq!(ids(&app, "jtc", criteria).await, NONE, "{criteria}");
    }
}

async fn a_versioned_customer_comes_back_as_its_current_version(backend: TestBackend) {
    let app = TestApp::spawn(backend).await;
    for (company, criteria, version_id, customer_version_id, field, value) in [
        (
            "jtc",
            "customerId=54222",
            200_007,
            3,
            "occupation",
            "Project Manager",
        ),
        (
            "jtc",
            "identificationNo=2456789013",
            200_007,
            3,
            "address1",
            "Prince Turki Street",
        ),
        (
            "jtc",
            "referenceNo=771245",
            200_007,
            3,
            "startDate",
            "2024-07-15T16:45:30.5",
        ),
        (
            "jtc",
            "customerId=54221",
            200_004,
            2,
            "mobileNumber",
            "553456789",
        ),
        (
            "jtc",
            "mobileNumber=500998877",
            200_013,
            2,
            "companyName",
            "Gulf Coast Energy Services Co.",
        ),
        (
            "jfc",
            "customerId=70002",
            200_017,
            2,
            "occupation",
            "مدير مشاريع",
        ),
        (
            "jfc",
            "mobileNumber=551234567",
            200_017,
            2,
            "startDate",
            "2025-06-30T14:10:00",
        ),
    ] {
        let response = app
            .lookup(&format!("companyCode={company}&lang=en&{criteria}"))
            .await;
        let customers = response.customers();
        assert_eq!(customers.len(), 1, "{criteria}: one element per customer");
        let customer = &customers[0];
        assert_eq!(customer["versionId"], version_id, "{criteria}");
        assert_eq!(
            customer["customerVersionId"], customer_version_id,
            "{criteria}"
        );
        assert_eq!(customer["endDate"], Value::Null, "{criteria}");
        assert_eq!(customer[field], value, "{criteria}");
    }
}

//! How the request is read and validated: section 2, "Request".

use crate::support::{
    EXAMPLE_QUERY, EXAMPLE_RESPONSE, TestApp, TestBackend, TestResponse, encode, suite_tests,
};
use serde_json::Value;

suite_tests!("request":
    parameter_names_match_case_insensitively,
    unknown_parameters_are_ignored,
    blank_optional_parameters_count_as_not_given,
    values_are_trimmed,
    a_repeated_parameter_is_a_validation_error_on_it,
    a_parameter_repeated_in_another_case_is_a_validation_error,
    arabic_indic_digits_are_read_in_every_identifier,
    extended_arabic_indic_digits_are_read_in_every_identifier,
    lang_is_ar_or_en_in_any_case,
    any_other_lang_is_a_validation_error,
    missing_lang_is_a_validation_error,
    company_code_matches_case_insensitively,
    unknown_company_code_is_a_validation_error_not_an_empty_result,
    missing_company_code_is_a_validation_error,
    customer_id_must_be_a_positive_integer,
    customer_id_must_fit_in_64_bits,
    mobile_number_ignores_spaces_and_hyphens,
    mobile_number_must_start_with_5,
    mobile_number_must_be_digits_only,
    mobile_number_has_at_most_15_digits,
    identification_no_has_at_most_64_characters,
    reference_no_has_at_most_64_characters,
    identification_no_must_not_hold_control_characters,
    reference_no_must_not_hold_control_characters,
    at_least_one_identifier_is_required,
    every_problem_is_reported_at_once,
    every_problem_of_one_parameter_is_reported,
);

/// Asserts that `response` is exactly the contract's example response.
fn assert_is_example(response: &TestResponse, request: &str) {
    assert_eq!(response.status, 200, "{request}: {}", response.body);
    let example: Value = serde_json::from_str(EXAMPLE_RESPONSE).expect("fixture");
    assert_eq!(response.json(), example, "{request}");
}

/// Asserts that `response` is a 400 whose `errors` name exactly `params`.
fn assert_invalid(response: &TestResponse, params: &[&str], request: &str) {
    assert_eq!(response.status, 400, "{request}: {}", response.body);
    let errors = response.validation_errors();
    let mut named: Vec<&str> = errors.keys().map(String::as_str).collect();
    named.sort_unstable();
    let mut expected = params.to_vec();
    expected.sort_unstable();
    assert_eq!(named, expected, "{request}: {}", response.body);
}

/// `text` with its ASCII digits written from `zero` on (U+0660 or U+06F0).
fn with_digits_from(text: &str, zero: char) -> String {
    text.chars()
        .map(|c| match c.to_digit(10) {
            Some(d) => char::from_u32(u32::from(zero) + d).expect("a digit"),
            None => c,
        })
        .collect()
}

async fn parameter_names_match_case_insensitively(backend: TestBackend) {
    let app = TestApp::spawn(backend).await;
    for query in [
        "COMPANYCODE=jtc&CustomerId=54218&IDENTIFICATIONNO=2103232123&MobileNumber=568617084&referenceno=333215&LANG=ar",
        "companycode=jtc&customerID=54218&identificationno=2103232123&mobilenumber=568617084&ReferenceNo=333215&Lang=ar",
    ] {
        assert_is_example(&app.lookup(query).await, query);
    }
}

async fn unknown_parameters_are_ignored(backend: TestBackend) {
    let app = TestApp::spawn(backend).await;
    for query in [
        format!("{EXAMPLE_QUERY}&page=2&foo=bar&foo=baz"),
        format!("customer=1&{EXAMPLE_QUERY}&customerIds=7&lang2=fr&mobile=1&="),
        format!("{EXAMPLE_QUERY}&x=%01&sort=customerId%20desc"),
    ] {
        assert_is_example(&app.lookup(&query).await, &query);
    }
}

async fn blank_optional_parameters_count_as_not_given(backend: TestBackend) {
    let app = TestApp::spawn(backend).await;
    for query in [
        "companyCode=jtc&lang=ar&mobileNumber=568617084&customerId=&identificationNo=&referenceNo=",
        "companyCode=jtc&lang=ar&mobileNumber=568617084&customerId=%20&identificationNo=%20%20&referenceNo=%09",
        "companyCode=jtc&lang=ar&customerId=54218&mobileNumber=+&identificationNo=%20%09%20&referenceNo",
        "companyCode=jtc&lang=ar&referenceNo=333215&customerId=%0D%0A",
    ] {
        assert_is_example(&app.lookup(query).await, query);
    }
}

async fn values_are_trimmed(backend: TestBackend) {
    let app = TestApp::spawn(backend).await;
    for query in [
        "companyCode=%20jtc%20&customerId=%2054218%20&identificationNo=%202103232123%20&mobileNumber=%20568617084%20&referenceNo=%20333215%20&lang=%20ar%20",
        "companyCode=%09jtc&customerId=54218%09&identificationNo=2103232123%0A&mobileNumber=%09568617084&referenceNo=%20%20333215%09&lang=ar%20%20",
    ] {
        assert_is_example(&app.lookup(query).await, query);
    }
    for (query, id) in [
        (
            "companyCode=jtc&lang=en&referenceNo=%20POL-2026-000481%20",
            54219,
        ),
        (
            "companyCode=jtc&lang=en&identificationNo=%09M4821937%20",
            -1,
        ),
    ] {
        let ids = app.lookup(query).await.customer_ids();
        let expected: Vec<i64> = [id].into_iter().filter(|id| *id > 0).collect();
        assert_eq!(ids, expected, "{query}");
    }
}

async fn a_repeated_parameter_is_a_validation_error_on_it(backend: TestBackend) {
    let app = TestApp::spawn(backend).await;
    for (param, value) in [
        ("companyCode", "jtc"),
        ("customerId", "54218"),
        ("identificationNo", "2103232123"),
        ("mobileNumber", "568617084"),
        ("referenceNo", "333215"),
        ("lang", "ar"),
    ] {
        // The same value twice: the repetition alone is the problem.
        let query = format!("{EXAMPLE_QUERY}&{param}={value}");
        let response = app.lookup(&query).await;
        assert_invalid(&response, &[param], &query);
    }
    // Different values, first and last.
    let query = "customerId=1&companyCode=jtc&lang=en&customerId=54218";
    assert_invalid(&app.lookup(query).await, &["customerId"], query);
}

async fn a_parameter_repeated_in_another_case_is_a_validation_error(backend: TestBackend) {
    let app = TestApp::spawn(backend).await;
    for (repeat, param) in [
        ("MOBILENUMBER=568617084", "mobileNumber"),
        ("CompanyCode=jtc", "companyCode"),
        ("LANG=ar", "lang"),
        ("customerid=54218", "customerId"),
    ] {
        let query = format!("{EXAMPLE_QUERY}&{repeat}");
        assert_invalid(&app.lookup(&query).await, &[param], &query);
    }
}

async fn digits_are_read_in_every_identifier(backend: TestBackend, zero: char) {
    let app = TestApp::spawn(backend).await;
    let digits = |text: &str| encode(&with_digits_from(text, zero));
    // Each identifier alone finds the example customer.
    for (param, value) in [
        ("customerId", "54218"),
        ("identificationNo", "2103232123"),
        ("mobileNumber", "568617084"),
        ("referenceNo", "333215"),
    ] {
        let query = format!("companyCode=jtc&lang=ar&{param}={}", digits(value));
        assert_is_example(&app.lookup(&query).await, &query);
    }
    // All four together, and mixed with ASCII digits.
    let query = format!(
        "companyCode=jtc&customerId={}&identificationNo={}&mobileNumber={}&referenceNo={}&lang=ar",
        digits("54218"),
        digits("2103232123"),
        digits("568617084"),
        digits("333215"),
    );
    assert_is_example(&app.lookup(&query).await, &query);
    let query = format!(
        "companyCode=jtc&customerId=54{}&identificationNo={}3232123&mobileNumber={}-617-{}&referenceNo=333{}&lang=ar",
        digits("218"),
        digits("210"),
        digits("568"),
        digits("084"),
        digits("215"),
    );
    assert_is_example(&app.lookup(&query).await, &query);
    // Read before validation: a mobile number in these digits must still start with 5.
    let query = format!(
        "companyCode=jtc&lang=en&mobileNumber={}",
        digits("468617084")
    );
    assert_invalid(&app.lookup(&query).await, &["mobileNumber"], &query);
    let query = format!("companyCode=jtc&lang=en&customerId={}", digits("0"));
    assert_invalid(&app.lookup(&query).await, &["customerId"], &query);
}

async fn arabic_indic_digits_are_read_in_every_identifier(backend: TestBackend) {
    digits_are_read_in_every_identifier(backend, '\u{0660}').await;
}

async fn extended_arabic_indic_digits_are_read_in_every_identifier(backend: TestBackend) {
    digits_are_read_in_every_identifier(backend, '\u{06F0}').await;
}

async fn lang_is_ar_or_en_in_any_case(backend: TestBackend) {
    let app = TestApp::spawn(backend).await;
    for (lang, customer_type) in [
        ("ar", "شركة"),
        ("AR", "شركة"),
        ("Ar", "شركة"),
        ("en", "Company"),
        ("EN", "Company"),
        ("eN", "Company"),
    ] {
        let query = format!("companyCode=jtc&customerId=54218&lang={lang}");
        let customers = app.lookup(&query).await.customers();
        assert_eq!(customers.len(), 1, "{query}");
        assert_eq!(customers[0]["customerType"], customer_type, "{query}");
    }
}

async fn any_other_lang_is_a_validation_error(backend: TestBackend) {
    let app = TestApp::spawn(backend).await;
    for lang in [
        "fr", "arabic", "english", "a", "ar-SA", "en_US", "a%20r", "%D8%B9",
    ] {
        let query = format!("companyCode=jtc&customerId=54218&lang={lang}");
        assert_invalid(&app.lookup(&query).await, &["lang"], &query);
    }
}

async fn missing_lang_is_a_validation_error(backend: TestBackend) {
    let app = TestApp::spawn(backend).await;
    for query in [
        "companyCode=jtc&customerId=54218",
        "companyCode=jtc&customerId=54218&lang=",
        "companyCode=jtc&customerId=54218&lang=%20%20",
    ] {
        assert_invalid(&app.lookup(query).await, &["lang"], query);
    }
}

async fn company_code_matches_case_insensitively(backend: TestBackend) {
    let app = TestApp::spawn(backend).await;
    for code in ["JTC", "Jtc", "jTc"] {
        let query = EXAMPLE_QUERY.replace("companyCode=jtc", &format!("companyCode={code}"));
        assert_is_example(&app.lookup(&query).await, &query);
    }
    let query = "companyCode=JFC&lang=en&identificationNo=2103232123";
    assert_eq!(app.lookup(query).await.customer_ids(), [70001], "{query}");
}

async fn unknown_company_code_is_a_validation_error_not_an_empty_result(backend: TestBackend) {
    let app = TestApp::spawn(backend).await;
    for code in ["xyz", "jtcx", "jt", "jtc1", "j%20tc", "jtc;", "%D8%AC"] {
        let query = EXAMPLE_QUERY.replace("companyCode=jtc", &format!("companyCode={code}"));
        assert_invalid(&app.lookup(&query).await, &["companyCode"], &query);
    }
}

async fn missing_company_code_is_a_validation_error(backend: TestBackend) {
    let app = TestApp::spawn(backend).await;
    for query in [
        "customerId=54218&lang=en",
        "companyCode=&customerId=54218&lang=en",
        "companyCode=%20&customerId=54218&lang=en",
    ] {
        assert_invalid(&app.lookup(query).await, &["companyCode"], query);
    }
}

async fn customer_id_must_be_a_positive_integer(backend: TestBackend) {
    let app = TestApp::spawn(backend).await;
    for id in [
        "0", "-1", "-54218", "12a", "1.5", "54218.0", "1e3", "0x10", "five", "-",
    ] {
        let query = format!("companyCode=jtc&lang=en&customerId={id}");
        assert_invalid(&app.lookup(&query).await, &["customerId"], &query);
    }
}

async fn customer_id_must_fit_in_64_bits(backend: TestBackend) {
    let app = TestApp::spawn(backend).await;
    for id in [
        "9223372036854775808",
        "18446744073709551616",
        "99999999999999999999999",
    ] {
        let query = format!("companyCode=jtc&lang=en&customerId={id}");
        assert_invalid(&app.lookup(&query).await, &["customerId"], &query);
    }
    let query = "companyCode=jtc&lang=en&customerId=9223372036854775807";
    assert_eq!(app.lookup(query).await.customer_ids(), Vec::<i64>::new());
}

async fn mobile_number_ignores_spaces_and_hyphens(backend: TestBackend) {
    let app = TestApp::spawn(backend).await;
    for mobile in [
        "568-617-084",
        "56%20861%207084",
        "5-6-8-6-1-7-0-8-4",
        "568%20-%20617%20-%20084",
        "--568617084--",
        "568617084-",
    ] {
        let query = format!("companyCode=jtc&lang=ar&mobileNumber={mobile}");
        assert_is_example(&app.lookup(&query).await, &query);
    }
}

async fn mobile_number_must_start_with_5(backend: TestBackend) {
    let app = TestApp::spawn(backend).await;
    for mobile in [
        "468617084",
        "0568617084",
        "00966568617084",
        "966568617084",
        "-468617084",
    ] {
        let query = format!("companyCode=jtc&lang=en&mobileNumber={mobile}");
        let response = app.lookup(&query).await;
        assert_invalid(&response, &["mobileNumber"], &query);
        let errors = response.validation_errors();
        assert!(
            errors["mobileNumber"]
                .as_array()
                .expect("a list")
                .iter()
                .any(|m| m.as_str().is_some_and(|m| m.contains("must start with 5"))),
            "{query}: {}",
            response.body
        );
    }
}

async fn mobile_number_must_be_digits_only(backend: TestBackend) {
    let app = TestApp::spawn(backend).await;
    for mobile in [
        "56861708a",
        "5686.17084",
        "568617084x",
        "5%2B68617084",
        "568_617_084",
        "568%2F617%2F084",
        "5%D8%A768617084",
    ] {
        let query = format!("companyCode=jtc&lang=en&mobileNumber={mobile}");
        assert_invalid(&app.lookup(&query).await, &["mobileNumber"], &query);
    }
}

async fn mobile_number_has_at_most_15_digits(backend: TestBackend) {
    let app = TestApp::spawn(backend).await;
    for mobile in [
        "512345678901234",
        "512-345-678-901-234",
        "5%201%202%203%204%205%206%207%208%209%200%201%202%203%204",
    ] {
        let query = format!("companyCode=jtc&lang=en&mobileNumber={mobile}");
        assert_eq!(
            app.lookup(&query).await.customer_ids(),
            Vec::<i64>::new(),
            "{query}"
        );
    }
    for mobile in [
        "5123456789012345",
        "5123-4567-8901-2345",
        "568617084568617084",
    ] {
        let query = format!("companyCode=jtc&lang=en&mobileNumber={mobile}");
        assert_invalid(&app.lookup(&query).await, &["mobileNumber"], &query);
    }
}

async fn free_text_has_at_most_64_characters(backend: TestBackend, param: &str) {
    let app = TestApp::spawn(backend).await;
    // Characters, not bytes: 64 Arabic letters are 128 bytes.
    for value in [
        "7".repeat(64),
        "A".repeat(64),
        encode(&"ب".repeat(64)),
        format!("%20{}%20", "7".repeat(64)),
    ] {
        let query = format!("companyCode=jtc&lang=en&{param}={value}");
        assert_eq!(
            app.lookup(&query).await.customer_ids(),
            Vec::<i64>::new(),
            "{query}"
        );
    }
    for value in [
        "7".repeat(65),
        "A".repeat(65),
        encode(&"ب".repeat(65)),
        "7".repeat(300),
    ] {
        let query = format!("companyCode=jtc&lang=en&{param}={value}");
        assert_invalid(&app.lookup(&query).await, &[param], &query);
    }
}

async fn identification_no_has_at_most_64_characters(backend: TestBackend) {
    free_text_has_at_most_64_characters(backend, "identificationNo").await;
}

async fn reference_no_has_at_most_64_characters(backend: TestBackend) {
    free_text_has_at_most_64_characters(backend, "referenceNo").await;
}

async fn free_text_has_no_control_characters(backend: TestBackend, param: &str) {
    let app = TestApp::spawn(backend).await;
    for value in [
        "%01",
        "333%01215",
        "%01333215",
        "333215%00",
        "33%0A3215",
        "33%093215",
        "333%7F215",
        "333%C2%85215",
        "%1B%5B31m",
    ] {
        let query = format!("companyCode=jtc&lang=en&{param}={value}");
        assert_invalid(&app.lookup(&query).await, &[param], &query);
    }
}

async fn identification_no_must_not_hold_control_characters(backend: TestBackend) {
    free_text_has_no_control_characters(backend, "identificationNo").await;
}

async fn reference_no_must_not_hold_control_characters(backend: TestBackend) {
    free_text_has_no_control_characters(backend, "referenceNo").await;
}

async fn at_least_one_identifier_is_required(backend: TestBackend) {
    let app = TestApp::spawn(backend).await;
    for query in [
        "companyCode=jtc&lang=en",
        "companyCode=jtc&lang=en&customerId=&identificationNo=%20&mobileNumber=%09&referenceNo=",
        "companyCode=jtc&lang=en&customer=54218&mobile=568617084",
    ] {
        let response = app.lookup(query).await;
        assert_eq!(response.status, 400, "{query}: {}", response.body);
        // One problem, said once: under the first identifier, not under all four.
        let errors = response.validation_errors();
        assert_eq!(
            errors.keys().collect::<Vec<_>>(),
            ["customerId"],
            "{query}: {}",
            response.body
        );
        assert_eq!(
            errors["customerId"],
            serde_json::json!([
                "at least one of customerId, identificationNo, mobileNumber or referenceNo is required"
            ]),
            "{query}"
        );
    }
}

async fn every_problem_is_reported_at_once(backend: TestBackend) {
    let app = TestApp::spawn(backend).await;
    let long = "1".repeat(65);
    let query = format!(
        "companyCode=nope&lang=fr&customerId=0&mobileNumber=468617084&identificationNo={long}&referenceNo=12%0134"
    );
    assert_invalid(
        &app.lookup(&query).await,
        &[
            "companyCode",
            "lang",
            "customerId",
            "mobileNumber",
            "identificationNo",
            "referenceNo",
        ],
        &query,
    );
    let response = app.get("/v1/core/customer").await;
    let errors = response.validation_errors();
    assert!(
        errors.contains_key("companyCode") && errors.contains_key("lang"),
        "{}",
        response.body
    );
    assert!(
        errors.len() >= 3,
        "an identifier is missing too: {}",
        response.body
    );
    let query = "mobileNumber=123";
    assert_invalid(
        &app.lookup(query).await,
        &["companyCode", "lang", "mobileNumber"],
        query,
    );
    let query = "companyCode=jtc&companyCode=jtc&lang=ar&customerId=12a&referenceNo=333215";
    assert_invalid(
        &app.lookup(query).await,
        &["companyCode", "customerId"],
        query,
    );
}

async fn every_problem_of_one_parameter_is_reported(backend: TestBackend) {
    let app = TestApp::spawn(backend).await;
    // Not digits only, not starting with 5, more than 15 digits.
    let query = "companyCode=jtc&lang=en&mobileNumber=4123456789012345a";
    let response = app.lookup(query).await;
    assert_invalid(&response, &["mobileNumber"], query);
    let messages = response.validation_errors()["mobileNumber"].clone();
    assert_eq!(
        messages.as_array().map(Vec::len),
        Some(3),
        "{}",
        response.body
    );
    // Too long and holding a control character.
    let query = format!("companyCode=jtc&lang=en&referenceNo={}%01", "1".repeat(70));
    let response = app.lookup(&query).await;
    assert_invalid(&response, &["referenceNo"], &query);
    let messages = response.validation_errors()["referenceNo"].clone();
    assert_eq!(
        messages.as_array().map(Vec::len),
        Some(2),
        "{}",
        response.body
    );
}

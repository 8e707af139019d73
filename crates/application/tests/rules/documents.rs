//! Reading customer documents (`read_change`, `read_line`): every rule of a field, each
//! problem reported under its field's name. Whole documents (lists, deletion lines,
//! every problem at once, the texts in both languages), the import over a mocked writer
//! and the export over a mocked store are in the child modules.

use chrono::{DateTime, FixedOffset, NaiveDateTime, Utc};
use customer_application::documents::{
    Addressed, DocumentContext, MAX_TEXT_LEN, parse_date_time, read_change, read_line,
};
use customer_application::{DocumentErrors, DocumentProblem, Message};
use customer_domain::{
    CodeBook, CodeCategory, CompanyCode, CompanyId, ContactDetails, CustomerChange,
    CustomerDocument, CustomerId, IdentificationNumber, Language, MobileNumber, ReferenceNumber,
    Violation, WriteRefusal,
};
use serde_json::{Value, json};

mod export;
mod import;
mod whole;

use DocumentProblem as P;

const JTC: CompanyId = CompanyId::new(1);
const JFC: CompanyId = CompanyId::new(2);

/// Every category holds the codes 1 to 20; the companies are `jtc` (1) and `jfc` (2).
fn book() -> CodeBook {
    CodeBook::new(
        CodeCategory::ALL
            .iter()
            .flat_map(|category| (1..=20).map(move |id| (*category, id))),
        [(code("jtc"), JTC), (code("jfc"), JFC)],
    )
}

fn code(text: &str) -> CompanyCode {
    CompanyCode::parse(text).expect("a well-formed code")
}

/// Now: 2026-06-01 12:00 UTC, 15:00 as stored (local times at +03:00).
fn now() -> DateTime<Utc> {
    utc("2026-06-01T12:00:00Z")
}

fn utc(text: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(text)
        .expect("RFC 3339")
        .with_timezone(&Utc)
}

fn riyadh() -> FixedOffset {
    FixedOffset::east_opt(3 * 3600).expect("+03:00")
}

fn local(text: &str) -> NaiveDateTime {
    NaiveDateTime::parse_from_str(text, "%Y-%m-%d %H:%M:%S%.f").expect("a local date-time")
}

fn read_addressed(
    value: &Value,
    addressed: Option<&Addressed>,
) -> Result<CustomerChange, DocumentErrors> {
    let book = book();
    let context = DocumentContext {
        book: &book,
        now: now(),
        local_offset: riyadh(),
    };
    read_change(value, &context, addressed)
}

fn read(value: &Value) -> Result<CustomerChange, DocumentErrors> {
    read_addressed(value, None)
}

/// A document of customer 7 of `jtc` with `fields` besides.
fn with(fields: &Value) -> Value {
    let mut document = json!({"companyCode": "jtc", "customerId": 7});
    for (name, value) in fields.as_object().expect("an object of fields") {
        document[name] = value.clone();
    }
    document
}

/// The document `value` reads as; fails unless it is a valid `Put`.
fn document(value: &Value) -> CustomerDocument {
    match read(value) {
        Ok(CustomerChange::Put(document)) => *document,
        other => panic!("expected a document from {value}, got {other:?}"),
    }
}

/// Every problem of `value`, by field, in the order reported; fails unless it is invalid.
fn problems(value: &Value) -> Vec<(String, Vec<DocumentProblem>)> {
    match read(value) {
        Err(errors) => errors
            .iter()
            .map(|(field, problems)| (field.to_owned(), problems.to_vec()))
            .collect(),
        Ok(change) => panic!("expected problems with {value}, got {change:?}"),
    }
}

/// The problems of `field` alone when `value` is given to it in a valid document.
fn field_problems(field: &str, value: Value) -> Vec<DocumentProblem> {
    let mut fields = serde_json::Map::new();
    fields.insert(field.to_owned(), value);
    let reported = problems(&with(&Value::Object(fields)));
    assert!(
        reported.iter().all(|(name, _)| name == field),
        "only {field} is reported: {reported:?}"
    );
    reported
        .into_iter()
        .flat_map(|(_, problems)| problems)
        .collect()
}

fn fields(reported: &[(String, Vec<DocumentProblem>)]) -> Vec<&str> {
    reported.iter().map(|(field, _)| field.as_str()).collect()
}

#[test]
fn the_smallest_document_is_a_customer_with_nothing_known() {
    let read = document(&json!({"companyCode": "jtc", "customerId": 7}));
    assert_eq!(read.company, JTC);
    assert_eq!(read.customer_id.get(), 7);
    assert_eq!(read.effective, None);
    assert_eq!(read.profile, customer_domain::CustomerProfile::default());
    assert!(read.contacts.is_empty());
    assert!(read.references.is_empty());
    // null is absent, and the company code is matched whatever its case.
    let nulls = document(
        &json!({"companyCode": " JFC ", "customerId": 7, "firstName": null,
        "customerContacts": null, "referenceNos": null, "startDate": null}),
    );
    assert_eq!(nulls.company, JFC);
    assert_eq!(nulls.profile, customer_domain::CustomerProfile::default());
}

/// Each field of the document lands in the profile's field of the same name: every coded
/// field has a value of its own, so that two swapped fields would show.
#[test]
fn every_field_is_read_into_its_own_place() {
    let mut full = with(&json!({
        "firstName": "Noura", "middleName": "M", "lastName": "Al-Harbi",
        "companyName": "Param IT", "contactName": "Parameswaran",
        "nationalityId": 1, "genderId": 2, "customerTypeId": 3, "companyTypeId": 4,
        "industryTypeId": 5, "dateOfBirth": "1990-02-03", "occupation": "Engineer",
        "preferredContactTypeId": 6, "emailAddress": "n@example.com", "phoneCodeId": 7,
        "mobileNumber": "568617084", "additionalPhoneCodeId": 8,
        "additionalMobileNumber": "512345678", "identificationTypeId": 9,
        "identificationNo": "2103232123", "countryId": 10, "regionId": 11, "cityId": 12,
    }));
    let rest = json!({
        "zipCode": "12345", "address1": "Line 1", "address2": "Line 2", "monthlyIncomeId": 13,
        "createdDate": "2020-01-01T08:30:00", "isActive": true, "preferredLanguageId": 14,
        "nationalAddress": "RRRD2929", "commercialRecord": "CR-1", "plotIdentification": "P-1",
        "buildingNo": "B-1", "unitNo": "U-1", "vatRegNo": "V-1",
        "citySubDivisionName": "Olaya", "postalCode": "31202", "userActive": false,
        "startDate": "2026-01-01T00:00:00",
        // Accepted and not read: the service's own fields and the names of codes.
        "versionId": 99, "customerVersionId": 4, "companyId": 2, "company": "x",
        "nationality": "Saudi", "endDate": "2027-01-01", "deleted": false
    });
    for (name, value) in rest.as_object().expect("an object") {
        full[name] = value.clone();
    }
    let read = document(&full);
    let p = &read.profile;
    let texts = [
        (&p.first_name, "Noura"),
        (&p.middle_name, "M"),
        (&p.last_name, "Al-Harbi"),
        (&p.company_name, "Param IT"),
        (&p.contact_name, "Parameswaran"),
        (&p.occupation, "Engineer"),
        (&p.email_address, "n@example.com"),
        (&p.zip_code, "12345"),
        (&p.address1, "Line 1"),
        (&p.address2, "Line 2"),
        (&p.national_address, "RRRD2929"),
        (&p.commercial_record, "CR-1"),
        (&p.plot_identification, "P-1"),
        (&p.building_no, "B-1"),
        (&p.unit_no, "U-1"),
        (&p.vat_reg_no, "V-1"),
        (&p.city_sub_division_name, "Olaya"),
        (&p.postal_code, "31202"),
    ];
    for (read, expected) in texts {
        assert_eq!(read.as_deref(), Some(expected));
    }
    let codes: Vec<Option<i32>> = p.codes().iter().map(|(_, id)| *id).collect();
    // In the order of `CustomerProfile::codes`.
    assert_eq!(
        codes,
        [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14].map(Some)
    );
    assert_eq!(p.date_of_birth, Some(local("1990-02-03 00:00:00")));
    assert_eq!(p.created_date, Some(local("2020-01-01 08:30:00")));
    assert_eq!(
        p.mobile_number.as_ref().map(MobileNumber::as_str),
        Some("568617084")
    );
    assert_eq!(p.additional_mobile_number.as_deref(), Some("512345678"));
    assert_eq!(
        p.identification_no
            .as_ref()
            .map(IdentificationNumber::as_str),
        Some("2103232123")
    );
    assert_eq!((p.is_active, p.user_active), (Some(true), Some(false)));
    assert_eq!(read.effective, Some(local("2026-01-01 00:00:00")));
}

#[test]
fn company_code_and_customer_id_are_required() {
    assert_eq!(
        problems(&json!({})),
        [
            ("companyCode".to_owned(), vec![P::Required]),
            ("customerId".to_owned(), vec![P::Required]),
        ]
    );
    assert_eq!(
        problems(&json!({"companyCode": null, "customerId": null, "firstName": "x"})),
        [
            ("companyCode".to_owned(), vec![P::Required]),
            ("customerId".to_owned(), vec![P::Required]),
        ]
    );
    // Blank is missing; not a string is said so.
    assert_eq!(
        problems(&json!({"companyCode": " ", "customerId": 7})),
        [("companyCode".to_owned(), vec![P::Invalid(Violation::Empty)])]
    );
    assert_eq!(
        P::Invalid(Violation::Empty).message(),
        Message::Required,
        "a blank value is reported as missing"
    );
    assert_eq!(
        problems(&json!({"companyCode": 1, "customerId": 7})),
        [("companyCode".to_owned(), vec![P::NotAString])]
    );
}

#[test]
fn unknown_and_malformed_companies_are_unknown_companies() {
    assert_eq!(
        problems(&json!({"companyCode": "zzz", "customerId": 7})),
        [("companyCode".to_owned(), vec![P::UnknownCompany])]
    );
    let malformed = problems(&json!({"companyCode": "j/tc", "customerId": 7}));
    assert_eq!(
        malformed,
        [(
            "companyCode".to_owned(),
            vec![P::Invalid(Violation::MalformedCompanyCode)]
        )]
    );
    // Whether a code exists is not told apart from whether it is well formed.
    assert_eq!(malformed[0].1[0].message(), Message::UnknownCompany);
}

#[test]
fn customer_ids_are_positive_whole_numbers() {
    for (value, expected) in [
        (json!(0), P::Invalid(Violation::NotPositive)),
        (json!(-3), P::Invalid(Violation::NotPositive)),
        (json!("0"), P::Invalid(Violation::NotPositive)),
        (json!("-3"), P::Invalid(Violation::NotPositive)),
        (json!(1.5), P::NotAnInteger),
        (json!(true), P::NotAnInteger),
        (json!([7]), P::NotAnInteger),
        (json!("7a"), P::Invalid(Violation::NotAnInteger)),
        (json!(""), P::Invalid(Violation::Empty)),
        (json!(u64::MAX), P::Invalid(Violation::TooLarge)),
        (
            json!("9223372036854775808"),
            P::Invalid(Violation::TooLarge),
        ),
    ] {
        assert_eq!(
            problems(&json!({"companyCode": "jtc", "customerId": value})),
            [("customerId".to_owned(), vec![expected])],
            "customerId {value}"
        );
    }
    for (value, expected) in [
        (json!(54218), 54218),
        (json!("54218"), 54218),
        (json!(" ٥٤٢١٨ "), 54218),
        (json!(i64::MAX), i64::MAX),
    ] {
        let read = document(&json!({"companyCode": "jtc", "customerId": value}));
        assert_eq!(read.customer_id.get(), expected, "customerId {value}");
    }
}

#[test]
fn mobile_numbers_start_with_5_and_read_arabic_indic_digits_as_ascii() {
    let mobile = |value: &str| {
        let read = document(&with(&json!({ "mobileNumber": value })));
        read.profile
            .mobile_number
            .expect("a number")
            .as_str()
            .to_owned()
    };
    assert_eq!(mobile("٥٦٨٦١٧٠٨٤"), "568617084");
    assert_eq!(mobile("۵۶۸۶۱۷۰۸۴"), "568617084");
    assert_eq!(mobile("56-861 7084"), "568617084");
    let field = "mobileNumber";
    assert_eq!(
        field_problems(field, json!("468617084")),
        [P::Invalid(Violation::MustStartWith5)]
    );
    assert_eq!(
        field_problems(field, json!("4x")),
        [
            P::Invalid(Violation::NotDigits),
            P::Invalid(Violation::MustStartWith5)
        ],
        "every rule broken, at once"
    );
    assert_eq!(
        field_problems(field, json!("5123456789012345")),
        [P::Invalid(Violation::TooLong { max: 15 })]
    );
    assert_eq!(field_problems(field, json!(568_617_084)), [P::NotAString]);
    assert_eq!(
        field_problems(field, json!(" - ")),
        [P::Invalid(Violation::Empty)]
    );
}

/// The additional mobile number may be of another country, as its phone code says (the
/// demo customer 54223's Egyptian number, 0020 1001234567): digits of any first digit,
/// read as a contact's number is.
#[test]
fn additional_mobile_numbers_may_be_of_any_country() {
    let additional = |value: &str| {
        let read = document(&with(&json!({
            "additionalPhoneCodeId": 8, "additionalMobileNumber": value
        })));
        assert_eq!(read.profile.additional_phone_code_id, Some(8));
        read.profile.additional_mobile_number.expect("a number")
    };
    assert_eq!(additional("1001234567"), "1001234567");
    assert_eq!(additional("١٠٠ 123-4567"), "1001234567");
    assert_eq!(additional("568617084"), "568617084");
    let field = "additionalMobileNumber";
    assert_eq!(
        field_problems(field, json!("+20 100")),
        [P::Invalid(Violation::NotDigits)]
    );
    assert_eq!(
        field_problems(field, json!("1234567890123456")),
        [P::Invalid(Violation::TooLong { max: 15 })]
    );
    assert_eq!(field_problems(field, json!(1_001_234_567)), [P::NotAString]);
}

#[test]
fn texts_are_at_most_500_characters_without_control_characters() {
    let longest = "ن".repeat(MAX_TEXT_LEN);
    let read = document(&with(&json!({"firstName": longest})));
    assert_eq!(
        read.profile
            .first_name
            .as_deref()
            .map(|t| t.chars().count()),
        Some(MAX_TEXT_LEN),
        "characters are counted, not bytes"
    );
    for field in [
        "firstName",
        "companyName",
        "emailAddress",
        "address1",
        "vatRegNo",
    ] {
        assert_eq!(
            field_problems(field, json!("x".repeat(MAX_TEXT_LEN + 1))),
            [P::Invalid(Violation::TooLong { max: MAX_TEXT_LEN })],
            "{field}"
        );
        assert_eq!(
            field_problems(field, json!("a\u{7}b")),
            [P::Invalid(Violation::ControlCharacters)],
            "{field}"
        );
        assert_eq!(field_problems(field, json!(5)), [P::NotAString], "{field}");
    }
    assert_eq!(
        field_problems(
            "address1",
            json!(format!("{}\u{0}", "x".repeat(MAX_TEXT_LEN)))
        ),
        [
            P::Invalid(Violation::TooLong { max: MAX_TEXT_LEN }),
            P::Invalid(Violation::ControlCharacters)
        ]
    );
    let lines = document(&with(&json!({"address2": "Building 4\r\n\tOlaya"})));
    assert_eq!(
        lines.profile.address2.as_deref(),
        Some("Building 4\r\n\tOlaya"),
        "line breaks and tabs are text"
    );
    // Identifiers have the lookup's rules: 64 characters.
    assert_eq!(
        field_problems("identificationNo", json!("1".repeat(65))),
        [P::Invalid(Violation::TooLong { max: 64 })]
    );
    let read = document(&with(&json!({"identificationNo": " ٢١٠٣٢٣٢١٢٣ "})));
    assert_eq!(
        read.profile
            .identification_no
            .as_ref()
            .map(IdentificationNumber::as_str),
        Some("2103232123")
    );
}

#[test]
fn fields_the_format_does_not_have_are_unknown() {
    let mut reported = problems(&with(&json!({"favouriteColour": "blue", "FirstName": "x"})));
    reported.sort_by(|a, b| a.0.cmp(&b.0));
    assert_eq!(
        reported,
        [
            ("FirstName".to_owned(), vec![P::UnknownField]),
            ("favouriteColour".to_owned(), vec![P::UnknownField]),
        ],
        "names are matched exactly"
    );
    // Even a null: the field is misspelt whatever its value.
    assert_eq!(field_problems("mobile", Value::Null), [P::UnknownField]);
}

#[test]
fn coded_values_must_exist_in_their_table() {
    for field in [
        "nationalityId",
        "genderId",
        "customerTypeId",
        "companyTypeId",
        "industryTypeId",
        "preferredContactTypeId",
        "phoneCodeId",
        "additionalPhoneCodeId",
        "identificationTypeId",
        "countryId",
        "regionId",
        "cityId",
        "monthlyIncomeId",
        "preferredLanguageId",
    ] {
        assert_eq!(
            field_problems(field, json!(21)),
            [P::UnknownCode],
            "{field}"
        );
        assert_eq!(field_problems(field, json!(0)), [P::UnknownCode], "{field}");
        assert_eq!(
            field_problems(field, json!("1")),
            [P::NotAnInteger],
            "{field}"
        );
        assert_eq!(
            field_problems(field, json!(1.5)),
            [P::NotAnInteger],
            "{field}"
        );
        assert_eq!(
            field_problems(field, json!(4_294_967_297_i64)),
            [P::NotAnInteger],
            "{field}: beyond an i32, not wrapped round to 1"
        );
    }
    // Each category is checked against its own table.
    let only_genders = CodeBook::new([(CodeCategory::Gender, 2)], [(code("jtc"), JTC)]);
    let context = DocumentContext {
        book: &only_genders,
        now: now(),
        local_offset: riyadh(),
    };
    assert!(read_change(&with(&json!({"genderId": 2})), &context, None).is_ok());
    let errors = read_change(&with(&json!({"nationalityId": 2})), &context, None)
        .expect_err("2 is a gender, not a nationality");
    assert_eq!(errors.get("nationalityId"), [P::UnknownCode]);
}

#[test]
fn booleans_are_true_false_1_or_0() {
    for (value, expected) in [
        (json!(true), true),
        (json!(false), false),
        (json!(1), true),
        (json!(0), false),
    ] {
        let read = document(&with(&json!({"isActive": value, "userActive": value})));
        assert_eq!(read.profile.is_active, Some(expected), "{value}");
        assert_eq!(read.profile.user_active, Some(expected), "{value}");
    }
    for value in [json!(2), json!(-1), json!("true"), json!("1"), json!(1.0)] {
        assert_eq!(
            field_problems("isActive", value.clone()),
            [P::NotABoolean],
            "{value}"
        );
    }
}

#[test]
fn date_times_take_every_documented_form() {
    let offset = riyadh();
    for (text, expected) in [
        ("2025-01-01T10:00:00", "2025-01-01 10:00:00"),
        ("2025-01-01T10:00:00.123456", "2025-01-01 10:00:00.123456"),
        ("2025-01-01T10:00:00.5", "2025-01-01 10:00:00.5"),
        ("2025-01-01", "2025-01-01 00:00:00"),
        // With an offset: converted to the stored local time (+03:00).
        ("2025-01-01T10:00:00Z", "2025-01-01 13:00:00"),
        ("2025-01-01T10:00:00+05:00", "2025-01-01 08:00:00"),
        ("2025-01-01T10:00:00.25-01:00", "2025-01-01 14:00:00.25"),
        ("2024-12-31T22:30:00+00:00", "2025-01-01 01:30:00"),
        ("2025-01-01T10:00:00+03:00", "2025-01-01 10:00:00"),
    ] {
        assert_eq!(
            parse_date_time(text, offset),
            Some(local(expected)),
            "{text}"
        );
    }
    for text in [
        "01/01/2025",
        "2025-13-01",
        "2025-01-01T25:00:00",
        "2025-01-01 10:00",
        "yesterday",
        "",
    ] {
        assert_eq!(parse_date_time(text, offset), None, "{text}");
    }
    let read = document(&with(&json!({"dateOfBirth": " 1990-02-03T00:00:00Z ",
        "startDate": "2026-05-01T09:00:00Z"})));
    assert_eq!(
        read.profile.date_of_birth,
        Some(local("1990-02-03 03:00:00")),
        "surrounding spaces ignored"
    );
    assert_eq!(read.effective, Some(local("2026-05-01 12:00:00")));
    for field in ["dateOfBirth", "createdDate", "startDate"] {
        assert_eq!(
            field_problems(field, json!("01/01/2025")),
            [P::NotADateTime],
            "{field}"
        );
        assert_eq!(
            field_problems(field, json!(20_250_101)),
            [P::NotADateTime],
            "{field}"
        );
    }
}

/// An effective time may be now at the latest, compared as local times: now is 15:00
/// stored (12:00 UTC).
#[test]
fn effective_times_in_the_future_are_refused() {
    let at_now = document(&with(&json!({"startDate": "2026-06-01T15:00:00"})));
    assert_eq!(
        at_now.effective,
        Some(local("2026-06-01 15:00:00")),
        "now itself"
    );
    for later in [
        "2026-06-01T15:00:00.000001",
        "2026-06-01T12:00:01Z",
        "2026-06-02",
        "2030-01-01T00:00:00",
    ] {
        assert_eq!(
            field_problems("startDate", json!(later)),
            [P::InTheFuture],
            "{later}"
        );
    }
    // An offset that puts the moment before now is fine, whatever its local wall time.
    let earlier = document(&with(&json!({"startDate": "2026-06-01T16:00:00+05:00"})));
    assert_eq!(earlier.effective, Some(local("2026-06-01 14:00:00")));
    // Other dates may be later: a contact's end, say.
    let planned = document(&with(&json!({"customerContacts": [
        {"contactEndDate": "2030-01-01"}
    ]})));
    assert_eq!(
        planned.contacts[0].contact_end_date,
        Some(local("2030-01-01 00:00:00"))
    );
    let close = read(&with(
        &json!({"deleted": true, "endDate": "2026-06-01T12:00:01Z"}),
    ));
    assert_eq!(
        close.expect_err("a future close").get("endDate"),
        [P::InTheFuture]
    );
}

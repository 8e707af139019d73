//! Whole documents: the lists of contacts and references (problems named by index),
//! deletion lines, every problem of a document at once, lines that are not documents,
//! documents addressed by a request, and the texts of the problems in both languages.

use super::{
    Addressed, ContactDetails, CustomerChange, CustomerId, DocumentContext, DocumentProblem, JFC,
    JTC, Language, P, ReferenceNumber, Value, Violation, WriteRefusal, book, code, document,
    field_problems, fields, json, local, now, problems, read, read_addressed, read_line, riyadh,
    with,
};

#[test]
fn contacts_are_read_in_order_with_their_fields() {
    let read = document(&with(&json!({"customerContacts": [
        {"contactNumber": "٠١١ 234-5678", "relationTypeId": 3, "contactName": "Sara",
         "contactPhoneCodeId": 1, "primaryContact": 1, "contactStartDate": "2024-01-01",
         "contactEndDate": "2025-01-01T00:00:00Z", "isActive": true, "contactIsEnable": 0,
         "profession": "Doctor", "remarks": "",
         "contactId": 5, "customerId": 99, "customer": null, "relationType": "Friend",
         "phoneCode": "00966"},
        {"contactName": "Second"}
    ]})));
    assert_eq!(
        read.contacts,
        [
            ContactDetails {
                contact_number: Some("0112345678".to_owned()),
                relation_type_id: Some(3),
                contact_name: Some("Sara".to_owned()),
                contact_phone_code_id: Some(1),
                primary_contact: true,
                contact_start_date: Some(local("2024-01-01 00:00:00")),
                contact_end_date: Some(local("2025-01-01 03:00:00")),
                is_active: Some(true),
                contact_is_enable: Some(false),
                profession: Some("Doctor".to_owned()),
                remarks: Some(String::new()),
            },
            ContactDetails {
                contact_name: Some("Second".to_owned()),
                ..ContactDetails::default()
            },
        ]
    );
}

#[test]
fn problems_of_contacts_are_named_by_their_index() {
    let reported = problems(&with(&json!({"customerContacts": [
        {"contactName": "fine"},
        {"contactNumber": "05x", "relationTypeId": 99, "primaryContact": "yes",
         "contactStartDate": "soon", "nickname": "x", "remarks": "\u{1}"},
        "not an object",
        {"contactNumber": "1234567890123456", "contactPhoneCodeId": "1", "isActive": 3}
    ]})));
    assert_eq!(
        reported,
        [
            (
                "customerContacts[1].nickname".to_owned(),
                vec![P::UnknownField]
            ),
            (
                "customerContacts[1].contactNumber".to_owned(),
                vec![P::Invalid(Violation::NotDigits)]
            ),
            (
                "customerContacts[1].relationTypeId".to_owned(),
                vec![P::UnknownCode]
            ),
            (
                "customerContacts[1].primaryContact".to_owned(),
                vec![P::NotABoolean]
            ),
            (
                "customerContacts[1].contactStartDate".to_owned(),
                vec![P::NotADateTime]
            ),
            (
                "customerContacts[1].remarks".to_owned(),
                vec![P::Invalid(Violation::ControlCharacters)]
            ),
            ("customerContacts[2]".to_owned(), vec![P::NotAnObject]),
            (
                "customerContacts[3].contactNumber".to_owned(),
                vec![P::Invalid(Violation::TooLong { max: 15 })]
            ),
            (
                "customerContacts[3].contactPhoneCodeId".to_owned(),
                vec![P::NotAnInteger]
            ),
            (
                "customerContacts[3].isActive".to_owned(),
                vec![P::NotABoolean]
            ),
        ]
    );
    assert_eq!(
        problems(&with(&json!({"customerContacts": {"contactName": "x"}}))),
        [("customerContacts".to_owned(), vec![P::NotAList])]
    );
    assert_eq!(
        problems(&with(
            &json!({"customerContacts": [{"contactNumber": 5_551_234}]})
        )),
        [(
            "customerContacts[0].contactNumber".to_owned(),
            vec![P::NotAString]
        )]
    );
}

#[test]
fn references_are_a_set_named_by_index() {
    let read = document(&with(
        &json!({"referenceNos": ["B-2", " A-1 ", "٣٣٣٢١٥", "B-2"]}),
    ));
    let references: Vec<&str> = read
        .references
        .iter()
        .map(ReferenceNumber::as_str)
        .collect();
    assert_eq!(references, ["333215", "A-1", "B-2"]);
    assert_eq!(
        problems(&with(
            &json!({"referenceNos": [1, "", "fine", "x".repeat(65), "a\u{2}"]})
        )),
        [
            ("referenceNos[0]".to_owned(), vec![P::NotAString]),
            (
                "referenceNos[1]".to_owned(),
                vec![P::Invalid(Violation::Empty)]
            ),
            (
                "referenceNos[3]".to_owned(),
                vec![P::Invalid(Violation::TooLong { max: 64 })]
            ),
            (
                "referenceNos[4]".to_owned(),
                vec![P::Invalid(Violation::ControlCharacters)]
            ),
        ]
    );
    assert_eq!(
        problems(&with(&json!({"referenceNos": "R-1"}))),
        [("referenceNos".to_owned(), vec![P::NotAList])]
    );
}

#[test]
fn deletion_lines_close_the_customer() {
    let close = |value: &Value| match read(value) {
        Ok(CustomerChange::Close {
            company,
            customer_id,
            effective,
        }) => (company, customer_id.get(), effective),
        other => panic!("expected a close from {value}, got {other:?}"),
    };
    assert_eq!(
        close(&json!({"companyCode": "jfc", "customerId": 9, "deleted": true})),
        (JFC, 9, None)
    );
    assert_eq!(
        close(
            &json!({"companyCode": "jtc", "customerId": "9", "deleted": 1,
            "endDate": "2026-01-01T00:00:00Z"})
        ),
        (JTC, 9, Some(local("2026-01-01 03:00:00")))
    );
    // The profile of a deletion line is not read; its field names still are.
    assert_eq!(
        close(
            &json!({"companyCode": "jtc", "customerId": 9, "deleted": true,
            "mobileNumber": "4", "startDate": "never"})
        ),
        (JTC, 9, None)
    );
    assert_eq!(
        problems(&json!({"deleted": true, "endDate": "soon", "reason": "x"})),
        [
            ("reason".to_owned(), vec![P::UnknownField]),
            ("companyCode".to_owned(), vec![P::Required]),
            ("customerId".to_owned(), vec![P::Required]),
            ("endDate".to_owned(), vec![P::NotADateTime]),
        ]
    );
    assert_eq!(field_problems("deleted", json!("yes")), [P::NotABoolean]);
    assert!(
        matches!(
            read(&with(&json!({"deleted": false}))),
            Ok(CustomerChange::Put(_))
        ),
        "deleted: false is a document"
    );
    assert!(matches!(
        read(&with(&json!({"deleted": 0}))),
        Ok(CustomerChange::Put(_))
    ));
}

/// A document with a problem in nearly every part is reported whole, in the order the
/// fields are read: unknown fields, the customer's keys, the profile, the start, the
/// contacts, the references.
#[test]
fn every_problem_of_a_document_is_reported_at_once() {
    let reported = problems(&json!({
        "companyCode": "nope",
        "customerId": -1,
        "firstName": 7,
        "nationalityId": 999,
        "dateOfBirth": "03/02/1990",
        "mobileNumber": "468617084",
        "identificationNo": "",
        "isActive": "yes",
        "startDate": "2099-01-01",
        "customerContacts": [{"contactNumber": "x"}],
        "referenceNos": [""],
        "extra": 1
    }));
    assert_eq!(
        fields(&reported),
        [
            "extra",
            "companyCode",
            "customerId",
            "firstName",
            "nationalityId",
            "dateOfBirth",
            "mobileNumber",
            "identificationNo",
            "isActive",
            "startDate",
            "customerContacts[0].contactNumber",
            "referenceNos[0]",
        ]
    );
    assert_eq!(reported.iter().map(|(_, p)| p.len()).sum::<usize>(), 12);
    assert_eq!(reported[6].1, [P::Invalid(Violation::MustStartWith5)]);
}

#[test]
fn lines_that_are_not_json_objects_are_refused_whole() {
    let book = book();
    let context = DocumentContext {
        book: &book,
        now: now(),
        local_offset: riyadh(),
    };
    let whole = |line: &str| -> Vec<(String, Vec<DocumentProblem>)> {
        read_line(line, &context)
            .expect_err("refused")
            .iter()
            .map(|(field, problems)| (field.to_owned(), problems.to_vec()))
            .collect()
    };
    for line in ["{\"companyCode\": \"jtc\",", "not json", "\u{fffd}"] {
        assert_eq!(whole(line), [(String::new(), vec![P::NotJson])], "{line}");
    }
    for line in ["[1, 2]", "7", "\"text\"", "null"] {
        assert_eq!(
            whole(line),
            [(String::new(), vec![P::NotAnObject])],
            "{line}"
        );
    }
    assert!(matches!(
        read_line("{\"companyCode\":\"jtc\",\"customerId\":7}", &context),
        Ok(CustomerChange::Put(_))
    ));
}

#[test]
fn an_addressed_document_may_leave_out_its_keys_and_may_not_contradict_them() {
    let address = Addressed {
        company: code("jfc"),
        customer_id: CustomerId::new(42).expect("an id"),
    };
    let keys = |value: &Value| match read_addressed(value, Some(&address)) {
        Ok(change) => change.customer(),
        Err(errors) => panic!("{value}: {errors:?}"),
    };
    let jfc_42 = (JFC, CustomerId::new(42).expect("an id"));
    assert_eq!(keys(&json!({})), jfc_42);
    assert_eq!(
        keys(&json!({"companyCode": "JFC", "customerId": "42"})),
        jfc_42
    );
    let errors = read_addressed(
        &json!({"companyCode": "jtc", "customerId": 43}),
        Some(&address),
    )
    .expect_err("another customer");
    assert_eq!(errors.get("companyCode"), [P::DiffersFromAddress]);
    assert_eq!(errors.get("customerId"), [P::DiffersFromAddress]);
}

/// Every problem has a text in each language, the two different, and the ones that
/// carry a value say it in both.
#[test]
fn every_problem_is_told_in_english_and_arabic() {
    let start = local("2026-01-01 10:00:00");
    let all = [
        P::NotJson,
        P::NotAnObject,
        P::DiffersFromAddress,
        P::Required,
        P::NotAString,
        P::NotAnInteger,
        P::NotABoolean,
        P::NotAList,
        P::Invalid(Violation::NotPositive),
        P::Invalid(Violation::TooLarge),
        P::Invalid(Violation::NotDigits),
        P::Invalid(Violation::MustStartWith5),
        P::Invalid(Violation::TooLong { max: 64 }),
        P::Invalid(Violation::ControlCharacters),
        P::UnknownCode,
        P::UnknownCompany,
        P::UnknownField,
        P::NotADateTime,
        P::InTheFuture,
        P::Refused(WriteRefusal::NotFound),
        P::Refused(WriteRefusal::VersionMismatch { current: Some(3) }),
        P::Refused(WriteRefusal::VersionMismatch { current: None }),
        P::Refused(WriteRefusal::NotAfterCurrent {
            current_start: start,
        }),
    ];
    let mut english = std::collections::HashSet::new();
    for problem in all {
        let en = problem.message().text(Language::English);
        let ar = problem.message().text(Language::Arabic);
        assert!(!en.is_empty() && !ar.is_empty(), "{problem:?}");
        assert_ne!(en, ar, "{problem:?}");
        assert!(
            ar.chars().any(|c| ('\u{0621}'..='\u{064A}').contains(&c)),
            "{problem:?}: {ar}"
        );
        assert!(
            english.insert(en.clone()),
            "{problem:?} has a text of its own: {en}"
        );
    }
    let texts = |problem: P| {
        (
            problem.message().text(Language::English).into_owned(),
            problem.message().text(Language::Arabic).into_owned(),
        )
    };
    assert_eq!(
        texts(P::Invalid(Violation::MustStartWith5)),
        (
            "must start with 5".to_owned(),
            "يجب أن يبدأ بالرقم 5".to_owned()
        )
    );
    assert_eq!(
        texts(P::UnknownField),
        (
            "is not a field of a customer document".to_owned(),
            "ليس حقلاً من حقول مستند العميل".to_owned()
        )
    );
    let (en, ar) = texts(P::Refused(WriteRefusal::NotAfterCurrent {
        current_start: start,
    }));
    assert_eq!(
        en,
        "must be later than the current version's start, 2026-01-01T10:00:00"
    );
    assert!(ar.contains("2026-01-01T10:00:00"), "{ar}");
    let (en, ar) = texts(P::Refused(WriteRefusal::VersionMismatch {
        current: Some(3),
    }));
    assert!(en.contains("current version is 3"), "{en}");
    assert!(ar.contains('3'), "{ar}");
    let (en, ar) = texts(P::Invalid(Violation::TooLong { max: 64 }));
    assert_eq!(en, "must be at most 64 characters long");
    assert!(ar.contains("64"), "{ar}");
}

//! The write API's examples, in both languages: a document written, the stored answer,
//! the closing, a bulk import's report, and the problems only writes meet.

use customer_application::documents::{DocumentErrors, DocumentProblem};
use customer_domain::{Language, Violation};
use serde_json::{Value, json};
use std::collections::BTreeMap;
use utoipa::Modify;
use utoipa::openapi::RefOr;

use utoipa::openapi::example::{Example, ExampleBuilder};

use super::{examples, problem};
use crate::problem::ApiError;
use crate::writes::{CUSTOMER_DOCUMENT_PATH, IMPORT_PATH};

/// The contract's example customer as a document: its lookup object, the company's
/// code and the references it holds.
fn document(customer: &Value) -> Value {
    let mut document = customer.clone();
    if let Value::Object(map) = &mut document {
        map.insert("companyCode".to_owned(), json!("jtc"));
        map.insert("referenceNos".to_owned(), json!(["333215"]));
    }
    document
}

fn invalid_document(language: Language) -> Value {
    let mut errors = DocumentErrors::default();
    errors.add(
        "mobileNumber",
        DocumentProblem::Invalid(Violation::MustStartWith5),
    );
    errors.add("nationalityId", DocumentProblem::UnknownCode);
    errors.add(
        "customerContacts[0].contactNumber",
        DocumentProblem::Invalid(Violation::NotDigits),
    );
    problem(&ApiError::InvalidDocument { language, errors })
}

fn precondition_failed(language: Language) -> Value {
    problem(&ApiError::PreconditionFailed {
        language,
        current: Some(2),
    })
}

fn import_report() -> Value {
    json!({
        "read": 3, "created": 1, "changed": 1, "unchanged": 0, "closed": 0, "rejected": 1,
        "lines": [
            {"line": 1, "customerId": 54218, "outcome": "changed", "customerVersionId": 2},
            {"line": 2, "customerId": 54219, "outcome": "created", "customerVersionId": 1},
            {"line": 3, "outcome": "rejected", "errors": {"mobileNumber": ["must start with 5"]}}
        ]
    })
}

/// Puts the examples into the write operations.
pub(super) struct WriteExamples;

impl Modify for WriteExamples {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let (arabic, english) = examples();
        let (arabic, english) = (&arabic[0], &english[0]);
        let named = |ar: Value, en: Value, what: &str| {
            vec![
                ("ar".to_owned(), format!("{what}, lang=ar"), ar),
                ("en".to_owned(), format!("{what}, lang=en"), en),
            ]
        };
        let path = openapi.paths.paths.get_mut(CUSTOMER_DOCUMENT_PATH);
        if let Some(operation) = path.and_then(|item| item.put.as_mut()) {
            if let Some(body) = operation.request_body.as_mut()
                && let Some(content) = body.content.get_mut("application/json")
            {
                insert(
                    &mut content.examples,
                    named(
                        document(arabic),
                        document(english),
                        "The contract's example customer",
                    ),
                );
            }
            for (status, media, samples) in [
                (
                    "200",
                    "application/json",
                    named(document(arabic), document(english), "The stored document"),
                ),
                (
                    "201",
                    "application/json",
                    named(document(arabic), document(english), "The stored document"),
                ),
                (
                    "400",
                    "application/problem+json",
                    named(
                        invalid_document(Language::Arabic),
                        invalid_document(Language::English),
                        "Every problem of the document",
                    ),
                ),
                (
                    "412",
                    "application/problem+json",
                    named(
                        precondition_failed(Language::Arabic),
                        precondition_failed(Language::English),
                        "If-Match names another version",
                    ),
                ),
            ] {
                if let Some(RefOr::T(response)) = operation.responses.responses.get_mut(status)
                    && let Some(content) = response.content.get_mut(media)
                {
                    insert(&mut content.examples, samples);
                }
            }
        }
        let import = openapi.paths.paths.get_mut(IMPORT_PATH);
        if let Some(operation) = import.and_then(|item| item.post.as_mut())
            && let Some(RefOr::T(response)) = operation.responses.responses.get_mut("200")
            && let Some(content) = response.content.get_mut("application/json")
        {
            insert(
                &mut content.examples,
                vec![(
                    "en".to_owned(),
                    "Three lines, one rejected".to_owned(),
                    import_report(),
                )],
            );
        }
    }
}

fn insert(examples: &mut BTreeMap<String, RefOr<Example>>, samples: Vec<(String, String, Value)>) {
    for (name, summary, value) in samples {
        let example = ExampleBuilder::new()
            .summary(summary)
            .value(Some(value))
            .build();
        examples.insert(name, RefOr::T(example));
    }
}

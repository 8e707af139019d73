//! What can be wrong with a customer document, by field, and the texts that say it.

use customer_domain::{Violation, WriteRefusal};

use crate::messages::Message;

/// One problem with one field of a customer document.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DocumentProblem {
    /// The line is not JSON.
    NotJson,
    /// The line (or a contact) is not a JSON object.
    NotAnObject,
    /// The field names another customer than the request's address.
    DiffersFromAddress,
    /// A required field is missing or `null`.
    Required,
    /// The field is not a JSON string.
    NotAString,
    /// The field is not a whole JSON number.
    NotAnInteger,
    /// The field is not `true`, `false`, `1` or `0`.
    NotABoolean,
    /// The field is not a JSON array.
    NotAList,
    /// The value breaks a rule of its type.
    Invalid(Violation),
    /// The value is not one of its reference table's.
    UnknownCode,
    /// The company code names no company.
    UnknownCompany,
    /// The document has a field the format does not know.
    UnknownField,
    /// Not a date-time (`2025-01-01T00:00:00`, with or without fraction or offset).
    NotADateTime,
    /// A moment later than now.
    InTheFuture,
    /// `If-Match` is not an entity tag this API gave (`"3"`).
    NotAnETag,
    /// The caller may not write for the line's company.
    NotPermitted,
    /// A change refused by the store for the customer's state.
    Refused(WriteRefusal),
}

impl DocumentProblem {
    /// The message that explains this problem.
    pub fn message(self) -> Message {
        match self {
            Self::NotJson => Message::NotJson,
            Self::NotAnObject => Message::NotAnObject,
            Self::DiffersFromAddress => Message::DiffersFromAddress,
            Self::NotAnETag => Message::NotAnETag,
            Self::NotPermitted => Message::NotPermittedToWrite,
            Self::Required | Self::Invalid(Violation::Empty) => Message::Required,
            Self::NotAString => Message::NotAString,
            Self::NotAnInteger | Self::Invalid(Violation::NotAnInteger) => Message::NotAnInteger,
            Self::NotABoolean => Message::NotABoolean,
            Self::NotAList => Message::NotAList,
            Self::UnknownCode => Message::UnknownCode,
            Self::UnknownCompany | Self::Invalid(Violation::MalformedCompanyCode) => {
                Message::UnknownCompany
            }
            Self::UnknownField => Message::UnknownField,
            Self::NotADateTime => Message::NotADocumentDateTime,
            Self::InTheFuture => Message::InTheFuture,
            Self::Invalid(Violation::NotPositive) => Message::NotPositive,
            Self::Invalid(Violation::TooLarge) => Message::TooLarge,
            Self::Invalid(Violation::NotDigits) => Message::NotDigits,
            Self::Invalid(Violation::MustStartWith5) => Message::MustStartWith5,
            Self::Invalid(Violation::TooLong { max }) => Message::TooManyCharacters { max },
            Self::Invalid(Violation::ControlCharacters) => Message::ControlCharacters,
            Self::Invalid(Violation::UnsupportedLanguage) => Message::UnsupportedLanguage,
            Self::Refused(WriteRefusal::NotFound) => Message::NoCurrentVersion,
            Self::Refused(WriteRefusal::VersionMismatch { current }) => {
                Message::VersionMismatch { current }
            }
            Self::Refused(WriteRefusal::NotAfterCurrent { current_start }) => {
                Message::NotAfterCurrentVersion {
                    current_start: current_start.format("%Y-%m-%dT%H:%M:%S%.f").to_string(),
                }
            }
        }
    }
}

/// Every problem of one document, by field (`mobileNumber`,
/// `customerContacts[1].contactNumber`), in the order the fields were read. The field of
/// a problem with the whole line is empty.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DocumentErrors(Vec<(String, Vec<DocumentProblem>)>);

impl DocumentErrors {
    /// Errors holding one problem.
    pub fn single(field: impl Into<String>, problem: DocumentProblem) -> Self {
        let mut errors = Self::default();
        errors.add(field, problem);
        errors
    }

    /// Records a problem with `field`; the same problem is recorded once.
    pub fn add(&mut self, field: impl Into<String>, problem: DocumentProblem) {
        let field = field.into();
        match self.0.iter_mut().find(|(name, _)| *name == field) {
            Some((_, problems)) => {
                if !problems.contains(&problem) {
                    problems.push(problem);
                }
            }
            None => self.0.push((field, vec![problem])),
        }
    }

    /// Whether no problem was recorded.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The problems of each field that has any.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &[DocumentProblem])> {
        self.0
            .iter()
            .map(|(field, problems)| (field.as_str(), problems.as_slice()))
    }

    /// The problems recorded for `field`.
    pub fn get(&self, field: &str) -> &[DocumentProblem] {
        self.0
            .iter()
            .find(|(name, _)| name == field)
            .map_or(&[], |(_, problems)| problems.as_slice())
    }
}

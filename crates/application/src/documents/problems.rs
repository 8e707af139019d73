//! What can be wrong with a customer document, by field, and the texts that say it.

use customer_domain::{Violation, WriteRefusal};

use crate::messages::Message;

/// One problem with one field of a customer document.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DocumentProblem {
    /// The line is not JSON.
    NotJson,
    /// A bulk import's body holds no line but blank ones.
    NoLines,
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
    /// The message that explains this problem with `field`: a phone number's length is
    /// counted in digits, as the lookup's `mobileNumber` says.
    pub fn message_for(self, field: &str) -> Message {
        let phone = ["mobileNumber", "MobileNumber", "contactNumber"]
            .iter()
            .any(|name| field.ends_with(name));
        match self {
            Self::Invalid(Violation::TooLong { max }) if phone => Message::TooManyDigits { max },
            _ => self.message(),
        }
    }

    /// The message that explains this problem.
    pub fn message(self) -> Message {
        match self {
            Self::NotJson => Message::NotJson,
            Self::NoLines => Message::NoLines,
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
                    current_start: wire_time(current_start),
                }
            }
        }
    }
}

/// `at` as the wire writes date-times: seconds, then the fraction without its trailing
/// zeros (`2026-05-14T14:24:50.61`).
fn wire_time(at: chrono::NaiveDateTime) -> String {
    let text = at.format("%Y-%m-%dT%H:%M:%S%.9f").to_string();
    text.trim_end_matches('0').trim_end_matches('.').to_owned()
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

#[cfg(test)]
mod tests {
    use chrono::{NaiveDate, Timelike};
    use customer_domain::Language;

    use super::*;

    #[test]
    fn a_phone_number_is_too_long_in_digits_other_fields_in_characters() {
        let long = DocumentProblem::Invalid(Violation::TooLong { max: 15 });
        for field in [
            "mobileNumber",
            "additionalMobileNumber",
            "customerContacts[2].contactNumber",
        ] {
            assert_eq!(long.message_for(field), Message::TooManyDigits { max: 15 });
        }
        assert_eq!(
            long.message_for("firstName"),
            Message::TooManyCharacters { max: 15 }
        );
    }

    #[test]
    fn a_refusal_names_the_start_as_the_wire_writes_it() {
        let start = NaiveDate::from_ymd_opt(2026, 5, 14)
            .and_then(|d| d.and_hms_milli_opt(14, 24, 50, 500))
            .expect("a time");
        let problem = DocumentProblem::Refused(WriteRefusal::NotAfterCurrent {
            current_start: start,
        });
        let text = problem.message().text(Language::English).into_owned();
        assert!(text.ends_with("2026-05-14T14:24:50.5"), "{text}");
        let whole = DocumentProblem::Refused(WriteRefusal::NotAfterCurrent {
            current_start: start.with_nanosecond(0).expect("a time"),
        });
        let text = whole.message().text(Language::English).into_owned();
        assert!(text.ends_with("2026-05-14T14:24:50"), "{text}");
    }
}

//! The rules of the lookup's parameters: every problem of a request found at once.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use customer_domain::{
    CompanyCode, CustomerId, IdentificationNumber, InvalidValue, Language, MobileNumber,
    ReferenceNumber, SearchCriteria, Violation,
};

use crate::messages::Message;
use crate::params::{Param, RawSearchParams};

/// One problem with one parameter of a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Problem {
    /// A required parameter is missing or blank.
    Required,
    /// The parameter was given more than once.
    Repeated,
    /// The value breaks a rule of its type.
    Invalid(Violation),
    /// The company code names no known company.
    UnknownCompany,
    /// None of the four identifiers was given; reported once, under `customerId`.
    NoIdentifier,
    /// Not an RFC 3339 date-time with an offset.
    NotADateTime,
    /// A moment later than now: nothing is known of it yet.
    InTheFuture,
}

impl Problem {
    /// The message that explains this problem with `param`.
    pub fn message(self, param: Param) -> Message {
        match self {
            // The values `lang` takes are few and fixed: naming them is the whole fix.
            Self::Required | Self::Invalid(Violation::Empty) if param == Param::Lang => {
                Message::LanguageRequired
            }
            Self::Required | Self::Invalid(Violation::Empty) => Message::Required,
            Self::Repeated => Message::Repeated,
            // A malformed code gets the same answer as an unknown one: no hint of which
            // codes exist.
            Self::UnknownCompany | Self::Invalid(Violation::MalformedCompanyCode) => {
                Message::UnknownCompany
            }
            Self::NoIdentifier => Message::NoIdentifier,
            Self::NotADateTime => Message::NotADateTime,
            Self::InTheFuture => Message::InTheFuture,
            Self::Invalid(Violation::NotAnInteger) => Message::NotAnInteger,
            Self::Invalid(Violation::NotPositive) => Message::NotPositive,
            Self::Invalid(Violation::TooLarge) => Message::TooLarge,
            Self::Invalid(Violation::NotDigits) => Message::NotDigits,
            Self::Invalid(Violation::MustStartWith5) => Message::MustStartWith5,
            Self::Invalid(Violation::TooLong { max }) if param == Param::MobileNumber => {
                Message::TooManyDigits { max }
            }
            Self::Invalid(Violation::TooLong { max }) => Message::TooManyCharacters { max },
            Self::Invalid(Violation::ControlCharacters) => Message::ControlCharacters,
            Self::Invalid(Violation::UnsupportedLanguage) => Message::UnsupportedLanguage,
        }
    }
}

/// Every problem of a request, by parameter.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ValidationErrors(BTreeMap<Param, Vec<Problem>>);

impl ValidationErrors {
    /// Errors holding one problem.
    pub fn single(param: Param, problem: Problem) -> Self {
        let mut errors = Self::default();
        errors.add(param, problem);
        errors
    }

    /// Records a problem with `param`; the same problem is recorded once.
    pub fn add(&mut self, param: Param, problem: Problem) {
        let problems = self.0.entry(param).or_default();
        if !problems.contains(&problem) {
            problems.push(problem);
        }
    }

    /// Whether no problem was recorded.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The problems of each parameter that has any, in the contract's parameter order.
    pub fn iter(&self) -> impl Iterator<Item = (Param, &[Problem])> {
        self.0
            .iter()
            .map(|(param, problems)| (*param, problems.as_slice()))
    }

    /// The problems recorded for `param`.
    pub fn get(&self, param: Param) -> &[Problem] {
        self.0.get(&param).map_or(&[], Vec::as_slice)
    }
}

/// A request whose every parameter is valid.
#[derive(Debug)]
pub(crate) struct ValidRequest {
    pub company: CompanyCode,
    pub criteria: SearchCriteria,
    pub language: Language,
    /// The moment whose versions to search; the current ones when `None`.
    pub as_of: Option<DateTime<Utc>>,
}

/// A valid request for the versions of one customer.
#[derive(Debug)]
pub(crate) struct ValidVersionsRequest {
    pub company: CompanyCode,
    pub customer: CustomerId,
    pub language: Language,
}

/// A request with problems, and its company code when that one is well formed (whether it
/// names a company is for the directory to say).
#[derive(Debug)]
pub(crate) struct Rejected {
    pub errors: ValidationErrors,
    pub company: Option<CompanyCode>,
}

/// Applies every rule of the contract that needs no lookup; `now` bounds `asOf`.
pub(crate) fn validate(
    params: &RawSearchParams,
    now: DateTime<Utc>,
) -> Result<ValidRequest, Rejected> {
    let mut errors = ValidationErrors::default();
    for param in Param::ALL {
        if params.is_repeated(param) {
            errors.add(param, Problem::Repeated);
        }
    }
    let language = required(params, Param::Lang, Language::parse, &mut errors);
    let company = required(params, Param::CompanyCode, CompanyCode::parse, &mut errors);
    let criteria = SearchCriteria::new(
        optional(params, Param::CustomerId, CustomerId::parse, &mut errors),
        optional(
            params,
            Param::IdentificationNo,
            IdentificationNumber::parse,
            &mut errors,
        ),
        optional(
            params,
            Param::MobileNumber,
            MobileNumber::parse,
            &mut errors,
        ),
        optional(
            params,
            Param::ReferenceNo,
            ReferenceNumber::parse,
            &mut errors,
        ),
    );
    // An identifier that was given but is invalid has its own problem already. The
    // missing identifier is one problem: reported once, under the first identifier.
    if criteria.is_err()
        && Param::IDENTIFIERS
            .iter()
            .all(|param| params.value(*param).is_none())
    {
        errors.add(Param::IDENTIFIERS[0], Problem::NoIdentifier);
    }
    let as_of = as_of(params, now, &mut errors);
    match (language, company, criteria) {
        (Some(language), Some(company), Ok(criteria)) if errors.is_empty() => Ok(ValidRequest {
            company,
            criteria,
            language,
            as_of,
        }),
        (_, company, _) => Err(Rejected { errors, company }),
    }
}

/// The rules of a request for the versions of one customer: `companyCode`, `customerId`
/// and `lang`, each required and given once. Other parameters are not read, as unknown
/// ones are not.
pub(crate) fn validate_versions(
    params: &RawSearchParams,
) -> Result<ValidVersionsRequest, Rejected> {
    let mut errors = ValidationErrors::default();
    for param in [Param::CompanyCode, Param::CustomerId, Param::Lang] {
        if params.is_repeated(param) {
            errors.add(param, Problem::Repeated);
        }
    }
    let language = required(params, Param::Lang, Language::parse, &mut errors);
    let company = required(params, Param::CompanyCode, CompanyCode::parse, &mut errors);
    let customer = required(params, Param::CustomerId, CustomerId::parse, &mut errors);
    match (language, company, customer) {
        (Some(language), Some(company), Some(customer)) if errors.is_empty() => {
            Ok(ValidVersionsRequest {
                company,
                customer,
                language,
            })
        }
        (_, company, _) => Err(Rejected { errors, company }),
    }
}

/// `asOf`, when given: an RFC 3339 date-time (its offset says which moment it is), not
/// later than `now`.
fn as_of(
    params: &RawSearchParams,
    now: DateTime<Utc>,
    errors: &mut ValidationErrors,
) -> Option<DateTime<Utc>> {
    let value = params.value(Param::AsOf)?;
    let Ok(at) = DateTime::parse_from_rfc3339(value) else {
        errors.add(Param::AsOf, Problem::NotADateTime);
        return None;
    };
    let at = at.with_timezone(&Utc);
    if at > now {
        errors.add(Param::AsOf, Problem::InTheFuture);
        return None;
    }
    Some(at)
}

fn record(param: Param, error: &InvalidValue, errors: &mut ValidationErrors) {
    for violation in error.violations() {
        let problem = match violation {
            Violation::Empty => Problem::Required,
            other => Problem::Invalid(*other),
        };
        errors.add(param, problem);
    }
}

fn required<T>(
    params: &RawSearchParams,
    param: Param,
    parse: impl FnOnce(&str) -> Result<T, InvalidValue>,
    errors: &mut ValidationErrors,
) -> Option<T> {
    let Some(value) = params.value(param) else {
        errors.add(param, Problem::Required);
        return None;
    };
    parse(value)
        .map_err(|error| record(param, &error, errors))
        .ok()
}

fn optional<T>(
    params: &RawSearchParams,
    param: Param,
    parse: impl FnOnce(&str) -> Result<T, InvalidValue>,
    errors: &mut ValidationErrors,
) -> Option<T> {
    let value = params.value(param)?;
    parse(value)
        .map_err(|error| record(param, &error, errors))
        .ok()
}

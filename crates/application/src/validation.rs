use std::borrow::Cow;
use std::collections::BTreeMap;

use customer_domain::{Language, Violation};

use crate::messages;
use crate::params::Param;

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
    /// None of the four identifiers was given.
    NoIdentifier,
}

impl Problem {
    /// The message for `param`, in `language`.
    pub fn message(self, param: Param, language: Language) -> Cow<'static, str> {
        messages::message(self, param, language)
    }
}

/// Every problem of a request, by parameter.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ValidationErrors(BTreeMap<Param, Vec<Problem>>);

impl ValidationErrors {
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

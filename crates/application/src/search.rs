use std::sync::Arc;

use customer_domain::{
    CompanyCode, CompanyDirectory, CompanyId, Customer, CustomerId, CustomerRepository,
    IdentificationNumber, InvalidValue, Language, MobileNumber, ReferenceNumber, RepositoryError,
    SearchCriteria, Violation,
};

use crate::params::{Param, RawSearchParams};
use crate::validation::{Problem, ValidationErrors};

/// The answer to a valid lookup.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SearchOutcome {
    /// The language the answer must be given in.
    pub language: Language,
    /// The matching customers, ordered by customer id.
    pub customers: Vec<Customer>,
}

/// Why a lookup has no answer.
#[derive(Debug, thiserror::Error)]
pub enum SearchError {
    /// The request breaks rules of the contract: all of them are listed.
    #[error("invalid search request: {0:?}")]
    Invalid(ValidationErrors),
    /// The store cannot be reached now; the same request may succeed later.
    #[error("customer store unavailable")]
    Unavailable(#[source] RepositoryError),
    /// The store failed.
    #[error("customer store failed")]
    Failed(#[source] RepositoryError),
}

impl From<RepositoryError> for SearchError {
    fn from(error: RepositoryError) -> Self {
        match error {
            RepositoryError::Unavailable(_) => Self::Unavailable(error),
            RepositoryError::Failed(_) => Self::Failed(error),
        }
    }
}

/// The customer lookup: validation, then the ports.
#[derive(Clone)]
pub struct CustomerSearch {
    customers: Arc<dyn CustomerRepository>,
    companies: Arc<dyn CompanyDirectory>,
}

impl std::fmt::Debug for CustomerSearch {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CustomerSearch").finish_non_exhaustive()
    }
}

impl CustomerSearch {
    /// A lookup over the given ports.
    pub fn new(
        customers: Arc<dyn CustomerRepository>,
        companies: Arc<dyn CompanyDirectory>,
    ) -> Self {
        Self {
            customers,
            companies,
        }
    }

    /// Looks up the current customers that match `params`.
    ///
    /// # Errors
    /// [`SearchError::Invalid`] with every problem of the request; the customer
    /// repository is not asked then. [`SearchError::Unavailable`] or
    /// [`SearchError::Failed`] when a port fails.
    pub async fn search(&self, params: &RawSearchParams) -> Result<SearchOutcome, SearchError> {
        let mut errors = ValidationErrors::default();
        for param in Param::ALL {
            if params.is_repeated(param) {
                errors.add(param, Problem::Repeated);
            }
        }
        let language = required(params, Param::Lang, Language::parse, &mut errors);
        let company_code = required(params, Param::CompanyCode, CompanyCode::parse, &mut errors);
        let customer_id = optional(params, Param::CustomerId, CustomerId::parse, &mut errors);
        let identification_no = optional(
            params,
            Param::IdentificationNo,
            IdentificationNumber::parse,
            &mut errors,
        );
        let mobile_number = optional(
            params,
            Param::MobileNumber,
            MobileNumber::parse,
            &mut errors,
        );
        let reference_no = optional(
            params,
            Param::ReferenceNo,
            ReferenceNumber::parse,
            &mut errors,
        );

        let no_identifier_given = Param::IDENTIFIERS
            .iter()
            .all(|param| params.value(*param).is_none());
        if no_identifier_given {
            for param in Param::IDENTIFIERS {
                errors.add(param, Problem::NoIdentifier);
            }
        }

        let company = match company_code {
            Some(code) => self.resolve_company(&code, &mut errors).await?,
            None => None,
        };

        let (Some(language), Some(company), true) = (language, company, errors.is_empty()) else {
            return Err(SearchError::Invalid(errors));
        };
        let Ok(criteria) =
            SearchCriteria::new(customer_id, identification_no, mobile_number, reference_no)
        else {
            // Unreachable: no identifier given was reported above.
            return Err(SearchError::Invalid(errors));
        };
        let customers = self.customers.find_current(company, &criteria).await?;
        Ok(SearchOutcome {
            language,
            customers,
        })
    }

    /// Resolves a well-formed company code. When the directory cannot answer and the
    /// request has other problems, those are reported rather than the outage.
    async fn resolve_company(
        &self,
        code: &CompanyCode,
        errors: &mut ValidationErrors,
    ) -> Result<Option<CompanyId>, SearchError> {
        match self.companies.resolve(code).await {
            Ok(Some(id)) => Ok(Some(id)),
            Ok(None) => {
                errors.add(Param::CompanyCode, Problem::UnknownCompany);
                Ok(None)
            }
            Err(_) if !errors.is_empty() => Ok(None),
            Err(error) => Err(error.into()),
        }
    }
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

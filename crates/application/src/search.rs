//! The customer lookup: validated input in, the ports asked, customers out.

use std::sync::Arc;

use customer_domain::{
    CompanyCode, CompanyDirectory, Customer, CustomerRepository, Language, RepositoryError,
    SearchCriteria,
};

use crate::params::{Param, RawSearchParams};
use crate::validation::{Problem, Rejected, ValidationErrors, validate};

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

/// The customer lookup, over the ports that find customers and companies.
///
/// Internal callers that hold validated values call [`CustomerSearch::find`]; the HTTP
/// edge, which holds the raw query string, calls [`CustomerSearch::search`].
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

    /// The current customers of `company` that match all of `criteria`, to be shown in
    /// `language`.
    ///
    /// # Errors
    /// [`SearchError::Invalid`] with [`Problem::UnknownCompany`] on [`Param::CompanyCode`]
    /// when no company has that code; [`SearchError::Unavailable`] or
    /// [`SearchError::Failed`] when a port fails.
    pub async fn find(
        &self,
        company: &CompanyCode,
        criteria: &SearchCriteria,
        language: Language,
    ) -> Result<SearchOutcome, SearchError> {
        let Some(company) = self.companies.resolve(company).await? else {
            return Err(SearchError::Invalid(ValidationErrors::single(
                Param::CompanyCode,
                Problem::UnknownCompany,
            )));
        };
        let customers = self.customers.find_current(company, criteria).await?;
        Ok(SearchOutcome {
            language,
            customers,
        })
    }

    /// Validates the parameters of a lookup as they arrived, then [`Self::find`]s.
    ///
    /// # Errors
    /// [`SearchError::Invalid`] with every problem of the request, an unknown company
    /// among them; the customer repository is not asked then. [`SearchError::Unavailable`]
    /// or [`SearchError::Failed`] when a port fails.
    pub async fn search(&self, params: &RawSearchParams) -> Result<SearchOutcome, SearchError> {
        match validate(params) {
            Ok(request) => {
                self.find(&request.company, &request.criteria, request.language)
                    .await
            }
            Err(Rejected {
                mut errors,
                company,
            }) => {
                // Named among the other problems; should the directory be down, those
                // are answer enough.
                if let Some(code) = company
                    && let Ok(None) = self.companies.resolve(&code).await
                {
                    errors.add(Param::CompanyCode, Problem::UnknownCompany);
                }
                Err(SearchError::Invalid(errors))
            }
        }
    }
}

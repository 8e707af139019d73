//! The ports through which the lookup reaches stored customers and companies.

use async_trait::async_trait;

use crate::company::{CompanyCode, CompanyId};
use crate::criteria::SearchCriteria;
use crate::customer::Customer;

/// Why a port could not answer.
#[derive(Debug, thiserror::Error)]
pub enum RepositoryError {
    /// The store cannot be reached now (connection refused, pool exhausted, timeout);
    /// the same call may succeed later.
    #[error("the customer store is unavailable: {0}")]
    Unavailable(#[source] Box<dyn std::error::Error + Send + Sync>),
    /// The store answered with an error that retrying will not fix.
    #[error("the customer store failed: {0}")]
    Failed(#[source] Box<dyn std::error::Error + Send + Sync>),
}

/// Finds the current version of customers.
#[cfg_attr(feature = "mocks", mockall::automock)]
#[async_trait]
pub trait CustomerRepository: Send + Sync + 'static {
    /// The current version of every customer of `company` that matches all of
    /// `criteria`, with all their contacts (ordered by contact id), ordered by customer
    /// id. Empty when none matches.
    ///
    /// # Errors
    /// [`RepositoryError::Unavailable`] when the store cannot be reached now,
    /// [`RepositoryError::Failed`] on any other failure of the store.
    async fn find_current(
        &self,
        company: CompanyId,
        criteria: &SearchCriteria,
    ) -> Result<Vec<Customer>, RepositoryError>;
}

/// Resolves company codes to the companies they name.
#[cfg_attr(feature = "mocks", mockall::automock)]
#[async_trait]
pub trait CompanyDirectory: Send + Sync + 'static {
    /// The company whose code is `code`, or `None` when no company has that code.
    ///
    /// # Errors
    /// [`RepositoryError::Unavailable`] when the store cannot be reached now,
    /// [`RepositoryError::Failed`] on any other failure of the store.
    async fn resolve(&self, code: &CompanyCode) -> Result<Option<CompanyId>, RepositoryError>;
}

//! What the audit trail is asked: who saw a customer, what a client looked up, who
//! searched for a value; and pruning old records.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use customer_domain::{
    AuditArchive, AuditQuery, AuditRecord, ClientName, Criterion, CustomerId, IdentificationNumber,
    MobileNumber, ReferenceNumber, RepositoryError,
};

use super::{AuditKey, AuditKeyError};

/// Why an audit query has no answer.
#[derive(Debug, thiserror::Error)]
pub enum AuditQueryError {
    /// The value asked about is not valid: what is wrong with it.
    #[error("{what}: {reason}")]
    Invalid {
        /// What was given (`customer id`, `client`, `mobileNumber`, ...).
        what: &'static str,
        /// The rules it breaks.
        reason: String,
    },
    /// The audit store failed or cannot be reached.
    #[error(transparent)]
    Store(#[from] RepositoryError),
    /// The key of the searched values could not be had.
    #[error(transparent)]
    Key(#[from] AuditKeyError),
}

/// The audit trail's queries, with the key that turns searched values into the digests
/// stored.
#[derive(Clone)]
pub struct AuditQueries {
    trail: Arc<dyn AuditArchive>,
    key: AuditKey,
}

impl std::fmt::Debug for AuditQueries {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AuditQueries").finish_non_exhaustive()
    }
}

impl AuditQueries {
    /// Queries of `trail`; `key` must be the one of the service that wrote it (see
    /// [`AuditKey::chosen`]). A stored key is read by the first query by value.
    pub fn new(trail: Arc<dyn AuditArchive>, key: AuditKey) -> Self {
        Self { trail, key }
    }

    /// The lookups that showed customer `customer_id`, since `since` if given, oldest
    /// first.
    ///
    /// # Errors
    /// [`AuditQueryError::Invalid`] for a malformed id, [`AuditQueryError::Store`].
    pub async fn customer(
        &self,
        customer_id: &str,
        since: Option<DateTime<Utc>>,
    ) -> Result<Vec<AuditRecord>, AuditQueryError> {
        let id = CustomerId::parse(customer_id).map_err(|e| invalid("customer id", &e))?;
        Ok(self.trail.find(&AuditQuery::Customer(id), since).await?)
    }

    /// The lookups of client `name`, since `since` if given, oldest first.
    ///
    /// # Errors
    /// [`AuditQueryError::Invalid`] for a malformed name, [`AuditQueryError::Store`].
    pub async fn client(
        &self,
        name: &str,
        since: Option<DateTime<Utc>>,
    ) -> Result<Vec<AuditRecord>, AuditQueryError> {
        let name = ClientName::parse(name).map_err(|e| invalid("client", &e))?;
        Ok(self.trail.find(&AuditQuery::Client(name), since).await?)
    }

    /// The lookups that searched for `value` as `criterion`, found through the value's
    /// keyed hash; the value is read as the lookup reads it (a mobile number's spaces
    /// and hyphens dropped, Arabic-Indic digits as ASCII).
    ///
    /// # Errors
    /// [`AuditQueryError::Invalid`] for a value the lookup would refuse,
    /// [`AuditQueryError::Store`].
    pub async fn searched(
        &self,
        criterion: Criterion,
        value: &str,
        since: Option<DateTime<Utc>>,
    ) -> Result<Vec<AuditRecord>, AuditQueryError> {
        let what = criterion.name();
        let normalized = match criterion {
            Criterion::CustomerId => CustomerId::parse(value).map(|v| v.get().to_string()),
            Criterion::IdentificationNo => {
                IdentificationNumber::parse(value).map(|v| v.as_str().to_owned())
            }
            Criterion::MobileNumber => MobileNumber::parse(value).map(|v| v.as_str().to_owned()),
            Criterion::ReferenceNo => ReferenceNumber::parse(value).map(|v| v.as_str().to_owned()),
        }
        .map_err(|e| invalid(what, &e))?;
        let digest = self.key.hasher().await?.digest(criterion, &normalized);
        Ok(self
            .trail
            .find(&AuditQuery::Searched(digest), since)
            .await?)
    }

    /// Deletes the records made before `before`; returns how many there were.
    ///
    /// # Errors
    /// [`AuditQueryError::Store`].
    pub async fn prune(&self, before: DateTime<Utc>) -> Result<u64, AuditQueryError> {
        Ok(self.trail.prune(before).await?)
    }
}

fn invalid(what: &'static str, error: &dyn std::fmt::Display) -> AuditQueryError {
    AuditQueryError::Invalid {
        what,
        reason: error.to_string(),
    }
}

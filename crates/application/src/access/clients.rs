//! Managing callers and their keys: what `customer-api clients ...` does.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use customer_domain::{
    ApiKey, ApiKeyId, ClientAdministration, ClientListing, ClientName, ClientProfile, CompanyScope,
    InvalidAccessValue, Permissions, RateLimit, RegistryError, RevokeTarget,
};

use super::credentials::{IssuedKey, RandomnessError, issue_key};

/// Why a change to the clients was refused.
#[derive(Debug, thiserror::Error)]
pub enum AdminError {
    /// Some inputs are invalid: every one, with every rule it breaks.
    #[error("{}", .0.iter().map(|(what, error)| format!("{what}: {error}")).collect::<Vec<_>>().join("; "))]
    Invalid(Vec<(&'static str, InvalidAccessValue)>),
    /// An expiry that is already past.
    #[error("the expiry {0} is in the past")]
    ExpiryInPast(DateTime<Utc>),
    /// The registry refused the change or failed.
    #[error(transparent)]
    Registry(#[from] RegistryError),
    /// No key could be made.
    #[error(transparent)]
    Randomness(#[from] RandomnessError),
}

/// What `clients permit` changed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PermissionChange {
    /// The client, its name as read.
    pub client: ClientName,
    /// What it could do before.
    pub before: Permissions,
    /// What it can do now.
    pub after: Permissions,
}

/// The clients use cases, over the registry.
#[derive(Clone)]
pub struct ClientAdmin {
    registry: Arc<dyn ClientAdministration>,
}

impl std::fmt::Debug for ClientAdmin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ClientAdmin").finish_non_exhaustive()
    }
}

impl ClientAdmin {
    /// The use cases over `registry`.
    pub fn new(registry: Arc<dyn ClientAdministration>) -> Self {
        Self { registry }
    }

    /// Adds client `name` allowed `companies` (`all` or `jtc,jfc`) with `permissions`
    /// (`read`, `write` or `read,write`; read only when not given), with its own `rate`
    /// (`50/s`) if given, and makes its first key, valid until `expires_at` if given.
    ///
    /// # Errors
    /// [`AdminError::Invalid`] with every invalid input, [`AdminError::ExpiryInPast`],
    /// [`AdminError::Registry`] (name taken, unknown companies, store failure).
    pub async fn add(
        &self,
        name: &str,
        companies: &str,
        permissions: Option<&str>,
        rate: Option<&str>,
        expires_at: Option<DateTime<Utc>>,
        now: DateTime<Utc>,
    ) -> Result<IssuedKey, AdminError> {
        let mut invalid = Vec::new();
        let name = ClientName::parse(name)
            .map_err(|e| invalid.push(("name", e)))
            .ok();
        let companies = CompanyScope::parse(companies)
            .map_err(|e| invalid.push(("companies", e)))
            .ok();
        let permissions = permissions
            .map_or(Ok(Permissions::default()), Permissions::parse)
            .map_err(|e| invalid.push(("permissions", e)))
            .ok();
        let rate_limit = match rate.map(RateLimit::parse) {
            Some(Ok(rate)) => Some(rate),
            Some(Err(e)) => {
                invalid.push(("rate", e));
                None
            }
            None => None,
        };
        let (Some(name), Some(companies), Some(permissions)) = (name, companies, permissions)
        else {
            return Err(AdminError::Invalid(invalid));
        };
        if !invalid.is_empty() {
            return Err(AdminError::Invalid(invalid));
        }
        check_expiry(expires_at, now)?;
        let issued = issue_key(now, expires_at)?;
        let profile = ClientProfile {
            name,
            permissions,
            companies,
            rate_limit,
        };
        self.registry
            .add_client(&profile, &issued.stored, now)
            .await?;
        Ok(issued)
    }

    /// Gives client `name` exactly `permissions` (`read`, `write` or `read,write`), in
    /// place of those it had; its keys stay as they are.
    ///
    /// # Errors
    /// [`AdminError::Invalid`] with every invalid input, [`AdminError::Registry`] for an
    /// unknown client or a store failure.
    pub async fn permit(
        &self,
        name: &str,
        permissions: &str,
    ) -> Result<PermissionChange, AdminError> {
        let mut invalid = Vec::new();
        let name = ClientName::parse(name)
            .map_err(|e| invalid.push(("name", e)))
            .ok();
        let permissions = Permissions::parse(permissions)
            .map_err(|e| invalid.push(("permissions", e)))
            .ok();
        let (Some(client), Some(after)) = (name, permissions) else {
            return Err(AdminError::Invalid(invalid));
        };
        let before = self.registry.set_permissions(&client, after).await?;
        Ok(PermissionChange {
            client,
            before,
            after,
        })
    }

    /// Every client with its keys, by name.
    ///
    /// # Errors
    /// [`AdminError::Registry`] when the store fails.
    pub async fn list(&self) -> Result<Vec<ClientListing>, AdminError> {
        Ok(self
            .registry
            .list_clients()
            .await
            .map_err(RegistryError::from)?)
    }

    /// Revokes, as of `now`, one key (`target` is a key id or a whole key) or every key
    /// of a client (`target` is its name); returns the ids revoked. A target that could be
    /// either a key id or a name is tried as a key id first.
    ///
    /// # Errors
    /// [`AdminError::Invalid`] for a target that is neither, [`AdminError::Registry`]
    /// when nothing has that id or name, or the store fails.
    pub async fn revoke(
        &self,
        target: &str,
        now: DateTime<Utc>,
    ) -> Result<Vec<ApiKeyId>, AdminError> {
        let target = target.trim();
        if let Ok(key) = ApiKey::parse(target) {
            return Ok(self
                .registry
                .revoke(&RevokeTarget::Key(key.id().clone()), now)
                .await?);
        }
        let name = ClientName::parse(target);
        if let Ok(id) = ApiKeyId::parse(target) {
            match self.registry.revoke(&RevokeTarget::Key(id), now).await {
                Err(RegistryError::UnknownKey(_)) if name.is_ok() => {}
                other => return Ok(other?),
            }
        }
        let name = name.map_err(|e| AdminError::Invalid(vec![("client", e)]))?;
        Ok(self
            .registry
            .revoke(&RevokeTarget::Client(name), now)
            .await?)
    }

    /// Makes a new key for client `name`, valid until `expires_at` if given; its other
    /// keys stop working after `grace` (now, for a zero grace), unless they expire sooner.
    ///
    /// # Errors
    /// [`AdminError::Invalid`] for a malformed name, [`AdminError::ExpiryInPast`],
    /// [`AdminError::Registry`] for an unknown client or a store failure.
    pub async fn rotate(
        &self,
        name: &str,
        grace: std::time::Duration,
        expires_at: Option<DateTime<Utc>>,
        now: DateTime<Utc>,
    ) -> Result<IssuedKey, AdminError> {
        let name = ClientName::parse(name).map_err(|e| AdminError::Invalid(vec![("name", e)]))?;
        // Checked before anything is written: a refused rotation leaves the old keys be.
        check_expiry(expires_at, now)?;
        let grace = chrono::Duration::from_std(grace).unwrap_or(chrono::Duration::MAX);
        let retire_at = now
            .checked_add_signed(grace)
            .unwrap_or(DateTime::<Utc>::MAX_UTC);
        let issued = issue_key(now, expires_at)?;
        self.registry
            .add_key(&name, &issued.stored, retire_at)
            .await?;
        Ok(issued)
    }
}

fn check_expiry(expires_at: Option<DateTime<Utc>>, now: DateTime<Utc>) -> Result<(), AdminError> {
    match expires_at {
        Some(at) if at <= now => Err(AdminError::ExpiryInPast(at)),
        _ => Ok(()),
    }
}

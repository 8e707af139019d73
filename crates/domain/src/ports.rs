//! The ports through which the lookup reaches stored customers and companies, callers'
//! credentials and the audit trail.
//!
//! Ports are split by who calls them: what every request needs ([`KeyLookup`],
//! [`AuditLog`]) is apart from what operators' commands need
//! ([`ClientAdministration`], [`AuditArchive`]), so that a use case gets only the
//! calls it makes and a test mocks only those.

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use crate::access::{ClientName, ClientProfile, CompanyScope, Permissions};
use crate::api_key::{ApiKeyId, ClientListing, NewApiKey, StoredApiKey};
use crate::audit::{AuditQuery, AuditRecord};
use crate::company::{Company, CompanyCode, CompanyId, CompanyRenaming};
use crate::criteria::SearchCriteria;
use crate::customer::Customer;
use crate::customer::LocalizedName;
use crate::document::{CodeBook, PendingChange, TimelinePage, WriteOutcome};
use crate::identifiers::CustomerId;

/// What kind of failure a store met, as the adapter that met it classified it when the
/// error was made: the layers above decide on the kind alone (retry, answer `503` or
/// `500`, count it) and never read the message, which is the driver's and may change
/// with its version or the database's language.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FailureKind {
    /// The store cannot be reached, refused the connection, or the connection was lost
    /// while a statement ran.
    Unreachable,
    /// The store was reached but did not answer in time: a statement or lock timeout,
    /// no free connection, or the caller's deadline passed.
    TimedOut,
    /// A table or column the statement names does not exist: the schema is not the one
    /// the service was built for.
    Schema,
    /// The store's role may not do what the statement does.
    Permission,
    /// Stored data breaks an invariant the schema cannot express.
    Inconsistent,
    /// Anything else: retrying will not help, and no more is known.
    Other,
}

impl FailureKind {
    /// Whether the same call may succeed later without anyone changing anything: the
    /// store is away or overloaded, rather than wrong about what was asked of it.
    pub fn is_unavailable(self) -> bool {
        matches!(self, Self::Unreachable | Self::TimedOut)
    }
}

/// Why a port could not answer: the [`FailureKind`] its adapter found, and the
/// adapter's own error for the log.
#[derive(Debug, thiserror::Error)]
#[error("{} {source}", if kind.is_unavailable() {
    "the customer store is unavailable:"
} else {
    "the customer store failed:"
})]
pub struct RepositoryError {
    kind: FailureKind,
    #[source]
    source: Box<dyn std::error::Error + Send + Sync>,
}

impl RepositoryError {
    /// A failure of `kind`, caused by `source`.
    pub fn new(
        kind: FailureKind,
        source: impl Into<Box<dyn std::error::Error + Send + Sync>>,
    ) -> Self {
        Self {
            kind,
            source: source.into(),
        }
    }

    /// What kind of failure it was.
    pub fn kind(&self) -> FailureKind {
        self.kind
    }

    /// Whether the same call may succeed later (see [`FailureKind::is_unavailable`]).
    pub fn is_unavailable(&self) -> bool {
        self.kind.is_unavailable()
    }
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
    /// [`RepositoryError`] of an unavailable [`FailureKind`] when the store cannot be
    /// reached now, of another kind on any other failure of the store.
    async fn find_current(
        &self,
        company: CompanyId,
        criteria: &SearchCriteria,
    ) -> Result<Vec<Customer>, RepositoryError>;
}

/// Finds customers as they were: the versions valid at a moment, and every version of
/// one customer. Kept apart from [`CustomerRepository`], whose current lookup is the hot
/// path, so that reading the past never changes what that one runs.
#[cfg_attr(feature = "mocks", mockall::automock)]
#[async_trait]
pub trait CustomerHistory: Send + Sync + 'static {
    /// The versions of `company`'s customers valid at `at` (`start_date <= at <
    /// end_date`, or no end date) that match all of `criteria` as they were then (the
    /// version's own identification and mobile numbers, the references it held), each
    /// with the contacts it held, ordered by customer id. Empty when none matches.
    ///
    /// # Errors
    /// [`RepositoryError`] of an unavailable [`FailureKind`] when the store cannot be
    /// reached now, of another kind on any other failure of the store.
    async fn find_as_of(
        &self,
        company: CompanyId,
        criteria: &SearchCriteria,
        at: DateTime<Utc>,
    ) -> Result<Vec<Customer>, RepositoryError>;

    /// Every version of the customer `customer` of `company`, newest first, each with the
    /// contacts it held. Empty when the company has no such customer.
    ///
    /// # Errors
    /// As [`Self::find_as_of`].
    async fn versions(
        &self,
        company: CompanyId,
        customer: CustomerId,
    ) -> Result<Vec<Customer>, RepositoryError>;
}

/// Writes customers: each change a new version, the previous one closed, as one
/// transaction per call.
#[cfg_attr(feature = "mocks", mockall::automock)]
#[async_trait]
pub trait CustomerWriter: Send + Sync + 'static {
    /// The coded values and companies that exist now, to check documents against before
    /// they are written.
    ///
    /// # Errors
    /// [`RepositoryError`] of an unavailable [`FailureKind`] when the store cannot be
    /// reached now, of another kind on any other failure of the store.
    async fn code_book(&self) -> Result<CodeBook, RepositoryError>;

    /// Applies `changes` in order, in one transaction, and says what each did. A
    /// [`WriteOutcome::Refused`] change writes nothing; the others are written. A change
    /// without an effective time takes `now`. A later change of the same customer sees
    /// what an earlier one wrote. With `dry_run`, the transaction is rolled back: the
    /// outcomes say what the changes would have done.
    ///
    /// # Errors
    /// As [`Self::code_book`]; then none of `changes` is written.
    async fn apply(
        &self,
        changes: Vec<PendingChange>,
        now: DateTime<Utc>,
        dry_run: bool,
    ) -> Result<Vec<WriteOutcome>, RepositoryError>;
}

/// Reads whole customers' histories, a page at a time, for export.
#[cfg_attr(feature = "mocks", mockall::automock)]
#[async_trait]
pub trait CustomerExport: Send + Sync + 'static {
    /// The next up to `limit` customers of `company` with an id greater than `after`, by
    /// id, each with every version oldest first and the contacts and references each
    /// held. With `as_of`, only what was known at that moment: the versions begun by
    /// then, a version still current then without its later end date, and no customer
    /// that had no version by then (such customers count in `limit` and in
    /// [`TimelinePage::last`] all the same).
    ///
    /// # Errors
    /// [`RepositoryError`] of an unavailable [`FailureKind`] when the store cannot be
    /// reached now, of another kind on any other failure of the store.
    async fn timelines(
        &self,
        company: CompanyId,
        after: Option<CustomerId>,
        limit: usize,
        as_of: Option<DateTime<Utc>>,
    ) -> Result<TimelinePage, RepositoryError>;
}

/// Resolves company codes to the companies they name.
#[cfg_attr(feature = "mocks", mockall::automock)]
#[async_trait]
pub trait CompanyDirectory: Send + Sync + 'static {
    /// The company whose code is `code`, or `None` when no company has that code.
    ///
    /// # Errors
    /// [`RepositoryError`] of an unavailable [`FailureKind`] when the store cannot be
    /// reached now, of another kind on any other failure of the store.
    async fn resolve(&self, code: &CompanyCode) -> Result<Option<CompanyId>, RepositoryError>;
}

/// Why the company registry refused a change.
#[derive(Debug, thiserror::Error)]
pub enum CompanyRegistryError {
    /// A company has that code already.
    #[error("a company with the code {0} exists already")]
    CodeTaken(CompanyCode),
    /// No company has that code.
    #[error("no company has the code {0}")]
    UnknownCompany(CompanyCode),
    /// The store failed or cannot be reached.
    #[error(transparent)]
    Store(#[from] RepositoryError),
}

/// The companies of the group, as stored: what operators add and rename. The lookup
/// resolves codes through [`CompanyDirectory`].
#[cfg_attr(feature = "mocks", mockall::automock)]
#[async_trait]
pub trait CompanyRegistry: Send + Sync + 'static {
    /// Adds a company with a new identifier (one more than the largest stored).
    ///
    /// # Errors
    /// [`CompanyRegistryError::CodeTaken`], [`CompanyRegistryError::Store`].
    async fn add_company(
        &self,
        code: &CompanyCode,
        name: &LocalizedName,
    ) -> Result<Company, CompanyRegistryError>;

    /// Replaces the names that `renaming` gives; returns the company before and after.
    ///
    /// # Errors
    /// [`CompanyRegistryError::UnknownCompany`], [`CompanyRegistryError::Store`].
    async fn rename_company(
        &self,
        code: &CompanyCode,
        renaming: &CompanyRenaming,
    ) -> Result<(Company, Company), CompanyRegistryError>;

    /// Every company, by code.
    ///
    /// # Errors
    /// [`RepositoryError`] of an unavailable [`FailureKind`] when the store cannot be
    /// reached now, of another kind on any other failure of the store.
    async fn list_companies(&self) -> Result<Vec<Company>, RepositoryError>;
}

/// Why the client registry refused a change.
#[derive(Debug, thiserror::Error)]
pub enum RegistryError {
    /// A client of that name exists already.
    #[error("a client named {0} exists already")]
    NameTaken(ClientName),
    /// No client has that name.
    #[error("no client is named {0}")]
    UnknownClient(ClientName),
    /// No key has that id.
    #[error("no API key has the id {0}")]
    UnknownKey(ApiKeyId),
    /// The company list names companies that do not exist.
    #[error("unknown companies: {}", .0.iter().map(CompanyCode::as_str).collect::<Vec<_>>().join(", "))]
    UnknownCompanies(Vec<CompanyCode>),
    /// The store failed or cannot be reached.
    #[error(transparent)]
    Store(#[from] RepositoryError),
}

/// Which keys `clients revoke` takes effect on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RevokeTarget {
    /// Every key of this client.
    Client(ClientName),
    /// This key alone.
    Key(ApiKeyId),
}

/// The API keys as the request path reads them: the authenticator asks for a key at the
/// first request that presents it (and again once its cache forgets it), and records
/// its use. Kept apart from [`ClientAdministration`] so that the request path depends on
/// nothing that can change who may call.
#[cfg_attr(feature = "mocks", mockall::automock)]
#[async_trait]
pub trait KeyLookup: Send + Sync + 'static {
    /// The key with this id and its client, revoked or expired keys included (the caller
    /// checks [`StoredApiKey::is_valid_at`]); `None` when no key has this id.
    ///
    /// # Errors
    /// [`RepositoryError`] of an unavailable [`FailureKind`] when the store cannot be
    /// reached now, of another kind on any other failure of the store.
    async fn find_key(&self, id: &ApiKeyId) -> Result<Option<StoredApiKey>, RepositoryError>;

    /// Records that the key was used at `at`.
    ///
    /// # Errors
    /// As [`Self::find_key`].
    async fn touch_key(&self, id: &ApiKeyId, at: DateTime<Utc>) -> Result<(), RepositoryError>;
}

/// The callers and their API keys as operators manage them (`customer-api clients`):
/// only hashes of the keys are stored. The lookup reads keys through [`KeyLookup`].
#[cfg_attr(feature = "mocks", mockall::automock)]
#[async_trait]
pub trait ClientAdministration: Send + Sync + 'static {
    /// Adds a client with its first key.
    ///
    /// # Errors
    /// [`RegistryError::NameTaken`], [`RegistryError::UnknownCompanies`] (every unknown
    /// code), [`RegistryError::Store`].
    async fn add_client(
        &self,
        client: &ClientProfile,
        key: &NewApiKey,
        at: DateTime<Utc>,
    ) -> Result<(), RegistryError>;

    /// Adds a key to a client; its other keys that would outlive `retire_others_at` now
    /// expire then (a rotation's grace period).
    ///
    /// # Errors
    /// [`RegistryError::UnknownClient`], [`RegistryError::Store`].
    async fn add_key(
        &self,
        client: &ClientName,
        key: &NewApiKey,
        retire_others_at: DateTime<Utc>,
    ) -> Result<(), RegistryError>;

    /// Revokes the target's keys not yet revoked, as of `at`; returns their ids.
    ///
    /// # Errors
    /// [`RegistryError::UnknownClient`] or [`RegistryError::UnknownKey`] when the target
    /// does not exist, [`RegistryError::Store`].
    async fn revoke(
        &self,
        target: &RevokeTarget,
        at: DateTime<Utc>,
    ) -> Result<Vec<ApiKeyId>, RegistryError>;

    /// Gives client `client` exactly `permissions`; returns those it had before. Its
    /// keys carry the new permissions as soon as they are read again (running instances
    /// cache a key for their key cache's time to live).
    ///
    /// # Errors
    /// [`RegistryError::UnknownClient`], [`RegistryError::Store`].
    async fn set_permissions(
        &self,
        client: &ClientName,
        permissions: Permissions,
    ) -> Result<Permissions, RegistryError>;

    /// Every client with its keys, by name.
    ///
    /// # Errors
    /// [`RepositoryError`] of an unavailable [`FailureKind`] when the store cannot be
    /// reached now, of another kind on any other failure of the store.
    async fn list_clients(&self) -> Result<Vec<ClientListing>, RepositoryError>;
}

/// Why a bearer token was not accepted.
#[derive(Debug, thiserror::Error)]
pub enum TokenError {
    /// The token is not valid: the reason is safe to tell its bearer.
    #[error("invalid token: {0}")]
    Rejected(String),
    /// The keys to check it with cannot be had now (the identity provider is down).
    #[error("the token signing keys are unavailable: {0}")]
    Unavailable(#[source] Box<dyn std::error::Error + Send + Sync>),
}

/// What a verified token says of its bearer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifiedToken {
    /// The token's subject (`sub`).
    pub subject: String,
    /// The client it was issued to, as named by the configured claim.
    pub client: ClientName,
    /// What the token grants: always [`crate::Permission::Read`], and
    /// [`crate::Permission::Write`] too when the configured claim says so.
    pub permissions: Permissions,
    /// The companies the configured claim grants.
    pub companies: CompanyScope,
}

/// Checks bearer tokens of the group's identity provider.
#[cfg_attr(feature = "mocks", mockall::automock)]
#[async_trait]
pub trait TokenVerifier: Send + Sync + 'static {
    /// The claims of `token` once its signature, issuer, audience and validity period
    /// are checked.
    ///
    /// # Errors
    /// [`TokenError::Rejected`] for any token that is not valid,
    /// [`TokenError::Unavailable`] when the keys cannot be fetched.
    async fn verify(&self, token: &str) -> Result<VerifiedToken, TokenError>;
}

/// The audit trail as lookups write it: every answered lookup appends its record (in
/// groups, through the audit writer). Kept apart from [`AuditArchive`] so that the
/// request path can add records but neither read nor delete them.
#[cfg_attr(feature = "mocks", mockall::automock)]
#[async_trait]
pub trait AuditLog: Send + Sync + 'static {
    /// Stores `records`, all or none, in one statement.
    ///
    /// # Errors
    /// [`RepositoryError`] of an unavailable [`FailureKind`] when the store cannot be
    /// reached now, of another kind on any other failure of the store.
    async fn append(&self, records: &[AuditRecord]) -> Result<(), RepositoryError>;
}

/// The audit trail as a data protection officer reads and prunes it
/// (`customer-api audit`).
#[cfg_attr(feature = "mocks", mockall::automock)]
#[async_trait]
pub trait AuditArchive: Send + Sync + 'static {
    /// The records that `query` asks for, made at or after `since` if given, oldest first.
    ///
    /// # Errors
    /// [`RepositoryError`] of an unavailable [`FailureKind`] when the store cannot be
    /// reached now, of another kind on any other failure of the store.
    async fn find(
        &self,
        query: &AuditQuery,
        since: Option<DateTime<Utc>>,
    ) -> Result<Vec<AuditRecord>, RepositoryError>;

    /// Deletes the records made before `before`; returns how many there were.
    ///
    /// # Errors
    /// As [`Self::find`].
    async fn prune(&self, before: DateTime<Utc>) -> Result<u64, RepositoryError>;
}

/// The key of the searched values' keyed hashes kept with the audit trail, for
/// deployments that configure none: read by the service (once) and by the audit queries
/// alike, so that their digests agree.
#[cfg_attr(feature = "mocks", mockall::automock)]
#[async_trait]
pub trait AuditKeyStore: Send + Sync + 'static {
    /// The key kept: `candidate` (random, made by the caller) when none is kept yet,
    /// otherwise the one kept, the same for every instance.
    ///
    /// # Errors
    /// [`RepositoryError`] of an unavailable [`FailureKind`] when the store cannot be
    /// reached now, of another kind on any other failure of the store (a stored key that
    /// cannot be read among them).
    async fn hmac_key(&self, candidate: &[u8]) -> Result<Vec<u8>, RepositoryError>;
}

//! The customer lookup domain: who a customer is, the identifiers a customer can be
//! looked up by, who may look them up (callers, credentials, rate limits), the audit
//! trail of disclosures, and the ports through which all of them are stored and found.
//!
//! This crate depends on no framework and no database: other internal crates reuse it
//! as a library. Every value type here can only hold a valid value; its `parse`
//! constructor says which rule an input breaks.

#![warn(missing_docs)]

mod access;
mod api_key;
mod audit;
mod clock;
mod company;
mod criteria;
mod customer;
mod digits;
mod document;
mod identifiers;
mod language;
mod ports;
mod violation;

pub use access::{
    AccessViolation, Caller, ClientName, ClientProfile, CompanyScope, Credential,
    InvalidAccessValue, Permission, Permissions, RateLimit, RateWindow,
};
pub use api_key::{
    API_KEY_ID_LEN, API_KEY_PREFIX, API_KEY_SECRET_LEN, ApiKey, ApiKeyHash, ApiKeyId,
    ClientListing, KeySummary, NewApiKey, StoredApiKey,
};
pub use audit::{AuditQuery, AuditRecord, Criterion, CriterionDigest, Disclosure, WriteKind};
#[cfg(feature = "mocks")]
pub use clock::ManualClock;
pub use clock::{Clock, SystemClock};
pub use company::{Company, CompanyCode, CompanyId, CompanyRenaming};
pub use criteria::{CriteriaError, SearchCriteria};
pub use customer::{Coded, Contact, Customer, LocalizedName};
pub use digits::normalize_digits;
pub use document::{
    CodeBook, CodeCategory, ContactDetails, CustomerChange, CustomerDocument, CustomerProfile,
    CustomerTimeline, PendingChange, TimelinePage, VersionStamp, WriteOutcome, WriteRefusal,
};
pub use identifiers::{CustomerId, IdentificationNumber, MobileNumber, ReferenceNumber};
pub use language::Language;
pub use ports::{
    AuditArchive, AuditKeyStore, AuditLog, ClientAdministration, CompanyDirectory, CompanyRegistry,
    CompanyRegistryError, CustomerExport, CustomerHistory, CustomerRepository, CustomerWriter,
    FailureKind, KeyLookup, RegistryError, RepositoryError, RevokeTarget, TokenError,
    TokenVerifier, VerifiedToken,
};
#[cfg(feature = "mocks")]
pub use ports::{
    MockAuditArchive, MockAuditKeyStore, MockAuditLog, MockClientAdministration,
    MockCompanyDirectory, MockCompanyRegistry, MockCustomerExport, MockCustomerHistory,
    MockCustomerRepository, MockCustomerWriter, MockKeyLookup, MockTokenVerifier,
};
pub use violation::{InvalidValue, Violation};

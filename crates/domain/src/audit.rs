//! The audit trail: a record of every disclosure of customers, which says who searched,
//! in which company, by which criteria (as keyed hashes, never in clear) and what was
//! shown.

use std::fmt;

use chrono::{DateTime, Utc};

use crate::access::ClientName;
use crate::company::CompanyCode;
use crate::identifiers::CustomerId;

/// One of the identifiers a lookup can search by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Criterion {
    /// `customerId`.
    CustomerId,
    /// `identificationNo`.
    IdentificationNo,
    /// `mobileNumber`.
    MobileNumber,
    /// `referenceNo`.
    ReferenceNo,
}

impl Criterion {
    /// All criteria, in the contract's order.
    pub const ALL: [Self; 4] = [
        Self::CustomerId,
        Self::IdentificationNo,
        Self::MobileNumber,
        Self::ReferenceNo,
    ];

    /// The criterion's parameter name in the contract.
    pub fn name(self) -> &'static str {
        match self {
            Self::CustomerId => "customerId",
            Self::IdentificationNo => "identificationNo",
            Self::MobileNumber => "mobileNumber",
            Self::ReferenceNo => "referenceNo",
        }
    }
}

impl fmt::Display for Criterion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The keyed hash (HMAC-SHA256, lowercase hex) of a criterion's normalized value: equal
/// values give equal digests under one key, and the value cannot be read back.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct CriterionDigest {
    /// Which criterion.
    pub criterion: Criterion,
    /// Its value's keyed hash, 64 lowercase hex digits.
    pub digest: String,
}

/// One customer version shown to a caller, or written by it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Disclosure {
    /// The customer.
    pub customer_id: CustomerId,
    /// The version of the customer's profile that was shown (`customerVersionId`), or
    /// that the write made, left current or closed.
    pub customer_version_id: i32,
    /// What a write did to the customer; `None` for a lookup.
    pub write: Option<WriteKind>,
}

/// What a write did to a customer, as the audit trail records it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum WriteKind {
    /// The customer got its first version (or its first after a close).
    Created,
    /// The customer got a new version.
    Changed,
    /// The write matched the current version: nothing was written.
    Unchanged,
    /// The current version was closed.
    Closed,
}

impl WriteKind {
    /// Every kind.
    pub const ALL: [Self; 4] = [Self::Created, Self::Changed, Self::Unchanged, Self::Closed];

    /// Its name in the trail: `created`, `changed`, `unchanged` or `closed`.
    pub fn name(self) -> &'static str {
        match self {
            Self::Created => "created",
            Self::Changed => "changed",
            Self::Unchanged => "unchanged",
            Self::Closed => "closed",
        }
    }
}

/// The record of one answered lookup, hit or miss.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditRecord {
    /// When the lookup was answered.
    pub at: DateTime<Utc>,
    /// The request's id (`X-Request-Id`).
    pub request_id: String,
    /// Who searched.
    pub client: ClientName,
    /// With which credential: `key:<id>` or `token:<subject>`.
    pub credential: String,
    /// In which company.
    pub company: CompanyCode,
    /// By which criteria, in the contract's order, as keyed hashes.
    pub criteria: Vec<CriterionDigest>,
    /// What was shown, in the order of the answer; empty for a miss.
    pub disclosed: Vec<Disclosure>,
}

impl AuditRecord {
    /// The digest recorded for `criterion`, if the lookup used it.
    pub fn digest_of(&self, criterion: Criterion) -> Option<&str> {
        self.criteria
            .iter()
            .find(|digest| digest.criterion == criterion)
            .map(|digest| digest.digest.as_str())
    }
}

/// Which records an audit query asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AuditQuery {
    /// The lookups that showed this customer.
    Customer(CustomerId),
    /// The lookups made by this client.
    Client(ClientName),
    /// The lookups that searched for this value (by its digest).
    Searched(CriterionDigest),
}

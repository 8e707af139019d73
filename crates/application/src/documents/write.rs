//! The write API's use case: one customer written or closed (`PUT` / `DELETE
//! /v1/core/customers/{companyCode}/{customerId}`), or a day's changes at once (`POST
//! /v1/core/customers:import`), by a caller allowed to write for the company, each
//! write recorded in the audit trail as lookups are.

use std::collections::BTreeSet;
use std::sync::Arc;

use chrono::{FixedOffset, Utc};
use customer_domain::{
    AuditRecord, Caller, Clock, CompanyCode, Customer, CustomerChange, CustomerExport, CustomerId,
    CustomerWriter, Disclosure, PendingChange, ReferenceNumber, RepositoryError, SearchCriteria,
    VersionStamp, WriteKind, WriteOutcome, WriteRefusal,
};
use serde_json::Value;

use super::import::{CustomerImport, ImportLine, LineReport, LineResult, refusal_field};
use super::problems::{DocumentErrors, DocumentProblem};
use super::read::{Addressed, DocumentContext, read_change};
use crate::access::RandomnessError;
use crate::audit::{AuditError, AuditKey, AuditKeyError, AuditWriter};

/// Why a write was not done.
#[derive(Debug, thiserror::Error)]
pub enum WriteError {
    /// The document or the address breaks rules: all of them, by field.
    #[error("invalid customer document: {0:?}")]
    Invalid(DocumentErrors),
    /// The caller may not write for the company (whether or not it or the customer
    /// exists).
    #[error("the caller may not write for this company")]
    Forbidden {
        /// The companies the caller may write for, as `jfc, jtc`.
        allowed: String,
    },
    /// `If-Match` named another version than the current one.
    #[error("the customer's current version is not the one expected")]
    PreconditionFailed {
        /// The current version, when there is one.
        current: Option<i32>,
    },
    /// A close of a customer without a current version.
    #[error("no current customer to close")]
    NotFound,
    /// A port failed.
    #[error("customer store failed")]
    Store(#[from] RepositoryError),
    /// No audit key was kept yet, and none could be made.
    #[error("no audit key could be made")]
    NoAuditKey(#[from] RandomnessError),
    /// The write's audit record could not be written (the write itself was done).
    #[error("the write could not be audited")]
    NotAudited(#[source] AuditError),
}

impl From<AuditKeyError> for WriteError {
    fn from(error: AuditKeyError) -> Self {
        match error {
            AuditKeyError::Store(error) => Self::Store(error),
            AuditKeyError::Randomness(error) => Self::NoAuditKey(error),
        }
    }
}

/// What a write did, and the customer as it is after it.
#[derive(Debug, Clone)]
pub struct Written {
    /// What the write did.
    pub outcome: WriteOutcome,
    /// The customer's latest version after the write, with its contacts.
    pub customer: Option<Customer>,
    /// The references of that version.
    pub references: BTreeSet<ReferenceNumber>,
}

/// The write API over the [`CustomerWriter`] port.
#[derive(Clone)]
pub struct CustomerWrites {
    import: CustomerImport,
    writer: Arc<dyn CustomerWriter>,
    export: Arc<dyn CustomerExport>,
    clock: Arc<dyn Clock>,
    local_offset: FixedOffset,
    audit: Option<(AuditWriter, AuditKey)>,
}

impl std::fmt::Debug for CustomerWrites {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CustomerWrites").finish_non_exhaustive()
    }
}

impl CustomerWrites {
    /// Writes through `writer`, reading the result back through `export`.
    pub fn new(
        writer: Arc<dyn CustomerWriter>,
        export: Arc<dyn CustomerExport>,
        clock: Arc<dyn Clock>,
        local_offset: FixedOffset,
    ) -> Self {
        Self {
            import: CustomerImport::new(writer.clone(), clock.clone(), local_offset),
            writer,
            export,
            clock,
            local_offset,
            audit: None,
        }
    }

    /// The same, recording every write with `writer`, the customer id hashed with `key`.
    #[must_use]
    pub fn with_audit(mut self, writer: AuditWriter, key: AuditKey) -> Self {
        self.audit = Some((writer, key));
        self
    }

    /// Writes `body`, a customer document, as customer `customer_id` of `company`
    /// (the request's address), for `caller`; `if_match` is the `If-Match` header.
    ///
    /// # Errors
    /// [`WriteError::Forbidden`] before anything is read when the caller may not write
    /// for the company; [`WriteError::Invalid`] with every problem of the address, the
    /// body and `If-Match`; [`WriteError::PreconditionFailed`]; [`WriteError::Store`];
    /// [`WriteError::NotAudited`].
    pub async fn put_as(
        &self,
        caller: &Caller,
        request_id: &str,
        address: (&str, &str),
        body: &[u8],
        if_match: Option<&str>,
    ) -> Result<Written, WriteError> {
        let (company, customer_id, expected) = Self::admit(caller, address, if_match)?;
        let book = self.writer.code_book().await?;
        let now = self.clock.now();
        let context = DocumentContext {
            book: &book,
            now,
            local_offset: self.local_offset,
        };
        let value: Value = serde_json::from_slice(body).map_err(|_| {
            WriteError::Invalid(DocumentErrors::single("", DocumentProblem::NotJson))
        })?;
        let addressed = Addressed {
            company: company.clone(),
            customer_id,
        };
        let change =
            read_change(&value, &context, Some(&addressed)).map_err(WriteError::Invalid)?;
        self.write(caller, request_id, &company, change, expected)
            .await
    }

    /// Closes customer `customer_id` of `company` for `caller`.
    ///
    /// # Errors
    /// As [`Self::put_as`]; [`WriteError::NotFound`] when the customer has no current
    /// version.
    pub async fn delete_as(
        &self,
        caller: &Caller,
        request_id: &str,
        address: (&str, &str),
        if_match: Option<&str>,
    ) -> Result<Written, WriteError> {
        let (company, customer_id, expected) = Self::admit(caller, address, if_match)?;
        let book = self.writer.code_book().await?;
        let Some(company_id) = book.company(&company) else {
            return Err(WriteError::Invalid(DocumentErrors::single(
                "companyCode",
                DocumentProblem::UnknownCompany,
            )));
        };
        let change = CustomerChange::Close {
            company: company_id,
            customer_id,
            effective: None,
        };
        self.write(caller, request_id, &company, change, expected)
            .await
    }

    /// Applies `body`, JSON Lines of customer documents, for `caller`: a report per
    /// line. A line naming a company the caller may not write for is rejected, as a
    /// line with problems is; the others are written in one transaction.
    ///
    /// # Errors
    /// [`WriteError::Store`] (nothing is written then); [`WriteError::NotAudited`].
    pub async fn import_as(
        &self,
        caller: &Caller,
        request_id: &str,
        body: &str,
    ) -> Result<Vec<LineReport>, WriteError> {
        let book = self.import.code_book().await?;
        let lines: Vec<ImportLine> = body
            .lines()
            .enumerate()
            .map(|(index, text)| ImportLine {
                number: index as u64 + 1,
                text: text.to_owned(),
            })
            .collect();
        let permitted = |code: &CompanyCode| caller.may_write(code);
        let reports = self
            .import
            .apply_batch_filtered(&book, &lines, false, &permitted)
            .await?;
        for report in &reports {
            if let (LineResult::Applied(outcome), Some(customer), Some(company)) =
                (&report.result, report.customer_id, report.company.as_ref())
            {
                self.audit(caller, request_id, company, customer, *outcome)
                    .await?;
            }
        }
        Ok(reports)
    }

    /// Checks the caller and reads the address and `If-Match`.
    fn admit(
        caller: &Caller,
        (company, customer_id): (&str, &str),
        if_match: Option<&str>,
    ) -> Result<(CompanyCode, CustomerId, Option<i32>), WriteError> {
        let code = CompanyCode::parse(company);
        if let Ok(code) = &code
            && !caller.may_write(code)
        {
            return Err(WriteError::Forbidden {
                allowed: allowed_companies(caller),
            });
        }
        let mut errors = DocumentErrors::default();
        if code.is_err() {
            errors.add("companyCode", DocumentProblem::UnknownCompany);
        }
        let customer = CustomerId::parse(customer_id).map_err(|invalid| {
            for violation in invalid.violations() {
                errors.add("customerId", DocumentProblem::Invalid(*violation));
            }
        });
        let expected = match if_match.map(parse_etag) {
            None => Ok(None),
            Some(Some(version)) => Ok(Some(version)),
            Some(None) => {
                errors.add("If-Match", DocumentProblem::NotAnETag);
                Err(())
            }
        };
        match (code, customer, expected) {
            (Ok(code), Ok(customer), Ok(expected)) if errors.is_empty() => {
                Ok((code, customer, expected))
            }
            _ => Err(WriteError::Invalid(errors)),
        }
    }

    async fn write(
        &self,
        caller: &Caller,
        request_id: &str,
        company: &CompanyCode,
        change: CustomerChange,
        expected: Option<i32>,
    ) -> Result<Written, WriteError> {
        let (company_id, customer_id) = change.customer();
        let mut outcomes = self
            .writer
            .apply(
                vec![PendingChange { change, expected }],
                self.clock.now(),
                false,
            )
            .await?;
        let outcome = outcomes.pop().ok_or_else(|| {
            WriteError::Store(RepositoryError::new(
                customer_domain::FailureKind::Inconsistent,
                "the writer answered no outcome",
            ))
        })?;
        match outcome {
            WriteOutcome::Refused(WriteRefusal::VersionMismatch { current }) => {
                return Err(WriteError::PreconditionFailed { current });
            }
            WriteOutcome::Refused(WriteRefusal::NotFound) => return Err(WriteError::NotFound),
            WriteOutcome::Refused(refusal) => {
                return Err(WriteError::Invalid(DocumentErrors::single(
                    refusal_field(&refusal),
                    DocumentProblem::Refused(refusal),
                )));
            }
            _ => {}
        }
        self.audit(caller, request_id, company, customer_id, outcome)
            .await?;
        let after = customer_id
            .get()
            .checked_sub(1)
            .and_then(|id| CustomerId::new(id).ok());
        let page = self.export.timelines(company_id, after, 1, None).await?;
        let latest = page
            .timelines
            .into_iter()
            .find(|timeline| timeline.customer_id == customer_id)
            .and_then(|timeline| timeline.versions.into_iter().last());
        let (customer, references) = match latest {
            Some((customer, references)) => (Some(customer), references),
            None => (None, BTreeSet::new()),
        };
        Ok(Written {
            outcome,
            customer,
            references,
        })
    }

    /// Records `outcome` of `caller`'s write of `customer` of `company`.
    async fn audit(
        &self,
        caller: &Caller,
        request_id: &str,
        company: &CompanyCode,
        customer: CustomerId,
        outcome: WriteOutcome,
    ) -> Result<(), WriteError> {
        let Some((writer, key)) = &self.audit else {
            return Ok(());
        };
        let (
            kind,
            VersionStamp {
                customer_version_id,
                ..
            },
        ) = match outcome {
            WriteOutcome::Created(stamp) => (WriteKind::Created, stamp),
            WriteOutcome::Changed(stamp) => (WriteKind::Changed, stamp),
            WriteOutcome::Unchanged(stamp) => (WriteKind::Unchanged, stamp),
            WriteOutcome::Closed { version, .. } => (WriteKind::Closed, version),
            WriteOutcome::Refused(_) => return Ok(()),
        };
        let hasher = key.hasher().await?;
        let Ok(criteria) = SearchCriteria::new(Some(customer), None, None, None) else {
            unreachable!("a customer id is an identifier")
        };
        writer
            .record(AuditRecord {
                at: Utc::now(),
                request_id: request_id.to_owned(),
                client: caller.profile.name.clone(),
                credential: caller.credential.to_string(),
                company: company.clone(),
                criteria: hasher.digests(&criteria),
                disclosed: vec![Disclosure {
                    customer_id: customer,
                    customer_version_id,
                    write: Some(kind),
                }],
            })
            .await
            .map_err(WriteError::NotAudited)
    }
}

/// The version an `If-Match` value names: `"3"` (or weak, `W/"3"`), as the `ETag` of a
/// write or lookup gave it.
/// A version number in quotes, as the API's `ETag`s are (`"3"`; weak, `W/"3"`, too): no
/// sign, no leading zero, at most 9 digits, as the OpenAPI document's pattern says.
fn parse_etag(value: &str) -> Option<i32> {
    let value = value.trim();
    let value = value.strip_prefix("W/").unwrap_or(value);
    let digits = value.strip_prefix('"')?.strip_suffix('"')?;
    let well_formed = (1..=9).contains(&digits.len())
        && !digits.starts_with('0')
        && digits.bytes().all(|b| b.is_ascii_digit());
    well_formed.then(|| digits.parse().ok()).flatten()
}

/// The companies a caller may write for, as a refusal names them (none when it may not
/// write at all).
fn allowed_companies(caller: &Caller) -> String {
    if caller.may(customer_domain::Permission::Write) {
        crate::search::allowed_companies(&caller.profile.companies)
    } else {
        String::new()
    }
}

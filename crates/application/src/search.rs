//! The customer lookup: validated input in, the ports asked, customers out.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use customer_domain::{
    AuditRecord, Caller, CompanyCode, CompanyDirectory, CompanyId, CompanyScope, Customer,
    CustomerHistory, CustomerRepository, Disclosure, Language, Permission, RepositoryError,
    SearchCriteria,
};

use crate::access::RandomnessError;
use crate::audit::{AuditError, AuditKey, AuditKeyError, AuditWriter};
use crate::params::{Param, RawSearchParams};
use crate::validation::{Problem, Rejected, ValidationErrors, validate, validate_versions};

/// The answer to a valid lookup.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SearchOutcome {
    /// The language the answer must be given in.
    pub language: Language,
    /// The matching customers, ordered by customer id (a customer's versions: newest
    /// first).
    pub customers: Vec<Customer>,
}

/// Why a lookup has no answer.
#[derive(Debug, thiserror::Error)]
pub enum SearchError {
    /// The request breaks rules of the contract: all of them are listed.
    #[error("invalid search request: {0:?}")]
    Invalid(ValidationErrors),
    /// A port failed; its [`RepositoryError::kind`] says whether the same request may
    /// succeed later.
    #[error("customer store failed")]
    Store(#[from] RepositoryError),
    /// The caller may not search the company asked for (whether or not it exists).
    #[error("the caller may not search this company")]
    Forbidden {
        /// The companies the caller may search, as `jfc, jtc`: its own scope, which it
        /// may be told, and nothing about the company it asked for.
        allowed: String,
    },
    /// The caller may not read customers at all, in whichever company: its permissions
    /// lack [`Permission::Read`] (a client that only writes). Refused as
    /// [`Self::Forbidden`] is, with a detail of its own.
    #[error("the caller may not read customers")]
    ReadNotPermitted,
    /// No audit key was kept yet, and none could be made.
    #[error("no audit key could be made")]
    NoAuditKey(#[from] RandomnessError),
    /// The lookup's audit record could not be written, so its answer may not be given.
    #[error("the lookup could not be audited")]
    NotAudited(#[source] AuditError),
}

/// The customer lookup, over the ports that find customers (current and past) and
/// companies: the lookup of the current versions or of those valid at a moment, and the
/// list of one customer's versions.
///
/// Internal callers that hold validated values call [`CustomerSearch::find`]; the HTTP
/// edge, which holds the raw query string, calls [`CustomerSearch::search`].
#[derive(Clone)]
pub struct CustomerSearch {
    customers: Arc<dyn CustomerRepository>,
    history: Arc<dyn CustomerHistory>,
    companies: Arc<dyn CompanyDirectory>,
    audit: Option<Audit>,
}

/// Where the lookups made through [`CustomerSearch::search_as`] are recorded.
#[derive(Debug, Clone)]
struct Audit {
    writer: AuditWriter,
    key: AuditKey,
}

impl From<AuditKeyError> for SearchError {
    fn from(error: AuditKeyError) -> Self {
        match error {
            AuditKeyError::Store(error) => Self::Store(error),
            AuditKeyError::Randomness(error) => Self::NoAuditKey(error),
        }
    }
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
        history: Arc<dyn CustomerHistory>,
        companies: Arc<dyn CompanyDirectory>,
    ) -> Self {
        Self {
            customers,
            history,
            companies,
            audit: None,
        }
    }

    /// The same lookup, recording every answer of [`Self::search_as`] with `writer`,
    /// the searched values hashed with `key` (a stored key is read at the first lookup).
    #[must_use]
    pub fn with_audit(mut self, writer: AuditWriter, key: AuditKey) -> Self {
        self.audit = Some(Audit { writer, key });
        self
    }

    /// The current customers of `company` that match all of `criteria`, to be shown in
    /// `language`.
    ///
    /// # Errors
    /// [`SearchError::Invalid`] with [`Problem::UnknownCompany`] on [`Param::CompanyCode`]
    /// when no company has that code; [`SearchError::Store`] when a port fails.
    pub async fn find(
        &self,
        company: &CompanyCode,
        criteria: &SearchCriteria,
        language: Language,
    ) -> Result<SearchOutcome, SearchError> {
        self.find_as_of(company, criteria, None, language).await
    }

    /// The customers of `company` that match all of `criteria`, as their versions valid
    /// at `as_of` were (the current versions when `None`), to be shown in `language`.
    ///
    /// # Errors
    /// As [`Self::find`].
    pub async fn find_as_of(
        &self,
        company: &CompanyCode,
        criteria: &SearchCriteria,
        as_of: Option<DateTime<Utc>>,
        language: Language,
    ) -> Result<SearchOutcome, SearchError> {
        let company = self.resolve(company).await?;
        let customers = match as_of {
            None => self.customers.find_current(company, criteria).await?,
            Some(at) => self.history.find_as_of(company, criteria, at).await?,
        };
        Ok(SearchOutcome {
            language,
            customers,
        })
    }

    async fn resolve(&self, company: &CompanyCode) -> Result<CompanyId, SearchError> {
        self.companies.resolve(company).await?.ok_or_else(|| {
            SearchError::Invalid(ValidationErrors::single(
                Param::CompanyCode,
                Problem::UnknownCompany,
            ))
        })
    }

    /// Validates the parameters of a lookup as they arrived, then [`Self::find`]s, as
    /// an anonymous caller allowed every company (see [`Self::search_as`]).
    ///
    /// # Errors
    /// As [`Self::search_as`].
    pub async fn search(&self, params: &RawSearchParams) -> Result<SearchOutcome, SearchError> {
        self.search_as(&Caller::anonymous(), "-", params).await
    }

    /// The lookup of an authenticated `caller`: validates the parameters as they
    /// arrived, checks that the caller may read and may search the company,
    /// [`Self::find_as_of`]s (as of `asOf` when given; `asOf` later than now is a problem
    /// of the request), and, when an audit writer is set, records the answer under
    /// `request_id` before returning it.
    ///
    /// Invalid parameters are all reported, whatever the caller may search or read; the
    /// company's existence is told only to a caller allowed to search it (to read, in
    /// that company), so that company codes cannot be probed.
    ///
    /// # Errors
    /// [`SearchError::Invalid`] with every problem of the request (an unknown company
    /// among them when the caller may search it; the customer repository is not asked
    /// then); [`SearchError::ReadNotPermitted`] for a valid request of a caller that may
    /// not read; [`SearchError::Forbidden`] for a valid request in a company the caller
    /// may not search; [`SearchError::Store`] when a port fails; [`SearchError::NoAuditKey`]
    /// when the audit key is to be made and cannot be; [`SearchError::NotAudited`] when
    /// the answer could not be recorded (in sync audit mode; nothing of the customers may
    /// then be shown).
    pub async fn search_as(
        &self,
        caller: &Caller,
        request_id: &str,
        params: &RawSearchParams,
    ) -> Result<SearchOutcome, SearchError> {
        let request = match validate(params, Utc::now()) {
            Ok(request) => request,
            Err(rejected) => return Err(self.rejected(caller, rejected).await),
        };
        authorize(caller, &request.company)?;
        let outcome = self
            .find_as_of(
                &request.company,
                &request.criteria,
                request.as_of,
                request.language,
            )
            .await?;
        self.audit(
            caller,
            request_id,
            &request.company,
            &request.criteria,
            &outcome,
        )
        .await?;
        Ok(outcome)
    }

    /// Every version of one customer, newest first, for an authenticated `caller`: the
    /// parameters (`companyCode`, `customerId`, `lang`) are validated as they arrived,
    /// under the same rules and access checks as [`Self::search_as`], and the answer is
    /// audited as a lookup by customer id that disclosed each version.
    ///
    /// # Errors
    /// As [`Self::search_as`]; a customer the company does not have is no error, but an
    /// empty list.
    pub async fn versions_as(
        &self,
        caller: &Caller,
        request_id: &str,
        params: &RawSearchParams,
    ) -> Result<SearchOutcome, SearchError> {
        let request = match validate_versions(params) {
            Ok(request) => request,
            Err(rejected) => return Err(self.rejected(caller, rejected).await),
        };
        authorize(caller, &request.company)?;
        let company = self.resolve(&request.company).await?;
        let customers = self.history.versions(company, request.customer).await?;
        let outcome = SearchOutcome {
            language: request.language,
            customers,
        };
        let Ok(criteria) = SearchCriteria::new(Some(request.customer), None, None, None) else {
            unreachable!("a customer id is an identifier")
        };
        self.audit(caller, request_id, &request.company, &criteria, &outcome)
            .await?;
        Ok(outcome)
    }

    /// The error of a rejected request: every problem, an unknown company among them
    /// when the caller may search it (so that company codes cannot be probed).
    async fn rejected(&self, caller: &Caller, rejected: Rejected) -> SearchError {
        let Rejected {
            mut errors,
            company,
        } = rejected;
        // Named among the other problems; should the directory be down, those are answer
        // enough.
        if let Some(code) = company.filter(|code| caller.may_search(code))
            && let Ok(None) = self.companies.resolve(&code).await
        {
            errors.add(Param::CompanyCode, Problem::UnknownCompany);
        }
        SearchError::Invalid(errors)
    }

    /// Records the answer `outcome` to `caller`'s lookup of `criteria` in `company`, when
    /// an audit writer is set; the answer may be given only once this succeeds.
    async fn audit(
        &self,
        caller: &Caller,
        request_id: &str,
        company: &CompanyCode,
        criteria: &SearchCriteria,
        outcome: &SearchOutcome,
    ) -> Result<(), SearchError> {
        let Some(audit) = &self.audit else {
            return Ok(());
        };
        let hasher = audit.key.hasher().await?;
        let record = AuditRecord {
            at: Utc::now(),
            request_id: request_id.to_owned(),
            client: caller.profile.name.clone(),
            credential: caller.credential.to_string(),
            company: company.clone(),
            criteria: hasher.digests(criteria),
            disclosed: outcome
                .customers
                .iter()
                .map(|customer| Disclosure {
                    customer_id: customer.customer_id,
                    customer_version_id: customer.customer_version_id,
                    write: None,
                })
                .collect(),
        };
        audit
            .writer
            .record(record)
            .await
            .map_err(SearchError::NotAudited)
    }
}

/// Whether `caller` may search `company`: it must be allowed to read at all (else
/// [`SearchError::ReadNotPermitted`]), and to search that company (else
/// [`SearchError::Forbidden`], naming its own companies).
fn authorize(caller: &Caller, company: &CompanyCode) -> Result<(), SearchError> {
    if !caller.may(Permission::Read) {
        return Err(SearchError::ReadNotPermitted);
    }
    if !caller.may_search(company) {
        return Err(SearchError::Forbidden {
            allowed: allowed_companies(&caller.profile.companies),
        });
    }
    Ok(())
}

/// The companies of `scope` as a refusal names them: `jfc, jtc` (empty for a scope of
/// every company, which refuses nothing).
pub(crate) fn allowed_companies(scope: &CompanyScope) -> String {
    match scope {
        CompanyScope::All => String::new(),
        CompanyScope::Only(codes) => codes
            .iter()
            .map(CompanyCode::as_str)
            .collect::<Vec<_>>()
            .join(", "),
    }
}

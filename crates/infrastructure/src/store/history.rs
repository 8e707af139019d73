//! Customers as they were: the versions valid at a moment, and every version of one
//! customer, each with the contacts it held.
//!
//! None of these statements is one of the current lookup's: that one stays exactly as it
//! is (its statements and their prepared plans are benchmarked). A version's contacts and
//! references are the current rows with `since_version <= v` and the history rows with
//! `since_version <= v < until_version` (migration `2026-12-06-000005_customer_history`).
//!
//! A lookup as of a moment is driven by one identifier, as the current lookup is, through
//! an index on every version (`customer_versions_customer_version_key`,
//! `customer_versions_identification_idx`, `customer_versions_mobile_idx`, or the
//! reference indexes of both reference tables); the few versions it finds are then held
//! to the other identifiers here, where the reference ranges are at hand.

use std::collections::HashMap;
use std::ops::Range;

use async_trait::async_trait;
use chrono::{DateTime, NaiveDateTime, Utc};
use customer_domain::{
    CompanyId, Customer, CustomerHistory, CustomerId, RepositoryError, SearchCriteria,
};
use diesel::dsl;
use diesel::prelude::*;
use diesel_async::RunQueryDsl;

use super::SqlCustomerStore;
use crate::database::{Database, with_connection};
use crate::error::InfraError;
use crate::records::{
    ContactCodes, ContactHistoryRecord, ContactRecord, VersionCodes, VersionRecord,
};
use crate::reference_data::{MissingReference, ReferenceData};
use crate::schema::{
    customer_contacts, customer_contacts_history, customer_references, customer_references_history,
    customer_versions,
};
use crate::selection::{Columns, columns};

/// The versions of one company's customers valid at `at`: begun at or before it, and
/// not ended at or before it.
#[dsl::auto_type]
fn valid_at(company: i32, at: NaiveDateTime) -> _ {
    customer_versions::table
        .filter(customer_versions::company_id.eq(company))
        .filter(customer_versions::start_date.le(at))
        .filter(
            customer_versions::end_date
                .gt(at)
                .or(customer_versions::end_date.is_null()),
        )
}

/// `find_as_of` driven by the customer id.
#[dsl::auto_type]
fn as_of_by_customer_id(company: i32, at: NaiveDateTime, id: i64) -> _ {
    let valid: valid_at = valid_at(company, at);
    let columns: Columns<VersionRecord> = columns();
    valid
        .filter(customer_versions::customer_id.eq(id))
        .order(customer_versions::customer_id)
        .select(columns)
}

/// `find_as_of` driven by the identification number.
#[dsl::auto_type]
#[expect(
    clippy::elidable_lifetime_names,
    reason = "`auto_type` names the lifetimes of the type alias it writes"
)]
fn as_of_by_identification_no<'a>(company: i32, at: NaiveDateTime, number: &'a str) -> _ {
    let valid: valid_at = valid_at(company, at);
    let columns: Columns<VersionRecord> = columns();
    valid
        .filter(customer_versions::identification_no.eq(number))
        .order(customer_versions::customer_id)
        .select(columns)
}

/// `find_as_of` driven by the mobile number.
#[dsl::auto_type]
#[expect(
    clippy::elidable_lifetime_names,
    reason = "`auto_type` names the lifetimes of the type alias it writes"
)]
fn as_of_by_mobile_number<'a>(company: i32, at: NaiveDateTime, mobile: &'a str) -> _ {
    let valid: valid_at = valid_at(company, at);
    let columns: Columns<VersionRecord> = columns();
    valid
        .filter(customer_versions::mobile_number.eq(mobile))
        .order(customer_versions::customer_id)
        .select(columns)
}

/// `find_as_of` driven by the reference number: the customers that held it at some
/// version, which [`current_references`] and [`removed_references`] found.
#[dsl::auto_type]
fn as_of_by_customers(company: i32, at: NaiveDateTime, ids: Vec<i64>) -> _ {
    let valid: valid_at = valid_at(company, at);
    let columns: Columns<VersionRecord> = columns();
    valid
        .filter(customer_versions::customer_id.eq_any(ids))
        .order(customer_versions::customer_id)
        .select(columns)
}

/// The customers that hold the reference now, and since which of their versions.
#[dsl::auto_type]
#[expect(
    clippy::elidable_lifetime_names,
    reason = "`auto_type` names the lifetimes of the type alias it writes"
)]
fn current_references<'a>(company: i32, reference: &'a str) -> _ {
    customer_references::table
        .filter(customer_references::company_id.eq(company))
        .filter(customer_references::reference_no.eq(reference))
        .select((
            customer_references::customer_id,
            customer_references::since_version,
        ))
}

/// The customers that held the reference once, and from which version to which.
#[dsl::auto_type]
#[expect(
    clippy::elidable_lifetime_names,
    reason = "`auto_type` names the lifetimes of the type alias it writes"
)]
fn removed_references<'a>(company: i32, reference: &'a str) -> _ {
    customer_references_history::table
        .filter(customer_references_history::company_id.eq(company))
        .filter(customer_references_history::reference_no.eq(reference))
        .select((
            customer_references_history::customer_id,
            customer_references_history::since_version,
            customer_references_history::until_version,
        ))
}

/// The contacts the customers `ids` hold now, with the version each was added in.
#[dsl::auto_type]
pub(super) fn contacts_since(company: i32, ids: Vec<i64>) -> _ {
    let columns: Columns<ContactRecord> = columns();
    customer_contacts::table
        .filter(customer_contacts::company_id.eq(company))
        .filter(customer_contacts::customer_id.eq_any(ids))
        .order((
            customer_contacts::customer_id,
            customer_contacts::contact_id,
        ))
        .select((columns, customer_contacts::since_version))
}

/// The contacts the customers `ids` held once.
#[dsl::auto_type]
pub(super) fn removed_contacts(company: i32, ids: Vec<i64>) -> _ {
    let columns: Columns<ContactHistoryRecord> = columns();
    customer_contacts_history::table
        .filter(customer_contacts_history::company_id.eq(company))
        .filter(customer_contacts_history::customer_id.eq_any(ids))
        .order((
            customer_contacts_history::customer_id,
            customer_contacts_history::contact_id,
        ))
        .select(columns)
}

/// Every version of one customer, newest first.
#[dsl::auto_type]
fn all_versions(company: i32, id: i64) -> _ {
    let columns: Columns<VersionRecord> = columns();
    customer_versions::table
        .filter(customer_versions::company_id.eq(company))
        .filter(customer_versions::customer_id.eq(id))
        .order(customer_versions::customer_version_id.desc())
        .select(columns)
}

/// The `find_as_of` statement of a lookup, driven by its most selective identifier, as
/// the current lookup's is.
enum FindAsOf<'a> {
    CustomerId(as_of_by_customer_id),
    IdentificationNo(as_of_by_identification_no<'a>),
    MobileNumber(as_of_by_mobile_number<'a>),
    Customers(as_of_by_customers),
}

impl<'a> FindAsOf<'a> {
    /// `holders` are the customers that held the lookup's reference number, when it
    /// has one: they drive the statement when no customer id or identification number
    /// does, being fewer than those of a mobile number.
    fn new(
        company: i32,
        at: NaiveDateTime,
        criteria: &'a SearchCriteria,
        holders: Option<Vec<i64>>,
    ) -> Self {
        if let Some(id) = criteria.customer_id() {
            Self::CustomerId(as_of_by_customer_id(company, at, id.get()))
        } else if let Some(number) = criteria.identification_no() {
            Self::IdentificationNo(as_of_by_identification_no(company, at, number.as_str()))
        } else if let Some(holders) = holders {
            Self::Customers(as_of_by_customers(company, at, holders))
        } else if let Some(mobile) = criteria.mobile_number() {
            Self::MobileNumber(as_of_by_mobile_number(company, at, mobile.as_str()))
        } else {
            unreachable!("SearchCriteria holds at least one identifier")
        }
    }
}

macro_rules! load_as_of {
    ($find:expr, $conn:ident) => {{
        let versions: Vec<VersionRecord> = match $find {
            FindAsOf::CustomerId(query) => query.load($conn).await?,
            FindAsOf::IdentificationNo(query) => query.load($conn).await?,
            FindAsOf::MobileNumber(query) => query.load($conn).await?,
            FindAsOf::Customers(query) => query.load($conn).await?,
        };
        versions
    }};
}

/// The versions of each customer that held a reference number.
#[derive(Debug, Default)]
struct Holders(HashMap<i64, Vec<Range<i32>>>);

impl Holders {
    fn add(&mut self, customer: i64, versions: Range<i32>) {
        self.0.entry(customer).or_default().push(versions);
    }

    fn customers(&self) -> Vec<i64> {
        let mut ids: Vec<i64> = self.0.keys().copied().collect();
        ids.sort_unstable();
        ids
    }

    fn held_by(&self, version: &VersionRecord) -> bool {
        self.0.get(&version.customer_id).is_some_and(|ranges| {
            ranges
                .iter()
                .any(|range| range.contains(&version.customer_version_id))
        })
    }
}

/// Versions found, each with the contacts it held, in the order they are returned.
pub(super) struct Past(Vec<(VersionRecord, Vec<ContactRecord>)>);

impl Past {
    /// Gives each version of `versions` the contacts of its customer it held: `current`
    /// (with the version each was added in) and `removed`, both ordered by customer,
    /// then contact.
    pub(super) fn assemble(
        versions: Vec<VersionRecord>,
        current: Vec<(ContactRecord, i32)>,
        removed: Vec<ContactHistoryRecord>,
    ) -> Self {
        let mut held: HashMap<i64, Vec<(ContactRecord, Range<i32>)>> = HashMap::new();
        for (contact, since) in current {
            held.entry(contact.customer_id)
                .or_default()
                .push((contact, since..i32::MAX));
        }
        for removed in removed {
            let (contact, versions) = removed.split();
            held.entry(contact.customer_id)
                .or_default()
                .push((contact, versions));
        }
        for contacts in held.values_mut() {
            contacts.sort_by_key(|(contact, versions)| (contact.contact_id, versions.start));
        }
        let past = versions
            .into_iter()
            .map(|version| {
                let contacts = held
                    .get(&version.customer_id)
                    .map(|contacts| {
                        contacts
                            .iter()
                            .filter(|(_, versions)| versions.contains(&version.customer_version_id))
                            .map(|(contact, _)| contact.clone())
                            .collect()
                    })
                    .unwrap_or_default();
                (version, contacts)
            })
            .collect();
        Self(past)
    }

    /// The coded values of every row, or the first value `refs` does not hold.
    fn resolve(
        &self,
        refs: &ReferenceData,
    ) -> Result<Vec<(VersionCodes, Vec<ContactCodes>)>, MissingReference> {
        self.0
            .iter()
            .map(|(version, contacts)| {
                Ok((
                    version.resolve(refs)?,
                    contacts
                        .iter()
                        .map(|contact| contact.resolve(refs))
                        .collect::<Result<_, _>>()?,
                ))
            })
            .collect()
    }

    fn into_customers(
        self,
        codes: Vec<(VersionCodes, Vec<ContactCodes>)>,
    ) -> Result<Vec<Customer>, InfraError> {
        self.0
            .into_iter()
            .zip(codes)
            .map(|((version, contacts), (codes, contact_codes))| {
                let contacts = contacts
                    .into_iter()
                    .zip(contact_codes)
                    .map(|(contact, codes)| contact.into_contact(codes))
                    .collect::<Result<_, _>>()?;
                version.into_customer(codes, contacts)
            })
            .collect()
    }
}

impl SqlCustomerStore {
    /// `at` as the stored local time without offset.
    pub(super) fn local_time(&self, at: DateTime<Utc>) -> NaiveDateTime {
        at.with_timezone(&self.local_time_offset).naive_local()
    }

    /// The contacts every version of `versions` held.
    async fn with_contacts(
        db: &Database,
        company: i32,
        versions: Vec<VersionRecord>,
    ) -> Result<Past, InfraError> {
        if versions.is_empty() {
            return Ok(Past(Vec::new()));
        }
        let mut ids: Vec<i64> = versions.iter().map(|v| v.customer_id).collect();
        ids.sort_unstable();
        ids.dedup();
        with_connection!(db, |conn| {
            let current: Vec<(ContactRecord, i32)> =
                contacts_since(company, ids.clone()).load(conn).await?;
            let removed: Vec<ContactHistoryRecord> =
                removed_contacts(company, ids).load(conn).await?;
            Ok(Past::assemble(versions, current, removed))
        })
    }

    /// The customers of `past`, their coded values resolved; reference data newer than
    /// the cache is loaded once, as for the current lookup.
    pub(super) async fn customers(&self, past: Past) -> Result<Vec<Customer>, InfraError> {
        let refs = self.references.get(&self.db).await?;
        let codes = match past.resolve(&refs) {
            Ok(codes) => codes,
            Err(missing) => {
                tracing::info!(?missing, "reference data changed, reloading");
                let refs = self.references.newer_than(&self.db, &refs).await?;
                past.resolve(&refs).map_err(|missing| {
                    InfraError::Inconsistent(format!(
                        "{:?} {} is referenced but does not exist",
                        missing.category, missing.id
                    ))
                })?
            }
        };
        past.into_customers(codes)
    }

    // The past is asked for seldom and read on the primary, where it is written: a
    // replica's lag would show a past that changes under the caller.
    async fn load_as_of(
        &self,
        company: i32,
        criteria: &SearchCriteria,
        at: NaiveDateTime,
    ) -> Result<Past, InfraError> {
        let versions = with_connection!(&self.db, |conn| {
            let holders = match criteria.reference_no() {
                None => None,
                Some(reference) => {
                    let mut holders = Holders::default();
                    let current: Vec<(i64, i32)> = current_references(company, reference.as_str())
                        .load(conn)
                        .await?;
                    for (customer, since) in current {
                        holders.add(customer, since..i32::MAX);
                    }
                    let removed: Vec<(i64, i32, i32)> =
                        removed_references(company, reference.as_str())
                            .load(conn)
                            .await?;
                    for (customer, since, until) in removed {
                        holders.add(customer, since..until);
                    }
                    Some(holders)
                }
            };
            // No customer ever held the reference: nothing to find.
            let found = if holders.as_ref().is_some_and(|h| h.0.is_empty()) {
                Vec::new()
            } else {
                let find = FindAsOf::new(
                    company,
                    at,
                    criteria,
                    holders.as_ref().map(Holders::customers),
                );
                load_as_of!(find, conn)
            };
            Ok::<_, InfraError>(
                found
                    .into_iter()
                    .filter(|version| matches(version, criteria, holders.as_ref()))
                    .collect::<Vec<_>>(),
            )
        })?;
        Self::with_contacts(&self.db, company, versions).await
    }
}

impl SqlCustomerStore {
    async fn load_versions(&self, company: i32, customer: i64) -> Result<Past, InfraError> {
        let versions: Vec<VersionRecord> = with_connection!(&self.db, |conn| {
            all_versions(company, customer).load(conn).await?
        });
        Self::with_contacts(&self.db, company, versions).await
    }
}

/// Whether the version matches every identifier of `criteria` as it was then.
fn matches(version: &VersionRecord, criteria: &SearchCriteria, holders: Option<&Holders>) -> bool {
    criteria
        .customer_id()
        .is_none_or(|id| id.get() == version.customer_id)
        && criteria
            .identification_no()
            .is_none_or(|n| version.identification_no.as_deref() == Some(n.as_str()))
        && criteria
            .mobile_number()
            .is_none_or(|m| version.mobile_number.as_deref() == Some(m.as_str()))
        && holders.is_none_or(|holders| holders.held_by(version))
}

#[async_trait]
impl CustomerHistory for SqlCustomerStore {
    async fn find_as_of(
        &self,
        company: CompanyId,
        criteria: &SearchCriteria,
        at: DateTime<Utc>,
    ) -> Result<Vec<Customer>, RepositoryError> {
        let past = self
            .load_as_of(company.get(), criteria, self.local_time(at))
            .await?;
        Ok(self.customers(past).await?)
    }

    async fn versions(
        &self,
        company: CompanyId,
        customer: CustomerId,
    ) -> Result<Vec<Customer>, RepositoryError> {
        let past = self.load_versions(company.get(), customer.get()).await?;
        Ok(self.customers(past).await?)
    }
}

/// The statements of a lookup as of a moment and of a customer's versions, rendered as
/// diesel sends them, for tests that inspect their query plans.
mod inspection {
    use chrono::{DateTime, Utc};
    use customer_domain::{CompanyId, CustomerId, SearchCriteria};

    use super::{
        FindAsOf, SqlCustomerStore, all_versions, contacts_since, current_references,
        removed_contacts, removed_references,
    };
    use crate::database::Backend;
    use crate::store::inspection::render;

    impl FindAsOf<'_> {
        fn render(&self, backend: Backend) -> (String, String) {
            match self {
                Self::CustomerId(query) => render(query, backend),
                Self::IdentificationNo(query) => render(query, backend),
                Self::MobileNumber(query) => render(query, backend),
                Self::Customers(query) => render(query, backend),
            }
        }
    }

    impl SqlCustomerStore {
        /// The statements a lookup of `criteria` in `company` as of `at` sends to
        /// `backend`, as `(name, sql, binds)` like [`Self::lookup_statements`]: the
        /// reference statements (when `criteria` has a reference number; `holders` are
        /// the customers they found), `find_as_of`, and the contacts statements for the
        /// customers `found`; then `find_versions` and its contacts statements for the
        /// versions of `customer`. `at` is converted with the store's default offset.
        pub fn history_statements(
            backend: Backend,
            company: CompanyId,
            criteria: &SearchCriteria,
            at: DateTime<Utc>,
            holders: &[i64],
            found: &[i64],
            customer: CustomerId,
        ) -> Vec<(&'static str, String, String)> {
            let company = company.get();
            let at = at
                .with_timezone(&super::super::DEFAULT_LOCAL_TIME_OFFSET)
                .naive_local();
            let mut statements = Vec::new();
            let holders = criteria.reference_no().map(|reference| {
                let (sql, binds) =
                    render(&current_references(company, reference.as_str()), backend);
                statements.push(("find_current_references", sql, binds));
                let (sql, binds) =
                    render(&removed_references(company, reference.as_str()), backend);
                statements.push(("find_removed_references", sql, binds));
                holders.to_vec()
            });
            let (sql, binds) = FindAsOf::new(company, at, criteria, holders).render(backend);
            statements.push(("find_as_of", sql, binds));
            let (sql, binds) = render(&contacts_since(company, found.to_vec()), backend);
            statements.push(("find_contacts_since", sql, binds));
            let (sql, binds) = render(&removed_contacts(company, found.to_vec()), backend);
            statements.push(("find_removed_contacts", sql, binds));
            let (sql, binds) = render(&all_versions(company, customer.get()), backend);
            statements.push(("find_versions", sql, binds));
            statements
        }
    }
}

//! The adapter of both lookup ports: customers and companies, from either backend.

use std::sync::Arc;
use std::time::{Duration, Instant};

use async_trait::async_trait;
use customer_domain::{
    CompanyCode, CompanyDirectory, CompanyId, Customer, CustomerRepository, RepositoryError,
    SearchCriteria,
};
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Nullable, Text};
use diesel_async::RunQueryDsl;

use crate::database::{Database, with_connection};
use crate::error::InfraError;
use crate::records::{ContactRecord, MappingError, VersionRecord};
use crate::reference_data::{MISS_RELOAD_INTERVAL, ReferenceCache, ReferenceData};
use crate::schema::{customer_contacts, customer_references, customer_versions};
use crate::selection::{backend_of, columns};

/// Told the duration of each statement the store runs, by statement name.
pub type QueryObserver = Arc<dyn Fn(&'static str, Duration) + Send + Sync>;

/// Customers and companies stored in a [`Database`], with reference data cached in memory.
pub struct SqlCustomerStore {
    db: Database,
    references: ReferenceCache,
    observer: Option<QueryObserver>,
}

impl std::fmt::Debug for SqlCustomerStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SqlCustomerStore")
            .field("db", &self.db)
            .finish_non_exhaustive()
    }
}

/// The identifier whose index drives a lookup; the others are checked on the rows it
/// finds. Each shape is one statically typed statement, so that every statement keeps
/// one prepared plan that uses its index.
enum Driver<'a> {
    CustomerId(i64),
    IdentificationNo(&'a str),
    ReferenceNo(&'a str),
    MobileNumber(&'a str),
}

/// The bind values of a lookup.
struct Binds<'a> {
    company: i32,
    customer_id: Option<i64>,
    identification_no: Option<&'a str>,
    mobile_number: Option<&'a str>,
    reference_no: Option<&'a str>,
}

impl<'a> Binds<'a> {
    fn new(company: CompanyId, criteria: &'a SearchCriteria) -> Self {
        Self {
            company: company.get(),
            customer_id: criteria.customer_id().map(customer_domain::CustomerId::get),
            identification_no: criteria
                .identification_no()
                .map(customer_domain::IdentificationNumber::as_str),
            mobile_number: criteria
                .mobile_number()
                .map(customer_domain::MobileNumber::as_str),
            reference_no: criteria
                .reference_no()
                .map(customer_domain::ReferenceNumber::as_str),
        }
    }

    /// The most selective identifier given: a customer id names one customer; an
    /// identification or reference number a few; a mobile number may be shared by a family.
    fn driver(&self) -> Driver<'a> {
        if let Some(id) = self.customer_id {
            Driver::CustomerId(id)
        } else if let Some(number) = self.identification_no {
            Driver::IdentificationNo(number)
        } else if let Some(reference) = self.reference_no {
            Driver::ReferenceNo(reference)
        } else if let Some(mobile) = self.mobile_number {
            Driver::MobileNumber(mobile)
        } else {
            unreachable!("SearchCriteria holds at least one identifier")
        }
    }
}

/// The customers of one company with a reference number.
macro_rules! customers_with_reference {
    ($company:expr, $reference:expr) => {
        customer_references::table
            .filter(customer_references::company_id.eq($company))
            .filter(customer_references::reference_no.nullable().eq($reference))
            .select(customer_references::customer_id)
    };
}

/// The current versions of one company's customers that match every given identifier
/// (an identifier not given matches all).
macro_rules! current_versions {
    ($b:expr) => {
        customer_versions::table
            .filter(customer_versions::company_id.eq($b.company))
            .filter(customer_versions::end_date.is_null())
            .filter(
                customer_versions::customer_id
                    .nullable()
                    .eq($b.customer_id)
                    .or($b.customer_id.into_sql::<Nullable<BigInt>>().is_null()),
            )
            .filter(
                customer_versions::identification_no
                    .eq($b.identification_no)
                    .or($b.identification_no.into_sql::<Nullable<Text>>().is_null()),
            )
            .filter(
                customer_versions::mobile_number
                    .eq($b.mobile_number)
                    .or($b.mobile_number.into_sql::<Nullable<Text>>().is_null()),
            )
            .filter(
                customer_versions::customer_id
                    .eq_any(customers_with_reference!($b.company, $b.reference_no))
                    .or($b.reference_no.into_sql::<Nullable<Text>>().is_null()),
            )
    };
}

/// Runs `$then` with `$query` bound to the `find_customers` statement of the shape that
/// `$b`'s driving identifier selects: the current versions it narrows, by customer id.
/// `$backend` is a `PhantomData` of the backend the statement is for.
macro_rules! with_versions_query {
    ($b:expr, $backend:expr, |$query:ident| $then:expr) => {{
        macro_rules! narrowed_by {
            ($driver:expr) => {
                current_versions!($b)
                    .filter($driver)
                    .order(customer_versions::customer_id)
                    .select(columns::<VersionRecord, _>($backend))
            };
        }
        match $b.driver() {
            Driver::CustomerId(id) => {
                let $query = narrowed_by!(customer_versions::customer_id.eq(id));
                $then
            }
            Driver::IdentificationNo(number) => {
                let $query = narrowed_by!(customer_versions::identification_no.eq(number));
                $then
            }
            Driver::ReferenceNo(reference) => {
                let $query = narrowed_by!(
                    customer_versions::customer_id
                        .eq_any(customers_with_reference!($b.company, reference))
                );
                $then
            }
            Driver::MobileNumber(mobile) => {
                let $query = narrowed_by!(customer_versions::mobile_number.eq(mobile));
                $then
            }
        }
    }};
}

/// The `find_contacts` statement for `$backend`: every contact of the customers `$ids`,
/// in order.
macro_rules! contacts_query {
    ($ids:expr, $backend:expr) => {
        customer_contacts::table
            .filter(customer_contacts::customer_id.eq_any($ids))
            .order((
                customer_contacts::customer_id,
                customer_contacts::contact_id,
            ))
            .select(columns::<ContactRecord, _>($backend))
    };
}

impl SqlCustomerStore {
    /// An adapter over `db` that reloads reference data older than `reference_ttl`.
    pub fn new(db: Database, reference_ttl: Duration) -> Self {
        Self {
            db,
            references: ReferenceCache::new(reference_ttl),
            observer: None,
        }
    }

    /// Reports the duration of every lookup statement to `observer` (for metrics).
    #[must_use]
    pub fn with_query_observer(mut self, observer: QueryObserver) -> Self {
        self.observer = Some(observer);
        self
    }

    fn observe(&self, statement: &'static str, started: Instant) {
        if let Some(observer) = &self.observer {
            observer(statement, started.elapsed());
        }
    }

    /// The database behind the adapter.
    pub fn database(&self) -> &Database {
        &self.db
    }

    /// Reads the current versions that match and the contacts of their customers: two
    /// statements, whatever the number of customers.
    async fn load(
        &self,
        binds: &Binds<'_>,
    ) -> Result<(Vec<VersionRecord>, Vec<ContactRecord>), InfraError> {
        with_connection!(&self.db, |conn| {
            let started = Instant::now();
            let versions: Vec<VersionRecord> =
                with_versions_query!(binds, backend_of(conn), |query| query.load(conn).await?);
            self.observe("find_customers", started);
            if versions.is_empty() {
                return Ok((versions, Vec::new()));
            }
            let started = Instant::now();
            let ids: Vec<i64> = versions.iter().map(|v| v.customer_id).collect();
            let contacts: Vec<ContactRecord> =
                contacts_query!(ids, backend_of(conn)).load(conn).await?;
            self.observe("find_contacts", started);
            Ok((versions, contacts))
        })
    }
}

/// Builds the customers from their rows; contacts come ordered by customer, then contact.
fn assemble(
    refs: &ReferenceData,
    versions: Vec<VersionRecord>,
    contacts: Vec<ContactRecord>,
) -> Result<Vec<Customer>, MappingError> {
    let mut contacts = contacts.into_iter().peekable();
    let mut customers = Vec::with_capacity(versions.len());
    for version in versions {
        let mut own = Vec::new();
        // Contacts of customers without a current version cannot be here: the query
        // asked only for the customers found, in the same order.
        while let Some(contact) = contacts.next_if(|c| c.customer_id == version.customer_id) {
            own.push(contact.into_contact(refs)?);
        }
        customers.push(version.into_customer(refs, own)?);
    }
    Ok(customers)
}

#[async_trait]
impl CustomerRepository for SqlCustomerStore {
    async fn find_current(
        &self,
        company: CompanyId,
        criteria: &SearchCriteria,
    ) -> Result<Vec<Customer>, RepositoryError> {
        let binds = Binds::new(company, criteria);
        let refs = self.references.get(&self.db).await?;
        let (versions, contacts) = self.load(&binds).await?;
        match assemble(&refs, versions, contacts) {
            Ok(customers) => Ok(customers),
            Err(MappingError::Invalid(error)) => Err(error.into()),
            Err(MappingError::Missing(missing)) => {
                // A reference row newer than the cache: reload it and read again.
                tracing::info!(?missing, "reference data changed, reloading");
                let refs = self.references.newer_than(&self.db, &refs).await?;
                let (versions, contacts) = self.load(&binds).await?;
                assemble(&refs, versions, contacts).map_err(|error| match error {
                    MappingError::Invalid(error) => error.into(),
                    MappingError::Missing(missing) => InfraError::Inconsistent(format!(
                        "{:?} {} is referenced but does not exist",
                        missing.category, missing.id
                    ))
                    .into(),
                })
            }
        }
    }
}

#[async_trait]
impl CompanyDirectory for SqlCustomerStore {
    async fn resolve(&self, code: &CompanyCode) -> Result<Option<CompanyId>, RepositoryError> {
        let refs = self.references.get(&self.db).await?;
        if let Some(id) = refs.company(code.as_str()) {
            return Ok(Some(id));
        }
        // Perhaps a company added since the last load.
        let refs = self
            .references
            .younger_than(&self.db, MISS_RELOAD_INTERVAL)
            .await?;
        Ok(refs.company(code.as_str()))
    }
}

/// The statements of a lookup rendered as diesel sends them, for tests that inspect their
/// query plans.
#[cfg(feature = "test-support")]
mod inspection {
    use customer_domain::{CompanyId, SearchCriteria};
    use diesel::prelude::*;
    use diesel::sql_types::{BigInt, Nullable, Text};

    use std::marker::PhantomData;

    use super::{Binds, Driver, SqlCustomerStore};
    use crate::selection::columns;
    use diesel::pg::Pg;
    use diesel::sqlite::Sqlite;

    use crate::database::Backend;
    use crate::records::{ContactRecord, VersionRecord};
    use crate::schema::{customer_contacts, customer_references, customer_versions};

    /// `(sql, binds)` of `query` for the backend `DB`.
    fn render<DB, Q>(query: &Q) -> (String, String)
    where
        DB: diesel::backend::Backend,
        for<'a> diesel::query_builder::DebugQuery<'a, Q, DB>: std::fmt::Display,
    {
        split(&diesel::debug_query::<DB, _>(query).to_string())
    }

    /// `debug_query` writes `SQL -- binds: [...]`.
    fn split(rendered: &str) -> (String, String) {
        let (sql, binds) = rendered
            .rsplit_once(" -- binds: ")
            .unwrap_or((rendered, "[]"));
        (sql.to_owned(), binds.to_owned())
    }

    impl SqlCustomerStore {
        /// The two statements a lookup of `criteria` in `company` sends to `backend`, as
        /// `(name, sql, binds)`: `find_customers`, built exactly as the lookup builds it
        /// (same macros, same driving identifier, same filters and order), and
        /// `find_contacts` for the customers `found`. `sql` is the text sent, with the
        /// backend's placeholders (`$1`... or `?`); `binds` lists the bind values in
        /// placeholder order as diesel's `debug_query` shows them (Rust debug notation:
        /// `1`, `Some(54218)`, `None`, `Some("2103232123")`, `[54218]`).
        ///
        /// For tests only (feature `test-support`): query plan checks need the statements
        /// of the adapter itself, not copies written by hand.
        pub fn lookup_statements(
            backend: Backend,
            company: CompanyId,
            criteria: &SearchCriteria,
            found: &[i64],
        ) -> Vec<(&'static str, String, String)> {
            let binds = Binds::new(company, criteria);
            let ((sql, bound), (contacts_sql, contacts_bound)) = match backend {
                Backend::Postgres => (
                    with_versions_query!(binds, PhantomData::<Pg>, |query| render::<Pg, _>(&query)),
                    render::<Pg, _>(&contacts_query!(found.to_vec(), PhantomData::<Pg>)),
                ),
                Backend::Sqlite => (
                    with_versions_query!(
                        binds,
                        PhantomData::<Sqlite>,
                        |query| render::<Sqlite, _>(&query)
                    ),
                    render::<Sqlite, _>(&contacts_query!(found.to_vec(), PhantomData::<Sqlite>)),
                ),
            };
            vec![
                ("find_customers", sql, bound),
                ("find_contacts", contacts_sql, contacts_bound),
            ]
        }
    }
}

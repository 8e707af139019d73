//! The adapter of both lookup ports: customers and companies, from either backend; and of
//! the customers' past ([`history`]).

mod export;
mod history;
mod writer;

pub use writer::InitialLoad;

use std::sync::Arc;
use std::time::{Duration, Instant};

use async_trait::async_trait;
use chrono::FixedOffset;
use customer_domain::{
    CompanyCode, CompanyDirectory, CompanyId, Customer, CustomerRepository, RepositoryError,
    SearchCriteria,
};
use diesel::dsl;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Nullable, Text};
use diesel_async::RunQueryDsl;

use crate::database::{Database, with_connection};
use crate::error::InfraError;
use crate::records::{ContactCodes, ContactRecord, VersionCodes, VersionRecord};
use crate::reference_data::{
    MISS_RELOAD_INTERVAL, MissingReference, ReferenceCache, ReferenceData,
};
use crate::replicas::{ReplicaFallback, ReplicaSet};
use crate::schema::{customer_contacts, customer_references, customer_versions};
use crate::selection::{Columns, columns};
use crate::sqlite_reader::{SqliteReader, with_reader};

/// Told the duration of each statement the store runs, by statement name.
pub type QueryObserver = Arc<dyn Fn(&'static str, Duration) + Send + Sync>;

/// Customers and companies stored in a [`Database`], with reference data cached in memory.
pub struct SqlCustomerStore {
    db: Database,
    /// Where lookups are read, when there are replicas; `db` stays the primary.
    replicas: Option<Arc<ReplicaSet>>,
    /// SQLite: where lookups are read (on the calling thread); `db` serves the rest.
    reader: Option<SqliteReader>,
    references: ReferenceCache,
    observer: Option<QueryObserver>,
    /// The offset of the stored local times (`database.local_time_offset`).
    local_time_offset: FixedOffset,
}

/// The offset of the stored local times unless configured: Saudi Arabia's, which has no
/// daylight saving time.
pub const DEFAULT_LOCAL_TIME_OFFSET: FixedOffset = match FixedOffset::east_opt(3 * 3600) {
    Some(offset) => offset,
    None => unreachable!(),
};

impl std::fmt::Debug for SqlCustomerStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SqlCustomerStore")
            .field("db", &self.db)
            .finish_non_exhaustive()
    }
}

/// The bind values of a lookup.
#[derive(Debug, Clone, Copy)]
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
}

/// The customers of one company with a reference number.
#[dsl::auto_type]
#[expect(
    clippy::elidable_lifetime_names,
    reason = "`auto_type` names the lifetimes of the type alias it writes"
)]
fn customers_with_reference<'a>(company: i32, reference: Option<&'a str>) -> _ {
    customer_references::table
        .filter(customer_references::company_id.eq(company))
        .filter(customer_references::reference_no.nullable().eq(reference))
        .select(customer_references::customer_id)
}

/// Every version with the contacts of its customer in `company`: one row per contact,
/// and one with no contact for a customer that has none. The contacts are bound to the
/// company by value, like every table a lookup reads (a customer id is unique only
/// inside its company; distributed by company, both tables sit on its shard).
#[dsl::auto_type]
fn versions_with_contacts(company: i32) -> _ {
    let same_company: dsl::Eq<customer_contacts::company_id, i32> =
        customer_contacts::company_id.eq(company);
    let same_customer: dsl::Eq<customer_contacts::customer_id, customer_versions::customer_id> =
        customer_contacts::customer_id.eq(customer_versions::customer_id);
    customer_versions::table.left_join(customer_contacts::table.on(same_company.and(same_customer)))
}

/// The current versions of one company's customers, each with the contacts of its
/// customer, read as [`VersionRecord`]s and [`ContactRecord`]s: a `find_customers`
/// statement but for the filters that choose the customers, which the functions below
/// add. Not ordered: [`Rows::from_joined`] sorts the few rows a lookup finds, which
/// spares PostgreSQL a sort node, with its 58 columns, in every lookup.
#[dsl::auto_type]
fn current_versions(company: i32) -> _ {
    let version: Columns<VersionRecord> = columns();
    let contact: Columns<ContactRecord> = columns();
    let contact: dsl::Nullable<Columns<ContactRecord>> = contact.nullable();
    let joined: versions_with_contacts = versions_with_contacts(company);
    joined
        .filter(customer_versions::company_id.eq(company))
        .filter(customer_versions::end_date.is_null())
        .select((version, contact))
}

/// The [`current_versions`] that match every identifier of `binds` (an identifier not
/// given matches all): the statements of lookups by more than one identifier. A lookup
/// by one identifier, most of them, sends its driving filter alone: fewer conditions for
/// PostgreSQL to set up and check, and no subquery of references.
#[dsl::auto_type]
fn matching_versions<'a>(binds: Binds<'a>) -> _ {
    let company: i32 = binds.company;
    let customer_id: Option<i64> = binds.customer_id;
    let identification_no: Option<&'a str> = binds.identification_no;
    let mobile_number: Option<&'a str> = binds.mobile_number;
    let reference_no: Option<&'a str> = binds.reference_no;
    let with_reference: customers_with_reference<'a> =
        customers_with_reference(company, reference_no);
    let current: current_versions = current_versions(company);
    current
        .filter(
            customer_versions::customer_id
                .nullable()
                .eq(customer_id)
                .or(customer_id.into_sql::<Nullable<BigInt>>().is_null()),
        )
        .filter(
            customer_versions::identification_no
                .eq(identification_no)
                .or(identification_no.into_sql::<Nullable<Text>>().is_null()),
        )
        .filter(
            customer_versions::mobile_number
                .eq(mobile_number)
                .or(mobile_number.into_sql::<Nullable<Text>>().is_null()),
        )
        .filter(
            customer_versions::customer_id
                .eq_any(with_reference)
                .or(reference_no.into_sql::<Nullable<Text>>().is_null()),
        )
}

/// `find_customers` by the customer id alone.
#[dsl::auto_type]
fn by_customer_id(company: i32, id: i64) -> _ {
    let current: current_versions = current_versions(company);
    current.filter(customer_versions::customer_id.eq(id))
}

/// `find_customers` by the identification number alone.
#[dsl::auto_type]
#[expect(
    clippy::elidable_lifetime_names,
    reason = "`auto_type` names the lifetimes of the type alias it writes"
)]
fn by_identification_no<'a>(company: i32, number: &'a str) -> _ {
    let current: current_versions = current_versions(company);
    current.filter(customer_versions::identification_no.eq(number))
}

/// `find_customers` by the reference number alone.
#[dsl::auto_type]
fn by_reference_no<'a>(company: i32, reference: &'a str) -> _ {
    let current: current_versions = current_versions(company);
    let with_reference: customers_with_reference<'a> =
        customers_with_reference(company, Some(reference));
    current.filter(customer_versions::customer_id.eq_any(with_reference))
}

/// `find_customers` by the mobile number alone (the last driving identifier: any other
/// one given drives instead).
#[dsl::auto_type]
#[expect(
    clippy::elidable_lifetime_names,
    reason = "`auto_type` names the lifetimes of the type alias it writes"
)]
fn by_mobile_number<'a>(company: i32, mobile: &'a str) -> _ {
    let current: current_versions = current_versions(company);
    current.filter(customer_versions::mobile_number.eq(mobile))
}

/// `find_customers` driven by the customer id, with other identifiers.
#[dsl::auto_type]
fn by_customer_id_and_more<'a>(binds: Binds<'a>, id: i64) -> _ {
    let matching: matching_versions<'a> = matching_versions(binds);
    matching.filter(customer_versions::customer_id.eq(id))
}

/// `find_customers` driven by the identification number, with other identifiers.
#[dsl::auto_type]
fn by_identification_no_and_more<'a>(binds: Binds<'a>, number: &'a str) -> _ {
    let matching: matching_versions<'a> = matching_versions(binds);
    matching.filter(customer_versions::identification_no.eq(number))
}

/// `find_customers` driven by the reference number, with the mobile number.
#[dsl::auto_type]
fn by_reference_no_and_more<'a>(binds: Binds<'a>, reference: &'a str) -> _ {
    let matching: matching_versions<'a> = matching_versions(binds);
    let with_reference: customers_with_reference<'a> =
        customers_with_reference(binds.company, Some(reference));
    matching.filter(customer_versions::customer_id.eq_any(with_reference))
}

/// The `find_customers` statement of a lookup: the current versions that match, narrowed
/// by the lookup's driving identifier, whose index finds the rows; any other identifier
/// is checked on the rows it finds. Each shape is a statement of its own type, so that
/// each keeps one prepared plan (found by type) that uses its index.
enum FindCustomers<'a> {
    CustomerId(by_customer_id),
    IdentificationNo(by_identification_no<'a>),
    ReferenceNo(by_reference_no<'a>),
    MobileNumber(by_mobile_number<'a>),
    CustomerIdAndMore(by_customer_id_and_more<'a>),
    IdentificationNoAndMore(by_identification_no_and_more<'a>),
    ReferenceNoAndMore(by_reference_no_and_more<'a>),
}

impl<'a> FindCustomers<'a> {
    /// Driven by the most selective identifier given: a customer id names one customer;
    /// an identification or reference number a few; a mobile number may be shared by a
    /// family.
    fn new(binds: Binds<'a>) -> Self {
        let company = binds.company;
        match (
            binds.customer_id,
            binds.identification_no,
            binds.reference_no,
            binds.mobile_number,
        ) {
            (Some(id), None, None, None) => Self::CustomerId(by_customer_id(company, id)),
            (Some(id), ..) => Self::CustomerIdAndMore(by_customer_id_and_more(binds, id)),
            (None, Some(number), None, None) => {
                Self::IdentificationNo(by_identification_no(company, number))
            }
            (None, Some(number), ..) => {
                Self::IdentificationNoAndMore(by_identification_no_and_more(binds, number))
            }
            (None, None, Some(reference), None) => {
                Self::ReferenceNo(by_reference_no(company, reference))
            }
            (None, None, Some(reference), Some(_)) => {
                Self::ReferenceNoAndMore(by_reference_no_and_more(binds, reference))
            }
            (None, None, None, Some(mobile)) => {
                Self::MobileNumber(by_mobile_number(company, mobile))
            }
            (None, None, None, None) => {
                unreachable!("SearchCriteria holds at least one identifier")
            }
        }
    }
}

/// Loads the rows a [`FindCustomers`] statement finds on `$conn`; a macro, since each
/// backend's connection is a type of its own.
macro_rules! load_versions {
    ($find:expr, $conn:ident) => {{
        let versions: Vec<(VersionRecord, Option<ContactRecord>)> = match $find {
            FindCustomers::CustomerId(query) => query.load($conn).await?,
            FindCustomers::IdentificationNo(query) => query.load($conn).await?,
            FindCustomers::ReferenceNo(query) => query.load($conn).await?,
            FindCustomers::MobileNumber(query) => query.load($conn).await?,
            FindCustomers::CustomerIdAndMore(query) => query.load($conn).await?,
            FindCustomers::IdentificationNoAndMore(query) => query.load($conn).await?,
            FindCustomers::ReferenceNoAndMore(query) => query.load($conn).await?,
        };
        versions
    }};
}

/// Binds that no stored row matches, one per `find_customers` statement: company 0 does
/// not exist, nor does customer 0 or an empty identifier.
const PROBES: [Binds<'static>; 7] = [
    Binds::probe(Some(0), None, None, None),
    Binds::probe(None, Some(""), None, None),
    Binds::probe(None, None, None, Some("")),
    Binds::probe(None, None, Some(""), None),
    Binds::probe(Some(0), Some(""), Some(""), Some("")),
    Binds::probe(None, Some(""), Some(""), None),
    Binds::probe(None, None, Some(""), Some("")),
];

impl Binds<'static> {
    const fn probe(
        customer_id: Option<i64>,
        identification_no: Option<&'static str>,
        mobile_number: Option<&'static str>,
        reference_no: Option<&'static str>,
    ) -> Self {
        Self {
            company: 0,
            customer_id,
            identification_no,
            mobile_number,
            reference_no,
        }
    }
}

impl SqlCustomerStore {
    /// An adapter over `db` that reloads reference data older than `reference_ttl`.
    pub fn new(db: Database, reference_ttl: Duration) -> Self {
        Self {
            db,
            replicas: None,
            reader: None,
            references: ReferenceCache::new(reference_ttl),
            observer: None,
            local_time_offset: DEFAULT_LOCAL_TIME_OFFSET,
        }
    }

    /// Reads the stored date-times, which carry no offset, as local times at `offset`
    /// from UTC: a moment asked for (a lookup as of then) is converted with it.
    #[must_use]
    pub fn with_local_time_offset(mut self, offset: FixedOffset) -> Self {
        self.local_time_offset = offset;
        self
    }

    /// Reads customers from `replicas` (those in rotation), falling back as they say.
    /// Reference data is still read from the primary: it is loaded seldom (once per TTL,
    /// and on a miss), and a miss means a value newer than the cache, which a lagging
    /// replica may not have yet.
    #[must_use]
    pub fn with_replicas(mut self, replicas: Arc<ReplicaSet>) -> Self {
        self.replicas = Some(replicas);
        self
    }

    /// Reads lookups through `reader` (SQLite), whose connections run the lookup's
    /// statement on the calling thread instead of a blocking pool's.
    #[must_use]
    pub fn with_sqlite_reader(mut self, reader: Option<SqliteReader>) -> Self {
        self.reader = reader;
        self
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

    /// Runs every statement a lookup may send (each shape of `find_customers`) with
    /// values no row has, on one pooled connection: the statements
    /// themselves check the tables, columns and privileges a lookup needs, and stay the
    /// prepared ones, at the cost of index probes that find nothing. For readiness
    /// probes; the reference data cached in memory is not read again. On SQLite, through
    /// the lookups' reader as well, whose connections are the ones lookups use.
    ///
    /// # Errors
    /// [`InfraError`] of the first statement that fails.
    pub async fn probe(&self) -> Result<(), InfraError> {
        if let Some(reader) = &self.reader {
            with_reader!(reader, |conn| {
                for binds in PROBES {
                    let _found = load_versions!(FindCustomers::new(binds), conn);
                }
            });
        }
        with_connection!(&self.db, |conn| {
            for binds in PROBES {
                let _found = load_versions!(FindCustomers::new(binds), conn);
            }
            Ok(())
        })
    }

    /// Reads the current versions that match and the contacts of their customers: one
    /// statement, whatever the number of customers.
    async fn load(&self, db: &Database, binds: Binds<'_>) -> Result<Rows, InfraError> {
        let joined = with_connection!(db, |conn| {
            let started = Instant::now();
            let joined = load_versions!(FindCustomers::new(binds), conn);
            self.observe("find_customers", started);
            Ok::<_, InfraError>(joined)
        })?;
        Ok(Rows::from_joined(joined))
    }

    /// [`Self::load`] through the SQLite `reader`.
    async fn read(&self, reader: &SqliteReader, binds: Binds<'_>) -> Result<Rows, InfraError> {
        let joined = with_reader!(reader, |conn| {
            let started = Instant::now();
            let joined = load_versions!(FindCustomers::new(binds), conn);
            self.observe("find_customers", started);
            joined
        });
        Ok(Rows::from_joined(joined))
    }

    /// The rows of a lookup, from a replica in rotation when there are replicas. A
    /// replica found gone (connection refused or lost) leaves rotation at once and the
    /// lookup is tried once more on the next target, so that a stopped replica costs
    /// at most the lookups under way on it.
    async fn rows(&self, binds: Binds<'_>) -> Result<Rows, InfraError> {
        let Some(replicas) = &self.replicas else {
            return self.read_primary(binds).await;
        };
        let Some(replica) = replicas.choose(None) else {
            return self.fallback(replicas, binds).await;
        };
        let error = match self.load(replica.database(), binds).await {
            Ok(rows) => {
                replica.served();
                return Ok(rows);
            }
            Err(error) if error.is_unreachable() => {
                replica.take_out(&error);
                error
            }
            Err(error) if error.is_recovery_conflict() => error,
            Err(error) => return Err(error),
        };
        tracing::debug!(%error, replica = replica.name(), "lookup failed on a replica; trying the next target");
        match replicas.choose(Some(replica)) {
            Some(next) => {
                let rows = self.load(next.database(), binds).await?;
                next.served();
                Ok(rows)
            }
            None => self.fallback(replicas, binds).await,
        }
    }

    /// The rows of a lookup when no replica is in rotation.
    async fn fallback(&self, replicas: &ReplicaSet, binds: Binds<'_>) -> Result<Rows, InfraError> {
        match replicas.settings().fallback {
            ReplicaFallback::Primary => {
                let rows = self.read_primary(binds).await?;
                replicas.primary_served();
                Ok(rows)
            }
            ReplicaFallback::Unavailable => Err(InfraError::NoHealthyReplica),
        }
    }

    async fn read_primary(&self, binds: Binds<'_>) -> Result<Rows, InfraError> {
        // An embedded SQLite connection cannot be lost: nothing to try again.
        if let Some(reader) = &self.reader {
            return self.read(reader, binds).await;
        }
        match self.load(&self.db, binds).await {
            // A lookup only reads: one more try on a fresh connection (the lost one was
            // closed, and the idle ones that may be lost as well), within the same
            // deadline, spares the caller a 503 after a restart.
            Err(error) if error.is_connection_lost() => {
                tracing::debug!(%error, "connection lost during a lookup; trying again");
                self.db.close_idle();
                self.load(&self.db, binds).await
            }
            loaded => loaded,
        }
    }
}

/// The rows a lookup read: the current versions found, and their customers' contacts
/// ordered by customer, then contact.
struct Rows {
    versions: Vec<VersionRecord>,
    contacts: Vec<ContactRecord>,
}

/// The coded values of each row of [`Rows`], in the same order.
struct Codes {
    versions: Vec<VersionCodes>,
    contacts: Vec<ContactCodes>,
}

impl Rows {
    /// The rows of `find_customers`: a version and one of its contacts per row, each
    /// version repeated for each of its contacts, in no order (the statement has none).
    fn from_joined(mut joined: Vec<(VersionRecord, Option<ContactRecord>)>) -> Self {
        joined.sort_unstable_by_key(|(version, contact)| {
            (version.customer_id, contact.as_ref().map(|c| c.contact_id))
        });
        let mut versions: Vec<VersionRecord> = Vec::new();
        let mut contacts = Vec::new();
        for (version, contact) in joined {
            if versions
                .last()
                .is_none_or(|last| last.customer_id != version.customer_id)
            {
                versions.push(version);
            }
            contacts.extend(contact);
        }
        Self { versions, contacts }
    }

    /// The coded values of every row, or the first value `refs` does not hold.
    fn resolve(&self, refs: &ReferenceData) -> Result<Codes, MissingReference> {
        Ok(Codes {
            versions: self
                .versions
                .iter()
                .map(|version| version.resolve(refs))
                .collect::<Result<_, _>>()?,
            contacts: self
                .contacts
                .iter()
                .map(|contact| contact.resolve(refs))
                .collect::<Result<_, _>>()?,
        })
    }

    /// The customers, each with its own contacts and the coded values `codes` resolved.
    fn into_customers(self, codes: Codes) -> Result<Vec<Customer>, InfraError> {
        let mut contacts = self.contacts.into_iter().zip(codes.contacts).peekable();
        let mut customers = Vec::with_capacity(self.versions.len());
        for (version, codes) in self.versions.into_iter().zip(codes.versions) {
            let mut own = Vec::new();
            // Contacts of customers without a current version cannot be here: the query
            // asked only for the customers found, in the same order.
            while let Some((contact, codes)) =
                contacts.next_if(|(contact, _)| contact.customer_id == version.customer_id)
            {
                own.push(contact.into_contact(codes)?);
            }
            customers.push(version.into_customer(codes, own)?);
        }
        Ok(customers)
    }
}

#[async_trait]
impl CustomerRepository for SqlCustomerStore {
    async fn find_current(
        &self,
        company: CompanyId,
        criteria: &SearchCriteria,
    ) -> Result<Vec<Customer>, RepositoryError> {
        let refs = self.references.get(&self.db).await?;
        let binds = Binds::new(company, criteria);
        let rows = self.rows(binds).await?;
        let codes = match rows.resolve(&refs) {
            Ok(codes) => codes,
            Err(missing) => {
                // A row names a reference value newer than the cache: reload the reference
                // data, not the rows.
                tracing::info!(?missing, "reference data changed, reloading");
                let refs = self.references.newer_than(&self.db, &refs).await?;
                rows.resolve(&refs).map_err(|missing| {
                    InfraError::Inconsistent(format!(
                        "{:?} {} is referenced but does not exist",
                        missing.category, missing.id
                    ))
                })?
            }
        };
        Ok(rows.into_customers(codes)?)
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

#[cfg(test)]
mod tests;

/// The statements of a lookup rendered as diesel sends them, for tests that inspect their
/// query plans.
mod inspection {
    use customer_domain::{CompanyId, SearchCriteria};
    use diesel::pg::Pg;
    use diesel::query_builder::QueryFragment;
    use diesel::sqlite::Sqlite;

    use super::{Binds, FindCustomers, SqlCustomerStore};
    use crate::database::Backend;

    /// `(sql, binds)` of `query` as sent to `backend`.
    pub(super) fn render<Q>(query: &Q, backend: Backend) -> (String, String)
    where
        Q: QueryFragment<Pg> + QueryFragment<Sqlite>,
    {
        let rendered = match backend {
            Backend::Postgres => diesel::debug_query::<Pg, _>(query).to_string(),
            Backend::Sqlite => diesel::debug_query::<Sqlite, _>(query).to_string(),
        };
        // `debug_query` writes `SQL -- binds: [...]`.
        let (sql, binds) = rendered
            .rsplit_once(" -- binds: ")
            .unwrap_or((&rendered, "[]"));
        (sql.to_owned(), binds.to_owned())
    }

    impl FindCustomers<'_> {
        fn render(&self, backend: Backend) -> (String, String) {
            match self {
                Self::CustomerId(query) => render(query, backend),
                Self::IdentificationNo(query) => render(query, backend),
                Self::ReferenceNo(query) => render(query, backend),
                Self::MobileNumber(query) => render(query, backend),
                Self::CustomerIdAndMore(query) => render(query, backend),
                Self::IdentificationNoAndMore(query) => render(query, backend),
                Self::ReferenceNoAndMore(query) => render(query, backend),
            }
        }
    }

    impl SqlCustomerStore {
        /// The statements a lookup of `criteria` in `company` sends to `backend`, as
        /// `(name, sql, binds)`: `find_customers` alone (it reads the contacts too), built
        /// by the very functions the lookup uses (same driving identifier, same join,
        /// filters and order). `sql` is the text sent, with the backend's placeholders
        /// (`$1`... or `?`); `binds` lists the bind values in placeholder order as
        /// diesel's `debug_query` shows them (Rust debug notation: `1`, `Some(54218)`,
        /// `None`, `Some("2103232123")`).
        ///
        /// For tests and diagnosis: query plan checks need the statements of the adapter
        /// itself, not copies written by hand.
        pub fn lookup_statements(
            backend: Backend,
            company: CompanyId,
            criteria: &SearchCriteria,
        ) -> Vec<(&'static str, String, String)> {
            let (sql, binds) = FindCustomers::new(Binds::new(company, criteria)).render(backend);
            vec![("find_customers", sql, binds)]
        }
    }
}

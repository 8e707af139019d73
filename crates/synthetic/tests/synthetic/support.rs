//! Helpers of the tests: raw SQL on the pool of either backend, and lookups through the
//! adapter over a test database.

use std::time::Duration;

use customer_domain::{
    CompanyId, Customer, CustomerId, CustomerRepository, IdentificationNumber, MobileNumber,
    ReferenceNumber, SearchCriteria,
};
use customer_infrastructure::test_support::TestDatabase;
use customer_infrastructure::{Database, InfraError, SqlCustomerStore, with_connection};
use diesel::SqliteConnection;
use diesel::query_builder::SqlQuery;
use diesel_async::methods::LoadQuery;
use diesel_async::sync_connection_wrapper::SyncConnectionWrapper;
use diesel_async::{AsyncPgConnection, RunQueryDsl, SimpleAsyncConnection};

/// The rows `sql` selects, on either backend; the query must succeed.
pub async fn select<T>(db: &Database, sql: &str) -> Vec<T>
where
    T: Send + 'static,
    SqlQuery: LoadQuery<'static, AsyncPgConnection, T>
        + LoadQuery<'static, SyncConnectionWrapper<SqliteConnection>, T>,
{
    let rows: Result<Vec<T>, InfraError> =
        async { with_connection!(db, |conn| Ok(diesel::sql_query(sql).load(conn).await?)) }.await;
    rows.unwrap_or_else(|error| panic!("{error}: {sql}"))
}

/// Runs SQL that must succeed (portable SQL: PostgreSQL 15 and SQLite).
pub async fn execute(db: &Database, sql: &str) {
    let done: Result<(), InfraError> =
        async { with_connection!(db, |conn| Ok(conn.batch_execute(sql).await?)) }.await;
    if let Err(error) = done {
        panic!("SQL failed: {error}\n{sql}");
    }
}

/// The adapter under test over `db`, with a reference data time to live long enough that
/// only a miss can reload it during a test.
pub fn store(db: &TestDatabase) -> SqlCustomerStore {
    SqlCustomerStore::new(db.connect(), Duration::from_secs(60))
}

/// Search criteria from plain values; each given value must be valid.
pub fn criteria(
    customer_id: Option<i64>,
    identification_no: Option<&str>,
    mobile_number: Option<&str>,
    reference_no: Option<&str>,
) -> SearchCriteria {
    SearchCriteria::new(
        customer_id.map(|id| CustomerId::new(id).expect("a valid customer id")),
        identification_no
            .map(|n| IdentificationNumber::parse(n).expect("a valid identification number")),
        mobile_number.map(|n| MobileNumber::parse(n).expect("a valid mobile number")),
        reference_no.map(|n| ReferenceNumber::parse(n).expect("a valid reference number")),
    )
    .expect("at least one identifier")
}

pub fn by_id(id: i64) -> SearchCriteria {
    criteria(Some(id), None, None, None)
}

pub fn by_identification(number: &str) -> SearchCriteria {
    criteria(None, Some(number), None, None)
}

pub fn by_mobile(number: &str) -> SearchCriteria {
    criteria(None, None, Some(number), None)
}

pub fn by_reference(reference: &str) -> SearchCriteria {
    criteria(None, None, None, Some(reference))
}

/// The customers found; the lookup must succeed.
pub async fn find(
    store: &SqlCustomerStore,
    company: CompanyId,
    criteria: &SearchCriteria,
) -> Vec<Customer> {
    match store.find_current(company, criteria).await {
        Ok(found) => found,
        Err(error) => panic!("lookup in company {company} by {criteria:?} failed: {error:?}"),
    }
}

/// The ids of the customers found, in the order returned.
pub async fn find_ids(
    store: &SqlCustomerStore,
    company: CompanyId,
    criteria: &SearchCriteria,
) -> Vec<i64> {
    ids(&find(store, company, criteria).await)
}

pub fn ids(customers: &[Customer]) -> Vec<i64> {
    customers.iter().map(|c| c.customer_id.get()).collect()
}

/// The contact ids of a customer, in the order returned.
pub fn contact_ids(customer: &Customer) -> Vec<i64> {
    customer.contacts.iter().map(|c| c.contact_id).collect()
}

/// The only customer found; fails unless exactly one is.
pub async fn find_one(
    store: &SqlCustomerStore,
    company: CompanyId,
    criteria: &SearchCriteria,
) -> Customer {
    let mut found = find(store, company, criteria).await;
    assert_eq!(
        found.len(),
        1,
        "exactly one customer for {criteria:?} in company {company}, found {:?}",
        ids(&found)
    );
    found.remove(0)
}

//! Helpers shared by the contract tests: the adapter over a test database, criteria
//! built from plain values, and raw SQL on the pool of either backend.

use std::time::Duration;

use customer_domain::{
    CompanyId, Customer, CustomerId, CustomerRepository, IdentificationNumber, MobileNumber,
    ReferenceNumber, SearchCriteria,
};
use customer_infrastructure::SqlCustomerStore;
use customer_infrastructure::test_support::TestDatabase;

/// Company 1 of the demo data (`jtc`).
pub const JTC: CompanyId = CompanyId::new(1);
/// Company 2 of the demo data (`jfc`).
pub const JFC: CompanyId = CompanyId::new(2);

/// Runs `$body` with `$conn` bound to a pooled connection of whichever backend the
/// [`customer_infrastructure::Database`] `$db` is: `with_connection!` for tests, which
/// fails the test when no connection can be had instead of returning an error.
macro_rules! with_conn {
    ($db:expr, |$conn:ident| $body:expr) => {
        match $db {
            customer_infrastructure::Database::Postgres(pool) => {
                let mut pooled = pool.get().await.expect("a PostgreSQL connection");
                let $conn = &mut *pooled;
                $body
            }
            customer_infrastructure::Database::Sqlite(pool) => {
                let mut pooled = pool.get().await.expect("a SQLite connection");
                let $conn = &mut *pooled;
                $body
            }
        }
    };
}
pub(crate) use with_conn;

/// The adapter under test over `db`, with a reference data time to live long enough that
/// only a miss can reload it during a test.
pub fn store(db: &TestDatabase) -> SqlCustomerStore {
    SqlCustomerStore::new(db.connect(), Duration::from_secs(60))
}

/// Runs one or more SQL statements (portable SQL: PostgreSQL 15 and SQLite).
pub async fn try_execute(
    db: &customer_infrastructure::Database,
    sql: &str,
) -> Result<(), diesel::result::Error> {
    use diesel_async::SimpleAsyncConnection;
    with_conn!(db, |conn| conn.batch_execute(sql).await)
}

/// Runs SQL that must succeed.
pub async fn execute(db: &customer_infrastructure::Database, sql: &str) {
    if let Err(error) = try_execute(db, sql).await {
        panic!("SQL failed: {error}\n{sql}");
    }
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

/// An `INSERT` of a customer version with only the required columns and the given mobile
/// and identification number (NULL when `None`).
pub fn version_sql(
    version_id: i64,
    customer_id: i64,
    customer_version_id: i32,
    company_id: i32,
    mobile_number: Option<&str>,
    identification_no: Option<&str>,
    end_date: Option<&str>,
) -> String {
    let text = |value: Option<&str>| value.map_or_else(|| "NULL".to_owned(), |v| format!("'{v}'"));
    format!(
        "INSERT INTO customer_versions \
         (version_id, customer_id, customer_version_id, company_id, mobile_number, \
          identification_no, start_date, end_date) \
         VALUES ({version_id}, {customer_id}, {customer_version_id}, {company_id}, {}, {}, \
          '2026-06-01 08:00:00', {})",
        text(mobile_number),
        text(identification_no),
        text(end_date),
    )
}

/// An `INSERT` of a contact with an explicit id.
pub fn contact_sql(contact_id: i64, customer_id: i64, relation_type_id: Option<i32>) -> String {
    let relation = relation_type_id.map_or_else(|| "NULL".to_owned(), |id| id.to_string());
    format!(
        "INSERT INTO customer_contacts \
         (contact_id, customer_id, contact_number, relation_type_id, contact_name, primary_contact) \
         VALUES ({contact_id}, {customer_id}, '5000{contact_id:05}', {relation}, \
          'contact {contact_id}', FALSE)"
    )
}

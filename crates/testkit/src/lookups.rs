//! Lookups through the adapter for the tests of every crate that loads data: criteria
//! from plain values, and the customers (or their ids) a lookup finds, failing the test
//! when the lookup fails.

use std::time::Duration;

use customer_domain::{
    CompanyId, Customer, CustomerId, CustomerRepository, IdentificationNumber, MobileNumber,
    ReferenceNumber, SearchCriteria,
};

use super::TestDatabase;
use customer_infrastructure::SqlCustomerStore;

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

/// Criteria of a customer id alone.
pub fn by_id(id: i64) -> SearchCriteria {
    criteria(Some(id), None, None, None)
}

/// Criteria of an identification number alone.
pub fn by_identification(number: &str) -> SearchCriteria {
    criteria(None, Some(number), None, None)
}

/// Criteria of a mobile number alone.
pub fn by_mobile(number: &str) -> SearchCriteria {
    criteria(None, None, Some(number), None)
}

/// Criteria of a reference number alone.
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

/// The ids of `customers`, in order.
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

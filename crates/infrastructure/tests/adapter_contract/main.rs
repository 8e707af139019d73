//! The adapter contract: the same tests against SQLite and PostgreSQL.

use std::time::Duration;

use customer_domain::{
    CompanyCode, CompanyDirectory, CompanyId, CustomerId, CustomerRepository, SearchCriteria,
};
use customer_infrastructure::SqlCustomerStore;
use customer_infrastructure::test_support::{SuiteTest, TestBackend, TestDatabase, run_suite};

fn main() -> std::process::ExitCode {
    let tests: &[(&'static str, SuiteTest)] = &[("example_customer_is_found", |b| {
        Box::pin(example_customer_is_found(b))
    })];
    run_suite(tests)
}

async fn example_customer_is_found(backend: TestBackend) {
    let db = TestDatabase::with_demo_data(backend).await;
    let store = SqlCustomerStore::new(db.connect(), Duration::from_secs(60));
    let company = store
        .resolve(&CompanyCode::parse("jtc").unwrap())
        .await
        .unwrap();
    assert_eq!(company, Some(CompanyId::new(1)));
    let found = store
        .find_current(
            CompanyId::new(1),
            &SearchCriteria::by_customer_id(CustomerId::new(54218).unwrap()),
        )
        .await
        .unwrap();
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].contacts.len(), 2);
}

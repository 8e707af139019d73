//! The lookup statements' shapes and the rows they return.

use std::any::TypeId;
use std::collections::HashSet;

use customer_domain::{
    CustomerId, IdentificationNumber, MobileNumber, ReferenceNumber, SearchCriteria,
};
use diesel::query_builder::QueryId;

use super::*;
use crate::database::Backend;

fn query_id<Q: QueryId>(_: &Q) -> Option<TypeId> {
    Q::query_id()
}

impl FindCustomers<'_> {
    fn query_id(&self) -> Option<TypeId> {
        match self {
            Self::CustomerId(query) => query_id(query),
            Self::IdentificationNo(query) => query_id(query),
            Self::ReferenceNo(query) => query_id(query),
            Self::MobileNumber(query) => query_id(query),
            Self::CustomerIdAndMore(query) => query_id(query),
            Self::IdentificationNoAndMore(query) => query_id(query),
            Self::ReferenceNoAndMore(query) => query_id(query),
        }
    }
}

/// Every `find_customers` statement is prepared once per connection and found again
/// by its type: each search shape has a static query id of its own.
#[test]
fn each_statement_has_a_static_query_id_of_its_own() {
    let by = |id: bool, number: bool, mobile: bool, reference: bool| {
        SearchCriteria::new(
            id.then(|| CustomerId::new(54218).expect("a valid id")),
            number.then(|| IdentificationNumber::parse("2103232123").expect("valid")),
            mobile.then(|| MobileNumber::parse("568617084").expect("valid")),
            reference.then(|| ReferenceNumber::parse("333215").expect("valid")),
        )
        .expect("an identifier")
    };
    let shapes = [
        by(true, true, true, true),
        by(false, true, true, true),
        by(false, false, true, true),
        by(false, false, true, false),
        by(true, false, false, false),
        by(false, true, false, false),
        by(false, false, false, true),
    ];
    let ids: HashSet<TypeId> = shapes
        .iter()
        .map(|criteria| {
            FindCustomers::new(Binds::new(CompanyId::new(1), criteria))
                .query_id()
                .expect("a static query id")
        })
        .collect();
    assert_eq!(
        ids.len(),
        7,
        "one statement per driving identifier, alone or with others"
    );
}

/// A lookup by one identifier sends its driving filter alone: no condition on an
/// identifier not given, no subquery of references unless it drives; and no
/// statement sorts (the rows are sorted once read).
#[test]
fn a_lookup_by_one_identifier_sends_no_other_condition() {
    let sql = |criteria: SearchCriteria| {
        let statements =
            SqlCustomerStore::lookup_statements(Backend::Postgres, CompanyId::new(1), &criteria);
        statements[0].1.clone()
    };
    let id = CustomerId::new(54218).expect("a valid id");
    let mobile = MobileNumber::parse("568617084").expect("valid");
    let alone = sql(SearchCriteria::new(Some(id), None, None, None).expect("criteria"));
    assert_eq!(
        alone.matches("IS NULL").count(),
        1,
        "end_date only: {alone}"
    );
    assert!(!alone.contains("customer_references"), "{alone}");
    let both = sql(SearchCriteria::new(Some(id), None, Some(mobile), None).expect("criteria"));
    assert_eq!(both.matches("IS NULL").count(), 5, "{both}");
    assert!(both.contains("customer_references"), "{both}");
    for statement in [alone, both] {
        assert!(!statement.contains("ORDER BY"), "{statement}");
    }
}

/// The rows come back in customer, then contact order whatever order the statement
/// returned them in, each version once.
#[test]
fn joined_rows_are_sorted_and_grouped_by_customer() {
    let version = |customer_id: i64| VersionRecord {
        customer_id,
        ..VersionRecord::default()
    };
    let contact = |customer_id: i64, contact_id: i64| ContactRecord {
        contact_id,
        customer_id,
        ..ContactRecord::default()
    };
    let rows = Rows::from_joined(vec![
        (version(9), Some(contact(9, 5))),
        (version(3), None),
        (version(9), Some(contact(9, 2))),
        (version(7), Some(contact(7, 4))),
    ]);
    let customers: Vec<i64> = rows.versions.iter().map(|v| v.customer_id).collect();
    assert_eq!(customers, [3, 7, 9]);
    let contacts: Vec<(i64, i64)> = rows
        .contacts
        .iter()
        .map(|c| (c.customer_id, c.contact_id))
        .collect();
    assert_eq!(contacts, [(7, 4), (9, 2), (9, 5)]);
}

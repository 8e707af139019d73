//! The synthetic data set (`seed_synthetic`) against SQLite and PostgreSQL.
//!
//! Every test runs once per backend, as `sqlite::name` and `postgres::name`, each on a
//! fresh database of its own (see `customer_testkit`). When
//! PostgreSQL cannot be reached the `postgres::` half is listed as ignored with a note on
//! stderr (outside CI, where it fails instead).

mod data_set;
mod support;

use customer_testkit::{SuiteTest, run_suite};

fn main() -> std::process::ExitCode {
    let tests: &[(&'static str, SuiteTest)] = &[
        ("synthetic_customers_follow_the_rules", |backend| {
            Box::pin(data_set::synthetic_customers_follow_the_rules(backend))
        }),
        ("the_same_seed_gives_the_same_data", |backend| {
            Box::pin(data_set::the_same_seed_gives_the_same_data(backend))
        }),
        (
            "synthetic_customers_are_found_by_each_identifier",
            |backend| {
                Box::pin(data_set::synthetic_customers_are_found_by_each_identifier(
                    backend,
                ))
            },
        ),
        ("seeding_again_adds_more_customers", |backend| {
            Box::pin(data_set::seeding_again_adds_more_customers(backend))
        }),
        ("a_large_load_leaves_the_schema_as_it_was", |backend| {
            Box::pin(data_set::a_large_load_leaves_the_schema_as_it_was(backend))
        }),
        ("missing_reference_ids_are_refused", |backend| {
            Box::pin(data_set::missing_reference_ids_are_refused(backend))
        }),
    ];
    run_suite(tests)
}

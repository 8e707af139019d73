//! The black-box HTTP tests of the customer lookup service: every rule of section 2 of
//! the contract (`docs/customer-lookup.md`), each test that involves the database run
//! once per backend as `sqlite::...` and `postgres::...`.

mod audit;
mod auth;
mod binary;
mod cli;
mod companies;
mod database_errors;
mod db;
mod docs;
mod drain;
mod errors;
mod example;
mod faults;
mod headers;
mod health;
mod history;
mod http_errors;
mod instances;
mod limits;
mod logs;
mod matching;
mod metrics;
mod openapi;
mod parameters;
mod permissions;
mod readiness;
mod refusals;
mod replicas;
mod request;
mod response;
mod shutdown;
mod startup;
mod support;
mod tls;
mod writes;

use crate::support::{SuiteTest, Suites, run_suites, use_service_binary};

fn main() -> std::process::ExitCode {
    // Cargo builds the binary for the integration tests of its own package.
    use_service_binary(env!("CARGO_BIN_EXE_customer-api"));
    let every_backend: Vec<(&'static str, SuiteTest)> = [
        example::TESTS,
        matching::TESTS,
        response::TESTS,
        database_errors::TESTS,
        binary::TESTS,
        cli::TESTS,
        companies::TESTS,
        health::TESTS,
        metrics::TESTS,
        logs::TESTS,
        shutdown::TESTS,
        auth::TESTS,
        permissions::TESTS,
        audit::TESTS,
        history::TESTS,
        startup::TESTS,
        refusals::TESTS,
        readiness::TESTS,
        drain::TESTS,
        writes::TESTS,
    ]
    .concat();
    // The HTTP edge parses, refuses and documents alike whatever the database: these
    // run once. Each backend's answers are held to one contract by the adapter suite
    // (`cargo test -p customer-infrastructure --test adapter_contract`).
    let one_backend: Vec<(&'static str, SuiteTest)> = [
        headers::TESTS,
        request::TESTS,
        errors::TESTS,
        openapi::TESTS,
        docs::TESTS,
        parameters::TESTS,
        limits::TESTS,
        http_errors::TESTS,
    ]
    .concat();
    let postgres_only = [
        cli::POSTGRES_ONLY,
        shutdown::POSTGRES_ONLY,
        readiness::POSTGRES_ONLY,
        faults::TESTS,
        tls::TESTS,
        instances::POSTGRES_ONLY,
        replicas::TESTS,
    ]
    .concat();
    run_suites(Suites {
        every_backend: &every_backend,
        one_backend: &one_backend,
        postgres_only: &postgres_only,
    })
}

//! The black-box HTTP tests of the customer lookup service: every rule of section 2 of
//! the contract (`/work/shared/spec/customer-lookup.md`), each test run once per backend
//! as `sqlite::...` and `postgres::...`.

mod binary;
mod database_errors;
mod errors;
mod example;
mod headers;
mod matching;
mod request;
mod response;

use customer_api_tests::{SuiteTest, run_suite};

fn main() -> std::process::ExitCode {
    let tests: Vec<(&'static str, SuiteTest)> = [
        example::TESTS,
        headers::TESTS,
        request::TESTS,
        errors::TESTS,
        matching::TESTS,
        response::TESTS,
        database_errors::TESTS,
        binary::TESTS,
    ]
    .concat();
    run_suite(&tests)
}

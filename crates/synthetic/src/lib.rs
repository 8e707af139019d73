//! Synthetic data sets by the million: realistic, deterministic customers for load tests,
//! query plan checks and demonstrations at scale.
//!
//! [`seed_synthetic`] adds N customers to a database of either backend:
//!
//! * individuals and companies, about 80/20, spread over the companies of the group: the
//!   demo companies `jtc` (1) and `jfc` (2) and three more it creates when missing
//!   (`jlc` 3, `jrc` 4, `jic` 5; `ON CONFLICT DO NOTHING`);
//! * individuals have first, middle and last names from lists of common names, in Arabic
//!   script for Saudi and other Gulf nationals and in Latin script for everyone else;
//!   companies have company names (Arabic or English) and a contact person;
//! * identification numbers unique per company among current versions: national IDs of
//!   Saudis (10 digits starting with 1, with their check digit), iqamas of residents (10
//!   digits starting with 2, check digit), the national IDs of Gulf nationals in their
//!   countries' formats, commercial registration numbers (the CR office code of the city +
//!   6 digits) or unified numbers (`70` + 8 digits) of companies;
//! * Saudi mobile numbers (9 digits starting with 5); members of a family sometimes share
//!   one, and the same person is sometimes a customer of two companies of the group;
//! * 1 to 3 versions: each older version ends when the next one starts, and differs from it
//!   in the mobile number, the address, the occupation and income, the e-mail address,
//!   the contact person or the name of a company, or (for a resident) a passport instead
//!   of the iqama;
//! * 0 to 3 contacts and 0 to 2 reference numbers, unique per company
//!   (`POL-2026-0001234` style, or 8-digit numbers).
//!
//! Coded values are the ids of `migrations/*/2026-11-26-000002_reference_data`; every id
//! the generator can produce is checked against the reference tables before anything is
//! written, and cities (with their regions) are read from the database.
//!
//! **Ids, running twice.** Customer, version, contact and reference ids continue after the
//! largest ids stored, so a data set can be added on top of the demo data, and running the
//! seed again adds N more customers (with new identification and reference numbers: the
//! identification numbers stored are read first and never reused). The data is a function
//! of the seed and of those starting ids: the same seed on the same starting database
//! gives the same rows, on either backend.
//!
//! **All or nothing.** The rows are written in one transaction on one connection, while a
//! blocking task generates the next batches: a failure (or a second seed running at the
//! same time, whose ids collide) leaves the database as it was. Each table is written in
//! multi-row `INSERT`s of as many rows as the bind-parameter limit allows (65,535 binds on
//! PostgreSQL, 32,766 on SQLite), prepared once.
//!
//! **Large loads.** A load of at least 100,000 customers into a database holding at most
//! 4 times as many (or as [`SyntheticOptions::rebuild_indexes`] says) drops, inside that
//! transaction, the secondary indexes of `customer_versions`, `customer_contacts` and
//! `customer_references` and (PostgreSQL) their foreign keys, then creates them again
//! after the rows: the indexes with the very statements of the migrations that define them
//! (included at compile time), the foreign keys as the catalogue defines them. Each is built
//! or checked once over all rows rather than row by row. Until the commit, the tables are
//! locked: a service reading the same database waits. `ANALYZE` follows in every case.

mod generate;
mod load;
mod options;
mod prepare;
mod rows;
mod tables;

use std::time::{Duration, Instant};

use customer_infrastructure::{Database, InfraError};

pub use crate::options::{
    DEFAULT_SYNTHETIC_SEED, SyntheticOptions, SyntheticProgress, SyntheticSummary,
};
use crate::prepare::to_i64;

/// The smallest load for which rebuilding the indexes is the automatic choice, and the
/// most customers stored per customer added for which it still is.
const REBUILD_THRESHOLD: u64 = 100_000;
const REBUILD_MAX_STORED_PER_ADDED: u64 = 4;

/// Adds `options.customers` synthetic customers (see the crate documentation), reporting
/// its progress to `progress`.
///
/// # Errors
/// [`InfraError::Inconsistent`] when the reference data lacks an id the generator uses or
/// a company cannot be created, [`InfraError::Configuration`] when the customer ids would
/// run out, and any [`InfraError`] met on the way; nothing is written then (except the
/// companies of the group).
pub async fn seed_synthetic(
    db: &Database,
    options: &SyntheticOptions,
    progress: &(dyn Fn(&SyntheticProgress) + Sync),
) -> Result<SyntheticSummary, InfraError> {
    let started = Instant::now();
    let setup = prepare::prepare(db, options).await?;
    let first_customer = setup.generator.next_customer();
    if options.customers == 0 {
        return Ok(SyntheticSummary {
            customers: 0,
            versions: 0,
            contacts: 0,
            references: 0,
            customer_ids: None,
            indexes_rebuilt: false,
            load_time: Duration::ZERO,
            total_time: started.elapsed(),
        });
    }
    let rebuild = options.rebuild_indexes.unwrap_or(
        options.customers >= REBUILD_THRESHOLD
            && setup.existing_customers
                <= options
                    .customers
                    .saturating_mul(REBUILD_MAX_STORED_PER_ADDED),
    );
    let (tally, load_time) =
        load::load(db, setup.generator, options.customers, rebuild, progress).await?;
    progress(&SyntheticProgress::Step("analysing".to_owned()));
    load::finish(db).await?;
    Ok(SyntheticSummary {
        customers: tally.customers,
        versions: tally.versions,
        contacts: tally.contacts,
        references: tally.references,
        customer_ids: Some((first_customer, first_customer + to_i64(tally.customers) - 1)),
        indexes_rebuilt: rebuild,
        load_time,
        total_time: started.elapsed(),
    })
}

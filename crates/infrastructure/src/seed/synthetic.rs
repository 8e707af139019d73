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
//! after the rows: the indexes with the very statements of the schema migration (included
//! from it at compile time), the foreign keys as the catalogue defines them. Each is built
//! or checked once over all rows rather than row by row. Until the commit, the tables are
//! locked: a service reading the same database waits. `ANALYZE` follows in every case.

use std::borrow::Cow;
use std::collections::HashSet;
use std::time::{Duration, Instant};

use chrono::{Datelike, NaiveDate, NaiveDateTime, TimeDelta};
use diesel::dsl::max;
use diesel::prelude::*;
use diesel::sql_types::Text as SqlText;
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl, SimpleAsyncConnection};
use rand::rngs::ChaCha8Rng;
use rand::{RngExt, SeedableRng};
use tokio::sync::mpsc;

use crate::database::{Backend, Database, SqliteAsync, with_connection};
use crate::error::InfraError;
use crate::schema::{
    cities, companies, company_types, contact_types, countries, customer_contacts,
    customer_references, customer_types, customer_versions, customers, genders,
    identification_types, income_ranges, industry_types, languages, nationalities, phone_codes,
    relation_types,
};

/// The seed used when none is given.
pub const DEFAULT_SYNTHETIC_SEED: u64 = 42;

/// What to generate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyntheticOptions {
    /// How many customers to add.
    pub customers: u64,
    /// The seed of the generator: the same seed on the same database gives the same data.
    pub seed: u64,
    /// Whether to drop the secondary indexes (and, on PostgreSQL, the foreign keys) of the
    /// customer tables before loading and create them again after; `None`: only for a
    /// load of at least 100,000 customers into a database holding at most 4 times as many
    /// (measured: rows go in 3 to 5 times faster without the indexes, and rebuilding them
    /// takes about 30 s per million customers stored on PostgreSQL).
    pub rebuild_indexes: Option<bool>,
}

impl SyntheticOptions {
    /// `customers` customers from the default seed, with the automatic choices.
    pub fn new(customers: u64) -> Self {
        Self {
            customers,
            seed: DEFAULT_SYNTHETIC_SEED,
            rebuild_indexes: None,
        }
    }
}

/// What [`seed_synthetic`] reports while it works.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum SyntheticProgress {
    /// A step other than writing rows has started (dropping or creating indexes,
    /// analysing...).
    Step(String),
    /// Rows written so far (about every 5 % of the customers, and at the end).
    Written {
        /// Customers written so far.
        customers: u64,
        /// Customers to write in all.
        total: u64,
        /// Rows of all tables written so far.
        rows: u64,
        /// Time since the first batch started.
        elapsed: Duration,
    },
}

/// What [`seed_synthetic`] added.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyntheticSummary {
    /// Customers added.
    pub customers: u64,
    /// Customer versions added.
    pub versions: u64,
    /// Contacts added.
    pub contacts: u64,
    /// References added.
    pub references: u64,
    /// The first and last customer ids added (`None` when none was).
    pub customer_ids: Option<(i64, i64)>,
    /// Whether the secondary indexes were dropped and created again.
    pub indexes_rebuilt: bool,
    /// Time spent writing rows.
    pub load_time: Duration,
    /// Time of the whole seed, indexes and statistics included.
    pub total_time: Duration,
}

impl SyntheticSummary {
    /// Rows added to the four customer tables.
    pub fn rows(&self) -> u64 {
        self.customers + self.versions + self.contacts + self.references
    }
}

/// Customers generated per batch, the unit of generation and of progress.
const CUSTOMERS_PER_BATCH: usize = 5_000;
/// Batches generated ahead of the writer.
const BATCHES_AHEAD: usize = 3;
/// The smallest load for which rebuilding the indexes is the automatic choice, and the
/// most customers stored per customer added for which it still is.
const REBUILD_THRESHOLD: u64 = 100_000;
const REBUILD_MAX_STORED_PER_ADDED: u64 = 4;
/// The most bind parameters of one statement.
const POSTGRES_MAX_BINDS: usize = 65_535;
const SQLITE_MAX_BINDS: usize = 32_766;
/// Columns of each table, i.e. binds per inserted row (checked by a unit test).
const CUSTOMER_COLUMNS: usize = 2;
const VERSION_COLUMNS: usize = 45;
const CONTACT_COLUMNS: usize = 13;
const REFERENCE_COLUMNS: usize = 4;
/// The largest customer id the seed gives.
const MAX_CUSTOMER_ID: i64 = 1_000_000_000_000;

/// Settings of the PostgreSQL transactions of the seed: no statement timeout (an index
/// over millions of rows takes longer than the pool's), memory to sort index entries in.
const POSTGRES_SETTINGS: &str =
    "SET LOCAL statement_timeout = 0; SET LOCAL maintenance_work_mem = '512MB'";

/// The schema migrations, whose `CREATE INDEX` statements are replayed after a load.
const POSTGRES_SCHEMA: &str =
    include_str!("../../../../migrations/postgres/2026-11-26-000001_schema/up.sql");
const SQLITE_SCHEMA: &str =
    include_str!("../../../../migrations/sqlite/2026-11-26-000001_schema/up.sql");
/// The tables whose secondary indexes (and foreign keys) a large load rebuilds.
const LOADED_TABLES: [&str; 3] = [
    "customer_versions",
    "customer_contacts",
    "customer_references",
];

/// Adds `options.customers` synthetic customers (see the module documentation), reporting
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
    let setup = prepare(db, options).await?;
    let first_customer = setup.generator.next.customer;
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
        load(db, setup.generator, options.customers, rebuild, progress).await?;
    progress(&SyntheticProgress::Step("analysing".to_owned()));
    finish(db).await?;
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

fn to_i64(value: u64) -> i64 {
    i64::try_from(value).unwrap_or(i64::MAX)
}

// ---------------------------------------------------------------------------------------
// Rows.

type Text = Option<Cow<'static, str>>;

#[expect(
    clippy::unnecessary_wraps,
    reason = "the type of a nullable text column"
)]
fn text(value: &'static str) -> Text {
    Some(Cow::Borrowed(value))
}

#[expect(
    clippy::unnecessary_wraps,
    reason = "the type of a nullable text column"
)]
fn owned(value: String) -> Text {
    Some(Cow::Owned(value))
}

#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = customers, treat_none_as_default_value = false)]
struct NewCustomer {
    customer_id: i64,
    company_id: i32,
}

#[derive(Debug, Clone, Default, Insertable)]
#[diesel(table_name = customer_versions, treat_none_as_default_value = false)]
struct NewVersion {
    version_id: i64,
    customer_id: i64,
    customer_version_id: i32,
    company_id: i32,
    first_name: Text,
    middle_name: Text,
    last_name: Text,
    company_name: Text,
    contact_name: Text,
    nationality_id: Option<i32>,
    gender_id: Option<i32>,
    customer_type_id: Option<i32>,
    company_type_id: Option<i32>,
    industry_type_id: Option<i32>,
    date_of_birth: Option<NaiveDateTime>,
    occupation: Text,
    preferred_contact_type_id: Option<i32>,
    email_address: Text,
    phone_code_id: Option<i32>,
    mobile_number: Text,
    additional_phone_code_id: Option<i32>,
    additional_mobile_number: Text,
    identification_type_id: Option<i32>,
    identification_no: Text,
    country_id: Option<i32>,
    region_id: Option<i32>,
    city_id: Option<i32>,
    zip_code: Text,
    address1: Text,
    address2: Text,
    monthly_income_id: Option<i32>,
    created_date: Option<NaiveDateTime>,
    is_active: Option<bool>,
    preferred_language_id: Option<i32>,
    national_address: Text,
    commercial_record: Text,
    plot_identification: Text,
    building_no: Text,
    unit_no: Text,
    vat_reg_no: Text,
    start_date: NaiveDateTime,
    end_date: Option<NaiveDateTime>,
    city_sub_division_name: Text,
    postal_code: Text,
    user_active: Option<bool>,
}

#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = customer_contacts, treat_none_as_default_value = false)]
struct NewContact {
    contact_id: i64,
    customer_id: i64,
    contact_number: Text,
    relation_type_id: Option<i32>,
    contact_name: Text,
    contact_phone_code_id: Option<i32>,
    primary_contact: bool,
    contact_start_date: Option<NaiveDateTime>,
    contact_end_date: Option<NaiveDateTime>,
    is_active: Option<bool>,
    contact_is_enable: Option<bool>,
    profession: Text,
    remarks: Text,
}

#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = customer_references, treat_none_as_default_value = false)]
struct NewReference {
    reference_id: i64,
    company_id: i32,
    customer_id: i64,
    reference_no: String,
}

/// The rows of some customers, written in one transaction.
#[derive(Debug, Default)]
struct Batch {
    customers: Vec<NewCustomer>,
    versions: Vec<NewVersion>,
    contacts: Vec<NewContact>,
    references: Vec<NewReference>,
}

// ---------------------------------------------------------------------------------------
// Preparation: companies, reference data, starting ids, numbers in use.

struct Setup {
    generator: Generator,
    existing_customers: u64,
}

/// The ids of a reference table, for the check that every generated id exists.
struct ReferenceIds {
    table: &'static str,
    present: Vec<i32>,
    required: Vec<i32>,
}

/// Reads the ids of the reference tables and pairs them with the ids the generator uses.
macro_rules! reference_ids {
    ($conn:ident, $company_ids:ident) => {{
        let conn = &mut *$conn;
        let company_ids = &$company_ids;
        let present: Vec<i32> = companies::table
            .filter(companies::company_id.eq_any(company_ids))
            .select(companies::company_id)
            .load(conn)
            .await?;
        vec![
            ReferenceIds {
                table: "companies",
                present,
                required: company_ids.clone(),
            },
            required_ids(
                "nationalities",
                nationalities::table
                    .select(nationalities::id)
                    .load(conn)
                    .await?,
                NATIONALITIES.iter().map(|n| n.id),
            ),
            required_ids(
                "genders",
                genders::table.select(genders::id).load(conn).await?,
                [MALE, FEMALE],
            ),
            required_ids(
                "customer_types",
                customer_types::table
                    .select(customer_types::id)
                    .load(conn)
                    .await?,
                [INDIVIDUAL, COMPANY],
            ),
            required_ids(
                "company_types",
                company_types::table
                    .select(company_types::id)
                    .load(conn)
                    .await?,
                COMPANY_TYPES.iter().map(|t| t.0),
            ),
            required_ids(
                "industry_types",
                industry_types::table
                    .select(industry_types::id)
                    .load(conn)
                    .await?,
                INDUSTRIES.iter().map(|i| i.id),
            ),
            required_ids(
                "contact_types",
                contact_types::table
                    .select(contact_types::id)
                    .load(conn)
                    .await?,
                CONTACT_TYPES.iter().map(|t| t.0),
            ),
            required_ids(
                "phone_codes",
                phone_codes::table
                    .select(phone_codes::id)
                    .load(conn)
                    .await?,
                std::iter::once(SAUDI_PHONE_CODE)
                    .chain(NATIONALITIES.iter().filter_map(|n| n.home.map(|h| h.code))),
            ),
            required_ids(
                "identification_types",
                identification_types::table
                    .select(identification_types::id)
                    .load(conn)
                    .await?,
                [NATIONAL_ID, IQAMA, PASSPORT, GCC_ID, CR, UNIFIED_NUMBER],
            ),
            required_ids(
                "countries",
                countries::table.select(countries::id).load(conn).await?,
                [SAUDI_ARABIA],
            ),
            required_ids(
                "income_ranges",
                income_ranges::table
                    .select(income_ranges::id)
                    .load(conn)
                    .await?,
                1..=6,
            ),
            required_ids(
                "languages",
                languages::table.select(languages::id).load(conn).await?,
                NATIONALITIES
                    .iter()
                    .flat_map(|n| n.languages.iter().map(|l| l.0)),
            ),
            required_ids(
                "relation_types",
                relation_types::table
                    .select(relation_types::id)
                    .load(conn)
                    .await?,
                1..=13,
            ),
        ]
    }};
}

async fn prepare(db: &Database, options: &SyntheticOptions) -> Result<Setup, InfraError> {
    let postgres = db.backend() == Backend::Postgres;
    let company_ids: Vec<i32> = TENANTS.iter().map(|t| t.id).collect();
    let (references, city_rows, maxima, existing, used) = with_connection!(db, |conn| {
        conn.transaction(async |conn| {
            if postgres {
                conn.batch_execute(POSTGRES_SETTINGS).await?;
            }
            conn.batch_execute(&companies_sql()).await?;
            let references = reference_ids!(conn, company_ids);
            let city_rows: Vec<(i32, i32)> = cities::table
                .select((cities::id, cities::region_id))
                .order(cities::id)
                .load(conn)
                .await?;
            let maxima = Maxima {
                customer: customers::table
                    .select(max(customers::customer_id))
                    .first::<Option<i64>>(conn)
                    .await?,
                version: customer_versions::table
                    .select(max(customer_versions::version_id))
                    .first::<Option<i64>>(conn)
                    .await?,
                contact: customer_contacts::table
                    .select(max(customer_contacts::contact_id))
                    .first::<Option<i64>>(conn)
                    .await?,
                reference: customer_references::table
                    .select(max(customer_references::reference_id))
                    .first::<Option<i64>>(conn)
                    .await?,
            };
            let existing: i64 = customers::table.count().get_result(conn).await?;
            let used: Vec<(i32, Option<String>)> = customer_versions::table
                .filter(customer_versions::end_date.is_null())
                .filter(customer_versions::company_id.eq_any(&company_ids))
                .filter(customer_versions::identification_no.is_not_null())
                .select((
                    customer_versions::company_id,
                    customer_versions::identification_no,
                ))
                .load(conn)
                .await?;
            Ok::<_, InfraError>((references, city_rows, maxima, existing, used))
        })
        .await
    })?;
    check_reference_ids(&references)?;
    if city_rows.is_empty() {
        return Err(InfraError::Inconsistent(
            "the cities table is empty: synthetic customers need cities".into(),
        ));
    }
    let next = maxima.next();
    if next.customer.saturating_add(to_i64(options.customers)) > MAX_CUSTOMER_ID {
        return Err(InfraError::Configuration(format!(
            "{} more customers after customer id {} would pass the largest synthetic customer id {MAX_CUSTOMER_ID}",
            options.customers,
            next.customer - 1
        )));
    }
    let used = used
        .into_iter()
        .filter_map(|(company, number)| Some((company, number_key(&number?)?)))
        .collect();
    Ok(Setup {
        generator: Generator::new(options.seed, next, &city_rows, used),
        existing_customers: u64::try_from(existing).unwrap_or(0),
    })
}

fn required_ids(
    table: &'static str,
    present: Vec<i32>,
    required: impl IntoIterator<Item = i32>,
) -> ReferenceIds {
    ReferenceIds {
        table,
        present,
        required: required.into_iter().collect(),
    }
}

fn check_reference_ids(references: &[ReferenceIds]) -> Result<(), InfraError> {
    let mut missing = Vec::new();
    for table in references {
        let present: HashSet<i32> = table.present.iter().copied().collect();
        let mut absent: Vec<i32> = table
            .required
            .iter()
            .copied()
            .filter(|id| !present.contains(id))
            .collect();
        absent.sort_unstable();
        absent.dedup();
        if !absent.is_empty() {
            missing.push(format!("{} {absent:?}", table.table));
        }
    }
    if missing.is_empty() {
        Ok(())
    } else {
        Err(InfraError::Inconsistent(format!(
            "the synthetic data set needs ids that are not in the database: {} \
             (are the reference data migrations applied? a company id may be taken by \
             another code)",
            missing.join(", ")
        )))
    }
}

/// The `INSERT` of the companies of the group, portable to both backends.
fn companies_sql() -> String {
    let rows: Vec<String> = TENANTS
        .iter()
        .map(|t| format!("({}, '{}', '{}', '{}')", t.id, t.code, t.name_ar, t.name_en))
        .collect();
    format!(
        "INSERT INTO companies (company_id, code, name_ar, name_en) VALUES {} ON CONFLICT DO NOTHING",
        rows.join(", ")
    )
}

/// The largest ids stored.
struct Maxima {
    customer: Option<i64>,
    version: Option<i64>,
    contact: Option<i64>,
    reference: Option<i64>,
}

impl Maxima {
    fn next(&self) -> NextIds {
        let after = |id: Option<i64>| id.unwrap_or(0).max(0) + 1;
        NextIds {
            customer: after(self.customer),
            version: after(self.version),
            contact: after(self.contact),
            reference: after(self.reference),
        }
    }
}

/// The next id of each table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct NextIds {
    customer: i64,
    version: i64,
    contact: i64,
    reference: i64,
}

/// An identification number as a number, for the set of numbers in use; `None` for one
/// that is not all digits (the generator only makes all-digit numbers).
fn number_key(number: &str) -> Option<u64> {
    if number.is_empty() || number.len() > 19 || !number.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    number.parse().ok()
}

// ---------------------------------------------------------------------------------------
// Loading: a generator task feeding the writer, one transaction.

#[derive(Debug, Default, Clone, Copy)]
struct Tally {
    customers: u64,
    versions: u64,
    contacts: u64,
    references: u64,
}

impl Tally {
    fn rows(&self) -> u64 {
        self.customers + self.versions + self.contacts + self.references
    }
}

/// Counts what was written and reports it about every 5 %.
struct Progress<'a> {
    total: u64,
    started: Instant,
    tally: Tally,
    next_report: u64,
    report: &'a (dyn Fn(&SyntheticProgress) + Sync),
}

impl<'a> Progress<'a> {
    fn new(total: u64, report: &'a (dyn Fn(&SyntheticProgress) + Sync)) -> Self {
        Self {
            total,
            started: Instant::now(),
            tally: Tally::default(),
            next_report: 0,
            report,
        }
    }

    fn step(&self, step: String) {
        (self.report)(&SyntheticProgress::Step(step));
    }

    /// Restarts the clock: writing rows starts now.
    fn start(&mut self) {
        self.started = Instant::now();
        self.next_report = (self.total / 20).max(1);
    }

    fn add(&mut self, batch: &Batch) {
        let tally = &mut self.tally;
        tally.customers += batch.customers.len() as u64;
        tally.versions += batch.versions.len() as u64;
        tally.contacts += batch.contacts.len() as u64;
        tally.references += batch.references.len() as u64;
        if tally.customers >= self.next_report || tally.customers == self.total {
            while self.next_report <= tally.customers {
                self.next_report += (self.total / 20).max(1);
            }
            (self.report)(&SyntheticProgress::Written {
                customers: tally.customers,
                total: self.total,
                rows: tally.rows(),
                elapsed: self.started.elapsed(),
            });
        }
    }

    /// Fails unless every customer was written (the generator may have stopped early).
    fn complete(&self) -> Result<Duration, InfraError> {
        if self.tally.customers == self.total {
            Ok(self.started.elapsed())
        } else {
            Err(InfraError::Inconsistent(format!(
                "the generator stopped after {} of {} customers",
                self.tally.customers, self.total
            )))
        }
    }
}

type Batches = mpsc::Receiver<Result<Batch, InfraError>>;

/// Writes `customers` customers in one transaction, generated by a blocking task a few
/// batches ahead of the writer.
async fn load(
    db: &Database,
    mut generator: Generator,
    customers: u64,
    rebuild: bool,
    report: &(dyn Fn(&SyntheticProgress) + Sync),
) -> Result<(Tally, Duration), InfraError> {
    let (sender, mut batches) = mpsc::channel(BATCHES_AHEAD);
    let generating = tokio::task::spawn_blocking(move || {
        let mut left = customers;
        while left > 0 {
            let size = usize::try_from(left)
                .map_or(CUSTOMERS_PER_BATCH, |left| left.min(CUSTOMERS_PER_BATCH));
            left -= size as u64;
            let batch = generator.batch(size);
            let failed = batch.is_err();
            // A closed channel means the writer failed: its error is the one reported.
            if sender.blocking_send(batch).is_err() || failed {
                break;
            }
        }
    });
    let mut progress = Progress::new(customers, report);
    let written = match db {
        Database::Postgres(pool) => {
            let mut conn = pool.get().await?;
            write_postgres(&mut conn, &mut batches, rebuild, &mut progress).await
        }
        Database::Sqlite(pool) => {
            let mut conn = pool.get().await?;
            write_sqlite(&mut conn, &mut batches, rebuild, &mut progress).await
        }
    };
    // Unblocks the generator if the writer stopped early.
    drop(batches);
    generating.await?;
    let load_time = written?;
    Ok((progress.tally, load_time))
}

/// Rows of each table in one statement of each backend: as many as the bind limit allows.
/// Full statements take fixed-size arrays, which diesel prepares once and caches (a slice
/// is prepared anew at each execution); only the last rows of a batch go as a slice.
const PG_CUSTOMER_ROWS: usize = POSTGRES_MAX_BINDS / CUSTOMER_COLUMNS;
const PG_VERSION_ROWS: usize = POSTGRES_MAX_BINDS / VERSION_COLUMNS;
const PG_CONTACT_ROWS: usize = POSTGRES_MAX_BINDS / CONTACT_COLUMNS;
const PG_REFERENCE_ROWS: usize = POSTGRES_MAX_BINDS / REFERENCE_COLUMNS;
const SQLITE_CUSTOMER_ROWS: usize = SQLITE_MAX_BINDS / CUSTOMER_COLUMNS;
const SQLITE_VERSION_ROWS: usize = SQLITE_MAX_BINDS / VERSION_COLUMNS;
const SQLITE_CONTACT_ROWS: usize = SQLITE_MAX_BINDS / CONTACT_COLUMNS;
const SQLITE_REFERENCE_ROWS: usize = SQLITE_MAX_BINDS / REFERENCE_COLUMNS;

/// Inserts `$rows` into `$table` in multi-row statements of `$per_statement` rows (the last
/// one shorter), each run by `$run` with `$insert` bound to the statement.
macro_rules! insert_rows {
    ($rows:expr, $table:expr, $per_statement:expr, |$insert:ident| $run:expr) => {{
        let mut chunks = $rows.chunks_exact($per_statement);
        for chunk in &mut chunks {
            let chunk: &[_; $per_statement] = chunk
                .try_into()
                .expect("chunks_exact gives chunks of that length");
            let $insert = diesel::insert_into($table).values(chunk);
            $run;
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            let $insert = diesel::insert_into($table).values(rest);
            $run;
        }
    }};
}

/// Inserts the rows of `$batch` table by table (customers first, for the foreign keys),
/// with the given rows per statement of each table.
macro_rules! insert_batch {
    (
        $batch:expr,
        $customers:ident,
        $versions:ident,
        $contacts:ident,
        $references:ident,
        |$insert:ident| $run:expr
    ) => {{
        insert_rows!($batch.customers, customers::table, $customers, |$insert| {
            $run
        });
        insert_rows!(
            $batch.versions,
            customer_versions::table,
            $versions,
            |$insert| $run
        );
        insert_rows!(
            $batch.contacts,
            customer_contacts::table,
            $contacts,
            |$insert| $run
        );
        insert_rows!(
            $batch.references,
            customer_references::table,
            $references,
            |$insert| { $run }
        );
    }};
}

/// The PostgreSQL writer: the whole load in one transaction.
async fn write_postgres(
    conn: &mut AsyncPgConnection,
    batches: &mut Batches,
    rebuild: bool,
    progress: &mut Progress<'_>,
) -> Result<Duration, InfraError> {
    conn.transaction(async |conn| {
        conn.batch_execute(POSTGRES_SETTINGS).await?;
        let restore = if rebuild {
            let (drop, restore) = postgres_rebuild_statements(conn).await?;
            progress.step(format!(
                "dropping {} secondary indexes and foreign keys",
                drop.len()
            ));
            conn.batch_execute(&drop.join(";\n")).await?;
            restore
        } else {
            Vec::new()
        };
        progress.start();
        while let Some(batch) = batches.recv().await {
            let batch = batch?;
            insert_batch!(
                batch,
                PG_CUSTOMER_ROWS,
                PG_VERSION_ROWS,
                PG_CONTACT_ROWS,
                PG_REFERENCE_ROWS,
                |insert| insert.execute(conn).await?
            );
            progress.add(&batch);
        }
        let load_time = progress.complete()?;
        if !restore.is_empty() {
            progress.step(format!(
                "creating {} secondary indexes and foreign keys",
                restore.len()
            ));
            conn.batch_execute(&restore.join(";\n")).await?;
        }
        conn.batch_execute(super::POSTGRES_IDENTITY_FIX).await?;
        progress.step("committing".to_owned());
        Ok(load_time)
    })
    .await
}

/// The SQLite writer: the whole load in one transaction, each batch written by the
/// synchronous connection in a blocking task (diesel implements multi-row `INSERT`s for
/// SQLite, which has no `DEFAULT` in `VALUES`, on `SqliteConnection` only).
async fn write_sqlite(
    conn: &mut SqliteAsync,
    batches: &mut Batches,
    rebuild: bool,
    progress: &mut Progress<'_>,
) -> Result<Duration, InfraError> {
    conn.transaction(async |conn| {
        let indexes = if rebuild {
            let indexes = present_indexes(conn, SQLITE_INDEXES_SQL, SQLITE_SCHEMA).await?;
            progress.step(format!("dropping {} secondary indexes", indexes.len()));
            conn.batch_execute(&drop_indexes_sql(&indexes)).await?;
            indexes
        } else {
            Vec::new()
        };
        progress.start();
        while let Some(batch) = batches.recv().await {
            let batch = batch?;
            let batch = conn
                .spawn_blocking(move |conn| {
                    insert_batch!(
                        batch,
                        SQLITE_CUSTOMER_ROWS,
                        SQLITE_VERSION_ROWS,
                        SQLITE_CONTACT_ROWS,
                        SQLITE_REFERENCE_ROWS,
                        |insert| diesel::RunQueryDsl::execute(insert, conn)?
                    );
                    Ok(batch)
                })
                .await?;
            progress.add(&batch);
        }
        let load_time = progress.complete()?;
        if !indexes.is_empty() {
            progress.step(format!("creating {} secondary indexes", indexes.len()));
            conn.batch_execute(&create_indexes_sql(&indexes)).await?;
        }
        progress.step("committing".to_owned());
        Ok(load_time)
    })
    .await
}

/// Statistics for the planner, and (SQLite) the write-ahead log folded back into the
/// database file.
async fn finish(db: &Database) -> Result<(), InfraError> {
    let postgres = db.backend() == Backend::Postgres;
    with_connection!(db, |conn| {
        if postgres {
            conn.transaction(async |conn| {
                conn.batch_execute(POSTGRES_SETTINGS).await?;
                conn.batch_execute(
                    "ANALYZE customers, customer_versions, customer_contacts, customer_references",
                )
                .await?;
                Ok::<_, InfraError>(())
            })
            .await?;
        } else {
            conn.batch_execute("ANALYZE; PRAGMA wal_checkpoint(TRUNCATE)")
                .await?;
        }
        Ok(())
    })
}

// ---------------------------------------------------------------------------------------
// Secondary indexes and foreign keys.

/// A `CREATE INDEX` statement of the schema migration.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Index {
    name: String,
    statement: String,
}

#[derive(QueryableByName)]
struct IndexName {
    #[diesel(sql_type = SqlText)]
    name: String,
}

#[derive(QueryableByName)]
struct ForeignKey {
    #[diesel(sql_type = SqlText)]
    table_name: String,
    #[diesel(sql_type = SqlText)]
    name: String,
    #[diesel(sql_type = SqlText)]
    definition: String,
}

const POSTGRES_INDEXES_SQL: &str =
    "SELECT indexname::text AS name FROM pg_indexes WHERE schemaname = current_schema()";
const SQLITE_INDEXES_SQL: &str = "SELECT name FROM sqlite_master WHERE type = 'index'";
/// The foreign keys of the loaded tables, as the catalogue defines them.
const POSTGRES_FOREIGN_KEYS_SQL: &str = "
SELECT conrelid::regclass::text AS table_name, quote_ident(conname) AS name,
       pg_get_constraintdef(oid) AS definition
FROM pg_constraint
WHERE contype = 'f'
  AND conrelid IN ('customer_versions'::regclass, 'customer_contacts'::regclass,
                   'customer_references'::regclass)
ORDER BY 1, 2";

/// The secondary indexes of the migration `schema` on the loaded tables that the database
/// has (an index dropped since is not created again).
async fn present_indexes<C>(conn: &mut C, sql: &str, schema: &str) -> Result<Vec<Index>, InfraError>
where
    C: AsyncConnection,
    diesel::query_builder::SqlQuery: diesel_async::methods::LoadQuery<'static, C, IndexName>,
{
    let present: Vec<IndexName> = diesel::sql_query(sql).load(conn).await?;
    let present: HashSet<String> = present.into_iter().map(|i| i.name).collect();
    Ok(index_statements(schema, &LOADED_TABLES)
        .into_iter()
        .filter(|index| present.contains(&index.name))
        .collect())
}

fn drop_indexes_sql(indexes: &[Index]) -> String {
    indexes
        .iter()
        .map(|index| format!("DROP INDEX {}", index.name))
        .collect::<Vec<_>>()
        .join(";\n")
}

fn create_indexes_sql(indexes: &[Index]) -> String {
    indexes
        .iter()
        .map(|index| index.statement.as_str())
        .collect::<Vec<_>>()
        .join(";\n")
}

/// The statements that drop the secondary indexes and foreign keys of the loaded tables,
/// and those that create them again.
async fn postgres_rebuild_statements(
    conn: &mut AsyncPgConnection,
) -> Result<(Vec<String>, Vec<String>), InfraError> {
    let indexes = present_indexes(conn, POSTGRES_INDEXES_SQL, POSTGRES_SCHEMA).await?;
    let foreign_keys: Vec<ForeignKey> = diesel::sql_query(POSTGRES_FOREIGN_KEYS_SQL)
        .load(conn)
        .await?;
    let mut drop: Vec<String> = foreign_keys
        .iter()
        .map(|fk| format!("ALTER TABLE {} DROP CONSTRAINT {}", fk.table_name, fk.name))
        .collect();
    drop.extend(
        indexes
            .iter()
            .map(|index| format!("DROP INDEX {}", index.name)),
    );
    let mut restore: Vec<String> = indexes.into_iter().map(|index| index.statement).collect();
    restore.extend(foreign_keys.iter().map(|fk| {
        format!(
            "ALTER TABLE {} ADD CONSTRAINT {} {}",
            fk.table_name, fk.name, fk.definition
        )
    }));
    Ok((drop, restore))
}

/// The `CREATE [UNIQUE] INDEX` statements of `schema` on `tables`, verbatim (SQLite keeps
/// their text in its catalogue), in order.
fn index_statements(schema: &str, tables: &[&str]) -> Vec<Index> {
    let without_comments: String = schema
        .lines()
        .map(|line| line.split_once("--").map_or(line, |(code, _)| code))
        .collect::<Vec<_>>()
        .join("\n");
    without_comments
        .split(';')
        .filter_map(|statement| {
            let words: Vec<&str> = statement.split_whitespace().collect();
            let at = match words.as_slice() {
                ["CREATE", "INDEX", ..] => 2,
                ["CREATE", "UNIQUE", "INDEX", ..] => 3,
                _ => return None,
            };
            let name = (*words.get(at)?).to_owned();
            let table = words
                .get(at + 2)
                .filter(|_| words.get(at + 1) == Some(&"ON"))?;
            tables.contains(table).then(|| Index {
                name,
                statement: statement.trim().to_owned(),
            })
        })
        .collect()
}

// ---------------------------------------------------------------------------------------
// The generator.

/// Ids of the reference data (`2026-11-26-000002_reference_data`) the generator uses.
const MALE: i32 = 1;
const FEMALE: i32 = 2;
const INDIVIDUAL: i32 = 1;
const COMPANY: i32 = 2;
const SAUDI_PHONE_CODE: i32 = 1;
const SAUDI_ARABIA: i32 = 1;
const NATIONAL_ID: i32 = 1;
const IQAMA: i32 = 2;
const PASSPORT: i32 = 3;
const GCC_ID: i32 = 4;
const CR: i32 = 5;
const UNIFIED_NUMBER: i32 = 7;
const ARABIC: i32 = 1;
const ENGLISH: i32 = 2;

/// The latest moment of the data set; customers are created from `FIRST_DAY` on.
fn as_of() -> NaiveDateTime {
    date(2026, 6, 30).and_hms_opt(18, 0, 0).unwrap_or_default()
}

fn first_day() -> NaiveDateTime {
    date(2012, 1, 1).and_hms_opt(0, 0, 0).unwrap_or_default()
}

fn date(year: i32, month: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(year, month, day).unwrap_or_default()
}

/// Picks from small tables, weighted or not.
struct Dice(ChaCha8Rng);

impl Dice {
    fn below(&mut self, n: u32) -> u32 {
        if n <= 1 { 0 } else { self.0.random_range(0..n) }
    }

    /// True with probability `per_mille` / 1000.
    fn chance(&mut self, per_mille: u32) -> bool {
        self.below(1000) < per_mille
    }

    fn pick<T: Copy>(&mut self, items: &[T]) -> T {
        let len = u32::try_from(items.len()).unwrap_or(u32::MAX);
        items[self.below(len) as usize]
    }

    fn weighted<T: Copy>(&mut self, items: &[(T, u32)]) -> T {
        let total: u32 = items.iter().map(|item| item.1).sum();
        let mut roll = self.below(total);
        for &(item, weight) in items {
            if roll < weight {
                return item;
            }
            roll -= weight;
        }
        items[items.len() - 1].0
    }

    /// A number of `digits` random decimal digits (leading zeros allowed).
    fn digits(&mut self, digits: u32) -> u64 {
        self.0.random_range(0..10u64.pow(digits))
    }

    fn between(&mut self, low: i64, high: i64) -> i64 {
        if high <= low {
            low
        } else {
            self.0.random_range(low..=high)
        }
    }

    /// A moment between `from` and `to`, to the second or (one time in four) to the
    /// hundredth of a second.
    fn moment(&mut self, from: NaiveDateTime, to: NaiveDateTime) -> NaiveDateTime {
        let seconds = self.between(0, (to - from).num_seconds());
        let mut at = from + TimeDelta::seconds(seconds);
        if self.chance(250) {
            at += TimeDelta::milliseconds(i64::from(self.below(100)) * 10);
        }
        at.min(to)
    }
}

/// A saved identity, for customers who are the same person in another company or a
/// relative sharing a household.
#[derive(Debug, Clone)]
struct Person {
    nationality: &'static Nationality,
    female: bool,
    first: Name,
    middle: Option<Name>,
    last: Name,
    date_of_birth: NaiveDateTime,
    identification_type: i32,
    identification_no: String,
    mobile: String,
    address: Address,
}

#[derive(Debug, Clone)]
struct Address {
    city: i32,
    region: i32,
    street: Name,
    district: District,
    postal_code: String,
    building_no: String,
    unit_no: String,
    short_code: Option<String>,
}

/// Generates customers one after the other; everything it draws comes from one `ChaCha8`
/// stream, so the same seed and starting ids give the same rows.
struct Generator {
    dice: Dice,
    next: NextIds,
    /// (company id, identification number) of every current version, stored or generated.
    used: HashSet<(i32, u64)>,
    /// (city id, region id, weight).
    cities: Vec<(i32, i32, u32)>,
    /// The last individual of each company of `TENANTS`.
    last_person: Vec<Option<Person>>,
}

impl Generator {
    fn new(seed: u64, next: NextIds, cities: &[(i32, i32)], used: HashSet<(i32, u64)>) -> Self {
        // The stream depends on the seed and on where the ids start, so that a second run
        // on top of the first does not repeat its people.
        let mut key = [0u8; 32];
        key[..8].copy_from_slice(&seed.to_le_bytes());
        key[8..16].copy_from_slice(&next.customer.to_le_bytes());
        key[16..24].copy_from_slice(&next.version.to_le_bytes());
        key[24..].copy_from_slice(b"synthetc");
        let cities = cities
            .iter()
            .map(|&(id, region)| {
                let weight = CITY_DETAILS
                    .iter()
                    .find(|c| c.id == id)
                    .map_or(5, |c| c.weight);
                (id, region, weight)
            })
            .collect();
        Self {
            dice: Dice(ChaCha8Rng::from_seed(key)),
            next,
            used,
            cities,
            last_person: vec![None; TENANTS.len()],
        }
    }

    fn batch(&mut self, customers: usize) -> Result<Batch, InfraError> {
        let mut batch = Batch {
            customers: Vec::with_capacity(customers),
            versions: Vec::with_capacity(customers * 2),
            contacts: Vec::with_capacity(customers * 3 / 2),
            references: Vec::with_capacity(customers),
        };
        for _ in 0..customers {
            self.customer(&mut batch)?;
        }
        Ok(batch)
    }

    fn customer(&mut self, batch: &mut Batch) -> Result<(), InfraError> {
        let customer_id = self.next.customer;
        self.next.customer += 1;
        let tenant = self.dice.weighted(TENANT_WEIGHTS);
        let tenant_index = TENANTS.iter().position(|t| t.id == tenant.id).unwrap_or(0);
        batch.customers.push(NewCustomer {
            customer_id,
            company_id: tenant.id,
        });
        let created = self.dice.moment(first_day(), as_of() - TimeDelta::days(90));
        let (current, person) = if self.dice.chance(800) {
            let person = self.person(tenant, tenant_index, created)?;
            (self.individual(&person, created), Some(person))
        } else {
            (self.organisation(tenant)?, None)
        };
        let mut current = current;
        current.customer_id = customer_id;
        current.company_id = tenant.id;
        current.customer_type_id = Some(if person.is_some() {
            INDIVIDUAL
        } else {
            COMPANY
        });
        current.created_date = Some(created);
        self.versions(current, person.as_ref(), created, batch);
        match &person {
            Some(person) => self.person_contacts(customer_id, person, created, batch),
            None => self.company_contacts(customer_id, created, batch),
        }
        self.references(customer_id, tenant, created, batch);
        if let Some(person) = person {
            self.last_person[tenant_index] = Some(person);
        }
        Ok(())
    }

    // -- people ---------------------------------------------------------------------

    /// The person behind an individual customer: someone new, a relative of the previous
    /// customer of the company (same family name and household), or someone already a
    /// customer of another company of the group.
    fn person(
        &mut self,
        tenant: &Tenant,
        tenant_index: usize,
        created: NaiveDateTime,
    ) -> Result<Person, InfraError> {
        if self.dice.chance(20) {
            let other = self.dice.below(u32::try_from(TENANTS.len()).unwrap_or(1)) as usize;
            if other != tenant_index
                && let Some(known) = self.last_person[other].clone()
                && let Some(key) = number_key(&known.identification_no)
                && self.used.insert((tenant.id, key))
            {
                return Ok(known);
            }
        }
        let relative = if self.dice.chance(60) {
            self.last_person[tenant_index].clone()
        } else {
            None
        };
        let nationality = match &relative {
            Some(relative) => relative.nationality,
            None => self.dice.weighted(NATIONALITY_WEIGHTS),
        };
        let names = nationality.names;
        let female = self.dice.chance(nationality.female_per_mille);
        let first = self
            .dice
            .pick(if female { names.female } else { names.male });
        let middle = if self.dice.chance(names.middle_per_mille) {
            Some(self.dice.pick(names.middle))
        } else {
            None
        };
        let age_days = self.dice.between(18 * 365, 72 * 365);
        let date_of_birth = (created.date() - TimeDelta::days(age_days))
            .and_hms_opt(0, 0, 0)
            .unwrap_or_default();
        let (identification_type, identification_no) =
            self.identification(tenant.id, nationality, date_of_birth)?;
        let (last, mobile, address) = if let Some(relative) = relative {
            let mobile = if self.dice.chance(700) {
                relative.mobile
            } else {
                self.saudi_mobile()
            };
            (relative.last, mobile, relative.address)
        } else {
            let last = self.dice.pick(names.family);
            let mobile = self.saudi_mobile();
            let address = self.address(false);
            (last, mobile, address)
        };
        Ok(Person {
            nationality,
            female,
            first,
            middle,
            last,
            date_of_birth,
            identification_type,
            identification_no,
            mobile,
            address,
        })
    }

    /// An identification number not yet used by a current version of the company.
    fn identification(
        &mut self,
        company: i32,
        nationality: &Nationality,
        date_of_birth: NaiveDateTime,
    ) -> Result<(i32, String), InfraError> {
        let kind = match nationality.identification {
            IdKind::NationalId => NATIONAL_ID,
            IdKind::Gcc(_) => GCC_ID,
            IdKind::Iqama => IQAMA,
        };
        self.unique_number(company, |dice| match nationality.identification {
            IdKind::NationalId => with_check_digit(&format!("1{:08}", dice.digits(8))),
            IdKind::Iqama => with_check_digit(&format!("2{:08}", dice.digits(8))),
            IdKind::Gcc(format) => gcc_id(dice, format, date_of_birth),
        })
        .map(|number| (kind, number))
    }

    fn unique_number(
        &mut self,
        company: i32,
        mut make: impl FnMut(&mut Dice) -> String,
    ) -> Result<String, InfraError> {
        for _ in 0..1_000 {
            let number = make(&mut self.dice);
            let key = number_key(&number).unwrap_or(0);
            if self.used.insert((company, key)) {
                return Ok(number);
            }
        }
        Err(InfraError::Inconsistent(format!(
            "no unused identification number found for company {company} after 1000 draws: \
             the number space is nearly exhausted"
        )))
    }

    fn saudi_mobile(&mut self) -> String {
        let operator = self.dice.pick(&[0, 3, 4, 5, 6, 8, 9]);
        format!("5{operator}{:07}", self.dice.digits(7))
    }

    /// A mobile number of the person's home country, with its phone code id.
    fn home_mobile(&mut self, nationality: &Nationality) -> Option<(i32, String)> {
        let home = nationality.home?;
        let prefix = self.dice.pick(home.prefixes);
        let digits = home.length - u32::try_from(prefix.len()).unwrap_or(0);
        let number = format!(
            "{prefix}{:0width$}",
            self.dice.digits(digits),
            width = digits as usize
        );
        Some((home.code, number))
    }

    fn address(&mut self, company: bool) -> Address {
        let weights: Vec<((i32, i32), u32)> = self
            .cities
            .iter()
            .map(|&(id, region, weight)| ((id, region), weight))
            .collect();
        let (city, region) = self.dice.weighted(&weights);
        let street = self.dice.pick(STREETS);
        let district = self.dice.pick(DISTRICTS);
        let postal_code = format!(
            "{}{:04}",
            REGION_POSTAL_DIGIT
                .iter()
                .find(|r| r.0 == region)
                .map_or(1, |r| r.1),
            1 + self.dice.digits(4) % 9_999
        );
        let building = 1_000 + self.dice.digits(4) % 9_000;
        let unit_no = if company {
            format!("{}", 1 + self.dice.below(40))
        } else {
            format!("{}", 1 + self.dice.below(20))
        };
        let short_code = self.dice.chance(600).then(|| {
            let region_letter = REGION_LETTERS
                .iter()
                .find(|r| r.0 == region)
                .map_or('R', |r| r.1);
            let mut code = String::with_capacity(8);
            code.push(region_letter);
            for _ in 0..3 {
                code.push(char::from(
                    b'A' + u8::try_from(self.dice.below(26)).unwrap_or(0),
                ));
            }
            code.push_str(&building.to_string());
            code
        });
        Address {
            city,
            region,
            street,
            district,
            postal_code,
            building_no: building.to_string(),
            unit_no,
            short_code,
        }
    }

    fn email(&mut self, first: &str, last: &str) -> String {
        let first = slug(first);
        let last = slug(last);
        let domain = self
            .dice
            .pick(&["example.com", "example.net", "example.org"]);
        match self.dice.below(4) {
            0 => format!("{first}.{last}@{domain}"),
            1 => format!("{}.{last}@{domain}", &first[..1.min(first.len())]),
            2 => format!("{first}{}@{domain}", self.dice.below(100)),
            _ => format!("{first}_{last}{}@{domain}", 70 + self.dice.below(35)),
        }
    }

    /// The current version of an individual.
    fn individual(&mut self, person: &Person, created: NaiveDateTime) -> NewVersion {
        let nationality = person.nationality;
        let arabic = nationality.names.arabic_script;
        let occupation = if arabic {
            self.dice.pick(if person.female {
                OCCUPATIONS_AR_FEMALE
            } else {
                OCCUPATIONS_AR_MALE
            })
        } else {
            self.dice.pick(OCCUPATIONS_EN)
        };
        let additional = if self.dice.chance(150) {
            match self.home_mobile(nationality) {
                Some(home) if self.dice.chance(600) => Some(home),
                _ => Some((SAUDI_PHONE_CODE, self.saudi_mobile())),
            }
        } else {
            None
        };
        let email = self
            .dice
            .chance(700)
            .then(|| self.email(person.first.latin, person.last.latin));
        let mut version = NewVersion {
            first_name: text(person.first.local),
            middle_name: person.middle.map(|m| Cow::Borrowed(m.local)),
            last_name: text(person.last.local),
            nationality_id: Some(nationality.id),
            gender_id: Some(if person.female { FEMALE } else { MALE }),
            date_of_birth: Some(person.date_of_birth),
            occupation: (!self.dice.chance(100)).then_some(Cow::Borrowed(occupation)),
            preferred_contact_type_id: Some(self.dice.weighted(CONTACT_TYPES)),
            email_address: email.map(Cow::Owned),
            phone_code_id: Some(SAUDI_PHONE_CODE),
            mobile_number: owned(person.mobile.clone()),
            additional_phone_code_id: additional.as_ref().map(|a| a.0),
            additional_mobile_number: additional.map(|a| Cow::Owned(a.1)),
            identification_type_id: Some(person.identification_type),
            identification_no: owned(person.identification_no.clone()),
            monthly_income_id: Some(self.dice.weighted(nationality.income)),
            is_active: self.flag(950, 30),
            preferred_language_id: Some(self.dice.weighted(nationality.languages)),
            user_active: self.flag(850, 100),
            ..NewVersion::default()
        };
        self.set_address(&mut version, &person.address, arabic);
        if created < date(2015, 1, 1).and_hms_opt(0, 0, 0).unwrap_or_default()
            && self.dice.chance(300)
        {
            version.user_active = Some(false);
        }
        version
    }

    /// `Some(true)` with probability `yes`, `Some(false)` with `no` (per mille), else `None`.
    fn flag(&mut self, yes: u32, no: u32) -> Option<bool> {
        let roll = self.dice.below(1000);
        if roll < yes {
            Some(true)
        } else if roll < yes + no {
            Some(false)
        } else {
            None
        }
    }

    fn set_address(&mut self, version: &mut NewVersion, address: &Address, arabic: bool) {
        let local = |name: Name| Cow::Borrowed(if arabic { name.local } else { name.latin });
        version.country_id = Some(SAUDI_ARABIA);
        version.region_id = Some(address.region);
        version.city_id = Some(address.city);
        version.address1 = Some(local(address.street));
        version.address2 = Some(Cow::Borrowed(if arabic {
            address.district.ar_line
        } else {
            address.district.en_line
        }));
        version.city_sub_division_name = Some(local(address.district.name));
        version.postal_code = owned(address.postal_code.clone());
        version.zip_code = self
            .dice
            .chance(200)
            .then(|| Cow::Owned(address.postal_code.clone()));
        version.national_address = address.short_code.clone().map(Cow::Owned);
        let detailed = address.short_code.is_some();
        version.building_no = detailed.then(|| Cow::Owned(address.building_no.clone()));
        version.unit_no = detailed.then(|| Cow::Owned(address.unit_no.clone()));
    }

    // -- companies --------------------------------------------------------------------

    /// The current version of a company customer.
    fn organisation(&mut self, tenant: &Tenant) -> Result<NewVersion, InfraError> {
        let company_type = self.dice.weighted(COMPANY_TYPES);
        let industry = self.dice.weighted(INDUSTRY_WEIGHTS);
        let arabic = company_type != 7 && self.dice.chance(550);
        let (name, latin) = self.company_name(company_type, industry, arabic);
        let address = self.address(true);
        let unified = self.dice.chance(200);
        let cr_office = CITY_DETAILS
            .iter()
            .find(|c| c.id == address.city)
            .map_or("1010", |c| c.cr_office);
        let number = self.unique_number(tenant.id, |dice| {
            if unified {
                format!("70{:08}", dice.digits(8))
            } else {
                format!("{cr_office}{:06}", dice.digits(6))
            }
        })?;
        let contact = self.contact_person(arabic);
        let domain = slug(latin);
        let mut version = NewVersion {
            company_name: owned(name),
            contact_name: owned(contact),
            company_type_id: Some(company_type),
            industry_type_id: Some(industry.id),
            occupation: None,
            preferred_contact_type_id: Some(self.dice.weighted(&[
                (1, 40),
                (3, 40),
                (4, 15),
                (5, 5),
            ])),
            email_address: self.dice.chance(800).then(|| {
                let mailbox = self
                    .dice
                    .pick(&["info", "contact", "accounts", "admin", "sales"]);
                Cow::Owned(format!("{mailbox}@{domain}.example.com"))
            }),
            phone_code_id: Some(SAUDI_PHONE_CODE),
            mobile_number: owned(self.saudi_mobile()),
            identification_type_id: Some(if unified { UNIFIED_NUMBER } else { CR }),
            commercial_record: (!unified).then(|| Cow::Owned(number.clone())),
            identification_no: owned(number),
            vat_reg_no: self
                .dice
                .chance(700)
                .then(|| Cow::Owned(format!("3{:013}3", self.dice.digits(13)))),
            plot_identification: self.dice.chance(250).then(|| {
                Cow::Owned(format!(
                    "{}/{}",
                    1_000 + self.dice.below(9_000),
                    1 + self.dice.below(300)
                ))
            }),
            is_active: self.flag(930, 50),
            preferred_language_id: Some(if arabic && self.dice.chance(800) {
                ARABIC
            } else {
                ENGLISH
            }),
            user_active: self.flag(900, 80),
            ..NewVersion::default()
        };
        if self.dice.chance(200) {
            version.additional_phone_code_id = Some(SAUDI_PHONE_CODE);
            version.additional_mobile_number = owned(self.saudi_mobile());
        }
        self.set_address(&mut version, &address, arabic);
        Ok(version)
    }

    /// A company name in Arabic or English, and the Latin word of it that its e-mail
    /// domain is made of.
    fn company_name(
        &mut self,
        company_type: i32,
        industry: &Industry,
        arabic: bool,
    ) -> (String, &'static str) {
        match (company_type, arabic) {
            (3, _) => {
                let first = self.dice.pick(SAUDI.male);
                let last = self.dice.pick(SAUDI.family);
                let name = if arabic {
                    format!("مؤسسة {} {} {}", first.local, last.local, industry.ar)
                } else {
                    format!("{} {} {} Est.", first.latin, last.latin, industry.en)
                };
                (name, last.latin)
            }
            (4 | 5, _) => {
                let last = self.dice.pick(SAUDI.family);
                let name = if arabic {
                    format!("شركة {} وشركاه {}", last.local, industry.ar)
                } else {
                    format!("{} & Partners {} Co.", last.latin, industry.en)
                };
                (name, last.latin)
            }
            (7, _) => {
                let last = self.dice.pick(WESTERN.family);
                let suffix = self
                    .dice
                    .pick(&["International", "Global", "Group", "Holdings"]);
                let name = format!("{} {suffix} {} (Saudi Branch)", last.latin, industry.en);
                (name, last.latin)
            }
            _ => {
                let word = self.dice.pick(COMPANY_WORDS);
                let name = if arabic {
                    format!("شركة {} {}", word.local, industry.ar)
                } else {
                    let suffix = match company_type {
                        1 => "Co. Ltd.",
                        2 => "Company",
                        _ => "Co.",
                    };
                    format!("{} {} {suffix}", word.latin, industry.en)
                };
                (name, word.latin)
            }
        }
    }

    fn contact_person(&mut self, arabic: bool) -> String {
        if arabic || self.dice.chance(500) {
            let first = self.dice.pick(SAUDI.male);
            let last = self.dice.pick(SAUDI.family);
            if arabic {
                format!("{} {}", first.local, last.local)
            } else {
                format!("{} {}", first.latin, last.latin)
            }
        } else {
            let names = self.dice.weighted(NATIONALITY_WEIGHTS).names;
            let first = self.dice.pick(names.male);
            let last = self.dice.pick(names.family);
            format!("{} {}", first.latin, last.latin)
        }
    }

    // -- versions ---------------------------------------------------------------------

    /// The versions of a customer, oldest first: the current one last, each older one
    /// differing from the next in one respect, each ending when the next starts.
    fn versions(
        &mut self,
        current: NewVersion,
        person: Option<&Person>,
        created: NaiveDateTime,
        batch: &mut Batch,
    ) {
        let count = self.dice.weighted(&[(1usize, 600), (2, 280), (3, 120)]);
        let mut newest_first = vec![current];
        for _ in 1..count {
            let mut older = newest_first[newest_first.len() - 1].clone();
            self.alter(&mut older, person);
            newest_first.push(older);
        }
        // A resident's first version may carry the passport he came with.
        if count > 1
            && person.is_some_and(|p| p.identification_type == IQAMA)
            && self.dice.chance(300)
            && let Some(oldest) = newest_first.last_mut()
        {
            let letter = char::from(b'A' + u8::try_from(self.dice.below(26)).unwrap_or(0));
            oldest.identification_type_id = Some(PASSPORT);
            oldest.identification_no = owned(format!("{letter}{:07}", self.dice.digits(7)));
        }
        let mut starts = vec![created];
        for left in (1..count).rev() {
            let previous = starts[starts.len() - 1];
            let latest = as_of() - TimeDelta::days(i64::try_from(left).unwrap_or(0) - 1);
            let start = self.dice.moment(
                previous + TimeDelta::days(1),
                latest.max(previous + TimeDelta::days(1)),
            );
            starts.push(start);
        }
        let customer_version_ids = 1..;
        for ((mut version, number), index) in newest_first
            .into_iter()
            .rev()
            .zip(customer_version_ids)
            .zip(0..)
        {
            version.version_id = self.next.version;
            self.next.version += 1;
            version.customer_version_id = number;
            version.start_date = starts[index];
            version.end_date = starts.get(index + 1).copied();
            batch.versions.push(version);
        }
    }

    /// Makes `version` an older state of the customer.
    fn alter(&mut self, version: &mut NewVersion, person: Option<&Person>) {
        let arabic = version
            .first_name
            .as_deref()
            .or(version.company_name.as_deref())
            .is_some_and(is_arabic);
        match (person, self.dice.below(10)) {
            (_, 0..=3) => version.mobile_number = owned(self.saudi_mobile()),
            (_, 4..=6) => {
                let address = self.address(person.is_none());
                self.set_address(version, &address, arabic);
            }
            (Some(person), 7 | 8) => {
                let nationality = person.nationality;
                version.occupation = Some(Cow::Borrowed(if arabic {
                    self.dice.pick(if person.female {
                        OCCUPATIONS_AR_FEMALE
                    } else {
                        OCCUPATIONS_AR_MALE
                    })
                } else {
                    self.dice.pick(OCCUPATIONS_EN)
                }));
                version.monthly_income_id = Some(self.dice.weighted(nationality.income));
            }
            (Some(person), _) => {
                version.email_address = owned(self.email(person.first.latin, person.last.latin));
            }
            (None, 7 | 8) => version.contact_name = owned(self.contact_person(arabic)),
            (None, _) => {
                let company_type = version.company_type_id.unwrap_or(1);
                let industry = INDUSTRIES
                    .iter()
                    .find(|i| Some(i.id) == version.industry_type_id)
                    .unwrap_or(&INDUSTRIES[0]);
                version.company_name = owned(self.company_name(company_type, industry, arabic).0);
            }
        }
    }

    // -- contacts and references ----------------------------------------------------

    fn person_contacts(
        &mut self,
        customer_id: i64,
        person: &Person,
        created: NaiveDateTime,
        batch: &mut Batch,
    ) {
        let count = self
            .dice
            .weighted(&[(0u32, 300), (1, 350), (2, 220), (3, 130)]);
        let names = person.nationality.names;
        let arabic = names.arabic_script;
        let age_years = (created - person.date_of_birth).num_days() / 365;
        for index in 0..count {
            let relation = self.dice.weighted(&[
                (SPOUSE, 250),
                (4, 60),
                (5, 60),
                (6, 150),
                (7, 80),
                (8, if age_years > 38 { 120 } else { 0 }),
                (9, if age_years > 38 { 80 } else { 0 }),
                (3, 120),
                (10, 80),
                (11, 60),
            ]);
            let relation = if relation == SPOUSE {
                if person.female { 1 } else { 2 }
            } else {
                relation
            };
            let female = matches!(relation, 2 | 5 | 7 | 9)
                || (matches!(relation, 3 | 10 | 11) && self.dice.chance(300));
            let first = self
                .dice
                .pick(if female { names.female } else { names.male });
            let (middle, last) = match relation {
                4 => (None, Some(person.last)),
                6 | 7 | 11 => (person.middle, Some(person.last)),
                8 | 9 => (Some(person.first), Some(person.last)),
                _ => (None, Some(self.dice.pick(names.family))),
            };
            let first = if relation == 4 {
                person.middle.unwrap_or(first)
            } else {
                first
            };
            let name = [Some(first), middle, last]
                .into_iter()
                .flatten()
                .map(|n| if arabic { n.local } else { n.latin })
                .collect::<Vec<_>>()
                .join(" ");
            let (code, number) = match self.home_mobile(person.nationality) {
                Some((code, number))
                    if matches!(relation, 4 | 5 | 6 | 7 | 11) && self.dice.chance(500) =>
                {
                    (Some(code), number)
                }
                _ => (
                    (self.dice.chance(100)).then_some(SAUDI_PHONE_CODE),
                    self.saudi_mobile(),
                ),
            };
            let profession = if self.dice.chance(500) {
                Some(Cow::Borrowed(if arabic {
                    self.dice.pick(if female {
                        OCCUPATIONS_AR_FEMALE
                    } else {
                        OCCUPATIONS_AR_MALE
                    })
                } else {
                    self.dice.pick(OCCUPATIONS_EN)
                }))
            } else {
                None
            };
            let remarks = self.remarks(arabic);
            self.push_contact(
                batch,
                customer_id,
                index == 0,
                created,
                ContactParts {
                    number,
                    relation,
                    name,
                    code,
                    profession,
                    remarks,
                },
            );
        }
    }

    fn company_contacts(&mut self, customer_id: i64, created: NaiveDateTime, batch: &mut Batch) {
        let count = self
            .dice
            .weighted(&[(0u32, 250), (1, 400), (2, 230), (3, 120)]);
        for index in 0..count {
            let arabic = self.dice.chance(500);
            let relation = if index == 0 {
                12
            } else {
                self.dice.pick(&[10, 12, 13])
            };
            let (ar, en) = self.dice.pick(COMPANY_ROLES);
            let name = self.contact_person(arabic);
            let number = self.saudi_mobile();
            let remarks = self.remarks(arabic);
            self.push_contact(
                batch,
                customer_id,
                index == 0,
                created,
                ContactParts {
                    number,
                    relation,
                    name,
                    code: None,
                    profession: Some(Cow::Borrowed(if arabic { ar } else { en })),
                    remarks,
                },
            );
        }
    }

    fn remarks(&mut self, arabic: bool) -> Text {
        match self.dice.below(10) {
            0..=4 => text(""),
            5..=7 => None,
            _ => Some(Cow::Borrowed(self.dice.pick(if arabic {
                REMARKS_AR
            } else {
                REMARKS_EN
            }))),
        }
    }

    fn push_contact(
        &mut self,
        batch: &mut Batch,
        customer_id: i64,
        first: bool,
        created: NaiveDateTime,
        parts: ContactParts,
    ) {
        let start = self
            .dice
            .chance(500)
            .then(|| self.dice.moment(created, as_of()));
        let end = match start {
            Some(start) if self.dice.chance(80) => Some(self.dice.moment(start, as_of())),
            _ => None,
        };
        let is_active = if end.is_some() {
            Some(false)
        } else {
            self.flag(920, 20)
        };
        batch.contacts.push(NewContact {
            contact_id: self.next.contact,
            customer_id,
            contact_number: owned(parts.number),
            relation_type_id: Some(parts.relation),
            contact_name: owned(parts.name),
            contact_phone_code_id: parts.code,
            primary_contact: first && self.dice.chance(600),
            contact_start_date: start,
            contact_end_date: end,
            is_active,
            contact_is_enable: self.flag(600, 50),
            profession: parts.profession,
            remarks: parts.remarks,
        });
        self.next.contact += 1;
    }

    /// References unique in the whole data set: their number is the reference id.
    fn references(
        &mut self,
        customer_id: i64,
        tenant: &Tenant,
        created: NaiveDateTime,
        batch: &mut Batch,
    ) {
        let count = self.dice.weighted(&[(0u32, 250), (1, 500), (2, 250)]);
        for _ in 0..count {
            let reference_id = self.next.reference;
            self.next.reference += 1;
            let reference_no = if self.dice.chance(200) {
                format!("{}", 10_000_000 + reference_id)
            } else {
                let prefix = self.dice.pick(tenant.prefixes);
                let year = self.dice.moment(created, as_of()).year();
                format!("{prefix}-{year}-{reference_id:07}")
            };
            batch.references.push(NewReference {
                reference_id,
                company_id: tenant.id,
                customer_id,
                reference_no,
            });
        }
    }
}

struct ContactParts {
    number: String,
    relation: i32,
    name: String,
    code: Option<i32>,
    profession: Text,
    remarks: Text,
}

/// Relation drawn for a spouse, made husband (1) or wife (2) by the customer's gender.
const SPOUSE: i32 = 0;

/// A Saudi ID or iqama: 9 digits and the Luhn check digit that Saudi IDs carry.
fn with_check_digit(body: &str) -> String {
    let sum: u32 = body
        .bytes()
        .enumerate()
        .map(|(position, byte)| {
            let digit = u32::from(byte - b'0');
            if position % 2 == 0 {
                let doubled = digit * 2;
                doubled / 10 + doubled % 10
            } else {
                digit
            }
        })
        .sum();
    format!("{body}{}", (10 - sum % 10) % 10)
}

/// A national ID of a GCC country in its own format.
fn gcc_id(dice: &mut Dice, format: GccFormat, date_of_birth: NaiveDateTime) -> String {
    let year = date_of_birth.year();
    let century = if year >= 2000 { 3 } else { 2 };
    let yy = year % 100;
    match format {
        // Emirates ID: 784, year of birth, 7 digits, check digit.
        GccFormat::Emirati => with_check_digit(&format!("784{year}{:07}", dice.digits(7))),
        // Kuwaiti civil ID: century, date of birth (YYMMDD), 5 digits.
        GccFormat::Kuwaiti => format!(
            "{century}{yy:02}{:02}{:02}{:05}",
            date_of_birth.month(),
            date_of_birth.day(),
            dice.digits(5)
        ),
        // Qatari ID: century, year of birth (YY), country code 634, 5 digits.
        GccFormat::Qatari => format!("{century}{yy:02}634{:05}", dice.digits(5)),
        // Bahraini CPR: YYMM of birth, 5 digits.
        GccFormat::Bahraini => format!("{yy:02}{:02}{:05}", date_of_birth.month(), dice.digits(5)),
        // Omani civil number: 8 digits.
        GccFormat::Omani => format!("{}", 10_000_000 + dice.digits(8) % 90_000_000),
    }
}

/// Lower-case ASCII letters and digits of a Latin name, for e-mail addresses.
fn slug(name: &str) -> String {
    let slug: String = name
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_lowercase())
        .collect();
    if slug.is_empty() {
        "customer".to_owned()
    } else {
        slug
    }
}

fn is_arabic(text: &str) -> bool {
    text.chars().any(|c| ('\u{0600}'..='\u{06FF}').contains(&c))
}

// ---------------------------------------------------------------------------------------
// Data tables.

/// A company of the group (a tenant of the service).
#[derive(Debug)]
struct Tenant {
    id: i32,
    code: &'static str,
    name_ar: &'static str,
    name_en: &'static str,
    /// Prefixes of its reference numbers.
    prefixes: &'static [&'static str],
}

const TENANTS: &[Tenant] = &[
    Tenant {
        id: 1,
        code: "jtc",
        name_ar: "شركة جود للتكافل",
        name_en: "Jood Takaful Company",
        prefixes: &["POL", "POL", "MTR", "MED", "GRP", "TRV", "ENG"],
    },
    Tenant {
        id: 2,
        code: "jfc",
        name_ar: "شركة جود للتمويل",
        name_en: "Jood Finance Company",
        prefixes: &["PF", "AUTO", "MRT", "FIN", "CC"],
    },
    Tenant {
        id: 3,
        code: "jlc",
        name_ar: "شركة جود للتأجير",
        name_en: "Jood Leasing Company",
        prefixes: &["LEASE", "FLT"],
    },
    Tenant {
        id: 4,
        code: "jrc",
        name_ar: "شركة جود العقارية",
        name_en: "Jood Real Estate Company",
        prefixes: &["RENT", "UNIT", "SALE"],
    },
    Tenant {
        id: 5,
        code: "jic",
        name_ar: "شركة جود للاستثمار",
        name_en: "Jood Investment Company",
        prefixes: &["INV", "PORT", "IPO"],
    },
];

const TENANT_WEIGHTS: &[(&Tenant, u32)] = &[
    (&TENANTS[0], 40),
    (&TENANTS[1], 25),
    (&TENANTS[2], 12),
    (&TENANTS[3], 13),
    (&TENANTS[4], 10),
];

/// A name in the script it is stored in, and in Latin letters (for e-mail addresses).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Name {
    local: &'static str,
    latin: &'static str,
}

const fn ar(local: &'static str, latin: &'static str) -> Name {
    Name { local, latin }
}

const fn la(latin: &'static str) -> Name {
    Name {
        local: latin,
        latin,
    }
}

/// Common names of a group of nationalities.
#[derive(Debug)]
struct Names {
    arabic_script: bool,
    male: &'static [Name],
    female: &'static [Name],
    /// Middle names: the father's first name for Arab names.
    middle: &'static [Name],
    middle_per_mille: u32,
    family: &'static [Name],
}

const SAUDI_MALE: &[Name] = &[
    ar("محمد", "Mohammed"),
    ar("عبدالله", "Abdullah"),
    ar("عبدالرحمن", "Abdulrahman"),
    ar("فهد", "Fahad"),
    ar("خالد", "Khalid"),
    ar("سعود", "Saud"),
    ar("فيصل", "Faisal"),
    ar("سلطان", "Sultan"),
    ar("تركي", "Turki"),
    ar("عبدالعزيز", "Abdulaziz"),
    ar("نايف", "Naif"),
    ar("بندر", "Bandar"),
    ar("ماجد", "Majed"),
    ar("سعد", "Saad"),
    ar("ناصر", "Nasser"),
    ar("عمر", "Omar"),
    ar("علي", "Ali"),
    ar("أحمد", "Ahmed"),
    ar("يوسف", "Yousef"),
    ar("إبراهيم", "Ibrahim"),
    ar("راشد", "Rashed"),
    ar("حمد", "Hamad"),
    ar("منصور", "Mansour"),
    ar("مشعل", "Mishal"),
    ar("وليد", "Waleed"),
    ar("ياسر", "Yasser"),
    ar("طلال", "Talal"),
    ar("بدر", "Badr"),
    ar("عادل", "Adel"),
    ar("سلمان", "Salman"),
    ar("زياد", "Ziyad"),
    ar("مازن", "Mazen"),
    ar("هشام", "Hisham"),
    ar("عبدالمجيد", "Abdulmajeed"),
    ar("عبدالإله", "Abdulelah"),
    ar("متعب", "Miteb"),
    ar("نواف", "Nawaf"),
    ar("حسن", "Hassan"),
    ar("حسين", "Hussain"),
    ar("صالح", "Saleh"),
];

const SAUDI_FEMALE: &[Name] = &[
    ar("نورة", "Noura"),
    ar("سارة", "Sara"),
    ar("فاطمة", "Fatimah"),
    ar("مريم", "Maryam"),
    ar("عائشة", "Aisha"),
    ar("هيا", "Haya"),
    ar("ريم", "Reem"),
    ar("لطيفة", "Latifa"),
    ar("منيرة", "Munira"),
    ar("الجوهرة", "Aljawhara"),
    ar("نوف", "Nouf"),
    ar("العنود", "Alanoud"),
    ar("دانة", "Dana"),
    ar("لمى", "Lama"),
    ar("شهد", "Shahad"),
    ar("رهف", "Rahaf"),
    ar("أمل", "Amal"),
    ar("هند", "Hind"),
    ar("جواهر", "Jawaher"),
    ar("مها", "Maha"),
    ar("أسماء", "Asma"),
    ar("خلود", "Kholoud"),
    ar("عبير", "Abeer"),
    ar("غادة", "Ghada"),
    ar("وعد", "Waad"),
    ar("روان", "Rawan"),
    ar("لجين", "Lujain"),
    ar("بشاير", "Bashayer"),
    ar("حصة", "Hessa"),
    ar("منى", "Mona"),
];

const SAUDI_FAMILY: &[Name] = &[
    ar("القحطاني", "Alqahtani"),
    ar("العتيبي", "Alotaibi"),
    ar("الدوسري", "Aldosari"),
    ar("الشمري", "Alshammari"),
    ar("الغامدي", "Alghamdi"),
    ar("الزهراني", "Alzahrani"),
    ar("الحربي", "Alharbi"),
    ar("المطيري", "Almutairi"),
    ar("العنزي", "Alanazi"),
    ar("الشهري", "Alshehri"),
    ar("السبيعي", "Alsubaie"),
    ar("الرشيدي", "Alrashidi"),
    ar("العمري", "Alamri"),
    ar("المالكي", "Almalki"),
    ar("الجهني", "Aljohani"),
    ar("البقمي", "Albuqami"),
    ar("السهلي", "Alsahli"),
    ar("الخالدي", "Alkhaldi"),
    ar("التميمي", "Altamimi"),
    ar("الأحمدي", "Alahmadi"),
    ar("الشهراني", "Alshahrani"),
    ar("اليامي", "Alyami"),
    ar("العسيري", "Alasiri"),
    ar("القرشي", "Alqurashi"),
    ar("الفيفي", "Alfaifi"),
    ar("الثبيتي", "Althubaiti"),
    ar("الصاعدي", "Alsaedi"),
    ar("البلوي", "Albalawi"),
    ar("الرويلي", "Alruwaili"),
    ar("الهاجري", "Alhajri"),
    ar("المري", "Almarri"),
    ar("السديري", "Alsudairi"),
    ar("الراشد", "Alrashed"),
    ar("الحميدان", "Alhumaidan"),
    ar("الفوزان", "Alfawzan"),
    ar("السالم", "Alsalem"),
    ar("الخضيري", "Alkhudairi"),
    ar("باعشن", "Baashen"),
];

const GULF_FAMILY: &[Name] = &[
    ar("الكعبي", "Alkaabi"),
    ar("النعيمي", "Alnuaimi"),
    ar("المنصوري", "Almansoori"),
    ar("الظاهري", "Aldhaheri"),
    ar("الشامسي", "Alshamsi"),
    ar("المزروعي", "Almazrouei"),
    ar("العجمي", "Alajmi"),
    ar("المطوع", "Almutawa"),
    ar("العازمي", "Alazmi"),
    ar("الكندري", "Alkandari"),
    ar("الكواري", "Alkuwari"),
    ar("السليطي", "Alsulaiti"),
    ar("المهندي", "Almohannadi"),
    ar("البوعينين", "Albuainain"),
    ar("الجلاهمة", "Aljalahma"),
    ar("المناعي", "Almannai"),
    ar("البلوشي", "Albalushi"),
    ar("الحارثي", "Alharthy"),
    ar("الهنائي", "Alhinai"),
    ar("الريامي", "Alriyami"),
];

const SAUDI: Names = Names {
    arabic_script: true,
    male: SAUDI_MALE,
    female: SAUDI_FEMALE,
    middle: SAUDI_MALE,
    middle_per_mille: 970,
    family: SAUDI_FAMILY,
};

const GULF: Names = Names {
    arabic_script: true,
    male: SAUDI_MALE,
    female: SAUDI_FEMALE,
    middle: SAUDI_MALE,
    middle_per_mille: 950,
    family: GULF_FAMILY,
};

const ARAB_MALE: &[Name] = &[
    la("Mohamed"),
    la("Ahmed"),
    la("Mahmoud"),
    la("Mostafa"),
    la("Omar"),
    la("Khaled"),
    la("Tarek"),
    la("Hany"),
    la("Amr"),
    la("Karim"),
    la("Youssef"),
    la("Sameh"),
    la("Walid"),
    la("Hassan"),
    la("Ibrahim"),
    la("Osama"),
    la("Bilal"),
    la("Fadi"),
    la("Rami"),
    la("Samer"),
    la("Ayman"),
    la("Hatem"),
];

const ARAB_EXPATRIATE: Names = Names {
    arabic_script: false,
    male: ARAB_MALE,
    female: &[
        la("Fatma"),
        la("Mona"),
        la("Rania"),
        la("Dina"),
        la("Heba"),
        la("Noha"),
        la("Aya"),
        la("Lina"),
        la("Rana"),
        la("Reem"),
        la("Salma"),
        la("Nour"),
        la("Yasmin"),
        la("Hala"),
        la("Manal"),
        la("Ghada"),
    ],
    middle: ARAB_MALE,
    middle_per_mille: 900,
    family: &[
        la("Hassan"),
        la("Abdelrahman"),
        la("Mahmoud"),
        la("Ibrahim"),
        la("El-Sayed"),
        la("Mostafa"),
        la("Haddad"),
        la("Khoury"),
        la("Nasser"),
        la("Saleh"),
        la("Awad"),
        la("Mansour"),
        la("Darwish"),
        la("Qasem"),
        la("Othman"),
        la("Abdallah"),
        la("Salem"),
        la("Hamdan"),
        la("Khalil"),
        la("Suleiman"),
        la("Osman"),
    ],
};

const INDIAN: Names = Names {
    arabic_script: false,
    male: &[
        la("Rajesh"),
        la("Suresh"),
        la("Ramesh"),
        la("Arun"),
        la("Vijay"),
        la("Anil"),
        la("Sanjay"),
        la("Rahul"),
        la("Deepak"),
        la("Manoj"),
        la("Sunil"),
        la("Pradeep"),
        la("Ajith"),
        la("Naveen"),
        la("Santhosh"),
        la("Mohammed"),
        la("Abdul"),
        la("Shafeeq"),
        la("Jithin"),
        la("Vinod"),
    ],
    female: &[
        la("Priya"),
        la("Lakshmi"),
        la("Anjali"),
        la("Deepa"),
        la("Sunita"),
        la("Kavitha"),
        la("Divya"),
        la("Sneha"),
        la("Reshma"),
        la("Fathima"),
        la("Meera"),
        la("Anitha"),
    ],
    middle: &[
        la("Kumar"),
        la("Prasad"),
        la("Chandra"),
        la("Mohan"),
        la("Krishna"),
        la("Raj"),
        la("Babu"),
    ],
    middle_per_mille: 600,
    family: &[
        la("Nair"),
        la("Pillai"),
        la("Menon"),
        la("Sharma"),
        la("Patel"),
        la("Reddy"),
        la("Iyer"),
        la("Khan"),
        la("Varghese"),
        la("Thomas"),
        la("Joseph"),
        la("Singh"),
        la("Gupta"),
        la("Rao"),
        la("Kurian"),
        la("Abraham"),
        la("Das"),
        la("Shaikh"),
    ],
};

const PAKISTANI_MALE: &[Name] = &[
    la("Muhammad"),
    la("Imran"),
    la("Asif"),
    la("Tariq"),
    la("Faisal"),
    la("Usman"),
    la("Bilal"),
    la("Zubair"),
    la("Kashif"),
    la("Shahid"),
    la("Adnan"),
    la("Waqas"),
];

const PAKISTANI: Names = Names {
    arabic_script: false,
    male: PAKISTANI_MALE,
    female: &[
        la("Ayesha"),
        la("Sana"),
        la("Hina"),
        la("Amna"),
        la("Sadia"),
        la("Rabia"),
        la("Saima"),
        la("Nadia"),
    ],
    middle: PAKISTANI_MALE,
    middle_per_mille: 500,
    family: &[
        la("Khan"),
        la("Ahmed"),
        la("Hussain"),
        la("Malik"),
        la("Qureshi"),
        la("Butt"),
        la("Chaudhry"),
        la("Shah"),
        la("Raza"),
        la("Iqbal"),
        la("Siddiqui"),
        la("Akhtar"),
        la("Javed"),
        la("Aslam"),
    ],
};

const BANGLADESHI: Names = Names {
    arabic_script: false,
    male: &[
        la("Rahim"),
        la("Abdul"),
        la("Karim"),
        la("Jamal"),
        la("Habib"),
        la("Rafiq"),
        la("Shafiq"),
        la("Mizanur"),
        la("Anisur"),
        la("Kamal"),
        la("Sohel"),
    ],
    female: &[
        la("Nasrin"),
        la("Shirin"),
        la("Taslima"),
        la("Rokeya"),
        la("Farzana"),
        la("Sharmin"),
    ],
    middle: &[la("Md."), la("Abdul"), la("Mohammad")],
    middle_per_mille: 300,
    family: &[
        la("Rahman"),
        la("Hossain"),
        la("Islam"),
        la("Uddin"),
        la("Ahmed"),
        la("Miah"),
        la("Alam"),
        la("Chowdhury"),
        la("Sarker"),
        la("Biswas"),
        la("Mollah"),
    ],
};

const FILIPINO_FAMILY: &[Name] = &[
    la("Santos"),
    la("Reyes"),
    la("Cruz"),
    la("Bautista"),
    la("Garcia"),
    la("Mendoza"),
    la("Ramos"),
    la("Dela Cruz"),
    la("Villanueva"),
    la("Aquino"),
    la("Castillo"),
    la("Flores"),
    la("Torres"),
    la("Navarro"),
];

const FILIPINO: Names = Names {
    arabic_script: false,
    male: &[
        la("Jose"),
        la("Juan"),
        la("Mark"),
        la("John Paul"),
        la("Ramon"),
        la("Roberto"),
        la("Reynaldo"),
        la("Michael"),
        la("Jericho"),
        la("Carlo"),
        la("Arnel"),
        la("Rodel"),
    ],
    female: &[
        la("Maria"),
        la("Ana"),
        la("Grace"),
        la("Joy"),
        la("Kristine"),
        la("Rowena"),
        la("Marites"),
        la("Jennifer"),
        la("Rosalie"),
        la("Mary Ann"),
        la("Lorna"),
        la("Jocelyn"),
    ],
    // The mother's maiden name.
    middle: FILIPINO_FAMILY,
    middle_per_mille: 850,
    family: FILIPINO_FAMILY,
};

const INDONESIAN: Names = Names {
    arabic_script: false,
    male: &[
        la("Agus"),
        la("Budi"),
        la("Dedi"),
        la("Eko"),
        la("Hendra"),
        la("Joko"),
        la("Rudi"),
        la("Wahyu"),
        la("Andi"),
        la("Fajar"),
    ],
    female: &[
        la("Siti"),
        la("Dewi"),
        la("Sri"),
        la("Nur"),
        la("Rina"),
        la("Yuli"),
        la("Ani"),
        la("Wati"),
    ],
    middle: &[la("Nur"), la("Dwi"), la("Tri"), la("Eka")],
    middle_per_mille: 250,
    family: &[
        la("Santoso"),
        la("Wijaya"),
        la("Saputra"),
        la("Hidayat"),
        la("Kusuma"),
        la("Susanto"),
        la("Setiawan"),
        la("Pratama"),
        la("Nugroho"),
        la("Rahayu"),
    ],
};

const SRI_LANKAN: Names = Names {
    arabic_script: false,
    male: &[
        la("Nuwan"),
        la("Chaminda"),
        la("Kasun"),
        la("Ruwan"),
        la("Pradeep"),
        la("Sampath"),
    ],
    female: &[
        la("Dilani"),
        la("Chathurika"),
        la("Nadeesha"),
        la("Sanduni"),
        la("Ishara"),
    ],
    middle: &[la("Mahesh"), la("Lakmal"), la("Priyantha")],
    middle_per_mille: 300,
    family: &[
        la("Perera"),
        la("Fernando"),
        la("Silva"),
        la("Jayasinghe"),
        la("Bandara"),
        la("Wickramasinghe"),
        la("Dissanayake"),
    ],
};

const NEPALESE: Names = Names {
    arabic_script: false,
    male: &[
        la("Ram"),
        la("Hari"),
        la("Krishna"),
        la("Bikash"),
        la("Suman"),
        la("Ramesh"),
        la("Dipak"),
        la("Sagar"),
    ],
    female: &[
        la("Sita"),
        la("Gita"),
        la("Sunita"),
        la("Anita"),
        la("Sarita"),
    ],
    middle: &[la("Bahadur"), la("Prasad"), la("Kumar")],
    middle_per_mille: 400,
    family: &[
        la("Thapa"),
        la("Gurung"),
        la("Shrestha"),
        la("Tamang"),
        la("Rai"),
        la("Magar"),
        la("Karki"),
        la("Adhikari"),
    ],
};

const WESTERN: Names = Names {
    arabic_script: false,
    male: &[
        la("James"),
        la("John"),
        la("David"),
        la("Michael"),
        la("Robert"),
        la("Daniel"),
        la("Thomas"),
        la("Christopher"),
        la("Paul"),
        la("Mark"),
        la("Andrew"),
        la("Richard"),
    ],
    female: &[
        la("Sarah"),
        la("Emma"),
        la("Emily"),
        la("Jessica"),
        la("Laura"),
        la("Rachel"),
        la("Hannah"),
        la("Claire"),
        la("Rebecca"),
        la("Olivia"),
        la("Sophie"),
        la("Kate"),
    ],
    middle: &[
        la("James"),
        la("John"),
        la("Edward"),
        la("Anne"),
        la("Louise"),
        la("Marie"),
    ],
    middle_per_mille: 500,
    family: &[
        la("Smith"),
        la("Johnson"),
        la("Williams"),
        la("Brown"),
        la("Taylor"),
        la("Wilson"),
        la("Davies"),
        la("Evans"),
        la("Thompson"),
        la("Walker"),
        la("Wright"),
        la("Roberts"),
        la("Miller"),
        la("Anderson"),
        la("Clarke"),
        la("Hughes"),
    ],
};

/// How a nationality is identified in Saudi Arabia.
#[derive(Debug, Clone, Copy)]
enum IdKind {
    NationalId,
    Gcc(GccFormat),
    Iqama,
}

#[derive(Debug, Clone, Copy)]
enum GccFormat {
    Emirati,
    Kuwaiti,
    Qatari,
    Bahraini,
    Omani,
}

/// Mobile numbers of a home country: its phone code id, first digits, length.
#[derive(Debug, Clone, Copy)]
struct HomeMobile {
    code: i32,
    prefixes: &'static [&'static str],
    length: u32,
}

const fn home(code: i32, prefixes: &'static [&'static str], length: u32) -> HomeMobile {
    HomeMobile {
        code,
        prefixes,
        length,
    }
}

#[derive(Debug)]
struct Nationality {
    id: i32,
    names: &'static Names,
    female_per_mille: u32,
    identification: IdKind,
    home: Option<HomeMobile>,
    languages: &'static [(i32, u32)],
    income: &'static [(i32, u32)],
}

const INCOME_CITIZEN: &[(i32, u32)] = &[(1, 10), (2, 25), (3, 30), (4, 20), (5, 10), (6, 5)];
const INCOME_GULF: &[(i32, u32)] = &[(2, 15), (3, 30), (4, 30), (5, 15), (6, 10)];
const INCOME_ARAB: &[(i32, u32)] = &[(1, 25), (2, 35), (3, 25), (4, 10), (5, 3), (6, 2)];
const INCOME_WORKER: &[(i32, u32)] = &[(1, 60), (2, 25), (3, 10), (4, 4), (5, 1)];
const INCOME_WESTERN: &[(i32, u32)] = &[(3, 15), (4, 35), (5, 30), (6, 20)];

const fn nationality(
    id: i32,
    names: &'static Names,
    female_per_mille: u32,
    identification: IdKind,
    home: Option<HomeMobile>,
    languages: &'static [(i32, u32)],
    income: &'static [(i32, u32)],
) -> Nationality {
    Nationality {
        id,
        names,
        female_per_mille,
        identification,
        home,
        languages,
        income,
    }
}

const NATIONALITIES: &[Nationality] = &[
    nationality(
        1,
        &SAUDI,
        450,
        IdKind::NationalId,
        None,
        &[(1, 90), (2, 10)],
        INCOME_CITIZEN,
    ),
    nationality(
        2,
        &GULF,
        450,
        IdKind::Gcc(GccFormat::Emirati),
        Some(home(2, &["50", "52", "54", "55", "56", "58"], 9)),
        &[(1, 85), (2, 15)],
        INCOME_GULF,
    ),
    nationality(
        3,
        &GULF,
        450,
        IdKind::Gcc(GccFormat::Kuwaiti),
        Some(home(3, &["5", "6", "9"], 8)),
        &[(1, 85), (2, 15)],
        INCOME_GULF,
    ),
    nationality(
        4,
        &GULF,
        450,
        IdKind::Gcc(GccFormat::Qatari),
        Some(home(4, &["3", "5", "6", "7"], 8)),
        &[(1, 85), (2, 15)],
        INCOME_GULF,
    ),
    nationality(
        5,
        &GULF,
        450,
        IdKind::Gcc(GccFormat::Bahraini),
        Some(home(5, &["33", "36", "39"], 8)),
        &[(1, 85), (2, 15)],
        INCOME_GULF,
    ),
    nationality(
        6,
        &GULF,
        450,
        IdKind::Gcc(GccFormat::Omani),
        Some(home(6, &["9", "7"], 8)),
        &[(1, 90), (2, 10)],
        INCOME_GULF,
    ),
    nationality(
        7,
        &ARAB_EXPATRIATE,
        200,
        IdKind::Iqama,
        Some(home(7, &["70", "71", "73", "77"], 9)),
        &[(1, 100)],
        INCOME_ARAB,
    ),
    nationality(
        8,
        &ARAB_EXPATRIATE,
        250,
        IdKind::Iqama,
        Some(home(8, &["10", "11", "12", "15"], 10)),
        &[(1, 95), (2, 5)],
        INCOME_ARAB,
    ),
    nationality(
        9,
        &ARAB_EXPATRIATE,
        300,
        IdKind::Iqama,
        Some(home(9, &["77", "78", "79"], 9)),
        &[(1, 85), (2, 15)],
        INCOME_ARAB,
    ),
    nationality(
        10,
        &ARAB_EXPATRIATE,
        300,
        IdKind::Iqama,
        None,
        &[(1, 100)],
        INCOME_ARAB,
    ),
    nationality(
        11,
        &ARAB_EXPATRIATE,
        300,
        IdKind::Iqama,
        None,
        &[(1, 60), (2, 20), (8, 20)],
        INCOME_ARAB,
    ),
    nationality(
        12,
        &ARAB_EXPATRIATE,
        300,
        IdKind::Iqama,
        None,
        &[(1, 95), (2, 5)],
        INCOME_ARAB,
    ),
    nationality(
        13,
        &ARAB_EXPATRIATE,
        200,
        IdKind::Iqama,
        None,
        &[(1, 100)],
        INCOME_ARAB,
    ),
    nationality(
        14,
        &INDIAN,
        100,
        IdKind::Iqama,
        Some(home(10, &["9", "8", "7", "6"], 10)),
        &[(2, 60), (4, 40)],
        INCOME_WORKER,
    ),
    nationality(
        15,
        &PAKISTANI,
        80,
        IdKind::Iqama,
        Some(home(11, &["30", "31", "32", "33", "34"], 10)),
        &[(3, 60), (2, 40)],
        INCOME_WORKER,
    ),
    nationality(
        16,
        &BANGLADESHI,
        50,
        IdKind::Iqama,
        Some(home(12, &["13", "15", "17", "18", "19"], 10)),
        &[(5, 80), (2, 20)],
        INCOME_WORKER,
    ),
    nationality(
        17,
        &FILIPINO,
        450,
        IdKind::Iqama,
        Some(home(13, &["91", "92", "93", "94", "95", "99"], 10)),
        &[(6, 40), (2, 60)],
        INCOME_WORKER,
    ),
    nationality(
        18,
        &INDONESIAN,
        400,
        IdKind::Iqama,
        None,
        &[(7, 80), (1, 20)],
        INCOME_WORKER,
    ),
    nationality(
        19,
        &SRI_LANKAN,
        300,
        IdKind::Iqama,
        None,
        &[(2, 100)],
        INCOME_WORKER,
    ),
    nationality(
        20,
        &NEPALESE,
        100,
        IdKind::Iqama,
        None,
        &[(2, 100)],
        INCOME_WORKER,
    ),
    nationality(
        21,
        &WESTERN,
        350,
        IdKind::Iqama,
        Some(home(14, &["7"], 10)),
        &[(2, 100)],
        INCOME_WESTERN,
    ),
    nationality(
        22,
        &WESTERN,
        350,
        IdKind::Iqama,
        Some(home(15, &["2", "3", "4", "6", "7", "9"], 10)),
        &[(2, 100)],
        INCOME_WESTERN,
    ),
];

/// Nationalities of individual customers, per 10,000.
const NATIONALITY_WEIGHTS: &[(&Nationality, u32)] = &[
    (&NATIONALITIES[0], 5_200),
    (&NATIONALITIES[1], 60),
    (&NATIONALITIES[2], 80),
    (&NATIONALITIES[3], 40),
    (&NATIONALITIES[4], 60),
    (&NATIONALITIES[5], 40),
    (&NATIONALITIES[6], 350),
    (&NATIONALITIES[7], 800),
    (&NATIONALITIES[8], 250),
    (&NATIONALITIES[9], 250),
    (&NATIONALITIES[10], 80),
    (&NATIONALITIES[11], 150),
    (&NATIONALITIES[12], 250),
    (&NATIONALITIES[13], 900),
    (&NATIONALITIES[14], 600),
    (&NATIONALITIES[15], 350),
    (&NATIONALITIES[16], 300),
    (&NATIONALITIES[17], 100),
    (&NATIONALITIES[18], 50),
    (&NATIONALITIES[19], 50),
    (&NATIONALITIES[20], 25),
    (&NATIONALITIES[21], 15),
];

/// Preferred contact types (id, weight): voice call, SMS, e-mail, messaging app, post.
const CONTACT_TYPES: &[(i32, u32)] = &[(1, 30), (2, 25), (3, 15), (4, 28), (5, 2)];

/// Company types (id, weight).
const COMPANY_TYPES: &[(i32, u32)] = &[(1, 45), (2, 5), (3, 30), (4, 4), (5, 3), (6, 10), (7, 3)];

/// An industry type and the words of company names in it.
#[derive(Debug)]
struct Industry {
    id: i32,
    ar: &'static str,
    en: &'static str,
}

const INDUSTRIES: &[Industry] = &[
    Industry {
        id: 1,
        ar: "للتجارة",
        en: "Trading",
    },
    Industry {
        id: 2,
        ar: "للصناعة",
        en: "Industries",
    },
    Industry {
        id: 3,
        ar: "للخدمات المالية",
        en: "Financial Services",
    },
    Industry {
        id: 4,
        ar: "للمقاولات",
        en: "Contracting",
    },
    Industry {
        id: 5,
        ar: "للخدمات النفطية",
        en: "Oilfield Services",
    },
    Industry {
        id: 6,
        ar: "لتقنية المعلومات",
        en: "Information Technology",
    },
    Industry {
        id: 7,
        ar: "للخدمات الطبية",
        en: "Medical Services",
    },
    Industry {
        id: 8,
        ar: "للتعليم والتدريب",
        en: "Education and Training",
    },
    Industry {
        id: 9,
        ar: "للنقل والخدمات اللوجستية",
        en: "Logistics",
    },
    Industry {
        id: 10,
        ar: "للتطوير العقاري",
        en: "Real Estate Development",
    },
    Industry {
        id: 11,
        ar: "للسياحة والضيافة",
        en: "Hospitality",
    },
    Industry {
        id: 12,
        ar: "الزراعية",
        en: "Agriculture",
    },
    Industry {
        id: 13,
        ar: "للاتصالات",
        en: "Telecom",
    },
];

const INDUSTRY_WEIGHTS: &[(&Industry, u32)] = &[
    (&INDUSTRIES[0], 25),
    (&INDUSTRIES[1], 8),
    (&INDUSTRIES[2], 4),
    (&INDUSTRIES[3], 18),
    (&INDUSTRIES[4], 3),
    (&INDUSTRIES[5], 8),
    (&INDUSTRIES[6], 6),
    (&INDUSTRIES[7], 4),
    (&INDUSTRIES[8], 8),
    (&INDUSTRIES[9], 7),
    (&INDUSTRIES[10], 5),
    (&INDUSTRIES[11], 2),
    (&INDUSTRIES[12], 2),
];

const COMPANY_WORDS: &[Name] = &[
    ar("الرواد", "Al Rowad"),
    ar("النخبة", "Al Nokhba"),
    ar("الأفق", "Horizon"),
    ar("المستقبل", "Future"),
    ar("الخليج", "Gulf"),
    ar("الوطنية", "National"),
    ar("المتحدة", "United"),
    ar("الشرق", "Al Sharq"),
    ar("الواحة", "Oasis"),
    ar("الريادة", "Al Riyadah"),
    ar("البناء الحديث", "Modern Building"),
    ar("الإتقان", "Al Itqan"),
    ar("الفجر", "Al Fajr"),
    ar("النجم الساطع", "Bright Star"),
    ar("المدار", "Al Madar"),
    ar("القمة", "Summit"),
    ar("الصفوة", "Al Safwa"),
    ar("الأصالة", "Al Asala"),
    ar("الدرع", "Shield"),
    ar("البيان", "Al Bayan"),
    ar("الركائز", "Pillars"),
    ar("المنارة", "Al Manara"),
    ar("نجد", "Najd"),
    ar("الحجاز", "Hijaz"),
    ar("تهامة", "Tihama"),
    ar("السراة", "Al Sarat"),
    ar("أركان", "Arkan"),
    ar("مدى", "Mada"),
    ar("رؤية", "Vision"),
    ar("سدير", "Sudair"),
];

/// Roles of the contacts of a company customer.
const COMPANY_ROLES: &[(&str, &str)] = &[
    ("المدير العام", "General Manager"),
    ("مدير مالي", "Finance Manager"),
    ("محاسب", "Accountant"),
    ("مسؤول مشتريات", "Procurement Officer"),
    ("مدير الموارد البشرية", "HR Manager"),
    ("الشريك المؤسس", "Founding Partner"),
];

const OCCUPATIONS_AR_MALE: &[&str] = &[
    "مهندس",
    "معلم",
    "طبيب",
    "محاسب",
    "موظف حكومي",
    "ضابط",
    "مدير مبيعات",
    "طالب",
    "متقاعد",
    "رجل أعمال",
    "مبرمج",
    "صيدلي",
    "محامي",
    "فني",
    "مستشار مالي",
];

const OCCUPATIONS_AR_FEMALE: &[&str] = &[
    "معلمة",
    "طبيبة",
    "ممرضة",
    "موظفة",
    "طالبة",
    "ربة منزل",
    "أخصائية اجتماعية",
    "محاسبة",
    "مهندسة",
    "سيدة أعمال",
    "متقاعدة",
];

const OCCUPATIONS_EN: &[&str] = &[
    "Engineer",
    "Site Engineer",
    "Accountant",
    "Driver",
    "Technician",
    "Nurse",
    "Sales Executive",
    "Doctor",
    "Electrician",
    "Cashier",
    "IT Specialist",
    "Pharmacist",
    "Teacher",
    "Mechanic",
    "Supervisor",
    "Chef",
    "Project Manager",
    "Labourer",
    "Tailor",
    "Plumber",
    "Office Administrator",
    "Housewife",
];

const REMARKS_AR: &[&str] = &["للتواصل في حالات الطوارئ", "يفضل الاتصال مساءً", "رقم بديل"];

const REMARKS_EN: &[&str] = &[
    "Emergency contact",
    "Call after 5 pm",
    "Alternative number",
    "Lives abroad",
];

/// Streets found in most Saudi cities.
const STREETS: &[Name] = &[
    ar("طريق الملك فهد", "King Fahd Road"),
    ar("طريق الملك عبدالعزيز", "King Abdulaziz Road"),
    ar("طريق الملك عبدالله", "King Abdullah Road"),
    ar("شارع الأمير سلطان", "Prince Sultan Street"),
    ar(
        "شارع الأمير محمد بن عبدالعزيز",
        "Prince Mohammed bin Abdulaziz Street",
    ),
    ar("شارع التحلية", "Tahlia Street"),
    ar("شارع العروبة", "Al Orouba Street"),
    ar("شارع الستين", "Al Sitteen Street"),
    ar("شارع عمر بن الخطاب", "Omar Ibn Al Khattab Street"),
    ar("شارع الإمام سعود", "Imam Saud Street"),
    ar("شارع الملك سعود", "King Saud Street"),
    ar("شارع الأمير تركي", "Prince Turki Street"),
    ar("شارع عثمان بن عفان", "Othman Bin Affan Street"),
    ar("شارع الخليج", "Al Khaleej Street"),
];

/// A district: its name, and the address line that names it.
#[derive(Debug, Clone, Copy)]
struct District {
    name: Name,
    ar_line: &'static str,
    en_line: &'static str,
}

const fn district(
    ar_name: &'static str,
    en_name: &'static str,
    ar_line: &'static str,
    en_line: &'static str,
) -> District {
    District {
        name: ar(ar_name, en_name),
        ar_line,
        en_line,
    }
}

const DISTRICTS: &[District] = &[
    district("العليا", "Al Olaya", "حي العليا", "Al Olaya District"),
    district(
        "السليمانية",
        "Al Sulimaniyah",
        "حي السليمانية",
        "Al Sulimaniyah District",
    ),
    district("الملز", "Al Malaz", "حي الملز", "Al Malaz District"),
    district("النخيل", "Al Nakheel", "حي النخيل", "Al Nakheel District"),
    district("الياسمين", "Al Yasmin", "حي الياسمين", "Al Yasmin District"),
    district("الروضة", "Al Rawdah", "حي الروضة", "Al Rawdah District"),
    district("النسيم", "Al Naseem", "حي النسيم", "Al Naseem District"),
    district(
        "الفيصلية",
        "Al Faisaliyah",
        "حي الفيصلية",
        "Al Faisaliyah District",
    ),
    district(
        "الخالدية",
        "Al Khalidiyah",
        "حي الخالدية",
        "Al Khalidiyah District",
    ),
    district(
        "العزيزية",
        "Al Aziziyah",
        "حي العزيزية",
        "Al Aziziyah District",
    ),
    district("المروج", "Al Muruj", "حي المروج", "Al Muruj District"),
    district("الربوة", "Al Rabwah", "حي الربوة", "Al Rabwah District"),
    district("الصفا", "Al Safa", "حي الصفا", "Al Safa District"),
    district("الحمراء", "Al Hamra", "حي الحمراء", "Al Hamra District"),
    district("العدامة", "Al Adamah", "حي العدامة", "Al Adamah District"),
    district("اليرموك", "Al Yarmouk", "حي اليرموك", "Al Yarmouk District"),
    district("الشاطئ", "Al Shati", "حي الشاطئ", "Al Shati District"),
    district("النزهة", "Al Nuzhah", "حي النزهة", "Al Nuzhah District"),
];

/// What the generator knows of a city of the reference data: how many customers live
/// there (relative weight) and the code of its commercial registration office.
#[derive(Debug)]
struct CityDetails {
    id: i32,
    weight: u32,
    cr_office: &'static str,
}

const fn city(id: i32, weight: u32, cr_office: &'static str) -> CityDetails {
    CityDetails {
        id,
        weight,
        cr_office,
    }
}

const CITY_DETAILS: &[CityDetails] = &[
    city(1, 300, "1010"),
    city(2, 200, "4030"),
    city(3, 80, "4031"),
    city(4, 60, "4650"),
    city(5, 60, "2050"),
    city(6, 40, "2051"),
    city(7, 10, "2052"),
    city(8, 30, "2250"),
    city(9, 15, "2055"),
    city(10, 15, "2053"),
    city(11, 10, "2511"),
    city(12, 30, "4032"),
    city(13, 5, "4602"),
    city(14, 10, "4700"),
    city(15, 25, "1131"),
    city(16, 8, "1128"),
    city(17, 20, "5850"),
    city(18, 20, "5855"),
    city(19, 20, "3550"),
    city(20, 15, "3350"),
    city(21, 6, "3450"),
    city(22, 15, "5900"),
    city(23, 10, "5950"),
    city(24, 5, "5800"),
    city(25, 6, "3400"),
    city(26, 10, "1011"),
    city(27, 4, "1122"),
];

/// The first digit of the postal codes of each region.
const REGION_POSTAL_DIGIT: &[(i32, u32)] = &[
    (1, 1),
    (2, 2),
    (3, 4),
    (4, 5),
    (5, 3),
    (6, 6),
    (7, 7),
    (8, 5),
    (9, 7),
    (10, 8),
    (11, 6),
    (12, 6),
    (13, 7),
];

/// The first letter of the national short addresses of each region.
const REGION_LETTERS: &[(i32, char)] = &[
    (1, 'R'),
    (2, 'M'),
    (3, 'D'),
    (4, 'Q'),
    (5, 'E'),
    (6, 'A'),
    (7, 'T'),
    (8, 'H'),
    (9, 'N'),
    (10, 'J'),
    (11, 'N'),
    (12, 'B'),
    (13, 'S'),
];

#[cfg(test)]
mod tests {
    use diesel::pg::Pg;
    use diesel::sqlite::Sqlite;

    use super::*;

    fn generator(seed: u64) -> Generator {
        let cities: Vec<(i32, i32)> = vec![(1, 1), (2, 2), (5, 5), (6, 5)];
        Generator::new(
            seed,
            NextIds {
                customer: 70_005,
                version: 200_020,
                contact: 16,
                reference: 22,
            },
            &cities,
            HashSet::new(),
        )
    }

    fn digest(batch: &Batch) -> String {
        format!(
            "{:?}{:?}{:?}{:?}",
            batch.customers, batch.versions, batch.contacts, batch.references
        )
    }

    #[test]
    fn the_same_seed_generates_the_same_rows() {
        let first = generator(42).batch(500).expect("a batch");
        let second = generator(42).batch(500).expect("a batch");
        let other = generator(43).batch(500).expect("a batch");
        assert_eq!(digest(&first), digest(&second));
        assert_ne!(digest(&first), digest(&other));
    }

    #[test]
    fn insert_statements_bind_one_parameter_per_column() {
        let mut batch = generator(1).batch(1).expect("a batch");
        batch.contacts.push(NewContact {
            contact_id: 1,
            customer_id: 1,
            contact_number: None,
            relation_type_id: None,
            contact_name: None,
            contact_phone_code_id: None,
            primary_contact: false,
            contact_start_date: None,
            contact_end_date: None,
            is_active: None,
            contact_is_enable: None,
            profession: None,
            remarks: None,
        });
        batch.references.push(NewReference {
            reference_id: 1,
            company_id: 1,
            customer_id: 1,
            reference_no: "R".into(),
        });
        let binds = |sql: String| sql.matches('$').count();
        let customers = diesel::insert_into(customers::table).values(&batch.customers[..1]);
        let versions = diesel::insert_into(customer_versions::table).values(&batch.versions[..1]);
        let contacts = diesel::insert_into(customer_contacts::table).values(&batch.contacts[..1]);
        let references =
            diesel::insert_into(customer_references::table).values(&batch.references[..1]);
        assert_eq!(
            binds(diesel::debug_query::<Pg, _>(&customers).to_string()),
            CUSTOMER_COLUMNS
        );
        let sql = diesel::debug_query::<Pg, _>(&versions).to_string();
        assert_eq!(binds(sql.clone()), VERSION_COLUMNS, "{sql}");
        assert_eq!(
            binds(diesel::debug_query::<Pg, _>(&contacts).to_string()),
            CONTACT_COLUMNS
        );
        assert_eq!(
            binds(diesel::debug_query::<Pg, _>(&references).to_string()),
            REFERENCE_COLUMNS
        );
        // SQLite gets one multi-row statement too (no DEFAULT in the values).
        let two = diesel::insert_into(customer_references::table).values(vec![
            batch.references[0].clone(),
            batch.references[0].clone(),
        ]);
        let sql = diesel::debug_query::<Sqlite, _>(&two).to_string();
        assert_eq!(sql.matches("INSERT").count(), 1, "{sql}");
    }

    #[test]
    fn the_index_statements_are_those_of_the_migrations() {
        for schema in [POSTGRES_SCHEMA, SQLITE_SCHEMA] {
            let indexes = index_statements(schema, &LOADED_TABLES);
            let names: Vec<&str> = indexes.iter().map(|i| i.name.as_str()).collect();
            assert_eq!(indexes.len(), 23, "{names:?}");
            assert!(names.contains(&"customer_versions_current_key"));
            assert!(names.contains(&"customer_references_reference_no_idx"));
            assert!(
                !names
                    .iter()
                    .any(|n| n.starts_with("regions") || n.starts_with("cities"))
            );
            let current = indexes
                .iter()
                .find(|i| i.name == "customer_versions_current_key")
                .expect("the current version index");
            assert_eq!(
                current.statement,
                "CREATE UNIQUE INDEX customer_versions_current_key\n    \
                 ON customer_versions (company_id, customer_id) WHERE end_date IS NULL"
            );
        }
    }

    #[test]
    fn saudi_ids_carry_a_luhn_check_digit() {
        // Valid by the usual Luhn check.
        for id in [with_check_digit("105678901"), with_check_digit("212345678")] {
            let sum: u32 = id
                .bytes()
                .rev()
                .enumerate()
                .map(|(i, b)| {
                    let d = u32::from(b - b'0');
                    if i % 2 == 1 {
                        (d * 2) / 10 + (d * 2) % 10
                    } else {
                        d
                    }
                })
                .sum();
            assert_eq!(sum % 10, 0, "{id}");
            assert_eq!(id.len(), 10);
        }
    }
}

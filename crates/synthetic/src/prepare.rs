//! What the generator needs from the database before it starts: the companies of the
//! group (created when missing), the reference ids it uses (checked), the cities, the
//! largest ids stored and the identification numbers in use.

use std::collections::HashSet;

use customer_infrastructure::schema::{
    cities, customer_contacts, customer_references, customer_versions, customers,
};
use customer_infrastructure::{Backend, Database, InfraError, with_connection};
use diesel::dsl::max;
use diesel::prelude::*;
use diesel::query_builder::SqlQuery;
use diesel::sql_types::Integer;
use diesel_async::methods::LoadQuery;
use diesel_async::{AsyncConnection, RunQueryDsl, SimpleAsyncConnection};

use crate::generate::{Generator, NextIds, number_key};
use crate::load::POSTGRES_SETTINGS;
use crate::options::SyntheticOptions;
use crate::tables::codes::{
    COMPANY, COMPANY_TYPES, CONTACT_TYPES, CR, FEMALE, GCC_ID, INDIVIDUAL, IQAMA, MALE,
    NATIONAL_ID, PASSPORT, SAUDI_ARABIA, SAUDI_PHONE_CODE, UNIFIED_NUMBER,
};
use crate::tables::companies::{INDUSTRIES, TENANTS};
use crate::tables::nationalities::NATIONALITIES;

/// The largest customer id the seed gives.
const MAX_CUSTOMER_ID: i64 = 1_000_000_000_000;

/// The generator, ready to start after the largest ids stored.
pub(crate) struct Setup {
    pub(crate) generator: Generator,
    /// Customers stored before the seed.
    pub(crate) existing_customers: u64,
}

/// Creates the companies of the group when missing, checks the reference ids, and readies
/// the generator after the largest ids stored.
pub(crate) async fn prepare(
    db: &Database,
    options: &SyntheticOptions,
) -> Result<Setup, InfraError> {
    let postgres = db.backend() == Backend::Postgres;
    let company_ids = company_ids();
    let (references, city_rows, maxima, existing, used) = with_connection!(db, |conn| {
        conn.transaction(async |conn| {
            if postgres {
                conn.batch_execute(POSTGRES_SETTINGS).await?;
            }
            conn.batch_execute(&companies_sql()).await?;
            let references = reference_ids(conn).await?;
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

/// A count as an `i64`, saturating.
pub(crate) fn to_i64(value: u64) -> i64 {
    i64::try_from(value).unwrap_or(i64::MAX)
}

/// The ids of the companies of the group.
fn company_ids() -> Vec<i32> {
    TENANTS.iter().map(|t| t.id).collect()
}

/// The ids of a reference table, for the check that every generated id exists.
struct ReferenceIds {
    table: &'static str,
    present: Vec<i32>,
    required: Vec<i32>,
}

/// Each reference table, its id column, and the ids the generator draws from it.
fn required_ids() -> Vec<(&'static str, &'static str, Vec<i32>)> {
    vec![
        ("companies", "company_id", company_ids()),
        (
            "nationalities",
            "id",
            NATIONALITIES.iter().map(|n| n.id).collect(),
        ),
        ("genders", "id", vec![MALE, FEMALE]),
        ("customer_types", "id", vec![INDIVIDUAL, COMPANY]),
        (
            "company_types",
            "id",
            COMPANY_TYPES.iter().map(|t| t.0).collect(),
        ),
        (
            "industry_types",
            "id",
            INDUSTRIES.iter().map(|i| i.id).collect(),
        ),
        (
            "contact_types",
            "id",
            CONTACT_TYPES.iter().map(|t| t.0).collect(),
        ),
        (
            "phone_codes",
            "id",
            std::iter::once(SAUDI_PHONE_CODE)
                .chain(NATIONALITIES.iter().filter_map(|n| n.home.map(|h| h.code)))
                .collect(),
        ),
        (
            "identification_types",
            "id",
            vec![NATIONAL_ID, IQAMA, PASSPORT, GCC_ID, CR, UNIFIED_NUMBER],
        ),
        ("countries", "id", vec![SAUDI_ARABIA]),
        ("income_ranges", "id", (1..=6).collect()),
        (
            "languages",
            "id",
            NATIONALITIES
                .iter()
                .flat_map(|n| n.languages.iter().map(|l| l.0))
                .collect(),
        ),
        ("relation_types", "id", (1..=13).collect()),
    ]
}

#[derive(QueryableByName)]
struct Id {
    #[diesel(sql_type = Integer)]
    id: i32,
}

/// Reads the ids of the reference tables and pairs them with the ids the generator uses.
async fn reference_ids<C>(conn: &mut C) -> Result<Vec<ReferenceIds>, InfraError>
where
    C: AsyncConnection,
    SqlQuery: LoadQuery<'static, C, Id>,
{
    let mut tables = Vec::new();
    for (table, column, required) in required_ids() {
        let present: Vec<Id> = diesel::sql_query(format!("SELECT {column} AS id FROM {table}"))
            .load(conn)
            .await?;
        tables.push(ReferenceIds {
            table,
            present: present.into_iter().map(|row| row.id).collect(),
            required,
        });
    }
    Ok(tables)
}

/// Fails unless every id the generator uses is in its table.
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

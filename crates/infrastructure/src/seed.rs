//! Loads the demo data set.

use diesel::prelude::*;
use diesel_async::{AsyncConnection, RunQueryDsl, SimpleAsyncConnection};

use crate::database::{Database, with_connection};
use crate::error::InfraError;
use crate::schema::{companies, customers};

/// The demo data set: portable SQL, every insert `ON CONFLICT DO NOTHING`.
const DEMO: &str = include_str!("seed/demo.sql");

/// Moves the identity sequences of the customer tables past the largest ids stored:
/// PostgreSQL identity columns do not move past explicitly inserted ids, so a loader that
/// inserts ids of its own runs this after its rows.
pub const POSTGRES_IDENTITY_FIX: &str = "
SELECT setval(pg_get_serial_sequence('customer_versions', 'version_id'),
              GREATEST((SELECT max(version_id) FROM customer_versions), 1));
SELECT setval(pg_get_serial_sequence('customer_contacts', 'contact_id'),
              GREATEST((SELECT max(contact_id) FROM customer_contacts), 1));
SELECT setval(pg_get_serial_sequence('customer_references', 'reference_id'),
              GREATEST((SELECT max(reference_id) FROM customer_references), 1));
";

/// Loads the demo data set; loading it again changes nothing. Returns how many
/// customers were added.
///
/// # Errors
/// Any [`InfraError`] met on the way; nothing is written then.
pub async fn seed_demo(db: &Database) -> Result<i64, InfraError> {
    let postgres = matches!(db, Database::Postgres(_));
    with_connection!(db, |conn| {
        conn.transaction(async |conn| {
            let before: i64 = customers::table.count().get_result(conn).await?;
            conn.batch_execute(DEMO).await?;
            if postgres {
                conn.batch_execute(POSTGRES_IDENTITY_FIX).await?;
            }
            let after: i64 = customers::table.count().get_result(conn).await?;
            Ok::<_, InfraError>(after - before)
        })
        .await
    })
}

/// Whether the database holds no customer.
///
/// # Errors
/// Any [`InfraError`] met on the way.
pub async fn is_empty(db: &Database) -> Result<bool, InfraError> {
    with_connection!(db, |conn| {
        let count: i64 = customers::table.count().get_result(conn).await?;
        Ok(count == 0)
    })
}

/// The codes of the companies the database holds, in order: the demo data is loaded only
/// where there is none, so that it never mixes with an operator's own companies.
///
/// # Errors
/// Any [`InfraError`] met on the way.
pub async fn company_codes(db: &Database) -> Result<Vec<String>, InfraError> {
    with_connection!(db, |conn| {
        let codes: Vec<String> = companies::table
            .select(companies::code)
            .order(companies::code)
            .load(conn)
            .await?;
        Ok(codes)
    })
}

//! Helpers of the tests: raw SQL on the pool of either backend, and the lookups of
//! `customer_testkit::lookups`.

use customer_infrastructure::{Database, InfraError, with_connection};
use diesel::SqliteConnection;
use diesel::query_builder::SqlQuery;
use diesel_async::methods::LoadQuery;
use diesel_async::sync_connection_wrapper::SyncConnectionWrapper;
use diesel_async::{AsyncPgConnection, RunQueryDsl, SimpleAsyncConnection};

pub use customer_testkit::lookups::{
    by_id, by_identification, by_mobile, by_reference, contact_ids, criteria, find_ids, find_one,
    store,
};

/// The rows `sql` selects, on either backend; the query must succeed.
pub async fn select<T>(db: &Database, sql: &str) -> Vec<T>
where
    T: Send + 'static,
    SqlQuery: LoadQuery<'static, AsyncPgConnection, T>
        + LoadQuery<'static, SyncConnectionWrapper<SqliteConnection>, T>,
{
    let rows: Result<Vec<T>, InfraError> =
        async { with_connection!(db, |conn| Ok(diesel::sql_query(sql).load(conn).await?)) }.await;
    rows.unwrap_or_else(|error| panic!("{error}: {sql}"))
}

/// Runs SQL that must succeed (portable SQL: PostgreSQL 15 and SQLite).
pub async fn execute(db: &Database, sql: &str) {
    let done: Result<(), InfraError> =
        async { with_connection!(db, |conn| Ok(conn.batch_execute(sql).await?)) }.await;
    if let Err(error) = done {
        panic!("SQL failed: {error}\n{sql}");
    }
}

//! Multi-row `INSERT`s on PostgreSQL in chunks of a fixed number of rows: the statement
//! of a full chunk takes a fixed-size array, which diesel prepares once per connection
//! and caches; a slice (the last rows) is parsed and planned anew at each execution.
//! Used by the import's writer and by `customer-synthetic`.

use diesel::query_builder::InsertStatement;
use diesel::{Insertable, QueryResult, Table};
use diesel_async::methods::ExecuteDsl;
use diesel_async::{AsyncPgConnection, RunQueryDsl};

/// Inserts `rows` into `table` in statements of `N` rows, the last one shorter.
///
/// # Errors
/// The first statement's error; the rows before it are inserted (the caller's
/// transaction decides what stays).
pub async fn insert_postgres<'a, T, R, const N: usize>(
    conn: &mut AsyncPgConnection,
    table: T,
    rows: &'a [R],
) -> QueryResult<()>
where
    T: Table + Copy + Send + 'a,
    R: Sync,
    &'a [R; N]: Insertable<T>,
    &'a [R]: Insertable<T>,
    InsertStatement<T, <&'a [R; N] as Insertable<T>>::Values>:
        ExecuteDsl<AsyncPgConnection> + Send + 'a,
    InsertStatement<T, <&'a [R] as Insertable<T>>::Values>:
        ExecuteDsl<AsyncPgConnection> + Send + 'a,
{
    let (full, rest) = rows.as_chunks::<N>();
    for chunk in full {
        diesel::insert_into(table)
            .values(chunk)
            .execute(conn)
            .await?;
    }
    if !rest.is_empty() {
        diesel::insert_into(table)
            .values(rest)
            .execute(conn)
            .await?;
    }
    Ok(())
}

//! Helpers shared by the contract tests: the adapter over a test database, criteria
//! built from plain values, and raw SQL on the pool of either backend.

use customer_domain::CompanyId;

pub use customer_testkit::lookups::{
    by_id, by_identification, by_mobile, by_reference, contact_ids, criteria, find, find_ids,
    find_one, ids, store,
};

/// Company 1 of the demo data (`jtc`).
pub const JTC: CompanyId = CompanyId::new(1);
/// Company 2 of the demo data (`jfc`).
pub const JFC: CompanyId = CompanyId::new(2);

/// Runs `$body` with `$conn` bound to a pooled connection of whichever backend the
/// [`customer_infrastructure::Database`] `$db` is: `with_connection!` for tests, which
/// fails the test when no connection can be had instead of returning an error.
macro_rules! with_conn {
    ($db:expr, |$conn:ident| $body:expr) => {
        match $db {
            customer_infrastructure::Database::Postgres(pool) => {
                let mut pooled = pool.get().await.expect("a PostgreSQL connection");
                let $conn = &mut *pooled;
                $body
            }
            customer_infrastructure::Database::Sqlite(pool) => {
                let mut pooled = pool.get().await.expect("a SQLite connection");
                let $conn = &mut *pooled;
                $body
            }
        }
    };
}
pub(crate) use with_conn;

/// Runs one or more SQL statements (portable SQL: PostgreSQL 15 and SQLite).
pub async fn try_execute(
    db: &customer_infrastructure::Database,
    sql: &str,
) -> Result<(), diesel::result::Error> {
    use diesel_async::SimpleAsyncConnection;
    with_conn!(db, |conn| conn.batch_execute(sql).await)
}

/// Runs SQL that must succeed.
pub async fn execute(db: &customer_infrastructure::Database, sql: &str) {
    if let Err(error) = try_execute(db, sql).await {
        panic!("SQL failed: {error}\n{sql}");
    }
}

/// An `INSERT` of a customer version with only the required columns and the given mobile
/// and identification number (NULL when `None`).
pub fn version_sql(
    version_id: i64,
    customer_id: i64,
    customer_version_id: i32,
    company_id: i32,
    mobile_number: Option<&str>,
    identification_no: Option<&str>,
    end_date: Option<&str>,
) -> String {
    let text = |value: Option<&str>| value.map_or_else(|| "NULL".to_owned(), |v| format!("'{v}'"));
    format!(
        "INSERT INTO customer_versions \
         (version_id, customer_id, customer_version_id, company_id, mobile_number, \
          identification_no, start_date, end_date) \
         VALUES ({version_id}, {customer_id}, {customer_version_id}, {company_id}, {}, {}, \
          '2026-06-01 08:00:00', {})",
        text(mobile_number),
        text(identification_no),
        text(end_date),
    )
}

/// An `INSERT` of a contact with an explicit id, of customer `customer_id` of company
/// `company_id`.
pub fn contact_sql(
    contact_id: i64,
    customer_id: i64,
    company_id: i32,
    relation_type_id: Option<i32>,
) -> String {
    let relation = relation_type_id.map_or_else(|| "NULL".to_owned(), |id| id.to_string());
    format!(
        "INSERT INTO customer_contacts \
         (contact_id, company_id, customer_id, contact_number, relation_type_id, contact_name, \
          primary_contact) \
         VALUES ({contact_id}, {company_id}, {customer_id}, '5000{contact_id:05}', {relation}, \
          'contact {contact_id}', FALSE)"
    )
}

#[derive(diesel::QueryableByName)]
struct RowCount {
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    n: i64,
}

/// The number of rows of `table`.
pub async fn count_rows(db: &customer_infrastructure::Database, table: &str) -> i64 {
    use diesel_async::RunQueryDsl;
    let sql = format!("SELECT COUNT(*) AS n FROM {table}");
    let count: RowCount = with_conn!(db, |conn| diesel::sql_query(&sql)
        .get_result(conn)
        .await
        .unwrap_or_else(|error| panic!("{error}: {sql}")));
    count.n
}

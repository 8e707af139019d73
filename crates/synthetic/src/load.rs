//! Writing the rows: a blocking task generates batches a few ahead of the writer, which
//! writes the whole load in one transaction on one connection, each table in multi-row
//! `INSERT`s of as many rows as the bind-parameter limit allows, prepared once.

use std::time::{Duration, Instant};

use customer_infrastructure::schema::{
    customer_contacts, customer_references, customer_versions, customers,
};
use customer_infrastructure::{
    Backend, Database, IndexRebuild, InfraError, POSTGRES_IDENTITY_FIX, insert_postgres,
    postgres_index_rebuild, sqlite_index_rebuild, with_connection,
};
use diesel::query_builder::InsertStatement;
use diesel::{Insertable, QueryResult, SqliteConnection, Table};
use diesel_async::sync_connection_wrapper::SyncConnectionWrapper;
use diesel_async::{AsyncConnection, AsyncPgConnection, SimpleAsyncConnection};
use tokio::sync::mpsc;

use crate::generate::Generator;
use crate::options::SyntheticProgress;
use crate::rows::{Batch, NewContact, NewCustomer, NewReference, NewVersion};

/// Settings of the PostgreSQL transactions of the seed: no statement timeout (an index
/// over millions of rows takes longer than the pool's), memory to sort index entries in.
pub(crate) const POSTGRES_SETTINGS: &str =
    "SET LOCAL statement_timeout = 0; SET LOCAL maintenance_work_mem = '512MB'";

/// Customers generated per batch, the unit of generation and of progress.
const CUSTOMERS_PER_BATCH: usize = 5_000;
/// Batches generated ahead of the writer.
const BATCHES_AHEAD: usize = 3;
/// The most bind parameters of one statement.
const POSTGRES_MAX_BINDS: usize = 65_535;
const SQLITE_MAX_BINDS: usize = 32_766;
/// Columns of each table, i.e. binds per inserted row (checked by a unit test).
const CUSTOMER_COLUMNS: usize = 2;
const VERSION_COLUMNS: usize = 45;
const CONTACT_COLUMNS: usize = 14;
const REFERENCE_COLUMNS: usize = 4;
/// Rows of each table in one statement of each backend: as many as the bind limit allows.
const PG_CUSTOMER_ROWS: usize = POSTGRES_MAX_BINDS / CUSTOMER_COLUMNS;
const PG_VERSION_ROWS: usize = POSTGRES_MAX_BINDS / VERSION_COLUMNS;
const PG_CONTACT_ROWS: usize = POSTGRES_MAX_BINDS / CONTACT_COLUMNS;
const PG_REFERENCE_ROWS: usize = POSTGRES_MAX_BINDS / REFERENCE_COLUMNS;
const SQLITE_CUSTOMER_ROWS: usize = SQLITE_MAX_BINDS / CUSTOMER_COLUMNS;
const SQLITE_VERSION_ROWS: usize = SQLITE_MAX_BINDS / VERSION_COLUMNS;
const SQLITE_CONTACT_ROWS: usize = SQLITE_MAX_BINDS / CONTACT_COLUMNS;
const SQLITE_REFERENCE_ROWS: usize = SQLITE_MAX_BINDS / REFERENCE_COLUMNS;

/// Rows written so far, per table.
#[derive(Debug, Default, Clone, Copy)]
pub(crate) struct Tally {
    pub(crate) customers: u64,
    pub(crate) versions: u64,
    pub(crate) contacts: u64,
    pub(crate) references: u64,
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

/// The batches coming from the generator.
type Batches = mpsc::Receiver<Result<Batch, InfraError>>;

/// Writes `customers` customers in one transaction, generated by a blocking task a few
/// batches ahead of the writer.
pub(crate) async fn load(
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
    // A panicking generator is a bug of its own, not a database failure: its panic goes
    // on, with its message. It is cancelled only as the runtime shuts down, when the
    // writer's outcome is the one to report.
    if let Err(error) = generating.await
        && error.is_panic()
    {
        std::panic::resume_unwind(error.into_panic());
    }
    let load_time = written?;
    Ok((progress.tally, load_time))
}

/// `insert_postgres` on SQLite's synchronous connection (diesel implements multi-row
/// `INSERT`s for SQLite, which has no `DEFAULT` in `VALUES`, on `SqliteConnection` only).
fn insert_sqlite<'a, T, R, const N: usize>(
    conn: &mut SqliteConnection,
    table: T,
    rows: &'a [R],
) -> QueryResult<()>
where
    T: Table + Copy,
    &'a [R; N]: Insertable<T>,
    &'a [R]: Insertable<T>,
    InsertStatement<T, <&'a [R; N] as Insertable<T>>::Values>:
        diesel::query_dsl::methods::ExecuteDsl<SqliteConnection>,
    InsertStatement<T, <&'a [R] as Insertable<T>>::Values>:
        diesel::query_dsl::methods::ExecuteDsl<SqliteConnection>,
{
    let (full, rest) = rows.as_chunks::<N>();
    for chunk in full {
        diesel::RunQueryDsl::execute(diesel::insert_into(table).values(chunk), conn)?;
    }
    if !rest.is_empty() {
        diesel::RunQueryDsl::execute(diesel::insert_into(table).values(rest), conn)?;
    }
    Ok(())
}

/// Inserts the rows of `batch` table by table, customers first for the foreign keys.
/// (The row types are named: inferring them overflows the trait solver.)
async fn insert_batch_postgres(conn: &mut AsyncPgConnection, batch: &Batch) -> QueryResult<()> {
    insert_postgres::<_, NewCustomer, PG_CUSTOMER_ROWS>(conn, customers::table, &batch.customers)
        .await?;
    insert_postgres::<_, NewVersion, PG_VERSION_ROWS>(
        conn,
        customer_versions::table,
        &batch.versions,
    )
    .await?;
    insert_postgres::<_, NewContact, PG_CONTACT_ROWS>(
        conn,
        customer_contacts::table,
        &batch.contacts,
    )
    .await?;
    insert_postgres::<_, NewReference, PG_REFERENCE_ROWS>(
        conn,
        customer_references::table,
        &batch.references,
    )
    .await
}

/// [`insert_batch_postgres`] on SQLite.
fn insert_batch_sqlite(conn: &mut SqliteConnection, batch: &Batch) -> QueryResult<()> {
    insert_sqlite::<_, NewCustomer, SQLITE_CUSTOMER_ROWS>(
        conn,
        customers::table,
        &batch.customers,
    )?;
    insert_sqlite::<_, NewVersion, SQLITE_VERSION_ROWS>(
        conn,
        customer_versions::table,
        &batch.versions,
    )?;
    insert_sqlite::<_, NewContact, SQLITE_CONTACT_ROWS>(
        conn,
        customer_contacts::table,
        &batch.contacts,
    )?;
    insert_sqlite::<_, NewReference, SQLITE_REFERENCE_ROWS>(
        conn,
        customer_references::table,
        &batch.references,
    )
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
        let rebuild = if rebuild {
            let rebuild = postgres_index_rebuild(conn, &[]).await?;
            progress.step(format!(
                "dropping {} secondary indexes and foreign keys",
                rebuild.drop.len()
            ));
            conn.batch_execute(&rebuild.drop_sql()).await?;
            rebuild
        } else {
            IndexRebuild::default()
        };
        progress.start();
        while let Some(batch) = batches.recv().await {
            let batch = batch?;
            insert_batch_postgres(conn, &batch).await?;
            progress.add(&batch);
        }
        let load_time = progress.complete()?;
        if !rebuild.restore.is_empty() {
            progress.step(format!(
                "creating {} secondary indexes and foreign keys",
                rebuild.restore.len()
            ));
            conn.batch_execute(&rebuild.restore_sql()).await?;
        }
        conn.batch_execute(POSTGRES_IDENTITY_FIX).await?;
        progress.step("committing".to_owned());
        Ok(load_time)
    })
    .await
}

/// The SQLite writer: the whole load in one transaction, each batch written by the
/// synchronous connection in a blocking task (see [`insert_sqlite`]).
async fn write_sqlite(
    conn: &mut SyncConnectionWrapper<SqliteConnection>,
    batches: &mut Batches,
    rebuild: bool,
    progress: &mut Progress<'_>,
) -> Result<Duration, InfraError> {
    conn.transaction(async |conn| {
        let rebuild = if rebuild {
            let rebuild = sqlite_index_rebuild(conn, &[]).await?;
            progress.step(format!("dropping {} secondary indexes", rebuild.drop.len()));
            conn.batch_execute(&rebuild.drop_sql()).await?;
            rebuild
        } else {
            IndexRebuild::default()
        };
        progress.start();
        while let Some(batch) = batches.recv().await {
            let batch = batch?;
            let batch = conn
                .spawn_blocking(move |conn| {
                    insert_batch_sqlite(conn, &batch)?;
                    Ok(batch)
                })
                .await?;
            progress.add(&batch);
        }
        let load_time = progress.complete()?;
        if !rebuild.restore.is_empty() {
            progress.step(format!(
                "creating {} secondary indexes",
                rebuild.restore.len()
            ));
            conn.batch_execute(&rebuild.restore_sql()).await?;
        }
        progress.step("committing".to_owned());
        Ok(load_time)
    })
    .await
}

/// Statistics for the planner, and (SQLite) the write-ahead log folded back into the
/// database file.
pub(crate) async fn finish(db: &Database) -> Result<(), InfraError> {
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

#[cfg(test)]
mod tests {
    use diesel::pg::Pg;
    use diesel::sqlite::Sqlite;

    use super::*;
    use crate::generate::sample_generator;
    use crate::rows::{NewContact, NewReference};

    #[test]
    fn insert_statements_bind_one_parameter_per_column() {
        let mut batch = sample_generator(1).batch(1).expect("a batch");
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
            company_id: 1,
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
}

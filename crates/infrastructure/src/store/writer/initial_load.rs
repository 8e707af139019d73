//! An import into customer tables that hold no customer yet: the whole load in one
//! transaction, on one connection, each batch a savepoint of it. The secondary indexes
//! and foreign keys that only lookups and deletes of reference rows need are dropped
//! first and built once over all rows at the end, as `customer-synthetic` does, rather
//! than maintained row by row (each row of `customer_versions` would otherwise update
//! 20 indexes and check 15 foreign keys). The writer's own reads keep their indexes.
//!
//! A failure or a crash commits nothing: the tables are left empty and whole, and
//! running the import again starts it over. Until the commit, the customer tables are
//! locked: lookups and other writes wait.

use std::sync::Arc;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use customer_domain::{CodeBook, CustomerWriter, PendingChange, RepositoryError, WriteOutcome};
use diesel::OptionalExtension;
use diesel::prelude::*;
use diesel_async::pooled_connection::AsyncDieselConnectionManager;
use diesel_async::{
    AnsiTransactionManager, AsyncConnection, AsyncPgConnection, RunQueryDsl, SimpleAsyncConnection,
    TransactionManager,
};
use tokio::sync::Mutex;

use super::{BatchKeys, Rollback, SqlCustomerStore, WriteChanges as _};
use crate::bulk_indexes::{IndexRebuild, postgres_index_rebuild, sqlite_index_rebuild};
use crate::database::{Database, SqliteAsync};
use crate::deadline::{Checkout, checkout};
use crate::error::InfraError;
use crate::schema::customers;

/// The indexes a batch reads its customers' stored rows through: kept during the load.
const WRITER_INDEXES: [&str; 3] = [
    "customer_versions_customer_version_key",
    "customer_contacts_customer_idx",
    "customer_references_customer_key",
];

/// No statement timeout (the pool's is for lookups; an index over millions of rows takes
/// longer), and memory to sort index entries in.
const POSTGRES_SETTINGS: &str =
    "SET LOCAL statement_timeout = 0; SET LOCAL maintenance_work_mem = '512MB'";

/// Blocks other writers, not readers, while the tables are found empty: a customer
/// written in between would be loaded past the indexes' checks.
const POSTGRES_LOCK: &str = "LOCK TABLE customers, customer_versions, customer_contacts, \
     customer_references IN EXCLUSIVE MODE";

const POSTGRES_ANALYZE: &str = "ANALYZE customers, customer_versions, customer_contacts, \
     customer_references";

/// The connection the load holds, in its transaction.
enum Held {
    Postgres(Box<Checkout<AsyncDieselConnectionManager<AsyncPgConnection>>>),
    Sqlite(Checkout<AsyncDieselConnectionManager<SqliteAsync>>),
}

/// A [`CustomerWriter`] that loads empty customer tables in one transaction (see the
/// module's documentation); [`InitialLoad::finish`] builds the indexes and commits.
/// Dropped unfinished, it rolls back: its connection is closed.
pub struct InitialLoad {
    store: Arc<SqlCustomerStore>,
    /// Read before the load begins: dropping the foreign keys locks the reference tables
    /// they point to until the commit.
    book: CodeBook,
    conn: Mutex<Option<Held>>,
    rebuild: IndexRebuild,
}

impl std::fmt::Debug for InitialLoad {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("InitialLoad")
            .field("rebuilt", &self.rebuilt())
            .finish_non_exhaustive()
    }
}

impl InitialLoad {
    /// Begins an initial load of `store` when no company holds a customer; `None`, with
    /// nothing changed, when one does.
    ///
    /// # Errors
    /// The [`InfraError`] of a statement (the transaction is then rolled back).
    pub async fn begin(store: Arc<SqlCustomerStore>) -> Result<Option<Self>, InfraError> {
        let book = store.read_code_book().await?;
        let (held, rebuild) = match &store.db {
            Database::Postgres(pool) => {
                let mut conn = checkout(pool.get()).await?;
                AnsiTransactionManager::begin_transaction(&mut *conn).await?;
                conn.batch_execute(POSTGRES_SETTINGS).await?;
                conn.batch_execute(POSTGRES_LOCK).await?;
                if holds_a_customer(&mut *conn).await? {
                    AnsiTransactionManager::rollback_transaction(&mut *conn).await?;
                    conn.release();
                    return Ok(None);
                }
                let rebuild = postgres_index_rebuild(&mut conn, &WRITER_INDEXES).await?;
                conn.batch_execute(&rebuild.drop_sql()).await?;
                (Held::Postgres(Box::new(conn)), rebuild)
            }
            Database::Sqlite(pool) => {
                let mut conn = checkout(pool.get()).await?;
                // `BEGIN IMMEDIATE`: the write lock from the start, as every write takes.
                conn.spawn_blocking(|conn| {
                    diesel::connection::AnsiTransactionManager::begin_transaction_sql(
                        conn,
                        "BEGIN IMMEDIATE",
                    )
                })
                .await?;
                if holds_a_customer(&mut *conn).await? {
                    <SqliteAsync as AsyncConnection>::TransactionManager::rollback_transaction(
                        &mut conn,
                    )
                    .await?;
                    conn.release();
                    return Ok(None);
                }
                let rebuild = sqlite_index_rebuild(&mut conn, &WRITER_INDEXES).await?;
                conn.batch_execute(&rebuild.drop_sql()).await?;
                (Held::Sqlite(conn), rebuild)
            }
        };
        Ok(Some(Self {
            store,
            book,
            conn: Mutex::new(Some(held)),
            rebuild,
        }))
    }

    /// What [`Self::finish`] creates: `22 indexes`, or `22 indexes and 19 foreign keys`
    /// (SQLite keeps its foreign keys).
    #[must_use]
    pub fn rebuilt(&self) -> String {
        let foreign_keys = self
            .rebuild
            .restore
            .iter()
            .filter(|statement| statement.starts_with("ALTER TABLE"))
            .count();
        let indexes = self.rebuild.restore.len() - foreign_keys;
        if foreign_keys == 0 {
            format!("{indexes} indexes")
        } else {
            format!("{indexes} indexes and {foreign_keys} foreign keys")
        }
    }

    /// Refreshes the planner's statistics of what the load wrote so far, inside its
    /// transaction (see [`SqlCustomerStore::refresh_statistics`]).
    ///
    /// # Errors
    /// The [`InfraError`] of the statement; [`InfraError::LoadAbandoned`] after a failed
    /// batch.
    pub async fn refresh_statistics(&self) -> Result<(), InfraError> {
        let mut held = self.conn.lock().await;
        match held.as_mut().ok_or(InfraError::LoadAbandoned)? {
            Held::Postgres(conn) => conn.batch_execute(POSTGRES_ANALYZE).await?,
            Held::Sqlite(conn) => conn.batch_execute("ANALYZE").await?,
        }
        Ok(())
    }

    /// Creates the dropped indexes and foreign keys again over every row, refreshes the
    /// statistics and commits.
    ///
    /// # Errors
    /// The [`InfraError`] of a statement: then nothing is committed.
    pub async fn finish(self) -> Result<(), InfraError> {
        let held = self
            .conn
            .lock()
            .await
            .take()
            .ok_or(InfraError::LoadAbandoned)?;
        let restore = self.rebuild.restore_sql();
        match held {
            Held::Postgres(mut conn) => {
                if !restore.is_empty() {
                    conn.batch_execute(&restore).await?;
                }
                conn.batch_execute(POSTGRES_ANALYZE).await?;
                AnsiTransactionManager::commit_transaction(&mut **conn).await?;
                (*conn).release();
            }
            Held::Sqlite(mut conn) => {
                if !restore.is_empty() {
                    conn.batch_execute(&restore).await?;
                }
                conn.batch_execute("ANALYZE").await?;
                <SqliteAsync as AsyncConnection>::TransactionManager::commit_transaction(&mut conn)
                    .await?;
                conn.release();
            }
        }
        Ok(())
    }
}

/// Whether any company holds a customer.
async fn holds_a_customer<C>(conn: &mut C) -> Result<bool, InfraError>
where
    C: AsyncConnection,
    for<'q> diesel::dsl::Limit<diesel::dsl::Select<customers::table, customers::customer_id>>:
        diesel_async::methods::LoadQuery<'q, C, i64>,
{
    let any: Option<i64> = customers::table
        .select(customers::customer_id)
        .first(conn)
        .await
        .optional()?;
    Ok(any.is_some())
}

#[async_trait]
impl CustomerWriter for InitialLoad {
    async fn code_book(&self) -> Result<CodeBook, RepositoryError> {
        Ok(self.book.clone())
    }

    async fn apply(
        &self,
        changes: Vec<PendingChange>,
        now: DateTime<Utc>,
        dry_run: bool,
    ) -> Result<Vec<WriteOutcome>, RepositoryError> {
        let now = self.store.stored_now(now);
        let keys = BatchKeys::of(&changes);
        let mut guard = self.conn.lock().await;
        let held = guard.as_mut().ok_or(InfraError::LoadAbandoned)?;
        // Each batch a savepoint, which a dry run rolls back.
        let result = match held {
            Held::Postgres(conn) => {
                let conn: &mut AsyncPgConnection = conn;
                conn.transaction(async |conn| {
                    conn.write_changes(&keys, changes, now, dry_run).await
                })
                .await
            }
            Held::Sqlite(conn) => {
                let conn: &mut SqliteAsync = conn;
                conn.transaction(async |conn| {
                    conn.write_changes(&keys, changes, now, dry_run).await
                })
                .await
            }
        };
        if matches!(result, Err(Rollback::Failed(_))) {
            // The load cannot commit what it lost: its connection is closed, which rolls
            // the whole load back.
            guard.take();
        }
        Ok(Rollback::outcomes(result)?)
    }
}

//! Applies the embedded migrations of either backend.
//!
//! `migrations/postgres` and `migrations/sqlite` are each a complete diesel migration
//! directory. A migration written once for both (the reference data) lives in
//! `migrations/shared`, and each set's folder of that migration is a symbolic link to it.
//!
//! Both run in a blocking task on a synchronous connection: diesel-async's async
//! migration harness uses `block_in_place`, which panics on a current-thread runtime
//! (actix's, and plain `#[tokio::test]`).

use std::path::Path;

use diesel::Connection;
use diesel::QueryDsl;
use diesel::SqliteConnection;
use diesel::connection::SimpleConnection;
use diesel::migration::MigrationSource;
use diesel_async::AsyncPgConnection;
use diesel_async::async_connection_wrapper::AsyncConnectionWrapper;
use diesel_migrations::{EmbeddedMigrations, MigrationHarness, embed_migrations};

use crate::database::{Database, with_connection};
use crate::database_url::DatabaseUrl;
use crate::error::InfraError;
use crate::setup_lock::MIGRATION_LOCK;

diesel::table! {
    /// diesel's record of the migrations applied.
    __diesel_schema_migrations (version) {
        version -> Text,
        run_on -> Timestamp,
    }
}

const POSTGRES: EmbeddedMigrations = embed_migrations!("../../migrations/postgres");
const SQLITE: EmbeddedMigrations = embed_migrations!("../../migrations/sqlite");

/// Applies every pending migration of the backend `url` selects; returns the versions
/// applied, oldest first.
///
/// # Errors
/// [`InfraError::Connect`] when the database cannot be reached, [`InfraError::Migration`]
/// when a migration fails (it is rolled back).
pub async fn run_migrations(url: &DatabaseUrl) -> Result<Vec<String>, InfraError> {
    let url = url.clone();
    tokio::task::spawn_blocking(move || match &url {
        DatabaseUrl::Postgres(url) => {
            let mut conn = postgres(url)?;
            // Two runs at once (instances starting together, `migrate` beside a start)
            // would both apply the same migration; the second waits, then finds none.
            conn.batch_execute(&format!("SELECT pg_advisory_lock({MIGRATION_LOCK})"))?;
            let applied = apply(&mut conn, POSTGRES);
            conn.batch_execute(&format!("SELECT pg_advisory_unlock({MIGRATION_LOCK})"))?;
            applied
        }
        DatabaseUrl::Sqlite(path) => {
            if let Some(folder) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
                std::fs::create_dir_all(folder)?;
            }
            let mut conn = sqlite(path)?;
            conn.batch_execute("PRAGMA journal_mode = WAL;")?;
            apply(&mut conn, SQLITE)
        }
    })
    .await
    .map_err(|error| unfinished(&error))?
}

/// Reverts every applied migration of the backend `url` selects, newest first; returns
/// the versions reverted. For tests of the `down.sql` files.
pub async fn revert_all_migrations(url: &DatabaseUrl) -> Result<Vec<String>, InfraError> {
    revert_migrations(url, Reverted::All).await
}

/// Reverts the newest applied migration of the backend `url` selects; returns its
/// version. For tests of a `down.sql` file, and of what a migration applied again makes
/// of the rows written before it.
pub async fn revert_last_migration(url: &DatabaseUrl) -> Result<String, InfraError> {
    let mut reverted = revert_migrations(url, Reverted::Last).await?;
    reverted
        .pop()
        .ok_or_else(|| InfraError::Migration("no migration to revert".to_owned()))
}

/// Which applied migrations to revert.
#[derive(Debug, Clone, Copy)]
enum Reverted {
    All,
    Last,
}

async fn revert_migrations(url: &DatabaseUrl, which: Reverted) -> Result<Vec<String>, InfraError> {
    let url = url.clone();
    tokio::task::spawn_blocking(move || match &url {
        DatabaseUrl::Postgres(url) => revert(&mut postgres(url)?, POSTGRES, which),
        DatabaseUrl::Sqlite(path) => revert(&mut sqlite(path)?, SQLITE, which),
    })
    .await
    .map_err(|error| unfinished(&error))?
}

/// The migrations' task panicked or was cancelled (the runtime shutting down): whether
/// any migration was applied is for the next run to find out, as after any failed one.
fn unfinished(error: &tokio::task::JoinError) -> InfraError {
    InfraError::Migration(format!("the migration task did not finish: {error}"))
}

/// A synchronous connection to PostgreSQL, for diesel's migration harness, with the
/// URL's TLS (run in a blocking task of the runtime, as `establish` would).
fn postgres(url: &str) -> Result<AsyncConnectionWrapper<AsyncPgConnection>, InfraError> {
    let conn = tokio::runtime::Handle::current().block_on(crate::tls::connect(url))?;
    Ok(AsyncConnectionWrapper::from(conn))
}

/// A connection to the SQLite file `path`, with foreign keys enforced.
fn sqlite(path: &Path) -> Result<SqliteConnection, InfraError> {
    let mut conn = SqliteConnection::establish(&path.to_string_lossy())?;
    conn.batch_execute("PRAGMA foreign_keys = ON;")?;
    Ok(conn)
}

impl Database {
    /// The embedded migrations not yet applied to this database, read through the pool
    /// (cheap enough for a readiness probe).
    ///
    /// # Errors
    /// Any [`InfraError`] met on the way. A database never migrated has every migration
    /// pending.
    pub async fn pending_migrations(&self) -> Result<Vec<String>, InfraError> {
        use diesel_async::RunQueryDsl;

        let applied: Vec<String> = with_connection!(self, |conn| {
            match __diesel_schema_migrations::table
                .select(__diesel_schema_migrations::version)
                .load::<String>(conn)
                .await
            {
                Ok(applied) => applied,
                // Never migrated: diesel creates its record table with the first migration.
                Err(diesel::result::Error::DatabaseError(_, info))
                    if info.message().contains("__diesel_schema_migrations") =>
                {
                    Vec::new()
                }
                Err(error) => return Err(error.into()),
            }
        });
        let known = embedded_versions(self)?;
        Ok(known
            .into_iter()
            .filter(|version| !applied.contains(version))
            .collect())
    }
}

fn embedded_versions(db: &Database) -> Result<Vec<String>, InfraError> {
    match db {
        Database::Postgres(_) => versions_of::<diesel::pg::Pg>(&POSTGRES),
        Database::Sqlite(_) => versions_of::<diesel::sqlite::Sqlite>(&SQLITE),
    }
}

fn versions_of<DB: diesel::backend::Backend>(
    migrations: &EmbeddedMigrations,
) -> Result<Vec<String>, InfraError>
where
    EmbeddedMigrations: MigrationSource<DB>,
{
    let migrations = MigrationSource::<DB>::migrations(migrations)
        .map_err(|error| InfraError::Migration(error.to_string()))?;
    Ok(migrations
        .iter()
        .map(|m| m.name().version().to_string())
        .collect())
}

fn apply<C, DB>(conn: &mut C, migrations: EmbeddedMigrations) -> Result<Vec<String>, InfraError>
where
    DB: diesel::backend::Backend,
    C: MigrationHarness<DB>,
    EmbeddedMigrations: MigrationSource<DB>,
{
    conn.run_pending_migrations(migrations)
        .map(|versions| versions.iter().map(ToString::to_string).collect())
        .map_err(|error| InfraError::Migration(error.to_string()))
}

/// Reverts `which` of the applied `migrations`; returns the versions reverted, newest
/// first.
fn revert<C, DB>(
    conn: &mut C,
    migrations: EmbeddedMigrations,
    which: Reverted,
) -> Result<Vec<String>, InfraError>
where
    DB: diesel::backend::Backend,
    C: MigrationHarness<DB>,
    EmbeddedMigrations: MigrationSource<DB>,
{
    let reverted = match which {
        Reverted::All => conn
            .revert_all_migrations(migrations)
            .map(|versions| versions.iter().map(ToString::to_string).collect()),
        Reverted::Last => conn
            .revert_last_migration(migrations)
            .map(|version| vec![version.to_string()]),
    };
    reverted.map_err(|error| InfraError::Migration(error.to_string()))
}

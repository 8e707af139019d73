//! Direct access to a test database, beside the service: statements, databases that were
//! never migrated, and locks that make the service's reads wait.

use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::time::Duration;

use crate::support::{TestBackend, workspace_root};
use customer_infrastructure::DatabaseUrl;
use customer_testkit::{admin_url, drop_postgres_database, url_with_database};
use diesel::Connection;
use diesel::connection::SimpleConnection;
use diesel_async::{AsyncConnection, AsyncPgConnection, SimpleAsyncConnection};

/// Connects to PostgreSQL at `url`, failing the test after 10 s.
pub async fn connect_postgres(url: &str) -> AsyncPgConnection {
    tokio::time::timeout(Duration::from_secs(10), AsyncPgConnection::establish(url))
        .await
        .expect("PostgreSQL answers within 10 s")
        .unwrap_or_else(|error| panic!("cannot connect to PostgreSQL: {error}"))
}

/// Runs `sql` (one or more statements) on the database at `url`, whatever its backend.
pub async fn execute(url: &DatabaseUrl, sql: &str) {
    match url {
        DatabaseUrl::Postgres(url) => {
            let mut conn = connect_postgres(url).await;
            conn.batch_execute(sql)
                .await
                .unwrap_or_else(|error| panic!("{sql}: {error}"));
        }
        DatabaseUrl::Sqlite(path) => {
            let path = path.clone();
            let sql = sql.to_owned();
            tokio::task::spawn_blocking(move || {
                let mut conn = connect_sqlite(&path);
                conn.batch_execute("PRAGMA busy_timeout = 5000")
                    .expect("busy_timeout is set");
                conn.batch_execute(&sql)
                    .unwrap_or_else(|error| panic!("{sql}: {error}"));
            })
            .await
            .expect("the statement ran");
        }
    }
}

fn connect_sqlite(path: &Path) -> diesel::SqliteConnection {
    diesel::SqliteConnection::establish(&path.to_string_lossy())
        .unwrap_or_else(|error| panic!("cannot open {}: {error}", path.display()))
}

/// The versions of the migrations of `backend`, oldest first, as diesel records them
/// (`2026-11-26-000001_schema` is `20261126000001`).
pub fn migration_versions(backend: TestBackend) -> Vec<String> {
    let folder = workspace_root().join("migrations").join(backend.name());
    let mut versions: Vec<String> = std::fs::read_dir(&folder)
        .unwrap_or_else(|error| panic!("{}: {error}", folder.display()))
        .flatten()
        .filter(|entry| entry.path().is_dir())
        .map(|entry| {
            let name = entry.file_name().to_string_lossy().into_owned();
            let version = name.split('_').next().unwrap_or_default();
            version.chars().filter(char::is_ascii_digit).collect()
        })
        .collect();
    versions.sort();
    assert!(
        !versions.is_empty(),
        "{} holds migrations",
        folder.display()
    );
    versions
}

/// A database of `backend` that exists (or, for SQLite, a file that does not exist yet)
/// and was never migrated; removed when dropped.
#[derive(Debug)]
pub struct EmptyDatabase {
    /// The URL a service is configured with.
    pub url: String,
    _folder: Option<tempfile::TempDir>,
    postgres_name: Option<String>,
}

impl EmptyDatabase {
    pub async fn new(backend: TestBackend) -> Self {
        match backend {
            TestBackend::Sqlite => {
                let folder = tempfile::tempdir().expect("a temporary folder");
                let path: PathBuf = folder.path().join("never-migrated.db");
                Self {
                    url: path.display().to_string(),
                    _folder: Some(folder),
                    postgres_name: None,
                }
            }
            TestBackend::Postgres => {
                let nanos = std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .expect("a clock after 1970")
                    .as_nanos();
                let name = format!("customer_api_test_empty_{}_{nanos}", std::process::id());
                let mut admin = connect_postgres(&admin_url()).await;
                admin
                    .batch_execute(&format!("CREATE DATABASE \"{name}\""))
                    .await
                    .unwrap_or_else(|error| panic!("cannot create {name}: {error}"));
                Self {
                    url: url_with_database(&admin_url(), &name),
                    _folder: None,
                    postgres_name: Some(name),
                }
            }
        }
    }
}

impl Drop for EmptyDatabase {
    fn drop(&mut self) {
        if let Some(name) = self.postgres_name.take()
            && !drop_postgres_database(&admin_url(), &name)
        {
            eprintln!("warning: an empty test database could not be dropped");
        }
    }
}

/// A lock on a database that makes the service's reads wait until [`Self::release`].
pub enum ReadBlocker {
    /// A transaction holding `LOCK TABLE customer_versions IN ACCESS EXCLUSIVE MODE`.
    Postgres(Box<AsyncPgConnection>),
    /// A connection in `locking_mode = EXCLUSIVE` that wrote inside `BEGIN EXCLUSIVE`,
    /// living on a thread of its own until told to close.
    Sqlite {
        release: mpsc::Sender<()>,
        closed: std::thread::JoinHandle<()>,
    },
}

impl std::fmt::Debug for ReadBlocker {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::Postgres(_) => "ReadBlocker::Postgres",
            Self::Sqlite { .. } => "ReadBlocker::Sqlite",
        })
    }
}

impl ReadBlocker {
    /// Takes the lock; returns once it is held.
    pub async fn lock(url: &DatabaseUrl) -> Self {
        match url {
            DatabaseUrl::Postgres(url) => {
                let mut conn = connect_postgres(url).await;
                conn.batch_execute("BEGIN; LOCK TABLE customer_versions IN ACCESS EXCLUSIVE MODE")
                    .await
                    .expect("the table lock is taken");
                Self::Postgres(Box::new(conn))
            }
            DatabaseUrl::Sqlite(path) => {
                let path = path.clone();
                let (locked_tx, locked_rx) = mpsc::channel::<Result<(), String>>();
                let (release, release_rx) = mpsc::channel::<()>();
                let closed = std::thread::spawn(move || {
                    let mut conn = connect_sqlite(&path);
                    let locked = conn
                        .batch_execute(
                            "PRAGMA busy_timeout = 5000; \
                             PRAGMA locking_mode = EXCLUSIVE; \
                             BEGIN EXCLUSIVE; \
                             UPDATE companies SET code = code;",
                        )
                        .map_err(|error| error.to_string());
                    let held = locked.is_ok();
                    let _ = locked_tx.send(locked);
                    if held {
                        // Until released, or until the test is gone.
                        let _ = release_rx.recv();
                        let _ = conn.batch_execute("ROLLBACK");
                    }
                    // Closing the connection ends its exclusive lock.
                    drop(conn);
                });
                let locked = tokio::task::spawn_blocking(move || locked_rx.recv())
                    .await
                    .expect("the locking thread answers")
                    .expect("the locking thread tells whether it holds the lock");
                if let Err(error) = locked {
                    panic!("the exclusive SQLite lock is not taken: {error}");
                }
                Self::Sqlite { release, closed }
            }
        }
    }

    /// Ends the lock: commits the PostgreSQL transaction, closes the SQLite connection.
    pub async fn release(self) {
        match self {
            Self::Postgres(mut conn) => conn
                .batch_execute("COMMIT")
                .await
                .expect("the lock transaction commits"),
            Self::Sqlite { release, closed } => {
                let _ = release.send(());
                tokio::task::spawn_blocking(move || closed.join())
                    .await
                    .expect("the locking thread answers")
                    .expect("the locking thread ends");
            }
        }
    }
}

/// Whether a read of `customer_versions` from a connection of this process is refused or
/// waits right now (so that the service's reads wait too): PostgreSQL: a read with a
/// 200 ms `lock_timeout` fails; SQLite: a read without `busy_timeout` is `database is
/// locked`.
pub async fn reads_wait(url: &DatabaseUrl) -> bool {
    const READ: &str = "SELECT count(*) FROM customer_versions";
    match url {
        DatabaseUrl::Postgres(url) => {
            let mut conn = connect_postgres(url).await;
            conn.batch_execute(&format!("SET lock_timeout = 200; {READ}"))
                .await
                .is_err()
        }
        DatabaseUrl::Sqlite(path) => {
            let path = path.clone();
            tokio::task::spawn_blocking(move || {
                let mut conn = connect_sqlite(&path);
                conn.batch_execute(READ)
                    .is_err_and(|error| error.to_string().contains("locked"))
            })
            .await
            .expect("the probe ran")
        }
    }
}

/// How many sessions of the PostgreSQL database at `url` wait for a lock.
pub async fn sessions_waiting_for_a_lock(url: &str) -> i64 {
    use diesel_async::RunQueryDsl;
    let mut conn = connect_postgres(url).await;
    diesel::select(diesel::dsl::sql::<diesel::sql_types::BigInt>(
        "(SELECT count(*) FROM pg_stat_activity \
          WHERE datname = current_database() AND wait_event_type = 'Lock')",
    ))
    .get_result(&mut conn)
    .await
    .expect("pg_stat_activity is readable")
}

/// A row of the audit trail as stored: the columns a test checks, in the order
/// [`audit_rows`] selects them.
#[derive(Debug, Clone, PartialEq, Eq, diesel::Queryable)]
pub struct AuditRow {
    pub request_id: String,
    pub client_name: String,
    pub credential: String,
    pub company_code: String,
    /// The criteria's names, comma-separated, in the contract's order.
    pub criteria: String,
    pub customers_returned: i32,
    /// The customers shown, as JSON.
    pub disclosed: String,
}

/// Every row of the audit trail at `url`, in the order written.
pub async fn audit_rows(url: &DatabaseUrl) -> Vec<AuditRow> {
    use customer_infrastructure::schema::audit_disclosures::dsl as audit;
    use diesel::QueryDsl;
    let query = audit::audit_disclosures
        .select((
            audit::request_id,
            audit::client_name,
            audit::credential,
            audit::company_code,
            audit::criteria,
            audit::customers_returned,
            audit::disclosed,
        ))
        .order(audit::id);
    match url {
        DatabaseUrl::Postgres(url) => {
            use diesel_async::RunQueryDsl;
            let mut conn = connect_postgres(url).await;
            query
                .load(&mut conn)
                .await
                .expect("the audit trail is readable")
        }
        DatabaseUrl::Sqlite(path) => {
            let path = path.clone();
            tokio::task::spawn_blocking(move || {
                use diesel::RunQueryDsl;
                let mut conn = connect_sqlite(&path);
                query.load(&mut conn).expect("the audit trail is readable")
            })
            .await
            .expect("the read ran")
        }
    }
}

/// One value read by [`text_values`].
#[derive(Debug, diesel::QueryableByName)]
struct TextValue {
    #[diesel(sql_type = diesel::sql_types::Nullable<diesel::sql_types::Text>)]
    value: Option<String>,
}

/// The single text column `value` of the rows of `sql`, on either backend.
async fn text_values(url: &DatabaseUrl, sql: String) -> Vec<Option<String>> {
    let rows: Vec<TextValue> = match url {
        DatabaseUrl::Postgres(url) => {
            use diesel_async::RunQueryDsl;
            let mut conn = connect_postgres(url).await;
            diesel::sql_query(&sql)
                .load(&mut conn)
                .await
                .unwrap_or_else(|error| panic!("{sql}: {error}"))
        }
        DatabaseUrl::Sqlite(path) => {
            let path = path.clone();
            tokio::task::spawn_blocking(move || {
                use diesel::RunQueryDsl;
                let mut conn = connect_sqlite(&path);
                // A writer of another process may hold the file for a moment.
                conn.batch_execute("PRAGMA busy_timeout = 5000")
                    .expect("busy_timeout is set");
                diesel::sql_query(&sql)
                    .load(&mut conn)
                    .unwrap_or_else(|error| panic!("{sql}: {error}"))
            })
            .await
            .expect("the read ran")
        }
    };
    rows.into_iter().map(|row| row.value).collect()
}

/// `SELECT COUNT(*) FROM {from}` (`from`: a table, and a `WHERE` clause if any) on
/// either backend.
pub async fn count(url: &DatabaseUrl, from: &str) -> i64 {
    let sql = format!("SELECT CAST(COUNT(*) AS TEXT) AS value FROM {from}");
    text_values(url, sql)
        .await
        .first()
        .cloned()
        .flatten()
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("a count of {from}"))
}

/// The names of the columns of `table`, as the database lists them (not as the code
/// knows them: a column added later is listed too).
pub async fn column_names(url: &DatabaseUrl, table: &str) -> Vec<String> {
    let sql = match url {
        DatabaseUrl::Postgres(_) => format!(
            "SELECT CAST(column_name AS TEXT) AS value FROM information_schema.columns \
             WHERE table_schema = current_schema() AND table_name = '{table}' \
             ORDER BY ordinal_position"
        ),
        DatabaseUrl::Sqlite(_) => {
            format!("SELECT name AS value FROM pragma_table_info('{table}') ORDER BY cid")
        }
    };
    let names: Vec<String> = text_values(url, sql).await.into_iter().flatten().collect();
    assert!(!names.is_empty(), "{table} has columns");
    names
}

/// Every value of every column of every row of `table`, as text (NULLs left out),
/// with the column it was read from.
pub async fn every_value_as_text(url: &DatabaseUrl, table: &str) -> Vec<(String, String)> {
    let mut values = Vec::new();
    for column in column_names(url, table).await {
        let sql = format!("SELECT CAST(\"{column}\" AS TEXT) AS value FROM {table}");
        for value in text_values(url, sql).await.into_iter().flatten() {
            values.push((column.clone(), value));
        }
    }
    values
}

/// Makes every insert into the audit trail at `url` fail, as a store that cannot be
/// written would: a trigger that raises an error before each row.
pub async fn refuse_audit_writes(url: &DatabaseUrl) {
    let sql = match url {
        DatabaseUrl::Postgres(_) => {
            "CREATE FUNCTION refuse_audit_writes() RETURNS trigger LANGUAGE plpgsql AS \
             $$ BEGIN RAISE EXCEPTION 'the audit trail cannot be written'; END $$; \
             CREATE TRIGGER refuse_audit_writes BEFORE INSERT ON audit_disclosures \
             FOR EACH ROW EXECUTE FUNCTION refuse_audit_writes();"
        }
        DatabaseUrl::Sqlite(_) => {
            "CREATE TRIGGER refuse_audit_writes BEFORE INSERT ON audit_disclosures \
             BEGIN SELECT RAISE(ABORT, 'the audit trail cannot be written'); END;"
        }
    };
    execute(url, sql).await;
}

/// A PostgreSQL login role granted what the service needs on one test database, for
/// tests that revoke a privilege; dropped with its privileges when dropped.
#[derive(Debug)]
pub struct RestrictedRole {
    /// The role's name.
    pub name: String,
    /// The database's URL, connecting as the role.
    pub url: String,
    database_url: String,
}

impl RestrictedRole {
    /// Creates the role and grants it reading and writing every table of `database`.
    pub async fn create(database: &DatabaseUrl) -> Self {
        let DatabaseUrl::Postgres(url) = database else {
            panic!("roles are PostgreSQL's");
        };
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .expect("a clock after 1970")
            .subsec_nanos();
        let name = format!("customer_api_test_role_{}_{nanos}", std::process::id());
        execute(
            database,
            &format!(
                "CREATE ROLE {name} LOGIN; \
                 GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {name}; \
                 GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA public TO {name};"
            ),
        )
        .await;
        let (scheme, rest) = url.split_once("://").expect("a URL");
        let host = rest.split_once('@').map_or(rest, |(_, host)| host);
        Self {
            url: format!("{scheme}://{name}@{host}"),
            name,
            database_url: url.clone(),
        }
    }
}

impl Drop for RestrictedRole {
    fn drop(&mut self) {
        let (url, name) = (self.database_url.clone(), self.name.clone());
        // From a thread of its own: a Drop inside a runtime may not block on it.
        let _ = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .ok()?;
            runtime.block_on(async {
                // The database may be gone already, and the role's privileges with it.
                if let Ok(mut conn) = AsyncPgConnection::establish(&url).await {
                    let _ = conn.batch_execute(&format!("DROP OWNED BY {name}")).await;
                }
                let mut admin = AsyncPgConnection::establish(&admin_url()).await.ok()?;
                admin
                    .batch_execute(&format!("DROP ROLE IF EXISTS {name}"))
                    .await
                    .ok()
            })
        })
        .join();
    }
}

//! The adapter of the audit trail, from either backend, and the key of its keyed hashes.
//!
//! PostgreSQL keeps the trail in monthly partitions (`audit_disclosures_yYYYYmMM`) and a
//! DEFAULT partition for rows of a month without one, so that an insert never fails.
//! Each month's partition is made a month ahead ([`SqlAuditTrail::ensure_partitions`],
//! called by the migration and then at the first append of each month), so the DEFAULT
//! partition stays empty in practice. It may still get rows: of months far from now, or
//! while partitions could not be made. A partition whose range holds rows of the DEFAULT
//! partition cannot simply be created, so making it moves them into it, in the same
//! transaction.

use std::sync::atomic::{AtomicI32, Ordering};

use async_trait::async_trait;
use chrono::{DateTime, Datelike, Months, NaiveDate, NaiveDateTime, Utc};
use customer_domain::{
    AuditArchive, AuditKeyStore, AuditLog, AuditQuery, AuditRecord, Criterion, RepositoryError,
};
use diesel::dsl::sql;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Bool, Text};
use diesel_async::{RunQueryDsl, SimpleAsyncConnection};
use serde_json::json;

use crate::database::{Backend, Database, with_connection};
use crate::error::InfraError;
use crate::schema::{audit_disclosures, audit_settings};
use crate::timestamps::to_stored;

mod rows;

use rows::{DisclosureColumns, DisclosureRow, NewDisclosureRow};

/// The partitioned table, and its DEFAULT partition.
const TABLE: &str = "audit_disclosures";
const DEFAULT_PARTITION: &str = "audit_disclosures_default";
/// The advisory lock under which partitions are made and dropped, so that two instances
/// of the service never make the same one at once.
const PARTITION_LOCK: i64 = 727_275;
/// Records per SQLite INSERT: 12 bind values each, well under SQLite's limit of 32766
/// bind values per statement. (PostgreSQL's takes any number in 12 bind values.)
const MAX_BATCH: usize = 1000;
/// "No month ensured yet".
const NO_MONTH: i32 = i32::MIN;

/// The audit trail stored in a [`Database`].
pub struct SqlAuditTrail {
    db: Database,
    /// The month (see [`month_number`]) whose partitions were last made sure of, so that
    /// appends check them once a month rather than at every batch.
    ensured_month: AtomicI32,
}

impl std::fmt::Debug for SqlAuditTrail {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SqlAuditTrail")
            .field("db", &self.db)
            .finish_non_exhaustive()
    }
}

/// A month as one number, which changes when the month does.
fn month_number(at: DateTime<Utc>) -> i32 {
    at.year() * 12 + i32::try_from(at.month0()).unwrap_or_default()
}

/// The first instant of the month of `at`, as stored.
fn month_start(at: DateTime<Utc>) -> NaiveDateTime {
    NaiveDate::from_ymd_opt(at.year(), at.month(), 1)
        .unwrap_or(NaiveDate::MIN)
        .and_time(chrono::NaiveTime::MIN)
}

/// The monthly partition starting at `start`: `audit_disclosures_y2026m11`.
fn partition_name(start: NaiveDateTime) -> String {
    format!("{TABLE}_y{:04}m{:02}", start.year(), start.month())
}

/// A timestamp as a SQL literal (`'2026-11-01 00:00:00'`): made here from a date, so
/// nothing to escape.
fn literal(at: NaiveDateTime) -> String {
    format!("'{}'", at.format("%Y-%m-%d %H:%M:%S%.f"))
}

#[derive(QueryableByName)]
struct Partition {
    #[diesel(sql_type = Text)]
    name: String,
    /// `FOR VALUES FROM ('...') TO ('...')`, or `DEFAULT`.
    #[diesel(sql_type = Text)]
    bound: String,
}

impl Partition {
    /// The end of the partition's range (exclusive), when it is a bounded range.
    fn upper_bound(&self) -> Option<NaiveDateTime> {
        let upper = self.bound.split('\'').nth(3)?;
        NaiveDateTime::parse_from_str(upper, "%Y-%m-%d %H:%M:%S%.f").ok()
    }
}

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

#[derive(QueryableByName)]
struct Found {
    #[diesel(sql_type = Bool)]
    found: bool,
}

/// The partitions of the audit table, DEFAULT included, as PostgreSQL lists them.
const PARTITIONS: &str = "
SELECT c.relname::text AS name, pg_get_expr(c.relpartbound, c.oid) AS bound
FROM pg_inherits i
JOIN pg_class c ON c.oid = i.inhrelid
WHERE i.inhparent = 'audit_disclosures'::regclass
ORDER BY c.relname";

impl SqlAuditTrail {
    /// An adapter over `db`.
    pub fn new(db: Database) -> Self {
        Self {
            db,
            ensured_month: AtomicI32::new(NO_MONTH),
        }
    }

    /// Whether the service may insert into the audit trail: PostgreSQL's
    /// `has_table_privilege` on `audit_disclosures` (no row is written); SQLite, which has
    /// no privileges, reads the table's ids that no row has. For readiness probes.
    ///
    /// # Errors
    /// [`InfraError`] when the table is missing or the database fails.
    pub async fn may_insert(&self) -> Result<bool, InfraError> {
        match &self.db {
            Database::Postgres(pool) => {
                let mut conn = pool.get().await?;
                Ok(diesel::select(sql::<Bool>(
                    "has_table_privilege('audit_disclosures', 'INSERT')",
                ))
                .get_result(&mut *conn)
                .await?)
            }
            Database::Sqlite(pool) => {
                let mut conn = pool.get().await?;
                let _none: Vec<i64> = audit_disclosures::table
                    .select(audit_disclosures::id)
                    .filter(audit_disclosures::id.lt(0))
                    .load(&mut *conn)
                    .await?;
                Ok(true)
            }
        }
    }

    /// Makes the monthly partitions of the month of `now` and of the next month, those
    /// that do not exist yet; returns the names of those it made. Rows of their months
    /// found in the DEFAULT partition are moved into them. Nothing to do for SQLite,
    /// whose trail is one table.
    ///
    /// # Errors
    /// [`InfraError`] when the database fails; nothing is changed then.
    pub async fn ensure_partitions(&self, now: DateTime<Utc>) -> Result<Vec<String>, InfraError> {
        let Database::Postgres(pool) = &self.db else {
            return Ok(Vec::new());
        };
        let this_month = month_start(now);
        let months = [this_month, this_month + Months::new(1)];
        let mut pooled = pool.get().await?;
        diesel_async::AsyncConnection::transaction(&mut *pooled, async |conn| {
            conn.batch_execute(&format!("SELECT pg_advisory_xact_lock({PARTITION_LOCK})"))
                .await?;
            let mut made = Vec::new();
            for start in months {
                let name = partition_name(start);
                let exists: Found = diesel::sql_query(
                    "SELECT to_regclass(quote_ident($1)) IS NOT NULL AS found",
                )
                .bind::<Text, _>(&name)
                .get_result(conn)
                .await?;
                if exists.found {
                    continue;
                }
                let (from, to) = (literal(start), literal(start + Months::new(1)));
                // Made apart, filled with its rows from DEFAULT, then attached: attaching
                // checks that DEFAULT holds no row of the range any more.
                conn.batch_execute(&format!(
                    "CREATE TABLE {name} (LIKE {TABLE} INCLUDING DEFAULTS INCLUDING CONSTRAINTS);
                     WITH moved AS (
                         DELETE FROM {DEFAULT_PARTITION}
                         WHERE occurred_at >= {from} AND occurred_at < {to}
                         RETURNING *)
                     INSERT INTO {name} SELECT * FROM moved;
                     ALTER TABLE {TABLE} ATTACH PARTITION {name} FOR VALUES FROM ({from}) TO ({to});"
                ))
                .await?;
                made.push(name);
            }
            Ok::<_, InfraError>(made)
        })
        .await
    }

    /// On PostgreSQL, makes sure of this month's partitions at the first append of each
    /// month. A failure is only logged: the DEFAULT partition takes the rows meanwhile.
    async fn ensure_this_month(&self) {
        if self.db.backend() != Backend::Postgres {
            return;
        }
        let now = Utc::now();
        let month = month_number(now);
        if AtomicI32::load(&self.ensured_month, Ordering::Relaxed) == month {
            return;
        }
        match self.ensure_partitions(now).await {
            Ok(made) => {
                if !made.is_empty() {
                    tracing::info!(?made, "audit partitions made");
                }
                self.ensured_month.store(month, Ordering::Relaxed);
            }
            Err(error) => tracing::warn!(%error, "audit partitions could not be made"),
        }
    }

    async fn insert(&self, records: &[AuditRecord]) -> Result<(), InfraError> {
        let rows = records
            .iter()
            .map(NewDisclosureRow::new)
            .collect::<Result<Vec<_>, _>>()?;
        match &self.db {
            Database::Postgres(pool) => {
                let columns = DisclosureColumns::from(rows);
                let mut pooled = pool.get().await?;
                columns.execute(&mut *pooled).await?;
            }
            Database::Sqlite(pool) => {
                // diesel writes a batch of rows as one SQLite statement through its
                // synchronous connection only (diesel-async's would need DEFAULT-free
                // batches it cannot tell apart), hence the blocking task.
                let mut pooled = pool.get().await?;
                pooled
                    .spawn_blocking(move |conn| {
                        let insert = |conn: &mut SqliteConnection, chunk: &[NewDisclosureRow]| {
                            diesel::RunQueryDsl::execute(
                                diesel::insert_into(audit_disclosures::table).values(chunk),
                                conn,
                            )
                        };
                        if rows.len() <= MAX_BATCH {
                            insert(conn, &rows).map(drop)
                        } else {
                            conn.immediate_transaction(|conn| {
                                rows.chunks(MAX_BATCH)
                                    .try_for_each(|chunk| insert(conn, chunk).map(drop))
                            })
                        }
                    })
                    .await?;
            }
        }
        Ok(())
    }

    async fn select(
        &self,
        query: &AuditQuery,
        since: Option<DateTime<Utc>>,
    ) -> Result<Vec<AuditRecord>, InfraError> {
        let since = since.map(to_stored);
        let backend = self.db.backend();
        let rows: Vec<DisclosureRow> = with_connection!(&self.db, |conn| {
            let mut select = audit_disclosures::table
                .select(DisclosureRow::as_select())
                .order((audit_disclosures::occurred_at, audit_disclosures::id))
                .into_boxed();
            if let Some(since) = since {
                select = select.filter(audit_disclosures::occurred_at.ge(since));
            }
            select = match query {
                AuditQuery::Client(name) => {
                    select.filter(audit_disclosures::client_name.eq(name.as_str()))
                }
                // No index: a scan of the rows since `since` (see the migration).
                AuditQuery::Customer(id) => match backend {
                    Backend::Postgres => select.filter(
                        sql::<Bool>("CAST(disclosed AS jsonb) @> CAST(")
                            .bind::<Text, _>(json!([{ "customerId": id.get() }]).to_string())
                            .sql(" AS jsonb)"),
                    ),
                    Backend::Sqlite => select.filter(
                        sql::<Bool>(
                            "EXISTS (SELECT 1 FROM json_each(audit_disclosures.disclosed) \
                             WHERE json_extract(json_each.value, '$.customerId') = ",
                        )
                        .bind::<BigInt, _>(id.get())
                        .sql(")"),
                    ),
                },
                AuditQuery::Searched(searched) => {
                    let digest = searched.digest.as_str();
                    // `IS NOT NULL` spelled out: the mobile and identification number
                    // indexes are partial, on the rows that have a digest.
                    match searched.criterion {
                        Criterion::CustomerId => select.filter(
                            audit_disclosures::customer_id_hmac
                                .is_not_null()
                                .and(audit_disclosures::customer_id_hmac.eq(digest)),
                        ),
                        Criterion::IdentificationNo => select.filter(
                            audit_disclosures::identification_no_hmac
                                .is_not_null()
                                .and(audit_disclosures::identification_no_hmac.eq(digest)),
                        ),
                        Criterion::MobileNumber => select.filter(
                            audit_disclosures::mobile_number_hmac
                                .is_not_null()
                                .and(audit_disclosures::mobile_number_hmac.eq(digest)),
                        ),
                        Criterion::ReferenceNo => select.filter(
                            audit_disclosures::reference_no_hmac
                                .is_not_null()
                                .and(audit_disclosures::reference_no_hmac.eq(digest)),
                        ),
                    }
                }
            };
            select.load(conn).await?
        });
        rows.into_iter().map(DisclosureRow::into_record).collect()
    }

    async fn delete_before(&self, before: DateTime<Utc>) -> Result<u64, InfraError> {
        let before = to_stored(before);
        let deleted = match &self.db {
            Database::Sqlite(pool) => {
                let mut pooled = pool.get().await?;
                diesel::delete(
                    audit_disclosures::table.filter(audit_disclosures::occurred_at.lt(before)),
                )
                .execute(&mut *pooled)
                .await?
            }
            Database::Postgres(pool) => {
                let mut pooled = pool.get().await?;
                diesel_async::AsyncConnection::transaction(&mut *pooled, async |conn| {
                    conn.batch_execute(&format!("SELECT pg_advisory_xact_lock({PARTITION_LOCK})"))
                        .await?;
                    let partitions: Vec<Partition> =
                        diesel::sql_query(PARTITIONS).load(conn).await?;
                    let mut removed = 0;
                    // Dropping a partition locks the whole table until the commit: appends
                    // wait for the prune, an operator's job run rarely.
                    for partition in partitions {
                        if partition.upper_bound().is_none_or(|upper| upper > before) {
                            continue;
                        }
                        // Names read from the catalogue, quoted as identifiers.
                        let name = partition.name.replace('"', "\"\"");
                        let count: Count =
                            diesel::sql_query(format!("SELECT count(*) AS n FROM \"{name}\""))
                                .get_result(conn)
                                .await?;
                        conn.batch_execute(&format!("DROP TABLE \"{name}\""))
                            .await?;
                        removed += usize::try_from(count.n).unwrap_or_default();
                    }
                    // The rest: the DEFAULT partition and the month that holds `before`.
                    let deleted = diesel::delete(
                        audit_disclosures::table.filter(audit_disclosures::occurred_at.lt(before)),
                    )
                    .execute(conn)
                    .await?;
                    Ok::<_, InfraError>(removed + deleted)
                })
                .await?
            }
        };
        Ok(u64::try_from(deleted).unwrap_or(u64::MAX))
    }
}

#[async_trait]
impl AuditLog for SqlAuditTrail {
    async fn append(&self, records: &[AuditRecord]) -> Result<(), RepositoryError> {
        if records.is_empty() {
            return Ok(());
        }
        self.ensure_this_month().await;
        Ok(self.insert(records).await?)
    }
}

#[async_trait]
impl AuditArchive for SqlAuditTrail {
    async fn find(
        &self,
        query: &AuditQuery,
        since: Option<DateTime<Utc>>,
    ) -> Result<Vec<AuditRecord>, RepositoryError> {
        Ok(self.select(query, since).await?)
    }

    async fn prune(&self, before: DateTime<Utc>) -> Result<u64, RepositoryError> {
        Ok(self.delete_before(before).await?)
    }
}

#[async_trait]
impl AuditKeyStore for SqlAuditTrail {
    async fn hmac_key(&self, candidate: &[u8]) -> Result<Vec<u8>, RepositoryError> {
        Ok(audit_hmac_key(&self.db, candidate).await?)
    }
}

/// The key of the audit trail's keyed hashes when none is configured: the one stored in
/// the database, `candidate` stored by the first call. Two instances starting at once
/// agree: the first insert wins, the other is ignored, and both read the winner.
///
/// # Errors
/// [`InfraError`] when the database fails, [`InfraError::Inconsistent`] when the stored
/// key is not hexadecimal.
pub async fn audit_hmac_key(db: &Database, candidate: &[u8]) -> Result<Vec<u8>, InfraError> {
    let stored = if let Some(stored) = stored_hmac_key(db).await? {
        stored
    } else {
        let fresh = hex::encode(candidate);
        with_connection!(db, |conn| {
            diesel::insert_into(audit_settings::table)
                .values((
                    audit_settings::id.eq(1),
                    audit_settings::hmac_key.eq(&fresh),
                ))
                .on_conflict_do_nothing()
                .execute(conn)
                .await?;
        });
        // Another instance's key if it stored one first.
        stored_hmac_key(db).await?.ok_or_else(|| {
            InfraError::Inconsistent("audit_settings holds no key after one was added".into())
        })?
    };
    decode_hex(&stored).ok_or_else(|| {
        InfraError::Inconsistent("audit_settings.hmac_key is not hexadecimal".to_owned())
    })
}

async fn stored_hmac_key(db: &Database) -> Result<Option<String>, InfraError> {
    Ok(with_connection!(db, |conn| {
        audit_settings::table
            .filter(audit_settings::id.eq(1))
            .select(audit_settings::hmac_key)
            .first(conn)
            .await
            .optional()?
    }))
}

/// The stored key's bytes; `None` when it is empty or not hexadecimal.
fn decode_hex(text: &str) -> Option<Vec<u8>> {
    hex::decode(text).ok().filter(|bytes| !bytes.is_empty())
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    /// `y`-`m`-`d` 13:45 UTC.
    pub(super) fn utc(y: i32, m: u32, d: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(y, m, d, 13, 45, 0)
            .single()
            .expect("a valid time")
    }

    #[test]
    fn months_name_their_partitions() {
        let start = month_start(utc(2026, 12, 31));
        assert_eq!(literal(start), "'2026-12-01 00:00:00'");
        assert_eq!(partition_name(start), "audit_disclosures_y2026m12");
        assert_eq!(
            partition_name(start + Months::new(1)),
            "audit_disclosures_y2027m01"
        );
        assert_eq!(
            month_number(utc(2026, 12, 1)) + 1,
            month_number(utc(2027, 1, 1))
        );
    }

    #[test]
    fn partition_bounds_are_read_from_the_catalogue_text() {
        let partition = |bound: &str| Partition {
            name: "p".into(),
            bound: bound.into(),
        };
        assert_eq!(
            partition("FOR VALUES FROM ('2026-11-01 00:00:00') TO ('2026-12-01 00:00:00')")
                .upper_bound(),
            Some(month_start(utc(2026, 12, 1)))
        );
        assert_eq!(partition("DEFAULT").upper_bound(), None);
    }

    #[test]
    fn keys_are_read_from_hex() {
        assert_eq!(decode_hex("00ff10"), Some(vec![0, 255, 16]));
        assert_eq!(decode_hex("0"), None);
        assert_eq!(decode_hex("zz"), None);
        assert_eq!(decode_hex(""), None);
    }
}

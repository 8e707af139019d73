//! The adapter of [`CustomerWriter`]: a batch of changes applied in one transaction.
//!
//! The batch reads what is stored of its customers (a statement per table and company),
//! works out every row to write in memory ([`plan`]), then writes them: the versions it
//! closes, the contacts and references it moves to history, and multi-row inserts of the
//! new rows. Each company's writes are serialized (PostgreSQL: an advisory lock per
//! company held to the end of the transaction; SQLite: one writer at a time), which
//! makes the ids taken from each table's largest safe and two writes of one customer
//! number their versions one after the other.

mod initial_load;
mod plan;
mod rows;

use std::collections::{BTreeMap, HashMap};

use async_trait::async_trait;
use chrono::{DateTime, NaiveDateTime, SubsecRound, Utc};
use customer_domain::{
    CodeBook, CodeCategory, CompanyCode, CustomerChange, CustomerWriter, PendingChange,
    RepositoryError, WriteOutcome,
};
use diesel::dsl;
use diesel::prelude::*;
use diesel::sql_types::Integer;
use diesel_async::RunQueryDsl;

pub use self::initial_load::InitialLoad;
use self::plan::{NextIds, Plan, Stored};
use self::rows::{ContactRow, CustomerRow, ReferenceHistoryRow, ReferenceRow};
use super::SqlCustomerStore;
use crate::bulk_insert::insert_postgres;
use crate::database::{Backend, SqliteAsync, with_connection, write_transaction};
use crate::error::InfraError;
use crate::records::{ContactHistoryRecord, VersionRecord};
use crate::schema::{
    customer_contacts, customer_contacts_history, customer_references, customer_references_history,
    customer_versions, customers,
};
use crate::selection::{Columns, columns};

/// The most bind parameters of one SQLite statement (PostgreSQL allows twice as many):
/// multi-row inserts hold as many rows as fit.
const MAX_BINDS: usize = 32_766;

/// The first key of the advisory locks of customer writes (the second is the company).
const WRITE_LOCK: i32 = 0x4355_5354;

/// Why a batch's transaction ended without committing.
#[derive(Debug)]
enum Rollback {
    Failed(diesel::result::Error),
    /// A dry run: the outcomes the batch would have had.
    DryRun(Vec<WriteOutcome>),
}

impl Rollback {
    /// The outcomes of a batch's transaction, committed or rolled back as a dry run.
    fn outcomes(result: Result<Vec<WriteOutcome>, Self>) -> Result<Vec<WriteOutcome>, InfraError> {
        match result {
            Ok(outcomes) | Err(Self::DryRun(outcomes)) => Ok(outcomes),
            Err(Self::Failed(error)) => Err(error.into()),
        }
    }
}

impl From<diesel::result::Error> for Rollback {
    fn from(error: diesel::result::Error) -> Self {
        Self::Failed(error)
    }
}

#[dsl::auto_type]
fn current_of(company: i32, ids: Vec<i64>) -> _ {
    let columns: Columns<VersionRecord> = columns();
    customer_versions::table
        .filter(customer_versions::company_id.eq(company))
        .filter(customer_versions::customer_id.eq_any(ids))
        .filter(customer_versions::end_date.is_null())
        .select(columns)
}

/// The rows a batch inserts, table by table.
#[derive(Debug, Default)]
struct NewRows {
    customers: Vec<CustomerRow>,
    versions: Vec<VersionRecord>,
    contacts: Vec<ContactRow>,
    contact_history: Vec<ContactHistoryRecord>,
    references: Vec<ReferenceRow>,
    reference_history: Vec<ReferenceHistoryRow>,
}

impl NewRows {
    fn of(plan: &mut Plan) -> Self {
        Self {
            customers: std::mem::take(&mut plan.new_customers),
            versions: std::mem::take(&mut plan.new_versions),
            contacts: plan.new_contacts.drain(..).flatten().collect(),
            contact_history: std::mem::take(&mut plan.contact_history),
            references: plan.new_references.drain(..).flatten().collect(),
            reference_history: std::mem::take(&mut plan.reference_history),
        }
    }
}

/// Inserts a batch's new rows, each table in multi-row statements of as many rows as the
/// bind limit allows. One implementation per connection type: diesel-async's SQLite
/// wrapper runs multi-row inserts only through the synchronous connection it wraps.
#[async_trait]
trait InsertRows {
    async fn insert_rows(&mut self, rows: NewRows) -> QueryResult<()>;
}

macro_rules! insert_chunks {
    ($conn:ident, $table:expr, $rows:expr, $columns:expr, $($await:tt)*) => {{
        for chunk in $rows.chunks(MAX_BINDS / $columns) {
            diesel::insert_into($table).values(chunk).execute($conn)$($await)*?;
        }
    }};
}

/// Rows per multi-row `INSERT` on PostgreSQL, by table. Statements of a full chunk take
/// a fixed-size array, which diesel prepares once per connection and caches; a slice (the
/// last rows of a batch) is parsed and planned anew at each execution. Measured on an
/// import of 30,000 lines in batches of 1,000: parsing the slices took 0.9 s of the 6.3 s
/// PostgreSQL spent. Chunks small enough that most of a batch's rows fill whole ones.
const PG_CUSTOMER_ROWS: usize = 500;
const PG_VERSION_ROWS: usize = 250;
const PG_CONTACT_ROWS: usize = 250;
const PG_REFERENCE_ROWS: usize = 500;

#[async_trait]
impl InsertRows for diesel_async::AsyncPgConnection {
    async fn insert_rows(&mut self, rows: NewRows) -> QueryResult<()> {
        let conn = self;
        // The row types are named: inferring them overflows the trait solver.
        insert_postgres::<_, CustomerRow, PG_CUSTOMER_ROWS>(
            conn,
            customers::table,
            &rows.customers,
        )
        .await?;
        insert_postgres::<_, VersionRecord, PG_VERSION_ROWS>(
            conn,
            customer_versions::table,
            &rows.versions,
        )
        .await?;
        insert_postgres::<_, ContactRow, PG_CONTACT_ROWS>(
            conn,
            customer_contacts::table,
            &rows.contacts,
        )
        .await?;
        insert_postgres::<_, ReferenceRow, PG_REFERENCE_ROWS>(
            conn,
            customer_references::table,
            &rows.references,
        )
        .await?;
        // Rare in a batch: rows of changed contacts and references.
        insert_chunks!(conn, customer_contacts_history::table, rows.contact_history, 16, .await);
        insert_chunks!(conn, customer_references_history::table, rows.reference_history, 5, .await);
        Ok(())
    }
}

#[async_trait]
impl InsertRows for SqliteAsync {
    async fn insert_rows(&mut self, rows: NewRows) -> QueryResult<()> {
        self.spawn_blocking(move |conn| blocking::insert_rows(conn, &rows))
            .await
    }
}

/// The synchronous inserts of [`InsertRows`] for SQLite.
mod blocking {
    use diesel::{QueryResult, RunQueryDsl, SqliteConnection};

    use super::{MAX_BINDS, NewRows};
    use crate::schema::{
        customer_contacts, customer_contacts_history, customer_references,
        customer_references_history, customer_versions, customers,
    };

    pub(super) fn insert_rows(conn: &mut SqliteConnection, rows: &NewRows) -> QueryResult<()> {
        insert_chunks!(conn, customers::table, rows.customers, 2,);
        insert_chunks!(conn, customer_versions::table, rows.versions, 45,);
        insert_chunks!(conn, customer_contacts::table, rows.contacts, 15,);
        insert_chunks!(
            conn,
            customer_contacts_history::table,
            rows.contact_history,
            16,
        );
        insert_chunks!(conn, customer_references::table, rows.references, 5,);
        insert_chunks!(
            conn,
            customer_references_history::table,
            rows.reference_history,
            5,
        );
        Ok(())
    }
}

/// Reads what is stored of the customers `$ids` of `$company` into `$stored`, and the
/// company's next free ids into `$next_ids`, on `$conn` (either backend's connection).
macro_rules! load_company {
    ($conn:ident, $postgres:expr, $company:expr, $ids:expr, $dates:expr, $stored:ident, $next_ids:ident) => {{
        let conn = &mut *$conn;
        let company: i32 = $company;
        let ids: &Vec<i64> = $ids;
        let dates: &Vec<NaiveDateTime> = $dates;
        let postgres: bool = $postgres;
        let stored: &mut HashMap<(i32, i64), Stored> = &mut $stored;
        let next_ids: &mut HashMap<i32, NextIds> = &mut $next_ids;
        if postgres {
            diesel::sql_query("SELECT pg_advisory_xact_lock($1, $2)")
                .bind::<Integer, _>(WRITE_LOCK)
                .bind::<Integer, _>(company)
                .execute(conn)
                .await?;
        }
        let max_version: Option<i64> = customer_versions::table
            .filter(customer_versions::company_id.eq(company))
            .select(dsl::max(customer_versions::version_id))
            .first(conn)
            .await?;
        let max_contact: Option<i64> = customer_contacts::table
            .filter(customer_contacts::company_id.eq(company))
            .select(dsl::max(customer_contacts::contact_id))
            .first(conn)
            .await?;
        let max_retired_contact: Option<i64> = customer_contacts_history::table
            .filter(customer_contacts_history::company_id.eq(company))
            .select(dsl::max(customer_contacts_history::contact_id))
            .first(conn)
            .await?;
        let max_reference: Option<i64> = customer_references::table
            .filter(customer_references::company_id.eq(company))
            .select(dsl::max(customer_references::reference_id))
            .first(conn)
            .await?;
        next_ids.insert(
            company,
            NextIds {
                version: max_version.unwrap_or(0) + 1,
                contact: max_contact.max(max_retired_contact).unwrap_or(0) + 1,
                reference: max_reference.unwrap_or(0) + 1,
            },
        );
        let existing: Vec<i64> = customers::table
            .filter(customers::company_id.eq(company))
            .filter(customers::customer_id.eq_any(ids.clone()))
            .select(customers::customer_id)
            .load(conn)
            .await?;
        for id in existing {
            stored.entry((company, id)).or_default().exists = true;
        }
        // The latest end is the latest version's when it has one: versions of
        // a customer follow one another.
        let latest: Vec<(i64, Option<i32>, Option<NaiveDateTime>)> = customer_versions::table
            .filter(customer_versions::company_id.eq(company))
            .filter(customer_versions::customer_id.eq_any(ids.clone()))
            .group_by(customer_versions::customer_id)
            .select((
                customer_versions::customer_id,
                dsl::max(customer_versions::customer_version_id),
                dsl::max(customer_versions::end_date),
            ))
            .load(conn)
            .await?;
        for (customer, number, end) in latest {
            let entry = stored.entry((company, customer)).or_default();
            entry.last_number = number.unwrap_or(0);
            entry.last_end = end;
        }
        let current: Vec<VersionRecord> = current_of(company, ids.clone()).load(conn).await?;
        for version in current {
            let customer = version.customer_id;
            stored.entry((company, customer)).or_default().current = Some(version);
        }
        // Every closed version begun by the latest date the batch names: a dated change
        // already true at its time finds its version here.
        if let Some(last) = dates.last().copied() {
            let earlier: Vec<VersionRecord> = customer_versions::table
                .filter(customer_versions::company_id.eq(company))
                .filter(customer_versions::customer_id.eq_any(ids.clone()))
                .filter(customer_versions::end_date.is_not_null())
                .filter(customer_versions::start_date.le(last))
                .select(columns::<VersionRecord>())
                .load(conn)
                .await?;
            for version in earlier {
                let customer = version.customer_id;
                stored
                    .entry((company, customer))
                    .or_default()
                    .earlier
                    .push(version);
            }
        }
        let contacts: Vec<ContactRow> = customer_contacts::table
            .filter(customer_contacts::company_id.eq(company))
            .filter(customer_contacts::customer_id.eq_any(ids.clone()))
            .order((
                customer_contacts::customer_id,
                customer_contacts::contact_id,
            ))
            .select(ContactRow::as_select())
            .load(conn)
            .await?;
        for contact in contacts {
            stored
                .entry((company, contact.customer_id))
                .or_default()
                .contacts
                .push(contact);
        }
        let references: Vec<ReferenceRow> = customer_references::table
            .filter(customer_references::company_id.eq(company))
            .filter(customer_references::customer_id.eq_any(ids.clone()))
            .order((
                customer_references::customer_id,
                customer_references::reference_id,
            ))
            .select(ReferenceRow::as_select())
            .load(conn)
            .await?;
        for reference in references {
            stored
                .entry((company, reference.customer_id))
                .or_default()
                .references
                .push(reference);
        }
    }};
}

/// What a batch reads: the customers it names, by company, and the effective dates it
/// names, in order.
struct BatchKeys {
    by_company: BTreeMap<i32, Vec<i64>>,
    dates: Vec<NaiveDateTime>,
}

impl BatchKeys {
    fn of(changes: &[PendingChange]) -> Self {
        let mut by_company: BTreeMap<i32, Vec<i64>> = BTreeMap::new();
        let mut dates: Vec<NaiveDateTime> = changes
            .iter()
            .filter_map(|pending| match &pending.change {
                CustomerChange::Put(document) => document.effective,
                CustomerChange::Close { effective, .. } => *effective,
            })
            .collect();
        dates.sort_unstable();
        dates.dedup();
        for pending in changes {
            let (company, customer) = pending.change.customer();
            by_company
                .entry(company.get())
                .or_default()
                .push(customer.get());
        }
        for ids in by_company.values_mut() {
            ids.sort_unstable();
            ids.dedup();
        }
        Self { by_company, dates }
    }
}

/// Reads what is stored of a batch's customers, plans and writes its rows, inside a
/// transaction the caller began; a dry run ends with [`Rollback::DryRun`], so that the
/// caller's transaction rolls back. One implementation per connection type, expanded from
/// one body (`write_changes!`).
#[async_trait]
trait WriteChanges {
    async fn write_changes(
        &mut self,
        keys: &BatchKeys,
        changes: Vec<PendingChange>,
        now: NaiveDateTime,
        dry_run: bool,
    ) -> Result<Vec<WriteOutcome>, Rollback>;
}

macro_rules! write_changes {
    ($conn:ident, $postgres:expr, $keys:expr, $changes:expr, $now:expr, $dry_run:expr) => {{
        let keys: &BatchKeys = $keys;
        let mut stored: HashMap<(i32, i64), Stored> = HashMap::new();
        let mut next_ids = HashMap::new();
        for (&company, ids) in &keys.by_company {
            load_company!(
                $conn,
                $postgres,
                company,
                ids,
                &keys.dates,
                stored,
                next_ids
            );
        }
        let plan = Plan::build($changes, stored, next_ids, $now);
        for (company, customer, number, end) in &plan.closings {
            diesel::update(
                customer_versions::table
                    .filter(customer_versions::company_id.eq(company))
                    .filter(customer_versions::customer_id.eq(customer))
                    .filter(customer_versions::customer_version_id.eq(number)),
            )
            .set(customer_versions::end_date.eq(end))
            .execute($conn)
            .await?;
        }
        for (company, ids) in grouped(&plan.retired_contacts) {
            diesel::delete(
                customer_contacts::table
                    .filter(customer_contacts::company_id.eq(company))
                    .filter(customer_contacts::contact_id.eq_any(ids)),
            )
            .execute($conn)
            .await?;
        }
        for (company, ids) in grouped(&plan.retired_references) {
            diesel::delete(
                customer_references::table
                    .filter(customer_references::company_id.eq(company))
                    .filter(customer_references::reference_id.eq_any(ids)),
            )
            .execute($conn)
            .await?;
        }
        let mut plan = plan;
        $conn.insert_rows(NewRows::of(&mut plan)).await?;
        if $dry_run {
            Err(Rollback::DryRun(plan.outcomes))
        } else {
            Ok(plan.outcomes)
        }
    }};
}

#[async_trait]
impl WriteChanges for diesel_async::AsyncPgConnection {
    async fn write_changes(
        &mut self,
        keys: &BatchKeys,
        changes: Vec<PendingChange>,
        now: NaiveDateTime,
        dry_run: bool,
    ) -> Result<Vec<WriteOutcome>, Rollback> {
        let conn = self;
        write_changes!(conn, true, keys, changes, now, dry_run)
    }
}

#[async_trait]
impl WriteChanges for SqliteAsync {
    async fn write_changes(
        &mut self,
        keys: &BatchKeys,
        changes: Vec<PendingChange>,
        now: NaiveDateTime,
        dry_run: bool,
    ) -> Result<Vec<WriteOutcome>, Rollback> {
        let conn = self;
        write_changes!(conn, false, keys, changes, now, dry_run)
    }
}

impl SqlCustomerStore {
    /// Refreshes the planner's statistics of the customer tables: a large import grows
    /// them faster than (or, where autovacuum is off, without) the database's own
    /// analysis, and statements planned for small tables would read every row of a
    /// company for each batch.
    ///
    /// # Errors
    /// The [`InfraError`] of the statement.
    pub async fn refresh_statistics(&self) -> Result<(), InfraError> {
        let sql = match self.db.backend() {
            Backend::Postgres => {
                "ANALYZE customers, customer_versions, customer_contacts, customer_references, \
                 customer_contacts_history, customer_references_history"
            }
            Backend::Sqlite => "ANALYZE",
        };
        with_connection!(&self.db, |conn| {
            diesel::sql_query(sql).execute(conn).await?;
            Ok(())
        })
    }

    /// `now` as a write stores it: a local time, to the microsecond (a finer one would not
    /// read back the same).
    fn stored_now(&self, now: DateTime<Utc>) -> NaiveDateTime {
        self.local_time(now).trunc_subsecs(6)
    }

    /// The coded values and companies documents are checked against.
    async fn read_code_book(&self) -> Result<CodeBook, InfraError> {
        let refs = self.references.get(&self.db).await?;
        let codes = CodeCategory::ALL
            .iter()
            .flat_map(|category| refs.ids(*category).map(move |id| (*category, id)));
        let companies = refs
            .companies()
            .filter_map(|(code, id)| CompanyCode::parse(code).ok().map(|code| (code, id)));
        Ok(CodeBook::new(
            codes.collect::<Vec<_>>(),
            companies.collect::<Vec<_>>(),
        ))
    }

    /// Writes `changes` in one transaction; rolled back after planning in a dry run.
    async fn write_batch(
        &self,
        changes: Vec<PendingChange>,
        now: NaiveDateTime,
        dry_run: bool,
    ) -> Result<Vec<WriteOutcome>, InfraError> {
        let keys = BatchKeys::of(&changes);
        let result = write_transaction!(&self.db, |conn| {
            conn.write_changes(&keys, changes, now, dry_run).await
        });
        Rollback::outcomes(result)
    }
}

/// Ids by company, in the order met.
fn grouped(rows: &[(i32, i64)]) -> BTreeMap<i32, Vec<i64>> {
    let mut grouped: BTreeMap<i32, Vec<i64>> = BTreeMap::new();
    for (company, id) in rows {
        grouped.entry(*company).or_default().push(*id);
    }
    grouped
}

#[async_trait]
impl CustomerWriter for SqlCustomerStore {
    async fn code_book(&self) -> Result<CodeBook, RepositoryError> {
        Ok(self.read_code_book().await?)
    }

    async fn apply(
        &self,
        changes: Vec<PendingChange>,
        now: DateTime<Utc>,
        dry_run: bool,
    ) -> Result<Vec<WriteOutcome>, RepositoryError> {
        Ok(self
            .write_batch(changes, self.stored_now(now), dry_run)
            .await?)
    }
}

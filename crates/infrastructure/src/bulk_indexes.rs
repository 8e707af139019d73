//! Dropping and creating again the secondary indexes and foreign keys of the customer
//! tables around a large load (`customer-synthetic`, an import into empty tables), so
//! that each is built or checked once over all rows rather than row by row. The indexes
//! are created again with the very statements of the migrations that define them,
//! included at compile time (the last statement of each name); the foreign keys as the
//! catalogue defines them. Both run inside the load's transaction: a load that fails
//! leaves the schema as it was.

use std::collections::HashSet;

use diesel::sql_types::Text as SqlText;
use diesel::{QueryableByName, SqliteConnection};
use diesel_async::sync_connection_wrapper::SyncConnectionWrapper;
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};

use crate::error::InfraError;

/// The migrations that create or drop indexes of the customer tables, in order: their
/// `CREATE INDEX` statements are replayed after a load.
const POSTGRES_SCHEMA: [&str; 3] = [
    include_str!("../../../migrations/postgres/2026-11-26-000001_schema/up.sql"),
    include_str!("../../../migrations/postgres/2026-11-29-000004_company_keys/up.sql"),
    include_str!("../../../migrations/postgres/2026-12-06-000005_customer_history/up.sql"),
];
const SQLITE_SCHEMA: [&str; 3] = [
    include_str!("../../../migrations/sqlite/2026-11-26-000001_schema/up.sql"),
    include_str!("../../../migrations/sqlite/2026-11-29-000004_company_keys/up.sql"),
    include_str!("../../../migrations/sqlite/2026-12-06-000005_customer_history/up.sql"),
];
/// The tables whose secondary indexes (and foreign keys) a large load rebuilds.
const LOADED_TABLES: [&str; 3] = [
    "customer_versions",
    "customer_contacts",
    "customer_references",
];

/// A `CREATE INDEX` statement of the schema migration.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Index {
    name: String,
    statement: String,
}

#[derive(QueryableByName)]
struct IndexName {
    #[diesel(sql_type = SqlText)]
    name: String,
}

#[derive(QueryableByName)]
struct ForeignKey {
    #[diesel(sql_type = SqlText)]
    table_name: String,
    #[diesel(sql_type = SqlText)]
    name: String,
    #[diesel(sql_type = SqlText)]
    definition: String,
}

const POSTGRES_INDEXES_SQL: &str =
    "SELECT indexname::text AS name FROM pg_indexes WHERE schemaname = current_schema()";
const SQLITE_INDEXES_SQL: &str = "SELECT name FROM sqlite_master WHERE type = 'index'";
/// The foreign keys of the loaded tables, as the catalogue defines them.
const POSTGRES_FOREIGN_KEYS_SQL: &str = "
SELECT conrelid::regclass::text AS table_name, quote_ident(conname) AS name,
       pg_get_constraintdef(oid) AS definition
FROM pg_constraint
WHERE contype = 'f'
  AND conrelid IN ('customer_versions'::regclass, 'customer_contacts'::regclass,
                   'customer_references'::regclass)
ORDER BY 1, 2";

/// The secondary indexes of the migrations `schema` on the loaded tables that the
/// database has, but those named in `keep`.
async fn present_indexes<C>(
    conn: &mut C,
    sql: &str,
    schema: &[&str],
    keep: &[&str],
) -> Result<Vec<Index>, InfraError>
where
    C: AsyncConnection,
    diesel::query_builder::SqlQuery: diesel_async::methods::LoadQuery<'static, C, IndexName>,
{
    let present: Vec<IndexName> = diesel::sql_query(sql).load(conn).await?;
    let present: HashSet<String> = present.into_iter().map(|i| i.name).collect();
    Ok(index_statements(schema, &LOADED_TABLES)
        .into_iter()
        .filter(|index| present.contains(&index.name) && !keep.contains(&index.name.as_str()))
        .collect())
}

/// The statements that drop the secondary indexes (and, on PostgreSQL, the foreign keys)
/// of the loaded tables, and those that create them again.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct IndexRebuild {
    /// Run before the rows go in.
    pub drop: Vec<String>,
    /// Run after them, in the same transaction.
    pub restore: Vec<String>,
}

impl IndexRebuild {
    /// The statements of [`Self::drop`] as one script.
    #[must_use]
    pub fn drop_sql(&self) -> String {
        self.drop.join(";\n")
    }

    /// The statements of [`Self::restore`] as one script.
    #[must_use]
    pub fn restore_sql(&self) -> String {
        self.restore.join(";\n")
    }
}

/// The [`IndexRebuild`] of a SQLite database, sparing the indexes named in `keep` (its
/// foreign keys stay: SQLite drops one only by rebuilding its table).
///
/// # Errors
/// The [`InfraError`] of reading the catalogue.
pub async fn sqlite_index_rebuild(
    conn: &mut SyncConnectionWrapper<SqliteConnection>,
    keep: &[&str],
) -> Result<IndexRebuild, InfraError> {
    let indexes = present_indexes(conn, SQLITE_INDEXES_SQL, &SQLITE_SCHEMA, keep).await?;
    Ok(IndexRebuild {
        drop: indexes
            .iter()
            .map(|index| format!("DROP INDEX {}", index.name))
            .collect(),
        restore: indexes.into_iter().map(|index| index.statement).collect(),
    })
}

/// The [`IndexRebuild`] of a PostgreSQL database, sparing the indexes named in `keep`.
///
/// # Errors
/// The [`InfraError`] of reading the catalogue.
pub async fn postgres_index_rebuild(
    conn: &mut AsyncPgConnection,
    keep: &[&str],
) -> Result<IndexRebuild, InfraError> {
    let indexes = present_indexes(conn, POSTGRES_INDEXES_SQL, &POSTGRES_SCHEMA, keep).await?;
    let foreign_keys: Vec<ForeignKey> = diesel::sql_query(POSTGRES_FOREIGN_KEYS_SQL)
        .load(conn)
        .await?;
    let mut drop: Vec<String> = foreign_keys
        .iter()
        .map(|fk| format!("ALTER TABLE {} DROP CONSTRAINT {}", fk.table_name, fk.name))
        .collect();
    drop.extend(
        indexes
            .iter()
            .map(|index| format!("DROP INDEX {}", index.name)),
    );
    let mut restore: Vec<String> = indexes.into_iter().map(|index| index.statement).collect();
    restore.extend(foreign_keys.iter().map(|fk| {
        format!(
            "ALTER TABLE {} ADD CONSTRAINT {} {}",
            fk.table_name, fk.name, fk.definition
        )
    }));
    Ok(IndexRebuild { drop, restore })
}

/// The `CREATE [UNIQUE] INDEX` statements of the migrations `schema` on `tables`,
/// verbatim (SQLite keeps their text in its catalogue), in order: of an index created
/// again by a later migration, its last statement; of one dropped (`DROP INDEX`), none.
fn index_statements(schema: &[&str], tables: &[&str]) -> Vec<Index> {
    let mut indexes: Vec<Index> = Vec::new();
    for migration in schema {
        let without_comments: String = migration
            .lines()
            .map(|line| line.split_once("--").map_or(line, |(code, _)| code))
            .collect::<Vec<_>>()
            .join("\n");
        for statement in without_comments.split(';') {
            let words: Vec<&str> = statement.split_whitespace().collect();
            let at = match words.as_slice() {
                ["DROP", "INDEX", name, ..] => {
                    indexes.retain(|index| index.name != *name);
                    continue;
                }
                ["CREATE", "INDEX", ..] => 2,
                ["CREATE", "UNIQUE", "INDEX", ..] => 3,
                _ => continue,
            };
            let (Some(name), Some(&"ON"), Some(table)) =
                (words.get(at), words.get(at + 1), words.get(at + 2))
            else {
                continue;
            };
            if tables.contains(table) {
                indexes.retain(|index| index.name != *name);
                indexes.push(Index {
                    name: (*name).to_owned(),
                    statement: statement.trim().to_owned(),
                });
            }
        }
    }
    indexes
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_index_statements_are_those_of_the_migrations() {
        for schema in [&POSTGRES_SCHEMA[..], &SQLITE_SCHEMA[..]] {
            let indexes = index_statements(schema, &LOADED_TABLES);
            let names: Vec<&str> = indexes.iter().map(|i| i.name.as_str()).collect();
            assert_eq!(indexes.len(), 25, "{names:?}");
            assert!(names.contains(&"customer_versions_current_key"));
            // The lookups as of a moment's, on every version.
            assert!(names.contains(&"customer_versions_identification_idx"));
            assert!(names.contains(&"customer_versions_mobile_idx"));
            assert!(names.contains(&"customer_references_reference_no_idx"));
            // Replaced by the company_keys migration.
            assert!(!names.contains(&"customer_contacts_customer_id_idx"));
            let contacts = indexes
                .iter()
                .find(|i| i.name == "customer_contacts_customer_idx")
                .expect("the contacts index");
            assert!(
                contacts
                    .statement
                    .ends_with("ON customer_contacts (company_id, customer_id, contact_id)"),
                "{}",
                contacts.statement
            );
            assert!(
                !names
                    .iter()
                    .any(|n| n.starts_with("regions") || n.starts_with("cities"))
            );
            let current = indexes
                .iter()
                .find(|i| i.name == "customer_versions_current_key")
                .expect("the current version index");
            assert_eq!(
                current.statement,
                "CREATE UNIQUE INDEX customer_versions_current_key\n    \
                 ON customer_versions (company_id, customer_id) WHERE end_date IS NULL"
            );
        }
    }
}

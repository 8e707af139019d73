//! The two migration sets agree with the diesel schema (`src/schema.rs`) and with each
//! other.
//!
//! `src/schema.rs` is read and parsed at test time, so that a table or column added to it
//! but not to a migration (or the other way round) fails this test. Each freshly migrated
//! database is described from its catalogue (PostgreSQL: `information_schema` and
//! `pg_index`; SQLite: `pragma_table_info`, `pragma_index_list` and `sqlite_master`) and
//! compared with it: tables, columns, types, nullability and primary keys. The
//! `postgres::` variant also compares the two databases with each other: the explicitly
//! created indexes (name, table, columns, unique, partial; not the automatic indexes of
//! PRIMARY KEY and UNIQUE constraints, which only PostgreSQL names), the UNIQUE
//! constraints and foreign keys (by columns), the column order, and the rows the
//! migrations load (the reference data). The `sqlite::` variant checks the SQLite side against `schema.rs` alone, so that it runs
//! even where PostgreSQL does not.
//!
//! A table PostgreSQL partitions is described by its partitioned table alone (not its
//! partitions, their indexes and constraints). Its primary key there must begin with the
//! partition key, which `schema.rs` and SQLite leave out; and an index SQLite needs on
//! the leading columns of that primary key is the primary key's own index in PostgreSQL.
//!
//! It lives in this suite rather than in a `#[test]` target of its own: a `#[test]`
//! cannot turn itself into "ignored" at run time, so without PostgreSQL it would either
//! fail outside CI or pass without comparing anything, whereas `run_suite` lists the
//! `postgres::` half as ignored, with a note on stderr saying why (and fails it in CI).

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::path::PathBuf;

use customer_infrastructure::Database;
use customer_testkit::{TestBackend, TestDatabase};
use diesel::QueryableByName;
use diesel::sql_types::{Integer, Text};
use diesel_async::RunQueryDsl;

use crate::support::with_conn;

/// Tables of the migration machinery, not of the schema.
const MIGRATION_TABLE: &str = "__diesel_schema_migrations";

/// A table of `schema.rs`.
#[derive(Debug, Default, Clone)]
struct RsTable {
    primary_key: Vec<String>,
    /// (column, diesel type without `Nullable<>`, nullable), in declaration order.
    columns: Vec<(String, String, bool)>,
}

/// Reads the `diesel::table!` blocks of `schema.rs`. Strict: a line it does not
/// understand inside a block is an error, so that a format it does not know cannot make
/// it see fewer columns than there are.
fn parse_schema_rs(text: &str) -> Result<BTreeMap<String, RsTable>, String> {
    enum State {
        Outside,
        InMacro,
        InTable(String, RsTable),
        AfterTable,
    }
    let mut tables = BTreeMap::new();
    let mut state = State::Outside;
    // `#[sql_name = "..."]` before a column or table: the name in the database.
    let mut sql_name: Option<String> = None;
    for (number, raw) in text.lines().enumerate() {
        let line = raw.split("//").next().unwrap_or_default().trim();
        let error = |what: &str| format!("schema.rs line {}: {what}: {raw:?}", number + 1);
        if line.is_empty() {
            continue;
        }
        if let Some(name) = line
            .strip_prefix("#[sql_name")
            .and_then(|rest| rest.split('"').nth(1))
        {
            sql_name = Some(name.to_owned());
            continue;
        }
        if line.starts_with("#[") {
            continue;
        }
        state = match state {
            State::Outside => {
                if line.starts_with("diesel::table!") || line.starts_with("table!") {
                    if !line.ends_with('{') {
                        return Err(error("expected `table! {`"));
                    }
                    State::InMacro
                } else {
                    State::Outside
                }
            }
            State::InMacro => {
                let header = line
                    .strip_suffix('{')
                    .ok_or_else(|| error("expected a table"))?;
                let (name, key) = header
                    .split_once('(')
                    .ok_or_else(|| error("expected `table (key) {`"))?;
                let key = key
                    .trim()
                    .strip_suffix(')')
                    .ok_or_else(|| error("expected `(key)`"))?;
                let name = name.trim().rsplit('.').next().unwrap_or_default();
                if name.is_empty() || !name.chars().all(|c| c.is_alphanumeric() || c == '_') {
                    return Err(error("expected a table name"));
                }
                let table = RsTable {
                    primary_key: key.split(',').map(|k| k.trim().to_owned()).collect(),
                    columns: Vec::new(),
                };
                State::InTable(sql_name.take().unwrap_or_else(|| name.to_owned()), table)
            }
            State::InTable(name, mut table) => {
                if line == "}" {
                    if table.columns.is_empty() {
                        return Err(error("a table without columns"));
                    }
                    tables.insert(name, table);
                    State::AfterTable
                } else {
                    let (column, ty) = line
                        .split_once("->")
                        .ok_or_else(|| error("expected `column -> Type,`"))?;
                    let column = column.trim().trim_start_matches("r#").to_owned();
                    let ty = ty.trim().trim_end_matches(',').trim();
                    let (ty, nullable) = match ty.strip_prefix("Nullable<") {
                        Some(inner) => (
                            inner
                                .strip_suffix('>')
                                .ok_or_else(|| error("unclosed Nullable<"))?,
                            true,
                        ),
                        None => (ty, false),
                    };
                    let column = sql_name.take().unwrap_or(column);
                    table.columns.push((column, ty.to_owned(), nullable));
                    State::InTable(name, table)
                }
            }
            State::AfterTable => {
                if line != "}" {
                    return Err(error("expected the end of `table!`"));
                }
                State::Outside
            }
        };
    }
    if !matches!(state, State::Outside) {
        return Err("schema.rs ends inside a `table!` block".to_owned());
    }
    if tables.is_empty() {
        return Err("schema.rs declares no table".to_owned());
    }
    Ok(tables)
}

/// The parser reads what `table!` may hold, and refuses what it does not understand.
fn parser_self_check() {
    let text = "
        // comment
        diesel::table! {
            things (thing_id) {
                thing_id -> BigInt,
                r#type -> Nullable<Text>, // trailing comment
                #[sql_name = \"real_name\"]
                alias -> Bool,
            }
        }
        diesel::joinable!(a -> b (c));
    ";
    let tables = parse_schema_rs(text).expect("the sample parses");
    let things = &tables["things"];
    assert_eq!(things.primary_key, ["thing_id"]);
    assert_eq!(
        things.columns,
        [
            ("thing_id".to_owned(), "BigInt".to_owned(), false),
            ("type".to_owned(), "Text".to_owned(), true),
            ("real_name".to_owned(), "Bool".to_owned(), false),
        ]
    );
    assert!(parse_schema_rs("diesel::table! {\n t (id) {\n id: Integer,\n }\n}").is_err());
    assert!(parse_schema_rs("// nothing").is_err());
}

fn read_schema_rs() -> BTreeMap<String, RsTable> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("src/schema.rs");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let tables = parse_schema_rs(&text).unwrap_or_else(|e| panic!("{e}"));
    for (name, table) in &tables {
        for key in &table.primary_key {
            assert!(
                table.columns.iter().any(|(c, _, _)| c == key),
                "schema.rs: primary key {name}.{key} is not a column"
            );
        }
    }
    tables
}

/// The column types each backend declares for a diesel type: PostgreSQL's
/// `information_schema` data type, and SQLite's declared types.
fn expected_types(diesel_type: &str) -> Option<(&'static str, &'static [&'static str])> {
    Some(match diesel_type {
        "SmallInt" => ("smallint", &["SMALLINT"]),
        "Integer" => ("integer", &["INTEGER"]),
        // SQLite's INTEGER PRIMARY KEY (a rowid alias) is 64-bit.
        "BigInt" => ("bigint", &["BIGINT", "INTEGER"]),
        "Text" => ("text", &["TEXT"]),
        "Bool" => ("boolean", &["BOOLEAN"]),
        "Timestamp" => ("timestamp without time zone", &["TIMESTAMP"]),
        "Date" => ("date", &["DATE"]),
        "Double" => ("double precision", &["DOUBLE PRECISION", "DOUBLE", "REAL"]),
        "Binary" => ("bytea", &["BLOB"]),
        _ => return None,
    })
}

#[derive(QueryableByName)]
struct ColumnRow {
    #[diesel(sql_type = Text)]
    table_name: String,
    #[diesel(sql_type = Text)]
    column_name: String,
    #[diesel(sql_type = Text)]
    data_type: String,
    #[diesel(sql_type = Integer)]
    not_null: i32,
    /// Position in the primary key, from 1; 0 when not part of it.
    #[diesel(sql_type = Integer)]
    pk: i32,
}

#[derive(QueryableByName)]
struct IndexRow {
    #[diesel(sql_type = Text)]
    index_name: String,
    #[diesel(sql_type = Text)]
    table_name: String,
    #[diesel(sql_type = Integer)]
    is_unique: i32,
    #[diesel(sql_type = Integer)]
    is_partial: i32,
    #[diesel(sql_type = Text)]
    columns: String,
}

const POSTGRES_COLUMNS: &str = "
SELECT c.table_name::text AS table_name,
       c.column_name::text AS column_name,
       c.data_type::text AS data_type,
       CASE WHEN c.is_nullable = 'NO' THEN 1 ELSE 0 END AS not_null,
       COALESCE((
           SELECT k.ordinal_position::int
           FROM information_schema.table_constraints tc
           JOIN information_schema.key_column_usage k
             ON k.constraint_schema = tc.constraint_schema
            AND k.constraint_name = tc.constraint_name
           WHERE tc.constraint_type = 'PRIMARY KEY'
             AND tc.table_schema = c.table_schema
             AND tc.table_name = c.table_name
             AND k.column_name = c.column_name
       ), 0) AS pk
FROM information_schema.columns c
JOIN information_schema.tables t
  ON t.table_schema = c.table_schema AND t.table_name = c.table_name
WHERE c.table_schema = current_schema() AND t.table_type = 'BASE TABLE'
  AND NOT EXISTS (
      SELECT 1 FROM pg_class p
      JOIN pg_namespace pn ON pn.oid = p.relnamespace
      WHERE pn.nspname = c.table_schema AND p.relname = c.table_name AND p.relispartition)
ORDER BY c.table_name, c.ordinal_position";

#[derive(QueryableByName)]
struct PartitionKeyRow {
    #[diesel(sql_type = Text)]
    table_name: String,
    #[diesel(sql_type = Text)]
    columns: String,
}

/// The partition key of each partitioned table (PostgreSQL only).
const POSTGRES_PARTITION_KEYS: &str = "
SELECT t.relname::text AS table_name,
       array_to_string(ARRAY(
           SELECT a.attname::text
           FROM unnest(p.partattrs::int2[]) WITH ORDINALITY AS k(attnum, ord)
           JOIN pg_attribute a ON a.attrelid = p.partrelid AND a.attnum = k.attnum
           ORDER BY k.ord
       ), ',') AS columns
FROM pg_partitioned_table p
JOIN pg_class t ON t.oid = p.partrelid
JOIN pg_namespace n ON n.oid = t.relnamespace
WHERE n.nspname = current_schema()";

const SQLITE_COLUMNS: &str = "
SELECT m.name AS table_name,
       p.name AS column_name,
       p.type AS data_type,
       p.\"notnull\" AS not_null,
       p.pk AS pk
FROM sqlite_master m
JOIN pragma_table_info(m.name) p
WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite\\_%' ESCAPE '\\'
ORDER BY m.name, p.cid";

/// Indexes created by `CREATE INDEX`, not those behind a PRIMARY KEY or UNIQUE constraint.
const POSTGRES_INDEXES: &str = "
SELECT i.relname::text AS index_name,
       t.relname::text AS table_name,
       CASE WHEN x.indisunique THEN 1 ELSE 0 END AS is_unique,
       CASE WHEN x.indpred IS NOT NULL THEN 1 ELSE 0 END AS is_partial,
       array_to_string(ARRAY(
           SELECT a.attname::text
           FROM unnest(x.indkey::int2[]) WITH ORDINALITY AS k(attnum, ord)
           JOIN pg_attribute a ON a.attrelid = x.indrelid AND a.attnum = k.attnum
           ORDER BY k.ord
       ), ',') AS columns
FROM pg_index x
JOIN pg_class i ON i.oid = x.indexrelid
JOIN pg_class t ON t.oid = x.indrelid
JOIN pg_namespace n ON n.oid = t.relnamespace
WHERE n.nspname = current_schema() AND NOT t.relispartition
  AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid)
ORDER BY i.relname";

/// Indexes created by `CREATE INDEX`: those with SQL text (automatic indexes of PRIMARY
/// KEY and UNIQUE constraints, `sqlite_autoindex_*`, have none).
const SQLITE_INDEXES: &str = "
SELECT m.name AS index_name,
       m.tbl_name AS table_name,
       l.\"unique\" AS is_unique,
       l.partial AS is_partial,
       COALESCE((
           SELECT group_concat(name, ',')
           FROM (SELECT ii.name AS name FROM pragma_index_info(m.name) ii ORDER BY ii.seqno)
       ), '') AS columns
FROM sqlite_master m
JOIN pragma_index_list(m.tbl_name) l ON l.name = m.name
WHERE m.type = 'index' AND m.sql IS NOT NULL
ORDER BY m.name";

#[derive(QueryableByName)]
struct ConstraintRow {
    #[diesel(sql_type = Text)]
    description: String,
}

/// UNIQUE constraints and foreign keys, as `u table(columns)` and
/// `f table(columns) -> table(columns)`.
const POSTGRES_CONSTRAINTS: &str = "
SELECT CASE WHEN c.contype = 'u' THEN 'u ' ELSE 'f ' END
       || t.relname::text || '(' || array_to_string(ARRAY(
           SELECT a.attname::text
           FROM unnest(c.conkey) WITH ORDINALITY AS k(attnum, ord)
           JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.attnum
           ORDER BY k.ord), ',') || ')'
       || CASE WHEN c.contype = 'f' THEN ' -> ' || r.relname::text || '(' || array_to_string(ARRAY(
           SELECT a.attname::text
           FROM unnest(c.confkey) WITH ORDINALITY AS k(attnum, ord)
           JOIN pg_attribute a ON a.attrelid = c.confrelid AND a.attnum = k.attnum
           ORDER BY k.ord), ',') || ')' ELSE '' END AS description
FROM pg_constraint c
JOIN pg_class t ON t.oid = c.conrelid
LEFT JOIN pg_class r ON r.oid = c.confrelid
JOIN pg_namespace n ON n.oid = t.relnamespace
WHERE n.nspname = current_schema() AND NOT t.relispartition AND c.contype IN ('u', 'f')";

const SQLITE_CONSTRAINTS: &str = "
SELECT 'u ' || m.name || '(' || COALESCE((
           SELECT group_concat(name, ',')
           FROM (SELECT ii.name AS name FROM pragma_index_info(l.name) ii ORDER BY ii.seqno)
       ), '') || ')' AS description
FROM sqlite_master m
JOIN pragma_index_list(m.name) l
WHERE m.type = 'table' AND l.origin = 'u'
UNION ALL
SELECT 'f ' || m.name || '(' || group_concat(f.\"from\", ',') || ') -> '
       || f.\"table\" || '(' || group_concat(COALESCE(f.\"to\", '?'), ',') || ')'
FROM sqlite_master m
JOIN pragma_foreign_key_list(m.name) f
WHERE m.type = 'table'
GROUP BY m.name, f.id";

#[derive(Debug)]
struct DbColumn {
    name: String,
    data_type: String,
    not_null: bool,
}

/// What a migrated database holds.
#[derive(Debug)]
struct DbSchema {
    backend: &'static str,
    /// Columns in their order in the table.
    tables: BTreeMap<String, Vec<DbColumn>>,
    primary_keys: BTreeMap<String, Vec<String>>,
    /// name -> (table, unique, partial, columns)
    indexes: BTreeMap<String, (String, bool, bool, Vec<String>)>,
    /// UNIQUE constraints and foreign keys (see `POSTGRES_CONSTRAINTS`).
    constraints: BTreeSet<String>,
    /// The partition key of each partitioned table (PostgreSQL only).
    partition_keys: BTreeMap<String, Vec<String>>,
}

async fn describe(db: &Database) -> DbSchema {
    let (backend, columns_sql, indexes_sql, constraints_sql) = match db {
        Database::Postgres(_) => (
            "postgres",
            POSTGRES_COLUMNS,
            POSTGRES_INDEXES,
            POSTGRES_CONSTRAINTS,
        ),
        Database::Sqlite(_) => ("sqlite", SQLITE_COLUMNS, SQLITE_INDEXES, SQLITE_CONSTRAINTS),
    };
    let rows: Vec<ColumnRow> = with_conn!(db, |conn| diesel::sql_query(columns_sql)
        .load(conn)
        .await
        .expect("the columns are listed"));
    let index_rows: Vec<IndexRow> = with_conn!(db, |conn| diesel::sql_query(indexes_sql)
        .load(conn)
        .await
        .expect("the indexes are listed"));
    let constraint_rows: Vec<ConstraintRow> =
        with_conn!(db, |conn| diesel::sql_query(constraints_sql)
            .load(conn)
            .await
            .expect("the constraints are listed"));
    let partition_key_rows: Vec<PartitionKeyRow> = match db {
        Database::Postgres(_) => with_conn!(db, |conn| diesel::sql_query(POSTGRES_PARTITION_KEYS)
            .load(conn)
            .await
            .expect("the partition keys are listed")),
        Database::Sqlite(_) => Vec::new(),
    };

    let mut schema = DbSchema {
        backend,
        tables: BTreeMap::new(),
        primary_keys: BTreeMap::new(),
        indexes: BTreeMap::new(),
        constraints: constraint_rows.into_iter().map(|r| r.description).collect(),
        partition_keys: partition_key_rows
            .into_iter()
            .map(|r| {
                (
                    r.table_name,
                    r.columns.split(',').map(str::to_owned).collect(),
                )
            })
            .collect(),
    };
    let mut keys: BTreeMap<String, Vec<(i32, String)>> = BTreeMap::new();
    for row in &rows {
        if row.pk > 0 {
            keys.entry(row.table_name.clone())
                .or_default()
                .push((row.pk, row.column_name.clone()));
        }
    }
    for (table, mut key) in keys {
        key.sort();
        schema
            .primary_keys
            .insert(table, key.into_iter().map(|(_, c)| c).collect());
    }
    for row in rows {
        // SQLite: an INTEGER PRIMARY KEY is the rowid, never NULL, whatever `notnull` says.
        let rowid_alias = backend == "sqlite"
            && row.pk > 0
            && row.data_type.eq_ignore_ascii_case("INTEGER")
            && schema
                .primary_keys
                .get(&row.table_name)
                .is_some_and(|key| key.len() == 1);
        schema
            .tables
            .entry(row.table_name)
            .or_default()
            .push(DbColumn {
                name: row.column_name,
                data_type: row.data_type,
                not_null: row.not_null != 0 || rowid_alias,
            });
    }
    for row in index_rows {
        if row.table_name == MIGRATION_TABLE {
            continue;
        }
        let columns = row
            .columns
            .split(',')
            .filter(|c| !c.is_empty())
            .map(str::to_owned)
            .collect();
        schema.indexes.insert(
            row.index_name,
            (
                row.table_name,
                row.is_unique != 0,
                row.is_partial != 0,
                columns,
            ),
        );
    }
    schema
}

/// Compares one database with `schema.rs`; adds what disagrees to `problems`.
fn check_against_schema_rs(
    rs: &BTreeMap<String, RsTable>,
    db: &DbSchema,
    problems: &mut Vec<String>,
) {
    let b = db.backend;
    for (table, rs_table) in rs {
        let Some(columns) = db.tables.get(table) else {
            problems.push(format!("{b}: table {table} of schema.rs does not exist"));
            continue;
        };
        for (column, diesel_type, nullable) in &rs_table.columns {
            let Some(found) = columns.iter().find(|c| &c.name == column) else {
                problems.push(format!(
                    "{b}: column {table}.{column} of schema.rs does not exist"
                ));
                continue;
            };
            if found.not_null == *nullable {
                problems.push(format!(
                    "{b}: {table}.{column} is {} in schema.rs but {} in the database",
                    if *nullable { "Nullable" } else { "NOT NULL" },
                    if found.not_null {
                        "NOT NULL"
                    } else {
                        "nullable"
                    },
                ));
            }
            match expected_types(diesel_type) {
                None => problems.push(format!(
                    "{b}: {table}.{column}: no known column type for diesel type {diesel_type} \
                     (extend expected_types in this test)"
                )),
                Some((postgres, sqlite)) => {
                    let ok = match b {
                        "postgres" => found.data_type == postgres,
                        _ => sqlite
                            .iter()
                            .any(|t| found.data_type.eq_ignore_ascii_case(t)),
                    };
                    if !ok {
                        problems.push(format!(
                            "{b}: {table}.{column} is {} in the database, but {diesel_type} in \
                             schema.rs",
                            found.data_type
                        ));
                    }
                }
            }
        }
        for column in columns {
            if !rs_table.columns.iter().any(|(c, _, _)| c == &column.name) {
                problems.push(format!(
                    "{b}: column {table}.{} is not in schema.rs",
                    column.name
                ));
            }
        }
        let key = db.primary_keys.get(table).cloned().unwrap_or_default();
        // A partitioned table's key must hold the partition key: it comes first.
        let mut expected = db.partition_keys.get(table).cloned().unwrap_or_default();
        expected.retain(|column| !rs_table.primary_key.contains(column));
        expected.extend(rs_table.primary_key.iter().cloned());
        if key != expected {
            problems.push(format!(
                "{b}: the primary key of {table} is {key:?}, schema.rs says {:?}{}",
                rs_table.primary_key,
                if expected == rs_table.primary_key {
                    String::new()
                } else {
                    format!(" (so {expected:?}, partition key first)")
                }
            ));
        }
    }
    for table in db.tables.keys() {
        if table != MIGRATION_TABLE && !rs.contains_key(table) {
            problems.push(format!("{b}: table {table} is not in schema.rs"));
        }
    }
    for (index, (table, _, _, columns)) in &db.indexes {
        match db.tables.get(table) {
            None => problems.push(format!("{b}: index {index} is on unknown table {table}")),
            Some(table_columns) => {
                if columns.is_empty() {
                    problems.push(format!("{b}: index {index} has no plain columns"));
                }
                for column in columns {
                    if !table_columns.iter().any(|c| &c.name == column) {
                        problems.push(format!(
                            "{b}: index {index} is on unknown column {table}.{column}"
                        ));
                    }
                }
            }
        }
    }
}

/// Compares the two databases with each other: explicit indexes and column order.
fn check_against_each_other(postgres: &DbSchema, sqlite: &DbSchema, problems: &mut Vec<String>) {
    for (name, index) in &postgres.indexes {
        match sqlite.indexes.get(name) {
            None => problems.push(format!("index {name} exists in postgres only")),
            Some(other) if other != index => problems.push(format!(
                "index {name} differs: postgres (table, unique, partial, columns) {index:?}, \
                 sqlite {other:?}"
            )),
            Some(_) => {}
        }
    }
    for (name, (table, _, partial, columns)) in &sqlite.indexes {
        // PostgreSQL's primary key of a partitioned table begins with the partition key:
        // its index serves what SQLite needs an index of its own for.
        let served_by_key = !partial
            && postgres.partition_keys.contains_key(table)
            && postgres
                .primary_keys
                .get(table)
                .is_some_and(|key| key.starts_with(columns));
        if !postgres.indexes.contains_key(name) && !served_by_key {
            problems.push(format!("index {name} exists in sqlite only"));
        }
    }
    for constraint in postgres.constraints.difference(&sqlite.constraints) {
        problems.push(format!("constraint {constraint} exists in postgres only"));
    }
    for constraint in sqlite.constraints.difference(&postgres.constraints) {
        problems.push(format!("constraint {constraint} exists in sqlite only"));
    }
    for (table, columns) in &postgres.tables {
        let Some(other) = sqlite.tables.get(table) else {
            continue; // Reported against schema.rs.
        };
        let order = |cs: &[DbColumn]| cs.iter().map(|c| c.name.clone()).collect::<Vec<_>>();
        if table != MIGRATION_TABLE && order(columns) != order(other) {
            problems.push(format!(
                "the columns of {table} are in another order: postgres {:?}, sqlite {:?}",
                order(columns),
                order(other)
            ));
        }
    }
}

#[derive(QueryableByName)]
struct RowText {
    #[diesel(sql_type = Text)]
    row: String,
}

/// The rows the migrations leave in each table of `schema.rs`, each written as text
/// (`value|value|...`, `NULL` for a null), in primary key order. Freshly migrated, only
/// the reference tables hold rows, of integers and text, which both backends write alike.
async fn contents(db: &Database, rs: &BTreeMap<String, RsTable>) -> BTreeMap<String, Vec<String>> {
    let mut contents = BTreeMap::new();
    for (table, rs_table) in rs {
        let row = rs_table
            .columns
            .iter()
            .map(|(column, _, _)| format!("COALESCE(CAST({column} AS TEXT), 'NULL')"))
            .collect::<Vec<_>>()
            .join(" || '|' || ");
        let sql = format!(
            "SELECT {row} AS row FROM {table} ORDER BY {}",
            rs_table.primary_key.join(", ")
        );
        let rows: Vec<RowText> = with_conn!(db, |conn| diesel::sql_query(&sql)
            .load(conn)
            .await
            .unwrap_or_else(|e| panic!("{e}: {sql}")));
        contents.insert(table.clone(), rows.into_iter().map(|r| r.row).collect());
    }
    contents
}

/// The comparison notices a schema.rs that the migrations do not follow: a column and a
/// table they lack, a nullability they do not have, a type they do not use.
fn comparison_self_check(rs: &BTreeMap<String, RsTable>, db: &DbSchema) {
    let mut mutated = rs.clone();
    let customers = mutated
        .get_mut("customers")
        .expect("schema.rs has customers");
    customers
        .columns
        .push(("not_migrated".to_owned(), "Text".to_owned(), true));
    for column in &mut customers.columns {
        if column.0 == "company_id" {
            column.2 = true;
        }
    }
    let versions = mutated
        .get_mut("customer_versions")
        .expect("schema.rs has customer_versions");
    for column in &mut versions.columns {
        if column.0 == "occupation" {
            "Integer".clone_into(&mut column.1);
        }
    }
    mutated.insert("not_migrated".to_owned(), RsTable::default());
    let mut problems = Vec::new();
    check_against_schema_rs(&mutated, db, &mut problems);
    for expected in [
        "customers.not_migrated of schema.rs does not exist",
        "customers.company_id is Nullable in schema.rs but NOT NULL",
        "customer_versions.occupation is TEXT in the database, but Integer",
        "table not_migrated of schema.rs does not exist",
    ] {
        assert!(
            problems.iter().any(|p| p.contains(expected)),
            "the comparison misses {expected:?}: {problems:#?}"
        );
    }
    assert_eq!(problems.len(), 4, "{problems:#?}");
}

/// Both migration sets create exactly the tables and columns of `schema.rs` (with its
/// types, nullability and primary keys), the same explicitly created indexes, and the
/// same rows.
pub async fn migrations_agree_with_schema_rs(backend: TestBackend) {
    parser_self_check();
    let rs = read_schema_rs();
    let sqlite_db = TestDatabase::new(TestBackend::Sqlite).await;
    let sqlite = describe(&sqlite_db.connect()).await;
    assert!(
        !sqlite.indexes.is_empty() && !sqlite.constraints.is_empty(),
        "no explicit index or constraint found in SQLite: {sqlite:?}"
    );
    comparison_self_check(&rs, &sqlite);
    let mut problems = Vec::new();
    check_against_schema_rs(&rs, &sqlite, &mut problems);
    if backend == TestBackend::Postgres {
        let postgres_db = TestDatabase::new(TestBackend::Postgres).await;
        let postgres = describe(&postgres_db.connect()).await;
        assert!(
            !postgres.indexes.is_empty() && !postgres.constraints.is_empty(),
            "no explicit index or constraint found in PostgreSQL: {postgres:?}"
        );
        check_against_schema_rs(&rs, &postgres, &mut problems);
        check_against_each_other(&postgres, &sqlite, &mut problems);
        let sqlite_rows = contents(&sqlite_db.connect(), &rs).await;
        assert!(
            sqlite_rows["relation_types"].contains(&"6|أخ|Brother".to_owned()),
            "the reference data is read: {:?}",
            sqlite_rows["relation_types"]
        );
        let postgres_rows = contents(&postgres_db.connect(), &rs).await;
        for (table, rows) in &postgres_rows {
            if sqlite_rows.get(table) != Some(rows) {
                problems.push(format!(
                    "the rows of {table} differ: postgres {rows:?}, sqlite {:?}",
                    sqlite_rows.get(table)
                ));
            }
        }
    }
    let mut report = String::new();
    for problem in &problems {
        let _ = writeln!(report, "  - {problem}");
    }
    assert!(
        problems.is_empty(),
        "{} disagreement(s) between schema.rs and the migrations:\n{report}",
        problems.len()
    );
}

//! The schema is ready to be distributed by company (Citus, `docs/scaling.md`): every
//! table a lookup reads is filtered on `company_id`, with the lookup's company, so that
//! each lookup can be routed to the one shard of its company; and the tables are keyed
//! accordingly.
//!
//! The statements checked are the adapter's own (`SqlCustomerStore::lookup_statements`,
//! as in `query_plans`). On PostgreSQL each statement the adapter prepared is explained
//! (generic and custom plan), and every scan of a customer-data table must carry a
//! condition `company_id = <the lookup's company>` (Index Cond, Recheck Cond or Filter);
//! in the generic plan the condition names a parameter, whose bound value must be the
//! company. On SQLite, `EXPLAIN QUERY PLAN` must show each customer-data table searched
//! through an index constrained on `company_id`.
//!
//! The schema test reads the catalogue of a freshly migrated database: every table is
//! classified (distributed by company, reference, or local to the coordinator), every
//! distributed table has `company_id NOT NULL` in its primary key and in every unique
//! index, every foreign key between them holds `company_id` on both sides, no reference
//! table refers to a distributed one, and `docs/scaling.md` distributes exactly these
//! tables and makes exactly these reference tables.

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

use customer_domain::{CompanyId, CustomerRepository, SearchCriteria};
use customer_infrastructure::{Backend, Database, SqlCustomerStore};
use customer_testkit::{TestBackend, TestDatabase};
use diesel::QueryableByName;
use diesel::sql_types::{Integer, Text};
use diesel_async::RunQueryDsl;
use serde_json::Value;

use crate::query_plans::{one_connection, prepared_plans};
use crate::support::{JFC, JTC, criteria, with_conn};

/// The tables of customer data, distributed by `company_id` and colocated with
/// `customers`.
pub const DISTRIBUTED_TABLES: [&str; 6] = [
    "customers",
    "customer_versions",
    "customer_contacts",
    "customer_references",
    "customer_contacts_history",
    "customer_references_history",
];

/// Small tables written rarely and read by every node: Citus reference tables.
pub const REFERENCE_TABLES: [&str; 17] = [
    "companies",
    "nationalities",
    "genders",
    "customer_types",
    "company_types",
    "industry_types",
    "contact_types",
    "phone_codes",
    "identification_types",
    "countries",
    "regions",
    "cities",
    "income_ranges",
    "languages",
    "relation_types",
    "clients",
    "api_keys",
];

/// Tables left on the coordinator: the audit trail and its key, and diesel's record of
/// the migrations applied.
pub const LOCAL_TABLES: [&str; 3] = [
    "audit_disclosures",
    "audit_settings",
    "__diesel_schema_migrations",
];

/// The lookups checked: each identifier alone (the identification number both as a
/// national ID and as a commercial registration number), pairs, and all four; in both
/// demo companies. `(shape, company, criteria)`.
fn lookups() -> Vec<(&'static str, CompanyId, SearchCriteria)> {
    vec![
        ("customerId", JTC, criteria(Some(54218), None, None, None)),
        (
            "identificationNo (national ID)",
            JTC,
            criteria(None, Some("1034567891"), None, None),
        ),
        (
            "identificationNo (CR number)",
            JTC,
            criteria(None, Some("2103232123"), None, None),
        ),
        (
            "mobileNumber",
            JTC,
            criteria(None, None, Some("551234567"), None),
        ),
        (
            "referenceNo",
            JTC,
            criteria(None, None, None, Some("POL-2025-000123")),
        ),
        (
            "customerId + mobileNumber",
            JTC,
            criteria(Some(54219), None, Some("551234567"), None),
        ),
        (
            "identificationNo + referenceNo",
            JFC,
            criteria(None, Some("2103232123"), None, Some("333215")),
        ),
        (
            "mobileNumber + referenceNo",
            JFC,
            criteria(None, None, Some("568617084"), Some("FIN-2026-000215")),
        ),
        (
            "all four",
            JTC,
            criteria(
                Some(54218),
                Some("2103232123"),
                Some("568617084"),
                Some("333215"),
            ),
        ),
        (
            "all four, other company",
            JFC,
            criteria(
                Some(70001),
                Some("2103232123"),
                Some("568617084"),
                Some("333215"),
            ),
        ),
    ]
}

/// Every table each lookup statement reads is filtered on the lookup's company.
pub async fn every_table_a_lookup_reads_is_filtered_on_its_company(backend: TestBackend) {
    let db = TestDatabase::with_demo_data(backend).await;
    // One connection: the adapter's statements are prepared on the one inspected.
    let pool = one_connection(&db);
    let store = SqlCustomerStore::new(pool.clone(), std::time::Duration::from_secs(60));
    let mut checked = 0;
    for (shape, company, criteria) in lookups() {
        let found: Vec<i64> = store
            .find_current(company, &criteria)
            .await
            .expect("the lookup succeeds")
            .iter()
            .map(|c| c.customer_id.get())
            .collect();
        assert!(!found.is_empty(), "{shape}: the lookup finds customers");
        let lookup = Lookup {
            shape,
            company,
            criteria: &criteria,
        };
        checked += match backend {
            TestBackend::Postgres => check_postgres(&pool, &lookup).await,
            TestBackend::Sqlite => check_sqlite(&pool, &lookup).await,
        };
    }
    assert!(checked >= lookups().len() * 2, "scans checked: {checked}");
}

/// A lookup run, whose statements are checked.
struct Lookup<'a> {
    shape: &'static str,
    company: CompanyId,
    criteria: &'a SearchCriteria,
}

/// A scan of a table in a JSON plan: (node type, relation, its conditions).
struct Scan {
    node: String,
    relation: String,
    conditions: Vec<String>,
}

/// Every scan of a table in the plan `node`.
fn scans(node: &Value, found: &mut Vec<Scan>) {
    if let Some(relation) = node["Relation Name"].as_str() {
        found.push(Scan {
            node: node["Node Type"].as_str().unwrap_or_default().to_owned(),
            relation: relation.to_owned(),
            conditions: ["Index Cond", "Recheck Cond", "Filter"]
                .iter()
                .filter_map(|key| node[*key].as_str().map(str::to_owned))
                .collect(),
        });
    }
    if let Some(children) = node["Plans"].as_array() {
        for child in children {
            scans(child, found);
        }
    }
}

/// The values `company_id` is compared with in `condition`: a literal, or the literal
/// bound to the parameter `$n` named there.
fn company_values(condition: &str, values: &[String]) -> Vec<String> {
    condition
        .match_indices("company_id = ")
        .map(|(at, matched)| {
            let operand: String = condition[at + matched.len()..]
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || matches!(c, '$' | '\'' | '-'))
                .collect();
            let operand = operand.trim_matches('\'');
            operand
                .strip_prefix('$')
                .and_then(|n| n.parse::<usize>().ok())
                .and_then(|n| values.get(n - 1))
                .cloned()
                .unwrap_or_else(|| operand.to_owned())
        })
        .collect()
}

async fn check_postgres(pool: &Database, lookup: &Lookup<'_>) -> usize {
    let shape = lookup.shape;
    let mut checked = 0;
    let plans = prepared_plans(pool, lookup.company, lookup.criteria).await;
    assert_eq!(plans.len(), 2, "{shape}: one statement, two plans");
    for plan in plans {
        let mut found_scans = Vec::new();
        scans(&plan.json[0]["Plan"], &mut found_scans);
        let context = format!("{shape} {plan}");
        assert!(
            found_scans
                .iter()
                .any(|scan| DISTRIBUTED_TABLES.contains(&scan.relation.as_str())),
            "no customer-data table read: {context}"
        );
        for scan in &found_scans {
            assert!(
                DISTRIBUTED_TABLES.contains(&scan.relation.as_str())
                    || REFERENCE_TABLES.contains(&scan.relation.as_str()),
                "{} read: {context}",
                scan.relation
            );
            if !DISTRIBUTED_TABLES.contains(&scan.relation.as_str()) {
                continue;
            }
            let bound: Vec<String> = scan
                .conditions
                .iter()
                .flat_map(|condition| company_values(condition, &plan.values))
                .collect();
            assert!(
                !bound.is_empty(),
                "{} of {} without a company_id condition ({:?}): {context}",
                scan.node,
                scan.relation,
                scan.conditions
            );
            assert!(
                bound
                    .iter()
                    .all(|value| *value == lookup.company.get().to_string()),
                "{} of {} bound to {bound:?}, not company {}: {context}",
                scan.node,
                scan.relation,
                lookup.company.get()
            );
            checked += 1;
        }
    }
    checked
}

#[derive(QueryableByName)]
struct PlanLine {
    #[diesel(sql_type = Text)]
    detail: String,
}

async fn check_sqlite(pool: &Database, lookup: &Lookup<'_>) -> usize {
    let shape = lookup.shape;
    let mut checked = 0;
    for (statement, sql, _) in
        SqlCustomerStore::lookup_statements(Backend::Sqlite, lookup.company, lookup.criteria)
    {
        let explain = format!("EXPLAIN QUERY PLAN {sql}");
        let lines: Vec<PlanLine> = with_conn!(pool, |conn| diesel::sql_query(&explain)
            .load(conn)
            .await
            .unwrap_or_else(|e| panic!("{e}: {explain}")));
        let context = format!(
            "{shape} {statement}: {:#?}\n{sql}",
            lines.iter().map(|l| &l.detail).collect::<Vec<_>>()
        );
        let mut statement_checked = 0;
        for line in &lines {
            let Some(table) = DISTRIBUTED_TABLES.iter().find(|table| {
                line.detail.starts_with(&format!("SEARCH {table} "))
                    || line.detail.starts_with(&format!("SCAN {table}"))
            }) else {
                continue;
            };
            assert!(
                line.detail.contains(" INDEX ") && line.detail.contains("(company_id=?"),
                "{table} read without an index on company_id: {context}"
            );
            statement_checked += 1;
        }
        assert!(
            statement_checked > 0,
            "no customer-data table read: {context}"
        );
        checked += statement_checked;
    }
    checked
}

#[derive(QueryableByName)]
struct TableColumn {
    #[diesel(sql_type = Text)]
    table_name: String,
    #[diesel(sql_type = Text)]
    column_name: String,
    #[diesel(sql_type = Integer)]
    not_null: i32,
}

#[derive(QueryableByName)]
struct Key {
    #[diesel(sql_type = Text)]
    table_name: String,
    /// `p` primary key, `u` unique index or constraint, `f` foreign key.
    #[diesel(sql_type = Text)]
    kind: String,
    #[diesel(sql_type = Text)]
    name: String,
    #[diesel(sql_type = Text)]
    columns: String,
    /// The referenced table and columns of a foreign key (`table(a,b)`), else empty.
    #[diesel(sql_type = Text)]
    target: String,
}

const POSTGRES_TABLE_COLUMNS: &str = "
SELECT c.relname::text AS table_name, a.attname::text AS column_name,
       CASE WHEN a.attnotnull THEN 1 ELSE 0 END AS not_null
FROM pg_class c
JOIN pg_namespace n ON n.oid = c.relnamespace
JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p') AND NOT c.relispartition";

/// Primary keys and unique indexes (those of constraints included), and foreign keys.
const POSTGRES_KEYS: &str = "
SELECT t.relname::text AS table_name,
       CASE WHEN x.indisprimary THEN 'p' ELSE 'u' END AS kind,
       i.relname::text AS name,
       array_to_string(ARRAY(
           SELECT a.attname::text
           FROM unnest(x.indkey::int2[]) WITH ORDINALITY AS k(attnum, ord)
           JOIN pg_attribute a ON a.attrelid = x.indrelid AND a.attnum = k.attnum
           ORDER BY k.ord), ',') AS columns,
       '' AS target
FROM pg_index x
JOIN pg_class i ON i.oid = x.indexrelid
JOIN pg_class t ON t.oid = x.indrelid
JOIN pg_namespace n ON n.oid = t.relnamespace
WHERE n.nspname = current_schema() AND x.indisunique AND NOT t.relispartition
UNION ALL
SELECT t.relname::text, 'f', c.conname::text,
       array_to_string(ARRAY(
           SELECT a.attname::text
           FROM unnest(c.conkey) WITH ORDINALITY AS k(attnum, ord)
           JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.attnum
           ORDER BY k.ord), ','),
       r.relname::text || '(' || array_to_string(ARRAY(
           SELECT a.attname::text
           FROM unnest(c.confkey) WITH ORDINALITY AS k(attnum, ord)
           JOIN pg_attribute a ON a.attrelid = c.confrelid AND a.attnum = k.attnum
           ORDER BY k.ord), ',') || ')'
FROM pg_constraint c
JOIN pg_class t ON t.oid = c.conrelid
JOIN pg_class r ON r.oid = c.confrelid
JOIN pg_namespace n ON n.oid = t.relnamespace
WHERE n.nspname = current_schema() AND c.contype = 'f' AND NOT t.relispartition";

const SQLITE_TABLE_COLUMNS: &str = "
SELECT m.name AS table_name, p.name AS column_name,
       CASE WHEN p.\"notnull\" <> 0 OR (p.pk > 0 AND p.type = 'INTEGER'
            AND (SELECT count(*) FROM pragma_table_info(m.name) k WHERE k.pk > 0) = 1)
            THEN 1 ELSE 0 END AS not_null
FROM sqlite_master m
JOIN pragma_table_info(m.name) p
WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite\\_%' ESCAPE '\\'";

/// Primary keys (as `pragma_table_info` orders them), unique indexes (those of UNIQUE
/// constraints included) and foreign keys.
const SQLITE_KEYS: &str = "
SELECT m.name AS table_name, 'p' AS kind, 'primary key' AS name,
       (SELECT group_concat(name, ',') FROM (
            SELECT p.name AS name FROM pragma_table_info(m.name) p WHERE p.pk > 0
            ORDER BY p.pk)) AS columns,
       '' AS target
FROM sqlite_master m
WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite\\_%' ESCAPE '\\'
  AND EXISTS (SELECT 1 FROM pragma_table_info(m.name) p WHERE p.pk > 0)
UNION ALL
SELECT m.name, 'u', l.name,
       COALESCE((SELECT group_concat(name, ',') FROM (
            SELECT ii.name AS name FROM pragma_index_info(l.name) ii ORDER BY ii.seqno)), ''),
       ''
FROM sqlite_master m
JOIN pragma_index_list(m.name) l
WHERE m.type = 'table' AND l.\"unique\" = 1 AND l.origin <> 'pk'
UNION ALL
SELECT m.name, 'f', m.name || '#' || f.id, group_concat(f.\"from\", ','),
       f.\"table\" || '(' || group_concat(COALESCE(f.\"to\", '?'), ',') || ')'
FROM sqlite_master m
JOIN pragma_foreign_key_list(m.name) f
WHERE m.type = 'table'
GROUP BY m.name, f.id";

/// The tables `docs/scaling.md` passes to `create_distributed_table` and to
/// `create_reference_table`.
fn tables_in_scaling_doc() -> (BTreeSet<String>, BTreeSet<String>) {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../docs/scaling.md");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let named = |call: &str| -> BTreeSet<String> {
        text.match_indices(call)
            .filter_map(|(at, _)| text[at + call.len()..].split('\'').next())
            .map(str::to_owned)
            .collect()
    };
    (
        named("create_distributed_table('"),
        named("create_reference_table('"),
    )
}

/// Every table is distributed by company, a reference table or local; the distributed
/// ones are keyed by company; `docs/scaling.md` says the same.
pub async fn customer_data_is_keyed_by_company(backend: TestBackend) {
    let db = TestDatabase::new(backend).await;
    let pool = db.connect();
    let (columns_sql, keys_sql) = match backend {
        TestBackend::Postgres => (POSTGRES_TABLE_COLUMNS, POSTGRES_KEYS),
        TestBackend::Sqlite => (SQLITE_TABLE_COLUMNS, SQLITE_KEYS),
    };
    let columns: Vec<TableColumn> = with_conn!(&pool, |conn| diesel::sql_query(columns_sql)
        .load(conn)
        .await
        .expect("the columns"));
    let keys: Vec<Key> = with_conn!(&pool, |conn| diesel::sql_query(keys_sql)
        .load(conn)
        .await
        .expect("the keys"));
    let mut problems = Vec::new();

    let tables: BTreeSet<&str> = columns.iter().map(|c| c.table_name.as_str()).collect();
    let classified: BTreeSet<&str> = DISTRIBUTED_TABLES
        .iter()
        .chain(&REFERENCE_TABLES)
        .chain(&LOCAL_TABLES)
        .copied()
        .collect();
    for table in &tables {
        if !classified.contains(table) {
            problems.push(format!(
                "{table} is neither distributed, reference nor local: classify it here and \
                 in docs/scaling.md"
            ));
        }
    }
    for table in DISTRIBUTED_TABLES.iter().chain(&REFERENCE_TABLES) {
        if !tables.contains(table) {
            problems.push(format!("{table} does not exist"));
        }
    }

    for table in DISTRIBUTED_TABLES {
        let company = columns
            .iter()
            .find(|c| c.table_name == table && c.column_name == "company_id");
        match company {
            None => problems.push(format!("{table} has no company_id")),
            Some(column) if column.not_null == 0 => {
                problems.push(format!("{table}.company_id is nullable"));
            }
            Some(_) => {}
        }
    }
    key_problems(&keys, &mut problems);
    doc_problems(&mut problems);
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// The primary keys, unique indexes and foreign keys that do not hold `company_id` where
/// Citus needs it.
fn key_problems(keys: &[Key], problems: &mut Vec<String>) {
    let mut primary_keys: BTreeMap<&str, &str> = BTreeMap::new();
    for key in keys {
        let table = key.table_name.as_str();
        let holds_company = key.columns.split(',').any(|c| c == "company_id");
        let distributed = DISTRIBUTED_TABLES.contains(&table);
        match key.kind.as_str() {
            "p" => {
                primary_keys.insert(table, &key.columns);
                if distributed && !key.columns.starts_with("company_id,") {
                    problems.push(format!(
                        "the primary key of {table} is ({}), not company_id first",
                        key.columns
                    ));
                }
            }
            "u" if distributed && !holds_company => problems.push(format!(
                "unique index {} on {table} ({}) lacks company_id",
                key.name, key.columns
            )),
            "f" => {
                let target = key.target.split('(').next().unwrap_or_default();
                let to_distributed = DISTRIBUTED_TABLES.contains(&target);
                if to_distributed && !distributed {
                    problems.push(format!(
                        "{table} ({}) refers to the distributed table {}",
                        key.columns, key.target
                    ));
                }
                if to_distributed && !(holds_company && key.target.contains("company_id")) {
                    problems.push(format!(
                        "foreign key {table} ({}) -> {} does not hold company_id on both sides",
                        key.columns, key.target
                    ));
                }
            }
            _ => {}
        }
    }
    for table in DISTRIBUTED_TABLES {
        if !primary_keys.contains_key(table) {
            problems.push(format!("{table} has no primary key"));
        }
    }
}

/// What `docs/scaling.md` distributes and makes reference tables of, against the lists
/// above.
fn doc_problems(problems: &mut Vec<String>) {
    let (distributed, reference) = tables_in_scaling_doc();
    let expected: BTreeSet<String> = DISTRIBUTED_TABLES.iter().map(|t| (*t).to_owned()).collect();
    if distributed != expected {
        problems.push(format!(
            "docs/scaling.md distributes {distributed:?}, the schema {expected:?}"
        ));
    }
    let expected: BTreeSet<String> = REFERENCE_TABLES.iter().map(|t| (*t).to_owned()).collect();
    if reference != expected {
        problems.push(format!(
            "docs/scaling.md makes reference tables of {reference:?}, the schema {expected:?}"
        ));
    }
}

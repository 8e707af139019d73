//! Every statement a lookup sends uses indexes, on a database of realistic size: 20,000
//! synthetic customers with planner statistics (`seed_synthetic` ends with `ANALYZE`).
//!
//! The statements are the adapter's own: `SqlCustomerStore::lookup_statements` renders
//! them with the same query code as the lookups. On PostgreSQL the test also runs the
//! lookups through the adapter on a one-connection pool, finds each rendered statement
//! among the prepared statements of that connection (`pg_prepared_statements`: the SQL the
//! adapter actually sent), and explains that very prepared statement with
//! `EXPLAIN (FORMAT JSON) EXECUTE`, once with the generic plan that a cached prepared
//! statement ends up using (`plan_cache_mode = force_generic_plan`) and once with the
//! custom plan for the values. No plan may hold a `Seq Scan` of a customer table, and each
//! customer table a plan reads must be read through an index. On SQLite, `EXPLAIN QUERY
//! PLAN` must show each customer table searched with an index (`SEARCH ... USING ...
//! INDEX` or the integer primary key), never scanned (`SCAN customer_versions`).

use std::time::Duration;

use customer_domain::{CompanyId, CustomerRepository, SearchCriteria};
use customer_infrastructure::{Backend, Database, PoolSettings, SqlCustomerStore};
use customer_synthetic::{SyntheticOptions, seed_synthetic};
use customer_testkit::{TestBackend, TestDatabase};
use diesel::QueryableByName;
use diesel::sql_types::{BigInt, Integer, Text};
use diesel_async::{RunQueryDsl, SimpleAsyncConnection};
use serde_json::Value;

use crate::support::{criteria, with_conn};

/// The customer tables, none of which may be scanned.
const CUSTOMER_TABLES: [&str; 4] = [
    "customers",
    "customer_versions",
    "customer_contacts",
    "customer_references",
];

#[derive(Debug, QueryableByName)]
struct Sample {
    #[diesel(sql_type = Integer)]
    company_id: i32,
    #[diesel(sql_type = BigInt)]
    customer_id: i64,
    #[diesel(sql_type = Text)]
    identification_no: String,
    #[diesel(sql_type = Text)]
    mobile_number: String,
    #[diesel(sql_type = Text)]
    reference_no: String,
}

/// A database of 20,000 synthetic customers with statistics, and one of its customers
/// with a reference and contacts.
async fn realistic_database(backend: TestBackend) -> (TestDatabase, Sample) {
    let db = TestDatabase::new(backend).await;
    let pool = db.connect();
    seed_synthetic(&pool, &SyntheticOptions::new(20_000), &|_| {})
        .await
        .expect("the synthetic data loads");
    let sample: Sample = with_conn!(&pool, |conn| diesel::sql_query(
        "SELECT v.company_id, v.customer_id, v.identification_no, v.mobile_number, \
                r.reference_no \
         FROM customer_versions v \
         JOIN customer_references r \
           ON r.company_id = v.company_id AND r.customer_id = v.customer_id \
         WHERE v.end_date IS NULL \
           AND EXISTS (SELECT 1 FROM customer_contacts c WHERE c.customer_id = v.customer_id) \
         ORDER BY v.customer_id LIMIT 1"
    )
    .get_result(conn)
    .await
    .expect("a customer with a reference and contacts"));
    (db, sample)
}

/// The search shapes: each identifier alone, and each statement of a lookup by more than
/// one (driven by the customer id, the identification number, the reference number).
fn shapes(sample: &Sample) -> Vec<(&'static str, SearchCriteria)> {
    let id = Some(sample.customer_id);
    let number = Some(sample.identification_no.as_str());
    let mobile = Some(sample.mobile_number.as_str());
    let reference = Some(sample.reference_no.as_str());
    vec![
        ("customerId", criteria(id, None, None, None)),
        ("identificationNo", criteria(None, number, None, None)),
        ("mobileNumber", criteria(None, None, mobile, None)),
        ("referenceNo", criteria(None, None, None, reference)),
        ("all four", criteria(id, number, mobile, reference)),
        (
            "identificationNo, mobileNumber",
            criteria(None, number, mobile, None),
        ),
        (
            "referenceNo, mobileNumber",
            criteria(None, None, mobile, reference),
        ),
    ]
}

/// Every lookup shape uses indexes only, for the customers and for their contacts.
pub async fn lookups_use_indexes(backend: TestBackend) {
    let (db, sample) = realistic_database(backend).await;
    match backend {
        TestBackend::Postgres => check_postgres(&db, &sample).await,
        TestBackend::Sqlite => check_sqlite(&db, &sample).await,
    }
}

#[derive(Debug, QueryableByName)]
struct Prepared {
    #[diesel(sql_type = Text)]
    name: String,
    #[diesel(sql_type = Text)]
    statement: String,
    #[diesel(sql_type = Text)]
    types: String,
}

#[derive(QueryableByName)]
struct JsonPlan {
    #[diesel(sql_type = Text, column_name = "QUERY PLAN")]
    plan: String,
}

async fn check_postgres(db: &TestDatabase, sample: &Sample) {
    // One connection: the adapter's statements are prepared on the one the test inspects.
    let pool = one_connection(db);
    let store = SqlCustomerStore::new(pool.clone(), Duration::from_secs(60));
    let company = CompanyId::new(sample.company_id);
    let mut checked = 0;
    for (shape, criteria) in shapes(sample) {
        let found = store
            .find_current(company, &criteria)
            .await
            .expect("the lookup succeeds");
        assert!(
            found
                .iter()
                .any(|c| c.customer_id.get() == sample.customer_id),
            "{shape}: the sample customer is found"
        );
        for plan in prepared_plans(&pool, company, &criteria).await {
            let mut nodes = Vec::new();
            collect_nodes(&plan.json[0]["Plan"], &mut nodes);
            let context = format!("{shape} {plan}");
            for (node, relation) in &nodes {
                if CUSTOMER_TABLES.contains(&relation.as_str()) {
                    assert!(
                        matches!(
                            node.as_str(),
                            "Index Scan" | "Index Only Scan" | "Bitmap Heap Scan"
                        ),
                        "{node} on {relation}: {context}"
                    );
                }
            }
            assert!(
                !nodes.iter().any(|(node, _)| node == "Seq Scan"),
                "a Seq Scan: {context}"
            );
            assert!(
                nodes
                    .iter()
                    .any(|(_, relation)| CUSTOMER_TABLES.contains(&relation.as_str())),
                "the plan reads no customer table: {context}"
            );
            checked += 1;
        }
    }
    assert_eq!(checked, shapes(sample).len() * 2, "plans checked");
}

/// A pool of one connection to `db`: the statements the adapter prepares through it are
/// those [`prepared_plans`] finds.
pub fn one_connection(db: &TestDatabase) -> Database {
    let settings = PoolSettings {
        max_size: 1,
        ..PoolSettings::default()
    };
    Database::connect(db.url(), &settings).expect("a pool")
}

/// The query plan of one statement a lookup sent, with the values it was sent with.
pub struct Plan {
    /// `find_customers`.
    pub statement: &'static str,
    /// `force_generic_plan` or `force_custom_plan`.
    pub mode: &'static str,
    /// The SQL literal of each bind value, `$1` first.
    pub values: Vec<String>,
    /// `EXPLAIN (FORMAT JSON)`.
    pub json: Value,
}

impl std::fmt::Display for Plan {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} ({}) with {:?}: {:#}",
            self.statement, self.mode, self.values, self.json
        )
    }
}

/// The plans of the statements of a lookup of `criteria` in `company` that the adapter
/// prepared on the one connection of `pool` (see [`one_connection`]), run just before
/// with the same arguments: each statement `SqlCustomerStore::lookup_statements` renders
/// is found among the connection's prepared
/// statements and explained with the generic plan a cached prepared statement ends up
/// using and with the custom plan for its values.
pub async fn prepared_plans(
    pool: &Database,
    company: CompanyId,
    criteria: &SearchCriteria,
) -> Vec<Plan> {
    let Database::Postgres(postgres) = pool else {
        unreachable!("a PostgreSQL test database")
    };
    let mut conn = postgres.get().await.expect("the connection");
    let prepared: Vec<Prepared> = diesel::sql_query(
        "SELECT name, statement, \
                array_to_string(parameter_types::text[], ',') AS types \
         FROM pg_prepared_statements",
    )
    .load(&mut *conn)
    .await
    .expect("the prepared statements");
    let statements = SqlCustomerStore::lookup_statements(Backend::Postgres, company, criteria);
    let mut plans = Vec::new();
    for (statement, sql, binds) in statements {
        let Some(own) = prepared.iter().find(|p| p.statement == sql) else {
            panic!(
                "{statement}: the adapter did not prepare the rendered SQL\n{sql}\n\
                 prepared: {prepared:#?}"
            );
        };
        let values = literals(&binds);
        let types: Vec<&str> = own.types.split(',').collect();
        assert_eq!(
            values.len(),
            types.len(),
            "{statement}: {binds} for {types:?}"
        );
        for mode in ["force_generic_plan", "force_custom_plan"] {
            let explain = format!(
                "EXPLAIN (FORMAT JSON) EXECUTE \"{}\"({})",
                own.name,
                values.join(", ")
            );
            conn.batch_execute(&format!("SET plan_cache_mode = {mode}"))
                .await
                .expect("plan_cache_mode");
            let plan: JsonPlan = diesel::sql_query(&explain)
                .get_result(&mut *conn)
                .await
                .unwrap_or_else(|e| panic!("{e}: {explain}"));
            plans.push(Plan {
                statement,
                mode,
                values: values.clone(),
                json: serde_json::from_str(&plan.plan).expect("a JSON plan"),
            });
        }
    }
    conn.batch_execute("RESET plan_cache_mode")
        .await
        .expect("plan_cache_mode");
    plans
}

/// (node type, relation) of every node of a JSON plan.
fn collect_nodes(plan: &Value, nodes: &mut Vec<(String, String)>) {
    let text = |key: &str| plan[key].as_str().unwrap_or_default().to_owned();
    nodes.push((text("Node Type"), text("Relation Name")));
    if let Some(children) = plan["Plans"].as_array() {
        for child in children {
            collect_nodes(child, nodes);
        }
    }
}

/// SQL literals of the binds `debug_query` lists in Rust debug notation (`[1, Some(2),
/// None, Some("x"), [3, 4]]`), in order.
fn literals(binds: &str) -> Vec<String> {
    let inner = binds
        .trim()
        .strip_prefix('[')
        .and_then(|b| b.strip_suffix(']'))
        .unwrap_or_else(|| panic!("a bind list: {binds}"));
    split_top_level(inner).iter().map(|b| literal(b)).collect()
}

fn literal(bind: &str) -> String {
    let bind = bind.trim();
    if bind == "None" {
        return "NULL".to_owned();
    }
    if let Some(inner) = bind.strip_prefix("Some(").and_then(|b| b.strip_suffix(')')) {
        return literal(inner);
    }
    if let Some(text) = bind.strip_prefix('"').and_then(|b| b.strip_suffix('"')) {
        let text = text.replace("\\\"", "\"").replace("\\\\", "\\");
        return format!("'{}'", text.replace('\'', "''"));
    }
    if let Some(list) = bind.strip_prefix('[').and_then(|b| b.strip_suffix(']')) {
        let items: Vec<String> = split_top_level(list)
            .iter()
            .map(|i| i.trim().to_owned())
            .collect();
        return format!("'{{{}}}'", items.join(","));
    }
    // A timestamp, as `NaiveDateTime`'s debug notation writes it.
    if chrono::NaiveDateTime::parse_from_str(bind, "%Y-%m-%dT%H:%M:%S%.f").is_ok() {
        return format!("'{bind}'");
    }
    assert!(
        bind.parse::<i64>().is_ok() || bind == "true" || bind == "false",
        "an unexpected bind: {bind}"
    );
    bind.to_owned()
}

/// Splits at the commas outside quotes, brackets and parentheses.
fn split_top_level(list: &str) -> Vec<String> {
    let mut items = Vec::new();
    let mut current = String::new();
    let (mut depth, mut quoted, mut escaped) = (0, false, false);
    for c in list.chars() {
        match c {
            _ if escaped => escaped = false,
            '\\' if quoted => escaped = true,
            '"' => quoted = !quoted,
            '(' | '[' if !quoted => depth += 1,
            ')' | ']' if !quoted => depth -= 1,
            ',' if !quoted && depth == 0 => {
                items.push(std::mem::take(&mut current));
                continue;
            }
            _ => {}
        }
        current.push(c);
    }
    if !current.trim().is_empty() {
        items.push(current);
    }
    items
}

#[derive(QueryableByName)]
struct PlanLine {
    #[diesel(sql_type = Text)]
    detail: String,
}

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = BigInt)]
    count: i64,
}

async fn check_sqlite(db: &TestDatabase, sample: &Sample) {
    let pool = db.connect();
    // The seed ends with ANALYZE. Built with STAT4, SQLite would keep value histograms in
    // `sqlite_stat4` and compile a prepared lookup again at each new bound value (see
    // `.cargo/config.toml`); `sqlite_stat1` is all the lookups need.
    let stat_tables: Count = with_conn!(&pool, |conn| diesel::sql_query(
        "SELECT count(*) AS count FROM sqlite_schema WHERE name LIKE 'sqlite_stat%'"
    )
    .get_result(conn)
    .await
    .expect("the statistics tables"));
    let stat4: Count = with_conn!(&pool, |conn| diesel::sql_query(
        "SELECT count(*) AS count FROM sqlite_schema WHERE name = 'sqlite_stat4'"
    )
    .get_result(conn)
    .await
    .expect("the statistics tables"));
    assert!(stat_tables.count >= 1, "ANALYZE wrote sqlite_stat1");
    assert_eq!(stat4.count, 0, "SQLite is built without STAT4");
    // Nor with a mutex per connection or memory statistics (`.cargo/config.toml`).
    let options: Count = with_conn!(&pool, |conn| diesel::sql_query(
        "SELECT count(*) AS count FROM pragma_compile_options \
         WHERE compile_options IN ('THREADSAFE=2', 'DEFAULT_MEMSTATUS=0')"
    )
    .get_result(conn)
    .await
    .expect("the compile options"));
    assert_eq!(
        options.count, 2,
        "SQLite in multi-thread mode, without memory statistics"
    );
    let company = CompanyId::new(sample.company_id);
    for (shape, criteria) in shapes(sample) {
        let statements = SqlCustomerStore::lookup_statements(Backend::Sqlite, company, &criteria);
        for (statement, sql, _) in statements {
            let explain = format!("EXPLAIN QUERY PLAN {sql}");
            let lines: Vec<PlanLine> = with_conn!(&pool, |conn| diesel::sql_query(&explain)
                .load(conn)
                .await
                .unwrap_or_else(|e| panic!("{e}: {explain}")));
            let details: Vec<&str> = lines.iter().map(|l| l.detail.as_str()).collect();
            let context = format!("{shape} {statement}: {details:#?}\n{sql}");
            let mut searched = 0;
            for detail in &details {
                for table in CUSTOMER_TABLES {
                    assert!(
                        !detail.starts_with(&format!("SCAN {table}")),
                        "a scan of {table}: {context}"
                    );
                    if detail.starts_with(&format!("SEARCH {table} USING ")) {
                        assert!(
                            detail.contains(" INDEX ") || detail.contains("INTEGER PRIMARY KEY"),
                            "a search without an index: {context}"
                        );
                        searched += 1;
                    }
                }
            }
            assert!(searched > 0, "no indexed search: {context}");
        }
    }
}

/// The customer tables of the statements of a lookup as of a moment and of the versions
/// list, none of which may be scanned.
const HISTORY_TABLES: [&str; 5] = [
    "customer_versions",
    "customer_contacts",
    "customer_references",
    "customer_contacts_history",
    "customer_references_history",
];

/// History rows of realistic size: one removed reference and one removed contact per
/// reference and contact stored (nothing writes them yet), with statistics.
async fn with_history_rows(db: &TestDatabase) {
    let pool = db.connect();
    let sql = "INSERT INTO customer_references_history \
                 (company_id, customer_id, reference_no, since_version, until_version) \
               SELECT company_id, customer_id, reference_no || '-OLD', 1, 2 \
               FROM customer_references; \
               INSERT INTO customer_contacts_history \
                 (contact_id, customer_id, contact_number, relation_type_id, contact_name, \
                  contact_phone_code_id, primary_contact, company_id, since_version, \
                  until_version) \
               SELECT contact_id, customer_id, contact_number, relation_type_id, \
                      contact_name, contact_phone_code_id, primary_contact, company_id, 1, 2 \
               FROM customer_contacts; \
               ANALYZE";
    with_conn!(&pool, |conn| conn
        .batch_execute(sql)
        .await
        .expect("the history rows"));
}

/// Every statement of a lookup as of a moment (each driving identifier, and all four)
/// and of the versions list reads every customer table through an index, on the
/// synthetic data set with history rows: on PostgreSQL with the generic and the custom
/// plan of the statement prepared as the adapter renders it, on SQLite by `EXPLAIN
/// QUERY PLAN`.
pub async fn history_statements_use_indexes(backend: TestBackend) {
    let (db, sample) = realistic_database(backend).await;
    with_history_rows(&db).await;
    let pool = db.connect();
    let company = CompanyId::new(sample.company_id);
    let at = chrono::Utc::now();
    let customer = customer_domain::CustomerId::new(sample.customer_id).expect("an id");
    let mut checked = 0;
    for (shape, criteria) in shapes(&sample) {
        let statements = SqlCustomerStore::history_statements(
            match backend {
                TestBackend::Postgres => Backend::Postgres,
                TestBackend::Sqlite => Backend::Sqlite,
            },
            company,
            &criteria,
            at,
            &[sample.customer_id],
            &[sample.customer_id],
            customer,
        );
        for (statement, sql, binds) in statements {
            let context = format!("{shape} {statement}\n{sql}\n{binds}");
            match backend {
                TestBackend::Postgres => {
                    for mode in ["force_generic_plan", "force_custom_plan"] {
                        let nodes = postgres_plan(&pool, &sql, &binds, mode).await;
                        for (node, relation) in &nodes {
                            if HISTORY_TABLES.contains(&relation.as_str()) {
                                assert!(
                                    matches!(
                                        node.as_str(),
                                        "Index Scan" | "Index Only Scan" | "Bitmap Heap Scan"
                                    ),
                                    "{node} on {relation} ({mode}): {context}"
                                );
                            }
                        }
                        assert!(
                            !nodes.iter().any(|(node, _)| node == "Seq Scan"),
                            "a Seq Scan ({mode}): {nodes:?} {context}"
                        );
                        checked += 1;
                    }
                }
                TestBackend::Sqlite => {
                    let details = sqlite_plan(&pool, &sql).await;
                    let mut searched = 0;
                    for detail in &details {
                        for table in HISTORY_TABLES {
                            assert!(
                                !detail.starts_with(&format!("SCAN {table}")),
                                "a scan of {table}: {details:#?} {context}"
                            );
                            if detail.starts_with(&format!("SEARCH {table} USING ")) {
                                searched += 1;
                            }
                        }
                    }
                    assert!(searched > 0, "no indexed search: {details:#?} {context}");
                    checked += 1;
                }
            }
        }
    }
    // Each shape: find_as_of, two contacts statements and find_versions; the two
    // reference statements for each shape with a reference number.
    let shapes = shapes(&sample);
    let with_reference = shapes
        .iter()
        .filter(|(_, criteria)| criteria.reference_no().is_some())
        .count();
    let statements = shapes.len() * 4 + with_reference * 2;
    let per_statement = if backend == TestBackend::Postgres {
        2
    } else {
        1
    };
    assert_eq!(checked, statements * per_statement, "plans checked");
}

/// The (node type, relation) of the plan of `sql`, prepared and executed with `binds`
/// under `plan_cache_mode = mode`.
async fn postgres_plan(
    pool: &Database,
    sql: &str,
    binds: &str,
    mode: &str,
) -> Vec<(String, String)> {
    let Database::Postgres(postgres) = pool else {
        unreachable!("a PostgreSQL test database")
    };
    let mut conn = postgres.get().await.expect("a connection");
    let values = literals(binds);
    conn.batch_execute(&format!(
        "DEALLOCATE ALL; PREPARE history_statement AS {sql}; SET plan_cache_mode = {mode}"
    ))
    .await
    .unwrap_or_else(|e| panic!("{e}: {sql}"));
    let explain = if values.is_empty() {
        "EXPLAIN (FORMAT JSON) EXECUTE history_statement".to_owned()
    } else {
        format!(
            "EXPLAIN (FORMAT JSON) EXECUTE history_statement({})",
            values.join(", ")
        )
    };
    let plan: JsonPlan = diesel::sql_query(&explain)
        .get_result(&mut *conn)
        .await
        .unwrap_or_else(|e| panic!("{e}: {explain}"));
    conn.batch_execute("DEALLOCATE history_statement; RESET plan_cache_mode")
        .await
        .expect("deallocated");
    let json: Value = serde_json::from_str(&plan.plan).expect("a JSON plan");
    let mut nodes = Vec::new();
    collect_nodes(&json[0]["Plan"], &mut nodes);
    nodes
}

/// The details of `EXPLAIN QUERY PLAN` of `sql`.
async fn sqlite_plan(pool: &Database, sql: &str) -> Vec<String> {
    let explain = format!("EXPLAIN QUERY PLAN {sql}");
    let lines: Vec<PlanLine> = with_conn!(pool, |conn| diesel::sql_query(&explain)
        .load(conn)
        .await
        .unwrap_or_else(|e| panic!("{e}: {explain}")));
    lines.into_iter().map(|l| l.detail).collect()
}

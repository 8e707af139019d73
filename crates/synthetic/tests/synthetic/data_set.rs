//! The synthetic data set (`seed_synthetic`): its rules, its determinism, and lookups of
//! its customers through the adapter.

use std::collections::hash_map::DefaultHasher;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::hash::{Hash, Hasher};

use chrono::NaiveDateTime;
use customer_domain::CompanyId;
use customer_infrastructure::{Database, InfraError};
use customer_synthetic::{SyntheticOptions, SyntheticSummary, seed_synthetic};
use customer_testkit::{TestBackend, TestDatabase};
use diesel::QueryableByName;
use diesel::sql_types::{BigInt, Integer, Nullable, Text, Timestamp};

use crate::support::{
    by_id, by_identification, by_mobile, by_reference, contact_ids, criteria, execute, find_ids,
    find_one, select, store,
};

/// Customers of the demo data set.
const DEMO_CUSTOMERS: i64 = 15;

async fn seed(db: &Database, customers: u64, seed: u64) -> SyntheticSummary {
    let options = SyntheticOptions {
        seed,
        ..SyntheticOptions::new(customers)
    };
    match seed_synthetic(db, &options, &|_| {}).await {
        Ok(summary) => summary,
        Err(error) => panic!("seeding {customers} synthetic customers failed: {error}"),
    }
}

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

async fn count(db: &Database, sql: &str) -> i64 {
    let found: Vec<Count> = select(db, sql).await;
    assert_eq!(found.len(), 1, "one count: {sql}");
    found[0].n
}

#[derive(Debug, Clone, QueryableByName)]
struct Version {
    #[diesel(sql_type = BigInt)]
    customer_id: i64,
    #[diesel(sql_type = Integer)]
    customer_version_id: i32,
    #[diesel(sql_type = Integer)]
    company_id: i32,
    #[diesel(sql_type = Nullable<Integer>)]
    customer_type_id: Option<i32>,
    #[diesel(sql_type = Nullable<Integer>)]
    nationality_id: Option<i32>,
    #[diesel(sql_type = Nullable<Text>)]
    first_name: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    last_name: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    company_name: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    mobile_number: Option<String>,
    #[diesel(sql_type = Nullable<Integer>)]
    identification_type_id: Option<i32>,
    #[diesel(sql_type = Nullable<Text>)]
    identification_no: Option<String>,
    #[diesel(sql_type = Timestamp)]
    start_date: NaiveDateTime,
    #[diesel(sql_type = Nullable<Timestamp>)]
    end_date: Option<NaiveDateTime>,
}

/// The versions of the customers with ids from `first` on, by customer, oldest first.
async fn versions_from(db: &Database, first: i64) -> BTreeMap<i64, Vec<Version>> {
    let sql = format!(
        "SELECT customer_id, customer_version_id, company_id, customer_type_id, \
         nationality_id, first_name, last_name, company_name, mobile_number, \
         identification_type_id, identification_no, start_date, end_date \
         FROM customer_versions WHERE customer_id >= {first} \
         ORDER BY customer_id, customer_version_id"
    );
    let rows: Vec<Version> = select(db, &sql).await;
    let mut by_customer: BTreeMap<i64, Vec<Version>> = BTreeMap::new();
    for row in rows {
        by_customer.entry(row.customer_id).or_default().push(row);
    }
    by_customer
}

#[derive(QueryableByName)]
struct PerCustomer {
    #[diesel(sql_type = BigInt)]
    customer_id: i64,
    #[diesel(sql_type = BigInt)]
    n: i64,
}

/// Rows of `table` per customer, for the customers with ids from `first` on.
async fn per_customer(db: &Database, table: &str, first: i64) -> HashMap<i64, i64> {
    let sql = format!(
        "SELECT customer_id, COUNT(*) AS n FROM {table} WHERE customer_id >= {first} \
         GROUP BY customer_id"
    );
    let rows: Vec<PerCustomer> = select(db, &sql).await;
    rows.into_iter().map(|r| (r.customer_id, r.n)).collect()
}

#[derive(QueryableByName)]
struct Reference {
    #[diesel(sql_type = BigInt)]
    customer_id: i64,
    #[diesel(sql_type = Text)]
    reference_no: String,
}

async fn references_from(db: &Database, first: i64) -> Vec<Reference> {
    let sql = format!(
        "SELECT customer_id, reference_no FROM customer_references \
         WHERE customer_id >= {first} ORDER BY reference_id"
    );
    select(db, &sql).await
}

fn is_arabic(text: &str) -> bool {
    text.chars().any(|c| ('\u{0600}'..='\u{06FF}').contains(&c))
}

fn is_mobile(number: &str) -> bool {
    number.len() == 9 && number.starts_with('5') && number.bytes().all(|b| b.is_ascii_digit())
}

/// The coded columns and the reference table each must point into.
const CODED: &[(&str, &str, &str)] = &[
    ("customer_versions", "nationality_id", "nationalities"),
    ("customer_versions", "gender_id", "genders"),
    ("customer_versions", "customer_type_id", "customer_types"),
    ("customer_versions", "company_type_id", "company_types"),
    ("customer_versions", "industry_type_id", "industry_types"),
    (
        "customer_versions",
        "preferred_contact_type_id",
        "contact_types",
    ),
    ("customer_versions", "phone_code_id", "phone_codes"),
    (
        "customer_versions",
        "additional_phone_code_id",
        "phone_codes",
    ),
    (
        "customer_versions",
        "identification_type_id",
        "identification_types",
    ),
    ("customer_versions", "country_id", "countries"),
    ("customer_versions", "region_id", "regions"),
    ("customer_versions", "city_id", "cities"),
    ("customer_versions", "monthly_income_id", "income_ranges"),
    ("customer_versions", "preferred_language_id", "languages"),
    ("customer_contacts", "relation_type_id", "relation_types"),
    ("customer_contacts", "contact_phone_code_id", "phone_codes"),
];

/// Checks the versions of one customer, oldest first; true for an individual.
fn check_history(customer: i64, history: &[Version]) -> bool {
    assert!(
        (1..=3).contains(&history.len()),
        "customer {customer}: 1 to 3 versions"
    );
    let current: Vec<&Version> = history.iter().filter(|v| v.end_date.is_none()).collect();
    assert_eq!(current.len(), 1, "customer {customer}: one current version");
    for (number, version) in (1..).zip(history) {
        assert_eq!(version.customer_version_id, number, "customer {customer}");
        assert_eq!(
            version.company_id, history[0].company_id,
            "one company for life"
        );
        let mobile = version.mobile_number.as_deref().unwrap_or_default();
        assert!(is_mobile(mobile), "customer {customer}: mobile {mobile:?}");
    }
    for pair in history.windows(2) {
        assert_eq!(
            pair[0].end_date,
            Some(pair[1].start_date),
            "customer {customer}: a version ends where the next starts"
        );
        assert!(
            pair[0].start_date < pair[1].start_date,
            "customer {customer}"
        );
    }
    let last = &history[history.len() - 1];
    assert!(
        last.end_date.is_none(),
        "customer {customer}: the last is current"
    );
    let individual = last.customer_type_id == Some(1);
    match last.customer_type_id {
        Some(1) => {
            let first_name = last.first_name.as_deref().expect("a first name");
            assert!(last.last_name.is_some() && last.company_name.is_none());
            let gulf = matches!(last.nationality_id, Some(1..=6));
            assert_eq!(
                is_arabic(first_name),
                gulf,
                "customer {customer} of nationality {:?}: {first_name}",
                last.nationality_id
            );
            let number = last.identification_no.as_deref().expect("an id number");
            match last.identification_type_id {
                Some(1) => assert!(number.len() == 10 && number.starts_with('1'), "{number}"),
                Some(2) => assert!(number.len() == 10 && number.starts_with('2'), "{number}"),
                Some(4) => assert!(number.bytes().all(|b| b.is_ascii_digit()), "{number}"),
                other => panic!("customer {customer}: identification type {other:?}"),
            }
        }
        Some(2) => {
            assert!(last.company_name.is_some() && last.first_name.is_none());
            assert!(matches!(last.identification_type_id, Some(5 | 7)));
            assert_eq!(last.identification_no.as_deref().map(str::len), Some(10));
        }
        other => panic!("customer {customer}: customer type {other:?}"),
    }
    individual
}

/// Checks every rule of the data set on the customers with ids from `first` on; `expected`
/// is how many there must be.
async fn check_rules(db: &Database, first: i64, expected: usize) {
    let versions = versions_from(db, first).await;
    assert_eq!(versions.len(), expected, "customers with versions");
    let contacts = per_customer(db, "customer_contacts", first).await;
    let references = per_customer(db, "customer_references", first).await;
    let mut individuals = 0;
    for (customer, history) in &versions {
        if check_history(*customer, history) {
            individuals += 1;
        }
        assert!(
            contacts.get(customer).copied().unwrap_or(0) <= 3,
            "0 to 3 contacts"
        );
        assert!(
            references.get(customer).copied().unwrap_or(0) <= 2,
            "0 to 2 references"
        );
    }
    // About 80 % individuals.
    let share = individuals * 100 / expected.max(1);
    assert!((65..=92).contains(&share), "{share} % individuals");
    check_tables(db, first).await;
}

/// The rules that hold across customers, checked in SQL.
async fn check_tables(db: &Database, first: i64) {
    // Identification numbers are unique per company among current versions (all
    // customers, the demo's included); references unique per company.
    assert_eq!(
        count(
            db,
            "SELECT COUNT(*) AS n FROM (SELECT company_id, identification_no \
             FROM customer_versions WHERE end_date IS NULL AND identification_no IS NOT NULL \
             GROUP BY company_id, identification_no HAVING COUNT(*) > 1) d"
        )
        .await,
        0,
        "identification numbers shared inside a company"
    );
    assert_eq!(
        count(
            db,
            &format!(
                "SELECT COUNT(*) AS n FROM (SELECT company_id, reference_no \
                 FROM customer_references GROUP BY company_id, reference_no \
                 HAVING COUNT(*) > 1 AND MAX(customer_id) >= {first}) d"
            )
        )
        .await,
        0,
        "synthetic reference numbers shared inside a company"
    );
    // Every coded value exists, and the region is the city's.
    for (table, column, reference) in CODED {
        let sql = format!(
            "SELECT COUNT(*) AS n FROM {table} t WHERE t.{column} IS NOT NULL \
             AND NOT EXISTS (SELECT 1 FROM {reference} r WHERE r.id = t.{column})"
        );
        assert_eq!(
            count(db, &sql).await,
            0,
            "{table}.{column} outside {reference}"
        );
    }
    assert_eq!(
        count(
            db,
            "SELECT COUNT(*) AS n FROM customer_versions v JOIN cities c ON c.id = v.city_id \
             WHERE v.region_id IS NULL OR c.region_id <> v.region_id"
        )
        .await,
        0,
        "regions of cities"
    );
}

/// 300 customers added to the demo data follow every rule of the data set, with ids after
/// the demo's, and the summary counts what was added.
pub async fn synthetic_customers_follow_the_rules(backend: TestBackend) {
    let db = TestDatabase::with_demo_data(backend).await;
    let pool = db.connect();
    let summary = seed(&pool, 300, 42).await;
    assert_eq!(summary.customers, 300);
    let (first, last) = summary.customer_ids.expect("customers were added");
    assert_eq!(
        (first, last),
        (70_005, 70_304),
        "ids continue after the demo's"
    );
    assert!(!summary.indexes_rebuilt, "a small load keeps the indexes");
    assert_eq!(
        count(&pool, "SELECT COUNT(*) AS n FROM customers").await,
        315
    );
    let added = |table: &str, key: &str, after: i64| {
        format!("SELECT COUNT(*) AS n FROM {table} WHERE {key} > {after}")
    };
    assert_eq!(
        count(&pool, &added("customer_versions", "version_id", 200_019)).await,
        i64::try_from(summary.versions).expect("a count"),
        "versions numbered after the demo's"
    );
    assert_eq!(
        count(&pool, &added("customer_contacts", "contact_id", 15)).await,
        i64::try_from(summary.contacts).expect("a count")
    );
    assert_eq!(
        count(&pool, &added("customer_references", "reference_id", 21)).await,
        i64::try_from(summary.references).expect("a count")
    );
    assert!(summary.versions > 300 && summary.contacts > 100 && summary.references > 100);
    assert_eq!(
        count(
            &pool,
            "SELECT COUNT(*) AS n FROM companies WHERE company_id BETWEEN 1 AND 5"
        )
        .await,
        5,
        "the companies of the group"
    );
    check_rules(&pool, first, 300).await;
    // The demo data is untouched: the example customer is still found as it was.
    let store = store(&db);
    assert_eq!(
        find_ids(&store, CompanyId::new(1), &by_id(54218)).await,
        [54218]
    );
    assert_eq!(
        find_ids(&store, CompanyId::new(1), &by_reference("POL-2025-000123")).await,
        [54219, 54220]
    );
}

#[derive(QueryableByName)]
struct RowText {
    #[diesel(sql_type = Text)]
    row: String,
}

/// The columns of each customer table, in key order.
const TABLES: &[(&str, &str, &[&str])] = &[
    ("customers", "customer_id", &["customer_id", "company_id"]),
    (
        "customer_versions",
        "version_id",
        &[
            "version_id",
            "customer_id",
            "customer_version_id",
            "company_id",
            "first_name",
            "middle_name",
            "last_name",
            "company_name",
            "contact_name",
            "nationality_id",
            "gender_id",
            "customer_type_id",
            "company_type_id",
            "industry_type_id",
            "date_of_birth",
            "occupation",
            "preferred_contact_type_id",
            "email_address",
            "phone_code_id",
            "mobile_number",
            "additional_phone_code_id",
            "additional_mobile_number",
            "identification_type_id",
            "identification_no",
            "country_id",
            "region_id",
            "city_id",
            "zip_code",
            "address1",
            "address2",
            "monthly_income_id",
            "created_date",
            "is_active",
            "preferred_language_id",
            "national_address",
            "commercial_record",
            "plot_identification",
            "building_no",
            "unit_no",
            "vat_reg_no",
            "start_date",
            "end_date",
            "city_sub_division_name",
            "postal_code",
            "user_active",
        ],
    ),
    (
        "customer_contacts",
        "contact_id",
        &[
            "contact_id",
            "customer_id",
            "contact_number",
            "relation_type_id",
            "contact_name",
            "contact_phone_code_id",
            "primary_contact",
            "contact_start_date",
            "contact_end_date",
            "is_active",
            "contact_is_enable",
            "profession",
            "remarks",
        ],
    ),
    (
        "customer_references",
        "reference_id",
        &["reference_id", "company_id", "customer_id", "reference_no"],
    ),
];

/// A digest of every row of the customer tables, and how many rows it covers.
async fn digest(db: &Database) -> (u64, usize) {
    let mut hasher = DefaultHasher::new();
    let mut rows = 0;
    for (table, key, columns) in TABLES {
        let row = columns
            .iter()
            .map(|c| format!("COALESCE(CAST({c} AS TEXT), '~')"))
            .collect::<Vec<_>>()
            .join(" || '|' || ");
        let sql = format!("SELECT {row} AS row FROM {table} ORDER BY {key}");
        let found: Vec<RowText> = select(db, &sql).await;
        rows += found.len();
        table.hash(&mut hasher);
        for row in found {
            row.row.hash(&mut hasher);
        }
    }
    (hasher.finish(), rows)
}

/// The same seed on two fresh databases writes the same rows; another seed other rows.
pub async fn the_same_seed_gives_the_same_data(backend: TestBackend) {
    let mut digests = Vec::new();
    for seed_value in [42, 42, 7] {
        let db = TestDatabase::new(backend).await;
        let pool = db.connect();
        seed(&pool, 200, seed_value).await;
        digests.push(digest(&pool).await);
    }
    assert!(digests[0].1 > 400, "rows compared: {}", digests[0].1);
    assert_eq!(digests[0], digests[1], "seed 42 twice");
    assert_ne!(digests[0].0, digests[2].0, "seeds 42 and 7");
}

/// Every synthetic customer sampled is found through the adapter by each of its
/// identifiers, alone and all four together, with its current version and its contacts.
pub async fn synthetic_customers_are_found_by_each_identifier(backend: TestBackend) {
    let db = TestDatabase::with_demo_data(backend).await;
    let pool = db.connect();
    let summary = seed(&pool, 300, 42).await;
    let (first, _) = summary.customer_ids.expect("customers were added");
    let store = store(&db);
    let versions = versions_from(&pool, first).await;
    let contacts = per_customer(&pool, "customer_contacts", first).await;
    let mut references: HashMap<i64, Vec<String>> = HashMap::new();
    for reference in references_from(&pool, first).await {
        references
            .entry(reference.customer_id)
            .or_default()
            .push(reference.reference_no);
    }
    let mut checked = 0;
    let mut with_reference = 0;
    for (customer, history) in versions.iter().step_by(7) {
        let current = &history[history.len() - 1];
        let company = CompanyId::new(current.company_id);
        let number = current.identification_no.as_deref().expect("an id number");
        let mobile = current.mobile_number.as_deref().expect("a mobile number");
        let found = find_one(&store, company, &by_id(*customer)).await;
        assert_eq!(found.customer_version_id, current.customer_version_id);
        assert_eq!(found.first_name, current.first_name);
        assert_eq!(found.company_name, current.company_name);
        assert_eq!(
            i64::try_from(contact_ids(&found).len()).expect("a count"),
            contacts.get(customer).copied().unwrap_or(0),
            "customer {customer}: its contacts"
        );
        assert_eq!(
            find_ids(&store, company, &by_identification(number)).await,
            [*customer],
            "identification numbers are unique in a company"
        );
        assert!(
            find_ids(&store, company, &by_mobile(mobile))
                .await
                .contains(customer),
            "customer {customer} by mobile {mobile}"
        );
        let own = references.get(customer).cloned().unwrap_or_default();
        for reference in &own {
            assert_eq!(
                find_ids(&store, company, &by_reference(reference)).await,
                [*customer]
            );
        }
        if let [reference, ..] = own.as_slice() {
            with_reference += 1;
            let all_four = criteria(Some(*customer), Some(number), Some(mobile), Some(reference));
            assert_eq!(find_ids(&store, company, &all_four).await, [*customer]);
        } else {
            let three = criteria(Some(*customer), Some(number), Some(mobile), None);
            assert_eq!(find_ids(&store, company, &three).await, [*customer]);
        }
        // Never in another company of the group.
        let other = CompanyId::new(current.company_id % 5 + 1);
        assert!(find_ids(&store, other, &by_id(*customer)).await.is_empty());
        checked += 1;
    }
    assert!(
        checked >= 40 && with_reference >= 10,
        "{checked} customers, {with_reference} with references"
    );
}

/// Seeding again adds as many customers again, after the first ones, with identification
/// numbers still unique per company: the same seed does not repeat the first run.
pub async fn seeding_again_adds_more_customers(backend: TestBackend) {
    let db = TestDatabase::with_demo_data(backend).await;
    let pool = db.connect();
    let first_run = seed(&pool, 150, 42).await;
    let second_run = seed(&pool, 150, 42).await;
    let (first, last) = first_run.customer_ids.expect("customers were added");
    assert_eq!(second_run.customer_ids, Some((last + 1, last + 150)));
    assert_eq!(
        count(&pool, "SELECT COUNT(*) AS n FROM customers").await,
        DEMO_CUSTOMERS + 300
    );
    check_rules(&pool, first, 300).await;
    let names = |from: i64, to: i64, versions: &BTreeMap<i64, Vec<Version>>| -> HashSet<String> {
        versions
            .range(from..=to)
            .map(|(_, history)| {
                format!("{:?}{:?}", history[0].first_name, history[0].mobile_number)
            })
            .collect()
    };
    let versions = versions_from(&pool, first).await;
    let earlier = names(first, last, &versions);
    let later = names(last + 1, last + 150, &versions);
    assert!(
        earlier.intersection(&later).count() < 30,
        "the second run repeats the first"
    );
}

/// A large load (forced here) drops and creates again the secondary indexes (and, on
/// PostgreSQL, the foreign keys), leaving the schema exactly as it was.
pub async fn a_large_load_leaves_the_schema_as_it_was(backend: TestBackend) {
    let db = TestDatabase::with_demo_data(backend).await;
    let pool = db.connect();
    let before = schema_objects(&pool).await;
    assert!(before.len() > 20, "{before:?}");
    let options = SyntheticOptions {
        rebuild_indexes: Some(true),
        ..SyntheticOptions::new(120)
    };
    let summary = seed_synthetic(&pool, &options, &|_| {})
        .await
        .expect("the seed succeeds");
    assert!(summary.indexes_rebuilt);
    assert_eq!(schema_objects(&pool).await, before);
    let (first, _) = summary.customer_ids.expect("customers were added");
    check_rules(&pool, first, 120).await;
    let store = store(&db);
    assert_eq!(
        find_ids(&store, CompanyId::new(1), &by_id(54218)).await,
        [54218]
    );
}

#[derive(QueryableByName)]
struct SchemaObject {
    #[diesel(sql_type = Text)]
    definition: String,
}

/// The indexes and foreign keys of the database, as its catalogue describes them.
async fn schema_objects(db: &Database) -> Vec<String> {
    let sql = match db {
        Database::Postgres(_) => {
            "SELECT indexdef AS definition FROM pg_indexes WHERE schemaname = current_schema() \
             UNION ALL \
             SELECT conrelid::regclass::text || ' ' || conname || ' ' || \
                    pg_get_constraintdef(oid) AS definition \
             FROM pg_constraint WHERE contype = 'f' \
             ORDER BY 1"
        }
        Database::Sqlite(_) => {
            "SELECT type || ' ' || name || ' ' || COALESCE(sql, '') AS definition \
             FROM sqlite_master WHERE type = 'index' \
             UNION ALL \
             SELECT 'fk ' || m.name || ' ' || f.\"from\" || ' ' || f.\"table\" || ' ' || f.\"to\" \
             FROM sqlite_master m, pragma_foreign_key_list(m.name) f WHERE m.type = 'table' \
             ORDER BY 1"
        }
    };
    let rows: Vec<SchemaObject> = select(db, sql).await;
    rows.into_iter().map(|r| r.definition).collect()
}

/// Reference data without an id the generator uses is refused before anything is written.
pub async fn missing_reference_ids_are_refused(backend: TestBackend) {
    let db = TestDatabase::new(backend).await;
    let pool = db.connect();
    execute(&pool, "DELETE FROM relation_types WHERE id = 13").await;
    let error = seed_synthetic(&pool, &SyntheticOptions::new(50), &|_| {})
        .await
        .expect_err("the seed refuses");
    assert!(
        matches!(&error, InfraError::Inconsistent(message) if message.contains("relation_types [13]")),
        "{error}"
    );
    assert_eq!(count(&pool, "SELECT COUNT(*) AS n FROM customers").await, 0);
}

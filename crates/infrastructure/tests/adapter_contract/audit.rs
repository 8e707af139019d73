//! The audit trail: records appended in batches, found by customer, client or searched
//! value, pruned by age (on PostgreSQL, by dropping monthly partitions), and the key of
//! its keyed hashes.

use chrono::{DateTime, Datelike, Duration, Months, TimeZone, Utc};
use customer_domain::{
    AuditArchive, AuditLog, AuditQuery, AuditRecord, ClientName, CompanyCode, Criterion,
    CriterionDigest, CustomerId, Disclosure,
};
use customer_infrastructure::revert_all_migrations;
use customer_infrastructure::{
    Database, PoolSettings, SqlAuditTrail, audit_hmac_key, run_migrations,
};
use customer_testkit::{TestBackend, TestDatabase};
use diesel::QueryableByName;
use diesel::sql_types::{Integer, Nullable, Text};
use diesel_async::RunQueryDsl;

use crate::support::{count_rows as count, with_conn};

/// `y`-`m`-`d` at `hour`:00 UTC, with milliseconds (stored to the microsecond).
fn when(y: i32, m: u32, d: u32, hour: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(y, m, d, hour, 0, 0)
        .single()
        .expect("a valid time")
        + Duration::milliseconds(125)
}

/// A stand-in for a keyed hash: 64 hex digits.
fn digest(tag: u8) -> String {
    format!("{tag:02x}").repeat(32)
}

fn searched(criterion: Criterion, tag: u8) -> CriterionDigest {
    CriterionDigest {
        criterion,
        digest: digest(tag),
    }
}

fn record(
    at: DateTime<Utc>,
    client: &str,
    company: &str,
    criteria: &[(Criterion, u8)],
    disclosed: &[(i64, i32)],
) -> AuditRecord {
    AuditRecord {
        at,
        request_id: format!("req-{}", at.timestamp_millis()),
        client: ClientName::parse(client).expect("a client name"),
        credential: format!("token:{client}-subject"),
        company: CompanyCode::parse(company).expect("a company code"),
        criteria: criteria
            .iter()
            .map(|(criterion, tag)| searched(*criterion, *tag))
            .collect(),
        disclosed: disclosed
            .iter()
            .map(|(id, version)| Disclosure {
                customer_id: CustomerId::new(*id).expect("a customer id"),
                customer_version_id: *version,
                write: None,
            })
            .collect(),
    }
}

async fn find(
    trail: &SqlAuditTrail,
    query: AuditQuery,
    since: Option<DateTime<Utc>>,
) -> Vec<AuditRecord> {
    trail.find(&query, since).await.expect("find answers")
}

fn by_customer(id: i64) -> AuditQuery {
    AuditQuery::Customer(CustomerId::new(id).expect("a customer id"))
}

fn by_client(name: &str) -> AuditQuery {
    AuditQuery::Client(ClientName::parse(name).expect("a client name"))
}

#[derive(QueryableByName)]
struct Name {
    #[diesel(sql_type = Text)]
    name: String,
}

/// The partitions of the audit table (PostgreSQL), by name.
async fn partitions(db: &Database) -> Vec<String> {
    let names: Vec<Name> = with_conn!(db, |conn| diesel::sql_query(
        "SELECT c.relname::text AS name FROM pg_inherits i \
         JOIN pg_class c ON c.oid = i.inhrelid \
         WHERE i.inhparent = 'audit_disclosures'::regclass ORDER BY 1"
    )
    .load(conn)
    .await
    .expect("the partitions are listed"));
    names.into_iter().map(|n| n.name).collect()
}

/// Records appended in one batch, in no particular order, are found oldest first by the
/// customers they disclosed, by client and by searched value (each digest in its own
/// criterion only), with and without a lower time bound (inclusive), exactly as they
/// were appended.
pub async fn audit_records_are_found_by_customer_client_and_digest(backend: TestBackend) {
    use Criterion::{CustomerId, IdentificationNo, MobileNumber, ReferenceNo};
    let db = TestDatabase::new(backend).await;
    let trail = SqlAuditTrail::new(db.connect());
    let r1 = record(
        when(2025, 5, 3, 10),
        "crm",
        "jtc",
        &[(CustomerId, 1)],
        &[(54218, 3)],
    );
    let r2 = record(
        when(2025, 5, 1, 9),
        "portal",
        "jtc",
        &[(MobileNumber, 2)],
        &[(54218, 3), (54219, 1)],
    );
    let r3 = record(
        when(2025, 5, 2, 12),
        "crm",
        "jfc",
        &[(IdentificationNo, 3), (MobileNumber, 2)],
        &[],
    );
    let r4 = record(
        when(2025, 5, 4, 8),
        "crm",
        "jtc",
        &[(ReferenceNo, 4)],
        &[(5421, 1)],
    );
    let r5 = record(
        when(2025, 5, 5, 8),
        "portal",
        "jtc",
        &[(MobileNumber, 2), (ReferenceNo, 4)],
        &[(54219, 2)],
    );
    trail
        .append(&[r1.clone(), r2.clone(), r3.clone(), r4.clone(), r5.clone()])
        .await
        .expect("the batch is appended");
    trail.append(&[]).await.expect("an empty batch is nothing");

    assert_eq!(
        find(&trail, by_customer(54218), None).await,
        [r2.clone(), r1.clone()]
    );
    assert_eq!(
        find(&trail, by_customer(54218), Some(when(2025, 5, 2, 0))).await,
        std::slice::from_ref(&r1)
    );
    assert_eq!(
        find(&trail, by_customer(5421), None).await,
        std::slice::from_ref(&r4)
    );
    assert_eq!(
        find(&trail, by_customer(54219), None).await,
        [r2.clone(), r5.clone()]
    );
    assert_eq!(find(&trail, by_customer(1), None).await, []);

    assert_eq!(
        find(&trail, by_client("crm"), None).await,
        [r3.clone(), r1.clone(), r4.clone()]
    );
    assert_eq!(
        find(&trail, by_client("crm"), Some(r1.at)).await,
        [r1.clone(), r4.clone()]
    );
    assert_eq!(find(&trail, by_client("nobody"), None).await, []);

    let by = |criterion, tag| AuditQuery::Searched(searched(criterion, tag));
    assert_eq!(
        find(&trail, by(MobileNumber, 2), None).await,
        [r2.clone(), r3.clone(), r5.clone()]
    );
    assert_eq!(
        find(&trail, by(MobileNumber, 2), Some(r3.at)).await,
        [r3.clone(), r5.clone()]
    );
    assert_eq!(
        find(&trail, by(IdentificationNo, 3), None).await,
        std::slice::from_ref(&r3)
    );
    assert_eq!(
        find(&trail, by(CustomerId, 1), None).await,
        std::slice::from_ref(&r1)
    );
    assert_eq!(
        find(&trail, by(ReferenceNo, 4), None).await,
        [r4.clone(), r5.clone()]
    );
    assert_eq!(find(&trail, by(MobileNumber, 1), None).await, []);
    assert_eq!(find(&trail, by(IdentificationNo, 2), None).await, []);
}

#[derive(QueryableByName, Debug, PartialEq, Eq)]
struct StoredRow {
    #[diesel(sql_type = Text)]
    client_name: String,
    #[diesel(sql_type = Text)]
    credential: String,
    #[diesel(sql_type = Text)]
    company_code: String,
    #[diesel(sql_type = Text)]
    criteria: String,
    #[diesel(sql_type = Nullable<Text>)]
    customer_id_hmac: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    identification_no_hmac: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    mobile_number_hmac: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    reference_no_hmac: Option<String>,
    #[diesel(sql_type = Integer)]
    customers_returned: i32,
    #[diesel(sql_type = Text)]
    disclosed: String,
}

/// A row holds the criteria's digests exactly as given, each in its criterion's column,
/// the criteria named in contract order, and the disclosures as compact JSON: nothing of
/// the values searched in clear.
pub async fn digests_are_stored_as_given_never_in_clear(backend: TestBackend) {
    use Criterion::{IdentificationNo, MobileNumber};
    let db = TestDatabase::new(backend).await;
    let pool = db.connect();
    let trail = SqlAuditTrail::new(pool.clone());
    // Given out of contract order.
    let lookup = record(
        when(2025, 5, 1, 9),
        "crm",
        "jtc",
        &[(MobileNumber, 0xab), (IdentificationNo, 0xcd)],
        &[(54218, 3), (54220, 1)],
    );
    trail
        .append(std::slice::from_ref(&lookup))
        .await
        .expect("appended");
    let rows: Vec<StoredRow> = with_conn!(&pool, |conn| diesel::sql_query(
        "SELECT client_name, credential, company_code, criteria, customer_id_hmac, \
         identification_no_hmac, mobile_number_hmac, reference_no_hmac, customers_returned, \
         disclosed FROM audit_disclosures"
    )
    .load(conn)
    .await
    .expect("the row is read"));
    assert_eq!(
        rows,
        [StoredRow {
            client_name: "crm".into(),
            credential: "token:crm-subject".into(),
            company_code: "jtc".into(),
            criteria: "identificationNo,mobileNumber".into(),
            customer_id_hmac: None,
            identification_no_hmac: Some(digest(0xcd)),
            mobile_number_hmac: Some(digest(0xab)),
            reference_no_hmac: None,
            customers_returned: 2,
            disclosed: r#"[{"customerId":54218,"customerVersionId":3},{"customerId":54220,"customerVersionId":1}]"#
                .into(),
        }]
    );
    let mut found = find(&trail, by_client("crm"), None).await;
    assert_eq!(found.len(), 1);
    let found = found.remove(0);
    assert_eq!(
        found.criteria,
        [
            searched(IdentificationNo, 0xcd),
            searched(MobileNumber, 0xab)
        ],
        "read back in contract order"
    );
}

/// A batch larger than one statement may carry (SQLite's bind limit) is stored whole.
pub async fn large_batches_are_stored_whole(backend: TestBackend) {
    let db = TestDatabase::new(backend).await;
    let trail = SqlAuditTrail::new(db.connect());
    let start = when(2025, 5, 1, 0);
    let batch: Vec<AuditRecord> = (0..2_600)
        .map(|i| {
            record(
                start + Duration::seconds(i),
                "bulk",
                "jtc",
                &[(Criterion::MobileNumber, 7)],
                &[(54218, 1)],
            )
        })
        .collect();
    trail.append(&batch).await.expect("the batch is appended");
    assert_eq!(count(&db.connect(), "audit_disclosures").await, 2_600);
    assert_eq!(find(&trail, by_client("bulk"), None).await, batch);
}

/// Pruning removes the records made before the given time and keeps the others,
/// returning how many it removed; on PostgreSQL whole monthly partitions that end by
/// then are dropped (their rows counted), and older rows deleted from the others.
pub async fn prune_removes_older_records_and_keeps_newer(backend: TestBackend) {
    let db = TestDatabase::new(backend).await;
    let pool = db.connect();
    let trail = SqlAuditTrail::new(pool.clone());
    let made = trail
        .ensure_partitions(when(2025, 1, 15, 0))
        .await
        .expect("partitions are made");
    let postgres = backend == TestBackend::Postgres;
    if postgres {
        assert_eq!(
            made,
            ["audit_disclosures_y2025m01", "audit_disclosures_y2025m02"]
        );
    } else {
        assert!(made.is_empty());
    }
    let at = [
        when(2025, 1, 10, 8),
        when(2025, 1, 20, 8),
        when(2025, 2, 5, 8),
        when(2025, 2, 20, 8),
        when(2025, 3, 15, 8),
        when(2025, 4, 1, 8),
    ];
    let records: Vec<AuditRecord> = at
        .iter()
        .map(|at| record(*at, "crm", "jtc", &[(Criterion::CustomerId, 1)], &[]))
        .collect();
    trail.append(&records).await.expect("appended");
    if postgres {
        assert_eq!(count(&pool, "audit_disclosures_y2025m01").await, 2);
        assert_eq!(count(&pool, "audit_disclosures_y2025m02").await, 2);
    }

    let pruned = trail
        .prune(when(2025, 2, 15, 0))
        .await
        .expect("prune answers");
    assert_eq!(pruned, 3);
    assert_eq!(find(&trail, by_client("crm"), None).await, records[3..]);
    if postgres {
        let left = partitions(&pool).await;
        assert!(
            !left.contains(&"audit_disclosures_y2025m01".to_owned()),
            "January's partition is dropped: {left:?}"
        );
        assert!(
            left.contains(&"audit_disclosures_y2025m02".to_owned()),
            "{left:?}"
        );
        assert!(
            left.contains(&"audit_disclosures_default".to_owned()),
            "{left:?}"
        );
    }
    assert_eq!(
        trail
            .prune(when(2025, 2, 15, 0))
            .await
            .expect("prune answers"),
        0
    );

    // February's partition ends on March 1st: dropped, with its row, and March's row
    // (in the DEFAULT partition) deleted.
    assert_eq!(
        trail
            .prune(when(2025, 3, 20, 0))
            .await
            .expect("prune answers"),
        2
    );
    assert_eq!(find(&trail, by_client("crm"), None).await, records[5..]);
    if postgres {
        let left = partitions(&pool).await;
        assert!(
            !left.contains(&"audit_disclosures_y2025m02".to_owned()),
            "{left:?}"
        );
    }
}

/// A month's partition made after rows of that month went to the DEFAULT partition takes
/// those rows (PostgreSQL); making partitions again makes nothing. The records are found
/// as before, and new rows of the month go to its partition.
pub async fn partitions_made_late_take_their_rows_from_default(backend: TestBackend) {
    let db = TestDatabase::new(backend).await;
    let pool = db.connect();
    let trail = SqlAuditTrail::new(pool.clone());
    let records: Vec<AuditRecord> = [
        when(2025, 6, 10, 8),
        when(2025, 7, 5, 8),
        when(2025, 8, 1, 8),
    ]
    .iter()
    .map(|at| {
        record(
            *at,
            "crm",
            "jtc",
            &[(Criterion::MobileNumber, 2)],
            &[(54218, 1)],
        )
    })
    .collect();
    trail.append(&records).await.expect("appended");
    let postgres = backend == TestBackend::Postgres;
    if postgres {
        assert_eq!(count(&pool, "audit_disclosures_default").await, 3);
    }
    let made = trail
        .ensure_partitions(when(2025, 6, 20, 0))
        .await
        .expect("partitions are made");
    if postgres {
        assert_eq!(
            made,
            ["audit_disclosures_y2025m06", "audit_disclosures_y2025m07"]
        );
        assert_eq!(count(&pool, "audit_disclosures_default").await, 1);
        assert_eq!(count(&pool, "audit_disclosures_y2025m06").await, 1);
        assert_eq!(count(&pool, "audit_disclosures_y2025m07").await, 1);
    } else {
        assert!(made.is_empty());
    }
    assert_eq!(
        trail
            .ensure_partitions(when(2025, 6, 20, 0))
            .await
            .expect("ensure answers"),
        Vec::<String>::new()
    );
    assert_eq!(find(&trail, by_client("crm"), None).await, records);

    let later = record(when(2025, 6, 11, 8), "crm", "jtc", &[], &[]);
    trail
        .append(std::slice::from_ref(&later))
        .await
        .expect("appended");
    if postgres {
        assert_eq!(count(&pool, "audit_disclosures_y2025m06").await, 2);
    }
    assert_eq!(find(&trail, by_client("crm"), None).await.len(), 4);
}

/// The key of the keyed hashes is the first caller's candidate, kept once and the same
/// ever after, even when asked for by several callers at once; another database keeps
/// another key.
pub async fn the_hmac_key_is_made_once(backend: TestBackend) {
    let db = TestDatabase::new(backend).await;
    let pool = db.connect();
    let candidates: Vec<[u8; 32]> = (1..=4).map(|byte| [byte; 32]).collect();
    let asked_at_once = futures_util::future::join_all(candidates.iter().map(|candidate| {
        let (pool, candidate) = (pool.clone(), *candidate);
        tokio::spawn(async move { audit_hmac_key(&pool, &candidate).await })
    }))
    .await;
    let keys: Vec<Vec<u8>> = asked_at_once
        .into_iter()
        .map(|key| key.expect("the task ends").expect("a key"))
        .collect();
    let key = keys[0].clone();
    assert_eq!(key.len(), 32);
    assert!(keys.iter().all(|k| *k == key), "{keys:?}");
    assert!(candidates.iter().any(|candidate| candidate[..] == key[..]));
    assert_eq!(audit_hmac_key(&pool, &[9; 32]).await.expect("the key"), key);
    assert_eq!(count(&pool, "audit_settings").await, 1);

    let other = TestDatabase::new(backend).await;
    assert_eq!(
        audit_hmac_key(&other.connect(), &[9; 32])
            .await
            .expect("a key"),
        [9; 32]
    );
}

/// PostgreSQL: a freshly migrated database has the DEFAULT partition and the partitions
/// of this month and the next.
pub async fn audit_partitions_exist_for_this_month_and_next(backend: TestBackend) {
    assert_eq!(backend, TestBackend::Postgres);
    let db = TestDatabase::new(backend).await;
    // Migrated again now: the template the test database is cloned from may be older.
    revert_all_migrations(db.url())
        .await
        .expect("the migrations revert");
    let before = Utc::now();
    run_migrations(db.url()).await.expect("the migrations run");
    let after = Utc::now();
    if before.month() != after.month() {
        eprintln!("the month changed while migrating: not checked");
        return;
    }
    let name = |at: DateTime<Utc>| format!("audit_disclosures_y{:04}m{:02}", at.year(), at.month());
    let mut expected = vec![
        "audit_disclosures_default".to_owned(),
        name(after),
        name(after + Months::new(1)),
    ];
    expected.sort();
    assert_eq!(partitions(&db.connect()).await, expected);
}

/// PostgreSQL: batches of any size are stored by one statement that the connection keeps
/// prepared (parsed and planned once), not by a new statement per batch size.
pub async fn batches_of_any_size_reuse_one_prepared_statement(backend: TestBackend) {
    assert_eq!(backend, TestBackend::Postgres);
    let db = TestDatabase::new(backend).await;
    // One connection: the one whose prepared statements are listed below.
    let pool = Database::connect(
        db.url(),
        &PoolSettings {
            max_size: 1,
            ..PoolSettings::default()
        },
    )
    .expect("a pool");
    let trail = SqlAuditTrail::new(pool.clone());
    let start = when(2025, 5, 1, 0);
    let mut appended = Vec::new();
    for size in [1, 3, 5] {
        let first = appended.len();
        let batch: Vec<AuditRecord> = (first..first + size)
            .map(|i| {
                record(
                    start + Duration::seconds(i64::try_from(i).expect("small")),
                    "sizes",
                    "jtc",
                    &[(Criterion::MobileNumber, 7)],
                    &[(54218, 1)],
                )
            })
            .collect();
        trail.append(&batch).await.expect("the batch is appended");
        appended.extend(batch);
    }
    let prepared = count(
        &pool,
        "pg_prepared_statements WHERE statement LIKE 'INSERT INTO audit_disclosures%'",
    )
    .await;
    assert_eq!(prepared, 1, "one prepared INSERT for batches of 1, 3 and 5");
    assert_eq!(find(&trail, by_client("sizes"), None).await, appended);
}

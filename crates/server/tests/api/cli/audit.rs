//! `customer-api audit ...`: who was shown what, found through the keyed hashes, and
//! pruning.

use super::{
    AuditLog, AuditRecord, ClientName, CompanyCode, CriteriaHasher, Criterion, CustomerId,
    Disclosure, Settings, SqlAuditTrail, TestBackend, TestDatabase, TimeDelta, Utc, Value,
    criteria_hasher, run,
};

/// Values searched in the records below, in clear: only their digests are stored.
const MOBILE: &str = "568617084";
const ID_NUMBER: &str = "2103232123";
const REFERENCE: &str = "333215";

fn lookup(
    hasher: &CriteriaHasher,
    ago: TimeDelta,
    request: &str,
    client: &str,
    company: &str,
    criteria: &[(Criterion, &str)],
    disclosed: &[(i64, i32)],
) -> AuditRecord {
    AuditRecord {
        at: Utc::now() - ago,
        request_id: request.to_owned(),
        client: ClientName::parse(client).expect("a name"),
        credential: format!("token:{client}"),
        company: CompanyCode::parse(company).expect("a code"),
        criteria: criteria
            .iter()
            .map(|&(criterion, value)| hasher.digest(criterion, value))
            .collect(),
        disclosed: disclosed
            .iter()
            .map(|&(id, version)| Disclosure {
                customer_id: CustomerId::new(id).expect("an id"),
                customer_version_id: version,
                write: None,
            })
            .collect(),
    }
}

/// Records of five lookups, hashed with `hasher`: one 500 days old.
fn lookups(hasher: &CriteriaHasher) -> Vec<AuditRecord> {
    let day = TimeDelta::days(1);
    vec![
        lookup(
            hasher,
            day * 500,
            "req-archive",
            "archive",
            "jtc",
            &[(Criterion::CustomerId, "54218")],
            &[(54218, 1)],
        ),
        lookup(
            hasher,
            day * 3,
            "req-1",
            "call-centre",
            "jtc",
            &[
                (Criterion::CustomerId, "54218"),
                (Criterion::IdentificationNo, ID_NUMBER),
                (Criterion::MobileNumber, MOBILE),
            ],
            &[(54218, 3)],
        ),
        lookup(
            hasher,
            day * 2,
            "req-2",
            "portal",
            "jtc",
            &[(Criterion::IdentificationNo, ID_NUMBER)],
            &[(54218, 3), (54219, 1)],
        ),
        lookup(
            hasher,
            day,
            "req-3",
            "portal",
            "jfc",
            &[(Criterion::ReferenceNo, REFERENCE)],
            &[],
        ),
        lookup(
            hasher,
            TimeDelta::hours(1),
            "req-4",
            "call-centre",
            "jtc",
            &[(Criterion::MobileNumber, MOBILE)],
            &[(54218, 3)],
        ),
    ]
}

async fn append(database: &TestDatabase, records: &[AuditRecord]) {
    SqlAuditTrail::new(database.connect())
        .append(records)
        .await
        .expect("the records are stored");
}

fn request_ids(records: &Value) -> Vec<&str> {
    records
        .as_array()
        .expect("a JSON array")
        .iter()
        .map(|record| record["requestId"].as_str().expect("a request id"))
        .collect()
}

/// A database with the demo data and the records of [`lookups`], hashed with the key
/// stored in the database, as the service would.
async fn database_with_lookups(backend: TestBackend) -> TestDatabase {
    let database = TestDatabase::with_demo_data(backend).await;
    let settings = Settings::defaults().expect("the built-in settings");
    let hasher = criteria_hasher(&settings.audit, &database.connect())
        .await
        .expect("the key stored in the database");
    append(&database, &lookups(&hasher)).await;
    database
}

/// Fails if any output holds a value searched by the lookups, in clear.
fn assert_no_value_searched_in(outputs: &[String]) {
    for output in outputs {
        for value in [MOBILE, ID_NUMBER, REFERENCE] {
            assert!(!output.contains(value), "{value} in clear: {output}");
        }
    }
}

/// `audit customer` leads with how often and to how many clients the customer was shown,
/// then one line per lookup; `audit client` lists a client's lookups. Oldest first; no
/// output holds a value searched.
pub(super) async fn audit_customer_and_client_list_lookups_oldest_first(backend: TestBackend) {
    let database = database_with_lookups(backend).await;
    let mut outputs = Vec::new();

    let customer = run(&database, &["audit", "customer", "54218"], &[]).await;
    let text = customer.ok();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(
        lines[0], "customer 54218 was shown 4 times to 3 clients",
        "{text}"
    );
    assert_eq!(lines.len(), 5, "{text}");
    assert!(
        lines[2].contains("client=call-centre")
            && lines[2].contains("credential=token:call-centre")
            && lines[2].contains("company=jtc")
            && lines[2].contains("criteria=customerId,identificationNo,mobileNumber")
            && lines[2].contains("customers=1")
            && lines[2].contains("disclosed=54218:3")
            && lines[2].ends_with("request=req-1"),
        "{text}"
    );
    assert!(lines[3].contains("disclosed=54218:3,54219:1"), "{text}");
    outputs.push(customer.all_output());

    let since = (Utc::now() - TimeDelta::days(10))
        .format("%Y-%m-%d")
        .to_string();
    let recent = run(
        &database,
        &["audit", "customer", "54218", "--since", &since, "--json"],
        &[],
    )
    .await;
    assert_eq!(
        request_ids(&recent.json()),
        ["req-1", "req-2", "req-4"],
        "oldest first, since the date"
    );
    let record = &recent.json()[1];
    assert_eq!(record["client"], "portal");
    assert_eq!(record["criteria"], serde_json::json!(["identificationNo"]));
    assert_eq!(record["customersReturned"], 2);
    assert_eq!(
        record["disclosed"][1],
        serde_json::json!({"customerId": 54219, "customerVersionId": 1})
    );
    outputs.push(recent.all_output());

    let client = run(&database, &["audit", "client", "portal", "--json"], &[]).await;
    assert_eq!(request_ids(&client.json()), ["req-2", "req-3"]);
    outputs.push(client.all_output());
    let client = run(&database, &["audit", "client", "portal"], &[]).await;
    assert!(
        client
            .ok()
            .starts_with("client portal made 2 lookups, 1 of which showed customers\n"),
        "{client:?}"
    );
    outputs.push(client.all_output());
    assert_no_value_searched_in(&outputs);

    let invalid = run(&database, &["audit", "customer", "x"], &[]).await;
    assert!(invalid.failure().contains("customer id"), "{invalid:?}");
}

/// `audit searched` finds the lookups that searched for a value through its keyed hash,
/// the value read as the lookup reads it; it shows no value searched, neither the one
/// asked about nor those of the other criteria of the same lookups.
pub(super) async fn audit_searched_finds_a_value_as_the_lookup_reads_it(backend: TestBackend) {
    let database = database_with_lookups(backend).await;
    let mut outputs = Vec::new();
    // Written as people write it: spaces, and Arabic-Indic digits.
    for mobile in ["56 861 7084", "٥٦٨٦١٧٠٨٤"] {
        let searched = run(&database, &["audit", "searched", "--mobile", mobile], &[]).await;
        let text = searched.ok();
        assert!(
            text.starts_with("2 lookups by 1 client searched for this mobileNumber\n"),
            "{text}"
        );
        assert!(
            text.contains("request=req-1") && text.contains("request=req-4"),
            "{text}"
        );
        outputs.push(searched.all_output());
    }
    for (flag, value, expected) in [
        ("--mobile", MOBILE, vec!["req-1", "req-4"]),
        ("--id-number", ID_NUMBER, vec!["req-1", "req-2"]),
        ("--reference", REFERENCE, vec!["req-3"]),
        ("--customer-id", "54218", vec!["req-archive", "req-1"]),
        ("--mobile", "568617085", vec![]),
    ] {
        let searched = run(
            &database,
            &["audit", "searched", flag, value, "--json"],
            &[],
        )
        .await;
        assert_eq!(request_ids(&searched.json()), expected, "{flag} {value}");
        outputs.push(searched.all_output());
    }
    assert_no_value_searched_in(&outputs);

    let invalid = run(
        &database,
        &["audit", "searched", "--mobile", "call me"],
        &[],
    )
    .await;
    assert!(invalid.failure().contains("mobileNumber"), "{invalid:?}");
    let usage = run(&database, &["audit", "searched"], &[]).await;
    assert_eq!(usage.code, 2, "one value is required: {usage:?}");
    let usage = run(
        &database,
        &[
            "audit",
            "searched",
            "--mobile",
            MOBILE,
            "--reference",
            REFERENCE,
        ],
        &[],
    )
    .await;
    assert_eq!(usage.code, 2, "one value only: {usage:?}");
}

/// With `audit.hmac_key` set, digests are keyed with it: records hashed with it are found
/// when the command is given the same setting, and not without it.
pub(super) async fn audit_searched_values_use_the_configured_key(backend: TestBackend) {
    let database = TestDatabase::with_demo_data(backend).await;
    let mut settings = Settings::defaults().expect("the built-in settings");
    "a configured key".clone_into(&mut settings.audit.hmac_key);
    let hasher = criteria_hasher(&settings.audit, &database.connect())
        .await
        .expect("the configured key");
    append(&database, &lookups(&hasher)).await;
    let args = ["audit", "searched", "--mobile", MOBILE, "--json"];
    let configured = run(
        &database,
        &args,
        &[("APP__AUDIT__HMAC_KEY", "a configured key")],
    )
    .await;
    assert_eq!(request_ids(&configured.json()), ["req-1", "req-4"]);
    let stored_key = run(&database, &args, &[]).await;
    assert!(request_ids(&stored_key.json()).is_empty(), "{stored_key:?}");
}

pub(super) async fn audit_prune_removes_old_records_only(backend: TestBackend) {
    let database = database_with_lookups(backend).await;
    let pruned = run(&database, &["audit", "prune", "--older-than", "400d"], &[]).await;
    assert!(
        pruned
            .ok()
            .starts_with("Removed 1 audit record made before "),
        "{pruned:?}"
    );
    let left = run(&database, &["audit", "customer", "54218", "--json"], &[]).await;
    assert_eq!(request_ids(&left.json()), ["req-1", "req-2", "req-4"]);
    let again = run(&database, &["audit", "prune", "--older-than", "400d"], &[]).await;
    assert!(
        again.ok().starts_with("Removed 0 audit records"),
        "{again:?}"
    );
    let usage = run(&database, &["audit", "prune", "--older-than", "long"], &[]).await;
    assert_eq!(usage.code, 2, "{usage:?}");
}

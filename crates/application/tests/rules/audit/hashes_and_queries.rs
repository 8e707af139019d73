//! The keyed hashes of searched values, the queries of the trail and the choice of their
//! key.

use super::*;

// --- The keyed hashes of searched values ---

const MOBILE: &str = "568617084";
const IDENTIFICATION: &str = "2103232123";
const REFERENCE: &str = "333215";
const CUSTOMER: &str = "54218";

fn criteria(customer: &str, identification: &str, mobile: &str, reference: &str) -> SearchCriteria {
    SearchCriteria::new(
        Some(CustomerId::parse(customer).expect("valid")),
        Some(IdentificationNumber::parse(identification).expect("valid")),
        Some(MobileNumber::parse(mobile).expect("valid")),
        Some(ReferenceNumber::parse(reference).expect("valid")),
    )
    .expect("identifiers given")
}

#[test]
fn digests_never_hold_the_searched_values() {
    let hasher = CriteriaHasher::new(b"audit key of the tests");
    let digests = hasher.digests(&criteria(CUSTOMER, IDENTIFICATION, MOBILE, REFERENCE));
    assert_eq!(
        digests.iter().map(|d| d.criterion).collect::<Vec<_>>(),
        Criterion::ALL,
        "in the contract's order"
    );
    let shown = format!("{digests:?}");
    for value in [CUSTOMER, IDENTIFICATION, MOBILE, REFERENCE] {
        assert!(!shown.contains(value), "{value} shows in {shown}");
    }
    for digest in &digests {
        assert_eq!(digest.digest.len(), 64);
        assert!(
            digest
                .digest
                .bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
        );
    }
    let distinct: BTreeSet<&str> = digests.iter().map(|d| d.digest.as_str()).collect();
    assert_eq!(distinct.len(), 4);
    assert!(!format!("{hasher:?}").contains("audit key"));
}

#[test]
fn digests_are_of_the_normalized_values() {
    let hasher = CriteriaHasher::new(b"audit key of the tests");
    let plain = hasher.digests(&criteria(CUSTOMER, IDENTIFICATION, MOBILE, REFERENCE));
    let written_otherwise =
        hasher.digests(&criteria(" ٥٤٢١٨ ", "۲۱۰۳۲۳۲۱۲۳", "٥٦ ٨٦١-٧٠٨٤", "٣٣٣٢١٥"));
    assert_eq!(written_otherwise, plain);
    let spaced = hasher.digests(
        &SearchCriteria::new(
            None,
            None,
            Some(MobileNumber::parse("56 861 7084").expect("valid")),
            None,
        )
        .expect("one identifier"),
    );
    assert_eq!(spaced, [hasher.digest(Criterion::MobileNumber, MOBILE)]);
}

#[test]
fn digests_depend_on_the_key() {
    let criteria = criteria(CUSTOMER, IDENTIFICATION, MOBILE, REFERENCE);
    let one = CriteriaHasher::new(b"one key").digests(&criteria);
    let other = CriteriaHasher::new(b"another key").digests(&criteria);
    for (one, other) in one.iter().zip(&other) {
        assert_eq!(one.criterion, other.criterion);
        assert_ne!(one.digest, other.digest);
    }
}

// --- The queries ---

fn queries(trail: MockAuditArchive) -> AuditQueries {
    AuditQueries::new(Arc::new(trail), AuditKey::given(b"audit key of the tests"))
}

#[tokio::test]
async fn a_searched_value_is_looked_up_by_the_digest_of_its_normalized_form() {
    let expected =
        CriteriaHasher::new(b"audit key of the tests").digest(Criterion::MobileNumber, MOBILE);
    let since = Utc::now();
    let mut trail = MockAuditArchive::new();
    trail
        .expect_find()
        .withf(move |query, asked_since| {
            *query == AuditQuery::Searched(expected.clone()) && *asked_since == Some(since)
        })
        .times(1)
        .returning(|_, _| Ok(vec![record(1)]));
    let found = queries(trail)
        .searched(Criterion::MobileNumber, "٥٦ ٨٦١-٧٠٨٤", Some(since))
        .await
        .expect("answered");
    assert_eq!(found, [record(1)]);
}

#[tokio::test]
async fn queries_of_invalid_values_do_not_reach_the_trail() {
    let mut trail = MockAuditArchive::new();
    trail.expect_find().never();
    let queries = queries(trail);
    let outcome = queries.searched(Criterion::MobileNumber, "468", None).await;
    assert!(
        matches!(
            &outcome,
            Err(AuditQueryError::Invalid {
                what: "mobileNumber",
                ..
            })
        ),
        "{outcome:?}"
    );
    let outcome = queries.customer("0", None).await;
    assert!(
        matches!(
            &outcome,
            Err(AuditQueryError::Invalid {
                what: "customer id",
                ..
            })
        ),
        "{outcome:?}"
    );
    let outcome = queries.client("call centre", None).await;
    assert!(
        matches!(
            &outcome,
            Err(AuditQueryError::Invalid { what: "client", .. })
        ),
        "{outcome:?}"
    );
}

#[tokio::test]
async fn customer_and_client_queries_ask_the_trail_for_them() {
    let mut trail = MockAuditArchive::new();
    trail
        .expect_find()
        .withf(|query, since| {
            *query == AuditQuery::Customer(CustomerId::new(54218).expect("positive"))
                && since.is_none()
        })
        .times(1)
        .returning(|_, _| Ok(Vec::new()));
    trail
        .expect_find()
        .withf(|query, _| {
            *query == AuditQuery::Client(ClientName::parse("portal").expect("a valid name"))
        })
        .times(1)
        .returning(|_, _| Err(RepositoryError::new(FailureKind::Other, "syntax error")));
    let queries = queries(trail);
    assert!(
        queries
            .customer(" ٥٤٢١٨ ", None)
            .await
            .expect("answered")
            .is_empty()
    );
    let outcome = queries.client("portal", None).await;
    assert!(
        matches!(outcome, Err(AuditQueryError::Store(_))),
        "{outcome:?}"
    );
}

// --- The key ---

/// A key store that hands out `key` and counts how often it is asked.
fn key_store(key: &'static [u8], reads: &Arc<AtomicUsize>) -> MockAuditKeyStore {
    let reads = Arc::clone(reads);
    let mut store = MockAuditKeyStore::new();
    store.expect_hmac_key().returning(move |_| {
        reads.fetch_add(1, Ordering::SeqCst);
        Ok(key.to_vec())
    });
    store
}

/// The digest of [`MOBILE`] under `key`.
async fn digest_under(key: &AuditKey) -> String {
    key.hasher()
        .await
        .expect("a key")
        .digest(Criterion::MobileNumber, MOBILE)
        .digest
}

#[tokio::test]
async fn a_configured_key_is_chosen_over_the_stored_one_which_is_not_read() {
    let reads = Arc::new(AtomicUsize::new(0));
    let key = AuditKey::chosen(b"configured", Arc::new(key_store(b"stored", &reads)));
    assert_eq!(
        digest_under(&key).await,
        digest_under(&AuditKey::given(b"configured")).await
    );
    assert_eq!(reads.load(Ordering::SeqCst), 0);
}

#[tokio::test]
async fn without_a_configured_key_the_stored_one_is_read_once_for_every_clone() {
    let reads = Arc::new(AtomicUsize::new(0));
    let key = AuditKey::chosen(b"", Arc::new(key_store(b"stored", &reads)));
    assert_eq!(reads.load(Ordering::SeqCst), 0, "read at first use only");
    let clone = key.clone();
    assert_eq!(
        digest_under(&key).await,
        digest_under(&AuditKey::given(b"stored")).await
    );
    assert_eq!(digest_under(&clone).await, digest_under(&key).await);
    assert_eq!(reads.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn a_stored_key_that_cannot_be_read_is_asked_for_again() {
    let mut store = MockAuditKeyStore::new();
    let mut order = mockall::Sequence::new();
    store
        .expect_hmac_key()
        .times(1)
        .in_sequence(&mut order)
        .returning(|_| {
            Err(RepositoryError::new(
                FailureKind::Unreachable,
                "audit store down",
            ))
        });
    store
        .expect_hmac_key()
        .times(1)
        .in_sequence(&mut order)
        .returning(|_| Ok(b"stored".to_vec()));
    let key = AuditKey::stored(Arc::new(store));
    assert!(key.hasher().await.is_err());
    assert_eq!(
        digest_under(&key).await,
        digest_under(&AuditKey::given(b"stored")).await
    );
}

#[tokio::test]
async fn only_queries_by_value_read_the_stored_key() {
    let reads = Arc::new(AtomicUsize::new(0));
    let mut trail = MockAuditArchive::new();
    trail.expect_find().returning(|_, _| Ok(Vec::new()));
    let queries = AuditQueries::new(
        Arc::new(trail),
        AuditKey::stored(Arc::new(key_store(b"stored", &reads))),
    );
    queries.customer("54218", None).await.expect("answered");
    queries.client("portal", None).await.expect("answered");
    assert_eq!(reads.load(Ordering::SeqCst), 0);
    queries
        .searched(Criterion::MobileNumber, MOBILE, None)
        .await
        .expect("answered");
    assert_eq!(reads.load(Ordering::SeqCst), 1);
}

//! The client registry: callers, their companies and rate limits, and their API keys.

use std::sync::Arc;

use chrono::{DateTime, Duration, TimeZone, Utc};
use customer_domain::{
    ApiKeyHash, ApiKeyId, ClientAdministration, ClientName, ClientProfile, CompanyCode,
    CompanyScope, KeyLookup, KeySummary, NewApiKey, Permissions, RateLimit, RegistryError,
    RevokeTarget, StoredApiKey,
};
use customer_infrastructure::SqlClientRegistry;
use customer_testkit::{TestBackend, TestDatabase};

use crate::support::execute;

/// A fresh database with the companies `jtc` and `jfc`, and the registry over it.
pub(crate) async fn registry(backend: TestBackend) -> (TestDatabase, SqlClientRegistry) {
    let db = TestDatabase::new(backend).await;
    execute(
        &db.connect(),
        "INSERT INTO companies (company_id, code, name_ar, name_en) VALUES
             (1, 'jtc', 'جميل للتجارة', 'Jameel Trading'),
             (2, 'jfc', 'جميل للتمويل', 'Jameel Finance')",
    )
    .await;
    let registry = SqlClientRegistry::new(db.connect());
    (db, registry)
}

/// 2026-11-`day` at `hour`:00, with milliseconds (stored to the microsecond).
pub(crate) fn at(day: u32, hour: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, day, hour, 0, 0)
        .single()
        .expect("a valid time")
        + Duration::milliseconds(250)
}

pub(crate) fn key_id(n: u64) -> ApiKeyId {
    ApiKeyId::parse(&format!("{n:012x}")).expect("a key id")
}

pub(crate) fn key(
    n: u8,
    created_at: DateTime<Utc>,
    expires_at: Option<DateTime<Utc>>,
) -> NewApiKey {
    NewApiKey {
        id: key_id(u64::from(n)),
        hash: ApiKeyHash::from_bytes([n; 32]),
        created_at,
        expires_at,
    }
}

pub(crate) fn name(name: &str) -> ClientName {
    ClientName::parse(name).expect("a client name")
}

pub(crate) fn profile(client: &str, companies: &str, rate_limit: Option<&str>) -> ClientProfile {
    ClientProfile {
        name: name(client),
        permissions: Permissions::READ,
        companies: CompanyScope::parse(companies).expect("a company list"),
        rate_limit: rate_limit.map(|rate| RateLimit::parse(rate).expect("a rate limit")),
    }
}

pub(crate) async fn find(registry: &SqlClientRegistry, n: u64) -> Option<StoredApiKey> {
    registry
        .find_key(&key_id(n))
        .await
        .expect("find_key answers")
}

async fn keys_of(registry: &SqlClientRegistry, client: &str) -> Vec<KeySummary> {
    registry
        .list_clients()
        .await
        .expect("list_clients answers")
        .into_iter()
        .find(|listing| listing.profile.name.as_str() == client)
        .unwrap_or_else(|| panic!("{client} is listed"))
        .keys
}

/// A key is found by its id with its hash, lifetime and client (companies and rate
/// limit read back as the domain's types); an unknown id finds nothing.
pub async fn keys_are_found_with_their_client(backend: TestBackend) {
    let (_db, registry) = registry(backend).await;
    let call_centre = profile("call-centre", "jtc,JFC", Some("50/s"));
    registry
        .add_client(&call_centre, &key(1, at(1, 8), None), at(1, 8))
        .await
        .expect("the client is added");
    let portal = profile("svc:portal@group.sa", "all", None);
    registry
        .add_client(&portal, &key(2, at(2, 8), Some(at(20, 0))), at(2, 8))
        .await
        .expect("the client is added");

    let found = find(&registry, 1).await.expect("key 1 is found");
    assert_eq!(
        found,
        StoredApiKey {
            id: key_id(1),
            hash: ApiKeyHash::from_bytes([1; 32]),
            client: call_centre,
            expires_at: None,
            revoked_at: None,
        }
    );
    assert_eq!(found.client.companies.to_string(), "jfc,jtc");
    assert!(found.is_valid_at(at(28, 0)));

    let found = find(&registry, 2).await.expect("key 2 is found");
    assert_eq!(found.client, portal);
    assert_eq!(found.client.companies, CompanyScope::All);
    assert_eq!(found.expires_at, Some(at(20, 0)));
    assert!(found.is_valid_at(at(19, 0)));
    assert!(!found.is_valid_at(at(21, 0)));

    assert_eq!(find(&registry, 3).await, None);
}

/// A company list naming companies that do not exist is refused with every unknown code,
/// and nothing is stored.
pub async fn unknown_companies_are_all_reported(backend: TestBackend) {
    let (_db, registry) = registry(backend).await;
    let refused = registry
        .add_client(
            &profile("branches", "jtc,zzz,nope", None),
            &key(1, at(1, 8), None),
            at(1, 8),
        )
        .await;
    let code = |code: &str| CompanyCode::parse(code).expect("a code");
    match refused {
        Err(RegistryError::UnknownCompanies(codes)) => {
            assert_eq!(codes, [code("nope"), code("zzz")]);
        }
        other => panic!("expected UnknownCompanies, got {other:?}"),
    }
    assert_eq!(find(&registry, 1).await, None);
    assert!(
        registry
            .list_clients()
            .await
            .expect("list_clients answers")
            .is_empty()
    );
}

/// A second client of a taken name is refused, its key not stored; of several added at
/// once under one name, exactly one is added.
pub async fn client_names_are_taken_once(backend: TestBackend) {
    let (_db, registry) = registry(backend).await;
    registry
        .add_client(
            &profile("crm", "jtc", None),
            &key(1, at(1, 8), None),
            at(1, 8),
        )
        .await
        .expect("the client is added");
    let again = registry
        .add_client(
            &profile("crm", "all", None),
            &key(2, at(1, 9), None),
            at(1, 9),
        )
        .await;
    assert!(
        matches!(&again, Err(RegistryError::NameTaken(taken)) if taken.as_str() == "crm"),
        "{again:?}"
    );
    assert_eq!(find(&registry, 2).await, None);

    let registry = Arc::new(registry);
    let racers: Vec<_> = (10..16u8)
        .map(|n| {
            let registry = Arc::clone(&registry);
            tokio::spawn(async move {
                registry
                    .add_client(
                        &profile("racer", "jfc", None),
                        &key(n, at(2, 8), None),
                        at(2, 8),
                    )
                    .await
            })
        })
        .collect();
    let mut added = 0;
    for racer in racers {
        match racer.await.expect("the task ends") {
            Ok(()) => added += 1,
            Err(RegistryError::NameTaken(_)) => {}
            Err(other) => panic!("expected NameTaken, got {other:?}"),
        }
    }
    assert_eq!(added, 1);
    assert_eq!(keys_of(&registry, "racer").await.len(), 1);
}

/// Revoking a client revokes all its keys not yet revoked, revoking a key that key alone;
/// each returns the keys it revoked, never one revoked before (whose revocation time
/// stays). Unknown targets are refused.
pub async fn keys_are_revoked_by_client_and_by_id(backend: TestBackend) {
    let (_db, registry) = registry(backend).await;
    let far = at(30, 23);
    registry
        .add_client(
            &profile("crm", "jtc", None),
            &key(1, at(1, 8), None),
            at(1, 8),
        )
        .await
        .expect("the client is added");
    for n in [2, 3] {
        registry
            .add_key(&name("crm"), &key(n, at(2, 8), None), far)
            .await
            .expect("the key is added");
    }
    registry
        .add_client(
            &profile("other", "jfc", None),
            &key(4, at(1, 8), None),
            at(1, 8),
        )
        .await
        .expect("the client is added");

    let revoked = registry
        .revoke(&RevokeTarget::Key(key_id(2)), at(3, 8))
        .await
        .expect("the key is revoked");
    assert_eq!(revoked, [key_id(2)]);
    let two = find(&registry, 2).await.expect("key 2 is kept");
    assert_eq!(two.revoked_at, Some(at(3, 8)));
    assert!(two.is_valid_at(at(3, 7)));
    assert!(!two.is_valid_at(at(3, 8)));
    assert!(
        find(&registry, 1)
            .await
            .expect("key 1")
            .is_valid_at(at(3, 9))
    );
    assert_eq!(
        registry
            .revoke(&RevokeTarget::Key(key_id(2)), at(4, 8))
            .await
            .expect("revoking again answers"),
        []
    );

    let revoked = registry
        .revoke(&RevokeTarget::Client(name("crm")), at(5, 8))
        .await
        .expect("the client's keys are revoked");
    assert_eq!(revoked, [key_id(1), key_id(3)]);
    for n in [1, 3] {
        assert!(
            !find(&registry, n)
                .await
                .expect("kept")
                .is_valid_at(at(5, 9))
        );
    }
    assert_eq!(
        find(&registry, 2).await.expect("key 2").revoked_at,
        Some(at(3, 8)),
        "an earlier revocation stays"
    );
    assert!(
        find(&registry, 4)
            .await
            .expect("key 4")
            .is_valid_at(at(5, 9))
    );
    assert_eq!(
        registry
            .revoke(&RevokeTarget::Client(name("crm")), at(6, 8))
            .await
            .expect("revoking again answers"),
        []
    );

    let unknown = registry
        .revoke(&RevokeTarget::Client(name("nobody")), at(6, 8))
        .await;
    assert!(
        matches!(&unknown, Err(RegistryError::UnknownClient(n)) if n.as_str() == "nobody"),
        "{unknown:?}"
    );
    let unknown = registry
        .revoke(&RevokeTarget::Key(key_id(99)), at(6, 8))
        .await;
    assert!(
        matches!(&unknown, Err(RegistryError::UnknownKey(id)) if *id == key_id(99)),
        "{unknown:?}"
    );
}

/// A rotation's new key keeps its own expiry; the client's other live keys now expire
/// at the end of the grace period, unless they expire earlier already; revoked keys are
/// left alone. A key for an unknown client is refused.
pub async fn rotation_sets_a_grace_period_but_never_extends_an_expiry(backend: TestBackend) {
    let (_db, registry) = registry(backend).await;
    registry
        .add_client(
            &profile("crm", "jtc", None),
            &key(1, at(1, 8), None),
            at(1, 8),
        )
        .await
        .expect("the client is added");
    registry
        .add_key(&name("crm"), &key(2, at(1, 9), Some(at(10, 0))), at(30, 0))
        .await
        .expect("a key is added");
    registry
        .revoke(&RevokeTarget::Key(key_id(2)), at(1, 10))
        .await
        .expect("key 2 is revoked");
    registry
        .add_key(&name("crm"), &key(3, at(2, 8), None), at(30, 0))
        .await
        .expect("a key is added");
    registry
        .add_client(
            &profile("other", "jfc", None),
            &key(9, at(1, 8), None),
            at(1, 8),
        )
        .await
        .expect("the client is added");

    // Rotation: key 4 replaces the others, which keep working for a day.
    registry
        .add_key(&name("crm"), &key(4, at(5, 8), None), at(6, 8))
        .await
        .expect("the key is rotated");
    let expiry = async |n| find(&registry, n).await.expect("kept").expires_at;
    assert_eq!(expiry(1).await, Some(at(6, 8)));
    assert_eq!(
        expiry(2).await,
        Some(at(10, 0)),
        "revoked keys are left alone"
    );
    assert_eq!(expiry(3).await, Some(at(6, 8)));
    assert_eq!(expiry(4).await, None, "the new key keeps its own expiry");
    assert_eq!(expiry(9).await, None, "other clients' keys are left alone");

    // A second rotation with a longer grace period extends nothing.
    registry
        .add_key(&name("crm"), &key(5, at(5, 9), Some(at(29, 0))), at(20, 0))
        .await
        .expect("the key is rotated");
    assert_eq!(expiry(1).await, Some(at(6, 8)));
    assert_eq!(expiry(3).await, Some(at(6, 8)));
    assert_eq!(expiry(4).await, Some(at(20, 0)));
    assert_eq!(expiry(5).await, Some(at(29, 0)));

    let unknown = registry
        .add_key(&name("nobody"), &key(6, at(5, 8), None), at(6, 8))
        .await;
    assert!(
        matches!(&unknown, Err(RegistryError::UnknownClient(n)) if n.as_str() == "nobody"),
        "{unknown:?}"
    );
    assert_eq!(find(&registry, 6).await, None);
}

/// Touching a key records when it was last used, never moving that time back; touching
/// an unknown key does nothing.
pub async fn touching_a_key_records_its_last_use(backend: TestBackend) {
    let (_db, registry) = registry(backend).await;
    registry
        .add_client(
            &profile("crm", "jtc", None),
            &key(1, at(1, 8), None),
            at(1, 8),
        )
        .await
        .expect("the client is added");
    assert_eq!(keys_of(&registry, "crm").await[0].last_used_at, None);
    let touch = async |time| {
        registry
            .touch_key(&key_id(1), time)
            .await
            .expect("touch_key answers");
        keys_of(&registry, "crm").await[0].last_used_at
    };
    assert_eq!(touch(at(2, 8)).await, Some(at(2, 8)));
    assert_eq!(touch(at(2, 7)).await, Some(at(2, 8)), "never moves back");
    assert_eq!(touch(at(3, 8)).await, Some(at(3, 8)));
    registry
        .touch_key(&key_id(99), at(3, 8))
        .await
        .expect("an unknown key is not an error");
}

/// Clients are listed by name, byte by byte whatever the database's collation, each with
/// its keys oldest first and everything a listing shows of them.
pub async fn clients_are_listed_by_name_with_keys_oldest_first(backend: TestBackend) {
    let (_db, registry) = registry(backend).await;
    for (n, client) in [(1, "b"), (2, "B-team"), (3, "a"), (4, "Zed")] {
        registry
            .add_client(
                &profile(client, "jtc", Some("600/min")),
                &key(n, at(1, 8), None),
                at(u32::from(n), 8),
            )
            .await
            .expect("the client is added");
    }
    registry
        .add_key(&name("a"), &key(5, at(1, 7), Some(at(25, 0))), at(30, 0))
        .await
        .expect("an older key is added");
    registry
        .revoke(&RevokeTarget::Key(key_id(5)), at(2, 0))
        .await
        .expect("the key is revoked");

    let listings = registry.list_clients().await.expect("list_clients answers");
    let names: Vec<&str> = listings.iter().map(|l| l.profile.name.as_str()).collect();
    assert_eq!(names, ["B-team", "Zed", "a", "b"]);
    let a = &listings[2];
    assert_eq!(a.profile, profile("a", "jtc", Some("600/min")));
    assert_eq!(a.created_at, at(3, 8));
    assert_eq!(
        a.keys,
        [
            KeySummary {
                id: key_id(5),
                created_at: at(1, 7),
                last_used_at: None,
                expires_at: Some(at(25, 0)),
                revoked_at: Some(at(2, 0)),
            },
            KeySummary {
                id: key_id(3),
                created_at: at(1, 8),
                last_used_at: None,
                // The grace period of the key added after it.
                expires_at: Some(at(30, 0)),
                revoked_at: None,
            },
        ]
    );
    assert!(listings.iter().all(|l| !l.keys.is_empty()));
}

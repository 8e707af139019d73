//! Who is calling and the management of callers' keys, against mocks of the key lookup,
//! the client administration and the token verifier.

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::{DateTime, TimeDelta, Utc};
use customer_application::access::{
    AdminError, AuthError, Authenticator, AuthenticatorSettings, ClientAdmin, IssuedKey,
    PermissionChange, hash_key, issue_key, key_matches,
};
use customer_domain::{
    AccessViolation, ApiKey, ApiKeyId, Caller, ClientName, ClientProfile, Clock, CompanyCode,
    CompanyScope, Credential, FailureKind, ManualClock, MockClientAdministration, MockKeyLookup,
    MockTokenVerifier, NewApiKey, Permissions, RateLimit, RegistryError, RepositoryError,
    RevokeTarget, StoredApiKey, TokenError, VerifiedToken,
};

/// What a mock saw, for the test to read once it is done.
type Seen<T> = Arc<Mutex<T>>;

/// A well-formed key that no registry of these tests knows the secret of.
const FOREIGN_KEY: &str = "clk_0123456789ab_abcdefghijABCDEFGHIJ0123456789-_abcdefghijk";

fn profile() -> ClientProfile {
    ClientProfile {
        name: ClientName::parse("call-centre").expect("a valid name"),
        permissions: Permissions::READ,
        companies: CompanyScope::parse("jtc").expect("a valid scope"),
        rate_limit: Some(RateLimit::parse("50/s").expect("a valid rate")),
    }
}

fn new_key() -> IssuedKey {
    issue_key(Utc::now(), None).expect("random bytes")
}

/// What the registry holds of `issued`, for the client of [`profile`].
fn stored(issued: &IssuedKey) -> StoredApiKey {
    StoredApiKey {
        id: issued.stored.id.clone(),
        hash: issued.stored.hash,
        client: profile(),
        expires_at: None,
        revoked_at: None,
    }
}

fn bearer(key: &ApiKey) -> String {
    format!("Bearer {}", key.expose_secret())
}

/// A registry that knows `key`, counts its reads, and accepts every touch.
fn registry_knowing(key: StoredApiKey, reads: &Arc<AtomicUsize>) -> MockKeyLookup {
    let reads = Arc::clone(reads);
    let mut registry = MockKeyLookup::new();
    registry.expect_find_key().returning(move |id| {
        reads.fetch_add(1, Ordering::SeqCst);
        Ok((*id == key.id).then(|| key.clone()))
    });
    registry.expect_touch_key().returning(|_, _| Ok(()));
    registry
}

/// A registry that must not be asked anything.
fn untouched_registry() -> MockKeyLookup {
    let mut registry = MockKeyLookup::new();
    registry.expect_find_key().never();
    registry.expect_touch_key().never();
    registry
}

fn authenticator(registry: MockKeyLookup) -> Authenticator {
    Authenticator::new(Arc::new(registry), None, AuthenticatorSettings::default())
}

fn with_settings(registry: MockKeyLookup, settings: AuthenticatorSettings) -> Authenticator {
    Authenticator::new(Arc::new(registry), None, settings)
}

fn with_verifier(verifier: MockTokenVerifier) -> Authenticator {
    Authenticator::new(
        Arc::new(untouched_registry()),
        Some(Arc::new(verifier)),
        AuthenticatorSettings::default(),
    )
}

fn assert_invalid(outcome: &Result<Caller, AuthError>, reason: &str) {
    assert!(
        matches!(outcome, Err(AuthError::Invalid(said)) if said == reason),
        "expected Invalid({reason:?}), got {outcome:?}"
    );
}

// --- Authenticator: the header ---

#[tokio::test]
async fn no_header_is_a_missing_credential() {
    let auth = authenticator(untouched_registry());
    for header in [None, Some(""), Some("   ")] {
        let outcome = auth.authenticate(header).await;
        assert!(matches!(outcome, Err(AuthError::Missing)), "{header:?}");
    }
}

#[tokio::test]
async fn other_schemes_than_bearer_are_told_apart_from_invalid_keys() {
    let auth = authenticator(untouched_registry());
    for header in [
        format!("Basic {FOREIGN_KEY}"),
        FOREIGN_KEY.to_owned(),
        "Bearer".to_owned(),
        "Bearer   ".to_owned(),
    ] {
        let outcome = auth.authenticate(Some(&header)).await;
        assert!(
            matches!(outcome, Err(AuthError::NotBearer)),
            "{header:?}: {outcome:?}"
        );
    }
}

#[tokio::test]
async fn the_bearer_scheme_is_case_insensitive() {
    let issued = new_key();
    let reads = Arc::new(AtomicUsize::new(0));
    let auth = authenticator(registry_knowing(stored(&issued), &reads));
    let header = format!("bearer {}", issued.key.expose_secret());
    auth.authenticate(Some(&header)).await.expect("a valid key");
}

#[tokio::test]
async fn a_malformed_key_is_invalid_without_asking_the_registry() {
    let auth = authenticator(untouched_registry());
    for key in [
        "clk_",
        "clk_0123456789AB_abcdefghijABCDEFGHIJ0123456789-_abcdefghijk",
        "clk_0123456789ab_short",
    ] {
        let outcome = auth.authenticate(Some(&format!("Bearer {key}"))).await;
        assert_invalid(&outcome, "malformed API key");
    }
}

// --- Authenticator: API keys ---

#[tokio::test]
async fn an_unknown_key_id_is_invalid() {
    let reads = Arc::new(AtomicUsize::new(0));
    let auth = authenticator(registry_knowing(stored(&new_key()), &reads));
    let outcome = auth
        .authenticate(Some(&format!("Bearer {FOREIGN_KEY}")))
        .await;
    assert_invalid(&outcome, "unknown API key");
    assert_eq!(reads.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn an_unknown_key_id_is_remembered_for_the_cache_time_to_live() {
    let ttl = AuthenticatorSettings::default().key_cache_ttl;
    let reads = Arc::new(AtomicUsize::new(0));
    let clock = Arc::new(ManualClock::new(Utc::now()));
    let auth =
        authenticator(registry_knowing(stored(&new_key()), &reads)).with_clock(clock.clone());
    let header = format!("Bearer {FOREIGN_KEY}");
    // The same id with another secret is the same unknown id.
    let other_secret = format!(
        "Bearer {}",
        FOREIGN_KEY.replace("abcdefghijABCDEFGHIJ", "zyxwvutsrqZYXWVUTSRQ")
    );

    assert_invalid(&auth.authenticate(Some(&header)).await, "unknown API key");
    clock.advance(ttl.saturating_sub(Duration::from_millis(1)));
    assert_invalid(
        &auth.authenticate(Some(&other_secret)).await,
        "unknown API key",
    );
    assert_eq!(
        reads.load(Ordering::SeqCst),
        1,
        "asked again within the time to live, the registry is not read"
    );

    clock.advance(Duration::from_millis(1));
    assert_invalid(&auth.authenticate(Some(&header)).await, "unknown API key");
    assert_eq!(reads.load(Ordering::SeqCst), 2, "read again after it");
}

#[tokio::test]
async fn a_key_added_after_its_id_was_unknown_is_found_once_the_answer_expires() {
    let ttl = AuthenticatorSettings::default().key_cache_ttl;
    let issued = new_key();
    let key = stored(&issued);
    let added = Arc::new(AtomicBool::new(false));
    let mut registry = MockKeyLookup::new();
    {
        let added = Arc::clone(&added);
        registry
            .expect_find_key()
            .returning(move |_| Ok(added.load(Ordering::SeqCst).then(|| key.clone())));
    }
    registry.expect_touch_key().returning(|_, _| Ok(()));
    let clock = Arc::new(ManualClock::new(Utc::now()));
    let auth = authenticator(registry).with_clock(clock.clone());
    let header = bearer(&issued.key);

    assert_invalid(&auth.authenticate(Some(&header)).await, "unknown API key");
    added.store(true, Ordering::SeqCst);
    clock.advance(ttl);
    auth.authenticate(Some(&header))
        .await
        .expect("read again, and found");
}

#[tokio::test]
async fn unknown_ids_do_not_hide_known_keys() {
    let issued = new_key();
    let reads = Arc::new(AtomicUsize::new(0));
    let auth = with_settings(
        registry_knowing(stored(&issued), &reads),
        AuthenticatorSettings {
            unknown_key_cache_capacity: 1,
            ..AuthenticatorSettings::default()
        },
    );
    auth.authenticate(Some(&bearer(&issued.key)))
        .await
        .expect("a valid key");
    for _ in 0..50 {
        let stranger = new_key();
        assert_invalid(
            &auth.authenticate(Some(&bearer(&stranger.key))).await,
            "unknown API key",
        );
    }
    auth.authenticate(Some(&bearer(&issued.key)))
        .await
        .expect("still valid");
    assert_eq!(reads.load(Ordering::SeqCst), 51, "the known key read once");
}

#[tokio::test]
async fn the_right_id_with_a_wrong_secret_is_invalid() {
    let issued = new_key();
    let reads = Arc::new(AtomicUsize::new(0));
    let auth = authenticator(registry_knowing(stored(&issued), &reads));
    let forged = format!(
        "clk_{}_abcdefghijABCDEFGHIJ0123456789-_abcdefghijk",
        issued.key.id()
    );
    let forged = ApiKey::parse(&forged).expect("well formed");
    assert_eq!(forged.id(), issued.key.id());
    // Told apart from an unknown id in nothing.
    assert_invalid(
        &auth.authenticate(Some(&bearer(&forged))).await,
        "unknown API key",
    );
    // Nor does the cache let a wrong secret in once the right key has been seen.
    auth.authenticate(Some(&bearer(&issued.key)))
        .await
        .expect("the right key");
    assert_invalid(
        &auth.authenticate(Some(&bearer(&forged))).await,
        "unknown API key",
    );
}

#[tokio::test]
async fn a_valid_key_gives_its_client_and_its_id() {
    let issued = new_key();
    let reads = Arc::new(AtomicUsize::new(0));
    let auth = authenticator(registry_knowing(stored(&issued), &reads));
    let caller = auth
        .authenticate(Some(&bearer(&issued.key)))
        .await
        .expect("a valid key");
    assert_eq!(
        caller,
        Caller {
            profile: profile(),
            credential: Credential::ApiKey(issued.stored.id.clone()),
        }
    );
}

#[tokio::test]
async fn a_key_seen_recently_is_not_read_again() {
    let issued = new_key();
    let key = stored(&issued);
    let mut registry = MockKeyLookup::new();
    registry
        .expect_find_key()
        .times(1)
        .returning(move |_| Ok(Some(key.clone())));
    registry.expect_touch_key().returning(|_, _| Ok(()));
    let auth = authenticator(registry);
    for _ in 0..3 {
        auth.authenticate(Some(&bearer(&issued.key)))
            .await
            .expect("a valid key");
    }
}

#[tokio::test]
async fn a_revocation_applies_within_the_cache_time_to_live() {
    let ttl = AuthenticatorSettings::default().key_cache_ttl;
    let issued = new_key();
    let key = stored(&issued);
    let revoked = Arc::new(AtomicBool::new(false));
    let reads = Arc::new(AtomicUsize::new(0));
    let clock = Arc::new(ManualClock::new(Utc::now()));
    let mut registry = MockKeyLookup::new();
    {
        let (revoked, reads, clock) = (Arc::clone(&revoked), Arc::clone(&reads), clock.clone());
        registry.expect_find_key().returning(move |_| {
            reads.fetch_add(1, Ordering::SeqCst);
            let mut key = key.clone();
            if revoked.load(Ordering::SeqCst) {
                key.revoked_at = Some(clock.now() - TimeDelta::seconds(1));
            }
            Ok(Some(key))
        });
    }
    registry.expect_touch_key().returning(|_, _| Ok(()));
    let auth = authenticator(registry).with_clock(clock.clone());
    let header = bearer(&issued.key);

    auth.authenticate(Some(&header)).await.expect("valid");
    revoked.store(true, Ordering::SeqCst);
    // Within the time to live, the cached answer stands, to its last millisecond.
    clock.advance(ttl.saturating_sub(Duration::from_millis(1)));
    auth.authenticate(Some(&header))
        .await
        .expect("still cached as valid");
    assert_eq!(reads.load(Ordering::SeqCst), 1);

    clock.advance(Duration::from_millis(1));
    assert_invalid(&auth.authenticate(Some(&header)).await, "revoked API key");
    assert_eq!(reads.load(Ordering::SeqCst), 2);
}

#[tokio::test]
async fn expired_and_revoked_keys_are_refused() {
    let past = Utc::now() - TimeDelta::minutes(1);
    let future = Utc::now() + TimeDelta::hours(1);
    let cases = [
        (Some(past), None, Some("expired API key")),
        (None, Some(past), Some("revoked API key")),
        (Some(past), Some(past), Some("revoked API key")),
        // Set to expire or be revoked later: valid until then.
        (Some(future), Some(future), None),
    ];
    for (expires_at, revoked_at, refusal) in cases {
        let issued = new_key();
        let key = StoredApiKey {
            expires_at,
            revoked_at,
            ..stored(&issued)
        };
        let reads = Arc::new(AtomicUsize::new(0));
        let auth = authenticator(registry_knowing(key, &reads));
        let outcome = auth.authenticate(Some(&bearer(&issued.key))).await;
        match refusal {
            Some(reason) => assert_invalid(&outcome, reason),
            None => assert!(outcome.is_ok(), "{outcome:?}"),
        }
    }
}

#[tokio::test]
async fn a_key_use_is_written_at_most_once_per_touch_interval() {
    // Shorter than the cache's time to live: a key read again starts a new interval.
    let interval = Duration::from_secs(10);
    let issued = new_key();
    let key = stored(&issued);
    let touches: Seen<Vec<(ApiKeyId, DateTime<Utc>)>> = Arc::default();
    let mut registry = MockKeyLookup::new();
    registry
        .expect_find_key()
        .returning(move |_| Ok(Some(key.clone())));
    {
        let touches = Arc::clone(&touches);
        registry.expect_touch_key().returning(move |id, at| {
            touches.lock().unwrap().push((id.clone(), at));
            Ok(())
        });
    }
    let started = Utc::now();
    let clock = Arc::new(ManualClock::new(started));
    let auth = with_settings(
        registry,
        AuthenticatorSettings {
            touch_interval: interval,
            ..AuthenticatorSettings::default()
        },
    )
    .with_clock(clock.clone());
    let header = bearer(&issued.key);
    auth.authenticate(Some(&header)).await.expect("valid");
    clock.advance(interval.saturating_sub(Duration::from_millis(1)));
    auth.authenticate(Some(&header)).await.expect("valid");
    {
        let touches = touches.lock().unwrap();
        assert_eq!(
            touches.len(),
            1,
            "one write for two uses within the interval"
        );
        assert_eq!(touches[0], (issued.stored.id.clone(), started));
    }
    clock.advance(Duration::from_millis(1));
    auth.authenticate(Some(&header)).await.expect("valid");
    assert_eq!(touches.lock().unwrap().len(), 2, "written again after it");
}

#[tokio::test]
async fn a_failing_touch_does_not_fail_the_request() {
    let issued = new_key();
    let key = stored(&issued);
    let mut registry = MockKeyLookup::new();
    registry
        .expect_find_key()
        .returning(move |_| Ok(Some(key.clone())));
    registry.expect_touch_key().times(1).returning(|_, _| {
        Err(RepositoryError::new(
            FailureKind::Unreachable,
            "connection refused",
        ))
    });
    let caller = authenticator(registry)
        .authenticate(Some(&bearer(&issued.key)))
        .await
        .expect("authenticated all the same");
    assert_eq!(caller.profile, profile());
}

#[tokio::test]
async fn an_unavailable_registry_is_a_registry_error() {
    let mut registry = MockKeyLookup::new();
    registry
        .expect_find_key()
        .returning(|_| Err(RepositoryError::new(FailureKind::TimedOut, "timeout")));
    registry.expect_touch_key().never();
    let outcome = authenticator(registry)
        .authenticate(Some(&bearer(&new_key().key)))
        .await;
    assert!(
        matches!(
            outcome,
            Err(AuthError::Registry(ref error)) if error.kind() == FailureKind::TimedOut
        ),
        "{outcome:?}"
    );
}

#[tokio::test]
async fn a_registry_failure_is_not_cached() {
    let issued = new_key();
    let key = stored(&issued);
    let calls = AtomicUsize::new(0);
    let mut registry = MockKeyLookup::new();
    registry.expect_find_key().times(2).returning(move |_| {
        if calls.fetch_add(1, Ordering::SeqCst) == 0 {
            Err(RepositoryError::new(FailureKind::TimedOut, "timeout"))
        } else {
            Ok(Some(key.clone()))
        }
    });
    registry.expect_touch_key().returning(|_, _| Ok(()));
    let auth = authenticator(registry);
    let header = bearer(&issued.key);
    assert!(matches!(
        auth.authenticate(Some(&header)).await,
        Err(AuthError::Registry(_))
    ));
    auth.authenticate(Some(&header))
        .await
        .expect("read again once the registry is back");
}

// --- Authenticator: tokens ---

fn verified() -> VerifiedToken {
    VerifiedToken {
        subject: "svc-portal".to_owned(),
        client: ClientName::parse("portal").expect("a valid name"),
        permissions: Permissions::READ,
        companies: CompanyScope::parse("jtc,jfc").expect("a valid scope"),
    }
}

#[tokio::test]
async fn a_verified_token_gives_the_caller_it_names() {
    let mut verifier = MockTokenVerifier::new();
    verifier
        .expect_verify()
        .withf(|token| token == "eyJhbGciOi.payload.signature")
        .times(1)
        .returning(|_| Ok(verified()));
    let caller = with_verifier(verifier)
        .authenticate(Some("Bearer eyJhbGciOi.payload.signature"))
        .await
        .expect("a verified token");
    assert_eq!(
        caller,
        Caller {
            profile: ClientProfile {
                name: ClientName::parse("portal").expect("a valid name"),
                permissions: Permissions::READ,
                companies: CompanyScope::parse("jtc,jfc").expect("a valid scope"),
                rate_limit: None,
            },
            credential: Credential::Token {
                subject: "svc-portal".to_owned()
            },
        }
    );
}

#[tokio::test]
async fn a_token_granting_write_gives_a_caller_that_may_write() {
    let mut verifier = MockTokenVerifier::new();
    verifier.expect_verify().returning(|_| {
        Ok(VerifiedToken {
            permissions: Permissions::READ_WRITE,
            ..verified()
        })
    });
    let caller = with_verifier(verifier)
        .authenticate(Some("Bearer eyJhbGciOi.payload.signature"))
        .await
        .expect("a verified token");
    assert_eq!(caller.profile.permissions, Permissions::READ_WRITE);
    let jtc = CompanyCode::parse("jtc").expect("a code");
    assert!(caller.may_search(&jtc) && caller.may_write(&jtc));
}

#[tokio::test]
async fn a_rejected_token_is_invalid_with_its_reason() {
    let mut verifier = MockTokenVerifier::new();
    verifier
        .expect_verify()
        .returning(|_| Err(TokenError::Rejected("the token has expired".into())));
    let outcome = with_verifier(verifier)
        .authenticate(Some("Bearer eyJ.x.y"))
        .await;
    assert_invalid(&outcome, "the token has expired");
}

#[tokio::test]
async fn unavailable_signing_keys_are_reported_as_such() {
    let mut verifier = MockTokenVerifier::new();
    verifier
        .expect_verify()
        .returning(|_| Err(TokenError::Unavailable("JWKS fetch timed out".into())));
    let outcome = with_verifier(verifier)
        .authenticate(Some("Bearer eyJ.x.y"))
        .await;
    assert!(
        matches!(outcome, Err(AuthError::TokenKeysUnavailable(_))),
        "{outcome:?}"
    );
}

#[tokio::test]
async fn a_token_without_a_verifier_is_invalid() {
    let outcome = authenticator(untouched_registry())
        .authenticate(Some("Bearer eyJ.x.y"))
        .await;
    assert_invalid(&outcome, "unknown credential");
}

#[tokio::test]
async fn an_api_key_is_never_handed_to_the_token_verifier() {
    let mut verifier = MockTokenVerifier::new();
    verifier.expect_verify().never();
    let issued = new_key();
    let reads = Arc::new(AtomicUsize::new(0));
    let auth = Authenticator::new(
        Arc::new(registry_knowing(stored(&issued), &reads)),
        Some(Arc::new(verifier)),
        AuthenticatorSettings::default(),
    );
    auth.authenticate(Some(&bearer(&issued.key)))
        .await
        .expect("a valid key");
    assert_invalid(
        &auth.authenticate(Some("Bearer clk_not-a-key")).await,
        "malformed API key",
    );
}

mod client_admin;

//! Who is calling: a bearer credential in, a [`Caller`] out, with no database round trip
//! for a key id seen recently, whether the registry knows it or not.
//!
//! An id the registry does not know is remembered as unknown for as long as a known one
//! is trusted, and its secret is compared against a hash no key has: an unknown id then
//! costs what a known id with a wrong secret costs, so that the time of an answer does
//! not tell which ids exist.

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::Duration;

use chrono::{DateTime, TimeDelta, Utc};
use customer_domain::{
    ApiKey, ApiKeyHash, ApiKeyId, Caller, ClientProfile, Clock, Credential, KeyLookup,
    RepositoryError, StoredApiKey, SystemClock, TokenError, TokenVerifier,
};
use moka::sync::Cache;

use super::credentials::key_matches;

/// How the credential check is tuned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AuthenticatorSettings {
    /// How long a key read from the registry is trusted without reading it again: the
    /// longest a revocation or expiry set in the registry takes to apply. An id the
    /// registry did not know is taken as unknown for as long.
    pub key_cache_ttl: Duration,
    /// The most keys kept in the cache.
    pub key_cache_capacity: u64,
    /// The most ids remembered as unknown. Apart from the keys, so that a flood of
    /// made-up ids cannot push the real keys out of their cache.
    pub unknown_key_cache_capacity: u64,
    /// A key's last use is written at most this often.
    pub touch_interval: Duration,
}

impl Default for AuthenticatorSettings {
    fn default() -> Self {
        Self {
            key_cache_ttl: Duration::from_secs(30),
            key_cache_capacity: 10_000,
            unknown_key_cache_capacity: 10_000,
            touch_interval: Duration::from_secs(60),
        }
    }
}

/// Why a request is not authenticated.
#[derive(Debug, thiserror::Error)]
pub enum AuthError {
    /// No credential was presented.
    #[error("no credential")]
    Missing,
    /// The `Authorization` header is not `Bearer <credential>`: a key sent bare or under
    /// another scheme. Told apart from [`AuthError::Invalid`] because the fix is the
    /// header's form, not the credential.
    #[error("not a Bearer credential")]
    NotBearer,
    /// The credential is not valid; the reason may be told to its bearer.
    #[error("invalid credential: {0}")]
    Invalid(String),
    /// The key registry failed or cannot be reached.
    #[error("the key registry failed")]
    Registry(#[source] RepositoryError),
    /// The identity provider's signing keys cannot be had now.
    #[error("the token signing keys are unavailable")]
    TokenKeysUnavailable(#[source] Box<dyn std::error::Error + Send + Sync>),
}

/// A key as cached: the registry's answer, when it was read, and when its use was last
/// written.
#[derive(Debug)]
struct CachedKey {
    stored: StoredApiKey,
    read_at: DateTime<Utc>,
    /// Unix milliseconds of the last write of `last_used_at`, 0 for never.
    touched_at: AtomicI64,
}

/// What an unknown id's secret is compared against: a SHA-256 no one knows a preimage
/// of. Whatever the comparison says, an unknown id is refused.
const UNKNOWN_KEY_HASH: ApiKeyHash = ApiKeyHash::from_bytes([0; 32]);

/// Checks bearer credentials: API keys against the registry (through a cache), other
/// bearer tokens with the identity provider's verifier when one is configured.
#[derive(Clone)]
pub struct Authenticator {
    registry: Arc<dyn KeyLookup>,
    tokens: Option<Arc<dyn TokenVerifier>>,
    keys: Cache<ApiKeyId, Arc<CachedKey>>,
    /// Ids the registry did not know, and when it said so.
    unknown: Cache<ApiKeyId, DateTime<Utc>>,
    key_cache_ttl: TimeDelta,
    touch_interval: Duration,
    clock: Arc<dyn Clock>,
}

impl std::fmt::Debug for Authenticator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Authenticator")
            .field("tokens", &self.tokens.is_some())
            .field("cached_keys", &self.keys.entry_count())
            .field("unknown_keys", &self.unknown.entry_count())
            .finish_non_exhaustive()
    }
}

impl Authenticator {
    /// Checks keys against `registry` and, if given, tokens with `tokens`.
    pub fn new(
        registry: Arc<dyn KeyLookup>,
        tokens: Option<Arc<dyn TokenVerifier>>,
        settings: AuthenticatorSettings,
    ) -> Self {
        Self {
            registry,
            tokens,
            // The time to live is checked against `clock` at each read, not by the cache
            // in real time, so that tests can move time on.
            keys: Cache::builder()
                .max_capacity(settings.key_cache_capacity)
                .build(),
            unknown: Cache::builder()
                .max_capacity(settings.unknown_key_cache_capacity)
                .build(),
            key_cache_ttl: TimeDelta::from_std(settings.key_cache_ttl).unwrap_or(TimeDelta::MAX),
            touch_interval: settings.touch_interval,
            clock: Arc::new(SystemClock),
        }
    }

    /// The same, telling the time by `clock` (key expiry, the cache's time to live, the
    /// touch interval).
    #[must_use]
    pub fn with_clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = clock;
        self
    }

    /// The caller that `authorization` (the whole `Authorization` header, if any)
    /// proves.
    ///
    /// # Errors
    /// [`AuthError::Missing`] without a credential; [`AuthError::NotBearer`] for a header
    /// that is not `Bearer <credential>`; [`AuthError::Invalid`] for a
    /// key that is unknown, wrong, expired or revoked, or a token the verifier rejects
    /// (or any token when none is configured); [`AuthError::Registry`] or
    /// [`AuthError::TokenKeysUnavailable`] when the registry or the identity provider
    /// fails.
    pub async fn authenticate(&self, authorization: Option<&str>) -> Result<Caller, AuthError> {
        let credential = bearer(authorization)?;
        if ApiKey::looks_like_one(credential) {
            let key = ApiKey::parse(credential)
                .map_err(|_| AuthError::Invalid("malformed API key".into()))?;
            return self.check_key(&key).await;
        }
        let Some(tokens) = &self.tokens else {
            return Err(AuthError::Invalid("unknown credential".into()));
        };
        match tokens.verify(credential).await {
            Ok(token) => Ok(Caller {
                profile: ClientProfile {
                    name: token.client,
                    permissions: token.permissions,
                    companies: token.companies,
                    rate_limit: None,
                },
                credential: Credential::Token {
                    subject: token.subject,
                },
            }),
            Err(TokenError::Rejected(reason)) => Err(AuthError::Invalid(reason)),
            Err(TokenError::Unavailable(source)) => Err(AuthError::TokenKeysUnavailable(source)),
        }
    }

    async fn check_key(&self, key: &ApiKey) -> Result<Caller, AuthError> {
        let now = self.clock.now();
        let fresh =
            |read_at: DateTime<Utc>| now.signed_duration_since(read_at) < self.key_cache_ttl;
        // Both caches are read whatever the answer, so that a known and an unknown id
        // cost the same reads.
        let known = self
            .keys
            .get(key.id())
            .filter(|cached| fresh(cached.read_at));
        let unknown = self.unknown.get(key.id()).is_some_and(fresh);
        let known = match (known, unknown) {
            (Some(cached), _) => Some(cached),
            (None, true) => None,
            (None, false) => self.read_key(key.id(), now).await?,
        };
        // Compared before anything else is said of the key, and compared even when the
        // id is unknown: who does not hold the secret learns nothing about the key id,
        // from the answer or from its time.
        let hash = known
            .as_ref()
            .map_or(&UNKNOWN_KEY_HASH, |cached| &cached.stored.hash);
        let matches = key_matches(key, hash);
        let Some(cached) = known.filter(|_| matches) else {
            return Err(AuthError::Invalid("unknown API key".into()));
        };
        if cached.stored.revoked_at.is_some_and(|at| at <= now) {
            return Err(AuthError::Invalid("revoked API key".into()));
        }
        if cached.stored.expires_at.is_some_and(|at| at <= now) {
            return Err(AuthError::Invalid("expired API key".into()));
        }
        self.touch(key.id(), &cached, now).await;
        Ok(Caller {
            profile: cached.stored.client.clone(),
            credential: Credential::ApiKey(key.id().clone()),
        })
    }

    /// Reads the key `id` from the registry and caches the answer, a key or its absence.
    async fn read_key(
        &self,
        id: &ApiKeyId,
        now: DateTime<Utc>,
    ) -> Result<Option<Arc<CachedKey>>, AuthError> {
        let stored = self
            .registry
            .find_key(id)
            .await
            .map_err(AuthError::Registry)?;
        let Some(stored) = stored else {
            self.keys.invalidate(id);
            self.unknown.insert(id.clone(), now);
            return Ok(None);
        };
        let cached = Arc::new(CachedKey {
            stored,
            read_at: now,
            touched_at: AtomicI64::new(0),
        });
        self.unknown.invalidate(id);
        self.keys.insert(id.clone(), cached.clone());
        Ok(Some(cached))
    }

    /// Writes the key's last use when the last write is older than the touch interval;
    /// only the request that wins the race writes, and a failure costs only the record.
    async fn touch(&self, id: &ApiKeyId, cached: &CachedKey, now: DateTime<Utc>) {
        // In milliseconds: whole seconds would make an interval under one second write
        // every use, and let two uses on either side of a second boundary both write.
        let now_ms = now.timestamp_millis();
        let last = cached.touched_at.load(Ordering::Relaxed);
        let interval = i64::try_from(self.touch_interval.as_millis()).unwrap_or(i64::MAX);
        if now_ms.saturating_sub(last) < interval
            || cached
                .touched_at
                .compare_exchange(last, now_ms, Ordering::Relaxed, Ordering::Relaxed)
                .is_err()
        {
            return;
        }
        if let Err(error) = self.registry.touch_key(id, now).await {
            tracing::warn!(key = %id, %error, "the key's last use could not be recorded");
        }
    }
}

/// The credential of a `Bearer` authorization; the scheme is case-insensitive.
fn bearer(authorization: Option<&str>) -> Result<&str, AuthError> {
    let header = authorization.map(str::trim).filter(|h| !h.is_empty());
    let Some(header) = header else {
        return Err(AuthError::Missing);
    };
    let (scheme, credential) = header.split_once(' ').ok_or(AuthError::NotBearer)?;
    let credential = credential.trim();
    if !scheme.eq_ignore_ascii_case("bearer") || credential.is_empty() {
        return Err(AuthError::NotBearer);
    }
    Ok(credential)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::access::credentials::{COMPARISONS, issue_key};
    use customer_domain::{ClientName, CompanyScope, MockKeyLookup, Permissions};

    fn comparisons() -> usize {
        COMPARISONS.with(std::cell::Cell::get)
    }

    fn bearer(key: &ApiKey) -> String {
        format!("Bearer {}", key.expose_secret())
    }

    /// The comparison is counted per thread: these tests run on the current-thread
    /// runtime, so the authentication is on the test's thread.
    #[tokio::test(flavor = "current_thread")]
    async fn an_unknown_id_is_compared_against_a_hash_like_a_known_one() {
        let known = issue_key(Utc::now(), None).expect("random bytes");
        let stranger = issue_key(Utc::now(), None).expect("random bytes");
        let stored = StoredApiKey {
            id: known.stored.id.clone(),
            hash: known.stored.hash,
            client: ClientProfile {
                name: ClientName::parse("call-centre").expect("a valid name"),
                permissions: Permissions::READ,
                companies: CompanyScope::parse("jtc").expect("a valid scope"),
                rate_limit: None,
            },
            expires_at: None,
            revoked_at: None,
        };
        let mut registry = MockKeyLookup::new();
        registry
            .expect_find_key()
            .returning(move |id| Ok((*id == stored.id).then(|| stored.clone())));
        registry.expect_touch_key().returning(|_, _| Ok(()));
        let auth = Authenticator::new(Arc::new(registry), None, AuthenticatorSettings::default());

        let before = comparisons();
        auth.authenticate(Some(&bearer(&known.key)))
            .await
            .expect("the known key");
        assert_eq!(comparisons() - before, 1, "a known id: one comparison");

        for round in ["read from the registry", "from the cache"] {
            let before = comparisons();
            let outcome = auth.authenticate(Some(&bearer(&stranger.key))).await;
            assert!(
                matches!(&outcome, Err(AuthError::Invalid(reason)) if reason == "unknown API key"),
                "{outcome:?}"
            );
            assert_eq!(comparisons() - before, 1, "an unknown id, {round}");
        }
    }

    #[test]
    fn no_key_has_the_hash_unknown_ids_are_compared_against() {
        let key = issue_key(Utc::now(), None).expect("random bytes");
        assert_ne!(key.stored.hash, UNKNOWN_KEY_HASH);
        assert!(!key_matches(&key.key, &UNKNOWN_KEY_HASH));
    }
}

//! Who is calling: a bearer credential in, a [`Caller`] out, with no database round trip
//! for a key seen recently.

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::Duration;

use chrono::{DateTime, TimeDelta, Utc};
use customer_domain::{
    ApiKey, ApiKeyId, Caller, ClientProfile, Clock, Credential, KeyLookup, RepositoryError,
    StoredApiKey, SystemClock, TokenError, TokenVerifier,
};
use moka::sync::Cache;

use super::credentials::key_matches;

/// How the credential check is tuned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AuthenticatorSettings {
    /// How long a key read from the registry is trusted without reading it again: the
    /// longest a revocation or expiry set in the registry takes to apply.
    pub key_cache_ttl: Duration,
    /// The most keys kept in the cache.
    pub key_cache_capacity: u64,
    /// A key's last use is written at most this often.
    pub touch_interval: Duration,
}

impl Default for AuthenticatorSettings {
    fn default() -> Self {
        Self {
            key_cache_ttl: Duration::from_secs(30),
            key_cache_capacity: 10_000,
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

/// Checks bearer credentials: API keys against the registry (through a cache), other
/// bearer tokens with the identity provider's verifier when one is configured.
#[derive(Clone)]
pub struct Authenticator {
    registry: Arc<dyn KeyLookup>,
    tokens: Option<Arc<dyn TokenVerifier>>,
    keys: Cache<ApiKeyId, Arc<CachedKey>>,
    key_cache_ttl: TimeDelta,
    touch_interval: Duration,
    clock: Arc<dyn Clock>,
}

impl std::fmt::Debug for Authenticator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Authenticator")
            .field("tokens", &self.tokens.is_some())
            .field("cached_keys", &self.keys.entry_count())
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
        let fresh = self
            .keys
            .get(key.id())
            .filter(|cached| now.signed_duration_since(cached.read_at) < self.key_cache_ttl);
        let cached = if let Some(cached) = fresh {
            cached
        } else {
            let stored = self
                .registry
                .find_key(key.id())
                .await
                .map_err(AuthError::Registry)?
                .ok_or_else(|| AuthError::Invalid("unknown API key".into()))?;
            let cached = Arc::new(CachedKey {
                stored,
                read_at: now,
                touched_at: AtomicI64::new(0),
            });
            self.keys.insert(key.id().clone(), cached.clone());
            cached
        };
        // Compared before anything else is said of the key: who does not hold the secret
        // learns nothing about the key id.
        if !key_matches(key, &cached.stored.hash) {
            return Err(AuthError::Invalid("unknown API key".into()));
        }
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

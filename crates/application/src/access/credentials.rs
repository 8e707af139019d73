//! Making and checking API keys.
//!
//! A key is 256 random bits: no one can guess it, so its SHA-256 is a safe thing to
//! store (a slow password hash would only add CPU to every cache miss), and the stored
//! hash is compared in constant time.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Utc};
use customer_domain::{API_KEY_ID_LEN, API_KEY_PREFIX, ApiKey, ApiKeyHash, ApiKeyId, NewApiKey};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

/// A freshly made key: the whole key, to show its owner once, and what is stored of it.
#[derive(Debug, Clone)]
pub struct IssuedKey {
    /// The whole key. Shown once; the service keeps only its hash.
    pub key: ApiKey,
    /// What the registry stores.
    pub stored: NewApiKey,
}

/// Why a key could not be made.
#[derive(Debug, thiserror::Error)]
#[error("the operating system's random number generator failed: {0}")]
pub struct RandomnessError(String);

impl From<getrandom::Error> for RandomnessError {
    fn from(error: getrandom::Error) -> Self {
        Self(error.to_string())
    }
}

/// Makes a new key, valid from `now` until `expires_at` if given.
///
/// # Errors
/// [`RandomnessError`] when the operating system gives no random bytes.
pub fn issue_key(
    now: DateTime<Utc>,
    expires_at: Option<DateTime<Utc>>,
) -> Result<IssuedKey, RandomnessError> {
    let mut id_bytes = [0u8; API_KEY_ID_LEN / 2];
    let mut secret = [0u8; 32];
    getrandom::fill(&mut id_bytes)?;
    getrandom::fill(&mut secret)?;
    let id = hex::encode(id_bytes);
    let text = format!("{API_KEY_PREFIX}{id}_{}", URL_SAFE_NO_PAD.encode(secret));
    let key = ApiKey::parse(&text).expect("a generated key has the shape of a key");
    let stored = NewApiKey {
        id: ApiKeyId::parse(&id).expect("a generated id is 12 hex digits"),
        hash: hash_key(&key),
        created_at: now,
        expires_at,
    };
    Ok(IssuedKey { key, stored })
}

/// The hash the registry keeps of `key`.
pub fn hash_key(key: &ApiKey) -> ApiKeyHash {
    ApiKeyHash::from_bytes(Sha256::digest(key.expose_secret().as_bytes()).into())
}

/// Whether `key` is the key whose hash is `stored`, in time independent of where they
/// differ.
pub fn key_matches(key: &ApiKey, stored: &ApiKeyHash) -> bool {
    #[cfg(test)]
    COMPARISONS.with(|count| count.set(count.get() + 1));
    hash_key(key).as_bytes().ct_eq(stored.as_bytes()).into()
}

#[cfg(test)]
thread_local! {
    /// Comparisons made on this thread: whether one is made cannot be seen from outside,
    /// and it is what makes an unknown id cost what a known one does.
    pub(crate) static COMPARISONS: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn issued_keys_are_unique_and_match_their_hash_only() {
        let now = Utc::now();
        let first = issue_key(now, None).expect("random bytes");
        let second = issue_key(now, None).expect("random bytes");
        assert_ne!(first.key.expose_secret(), second.key.expose_secret());
        assert_ne!(first.stored.id, second.stored.id);
        assert!(first.key.expose_secret().starts_with("clk_"));
        assert_eq!(first.key.id(), &first.stored.id);
        assert!(key_matches(&first.key, &first.stored.hash));
        assert!(!key_matches(&first.key, &second.stored.hash));
        assert_eq!(first.stored.created_at, now);
    }

    #[test]
    fn the_hash_is_sha256_of_the_whole_key() {
        let key = ApiKey::parse("clk_0123456789ab_abcdefghijABCDEFGHIJ0123456789-_abcdefghijk")
            .expect("well formed");
        // sha256 of the key text, computed independently with `sha256sum`.
        assert_eq!(
            hash_key(&key).to_hex(),
            "3ced83d7f51dec6aa114096774c6bbeea303a93fba7a8ee088d35defbea821d6"
        );
    }
}

//! API keys: their public id, the secret a caller presents, and the hash that is all the
//! service keeps of it.

use std::fmt;

use chrono::{DateTime, Utc};

use crate::access::{AccessViolation, ClientProfile, InvalidAccessValue};

/// What every API key of this service starts with, so that secret scanners can find a
/// leaked one.
pub const API_KEY_PREFIX: &str = "clk_";
/// The length of a key id: 12 lowercase hexadecimal digits.
pub const API_KEY_ID_LEN: usize = 12;
/// The length of a key's secret: 32 random bytes in unpadded base64url.
pub const API_KEY_SECRET_LEN: usize = 43;

/// The public id of an API key: shown in listings and the audit trail, useless alone.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ApiKeyId(String);

impl ApiKeyId {
    /// Reads a key id: exactly 12 lowercase hexadecimal digits.
    ///
    /// # Errors
    /// [`AccessViolation::MalformedApiKey`].
    pub fn parse(input: &str) -> Result<Self, InvalidAccessValue> {
        let id = input.trim();
        if id.len() == API_KEY_ID_LEN
            && id
                .bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
        {
            Ok(Self(id.to_owned()))
        } else {
            Err(InvalidAccessValue::single(AccessViolation::MalformedApiKey))
        }
    }

    /// The id.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for ApiKeyId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A whole API key, as a caller presents it: `clk_<id>_<secret>`. Its `Debug` shows the
/// id only.
#[derive(Clone, PartialEq, Eq)]
pub struct ApiKey {
    key: String,
    id: ApiKeyId,
}

impl ApiKey {
    /// Reads a presented key: the prefix, a key id, `_`, and a 43-character base64url
    /// secret.
    ///
    /// # Errors
    /// [`AccessViolation::MalformedApiKey`].
    pub fn parse(input: &str) -> Result<Self, InvalidAccessValue> {
        let malformed = || InvalidAccessValue::single(AccessViolation::MalformedApiKey);
        let rest = input.strip_prefix(API_KEY_PREFIX).ok_or_else(malformed)?;
        let (id, secret) = rest.split_once('_').ok_or_else(malformed)?;
        let id = ApiKeyId::parse(id).map_err(|_| malformed())?;
        let secret_ok = secret.len() == API_KEY_SECRET_LEN
            && secret
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
        if !secret_ok || id.as_str() != &rest[..API_KEY_ID_LEN] {
            return Err(malformed());
        }
        Ok(Self {
            key: input.to_owned(),
            id,
        })
    }

    /// Whether `input` is meant as an API key of this service (it has the prefix), as
    /// opposed to a bearer token of the identity provider.
    pub fn looks_like_one(input: &str) -> bool {
        input.starts_with(API_KEY_PREFIX)
    }

    /// The key's public id.
    pub fn id(&self) -> &ApiKeyId {
        &self.id
    }

    /// The whole key, secret included: to hash it, or to show it once to its owner.
    pub fn expose_secret(&self) -> &str {
        &self.key
    }
}

impl fmt::Debug for ApiKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ApiKey")
            .field("id", &self.id)
            .finish_non_exhaustive()
    }
}

/// The SHA-256 hash of a whole API key: all the service keeps of the secret. Keys are
/// 256-bit random values, so a fast hash is enough; see the application's credentials.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct ApiKeyHash([u8; 32]);

impl ApiKeyHash {
    /// Wraps a hash.
    pub const fn from_bytes(bytes: [u8; 32]) -> Self {
        Self(bytes)
    }

    /// The hash's bytes.
    pub fn as_bytes(&self) -> &[u8; 32] {
        &self.0
    }

    /// The hash in lowercase hexadecimal, as stored.
    pub fn to_hex(&self) -> String {
        hex::encode(self.0)
    }

    /// Reads a hash written by [`Self::to_hex`]; `None` when it is not 64 hex digits.
    pub fn from_hex(hex: &str) -> Option<Self> {
        let mut bytes = [0u8; 32];
        hex::decode_to_slice(hex, &mut bytes).ok()?;
        Some(Self(bytes))
    }
}

impl fmt::Debug for ApiKeyHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ApiKeyHash(..)")
    }
}

/// A key about to be stored: its id, its hash and its lifetime.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewApiKey {
    /// The public id.
    pub id: ApiKeyId,
    /// The hash of the whole key.
    pub hash: ApiKeyHash,
    /// When it was made.
    pub created_at: DateTime<Utc>,
    /// When it stops working, if ever.
    pub expires_at: Option<DateTime<Utc>>,
}

/// A stored key and the client it belongs to, as the credential check needs them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredApiKey {
    /// The public id.
    pub id: ApiKeyId,
    /// The hash of the whole key.
    pub hash: ApiKeyHash,
    /// The client the key belongs to.
    pub client: ClientProfile,
    /// When it stops working, if ever.
    pub expires_at: Option<DateTime<Utc>>,
    /// When it was revoked, if it was.
    pub revoked_at: Option<DateTime<Utc>>,
}

impl StoredApiKey {
    /// Whether the key works at `now`: neither revoked nor expired.
    pub fn is_valid_at(&self, now: DateTime<Utc>) -> bool {
        self.revoked_at.is_none_or(|at| at > now) && self.expires_at.is_none_or(|at| at > now)
    }
}

/// What a listing shows of a key: never its hash.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeySummary {
    /// The public id.
    pub id: ApiKeyId,
    /// When it was made.
    pub created_at: DateTime<Utc>,
    /// When it was last used, to the minute.
    pub last_used_at: Option<DateTime<Utc>>,
    /// When it stops working, if ever.
    pub expires_at: Option<DateTime<Utc>>,
    /// When it was revoked, if it was.
    pub revoked_at: Option<DateTime<Utc>>,
}

/// A client and its keys, for `clients list`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientListing {
    /// The client.
    pub profile: ClientProfile,
    /// When it was added.
    pub created_at: DateTime<Utc>,
    /// Its keys, oldest first.
    pub keys: Vec<KeySummary>,
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &str = "abcdefghijABCDEFGHIJ0123456789-_abcdefghijk";

    #[test]
    fn keys_have_a_prefix_an_id_and_a_secret() {
        let text = format!("clk_0123456789ab_{SECRET}");
        let key = ApiKey::parse(&text).expect("well formed");
        assert_eq!(key.id().as_str(), "0123456789ab");
        assert_eq!(key.expose_secret(), text);
        assert!(
            !format!("{key:?}").contains(SECRET),
            "Debug hides the secret"
        );
        for bad in [
            format!("clx_0123456789ab_{SECRET}"),
            format!("clk_0123456789AB_{SECRET}"),
            format!("clk_0123456789a_{SECRET}x"),
            format!("clk_0123456789ab_{SECRET}x"),
            format!("clk_0123456789ab_{}", &SECRET[1..]),
            format!("clk_0123456789ab_{}!", &SECRET[1..]),
            "clk_".to_owned(),
        ] {
            assert!(ApiKey::parse(&bad).is_err(), "{bad}");
        }
        assert!(ApiKey::looks_like_one("clk_anything"));
        assert!(!ApiKey::looks_like_one("eyJhbGciOi"));
    }

    #[test]
    fn hashes_round_trip_through_hex() {
        let hash = ApiKeyHash::from_bytes([0xab; 32]);
        assert_eq!(ApiKeyHash::from_hex(&hash.to_hex()), Some(hash));
        assert_eq!(ApiKeyHash::from_hex("ab"), None);
        assert_eq!(ApiKeyHash::from_hex(&"zz".repeat(32)), None);
    }
}

//! The identity provider's key set (JWKS): the keys tokens may be signed with, each
//! tied to the one algorithm it verifies.

use std::collections::HashMap;

use jsonwebtoken::jwk::{AlgorithmParameters, EllipticCurve, Jwk, KeyAlgorithm, PublicKeyUse};
use jsonwebtoken::{Algorithm, DecodingKey};
use serde_json::Value;

/// The largest JWKS read from a file or URL.
pub(crate) const MAX_JWKS_BYTES: usize = 1024 * 1024;

/// The two algorithms accepted, each tied to the one type of key it is verified with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Accepted {
    Rs256,
    Es256,
}

impl Accepted {
    pub(crate) fn from_header(alg: &str) -> Option<Self> {
        match alg {
            "RS256" => Some(Self::Rs256),
            "ES256" => Some(Self::Es256),
            _ => None,
        }
    }

    pub(crate) fn algorithm(self) -> Algorithm {
        match self {
            Self::Rs256 => Algorithm::RS256,
            Self::Es256 => Algorithm::ES256,
        }
    }

    pub(crate) fn key_algorithm(self) -> KeyAlgorithm {
        match self {
            Self::Rs256 => KeyAlgorithm::RS256,
            Self::Es256 => KeyAlgorithm::ES256,
        }
    }
}

/// A public key of the set that tokens may be verified with.
pub(crate) struct SigningKey {
    /// The one algorithm its type of key serves here.
    pub(crate) serves: Accepted,
    /// The algorithm the JWK declares (`alg`), if any: a token must then use that one.
    pub(crate) declared: Option<KeyAlgorithm>,
    pub(crate) key: DecodingKey,
}

/// The usable keys of a JWKS, by key id (several keys may share one, of different types).
pub(crate) struct KeySet {
    pub(crate) by_kid: HashMap<String, Vec<SigningKey>>,
}

impl KeySet {
    /// Reads a JWKS document, keeping the RSA and P-256 keys with a key id that are not
    /// marked for another use than signatures; the others are skipped.
    pub(crate) fn parse(document: &[u8]) -> Result<Self, String> {
        let document: Value =
            serde_json::from_slice(document).map_err(|e| format!("not a JSON document: {e}"))?;
        let entries = document
            .get("keys")
            .and_then(Value::as_array)
            .ok_or("not a JWKS: no \"keys\" array")?;
        let mut by_kid: HashMap<String, Vec<SigningKey>> = HashMap::new();
        for (index, entry) in entries.iter().enumerate() {
            match signing_key(entry) {
                Ok((kid, key)) => by_kid.entry(kid).or_default().push(key),
                Err(reason) => tracing::debug!(index, reason, "JWKS key skipped"),
            }
        }
        if by_kid.is_empty() {
            return Err("no RSA or P-256 signing key with a key id".to_owned());
        }
        Ok(Self { by_kid })
    }

    pub(crate) fn contains(&self, kid: &str) -> bool {
        self.by_kid.contains_key(kid)
    }

    pub(crate) fn len(&self) -> usize {
        self.by_kid.values().map(Vec::len).sum()
    }
}

/// The key id and key of a JWK that tokens may be verified with, or why not.
pub(crate) fn signing_key(entry: &Value) -> Result<(String, SigningKey), &'static str> {
    let jwk: Jwk = serde_json::from_value(entry.clone()).map_err(|_| "not a JWK")?;
    let kid = jwk
        .common
        .key_id
        .clone()
        .filter(|kid| !kid.is_empty())
        .ok_or("no key id")?;
    if jwk
        .common
        .public_key_use
        .as_ref()
        .is_some_and(|usage| *usage != PublicKeyUse::Signature)
    {
        return Err("not a signing key");
    }
    let serves = match &jwk.algorithm {
        AlgorithmParameters::RSA(_) => Accepted::Rs256,
        AlgorithmParameters::EllipticCurve(params) if params.curve == EllipticCurve::P256 => {
            Accepted::Es256
        }
        // Symmetric keys above all: a JWKS is public, so an HMAC key in it is no secret.
        _ => return Err("neither an RSA nor a P-256 key"),
    };
    let key = DecodingKey::from_jwk(&jwk).map_err(|_| "unreadable key material")?;
    Ok((
        kid,
        SigningKey {
            serves,
            declared: jwk.common.key_algorithm,
            key,
        },
    ))
}

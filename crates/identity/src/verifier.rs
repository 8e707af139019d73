//! The verifier: a token's header, signature and claims checked against the cached key
//! set, read again for an unknown key at most once per refresh interval.

use std::fmt;
use std::sync::{Arc, PoisonError, RwLock};
use std::time::{Duration, Instant};

use async_trait::async_trait;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use customer_domain::{
    ClientName, CompanyScope, Permission, Permissions, TokenError, TokenVerifier, VerifiedToken,
};
use jsonwebtoken::errors::ErrorKind;
use jsonwebtoken::{Algorithm, Validation};
use rustls::pki_types::CertificateDer;
use serde_json::{Map, Value};

use crate::error::IdentityError;
use crate::fetch::{Fetcher, JwksSource};
use crate::jwks::{Accepted, KeySet};

/// The longest token read; longer ones are rejected before any decoding.
const MAX_TOKEN_BYTES: usize = 16 * 1024;

/// The settings of a [`JwksTokenVerifier`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JwtSettings {
    /// Where the signing keys are read from.
    pub jwks: JwksSource,
    /// The issuer tokens must name in `iss`, exactly.
    pub issuer: String,
    /// The audience tokens must name in `aud` (a string, or an array holding it).
    pub audience: String,
    /// The claim naming the client the token was issued to; when a token lacks it, its
    /// `sub` names the client (client credentials tokens of some providers carry no
    /// other).
    pub client_claim: String,
    /// The claim granting companies: an array of company codes, or a string read as
    /// [`CompanyScope::parse`] reads it (`"jtc,jfc"`, `"all"`).
    pub companies_claim: String,
    /// The claim granting permissions besides reading, which every token grants: a
    /// string read as [`Permissions::parse`] reads it (`"read,write"`), or an array of
    /// words (`["read", "write"]`); a token grants writing too when it names `write`.
    /// A token without it (or with it null) may only read.
    pub permissions_claim: String,
    /// The clock skew allowed on `exp` and `nbf` (whole seconds count).
    pub leeway: Duration,
    /// The least time between two reads of the JWKS; a token naming an unknown key makes
    /// the verifier read it again only when the last read is older than this.
    pub refresh_interval: Duration,
    /// How long a read of the JWKS may take.
    pub fetch_timeout: Duration,
}

impl JwtSettings {
    /// The default [`Self::client_claim`].
    pub const DEFAULT_CLIENT_CLAIM: &'static str = "client_id";
    /// The default [`Self::companies_claim`].
    pub const DEFAULT_COMPANIES_CLAIM: &'static str = "companies";
    /// The default [`Self::permissions_claim`].
    pub const DEFAULT_PERMISSIONS_CLAIM: &'static str = "permissions";
    /// The default [`Self::leeway`].
    pub const DEFAULT_LEEWAY: Duration = Duration::from_secs(30);
    /// The default [`Self::refresh_interval`].
    pub const DEFAULT_REFRESH_INTERVAL: Duration = Duration::from_secs(60);
    /// The default [`Self::fetch_timeout`].
    pub const DEFAULT_FETCH_TIMEOUT: Duration = Duration::from_secs(5);

    /// Settings for tokens of `issuer` for `audience`, keys read from `jwks`, everything
    /// else at its default.
    pub fn new(jwks: JwksSource, issuer: impl Into<String>, audience: impl Into<String>) -> Self {
        Self {
            jwks,
            issuer: issuer.into(),
            audience: audience.into(),
            client_claim: Self::DEFAULT_CLIENT_CLAIM.to_owned(),
            companies_claim: Self::DEFAULT_COMPANIES_CLAIM.to_owned(),
            permissions_claim: Self::DEFAULT_PERMISSIONS_CLAIM.to_owned(),
            leeway: Self::DEFAULT_LEEWAY,
            refresh_interval: Self::DEFAULT_REFRESH_INTERVAL,
            fetch_timeout: Self::DEFAULT_FETCH_TIMEOUT,
        }
    }

    fn check(&self) -> Result<(), IdentityError> {
        for (name, value) in [
            ("issuer", &self.issuer),
            ("audience", &self.audience),
            ("client claim", &self.client_claim),
            ("companies claim", &self.companies_claim),
            ("permissions claim", &self.permissions_claim),
        ] {
            if value.trim().is_empty() {
                return Err(IdentityError::TokenSettings(format!("the {name} is empty")));
            }
        }
        if self.fetch_timeout.is_zero() {
            return Err(IdentityError::TokenSettings(
                "the JWKS fetch timeout is zero".to_owned(),
            ));
        }
        Ok(())
    }
}

/// When the JWKS was last read, and why that failed if it did.
#[derive(Debug, Default)]
struct FetchState {
    last_attempt: Option<Instant>,
    last_error: Option<String>,
}

/// Checks bearer tokens against the identity provider's published keys (see the module
/// documentation).
pub struct JwksTokenVerifier {
    location: String,
    fetcher: Fetcher,
    rs256: Validation,
    es256: Validation,
    client_claim: String,
    companies_claim: String,
    permissions_claim: String,
    refresh_interval: Duration,
    fetch_timeout: Duration,
    /// The last set read; `None` until a read succeeds (a URL unreachable at start).
    keys: RwLock<Option<Arc<KeySet>>>,
    /// Held while the set is read again: one read at a time, the others wait for it.
    fetch: tokio::sync::Mutex<FetchState>,
}

impl fmt::Debug for JwksTokenVerifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("JwksTokenVerifier")
            .field("jwks", &self.location)
            .field("issuer", &self.rs256.iss)
            .field("audience", &self.rs256.aud)
            .field("keys", &self.current().map(|keys| keys.len()))
            .finish_non_exhaustive()
    }
}

impl JwksTokenVerifier {
    /// A verifier with the keys read from `settings.jwks`.
    ///
    /// A file must be readable and hold a usable key, or this fails. A URL that cannot be
    /// fetched now is logged and tried again on use (at most once per refresh interval);
    /// until it is fetched, [`TokenVerifier::verify`] answers
    /// [`TokenError::Unavailable`].
    ///
    /// # Errors
    /// [`IdentityError::TokenSettings`] for an empty issuer, audience or claim name;
    /// [`IdentityError::Jwks`] for a URL that is not `https://` (or loopback `http://`), or a
    /// JWKS file that cannot be read or holds no usable key.
    pub async fn new(settings: JwtSettings) -> Result<Self, IdentityError> {
        Self::with_roots(settings, Vec::new()).await
    }

    /// [`Self::new`], trusting `extra_roots` too for `https://` sources.
    pub async fn with_roots(
        settings: JwtSettings,
        extra_roots: Vec<CertificateDer<'static>>,
    ) -> Result<Self, IdentityError> {
        settings.check()?;
        // The process default is picked from jsonwebtoken's features; installed explicitly
        // so that a second backend enabled elsewhere in the build cannot leave it unset.
        // Failing means one is installed already, which is as good.
        let _ = jsonwebtoken::crypto::CryptoProvider::install_default(
            &jsonwebtoken::crypto::rust_crypto::DEFAULT_PROVIDER,
        );
        let fetcher = Fetcher::new(&settings.jwks, extra_roots)?;
        let verifier = Self {
            location: settings.jwks.to_string(),
            fetcher,
            rs256: validation(&settings, Accepted::Rs256.algorithm()),
            es256: validation(&settings, Accepted::Es256.algorithm()),
            client_claim: settings.client_claim,
            companies_claim: settings.companies_claim,
            permissions_claim: settings.permissions_claim,
            refresh_interval: settings.refresh_interval,
            fetch_timeout: settings.fetch_timeout,
            keys: RwLock::new(None),
            fetch: tokio::sync::Mutex::new(FetchState::default()),
        };
        let mut state = verifier.fetch.lock().await;
        match verifier.fetch_keys(&mut state).await {
            Ok(_) => {}
            Err(error) if matches!(settings.jwks, JwksSource::File(_)) => return Err(error),
            Err(error) => tracing::warn!(
                %error,
                "token signing keys not fetched; tokens are refused until they are"
            ),
        }
        drop(state);
        Ok(verifier)
    }

    /// The set read last, if any.
    fn current(&self) -> Option<Arc<KeySet>> {
        self.keys
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// Reads the JWKS and, if it reads, makes it the current set.
    async fn fetch_keys(&self, state: &mut FetchState) -> Result<Arc<KeySet>, IdentityError> {
        state.last_attempt = Some(Instant::now());
        let fetched = match tokio::time::timeout(self.fetch_timeout, self.fetcher.read()).await {
            Ok(Ok(document)) => KeySet::parse(&document),
            Ok(Err(reason)) => Err(reason),
            Err(_) => Err(format!("no answer within {:?}", self.fetch_timeout)),
        };
        match fetched {
            Ok(keys) => {
                let keys = Arc::new(keys);
                tracing::info!(jwks = %self.location, keys = keys.len(), "token signing keys loaded");
                *self.keys.write().unwrap_or_else(PoisonError::into_inner) = Some(keys.clone());
                state.last_error = None;
                Ok(keys)
            }
            Err(reason) => {
                state.last_error = Some(reason.clone());
                Err(IdentityError::Jwks {
                    location: self.location.clone(),
                    reason,
                })
            }
        }
    }

    /// A set that holds `kid` if one can be had: the current one, or one read again when
    /// the last read is older than the refresh interval.
    async fn keys_for(&self, kid: &str) -> Result<Arc<KeySet>, TokenError> {
        if let Some(keys) = self.current()
            && keys.contains(kid)
        {
            return Ok(keys);
        }
        let mut state = self.fetch.lock().await;
        // Another request may have read the set while this one waited for the lock.
        let current = self.current();
        if let Some(keys) = &current
            && keys.contains(kid)
        {
            return Ok(keys.clone());
        }
        let recent = state
            .last_attempt
            .is_some_and(|at| at.elapsed() < self.refresh_interval);
        let keys = if recent {
            current
        } else {
            match self.fetch_keys(&mut state).await {
                Ok(keys) => Some(keys),
                Err(error) => {
                    tracing::warn!(%error, "token signing keys not fetched again");
                    current
                }
            }
        };
        match keys {
            Some(keys) if keys.contains(kid) => Ok(keys),
            Some(_) => Err(rejected("unknown signing key")),
            None => Err(TokenError::Unavailable(Box::new(IdentityError::Jwks {
                location: self.location.clone(),
                reason: state
                    .last_error
                    .clone()
                    .unwrap_or_else(|| "not fetched yet".to_owned()),
            }))),
        }
    }

    /// The client, permissions and companies the claims grant.
    fn read_claims(&self, claims: &Map<String, Value>) -> Result<VerifiedToken, TokenError> {
        let subject = match claims.get("sub") {
            Some(Value::String(sub)) if !sub.trim().is_empty() => sub.clone(),
            Some(_) => return Err(rejected("malformed claim sub")),
            None => return Err(rejected("missing claim sub")),
        };
        let client = match claims.get(&self.client_claim) {
            None => subject.as_str(),
            Some(Value::String(client)) => client.as_str(),
            Some(_) => return Err(rejected(format!("malformed claim {}", self.client_claim))),
        };
        let client = ClientName::parse(client)
            .map_err(|e| rejected(format!("malformed claim {}: {e}", self.client_claim)))?;
        let companies = self.read_companies(claims.get(&self.companies_claim))?;
        let permissions = self.read_permissions(claims.get(&self.permissions_claim))?;
        Ok(VerifiedToken {
            subject,
            client,
            permissions,
            companies,
        })
    }

    /// Reading, and what the permissions claim grants besides: a string of words
    /// separated by commas or an array of words, each `read` or `write`.
    fn read_permissions(&self, claim: Option<&Value>) -> Result<Permissions, TokenError> {
        let name = &self.permissions_claim;
        let malformed =
            |detail: &dyn fmt::Display| rejected(format!("malformed claim {name}: {detail}"));
        let listed = match claim {
            None | Some(Value::Null) => return Ok(Permissions::READ),
            Some(value) => {
                list_claim(value).ok_or_else(|| malformed(&"not a list of permissions"))?
            }
        };
        let granted = Permissions::parse(&listed).map_err(|e| malformed(&e))?;
        Ok(granted.with(Permission::Read))
    }

    fn read_companies(&self, claim: Option<&Value>) -> Result<CompanyScope, TokenError> {
        let name = &self.companies_claim;
        let malformed =
            |detail: &dyn fmt::Display| rejected(format!("malformed claim {name}: {detail}"));
        let listed = match claim {
            None | Some(Value::Null) => return Err(rejected(format!("missing claim {name}"))),
            Some(value) => {
                list_claim(value).ok_or_else(|| malformed(&"not a list of company codes"))?
            }
        };
        CompanyScope::parse(&listed).map_err(|e| malformed(&e))
    }
}

/// A claim listing words, as the comma-separated text their parsers read: a string as it
/// is, or an array of strings joined by commas. `None` for anything else, and for an
/// array item holding a comma, which would smuggle in more words than items.
fn list_claim(value: &Value) -> Option<String> {
    match value {
        Value::String(list) => Some(list.clone()),
        Value::Array(items) => {
            let mut words = Vec::with_capacity(items.len());
            for item in items {
                match item.as_str() {
                    Some(word) if !word.contains(',') => words.push(word),
                    _ => return None,
                }
            }
            Some(words.join(","))
        }
        _ => None,
    }
}

/// The checks of the registered claims for tokens signed with `algorithm`.
fn validation(settings: &JwtSettings, algorithm: Algorithm) -> Validation {
    let mut validation = Validation::new(algorithm);
    validation.set_issuer(&[&settings.issuer]);
    validation.set_audience(&[&settings.audience]);
    validation.set_required_spec_claims(&["exp", "iss", "aud", "sub"]);
    validation.validate_exp = true;
    validation.validate_nbf = true;
    validation.leeway = settings.leeway.as_secs();
    validation
}

fn rejected(reason: impl Into<String>) -> TokenError {
    TokenError::Rejected(reason.into())
}

/// The algorithm and key id a token's header names, read before anything is trusted:
/// they only pick the key, which the signature check then proves.
fn read_header(token: &str) -> Result<(Accepted, String), TokenError> {
    let malformed = || rejected("malformed token");
    if token.len() > MAX_TOKEN_BYTES {
        return Err(malformed());
    }
    let mut parts = token.split('.');
    let (Some(header), Some(_), Some(_), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(malformed());
    };
    let header = URL_SAFE_NO_PAD.decode(header).map_err(|_| malformed())?;
    let header: Map<String, Value> = serde_json::from_slice(&header).map_err(|_| malformed())?;
    let alg = header
        .get("alg")
        .and_then(Value::as_str)
        .ok_or_else(malformed)?;
    let accepted = Accepted::from_header(alg).ok_or_else(|| rejected("algorithm not allowed"))?;
    let kid = match header.get("kid") {
        Some(Value::String(kid)) if !kid.is_empty() => kid.clone(),
        None | Some(Value::String(_)) => return Err(rejected("missing key id")),
        Some(_) => return Err(malformed()),
    };
    Ok((accepted, kid))
}

/// The reason, safe to tell the bearer, that jsonwebtoken refused `token`.
fn rejection(error: &jsonwebtoken::errors::Error, token: &str) -> TokenError {
    match error.kind() {
        // jsonwebtoken counts a claim of the wrong type (`"exp": "tomorrow"`) as missing.
        ErrorKind::MissingRequiredClaim(claim) if has_claim(token, claim) => {
            rejected(format!("malformed claim {claim}"))
        }
        ErrorKind::InvalidSignature => rejected("bad signature"),
        ErrorKind::ExpiredSignature => rejected("token expired"),
        ErrorKind::ImmatureSignature => rejected("token not yet valid"),
        ErrorKind::InvalidIssuer => rejected("wrong issuer"),
        ErrorKind::InvalidAudience => rejected("wrong audience"),
        ErrorKind::MissingRequiredClaim(claim) => rejected(format!("missing claim {claim}")),
        ErrorKind::InvalidClaimFormat(claim) => rejected(format!("malformed claim {claim}")),
        ErrorKind::InvalidAlgorithm | ErrorKind::MissingAlgorithm => {
            rejected("algorithm not allowed")
        }
        ErrorKind::InvalidRsaKey(_) | ErrorKind::InvalidEcdsaKey | ErrorKind::InvalidKeyFormat => {
            tracing::warn!(%error, "a published token signing key is unusable");
            rejected("unusable signing key")
        }
        _ => rejected("malformed token"),
    }
}

/// Whether the payload of `token` has `claim`, not null; for wording a rejection only.
fn has_claim(token: &str, claim: &str) -> bool {
    token
        .split('.')
        .nth(1)
        .and_then(|payload| URL_SAFE_NO_PAD.decode(payload).ok())
        .and_then(|payload| serde_json::from_slice::<Map<String, Value>>(&payload).ok())
        .is_some_and(|claims| claims.get(claim).is_some_and(|value| !value.is_null()))
}

#[async_trait]
impl TokenVerifier for JwksTokenVerifier {
    async fn verify(&self, token: &str) -> Result<VerifiedToken, TokenError> {
        let token = token.trim();
        let (accepted, kid) = read_header(token)?;
        let keys = self.keys_for(&kid).await?;
        let candidates = keys.by_kid.get(&kid).map_or(&[][..], Vec::as_slice);
        // Never a key of another type than the algorithm's (an RSA key for ES256, or a
        // public key as an HMAC secret).
        let key = candidates
            .iter()
            .find(|key| key.serves == accepted)
            .ok_or_else(|| rejected("signing key does not fit the algorithm"))?;
        if key
            .declared
            .is_some_and(|declared| declared != accepted.key_algorithm())
        {
            return Err(rejected("signing key is for another algorithm"));
        }
        let validation = match accepted {
            Accepted::Rs256 => &self.rs256,
            Accepted::Es256 => &self.es256,
        };
        let data = jsonwebtoken::decode::<Map<String, Value>>(token, &key.key, validation)
            .map_err(|e| rejection(&e, token))?;
        self.read_claims(&data.claims)
    }
}

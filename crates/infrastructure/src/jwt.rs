//! The adapter of the token port: bearer tokens (JWTs) of the group's identity provider,
//! checked against the signing keys it publishes (a JSON Web Key Set, from a file or a
//! URL).
//!
//! Only RS256 and ES256 are accepted, each with a key of its own type named by the
//! token's `kid`. A token naming a key the cached set lacks makes the set be read again,
//! at most once per refresh interval: a rotated key is picked up without a restart, and a
//! flood of made-up key ids cannot make the service hammer the identity provider.

use std::collections::HashMap;
use std::error::Error as StdError;
use std::fmt;
use std::net::IpAddr;
use std::path::PathBuf;
use std::sync::{Arc, PoisonError, RwLock};
use std::time::{Duration, Instant};

use async_trait::async_trait;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use customer_domain::{ClientName, CompanyScope, TokenError, TokenVerifier, VerifiedToken};
use http_body_util::{BodyExt, Empty, Limited};
use hyper::body::Bytes;
use hyper::{StatusCode, Uri};
use hyper_rustls::HttpsConnector;
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use jsonwebtoken::errors::ErrorKind;
use jsonwebtoken::jwk::{AlgorithmParameters, EllipticCurve, Jwk, KeyAlgorithm, PublicKeyUse};
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use rustls::pki_types::CertificateDer;
use serde_json::{Map, Value};

use crate::error::InfraError;

/// The longest token read; longer ones are rejected before any decoding.
const MAX_TOKEN_BYTES: usize = 16 * 1024;
/// The largest JWKS read from a file or URL.
const MAX_JWKS_BYTES: usize = 1024 * 1024;

/// Where the identity provider's signing keys (its JWKS) are read from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum JwksSource {
    /// A local file.
    File(PathBuf),
    /// An `https://` URL; `http://` only for a loopback host (`localhost`, `127.0.0.1`,
    /// `[::1]`), since keys fetched in clear could be swapped on the way.
    Url(String),
}

impl fmt::Display for JwksSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::File(path) => write!(f, "{}", path.display()),
            Self::Url(url) => f.write_str(url),
        }
    }
}

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
            leeway: Self::DEFAULT_LEEWAY,
            refresh_interval: Self::DEFAULT_REFRESH_INTERVAL,
            fetch_timeout: Self::DEFAULT_FETCH_TIMEOUT,
        }
    }

    fn check(&self) -> Result<(), InfraError> {
        for (name, value) in [
            ("issuer", &self.issuer),
            ("audience", &self.audience),
            ("client claim", &self.client_claim),
            ("companies claim", &self.companies_claim),
        ] {
            if value.trim().is_empty() {
                return Err(InfraError::TokenSettings(format!("the {name} is empty")));
            }
        }
        if self.fetch_timeout.is_zero() {
            return Err(InfraError::TokenSettings(
                "the JWKS fetch timeout is zero".to_owned(),
            ));
        }
        Ok(())
    }
}

/// The two algorithms accepted, each tied to the one type of key it is verified with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Accepted {
    Rs256,
    Es256,
}

impl Accepted {
    fn from_header(alg: &str) -> Option<Self> {
        match alg {
            "RS256" => Some(Self::Rs256),
            "ES256" => Some(Self::Es256),
            _ => None,
        }
    }

    fn algorithm(self) -> Algorithm {
        match self {
            Self::Rs256 => Algorithm::RS256,
            Self::Es256 => Algorithm::ES256,
        }
    }

    fn key_algorithm(self) -> KeyAlgorithm {
        match self {
            Self::Rs256 => KeyAlgorithm::RS256,
            Self::Es256 => KeyAlgorithm::ES256,
        }
    }
}

/// A public key of the set that tokens may be verified with.
struct SigningKey {
    /// The one algorithm its type of key serves here.
    serves: Accepted,
    /// The algorithm the JWK declares (`alg`), if any: a token must then use that one.
    declared: Option<KeyAlgorithm>,
    key: DecodingKey,
}

/// The usable keys of a JWKS, by key id (several keys may share one, of different types).
struct KeySet {
    by_kid: HashMap<String, Vec<SigningKey>>,
}

impl KeySet {
    /// Reads a JWKS document, keeping the RSA and P-256 keys with a key id that are not
    /// marked for another use than signatures; the others are skipped.
    fn parse(document: &[u8]) -> Result<Self, String> {
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

    fn contains(&self, kid: &str) -> bool {
        self.by_kid.contains_key(kid)
    }

    fn len(&self) -> usize {
        self.by_kid.values().map(Vec::len).sum()
    }
}

/// The key id and key of a JWK that tokens may be verified with, or why not.
fn signing_key(entry: &Value) -> Result<(String, SigningKey), &'static str> {
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

/// What the JWKS is read from, ready to read.
enum Fetcher {
    File(PathBuf),
    Url {
        uri: Uri,
        client: Box<Client<HttpsConnector<HttpConnector>, Empty<Bytes>>>,
    },
}

impl Fetcher {
    fn new(
        source: &JwksSource,
        extra_roots: Vec<CertificateDer<'static>>,
    ) -> Result<Self, InfraError> {
        match source {
            JwksSource::File(path) => Ok(Self::File(path.clone())),
            JwksSource::Url(url) => {
                let invalid = |reason: &str| InfraError::Jwks {
                    location: url.clone(),
                    reason: reason.to_owned(),
                };
                let uri: Uri = url.parse().map_err(|_| invalid("not a URL"))?;
                let host = uri.host().ok_or_else(|| invalid("the URL names no host"))?;
                match uri.scheme_str() {
                    Some("https") => {}
                    Some("http") if is_loopback(host) => {}
                    Some("http") => {
                        return Err(invalid(
                            "keys are fetched over https:// (http:// only from a loopback host)",
                        ));
                    }
                    _ => return Err(invalid("not an https:// URL")),
                }
                Ok(Self::Url {
                    uri,
                    client: Box::new(https_client(extra_roots)?),
                })
            }
        }
    }

    async fn read(&self) -> Result<Vec<u8>, String> {
        match self {
            Self::File(path) => {
                let bytes = tokio::fs::read(path).await.map_err(|e| e.to_string())?;
                if bytes.len() > MAX_JWKS_BYTES {
                    return Err(format!("larger than {MAX_JWKS_BYTES} bytes"));
                }
                Ok(bytes)
            }
            Self::Url { uri, client } => {
                let response = client.get(uri.clone()).await.map_err(|e| error_chain(&e))?;
                if response.status() != StatusCode::OK {
                    return Err(format!("answered {}", response.status()));
                }
                let body = Limited::new(response.into_body(), MAX_JWKS_BYTES)
                    .collect()
                    .await
                    .map_err(|e| error_chain(&*e))?;
                Ok(body.to_bytes().to_vec())
            }
        }
    }
}

/// Whether `host` (as a URI writes it) is this machine.
fn is_loopback(host: &str) -> bool {
    let host = host.trim_start_matches('[').trim_end_matches(']');
    host.eq_ignore_ascii_case("localhost")
        || host.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

/// An HTTP(S) client whose TLS is rustls over ring (no C library, no cmake), trusting the
/// Mozilla roots, the system's (where it has any; `SSL_CERT_FILE` adds a private CA) and
/// `extra_roots`.
fn https_client(
    extra_roots: Vec<CertificateDer<'static>>,
) -> Result<Client<HttpsConnector<HttpConnector>, Empty<Bytes>>, InfraError> {
    let mut roots = rustls::RootCertStore {
        roots: webpki_roots::TLS_SERVER_ROOTS.to_vec(),
    };
    let native = rustls_native_certs::load_native_certs();
    if !native.errors.is_empty() {
        tracing::debug!(errors = ?native.errors, "some system root certificates were not read");
    }
    roots.add_parsable_certificates(native.certs);
    roots.add_parsable_certificates(extra_roots);
    let tls = rustls::ClientConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .map_err(|e| InfraError::TokenSettings(format!("TLS cannot be set up: {e}")))?
    .with_root_certificates(roots)
    .with_no_client_auth();
    let connector = hyper_rustls::HttpsConnectorBuilder::new()
        .with_tls_config(tls)
        .https_or_http()
        .enable_http1()
        .build();
    Ok(Client::builder(TokioExecutor::new()).build(connector))
}

/// An error and its sources, `: `-separated (hyper's own message is terse).
fn error_chain(error: &(dyn StdError + 'static)) -> String {
    let mut message = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        message.push_str(": ");
        message.push_str(&cause.to_string());
        source = cause.source();
    }
    message
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
    /// [`InfraError::TokenSettings`] for an empty issuer, audience or claim name;
    /// [`InfraError::Jwks`] for a URL that is not `https://` (or loopback `http://`), or a
    /// JWKS file that cannot be read or holds no usable key.
    pub async fn new(settings: JwtSettings) -> Result<Self, InfraError> {
        Self::with_roots(settings, Vec::new()).await
    }

    /// [`Self::new`], trusting `extra_roots` too for `https://` sources.
    async fn with_roots(
        settings: JwtSettings,
        extra_roots: Vec<CertificateDer<'static>>,
    ) -> Result<Self, InfraError> {
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
    async fn fetch_keys(&self, state: &mut FetchState) -> Result<Arc<KeySet>, InfraError> {
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
                Err(InfraError::Jwks {
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
            None => Err(TokenError::Unavailable(Box::new(InfraError::Jwks {
                location: self.location.clone(),
                reason: state
                    .last_error
                    .clone()
                    .unwrap_or_else(|| "not fetched yet".to_owned()),
            }))),
        }
    }

    /// The client and companies the claims grant.
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
        Ok(VerifiedToken {
            subject,
            client,
            companies,
        })
    }

    fn read_companies(&self, claim: Option<&Value>) -> Result<CompanyScope, TokenError> {
        let name = &self.companies_claim;
        let malformed =
            |detail: &dyn fmt::Display| rejected(format!("malformed claim {name}: {detail}"));
        let listed = match claim {
            None | Some(Value::Null) => return Err(rejected(format!("missing claim {name}"))),
            Some(Value::String(list)) => list.clone(),
            Some(Value::Array(items)) => {
                let mut codes = Vec::with_capacity(items.len());
                for item in items {
                    // One code per item: a comma inside would smuggle in more.
                    match item.as_str() {
                        Some(code) if !code.contains(',') => codes.push(code),
                        _ => return Err(malformed(&"not a list of company codes")),
                    }
                }
                codes.join(",")
            }
            Some(_) => return Err(malformed(&"not a list of company codes")),
        };
        CompanyScope::parse(&listed).map_err(|e| malformed(&e))
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

#[cfg(test)]
mod tests {
    use std::sync::Arc;
    use std::time::Duration;

    use rustls::pki_types::{PrivateKeyDer, PrivatePkcs8KeyDer};
    use serde_json::json;
    use tokio::net::TcpListener;

    use super::*;
    use crate::test_support::jwt::{TestIssuer, answer_with_file};

    /// A certificate for `localhost`, self-signed, and an HTTPS server on 127.0.0.1 with
    /// it answering every request with `issuer`'s JWKS: its URL, and the certificate to
    /// trust.
    async fn https_server(issuer: &TestIssuer) -> (String, CertificateDer<'static>) {
        let certified = rcgen::generate_simple_self_signed(vec!["localhost".to_owned()])
            .expect("a self-signed certificate");
        let certificate = certified.cert.der().clone();
        let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(
            certified.signing_key.serialize_der(),
        ));
        let config = rustls::ServerConfig::builder_with_provider(Arc::new(
            rustls::crypto::ring::default_provider(),
        ))
        .with_safe_default_protocol_versions()
        .expect("TLS versions")
        .with_no_client_auth()
        .with_single_cert(vec![certificate.clone()], key)
        .expect("a server configuration");
        let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("a free port");
        let port = listener.local_addr().expect("an address").port();
        let path = issuer.jwks_path().to_owned();
        tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let (acceptor, path) = (acceptor.clone(), path.clone());
                tokio::spawn(async move {
                    if let Ok(stream) = acceptor.accept(stream).await {
                        answer_with_file(stream, &path).await;
                    }
                });
            }
        });
        (format!("https://localhost:{port}/jwks.json"), certificate)
    }

    #[tokio::test]
    async fn keys_are_fetched_over_https_from_a_trusted_server_only() {
        let issuer = TestIssuer::new();
        let (url, certificate) = https_server(&issuer).await;
        let mut settings = issuer.settings();
        settings.jwks = JwksSource::Url(url);
        settings.fetch_timeout = Duration::from_secs(5);
        let claims = TestIssuer::claims("portal", &json!("all"));
        let token = issuer.token(&claims, "ES256");

        let trusting = JwksTokenVerifier::with_roots(settings.clone(), vec![certificate])
            .await
            .expect("a verifier");
        let verified = trusting
            .verify(&token)
            .await
            .expect("the token is accepted");
        assert_eq!(verified.companies, CompanyScope::All);

        // The same server, its certificate not trusted: no keys.
        let distrusting = JwksTokenVerifier::new(settings).await.expect("a verifier");
        match distrusting.verify(&token).await {
            Err(TokenError::Unavailable(error)) => {
                assert!(error.to_string().contains("certificate"), "{error}");
            }
            other => panic!("expected the keys to be unavailable, got {other:?}"),
        }
    }

    #[test]
    fn loopback_hosts_are_recognised() {
        for host in ["localhost", "LOCALHOST", "127.0.0.1", "127.1.2.3", "[::1]"] {
            assert!(is_loopback(host), "{host}");
        }
        for host in ["example.com", "10.0.0.1", "[::2]", "localhost.example.com"] {
            assert!(!is_loopback(host), "{host}");
        }
    }
}

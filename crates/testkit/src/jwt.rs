//! A stand-in for the identity provider: signing keys, the JWKS file that publishes them,
//! tokens signed with them (and the forgeries a verifier must refuse), and a local HTTP
//! server for the JWKS.
//!
//! The RSA keys (2048 bits) are made once per test process: making one takes a while
//! even optimised. Each [`TestIssuer`] makes its own P-256 key and writes its own JWKS.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock, PoisonError};
use std::time::{SystemTime, UNIX_EPOCH};

use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use hmac::{Hmac, KeyInit, Mac};
use jsonwebtoken::jwk::{Jwk, PublicKeyUse};
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use p256::elliptic_curve::Generate;
use p256::pkcs8::EncodePrivateKey;
use rsa::pkcs1::EncodeRsaPrivateKey;
use rsa::pkcs8::EncodePublicKey;
use serde_json::{Value, json};
use sha2::Sha256;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::TcpListener;

use customer_identity::{JwksSource, JwtSettings};

/// An RSA key pair, as jsonwebtoken and the HMAC forgery use it.
struct RsaMaterial {
    /// The private key, PKCS#1 DER.
    private_der: Vec<u8>,
    /// The public key, SPKI PEM: what an attacker would feed HMAC as its secret.
    public_pem: String,
}

fn rsa_material() -> RsaMaterial {
    let key = rsa::PrivateKey::new(&mut rand::rngs::SysRng, 2048).expect("an RSA key");
    let private_der = key.to_pkcs1_der().expect("PKCS#1 DER").as_bytes().to_vec();
    let public_der = key
        .to_public_key()
        .to_public_key_der()
        .expect("SPKI DER")
        .into_vec();
    let mut public_pem = String::from("-----BEGIN PUBLIC KEY-----\n");
    for line in STANDARD.encode(public_der).as_bytes().chunks(64) {
        public_pem.push_str(std::str::from_utf8(line).expect("base64 is ASCII"));
        public_pem.push('\n');
    }
    public_pem.push_str("-----END PUBLIC KEY-----\n");
    RsaMaterial {
        private_der,
        public_pem,
    }
}

/// The RSA key every issuer of this process publishes.
fn rsa_key() -> &'static RsaMaterial {
    static KEY: OnceLock<RsaMaterial> = OnceLock::new();
    KEY.get_or_init(rsa_material)
}

/// An RSA key no issuer publishes.
fn other_rsa_key() -> &'static RsaMaterial {
    static KEY: OnceLock<RsaMaterial> = OnceLock::new();
    KEY.get_or_init(rsa_material)
}

/// A fresh P-256 private key, PKCS#8 DER.
fn ec_key() -> Vec<u8> {
    p256::ecdsa::SigningKey::generate()
        .to_pkcs8_der()
        .expect("PKCS#8 DER")
        .as_bytes()
        .to_vec()
}

/// The algorithm named `alg`, and whether it is signed with an RSA key (else P-256).
fn algorithm(alg: &str) -> (Algorithm, bool) {
    match alg {
        "RS256" => (Algorithm::RS256, true),
        "RS384" => (Algorithm::RS384, true),
        "RS512" => (Algorithm::RS512, true),
        "PS256" => (Algorithm::PS256, true),
        "PS384" => (Algorithm::PS384, true),
        "PS512" => (Algorithm::PS512, true),
        "ES256" => (Algorithm::ES256, false),
        other => panic!("test tokens are signed with RSA or P-256 algorithms, not {other}"),
    }
}

/// A published key and its private half.
struct PublishedKey {
    kid: String,
    rsa: bool,
    private_der: Vec<u8>,
}

impl PublishedKey {
    fn encoding_key(&self) -> EncodingKey {
        if self.rsa {
            EncodingKey::from_rsa_der(&self.private_der)
        } else {
            EncodingKey::from_ec_der(&self.private_der)
        }
    }

    fn jwk(&self) -> Value {
        let alg = if self.rsa {
            Algorithm::RS256
        } else {
            Algorithm::ES256
        };
        let mut jwk = Jwk::from_encoding_key(&self.encoding_key(), alg).expect("a JWK");
        jwk.common.key_id = Some(self.kid.clone());
        jwk.common.public_key_use = Some(PublicKeyUse::Signature);
        serde_json::to_value(jwk).expect("a JWK as JSON")
    }
}

/// The identity provider of a test: an RSA key (kid [`TestIssuer::RSA_KID`]) and a P-256
/// key (kid [`TestIssuer::EC_KID`]) published in a JWKS file of a temporary folder, and
/// tokens signed with them.
///
/// Signing panics on a misuse (an algorithm it has no key for): it is for tests.
#[derive(Debug)]
pub struct TestIssuer {
    folder: tempfile::TempDir,
    jwks_path: PathBuf,
    state: Mutex<IssuerState>,
}

/// The published keys, and any JWK published as is.
struct IssuerState {
    keys: Vec<PublishedKey>,
    raw: Vec<Value>,
}

impl std::fmt::Debug for IssuerState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("IssuerState")
            .field(
                "kids",
                &self.keys.iter().map(|k| &k.kid).collect::<Vec<_>>(),
            )
            .field("raw", &self.raw)
            .finish()
    }
}

impl Default for TestIssuer {
    fn default() -> Self {
        Self::new()
    }
}

impl TestIssuer {
    /// The issuer (`iss`) of its tokens.
    pub const ISSUER: &'static str = "https://idp.test.invalid/realms/group";
    /// The audience (`aud`) of its tokens.
    pub const AUDIENCE: &'static str = "customer-api";
    /// The key id of its RSA key.
    pub const RSA_KID: &'static str = "rsa-1";
    /// The key id of its P-256 key.
    pub const EC_KID: &'static str = "ec-1";

    /// An issuer with its keys published in a fresh JWKS file.
    ///
    /// # Panics
    /// When the keys or the file cannot be made.
    pub fn new() -> Self {
        let folder = tempfile::tempdir().expect("a temporary folder");
        let jwks_path = folder.path().join("jwks.json");
        let issuer = Self {
            folder,
            jwks_path,
            state: Mutex::new(IssuerState {
                keys: vec![
                    PublishedKey {
                        kid: Self::RSA_KID.to_owned(),
                        rsa: true,
                        private_der: rsa_key().private_der.clone(),
                    },
                    PublishedKey {
                        kid: Self::EC_KID.to_owned(),
                        rsa: false,
                        private_der: ec_key(),
                    },
                ],
                raw: Vec::new(),
            }),
        };
        issuer.write_jwks();
        issuer
    }

    /// The JWKS file.
    pub fn jwks_path(&self) -> &Path {
        &self.jwks_path
    }

    /// The temporary folder holding the JWKS file (removed with the issuer).
    pub fn folder(&self) -> &Path {
        self.folder.path()
    }

    /// The JWKS as published now.
    pub fn jwks(&self) -> Value {
        let state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        let keys: Vec<Value> = state
            .keys
            .iter()
            .map(PublishedKey::jwk)
            .chain(state.raw.iter().cloned())
            .collect();
        json!({ "keys": keys })
    }

    /// The published JWK with key id `kid`.
    ///
    /// # Panics
    /// When no published key has that id.
    pub fn jwk(&self, kid: &str) -> Value {
        self.jwks()["keys"]
            .as_array()
            .and_then(|keys| keys.iter().find(|key| key["kid"] == kid).cloned())
            .unwrap_or_else(|| panic!("no published key {kid}"))
    }

    fn write_jwks(&self) {
        let document = serde_json::to_vec_pretty(&self.jwks()).expect("JSON");
        // Written aside and renamed, so that a verifier never reads half a file.
        let partial = self.jwks_path.with_extension("json.partial");
        std::fs::write(&partial, document).expect("the JWKS file is written");
        std::fs::rename(&partial, &self.jwks_path).expect("the JWKS file is replaced");
    }

    /// Publishes a fresh P-256 key under `kid` (a rotation); tokens of
    /// [`Self::token_with_kid`] naming `kid` with ES256 are signed with it from now on.
    pub fn publish_key(&self, kid: &str) {
        self.state
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .keys
            .push(PublishedKey {
                kid: kid.to_owned(),
                rsa: false,
                private_der: ec_key(),
            });
        self.write_jwks();
    }

    /// Publishes `jwk` as it is (a key of another type or use, a declared `alg`...).
    pub fn publish_jwk(&self, jwk: Value) {
        self.state
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .raw
            .push(jwk);
        self.write_jwks();
    }

    /// Settings of a verifier of this issuer's tokens reading its JWKS file, with the
    /// defaults otherwise.
    pub fn settings(&self) -> JwtSettings {
        JwtSettings::new(
            JwksSource::File(self.jwks_path.clone()),
            Self::ISSUER,
            Self::AUDIENCE,
        )
    }

    /// Valid claims for client `client` granted `companies` (an array of codes or a
    /// string such as `"all"`): the issuer, the audience, `sub` and `client_id` both
    /// `client`, issued now and expiring in five minutes.
    pub fn claims(client: &str, companies: &Value) -> Value {
        let now = now();
        json!({
            "iss": Self::ISSUER,
            "aud": Self::AUDIENCE,
            "sub": client,
            "client_id": client,
            "companies": companies,
            "iat": now,
            "exp": now + 300,
        })
    }

    /// `claims` signed with `alg` (`RS256` or `ES256`) by the published key of that type.
    pub fn token(&self, claims: &Value, alg: &str) -> String {
        let kid = if algorithm(alg).1 {
            Self::RSA_KID
        } else {
            Self::EC_KID
        };
        self.token_with_kid(claims, alg, kid)
    }

    /// `claims` signed with `alg` (`RS256`, `RS384`, `RS512`, `PS256`, `PS384`, `PS512`
    /// or `ES256`), the header naming key `kid` (none when empty). The key signing is the
    /// one published under `kid` if it fits `alg`, else this issuer's key of `alg`'s type:
    /// a token naming an unknown key, or a key of another type, is still well signed.
    pub fn token_with_kid(&self, claims: &Value, alg: &str, kid: &str) -> String {
        let (algorithm, rsa) = algorithm(alg);
        let state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        let key = state
            .keys
            .iter()
            .find(|key| key.kid == kid && key.rsa == rsa)
            .or_else(|| state.keys.iter().find(|key| key.rsa == rsa))
            .expect("a key of each type")
            .encoding_key();
        let mut header = Header::new(algorithm);
        header.kid = Some(kid.to_owned()).filter(|kid| !kid.is_empty());
        jsonwebtoken::encode(&header, claims, &key).expect("a signed token")
    }

    /// `claims` signed with `alg` (`RS256` or `ES256`) naming the published key of that
    /// type, but signed by another key: its signature does not verify.
    pub fn token_signed_by_other_key(&self, claims: &Value, alg: &str) -> String {
        let (algorithm, rsa) = algorithm(alg);
        let (kid, key) = if rsa {
            (
                Self::RSA_KID,
                EncodingKey::from_rsa_der(&other_rsa_key().private_der),
            )
        } else {
            (Self::EC_KID, EncodingKey::from_ec_der(&ec_key()))
        };
        let mut header = Header::new(algorithm);
        header.kid = Some(kid.to_owned());
        jsonwebtoken::encode(&header, claims, &key).expect("a signed token")
    }

    /// `claims` with `alg: none` and an empty signature, naming the RSA key.
    pub fn unsigned_none_token(&self, claims: &Value) -> String {
        let header = json!({ "alg": "none", "typ": "JWT", "kid": Self::RSA_KID });
        format!("{}.{}.", encode_part(&header), encode_part(claims))
    }

    /// `claims` with `alg: HS256`, naming the RSA key and signed with HMAC keyed by that
    /// key's public PEM: the forgery that a verifier using the key as published for any
    /// algorithm would accept.
    pub fn hs256_with_public_key(&self, claims: &Value) -> String {
        let header = json!({ "alg": "HS256", "typ": "JWT", "kid": Self::RSA_KID });
        let message = format!("{}.{}", encode_part(&header), encode_part(claims));
        let mut mac = Hmac::<Sha256>::new_from_slice(rsa_key().public_pem.as_bytes())
            .expect("HMAC takes any key length");
        mac.update(message.as_bytes());
        let signature = URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes());
        format!("{message}.{signature}")
    }

    /// A server on 127.0.0.1 (a free port) answering every request with the JWKS file as
    /// it is then.
    ///
    /// # Panics
    /// When no port can be had.
    pub async fn serve(&self) -> JwksServer {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("a free port");
        JwksServer::start(listener, self.jwks_path.clone())
    }
}

/// A part of a token: JSON, base64url without padding.
fn encode_part(value: &Value) -> String {
    URL_SAFE_NO_PAD.encode(serde_json::to_vec(value).expect("JSON"))
}

/// Seconds since the epoch.
pub fn now() -> i64 {
    let seconds = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .expect("a clock after 1970")
        .as_secs();
    i64::try_from(seconds).expect("a clock before the year 292 billion")
}

/// A JWKS served over HTTP on a loopback port, the file read at each request; stopped
/// when dropped.
#[derive(Debug)]
pub struct JwksServer {
    address: SocketAddr,
    requests: Arc<AtomicUsize>,
    task: tokio::task::JoinHandle<()>,
}

impl JwksServer {
    /// Serves the JWKS file at `jwks_path` to every connection `listener` accepts, one
    /// request per connection.
    ///
    /// # Panics
    /// When the listener has no local address.
    pub fn start(listener: TcpListener, jwks_path: PathBuf) -> Self {
        let address = listener.local_addr().expect("a bound listener");
        let requests = Arc::new(AtomicUsize::new(0));
        let counter = requests.clone();
        let task = tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let (counter, path) = (counter.clone(), jwks_path.clone());
                tokio::spawn(async move {
                    counter.fetch_add(1, Ordering::SeqCst);
                    answer_with_file(stream, &path).await;
                });
            }
        });
        Self {
            address,
            requests,
            task,
        }
    }

    /// `http://127.0.0.1:PORT/jwks.json`.
    pub fn url(&self) -> String {
        format!("http://{}/jwks.json", self.address)
    }

    /// The address it listens on.
    pub fn address(&self) -> SocketAddr {
        self.address
    }

    /// How many requests it has answered (or begun to).
    pub fn requests(&self) -> usize {
        self.requests.load(Ordering::SeqCst)
    }
}

impl Drop for JwksServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// Reads one HTTP request from `stream` (its head only) and answers it with the file at
/// `path` as JSON (404 when it cannot be read), closing the connection.
pub async fn answer_with_file<S>(mut stream: S, path: &Path)
where
    S: AsyncRead + AsyncWrite + Unpin,
{
    let mut head = Vec::new();
    let mut buffer = [0_u8; 1024];
    while !head.windows(4).any(|w| w == b"\r\n\r\n") && head.len() < 64 * 1024 {
        match stream.read(&mut buffer).await {
            Ok(0) | Err(_) => return,
            Ok(n) => head.extend_from_slice(&buffer[..n]),
        }
    }
    let (status, body) = match tokio::fs::read(path).await {
        Ok(body) => ("200 OK", body),
        Err(_) => ("404 Not Found", b"{}".to_vec()),
    };
    let response = format!(
        "HTTP/1.1 {status}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\
         Connection: close\r\n\r\n",
        body.len()
    );
    let _ = stream.write_all(response.as_bytes()).await;
    let _ = stream.write_all(&body).await;
    let _ = stream.shutdown().await;
}

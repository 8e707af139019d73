//! Reading the key set: from a file, or over HTTPS (rustls with the system's and the
//! Mozilla roots), bounded in size and time.

use std::error::Error as StdError;
use std::fmt;
use std::net::IpAddr;
use std::path::PathBuf;
use std::sync::Arc;

use http_body_util::{BodyExt, Empty, Limited};
use hyper::body::Bytes;
use hyper::{StatusCode, Uri};
use hyper_rustls::HttpsConnector;
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use rustls::pki_types::CertificateDer;

use crate::error::IdentityError;
use crate::jwks::MAX_JWKS_BYTES;

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

/// What the JWKS is read from, ready to read.
pub(crate) enum Fetcher {
    File(PathBuf),
    Url {
        uri: Uri,
        client: Box<Client<HttpsConnector<HttpConnector>, Empty<Bytes>>>,
    },
}

impl Fetcher {
    pub(crate) fn new(
        source: &JwksSource,
        extra_roots: Vec<CertificateDer<'static>>,
    ) -> Result<Self, IdentityError> {
        match source {
            JwksSource::File(path) => Ok(Self::File(path.clone())),
            JwksSource::Url(url) => {
                let invalid = |reason: &str| IdentityError::Jwks {
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

    pub(crate) async fn read(&self) -> Result<Vec<u8>, String> {
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
pub(crate) fn is_loopback(host: &str) -> bool {
    let host = host.trim_start_matches('[').trim_end_matches(']');
    host.eq_ignore_ascii_case("localhost")
        || host.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

/// An HTTP(S) client whose TLS is rustls over ring (no C library, no cmake), trusting the
/// Mozilla roots, the system's (where it has any; `SSL_CERT_FILE` adds a private CA) and
/// `extra_roots`.
pub(crate) fn https_client(
    extra_roots: Vec<CertificateDer<'static>>,
) -> Result<Client<HttpsConnector<HttpConnector>, Empty<Bytes>>, IdentityError> {
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
    .map_err(|e| IdentityError::TokenSettings(format!("TLS cannot be set up: {e}")))?
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
pub(crate) fn error_chain(error: &(dyn StdError + 'static)) -> String {
    let mut message = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        message.push_str(": ");
        message.push_str(&cause.to_string());
        source = cause.source();
    }
    message
}

#[cfg(test)]
mod tests {
    use super::is_loopback;

    #[test]
    pub(crate) fn loopback_hosts_are_recognised() {
        for host in ["localhost", "LOCALHOST", "127.0.0.1", "127.1.2.3", "[::1]"] {
            assert!(is_loopback(host), "{host}");
        }
        for host in ["example.com", "10.0.0.1", "[::2]", "localhost.example.com"] {
            assert!(!is_loopback(host), "{host}");
        }
    }
}

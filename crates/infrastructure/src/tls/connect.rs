//! Opening a PostgreSQL connection with the TLS the settings ask for, and saying why a
//! handshake was refused.
//!
//! tokio-postgres-rustls does the TLS (with SCRAM channel binding, which a connector of
//! our own would have to redo); the certificate checks that `prefer`, `require` and
//! `verify-ca` need are rustls verifiers below.

use std::sync::Arc;

use diesel::{ConnectionError, ConnectionResult};
use diesel_async::AsyncPgConnection;
use rustls::client::WebPkiServerVerifier;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::{CryptoProvider, WebPkiSupportedAlgorithms};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{
    CertificateError, ClientConfig, DigitallySignedStruct, RootCertStore, SignatureScheme,
};
use tokio_postgres::config::{Host, SslMode as DriverMode};
use tokio_postgres_rustls::MakeRustlsConnect;

use super::{PgTlsSettings, RootCerts, SslMode, split_url};
use crate::error::InfraError;

/// The TLS of a PostgreSQL URL, ready to connect with: its CAs read, its rustls
/// configuration built once for every connection of a pool.
#[derive(Clone)]
pub(crate) struct PgTls {
    settings: PgTlsSettings,
    connector: MakeRustlsConnect,
}

impl std::fmt::Debug for PgTls {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PgTls")
            .field("settings", &self.settings)
            .finish_non_exhaustive()
    }
}

impl PgTls {
    /// Splits `url` (see [`split_url`]) and prepares its TLS; returns the URL left for
    /// tokio-postgres.
    ///
    /// # Errors
    /// [`InfraError::Configuration`] for unusable TLS parameters, or an `sslrootcert` file
    /// that cannot be read or holds no certificate.
    pub(crate) fn from_url(url: &str) -> Result<(String, Self), InfraError> {
        let (url, settings) = split_url(url)?;
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let algorithms = provider.signature_verification_algorithms;
        let verifier: Arc<dyn ServerCertVerifier> = match settings.mode {
            SslMode::Disable | SslMode::Prefer | SslMode::Require => Arc::new(Unnamed {
                chain: None,
                algorithms,
            }),
            SslMode::VerifyCa => Arc::new(Unnamed {
                chain: Some(webpki(&settings.root_certs, &provider)?),
                algorithms,
            }),
            SslMode::VerifyFull => webpki(&settings.root_certs, &provider)?,
        };
        let config = ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .map_err(|error| InfraError::Configuration(format!("TLS cannot be set up: {error}")))?
            .dangerous()
            .with_custom_certificate_verifier(verifier)
            .with_no_client_auth();
        let connector = MakeRustlsConnect::new(config);
        Ok((
            url,
            Self {
                settings,
                connector,
            },
        ))
    }

    /// The settings read from the URL.
    pub(crate) fn settings(&self) -> &PgTlsSettings {
        &self.settings
    }

    /// Connects as `config` says (its TLS mode set here), and starts the connection's
    /// task on the current runtime.
    ///
    /// # Errors
    /// [`ConnectionError::InvalidConnectionUrl`] when TLS was refused (see
    /// [`InfraError::tls_refusal`]), [`ConnectionError::BadConnection`] for the rest.
    pub(crate) async fn open(
        &self,
        config: &mut tokio_postgres::Config,
    ) -> ConnectionResult<AsyncPgConnection> {
        config.ssl_mode(self.driver_mode());
        let (client, connection) = config
            .connect(self.connector.clone())
            .await
            .map_err(|error| self.explain(config, &error))?;
        AsyncPgConnection::try_from_client_and_connection(client, connection).await
    }

    /// Like [`Self::open`], for a bare tokio-postgres client (the replica checks), its
    /// connection driven by a task on the current runtime.
    ///
    /// # Errors
    /// As [`Self::open`].
    pub(crate) async fn client(
        &self,
        config: &mut tokio_postgres::Config,
    ) -> ConnectionResult<tokio_postgres::Client> {
        config.ssl_mode(self.driver_mode());
        let (client, connection) = config
            .connect(self.connector.clone())
            .await
            .map_err(|error| self.explain(config, &error))?;
        tokio::spawn(async move {
            let _ = connection.await;
        });
        Ok(client)
    }

    /// tokio-postgres knows no certificate checks: they are in the rustls configuration,
    /// and the driver is only told whether TLS is optional.
    fn driver_mode(&self) -> DriverMode {
        match self.settings.mode {
            SslMode::Disable => DriverMode::Disable,
            SslMode::Prefer => DriverMode::Prefer,
            SslMode::Require | SslMode::VerifyCa | SslMode::VerifyFull => DriverMode::Require,
        }
    }

    /// What went wrong, in words: the driver's own text is `db error` for what the server
    /// said, and `error performing TLS handshake` for any TLS failure.
    fn explain(
        &self,
        config: &tokio_postgres::Config,
        error: &tokio_postgres::Error,
    ) -> ConnectionError {
        let source = std::error::Error::source(error);
        if !error
            .to_string()
            .starts_with("error performing TLS handshake")
        {
            return ConnectionError::BadConnection(match source {
                Some(source) => format!("{error}: {source}"),
                None => error.to_string(),
            });
        }
        let rustls_error = source
            .and_then(|source| source.downcast_ref::<std::io::Error>())
            .and_then(std::io::Error::get_ref)
            .and_then(|inner| inner.downcast_ref::<rustls::Error>());
        let mode = self.settings.mode;
        let hosts = hosts(config);
        let reason = match rustls_error {
            Some(rustls::Error::InvalidCertificate(CertificateError::UnknownIssuer)) => format!(
                "the TLS certificate of PostgreSQL at {hosts} is not trusted: no CA of {} signed it",
                self.settings.root_certs
            ),
            Some(rustls::Error::InvalidCertificate(CertificateError::NotValidForNameContext {
                expected,
                presented,
            })) => format!(
                "the host {} does not match the TLS certificate of PostgreSQL at {hosts}, which \
                 names {}",
                expected.to_str(),
                presented
                    .iter()
                    .map(|name| bare_name(name))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            Some(rustls::Error::InvalidCertificate(CertificateError::NotValidForName)) => {
                format!("the TLS certificate of PostgreSQL at {hosts} does not name that host")
            }
            Some(other) => format!("TLS with PostgreSQL at {hosts} failed: {other}"),
            None => match source {
                Some(source) if source.to_string().contains("does not support TLS") => {
                    format!("PostgreSQL at {hosts} does not offer TLS, which the sslmode demands")
                }
                Some(source) => format!("TLS with PostgreSQL at {hosts} failed: {source}"),
                None => format!("TLS with PostgreSQL at {hosts} failed"),
            },
        };
        ConnectionError::InvalidConnectionUrl(format!("{reason} (sslmode={mode})"))
    }
}

/// Opens one connection to the PostgreSQL URL `url`, with its TLS, without the pool's
/// session settings (for the migrations and the start-up lock).
///
/// # Errors
/// [`InfraError::Configuration`] for unusable settings, [`InfraError::Connect`] when no
/// connection could be opened.
pub(crate) async fn connect(url: &str) -> Result<AsyncPgConnection, InfraError> {
    let (url, tls) = PgTls::from_url(url)?;
    let mut config: tokio_postgres::Config = url
        .parse()
        .map_err(|error: tokio_postgres::Error| InfraError::Configuration(error.to_string()))?;
    Ok(tls.open(&mut config).await?)
}

/// A name of a certificate as rustls presents it (`DnsName("db.example")`), bare.
pub(super) fn bare_name(presented: &str) -> &str {
    presented
        .split_once("(\"")
        .and_then(|(_, rest)| rest.strip_suffix("\")"))
        .unwrap_or(presented)
}

/// The hosts of `config`, for messages (`a:5432, b:5433`).
fn hosts(config: &tokio_postgres::Config) -> String {
    let ports = config.get_ports();
    config
        .get_hosts()
        .iter()
        .enumerate()
        .map(|(i, host)| {
            let port = ports.get(i).or(ports.first()).copied().unwrap_or(5432);
            match host {
                Host::Tcp(name) => format!("{name}:{port}"),
                #[cfg(unix)]
                Host::Unix(path) => format!("{}:{port}", path.display()),
            }
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// rustls' usual verifier: the chain up to a trusted CA, and the host name.
fn webpki(
    roots: &RootCerts,
    provider: &Arc<CryptoProvider>,
) -> Result<Arc<WebPkiServerVerifier>, InfraError> {
    let mut store = RootCertStore::empty();
    match roots {
        RootCerts::System => {
            store.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
            let native = rustls_native_certs::load_native_certs();
            if !native.errors.is_empty() {
                tracing::debug!(errors = ?native.errors, "some system root certificates were not read");
            }
            store.add_parsable_certificates(native.certs);
        }
        RootCerts::File(path) => {
            let unreadable = |reason: String| {
                InfraError::Configuration(format!(
                    "sslrootcert={} cannot be used: {reason}",
                    path.display()
                ))
            };
            let certificates = CertificateDer::pem_file_iter(path)
                .map_err(|error| unreadable(error.to_string()))?
                .collect::<Result<Vec<_>, _>>()
                .map_err(|error| unreadable(error.to_string()))?;
            if certificates.is_empty() {
                return Err(unreadable("it holds no PEM certificate".into()));
            }
            for certificate in certificates {
                store
                    .add(certificate)
                    .map_err(|error| unreadable(error.to_string()))?;
            }
        }
    }
    WebPkiServerVerifier::builder_with_provider(Arc::new(store), provider.clone())
        .build()
        .map_err(|error| InfraError::Configuration(format!("TLS cannot be set up: {error}")))
}

/// The certificate check of `prefer`, `require` (libpq's meaning: encryption without
/// authentication of the server) and `verify-ca` (the chain, not the host name). The
/// handshake's signatures are checked against the certificate's key in every case.
#[derive(Debug)]
struct Unnamed {
    /// The verifier of the chain, for `verify-ca`; `None`: any certificate.
    chain: Option<Arc<WebPkiServerVerifier>>,
    algorithms: WebPkiSupportedAlgorithms,
}

impl ServerCertVerifier for Unnamed {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp_response: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        let Some(chain) = &self.chain else {
            return Ok(ServerCertVerified::assertion());
        };
        // The name is checked last, once the chain is known good.
        match chain.verify_server_cert(end_entity, intermediates, server_name, ocsp_response, now) {
            Err(rustls::Error::InvalidCertificate(
                CertificateError::NotValidForName | CertificateError::NotValidForNameContext { .. },
            )) => Ok(ServerCertVerified::assertion()),
            other => other,
        }
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(message, cert, dss, &self.algorithms)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(message, cert, dss, &self.algorithms)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.algorithms.supported_schemes()
    }
}

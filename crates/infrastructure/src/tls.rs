//! TLS to PostgreSQL with rustls: libpq's `sslmode` and `sslrootcert`, read from the URL.
//!
//! tokio-postgres knows only `sslmode=disable|prefer|require` and no `sslrootcert`, so
//! both are taken out of the URL here and the rest is left to it. The modes mean what
//! they mean to libpq:
//! - `disable`: no TLS;
//! - `prefer`: TLS if the server offers it, without checking its certificate;
//! - `require`: TLS or no connection, the certificate unchecked, unless `sslrootcert`
//!   is given: then as `verify-ca` (libpq's rule);
//! - `verify-ca`: the certificate chain must lead to a trusted CA;
//! - `verify-full`: that, and the certificate must name the host connected to (each host
//!   of a multi-host URL in turn).
//!
//! The trusted CAs are those of the PEM file `sslrootcert` names; without it (or with
//! `sslrootcert=system`, which like libpq 16 needs `verify-full`) the system's CAs and
//! the Mozilla roots, as for the identity provider's keys. A URL without `sslmode`
//! uses `prefer` when a host is not on this machine, and `disable` when every host is
//! (`localhost`, a loopback address, a Unix socket): TLS to oneself protects nothing.

mod connect;

use std::fmt;
use std::net::IpAddr;
use std::path::PathBuf;

use tokio_postgres::config::Host;

use crate::database_url::DatabaseUrl;
use crate::error::InfraError;

pub(crate) use connect::{PgTls, connect};

/// libpq's `sslmode`, weakest first: the order is that of the protection given, so
/// that a minimum can be required.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum SslMode {
    /// No TLS.
    Disable,
    /// TLS when the server offers it; its certificate is not checked.
    Prefer,
    /// TLS or no connection; the certificate is not checked.
    Require,
    /// TLS, with a certificate signed by a trusted CA.
    VerifyCa,
    /// TLS, with a certificate signed by a trusted CA that names the host.
    VerifyFull,
}

impl SslMode {
    /// Every mode, weakest first.
    pub const ALL: [Self; 5] = [
        Self::Disable,
        Self::Prefer,
        Self::Require,
        Self::VerifyCa,
        Self::VerifyFull,
    ];

    /// The mode libpq names `text` (`disable`, `prefer`, `require`, `verify-ca`,
    /// `verify-full`).
    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|mode| mode.as_str() == text)
    }

    /// libpq's name of the mode.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Disable => "disable",
            Self::Prefer => "prefer",
            Self::Require => "require",
            Self::VerifyCa => "verify-ca",
            Self::VerifyFull => "verify-full",
        }
    }
}

impl fmt::Display for SslMode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Where the CAs trusted to sign the server's certificate come from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RootCerts {
    /// The operating system's CAs and the Mozilla roots (no `sslrootcert`, or
    /// `sslrootcert=system`).
    System,
    /// The PEM file `sslrootcert` names.
    File(PathBuf),
}

impl fmt::Display for RootCerts {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::System => f.write_str("the system's CAs (no sslrootcert)"),
            Self::File(path) => write!(f, "sslrootcert={}", path.display()),
        }
    }
}

/// The TLS settings of a PostgreSQL URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PgTlsSettings {
    /// The mode in force: the URL's `sslmode` or the default for its hosts;
    /// `require` with an `sslrootcert` file is `verify-ca`.
    pub mode: SslMode,
    /// Whether the URL says `sslmode` (rather than the default applying).
    pub explicit: bool,
    /// The CAs trusted (used from `verify-ca` on).
    pub root_certs: RootCerts,
}

impl PgTlsSettings {
    /// Reads the TLS settings of the PostgreSQL URL `url`.
    ///
    /// # Errors
    /// [`InfraError::Configuration`] for an unknown `sslmode`, a TLS parameter that is not
    /// supported (client certificates, revocation lists...), or a URL the driver cannot
    /// read.
    pub fn of_url(url: &str) -> Result<Self, InfraError> {
        split_url(url).map(|(_, settings)| settings)
    }
}

impl DatabaseUrl {
    /// The TLS settings of a PostgreSQL URL, checked as a connection would use them (an
    /// `sslrootcert` file read); `None` for SQLite.
    ///
    /// # Errors
    /// [`InfraError::Configuration`] for unusable TLS parameters or an `sslrootcert` file
    /// that cannot be used.
    pub fn tls(&self) -> Result<Option<PgTlsSettings>, InfraError> {
        match self {
            Self::Postgres(url) => Ok(Some(PgTls::from_url(url)?.1.settings().clone())),
            Self::Sqlite(_) => Ok(None),
        }
    }
}

/// The TLS parameters this module reads itself.
const READ_HERE: [&str; 2] = ["sslmode", "sslrootcert"];

/// libpq's TLS parameters that are not supported: refused rather than ignored, since
/// ignoring one would connect with less than was asked.
const UNSUPPORTED: [&str; 11] = [
    "sslcert",
    "sslkey",
    "sslpassword",
    "sslcertmode",
    "sslcrl",
    "sslcrldir",
    "sslsni",
    "sslcompression",
    "ssl_min_protocol_version",
    "ssl_max_protocol_version",
    "requiressl",
];

/// Splits a `postgres://` URL into the URL left for tokio-postgres (without `sslmode` and
/// `sslrootcert`) and its TLS settings.
pub(crate) fn split_url(url: &str) -> Result<(String, PgTlsSettings), InfraError> {
    let invalid = |reason: String| InfraError::Configuration(reason);
    let (base, query) = url.split_once('?').unwrap_or((url, ""));
    let mut kept = Vec::new();
    let mut mode = None;
    let mut root_cert = None;
    for pair in query.split('&').filter(|pair| !pair.is_empty()) {
        // Percent-decoded as tokio-postgres does ('+' stays '+', unlike a form's).
        let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
        let key = percent_encoding::percent_decode_str(key).decode_utf8_lossy();
        let value = percent_encoding::percent_decode_str(value).decode_utf8_lossy();
        if UNSUPPORTED.contains(&&*key) {
            return Err(invalid(format!(
                "the PostgreSQL URL parameter {key} is not supported (TLS settings: sslmode and \
                 sslrootcert)"
            )));
        }
        if !READ_HERE.contains(&&*key) {
            kept.push(pair);
        } else if key == "sslmode" {
            mode = Some(SslMode::parse(&value).ok_or_else(|| {
                invalid(format!(
                    "sslmode={value} is not a mode: use disable, prefer, require, verify-ca or \
                     verify-full"
                ))
            })?);
        } else if value.is_empty() {
            return Err(invalid("sslrootcert is empty: name a PEM file".into()));
        } else {
            root_cert = Some(value.into_owned());
        }
    }
    let stripped = if kept.is_empty() {
        base.to_owned()
    } else {
        format!("{base}?{}", kept.join("&"))
    };
    let config: tokio_postgres::Config =
        stripped.parse().map_err(|error: tokio_postgres::Error| {
            // The driver's text alone is `invalid connection string`: add what is wrong.
            match std::error::Error::source(&error) {
                Some(source) => invalid(format!("the PostgreSQL URL: {error}: {source}")),
                None => invalid(format!("the PostgreSQL URL: {error}")),
            }
        })?;
    let explicit = mode.is_some();
    let mut mode = mode.unwrap_or(if is_local(&config) {
        SslMode::Disable
    } else {
        SslMode::Prefer
    });
    let root_certs = match root_cert.as_deref() {
        Some("system") if mode < SslMode::VerifyFull => {
            return Err(invalid(format!(
                "sslrootcert=system needs sslmode=verify-full, not sslmode={mode}"
            )));
        }
        None | Some("system") => RootCerts::System,
        Some(path) => {
            if mode == SslMode::Require {
                mode = SslMode::VerifyCa;
            }
            RootCerts::File(PathBuf::from(path))
        }
    };
    Ok((
        stripped,
        PgTlsSettings {
            mode,
            explicit,
            root_certs,
        },
    ))
}

/// Whether every host the configuration names is this machine.
fn is_local(config: &tokio_postgres::Config) -> bool {
    let loopback = |host: &str| {
        host.eq_ignore_ascii_case("localhost")
            || host
                .trim_start_matches('[')
                .trim_end_matches(']')
                .parse::<IpAddr>()
                .is_ok_and(|ip| ip.is_loopback())
    };
    let hosts_local = config.get_hosts().iter().all(|host| match host {
        Host::Tcp(name) => loopback(name),
        #[cfg(unix)]
        Host::Unix(_) => true,
    });
    // With `hostaddr`, the address dialled is that one, whatever the host name says.
    let addresses_local = config.get_hostaddrs().iter().all(IpAddr::is_loopback);
    if config.get_hostaddrs().is_empty() {
        hosts_local
    } else {
        addresses_local
    }
}

#[cfg(test)]
mod tests;

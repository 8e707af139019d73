//! The settings as the files and the environment spell them: strings and numbers, read
//! by `serde` and checked by nothing but their types. [`super::Settings`] is made from
//! them once, at load, by checks that name the key of each invalid value.
//!
//! Every section denies unknown keys: a misspelled setting would otherwise be ignored
//! without a word, and its default used.

use serde::Deserialize;

use super::{AuthMode, LogSettings, one_of};

/// Every setting, as written.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawSettings {
    pub(super) server: RawServer,
    pub(super) database: RawDatabase,
    pub(super) log: LogSettings,
    pub(super) auth: RawAuth,
    pub(super) audit: RawAudit,
}

/// `[server]`, as written (see `config/default.toml`).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawServer {
    pub(super) host: String,
    pub(super) port: u16,
    pub(super) workers: usize,
    pub(super) shutdown_grace_secs: u64,
    pub(super) max_query_length: usize,
    pub(super) max_import_bytes: usize,
    pub(super) keep_alive_secs: u64,
    pub(super) client_request_timeout_ms: u64,
    pub(super) drain_delay_ms: u64,
    pub(super) readiness_timeout_ms: u64,
    pub(super) readiness_cache_ms: u64,
    pub(super) request_timeout_ms: u64,
    #[serde(default)]
    pub(super) admin_port: Option<u16>,
}

/// `[database]`, as written (see `config/default.toml`).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawDatabase {
    pub(super) url: String,
    pub(super) migrate_on_start: bool,
    pub(super) seed_demo_when_empty: bool,
    pub(super) max_connections: usize,
    pub(super) wait_timeout_ms: u64,
    pub(super) create_timeout_ms: u64,
    pub(super) recycle_timeout_ms: u64,
    pub(super) statement_timeout_ms: u64,
    pub(super) tcp_keepalive_secs: u64,
    pub(super) tcp_user_timeout_ms: u64,
    pub(super) reference_cache_ttl_secs: u64,
    pub(super) local_time_offset: String,
    pub(super) min_sslmode: String,
    /// A list in files; in the environment, comma-separated (see [`url_list`]).
    #[serde(deserialize_with = "url_list")]
    pub(super) replica_urls: Vec<String>,
    pub(super) replica_check_interval_ms: u64,
    pub(super) max_replica_lag_ms: u64,
    pub(super) replica_fallback: RawReplicaFallback,
}

/// `database.replica_fallback`: `primary` or `unavailable`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(try_from = "String")]
pub(super) enum RawReplicaFallback {
    Primary,
    Unavailable,
}

impl TryFrom<String> for RawReplicaFallback {
    type Error = String;

    fn try_from(value: String) -> Result<Self, Self::Error> {
        one_of(
            &value,
            &[
                ("primary", Self::Primary),
                ("unavailable", Self::Unavailable),
            ],
        )
    }
}

/// `[auth]`, as written (see `config/default.toml`).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawAuth {
    pub(super) mode: AuthMode,
    pub(super) key_cache_ttl_secs: u64,
    pub(super) default_rate_limit: String,
    pub(super) failed_auth_rate_limit: String,
    pub(super) trusted_proxies: String,
    pub(super) disabled_warning_interval_secs: u64,
    pub(super) jwt: RawJwt,
}

/// `[auth.jwt]`, as written (see `config/default.toml`).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawJwt {
    pub(super) enabled: bool,
    pub(super) jwks_file: String,
    pub(super) jwks_url: String,
    pub(super) issuer: String,
    pub(super) audience: String,
    pub(super) client_claim: String,
    pub(super) companies_claim: String,
    pub(super) permissions_claim: String,
    pub(super) leeway_secs: u64,
    pub(super) refresh_interval_secs: u64,
    pub(super) fetch_timeout_ms: u64,
}

/// `[audit]`, as written (see `config/default.toml`).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawAudit {
    pub(super) mode: RawAuditMode,
    pub(super) hmac_key: String,
    pub(super) batch_size: usize,
    pub(super) writers: usize,
    pub(super) queue_capacity: usize,
}

/// `audit.mode`: `sync`, `async` or `off`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(try_from = "String")]
pub(super) enum RawAuditMode {
    Sync,
    Async,
    Off,
}

impl TryFrom<String> for RawAuditMode {
    type Error = String;

    fn try_from(value: String) -> Result<Self, Self::Error> {
        one_of(
            &value,
            &[
                ("sync", Self::Sync),
                ("async", Self::Async),
                ("off", Self::Off),
            ],
        )
    }
}

/// A list of URLs, from a list (files) or from one comma-separated string (an
/// environment variable: `APP__DATABASE__REPLICA_URLS=postgres://r1/db,postgres://r2/db`).
/// Split here rather than by the `config` crate's list parsing, which needs
/// `try_parsing`: that would turn every other variable that looks like a number into
/// one (an HMAC key `0123` into `123`). A piece without `://` continues the URL before
/// it, so that a URL of several hosts (`postgres://h1:5432,h2:5433/db`) stays whole.
fn url_list<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<Vec<String>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum OneOrMany {
        One(String),
        Many(Vec<String>),
    }
    Ok(match OneOrMany::deserialize(deserializer)? {
        OneOrMany::Many(urls) => urls,
        OneOrMany::One(text) => split_urls(&text),
    })
}

/// `text` split at the commas that begin another URL.
fn split_urls(text: &str) -> Vec<String> {
    let mut urls: Vec<String> = Vec::new();
    for piece in text.split(',').map(str::trim) {
        match urls.last_mut() {
            Some(last) if !piece.contains("://") => {
                last.push(',');
                last.push_str(piece);
            }
            _ if piece.is_empty() => {}
            _ => urls.push(piece.to_owned()),
        }
    }
    urls
}

//! Configuration: built-in defaults (`config/default.toml`), then
//! `config/default.toml` and `config/<APP_ENV>.toml` from the configuration folder, then
//! `APP__SECTION__KEY` environment variables, then `DATABASE_URL`.
//!
//! An unknown key in any layer stops start-up with its name: a misspelled setting would
//! otherwise be ignored without a word, and its default used.

use std::net::IpAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use config::{Config, Environment, File, FileFormat};
use customer_domain::RateLimit;
use customer_infrastructure::{DatabaseUrl, PoolSettings, ReplicaFallback, ReplicaSettings};
use serde::Deserialize;
use tracing_subscriber::EnvFilter;

/// The defaults, built in so that the binary runs from any folder with no files.
const DEFAULTS: &str = include_str!("../../../config/default.toml");

/// Every setting of the service.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Settings {
    /// `[server]`: the HTTP listener.
    pub server: ServerSettings,
    /// `[database]`: where the customers are, and the connection pool.
    pub database: DatabaseSettings,
    /// `[log]`: what is logged, and how.
    pub log: LogSettings,
    /// `[auth]`: who may call, and how fast.
    pub auth: AuthSettings,
    /// `[audit]`: the trail of disclosures.
    pub audit: AuditSettings,
}

/// The `[server]` section (see `config/default.toml`).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServerSettings {
    /// Address to listen on.
    pub host: String,
    /// Port to listen on (0: any free port).
    pub port: u16,
    /// Worker threads; 0 means one per CPU core (see [`Self::worker_count`]).
    pub workers: usize,
    /// Seconds in-flight requests get to finish after SIGTERM or SIGINT.
    pub shutdown_grace_secs: u64,
    /// Longest query string accepted, in bytes.
    pub max_query_length: usize,
    /// Idle keep-alive connections are closed after this long (0 disables keep-alive).
    pub keep_alive_secs: u64,
    /// Time a client has to send the request head.
    pub client_request_timeout_ms: u64,
    /// After SIGTERM or SIGINT, how long the listener keeps accepting (answering with
    /// `Connection: close`, `/health/ready` 503) before it closes: time for a load
    /// balancer to notice and stop sending.
    pub drain_delay_ms: u64,
    /// Longest time `/health/ready` spends checking the database; then it answers 503.
    pub readiness_timeout_ms: u64,
    /// How long a readiness check's outcome is reused by the probes that follow.
    pub readiness_cache_ms: u64,
    /// The deadline of a request's work (waiting for a database connection and the
    /// statements): past it, the answer is a `503` and the connection is closed.
    pub request_timeout_ms: u64,
    /// A second listener, on `host`, for `/metrics` alone (which then leaves the API's
    /// port); absent: `/metrics` is served with the API. 0: any free port.
    #[serde(default)]
    pub admin_port: Option<u16>,
}

impl ServerSettings {
    /// The deadline of a request's work.
    pub fn request_timeout(&self) -> Duration {
        Duration::from_millis(self.request_timeout_ms)
    }

    /// The number of workers: `workers`, or one per CPU core when it is 0.
    pub fn worker_count(&self) -> usize {
        if self.workers > 0 {
            self.workers
        } else {
            std::thread::available_parallelism().map_or(1, std::num::NonZero::get)
        }
    }
}

/// The `[database]` section (see `config/default.toml`).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DatabaseSettings {
    /// `postgres://...` or `postgresql://...`, `sqlite://PATH` or a plain file path.
    pub url: String,
    /// Apply pending migrations when `serve` starts.
    pub migrate_on_start: bool,
    /// Load the demo data set when `serve` starts on a database without customers.
    pub seed_demo_when_empty: bool,
    /// Most connections open at once, shared out among the workers.
    pub max_connections: usize,
    /// Longest wait for a free connection.
    pub wait_timeout_ms: u64,
    /// Longest time to open a connection.
    pub create_timeout_ms: u64,
    /// Longest time to check a connection before reuse.
    pub recycle_timeout_ms: u64,
    /// Longest a statement may run (SQLite: longest wait for a lock).
    pub statement_timeout_ms: u64,
    /// PostgreSQL: idle seconds before TCP keepalive probes start on a connection.
    pub tcp_keepalive_secs: u64,
    /// PostgreSQL: longest time sent data may stay unacknowledged (`TCP_USER_TIMEOUT`).
    pub tcp_user_timeout_ms: u64,
    /// How long reference data is cached in memory.
    pub reference_cache_ttl_secs: u64,
    /// The weakest TLS a PostgreSQL URL may ask for (`sslmode`, or its default for the
    /// URL's hosts): `disable`, `prefer`, `require`, `verify-ca` or `verify-full`.
    pub min_sslmode: String,
    /// Read replicas of `url` (`postgres://` URLs): customer lookups are read there. A
    /// list in files; in the environment, comma-separated (see [`url_list`]).
    #[serde(deserialize_with = "url_list")]
    pub replica_urls: Vec<String>,
    /// Time between two health checks of each replica.
    pub replica_check_interval_ms: u64,
    /// A replica whose replay lags more than this leaves rotation.
    pub max_replica_lag_ms: u64,
    /// Where lookups go while no replica is in rotation: `primary` or `unavailable`.
    pub replica_fallback: ReplicaFallbackSetting,
}

/// Where lookups go while no read replica is in rotation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(try_from = "String")]
pub enum ReplicaFallbackSetting {
    /// To the primary.
    Primary,
    /// Nowhere: 503 with `Retry-After`.
    Unavailable,
}

impl TryFrom<String> for ReplicaFallbackSetting {
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

/// How log lines are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(try_from = "String")]
pub enum LogFormat {
    /// For people.
    Text,
    /// One JSON object per line, for log collectors.
    Json,
}

/// The `[log]` section (see `config/default.toml`).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LogSettings {
    /// Level or filter (`RUST_LOG` overrides it), e.g. `info` or `customer_web=debug,info`.
    pub level: String,
    /// `text` or `json`.
    pub format: LogFormat,
}

/// Whether callers must authenticate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(try_from = "String")]
pub enum AuthMode {
    /// Every lookup needs a valid credential (the default).
    Required,
    /// Anyone who reaches the port may look customers up; refused when `APP_ENV` is
    /// `production`.
    Disabled,
}

/// The `[auth]` section (see `config/default.toml`).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AuthSettings {
    /// `required` or `disabled`.
    pub mode: AuthMode,
    /// How long a verified API key is trusted without reading it again: the longest a
    /// revocation or an expiry takes to apply.
    pub key_cache_ttl_secs: u64,
    /// The rate limit of callers that have none of their own (`N/s` or `N/min`).
    pub default_rate_limit: String,
    /// Failed authentications allowed per client IP address (`N/s` or `N/min`).
    pub failed_auth_rate_limit: String,
    /// The load balancers' addresses, comma-separated: from these peers the client's
    /// address is read from `X-Forwarded-For`. Empty: the peer is the client.
    pub trusted_proxies: String,
    /// How often the warning that authentication is off is repeated.
    pub disabled_warning_interval_secs: u64,
    /// `[auth.jwt]`: bearer tokens of the identity provider.
    pub jwt: JwtSettings,
}

/// The `[auth.jwt]` section (see `config/default.toml`).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct JwtSettings {
    /// Accept bearer tokens of the identity provider besides API keys.
    pub enabled: bool,
    /// The JWKS as a file; exactly one of `jwks_file` and `jwks_url` when enabled.
    pub jwks_file: String,
    /// The JWKS's URL (`https://...`).
    pub jwks_url: String,
    /// The required `iss`.
    pub issuer: String,
    /// The required `aud`.
    pub audience: String,
    /// The claim that names the client (`sub` when the token lacks it).
    pub client_claim: String,
    /// The claim that lists the companies (an array of codes, or `all`).
    pub companies_claim: String,
    /// Leeway on `exp` and `nbf`, in seconds.
    pub leeway_secs: u64,
    /// Shortest time between two fetches of the JWKS for an unknown `kid`.
    pub refresh_interval_secs: u64,
    /// Longest time a fetch of the JWKS may take, in milliseconds.
    pub fetch_timeout_ms: u64,
}

/// When a lookup's answer may leave (see `customer_application::audit::AuditMode`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(try_from = "String")]
pub enum AuditModeSetting {
    /// After its audit record is committed.
    Sync,
    /// At once; the record is queued.
    Async,
    /// No audit trail at all: for measuring what the trail costs, and for development;
    /// refused when `APP_ENV` is `production`.
    Off,
}

/// The `[audit]` section (see `config/default.toml`).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AuditSettings {
    /// `sync` or `async`.
    pub mode: AuditModeSetting,
    /// The key of the searched values' HMAC; empty: a random key kept in the database.
    pub hmac_key: String,
    /// The most records written by one statement.
    pub batch_size: usize,
    /// The most inserts under way at once (each on a connection of its own).
    pub writers: usize,
    /// The most records waiting to be written.
    pub queue_capacity: usize,
}

// The enumerated settings are read from strings by hand: the `config` crate's own
// message for a value outside an enum ("enum LogFormat does not have variant
// constructor yaml") names neither the key's accepted values nor the key in words.
impl TryFrom<String> for LogFormat {
    type Error = String;

    fn try_from(value: String) -> Result<Self, Self::Error> {
        one_of(&value, &[("text", Self::Text), ("json", Self::Json)])
    }
}

impl TryFrom<String> for AuthMode {
    type Error = String;

    fn try_from(value: String) -> Result<Self, Self::Error> {
        one_of(
            &value,
            &[("required", Self::Required), ("disabled", Self::Disabled)],
        )
    }
}

impl TryFrom<String> for AuditModeSetting {
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

/// The choice `value` names among `accepted` (case-insensitively), or a message that
/// lists the accepted values.
fn one_of<T: Copy>(value: &str, accepted: &[(&str, T)]) -> Result<T, String> {
    let wanted = value.trim();
    accepted
        .iter()
        .find(|(name, _)| name.eq_ignore_ascii_case(wanted))
        .map(|(_, choice)| *choice)
        .ok_or_else(|| {
            let names: Vec<String> = accepted
                .iter()
                .map(|(name, _)| format!("`{name}`"))
                .collect();
            format!(
                "{value:?} is not accepted (the accepted values: {})",
                names.join(", ")
            )
        })
}

/// The levels `log.level` accepts alone.
const LOG_LEVELS: [&str; 6] = ["trace", "debug", "info", "warn", "error", "off"];

/// The `APP__SECTION__KEY` variables, as `section.key`. The prefix is `APP__`, so the
/// variables that name the layers (`APP_ENV`, `APP_CONFIG_DIR`) are not taken for keys.
fn environment_variables() -> Environment {
    Environment::with_prefix("APP")
        .prefix_separator("__")
        .separator("__")
}

/// A setting is missing or invalid.
#[derive(Debug, thiserror::Error)]
pub enum SettingsError {
    /// A layer could not be read, or a key is missing, unknown or of the wrong type.
    #[error("configuration error: {0}")]
    Load(#[from] config::ConfigError),
    /// `APP_ENV` names an environment whose file is not in the configuration folder.
    #[error(
        "configuration error: APP_ENV={environment} needs the file {file}, which does not exist \
         (the configuration folder is APP_CONFIG_DIR, default `config` in the working \
         folder; looked in {folder}): create the file, point APP_CONFIG_DIR at the folder \
         that holds it, or unset APP_ENV"
    )]
    MissingEnvironmentFile {
        /// The value of `APP_ENV`.
        environment: String,
        /// The file looked for.
        file: String,
        /// The folder looked in, absolute.
        folder: String,
    },
    /// `key` has a value outside its range.
    #[error("configuration error: {key}: {reason}")]
    Invalid {
        /// The setting, as `section.key`.
        key: &'static str,
        /// What is wrong with its value.
        reason: String,
    },
}

impl Settings {
    /// Reads the settings from the configuration folder (`APP_CONFIG_DIR`, or `config`
    /// in the working folder; it need not exist) and the environment.
    pub fn load() -> Result<Self, SettingsError> {
        let folder = std::env::var_os("APP_CONFIG_DIR")
            .map_or_else(|| PathBuf::from("config"), PathBuf::from);
        let environment = std::env::var("APP_ENV").ok().filter(|env| !env.is_empty());
        let database_url = std::env::var("DATABASE_URL")
            .ok()
            .filter(|url| !url.is_empty());
        Self::load_from(
            &folder,
            environment.as_deref(),
            database_url.as_deref(),
            environment_variables(),
        )
    }

    /// The built-in defaults alone: no files, no environment.
    pub fn defaults() -> Result<Self, SettingsError> {
        let settings: Self = Config::builder()
            .add_source(File::from_str(DEFAULTS, FileFormat::Toml))
            .build()?
            .try_deserialize()?;
        settings.check()?;
        Ok(settings)
    }

    fn load_from(
        folder: &Path,
        environment: Option<&str>,
        database_url: Option<&str>,
        variables: Environment,
    ) -> Result<Self, SettingsError> {
        let mut builder = Config::builder()
            .add_source(File::from_str(DEFAULTS, FileFormat::Toml))
            .add_source(File::from(folder.join("default.toml")).required(false));
        if let Some(environment) = environment {
            // A named environment without its file is a mistake, not a default.
            let file = folder.join(format!("{environment}.toml"));
            if !file.is_file() {
                let absolute = std::path::absolute(folder).unwrap_or_else(|_| folder.to_owned());
                return Err(SettingsError::MissingEnvironmentFile {
                    environment: environment.to_owned(),
                    file: file.display().to_string(),
                    folder: absolute.display().to_string(),
                });
            }
            builder = builder
                .add_source(File::from(folder.join(format!("{environment}.toml"))).required(true));
        }
        builder = builder.add_source(variables);
        if let Some(url) = database_url {
            builder = builder.set_override("database.url", url)?;
        }
        let settings: Self = builder.build()?.try_deserialize()?;
        settings.check()?;
        if environment == Some("production") && settings.auth.mode == AuthMode::Disabled {
            return Err(SettingsError::Invalid {
                key: "auth.mode",
                reason: "authentication cannot be disabled in production".to_owned(),
            });
        }
        if environment == Some("production") && settings.audit.mode == AuditModeSetting::Off {
            return Err(SettingsError::Invalid {
                key: "audit.mode",
                reason: "the audit trail cannot be turned off in production".to_owned(),
            });
        }
        Ok(settings)
    }

    fn check(&self) -> Result<(), SettingsError> {
        let invalid = |key, reason: &str| {
            Err(SettingsError::Invalid {
                key,
                reason: reason.to_owned(),
            })
        };
        if self.server.host.trim().is_empty() {
            return invalid("server.host", "must not be empty");
        }
        // Past actix's own limit on the request head, a longer query could not be
        // answered with a problem document.
        if !(1..=16_384).contains(&self.server.max_query_length) {
            return invalid("server.max_query_length", "must be between 1 and 16384");
        }
        if self.database.max_connections == 0 {
            return invalid("database.max_connections", "must be at least 1");
        }
        for (key, value) in [
            (
                "server.readiness_timeout_ms",
                self.server.readiness_timeout_ms,
            ),
            ("database.wait_timeout_ms", self.database.wait_timeout_ms),
            (
                "database.create_timeout_ms",
                self.database.create_timeout_ms,
            ),
            (
                "database.recycle_timeout_ms",
                self.database.recycle_timeout_ms,
            ),
            (
                "database.statement_timeout_ms",
                self.database.statement_timeout_ms,
            ),
            ("server.request_timeout_ms", self.server.request_timeout_ms),
            (
                "database.tcp_keepalive_secs",
                self.database.tcp_keepalive_secs,
            ),
            (
                "database.tcp_user_timeout_ms",
                self.database.tcp_user_timeout_ms,
            ),
            (
                "database.replica_check_interval_ms",
                self.database.replica_check_interval_ms,
            ),
            (
                "database.max_replica_lag_ms",
                self.database.max_replica_lag_ms,
            ),
        ] {
            if value == 0 {
                return invalid(key, "must be greater than 0");
            }
        }
        let url = self.database_url()?;
        let min_sslmode = self.database.min_sslmode()?;
        database_tls::check("database.url", &url, min_sslmode)?;
        for replica in self.replica_urls()? {
            database_tls::check("database.replica_urls", &replica, min_sslmode)?;
        }
        check_log_level(&self.log.level)?;
        self.auth.default_rate_limit()?;
        self.auth.failed_auth_rate_limit()?;
        self.auth.trusted_proxies()?;
        if self.auth.key_cache_ttl_secs == 0 {
            return invalid("auth.key_cache_ttl_secs", "must be greater than 0");
        }
        let jwt = &self.auth.jwt;
        if jwt.enabled {
            if jwt.jwks_file.is_empty() == jwt.jwks_url.is_empty() {
                return invalid(
                    "auth.jwt.jwks_file",
                    "exactly one of auth.jwt.jwks_file and auth.jwt.jwks_url must be set",
                );
            }
            for (key, value) in [
                ("auth.jwt.issuer", &jwt.issuer),
                ("auth.jwt.audience", &jwt.audience),
                ("auth.jwt.client_claim", &jwt.client_claim),
                ("auth.jwt.companies_claim", &jwt.companies_claim),
            ] {
                if value.trim().is_empty() {
                    return invalid(key, "must be set when auth.jwt.enabled is true");
                }
            }
        }
        if self.audit.batch_size == 0 {
            return invalid("audit.batch_size", "must be at least 1");
        }
        if self.audit.writers == 0 {
            return invalid("audit.writers", "must be at least 1");
        }
        if self.audit.queue_capacity == 0 {
            return invalid("audit.queue_capacity", "must be at least 1");
        }
        Ok(())
    }

    /// The read replicas' URLs, parsed: each `postgres://`, and a PostgreSQL primary.
    pub fn replica_urls(&self) -> Result<Vec<DatabaseUrl>, SettingsError> {
        let invalid = |reason: String| SettingsError::Invalid {
            key: "database.replica_urls",
            reason,
        };
        if self.database.replica_urls.is_empty() {
            return Ok(Vec::new());
        }
        if !matches!(self.database_url()?, DatabaseUrl::Postgres(_)) {
            return Err(invalid(
                "read replicas need a PostgreSQL primary (database.url is SQLite)".to_owned(),
            ));
        }
        self.database
            .replica_urls
            .iter()
            .map(|url| match DatabaseUrl::parse(url) {
                Ok(parsed @ DatabaseUrl::Postgres(_)) => Ok(parsed),
                Ok(other) => Err(invalid(format!("{other} is not a postgres:// URL"))),
                Err(error) => Err(invalid(error.to_string())),
            })
            .collect()
    }

    /// The database URL, parsed.
    pub fn database_url(&self) -> Result<DatabaseUrl, SettingsError> {
        DatabaseUrl::parse(&self.database.url).map_err(|error| SettingsError::Invalid {
            key: "database.url",
            reason: error.to_string(),
        })
    }
}

/// A tracing filter of levels or `TARGET=LEVEL` directives.
fn check_log_level(level: &str) -> Result<(), SettingsError> {
    if let Err(error) = EnvFilter::try_new(level) {
        return Err(SettingsError::Invalid {
            key: "log.level",
            reason: error.to_string(),
        });
    }
    // A bare word is a target for tracing (`warning`: the target "warning" at every
    // level, and nothing else): a misspelt level would turn every line off.
    if let Some(word) = level.split(',').map(str::trim).find(|directive| {
        !directive.is_empty()
            && !directive.contains(['=', '[', ':'])
            && !LOG_LEVELS
                .iter()
                .any(|level| level.eq_ignore_ascii_case(directive))
    }) {
        return Err(SettingsError::Invalid {
            key: "log.level",
            reason: format!(
                "{word:?} is not a level: use one of {} or TARGET=LEVEL \
                 (e.g. customer_web=debug)",
                LOG_LEVELS.join(", ")
            ),
        });
    }
    Ok(())
}

impl AuthSettings {
    /// The rate limit of callers without their own.
    pub fn default_rate_limit(&self) -> Result<RateLimit, SettingsError> {
        rate_limit("auth.default_rate_limit", &self.default_rate_limit)
    }

    /// The failed authentications allowed per client IP address.
    pub fn failed_auth_rate_limit(&self) -> Result<RateLimit, SettingsError> {
        rate_limit("auth.failed_auth_rate_limit", &self.failed_auth_rate_limit)
    }

    /// The addresses of `trusted_proxies`.
    pub fn trusted_proxies(&self) -> Result<Vec<IpAddr>, SettingsError> {
        self.trusted_proxies
            .split(',')
            .map(str::trim)
            .filter(|address| !address.is_empty())
            .map(|address| {
                address.parse().map_err(|_| SettingsError::Invalid {
                    key: "auth.trusted_proxies",
                    reason: format!("`{address}` is not an IP address"),
                })
            })
            .collect()
    }
}

fn rate_limit(key: &'static str, value: &str) -> Result<RateLimit, SettingsError> {
    RateLimit::parse(value).map_err(|error| SettingsError::Invalid {
        key,
        reason: error.to_string(),
    })
}

impl DatabaseSettings {
    /// The pool settings these give, for a pool that `threads` workers share.
    pub fn pool(&self, threads: usize) -> PoolSettings {
        PoolSettings {
            max_size: self.max_connections,
            threads,
            wait_timeout: Duration::from_millis(self.wait_timeout_ms),
            create_timeout: Duration::from_millis(self.create_timeout_ms),
            recycle_timeout: Duration::from_millis(self.recycle_timeout_ms),
            statement_timeout: Duration::from_millis(self.statement_timeout_ms),
            tcp_keepalive: Duration::from_secs(self.tcp_keepalive_secs),
            tcp_user_timeout: Duration::from_millis(self.tcp_user_timeout_ms),
            ..PoolSettings::default()
        }
    }

    /// How read replicas are checked and used.
    pub fn replicas(&self) -> ReplicaSettings {
        let check_interval = Duration::from_millis(self.replica_check_interval_ms);
        ReplicaSettings {
            check_interval,
            // A check that takes longer than the interval, or than opening a connection
            // may, finds the replica out of reach.
            check_timeout: check_interval.min(Duration::from_millis(self.create_timeout_ms)),
            max_lag: Duration::from_millis(self.max_replica_lag_ms),
            fallback: match self.replica_fallback {
                ReplicaFallbackSetting::Primary => ReplicaFallback::Primary,
                ReplicaFallbackSetting::Unavailable => ReplicaFallback::Unavailable,
            },
        }
    }

    /// How long reference data is cached.
    pub fn reference_ttl(&self) -> Duration {
        Duration::from_secs(self.reference_cache_ttl_secs)
    }
}

mod database_tls;
#[cfg(test)]
mod tests;

//! Configuration: built-in defaults (`config/default.toml`), then
//! `config/default.toml` and `config/<APP_ENV>.toml` from the configuration folder, then
//! `APP__SECTION__KEY` environment variables, then `DATABASE_URL`.
//!
//! The layers are read into a mirror of the files (`raw`), then checked and converted
//! once into [`Settings`]: durations, rate limits, addresses, database URLs and the
//! settings types of the crates they configure. An invalid value stops start-up with its
//! key; an unknown key in any layer stops it with its name: a misspelled setting would
//! otherwise be ignored without a word, and its default used.

use std::net::IpAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use chrono::{DateTime, FixedOffset};
use config::{Config, Environment, File, FileFormat};
use customer_application::access::AuthenticatorSettings;
use customer_application::audit::{AuditMode, AuditWriterSettings};
use customer_domain::RateLimit;
use customer_identity::{JwksSource, JwtSettings};
use customer_infrastructure::{
    DatabaseUrl, PoolSettings, ReplicaFallback, ReplicaSettings, SslMode,
};
use customer_web::ReadinessSettings;
use serde::Deserialize;
use tracing_subscriber::EnvFilter;

use self::raw::{
    RawAudit, RawAuditMode, RawAuth, RawDatabase, RawJwt, RawReplicaFallback, RawServer,
    RawSettings,
};

/// The defaults, built in so that the binary runs from any folder with no files.
const DEFAULTS: &str = include_str!("../../../config/default.toml");

/// Every setting of the service, checked.
#[derive(Debug, Clone)]
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
#[derive(Debug, Clone)]
pub struct ServerSettings {
    /// Address to listen on (`server.host`).
    pub host: String,
    /// Port to listen on (0: any free port).
    pub port: u16,
    /// Worker threads: `server.workers`, or one per CPU core when that is 0.
    pub workers: usize,
    /// The time in-flight requests get to finish after SIGTERM or SIGINT
    /// (`server.shutdown_grace_secs`).
    pub shutdown_grace: Duration,
    /// Longest query string accepted, in bytes.
    pub max_query_length: usize,
    /// Largest body of `POST /v1/core/customers:import`, in bytes
    /// (`server.max_import_bytes`).
    pub max_import_bytes: usize,
    /// Idle keep-alive connections are closed after this long (zero disables keep-alive;
    /// `server.keep_alive_secs`).
    pub keep_alive: Duration,
    /// Time a client has to send the request head (`server.client_request_timeout_ms`).
    pub client_request_timeout: Duration,
    /// After SIGTERM or SIGINT, how long the listener keeps accepting (answering with
    /// `Connection: close`, `/health/ready` 503) before it closes: time for a load
    /// balancer to notice and stop sending (`server.drain_delay_ms`).
    pub drain_delay: Duration,
    /// Longest time `/health/ready` spends checking the database; then it answers 503
    /// (`server.readiness_timeout_ms`).
    pub readiness_timeout: Duration,
    /// How long a readiness check's outcome is reused by the probes that follow
    /// (`server.readiness_cache_ms`).
    pub readiness_cache: Duration,
    /// The deadline of a request's work (waiting for a database connection and the
    /// statements): past it, the answer is a `503` and the connection is closed
    /// (`server.request_timeout_ms`).
    pub request_timeout: Duration,
    /// A second listener, on `host`, for `/metrics` alone (which then leaves the API's
    /// port); absent: `/metrics` is served with the API. 0: any free port.
    pub admin_port: Option<u16>,
}

/// The `[database]` section (see `config/default.toml`).
#[derive(Debug, Clone)]
pub struct DatabaseSettings {
    /// `database.url` (or `DATABASE_URL`): PostgreSQL or a SQLite file.
    pub url: DatabaseUrl,
    /// Apply pending migrations when `serve` starts.
    pub migrate_on_start: bool,
    /// Load the demo data set and its client when `serve` starts on a database that
    /// holds no company.
    pub seed_demo_when_empty: bool,
    /// The connection pool: `database.max_connections` and its timeouts, for one
    /// thread (see [`Self::pool`] for a pool that workers share).
    pub pool: PoolSettings,
    /// How long reference data is cached in memory (`database.reference_cache_ttl_secs`).
    pub reference_ttl: Duration,
    /// The offset from UTC of the stored local date-times (`database.local_time_offset`).
    pub local_time_offset: FixedOffset,
    /// The weakest TLS a PostgreSQL URL may ask for (`database.min_sslmode`); `url` and
    /// `replica_urls` were held to it at load.
    pub min_sslmode: SslMode,
    /// Read replicas of `url` (`database.replica_urls`, PostgreSQL only): customer
    /// lookups are read there.
    pub replica_urls: Vec<DatabaseUrl>,
    /// How read replicas are checked and used (`database.replica_check_interval_ms`,
    /// `database.max_replica_lag_ms`, `database.replica_fallback`; a check may take the
    /// shorter of the interval and `database.create_timeout_ms`).
    pub replicas: ReplicaSettings,
}

impl DatabaseSettings {
    /// [`Self::pool`] for a pool that `threads` workers share.
    pub fn pool(&self, threads: usize) -> PoolSettings {
        PoolSettings {
            threads,
            ..self.pool.clone()
        }
    }
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
#[derive(Debug, Clone)]
pub struct AuthSettings {
    /// `auth.mode`: `required` or `disabled`.
    pub mode: AuthMode,
    /// The credential check: `auth.key_cache_ttl_secs`, how long a verified API key is
    /// trusted without reading it again (the longest a revocation or an expiry takes to
    /// apply).
    pub authenticator: AuthenticatorSettings,
    /// The rate limit of callers that have none of their own.
    pub default_rate_limit: RateLimit,
    /// Failed authentications allowed per client IP address.
    pub failed_auth_rate_limit: RateLimit,
    /// The load balancers' addresses: from these peers the client's address is read
    /// from `X-Forwarded-For`. Empty: the peer is the client.
    pub trusted_proxies: Vec<IpAddr>,
    /// How often the warning that authentication is off is repeated (at least a second;
    /// `auth.disabled_warning_interval_secs`).
    pub disabled_warning_interval: Duration,
    /// `[auth.jwt]`, when `auth.jwt.enabled`: bearer tokens of the identity provider.
    pub jwt: Option<JwtSettings>,
}

/// The `[audit]` section (see `config/default.toml`).
#[derive(Debug, Clone)]
pub struct AuditSettings {
    /// The writer of the trail (`audit.mode`, `audit.batch_size`, `audit.writers`,
    /// `audit.queue_capacity`); `None` when `audit.mode` is `off`: no trail at all, for
    /// measuring what the trail costs and for development (refused when `APP_ENV` is
    /// `production`).
    pub trail: Option<AuditWriterSettings>,
    /// The key of the searched values' HMAC; empty: a random key kept in the database.
    pub hmac_key: String,
}

impl Settings {
    /// What `/health/ready` checks, and for how long.
    pub fn readiness(&self) -> ReadinessSettings {
        ReadinessSettings {
            timeout: self.server.readiness_timeout,
            reuse_for: self.server.readiness_cache,
            authenticates: self.auth.mode == AuthMode::Required,
            audits: self.audit.trail.is_some(),
        }
    }
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

/// The variables that choose the configuration files rather than set a key.
const LAYER_VARIABLES: [&str; 2] = ["APP_ENV", "APP_CONFIG_DIR"];

/// The sections of the settings, as the variables spell them.
const SECTIONS: [&str; 5] = ["SERVER", "DATABASE", "LOG", "AUTH", "AUDIT"];

/// A warning for each of `names` that starts with `APP_` but not `APP__` (other than
/// `APP_ENV` and `APP_CONFIG_DIR`): the settings read only `APP__SECTION__KEY`, so such
/// a variable is ignored, and without a word its default would be used instead.
pub fn stray_variable_warnings<I, S>(names: I) -> Vec<String>
where
    I: IntoIterator<Item = S>,
    S: AsRef<str>,
{
    names
        .into_iter()
        .filter_map(|name| {
            let name = name.as_ref();
            let rest = name.strip_prefix("APP_")?;
            if rest.starts_with('_') || LAYER_VARIABLES.contains(&name) {
                return None;
            }
            Some(match likely_key(rest) {
                Some(meant) => format!(
                    "the environment variable {name} is ignored: settings are read from \
                     APP__SECTION__KEY (two underscores after APP and between section and \
                     key); did you mean {meant}?"
                ),
                None => format!(
                    "the environment variable {name} is ignored: settings are read from \
                     APP__SECTION__KEY (e.g. APP__SERVER__PORT); only APP_ENV and \
                     APP_CONFIG_DIR take one underscore"
                ),
            })
        })
        .collect()
}

/// The variable `APP_<rest>` was likely meant to be, when `rest` starts with a section.
fn likely_key(rest: &str) -> Option<String> {
    let upper = rest.to_ascii_uppercase();
    let section = SECTIONS
        .iter()
        .find(|section| upper.starts_with(&format!("{section}_")))?;
    let key = upper[section.len()..].trim_start_matches('_');
    if key.is_empty() {
        return None;
    }
    // `[auth.jwt]` is the one nested table: its keys take a separator of their own.
    let key = match key.strip_prefix("JWT_") {
        Some(inner) if *section == "AUTH" => format!("JWT__{}", inner.trim_start_matches('_')),
        _ => key.to_owned(),
    };
    Some(format!("APP__{section}__{key}"))
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
        let raw: RawSettings = Config::builder()
            .add_source(File::from_str(DEFAULTS, FileFormat::Toml))
            .build()?
            .try_deserialize()?;
        Self::try_from(raw)
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
        let raw: RawSettings = builder.build()?.try_deserialize()?;
        let settings = Self::try_from(raw)?;
        if environment == Some("production") && settings.auth.mode == AuthMode::Disabled {
            return Err(invalid(
                "auth.mode",
                "authentication cannot be disabled in production",
            ));
        }
        if environment == Some("production") && settings.audit.trail.is_none() {
            return Err(invalid(
                "audit.mode",
                "the audit trail cannot be turned off in production",
            ));
        }
        Ok(settings)
    }
}

/// The checks and conversions of every section, each error naming its key.
impl TryFrom<RawSettings> for Settings {
    type Error = SettingsError;

    fn try_from(raw: RawSettings) -> Result<Self, SettingsError> {
        let server = ServerSettings::try_from(raw.server)?;
        let database = DatabaseSettings::try_from(raw.database)?;
        check_log_level(&raw.log.level)?;
        let auth = AuthSettings::try_from(raw.auth)?;
        let audit = AuditSettings::try_from(raw.audit)?;
        Ok(Self {
            server,
            database,
            log: raw.log,
            auth,
            audit,
        })
    }
}

impl TryFrom<RawServer> for ServerSettings {
    type Error = SettingsError;

    fn try_from(raw: RawServer) -> Result<Self, SettingsError> {
        if raw.host.trim().is_empty() {
            return Err(invalid("server.host", "must not be empty"));
        }
        // Past actix's own limit on the request head, a longer query could not be
        // answered with a problem document.
        if !(1..=16_384).contains(&raw.max_query_length) {
            return Err(invalid(
                "server.max_query_length",
                "must be between 1 and 16384",
            ));
        }
        if !(1024..=1 << 30).contains(&raw.max_import_bytes) {
            return Err(invalid(
                "server.max_import_bytes",
                "must be between 1024 and 1073741824",
            ));
        }
        let workers = if raw.workers > 0 {
            raw.workers
        } else {
            std::thread::available_parallelism().map_or(1, std::num::NonZero::get)
        };
        Ok(Self {
            host: raw.host,
            port: raw.port,
            workers,
            shutdown_grace: Duration::from_secs(raw.shutdown_grace_secs),
            max_query_length: raw.max_query_length,
            max_import_bytes: raw.max_import_bytes,
            keep_alive: Duration::from_secs(raw.keep_alive_secs),
            client_request_timeout: Duration::from_millis(raw.client_request_timeout_ms),
            drain_delay: Duration::from_millis(raw.drain_delay_ms),
            readiness_timeout: positive_ms(
                "server.readiness_timeout_ms",
                raw.readiness_timeout_ms,
            )?,
            readiness_cache: Duration::from_millis(raw.readiness_cache_ms),
            request_timeout: positive_ms("server.request_timeout_ms", raw.request_timeout_ms)?,
            admin_port: raw.admin_port,
        })
    }
}

impl TryFrom<RawDatabase> for DatabaseSettings {
    type Error = SettingsError;

    fn try_from(raw: RawDatabase) -> Result<Self, SettingsError> {
        if raw.max_connections == 0 {
            return Err(invalid("database.max_connections", "must be at least 1"));
        }
        let wait_timeout = positive_ms("database.wait_timeout_ms", raw.wait_timeout_ms)?;
        let create_timeout = positive_ms("database.create_timeout_ms", raw.create_timeout_ms)?;
        let pool = PoolSettings {
            max_size: raw.max_connections,
            threads: 1,
            wait_timeout,
            create_timeout,
            recycle_timeout: positive_ms("database.recycle_timeout_ms", raw.recycle_timeout_ms)?,
            statement_timeout: positive_ms(
                "database.statement_timeout_ms",
                raw.statement_timeout_ms,
            )?,
            tcp_keepalive: positive_secs("database.tcp_keepalive_secs", raw.tcp_keepalive_secs)?,
            tcp_user_timeout: positive_ms("database.tcp_user_timeout_ms", raw.tcp_user_timeout_ms)?,
            ..PoolSettings::default()
        };
        let check_interval = positive_ms(
            "database.replica_check_interval_ms",
            raw.replica_check_interval_ms,
        )?;
        let replicas = ReplicaSettings {
            check_interval,
            // A check that takes longer than the interval, or than opening a connection
            // may, finds the replica out of reach.
            check_timeout: check_interval.min(create_timeout),
            max_lag: positive_ms("database.max_replica_lag_ms", raw.max_replica_lag_ms)?,
            fallback: match raw.replica_fallback {
                RawReplicaFallback::Primary => ReplicaFallback::Primary,
                RawReplicaFallback::Unavailable => ReplicaFallback::Unavailable,
            },
        };
        let url = DatabaseUrl::parse(&raw.url).map_err(|error| SettingsError::Invalid {
            key: "database.url",
            reason: error.to_string(),
        })?;
        let min_sslmode = database_tls::min_sslmode(&raw.min_sslmode)?;
        database_tls::check("database.url", &url, min_sslmode)?;
        let replica_urls = replica_urls(&url, &raw.replica_urls)?;
        for replica in &replica_urls {
            database_tls::check("database.replica_urls", replica, min_sslmode)?;
        }
        Ok(Self {
            url,
            migrate_on_start: raw.migrate_on_start,
            seed_demo_when_empty: raw.seed_demo_when_empty,
            pool,
            reference_ttl: Duration::from_secs(raw.reference_cache_ttl_secs),
            local_time_offset: local_time_offset(&raw.local_time_offset)?,
            min_sslmode,
            replica_urls,
            replicas,
        })
    }
}

/// `database.local_time_offset`: `+HH:MM` or `-HH:MM` (`Z` for UTC), less than a day.
fn local_time_offset(text: &str) -> Result<FixedOffset, SettingsError> {
    let invalid = || SettingsError::Invalid {
        key: "database.local_time_offset",
        reason: format!("{text:?} is not an offset from UTC such as \"+03:00\" or \"Z\""),
    };
    let text = text.trim();
    if text.eq_ignore_ascii_case("z") {
        return FixedOffset::east_opt(0).ok_or_else(invalid);
    }
    // chrono reads an offset only as part of a date-time.
    DateTime::parse_from_rfc3339(&format!("2000-01-01T00:00:00{text}"))
        .map(|at| *at.offset())
        .map_err(|_| invalid())
}

/// The read replicas' URLs, parsed: each `postgres://`, of a PostgreSQL `primary`.
fn replica_urls(primary: &DatabaseUrl, urls: &[String]) -> Result<Vec<DatabaseUrl>, SettingsError> {
    let invalid = |reason: String| SettingsError::Invalid {
        key: "database.replica_urls",
        reason,
    };
    if urls.is_empty() {
        return Ok(Vec::new());
    }
    if !matches!(primary, DatabaseUrl::Postgres(_)) {
        return Err(invalid(
            "read replicas need a PostgreSQL primary (database.url is SQLite)".to_owned(),
        ));
    }
    urls.iter()
        .map(|url| match DatabaseUrl::parse(url) {
            Ok(parsed @ DatabaseUrl::Postgres(_)) => Ok(parsed),
            Ok(other) => Err(invalid(format!("{other} is not a postgres:// URL"))),
            Err(error) => Err(invalid(error.to_string())),
        })
        .collect()
}

impl TryFrom<RawAuth> for AuthSettings {
    type Error = SettingsError;

    fn try_from(raw: RawAuth) -> Result<Self, SettingsError> {
        let default_rate_limit = rate_limit("auth.default_rate_limit", &raw.default_rate_limit)?;
        let failed_auth_rate_limit =
            rate_limit("auth.failed_auth_rate_limit", &raw.failed_auth_rate_limit)?;
        let trusted_proxies = trusted_proxies(&raw.trusted_proxies)?;
        let key_cache_ttl = positive_secs("auth.key_cache_ttl_secs", raw.key_cache_ttl_secs)?;
        let jwt = if raw.jwt.enabled {
            Some(jwt_settings(raw.jwt)?)
        } else {
            None
        };
        Ok(Self {
            mode: raw.mode,
            authenticator: AuthenticatorSettings {
                key_cache_ttl,
                ..AuthenticatorSettings::default()
            },
            default_rate_limit,
            failed_auth_rate_limit,
            trusted_proxies,
            disabled_warning_interval: Duration::from_secs(
                raw.disabled_warning_interval_secs.max(1),
            ),
            jwt,
        })
    }
}

/// `[auth.jwt]` of an enabled verifier, checked.
fn jwt_settings(raw: RawJwt) -> Result<JwtSettings, SettingsError> {
    let jwks = match (raw.jwks_file.is_empty(), raw.jwks_url.is_empty()) {
        (false, true) => JwksSource::File(raw.jwks_file.into()),
        (true, false) => JwksSource::Url(raw.jwks_url),
        _ => {
            return Err(invalid(
                "auth.jwt.jwks_file",
                "exactly one of auth.jwt.jwks_file and auth.jwt.jwks_url must be set",
            ));
        }
    };
    for (key, value) in [
        ("auth.jwt.issuer", &raw.issuer),
        ("auth.jwt.audience", &raw.audience),
        ("auth.jwt.client_claim", &raw.client_claim),
        ("auth.jwt.companies_claim", &raw.companies_claim),
        ("auth.jwt.permissions_claim", &raw.permissions_claim),
    ] {
        if value.trim().is_empty() {
            return Err(invalid(key, "must be set when auth.jwt.enabled is true"));
        }
    }
    Ok(JwtSettings {
        jwks,
        issuer: raw.issuer,
        audience: raw.audience,
        client_claim: raw.client_claim,
        companies_claim: raw.companies_claim,
        permissions_claim: raw.permissions_claim,
        leeway: Duration::from_secs(raw.leeway_secs),
        refresh_interval: Duration::from_secs(raw.refresh_interval_secs),
        fetch_timeout: Duration::from_millis(raw.fetch_timeout_ms),
    })
}

impl TryFrom<RawAudit> for AuditSettings {
    type Error = SettingsError;

    fn try_from(raw: RawAudit) -> Result<Self, SettingsError> {
        for (key, value) in [
            ("audit.batch_size", raw.batch_size),
            ("audit.writers", raw.writers),
            ("audit.queue_capacity", raw.queue_capacity),
        ] {
            if value == 0 {
                return Err(invalid(key, "must be at least 1"));
            }
        }
        let mode = match raw.mode {
            RawAuditMode::Sync => Some(AuditMode::Sync),
            RawAuditMode::Async => Some(AuditMode::Async),
            RawAuditMode::Off => None,
        };
        Ok(Self {
            trail: mode.map(|mode| AuditWriterSettings {
                mode,
                batch_size: raw.batch_size,
                writers: raw.writers,
                queue_capacity: raw.queue_capacity,
                ..AuditWriterSettings::default()
            }),
            hmac_key: raw.hmac_key,
        })
    }
}

/// `key` is invalid for `reason`.
fn invalid(key: &'static str, reason: &str) -> SettingsError {
    SettingsError::Invalid {
        key,
        reason: reason.to_owned(),
    }
}

/// `value` milliseconds of the setting `key`, which must be more than none.
fn positive_ms(key: &'static str, value: u64) -> Result<Duration, SettingsError> {
    if value == 0 {
        return Err(invalid(key, "must be greater than 0"));
    }
    Ok(Duration::from_millis(value))
}

/// `value` seconds of the setting `key`, which must be more than none.
fn positive_secs(key: &'static str, value: u64) -> Result<Duration, SettingsError> {
    if value == 0 {
        return Err(invalid(key, "must be greater than 0"));
    }
    Ok(Duration::from_secs(value))
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

fn rate_limit(key: &'static str, value: &str) -> Result<RateLimit, SettingsError> {
    RateLimit::parse(value).map_err(|error| SettingsError::Invalid {
        key,
        reason: error.to_string(),
    })
}

/// The addresses of `auth.trusted_proxies`: comma-separated, spaces allowed.
fn trusted_proxies(text: &str) -> Result<Vec<IpAddr>, SettingsError> {
    text.split(',')
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

mod database_tls;
mod raw;
#[cfg(test)]
mod tests;

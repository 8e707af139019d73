//! Configuration: built-in defaults (`config/default.toml`), then
//! `config/default.toml` and `config/<APP_ENV>.toml` from the configuration folder, then
//! `APP__SECTION__KEY` environment variables, then `DATABASE_URL`.

use std::path::{Path, PathBuf};
use std::time::Duration;

use config::{Config, Environment, File, FileFormat};
use customer_infrastructure::{DatabaseUrl, PoolSettings};
use serde::Deserialize;

/// The defaults, built in so that the binary runs from any folder with no files.
const DEFAULTS: &str = include_str!("../../../config/default.toml");

/// Every setting of the service.
#[derive(Debug, Clone, Deserialize)]
pub struct Settings {
    pub server: ServerSettings,
    pub database: DatabaseSettings,
    pub log: LogSettings,
}

#[derive(Debug, Clone, Deserialize)]
pub struct ServerSettings {
    pub host: String,
    pub port: u16,
    pub workers: usize,
    pub shutdown_grace_secs: u64,
    pub max_query_length: usize,
    pub keep_alive_secs: u64,
    pub client_request_timeout_ms: u64,
}

impl ServerSettings {
    /// The number of workers: `workers`, or one per CPU core when it is 0.
    pub fn worker_count(&self) -> usize {
        if self.workers > 0 {
            self.workers
        } else {
            std::thread::available_parallelism().map_or(1, std::num::NonZero::get)
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
pub struct DatabaseSettings {
    pub url: String,
    pub migrate_on_start: bool,
    pub seed_demo_when_empty: bool,
    pub max_connections: usize,
    pub wait_timeout_ms: u64,
    pub create_timeout_ms: u64,
    pub recycle_timeout_ms: u64,
    pub statement_timeout_ms: u64,
    pub reference_cache_ttl_secs: u64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    Text,
    Json,
}

#[derive(Debug, Clone, Deserialize)]
pub struct LogSettings {
    pub level: String,
    pub format: LogFormat,
}

/// A setting is missing or invalid.
#[derive(Debug, thiserror::Error)]
pub enum SettingsError {
    #[error("configuration error: {0}")]
    Load(#[from] config::ConfigError),
    #[error("configuration error: {key}: {reason}")]
    Invalid { key: &'static str, reason: String },
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
            Environment::with_prefix("APP")
                .prefix_separator("__")
                .separator("__"),
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
            builder = builder
                .add_source(File::from(folder.join(format!("{environment}.toml"))).required(true));
        }
        builder = builder.add_source(variables);
        if let Some(url) = database_url {
            builder = builder.set_override("database.url", url)?;
        }
        let settings: Self = builder.build()?.try_deserialize()?;
        settings.check()?;
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
        ] {
            if value == 0 {
                return invalid(key, "must be greater than 0");
            }
        }
        self.database_url()?;
        Ok(())
    }

    /// The database URL, parsed.
    pub fn database_url(&self) -> Result<DatabaseUrl, SettingsError> {
        DatabaseUrl::parse(&self.database.url).map_err(|error| SettingsError::Invalid {
            key: "database.url",
            reason: error.to_string(),
        })
    }
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
        }
    }

    /// How long reference data is cached.
    pub fn reference_ttl(&self) -> Duration {
        Duration::from_secs(self.reference_cache_ttl_secs)
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;

    fn variables(pairs: &[(&str, &str)]) -> Environment {
        let source: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        Environment::with_prefix("APP")
            .prefix_separator("__")
            .separator("__")
            .source(Some(source))
    }

    fn load(
        folder: &Path,
        environment: Option<&str>,
        url: Option<&str>,
        vars: &[(&str, &str)],
    ) -> Result<Settings, SettingsError> {
        Settings::load_from(folder, environment, url, variables(vars))
    }

    #[test]
    fn built_in_defaults_need_no_files() {
        let settings = load(Path::new("/nonexistent"), None, None, &[]).expect("defaults load");
        assert_eq!(settings.server.port, 8080);
        assert_eq!(settings.server.host, "127.0.0.1");
        assert_eq!(settings.database.url, "sqlite://data/customers.db");
        assert_eq!(settings.log.format, LogFormat::Text);
    }

    #[test]
    fn environment_variables_override_files() {
        let settings = load(
            Path::new("/nonexistent"),
            None,
            None,
            &[("APP__SERVER__PORT", "9000"), ("APP__LOG__FORMAT", "json")],
        )
        .expect("loads");
        assert_eq!(settings.server.port, 9000);
        assert_eq!(settings.log.format, LogFormat::Json);
    }

    #[test]
    fn database_url_overrides_everything() {
        let settings = load(
            Path::new("/nonexistent"),
            None,
            Some("postgres://u@h/db"),
            &[("APP__DATABASE__URL", "x.db")],
        )
        .expect("loads");
        assert_eq!(settings.database.url, "postgres://u@h/db");
    }

    #[test]
    fn the_environment_file_is_layered_on_the_defaults() {
        let folder = tempfile::tempdir().expect("temp dir");
        std::fs::write(
            folder.path().join("staging.toml"),
            "[server]\nport = 7000\n",
        )
        .expect("write");
        let settings = load(folder.path(), Some("staging"), None, &[]).expect("loads");
        assert_eq!(settings.server.port, 7000);
        assert_eq!(settings.server.host, "127.0.0.1");
    }

    #[test]
    fn a_missing_environment_file_stops_start_up() {
        let error =
            load(Path::new("/nonexistent"), Some("staging"), None, &[]).expect_err("must fail");
        assert!(error.to_string().contains("staging"), "{error}");
    }

    #[test]
    fn invalid_settings_are_named() {
        let error = load(
            Path::new("/nonexistent"),
            None,
            None,
            &[("APP__SERVER__PORT", "eighty")],
        )
        .expect_err("must fail");
        assert!(error.to_string().contains("server.port"), "{error}");
        let error = load(
            Path::new("/nonexistent"),
            None,
            None,
            &[("APP__DATABASE__MAX_CONNECTIONS", "0")],
        )
        .expect_err("must fail");
        assert!(
            error.to_string().contains("database.max_connections"),
            "{error}"
        );
        let error = load(Path::new("/nonexistent"), None, Some("mysql://h/db"), &[])
            .expect_err("must fail");
        assert!(error.to_string().contains("database.url"), "{error}");
    }
}

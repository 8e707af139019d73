use std::fmt;
use std::path::{Path, PathBuf};

use crate::error::InfraError;

/// Where the database is; the form of the URL selects the backend.
#[derive(Clone, PartialEq, Eq)]
pub enum DatabaseUrl {
    /// `postgres://...` or `postgresql://...`.
    Postgres(String),
    /// `sqlite://PATH`, `sqlite:PATH` or a plain file path.
    Sqlite(PathBuf),
}

impl DatabaseUrl {
    /// Reads a database URL.
    ///
    /// # Errors
    /// [`InfraError::Configuration`] for an empty URL, an in-memory SQLite database (each
    /// pooled connection would see its own empty database) or an unknown scheme.
    pub fn parse(url: &str) -> Result<Self, InfraError> {
        let url = url.trim();
        if url.is_empty() {
            return Err(InfraError::Configuration(
                "the database URL is empty".into(),
            ));
        }
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            return Ok(Self::Postgres(url.to_owned()));
        }
        let path = url
            .strip_prefix("sqlite://")
            .or_else(|| url.strip_prefix("sqlite:"))
            .unwrap_or(url);
        if path.is_empty() || path == ":memory:" || path.contains("mode=memory") {
            return Err(InfraError::Configuration(format!(
                "the database URL {url:?} names no SQLite file (an in-memory database cannot be shared by a pool)"
            )));
        }
        if let Some((scheme, _)) = path.split_once("://") {
            return Err(InfraError::Configuration(format!(
                "the database URL scheme {scheme:?} is not supported: use postgres://, postgresql://, sqlite:// or a file path"
            )));
        }
        Ok(Self::Sqlite(PathBuf::from(path)))
    }

    /// The SQLite file, for a SQLite URL.
    pub fn sqlite_path(&self) -> Option<&Path> {
        match self {
            Self::Sqlite(path) => Some(path),
            Self::Postgres(_) => None,
        }
    }
}

/// Shows the URL without its password, so that it can be logged.
impl fmt::Display for DatabaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Sqlite(path) => write!(f, "sqlite://{}", path.display()),
            Self::Postgres(url) => {
                let (scheme, rest) = url.split_once("://").unwrap_or(("postgres", url));
                // The credentials first: a password may hold a '?'.
                let (credentials, host) = match rest.split_once('@') {
                    Some((credentials, host)) => (Some(credentials), host),
                    None => (None, rest),
                };
                let (host, query) = host.split_once('?').unwrap_or((host, ""));
                let query = redacted_query(query);
                match credentials {
                    Some(credentials) => {
                        let user = credentials.split(':').next().unwrap_or_default();
                        if credentials.contains(':') {
                            write!(f, "{scheme}://{user}:***@{host}{query}")
                        } else {
                            write!(f, "{scheme}://{user}@{host}{query}")
                        }
                    }
                    None => write!(f, "{scheme}://{host}{query}"),
                }
            }
        }
    }
}

/// The query of a PostgreSQL URL (`?` included, or nothing) with the value of each
/// password parameter hidden; the TLS parameters (`sslmode`, `sslrootcert`) stay.
fn redacted_query(query: &str) -> String {
    if query.is_empty() {
        return String::new();
    }
    let pairs: Vec<String> = query
        .split('&')
        .map(|pair| match pair.split_once('=') {
            Some((key, _)) if key == "password" || key == "sslpassword" => format!("{key}=***"),
            _ => pair.to_owned(),
        })
        .collect();
    format!("?{}", pairs.join("&"))
}

impl fmt::Debug for DatabaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn postgres_schemes_select_postgres() {
        for url in ["postgres://u@h/db", "postgresql://u@h/db"] {
            assert!(matches!(
                DatabaseUrl::parse(url),
                Ok(DatabaseUrl::Postgres(_))
            ));
        }
    }

    #[test]
    fn sqlite_urls_and_paths_select_sqlite() {
        for (url, path) in [
            ("sqlite://data/customers.db", "data/customers.db"),
            ("sqlite:///tmp/c.db", "/tmp/c.db"),
            ("sqlite:c.db", "c.db"),
            ("./c.db", "./c.db"),
        ] {
            assert_eq!(
                DatabaseUrl::parse(url)
                    .ok()
                    .as_ref()
                    .and_then(DatabaseUrl::sqlite_path),
                Some(Path::new(path)),
                "{url}"
            );
        }
    }

    #[test]
    fn unusable_urls_are_rejected() {
        for url in ["", "sqlite://:memory:", "mysql://h/db", "sqlite://"] {
            assert!(DatabaseUrl::parse(url).is_err(), "{url}");
        }
    }

    #[test]
    fn display_hides_the_password() {
        let url = DatabaseUrl::parse("postgres://app:secret@db:5432/customers").ok();
        assert_eq!(
            url.map(|u| u.to_string()).as_deref(),
            Some("postgres://app:***@db:5432/customers")
        );
        let url = DatabaseUrl::parse("postgres://app:se?cret@db/customers").ok();
        assert_eq!(
            url.map(|u| u.to_string()).as_deref(),
            Some("postgres://app:***@db/customers")
        );
        let url = DatabaseUrl::parse(
            "postgres://app:secret@db/customers?sslmode=verify-full&sslrootcert=/ca.pem&password=other",
        )
        .ok();
        assert_eq!(
            url.map(|u| u.to_string()).as_deref(),
            Some(
                "postgres://app:***@db/customers?sslmode=verify-full&sslrootcert=/ca.pem&password=***"
            )
        );
    }

    #[test]
    fn display_hides_the_password_of_several_hosts_and_of_a_parameter() {
        for (url, shown) in [
            (
                "postgres://app:secret@h1:5432,h2:5433/db?target_session_attrs=read-write",
                "postgres://app:***@h1:5432,h2:5433/db?target_session_attrs=read-write",
            ),
            (
                "postgres://h1,h2/db?user=app&password=secret&target_session_attrs=read-write",
                "postgres://h1,h2/db?user=app&password=***&target_session_attrs=read-write",
            ),
        ] {
            let parsed = DatabaseUrl::parse(url).ok();
            assert_eq!(parsed.map(|u| u.to_string()).as_deref(), Some(shown));
        }
    }
}

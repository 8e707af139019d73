//! Messages that name the cause when the database cannot be reached: diesel-async's
//! PostgreSQL connection says only "error connecting to server", so the address is dialled
//! again here to say which address, and why.

use std::error::Error;
use std::net::{TcpStream, ToSocketAddrs};
use std::time::Duration;

use customer_infrastructure::{DatabaseUrl, InfraError};

use crate::StartError;

/// How long the address is dialled again for, to say why it cannot be reached.
const DIAL_TIMEOUT: Duration = Duration::from_secs(3);
use crate::cli::CliError;

/// The database errors in `error` and its causes, outermost first.
fn infra_errors<'a>(error: &'a (dyn Error + 'static)) -> impl Iterator<Item = &'a InfraError> {
    std::iter::successors(Some(error), |&error| error.source()).filter_map(|error| {
        error
            .downcast_ref::<InfraError>()
            .or_else(|| match error.downcast_ref::<StartError>() {
                Some(StartError::Database(infra)) => Some(infra),
                _ => None,
            })
            .or_else(|| match error.downcast_ref::<CliError>() {
                Some(CliError::Database(infra)) => Some(infra),
                _ => None,
            })
    })
}

/// Whether `error` (or one of its causes) is a failure to reach the database.
pub fn is_unreachable_database(error: &(dyn Error + 'static)) -> bool {
    // A TLS refusal names its cause already, and the server was reached.
    infra_errors(error).any(|infra| infra.is_unavailable() && infra.tls_refusal().is_none())
}

/// Why the database refused the connection over the TLS settings of its URL, when
/// `error` (or one of its causes) is such a refusal.
pub fn tls_refusal<'a>(error: &'a (dyn Error + 'static)) -> Option<&'a str> {
    infra_errors(error).find_map(InfraError::tls_refusal)
}

/// What an operator needs to know when PostgreSQL at `url` cannot be reached: its host
/// and port (never the password), what dialling them gives now, and what to do. `None`
/// for SQLite, whose errors name their file already.
pub fn unreachable_database(url: &DatabaseUrl) -> Option<String> {
    let DatabaseUrl::Postgres(raw) = url else {
        return None;
    };
    let (host, port) = postgres_host_and_port(raw);
    let at = format!("PostgreSQL at host {host}, port {port} ({url})");
    let advice = "check that the server runs there and accepts TCP connections, or set \
                  DATABASE_URL (or database.url) to the right server";
    let addresses: Vec<_> = match (host.as_str(), port).to_socket_addrs() {
        Ok(addresses) => addresses.collect(),
        Err(error) => {
            return Some(format!(
                "{at} cannot be reached: the host name does not resolve ({error}); {advice}"
            ));
        }
    };
    let mut reason = "the host name has no address".to_owned();
    for address in &addresses {
        match TcpStream::connect_timeout(address, DIAL_TIMEOUT) {
            Ok(_) => {
                return Some(format!(
                    "{at} accepts connections on {address} but refused this one: check the \
                     user, the password and the database name in DATABASE_URL, and the \
                     server's pg_hba.conf"
                ));
            }
            Err(error) => reason = format!("{address}: {error}"),
        }
    }
    Some(format!("{at} cannot be reached: {reason}; {advice}"))
}

/// The host and port of a `postgres://user:password@host:port/database?...` URL, with
/// PostgreSQL's defaults (`localhost`, 5432) for what it leaves out.
fn postgres_host_and_port(url: &str) -> (String, u16) {
    let rest = url.split_once("://").map_or(url, |(_, rest)| rest);
    let authority = rest.split(['/', '?']).next().unwrap_or_default();
    // The password may hold anything but '@' unescaped: the host follows the last '@'.
    let host_port = authority
        .rsplit_once('@')
        .map_or(authority, |(_, host)| host);
    // The first host of a list (`host1:5432,host2:5432`) is the one dialled first.
    let host_port = host_port.split(',').next().unwrap_or_default();
    let (host, port) = if let Some(bracketed) = host_port.strip_prefix('[') {
        match bracketed.split_once(']') {
            Some((host, port)) => (host, port.strip_prefix(':')),
            None => (bracketed, None),
        }
    } else {
        match host_port.rsplit_once(':') {
            Some((host, port)) => (host, Some(port)),
            None => (host_port, None),
        }
    };
    let host = if host.is_empty() { "localhost" } else { host };
    let port = port.and_then(|port| port.parse().ok()).unwrap_or(5432);
    (host.to_owned(), port)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_host_and_port_are_read_from_the_url_with_the_defaults() {
        for (url, host, port) in [
            (
                "postgres://u:p@db.internal:6543/customers",
                "db.internal",
                6543,
            ),
            (
                "postgresql://u@10.0.0.5/customers?sslmode=disable",
                "10.0.0.5",
                5432,
            ),
            ("postgres://u:p@t@h:1/db", "h", 1),
            ("postgres://[fd00::1]:7000/db", "fd00::1", 7000),
            ("postgres:///db", "localhost", 5432),
            ("postgres://u@a:5433,b:5434/db", "a", 5433),
        ] {
            assert_eq!(
                postgres_host_and_port(url),
                (host.to_owned(), port),
                "{url}"
            );
        }
    }

    #[test]
    fn an_unreachable_server_is_named_with_the_reason_and_without_the_password() {
        // Nothing listens on port 1.
        let url =
            DatabaseUrl::parse("postgres://customer:s3cret@127.0.0.1:1/customers").expect("a URL");
        let message = unreachable_database(&url).expect("a message for PostgreSQL");
        for expected in ["host 127.0.0.1", "port 1", "refused", "DATABASE_URL"] {
            assert!(message.contains(expected), "{expected}: {message}");
        }
        assert!(!message.contains("s3cret"), "{message}");
        let sqlite = DatabaseUrl::parse("data/customers.db").expect("a URL");
        assert_eq!(unreachable_database(&sqlite), None);
    }

    #[test]
    fn connection_failures_are_told_from_other_errors() {
        let unreachable = InfraError::Connect(diesel::ConnectionError::BadConnection(
            "error connecting to server".into(),
        ));
        assert!(is_unreachable_database(&unreachable));
        let started = StartError::Database(InfraError::Connect(
            diesel::ConnectionError::BadConnection("error connecting to server".into()),
        ));
        assert!(is_unreachable_database(&started));
        let other = InfraError::Migration("syntax error".into());
        assert!(!is_unreachable_database(&other));
    }
}

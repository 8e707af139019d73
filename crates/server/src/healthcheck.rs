//! `customer-api healthcheck`: asks the service on this machine whether it is ready, at
//! the address it listens on, for container health checks (where there is no curl).

use std::io::{Read, Write};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr, TcpStream, ToSocketAddrs};
use std::time::Duration;

/// Why the service is not known to be ready.
#[derive(Debug, thiserror::Error)]
pub enum HealthcheckError {
    /// `server.host` names no address.
    #[error("healthcheck: server.host {host:?} does not resolve: {source}")]
    Resolve {
        /// The host, as configured.
        host: String,
        /// What the resolver said.
        source: std::io::Error,
    },
    /// Nothing answered at the address dialled, or the answer was cut short.
    #[error(
        "healthcheck: no answer from {address} (server.host, server.port): {source}; \
         is the service running there?"
    )]
    Unreachable {
        /// The address dialled.
        address: SocketAddr,
        /// What went wrong.
        source: std::io::Error,
    },
    /// The service answered `/health/ready` with another status than 200.
    #[error("healthcheck: not ready at {address}: {status_line}")]
    NotReady {
        /// The address dialled.
        address: SocketAddr,
        /// The status line of the answer (and the reason is in its body).
        status_line: String,
    },
}

/// The addresses to dial to reach a service listening on `host` and `port`: the wildcard
/// addresses (`0.0.0.0`, `::`) mean the loopback of their family; a name is resolved.
///
/// # Errors
/// [`HealthcheckError::Resolve`] when `host` is a name that does not resolve.
pub fn addresses_to_dial(host: &str, port: u16) -> Result<Vec<SocketAddr>, HealthcheckError> {
    let bare = host.trim().trim_start_matches('[').trim_end_matches(']');
    if let Ok(ip) = bare.parse::<IpAddr>() {
        let ip = match ip {
            IpAddr::V4(ip) if ip.is_unspecified() => IpAddr::V4(Ipv4Addr::LOCALHOST),
            IpAddr::V6(ip) if ip.is_unspecified() => IpAddr::V6(Ipv6Addr::LOCALHOST),
            ip => ip,
        };
        return Ok(vec![SocketAddr::new(ip, port)]);
    }
    let resolve_error = |source| HealthcheckError::Resolve {
        host: host.to_owned(),
        source,
    };
    let addresses: Vec<SocketAddr> = (bare, port)
        .to_socket_addrs()
        .map_err(resolve_error)?
        .collect();
    if addresses.is_empty() {
        return Err(resolve_error(std::io::Error::new(
            std::io::ErrorKind::NotFound,
            "no address",
        )));
    }
    Ok(addresses)
}

/// Asks `GET /health/ready` of the service listening on `host` and `port` with a plain
/// HTTP/1.0 request; returns the address that answered 200.
///
/// # Errors
/// A [`HealthcheckError`] that names the address dialled.
pub fn check(host: &str, port: u16) -> Result<SocketAddr, HealthcheckError> {
    let addresses = addresses_to_dial(host, port)?;
    let mut last_error = None;
    for address in addresses {
        match ask(address) {
            Ok(()) => return Ok(address),
            // A name may resolve to several addresses: the next one may answer.
            Err(error @ HealthcheckError::Unreachable { .. }) => last_error = Some(error),
            Err(error) => return Err(error),
        }
    }
    Err(last_error.unwrap_or_else(|| HealthcheckError::Resolve {
        host: host.to_owned(),
        source: std::io::Error::new(std::io::ErrorKind::NotFound, "no address"),
    }))
}

/// How long the service may take to accept the connection, and then to answer: a
/// container health check must end well within its own timeout.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(2);
const ANSWER_TIMEOUT: Duration = Duration::from_secs(5);

fn ask(address: SocketAddr) -> Result<(), HealthcheckError> {
    let unreachable = |source| HealthcheckError::Unreachable { address, source };
    let mut stream = TcpStream::connect_timeout(&address, CONNECT_TIMEOUT).map_err(unreachable)?;
    stream
        .set_read_timeout(Some(ANSWER_TIMEOUT))
        .map_err(unreachable)?;
    stream
        .write_all(b"GET /health/ready HTTP/1.0\r\nHost: localhost\r\n\r\n")
        .map_err(unreachable)?;
    let mut answer = Vec::new();
    stream.read_to_end(&mut answer).map_err(unreachable)?;
    let answer = String::from_utf8_lossy(&answer);
    let status_line = answer.lines().next().unwrap_or_default();
    if status_line.split_whitespace().nth(1) == Some("200") {
        Ok(())
    } else {
        let body = answer.split("\r\n\r\n").nth(1).unwrap_or_default().trim();
        Err(HealthcheckError::NotReady {
            address,
            status_line: format!("{status_line} {body}").trim().to_owned(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dial(host: &str) -> Vec<String> {
        addresses_to_dial(host, 8080)
            .expect("an address")
            .iter()
            .map(ToString::to_string)
            .collect()
    }

    #[test]
    fn the_wildcard_addresses_are_dialled_on_the_loopback_of_their_family() {
        assert_eq!(dial("0.0.0.0"), ["127.0.0.1:8080"]);
        assert_eq!(dial("::"), ["[::1]:8080"]);
        assert_eq!(dial("[::]"), ["[::1]:8080"]);
    }

    #[test]
    fn a_given_address_is_dialled_as_it_is() {
        assert_eq!(dial("127.0.0.1"), ["127.0.0.1:8080"]);
        assert_eq!(dial("10.1.2.3"), ["10.1.2.3:8080"]);
        assert_eq!(dial("[fd00::7]"), ["[fd00::7]:8080"]);
    }

    #[test]
    fn a_name_is_resolved() {
        let addresses = addresses_to_dial("localhost", 9000).expect("localhost resolves");
        assert!(
            addresses
                .iter()
                .all(|address| address.ip().is_loopback() && address.port() == 9000),
            "{addresses:?}"
        );
        let error = addresses_to_dial("no-such-host.invalid", 9000).expect_err("must fail");
        assert!(
            error.to_string().contains("no-such-host.invalid"),
            "{error}"
        );
    }

    #[test]
    fn a_refused_connection_names_the_address_dialled() {
        // A port that was free a moment ago: nothing listens there.
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|listener| listener.local_addr())
            .expect("a free port")
            .port();
        let error = check("0.0.0.0", port).expect_err("nothing listens");
        let message = error.to_string();
        assert!(
            message.contains(&format!("127.0.0.1:{port}")) && message.contains("server.port"),
            "{message}"
        );
    }
}

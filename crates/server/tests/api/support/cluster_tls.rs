//! TLS for a [`PrivateCluster`]: a CA made by the test, a server certificate it signs
//! for the names given, and the server switched to `ssl = on` with them (a reload: the
//! TLS settings need no restart).

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use rcgen::{BasicConstraints, CertificateParams, CertifiedIssuer, DnType, IsCa, KeyPair};

use crate::support::PrivateCluster;

/// The CA files a test hands to the service: the one that signed the server's
/// certificate, and another one that did not.
#[derive(Debug)]
pub struct TestCas {
    folder: tempfile::TempDir,
}

impl TestCas {
    /// The PEM file of the CA that signed the server's certificate.
    pub fn ca(&self) -> PathBuf {
        self.folder.path().join("ca.pem")
    }

    /// The PEM file of a CA that signed nothing the server has.
    pub fn other_ca(&self) -> PathBuf {
        self.folder.path().join("other-ca.pem")
    }
}

/// A CA of the test's own.
fn new_ca(name: &str) -> CertifiedIssuer<'static, KeyPair> {
    let mut params = CertificateParams::new(Vec::<String>::new()).expect("CA parameters");
    params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    params.distinguished_name.push(DnType::CommonName, name);
    let key = KeyPair::generate().expect("a CA key");
    CertifiedIssuer::self_signed(params, key).expect("a CA certificate")
}

impl PrivateCluster {
    /// Turns TLS on with a certificate for `names` (DNS names or IP addresses) signed by
    /// a new CA; returns that CA's file and another's. The key is the server's own file,
    /// mode 0600, as PostgreSQL demands.
    pub fn enable_tls(&self, names: &[&str]) -> TestCas {
        let ca = new_ca("customer-api test CA");
        let other = new_ca("customer-api other CA");
        let mut params = CertificateParams::new(
            names
                .iter()
                .map(|name| (*name).to_owned())
                .collect::<Vec<_>>(),
        )
        .expect("server certificate parameters");
        params.distinguished_name.push(
            DnType::CommonName,
            names.first().copied().unwrap_or("server"),
        );
        let key = KeyPair::generate().expect("a server key");
        let certificate = params.signed_by(&key, &ca).expect("a server certificate");

        let cas = TestCas {
            folder: tempfile::tempdir().expect("a folder for the CAs"),
        };
        std::fs::write(cas.ca(), ca.pem()).expect("the CA is written");
        std::fs::write(cas.other_ca(), other.pem()).expect("the other CA is written");
        let cert_file = self.folder().join("server.crt");
        let key_file = self.folder().join("server.key");
        std::fs::write(&cert_file, certificate.pem()).expect("the certificate is written");
        std::fs::write(&key_file, key.serialize_pem()).expect("the key is written");
        for file in [&cert_file, &key_file] {
            give_to_postgres(file);
        }
        for setting in [
            format!("ssl_cert_file = '{}'", cert_file.display()),
            format!("ssl_key_file = '{}'", key_file.display()),
            "ssl = on".to_owned(),
        ] {
            // One statement per call: ALTER SYSTEM refuses a transaction block.
            self.psql("postgres", &format!("ALTER SYSTEM SET {setting}"));
        }
        self.psql("postgres", "SELECT pg_reload_conf()");
        let started = Instant::now();
        while self.psql("postgres", "SHOW ssl") != "on" {
            assert!(
                started.elapsed() < Duration::from_secs(20),
                "TLS is not on after a reload: {}",
                std::fs::read_to_string(self.log_path()).unwrap_or_default()
            );
            std::thread::sleep(Duration::from_millis(100));
        }
        cas
    }

    /// The sessions of the `customers` database (but the one asking), each with
    /// whether it uses TLS (`pg_stat_ssl`).
    pub fn sessions_tls(&self) -> Vec<bool> {
        self.psql(
            "postgres",
            "SELECT s.ssl FROM pg_stat_ssl s JOIN pg_stat_activity a USING (pid) \
             WHERE a.datname = 'customers' AND a.backend_type = 'client backend' \
             AND a.pid <> pg_backend_pid()",
        )
        .lines()
        .map(|line| line.trim() == "t")
        .collect()
    }
}

/// Makes `file` the `postgres` user's, readable by it alone.
fn give_to_postgres(file: &Path) {
    for (program, args) in [("chown", "postgres:postgres"), ("chmod", "0600")] {
        let status = Command::new(program)
            .args([args, &file.display().to_string()])
            .status()
            .unwrap_or_else(|error| panic!("{program} runs: {error}"));
        assert!(status.success(), "{program} {args} {}", file.display());
    }
}

use super::*;

fn settings(url: &str) -> PgTlsSettings {
    PgTlsSettings::of_url(url).unwrap_or_else(|error| panic!("{url}: {error}"))
}

#[test]
fn every_mode_reads_back_as_written_and_they_are_ordered_by_protection() {
    for mode in SslMode::ALL {
        assert_eq!(SslMode::parse(mode.as_str()), Some(mode));
        let url = format!("postgres://u@db.example/c?sslmode={mode}");
        assert_eq!(settings(&url).mode, mode, "{url}");
        assert!(settings(&url).explicit);
    }
    assert!(SslMode::Disable < SslMode::Prefer);
    assert!(SslMode::Require < SslMode::VerifyCa);
    assert!(SslMode::VerifyCa < SslMode::VerifyFull);
    assert_eq!(SslMode::parse("allow"), None);
    assert_eq!(SslMode::parse("VERIFY-FULL"), None);
}

#[test]
fn without_sslmode_remote_hosts_prefer_tls_and_local_ones_go_plain() {
    for url in [
        "postgres://u@db.example/c",
        "postgres://u@10.0.0.5:5433/c",
        "postgres://u@[fd00::1]:5433/c",
        // One remote host among local ones is enough.
        "postgres://u@localhost:5432,db.example:5433/c",
        "postgres://u@localhost/c?hostaddr=10.1.2.3",
    ] {
        let found = settings(url);
        assert_eq!(found.mode, SslMode::Prefer, "{url}");
        assert!(!found.explicit, "{url}");
    }
    for url in [
        "postgres://u@localhost/c",
        "postgres://u@LOCALHOST:5432/c",
        "postgres://u@127.0.0.1:5432/c",
        "postgres://u@127.8.9.10/c",
        "postgres://u@[::1]:5432/c",
        "postgres://u@localhost:5432,127.0.0.1:5433/c",
        "postgres://u@%2Fvar%2Frun%2Fpostgresql/c",
        "postgres://u@db.example/c?hostaddr=127.0.0.1",
    ] {
        assert_eq!(settings(url).mode, SslMode::Disable, "{url}");
    }
}

#[test]
fn the_tls_parameters_are_taken_out_and_the_others_left_for_the_driver() {
    let (url, found) = split_url(
        "postgres://u:p@db.example:5432/c?application_name=api&sslmode=verify-full\
         &sslrootcert=%2Fetc%2Fpg%2Fca+1.pem&connect_timeout=5",
    )
    .expect("a URL");
    assert_eq!(
        url,
        "postgres://u:p@db.example:5432/c?application_name=api&connect_timeout=5"
    );
    assert_eq!(found.mode, SslMode::VerifyFull);
    // Percent-decoded like the driver decodes: '+' is a plus, not a space.
    assert_eq!(
        found.root_certs,
        RootCerts::File(PathBuf::from("/etc/pg/ca+1.pem"))
    );
    let (url, found) = split_url("postgres://u@db.example/c?sslmode=disable").expect("a URL");
    assert_eq!(url, "postgres://u@db.example/c");
    assert_eq!(found.root_certs, RootCerts::System);
}

#[test]
fn require_with_a_ca_file_verifies_the_chain_as_libpq_does() {
    let found = settings("postgres://u@db.example/c?sslmode=require&sslrootcert=/ca.pem");
    assert_eq!(found.mode, SslMode::VerifyCa);
    let found = settings("postgres://u@db.example/c?sslmode=require");
    assert_eq!(found.mode, SslMode::Require);
    let found = settings("postgres://u@db.example/c?sslmode=verify-full&sslrootcert=system");
    assert_eq!(found.root_certs, RootCerts::System);
}

#[test]
fn unusable_tls_parameters_are_refused_naming_them() {
    for (url, named) in [
        ("postgres://u@h/c?sslmode=allow", "sslmode=allow"),
        (
            "postgres://u@h/c?sslmode=verify_full",
            "sslmode=verify_full",
        ),
        ("postgres://u@h/c?sslcert=/c.pem&sslkey=/k.pem", "sslcert"),
        ("postgres://u@h/c?sslcrl=/crl.pem", "sslcrl"),
        ("postgres://u@h/c?sslpassword=x", "sslpassword"),
        ("postgres://u@h/c?sslrootcert=", "sslrootcert"),
        (
            "postgres://u@h/c?sslmode=require&sslrootcert=system",
            "sslrootcert=system",
        ),
        ("postgres://u@h/c?colour=blue", "colour"),
    ] {
        let error = PgTlsSettings::of_url(url).expect_err(url).to_string();
        assert!(error.contains(named), "{url}: {error}");
    }
}

#[test]
fn a_ca_file_that_cannot_be_used_is_a_configuration_error_naming_it() {
    let folder = tempfile::tempdir().expect("a folder");
    let empty = folder.path().join("empty.pem");
    std::fs::write(&empty, "not a certificate\n").expect("written");
    for path in [folder.path().join("missing.pem"), empty] {
        let url = format!(
            "postgres://u@db.example/c?sslmode=verify-full&sslrootcert={}",
            path.display()
        );
        let error = PgTls::from_url(&url).expect_err("refused");
        assert!(matches!(error, InfraError::Configuration(_)), "{error}");
        assert!(
            error
                .to_string()
                .contains(&format!("sslrootcert={}", path.display())),
            "{error}"
        );
    }
}

#[test]
fn certificate_names_are_shown_bare() {
    assert_eq!(connect::bare_name("DnsName(\"db.example\")"), "db.example");
    assert_eq!(connect::bare_name("db.example"), "db.example");
}

//! The settings' layers and checks.
use std::collections::HashMap;

use customer_infrastructure::SslMode;

use super::*;

fn variables(pairs: &[(&str, &str)]) -> Environment {
    let source: HashMap<String, String> = pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect();
    environment_variables().source(Some(source))
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
    assert_eq!(
        settings.database.url,
        DatabaseUrl::Sqlite("data/customers.db".into())
    );
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
    assert_eq!(
        settings.database.url,
        DatabaseUrl::Postgres("postgres://u@h/db".to_owned())
    );
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
    let error = load(Path::new("/nonexistent"), Some("staging"), None, &[]).expect_err("must fail");
    let message = error.to_string();
    for expected in [
        "APP_ENV=staging",
        "staging.toml",
        "APP_CONFIG_DIR",
        "/nonexistent",
    ] {
        assert!(message.contains(expected), "{expected}: {message}");
    }
    // A relative folder is shown as the absolute one looked in.
    let error =
        load(Path::new("no-such-config"), Some("staging"), None, &[]).expect_err("must fail");
    let here = std::env::current_dir().expect("the working folder");
    let looked_in = here.join("no-such-config");
    assert!(
        error.to_string().contains(&looked_in.display().to_string()),
        "{error}"
    );
}

#[test]
fn a_value_outside_an_enumerated_setting_names_the_key_and_the_accepted_values() {
    for (variable, value, key, accepted) in [
        (
            "APP__LOG__FORMAT",
            "yaml",
            "log.format",
            &["`text`", "`json`"][..],
        ),
        (
            "APP__AUTH__MODE",
            "optional",
            "auth.mode",
            &["`required`", "`disabled`"][..],
        ),
        (
            "APP__AUDIT__MODE",
            "later",
            "audit.mode",
            &["`sync`", "`async`", "`off`"][..],
        ),
    ] {
        let error = load(Path::new("/nonexistent"), None, None, &[(variable, value)])
            .expect_err("must fail");
        let message = error.to_string();
        assert!(message.contains(key), "{key}: {message}");
        assert!(message.contains(value), "{value}: {message}");
        for name in accepted {
            assert!(message.contains(name), "{name}: {message}");
        }
        assert!(!message.contains("variant constructor"), "{message}");
    }
    let folder = tempfile::tempdir().expect("temp dir");
    std::fs::write(
        folder.path().join("default.toml"),
        "[log]\nformat = \"yaml\"\n",
    )
    .expect("write");
    let error = load(folder.path(), None, None, &[]).expect_err("must fail");
    assert!(
        error.to_string().contains("log.format") && error.to_string().contains("`json`"),
        "{error}"
    );
    let settings = load(
        Path::new("/nonexistent"),
        None,
        None,
        &[("APP__LOG__FORMAT", "JSON"), ("APP__AUDIT__MODE", "async")],
    )
    .expect("accepted values load, in any case");
    assert_eq!(settings.log.format, LogFormat::Json);
    assert_eq!(
        settings.audit.trail.map(|trail| trail.mode),
        Some(AuditMode::Async)
    );
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
    let error =
        load(Path::new("/nonexistent"), None, Some("mysql://h/db"), &[]).expect_err("must fail");
    assert!(error.to_string().contains("database.url"), "{error}");
    let error = load(
        Path::new("/nonexistent"),
        None,
        None,
        &[("APP__AUDIT__WRITERS", "0")],
    )
    .expect_err("must fail");
    assert!(error.to_string().contains("audit.writers"), "{error}");
    let settings = load(Path::new("/nonexistent"), None, None, &[]).expect("defaults");
    assert_eq!(settings.audit.trail.map(|trail| trail.writers), Some(1));
}

#[test]
fn the_local_time_offset_defaults_to_saudi_time_and_is_checked_at_load() {
    let hours = |h: i32| FixedOffset::east_opt(h * 3600).expect("an offset");
    let settings = load(Path::new("/nonexistent"), None, None, &[]).expect("defaults");
    assert_eq!(settings.database.local_time_offset, hours(3));
    for (text, offset) in [("+04:00", hours(4)), ("-05:00", hours(-5)), ("Z", hours(0))] {
        let settings = load(
            Path::new("/nonexistent"),
            None,
            None,
            &[("APP__DATABASE__LOCAL_TIME_OFFSET", text)],
        )
        .expect("a valid offset");
        assert_eq!(settings.database.local_time_offset, offset, "{text}");
    }
    for text in ["Asia/Riyadh", "+3", "+25:00", ""] {
        let error = load(
            Path::new("/nonexistent"),
            None,
            None,
            &[("APP__DATABASE__LOCAL_TIME_OFFSET", text)],
        )
        .expect_err("must fail");
        assert!(
            error.to_string().contains("database.local_time_offset"),
            "{text}: {error}"
        );
    }
}

#[test]
fn an_unknown_key_in_a_variable_stops_start_up_naming_it() {
    let error = load(
        Path::new("/nonexistent"),
        None,
        None,
        &[("APP__SERVER__PROT", "9000")],
    )
    .expect_err("must fail");
    assert!(error.to_string().contains("prot"), "{error}");
    let error = load(
        Path::new("/nonexistent"),
        None,
        None,
        &[("APP__LOGGING__LEVEL", "debug")],
    )
    .expect_err("must fail");
    assert!(error.to_string().contains("logging"), "{error}");
}

#[test]
fn an_unknown_key_in_a_file_stops_start_up_naming_it() {
    let folder = tempfile::tempdir().expect("temp dir");
    std::fs::write(
        folder.path().join("staging.toml"),
        "[database]\nmax_conections = 4\n",
    )
    .expect("write");
    let error = load(folder.path(), Some("staging"), None, &[]).expect_err("must fail");
    assert!(error.to_string().contains("max_conections"), "{error}");
    std::fs::write(folder.path().join("default.toml"), "colour = true\n").expect("write");
    let error = load(folder.path(), None, None, &[]).expect_err("must fail");
    assert!(error.to_string().contains("colour"), "{error}");
}

#[test]
fn the_variables_that_choose_the_files_are_not_keys() {
    let folder = tempfile::tempdir().expect("temp dir");
    let settings = load(
        folder.path(),
        None,
        None,
        &[
            ("APP_ENV", "production"),
            ("APP_CONFIG_DIR", "/nonexistent"),
            ("APP_SOMETHING_ELSE", "x"),
            ("APP__SERVER__PORT", "9000"),
        ],
    )
    .expect("loads");
    assert_eq!(settings.server.port, 9000);
}

#[test]
fn an_invalid_log_filter_stops_start_up_naming_log_level() {
    let error = load(
        Path::new("/nonexistent"),
        None,
        None,
        &[("APP__LOG__LEVEL", "customer_web=loud")],
    )
    .expect_err("must fail");
    assert!(error.to_string().contains("log.level"), "{error}");
    // A misspelt level is a target name to tracing, which would turn every line off.
    let error = load(
        Path::new("/nonexistent"),
        None,
        None,
        &[("APP__LOG__LEVEL", "warning")],
    )
    .expect_err("must fail");
    let message = error.to_string();
    assert!(
        message.contains("log.level") && message.contains("warning") && message.contains("warn,"),
        "{message}"
    );
    for accepted in [
        "WARN",
        "customer_web=debug,warn",
        "info,customer_web::app=trace",
    ] {
        load(
            Path::new("/nonexistent"),
            None,
            None,
            &[("APP__LOG__LEVEL", accepted)],
        )
        .unwrap_or_else(|error| panic!("{accepted}: {error}"));
    }
    let settings = load(
        Path::new("/nonexistent"),
        None,
        None,
        &[("APP__LOG__LEVEL", "customer_web=debug,warn")],
    )
    .expect("a valid filter loads");
    assert_eq!(settings.log.level, "customer_web=debug,warn");
}

#[test]
fn authentication_is_required_by_default_and_cannot_be_off_in_production() {
    let settings = load(Path::new("/nonexistent"), None, None, &[]).expect("defaults");
    assert_eq!(settings.auth.mode, AuthMode::Required);
    assert_eq!(
        settings.audit.trail.map(|trail| trail.mode),
        Some(AuditMode::Sync)
    );
    assert!(settings.auth.authenticator.key_cache_ttl <= Duration::from_secs(30));
    let off = [("APP__AUTH__MODE", "disabled")];
    let settings = load(Path::new("/nonexistent"), None, None, &off).expect("explicit");
    assert_eq!(settings.auth.mode, AuthMode::Disabled);
    let folder = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../config");
    let error = load(&folder, Some("production"), None, &off).expect_err("refused");
    assert!(error.to_string().contains("auth.mode"), "{error}");
    let no_audit = [("APP__AUDIT__MODE", "off")];
    load(Path::new("/nonexistent"), None, None, &no_audit).expect("explicit");
    let error = load(&folder, Some("production"), None, &no_audit).expect_err("refused");
    assert!(error.to_string().contains("audit.mode"), "{error}");
}

#[test]
fn rate_limits_and_token_settings_are_checked() {
    let error = load(
        Path::new("/nonexistent"),
        None,
        None,
        &[("APP__AUTH__DEFAULT_RATE_LIMIT", "fast")],
    )
    .expect_err("must fail");
    assert!(
        error.to_string().contains("auth.default_rate_limit"),
        "{error}"
    );
    let error = load(
        Path::new("/nonexistent"),
        None,
        None,
        &[("APP__AUTH__JWT__ENABLED", "true")],
    )
    .expect_err("must fail");
    assert!(error.to_string().contains("auth.jwt"), "{error}");
}

/// `auth.trusted_proxies`: addresses, comma-separated, spaces allowed; a name or a range
/// is refused with the key and the value.
#[test]
fn trusted_proxies_are_ip_addresses() {
    let settings = load(
        Path::new("/nonexistent"),
        None,
        None,
        &[("APP__AUTH__TRUSTED_PROXIES", "10.0.0.5, ::1")],
    )
    .expect("addresses load");
    assert_eq!(
        settings.auth.trusted_proxies,
        vec![
            "10.0.0.5".parse::<IpAddr>().expect("an address"),
            "::1".parse().expect("an address")
        ]
    );
    for value in ["haproxy", "10.0.0.0/8"] {
        let error = load(
            Path::new("/nonexistent"),
            None,
            None,
            &[("APP__AUTH__TRUSTED_PROXIES", value)],
        )
        .expect_err("must fail");
        let text = error.to_string();
        assert!(
            text.contains("auth.trusted_proxies") && text.contains(value),
            "{text}"
        );
    }
}

/// Every `config/*.toml` shipped, found by listing the folder, loads as `APP_ENV`.
#[test]
fn every_shipped_configuration_file_loads() {
    let folder = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../config");
    let mut names: Vec<String> = std::fs::read_dir(&folder)
        .expect("the configuration folder")
        .map(|entry| entry.expect("an entry").path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "toml"))
        .filter_map(|path| Some(path.file_stem()?.to_str()?.to_owned()))
        .collect();
    names.sort();
    assert!(
        names.iter().any(|name| name == "default") && names.iter().any(|name| name == "production"),
        "{names:?}"
    );
    for name in &names {
        let settings = load(&folder, Some(name), None, &[])
            .unwrap_or_else(|error| panic!("config/{name}.toml: {error}"));
        if name == "production" {
            assert_eq!(settings.server.drain_delay, Duration::from_secs(5));
            assert_eq!(settings.log.format, LogFormat::Json);
            assert_eq!(settings.server.host, "0.0.0.0");
            assert!(!settings.database.seed_demo_when_empty);
            // Metrics name the clients: not on the port the clients use.
            assert_eq!(settings.server.admin_port, Some(9090));
        }
    }
}

#[test]
fn drain_and_readiness_settings_have_defaults_and_are_checked() {
    let settings = load(Path::new("/nonexistent"), None, None, &[]).expect("defaults load");
    assert_eq!(settings.server.drain_delay, Duration::from_secs(1));
    assert_eq!(settings.server.readiness_timeout, Duration::from_secs(1));
    assert_eq!(settings.server.readiness_cache, Duration::from_secs(1));
    let settings = load(
        Path::new("/nonexistent"),
        None,
        None,
        &[
            ("APP__SERVER__DRAIN_DELAY_MS", "0"),
            ("APP__SERVER__READINESS_CACHE_MS", "0"),
        ],
    )
    .expect("no drain delay and no reuse are allowed");
    assert_eq!(settings.server.drain_delay, Duration::ZERO);
    assert_eq!(settings.server.readiness_cache, Duration::ZERO);
    let error = load(
        Path::new("/nonexistent"),
        None,
        None,
        &[("APP__SERVER__READINESS_TIMEOUT_MS", "0")],
    )
    .expect_err("a readiness check needs time");
    assert!(
        error.to_string().contains("server.readiness_timeout_ms"),
        "{error}"
    );
}

#[test]
fn deadlines_and_socket_timeouts_have_defaults_and_must_be_positive() {
    let settings = load(Path::new("/nonexistent"), None, None, &[]).expect("defaults load");
    assert_eq!(settings.server.request_timeout, Duration::from_secs(3));
    let pool = settings.database.pool(1);
    assert_eq!(pool.tcp_keepalive, Duration::from_secs(10));
    assert_eq!(pool.tcp_user_timeout, Duration::from_secs(10));
    let settings = load(
        Path::new("/nonexistent"),
        None,
        None,
        &[("APP__SERVER__REQUEST_TIMEOUT_MS", "750")],
    )
    .expect("loads");
    assert_eq!(settings.server.request_timeout, Duration::from_millis(750));
    for key in [
        "server.request_timeout_ms",
        "database.tcp_keepalive_secs",
        "database.tcp_user_timeout_ms",
    ] {
        let variable = format!("APP__{}", key.replace('.', "__").to_uppercase());
        let error = load(Path::new("/nonexistent"), None, None, &[(&variable, "0")])
            .expect_err("0 is refused");
        assert!(error.to_string().contains(key), "{error}");
    }
}

#[test]
fn the_weakest_sslmode_is_disable_by_default_and_verify_full_in_production() {
    let settings = load(Path::new("/nonexistent"), None, None, &[]).expect("defaults");
    assert_eq!(settings.database.min_sslmode, SslMode::Disable);
    let folder = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../config");
    let remote_plain = "postgres://app:secret@db.example:5432/customers";
    let local_plain = "postgres://app:secret@127.0.0.1:5432/customers";
    for url in [
        remote_plain.to_owned(),
        local_plain.to_owned(),
        format!("{remote_plain}?sslmode=require"),
        format!("{remote_plain}?sslmode=verify-ca"),
    ] {
        load(Path::new("/nonexistent"), None, Some(&url), &[]).expect("accepted by default");
        let error = load(&folder, Some("production"), Some(&url), &[]).expect_err(&url);
        let message = error.to_string();
        assert!(
            message.contains("database.url") && message.contains("verify-full"),
            "{url}: {message}"
        );
        // The password stays out of the message.
        assert!(!message.contains("secret"), "{message}");
    }
    let verified = format!("{remote_plain}?sslmode=verify-full");
    let settings = load(&folder, Some("production"), Some(&verified), &[]).expect("verified");
    assert_eq!(settings.database.min_sslmode, SslMode::VerifyFull);
    // `require` with a CA of one's own is verify-ca, which passes a minimum of verify-ca.
    let folder_ca = tempfile::tempdir().expect("a folder");
    let ca = folder_ca.path().join("ca.pem");
    let pem = rcgen::generate_simple_self_signed(vec!["db.example".to_owned()])
        .expect("a certificate")
        .cert
        .pem();
    std::fs::write(&ca, pem).expect("written");
    let require_with_ca = format!(
        "{remote_plain}?sslmode=require&sslrootcert={}",
        ca.display()
    );
    load(
        Path::new("/nonexistent"),
        None,
        Some(&require_with_ca),
        &[("APP__DATABASE__MIN_SSLMODE", "verify-ca")],
    )
    .expect("require with a CA is verify-ca");
}

#[test]
fn unusable_tls_settings_stop_start_up_naming_them() {
    let error = load(
        Path::new("/nonexistent"),
        None,
        None,
        &[("APP__DATABASE__MIN_SSLMODE", "strict")],
    )
    .expect_err("refused");
    assert!(
        error.to_string().contains("database.min_sslmode"),
        "{error}"
    );
    let missing =
        "postgres://app@db.example/customers?sslmode=verify-full&sslrootcert=/nonexistent/ca.pem";
    let error = load(Path::new("/nonexistent"), None, Some(missing), &[]).expect_err("refused");
    let message = error.to_string();
    assert!(
        message.contains("database.url") && message.contains("sslrootcert=/nonexistent/ca.pem"),
        "{message}"
    );
    let error = load(
        Path::new("/nonexistent"),
        None,
        Some("postgres://app@db.example/customers?sslmode=verify-full&sslcert=/c.pem"),
        &[],
    )
    .expect_err("refused");
    assert!(error.to_string().contains("sslcert"), "{error}");
}

mod replicas_and_conversion;

//! Read replicas, what loading converts the values into, the shipped Kubernetes
//! example, and variables that set nothing.

use super::*;

// Read replicas (`database.replica_urls` and the settings of their checks).

#[test]
fn replica_urls_come_comma_separated_from_the_environment() {
    let primary = Some("postgres://app@p/db");
    let settings = load(
        Path::new("/nonexistent"),
        None,
        primary,
        &[(
            "APP__DATABASE__REPLICA_URLS",
            "postgres://app@r1/db, postgres://app@r2:5433,r3:5434/db?target_session_attrs=any",
        )],
    )
    .expect("loads");
    assert_eq!(
        settings.database.replica_urls,
        [
            DatabaseUrl::Postgres("postgres://app@r1/db".to_owned()),
            DatabaseUrl::Postgres(
                "postgres://app@r2:5433,r3:5434/db?target_session_attrs=any".to_owned()
            )
        ]
    );
    // A value that looks like a number stays as written: no list parsing of every variable.
    let settings = load(
        Path::new("/nonexistent"),
        None,
        primary,
        &[("APP__AUDIT__HMAC_KEY", "0123")],
    )
    .expect("loads");
    assert_eq!(settings.audit.hmac_key, "0123");
    assert!(settings.database.replica_urls.is_empty());
    let settings = load(
        Path::new("/nonexistent"),
        None,
        primary,
        &[("APP__DATABASE__REPLICA_URLS", "")],
    )
    .expect("an empty list");
    assert!(settings.database.replica_urls.is_empty());
}

#[test]
fn replica_urls_come_as_a_list_from_a_file() {
    let folder = tempfile::tempdir().expect("temp dir");
    std::fs::write(
        folder.path().join("default.toml"),
        "[database]\nurl = \"postgres://app@p/db\"\nreplica_urls = [\"postgres://app@r1/db\", \"postgresql://app@r2/db\"]\n",
    )
    .expect("written");
    let settings = load(folder.path(), None, None, &[]).expect("loads");
    assert_eq!(settings.database.replica_urls.len(), 2);
}

#[test]
fn replica_settings_have_defaults_and_are_checked() {
    let settings = load(Path::new("/nonexistent"), None, None, &[]).expect("defaults");
    assert!(settings.database.replica_urls.is_empty());
    let replicas = settings.database.replicas;
    assert_eq!(replicas.check_interval, Duration::from_secs(1));
    assert_eq!(replicas.max_lag, Duration::from_secs(5));
    assert_eq!(replicas.fallback, ReplicaFallback::Primary);
    for (vars, url, named) in [
        // Replicas of a SQLite primary.
        (
            vec![("APP__DATABASE__REPLICA_URLS", "postgres://r/db")],
            None,
            "database.replica_urls",
        ),
        (
            vec![(
                "APP__DATABASE__REPLICA_URLS",
                "postgres://r/db,sqlite://x.db",
            )],
            Some("postgres://p/db"),
            "database.replica_urls",
        ),
        (
            vec![("APP__DATABASE__REPLICA_CHECK_INTERVAL_MS", "0")],
            None,
            "database.replica_check_interval_ms",
        ),
        (
            vec![("APP__DATABASE__MAX_REPLICA_LAG_MS", "0")],
            None,
            "database.max_replica_lag_ms",
        ),
        (
            vec![("APP__DATABASE__REPLICA_FALLBACK", "secondary")],
            None,
            "replica_fallback",
        ),
    ] {
        let error = load(Path::new("/nonexistent"), None, url, &vars).expect_err("refused");
        assert!(error.to_string().contains(named), "{named}: {error}");
    }
    let settings = load(
        Path::new("/nonexistent"),
        None,
        None,
        &[("APP__DATABASE__REPLICA_FALLBACK", "unavailable")],
    )
    .expect("loads");
    assert_eq!(
        settings.database.replicas.fallback,
        ReplicaFallback::Unavailable
    );
}

#[test]
fn replica_urls_are_held_to_the_weakest_sslmode_like_the_primary() {
    let folder = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../config");
    let primary = "postgres://app:secret@db1.example/customers?sslmode=verify-full";
    let verified = "postgres://app:secret@db2.example/customers?sslmode=verify-full";
    let plain = "postgres://app:secret@db3.example/customers?sslmode=require";
    let both = format!("{verified},{plain}");
    let error = load(
        &folder,
        Some("production"),
        Some(primary),
        &[("APP__DATABASE__REPLICA_URLS", &both)],
    )
    .expect_err("a replica below verify-full is refused in production");
    let message = error.to_string();
    assert!(
        message.contains("database.replica_urls") && message.contains("verify-full"),
        "{message}"
    );
    assert!(!message.contains("secret"), "{message}");
    let settings = load(
        &folder,
        Some("production"),
        Some(primary),
        &[("APP__DATABASE__REPLICA_URLS", verified)],
    )
    .expect("a verified replica is accepted");
    assert_eq!(settings.database.replica_urls.len(), 1);
}

// What loading converts the values into.

#[test]
fn loading_converts_the_values_into_the_types_they_configure() {
    let settings = load(Path::new("/nonexistent"), None, None, &[]).expect("defaults");
    assert!(settings.server.workers >= 1, "0 is one worker per CPU core");
    assert_eq!(settings.server.shutdown_grace, Duration::from_secs(30));
    assert_eq!(settings.database.pool.max_size, 16);
    assert_eq!(settings.database.pool(3).threads, 3);
    assert_eq!(settings.database.reference_ttl, Duration::from_secs(300));
    assert_eq!(
        settings.auth.default_rate_limit,
        RateLimit::parse("100/s").expect("a rate limit")
    );
    assert!(settings.auth.trusted_proxies.is_empty());
    assert!(settings.auth.jwt.is_none(), "off by default");
    let trail = settings.audit.trail.expect("on by default");
    assert_eq!(
        (trail.batch_size, trail.writers, trail.queue_capacity),
        (512, 1, 10_000)
    );
    let readiness = settings.readiness();
    assert!(readiness.authenticates && readiness.audits);
    let settings = load(
        Path::new("/nonexistent"),
        None,
        None,
        &[
            ("APP__SERVER__WORKERS", "3"),
            ("APP__AUDIT__MODE", "off"),
            ("APP__AUTH__MODE", "disabled"),
        ],
    )
    .expect("loads");
    assert_eq!(settings.server.workers, 3);
    assert!(settings.audit.trail.is_none());
    let readiness = settings.readiness();
    assert!(!readiness.authenticates && !readiness.audits);
}

#[test]
fn an_enabled_jwt_section_becomes_the_verifiers_settings() {
    let jwt_with = |extra: &[(&str, &str)]| {
        let mut env = vec![
            ("APP__AUTH__JWT__ENABLED", "true"),
            ("APP__AUTH__JWT__ISSUER", "https://idp.example"),
            ("APP__AUTH__JWT__AUDIENCE", "customer-api"),
            ("APP__AUTH__JWT__FETCH_TIMEOUT_MS", "1500"),
        ];
        env.extend_from_slice(extra);
        load(Path::new("/nonexistent"), None, None, &env)
            .expect("loads")
            .auth
            .jwt
            .expect("enabled")
    };
    let jwt = |source: (&str, &str)| jwt_with(&[source]);
    let from_file = jwt(("APP__AUTH__JWT__JWKS_FILE", "/etc/jwks.json"));
    assert_eq!(from_file.jwks, JwksSource::File("/etc/jwks.json".into()));
    assert_eq!(from_file.issuer, "https://idp.example");
    assert_eq!(from_file.audience, "customer-api");
    assert_eq!(from_file.client_claim, "client_id");
    assert_eq!(from_file.companies_claim, "companies");
    assert_eq!(from_file.permissions_claim, "permissions");
    assert_eq!(from_file.leeway, Duration::from_secs(30));
    assert_eq!(from_file.fetch_timeout, Duration::from_millis(1500));
    let from_url = jwt(("APP__AUTH__JWT__JWKS_URL", "https://idp.example/jwks"));
    assert_eq!(
        from_url.jwks,
        JwksSource::Url("https://idp.example/jwks".to_owned())
    );
    let renamed = jwt_with(&[
        ("APP__AUTH__JWT__JWKS_FILE", "/etc/jwks.json"),
        ("APP__AUTH__JWT__PERMISSIONS_CLAIM", "api_rights"),
    ]);
    assert_eq!(renamed.permissions_claim, "api_rights");
}

/// The `APP__...` entries of a shipped Kubernetes manifest (`KEY: "value"` lines).
fn manifest_variables(file: &str) -> Vec<(String, String)> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../deploy/kubernetes")
        .join(file);
    let text = std::fs::read_to_string(&path).expect("a shipped manifest");
    text.lines()
        .filter_map(|line| {
            let (key, value) = line.trim().split_once(": ")?;
            key.starts_with("APP__")
                .then(|| (key.to_owned(), value.trim_matches('"').to_owned()))
        })
        .collect()
}

/// The example Secret and `ConfigMap`, as shipped, load under `APP_ENV=production`
/// (`database.min_sslmode = verify-full`): their URLs ask for `verify-full`, and their
/// CA file is the one the Deployment mounts.
#[test]
fn the_example_kubernetes_manifests_load_in_production() {
    const CA_FILE: &str = "/etc/customer-api/db-ca/ca.crt";
    let deployment = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../deploy/kubernetes/deployment.yaml"),
    )
    .expect("the Deployment");
    assert!(
        deployment.contains("mountPath: /etc/customer-api/db-ca"),
        "the Deployment mounts the CA the URLs name"
    );
    // The CA file exists in the pod only: a CA of the test's stands in for it.
    let folder_ca = tempfile::tempdir().expect("a folder");
    let ca = folder_ca.path().join("ca.crt");
    let pem = rcgen::generate_simple_self_signed(vec!["postgres-primary.example".to_owned()])
        .expect("a certificate")
        .cert
        .pem();
    std::fs::write(&ca, pem).expect("written");
    let mut pairs = manifest_variables("configmap.yaml");
    pairs.extend(manifest_variables("secret.yaml"));
    let urls: Vec<&str> = pairs
        .iter()
        .filter(|(key, _)| key == "APP__DATABASE__URL" || key == "APP__DATABASE__REPLICA_URLS")
        .map(|(_, value)| value.as_str())
        .collect();
    assert_eq!(urls.len(), 2, "{pairs:?}");
    for url in &urls {
        assert!(url.contains(&format!("sslrootcert={CA_FILE}")), "{url}");
    }
    let ca_path = ca.display().to_string();
    let pairs: Vec<(String, String)> = pairs
        .into_iter()
        .map(|(key, value)| (key, value.replace(CA_FILE, &ca_path)))
        .collect();
    let vars: Vec<(&str, &str)> = pairs
        .iter()
        .map(|(key, value)| (key.as_str(), value.as_str()))
        .collect();
    let folder = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../config");
    let settings = load(&folder, Some("production"), None, &vars)
        .unwrap_or_else(|error| panic!("the example manifests: {error}"));
    assert_eq!(settings.database.min_sslmode, SslMode::VerifyFull);
    assert_eq!(settings.database.replica_urls.len(), 1);
}

/// `APP_` with one underscore sets nothing: a warning names the variable and the key it
/// likely meant; the variables that choose the files are not warned of.
#[test]
fn variables_with_one_underscore_after_app_are_named_with_the_key_meant() {
    let warnings = stray_variable_warnings([
        "APP_SERVER__PORT",
        "APP_DATABASE_URL",
        "APP_AUTH_JWT_ENABLED",
        "APP_ENV",
        "APP_CONFIG_DIR",
        "APP__SERVER__PORT",
        "APPLE",
        "APP_COLOUR",
        "PATH",
    ]);
    assert_eq!(warnings.len(), 4, "{warnings:?}");
    assert!(
        warnings[0].contains("APP_SERVER__PORT is ignored"),
        "{warnings:?}"
    );
    assert!(
        warnings[0].ends_with("did you mean APP__SERVER__PORT?"),
        "{warnings:?}"
    );
    assert!(
        warnings[1].ends_with("did you mean APP__DATABASE__URL?"),
        "{warnings:?}"
    );
    assert!(
        warnings[2].ends_with("did you mean APP__AUTH__JWT__ENABLED?"),
        "{warnings:?}"
    );
    assert!(
        warnings[3].contains("APP_COLOUR is ignored"),
        "{warnings:?}"
    );
    assert!(warnings[3].contains("APP__SERVER__PORT"), "{warnings:?}");
}

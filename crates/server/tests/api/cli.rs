//! The administration commands of the real binary, `customer-api clients ...`,
//! `customer-api audit ...` and `customer-api import` / `export`, run as an operator
//! would: in an empty folder, the database named by `DATABASE_URL`, nothing else from
//! the environment.

use std::path::Path;
use std::process::Command;

use crate::support::{
    TestApp, TestBackend, TestDatabase, service_binary, suite_tests, test_settings, url_string,
};
use chrono::{DateTime, TimeDelta, Utc};
use customer_application::access::hash_key;
use customer_application::audit::CriteriaHasher;
use customer_domain::{
    ApiKey, AuditLog, AuditRecord, ClientName, CompanyCode, Criterion, CustomerId, Disclosure,
};
use customer_infrastructure::SqlAuditTrail;
use customer_server::Settings;
use customer_server::audit_key::criteria_hasher;
use serde_json::Value;

mod audit;
mod customers;

use self::audit::{
    audit_customer_and_client_list_lookups_oldest_first, audit_prune_removes_old_records_only,
    audit_searched_finds_a_value_as_the_lookup_reads_it,
    audit_searched_values_use_the_configured_key,
};
use self::customers::{
    an_export_imported_into_an_empty_database_exports_the_same,
    an_export_moves_between_sqlite_and_postgresql,
    an_import_killed_part_of_the_way_completes_when_run_again,
    an_initial_load_killed_part_of_the_way_commits_nothing, import_dry_run_writes_nothing,
    import_reads_standard_input, import_reports_each_rejected_line_and_applies_the_others,
    importing_a_file_again_changes_nothing,
};

suite_tests!("cli":
    clients_add_prints_the_key_once_and_list_never_shows_it,
    clients_add_prints_an_example_that_works_for_the_client,
    clients_add_without_a_demo_customer_prints_a_placeholder,
    clients_rotate_sets_the_expiry_given,
    commands_name_their_database_and_warn_of_a_new_sqlite_file,
    clients_add_names_every_unknown_company_and_invalid_input,
    clients_add_refuses_a_taken_name,
    clients_revoke_takes_a_name_a_key_id_or_a_whole_key,
    clients_rotate_keeps_the_old_key_for_the_grace_or_revokes_it,
    audit_customer_and_client_list_lookups_oldest_first,
    audit_searched_finds_a_value_as_the_lookup_reads_it,
    audit_searched_values_use_the_configured_key,
    audit_prune_removes_old_records_only,
    import_reports_each_rejected_line_and_applies_the_others,
    importing_a_file_again_changes_nothing,
    import_dry_run_writes_nothing,
    import_reads_standard_input,
    an_export_imported_into_an_empty_database_exports_the_same,
    an_import_killed_part_of_the_way_completes_when_run_again,
    an_initial_load_killed_part_of_the_way_commits_nothing,
);

/// Both backends in one test: it runs where PostgreSQL is.
pub const POSTGRES_ONLY: &[(&str, crate::support::SuiteTest)] = &[(
    "cli::an_export_moves_between_sqlite_and_postgresql",
    |backend| Box::pin(an_export_moves_between_sqlite_and_postgresql(backend)),
)];

/// What a run of the binary gave.
#[derive(Debug)]
pub(crate) struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

impl Run {
    /// What a finished run of the binary gave.
    pub(crate) fn of(output: std::process::Output) -> Self {
        Self {
            code: output.status.code().expect("an exit code"),
            stdout: String::from_utf8(output.stdout).expect("UTF-8 output"),
            stderr: String::from_utf8(output.stderr).expect("UTF-8 errors"),
        }
    }

    /// Fails unless the command succeeded; returns its standard output.
    pub(crate) fn ok(&self) -> &str {
        assert_eq!(self.code, 0, "{self:?}");
        &self.stdout
    }

    /// Fails unless the command failed with exit code 1 and one line on stderr besides
    /// the one naming the database; returns that line.
    pub(crate) fn failure(&self) -> &str {
        assert_eq!(self.code, 1, "{self:?}");
        let lines: Vec<&str> = self
            .stderr
            .lines()
            .filter(|line| !line.starts_with("customer-api: database: "))
            .collect();
        assert_eq!(lines.len(), 1, "one line on stderr: {self:?}");
        assert!(
            lines[0].starts_with("customer-api: "),
            "names the program: {self:?}"
        );
        lines[0]
    }

    pub(crate) fn json(&self) -> Value {
        serde_json::from_str(self.ok())
            .unwrap_or_else(|error| panic!("not JSON ({error}): {self:?}"))
    }

    fn all_output(&self) -> String {
        format!("{}\n{}", self.stdout, self.stderr)
    }
}

/// Runs `customer-api ARGS` in an empty folder over `database`, with `env` alone of the
/// settings in the environment.
pub(crate) async fn run(database: &TestDatabase, args: &[&str], env: &[(&str, &str)]) -> Run {
    let url = url_string(database.url());
    let args: Vec<String> = args.iter().map(|&arg| arg.to_owned()).collect();
    let env: Vec<(String, String)> = env
        .iter()
        .map(|&(name, value)| (name.to_owned(), value.to_owned()))
        .collect();
    tokio::task::spawn_blocking(move || {
        let folder = tempfile::tempdir().expect("an empty working folder");
        let output = command(folder.path(), &url, &args, &env)
            .output()
            .expect("customer-api runs");
        Run::of(output)
    })
    .await
    .expect("the command ran")
}

fn command(folder: &Path, url: &str, args: &[String], env: &[(String, String)]) -> Command {
    let mut command = Command::new(service_binary());
    command.current_dir(folder).args(args);
    for (name, _) in std::env::vars_os() {
        if name == "DATABASE_URL"
            || name == "RUST_LOG"
            || name.to_string_lossy().starts_with("APP_")
        {
            command.env_remove(name);
        }
    }
    command.env("DATABASE_URL", url);
    for (name, value) in env {
        command.env(name, value);
    }
    command
}

/// Runs `clients add NAME ARGS...` and returns the key it printed.
async fn add_client(database: &TestDatabase, name: &str, args: &[&str]) -> ApiKey {
    let mut all = vec!["clients", "add", name];
    all.extend_from_slice(args);
    key_in(run(database, &all, &[]).await.ok())
}

/// The one API key in `text`.
pub(crate) fn key_in(text: &str) -> ApiKey {
    let keys: Vec<&str> = text
        .split_whitespace()
        .filter(|word| word.starts_with("clk_"))
        .collect();
    assert_eq!(keys.len(), 1, "the key is printed once: {text}");
    ApiKey::parse(keys[0]).unwrap_or_else(|_| panic!("{} is a key", keys[0]))
}

async fn list_json(database: &TestDatabase) -> Vec<Value> {
    match run(database, &["clients", "list", "--json"], &[])
        .await
        .json()
    {
        Value::Array(clients) => clients,
        other => panic!("a JSON array: {other}"),
    }
}

fn client_named<'a>(clients: &'a [Value], name: &str) -> &'a Value {
    clients
        .iter()
        .find(|client| client["name"] == name)
        .unwrap_or_else(|| panic!("{name} is listed: {clients:?}"))
}

fn states(client: &Value) -> Vec<(String, String)> {
    client["keys"]
        .as_array()
        .expect("keys")
        .iter()
        .map(|key| {
            (
                key["id"].as_str().expect("an id").to_owned(),
                key["state"].as_str().expect("a state").to_owned(),
            )
        })
        .collect()
}

/// `clients add` prints the key once with a warning and an example; `clients list`, as
/// text or JSON, shows the client and the key's id, but neither the key nor its hash.
async fn clients_add_prints_the_key_once_and_list_never_shows_it(backend: TestBackend) {
    let database = TestDatabase::with_demo_data(backend).await;
    let added = run(
        &database,
        &[
            "clients",
            "add",
            "call-centre",
            "--companies",
            "JTC, jfc",
            "--rate",
            "50/s",
            "--expires",
            "2099-12-31",
        ],
        &[],
    )
    .await;
    let text = added.ok();
    let key = key_in(text);
    assert!(text.contains("NOT shown again"), "{text}");
    assert!(
        text.contains("curl -H \"Authorization: Bearer <key>\""),
        "{text}"
    );
    assert!(
        text.contains("companies jfc,jtc, rate limit 50/s"),
        "{text}"
    );
    // The day given, and what it means: not the midnight after it.
    assert!(
        text.contains("(expires 2099-12-31, at the end of that day (UTC))"),
        "{text}"
    );
    let secret = key.expose_secret().to_owned();
    let hash = hash_key(&key).to_hex();

    let listed = run(&database, &["clients", "list"], &[]).await;
    let text = listed.ok();
    assert!(text.contains("call-centre"), "{text}");
    assert!(text.contains("companies: jfc,jtc"), "{text}");
    assert!(text.contains("rate limit: 50/s"), "{text}");
    assert!(
        text.contains(&format!("{}  active", key.id())),
        "the key by its id: {text}"
    );
    let clients = list_json(&database).await;
    assert_eq!(clients.len(), 1, "{clients:?}");
    let client = &clients[0];
    assert_eq!(client["companies"], serde_json::json!(["jfc", "jtc"]));
    assert_eq!(client["rateLimit"], "50/s");
    assert_eq!(
        states(client),
        [(key.id().to_string(), "active".to_owned())]
    );
    assert_eq!(client["keys"][0]["expiresAt"], "2100-01-01T00:00:00Z");
    assert_eq!(client["keys"][0]["lastUsedAt"], Value::Null);
    let json = run(&database, &["clients", "list", "--json"], &[]).await;
    for output in [listed.all_output(), json.all_output()] {
        assert!(!output.contains(&secret), "no key: {output}");
        assert!(!output.contains(&hash), "no hash: {output}");
    }

    let all = add_client(&database, "portal", &["--companies", "all"]).await;
    let clients = list_json(&database).await;
    let portal = client_named(&clients, "portal");
    assert_eq!(portal["companies"], "all");
    assert_eq!(portal["rateLimit"], "default");
    assert_eq!(portal["keys"][0]["expiresAt"], Value::Null);
    assert_eq!(portal["keys"][0]["id"], all.id().as_str());
}

/// The example `clients add` prints is a lookup the client may make: its key, `lang`, a
/// demo customer of one of its companies, and the port the service is configured on. The
/// service over the same database answers it with that customer.
async fn clients_add_prints_an_example_that_works_for_the_client(backend: TestBackend) {
    let database = TestDatabase::with_demo_data(backend).await;
    for (companies, company, customer) in [("jfc", "jfc", 70004), ("jtc,jfc", "jtc", 54218)] {
        let name = format!("example-{}", companies.replace(',', "-"));
        let added = run(
            &database,
            &["clients", "add", &name, "--companies", companies],
            &[("APP__SERVER__PORT", "9123")],
        )
        .await;
        let text = added.ok();
        let key = key_in(text);
        let curl = text
            .lines()
            .map(str::trim)
            .find(|line| line.starts_with("curl "))
            .unwrap_or_else(|| panic!("an example: {text}"));
        let url = curl
            .split('\'')
            .find(|part| part.starts_with("http://"))
            .unwrap_or_else(|| panic!("a URL: {curl}"));
        let query = url
            .strip_prefix("http://127.0.0.1:9123/v1/core/customer?")
            .unwrap_or_else(|| panic!("the configured port: {url}"));
        assert_eq!(
            query,
            format!("companyCode={company}&customerId={customer}&lang=en"),
            "{companies}"
        );
        assert!(curl.contains("Authorization: Bearer <key>"), "{curl}");
        let settings = test_settings(&url_string(database.url()));
        let app = TestApp::spawn_with(settings, None).await;
        let response = app
            .lookup_with(Some(&format!("Bearer {}", key.expose_secret())), query)
            .await;
        assert_eq!(response.status, 200, "{curl}: {}", response.body);
        assert_eq!(
            response.json()[0]["customerId"],
            customer,
            "{curl}: {}",
            response.body
        );
    }
}

/// Without demo data, the example says plainly that the customer is to be filled in.
async fn clients_add_without_a_demo_customer_prints_a_placeholder(backend: TestBackend) {
    let database = TestDatabase::new(backend).await;
    run(
        &database,
        &[
            "companies",
            "add",
            "jxq",
            "--name-ar",
            "شركة",
            "--name-en",
            "Company",
        ],
        &[],
    )
    .await
    .ok();
    let added = run(
        &database,
        &["clients", "add", "branch", "--companies", "jxq"],
        &[("APP__SERVER__HOST", "0.0.0.0")],
    )
    .await;
    let text = added.ok();
    assert!(
        text.contains(
            "'http://127.0.0.1:8080/v1/core/customer?companyCode=jxq&customerId=<customer id>&lang=en'"
        ),
        "{text}"
    );
    assert!(text.contains("replace <customer id>"), "{text}");
    assert!(!text.contains("54218"), "{text}");
}

/// `clients rotate --expires` gives the new key that expiry, and says so as given.
async fn clients_rotate_sets_the_expiry_given(backend: TestBackend) {
    let database = TestDatabase::with_demo_data(backend).await;
    add_client(&database, "portal", &["--companies", "jtc"]).await;
    let rotated = run(
        &database,
        &["clients", "rotate", "portal", "--expires", "2099-06-30"],
        &[],
    )
    .await;
    let text = rotated.ok();
    let new = key_in(text);
    assert!(
        text.contains("(expires 2099-06-30, at the end of that day (UTC))"),
        "{text}"
    );
    let clients = list_json(&database).await;
    let portal = client_named(&clients, "portal");
    assert_eq!(portal["keys"][1]["id"], new.id().as_str());
    assert_eq!(portal["keys"][1]["expiresAt"], "2099-07-01T00:00:00Z");
    let past = run(
        &database,
        &["clients", "rotate", "portal", "--expires", "2000-01-01"],
        &[],
    )
    .await;
    assert!(past.failure().contains("in the past"), "{past:?}");
}

/// Every command says on stderr which database it uses, without a password; a relative
/// SQLite path that names no file yet is named absolute, with a warning that a new, empty
/// database is made (`clients list` from the wrong folder would otherwise say "No
/// clients" as if there were none).
async fn commands_name_their_database_and_warn_of_a_new_sqlite_file(backend: TestBackend) {
    let database = TestDatabase::new(backend).await;
    let listed = run(&database, &["clients", "list"], &[]).await;
    listed.ok();
    let named = listed
        .stderr
        .lines()
        .find(|line| line.starts_with("customer-api: database: "))
        .unwrap_or_else(|| panic!("the database is named: {listed:?}"));
    assert!(named.contains(&database.url().to_string()), "{named}");
    assert!(!listed.stderr.contains("warning"), "{listed:?}");
    let fresh = run(
        &database,
        &["clients", "list"],
        &[("DATABASE_URL", "sqlite://customers.db")],
    )
    .await;
    assert!(fresh.ok().contains("No clients"), "{fresh:?}");
    let named = fresh
        .stderr
        .lines()
        .find(|line| line.starts_with("customer-api: database: sqlite:///"))
        .unwrap_or_else(|| panic!("an absolute path: {fresh:?}"));
    assert!(named.ends_with("/customers.db"), "{named}");
    assert!(
        fresh
            .stderr
            .contains("did not exist: a new, empty database is made there")
            && fresh.stderr.contains("working folder"),
        "{fresh:?}"
    );
    let companies = run(&database, &["companies", "list"], &[]).await;
    assert!(
        companies.stderr.contains("customer-api: database: "),
        "{companies:?}"
    );
}

/// Unknown companies are named, each one, as are every invalid input; nothing is added.
async fn clients_add_names_every_unknown_company_and_invalid_input(backend: TestBackend) {
    let database = TestDatabase::with_demo_data(backend).await;
    let unknown = run(
        &database,
        &["clients", "add", "portal", "--companies", "jtc,zzz,qqq"],
        &[],
    )
    .await;
    let line = unknown.failure();
    assert!(
        line.contains("unknown companies") && line.contains("zzz") && line.contains("qqq"),
        "{line}"
    );
    assert!(!line.contains("jtc"), "jtc exists: {line}");
    assert!(unknown.stdout.is_empty(), "no key: {unknown:?}");

    let invalid = run(
        &database,
        &[
            "clients",
            "add",
            "port al",
            "--companies",
            "j/tc",
            "--rate",
            "fast",
        ],
        &[],
    )
    .await;
    let line = invalid.failure();
    for part in ["name", "companies", "\"j/tc\"", "rate"] {
        assert!(line.contains(part), "names {part}: {line}");
    }
    let past = run(
        &database,
        &[
            "clients",
            "add",
            "portal",
            "--companies",
            "jtc",
            "--expires",
            "2020-01-01",
        ],
        &[],
    )
    .await;
    assert!(past.failure().contains("in the past"), "{past:?}");
    assert!(list_json(&database).await.is_empty());

    // Malformed dates are usage errors, told by the argument parser.
    let usage = run(
        &database,
        &[
            "clients",
            "add",
            "portal",
            "--companies",
            "jtc",
            "--expires",
            "31/12/2099",
        ],
        &[],
    )
    .await;
    assert_eq!(usage.code, 2, "{usage:?}");
    assert!(usage.stderr.contains("--expires"), "{usage:?}");
}

async fn clients_add_refuses_a_taken_name(backend: TestBackend) {
    let database = TestDatabase::with_demo_data(backend).await;
    let first = add_client(&database, "portal", &["--companies", "jtc"]).await;
    let again = run(
        &database,
        &["clients", "add", "portal", "--companies", "jfc"],
        &[],
    )
    .await;
    assert!(
        again.failure().contains("portal exists already"),
        "{again:?}"
    );
    assert!(again.stdout.is_empty(), "no key: {again:?}");
    let clients = list_json(&database).await;
    assert_eq!(clients.len(), 1);
    assert_eq!(clients[0]["companies"], serde_json::json!(["jtc"]));
    assert_eq!(
        states(&clients[0]),
        [(first.id().to_string(), "active".to_owned())]
    );
}

/// A key id revokes that key alone; a whole key, that key; a name, every key of the
/// client. Each says what it revoked and when instances stop accepting it.
async fn clients_revoke_takes_a_name_a_key_id_or_a_whole_key(backend: TestBackend) {
    let database = TestDatabase::with_demo_data(backend).await;
    let portal = add_client(&database, "portal", &["--companies", "jtc"]).await;
    let branch = add_client(&database, "branch", &["--companies", "jtc"]).await;
    let rotated = run(&database, &["clients", "rotate", "branch"], &[]).await;
    let branch_new = key_in(rotated.ok());

    let by_id = run(&database, &["clients", "revoke", portal.id().as_str()], &[]).await;
    let text = by_id.ok();
    assert!(
        text.contains(&format!("Revoked API key {}.", portal.id())),
        "{text}"
    );
    assert!(
        text.contains("within 30 s (auth.key_cache_ttl_secs)"),
        "{text}"
    );
    let clients = list_json(&database).await;
    assert_eq!(
        states(client_named(&clients, "portal")),
        [(portal.id().to_string(), "revoked".to_owned())]
    );
    assert_eq!(
        states(client_named(&clients, "branch"))
            .iter()
            .map(|(_, state)| state.as_str())
            .collect::<Vec<_>>(),
        ["expiring", "active"],
        "other clients are untouched"
    );

    let by_name = run(&database, &["clients", "revoke", "branch"], &[]).await;
    let text = by_name.ok();
    assert!(
        text.contains("Revoked 2 API keys of client branch")
            && text.contains(branch.id().as_str())
            && text.contains(branch_new.id().as_str()),
        "{text}"
    );
    assert!(!text.contains(branch_new.expose_secret()), "{text}");
    let clients = list_json(&database).await;
    assert!(
        states(client_named(&clients, "branch"))
            .iter()
            .all(|(_, state)| state == "revoked"),
        "{clients:?}"
    );
    let again = run(&database, &["clients", "revoke", "branch"], &[]).await;
    assert!(again.ok().contains("Nothing to revoke"), "{again:?}");

    let third = add_client(&database, "kiosk", &["--companies", "jfc"]).await;
    let by_key = run(
        &database,
        &["clients", "revoke", third.expose_secret()],
        &[],
    )
    .await;
    assert!(
        by_key
            .ok()
            .contains(&format!("Revoked API key {}.", third.id())),
        "{by_key:?}"
    );
    assert!(!by_key.stdout.contains(third.expose_secret()), "{by_key:?}");

    let unknown = run(&database, &["clients", "revoke", "nobody"], &[]).await;
    assert!(
        unknown.failure().contains("no client is named nobody"),
        "{unknown:?}"
    );
    let unknown = run(&database, &["clients", "revoke", "0123456789ab"], &[]).await;
    assert!(unknown.failure().contains("0123456789ab"), "{unknown:?}");
}

/// A rotation prints the new key once; the old key is `expiring` until the grace ends
/// (about 2 hours from now), or revoked at once with `--grace 0`.
async fn clients_rotate_keeps_the_old_key_for_the_grace_or_revokes_it(backend: TestBackend) {
    let database = TestDatabase::with_demo_data(backend).await;
    let old = add_client(&database, "portal", &["--companies", "jtc"]).await;
    let rotated = run(
        &database,
        &["clients", "rotate", "portal", "--grace", "2h"],
        &[],
    )
    .await;
    let text = rotated.ok();
    let new = key_in(text);
    assert_ne!(new.id(), old.id());
    assert!(text.contains("NOT shown again"), "{text}");
    assert!(
        text.contains(&format!("The previous key {} works until", old.id())),
        "{text}"
    );
    let clients = list_json(&database).await;
    let portal = client_named(&clients, "portal");
    assert_eq!(
        states(portal),
        [
            (old.id().to_string(), "expiring".to_owned()),
            (new.id().to_string(), "active".to_owned())
        ]
    );
    let expires: DateTime<Utc> = portal["keys"][0]["expiresAt"]
        .as_str()
        .expect("an expiry")
        .parse()
        .expect("RFC 3339");
    let grace = expires - Utc::now();
    assert!(
        grace > TimeDelta::minutes(110) && grace <= TimeDelta::hours(2),
        "{expires}"
    );
    assert_eq!(portal["keys"][1]["expiresAt"], Value::Null);

    let now = run(
        &database,
        &["clients", "rotate", "portal", "--grace", "0"],
        &[],
    )
    .await;
    let newest = key_in(now.ok());
    assert!(
        now.stdout.contains(&format!(
            "Revoked now: the 2 previous keys ({}, {}).",
            old.id(),
            new.id()
        )),
        "{now:?}"
    );
    let clients = list_json(&database).await;
    assert_eq!(
        states(client_named(&clients, "portal")),
        [
            (old.id().to_string(), "revoked".to_owned()),
            (new.id().to_string(), "revoked".to_owned()),
            (newest.id().to_string(), "active".to_owned())
        ]
    );

    let unknown = run(&database, &["clients", "rotate", "nobody"], &[]).await;
    assert!(unknown.failure().contains("nobody"), "{unknown:?}");
    assert!(!unknown.stdout.contains("clk_"), "{unknown:?}");
}

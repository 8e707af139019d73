//! Helpers of the black-box HTTP tests: a running service over a database of its own, a
//! client that sends query strings exactly as written, and small JSON checks.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use customer_domain::RateLimit;
use customer_infrastructure::DatabaseUrl;
use customer_server::settings::AuthMode;
use customer_server::{Application, Settings};
use reqwest::header::HeaderMap;
use reqwest::{Method, Url};
use serde_json::Value;

pub mod cluster;
pub mod cluster_tls;
pub mod replication;
pub mod report;

pub use cluster::PrivateCluster;
pub use cluster_tls::TestCas;
pub use report::FaultFigures;

pub use customer_testkit::{SuiteTest, Suites, TestBackend, TestDatabase, run_suites};

/// The path of the lookup.
pub const LOOKUP_PATH: &str = "/v1/core/customer";

/// The query string of the contract's example request.
pub const EXAMPLE_QUERY: &str = "companyCode=jtc&customerId=54218&identificationNo=2103232123&mobileNumber=568617084&referenceNo=333215&lang=ar";

/// The contract's example response, byte for byte.
pub const EXAMPLE_RESPONSE: &str = include_str!("../../fixtures/example-response.json");

/// The workspace's folder, for files of the project (migrations, configuration) that a
/// test reads.
pub fn workspace_root() -> &'static Path {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../.."))
}

/// Lists the async test functions of a module as suite tests named `prefix::function`.
macro_rules! suite_tests {
    ($prefix:literal: $($name:ident),+ $(,)?) => {
        pub const TESTS: &[(&str, $crate::support::SuiteTest)] = &[
            $((concat!($prefix, "::", stringify!($name)), |backend| Box::pin($name(backend)))),+
        ];
    };
}
pub(crate) use suite_tests;

/// The URL string a service is configured with to use `url` (with its password, unlike
/// `DatabaseUrl`'s `Display`).
pub fn url_string(url: &DatabaseUrl) -> String {
    match url {
        DatabaseUrl::Postgres(url) => url.clone(),
        DatabaseUrl::Sqlite(path) => path.display().to_string(),
    }
}

/// Settings for a test service over `database_url`: the built-in defaults (no files, no
/// environment), on a free port of 127.0.0.1, one worker, no migrations nor demo data.
pub fn test_settings(database_url: &str) -> Settings {
    let mut settings = Settings::defaults().expect("the built-in defaults load");
    "127.0.0.1".clone_into(&mut settings.server.host);
    settings.server.port = 0;
    settings.server.workers = 1;
    settings.server.shutdown_grace = Duration::from_secs(1);
    settings.database.url = DatabaseUrl::parse(database_url).expect("a database URL");
    settings.database.migrate_on_start = false;
    settings.database.seed_demo_when_empty = false;
    settings.database.pool.max_size = 4;
    // Tests that count failed authentications set their own budget.
    settings.auth.failed_auth_rate_limit = rate_limit("1000/s");
    settings
}

/// The rate limit `text` (`N/s` or `N/min`).
pub fn rate_limit(text: &str) -> RateLimit {
    RateLimit::parse(text).expect("a rate limit")
}

/// An HTTP response, read whole.
#[derive(Debug)]
pub struct TestResponse {
    pub status: u16,
    pub headers: HeaderMap,
    /// The body; the test fails when it is not UTF-8.
    pub body: String,
}

impl TestResponse {
    /// The value of header `name`, when present and printable.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|value| value.to_str().ok())
    }

    /// The body as JSON; the test fails when it is not.
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.body)
            .unwrap_or_else(|error| panic!("body is not JSON ({error}): {}", self.body))
    }

    /// The body as JSON, checked to be written compactly with each key once: it is
    /// exactly its value written again (a repeated key would be read only once).
    pub fn json_as_written(&self) -> Value {
        let value = self.json();
        assert_eq!(
            value.to_string(),
            self.body,
            "the body is compact JSON, each key written once"
        );
        value
    }

    /// The body of a `200` lookup: the array of customers.
    pub fn customers(&self) -> Vec<Value> {
        assert_eq!(self.status, 200, "expected 200, got: {}", self.body);
        match self.json() {
            Value::Array(customers) => customers,
            other => panic!("expected a JSON array, got {other}"),
        }
    }

    /// The `customerId`s of a `200` lookup, in the order of the body.
    pub fn customer_ids(&self) -> Vec<i64> {
        self.customers()
            .iter()
            .map(|customer| customer["customerId"].as_i64().expect("integer customerId"))
            .collect()
    }

    /// The `errors` of a `400` problem: parameter names and their messages. Checks the
    /// problem's shape on the way.
    pub fn validation_errors(&self) -> serde_json::Map<String, Value> {
        assert_eq!(self.status, 400, "expected 400, got: {}", self.body);
        let problem = self.problem();
        let Some(Value::Object(errors)) = problem.get("errors") else {
            panic!("a validation problem has an `errors` object: {}", self.body);
        };
        for (param, messages) in errors {
            let Value::Array(messages) = messages else {
                panic!("errors.{param} is a list: {}", self.body);
            };
            assert!(
                !messages.is_empty(),
                "errors.{param} is empty: {}",
                self.body
            );
            assert!(
                messages.iter().all(Value::is_string),
                "errors.{param} holds strings: {}",
                self.body
            );
        }
        errors.clone()
    }

    /// The body of a problem response, checked: `application/problem+json` with `type`,
    /// `title`, `detail` (strings) and `status` (this response's status).
    pub fn problem(&self) -> serde_json::Map<String, Value> {
        let content_type = self.header("content-type").unwrap_or_default();
        assert!(
            content_type.starts_with("application/problem+json"),
            "a problem is application/problem+json, got {content_type:?}"
        );
        let Value::Object(problem) = self.json() else {
            panic!("a problem is a JSON object: {}", self.body);
        };
        for field in ["type", "title", "detail"] {
            assert!(
                problem.get(field).is_some_and(Value::is_string),
                "a problem has a string `{field}`: {}",
                self.body
            );
        }
        assert_eq!(
            problem.get("status").and_then(Value::as_u64),
            Some(u64::from(self.status)),
            "a problem's `status` is the response status: {}",
            self.body
        );
        problem
    }
}

/// A running service over a database of its own; both live as long as this value.
#[derive(Debug)]
pub struct TestApp {
    /// `http://127.0.0.1:PORT`.
    pub address: String,
    pub client: reqwest::Client,
    /// The key of the suite's client (allowed every company, no practical rate limit),
    /// sent with every request that names no `Authorization` of its own; `None` when
    /// authentication is off or the service has no database.
    pub key: Option<String>,
    /// The port of the admin listener (`/metrics` alone), when the settings ask for one.
    admin_port: Option<u16>,
    server: tokio::task::JoinHandle<std::io::Result<()>>,
    // Dropped after the server task is aborted (fields drop in order).
    database: Option<TestDatabase>,
}

/// A key of the right shape that no database holds.
pub const UNCHECKABLE_KEY: &str = "clk_000000000000_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";

/// The name of the client [`TestApp`] makes for its requests.
pub const SUITE_CLIENT: &str = "test-suite";

/// Adds client `name` allowed `companies` (`all`, `jtc`, ...) with its own `rate`, if
/// given, to the database at `url`; returns its key. It may read only.
pub async fn add_client(
    url: &DatabaseUrl,
    name: &str,
    companies: &str,
    rate: Option<&str>,
) -> String {
    add_client_with(url, name, companies, None, rate).await
}

/// [`add_client`], permitted `permissions` (`read`, `write`, `read,write`) when given.
pub async fn add_client_with(
    url: &DatabaseUrl,
    name: &str,
    companies: &str,
    permissions: Option<&str>,
    rate: Option<&str>,
) -> String {
    let db = customer_infrastructure::Database::connect(
        url,
        &customer_infrastructure::PoolSettings::default(),
    )
    .expect("a pool");
    let registry = std::sync::Arc::new(customer_infrastructure::SqlClientRegistry::new(db));
    customer_application::ClientAdmin::new(registry)
        .add(name, companies, permissions, rate, None, chrono::Utc::now())
        .await
        .unwrap_or_else(|error| panic!("client {name} is added: {error}"))
        .key
        .expose_secret()
        .to_owned()
}

impl TestApp {
    /// The service over a fresh database of `backend` holding the demo data set.
    pub async fn spawn(backend: TestBackend) -> Self {
        let database = TestDatabase::with_demo_data(backend).await;
        let settings = test_settings(&url_string(database.url()));
        Self::spawn_with(settings, Some(database)).await
    }

    /// The service with `settings`; `database`, if any, is kept alive with it, and
    /// gets the suite's client when authentication is on.
    pub async fn spawn_with(settings: Settings, database: Option<TestDatabase>) -> Self {
        let key = match (&database, settings.auth.mode) {
            (Some(database), AuthMode::Required) => {
                Some(add_client(database.url(), SUITE_CLIENT, "all", Some("1000000/s")).await)
            }
            // A well-formed key the service must look up: what a caller sends while the
            // service's database is down or broken.
            (None, AuthMode::Required) => Some(UNCHECKABLE_KEY.to_owned()),
            (_, AuthMode::Disabled) => None,
        };
        let app = Application::build(&settings)
            .await
            .expect("the service starts");
        let address = format!("http://127.0.0.1:{}", app.port());
        let admin_port = app.admin_port();
        let server = tokio::spawn(app.run_until_stopped());
        Self {
            address,
            client: client(),
            key,
            admin_port,
            server,
            database,
        }
    }

    /// `http://127.0.0.1:PORT` of the admin listener, when the settings ask for one
    /// (`server.admin_port`).
    pub fn admin_address(&self) -> Option<String> {
        self.admin_port
            .map(|port| format!("http://127.0.0.1:{port}"))
    }

    /// The database the service runs on, if it has one of its own.
    pub fn database(&self) -> Option<&TestDatabase> {
        self.database.as_ref()
    }

    /// `GET /v1/core/customer?query` with `authorization` as the whole `Authorization`
    /// header, or none at all.
    pub async fn lookup_with(&self, authorization: Option<&str>, query: &str) -> TestResponse {
        let url = format!("{}{LOOKUP_PATH}?{query}", self.address);
        let headers: Vec<(&str, &str)> = authorization
            .map(|value| ("authorization", value))
            .into_iter()
            .collect();
        send(&self.client, Method::GET, &url, &headers).await
    }

    /// `GET path_and_query`, sent as written (see [`send`]).
    pub async fn get(&self, path_and_query: &str) -> TestResponse {
        self.request(Method::GET, path_and_query, &[]).await
    }

    /// `GET /v1/core/customer?query`, the query sent as written.
    pub async fn lookup(&self, query: &str) -> TestResponse {
        self.get(&format!("{LOOKUP_PATH}?{query}")).await
    }

    /// A request with extra headers, and the suite's key unless they name an
    /// `Authorization`.
    pub async fn request(
        &self,
        method: Method,
        path_and_query: &str,
        headers: &[(&str, &str)],
    ) -> TestResponse {
        let bearer = self.key.as_ref().map(|key| format!("Bearer {key}"));
        let mut all = headers.to_vec();
        if let Some(bearer) = &bearer
            && !headers
                .iter()
                .any(|(name, _)| name.eq_ignore_ascii_case("authorization"))
        {
            all.push(("authorization", bearer.as_str()));
        }
        send(
            &self.client,
            method,
            &format!("{}{path_and_query}", self.address),
            &all,
        )
        .await
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        self.server.abort();
    }
}

/// A client that talks to 127.0.0.1 directly, whatever proxy the environment names.
pub fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .no_proxy()
        .timeout(Duration::from_secs(30))
        .build()
        .expect("an HTTP client")
}

/// Sends a request to `url` exactly as written: the test fails if the URL would be sent
/// differently (write the query string percent-encoded, ASCII only; `%01`, `%D9%A5`,
/// `+` and repeated or mixed-case names go through untouched).
pub async fn send(
    client: &reqwest::Client,
    method: Method,
    url: &str,
    headers: &[(&str, &str)],
) -> TestResponse {
    let parsed = Url::parse(url).unwrap_or_else(|error| panic!("bad URL {url}: {error}"));
    assert_eq!(
        parsed.as_str(),
        url,
        "the URL would be re-encoded; write it percent-encoded"
    );
    let mut request = client.request(method, parsed);
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    let response = request.send().await.expect("the service answers");
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    let bytes = response.bytes().await.expect("a body");
    let body = String::from_utf8(bytes.to_vec()).expect("a UTF-8 body");
    TestResponse {
        status,
        headers,
        body,
    }
}

/// Percent-encodes every byte of `text` but ASCII letters, digits and `-._~`, so that it
/// can be put in a query string as is.
pub fn encode(text: &str) -> String {
    use std::fmt::Write;
    text.bytes().fold(String::new(), |mut out, byte| {
        if byte.is_ascii_alphanumeric() || b"-._~".contains(&byte) {
            out.push(char::from(byte));
        } else {
            let _ = write!(out, "%{byte:02X}");
        }
        out
    })
}

/// The keys of every object in `value`, nested ones included, in the order of the
/// document it was read from (depth first): `serde_json`'s `preserve_order` keeps a map's
/// keys in the order they were read.
pub fn keys_in_order(value: &Value) -> Vec<&str> {
    fn walk<'a>(value: &'a Value, keys: &mut Vec<&'a str>) {
        match value {
            Value::Object(fields) => {
                for (key, value) in fields {
                    keys.push(key);
                    walk(value, keys);
                }
            }
            Value::Array(items) => {
                for item in items {
                    walk(item, keys);
                }
            }
            _ => {}
        }
    }
    let mut keys = Vec::new();
    walk(value, &mut keys);
    keys
}

/// Fails unless `response` is the contract's example exactly: 200, the same JSON values
/// and the same key order; `logs` (the service's output) is shown on failure.
pub fn assert_is_the_example(response: &TestResponse, logs: &str) {
    assert_eq!(response.status, 200, "{}\n{logs}", response.body);
    let example: Value = serde_json::from_str(EXAMPLE_RESPONSE).expect("the fixture");
    let body = response.json_as_written();
    assert_eq!(body, example);
    assert_eq!(keys_in_order(&body), keys_in_order(&example));
}

/// The keys of a customer and of a contact, in the order of the contract's example.
pub fn example_field_order() -> (Vec<String>, Vec<String>) {
    let example: Value = serde_json::from_str(EXAMPLE_RESPONSE).expect("the fixture");
    let keys = |object: &Value| -> Vec<String> {
        object
            .as_object()
            .expect("an object")
            .keys()
            .cloned()
            .collect()
    };
    let customer = &example[0];
    (keys(customer), keys(&customer["customerContacts"][0]))
}

/// Whether `text` holds a letter of the Arabic script.
pub fn has_arabic(text: &str) -> bool {
    text.chars()
        .any(|c| matches!(c, '\u{0621}'..='\u{064A}' | '\u{0671}'..='\u{06D3}'))
}

/// Whether `text` is `YYYY-MM-DDTHH:MM:SS`, optionally followed by `.` and a fraction
/// without trailing zeros.
pub fn is_wire_date_time(text: &str) -> bool {
    let bytes = text.as_bytes();
    let pattern = b"dddd-dd-ddTdd:dd:dd";
    if bytes.len() < pattern.len() {
        return false;
    }
    let head_ok = pattern.iter().zip(bytes).all(|(p, b)| match p {
        b'd' => b.is_ascii_digit(),
        _ => p == b,
    });
    let fraction = &bytes[pattern.len()..];
    let fraction_ok = match fraction.split_first() {
        None => true,
        Some((b'.', digits)) => {
            !digits.is_empty()
                && digits.iter().all(u8::is_ascii_digit)
                && digits.last() != Some(&b'0')
        }
        Some(_) => false,
    };
    head_ok && fraction_ok
}

/// The `customer-api` binary the tests start, named once by the test's `main`.
static SERVICE_BINARY: OnceLock<PathBuf> = OnceLock::new();

/// Names the `customer-api` binary that [`Service`] starts: the test's `main` passes
/// `env!("CARGO_BIN_EXE_customer-api")`, the binary cargo builds for the integration tests
/// of its package (and only for those, so the path cannot be found from this library).
pub fn use_service_binary(path: impl Into<PathBuf>) {
    let path = path.into();
    assert!(path.is_file(), "{} exists", path.display());
    let named = SERVICE_BINARY.get_or_init(|| path.clone());
    assert_eq!(named, &path, "one binary for the whole run");
}

/// The `customer-api` binary named with [`use_service_binary`].
pub fn service_binary() -> &'static Path {
    SERVICE_BINARY
        .get()
        .expect("the test's main names the binary with use_service_binary")
}

/// A port that was free a moment ago.
pub fn free_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("a free port");
    listener.local_addr().expect("an address").port()
}

/// The real `customer-api` binary, running; killed if the test ends before it stops.
/// Its standard output and error go to files, read with [`Self::stdout`] and
/// [`Self::logs`].
#[derive(Debug)]
pub struct Service {
    child: Child,
    logs: tempfile::TempDir,
    /// The port it listens on, on 127.0.0.1.
    pub port: u16,
}

impl Service {
    /// Starts the binary in `folder` on a free port, as a new user would: no
    /// `DATABASE_URL`, `RUST_LOG` nor `APP_*` from the test's environment, only `env`;
    /// returns once it listens (the test fails if it does not within 30 s).
    pub async fn start(folder: &Path, env: &[(&str, &str)]) -> Self {
        let binary = service_binary();
        let logs = tempfile::tempdir().expect("a folder for the logs");
        let port = free_port();
        let mut command = Command::new(binary);
        command
            .current_dir(folder)
            .stdin(Stdio::null())
            .stdout(std::fs::File::create(logs.path().join("stdout")).expect("a log file"))
            .stderr(std::fs::File::create(logs.path().join("stderr")).expect("a log file"));
        for (name, _) in std::env::vars_os() {
            if name == "DATABASE_URL"
                || name == "RUST_LOG"
                || name.to_string_lossy().starts_with("APP_")
            {
                command.env_remove(name);
            }
        }
        command.env("APP__SERVER__PORT", port.to_string());
        for (name, value) in env {
            command.env(name, value);
        }
        let mut service = Self {
            child: command.spawn().expect("customer-api starts"),
            logs,
            port,
        };
        service.wait_until_listening(Duration::from_secs(30)).await;
        service
    }

    /// `http://127.0.0.1:PORT`.
    pub fn address(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// The demo client's key that the start-up example shows (`Bearer clk_...`), waiting
    /// up to 10 s for the line; the test fails without it.
    pub async fn demo_key(&self) -> String {
        let started = Instant::now();
        loop {
            let stdout = self.stdout();
            if let Some(at) = stdout.find("Bearer clk_") {
                let key: String = stdout[at + "Bearer ".len()..]
                    .chars()
                    .take_while(|c| c.is_ascii_alphanumeric() || *c == '_' || *c == '-')
                    .collect();
                return key;
            }
            assert!(
                started.elapsed() < Duration::from_secs(10),
                "no demo key in the start-up message\n{}",
                self.logs()
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// What it wrote to its standard output so far.
    pub fn stdout(&self) -> String {
        std::fs::read_to_string(self.logs.path().join("stdout")).unwrap_or_default()
    }

    /// Its standard output and error so far, for failure messages.
    pub fn logs(&self) -> String {
        let read = |name| std::fs::read_to_string(self.logs.path().join(name)).unwrap_or_default();
        format!("stdout:\n{}\nstderr:\n{}", read("stdout"), read("stderr"))
    }

    async fn wait_until_listening(&mut self, within: Duration) {
        let started = Instant::now();
        loop {
            if tokio::net::TcpStream::connect(("127.0.0.1", self.port))
                .await
                .is_ok()
            {
                return;
            }
            if let Some(status) = self.child.try_wait().expect("the child's status") {
                panic!(
                    "customer-api exited ({status}) before listening\n{}",
                    self.logs()
                );
            }
            assert!(
                started.elapsed() < within,
                "customer-api is not listening on {} after {within:?}\n{}",
                self.port,
                self.logs()
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Whether it still runs.
    pub fn is_running(&mut self) -> bool {
        self.child.try_wait().expect("the child's status").is_none()
    }

    /// Sends SIGTERM, without waiting.
    pub fn send_sigterm(&self) {
        let sent = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .expect("kill runs");
        assert!(sent.success(), "kill -TERM failed");
    }

    /// Waits until it exits; the test fails if it still runs after `within`.
    pub async fn wait_for_exit(&mut self, within: Duration) -> ExitStatus {
        let started = Instant::now();
        loop {
            if let Some(status) = self.child.try_wait().expect("the child's status") {
                return status;
            }
            assert!(
                started.elapsed() < within,
                "customer-api still runs {within:?} after SIGTERM\n{}",
                self.logs()
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Sends SIGTERM and waits until it exits (see [`Self::wait_for_exit`]).
    pub async fn terminate(&mut self, within: Duration) -> ExitStatus {
        self.send_sigterm();
        self.wait_for_exit(within).await
    }
}

impl Drop for Service {
    fn drop(&mut self) {
        if matches!(self.child.try_wait(), Ok(None)) {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

#[cfg(test)]
mod tests {

    #[test]
    fn keys_are_listed_in_document_order_and_values_are_not_keys() {
        let value: Value =
            serde_json::from_str(r#"[{"d": "x\":", "b": [{"c":1}], "a":"e"}]"#).expect("JSON");
        assert_eq!(keys_in_order(&value), ["d", "b", "c", "a"]);
    }

    #[test]
    fn the_example_gives_customer_and_contact_field_orders() {
        let (customer, contact) = example_field_order();
        assert_eq!(customer.first().map(String::as_str), Some("versionId"));
        assert_eq!(
            customer.last().map(String::as_str),
            Some("customerContacts")
        );
        assert_eq!(customer.len(), 61);
        assert_eq!(contact.first().map(String::as_str), Some("contactId"));
        assert_eq!(contact.last().map(String::as_str), Some("remarks"));
        assert_eq!(contact.len(), 16);
    }

    #[test]
    fn wire_date_times_are_recognised() {
        assert!(is_wire_date_time("2026-05-14T14:24:50"));
        assert!(is_wire_date_time("2026-05-14T14:24:50.61"));
        assert!(!is_wire_date_time("2026-05-14T14:24:50.610"));
        assert!(!is_wire_date_time("2026-05-14T14:24:50."));
        assert!(!is_wire_date_time("2026-05-14 14:24:50"));
        assert!(!is_wire_date_time("2026-05-14T14:24:50Z"));
        assert!(!is_wire_date_time("2026-05-14T14:24:50+03:00"));
    }

    #[test]
    fn encoding_keeps_only_unreserved_ascii() {
        assert_eq!(encode("a b-٥"), "a%20b-%D9%A5");
    }
}

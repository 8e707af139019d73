//! The real `customer-api` binary, started like a new user would: in an empty folder, no
//! configuration files, no settings in the environment.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use customer_api_tests::{
    EXAMPLE_QUERY, EXAMPLE_RESPONSE, LOOKUP_PATH, TestBackend, TestDatabase, client, keys_in_order,
    send, suite_tests, url_string,
};
use reqwest::Method;
use serde_json::Value;

suite_tests!("binary":
    the_binary_serves_the_example_from_an_empty_folder,
);

/// The binary, built beside this test's own executable (`<target>/<profile>/deps/api-*`)
/// when missing or older than the workspace sources it is built from.
fn binary() -> &'static Path {
    static BINARY: OnceLock<PathBuf> = OnceLock::new();
    BINARY.get_or_init(|| {
        let exe = std::env::current_exe().expect("the test executable");
        let profile_dir = exe
            .parent()
            .and_then(Path::parent)
            .expect("the test executable is in <target>/<profile>/deps");
        let binary = profile_dir.join(format!("customer-api{}", std::env::consts::EXE_SUFFIX));
        let workspace = Path::new(env!("CARGO_MANIFEST_DIR"))
            .parent()
            .expect("the workspace");
        if is_stale(&binary, workspace) {
            let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
            let mut build = Command::new(cargo);
            build
                .current_dir(workspace)
                .args(["build", "-p", "customer-web", "--bin", "customer-api"])
                .env(
                    "CARGO_TARGET_DIR",
                    profile_dir.parent().expect("the target folder"),
                );
            if profile_dir
                .file_name()
                .is_some_and(|name| name == "release")
            {
                build.arg("--release");
            }
            let status = build.status().expect("cargo runs");
            assert!(status.success(), "cargo build of customer-api failed");
        }
        assert!(binary.is_file(), "{} exists", binary.display());
        binary
    })
}

/// Whether `binary` is missing or older than a source file of the workspace.
fn is_stale(binary: &Path, workspace: &Path) -> bool {
    let Ok(built) = binary.metadata().and_then(|m| m.modified()) else {
        return true;
    };
    let mut folders: Vec<PathBuf> = ["crates", "config", "migrations"]
        .iter()
        .map(|folder| workspace.join(folder))
        .collect();
    let mut files = vec![workspace.join("Cargo.toml"), workspace.join("Cargo.lock")];
    while let Some(folder) = folders.pop() {
        let Ok(entries) = std::fs::read_dir(&folder) else {
            continue;
        };
        for path in entries.flatten().map(|entry| entry.path()) {
            if path.is_dir() {
                folders.push(path);
            } else {
                files.push(path);
            }
        }
    }
    files.iter().any(|file| {
        file.metadata()
            .and_then(|m| m.modified())
            .is_ok_and(|modified| modified > built)
    })
}

/// A port that was free a moment ago.
fn free_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("a free port");
    listener.local_addr().expect("an address").port()
}

/// The running binary; killed if the test ends before it stops.
struct Service {
    child: Child,
    logs: tempfile::TempDir,
}

impl Service {
    fn logs(&self) -> String {
        let read = |name| std::fs::read_to_string(self.logs.path().join(name)).unwrap_or_default();
        format!("stdout:\n{}\nstderr:\n{}", read("stdout"), read("stderr"))
    }

    async fn wait_until_listening(&mut self, port: u16, within: Duration) {
        let started = Instant::now();
        loop {
            if tokio::net::TcpStream::connect(("127.0.0.1", port))
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
                "customer-api is not listening on {port} after {within:?}\n{}",
                self.logs()
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    async fn terminate(&mut self, within: Duration) -> ExitStatus {
        let sent = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .expect("kill runs");
        assert!(sent.success(), "kill -TERM failed");
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
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
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

/// SQLite: the built-in default database, `data/customers.db` in the working folder.
/// PostgreSQL: `DATABASE_URL` names a fresh, empty, migrated database. Either way the
/// service migrates and loads the demo data at start, answers the contract's example
/// exactly, and stops cleanly on SIGTERM.
async fn the_binary_serves_the_example_from_an_empty_folder(backend: TestBackend) {
    let binary = tokio::task::spawn_blocking(binary)
        .await
        .expect("the binary is ready");
    let database = match backend {
        TestBackend::Sqlite => None,
        TestBackend::Postgres => Some(TestDatabase::new(TestBackend::Postgres).await),
    };
    let folder = tempfile::tempdir().expect("an empty working folder");
    let logs = tempfile::tempdir().expect("a folder for the logs");
    let port = free_port();

    let mut command = Command::new(binary);
    command
        .current_dir(folder.path())
        .stdin(Stdio::null())
        .stdout(std::fs::File::create(logs.path().join("stdout")).expect("a log file"))
        .stderr(std::fs::File::create(logs.path().join("stderr")).expect("a log file"));
    for (name, _) in std::env::vars_os() {
        if name == "DATABASE_URL" || name.to_string_lossy().starts_with("APP_") {
            command.env_remove(name);
        }
    }
    command.env("APP__SERVER__PORT", port.to_string());
    if let Some(database) = &database {
        command.env("DATABASE_URL", url_string(database.url()));
    }
    let mut service = Service {
        child: command.spawn().expect("customer-api starts"),
        logs,
    };
    service
        .wait_until_listening(port, Duration::from_secs(30))
        .await;

    {
        let client = client();
        let url = format!("http://127.0.0.1:{port}{LOOKUP_PATH}?{EXAMPLE_QUERY}");
        let response = send(&client, Method::GET, &url, &[]).await;
        assert_eq!(
            response.status,
            200,
            "{}\n{}",
            response.body,
            service.logs()
        );
        let example: Value = serde_json::from_str(EXAMPLE_RESPONSE).expect("fixture");
        assert_eq!(response.json(), example);
        assert_eq!(
            keys_in_order(&response.body),
            keys_in_order(EXAMPLE_RESPONSE)
        );
        assert_eq!(
            response.header("content-type"),
            Some("application/json; charset=utf-8")
        );
    }

    let status = service.terminate(Duration::from_secs(30)).await;
    assert!(status.success(), "exit status {status}\n{}", service.logs());
    let created = folder.path().join("data").join("customers.db");
    match backend {
        TestBackend::Sqlite => assert!(
            created.is_file(),
            "{} was created\n{}",
            created.display(),
            service.logs()
        ),
        TestBackend::Postgres => assert!(
            !created.exists(),
            "no SQLite file is made when DATABASE_URL names PostgreSQL"
        ),
    }
}

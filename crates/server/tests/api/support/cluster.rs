//! A PostgreSQL server of a test's own, to be frozen, stopped, restarted and have its
//! sessions killed: `initdb` and `pg_ctl` of PostgreSQL 15, run as the `postgres` user, in
//! a temporary folder, on a free port. Dropping it stops the server (at once, thawing it
//! first if frozen) and removes the folder, also when the test panics.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use crate::support::free_port;

/// Where PostgreSQL 15's programs are.
pub(crate) const BIN: &str = "/usr/lib/postgresql/15/bin";

/// The database the service uses in the cluster.
pub(crate) const DATABASE: &str = "customers";

/// A private PostgreSQL server, running unless stopped.
#[derive(Debug)]
pub struct PrivateCluster {
    pub(crate) folder: tempfile::TempDir,
    pub(crate) port: u16,
    pub(crate) frozen: Vec<u32>,
}

/// Runs `program` of PostgreSQL as `postgres`; the test fails when it does.
pub(crate) fn as_postgres(program: &str, args: &[&str]) -> Output {
    assert!(
        Path::new(BIN).join(program).is_file(),
        "a private cluster needs PostgreSQL 15's programs in {BIN}, and root to run them as postgres"
    );
    let output = Command::new("runuser")
        .args(["-u", "postgres", "--", &format!("{BIN}/{program}")])
        .args(args)
        .output()
        .unwrap_or_else(|error| panic!("{program} runs: {error}"));
    assert!(
        output.status.success(),
        "{program} {args:?} failed: {}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    output
}

/// A temporary folder named `prefix...`, owned by `postgres`.
pub(crate) fn postgres_folder(prefix: &str) -> tempfile::TempDir {
    let folder = tempfile::Builder::new()
        .prefix(prefix)
        .tempdir()
        .expect("a temporary folder");
    let status = Command::new("chown")
        .args(["postgres:postgres", &folder.path().display().to_string()])
        .status()
        .expect("chown runs");
    assert!(status.success(), "the folder is given to postgres");
    folder
}

impl PrivateCluster {
    /// Makes and starts a cluster with a `customers` database; `log_connections` is on,
    /// so that its log counts the connections made.
    pub fn start() -> Self {
        let cluster = Self {
            folder: postgres_folder("private-cluster-"),
            port: free_port(),
            frozen: Vec::new(),
        };
        let data = cluster.data().display().to_string();
        as_postgres(
            "initdb",
            &["-D", &data, "-U", "postgres", "--auth=trust", "--no-sync"],
        );
        let settings = format!(
            "listen_addresses = '127.0.0.1'\nport = {}\nunix_socket_directories = '{}'\n\
             log_connections = on\nfsync = off\nmax_connections = 100\n",
            cluster.port,
            cluster.folder.path().display()
        );
        std::fs::write(cluster.data().join("postgresql.auto.conf"), settings)
            .expect("the settings are written");
        cluster.pg_ctl_start();
        cluster.psql("postgres", &format!("CREATE DATABASE {DATABASE}"));
        cluster
    }

    pub(crate) fn data(&self) -> PathBuf {
        self.folder.path().join("data")
    }

    /// The server's log file.
    pub fn log_path(&self) -> PathBuf {
        self.folder.path().join("server.log")
    }

    pub(crate) fn pg_ctl_start(&self) {
        let data = self.data().display().to_string();
        let log = self.log_path().display().to_string();
        as_postgres(
            "pg_ctl",
            &["start", "-w", "-t", "30", "-D", &data, "-l", &log],
        );
    }

    /// `postgres://postgres@127.0.0.1:PORT/customers`.
    pub fn url(&self) -> String {
        format!("postgres://postgres@127.0.0.1:{}/{DATABASE}", self.port)
    }

    /// Its port on 127.0.0.1.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// Runs `sql` in `database` with `psql`; returns its output, unaligned, without
    /// headers.
    pub fn psql(&self, database: &str, sql: &str) -> String {
        let output = Command::new("psql")
            .args(["-h", "127.0.0.1", "-p", &self.port.to_string()])
            .args([
                "-U",
                "postgres",
                "-d",
                database,
                "-At",
                "-v",
                "ON_ERROR_STOP=1",
            ])
            .args(["-c", sql])
            .env("PGCONNECT_TIMEOUT", "10")
            .output()
            .expect("psql runs");
        assert!(
            output.status.success(),
            "{sql}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        String::from_utf8_lossy(&output.stdout).trim().to_owned()
    }

    /// Ends the sessions `pids` (`pg_terminate_backend`).
    pub fn terminate(&self, pids: &[u32]) {
        for pid in pids {
            self.psql("postgres", &format!("SELECT pg_terminate_backend({pid})"));
        }
    }

    /// The server's processes: the postmaster and its children.
    fn processes(&self) -> Vec<u32> {
        let pid_file =
            std::fs::read_to_string(self.data().join("postmaster.pid")).expect("the server runs");
        let postmaster: u32 = pid_file
            .lines()
            .next()
            .and_then(|line| line.trim().parse().ok())
            .expect("postmaster.pid names the postmaster");
        let mut pids = vec![postmaster];
        for entry in std::fs::read_dir("/proc").expect("/proc").flatten() {
            let Some(pid) = entry
                .file_name()
                .to_str()
                .and_then(|n| n.parse::<u32>().ok())
            else {
                continue;
            };
            let Ok(stat) = std::fs::read_to_string(entry.path().join("stat")) else {
                continue;
            };
            // `pid (comm) state ppid ...`: the command may hold spaces, the rest not.
            let parent = stat
                .rsplit_once(')')
                .and_then(|(_, rest)| rest.split_whitespace().nth(1))
                .and_then(|ppid| ppid.parse::<u32>().ok());
            if parent == Some(postmaster) {
                pids.push(pid);
            }
        }
        pids
    }

    fn signal(pids: &[u32], signal: &str) {
        if pids.is_empty() {
            return;
        }
        let pids: Vec<String> = pids.iter().map(ToString::to_string).collect();
        // A process may have ended in between: the status is not checked.
        let _ = Command::new("kill").arg(signal).args(&pids).status();
    }

    /// Freezes the server (`SIGSTOP` to every process of it): its sockets stay open,
    /// nothing answers.
    pub fn freeze(&mut self) {
        assert!(self.frozen.is_empty(), "already frozen");
        self.frozen = self.processes();
        Self::signal(&self.frozen, "-STOP");
    }

    /// Lets a frozen server run again (`SIGCONT`).
    pub fn thaw(&mut self) {
        let frozen = std::mem::take(&mut self.frozen);
        Self::signal(&frozen, "-CONT");
    }

    /// Stops the server at once (`pg_ctl stop -m immediate`), thawing it first if frozen.
    pub fn stop(&mut self) {
        self.thaw();
        let data = self.data().display().to_string();
        as_postgres("pg_ctl", &["stop", "-m", "immediate", "-D", &data]);
    }

    /// Starts a stopped server again, on the same port.
    pub fn start_again(&self) {
        self.pg_ctl_start();
    }

    /// Restarts the server (`pg_ctl restart -m fast`: sessions are ended, as in an
    /// upgrade or a failover).
    pub fn restart(&self) {
        let data = self.data().display().to_string();
        let log = self.log_path().display().to_string();
        as_postgres(
            "pg_ctl",
            &[
                "restart", "-w", "-t", "30", "-m", "fast", "-D", &data, "-l", &log,
            ],
        );
    }

    /// Its folder (data and log).
    pub fn folder(&self) -> &Path {
        self.folder.path()
    }
}

impl Drop for PrivateCluster {
    fn drop(&mut self) {
        self.thaw();
        let data = self.data().display().to_string();
        // Quietly: the server may be stopped already.
        let _ = Command::new("runuser")
            .args(["-u", "postgres", "--", &format!("{BIN}/pg_ctl")])
            .args(["stop", "-m", "immediate", "-D", &data])
            .output();
    }
}

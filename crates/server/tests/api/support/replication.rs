//! Streaming replication between private clusters: a replica made from a primary with
//! `pg_basebackup -R`, its replay paused and resumed, promoted; and the statements each
//! server ran, counted in its log.

use std::time::{Duration, Instant};

use crate::support::cluster::{DATABASE, as_postgres, postgres_folder};
use crate::support::{PrivateCluster, free_port};

/// What each server logs from [`PrivateCluster::log_statements`] on: every statement.
const LOG_STATEMENTS: &str = "log_statement = 'all'\n";

impl PrivateCluster {
    /// Makes every statement the server runs appear in its log (`log_statement = all`),
    /// for [`Self::statements_on`] to count; a replica made afterwards logs them too.
    pub fn log_statements(&self) {
        let settings = self.data().join("postgresql.auto.conf");
        let mut text = std::fs::read_to_string(&settings).expect("the settings are read");
        text.push_str(LOG_STATEMENTS);
        std::fs::write(&settings, text).expect("the settings are written");
        self.psql("postgres", "SELECT pg_reload_conf()");
    }

    /// How many statements that name `table` the server has run so far (with
    /// [`Self::log_statements`] on): the lines of its log that execute one.
    pub fn statements_on(&self, table: &str) -> usize {
        std::fs::read_to_string(self.log_path())
            .unwrap_or_default()
            .lines()
            .filter(|line| {
                (line.contains("LOG:  execute") || line.contains("LOG:  statement:"))
                    && line.contains(table)
            })
            .count()
    }

    /// A streaming replica of `primary`, started: `pg_basebackup -R -X stream -c fast` into a
    /// folder of its own, then a port and socket folder of its own.
    pub fn replica_of(primary: &Self) -> Self {
        let replica = Self {
            folder: postgres_folder("private-replica-"),
            port: free_port(),
            frozen: Vec::new(),
        };
        let data = replica.data().display().to_string();
        as_postgres(
            "pg_basebackup",
            &[
                "-D",
                &data,
                "-R",
                "-X",
                "stream",
                "-h",
                "127.0.0.1",
                "-p",
                &primary.port().to_string(),
                "-U",
                "postgres",
                "--no-sync",
                // At once, not after a spread checkpoint (minutes on an idle server).
                "--checkpoint=fast",
            ],
        );
        // The primary's own settings came with the copy; the last line of a setting wins.
        let settings = replica.data().join("postgresql.auto.conf");
        let text = std::fs::read_to_string(&settings).expect("the settings are read");
        let text = format!(
            "{text}port = {}\nunix_socket_directories = '{}'\n",
            replica.port,
            replica.folder.path().display()
        );
        std::fs::write(&settings, text).expect("the settings are written");
        replica.pg_ctl_start();
        replica
    }

    /// Stops replaying the primary's changes (`pg_wal_replay_pause()`).
    pub fn pause_replay(&self) {
        self.psql("postgres", "SELECT pg_wal_replay_pause()");
    }

    /// Replays them again (`pg_wal_replay_resume()`).
    pub fn resume_replay(&self) {
        self.psql("postgres", "SELECT pg_wal_replay_resume()");
    }

    /// Waits until this replica has replayed all that `primary` has written so far; the
    /// test fails after 30 s.
    pub fn wait_replayed(&self, primary: &Self) {
        let position = primary.psql("postgres", "SELECT pg_current_wal_lsn()");
        let started = Instant::now();
        while self.psql(
            "postgres",
            &format!("SELECT pg_last_wal_replay_lsn() >= '{position}'::pg_lsn"),
        ) != "t"
        {
            assert!(
                started.elapsed() < Duration::from_secs(30),
                "the replica did not replay up to {position} within 30 s"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Makes this replica a primary (`pg_ctl promote`, waiting until it accepts writes).
    pub fn promote(&self) {
        let data = self.data().display().to_string();
        as_postgres("pg_ctl", &["promote", "-w", "-t", "30", "-D", &data]);
    }

    /// `postgres://postgres@127.0.0.1:P1,127.0.0.1:P2/customers?target_session_attrs=read-write`:
    /// whichever of `servers` accepts writes.
    pub fn multi_host_url(servers: &[&Self]) -> String {
        let hosts: Vec<String> = servers
            .iter()
            .map(|server| format!("127.0.0.1:{}", server.port()))
            .collect();
        format!(
            "postgres://postgres@{}/{DATABASE}?target_session_attrs=read-write",
            hosts.join(",")
        )
    }
}

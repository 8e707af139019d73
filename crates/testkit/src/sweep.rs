//! What killed test runs leave on the PostgreSQL server, swept away.
//!
//! A [`TestDatabase`](super::TestDatabase) drops its database when the test ends; a run
//! that is killed leaves its databases behind, and a run of another migration set leaves
//! its template. Each test process sweeps once, as it starts:
//! - the test databases of runs that are no longer alive;
//! - test databases not named after a run (other helpers' databases, or those of
//!   older versions of this module) that are more than an hour old;
//! - the templates of migration sets that no live run uses.
//!
//! A run is alive while its process is: each process holds, on a session of its own, an
//! advisory lock on its run id (which its test databases are named after) and a shared
//! one on its template's fingerprint. The server releases both when that session ends,
//! however the process ended, and the sweep reads the live ones from `pg_locks`. A run of
//! an older checkout does not register: while a test database not named after a run is
//! kept, such a run may be alive, cloning any template, so no template is dropped.
//! Nothing that may still be in use is dropped by force: a database with a session open
//! stays.

use std::collections::HashSet;
use std::time::Duration;

use diesel::QueryableByName;
use diesel::sql_types::{BigInt, Bool, Double, Nullable, Text};
use diesel_async::{AsyncPgConnection, RunQueryDsl, SimpleAsyncConnection};

use super::{TEMPLATE_PREFIX, TEST_PREFIX, connect_admin};

/// The first key of the advisory lock that marks a live run; the second is the run id.
const RUN_LOCKS: i32 = 727_275;
/// The first key of the shared advisory locks on the templates that live runs use; the
/// second is [`fingerprint_key`].
const TEMPLATE_LOCKS: i32 = 727_276;
/// The age past which a test database not named after a run is taken for a leftover.
const UNKNOWN_RUN_MAX_AGE: Duration = Duration::from_secs(60 * 60);

/// The name of the `n`th test database of the run `run`.
pub(super) fn test_database_name(run: u32, n: u32) -> String {
    format!("{TEST_PREFIX}{run:08x}_{n}")
}

/// The run a test database is named after, if it is named by [`test_database_name`].
fn run_of(name: &str) -> Option<u32> {
    let (run, n) = name.strip_prefix(TEST_PREFIX)?.split_once('_')?;
    let hex = run.len() == 8 && run.bytes().all(|b| b.is_ascii_hexdigit());
    let number = !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit());
    (hex && number).then(|| u32::from_str_radix(run, 16).ok())?
}

/// The second lock key of the template of a migration fingerprint (16 hex digits): its
/// first 28 bits, a positive `int4`.
fn fingerprint_key(fingerprint: &str) -> Option<i32> {
    if fingerprint.len() != 16 || !fingerprint.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    i32::from_str_radix(&fingerprint[..7], 16).ok()
}

#[derive(QueryableByName)]
struct Taken {
    #[diesel(sql_type = Bool)]
    taken: bool,
}

/// Registers this process as a live run that uses the template of `fingerprint`, and
/// returns the run id. A thread of its own keeps the session holding the locks open
/// until the process ends.
pub(super) fn register_run(admin: &str, fingerprint: &str) -> Result<u32, String> {
    let template =
        fingerprint_key(fingerprint).ok_or_else(|| format!("not a fingerprint: {fingerprint}"))?;
    let admin = admin.to_owned();
    let (registered, outcome) = std::sync::mpsc::channel();
    std::thread::Builder::new()
        .name("test-run-locks".to_owned())
        .spawn(move || {
            let runtime = match tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
            {
                Ok(runtime) => runtime,
                Err(error) => {
                    let _ = registered.send(Err(error.to_string()));
                    return;
                }
            };
            runtime.block_on(async move {
                match hold_run_locks(&admin, template).await {
                    Ok((_session, run)) => {
                        let _ = registered.send(Ok(run));
                        std::future::pending::<()>().await;
                    }
                    Err(error) => {
                        let _ = registered.send(Err(error));
                    }
                }
            });
        })
        .map_err(|e| e.to_string())?;
    outcome.recv().map_err(|e| e.to_string())?
}

/// A random run id: 31 bits, a positive `int4` lock key.
fn new_run_id() -> u32 {
    let [a, b, c, d, ..] = *uuid::Uuid::new_v4().as_bytes();
    u32::from_be_bytes([a & 0x7f, b, c, d])
}

/// A session holding the lock of a new run id, and a shared lock on `template`.
async fn hold_run_locks(admin: &str, template: i32) -> Result<(AsyncPgConnection, u32), String> {
    let mut conn = connect_admin(admin).await?;
    let run = loop {
        let run = new_run_id();
        let Taken { taken } = diesel::sql_query(format!(
            "SELECT pg_try_advisory_lock({RUN_LOCKS}, {run}) AS taken"
        ))
        .get_result(&mut conn)
        .await
        .map_err(|e| e.to_string())?;
        if taken {
            break run;
        }
    };
    conn.batch_execute(&format!(
        "SELECT pg_advisory_lock_shared({TEMPLATE_LOCKS}, {template})"
    ))
    .await
    .map_err(|e| e.to_string())?;
    Ok((conn, run))
}

/// The runs alive now, and the templates they use, by lock key.
#[derive(Debug, Default)]
struct Live {
    runs: HashSet<i64>,
    templates: HashSet<i64>,
    /// Whether a run that does not register may be alive too (see the module's
    /// documentation).
    unregistered: bool,
}

#[derive(QueryableByName)]
struct Lock {
    #[diesel(sql_type = BigInt)]
    class: i64,
    #[diesel(sql_type = BigInt)]
    key: i64,
}

async fn live(conn: &mut AsyncPgConnection) -> Result<Live, String> {
    // Two-key advisory locks show their keys as `classid` and `objid`, with `objsubid` 2.
    let locks: Vec<Lock> = diesel::sql_query(
        "SELECT classid::bigint AS class, objid::bigint AS key FROM pg_locks \
         WHERE locktype = 'advisory' AND objsubid = 2 AND granted",
    )
    .load(conn)
    .await
    .map_err(|e| e.to_string())?;
    let mut live = Live::default();
    for lock in locks {
        if lock.class == i64::from(RUN_LOCKS) {
            live.runs.insert(lock.key);
        } else if lock.class == i64::from(TEMPLATE_LOCKS) {
            live.templates.insert(lock.key);
        }
    }
    Ok(live)
}

#[derive(QueryableByName)]
struct Listed {
    #[diesel(sql_type = Text)]
    name: String,
    /// Seconds since its creation, when the server tells.
    #[diesel(sql_type = Nullable<Double>)]
    age: Option<f64>,
}

/// The databases of this module's prefixes, with their ages where the server tells: the
/// age of a database is that of its `PG_VERSION` file, which only roles allowed to read
/// server files (superusers, `pg_read_server_files`) may see.
async fn listed(conn: &mut AsyncPgConnection) -> Result<Vec<Listed>, String> {
    let query = |age: &str| {
        format!(
            "SELECT datname::text AS name, {age} AS age FROM pg_database \
             WHERE starts_with(datname, '{TEST_PREFIX}') \
                OR starts_with(datname, '{TEMPLATE_PREFIX}')"
        )
    };
    let with_ages = query(
        "EXTRACT(EPOCH FROM now() - \
         (pg_stat_file('base/' || oid || '/PG_VERSION', true)).modification)::float8",
    );
    match diesel::sql_query(with_ages).load(conn).await {
        Ok(listed) => Ok(listed),
        Err(_) => diesel::sql_query(query("NULL::float8"))
            .load(conn)
            .await
            .map_err(|e| e.to_string()),
    }
}

/// What the sweep does with a database.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Verdict {
    Keep,
    /// Dropped unless a session is open on it.
    Drop,
    /// Dropped, closing its sessions.
    ForceDrop,
}

fn verdict(name: &str, age: Option<Duration>, live: &Live) -> Verdict {
    if name.starts_with(TEST_PREFIX) {
        match run_of(name) {
            Some(run) if live.runs.contains(&i64::from(run)) => Verdict::Keep,
            // Sessions left by a run that has ended are of no use.
            Some(_) => Verdict::ForceDrop,
            None if age.is_some_and(|age| age > UNKNOWN_RUN_MAX_AGE) => Verdict::Drop,
            None => Verdict::Keep,
        }
    } else if let Some(fingerprint) = name.strip_prefix(TEMPLATE_PREFIX) {
        if fingerprint.ends_with("_building") {
            // Templates are built under the lock the sweep holds: none is being built.
            return Verdict::ForceDrop;
        }
        match fingerprint_key(fingerprint) {
            Some(key) if live.templates.contains(&i64::from(key)) => Verdict::Keep,
            _ if live.unregistered => Verdict::Keep,
            _ => Verdict::Drop,
        }
    } else {
        Verdict::Keep
    }
}

/// What a sweep did.
#[derive(Debug)]
pub(super) struct Swept {
    /// The databases dropped.
    pub(super) dropped: Vec<String>,
    /// Whether templates were kept for runs that do not register.
    pub(super) unregistered: bool,
}

/// Drops the leftovers of killed runs. The caller holds the lock under which templates
/// are built.
pub(super) async fn sweep(conn: &mut AsyncPgConnection) -> Result<Swept, String> {
    let listed: Vec<(String, Option<Duration>)> = listed(conn)
        .await?
        .into_iter()
        .map(|database| {
            let age = database
                .age
                .and_then(|s| Duration::try_from_secs_f64(s).ok());
            (database.name, age)
        })
        .collect();
    // Read after the list: a run registers before it creates anything, so a database
    // listed whose run is alive has that run among these.
    let mut live = live(conn).await?;
    live.unregistered = listed.iter().any(|(name, age)| {
        name.starts_with(TEST_PREFIX)
            && run_of(name).is_none()
            && verdict(name, *age, &live) == Verdict::Keep
    });
    let mut dropped = Vec::new();
    for (name, age) in listed {
        let force = match verdict(&name, age, &live) {
            Verdict::Keep => continue,
            Verdict::Drop => "",
            Verdict::ForceDrop => " WITH (FORCE)",
        };
        let drop = format!("DROP DATABASE IF EXISTS \"{name}\"{force}");
        // A database still in use refuses to be dropped, and is rightly kept.
        if conn.batch_execute(&drop).await.is_ok() {
            dropped.push(name);
        }
    }
    Ok(Swept {
        dropped,
        unregistered: live.unregistered,
    })
}

#[cfg(test)]
mod tests {
    use std::io::Write as _;

    use super::super::{BUILD_LOCK, PostgresStatus, TestBackend, TestDatabase, postgres_status};
    use super::*;

    const HOUR: Duration = Duration::from_secs(3600);

    fn live_of(runs: &[u32], templates: &[&str]) -> Live {
        Live {
            unregistered: false,
            runs: runs.iter().map(|&run| i64::from(run)).collect(),
            templates: templates
                .iter()
                .map(|f| i64::from(fingerprint_key(f).expect("a fingerprint")))
                .collect(),
        }
    }

    #[test]
    fn test_databases_are_named_after_their_run() {
        let name = test_database_name(0x1a2b_3c4d, 17);
        assert_eq!(name, "customer_api_test_1a2b3c4d_17");
        assert_eq!(run_of(&name), Some(0x1a2b_3c4d));
        assert_eq!(run_of(&test_database_name(5, 0)), Some(5));
        for other in [
            "customer_api_test_0123456789abcdef0123456789abcdef",
            "customer_api_test_empty_4242_1764000000000000000",
            "customer_api_test_1a2b3c4d_",
            "customer_api_test_1a2b3c4d_x",
            "customer_api_test_1a2b3c4_1",
            "customer_api_template_1a2b3c4d_1",
        ] {
            assert_eq!(run_of(other), None, "{other}");
        }
    }

    #[test]
    fn fingerprints_give_positive_lock_keys() {
        assert_eq!(fingerprint_key("fffffffffffffff0"), Some(0x0fff_ffff));
        assert_eq!(fingerprint_key("0123456789abcdef"), Some(0x0012_3456));
        assert_eq!(fingerprint_key("0123456789abcde"), None);
        assert_eq!(fingerprint_key("+123456789abcdef"), None);
    }

    #[test]
    fn only_leftovers_of_runs_that_ended_are_dropped() {
        let live = live_of(&[7], &["0123456789abcdef"]);
        let test = test_database_name;
        // Test databases of runs: kept while the run lives, whatever their age.
        assert_eq!(verdict(&test(7, 3), Some(HOUR * 5), &live), Verdict::Keep);
        assert_eq!(verdict(&test(8, 0), None, &live), Verdict::ForceDrop);
        // Others: by age, kept when it is unknown.
        let unknown = "customer_api_test_empty_4242_1764000000000000000";
        assert_eq!(verdict(unknown, Some(HOUR * 2), &live), Verdict::Drop);
        assert_eq!(verdict(unknown, Some(HOUR / 2), &live), Verdict::Keep);
        assert_eq!(verdict(unknown, None, &live), Verdict::Keep);
        // Templates: kept while a live run uses them.
        let template = |f: &str| format!("{TEMPLATE_PREFIX}{f}");
        assert_eq!(
            verdict(&template("0123456789abcdef"), None, &live),
            Verdict::Keep
        );
        assert_eq!(
            verdict(&template("fedcba9876543210"), None, &live),
            Verdict::Drop
        );
        assert_eq!(
            verdict(&template("0123456789abcdef_building"), None, &live),
            Verdict::ForceDrop
        );
        assert_eq!(
            verdict("customer_api_other", Some(HOUR * 9), &live),
            Verdict::Keep
        );
        // A run that does not register may be cloning any template.
        let live = Live {
            unregistered: true,
            ..live
        };
        assert_eq!(
            verdict(&template("fedcba9876543210"), None, &live),
            Verdict::Keep
        );
        assert_eq!(verdict(&test(8, 0), None, &live), Verdict::ForceDrop);
    }

    async fn exists(conn: &mut AsyncPgConnection, name: &str) -> bool {
        let Taken { taken } = diesel::sql_query(format!(
            "SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = '{name}') AS taken"
        ))
        .get_result(conn)
        .await
        .expect("pg_database is readable");
        taken
    }

    fn new_fingerprint() -> String {
        format!("{:016x}", uuid::Uuid::new_v4().as_u64_pair().0)
    }

    /// Sweeps under the build lock, as a test process does when it starts.
    async fn sweep_now(admin: &mut AsyncPgConnection) -> Swept {
        admin
            .batch_execute(&format!("SELECT pg_advisory_lock({BUILD_LOCK})"))
            .await
            .expect("the build lock");
        let swept = sweep(admin).await;
        admin
            .batch_execute(&format!("SELECT pg_advisory_unlock({BUILD_LOCK})"))
            .await
            .expect("the build lock");
        swept.expect("the sweep runs")
    }

    /// On the server: the test database of a run that has ended, an unfinished template
    /// and the templates no run uses are dropped; the databases of live runs (this one's
    /// too), the template a live run uses and a recent database not named after a run
    /// are kept, and while that one is there, so are all templates.
    #[test]
    fn the_sweep_drops_leftovers_and_keeps_what_live_runs_use() {
        let status = postgres_status();
        let PostgresStatus::Ready { admin_url, .. } = status else {
            assert!(!super::super::in_ci(), "CI is set: {status:?}");
            // Past libtest's capture, as `run_suite`'s note: a #[test] cannot make itself
            // ignored at run time.
            let _ = writeln!(
                std::io::stderr(),
                "NOTE: the sweep was NOT checked on a PostgreSQL server: {status:?}"
            );
            return;
        };
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("a runtime");
        runtime.block_on(async {
            let mut admin = connect_admin(admin_url).await.expect("PostgreSQL answers");
            let own = TestDatabase::new(TestBackend::Postgres).await;
            let own = own
                .postgres
                .as_ref()
                .expect("a PostgreSQL database")
                .1
                .clone();
            // Another live run, which uses the template of `used`.
            let used = new_fingerprint();
            let used_key = fingerprint_key(&used).expect("a fingerprint");
            let (_other_session, other_run) =
                hold_run_locks(admin_url, used_key).await.expect("locks");
            // A run that has ended: an id no session holds.
            let ended = loop {
                let run = new_run_id();
                if !live(&mut admin)
                    .await
                    .expect("locks")
                    .runs
                    .contains(&i64::from(run))
                {
                    break run;
                }
            };
            let unregistered = format!("{TEST_PREFIX}{}", uuid::Uuid::new_v4().simple());
            let unused = format!("{TEMPLATE_PREFIX}{}", new_fingerprint());
            let kept = [
                own,
                test_database_name(other_run, 0),
                format!("{TEMPLATE_PREFIX}{used}"),
            ];
            let swept = [
                test_database_name(ended, 0),
                format!("{TEMPLATE_PREFIX}{}_building", new_fingerprint()),
            ];
            for name in kept[1..]
                .iter()
                .chain(&swept)
                .chain([&unregistered, &unused])
            {
                admin
                    .batch_execute(&format!("CREATE DATABASE \"{name}\""))
                    .await
                    .unwrap_or_else(|e| panic!("{name}: {e}"));
            }

            let first = sweep_now(&mut admin).await;
            assert!(first.unregistered, "{unregistered} is there");
            for name in &swept {
                assert!(
                    !exists(&mut admin, name).await,
                    "{name} is swept: {first:?}"
                );
            }
            for name in kept.iter().chain([&unregistered, &unused]) {
                assert!(exists(&mut admin, name).await, "{name} is kept: {first:?}");
            }

            // Without it, the template no run uses goes, unless another process has a
            // test database not named after a run.
            admin
                .batch_execute(&format!("DROP DATABASE \"{unregistered}\""))
                .await
                .expect("dropped");
            let second = sweep_now(&mut admin).await;
            assert_eq!(
                exists(&mut admin, &unused).await,
                second.unregistered,
                "{unused}: {second:?}"
            );
            for name in &kept {
                assert!(exists(&mut admin, name).await, "{name} is kept: {second:?}");
            }
            for name in kept[1..].iter().chain([&unused]) {
                admin
                    .batch_execute(&format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"))
                    .await
                    .expect("dropped");
            }
        });
    }
}

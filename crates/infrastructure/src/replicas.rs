//! Read replicas: customer lookups go to a streaming replica of the primary that is in
//! rotation, chosen in turn. A background task checks every replica at a fixed interval
//! (reachable, still in recovery, replay lag within the bound) and takes it out of
//! rotation while it is not; a lookup that finds its replica gone takes it out at once,
//! without waiting for the next check.

use std::future::Future;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Mutex, PoisonError};
use std::time::Duration;

use tokio_postgres::Client;

use crate::database::{Database, PoolSettings, PoolStatus};
use crate::database_url::DatabaseUrl;
use crate::error::InfraError;
use crate::tls::PgTls;

/// Where lookups go when no replica is in rotation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReplicaFallback {
    /// To the primary.
    Primary,
    /// Nowhere: they fail as unavailable (503), keeping the load off the primary.
    Unavailable,
}

/// How read replicas are checked and used.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReplicaSettings {
    /// Time between two checks of every replica.
    pub check_interval: Duration,
    /// The longest a check (connecting, then its statement) may take.
    pub check_timeout: Duration,
    /// A replica further behind than this leaves rotation.
    pub max_lag: Duration,
    /// Where lookups go when no replica is in rotation.
    pub fallback: ReplicaFallback,
}

/// What the last check (or lookup) found about one replica.
#[derive(Debug, Clone, PartialEq)]
pub struct ReplicaHealth {
    /// Whether lookups may go to it.
    pub healthy: bool,
    /// Why it is out of rotation.
    pub reason: Option<String>,
    /// How far behind the primary its replay was (0 when it had replayed all the
    /// primary had written), when known.
    pub lag: Option<Duration>,
}

/// One replica's state, for metrics and probes.
#[derive(Debug, Clone)]
pub struct ReplicaStatus {
    /// `replica-1`, `replica-2`... in the order of `database.replica_urls`.
    pub name: &'static str,
    /// Its health.
    pub health: ReplicaHealth,
    /// Its pool.
    pub pool: PoolStatus,
    /// Lookups it served.
    pub lookups: u64,
}

/// One read replica: its pool and its health.
pub struct Replica {
    name: &'static str,
    url: String,
    db: Database,
    health: Mutex<ReplicaHealth>,
    lookups: AtomicU64,
}

impl std::fmt::Debug for Replica {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Replica")
            .field("name", &self.name)
            .field("health", &self.health())
            .finish_non_exhaustive()
    }
}

impl Replica {
    /// `replica-N`.
    pub fn name(&self) -> &'static str {
        self.name
    }

    /// Its connection pool.
    pub fn database(&self) -> &Database {
        &self.db
    }

    /// What is known of its health now.
    pub fn health(&self) -> ReplicaHealth {
        self.health
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    fn is_healthy(&self) -> bool {
        self.health
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .healthy
    }

    /// Records `health`; logs a change in or out of rotation.
    fn set(&self, health: ReplicaHealth) {
        let mut current = self.health.lock().unwrap_or_else(PoisonError::into_inner);
        let was = current.healthy;
        *current = health;
        let lag_ms = current.lag.map(|lag| lag.as_millis());
        match (was, current.healthy) {
            (false, true) => {
                drop(current);
                // The pool's breaker may still wait out a backoff from when it was gone.
                if let Some(breaker) = self.db.breaker() {
                    breaker.reachable();
                }
                tracing::info!(replica = self.name, ?lag_ms, "read replica in rotation");
            }
            (true, false) => {
                let reason = current.reason.clone().unwrap_or_default();
                drop(current);
                tracing::warn!(
                    replica = self.name,
                    ?lag_ms,
                    reason,
                    "read replica out of rotation"
                );
            }
            _ => {}
        }
    }

    /// A lookup found the replica gone: out of rotation until a check finds it back, and
    /// its idle connections (likely dead as well) closed.
    pub fn take_out(&self, error: &InfraError) {
        self.set(ReplicaHealth {
            healthy: false,
            reason: Some(format!("unreachable: {error}")),
            lag: None,
        });
        self.db.close_idle_everywhere();
    }

    /// Counts a lookup it served.
    pub fn served(&self) {
        self.lookups.fetch_add(1, Ordering::Relaxed);
    }
}

/// The read replicas of one primary.
pub struct ReplicaSet {
    replicas: Vec<Replica>,
    primary_url: String,
    settings: ReplicaSettings,
    next: AtomicUsize,
    primary_lookups: AtomicU64,
}

impl std::fmt::Debug for ReplicaSet {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ReplicaSet")
            .field("replicas", &self.replicas)
            .field("settings", &self.settings)
            .finish_non_exhaustive()
    }
}

impl ReplicaSet {
    /// A pool per replica of `urls` (each with `pool`'s settings, named `replica-N`),
    /// all out of rotation until the first check (see [`Self::check`]).
    ///
    /// # Errors
    /// [`InfraError::Configuration`] when the primary or a replica is not PostgreSQL, or
    /// the pool settings are unusable.
    pub fn connect(
        primary: &DatabaseUrl,
        urls: &[DatabaseUrl],
        pool: &PoolSettings,
        settings: ReplicaSettings,
    ) -> Result<Self, InfraError> {
        let DatabaseUrl::Postgres(primary_url) = primary else {
            return Err(InfraError::Configuration(
                "read replicas need a PostgreSQL primary".into(),
            ));
        };
        let mut replicas = Vec::with_capacity(urls.len());
        for (index, url) in urls.iter().enumerate() {
            let DatabaseUrl::Postgres(raw) = url else {
                return Err(InfraError::Configuration(format!(
                    "the read replica {url} is not a postgres:// URL"
                )));
            };
            // Named once per start: the pool and its breaker keep `&'static str` names.
            let name: &'static str = Box::leak(format!("replica-{}", index + 1).into_boxed_str());
            tracing::info!(replica = name, %url, "read replica");
            replicas.push(Replica {
                name,
                url: raw.clone(),
                db: Database::connect(
                    url,
                    &PoolSettings {
                        name,
                        ..pool.clone()
                    },
                )?,
                health: Mutex::new(ReplicaHealth {
                    healthy: false,
                    reason: Some("not checked yet".to_owned()),
                    lag: None,
                }),
                lookups: AtomicU64::new(0),
            });
        }
        Ok(Self {
            replicas,
            primary_url: primary_url.clone(),
            settings,
            next: AtomicUsize::new(0),
            primary_lookups: AtomicU64::new(0),
        })
    }

    /// The settings it was made with.
    pub fn settings(&self) -> ReplicaSettings {
        self.settings
    }

    /// Every replica, in the order configured.
    pub fn replicas(&self) -> &[Replica] {
        &self.replicas
    }

    /// The next replica in rotation, in turn, but `except`; `None` when there is none.
    pub fn choose(&self, except: Option<&Replica>) -> Option<&Replica> {
        let count = self.replicas.len();
        let start = self.next.fetch_add(1, Ordering::Relaxed);
        (0..count)
            .map(|offset| &self.replicas[(start + offset) % count])
            .find(|replica| {
                replica.is_healthy() && !except.is_some_and(|except| std::ptr::eq(*replica, except))
            })
    }

    /// Whether any replica is in rotation.
    pub fn any_healthy(&self) -> bool {
        self.replicas.iter().any(Replica::is_healthy)
    }

    /// Counts a lookup the primary served.
    pub fn primary_served(&self) {
        self.primary_lookups.fetch_add(1, Ordering::Relaxed);
    }

    /// Lookups the primary served.
    pub fn primary_lookups(&self) -> u64 {
        self.primary_lookups.load(Ordering::Relaxed)
    }

    /// Every replica's state now.
    pub fn status(&self) -> Vec<ReplicaStatus> {
        self.replicas
            .iter()
            .map(|replica| ReplicaStatus {
                name: replica.name,
                health: replica.health(),
                pool: replica.db.status(),
                lookups: replica.lookups.load(Ordering::Relaxed),
            })
            .collect()
    }

    /// Checks every replica until `stop` completes: once at once, then every
    /// `check_interval`, each on a connection of its own kept from one check to the next.
    pub async fn run_checks(&self, stop: impl Future<Output = ()>) {
        let mut checker = Checker::new(self);
        let checks = async {
            let mut ticks = tokio::time::interval(self.settings.check_interval);
            ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                ticks.tick().await;
                checker.round(self).await;
            }
        };
        tokio::select! {
            () = checks => {}
            () = stop => {}
        }
    }

    /// Checks every replica once, now (the service waits for it before serving, so that
    /// its first lookups already go to the replicas).
    pub async fn check(&self) {
        Checker::new(self).round(self).await;
    }
}

/// The connections health checks run on: the primary's (for its WAL position) and one
/// per replica, opened again after any failure.
struct Checker {
    primary: Option<Client>,
    replicas: Vec<Option<Client>>,
    timeout: Duration,
}

/// The replica's side of a check: in recovery; caught up with the primary's position
/// (or, when the primary is out of reach, with what it received); seconds since the
/// last transaction it replayed was committed.
const REPLICA_CHECK: &str = "SELECT pg_is_in_recovery(), \
     coalesce(pg_last_wal_replay_lsn() >= coalesce($1::text::pg_lsn, pg_last_wal_receive_lsn()), false), \
     extract(epoch FROM now() - pg_last_xact_replay_timestamp())::float8";

impl Checker {
    fn new(set: &ReplicaSet) -> Self {
        Self {
            primary: None,
            replicas: set.replicas.iter().map(|_| None).collect(),
            timeout: set.settings.check_timeout,
        }
    }

    async fn round(&mut self, set: &ReplicaSet) {
        // The primary's position first: a replica that has replayed up to it has no lag,
        // however long ago the last transaction was (an idle primary writes none).
        let primary = within(
            self.timeout,
            primary_position(&mut self.primary, &set.primary_url, self.timeout),
        )
        .await;
        let primary = match primary {
            Ok(position) => Some(position),
            Err(error) => {
                self.primary = None;
                tracing::debug!(%error, "the primary's WAL position is unknown");
                None
            }
        };
        let max_lag = set.settings.max_lag;
        let timeout = self.timeout;
        let checks = set
            .replicas
            .iter()
            .zip(self.replicas.iter_mut())
            .map(|(replica, client)| {
                let primary = primary.as_deref();
                async move {
                    let found = within(
                        timeout,
                        replica_state(client, &replica.url, primary, timeout),
                    )
                    .await;
                    let health = match found {
                        Ok(state) => state.health(max_lag),
                        Err(error) => {
                            *client = None;
                            ReplicaHealth {
                                healthy: false,
                                reason: Some(format!("unreachable: {error}")),
                                lag: None,
                            }
                        }
                    };
                    replica.set(health);
                }
            });
        futures_util::future::join_all(checks).await;
    }
}

/// What a replica said of itself.
struct ReplicaState {
    in_recovery: bool,
    caught_up: bool,
    since_last_replayed: Option<f64>,
}

impl ReplicaState {
    fn health(&self, max_lag: Duration) -> ReplicaHealth {
        if !self.in_recovery {
            return ReplicaHealth {
                healthy: false,
                reason: Some("not in recovery: promoted, no longer a replica".to_owned()),
                lag: None,
            };
        }
        let lag = if self.caught_up {
            Some(Duration::ZERO)
        } else {
            self.since_last_replayed
                .map(|secs| Duration::try_from_secs_f64(secs).unwrap_or(Duration::ZERO))
        };
        match lag {
            Some(lag) if lag <= max_lag => ReplicaHealth {
                healthy: true,
                reason: None,
                lag: Some(lag),
            },
            Some(lag) => ReplicaHealth {
                healthy: false,
                reason: Some(format!(
                    "replay lag {} ms exceeds database.max_replica_lag_ms = {}",
                    lag.as_millis(),
                    max_lag.as_millis()
                )),
                lag: Some(lag),
            },
            None => ReplicaHealth {
                healthy: false,
                reason: Some("behind the primary, and no transaction replayed yet".to_owned()),
                lag: None,
            },
        }
    }
}

/// Runs `work` for at most `limit`.
async fn within<T>(
    limit: Duration,
    work: impl Future<Output = Result<T, String>>,
) -> Result<T, String> {
    tokio::time::timeout(limit, work)
        .await
        .unwrap_or_else(|_| Err(format!("no answer within {} ms", limit.as_millis())))
}

/// The connection in `slot`, opened to `url` if there is none.
async fn connection<'a>(
    slot: &'a mut Option<Client>,
    url: &str,
    timeout: Duration,
) -> Result<&'a Client, String> {
    if slot.as_ref().is_none_or(Client::is_closed) {
        // The URL's TLS applies here as on every other connection.
        let (url, tls) = PgTls::from_url(url).map_err(|e| e.to_string())?;
        let mut config: tokio_postgres::Config = url.parse().map_err(|e| format!("{e}"))?;
        config
            .connect_timeout(timeout)
            .application_name("customer-api replica check");
        let client = tls.client(&mut config).await.map_err(|e| e.to_string())?;
        *slot = Some(client);
    }
    slot.as_ref().ok_or_else(|| "no connection".to_owned())
}

async fn primary_position(
    slot: &mut Option<Client>,
    url: &str,
    timeout: Duration,
) -> Result<String, String> {
    let client = connection(slot, url, timeout).await?;
    let row = client
        .query_one("SELECT pg_current_wal_lsn()::text", &[])
        .await
        .map_err(|e| e.to_string())?;
    row.try_get(0).map_err(|e| e.to_string())
}

async fn replica_state(
    slot: &mut Option<Client>,
    url: &str,
    primary: Option<&str>,
    timeout: Duration,
) -> Result<ReplicaState, String> {
    let client = connection(slot, url, timeout).await?;
    let row = client
        .query_one(REPLICA_CHECK, &[&primary])
        .await
        .map_err(|e| e.to_string())?;
    Ok(ReplicaState {
        in_recovery: row.try_get(0).map_err(|e| e.to_string())?,
        caught_up: row.try_get(1).map_err(|e| e.to_string())?,
        since_last_replayed: row.try_get(2).map_err(|e| e.to_string())?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn state(in_recovery: bool, caught_up: bool, since: Option<f64>) -> ReplicaState {
        ReplicaState {
            in_recovery,
            caught_up,
            since_last_replayed: since,
        }
    }

    const BOUND: Duration = Duration::from_secs(5);

    #[test]
    fn a_caught_up_replica_has_no_lag_however_old_its_last_transaction() {
        let health = state(true, true, Some(3600.0)).health(BOUND);
        assert!(health.healthy);
        assert_eq!(health.lag, Some(Duration::ZERO));
    }

    #[test]
    fn a_replica_behind_by_more_than_the_bound_leaves_rotation() {
        let health = state(true, false, Some(6.5)).health(BOUND);
        assert!(!health.healthy);
        assert!(
            health
                .reason
                .is_some_and(|reason| reason.contains("max_replica_lag_ms"))
        );
        assert!(state(true, false, Some(0.2)).health(BOUND).healthy);
    }

    #[test]
    fn a_promoted_replica_or_one_with_an_unknown_lag_leaves_rotation() {
        assert!(!state(false, true, None).health(BOUND).healthy);
        assert!(!state(true, false, None).health(BOUND).healthy);
    }

    #[test]
    fn a_sqlite_primary_or_replica_is_refused() {
        let settings = ReplicaSettings {
            check_interval: Duration::from_secs(1),
            check_timeout: Duration::from_secs(1),
            max_lag: BOUND,
            fallback: ReplicaFallback::Primary,
        };
        let postgres = DatabaseUrl::Postgres("postgres://u@h/db".into());
        let sqlite = DatabaseUrl::Sqlite("c.db".into());
        let pool = PoolSettings::default();
        assert!(
            ReplicaSet::connect(&sqlite, std::slice::from_ref(&postgres), &pool, settings).is_err()
        );
        assert!(ReplicaSet::connect(&postgres, &[sqlite], &pool, settings).is_err());
    }

    #[tokio::test]
    async fn replicas_are_chosen_in_turn_among_those_in_rotation() {
        let settings = ReplicaSettings {
            check_interval: Duration::from_secs(1),
            check_timeout: Duration::from_secs(1),
            max_lag: BOUND,
            fallback: ReplicaFallback::Primary,
        };
        let url = |host: &str| DatabaseUrl::Postgres(format!("postgres://u@{host}/db"));
        let set = ReplicaSet::connect(
            &url("p"),
            &[url("a"), url("b"), url("c")],
            &PoolSettings::default(),
            settings,
        )
        .expect("pools are made without connecting");
        assert!(set.choose(None).is_none(), "none checked yet");
        let healthy = ReplicaHealth {
            healthy: true,
            reason: None,
            lag: Some(Duration::ZERO),
        };
        set.replicas[0].set(healthy.clone());
        set.replicas[2].set(healthy);
        let chosen: Vec<&str> = (0..4)
            .filter_map(|_| set.choose(None).map(Replica::name))
            .collect();
        assert!(chosen.contains(&"replica-1") && chosen.contains(&"replica-3"));
        assert!(!chosen.contains(&"replica-2"));
        let first = &set.replicas[0];
        for _ in 0..3 {
            assert_eq!(
                set.choose(Some(first)).map(Replica::name),
                Some("replica-3")
            );
        }
        first.take_out(&InfraError::NoHealthyReplica);
        set.replicas[2].take_out(&InfraError::NoHealthyReplica);
        assert!(!set.any_healthy());
    }
}

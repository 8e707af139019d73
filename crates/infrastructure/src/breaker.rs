//! A circuit breaker in front of opening database connections: while the database is
//! down, requests fail at once instead of each dialling it, and the database is probed
//! at a bounded rate until it answers again.
//!
//! Written here rather than taken from `failsafe`: its half-open state lets every call
//! through until one ends, so each thread's pool would dial at once when the wait ends;
//! this one lets a single probe through per wait, which is what bounds the attempts per
//! second while the database is down.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

/// When the breaker opens and how often it probes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BreakerSettings {
    /// Failed connection attempts in a row that open the breaker.
    pub failures_to_open: u32,
    /// The wait before the first probe once open; doubled after each failed probe.
    pub first_backoff: Duration,
    /// The longest wait between two probes.
    pub max_backoff: Duration,
    /// How often, at most, a still-open breaker logs how many requests it refused.
    pub report_every: Duration,
}

impl Default for BreakerSettings {
    fn default() -> Self {
        Self {
            failures_to_open: 3,
            first_backoff: Duration::from_millis(250),
            max_backoff: Duration::from_secs(2),
            report_every: Duration::from_secs(10),
        }
    }
}

/// The state of a [`CircuitBreaker`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BreakerState {
    /// Connections are opened as needed.
    Closed,
    /// Recent attempts failed: no connection is attempted until the next probe.
    Open,
    /// One probe is under way; other attempts are refused until it ends.
    HalfOpen,
}

impl BreakerState {
    /// The state as a number, for a metric: 0 closed, 1 open, 2 half-open.
    pub fn as_number(self) -> i64 {
        match self {
            Self::Closed => 0,
            Self::Open => 1,
            Self::HalfOpen => 2,
        }
    }
}

/// Counts of a [`CircuitBreaker`] since it was made.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BreakerCounts {
    /// Connection attempts made (dialled), successful or not.
    pub attempts: u64,
    /// Connection attempts that opened a connection.
    pub opened: u64,
    /// Connection attempts that failed.
    pub failures: u64,
    /// Connections refused without dialling because the breaker was open.
    pub refused: u64,
}

/// Guards the opening of connections to one database; shared by every pool of a
/// [`crate::Database`].
#[derive(Debug)]
pub struct CircuitBreaker {
    name: &'static str,
    settings: BreakerSettings,
    inner: Mutex<Inner>,
    attempts: AtomicU64,
    opened: AtomicU64,
    failures: AtomicU64,
    refused: AtomicU64,
}

#[derive(Debug)]
struct Inner {
    state: BreakerState,
    failures_in_a_row: u32,
    backoff: Duration,
    next_probe: Instant,
    opened_at: Instant,
    last_report: Instant,
    refused_since_report: u64,
    refused_while_open: u64,
}

/// Refused without dialling: the breaker is open.
#[derive(Debug, thiserror::Error)]
#[error("the database failed recently ({name} connections); next attempt in {wait_ms} ms")]
pub struct Refused {
    name: &'static str,
    wait_ms: u128,
}

/// One connection attempt let through; it counts as failed unless [`Self::succeeded`] is
/// called (a cancelled attempt, such as one past its time limit, failed).
#[derive(Debug)]
pub struct Attempt {
    breaker: Arc<CircuitBreaker>,
    ended: bool,
}

impl Attempt {
    /// The connection is open.
    pub fn succeeded(mut self) {
        self.ended = true;
        self.breaker.record(true, None);
    }

    /// The attempt failed with `error`.
    pub fn failed(mut self, error: &dyn std::fmt::Display) {
        self.ended = true;
        self.breaker.record(false, Some(error));
    }
}

impl Drop for Attempt {
    fn drop(&mut self) {
        if !self.ended {
            self.breaker
                .record(false, Some(&"the attempt was abandoned"));
        }
    }
}

impl CircuitBreaker {
    /// A closed breaker; `name` says which connections it guards, in logs and metrics.
    pub fn new(name: &'static str, settings: BreakerSettings) -> Self {
        let now = Instant::now();
        Self {
            name,
            settings,
            inner: Mutex::new(Inner {
                state: BreakerState::Closed,
                failures_in_a_row: 0,
                backoff: settings.first_backoff,
                next_probe: now,
                opened_at: now,
                last_report: now,
                refused_since_report: 0,
                refused_while_open: 0,
            }),
            attempts: AtomicU64::new(0),
            opened: AtomicU64::new(0),
            failures: AtomicU64::new(0),
            refused: AtomicU64::new(0),
        }
    }

    /// Which connections it guards.
    pub fn name(&self) -> &'static str {
        self.name
    }

    /// The state now.
    pub fn state(&self) -> BreakerState {
        self.lock().state
    }

    /// What it counted so far.
    pub fn counts(&self) -> BreakerCounts {
        BreakerCounts {
            attempts: self.attempts.load(Ordering::Relaxed),
            opened: self.opened.load(Ordering::Relaxed),
            failures: self.failures.load(Ordering::Relaxed),
            refused: self.refused.load(Ordering::Relaxed),
        }
    }

    fn lock(&self) -> MutexGuard<'_, Inner> {
        // The state stays consistent at every step: a panic elsewhere leaves it usable.
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Lets one connection attempt through, or refuses it while open (and while a probe
    /// is under way).
    ///
    /// # Errors
    /// [`Refused`] when no attempt may be made now.
    pub fn admit(self: &Arc<Self>) -> Result<Attempt, Refused> {
        let now = Instant::now();
        let mut inner = self.lock();
        let admitted = match inner.state {
            BreakerState::Closed => true,
            BreakerState::Open if now >= inner.next_probe => {
                inner.state = BreakerState::HalfOpen;
                // At most one line per probe interval (up to `max_backoff`); the failed
                // probe that follows is implied by the next one.
                tracing::info!(
                    pool = self.name,
                    after_ms = inner.backoff.as_millis(),
                    "database circuit half-open: probing"
                );
                true
            }
            BreakerState::Open | BreakerState::HalfOpen => false,
        };
        if admitted {
            drop(inner);
            self.attempts.fetch_add(1, Ordering::Relaxed);
            return Ok(Attempt {
                breaker: self.clone(),
                ended: false,
            });
        }
        self.refused.fetch_add(1, Ordering::Relaxed);
        inner.refused_since_report += 1;
        inner.refused_while_open += 1;
        if now.duration_since(inner.last_report) >= self.settings.report_every {
            tracing::warn!(
                pool = self.name,
                refused = inner.refused_since_report,
                down_for_secs = now.duration_since(inner.opened_at).as_secs(),
                "database still unreachable: connections refused without trying"
            );
            inner.last_report = now;
            inner.refused_since_report = 0;
        }
        Err(Refused {
            name: self.name,
            wait_ms: inner.next_probe.saturating_duration_since(now).as_millis(),
        })
    }

    /// Another connection to the same server just opened (a read replica's health
    /// check): an open breaker lets its next attempt through at once rather than after
    /// the rest of its backoff, so that a server back in rotation is not refused.
    pub fn reachable(&self) {
        let mut inner = self.lock();
        if inner.state == BreakerState::Open {
            inner.next_probe = Instant::now();
        }
    }

    fn record(&self, ok: bool, error: Option<&dyn std::fmt::Display>) {
        let now = Instant::now();
        let mut inner = self.lock();
        if ok {
            self.opened.fetch_add(1, Ordering::Relaxed);
            if inner.state != BreakerState::Closed {
                tracing::info!(
                    pool = self.name,
                    refused = inner.refused_while_open,
                    down_for_ms = now.duration_since(inner.opened_at).as_millis(),
                    "database circuit closed: connected again"
                );
            }
            inner.state = BreakerState::Closed;
            inner.failures_in_a_row = 0;
            inner.backoff = self.settings.first_backoff;
            return;
        }
        self.failures.fetch_add(1, Ordering::Relaxed);
        let error = error.map_or_else(String::new, ToString::to_string);
        match inner.state {
            BreakerState::Closed => {
                inner.failures_in_a_row += 1;
                if inner.failures_in_a_row >= self.settings.failures_to_open {
                    inner.state = BreakerState::Open;
                    inner.opened_at = now;
                    inner.last_report = now;
                    inner.refused_since_report = 0;
                    inner.refused_while_open = 0;
                    inner.backoff = self.settings.first_backoff;
                    inner.next_probe = now + inner.backoff;
                    tracing::warn!(
                        pool = self.name,
                        failures = inner.failures_in_a_row,
                        %error,
                        "database circuit open: connections fail fast until a probe succeeds"
                    );
                }
            }
            BreakerState::HalfOpen => {
                inner.backoff = (inner.backoff * 2).min(self.settings.max_backoff);
                inner.next_probe = now + inner.backoff;
                inner.state = BreakerState::Open;
                tracing::debug!(pool = self.name, %error, "database probe failed");
            }
            // An attempt admitted before the breaker opened.
            BreakerState::Open => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn breaker() -> Arc<CircuitBreaker> {
        Arc::new(CircuitBreaker::new(
            "test",
            BreakerSettings {
                failures_to_open: 2,
                first_backoff: Duration::from_millis(40),
                max_backoff: Duration::from_millis(80),
                report_every: Duration::from_secs(10),
            },
        ))
    }

    fn wait_for_probe(breaker: &Arc<CircuitBreaker>) -> Attempt {
        let started = Instant::now();
        loop {
            if let Ok(attempt) = breaker.admit() {
                return attempt;
            }
            assert!(started.elapsed() < Duration::from_secs(5), "no probe");
            std::thread::sleep(Duration::from_millis(5));
        }
    }

    #[test]
    fn opens_after_failures_in_a_row_and_refuses_without_dialling() {
        let breaker = breaker();
        breaker.admit().expect("closed").failed(&"refused");
        assert_eq!(breaker.state(), BreakerState::Closed);
        breaker.admit().expect("closed").failed(&"refused");
        assert_eq!(breaker.state(), BreakerState::Open);
        assert!(breaker.admit().is_err());
        assert_eq!(
            breaker.counts(),
            BreakerCounts {
                attempts: 2,
                opened: 0,
                failures: 2,
                refused: 1
            }
        );
    }

    #[test]
    fn a_success_resets_the_count_of_failures() {
        let breaker = breaker();
        breaker.admit().expect("closed").failed(&"refused");
        breaker.admit().expect("closed").succeeded();
        breaker.admit().expect("closed").failed(&"refused");
        assert_eq!(breaker.state(), BreakerState::Closed);
    }

    #[test]
    fn one_probe_at_a_time_and_the_first_success_closes() {
        let breaker = breaker();
        for _ in 0..2 {
            breaker.admit().expect("closed").failed(&"refused");
        }
        let probe = wait_for_probe(&breaker);
        assert_eq!(breaker.state(), BreakerState::HalfOpen);
        assert!(breaker.admit().is_err(), "a second probe waits");
        probe.succeeded();
        assert_eq!(breaker.state(), BreakerState::Closed);
        assert!(breaker.admit().is_ok());
    }

    #[test]
    fn an_abandoned_probe_counts_as_failed_and_opens_again() {
        let breaker = breaker();
        for _ in 0..2 {
            breaker.admit().expect("closed").failed(&"refused");
        }
        drop(wait_for_probe(&breaker));
        assert_eq!(breaker.state(), BreakerState::Open);
        assert!(breaker.admit().is_err());
    }
}

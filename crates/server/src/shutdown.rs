//! Shutdown that loses no request. On SIGTERM or SIGINT `/health/ready` answers 503 at
//! once and every response carries `Connection: close`, while the listener keeps
//! accepting for `server.drain_delay_ms` so that a load balancer notices and stops
//! sending; then the listener closes, and the requests already received (a request head
//! half sent included) are answered within `server.shutdown_grace_secs` (actix's graceful
//! stop).

use std::net::{Shutdown, TcpListener};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use actix_web::dev::{Extensions, ServerHandle};
use socket2::SockRef;
use tokio::signal::unix::{Signal, SignalKind, signal};
use tokio::task::JoinHandle;

use crate::settings::ServerSettings;
use customer_web::Draining;

/// How often the drain looks whether the open connections have ended.
const OPEN_CONNECTIONS_POLL: Duration = Duration::from_millis(20);

/// Set once a drain has closed the listening socket: actix's accept thread then fails
/// on it, as expected, and its lines are left out of the log.
pub static LISTENER_CLOSED: AtomicBool = AtomicBool::new(false);

/// SIGTERM and SIGINT, caught from the moment this is made (before the listener
/// accepts: a signal sent as soon as the port answers must not kill the process).
#[derive(Debug)]
pub struct StopSignals {
    terminate: Signal,
    interrupt: Signal,
}

impl StopSignals {
    /// Catches SIGTERM and SIGINT from now on; needs a runtime.
    pub fn catch() -> std::io::Result<Self> {
        Ok(Self {
            terminate: signal(SignalKind::terminate())?,
            interrupt: signal(SignalKind::interrupt())?,
        })
    }

    /// Waits for either; returns its name.
    async fn recv(&mut self) -> &'static str {
        tokio::select! {
            _ = self.terminate.recv() => "SIGTERM",
            _ = self.interrupt.recv() => "SIGINT",
        }
    }
}

/// The connections open now, counted by a guard that each connection's extensions hold
/// (actix drops them with the connection).
#[derive(Debug, Clone, Default)]
pub struct LiveConnections(Arc<AtomicUsize>);

/// Held by one open connection.
struct Live(Arc<AtomicUsize>);

impl Drop for Live {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

impl LiveConnections {
    /// For actix's `on_connect`: counts each new connection until its extensions are
    /// dropped.
    pub fn on_connect(
        &self,
    ) -> impl Fn(&dyn std::any::Any, &mut Extensions) + Send + Sync + 'static {
        let live = self.0.clone();
        move |_, extensions| {
            live.fetch_add(1, Ordering::SeqCst);
            extensions.insert(Live(live.clone()));
        }
    }

    fn count(&self) -> usize {
        self.0.load(Ordering::SeqCst)
    }
}

/// What the drain needs: the signals that start it, the flag it sets, the connections
/// it waits for, a handle on the listening socket to close it, and its times.
#[derive(Debug)]
pub struct Drain {
    pub signals: StopSignals,
    pub draining: Draining,
    pub live: LiveConnections,
    /// The API's listening socket (a clone of the one actix accepts on).
    pub listener: TcpListener,
    /// `server.drain_delay_ms`.
    pub delay: Duration,
    /// `server.shutdown_grace_secs`.
    pub grace: Duration,
}

impl Drain {
    /// The drain of the server listening on `listener` (a clone of its socket), started
    /// by `signals`, with the times of `settings`.
    pub fn new(
        settings: &ServerSettings,
        listener: TcpListener,
        draining: Draining,
        signals: StopSignals,
    ) -> Self {
        Self {
            signals,
            draining,
            live: LiveConnections::default(),
            listener,
            delay: settings.drain_delay,
            grace: settings.shutdown_grace,
        }
    }
}

/// On SIGTERM or SIGINT: marks the service draining; after the drain delay, stops
/// accepting and closes the listening socket (new connections are refused); waits for
/// the open connections to end (each closes after its response; a half-sent request head
/// is read and answered; an idle keep-alive one ends at `server.keep_alive_secs`), up to
/// the grace period; then stops the server of `handle` gracefully.
///
/// actix's own graceful stop is not enough by itself: it closes at once every
/// connection with no request being served, a request head still arriving included,
/// and a keep-alive one that a client is just reusing.
pub fn stop_on_signal(handle: ServerHandle, drain: Drain) -> JoinHandle<()> {
    tokio::spawn(async move {
        let mut signals = drain.signals;
        let signal = signals.recv().await;
        drain.draining.start();
        let delay_ms = u64::try_from(drain.delay.as_millis()).unwrap_or(u64::MAX);
        tracing::info!(
            signal,
            delay_ms,
            "draining: /health/ready answers 503, connections close after their response; \
             the listener closes after server.drain_delay_ms"
        );
        tokio::time::sleep(drain.delay).await;
        // Closed while actix still accepts, so that no connection waits in the backlog
        // (it would be reset): new ones are refused from now on. actix's accept thread
        // then fails on the closed socket; `LISTENER_CLOSED` keeps that out of the log,
        // and the pause stops its retries.
        LISTENER_CLOSED.store(true, Ordering::SeqCst);
        if let Err(error) = SockRef::from(&drain.listener).shutdown(Shutdown::Both) {
            tracing::warn!(%error, "the listening socket could not be closed; stopping now");
        }
        handle.pause().await;
        let open = drain.live.count();
        tracing::info!(open, "listener closed; finishing the open connections");
        let started = Instant::now();
        while drain.live.count() > 0 && started.elapsed() < drain.grace {
            tokio::time::sleep(OPEN_CONNECTIONS_POLL).await;
        }
        handle.stop(true).await;
    })
}

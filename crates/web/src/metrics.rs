//! Prometheus metrics, served at `/metrics` in the text exposition format.

use std::sync::Arc;
use std::time::Duration;

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use customer_application::audit::AuditCounters;
use customer_infrastructure::{CircuitBreaker, Database, QueryObserver, ReplicaSet};
use prometheus::{
    Encoder, HistogramOpts, HistogramVec, IntCounterVec, IntGaugeVec, Opts, Registry, TextEncoder,
};

/// The metrics of one service instance.
#[derive(Clone, Debug)]
pub struct Metrics {
    registry: Registry,
    requests: IntCounterVec,
    latency: HistogramVec,
    pool: IntGaugeVec,
    queries: HistogramVec,
    refused: IntCounterVec,
    audit: IntGaugeVec,
    audit_counters: Option<Arc<AuditCounters>>,
    circuit: IntGaugeVec,
    connections: IntCounterVec,
    breakers: Vec<Arc<CircuitBreaker>>,
    replicas: Option<ReplicaMetrics>,
}

/// The metrics of the read replicas, set at each scrape from their state.
#[derive(Clone, Debug)]
struct ReplicaMetrics {
    set: Arc<ReplicaSet>,
    healthy: IntGaugeVec,
    lag: prometheus::GaugeVec,
    pool: IntGaugeVec,
    lookups: IntCounterVec,
}

impl ReplicaMetrics {
    fn new(registry: &Registry, set: Arc<ReplicaSet>) -> Result<Self, prometheus::Error> {
        let healthy = IntGaugeVec::new(
            Opts::new(
                "db_replica_healthy",
                "Read replicas: 1 in rotation, 0 out (unreachable, promoted or lagging).",
            ),
            &["replica"],
        )?;
        let lag = prometheus::GaugeVec::new(
            Opts::new(
                "db_replica_lag_seconds",
                "Read replicas: how far replay is behind the primary, at the last check (NaN: unknown).",
            ),
            &["replica"],
        )?;
        let pool = IntGaugeVec::new(
            Opts::new(
                "db_replica_pool_connections",
                "Read replicas' pools: max, size (open), idle and waiting (requests queued).",
            ),
            &["replica", "state"],
        )?;
        let lookups = IntCounterVec::new(
            Opts::new(
                "db_lookups_total",
                "Customer lookups read, by target: primary or replica-N.",
            ),
            &["target"],
        )?;
        registry.register(Box::new(healthy.clone()))?;
        registry.register(Box::new(lag.clone()))?;
        registry.register(Box::new(pool.clone()))?;
        registry.register(Box::new(lookups.clone()))?;
        Ok(Self {
            set,
            healthy,
            lag,
            pool,
            lookups,
        })
    }

    fn set(&self) {
        // The set keeps the totals; the counters catch up at each scrape.
        let catch_up = |target: &str, total: u64| {
            let counter = self.lookups.with_label_values(&[target]);
            counter.inc_by(total.saturating_sub(counter.get()));
        };
        catch_up("primary", self.set.primary_lookups());
        for status in self.set.status() {
            let replica = status.name;
            self.healthy
                .with_label_values(&[replica])
                .set(i64::from(status.health.healthy));
            self.lag
                .with_label_values(&[replica])
                .set(status.health.lag.map_or(f64::NAN, |lag| lag.as_secs_f64()));
            for (state, value) in [
                ("max", status.pool.max_size),
                ("size", status.pool.size),
                ("idle", status.pool.idle),
                ("waiting", status.pool.waiting),
            ] {
                self.pool
                    .with_label_values(&[replica, state])
                    .set(i64::try_from(value).unwrap_or(i64::MAX));
            }
            catch_up(replica, status.lookups);
        }
    }
}

/// Buckets from 0.25 ms to 10 s: lookups are expected around a millisecond.
const BUCKETS: &[f64] = &[
    0.000_25, 0.000_5, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
];

impl Metrics {
    /// Registers every metric.
    pub fn new() -> Result<Self, prometheus::Error> {
        let registry = Registry::new();
        let requests = IntCounterVec::new(
            Opts::new(
                "http_requests_total",
                "HTTP requests by route, method and status.",
            ),
            &["route", "method", "status"],
        )?;
        let latency = HistogramVec::new(
            HistogramOpts::new(
                "http_request_duration_seconds",
                "HTTP request latency by route.",
            )
            .buckets(BUCKETS.to_vec()),
            &["route"],
        )?;
        let pool = IntGaugeVec::new(
            Opts::new(
                "db_pool_connections",
                "Database pool: max, size (open), idle and waiting (requests queued).",
            ),
            &["state"],
        )?;
        let queries = HistogramVec::new(
            HistogramOpts::new(
                "db_query_duration_seconds",
                "Database statement latency by statement.",
            )
            .buckets(BUCKETS.to_vec()),
            &["statement"],
        )?;
        let refused = IntCounterVec::new(
            Opts::new(
                "http_refused_requests_total",
                "Lookups refused with 401, 403 or 429, by caller (`-` when unauthenticated) and status.",
            ),
            &["caller", "status"],
        )?;
        let audit = IntGaugeVec::new(
            Opts::new(
                "audit_records",
                "Audit records: queued (handed to the writer), written (committed), pending, and failed_batches.",
            ),
            &["state"],
        )?;
        let circuit = IntGaugeVec::new(
            Opts::new(
                "db_circuit_state",
                "The circuit breaker in front of opening database connections, by pool: 0 closed, 1 open, 2 half-open.",
            ),
            &["pool"],
        )?;
        let connections = IntCounterVec::new(
            Opts::new(
                "db_connection_attempts_total",
                "Database connections by pool and outcome: opened, failed, or refused (not attempted: the breaker is open).",
            ),
            &["pool", "outcome"],
        )?;
        registry.register(Box::new(circuit.clone()))?;
        registry.register(Box::new(connections.clone()))?;
        registry.register(Box::new(refused.clone()))?;
        registry.register(Box::new(crate::faults::FAULTS.clone()))?;
        registry.register(Box::new(audit.clone()))?;
        registry.register(Box::new(requests.clone()))?;
        registry.register(Box::new(latency.clone()))?;
        registry.register(Box::new(pool.clone()))?;
        registry.register(Box::new(queries.clone()))?;
        Ok(Self {
            registry,
            requests,
            latency,
            pool,
            queries,
            refused,
            audit,
            audit_counters: None,
            circuit,
            connections,
            breakers: Vec::new(),
            replicas: None,
        })
    }

    /// The same metrics, reporting the read replicas of `set` (their health, lag, pools
    /// and breakers, and the lookups each target served) at each scrape.
    ///
    /// # Errors
    /// The registry's, should a metric be registered twice.
    pub fn with_replicas(
        mut self,
        set: Option<Arc<ReplicaSet>>,
    ) -> Result<Self, prometheus::Error> {
        let Some(set) = set else {
            return Ok(self);
        };
        for replica in set.replicas() {
            self.breakers.extend(replica.database().breaker().cloned());
        }
        self.replicas = Some(ReplicaMetrics::new(&self.registry, set)?);
        Ok(self)
    }

    /// The same metrics, reporting the audit writer's `counters` at each scrape.
    #[must_use]
    pub fn with_audit(mut self, counters: Arc<AuditCounters>) -> Self {
        self.audit_counters = Some(counters);
        self
    }

    /// The same metrics, reporting `breaker`'s state and counts at each scrape.
    #[must_use]
    pub fn with_breaker(mut self, breaker: Option<&Arc<CircuitBreaker>>) -> Self {
        self.breakers.extend(breaker.cloned());
        self
    }

    fn set_breakers(&self) {
        for breaker in &self.breakers {
            let pool = breaker.name();
            self.circuit
                .with_label_values(&[pool])
                .set(breaker.state().as_number());
            let counts = breaker.counts();
            for (outcome, total) in [
                ("opened", counts.opened),
                ("failed", counts.failures),
                ("refused", counts.refused),
            ] {
                let counter = self.connections.with_label_values(&[pool, outcome]);
                // The breaker keeps the totals; the counter catches up at each scrape.
                counter.inc_by(total.saturating_sub(counter.get()));
            }
        }
    }

    /// Counts a lookup refused with `status` (401, 403, 429).
    pub fn record_refusal(&self, caller: &str, status: u16) {
        self.refused
            .with_label_values(&[caller, &status.to_string()])
            .inc();
    }

    fn set_audit(&self, counters: &AuditCounters) {
        use std::sync::atomic::Ordering::Relaxed;
        let gauge = |state: &str, value: u64| {
            self.audit
                .with_label_values(&[state])
                .set(i64::try_from(value).unwrap_or(i64::MAX));
        };
        gauge("queued", counters.queued.load(Relaxed));
        gauge("written", counters.written.load(Relaxed));
        gauge("pending", counters.pending());
        gauge("failed_batches", counters.failed_batches.load(Relaxed));
    }

    /// Counts a served request.
    pub fn record_request(&self, route: &str, method: &str, status: StatusCode, elapsed: Duration) {
        self.requests
            .with_label_values(&[route, method, status.as_str()])
            .inc();
        self.latency
            .with_label_values(&[route])
            .observe(elapsed.as_secs_f64());
    }

    /// An observer that records statement latencies.
    pub fn query_observer(&self) -> QueryObserver {
        let queries = self.queries.clone();
        Arc::new(move |statement, elapsed| {
            queries
                .with_label_values(&[statement])
                .observe(elapsed.as_secs_f64());
        })
    }

    fn render(&self, database: &Database) -> Result<String, prometheus::Error> {
        if let Some(counters) = &self.audit_counters {
            self.set_audit(counters);
        }
        self.set_breakers();
        if let Some(replicas) = &self.replicas {
            replicas.set();
        }
        let status = database.status();
        for (state, value) in [
            ("max", status.max_size),
            ("size", status.size),
            ("idle", status.idle),
            ("waiting", status.waiting),
        ] {
            self.pool
                .with_label_values(&[state])
                .set(i64::try_from(value).unwrap_or(i64::MAX));
        }
        let mut buffer = Vec::new();
        TextEncoder::new().encode(&self.registry.gather(), &mut buffer)?;
        String::from_utf8(buffer).map_err(|e| prometheus::Error::Msg(e.to_string()))
    }
}

/// `GET /metrics`.
pub async fn scrape(metrics: web::Data<Metrics>, database: web::Data<Database>) -> HttpResponse {
    match metrics.render(&database) {
        Ok(text) => HttpResponse::Ok()
            .content_type(prometheus::TEXT_FORMAT)
            .body(text),
        Err(error) => {
            tracing::error!(%error, "metrics could not be rendered");
            HttpResponse::InternalServerError().finish()
        }
    }
}

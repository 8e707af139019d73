//! Probes: `/health/live` (the process answers) and `/health/ready` (lookups can be
//! served; see [`crate::readiness`]).

use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpResponse, web};
use serde::Serialize;
use utoipa::ToSchema;

use crate::readiness::{CheckJson, Readiness, ReplicaJson};

/// The state of the service, for probes.
#[derive(Debug, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = Health)]
pub struct HealthJson {
    /// `up`, `ready`, `unavailable`, or `draining` (shutting down: no new requests).
    status: &'static str,
    /// What is wrong, when not ready: the first failed check and why.
    #[serde(skip_serializing_if = "Option::is_none")]
    reason: Option<String>,
    /// `/health/ready`: each check, in the order run.
    #[serde(skip_serializing_if = "Option::is_none")]
    checks: Option<Vec<CheckJson>>,
    /// `/health/ready`, with read replicas: each one's state.
    #[serde(skip_serializing_if = "Option::is_none")]
    replicas: Option<Vec<ReplicaJson>>,
}

fn answer(
    ok: bool,
    status: &'static str,
    reason: Option<String>,
    checks: Option<Vec<CheckJson>>,
) -> HttpResponse {
    respond(
        ok,
        &HealthJson {
            status,
            reason,
            checks,
            replicas: None,
        },
    )
}

fn respond(ok: bool, body: &HealthJson) -> HttpResponse {
    let mut response = if ok {
        HttpResponse::Ok()
    } else {
        HttpResponse::ServiceUnavailable()
    };
    response
        .insert_header((header::CACHE_CONTROL, HeaderValue::from_static("no-store")))
        .json(body)
}

/// The process is up.
#[utoipa::path(get, path = "/health/live", tag = "health",
    responses((status = 200, description = "The process is up.", body = HealthJson,
        example = json!({"status": "up"}))))]
pub async fn live() -> HttpResponse {
    answer(true, "up", None, None)
}

/// Lookups can be served: the migrations are current, the lookup's own statements, the
/// authentication's and the audit trail's privileges work. Checked at most once per
/// `server.readiness_cache_ms`, within `server.readiness_timeout_ms`. With read
/// replicas, the body lists each one's state; not ready while none is in rotation and
/// `database.replica_fallback` is `unavailable`.
// The summary is given, not taken from the comment: /docs shows it as plain text in the
// operation's header, where a paragraph with backticks crowds it.
#[utoipa::path(get, path = "/health/ready", tag = "health",
    summary = "Whether lookups can be served now",
    description = "Ready when the migrations are current and the lookup's own statements, the authentication's and the audit trail's privileges work. Checked at most once per `server.readiness_cache_ms`, within `server.readiness_timeout_ms`. With read replicas, the body lists each one's state; not ready while none is in rotation and `database.replica_fallback` is `unavailable`.",
    responses(
        (status = 200, description = "Ready to serve lookups.", body = HealthJson,
            example = json!({"status": "ready", "checks": [
                {"name": "migrations", "status": "ok"},
                {"name": "customer_lookup", "status": "ok"},
                {"name": "api_keys", "status": "ok"},
                {"name": "audit_insert", "status": "ok"}]})),
        (status = 503, description = "Not ready (or draining before shutdown), with the first failed check and its reason.", body = HealthJson,
            example = json!({"status": "unavailable",
                "reason": "customer_lookup: a table or column it needs is missing",
                "checks": [
                {"name": "migrations", "status": "ok"},
                {"name": "customer_lookup", "status": "failed", "reason": "a table or column it needs is missing"},
                {"name": "api_keys", "status": "skipped"},
                {"name": "audit_insert", "status": "skipped"}]})),
    ))]
pub async fn ready(readiness: web::Data<Readiness>) -> HttpResponse {
    if readiness.is_draining() {
        return answer(
            false,
            "draining",
            Some("shutting down: no new requests".to_owned()),
            None,
        );
    }
    let report = readiness.report().await;
    let (replicas, replica_failure) = match readiness.replicas() {
        Some((replicas, failure)) => (Some(replicas), failure),
        None => (None, None),
    };
    let (ok, status, reason) = match report.failure().or(replica_failure) {
        None => (true, "ready", None),
        Some(reason) => (false, "unavailable", Some(reason)),
    };
    respond(
        ok,
        &HealthJson {
            status,
            reason,
            checks: Some(report.checks),
            replicas,
        },
    )
}

//! Probes: `/health/live` (the process answers) and `/health/ready` (the database answers
//! and its migrations are current).

use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpResponse, web};
use customer_infrastructure::Database;
use serde::Serialize;
use utoipa::ToSchema;

/// The state of the service, for probes.
#[derive(Debug, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = Health)]
pub struct HealthJson {
    /// `up`, `ready` or `unavailable`.
    status: &'static str,
    /// What is wrong, when not ready.
    #[serde(skip_serializing_if = "Option::is_none")]
    reason: Option<String>,
}

fn answer(ok: bool, status: &'static str, reason: Option<String>) -> HttpResponse {
    let mut response = if ok {
        HttpResponse::Ok()
    } else {
        HttpResponse::ServiceUnavailable()
    };
    response
        .insert_header((header::CACHE_CONTROL, HeaderValue::from_static("no-store")))
        .json(HealthJson { status, reason })
}

/// The process is up.
#[utoipa::path(get, path = "/health/live", tag = "health",
    responses((status = 200, description = "The process is up.", body = HealthJson,
        example = json!({"status": "up"}))))]
pub async fn live() -> HttpResponse {
    answer(true, "up", None)
}

/// The database answers and its migrations are current.
#[utoipa::path(get, path = "/health/ready", tag = "health",
    responses(
        (status = 200, description = "Ready to serve lookups.", body = HealthJson,
            example = json!({"status": "ready"})),
        (status = 503, description = "Not ready, with the reason.", body = HealthJson,
            example = json!({"status": "unavailable", "reason": "database unreachable"})),
    ))]
pub async fn ready(database: web::Data<Database>) -> HttpResponse {
    match database.pending_migrations().await {
        Ok(pending) if pending.is_empty() => answer(true, "ready", None),
        Ok(pending) => answer(
            false,
            "unavailable",
            Some(format!("migrations pending: {}", pending.join(", "))),
        ),
        Err(error) => {
            tracing::warn!(%error, "readiness check failed");
            let reason = if error.is_unavailable() {
                "database unreachable"
            } else {
                "database check failed"
            };
            answer(false, "unavailable", Some(reason.to_owned()))
        }
    }
}

//! Draining: from the stop signal on, `/health/ready` answers 503 and every response
//! closes its connection, so that a load balancer moves the traffic elsewhere before the
//! listener closes (the stop itself belongs to the binary).

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::ConnectionType;
use actix_web::middleware::Next;
use actix_web::{Error, web};

/// Set once SIGTERM or SIGINT has come: the service is draining.
#[derive(Debug, Clone, Default)]
pub struct Draining(Arc<AtomicBool>);

impl Draining {
    /// Marks the service as draining, for good.
    pub fn start(&self) {
        self.0.store(true, Ordering::SeqCst);
    }

    /// Whether the service is draining.
    pub fn is_draining(&self) -> bool {
        self.0.load(Ordering::SeqCst)
    }
}

/// Closes each keep-alive connection after its current response once draining has begun:
/// the client opens a new connection for its next request, which the load balancer sends
/// to another instance, instead of reusing one that the stop would cut.
pub async fn close_when_draining(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<impl MessageBody>, Error> {
    let draining = req.app_data::<web::Data<Draining>>().cloned();
    let mut response = next.call(req).await?;
    if draining.is_some_and(|draining| draining.is_draining()) {
        response
            .response_mut()
            .head_mut()
            .set_connection_type(ConnectionType::Close);
    }
    Ok(response)
}

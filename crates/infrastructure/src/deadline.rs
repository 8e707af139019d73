//! Deadlines of database work: a request's deadline covers its wait for a connection and
//! its statements; a connection whose work is abandoned (past its deadline, or dropped)
//! is closed rather than given back to the pool, since a statement may still be pending
//! on it.

use std::future::Future;
use std::ops::{Deref, DerefMut};
use std::time::Duration;

use deadpool::managed::{Manager, Object};
use tokio::time::Instant;

use crate::error::InfraError;

tokio::task_local! {
    static DEADLINE: Instant;
}

/// Runs `work` with `deadline` as the limit of every wait for a database connection in
/// it. The work itself is not stopped at the deadline: wrap it in [`bounded`] (or a
/// timeout of the caller's) for that.
pub async fn within_deadline<F: Future>(deadline: Instant, work: F) -> F::Output {
    let deadline = current().map_or(deadline, |outer| outer.min(deadline));
    DEADLINE.scope(deadline, work).await
}

/// The deadline of the work under way, if any.
pub(crate) fn current() -> Option<Instant> {
    DEADLINE.try_with(|deadline| *deadline).ok()
}

/// Runs database `work` for at most `limit` (or until an earlier deadline in force):
/// past it, the work is dropped, with its connection, and the answer is
/// [`InfraError::DeadlineExceeded`]. For calls that must answer quickly whatever the
/// database does, such as a readiness probe.
///
/// # Errors
/// `work`'s own, or [`InfraError::DeadlineExceeded`].
pub async fn bounded<T, E, F>(limit: Duration, work: F) -> Result<T, E>
where
    F: Future<Output = Result<T, E>>,
    E: From<InfraError>,
{
    let deadline = Instant::now() + limit;
    let deadline = current().map_or(deadline, |outer| outer.min(deadline));
    match tokio::time::timeout_at(deadline, within_deadline(deadline, work)).await {
        Ok(answer) => answer,
        Err(_) => Err(InfraError::DeadlineExceeded.into()),
    }
}

/// Waits for a pooled connection until the deadline in force, if any (used by
/// `with_connection!`).
///
/// # Errors
/// The pool's, or [`InfraError::DeadlineExceeded`].
pub async fn checkout<M, E>(
    get: impl Future<Output = Result<Object<M>, E>>,
) -> Result<Checkout<M>, InfraError>
where
    M: Manager,
    InfraError: From<E>,
{
    let object = match current() {
        Some(deadline) => tokio::time::timeout_at(deadline, get)
            .await
            .map_err(|_| InfraError::DeadlineExceeded)?,
        None => get.await,
    }?;
    Ok(Checkout(Some(object)))
}

/// A pooled connection that goes back to the pool only through [`Self::release`], once
/// its work is done; dropped otherwise (work abandoned midway, or failed), it is closed.
pub struct Checkout<M: Manager>(Option<Object<M>>);

impl<M: Manager> std::fmt::Debug for Checkout<M> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Checkout")
            .field("held", &self.0.is_some())
            .finish()
    }
}

impl<M: Manager> Checkout<M> {
    /// The work is done and the connection idle: back to the pool.
    pub fn release(mut self) {
        drop(self.0.take());
    }
}

impl<M: Manager> Drop for Checkout<M> {
    fn drop(&mut self) {
        if let Some(object) = self.0.take() {
            // Detached from the pool, the connection closes as it drops.
            drop(Object::take(object));
        }
    }
}

impl<M: Manager> Deref for Checkout<M> {
    type Target = M::Type;

    fn deref(&self) -> &M::Type {
        self.0.as_ref().expect("held until dropped or released")
    }
}

impl<M: Manager> DerefMut for Checkout<M> {
    fn deref_mut(&mut self) -> &mut M::Type {
        self.0.as_mut().expect("held until dropped or released")
    }
}

//! Who is calling, and how fast: every lookup is admitted here before the use case
//! sees it. The credential is checked (401), the caller's own rate limit applied (429),
//! and a client address whose credentials keep failing is slowed down before its
//! credentials are even looked at, so that a flood of bad keys burns neither CPU nor
//! database round trips. Whether the caller may search the company (403) is the use
//! case's rule.
//!
//! Limits are per process: behind a load balancer over K instances, each caller gets up
//! to K times its limit. Behind a load balancer listed in `auth.trusted_proxies`, the
//! client address is the one it forwards.

use std::net::IpAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use actix_web::HttpRequest;
use actix_web::http::header;
use customer_application::{AuthError, Authenticator};
use customer_domain::{Caller, ClientName, Language, RateLimit, RateWindow};
use governor::clock::{Clock, DefaultClock};
use governor::{DefaultDirectRateLimiter, DefaultKeyedRateLimiter, Quota, RateLimiter};
use moka::sync::Cache;

use crate::problem::{ApiError, RateLimited};

/// How callers are admitted.
pub struct AccessControl {
    /// `None`: authentication is off, every request is [`Caller::anonymous`].
    authenticator: Option<Authenticator>,
    default_rate: RateLimit,
    callers: Cache<(ClientName, RateLimit), Arc<DefaultDirectRateLimiter>>,
    failed_rate: RateLimit,
    failures: DefaultKeyedRateLimiter<IpAddr>,
    /// Addresses over their failure budget, and until when.
    blocked: Cache<IpAddr, Instant>,
    /// Peers whose `X-Forwarded-For` names the client (load balancers).
    trusted_proxies: Vec<IpAddr>,
    clock: DefaultClock,
}

impl std::fmt::Debug for AccessControl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AccessControl")
            .field("authentication", &self.authenticator.is_some())
            .field("default_rate", &self.default_rate)
            .field("failed_rate", &self.failed_rate)
            .finish_non_exhaustive()
    }
}

/// Why a request was refused, for the metrics.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// 401.
    Unauthenticated,
    /// 429 after too many failed authentications from one address.
    FailedAuthLimit,
    /// 429 over the caller's own limit.
    CallerLimit(ClientName),
}

/// The most callers, and client addresses, whose limits are kept at once: a flood of
/// made-up names or addresses cannot grow the memory without bound.
const MAX_TRACKED: u64 = 100_000;

/// A caller's limiter is dropped after this long unused.
const CALLER_LIMITER_IDLE: Duration = Duration::from_secs(600);

fn quota(rate: RateLimit) -> Quota {
    match rate.window {
        RateWindow::Second => Quota::per_second(rate.requests),
        RateWindow::Minute => Quota::per_minute(rate.requests),
    }
}

impl AccessControl {
    /// Admission with `authenticator` (`None`: authentication off), callers limited to
    /// `default_rate` unless they have their own, and `failed_rate` failed
    /// authentications per client address.
    pub fn new(
        authenticator: Option<Authenticator>,
        default_rate: RateLimit,
        failed_rate: RateLimit,
    ) -> Self {
        Self {
            authenticator,
            default_rate,
            // Kept while in use: an idle caller's limiter is dropped, and a new one
            // starts with a full bucket, which an idle caller would have anyway.
            callers: Cache::builder()
                .max_capacity(MAX_TRACKED)
                .time_to_idle(CALLER_LIMITER_IDLE)
                .build(),
            failed_rate,
            failures: RateLimiter::keyed(quota(failed_rate)),
            blocked: Cache::builder()
                .max_capacity(MAX_TRACKED)
                .time_to_live(Duration::from_secs(u64::from(failed_rate.window.seconds())))
                .build(),
            trusted_proxies: Vec::new(),
            clock: DefaultClock::default(),
        }
    }

    /// Reads the client's address from `X-Forwarded-For` on requests from these peers
    /// (the load balancers), so that clients behind one do not share its failure budget.
    #[must_use]
    pub fn with_trusted_proxies(mut self, proxies: Vec<IpAddr>) -> Self {
        self.trusted_proxies = proxies;
        self
    }

    /// The client's address: the peer's, or, from a trusted proxy, the last address of
    /// `X-Forwarded-For` that is not itself a trusted proxy (what the first proxy saw;
    /// anything before it, the client may have written).
    pub(crate) fn client_address(&self, req: &HttpRequest) -> Option<IpAddr> {
        let peer = req.peer_addr()?.ip();
        if !self.trusted_proxies.contains(&peer) {
            return Some(peer);
        }
        let forwarded: Vec<&str> = req
            .headers()
            .get_all("x-forwarded-for")
            .filter_map(|value| value.to_str().ok())
            .flat_map(|value| value.split(','))
            .collect();
        for entry in forwarded.iter().rev() {
            match entry.trim().parse::<IpAddr>() {
                Ok(address) if self.trusted_proxies.contains(&address) => {}
                Ok(address) => return Some(address),
                // Not an address: what comes before it cannot be trusted either.
                Err(_) => break,
            }
        }
        Some(peer)
    }

    /// The caller of `req`, once authenticated and within its rate limit.
    ///
    /// # Errors
    /// The [`ApiError`] to answer with, and the [`Refusal`] to count when it is one.
    pub async fn admit(
        &self,
        req: &HttpRequest,
        language: Language,
    ) -> Result<Caller, (ApiError, Option<Refusal>)> {
        let caller = match &self.authenticator {
            None => Caller::anonymous(),
            Some(authenticator) => self.authenticate(authenticator, req, language).await?,
        };
        let rate = caller.profile.rate_limit.unwrap_or(self.default_rate);
        let limiter = self
            .callers
            .get_with((caller.profile.name.clone(), rate), || {
                Arc::new(RateLimiter::direct(quota(rate)))
            });
        if let Err(not_until) = limiter.check() {
            let wait = not_until.wait_time_from(self.clock.now());
            return Err((
                too_many(language, "caller", rate, wait),
                Some(Refusal::CallerLimit(caller.profile.name.clone())),
            ));
        }
        Ok(caller)
    }

    async fn authenticate(
        &self,
        authenticator: &Authenticator,
        req: &HttpRequest,
        language: Language,
    ) -> Result<Caller, (ApiError, Option<Refusal>)> {
        let address = self.client_address(req);
        if let Some(address) = address
            && let Some(until) = self.blocked.get(&address)
        {
            let now = Instant::now();
            if until > now {
                return Err((
                    too_many(language, "failed-auth", self.failed_rate, until - now),
                    Some(Refusal::FailedAuthLimit),
                ));
            }
        }
        let outcome = match authorization(req) {
            Ok(authorization) => authenticator.authenticate(authorization).await,
            Err(error) => Err(error),
        };
        match outcome {
            Ok(caller) => Ok(caller),
            Err(error @ (AuthError::Missing | AuthError::NotBearer | AuthError::Invalid(_))) => {
                if let Some(address) = address
                    && let Err(not_until) = self.failures.check_key(&address)
                {
                    let wait = not_until.wait_time_from(self.clock.now());
                    self.blocked.insert(address, Instant::now() + wait);
                    return Err((
                        too_many(language, "failed-auth", self.failed_rate, wait),
                        Some(Refusal::FailedAuthLimit),
                    ));
                }
                Err((
                    ApiError::from_auth(error, language),
                    Some(Refusal::Unauthenticated),
                ))
            }
            Err(error) => Err((ApiError::from_auth(error, language), None)),
        }
    }

    /// Forgets the failure counts of addresses idle long enough to have a full budget
    /// again; run now and then so that the map does not grow without bound.
    pub fn sweep(&self) {
        self.failures.retain_recent();
        self.failures.shrink_to_fit();
    }
}

/// The request's one `Authorization` header, if any. Several are refused as an invalid
/// credential: which one a proxy, a log or this service reads would be anyone's guess,
/// and a valid one must not vouch for another beside it.
fn authorization(req: &HttpRequest) -> Result<Option<&str>, AuthError> {
    let mut values = req.headers().get_all(header::AUTHORIZATION);
    let first = values.next();
    if values.next().is_some() {
        return Err(AuthError::Invalid(
            "more than one Authorization header".into(),
        ));
    }
    // A value that is not visible ASCII is no bearer credential: a NUL stands for it.
    Ok(first.map(|value| value.to_str().unwrap_or("\u{0}")))
}

fn too_many(language: Language, policy: &'static str, rate: RateLimit, wait: Duration) -> ApiError {
    ApiError::TooManyRequests {
        language,
        limit: RateLimited {
            policy,
            quota: rate.requests.get(),
            window_secs: rate.window.seconds(),
            // Whole seconds, rounded up and at least one: a client that waits that long
            // gets through.
            retry_after_secs: (wait.as_secs() + u64::from(wait.subsec_nanos() > 0)).max(1),
        },
    }
}

//! Log lines that would repeat with every request or batch (an outage, a broken schema, a
//! revoked privilege, a flood of malformed or refused requests), written at most once
//! per interval and key with the count of those left out.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// The most keys remembered at once.
pub const MAX_KEYS: usize = 4096;

/// Remembers when each kind of line was last logged, and how many times it recurred since.
/// At most [`MAX_KEYS`] keys are kept, so that keys made by clients (their addresses)
/// cannot grow it without bound.
#[derive(Debug)]
pub struct RateLimitedLog {
    interval: Duration,
    seen: Mutex<HashMap<String, (Instant, u64)>>,
}

impl RateLimitedLog {
    /// Logs each key at most once per `interval`.
    pub fn new(interval: Duration) -> Self {
        Self {
            interval,
            seen: Mutex::new(HashMap::new()),
        }
    }

    /// Whether the line `key` is to be logged now; if so, with how many times it was
    /// left out since it was last logged.
    pub fn admit(&self, key: &str) -> Option<u64> {
        let now = Instant::now();
        let mut seen = self
            .seen
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        match seen.get_mut(key) {
            Some((last, suppressed)) if now.duration_since(*last) < self.interval => {
                *suppressed += 1;
                None
            }
            Some((last, suppressed)) => {
                let since = *suppressed;
                *last = now;
                *suppressed = 0;
                Some(since)
            }
            None => {
                if seen.len() >= MAX_KEYS {
                    // Keys past their interval would be logged at once anyway; their
                    // counts are lost. Should every key be recent, forgetting them all
                    // costs one more line each.
                    let interval = self.interval;
                    seen.retain(|_, (last, _)| now.duration_since(*last) < interval);
                    if seen.len() >= MAX_KEYS {
                        seen.clear();
                    }
                }
                seen.insert(key.to_owned(), (now, 0));
                Some(0)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_line_is_logged_once_per_interval_with_the_count_since() {
        let log = RateLimitedLog::new(Duration::from_secs(3600));
        assert_eq!(log.admit("a"), Some(0));
        assert_eq!(log.admit("a"), None);
        assert_eq!(log.admit("a"), None);
        assert_eq!(log.admit("b"), Some(0));
        let log = RateLimitedLog::new(Duration::ZERO);
        assert_eq!(log.admit("a"), Some(0));
        assert_eq!(log.admit("a"), Some(0));
    }
}

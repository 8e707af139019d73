//! Log lines that would repeat with every request (an outage, a broken schema, a flood of
//! malformed requests), written at most once per interval and key with the count of
//! those left out.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Remembers when each kind of line was last logged, and how many times it recurred since.
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
                // Bounded: distinct messages are few (one per broken table or privilege).
                if seen.len() >= 1024 {
                    seen.clear();
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

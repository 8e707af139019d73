//! Log lines that would repeat with every request during an outage, written at most once
//! per interval with the count of those left out.

use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

/// At most one line per `every`; the others are counted.
#[derive(Debug)]
pub struct Throttle {
    every: Duration,
    state: Mutex<(Option<Instant>, u64)>,
}

impl Throttle {
    /// A throttle letting one line through per `every`.
    pub const fn new(every: Duration) -> Self {
        Self {
            every,
            state: Mutex::new((None, 0)),
        }
    }

    /// `Some(left_out)` when a line may be written now, with how many were left out
    /// since the last one; `None` when this one is to be left out.
    pub fn admit(&self) -> Option<u64> {
        self.admit_at(Instant::now())
    }

    fn admit_at(&self, now: Instant) -> Option<u64> {
        let mut state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        let (last, left_out) = &mut *state;
        if last.is_some_and(|last| now.duration_since(last) < self.every) {
            *left_out += 1;
            return None;
        }
        *last = Some(now);
        Some(std::mem::take(left_out))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_line_per_interval_with_the_count_left_out() {
        let throttle = Throttle::new(Duration::from_secs(10));
        let start = Instant::now();
        assert_eq!(throttle.admit_at(start), Some(0));
        for second in 1..=5 {
            assert_eq!(throttle.admit_at(start + Duration::from_secs(second)), None);
        }
        assert_eq!(throttle.admit_at(start + Duration::from_secs(10)), Some(5));
        assert_eq!(throttle.admit_at(start + Duration::from_secs(11)), None);
    }
}

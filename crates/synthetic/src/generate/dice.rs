//! The draws of the generator, all from one `ChaCha8` stream.

use chrono::{NaiveDateTime, TimeDelta};
use rand::rngs::ChaCha8Rng;
use rand::{RngExt, SeedableRng};

/// Picks from small tables, weighted or not.
pub(crate) struct Dice(ChaCha8Rng);

impl Dice {
    /// Dice that roll the `ChaCha8` stream of `key`.
    pub(crate) fn from_seed(key: [u8; 32]) -> Self {
        Self(ChaCha8Rng::from_seed(key))
    }

    /// A number below `n` (0 when `n` is 0 or 1).
    pub(crate) fn below(&mut self, n: u32) -> u32 {
        if n <= 1 { 0 } else { self.0.random_range(0..n) }
    }

    /// True with probability `per_mille` / 1000.
    pub(crate) fn chance(&mut self, per_mille: u32) -> bool {
        self.below(1000) < per_mille
    }

    /// One of `items`, each as likely.
    pub(crate) fn pick<T: Copy>(&mut self, items: &[T]) -> T {
        let len = u32::try_from(items.len()).unwrap_or(u32::MAX);
        items[self.below(len) as usize]
    }

    /// One of `items`, by their weights.
    pub(crate) fn weighted<T: Copy>(&mut self, items: &[(T, u32)]) -> T {
        let total: u32 = items.iter().map(|item| item.1).sum();
        let mut roll = self.below(total);
        for &(item, weight) in items {
            if roll < weight {
                return item;
            }
            roll -= weight;
        }
        items[items.len() - 1].0
    }

    /// A number of `digits` random decimal digits (leading zeros allowed).
    pub(crate) fn digits(&mut self, digits: u32) -> u64 {
        self.0.random_range(0..10u64.pow(digits))
    }

    /// A number from `low` to `high`, both included.
    pub(crate) fn between(&mut self, low: i64, high: i64) -> i64 {
        if high <= low {
            low
        } else {
            self.0.random_range(low..=high)
        }
    }

    /// A moment between `from` and `to`, to the second or (one time in four) to the
    /// hundredth of a second.
    pub(crate) fn moment(&mut self, from: NaiveDateTime, to: NaiveDateTime) -> NaiveDateTime {
        let seconds = self.between(0, (to - from).num_seconds());
        let mut at = from + TimeDelta::seconds(seconds);
        if self.chance(250) {
            at += TimeDelta::milliseconds(i64::from(self.below(100)) * 10);
        }
        at.min(to)
    }

    /// `Some(true)` with probability `yes`, `Some(false)` with `no` (per mille), else `None`.
    pub(crate) fn flag(&mut self, yes: u32, no: u32) -> Option<bool> {
        let roll = self.below(1000);
        if roll < yes {
            Some(true)
        } else if roll < yes + no {
            Some(false)
        } else {
            None
        }
    }
}

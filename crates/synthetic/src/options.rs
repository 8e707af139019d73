//! What to generate, what is reported on the way, and what was added.

use std::time::Duration;

/// The seed used when none is given.
pub const DEFAULT_SYNTHETIC_SEED: u64 = 42;

/// What to generate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyntheticOptions {
    /// How many customers to add.
    pub customers: u64,
    /// The seed of the generator: the same seed on the same database gives the same data.
    pub seed: u64,
    /// Whether to drop the secondary indexes (and, on PostgreSQL, the foreign keys) of the
    /// customer tables before loading and create them again after; `None`: only for a
    /// load of at least 100,000 customers into a database holding at most 4 times as many
    /// (measured: rows go in 3 to 5 times faster without the indexes, and rebuilding them
    /// takes about 30 s per million customers stored on PostgreSQL).
    pub rebuild_indexes: Option<bool>,
}

impl SyntheticOptions {
    /// `customers` customers from the default seed, with the automatic choices.
    pub fn new(customers: u64) -> Self {
        Self {
            customers,
            seed: DEFAULT_SYNTHETIC_SEED,
            rebuild_indexes: None,
        }
    }
}

/// What [`seed_synthetic`](crate::seed_synthetic) reports while it works.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum SyntheticProgress {
    /// A step other than writing rows has started (dropping or creating indexes,
    /// analysing...).
    Step(String),
    /// Rows written so far (about every 5 % of the customers, and at the end).
    Written {
        /// Customers written so far.
        customers: u64,
        /// Customers to write in all.
        total: u64,
        /// Rows of all tables written so far.
        rows: u64,
        /// Time since the first batch started.
        elapsed: Duration,
    },
}

/// What [`seed_synthetic`](crate::seed_synthetic) added.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyntheticSummary {
    /// Customers added.
    pub customers: u64,
    /// Customer versions added.
    pub versions: u64,
    /// Contacts added.
    pub contacts: u64,
    /// References added.
    pub references: u64,
    /// The first and last customer ids added (`None` when none was).
    pub customer_ids: Option<(i64, i64)>,
    /// Whether the secondary indexes were dropped and created again.
    pub indexes_rebuilt: bool,
    /// Time spent writing rows.
    pub load_time: Duration,
    /// Time of the whole seed, indexes and statistics included.
    pub total_time: Duration,
}

impl SyntheticSummary {
    /// Rows added to the four customer tables.
    pub fn rows(&self) -> u64 {
        self.customers + self.versions + self.contacts + self.references
    }
}

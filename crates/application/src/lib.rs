//! The customer search use case: takes the parameters of a lookup as they arrive,
//! applies every rule of the contract, reports all problems at once, and asks the ports
//! only for valid input. Internal crates that already hold validated values call
//! [`CustomerSearch::find`] directly (see `examples/in_memory.rs`).

#![warn(missing_docs)]

mod messages;
mod params;
mod search;
mod validation;

pub use messages::Message;
pub use params::{Param, RawSearchParams};
pub use search::{CustomerSearch, SearchError, SearchOutcome};
pub use validation::{Problem, ValidationErrors};

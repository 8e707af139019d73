//! The customer search use case: takes the parameters of a lookup as they arrive,
//! applies every rule of the contract, reports all problems at once, and asks the ports
//! only for valid input.

mod messages;
mod params;
mod search;
mod validation;

pub use params::{Param, RawSearchParams};
pub use search::{CustomerSearch, SearchError, SearchOutcome};
pub use validation::{Problem, ValidationErrors};

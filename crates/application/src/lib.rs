//! The use cases of the customer lookup service, written against the domain ports.
//!
//! - The search ([`CustomerSearch`]): takes the parameters of a lookup as they arrive,
//!   applies every rule of the contract, reports all problems at once, checks that the
//!   caller may search the company, asks the ports only for valid input, and records
//!   the answer in the audit trail. Internal crates that already hold validated values
//!   call [`CustomerSearch::find`] directly (see `examples/in_memory.rs`).
//! - Access ([`access`]): who is calling ([`Authenticator`]) and the management of
//!   callers and their API keys ([`ClientAdmin`]).
//! - The companies of the group ([`CompanyAdmin`]): adding them and renaming them.
//! - The audit trail ([`audit`]): keyed hashes of searched values under the one key the
//!   lookup and the queries share ([`audit::AuditKey`]), the group-commit writer, and
//!   the queries a data protection officer asks ([`AuditQueries`]).
//! - Customer documents ([`documents`]): customers as files and the core systems write
//!   them, read with every problem at once, and the import that applies them.
//! - Log lines that would repeat with every request or batch, written at most once per
//!   interval ([`RateLimitedLog`]).

#![warn(missing_docs)]

pub mod access;
pub mod audit;
pub mod companies;
pub mod documents;
pub mod log_throttle;
mod messages;
mod params;
mod search;
mod validation;

pub use access::{AuthError, Authenticator, ClientAdmin};
pub use audit::AuditQueries;
pub use companies::{CompanyAdmin, CompanyAdminError};
pub use documents::{CustomerImport, DocumentErrors, DocumentProblem};
pub use log_throttle::RateLimitedLog;
pub use messages::Message;
pub use params::{Param, RawSearchParams};
pub use search::{CustomerSearch, SearchError, SearchOutcome};
pub use validation::{Problem, ValidationErrors};

//! The audit trail of disclosures: keyed hashes of what was searched (and the one
//! choice of their key), the writer that commits records in groups, and the queries.

mod digest;
mod key;
mod queries;
mod writer;

pub use digest::{CriteriaHasher, random_audit_key};
pub use key::{AuditKey, AuditKeyError};
pub use queries::{AuditQueries, AuditQueryError};
pub use writer::{
    ASYNC_GATHERING, AuditCounters, AuditError, AuditMode, AuditWriter, AuditWriterSettings,
    AuditWriterTask,
};

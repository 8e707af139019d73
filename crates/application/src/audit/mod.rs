//! The audit trail of disclosures: keyed hashes of what was searched, and the writer
//! that commits records in groups.

mod digest;
mod queries;
mod writer;

pub use digest::{CriteriaHasher, random_audit_key};
pub use queries::{AuditQueries, AuditQueryError};
pub use writer::{
    AuditCounters, AuditError, AuditMode, AuditWriter, AuditWriterSettings, AuditWriterTask,
};

//! The rules of the use cases, over mocked ports: access (who is calling, the management
//! of callers and keys), the audit trail, authorization, customer documents (reading,
//! import and export), and the search. One test binary:
//! one link, not one per file.

mod access;
mod audit;
mod authorization;
mod documents;
mod history;
mod search;

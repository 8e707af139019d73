//! The rules of the use cases, over mocked ports: access (who is calling, the management
//! of callers and keys), the audit trail, authorization, and the search. One test binary:
//! one link, not one per file.

mod access;
mod audit;
mod authorization;
mod history;
mod search;

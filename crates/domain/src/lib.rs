//! The customer lookup domain: who a customer is, the identifiers a customer can be
//! looked up by, and the ports through which customers and companies are found.
//!
//! This crate depends on no framework and no database: other internal crates reuse it
//! as a library. Every value type here can only hold a valid value; its `parse`
//! constructor says which rule an input breaks.

#![warn(missing_docs)]

mod company;
mod criteria;
mod customer;
mod digits;
mod identifiers;
mod language;
mod ports;
mod violation;

pub use company::{CompanyCode, CompanyId};
pub use criteria::{CriteriaError, SearchCriteria};
pub use customer::{Coded, Contact, Customer, LocalizedName};
pub use identifiers::{CustomerId, IdentificationNumber, MobileNumber, ReferenceNumber};
pub use language::Language;
pub use ports::{CompanyDirectory, CustomerRepository, RepositoryError};
#[cfg(feature = "mocks")]
pub use ports::{MockCompanyDirectory, MockCustomerRepository};
pub use violation::{InvalidValue, Violation};

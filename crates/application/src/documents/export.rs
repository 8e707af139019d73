//! Reading a company's customers back as documents: every version of each customer,
//! oldest first, with a close between versions where the customer was closed, a page
//! of customers at a time so that memory stays flat in the number of customers.

use std::collections::BTreeSet;
use std::sync::Arc;

use chrono::{DateTime, NaiveDateTime, Utc};
use customer_domain::{
    CompanyCode, CompanyDirectory, Customer, CustomerExport, CustomerId, CustomerTimeline,
    ReferenceNumber, RepositoryError,
};

/// Customers read per page.
const PAGE: usize = 500;

/// One entry of an export, in the order it is written.
#[derive(Debug, Clone, Copy)]
pub enum ExportEntry<'a> {
    /// A version of a customer, with the references it held.
    Version {
        /// The version, with its contacts.
        customer: &'a Customer,
        /// The references it held.
        references: &'a BTreeSet<ReferenceNumber>,
    },
    /// The customer was closed at `at` (its latest version ended, and no other
    /// followed at once).
    Closed {
        /// The customer.
        customer_id: CustomerId,
        /// When it was closed.
        at: NaiveDateTime,
    },
}

/// How much an export wrote.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ExportSummary {
    /// Customers written.
    pub customers: u64,
    /// Versions written.
    pub versions: u64,
    /// Closes written.
    pub closes: u64,
}

/// Why an export stopped.
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    /// No company has the code.
    #[error("no company has the code {0}")]
    UnknownCompany(String),
    /// The store failed.
    #[error(transparent)]
    Store(#[from] RepositoryError),
    /// An entry could not be written.
    #[error("cannot write the export: {0}")]
    Write(#[source] std::io::Error),
}

/// Exports customers through the [`CustomerExport`] port.
#[derive(Clone)]
pub struct CustomerExporter {
    store: Arc<dyn CustomerExport>,
    companies: Arc<dyn CompanyDirectory>,
}

impl std::fmt::Debug for CustomerExporter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CustomerExporter").finish_non_exhaustive()
    }
}

impl CustomerExporter {
    /// An export over the given ports.
    pub fn new(store: Arc<dyn CustomerExport>, companies: Arc<dyn CompanyDirectory>) -> Self {
        Self { store, companies }
    }

    /// Gives `write` every entry of `company`'s customers, by customer id, each
    /// customer's versions oldest first (only what was known at `as_of`, when given).
    ///
    /// # Errors
    /// [`ExportError::UnknownCompany`], [`ExportError::Store`], or
    /// [`ExportError::Write`] when `write` fails; what was written stays written.
    pub async fn export(
        &self,
        company: &CompanyCode,
        as_of: Option<DateTime<Utc>>,
        mut write: impl FnMut(ExportEntry<'_>) -> std::io::Result<()>,
    ) -> Result<ExportSummary, ExportError> {
        let Some(company_id) = self.companies.resolve(company).await? else {
            return Err(ExportError::UnknownCompany(company.as_str().to_owned()));
        };
        let mut summary = ExportSummary::default();
        let mut after = None;
        loop {
            let page = self.store.timelines(company_id, after, PAGE, as_of).await?;
            for timeline in &page.timelines {
                write_timeline(timeline, &mut summary, &mut write).map_err(ExportError::Write)?;
            }
            match page.last {
                Some(last) => after = Some(last),
                None => return Ok(summary),
            }
        }
    }
}

/// The entries of one customer: each version, and a close after a version that ended
/// without another beginning at that moment.
fn write_timeline(
    timeline: &CustomerTimeline,
    summary: &mut ExportSummary,
    write: &mut impl FnMut(ExportEntry<'_>) -> std::io::Result<()>,
) -> std::io::Result<()> {
    summary.customers += 1;
    let versions = &timeline.versions;
    for (index, (customer, references)) in versions.iter().enumerate() {
        write(ExportEntry::Version {
            customer,
            references,
        })?;
        summary.versions += 1;
        let next_start = versions.get(index + 1).map(|(next, _)| next.start_date);
        if let Some(end) = customer.end_date
            && next_start != Some(end)
        {
            write(ExportEntry::Closed {
                customer_id: timeline.customer_id,
                at: end,
            })?;
            summary.closes += 1;
        }
    }
    Ok(())
}

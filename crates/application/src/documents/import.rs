//! Applying customer documents: lines of JSON Lines read, checked and written in batches,
//! each batch one transaction, with a report of what each line did.

use std::sync::Arc;

use chrono::{DateTime, FixedOffset, Utc};
use customer_domain::{
    Clock, CodeBook, CompanyCode, CustomerId, CustomerWriter, PendingChange, RepositoryError,
    WriteOutcome,
};

use super::problems::{DocumentErrors, DocumentProblem};
use super::read::{DocumentContext, read_line};

/// One line of an import: its number in the file (from 1) and its text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportLine {
    /// The line's number, from 1.
    pub number: u64,
    /// The line, without its end.
    pub text: String,
}

/// What became of one line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LineResult {
    /// The change was applied (or, in a dry run, would have been).
    Applied(WriteOutcome),
    /// The line was not applied, for these problems.
    Rejected(DocumentErrors),
}

/// One line's report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LineReport {
    /// The line's number, from 1.
    pub number: u64,
    /// The customer the line is about, when it could be read.
    pub customer_id: Option<CustomerId>,
    /// The company of that customer.
    pub company: Option<CompanyCode>,
    /// What became of it.
    pub result: LineResult,
}

/// How many lines did what.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ImportSummary {
    /// Lines read, blank ones aside.
    pub read: u64,
    /// Customers created (first version, or first after a close).
    pub created: u64,
    /// Customers given a new version.
    pub changed: u64,
    /// Lines that matched the current version: nothing written.
    pub unchanged: u64,
    /// Customers closed.
    pub closed: u64,
    /// Lines not applied.
    pub rejected: u64,
}

impl ImportSummary {
    /// Counts `reports` in.
    pub fn add(&mut self, reports: &[LineReport]) {
        for report in reports {
            self.read += 1;
            match &report.result {
                LineResult::Applied(WriteOutcome::Created(_)) => self.created += 1,
                LineResult::Applied(WriteOutcome::Changed(_)) => self.changed += 1,
                LineResult::Applied(WriteOutcome::Unchanged(_)) => self.unchanged += 1,
                LineResult::Applied(WriteOutcome::Closed { .. }) => self.closed += 1,
                LineResult::Applied(WriteOutcome::Refused(_)) | LineResult::Rejected(_) => {
                    self.rejected += 1;
                }
            }
        }
    }
}

/// Reads customer documents and writes them through a [`CustomerWriter`].
#[derive(Clone)]
pub struct CustomerImport {
    writer: Arc<dyn CustomerWriter>,
    clock: Arc<dyn Clock>,
    local_offset: FixedOffset,
}

impl std::fmt::Debug for CustomerImport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CustomerImport")
            .field("local_offset", &self.local_offset)
            .finish_non_exhaustive()
    }
}

impl CustomerImport {
    /// An import through `writer`; times given with an offset are stored as local times
    /// of `local_offset`, and effective times may not be later than `clock`'s now.
    pub fn new(
        writer: Arc<dyn CustomerWriter>,
        clock: Arc<dyn Clock>,
        local_offset: FixedOffset,
    ) -> Self {
        Self {
            writer,
            clock,
            local_offset,
        }
    }

    /// The codes and companies to check documents against, read once per import: they
    /// change only by migrations and `companies add`.
    ///
    /// # Errors
    /// When the store fails.
    pub async fn code_book(&self) -> Result<CodeBook, RepositoryError> {
        self.writer.code_book().await
    }

    /// Reads every line of `lines` and writes the valid ones in one transaction (rolled
    /// back when `dry_run`): a report per line, in order. Blank lines are skipped.
    ///
    /// # Errors
    /// When the store fails: then nothing of the batch is written.
    pub async fn apply_batch(
        &self,
        book: &CodeBook,
        lines: &[ImportLine],
        dry_run: bool,
    ) -> Result<Vec<LineReport>, RepositoryError> {
        self.apply_batch_filtered(book, lines, dry_run, &|_| true)
            .await
    }

    /// [`Self::apply_batch`], rejecting the lines of companies `permitted` refuses.
    ///
    /// # Errors
    /// As [`Self::apply_batch`].
    pub async fn apply_batch_filtered(
        &self,
        book: &CodeBook,
        lines: &[ImportLine],
        dry_run: bool,
        permitted: &(dyn Fn(&CompanyCode) -> bool + Sync),
    ) -> Result<Vec<LineReport>, RepositoryError> {
        let batch = self.check_batch(book, lines, permitted);
        self.write_checked(batch, dry_run).await
    }

    /// Reads and checks every line of `lines`, rejecting those of companies `permitted`
    /// refuses, without writing: the first half of [`Self::apply_batch_filtered`], which
    /// needs no database, so that an import can check the next batch while the writer
    /// writes this one. Undated changes take effect at the clock's now, read here.
    pub fn check_batch(
        &self,
        book: &CodeBook,
        lines: &[ImportLine],
        permitted: &(dyn Fn(&CompanyCode) -> bool + Sync),
    ) -> CheckedBatch {
        let now = self.clock.now();
        let context = DocumentContext {
            book,
            now,
            local_offset: self.local_offset,
        };
        let mut reports = Vec::with_capacity(lines.len());
        let mut changes = Vec::with_capacity(lines.len());
        let mut applied = Vec::with_capacity(lines.len());
        for line in lines.iter().filter(|line| !line.text.trim().is_empty()) {
            match read_line(&line.text, &context) {
                Ok(change) => {
                    let (company, customer_id) = change.customer();
                    let code = book.code_of(company).cloned();
                    if !code.as_ref().is_some_and(permitted) {
                        reports.push(LineReport {
                            number: line.number,
                            customer_id: Some(customer_id),
                            company: code,
                            result: LineResult::Rejected(DocumentErrors::single(
                                "companyCode",
                                DocumentProblem::NotPermitted,
                            )),
                        });
                        continue;
                    }
                    applied.push(reports.len());
                    reports.push(LineReport {
                        number: line.number,
                        customer_id: Some(customer_id),
                        company: code,
                        result: LineResult::Rejected(DocumentErrors::default()),
                    });
                    changes.push(PendingChange {
                        change,
                        expected: None,
                    });
                }
                Err(errors) => reports.push(LineReport {
                    number: line.number,
                    customer_id: None,
                    company: None,
                    result: LineResult::Rejected(errors),
                }),
            }
        }
        CheckedBatch {
            now,
            reports,
            changes,
            applied,
        }
    }

    /// Writes the changes of a [`CheckedBatch`] in one transaction (rolled back when
    /// `dry_run`): a report per line, in order.
    ///
    /// # Errors
    /// When the store fails: then nothing of the batch is written.
    pub async fn write_checked(
        &self,
        batch: CheckedBatch,
        dry_run: bool,
    ) -> Result<Vec<LineReport>, RepositoryError> {
        let CheckedBatch {
            now,
            mut reports,
            changes,
            applied,
        } = batch;
        if !changes.is_empty() {
            let outcomes = self.writer.apply(changes, now, dry_run).await?;
            for (index, outcome) in applied.into_iter().zip(outcomes) {
                reports[index].result = match outcome {
                    WriteOutcome::Refused(refusal) => LineResult::Rejected(DocumentErrors::single(
                        refusal_field(&refusal),
                        DocumentProblem::Refused(refusal),
                    )),
                    outcome => LineResult::Applied(outcome),
                };
            }
        }
        Ok(reports)
    }
}

/// A batch of lines read and checked by [`CustomerImport::check_batch`], not yet written.
#[derive(Debug)]
pub struct CheckedBatch {
    now: DateTime<Utc>,
    /// A report per line; those of the changes are completed by the write.
    reports: Vec<LineReport>,
    changes: Vec<PendingChange>,
    /// The index in `reports` of each change.
    applied: Vec<usize>,
}

impl CheckedBatch {
    /// How many lines it holds, blank ones aside.
    #[must_use]
    pub fn len(&self) -> usize {
        self.reports.len()
    }

    /// Whether it holds no line but blank ones.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.reports.is_empty()
    }
}

/// The field a refusal is reported under.
pub(crate) fn refusal_field(refusal: &customer_domain::WriteRefusal) -> &'static str {
    use customer_domain::WriteRefusal as R;
    match refusal {
        R::NotFound | R::VersionMismatch { .. } => "customerId",
        R::NotAfterCurrent { .. } => "startDate",
    }
}

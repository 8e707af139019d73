//! Customer documents: the shape in which customers are written (files, the write API)
//! and exported, read with every problem reported at once, and the import that writes
//! them through the [`CustomerWriter`](customer_domain::CustomerWriter) port.

mod export;
mod import;
mod problems;
mod read;
mod write;

pub use export::{CustomerExporter, ExportEntry, ExportError, ExportSummary};
pub use import::{CheckedBatch, CustomerImport, ImportLine, ImportSummary, LineReport, LineResult};
pub use problems::{DocumentErrors, DocumentProblem};
pub use read::{Addressed, DocumentContext, MAX_TEXT_LEN, parse_date_time, read_change, read_line};
pub use write::{CustomerWrites, WriteError, Written};

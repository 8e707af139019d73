//! `customer-api import` and `customer-api export`: customers in and out as JSON Lines,
//! one customer document per line (`docs/customer-documents.md`).
//!
//! The import reads lines on a thread of its own while the previous batch is written,
//! applies each batch in one transaction (a crash loses no committed batch, and running
//! a dated file, such as an export, again completes it: applied lines are then
//! unchanged), reports every rejected line with all its problems on standard output,
//! and its progress on stderr. Into tables that hold no customer yet, it is an initial
//! load instead ([`InitialLoad`]): one transaction, the lookups' indexes built at the
//! end, nothing committed unless all of it is.

use std::io::{BufRead, BufReader, IsTerminal as _, Read, Write as _};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use clap::Args;
use customer_application::documents::{
    CustomerExporter, CustomerImport, ExportEntry, ImportLine, ImportSummary, LineReport,
    LineResult,
};
use customer_domain::CustomerWriter;
use customer_domain::{CompanyCode, Language, SystemClock};
use customer_infrastructure::{InitialLoad, SqlCustomerStore};
use customer_web::{ClosingJson, CustomerDocumentJson};
use indicatif::{ProgressBar, ProgressStyle};
use tokio::sync::mpsc;

use super::{CliError, open_database};
use crate::Settings;

/// `customer-api import`.
#[derive(Debug, Args)]
pub struct ImportCommand {
    /// The JSON Lines file to read; `-` reads standard input.
    file: PathBuf,
    /// Check every line against the database and report what it would do, writing
    /// nothing (each batch is applied, then rolled back).
    #[arg(long)]
    dry_run: bool,
    /// Commit batch by batch even into tables that hold no customer yet (by default,
    /// such an import is one transaction, with the lookups' indexes built at its end).
    #[arg(long)]
    no_initial_load: bool,
    /// Lines per transaction (per savepoint in an initial load).
    #[arg(long, default_value_t = 1000, value_parser = clap::value_parser!(u32).range(1..=100_000))]
    batch_size: u32,
    /// The language of the problems reported (`en` or `ar`).
    #[arg(long, default_value = "en", value_parser = parse_language)]
    lang: Language,
}

/// `customer-api export`.
#[derive(Debug, Args)]
pub struct ExportCommand {
    /// The code of the company whose customers to export.
    #[arg(long, value_name = "CODE")]
    company: String,
    /// Only what was known at this moment (RFC 3339, e.g. `2025-01-01T00:00:00Z`).
    #[arg(long, value_name = "TIMESTAMP", value_parser = parse_moment)]
    as_of: Option<DateTime<Utc>>,
    /// The language of the names next to coded values (`en` or `ar`).
    #[arg(long, default_value = "en", value_parser = parse_language)]
    lang: Language,
}

fn parse_language(input: &str) -> Result<Language, String> {
    Language::parse(input).map_err(|_| "must be ar or en".to_owned())
}

fn parse_moment(input: &str) -> Result<DateTime<Utc>, String> {
    DateTime::parse_from_rfc3339(input)
        .map(|at| at.with_timezone(&Utc))
        .map_err(|_| "must be RFC 3339 with an offset, e.g. 2025-01-01T00:00:00Z".to_owned())
}

/// The versions written before the tables' statistics are first refreshed, and how
/// much they grow before each next refresh: the plans of a batch's statements stay
/// those of the tables' size (see `SqlCustomerStore::refresh_statistics`).
const FIRST_ANALYSIS: u64 = 10_000;
const ANALYSIS_GROWTH: u64 = 2;
/// Batches of lines read ahead of the writer.
const BATCHES_AHEAD: usize = 2;
/// How often progress is written as a plain line when stderr is not a terminal.
const PLAIN_PROGRESS_EVERY: Duration = Duration::from_secs(5);

/// Runs `customer-api import`.
///
/// # Errors
/// [`CliError::Rejected`] when some lines were rejected (the others are applied), or
/// the error that stopped the import; committed batches stay committed.
pub async fn import(command: ImportCommand, settings: &Settings) -> Result<(), CliError> {
    let (input, size): (Box<dyn Read + Send>, Option<u64>) = if command.file.as_os_str() == "-" {
        (Box::new(std::io::stdin()), None)
    } else {
        let file = std::fs::File::open(&command.file)
            .map_err(|error| CliError::Input(format!("{}: {error}", command.file.display())))?;
        let size = file.metadata().ok().map(|m| m.len());
        (Box::new(file), size)
    };
    let db = open_database(settings).await?;
    let store = Arc::new(
        SqlCustomerStore::new(db, settings.database.reference_ttl)
            .with_local_time_offset(settings.database.local_time_offset),
    );
    let initial = begin_initial_load(&store, &command).await?;
    let writer: Arc<dyn CustomerWriter> = match &initial {
        Some(load) => load.clone(),
        None => store.clone(),
    };
    let import = CustomerImport::new(
        writer,
        Arc::new(SystemClock),
        settings.database.local_time_offset,
    );
    let book = import
        .code_book()
        .await
        .map_err(|e| CliError::Store(e.to_string()))?;
    let (sender, mut batches) = mpsc::channel(BATCHES_AHEAD);
    let batch_size = command.batch_size as usize;
    // Lines are read and checked on a thread of their own, a batch or two ahead of the
    // writer: the JSON and the rules cost about as much as the database's work.
    let checker = import.clone();
    let reader = std::thread::spawn(move || {
        read_batches(input, batch_size, &sender, |lines| {
            checker.check_batch(&book, lines, &|_| true)
        })
    });
    let mut progress = Progress::new(size);
    let mut summary = ImportSummary::default();
    let mut out = std::io::stdout().lock();
    let mut next_analysis = FIRST_ANALYSIS;
    while let Some((batch, lines, bytes)) = batches.recv().await {
        let reports = import
            .write_checked(batch, command.dry_run)
            .await
            .map_err(|error| batch_failed(&error, initial.is_some()))?;
        for report in &reports {
            if let LineResult::Rejected(_) = report.result {
                writeln!(out, "{}", rejection_text(report, command.lang))?;
            }
        }
        summary.add(&reports);
        progress.advance(lines, bytes);
        let written = summary.created + summary.changed;
        if written >= next_analysis && !command.dry_run {
            match &initial {
                Some(load) => load.refresh_statistics().await,
                None => store.refresh_statistics().await,
            }
            .map_err(|e| CliError::Store(e.to_string()))?;
            // An initial load refreshes them once: the plans then chosen (index scans of
            // the indexes it keeps) stay right as the tables grow, and each `ANALYZE`
            // inside its transaction costs more (1.8 s of 10 s at 30,000 lines).
            next_analysis = match initial {
                Some(_) => u64::MAX,
                None => written.saturating_mul(ANALYSIS_GROWTH),
            };
        }
    }
    let read = reader
        .join()
        .map_err(|_| CliError::Input("the reading thread failed".to_owned()))?;
    progress.finish();
    read.map_err(|error| CliError::Input(error.to_string()))?;
    if let Some(load) = initial {
        drop(import);
        finish_initial_load(load).await?;
    }
    writeln!(
        out,
        "{}{}",
        summary_text(&summary, progress.started.elapsed()),
        if command.dry_run {
            " (dry run: nothing was written)"
        } else {
            ""
        }
    )?;
    if summary.rejected > 0 {
        return Err(CliError::Rejected(summary.rejected));
    }
    Ok(())
}

/// An initial load of `store`, unless the command says otherwise or a customer is
/// stored; said on stderr.
async fn begin_initial_load(
    store: &Arc<SqlCustomerStore>,
    command: &ImportCommand,
) -> Result<Option<Arc<InitialLoad>>, CliError> {
    if command.dry_run || command.no_initial_load {
        return Ok(None);
    }
    let load = InitialLoad::begin(store.clone())
        .await
        .map_err(|e| CliError::Store(e.to_string()))?;
    if let Some(load) = &load {
        eprintln!(
            "No customer is stored yet: an initial load, in one transaction, with {} \
             built at its end (--no-initial-load commits batch by batch). Lookups and \
             writes wait until it commits.",
            load.rebuilt()
        );
    }
    Ok(load.map(Arc::new))
}

/// The error of a batch the store failed to write; in an initial load, nothing of the
/// import was committed.
fn batch_failed(error: &impl std::fmt::Display, initial_load: bool) -> CliError {
    if initial_load {
        CliError::Store(format!("{error} (an initial load: nothing was committed)"))
    } else {
        CliError::Store(error.to_string())
    }
}

/// Builds what the initial load dropped and commits it, said on stderr.
async fn finish_initial_load(load: Arc<InitialLoad>) -> Result<(), CliError> {
    let load = Arc::into_inner(load).expect("the import was the load's only other holder");
    eprintln!("Building {}, then committing...", load.rebuilt());
    let building = Instant::now();
    load.finish()
        .await
        .map_err(|e| CliError::Store(e.to_string()))?;
    eprintln!("Committed in {:.1} s.", building.elapsed().as_secs_f64());
    Ok(())
}

/// Reads `input` in batches of `size` lines and sends each as `check` makes it, with the
/// lines and bytes it held; stops at the end of input, at a read error (returned), or
/// when the receiver is gone.
fn read_batches<T>(
    input: Box<dyn Read + Send>,
    size: usize,
    sender: &mpsc::Sender<(T, u64, u64)>,
    check: impl Fn(&[ImportLine]) -> T,
) -> std::io::Result<()> {
    let mut input = BufReader::with_capacity(1 << 20, input);
    let mut batch = Vec::with_capacity(size);
    let mut bytes = 0;
    let mut number = 0;
    let mut buffer = Vec::new();
    loop {
        buffer.clear();
        let read = input.read_until(b'\n', &mut buffer)?;
        if read == 0 {
            break;
        }
        number += 1;
        bytes += read as u64;
        while buffer.last().is_some_and(|b| *b == b'\n' || *b == b'\r') {
            buffer.pop();
        }
        // A line that is not UTF-8 cannot be JSON: it is kept, to be reported as such.
        let text = String::from_utf8(std::mem::take(&mut buffer))
            .unwrap_or_else(|_| "\u{fffd}".to_owned());
        batch.push(ImportLine { number, text });
        if batch.len() == size {
            let lines = batch.len() as u64;
            if sender.blocking_send((check(&batch), lines, bytes)).is_err() {
                return Ok(());
            }
            batch.clear();
            bytes = 0;
        }
    }
    if !batch.is_empty() {
        let lines = batch.len() as u64;
        let _ = sender.blocking_send((check(&batch), lines, bytes));
    }
    Ok(())
}

/// `line 12 (customer 7): mobileNumber: must start with 5; ...`.
fn rejection_text(report: &LineReport, language: Language) -> String {
    let LineResult::Rejected(errors) = &report.result else {
        return String::new();
    };
    let problems: Vec<String> = errors
        .iter()
        .map(|(field, problems)| {
            let texts: Vec<String> = problems
                .iter()
                .map(|p| p.message_for(field).text(language).into_owned())
                .collect();
            if field.is_empty() {
                texts.join(", ")
            } else {
                format!("{field}: {}", texts.join(", "))
            }
        })
        .collect();
    match report.customer_id {
        Some(id) => format!(
            "line {} (customer {id}): {}",
            report.number,
            problems.join("; ")
        ),
        None => format!("line {}: {}", report.number, problems.join("; ")),
    }
}

fn summary_text(summary: &ImportSummary, elapsed: Duration) -> String {
    let rate = rate(summary.read, elapsed);
    format!(
        "read {}, created {}, changed {}, unchanged {}, closed {}, rejected {} in {:.1} s ({rate} lines/s)",
        summary.read,
        summary.created,
        summary.changed,
        summary.unchanged,
        summary.closed,
        summary.rejected,
        elapsed.as_secs_f64(),
    )
}

#[expect(
    clippy::cast_precision_loss,
    clippy::cast_possible_truncation,
    clippy::cast_sign_loss,
    reason = "a rate shown to people"
)]
fn rate(count: u64, elapsed: Duration) -> u64 {
    (count as f64 / elapsed.as_secs_f64().max(1e-3)) as u64
}

/// Progress on stderr: a bar on a terminal, a plain line every few seconds otherwise.
struct Progress {
    bar: Option<ProgressBar>,
    started: Instant,
    last_line: Instant,
    lines: u64,
}

impl Progress {
    fn new(size: Option<u64>) -> Self {
        let bar = std::io::stderr().is_terminal().then(|| {
            let bar = size.map_or_else(ProgressBar::new_spinner, ProgressBar::new);
            let template = if size.is_some() {
                "{bar:40} {bytes}/{total_bytes} {msg} ({eta} left)"
            } else {
                "{spinner} {bytes} {msg}"
            };
            if let Ok(style) = ProgressStyle::with_template(template) {
                bar.set_style(style);
            }
            bar
        });
        Self {
            bar,
            started: Instant::now(),
            last_line: Instant::now(),
            lines: 0,
        }
    }

    fn advance(&mut self, lines: u64, bytes: u64) {
        self.lines += lines;
        let rate = rate(self.lines, self.started.elapsed());
        match &self.bar {
            Some(bar) => {
                bar.inc(bytes);
                bar.set_message(format!("{} lines, {rate} lines/s", self.lines));
            }
            None if self.last_line.elapsed() >= PLAIN_PROGRESS_EVERY => {
                self.last_line = Instant::now();
                eprintln!("customer-api: import: {} lines, {rate} lines/s", self.lines);
            }
            None => {}
        }
    }

    fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}

/// Runs `customer-api export`: every entry on standard output, one per line.
///
/// # Errors
/// When the company is unknown, the store fails or standard output is closed.
pub async fn export(command: ExportCommand, settings: &Settings) -> Result<(), CliError> {
    let company = CompanyCode::parse(&command.company)
        .map_err(|_| CliError::Input(format!("no company has the code {}", command.company)))?;
    let db = open_database(settings).await?;
    let store = Arc::new(
        SqlCustomerStore::new(db, settings.database.reference_ttl)
            .with_local_time_offset(settings.database.local_time_offset),
    );
    let exporter = CustomerExporter::new(store.clone(), store);
    let started = Instant::now();
    let mut out = std::io::BufWriter::with_capacity(1 << 20, std::io::stdout().lock());
    let code = company.as_str();
    let summary = exporter
        .export(&company, command.as_of, |entry| {
            match entry {
                ExportEntry::Version {
                    customer,
                    references,
                } => serde_json::to_writer(
                    &mut out,
                    &CustomerDocumentJson::new(
                        customer,
                        code,
                        references
                            .iter()
                            .map(customer_domain::ReferenceNumber::as_str),
                        command.lang,
                    ),
                ),
                ExportEntry::Closed { customer_id, at } => {
                    serde_json::to_writer(&mut out, &ClosingJson::new(code, customer_id.get(), at))
                }
            }
            .map_err(std::io::Error::from)?;
            out.write_all(b"\n")
        })
        .await
        .map_err(|error| CliError::Input(error.to_string()))?;
    out.flush()?;
    eprintln!(
        "customer-api: export: {} customers, {} versions, {} closes in {:.1} s",
        summary.customers,
        summary.versions,
        summary.closes,
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

//! `customer-synthetic`: loads synthetic customers into a database of the service, for
//! load tests, benchmarks and demonstrations at scale. A tool of its own, kept out of the
//! service's binary.

use std::process::ExitCode;
use std::time::{Duration, Instant};

use clap::Parser;
use customer_infrastructure::{Database, DatabaseUrl, PoolSettings, run_migrations};
use customer_synthetic::{
    DEFAULT_SYNTHETIC_SEED, SyntheticOptions, SyntheticProgress, seed_synthetic,
};

/// Adds N realistic synthetic customers (individuals and companies, Arabic and English
/// names, 1-3 versions, contacts, references) over companies 1-5, after applying the
/// migrations. Deterministic: the same seed on the same database gives the same rows. Ids
/// continue after the largest stored, so it adds to the demo data, and running it again
/// adds N more customers.
#[derive(Debug, Parser)]
#[command(name = "customer-synthetic", version)]
struct Cli {
    /// How many customers to add.
    #[arg(long, value_parser = clap::value_parser!(u64).range(1..))]
    customers: u64,
    /// Seed of the generator.
    #[arg(long, default_value_t = DEFAULT_SYNTHETIC_SEED)]
    seed: u64,
    /// Drop the secondary indexes (and PostgreSQL foreign keys) of the customer tables
    /// before loading and create them after (`true`), or keep them (`false`); default:
    /// only for at least 100,000 customers into a database holding at most 4 times as
    /// many.
    #[arg(long)]
    rebuild_indexes: Option<bool>,
    /// The database: `postgres://USER:PASSWORD@HOST:PORT/DATABASE`, `sqlite://PATH` or a
    /// file path; the service's default when not given.
    #[arg(
        long,
        env = "DATABASE_URL",
        default_value = "sqlite://data/customers.db"
    )]
    database_url: String,
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("customer-synthetic: {error}");
            ExitCode::FAILURE
        }
    }
}

async fn run(cli: Cli) -> Result<(), Box<dyn std::error::Error>> {
    let url = DatabaseUrl::parse(&cli.database_url)?;
    run_migrations(&url).await?;
    let db = Database::connect(&url, &PoolSettings::default())?;
    let options = SyntheticOptions {
        customers: cli.customers,
        seed: cli.seed,
        rebuild_indexes: cli.rebuild_indexes,
    };
    eprintln!(
        "seeding {} synthetic customers (seed {}) into {url}",
        cli.customers, cli.seed
    );
    let started = Instant::now();
    let summary = seed_synthetic(&db, &options, &|progress| {
        report_progress(started.elapsed(), progress);
    })
    .await?;
    let seconds = summary.total_time.as_secs_f64();
    let ids = summary
        .customer_ids
        .map(|(first, last)| format!(", customer ids {first}..={last}"))
        .unwrap_or_default();
    println!(
        "synthetic data loaded into {url}: {} customers, {} versions, {} contacts, \
         {} references ({} rows{ids}) in {seconds:.1} s ({:.1} s writing rows, \
         {:.0} rows/s overall)",
        summary.customers,
        summary.versions,
        summary.contacts,
        summary.references,
        summary.rows(),
        summary.load_time.as_secs_f64(),
        per_second(summary.rows(), seconds),
    );
    Ok(())
}

/// Writes the progress to stderr, each line with the time since the seed started.
fn report_progress(since_start: Duration, progress: &SyntheticProgress) {
    let at = since_start.as_secs_f64();
    match progress {
        SyntheticProgress::Written {
            customers,
            total,
            rows,
            elapsed,
        } => {
            let seconds = elapsed.as_secs_f64();
            eprintln!(
                "[{at:6.1} s] {customers}/{total} customers ({} %), {rows} rows in \
                 {seconds:.1} s, {:.0} rows/s",
                customers * 100 / (*total).max(1),
                per_second(*rows, seconds),
            );
        }
        SyntheticProgress::Step(step) => eprintln!("[{at:6.1} s] {step}"),
        _ => {}
    }
}

#[expect(clippy::cast_precision_loss, reason = "a rate for people to read")]
fn per_second(count: u64, seconds: f64) -> f64 {
    if seconds > 0.0 {
        count as f64 / seconds
    } else {
        0.0
    }
}

//! `customer-api`: serves the customer lookup, applies migrations, loads demo data.

use std::process::ExitCode;

use clap::{Parser, Subcommand};
use customer_infrastructure::{Database, run_migrations, seed_demo};
use customer_synthetic::{
    DEFAULT_SYNTHETIC_SEED, SyntheticOptions, SyntheticProgress, seed_synthetic,
};
use customer_web::cli::{self, AuditCommand, ClientsCommand, CompaniesCommand};
use customer_web::{Application, Settings, diagnose, healthcheck, telemetry};

/// Where the settings come from, for `--help`.
const CONFIGURATION_HELP: &str = "\
Configuration, each layer overriding the one before:
  1. the built-in defaults (config/default.toml, compiled in)
  2. default.toml, then <APP_ENV>.toml, in the folder APP_CONFIG_DIR
     (default: `config` in the working folder; a named APP_ENV whose file is
     missing stops start-up)
  3. environment variables APP__SECTION__KEY, e.g. APP__SERVER__PORT=9000,
     APP__DATABASE__MIGRATE_ON_START=false, APP__LOG__FORMAT=json
  4. DATABASE_URL: postgres://USER:PASSWORD@HOST:PORT/DATABASE, sqlite://PATH
     or a file path (default: sqlite://data/customers.db)
Every setting, with its default, is in config/default.toml and the README.
An unknown or invalid setting stops start-up with its name.";

#[derive(Debug, Parser)]
#[command(
    name = "customer-api",
    version,
    about = "Customer lookup service: GET /v1/core/customer",
    after_help = CONFIGURATION_HELP
)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Serve the API (the default).
    Serve,
    /// Apply pending database migrations, then exit.
    Migrate,
    /// Exit 0 when the service answers `GET /health/ready` with 200 (for container health
    /// checks, where there is no curl).
    ///
    /// It dials the address the service listens on: `server.host` (the wildcard addresses
    /// 0.0.0.0 and [::] mean the loopback of their family; a name is resolved) and
    /// `server.port`.
    Healthcheck,
    /// Load a data set into the database.
    Seed {
        #[command(subcommand)]
        data: SeedData,
    },
    /// Manage the companies of the group that lookups name (`companyCode`).
    Companies {
        #[command(subcommand)]
        command: CompaniesCommand,
    },
    /// Manage the callers of the API and their API keys.
    Clients {
        #[command(subcommand)]
        command: ClientsCommand,
    },
    /// Ask the audit trail who was shown what; prune old records.
    Audit {
        #[command(subcommand)]
        command: AuditCommand,
    },
}

#[derive(Debug, Subcommand)]
enum SeedData {
    /// The demo data set (idempotent), including the contract's example customer 54218.
    Demo,
    /// N realistic synthetic customers (individuals and companies, Arabic and English
    /// names, 1-3 versions, contacts, references) over companies 1-5. Deterministic: the
    /// same seed on the same database gives the same rows. Ids continue after the largest
    /// stored, so it adds to the demo data, and running it again adds N more customers.
    Synthetic {
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
    },
}

#[actix_web::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    let settings = match Settings::load() {
        Ok(settings) => settings,
        Err(error) => {
            eprintln!("customer-api: {error}");
            return ExitCode::from(2);
        }
    };
    // The administration commands answer on standard output: their logs go to stderr.
    let init_logs = match cli.command {
        Some(Command::Clients { .. } | Command::Companies { .. } | Command::Audit { .. }) => {
            telemetry::init_on_stderr
        }
        _ => telemetry::init,
    };
    // Held to the end of main: dropping it writes out the log lines still queued.
    let _log_writer = match init_logs(&settings.log) {
        Ok(guard) => guard,
        Err(error) => {
            eprintln!("customer-api: {error}");
            return ExitCode::from(2);
        }
    };
    match run(cli.command.unwrap_or(Command::Serve), &settings).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("customer-api: {error}");
            // A command's TLS refusal, like start-up's, names the setting to fix.
            if let Some(reason) = diagnose::tls_refusal(&*error) {
                eprintln!("customer-api: database.url: {reason}");
            }
            // The driver's message names neither the server nor the reason.
            if diagnose::is_unreachable_database(&*error)
                && let Some(cause) = settings
                    .database_url()
                    .ok()
                    .and_then(|url| diagnose::unreachable_database(&url))
            {
                eprintln!("customer-api: {cause}");
            }
            ExitCode::FAILURE
        }
    }
}

async fn run(command: Command, settings: &Settings) -> Result<(), Box<dyn std::error::Error>> {
    let url = settings.database_url()?;
    match command {
        Command::Serve => {
            Application::build(settings)
                .await?
                .run_until_stopped()
                .await?;
        }
        Command::Healthcheck => {
            let address = healthcheck::check(&settings.server.host, settings.server.port)?;
            println!("ready ({address})");
        }
        Command::Companies { command } => cli::companies::run(command, settings).await?,
        Command::Clients { command } => cli::clients::run(command, settings).await?,
        Command::Audit { command } => cli::audit::run(command, settings).await?,
        Command::Migrate => {
            let applied = run_migrations(&url).await?;
            println!("{} migration(s) applied to {url}", applied.len());
        }
        Command::Seed {
            data: SeedData::Demo,
        } => {
            run_migrations(&url).await?;
            let db = Database::connect(&url, &settings.database.pool(1))?;
            let added = seed_demo(&db).await?;
            println!("demo data loaded into {url}: {added} customer(s) added");
        }
        Command::Seed {
            data:
                SeedData::Synthetic {
                    customers,
                    seed,
                    rebuild_indexes,
                },
        } => {
            run_migrations(&url).await?;
            let db = Database::connect(&url, &settings.database.pool(1))?;
            let options = SyntheticOptions {
                customers,
                seed,
                rebuild_indexes,
            };
            eprintln!("seeding {customers} synthetic customers (seed {seed}) into {url}");
            let started = std::time::Instant::now();
            let summary = seed_synthetic(&db, &options, &|progress| {
                report_synthetic_progress(started.elapsed(), progress);
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
        }
    }
    Ok(())
}

/// Writes the progress of `seed synthetic` to stderr, each line with the time since the
/// seed started.
fn report_synthetic_progress(since_start: std::time::Duration, progress: &SyntheticProgress) {
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

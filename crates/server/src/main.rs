//! `customer-api`: serves the customer lookup, applies migrations, loads demo data.

use std::process::ExitCode;

use clap::{Parser, Subcommand};
use customer_infrastructure::{Database, run_migrations, seed_demo};
use customer_server::cli::{
    self, AuditCommand, ClientsCommand, CompaniesCommand, ExportCommand, ImportCommand,
};
use customer_server::{Application, Settings, diagnose, healthcheck, telemetry};

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
    /// Write customers from a JSON Lines file of customer documents: each changed
    /// customer gets a new version; unchanged ones are left alone.
    Import(ImportCommand),
    /// Write a company's customers as JSON Lines: every version, oldest first.
    Export(ExportCommand),
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
}

#[actix_web::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    // Before the settings: a variable that sets nothing explains a surprising default.
    let names = std::env::vars_os().filter_map(|(name, _)| name.into_string().ok());
    for warning in customer_server::settings::stray_variable_warnings(names) {
        eprintln!("customer-api: warning: {warning}");
    }
    let settings = match Settings::load() {
        Ok(settings) => settings,
        Err(error) => {
            eprintln!("customer-api: {error}");
            return ExitCode::from(2);
        }
    };
    // The administration commands answer on standard output: their logs go to stderr.
    let init_logs = match cli.command {
        Some(
            Command::Clients { .. }
            | Command::Companies { .. }
            | Command::Audit { .. }
            | Command::Import(_)
            | Command::Export(_),
        ) => telemetry::init_on_stderr,
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
                && let Some(cause) = diagnose::unreachable_database(&settings.database.url)
            {
                eprintln!("customer-api: {cause}");
            }
            ExitCode::FAILURE
        }
    }
}

async fn run(command: Command, settings: &Settings) -> Result<(), Box<dyn std::error::Error>> {
    let url = settings.database.url.clone();
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
        Command::Import(command) => cli::customers::import(command, settings).await?,
        Command::Export(command) => cli::customers::export(command, settings).await?,
        Command::Migrate => {
            announce(&url);
            let applied = run_migrations(&url).await?;
            println!("{} migration(s) applied to {url}", applied.len());
        }
        Command::Seed {
            data: SeedData::Demo,
        } => {
            announce(&url);
            run_migrations(&url).await?;
            let db = Database::connect(&url, &settings.database.pool(1))?;
            let added = seed_demo(&db).await?;
            println!("demo data loaded into {url}: {added} customer(s) added");
        }
    }
    Ok(())
}

/// Says on stderr which database a command is about to use (see [`cli::database_notice`]).
fn announce(url: &customer_infrastructure::DatabaseUrl) {
    for line in cli::database_notice(url) {
        eprintln!("customer-api: {line}");
    }
}

//! `customer-api`: serves the customer lookup, applies migrations, loads demo data.

use std::process::ExitCode;

use clap::{Parser, Subcommand};
use customer_infrastructure::{Database, run_migrations, seed_demo};
use customer_web::{Application, Settings, telemetry};

#[derive(Debug, Parser)]
#[command(
    name = "customer-api",
    version,
    about = "Customer lookup service: GET /v1/core/customer"
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
    /// Load a data set into the database.
    Seed {
        #[command(subcommand)]
        data: SeedData,
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
    let settings = match Settings::load() {
        Ok(settings) => settings,
        Err(error) => {
            eprintln!("customer-api: {error}");
            return ExitCode::from(2);
        }
    };
    if let Err(error) = telemetry::init(&settings.log) {
        eprintln!("customer-api: {error}");
        return ExitCode::from(2);
    }
    match run(cli.command.unwrap_or(Command::Serve), &settings).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            tracing::error!("{error}");
            eprintln!("customer-api: {error}");
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
        Command::Migrate => {
            let applied = run_migrations(&url).await?;
            println!("{} migration(s) applied to {url}", applied.len());
        }
        Command::Seed {
            data: SeedData::Demo,
        } => {
            run_migrations(&url).await?;
            let db = Database::connect(&url, &settings.database.pool())?;
            let added = seed_demo(&db).await?;
            println!("demo data loaded into {url}: {added} customer(s) added");
        }
    }
    Ok(())
}

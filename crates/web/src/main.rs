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
    /// Exit 0 when the local service answers `GET /health/ready` with 200 (for container
    /// health checks, where there is no curl).
    Healthcheck,
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
        Command::Healthcheck => healthcheck(settings.server.port)?,
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

/// Asks the service on this machine whether it is ready, with a plain HTTP/1.0 request.
fn healthcheck(port: u16) -> Result<(), Box<dyn std::error::Error>> {
    use std::io::{Read, Write};
    use std::net::{SocketAddr, TcpStream};
    use std::time::Duration;

    let address = SocketAddr::from(([127, 0, 0, 1], port));
    let mut stream = TcpStream::connect_timeout(&address, Duration::from_secs(2))?;
    stream.set_read_timeout(Some(Duration::from_secs(5)))?;
    stream.write_all(b"GET /health/ready HTTP/1.0\r\nHost: localhost\r\n\r\n")?;
    let mut answer = String::new();
    stream.read_to_string(&mut answer)?;
    let status_line = answer.lines().next().unwrap_or_default();
    if status_line.split_whitespace().nth(1) == Some("200") {
        println!("ready");
        Ok(())
    } else {
        Err(format!("not ready: {status_line}").into())
    }
}

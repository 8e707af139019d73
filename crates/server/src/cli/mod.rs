//! The administration commands: `customer-api clients ...` (callers and their API keys),
//! `customer-api companies ...` (the companies of the group), `customer-api audit ...`
//! (who was shown what) and `customer-api import` / `export` (customers as JSON Lines). Each applies pending migrations
//! first, so that it works on a fresh database, and writes its answer to standard
//! output: text for people, or JSON with `--json`.

pub mod audit;
pub mod clients;
pub mod companies;
pub mod customers;

use chrono::{DateTime, NaiveDate, NaiveTime, SecondsFormat, TimeDelta, Utc};
use customer_application::CompanyAdminError;
use customer_application::access::{AdminError, RandomnessError};
use customer_application::audit::AuditQueryError;
use customer_infrastructure::{Database, DatabaseUrl, InfraError, run_migrations};

pub use audit::AuditCommand;
pub use clients::ClientsCommand;
pub use companies::CompaniesCommand;
pub use customers::{ExportCommand, ImportCommand};

use crate::Settings;
use crate::settings::SettingsError;

/// Why an administration command failed; its message is the one line shown.
#[derive(Debug, thiserror::Error)]
pub enum CliError {
    /// The settings do not name a usable database.
    #[error(transparent)]
    Settings(#[from] SettingsError),
    /// The database could not be opened, migrated or read.
    #[error(transparent)]
    Database(#[from] InfraError),
    /// A change to the clients was refused (unknown client, name taken, ...).
    #[error(transparent)]
    Clients(#[from] AdminError),
    /// A change to the companies was refused (invalid input, code taken, ...).
    #[error(transparent)]
    Companies(#[from] CompanyAdminError),
    /// An audit query was refused or failed.
    #[error(transparent)]
    Audit(#[from] AuditQueryError),
    /// No audit key was kept yet, and none could be made.
    #[error(transparent)]
    Randomness(#[from] RandomnessError),
    /// A duration is too long to count back from now.
    #[error("{0} is too long a duration")]
    Duration(String),
    /// The input could not be read, or names what does not exist.
    #[error("{0}")]
    Input(String),
    /// The customer store failed.
    #[error("{0}")]
    Store(String),
    /// Lines of an import were rejected (the others were applied).
    #[error("{0} line(s) rejected")]
    Rejected(u64),
    /// The answer could not be written (standard output closed).
    #[error("cannot write the answer: {0}")]
    Output(#[from] std::io::Error),
}

/// Applies pending migrations to the configured database, then opens it for one command.
async fn open_database(settings: &Settings) -> Result<Database, CliError> {
    let url = settings.database.url.clone();
    for line in database_notice(&url) {
        eprintln!("customer-api: {line}");
    }
    run_migrations(&url).await?;
    Ok(Database::connect(&url, &settings.database.pool(1))?)
}

/// The end of a key's life as it was given: the instant, and the day when a day was
/// given, so that the answer repeats the date the operator wrote rather than the next
/// midnight it stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Expiry {
    /// The instant the key stops working.
    pub at: DateTime<Utc>,
    /// The last day the key works, when the expiry was given as `YYYY-MM-DD`.
    pub day: Option<NaiveDate>,
}

impl Expiry {
    /// The expiry as the answers say it: `2027-12-31, at the end of that day (UTC)`, or
    /// the instant given.
    pub fn describe(&self) -> String {
        match self.day {
            Some(day) => format!("{day}, at the end of that day (UTC)"),
            None => time(self.at),
        }
    }
}

/// What a command tells on stderr of the database it is about to use: which one (the
/// URL without its password; a SQLite file by its absolute path), and a warning when a
/// SQLite file does not exist yet, since opening it makes a new, empty database: a
/// command run from another folder than usual would otherwise answer from that empty
/// database ("No clients") without a word.
pub fn database_notice(url: &DatabaseUrl) -> Vec<String> {
    let Some(path) = url.sqlite_path() else {
        return vec![format!("database: {url}")];
    };
    let absolute = std::path::absolute(path).unwrap_or_else(|_| path.to_owned());
    let mut lines = vec![format!("database: sqlite://{}", absolute.display())];
    if !absolute.exists() {
        let relative = if path.is_relative() {
            let folder = std::env::current_dir()
                .map_or_else(|_| ".".to_owned(), |folder| folder.display().to_string());
            format!(" (a relative SQLite path is read from the working folder, {folder})")
        } else {
            String::new()
        };
        lines.push(format!(
            "warning: {} did not exist: a new, empty database is made there{relative}; \
             to use an existing one, run from its folder or set DATABASE_URL",
            absolute.display()
        ));
    }
    lines
}

/// Reads the end of a key's life: `YYYY-MM-DD` is the end of that day, UTC (the key
/// works through it); anything else must be RFC 3339 (`2027-01-31T18:00:00+03:00`).
pub fn parse_expiry(input: &str) -> Result<Expiry, String> {
    let day = NaiveDate::parse_from_str(input.trim(), "%Y-%m-%d").ok();
    let at = parse_date_or_time(input, |day| day.succ_opt())?;
    Ok(Expiry { at, day })
}

/// Reads the start of a period: `YYYY-MM-DD` is the start of that day, UTC; anything
/// else must be RFC 3339.
pub fn parse_since(input: &str) -> Result<DateTime<Utc>, String> {
    parse_date_or_time(input, Some)
}

fn parse_date_or_time(
    input: &str,
    midnight_of: impl FnOnce(NaiveDate) -> Option<NaiveDate>,
) -> Result<DateTime<Utc>, String> {
    let input = input.trim();
    if let Ok(day) = NaiveDate::parse_from_str(input, "%Y-%m-%d") {
        return midnight_of(day)
            .map(|day| day.and_time(NaiveTime::MIN).and_utc())
            .ok_or_else(|| format!("{input} is out of range"));
    }
    DateTime::parse_from_rfc3339(input)
        .map(|at| at.with_timezone(&Utc))
        .map_err(|_| {
            format!("{input:?} is neither a date (YYYY-MM-DD) nor an RFC 3339 date and time")
        })
}

/// Reads a duration such as `24h`, `30min`, `400d` or `0`.
pub fn parse_duration(input: &str) -> Result<std::time::Duration, String> {
    humantime::parse_duration(input.trim()).map_err(|error| format!("{input:?}: {error}"))
}

/// `now` less `duration`, if that is a representable time.
fn before(now: DateTime<Utc>, duration: std::time::Duration) -> Result<DateTime<Utc>, CliError> {
    TimeDelta::from_std(duration)
        .ok()
        .and_then(|delta| now.checked_sub_signed(delta))
        .ok_or_else(|| CliError::Duration(duration_text(duration)))
}

/// A time as the text output shows it: UTC, to the second.
fn time(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// A time as the JSON output gives it: UTC, with its fraction of a second if any.
fn json_time(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::AutoSi, true)
}

/// A duration as people say it: `400 days`, `2 hours`, `90 minutes`, else `1h 30m 5s`.
fn duration_text(duration: std::time::Duration) -> String {
    let seconds = duration.as_secs();
    if duration.subsec_nanos() == 0 && seconds > 0 {
        for (unit, one, many) in [
            (86_400, "day", "days"),
            (3_600, "hour", "hours"),
            (60, "minute", "minutes"),
        ] {
            if seconds.is_multiple_of(unit) {
                return count(
                    usize::try_from(seconds / unit).unwrap_or(usize::MAX),
                    one,
                    many,
                );
            }
        }
    }
    humantime::format_duration(duration).to_string()
}

/// `1 key`, `2 keys`.
fn count(n: usize, one: &str, many: &str) -> String {
    if n == 1 {
        format!("1 {one}")
    } else {
        format!("{n} {many}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utc(text: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(text)
            .expect("a time")
            .with_timezone(&Utc)
    }

    #[test]
    fn an_expiry_date_lasts_through_its_day() {
        let at = |input| parse_expiry(input).map(|expiry| expiry.at);
        assert_eq!(at("2027-01-31"), Ok(utc("2027-02-01T00:00:00Z")));
        assert_eq!(at("2027-12-31"), Ok(utc("2028-01-01T00:00:00Z")));
        assert_eq!(
            at("2027-01-31T18:00:00+03:00"),
            Ok(utc("2027-01-31T15:00:00Z"))
        );
        // The answer repeats the day given, not the midnight after it.
        assert_eq!(
            parse_expiry("2027-12-31").expect("a day").describe(),
            "2027-12-31, at the end of that day (UTC)"
        );
        assert_eq!(
            parse_expiry("2027-01-31T18:00:00+03:00")
                .expect("a time")
                .describe(),
            "2027-01-31T15:00:00Z"
        );
        for bad in ["2027-02-30", "31/01/2027", "tomorrow", "2027-01-31T18:00"] {
            let error = parse_expiry(bad).expect_err(bad);
            assert!(error.contains("YYYY-MM-DD"), "{error}");
        }
    }

    #[test]
    fn a_since_date_starts_at_its_midnight() {
        assert_eq!(parse_since("2026-11-01"), Ok(utc("2026-11-01T00:00:00Z")));
        assert_eq!(
            parse_since("2026-11-01T10:30:00.5Z"),
            Ok(utc("2026-11-01T10:30:00.5Z"))
        );
    }

    #[test]
    fn durations_are_read_as_people_write_them() {
        assert_eq!(
            parse_duration("24h"),
            Ok(std::time::Duration::from_secs(86_400))
        );
        assert_eq!(
            parse_duration("400d"),
            Ok(std::time::Duration::from_secs(400 * 86_400))
        );
        assert_eq!(parse_duration("0"), Ok(std::time::Duration::ZERO));
        assert!(parse_duration("soon").is_err());
        let now = utc("2026-11-29T12:00:00Z");
        assert_eq!(
            before(now, std::time::Duration::from_secs(86_400)).expect("a day"),
            utc("2026-11-28T12:00:00Z")
        );
        assert!(before(now, std::time::Duration::MAX).is_err());
        let text = |input| duration_text(parse_duration(input).expect("a duration"));
        assert_eq!(text("400d"), "400 days");
        assert_eq!(text("24h"), "1 day");
        assert_eq!(text("2h"), "2 hours");
        assert_eq!(text("90min"), "90 minutes");
        assert_eq!(text("90s"), "1m 30s");
        assert_eq!(text("0"), "0s");
    }
}

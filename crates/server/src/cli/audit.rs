//! `customer-api audit ...`: who was shown a customer, what a client looked up, who
//! searched for a value, and pruning old records. Searched values are found through
//! their keyed hashes, with the key the service uses (see [`crate::audit_key`]); no value
//! searched is ever shown, only the names of the criteria.

use std::collections::BTreeSet;
use std::io::Write;
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use clap::{Args, Subcommand};
use customer_application::AuditQueries;
use customer_domain::{AuditRecord, Criterion};
use customer_infrastructure::SqlAuditTrail;
use serde::Serialize;

use super::{
    CliError, before, count, duration_text, json_time, open_database, parse_duration, parse_since,
    time,
};
use crate::Settings;
use crate::audit_key::audit_key;

/// What `customer-api audit` does.
#[derive(Debug, Subcommand)]
pub enum AuditCommand {
    /// The lookups that showed a customer, and to whom.
    Customer {
        /// The customer's id.
        #[arg(value_name = "ID")]
        customer_id: String,
        #[command(flatten)]
        options: QueryOptions,
    },
    /// The lookups a client made.
    Client {
        /// The client's name.
        name: String,
        #[command(flatten)]
        options: QueryOptions,
    },
    /// The lookups that searched for a value (given as the lookup takes it).
    Searched {
        #[command(flatten)]
        value: SearchedValue,
        #[command(flatten)]
        options: QueryOptions,
    },
    /// Delete the records older than a duration; prints how many were removed.
    Prune {
        /// The age past which records go, such as 400d or 13months.
        #[arg(long, value_name = "DURATION", value_parser = parse_duration)]
        older_than: Duration,
    },
}

/// The options of every audit query.
#[derive(Debug, Args)]
pub struct QueryOptions {
    /// Only lookups made at or after this date (YYYY-MM-DD, from midnight UTC) or RFC 3339
    /// date and time.
    #[arg(long, value_name = "DATE", value_parser = parse_since)]
    since: Option<DateTime<Utc>>,
    /// Print a JSON array instead of text.
    #[arg(long)]
    json: bool,
}

/// The value `audit searched` looks for: exactly one.
#[derive(Debug, Args)]
#[group(required = true, multiple = false)]
pub struct SearchedValue {
    /// A customer id searched (`customerId`).
    #[arg(long, value_name = "ID")]
    customer_id: Option<String>,
    /// An identification number searched (`identificationNo`).
    #[arg(long, value_name = "NUMBER")]
    id_number: Option<String>,
    /// A mobile number searched (`mobileNumber`), spaces and hyphens allowed.
    #[arg(long, value_name = "NUMBER")]
    mobile: Option<String>,
    /// A reference number searched (`referenceNo`).
    #[arg(long, value_name = "NUMBER")]
    reference: Option<String>,
}

impl SearchedValue {
    fn criterion_and_value(&self) -> Option<(Criterion, &str)> {
        [
            (Criterion::CustomerId, &self.customer_id),
            (Criterion::IdentificationNo, &self.id_number),
            (Criterion::MobileNumber, &self.mobile),
            (Criterion::ReferenceNo, &self.reference),
        ]
        .into_iter()
        .find_map(|(criterion, value)| Some((criterion, value.as_deref()?)))
    }
}

/// Runs an `audit` command against the configured database.
pub async fn run(command: AuditCommand, settings: &Settings) -> Result<(), CliError> {
    let db = open_database(settings).await?;
    let trail = Arc::new(SqlAuditTrail::new(db));
    let queries = AuditQueries::new(trail.clone(), audit_key(&settings.audit, trail));
    let mut out = std::io::stdout().lock();
    let (records, options, lead) = match command {
        AuditCommand::Customer {
            customer_id,
            options,
        } => {
            let records = queries.customer(&customer_id, options.since).await?;
            let lead = customer_lead(customer_id.trim(), &records, options.since);
            (records, options, lead)
        }
        AuditCommand::Client { name, options } => {
            let records = queries.client(&name, options.since).await?;
            let lead = client_lead(name.trim(), &records, options.since);
            (records, options, lead)
        }
        AuditCommand::Searched { value, options } => {
            // clap requires exactly one value of the group.
            let (criterion, value) = value
                .criterion_and_value()
                .expect("clap requires one searched value");
            let records = queries.searched(criterion, value, options.since).await?;
            let lead = searched_lead(criterion, &records, options.since);
            (records, options, lead)
        }
        AuditCommand::Prune { older_than } => {
            let cutoff = before(Utc::now(), older_than)?;
            let removed = queries.prune(cutoff).await?;
            writeln!(
                out,
                "Removed {} made before {} (older than {}).",
                count(
                    usize::try_from(removed).unwrap_or(usize::MAX),
                    "audit record",
                    "audit records"
                ),
                time(cutoff),
                duration_text(older_than),
            )?;
            return Ok(out.flush()?);
        }
    };
    if options.json {
        let records: Vec<RecordJson> = records.iter().map(RecordJson::from).collect();
        serde_json::to_writer_pretty(&mut out, &records).map_err(std::io::Error::from)?;
        writeln!(out)?;
    } else {
        writeln!(out, "{lead}")?;
        for record in &records {
            writeln!(out, "{}", record_line(record))?;
        }
    }
    Ok(out.flush()?)
}

fn since_text(since: Option<DateTime<Utc>>) -> String {
    since
        .map(|at| format!(" since {}", time(at)))
        .unwrap_or_default()
}

fn client_count(records: &[AuditRecord]) -> usize {
    records
        .iter()
        .map(|record| record.client.as_str())
        .collect::<BTreeSet<_>>()
        .len()
}

/// `customer 54218 was shown 3 times to 2 clients`.
fn customer_lead(id: &str, records: &[AuditRecord], since: Option<DateTime<Utc>>) -> String {
    let since = since_text(since);
    if records.is_empty() {
        return format!("customer {id} was not shown to any client{since}");
    }
    let times = match records.len() {
        1 => "once".to_owned(),
        n => format!("{n} times"),
    };
    format!(
        "customer {id} was shown {times} to {}{since}",
        count(client_count(records), "client", "clients")
    )
}

/// `client call-centre made 12 lookups, 9 of which showed customers`.
fn client_lead(name: &str, records: &[AuditRecord], since: Option<DateTime<Utc>>) -> String {
    let hits = records
        .iter()
        .filter(|record| !record.disclosed.is_empty())
        .count();
    format!(
        "client {name} made {}{}, {hits} of which showed customers",
        count(records.len(), "lookup", "lookups"),
        since_text(since),
    )
}

/// `2 lookups by 1 client searched for this mobileNumber`.
fn searched_lead(
    criterion: Criterion,
    records: &[AuditRecord],
    since: Option<DateTime<Utc>>,
) -> String {
    format!(
        "{} by {} searched for this {criterion}{}",
        count(records.len(), "lookup", "lookups"),
        count(client_count(records), "client", "clients"),
        since_text(since),
    )
}

/// One lookup on one line, as `key=value` pairs.
fn record_line(record: &AuditRecord) -> String {
    let criteria = record
        .criteria
        .iter()
        .map(|digest| digest.criterion.name())
        .collect::<Vec<_>>()
        .join(",");
    let disclosed = if record.disclosed.is_empty() {
        "-".to_owned()
    } else {
        record
            .disclosed
            .iter()
            .map(|shown| match shown.write {
                None => format!("{}:{}", shown.customer_id, shown.customer_version_id),
                Some(kind) => format!(
                    "{}:{}:{}",
                    shown.customer_id,
                    shown.customer_version_id,
                    kind.name()
                ),
            })
            .collect::<Vec<_>>()
            .join(",")
    };
    format!(
        "{}  client={} credential={} company={} criteria={} customers={} disclosed={} request={}",
        time(record.at),
        record.client,
        record.credential,
        record.company.as_str(),
        if criteria.is_empty() { "-" } else { &criteria },
        record.disclosed.len(),
        disclosed,
        record.request_id,
    )
}

/// A lookup in the JSON output: the criteria by name only.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct RecordJson {
    at: String,
    client: String,
    credential: String,
    company: String,
    criteria: Vec<&'static str>,
    customers_returned: usize,
    disclosed: Vec<DisclosureJson>,
    request_id: String,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct DisclosureJson {
    customer_id: i64,
    customer_version_id: i32,
    /// What a write did (`created`, `changed`, `unchanged`, `closed`); absent for a
    /// lookup.
    #[serde(skip_serializing_if = "Option::is_none")]
    write: Option<&'static str>,
}

impl From<&AuditRecord> for RecordJson {
    fn from(record: &AuditRecord) -> Self {
        Self {
            at: json_time(record.at),
            client: record.client.to_string(),
            credential: record.credential.clone(),
            company: record.company.as_str().to_owned(),
            criteria: record
                .criteria
                .iter()
                .map(|digest| digest.criterion.name())
                .collect(),
            customers_returned: record.disclosed.len(),
            disclosed: record
                .disclosed
                .iter()
                .map(|shown| DisclosureJson {
                    customer_id: shown.customer_id.get(),
                    customer_version_id: shown.customer_version_id,
                    write: shown.write.map(customer_domain::WriteKind::name),
                })
                .collect(),
            request_id: record.request_id.clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    use customer_domain::{ClientName, CompanyCode, CriterionDigest, CustomerId, Disclosure};

    use super::*;

    fn record(client: &str, disclosed: &[(i64, i32)]) -> AuditRecord {
        AuditRecord {
            at: DateTime::parse_from_rfc3339("2026-11-29T10:15:30.25Z")
                .expect("a time")
                .with_timezone(&Utc),
            request_id: "req-1".to_owned(),
            client: ClientName::parse(client).expect("a name"),
            credential: "key:0123456789ab".to_owned(),
            company: CompanyCode::parse("jtc").expect("a code"),
            criteria: vec![CriterionDigest {
                criterion: Criterion::MobileNumber,
                digest: "ab".repeat(32),
            }],
            disclosed: disclosed
                .iter()
                .map(|&(id, version)| Disclosure {
                    customer_id: CustomerId::new(id).expect("an id"),
                    customer_version_id: version,
                    write: None,
                })
                .collect(),
        }
    }

    #[test]
    fn a_line_names_criteria_and_lists_what_was_shown_but_no_digest() {
        let line = record_line(&record("call-centre", &[(54218, 3), (54219, 1)]));
        assert_eq!(
            line,
            "2026-11-29T10:15:30Z  client=call-centre credential=key:0123456789ab company=jtc \
             criteria=mobileNumber customers=2 disclosed=54218:3,54219:1 request=req-1"
        );
        let json = serde_json::to_value(RecordJson::from(&record("portal", &[]))).expect("JSON");
        assert_eq!(json["criteria"], serde_json::json!(["mobileNumber"]));
        assert_eq!(json["customersReturned"], 0);
        assert_eq!(json["at"], "2026-11-29T10:15:30.250Z");
        assert!(!json.to_string().contains(&"ab".repeat(32)));
    }

    #[test]
    fn leads_count_lookups_and_distinct_clients() {
        let records = [
            record("call-centre", &[(54218, 3)]),
            record("portal", &[(54218, 3)]),
            record("call-centre", &[(54218, 3)]),
        ];
        assert_eq!(
            customer_lead("54218", &records, None),
            "customer 54218 was shown 3 times to 2 clients"
        );
        assert_eq!(
            customer_lead("54218", &records[..1], None),
            "customer 54218 was shown once to 1 client"
        );
        assert_eq!(
            customer_lead("7", &[], parse_since("2026-01-01").ok()),
            "customer 7 was not shown to any client since 2026-01-01T00:00:00Z"
        );
        assert_eq!(
            client_lead(
                "portal",
                &[record("portal", &[]), record("portal", &[(1, 1)])],
                None
            ),
            "client portal made 2 lookups, 1 of which showed customers"
        );
        assert_eq!(
            searched_lead(Criterion::MobileNumber, &records, None),
            "3 lookups by 2 clients searched for this mobileNumber"
        );
    }
}

//! `customer-api clients ...`: add callers, list them with their keys, change what they
//! may do, revoke and rotate keys. A key is shown once, when it is made; the database
//! keeps only its hash.

use std::fmt::Write as _;
use std::io::Write as _;
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use clap::Subcommand;
use customer_application::ClientAdmin;
use customer_application::access::{AdminError, IssuedKey, PermissionChange};
use customer_domain::{
    ApiKeyId, ClientListing, ClientName, ClientProfile, CompanyCode, CompanyDirectory,
    CompanyScope, CustomerId, CustomerRepository, InvalidAccessValue, KeySummary, Permission,
    Permissions, RateLimit, SearchCriteria,
};
use customer_infrastructure::{Database, SqlClientRegistry, SqlCustomerStore};
use serde::Serialize;

use super::{
    CliError, Expiry, count, duration_text, json_time, open_database, parse_duration, parse_expiry,
    time,
};
use crate::Settings;

/// What `customer-api clients` does.
#[derive(Debug, Subcommand)]
pub enum ClientsCommand {
    /// Add a client and make its first API key (shown once).
    Add {
        /// The client's name: ASCII letters, digits, '.', '_', '-', '@' or ':'.
        name: String,
        /// The companies it may search: codes separated by commas (jtc,jfc), or `all`.
        #[arg(long)]
        companies: String,
        /// What it may do in them: read (look customers up), write (change them), or
        /// read,write.
        #[arg(long, value_name = "PERMISSIONS", default_value = "read")]
        can: String,
        /// Its own rate limit, such as 50/s or 600/min [default: `auth.default_rate_limit`].
        #[arg(long)]
        rate: Option<String>,
        /// The last day the key works (YYYY-MM-DD, through the end of that day, UTC), or
        /// an RFC 3339 date and time [default: never expires].
        #[arg(long, value_name = "DATE", value_parser = parse_expiry)]
        expires: Option<Expiry>,
    },
    /// List the clients and their keys (never the keys' secrets nor hashes).
    List {
        /// Print a JSON array instead of text.
        #[arg(long)]
        json: bool,
    },
    /// Change what a client may do: read, write, or both (its keys stay as they are).
    Permit {
        /// The client's name.
        name: String,
        /// What it may do from now on: read, write or read,write.
        #[arg(long, value_name = "PERMISSIONS")]
        can: String,
    },
    /// Revoke one key (by key id or whole key) or every key of a client (by name).
    Revoke {
        /// A client's name, a key id (12 hex digits) or a whole key.
        #[arg(value_name = "NAME|KEY-ID|KEY")]
        target: String,
    },
    /// Make a new key for a client (shown once); its other keys work for a grace period.
    Rotate {
        /// The client's name.
        name: String,
        /// How long its other keys keep working, such as 24h, 30min or 7d; 0 revokes them
        /// now.
        #[arg(long, value_name = "DURATION", default_value = "24h", value_parser = parse_duration)]
        grace: Duration,
        /// The last day the new key works (YYYY-MM-DD, through the end of that day, UTC),
        /// or an RFC 3339 date and time [default: never expires].
        #[arg(long, value_name = "DATE", value_parser = parse_expiry)]
        expires: Option<Expiry>,
    },
}

/// Runs a `clients` command against the configured database.
pub async fn run(command: ClientsCommand, settings: &Settings) -> Result<(), CliError> {
    let db = open_database(settings).await?;
    let admin = ClientAdmin::new(Arc::new(SqlClientRegistry::new(db.clone())));
    let now = Utc::now();
    let mut out = std::io::stdout().lock();
    match command {
        ClientsCommand::Add {
            name,
            companies,
            can,
            rate,
            expires,
        } => {
            let issued = admin
                .add(
                    &name,
                    &companies,
                    Some(&can),
                    rate.as_deref(),
                    expires.map(|expiry| expiry.at),
                    now,
                )
                .await?;
            // The inputs as `add` read them (codes in order, lowercase), to show them.
            let profile = ClientProfile {
                name: ClientName::parse(&name).map_err(invalid_after_add)?,
                permissions: Permissions::parse(&can).map_err(invalid_after_add)?,
                companies: CompanyScope::parse(&companies).map_err(invalid_after_add)?,
                rate_limit: rate
                    .as_deref()
                    .map(RateLimit::parse)
                    .transpose()
                    .map_err(invalid_after_add)?,
            };
            let example = example_request(&db, settings, &profile.companies).await;
            write!(out, "{}", added(&profile, &issued, expires, &example))?;
        }
        ClientsCommand::List { json } => {
            let clients = admin.list().await?;
            if json {
                serde_json::to_writer_pretty(&mut out, &listings_json(&clients, now))
                    .map_err(std::io::Error::from)?;
                writeln!(out)?;
            } else {
                write!(out, "{}", listings_text(&clients, now))?;
            }
        }
        ClientsCommand::Permit { name, can } => {
            let change = admin.permit(&name, &can).await?;
            write!(out, "{}", permitted_text(&change, settings))?;
        }
        ClientsCommand::Revoke { target } => {
            let revoked = admin.revoke(&target, now).await?;
            write!(out, "{}", revoked_text(&target, &revoked, settings))?;
        }
        ClientsCommand::Rotate {
            name,
            grace,
            expires,
        } => {
            let name = name.trim();
            // The keys that work now: those the rotation retires.
            let previous: Vec<ApiKeyId> = find_client(&admin.list().await?, name)
                .map(|client| {
                    client
                        .keys
                        .iter()
                        .filter(|key| key_state(key, false, now) == KeyState::Active)
                        .map(|key| key.id.clone())
                        .collect()
                })
                .unwrap_or_default();
            let issued = admin
                .rotate(name, grace, expires.map(|expiry| expiry.at), now)
                .await?;
            // Shown before anything else can fail: it cannot be shown later.
            write!(out, "{}", new_key_text(name, &issued, expires))?;
            out.flush()?;
            if grace.is_zero() {
                // Expired as of now already; revoked too, so that the listing says so.
                for id in &previous {
                    admin.revoke(id.as_str(), now).await?;
                }
            }
            write!(out, "{}", previous_keys_text(&previous, grace, now))?;
        }
    }
    out.flush()?;
    Ok(())
}

/// For inputs that `add` accepted and that then fail to parse again: not expected.
fn invalid_after_add(error: InvalidAccessValue) -> CliError {
    AdminError::Invalid(vec![("input", error)]).into()
}

fn find_client<'a>(clients: &'a [ClientListing], name: &str) -> Option<&'a ClientListing> {
    clients
        .iter()
        .find(|client| client.profile.name.as_str() == name)
}

/// What a key's listing says of it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum KeyState {
    /// It works, and will until its expiry if it has one.
    Active,
    /// It works until its expiry: a newer key replaced it (a rotation's grace).
    Expiring,
    /// Its expiry is past.
    Expired,
    /// It was revoked.
    Revoked,
}

impl KeyState {
    fn as_str(self) -> &'static str {
        match self {
            Self::Active => "active",
            Self::Expiring => "expiring",
            Self::Expired => "expired",
            Self::Revoked => "revoked",
        }
    }
}

/// The state of `key` at `now`; `replaced`: the client has a newer key.
fn key_state(key: &KeySummary, replaced: bool, now: DateTime<Utc>) -> KeyState {
    if key.revoked_at.is_some_and(|at| at <= now) {
        KeyState::Revoked
    } else if key.expires_at.is_some_and(|at| at <= now) {
        KeyState::Expired
    } else if replaced && key.expires_at.is_some() {
        KeyState::Expiring
    } else {
        KeyState::Active
    }
}

/// The keys of a client (oldest first) with their states.
fn key_states(client: &ClientListing, now: DateTime<Utc>) -> Vec<(&KeySummary, KeyState)> {
    let last = client.keys.len().saturating_sub(1);
    client
        .keys
        .iter()
        .enumerate()
        .map(|(i, key)| (key, key_state(key, i < last, now)))
        .collect()
}

fn rate_text(profile: &ClientProfile) -> String {
    profile
        .rate_limit
        .map_or_else(|| "default".to_owned(), |rate| rate.to_string())
}

fn optional_time(at: Option<DateTime<Utc>>, none: &str) -> String {
    at.map_or_else(|| none.to_owned(), time)
}

/// Demo customers an example may name, one per demo company: the contract's example
/// customer of `jtc`, and a plain customer of `jfc`.
const DEMO_CUSTOMERS: [(&str, i64); 2] = [("jtc", 54_218), ("jfc", 70_004)];

/// The placeholder of an example whose company has no demo customer: not a number, so
/// that it cannot be mistaken for a real customer.
const CUSTOMER_PLACEHOLDER: &str = "<customer id>";

/// An example lookup that works for the client just made, with its key in place of
/// `<key>` (the key is printed once only, above it): on the address the service is
/// configured to listen on, for a demo customer of one of its companies
/// when that customer is in the database, else with a placeholder to replace.
async fn example_request(db: &Database, settings: &Settings, scope: &CompanyScope) -> String {
    let store = SqlCustomerStore::new(db.clone(), settings.database.reference_ttl);
    let mut demo = None;
    for (code, id) in DEMO_CUSTOMERS {
        let (Ok(code), Ok(id)) = (CompanyCode::parse(code), CustomerId::new(id)) else {
            continue;
        };
        if scope.permits(&code) && has_customer(&store, &code, id).await {
            demo = Some((code.as_str().to_owned(), id.to_string()));
            break;
        }
    }
    let note = if demo.is_some() {
        ""
    } else {
        "\n\n    (replace <customer id> with the id of one of the company's customers)"
    };
    let (company, customer) = demo.unwrap_or_else(|| {
        let company = match scope {
            CompanyScope::Only(codes) => codes
                .first()
                .map_or_else(|| "<company code>".to_owned(), ToString::to_string),
            CompanyScope::All => "<company code>".to_owned(),
        };
        (company, CUSTOMER_PLACEHOLDER.to_owned())
    });
    format!(
        "curl -H \"Authorization: Bearer <key>\" \
         '{}/v1/core/customer?companyCode={company}&customerId={customer}&lang=en'{note}",
        base_url(&settings.server.host, settings.server.port),
    )
}

/// Whether `company` has the current customer `id`; a failure to read counts as no.
async fn has_customer(store: &SqlCustomerStore, company: &CompanyCode, id: CustomerId) -> bool {
    let Ok(criteria) = SearchCriteria::new(Some(id), None, None, None) else {
        return false;
    };
    match store.resolve(company).await {
        Ok(Some(company)) => store
            .find_current(company, &criteria)
            .await
            .is_ok_and(|found| !found.is_empty()),
        _ => false,
    }
}

/// The base URL of the service listening on `host` and `port`, as a client on this
/// machine dials it: the wildcard addresses mean the loopback of their family.
fn base_url(host: &str, port: u16) -> String {
    let bare = host.trim().trim_start_matches('[').trim_end_matches(']');
    match bare.parse::<std::net::IpAddr>() {
        Ok(std::net::IpAddr::V4(ip)) if ip.is_unspecified() => format!("http://127.0.0.1:{port}"),
        Ok(std::net::IpAddr::V6(ip)) if ip.is_unspecified() => format!("http://[::1]:{port}"),
        Ok(std::net::IpAddr::V6(ip)) => format!("http://[{ip}]:{port}"),
        _ => format!("http://{bare}:{port}"),
    }
}

/// The answer of `clients add`: the key, once, set apart so that it is not missed.
fn added(
    profile: &ClientProfile,
    issued: &IssuedKey,
    expires: Option<Expiry>,
    example: &str,
) -> String {
    let usage = if profile.permissions.allows(Permission::Read) {
        format!("Use it as (the key in place of <key>):\n\n    {example}\n")
    } else {
        format!(
            "This client may not read: its lookups are refused (403) until it is permitted\n\
             to, with `customer-api clients permit {} --can read,{}`.\n",
            profile.name, profile.permissions,
        )
    };
    format!(
        "Client {} added: companies {}, rate limit {}, permissions {}.\n\n\
         API key {} (expires {}):\n\n    {}\n\n\
         This key is NOT shown again: the service keeps only its hash. Store it in a secret\n\
         manager now; if it is lost, make another with `customer-api clients rotate`.\n\n\
         {usage}",
        profile.name,
        profile.companies,
        rate_text(profile),
        profile.permissions,
        issued.key.id(),
        expires.map_or_else(|| "never".to_owned(), |expiry| expiry.describe()),
        issued.key.expose_secret(),
    )
}

/// The answer of `clients permit`.
fn permitted_text(change: &PermissionChange, settings: &Settings) -> String {
    let PermissionChange {
        client,
        before,
        after,
    } = change;
    if before == after {
        return format!("Client {client} may {after} already: nothing changed.\n");
    }
    format!(
        "Client {client} may now {after} (before: {before}).\nRunning instances of the \
         service apply it within {} s (auth.key_cache_ttl_secs).\n",
        settings.auth.authenticator.key_cache_ttl.as_secs(),
    )
}

/// The first part of the answer of `clients rotate`: the new key, once.
fn new_key_text(name: &str, issued: &IssuedKey, expires: Option<Expiry>) -> String {
    format!(
        "New API key {} for client {name} (expires {}):\n\n    {}\n\n\
         This key is NOT shown again: the service keeps only its hash. Store it in a secret\n\
         manager now.\n\n",
        issued.key.id(),
        expires.map_or_else(|| "never".to_owned(), |expiry| expiry.describe()),
        issued.key.expose_secret(),
    )
}

/// The rest of the answer of `clients rotate`: what becomes of the keys that worked.
fn previous_keys_text(previous: &[ApiKeyId], grace: Duration, now: DateTime<Utc>) -> String {
    let ids = previous
        .iter()
        .map(ApiKeyId::as_str)
        .collect::<Vec<_>>()
        .join(", ");
    let (keys, work) = if previous.len() == 1 {
        (format!("previous key {ids}"), "works")
    } else {
        (format!("{} previous keys ({ids})", previous.len()), "work")
    };
    if previous.is_empty() {
        "The client had no other working key.\n".to_owned()
    } else if grace.is_zero() {
        format!("Revoked now: the {keys}.\n")
    } else {
        let until = chrono::TimeDelta::from_std(grace)
            .ok()
            .and_then(|grace| now.checked_add_signed(grace))
            .map_or_else(|| "the end of time".to_owned(), time);
        format!(
            "The {keys} {work} until {until} at the latest (a grace of {}): hand\n\
             the new key over before then.\n",
            duration_text(grace),
        )
    }
}

/// The answer of `clients revoke`.
fn revoked_text(target: &str, revoked: &[ApiKeyId], settings: &Settings) -> String {
    let target = target.trim();
    if revoked.is_empty() {
        return format!("Nothing to revoke: every key of {target} was revoked already.\n");
    }
    let ids = revoked
        .iter()
        .map(ApiKeyId::as_str)
        .collect::<Vec<_>>()
        .join(", ");
    // A whole key, or a key id: the one key; otherwise a client's name.
    let one_key = revoked.len() == 1
        && (target.starts_with(customer_domain::API_KEY_PREFIX) || revoked[0].as_str() == target);
    let what = if one_key {
        format!("Revoked API key {ids}.")
    } else {
        format!(
            "Revoked {} of client {target}: {ids}.",
            count(revoked.len(), "API key", "API keys")
        )
    };
    format!(
        "{what}\nRunning instances of the service stop accepting {} within {} s \
         (auth.key_cache_ttl_secs).\n",
        if revoked.len() == 1 { "it" } else { "them" },
        settings.auth.authenticator.key_cache_ttl.as_secs(),
    )
}

/// `clients list` as text: each client, then a table of its keys.
fn listings_text(clients: &[ClientListing], now: DateTime<Utc>) -> String {
    if clients.is_empty() {
        return "No clients. Add one with `customer-api clients add NAME --companies CODES`.\n"
            .to_owned();
    }
    let mut text = String::new();
    for client in clients {
        let _ = write!(
            text,
            "{}\n  companies: {}   permissions: {}   rate limit: {}   created: {}\n",
            client.profile.name,
            client.profile.companies,
            client.profile.permissions,
            rate_text(&client.profile),
            time(client.created_at),
        );
        if client.keys.is_empty() {
            text.push_str("  no keys\n\n");
            continue;
        }
        let _ = writeln!(
            text,
            "  {:<12}  {:<8}  {:<20}  {:<20}  {:<20}  REVOKED",
            "KEY ID", "STATE", "CREATED", "LAST USED", "EXPIRES"
        );
        for (key, state) in key_states(client, now) {
            let _ = writeln!(
                text,
                "  {:<12}  {:<8}  {:<20}  {:<20}  {:<20}  {}",
                key.id,
                state.as_str(),
                time(key.created_at),
                optional_time(key.last_used_at, "never"),
                optional_time(key.expires_at, "never"),
                optional_time(key.revoked_at, "-"),
            );
        }
        text.push('\n');
    }
    text
}

/// A client in `clients list --json`.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct ClientJson {
    name: String,
    /// `"all"`, or the list of codes.
    companies: serde_json::Value,
    /// What it may do: `["read"]`, `["write"]` or `["read", "write"]`.
    permissions: Vec<&'static str>,
    /// `"50/s"`, or `"default"`.
    rate_limit: String,
    created_at: String,
    keys: Vec<KeyJson>,
}

/// A key in `clients list --json`: never its hash.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct KeyJson {
    id: String,
    state: KeyState,
    created_at: String,
    last_used_at: Option<String>,
    expires_at: Option<String>,
    revoked_at: Option<String>,
}

fn listings_json(clients: &[ClientListing], now: DateTime<Utc>) -> Vec<ClientJson> {
    clients
        .iter()
        .map(|client| ClientJson {
            name: client.profile.name.to_string(),
            companies: match &client.profile.companies {
                CompanyScope::All => "all".into(),
                CompanyScope::Only(codes) => codes.iter().map(CompanyCode::as_str).collect(),
            },
            permissions: client
                .profile
                .permissions
                .iter()
                .map(Permission::as_str)
                .collect(),
            rate_limit: rate_text(&client.profile),
            created_at: json_time(client.created_at),
            keys: key_states(client, now)
                .into_iter()
                .map(|(key, state)| KeyJson {
                    id: key.id.to_string(),
                    state,
                    created_at: json_time(key.created_at),
                    last_used_at: key.last_used_at.map(json_time),
                    expires_at: key.expires_at.map(json_time),
                    revoked_at: key.revoked_at.map(json_time),
                })
                .collect(),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use chrono::TimeDelta;
    use customer_domain::{ClientName, ClientProfile, RateLimit};

    use super::*;

    fn key(id: &str, created: DateTime<Utc>) -> KeySummary {
        KeySummary {
            id: ApiKeyId::parse(id).expect("an id"),
            created_at: created,
            last_used_at: None,
            expires_at: None,
            revoked_at: None,
        }
    }

    fn client(keys: Vec<KeySummary>) -> ClientListing {
        ClientListing {
            profile: ClientProfile {
                name: ClientName::parse("call-centre").expect("a name"),
                permissions: Permissions::READ,
                companies: CompanyScope::parse("jtc,jfc").expect("a scope"),
                rate_limit: None,
            },
            created_at: keys.first().map_or_else(Utc::now, |key| key.created_at),
            keys,
        }
    }

    #[test]
    fn keys_are_active_expiring_expired_or_revoked() {
        let now = Utc::now();
        let hour = TimeDelta::hours(1);
        let mut revoked = key("00000000000a", now - hour * 5);
        revoked.revoked_at = Some(now - hour);
        let mut expired = key("00000000000b", now - hour * 4);
        expired.expires_at = Some(now - hour);
        let mut retired = key("00000000000c", now - hour * 3);
        retired.expires_at = Some(now + hour);
        let mut current = key("00000000000d", now - hour);
        current.expires_at = Some(now + hour * 100);
        let listing = client(vec![revoked, expired, retired, current]);
        let states: Vec<KeyState> = key_states(&listing, now)
            .into_iter()
            .map(|(_, state)| state)
            .collect();
        assert_eq!(
            states,
            [
                KeyState::Revoked,
                KeyState::Expired,
                KeyState::Expiring,
                KeyState::Active
            ]
        );
    }

    #[test]
    fn listings_show_default_rates_and_company_lists_but_no_secret() {
        let now = Utc::now();
        let mut listing = client(vec![key("0123456789ab", now)]);
        let text = listings_text(std::slice::from_ref(&listing), now);
        assert!(text.contains("call-centre"), "{text}");
        assert!(text.contains("companies: jfc,jtc"), "{text}");
        assert!(text.contains("rate limit: default"), "{text}");
        assert!(text.contains("permissions: read "), "{text}");
        assert!(text.contains("0123456789ab  active"), "{text}");
        listing.profile.rate_limit = Some(RateLimit::parse("50/s").expect("a rate"));
        listing.profile.companies = CompanyScope::All;
        let json = serde_json::to_value(listings_json(&[listing], now)).expect("JSON");
        assert_eq!(json[0]["rateLimit"], "50/s");
        assert_eq!(json[0]["companies"], "all");
        assert_eq!(json[0]["permissions"], serde_json::json!(["read"]));
        assert_eq!(json[0]["keys"][0]["state"], "active");
        assert_eq!(json[0]["keys"][0]["lastUsedAt"], serde_json::Value::Null);
    }
}

//! `database.min_sslmode`: the weakest TLS a PostgreSQL URL may ask for, checked at
//! start-up on each URL the service connects to.

use customer_infrastructure::{DatabaseUrl, SslMode};

use super::SettingsError;

/// `database.min_sslmode`, read from `text`.
pub(super) fn min_sslmode(text: &str) -> Result<SslMode, SettingsError> {
    SslMode::parse(text.trim()).ok_or_else(|| SettingsError::Invalid {
        key: "database.min_sslmode",
        reason: format!(
            "{text:?} is not a mode: use disable, prefer, require, verify-ca or verify-full"
        ),
    })
}

/// Checks the TLS of the database URL of the setting `key`: its parameters can be used
/// (an `sslrootcert` file reads), and it asks for at least `min`. A SQLite file passes:
/// nothing of it travels over a network.
pub(crate) fn check(
    key: &'static str,
    url: &DatabaseUrl,
    min: SslMode,
) -> Result<(), SettingsError> {
    let invalid = |reason: String| SettingsError::Invalid { key, reason };
    let Some(tls) = url.tls().map_err(|error| invalid(error.to_string()))? else {
        return Ok(());
    };
    if tls.mode >= min {
        return Ok(());
    }
    let given = if tls.explicit {
        format!("sslmode={}", tls.mode)
    } else {
        format!("no sslmode (so {}, the default for its hosts)", tls.mode)
    };
    Err(invalid(format!(
        "the URL has {given}, weaker than database.min_sslmode = {min}: add \
         sslmode={min} to it (and sslrootcert=PATH for a CA of your own)"
    )))
}

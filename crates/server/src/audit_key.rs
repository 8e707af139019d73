//! The key of the audit trail's keyed hashes, the same for the service and for the
//! `audit` commands, so that a value searched from the command line has the digest the
//! service recorded.

use customer_application::audit::{CriteriaHasher, random_audit_key};
use customer_infrastructure::{Database, audit_hmac_key};

use crate::cli::CliError;
use crate::settings::AuditSettings;

/// The hasher of searched values: keyed with `audit.hmac_key` (its UTF-8 bytes) when it
/// is set, otherwise with the random key kept in the database (made on first use).
///
/// # Errors
/// [`CliError::Database`] when the key has to be read from (or stored in) the database
/// and that fails, [`CliError::Randomness`] when no key could be made.
pub async fn criteria_hasher(
    settings: &AuditSettings,
    db: &Database,
) -> Result<CriteriaHasher, CliError> {
    if settings.hmac_key.is_empty() {
        let candidate = random_audit_key()?;
        Ok(CriteriaHasher::new(&audit_hmac_key(db, &candidate).await?))
    } else {
        Ok(CriteriaHasher::new(settings.hmac_key.as_bytes()))
    }
}

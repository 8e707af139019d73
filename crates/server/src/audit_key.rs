//! The key of the audit trail's keyed hashes, the same for the service and for the
//! `audit` commands, so that a value searched from the command line has the digest the
//! service recorded. Both take it from [`audit_key`]; the choice itself is
//! [`AuditKey::chosen`].

use std::sync::Arc;

use customer_application::audit::{AuditKey, AuditKeyError, CriteriaHasher};
use customer_domain::AuditKeyStore;
use customer_infrastructure::{Database, SqlAuditTrail};

use crate::settings::AuditSettings;

/// The key of searched values: `audit.hmac_key` (its UTF-8 bytes) when it is set,
/// otherwise the random key that `stored` keeps (made on first use).
pub fn audit_key(settings: &AuditSettings, stored: Arc<dyn AuditKeyStore>) -> AuditKey {
    AuditKey::chosen(settings.hmac_key.as_bytes(), stored)
}

/// The hasher of searched values, keyed as [`audit_key`] says, the stored key kept in
/// `db`.
///
/// # Errors
/// [`AuditKeyError`] when the key has to be read from (or stored in) the database and
/// that fails, or none is kept and none could be made.
pub async fn criteria_hasher(
    settings: &AuditSettings,
    db: &Database,
) -> Result<CriteriaHasher, AuditKeyError> {
    let key = audit_key(settings, Arc::new(SqlAuditTrail::new(db.clone())));
    key.hasher().await.cloned()
}

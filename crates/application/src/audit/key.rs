//! Which key hashes searched values. The service and the `audit` queries must use the
//! same one, or a value searched from the command line would not find the records the
//! service wrote: so the choice is made here, once, for both.

use std::sync::Arc;

use customer_domain::{AuditKeyStore, RepositoryError};
use tokio::sync::OnceCell;

use super::{CriteriaHasher, random_audit_key};
use crate::access::RandomnessError;

/// Why the key could not be had.
#[derive(Debug, thiserror::Error)]
pub enum AuditKeyError {
    /// The store of the key failed.
    #[error(transparent)]
    Store(#[from] RepositoryError),
    /// No key was kept yet, and no random one could be made to keep.
    #[error(transparent)]
    Randomness(#[from] RandomnessError),
}

/// The key of the audit trail's keyed hashes: the configured one when there is one,
/// otherwise the random one kept with the trail ([`AuditKeyStore`]).
///
/// A stored key is read at the first [`Self::hasher`] call, not when this value is made,
/// so that the service starts while the database is down; it is then kept. Clones share
/// what was read.
#[derive(Clone)]
pub struct AuditKey(Source);

#[derive(Clone)]
enum Source {
    Configured(CriteriaHasher),
    Stored {
        store: Arc<dyn AuditKeyStore>,
        hasher: Arc<OnceCell<CriteriaHasher>>,
    },
}

impl std::fmt::Debug for AuditKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Which source only: the key itself is never shown.
        let source = match self.0 {
            Source::Configured(_) => "configured",
            Source::Stored { .. } => "stored",
        };
        f.debug_tuple("AuditKey").field(&source).finish()
    }
}

impl AuditKey {
    /// The key the deployment uses: `configured` (the bytes of `audit.hmac_key`) unless it
    /// is empty, which means none is configured; then the one `stored` keeps.
    pub fn chosen(configured: &[u8], stored: Arc<dyn AuditKeyStore>) -> Self {
        if configured.is_empty() {
            Self::stored(stored)
        } else {
            Self::given(configured)
        }
    }

    /// This key (any length; 32 random bytes is right).
    pub fn given(key: &[u8]) -> Self {
        Self(Source::Configured(CriteriaHasher::new(key)))
    }

    /// The key `store` keeps, read at the first [`Self::hasher`] call.
    pub fn stored(store: Arc<dyn AuditKeyStore>) -> Self {
        Self(Source::Stored {
            store,
            hasher: Arc::new(OnceCell::new()),
        })
    }

    /// The hasher keyed with this key.
    ///
    /// # Errors
    /// [`AuditKeyError`] when the stored key cannot be read, or none is kept yet and no
    /// random one can be made; the next call tries again.
    pub async fn hasher(&self) -> Result<&CriteriaHasher, AuditKeyError> {
        match &self.0 {
            Source::Configured(hasher) => Ok(hasher),
            Source::Stored { store, hasher } => {
                hasher
                    .get_or_try_init(|| async {
                        // Kept only when no key is kept yet: every instance then agrees.
                        let candidate = random_audit_key()?;
                        Ok(CriteriaHasher::new(&store.hmac_key(&candidate).await?))
                    })
                    .await
            }
        }
    }
}

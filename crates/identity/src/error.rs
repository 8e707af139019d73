//! Why a verifier could not be made, or its keys read.

/// Why a verifier could not be made, or its keys read.
#[derive(Debug, thiserror::Error)]
pub enum IdentityError {
    /// A setting of the verifier is missing or invalid.
    #[error("invalid token settings: {0}")]
    TokenSettings(String),
    /// The identity provider's signing keys (its JWKS) could not be read, or hold no key
    /// that tokens may be signed with.
    #[error("cannot load the token signing keys from {location}: {reason}")]
    Jwks {
        /// The file or URL they were read from.
        location: String,
        /// What went wrong.
        reason: String,
    },
}

//! The adapter of the token port, apart from the database adapters so that its HTTP and
//! TLS client is linked only where tokens are checked: bearer tokens (JWTs) of the group's identity provider,
//! checked against the signing keys it publishes (a JSON Web Key Set, from a file or a
//! URL).
//!
//! Only RS256 and ES256 are accepted, each with a key of its own type named by the
//! token's `kid`. A token naming a key the cached set lacks makes the set be read again,
//! at most once per refresh interval: a rotated key is picked up without a restart, and a
//! flood of made-up key ids cannot make the service hammer the identity provider.

mod error;
mod fetch;
mod jwks;
mod verifier;

pub use error::IdentityError;
pub use fetch::JwksSource;
pub use verifier::{JwksTokenVerifier, JwtSettings};

//! Who may search: authenticating callers and managing their API keys.

mod authenticate;
mod clients;
mod credentials;

pub use authenticate::{AuthError, Authenticator, AuthenticatorSettings};
pub use clients::{AdminError, ClientAdmin, PermissionChange};
pub use credentials::{IssuedKey, RandomnessError, hash_key, issue_key, key_matches};

//! The token verifier against a key set: what it accepts and refuses, when it reads the
//! set again, and fetching the set over HTTPS. One test binary: one link, not one per file.

mod https;
mod verifier;

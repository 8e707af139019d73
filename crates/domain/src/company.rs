use std::fmt;

use crate::customer::LocalizedName;
use crate::violation::{InvalidValue, Violation};

/// The longest company code accepted.
const MAX_LEN: usize = 32;

/// A well-formed company code, kept in lower case (`jtc`).
///
/// Company codes are matched case-insensitively; whether a code names a known company
/// is for a [`CompanyDirectory`](crate::CompanyDirectory) to say.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CompanyCode(String);

impl CompanyCode {
    /// Reads a company code: 1 to 32 ASCII letters, digits, `-` or `_`, surrounding
    /// whitespace ignored, kept in lower case.
    ///
    /// # Errors
    /// [`Violation::Empty`] or [`Violation::MalformedCompanyCode`].
    pub fn parse(input: &str) -> Result<Self, InvalidValue> {
        let code = input.trim();
        if code.is_empty() {
            return Err(InvalidValue::single(Violation::Empty));
        }
        let well_formed = code.len() <= MAX_LEN
            && code
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
        if !well_formed {
            return Err(InvalidValue::single(Violation::MalformedCompanyCode));
        }
        Ok(Self(code.to_ascii_lowercase()))
    }

    /// The code, in lower case.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for CompanyCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The identifier of a known company, as a [`CompanyDirectory`](crate::CompanyDirectory)
/// resolved it from its code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CompanyId(i32);

impl CompanyId {
    /// Wraps a company identifier as stored.
    pub const fn new(id: i32) -> Self {
        Self(id)
    }

    /// The identifier as stored.
    pub fn get(self) -> i32 {
        self.0
    }
}

impl fmt::Display for CompanyId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// A company of the group as stored: the identifier the customer rows name, the code
/// callers search it by, and its names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Company {
    /// Its identifier.
    pub id: CompanyId,
    /// Its code, unique among the companies.
    pub code: CompanyCode,
    /// Its names in Arabic and English.
    pub name: LocalizedName,
}

/// New names for a company: each name given replaces the stored one, each `None`
/// keeps it. The code never changes: the clients' company lists and the audit trail
/// name companies by code.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CompanyRenaming {
    /// The new Arabic name, if it changes.
    pub ar: Option<String>,
    /// The new English name, if it changes.
    pub en: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_trimmed_and_lower_cased() {
        assert_eq!(
            CompanyCode::parse(" JtC ").map(|c| c.0),
            Ok("jtc".to_owned())
        );
    }

    #[test]
    fn empty_codes_are_rejected() {
        assert_eq!(
            CompanyCode::parse("  "),
            Err(InvalidValue::single(Violation::Empty))
        );
    }

    #[test]
    fn malformed_codes_are_rejected() {
        let too_long = "a".repeat(MAX_LEN + 1);
        for input in ["j t c", "jtc;", "شركة", too_long.as_str()] {
            assert_eq!(
                CompanyCode::parse(input),
                Err(InvalidValue::single(Violation::MalformedCompanyCode)),
                "{input:?}"
            );
        }
    }
}

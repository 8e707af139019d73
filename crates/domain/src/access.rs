//! Who may search: callers ("clients"), the companies each may search, their rate limits
//! and the credentials they present.

use std::collections::BTreeSet;
use std::fmt;
use std::num::NonZeroU32;

use crate::company::CompanyCode;

/// The longest client name accepted.
const MAX_CLIENT_NAME_LEN: usize = 128;

/// One rule that a value of the access model breaks.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum AccessViolation {
    /// The value is empty (or only whitespace).
    Empty,
    /// The value is longer than allowed, in characters.
    TooLong {
        /// The greatest length allowed.
        max: usize,
    },
    /// The value holds whitespace or control characters.
    Whitespace,
    /// A client name holds characters other than ASCII letters, digits, `.`, `_`, `-`,
    /// `@` or `:`.
    NameCharacters,
    /// A company code in a list is not well formed.
    MalformedCompanyCode(String),
    /// A company list names `all` together with companies.
    AllWithCompanies,
    /// A rate limit is not written `N/s` or `N/min` with N at least 1.
    MalformedRateLimit,
    /// An API key does not have the shape of one (prefix, key id, secret).
    MalformedApiKey,
}

impl fmt::Display for AccessViolation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Empty => f.write_str("empty"),
            Self::TooLong { max } => write!(f, "longer than {max} characters"),
            Self::Whitespace => f.write_str("holds whitespace or control characters"),
            Self::NameCharacters => f.write_str(
                "holds characters other than ASCII letters, digits, '.', '_', '-', '@' or ':'",
            ),
            Self::MalformedCompanyCode(code) => write!(f, "{code:?} is not a company code"),
            Self::AllWithCompanies => f.write_str("names 'all' together with companies"),
            Self::MalformedRateLimit => {
                f.write_str("is not a rate such as 50/s or 600/min (at least 1)")
            }
            Self::MalformedApiKey => f.write_str("is not an API key of this service"),
        }
    }
}

/// The rules a value of the access model breaks: never empty.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}", .0.iter().map(ToString::to_string).collect::<Vec<_>>().join(", "))]
pub struct InvalidAccessValue(Vec<AccessViolation>);

impl InvalidAccessValue {
    /// An error for a single broken rule.
    pub fn single(violation: AccessViolation) -> Self {
        Self(vec![violation])
    }

    /// Every broken rule, in the order the rules were checked.
    pub fn violations(&self) -> &[AccessViolation] {
        &self.0
    }

    fn check(violations: Vec<AccessViolation>) -> Result<(), Self> {
        if violations.is_empty() {
            Ok(())
        } else {
            Err(Self(violations))
        }
    }
}

/// The name of a caller: 1 to 128 ASCII letters, digits, `.`, `_`, `-`, `@` or `:`,
/// case kept (an identity provider's client ids are case-sensitive).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ClientName(String);

impl ClientName {
    /// Reads a client name, surrounding whitespace ignored.
    ///
    /// # Errors
    /// Every rule broken among [`AccessViolation::Empty`], [`AccessViolation::TooLong`],
    /// [`AccessViolation::Whitespace`] and [`AccessViolation::NameCharacters`].
    pub fn parse(input: &str) -> Result<Self, InvalidAccessValue> {
        let name = input.trim();
        if name.is_empty() {
            return Err(InvalidAccessValue::single(AccessViolation::Empty));
        }
        let mut violations = Vec::new();
        if name.chars().count() > MAX_CLIENT_NAME_LEN {
            violations.push(AccessViolation::TooLong {
                max: MAX_CLIENT_NAME_LEN,
            });
        }
        if name.chars().any(|c| c.is_whitespace() || c.is_control()) {
            violations.push(AccessViolation::Whitespace);
        }
        if name
            .chars()
            .any(|c| !(c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-' | '@' | ':')))
            && !violations.contains(&AccessViolation::Whitespace)
        {
            violations.push(AccessViolation::NameCharacters);
        }
        InvalidAccessValue::check(violations)?;
        Ok(Self(name.to_owned()))
    }

    /// The name.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for ClientName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The companies a caller may search.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum CompanyScope {
    /// Every company of the group, present and future.
    All,
    /// These companies only (never empty when parsed).
    Only(BTreeSet<CompanyCode>),
}

impl CompanyScope {
    /// Reads `all` (or `*`) or a comma-separated list of company codes (`jtc,jfc`),
    /// case-insensitive, spaces around items ignored.
    ///
    /// # Errors
    /// [`AccessViolation::Empty`] for no company, every malformed code as
    /// [`AccessViolation::MalformedCompanyCode`], [`AccessViolation::AllWithCompanies`].
    pub fn parse(input: &str) -> Result<Self, InvalidAccessValue> {
        let items: Vec<&str> = input
            .split(',')
            .map(str::trim)
            .filter(|item| !item.is_empty())
            .collect();
        if items.is_empty() {
            return Err(InvalidAccessValue::single(AccessViolation::Empty));
        }
        let is_all = |item: &&str| *item == "*" || item.eq_ignore_ascii_case("all");
        if items.iter().any(is_all) {
            return if items.len() == 1 {
                Ok(Self::All)
            } else {
                Err(InvalidAccessValue::single(
                    AccessViolation::AllWithCompanies,
                ))
            };
        }
        let mut violations = Vec::new();
        let mut codes = BTreeSet::new();
        for item in items {
            match CompanyCode::parse(item) {
                Ok(code) => {
                    codes.insert(code);
                }
                Err(_) => violations.push(AccessViolation::MalformedCompanyCode(item.to_owned())),
            }
        }
        InvalidAccessValue::check(violations)?;
        Ok(Self::Only(codes))
    }

    /// Whether a caller with this scope may search `company`.
    pub fn permits(&self, company: &CompanyCode) -> bool {
        match self {
            Self::All => true,
            Self::Only(codes) => codes.contains(company),
        }
    }
}

impl fmt::Display for CompanyScope {
    /// `all`, or the codes in order separated by commas: what [`Self::parse`] reads back.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::All => f.write_str("all"),
            Self::Only(codes) => {
                for (i, code) in codes.iter().enumerate() {
                    if i > 0 {
                        f.write_str(",")?;
                    }
                    f.write_str(code.as_str())?;
                }
                Ok(())
            }
        }
    }
}

/// The window of a [`RateLimit`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RateWindow {
    /// Requests per second.
    Second,
    /// Requests per minute.
    Minute,
}

impl RateWindow {
    /// The window's length in seconds.
    pub fn seconds(self) -> u32 {
        match self {
            Self::Second => 1,
            Self::Minute => 60,
        }
    }
}

/// How many lookups a caller may make in a window: `50/s` or `600/min`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct RateLimit {
    /// Requests allowed in each window (also the burst).
    pub requests: NonZeroU32,
    /// The window.
    pub window: RateWindow,
}

impl RateLimit {
    /// Reads `N/s` (or `N/sec`, `N/second`) or `N/min` (or `N/m`, `N/minute`), N at
    /// least 1.
    ///
    /// # Errors
    /// [`AccessViolation::MalformedRateLimit`].
    pub fn parse(input: &str) -> Result<Self, InvalidAccessValue> {
        let malformed = || InvalidAccessValue::single(AccessViolation::MalformedRateLimit);
        let (count, unit) = input.trim().split_once('/').ok_or_else(malformed)?;
        let requests = count
            .trim()
            .parse::<NonZeroU32>()
            .map_err(|_| malformed())?;
        let window = match unit.trim().to_ascii_lowercase().as_str() {
            "s" | "sec" | "second" => RateWindow::Second,
            "m" | "min" | "minute" => RateWindow::Minute,
            _ => return Err(malformed()),
        };
        Ok(Self { requests, window })
    }
}

impl fmt::Display for RateLimit {
    /// What [`Self::parse`] reads back: `50/s`, `600/min`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.window {
            RateWindow::Second => write!(f, "{}/s", self.requests),
            RateWindow::Minute => write!(f, "{}/min", self.requests),
        }
    }
}

/// What a caller is allowed: the same whichever credential it presented.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientProfile {
    /// The caller's name.
    pub name: ClientName,
    /// The companies it may search.
    pub companies: CompanyScope,
    /// Its own rate limit; `None`: the configured default.
    pub rate_limit: Option<RateLimit>,
}

/// The credential a caller was recognised by.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Credential {
    /// An API key kept in the service's database, by its public id.
    ApiKey(crate::api_key::ApiKeyId),
    /// A bearer token of the identity provider, by its subject.
    Token {
        /// The token's `sub` claim.
        subject: String,
    },
    /// None: authentication is turned off by configuration.
    Anonymous,
}

impl fmt::Display for Credential {
    /// `key:<id>`, `token:<subject>` or `anonymous`: what the audit trail records.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::ApiKey(id) => write!(f, "key:{id}"),
            Self::Token { subject } => write!(f, "token:{subject}"),
            Self::Anonymous => f.write_str("anonymous"),
        }
    }
}

/// An authenticated caller: who it is, what it may do, and how it proved it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Caller {
    /// Who it is and what it may do.
    pub profile: ClientProfile,
    /// The credential it presented.
    pub credential: Credential,
}

impl Caller {
    /// The caller of every request when authentication is turned off: named `anonymous`,
    /// allowed every company, with the default rate limit.
    pub fn anonymous() -> Self {
        Self {
            profile: ClientProfile {
                name: ClientName("anonymous".to_owned()),
                companies: CompanyScope::All,
                rate_limit: None,
            },
            credential: Credential::Anonymous,
        }
    }

    /// Whether this caller may search `company`.
    pub fn may_search(&self, company: &CompanyCode) -> bool {
        self.profile.companies.permits(company)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn client_names_report_every_broken_rule() {
        assert!(ClientName::parse("call-centre").is_ok());
        assert!(ClientName::parse("svc:portal@group.sa").is_ok());
        assert_eq!(
            ClientName::parse("  ").unwrap_err().violations(),
            &[AccessViolation::Empty]
        );
        let long_with_space = format!("{} x", "a".repeat(130));
        assert_eq!(
            ClientName::parse(&long_with_space)
                .unwrap_err()
                .violations(),
            &[
                AccessViolation::TooLong { max: 128 },
                AccessViolation::Whitespace
            ]
        );
        assert_eq!(
            ClientName::parse("branch/1").unwrap_err().violations(),
            &[AccessViolation::NameCharacters]
        );
    }

    #[test]
    fn scopes_read_lists_and_all() {
        let scope = CompanyScope::parse(" JTC, jfc ,").expect("a list");
        assert_eq!(scope.to_string(), "jfc,jtc");
        assert!(scope.permits(&CompanyCode::parse("jtc").unwrap()));
        assert!(!scope.permits(&CompanyCode::parse("jgc").unwrap()));
        assert_eq!(CompanyScope::parse("ALL"), Ok(CompanyScope::All));
        assert_eq!(CompanyScope::parse("*"), Ok(CompanyScope::All));
        assert!(CompanyScope::All.permits(&CompanyCode::parse("any").unwrap()));
        assert_eq!(
            CompanyScope::parse("all,jtc").unwrap_err().violations(),
            &[AccessViolation::AllWithCompanies]
        );
        assert_eq!(
            CompanyScope::parse("j tc,x/y,jtc")
                .unwrap_err()
                .violations(),
            &[
                AccessViolation::MalformedCompanyCode("j tc".into()),
                AccessViolation::MalformedCompanyCode("x/y".into())
            ]
        );
        assert_eq!(
            CompanyScope::parse(" , ").unwrap_err().violations(),
            &[AccessViolation::Empty]
        );
    }

    #[test]
    fn rate_limits_read_per_second_and_per_minute() {
        let rate = RateLimit::parse("50/s").expect("per second");
        assert_eq!((rate.requests.get(), rate.window), (50, RateWindow::Second));
        assert_eq!(rate.to_string(), "50/s");
        let rate = RateLimit::parse(" 600 / MIN ").expect("per minute");
        assert_eq!(rate.to_string(), "600/min");
        assert_eq!(rate.window.seconds(), 60);
        for bad in ["0/s", "50", "x/s", "50/h", "-1/s", ""] {
            assert_eq!(
                RateLimit::parse(bad).unwrap_err().violations(),
                &[AccessViolation::MalformedRateLimit],
                "{bad:?}"
            );
        }
    }
}

//! Who may search: callers ("clients"), what each may do (read, write), the companies it
//! may do it in, their rate limits and the credentials they present.

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
    /// A word of a permission list is neither `read` nor `write`.
    UnknownPermission(String),
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
            Self::UnknownPermission(word) => {
                write!(f, "{word:?} is not a permission (read or write)")
            }
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

/// One thing a caller may do with the customers of its companies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Permission {
    /// Look customers up: `GET /v1/core/customer` and `GET /v1/core/customer/versions`.
    Read,
    /// Change customers: the write API (`PUT` and `DELETE` of customers).
    Write,
}

impl Permission {
    /// Every permission, in the order [`Permissions`] writes them.
    pub const ALL: [Self; 2] = [Self::Read, Self::Write];

    /// The word naming it: `read` or `write`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Read => "read",
            Self::Write => "write",
        }
    }
}

impl fmt::Display for Permission {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What a caller may do: a set of [`Permission`]s, never empty (a caller that may do
/// nothing has no reason to be). Written `read`, `write` or `read,write`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Permissions {
    read: bool,
    write: bool,
}

impl Permissions {
    /// Reading only: what a client is given unless said otherwise.
    pub const READ: Self = Self {
        read: true,
        write: false,
    };
    /// Writing only: a client that changes customers but may not look them up.
    pub const WRITE: Self = Self {
        read: false,
        write: true,
    };
    /// Reading and writing.
    pub const READ_WRITE: Self = Self {
        read: true,
        write: true,
    };

    /// Reads a comma-separated list of permissions (`read`, `write`, `read,write`),
    /// case-insensitive, spaces around words ignored, a word given twice counting once.
    ///
    /// # Errors
    /// [`AccessViolation::Empty`] for no word at all; otherwise every word that is not a
    /// permission, each as [`AccessViolation::UnknownPermission`].
    pub fn parse(input: &str) -> Result<Self, InvalidAccessValue> {
        let words: Vec<&str> = input
            .split(',')
            .map(str::trim)
            .filter(|word| !word.is_empty())
            .collect();
        if words.is_empty() {
            return Err(InvalidAccessValue::single(AccessViolation::Empty));
        }
        let mut violations = Vec::new();
        let mut permissions = Self {
            read: false,
            write: false,
        };
        for word in words {
            match Permission::ALL
                .into_iter()
                .find(|permission| word.eq_ignore_ascii_case(permission.as_str()))
            {
                Some(permission) => permissions = permissions.with(permission),
                None => violations.push(AccessViolation::UnknownPermission(word.to_owned())),
            }
        }
        InvalidAccessValue::check(violations)?;
        Ok(permissions)
    }

    /// Whether these permissions include `permission`.
    pub fn allows(self, permission: Permission) -> bool {
        match permission {
            Permission::Read => self.read,
            Permission::Write => self.write,
        }
    }

    /// These permissions and `permission` besides.
    #[must_use]
    pub fn with(self, permission: Permission) -> Self {
        match permission {
            Permission::Read => Self { read: true, ..self },
            Permission::Write => Self {
                write: true,
                ..self
            },
        }
    }

    /// The permissions held, in the order of [`Permission::ALL`].
    pub fn iter(self) -> impl Iterator<Item = Permission> {
        Permission::ALL
            .into_iter()
            .filter(move |permission| self.allows(*permission))
    }
}

impl Default for Permissions {
    /// [`Permissions::READ`]: what a client added without permissions of its own gets,
    /// and what the clients stored before permissions existed kept.
    fn default() -> Self {
        Self::READ
    }
}

impl fmt::Display for Permissions {
    /// `read`, `write` or `read,write`: what [`Self::parse`] reads back.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let words: Vec<&str> = self.iter().map(Permission::as_str).collect();
        f.write_str(&words.join(","))
    }
}

/// What a caller is allowed: the same whichever credential it presented.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientProfile {
    /// The caller's name.
    pub name: ClientName,
    /// What it may do in its companies.
    pub permissions: Permissions,
    /// The companies it may search (and, with [`Permission::Write`], change).
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
    /// allowed to read and write every company, with the default rate limit.
    pub fn anonymous() -> Self {
        Self {
            profile: ClientProfile {
                name: ClientName("anonymous".to_owned()),
                permissions: Permissions::READ_WRITE,
                companies: CompanyScope::All,
                rate_limit: None,
            },
            credential: Credential::Anonymous,
        }
    }

    /// Whether this caller may do `permission` at all, in whichever company.
    pub fn may(&self, permission: Permission) -> bool {
        self.profile.permissions.allows(permission)
    }

    /// Whether this caller may search (read) the customers of `company`: it needs
    /// [`Permission::Read`] and the company in its scope.
    pub fn may_search(&self, company: &CompanyCode) -> bool {
        self.may(Permission::Read) && self.profile.companies.permits(company)
    }

    /// Whether this caller may change the customers of `company`: it needs
    /// [`Permission::Write`] and the company in its scope.
    ///
    /// What the write API (`PUT` and `DELETE` of customers) is to ask before any change;
    /// no request of the service asks it yet.
    pub fn may_write(&self, company: &CompanyCode) -> bool {
        self.may(Permission::Write) && self.profile.companies.permits(company)
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
    fn permissions_read_words_in_any_case_and_write_them_canonically() {
        for (input, expected, text) in [
            ("read", Permissions::READ, "read"),
            ("write", Permissions::WRITE, "write"),
            ("read,write", Permissions::READ_WRITE, "read,write"),
            (" WRITE , Read ", Permissions::READ_WRITE, "read,write"),
            ("write,write,", Permissions::WRITE, "write"),
        ] {
            let parsed = Permissions::parse(input).expect("valid permissions");
            assert_eq!(parsed, expected, "{input:?}");
            assert_eq!(parsed.to_string(), text, "{input:?}");
            assert_eq!(Permissions::parse(text), Ok(parsed), "{text:?} reads back");
        }
        assert_eq!(Permissions::default(), Permissions::READ);
        assert_eq!(
            Permissions::WRITE.with(Permission::Read),
            Permissions::READ_WRITE
        );
        assert_eq!(
            Permissions::READ_WRITE.iter().collect::<Vec<_>>(),
            Permission::ALL
        );
        assert!(Permissions::READ.allows(Permission::Read));
        assert!(!Permissions::READ.allows(Permission::Write));
        assert!(!Permissions::WRITE.allows(Permission::Read));
    }

    #[test]
    fn permissions_name_every_unknown_word_and_refuse_none() {
        for empty in ["", "  ", " , ,"] {
            assert_eq!(
                Permissions::parse(empty).unwrap_err().violations(),
                &[AccessViolation::Empty],
                "{empty:?}"
            );
        }
        let error = Permissions::parse("read, admin,wrte ,write").unwrap_err();
        assert_eq!(
            error.violations(),
            &[
                AccessViolation::UnknownPermission("admin".into()),
                AccessViolation::UnknownPermission("wrte".into())
            ]
        );
        assert_eq!(
            error.to_string(),
            "\"admin\" is not a permission (read or write), \
             \"wrte\" is not a permission (read or write)"
        );
        assert_eq!(
            Permissions::parse("read write").unwrap_err().violations(),
            &[AccessViolation::UnknownPermission("read write".into())]
        );
    }

    fn caller(permissions: Permissions, companies: &str) -> Caller {
        Caller {
            profile: ClientProfile {
                name: ClientName::parse("branch").unwrap(),
                permissions,
                companies: CompanyScope::parse(companies).unwrap(),
                rate_limit: None,
            },
            credential: Credential::Anonymous,
        }
    }

    #[test]
    fn searching_needs_read_and_writing_needs_write_in_the_companys_scope() {
        let jtc = CompanyCode::parse("jtc").unwrap();
        let jfc = CompanyCode::parse("jfc").unwrap();
        let reader = caller(Permissions::READ, "jtc");
        assert!(reader.may_search(&jtc));
        assert!(!reader.may_search(&jfc));
        assert!(!reader.may_write(&jtc));
        let writer = caller(Permissions::WRITE, "jtc");
        assert!(!writer.may_search(&jtc));
        assert!(writer.may_write(&jtc));
        assert!(!writer.may_write(&jfc));
        assert!(!writer.may(Permission::Read));
        let both = caller(Permissions::READ_WRITE, "all");
        assert!(both.may_search(&jfc) && both.may_write(&jfc));
    }

    #[test]
    fn the_anonymous_caller_may_read_and_write_everywhere() {
        let anonymous = Caller::anonymous();
        let any = CompanyCode::parse("any").unwrap();
        assert_eq!(anonymous.profile.permissions, Permissions::READ_WRITE);
        assert!(anonymous.may_search(&any));
        assert!(anonymous.may_write(&any));
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

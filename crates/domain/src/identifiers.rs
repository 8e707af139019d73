//! The identifiers a customer can be looked up by.

use std::fmt;

use crate::digits::normalize_digits;
use crate::violation::{InvalidValue, Violation};

/// The longest identification or reference number accepted, in characters.
const MAX_FREE_TEXT_LEN: usize = 64;
/// The longest mobile number accepted, in digits.
const MAX_MOBILE_DIGITS: usize = 15;

/// A customer's identifier: a positive 64-bit integer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CustomerId(i64);

impl CustomerId {
    /// Reads a customer id written in ASCII or Arabic-Indic digits, surrounding whitespace
    /// ignored.
    ///
    /// # Errors
    /// [`Violation::Empty`], [`Violation::NotAnInteger`], [`Violation::NotPositive`] or
    /// [`Violation::TooLarge`].
    pub fn parse(input: &str) -> Result<Self, InvalidValue> {
        let normalized = normalize_digits(input.trim());
        let text = normalized.as_ref();
        let (negative, digits) = match text.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, text.strip_prefix('+').unwrap_or(text)),
        };
        if text.is_empty() {
            return Err(InvalidValue::single(Violation::Empty));
        }
        if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return Err(InvalidValue::single(Violation::NotAnInteger));
        }
        let is_zero = digits.bytes().all(|b| b == b'0');
        if negative || is_zero {
            return Err(InvalidValue::single(Violation::NotPositive));
        }
        digits
            .parse::<i64>()
            .map(Self)
            .map_err(|_| InvalidValue::single(Violation::TooLarge))
    }

    /// Wraps an identifier read from storage, where it is known to be valid.
    ///
    /// # Errors
    /// [`Violation::NotPositive`] when `id` is not greater than zero.
    pub fn new(id: i64) -> Result<Self, InvalidValue> {
        if id > 0 {
            Ok(Self(id))
        } else {
            Err(InvalidValue::single(Violation::NotPositive))
        }
    }

    /// The identifier.
    pub fn get(self) -> i64 {
        self.0
    }
}

impl fmt::Display for CustomerId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// Checks a free-text identifier (identification or reference number): trimmed,
/// Arabic-Indic digits read as ASCII, not empty, at most 64 characters, no control
/// characters.
fn parse_free_text(input: &str) -> Result<String, InvalidValue> {
    let normalized = normalize_digits(input.trim());
    if normalized.is_empty() {
        return Err(InvalidValue::single(Violation::Empty));
    }
    let mut violations = Vec::new();
    if normalized.chars().count() > MAX_FREE_TEXT_LEN {
        violations.push(Violation::TooLong {
            max: MAX_FREE_TEXT_LEN,
        });
    }
    if normalized.chars().any(char::is_control) {
        violations.push(Violation::ControlCharacters);
    }
    InvalidValue::from_violations(violations)?;
    Ok(normalized.into_owned())
}

/// An identification number: national ID, iqama, passport or commercial registration
/// number, matched exactly.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct IdentificationNumber(String);

impl IdentificationNumber {
    /// Reads an identification number: at most 64 characters, no control characters,
    /// Arabic-Indic digits read as ASCII, surrounding whitespace ignored.
    ///
    /// # Errors
    /// [`Violation::Empty`], [`Violation::TooLong`] or [`Violation::ControlCharacters`].
    pub fn parse(input: &str) -> Result<Self, InvalidValue> {
        parse_free_text(input).map(Self)
    }

    /// The normalised number.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A reference (policy, contract, application...) attached to a customer.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ReferenceNumber(String);

impl ReferenceNumber {
    /// Reads a reference number: at most 64 characters, no control characters,
    /// Arabic-Indic digits read as ASCII, surrounding whitespace ignored.
    ///
    /// # Errors
    /// [`Violation::Empty`], [`Violation::TooLong`] or [`Violation::ControlCharacters`].
    pub fn parse(input: &str) -> Result<Self, InvalidValue> {
        parse_free_text(input).map(Self)
    }

    /// The normalised reference.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A Saudi mobile number in national form without the leading zero: digits only,
/// starting with `5` (`568617084`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct MobileNumber(String);

impl MobileNumber {
    /// Reads a mobile number: spaces and hyphens inside it are ignored, Arabic-Indic
    /// digits are read as ASCII; what remains must be digits only, start with `5`, and
    /// hold at most 15 digits.
    ///
    /// # Errors
    /// [`Violation::Empty`], [`Violation::NotDigits`], [`Violation::MustStartWith5`] and
    /// [`Violation::TooLong`], every one that applies.
    pub fn parse(input: &str) -> Result<Self, InvalidValue> {
        let digits: String = normalize_digits(input)
            .chars()
            .filter(|c| !c.is_whitespace() && *c != '-')
            .collect();
        if digits.is_empty() {
            return Err(InvalidValue::single(Violation::Empty));
        }
        let mut violations = Vec::new();
        if !digits.bytes().all(|b| b.is_ascii_digit()) {
            violations.push(Violation::NotDigits);
        }
        if !digits.starts_with('5') {
            violations.push(Violation::MustStartWith5);
        }
        if digits.chars().count() > MAX_MOBILE_DIGITS {
            violations.push(Violation::TooLong {
                max: MAX_MOBILE_DIGITS,
            });
        }
        InvalidValue::from_violations(violations)?;
        Ok(Self(digits))
    }

    /// The digits.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn violations<T: fmt::Debug>(result: Result<T, InvalidValue>) -> Vec<Violation> {
        result.expect_err("must be invalid").violations().to_vec()
    }

    #[test]
    fn customer_ids_accept_ascii_and_arabic_digits() {
        assert_eq!(CustomerId::parse("54218").map(CustomerId::get), Ok(54218));
        assert_eq!(CustomerId::parse(" ٥٤٢١٨ ").map(CustomerId::get), Ok(54218));
        assert_eq!(CustomerId::parse("۵۴۲۱۸").map(CustomerId::get), Ok(54218));
        assert_eq!(
            CustomerId::parse("9223372036854775807").map(CustomerId::get),
            Ok(i64::MAX)
        );
    }

    #[test]
    fn customer_ids_must_be_positive_integers_that_fit() {
        assert_eq!(violations(CustomerId::parse("0")), [Violation::NotPositive]);
        assert_eq!(
            violations(CustomerId::parse("-7")),
            [Violation::NotPositive]
        );
        assert_eq!(
            violations(CustomerId::parse("12a")),
            [Violation::NotAnInteger]
        );
        assert_eq!(
            violations(CustomerId::parse("1.5")),
            [Violation::NotAnInteger]
        );
        assert_eq!(
            violations(CustomerId::parse("-")),
            [Violation::NotAnInteger]
        );
        assert_eq!(
            violations(CustomerId::parse("9223372036854775808")),
            [Violation::TooLarge]
        );
        assert_eq!(violations(CustomerId::parse(" ")), [Violation::Empty]);
    }

    #[test]
    fn mobile_numbers_ignore_spaces_and_hyphens() {
        assert_eq!(
            MobileNumber::parse("56 861-7084").map(|m| m.0),
            Ok("568617084".to_owned())
        );
        assert_eq!(
            MobileNumber::parse("٥٦٨٦١٧٠٨٤").map(|m| m.0),
            Ok("568617084".to_owned())
        );
    }

    #[test]
    fn mobile_numbers_report_every_broken_rule() {
        assert_eq!(
            violations(MobileNumber::parse("468617084")),
            [Violation::MustStartWith5]
        );
        assert_eq!(
            violations(MobileNumber::parse("5686x7084")),
            [Violation::NotDigits]
        );
        assert_eq!(
            violations(MobileNumber::parse("+966568617084")),
            [Violation::NotDigits, Violation::MustStartWith5]
        );
        assert_eq!(
            violations(MobileNumber::parse("4123456789012345")),
            [Violation::MustStartWith5, Violation::TooLong { max: 15 }]
        );
        assert_eq!(violations(MobileNumber::parse(" - ")), [Violation::Empty]);
    }

    #[test]
    fn fifteen_digit_mobile_numbers_are_accepted() {
        assert!(MobileNumber::parse("512345678901234").is_ok());
    }

    #[test]
    fn free_text_identifiers_are_bounded_and_printable() {
        assert_eq!(
            IdentificationNumber::parse(" ٢١٠٣٢٣٢١٢٣ ").map(|n| n.0),
            Ok("2103232123".to_owned())
        );
        assert!(ReferenceNumber::parse(&"ب".repeat(64)).is_ok());
        assert_eq!(
            violations(ReferenceNumber::parse(&"x".repeat(65))),
            [Violation::TooLong { max: 64 }]
        );
        assert_eq!(
            violations(IdentificationNumber::parse("12\u{0}3")),
            [Violation::ControlCharacters]
        );
        assert_eq!(
            violations(IdentificationNumber::parse("\t")),
            [Violation::Empty]
        );
    }
}

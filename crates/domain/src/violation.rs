use std::fmt;

/// One rule that an input value breaks.
///
/// Value types report every rule an input breaks, so that a caller can report all
/// problems of a request at once.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Violation {
    /// The value is not a whole number written with digits only.
    NotAnInteger,
    /// The value is zero or negative where only positive numbers are allowed.
    NotPositive,
    /// The number does not fit in a signed 64-bit integer.
    TooLarge,
    /// The value holds characters other than digits (after the allowed separators are removed).
    NotDigits,
    /// A mobile number does not start with the digit `5`.
    MustStartWith5,
    /// The value is longer than allowed (in characters, or digits for a mobile number).
    TooLong {
        /// The greatest length allowed.
        max: usize,
    },
    /// The value holds control characters.
    ControlCharacters,
    /// The value is empty (or only whitespace).
    Empty,
    /// The language is not one of the supported ones.
    UnsupportedLanguage,
    /// The company code is not well formed.
    MalformedCompanyCode,
}

impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::NotAnInteger => f.write_str("not a whole number"),
            Self::NotPositive => f.write_str("not greater than zero"),
            Self::TooLarge => f.write_str("does not fit in 64 bits"),
            Self::NotDigits => f.write_str("not digits only"),
            Self::MustStartWith5 => f.write_str("does not start with 5"),
            Self::TooLong { max } => write!(f, "longer than {max}"),
            Self::ControlCharacters => f.write_str("holds control characters"),
            Self::Empty => f.write_str("empty"),
            Self::UnsupportedLanguage => f.write_str("unsupported language"),
            Self::MalformedCompanyCode => f.write_str("malformed company code"),
        }
    }
}

/// The rules an input value breaks: never empty.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid value: {}", .0.iter().map(ToString::to_string).collect::<Vec<_>>().join(", "))]
pub struct InvalidValue(Vec<Violation>);

impl InvalidValue {
    /// An error for a single broken rule.
    pub fn single(violation: Violation) -> Self {
        Self(vec![violation])
    }

    /// Every broken rule, in the order the rules were checked.
    pub fn violations(&self) -> &[Violation] {
        &self.0
    }

    pub(crate) fn from_violations(violations: Vec<Violation>) -> Result<(), Self> {
        if violations.is_empty() {
            Ok(())
        } else {
            Err(Self(violations))
        }
    }
}

use std::fmt;

use crate::violation::{InvalidValue, Violation};

/// A language the service answers in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Language {
    /// Arabic (`ar`).
    Arabic,
    /// English (`en`), also the language of messages when a request names none.
    #[default]
    English,
}

impl Language {
    /// Reads `ar` or `en`, ignoring case and surrounding whitespace.
    ///
    /// # Errors
    /// [`Violation::UnsupportedLanguage`] for anything else.
    pub fn parse(input: &str) -> Result<Self, InvalidValue> {
        let code = input.trim();
        if code.eq_ignore_ascii_case("ar") {
            Ok(Self::Arabic)
        } else if code.eq_ignore_ascii_case("en") {
            Ok(Self::English)
        } else {
            Err(InvalidValue::single(Violation::UnsupportedLanguage))
        }
    }

    /// The two-letter code: `ar` or `en`.
    pub fn code(self) -> &'static str {
        match self {
            Self::Arabic => "ar",
            Self::English => "en",
        }
    }
}

impl fmt::Display for Language {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_case_insensitive() {
        assert_eq!(Language::parse("AR"), Ok(Language::Arabic));
        assert_eq!(Language::parse(" En "), Ok(Language::English));
    }

    #[test]
    fn other_codes_are_rejected() {
        for input in ["fr", "", "arabic", "a r"] {
            assert_eq!(
                Language::parse(input),
                Err(InvalidValue::single(Violation::UnsupportedLanguage)),
                "{input:?}"
            );
        }
    }
}

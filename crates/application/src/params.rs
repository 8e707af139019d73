//! The parameters of a lookup as they arrive, before any rule is applied.

use customer_domain::Language;

/// A query parameter of the lookup.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Param {
    /// `companyCode`: the company to search in; required.
    CompanyCode,
    /// `customerId`: optional.
    CustomerId,
    /// `identificationNo`: optional.
    IdentificationNo,
    /// `mobileNumber`: optional.
    MobileNumber,
    /// `referenceNo`: optional.
    ReferenceNo,
    /// `lang`: the language of the answer; required.
    Lang,
}

impl Param {
    /// Every parameter, in the contract's order.
    pub const ALL: [Self; 6] = [
        Self::CompanyCode,
        Self::CustomerId,
        Self::IdentificationNo,
        Self::MobileNumber,
        Self::ReferenceNo,
        Self::Lang,
    ];

    /// The identifiers, at least one of which a lookup needs.
    pub const IDENTIFIERS: [Self; 4] = [
        Self::CustomerId,
        Self::IdentificationNo,
        Self::MobileNumber,
        Self::ReferenceNo,
    ];

    /// The name on the wire, as the contract spells it.
    pub fn name(self) -> &'static str {
        match self {
            Self::CompanyCode => "companyCode",
            Self::CustomerId => "customerId",
            Self::IdentificationNo => "identificationNo",
            Self::MobileNumber => "mobileNumber",
            Self::ReferenceNo => "referenceNo",
            Self::Lang => "lang",
        }
    }

    /// The parameter a query-string name stands for, ignoring case.
    fn from_name(name: &str) -> Option<Self> {
        Self::ALL
            .into_iter()
            .find(|param| param.name().eq_ignore_ascii_case(name))
    }

    fn index(self) -> usize {
        self as usize
    }
}

/// The parameters of a lookup as they arrived: names matched case-insensitively,
/// unknown names dropped, repetitions remembered. Nothing is validated yet.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RawSearchParams {
    values: [Option<String>; 6],
    repeated: [bool; 6],
}

impl RawSearchParams {
    /// Reads decoded query-string pairs, in order.
    pub fn from_pairs<I, K, V>(pairs: I) -> Self
    where
        I: IntoIterator<Item = (K, V)>,
        K: AsRef<str>,
        V: Into<String>,
    {
        let mut params = Self::default();
        for (name, value) in pairs {
            if let Some(param) = Param::from_name(name.as_ref()) {
                params.push(param, value);
            }
        }
        params
    }

    /// Adds a value of `param`; a second value marks it as repeated.
    fn push(&mut self, param: Param, value: impl Into<String>) {
        let slot = &mut self.values[param.index()];
        if slot.is_some() {
            self.repeated[param.index()] = true;
        } else {
            *slot = Some(value.into());
        }
    }

    /// Adds a value of `param`, for callers that hold the parameters one by one rather
    /// than as query-string pairs.
    #[must_use]
    pub fn with(mut self, param: Param, value: impl Into<String>) -> Self {
        self.push(param, value);
        self
    }

    /// The trimmed value of `param` (the first one, when repeated), or `None` when it was
    /// not given or is blank.
    pub fn value(&self, param: Param) -> Option<&str> {
        self.values[param.index()]
            .as_deref()
            .map(str::trim)
            .filter(|value| !value.is_empty())
    }

    /// Whether `param` was given more than once.
    pub fn is_repeated(&self, param: Param) -> bool {
        self.repeated[param.index()]
    }

    /// The language to answer in: the requested one when `lang` is valid, English
    /// otherwise (so that even the error about `lang` can be read).
    pub fn language(&self) -> Language {
        if self.is_repeated(Param::Lang) {
            return Language::default();
        }
        self.value(Param::Lang)
            .and_then(|lang| Language::parse(lang).ok())
            .unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_match_case_insensitively_and_unknown_ones_are_dropped() {
        let params = RawSearchParams::from_pairs([
            ("MobileNumber", "568617084"),
            ("COMPANYCODE", "jtc"),
            ("unknown", "x"),
        ]);
        assert_eq!(params.value(Param::MobileNumber), Some("568617084"));
        assert_eq!(params.value(Param::CompanyCode), Some("jtc"));
        assert_eq!(params.value(Param::CustomerId), None);
    }

    #[test]
    fn repeated_names_are_remembered_whatever_their_case() {
        let params = RawSearchParams::from_pairs([("lang", "ar"), ("LANG", "en")]);
        assert!(params.is_repeated(Param::Lang));
        assert!(!params.is_repeated(Param::CompanyCode));
    }

    #[test]
    fn values_are_trimmed_and_blank_ones_are_absent() {
        let params = RawSearchParams::default()
            .with(Param::ReferenceNo, "  333215 ")
            .with(Param::CustomerId, " \t ");
        assert_eq!(params.value(Param::ReferenceNo), Some("333215"));
        assert_eq!(params.value(Param::CustomerId), None);
    }

    #[test]
    fn the_answer_language_falls_back_to_english() {
        let arabic = RawSearchParams::default().with(Param::Lang, "AR");
        assert_eq!(arabic.language(), Language::Arabic);
        let unknown = RawSearchParams::default().with(Param::Lang, "fr");
        assert_eq!(unknown.language(), Language::English);
        assert_eq!(RawSearchParams::default().language(), Language::English);
    }
}

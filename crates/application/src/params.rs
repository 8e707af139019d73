//! The parameters of a lookup as they arrive, before any rule is applied.

use customer_domain::{Criterion, Language};

/// A query parameter of the lookup.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Param {
    /// `companyCode`: the company to search in; required.
    CompanyCode,
    /// `customerId` ([`Criterion::CustomerId`]): optional.
    CustomerId,
    /// `identificationNo` ([`Criterion::IdentificationNo`]): optional.
    IdentificationNo,
    /// `mobileNumber` ([`Criterion::MobileNumber`]): optional.
    MobileNumber,
    /// `referenceNo` ([`Criterion::ReferenceNo`]): optional.
    ReferenceNo,
    /// `lang`: the language of the answer; required.
    Lang,
    /// `asOf`: the moment whose versions to search (RFC 3339, with an offset); optional,
    /// the current versions when absent.
    AsOf,
}

impl Param {
    /// Every parameter, in the contract's order.
    pub const ALL: [Self; 7] = [
        Self::CompanyCode,
        Self::CustomerId,
        Self::IdentificationNo,
        Self::MobileNumber,
        Self::ReferenceNo,
        Self::Lang,
        Self::AsOf,
    ];

    /// The identifiers, at least one of which a lookup needs, in the contract's order:
    /// the domain's [`Criterion::ALL`], so that the two cannot disagree.
    pub const IDENTIFIERS: [Self; 4] = {
        let [a, b, c, d] = Criterion::ALL;
        [
            Self::identifier(a),
            Self::identifier(b),
            Self::identifier(c),
            Self::identifier(d),
        ]
    };

    /// The parameter that carries `criterion`.
    pub const fn identifier(criterion: Criterion) -> Self {
        match criterion {
            Criterion::CustomerId => Self::CustomerId,
            Criterion::IdentificationNo => Self::IdentificationNo,
            Criterion::MobileNumber => Self::MobileNumber,
            Criterion::ReferenceNo => Self::ReferenceNo,
        }
    }

    /// The criterion this parameter carries; `None` for `companyCode`, `lang` and `asOf`.
    pub const fn criterion(self) -> Option<Criterion> {
        match self {
            Self::CustomerId => Some(Criterion::CustomerId),
            Self::IdentificationNo => Some(Criterion::IdentificationNo),
            Self::MobileNumber => Some(Criterion::MobileNumber),
            Self::ReferenceNo => Some(Criterion::ReferenceNo),
            Self::CompanyCode | Self::Lang | Self::AsOf => None,
        }
    }

    /// The name on the wire, as the contract spells it; an identifier's is its
    /// criterion's ([`Criterion::name`]).
    pub fn name(self) -> &'static str {
        match self.criterion() {
            Some(criterion) => criterion.name(),
            None if self == Self::Lang => "lang",
            None if self == Self::AsOf => "asOf",
            None => "companyCode",
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
    values: [Option<String>; Param::ALL.len()],
    repeated: [bool; Param::ALL.len()],
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
    fn identifiers_are_the_criteria_and_carry_their_names() {
        assert_eq!(Param::IDENTIFIERS, Param::ALL[1..5]);
        for (param, criterion) in Param::IDENTIFIERS.into_iter().zip(Criterion::ALL) {
            assert_eq!(param.criterion(), Some(criterion));
            assert_eq!(param.name(), criterion.name());
        }
        assert_eq!(Param::CompanyCode.criterion(), None);
        assert_eq!(Param::Lang.criterion(), None);
        assert_eq!(Param::AsOf.criterion(), None);
        assert_eq!(Param::AsOf.name(), "asOf");
    }

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

//! The tables the generator draws from: names, nationalities, places, companies, words
//! and the ids of the reference data. Data only: the types here describe the rows of the
//! tables, the submodules hold the tables.

pub(crate) mod codes;
pub(crate) mod companies;
pub(crate) mod names;
pub(crate) mod nationalities;
pub(crate) mod places;
pub(crate) mod words;

/// A company of the group (a tenant of the service).
#[derive(Debug)]
pub(crate) struct Tenant {
    pub(crate) id: i32,
    pub(crate) code: &'static str,
    pub(crate) name_ar: &'static str,
    pub(crate) name_en: &'static str,
    /// Prefixes of its reference numbers.
    pub(crate) prefixes: &'static [&'static str],
}

/// A name in the script it is stored in, and in Latin letters (for e-mail addresses).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Name {
    pub(crate) local: &'static str,
    pub(crate) latin: &'static str,
}

/// A name in Arabic script, with its Latin spelling.
pub(crate) const fn ar(local: &'static str, latin: &'static str) -> Name {
    Name { local, latin }
}

/// A name in Latin script.
pub(crate) const fn la(latin: &'static str) -> Name {
    Name {
        local: latin,
        latin,
    }
}

/// Common names of a group of nationalities.
#[derive(Debug)]
pub(crate) struct Names {
    pub(crate) arabic_script: bool,
    pub(crate) male: &'static [Name],
    pub(crate) female: &'static [Name],
    /// Middle names: the father's first name for Arab names.
    pub(crate) middle: &'static [Name],
    pub(crate) middle_per_mille: u32,
    pub(crate) family: &'static [Name],
}

/// How a nationality is identified in Saudi Arabia.
#[derive(Debug, Clone, Copy)]
pub(crate) enum IdKind {
    NationalId,
    Gcc(GccFormat),
    Iqama,
}

/// The format of the national IDs of a GCC country.
#[derive(Debug, Clone, Copy)]
pub(crate) enum GccFormat {
    Emirati,
    Kuwaiti,
    Qatari,
    Bahraini,
    Omani,
}

/// Mobile numbers of a home country: its phone code id, first digits, length.
#[derive(Debug, Clone, Copy)]
pub(crate) struct HomeMobile {
    pub(crate) code: i32,
    pub(crate) prefixes: &'static [&'static str],
    pub(crate) length: u32,
}

/// The mobile numbers of a home country.
pub(crate) const fn home(code: i32, prefixes: &'static [&'static str], length: u32) -> HomeMobile {
    HomeMobile {
        code,
        prefixes,
        length,
    }
}

/// A nationality of the reference data and how its people are drawn.
#[derive(Debug)]
pub(crate) struct Nationality {
    pub(crate) id: i32,
    pub(crate) names: &'static Names,
    pub(crate) female_per_mille: u32,
    pub(crate) identification: IdKind,
    pub(crate) home: Option<HomeMobile>,
    /// Preferred languages (id, weight).
    pub(crate) languages: &'static [(i32, u32)],
    /// Monthly income ranges (id, weight).
    pub(crate) income: &'static [(i32, u32)],
}

/// A nationality, fields in declaration order.
pub(crate) const fn nationality(
    id: i32,
    names: &'static Names,
    female_per_mille: u32,
    identification: IdKind,
    home: Option<HomeMobile>,
    languages: &'static [(i32, u32)],
    income: &'static [(i32, u32)],
) -> Nationality {
    Nationality {
        id,
        names,
        female_per_mille,
        identification,
        home,
        languages,
        income,
    }
}

/// An industry type and the words of company names in it.
#[derive(Debug)]
pub(crate) struct Industry {
    pub(crate) id: i32,
    pub(crate) ar: &'static str,
    pub(crate) en: &'static str,
}

/// A district: its name, and the address line that names it.
#[derive(Debug, Clone, Copy)]
pub(crate) struct District {
    pub(crate) name: Name,
    pub(crate) ar_line: &'static str,
    pub(crate) en_line: &'static str,
}

/// A district, named in Arabic and in English.
pub(crate) const fn district(
    ar_name: &'static str,
    en_name: &'static str,
    ar_line: &'static str,
    en_line: &'static str,
) -> District {
    District {
        name: ar(ar_name, en_name),
        ar_line,
        en_line,
    }
}

/// What the generator knows of a city of the reference data: how many customers live
/// there (relative weight) and the code of its commercial registration office.
#[derive(Debug)]
pub(crate) struct CityDetails {
    pub(crate) id: i32,
    pub(crate) weight: u32,
    pub(crate) cr_office: &'static str,
}

/// A city's details.
pub(crate) const fn city(id: i32, weight: u32, cr_office: &'static str) -> CityDetails {
    CityDetails {
        id,
        weight,
        cr_office,
    }
}

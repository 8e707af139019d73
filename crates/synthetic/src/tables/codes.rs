//! Ids of the reference data (`2026-11-26-000002_reference_data`) the generator uses, and
//! how often the coded values are drawn.

// Genders, customer types, phone codes, countries, identification types, languages.
pub(crate) const MALE: i32 = 1;
pub(crate) const FEMALE: i32 = 2;
pub(crate) const INDIVIDUAL: i32 = 1;
pub(crate) const COMPANY: i32 = 2;
pub(crate) const SAUDI_PHONE_CODE: i32 = 1;
pub(crate) const SAUDI_ARABIA: i32 = 1;
pub(crate) const NATIONAL_ID: i32 = 1;
pub(crate) const IQAMA: i32 = 2;
pub(crate) const PASSPORT: i32 = 3;
pub(crate) const GCC_ID: i32 = 4;
pub(crate) const CR: i32 = 5;
pub(crate) const UNIFIED_NUMBER: i32 = 7;
pub(crate) const ARABIC: i32 = 1;
pub(crate) const ENGLISH: i32 = 2;

/// Preferred contact types (id, weight): voice call, SMS, e-mail, messaging app, post.
pub(crate) const CONTACT_TYPES: &[(i32, u32)] = &[(1, 30), (2, 25), (3, 15), (4, 28), (5, 2)];

/// Company types (id, weight).
pub(crate) const COMPANY_TYPES: &[(i32, u32)] =
    &[(1, 45), (2, 5), (3, 30), (4, 4), (5, 3), (6, 10), (7, 3)];

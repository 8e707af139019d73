//! Customers as they are written: a customer document (what a version holds, as the core
//! systems and files give it), the changes a writer applies, and what each change did.

use std::collections::{BTreeSet, HashMap, HashSet};

use chrono::NaiveDateTime;

use crate::company::{CompanyCode, CompanyId};
use crate::customer::Customer;
use crate::identifiers::{CustomerId, IdentificationNumber, MobileNumber, ReferenceNumber};

/// A category of coded values: one reference table each.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum CodeCategory {
    /// `nationalities`.
    Nationality,
    /// `genders`.
    Gender,
    /// `customer_types`.
    CustomerType,
    /// `company_types`.
    CompanyType,
    /// `industry_types`.
    IndustryType,
    /// `contact_types`.
    ContactType,
    /// `phone_codes`.
    PhoneCode,
    /// `identification_types`.
    IdentificationType,
    /// `countries`.
    Country,
    /// `regions`.
    Region,
    /// `cities`.
    City,
    /// `income_ranges`.
    IncomeRange,
    /// `languages`.
    Language,
    /// `relation_types`.
    RelationType,
}

impl CodeCategory {
    /// Every category, in declaration order.
    pub const ALL: [Self; 14] = [
        Self::Nationality,
        Self::Gender,
        Self::CustomerType,
        Self::CompanyType,
        Self::IndustryType,
        Self::ContactType,
        Self::PhoneCode,
        Self::IdentificationType,
        Self::Country,
        Self::Region,
        Self::City,
        Self::IncomeRange,
        Self::Language,
        Self::RelationType,
    ];
}

/// The coded values and companies that exist, as a document is checked against them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CodeBook {
    codes: HashSet<(CodeCategory, i32)>,
    companies: HashMap<CompanyCode, CompanyId>,
}

impl CodeBook {
    /// A code book of `codes` and `companies`.
    pub fn new(
        codes: impl IntoIterator<Item = (CodeCategory, i32)>,
        companies: impl IntoIterator<Item = (CompanyCode, CompanyId)>,
    ) -> Self {
        Self {
            codes: codes.into_iter().collect(),
            companies: companies.into_iter().collect(),
        }
    }

    /// Whether `id` is a value of `category`.
    pub fn has_code(&self, category: CodeCategory, id: i32) -> bool {
        self.codes.contains(&(category, id))
    }

    /// The company whose code is `code`, when one has it.
    pub fn company(&self, code: &CompanyCode) -> Option<CompanyId> {
        self.companies.get(code).copied()
    }

    /// The code of company `id`, when it exists.
    pub fn code_of(&self, id: CompanyId) -> Option<&CompanyCode> {
        self.companies
            .iter()
            .find(|(_, company)| **company == id)
            .map(|(code, _)| code)
    }
}

/// What one version of a customer says of it: every field of a version but its
/// numbering and dates, coded values by their identifiers.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[expect(
    missing_docs,
    reason = "each field is the version's field of the same name"
)]
pub struct CustomerProfile {
    pub first_name: Option<String>,
    pub middle_name: Option<String>,
    pub last_name: Option<String>,
    pub company_name: Option<String>,
    pub contact_name: Option<String>,
    pub nationality_id: Option<i32>,
    pub gender_id: Option<i32>,
    pub customer_type_id: Option<i32>,
    pub company_type_id: Option<i32>,
    pub industry_type_id: Option<i32>,
    pub date_of_birth: Option<NaiveDateTime>,
    pub occupation: Option<String>,
    pub preferred_contact_type_id: Option<i32>,
    pub email_address: Option<String>,
    pub phone_code_id: Option<i32>,
    pub mobile_number: Option<MobileNumber>,
    pub additional_phone_code_id: Option<i32>,
    /// Digits only, of any country: its phone code says which (a resident's home
    /// number), so it need not be a Saudi mobile number.
    pub additional_mobile_number: Option<String>,
    pub identification_type_id: Option<i32>,
    pub identification_no: Option<IdentificationNumber>,
    pub country_id: Option<i32>,
    pub region_id: Option<i32>,
    pub city_id: Option<i32>,
    pub zip_code: Option<String>,
    pub address1: Option<String>,
    pub address2: Option<String>,
    pub monthly_income_id: Option<i32>,
    pub created_date: Option<NaiveDateTime>,
    pub is_active: Option<bool>,
    pub preferred_language_id: Option<i32>,
    pub national_address: Option<String>,
    pub commercial_record: Option<String>,
    pub plot_identification: Option<String>,
    pub building_no: Option<String>,
    pub unit_no: Option<String>,
    pub vat_reg_no: Option<String>,
    pub city_sub_division_name: Option<String>,
    pub postal_code: Option<String>,
    pub user_active: Option<bool>,
}

/// A contact as a document gives it. Contacts have no identity of their own in a
/// document: a version's contacts are compared with the current ones by content.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
#[expect(
    missing_docs,
    reason = "each field is the contact's field of the same name"
)]
pub struct ContactDetails {
    pub contact_number: Option<String>,
    pub relation_type_id: Option<i32>,
    pub contact_name: Option<String>,
    pub contact_phone_code_id: Option<i32>,
    pub primary_contact: bool,
    pub contact_start_date: Option<NaiveDateTime>,
    pub contact_end_date: Option<NaiveDateTime>,
    pub is_active: Option<bool>,
    pub contact_is_enable: Option<bool>,
    pub profession: Option<String>,
    pub remarks: Option<String>,
}

/// Everything a version of a customer holds, as written: its profile, its contacts
/// (in the order given) and its references (a set).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CustomerDocument {
    /// The company the customer belongs to.
    pub company: CompanyId,
    /// The customer.
    pub customer_id: CustomerId,
    /// When the change took effect; `None`: when it is applied.
    pub effective: Option<NaiveDateTime>,
    /// The version's fields.
    pub profile: CustomerProfile,
    /// The contacts the customer has from this version on.
    pub contacts: Vec<ContactDetails>,
    /// The references attached to the customer from this version on.
    pub references: BTreeSet<ReferenceNumber>,
}

/// One change to write.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CustomerChange {
    /// The customer is as `document` says: created, given a new version, or left alone
    /// when nothing changed. Boxed: a document is large, a close small.
    Put(Box<CustomerDocument>),
    /// The customer's current version is closed: lookups no longer find it.
    Close {
        /// The company the customer belongs to.
        company: CompanyId,
        /// The customer.
        customer_id: CustomerId,
        /// When it was closed; `None`: when the change is applied.
        effective: Option<NaiveDateTime>,
    },
}

impl CustomerChange {
    /// The customer the change is about.
    pub fn customer(&self) -> (CompanyId, CustomerId) {
        match self {
            Self::Put(document) => (document.company, document.customer_id),
            Self::Close {
                company,
                customer_id,
                ..
            } => (*company, *customer_id),
        }
    }
}

/// A change and the version it expects to replace (`If-Match`): `None` writes whatever
/// the current version is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PendingChange {
    /// The change.
    pub change: CustomerChange,
    /// The `customer_version_id` the current version must have, when the writer must
    /// check it (a customer without a current version then fails the check).
    pub expected: Option<i32>,
}

/// The version a write left current (or closed).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct VersionStamp {
    /// The version's number for its customer.
    pub customer_version_id: i32,
    /// When it became current.
    pub start_date: NaiveDateTime,
}

/// What a change did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WriteOutcome {
    /// The customer had no current version: one was made (the first, or the first after
    /// a close).
    Created(VersionStamp),
    /// The customer differed from its current version: a new version was made and the
    /// previous one closed.
    Changed(VersionStamp),
    /// The customer was as its current version says: nothing was written.
    Unchanged(VersionStamp),
    /// The current version was closed (its stamp, with the end date it was given).
    Closed {
        /// The version closed.
        version: VersionStamp,
        /// When it was closed.
        end_date: NaiveDateTime,
    },
    /// The change was refused; nothing of it was written.
    Refused(WriteRefusal),
}

/// Why a writer refused a change that was valid on its own.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WriteRefusal {
    /// A close of a customer that has no current version.
    NotFound,
    /// The current version is not the one the change expected.
    VersionMismatch {
        /// The current version's number; `None` when there is none.
        current: Option<i32>,
    },
    /// The change's effective time is not later than the current version's start.
    NotAfterCurrent {
        /// When the current version started.
        current_start: NaiveDateTime,
    },
}

/// The versions of one customer, oldest first, each with the references it held.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CustomerTimeline {
    /// The customer.
    pub customer_id: CustomerId,
    /// Its versions, oldest first, with their contacts as each held them.
    pub versions: Vec<(Customer, BTreeSet<ReferenceNumber>)>,
}

/// A page of customers' histories.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TimelinePage {
    /// The customers of the page that had a version, by id.
    pub timelines: Vec<CustomerTimeline>,
    /// The last customer id the page went through; `None` when no customer was left.
    pub last: Option<CustomerId>,
}

impl CustomerProfile {
    /// The coded fields of the profile, each with its category and value.
    pub fn codes(&self) -> [(CodeCategory, Option<i32>); 14] {
        [
            (CodeCategory::Nationality, self.nationality_id),
            (CodeCategory::Gender, self.gender_id),
            (CodeCategory::CustomerType, self.customer_type_id),
            (CodeCategory::CompanyType, self.company_type_id),
            (CodeCategory::IndustryType, self.industry_type_id),
            (CodeCategory::ContactType, self.preferred_contact_type_id),
            (CodeCategory::PhoneCode, self.phone_code_id),
            (CodeCategory::PhoneCode, self.additional_phone_code_id),
            (
                CodeCategory::IdentificationType,
                self.identification_type_id,
            ),
            (CodeCategory::Country, self.country_id),
            (CodeCategory::Region, self.region_id),
            (CodeCategory::City, self.city_id),
            (CodeCategory::IncomeRange, self.monthly_income_id),
            (CodeCategory::Language, self.preferred_language_id),
        ]
    }
}

impl CustomerDocument {
    /// The customer's company and id.
    pub fn key(&self) -> (CompanyId, CustomerId) {
        (self.company, self.customer_id)
    }
}

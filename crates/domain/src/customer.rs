//! The current profile of a customer, as the lookup returns it.

use std::sync::Arc;

use chrono::NaiveDateTime;

use crate::company::CompanyId;
use crate::identifiers::CustomerId;
use crate::language::Language;

/// A name in both languages the service speaks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LocalizedName {
    /// The Arabic name.
    pub ar: Arc<str>,
    /// The English name.
    pub en: Arc<str>,
}

impl LocalizedName {
    /// The name in `language`.
    pub fn get(&self, language: Language) -> &str {
        match language {
            Language::Arabic => &self.ar,
            Language::English => &self.en,
        }
    }
}

/// A coded value (gender, city, relation type...): its identifier and its name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Coded {
    /// The identifier of the value in its category.
    pub id: i32,
    /// Its name in each language (for a phone code, the dialling prefix in both).
    pub name: LocalizedName,
}

/// The current version of a customer, with all of the customer's contacts.
///
/// A customer is versioned: each version has a global `version_id` and a per-customer
/// `customer_version_id` (1, 2, ...); only the current one (without an end date) is
/// ever looked up.
#[derive(Debug, Clone, PartialEq, Eq)]
#[allow(missing_docs)] // The field names are the business vocabulary of the contract.
pub struct Customer {
    pub version_id: i64,
    pub customer_id: CustomerId,
    pub customer_version_id: i32,
    pub first_name: Option<String>,
    pub middle_name: Option<String>,
    pub last_name: Option<String>,
    pub company_name: Option<String>,
    pub contact_name: Option<String>,
    pub nationality: Option<Coded>,
    pub gender: Option<Coded>,
    pub customer_type: Option<Coded>,
    pub company_type: Option<Coded>,
    pub industry_type: Option<Coded>,
    pub date_of_birth: Option<NaiveDateTime>,
    pub occupation: Option<String>,
    pub preferred_contact_type: Option<Coded>,
    pub email_address: Option<String>,
    pub phone_code: Option<Coded>,
    pub mobile_number: Option<String>,
    pub additional_phone_code: Option<Coded>,
    pub additional_mobile_number: Option<String>,
    pub identification_type: Option<Coded>,
    pub identification_no: Option<String>,
    pub country: Option<Coded>,
    pub region: Option<Coded>,
    pub city: Option<Coded>,
    pub zip_code: Option<String>,
    pub address1: Option<String>,
    pub address2: Option<String>,
    pub monthly_income: Option<Coded>,
    pub created_date: Option<NaiveDateTime>,
    pub is_active: Option<bool>,
    pub preferred_language: Option<Coded>,
    pub company_id: CompanyId,
    pub national_address: Option<String>,
    pub commercial_record: Option<String>,
    pub plot_identification: Option<String>,
    pub building_no: Option<String>,
    pub unit_no: Option<String>,
    pub vat_reg_no: Option<String>,
    pub start_date: NaiveDateTime,
    pub end_date: Option<NaiveDateTime>,
    pub city_sub_division_name: Option<String>,
    pub postal_code: Option<String>,
    pub user_active: Option<bool>,
    /// All contacts of the customer, ordered by `contact_id`.
    pub contacts: Vec<Contact>,
}

/// A person to contact about a customer (a relative, a friend, a colleague...).
#[derive(Debug, Clone, PartialEq, Eq)]
#[allow(missing_docs)] // The field names are the business vocabulary of the contract.
pub struct Contact {
    pub contact_id: i64,
    pub customer_id: CustomerId,
    pub contact_number: Option<String>,
    pub relation_type: Option<Coded>,
    pub contact_name: Option<String>,
    /// The contact's own phone code, when it has one.
    pub contact_phone_code: Option<Coded>,
    pub primary_contact: bool,
    pub contact_start_date: Option<NaiveDateTime>,
    pub contact_end_date: Option<NaiveDateTime>,
    pub is_active: Option<bool>,
    pub contact_is_enable: Option<bool>,
    pub profession: Option<String>,
    pub remarks: Option<String>,
}

impl Contact {
    /// The phone code to dial this contact with: the contact's own, or else the phone
    /// code of the customer it belongs to.
    pub fn phone_code<'a>(&'a self, customer: &'a Customer) -> Option<&'a Coded> {
        self.contact_phone_code
            .as_ref()
            .or(customer.phone_code.as_ref())
    }
}

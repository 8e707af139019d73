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

/// A version of a customer (the current one, unless the past was asked for), with the
/// contacts it holds.
///
/// A customer is versioned: each version has a global `version_id` and a per-customer
/// `customer_version_id` (1, 2, ...). The current one has no end date; the lookup
/// returns it, unless it is asked what was known at an earlier moment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Customer {
    /// Global identifier of this version, unique across all customers.
    pub version_id: i64,
    /// The customer this is a version of.
    pub customer_id: CustomerId,
    /// Number of this version for this customer (1, 2, ...).
    pub customer_version_id: i32,
    /// First name of an individual.
    pub first_name: Option<String>,
    /// Middle name of an individual.
    pub middle_name: Option<String>,
    /// Last (family) name of an individual.
    pub last_name: Option<String>,
    /// Name of a company customer.
    pub company_name: Option<String>,
    /// The person to speak to at a company customer.
    pub contact_name: Option<String>,
    /// Nationality of an individual.
    pub nationality: Option<Coded>,
    /// Gender of an individual.
    pub gender: Option<Coded>,
    /// Individual or company.
    pub customer_type: Option<Coded>,
    /// Legal form of a company customer.
    pub company_type: Option<Coded>,
    /// Industry of a company customer.
    pub industry_type: Option<Coded>,
    /// Date of birth of an individual.
    pub date_of_birth: Option<NaiveDateTime>,
    /// Occupation of an individual, as given.
    pub occupation: Option<String>,
    /// How the customer prefers to be contacted.
    pub preferred_contact_type: Option<Coded>,
    /// E-mail address.
    pub email_address: Option<String>,
    /// Dialling prefix of `mobile_number`.
    pub phone_code: Option<Coded>,
    /// Mobile number, without the dialling prefix.
    pub mobile_number: Option<String>,
    /// Dialling prefix of `additional_mobile_number`.
    pub additional_phone_code: Option<Coded>,
    /// A second mobile number.
    pub additional_mobile_number: Option<String>,
    /// Kind of `identification_no` (national ID, iqama, passport, CR...).
    pub identification_type: Option<Coded>,
    /// The identification number, as stored.
    pub identification_no: Option<String>,
    /// Country of the address.
    pub country: Option<Coded>,
    /// Region of the address.
    pub region: Option<Coded>,
    /// City of the address.
    pub city: Option<Coded>,
    /// Zip code of the address.
    pub zip_code: Option<String>,
    /// First address line.
    pub address1: Option<String>,
    /// Second address line.
    pub address2: Option<String>,
    /// Monthly income range.
    pub monthly_income: Option<Coded>,
    /// When the customer was first recorded.
    pub created_date: Option<NaiveDateTime>,
    /// Whether the customer is active.
    pub is_active: Option<bool>,
    /// Language the customer prefers to be addressed in.
    pub preferred_language: Option<Coded>,
    /// The company of the group this customer belongs to.
    pub company_id: CompanyId,
    /// National short address (e.g. `RRRD2929`).
    pub national_address: Option<String>,
    /// Commercial registration of a company customer.
    pub commercial_record: Option<String>,
    /// Plot of the national address.
    pub plot_identification: Option<String>,
    /// Building number of the national address.
    pub building_no: Option<String>,
    /// Unit number of the national address.
    pub unit_no: Option<String>,
    /// VAT registration number.
    pub vat_reg_no: Option<String>,
    /// When this version became current.
    pub start_date: NaiveDateTime,
    /// When this version stopped being current (exclusive); `None` for the current version.
    pub end_date: Option<NaiveDateTime>,
    /// District of the national address.
    pub city_sub_division_name: Option<String>,
    /// Postal code of the national address.
    pub postal_code: Option<String>,
    /// Whether the customer has an active online account.
    pub user_active: Option<bool>,
    /// All contacts of the customer, ordered by `contact_id`.
    pub contacts: Vec<Contact>,
}

impl Customer {
    /// A version of customer `customer_id` of `company_id` that is known by its identity
    /// alone: every optional field unknown, no contact. Callers fill in what they know
    /// with the struct update syntax (`Customer { first_name, ..Customer::identified(..) }`).
    pub fn identified(
        version_id: i64,
        customer_id: CustomerId,
        customer_version_id: i32,
        company_id: CompanyId,
        start_date: NaiveDateTime,
    ) -> Self {
        Self {
            version_id,
            customer_id,
            customer_version_id,
            first_name: None,
            middle_name: None,
            last_name: None,
            company_name: None,
            contact_name: None,
            nationality: None,
            gender: None,
            customer_type: None,
            company_type: None,
            industry_type: None,
            date_of_birth: None,
            occupation: None,
            preferred_contact_type: None,
            email_address: None,
            phone_code: None,
            mobile_number: None,
            additional_phone_code: None,
            additional_mobile_number: None,
            identification_type: None,
            identification_no: None,
            country: None,
            region: None,
            city: None,
            zip_code: None,
            address1: None,
            address2: None,
            monthly_income: None,
            created_date: None,
            is_active: None,
            preferred_language: None,
            company_id,
            national_address: None,
            commercial_record: None,
            plot_identification: None,
            building_no: None,
            unit_no: None,
            vat_reg_no: None,
            start_date,
            end_date: None,
            city_sub_division_name: None,
            postal_code: None,
            user_active: None,
            contacts: Vec::new(),
        }
    }
}

/// A person to contact about a customer (a relative, a friend, a colleague...).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Contact {
    /// Identifier of the contact.
    pub contact_id: i64,
    /// The customer the contact belongs to.
    pub customer_id: CustomerId,
    /// Phone number of the contact, without the dialling prefix.
    pub contact_number: Option<String>,
    /// The contact's relation to the customer.
    pub relation_type: Option<Coded>,
    /// Name of the contact.
    pub contact_name: Option<String>,
    /// The contact's own phone code, when it has one.
    pub contact_phone_code: Option<Coded>,
    /// Whether this is the first person to call.
    pub primary_contact: bool,
    /// Since when the contact is valid.
    pub contact_start_date: Option<NaiveDateTime>,
    /// Until when the contact is valid.
    pub contact_end_date: Option<NaiveDateTime>,
    /// Whether the contact is active.
    pub is_active: Option<bool>,
    /// Whether the contact may be called.
    pub contact_is_enable: Option<bool>,
    /// Profession of the contact.
    pub profession: Option<String>,
    /// Free remarks about the contact.
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

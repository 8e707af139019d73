//! Rows as the queries read them, and their mapping into the domain model.

use chrono::NaiveDateTime;
use customer_domain::{Coded, CompanyId, Contact, Customer, CustomerId};
use diesel::prelude::*;

use crate::error::InfraError;
use crate::reference_data::{Category, MissingReference, ReferenceData};
use crate::schema::{customer_contacts, customer_contacts_history, customer_versions};

/// One version of a customer, as read and as written.
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Insertable)]
#[cfg_attr(test, derive(Default))]
#[diesel(table_name = customer_versions, treat_none_as_default_value = false)]
#[diesel(check_for_backend(diesel::pg::Pg, diesel::sqlite::Sqlite))]
pub(crate) struct VersionRecord {
    pub version_id: i64,
    pub customer_id: i64,
    pub customer_version_id: i32,
    pub company_id: i32,
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
    pub mobile_number: Option<String>,
    pub additional_phone_code_id: Option<i32>,
    pub additional_mobile_number: Option<String>,
    pub identification_type_id: Option<i32>,
    pub identification_no: Option<String>,
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
    pub start_date: NaiveDateTime,
    pub end_date: Option<NaiveDateTime>,
    pub city_sub_division_name: Option<String>,
    pub postal_code: Option<String>,
    pub user_active: Option<bool>,
}

/// One contact of a customer.
#[derive(Debug, Clone, Queryable, Selectable)]
#[cfg_attr(test, derive(Default))]
#[diesel(table_name = customer_contacts)]
#[diesel(check_for_backend(diesel::pg::Pg, diesel::sqlite::Sqlite))]
pub(crate) struct ContactRecord {
    pub contact_id: i64,
    pub customer_id: i64,
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

/// A contact that a later version of its customer removed: the columns of a
/// [`ContactRecord`] and the versions it belonged to; as read and as written.
#[derive(Debug, Queryable, Selectable, Insertable)]
#[diesel(table_name = customer_contacts_history, treat_none_as_default_value = false)]
#[diesel(check_for_backend(diesel::pg::Pg, diesel::sqlite::Sqlite))]
pub(crate) struct ContactHistoryRecord {
    pub contact_id: i64,
    pub customer_id: i64,
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
    pub company_id: i32,
    pub since_version: i32,
    pub until_version: i32,
}

impl ContactHistoryRecord {
    /// The contact as a [`ContactRecord`], and the versions `since..until` it belonged to.
    pub(crate) fn split(self) -> (ContactRecord, std::ops::Range<i32>) {
        let versions = self.since_version..self.until_version;
        let record = ContactRecord {
            contact_id: self.contact_id,
            customer_id: self.customer_id,
            contact_number: self.contact_number,
            relation_type_id: self.relation_type_id,
            contact_name: self.contact_name,
            contact_phone_code_id: self.contact_phone_code_id,
            primary_contact: self.primary_contact,
            contact_start_date: self.contact_start_date,
            contact_end_date: self.contact_end_date,
            is_active: self.is_active,
            contact_is_enable: self.contact_is_enable,
            profession: self.profession,
            remarks: self.remarks,
        };
        (record, versions)
    }
}

/// The coded values of a [`VersionRecord`], resolved against the reference data.
#[derive(Debug)]
pub(crate) struct VersionCodes {
    nationality: Option<Coded>,
    gender: Option<Coded>,
    customer_type: Option<Coded>,
    company_type: Option<Coded>,
    industry_type: Option<Coded>,
    preferred_contact_type: Option<Coded>,
    phone_code: Option<Coded>,
    additional_phone_code: Option<Coded>,
    identification_type: Option<Coded>,
    country: Option<Coded>,
    region: Option<Coded>,
    city: Option<Coded>,
    monthly_income: Option<Coded>,
    preferred_language: Option<Coded>,
}

/// The coded values of a [`ContactRecord`], resolved against the reference data.
#[derive(Debug)]
pub(crate) struct ContactCodes {
    relation_type: Option<Coded>,
    contact_phone_code: Option<Coded>,
}

fn customer_id(id: i64) -> Result<CustomerId, InfraError> {
    CustomerId::new(id)
        .map_err(|_| InfraError::Inconsistent(format!("stored customer id {id} is not positive")))
}

impl ContactRecord {
    /// Its coded values, or the first that `refs` does not hold.
    pub(crate) fn resolve(&self, refs: &ReferenceData) -> Result<ContactCodes, MissingReference> {
        Ok(ContactCodes {
            relation_type: refs.coded(Category::RelationType, self.relation_type_id)?,
            contact_phone_code: refs.coded(Category::PhoneCode, self.contact_phone_code_id)?,
        })
    }

    /// The contact, with the coded values [`Self::resolve`] found.
    pub(crate) fn into_contact(self, codes: ContactCodes) -> Result<Contact, InfraError> {
        Ok(Contact {
            contact_id: self.contact_id,
            customer_id: customer_id(self.customer_id)?,
            contact_number: self.contact_number,
            relation_type: codes.relation_type,
            contact_name: self.contact_name,
            contact_phone_code: codes.contact_phone_code,
            primary_contact: self.primary_contact,
            contact_start_date: self.contact_start_date,
            contact_end_date: self.contact_end_date,
            is_active: self.is_active,
            contact_is_enable: self.contact_is_enable,
            profession: self.profession,
            remarks: self.remarks,
        })
    }
}

impl VersionRecord {
    /// Its coded values, or the first that `refs` does not hold.
    pub(crate) fn resolve(&self, refs: &ReferenceData) -> Result<VersionCodes, MissingReference> {
        Ok(VersionCodes {
            nationality: refs.coded(Category::Nationality, self.nationality_id)?,
            gender: refs.coded(Category::Gender, self.gender_id)?,
            customer_type: refs.coded(Category::CustomerType, self.customer_type_id)?,
            company_type: refs.coded(Category::CompanyType, self.company_type_id)?,
            industry_type: refs.coded(Category::IndustryType, self.industry_type_id)?,
            preferred_contact_type: refs
                .coded(Category::ContactType, self.preferred_contact_type_id)?,
            phone_code: refs.coded(Category::PhoneCode, self.phone_code_id)?,
            additional_phone_code: refs
                .coded(Category::PhoneCode, self.additional_phone_code_id)?,
            identification_type: refs
                .coded(Category::IdentificationType, self.identification_type_id)?,
            country: refs.coded(Category::Country, self.country_id)?,
            region: refs.coded(Category::Region, self.region_id)?,
            city: refs.coded(Category::City, self.city_id)?,
            monthly_income: refs.coded(Category::IncomeRange, self.monthly_income_id)?,
            preferred_language: refs.coded(Category::Language, self.preferred_language_id)?,
        })
    }

    /// The customer, with the coded values [`Self::resolve`] found and its contacts.
    pub(crate) fn into_customer(
        self,
        codes: VersionCodes,
        contacts: Vec<Contact>,
    ) -> Result<Customer, InfraError> {
        Ok(Customer {
            version_id: self.version_id,
            customer_id: customer_id(self.customer_id)?,
            customer_version_id: self.customer_version_id,
            first_name: self.first_name,
            middle_name: self.middle_name,
            last_name: self.last_name,
            company_name: self.company_name,
            contact_name: self.contact_name,
            nationality: codes.nationality,
            gender: codes.gender,
            customer_type: codes.customer_type,
            company_type: codes.company_type,
            industry_type: codes.industry_type,
            date_of_birth: self.date_of_birth,
            occupation: self.occupation,
            preferred_contact_type: codes.preferred_contact_type,
            email_address: self.email_address,
            phone_code: codes.phone_code,
            mobile_number: self.mobile_number,
            additional_phone_code: codes.additional_phone_code,
            additional_mobile_number: self.additional_mobile_number,
            identification_type: codes.identification_type,
            identification_no: self.identification_no,
            country: codes.country,
            region: codes.region,
            city: codes.city,
            zip_code: self.zip_code,
            address1: self.address1,
            address2: self.address2,
            monthly_income: codes.monthly_income,
            created_date: self.created_date,
            is_active: self.is_active,
            preferred_language: codes.preferred_language,
            company_id: CompanyId::new(self.company_id),
            national_address: self.national_address,
            commercial_record: self.commercial_record,
            plot_identification: self.plot_identification,
            building_no: self.building_no,
            unit_no: self.unit_no,
            vat_reg_no: self.vat_reg_no,
            start_date: self.start_date,
            end_date: self.end_date,
            city_sub_division_name: self.city_sub_division_name,
            postal_code: self.postal_code,
            user_active: self.user_active,
            contacts,
        })
    }
}

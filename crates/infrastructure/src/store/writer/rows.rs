//! The rows a write inserts, one type per table, and their conversions from documents.

use chrono::NaiveDateTime;
use customer_domain::{ContactDetails, CustomerDocument, CustomerProfile};
use diesel::prelude::*;

use crate::records::{ContactHistoryRecord, VersionRecord};
use crate::schema::{
    customer_contacts, customer_references, customer_references_history, customers,
};

/// A row of `customers`.
#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = customers, treat_none_as_default_value = false)]
pub(super) struct CustomerRow {
    pub customer_id: i64,
    pub company_id: i32,
}

/// A row of `customer_contacts`.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = customer_contacts, treat_none_as_default_value = false)]
#[diesel(check_for_backend(diesel::pg::Pg, diesel::sqlite::Sqlite))]
pub(super) struct ContactRow {
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
}

/// A row of `customer_references`.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = customer_references, treat_none_as_default_value = false)]
#[diesel(check_for_backend(diesel::pg::Pg, diesel::sqlite::Sqlite))]
pub(super) struct ReferenceRow {
    pub reference_id: i64,
    pub company_id: i32,
    pub customer_id: i64,
    pub reference_no: String,
    pub since_version: i32,
}

/// A row of `customer_references_history`.
#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = customer_references_history, treat_none_as_default_value = false)]
pub(super) struct ReferenceHistoryRow {
    pub company_id: i32,
    pub customer_id: i64,
    pub reference_no: String,
    pub since_version: i32,
    pub until_version: i32,
}

/// A contact's details as stored.
pub(super) fn details_of_row(record: &ContactRow) -> ContactDetails {
    ContactDetails {
        contact_number: record.contact_number.clone(),
        relation_type_id: record.relation_type_id,
        contact_name: record.contact_name.clone(),
        contact_phone_code_id: record.contact_phone_code_id,
        primary_contact: record.primary_contact,
        contact_start_date: record.contact_start_date,
        contact_end_date: record.contact_end_date,
        is_active: record.is_active,
        contact_is_enable: record.contact_is_enable,
        profession: record.profession.clone(),
        remarks: record.remarks.clone(),
    }
}

/// The current row of a contact with `details`.
pub(super) fn contact_row(
    company_id: i32,
    customer_id: i64,
    contact_id: i64,
    since_version: i32,
    details: ContactDetails,
) -> ContactRow {
    ContactRow {
        contact_id,
        customer_id,
        contact_number: details.contact_number,
        relation_type_id: details.relation_type_id,
        contact_name: details.contact_name,
        contact_phone_code_id: details.contact_phone_code_id,
        primary_contact: details.primary_contact,
        contact_start_date: details.contact_start_date,
        contact_end_date: details.contact_end_date,
        is_active: details.is_active,
        contact_is_enable: details.contact_is_enable,
        profession: details.profession,
        remarks: details.remarks,
        company_id,
        since_version,
    }
}

impl ContactRow {
    /// The row moved to history: it held up to `until_version`, exclusive.
    pub(super) fn retired(self, until_version: i32) -> ContactHistoryRecord {
        ContactHistoryRecord {
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
            company_id: self.company_id,
            since_version: self.since_version,
            until_version,
        }
    }
}

/// The version `number` of `document`'s customer, begun at `start`, current.
pub(super) fn version_row(
    document: &CustomerDocument,
    version_id: i64,
    number: i32,
    start: NaiveDateTime,
) -> VersionRecord {
    let p: &CustomerProfile = &document.profile;
    VersionRecord {
        version_id,
        customer_id: document.customer_id.get(),
        customer_version_id: number,
        company_id: document.company.get(),
        first_name: p.first_name.clone(),
        middle_name: p.middle_name.clone(),
        last_name: p.last_name.clone(),
        company_name: p.company_name.clone(),
        contact_name: p.contact_name.clone(),
        nationality_id: p.nationality_id,
        gender_id: p.gender_id,
        customer_type_id: p.customer_type_id,
        company_type_id: p.company_type_id,
        industry_type_id: p.industry_type_id,
        date_of_birth: p.date_of_birth,
        occupation: p.occupation.clone(),
        preferred_contact_type_id: p.preferred_contact_type_id,
        email_address: p.email_address.clone(),
        phone_code_id: p.phone_code_id,
        mobile_number: p.mobile_number.as_ref().map(|m| m.as_str().to_owned()),
        additional_phone_code_id: p.additional_phone_code_id,
        additional_mobile_number: p.additional_mobile_number.clone(),
        identification_type_id: p.identification_type_id,
        identification_no: p.identification_no.as_ref().map(|n| n.as_str().to_owned()),
        country_id: p.country_id,
        region_id: p.region_id,
        city_id: p.city_id,
        zip_code: p.zip_code.clone(),
        address1: p.address1.clone(),
        address2: p.address2.clone(),
        monthly_income_id: p.monthly_income_id,
        created_date: p.created_date,
        is_active: p.is_active,
        preferred_language_id: p.preferred_language_id,
        national_address: p.national_address.clone(),
        commercial_record: p.commercial_record.clone(),
        plot_identification: p.plot_identification.clone(),
        building_no: p.building_no.clone(),
        unit_no: p.unit_no.clone(),
        vat_reg_no: p.vat_reg_no.clone(),
        start_date: start,
        end_date: None,
        city_sub_division_name: p.city_sub_division_name.clone(),
        postal_code: p.postal_code.clone(),
        user_active: p.user_active,
    }
}

/// Whether two versions of one customer hold the same profile: everything but their
/// numbering and dates.
pub(super) fn same_profile(a: &VersionRecord, b: &VersionRecord) -> bool {
    let numbered = |v: &VersionRecord| VersionRecord {
        version_id: 0,
        customer_version_id: 0,
        start_date: NaiveDateTime::default(),
        end_date: None,
        ..v.clone()
    };
    numbered(a) == numbered(b)
}

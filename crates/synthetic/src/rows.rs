//! The rows the generator makes and the loader writes, one type per customer table.

use std::borrow::Cow;

use chrono::NaiveDateTime;
use customer_infrastructure::schema::{
    customer_contacts, customer_references, customer_versions, customers,
};
use diesel::prelude::*;

/// A nullable text column: most values are borrowed from the data tables.
pub(crate) type Text = Option<Cow<'static, str>>;

#[expect(
    clippy::unnecessary_wraps,
    reason = "the type of a nullable text column"
)]
/// A text from the data tables.
pub(crate) fn text(value: &'static str) -> Text {
    Some(Cow::Borrowed(value))
}

#[expect(
    clippy::unnecessary_wraps,
    reason = "the type of a nullable text column"
)]
/// A text made for one row.
pub(crate) fn owned(value: String) -> Text {
    Some(Cow::Owned(value))
}

/// A row of `customers`.
#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = customers, treat_none_as_default_value = false)]
pub(crate) struct NewCustomer {
    pub(crate) customer_id: i64,
    pub(crate) company_id: i32,
}

/// A row of `customer_versions`.
#[derive(Debug, Clone, Default, Insertable)]
#[diesel(table_name = customer_versions, treat_none_as_default_value = false)]
pub(crate) struct NewVersion {
    pub(crate) version_id: i64,
    pub(crate) customer_id: i64,
    pub(crate) customer_version_id: i32,
    pub(crate) company_id: i32,
    pub(crate) first_name: Text,
    pub(crate) middle_name: Text,
    pub(crate) last_name: Text,
    pub(crate) company_name: Text,
    pub(crate) contact_name: Text,
    pub(crate) nationality_id: Option<i32>,
    pub(crate) gender_id: Option<i32>,
    pub(crate) customer_type_id: Option<i32>,
    pub(crate) company_type_id: Option<i32>,
    pub(crate) industry_type_id: Option<i32>,
    pub(crate) date_of_birth: Option<NaiveDateTime>,
    pub(crate) occupation: Text,
    pub(crate) preferred_contact_type_id: Option<i32>,
    pub(crate) email_address: Text,
    pub(crate) phone_code_id: Option<i32>,
    pub(crate) mobile_number: Text,
    pub(crate) additional_phone_code_id: Option<i32>,
    pub(crate) additional_mobile_number: Text,
    pub(crate) identification_type_id: Option<i32>,
    pub(crate) identification_no: Text,
    pub(crate) country_id: Option<i32>,
    pub(crate) region_id: Option<i32>,
    pub(crate) city_id: Option<i32>,
    pub(crate) zip_code: Text,
    pub(crate) address1: Text,
    pub(crate) address2: Text,
    pub(crate) monthly_income_id: Option<i32>,
    pub(crate) created_date: Option<NaiveDateTime>,
    pub(crate) is_active: Option<bool>,
    pub(crate) preferred_language_id: Option<i32>,
    pub(crate) national_address: Text,
    pub(crate) commercial_record: Text,
    pub(crate) plot_identification: Text,
    pub(crate) building_no: Text,
    pub(crate) unit_no: Text,
    pub(crate) vat_reg_no: Text,
    pub(crate) start_date: NaiveDateTime,
    pub(crate) end_date: Option<NaiveDateTime>,
    pub(crate) city_sub_division_name: Text,
    pub(crate) postal_code: Text,
    pub(crate) user_active: Option<bool>,
}

/// A row of `customer_contacts`.
#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = customer_contacts, treat_none_as_default_value = false)]
pub(crate) struct NewContact {
    pub(crate) contact_id: i64,
    pub(crate) customer_id: i64,
    pub(crate) contact_number: Text,
    pub(crate) relation_type_id: Option<i32>,
    pub(crate) contact_name: Text,
    pub(crate) contact_phone_code_id: Option<i32>,
    pub(crate) primary_contact: bool,
    pub(crate) contact_start_date: Option<NaiveDateTime>,
    pub(crate) contact_end_date: Option<NaiveDateTime>,
    pub(crate) is_active: Option<bool>,
    pub(crate) contact_is_enable: Option<bool>,
    pub(crate) profession: Text,
    pub(crate) remarks: Text,
    pub(crate) company_id: i32,
}

/// A row of `customer_references`.
#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = customer_references, treat_none_as_default_value = false)]
pub(crate) struct NewReference {
    pub(crate) reference_id: i64,
    pub(crate) company_id: i32,
    pub(crate) customer_id: i64,
    pub(crate) reference_no: String,
}

/// The rows of some customers, written in one transaction.
#[derive(Debug, Default)]
pub(crate) struct Batch {
    pub(crate) customers: Vec<NewCustomer>,
    pub(crate) versions: Vec<NewVersion>,
    pub(crate) contacts: Vec<NewContact>,
    pub(crate) references: Vec<NewReference>,
}

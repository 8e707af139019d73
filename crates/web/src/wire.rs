//! The wire format of a customer: the fields of the contract's example, in its order,
//! with coded values named in the requested language. These types are both what the
//! lookup writes and what `/openapi.json` describes: the one definition of the format.

use std::borrow::Cow;
use std::fmt;

use chrono::{Datelike, NaiveDateTime, Timelike};
use customer_domain::{Coded, Contact, Customer, Language};
use serde::{Serialize, Serializer};
use utoipa::openapi::RefOr;
use utoipa::openapi::schema::{ObjectBuilder, Schema, Type};
use utoipa::{PartialSchema, ToSchema};

/// A version of a customer (the current one, unless the past was asked for), borrowed
/// from the domain model.
///
/// Every field is always present: `null` when unknown.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[schema(as = Customer)]
pub struct CustomerJson<'a> {
    /// Global identifier of this version.
    version_id: i64,
    customer_id: i64,
    /// Number of this version for this customer (1, 2, ...).
    customer_version_id: i32,
    #[schema(required)]
    first_name: Option<&'a str>,
    #[schema(required)]
    middle_name: Option<&'a str>,
    #[schema(required)]
    last_name: Option<&'a str>,
    #[schema(required)]
    company_name: Option<&'a str>,
    #[schema(required)]
    contact_name: Option<&'a str>,
    #[schema(required)]
    nationality_id: Option<i32>,
    /// Name of `nationalityId` in the requested language.
    #[schema(required)]
    nationality: Option<&'a str>,
    #[schema(required)]
    gender_id: Option<i32>,
    #[schema(required)]
    gender: Option<&'a str>,
    #[schema(required)]
    customer_type_id: Option<i32>,
    #[schema(required)]
    customer_type: Option<&'a str>,
    #[schema(required)]
    company_type_id: Option<i32>,
    #[schema(required)]
    company_type: Option<&'a str>,
    #[schema(required)]
    industry_type_id: Option<i32>,
    #[schema(required)]
    industry_type: Option<&'a str>,
    #[schema(required)]
    date_of_birth: Option<WireDateTime>,
    #[schema(required)]
    occupation: Option<&'a str>,
    #[schema(required)]
    preferred_contact_type_id: Option<i32>,
    #[schema(required)]
    preferred_contact_type: Option<&'a str>,
    #[schema(required)]
    email_address: Option<&'a str>,
    #[schema(required)]
    phone_code_id: Option<i32>,
    /// The dialling prefix, e.g. `00966`.
    #[schema(required)]
    phone_code: Option<&'a str>,
    #[schema(required)]
    mobile_number: Option<&'a str>,
    #[schema(required)]
    additional_phone_code_id: Option<i32>,
    #[schema(required)]
    additional_phone_code: Option<&'a str>,
    #[schema(required)]
    additional_mobile_number: Option<&'a str>,
    #[schema(required)]
    identification_type_id: Option<i32>,
    #[schema(required)]
    identification_type: Option<&'a str>,
    #[schema(required)]
    identification_no: Option<&'a str>,
    #[schema(required)]
    country_id: Option<i32>,
    #[schema(required)]
    country: Option<&'a str>,
    #[schema(required)]
    region_id: Option<i32>,
    #[schema(required)]
    region: Option<&'a str>,
    #[schema(required)]
    city_id: Option<i32>,
    #[schema(required)]
    city: Option<&'a str>,
    #[schema(required)]
    zip_code: Option<&'a str>,
    #[schema(required)]
    address1: Option<&'a str>,
    #[schema(required)]
    address2: Option<&'a str>,
    #[schema(required)]
    monthly_income_id: Option<i32>,
    #[schema(required)]
    monthly_income: Option<&'a str>,
    #[schema(required)]
    created_date: Option<WireDateTime>,
    #[schema(required)]
    is_active: Option<bool>,
    #[schema(required)]
    preferred_language_id: Option<i32>,
    #[schema(required)]
    preferred_language: Option<&'a str>,
    company_id: i32,
    /// Always `null`; kept for compatibility with the system this API replaces.
    company: Null,
    #[schema(required)]
    national_address: Option<&'a str>,
    #[schema(required)]
    commercial_record: Option<&'a str>,
    #[schema(required)]
    plot_identification: Option<&'a str>,
    #[schema(required)]
    building_no: Option<&'a str>,
    #[schema(required)]
    unit_no: Option<&'a str>,
    #[schema(required)]
    vat_reg_no: Option<&'a str>,
    start_date: WireDateTime,
    /// When this version was replaced: `null` for the current version, filled in for one
    /// since closed (a lookup `asOf`, the versions list).
    #[schema(required)]
    end_date: Option<WireDateTime>,
    #[schema(required)]
    city_sub_division_name: Option<&'a str>,
    #[schema(required)]
    postal_code: Option<&'a str>,
    /// `1` or `0`.
    #[schema(required, minimum = 0, maximum = 1)]
    user_active: Option<u8>,
    /// All contacts of the customer, ordered by `contactId`.
    customer_contacts: Vec<ContactJson<'a>>,
}

/// A contact of a customer.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[schema(as = CustomerContact)]
pub struct ContactJson<'a> {
    contact_id: i64,
    customer_id: i64,
    /// Always `null`; kept for compatibility with the system this API replaces.
    customer: Null,
    #[schema(required)]
    contact_number: Option<&'a str>,
    #[schema(required)]
    relation_type_id: Option<i32>,
    #[schema(required)]
    relation_type: Option<&'a str>,
    #[schema(required)]
    contact_name: Option<&'a str>,
    #[schema(required)]
    contact_phone_code_id: Option<i32>,
    /// The code of `contactPhoneCodeId`, or the customer's own phone code without one.
    #[schema(required)]
    phone_code: Option<&'a str>,
    primary_contact: bool,
    #[schema(required)]
    contact_start_date: Option<WireDateTime>,
    #[schema(required)]
    contact_end_date: Option<WireDateTime>,
    #[schema(required)]
    is_active: Option<bool>,
    #[schema(required)]
    contact_is_enable: Option<bool>,
    #[schema(required)]
    profession: Option<&'a str>,
    #[schema(required)]
    remarks: Option<&'a str>,
}

/// A coded value's id and its name in `language`.
fn coded(value: Option<&Coded>, language: Language) -> (Option<i32>, Option<&str>) {
    match value {
        Some(value) => (Some(value.id), Some(value.name.get(language))),
        None => (None, None),
    }
}

impl<'a> CustomerJson<'a> {
    /// `customer` as the lookup answers it in `language`.
    pub fn new(customer: &'a Customer, language: Language) -> Self {
        let c = customer;
        let (nationality_id, nationality) = coded(c.nationality.as_ref(), language);
        let (gender_id, gender) = coded(c.gender.as_ref(), language);
        let (customer_type_id, customer_type) = coded(c.customer_type.as_ref(), language);
        let (company_type_id, company_type) = coded(c.company_type.as_ref(), language);
        let (industry_type_id, industry_type) = coded(c.industry_type.as_ref(), language);
        let (preferred_contact_type_id, preferred_contact_type) =
            coded(c.preferred_contact_type.as_ref(), language);
        let (phone_code_id, phone_code) = coded(c.phone_code.as_ref(), language);
        let (additional_phone_code_id, additional_phone_code) =
            coded(c.additional_phone_code.as_ref(), language);
        let (identification_type_id, identification_type) =
            coded(c.identification_type.as_ref(), language);
        let (country_id, country) = coded(c.country.as_ref(), language);
        let (region_id, region) = coded(c.region.as_ref(), language);
        let (city_id, city) = coded(c.city.as_ref(), language);
        let (monthly_income_id, monthly_income) = coded(c.monthly_income.as_ref(), language);
        let (preferred_language_id, preferred_language) =
            coded(c.preferred_language.as_ref(), language);
        Self {
            version_id: c.version_id,
            customer_id: c.customer_id.get(),
            customer_version_id: c.customer_version_id,
            first_name: c.first_name.as_deref(),
            middle_name: c.middle_name.as_deref(),
            last_name: c.last_name.as_deref(),
            company_name: c.company_name.as_deref(),
            contact_name: c.contact_name.as_deref(),
            nationality_id,
            nationality,
            gender_id,
            gender,
            customer_type_id,
            customer_type,
            company_type_id,
            company_type,
            industry_type_id,
            industry_type,
            date_of_birth: c.date_of_birth.map(WireDateTime),
            occupation: c.occupation.as_deref(),
            preferred_contact_type_id,
            preferred_contact_type,
            email_address: c.email_address.as_deref(),
            phone_code_id,
            phone_code,
            mobile_number: c.mobile_number.as_deref(),
            additional_phone_code_id,
            additional_phone_code,
            additional_mobile_number: c.additional_mobile_number.as_deref(),
            identification_type_id,
            identification_type,
            identification_no: c.identification_no.as_deref(),
            country_id,
            country,
            region_id,
            region,
            city_id,
            city,
            zip_code: c.zip_code.as_deref(),
            address1: c.address1.as_deref(),
            address2: c.address2.as_deref(),
            monthly_income_id,
            monthly_income,
            created_date: c.created_date.map(WireDateTime),
            is_active: c.is_active,
            preferred_language_id,
            preferred_language,
            company_id: c.company_id.get(),
            company: Null,
            national_address: c.national_address.as_deref(),
            commercial_record: c.commercial_record.as_deref(),
            plot_identification: c.plot_identification.as_deref(),
            building_no: c.building_no.as_deref(),
            unit_no: c.unit_no.as_deref(),
            vat_reg_no: c.vat_reg_no.as_deref(),
            start_date: WireDateTime(c.start_date),
            end_date: c.end_date.map(WireDateTime),
            city_sub_division_name: c.city_sub_division_name.as_deref(),
            postal_code: c.postal_code.as_deref(),
            user_active: c.user_active.map(u8::from),
            customer_contacts: c
                .contacts
                .iter()
                .map(|contact| ContactJson::new(contact, c, language))
                .collect(),
        }
    }
}

impl<'a> ContactJson<'a> {
    /// `contact` of `customer` as the lookup answers it in `language`.
    fn new(contact: &'a Contact, customer: &'a Customer, language: Language) -> Self {
        let (relation_type_id, relation_type) = coded(contact.relation_type.as_ref(), language);
        Self {
            contact_id: contact.contact_id,
            customer_id: contact.customer_id.get(),
            customer: Null,
            contact_number: contact.contact_number.as_deref(),
            relation_type_id,
            relation_type,
            contact_name: contact.contact_name.as_deref(),
            contact_phone_code_id: contact.contact_phone_code.as_ref().map(|code| code.id),
            phone_code: contact
                .phone_code(customer)
                .map(|code| code.name.get(language)),
            primary_contact: contact.primary_contact,
            contact_start_date: contact.contact_start_date.map(WireDateTime),
            contact_end_date: contact.contact_end_date.map(WireDateTime),
            is_active: contact.is_active,
            contact_is_enable: contact.contact_is_enable,
            profession: contact.profession.as_deref(),
            remarks: contact.remarks.as_deref(),
        }
    }
}

/// A customer document: one version of a customer as the lookup answers it, plus the
/// code of its company and the references it holds. It is what `customer-api export`
/// writes, one per line, and what `customer-api import` and the write API read (see
/// `docs/customer-documents.md`).
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CustomerDocumentJson<'a> {
    #[serde(flatten)]
    customer: CustomerJson<'a>,
    /// The code of the customer's company.
    company_code: &'a str,
    /// The customer's references (policy, contract...) in this version.
    reference_nos: Vec<&'a str>,
}

/// The `Customer` schema with the two fields more, as one object: `allOf` of `Customer`
/// (which allows no other field) and the two would allow no document at all.
impl PartialSchema for CustomerDocumentJson<'_> {
    fn schema() -> RefOr<Schema> {
        let RefOr::T(Schema::Object(mut object)) = CustomerJson::schema() else {
            unreachable!("Customer is an object schema");
        };
        object.description = Some(
            "A customer document: one version of a customer as the lookup answers it, plus \
             the code of its company and the references it holds (`docs/customer-documents.md`)."
                .to_owned(),
        );
        object.properties.insert(
            "companyCode".to_owned(),
            ObjectBuilder::new()
                .schema_type(Type::String)
                .description(Some("The code of the customer's company."))
                .into(),
        );
        object.properties.insert(
            "referenceNos".to_owned(),
            utoipa::openapi::schema::ArrayBuilder::new()
                .items(ObjectBuilder::new().schema_type(Type::String))
                .description(Some(
                    "The customer's references (policy, contract...) in this version.",
                ))
                .into(),
        );
        object
            .required
            .extend(["companyCode".to_owned(), "referenceNos".to_owned()]);
        RefOr::T(Schema::Object(object))
    }
}

impl ToSchema for CustomerDocumentJson<'_> {
    fn name() -> Cow<'static, str> {
        Cow::Borrowed("CustomerDocument")
    }

    fn schemas(schemas: &mut Vec<(String, RefOr<Schema>)>) {
        CustomerJson::schemas(schemas);
    }
}

impl<'a> CustomerDocumentJson<'a> {
    /// The document of `customer` of `company`, with its `references`, names in `language`.
    pub fn new(
        customer: &'a Customer,
        company: &'a str,
        references: impl IntoIterator<Item = &'a str>,
        language: Language,
    ) -> Self {
        Self {
            customer: CustomerJson::new(customer, language),
            company_code: company,
            reference_nos: references.into_iter().collect(),
        }
    }
}

/// A line closing a customer: its current version ends at `endDate` and lookups no
/// longer find it.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(as = CustomerClosing)]
pub struct ClosingJson<'a> {
    /// The code of the customer's company.
    company_code: &'a str,
    customer_id: i64,
    /// Always `true`.
    deleted: bool,
    /// When the customer was closed; omitted: when the line is applied.
    end_date: WireDateTime,
}

impl<'a> ClosingJson<'a> {
    /// The closing of customer `customer_id` of `company` at `at`.
    pub fn new(company: &'a str, customer_id: i64, at: NaiveDateTime) -> Self {
        Self {
            company_code: company,
            customer_id,
            deleted: true,
            end_date: WireDateTime(at),
        }
    }
}

/// What `POST /v1/core/customers:import` did: the counts, then each line.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(as = ImportReport)]
pub struct ImportReportJson {
    /// Lines read (blank ones aside).
    read: u64,
    created: u64,
    changed: u64,
    unchanged: u64,
    closed: u64,
    /// Lines not written.
    rejected: u64,
    lines: Vec<LineReportJson>,
}

/// What one line did.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(as = ImportLineReport)]
pub struct LineReportJson {
    /// The line's number, from 1.
    line: u64,
    /// The customer, when the line could be read.
    #[serde(skip_serializing_if = "Option::is_none")]
    customer_id: Option<i64>,
    /// `created`, `changed`, `unchanged`, `closed` or `rejected`.
    outcome: &'static str,
    /// The version the line made, left current or closed.
    #[serde(skip_serializing_if = "Option::is_none")]
    customer_version_id: Option<i32>,
    /// For a rejected line: messages by field (`body` for the whole line).
    #[serde(skip_serializing_if = "Option::is_none")]
    errors: Option<indexmap::IndexMap<String, Vec<String>>>,
}

impl ImportReportJson {
    /// The report of `reports`, messages in `language`.
    pub fn new(
        summary: &customer_application::documents::ImportSummary,
        reports: &[customer_application::documents::LineReport],
        language: Language,
    ) -> Self {
        use customer_application::documents::LineResult;
        use customer_domain::WriteOutcome;
        let lines = reports
            .iter()
            .map(|report| {
                let version = match &report.result {
                    LineResult::Applied(
                        WriteOutcome::Created(stamp)
                        | WriteOutcome::Changed(stamp)
                        | WriteOutcome::Unchanged(stamp)
                        | WriteOutcome::Closed { version: stamp, .. },
                    ) => Some(stamp.customer_version_id),
                    _ => None,
                };
                let errors = match &report.result {
                    LineResult::Rejected(errors) => Some(
                        errors
                            .iter()
                            .map(|(field, problems)| {
                                let field = if field.is_empty() { "body" } else { field };
                                (
                                    field.to_owned(),
                                    problems
                                        .iter()
                                        .map(|p| p.message_for(field).text(language).into_owned())
                                        .collect(),
                                )
                            })
                            .collect(),
                    ),
                    LineResult::Applied(_) => None,
                };
                LineReportJson {
                    line: report.number,
                    customer_id: report.customer_id.map(customer_domain::CustomerId::get),
                    outcome: crate::writes::outcome_name(&report.result),
                    customer_version_id: version,
                    errors,
                }
            })
            .collect();
        Self {
            read: summary.read,
            created: summary.created,
            changed: summary.changed,
            unchanged: summary.unchanged,
            closed: summary.closed,
            rejected: summary.rejected,
            lines,
        }
    }
}

/// A field that is always `null`.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct Null;

impl PartialSchema for Null {
    fn schema() -> RefOr<Schema> {
        ObjectBuilder::new().schema_type(Type::Null).into()
    }
}

impl ToSchema for Null {}

/// A date-time without offset, `YYYY-MM-DDTHH:MM:SS`, then the fraction of the second
/// without trailing zeros when it is not zero (`2026-05-14T14:24:50.61`).
#[derive(Debug, Clone, Copy)]
pub struct WireDateTime(NaiveDateTime);

/// The pattern of [`WireDateTime`].
const DATE_TIME_PATTERN: &str = r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d*[1-9])?$";

impl PartialSchema for WireDateTime {
    fn schema() -> RefOr<Schema> {
        ObjectBuilder::new()
            .schema_type(Type::String)
            .pattern(Some(DATE_TIME_PATTERN))
            .description(Some(
                "`YYYY-MM-DDTHH:MM:SS`, with a fraction of the second when it is not zero; no offset.",
            ))
            .into()
    }
}

impl ToSchema for WireDateTime {
    fn name() -> Cow<'static, str> {
        Cow::Borrowed("DateTime")
    }
}

impl fmt::Display for WireDateTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (date, time) = (self.0.date(), self.0.time());
        if (0..=9999).contains(&date.year()) {
            // Every stored date: written directly rather than through a format string
            // that chrono would parse again for each value.
            write!(
                f,
                "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}",
                date.year(),
                date.month(),
                date.day(),
                time.hour(),
                time.minute(),
                // A leap second is second 59 with nanoseconds past 1e9: written as 60.
                time.second() + u32::from(time.nanosecond() >= 1_000_000_000)
            )?;
        } else {
            write!(f, "{}", self.0.format("%Y-%m-%dT%H:%M:%S"))?;
        }
        // A leap second is stored as nanoseconds past 1e9; it is not a fraction.
        let nanos = self.0.nanosecond() % 1_000_000_000;
        if nanos != 0 {
            let mut digits = format!("{nanos:09}");
            while digits.ends_with('0') {
                digits.pop();
            }
            write!(f, ".{digits}")?;
        }
        Ok(())
    }
}

impl Serialize for WireDateTime {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}
#[cfg(test)]
mod tests {
    use chrono::NaiveDate;

    use super::*;

    fn at(h: u32, m: u32, s: u32, nanos: u32) -> String {
        let date =
            NaiveDate::from_ymd_opt(2026, 5, 14).and_then(|d| d.and_hms_nano_opt(h, m, s, nanos));
        WireDateTime(date.expect("valid date")).to_string()
    }

    #[test]
    fn whole_seconds_have_no_fraction() {
        assert_eq!(at(14, 24, 50, 0), "2026-05-14T14:24:50");
    }

    #[test]
    fn fractions_lose_their_trailing_zeros() {
        assert_eq!(at(14, 24, 50, 610_000_000), "2026-05-14T14:24:50.61");
        assert_eq!(at(0, 0, 0, 1), "2026-05-14T00:00:00.000000001");
        assert_eq!(at(9, 5, 7, 123_456_000), "2026-05-14T09:05:07.123456");
    }

    #[test]
    fn whole_seconds_are_written_as_chrono_writes_them_for_any_year() {
        for (year, month, day) in [
            (1, 1, 1),
            (999, 12, 31),
            (2026, 2, 28),
            (9999, 12, 31),
            (10_000, 1, 1),
            (-44, 3, 15),
        ] {
            let value = NaiveDate::from_ymd_opt(year, month, day)
                .and_then(|d| d.and_hms_opt(23, 59, 59))
                .expect("valid date");
            assert_eq!(
                WireDateTime(value).to_string(),
                value.format("%Y-%m-%dT%H:%M:%S").to_string(),
                "{value:?}"
            );
        }
        let leap_second = NaiveDate::from_ymd_opt(2016, 12, 31)
            .and_then(|d| d.and_hms_milli_opt(23, 59, 59, 1_500))
            .expect("a leap second");
        assert_eq!(
            WireDateTime(leap_second).to_string(),
            "2016-12-31T23:59:60.5"
        );
    }
}

//! The wire format of a customer: the fields of the contract's example, in its order,
//! with coded values named in the requested language.

use std::fmt;

use chrono::{Datelike, NaiveDateTime, Timelike};
use customer_domain::{Coded, Contact, Customer, Language};
use serde::ser::{SerializeSeq, SerializeStruct};
use serde::{Serialize, Serializer};

/// A list of customers, as the lookup answers it.
pub struct CustomersJson<'a> {
    pub customers: &'a [Customer],
    pub language: Language,
}

impl Serialize for CustomersJson<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut seq = serializer.serialize_seq(Some(self.customers.len()))?;
        for customer in self.customers {
            seq.serialize_element(&CustomerJson {
                customer,
                language: self.language,
            })?;
        }
        seq.end()
    }
}

struct CustomerJson<'a> {
    customer: &'a Customer,
    language: Language,
}

/// Writes `idField` and `nameField` of a coded value: the name is `null` with the id.
fn coded<S: SerializeStruct>(
    s: &mut S,
    id_field: &'static str,
    name_field: &'static str,
    value: Option<&Coded>,
    language: Language,
) -> Result<(), S::Error> {
    s.serialize_field(id_field, &value.map(|v| v.id))?;
    s.serialize_field(name_field, &value.map(|v| v.name.get(language)))
}

/// A date-time without offset, `YYYY-MM-DDTHH:MM:SS`, then the fraction of the second
/// without trailing zeros when it is not zero (`2026-05-14T14:24:50.61`).
struct WireDateTime(NaiveDateTime);

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

fn date(value: Option<NaiveDateTime>) -> Option<WireDateTime> {
    value.map(WireDateTime)
}

impl Serialize for CustomerJson<'_> {
    // One line per field of the contract, in its order: splitting it would hide the order.
    #[allow(clippy::too_many_lines)]
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let c = self.customer;
        let lang = self.language;
        let mut s = serializer.serialize_struct("Customer", 61)?;
        s.serialize_field("versionId", &c.version_id)?;
        s.serialize_field("customerId", &c.customer_id.get())?;
        s.serialize_field("customerVersionId", &c.customer_version_id)?;
        s.serialize_field("firstName", &c.first_name)?;
        s.serialize_field("middleName", &c.middle_name)?;
        s.serialize_field("lastName", &c.last_name)?;
        s.serialize_field("companyName", &c.company_name)?;
        s.serialize_field("contactName", &c.contact_name)?;
        coded(
            &mut s,
            "nationalityId",
            "nationality",
            c.nationality.as_ref(),
            lang,
        )?;
        coded(&mut s, "genderId", "gender", c.gender.as_ref(), lang)?;
        coded(
            &mut s,
            "customerTypeId",
            "customerType",
            c.customer_type.as_ref(),
            lang,
        )?;
        coded(
            &mut s,
            "companyTypeId",
            "companyType",
            c.company_type.as_ref(),
            lang,
        )?;
        coded(
            &mut s,
            "industryTypeId",
            "industryType",
            c.industry_type.as_ref(),
            lang,
        )?;
        s.serialize_field("dateOfBirth", &date(c.date_of_birth))?;
        s.serialize_field("occupation", &c.occupation)?;
        coded(
            &mut s,
            "preferredContactTypeId",
            "preferredContactType",
            c.preferred_contact_type.as_ref(),
            lang,
        )?;
        s.serialize_field("emailAddress", &c.email_address)?;
        coded(
            &mut s,
            "phoneCodeId",
            "phoneCode",
            c.phone_code.as_ref(),
            lang,
        )?;
        s.serialize_field("mobileNumber", &c.mobile_number)?;
        coded(
            &mut s,
            "additionalPhoneCodeId",
            "additionalPhoneCode",
            c.additional_phone_code.as_ref(),
            lang,
        )?;
        s.serialize_field("additionalMobileNumber", &c.additional_mobile_number)?;
        coded(
            &mut s,
            "identificationTypeId",
            "identificationType",
            c.identification_type.as_ref(),
            lang,
        )?;
        s.serialize_field("identificationNo", &c.identification_no)?;
        coded(&mut s, "countryId", "country", c.country.as_ref(), lang)?;
        coded(&mut s, "regionId", "region", c.region.as_ref(), lang)?;
        coded(&mut s, "cityId", "city", c.city.as_ref(), lang)?;
        s.serialize_field("zipCode", &c.zip_code)?;
        s.serialize_field("address1", &c.address1)?;
        s.serialize_field("address2", &c.address2)?;
        coded(
            &mut s,
            "monthlyIncomeId",
            "monthlyIncome",
            c.monthly_income.as_ref(),
            lang,
        )?;
        s.serialize_field("createdDate", &date(c.created_date))?;
        s.serialize_field("isActive", &c.is_active)?;
        coded(
            &mut s,
            "preferredLanguageId",
            "preferredLanguage",
            c.preferred_language.as_ref(),
            lang,
        )?;
        s.serialize_field("companyId", &c.company_id.get())?;
        // Always null: kept for wire compatibility with the system this API replaces.
        s.serialize_field("company", &())?;
        s.serialize_field("nationalAddress", &c.national_address)?;
        s.serialize_field("commercialRecord", &c.commercial_record)?;
        s.serialize_field("plotIdentification", &c.plot_identification)?;
        s.serialize_field("buildingNo", &c.building_no)?;
        s.serialize_field("unitNo", &c.unit_no)?;
        s.serialize_field("vatRegNo", &c.vat_reg_no)?;
        s.serialize_field("startDate", &WireDateTime(c.start_date))?;
        s.serialize_field("endDate", &date(c.end_date))?;
        s.serialize_field("citySubDivisionName", &c.city_sub_division_name)?;
        s.serialize_field("postalCode", &c.postal_code)?;
        s.serialize_field("userActive", &c.user_active.map(u8::from))?;
        s.serialize_field(
            "customerContacts",
            &ContactsJson {
                customer: c,
                language: lang,
            },
        )?;
        s.end()
    }
}

struct ContactsJson<'a> {
    customer: &'a Customer,
    language: Language,
}

impl Serialize for ContactsJson<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut seq = serializer.serialize_seq(Some(self.customer.contacts.len()))?;
        for contact in &self.customer.contacts {
            seq.serialize_element(&ContactJson {
                contact,
                customer: self.customer,
                language: self.language,
            })?;
        }
        seq.end()
    }
}

struct ContactJson<'a> {
    contact: &'a Contact,
    customer: &'a Customer,
    language: Language,
}

impl Serialize for ContactJson<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let c = self.contact;
        let mut s = serializer.serialize_struct("Contact", 16)?;
        s.serialize_field("contactId", &c.contact_id)?;
        s.serialize_field("customerId", &c.customer_id.get())?;
        // Always null: kept for wire compatibility with the system this API replaces.
        s.serialize_field("customer", &())?;
        s.serialize_field("contactNumber", &c.contact_number)?;
        coded(
            &mut s,
            "relationTypeId",
            "relationType",
            c.relation_type.as_ref(),
            self.language,
        )?;
        s.serialize_field("contactName", &c.contact_name)?;
        s.serialize_field(
            "contactPhoneCodeId",
            &c.contact_phone_code.as_ref().map(|p| p.id),
        )?;
        s.serialize_field(
            "phoneCode",
            &c.phone_code(self.customer)
                .map(|p| p.name.get(self.language)),
        )?;
        s.serialize_field("primaryContact", &c.primary_contact)?;
        s.serialize_field("contactStartDate", &date(c.contact_start_date))?;
        s.serialize_field("contactEndDate", &date(c.contact_end_date))?;
        s.serialize_field("isActive", &c.is_active)?;
        s.serialize_field("contactIsEnable", &c.contact_is_enable)?;
        s.serialize_field("profession", &c.profession)?;
        s.serialize_field("remarks", &c.remarks)?;
        s.end()
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

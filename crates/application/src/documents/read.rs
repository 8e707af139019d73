//! Reading a customer document: every field checked, every problem reported at once.

use std::collections::BTreeSet;

use chrono::{DateTime, FixedOffset, NaiveDate, NaiveDateTime, Utc};
use customer_domain::{
    CodeBook, CodeCategory, CompanyCode, CompanyId, ContactDetails, CustomerChange,
    CustomerDocument, CustomerId, CustomerProfile, IdentificationNumber, InvalidValue,
    MobileNumber, ReferenceNumber, Violation,
};
use serde_json::{Map, Value};

use super::problems::{DocumentErrors, DocumentProblem};

/// The longest free text a document may hold in one field, in characters.
pub const MAX_TEXT_LEN: usize = 500;
/// The longest phone number (a contact's, an additional mobile), in digits.
const MAX_PHONE_DIGITS: usize = 15;

/// The fields of a customer document, in the contract's order: the response object's,
/// then `companyCode`, `referenceNos` and `deleted`. Names and the service's own fields
/// (`versionId`, `customerVersionId`, `companyId`, `company`, `endDate`) are accepted
/// and not read.
const CUSTOMER_FIELDS: &[&str] = &[
    "versionId",
    "customerId",
    "customerVersionId",
    "firstName",
    "middleName",
    "lastName",
    "companyName",
    "contactName",
    "nationalityId",
    "nationality",
    "genderId",
    "gender",
    "customerTypeId",
    "customerType",
    "companyTypeId",
    "companyType",
    "industryTypeId",
    "industryType",
    "dateOfBirth",
    "occupation",
    "preferredContactTypeId",
    "preferredContactType",
    "emailAddress",
    "phoneCodeId",
    "phoneCode",
    "mobileNumber",
    "additionalPhoneCodeId",
    "additionalPhoneCode",
    "additionalMobileNumber",
    "identificationTypeId",
    "identificationType",
    "identificationNo",
    "countryId",
    "country",
    "regionId",
    "region",
    "cityId",
    "city",
    "zipCode",
    "address1",
    "address2",
    "monthlyIncomeId",
    "monthlyIncome",
    "createdDate",
    "isActive",
    "preferredLanguageId",
    "preferredLanguage",
    "companyId",
    "company",
    "nationalAddress",
    "commercialRecord",
    "plotIdentification",
    "buildingNo",
    "unitNo",
    "vatRegNo",
    "startDate",
    "endDate",
    "citySubDivisionName",
    "postalCode",
    "userActive",
    "customerContacts",
    "companyCode",
    "referenceNos",
    "deleted",
];

/// The fields of a contact, in the contract's order; `contactId`, `customerId`,
/// `customer`, `relationType` and `phoneCode` are accepted and not read.
const CONTACT_FIELDS: &[&str] = &[
    "contactId",
    "customerId",
    "customer",
    "contactNumber",
    "relationTypeId",
    "relationType",
    "contactName",
    "contactPhoneCodeId",
    "phoneCode",
    "primaryContact",
    "contactStartDate",
    "contactEndDate",
    "isActive",
    "contactIsEnable",
    "profession",
    "remarks",
];

/// What a document is read against: the codes and companies that exist, the moment it
/// is read (effective times may not be later), and the offset of the stored local times
/// (a time given with an offset is stored as that local time).
#[derive(Debug, Clone, Copy)]
pub struct DocumentContext<'a> {
    /// The coded values and companies that exist.
    pub book: &'a CodeBook,
    /// Now.
    pub now: DateTime<Utc>,
    /// The offset of the stored local times.
    pub local_offset: FixedOffset,
}

/// The customer a document must be about, when its address names it (`PUT
/// /v1/core/customers/{companyCode}/{customerId}`): a document may leave out these two
/// fields, and may not name another customer.
#[derive(Debug, Clone)]
pub struct Addressed {
    /// The company of the address.
    pub company: CompanyCode,
    /// The customer id of the address.
    pub customer_id: CustomerId,
}

/// Reads one line of JSON Lines as a change.
///
/// # Errors
/// Every problem of the line, by field.
pub fn read_line(
    line: &str,
    context: &DocumentContext<'_>,
) -> Result<CustomerChange, DocumentErrors> {
    match serde_json::from_str::<Value>(line) {
        Ok(value) => read_change(&value, context, None),
        Err(_) => Err(DocumentErrors::single("", DocumentProblem::NotJson)),
    }
}

/// Reads a parsed document as a change: a [`CustomerChange::Close`] when it says
/// `"deleted": true`, else a [`CustomerChange::Put`].
///
/// # Errors
/// Every problem of the document, by field.
pub fn read_change(
    value: &Value,
    context: &DocumentContext<'_>,
    addressed: Option<&Addressed>,
) -> Result<CustomerChange, DocumentErrors> {
    let Value::Object(map) = value else {
        return Err(DocumentErrors::single("", DocumentProblem::NotAnObject));
    };
    let mut reader = Reader {
        map,
        prefix: String::new(),
        errors: DocumentErrors::default(),
        context,
    };
    reader.unknown_fields(CUSTOMER_FIELDS);
    let company = reader.company(addressed.map(|a| &a.company));
    let customer_id = reader.customer_id(addressed.map(|a| a.customer_id));
    let deleted = reader.boolean("deleted").unwrap_or(false);
    if deleted {
        let effective = reader.effective("endDate");
        return match (company, customer_id) {
            (Some(company), Some(customer_id)) if reader.errors.is_empty() => {
                Ok(CustomerChange::Close {
                    company,
                    customer_id,
                    effective,
                })
            }
            _ => Err(reader.errors),
        };
    }
    let profile = reader.profile();
    let effective = reader.effective("startDate");
    let contacts = reader.contacts();
    let references = reader.references();
    match (company, customer_id) {
        (Some(company), Some(customer_id)) if reader.errors.is_empty() => {
            Ok(CustomerChange::Put(Box::new(CustomerDocument {
                company,
                customer_id,
                effective,
                profile,
                contacts,
                references,
            })))
        }
        _ => Err(reader.errors),
    }
}

/// Reads the fields of one JSON object, recording the problems of each.
struct Reader<'a, 'c> {
    map: &'a Map<String, Value>,
    /// Prepended to field names: `customerContacts[2].` inside a contact.
    prefix: String,
    errors: DocumentErrors,
    context: &'a DocumentContext<'c>,
}

impl<'a> Reader<'a, '_> {
    fn add(&mut self, field: &str, problem: DocumentProblem) {
        self.errors.add(format!("{}{field}", self.prefix), problem);
    }

    fn add_invalid(&mut self, field: &str, invalid: &InvalidValue) {
        for violation in invalid.violations() {
            self.add(field, DocumentProblem::Invalid(*violation));
        }
    }

    fn unknown_fields(&mut self, known: &[&str]) {
        let unknown: Vec<String> = self
            .map
            .keys()
            .filter(|key| !known.contains(&key.as_str()))
            .cloned()
            .collect();
        for key in unknown {
            self.add(&key, DocumentProblem::UnknownField);
        }
    }

    /// The field's value, `None` when absent or `null`.
    fn value(&self, field: &str) -> Option<&'a Value> {
        self.map.get(field).filter(|value| !value.is_null())
    }

    fn text(&mut self, field: &str) -> Option<String> {
        let Value::String(text) = self.value(field)? else {
            self.add(field, DocumentProblem::NotAString);
            return None;
        };
        let mut broken = false;
        if text.chars().count() > MAX_TEXT_LEN {
            self.add(
                field,
                DocumentProblem::Invalid(Violation::TooLong { max: MAX_TEXT_LEN }),
            );
            broken = true;
        }
        // Line breaks and tabs are text (addresses, remarks); other controls are not.
        if text
            .chars()
            .any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t'))
        {
            self.add(
                field,
                DocumentProblem::Invalid(Violation::ControlCharacters),
            );
            broken = true;
        }
        (!broken).then(|| text.clone())
    }

    /// A string field read by a value type's `parse`.
    fn parsed<T>(&mut self, field: &str, parse: fn(&str) -> Result<T, InvalidValue>) -> Option<T> {
        let Value::String(text) = self.value(field)? else {
            self.add(field, DocumentProblem::NotAString);
            return None;
        };
        parse(text)
            .map_err(|invalid| self.add_invalid(field, &invalid))
            .ok()
    }

    fn code(&mut self, field: &str, category: CodeCategory) -> Option<i32> {
        let value = self.value(field)?;
        match value.as_i64().and_then(|id| i32::try_from(id).ok()) {
            Some(id) if self.context.book.has_code(category, id) => Some(id),
            Some(_) => {
                self.add(field, DocumentProblem::UnknownCode);
                None
            }
            None => {
                self.add(field, DocumentProblem::NotAnInteger);
                None
            }
        }
    }

    fn boolean(&mut self, field: &str) -> Option<bool> {
        match self.value(field)? {
            Value::Bool(flag) => Some(*flag),
            Value::Number(n) if n.as_u64() == Some(1) => Some(true),
            Value::Number(n) if n.as_u64() == Some(0) => Some(false),
            _ => {
                self.add(field, DocumentProblem::NotABoolean);
                None
            }
        }
    }

    fn date_time(&mut self, field: &str) -> Option<NaiveDateTime> {
        let Value::String(text) = self.value(field)? else {
            self.add(field, DocumentProblem::NotADateTime);
            return None;
        };
        let read = parse_date_time(text.trim(), self.context.local_offset);
        if read.is_none() {
            self.add(field, DocumentProblem::NotADateTime);
        }
        read
    }

    /// The moment a change took effect: not later than now.
    fn effective(&mut self, field: &str) -> Option<NaiveDateTime> {
        let at = self.date_time(field)?;
        let now = self
            .context
            .now
            .with_timezone(&self.context.local_offset)
            .naive_local();
        if at > now {
            self.add(field, DocumentProblem::InTheFuture);
            return None;
        }
        Some(at)
    }

    fn company(&mut self, addressed: Option<&CompanyCode>) -> Option<CompanyId> {
        let given = self.parsed("companyCode", CompanyCode::parse);
        let code = match (given, addressed) {
            (Some(given), Some(addressed)) if given != *addressed => {
                self.add("companyCode", DocumentProblem::DiffersFromAddress);
                return None;
            }
            (Some(code), _) => code,
            (None, Some(addressed)) if self.value("companyCode").is_none() => addressed.clone(),
            (None, _) => {
                if self.value("companyCode").is_none() {
                    self.add("companyCode", DocumentProblem::Required);
                }
                return None;
            }
        };
        let company = self.context.book.company(&code);
        if company.is_none() {
            self.add("companyCode", DocumentProblem::UnknownCompany);
        }
        company
    }

    fn customer_id(&mut self, addressed: Option<CustomerId>) -> Option<CustomerId> {
        let given = match self.value("customerId") {
            None => None,
            Some(Value::Number(n)) => match n.as_i64() {
                Some(id) => match CustomerId::new(id) {
                    Ok(id) => Some(id),
                    Err(invalid) => {
                        self.add_invalid("customerId", &invalid);
                        return None;
                    }
                },
                None if n.as_u64().is_some() => {
                    self.add("customerId", DocumentProblem::Invalid(Violation::TooLarge));
                    return None;
                }
                None => {
                    self.add("customerId", DocumentProblem::NotAnInteger);
                    return None;
                }
            },
            Some(Value::String(_)) => {
                let id = self.parsed("customerId", CustomerId::parse);
                id?;
                id
            }
            Some(_) => {
                self.add("customerId", DocumentProblem::NotAnInteger);
                return None;
            }
        };
        match (given, addressed) {
            (Some(given), Some(addressed)) if given != addressed => {
                self.add("customerId", DocumentProblem::DiffersFromAddress);
                None
            }
            (Some(id), _) | (None, Some(id)) => Some(id),
            (None, None) => {
                self.add("customerId", DocumentProblem::Required);
                None
            }
        }
    }

    fn profile(&mut self) -> CustomerProfile {
        use CodeCategory as C;
        CustomerProfile {
            first_name: self.text("firstName"),
            middle_name: self.text("middleName"),
            last_name: self.text("lastName"),
            company_name: self.text("companyName"),
            contact_name: self.text("contactName"),
            nationality_id: self.code("nationalityId", C::Nationality),
            gender_id: self.code("genderId", C::Gender),
            customer_type_id: self.code("customerTypeId", C::CustomerType),
            company_type_id: self.code("companyTypeId", C::CompanyType),
            industry_type_id: self.code("industryTypeId", C::IndustryType),
            date_of_birth: self.date_time("dateOfBirth"),
            occupation: self.text("occupation"),
            preferred_contact_type_id: self.code("preferredContactTypeId", C::ContactType),
            email_address: self.text("emailAddress"),
            phone_code_id: self.code("phoneCodeId", C::PhoneCode),
            mobile_number: self.parsed("mobileNumber", MobileNumber::parse),
            additional_phone_code_id: self.code("additionalPhoneCodeId", C::PhoneCode),
            additional_mobile_number: self.phone_number("additionalMobileNumber"),
            identification_type_id: self.code("identificationTypeId", C::IdentificationType),
            identification_no: self.parsed("identificationNo", IdentificationNumber::parse),
            country_id: self.code("countryId", C::Country),
            region_id: self.code("regionId", C::Region),
            city_id: self.code("cityId", C::City),
            zip_code: self.text("zipCode"),
            address1: self.text("address1"),
            address2: self.text("address2"),
            monthly_income_id: self.code("monthlyIncomeId", C::IncomeRange),
            created_date: self.date_time("createdDate"),
            is_active: self.boolean("isActive"),
            preferred_language_id: self.code("preferredLanguageId", C::Language),
            national_address: self.text("nationalAddress"),
            commercial_record: self.text("commercialRecord"),
            plot_identification: self.text("plotIdentification"),
            building_no: self.text("buildingNo"),
            unit_no: self.text("unitNo"),
            vat_reg_no: self.text("vatRegNo"),
            city_sub_division_name: self.text("citySubDivisionName"),
            postal_code: self.text("postalCode"),
            user_active: self.boolean("userActive"),
        }
    }

    fn list(&mut self, field: &str) -> &'a [Value] {
        let map = self.map;
        match map.get(field) {
            None | Some(Value::Null) => &[],
            Some(Value::Array(items)) => items,
            Some(_) => {
                self.add(field, DocumentProblem::NotAList);
                &[]
            }
        }
    }

    fn contacts(&mut self) -> Vec<ContactDetails> {
        let items = self.list("customerContacts");
        let mut contacts = Vec::with_capacity(items.len());
        for (index, item) in items.iter().enumerate() {
            let prefix = format!("customerContacts[{index}].");
            let Value::Object(map) = item else {
                self.errors.add(
                    format!("customerContacts[{index}]"),
                    DocumentProblem::NotAnObject,
                );
                continue;
            };
            let mut contact = Reader {
                map,
                prefix,
                errors: DocumentErrors::default(),
                context: self.context,
            };
            contact.unknown_fields(CONTACT_FIELDS);
            let details = ContactDetails {
                contact_number: contact.phone_number("contactNumber"),
                relation_type_id: contact.code("relationTypeId", CodeCategory::RelationType),
                contact_name: contact.text("contactName"),
                contact_phone_code_id: contact.code("contactPhoneCodeId", CodeCategory::PhoneCode),
                primary_contact: contact.boolean("primaryContact").unwrap_or(false),
                contact_start_date: contact.date_time("contactStartDate"),
                contact_end_date: contact.date_time("contactEndDate"),
                is_active: contact.boolean("isActive"),
                contact_is_enable: contact.boolean("contactIsEnable"),
                profession: contact.text("profession"),
                remarks: contact.text("remarks"),
            };
            for (field, problems) in contact.errors.iter() {
                for problem in problems {
                    self.errors.add(field, *problem);
                }
            }
            contacts.push(details);
        }
        contacts
    }

    /// A phone number of any country, or a landline: digits only (Arabic-Indic digits
    /// read as ASCII, spaces and hyphens ignored), any first digit. A contact's number,
    /// and a customer's additional mobile number, which may be of the country its phone
    /// code names (a resident's home number).
    fn phone_number(&mut self, field: &str) -> Option<String> {
        let Value::String(text) = self.value(field)? else {
            self.add(field, DocumentProblem::NotAString);
            return None;
        };
        let digits: String = customer_domain::normalize_digits(text)
            .chars()
            .filter(|c| !c.is_whitespace() && *c != '-')
            .collect();
        let mut broken = false;
        if !digits.bytes().all(|b| b.is_ascii_digit()) {
            self.add(field, DocumentProblem::Invalid(Violation::NotDigits));
            broken = true;
        }
        if digits.chars().count() > MAX_PHONE_DIGITS {
            self.add(
                field,
                DocumentProblem::Invalid(Violation::TooLong {
                    max: MAX_PHONE_DIGITS,
                }),
            );
            broken = true;
        }
        (!broken).then_some(digits)
    }

    fn references(&mut self) -> BTreeSet<ReferenceNumber> {
        let items = self.list("referenceNos");
        let mut references = BTreeSet::new();
        for (index, item) in items.iter().enumerate() {
            let field = format!("referenceNos[{index}]");
            match item {
                Value::String(text) => match ReferenceNumber::parse(text) {
                    Ok(reference) => {
                        references.insert(reference);
                    }
                    Err(invalid) => self.add_invalid(&field, &invalid),
                },
                _ => self.add(&field, DocumentProblem::NotAString),
            }
        }
        references
    }
}

/// A date-time as a document may write it: `2025-01-01T10:00:00` with an optional
/// fraction, a date alone (its midnight), or either form of RFC 3339 with an offset
/// (converted to the stored local time).
pub fn parse_date_time(text: &str, local_offset: FixedOffset) -> Option<NaiveDateTime> {
    if let Ok(at) = DateTime::parse_from_rfc3339(text) {
        return Some(at.with_timezone(&local_offset).naive_local());
    }
    NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M:%S%.f")
        .ok()
        .or_else(|| {
            NaiveDate::parse_from_str(text, "%Y-%m-%d")
                .ok()
                .and_then(|date| date.and_hms_opt(0, 0, 0))
        })
}

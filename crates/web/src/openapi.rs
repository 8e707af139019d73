//! The OpenAPI 3.1 description of the service, generated from the code, served at
//! `/openapi.json`, with Swagger UI (bundled in the binary) at `/docs`.
//!
//! The schema types below describe the wire format that `customer_json` writes; a test
//! validates real responses against the served document, so the two cannot drift apart.

#![allow(dead_code)] // The schema types are only read by the derive.

use serde::Serialize;
use utoipa::openapi::example::ExampleBuilder;
use utoipa::openapi::schema::{AdditionalProperties, ObjectBuilder, Schema, Type};
use utoipa::openapi::{OpenApi as OpenApiDoc, RefOr};
use utoipa::{Modify, OpenApi, ToSchema};

/// The current version of a customer.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(as = Customer)]
pub struct CustomerSchema {
    /// Global identifier of this version.
    version_id: i64,
    customer_id: i64,
    /// Number of this version for this customer (1, 2, ...).
    customer_version_id: i32,
    first_name: Option<String>,
    middle_name: Option<String>,
    last_name: Option<String>,
    company_name: Option<String>,
    contact_name: Option<String>,
    nationality_id: Option<i32>,
    /// Name of `nationalityId` in the requested language.
    nationality: Option<String>,
    gender_id: Option<i32>,
    gender: Option<String>,
    customer_type_id: Option<i32>,
    customer_type: Option<String>,
    company_type_id: Option<i32>,
    company_type: Option<String>,
    industry_type_id: Option<i32>,
    industry_type: Option<String>,
    /// `YYYY-MM-DDTHH:MM:SS`, with a fraction of the second when it is not zero.
    #[schema(pattern = r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d*[1-9])?$")]
    date_of_birth: Option<String>,
    occupation: Option<String>,
    preferred_contact_type_id: Option<i32>,
    preferred_contact_type: Option<String>,
    email_address: Option<String>,
    phone_code_id: Option<i32>,
    /// The dialling prefix, e.g. `00966`.
    phone_code: Option<String>,
    mobile_number: Option<String>,
    additional_phone_code_id: Option<i32>,
    additional_phone_code: Option<String>,
    additional_mobile_number: Option<String>,
    identification_type_id: Option<i32>,
    identification_type: Option<String>,
    identification_no: Option<String>,
    country_id: Option<i32>,
    country: Option<String>,
    region_id: Option<i32>,
    region: Option<String>,
    city_id: Option<i32>,
    city: Option<String>,
    zip_code: Option<String>,
    address1: Option<String>,
    address2: Option<String>,
    monthly_income_id: Option<i32>,
    monthly_income: Option<String>,
    #[schema(pattern = r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d*[1-9])?$")]
    created_date: Option<String>,
    is_active: Option<bool>,
    preferred_language_id: Option<i32>,
    preferred_language: Option<String>,
    company_id: i32,
    /// Always `null`; kept for compatibility with the system this API replaces.
    #[schema(value_type = Option<()>)]
    company: Option<()>,
    national_address: Option<String>,
    commercial_record: Option<String>,
    plot_identification: Option<String>,
    building_no: Option<String>,
    unit_no: Option<String>,
    vat_reg_no: Option<String>,
    #[schema(pattern = r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d*[1-9])?$")]
    start_date: String,
    /// Always `null`: only current versions are returned.
    #[schema(value_type = Option<()>)]
    end_date: Option<()>,
    city_sub_division_name: Option<String>,
    postal_code: Option<String>,
    /// `1` or `0`.
    #[schema(minimum = 0, maximum = 1)]
    user_active: Option<u8>,
    /// All contacts of the customer, ordered by `contactId`.
    customer_contacts: Vec<ContactSchema>,
}

/// A contact of a customer.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(as = CustomerContact)]
pub struct ContactSchema {
    contact_id: i64,
    customer_id: i64,
    /// Always `null`; kept for compatibility with the system this API replaces.
    #[schema(value_type = Option<()>)]
    customer: Option<()>,
    contact_number: Option<String>,
    relation_type_id: Option<i32>,
    relation_type: Option<String>,
    contact_name: Option<String>,
    contact_phone_code_id: Option<i32>,
    /// The code of `contactPhoneCodeId`, or the customer's own phone code without one.
    phone_code: Option<String>,
    primary_contact: bool,
    #[schema(pattern = r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d*[1-9])?$")]
    contact_start_date: Option<String>,
    #[schema(pattern = r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d*[1-9])?$")]
    contact_end_date: Option<String>,
    is_active: Option<bool>,
    contact_is_enable: Option<bool>,
    profession: Option<String>,
    remarks: Option<String>,
}

/// An error, as RFC 9457 describes it.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = Problem)]
pub struct ProblemSchema {
    /// A URI reference naming the kind of problem.
    #[serde(rename = "type")]
    kind: String,
    /// A short summary, in the request's language.
    title: String,
    /// The HTTP status.
    status: u16,
    /// What happened, in the request's language.
    detail: String,
    /// For `400`: messages by parameter name, in the request's language.
    #[schema(required = false)]
    errors: Option<std::collections::BTreeMap<String, Vec<String>>>,
}

/// The state of the service, for probes.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = Health)]
pub struct HealthSchema {
    /// `up`, `ready` or `unavailable`.
    status: String,
    /// What is wrong, when not ready.
    #[schema(required = false)]
    reason: Option<String>,
}

const AR_EXAMPLE: &str = include_str!("openapi/example-ar.json");
const EN_EXAMPLE: &str = include_str!("openapi/example-en.json");

/// The contract's example, in both languages.
pub fn examples() -> (serde_json::Value, serde_json::Value) {
    let parse = |text: &str| serde_json::from_str(text).unwrap_or(serde_json::Value::Null);
    (parse(AR_EXAMPLE), parse(EN_EXAMPLE))
}

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Customer lookup",
        description = "Who is this customer? The current profile of the customers of one company that match a national ID or commercial registration number, a mobile number, a customer id or a policy reference, in Arabic or English.",
    ),
    paths(crate::routes::find_customers, crate::health::live, crate::health::ready),
    components(schemas(CustomerSchema, ContactSchema, ProblemSchema, HealthSchema)),
    modifiers(&WireRules, &LookupExamples),
)]
struct ApiDoc;

/// Every field of a customer or contact is always present (`null` when unknown), and no
/// other field is (utoipa would mark `Option` fields optional); the fields kept only for
/// wire compatibility are always `null`.
struct WireRules;

impl Modify for WireRules {
    fn modify(&self, openapi: &mut OpenApiDoc) {
        let Some(components) = openapi.components.as_mut() else {
            return;
        };
        let always_null: [(&str, &[&str]); 2] = [
            ("Customer", &["company", "endDate"]),
            ("CustomerContact", &["customer"]),
        ];
        for (name, null_fields) in always_null {
            if let Some(RefOr::T(Schema::Object(object))) = components.schemas.get_mut(name) {
                object.required = object.properties.keys().cloned().collect();
                object.additional_properties =
                    Some(Box::new(AdditionalProperties::FreeForm(false)));
                for field in null_fields {
                    let description = match object.properties.get(*field) {
                        Some(RefOr::T(Schema::Object(field))) => field.description.clone(),
                        _ => None,
                    };
                    let null = ObjectBuilder::new()
                        .schema_type(Type::Null)
                        .description(description)
                        .build();
                    object
                        .properties
                        .insert((*field).to_owned(), RefOr::T(Schema::Object(null)));
                }
            }
        }
    }
}

/// Examples of the lookup's answers, in both languages.
struct LookupExamples;

impl Modify for LookupExamples {
    fn modify(&self, openapi: &mut OpenApiDoc) {
        let (arabic, english) = examples();
        let invalid = |title: &str, detail: &str, message: &str| {
            serde_json::json!({
                "type": "/problems/invalid-request", "title": title, "status": 400, "detail": detail,
                "errors": {"mobileNumber": [message]},
            })
        };
        let bad_ar = invalid(
            "طلب غير صالح",
            "بعض معاملات الطلب غير صالحة، والتفاصيل في errors.",
            "يجب أن يبدأ بالرقم 5",
        );
        let bad_en = invalid(
            "Invalid request",
            "Some parameters of the request are invalid; see errors.",
            "must start with 5",
        );
        let Some(item) = openapi.paths.paths.get_mut("/v1/core/customer") else {
            return;
        };
        let Some(operation) = item.get.as_mut() else {
            return;
        };
        for (status, media, samples) in [
            (
                "200",
                "application/json",
                [
                    ("ar", "The contract's example, lang=ar", arabic),
                    ("en", "The same customer, lang=en", english),
                ],
            ),
            (
                "400",
                "application/problem+json",
                [
                    ("ar", "mobileNumber=468617084&lang=ar", bad_ar),
                    ("en", "mobileNumber=468617084&lang=en", bad_en),
                ],
            ),
        ] {
            let Some(RefOr::T(response)) = operation.responses.responses.get_mut(status) else {
                continue;
            };
            let Some(content) = response.content.get_mut(media) else {
                continue;
            };
            for (name, summary, value) in samples {
                let example = ExampleBuilder::new()
                    .summary(summary)
                    .value(Some(value))
                    .build();
                content.examples.insert(name.to_owned(), RefOr::T(example));
            }
        }
    }
}

/// The document.
pub fn document() -> utoipa::openapi::OpenApi {
    let mut doc = ApiDoc::openapi();
    env!("CARGO_PKG_VERSION").clone_into(&mut doc.info.version);
    doc
}

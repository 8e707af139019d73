//! The diesel schema: the tables of `migrations/postgres` and `migrations/sqlite`; both
//! migration sets must agree with it (a test checks that they do). Public for the tools
//! that write these tables through diesel, such as the synthetic data loader.

diesel::table! {
    companies (company_id) {
        company_id -> Integer,
        code -> Text,
        name_ar -> Text,
        name_en -> Text,
    }
}

diesel::table! {
    nationalities (id) {
        id -> Integer,
        name_ar -> Text,
        name_en -> Text,
    }
}

diesel::table! {
    genders (id) {
        id -> Integer,
        name_ar -> Text,
        name_en -> Text,
    }
}

diesel::table! {
    customer_types (id) {
        id -> Integer,
        name_ar -> Text,
        name_en -> Text,
    }
}

diesel::table! {
    company_types (id) {
        id -> Integer,
        name_ar -> Text,
        name_en -> Text,
    }
}

diesel::table! {
    industry_types (id) {
        id -> Integer,
        name_ar -> Text,
        name_en -> Text,
    }
}

diesel::table! {
    contact_types (id) {
        id -> Integer,
        name_ar -> Text,
        name_en -> Text,
    }
}

diesel::table! {
    phone_codes (id) {
        id -> Integer,
        name_ar -> Text,
        name_en -> Text,
    }
}

diesel::table! {
    identification_types (id) {
        id -> Integer,
        name_ar -> Text,
        name_en -> Text,
    }
}

diesel::table! {
    countries (id) {
        id -> Integer,
        name_ar -> Text,
        name_en -> Text,
    }
}

diesel::table! {
    income_ranges (id) {
        id -> Integer,
        name_ar -> Text,
        name_en -> Text,
    }
}

diesel::table! {
    languages (id) {
        id -> Integer,
        name_ar -> Text,
        name_en -> Text,
    }
}

diesel::table! {
    relation_types (id) {
        id -> Integer,
        name_ar -> Text,
        name_en -> Text,
    }
}

diesel::table! {
    regions (id) {
        id -> Integer,
        country_id -> Integer,
        name_ar -> Text,
        name_en -> Text,
    }
}

diesel::table! {
    cities (id) {
        id -> Integer,
        region_id -> Integer,
        name_ar -> Text,
        name_en -> Text,
    }
}

// The tables of customer data are keyed by company first: each row belongs to one
// company, and the tables can be distributed by company_id (docs/scaling.md).
diesel::table! {
    customers (company_id, customer_id) {
        customer_id -> BigInt,
        company_id -> Integer,
    }
}

diesel::table! {
    customer_versions (company_id, version_id) {
        version_id -> BigInt,
        customer_id -> BigInt,
        customer_version_id -> Integer,
        company_id -> Integer,
        first_name -> Nullable<Text>,
        middle_name -> Nullable<Text>,
        last_name -> Nullable<Text>,
        company_name -> Nullable<Text>,
        contact_name -> Nullable<Text>,
        nationality_id -> Nullable<Integer>,
        gender_id -> Nullable<Integer>,
        customer_type_id -> Nullable<Integer>,
        company_type_id -> Nullable<Integer>,
        industry_type_id -> Nullable<Integer>,
        date_of_birth -> Nullable<Timestamp>,
        occupation -> Nullable<Text>,
        preferred_contact_type_id -> Nullable<Integer>,
        email_address -> Nullable<Text>,
        phone_code_id -> Nullable<Integer>,
        mobile_number -> Nullable<Text>,
        additional_phone_code_id -> Nullable<Integer>,
        additional_mobile_number -> Nullable<Text>,
        identification_type_id -> Nullable<Integer>,
        identification_no -> Nullable<Text>,
        country_id -> Nullable<Integer>,
        region_id -> Nullable<Integer>,
        city_id -> Nullable<Integer>,
        zip_code -> Nullable<Text>,
        address1 -> Nullable<Text>,
        address2 -> Nullable<Text>,
        monthly_income_id -> Nullable<Integer>,
        created_date -> Nullable<Timestamp>,
        is_active -> Nullable<Bool>,
        preferred_language_id -> Nullable<Integer>,
        national_address -> Nullable<Text>,
        commercial_record -> Nullable<Text>,
        plot_identification -> Nullable<Text>,
        building_no -> Nullable<Text>,
        unit_no -> Nullable<Text>,
        vat_reg_no -> Nullable<Text>,
        start_date -> Timestamp,
        end_date -> Nullable<Timestamp>,
        city_sub_division_name -> Nullable<Text>,
        postal_code -> Nullable<Text>,
        user_active -> Nullable<Bool>,
    }
}

diesel::table! {
    customer_contacts (company_id, contact_id) {
        contact_id -> BigInt,
        customer_id -> BigInt,
        contact_number -> Nullable<Text>,
        relation_type_id -> Nullable<Integer>,
        contact_name -> Nullable<Text>,
        contact_phone_code_id -> Nullable<Integer>,
        primary_contact -> Bool,
        contact_start_date -> Nullable<Timestamp>,
        contact_end_date -> Nullable<Timestamp>,
        is_active -> Nullable<Bool>,
        contact_is_enable -> Nullable<Bool>,
        profession -> Nullable<Text>,
        remarks -> Nullable<Text>,
        company_id -> Integer,
        since_version -> Integer,
    }
}

// Rows of contacts and references that a later version of their customer removed: each
// belonged to the versions from `since_version` up to `until_version`, exclusive.
diesel::table! {
    customer_contacts_history (company_id, customer_id, contact_id, since_version) {
        contact_id -> BigInt,
        customer_id -> BigInt,
        contact_number -> Nullable<Text>,
        relation_type_id -> Nullable<Integer>,
        contact_name -> Nullable<Text>,
        contact_phone_code_id -> Nullable<Integer>,
        primary_contact -> Bool,
        contact_start_date -> Nullable<Timestamp>,
        contact_end_date -> Nullable<Timestamp>,
        is_active -> Nullable<Bool>,
        contact_is_enable -> Nullable<Bool>,
        profession -> Nullable<Text>,
        remarks -> Nullable<Text>,
        company_id -> Integer,
        since_version -> Integer,
        until_version -> Integer,
    }
}

diesel::table! {
    customer_references_history (company_id, customer_id, reference_no, since_version) {
        company_id -> Integer,
        customer_id -> BigInt,
        reference_no -> Text,
        since_version -> Integer,
        until_version -> Integer,
    }
}

diesel::table! {
    customer_references (company_id, reference_id) {
        reference_id -> BigInt,
        company_id -> Integer,
        customer_id -> BigInt,
        reference_no -> Text,
        since_version -> Integer,
    }
}

diesel::table! {
    clients (client_id) {
        client_id -> Integer,
        name -> Text,
        companies -> Text,
        rate_limit -> Nullable<Text>,
        created_at -> Timestamp,
        permissions -> Text,
    }
}

diesel::table! {
    api_keys (key_id) {
        key_id -> Text,
        client_id -> Integer,
        key_hash -> Text,
        created_at -> Timestamp,
        last_used_at -> Nullable<Timestamp>,
        expires_at -> Nullable<Timestamp>,
        revoked_at -> Nullable<Timestamp>,
    }
}

// PostgreSQL partitions this table by month, and its primary key there is
// (occurred_at, id): a partitioned table's key must hold the partition key.
diesel::table! {
    audit_disclosures (id) {
        id -> BigInt,
        occurred_at -> Timestamp,
        request_id -> Text,
        client_name -> Text,
        credential -> Text,
        company_code -> Text,
        criteria -> Text,
        customer_id_hmac -> Nullable<Text>,
        identification_no_hmac -> Nullable<Text>,
        mobile_number_hmac -> Nullable<Text>,
        reference_no_hmac -> Nullable<Text>,
        customers_returned -> Integer,
        disclosed -> Text,
    }
}

diesel::table! {
    audit_settings (id) {
        id -> Integer,
        hmac_key -> Text,
    }
}

diesel::joinable!(api_keys -> clients (client_id));

diesel::allow_tables_to_appear_in_same_query!(
    customers,
    customer_versions,
    customer_contacts,
    customer_references,
    customer_contacts_history,
    customer_references_history
);

diesel::allow_tables_to_appear_in_same_query!(clients, api_keys);

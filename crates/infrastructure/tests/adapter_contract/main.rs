//! The adapter contract: the same tests against SQLite and PostgreSQL.
//!
//! Every test runs once per backend, as `sqlite::name` and `postgres::name`, each on a
//! fresh database of its own (see `customer_testkit`). When
//! PostgreSQL cannot be reached the `postgres::` half is listed as ignored with a note on
//! stderr (outside CI, where it fails instead). A few tests of what only PostgreSQL has
//! run as `postgres::name` alone.
//!
//! Section 2 "Matching" of `docs/customer-lookup.md` and the demo data set
//! (`src/seed/DEMO.md`) are the sources of the expected results.

mod audit;
mod clients;
mod companies;
mod company_bound;
mod contacts;
mod deadlines;
mod history;
mod lifecycle;
mod permissions;
mod query_plans;
mod reference_data;
mod schema_agreement;
mod search;
mod support;
mod writes;

use chrono::{NaiveDate, NaiveDateTime};
use customer_domain::{
    Coded, CompanyCode, CompanyDirectory, CompanyId, Contact, Customer, CustomerId, LocalizedName,
};
use customer_testkit::{SuiteTest, Suites, TestBackend, TestDatabase, run_suites};

use crate::support::{JTC, criteria, find_one, store};

/// The suite's tests as `(name, test)`; `module: [function, ...]` names each
/// `module::function`, registered under the function's name.
macro_rules! suite {
    ($($module:ident: [$($test:ident),* $(,)?]),* $(,)?) => {
        &[$($((stringify!($test), |backend| Box::pin($module::$test(backend))),)*)*]
    };
}

#[expect(clippy::too_many_lines, reason = "the list of the suite's tests")]
fn main() -> std::process::ExitCode {
    let tests: &[(&'static str, SuiteTest)] = suite![
        self: [example_customer_is_found],
        search: [
            search_by_customer_id,
            search_by_identification_no,
            search_by_mobile_number,
            search_by_reference_no,
            search_by_all_four_criteria,
            results_are_ordered_by_customer_id,
            no_match_returns_empty,
            criteria_are_combined_with_and,
            matching_is_exact,
            companies_are_isolated,
            values_of_old_versions_find_nothing,
            only_the_current_version_is_returned,
            customers_without_a_current_version_are_never_returned,
            a_new_current_version_replaces_the_old_one,
        ],
        contacts: [
            contacts_are_ordered_by_contact_id,
            customers_without_contacts_have_none,
            contacts_of_several_customers_go_to_their_own_customer,
            many_customers_found_at_once_each_get_their_contacts,
            contact_fields_are_read_as_stored,
            coded_values_have_both_names,
            null_coded_ids_give_none,
            a_customer_id_of_two_companies_keeps_its_contacts_apart,
        ],
        history: [
            as_of_finds_the_version_valid_at_each_boundary,
            as_of_is_read_at_the_local_time_offset,
            identifiers_of_old_versions_match_only_as_of_then,
            references_match_the_versions_that_held_them,
            contacts_are_those_the_version_held,
            versions_are_listed_newest_first,
        ],
        reference_data: [
            reference_rows_added_later_are_picked_up_on_a_miss,
            a_miss_reloads_the_reference_data_not_the_rows,
            a_value_missing_after_the_reload_is_inconsistent,
            reference_data_older_than_its_time_to_live_is_reloaded,
            companies_added_later_are_resolved,
            company_codes_resolve_to_their_company,
        ],
        lifecycle: [
            seed_demo_is_idempotent,
            migrating_again_applies_nothing,
            migrations_revert_and_apply_again,
            unreachable_database_is_unavailable,
            connections_are_shared_out_among_threads,
            connections_outlive_the_runtime_that_opened_them,
            warming_up_opens_the_threads_connections,
            one_current_version_per_customer_is_enforced,
            versions_and_references_stay_in_their_customers_company,
        ],
        schema_agreement: [migrations_agree_with_schema_rs],
        query_plans: [lookups_use_indexes, history_statements_use_indexes],
        company_bound: [
            every_table_a_lookup_reads_is_filtered_on_its_company,
            customer_data_is_keyed_by_company,
        ],
        clients: [
            keys_are_found_with_their_client,
            unknown_companies_are_all_reported,
            client_names_are_taken_once,
            keys_are_revoked_by_client_and_by_id,
            rotation_sets_a_grace_period_but_never_extends_an_expiry,
            touching_a_key_records_its_last_use,
            clients_are_listed_by_name_with_keys_oldest_first,
        ],
        permissions: [
            permissions_are_stored_and_read_back,
            permissions_are_replaced_for_one_client,
            stored_permissions_are_checked,
            clients_stored_before_permissions_may_only_read,
        ],
        companies: [
            companies_get_the_next_id_and_are_listed_by_code,
            company_codes_are_taken_once,
            concurrent_adds_get_distinct_ids,
            renaming_replaces_only_the_names_given,
            renaming_an_unknown_company_is_refused,
            added_companies_are_resolved_by_a_running_store,
        ],
        audit: [
            audit_records_are_found_by_customer_client_and_digest,
            digests_are_stored_as_given_never_in_clear,
            large_batches_are_stored_whole,
            prune_removes_older_records_and_keeps_newer,
            partitions_made_late_take_their_rows_from_default,
            the_hmac_key_is_made_once,
        ],
        writes: [
            a_new_customer_is_created_as_version_1,
            a_change_makes_a_new_version_and_closes_the_previous_at_its_start,
            an_unchanged_document_writes_nothing,
            a_closed_customer_leaves_the_lookups_but_not_its_history,
            a_closed_customer_is_made_again,
            if_match_is_checked_against_the_current_version,
            a_change_not_after_the_current_start_is_refused,
            a_dated_sequence_applied_again_changes_nothing,
            changes_of_one_customer_in_one_batch_follow_one_another,
            a_dry_run_writes_nothing,
            a_batch_that_fails_part_of_the_way_writes_nothing,
            export_reads_whole_histories_by_pages,
            export_as_of_shows_what_was_known_then,
            an_initial_load_writes_as_batches_do_and_rebuilds_what_it_dropped,
            an_unfinished_initial_load_leaves_the_tables_as_they_were,
        ],
    ];
    let postgres_only: &[(&'static str, SuiteTest)] = suite![
        lifecycle: [rows_inserted_after_seeding_get_fresh_ids],
        audit: [
            audit_partitions_exist_for_this_month_and_next,
            batches_of_any_size_reuse_one_prepared_statement,
        ],
        deadlines: [a_lookup_past_its_deadline_is_unavailable_and_its_connection_closed],
        // Instances share PostgreSQL; a SQLite file belongs to one process.
        lifecycle: [concurrent_migration_runs_apply_each_migration_once],
    ];
    run_suites(Suites {
        every_backend: tests,
        postgres_only,
        ..Suites::default()
    })
}

fn at(date: (i32, u32, u32), time: (u32, u32, u32), millis: u32) -> NaiveDateTime {
    NaiveDate::from_ymd_opt(date.0, date.1, date.2)
        .and_then(|d| d.and_hms_milli_opt(time.0, time.1, time.2, millis))
        .expect("a valid date-time")
}

pub fn coded(id: i32, ar: &str, en: &str) -> Coded {
    Coded {
        id,
        name: LocalizedName {
            ar: ar.into(),
            en: en.into(),
        },
    }
}

/// Customer 54218 exactly as `example-response.json` shows it.
fn example_customer() -> Customer {
    let customer_id = CustomerId::new(54218).expect("a valid id");
    let contact = |contact_id: i64, number: &str, relation: Coded, profession: &str| Contact {
        contact_id,
        customer_id,
        contact_number: Some(number.to_owned()),
        relation_type: Some(relation),
        contact_name: None,
        contact_phone_code: None,
        primary_contact: false,
        contact_start_date: None,
        contact_end_date: None,
        is_active: Some(true),
        contact_is_enable: None,
        profession: Some(profession.to_owned()),
        remarks: Some(String::new()),
    };
    Customer {
        version_id: 103_932,
        customer_id,
        customer_version_id: 1,
        first_name: None,
        middle_name: None,
        last_name: None,
        company_name: Some("Param IT".to_owned()),
        contact_name: Some("Parameswaran Kalidas".to_owned()),
        nationality: None,
        gender: None,
        customer_type: Some(coded(2, "شركة", "Company")),
        company_type: None,
        industry_type: Some(coded(4, "إنشاءات", "Construction")),
        date_of_birth: None,
        occupation: Some("Company".to_owned()),
        preferred_contact_type: Some(coded(1, "مكالمة صوتية", "Voice call")),
        email_address: Some("sri1@gmail.com".to_owned()),
        phone_code: Some(coded(1, "00966", "00966")),
        mobile_number: Some("568617084".to_owned()),
        additional_phone_code: None,
        additional_mobile_number: None,
        identification_type: Some(coded(
            5,
            "رقم السجل التجاري",
            "Commercial registration number",
        )),
        identification_no: Some("2103232123".to_owned()),
        country: Some(coded(1, "المملكة العربية السعودية", "Saudi Arabia")),
        region: Some(coded(1, "الرياض", "Riyadh")),
        city: Some(coded(1, "الرياض", "Riyadh")),
        zip_code: None,
        address1: Some("Holding".to_owned()),
        address2: Some("Company".to_owned()),
        monthly_income: None,
        created_date: None,
        is_active: None,
        preferred_language: Some(coded(1, "العربية", "Arabic")),
        company_id: CompanyId::new(1),
        national_address: None,
        commercial_record: None,
        plot_identification: None,
        building_no: None,
        unit_no: None,
        vat_reg_no: None,
        start_date: at((2026, 5, 14), (14, 24, 50), 610),
        end_date: None,
        city_sub_division_name: None,
        postal_code: Some("31202".to_owned()),
        user_active: Some(true),
        contacts: vec![
            contact(1, "568617083", coded(3, "صديق", "Friend"), "Test"),
            contact(2, "568617086", coded(6, "أخ", "Brother"), "Brother Prof"),
        ],
    }
}

/// The example request of the specification finds exactly the example customer, field
/// for field (fractional seconds included), with its two contacts.
async fn example_customer_is_found(backend: TestBackend) {
    let db = TestDatabase::with_demo_data(backend).await;
    let store = store(&db);
    let company = store
        .resolve(&CompanyCode::parse("jtc").expect("a well-formed code"))
        .await
        .expect("the directory answers");
    assert_eq!(company, Some(JTC));
    let found = find_one(
        &store,
        JTC,
        &criteria(
            Some(54218),
            Some("2103232123"),
            Some("568617084"),
            Some("333215"),
        ),
    )
    .await;
    assert_eq!(found, example_customer());
    for contact in &found.contacts {
        // Contacts without a phone code of their own are dialled with the customer's.
        assert_eq!(
            contact.phone_code(&found),
            Some(&coded(1, "00966", "00966"))
        );
    }
}

//! Matching (section 2 of the contract): each search shape, AND semantics, exact
//! matching, tenant isolation and versions.

use customer_domain::CompanyId;
use customer_testkit::{TestBackend, TestDatabase};

use crate::support::{
    JFC, JTC, by_id, by_identification, by_mobile, by_reference, criteria, execute, find_ids,
    find_one, store, version_sql,
};

pub async fn search_by_customer_id(backend: TestBackend) {
    let db = TestDatabase::with_demo_data(backend).await;
    let store = store(&db);
    let found = find_one(&store, JTC, &by_id(54218)).await;
    assert_eq!(found.customer_id.get(), 54218);
    assert_eq!(found.version_id, 103_932);
    assert_eq!(found.company_id, JTC);
    assert_eq!(find_ids(&store, JTC, &by_id(61003)).await, [61003]);
    assert_eq!(find_ids(&store, JFC, &by_id(70004)).await, [70004]);
}

pub async fn search_by_identification_no(backend: TestBackend) {
    let db = TestDatabase::with_demo_data(backend).await;
    let store = store(&db);
    let found = find_one(&store, JTC, &by_identification("2103232123")).await;
    assert_eq!(found.customer_id.get(), 54218);
    assert_eq!(found.identification_no.as_deref(), Some("2103232123"));
    assert_eq!(
        find_ids(&store, JTC, &by_identification("1034567891")).await,
        [54219]
    );
    assert_eq!(
        find_ids(&store, JTC, &by_identification("4030234567")).await,
        [61003]
    );
    // Arabic-Indic digits are read as ASCII before matching.
    assert_eq!(
        find_ids(&store, JTC, &by_identification("٢١٠٣٢٣٢١٢٣")).await,
        [54218]
    );
}

pub async fn search_by_mobile_number(backend: TestBackend) {
    let db = TestDatabase::with_demo_data(backend).await;
    let store = store(&db);
    let found = find_one(&store, JTC, &by_mobile("568617084")).await;
    assert_eq!(found.customer_id.get(), 54218);
    assert_eq!(found.mobile_number.as_deref(), Some("568617084"));
    assert_eq!(
        find_ids(&store, JTC, &by_mobile("500998877")).await,
        [61002]
    );
    // A family mobile number shared by two customers finds both, by customer id.
    assert_eq!(
        find_ids(&store, JTC, &by_mobile("551234567")).await,
        [54219, 54220]
    );
    // Spaces and hyphens are not part of the number.
    assert_eq!(
        find_ids(&store, JTC, &by_mobile("55 123-4567")).await,
        [54219, 54220]
    );
    // The additional mobile number is not the mobile number.
    assert_eq!(
        find_ids(&store, JTC, &by_mobile("505667788")).await,
        Vec::<i64>::new()
    );
}

pub async fn search_by_reference_no(backend: TestBackend) {
    let db = TestDatabase::with_demo_data(backend).await;
    let store = store(&db);
    assert_eq!(
        find_ids(&store, JTC, &by_reference("333215")).await,
        [54218]
    );
    assert_eq!(
        find_ids(&store, JTC, &by_reference("MTR-2025-044871")).await,
        [54221]
    );
    // Every reference of a customer with several finds it, once.
    for reference in ["GRP-2025-000045", "POL-2025-000987", "884512"] {
        assert_eq!(
            find_ids(&store, JTC, &by_reference(reference)).await,
            [61001],
            "{reference}"
        );
    }
    // A reference shared by two customers finds both.
    assert_eq!(
        find_ids(&store, JTC, &by_reference("POL-2025-000123")).await,
        [54219, 54220]
    );
}

pub async fn search_by_all_four_criteria(backend: TestBackend) {
    let db = TestDatabase::with_demo_data(backend).await;
    let store = store(&db);
    let example = criteria(
        Some(54218),
        Some("2103232123"),
        Some("568617084"),
        Some("333215"),
    );
    assert_eq!(find_ids(&store, JTC, &example).await, [54218]);
    let other = criteria(
        Some(54219),
        Some("1034567891"),
        Some("551234567"),
        Some("POL-2026-000481"),
    );
    assert_eq!(find_ids(&store, JTC, &other).await, [54219]);
}

/// Results come ordered by customer id, not in insertion order: customer 50000 is added
/// after 54219 and 54220 and shares their mobile number and family policy.
pub async fn results_are_ordered_by_customer_id(backend: TestBackend) {
    let db = TestDatabase::with_demo_data(backend).await;
    let pool = db.connect();
    execute(
        &pool,
        &format!(
            "INSERT INTO customers (customer_id, company_id) VALUES (50000, 1);
             {};
             INSERT INTO customer_references (reference_id, company_id, customer_id, reference_no)
             VALUES (900, 1, 50000, 'POL-2025-000123');",
            version_sql(
                900_001,
                50000,
                1,
                1,
                Some("551234567"),
                Some("X-50000"),
                None
            )
        ),
    )
    .await;
    let store = store(&db);
    assert_eq!(
        find_ids(&store, JTC, &by_mobile("551234567")).await,
        [50000, 54219, 54220]
    );
    assert_eq!(
        find_ids(&store, JTC, &by_reference("POL-2025-000123")).await,
        [50000, 54219, 54220]
    );
    assert_eq!(
        find_ids(
            &store,
            JTC,
            &criteria(None, None, Some("551234567"), Some("POL-2025-000123"))
        )
        .await,
        [50000, 54219, 54220]
    );
}

pub async fn no_match_returns_empty(backend: TestBackend) {
    let db = TestDatabase::with_demo_data(backend).await;
    let store = store(&db);
    for criteria in [
        by_id(99999),
        by_identification("9999999999"),
        by_mobile("599999999"),
        by_reference("NO-SUCH-REFERENCE"),
        by_id(i64::MAX),
        criteria(
            Some(99999),
            Some("9999999999"),
            Some("599999999"),
            Some("NO-SUCH-REFERENCE"),
        ),
    ] {
        for company in [JTC, JFC, CompanyId::new(3)] {
            assert_eq!(
                find_ids(&store, company, &criteria).await,
                Vec::<i64>::new(),
                "{criteria:?} in company {company}"
            );
        }
    }
}

/// The identifiers of 54218 (right) and of 54219 (wrong for 54218, but right for another
/// customer of the same company): id, identification no, mobile, reference.
const RIGHT: (i64, &str, &str, &str) = (54218, "2103232123", "568617084", "333215");
const WRONG: (i64, &str, &str, &str) = (54219, "1034567891", "551234567", "POL-2025-000123");

/// Every combination of the four criteria kinds (all 15 non-empty subsets), each kind
/// given either 54218's value or 54219's: only a combination of values that all belong
/// to one customer finds it. In particular a correct customer id with a wrong mobile
/// finds nothing, for every pair of kinds and both ways round (the wrong value in the
/// criterion that drives the query, and in one that filters it).
pub async fn criteria_are_combined_with_and(backend: TestBackend) {
    let db = TestDatabase::with_demo_data(backend).await;
    let store = store(&db);
    let mut checked = 0;
    for kinds in 1_u8..16 {
        // Bit i of `wrong` set: kind i takes 54219's value.
        for wrong in 0_u8..16 {
            if wrong & !kinds != 0 {
                continue;
            }
            let pick = |bit: u8| (kinds & bit != 0).then_some(wrong & bit != 0);
            let search = criteria(
                pick(1).map(|w| if w { WRONG.0 } else { RIGHT.0 }),
                pick(2).map(|w| if w { WRONG.1 } else { RIGHT.1 }),
                pick(4).map(|w| if w { WRONG.2 } else { RIGHT.2 }),
                pick(8).map(|w| if w { WRONG.3 } else { RIGHT.3 }),
            );
            let expected: Vec<i64> = if wrong == 0 {
                vec![54218]
            } else if wrong != kinds {
                Vec::new()
            } else if kinds & 0b11 != 0 {
                vec![54219]
            } else {
                // 54220 shares 54219's mobile number and family policy.
                vec![54219, 54220]
            };
            assert_eq!(find_ids(&store, JTC, &search).await, expected, "{search:?}");
            checked += 1;
        }
    }
    assert_eq!(checked, 80);
}

/// No prefix, suffix, wildcard, case-insensitive or numeric matching: only the exact
/// stored text matches.
pub async fn matching_is_exact(backend: TestBackend) {
    let db = TestDatabase::with_demo_data(backend).await;
    let store = store(&db);
    // The exact values do match (so that the misses below mean something).
    assert_eq!(find_ids(&store, JTC, &by_id(54218)).await, [54218]);
    assert_eq!(
        find_ids(&store, JTC, &by_identification("2103232123")).await,
        [54218]
    );
    assert_eq!(
        find_ids(&store, JTC, &by_mobile("568617084")).await,
        [54218]
    );
    assert_eq!(
        find_ids(&store, JTC, &by_reference("333215")).await,
        [54218]
    );
    assert_eq!(
        find_ids(&store, JTC, &by_reference("POL-2025-000123")).await,
        [54219, 54220]
    );

    let misses = [
        // Customer id: prefix, suffix, longer.
        by_id(5421),
        by_id(4218),
        by_id(542_180),
        // Identification number: prefix, suffix, longer, leading zero, LIKE wildcards.
        by_identification("210323212"),
        by_identification("103232123"),
        by_identification("21032321230"),
        by_identification("02103232123"),
        by_identification("2103%"),
        by_identification("%"),
        by_identification("_103232123"),
        by_identification("210323212_"),
        // Mobile number: prefix, longer, first digit only.
        by_mobile("56861708"),
        by_mobile("5686170840"),
        by_mobile("5"),
        // Reference number: prefix, suffix, longer, leading zero, case, wildcards.
        by_reference("33321"),
        by_reference("33215"),
        by_reference("3332150"),
        by_reference("0333215"),
        by_reference("POL-2025"),
        by_reference("2025-000123"),
        by_reference("pol-2025-000123"),
        by_reference("POL-2025-00012_"),
        by_reference("POL%"),
        by_reference("%"),
        // Values are bound, never spliced into SQL.
        by_reference("333215' OR '1'='1"),
        by_identification("2103232123' OR 1=1 --"),
    ];
    for criteria in misses {
        assert_eq!(
            find_ids(&store, JTC, &criteria).await,
            Vec::<i64>::new(),
            "{criteria:?}"
        );
    }
}

/// The same identifiers in jtc and jfc find only the customer of the company asked; a
/// customer id of one company asked in the other finds nothing.
pub async fn companies_are_isolated(backend: TestBackend) {
    let db = TestDatabase::with_demo_data(backend).await;
    let store = store(&db);
    let shared = [
        by_identification("2103232123"),
        by_mobile("568617084"),
        by_reference("333215"),
        criteria(None, Some("2103232123"), Some("568617084"), Some("333215")),
    ];
    for criteria in &shared {
        assert_eq!(
            find_ids(&store, JTC, criteria).await,
            [54218],
            "{criteria:?}"
        );
        assert_eq!(
            find_ids(&store, JFC, criteria).await,
            [70001],
            "{criteria:?}"
        );
    }
    assert_eq!(
        find_ids(&store, JTC, &by_identification("1034567891")).await,
        [54219]
    );
    assert_eq!(
        find_ids(&store, JFC, &by_identification("1034567891")).await,
        [70002]
    );
    assert_eq!(
        find_ids(&store, JFC, &by_mobile("551234567")).await,
        [70002]
    );
    // A reference of the other company's customer.
    assert_eq!(
        find_ids(&store, JTC, &by_reference("FIN-2026-000215")).await,
        Vec::<i64>::new()
    );
    assert_eq!(
        find_ids(&store, JFC, &by_reference("POL-2025-000123")).await,
        Vec::<i64>::new()
    );
    // Customer ids of the other company.
    for (company, id) in [(JTC, 70001), (JTC, 70004), (JFC, 54218), (JFC, 61001)] {
        assert_eq!(
            find_ids(&store, company, &by_id(id)).await,
            Vec::<i64>::new(),
            "customer {id} in company {company}"
        );
    }
    // The example request asked of jfc.
    assert_eq!(
        find_ids(
            &store,
            JFC,
            &criteria(
                Some(54218),
                Some("2103232123"),
                Some("568617084"),
                Some("333215")
            )
        )
        .await,
        Vec::<i64>::new()
    );
    // A company without customers.
    for criteria in &shared {
        assert_eq!(
            find_ids(&store, CompanyId::new(3), criteria).await,
            Vec::<i64>::new()
        );
    }
}

/// Values that only a closed version holds find nothing.
pub async fn values_of_old_versions_find_nothing(backend: TestBackend) {
    let db = TestDatabase::with_demo_data(backend).await;
    let store = store(&db);
    // 54221's old mobile is 54219's and 54220's current one: only they are found.
    assert_eq!(
        find_ids(&store, JTC, &by_mobile("551234567")).await,
        [54219, 54220]
    );
    assert_eq!(
        find_ids(
            &store,
            JTC,
            &criteria(Some(54221), None, Some("551234567"), None)
        )
        .await,
        Vec::<i64>::new()
    );
    // 61002's old mobile number.
    assert_eq!(
        find_ids(&store, JTC, &by_mobile("500112233")).await,
        Vec::<i64>::new()
    );
    // 54222's old passport number, alone and with its customer id.
    assert_eq!(
        find_ids(&store, JTC, &by_identification("M4821937")).await,
        Vec::<i64>::new()
    );
    assert_eq!(
        find_ids(
            &store,
            JTC,
            &criteria(Some(54222), Some("M4821937"), None, None)
        )
        .await,
        Vec::<i64>::new()
    );
}

/// A customer with several versions is found once, as its current version.
pub async fn only_the_current_version_is_returned(backend: TestBackend) {
    let db = TestDatabase::with_demo_data(backend).await;
    let store = store(&db);
    // (company, customer, current version_id, customer_version_id), from DEMO.md.
    for (company, customer, version_id, customer_version_id) in [
        (JTC, 54221, 200_004, 2),
        (JTC, 54222, 200_007, 3),
        (JTC, 61002, 200_013, 2),
        (JFC, 70002, 200_017, 2),
    ] {
        let found = find_one(&store, company, &by_id(customer)).await;
        assert_eq!(found.version_id, version_id, "customer {customer}");
        assert_eq!(
            found.customer_version_id, customer_version_id,
            "customer {customer}"
        );
        assert_eq!(found.end_date, None, "customer {customer}");
    }
    // Found by values that every version shares, still once and current.
    let found = find_one(&store, JTC, &by_identification("2456789013")).await;
    assert_eq!((found.version_id, found.customer_version_id), (200_007, 3));
    assert_eq!(found.city.map(|c| c.id), Some(6), "moved to Khobar");
    assert_eq!(
        found.start_date,
        crate::at((2024, 7, 15), (16, 45, 30), 500)
    );
    assert_eq!(found.occupation.as_deref(), Some("Project Manager"));
    let found = find_one(&store, JTC, &by_mobile("569876543")).await;
    assert_eq!(found.version_id, 200_007);
    let found = find_one(&store, JTC, &by_identification("2050123456")).await;
    assert_eq!(found.version_id, 200_013);
    assert_eq!(
        found.company_name.as_deref(),
        Some("Gulf Coast Energy Services Co.")
    );
    let found = find_one(&store, JTC, &by_reference("MTR-2025-044871")).await;
    assert_eq!(found.version_id, 200_004);
    let found = find_one(&store, JFC, &by_mobile("551234567")).await;
    assert_eq!(found.version_id, 200_017);
}

/// 54225 has one version, closed: no search finds it.
pub async fn customers_without_a_current_version_are_never_returned(backend: TestBackend) {
    let db = TestDatabase::with_demo_data(backend).await;
    let store = store(&db);
    for criteria in [
        by_id(54225),
        by_identification("1076543210"),
        by_mobile("567001122"),
        by_reference("POL-2020-007781"),
        criteria(
            Some(54225),
            Some("1076543210"),
            Some("567001122"),
            Some("POL-2020-007781"),
        ),
    ] {
        assert_eq!(
            find_ids(&store, JTC, &criteria).await,
            Vec::<i64>::new(),
            "{criteria:?}"
        );
    }
}

/// Closing the current version and adding a new one switches lookups to the new one.
pub async fn a_new_current_version_replaces_the_old_one(backend: TestBackend) {
    let db = TestDatabase::with_demo_data(backend).await;
    let store = store(&db);
    assert_eq!(
        find_one(&store, JTC, &by_id(54218)).await.version_id,
        103_932
    );
    execute(
        &db.connect(),
        &format!(
            "UPDATE customer_versions SET end_date = '2026-06-01 08:00:00' WHERE version_id = 103932;
             {};",
            version_sql(
                900_002,
                54218,
                2,
                1,
                Some("512340000"),
                Some("2103232123"),
                None
            )
        ),
    )
    .await;
    let found = find_one(&store, JTC, &by_id(54218)).await;
    assert_eq!((found.version_id, found.customer_version_id), (900_002, 2));
    assert_eq!(found.mobile_number.as_deref(), Some("512340000"));
    // Contacts belong to the customer, not to a version.
    assert_eq!(crate::support::contact_ids(&found), [1, 2]);
    assert_eq!(
        find_ids(&store, JTC, &by_mobile("568617084")).await,
        Vec::<i64>::new()
    );
    assert_eq!(
        find_ids(&store, JTC, &by_mobile("512340000")).await,
        [54218]
    );
    assert_eq!(
        find_ids(&store, JTC, &by_identification("2103232123")).await,
        [54218]
    );
}

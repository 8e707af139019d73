//! Contacts and coded values of the customers found.

use customer_domain::{Coded, Contact, Customer, Language};
use customer_testkit::{TestBackend, TestDatabase};

use crate::coded;
use crate::support::{
    JFC, JTC, by_id, by_mobile, by_reference, contact_ids, contact_sql, execute, find, find_one,
    ids, store, version_sql,
};

/// Every customer of the demo data set with a current version, by company.
const DEMO_CUSTOMERS: [(i32, &[i64]); 2] = [
    (
        1,
        &[
            54218, 54219, 54220, 54221, 54222, 54223, 54224, 61001, 61002, 61003,
        ],
    ),
    (2, &[70001, 70002, 70003, 70004]),
];

/// Contacts come ordered by contact id, whatever the order they were inserted in.
pub async fn contacts_are_ordered_by_contact_id(backend: TestBackend) {
    let db = TestDatabase::with_demo_data(backend).await;
    execute(
        &db.connect(),
        &format!(
            "{}; {}; {};",
            contact_sql(40, 54218, 1, Some(3)),
            contact_sql(30, 54218, 1, None),
            contact_sql(35, 54218, 1, Some(6)),
        ),
    )
    .await;
    let store = store(&db);
    let found = find_one(&store, JTC, &by_id(54218)).await;
    assert_eq!(contact_ids(&found), [1, 2, 30, 35, 40]);
    assert!(found.contacts.iter().all(|c| c.customer_id.get() == 54218));
    let found = find_one(&store, JTC, &by_id(61001)).await;
    assert_eq!(contact_ids(&found), [10, 11]);
}

/// A customer without contacts has none, alone or found together with customers that
/// have some (before and after them in the result).
pub async fn customers_without_contacts_have_none(backend: TestBackend) {
    let db = TestDatabase::with_demo_data(backend).await;
    let store = store(&db);
    for (company, id) in [(JTC, 54223), (JTC, 61003), (JFC, 70002), (JFC, 70004)] {
        let found = find_one(&store, company, &by_id(id)).await;
        assert!(found.contacts.is_empty(), "customer {id}");
    }
    execute(
        &db.connect(),
        &format!(
            "INSERT INTO customers (customer_id, company_id) VALUES (50001, 1), (99999, 1);
             {}; {};",
            version_sql(900_011, 50001, 1, 1, Some("551234567"), None, None),
            version_sql(900_012, 99999, 1, 1, Some("551234567"), None, None),
        ),
    )
    .await;
    let found = find(&store, JTC, &by_mobile("551234567")).await;
    assert_eq!(ids(&found), [50001, 54219, 54220, 99999]);
    let contacts: Vec<Vec<i64>> = found.iter().map(contact_ids).collect();
    assert_eq!(contacts, [vec![], vec![3, 4], vec![5], vec![]]);
}

/// Contacts of several customers found at once are attached to the right customer, even
/// with interleaved contact ids.
pub async fn contacts_of_several_customers_go_to_their_own_customer(backend: TestBackend) {
    let db = TestDatabase::with_demo_data(backend).await;
    execute(
        &db.connect(),
        &format!(
            "{}; {}; {}; {}; {};",
            contact_sql(104, 54220, 1, Some(1)),
            contact_sql(103, 54219, 1, Some(2)),
            contact_sql(100, 54220, 1, None),
            contact_sql(102, 54220, 1, Some(8)),
            contact_sql(101, 54219, 1, Some(9)),
        ),
    )
    .await;
    let store = store(&db);
    for criteria in [by_mobile("551234567"), by_reference("POL-2025-000123")] {
        let found = find(&store, JTC, &criteria).await;
        assert_eq!(ids(&found), [54219, 54220], "{criteria:?}");
        assert_eq!(contact_ids(&found[0]), [3, 4, 101, 103], "{criteria:?}");
        assert_eq!(contact_ids(&found[1]), [5, 100, 102, 104], "{criteria:?}");
        for customer in &found {
            for contact in &customer.contacts {
                assert_eq!(contact.customer_id, customer.customer_id);
            }
        }
    }
    // Each alone still has exactly its own.
    assert_eq!(
        contact_ids(&find_one(&store, JTC, &by_id(54219)).await),
        [3, 4, 101, 103]
    );
    assert_eq!(
        contact_ids(&find_one(&store, JTC, &by_id(54220)).await),
        [5, 100, 102, 104]
    );
}

/// Many customers found at once (40 sharing a mobile number), with contacts inserted in
/// reverse order and interleaved ids, each get exactly their own contacts, in order.
pub async fn many_customers_found_at_once_each_get_their_contacts(backend: TestBackend) {
    let db = TestDatabase::with_demo_data(backend).await;
    let customers: Vec<i64> = (80_001..=80_040).collect();
    let numbered: Vec<(i64, i64)> = (0_i64..).zip(customers.iter().copied()).collect();
    let mut statements = Vec::new();
    for &(n, id) in &numbered {
        statements.push(format!(
            "INSERT INTO customers (customer_id, company_id) VALUES ({id}, 1)"
        ));
        statements.push(version_sql(
            910_000 + n,
            id,
            1,
            1,
            Some("512121212"),
            None,
            None,
        ));
    }
    for &(n, id) in numbered.iter().rev() {
        for round in [1, 0] {
            statements.push(contact_sql(5000 + round * 40 + n, id, 1, Some(11)));
        }
    }
    execute(&db.connect(), &(statements.join(";\n") + ";")).await;
    let store = store(&db);
    let found = find(&store, JTC, &by_mobile("512121212")).await;
    assert_eq!(ids(&found), customers);
    for (n, customer) in (0_i64..).zip(&found) {
        assert_eq!(
            contact_ids(customer),
            [5000 + n, 5040 + n],
            "customer {}",
            customer.customer_id
        );
        assert!(
            customer
                .contacts
                .iter()
                .all(|c| c.customer_id == customer.customer_id)
        );
    }
}

/// Every field of a contact is read as stored: dates, booleans, texts, NULLs.
pub async fn contact_fields_are_read_as_stored(backend: TestBackend) {
    let db = TestDatabase::with_demo_data(backend).await;
    let store = store(&db);
    let customer = find_one(&store, JTC, &by_id(61001)).await;
    let customer_id = customer.customer_id;
    let signatory = coded(12, "مفوض بالتوقيع", "Authorised signatory");
    let start = Some(crate::at((2022, 4, 18), (0, 0, 0), 0));
    assert_eq!(
        customer.contacts,
        [
            Contact {
                contact_id: 10,
                customer_id,
                contact_number: Some("555010204".to_owned()),
                relation_type: Some(signatory),
                contact_name: Some("خالد إبراهيم الحربي".to_owned()),
                contact_phone_code: None,
                primary_contact: true,
                contact_start_date: start,
                contact_end_date: None,
                is_active: Some(true),
                contact_is_enable: Some(true),
                profession: Some("المدير العام".to_owned()),
                remarks: Some("مفوض بالتوقيع حتى نهاية السجل".to_owned()),
            },
            Contact {
                contact_id: 11,
                customer_id,
                contact_number: Some("555010299".to_owned()),
                relation_type: Some(coded(10, "زميل عمل", "Colleague")),
                contact_name: Some("Omar Farouk".to_owned()),
                contact_phone_code: None,
                primary_contact: false,
                contact_start_date: start,
                contact_end_date: Some(crate::at((2025, 1, 31), (0, 0, 0), 0)),
                is_active: Some(false),
                contact_is_enable: Some(false),
                profession: Some("Finance Manager".to_owned()),
                remarks: Some("Left the company".to_owned()),
            },
        ]
    );
    let customer = find_one(&store, JFC, &by_id(70001)).await;
    let contact = &customer.contacts[0];
    assert_eq!(
        (contact.profession.as_ref(), contact.remarks.as_ref()),
        (None, None)
    );
    // A customer's own date-times, with a fraction of a second.
    let customer = find_one(&store, JFC, &by_id(70004)).await;
    let created = crate::at((2025, 12, 7), (17, 5, 9), 123);
    assert_eq!(customer.created_date, Some(created));
    assert_eq!(customer.start_date, created);
    assert_eq!(
        customer.date_of_birth,
        Some(crate::at((1995, 4, 8), (0, 0, 0), 0))
    );
    assert_eq!(
        (customer.is_active, customer.user_active),
        (Some(true), Some(true))
    );
}

/// Every coded value of a customer and of its contacts.
fn coded_values(customer: &Customer) -> Vec<(&'static str, &Coded)> {
    let mut values = vec![
        ("nationality", customer.nationality.as_ref()),
        ("gender", customer.gender.as_ref()),
        ("customer_type", customer.customer_type.as_ref()),
        ("company_type", customer.company_type.as_ref()),
        ("industry_type", customer.industry_type.as_ref()),
        (
            "preferred_contact_type",
            customer.preferred_contact_type.as_ref(),
        ),
        ("phone_code", customer.phone_code.as_ref()),
        (
            "additional_phone_code",
            customer.additional_phone_code.as_ref(),
        ),
        ("identification_type", customer.identification_type.as_ref()),
        ("country", customer.country.as_ref()),
        ("region", customer.region.as_ref()),
        ("city", customer.city.as_ref()),
        ("monthly_income", customer.monthly_income.as_ref()),
        ("preferred_language", customer.preferred_language.as_ref()),
    ];
    for contact in &customer.contacts {
        values.push(("relation_type", contact.relation_type.as_ref()));
        values.push(("contact_phone_code", contact.contact_phone_code.as_ref()));
    }
    values
        .into_iter()
        .filter_map(|(name, value)| value.map(|v| (name, v)))
        .collect()
}

/// Coded values carry their names in both languages; a phone code's name is its dialling
/// prefix in both.
pub async fn coded_values_have_both_names(backend: TestBackend) {
    let db = TestDatabase::with_demo_data(backend).await;
    let store = store(&db);

    let customer = find_one(&store, JTC, &by_id(54223)).await;
    assert_eq!(customer.nationality, Some(coded(8, "مصري", "Egyptian")));
    assert_eq!(customer.gender, Some(coded(1, "ذكر", "Male")));
    assert_eq!(customer.phone_code, Some(coded(1, "00966", "00966")));
    assert_eq!(
        customer.additional_phone_code,
        Some(coded(8, "0020", "0020"))
    );
    assert_eq!(
        customer.identification_type,
        Some(coded(2, "هوية مقيم", "Iqama (resident ID)"))
    );
    assert_eq!(
        customer.monthly_income,
        Some(coded(2, "من 5,000 إلى 10,000 ريال", "SAR 5,000 to 10,000"))
    );
    assert_eq!(customer.city, Some(coded(2, "جدة", "Jeddah")));
    assert_eq!(customer.region, Some(coded(2, "مكة المكرمة", "Makkah")));
    assert_eq!(customer.user_active, Some(false));
    let city = customer.city.as_ref().map(|c| &c.name);
    assert_eq!(city.map(|n| n.get(Language::Arabic)), Some("جدة"));
    assert_eq!(city.map(|n| n.get(Language::English)), Some("Jeddah"));

    let customer = find_one(&store, JTC, &by_id(61001)).await;
    assert_eq!(
        customer.company_type,
        Some(coded(
            1,
            "شركة ذات مسؤولية محدودة",
            "Limited liability company"
        ))
    );
    assert_eq!(
        customer.industry_type,
        Some(coded(6, "تقنية المعلومات", "Information technology"))
    );
    assert_eq!(
        customer.preferred_contact_type,
        Some(coded(3, "بريد إلكتروني", "Email"))
    );

    // Contacts: their relation type, and their own phone code when they have one.
    let customer = find_one(&store, JTC, &by_id(54222)).await;
    assert_eq!(contact_ids(&customer), [7, 8]);
    let (seven, eight) = (&customer.contacts[0], &customer.contacts[1]);
    assert_eq!(seven.relation_type, Some(coded(2, "زوجة", "Wife")));
    assert_eq!(seven.contact_phone_code, Some(coded(10, "0091", "0091")));
    assert_eq!(
        seven.phone_code(&customer),
        Some(&coded(10, "0091", "0091"))
    );
    assert_eq!(
        eight.relation_type,
        Some(coded(10, "زميل عمل", "Colleague"))
    );
    assert_eq!(eight.contact_phone_code, None);
    assert_eq!(
        eight.phone_code(&customer),
        Some(&coded(1, "00966", "00966"))
    );
    let customer = find_one(&store, JTC, &by_id(54224)).await;
    assert_eq!(
        customer.contacts[0].relation_type,
        Some(coded(5, "أم", "Mother"))
    );
    assert_eq!(
        customer.contacts[0].contact_phone_code,
        Some(coded(13, "0063", "0063"))
    );
    let customer = find_one(&store, JFC, &by_id(70003)).await;
    assert_eq!(
        customer.contacts[1].contact_phone_code,
        Some(coded(2, "00971", "00971"))
    );

    // Across the whole data set: both names present; phone codes the same in both.
    for (company, customers) in DEMO_CUSTOMERS {
        for &id in customers {
            let customer =
                find_one(&store, customer_domain::CompanyId::new(company), &by_id(id)).await;
            let values = coded_values(&customer);
            assert!(!values.is_empty(), "customer {id} has coded values");
            for (field, value) in values {
                assert!(
                    !value.name.ar.is_empty() && !value.name.en.is_empty(),
                    "customer {id}: {field} {value:?}"
                );
                if field.ends_with("phone_code") {
                    assert_eq!(value.name.ar, value.name.en, "customer {id}: {field}");
                    assert!(value.name.en.starts_with("00"), "customer {id}: {field}");
                }
            }
        }
    }
}

/// A NULL coded id gives `None`, for every coded field of a customer and a contact.
pub async fn null_coded_ids_give_none(backend: TestBackend) {
    let db = TestDatabase::with_demo_data(backend).await;
    execute(
        &db.connect(),
        &format!(
            "INSERT INTO customers (customer_id, company_id) VALUES (50002, 1);
             {}; {};",
            version_sql(900_021, 50002, 1, 1, Some("512000002"), None, None),
            contact_sql(200, 50002, 1, None),
        ),
    )
    .await;
    let store = store(&db);
    let customer = find_one(&store, JTC, &by_id(50002)).await;
    assert_eq!(coded_values(&customer), []);
    assert_eq!(contact_ids(&customer), [200]);
    assert_eq!(customer.contacts[0].phone_code(&customer), None);

    // In the demo data: the example customer's unset coded values.
    let customer = find_one(&store, JTC, &by_id(54218)).await;
    assert_eq!(customer.nationality, None);
    assert_eq!(customer.gender, None);
    assert_eq!(customer.company_type, None);
    assert_eq!(customer.additional_phone_code, None);
    assert_eq!(customer.monthly_income, None);
    assert!(
        customer
            .contacts
            .iter()
            .all(|c| c.contact_phone_code.is_none())
    );
}

/// A customer id is unique inside its company only: another company may use it, and each
/// company's lookup finds its own customer with its own contacts, never the other's.
pub async fn a_customer_id_of_two_companies_keeps_its_contacts_apart(backend: TestBackend) {
    let db = TestDatabase::with_demo_data(backend).await;
    execute(
        &db.connect(),
        &format!(
            "INSERT INTO customers (customer_id, company_id) VALUES (54218, 2);
             {}; {}; {};",
            version_sql(900_301, 54218, 1, 2, Some("512000301"), None, None),
            contact_sql(301, 54218, 2, Some(3)),
            contact_sql(302, 54218, 2, None),
        ),
    )
    .await;
    let store = store(&db);
    let own = find_one(&store, JTC, &by_id(54218)).await;
    assert_eq!(own.version_id, 103_932);
    assert_eq!(contact_ids(&own), [1, 2]);
    let other = find_one(&store, JFC, &by_id(54218)).await;
    assert_eq!(other.version_id, 900_301);
    assert_eq!(contact_ids(&other), [301, 302]);
    assert_eq!(
        ids(&find(&store, JTC, &by_mobile("512000301")).await),
        Vec::<i64>::new()
    );
}

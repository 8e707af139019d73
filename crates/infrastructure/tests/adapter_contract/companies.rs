//! The company registry: the companies of the group, as operators add and rename them.

use std::time::Duration;

use customer_domain::{
    Company, CompanyCode, CompanyDirectory, CompanyId, CompanyRegistry, CompanyRegistryError,
    CompanyRenaming, LocalizedName,
};
use customer_infrastructure::SqlCompanyRegistry;
use customer_testkit::{TestBackend, TestDatabase};

use crate::support::{execute, store};

fn code(code: &str) -> CompanyCode {
    CompanyCode::parse(code).expect("a company code")
}

fn name(ar: &str, en: &str) -> LocalizedName {
    LocalizedName {
        ar: ar.into(),
        en: en.into(),
    }
}

fn company(id: i32, code_text: &str, ar: &str, en: &str) -> Company {
    Company {
        id: CompanyId::new(id),
        code: code(code_text),
        name: name(ar, en),
    }
}

async fn list(registry: &SqlCompanyRegistry) -> Vec<Company> {
    registry
        .list_companies()
        .await
        .expect("list_companies answers")
}

/// On an empty database the first company gets id 1 and the next one more than the
/// largest; the list is ordered by code, names as given (Arabic included).
pub async fn companies_get_the_next_id_and_are_listed_by_code(backend: TestBackend) {
    let db = TestDatabase::new(backend).await;
    let registry = SqlCompanyRegistry::new(db.connect());
    assert_eq!(list(&registry).await, []);
    let zeta = registry
        .add_company(&code("zeta"), &name("شركة زيتا", "Zeta Leasing"))
        .await
        .expect("zeta is added");
    assert_eq!(zeta, company(1, "zeta", "شركة زيتا", "Zeta Leasing"));
    // Ids follow the largest stored, not the count: a gap stays a gap.
    execute(
        &db.connect(),
        "INSERT INTO companies (company_id, code, name_ar, name_en)
         VALUES (7, 'jtc', 'شركة جود للتكافل', 'Jood Takaful Company')",
    )
    .await;
    let acme = registry
        .add_company(&code("ACME"), &name("أكمي", "Acme"))
        .await
        .expect("acme is added");
    assert_eq!(acme.id, CompanyId::new(8));
    assert_eq!(acme.code.as_str(), "acme");
    assert_eq!(
        list(&registry).await,
        [
            company(8, "acme", "أكمي", "Acme"),
            company(7, "jtc", "شركة جود للتكافل", "Jood Takaful Company"),
            zeta,
        ]
    );
}

/// A code is taken once, whatever the case it is given in; the refused company is not
/// stored.
pub async fn company_codes_are_taken_once(backend: TestBackend) {
    let db = TestDatabase::new(backend).await;
    let registry = SqlCompanyRegistry::new(db.connect());
    registry
        .add_company(&code("jtc"), &name("أ", "A"))
        .await
        .expect("jtc is added");
    let error = registry
        .add_company(&code("JTC"), &name("ب", "B"))
        .await
        .expect_err("jtc is taken");
    assert!(
        matches!(&error, CompanyRegistryError::CodeTaken(taken) if taken.as_str() == "jtc"),
        "{error:?}"
    );
    assert_eq!(list(&registry).await, [company(1, "jtc", "أ", "A")]);
}

/// Adds at the same time all succeed, each with an id of its own (more adds than any
/// retry budget would cover: they must not race for the same id).
pub async fn concurrent_adds_get_distinct_ids(backend: TestBackend) {
    let db = TestDatabase::new(backend).await;
    let registry = SqlCompanyRegistry::new(db.connect());
    let codes: Vec<CompanyCode> = (0..12).map(|i| code(&format!("c{i}"))).collect();
    let names = name("أ", "A");
    let added =
        futures_util::future::join_all(codes.iter().map(|code| registry.add_company(code, &names)))
            .await;
    let mut ids: Vec<i32> = added
        .into_iter()
        .map(|outcome| outcome.expect("every add succeeds").id.get())
        .collect();
    ids.sort_unstable();
    assert_eq!(ids, (1..=12).collect::<Vec<i32>>());
}

/// A renaming replaces the names it gives and keeps the others; the code and id stay.
pub async fn renaming_replaces_only_the_names_given(backend: TestBackend) {
    let db = TestDatabase::new(backend).await;
    let registry = SqlCompanyRegistry::new(db.connect());
    registry
        .add_company(&code("jtc"), &name("قديم", "Old"))
        .await
        .expect("jtc is added");
    let (before, after) = registry
        .rename_company(
            &code("jtc"),
            &CompanyRenaming {
                ar: None,
                en: Some("Jood Takaful Company".to_owned()),
            },
        )
        .await
        .expect("renamed");
    assert_eq!(before, company(1, "jtc", "قديم", "Old"));
    assert_eq!(after, company(1, "jtc", "قديم", "Jood Takaful Company"));
    let (_, after) = registry
        .rename_company(
            &code("jtc"),
            &CompanyRenaming {
                ar: Some("شركة جود للتكافل".to_owned()),
                en: None,
            },
        )
        .await
        .expect("renamed");
    let expected = company(1, "jtc", "شركة جود للتكافل", "Jood Takaful Company");
    assert_eq!(after, expected);
    assert_eq!(list(&registry).await, [expected]);
}

/// Renaming a company that does not exist says so and stores nothing.
pub async fn renaming_an_unknown_company_is_refused(backend: TestBackend) {
    let db = TestDatabase::new(backend).await;
    let registry = SqlCompanyRegistry::new(db.connect());
    let error = registry
        .rename_company(
            &code("nope"),
            &CompanyRenaming {
                ar: Some("أ".to_owned()),
                en: Some("A".to_owned()),
            },
        )
        .await
        .expect_err("unknown");
    assert!(
        matches!(&error, CompanyRegistryError::UnknownCompany(unknown) if unknown.as_str() == "nope"),
        "{error:?}"
    );
    assert_eq!(list(&registry).await, []);
}

/// A company added through the registry is resolved by a running store that had
/// already cached the companies without it (the cache reloads on a miss).
pub async fn added_companies_are_resolved_by_a_running_store(backend: TestBackend) {
    let db = TestDatabase::with_demo_data(backend).await;
    let store = store(&db);
    let registry = SqlCompanyRegistry::new(db.connect());
    let resolve = async |text: &str| store.resolve(&code(text)).await.expect("resolve answers");
    assert_eq!(resolve("acme").await, None);
    let acme = registry
        .add_company(&code("acme"), &name("أكمي", "Acme"))
        .await
        .expect("acme is added");
    // The demo data's companies are 1 and 2.
    assert_eq!(acme.id, CompanyId::new(3));
    // A miss reloads at most once a second.
    tokio::time::sleep(Duration::from_millis(1100)).await;
    assert_eq!(resolve("acme").await, Some(acme.id));
}

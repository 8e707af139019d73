//! `customer-api companies ...` of the real binary: what an operator runs on a production
//! database prepared with `migrate` alone, before the first lookup.

use std::time::Duration;

use crate::support::{TestApp, TestBackend, TestDatabase, suite_tests, test_settings, url_string};
use serde_json::{Value, json};

use crate::cli::{key_in, run};

suite_tests!("companies":
    a_company_added_with_the_cli_is_searchable_without_a_restart,
    companies_add_and_rename_report_every_problem_on_one_line,
);

/// A running service over a migrated, empty database answers "not a known company"; once
/// `companies add` and `clients add` ran, the same service (no restart) answers the
/// lookup with 200 and no customer.
async fn a_company_added_with_the_cli_is_searchable_without_a_restart(backend: TestBackend) {
    let database = TestDatabase::new(backend).await;
    let settings = test_settings(&url_string(database.url()));
    let app = TestApp::spawn_with(settings, Some(database)).await;
    let database = app.database().expect("the service's database");
    let query = "companyCode=acme&customerId=1&lang=en";
    let errors = app.lookup(query).await.validation_errors();
    assert_eq!(
        errors.keys().collect::<Vec<_>>(),
        ["companyCode"],
        "{errors:?}"
    );

    let added = run(
        database,
        &[
            "companies",
            "add",
            "ACME",
            "--name-ar",
            "شركة أكمي للتأمين",
            "--name-en",
            " Acme Insurance ",
        ],
        &[],
    )
    .await;
    let text = added.ok();
    assert!(text.contains("Company acme added (id 1)"), "{text}");
    assert!(text.contains("clients add NAME --companies acme"), "{text}");
    let key = key_in(
        run(
            database,
            &["clients", "add", "acme-portal", "--companies", "acme"],
            &[],
        )
        .await
        .ok(),
    );
    // The service reloads its companies on a miss at most once a second.
    tokio::time::sleep(Duration::from_millis(1100)).await;
    let bearer = format!("Bearer {}", key.expose_secret());
    let found = app.lookup_with(Some(&bearer), query).await;
    assert_eq!(found.customers(), Vec::<Value>::new());

    let listed = run(database, &["companies", "list", "--json"], &[]).await;
    assert_eq!(
        listed.json(),
        json!([{
            "id": 1, "code": "acme", "nameAr": "شركة أكمي للتأمين", "nameEn": "Acme Insurance"
        }])
    );
    let text = run(database, &["companies", "list"], &[]).await;
    assert!(text.ok().contains(" 1  acme  Acme Insurance"), "{text:?}");
}

/// Invalid input, a taken code and an unknown company each fail with exit code 1 and one
/// line that names every problem; a renaming changes only the names given.
async fn companies_add_and_rename_report_every_problem_on_one_line(backend: TestBackend) {
    let database = TestDatabase::with_demo_data(backend).await;
    let line = run(
        &database,
        &[
            "companies",
            "add",
            "a b",
            "--name-ar",
            " ",
            "--name-en",
            "x\ty",
        ],
        &[],
    )
    .await;
    let line = line.failure();
    for part in [
        "code: malformed company code",
        "name-ar: empty",
        "name-en: holds control",
    ] {
        assert!(line.contains(part), "{part}: {line}");
    }
    let taken = run(
        &database,
        &[
            "companies",
            "add",
            "JTC",
            "--name-ar",
            "أ",
            "--name-en",
            "A",
        ],
        &[],
    )
    .await;
    assert!(
        taken
            .failure()
            .ends_with("a company with the code jtc exists already"),
        "{taken:?}"
    );
    let unknown = run(
        &database,
        &["companies", "rename", "nope", "--name-en", "X"],
        &[],
    )
    .await;
    assert!(
        unknown.failure().ends_with("no company has the code nope"),
        "{unknown:?}"
    );
    let nothing = run(&database, &["companies", "rename", "jtc"], &[]).await;
    assert!(
        nothing
            .failure()
            .contains("give a new Arabic name, English name or both"),
        "{nothing:?}"
    );

    let renamed = run(
        &database,
        &["companies", "rename", "jtc", "--name-en", "Jood Takaful"],
        &[],
    )
    .await;
    let text = renamed.ok();
    assert!(
        text.contains("English: Jood Takaful Company -> Jood Takaful"),
        "{text}"
    );
    assert!(
        text.contains("Arabic: شركة جود للتكافل (unchanged)"),
        "{text}"
    );
    let listed = run(&database, &["companies", "list", "--json"], &[])
        .await
        .json();
    assert_eq!(
        listed,
        json!([
            {"id": 2, "code": "jfc", "nameAr": "شركة جود للتمويل", "nameEn": "Jood Finance Company"},
            {"id": 1, "code": "jtc", "nameAr": "شركة جود للتكافل", "nameEn": "Jood Takaful"},
        ])
    );
}

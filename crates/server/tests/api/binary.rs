//! The real `customer-api` binary, started like a new user would: in an empty folder, no
//! configuration files, no settings in the environment.

use std::time::Duration;

use crate::support::{
    EXAMPLE_QUERY, LOOKUP_PATH, Service, TestBackend, TestDatabase, assert_is_the_example, client,
    send, suite_tests, url_string,
};
use reqwest::Method;

suite_tests!("binary":
    the_binary_serves_the_example_from_an_empty_folder,
);

/// SQLite: the built-in default database, `data/customers.db` in the working folder.
/// PostgreSQL: `DATABASE_URL` names a fresh, empty, migrated database. Either way the
/// service migrates, loads the demo data and makes the demo client at start, refuses an
/// anonymous lookup, answers the contract's example exactly with the key its start-up
/// example shows, and stops cleanly on SIGTERM.
async fn the_binary_serves_the_example_from_an_empty_folder(backend: TestBackend) {
    let database = match backend {
        TestBackend::Sqlite => None,
        TestBackend::Postgres => Some(TestDatabase::new(TestBackend::Postgres).await),
    };
    let folder = tempfile::tempdir().expect("an empty working folder");
    let database_url = database.as_ref().map(|database| url_string(database.url()));
    let env: Vec<(&str, &str)> = database_url
        .iter()
        .map(|url| ("DATABASE_URL", url.as_str()))
        .collect();
    let mut service = Service::start(folder.path(), &env).await;

    {
        let client = client();
        let url = format!("{}{LOOKUP_PATH}?{EXAMPLE_QUERY}", service.address());
        let anonymous = send(&client, Method::GET, &url, &[]).await;
        assert_eq!(anonymous.status, 401, "{}", anonymous.body);
        let bearer = format!("Bearer {}", service.demo_key().await);
        let stdout = service.stdout();
        assert!(
            stdout.contains(&format!("curl -H 'Authorization: {bearer}' '{url}'")),
            "the start-up example is a working curl with the key\n{stdout}"
        );
        let response = send(&client, Method::GET, &url, &[("authorization", &bearer)]).await;
        assert_is_the_example(&response, &service.logs());
        assert_eq!(
            response.header("content-type"),
            Some("application/json; charset=utf-8")
        );
    }

    let status = service.terminate(Duration::from_secs(30)).await;
    assert!(status.success(), "exit status {status}\n{}", service.logs());
    let created = folder.path().join("data").join("customers.db");
    match backend {
        TestBackend::Sqlite => assert!(
            created.is_file(),
            "{} was created\n{}",
            created.display(),
            service.logs()
        ),
        TestBackend::Postgres => assert!(
            !created.exists(),
            "no SQLite file is made when DATABASE_URL names PostgreSQL"
        ),
    }
}

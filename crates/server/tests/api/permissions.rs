//! What a client may do, end to end: `clients add --can`, `clients permit` and
//! `clients list` of the real binary, the `403` of a client that may not read, and the
//! permissions claim of the identity provider's tokens.

use std::time::Duration;

use crate::auth::{
    INVALID_TOKEN_CHALLENGE, assert_unauthenticated, bearer, database_and_settings, lookup_as,
};
use crate::cli::{key_in, run};
use crate::support::{
    EXAMPLE_QUERY, TestApp, TestBackend, TestDatabase, TestResponse, assert_is_the_example,
    has_arabic, suite_tests, test_settings, url_string,
};
use customer_testkit::jwt::TestIssuer;
use serde_json::{Value, json};

suite_tests!("permissions":
    a_client_added_to_write_only_gets_403_for_every_lookup,
    a_client_permitted_to_read_again_is_served,
    clients_list_shows_what_each_client_may_do,
    clients_permit_and_add_name_every_invalid_input,
    tokens_read_with_or_without_the_permissions_claim,
);

/// The path of the versions list.
const VERSIONS_PATH: &str = "/v1/core/customer/versions";

/// A service over `database`, reading keys again at every request: a change of
/// permissions applies at once.
async fn service_over(database: &TestDatabase) -> TestApp {
    let mut settings = test_settings(&url_string(database.url()));
    settings.auth.authenticator.key_cache_ttl = Duration::ZERO;
    TestApp::spawn_with(settings, None).await
}

/// Fails unless `response` is the `403` of a caller that may not read, in `lang`.
fn assert_may_not_read(response: &TestResponse, lang: &str, what: &str) {
    assert_eq!(response.status, 403, "{what}: {}", response.body);
    let problem = response.problem();
    assert_eq!(problem["type"], "/problems/forbidden", "{what}");
    assert!(problem.get("errors").is_none(), "{what}: {}", response.body);
    let detail = problem["detail"].as_str().unwrap_or_default();
    assert_eq!(has_arabic(detail), lang == "ar", "{what}: {detail}");
    if lang == "en" {
        assert!(detail.contains("may not read"), "{what}: {detail}");
    }
    assert_eq!(response.header("cache-control"), Some("no-store"), "{what}");
}

/// `clients add --can write` makes a client that may not look customers up: its key is
/// refused with the `403` of a company not allowed (same type and title), whose detail
/// says that it may not read, in every company, its own included, and for the versions
/// list too; the answer of `clients add` says so instead of offering a lookup.
async fn a_client_added_to_write_only_gets_403_for_every_lookup(backend: TestBackend) {
    let database = TestDatabase::with_demo_data(backend).await;
    let added = run(
        &database,
        &[
            "clients",
            "add",
            "writer",
            "--companies",
            "jtc",
            "--can",
            "write",
        ],
        &[],
    )
    .await;
    let text = added.ok();
    let key = key_in(text);
    assert!(text.contains("permissions write."), "{text}");
    assert!(
        text.contains("`customer-api clients permit writer --can read,write`"),
        "{text}"
    );
    assert!(!text.contains("curl "), "no lookup to try: {text}");
    let reader = key_in(
        run(
            &database,
            &["clients", "add", "reader", "--companies", "jtc"],
            &[],
        )
        .await
        .ok(),
    );

    let app = service_over(&database).await;
    for lang in ["ar", "en"] {
        let mut bodies = Vec::new();
        for company in ["jtc", "jfc", "nosuch"] {
            let query = format!("companyCode={company}&customerId=54218&lang={lang}");
            let response = lookup_as(&app, key.expose_secret(), &query).await;
            assert_may_not_read(&response, lang, &format!("{company}, lang={lang}"));
            bodies.push(response.body);
        }
        assert!(
            bodies.iter().all(|body| *body == bodies[0]),
            "lang={lang}: every company alike: {bodies:?}"
        );
        let versions = app
            .request(
                reqwest::Method::GET,
                &format!("{VERSIONS_PATH}?companyCode=jtc&customerId=54218&lang={lang}"),
                &[("authorization", &bearer(key.expose_secret()))],
            )
            .await;
        assert_may_not_read(&versions, lang, &format!("versions, lang={lang}"));
        assert_eq!(versions.body, bodies[0], "lang={lang}");

        // The same 403 as a company outside a reader's scope, but for its detail.
        let outside = lookup_as(
            &app,
            reader.expose_secret(),
            &format!("companyCode=jfc&customerId=70004&lang={lang}"),
        )
        .await;
        assert_eq!(outside.status, 403, "{}", outside.body);
        let (refused, outside) = (
            serde_json::from_str::<Value>(&bodies[0]).expect("JSON"),
            outside.problem(),
        );
        for field in ["type", "title", "status"] {
            assert_eq!(refused[field], outside[field], "lang={lang}: {field}");
        }
        assert_ne!(refused["detail"], outside["detail"], "lang={lang}");
    }
    // Invalid parameters are still reported to it, but nothing of the company.
    let response = lookup_as(
        &app,
        key.expose_secret(),
        "companyCode=nosuch&mobileNumber=468617084&lang=en",
    )
    .await;
    assert_eq!(
        Value::Object(response.validation_errors()),
        json!({ "mobileNumber": ["must start with 5"] })
    );
}

/// `clients permit` changes what a client may do, its key unchanged: a write-only client
/// permitted `read,write` is served, and one permitted `write` again is refused.
async fn a_client_permitted_to_read_again_is_served(backend: TestBackend) {
    let database = TestDatabase::with_demo_data(backend).await;
    let key = key_in(
        run(
            &database,
            &[
                "clients",
                "add",
                "crm",
                "--companies",
                "jtc",
                "--can",
                "write",
            ],
            &[],
        )
        .await
        .ok(),
    );
    let app = service_over(&database).await;
    let response = lookup_as(&app, key.expose_secret(), EXAMPLE_QUERY).await;
    assert_may_not_read(&response, "ar", "before");

    let permitted = run(
        &database,
        &["clients", "permit", "crm", "--can", "read,write"],
        &[],
    )
    .await;
    let text = permitted.ok();
    assert!(
        text.starts_with("Client crm may now read,write (before: write).\n"),
        "{text}"
    );
    assert!(
        text.contains("within 30 s (auth.key_cache_ttl_secs)"),
        "{text}"
    );
    let response = lookup_as(&app, key.expose_secret(), EXAMPLE_QUERY).await;
    assert_is_the_example(&response, "permitted to read");

    let again = run(
        &database,
        &["clients", "permit", "crm", "--can", "READ, write"],
        &[],
    )
    .await;
    assert_eq!(
        again.ok(),
        "Client crm may read,write already: nothing changed.\n"
    );
    run(
        &database,
        &["clients", "permit", "crm", "--can", "write"],
        &[],
    )
    .await
    .ok();
    let response = lookup_as(&app, key.expose_secret(), EXAMPLE_QUERY).await;
    assert_may_not_read(&response, "ar", "write only again");
}

/// `clients list` shows each client's permissions, as text and as JSON; a client added
/// without `--can` may read only.
async fn clients_list_shows_what_each_client_may_do(backend: TestBackend) {
    let database = TestDatabase::with_demo_data(backend).await;
    for (name, can) in [
        ("reader", None),
        ("writer", Some("write")),
        ("both", Some("Write, read")),
    ] {
        let mut args = vec!["clients", "add", name, "--companies", "jtc"];
        if let Some(can) = can {
            args.extend(["--can", can]);
        }
        let text = run(&database, &args, &[]).await.ok().to_owned();
        let shown = can.map_or("read", |_| {
            if name == "both" {
                "read,write"
            } else {
                "write"
            }
        });
        assert!(
            text.contains(&format!("permissions {shown}.")),
            "{name}: {text}"
        );
    }
    let listed = run(&database, &["clients", "list"], &[]).await;
    let text = listed.ok();
    for (name, shown) in [
        ("both", "read,write"),
        ("reader", "read"),
        ("writer", "write"),
    ] {
        let line = text
            .lines()
            .skip_while(|line| *line != name)
            .nth(1)
            .unwrap_or_else(|| panic!("{name} is listed: {text}"));
        assert!(
            line.contains(&format!("permissions: {shown} ")),
            "{name}: {line}"
        );
    }
    let Value::Array(clients) = run(&database, &["clients", "list", "--json"], &[])
        .await
        .json()
    else {
        panic!("a JSON array");
    };
    let permissions: Vec<(&str, &Value)> = clients
        .iter()
        .map(|client| {
            (
                client["name"].as_str().expect("a name"),
                &client["permissions"],
            )
        })
        .collect();
    assert_eq!(
        permissions,
        [
            ("both", &json!(["read", "write"])),
            ("reader", &json!(["read"])),
            ("writer", &json!(["write"])),
        ]
    );
}

/// Invalid permissions are refused with every word named, together with the other
/// invalid inputs, and nothing is changed; an unknown client is named.
async fn clients_permit_and_add_name_every_invalid_input(backend: TestBackend) {
    let database = TestDatabase::with_demo_data(backend).await;
    let refused = run(
        &database,
        &[
            "clients",
            "add",
            "bad name",
            "--companies",
            "jtc",
            "--can",
            "read,admin,root",
        ],
        &[],
    )
    .await;
    let line = refused.failure();
    for expected in [
        "name: holds whitespace",
        "permissions: \"admin\" is not a permission (read or write), \"root\" is not a permission",
    ] {
        assert!(line.contains(expected), "{expected:?}: {line}");
    }
    let empty = run(
        &database,
        &[
            "clients",
            "add",
            "empty",
            "--companies",
            "jtc",
            "--can",
            " ",
        ],
        &[],
    )
    .await;
    assert!(empty.failure().contains("permissions: empty"), "{empty:?}");

    run(
        &database,
        &["clients", "add", "portal", "--companies", "jtc"],
        &[],
    )
    .await
    .ok();
    let refused = run(
        &database,
        &["clients", "permit", "portal", "--can", "delete"],
        &[],
    )
    .await;
    assert!(
        refused
            .failure()
            .contains("permissions: \"delete\" is not a permission (read or write)"),
        "{refused:?}"
    );
    let unknown = run(
        &database,
        &["clients", "permit", "nobody", "--can", "write"],
        &[],
    )
    .await;
    assert!(
        unknown.failure().contains("no client is named nobody"),
        "{unknown:?}"
    );
    let Value::Array(clients) = run(&database, &["clients", "list", "--json"], &[])
        .await
        .json()
    else {
        panic!("a JSON array");
    };
    assert_eq!(clients.len(), 1, "{clients:?}");
    assert_eq!(clients[0]["permissions"], json!(["read"]));
}

/// Every valid token may read, with the permissions claim or without it, as a string or
/// an array, under its configured name; a malformed one refuses the token (`401`).
async fn tokens_read_with_or_without_the_permissions_claim(backend: TestBackend) {
    let issuer = TestIssuer::new();
    let (database, _url, mut settings) = database_and_settings(backend).await;
    let mut jwt = issuer.settings();
    "api_rights".clone_into(&mut jwt.permissions_claim);
    settings.auth.jwt = Some(jwt);
    let app = TestApp::spawn_with(settings, Some(database)).await;
    let claims = |rights: Option<Value>| {
        let mut claims = TestIssuer::claims("partner", &json!(["jtc"]));
        if let Some(rights) = rights {
            claims["api_rights"] = rights;
        }
        claims
    };
    for (what, rights) in [
        ("without the claim", None),
        ("read", Some(json!("read"))),
        ("write", Some(json!("write"))),
        ("read,write", Some(json!(["read", "write"]))),
    ] {
        let token = issuer.token(&claims(rights), "RS256");
        let response = lookup_as(&app, &token, EXAMPLE_QUERY).await;
        assert_is_the_example(&response, what);
    }
    for rights in [json!("admin"), json!(""), json!(7)] {
        let token = issuer.token(&claims(Some(rights.clone())), "ES256");
        let response = lookup_as(&app, &token, EXAMPLE_QUERY).await;
        assert_unauthenticated(&response, INVALID_TOKEN_CHALLENGE, &rights.to_string());
    }
}

//! What each client may do (`clients.permissions`): stored in the domain's text form and
//! read back with its parser, changed in place, and read only for the clients stored
//! before the column existed (migration `2026-12-06-000006_client_permissions`).

use customer_domain::{
    ClientAdministration, ClientProfile, FailureKind, KeyLookup, Permissions, RegistryError,
};
use customer_infrastructure::{Database, SqlClientRegistry, revert_last_migration, run_migrations};
use customer_testkit::TestBackend;
use diesel::QueryableByName;
use diesel::sql_types::Text;
use diesel_async::RunQueryDsl;

use crate::clients::{at, find, key, key_id, name, profile, registry};
use crate::support::{execute, try_execute, with_conn};

/// The version diesel records for the migration that adds `clients.permissions`.
const PERMISSIONS_MIGRATION: &str = "20261206000006";

/// Client `client` of `jtc` permitted `permissions`.
fn permitted(client: &str, permissions: Permissions) -> ClientProfile {
    ClientProfile {
        permissions,
        ..profile(client, "jtc", None)
    }
}

#[derive(QueryableByName)]
struct StoredPermissions {
    #[diesel(sql_type = Text)]
    name: String,
    #[diesel(sql_type = Text)]
    permissions: String,
}

/// `clients.permissions` as stored, by client name.
async fn stored_permissions(db: &Database) -> Vec<(String, String)> {
    let rows: Vec<StoredPermissions> = with_conn!(db, |conn| diesel::sql_query(
        "SELECT name, permissions FROM clients ORDER BY name"
    )
    .load(conn)
    .await
    .expect("the clients are read"));
    rows.into_iter()
        .map(|row| (row.name, row.permissions))
        .collect()
}

/// Each client's permissions are stored as their canonical text and come back, with its
/// keys and in the listing, as they were given.
pub async fn permissions_are_stored_and_read_back(backend: TestBackend) {
    let (db, registry) = registry(backend).await;
    let clients = [
        ("reader", Permissions::READ),
        ("writer", Permissions::WRITE),
        ("both", Permissions::READ_WRITE),
    ];
    for (n, (client, permissions)) in (1u8..).zip(clients) {
        registry
            .add_client(
                &permitted(client, permissions),
                &key(n, at(1, 8), None),
                at(1, 8),
            )
            .await
            .expect("the client is added");
        let found = find(&registry, u64::from(n))
            .await
            .expect("its key is found");
        assert_eq!(found.client, permitted(client, permissions), "{client}");
    }
    let listed: Vec<(String, Permissions)> = registry
        .list_clients()
        .await
        .expect("list_clients answers")
        .into_iter()
        .map(|listing| {
            (
                listing.profile.name.to_string(),
                listing.profile.permissions,
            )
        })
        .collect();
    assert_eq!(
        listed,
        [
            ("both".to_owned(), Permissions::READ_WRITE),
            ("reader".to_owned(), Permissions::READ),
            ("writer".to_owned(), Permissions::WRITE),
        ]
    );
    assert_eq!(
        stored_permissions(&db.connect()).await,
        [
            ("both".to_owned(), "read,write".to_owned()),
            ("reader".to_owned(), "read".to_owned()),
            ("writer".to_owned(), "write".to_owned()),
        ]
    );
}

/// `set_permissions` replaces one client's permissions, answers those it had, and
/// leaves its keys and the other clients as they were; an unknown client is refused.
pub async fn permissions_are_replaced_for_one_client(backend: TestBackend) {
    let (db, registry) = registry(backend).await;
    for (n, client) in [(1, "portal"), (2, "crm")] {
        registry
            .add_client(
                &permitted(client, Permissions::READ),
                &key(n, at(1, 8), None),
                at(1, 8),
            )
            .await
            .expect("the client is added");
    }
    let before = registry
        .set_permissions(&name("portal"), Permissions::WRITE)
        .await
        .expect("the client is known");
    assert_eq!(before, Permissions::READ);
    let before = registry
        .set_permissions(&name("portal"), Permissions::READ_WRITE)
        .await
        .expect("the client is known");
    assert_eq!(before, Permissions::WRITE);
    let portal = find(&registry, 1).await.expect("its key is still found");
    assert_eq!(portal.client, permitted("portal", Permissions::READ_WRITE));
    assert_eq!(portal.revoked_at, None);
    let crm = find(&registry, 2).await.expect("the other key");
    assert_eq!(crm.client.permissions, Permissions::READ);

    let refused = registry
        .set_permissions(&name("nobody"), Permissions::WRITE)
        .await;
    assert!(
        matches!(&refused, Err(RegistryError::UnknownClient(client)) if client.as_str() == "nobody"),
        "{refused:?}"
    );
    assert_eq!(
        stored_permissions(&db.connect()).await,
        [
            ("crm".to_owned(), "read".to_owned()),
            ("portal".to_owned(), "read,write".to_owned()),
        ]
    );
}

/// The database refuses an empty permission list; a stored text the domain's parser
/// refuses makes the key lookup fail as inconsistent data, never a guess.
pub async fn stored_permissions_are_checked(backend: TestBackend) {
    let (db, registry) = registry(backend).await;
    registry
        .add_client(
            &permitted("portal", Permissions::READ),
            &key(1, at(1, 8), None),
            at(1, 8),
        )
        .await
        .expect("the client is added");
    let empty = try_execute(
        &db.connect(),
        "UPDATE clients SET permissions = '' WHERE name = 'portal'",
    )
    .await;
    assert!(empty.is_err(), "an empty list is refused: {empty:?}");
    execute(
        &db.connect(),
        "UPDATE clients SET permissions = 'read,admin' WHERE name = 'portal'",
    )
    .await;
    let found = registry.find_key(&key_id(1)).await;
    assert!(
        matches!(&found, Err(error) if error.kind() == FailureKind::Inconsistent),
        "{found:?}"
    );
}

/// The clients stored before permissions existed may read, and only read, once the
/// migration is applied; reverting it drops the column and applying it again restores
/// the default.
pub async fn clients_stored_before_permissions_may_only_read(backend: TestBackend) {
    let (db, _) = registry(backend).await;
    // Back to the schema before the migration (and any that came after it).
    let mut reverted = Vec::new();
    while reverted.last().map(String::as_str) != Some(PERMISSIONS_MIGRATION) {
        assert!(reverted.len() < 100, "never reverted: {reverted:?}");
        reverted.push(
            revert_last_migration(db.url())
                .await
                .expect("the newest migration reverts"),
        );
    }
    execute(
        &db.connect(),
        "INSERT INTO clients (client_id, name, companies, rate_limit, created_at)
             VALUES (41, 'old-portal', 'jtc', NULL, '2026-11-01 08:00:00');
         INSERT INTO api_keys (key_id, client_id, key_hash, created_at)
             VALUES ('00000000002a', 41, '2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a',
                     '2026-11-01 08:00:00')",
    )
    .await;
    let applied = run_migrations(db.url())
        .await
        .expect("the migrations apply");
    reverted.reverse();
    assert_eq!(applied, reverted, "applied again, oldest first");

    let registry = SqlClientRegistry::new(db.connect());
    let found = find(&registry, 42).await.expect("the old client's key");
    assert_eq!(found.client, permitted("old-portal", Permissions::READ));
    assert_eq!(
        stored_permissions(&db.connect()).await,
        [("old-portal".to_owned(), "read".to_owned())]
    );
}
